# The one vocabulary of statuses and kinds (domain::vocabulary); explained in docs/glossary.md.
term-report-draft = Draft
term-report-submitted = Awaiting review
term-report-returned = Returned
term-report-approved = Approved
term-flag-life-safety = Life or safety at stake
term-flag-organizational-response = Organizational response needed
term-interview-initial = Initial interview
term-interview-additional = Additional interview
term-interview-follow-up = Follow-up interview
term-mode-in-person = In person
term-mode-online = Online
term-interview-scheduled = Scheduled
term-interview-held = Held
term-interview-no-show = No-show
term-interview-cancelled = Cancelled
term-request-open = Received
term-request-scheduled = Scheduled
term-request-declined = Declined
term-cycle-planning = Planning
term-cycle-active = Active
term-cycle-closed = Closed
term-employee-active = Employed
term-employee-on-leave = On leave
term-employee-retired = Left
# Column headings over when an interview was held: a day, or the period of a pseudonymized case.
report-held-period = Period
report-held-either = Date or period
# Important cases (重要事案) and organizational issues (組織課題): HR's statuses.
term-case-open = Not started
term-case-in-progress = In progress
term-case-monitoring = Monitoring
term-case-resolved = Resolved
term-issue-open = Open
term-issue-in-progress = In progress
term-issue-resolved = Addressed
# Overall and management reports (全体報告書, 経営層への報告): where a version is in its life.
term-aggregate-draft = Draft
term-aggregate-approved = Approved
term-aggregate-released = Released
term-action-planned = Planned
term-action-in-progress = In progress
term-action-done = Done
term-action-cancelled = Cancelled
term-evaluation-effective = Effective
term-evaluation-partly = Partly effective
term-evaluation-not-effective = Not effective
