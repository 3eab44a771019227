//! One-time tokens mailed to an account (stored hashed): password reset links (valid one hour)
//! and email verification links (valid a day), told apart by [`Purpose`].

use crate::entity::password_reset;
use manageros_core::{Timestamp, TokenId, UserId};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryFilter, prelude::*};

/// What a token is for: one purpose's token never serves another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Reset,
    Verify,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Reset => "reset",
            Purpose::Verify => "verify",
        }
    }
}

pub async fn create(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    user_id: &UserId,
    token_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), DbErr> {
    password_reset::Entity::insert(password_reset::ActiveModel {
        id: Set(TokenId::generate().into_string()),
        user_id: Set(user_id.as_str().to_owned()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now.as_millis()),
        expires_at: Set(expires_at.as_millis()),
        used_at: Set(None),
        purpose: Set(purpose.as_str().to_owned()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The user a valid, unused token belongs to, without using it up (to show whose account a
/// link is for before anything is done with it).
pub async fn peek(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<UserId>, DbErr> {
    Ok(password_reset::Entity::find()
        .filter(password_reset::Column::Purpose.eq(purpose.as_str()))
        .filter(password_reset::Column::TokenHash.eq(token_hash))
        .filter(password_reset::Column::UsedAt.is_null())
        .filter(password_reset::Column::ExpiresAt.gt(now.as_millis()))
        .one(db)
        .await?
        .map(|m| UserId::from_db(m.user_id)))
}

/// Uses up a token: marks it used if it is valid and unused, and returns its user. The
/// conditional UPDATE makes the token single-use even when two requests race.
pub async fn consume(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<UserId>, DbErr> {
    let updated = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now.as_millis()))
        .filter(password_reset::Column::Purpose.eq(purpose.as_str()))
        .filter(password_reset::Column::TokenHash.eq(token_hash))
        .filter(password_reset::Column::UsedAt.is_null())
        .filter(password_reset::Column::ExpiresAt.gt(now.as_millis()))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    Ok(password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
        .map(|m| UserId::from_db(m.user_id)))
}

/// After a successful use, the user's other outstanding tokens of that purpose are worthless.
pub async fn delete_for_user(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    user_id: &UserId,
) -> Result<(), DbErr> {
    password_reset::Entity::delete_many()
        .filter(password_reset::Column::Purpose.eq(purpose.as_str()))
        .filter(password_reset::Column::UserId.eq(user_id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}
