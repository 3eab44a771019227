//! Schema migrations, written once for SQLite and PostgreSQL. Applied in order at start-up;
//! never edit one that has shipped, add a new one.
//!
//! Conventions: ids are the prefixed strings of `manageros_core::id`; timestamps are BIGINT
//! milliseconds since the epoch (UTC); every tenant table has `organization_id`, and its
//! indexes lead with it.

use sea_orm_migration::prelude::*;

/// The migrations in the order they run: each named once, as its module (`m00NN_….rs`).
macro_rules! migrations {
    ($($vis:vis $name:ident),+ $(,)?) => {
        $( $vis mod $name; )+

        pub struct Migrator;

        #[async_trait::async_trait]
        impl MigratorTrait for Migrator {
            fn migrations() -> Vec<Box<dyn MigrationTrait>> {
                vec![$(Box::new($name::Migration)),+]
            }
        }
    };
}

migrations! {
    m0001_accounts_and_people,
    m0002_invitations,
    m0003_work,
    m0004_oneonones,
    m0005_name_order_and_indexes,
    m0006_conversation,
    m0007_handoffs,
    m0008_campaign_minimum,
    m0009_person_link_log,
    m0010_email_verification,
    m0011_sessions_and_audit,
    m0012_names_version,
    m0013_outbox,
    m0014_rate_counters,
    pub m0015_oneonones_list_speed,
    m0016_handoff_items,
    m0017_value_checks,
    m0018_server_secrets,
    m0019_versions,
    m0020_versions_everywhere,
    m0021_recurring_series,
    m0022_notifications,
    m0023_parked_items,
    m0024_initiative_check_ins,
    m0025_oneonones_by_time,
    m0026_people_by_name_and_level,
    m0027_tasks_version,
}

/// A primary-key id column.
pub(crate) fn id_col(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .string()
        .not_null()
        .primary_key()
        .take()
}

/// A required reference to another row's id.
pub(crate) fn ref_col(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string().not_null().take()
}

/// An optional reference to another row's id.
pub(crate) fn ref_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string().null().take()
}

/// A required timestamp (milliseconds since the epoch).
pub(crate) fn ts(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
}

pub(crate) fn ts_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().take()
}

pub(crate) fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_tbl(from_table)
        .from_col(from_col)
        .to_tbl(to_table)
        .to_col(Alias::new("id"))
        .on_delete(on_delete)
        .take()
}

pub(crate) fn index(
    name: &str,
    table: impl IntoIden,
    cols: impl IntoIterator<Item = &'static str>,
) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(Alias::new(c));
    }
    idx.take()
}

/// How many migrations this binary knows.
pub fn migration_count() -> usize {
    Migrator::migrations().len()
}
