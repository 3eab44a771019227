//! `/api/tasks` (docs/API.md §8): every member sees the organization's tasks; the creator, the
//! assignee and admins edit and delete them.

use crate::{
    access,
    api::schema::{PaginationView, page_from, search_from},
    error::{ApiError, ErrorBody, FieldErrors},
    extract::{AppJson, AppPath, AppQuery, CurrentUser},
    patch::{Patch, required},
    services::tasks::{self, TaskDraft, TaskPatch},
    state::AppState,
    validate,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::{
    InitiativeId, Invalid, PersonId, TaskStatus, Timestamp,
    authz::{self, Action},
};
use manageros_store::repo::tasks::{self as repo, Task, TaskFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A task.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// `todo`, `doing`, `blocked`, `done` or `dropped`.
    pub status: &'static str,
    /// 1 (highest) to 5.
    pub priority: i32,
    #[schema(format = DateTime)]
    pub due_date: Option<String>,
    pub assignee_id: Option<String>,
    pub initiative_id: Option<String>,
    pub created_by_id: String,
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&Task> for TaskView {
    fn from(t: &Task) -> Self {
        Self {
            id: t.id.to_string(),
            title: t.title.clone(),
            description: t.description.clone(),
            status: t.status.as_str(),
            priority: t.priority,
            due_date: t.due_date.map(Timestamp::to_rfc3339),
            assignee_id: t.assignee_id.as_ref().map(ToString::to_string),
            initiative_id: t.initiative_id.as_ref().map(ToString::to_string),
            created_by_id: t.created_by.to_string(),
            completed_at: t.completed_at.map(Timestamp::to_rfc3339),
            created_at: t.created_at.to_rfc3339(),
            updated_at: t.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TaskResponse {
    pub task: TaskView,
}

#[derive(Serialize, ToSchema)]
pub struct TasksResponse {
    pub tasks: Vec<TaskView>,
    pub pagination: PaginationView,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TasksQuery {
    pub status: Option<String>,
    pub assignee_id: Option<String>,
    pub initiative_id: Option<String>,
    /// Case-insensitive substring of the title.
    pub search: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

/// Lists tasks with `filter` (plus the query's own), answering the page; shared with
/// `GET /api/initiatives/{id}/tasks`.
pub async fn list_page(
    state: &AppState,
    org: &manageros_core::OrgId,
    q: TasksQuery,
    mut filter: TaskFilter,
) -> Result<TasksResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    filter.search = search_from(q.search.as_deref(), &mut errors);
    filter.status = errors
        .take(
            "status",
            q.status.as_deref().map(TaskStatus::parse).transpose(),
        )
        .flatten();
    errors.finish()?;
    let assignee = q.assignee_id.as_deref().map(PersonId::parse);
    let initiative = q.initiative_id.as_deref().map(InitiativeId::parse);
    // A filter on an id of the wrong shape matches nothing.
    let (list, total) = if matches!(assignee, Some(None)) || matches!(initiative, Some(None)) {
        (vec![], 0)
    } else {
        filter.assignee_id = assignee.flatten().or(filter.assignee_id);
        filter.initiative_id = initiative.flatten().or(filter.initiative_id);
        repo::list(&state.db, org, &filter, page).await?
    };
    Ok(TasksResponse {
        tasks: list.iter().map(TaskView::from).collect(),
        pagination: page.info(total).into(),
    })
}

/// The organization's tasks, newest first (task.view).
#[utoipa::path(get, path = "/api/tasks", tag = "tasks",
    security(("bearer" = []), ("cookie" = [])),
    params(TasksQuery),
    responses((status = 200, body = TasksResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<TasksQuery>,
) -> Result<AppJson<TasksResponse>, ApiError> {
    let actor = caller.actor();
    let org = access::org_for(&actor, Action::TaskView)?;
    authz::authorize_general(&actor, Action::TaskView, None)?;
    Ok(AppJson(
        list_page(&state, &org, q, TaskFilter::default()).await?,
    ))
}

/// A task (task.view).
#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TaskResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<TaskResponse>, ApiError> {
    let (_, task) = tasks::authorized(&state.db, &caller.actor(), &id, Action::TaskView).await?;
    Ok(AppJson(TaskResponse {
        task: TaskView::from(&task),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskRequest {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Default `todo`.
    pub status: Option<String>,
    /// 1–5, default 3.
    pub priority: Option<i64>,
    /// RFC 3339, or `YYYY-MM-DD` for the start of that UTC day.
    pub due_date: Option<String>,
    pub assignee_id: Option<String>,
    pub initiative_id: Option<String>,
}

pub(crate) fn priority(p: i64) -> Result<i32, Invalid> {
    if (1..=5).contains(&p) {
        Ok(p as i32)
    } else {
        Err(Invalid::new("Priority must be from 1 to 5"))
    }
}

pub(crate) fn date(raw: &str, what: &str) -> Result<Timestamp, Invalid> {
    Timestamp::parse_date_or_time(raw).ok_or_else(|| {
        Invalid(format!(
            "{what} must be an RFC 3339 timestamp with an offset, or a date YYYY-MM-DD"
        ))
    })
}

pub(crate) fn title(raw: Option<&str>) -> Result<String, Invalid> {
    manageros_core::bounded_text(raw.unwrap_or_default(), "Title", 1, 200)
}

/// Create a task (task.create: admins, and members linked to a person).
#[utoipa::path(post, path = "/api/tasks", tag = "tasks",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateTaskRequest,
    responses((status = 201, body = TaskResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_task(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreateTaskRequest>,
) -> Result<(StatusCode, AppJson<TaskResponse>), ApiError> {
    let actor = caller.actor();
    access::org_for(&actor, Action::TaskCreate)?;
    authz::authorize_general(&actor, Action::TaskCreate, None)?;
    validate! {
        title = "title": title(body.title.as_deref()),
        description = "description": crate::api::schema::optional_text(body.description.as_deref(), "Description", 10_000),
        status = "status": body.status.as_deref().map_or(Ok(TaskStatus::Todo), TaskStatus::parse),
        priority = "priority": priority(body.priority.unwrap_or(3)),
        due_date = "dueDate": body.due_date.as_deref().map(|d| date(d, "Due date")).transpose(),
    }
    let draft = TaskDraft {
        title,
        description,
        status,
        priority,
        due_date,
        assignee_id: body.assignee_id,
        initiative_id: body.initiative_id,
    };
    let task = tasks::create(&state, &actor, &caller.user.id, draft).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(TaskResponse {
            task: TaskView::from(&task),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTaskRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub status: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub priority: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub due_date: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub initiative_id: Patch<String>,
}

/// Change some of a task's fields (task.edit: the creator, the assignee, admins).
#[utoipa::path(patch, path = "/api/tasks/{id}", tag = "tasks",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = UpdateTaskRequest,
    responses((status = 200, body = TaskResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_task(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<UpdateTaskRequest>,
) -> Result<AppJson<TaskResponse>, ApiError> {
    let actor = caller.actor();
    // Permission before validation: who may not edit learns nothing from a 400.
    tasks::authorized(&state.db, &actor, &id, Action::TaskEdit).await?;
    validate! {
        title = "title": required(body.title, "Title", |t| title(Some(&t))),
        description = "description": body.description.try_map(|d| crate::api::schema::optional_text(Some(&d), "Description", 10_000)),
        status = "status": required(body.status, "Status", |s| TaskStatus::parse(&s)),
        priority = "priority": required(body.priority, "Priority", priority),
        due_date = "dueDate": body.due_date.try_map(|d| date(&d, "Due date")),
    }
    let patch = TaskPatch {
        title,
        description: description.flatten(),
        status,
        priority,
        due_date,
        assignee_id: body.assignee_id,
        initiative_id: body.initiative_id,
    };
    let task = tasks::update(&state, &actor, &id, patch).await?;
    Ok(AppJson(TaskResponse {
        task: TaskView::from(&task),
    }))
}

/// Delete a task (task.delete: the creator, the assignee, admins).
#[utoipa::path(delete, path = "/api/tasks/{id}", tag = "tasks",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_task(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    tasks::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
