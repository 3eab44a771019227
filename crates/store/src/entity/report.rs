use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub kind: String,
    pub parameters: String,
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
