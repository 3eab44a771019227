//! One-on-ones in the browser: the caller's list (the API's filters, search, sort and pages,
//! all in the URL), scheduling and editing with pickers of the organization's people, the
//! detail page with the notes rendered from Markdown, who can see it and the access log, and
//! deletion with confirmation. Every page calls `services::oneonones`, as `/api/oneonones`
//! does; an admin's look at someone else's one-on-one is logged there, not here.

use super::{Conflict, Ctx, FormState, Layout, PageError, Posted, shown_version};
use crate::{
    error::ApiError,
    extract::{Paging, PathId},
    services::{
        handoffs::Offer,
        oneonones::{self, OneOnOneRequest, OneOnOnesQuery, Reader},
        people,
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use manageros_core::{
    OneOnOneId, Page, PageInfo, Timestamp,
    authz::{Actor, Kind},
};
use manageros_store::repo::{
    oneonones::{AccessEntry, OneOnOneWithPeople},
    persons::Person,
};
use serde::Deserialize;

/// A path id on a page: of the wrong shape, the entity's own 404 page.
pub(super) fn page_id<T: PathId>(raw: &str) -> Result<T, PageError> {
    T::parse(raw.trim()).ok_or_else(|| PageError::Api(ApiError::not_found(T::NOT_FOUND)))
}

/// A time as a page shows it: `<time datetime>` holding the instant, and as its text the
/// shared formatter's UTC form ("Dec 15, 2026, 9:00 AM UTC"), which app.js restates in the
/// reader's locale and zone.
pub struct When {
    pub iso: String,
    pub text: String,
}

impl When {
    pub fn of(t: Timestamp) -> Self {
        let at = manageros_core::recurrence::local(manageros_core::recurrence::Tz::UTC, t);
        Self {
            iso: t.to_rfc3339(),
            text: format!("{} UTC", manageros_core::display::local(at)),
        }
    }
}

pub struct Row {
    pub id: String,
    pub when: When,
    pub manager: String,
    pub report: String,
    pub has_notes: bool,
}

impl From<&OneOnOneWithPeople> for Row {
    fn from(o: &OneOnOneWithPeople) -> Self {
        Self {
            id: o.one_on_one.id.to_string(),
            when: When::of(o.one_on_one.scheduled_at),
            manager: o.manager.name.clone(),
            report: o.report.name.clone(),
            has_notes: o.one_on_one.notes.as_deref().is_some_and(|n| !n.is_empty()),
        }
    }
}

/// The list's URL parameters, kept so that links change one thing and keep the rest.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub search: Option<String>,
    pub scheduled_from: Option<String>,
    pub scheduled_to: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

impl ListParams {
    fn url(&self, sort: Option<&str>, page: Option<u64>) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("search", self.search.as_deref()),
            ("scheduledFrom", self.scheduled_from.as_deref()),
            ("scheduledTo", self.scheduled_to.as_deref()),
            ("limit", self.limit.as_deref()),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        if let Some(s) = sort.or(self.sort.as_deref()).filter(|s| !s.is_empty()) {
            q.append_pair("sort", s);
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            q.append_pair("page", &p.to_string());
        }
        let q = q.finish();
        if q.is_empty() {
            "/oneonones".into()
        } else {
            format!("/oneonones?{q}")
        }
    }
}

/// A sortable column header: its link, and how the list is sorted by it now.
pub struct SortLink {
    pub href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub aria: &'static str,
    pub arrow: &'static str,
}

fn sort_link(p: &ListParams, field: &str) -> SortLink {
    let current = p.sort.as_deref().unwrap_or("scheduledAt:desc");
    let first = current.split(',').next().unwrap_or("").trim();
    let (f, dir) = first.split_once(':').unwrap_or((first, "asc"));
    let (aria, arrow, next) = if f == field {
        if dir == "desc" {
            ("descending", " ▼", format!("{field}:asc"))
        } else {
            ("ascending", " ▲", format!("{field}:desc"))
        }
    } else {
        ("none", "", format!("{field}:asc"))
    };
    SortLink {
        href: p.url(Some(&next), None),
        aria,
        arrow,
    }
}

#[derive(Template)]
#[template(path = "oneonones/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    params: ListParams,
    page: PageInfo,
    by_when: SortLink,
    by_manager: SortLink,
    by_report: SortLink,
    prev: Option<String>,
    next: Option<String>,
    form: FormState,
    filtered: bool,
    /// Manager changes waiting for the caller's decision, shown above the list.
    handoffs: Vec<HandoffCard>,
    /// A refused decision: the handoff and why (shown above the cards: a decided handoff has
    /// no card left).
    handoff_error: Option<(String, String)>,
}

