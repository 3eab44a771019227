//! Tasks: every member sees the organization's tasks; the creator, the assignee and admins
//! edit and delete them. Each function is one request of either front end: it asks authz
//! once, then validates, then writes in one transaction.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load::{self, authorized, reread},
    parse::Paging,
    parse::{filter_id, optional_text, search_from},
    patch::{Patch, required},
    refs,
    state::AppState,
    validate,
};
use crate::{
    extract::IfMatch,
    versions::{self, Versioned},
};
use manageros_core::{
    InitiativeId, Invalid, OrgId, PageInfo, PersonId, TaskId, TaskStatus, Timestamp,
    authz::{Action, Actor},
};
use manageros_store::{
    begin_write,
    repo::tasks::{self, Task, TaskFields, TaskFilter, TaskSort},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub const ASSIGNEE_NOT_FOUND: &str = "Assignee not found or access denied";
pub const INITIATIVE_NOT_FOUND: &str = "Initiative not found or access denied";

/// `completedAt` follows the status: set when a task becomes done, cleared when it leaves it.
fn completed_at(
    before: Option<(TaskStatus, Option<Timestamp>)>,
    status: TaskStatus,
    now: Timestamp,
) -> Option<Timestamp> {
    match (before, status) {
        (Some((TaskStatus::Done, at)), TaskStatus::Done) => at.or(Some(now)),
        (_, TaskStatus::Done) => Some(now),
        _ => None,
    }
}

/// The list's filters, as the query string gives them.
#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TasksQuery {
    #[param(value_type = Option<input::TaskStatusFilter>, inline)]
    pub status: Option<String>,
    pub assignee_id: Option<String>,
    pub initiative_id: Option<String>,
    /// Case-insensitive substring of the title.
    #[param(value_type = Option<input::Search>, inline)]
    pub search: Option<String>,
    /// Only tasks due before this instant (a date is its UTC midnight): `dueBefore=<now>`
    /// lists the overdue ones.
    #[param(value_type = Option<input::DateOrTime>, inline)]
    pub due_before: Option<String>,
    /// `newest` (default), `due` (soonest first, no due date last) or `priority` (1 first,
    /// then soonest due).
    #[param(value_type = Option<input::TaskSortName>, inline)]
    pub sort: Option<String>,
}

/// The `status` filter that lists the tasks not done and not dropped.
pub const OPEN: &str = "open";

/// How `sort` names the orders of a task list.
pub const SORTS: [(&str, TaskSort); 3] = [
    ("newest", TaskSort::Newest),
    ("due", TaskSort::Due),
    ("priority", TaskSort::Priority),
];

fn sort_from(raw: &str) -> Result<TaskSort, Invalid> {
    SORTS
        .iter()
        .find(|(name, _)| *name == raw)
        .map(|(_, sort)| *sort)
        .ok_or_else(|| Invalid::new("sort must be one of: newest, due, priority"))
}

/// The organization's tasks, newest first (task.view).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    q: TasksQuery,
    paging: &Paging,
) -> Result<(Vec<Task>, PageInfo), ApiError> {
    let org = load::permitted(actor, Action::TaskView)?;
    list_in(state, &org, q, paging, TaskFilter::default()).await
}

/// The open tasks (to do, doing, blocked) assigned to `person`, soonest due first: a
/// member's own, for the home page (task.view).
pub async fn open_assigned_to(
    state: &AppState,
    actor: &Actor,
    person: &PersonId,
    limit: u64,
) -> Result<(Vec<Task>, PageInfo), ApiError> {
    let org = load::permitted(actor, Action::TaskView)?;
    let filter = TaskFilter {
        assignee_id: Some(person.clone()),
        open_only: true,
        sort: TaskSort::Due,
        ..Default::default()
    };
    let paging = Paging {
        page: None,
        limit: Some(limit.to_string()),
    };
    list_in(state, &org, TasksQuery::default(), &paging, filter).await
}

