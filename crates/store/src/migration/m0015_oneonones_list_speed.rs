//! Three things for the one-on-ones list's speed (docs/BENCHMARKS.md, issue 13):
//!
//! - **`organizations.oneonones_version`** counts the writes to an organization's one-on-ones
//!   (`repo::orgs::oneonones_changed`, in the same transaction as each). A server keeps each
//!   person's one-on-one total in memory by that version, so a list need not count on every
//!   request (`manageros_server::services::oneonones`).
//! - **Each side's index holds the other person.** The two indexes the list reads (the
//!   caller as manager, as report) end with the other participant's id, so a sort by name
//!   reads every one-on-one of the caller from the index alone, without visiting the rows.
//! - **Ids compare byte by byte on PostgreSQL.** Every id, reference and token hash column
//!   gets the `"C"` collation. In a database whose default collation is a locale (`C.UTF-8`,
//!   `en_US.UTF-8`…), each comparison in an index on such a column otherwise calls the C
//!   library's `strcoll`; ids are ASCII, so their order is the same (and the same as SQLite's,
//!   which compares bytes). Names have had it since m0005.

use super::{index, m0003_work::t};
use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Whether a column holds an id, a reference to one, or a token's hash.
pub fn is_key_column(name: &str) -> bool {
    name == "id" || name.ends_with("_id") || name == "token_hash"
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(t("organizations"))
                .add_column(
                    ColumnDef::new(t("oneonones_version"))
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .take(),
        )
        .await?;
        for (name, side, other) in [
            ("idx_oneonones_manager", "manager_id", "report_id"),
            ("idx_oneonones_report", "report_id", "manager_id"),
        ] {
            m.drop_index(Index::drop().name(name).table(t("one_on_ones")).to_owned())
                .await?;
            m.create_index(index(
                name,
                t("one_on_ones"),
                ["organization_id", side, "scheduled_at", "id", other],
            ))
            .await?;
        }
        let db = m.get_connection();
        if db.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let columns = db
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT c.table_name, c.column_name FROM information_schema.columns c \
                 JOIN information_schema.tables t \
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 AND c.data_type = 'character varying' \
                 AND c.table_name <> 'seaql_migrations' \
                 AND (c.collation_name IS NULL OR c.collation_name <> 'C') \
                 ORDER BY c.table_name, c.ordinal_position",
            ))
            .await?;
        let mut by_table: Vec<(String, Vec<String>)> = Vec::new();
        for row in columns {
            let table: String = row.try_get("", "table_name")?;
            let column: String = row.try_get("", "column_name")?;
            if !is_key_column(&column) {
                continue;
            }
            match by_table.last_mut() {
                Some((t, cols)) if *t == table => cols.push(column),
                _ => by_table.push((table, vec![column])),
            }
        }
        // One statement per table: its indexes are rebuilt once. The foreign keys between
        // columns that change together stay valid (equality is the same bytes either way).
        for (table, cols) in by_table {
            let alters: Vec<String> = cols
                .iter()
                .map(|c| format!("ALTER COLUMN \"{c}\" TYPE varchar COLLATE \"C\""))
                .collect();
            db.execute_unprepared(&format!("ALTER TABLE \"{table}\" {}", alters.join(", ")))
                .await?;
        }
        Ok(())
    }
}
