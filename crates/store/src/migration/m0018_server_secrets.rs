//! Secrets every replica shares (issue 24): the key of the pages' form tokens, made once by
//! whichever server starts first (`repo::secrets::get_or_create`), kept in the database so
//! that a token one replica issued is accepted by the others, as kanidm keeps its keys.

use super::{m0003_work::t, ts};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(t("server_secrets"))
                .col(ColumnDef::new(t("name")).string().not_null().primary_key())
                .col(ColumnDef::new(t("value")).string().not_null())
                .col(ts(t("created_at")))
                .take(),
        )
        .await
    }
}
