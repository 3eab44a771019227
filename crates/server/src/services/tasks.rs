//! Tasks: writes with their references checked inside the organization.

use crate::{access, error::ApiError, patch::Patch, services::refs, state::AppState};
use manageros_core::{
    OrgId, TaskId, TaskStatus, Timestamp, UserId,
    authz::{self, Action, Actor, Kind},
};
use manageros_store::{
    DatabaseTransaction, begin_write,
    repo::tasks::{self, Task, TaskFields},
};

pub const ASSIGNEE_NOT_FOUND: &str = "Assignee not found or access denied";
pub const INITIATIVE_NOT_FOUND: &str = "Initiative not found or access denied";

/// A task's fields as sent, validated but with references still raw.
pub struct TaskDraft {
    pub title: String,
    pub description: Option<String>,
    pub status: TaskStatus,
    pub priority: i32,
    pub due_date: Option<Timestamp>,
    pub assignee_id: Option<String>,
    pub initiative_id: Option<String>,
}

#[derive(Default)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Patch<String>,
    pub status: Option<TaskStatus>,
    pub priority: Option<i32>,
    pub due_date: Patch<Timestamp>,
    pub assignee_id: Patch<String>,
    pub initiative_id: Patch<String>,
}

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

async fn reread(txn: &DatabaseTransaction, org: &OrgId, id: &TaskId) -> Result<Task, ApiError> {
    tasks::find(txn, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("task {id} vanished inside its transaction"))
    })
}

/// Loads a task of the caller's organization and authorizes `action` on it.
pub async fn authorized(
    db: &impl manageros_store::ConnectionTrait,
    actor: &Actor,
    raw_id: &str,
    action: Action,
) -> Result<(OrgId, Task), ApiError> {
    let org = access::org_for(actor, action)?;
    let id = access::id_or_404(raw_id, TaskId::parse, Kind::Task)?;
    let task = tasks::find(db, &org, &id)
        .await?
        .ok_or_else(|| access::not_found(Kind::Task))?;
    authz::authorize(actor, action, &task.target())?;
    Ok((org, task))
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    by: &UserId,
    d: TaskDraft,
) -> Result<Task, ApiError> {
    let org = access::org_for(actor, Action::TaskCreate)?;
    authz::authorize_general(actor, Action::TaskCreate, None)?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (db, o) = (&txn, &org);
    let assignee_id = refs::optional(d.assignee_id.as_deref(), |r| async move {
        refs::person(db, o, &r, ASSIGNEE_NOT_FOUND).await
    })
    .await?;
    let initiative_id = refs::optional(d.initiative_id.as_deref(), |r| async move {
        refs::initiative(db, o, &r, INITIATIVE_NOT_FOUND).await
    })
    .await?;
    let fields = TaskFields {
        title: d.title,
        description: d.description,
        status: d.status,
        priority: d.priority,
        due_date: d.due_date,
        assignee_id,
        initiative_id,
        completed_at: completed_at(None, d.status, now),
    };
    let id = tasks::insert(&txn, &org, by, &fields, now).await?;
    let task = reread(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(task)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    p: TaskPatch,
) -> Result<Task, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized(&txn, actor, raw_id, Action::TaskEdit).await?;
    let (db, o) = (&txn, &org);
    let assignee = refs::patch(p.assignee_id, |r| async move {
        refs::person(db, o, &r, ASSIGNEE_NOT_FOUND).await
    })
    .await?;
    let initiative = refs::patch(p.initiative_id, |r| async move {
        refs::initiative(db, o, &r, INITIATIVE_NOT_FOUND).await
    })
    .await?;
    let status = p.status.unwrap_or(current.status);
    let fields = TaskFields {
        title: p.title.unwrap_or_else(|| current.title.clone()),
        description: p.description.apply(current.description.clone()),
        status,
        priority: p.priority.unwrap_or(current.priority),
        due_date: p.due_date.apply(current.due_date),
        assignee_id: assignee.apply(current.assignee_id.clone()),
        initiative_id: initiative.apply(current.initiative_id.clone()),
        completed_at: completed_at(Some((current.status, current.completed_at)), status, now),
    };
    tasks::update(&txn, &org, &current.id, &fields, now).await?;
    let task = reread(&txn, &org, &current.id).await?;
    txn.commit().await?;
    Ok(task)
}

pub async fn delete(state: &AppState, actor: &Actor, raw_id: &str) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, task) = authorized(&txn, actor, raw_id, Action::TaskDelete).await?;
    tasks::delete(&txn, &org, &task.id).await?;
    txn.commit().await?;
    Ok(())
}
