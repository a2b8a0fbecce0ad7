# Printing the individual report and the interview page.
print-button = 印刷する
print-confidential = 社外秘・要配慮個人情報
print-consultant = 担当キャリアコンサルタント
print-notes = 面談メモ
