//! A talking point of a one-on-one: written by one participant, checked off when discussed,
//! carried to the pair's next one-on-one while it is not.

use manageros_core::{OneOnOneId, OrgId, PersonId, TalkingPointId, TaskId, Timestamp, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "talking_points")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TalkingPointId,
    pub organization_id: OrgId,
    pub oneonone_id: OneOnOneId,
    pub author_id: PersonId,
    pub body: String,
    pub position: i32,
    pub done_at: Option<Timestamp>,
    pub carried_from_id: Option<OneOnOneId>,
    pub task_id: Option<TaskId>,
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
