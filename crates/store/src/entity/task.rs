//! A task row, typed: ids, the status and timestamps are the domain's own types (SeaORM value
//! types), so the row is the repository's `Task` with no copy in between.

use manageros_core::{
    InitiativeId, OneOnOneId, OrgId, PersonId, TaskId, TaskStatus, Timestamp, UserId,
};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TaskId,
    pub organization_id: OrgId,
    pub title: String,
    pub description: Option<String>,
    pub status: TaskStatus,
    pub priority: i32,
    pub due_date: Option<Timestamp>,
    pub assignee_id: Option<PersonId>,
    pub initiative_id: Option<InitiativeId>,
    pub created_by_id: UserId,
    /// The one-on-one whose talking point this task came from (an action item).
    pub oneonone_id: Option<OneOnOneId>,
    pub completed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change (m0020): what a writer's `If-Match` is compared with.
    pub version: i64,
    /// The user who made the last change; none until the first one.
    pub updated_by: Option<UserId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
