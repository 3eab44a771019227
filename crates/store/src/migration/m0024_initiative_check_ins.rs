//! Initiative check-ins (issue 28): an initiative's owners (and admins) post where it stands —
//! status, RAG, confidence and a short note — and the initiative keeps every check-in as its
//! history. The author's name is kept as it was when they wrote it, so the history reads the
//! same after they leave. A check-in goes with its initiative (CASCADE).

use super::m0003_work::{create, int_col, str_col, t, text_null};
use super::{id_col, index, ref_col, ts};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};
        let one_of = |col: &str, values: &[&str]| {
            let mut c = str_col(col);
            c.check(Expr::col(t(col)).is_in(values.iter().copied()));
            c
        };
        let mut confidence = int_col("confidence");
        confidence.check(Expr::col(t("confidence")).between(0, 100));
        create(
            m,
            "initiative_check_ins",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("initiative_id")),
                ref_col(t("author_id")),
                str_col("author_name"),
                one_of(
                    "status",
                    &["planned", "in_progress", "paused", "done", "canceled"],
                ),
                one_of("rag", &["green", "amber", "red"]),
                confidence,
                text_null("note"),
                ts(t("created_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("initiative_id", "initiatives", Cascade),
                ("author_id", "users", Restrict),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_initiative_check_ins_initiative",
            t("initiative_check_ins"),
            ["organization_id", "initiative_id", "created_at", "id"],
        ))
        .await
    }
}
