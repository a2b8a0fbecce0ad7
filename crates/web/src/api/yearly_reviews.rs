//! The yearly reviews and the comparison of cycles as JSON (R11, R12): `GET /api/v1/reviews`
//! (the reviews the caller may read), `GET /api/v1/reviews/{cycle_id}` (one review: figures,
//! proposals, plan) and `GET /api/v1/cycle-comparison` (the newest cycles side by side, from
//! released overall reports only). Nothing here is about a person.

use super::management_reports::FigureBody;
use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::{AppResult, Path};
use crate::path_id::path_id;
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use domain::ids::CycleId;
use domain::management_report::{rfc3339, Figure};
use domain::policy::Operation;
use domain::yearly_review::{ActionTally, AwarenessChange, Participation, ReviewFigures};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/reviews", Operation::ReadYearlyReviews, list_reviews)
        .get("/api/v1/reviews/{id}", Operation::ReadYearlyReviews, get_review)
        .get("/api/v1/cycle-comparison", Operation::CompareCycles, compare_cycles)
}

#[derive(OpenApi)]
#[openapi(
    paths(list_reviews, get_review, compare_cycles),
    components(schemas(ReviewList, ReviewSummary, YearlyReviewBody, ParticipationBody, ReleaseBody, TrendBody, AwarenessBody, ActionsBody, ProposalBody, ComparisonBody, ColumnBody, RowBody)),
    tags((name = "yearly-reviews", description = "The yearly review (年次レビュー) of a closed cycle and the comparison of cycles"))
)]
pub struct YearlyReviewsApi;

/// The reviews the caller may read, newest cycle first (executives: final ones only).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<ReviewSummary>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewSummary {
    pub cycle_id: i64,
    pub cycle: String,
    /// `draft` or `final`.
    pub state: String,
    /// RFC 3339, UTC.
    pub updated_at: Option<String>,
    pub finalized_at: Option<String>,
}

/// How far the program reached in the cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipationBody {
    pub targets: u64,
    pub interviewed: u64,
    pub interviews_held: u64,
    pub reports_approved: u64,
    /// `interviewed / targets`; absent without targets.
    pub rate: Option<f64>,
}

impl From<&Participation> for ParticipationBody {
    fn from(p: &Participation) -> Self {
        ParticipationBody {
            targets: p.targets,
            interviewed: p.interviewed,
            interviews_held: p.interviews_held,
            reports_approved: p.reports_approved,
            rate: p.rate(),
        }
    }
}

/// The released overall report the figures come from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseBody {
    /// The overall report version's id.
    pub id: i64,
    pub version: i64,
    /// Its population; absent when fewer than k.
    pub population: Option<u64>,
}

/// The change in career awareness over the cycle: the whole population's cell of the effect
/// report of the `career-awareness` questionnaire (complete pre/post pairs). A cell below k is
/// `suppressed` and carries nothing else.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwarenessBody {
    pub suppressed: bool,
    /// Complete pairs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_pre: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_post: Option<f64>,
    /// `mean_post - mean_pre`, in score points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_change: Option<f64>,
    /// The t-interval of the mean change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci95_low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci95_high: Option<f64>,
    /// Cohen's d_z.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect_size: Option<f64>,
}

impl From<&AwarenessChange> for AwarenessBody {
    fn from(a: &AwarenessChange) -> Self {
        AwarenessBody {
            suppressed: a.suppressed,
            n: a.n,
            mean_pre: a.mean_pre,
            mean_post: a.mean_post,
            mean_change: a.mean_change,
            ci95_low: a.ci95_low,
            ci95_high: a.ci95_high,
            effect_size: a.effect_size,
        }
    }
}

