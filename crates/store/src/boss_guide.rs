//! The guide for bosses (上司ガイド, R8/R13): the tenant's published versions, each boss's
//! acknowledgments, and HR's list of who has acknowledged. Version 1 is the product's own text
//! (`domain::boss_guide::default_text`) and has no row; HR publishes later versions, which are
//! never changed afterwards. Whether a boss has acknowledged is `domain::boss_guide`'s rule.
//! The guide is the company's text, not personal data; acknowledgments and HR's reading of them
//! are audited.

use crate::paging::{like_pattern, Direction, PageRequest, Paged};
use crate::{now_ms, Acting, Boss, Ctx, Hr, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::boss_guide::{self, GuideDraft, GuideText, PublishedVersion, PRODUCT_VERSION};
use domain::consent::Purpose;
use domain::ids::{TenantId, UserId};
use domain::notification::NotificationKind;
use domain::policy::{self, Operation, Target};
use domain::{Message, Role};

/// Where a boss reads the guide (the link of their notice).
const GUIDE_LINK: &str = "/boss/guide";
use sqlx::Row;

/// The guide as it stands: the latest version's text, and what a boss must have acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BossGuide {
    /// The latest published version (1: the product's text).
    pub version: i64,
    /// The version every boss must have acknowledged (the latest that asked for it).
    pub required_version: i64,
    pub text: GuideDraft,
    /// When and by whom the latest version was published; `None` for the product's text.
    pub published: Option<(i64, String)>,
    /// The reader's latest acknowledgment (version, when), for a boss.
    pub acknowledged: Option<(i64, i64)>,
}

impl BossGuide {
    /// Whether the reading boss has acknowledged what is required.
    pub fn is_acknowledged(&self) -> bool {
        boss_guide::is_acknowledged(self.required_version, self.acknowledged.map(|(v, _)| v))
    }
}

/// One published version, for HR's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuideVersionRow {
    pub version: i64,
    pub published_at: Option<i64>,
    pub published_by: Option<String>,
    pub asks_acknowledgment: bool,
    /// Bosses (enabled accounts) whose latest acknowledgment is of this version.
    pub acknowledged_by: i64,
}

/// Which bosses HR's list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AcknowledgmentFilter {
    #[default]
    All,
    Acknowledged,
    Pending,
}

impl AcknowledgmentFilter {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "acknowledged" => Some(Self::Acknowledged),
            "pending" => Some(Self::Pending),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Acknowledged => "acknowledged",
            Self::Pending => "pending",
        }
    }
}

/// How HR's list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AcknowledgmentSort {
    /// Not yet acknowledged first, then by name.
    #[default]
    State,
    Name,
    Acknowledged,
}

/// One boss in HR's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcknowledgmentRow {
    pub user: UserId,
    pub name: String,
    pub login: String,
    /// The department of the employee the account is linked to, if any.
    pub department: Option<String>,
    /// The boss's latest acknowledgment (version, when).
    pub acknowledged: Option<(i64, i64)>,
    /// Whether it covers the required version.
    pub current: bool,
}

fn conflict_changed() -> StoreError {
    StoreError::Conflict(Message::new(
        "このページを開いた後に、上司ガイドが更新されました。最新の内容をお読みのうえ、あらためて確認してください。",
        "the guide was updated after you opened it; read the current version and acknowledge it again",
    ))
}

fn conflict_published() -> StoreError {
    StoreError::Conflict(Message::new(
        "編集を始めた後に、別の担当者が上司ガイドの新しい版を公開しました。最新の版を確認してから、もう一度編集してください。",
        "someone else published a new version of the guide after you started editing; look at the current version and edit again",
    ))
}

