//! ManagerOS storage on SQLite or PostgreSQL through one code path (SeaORM).
//!
//! - [`connect`] opens a pool tuned for the backend the URL names;
//! - [`migrate`] brings the schema up to date (migrations are written once, for both);
//! - the repository modules hold every query. Each function that touches tenant data takes
//!   the organization id, so no query can forget it (docs/ARCHITECTURE.md, "Tenant isolation by construction").

pub mod entity;
pub mod migration;
pub mod repo;

use sea_orm::{
    ConnectOptions, Database, DbBackend, SqlErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

pub use sea_orm::{
    self, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionSession,
};

/// Options beyond the URL.
#[derive(Clone, Debug, Default)]
pub struct DbOptions {
    pub max_connections: Option<u32>,
}

/// Opens a connection pool. SQLite URLs (`sqlite://path`) create the file if it is missing and
/// run in WAL mode with a busy timeout and foreign keys on; `postgres://` URLs get a pool
/// sized to the machine.
pub async fn connect(url: &str, options: &DbOptions) -> Result<DatabaseConnection, DbErr> {
    let mut opt = ConnectOptions::new(url.to_owned());
    // Every statement at `debug` (RUST_LOG=sqlx=debug shows them), slow ones at `warn`.
    opt.sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
    if url.starts_with("sqlite:") {
        use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
        // Readers run in parallel under WAL; writers take turns (see `begin_write`).
        opt.max_connections(options.max_connections.unwrap_or(cpus * 4))
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .pragma("temp_store", "memory")
            });
    } else {
        // Each connection is a PostgreSQL process competing for the same cores: a pool of about
        // twice the cores keeps them busy without thrashing (more waits in the pool instead).
        opt.max_connections(options.max_connections.unwrap_or(cpus * 2 + 1))
            .min_connections(1);
    }
    Database::connect(opt).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    migration::Migrator::up(db, None).await
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a read-then-write sequence then cannot fail half-way with "database
/// is locked" when another writer commits first, and invariants checked inside it hold until
/// it commits. On PostgreSQL it is an ordinary transaction; invariants that span rows take a
/// row lock (see [`repo::orgs::lock`]).
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Whether the database refused a write because of a unique index: the last line behind a
/// check-then-insert, turned into a 409 by the caller.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Whether the database refused a write because a referenced row is missing or a row is
/// still referenced.
pub fn is_foreign_key_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    )
}

/// Answers when the database does.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

pub fn backend_name(db: &impl ConnectionTrait) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Sqlite => "sqlite",
        DbBackend::Postgres => "postgres",
        _ => "other",
    }
}

/// A case-insensitive "contains" pattern for `LOWER(col) LIKE …` in which `%`, `_` and `\`
/// typed by the user are literal characters.
pub(crate) fn contains_pattern(term: &str) -> sea_orm::sea_query::LikeExpr {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    sea_orm::sea_query::LikeExpr::new(p).escape('\\')
}

/// One page of `query` in `order` (which must end with a unique column, so pages never
/// overlap), and the number of rows the query matches.
pub(crate) async fn paged<E>(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<E>,
    order: &[(E::Column, sea_orm::Order)],
    page: manageros_core::Page,
) -> Result<(Vec<E::Model>, u64), DbErr>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
{
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let total = query.clone().count(db).await?;
    let mut q = query;
    for (col, dir) in order {
        q = q.order_by(*col, dir.clone());
    }
    let rows = q.offset(page.offset()).limit(page.limit).all(db).await?;
    Ok((rows, total))
}
