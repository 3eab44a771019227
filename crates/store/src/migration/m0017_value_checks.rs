//! Every column that holds one of a closed set of values refuses any other (issue 24): a
//! stored value the code does not know must never be read as something it is not (an
//! unknown role once read as ADMIN). The lists are written out here, frozen with the
//! migration; a new value needs a new migration.
//!
//! PostgreSQL gets CHECK constraints. SQLite cannot add a constraint to an existing table
//! without rebuilding it, so it gets the same rule as triggers that abort an insert or an
//! update writing another value.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(table, column, allowed values, whether NULL is allowed)`.
const CHECKS: &[(&str, &str, &[&str], bool)] = &[
    ("users", "role", &["ADMIN", "USER"], false),
    (
        "invitations",
        "status",
        &["pending", "accepted", "revoked", "expired"],
        false,
    ),
    (
        "persons",
        "status",
        &["active", "inactive", "on_leave"],
        false,
    ),
    (
        "tasks",
        "status",
        &["todo", "doing", "blocked", "done", "dropped"],
        false,
    ),
    (
        "initiatives",
        "status",
        &["planned", "in_progress", "paused", "done", "canceled"],
        false,
    ),
    ("initiatives", "rag", &["green", "amber", "red"], false),
    ("feedback", "kind", &["praise", "concern", "note"], false),
    (
        "feedback_campaigns",
        "status",
        &["draft", "active", "completed", "cancelled"],
        false,
    ),
    (
        "reports",
        "kind",
        &["oneonone-cadence", "task-status"],
        false,
    ),
    (
        "oneonone_pairs",
        "cadence",
        &["weekly", "every-two-weeks", "monthly"],
        true,
    ),
];

/// The SQL condition that a row's value is allowed, for `value` (a column or `NEW.column`).
fn allowed(value: &str, values: &[&str], nullable: bool) -> String {
    let list = values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if nullable {
        format!("({value} IS NULL OR {value} IN ({list}))")
    } else {
        format!("({value} IS NOT NULL AND {value} IN ({list}))")
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (table, column, values, nullable) in CHECKS {
            if db.get_database_backend() == sea_orm::DbBackend::Postgres {
                db.execute_unprepared(&format!(
                    "ALTER TABLE \"{table}\" ADD CONSTRAINT \"{table}_{column}_allowed\" CHECK {}",
                    allowed(&format!("\"{column}\""), values, *nullable)
                ))
                .await?;
            } else {
                for (when, event) in [
                    ("insert", "INSERT".to_owned()),
                    ("update", format!("UPDATE OF \"{column}\"")),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER \"{table}_{column}_allowed_{when}\" BEFORE {event} ON \"{table}\" \
                         FOR EACH ROW WHEN NOT {} BEGIN \
                         SELECT RAISE(ABORT, 'CHECK constraint failed: {table}_{column}_allowed'); END",
                        allowed(&format!("NEW.\"{column}\""), values, *nullable)
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }
}
