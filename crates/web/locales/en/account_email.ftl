## Notification settings and an account's e-mail address for notices (issue 8)

notice-settings-title = Notification settings
notice-settings-link = Notification settings
notice-settings-lead = Check how notices reach you and set the e-mail address for them. Notices always arrive in the app, under Notices.
notice-settings-status-heading = Notices by e-mail
notice-settings-on = On
notice-settings-off = Off
notice-settings-email-on = Notices are shown in the app and also e-mailed to { $address }.
notice-settings-email-off-no-smtp = This system is not set up to send e-mail, so notices arrive in the app only. Ask your system administrator if you would like them by e-mail.
notice-settings-email-off-no-address = No e-mail address is registered for notices, so they arrive in the app only. Register an address below to get them by e-mail too.
notice-settings-privacy = An e-mail holds only a subject and a link to this system: never the content of a consultation, names or other personal details.
notice-settings-email-heading = E-mail address for notices
notice-settings-email = E-mail address
notice-settings-email-help = Saved empty, notices go to your address in the employee register (if there is one).
notice-settings-register = Address in the employee register: { $address }
notice-settings-save = Save
notice-settings-clear = Remove
notice-settings-saved = The e-mail address for notices is saved.
notice-settings-cleared = The e-mail address for notices is removed.
notice-settings-inbox-link = Back to notices
notifications-email-settings = Change settings

admin-users-email = E-mail address for notices (optional)
admin-users-email-help = Where notices are also e-mailed. Left empty, they go to the linked employee's address in the register.
admin-users-col-email = Notice e-mail
admin-users-no-email = None
admin-users-edit-email = Change e-mail address
admin-users-email-label = E-mail address for notices of { $login }
admin-users-save-email = Save
admin-users-email-saved = The e-mail address for notices of { $login } is saved.

audit-did-email-changed = Changed the e-mail address for notices

## HR's home: important cases and organizational issues (issue 8)

home-hr-cases-title = Important cases awaiting you
home-hr-cases-link = Open important cases
home-hr-cases-body = Of the { $shared } important cases shared with consent, those with no solution, owner or status recorded yet.
home-hr-cases-all-answered = A response is recorded for all { $shared } important cases shared.
home-hr-cases-empty = No important case is shared now.
home-hr-cases-personnel-authority = Important cases are not shown to accounts with personnel authority.
home-hr-org-issues-title = Organizational issues to address
home-hr-org-issues-link = Open organizational issues
home-hr-org-issues-body = { $open } not addressed, { $in_progress } in progress (resolved ones not included).
home-hr-org-issues-empty = No organizational issue needs addressing.
