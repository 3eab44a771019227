//! The settings of the series of one-on-ones between two people (`person_a < person_b`).

use manageros_core::{OrgId, PairId, PersonId, Timestamp};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oneonone_pairs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PairId,
    pub organization_id: OrgId,
    pub person_a: PersonId,
    pub person_b: PersonId,
    pub cadence: Option<String>,
    pub updated_at: Timestamp,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
