# The inbox (/notifications), the header's unread count, and the notification e-mail.
notifications-title = お知らせ
notifications-link = お知らせ
notifications-unread-count = 未読 { $count }件
notifications-unread-many = 未読 99件以上
notifications-lead = あなた宛てのお知らせです。お知らせには内容そのものは書かれていません。「開く」から該当のページでご確認ください。
notifications-filter = 表示
notifications-filter-unread = 未読のみ
notifications-filter-read = 既読のみ
notifications-col-what = お知らせ
notifications-col-when = 日時
notifications-col-state = 状態
notifications-col-actions = 操作
notifications-state-unread = 未読
notifications-state-read = 既読
notifications-open = 開く
notifications-open-label = 「{ $what }」を開く（{ $when }）
notifications-mark-read = 既読にする
notifications-mark-read-label = 「{ $what }」を既読にする（{ $when }）
notifications-mark-all-read = すべて既読にする
notifications-done-read = お知らせを既読にしました。
notifications-done-all-read = { $count }件のお知らせを既読にしました。
notifications-emailed = メール送信済み
notifications-empty = お知らせはまだありません。
notifications-empty-filtered = 条件に一致するお知らせはありません。表示の条件を変えてお試しください。

# The e-mail (Japanese first, English below; no personal content, only the kind and a link).
mail-subject = 【careerdock】{ $what }
mail-intro = careerdock に新しいお知らせがあります。
mail-follow = 次のリンクからサインインしてご確認ください。
mail-no-content = このメールには内容を記載していません。詳しくはアプリケーションでご確認ください。
mail-no-reply = このメールは送信専用です。返信いただいてもお答えできません。
