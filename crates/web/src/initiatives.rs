//! Initiatives in the browser: the list (filters by status, RAG, team, owner and title), an
//! initiative's page with its owners, team, tasks and meetings, and for whom the rule allows
//! (members linked to a person create; admins edit and delete) the form; its owners (and
//! admins) post check-ins on its page, kept as its history. Every page calls
//! `services::initiatives`, as `/api/initiatives` does.

use super::{
    Conflict, Ctx, FormState, Layout, PageError, Pager, Posted, filled, filled_or_cleared, listed,
    names,
    oneonones::{Choice, When, page_id, render_markdown},
    picker::{Field, Picker},
    shown_version,
    tasks::{Row as TaskRow, day, status_label as task_status_label},
};
use crate::{
    error::ApiError,
    extract::{Paging, PathId},
    patch::Patch,
    services::{
        initiatives::{
            self, CheckInRequest, CreateInitiativeRequest, InitiativesQuery,
            UpdateInitiativeRequest,
        },
        names::Directory,
        permissions::{self, Allowed},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use manageros_core::{InitiativeId, InitiativeStatus, Rag, TaskStatus, authz::Action};
use manageros_store::repo::initiatives::Initiative;
use serde::Deserialize;

pub fn status_label(s: InitiativeStatus) -> &'static str {
    match s {
        InitiativeStatus::Planned => "Planned",
        InitiativeStatus::InProgress => "In progress",
        InitiativeStatus::Paused => "Paused",
        InitiativeStatus::Done => "Done",
        InitiativeStatus::Canceled => "Canceled",
    }
}

pub fn rag_label(r: Rag) -> &'static str {
    match r {
        Rag::Green => "Green",
        Rag::Amber => "Amber",
        Rag::Red => "Red",
    }
}

pub struct Row {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub rag: &'static str,
    pub rag_class: &'static str,
    pub confidence: i32,
    pub owners: Vec<Choice>,
    pub team: Option<Choice>,
    pub start: Option<String>,
    pub target: Option<String>,
}

fn row(i: &Initiative, names: &Directory) -> Row {
    Row {
        id: i.id.to_string(),
        title: i.title.clone(),
        status: status_label(i.status),
        rag: rag_label(i.rag),
        rag_class: i.rag.as_str(),
        confidence: i.confidence,
        owners: i
            .owner_ids
            .iter()
            .filter_map(|o| {
                names.person(o.as_str()).map(|n| Choice {
                    id: o.to_string(),
                    name: n.to_owned(),
                })
            })
            .collect(),
        team: i.team_id.as_ref().and_then(|t| {
            names.team(t.as_str()).map(|n| Choice {
                id: t.to_string(),
                name: n.to_owned(),
            })
        }),
        start: i.start_date.map(day),
        target: i.target_date.map(day),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub status: Option<String>,
    pub rag: Option<String>,
    pub team_id: Option<String>,
    pub owner_id: Option<String>,
    pub search: Option<String>,
    pub page: Option<String>,
}

impl ListParams {
    fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", &self.status),
            ("rag", &self.rag),
            ("teamId", &self.team_id),
            ("ownerId", &self.owner_id),
            ("search", &self.search),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }
}

/// `(value, label, selected)` of a filter's choices.
type Options = Vec<(String, String, bool)>;

