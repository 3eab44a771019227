//! The conversation on a one-on-one's page: adding, editing, checking off, moving and removing
//! talking points, turning one into a task, and the caller's private notes; the series page of
//! a pair with its cadence; the one-on-one as a calendar file. Each form posts to one function
//! of `services::{conversation, series, calendar}` (the API's), then comes back to the page;
//! a refused form is shown again on the page, its message next to the field.

use super::{
    Conflict, Ctx, FormState, Layout, PageError, Posted,
    oneonones::{Row, Typed, When, page_id, show_detail},
    shown_version,
};
use crate::{
    error::ApiError,
    patch::Patch,
    services::parse::Paging,
    services::{
        calendar,
        conversation::{
            self, ActionItemRequest, NewPointRequest, PointPatch, PrivateNotesRequest,
            ReorderRequest,
        },
        handoffs::{self, HandoffRequest},
        live, oneonones,
        series::{self, CadenceRequest, ScheduleRequest, SeriesQuery},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use manageros_core::{Cadence, OneOnOneId, PageInfo, TalkingPointId, authz::Kind};
use serde::Deserialize;

fn back(id: &OneOnOneId) -> String {
    format!("/oneonones/{id}#agenda")
}

/// A refused form of the detail page: the page again with the message, or an error page when
/// the one-on-one itself is gone or the caller may not do this.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    id: &OneOnOneId,
    e: ApiError,
    typed: Typed,
) -> Result<Response, PageError> {
    let (status, form) = FormState::refusal(e, Some(Kind::OneOnOne.not_found_message()))?;
    show_detail(state, ctx, id, status, typed, form).await
}

fn ids(raw: &(String, String)) -> Result<(OneOnOneId, TalkingPointId), PageError> {
    Ok((page_id(&raw.0)?, page_id(&raw.1)?))
}

#[derive(Deserialize, Default)]
pub struct PointForm {
    #[serde(default)]
    text: String,
    /// The version the edit form was showing (`If-Match`; adding a point sends none).
    #[serde(default)]
    version: Option<String>,
}

pub async fn add_point(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<PointForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    let input = NewPointRequest {
        text: Some(f.text.clone()),
    };
    match conversation::add_point(&state, &actor, &id, input).await {
        Ok(_) => Ok(ctx.redirect_with(&back(&id), "Talking point added.")),
        Err(e) => {
            let typed = Typed {
                point: f.text,
                ..Default::default()
            };
            refused(&state, &ctx, &id, e, typed).await
        }
    }
}

pub async fn edit_point(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    Posted(f): Posted<PointForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (id, point) = ids(&raw)?;
    let patch = PointPatch {
        text: Patch::Value(f.text.clone()),
        done: Patch::Absent,
    };
    let if_match = shown_version(f.version.as_deref());
    match conversation::update_point(&state, &actor, &id, &point, patch, &if_match).await {
        Ok(_) => Ok(ctx.redirect_with(&back(&id), "Talking point saved.")),
        Err(ApiError::Stale(_, by)) => {
            let now = conversation::point(&state, &actor, &id, &point).await?;
            let c =
                Conflict::new(by, "this talking point").field("Talking point", &now.body, &f.text);
            let (status, form) = FormState::conflict(c);
            show_detail(&state, &ctx, &id, status, Typed::default(), form).await
        }
        Err(e) => refused(&state, &ctx, &id, e, Typed::default()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct DoneForm {
    #[serde(default)]
    done: String,
}

pub async fn check_point(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    Posted(f): Posted<DoneForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (id, point) = ids(&raw)?;
    let done = f.done == "true";
    let patch = PointPatch {
        text: Patch::Absent,
        done: Patch::Value(done),
    };
    match conversation::update_point(&state, &actor, &id, &point, patch, &Default::default()).await
    {
        Ok(_) => Ok(ctx.redirect_with(
            &back(&id),
            if done {
                "Checked off."
            } else {
                "Marked as not discussed."
            },
        )),
        Err(e) => refused(&state, &ctx, &id, e, Typed::default()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    dir: String,
}

pub async fn move_point(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    Posted(f): Posted<MoveForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (id, point) = ids(&raw)?;
    match conversation::move_point(&state, &actor, &id, &point, f.dir == "up").await {
        Ok(()) => Ok(ctx.redirect_with(&back(&id), "Agenda reordered.")),
        Err(e) => refused(&state, &ctx, &id, e, Typed::default()).await,
    }
}

/// `POST /oneonones/{id}/points/order`: the whole agenda in a new order (`ids`, each point
/// once), as app.js sends it after a drag and drop; the ↑/↓ buttons stay for keyboards.
pub async fn reorder_points(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    let ids = pairs
        .into_iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v)
        .collect();
    let order = ReorderRequest { ids: Some(ids) };
    match conversation::reorder(&state, &actor, &id, order).await {
        Ok(_) => Ok(ctx.redirect_with(&back(&id), "Agenda reordered.")),
        Err(e) => refused(&state, &ctx, &id, e, Typed::default()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct NotesForm {
    #[serde(default)]
    notes: String,
    /// The version the page was showing (`If-Match`).
    #[serde(default)]
    version: Option<String>,
}

/// `POST /oneonones/{id}/notes`: the shared notes, saved from the page's editor in place.
/// Saved meanwhile by the other person: both texts side by side, what was typed kept.
pub async fn save_notes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<NotesForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    let if_match = shown_version(f.version.as_deref());
    let typed = Typed {
        notes: Some(f.notes.clone()),
        ..Default::default()
    };
    match oneonones::save_notes(&state, &actor, &id, &f.notes, &if_match).await {
        Ok(_) => Ok(ctx.redirect_with(&format!("/oneonones/{id}#shared-notes"), "Notes saved.")),
        Err(ApiError::Stale(_, by)) => {
            let now = oneonones::get(&state, &actor, &id).await?;
            let theirs = now.one_on_one.notes.as_deref().unwrap_or_default();
            let c = Conflict::new(by, "the shared notes").field("Shared notes", theirs, &f.notes);
            let (status, form) = FormState::conflict(c);
            show_detail(&state, &ctx, &id, status, typed, form).await
        }
        Err(e) => refused(&state, &ctx, &id, e, typed).await,
    }
}

/// `GET /oneonones/{id}/live`: a stream of Server-Sent Events, one per change of this
/// one-on-one another window made (`agenda`, `notes`, `private-notes`, `everything`), each
/// carrying only the one-on-one's id: app.js then fetches the part of the page again, through
/// the same service and permission check as any visit. For its two participants only
/// (`services::live`); it ends when idle (the browser opens a new one).
pub async fn live(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    use axum::response::{
        IntoResponse,
        sse::{Event, KeepAlive, Sse},
    };
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    let subscription = live::subscribe(&state, &actor, &id).await?;
    let id = id.to_string();
    let events = futures_util::stream::unfold(subscription, move |mut s| {
        let id = id.clone();
        async move {
            let what = s.next().await?;
            let event = Event::default().event(what.name()).data(id);
            Some((Ok::<_, std::convert::Infallible>(event), s))
        }
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}

pub async fn delete_point(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (id, point) = ids(&raw)?;
    match conversation::delete_point(&state, &actor, &id, &point).await {
        Ok(()) => Ok(ctx.redirect_with(&back(&id), "Talking point removed.")),
        Err(e) => refused(&state, &ctx, &id, e, Typed::default()).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TaskForm {
    #[serde(default)]
    assignee_id: String,
    #[serde(default)]
    due_date: String,
}

pub async fn make_task(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<(String, String)>,
    Posted(f): Posted<TaskForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (id, point) = ids(&raw)?;
    let input = ActionItemRequest {
        assignee_id: Some(f.assignee_id),
        due_date: Some(f.due_date),
    };
    match conversation::make_task(&state, &actor, &id, &point, input).await {
        Ok(t) => Ok(ctx.redirect_with(&back(&id), &format!("Action item “{}” created.", t.title))),
        Err(e) => refused(&state, &ctx, &id, e, Typed::default()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct PrivateNotesForm {
    #[serde(default)]
    notes: String,
    /// The version the form was showing (`If-Match`).
    #[serde(default)]
    version: Option<String>,
}

pub async fn save_private_notes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<PrivateNotesForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    let input = PrivateNotesRequest {
        notes: Some(f.notes.clone()),
    };
    let if_match = shown_version(f.version.as_deref());
    match conversation::save_private_notes(&state, &actor, &id, input, &if_match).await {
        Ok(_) => Ok(ctx.redirect_with(
            &format!("/oneonones/{id}#private-h"),
            "Private notes saved.",
        )),
        // Saved meanwhile from another window: theirs beside, what was typed kept in the
        // form, which now names the saved version.
        Err(ApiError::Stale(..)) => {
            let now = conversation::private_notes(&state, &actor, &id).await?;
            let theirs = now.map(|n| n.body).unwrap_or_default();
            let you = Some("You, in another window,".to_owned());
            let c = Conflict::new(you, "your private notes").field(
                "My private notes",
                &theirs,
                &f.notes,
            );
            let (status, form) = FormState::conflict(c);
            let typed = Typed {
                private_notes: Some(f.notes),
                ..Default::default()
            };
            show_detail(&state, &ctx, &id, status, typed, form).await
        }
        Err(e) => {
            let typed = Typed {
                private_notes: Some(f.notes),
                ..Default::default()
            };
            refused(&state, &ctx, &id, e, typed).await
        }
    }
}

/// `/oneonones/{id}/event.ics`: the one-on-one for a calendar.
pub async fn event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    let body = calendar::event_of(&state, &actor, &id).await?;
    Ok(crate::services::download::ics(body, Some("one-on-one.ics")))
}

// ---------------------------------------------------------------------------------------------
// The series of a pair.

#[derive(Deserialize, Default, Clone)]
pub struct SeriesParams {
    pub search: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

pub struct CadenceChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "oneonones/series.html")]
struct SeriesPage {
    layout: Layout,
    with_id: String,
    with_name: String,
    rows: Vec<Row>,
    search: String,
    page: PageInfo,
    prev: Option<String>,
    next: Option<String>,
    cadence: Option<&'static str>,
    cadences: Vec<CadenceChoice>,
    last: Option<When>,
    upcoming: Option<When>,
    proposed: Option<When>,
    /// The proposed date as the scheduling form takes it (`YYYY-MM-DDTHH:MM`, UTC).
    proposed_value: String,
    /// The pair's recurring schedule in words, and how long each lasts.
    schedule: Option<(String, i64)>,
    /// The schedule form's values: as typed, or the schedule's.
    schedule_form: ScheduleForm,
    time_zones: &'static [chrono_tz::Tz],
    form: FormState,
}

/// The recurring schedule's form, as the browser sends it.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleForm {
    #[serde(default)]
    cadence: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    time: String,
    /// Empty: app.js fills in the browser's zone.
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    ends_on: String,
}

impl ScheduleForm {
    fn request(&self) -> ScheduleRequest {
        let some = |s: &str| Some(s.to_owned());
        ScheduleRequest {
            cadence: some(&self.cadence),
            starts_on: some(&self.starts_on),
            time: some(&self.time),
            time_zone: some(&self.time_zone),
            duration_minutes: crate::forms::whole_number(&self.duration_minutes),
            ends_on: some(&self.ends_on),
        }
    }

    /// The form for a pair's schedule: its current rule from today on, or a weekly one.
    fn of(s: Option<&series::Schedule>) -> Self {
        match s {
            Some(s) => {
                let r = &s.series.rule;
                Self {
                    cadence: r.cadence.as_str().to_owned(),
                    starts_on: String::new(),
                    time: r.time.format("%H:%M").to_string(),
                    time_zone: r.tz.name().to_owned(),
                    duration_minutes: s.series.duration_minutes.to_string(),
                    ends_on: r.ends_on.map(|d| d.to_string()).unwrap_or_default(),
                }
            }
            None => Self {
                cadence: Cadence::Weekly.as_str().to_owned(),
                duration_minutes: "30".into(),
                ..Self::default()
            },
        }
    }
}

fn series_url(with: &str, search: &str, page: u64) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if !search.is_empty() {
        q.append_pair("search", search);
    }
    if page > 1 {
        q.append_pair("page", &page.to_string());
    }
    let q = q.finish();
    if q.is_empty() {
        format!("/oneonones/with/{with}")
    } else {
        format!("/oneonones/with/{with}?{q}")
    }
}

async fn show_series(
    state: &AppState,
    ctx: &Ctx,
    with: &str,
    params: SeriesParams,
    status: StatusCode,
    form: FormState,
) -> Result<Response, PageError> {
    show_series_with(state, ctx, with, params, status, form, None).await
}

async fn show_series_with(
    state: &AppState,
    ctx: &Ctx,
    with: &str,
    params: SeriesParams,
    status: StatusCode,
    form: FormState,
    typed: Option<ScheduleForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let paging = Paging {
        page: params.page.clone(),
        limit: params.limit.clone(),
    };
    let q = SeriesQuery {
        search: params.search.clone(),
    };
    let s = series::series(state, &actor, with, q, &paging).await?;
    let search = params.search.clone().unwrap_or_default();
    let with_id = s.other.id.to_string();
    Ok(ctx.render_status(
        status,
        &SeriesPage {
            layout: ctx.layout(&format!("One-on-ones with {}", s.other.name)),
            prev: s
                .page
                .has_previous_page
                .then(|| series_url(&with_id, &search, s.page.page - 1)),
            next: s
                .page
                .has_next_page
                .then(|| series_url(&with_id, &search, s.page.page + 1)),
            rows: s.one_on_ones.iter().map(Row::from).collect(),
            with_name: s.other.name.clone(),
            search,
            page: s.page,
            cadence: s.cadence.map(Cadence::label),
            cadences: Cadence::ALL
                .iter()
                .map(|c| CadenceChoice {
                    value: c.as_str(),
                    label: c.label(),
                    selected: s.cadence == Some(*c),
                })
                .collect(),
            last: s.last.map(When::of),
            upcoming: s.next.map(When::of),
            proposed_value: s
                .proposed
                .map(|p| p.to_rfc3339()[..16].to_owned())
                .unwrap_or_default(),
            proposed: s.proposed.map(When::of),
            schedule: s
                .schedule
                .as_ref()
                .map(|c| (c.description.clone(), c.series.duration_minutes)),
            schedule_form: typed.unwrap_or_else(|| ScheduleForm::of(s.schedule.as_ref())),
            time_zones: &chrono_tz::TZ_VARIANTS,
            with_id,
            form,
        },
    ))
}

/// `/oneonones/with/{personId}`: the caller's one-on-ones with one person.
pub async fn series_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(with): Path<String>,
    Query(params): Query<SeriesParams>,
) -> Result<Response, PageError> {
    show_series(
        &state,
        &ctx,
        &with,
        params,
        StatusCode::OK,
        FormState::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct CadenceForm {
    #[serde(default)]
    cadence: String,
}

pub async fn set_cadence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(with): Path<String>,
    Posted(f): Posted<CadenceForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let input = CadenceRequest {
        cadence: Some(f.cadence),
    };
    match series::set_cadence(&state, &actor, &with, input).await {
        Ok(c) => Ok(ctx.redirect_with(
            &format!("/oneonones/with/{with}"),
            &match c {
                Some(c) => format!("Cadence set: {}.", c.label().to_lowercase()),
                None => "No cadence.".to_owned(),
            },
        )),
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            show_series(&state, &ctx, &with, SeriesParams::default(), status, form).await
        }
    }
}

/// Sets the pair's recurring schedule, then on to its next one-on-one (where its agenda is
/// written); a refused form comes back with its messages next to the fields.
pub async fn set_schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(with): Path<String>,
    Posted(f): Posted<ScheduleForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    match series::set_schedule(&state, &actor, &with, f.request()).await {
        Ok((s, next)) => {
            let to = next.map_or_else(
                || format!("/oneonones/with/{with}"),
                |o| format!("/oneonones/{}", o.one_on_one.id),
            );
            Ok(ctx.redirect_with(
                &to,
                &format!("Recurring one-on-ones set: {}.", s.description),
            ))
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            let params = SeriesParams::default();
            show_series_with(&state, &ctx, &with, params, status, form, Some(f)).await
        }
    }
}

/// Ends the pair's recurring schedule today.
pub async fn end_schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(with): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    match series::end_schedule(&state, &actor, &with).await {
        Ok(n) => Ok(ctx.redirect_with(
            &format!("/oneonones/with/{with}"),
            &format!(
                "The series ended; {n} upcoming one-on-one{} cancelled.",
                if n == 1 { " was" } else { "s were" }
            ),
        )),
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            show_series(&state, &ctx, &with, SeriesParams::default(), status, form).await
        }
    }
}

/// Skips one occurrence of a series, then back to the pair's page.
pub async fn skip(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    match series::skip(&state, &actor, &id).await {
        Ok(()) => Ok(ctx.redirect_with(
            "/oneonones",
            "Skipped: its open talking points moved to the next one.",
        )),
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            show_detail(&state, &ctx, &id, status, Typed::default(), form).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Handoffs.

/// A handoff decided from its card on `/oneonones`: the checked `pointIds` and `taskIds`
/// move, or nothing (the "Move nothing" button, `nothing=1`).
pub async fn decide_handoff(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let nothing = pairs.iter().any(|(k, _)| k == "nothing");
    let chosen = |key: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == key && !nothing)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let input = HandoffRequest {
        point_ids: Some(chosen("pointIds")),
        task_ids: Some(chosen("taskIds")),
    };
    match handoffs::decide(&state, &actor, &raw, input).await {
        Ok(m) if m.points + m.action_items == 0 => Ok(ctx.redirect_with(
            "/oneonones",
            "Nothing moved; the old items stay where they were.",
        )),
        Ok(m) => Ok(ctx.redirect_with(
            "/oneonones",
            &format!(
                "Moved {} talking point{} and {} action item{} to the next one-on-one.",
                m.points,
                if m.points == 1 { "" } else { "s" },
                m.action_items,
                if m.action_items == 1 { "" } else { "s" },
            ),
        )),
        Err(e @ (ApiError::Validation(_) | ApiError::Conflict(_))) => {
            super::oneonones::show_list(&state, &ctx, Default::default(), Some((raw, e))).await
        }
        Err(e) => Err(e.into()),
    }
}
