//! `/api/oneonones` (docs/API.md §6): the caller's one-on-ones, and the access
//! receipt of each.

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppQuery, CurrentUser, Id, IfMatch, Paging},
    schema::PaginationView,
    services::oneonones::{self, OneOnOneRequest, OneOnOnesQuery, OrganizationOneOnOnesQuery},
    state::AppState,
    versioned::{IfMatchHeader, Stale, Versioned, answer},
};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use manageros_core::OneOnOneId;
use manageros_store::repo::oneonones::{OneOnOneWithPeople, Party};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UserRef {
    pub id: String,
}

/// One of the two people of a one-on-one.
#[derive(Serialize, ToSchema)]
pub struct PartyView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// The person's job title.
    pub role: Option<String>,
    /// The user linked to the person, if any.
    pub user: Option<UserRef>,
}

impl From<&Party> for PartyView {
    fn from(p: &Party) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            email: p.email.clone(),
            role: p.role.clone(),
            user: p.user_id.as_ref().map(|u| UserRef { id: u.to_string() }),
        }
    }
}

/// A one-on-one: `managerId` is the first participant, `reportId` the second.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OneOnOneView {
    pub id: String,
    pub manager_id: String,
    pub report_id: String,
    #[schema(format = DateTime)]
    pub scheduled_at: String,
    /// Its end: `scheduledAt` plus `durationMinutes`. It is over from then on.
    #[schema(format = DateTime)]
    pub ends_at: String,
    pub duration_minutes: i64,
    /// The recurring series it belongs to (§6.2), or `null` for a one-off.
    pub series_id: Option<String>,
    pub notes: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub manager: PartyView,
    pub report: PartyView,
}

