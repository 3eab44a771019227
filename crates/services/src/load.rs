//! The one way a service reaches an entity the permission system governs: loaded by id inside
//! the caller's organization, then put to `authz::authorize` once. Each governed entity says
//! how in a few lines ([`Governed`]); [`authorized`] does the rest, in the order docs/API.md §1
//! fixes: no organization is a 403, a missing (or another organization's) entity the entity's
//! 404, then the rule's 404 or 403.

use crate::error::ApiError;
use manageros_core::{
    CampaignId, FeedbackId, InitiativeId, MeetingId, MeetingInstanceId, OneOnOneId, OrgId,
    PersonId, ReportId, TaskId, TeamId,
    authz::{self, Action, Actor, Kind, Target},
};
use manageros_store::{
    ConnectionTrait, DbErr,
    repo::{
        campaigns::{self, Campaign},
        feedback::{self, Feedback},
        initiatives::{self, Initiative},
        meetings::{self, Meeting, MeetingInstance},
        oneonones::{self, OneOnOneWithPeople},
        persons::{self, Person},
        reports::{self, Report},
        tasks::{self, Task},
        teams::{self, Team},
    },
};
use std::future::Future;

/// A row of a tenant table, as a service loads it by id inside an organization.
pub trait Stored: Sized + Send {
    type Id: Send + Sync;
    /// How it is named in a log line.
    const NAME: &'static str;
    /// The id from its text, `None` for a string of the wrong shape.
    fn parse_id(raw: &str) -> Option<Self::Id>;
    /// The row with this id in `org`, if there is one.
    fn find<C: ConnectionTrait>(
        db: &C,
        org: &OrgId,
        id: &Self::Id,
    ) -> impl Future<Output = Result<Option<Self>, DbErr>> + Send;
}

/// An entity the permission system governs: a [`Stored`] row with the facts its rules need.
pub trait Governed: Stored {
    const KIND: Kind;
    /// The facts the rules look at.
    fn target(&self) -> Target;
}

/// The caller's organization, or the 403 of a caller without one.
pub fn org_of(actor: &Actor, action: Action) -> Result<OrgId, ApiError> {
    actor
        .org_id
        .clone()
        .ok_or_else(|| ApiError::forbidden(authz::no_org_message(action)))
}

/// Authorizes an action about no existing entity (creating, listing) and returns the
/// caller's organization: the permission check of such a request.
pub fn permitted(actor: &Actor, action: Action) -> Result<OrgId, ApiError> {
    authz::authorize_general(actor, action, None)?;
    // Allowed means the caller belongs to an organization.
    org_of(actor, action)
}

/// The entity's 404: the same whether it does not exist, lives elsewhere or is invisible.
pub fn not_found(kind: Kind) -> ApiError {
    ApiError::not_found(kind.not_found_message())
}

/// Loads `id` in the caller's organization and authorizes `action` on it: the permission
/// check of a request about one entity. Inside a write transaction, pass the transaction, so
/// that the facts decided on are the ones written over.
pub async fn authorized<E: Governed>(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: &E::Id,
    action: Action,
) -> Result<(OrgId, E), ApiError> {
    let org = org_of(actor, action)?;
    let entity = E::find(db, &org, id)
        .await?
        .ok_or_else(|| not_found(E::KIND))?;
    authz::authorize(actor, action, &entity.target())?;
    Ok((org, entity))
}

/// Reads back a row written inside the current transaction.
pub async fn reread<E: Stored>(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &E::Id,
) -> Result<E, ApiError> {
    E::find(db, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "a {} vanished inside its transaction",
            E::NAME
        ))
    })
}

/// The target named by the text `raw` of an entity of `kind` in `org`, for the permission
/// check endpoint; `None` when there is no such entity (or the text is not an id).
pub async fn target_of(
    db: &impl ConnectionTrait,
    org: &OrgId,
    kind: Kind,
    raw: &str,
) -> Result<Option<Target>, ApiError> {
    async fn one<E: Governed>(
        db: &impl ConnectionTrait,
        org: &OrgId,
        raw: &str,
    ) -> Result<Option<Target>, ApiError> {
        Ok(match E::parse_id(raw.trim()) {
            Some(id) => E::find(db, org, &id).await?.map(|e| e.target()),
            None => None,
        })
    }
    match kind {
        Kind::Task => one::<Task>(db, org, raw).await,
        Kind::Meeting => one::<Meeting>(db, org, raw).await,
        Kind::MeetingInstance => one::<InstanceOfMeeting>(db, org, raw).await,
        Kind::Initiative => one::<Initiative>(db, org, raw).await,
        Kind::Report => one::<Report>(db, org, raw).await,
        Kind::Feedback => one::<Feedback>(db, org, raw).await,
        Kind::OneOnOne => one::<OneOnOneWithPeople>(db, org, raw).await,
        Kind::FeedbackCampaign => one::<Campaign>(db, org, raw).await,
        Kind::User => Ok(None),
    }
}

