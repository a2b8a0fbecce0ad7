# Forms sent back with what was typed (crates/web/src/pages/form.rs).
form-errors-heading = 入力内容に{ $count }件の問題があります。各項目を確認してください。

# The interview's outcome: recorded once started, corrected within the period, confirmed.
iv-correct-heading = 記録の修正
iv-status-legend = 面談の結果
iv-correct-legend = 正しい状態
iv-choice-scheduled = 予定に戻す
iv-choice-held = 実施済み
iv-choice-no-show = 欠席
iv-choice-cancelled = キャンセル
iv-status-note = 理由・補足（キャンセルの場合は必須）
iv-status-submit = 記録する
iv-not-started = 「実施済み」「欠席」は、開始時刻（{ $start }）を過ぎてから記録できます。
iv-correction-help = 記録に誤りがあった場合は、面談日から{ $days }日以内（{ $deadline }まで）であれば修正できます。修正は監査ログに記録されます。
iv-final-period = 面談日から{ $days }日を過ぎたため、この記録は確定しています。修正はできません。
iv-final-report = 個別報告書が作成されているため、この「実施済み」の記録は変更できません。
iv-error-cancel-reason = キャンセルの理由を入力してください。
iv-confirm-title = 記録内容の確認
iv-confirm-record = この面談を「{ $to }」として記録します。
iv-confirm-correct = 記録を「{ $from }」から「{ $to }」に修正します。修正は監査ログに記録されます。
iv-confirm-until = { $deadline }までは、誤りがあれば修正できます。それ以降は変更できません。
iv-confirm-final = 面談日から{ $days }日を過ぎているため、記録すると後から修正することはできません。
iv-confirm-submit = 確認して記録する
iv-confirm-back = 戻って選び直す
