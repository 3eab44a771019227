//! Meetings and their instances. A private meeting is visible to admins, its creator, its
//! owner and its participants; an instance also to those who take part in it. Owners,
//! participants and links are checked inside the organization. Each function asks authz once,
//! then validates, then writes in one transaction.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load::{self, InstanceOfMeeting, authorized, not_found, reread},
    parse::Paging,
    parse::{filter_id, optional_line, optional_text, search_from},
    patch::{Patch, required},
    refs,
    state::AppState,
    tasks::title,
    validate,
};
use crate::{
    extract::IfMatch,
    versions::{self, Versioned},
};
use manageros_core::{
    InitiativeId, Invalid, MeetingId, MeetingInstanceId, OrgId, PageInfo, TeamId, Timestamp,
    authz::{self, Action, Actor, Kind},
};
use manageros_store::{
    ConnectionTrait, begin_write,
    repo::{
        initiatives::Initiative,
        meetings::{self, InstanceFields, Meeting, MeetingFields, MeetingFilter, MeetingInstance},
    },
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub const OWNER_NOT_FOUND: &str = "Owner not found or access denied";
pub const PARTICIPANT_NOT_FOUND: &str = "Participant not found or access denied";
pub const TEAM_NOT_FOUND: &str = "Team not found or access denied";
pub const INITIATIVE_NOT_FOUND: &str = "Initiative not found or access denied";

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MeetingsQuery {
    #[param(value_type = Option<input::Search>, inline)]
    pub search: Option<String>,
    pub initiative_id: Option<String>,
    pub team_id: Option<String>,
    /// Inclusive: an RFC 3339 timestamp, or a date for the start of that UTC day.
    #[param(value_type = Option<input::DateOrTime>, inline)]
    pub scheduled_from: Option<String>,
    /// Inclusive: an RFC 3339 timestamp, or a date for the whole of that UTC day.
    #[param(value_type = Option<input::DateOrTime>, inline)]
    pub scheduled_to: Option<String>,
}

/// The meetings the caller may see, latest first (meeting.view), filtered in SQL by the view
/// rule's scope.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    q: MeetingsQuery,
    paging: &Paging,
) -> Result<(Vec<Meeting>, PageInfo), ApiError> {
    let org = load::permitted(actor, Action::MeetingView)?;
    list_in(state, actor, &org, q, paging, MeetingFilter::default()).await
}

/// The meetings the caller may see, soonest first: what is coming up (the meetings page by
/// default, the home page).
pub async fn list_upcoming(
    state: &AppState,
    actor: &Actor,
    q: MeetingsQuery,
    paging: &Paging,
) -> Result<(Vec<Meeting>, PageInfo), ApiError> {
    let org = load::permitted(actor, Action::MeetingView)?;
    let filter = MeetingFilter {
        soonest_first: true,
        ..Default::default()
    };
    list_in(state, actor, &org, q, paging, filter).await
}

/// The meetings of an initiative the caller may see (getMeetingsForInitiative):
/// initiative.view, and the meetings list's own scope.
pub async fn list_for_initiative(
    state: &AppState,
    actor: &Actor,
    id: &InitiativeId,
    q: MeetingsQuery,
    paging: &Paging,
) -> Result<(Vec<Meeting>, PageInfo), ApiError> {
    let (org, i) = authorized::<Initiative>(&state.db, actor, id, Action::InitiativeView).await?;
    of_initiative(state, actor, &org, &i, q, paging).await
}

/// The meetings of an initiative the caller was allowed to see.
pub(crate) async fn of_initiative(
    state: &AppState,
    actor: &Actor,
    org: &OrgId,
    i: &Initiative,
    q: MeetingsQuery,
    paging: &Paging,
) -> Result<(Vec<Meeting>, PageInfo), ApiError> {
    let filter = MeetingFilter {
        initiative_id: Some(i.id.clone()),
        ..Default::default()
    };
    let q = MeetingsQuery {
        initiative_id: None,
        ..q
    };
    list_in(state, actor, org, q, paging, filter).await
}

