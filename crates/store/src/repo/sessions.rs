//! Sign-in sessions. Only a hash of each token is stored, so a copy of the database does not
//! let anyone sign in.

use super::users::User;
use crate::entity::{session, user};
use manageros_core::{SessionId, Timestamp, UserId};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect,
    prelude::*,
};

pub async fn create(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    token_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), DbErr> {
    session::Entity::insert(session::ActiveModel {
        id: Set(SessionId::generate().into_string()),
        user_id: Set(user_id.as_str().to_owned()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now.as_millis()),
        expires_at: Set(expires_at.as_millis()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The user a live (unexpired, unrevoked) session token belongs to, as the user row is now.
pub async fn find_user(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<User>, DbErr> {
    let row = user::Entity::find()
        .join_rev(JoinType::InnerJoin, session::Relation::User.def())
        .filter(session::Column::TokenHash.eq(token_hash))
        .filter(session::Column::ExpiresAt.gt(now.as_millis()))
        .one(db)
        .await?;
    Ok(row.map(User::from))
}

/// Revokes one session.
pub async fn delete(db: &impl ConnectionTrait, token_hash: &str) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(token_hash))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every session of a user (after a password reset).
pub async fn delete_all_for_user(
    db: &impl ConnectionTrait,
    user_id: &UserId,
) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id.as_str()))
        .exec(db)
        .await?
        .rows_affected)
}

/// Removes expired sessions; run now and then so the table does not only grow.
pub async fn delete_expired(db: &impl ConnectionTrait, now: Timestamp) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now.as_millis()))
        .exec(db)
        .await?
        .rows_affected)
}
