# The interview list (/interviews) in the list pattern.
iv-list-heading = 面談の一覧
iv-when-tabs = 表示する面談
iv-when-upcoming = 今後の予定
iv-when-past = 過去の面談
iv-when-all = すべて
iv-search = 従業員
iv-search-help = 氏名・フリガナ・社員番号の一部で検索できます。
iv-past-empty = 過去の面談はまだありません。
iv-all-empty = 面談はまだ登録されていません。「面談を登録する」から予定を登録できます。
iv-list-empty-filtered = 条件に一致する面談はありません。キーワードや状態を変えてお試しください。
iv-to-report-heading = 報告書が未作成の面談
iv-to-report-help = 実施済みで、個別報告書がまだない面談です。
iv-to-report-count = （全{ $count }件）
iv-col-report = 個別報告書
iv-report-write-label = { $who }さんの面談の個別報告書を作成する