async fn list_in(
    state: &AppState,
    actor: &Actor,
    org: &OrgId,
    q: MeetingsQuery,
    paging: &Paging,
    mut filter: MeetingFilter,
) -> Result<(Vec<Meeting>, PageInfo), ApiError> {
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    filter.search = search_from(q.search.as_deref(), &mut errors);
    (filter.scheduled_from, filter.scheduled_before) = crate::parse::scheduled_between(
        q.scheduled_from.as_deref(),
        q.scheduled_to.as_deref(),
        &mut errors,
    );
    errors.finish()?;
    let (Some(initiative), Some(team)) = (
        filter_id(q.initiative_id.as_deref(), InitiativeId::parse),
        filter_id(q.team_id.as_deref(), TeamId::parse),
    ) else {
        // A filter on an id of the wrong shape matches nothing.
        return Ok((vec![], page.info(0)));
    };
    filter.initiative_id = initiative.or(filter.initiative_id);
    filter.team_id = team;
    let scope = authz::meeting_scope(actor);
    let (list, total) = meetings::list(&state.db, org, &scope, &filter, page).await?;
    Ok((list, page.info(total)))
}

/// A meeting (meeting.view).
pub async fn get(state: &AppState, actor: &Actor, id: &MeetingId) -> Result<Meeting, ApiError> {
    let (_, m) = authorized(&state.db, actor, id, Action::MeetingView).await?;
    Ok(m)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateMeetingRequest {
    #[schema(value_type = input::Title, inline, required = true)]
    pub title: Option<String>,
    #[schema(value_type = input::Description, inline, required = false)]
    pub description: Option<String>,
    /// RFC 3339 with an offset.
    #[schema(value_type = input::Timestamp, inline, required = true)]
    pub scheduled_at: Option<String>,
    /// 1–1440, default 30.
    #[serde(default, deserialize_with = "crate::patch::whole_number::option")]
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<i64>,
    #[schema(value_type = input::Location, inline, required = false)]
    pub location: Option<String>,
    #[serde(default)]
    pub is_private: bool,
    /// A person of the organization; default: the caller's person.
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub owner_id: Option<String>,
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub team_id: Option<String>,
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub initiative_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = input::People, inline, required = false)]
    pub participant_ids: Vec<String>,
}

pub(crate) fn scheduled_at(raw: Option<&str>) -> Result<Timestamp, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Err(Invalid::new("Date is required")),
        Some(s) => Timestamp::parse_rfc3339(s).ok_or_else(|| {
            Invalid::new(
                "Date must be an RFC 3339 timestamp with an offset (e.g. 2025-10-20T14:00:00Z)",
            )
        }),
    }
}

fn duration(d: i64) -> Result<i32, Invalid> {
    if (1..=1440).contains(&d) {
        Ok(d as i32)
    } else {
        Err(Invalid::new("Duration must be from 1 to 1440 minutes"))
    }
}

