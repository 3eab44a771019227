//! Meetings, their participants, and their instances (each with participants of its own).

use crate::{
    contains_pattern,
    entity::{meeting, meeting_instance},
    repo::{links, users::lower},
};
use manageros_core::{
    InitiativeId, MeetingId, MeetingInstanceId, OrgId, Page, PersonId, TeamId, Timestamp, UserId,
    authz::{InstanceScope, MeetingFacts, MeetingInstanceFacts, MeetingScope, Target},
};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, Order, PaginatorTrait, QueryFilter,
    prelude::*,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub id: MeetingId,
    pub organization_id: OrgId,
    pub title: String,
    pub description: Option<String>,
    pub scheduled_at: Timestamp,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub is_private: bool,
    pub owner_id: Option<PersonId>,
    pub team_id: Option<TeamId>,
    pub initiative_id: Option<InitiativeId>,
    pub participant_ids: Vec<PersonId>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change: what a writer's `If-Match` is compared with.
    pub version: i64,
}

impl Meeting {
    pub fn facts(&self) -> MeetingFacts {
        MeetingFacts {
            org_id: self.organization_id.clone(),
            is_private: self.is_private,
            created_by: self.created_by.clone(),
            owner: self.owner_id.clone(),
            participants: self.participant_ids.clone(),
        }
    }

    pub fn target(&self) -> Target {
        Target::Meeting(self.facts())
    }

    fn from_model(m: meeting::Model, participant_ids: Vec<PersonId>) -> Self {
        Self {
            id: MeetingId::from_db(m.id),
            organization_id: OrgId::from_db(m.organization_id),
            title: m.title,
            description: m.description,
            scheduled_at: Timestamp::from_millis(m.scheduled_at),
            duration_minutes: m.duration_minutes,
            location: m.location,
            is_private: m.is_private,
            owner_id: m.owner_id.map(PersonId::from_db),
            team_id: m.team_id.map(TeamId::from_db),
            initiative_id: m.initiative_id.map(InitiativeId::from_db),
            participant_ids,
            created_by: UserId::from_db(m.created_by_id),
            created_at: Timestamp::from_millis(m.created_at),
            updated_at: Timestamp::from_millis(m.updated_at),
            version: m.version,
        }
    }
}

/// The writable fields of a meeting.
#[derive(Clone, Debug)]
pub struct MeetingFields {
    pub title: String,
    pub description: Option<String>,
    pub scheduled_at: Timestamp,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub is_private: bool,
    pub owner_id: Option<PersonId>,
    pub team_id: Option<TeamId>,
    pub initiative_id: Option<InitiativeId>,
    pub participant_ids: Vec<PersonId>,
}

impl From<&Meeting> for MeetingFields {
    fn from(m: &Meeting) -> Self {
        Self {
            title: m.title.clone(),
            description: m.description.clone(),
            scheduled_at: m.scheduled_at,
            duration_minutes: m.duration_minutes,
            location: m.location.clone(),
            is_private: m.is_private,
            owner_id: m.owner_id.clone(),
            team_id: m.team_id.clone(),
            initiative_id: m.initiative_id.clone(),
            participant_ids: m.participant_ids.clone(),
        }
    }
}

fn active(f: &MeetingFields) -> meeting::ActiveModel {
    meeting::ActiveModel {
        id: NotSet,
        organization_id: NotSet,
        title: Set(f.title.clone()),
        description: Set(f.description.clone()),
        scheduled_at: Set(f.scheduled_at.as_millis()),
        duration_minutes: Set(f.duration_minutes),
        location: Set(f.location.clone()),
        is_private: Set(f.is_private),
        owner_id: Set(f.owner_id.as_ref().map(|p| p.as_str().to_owned())),
        team_id: Set(f.team_id.as_ref().map(|t| t.as_str().to_owned())),
        initiative_id: Set(f.initiative_id.as_ref().map(|i| i.as_str().to_owned())),
        created_by_id: NotSet,
        created_at: NotSet,
        updated_at: NotSet,
        version: NotSet,
        updated_by: NotSet,
    }
}

