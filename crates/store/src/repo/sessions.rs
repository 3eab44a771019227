//! Sign-in sessions. Only a hash of each token is stored, so a copy of the database does not
//! let anyone sign in.

use super::users::User;
use crate::entity::{organization, person, session, user};
use manageros_core::{SessionId, Timestamp, UserId};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryFilter, prelude::*};

/// Where a session was opened from, as the client said: shown to its owner so they can
/// recognise it, never trusted for anything else.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Device {
    pub user_agent: Option<String>,
    pub address: Option<String>,
}

/// A session as its owner sees it in their list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub created_at: Timestamp,
    pub last_used_at: Timestamp,
    pub expires_at: Timestamp,
    pub device: Device,
    pub token_hash: String,
}

impl From<session::Model> for Session {
    fn from(m: session::Model) -> Self {
        Self {
            id: SessionId::from_db(m.id),
            created_at: Timestamp::from_millis(m.created_at),
            last_used_at: Timestamp::from_millis(m.last_used_at.unwrap_or(m.created_at)),
            expires_at: Timestamp::from_millis(m.expires_at),
            device: Device {
                user_agent: m.user_agent,
                address: m.address,
            },
            token_hash: m.token_hash,
        }
    }
}

/// How stale `last_used_at` may get before a request refreshes it: a write per session every
/// few minutes at most, never one per request.
pub const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

