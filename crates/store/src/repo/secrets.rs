//! Secrets every replica shares (m0018): made by the first server that needs one, read by
//! all the others.

use manageros_core::Timestamp;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// The secret `name`: the stored one, or `fresh` stored now if there is none yet. Two
/// servers starting at once both insert; the primary key keeps the first, and both read it.
pub async fn get_or_create(
    db: &impl ConnectionTrait,
    name: &str,
    fresh: &str,
    now: Timestamp,
) -> Result<String, DbErr> {
    let backend = db.get_database_backend();
    let p = match backend {
        DbBackend::Postgres => ["$1", "$2", "$3"],
        _ => ["?", "?", "?"],
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ({}, {}, {}) \
             ON CONFLICT (name) DO NOTHING",
            p[0], p[1], p[2]
        ),
        [name.into(), fresh.into(), now.as_millis().into()],
    ))
    .await?;
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT value FROM server_secrets WHERE name = {}", p[0]),
            [name.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("server secret {name}")))?;
    row.try_get("", "value")
}
