//! Each organization counts the changes to the names its pages offer as choices (people,
//! initiatives, teams): `names_version` grows in the same transaction as every such write, so
//! a server can keep those names in memory and know, from the session lookup it makes anyway,
//! whether what it holds is current (`manageros_server::services::names`).

use super::m0003_work::t;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(t("organizations"))
                .add_column(
                    ColumnDef::new(t("names_version"))
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .take(),
        )
        .await
    }
}
