//! `/api/initiatives` (docs/API.md §8): the JSON front end of `services::initiatives`.

use crate::versioned::{IfMatchHeader, Stale, Versioned, answer};
use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppQuery, CurrentUser, Id, IfMatch, Paging},
    schema::PaginationView,
    services::{
        initiatives::{
            self, CheckInRequest, CreateInitiativeRequest, InitiativesQuery,
            UpdateInitiativeRequest,
        },
        tasks::TasksQuery,
    },
    state::AppState,
    tasks::TasksResponse,
};
use axum::{extract::State, http::StatusCode, response::Response};
use manageros_core::{InitiativeId, Timestamp};
use manageros_store::repo::initiatives::Initiative;
use serde::Serialize;
use utoipa::ToSchema;

/// An initiative.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiativeView {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    /// `planned`, `in_progress`, `paused`, `done` or `canceled`.
    pub status: &'static str,
    /// `green`, `amber` or `red`.
    pub rag: &'static str,
    /// 0–100.
    pub confidence: i32,
    pub team_id: Option<String>,
    pub owner_ids: Vec<String>,
    #[schema(format = DateTime)]
    pub start_date: Option<String>,
    #[schema(format = DateTime)]
    pub target_date: Option<String>,
    pub created_by_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
}

impl From<&Initiative> for InitiativeView {
    fn from(i: &Initiative) -> Self {
        Self {
            id: i.id.to_string(),
            title: i.title.clone(),
            summary: i.summary.clone(),
            status: i.status.as_str(),
            rag: i.rag.as_str(),
            confidence: i.confidence,
            team_id: i.team_id.as_ref().map(ToString::to_string),
            owner_ids: i.owner_ids.iter().map(ToString::to_string).collect(),
            start_date: i.start_date.map(Timestamp::to_rfc3339),
            target_date: i.target_date.map(Timestamp::to_rfc3339),
            created_by_id: i.created_by.to_string(),
            created_at: i.created_at.to_rfc3339(),
            updated_at: i.updated_at.to_rfc3339(),
            version: i.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InitiativeResponse {
    pub initiative: InitiativeView,
}

#[derive(Serialize, ToSchema)]
pub struct InitiativesResponse {
    pub initiatives: Vec<InitiativeView>,
    pub pagination: PaginationView,
}

impl From<&Initiative> for InitiativeResponse {
    fn from(i: &Initiative) -> Self {
        Self {
            initiative: InitiativeView::from(i),
        }
    }
}

/// The organization's initiatives, newest first (initiative.view).
#[utoipa::path(get, path = "/api/initiatives", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(InitiativesQuery, Paging),
    responses((status = 200, body = InitiativesResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_initiatives(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(q): AppQuery<InitiativesQuery>,
) -> Result<AppJson<InitiativesResponse>, ApiError> {
    let (list, page) = initiatives::list(&state, &caller.actor(), q, &paging).await?;
    Ok(AppJson(InitiativesResponse {
        initiatives: list.iter().map(InitiativeView::from).collect(),
        pagination: page.into(),
    }))
}

/// An initiative (initiative.view).
#[utoipa::path(get, path = "/api/initiatives/{id}", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = InitiativeResponse, headers(("ETag" = String, description = "Its version, for If-Match on a change"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_initiative(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<InitiativeId>,
) -> Result<Versioned<InitiativeResponse>, ApiError> {
    let i = initiatives::get(&state, &caller.actor(), &id).await?;
    Ok(Versioned(i.version, InitiativeResponse::from(&i)))
}

/// The tasks of an initiative (getAllTasksForInitiative): initiative.view and task.view.
#[utoipa::path(get, path = "/api/initiatives/{id}/tasks", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), TasksQuery, Paging),
    responses((status = 200, body = TasksResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn initiative_tasks(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    Id(id): Id<InitiativeId>,
    AppQuery(q): AppQuery<TasksQuery>,
) -> Result<AppJson<TasksResponse>, ApiError> {
    let (list, page) = initiatives::tasks(&state, &caller.actor(), &id, q, &paging).await?;
    Ok(AppJson(TasksResponse::new(&list, page)))
}

/// Create an initiative (initiative.create: admins, and members linked to a person).
#[utoipa::path(post, path = "/api/initiatives", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateInitiativeRequest,
    responses((status = 201, body = InitiativeResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_initiative(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreateInitiativeRequest>,
) -> Result<(StatusCode, AppJson<InitiativeResponse>), ApiError> {
    let i = initiatives::create(&state, &caller.actor(), body).await?;
    Ok((StatusCode::CREATED, AppJson(InitiativeResponse::from(&i))))
}

/// Change some of an initiative's fields (initiative.edit: admins).
#[utoipa::path(patch, path = "/api/initiatives/{id}", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = UpdateInitiativeRequest,
    responses((status = 200, body = InitiativeResponse, headers(("ETag" = String, description = "Its new version"))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<InitiativeResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_initiative(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<InitiativeId>,
    if_match: IfMatch,
    AppJson(body): AppJson<UpdateInitiativeRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = initiatives::update(&state, &actor, &id, body, &if_match).await;
    answer(
        changed,
        |i| Versioned(i.version, InitiativeResponse::from(i)),
        || initiatives::get(&state, &actor, &id),
    )
    .await
}

/// Delete an initiative (initiative.delete: admins). Its tasks and meetings remain, detached.
#[utoipa::path(delete, path = "/api/initiatives/{id}", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_initiative(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<InitiativeId>,
) -> Result<StatusCode, ApiError> {
    initiatives::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A check-in on an initiative.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckInView {
    pub id: String,
    pub initiative_id: String,
    pub author_id: String,
    /// The author's name when they wrote it.
    pub author_name: String,
    /// `planned`, `in_progress`, `paused`, `done` or `canceled`.
    pub status: &'static str,
    /// `green`, `amber` or `red`.
    pub rag: &'static str,
    pub confidence: i32,
    pub note: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&manageros_store::repo::initiatives::CheckIn> for CheckInView {
    fn from(c: &manageros_store::repo::initiatives::CheckIn) -> Self {
        Self {
            id: c.id.to_string(),
            initiative_id: c.initiative_id.to_string(),
            author_id: c.author_id.to_string(),
            author_name: c.author_name.clone(),
            status: c.status.as_str(),
            rag: c.rag.as_str(),
            confidence: c.confidence,
            note: c.note.clone(),
            created_at: c.created_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckInResponse {
    pub check_in: CheckInView,
    /// The initiative as the check-in left it.
    pub initiative: InitiativeView,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckInsResponse {
    pub check_ins: Vec<CheckInView>,
    pub pagination: PaginationView,
}

/// Post a check-in (initiative.check-in: the initiative's owners and admins): the initiative
/// takes its status, RAG and confidence, and keeps it in its history.
#[utoipa::path(post, path = "/api/initiatives/{id}/check-ins", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = CheckInRequest,
    responses((status = 201, body = CheckInResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<InitiativeResponse>, description = "The initiative changed since the version named by If-Match; nothing was saved")))]
pub async fn check_in(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<InitiativeId>,
    if_match: IfMatch,
    AppJson(body): AppJson<CheckInRequest>,
) -> Result<Response, ApiError> {
    use axum::response::IntoResponse;
    let actor = caller.actor();
    match initiatives::check_in(&state, &actor, &id, body, &if_match).await {
        Ok((c, i)) => Ok((
            StatusCode::CREATED,
            AppJson(CheckInResponse {
                check_in: CheckInView::from(&c),
                initiative: InitiativeResponse::from(&i).initiative,
            }),
        )
            .into_response()),
        Err(stale @ ApiError::Stale(..)) => {
            answer(
                Err::<Initiative, _>(stale),
                |i| Versioned(i.version, InitiativeResponse::from(i)),
                || initiatives::get(&state, &actor, &id),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// An initiative's check-ins, newest first (initiative.view).
#[utoipa::path(get, path = "/api/initiatives/{id}/check-ins", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), Paging),
    responses((status = 200, body = CheckInsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn check_ins(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    Id(id): Id<InitiativeId>,
) -> Result<AppJson<CheckInsResponse>, ApiError> {
    let (list, page) = initiatives::check_ins(&state, &caller.actor(), &id, &paging).await?;
    Ok(AppJson(CheckInsResponse {
        check_ins: list.iter().map(CheckInView::from).collect(),
        pagination: page.into(),
    }))
}
