## 通知の設定と、アカウントの通知用メールアドレス（issue 8）

notice-settings-title = 通知の設定
notice-settings-link = 通知の設定
notice-settings-lead = お知らせの届け方を確認し、通知用のメールアドレスを設定します。お知らせは常にアプリ内の「お知らせ」に届きます。
notice-settings-status-heading = メールでのお知らせ
notice-settings-on = オン
notice-settings-off = オフ
notice-settings-email-on = お知らせはアプリ内に加えて、{ $address } 宛てにメールでもお送りします。
notice-settings-email-off-no-smtp = このシステムではメール送信が設定されていないため、お知らせはアプリ内でのみお届けします。メールでの通知をご希望の場合は、システム管理者にお問い合わせください。
notice-settings-email-off-no-address = 通知用のメールアドレスが登録されていないため、お知らせはアプリ内でのみお届けします。下の欄にアドレスを登録すると、メールでも届きます。
notice-settings-privacy = メールには件名と、このシステムへのリンクだけを記載します。相談の内容やお名前などの個人情報は記載しません。
notice-settings-email-heading = 通知用メールアドレス
notice-settings-email = メールアドレス
notice-settings-email-help = 空欄のまま保存すると、従業員名簿に登録されたメールアドレス（登録がある場合）にお送りします。
notice-settings-register = 従業員名簿のメールアドレス：{ $address }
notice-settings-save = 保存
notice-settings-clear = 登録を解除
notice-settings-saved = 通知用メールアドレスを保存しました。
notice-settings-cleared = 通知用メールアドレスの登録を解除しました。
notice-settings-inbox-link = お知らせ一覧へ戻る
notifications-email-settings = 設定を変更

admin-users-email = 通知用メールアドレス（任意）
admin-users-email-help = お知らせをメールでも送る宛先です。空欄の場合は、連携した従業員の名簿上のアドレスに送ります。
admin-users-col-email = 通知用メール
admin-users-no-email = 未登録
admin-users-edit-email = メールアドレスを変更
admin-users-email-label = { $login } の通知用メールアドレス
admin-users-save-email = 保存
admin-users-email-saved = { $login } の通知用メールアドレスを保存しました。

audit-did-email-changed = 通知用メールアドレスを変更しました

## 人事のホーム：重要事案と組織課題（issue 8）

home-hr-cases-title = 対応待ちの重要事案
home-hr-cases-link = 重要事案を開く
home-hr-cases-body = 本人の同意を得て共有されている重要事案{ $shared }件のうち、解決策・担当者・状況をまだ記録していないものです。
home-hr-cases-all-answered = 共有されている重要事案{ $shared }件すべてに、対応を記録済みです。
home-hr-cases-empty = いま共有されている重要事案はありません。
home-hr-cases-personnel-authority = 人事権をお持ちのアカウントには、重要事案は表示されません。
home-hr-org-issues-title = 対応が必要な組織課題
home-hr-org-issues-link = 組織課題を開く
home-hr-org-issues-body = 未対応{ $open }件、対応中{ $in_progress }件です（解決済みは含みません）。
home-hr-org-issues-empty = 対応が必要な組織課題はありません。
