# The report lists (/reports, /cases, /review) in the list pattern.
reports-search = 従業員
reports-search-help = 氏名・フリガナ・社員番号の一部で検索できます。
reports-cycle = 実施年度
reports-empty-none = 個別報告書はまだありません。面談を実施済みにすると、面談の詳細画面から作成できます。
reports-empty-filtered = 条件に一致する報告書はありません。キーワードや絞り込みの条件を変えてお試しください。
cases-search = キーワード
cases-search-help = 仮名（例：K-AB23-CD45）やタグの名前の一部で検索できます。実名では検索できません。
cases-tag = タグ
cases-period = 時期
cases-empty-none = 共有された事例はまだありません。同僚の報告書が承認されると、仮名化してここに表示されます。
cases-empty-filtered = 条件に一致する事例はありません。キーワードやタグを変えてお試しください。
review-queue-empty-none = レビュー待ちの報告書はありません。
