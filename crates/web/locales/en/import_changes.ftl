# The import preview: each changed field with its value before and after.
import-changes-heading = Changes (before → after)
import-change-old = Before
import-change-new = After
import-change-empty = (empty)