impl From<&OneOnOneWithPeople> for OneOnOneView {
    fn from(o: &OneOnOneWithPeople) -> Self {
        let one = &o.one_on_one;
        Self {
            id: one.id.to_string(),
            manager_id: one.manager_id.to_string(),
            report_id: one.report_id.to_string(),
            scheduled_at: one.scheduled_at.to_rfc3339(),
            ends_at: one.ends_at.to_rfc3339(),
            duration_minutes: one.duration_minutes(),
            series_id: one.series_id.as_ref().map(ToString::to_string),
            notes: one.notes.clone(),
            created_at: one.created_at.to_rfc3339(),
            updated_at: one.updated_at.to_rfc3339(),
            version: one.version,
            manager: PartyView::from(&o.manager),
            report: PartyView::from(&o.report),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OneOnOnesResponse {
    pub one_on_ones: Vec<OneOnOneView>,
    pub pagination: PaginationView,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OneOnOneResponse {
    pub one_on_one: OneOnOneView,
}

impl From<&OneOnOneWithPeople> for OneOnOneResponse {
    fn from(o: &OneOnOneWithPeople) -> Self {
        Self {
            one_on_one: OneOnOneView::from(o),
        }
    }
}

/// The caller's one-on-ones (as manager or report), admins included.
#[utoipa::path(get, path = "/api/oneonones", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(OneOnOnesQuery, Paging),
    responses((status = 200, body = OneOnOnesResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "User must belong to an organization to view one-on-ones / No person record found for current user")))]
pub async fn list_oneonones(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(q): AppQuery<OneOnOnesQuery>,
) -> Result<AppJson<OneOnOnesResponse>, ApiError> {
    let (list, page) = oneonones::list(
        &state,
        &caller.actor(),
        Some(caller.oneonones_version),
        q,
        &paging,
    )
    .await?;
    Ok(AppJson(OneOnOnesResponse {
        one_on_ones: list.iter().map(OneOnOneView::from).collect(),
        pagination: page.into(),
    }))
}

/// Schedule a one-on-one (createOneOnOne). A non-admin must be one of the two participants.
#[utoipa::path(post, path = "/api/oneonones", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    request_body = OneOnOneRequest,
    responses((status = 201, body = OneOnOneResponse, headers(("ETag" = String, description = "The one-on-one's version"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_oneonone(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<OneOnOneRequest>,
) -> Result<(StatusCode, Response), ApiError> {
    let o = oneonones::create(&state, &caller.actor(), body).await?;
    Ok((StatusCode::CREATED, versioned(&o).into_response()))
}

/// A one-on-one (getOneOnOneById): its participants, and admins (who are logged).
///
/// Its `ETag` is its version, for `If-Match` on a change.
#[utoipa::path(get, path = "/api/oneonones/{id}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OneOnOneResponse, headers(("ETag" = String, description = "The one-on-one's version"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "One-on-one not found or you do not have access to it")))]
pub async fn get_oneonone(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
) -> Result<Response, ApiError> {
    let o = oneonones::get(&state, &caller.actor(), &id).await?;
    Ok(versioned(&o).into_response())
}

/// The one-on-one with its version as the `ETag`.
fn versioned(o: &OneOnOneWithPeople) -> Versioned<OneOnOneResponse> {
    Versioned(o.one_on_one.version, OneOnOneResponse::from(o))
}

/// Change a one-on-one (updateOneOnOne): the same body as creating one.
///
/// With `If-Match` (the `ETag` it was read with), only if nobody changed it since: else 412
/// with how it is now.
#[utoipa::path(put, path = "/api/oneonones/{id}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = OneOnOneRequest,
    responses((status = 200, body = OneOnOneResponse, headers(("ETag" = String, description = "The one-on-one's new version"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<OneOnOneResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_oneonone(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
    if_match: IfMatch,
    AppJson(body): AppJson<OneOnOneRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = oneonones::update(&state, &actor, &id, body, &if_match).await;
    answer(changed, versioned, || oneonones::get(&state, &actor, &id)).await
}

/// Delete a one-on-one.
#[utoipa::path(delete, path = "/api/oneonones/{id}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_oneonone(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
) -> Result<StatusCode, ApiError> {
    oneonones::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReaderView {
    pub user_id: String,
    pub name: String,
    /// `participant` or `admin`.
    pub why: &'static str,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogEntryView {
    #[schema(format = DateTime)]
    pub at: String,
    pub user_id: String,
    pub name: String,
    /// `view`, `edit`, `delete` (by someone not taking part); `handoff` (items moved to or from
    /// it when a manager changed); `view-in-handoff` (its open items read in a handoff offer
    /// by someone not taking part: the new manager); `link`, `unlink` (the user `subject` linked to or unlinked
    /// from `person`, one of its two people, by `userId`); `view-through-link`,
    /// `edit-through-link`, `delete-through-link` (by a participant whose account was linked
    /// to their person in place of another); `participant-removed` (`person` taken out by an
    /// update).
    pub action: String,
    /// The person the entry is about, when it is about one.
    pub person: Option<NamedRef>,
    /// The user linked or unlinked, for `link` and `unlink`.
    pub subject: Option<NamedRef>,
}

/// An id with the name it has now.
#[derive(Serialize, ToSchema)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessResponse {
    pub can_access: Vec<ReaderView>,
    /// Who reads each participant's private notes: `Only their author`, always.
    pub private_notes: &'static str,
    pub log: Vec<AccessLogEntryView>,
}

/// The access receipt (participants only): who may open this one-on-one and why, and every
/// view, edit or delete by someone not taking part in it.
#[utoipa::path(get, path = "/api/oneonones/{id}/access", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AccessResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn oneonone_access(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
) -> Result<AppJson<AccessResponse>, ApiError> {
    let (readers, log) = oneonones::access(&state, &caller.actor(), &id).await?;
    Ok(AppJson(AccessResponse {
        private_notes: oneonones::PRIVATE_NOTES_READERS,
        can_access: readers
            .into_iter()
            .map(|r| ReaderView {
                user_id: r.user_id,
                name: r.name,
                why: r.why,
            })
            .collect(),
        log: log
            .into_iter()
            .map(|e| AccessLogEntryView {
                at: e.at.to_rfc3339(),
                user_id: e.user_id.to_string(),
                name: e.name,
                action: e.action,
                person: e.person.map(|(id, name)| NamedRef {
                    id: id.to_string(),
                    name,
                }),
                subject: e.subject.map(|(id, name)| NamedRef {
                    id: id.to_string(),
                    name,
                }),
            })
            .collect(),
    }))
}

/// A one-on-one in the admins' list of the organization's: who and when, never the notes.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedOneOnOne {
    pub id: String,
    pub manager_id: String,
    pub manager_name: String,
    pub report_id: String,
    pub report_name: String,
    #[schema(format = DateTime)]
    pub scheduled_at: String,
    #[schema(format = DateTime)]
    pub ends_at: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationOneOnOnesResponse {
    pub one_on_ones: Vec<ListedOneOnOne>,
    pub pagination: PaginationView,
}

/// Every one-on-one of the organization, latest first (admins). Opening one
/// (`GET /api/oneonones/{id}`) is written to its access log, as any admin's opening is.
#[utoipa::path(get, path = "/api/organization/oneonones", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(OrganizationOneOnOnesQuery, Paging),
    responses((status = 200, body = OrganizationOneOnOnesResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn organization_oneonones(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(q): AppQuery<OrganizationOneOnOnesQuery>,
) -> Result<AppJson<OrganizationOneOnOnesResponse>, ApiError> {
    let (list, page) = oneonones::of_organization(&state, &caller.actor(), q, &paging).await?;
    Ok(AppJson(OrganizationOneOnOnesResponse {
        one_on_ones: list
            .iter()
            .map(|o| ListedOneOnOne {
                id: o.id.to_string(),
                manager_id: o.manager_id.to_string(),
                manager_name: o.manager_name.clone(),
                report_id: o.report_id.to_string(),
                report_name: o.report_name.clone(),
                scheduled_at: o.scheduled_at.to_rfc3339(),
                ends_at: o.ends_at.to_rfc3339(),
            })
            .collect(),
        pagination: page.into(),
    }))
}
