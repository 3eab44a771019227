//! `/api/tasks` (docs/API.md §8): the JSON front end of `services::tasks`.

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppQuery, CurrentUser, Id, IfMatch, Paging},
    schema::PaginationView,
    services::tasks::{self, CreateTaskRequest, TasksQuery, UpdateTaskRequest},
    state::AppState,
    versioned::{IfMatchHeader, Stale, Versioned, answer},
};
use axum::{extract::State, http::StatusCode, response::Response};
use manageros_core::{PageInfo, TaskId};
use manageros_store::repo::tasks::Task;
use serde::Serialize;
use utoipa::ToSchema;

/// A task, as the API writes it: the row itself, whose serde and schema attributes are the
/// contract (`manageros_store::entity::task`).
pub type TaskView = Task;

#[derive(Serialize, ToSchema)]
pub struct TaskResponse {
    pub task: TaskView,
}

#[derive(Serialize, ToSchema)]
pub struct TasksResponse {
    pub tasks: Vec<TaskView>,
    pub pagination: PaginationView,
}

impl TasksResponse {
    pub fn new(list: &[Task], page: PageInfo) -> Self {
        Self {
            tasks: list.to_vec(),
            pagination: page.into(),
        }
    }
}

impl From<&Task> for TaskResponse {
    fn from(t: &Task) -> Self {
        Self { task: t.clone() }
    }
}

/// The organization's tasks, newest first (task.view).
#[utoipa::path(get, path = "/api/tasks", tag = "tasks",
    security(("bearer" = []), ("cookie" = [])),
    params(TasksQuery, Paging),
    responses((status = 200, body = TasksResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(q): AppQuery<TasksQuery>,
) -> Result<AppJson<TasksResponse>, ApiError> {
    let (list, page) = tasks::list(
        &state,
        &caller.actor(),
        Some(caller.tasks_seen()),
        q,
        &paging,
    )
    .await?;
    Ok(AppJson(TasksResponse::new(&list, page)))
}

/// A task (task.view).
#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TaskResponse, headers(("ETag" = String, description = "Its version, for If-Match on a change"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<TaskId>,
) -> Result<Versioned<TaskResponse>, ApiError> {
    let task = tasks::get(&state, &caller.actor(), &id).await?;
    Ok(Versioned(task.version, TaskResponse::from(&task)))
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
    let task = tasks::create(&state, &caller.actor(), body).await?;
    Ok((StatusCode::CREATED, AppJson(TaskResponse::from(&task))))
}

/// Change some of a task's fields (task.edit: the creator, the assignee, admins).
#[utoipa::path(patch, path = "/api/tasks/{id}", tag = "tasks",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = UpdateTaskRequest,
    responses((status = 200, body = TaskResponse, headers(("ETag" = String, description = "Its new version"))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<TaskResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_task(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<TaskId>,
    if_match: IfMatch,
    AppJson(body): AppJson<UpdateTaskRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = tasks::update(&state, &actor, &id, body, &if_match).await;
    answer(
        changed,
        |t| Versioned(t.version, TaskResponse::from(t)),
        || tasks::get(&state, &actor, &id),
    )
    .await
}

/// Delete a task (task.delete: the creator, the assignee, admins).
#[utoipa::path(delete, path = "/api/tasks/{id}", tag = "tasks",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_task(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<TaskId>,
) -> Result<StatusCode, ApiError> {
    tasks::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