pub struct HandoffCard {
    pub id: String,
    /// The other person of the new relationship, seen from the caller.
    pub other_id: String,
    pub person: String,
    pub old_manager: String,
    pub new_manager: String,
    pub points: Vec<(String, String, String)>,
    pub items: Vec<(String, String, String)>,
    pub target: Option<(String, When)>,
}

impl HandoffCard {
    fn new(o: &Offer, me: Option<&manageros_core::PersonId>) -> Self {
        let h = &o.handoff;
        let other = if me == Some(&h.person_id) {
            &h.new_manager_id
        } else {
            &h.person_id
        };
        Self {
            id: h.id.to_string(),
            other_id: other.to_string(),
            person: o.person.clone(),
            old_manager: o.old_manager.clone(),
            new_manager: o.new_manager.clone(),
            points: o
                .points
                .iter()
                .map(|p| (p.id.to_string(), p.body.clone(), p.author_name.clone()))
                .collect(),
            items: o
                .action_items
                .iter()
                .map(|a| {
                    (
                        a.id.to_string(),
                        a.title.clone(),
                        a.assignee_name
                            .clone()
                            .unwrap_or_else(|| "unassigned".into()),
                    )
                })
                .collect(),
            target: o
                .target
                .as_ref()
                .map(|(id, at)| (id.to_string(), When::of(*at))),
        }
    }
}

/// `/oneonones`: the caller's one-on-ones.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    show_list(&state, &ctx, params, None).await
}

