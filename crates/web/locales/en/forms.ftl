# Forms sent back with what was typed (crates/web/src/pages/form.rs).
form-errors-heading = Please correct the following ({ $count }):

# The interview's outcome: recorded once started, corrected within the period, confirmed.
iv-correct-heading = Correct the record
iv-status-legend = Outcome
iv-correct-legend = Correct status
iv-choice-scheduled = Back to scheduled
iv-choice-held = Held
iv-choice-no-show = No-show
iv-choice-cancelled = Cancelled
iv-status-note = Reason or remark (required for a cancellation)
iv-status-submit = Record
iv-not-started = "Held" and "No-show" can be recorded once the start time ({ $start }) has passed.
iv-correction-help = A wrong record can be corrected within { $days } days of the interview (until { $deadline }). Corrections are kept in the audit log.
iv-final-period = More than { $days } days have passed since the interview: this record is final and cannot be corrected.
iv-final-report = A report has been started for this interview, so its record as held cannot change.
iv-error-cancel-reason = Give the reason for the cancellation.
iv-confirm-title = Confirm the record
iv-confirm-record = This interview will be recorded as "{ $to }".
iv-confirm-correct = The record will be corrected from "{ $from }" to "{ $to }". The correction is kept in the audit log.
iv-confirm-until = Until { $deadline } a mistake can still be corrected; after that the record is final.
iv-confirm-final = More than { $days } days have passed since the interview: once recorded, this cannot be corrected.
iv-confirm-submit = Confirm and record
iv-confirm-back = Go back and choose again