/// Creates a meeting owned by the caller's person unless another owner is named
/// (meeting.create: members linked to a person).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CreateMeetingRequest,
) -> Result<Meeting, ApiError> {
    let org = load::permitted(actor, Action::MeetingCreate)?;
    validate! {
        title = "title": title(input.title.as_deref()),
        description = "description": optional_text(input.description.as_deref(), "Description", 10_000),
        scheduled_at = "scheduledAt": scheduled_at(input.scheduled_at.as_deref()),
        duration_minutes = "durationMinutes": duration(input.duration_minutes.unwrap_or(30)),
        location = "location": optional_line(input.location.as_deref(), "Location", 200),
    }
    let now = state.now();
    // Every reference is resolved before the write opens: nothing is looked up under its lock.
    let (db, o) = (&state.db, &org);
    let owner_id = match input.owner_id.as_deref().map(str::trim) {
        None | Some("") => actor.person_id.clone(),
        Some(raw) => Some(refs::person(db, o, raw, OWNER_NOT_FOUND).await?),
    };
    let team_id = refs::optional(input.team_id.as_deref(), |r| async move {
        refs::team(db, o, &r, TEAM_NOT_FOUND).await
    })
    .await?;
    let initiative_id = refs::optional(input.initiative_id.as_deref(), |r| async move {
        refs::initiative(db, o, &r, INITIATIVE_NOT_FOUND).await
    })
    .await?;
    let participant_ids = refs::persons(
        db,
        o,
        &input.participant_ids,
        "participantIds",
        PARTICIPANT_NOT_FOUND,
    )
    .await?;
    let txn = begin_write(&state.db).await?;
    let fields = MeetingFields {
        title,
        description,
        scheduled_at,
        duration_minutes,
        location,
        is_private: input.is_private,
        owner_id,
        team_id,
        initiative_id,
        participant_ids,
    };
    let id = meetings::insert(&txn, &org, &actor.user_id, &fields, now).await?;
    let m = reread::<Meeting>(&txn, &org, &id).await?;
    crate::notify::added_to_meeting(&txn, state, actor, &m, &m.participant_ids).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(m)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMeetingRequest {
    #[serde(default)]
    #[schema(value_type = input::Title, inline, required = false)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::Description, inline, required = false)]
    pub description: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::Timestamp, inline, required = false)]
    pub scheduled_at: Patch<String>,
    #[serde(default, deserialize_with = "crate::patch::whole_number::patch")]
    #[schema(value_type = i64, minimum = 1, maximum = 1440)]
    pub duration_minutes: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = input::Location, inline, required = false)]
    pub location: Patch<String>,
    #[serde(default)]
    #[schema(value_type = bool)]
    pub is_private: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub owner_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub team_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub initiative_id: Patch<String>,
    /// Replaces the participants; `[]` or `null` removes them all.
    #[serde(default)]
    #[schema(value_type = input::PeopleOrNull, inline, required = false)]
    pub participant_ids: Patch<Vec<String>>,
}

/// Changes some of a meeting's fields (meeting.edit: admins, creator, owner, participants).
/// Whoever may edit but not delete it may not change its owner or privacy. Permission comes
/// before validation: who may not edit learns nothing from a 400.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &MeetingId,
    input: UpdateMeetingRequest,
    if_match: &IfMatch,
) -> Result<Meeting, ApiError> {
    let now = state.now();
    let participants = refs::ahead(
        actor,
        input.participant_ids.replacement(),
        |o, raw| async move {
            refs::persons(&state.db, &o, &raw, "participantIds", PARTICIPANT_NOT_FOUND).await
        },
    )
    .await;
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized::<Meeting>(&txn, actor, id, Action::MeetingEdit).await?;
    versions::claim(
        &txn,
        Versioned::Meeting,
        &org,
        current.id.as_str(),
        actor,
        if_match,
    )
    .await?;
    validate! {
        title = "title": required(input.title, "Title", |t| title(Some(&t))),
        description = "description": input.description.try_map(|d| optional_text(Some(&d), "Description", 10_000)),
        scheduled_at = "scheduledAt": required(input.scheduled_at, "Date", |s| scheduled_at(Some(&s))),
        duration_minutes = "durationMinutes": required(input.duration_minutes, "Duration", duration),
        location = "location": input.location.try_map(|l| optional_line(Some(&l), "Location", 200)),
        is_private = "isPrivate": required(input.is_private, "isPrivate", Ok),
    }
    let (db, o) = (&txn, &org);
    let owner = refs::patch(input.owner_id, |r| async move {
        refs::person(db, o, &r, OWNER_NOT_FOUND).await
    })
    .await?;
    let team = refs::patch(input.team_id, |r| async move {
        refs::team(db, o, &r, TEAM_NOT_FOUND).await
    })
    .await?;
    let initiative = refs::patch(input.initiative_id, |r| async move {
        refs::initiative(db, o, &r, INITIATIVE_NOT_FOUND).await
    })
    .await?;
    let participants = match participants {
        Some(resolved) => resolved?,
        None => current.participant_ids.clone(),
    };
    let mut f = MeetingFields::from(&current);
    f.title = title.unwrap_or(f.title);
    f.description = description.flatten().apply(f.description);
    f.scheduled_at = scheduled_at.unwrap_or(f.scheduled_at);
    f.duration_minutes = duration_minutes.unwrap_or(f.duration_minutes);
    f.location = location.flatten().apply(f.location);
    f.is_private = is_private.unwrap_or(f.is_private);
    f.owner_id = owner.apply(f.owner_id);
    f.team_id = team.apply(f.team_id);
    f.initiative_id = initiative.apply(f.initiative_id);
    f.participant_ids = participants;
    let after = authz::MeetingFacts {
        is_private: f.is_private,
        owner: f.owner_id.clone(),
        participants: f.participant_ids.clone(),
        ..current.facts()
    };
    authz::authorize_meeting_change(actor, &current.facts(), &after)?;
    meetings::update(&txn, &org, &current.id, &f, now).await?;
    let m = reread::<Meeting>(&txn, &org, &current.id).await?;
    let added: Vec<_> = m
        .participant_ids
        .iter()
        .filter(|p| !current.participant_ids.contains(p))
        .cloned()
        .collect();
    crate::notify::added_to_meeting(&txn, state, actor, &m, &added).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(m)
}

