//! Tasks: every member sees the organization's tasks; the creator, the assignee and admins
//! edit and delete them. Each function is one request of either front end: it asks authz
//! once, then validates, then writes in one transaction.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load::{self, authorized, reread},
    parse::Paging,
    parse::{filter_id, optional_text, search_from},
    patch::{Change, Patch, required},
    refs,
    state::AppState,
    totals::Seen,
    validate_into,
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
///
/// `seen` is what the caller's session lookup read (`CurrentUser::tasks_version` and
/// `names_version`); with it, the total comes from [`crate::totals::Kept`] when it is current.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    seen: Option<Seen>,
    q: TasksQuery,
    paging: &Paging,
) -> Result<(Vec<Task>, PageInfo), ApiError> {
    let org = load::permitted(actor, Action::TaskView)?;
    list_in(state, &org, seen, q, paging, TaskFilter::default()).await
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
    list_in(state, &org, None, TasksQuery::default(), &paging, filter).await
}

/// Lists tasks of `org` with `filter` plus the query's own, for a caller already allowed to
/// see them (also `GET /api/initiatives/{id}/tasks`).
pub(crate) async fn list_in(
    state: &AppState,
    org: &OrgId,
    seen: Option<Seen>,
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
    // A search or a due date (counted from now) is always counted.
    let seen = seen.filter(|_| filter.search.is_none() && filter.due_before.is_none());
    let key = format!(
        "tasks {:?} {:?} {:?} {}",
        filter.status, filter.assignee_id, filter.initiative_id, filter.open_only
    );
    let kept = seen.and_then(|s| state.totals.get(org, &key, s));
    let (list, total) = tasks::list(&state.db, org, &filter, page, kept).await?;
    if let (Some(s), None) = (seen, kept) {
        state.totals.put(org, key, s, total);
    }
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

// One definition for both front ends (the JSON body; a page's form, through
// `web::FormValues::input`) and both operations: a field is added here, once, with its check
// in `resolve`.
/// Changes to a task, as sent: an absent field stays as it is; `null` clears a field that may
/// be empty and is refused where a value is required.
#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
#[schema(as = UpdateTaskRequest)]
pub struct TaskInput {
    #[serde(default)]
    #[schema(value_type = input::Title, inline, required = false)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::Description, inline, required = false)]
    pub description: Patch<String>,
    /// A new task's is `todo`.
    #[serde(default)]
    #[schema(value_type = input::TaskStatus, inline, required = false)]
    pub status: Patch<String>,
    /// 1 (highest) to 5; a new task's is 3.
    #[serde(default, deserialize_with = "crate::patch::whole_number::patch")]
    #[schema(value_type = i64, minimum = 1, maximum = 5)]
    pub priority: Patch<i64>,
    /// RFC 3339, or `YYYY-MM-DD` for the start of that UTC day.
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

/// Changes to a task, as sent: [`TaskInput`].
pub type UpdateTaskRequest = TaskInput;

/// A new task, as sent: [`TaskInput`] with a title.
#[derive(Deserialize, Default)]
#[serde(transparent)]
pub struct CreateTaskRequest(pub TaskInput);

/// The document's schema of a create: the update's, with `title` required. Derived, so the
/// two cannot drift apart.
impl utoipa::PartialSchema for CreateTaskRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{RefOr, schema::Schema};
        let mut schema = TaskInput::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.required.push("title".to_owned());
            object.description = Some(
                "A new task, as sent: a title, and any other field, which takes its default when \
                 absent; `null` leaves a field that may be empty empty, and is refused where a \
                 value is required."
                    .to_owned(),
            );
        }
        schema
    }
}

impl ToSchema for CreateTaskRequest {}

/// The fields a create or an update writes: `fields` (a new task's defaults, or the task as it
/// is) with what `input` changes, each checked, every refusal named by its field. The one
/// place a field's rule lives, for both operations and both front ends: a field is one line
/// of `validate_into!`.
async fn resolve(
    db: &impl manageros_store::ConnectionTrait,
    org: &OrgId,
    input: TaskInput,
    mut fields: TaskFields,
) -> Result<TaskFields, ApiError> {
    validate_into! { fields {
        title = "title": required(input.title, "Title", |t| title(Some(&t))),
        description = "description": input.description.try_map(|d| optional_text(Some(&d), "Description", 10_000)).map(Patch::flatten),
        status = "status": required(input.status, "Status", |s| TaskStatus::parse(&s)),
        priority = "priority": required(input.priority, "Priority", priority),
        due_date = "dueDate": input.due_date.try_map(|d| date(&d, "Due date")),
    }}
    refs::patch(input.assignee_id, |r| async move {
        refs::person(db, org, &r, ASSIGNEE_NOT_FOUND).await
    })
    .await?
    .over(&mut fields.assignee_id);
    refs::patch(input.initiative_id, |r| async move {
        refs::initiative(db, org, &r, INITIATIVE_NOT_FOUND).await
    })
    .await?
    .over(&mut fields.initiative_id);
    Ok(fields)
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
    CreateTaskRequest(mut input): CreateTaskRequest,
) -> Result<Task, ApiError> {
    let org = load::permitted(actor, Action::TaskCreate)?;
    // A title has no default: an absent one is refused as an empty one is.
    if input.title.is_absent() {
        input.title = Patch::Value(String::new());
    }
    // A reference sent empty names nobody, as it always has on a create.
    input.assignee_id = input.assignee_id.blank_is_null();
    input.initiative_id = input.initiative_id.blank_is_null();
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let mut fields = resolve(&txn, &org, input, TaskFields::default()).await?;
    fields.completed_at = completed_at(None, fields.status, now);
    let id = tasks::insert(&txn, &org, &actor.user_id, &fields, now).await?;
    let task = reread(&txn, &org, &id).await?;
    crate::notify::task_assigned(&txn, state, actor, &task).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(task)
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
    let mut fields = resolve(&txn, &org, input, TaskFields::of(&current)).await?;
    fields.completed_at = completed_at(
        Some((current.status, current.completed_at)),
        fields.status,
        now,
    );
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
