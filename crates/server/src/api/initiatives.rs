//! `/api/initiatives` (docs/API.md §8): every member views them; admins and members linked to a
//! person create them; only admins edit and delete them.

use crate::{
    access,
    api::{
        schema::{PaginationView, optional_text, page_from, search_from},
        tasks::TasksResponse,
    },
    error::{ApiError, ErrorBody, FieldErrors},
    extract::{AppJson, AppPath, AppQuery, CurrentUser, Id},
    patch::{Patch, required},
    services::{
        initiatives::{self, InitiativeDraft, InitiativePatch},
        tasks::{TasksQuery, date, title},
    },
    state::AppState,
    validate,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::InitiativeId;
use manageros_core::{
    InitiativeStatus, Invalid, PersonId, Rag, TeamId, Timestamp,
    authz::{self, Action},
};
use manageros_store::repo::initiatives::{self as repo, Initiative, InitiativeFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct InitiativesQuery {
    pub status: Option<String>,
    pub rag: Option<String>,
    pub team_id: Option<String>,
    pub owner_id: Option<String>,
    pub search: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

/// The organization's initiatives, newest first (initiative.view).
#[utoipa::path(get, path = "/api/initiatives", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(InitiativesQuery),
    responses((status = 200, body = InitiativesResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_initiatives(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<InitiativesQuery>,
) -> Result<AppJson<InitiativesResponse>, ApiError> {
    let actor = caller.actor();
    let org = access::org_for(&actor, Action::InitiativeView)?;
    authz::authorize_general(&actor, Action::InitiativeView, None)?;
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    let search = search_from(q.search.as_deref(), &mut errors);
    let status = errors
        .take(
            "status",
            q.status.as_deref().map(InitiativeStatus::parse).transpose(),
        )
        .flatten();
    let rag = errors
        .take("rag", q.rag.as_deref().map(Rag::parse).transpose())
        .flatten();
    errors.finish()?;
    let team = q.team_id.as_deref().map(TeamId::parse);
    let owner = q.owner_id.as_deref().map(PersonId::parse);
    let (list, total) = if matches!(team, Some(None)) || matches!(owner, Some(None)) {
        (vec![], 0)
    } else {
        let filter = InitiativeFilter {
            status,
            rag,
            team_id: team.flatten(),
            owner_id: owner.flatten(),
            search,
        };
        repo::list(&state.db, &org, &filter, page).await?
    };
    Ok(AppJson(InitiativesResponse {
        initiatives: list.iter().map(InitiativeView::from).collect(),
        pagination: page.info(total).into(),
    }))
}

/// An initiative (initiative.view).
#[utoipa::path(get, path = "/api/initiatives/{id}", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = InitiativeResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_initiative(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<InitiativeResponse>, ApiError> {
    let (_, i) =
        initiatives::authorized(&state.db, &caller.actor(), &id, Action::InitiativeView).await?;
    Ok(AppJson(InitiativeResponse {
        initiative: InitiativeView::from(&i),
    }))
}

/// The tasks of an initiative (getAllTasksForInitiative): initiative.view and task.view.
#[utoipa::path(get, path = "/api/initiatives/{id}/tasks", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), TasksQuery),
    responses((status = 200, body = TasksResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn initiative_tasks(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<InitiativeId>,
    AppQuery(q): AppQuery<TasksQuery>,
) -> Result<AppJson<TasksResponse>, ApiError> {
    let (list, page) = initiatives::tasks(&state, &caller.actor(), &id, q).await?;
    Ok(AppJson(TasksResponse::new(&list, page)))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateInitiativeRequest {
    pub title: Option<String>,
    pub summary: Option<String>,
    /// Default `planned`.
    pub status: Option<String>,
    /// Default `green`.
    pub rag: Option<String>,
    /// 0–100, default 50.
    pub confidence: Option<i64>,
    pub team_id: Option<String>,
    /// People of the organization.
    #[serde(default)]
    pub owner_ids: Vec<String>,
    pub start_date: Option<String>,
    pub target_date: Option<String>,
}

fn confidence(c: i64) -> Result<i32, Invalid> {
    if (0..=100).contains(&c) {
        Ok(c as i32)
    } else {
        Err(Invalid::new("Confidence must be from 0 to 100"))
    }
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
    let actor = caller.actor();
    access::org_for(&actor, Action::InitiativeCreate)?;
    authz::authorize_general(&actor, Action::InitiativeCreate, None)?;
    validate! {
        title = "title": title(body.title.as_deref()),
        summary = "summary": optional_text(body.summary.as_deref(), "Summary", 10_000),
        status = "status": body.status.as_deref().map_or(Ok(InitiativeStatus::Planned), InitiativeStatus::parse),
        rag = "rag": body.rag.as_deref().map_or(Ok(Rag::Green), Rag::parse),
        confidence = "confidence": confidence(body.confidence.unwrap_or(50)),
        start_date = "startDate": body.start_date.as_deref().map(|d| date(d, "Start date")).transpose(),
        target_date = "targetDate": body.target_date.as_deref().map(|d| date(d, "Target date")).transpose(),
    }
    let draft = InitiativeDraft {
        title,
        summary,
        status,
        rag,
        confidence,
        team_id: body.team_id,
        owner_ids: body.owner_ids,
        start_date,
        target_date,
    };
    let i = initiatives::create(&state, &actor, &caller.user.id, draft).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(InitiativeResponse {
            initiative: InitiativeView::from(&i),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInitiativeRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub summary: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub status: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub rag: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub confidence: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub team_id: Patch<String>,
    /// Replaces the owners; `[]` or `null` removes them all.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub owner_ids: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub start_date: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub target_date: Patch<String>,
}

/// Change some of an initiative's fields (initiative.edit: admins).
#[utoipa::path(patch, path = "/api/initiatives/{id}", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = UpdateInitiativeRequest,
    responses((status = 200, body = InitiativeResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_initiative(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<UpdateInitiativeRequest>,
) -> Result<AppJson<InitiativeResponse>, ApiError> {
    let actor = caller.actor();
    initiatives::authorized(&state.db, &actor, &id, Action::InitiativeEdit).await?;
    validate! {
        title = "title": required(body.title, "Title", |t| title(Some(&t))),
        summary = "summary": body.summary.try_map(|s| optional_text(Some(&s), "Summary", 10_000)),
        status = "status": required(body.status, "Status", |s| InitiativeStatus::parse(&s)),
        rag = "rag": required(body.rag, "Rag", |r| Rag::parse(&r)),
        confidence = "confidence": required(body.confidence, "Confidence", confidence),
        start_date = "startDate": body.start_date.try_map(|d| date(&d, "Start date")),
        target_date = "targetDate": body.target_date.try_map(|d| date(&d, "Target date")),
    }
    let patch = InitiativePatch {
        title,
        summary: summary.flatten(),
        status,
        rag,
        confidence,
        team_id: body.team_id,
        owner_ids: match body.owner_ids {
            Patch::Absent => None,
            Patch::Null => Some(vec![]),
            Patch::Value(v) => Some(v),
        },
        start_date,
        target_date,
    };
    let i = initiatives::update(&state, &actor, &id, patch).await?;
    Ok(AppJson(InitiativeResponse {
        initiative: InitiativeView::from(&i),
    }))
}

/// Delete an initiative (initiative.delete: admins). Its tasks and meetings remain, detached.
#[utoipa::path(delete, path = "/api/initiatives/{id}", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_initiative(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    initiatives::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
