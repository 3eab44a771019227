//! Versions for optimistic concurrency (issue 26): an editable row carries a number that
//! every write increases by one. A reader is given it (the API's `ETag`, the pages' hidden
//! field) and a writer may send it back (`If-Match`): a write made against an older version
//! is refused with 412 and changes nothing, so nobody's save silently wipes a colleague's.
//! One-on-ones first, with who made their last change (`updated_by`, for "Alex changed this
//! while you were editing"); the other editable tables follow the same way.

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
        m.alter_table(
            Table::alter()
                .table(t("one_on_ones"))
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
                .table(t("one_on_ones"))
                .add_column(ColumnDef::new(t("updated_by")).string().null())
                .take(),
        )
        .await
    }
}
