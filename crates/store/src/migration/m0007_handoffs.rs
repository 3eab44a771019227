//! Handoffs: when a person's manager changes, the open talking points and action items of the
//! old relationship are offered to the person and the new manager, to move into the new one.

use super::{
    id_col, index,
    m0003_work::{create, t},
    ref_col, ref_null, ts, ts_null,
};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

use ForeignKeyAction::{Cascade, Restrict, SetNull};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create(
            m,
            "handoffs",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("person_id")),
                ref_col(t("old_manager_id")),
                ref_col(t("new_manager_id")),
                ts(t("created_at")),
                ts_null(t("resolved_at")),
                ref_null(t("resolved_by_id")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("person_id", "persons", Cascade),
                ("old_manager_id", "persons", Cascade),
                ("new_manager_id", "persons", Cascade),
                ("resolved_by_id", "users", SetNull),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_handoffs_person",
            t("handoffs"),
            ["organization_id", "person_id", "resolved_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_handoffs_new_manager",
            t("handoffs"),
            ["organization_id", "new_manager_id", "resolved_at"],
        ))
        .await?;
        Ok(())
    }
}
