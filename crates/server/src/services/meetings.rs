//! Meetings and their instances: writes with owners, participants and links checked inside
//! the organization; every action asked of the authz module with the meeting's facts.

use crate::{access, error::ApiError, patch::Patch, services::refs, state::AppState};
use manageros_core::{
    MeetingId, MeetingInstanceId, OrgId, Timestamp, UserId,
    authz::{self, Action, Actor, Kind},
};
use manageros_store::{
    ConnectionTrait, DatabaseTransaction, begin_write,
    repo::meetings::{self, InstanceFields, Meeting, MeetingFields, MeetingInstance},
};

pub const OWNER_NOT_FOUND: &str = "Owner not found or access denied";
pub const PARTICIPANT_NOT_FOUND: &str = "Participant not found or access denied";
pub const TEAM_NOT_FOUND: &str = "Team not found or access denied";
pub const INITIATIVE_NOT_FOUND: &str = "Initiative not found or access denied";

pub struct MeetingDraft {
    pub title: String,
    pub description: Option<String>,
    pub scheduled_at: Timestamp,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub is_private: bool,
    /// Defaults to the caller's person.
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub initiative_id: Option<String>,
    pub participant_ids: Vec<String>,
}

#[derive(Default)]
pub struct MeetingPatch {
    pub title: Option<String>,
    pub description: Patch<String>,
    pub scheduled_at: Option<Timestamp>,
    pub duration_minutes: Option<i32>,
    pub location: Patch<String>,
    pub is_private: Option<bool>,
    pub owner_id: Patch<String>,
    pub team_id: Patch<String>,
    pub initiative_id: Patch<String>,
    pub participant_ids: Option<Vec<String>>,
}

/// Loads a meeting of the caller's organization and authorizes `action` on it.
pub async fn authorized(
    db: &impl ConnectionTrait,
    actor: &Actor,
    raw_id: &str,
    action: Action,
) -> Result<(OrgId, Meeting), ApiError> {
    let org = access::org_for(actor, action)?;
    let id = access::id_or_404(raw_id, MeetingId::parse, Kind::Meeting)?;
    let m = meetings::find(db, &org, &id)
        .await?
        .ok_or_else(|| access::not_found(Kind::Meeting))?;
    authz::authorize(actor, action, &m.target())?;
    Ok((org, m))
}

/// Loads a meeting instance (and its meeting) and authorizes `action` on it.
pub async fn authorized_instance(
    db: &impl ConnectionTrait,
    actor: &Actor,
    raw_id: &str,
    action: Action,
) -> Result<(OrgId, Meeting, MeetingInstance), ApiError> {
    let org = access::org_for(actor, action)?;
    let id = access::id_or_404(raw_id, MeetingInstanceId::parse, Kind::MeetingInstance)?;
    let inst = meetings::find_instance(db, &org, &id)
        .await?
        .ok_or_else(|| access::not_found(Kind::MeetingInstance))?;
    let m = meetings::find(db, &org, &inst.meeting_id)
        .await?
        .ok_or_else(|| access::not_found(Kind::MeetingInstance))?;
    authz::authorize(actor, action, &inst.target(&m))?;
    Ok((org, m, inst))
}

async fn reread(
    txn: &DatabaseTransaction,
    org: &OrgId,
    id: &MeetingId,
) -> Result<Meeting, ApiError> {
    meetings::find(txn, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "meeting {id} vanished inside its transaction"
        ))
    })
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    by: &UserId,
    d: MeetingDraft,
) -> Result<Meeting, ApiError> {
    let org = access::org_for(actor, Action::MeetingCreate)?;
    authz::authorize_general(actor, Action::MeetingCreate, None)?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (db, o) = (&txn, &org);
    let owner_id = match d.owner_id.as_deref().map(str::trim) {
        None | Some("") => actor.person_id.clone(),
        Some(raw) => Some(refs::person(db, o, raw, OWNER_NOT_FOUND).await?),
    };
    let team_id = refs::optional(d.team_id.as_deref(), |r| async move {
        refs::team(db, o, &r, TEAM_NOT_FOUND).await
    })
    .await?;
    let initiative_id = refs::optional(d.initiative_id.as_deref(), |r| async move {
        refs::initiative(db, o, &r, INITIATIVE_NOT_FOUND).await
    })
    .await?;
    let participant_ids = refs::persons(db, o, &d.participant_ids, PARTICIPANT_NOT_FOUND).await?;
    let fields = MeetingFields {
        title: d.title,
        description: d.description,
        scheduled_at: d.scheduled_at,
        duration_minutes: d.duration_minutes,
        location: d.location,
        is_private: d.is_private,
        owner_id,
        team_id,
        initiative_id,
        participant_ids,
    };
    let id = meetings::insert(&txn, &org, by, &fields, now).await?;
    let m = reread(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(m)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    p: MeetingPatch,
) -> Result<Meeting, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized(&txn, actor, raw_id, Action::MeetingEdit).await?;
    let (db, o) = (&txn, &org);
    let owner = refs::patch(p.owner_id, |r| async move {
        refs::person(db, o, &r, OWNER_NOT_FOUND).await
    })
    .await?;
    let team = refs::patch(p.team_id, |r| async move {
        refs::team(db, o, &r, TEAM_NOT_FOUND).await
    })
    .await?;
    let initiative = refs::patch(p.initiative_id, |r| async move {
        refs::initiative(db, o, &r, INITIATIVE_NOT_FOUND).await
    })
    .await?;
    let participants = match &p.participant_ids {
        Some(raw) => refs::persons(db, o, raw, PARTICIPANT_NOT_FOUND).await?,
        None => current.participant_ids.clone(),
    };
    let mut f = MeetingFields::from(&current);
    f.title = p.title.unwrap_or(f.title);
    f.description = p.description.apply(f.description);
    f.scheduled_at = p.scheduled_at.unwrap_or(f.scheduled_at);
    f.duration_minutes = p.duration_minutes.unwrap_or(f.duration_minutes);
    f.location = p.location.apply(f.location);
    f.is_private = p.is_private.unwrap_or(f.is_private);
    f.owner_id = owner.apply(f.owner_id);
    f.team_id = team.apply(f.team_id);
    f.initiative_id = initiative.apply(f.initiative_id);
    f.participant_ids = participants;
    let after = manageros_core::authz::MeetingFacts {
        is_private: f.is_private,
        owner: f.owner_id.clone(),
        participants: f.participant_ids.clone(),
        ..current.facts()
    };
    authz::authorize_meeting_change(actor, &current.facts(), &after)?;
    meetings::update(&txn, &org, &current.id, &f, now).await?;
    let m = reread(&txn, &org, &current.id).await?;
    txn.commit().await?;
    Ok(m)
}

