# The consultant's consultation requests (/requests) in the list pattern.
rq-list-search = 従業員
rq-list-search-help = 氏名・フリガナ・社員番号の一部で検索できます。
rq-list-status = 状態
rq-list-col-number = 社員番号
rq-list-col-name = 氏名
rq-list-col-to = 宛先
rq-list-empty = 相談の申し出はまだありません。
rq-list-empty-filtered = 条件に一致する申し出はありません。キーワードや状態を変えてお試しください。
