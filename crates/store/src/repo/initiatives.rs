//! Initiatives and their owners.

use crate::{
    contains_pattern,
    entity::initiative,
    repo::{links, orgs, users::lower},
};
use manageros_core::{
    InitiativeId, InitiativeStatus, OrgId, Page, PersonId, Rag, TeamId, Timestamp, UserId,
    authz::Target,
};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
    prelude::*,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Initiative {
    pub id: InitiativeId,
    pub organization_id: OrgId,
    pub title: String,
    pub summary: Option<String>,
    pub status: InitiativeStatus,
    pub rag: Rag,
    pub confidence: i32,
    pub team_id: Option<TeamId>,
    pub owner_ids: Vec<PersonId>,
    pub start_date: Option<Timestamp>,
    pub target_date: Option<Timestamp>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change: what a writer's `If-Match` is compared with.
    pub version: i64,
}

impl Initiative {
    pub fn target(&self) -> Target {
        Target::Initiative(manageros_core::authz::InitiativeFacts {
            org_id: self.organization_id.clone(),
            owners: self.owner_ids.clone(),
        })
    }

    fn from_model(m: initiative::Model, owner_ids: Vec<PersonId>) -> Self {
        Self {
            id: InitiativeId::from_db(m.id),
            organization_id: OrgId::from_db(m.organization_id),
            title: m.title,
            summary: m.summary,
            status: InitiativeStatus::from_db(&m.status),
            rag: Rag::from_db(&m.rag),
            confidence: m.confidence,
            team_id: m.team_id.map(TeamId::from_db),
            owner_ids,
            start_date: m.start_date.map(Timestamp::from_millis),
            target_date: m.target_date.map(Timestamp::from_millis),
            created_by: UserId::from_db(m.created_by_id),
            created_at: Timestamp::from_millis(m.created_at),
            updated_at: Timestamp::from_millis(m.updated_at),
            version: m.version,
        }
    }
}

/// The writable fields of an initiative.
#[derive(Clone, Debug)]
pub struct InitiativeFields {
    pub title: String,
    pub summary: Option<String>,
    pub status: InitiativeStatus,
    pub rag: Rag,
    pub confidence: i32,
    pub team_id: Option<TeamId>,
    pub owner_ids: Vec<PersonId>,
    pub start_date: Option<Timestamp>,
    pub target_date: Option<Timestamp>,
}

impl From<&Initiative> for InitiativeFields {
    fn from(i: &Initiative) -> Self {
        Self {
            title: i.title.clone(),
            summary: i.summary.clone(),
            status: i.status,
            rag: i.rag,
            confidence: i.confidence,
            team_id: i.team_id.clone(),
            owner_ids: i.owner_ids.clone(),
            start_date: i.start_date,
            target_date: i.target_date,
        }
    }
}

fn active(f: &InitiativeFields) -> initiative::ActiveModel {
    initiative::ActiveModel {
        id: NotSet,
        organization_id: NotSet,
        title: Set(f.title.clone()),
        summary: Set(f.summary.clone()),
        status: Set(f.status.as_str().to_owned()),
        rag: Set(f.rag.as_str().to_owned()),
        confidence: Set(f.confidence),
        team_id: Set(f.team_id.as_ref().map(|t| t.as_str().to_owned())),
        start_date: Set(f.start_date.map(Timestamp::as_millis)),
        target_date: Set(f.target_date.map(Timestamp::as_millis)),
        created_by_id: NotSet,
        created_at: NotSet,
        updated_at: NotSet,
        version: NotSet,
        updated_by: NotSet,
    }
}

#[derive(Clone, Debug, Default)]
pub struct InitiativeFilter {
    pub status: Option<InitiativeStatus>,
    pub rag: Option<Rag>,
    pub team_id: Option<TeamId>,
    pub owner_id: Option<PersonId>,
    pub search: Option<String>,
}

fn of(org: &OrgId) -> sea_orm::Select<initiative::Entity> {
    initiative::Entity::find().filter(initiative::Column::OrganizationId.eq(org.as_str()))
}

