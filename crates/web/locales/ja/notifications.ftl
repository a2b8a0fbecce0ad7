# The inbox (/notifications), the header's unread count, and the notification e-mail.
notifications-title = お知らせ
notifications-link = お知らせ
notifications-unread-count = （未読 { $count }件）
notifications-unread-many = （未読 99件以上）
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

# What a notice is about (domain::vocabulary, NotificationKind; explained in docs/glossary.md).
term-notice-disclosure-requested = 同意のお願い
term-notice-disclosure-decided = 同意についての回答
term-notice-disclosure-shared = 共有された記録
term-notice-escalation-raised = 至急：エスカレーションの確認依頼
term-notice-escalation-overdue = エスカレーションの確認期限超過
term-notice-escalation-approval-requested = 開示の承認依頼
term-notice-escalation-disclosure-notice = 同意によらない開示のお知らせ
term-notice-important-case-shared = 重要事案の共有
term-notice-org-issue-raised = 組織課題の登録
term-notice-boss-guide-updated = 上司ガイドの更新
term-notice-other = お知らせ
