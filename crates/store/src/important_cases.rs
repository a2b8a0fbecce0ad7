//! Important cases (重要事案, R5). An important case IS a disclosure of purpose `important_case` to
//! the role hr (`store::disclosures`): the consultant writes its summary from an approved report,
//! the employee decides, and HR reads the summary only while `consent::release` releases it at
//! the time of the read — never to a holder of personnel authority. HR's record of what is done
//! about it lives here, keyed by the disclosure: status, owner, the sealed solution (解決策) and
//! whether it goes into the management report. A case HR has not answered yet has no row and
//! reads as 未着手.

use crate::{now_ms, Acting, Consultant, Ctx, Hr, NewDisclosure, Released, Result, Store};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::consent::{DisclosureFacts, Purpose};
use domain::ids::{DisclosureId, ReportId, SealedId, UserId};
use domain::important_case::{check_case_summary, CaseResponse, CaseStatus};
use domain::policy::{self, Operation, Permit, Target};
use sqlx::Row;
use std::collections::HashMap;

const SOLUTION: &str = "case_solution";

/// HR's record of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    pub status: CaseStatus,
    pub owner: String,
    pub in_management_report: bool,
    /// When HR last changed the record (`None`: never).
    pub updated_at: Option<i64>,
}

impl Default for CaseRecord {
    fn default() -> Self {
        CaseRecord { status: CaseStatus::Open, owner: String::new(), in_management_report: false, updated_at: None }
    }
}

/// A case as HR's list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportantCaseRow {
    pub released: Released,
    pub record: CaseRecord,
}

/// One case with its summary and HR's record, the solution opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportantCaseDetail {
    pub released: Released,
    pub record: CaseRecord,
    pub solution: String,
}

struct Stored {
    record: CaseRecord,
    solution: Option<SealedId>,
}

impl Store {
    /// The consultant writes an important case: the summary for HR, from an approved report
    /// they authored, as a disclosure of purpose `important_case` (the employee is asked).
    pub async fn raise_important_case(&self, me: &Acting<Consultant>, report: ReportId, summary: &str) -> Result<DisclosureId> {
        // Another's report answers as missing before anything typed is looked at.
        let ctx = me.ctx();
        let author = sqlx::query("SELECT author_id FROM reports WHERE tenant_id = $1 AND id = $2")
            .bind(ctx.tenant.get())
            .bind(report.get())
            .fetch_optional(&self.db.read)
            .await?
            .map(|r| r.try_get::<i64, _>("author_id"))
            .transpose()?;
        match author {
            Some(a) if a == me.actor().user().get() => {}
            Some(_) => return Err(self.refused(ctx, Operation::WriteDisclosures, AuditTarget::Report, report).await),
            None => return Err(crate::StoreError::NotFound),
        }
        let text = check_case_summary(summary).map_err(crate::StoreError::problems)?;
        self.create_disclosure(me, &NewDisclosure { report, purpose: Purpose::ImportantCase, recipient_user: None, text: &text }).await
    }

