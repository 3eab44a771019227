//! Issue 30: a list of people costs what it shows. Every list of people sorts by
//! `LOWER(name), id`, which the old `(organization_id, name, id)` index cannot give in order: a
//! page of the directory sorted the whole organization (10,000 people: 6 ms). Two indexes on
//! that expression serve a page, and a level of the org chart (a manager's reports by name),
//! from the index alone. The second supersedes `idx_persons_org_manager`, its prefix.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_persons_org_lower_name ON persons (organization_id, LOWER(name), id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_persons_org_manager_name \
             ON persons (organization_id, manager_id, LOWER(name), id)",
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("idx_persons_org_manager")
                .table(Alias::new("persons"))
                .to_owned(),
        )
        .await
    }
}
