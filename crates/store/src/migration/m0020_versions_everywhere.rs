//! Versions on every other editable row (issue 26, after one-on-ones in m0019): talking
//! points, private notes, tasks, initiatives, meetings and their occurrences, people, teams,
//! feedback, feedback campaigns and reports. Each carries a number that every change
//! increases by one (`repo::versions::claim`) and who made the last change, so a write made
//! against an older version is refused (412) instead of silently wiping a colleague's.

use super::m0003_work::t;
use sea_orm_migration::prelude::*;

/// The tables whose rows a person edits, as `repo::versions::Versioned` names them.
pub const TABLES: [&str; 11] = [
    "talking_points",
    "oneonone_private_notes",
    "tasks",
    "initiatives",
    "meetings",
    "meeting_instances",
    "persons",
    "teams",
    "feedback",
    "feedback_campaigns",
    "reports",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            // One column per statement: SQLite alters a table one change at a time.
            m.alter_table(
                Table::alter()
                    .table(t(table))
                    .add_column(
                        ColumnDef::new(t("version"))
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .take(),
            )
            .await?;
            m.alter_table(
                Table::alter()
                    .table(t(table))
                    .add_column(ColumnDef::new(t("updated_by")).string().null())
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
