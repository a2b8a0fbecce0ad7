## わたしの同意：同意しなかった・取り消した内容に、改めて同意する（issue 8）

cs-closed-heading = 共有していない内容
cs-closed-empty = 同意しなかった内容や、同意を取り消した内容はありません。
cs-closed-lead = 同意しなかった内容、同意を取り消した内容、有効期限が過ぎた内容です。考えが変わった場合は、同じ文章のまま改めて同意できます。これまでの記録はそのまま残ります。
cs-decided-at = 最後に記録した日時
cs-again-open = 文章を確認して改めて同意する
cs-again-confirm = 上の文章を { $recipient } に伝えることに同意します
cs-again-send = 改めて同意する
cs-again-need-grant = 改めて同意する場合は、文章を確認のうえ「同意します」にチェックを入れてください。

## 開示文の同意の記録：証跡メモの見出し
dc-evidence-label = 証跡メモ：
