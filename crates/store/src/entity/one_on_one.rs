use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "one_on_ones")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub organization_id: String,
    pub manager_id: String,
    pub report_id: String,
    pub scheduled_at: i64,
    pub notes: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub updated_by: Option<String>,
    pub ends_at: i64,
    pub series_id: Option<String>,
    pub occurrence_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
