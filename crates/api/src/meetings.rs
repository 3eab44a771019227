//! `/api/meetings` and `/api/meeting-instances` (docs/API.md §8): the JSON front end of
//! `services::meetings`.

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppQuery, CurrentUser, Id, IfMatch, Paging},
    schema::PaginationView,
    services::meetings::{
        self, CreateInstanceRequest, CreateMeetingRequest, MeetingsQuery, UpdateInstanceRequest,
        UpdateMeetingRequest,
    },
    state::AppState,
    versioned::{IfMatchHeader, Stale, Versioned, answer},
};
use axum::{extract::State, http::StatusCode, response::Response};
use manageros_core::{InitiativeId, MeetingId, MeetingInstanceId};
use manageros_store::repo::meetings::{Meeting, MeetingInstance};
use serde::Serialize;
use utoipa::ToSchema;

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
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
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
            version: m.version,
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

impl MeetingsResponse {
    fn new(list: &[Meeting], page: manageros_core::PageInfo) -> Self {
        Self {
            meetings: list.iter().map(MeetingView::from).collect(),
            pagination: page.into(),
        }
    }
}

impl From<&Meeting> for MeetingResponse {
    fn from(m: &Meeting) -> Self {
        Self {
            meeting: MeetingView::from(m),
        }
    }
}

/// The meetings the caller may see, latest first (meeting.view).
#[utoipa::path(get, path = "/api/meetings", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(MeetingsQuery, Paging),
    responses((status = 200, body = MeetingsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_meetings(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(q): AppQuery<MeetingsQuery>,
) -> Result<AppJson<MeetingsResponse>, ApiError> {
    let (list, page) = meetings::list(&state, &caller.actor(), q, &paging).await?;
    Ok(AppJson(MeetingsResponse::new(&list, page)))
}

/// The meetings of an initiative the caller may see (getMeetingsForInitiative).
#[utoipa::path(get, path = "/api/initiatives/{id}/meetings", tag = "initiatives",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), MeetingsQuery, Paging),
    responses((status = 200, body = MeetingsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn initiative_meetings(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    Id(id): Id<InitiativeId>,
    AppQuery(q): AppQuery<MeetingsQuery>,
) -> Result<AppJson<MeetingsResponse>, ApiError> {
    let (list, page) =
        meetings::list_for_initiative(&state, &caller.actor(), &id, q, &paging).await?;
    Ok(AppJson(MeetingsResponse::new(&list, page)))
}

/// A meeting (meeting.view).
#[utoipa::path(get, path = "/api/meetings/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = MeetingResponse, headers(("ETag" = String, description = "Its version, for If-Match on a change"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_meeting(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<MeetingId>,
) -> Result<Versioned<MeetingResponse>, ApiError> {
    let m = meetings::get(&state, &caller.actor(), &id).await?;
    Ok(Versioned(m.version, MeetingResponse::from(&m)))
}

/// The meeting and its occurrences the caller may see, as iCalendar events (who, when, where
/// and a link; never the description or notes).
#[utoipa::path(get, path = "/api/meetings/{id}/event.ics", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn meeting_event(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<MeetingId>,
) -> Result<Response, ApiError> {
    let body = crate::services::calendar::meeting_events(&state, &caller.actor(), &id).await?;
    Ok(crate::services::download::ics(body, Some("meeting.ics")))
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
    let m = meetings::create(&state, &caller.actor(), body).await?;
    Ok((StatusCode::CREATED, AppJson(MeetingResponse::from(&m))))
}

/// Change some of a meeting's fields (meeting.edit: admins, creator, owner, participants).
#[utoipa::path(patch, path = "/api/meetings/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = UpdateMeetingRequest,
    responses((status = 200, body = MeetingResponse, headers(("ETag" = String, description = "Its new version"))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<MeetingResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_meeting(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<MeetingId>,
    if_match: IfMatch,
    AppJson(body): AppJson<UpdateMeetingRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = meetings::update(&state, &actor, &id, body, &if_match).await;
    answer(
        changed,
        |m| Versioned(m.version, MeetingResponse::from(m)),
        || meetings::get(&state, &actor, &id),
    )
    .await
}

/// Delete a meeting and its instances (meeting.delete: admins, creator, owner).
#[utoipa::path(delete, path = "/api/meetings/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_meeting(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<MeetingId>,
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
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
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
            version: i.version,
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

impl From<&MeetingInstance> for MeetingInstanceResponse {
    fn from(i: &MeetingInstance) -> Self {
        Self {
            meeting_instance: MeetingInstanceView::from(i),
        }
    }
}

/// A meeting's instances the caller may see, latest first: all of them when the meeting is
/// visible to the caller, otherwise those the caller takes part in.
#[utoipa::path(get, path = "/api/meetings/{id}/instances", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), Paging),
    responses((status = 200, body = MeetingInstancesResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_instances(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    Id(id): Id<MeetingId>,
) -> Result<AppJson<MeetingInstancesResponse>, ApiError> {
    let (list, page) = meetings::list_instances(&state, &caller.actor(), &id, &paging).await?;
    Ok(AppJson(MeetingInstancesResponse {
        meeting_instances: list.iter().map(MeetingInstanceView::from).collect(),
        pagination: page.into(),
    }))
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
    Id(id): Id<MeetingId>,
    AppJson(body): AppJson<CreateInstanceRequest>,
) -> Result<(StatusCode, AppJson<MeetingInstanceResponse>), ApiError> {
    let inst = meetings::create_instance(&state, &caller.actor(), &id, body).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(MeetingInstanceResponse::from(&inst)),
    ))
}

/// A meeting instance (meeting-instance.view).
#[utoipa::path(get, path = "/api/meeting-instances/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = MeetingInstanceResponse, headers(("ETag" = String, description = "Its version, for If-Match on a change"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_instance(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<MeetingInstanceId>,
) -> Result<Versioned<MeetingInstanceResponse>, ApiError> {
    let inst = meetings::get_instance(&state, &caller.actor(), &id).await?;
    Ok(Versioned(
        inst.version,
        MeetingInstanceResponse::from(&inst),
    ))
}

/// Change a meeting instance (meeting-instance.edit).
#[utoipa::path(patch, path = "/api/meeting-instances/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = UpdateInstanceRequest,
    responses((status = 200, body = MeetingInstanceResponse, headers(("ETag" = String, description = "Its new version"))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<MeetingInstanceResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_instance(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<MeetingInstanceId>,
    if_match: IfMatch,
    AppJson(body): AppJson<UpdateInstanceRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = meetings::update_instance(&state, &actor, &id, body, &if_match).await;
    answer(
        changed,
        |i| Versioned(i.version, MeetingInstanceResponse::from(i)),
        || meetings::get_instance(&state, &actor, &id),
    )
    .await
}

/// Delete a meeting instance (meeting-instance.delete).
#[utoipa::path(delete, path = "/api/meeting-instances/{id}", tag = "meetings",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_instance(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<MeetingInstanceId>,
) -> Result<StatusCode, ApiError> {
    meetings::delete_instance(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
