//! `/api/feedback` (docs/API.md §8): feedback about a person. Non-private feedback is visible to
//! every member; private feedback only to its author and admins.

use crate::{
    access,
    api::schema::{PaginationView, page_from},
    error::{ApiError, ErrorBody, FieldErrors},
    extract::{AppJson, AppPath, AppQuery, CurrentUser},
    patch::{Patch, required},
    services::feedback::{self, FeedbackDraft},
    state::AppState,
    validate,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::{
    FeedbackKind, Invalid, PersonId,
    authz::{self, Action},
};
use manageros_store::repo::feedback::{self as repo, Feedback, FeedbackFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A piece of feedback.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackView {
    pub id: String,
    /// The person the feedback is about.
    pub about_id: String,
    pub author_user_id: String,
    /// The author's person, if they were linked to one when writing.
    pub from_person_id: Option<String>,
    /// `praise`, `concern` or `note`.
    pub kind: &'static str,
    pub is_private: bool,
    pub body: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&Feedback> for FeedbackView {
    fn from(f: &Feedback) -> Self {
        Self {
            id: f.id.to_string(),
            about_id: f.about_id.to_string(),
            author_user_id: f.author.to_string(),
            from_person_id: f.from_person_id.as_ref().map(ToString::to_string),
            kind: f.kind.as_str(),
            is_private: f.is_private,
            body: f.body.clone(),
            created_at: f.created_at.to_rfc3339(),
            updated_at: f.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackResponse {
    pub feedback: FeedbackView,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackListResponse {
    pub feedback: Vec<FeedbackView>,
    pub pagination: PaginationView,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FeedbackQuery {
    /// Only feedback about this person (getFeedbackForPerson).
    pub about_id: Option<String>,
    pub kind: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

/// The feedback the caller may see, newest first (feedback.view).
#[utoipa::path(get, path = "/api/feedback", tag = "feedback",
    security(("bearer" = []), ("cookie" = [])),
    params(FeedbackQuery),
    responses((status = 200, body = FeedbackListResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_feedback(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<FeedbackQuery>,
) -> Result<AppJson<FeedbackListResponse>, ApiError> {
    let actor = caller.actor();
    let org = access::org_for(&actor, Action::FeedbackView)?;
    authz::authorize_general(&actor, Action::FeedbackView, None)?;
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    let kind = errors
        .take(
            "kind",
            q.kind.as_deref().map(FeedbackKind::parse).transpose(),
        )
        .flatten();
    errors.finish()?;
    let about = q.about_id.as_deref().map(PersonId::parse);
    let (list, total) = match about {
        Some(None) => (vec![], 0),
        about => {
            let filter = FeedbackFilter {
                about_id: about.flatten(),
                kind,
            };
            repo::list(
                &state.db,
                &org,
                &authz::feedback_scope(&actor),
                &filter,
                page,
            )
            .await?
        }
    };
    Ok(AppJson(FeedbackListResponse {
        feedback: list.iter().map(FeedbackView::from).collect(),
        pagination: page.info(total).into(),
    }))
}

/// A piece of feedback (feedback.view).
#[utoipa::path(get, path = "/api/feedback/{id}", tag = "feedback",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FeedbackResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_feedback(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<FeedbackResponse>, ApiError> {
    let (_, f) =
        feedback::authorized(&state.db, &caller.actor(), &id, Action::FeedbackView).await?;
    Ok(AppJson(FeedbackResponse {
        feedback: FeedbackView::from(&f),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateFeedbackRequest {
    pub about_id: Option<String>,
    /// Default `note`.
    pub kind: Option<String>,
    #[serde(default)]
    pub is_private: bool,
    pub body: Option<String>,
}

fn body_text(raw: &str) -> Result<String, Invalid> {
    manageros_core::bounded_text(raw, "Body", 1, 10_000)
}

/// Write feedback about a person (feedback.create: admins, and members linked to a person).
#[utoipa::path(post, path = "/api/feedback", tag = "feedback",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateFeedbackRequest,
    responses((status = 201, body = FeedbackResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_feedback(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreateFeedbackRequest>,
) -> Result<(StatusCode, AppJson<FeedbackResponse>), ApiError> {
    let actor = caller.actor();
    access::org_for(&actor, Action::FeedbackCreate)?;
    authz::authorize_general(&actor, Action::FeedbackCreate, None)?;
    validate! {
        about_id = "aboutId": match body.about_id.as_deref().map(str::trim) {
            None | Some("") => Err(Invalid::new("The person the feedback is about is required")),
            Some(a) => Ok(a.to_owned()),
        },
        kind = "kind": body.kind.as_deref().map_or(Ok(FeedbackKind::Note), FeedbackKind::parse),
        text = "body": body_text(body.body.as_deref().unwrap_or_default()),
    }
    let f = feedback::create(
        &state,
        &actor,
        FeedbackDraft {
            about_id,
            kind,
            is_private: body.is_private,
            body: text,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        AppJson(FeedbackResponse {
            feedback: FeedbackView::from(&f),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFeedbackRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub kind: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub is_private: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub body: Patch<String>,
}

/// Change feedback (feedback.edit: its author and admins). Who it is about does not change.
#[utoipa::path(patch, path = "/api/feedback/{id}", tag = "feedback",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = UpdateFeedbackRequest,
    responses((status = 200, body = FeedbackResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_feedback(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<UpdateFeedbackRequest>,
) -> Result<AppJson<FeedbackResponse>, ApiError> {
    let actor = caller.actor();
    feedback::authorized(&state.db, &actor, &id, Action::FeedbackEdit).await?;
    validate! {
        kind = "kind": required(body.kind, "Kind", |k| FeedbackKind::parse(&k)),
        is_private = "isPrivate": required(body.is_private, "isPrivate", Ok),
        text = "body": required(body.body, "Body", |b| body_text(&b)),
    }
    let f = feedback::update(&state, &actor, &id, kind, is_private, text).await?;
    Ok(AppJson(FeedbackResponse {
        feedback: FeedbackView::from(&f),
    }))
}

/// Delete feedback (feedback.delete: its author and admins).
#[utoipa::path(delete, path = "/api/feedback/{id}", tag = "feedback",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_feedback(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    feedback::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
