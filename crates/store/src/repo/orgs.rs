//! Organizations.

use crate::entity::organization;
use manageros_core::{OrgId, Slug, Timestamp};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, prelude::*,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
    pub slug: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<organization::Model> for Organization {
    fn from(m: organization::Model) -> Self {
        Self {
            id: OrgId::from_db(m.id),
            name: m.name,
            slug: m.slug,
            created_at: Timestamp::from_millis(m.created_at),
            updated_at: Timestamp::from_millis(m.updated_at),
        }
    }
}

/// Inserts an organization. A taken slug is a unique violation.
pub async fn insert(
    db: &impl ConnectionTrait,
    name: &str,
    slug: &Slug,
    now: Timestamp,
) -> Result<Organization, DbErr> {
    let m = organization::Entity::insert(organization::ActiveModel {
        id: Set(OrgId::generate().into_string()),
        name: Set(name.to_owned()),
        slug: Set(slug.as_str().to_owned()),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        names_version: Set(0),
        oneonones_version: Set(0),
        tasks_version: Set(0),
    })
    .exec_with_returning(db)
    .await?;
    Ok(m.into())
}

pub async fn find(db: &impl ConnectionTrait, id: &OrgId) -> Result<Option<Organization>, DbErr> {
    Ok(organization::Entity::find_by_id(id.as_str())
        .one(db)
        .await?
        .map(Into::into))
}

pub async fn slug_taken(db: &impl ConnectionTrait, slug: &Slug) -> Result<bool, DbErr> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug.as_str()))
        .count(db)
        .await?
        > 0)
}

/// Takes the organization's row lock until the transaction ends. Writes that must keep an
/// invariant across the organization's rows (at least one admin) take it first, so two of
/// them never interleave: on PostgreSQL the UPDATE holds the row lock; on SQLite the write
/// transaction (`begin_write`) already excludes every other writer.
pub async fn lock(db: &impl ConnectionTrait, id: &OrgId) -> Result<(), DbErr> {
    organization::Entity::update_many()
        .col_expr(
            organization::Column::UpdatedAt,
            Expr::col(organization::Column::UpdatedAt),
        )
        .filter(organization::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records, in the caller's transaction, that the organization's people, initiatives or teams
/// changed: every write to them calls this after it, so a reader that sees the new version
/// also sees the change (`services::names` keeps those names in memory by this version).
pub async fn names_changed(db: &impl ConnectionTrait, id: &OrgId) -> Result<(), DbErr> {
    organization::Entity::update_many()
        .col_expr(
            organization::Column::NamesVersion,
            Expr::col(organization::Column::NamesVersion).add(1i64),
        )
        .filter(organization::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records, in the caller's transaction, that the organization's tasks changed (one was
/// added, edited or deleted): `tasks_version` grows, so every server's kept task totals of the
/// organization are counted again (`services::totals`).
pub async fn tasks_changed(db: &impl ConnectionTrait, id: &OrgId) -> Result<(), DbErr> {
    organization::Entity::update_many()
        .col_expr(
            organization::Column::TasksVersion,
            Expr::col(organization::Column::TasksVersion).add(1i64),
        )
        .filter(organization::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records, in the caller's transaction, that the organization's one-on-ones changed (one was
/// added, edited or deleted): `oneonones_version` grows, so every server's kept totals of the
/// organization are read again (`manageros_server::services::oneonones`).
pub async fn oneonones_changed(db: &impl ConnectionTrait, id: &OrgId) -> Result<(), DbErr> {
    organization::Entity::update_many()
        .col_expr(
            organization::Column::OneononesVersion,
            Expr::col(organization::Column::OneononesVersion).add(1i64),
        )
        .filter(organization::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}