/// Lists tasks of `org` with `filter` plus the query's own, for a caller already allowed to
/// see them (also `GET /api/initiatives/{id}/tasks`).
pub(crate) async fn list_in(
    state: &AppState,
    org: &OrgId,
    q: TasksQuery,
    paging: &Paging,
    mut filter: TaskFilter,
) -> Result<(Vec<Task>, PageInfo), ApiError> {
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    filter.search = search_from(q.search.as_deref(), &mut errors);
    // `open`: what is still to do (to do, in progress, blocked), not a status of its own.
    if q.status.as_deref().map(str::trim) == Some(OPEN) {
        filter.open_only = true;
    } else {
        filter.status = errors
            .take(
                "status",
                crate::parse::filter(q.status.as_deref(), TaskStatus::parse),
            )
            .flatten();
    }
    filter.due_before = errors
        .take(
            "dueBefore",
            q.due_before
                .as_deref()
                .map(|d| crate::parse::time_from(d, "dueBefore"))
                .transpose(),
        )
        .flatten();
    if let Some(sort) = errors
        .take("sort", crate::parse::filter(q.sort.as_deref(), sort_from))
        .flatten()
    {
        filter.sort = sort;
    }
    errors.finish()?;
    let (Some(assignee), Some(initiative)) = (
        filter_id(q.assignee_id.as_deref(), PersonId::parse),
        filter_id(q.initiative_id.as_deref(), InitiativeId::parse),
    ) else {
        // A filter on an id of the wrong shape matches nothing.
        return Ok((vec![], page.info(0)));
    };
    filter.assignee_id = assignee.or(filter.assignee_id);
    filter.initiative_id = initiative.or(filter.initiative_id);
    let (list, total) = tasks::list(&state.db, org, &filter, page).await?;
    Ok((list, page.info(total)))
}

/// A task (task.view).
pub async fn get(state: &AppState, actor: &Actor, id: &TaskId) -> Result<Task, ApiError> {
    let (_, task) = authorized(&state.db, actor, id, Action::TaskView).await?;
    Ok(task)
}

/// A task with the name of the member who created it (a task's page).
pub struct TaskPage {
    pub task: Task,
    /// `None` once that member has left the organization.
    pub created_by: Option<String>,
}

/// A task and who created it (task.view).
pub async fn page(state: &AppState, actor: &Actor, id: &TaskId) -> Result<TaskPage, ApiError> {
    let (org, task): (_, Task) = authorized(&state.db, actor, id, Action::TaskView).await?;
    let created_by =
        manageros_store::repo::users::find_member(&state.db, &org, &task.created_by_id)
            .await?
            .map(|m| m.user.name);
    Ok(TaskPage { task, created_by })
}

/// A new task, as sent.
#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskRequest {
    #[schema(value_type = input::Title, inline, required = true)]
    pub title: Option<String>,
    #[schema(value_type = input::Description, inline, required = false)]
    pub description: Option<String>,
    /// Default `todo`.
    #[schema(value_type = input::OptionalTaskStatus, inline, required = false)]
    pub status: Option<String>,
    /// 1–5, default 3.
    #[serde(default, deserialize_with = "crate::patch::whole_number::option")]
    #[schema(minimum = 1, maximum = 5)]
    pub priority: Option<i64>,
    /// RFC 3339, or `YYYY-MM-DD` for the start of that UTC day.
    #[schema(value_type = input::OptionalDate, inline, required = false)]
    pub due_date: Option<String>,
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub assignee_id: Option<String>,
    #[schema(value_type = input::OptionalId, inline, required = false)]
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
    manageros_core::single_line(raw.unwrap_or_default(), "Title", 1, 200)
}

