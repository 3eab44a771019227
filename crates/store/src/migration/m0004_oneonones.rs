//! One-on-ones and their access log.

use super::{fk, id_col, index, ref_col, ts};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn t(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(t("one_on_ones"))
                .col(id_col(t("id")))
                .col(ref_col(t("organization_id")))
                .col(ref_col(t("manager_id")))
                .col(ref_col(t("report_id")))
                .col(ts(t("scheduled_at")))
                .col(ColumnDef::new(t("notes")).text().null())
                .col(ts(t("created_at")))
                .col(ts(t("updated_at")))
                .foreign_key(&mut fk(
                    t("one_on_ones"),
                    t("organization_id"),
                    t("organizations"),
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    t("one_on_ones"),
                    t("manager_id"),
                    t("persons"),
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    t("one_on_ones"),
                    t("report_id"),
                    t("persons"),
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        // The caller's one-on-ones are those where their person is the manager or the report:
        // one index for each side, each already in the default order (scheduledAt, id).
        m.create_index(index(
            "idx_oneonones_manager",
            t("one_on_ones"),
            ["organization_id", "manager_id", "scheduled_at", "id"],
        ))
        .await?;
        m.create_index(index(
            "idx_oneonones_report",
            t("one_on_ones"),
            ["organization_id", "report_id", "scheduled_at", "id"],
        ))
        .await?;

        // Who opened, changed or deleted a one-on-one without taking part in it. Kept when the
        // one-on-one is deleted (no foreign key): an audit trail outlives what it audits.
        m.create_table(
            Table::create()
                .table(t("oneonone_access_log"))
                .col(id_col(t("id")))
                .col(ref_col(t("organization_id")))
                .col(ref_col(t("oneonone_id")))
                .col(ref_col(t("user_id")))
                .col(ColumnDef::new(t("action")).string().not_null())
                .col(ts(t("at")))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_access_log_oneonone",
            t("oneonone_access_log"),
            ["organization_id", "oneonone_id", "at"],
        ))
        .await?;
        Ok(())
    }
}
