//! Organization invitations: one row per (organization, email), reissued on reactivation.

use super::{fk, id_col, index, ref_col, ref_null, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    OrganizationId,
    Email,
    Status,
    TokenHash,
    PersonId,
    InvitedById,
    CreatedAt,
    UpdatedAt,
    ExpiresAt,
    AcceptedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
}
#[derive(DeriveIden)]
enum Persons {
    Table,
}
#[derive(DeriveIden)]
enum Users {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(id_col(Invitations::Id))
                .col(ref_col(Invitations::OrganizationId))
                .col(ColumnDef::new(Invitations::Email).string().not_null())
                // pending | accepted | revoked; "expired" is derived from expires_at.
                .col(ColumnDef::new(Invitations::Status).string().not_null())
                // Hash of the one-time token of the emailed link; cleared once used or revoked.
                .col(
                    ColumnDef::new(Invitations::TokenHash)
                        .string()
                        .null()
                        .unique_key(),
                )
                .col(ref_null(Invitations::PersonId))
                .col(ref_col(Invitations::InvitedById))
                .col(ts(Invitations::CreatedAt))
                .col(ts(Invitations::UpdatedAt))
                .col(ts(Invitations::ExpiresAt))
                .col(ts_null(Invitations::AcceptedAt))
                .foreign_key(&mut fk(
                    Invitations::Table,
                    Invitations::OrganizationId,
                    Organizations::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Invitations::Table,
                    Invitations::PersonId,
                    Persons::Table,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    Invitations::Table,
                    Invitations::InvitedById,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        // One invitation per address and organization: concurrent invites of one address
        // cannot both succeed.
        m.create_index(
            index(
                "uq_invitations_org_email",
                Invitations::Table,
                ["organization_id", "email"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index(
            "idx_invitations_email",
            Invitations::Table,
            ["email", "status"],
        ))
        .await?;
        m.create_index(index(
            "idx_invitations_org_created",
            Invitations::Table,
            ["organization_id", "created_at"],
        ))
        .await?;
        Ok(())
    }
}