fn options(
    any: &str,
    values: impl IntoIterator<Item = (String, String)>,
    current: &Option<String>,
) -> Options {
    let current = current.as_deref().unwrap_or_default();
    std::iter::once((String::new(), any.to_owned()))
        .chain(values)
        .map(|(v, l)| {
            let selected = v == current;
            (v, l, selected)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "initiatives/list.html")]
struct ListPage {
    layout: Layout,
    statuses: Options,
    rags: Options,
    teams: Options,
    owners: Options,
    /// Whether the owner filter offers everyone (else: "Me" and the chosen person).
    everyone_offered: bool,
    search: String,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
    filtered: bool,
    can_create: bool,
    form: FormState,
}

/// `/initiatives`: every initiative of the organization (initiative.view), newest first.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let names = names(&state, &ctx).await?;
    let q = InitiativesQuery {
        status: p.status.clone(),
        rag: p.rag.clone(),
        team_id: p.team_id.clone(),
        owner_id: p.owner_id.clone(),
        search: p.search.clone(),
    };
    let paging = Paging {
        page: p.page.clone(),
        limit: None,
    };
    let (list, page, form) = listed(initiatives::list(&state, &actor, q, &paging).await)?;
    let rows = list.iter().map(|i| row(i, &names)).collect();
    let (owners, everyone_offered) =
        super::picker::person_filter(&names, actor.person_id.as_ref(), p.owner_id.as_deref());
    let query = p.query();
    let choices = |list: &[Choice]| {
        list.iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect::<Vec<_>>()
    };
    Ok(ctx.render_status(
        form.status(),
        &ListPage {
            layout: ctx.layout("Initiatives"),
            statuses: options(
                "Any status",
                InitiativeStatus::ALL
                    .iter()
                    .map(|s| (s.as_str().to_owned(), status_label(*s).to_owned())),
                &p.status,
            ),
            rags: options(
                "Any RAG",
                Rag::ALL
                    .iter()
                    .map(|r| (r.as_str().to_owned(), rag_label(*r).to_owned())),
                &p.rag,
            ),
            teams: options("Any team", choices(&names.teams), &p.team_id),
            owners: options("Anyone", owners, &p.owner_id),
            everyone_offered,
            search: p.search.clone().unwrap_or_default(),
            rows,
            total: page.total_count,
            pager: Pager::new(&page, |n| format!("/initiatives?{query}&page={n}")),
            filtered: !query.is_empty(),
            can_create: permissions::holds(&actor, Action::InitiativeCreate).allowed,
            form,
        },
    ))
}

/// How many of an initiative's tasks and meetings its page shows (links lead to the rest).
const SHOWN: u64 = 20;

pub struct MeetingItem {
    pub id: String,
    pub title: String,
    pub when: When,
}

#[derive(Template)]
#[template(path = "initiatives/initiative.html")]
struct InitiativePage {
    layout: Layout,
    row: Row,
    summary_html: Option<String>,
    tasks: Vec<TaskRow>,
    tasks_total: u64,
    meetings: Vec<MeetingItem>,
    meetings_total: u64,
    can_edit: Allowed,
    can_delete: Allowed,
    can_add_task: bool,
    check_ins: Vec<CheckInItem>,
    check_ins_total: u64,
    can_check_in: Allowed,
    /// The check-in form: its choices (the current values chosen, or what was typed) and
    /// messages.
    statuses: Options,
    rags: Options,
    confidence: String,
    note: String,
    /// The initiative's version when the page was shown (`If-Match` of the check-in).
    version: i64,
    form: FormState,
}

/// A check-in as the history shows it.
pub struct CheckInItem {
    pub author: String,
    pub when: When,
    pub status: &'static str,
    pub rag: &'static str,
    pub rag_class: &'static str,
    pub confidence: i32,
    pub note_html: Option<String>,
}

/// The check-in form as typed.
#[derive(Deserialize, Default)]
pub struct CheckInForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    rag: String,
    #[serde(default)]
    confidence: String,
    #[serde(default)]
    note: String,
    /// The version the page was showing (`If-Match`).
    #[serde(default)]
    version: Option<String>,
}