async fn with_owners(
    db: &impl ConnectionTrait,
    org: &OrgId,
    rows: Vec<initiative::Model>,
) -> Result<Vec<Initiative>, DbErr> {
    links::attach(
        db,
        links::INITIATIVE_OWNERS,
        org,
        rows,
        |m| m.id.as_str(),
        Initiative::from_model,
    )
    .await
}

/// One page of initiatives, newest first; every member may view them all.
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    f: &InitiativeFilter,
    page: Page,
) -> Result<(Vec<Initiative>, u64), DbErr> {
    let mut cond = Condition::all();
    if let Some(s) = f.status {
        cond = cond.add(initiative::Column::Status.eq(s.as_str()));
    }
    if let Some(r) = f.rag {
        cond = cond.add(initiative::Column::Rag.eq(r.as_str()));
    }
    if let Some(t) = &f.team_id {
        cond = cond.add(initiative::Column::TeamId.eq(t.as_str()));
    }
    if let Some(p) = &f.owner_id {
        cond = cond.add(initiative::Column::Id.in_subquery(links::parents_of(
            links::INITIATIVE_OWNERS,
            org,
            p,
        )));
    }
    if let Some(s) = &f.search {
        cond = cond.add(lower(initiative::Column::Title).like(contains_pattern(s)));
    }
    let (rows, total) = crate::paged(
        db,
        of(org).filter(cond),
        &[
            (initiative::Column::CreatedAt, Order::Desc),
            (initiative::Column::Id, Order::Desc),
        ],
        page,
    )
    .await?;
    Ok((with_owners(db, org, rows).await?, total))
}

/// `(id, title)` of the organization's newest initiatives, at most `cap`: the choices of a
/// form or a filter, without owners or counts.
pub async fn choices(
    db: &impl ConnectionTrait,
    org: &OrgId,
    cap: u64,
) -> Result<Vec<(InitiativeId, String)>, DbErr> {
    Ok(of(org)
        .select_only()
        .column(initiative::Column::Id)
        .column(initiative::Column::Title)
        .order_by(initiative::Column::CreatedAt, Order::Desc)
        .order_by(initiative::Column::Id, Order::Desc)
        .limit(cap)
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(id, title)| InitiativeId::parse(&id).map(|id| (id, title)))
        .collect())
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &InitiativeId,
) -> Result<Option<Initiative>, DbErr> {
    let row = of(org)
        .filter(initiative::Column::Id.eq(id.as_str()))
        .one(db)
        .await?;
    Ok(with_owners(db, org, row.into_iter().collect()).await?.pop())
}

pub async fn exists(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &InitiativeId,
) -> Result<bool, DbErr> {
    Ok(of(org)
        .filter(initiative::Column::Id.eq(id.as_str()))
        .count(db)
        .await?
        > 0)
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    by: &UserId,
    f: &InitiativeFields,
    now: Timestamp,
) -> Result<InitiativeId, DbErr> {
    let id = InitiativeId::generate();
    let mut am = active(f);
    am.id = Set(id.as_str().to_owned());
    am.organization_id = Set(org.as_str().to_owned());
    am.created_by_id = Set(by.as_str().to_owned());
    am.created_at = Set(now.as_millis());
    am.updated_at = Set(now.as_millis());
    initiative::Entity::insert(am)
        .exec_without_returning(db)
        .await?;
    links::replace(db, links::INITIATIVE_OWNERS, org, id.as_str(), &f.owner_ids).await?;
    orgs::names_changed(db, org).await?;
    Ok(id)
}

