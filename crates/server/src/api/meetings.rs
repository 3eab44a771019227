//! `/api/meetings` and `/api/meeting-instances` (docs/API.md §8). A private meeting is visible to
//! admins, its creator, its owner and its participants; an instance also to those who take
//! part in it.

use crate::{
    access,
    api::schema::{PaginationView, optional_text, page_from, search_from, time_from, time_until},
    error::{ApiError, ErrorBody, FieldErrors},
    extract::{AppJson, AppPath, AppQuery, CurrentUser},
    patch::{Patch, required},
    services::{
        initiatives,
        meetings::{self, InstanceDraft, InstancePatch, MeetingDraft, MeetingPatch},
        tasks::title,
    },
    state::AppState,
    validate,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::{
    InitiativeId, Invalid, MeetingId, OrgId, TeamId, Timestamp,
    authz::{self, Action, Actor, Kind},
};
use manageros_store::repo::meetings::{self as repo, Meeting, MeetingFilter, MeetingInstance};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A meeting.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeetingView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    #[schema(format = DateTime)]
    pub scheduled_at: String,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub is_private: bool,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub initiative_id: Option<String>,
    pub participant_ids: Vec<String>,
    pub created_by_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&Meeting> for MeetingView {
    fn from(m: &Meeting) -> Self {
        Self {
            id: m.id.to_string(),
            title: m.title.clone(),
            description: m.description.clone(),
            scheduled_at: m.scheduled_at.to_rfc3339(),
            duration_minutes: m.duration_minutes,
            location: m.location.clone(),
            is_private: m.is_private,
            owner_id: m.owner_id.as_ref().map(ToString::to_string),
            team_id: m.team_id.as_ref().map(ToString::to_string),
            initiative_id: m.initiative_id.as_ref().map(ToString::to_string),
            participant_ids: m.participant_ids.iter().map(ToString::to_string).collect(),
            created_by_id: m.created_by.to_string(),
            created_at: m.created_at.to_rfc3339(),
            updated_at: m.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeetingResponse {
    pub meeting: MeetingView,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingsResponse {
    pub meetings: Vec<MeetingView>,
    pub pagination: PaginationView,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MeetingsQuery {
    pub search: Option<String>,
    pub initiative_id: Option<String>,
    pub team_id: Option<String>,
    /// Inclusive: an RFC 3339 timestamp, or a date for the start of that UTC day.
    pub scheduled_from: Option<String>,
    /// Inclusive: an RFC 3339 timestamp, or a date for the whole of that UTC day.
    pub scheduled_to: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    org: &OrgId,
    q: MeetingsQuery,
    mut filter: MeetingFilter,
) -> Result<MeetingsResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    filter.search = search_from(q.search.as_deref(), &mut errors);
    filter.scheduled_from = errors
        .take(
            "scheduledFrom",
            q.scheduled_from
                .as_deref()
                .map(|s| time_from(s, "scheduledFrom"))
                .transpose(),
        )
        .flatten();
    filter.scheduled_before = errors
        .take(
            "scheduledTo",
            q.scheduled_to
                .as_deref()
                .map(|s| time_until(s, "scheduledTo"))
                .transpose(),
        )
        .flatten();
    errors.finish()?;
    let initiative = q.initiative_id.as_deref().map(InitiativeId::parse);
    let team = q.team_id.as_deref().map(TeamId::parse);
    let (list, total) = if matches!(initiative, Some(None)) || matches!(team, Some(None)) {
        (vec![], 0)
    } else {
        filter.initiative_id = initiative.flatten().or(filter.initiative_id);
        filter.team_id = team.flatten();
        repo::list(&state.db, org, &authz::meeting_scope(actor), &filter, page).await?
    };
    Ok(MeetingsResponse {
        meetings: list.iter().map(MeetingView::from).collect(),
        pagination: page.info(total).into(),
    })
}

/// The meetings the caller may see, latest first (meeting.view).
#[utoipa::path(get, path = "/api/meetings", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(MeetingsQuery),
    responses((status = 200, body = MeetingsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_meetings(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<MeetingsQuery>,
) -> Result<AppJson<MeetingsResponse>, ApiError> {
    let actor = caller.actor();
    let org = access::org_for(&actor, Action::MeetingView)?;
    authz::authorize_general(&actor, Action::MeetingView, None)?;
    Ok(AppJson(
        list_page(&state, &actor, &org, q, MeetingFilter::default()).await?,
    ))
}

/// The meetings of an initiative the caller may see (getMeetingsForInitiative).
#[utoipa::path(get, path = "/api/initiatives/{id}/meetings", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), MeetingsQuery),
    responses((status = 200, body = MeetingsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn initiative_meetings(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppQuery(q): AppQuery<MeetingsQuery>,
) -> Result<AppJson<MeetingsResponse>, ApiError> {
    let actor = caller.actor();
    let (org, i) = initiatives::authorized(&state.db, &actor, &id, Action::InitiativeView).await?;
    let filter = MeetingFilter {
        initiative_id: Some(i.id),
        ..Default::default()
    };
    let q = MeetingsQuery {
        initiative_id: None,
        ..q
    };
    Ok(AppJson(list_page(&state, &actor, &org, q, filter).await?))
}

/// A meeting (meeting.view).
#[utoipa::path(get, path = "/api/meetings/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = MeetingResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_meeting(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<MeetingResponse>, ApiError> {
    let (_, m) = meetings::authorized(&state.db, &caller.actor(), &id, Action::MeetingView).await?;
    Ok(AppJson(MeetingResponse {
        meeting: MeetingView::from(&m),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateMeetingRequest {
    pub title: Option<String>,
    pub description: Option<String>,
    /// RFC 3339 with an offset.
    pub scheduled_at: Option<String>,
    /// 1–1440, default 30.
    pub duration_minutes: Option<i64>,
    pub location: Option<String>,
    #[serde(default)]
    pub is_private: bool,
    /// A person of the organization; default: the caller's person.
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    pub initiative_id: Option<String>,
    #[serde(default)]
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

/// Create a meeting (meeting.create: members linked to a person).
#[utoipa::path(post, path = "/api/meetings", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateMeetingRequest,
    responses((status = 201, body = MeetingResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_meeting(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreateMeetingRequest>,
) -> Result<(StatusCode, AppJson<MeetingResponse>), ApiError> {
    let actor = caller.actor();
    access::org_for(&actor, Action::MeetingCreate)?;
    authz::authorize_general(&actor, Action::MeetingCreate, None)?;
    validate! {
        title = "title": title(body.title.as_deref()),
        description = "description": optional_text(body.description.as_deref(), "Description", 10_000),
        scheduled_at = "scheduledAt": scheduled_at(body.scheduled_at.as_deref()),
        duration_minutes = "durationMinutes": duration(body.duration_minutes.unwrap_or(30)),
        location = "location": optional_text(body.location.as_deref(), "Location", 200),
    }
    let draft = MeetingDraft {
        title,
        description,
        scheduled_at,
        duration_minutes,
        location,
        is_private: body.is_private,
        owner_id: body.owner_id,
        team_id: body.team_id,
        initiative_id: body.initiative_id,
        participant_ids: body.participant_ids,
    };
    let m = meetings::create(&state, &actor, &caller.user.id, draft).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(MeetingResponse {
            meeting: MeetingView::from(&m),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMeetingRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub scheduled_at: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub duration_minutes: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub location: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub is_private: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub owner_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub team_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub initiative_id: Patch<String>,
    /// Replaces the participants; `[]` or `null` removes them all.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub participant_ids: Patch<Vec<String>>,
}

pub(crate) fn replace_list(p: Patch<Vec<String>>) -> Option<Vec<String>> {
    match p {
        Patch::Absent => None,
        Patch::Null => Some(vec![]),
        Patch::Value(v) => Some(v),
    }
}

/// Change some of a meeting's fields (meeting.edit: admins, creator, owner, participants).
#[utoipa::path(patch, path = "/api/meetings/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = UpdateMeetingRequest,
    responses((status = 200, body = MeetingResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_meeting(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<UpdateMeetingRequest>,
) -> Result<AppJson<MeetingResponse>, ApiError> {
    let actor = caller.actor();
    meetings::authorized(&state.db, &actor, &id, Action::MeetingEdit).await?;
    validate! {
        title = "title": required(body.title, "Title", |t| title(Some(&t))),
        description = "description": body.description.try_map(|d| optional_text(Some(&d), "Description", 10_000)),
        scheduled_at = "scheduledAt": required(body.scheduled_at, "Date", |s| scheduled_at(Some(&s))),
        duration_minutes = "durationMinutes": required(body.duration_minutes, "Duration", duration),
        location = "location": body.location.try_map(|l| optional_text(Some(&l), "Location", 200)),
        is_private = "isPrivate": required(body.is_private, "isPrivate", Ok),
    }
    let patch = MeetingPatch {
        title,
        description: description.flatten(),
        scheduled_at,
        duration_minutes,
        location: location.flatten(),
        is_private,
        owner_id: body.owner_id,
        team_id: body.team_id,
        initiative_id: body.initiative_id,
        participant_ids: replace_list(body.participant_ids),
    };
    let m = meetings::update(&state, &actor, &id, patch).await?;
    Ok(AppJson(MeetingResponse {
        meeting: MeetingView::from(&m),
    }))
}

/// Delete a meeting and its instances (meeting.delete: admins, creator, owner).
#[utoipa::path(delete, path = "/api/meetings/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_meeting(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    meetings::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Instances.

/// One occurrence of a meeting.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeetingInstanceView {
    pub id: String,
    pub meeting_id: String,
    #[schema(format = DateTime)]
    pub scheduled_at: String,
    pub notes: Option<String>,
    pub participant_ids: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&MeetingInstance> for MeetingInstanceView {
    fn from(i: &MeetingInstance) -> Self {
        Self {
            id: i.id.to_string(),
            meeting_id: i.meeting_id.to_string(),
            scheduled_at: i.scheduled_at.to_rfc3339(),
            notes: i.notes.clone(),
            participant_ids: i.participant_ids.iter().map(ToString::to_string).collect(),
            created_at: i.created_at.to_rfc3339(),
            updated_at: i.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeetingInstanceResponse {
    pub meeting_instance: MeetingInstanceView,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeetingInstancesResponse {
    pub meeting_instances: Vec<MeetingInstanceView>,
    pub pagination: PaginationView,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<String>,
    pub limit: Option<String>,
}

/// A meeting's instances the caller may see, latest first: all of them when the meeting is
/// visible to the caller, otherwise those the caller takes part in.
#[utoipa::path(get, path = "/api/meetings/{id}/instances", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = MeetingInstancesResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_instances(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppQuery(q): AppQuery<PageQuery>,
) -> Result<AppJson<MeetingInstancesResponse>, ApiError> {
    let actor = caller.actor();
    let org = access::org_for(&actor, Action::MeetingInstanceView)?;
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    errors.finish()?;
    let meeting = match MeetingId::parse(id.trim()) {
        Some(mid) => repo::find(&state.db, &org, &mid).await?,
        None => None,
    }
    .ok_or_else(|| access::not_found(Kind::Meeting))?;
    let scope = authz::instance_scope(&actor, &meeting.facts());
    let (list, total) = repo::list_instances(&state.db, &org, &meeting.id, &scope, page).await?;
    if total == 0 && scope != authz::InstanceScope::All {
        // Neither the meeting nor any of its instances is visible: it does not exist for them.
        return Err(access::not_found(Kind::Meeting));
    }
    Ok(AppJson(MeetingInstancesResponse {
        meeting_instances: list.iter().map(MeetingInstanceView::from).collect(),
        pagination: page.info(total).into(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateInstanceRequest {
    pub scheduled_at: Option<String>,
    pub notes: Option<String>,
    /// Default: the meeting's participants.
    pub participant_ids: Option<Vec<String>>,
}

/// Add an instance to a meeting (meeting-instance.create: a person who may edit the meeting).
#[utoipa::path(post, path = "/api/meetings/{id}/instances", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = CreateInstanceRequest,
    responses((status = 201, body = MeetingInstanceResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_instance(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<CreateInstanceRequest>,
) -> Result<(StatusCode, AppJson<MeetingInstanceResponse>), ApiError> {
    let actor = caller.actor();
    // Permission before validation: who may not add to the meeting learns nothing from a 400.
    meetings::instance_parent(&state.db, &actor, &id).await?;
    validate! {
        scheduled_at = "scheduledAt": scheduled_at(body.scheduled_at.as_deref()),
        notes = "notes": optional_text(body.notes.as_deref(), "Notes", 20_000),
    }
    let draft = InstanceDraft {
        scheduled_at,
        notes,
        participant_ids: body.participant_ids,
    };
    let inst = meetings::create_instance(&state, &actor, &id, draft).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(MeetingInstanceResponse {
            meeting_instance: MeetingInstanceView::from(&inst),
        }),
    ))
}

/// A meeting instance (meeting-instance.view).
#[utoipa::path(get, path = "/api/meeting-instances/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = MeetingInstanceResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_instance(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<MeetingInstanceResponse>, ApiError> {
    let (_, _, inst) =
        meetings::authorized_instance(&state.db, &caller.actor(), &id, Action::MeetingInstanceView)
            .await?;
    Ok(AppJson(MeetingInstanceResponse {
        meeting_instance: MeetingInstanceView::from(&inst),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInstanceRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub scheduled_at: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub participant_ids: Patch<Vec<String>>,
}

/// Change a meeting instance (meeting-instance.edit).
#[utoipa::path(patch, path = "/api/meeting-instances/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = UpdateInstanceRequest,
    responses((status = 200, body = MeetingInstanceResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_instance(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<UpdateInstanceRequest>,
) -> Result<AppJson<MeetingInstanceResponse>, ApiError> {
    let actor = caller.actor();
    meetings::authorized_instance(&state.db, &actor, &id, Action::MeetingInstanceEdit).await?;
    validate! {
        scheduled_at = "scheduledAt": required(body.scheduled_at, "Date", |s| scheduled_at(Some(&s))),
        notes = "notes": body.notes.try_map(|n| optional_text(Some(&n), "Notes", 20_000)),
    }
    let patch = InstancePatch {
        scheduled_at,
        notes: notes.flatten(),
        participant_ids: replace_list(body.participant_ids),
    };
    let inst = meetings::update_instance(&state, &actor, &id, patch).await?;
    Ok(AppJson(MeetingInstanceResponse {
        meeting_instance: MeetingInstanceView::from(&inst),
    }))
}

/// Delete a meeting instance (meeting-instance.delete).
#[utoipa::path(delete, path = "/api/meeting-instances/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_instance(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    meetings::delete_instance(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