/// Creates a task by the caller (task.create: admins, and members linked to a person).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CreateTaskRequest,
) -> Result<Task, ApiError> {
    let org = load::permitted(actor, Action::TaskCreate)?;
    validate! {
        title = "title": title(input.title.as_deref()),
        description = "description": optional_text(input.description.as_deref(), "Description", 10_000),
        status = "status": input.status.as_deref().map_or(Ok(TaskStatus::Todo), TaskStatus::parse),
        priority = "priority": priority(input.priority.unwrap_or(3)),
        due_date = "dueDate": input.due_date.as_deref().map(|d| date(d, "Due date")).transpose(),
    }
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (db, o) = (&txn, &org);
    let assignee_id = refs::optional(input.assignee_id.as_deref(), |r| async move {
        refs::person(db, o, &r, ASSIGNEE_NOT_FOUND).await
    })
    .await?;
    let initiative_id = refs::optional(input.initiative_id.as_deref(), |r| async move {
        refs::initiative(db, o, &r, INITIATIVE_NOT_FOUND).await
    })
    .await?;
    let fields = TaskFields {
        title,
        description,
        status,
        priority,
        due_date,
        assignee_id,
        initiative_id,
        completed_at: completed_at(None, status, now),
    };
    let id = tasks::insert(&txn, &org, &actor.user_id, &fields, now).await?;
    let task = reread(&txn, &org, &id).await?;
    crate::notify::task_assigned(&txn, state, actor, &task).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(task)
}

/// Changes to a task, as sent: an absent field stays, `null` clears an optional one.
#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTaskRequest {
    #[serde(default)]
    #[schema(value_type = input::Title, inline, required = false)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::Description, inline, required = false)]
    pub description: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::TaskStatus, inline, required = false)]
    pub status: Patch<String>,
    #[serde(default, deserialize_with = "crate::patch::whole_number::patch")]
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    pub priority: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = input::OptionalDate, inline, required = false)]
    pub due_date: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub assignee_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub initiative_id: Patch<String>,
}

/// Changes some of a task's fields (task.edit: the creator, the assignee, admins). Permission
/// comes before validation: who may not edit learns nothing from a 400.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &TaskId,
    input: UpdateTaskRequest,
    if_match: &IfMatch,
) -> Result<Task, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized::<Task>(&txn, actor, id, Action::TaskEdit).await?;
    versions::claim(
        &txn,
        Versioned::Task,
        &org,
        current.id.as_str(),
        actor,
        if_match,
    )
    .await?;
    validate! {
        title = "title": required(input.title, "Title", |t| title(Some(&t))),
        description = "description": input.description.try_map(|d| optional_text(Some(&d), "Description", 10_000)),
        status = "status": required(input.status, "Status", |s| TaskStatus::parse(&s)),
        priority = "priority": required(input.priority, "Priority", priority),
        due_date = "dueDate": input.due_date.try_map(|d| date(&d, "Due date")),
    }
    let (db, o) = (&txn, &org);
    let assignee = refs::patch(input.assignee_id, |r| async move {
        refs::person(db, o, &r, ASSIGNEE_NOT_FOUND).await
    })
    .await?;
    let initiative = refs::patch(input.initiative_id, |r| async move {
        refs::initiative(db, o, &r, INITIATIVE_NOT_FOUND).await
    })
    .await?;
    let status = status.unwrap_or(current.status);
    let fields = TaskFields {
        title: title.unwrap_or_else(|| current.title.clone()),
        description: description.flatten().apply(current.description.clone()),
        status,
        priority: priority.unwrap_or(current.priority),
        due_date: due_date.apply(current.due_date),
        assignee_id: assignee.apply(current.assignee_id.clone()),
        initiative_id: initiative.apply(current.initiative_id.clone()),
        completed_at: completed_at(Some((current.status, current.completed_at)), status, now),
    };
    tasks::update(&txn, &org, &current.id, &fields, now).await?;
    let task: Task = reread(&txn, &org, &current.id).await?;
    if task.assignee_id != current.assignee_id {
        crate::notify::task_assigned(&txn, state, actor, &task).await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    // An action item: the one-on-one it came from shows it among the pair's.
    if let Some(one) = &task.oneonone_id {
        let change = crate::live::Change {
            org: org.to_string(),
            oneonone: one.to_string(),
            what: crate::live::What::Agenda,
            user: None,
        };
        crate::live::publish(state, change).await;
    }
    Ok(task)
}

/// Deletes a task (task.delete: the creator, the assignee, admins).
pub async fn delete(state: &AppState, actor: &Actor, id: &TaskId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, task) = authorized::<Task>(&txn, actor, id, Action::TaskDelete).await?;
    tasks::delete(&txn, &org, &task.id).await?;
    txn.commit().await?;
    Ok(())
}