/// Deletes a meeting and its instances (meeting.delete: admins, creator, owner).
pub async fn delete(state: &AppState, actor: &Actor, id: &MeetingId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, m) = authorized::<Meeting>(&txn, actor, id, Action::MeetingDelete).await?;
    meetings::delete(&txn, &org, &m.id).await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Instances.

/// A meeting's instances the caller may see, latest first: all of them when the meeting is
/// visible to the caller, otherwise those the caller takes part in. A meeting of which
/// nothing is visible does not exist for the caller.
pub async fn list_instances(
    state: &AppState,
    actor: &Actor,
    id: &MeetingId,
    paging: &Paging,
) -> Result<(Vec<MeetingInstance>, PageInfo), ApiError> {
    let org = load::org_of(actor, Action::MeetingInstanceView)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    errors.finish()?;
    let meeting = meetings::find(&state.db, &org, id)
        .await?
        .ok_or_else(|| not_found(Kind::Meeting))?;
    let scope = authz::instance_scope(actor, &meeting.facts());
    let (list, total) =
        meetings::list_instances(&state.db, &org, &meeting.id, &scope, page).await?;
    if total == 0 && scope != authz::InstanceScope::All {
        return Err(not_found(Kind::Meeting));
    }
    Ok((list, page.info(total)))
}

/// `GET /meetings/{id}`'s view, from one call: the meeting and its first `shown` occurrences
/// the caller may see (with their total). Reads only.
pub async fn page(
    state: &AppState,
    actor: &Actor,
    id: &MeetingId,
    shown: u64,
) -> Result<(Meeting, (Vec<MeetingInstance>, PageInfo)), ApiError> {
    let m = get(state, actor, id).await?;
    let first = Paging {
        page: None,
        limit: Some(shown.to_string()),
    };
    let instances = list_instances(state, actor, &m.id, &first).await?;
    Ok((m, instances))
}

