//! The admins' list of every one-on-one of the organization (issue 28) reads them latest
//! first: an index on `(organization_id, scheduled_at, id)` serves a page without sorting the
//! organization's one-on-ones.

use super::index;
use super::m0003_work::t;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            "idx_oneonones_org_scheduled",
            t("one_on_ones"),
            ["organization_id", "scheduled_at", "id"],
        ))
        .await
    }
}
