//! Each user's secret calendar feed: one at a time, found by the hash of its token (the token
//! itself is shown once, when the feed is made).

use super::users::User;
use crate::entity::{calendar_feed, user};
use manageros_core::{CalendarFeedId, Timestamp, UserId};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryFilter, prelude::*,
    sea_query::OnConflict,
};

/// Replaces the user's feed (if any) with one for `token_hash`: the old URL stops working.
/// One statement, so two requests at once leave one feed, never a duplicate-key error.
pub async fn replace(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    token_hash: &str,
    now: Timestamp,
) -> Result<(), DbErr> {
    calendar_feed::Entity::insert(calendar_feed::ActiveModel {
        id: Set(CalendarFeedId::generate()),
        user_id: Set(user_id.clone()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(calendar_feed::Column::UserId)
            .update_columns([
                calendar_feed::Column::TokenHash,
                calendar_feed::Column::CreatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Removes the user's feed; true if there was one.
pub async fn revoke(db: &impl ConnectionTrait, user_id: &UserId) -> Result<bool, DbErr> {
    Ok(calendar_feed::Entity::delete_many()
        .filter(calendar_feed::Column::UserId.eq(user_id.as_str()))
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// When the user's feed was made, if they have one.
pub async fn created_at(
    db: &impl ConnectionTrait,
    user_id: &UserId,
) -> Result<Option<Timestamp>, DbErr> {
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::UserId.eq(user_id.as_str()))
        .one(db)
        .await?
        .map(|f| f.created_at))
}

/// The user a feed token belongs to, as the user row is now.
pub async fn user_of(db: &impl ConnectionTrait, token_hash: &str) -> Result<Option<User>, DbErr> {
    let Some(feed) = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(user::Entity::find_by_id(feed.user_id.as_str())
        .one(db)
        .await?
        .map(User::from))
}
