//! A campaign's answers are shown only once enough people have answered: the minimum is kept
//! per campaign (never below 3, enforced by the service).

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
                .table(t("feedback_campaigns"))
                .add_column(
                    ColumnDef::new(t("min_responses"))
                        .integer()
                        .not_null()
                        .default(3),
                )
                .take(),
        )
        .await
    }
}
