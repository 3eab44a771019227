//! Rate-limit counters shared by every replica: a count per key (`auth:<address>`,
//! `mail-to:<address>`…) and fixed window (its start, in milliseconds), added to with one
//! atomic upsert.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// Adds `n` to the counter of `key` in the window starting at `window_start`, and answers the
/// new count (this request's included).
pub async fn add(
    db: &impl ConnectionTrait,
    key: &str,
    window_start: i64,
    n: i64,
) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let p = match backend {
        DbBackend::Postgres => ["$1", "$2", "$3"],
        _ => ["?", "?", "?"],
    };
    let sql = format!(
        "INSERT INTO rate_counters (key, window_start, count) VALUES ({}, {}, {}) \
         ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + excluded.count \
         RETURNING count",
        p[0], p[1], p[2]
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [key.into(), window_start.into(), n.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("rate counter".into()))?;
    row.try_get::<i32>("", "count").map(i64::from)
}

/// The count of `key` in the window starting at `window_start` (0 when none).
pub async fn count(db: &impl ConnectionTrait, key: &str, window_start: i64) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT count FROM rate_counters WHERE key = $1 AND window_start = $2"
        }
        _ => "SELECT count FROM rate_counters WHERE key = ? AND window_start = ?",
    };
    Ok(db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [key.into(), window_start.into()],
        ))
        .await?
        .map(|r| r.try_get::<i32>("", "count"))
        .transpose()?
        .map_or(0, i64::from))
}

/// Forgets windows that started before `cutoff`.
pub async fn delete_before(db: &impl ConnectionTrait, cutoff: i64) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "DELETE FROM rate_counters WHERE window_start < $1",
        _ => "DELETE FROM rate_counters WHERE window_start < ?",
    };
    Ok(db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [cutoff.into()],
        ))
        .await?
        .rows_affected())
}
