//! One participant's private notes on a one-on-one: read by their author only.

use manageros_core::{OneOnOneId, OrgId, PrivateNoteId, Timestamp, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oneonone_private_notes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PrivateNoteId,
    pub organization_id: OrgId,
    pub oneonone_id: OneOnOneId,
    pub author_user_id: UserId,
    pub body: String,
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
