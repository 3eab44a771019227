//! Sessions a user can recognise and revoke (the device, the address, when it was last
//! used), and each organization's audit log of security events.

use super::{
    id_col, index,
    m0003_work::{create, str_col, t, text_col},
    ref_col, ref_null, ts,
};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            ColumnDef::new(t("user_agent")).string().null().take(),
            ColumnDef::new(t("address")).string().null().take(),
            ColumnDef::new(t("last_used_at"))
                .big_integer()
                .null()
                .take(),
        ] {
            m.alter_table(Table::alter().table(t("sessions")).add_column(col).take())
                .await?;
        }

        create(
            m,
            "audit_events",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ts(t("at")),
                str_col("kind"),
                // Who did it (none for a failed sign-in), and whom or what it was about.
                ref_null(t("actor_user_id")),
                ref_null(t("subject_user_id")),
                ref_null(t("target_id")),
                text_col("detail"),
                ColumnDef::new(t("address")).string().null().take(),
            ],
            &[(
                "organization_id",
                "organizations",
                ForeignKeyAction::Cascade,
            )],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_audit_events_org_at",
            t("audit_events"),
            ["organization_id", "at"],
        ))
        .await?;
        // The retention sweep deletes by age across organizations.
        m.create_index(index("idx_audit_events_at", t("audit_events"), ["at"]))
            .await?;
        Ok(())
    }
}
