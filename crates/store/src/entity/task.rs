//! A task row, typed: ids, the status and timestamps are the domain's own types (SeaORM value
//! types), so the row is the repository's `Task` with no copy in between.
//!
//! The row is also the task of the JSON API (`TaskView` in the OpenAPI document): its serde
//! and schema attributes say how each column is written, and the columns that are not part of
//! the contract are skipped. A new column is in the API's answers as soon as it is here; the
//! snapshot tests (`tests/api/snapshots/task.snap`) show the change to be accepted.

use manageros_core::{
    InitiativeId, OneOnOneId, OrgId, PersonId, TaskId, TaskStatus, Timestamp, UserId,
};
use sea_orm::entity::prelude::*;

/// A task.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, utoipa::ToSchema)]
#[sea_orm(table_name = "tasks")]
#[serde(rename_all = "camelCase")]
#[schema(as = TaskView)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    #[schema(value_type = String)]
    pub id: TaskId,
    #[serde(skip)]
    pub organization_id: OrgId,
    pub title: String,
    pub description: Option<String>,
    /// `todo`, `doing`, `blocked`, `done` or `dropped`.
    #[schema(value_type = String)]
    pub status: TaskStatus,
    /// 1 (highest) to 5.
    pub priority: i32,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_date: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<PersonId>,
    #[schema(value_type = Option<String>)]
    pub initiative_id: Option<InitiativeId>,
    #[schema(value_type = String)]
    pub created_by_id: UserId,
    /// The one-on-one whose talking point became this task (an action item).
    #[serde(rename = "oneOnOneId")]
    #[schema(value_type = Option<String>)]
    pub oneonone_id: Option<OneOnOneId>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    /// The user who made the last change; none until the first one.
    #[serde(skip)]
    pub updated_by: Option<UserId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
