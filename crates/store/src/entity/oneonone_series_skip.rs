//! An occurrence of a series that was skipped: it is never created again.

use manageros_core::{OrgId, SeriesId, Timestamp};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oneonone_series_skips")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: OrgId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub series_id: SeriesId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub occurrence_at: Timestamp,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