/// The improvement actions (改善施策) due within the cycle, by status. Organizational, never
/// about a person, so not k-protected.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionsBody {
    pub planned: u64,
    pub in_progress: u64,
    pub done: u64,
    pub cancelled: u64,
    /// Still open past the due date, on the day the figures were computed.
    pub overdue: u64,
    /// Done and evaluated after the fact.
    pub evaluated: u64,
    /// `done / (planned + in_progress + done)`; absent without any.
    pub completion: Option<f64>,
}

impl From<&ActionTally> for ActionsBody {
    fn from(a: &ActionTally) -> Self {
        ActionsBody {
            planned: a.planned,
            in_progress: a.in_progress,
            done: a.done,
            cancelled: a.cancelled,
            overdue: a.overdue,
            evaluated: a.evaluated,
            completion: a.completion(),
        }
    }
}

/// A flag or issue tag this cycle and the previous one (shares 0..1; absent when hidden).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendBody {
    /// `flag:life_safety`, `flag:organizational_response` or `tag:<code>`.
    pub measure: String,
    pub this: Option<f64>,
    pub previous: Option<f64>,
    /// `this - previous`, when both are shown.
    pub change: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalBody {
    pub author: String,
    /// The role the author wrote it in.
    pub role: String,
    /// RFC 3339, UTC.
    pub created_at: Option<String>,
    pub body: String,
}

/// One cycle's yearly review.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearlyReviewBody {
    pub cycle_id: i64,
    pub cycle: String,
    /// `draft` or `final`.
    pub state: String,
    /// When the figures were computed (RFC 3339, UTC); frozen at finalizing.
    pub computed_at: String,
    pub finalized_at: Option<String>,
    pub participation: ParticipationBody,
    pub release: Option<ReleaseBody>,
    /// The previous cycle compared with, if it has a released overall report.
    pub previous_cycle: Option<String>,
    pub trends: Vec<TrendBody>,
    /// The career-awareness change (absent when the questionnaire is not there).
    pub awareness: Option<AwarenessBody>,
    /// The improvement actions due within the cycle (absent for a review frozen before they
    /// were counted).
    pub actions: Option<ActionsBody>,
    pub proposals: Vec<ProposalBody>,
    /// HR's improvement plan (改善計画).
    pub plan: String,
}

fn figures_body(f: &ReviewFigures) -> (ParticipationBody, Option<ReleaseBody>, Vec<TrendBody>) {
    (
        (&f.participation).into(),
        f.release.as_ref().map(|r| ReleaseBody { id: r.id, version: r.version, population: r.population }),
        f.measures
            .iter()
            .map(|m| TrendBody { measure: m.measure.clone(), this: m.this, previous: m.previous, change: m.change() })
            .collect(),
    )
}

