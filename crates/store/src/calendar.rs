//! The consultant's iCalendar feed: a secret, revocable URL (only its SHA-256 is stored) that
//! serves their interviews of the last and next 90 days, without employee names unless the
//! consultant turns them on.

use crate::interviews::{kind_of, mode_of, status_of};
use crate::sessions::{random_token, secret_hash};
use crate::{now_ms, Acting, Consultant, Ctx, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::ids::{InterviewId, TenantId, UserId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus};
use domain::Role;
use sqlx::Row;

/// Deletes the calendar feed of a user whose account is disabled; returns how many (0 or 1).
pub(crate) async fn delete_user_feed(conn: &mut sqlx::AnyConnection, user: UserId) -> Result<u64> {
    let n = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user.get()).execute(conn).await?;
    Ok(n.rows_affected())
}

/// The feed's settings as its owner sees them (the token itself is shown once, when made).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarFeedInfo {
    pub show_names: bool,
    pub created_at: i64,
}

/// One interview as the feed shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEvent {
    pub id: InterviewId,
    pub kind: InterviewKind,
    pub mode: InterviewMode,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: InterviewStatus,
    /// Only when the consultant has turned names on.
    pub employee_name: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a feed URL resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarFeed {
    pub tenant: TenantId,
    pub tenant_slug: String,
    pub consultant: UserId,
    pub consultant_name: String,
    pub show_names: bool,
    pub events: Vec<FeedEvent>,
}

const TOKEN_PREFIX: &str = "cal_";
/// How far back and ahead the feed reaches.
pub const FEED_WINDOW_MS: i64 = 90 * 86_400_000;

