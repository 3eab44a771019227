//! Issue 30: the task list's `totalCount` counted the organization's tasks on every request
//! (30,000 tasks: 2–8 ms). `organizations.tasks_version` grows with every task written, in
//! the write's transaction (`repo::orgs::tasks_changed`), so a total counted once is kept by
//! each server until a task changes, as the one-on-ones' are (`services::totals`).

use super::m0003_work::t;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(t("organizations"))
                .add_column(
                    ColumnDef::new(t("tasks_version"))
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .take(),
        )
        .await
    }
}