/// The list page; `handoff_error` is a refused handoff decision, shown on its card.
pub async fn show_list(
    state: &AppState,
    ctx: &Ctx,
    params: ListParams,
    handoff_error: Option<(String, ApiError)>,
) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    let q = OneOnOnesQuery {
        scheduled_from: params.scheduled_from.clone().filter(|s| !s.is_empty()),
        scheduled_to: params.scheduled_to.clone().filter(|s| !s.is_empty()),
        search: params.search.clone(),
        sort: params.sort.clone().filter(|s| !s.is_empty()),
        immutable_filters: None,
    };
    let paging = Paging {
        page: params.page.clone(),
        limit: params.limit.clone(),
    };
    let seen = Some(member.oneonones_version);
    let oneonones::ListView { list, handoffs } =
        oneonones::list_page(state, &actor, seen, q, &paging).await?;
    let (rows, page, form) = match list {
        Ok((list, page)) => (
            list.iter().map(Row::from).collect(),
            page,
            FormState::default(),
        ),
        // A bad filter is shown next to it, with an empty list.
        Err(e @ ApiError::Validation(_)) => {
            let none = Page {
                page: 1,
                limit: Page::DEFAULT_LIMIT,
            };
            (vec![], none.info(0), FormState::from_error(e)?)
        }
        Err(e) => return Err(e.into()),
    };
    let filtered = [&params.search, &params.scheduled_from, &params.scheduled_to]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !v.is_empty()));
    let mut status = form.status();
    let handoff_error = handoff_error.map(|(id, e)| {
        status = e.status();
        (id, e.to_string())
    });
    Ok(ctx.render_status(
        status,
        &ListPage {
            handoffs: handoffs
                .iter()
                .map(|h| HandoffCard::new(h, actor.person_id.as_ref()))
                .collect(),
            handoff_error,
            layout: ctx.layout("One-on-ones"),
            by_when: sort_link(&params, "scheduledAt"),
            by_manager: sort_link(&params, "manager"),
            by_report: sort_link(&params, "report"),
            prev: page
                .has_previous_page
                .then(|| params.url(None, Some(page.page - 1))),
            next: page
                .has_next_page
                .then(|| params.url(None, Some(page.page + 1))),
            rows,
            page,
            form,
            filtered,
            params,
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// Scheduling and editing.

/// The form as the browser sends it: a local date and time, and the offset it was typed in.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OneOnOneForm {
    #[serde(default)]
    participant1_id: String,
    #[serde(default)]
    participant2_id: String,
    #[serde(default)]
    scheduled_at: String,
    /// Minutes to add to the local time to get UTC (JavaScript's `getTimezoneOffset`); 0 when
    /// the browser runs no script, and the page then says times are UTC.
    #[serde(default)]
    tz_offset: Option<String>,
    #[serde(default)]
    notes: String,
    /// Minutes, as typed (blank is the default, 30).
    #[serde(default)]
    duration_minutes: String,
    /// The version of the one-on-one the edit form was showing (its `If-Match`; a form
    /// without it writes whatever the version, as a write without `If-Match` does).
    #[serde(default)]
    version: Option<String>,
    /// The instant app.js turns into the reader's local time, when editing (not sent back).
    #[serde(skip)]
    scheduled_utc: String,
}

/// A `datetime-local` value typed in the browser's time zone, as UTC RFC 3339, given the
/// browser's `getTimezoneOffset` (minutes; none, or absurd, is UTC). A value that is not a
/// time is passed on as typed, for the service to refuse with its own message.
pub fn local_to_utc(raw: &str, tz_offset: Option<&str>) -> String {
    let offset: i64 = tz_offset
        .and_then(|o| o.trim().parse().ok())
        .filter(|o: &i64| o.abs() <= 18 * 60)
        .unwrap_or(0);
    let raw = raw.trim();
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .map(|local| {
            (local + chrono::Duration::minutes(offset))
                .and_utc()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        })
        .unwrap_or_else(|| raw.to_owned())
}

impl OneOnOneForm {
    /// The API's request: the local time turned into UTC. A time that is not one is passed on
    /// as typed, for the service to refuse with its own message.
    fn request(&self) -> OneOnOneRequest {
        let scheduled_at = local_to_utc(&self.scheduled_at, self.tz_offset.as_deref());
        OneOnOneRequest {
            participant1_id: Some(self.participant1_id.clone()),
            participant2_id: Some(self.participant2_id.clone()),
            scheduled_at: Some(scheduled_at),
            notes: Some(self.notes.clone()),
            duration_minutes: crate::forms::whole_number(&self.duration_minutes),
        }
    }
}

/// An id and the name a page shows for it.
pub type Choice = crate::services::names::Named;

#[derive(Template)]
#[template(path = "oneonones/form.html")]
struct FormPage {
    layout: Layout,
    heading: &'static str,
    action: String,
    submit: &'static str,
    cancel: String,
    people: Vec<Choice>,
    /// What the fields hold: as typed, or the one-on-one's (its time as a `datetime-local`
    /// value in UTC).
    values: OneOnOneForm,
    form: FormState,
}

/// The organization's people, by name, for the pickers (all of them, up to the org chart's
/// limit; app.js adds a filter box to each picker).
async fn choices(state: &AppState, actor: &Actor) -> Result<Vec<Choice>, PageError> {
    let (people, _) = people::everyone(state, actor).await?;
    Ok(people
        .into_iter()
        .map(|p: Person| Choice {
            id: p.id.to_string(),
            name: p.name,
        })
        .collect())
}

/// The scheduling form (`edit: None`) or the edit form of one one-on-one.
async fn show_form(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    edit: Option<&OneOnOneId>,
    values: OneOnOneForm,
    form: FormState,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let people = choices(state, &actor).await?;
    let (heading, action, submit, cancel) = match edit {
        None => (
            "Schedule a one-on-one",
            "/oneonones".to_owned(),
            "Schedule",
            "/oneonones".to_owned(),
        ),
        Some(id) => (
            "Edit the one-on-one",
            format!("/oneonones/{id}"),
            "Save",
            format!("/oneonones/{id}"),
        ),
    };
    Ok(ctx.render_status(
        status,
        &FormPage {
            layout: ctx.layout(heading),
            heading,
            action,
            submit,
            cancel,
            people,
            values,
            form,
        },
    ))
}

/// `/oneonones/new`: the caller as the first participant by default.
/// `?with=` (the other participant) and `?at=` (`YYYY-MM-DDTHH:MM`, UTC): the series page's
/// "Schedule the next one", with the date its cadence proposes.
#[derive(Deserialize, Default)]
pub struct NewParams {
    with: Option<String>,
    at: Option<String>,
}

/// `/oneonones/new`: the caller as the first participant by default.
pub async fn new_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<NewParams>,
) -> Result<Response, PageError> {
    let me = ctx
        .member()?
        .user
        .person_id
        .as_ref()
        .map(ToString::to_string);
    // Only a time of the form's own shape is carried over; anything else is left out.
    let at = params
        .at
        .filter(|a| chrono::NaiveDateTime::parse_from_str(a, "%Y-%m-%dT%H:%M").is_ok());
    let values = OneOnOneForm {
        participant1_id: me.unwrap_or_default(),
        participant2_id: params.with.unwrap_or_default(),
        scheduled_at: at.clone().unwrap_or_default(),
        scheduled_utc: at.map(|a| format!("{a}:00.000Z")).unwrap_or_default(),
        ..Default::default()
    };
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        None,
        values,
        FormState::default(),
    )
    .await
}

