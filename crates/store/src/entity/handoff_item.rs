//! One item a handoff offers, as it was when the manager changed (m0016).

use manageros_core::{HandoffId, OrgId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "handoff_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub handoff_id: HandoffId,
    /// A talking point's id (`kind` = `point`) or a task's id (`kind` = `task`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_id: String,
    pub organization_id: OrgId,
    pub kind: String,
    pub text: String,
    /// A point whose one-on-one a reorg cancelled, the pair having no other (m0023): the
    /// one-on-one it was on, its author and when it was written.
    pub parked_from: Option<String>,
    pub author_id: Option<String>,
    pub written_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