pub async fn create(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    token_hash: &str,
    device: &Device,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), DbErr> {
    session::Entity::insert(session::ActiveModel {
        id: Set(SessionId::generate().into_string()),
        user_id: Set(user_id.as_str().to_owned()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now.as_millis()),
        expires_at: Set(expires_at.as_millis()),
        user_agent: Set(device.user_agent.clone()),
        address: Set(device.address.clone()),
        last_used_at: Set(Some(now.as_millis())),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Who presented a live session token, as the request needs them.
#[derive(Clone, Debug)]
pub struct SessionUser {
    /// The user row as it is now.
    pub user: User,
    pub session_id: SessionId,
    /// The user's organization's `names_version` (0 without one), read in the same query so
    /// that a cached copy of its names is checked without another round trip.
    pub names_version: i64,
    /// The organization's `oneonones_version` (0 without one), for the kept one-on-one
    /// totals, read the same way.
    pub oneonones_version: i64,
    /// The organization's `tasks_version` (0 without one), for the kept task totals.
    pub tasks_version: i64,
    /// Whether anyone reports to the user's person (the reporting-line rights of
    /// `authz::Actor::manages`), read the same way.
    pub manages: bool,
}

/// The user a live (unexpired, unrevoked) session token belongs to, with the session's id
/// and the organization's names version, in one query; the session's `last_used_at` is
/// refreshed when stale. Every request of a signed-in caller starts here, so the statement is
/// built once per backend ([`find_user_sql`]) and its row read by position.
pub async fn find_user(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<SessionUser>, DbErr> {
    let backend = db.get_database_backend();
    let statement = sea_orm::Statement::from_sql_and_values(
        backend,
        find_user_sql(backend),
        [token_hash.into(), now.as_millis().into()],
    );
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let session_id: String = row.try_get_by_index(0)?;
    let last_used_at: Option<i64> = row.try_get_by_index(1)?;
    let user = User {
        id: UserId::from_db(row.try_get_by_index::<String>(2)?),
        name: row.try_get_by_index(3)?,
        email: manageros_core::Email::from_db(row.try_get_by_index::<String>(4)?),
        role: manageros_core::Role::from_db(&row.try_get_by_index::<String>(5)?),
        organization_id: row
            .try_get_by_index::<Option<String>>(6)?
            .map(manageros_core::OrgId::from_db),
        person_id: row
            .try_get_by_index::<Option<String>>(7)?
            .map(manageros_core::PersonId::from_db),
        email_verified: row.try_get_by_index::<Option<i64>>(8)?.is_some(),
        created_at: Timestamp::from_millis(row.try_get_by_index(9)?),
    };
    let names_version = row.try_get_by_index::<Option<i64>>(10)?;
    let oneonones_version = row.try_get_by_index::<Option<i64>>(11)?;
    let tasks_version = row.try_get_by_index::<Option<i64>>(12)?;
    let manages = row.try_get_by_index::<Option<bool>>(13)?.unwrap_or(false);
    if last_used_at.is_none_or(|at| at < now.as_millis() - TOUCH_EVERY_MS) {
        session::Entity::update_many()
            .col_expr(session::Column::LastUsedAt, Expr::value(now.as_millis()))
            .filter(session::Column::Id.eq(&session_id))
            .exec(db)
            .await?;
    }
    Ok(Some(SessionUser {
        user,
        session_id: SessionId::from_db(session_id),
        names_version: names_version.unwrap_or(0),
        oneonones_version: oneonones_version.unwrap_or(0),
        tasks_version: tasks_version.unwrap_or(0),
        manages,
    }))
}

/// The SQL of [`find_user`] for `backend`, built on first use: its two values are the token's
/// hash and the time, in that order, and its columns are read by position, in this order.
fn find_user_sql(backend: sea_orm::DbBackend) -> String {
    use std::sync::OnceLock;
    static POSTGRES: OnceLock<String> = OnceLock::new();
    static OTHER: OnceLock<String> = OnceLock::new();
    let cell = if backend == sea_orm::DbBackend::Postgres {
        &POSTGRES
    } else {
        &OTHER
    };
    cell.get_or_init(|| find_user_statement(backend).sql)
        .clone()
}

/// [`find_user`]'s statement, with placeholder values for the token's hash and the time.
fn find_user_statement(backend: sea_orm::DbBackend) -> sea_orm::Statement {
    use sea_orm::{
        ExprTrait,
        sea_query::{Alias, Query},
    };
    let q = Query::select()
        .column((session::Entity, session::Column::Id))
        .column((session::Entity, session::Column::LastUsedAt))
        .columns([
            (user::Entity, user::Column::Id),
            (user::Entity, user::Column::Name),
            (user::Entity, user::Column::Email),
            (user::Entity, user::Column::Role),
            (user::Entity, user::Column::OrganizationId),
            (user::Entity, user::Column::PersonId),
            (user::Entity, user::Column::EmailVerifiedAt),
            (user::Entity, user::Column::CreatedAt),
        ])
        .column((organization::Entity, organization::Column::NamesVersion))
        .column((organization::Entity, organization::Column::OneononesVersion))
        .column((organization::Entity, organization::Column::TasksVersion))
        .expr_as(manages(), Alias::new("manages"))
        .from(session::Entity)
        .inner_join(
            user::Entity,
            Expr::col((user::Entity, user::Column::Id))
                .equals((session::Entity, session::Column::UserId)),
        )
        .left_join(
            organization::Entity,
            Expr::col((organization::Entity, organization::Column::Id))
                .equals((user::Entity, user::Column::OrganizationId)),
        )
        .and_where(Expr::col((session::Entity, session::Column::TokenHash)).eq(""))
        .and_where(Expr::col((session::Entity, session::Column::ExpiresAt)).gt(0i64))
        .to_owned();
    backend.build(&q)
}

/// `EXISTS` a person of the user's organization whose manager is the user's person: one probe
/// of `idx_persons_org_manager_name` (its first two columns).
fn manages() -> Expr {
    use sea_orm::{ExprTrait, sea_query::Query};
    Expr::exists(
        Query::select()
            .expr(Expr::cust("1"))
            .from(person::Entity)
            .and_where(
                Expr::col((person::Entity, person::Column::OrganizationId))
                    .equals((user::Entity, user::Column::OrganizationId)),
            )
            .and_where(
                Expr::col((person::Entity, person::Column::ManagerId))
                    .equals((user::Entity, user::Column::PersonId)),
            )
            .to_owned(),
    )
}

/// A user's live sessions, most recently used first.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    now: Timestamp,
) -> Result<Vec<Session>, DbErr> {
    let mut rows: Vec<Session> = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id.as_str()))
        .filter(session::Column::ExpiresAt.gt(now.as_millis()))
        .all(db)
        .await?
        .into_iter()
        .map(Session::from)
        .collect();
    rows.sort_by(|a, b| {
        b.last_used_at
            .cmp(&a.last_used_at)
            .then_with(|| b.id.as_str().cmp(a.id.as_str()))
    });
    Ok(rows)
}

/// Revokes one of a user's sessions by its id; false when the user has no such session.
pub async fn delete_for_user(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    id: &SessionId,
) -> Result<bool, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id.as_str()))
        .filter(session::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// Revokes one session.
pub async fn delete(db: &impl ConnectionTrait, token_hash: &str) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(token_hash))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user but `keep` (none: all of them), and revokes the user's secret
/// calendar feed with them: the feed is a credential too, and whoever signs a lost device or
/// an intruder out means it as well. How many sessions ended.
pub async fn end_all(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    keep: Option<&SessionId>,
) -> Result<u64, DbErr> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id.as_str()));
    if let Some(keep) = keep {
        q = q.filter(session::Column::Id.ne(keep.as_str()));
    }
    let ended = q.exec(db).await?.rows_affected;
    super::calendar_feeds::revoke(db, user_id).await?;
    Ok(ended)
}

/// Removes expired sessions; run now and then so the table does not only grow.
pub async fn delete_expired(db: &impl ConnectionTrait, now: Timestamp) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now.as_millis()))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `find_user` passes exactly two values, the token's hash then the time: the statement
    /// built once must take exactly those, in that order, on both backends.
    #[test]
    fn the_session_statement_takes_the_hash_then_the_time() {
        for backend in [sea_orm::DbBackend::Postgres, sea_orm::DbBackend::Sqlite] {
            let values = find_user_statement(backend)
                .values
                .map(|v| v.0)
                .unwrap_or_default();
            assert_eq!(values.len(), 2, "{backend:?}");
            assert!(
                matches!(values[0], sea_orm::Value::String(_)),
                "{backend:?}"
            );
            assert!(
                matches!(values[1], sea_orm::Value::BigInt(_)),
                "{backend:?}"
            );
        }
    }
}
