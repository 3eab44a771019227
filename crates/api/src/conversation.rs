//! The conversation of a one-on-one (docs/API.md §6.1–6.3): talking points, action items,
//! private notes, the series of a pair, and calendars. Each handler extracts, calls one
//! function of `services::{conversation, series, calendar}`, and shapes the answer.

use crate::versioned::{IfMatchHeader, Stale, Versioned, answer};
use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppPath, AppQuery, CurrentUser, Id, Ids, IfMatch, Paging},
    oneonones::OneOnOneView,
    schema::PaginationView,
    services::{
        calendar,
        conversation::{
            self, ActionItemRequest, Agenda, NewPointRequest, PointPatch, PrivateNotesRequest,
            ReorderRequest,
        },
        series::{self, CadenceRequest, ScheduleRequest, SeriesQuery},
    },
    state::AppState,
    tasks::TaskResponse,
};
use axum::{extract::State, http::StatusCode, response::Response};
use manageros_core::{OneOnOneId, TalkingPointId, Timestamp};
use manageros_store::repo::conversation::{ActionItem, PointRow, PrivateNote};
use serde::Serialize;
use utoipa::ToSchema;

/// A talking point of a one-on-one.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TalkingPointView {
    pub id: String,
    pub text: String,
    pub author_id: String,
    pub author_name: String,
    /// Checked off: discussed.
    pub done: bool,
    #[schema(format = DateTime)]
    pub done_at: Option<String>,
    /// The one-on-one it was first written on, when it was carried over from there.
    pub carried_over_from: Option<String>,
    /// The task it became, if it did.
    pub task_id: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
}

impl From<&PointRow> for TalkingPointView {
    fn from(p: &PointRow) -> Self {
        Self {
            id: p.id.to_string(),
            text: p.body.clone(),
            author_id: p.author_id.to_string(),
            author_name: p.author_name.clone(),
            done: p.done_at.is_some(),
            done_at: p.done_at.map(Timestamp::to_rfc3339),
            carried_over_from: p.carried_from_id.as_ref().map(ToString::to_string),
            task_id: p.task_id.as_ref().map(ToString::to_string),
            created_at: p.created_at.to_rfc3339(),
            version: p.version,
        }
    }
}

/// An open task that came from a talking point of the pair's one-on-ones.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionItemView {
    pub task_id: String,
    pub title: String,
    pub status: &'static str,
    #[schema(format = DateTime)]
    pub due_date: Option<String>,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    /// The one-on-one it came from.
    pub one_on_one_id: String,
}

