//! Notifications (issue 27): each user's choice of emails, time zone and reminder lead; the
//! keys of the notifications already sent, so that each goes out once however many replicas
//! look for it; and the unsubscribe link an email carries in its `List-Unsubscribe` header.

use super::{
    m0003_work::{create, t},
    ref_col, ts,
};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

use ForeignKeyAction::Restrict;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        for (table, col) in [
            // An IANA zone; none until the browser or the user says.
            (
                "users",
                ColumnDef::new(t("time_zone")).string().null().take(),
            ),
            // The kinds the user gets, comma-separated; none: the defaults.
            (
                "users",
                ColumnDef::new(t("notifications")).string().null().take(),
            ),
            // Reminders go at 09:00 this many days before a one-on-one (0: its morning).
            (
                "users",
                ColumnDef::new(t("reminder_days_before"))
                    .integer()
                    .not_null()
                    .default(1)
                    .take(),
            ),
            (
                "outbox",
                ColumnDef::new(t("unsubscribe_url")).string().null().take(),
            ),
        ] {
            let mut col = col;
            m.alter_table(Table::alter().table(t(table)).add_column(&mut col).take())
                .await?;
        }
        create(
            m,
            "notifications_sent",
            vec![
                ref_col(t("organization_id")),
                // kind:entity:occurrence:user, e.g. `reminder:oneonone_…:<start>:user_…`.
                ref_col(t("key")),
                ts(t("created_at")),
            ],
            &[("organization_id", "organizations", Restrict)],
            Some(&["organization_id", "key"]),
        )
        .await?;
        m.create_index(super::index(
            "idx_notifications_sent_age",
            t("notifications_sent"),
            ["created_at"],
        ))
        .await?;
        Ok(())
    }
}