impl Store {
    async fn published_versions(&self, tenant: TenantId) -> Result<Vec<PublishedVersion>> {
        let rows = sqlx::query("SELECT version, asks_acknowledgment FROM boss_guide_versions WHERE tenant_id = $1 ORDER BY version")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PublishedVersion {
                    version: r.try_get("version")?,
                    asks_acknowledgment: r.try_get::<i64, _>("asks_acknowledgment")? != 0,
                })
            })
            .collect()
    }

    /// The latest version's text and facts; the reader's acknowledgment left out.
    async fn current_guide(&self, tenant: TenantId) -> Result<BossGuide> {
        let required_version = boss_guide::required_version(&self.published_versions(tenant).await?);
        let latest = sqlx::query(
            "SELECT g.version, g.title_ja, g.body_ja, g.title_en, g.body_en, g.published_at, u.display_name
             FROM boss_guide_versions g LEFT JOIN users u ON u.id = g.published_by
             WHERE g.tenant_id = $1 ORDER BY g.version DESC LIMIT 1",
        )
        .bind(tenant.get())
        .fetch_optional(&self.db.read)
        .await?;
        Ok(match latest {
            None => {
                BossGuide { version: PRODUCT_VERSION, required_version, text: GuideDraft::product(), published: None, acknowledged: None }
            }
            Some(r) => BossGuide {
                version: r.try_get("version")?,
                required_version,
                text: GuideDraft {
                    ja: GuideText { title: r.try_get("title_ja")?, body: r.try_get("body_ja")? },
                    en: GuideText { title: r.try_get("title_en")?, body: r.try_get("body_en")? },
                },
                published: Some((r.try_get("published_at")?, r.try_get::<Option<String>, _>("display_name")?.unwrap_or_default())),
                acknowledged: None,
            },
        })
    }

    async fn latest_acknowledgment(&self, tenant: TenantId, user: UserId) -> Result<Option<(i64, i64)>> {
        let r = sqlx::query(
            "SELECT version, acknowledged_at FROM boss_guide_acknowledgments WHERE tenant_id = $1 AND user_id = $2
             ORDER BY version DESC LIMIT 1",
        )
        .bind(tenant.get())
        .bind(user.get())
        .fetch_optional(&self.db.read)
        .await?;
        match r {
            Some(r) => Ok(Some((r.try_get("version")?, r.try_get("acknowledged_at")?))),
            None => Ok(None),
        }
    }

    /// The guide as the acting boss reads it, with their own acknowledgment.
    pub async fn boss_guide(&self, me: &Acting<Boss>) -> Result<BossGuide> {
        let (ctx, actor) = (me.ctx(), me.actor());
        if !policy::decide(&actor, Operation::AcknowledgeBossGuide, Target::OwnedBy(actor.user())).is_allow() {
            return Err(StoreError::NotFound);
        }
        let mut guide = self.current_guide(ctx.tenant).await?;
        guide.acknowledged = self.latest_acknowledgment(ctx.tenant, actor.user()).await?;
        Ok(guide)
    }

    /// Whether the context is a boss who has acknowledged the guide as it now requires: the
    /// gate before any feedback is shown to a boss. Any other context has not (`false`).
    pub async fn boss_guide_acknowledged(&self, ctx: &Ctx) -> Result<bool> {
        let Ok(me) = ctx.as_boss() else { return Ok(false) };
        let actor = me.actor();
        let required = boss_guide::required_version(&self.published_versions(ctx.tenant).await?);
        let acknowledged = self.latest_acknowledgment(ctx.tenant, actor.user()).await?.map(|(v, _)| v);
        Ok(boss_guide::is_acknowledged(required, acknowledged))
    }

    /// The gate before feedback (R8): a boss reads feedback only once they have acknowledged the
    /// guide as it now requires; until then every read of `boss_feedback` answers
    /// `GuideNotAcknowledged` (the pages lead to the guide, the API answers 409). Other purposes
    /// and other roles pass.
    pub(crate) async fn boss_guide_gate(&self, ctx: &Ctx, purpose: Purpose) -> Result<()> {
        if purpose == Purpose::BossFeedback && ctx.role() == Some(Role::Boss) && !self.boss_guide_acknowledged(ctx).await? {
            return Err(StoreError::GuideNotAcknowledged);
        }
        Ok(())
    }

    /// The acting boss acknowledges the version they read, which must be the latest
    /// (`Conflict` when HR published another meanwhile). Acknowledging it again changes nothing;
    /// answers whether this was the first time.
    pub async fn acknowledge_boss_guide(&self, me: &Acting<Boss>, version: i64) -> Result<bool> {
        let (ctx, actor) = (me.ctx(), me.actor());
        if !policy::decide(&actor, Operation::AcknowledgeBossGuide, Target::OwnedBy(actor.user())).is_allow() {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.db.write.begin().await?;
        let latest: i64 = sqlx::query("SELECT COALESCE(MAX(version), $2) AS v FROM boss_guide_versions WHERE tenant_id = $1")
            .bind(ctx.tenant.get())
            .bind(PRODUCT_VERSION)
            .fetch_one(&mut *tx)
            .await?
            .try_get("v")?;
        if version != latest {
            return Err(conflict_changed());
        }
        let done = sqlx::query(
            "INSERT INTO boss_guide_acknowledgments (tenant_id, user_id, version, acknowledged_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, user_id, version) DO NOTHING",
        )
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(version)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let first = done.rows_affected() == 1;
        if first {
            let ev = ctx.event(AuditAction::BossGuideAcknowledged, AuditTarget::BossGuide, version).detail(Fact::N(Key::Version, version));
            Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        }
        tx.commit().await?;
        Ok(first)
    }

    /// Seeds an acknowledgment for the demo: an operator's command records that `user` (a
    /// boss) acknowledged the latest version, audited like the boss's own.
    pub async fn seed_boss_guide_acknowledgment(&self, ctx: &Ctx, user: UserId) -> Result<()> {
        if !ctx.is_operator() {
            return Err(StoreError::NotFound);
        }
        let version = self.current_guide(ctx.tenant).await?.version;
        let mut tx = self.db.write.begin().await?;
        sqlx::query(
            "INSERT INTO boss_guide_acknowledgments (tenant_id, user_id, version, acknowledged_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, user_id, version) DO NOTHING",
        )
        .bind(ctx.tenant.get())
        .bind(user.get())
        .bind(version)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let ev = ctx
            .event(AuditAction::BossGuideAcknowledged, AuditTarget::BossGuide, version)
            .detail(AuditDetail::none().n(Key::Version, version).n(Key::User, user.get()));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The guide as HR edits it (no acknowledgment of their own).
    pub async fn boss_guide_for_hr(&self, me: &Acting<Hr>) -> Result<BossGuide> {
        me.ctx().check(Operation::EditBossGuide)?;
        self.current_guide(me.ctx().tenant).await
    }

    /// HR publishes a new version of both languages, made from version `based_on` (which must
    /// still be the latest: `Conflict` otherwise). `asks_acknowledgment`: every boss must read and
    /// acknowledge it again (a minor correction need not). Answers the new version.
    pub async fn publish_boss_guide(&self, me: &Acting<Hr>, draft: &GuideDraft, asks_acknowledgment: bool, based_on: i64) -> Result<i64> {
        let (ctx, actor) = (me.ctx(), me.actor());
        ctx.check(Operation::EditBossGuide)?;
        let checked =
            boss_guide::check_guide(&draft.ja.title, &draft.ja.body, &draft.en.title, &draft.en.body).map_err(StoreError::problems)?;
        let mut tx = self.db.write.begin().await?;
        let latest: i64 = sqlx::query("SELECT COALESCE(MAX(version), $2) AS v FROM boss_guide_versions WHERE tenant_id = $1")
            .bind(ctx.tenant.get())
            .bind(PRODUCT_VERSION)
            .fetch_one(&mut *tx)
            .await?
            .try_get("v")?;
        if based_on != latest {
            return Err(conflict_published());
        }
        let version = boss_guide::next_version(latest);
        let inserted = sqlx::query(
            "INSERT INTO boss_guide_versions (tenant_id, version, title_ja, body_ja, title_en, body_en, asks_acknowledgment, published_by, published_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(ctx.tenant.get())
        .bind(version)
        .bind(&checked.ja.title)
        .bind(&checked.ja.body)
        .bind(&checked.en.title)
        .bind(&checked.en.body)
        .bind(i64::from(asks_acknowledgment))
        .bind(actor.user().get())
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from);
        match inserted {
            // Two publications from the same version: the second loses.
            Err(e) if e.is_unique_violation() => return Err(conflict_published()),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        // Every boss is told when a version asks them to read the guide again (the notice holds
        // a link only).
        if asks_acknowledgment {
            let bosses = sqlx::query(
                "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = $2
                 WHERE u.tenant_id = $1 AND u.disabled_at IS NULL ORDER BY u.id",
            )
            .bind(ctx.tenant.get())
            .bind(Role::Boss.as_str())
            .fetch_all(&mut *tx)
            .await?;
            for b in &bosses {
                let user = UserId::new(b.try_get("id")?);
                crate::notifications::notify_in_tx(&mut tx, ctx.tenant, user, NotificationKind::BossGuideUpdated, GUIDE_LINK).await?;
            }
        }
        let ev = ctx.event(AuditAction::BossGuidePublished, AuditTarget::BossGuide, version).detail(Fact::N(Key::Version, version));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Every version, newest first (the product's text last), with how many bosses' latest
    /// acknowledgment is of it.
    pub async fn boss_guide_versions(&self, me: &Acting<Hr>) -> Result<Vec<GuideVersionRow>> {
        let ctx = me.ctx();
        ctx.check(Operation::EditBossGuide)?;
        let counts = sqlx::query(
            "SELECT a.version, COUNT(*) AS n FROM (
                SELECT k.user_id, MAX(k.version) AS version FROM boss_guide_acknowledgments k
                JOIN users u ON u.id = k.user_id AND u.disabled_at IS NULL
                WHERE k.tenant_id = $1 GROUP BY k.user_id
             ) a GROUP BY a.version",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let count_of = |v: i64| -> Result<i64> {
            for r in &counts {
                if r.try_get::<i64, _>("version")? == v {
                    return Ok(r.try_get("n")?);
                }
            }
            Ok(0)
        };
        let rows = sqlx::query(
            "SELECT g.version, g.published_at, g.asks_acknowledgment, u.display_name
             FROM boss_guide_versions g LEFT JOIN users u ON u.id = g.published_by
             WHERE g.tenant_id = $1 ORDER BY g.version DESC",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len() + 1);
        for r in &rows {
            let version: i64 = r.try_get("version")?;
            out.push(GuideVersionRow {
                version,
                published_at: Some(r.try_get("published_at")?),
                published_by: r.try_get("display_name")?,
                asks_acknowledgment: r.try_get::<i64, _>("asks_acknowledgment")? != 0,
                acknowledged_by: count_of(version)?,
            });
        }
        out.push(GuideVersionRow {
            version: PRODUCT_VERSION,
            published_at: None,
            published_by: None,
            asks_acknowledgment: true,
            acknowledged_by: count_of(PRODUCT_VERSION)?,
        });
        Ok(out)
    }

    /// One page of the tenant's bosses (enabled accounts holding the boss role) with their
    /// latest acknowledgment, filtered by whether it covers the required version, searched by
    /// name or login; HR's reading is audited.
    pub async fn boss_guide_acknowledgments(
        &self,
        me: &Acting<Hr>,
        filter: AcknowledgmentFilter,
        search: Option<&str>,
        sort: AcknowledgmentSort,
        dir: Direction,
        page: PageRequest,
    ) -> Result<Paged<AcknowledgmentRow>> {
        let ctx = me.ctx();
        ctx.check(Operation::EditBossGuide)?;
        let required = boss_guide::required_version(&self.published_versions(ctx.tenant).await?);
        let like = search.and_then(like_pattern);
        let state = match filter {
            AcknowledgmentFilter::All => "",
            AcknowledgmentFilter::Acknowledged => "AND a.version >= $3",
            AcknowledgmentFilter::Pending => "AND (a.version IS NULL OR a.version < $3)",
        };
        let from = "FROM users u
             JOIN user_roles r ON r.user_id = u.id AND r.role = $2
             LEFT JOIN (SELECT user_id, MAX(version) AS version, MAX(acknowledged_at) AS at
                        FROM boss_guide_acknowledgments WHERE tenant_id = $1 GROUP BY user_id) a ON a.user_id = u.id
             LEFT JOIN employees e ON e.id = u.employee_id
             LEFT JOIN departments d ON d.id = e.department_id";
        let cond = format!(
            "u.tenant_id = $1 AND u.disabled_at IS NULL AND $3 >= 1 {state}
             AND ($4 IS NULL OR LOWER(u.display_name) LIKE $4 ESCAPE '!' OR LOWER(u.login) LIKE $4 ESCAPE '!')"
        );
        let d = dir.sql();
        let order = match sort {
            AcknowledgmentSort::State => {
                format!("CASE WHEN a.version >= $3 THEN 1 ELSE 0 END {d}, u.display_name, u.id")
            }
            AcknowledgmentSort::Name => format!("u.display_name {d}, u.id {d}"),
            AcknowledgmentSort::Acknowledged => format!("COALESCE(a.at, 0) {d}, u.id {d}"),
        };
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n {from} WHERE {cond}"))
            .bind(ctx.tenant.get())
            .bind(Role::Boss.as_str())
            .bind(required)
            .bind(like.as_deref())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!(
            "SELECT u.id, u.display_name, u.login, d.path AS department, a.version, a.at {from} WHERE {cond}
             ORDER BY {order} LIMIT $5 OFFSET $6"
        ))
        .bind(ctx.tenant.get())
        .bind(Role::Boss.as_str())
        .bind(required)
        .bind(like.as_deref())
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.db.read)
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                let version: Option<i64> = r.try_get("version")?;
                let at: Option<i64> = r.try_get("at")?;
                Ok(AcknowledgmentRow {
                    user: UserId::new(r.try_get("id")?),
                    name: r.try_get("display_name")?,
                    login: r.try_get("login")?,
                    department: r.try_get("department")?,
                    acknowledged: version.zip(at),
                    current: boss_guide::is_acknowledged(required, version),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let ev = ctx
            .event(AuditAction::BossGuideAcknowledgmentsRead, AuditTarget::BossGuideAcknowledgments, filter.as_str())
            .detail(AuditDetail::none().n(Key::Offset, page.offset()).n(Key::Count, items.len()));
        self.audit(ctx, ev).await?;
        Ok(Paged { total, items })
    }
}