/// The occurrence's edit form's view: the occurrence and its meeting, for whom may edit it
/// (else its 403, or its 404 for whom may not see it).
pub async fn instance_edit_view(
    state: &AppState,
    actor: &Actor,
    id: &MeetingInstanceId,
) -> Result<InstanceOfMeeting, ApiError> {
    let (_, found) =
        authorized::<InstanceOfMeeting>(&state.db, actor, id, Action::MeetingInstanceEdit).await?;
    Ok(found)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateInstanceRequest {
    #[schema(value_type = input::Timestamp, inline, required = true)]
    pub scheduled_at: Option<String>,
    #[schema(value_type = input::InstanceNotes, inline, required = false)]
    pub notes: Option<String>,
    /// Default: the meeting's participants.
    #[schema(value_type = input::PeopleOrNull, inline, required = false)]
    pub participant_ids: Option<Vec<String>>,
}

/// The meeting an instance would be added to, if the caller may add one
/// (meeting-instance.create: a person who may edit the meeting; 404 if it is invisible).
async fn instance_parent(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: &MeetingId,
) -> Result<(OrgId, Meeting), ApiError> {
    let org = load::org_of(actor, Action::MeetingInstanceCreate)?;
    let meeting = meetings::find(db, &org, id)
        .await?
        .ok_or_else(|| not_found(Kind::Meeting))?;
    authz::authorize_general(
        actor,
        Action::MeetingInstanceCreate,
        Some(&meeting.target()),
    )?;
    Ok((org, meeting))
}

/// Adds an instance to a meeting (meeting-instance.create: a person who may edit the meeting).
/// Permission comes before validation.
pub async fn create_instance(
    state: &AppState,
    actor: &Actor,
    meeting: &MeetingId,
    input: CreateInstanceRequest,
) -> Result<MeetingInstance, ApiError> {
    let now = state.now();
    let participants = refs::ahead(actor, input.participant_ids, |o, raw| async move {
        refs::persons(&state.db, &o, &raw, "participantIds", PARTICIPANT_NOT_FOUND).await
    })
    .await;
    let txn = begin_write(&state.db).await?;
    let (org, meeting) = instance_parent(&txn, actor, meeting).await?;
    validate! {
        scheduled_at = "scheduledAt": scheduled_at(input.scheduled_at.as_deref()),
        notes = "notes": optional_text(input.notes.as_deref(), "Notes", 20_000),
    }
    let participant_ids = match participants {
        Some(resolved) => resolved?,
        None => meeting.participant_ids.clone(),
    };
    let fields = InstanceFields {
        scheduled_at,
        notes,
        participant_ids,
    };
    let id = meetings::insert_instance(&txn, &org, &meeting.id, &fields, now).await?;
    let inst = reread::<InstanceOfMeeting>(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(inst.instance)
}

/// A meeting instance (meeting-instance.view).
pub async fn get_instance(
    state: &AppState,
    actor: &Actor,
    id: &MeetingInstanceId,
) -> Result<MeetingInstance, ApiError> {
    let (_, found) =
        authorized::<InstanceOfMeeting>(&state.db, actor, id, Action::MeetingInstanceView).await?;
    Ok(found.instance)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInstanceRequest {
    #[serde(default)]
    #[schema(value_type = input::Timestamp, inline, required = false)]
    pub scheduled_at: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::InstanceNotes, inline, required = false)]
    pub notes: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::PeopleOrNull, inline, required = false)]
    pub participant_ids: Patch<Vec<String>>,
}

/// Changes a meeting instance (meeting-instance.edit). Permission comes before validation.
pub async fn update_instance(
    state: &AppState,
    actor: &Actor,
    id: &MeetingInstanceId,
    input: UpdateInstanceRequest,
    if_match: &IfMatch,
) -> Result<MeetingInstance, ApiError> {
    let now = state.now();
    let participants = refs::ahead(
        actor,
        input.participant_ids.replacement(),
        |o, raw| async move {
            refs::persons(&state.db, &o, &raw, "participantIds", PARTICIPANT_NOT_FOUND).await
        },
    )
    .await;
    let txn = begin_write(&state.db).await?;
    let (org, found) =
        authorized::<InstanceOfMeeting>(&txn, actor, id, Action::MeetingInstanceEdit).await?;
    let current = found.instance;
    versions::claim(
        &txn,
        Versioned::MeetingInstance,
        &org,
        current.id.as_str(),
        actor,
        if_match,
    )
    .await?;
    validate! {
        scheduled_at = "scheduledAt": required(input.scheduled_at, "Date", |s| scheduled_at(Some(&s))),
        notes = "notes": input.notes.try_map(|n| optional_text(Some(&n), "Notes", 20_000)),
    }
    let participant_ids = match participants {
        Some(resolved) => resolved?,
        None => current.participant_ids.clone(),
    };
    let fields = InstanceFields {
        scheduled_at: scheduled_at.unwrap_or(current.scheduled_at),
        notes: notes.flatten().apply(current.notes.clone()),
        participant_ids,
    };
    meetings::update_instance(&txn, &org, &current.id, &fields, now).await?;
    let inst = reread::<InstanceOfMeeting>(&txn, &org, &current.id).await?;
    txn.commit().await?;
    Ok(inst.instance)
}

/// Deletes a meeting instance (meeting-instance.delete).
pub async fn delete_instance(
    state: &AppState,
    actor: &Actor,
    id: &MeetingInstanceId,
) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, found) =
        authorized::<InstanceOfMeeting>(&txn, actor, id, Action::MeetingInstanceDelete).await?;
    meetings::delete_instance(&txn, &org, &found.instance.id).await?;
    txn.commit().await?;
    Ok(())
}
