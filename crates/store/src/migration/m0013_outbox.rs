//! The durable outbox: every email is a row, written in the transaction of the change that
//! causes it, and sent afterwards by a worker in any replica (`repo::outbox`), retried with
//! back-off, and marked sent or, after its last attempt, failed with the error.

use super::{
    id_col, index,
    m0003_work::{create, int_col, str_col, t, text_col, text_null},
    ref_null, ts, ts_null,
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
        create(
            m,
            "outbox",
            vec![
                id_col(t("id")),
                // The organization it belongs to (none for account mail: verification,
                // reset), and what it is about (an invitation), for admins to see its fate.
                ref_null(t("organization_id")),
                ColumnDef::new(t("about_id")).string().null().take(),
                str_col("recipient"),
                str_col("subject"),
                text_col("body"),
                text_col("html"),
                ts(t("created_at")),
                // pending, sent or failed.
                str_col("status"),
                int_col("attempts"),
                ts(t("next_attempt_at")),
                // A worker that claimed it, until when (a claim past its time is free again).
                ColumnDef::new(t("claimed_by")).string().null().take(),
                ts_null(t("claimed_until")),
                ts_null(t("sent_at")),
                text_null("last_error"),
            ],
            &[(
                "organization_id",
                "organizations",
                ForeignKeyAction::Cascade,
            )],
            None,
        )
        .await?;
        // The workers' claim: due pending rows, oldest first.
        m.create_index(index(
            "idx_outbox_status_due",
            t("outbox"),
            ["status", "next_attempt_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_outbox_org_about",
            t("outbox"),
            ["organization_id", "about_id"],
        ))
        .await?;
        Ok(())
    }
}
