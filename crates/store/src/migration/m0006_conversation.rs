//! The conversation of a one-on-one: talking points (with the task one became), each
//! participant's private notes, the settings of a pair's series (its cadence), the link from a
//! task back to the one-on-one it came from, and each user's secret calendar feed.
//!
//! A one-on-one's points and private notes CASCADE with it; a task outlives the one-on-one it
//! came from (the service clears the link).

use super::{
    id_col, index,
    m0003_work::{create, int_col, str_col, t, text_col},
    ref_col, ref_null, ts, ts_null,
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
            "talking_points",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("oneonone_id")),
                ref_col(t("author_id")),
                text_col("body"),
                int_col("position"),
                ts_null(t("done_at")),
                // The one-on-one the point was first written on, once it has been carried over.
                ref_null(t("carried_from_id")),
                ref_null(t("task_id")),
                ts(t("created_at")),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("oneonone_id", "one_on_ones", Cascade),
                ("author_id", "persons", Restrict),
                ("task_id", "tasks", SetNull),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_talking_points_oneonone",
            t("talking_points"),
            ["organization_id", "oneonone_id", "position"],
        ))
        .await?;
        m.create_index(index(
            "idx_talking_points_carried_from",
            t("talking_points"),
            ["organization_id", "carried_from_id"],
        ))
        .await?;

        create(
            m,
            "oneonone_private_notes",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("oneonone_id")),
                ref_col(t("author_user_id")),
                text_col("body"),
                ts(t("created_at")),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("oneonone_id", "one_on_ones", Cascade),
                ("author_user_id", "users", Cascade),
            ],
            None,
        )
        .await?;
        m.create_index(
            index(
                "idx_private_notes_author",
                t("oneonone_private_notes"),
                ["organization_id", "oneonone_id", "author_user_id"],
            )
            .unique()
            .take(),
        )
        .await?;

        // A pair's series: `person_a` sorts before `person_b`, so a pair has one row whichever
        // of the two is the manager.
        create(
            m,
            "oneonone_pairs",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("person_a")),
                ref_col(t("person_b")),
                ColumnDef::new(t("cadence")).string().null().take(),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("person_a", "persons", Cascade),
                ("person_b", "persons", Cascade),
            ],
            None,
        )
        .await?;
        m.create_index(
            index(
                "idx_oneonone_pairs_pair",
                t("oneonone_pairs"),
                ["organization_id", "person_a", "person_b"],
            )
            .unique()
            .take(),
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table(t("tasks"))
                .add_column(ColumnDef::new(t("oneonone_id")).string().null())
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_tasks_org_oneonone",
            t("tasks"),
            ["organization_id", "oneonone_id"],
        ))
        .await?;

        // Not a tenant table: a user's feed follows them (it shows the one-on-ones of the
        // organization they belong to when it is read). Only a hash of the secret is kept.
        create(
            m,
            "calendar_feeds",
            vec![
                id_col(t("id")),
                ref_col(t("user_id")),
                str_col("token_hash"),
                ts(t("created_at")),
            ],
            &[("user_id", "users", Cascade)],
            None,
        )
        .await?;
        m.create_index(
            index("idx_calendar_feeds_user", t("calendar_feeds"), ["user_id"])
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "idx_calendar_feeds_token",
                t("calendar_feeds"),
                ["token_hash"],
            )
            .unique()
            .take(),
        )
        .await?;
        Ok(())
    }
}
