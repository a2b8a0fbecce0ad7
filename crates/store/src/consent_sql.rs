//! The state of a disclosure at a moment, in SQL, so that lists of disclosures can be counted,
//! filtered and paged in the database (issue 8). It is the rule of `domain::consent::state`:
//! the newest ledger entry recorded at or before the moment decides; an entry on an older
//! version of the text does not carry over (pending); a grant whose expiry has come is expired.
//! The SQL only chooses rows: whatever is shown or released is still decided, row by row, by
//! `domain::consent::release` and the policy (a store test compares the two on both databases).

/// `LEFT JOIN` of the newest entry `c` of disclosure `d` at the moment bound as `${now}`.
pub(crate) fn last_entry_join(now: usize) -> String {
    format!(
        "LEFT JOIN consent_records c ON c.id = (SELECT MAX(c2.id) FROM consent_records c2 WHERE c2.disclosure_id = d.id AND c2.created_at <= ${now})"
    )
}

/// The state code (`DisclosureState::as_str`) of `d` given its newest entry `c` (from
/// [`last_entry_join`]) at the moment bound as `${now}`.
pub(crate) fn state_expr(now: usize) -> String {
    format!(
        "(CASE WHEN c.id IS NULL OR c.version <> d.version THEN 'pending'
              WHEN c.decision = 'grant' AND c.expires_at IS NOT NULL AND c.expires_at <= ${now} THEN 'expired'
              WHEN c.decision = 'grant' THEN 'granted'
              WHEN c.decision = 'refuse' THEN 'refused'
              WHEN c.decision = 'withdraw' THEN 'withdrawn'
              ELSE 'changes_requested' END)"
    )
}

/// The condition "granted now, on the current text, unexpired" over `d` and `c`.
pub(crate) fn granted_cond(now: usize) -> String {
    format!("(c.decision = 'grant' AND c.version = d.version AND (c.expires_at IS NULL OR c.expires_at > ${now}))")
}
