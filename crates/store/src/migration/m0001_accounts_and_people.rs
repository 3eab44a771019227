//! Accounts and the org chart: organizations, users, their sessions and password resets, and
//! the people and teams that users are linked to.

use super::{fk, id_col, index, ref_col, ref_null, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Slug,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    OrganizationId,
    Name,
    Description,
    ParentId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
    OrganizationId,
    Name,
    Email,
    Role,
    Status,
    TeamId,
    ManagerId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Name,
    Email,
    PasswordHash,
    Role,
    OrganizationId,
    PersonId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Organizations::Table)
                .col(id_col(Organizations::Id))
                .col(ColumnDef::new(Organizations::Name).string().not_null())
                .col(
                    ColumnDef::new(Organizations::Slug)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ts(Organizations::CreatedAt))
                .col(ts(Organizations::UpdatedAt))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Teams::Table)
                .col(id_col(Teams::Id))
                .col(ref_col(Teams::OrganizationId))
                .col(ColumnDef::new(Teams::Name).string().not_null())
                .col(ColumnDef::new(Teams::Description).text().null())
                .col(ref_null(Teams::ParentId))
                .col(ts(Teams::CreatedAt))
                .col(ts(Teams::UpdatedAt))
                .foreign_key(&mut fk(
                    Teams::Table,
                    Teams::OrganizationId,
                    Organizations::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Teams::Table,
                    Teams::ParentId,
                    Teams::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_teams_org_name",
            Teams::Table,
            ["organization_id", "name"],
        ))
        .await?;
        m.create_index(index(
            "idx_teams_org_parent",
            Teams::Table,
            ["organization_id", "parent_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Persons::Table)
                .col(id_col(Persons::Id))
                .col(ref_col(Persons::OrganizationId))
                .col(ColumnDef::new(Persons::Name).string().not_null())
                .col(ColumnDef::new(Persons::Email).string().null())
                .col(ColumnDef::new(Persons::Role).string().null())
                .col(ColumnDef::new(Persons::Status).string().not_null())
                .col(ref_null(Persons::TeamId))
                .col(ref_null(Persons::ManagerId))
                .col(ts(Persons::CreatedAt))
                .col(ts(Persons::UpdatedAt))
                .foreign_key(&mut fk(
                    Persons::Table,
                    Persons::OrganizationId,
                    Organizations::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Persons::Table,
                    Persons::TeamId,
                    Teams::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Persons::Table,
                    Persons::ManagerId,
                    Persons::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
        for (name, cols) in [
            (
                "idx_persons_org_name",
                ["organization_id", "name", "id"].as_slice(),
            ),
            ("idx_persons_org_email", &["organization_id", "email"]),
            ("idx_persons_org_team", &["organization_id", "team_id"]),
            (
                "idx_persons_org_manager",
                &["organization_id", "manager_id"],
            ),
        ] {
            m.create_index(index(name, Persons::Table, cols.iter().copied()))
                .await?;
        }

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(id_col(Users::Id))
                .col(ColumnDef::new(Users::Name).string().not_null())
                .col(
                    ColumnDef::new(Users::Email)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Users::PasswordHash).string().not_null())
                .col(ColumnDef::new(Users::Role).string().not_null())
                .col(ref_null(Users::OrganizationId))
                // A person is linked to at most one user: the unique index is the last line
                // behind the "already linked" checks, also under concurrent requests.
                .col(ref_null(Users::PersonId).unique_key())
                .col(ts(Users::CreatedAt))
                .col(ts(Users::UpdatedAt))
                .foreign_key(&mut fk(
                    Users::Table,
                    Users::OrganizationId,
                    Organizations::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    Users::Table,
                    Users::PersonId,
                    Persons::Table,
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_users_org_role",
            Users::Table,
            ["organization_id", "role"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(id_col(Sessions::Id))
                .col(ref_col(Sessions::UserId))
                .col(
                    ColumnDef::new(Sessions::TokenHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ts(Sessions::CreatedAt))
                .col(ts(Sessions::ExpiresAt))
                .foreign_key(&mut fk(
                    Sessions::Table,
                    Sessions::UserId,
                    Users::Table,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("idx_sessions_user", Sessions::Table, ["user_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table(PasswordResets::Table)
                .col(id_col(PasswordResets::Id))
                .col(ref_col(PasswordResets::UserId))
                .col(
                    ColumnDef::new(PasswordResets::TokenHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ts(PasswordResets::CreatedAt))
                .col(ts(PasswordResets::ExpiresAt))
                .col(ts_null(PasswordResets::UsedAt))
                .foreign_key(&mut fk(
                    PasswordResets::Table,
                    PasswordResets::UserId,
                    Users::Table,
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_password_resets_user",
            PasswordResets::Table,
            ["user_id"],
        ))
        .await?;
        Ok(())
    }
}
