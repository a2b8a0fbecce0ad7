# The vocabulary of consent (issue 8): purposes, states, decisions and methods.
term-purpose-boss-feedback = Feedback to the boss
term-purpose-important-case = Report as an important case
term-purpose-referral = Referral to a related department
term-disclosure-pending = Awaiting decision
term-disclosure-granted = Agreed
term-disclosure-refused = Not agreed
term-disclosure-withdrawn = Withdrawn
term-disclosure-changes-requested = Changes requested
term-disclosure-expired = Expired
term-consent-grant = Agreed
term-consent-refuse = Did not agree
term-consent-withdraw = Withdrew
term-consent-request-changes = Asked for changes
term-method-app = In the app, by the employee
term-method-written = In writing
term-method-verbal = Verbally
