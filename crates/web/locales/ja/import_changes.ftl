# The import preview: each changed field with its value before and after.
import-changes-heading = 変更内容（変更前 → 変更後）
import-change-old = 変更前
import-change-new = 変更後
import-change-empty = （空欄）
