//! Parked handoff items (issue 27): a reorg cancels the old pair's upcoming one-on-ones; when
//! the pair never met, the open talking points have no other one-on-one to go to, so the
//! pending handoff keeps them — where they were, who wrote them and when — and moving them
//! writes them anew into the new pair's next one-on-one.

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
        // One column per statement: SQLite alters a table one change at a time.
        for col in [
            // The cancelled one-on-one the point was on (gone); none: not parked.
            ColumnDef::new(t("parked_from")).string().null().take(),
            ColumnDef::new(t("author_id")).string().null().take(),
            ColumnDef::new(t("written_at")).big_integer().null().take(),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(t("handoff_items"))
                    .add_column(&mut col)
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
