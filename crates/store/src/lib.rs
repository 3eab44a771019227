//! ManagerOS storage on SQLite or PostgreSQL through one code path (SeaORM).
//!
//! - [`connect`] opens a pool tuned for the backend the URL names;
//! - [`migrate`] brings the schema up to date (migrations are written once, for both);
//! - the repository modules hold every query. Each function that touches tenant data takes
//!   the organization id, so no query can forget it (docs/ARCHITECTURE.md, "Tenant isolation by construction").

/// Declares an entity's writable fields once (`name: Type = default`), and from that one list
/// derives what each of them needs elsewhere: the struct a create or an update sets
/// (serializable in the API's camelCase, which is how a page's form shows a new one's
/// defaults), its `Default` (a new row's values), `of(&row)` (the fields a row holds now, for
/// an update to change some of) and `active()`, the row with every one of them `Set`.
///
/// `active()` sets `None` too: a cleared due date must be written as NULL, where SeaORM's
/// `DeriveIntoActiveModel` would leave a `None` field unset and so silently keep the old value.
macro_rules! writable {
    (
        $(#[$meta:meta])*
        pub struct $name:ident of $entity:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $default:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty ),+
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default ),+ }
            }
        }

        impl $name {
            /// The writable fields as `row` holds them.
            pub fn of(row: &$entity::Model) -> Self {
                Self { $( $field: row.$field.clone() ),+ }
            }

            /// A change setting every writable column, `None` included.
            fn active(&self) -> $entity::ActiveModel {
                $entity::ActiveModel {
                    $( $field: sea_orm::ActiveValue::Set(self.$field.clone()), )+
                    ..Default::default()
                }
            }
        }
    };
}

pub mod entity;
pub mod migration;
pub mod repo;

use sea_orm::{
    ConnectOptions, Database, DbBackend, ExecResult, QueryResult, SqlErr, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

pub use sea_orm::{
    self, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionSession,
};

/// How much of a SQLite file is read through a memory map (1 GiB of address space).
pub const SQLITE_MMAP_BYTES: u64 = 1 << 30;

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
        .acquire_timeout(Duration::from_secs(10))
        // A connection is checked (a round trip) only when it has been idle long enough to
        // have been dropped by the server or a proxy, not on every checkout: a request makes
        // one or two checkouts, and the check was as many extra round trips.
        .test_before_acquire_if_idle_for(Duration::from_secs(30));
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
                    // Pages are read through a shared memory map of the file instead of being
                    // copied into each connection's own page cache (2,000 KiB by default):
                    // the OS's cache of the file serves every connection (docs/BENCHMARKS.md,
                    // "SQLite"). Mapped pages count in the process's RSS, but they are the OS's
                    // file cache, shared and reclaimable, not the server's own memory.
                    .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
            });
    } else {
        // Each connection is a PostgreSQL process competing for the same cores: a pool of about
        // twice the cores keeps them busy without thrashing (more waits in the pool instead).
        opt.max_connections(options.max_connections.unwrap_or(cpus * 2 + 1))
            .min_connections(1);
        // Every statement is prepared once per connection (the driver keeps them); with
        // PostgreSQL's default `plan_cache_mode`, a statement whose parameters matter to the
        // planner is planned again on every execution, and for the one-on-ones list that
        // planning cost twice the execution (docs/BENCHMARKS.md, "Generic plans"). Every query
        // here is scoped by organization and by ids, so one plan per statement serves them
        // all. Set after connecting (not as a startup option), so PgBouncer passes it.
        opt.map_sqlx_postgres_pool_opts(|pool| {
            pool.after_connect(|conn, _| {
                Box::pin(async move {
                    use sea_orm::sqlx::Executor as _;
                    conn.execute("SET plan_cache_mode = force_generic_plan")
                        .await
                        .map(|_| ())
                })
            })
        });
        if loopback_without_tls_choice(url) {
            opt.map_sqlx_postgres_opts(|o| o.ssl_mode(sea_orm::sqlx::postgres::PgSslMode::Disable));
        }
    }
    Database::connect(opt).await
}