impl From<&ActionItem> for ActionItemView {
    fn from(a: &ActionItem) -> Self {
        Self {
            task_id: a.id.to_string(),
            title: a.title.clone(),
            status: a.status.as_str(),
            due_date: a.due_date.map(Timestamp::to_rfc3339),
            assignee_id: a.assignee_id.as_ref().map(ToString::to_string),
            assignee_name: a.assignee_name.clone(),
            one_on_one_id: a.oneonone_id.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TalkingPointsResponse {
    pub talking_points: Vec<TalkingPointView>,
    /// The pair's open action items, from any of their one-on-ones.
    pub action_items: Vec<ActionItemView>,
}

impl From<&Agenda> for TalkingPointsResponse {
    fn from(a: &Agenda) -> Self {
        Self {
            talking_points: a.points.iter().map(TalkingPointView::from).collect(),
            action_items: a.action_items.iter().map(ActionItemView::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TalkingPointResponse {
    pub talking_point: TalkingPointView,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionItemsResponse {
    pub action_items: Vec<ActionItemView>,
}

/// The agenda: talking points in order (unchecked points of the pair's past one-on-ones are
/// carried to the next one first), and the pair's open action items.
#[utoipa::path(get, path = "/api/oneonones/{id}/talking-points", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TalkingPointsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_points(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
) -> Result<AppJson<TalkingPointsResponse>, ApiError> {
    let agenda = conversation::agenda(&state, &caller.actor(), &id).await?;
    Ok(AppJson(TalkingPointsResponse {
        talking_points: agenda.points.iter().map(TalkingPointView::from).collect(),
        action_items: agenda
            .action_items
            .iter()
            .map(ActionItemView::from)
            .collect(),
    }))
}

/// Add a talking point (participants).
#[utoipa::path(post, path = "/api/oneonones/{id}/talking-points", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = NewPointRequest,
    responses((status = 201, body = TalkingPointResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_point(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
    AppJson(body): AppJson<NewPointRequest>,
) -> Result<(StatusCode, AppJson<TalkingPointResponse>), ApiError> {
    let p = conversation::add_point(&state, &caller.actor(), &id, body).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(TalkingPointResponse {
            talking_point: TalkingPointView::from(&p),
        }),
    ))
}

/// Edit a talking point or check it off (participants).
#[utoipa::path(patch, path = "/api/oneonones/{id}/talking-points/{pointId}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), ("pointId" = String, Path), IfMatchHeader),
    request_body = PointPatch,
    responses((status = 200, body = TalkingPointResponse, headers(("ETag" = String, description = "Its new version"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<TalkingPointResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_point(
    State(state): State<AppState>,
    caller: CurrentUser,
    Ids(id, point): Ids<OneOnOneId, TalkingPointId>,
    if_match: IfMatch,
    AppJson(body): AppJson<PointPatch>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = conversation::update_point(&state, &actor, &id, &point, body, &if_match).await;
    let view = |p: &PointRow| {
        let talking_point = TalkingPointView::from(p);
        Versioned(p.version, TalkingPointResponse { talking_point })
    };
    answer(changed, view, || {
        conversation::point(&state, &actor, &id, &point)
    })
    .await
}

/// Remove a talking point (participants).
#[utoipa::path(delete, path = "/api/oneonones/{id}/talking-points/{pointId}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), ("pointId" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_point(
    State(state): State<AppState>,
    caller: CurrentUser,
    Ids(id, point): Ids<OneOnOneId, TalkingPointId>,
) -> Result<StatusCode, ApiError> {
    conversation::delete_point(&state, &caller.actor(), &id, &point).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Put the agenda in a new order: every talking point's id, each once (participants).
#[utoipa::path(put, path = "/api/oneonones/{id}/talking-points/order", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = ReorderRequest,
    responses((status = 200, body = TalkingPointsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reorder_points(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
    AppJson(body): AppJson<ReorderRequest>,
) -> Result<AppJson<TalkingPointsResponse>, ApiError> {
    let agenda = conversation::reorder(&state, &caller.actor(), &id, body).await?;
    Ok(AppJson(TalkingPointsResponse::from(&agenda)))
}

/// Turn a talking point into a task assigned to a participant (an action item), linked back
/// to the one-on-one; the point is checked off.
#[utoipa::path(post, path = "/api/oneonones/{id}/talking-points/{pointId}/task", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), ("pointId" = String, Path)),
    request_body = ActionItemRequest,
    responses((status = 201, body = TaskResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "This talking point is already a task")))]
pub async fn make_task(
    State(state): State<AppState>,
    caller: CurrentUser,
    Ids(id, point): Ids<OneOnOneId, TalkingPointId>,
    AppJson(body): AppJson<ActionItemRequest>,
) -> Result<(StatusCode, AppJson<TaskResponse>), ApiError> {
    let t = conversation::make_task(&state, &caller.actor(), &id, &point, body).await?;
    Ok((StatusCode::CREATED, AppJson(TaskResponse::from(&t))))
}

/// The pair's open action items (not done, not dropped), from any of their one-on-ones.
#[utoipa::path(get, path = "/api/oneonones/{id}/action-items", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ActionItemsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn action_items(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
) -> Result<AppJson<ActionItemsResponse>, ApiError> {
    let items = conversation::action_items(&state, &caller.actor(), &id).await?;
    Ok(AppJson(ActionItemsResponse {
        action_items: items.iter().map(ActionItemView::from).collect(),
    }))
}

/// The caller's own private notes on a one-on-one.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivateNotesResponse {
    /// `null` when the caller has written none.
    pub notes: Option<String>,
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
    /// Their version (0 before the first save): send it back as `If-Match: "<version>"`.
    pub version: i64,
}

impl From<Option<PrivateNote>> for PrivateNotesResponse {
    fn from(n: Option<PrivateNote>) -> Self {
        Self {
            updated_at: n.as_ref().map(|n| n.updated_at.to_rfc3339()),
            version: n.as_ref().map_or(0, |n| n.version),
            notes: n.map(|n| n.body),
        }
    }
}

/// The caller's private notes: only their author ever reads them (participants).
#[utoipa::path(get, path = "/api/oneonones/{id}/private-notes", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PrivateNotesResponse, headers(("ETag" = String, description = "Their version, for If-Match on a change"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_private_notes(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
) -> Result<Versioned<PrivateNotesResponse>, ApiError> {
    let n = conversation::private_notes(&state, &caller.actor(), &id).await?;
    Ok(private_notes_view(&n))
}

fn private_notes_view(n: &Option<PrivateNote>) -> Versioned<PrivateNotesResponse> {
    let r = PrivateNotesResponse::from(n.clone());
    Versioned(r.version, r)
}

/// Write the caller's private notes (participants); empty removes them.
#[utoipa::path(put, path = "/api/oneonones/{id}/private-notes", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = PrivateNotesRequest,
    responses((status = 200, body = PrivateNotesResponse, headers(("ETag" = String, description = "Their new version"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<PrivateNotesResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn put_private_notes(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
    if_match: IfMatch,
    AppJson(body): AppJson<PrivateNotesRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let saved = conversation::save_private_notes(&state, &actor, &id, body, &if_match).await;
    answer(saved, private_notes_view, || {
        conversation::private_notes(&state, &actor, &id)
    })
    .await
}

/// The other person of a series.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesPersonView {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesResponse {
    pub with: SeriesPersonView,
    /// `weekly`, `every-two-weeks`, `monthly`, or `null`.
    pub cadence: Option<&'static str>,
    #[schema(format = DateTime)]
    pub last_one_on_one_at: Option<String>,
    #[schema(format = DateTime)]
    pub next_one_on_one_at: Option<String>,
    /// The date the cadence proposes, when nothing is scheduled.
    #[schema(format = DateTime)]
    pub proposed_next_at: Option<String>,
    pub one_on_ones: Vec<OneOnOneView>,
    pub pagination: PaginationView,
    /// The pair's recurring schedule, or `null`.
    pub schedule: Option<ScheduleView>,
}

/// A pair's recurring schedule: a rule whose occurrences are ordinary one-on-ones.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleView {
    pub id: String,
    /// The first and second participant of every occurrence.
    pub manager_id: String,
    pub report_id: String,
    /// `weekly`, `every-two-weeks` or `monthly`.
    pub cadence: &'static str,
    /// `YYYY-MM-DD`: the first occurrence's date (and weekday).
    pub starts_on: String,
    /// `HH:MM`, local to `timeZone`.
    pub time: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    /// `YYYY-MM-DD`, the last date an occurrence may fall on, or `null`.
    pub ends_on: Option<String>,
    /// In words: "Weekly on Tuesday at 10:00 (Europe/Paris)".
    pub description: String,
    /// As RFC 5545 `RRULE`, as calendars get it.
    pub rrule: String,
    pub version: i64,
}

impl From<&series::Schedule> for ScheduleView {
    fn from(s: &series::Schedule) -> Self {
        let r = &s.series.rule;
        Self {
            id: s.series.id.to_string(),
            manager_id: s.series.manager_id.to_string(),
            report_id: s.series.report_id.to_string(),
            cadence: r.cadence.as_str(),
            starts_on: r.starts_on.format("%Y-%m-%d").to_string(),
            time: r.time.format("%H:%M").to_string(),
            time_zone: r.tz.name().to_owned(),
            duration_minutes: s.series.duration_minutes,
            ends_on: r.ends_on.map(|d| d.format("%Y-%m-%d").to_string()),
            description: s.description.clone(),
            rrule: r.rrule(),
            version: s.series.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleResponse {
    pub schedule: ScheduleView,
    /// The pair's next one-on-one once the schedule is set (the first occurrence, unless one
    /// was already scheduled before it).
    pub next_one_on_one: Option<OneOnOneView>,
}

/// Set the pair's recurring schedule from `startsOn` on (either of the two may).
#[utoipa::path(put, path = "/api/oneonones/series/{personId}/schedule", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("personId" = String, Path)),
    request_body = ScheduleRequest,
    responses((status = 200, body = ScheduleResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_schedule(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(person): AppPath<String>,
    AppJson(body): AppJson<ScheduleRequest>,
) -> Result<AppJson<ScheduleResponse>, ApiError> {
    let (s, next) = series::set_schedule(&state, &caller.actor(), &person, body).await?;
    Ok(AppJson(ScheduleResponse {
        schedule: ScheduleView::from(&s),
        next_one_on_one: next.as_ref().map(OneOnOneView::from),
    }))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndedScheduleResponse {
    /// How many of its one-on-ones that had not started were cancelled.
    pub cancelled_one_on_ones: u64,
}

/// End the pair's recurring schedule today: its one-on-ones that have not started are
/// cancelled.
#[utoipa::path(delete, path = "/api/oneonones/series/{personId}/schedule", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("personId" = String, Path)),
    responses((status = 200, body = EndedScheduleResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end_schedule(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(person): AppPath<String>,
) -> Result<AppJson<EndedScheduleResponse>, ApiError> {
    let n = series::end_schedule(&state, &caller.actor(), &person).await?;
    Ok(AppJson(EndedScheduleResponse {
        cancelled_one_on_ones: n,
    }))
}

/// Skip one occurrence of a recurring series: its open points move to the pair's next
/// one-on-one, and it is not created again.
#[utoipa::path(post, path = "/api/oneonones/{id}/skip", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn skip_occurrence(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
) -> Result<StatusCode, ApiError> {
    series::skip(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every one-on-one between the caller and one other person, newest first.
#[utoipa::path(get, path = "/api/oneonones/series/{personId}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("personId" = String, Path), SeriesQuery, Paging),
    responses((status = 200, body = SeriesResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_series(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(person): AppPath<String>,
    paging: Paging,
    AppQuery(q): AppQuery<SeriesQuery>,
) -> Result<AppJson<SeriesResponse>, ApiError> {
    let s = series::series(&state, &caller.actor(), &person, q, &paging).await?;
    Ok(AppJson(SeriesResponse {
        with: SeriesPersonView {
            id: s.other.id.to_string(),
            name: s.other.name.clone(),
        },
        cadence: s.cadence.map(|c| c.as_str()),
        last_one_on_one_at: s.last.map(Timestamp::to_rfc3339),
        next_one_on_one_at: s.next.map(Timestamp::to_rfc3339),
        proposed_next_at: s.proposed.map(Timestamp::to_rfc3339),
        one_on_ones: s.one_on_ones.iter().map(OneOnOneView::from).collect(),
        pagination: s.page.into(),
        schedule: s.schedule.as_ref().map(ScheduleView::from),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CadenceResponse {
    /// `weekly`, `every-two-weeks`, `monthly`, or `null`.
    pub cadence: Option<&'static str>,
}

/// Set how often the caller and the other person mean to meet (`null`: no cadence).
#[utoipa::path(put, path = "/api/oneonones/series/{personId}/cadence", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("personId" = String, Path)),
    request_body = CadenceRequest,
    responses((status = 200, body = CadenceResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_cadence(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(person): AppPath<String>,
    AppJson(body): AppJson<CadenceRequest>,
) -> Result<AppJson<CadenceResponse>, ApiError> {
    let c = series::set_cadence(&state, &caller.actor(), &person, body).await?;
    Ok(AppJson(CadenceResponse {
        cadence: c.map(|c| c.as_str()),
    }))
}

/// The one-on-one as an iCalendar event (who and when, and a link; never the notes).
#[utoipa::path(get, path = "/api/oneonones/{id}/event.ics", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn event(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<OneOnOneId>,
) -> Result<Response, ApiError> {
    let body = calendar::event_of(&state, &caller.actor(), &id).await?;
    Ok(crate::services::download::ics(body, Some("one-on-one.ics")))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CalendarFeedView {
    #[schema(format = DateTime)]
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CalendarFeedStatus {
    /// `null` when the caller has no feed. The URL itself is shown only when made.
    pub feed: Option<CalendarFeedView>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewCalendarFeed {
    /// The secret URL of the feed: anyone who has it can read the caller's one-on-ones'
    /// times and names, so it is shown only now. Making another revokes this one.
    pub url: String,
}

/// Whether the caller has a calendar feed.
#[utoipa::path(get, path = "/api/me/calendar-feed", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = CalendarFeedStatus), (status = 401, body = ErrorBody)))]
pub async fn feed_status(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<CalendarFeedStatus>, ApiError> {
    let at = calendar::feed_status(&state, &caller.actor()).await?;
    Ok(AppJson(CalendarFeedStatus {
        feed: at.map(|t| CalendarFeedView {
            created_at: t.to_rfc3339(),
        }),
    }))
}

/// Make a new secret feed URL (the previous one stops working).
#[utoipa::path(post, path = "/api/me/calendar-feed", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = NewCalendarFeed), (status = 401, body = ErrorBody)))]
pub async fn new_feed(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<(StatusCode, AppJson<NewCalendarFeed>), ApiError> {
    let url = calendar::new_feed(&state, &caller.actor()).await?;
    Ok((StatusCode::CREATED, AppJson(NewCalendarFeed { url })))
}

/// Revoke the caller's feed: its URL answers 404 from now on.
#[utoipa::path(delete, path = "/api/me/calendar-feed", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<StatusCode, ApiError> {
    calendar::revoke_feed(&state, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The feed itself (`/calendar/{token}.ics`): the token is the credential.
#[utoipa::path(get, path = "/calendar/{token}", tag = "me",
    params(("token" = String, Path, description = "The secret of the feed URL, with `.ics`")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn feed(
    State(state): State<AppState>,
    AppPath(token): AppPath<String>,
) -> Result<Response, ApiError> {
    let body = calendar::feed(&state, &token).await?;
    Ok(crate::services::download::ics(body, None))
}