/// A refused form, shown again with what was typed and the service's messages.
async fn form_again(
    state: &AppState,
    ctx: &Ctx,
    e: ApiError,
    f: OneOnOneForm,
    edit: Option<&OneOnOneId>,
) -> Result<Response, PageError> {
    // The one-on-one itself gone or hidden, or a refusal outright: a page, not a form, error.
    let (status, form) = FormState::refusal(e, edit.map(|_| Kind::OneOnOne.not_found_message()))?;
    show_form(state, ctx, status, edit, f, form).await
}

/// Schedules a one-on-one, then back to the list (as the original application did).
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<OneOnOneForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    match oneonones::create(&state, &actor, f.request()).await {
        // Scheduling lands on the new one-on-one, where its agenda is written.
        Ok(o) => Ok(ctx.redirect_with(
            &format!("/oneonones/{}", o.one_on_one.id),
            &format!(
                "One-on-one of {} and {} scheduled.",
                o.manager.name, o.report.name
            ),
        )),
        Err(e) => form_again(&state, &ctx, e, f, None).await,
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    let o = oneonones::get(&state, &actor, &id).await?;
    let utc = o.one_on_one.scheduled_at.to_rfc3339();
    let values = OneOnOneForm {
        participant1_id: o.one_on_one.manager_id.to_string(),
        participant2_id: o.one_on_one.report_id.to_string(),
        scheduled_at: utc[..16].to_owned(),
        tz_offset: None,
        notes: o.one_on_one.notes.clone().unwrap_or_default(),
        duration_minutes: o.one_on_one.duration_minutes().to_string(),
        version: Some(o.one_on_one.version.to_string()),
        scheduled_utc: utc,
    };
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        Some(&id),
        values,
        FormState::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<OneOnOneForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    let if_match = shown_version(f.version.as_deref());
    match oneonones::update(&state, &actor, &id, f.request(), &if_match).await {
        Ok(_) => Ok(ctx.redirect_with(&format!("/oneonones/{id}"), "Changes saved.")),
        Err(ApiError::Stale(_, by)) => {
            let now = oneonones::get(&state, &actor, &id).await?;
            let one = &now.one_on_one;
            let typed_at = local_to_utc(&f.scheduled_at, f.tz_offset.as_deref());
            let people = choices(&state, &actor).await?;
            let name = |id: &str| {
                let typed = people.iter().find(|c| c.id == id);
                typed.map_or_else(|| id.to_owned(), |c| c.name.clone())
            };
            let conflict = Conflict::new(by, "this one-on-one")
                .field("Notes", one.notes.as_deref().unwrap_or_default(), &f.notes)
                .field(
                    "Time (UTC)",
                    one.scheduled_at.to_rfc3339().get(..16).unwrap_or_default(),
                    typed_at.get(..16).unwrap_or(&typed_at),
                )
                .field(
                    "Duration (minutes)",
                    &one.duration_minutes().to_string(),
                    &f.duration_minutes,
                )
                .field("Manager", &now.manager.name, &name(&f.participant1_id))
                .field("Report", &now.report.name, &name(&f.participant2_id));
            let mut f = f;
            f.version = Some(one.version.to_string());
            let (status, form) = FormState::conflict(conflict);
            show_form(&state, &ctx, status, Some(&id), f, form).await
        }
        Err(e) => form_again(&state, &ctx, e, f, Some(&id)).await,
    }
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: OneOnOneId = page_id(&raw)?;
    oneonones::delete(&state, &actor, &id).await?;
    Ok(ctx.redirect_with("/oneonones", "One-on-one deleted."))
}

// ---------------------------------------------------------------------------------------------
// The detail page.

pub struct LogRow {
    pub when: When,
    pub name: String,
    pub action: String,
}

