//! Rate-limit counters kept in the database, so that every replica counts against the same
//! budget (sign-ins per address and per account, emails per recipient and per organization):
//! one row per key and fixed window, added to with one upsert (`repo::limits`).

use super::{
    m0003_work::{int_col, str_col, t},
    ts,
};
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
                .table(t("rate_counters"))
                .col(str_col("key"))
                .col(ts(t("window_start")))
                .col(int_col("count"))
                .primary_key(Index::create().col(t("key")).col(t("window_start")))
                .take(),
        )
        .await?;
        // The housekeeping sweep deletes past windows.
        m.create_index(super::index(
            "idx_rate_counters_window",
            t("rate_counters"),
            ["window_start"],
        ))
        .await
    }
}
