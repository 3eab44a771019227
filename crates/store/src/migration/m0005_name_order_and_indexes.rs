//! Names sort the same on both databases, and two indexes the lists want.
//!
//! Lists sort by `LOWER(name)`. SQLite compares text byte by byte; PostgreSQL by the
//! database's collation, which on many servers (e.g. `en_US.UTF-8`) ignores spaces and
//! punctuation at first. The name columns get the byte-order collation `"C"` on PostgreSQL, so
//! a page is the same on either database (and does not depend on how the server was set up).

use super::index;
use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            for table in ["persons", "users", "teams"] {
                m.get_connection()
                    .execute_unprepared(&format!(
                        r#"ALTER TABLE "{table}" ALTER COLUMN "name" TYPE varchar COLLATE "C""#
                    ))
                    .await?;
            }
        }
        m.create_index(index(
            "idx_campaign_invites_org_campaign",
            Alias::new("campaign_invites"),
            ["organization_id", "campaign_id", "email"],
        ))
        .await?;
        // The instances list orders by (scheduled_at, id): the index now holds both.
        m.drop_index(
            Index::drop()
                .name("idx_meeting_instances_meeting")
                .table(Alias::new("meeting_instances"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "idx_meeting_instances_meeting",
            Alias::new("meeting_instances"),
            ["organization_id", "meeting_id", "scheduled_at", "id"],
        ))
        .await?;
        Ok(())
    }
}
