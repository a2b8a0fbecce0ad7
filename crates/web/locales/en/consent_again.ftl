## My consents: granting again what was refused or withdrawn (issue 8)

cs-closed-heading = Not shared
cs-closed-empty = There is nothing you refused or withdrew.
cs-closed-lead = What you did not agree to, withdrew, or whose consent has expired. If you change your mind, you can agree again to the same text. The earlier records stay as they are.
cs-decided-at = Last recorded
cs-again-open = Read the text and agree again
cs-again-confirm = I agree that the text above is shared with { $recipient }
cs-again-send = Agree again
cs-again-need-grant = To agree again, read the text and tick the box to agree.

## The evidence note's label in a disclosure's ledger
dc-evidence-label = Evidence note:{" "}
