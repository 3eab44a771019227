use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiatives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub organization_id: String,
    pub title: String,
    pub summary: Option<String>,
    pub status: String,
    pub rag: String,
    pub confidence: i32,
    pub team_id: Option<String>,
    pub start_date: Option<i64>,
    pub target_date: Option<i64>,
    pub created_by_id: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Increased by every change (m0020): what a writer's `If-Match` is compared with.
    pub version: i64,
    /// The user who made the last change; none until the first one.
    pub updated_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
