//! `/api/me`: the caller (docs/API.md §3).

use crate::services::input;
use crate::services::notify::{self, KindChoices, NotificationSettingsRequest};
use crate::services::{accounts, members};
use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppPath, CurrentUser},
    schema::{OrganizationView, PersonView, UserView},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::NotificationKind;
use manageros_store::repo::notifications::Prefs;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub organization: Option<OrganizationView>,
    pub person: Option<PersonView>,
}

/// The caller, their organization and the person they are linked to (getCurrentUserWithPerson).
#[utoipa::path(get, path = "/api/me", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn get_me(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<MeResponse>, ApiError> {
    let user = &caller.user;
    let accounts::Account {
        organization,
        person,
        ..
    } = accounts::me(&state, user).await?;
    Ok(AppJson(MeResponse {
        user: UserView::from(user),
        organization: organization.as_ref().map(OrganizationView::from),
        person: person.as_ref().map(PersonView::from),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct LinkablePersonView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Option<String>,
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct LinkablePersonsResponse {
    pub persons: Vec<LinkablePersonView>,
}

/// People the caller may link themselves to: unlinked, and recorded with the caller's own
/// email address (getAvailablePersonsForSelfLinking).
#[utoipa::path(get, path = "/api/me/linkable-persons", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = LinkablePersonsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn linkable_persons(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<LinkablePersonsResponse>, ApiError> {
    let list = members::linkable_persons(&state, &caller.user).await?;
    Ok(AppJson(LinkablePersonsResponse {
        persons: list
            .iter()
            .map(|p| LinkablePersonView {
                id: p.id.to_string(),
                name: p.name.clone(),
                email: p.email.clone(),
                role: p.role.clone(),
                status: p.status.as_str(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkSelfRequest {
    #[schema(value_type = input::Id, inline, required = true)]
    pub person_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonResponse {
    pub person: PersonView,
}

/// Link yourself to the person recorded with your email address (linkSelfToPerson).
#[utoipa::path(put, path = "/api/me/person", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    request_body = LinkSelfRequest,
    responses((status = 200, body = PersonResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn link_self(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<LinkSelfRequest>,
) -> Result<AppJson<PersonResponse>, ApiError> {
    let person = members::link_self(
        &state,
        &caller.user.id,
        body.person_id.as_deref().unwrap_or_default().trim(),
    )
    .await?;
    Ok(AppJson(PersonResponse {
        person: PersonView::from(&person),
    }))
}

/// Unlink yourself from your person (unlinkSelfFromPerson).
#[utoipa::path(delete, path = "/api/me/person", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn unlink_self(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<StatusCode, ApiError> {
    members::unlink_self(&state, &caller.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One of my sessions, as I would recognise it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub id: String,
    /// The `User-Agent` it signed in with, if any.
    pub device: Option<String>,
    /// The client address it signed in from.
    pub address: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Refreshed at most every five minutes.
    #[schema(format = DateTime)]
    pub last_used_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// The session this request came with.
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsResponse {
    pub sessions: Vec<SessionView>,
}

/// My signed-in sessions (devices), most recently used first.
#[utoipa::path(get, path = "/api/me/sessions", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = SessionsResponse), (status = 401, body = ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<SessionsResponse>, ApiError> {
    let list = accounts::sessions(&state, &caller.user).await?;
    Ok(AppJson(SessionsResponse {
        sessions: list
            .into_iter()
            .map(|s| SessionView {
                current: s.id == caller.session_id,
                id: s.id.to_string(),
                device: s.device.user_agent,
                address: s.device.address,
                created_at: s.created_at.to_rfc3339(),
                last_used_at: s.last_used_at.to_rfc3339(),
                expires_at: s.expires_at.to_rfc3339(),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SignedOutElsewhere {
    /// How many other sessions ended.
    pub ended: u64,
}

/// Sign out everywhere else: every session but this one ends, and the calendar feed's secret
/// URL stops working (make a new one on the account page).
#[utoipa::path(delete, path = "/api/me/sessions", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = SignedOutElsewhere), (status = 401, body = ErrorBody)))]
pub async fn sign_out_elsewhere(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<SignedOutElsewhere>, ApiError> {
    let ended = accounts::sign_out_elsewhere(&state, &caller.user, &caller.session_id).await?;
    Ok(AppJson(SignedOutElsewhere { ended }))
}

/// Revoke one of my sessions: whoever holds it is signed out (revoking the current one signs
/// me out).
#[utoipa::path(delete, path = "/api/me/sessions/{id}", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "A session id from `GET /api/me/sessions`")),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "Session not found")))]
pub async fn revoke_session(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    accounts::revoke_session(&state, &caller.user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which emails a user gets, and when reminders come.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    /// An IANA zone, or `null` (UTC) until set (the browser's, at the first sign-in on the pages).
    pub time_zone: Option<String>,
    /// Reminders go at 09:00 this many days before a one-on-one's day (0: that morning).
    pub reminder_days_before: i32,
    /// Each kind, on or off: `reminder`, `assigned`, `handoff`, `campaign` and `meeting` are on
    /// unless turned off; `digest` (Monday morning) is off unless turned on.
    pub kinds: KindChoices,
}

impl From<Prefs> for NotificationSettings {
    fn from(p: Prefs) -> Self {
        let on = |k| Some(p.wants(k));
        Self {
            kinds: KindChoices {
                reminder: on(NotificationKind::Reminder),
                assigned: on(NotificationKind::Assigned),
                handoff: on(NotificationKind::Handoff),
                campaign: on(NotificationKind::Campaign),
                meeting: on(NotificationKind::Meeting),
                digest: on(NotificationKind::Digest),
            },
            time_zone: p.time_zone,
            reminder_days_before: p.reminder_days_before,
        }
    }
}

/// The caller's email settings.
#[utoipa::path(get, path = "/api/me/notifications", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody)))]
pub async fn get_notifications(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<NotificationSettings>, ApiError> {
    Ok(AppJson(
        notify::settings(&state, &caller.actor()).await?.into(),
    ))
}

/// Change the caller's email settings: what is sent changes, the rest stays.
#[utoipa::path(patch, path = "/api/me/notifications", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    request_body = NotificationSettingsRequest,
    responses((status = 200, body = NotificationSettings), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn update_notifications(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<NotificationSettingsRequest>,
) -> Result<AppJson<NotificationSettings>, ApiError> {
    let p = notify::update_settings(&state, &caller.actor(), body).await?;
    Ok(AppJson(p.into()))
}
