use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub slug: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Grows with every change to the organization's people, initiatives or teams
    /// (`repo::orgs::names_changed`).
    pub names_version: i64,
    pub oneonones_version: i64,
    /// Grows with every task written (`repo::orgs::tasks_changed`): kept task totals are
    /// used only at the version they were counted at.
    pub tasks_version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