/// The kind of entity an id names for `action`: the entity itself, or for
/// `meeting-instance.create` the meeting to add to. `None` for actions about no entity.
pub fn kind_of_id(action: Action) -> Option<Kind> {
    use Action::*;
    match action {
        MeetingInstanceCreate => Some(Kind::Meeting),
        TaskCreate
        | MeetingCreate
        | InitiativeCreate
        | ReportCreate
        | FeedbackCreate
        | OneOnOneCreate
        | FeedbackCampaignCreate
        | UserLinkPerson
        // About a person's place in the reporting line, not a stored entity: the check answers
        // whether the caller runs reports over a line at all.
        | ReportTeam => None,
        other => Some(other.kind()),
    }
}

/// Implements [`Stored`] for a row whose repository has `find(db, org, id)`.
macro_rules! stored {
    ($entity:ty => $id:ty, $name:expr, $repo:ident) => {
        impl Stored for $entity {
            type Id = $id;
            const NAME: &'static str = $name;
            fn parse_id(raw: &str) -> Option<$id> {
                <$id>::parse(raw)
            }
            fn find<C: ConnectionTrait>(
                db: &C,
                org: &OrgId,
                id: &$id,
            ) -> impl Future<Output = Result<Option<Self>, DbErr>> + Send {
                $repo::find(db, org, id)
            }
        }
    };
}

stored!(Person => PersonId, "person", persons);
stored!(Team => TeamId, "team", teams);

/// Implements [`Governed`] (and [`Stored`]) for an entity whose repository has
/// `find(db, org, id)` and whose row has `target()`.
macro_rules! governed {
    ($($entity:ty => $id:ty, $kind:ident, $repo:ident;)+) => {$(
        impl Governed for $entity {
            const KIND: Kind = Kind::$kind;
            fn target(&self) -> Target {
                <$entity>::target(self)
            }
        }
        stored!($entity => $id, Kind::$kind.singular(), $repo);
    )+};
}

governed! {
    Task => TaskId, Task, tasks;
    Meeting => MeetingId, Meeting, meetings;
    Initiative => InitiativeId, Initiative, initiatives;
    Report => ReportId, Report, reports;
    Feedback => FeedbackId, Feedback, feedback;
    Campaign => CampaignId, FeedbackCampaign, campaigns;
}

stored!(OneOnOneWithPeople => OneOnOneId, "one-on-one", oneonones);

impl Governed for OneOnOneWithPeople {
    const KIND: Kind = Kind::OneOnOne;
    fn target(&self) -> Target {
        self.one_on_one.target()
    }
}

/// A meeting instance with its meeting: the instance rules look at both.
pub struct InstanceOfMeeting {
    pub meeting: Meeting,
    pub instance: MeetingInstance,
}

impl Stored for InstanceOfMeeting {
    type Id = MeetingInstanceId;
    const NAME: &'static str = "meeting instance";
    fn parse_id(raw: &str) -> Option<MeetingInstanceId> {
        MeetingInstanceId::parse(raw)
    }
    async fn find<C: ConnectionTrait>(
        db: &C,
        org: &OrgId,
        id: &MeetingInstanceId,
    ) -> Result<Option<Self>, DbErr> {
        let Some(instance) = meetings::find_instance(db, org, id).await? else {
            return Ok(None);
        };
        Ok(meetings::find(db, org, &instance.meeting_id)
            .await?
            .map(|meeting| Self { meeting, instance }))
    }
}

impl Governed for InstanceOfMeeting {
    const KIND: Kind = Kind::MeetingInstance;
    fn target(&self) -> Target {
        self.instance.target(&self.meeting)
    }
}
