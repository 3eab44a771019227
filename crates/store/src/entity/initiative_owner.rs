use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "initiative_owners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub initiative_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: String,
    pub organization_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