/// Whether a PostgreSQL URL names this machine explicitly (a loopback address, `localhost`, or a
/// Unix socket's directory in `?host=/…`) and leaves TLS to us: neither the URL's `sslmode` nor
/// `PGSSLMODE` says otherwise. Such a connection never leaves the machine, so it goes without
/// TLS, which otherwise costs every query its encryption (about 7% of the database's CPU under
/// load, docs/BENCHMARKS.md). Anything else keeps the driver's default (`prefer`): another
/// host, a host given only by `PGHOST`/`PGHOSTADDR` or `?hostaddr=`, or no host at all.
/// `sslmode=require` (or stricter) in the URL asks for TLS on loopback too.
fn loopback_without_tls_choice(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if std::env::var_os("PGSSLMODE").is_some() {
        return false;
    }
    let mut socket = None;
    for (k, v) in u.query_pairs() {
        match k.as_ref() {
            "sslmode" | "ssl-mode" | "hostaddr" => return false,
            "host" => socket = Some(v.starts_with('/')),
            _ => {}
        }
    }
    let local = |host: &str| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|a| a.is_loopback())
    };
    match (u.host_str().filter(|h| !h.is_empty()), socket) {
        // `?host=` overrides the URL's host in the driver.
        (_, Some(is_socket)) => is_socket,
        (Some(host), None) => local(host),
        (None, None) => false,
    }
}

/// Applies every pending migration. On PostgreSQL, replicas starting together take turns: all
/// pending migrations run in one transaction that first takes an advisory lock, so the first
/// replica applies them while the others wait, then find nothing left to do (and a failed
/// start leaves the schema as it was). SQLite is served by one process (docs/DEPLOYMENT.md).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return migration::Migrator::up(db, None).await;
    }
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await?;
    migration::Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// Keeps SQLite's planner statistics current: `PRAGMA optimize` analyzes the tables whose
/// statistics are missing or stale (at most 1,000 rows read per index). Without them SQLite
/// answered "these 20 people of the organization" by reading the organization's whole
/// name index instead of looking up 20 ids (10,000 people: the directory doubled). Run at
/// start and by the housekeeping; PostgreSQL's autovacuum does the same there.
pub async fn refresh_statistics(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    let txn = begin_write(db).await?;
    txn.execute_unprepared("PRAGMA analysis_limit = 1000")
        .await?;
    txn.execute_unprepared("PRAGMA optimize = 0x10002").await?;
    txn.commit().await
}

/// The advisory lock key of [`migrate`] ("MOSMIGR" in ASCII).
pub const MIGRATION_LOCK: i64 = 0x004d_4f53_4d49_4752;

/// Whether every migration this binary knows has been applied (a newer binary's extra ones
/// are fine: migrations only add).
pub async fn schema_current(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(migration::Migrator::get_pending_migrations(db)
        .await?
        .is_empty())
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a read-then-write sequence then cannot fail half-way with "database
/// is locked" when another writer commits first, and invariants checked inside it hold until
/// it commits. On PostgreSQL it is an ordinary transaction; invariants that span rows take a
/// row lock (see [`repo::orgs::lock`]).
///
/// On SQLite, writers of this process first queue for their turn, first come first served,
/// and only then ask SQLite for its lock. Left to SQLite alone, a writer that finds the lock
/// taken sleeps and retries with growing pauses (up to 100 ms each), so under a stream of
/// writes some writers lose every race and wait for seconds while later ones go first; in
/// the queue, each waits only for those ahead of it (docs/BENCHMARKS.md, "Largest bodies").
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTransaction, DbErr> {
    let turn = match db.get_database_backend() {
        DbBackend::Sqlite => Some(write_turn(db).lock_owned().await),
        _ => None,
    };
    let tx = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok(WriteTransaction { tx, _turn: turn })
}

/// The queue of this process's writers to one SQLite file (every pool on that file shares it).
fn write_turn(db: &DatabaseConnection) -> Arc<tokio::sync::Mutex<()>> {
    static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Default::default);
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut turns = TURNS.lock().unwrap_or_else(|e| e.into_inner());
    // A queue nobody is in is forgotten (a test run opens thousands of files); a writer in it
    // holds a clone, so it stays while anyone waits or writes.
    turns.retain(|_, turn| Arc::strong_count(turn) > 1);
    Arc::clone(turns.entry(file).or_default())
}

