//! Recurring one-on-ones (issue 27): a pair's series has a rule (cadence, first date, local
//! time, time zone, duration, optional last date), and its occurrences are ordinary
//! one-on-ones created ahead of time. A one-on-one gets an end (`ends_at`, 30 minutes after
//! its start for those that had none): it is over after its end, not two hours after its
//! start.

use super::{
    id_col, index,
    m0003_work::{create, int_col, str_col, t},
    ref_col, ref_null, ts,
};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

use ForeignKeyAction::{Cascade, Restrict, SetNull};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create(
            m,
            "oneonone_series",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                // The first and second participant of every occurrence.
                ref_col(t("manager_id")),
                ref_col(t("report_id")),
                str_col("cadence"),
                // Local date `YYYY-MM-DD` and time `HH:MM`, in `time_zone` (IANA).
                str_col("starts_on"),
                str_col("local_time"),
                str_col("time_zone"),
                int_col("duration_minutes"),
                ColumnDef::new(t("ends_on")).string().null().take(),
                // Occurrences starting before this instant have been created (or skipped).
                ts(t("created_through")),
                ref_null(t("created_by_id")),
                ts(t("created_at")),
                ts(t("updated_at")),
                ColumnDef::new(t("version"))
                    .big_integer()
                    .not_null()
                    .default(1)
                    .take(),
                ref_null(t("updated_by")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("manager_id", "persons", Cascade),
                ("report_id", "persons", Cascade),
                ("created_by_id", "users", SetNull),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_oneonone_series_pair",
            t("oneonone_series"),
            ["organization_id", "manager_id", "report_id"],
        ))
        .await?;
        m.create_index(index(
            "idx_oneonone_series_due",
            t("oneonone_series"),
            ["created_through"],
        ))
        .await?;

        // The occurrences a participant skipped (or deleted): never created again.
        create(
            m,
            "oneonone_series_skips",
            vec![
                ref_col(t("organization_id")),
                ref_col(t("series_id")),
                ts(t("occurrence_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("series_id", "oneonone_series", Cascade),
            ],
            Some(&["organization_id", "series_id", "occurrence_at"]),
        )
        .await?;

        // One column per statement: SQLite alters a table one change at a time.
        for col in [
            ColumnDef::new(t("ends_at"))
                .big_integer()
                .not_null()
                .default(0)
                .take(),
            ColumnDef::new(t("series_id")).string().null().take(),
            ColumnDef::new(t("occurrence_at"))
                .big_integer()
                .null()
                .take(),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(t("one_on_ones"))
                    .add_column(&mut col)
                    .take(),
            )
            .await?;
        }
        m.exec_stmt(
            Query::update()
                .table(t("one_on_ones"))
                .value(t("ends_at"), Expr::col(t("scheduled_at")).add(30 * 60_000))
                .to_owned(),
        )
        .await?;
        // An occurrence of a series exists once, however many schedulers create it at once.
        m.create_index(
            index(
                "idx_one_on_ones_occurrence",
                t("one_on_ones"),
                ["series_id", "occurrence_at"],
            )
            .unique()
            .take(),
        )
        .await?;
        Ok(())
    }
}