/// The yearly reviews the caller may read. Roles: hr, consultant, supervisor, executive (final ones).
#[utoipa::path(get, path = "/api/v1/reviews", operation_id = "listYearlyReviews", tag = "yearly-reviews",
    responses((status = 200, body = ReviewList), (status = 403, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn list_reviews(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<ReviewList>> {
    let rows = state.store.yearly_reviews(&p.ctx()).await?;
    let items = rows
        .into_iter()
        .map(|r| ReviewSummary {
            cycle_id: r.cycle.id,
            cycle: r.cycle.name,
            state: r.state.as_str().to_string(),
            updated_at: rfc3339(r.updated_at),
            finalized_at: r.finalized_at.and_then(rfc3339),
        })
        .collect();
    Ok(Json(ReviewList { items }))
}

/// One cycle's yearly review, audited. A review the caller may not read (a draft, for an
/// executive) answers as one that does not exist. Roles: hr, consultant, supervisor, executive.
#[utoipa::path(get, path = "/api/v1/reviews/{id}", operation_id = "getYearlyReview", tag = "yearly-reviews",
    params(("id" = i64, Path, description = "The cycle's id")),
    responses((status = 200, body = YearlyReviewBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn get_review(State(state): State<AppState>, Authed(p): Authed, Path(id): Path<String>) -> AppResult<Json<YearlyReviewBody>> {
    let cycle: CycleId = path_id(&id)?;
    let r = state.store.yearly_review(&p.ctx(), cycle).await?;
    let (participation, release, trends) = figures_body(&r.figures);
    Ok(Json(YearlyReviewBody {
        cycle_id: r.row.cycle.id,
        cycle: r.row.cycle.name,
        state: r.row.state.as_str().to_string(),
        computed_at: r.figures.computed_at.clone(),
        finalized_at: r.row.finalized_at.and_then(rfc3339),
        participation,
        release,
        previous_cycle: r.figures.previous.map(|c| c.name),
        trends,
        awareness: r.figures.awareness.as_ref().map(AwarenessBody::from),
        actions: r.figures.actions.as_ref().map(ActionsBody::from),
        proposals: r
            .proposals
            .into_iter()
            .map(|x| ProposalBody { author: x.author, role: x.role.as_str().to_string(), created_at: rfc3339(x.created_at), body: x.body })
            .collect(),
        plan: r.plan,
    }))
}

/// One cycle of the comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnBody {
    pub cycle_id: i64,
    pub cycle: String,
    pub participation: ParticipationBody,
    /// The cycle's latest released overall report; absent when none is released.
    pub release: Option<ReleaseBody>,
    /// The awareness change as the cycle's final review froze it (absent without a final
    /// review, and when comparing one department).
    pub awareness: Option<AwarenessBody>,
    /// The improvement actions as the cycle's final review froze them (same rule).
    pub actions: Option<ActionsBody>,
}

/// One measure across the cycles: per column, the figure as released (absent when the release
/// has no such cell or the cycle none); a suppressed one carries neither `n` nor `value`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowBody {
    pub measure: String,
    pub cells: Vec<Option<FigureBody>>,
}

/// The newest cycles side by side, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonBody {
    /// The department compared, or absent for the whole population.
    pub department: Option<String>,
    pub columns: Vec<ColumnBody>,
    pub rows: Vec<RowBody>,
    /// Departments the comparison can be narrowed to (the newest release's top two levels).
    pub departments: Vec<String>,
}

fn figure_body(f: Figure) -> FigureBody {
    FigureBody { measure: f.measure, suppressed: f.suppressed, n: f.n, value: f.value }
}

/// The newest cycles (at most five) side by side: program counts and the released figures of
/// the whole population or of one department (`department`, a label of the releases).
/// Roles: hr, executive.
#[utoipa::path(get, path = "/api/v1/cycle-comparison", operation_id = "compareCycles", tag = "yearly-reviews",
    params(("department" = Option<String>, Query, description = "A department's label in the overall reports (default: the whole population)")),
    responses((status = 200, body = ComparisonBody), (status = 403, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn compare_cycles(State(state): State<AppState>, Authed(p): Authed, RawQuery(raw): RawQuery) -> AppResult<Json<ComparisonBody>> {
    let department = url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, v)| k == "department" && !v.trim().is_empty())
        .map(|(_, v)| v.into_owned());
    let c = state.store.cycle_comparison(&p.ctx(), department.as_deref()).await?;
    let columns = c
        .comparison
        .columns
        .iter()
        .map(|col| ColumnBody {
            cycle_id: col.cycle.id,
            cycle: col.cycle.name.clone(),
            participation: (&col.participation).into(),
            release: col.release.as_ref().map(|r| ReleaseBody { id: r.id, version: r.version, population: r.population }),
            awareness: col.awareness.as_ref().map(AwarenessBody::from),
            actions: col.actions.as_ref().map(ActionsBody::from),
        })
        .collect();
    let rows = c
        .comparison
        .rows
        .into_iter()
        .map(|r| RowBody { measure: r.measure, cells: r.cells.into_iter().map(|f| f.map(figure_body)).collect() })
        .collect();
    Ok(Json(ComparisonBody { department: c.comparison.department, columns, rows, departments: c.departments }))
}
