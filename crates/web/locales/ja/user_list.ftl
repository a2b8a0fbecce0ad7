# The account list (/admin/users) in the list pattern.
admin-users-search = アカウント
admin-users-search-help = ログインID・表示名の一部で検索できます。
admin-users-filter-role = 役割
admin-users-filter-state = 利用状態
admin-users-state-enabled = 利用中
admin-users-state-disabled = 停止中
admin-users-col-created = 登録日時
admin-users-empty = アカウントはまだありません。下のフォームから作成できます。
admin-users-empty-filtered = 条件に一致するアカウントはありません。キーワードや役割、利用状態を変えてお試しください。
