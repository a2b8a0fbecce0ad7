# The vocabulary of consent (issue 8): purposes, states, decisions and methods.
term-purpose-boss-feedback = 上司へのフィードバック
term-purpose-important-case = 重要事案としての報告
term-purpose-referral = 関連部署への紹介
term-disclosure-pending = 確認待ち
term-disclosure-granted = 同意済み
term-disclosure-refused = 不同意
term-disclosure-withdrawn = 同意取り消し
term-disclosure-changes-requested = 修正依頼あり
term-disclosure-expired = 期限切れ
term-consent-grant = 同意
term-consent-refuse = 不同意
term-consent-withdraw = 取り消し
term-consent-request-changes = 修正の依頼
term-method-app = アプリで本人が回答
term-method-written = 書面
term-method-verbal = 口頭
