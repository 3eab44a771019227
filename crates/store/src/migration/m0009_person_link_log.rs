//! Who was linked to which person, when, and by whom: a change of the user behind a person
//! changes who can read that person's one-on-ones, so every such change is kept and shown in
//! the access log of each of the person's one-on-ones. An access-log entry may also name a
//! person (the participant an update removed).
//!
//! Users linked when this migration runs get a `link` row at time 0 ("before the log"), so
//! that a later takeover of their person is recognised as one.

use super::{
    id_col, index,
    m0003_work::{create, str_col, t},
    ref_col, ts,
};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

use ForeignKeyAction::{Cascade, Restrict};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create(
            m,
            "person_link_log",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("person_id")),
                // Who made the change, and whose account was linked or unlinked.
                ref_col(t("by_user_id")),
                ref_col(t("user_id")),
                str_col("action"),
                ts(t("at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("person_id", "persons", Cascade),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_person_link_log_person",
            t("person_link_log"),
            ["organization_id", "person_id", "at"],
        ))
        .await?;
        m.alter_table(
            Table::alter()
                .table(t("oneonone_access_log"))
                .add_column(ColumnDef::new(t("person_id")).string().null())
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO person_link_log (id, organization_id, person_id, by_user_id, user_id, action, at) \
                 SELECT 'plink_' || id, organization_id, person_id, id, id, 'link', 0 FROM users \
                 WHERE person_id IS NOT NULL AND organization_id IS NOT NULL",
            )
            .await?;
        Ok(())
    }
}
