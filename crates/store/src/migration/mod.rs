//! Schema migrations, written once for SQLite and PostgreSQL. Applied in order at start-up;
//! never edit one that has shipped, add a new one.
//!
//! Conventions: ids are the prefixed strings of `manageros_core::id`; timestamps are BIGINT
//! milliseconds since the epoch (UTC); every tenant table has `organization_id`, and its
//! indexes lead with it.

use sea_orm_migration::prelude::*;

mod m0001_accounts_and_people;
mod m0002_invitations;
mod m0003_work;
mod m0004_oneonones;
mod m0005_name_order_and_indexes;
mod m0006_conversation;
mod m0007_handoffs;
mod m0008_campaign_minimum;
mod m0009_person_link_log;
mod m0010_email_verification;
mod m0011_sessions_and_audit;
mod m0012_names_version;
mod m0013_outbox;
mod m0014_rate_counters;
pub mod m0015_oneonones_list_speed;
mod m0016_handoff_items;
mod m0017_value_checks;
mod m0018_server_secrets;
mod m0019_versions;
mod m0020_versions_everywhere;
mod m0021_recurring_series;
mod m0022_notifications;
mod m0023_parked_items;
mod m0024_initiative_check_ins;
mod m0025_oneonones_by_time;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_accounts_and_people::Migration),
            Box::new(m0002_invitations::Migration),
            Box::new(m0003_work::Migration),
            Box::new(m0004_oneonones::Migration),
            Box::new(m0005_name_order_and_indexes::Migration),
            Box::new(m0006_conversation::Migration),
            Box::new(m0007_handoffs::Migration),
            Box::new(m0008_campaign_minimum::Migration),
            Box::new(m0009_person_link_log::Migration),
            Box::new(m0010_email_verification::Migration),
            Box::new(m0011_sessions_and_audit::Migration),
            Box::new(m0012_names_version::Migration),
            Box::new(m0013_outbox::Migration),
            Box::new(m0014_rate_counters::Migration),
            Box::new(m0015_oneonones_list_speed::Migration),
            Box::new(m0016_handoff_items::Migration),
            Box::new(m0017_value_checks::Migration),
            Box::new(m0018_server_secrets::Migration),
            Box::new(m0019_versions::Migration),
            Box::new(m0020_versions_everywhere::Migration),
            Box::new(m0021_recurring_series::Migration),
            Box::new(m0022_notifications::Migration),
            Box::new(m0023_parked_items::Migration),
            Box::new(m0024_initiative_check_ins::Migration),
            Box::new(m0025_oneonones_by_time::Migration),
        ]
    }
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
