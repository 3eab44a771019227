//! A pair's recurring series of one-on-ones: its rule, and how far ahead its occurrences exist.

use manageros_core::{OrgId, PersonId, SeriesId, Timestamp, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oneonone_series")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SeriesId,
    pub organization_id: OrgId,
    pub manager_id: PersonId,
    pub report_id: PersonId,
    pub cadence: String,
    pub starts_on: String,
    pub local_time: String,
    pub time_zone: String,
    pub duration_minutes: i32,
    pub ends_on: Option<String>,
    pub created_through: Timestamp,
    pub created_by_id: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    pub updated_by: Option<UserId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
