//! `/api/feedback` (docs/API.md §8): the JSON front end of `services::feedback`.

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppQuery, CurrentUser, Id, IfMatch, Paging},
    schema::PaginationView,
    services::feedback::{self, CreateFeedbackRequest, FeedbackQuery, UpdateFeedbackRequest},
    state::AppState,
    versioned::{IfMatchHeader, Stale, Versioned, answer},
};
use axum::{extract::State, http::StatusCode, response::Response};
use manageros_core::FeedbackId;
use manageros_store::repo::feedback::Feedback;
use serde::Serialize;
use utoipa::ToSchema;

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
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
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
            version: f.version,
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

impl From<&Feedback> for FeedbackResponse {
    fn from(f: &Feedback) -> Self {
        Self {
            feedback: FeedbackView::from(f),
        }
    }
}

/// The feedback the caller may see, newest first (feedback.view).
#[utoipa::path(get, path = "/api/feedback", tag = "feedback",
    security(("bearer" = []), ("cookie" = [])),
    params(FeedbackQuery, Paging),
    responses((status = 200, body = FeedbackListResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_feedback(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(q): AppQuery<FeedbackQuery>,
) -> Result<AppJson<FeedbackListResponse>, ApiError> {
    let (list, page) = feedback::list(&state, &caller.actor(), q, &paging).await?;
    Ok(AppJson(FeedbackListResponse {
        feedback: list.iter().map(FeedbackView::from).collect(),
        pagination: page.into(),
    }))
}

/// A piece of feedback (feedback.view).
#[utoipa::path(get, path = "/api/feedback/{id}", tag = "feedback",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FeedbackResponse, headers(("ETag" = String, description = "Its version, for If-Match on a change"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_feedback(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<FeedbackId>,
) -> Result<Versioned<FeedbackResponse>, ApiError> {
    let f = feedback::get(&state, &caller.actor(), &id).await?;
    Ok(Versioned(f.version, FeedbackResponse::from(&f)))
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
    let f = feedback::create(&state, &caller.actor(), body).await?;
    Ok((StatusCode::CREATED, AppJson(FeedbackResponse::from(&f))))
}

/// Change feedback (feedback.edit: its author and admins). Who it is about does not change.
#[utoipa::path(patch, path = "/api/feedback/{id}", tag = "feedback",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = UpdateFeedbackRequest,
    responses((status = 200, body = FeedbackResponse, headers(("ETag" = String, description = "Its new version"))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<FeedbackResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_feedback(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<FeedbackId>,
    if_match: IfMatch,
    AppJson(body): AppJson<UpdateFeedbackRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = feedback::update(&state, &actor, &id, body, &if_match).await;
    answer(
        changed,
        |f| Versioned(f.version, FeedbackResponse::from(f)),
        || feedback::get(&state, &actor, &id),
    )
    .await
}

/// Delete feedback (feedback.delete: its author and admins).
#[utoipa::path(delete, path = "/api/feedback/{id}", tag = "feedback",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_feedback(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<FeedbackId>,
) -> Result<StatusCode, ApiError> {
    feedback::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
