//! Tasks.

use crate::{
    contains_pattern,
    entity::task,
    repo::{orgs, users::lower},
};
use manageros_core::{
    InitiativeId, OrgId, Page, PersonId, TaskId, TaskStatus, Timestamp, UserId,
    authz::{Target, TaskFacts},
};
use sea_orm::{
    ActiveValue::Set, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, Order,
    QueryFilter, QueryOrder, QuerySelect, prelude::*,
};

/// A task: the row itself.
pub type Task = task::Model;

impl Task {
    /// What the permission rules need to know about this task.
    pub fn target(&self) -> Target {
        Target::Task(TaskFacts {
            org_id: self.organization_id.clone(),
            created_by: self.created_by_id.clone(),
            assignee: self.assignee_id.clone(),
        })
    }
}

writable! {
    /// The writable fields of a task: what a create or an update sets, and nothing else. A
    /// new field is one line here (its type and a new task's value) and a column in
    /// `entity/task.rs`.
    pub struct TaskFields of task {
        title: String = String::new(),
        description: Option<String> = None,
        status: TaskStatus = TaskStatus::Todo,
        /// 1 (highest) to 5.
        priority: i32 = 3,
        due_date: Option<Timestamp> = None,
        assignee_id: Option<PersonId> = None,
        initiative_id: Option<InitiativeId> = None,
        /// Follows the status (set when it becomes done): not typed by anyone.
        #[serde(skip)]
        completed_at: Option<Timestamp> = None,
    }
}

#[derive(Clone, Debug, Default)]
pub struct TaskFilter {
    pub status: Option<TaskStatus>,
    pub assignee_id: Option<PersonId>,
    pub initiative_id: Option<InitiativeId>,
    pub search: Option<String>,
    /// Only tasks due before this instant (an overdue list: before now).
    pub due_before: Option<Timestamp>,
    /// Only tasks still to do (`todo`, `doing`, `blocked`).
    pub open_only: bool,
    pub sort: TaskSort,
}

/// The orders a task list comes in; every one ends with the id, so pages never overlap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskSort {
    /// Newest first.
    #[default]
    Newest,
    /// Soonest due first; tasks without a due date last.
    Due,
    /// Highest priority (1) first, then soonest due.
    Priority,
}

fn of(org: &OrgId) -> sea_orm::Select<task::Entity> {
    task::Entity::find().filter(task::Column::OrganizationId.eq(org.as_str()))
}

/// One page of tasks, newest first, and the total count (`known_total` when the caller kept
/// it: then it is not counted). Every member may view every task of the organization
/// (task.view), so the organization is the whole scope.
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    f: &TaskFilter,
    page: Page,
    known_total: Option<u64>,
) -> Result<(Vec<Task>, u64), DbErr> {
    let mut cond = Condition::all();
    if let Some(s) = f.status {
        cond = cond.add(task::Column::Status.eq(s.as_str()));
    }
    if let Some(a) = &f.assignee_id {
        cond = cond.add(task::Column::AssigneeId.eq(a.as_str()));
    }
    if let Some(i) = &f.initiative_id {
        cond = cond.add(task::Column::InitiativeId.eq(i.as_str()));
    }
    if let Some(s) = &f.search {
        cond = cond.add(lower(task::Column::Title).like(contains_pattern(s)));
    }
    if f.open_only {
        cond = cond.add(task::Column::Status.is_in([
            TaskStatus::Todo.as_str(),
            TaskStatus::Doing.as_str(),
            TaskStatus::Blocked.as_str(),
        ]));
    }
    if let Some(t) = f.due_before {
        cond = cond.add(task::Column::DueDate.lt(t.as_millis()));
    }
    let query = of(org).filter(cond);
    // NULLs sort first on SQLite and last on PostgreSQL: "no due date" is placed explicitly.
    let no_due_date_last = || Expr::col(task::Column::DueDate).is_null();
    let (query, order): (_, &[(task::Column, Order)]) = match f.sort {
        TaskSort::Newest => (
            query,
            &[
                (task::Column::CreatedAt, Order::Desc),
                (task::Column::Id, Order::Desc),
            ],
        ),
        TaskSort::Due => (
            query.order_by(no_due_date_last(), Order::Asc),
            &[
                (task::Column::DueDate, Order::Asc),
                (task::Column::Id, Order::Asc),
            ],
        ),
        TaskSort::Priority => (
            query
                .order_by(task::Column::Priority, Order::Asc)
                .order_by(no_due_date_last(), Order::Asc),
            &[
                (task::Column::DueDate, Order::Asc),
                (task::Column::Id, Order::Asc),
            ],
        ),
    };
    let (rows, total) = crate::paged_known(db, query, order, page, known_total).await?;
    Ok((rows, total))
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &TaskId,
) -> Result<Option<Task>, DbErr> {
    of(org)
        .filter(task::Column::Id.eq(id.as_str()))
        .one(db)
        .await
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    by: &UserId,
    f: &TaskFields,
    now: Timestamp,
) -> Result<TaskId, DbErr> {
    let id = TaskId::generate();
    let mut am = f.active();
    am.id = Set(id.clone());
    am.organization_id = Set(org.clone());
    am.created_by_id = Set(by.clone());
    am.created_at = Set(now);
    am.updated_at = Set(now);
    task::Entity::insert(am).exec_without_returning(db).await?;
    orgs::tasks_changed(db, org).await?;
    Ok(id)
}

pub async fn update(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &TaskId,
    f: &TaskFields,
    now: Timestamp,
) -> Result<(), DbErr> {
    let mut am = f.active();
    am.updated_at = Set(now);
    task::Entity::update_many()
        .set(am)
        .filter(task::Column::OrganizationId.eq(org.as_str()))
        .filter(task::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    orgs::tasks_changed(db, org).await
}

pub async fn delete(db: &impl ConnectionTrait, org: &OrgId, id: &TaskId) -> Result<(), DbErr> {
    task::Entity::delete_many()
        .filter(task::Column::OrganizationId.eq(org.as_str()))
        .filter(task::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    orgs::tasks_changed(db, org).await
}

/// `(assignee, status, count)` over the organization's tasks, for the task-status report.
pub async fn count_by_assignee_and_status(
    db: &impl ConnectionTrait,
    org: &OrgId,
    assignee: Option<&PersonId>,
    initiative: Option<&InitiativeId>,
) -> Result<Vec<(Option<PersonId>, TaskStatus, u64)>, DbErr> {
    let mut q = of(org)
        .select_only()
        .column(task::Column::AssigneeId)
        .column(task::Column::Status)
        .column_as(task::Column::Id.count(), "n")
        .group_by(task::Column::AssigneeId)
        .group_by(task::Column::Status);
    if let Some(a) = assignee {
        q = q.filter(task::Column::AssigneeId.eq(a.as_str()));
    }
    if let Some(i) = initiative {
        q = q.filter(task::Column::InitiativeId.eq(i.as_str()));
    }
    let rows: Vec<(Option<String>, String, i64)> = q.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(a, s, n)| (a.map(PersonId::from_db), TaskStatus::from_db(&s), n as u64))
        .collect())
}
