# Text themes: HR's synonyms and stop words (/settings/themes).
nav-theme-settings = Theme settings
themes-settings-title = Theme extraction settings
themes-settings-lead = Synonyms and stop words used when the themes of the overall report are extracted from approved individual reports. No sentence of a report is ever shown, and a word is shown as a theme only when it appears in the reports of enough people.
themes-synonyms = Synonyms
themes-synonyms-help = One group a line, as "canonical term = variant, variant" (for example "childcare = parenting, parental leave"). Variants are counted as the canonical term. At most { $max } words.
themes-stop-words = Stop words
themes-stop-words-help = Words never treated as themes, one a line (or separated by commas). At most { $max } words.
themes-settings-reindex = Saving extracts the themes of every approved report again with the new settings (this may take a few minutes).
themes-settings-save = Save
themes-settings-saved = Settings saved. The themes of the approved reports are being extracted again.
themes-settings-updated = Last updated: { $when }