/// Deletes a meeting and its instances.
pub async fn delete(state: &AppState, actor: &Actor, raw_id: &str) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, m) = authorized(&txn, actor, raw_id, Action::MeetingDelete).await?;
    meetings::delete(&txn, &org, &m.id).await?;
    txn.commit().await?;
    Ok(())
}

pub struct InstanceDraft {
    pub scheduled_at: Timestamp,
    pub notes: Option<String>,
    /// `None`: the meeting's participants.
    pub participant_ids: Option<Vec<String>>,
}

#[derive(Default)]
pub struct InstancePatch {
    pub scheduled_at: Option<Timestamp>,
    pub notes: Patch<String>,
    pub participant_ids: Option<Vec<String>>,
}

async fn reread_instance(
    txn: &DatabaseTransaction,
    org: &OrgId,
    id: &MeetingInstanceId,
) -> Result<MeetingInstance, ApiError> {
    meetings::find_instance(txn, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "instance {id} vanished inside its transaction"
        ))
    })
}

/// The meeting an instance would be added to, if the caller may add one
/// (meeting-instance.create: a person who may edit the meeting; 404 if it is invisible).
pub async fn instance_parent(
    db: &impl ConnectionTrait,
    actor: &Actor,
    raw_meeting: &str,
) -> Result<(OrgId, Meeting), ApiError> {
    let org = access::org_for(actor, Action::MeetingInstanceCreate)?;
    let meeting = match MeetingId::parse(raw_meeting.trim()) {
        Some(id) => meetings::find(db, &org, &id).await?,
        None => None,
    }
    .ok_or_else(|| access::not_found(Kind::Meeting))?;
    authz::authorize_general(
        actor,
        Action::MeetingInstanceCreate,
        Some(&meeting.target()),
    )?;
    Ok((org, meeting))
}

/// Adds an instance to a meeting (meeting-instance.create: a person who may edit the meeting).
pub async fn create_instance(
    state: &AppState,
    actor: &Actor,
    raw_meeting: &str,
    d: InstanceDraft,
) -> Result<MeetingInstance, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, meeting) = instance_parent(&txn, actor, raw_meeting).await?;
    let participant_ids = match &d.participant_ids {
        Some(raw) => refs::persons(&txn, &org, raw, PARTICIPANT_NOT_FOUND).await?,
        None => meeting.participant_ids.clone(),
    };
    let fields = InstanceFields {
        scheduled_at: d.scheduled_at,
        notes: d.notes,
        participant_ids,
    };
    let id = meetings::insert_instance(&txn, &org, &meeting.id, &fields, now).await?;
    let inst = reread_instance(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(inst)
}

pub async fn update_instance(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    p: InstancePatch,
) -> Result<MeetingInstance, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, _, current) =
        authorized_instance(&txn, actor, raw_id, Action::MeetingInstanceEdit).await?;
    let participant_ids = match &p.participant_ids {
        Some(raw) => refs::persons(&txn, &org, raw, PARTICIPANT_NOT_FOUND).await?,
        None => current.participant_ids.clone(),
    };
    let fields = InstanceFields {
        scheduled_at: p.scheduled_at.unwrap_or(current.scheduled_at),
        notes: p.notes.apply(current.notes.clone()),
        participant_ids,
    };
    meetings::update_instance(&txn, &org, &current.id, &fields, now).await?;
    let inst = reread_instance(&txn, &org, &current.id).await?;
    txn.commit().await?;
    Ok(inst)
}

pub async fn delete_instance(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, _, inst) =
        authorized_instance(&txn, actor, raw_id, Action::MeetingInstanceDelete).await?;
    meetings::delete_instance(&txn, &org, &inst.id).await?;
    txn.commit().await?;
    Ok(())
}
