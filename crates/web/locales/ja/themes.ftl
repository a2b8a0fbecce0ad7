# Text themes: HR's synonyms and stop words (/settings/themes).
nav-theme-settings = テーマの設定
themes-settings-title = テーマ抽出の設定
themes-settings-lead = 承認済みの個別報告書から全体報告書の「テーマ」を抽出するときの、同義語と除外語を設定します。報告書の文章そのものは表示されず、一定人数以上の報告書に現れた語だけがテーマとして示されます。
themes-synonyms = 同義語
themes-synonyms-help = 1行に1組、「正規の語 = 別表記, 別表記」の形で入力してください（例：育児 = 子育て, 育休）。別表記は正規の語にまとめて数えます。最大{ $max }語です。
themes-stop-words = 除外語
themes-stop-words-help = テーマとして扱わない語を1行に1つ（または読点区切りで）入力してください。最大{ $max }語です。
themes-settings-reindex = 保存すると、承認済みのすべての報告書のテーマが新しい設定で抽出し直されます（数分かかることがあります）。
themes-settings-save = 保存する
themes-settings-saved = 設定を保存しました。承認済みの報告書のテーマを抽出し直しています。
themes-settings-updated = 最終更新：{ $when }