/// The SQL form of a [`MeetingScope`]: selects exactly what `decide(meeting.view)` allows
/// (held so by the API test `list_scopes`).
fn scope_condition(org: &OrgId, scope: &MeetingScope) -> Condition {
    match scope {
        MeetingScope::All => Condition::all(),
        MeetingScope::VisibleTo { user, person } => {
            let mut any = Condition::any()
                .add(meeting::Column::IsPrivate.eq(false))
                .add(meeting::Column::CreatedById.eq(user.as_str()));
            if let Some(p) = person {
                any = any.add(meeting::Column::OwnerId.eq(p.as_str())).add(
                    meeting::Column::Id.in_subquery(links::parents_of(
                        links::MEETING_PARTICIPANTS,
                        org,
                        p,
                    )),
                );
            }
            any
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct MeetingFilter {
    pub initiative_id: Option<InitiativeId>,
    pub team_id: Option<TeamId>,
    pub search: Option<String>,
    pub scheduled_from: Option<Timestamp>,
    /// Exclusive upper bound.
    pub scheduled_before: Option<Timestamp>,
    /// Soonest first (what is coming up), instead of latest first.
    pub soonest_first: bool,
}

fn of(org: &OrgId) -> sea_orm::Select<meeting::Entity> {
    meeting::Entity::find().filter(meeting::Column::OrganizationId.eq(org.as_str()))
}

async fn with_participants(
    db: &impl ConnectionTrait,
    org: &OrgId,
    rows: Vec<meeting::Model>,
) -> Result<Vec<Meeting>, DbErr> {
    links::attach(
        db,
        links::MEETING_PARTICIPANTS,
        org,
        rows,
        |m| m.id.as_str(),
        Meeting::from_model,
    )
    .await
}

/// One page of the meetings `scope` may see, latest first.
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    scope: &MeetingScope,
    f: &MeetingFilter,
    page: Page,
) -> Result<(Vec<Meeting>, u64), DbErr> {
    let mut cond = scope_condition(org, scope);
    if let Some(i) = &f.initiative_id {
        cond = Condition::all()
            .add(cond)
            .add(meeting::Column::InitiativeId.eq(i.as_str()));
    }
    if let Some(t) = &f.team_id {
        cond = Condition::all()
            .add(cond)
            .add(meeting::Column::TeamId.eq(t.as_str()));
    }
    if let Some(s) = &f.search {
        cond = Condition::all()
            .add(cond)
            .add(lower(meeting::Column::Title).like(contains_pattern(s)));
    }
    if let Some(from) = f.scheduled_from {
        cond = Condition::all()
            .add(cond)
            .add(meeting::Column::ScheduledAt.gte(from.as_millis()));
    }
    if let Some(before) = f.scheduled_before {
        cond = Condition::all()
            .add(cond)
            .add(meeting::Column::ScheduledAt.lt(before.as_millis()));
    }
    let order = if f.soonest_first {
        Order::Asc
    } else {
        Order::Desc
    };
    let (rows, total) = crate::paged(
        db,
        of(org).filter(cond),
        &[
            (meeting::Column::ScheduledAt, order.clone()),
            (meeting::Column::Id, order),
        ],
        page,
    )
    .await?;
    Ok((with_participants(db, org, rows).await?, total))
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &MeetingId,
) -> Result<Option<Meeting>, DbErr> {
    let row = of(org)
        .filter(meeting::Column::Id.eq(id.as_str()))
        .one(db)
        .await?;
    Ok(with_participants(db, org, row.into_iter().collect())
        .await?
        .pop())
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    by: &UserId,
    f: &MeetingFields,
    now: Timestamp,
) -> Result<MeetingId, DbErr> {
    let id = MeetingId::generate();
    let mut am = active(f);
    am.id = Set(id.as_str().to_owned());
    am.organization_id = Set(org.as_str().to_owned());
    am.created_by_id = Set(by.as_str().to_owned());
    am.created_at = Set(now.as_millis());
    am.updated_at = Set(now.as_millis());
    meeting::Entity::insert(am)
        .exec_without_returning(db)
        .await?;
    links::replace(
        db,
        links::MEETING_PARTICIPANTS,
        org,
        id.as_str(),
        &f.participant_ids,
    )
    .await?;
    Ok(id)
}

pub async fn update(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &MeetingId,
    f: &MeetingFields,
    now: Timestamp,
) -> Result<(), DbErr> {
    let mut am = active(f);
    am.updated_at = Set(now.as_millis());
    meeting::Entity::update_many()
        .set(am)
        .filter(meeting::Column::OrganizationId.eq(org.as_str()))
        .filter(meeting::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    links::replace(
        db,
        links::MEETING_PARTICIPANTS,
        org,
        id.as_str(),
        &f.participant_ids,
    )
    .await
}

/// Deletes a meeting with its instances.
pub async fn delete(db: &impl ConnectionTrait, org: &OrgId, id: &MeetingId) -> Result<(), DbErr> {
    meeting::Entity::delete_many()
        .filter(meeting::Column::OrganizationId.eq(org.as_str()))
        .filter(meeting::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Meetings a person owns (for "is this person still referenced").
pub async fn count_owned_by(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
) -> Result<u64, DbErr> {
    of(org)
        .filter(meeting::Column::OwnerId.eq(person.as_str()))
        .count(db)
        .await
}

// ---------------------------------------------------------------------------------------------
// Instances.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingInstance {
    pub id: MeetingInstanceId,
    pub meeting_id: MeetingId,
    pub scheduled_at: Timestamp,
    pub notes: Option<String>,
    pub participant_ids: Vec<PersonId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change: what a writer's `If-Match` is compared with.
    pub version: i64,
}

impl MeetingInstance {
    /// The facts of an instance include those of its meeting.
    pub fn target(&self, meeting: &Meeting) -> Target {
        Target::MeetingInstance(MeetingInstanceFacts {
            meeting: meeting.facts(),
            participants: self.participant_ids.clone(),
        })
    }

    fn from_model(m: meeting_instance::Model, participant_ids: Vec<PersonId>) -> Self {
        Self {
            id: MeetingInstanceId::from_db(m.id),
            meeting_id: MeetingId::from_db(m.meeting_id),
            scheduled_at: Timestamp::from_millis(m.scheduled_at),
            notes: m.notes,
            participant_ids,
            created_at: Timestamp::from_millis(m.created_at),
            updated_at: Timestamp::from_millis(m.updated_at),
            version: m.version,
        }
    }
}

#[derive(Clone, Debug)]
pub struct InstanceFields {
    pub scheduled_at: Timestamp,
    pub notes: Option<String>,
    pub participant_ids: Vec<PersonId>,
}

fn instances_of(org: &OrgId) -> sea_orm::Select<meeting_instance::Entity> {
    meeting_instance::Entity::find()
        .filter(meeting_instance::Column::OrganizationId.eq(org.as_str()))
}

async fn instances_with_participants(
    db: &impl ConnectionTrait,
    org: &OrgId,
    rows: Vec<meeting_instance::Model>,
) -> Result<Vec<MeetingInstance>, DbErr> {
    links::attach(
        db,
        links::INSTANCE_PARTICIPANTS,
        org,
        rows,
        |m| m.id.as_str(),
        MeetingInstance::from_model,
    )
    .await
}

/// One page of a meeting's instances that `scope` may see, latest first.
pub async fn list_instances(
    db: &impl ConnectionTrait,
    org: &OrgId,
    meeting: &MeetingId,
    scope: &InstanceScope,
    page: Page,
) -> Result<(Vec<MeetingInstance>, u64), DbErr> {
    let mut cond = Condition::all().add(meeting_instance::Column::MeetingId.eq(meeting.as_str()));
    match scope {
        InstanceScope::All => {}
        InstanceScope::ParticipantOnly(Some(p)) => {
            cond = cond.add(meeting_instance::Column::Id.in_subquery(links::parents_of(
                links::INSTANCE_PARTICIPANTS,
                org,
                p,
            )));
        }
        // No person, so no instance to take part in.
        InstanceScope::ParticipantOnly(None) => return Ok((vec![], 0)),
    }
    let (rows, total) = crate::paged(
        db,
        instances_of(org).filter(cond),
        &[
            (meeting_instance::Column::ScheduledAt, Order::Desc),
            (meeting_instance::Column::Id, Order::Desc),
        ],
        page,
    )
    .await?;
    Ok((instances_with_participants(db, org, rows).await?, total))
}

pub async fn find_instance(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &MeetingInstanceId,
) -> Result<Option<MeetingInstance>, DbErr> {
    let row = instances_of(org)
        .filter(meeting_instance::Column::Id.eq(id.as_str()))
        .one(db)
        .await?;
    Ok(
        instances_with_participants(db, org, row.into_iter().collect())
            .await?
            .pop(),
    )
}

pub async fn insert_instance(
    db: &impl ConnectionTrait,
    org: &OrgId,
    meeting: &MeetingId,
    f: &InstanceFields,
    now: Timestamp,
) -> Result<MeetingInstanceId, DbErr> {
    let id = MeetingInstanceId::generate();
    meeting_instance::Entity::insert(meeting_instance::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(org.as_str().to_owned()),
        meeting_id: Set(meeting.as_str().to_owned()),
        scheduled_at: Set(f.scheduled_at.as_millis()),
        notes: Set(f.notes.clone()),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        version: Set(1),
        updated_by: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    links::replace(
        db,
        links::INSTANCE_PARTICIPANTS,
        org,
        id.as_str(),
        &f.participant_ids,
    )
    .await?;
    Ok(id)
}

pub async fn update_instance(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &MeetingInstanceId,
    f: &InstanceFields,
    now: Timestamp,
) -> Result<(), DbErr> {
    meeting_instance::Entity::update_many()
        .col_expr(
            meeting_instance::Column::ScheduledAt,
            Expr::value(f.scheduled_at.as_millis()),
        )
        .col_expr(
            meeting_instance::Column::Notes,
            Expr::value(f.notes.clone()),
        )
        .col_expr(
            meeting_instance::Column::UpdatedAt,
            Expr::value(now.as_millis()),
        )
        .filter(meeting_instance::Column::OrganizationId.eq(org.as_str()))
        .filter(meeting_instance::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    links::replace(
        db,
        links::INSTANCE_PARTICIPANTS,
        org,
        id.as_str(),
        &f.participant_ids,
    )
    .await
}

pub async fn delete_instance(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &MeetingInstanceId,
) -> Result<(), DbErr> {
    meeting_instance::Entity::delete_many()
        .filter(meeting_instance::Column::OrganizationId.eq(org.as_str()))
        .filter(meeting_instance::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}
