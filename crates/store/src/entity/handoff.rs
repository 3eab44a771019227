//! A manager change, and what its two people did with the old relationship's open items.

use manageros_core::{HandoffId, OrgId, PersonId, Timestamp, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "handoffs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: HandoffId,
    pub organization_id: OrgId,
    pub person_id: PersonId,
    pub old_manager_id: PersonId,
    pub new_manager_id: PersonId,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub resolved_by_id: Option<UserId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