/// An access-log entry as a sentence about whoever made it.
fn describe(e: &AccessEntry) -> String {
    let person = e.person.as_ref().map_or("", |(_, n)| n.as_str());
    let subject = e.subject.as_ref().map_or("", |(_, n)| n.as_str());
    match e.action.as_str() {
        "view" => "opened it".into(),
        "edit" => "changed it".into(),
        "delete" => "deleted it".into(),
        "handoff" => "moved open items to or from it after a change of manager".into(),
        "view-in-handoff" => "read its open items in a handoff offer, as a new manager".into(),
        "link" => format!("linked the account of {subject} to {person}"),
        "unlink" => format!("unlinked the account of {subject} from {person}"),
        "view-through-link" => "opened it, through an account linked in place of another".into(),
        "edit-through-link" => "changed it, through an account linked in place of another".into(),
        "delete-through-link" => "deleted it, through an account linked in place of another".into(),
        "participant-removed" => format!("took {person} out of it"),
        other => other.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "oneonones/detail.html")]
struct DetailPage {
    layout: Layout,
    id: String,
    when: When,
    duration_minutes: i64,
    /// Its recurring series' rule, in words.
    series: Option<String>,
    can_skip: bool,
    manager: String,
    report: String,
    /// The other participant's person id, for the series link (none for an admin's look).
    series_with: Option<String>,
    notes_html: Option<String>,
    points: Vec<PointItem>,
    carried_away: u64,
    action_items: Vec<ActionItemRow>,
    /// Who an action item may be assigned to: the two participants.
    assignees: Vec<Choice>,
    can_write_agenda: bool,
    /// Why the caller may not write the agenda (an admin who does not take part).
    agenda_refusal: Option<String>,
    can_make_tasks: bool,
    /// Over: open points move on to the pair's next one-on-one.
    is_over: bool,
    /// The caller's own private notes, when they may keep some.
    private_notes: Option<String>,
    /// The shared notes' editor, in place: for whoever may change the one-on-one, with the
    /// text it holds (as saved, or as typed when the save was refused) and the version shown.
    can_edit_notes: bool,
    notes_text: String,
    notes_version: i64,
    /// The version of the caller's private notes, which their form sends back (`If-Match`).
    private_notes_version: i64,
    may_keep_private_notes: bool,
    private_notes_readers: &'static str,
    readers: Vec<Reader>,
    log: Vec<LogRow>,
    /// Why the access log is not shown (to an admin who does not take part).
    log_refusal: Option<String>,
    /// What a refused form held, shown again next to its message.
    typed: Typed,
    form: FormState,
}

pub struct PointItem {
    pub id: String,
    pub text: String,
    pub author: String,
    pub done: bool,
    pub carried: bool,
    pub task_id: Option<String>,
    pub task_title: Option<String>,
    pub task_status: Option<&'static str>,
    pub first: bool,
    pub last: bool,
    /// The version its edit form sends back (`If-Match`).
    pub version: i64,
}

pub struct ActionItemRow {
    pub task_id: String,
    pub title: String,
    pub status: &'static str,
    pub assignee: Option<String>,
    pub due: Option<String>,
}

/// What the caller typed into a form of the detail page that was refused.
#[derive(Default)]
pub struct Typed {
    pub point: String,
    pub private_notes: Option<String>,
    /// Shared notes typed in the page's editor, when their save was refused.
    pub notes: Option<String>,
}