/// `/initiatives/{id}`: an initiative, its tasks, its meetings and its check-ins.
pub async fn initiative(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id: InitiativeId = page_id(&raw)?;
    show(
        &state,
        &ctx,
        &id,
        None,
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /initiatives/{id}/check-ins`: a check-in from the form on the initiative's page; a
/// refused field re-shows the page with the message next to it and nothing saved.
pub async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<CheckInForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: InitiativeId = page_id(&raw)?;
    let sent = match filled(&f.confidence).map(|c| confidence(&c)).transpose() {
        Ok(confidence) => {
            let input = CheckInRequest {
                status: filled(&f.status),
                rag: filled(&f.rag),
                confidence,
                note: filled(&f.note),
            };
            let if_match = shown_version(f.version.as_deref());
            initiatives::check_in(&state, &actor, &id, input, &if_match).await
        }
        Err(e) => Err(e),
    };
    match sent {
        Ok(_) => Ok(ctx.redirect_with(&format!("/initiatives/{id}#check-ins"), "Check-in posted.")),
        Err(e) => {
            // A refused field is a 400, a stale page a 412: the page again, with the message.
            let (status, form) = FormState::refusal(
                e,
                Some(manageros_core::authz::Kind::Initiative.not_found_message()),
            )?;
            show(&state, &ctx, &id, Some(f), form, status).await
        }
    }
}

async fn show(
    state: &AppState,
    ctx: &Ctx,
    id: &InitiativeId,
    typed: Option<CheckInForm>,
    form: FormState,
    status: StatusCode,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let initiatives::InitiativeView {
        initiative: i,
        tasks: (tasks, tasks_page),
        meetings: (meetings, meetings_page),
        check_ins: (check_ins, check_ins_page),
    } = initiatives::page(state, &actor, id, SHOWN).await?;
    let names = names(state, ctx).await?;
    let now = state.now();
    let typed = typed.unwrap_or_else(|| CheckInForm {
        status: i.status.as_str().to_owned(),
        rag: i.rag.as_str().to_owned(),
        confidence: i.confidence.to_string(),
        note: String::new(),
        version: None,
    });
    let choose = |values: Vec<(String, String)>, current: &str| -> Options {
        values
            .into_iter()
            .map(|(v, l)| {
                let selected = v == current;
                (v, l, selected)
            })
            .collect()
    };
    let page = InitiativePage {
        check_ins: check_ins
            .iter()
            .map(|c| CheckInItem {
                author: c.author_name.clone(),
                when: When::of(c.created_at),
                status: status_label(c.status),
                rag: rag_label(c.rag),
                rag_class: c.rag.as_str(),
                confidence: c.confidence,
                note_html: c.note.as_deref().map(render_markdown),
            })
            .collect(),
        check_ins_total: check_ins_page.total_count,
        can_check_in: permissions::on(&actor, Action::InitiativeCheckIn, &i.target()),
        statuses: choose(
            InitiativeStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), status_label(*s).to_owned()))
                .collect(),
            &typed.status,
        ),
        rags: choose(
            Rag::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), rag_label(*r).to_owned()))
                .collect(),
            &typed.rag,
        ),
        confidence: typed.confidence,
        note: typed.note,
        version: i.version,
        form,
        layout: ctx.layout(&i.title),
        summary_html: i.summary.as_deref().map(render_markdown),
        tasks: tasks
            .iter()
            .map(|t| TaskRow {
                id: t.id.to_string(),
                title: t.title.clone(),
                status: task_status_label(t.status),
                status_class: t.status.as_str(),
                priority: t.priority,
                assignee: t
                    .assignee_id
                    .as_ref()
                    .and_then(|a| names.person(a.as_str()))
                    .map(str::to_owned)
                    .unwrap_or_default(),
                initiative_id: String::new(),
                initiative: String::new(),
                due: t.due_date.map(day),
                overdue: !matches!(t.status, TaskStatus::Done | TaskStatus::Dropped)
                    && t.due_date.is_some_and(|d| d < now),
                moves: vec![],
                why_not: None,
            })
            .collect(),
        tasks_total: tasks_page.total_count,
        meetings: meetings
            .iter()
            .map(|m| MeetingItem {
                id: m.id.to_string(),
                title: m.title.clone(),
                when: When::of(m.scheduled_at),
            })
            .collect(),
        meetings_total: meetings_page.total_count,
        can_edit: permissions::on(&actor, Action::InitiativeEdit, &i.target()),
        can_delete: permissions::on(&actor, Action::InitiativeDelete, &i.target()),
        can_add_task: permissions::holds(&actor, Action::TaskCreate).allowed,
        row: row(&i, &names),
    };
    Ok(ctx.render_status(status, &page))
}

/// The form's fields, as typed (`ownerIds` may repeat).
#[derive(Default)]
pub struct InitiativeForm {
    title: String,
    summary: String,
    status: String,
    rag: String,
    confidence: String,
    team_id: String,
    owner_ids: Vec<String>,
    start_date: String,
    target_date: String,
    /// The version the edit form was showing (`If-Match`).
    version: Option<String>,
}

impl InitiativeForm {
    /// The form's fields as `i` holds them (the edit form, and "theirs" in a conflict).
    fn of(i: &Initiative) -> Self {
        let date = |t: Option<manageros_core::Timestamp>| {
            t.map(|t| t.to_rfc3339()[..10].to_owned())
                .unwrap_or_default()
        };
        Self {
            title: i.title.clone(),
            summary: i.summary.clone().unwrap_or_default(),
            status: i.status.as_str().into(),
            rag: i.rag.as_str().into(),
            confidence: i.confidence.to_string(),
            team_id: i
                .team_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            owner_ids: i.owner_ids.iter().map(ToString::to_string).collect(),
            start_date: date(i.start_date),
            target_date: date(i.target_date),
            version: Some(i.version.to_string()),
        }
    }

    /// Where `self` (typed) and `theirs` (saved) differ, by the labels the form shows.
    fn conflict(&self, theirs: &Self, by: Option<String>, names: &Directory) -> Conflict {
        let team = |id: &str| names.team(id).unwrap_or("none").to_owned();
        let owners = |ids: &[String]| {
            let mut n: Vec<&str> = ids.iter().filter_map(|id| names.person(id)).collect();
            n.sort_unstable();
            n.join("\n")
        };
        Conflict::new(by, "this initiative")
            .field("Title", &theirs.title, &self.title)
            .field("Summary", &theirs.summary, &self.summary)
            .field("Status", &theirs.status, &self.status)
            .field("RAG", &theirs.rag, &self.rag)
            .field("Confidence", &theirs.confidence, &self.confidence)
            .field("Team", &team(&theirs.team_id), &team(&self.team_id))
            .field(
                "Owners",
                &owners(&theirs.owner_ids),
                &owners(&self.owner_ids),
            )
            .field("Start date", &theirs.start_date, &self.start_date)
            .field("Target date", &theirs.target_date, &self.target_date)
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "title" => f.title = v,
                "summary" => f.summary = v,
                "status" => f.status = v,
                "rag" => f.rag = v,
                "confidence" => f.confidence = v,
                "teamId" => f.team_id = v,
                "ownerIds" => f.owner_ids.push(v),
                "startDate" => f.start_date = v,
                "targetDate" => f.target_date = v,
                "version" => f.version = Some(v),
                _ => {}
            }
        }
        f
    }
}

fn confidence(raw: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::invalid("confidence", "Confidence must be from 0 to 100"))
}

#[derive(Template)]
#[template(path = "initiatives/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    values: InitiativeForm,
    statuses: Vec<(&'static str, &'static str)>,
    rags: Vec<(&'static str, &'static str)>,
    /// The owners, picked from the people.
    picker: Picker,
    teams: Vec<Choice>,
    form: FormState,
}

async fn show_form(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    edit: Option<(&str, &str)>,
    values: InitiativeForm,
    form: FormState,
) -> Result<Response, PageError> {
    let names = names(state, ctx).await?;
    let (heading, action, submit, cancel) = match edit {
        None => (
            "New initiative".to_owned(),
            "/initiatives".to_owned(),
            "Create initiative",
            "/initiatives".to_owned(),
        ),
        Some((id, title)) => (
            format!("Edit “{title}”"),
            format!("/initiatives/{id}"),
            "Save",
            format!("/initiatives/{id}"),
        ),
    };
    Ok(ctx.render_status(
        status,
        &FormPage {
            layout: ctx.layout(&heading),
            heading,
            action,
            submit,
            cancel,
            statuses: InitiativeStatus::ALL
                .iter()
                .map(|s| (s.as_str(), status_label(*s)))
                .collect(),
            rags: Rag::ALL
                .iter()
                .map(|r| (r.as_str(), rag_label(*r)))
                .collect(),
            picker: Picker::new(Field::Owners, &names.people, &values.owner_ids, "")
                .invalid(form.has("ownerIds")),
            values,
            teams: names.teams.clone(),
            form,
        },
    ))
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    permissions::require_action(&ctx.member()?.actor(), Action::InitiativeCreate)?;
    let values = InitiativeForm {
        status: InitiativeStatus::Planned.as_str().into(),
        rag: Rag::Green.as_str().into(),
        confidence: "50".into(),
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

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let f = InitiativeForm::from_pairs(pairs);
    let result = match confidence(&f.confidence) {
        Ok(c) => {
            let req = CreateInitiativeRequest {
                title: Some(f.title.clone()),
                summary: filled(&f.summary),
                status: filled(&f.status),
                rag: filled(&f.rag),
                confidence: Some(c),
                team_id: filled(&f.team_id),
                owner_ids: f.owner_ids.clone(),
                start_date: filled(&f.start_date),
                target_date: filled(&f.target_date),
            };
            initiatives::create(&state, &actor, req).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(i) => Ok(ctx.redirect_with(
            &format!("/initiatives/{}", i.id),
            &format!("Initiative “{}” created.", i.title),
        )),
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            show_form(&state, &ctx, status, None, f, form).await
        }
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: InitiativeId = page_id(&raw)?;
    // The initiative first: another organization's is a 404, for an admin too.
    let i = initiatives::get(&state, &actor, &id).await?;
    permissions::require_on(&actor, Action::InitiativeEdit, &i.target())?;
    let values = InitiativeForm::of(&i);
    let id = i.id.to_string();
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        Some((&id, &i.title)),
        values,
        FormState::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: InitiativeId = page_id(&raw)?;
    let f = InitiativeForm::from_pairs(pairs);
    let result = match confidence(&f.confidence) {
        Ok(c) => {
            let req = UpdateInitiativeRequest {
                title: Patch::Value(f.title.clone()),
                summary: filled_or_cleared(&f.summary),
                status: Patch::Value(f.status.clone()),
                rag: Patch::Value(f.rag.clone()),
                confidence: Patch::Value(c),
                team_id: filled_or_cleared(&f.team_id),
                owner_ids: Patch::Value(f.owner_ids.clone()),
                start_date: filled_or_cleared(&f.start_date),
                target_date: filled_or_cleared(&f.target_date),
            };
            let if_match = shown_version(f.version.as_deref());
            initiatives::update(&state, &actor, &id, req, &if_match).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(i) => Ok(ctx.redirect_with(&format!("/initiatives/{}", i.id), "Changes saved.")),
        Err(ApiError::Stale(_, by)) => {
            let now = initiatives::get(&state, &actor, &id).await?;
            let theirs = InitiativeForm::of(&now);
            let names = names(&state, &ctx).await?;
            let (status, form) = FormState::conflict(f.conflict(&theirs, by, &names));
            let f = InitiativeForm {
                version: theirs.version,
                ..f
            };
            let id = id.to_string();
            show_form(&state, &ctx, status, Some((&id, &now.title)), f, form).await
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, Some(<InitiativeId as PathId>::NOT_FOUND))?;
            let title = f.title.clone();
            let id = id.to_string();
            show_form(&state, &ctx, status, Some((&id, &title)), f, form).await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: InitiativeId = page_id(&raw)?;
    initiatives::delete(&state, &actor, &id).await?;
    Ok(ctx.redirect_with(
        "/initiatives",
        "Initiative deleted; its tasks and meetings stay.",
    ))
}