pub async fn update(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &InitiativeId,
    f: &InitiativeFields,
    now: Timestamp,
) -> Result<(), DbErr> {
    let mut am = active(f);
    am.updated_at = Set(now.as_millis());
    initiative::Entity::update_many()
        .set(am)
        .filter(initiative::Column::OrganizationId.eq(org.as_str()))
        .filter(initiative::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    links::replace(db, links::INITIATIVE_OWNERS, org, id.as_str(), &f.owner_ids).await?;
    orgs::names_changed(db, org).await
}

pub async fn delete(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &InitiativeId,
) -> Result<(), DbErr> {
    initiative::Entity::delete_many()
        .filter(initiative::Column::OrganizationId.eq(org.as_str()))
        .filter(initiative::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    orgs::names_changed(db, org).await
}

pub async fn count_for_team(
    db: &impl ConnectionTrait,
    org: &OrgId,
    team: &TeamId,
) -> Result<u64, DbErr> {
    of(org)
        .filter(initiative::Column::TeamId.eq(team.as_str()))
        .count(db)
        .await
}

/// Sets where an initiative stands (a check-in): its status, RAG and confidence only — its
/// owners and title are untouched, so nothing else (the names directory) needs renewing.
pub async fn set_progress(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &InitiativeId,
    status: InitiativeStatus,
    rag: Rag,
    confidence: i32,
    now: Timestamp,
) -> Result<(), DbErr> {
    initiative::Entity::update_many()
        .col_expr(initiative::Column::Status, Expr::value(status.as_str()))
        .col_expr(initiative::Column::Rag, Expr::value(rag.as_str()))
        .col_expr(initiative::Column::Confidence, Expr::value(confidence))
        .col_expr(initiative::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(initiative::Column::OrganizationId.eq(org.as_str()))
        .filter(initiative::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// A check-in on an initiative: where it stood, said by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckIn {
    pub id: manageros_core::CheckInId,
    pub initiative_id: InitiativeId,
    pub author_id: UserId,
    /// The author's name when they wrote it.
    pub author_name: String,
    pub status: InitiativeStatus,
    pub rag: Rag,
    pub confidence: i32,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

impl From<crate::entity::initiative_check_in::Model> for CheckIn {
    fn from(m: crate::entity::initiative_check_in::Model) -> Self {
        Self {
            id: manageros_core::CheckInId::from_db(m.id),
            initiative_id: InitiativeId::from_db(m.initiative_id),
            author_id: UserId::from_db(m.author_id),
            author_name: m.author_name,
            status: InitiativeStatus::from_db(&m.status),
            rag: Rag::from_db(&m.rag),
            confidence: m.confidence,
            note: m.note,
            created_at: Timestamp::from_millis(m.created_at),
        }
    }
}

/// What a check-in says.
pub struct NewCheckIn<'a> {
    pub author_id: &'a UserId,
    pub author_name: &'a str,
    pub status: InitiativeStatus,
    pub rag: Rag,
    pub confidence: i32,
    pub note: Option<&'a str>,
}

/// Records a check-in on `initiative` (whose own status, RAG and confidence the caller sets in
/// the same transaction).
pub async fn insert_check_in(
    db: &impl ConnectionTrait,
    org: &OrgId,
    initiative: &InitiativeId,
    c: NewCheckIn<'_>,
    now: Timestamp,
) -> Result<CheckIn, DbErr> {
    use crate::entity::initiative_check_in as ci;
    let model = ci::Model {
        id: manageros_core::CheckInId::generate().into_string(),
        organization_id: org.as_str().to_owned(),
        initiative_id: initiative.as_str().to_owned(),
        author_id: c.author_id.as_str().to_owned(),
        author_name: c.author_name.to_owned(),
        status: c.status.as_str().to_owned(),
        rag: c.rag.as_str().to_owned(),
        confidence: c.confidence,
        note: c.note.map(str::to_owned),
        created_at: now.as_millis(),
    };
    ci::Entity::insert(ci::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(CheckIn::from(model))
}

/// An initiative's check-ins, newest first, one page of them.
pub async fn check_ins(
    db: &impl ConnectionTrait,
    org: &OrgId,
    initiative: &InitiativeId,
    page: Page,
) -> Result<(Vec<CheckIn>, u64), DbErr> {
    use crate::entity::initiative_check_in as ci;
    let (rows, total) = crate::paged(
        db,
        ci::Entity::find()
            .filter(ci::Column::OrganizationId.eq(org.as_str()))
            .filter(ci::Column::InitiativeId.eq(initiative.as_str())),
        &[
            (ci::Column::CreatedAt, Order::Desc),
            (ci::Column::Id, Order::Desc),
        ],
        page,
    )
    .await?;
    Ok((rows.into_iter().map(CheckIn::from).collect(), total))
}
