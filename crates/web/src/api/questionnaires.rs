//! Questionnaires as JSON (`/api/v1/questionnaires`): the tenant's instruments (definitions
//! only, never anyone's answers), for HR and consultants and the systems they feed.

use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::AppResult;
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use domain::policy::Operation;
use domain::questionnaire::Questionnaire;
use domain::Locale;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/questionnaires", Operation::ListQuestionnaires, list_questionnaires)
}

/// The paths and schemas of this module, merged into `/api/v1/openapi.json` by `openapi.rs`.
#[derive(OpenApi)]
#[openapi(
    paths(list_questionnaires),
    components(schemas(QuestionnaireList, QuestionnaireItem, QuestionnaireQuestion)),
    tags((name = "questionnaires", description = "Questionnaires (アンケート) for measuring change: items, scale, reverse-scored items"))
)]
pub struct QuestionnairesApi;

/// The tenant's questionnaires, by code.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionnaireList {
    pub items: Vec<QuestionnaireItem>,
}

/// One questionnaire. A person's score is the mean of their item answers after reverse
/// scoring (`scale_min + scale_max - answer` for a reverse item).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionnaireItem {
    #[schema(example = "career-awareness")]
    pub code: String,
    /// The title in Japanese.
    #[schema(example = "キャリア意識アンケート")]
    pub title: String,
    /// The title in English (the Japanese one when none is given).
    #[schema(example = "Career awareness questionnaire")]
    pub title_en: String,
    #[schema(example = 1)]
    pub scale_min: i64,
    #[schema(example = 5)]
    pub scale_max: i64,
    pub items: Vec<QuestionnaireQuestion>,
}

/// One item (設問).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionnaireQuestion {
    /// The item's code: a column of the import file.
    #[schema(example = "q01")]
    pub code: String,
    /// The statement in Japanese.
    #[schema(example = "数年先の自分の働き方について、考えをめぐらせることがある。")]
    pub text: String,
    /// The statement in English (the Japanese one when none is given).
    pub text_en: String,
    /// Scored `scale_min + scale_max - answer`.
    pub reverse: bool,
    /// The subscale's code, if the questionnaire has subscales.
    #[schema(example = "awareness")]
    pub subscale: Option<String>,
}

impl From<&Questionnaire> for QuestionnaireItem {
    fn from(q: &Questionnaire) -> Self {
        QuestionnaireItem {
            code: q.code().to_string(),
            title: q.title().in_locale(Locale::Ja).to_string(),
            title_en: q.title().in_locale(Locale::En).to_string(),
            scale_min: q.scale().min,
            scale_max: q.scale().max,
            items: q
                .items()
                .iter()
                .map(|i| QuestionnaireQuestion {
                    code: i.code.clone(),
                    text: i.text.in_locale(Locale::Ja).to_string(),
                    text_en: i.text.in_locale(Locale::En).to_string(),
                    reverse: i.reverse,
                    subscale: i.subscale.clone(),
                })
                .collect(),
        }
    }
}

/// The tenant's questionnaires with their items; every tenant has `career-awareness`.
#[utoipa::path(
    get,
    path = "/api/v1/questionnaires",
    operation_id = "listQuestionnaires",
    tag = "questionnaires",
    responses(
        (status = 200, description = "The tenant's questionnaires, by code", body = QuestionnaireList),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "No acting role chosen, or the role may not list questionnaires (HR and consultants may)", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list_questionnaires(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<QuestionnaireList>> {
    let rows = state.store.questionnaires(&p.ctx()).await?;
    Ok(Json(QuestionnaireList { items: rows.iter().map(|r| QuestionnaireItem::from(&r.questionnaire)).collect() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_documents_its_path_and_schemas() {
        let doc = QuestionnairesApi::openapi();
        assert!(doc.paths.paths.get("/api/v1/questionnaires").is_some_and(|p| p.get.is_some()));
        let json = doc.to_json().unwrap_or_default();
        for schema in ["QuestionnaireList", "QuestionnaireItem", "QuestionnaireQuestion"] {
            assert!(json.contains(&format!("\"{schema}\"")), "{schema}");
        }
    }

    #[test]
    fn the_default_questionnaire_as_json() {
        let q = domain::questionnaire::career_awareness::questionnaire().unwrap();
        let item = QuestionnaireItem::from(&q);
        assert_eq!((item.code.as_str(), item.scale_min, item.scale_max, item.items.len()), ("career-awareness", 1, 5, 16));
        assert!(item.items.iter().filter(|i| i.reverse).count() == 4);
    }
}