/// A transaction begun by [`begin_write`]. It is used like the [`DatabaseTransaction`] it
/// holds (which it dereferences to), and ends with [`commit`](Self::commit), or a rollback
/// when dropped; on SQLite it holds the process's turn to write until then.
pub struct WriteTransaction {
    tx: DatabaseTransaction,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTransaction {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.tx.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.tx.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.tx.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.tx.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.tx.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.tx.support_returning()
    }
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

/// The pool's connections `(in use, idle)`, for `/metrics`.
pub fn pool_use(db: &DatabaseConnection) -> Option<(u32, u32)> {
    let (size, idle) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle())
        }
        DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle())
        }
        _ => return None,
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    Some((size.saturating_sub(idle), idle))
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
    sea_orm::sea_query::LikeExpr::new(contains_pattern_text(term)).escape('\\')
}

/// The text of [`contains_pattern`]: `term` lowercased, its `%`, `_` and `\` escaped, between
/// two `%`.
pub(crate) fn contains_pattern_text(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
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
    paged_known(db, query, order, page, None).await
}

/// [`paged`], counting the rows only when their number is not `known` (kept by the caller).
pub(crate) async fn paged_known<E>(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<E>,
    order: &[(E::Column, sea_orm::Order)],
    page: manageros_core::Page,
    known: Option<u64>,
) -> Result<(Vec<E::Model>, u64), DbErr>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
{
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let total = match known {
        Some(n) => n,
        None => query.clone().count(db).await?,
    };
    let mut q = query;
    for (col, dir) in order {
        q = q.order_by(*col, dir.clone());
    }
    let rows = q.offset(page.offset()).limit(page.limit).all(db).await?;
    Ok((rows, total))
}

/// The backend's numbered placeholders `first`, `first + 1`, … (`$n` on PostgreSQL, `?n` on
/// SQLite), `count` of them, for raw SQL with a variable number of values.
pub(crate) fn placeholders(backend: DbBackend, first: usize, count: usize) -> Vec<String> {
    (first..first + count)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => format!("?{i}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::loopback_without_tls_choice as plain;

    /// The bundled SQLite is the one `.cargo/config.toml` asks for: plans that never depend on
    /// bound values (without it every statement with a `LIMIT ?` was prepared again on each
    /// execution) and no memory statistics (a global mutex per allocation).
    #[tokio::test]
    async fn sqlite_is_compiled_for_a_server() {
        use sea_orm::ConnectionTrait;
        let db = super::connect("sqlite::memory:", &super::DbOptions::default())
            .await
            .unwrap();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT sqlite_compileoption_used('ENABLE_QPSG'), \
                 sqlite_compileoption_used('DEFAULT_MEMSTATUS=0')",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 1, "ENABLE_QPSG");
        assert_eq!(
            row.try_get_by_index::<i64>(1).unwrap(),
            1,
            "DEFAULT_MEMSTATUS=0"
        );
    }

    #[test]
    fn tls_is_left_out_only_on_this_machine_and_only_when_the_url_does_not_choose() {
        if std::env::var_os("PGSSLMODE").is_some() {
            // The environment chooses for every URL; nothing here would be left to us.
            assert!(!plain("postgres://u@127.0.0.1:5432/db"));
            return;
        }
        assert!(plain("postgres://u@127.0.0.1:5432/db"));
        assert!(plain("postgres://u@localhost/db"));
        assert!(plain("postgres://u@[::1]:5432/db"));
        assert!(plain("postgres:///db?host=/var/run/postgresql"));
        assert!(!plain("postgres://u@db.internal:5432/db"));
        assert!(!plain("postgres://u@10.0.0.5/db"));
        assert!(!plain("postgres://u@127.0.0.1/db?sslmode=require"));
        assert!(!plain("postgres://u@127.0.0.1/db?sslmode=disable"));
        // A host the URL does not name here (the driver may take it from PGHOST).
        assert!(!plain("postgres:///db"));
        assert!(!plain("postgres:///db?host=db.internal"));
        assert!(!plain("postgres://u@127.0.0.1/db?host=db.internal"));
        assert!(!plain("postgres://u@127.0.0.1/db?hostaddr=10.0.0.5"));
    }
}
