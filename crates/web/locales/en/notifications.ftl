# The inbox (/notifications), the header's unread count, and the notification e-mail.
notifications-title = Notices
notifications-link = Notices
notifications-unread-count = ({ $count } unread)
notifications-unread-many = (99+ unread)
notifications-lead = Notices addressed to you. A notice does not carry the content itself: use “Open” to see it on its page.
notifications-filter = Show
notifications-filter-unread = Unread only
notifications-filter-read = Read only
notifications-col-what = Notice
notifications-col-when = Date
notifications-col-state = State
notifications-col-actions = Actions
notifications-state-unread = Unread
notifications-state-read = Read
notifications-open = Open
notifications-open-label = Open “{ $what }” ({ $when })
notifications-mark-read = Mark as read
notifications-mark-read-label = Mark “{ $what }” as read ({ $when })
notifications-mark-all-read = Mark all as read
notifications-done-read = The notice is marked as read.
notifications-done-all-read = { $count } notices marked as read.
notifications-emailed = E-mailed
notifications-empty = No notices yet.
notifications-empty-filtered = No notice matches. Try another choice of what to show.

# The e-mail (Japanese first, English below; no personal content, only the kind and a link).
mail-subject = [careerdock] { $what }
mail-intro = You have a new notice in careerdock.
mail-follow = Sign in through this link to see it:
mail-no-content = This e-mail does not carry the content. Please see it in the application.
mail-no-reply = This address only sends; replies are not read.

# What a notice is about (domain::vocabulary, NotificationKind; explained in docs/glossary.md).
term-notice-disclosure-requested = Consent requested
term-notice-disclosure-decided = Consent decision received
term-notice-disclosure-shared = A record shared with you
term-notice-escalation-raised = Urgent: an escalation to acknowledge
term-notice-escalation-overdue = Escalation past its deadline
term-notice-escalation-approval-requested = Approval of a disclosure requested
term-notice-escalation-disclosure-notice = A disclosure made without your consent
term-notice-important-case-shared = Important case shared
term-notice-org-issue-raised = Organizational issue raised
term-notice-boss-guide-updated = Guide for bosses updated
term-notice-other = Notice