/// Whether a presented value could be a feed token at all (cheap refusal before hashing).
fn well_formed(token: &str) -> bool {
    token.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Store {
    /// The acting consultant's feed settings, if they have a feed.
    pub async fn calendar_feed(&self, me: &Acting<Consultant>) -> Result<Option<CalendarFeedInfo>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let r = sqlx::query("SELECT show_names, created_at FROM calendar_feeds WHERE user_id = $1 AND tenant_id = $2")
            .bind(actor.user().get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?;
        match r {
            Some(r) => {
                Ok(Some(CalendarFeedInfo { show_names: r.try_get::<i64, _>("show_names")? != 0, created_at: r.try_get("created_at")? }))
            }
            None => Ok(None),
        }
    }

    /// Creates the acting consultant's feed, or replaces its secret (the old URL stops
    /// working at once). Returns the new token, to be shown this once.
    pub async fn rotate_calendar_feed(&self, me: &Acting<Consultant>, show_names: bool) -> Result<String> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let token = format!("{TOKEN_PREFIX}{}", random_token(32));
        let mut tx = self.db.write.begin().await?;
        let old = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1 AND tenant_id = $2")
            .bind(actor.user().get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO calendar_feeds (user_id, tenant_id, token_hash, show_names, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(actor.user().get())
            .bind(ctx.tenant.get())
            .bind(secret_hash(&token))
            .bind(i64::from(show_names))
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        let what = if old.rows_affected() > 0 { Outcome::Rotated } else { Outcome::Created };
        let ev = ctx
            .event(AuditAction::CalendarFeedChanged, AuditTarget::CalendarFeed, actor.user())
            .detail(AuditDetail::of(Fact::Is(what)).and(Fact::Flag(Key::ShowNames, show_names)));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Turns employee names in the feed on or off.
    pub async fn set_calendar_feed_names(&self, me: &Acting<Consultant>, show_names: bool) -> Result<()> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let mut tx = self.db.write.begin().await?;
        let n = sqlx::query("UPDATE calendar_feeds SET show_names = $1 WHERE user_id = $2 AND tenant_id = $3")
            .bind(i64::from(show_names))
            .bind(actor.user().get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let ev = ctx
            .event(AuditAction::CalendarFeedChanged, AuditTarget::CalendarFeed, actor.user())
            .detail(Fact::Flag(Key::ShowNames, show_names));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revokes the acting consultant's feed: its URL answers "not found" from now on.
    pub async fn revoke_calendar_feed(&self, me: &Acting<Consultant>) -> Result<()> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let mut tx = self.db.write.begin().await?;
        let n = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1 AND tenant_id = $2")
            .bind(actor.user().get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let ev = ctx.event(AuditAction::CalendarFeedChanged, AuditTarget::CalendarFeed, actor.user()).detail(Fact::Is(Outcome::Revoked));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resolves a feed token to its consultant's interviews within ±90 days. Unknown or
    /// revoked tokens, disabled accounts and users no longer consultants resolve to nothing.
    /// The read is audited (as the feed's owner) before the events are returned.
    pub async fn calendar_feed_by_token(&self, token: &str) -> Result<Option<CalendarFeed>> {
        if !well_formed(token) {
            return Ok(None);
        }
        let r = sqlx::query(
            "SELECT f.user_id, f.tenant_id, f.show_names, u.login, u.display_name, t.slug
             FROM calendar_feeds f JOIN users u ON u.id = f.user_id JOIN tenants t ON t.id = f.tenant_id
             JOIN user_roles r ON r.user_id = u.id AND r.role = $2
             WHERE f.token_hash = $1 AND u.disabled_at IS NULL",
        )
        .bind(secret_hash(token))
        .bind(Role::Consultant.as_str())
        .fetch_optional(&self.db.read)
        .await?;
        let Some(r) = r else { return Ok(None) };
        let user = UserId::new(r.try_get("user_id")?);
        let tenant = TenantId::new(r.try_get("tenant_id")?);
        let show_names = r.try_get::<i64, _>("show_names")? != 0;
        let login: String = r.try_get("login")?;
        let now = now_ms();
        // The name column is only selected when names are on, so it cannot slip out otherwise.
        // Notes and status notes are never selected: a feed is copied to outside calendars.
        let name_col = if show_names { "e.name" } else { "NULL" };
        let rows = sqlx::query(&format!(
            "SELECT i.id, i.kind, i.mode, i.place, i.starts_at, i.ends_at, i.status, i.created_at, i.updated_at, {name_col} AS employee_name
             FROM interviews i JOIN employees e ON e.id = i.employee_id
             WHERE i.tenant_id = $1 AND i.consultant_id = $2 AND i.starts_at < $3 AND i.ends_at > $4
             ORDER BY i.starts_at, i.id"
        ))
        .bind(tenant.get())
        .bind(user.get())
        .bind(now + FEED_WINDOW_MS)
        .bind(now - FEED_WINDOW_MS)
        .fetch_all(&self.db.read)
        .await?;
        let events = rows
            .iter()
            .map(|r| {
                Ok(FeedEvent {
                    id: InterviewId::new(r.try_get("id")?),
                    kind: kind_of(&r.try_get::<String, _>("kind")?)?,
                    mode: mode_of(&r.try_get::<String, _>("mode")?)?,
                    place: r.try_get("place")?,
                    starts_at: r.try_get("starts_at")?,
                    ends_at: r.try_get("ends_at")?,
                    status: status_of(&r.try_get::<String, _>("status")?)?,
                    employee_name: if show_names { r.try_get("employee_name")? } else { None },
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let ctx = Ctx {
            tenant,
            user: Some(user),
            label: format!("calendar_feed:{login}"),
            role: Some(Role::Consultant),
            personnel_authority: false,
        };
        let ev = ctx
            .event(AuditAction::CalendarFeedRead, AuditTarget::CalendarFeed, user)
            .detail(AuditDetail::none().n(Key::Events, events.len()).and(Fact::Flag(Key::ShowNames, show_names)));
        self.audit(&ctx, ev).await?;
        Ok(Some(CalendarFeed {
            tenant,
            tenant_slug: r.try_get("slug")?,
            consultant: user,
            consultant_name: r.try_get("display_name")?,
            show_names,
            events,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_tokens_are_looked_up() {
        assert!(well_formed(&format!("cal_{}", "a".repeat(64))));
        assert!(!well_formed(&format!("cal_{}", "g".repeat(64))));
        assert!(!well_formed(&format!("cdk_{}", "a".repeat(64))));
        assert!(!well_formed("cal_"));
    }
}