/// Markdown notes as HTML: parsed by a real parser, then cleaned by an HTML sanitizer, so a
/// script written into notes never runs. Images are dropped: the pages' CSP loads none from
/// elsewhere, and one from here (`![x](/oneonones/{id})`) would make a reader's browser fetch
/// a page as them (issue 24).
pub fn render_markdown(md: &str) -> String {
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(
        md,
        pulldown_cmark::Options::ENABLE_TABLES
            | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
            | pulldown_cmark::Options::ENABLE_TASKLISTS,
    );
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .rm_tags(["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id: OneOnOneId = page_id(&raw)?;
    show_detail(
        &state,
        &ctx,
        &id,
        StatusCode::OK,
        Typed::default(),
        FormState::default(),
    )
    .await
}

/// The detail page: the one-on-one, its agenda, the pair's action items, the caller's private
/// notes and the receipt. A refused form of the page comes back here with its message.
pub async fn show_detail(
    state: &AppState,
    ctx: &Ctx,
    id: &OneOnOneId,
    status: StatusCode,
    typed: Typed,
    form: FormState,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let oneonones::Detail {
        one_on_one: o,
        agenda,
        receipt,
        private_notes: saved_notes,
        agenda_refusal,
        may_make_tasks,
        may_edit,
        is_over,
        series,
        may_skip,
    } = oneonones::detail(state, &actor, id).await?;
    let (readers, log, log_refusal) = match receipt {
        Ok((readers, log)) => (readers, log, None),
        Err(refusal) => (vec![], vec![], Some(refusal)),
    };
    let may_keep_private_notes = saved_notes.is_some();
    let (saved_notes, private_notes_version) = saved_notes.unwrap_or_default();
    // A refused save shows what was typed, not what is saved.
    let private_notes = typed.private_notes.clone().or(saved_notes);
    let one = &o.one_on_one;
    let series_with = match actor.person_id.as_ref() {
        Some(me) if me == &one.manager_id => Some(one.report_id.to_string()),
        Some(me) if me == &one.report_id => Some(one.manager_id.to_string()),
        _ => None,
    };
    let n = agenda.points.len();
    Ok(ctx.render_status(
        status,
        &DetailPage {
            layout: ctx.layout(&format!(
                "One-on-one of {} and {}",
                o.manager.name, o.report.name
            )),
            id: id.to_string(),
            when: When::of(o.one_on_one.scheduled_at),
            duration_minutes: o.one_on_one.duration_minutes(),
            series,
            can_skip: may_skip,
            manager: o.manager.name.clone(),
            report: o.report.name.clone(),
            series_with,
            notes_html: o
                .one_on_one
                .notes
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .map(render_markdown),
            points: agenda
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| PointItem {
                    version: p.version,
                    id: p.id.to_string(),
                    text: p.body.clone(),
                    author: p.author_name.clone(),
                    done: p.done_at.is_some(),
                    carried: p.carried_from_id.is_some(),
                    task_id: p.task_id.as_ref().map(ToString::to_string),
                    task_title: p.task_title.clone(),
                    task_status: p.task_status.map(|s| s.as_str()),
                    first: i == 0,
                    last: i + 1 == n,
                })
                .collect(),
            carried_away: agenda.carried_away,
            action_items: agenda
                .action_items
                .iter()
                .map(|a| ActionItemRow {
                    task_id: a.id.to_string(),
                    title: a.title.clone(),
                    status: a.status.as_str(),
                    assignee: a.assignee_name.clone(),
                    due: a.due_date.map(|d| d.to_rfc3339()[..10].to_owned()),
                })
                .collect(),
            assignees: vec![
                Choice {
                    id: o.manager.id.to_string(),
                    name: o.manager.name.clone(),
                },
                Choice {
                    id: o.report.id.to_string(),
                    name: o.report.name.clone(),
                },
            ],
            can_write_agenda: agenda_refusal.is_none(),
            agenda_refusal,
            can_make_tasks: may_make_tasks,
            is_over,
            private_notes,
            may_keep_private_notes,
            private_notes_version,
            can_edit_notes: may_edit,
            notes_text: typed
                .notes
                .clone()
                .unwrap_or_else(|| o.one_on_one.notes.clone().unwrap_or_default()),
            notes_version: o.one_on_one.version,
            private_notes_readers: oneonones::PRIVATE_NOTES_READERS,
            readers,
            log: log
                .into_iter()
                .map(|e: AccessEntry| LogRow {
                    when: When::of(e.at),
                    action: describe(&e),
                    name: e.name,
                })
                .collect(),
            log_refusal,
            typed,
            form,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_in_notes_never_survives() {
        let html = render_markdown(
            "# Agenda\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2)) <img src=x onerror=alert(3)>",
        );
        assert!(html.contains("<h1>Agenda</h1>"));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn images_in_markdown_are_dropped() {
        let html =
            render_markdown("Before ![x](/oneonones/oo_01) and <img src=\"/people/p_1\"> after");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("/oneonones/"), "{html}");
        assert!(html.contains("Before") && html.contains("after"), "{html}");
    }

    #[test]
    fn local_times_become_utc() {
        let f = OneOnOneForm {
            scheduled_at: "2030-01-07T10:30".into(),
            tz_offset: Some("-120".into()),
            ..Default::default()
        };
        assert_eq!(
            f.request().scheduled_at.as_deref(),
            Some("2030-01-07T08:30:00Z")
        );
        let utc = OneOnOneForm {
            scheduled_at: "2030-01-07T10:30".into(),
            ..Default::default()
        };
        assert_eq!(
            utc.request().scheduled_at.as_deref(),
            Some("2030-01-07T10:30:00Z")
        );
    }
}
