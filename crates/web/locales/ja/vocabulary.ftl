# The one vocabulary of statuses and kinds (domain::vocabulary); explained in docs/glossary.md.
term-report-draft = 下書き
term-report-submitted = レビュー待ち
term-report-returned = 差し戻し
term-report-approved = 承認済み
term-flag-life-safety = 生命・安全に関わる事案
term-flag-organizational-response = 組織的対応が必要な事項
term-interview-initial = 初回面談
term-interview-additional = 追加面談
term-interview-follow-up = フォローアップ面談
term-mode-in-person = 対面
term-mode-online = オンライン
term-interview-scheduled = 予定
term-interview-held = 実施済み
term-interview-no-show = 欠席
term-interview-cancelled = キャンセル
term-request-open = 受付中
term-request-scheduled = 日程確定
term-request-declined = 見送り
term-cycle-planning = 準備中
term-cycle-active = 実施中
term-cycle-closed = 終了
term-employee-active = 在籍
term-employee-on-leave = 休職
term-employee-retired = 退職
# Column headings over when an interview was held: a day, or the period of a pseudonymized case.
report-held-period = 時期
report-held-either = 面談日・時期
# Important cases (重要事案) and organizational issues (組織課題): HR's statuses.
term-case-open = 未着手
term-case-in-progress = 対応中
term-case-monitoring = 経過観察
term-case-resolved = 解決済み
term-issue-open = 未対応
term-issue-in-progress = 対応中
term-issue-resolved = 対応済み
# Overall and management reports (全体報告書, 経営層への報告): where a version is in its life.
term-aggregate-draft = 下書き
term-aggregate-approved = 承認済み
term-aggregate-released = 公開済み
term-action-planned = 計画中
term-action-in-progress = 実施中
term-action-done = 完了
term-action-cancelled = 中止
term-evaluation-effective = 効果あり
term-evaluation-partly = 一部効果あり
term-evaluation-not-effective = 効果なし
