//! What a handoff offers, fixed when the manager changed (issue 24): the old relationship's
//! open talking points and action items as they were then, with their text. A point written
//! or an edit made after the change is not part of the offer, so setting a report's manager
//! to oneself is no window onto the old pair's agenda.

use super::{
    index,
    m0003_work::{create, t},
    ref_col,
};
use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

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
            "handoff_items",
            vec![
                ref_col(t("handoff_id")),
                ref_col(t("item_id")),
                ref_col(t("organization_id")),
                // `point` (a talking point's id) or `task` (an action item's task id).
                ColumnDef::new(t("kind"))
                    .string()
                    .not_null()
                    .check(Expr::col(t("kind")).is_in(["point", "task"]))
                    .take(),
                // The point's text or the task's title when the manager changed.
                ColumnDef::new(t("text")).text().not_null().take(),
            ],
            &[
                ("handoff_id", "handoffs", Cascade),
                ("organization_id", "organizations", Restrict),
            ],
            Some(&["handoff_id", "item_id"]),
        )
        .await?;
        m.create_index(index(
            "idx_handoff_items_org",
            t("handoff_items"),
            ["organization_id", "handoff_id"],
        ))
        .await?;
        let db = m.get_connection();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            // Ids compare byte by byte, as every other key column since m0015.
            db.execute_unprepared(
                "ALTER TABLE \"handoff_items\" \
                 ALTER COLUMN \"handoff_id\" TYPE varchar COLLATE \"C\", \
                 ALTER COLUMN \"item_id\" TYPE varchar COLLATE \"C\", \
                 ALTER COLUMN \"organization_id\" TYPE varchar COLLATE \"C\"",
            )
            .await?;
        }
        Ok(())
    }
}