    async fn case_records(&self, ctx: &Ctx, ids: &[DisclosureId]) -> Result<HashMap<DisclosureId, Stored>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(400) {
            if chunk.is_empty() {
                continue;
            }
            let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT disclosure_id, status, owner, solution_sealed_id, in_management_report, updated_at FROM important_cases
                 WHERE tenant_id = $1 AND disclosure_id IN ({})",
                placeholders.join(",")
            );
            let mut q = sqlx::query(&sql).bind(ctx.tenant.get());
            for id in chunk {
                q = q.bind(id.get());
            }
            for r in q.fetch_all(&self.db.read).await? {
                let status: String = r.try_get("status")?;
                out.insert(
                    DisclosureId::new(r.try_get("disclosure_id")?),
                    Stored {
                        record: CaseRecord {
                            status: CaseStatus::parse(&status)
                                .ok_or_else(|| crate::StoreError::Config(format!("unknown case status {status}")))?,
                            owner: r.try_get("owner")?,
                            in_management_report: r.try_get::<i64, _>("in_management_report")? != 0,
                            updated_at: Some(r.try_get("updated_at")?),
                        },
                        solution: r.try_get::<Option<i64>, _>("solution_sealed_id")?.map(SealedId::new),
                    },
                );
            }
        }
        Ok(out)
    }

    /// The important cases released to the acting HR user now, newest first, each with HR's
    /// record. Empty for anyone else, and for a holder of personnel authority.
    pub async fn important_cases(&self, ctx: &Ctx) -> Result<Vec<ImportantCaseRow>> {
        let released = self.released_to_me(ctx, Purpose::ImportantCase, false).await?;
        let mut records = self.case_records(ctx, &released.iter().map(|r| r.row.id).collect::<Vec<_>>()).await?;
        Ok(released
            .into_iter()
            .map(|r| {
                let record = records.remove(&r.row.id).map(|s| s.record).unwrap_or_default();
                ImportantCaseRow { released: r, record }
            })
            .collect())
    }

    /// The permit of a case just released to the reader (the policy asked again, with the state
    /// the release saw).
    fn case_permit(ctx: &Ctx, released: &Released) -> Result<Permit> {
        let actor = ctx.actor()?;
        let row = &released.row;
        let facts = DisclosureFacts {
            tenant: ctx.tenant,
            author: row.author,
            employee_user: None,
            purpose: row.purpose,
            recipient: row.recipient,
            version: row.version,
        };
        policy::permit(&actor, Operation::ManageImportantCases, Target::Disclosure(facts, row.state)).ok_or(crate::StoreError::NotFound)
    }

    /// One case: its summary (as released now, audited), HR's record and the solution, opened
    /// through the gate (audited). Anything not released to the reader answers "not found".
    pub async fn important_case(&self, ctx: &Ctx, id: DisclosureId) -> Result<ImportantCaseDetail> {
        let released = self.read_released(ctx, id, Purpose::ImportantCase).await?;
        let permit = Self::case_permit(ctx, &released)?;
        let mut stored = self.case_records(ctx, &[id]).await?;
        let (record, solution_id) = match stored.remove(&id) {
            Some(s) => (s.record, s.solution),
            None => (CaseRecord::default(), None),
        };
        let ev = ctx.event(AuditAction::ImportantCaseRead, AuditTarget::ImportantCase, id);
        let solution = match solution_id {
            Some(sid) => self.open_permitted(ctx, &permit, &[ev], &[sid]).await?.remove(&sid).unwrap_or_default(),
            None => {
                self.audit(ctx, ev).await?;
                String::new()
            }
        };
        Ok(ImportantCaseDetail { released, record, solution })
    }

    /// HR records the response to a case released to them now: status, owner, solution (sealed)
    /// and the management-report mark, audited with the change of status.
    pub async fn record_case_response(&self, me: &Acting<Hr>, id: DisclosureId, input: &CaseResponse) -> Result<()> {
        let ctx = me.ctx();
        let released = self.read_released(ctx, id, Purpose::ImportantCase).await?;
        Self::case_permit(ctx, &released)?;
        let user: UserId = me.actor().user();
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let existing = sqlx::query("SELECT status, solution_sealed_id FROM important_cases WHERE tenant_id = $1 AND disclosure_id = $2")
            .bind(ctx.tenant.get())
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await?;
        let was = match &existing {
            Some(r) => CaseStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(CaseStatus::Open),
            None => CaseStatus::Open,
        };
        let old_solution = match &existing {
            Some(r) => r.try_get::<Option<i64>, _>("solution_sealed_id")?.map(SealedId::new),
            None => None,
        };
        let solution = match (old_solution, input.solution.is_empty()) {
            (Some(sid), _) => {
                self.reseal_in_tx(&mut tx, ctx.tenant, sid, &input.solution).await?;
                Some(sid)
            }
            (None, true) => None,
            (None, false) => Some(self.seal_in_tx(&mut tx, ctx.tenant, SOLUTION, &input.solution).await?),
        };
        if existing.is_some() {
            sqlx::query(
                "UPDATE important_cases SET status = $1, owner = $2, solution_sealed_id = $3, in_management_report = $4, updated_at = $5, updated_by = $6
                 WHERE tenant_id = $7 AND disclosure_id = $8",
            )
            .bind(input.status.as_str())
            .bind(&input.owner)
            .bind(solution.map(|s| s.get()))
            .bind(i64::from(input.in_management_report))
            .bind(now)
            .bind(user.get())
            .bind(ctx.tenant.get())
            .bind(id.get())
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO important_cases (tenant_id, disclosure_id, status, owner, solution_sealed_id, in_management_report, created_at, updated_at, updated_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
            )
            .bind(ctx.tenant.get())
            .bind(id.get())
            .bind(input.status.as_str())
            .bind(&input.owner)
            .bind(solution.map(|s| s.get()))
            .bind(i64::from(input.in_management_report))
            .bind(now)
            .bind(user.get())
            .execute(&mut *tx)
            .await?;
        }
        let detail = AuditDetail::of(Fact::Transition { from: was.as_str(), to: input.status.as_str() })
            .and(Fact::Flag(Key::Updated, input.in_management_report));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::ImportantCaseUpdated, AuditTarget::ImportantCase, id).detail(detail)])
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
