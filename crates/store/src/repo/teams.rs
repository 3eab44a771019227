//! Teams of an organization (a tree through `parent_id`).

use crate::{
    contains_pattern,
    entity::team,
    repo::{orgs, users::lower},
};
use manageros_core::{OrgId, Page, TeamId, Timestamp};
use sea_orm::{
    ActiveValue::Set, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, prelude::*,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub description: Option<String>,
    pub parent_id: Option<TeamId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change: what a writer's `If-Match` is compared with.
    pub version: i64,
}

impl From<team::Model> for Team {
    fn from(m: team::Model) -> Self {
        Self {
            id: TeamId::from_db(m.id),
            name: m.name,
            description: m.description,
            parent_id: m.parent_id.map(TeamId::from_db),
            created_at: Timestamp::from_millis(m.created_at),
            updated_at: Timestamp::from_millis(m.updated_at),
            version: m.version,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct TeamFilter {
    pub search: Option<String>,
    pub parent_id: Option<TeamId>,
}

fn of(org: &OrgId) -> sea_orm::Select<team::Entity> {
    team::Entity::find().filter(team::Column::OrganizationId.eq(org.as_str()))
}

/// One page of the organization's teams, by name, and the total count.
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    filter: &TeamFilter,
    page: Page,
) -> Result<(Vec<Team>, u64), DbErr> {
    let mut cond = Condition::all();
    if let Some(s) = &filter.search {
        cond = cond.add(lower(team::Column::Name).like(contains_pattern(s)));
    }
    if let Some(p) = &filter.parent_id {
        cond = cond.add(team::Column::ParentId.eq(p.as_str()));
    }
    let total = of(org).filter(cond.clone()).count(db).await?;
    let rows = of(org)
        .filter(cond)
        .order_by(lower(team::Column::Name), Order::Asc)
        .order_by(team::Column::Id, Order::Asc)
        .offset(page.offset())
        .limit(page.limit)
        .all(db)
        .await?;
    Ok((rows.into_iter().map(Team::from).collect(), total))
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &TeamId,
) -> Result<Option<Team>, DbErr> {
    Ok(of(org)
        .filter(team::Column::Id.eq(id.as_str()))
        .one(db)
        .await?
        .map(Team::from))
}

pub async fn exists(db: &impl ConnectionTrait, org: &OrgId, id: &TeamId) -> Result<bool, DbErr> {
    Ok(of(org)
        .filter(team::Column::Id.eq(id.as_str()))
        .count(db)
        .await?
        > 0)
}

/// The fields of a team that can be written.
#[derive(Clone, Debug)]
pub struct TeamFields {
    pub name: String,
    pub description: Option<String>,
    pub parent_id: Option<TeamId>,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    f: &TeamFields,
    now: Timestamp,
) -> Result<TeamId, DbErr> {
    let id = TeamId::generate();
    team::Entity::insert(team::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(org.as_str().to_owned()),
        name: Set(f.name.clone()),
        description: Set(f.description.clone()),
        parent_id: Set(f.parent_id.as_ref().map(|p| p.as_str().to_owned())),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        version: Set(1),
        updated_by: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    orgs::names_changed(db, org).await?;
    Ok(id)
}

pub async fn update(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &TeamId,
    f: &TeamFields,
    now: Timestamp,
) -> Result<(), DbErr> {
    team::Entity::update_many()
        .col_expr(team::Column::Name, Expr::value(f.name.clone()))
        .col_expr(
            team::Column::Description,
            Expr::value(f.description.clone()),
        )
        .col_expr(
            team::Column::ParentId,
            Expr::value(f.parent_id.as_ref().map(|p| p.as_str().to_owned())),
        )
        .col_expr(team::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(team::Column::OrganizationId.eq(org.as_str()))
        .filter(team::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    orgs::names_changed(db, org).await
}

pub async fn delete(db: &impl ConnectionTrait, org: &OrgId, id: &TeamId) -> Result<(), DbErr> {
    team::Entity::delete_many()
        .filter(team::Column::OrganizationId.eq(org.as_str()))
        .filter(team::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    orgs::names_changed(db, org).await
}

pub async fn parent_of(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &TeamId,
) -> Result<Option<TeamId>, DbErr> {
    Ok(of(org)
        .filter(team::Column::Id.eq(id.as_str()))
        .one(db)
        .await?
        .and_then(|t| t.parent_id.map(TeamId::from_db)))
}

pub async fn count_children(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &TeamId,
) -> Result<u64, DbErr> {
    of(org)
        .filter(team::Column::ParentId.eq(id.as_str()))
        .count(db)
        .await
}

/// Every team of the organization, by name, at most `cap` of them (for the team tree and the
/// pickers).
pub async fn all(db: &impl ConnectionTrait, org: &OrgId, cap: u64) -> Result<Vec<Team>, DbErr> {
    Ok(of(org)
        .order_by(lower(team::Column::Name), Order::Asc)
        .order_by(team::Column::Id, Order::Asc)
        .limit(cap)
        .all(db)
        .await?
        .into_iter()
        .map(Team::from)
        .collect())
}

/// `(id, name)` of several teams of the organization, in no particular order.
pub async fn names(
    db: &impl ConnectionTrait,
    org: &OrgId,
    ids: &[TeamId],
) -> Result<Vec<(TeamId, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(of(org)
        .filter(team::Column::Id.is_in(ids.iter().map(|i| i.as_str())))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (TeamId::from_db(t.id), t.name))
        .collect())
}
