//! Verified email addresses: an account proves it owns its address (by a mailed link, or by
//! accepting an invitation mailed there) before it joins an organization or links to a person.
//! Accounts that exist when this runs count as verified. One-time tokens gain a purpose, so
//! that the verification link and the reset link share a table but never each other's use.

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
        m.alter_table(
            Table::alter()
                .table(t("users"))
                .add_column(ColumnDef::new(t("email_verified_at")).big_integer().null())
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("UPDATE users SET email_verified_at = created_at")
            .await?;
        m.alter_table(
            Table::alter()
                .table(t("password_resets"))
                .add_column(
                    ColumnDef::new(t("purpose"))
                        .string()
                        .not_null()
                        .default("reset"),
                )
                .take(),
        )
        .await?;
        Ok(())
    }
}
