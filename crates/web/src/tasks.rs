//! Tasks in the browser: the list (filters, sorts, pages, all in the URL), the board by status
//! where a task moves with one click, a task's page, and the form to create or edit one.
//! Every page calls `services::tasks`, as `/api/tasks` does; whether a button is offered is
//! the authz module's answer for that task, and where it is not, its reason is shown.

use super::{
    Conflict, Ctx, FormState, FormValues, Layout, PageError, Pager, Posted, listed, names,
    oneonones::{Choice, When, page_id, render_markdown},
    shown_version,
};
use crate::{
    error::ApiError,
    extract::{Paging, PathId},
    patch::Patch,
    services::{
        names::Directory,
        permissions::{self, Allowed},
        tasks::{self, TasksQuery, UpdateTaskRequest},
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
    PersonId, TaskId, TaskStatus, Timestamp,
    authz::{Action, Actor},
};
use manageros_store::repo::tasks::{Task, TaskFields};
use serde::Deserialize;

/// How a page names a status.
pub fn status_label(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Todo => "To do",
        TaskStatus::Doing => "Doing",
        TaskStatus::Blocked => "Blocked",
        TaskStatus::Done => "Done",
        TaskStatus::Dropped => "Dropped",
    }
}

/// The moves a board card offers from a status: the next steps, one click each.
fn moves_from(s: TaskStatus) -> &'static [(TaskStatus, &'static str)] {
    match s {
        TaskStatus::Todo => &[(TaskStatus::Doing, "Start"), (TaskStatus::Done, "Done")],
        TaskStatus::Doing => &[(TaskStatus::Done, "Done"), (TaskStatus::Blocked, "Blocked")],
        TaskStatus::Blocked => &[(TaskStatus::Doing, "Unblock")],
        TaskStatus::Done | TaskStatus::Dropped => &[(TaskStatus::Todo, "Reopen")],
    }
}

/// A due date as a page shows it, "1 Mar 2030": a calendar day (stored as its UTC midnight),
/// so never turned into the reader's time zone, where it could become the day before.
pub fn day(t: Timestamp) -> String {
    manageros_core::display::day(t)
}

/// A task as a row of the list or a card of the board.
pub struct Row {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub priority: i32,
    pub assignee: String,
    pub initiative_id: String,
    pub initiative: String,
    pub due: Option<String>,
    pub overdue: bool,
    /// One-click moves, or why the caller may not move it.
    pub moves: Vec<(&'static str, &'static str)>,
    pub why_not: Option<String>,
}

fn row(t: &Task, names: &Directory, actor: &Actor, now: Timestamp) -> Row {
    let edit = permissions::on(actor, Action::TaskEdit, &t.target());
    let open = !matches!(t.status, TaskStatus::Done | TaskStatus::Dropped);
    Row {
        id: t.id.to_string(),
        title: t.title.clone(),
        status: status_label(t.status),
        status_class: t.status.as_str(),
        priority: t.priority,
        assignee: t
            .assignee_id
            .as_ref()
            .and_then(|a| names.person(a.as_str()))
            .map(str::to_owned)
            .unwrap_or_default(),
        initiative_id: t
            .initiative_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        initiative: t
            .initiative_id
            .as_ref()
            .and_then(|i| names.initiative(i.as_str()))
            .map(str::to_owned)
            .unwrap_or_default(),
        due: t.due_date.map(day),
        overdue: open && t.due_date.is_some_and(|d| d < now),
        moves: if edit.allowed {
            moves_from(t.status)
                .iter()
                .map(|(s, label)| (s.as_str(), *label))
                .collect()
        } else {
            vec![]
        },
        why_not: (!edit.allowed).then_some(edit.reason),
    }
}

/// The list's and the board's URL parameters, kept so that links change one thing.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub status: Option<String>,
    pub assignee_id: Option<String>,
    pub initiative_id: Option<String>,
    /// `overdue` or `week` (due within 7 days, overdue included); empty is any.
    pub due: Option<String>,
    pub search: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
}

impl ListParams {
    /// The query string of these parameters with `page` left out (`&`-joined, encoded).
    fn query(&self, view_status: bool) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        let mut add = |k: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        };
        if view_status {
            add("status", &self.status);
        }
        add("assigneeId", &self.assignee_id);
        add("initiativeId", &self.initiative_id);
        add("due", &self.due);
        add("search", &self.search);
        add("sort", &self.sort);
        q.finish()
    }

    fn filtered(&self) -> bool {
        !self.query(true).is_empty()
    }

    /// The service's query: `due` becomes `dueBefore`, counted from now.
    fn to_query(&self, now: Timestamp) -> Result<TasksQuery, ApiError> {
        const DAY: i64 = 24 * 60 * 60 * 1000;
        let due_before = match self.due.as_deref().unwrap_or_default() {
            "" => None,
            "overdue" => Some(now),
            "week" => Some(now.plus_millis(7 * DAY)),
            _ => {
                return Err(ApiError::invalid(
                    "due",
                    "due must be one of: overdue, week",
                ));
            }
        };
        Ok(TasksQuery {
            // The list hides what is done or dropped unless asked ("any", or that status).
            status: match self.status.as_deref().map(str::trim) {
                None | Some("") => Some(tasks::OPEN.to_owned()),
                Some("any") => None,
                Some(s) => Some(s.to_owned()),
            },
            assignee_id: self.assignee_id.clone(),
            initiative_id: self.initiative_id.clone(),
            search: self.search.clone(),
            due_before: due_before.map(|t| t.to_rfc3339()),
            sort: self.sort.clone(),
        })
    }
}

/// Choices of the filters, as `(value, label, selected)`.
type Options = Vec<(String, String, bool)>;

fn options(
    values: impl IntoIterator<Item = (String, String)>,
    current: &Option<String>,
) -> Options {
    let current = current.as_deref().unwrap_or_default();
    values
        .into_iter()
        .map(|(v, l)| {
            let selected = v == current;
            (v, l, selected)
        })
        .collect()
}

/// What the list and the board share: the filters, as the page shows them.
struct Filters {
    statuses: Options,
    assignees: Options,
    /// Whether the assignee filter offers everyone (else: "Me" and the chosen person).
    everyone_offered: bool,
    initiatives: Options,
    dues: Options,
    sorts: Options,
    search: String,
}

fn filters(p: &ListParams, names: &Directory, me: Option<&PersonId>) -> Filters {
    let any = |label: &str| (String::new(), label.to_owned());
    let (assignees, everyone_offered) =
        super::picker::person_filter(names, me, p.assignee_id.as_deref());
    Filters {
        statuses: options(
            [
                any("Open (not done or dropped)"),
                ("any".to_owned(), "Any status".to_owned()),
            ]
            .into_iter()
            .chain(
                TaskStatus::ALL
                    .iter()
                    .map(|s| (s.as_str().to_owned(), status_label(*s).to_owned())),
            ),
            &p.status,
        ),
        assignees: options(
            std::iter::once(any("Anyone")).chain(assignees),
            &p.assignee_id,
        ),
        everyone_offered,
        initiatives: options(
            std::iter::once(any("Any initiative")).chain(
                names
                    .initiatives
                    .iter()
                    .map(|c| (c.id.clone(), c.name.clone())),
            ),
            &p.initiative_id,
        ),
        dues: options(
            [
                any("Any time"),
                ("overdue".into(), "Overdue".into()),
                ("week".into(), "Due within a week".into()),
            ],
            &p.due,
        ),
        sorts: options(
            [
                ("newest".into(), "Newest first".into()),
                ("due".into(), "Due soonest".into()),
                ("priority".into(), "Highest priority".into()),
            ],
            &p.sort.clone().or(Some("newest".into())),
        ),
        search: p.search.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "tasks/list.html")]
struct ListPage {
    layout: Layout,
    filters: Filters,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
    filtered: bool,
    board_href: String,
    can_create: bool,
    form: FormState,
}

/// `/tasks`: every task of the organization (task.view), filtered and sorted.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    let now = state.clock.now();
    let names = names(&state, &ctx).await?;
    let paging = Paging {
        page: p.page.clone(),
        limit: None,
    };
    let result = match p.to_query(now) {
        Ok(q) => tasks::list(&state, &actor, Some(member.tasks_seen()), q, &paging).await,
        Err(e) => Err(e),
    };
    let (list, page, form) = listed(result)?;
    let rows = list.iter().map(|t| row(t, &names, &actor, now)).collect();
    let query = p.query(true);
    Ok(ctx.render_status(
        form.status(),
        &ListPage {
            layout: ctx.layout("Tasks"),
            filters: filters(&p, &names, actor.person_id.as_ref()),
            rows,
            total: page.total_count,
            pager: Pager::new(&page, |n| format!("/tasks?{query}&page={n}")),
            filtered: p.filtered(),
            board_href: format!("/tasks/board?{}", p.query(false)),
            can_create: permissions::holds(&actor, Action::TaskCreate).allowed,
            form,
        },
    ))
}

/// How many cards a board column shows (the list shows the rest).
const COLUMN_LIMIT: u64 = 50;

pub struct Column {
    pub status: &'static str,
    pub label: &'static str,
    pub cards: Vec<Row>,
    pub total: u64,
    pub more_href: String,
}

#[derive(Template)]
#[template(path = "tasks/board.html")]
struct BoardPage {
    layout: Layout,
    filters: Filters,
    columns: Vec<Column>,
    list_href: String,
    back: String,
    can_create: bool,
    form: FormState,
}

/// `/tasks/board`: the tasks by status, each card moving with one click.
pub async fn board(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    let now = state.clock.now();
    let names = names(&state, &ctx).await?;
    let mut columns = vec![];
    let mut form = FormState::default();
    let paging = Paging {
        page: None,
        limit: Some(COLUMN_LIMIT.to_string()),
    };
    for status in TaskStatus::ALL {
        let column = ListParams {
            status: Some(status.as_str().to_owned()),
            page: None,
            ..p.clone()
        };
        let result = match column.to_query(now) {
            Ok(q) => tasks::list(&state, &actor, Some(member.tasks_seen()), q, &paging).await,
            Err(e) => Err(e),
        };
        let (list, page, refused) = listed(result)?;
        if !refused.fields.is_empty() {
            // A bad filter: said once, beside the filters, with no columns.
            form = refused;
            columns.clear();
            break;
        }
        columns.push(Column {
            status: status.as_str(),
            label: status_label(*status),
            cards: list.iter().map(|t| row(t, &names, &actor, now)).collect(),
            total: page.total_count,
            more_href: format!("/tasks?{}", column.query(true)),
        });
    }
    let query = p.query(false);
    Ok(ctx.render_status(
        form.status(),
        &BoardPage {
            layout: ctx.layout("Task board"),
            filters: filters(&p, &names, actor.person_id.as_ref()),
            columns,
            list_href: format!("/tasks?{query}"),
            back: format!("/tasks/board?{query}"),
            can_create: permissions::holds(&actor, Action::TaskCreate).allowed,
            form,
        },
    ))
}

#[derive(Deserialize)]
pub struct MoveForm {
    status: String,
    #[serde(default)]
    back: String,
}

/// `POST /tasks/{id}/status`: one click of a board card or a task's page.
pub async fn move_task(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<MoveForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: TaskId = page_id(&raw)?;
    let back = super::safe_next(Some(&f.back)).to_owned();
    let req = UpdateTaskRequest {
        status: Patch::Value(f.status),
        ..Default::default()
    };
    match tasks::update(&state, &actor, &id, req, &Default::default()).await {
        Ok(t) => Ok(ctx.redirect_with(
            &back,
            &format!("“{}” is now {}.", t.title, status_label(t.status)),
        )),
        // Not allowed, or a status that does not exist: said where the click was.
        Err(e) if e.forbidden_message().is_some() => Ok(ctx.redirect_with(&back, &e.to_string())),
        Err(ApiError::Validation(fields)) => Ok(ctx.redirect_with(
            &back,
            fields
                .first()
                .map_or("The task could not be moved", |(_, m)| m.as_str()),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "tasks/task.html")]
struct TaskPage {
    layout: Layout,
    /// The task itself: a field it gains is shown by the template alone.
    task: Task,
    row: Row,
    description_html: Option<String>,
    created_by: String,
    completed: Option<When>,
    can_edit: Allowed,
    can_delete: Allowed,
    back: String,
}

/// `/tasks/{id}`: one task, and what the caller may do with it (or why not).
pub async fn task(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: TaskId = page_id(&raw)?;
    let tasks::TaskPage {
        task: t,
        created_by,
    } = tasks::page(&state, &actor, &id).await?;
    let names = names(&state, &ctx).await?;
    Ok(ctx.render(&TaskPage {
        layout: ctx.layout(&t.title),
        description_html: t.description.as_deref().map(render_markdown),
        created_by: created_by.unwrap_or_else(|| "a former member".into()),
        completed: t.completed_at.map(When::of),
        can_edit: permissions::on(&actor, Action::TaskEdit, &t.target()),
        can_delete: permissions::on(&actor, Action::TaskDelete, &t.target()),
        back: format!("/tasks/{}", t.id),
        row: row(&t, &names, &actor, state.clock.now()),
        task: t,
    }))
}

/// The task's writable fields and version, as its edit form shows them.
fn values_of(t: &Task) -> FormValues {
    let mut values = FormValues::of(&TaskFields::of(t));
    values.set("version", t.version.to_string());
    values
}

/// Where the typed form and the saved task differ, people and initiatives by name.
fn conflict(
    typed: &FormValues,
    saved: &FormValues,
    by: Option<String>,
    names: &Directory,
) -> Conflict {
    typed.conflict(saved, by, "this task", |field, value| match field {
        "assigneeId" => names.person(value).unwrap_or("nobody").to_owned(),
        "initiativeId" => names.initiative(value).unwrap_or("none").to_owned(),
        _ => value.to_owned(),
    })
}

#[derive(Template)]
#[template(path = "tasks/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    values: FormValues,
    statuses: Vec<(&'static str, &'static str)>,
    people: Vec<Choice>,
    initiatives: Vec<Choice>,
    form: FormState,
}

async fn show_form(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    edit: Option<(&str, &str)>,
    values: FormValues,
    form: FormState,
) -> Result<Response, PageError> {
    let names = names(state, ctx).await?;
    let (heading, action, submit, cancel) = match edit {
        None => (
            "New task".to_owned(),
            "/tasks".to_owned(),
            "Create task",
            "/tasks".to_owned(),
        ),
        Some((id, title)) => (
            format!("Edit “{title}”"),
            format!("/tasks/{id}"),
            "Save",
            format!("/tasks/{id}"),
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
            values,
            statuses: TaskStatus::ALL
                .iter()
                .map(|s| (s.as_str(), status_label(*s)))
                .collect(),
            people: names.people.clone(),
            initiatives: names.initiatives.clone(),
            form,
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NewParams {
    assignee_id: Option<String>,
    initiative_id: Option<String>,
}

/// `/tasks/new`: the form, for whom may create tasks (the reason otherwise).
pub async fn new_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<NewParams>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    permissions::require_action(&actor, Action::TaskCreate)?;
    let mut values = FormValues::of(&TaskFields::default());
    values.set("assigneeId", p.assignee_id.unwrap_or_default());
    values.set("initiativeId", p.initiative_id.unwrap_or_default());
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
    Posted(f): Posted<FormValues>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let result = match f.input() {
        Ok(req) => tasks::create(&state, &actor, req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => Ok(ctx.redirect_with(
            &format!("/tasks/{}", t.id),
            &format!("Task “{}” created.", t.title),
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
    let id: TaskId = page_id(&raw)?;
    // The task first: another organization's is a 404, for an admin too.
    let t = tasks::get(&state, &actor, &id).await?;
    permissions::require_on(&actor, Action::TaskEdit, &t.target())?;
    let values = values_of(&t);
    let id = t.id.to_string();
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        Some((&id, &t.title)),
        values,
        FormState::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(mut f): Posted<FormValues>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: TaskId = page_id(&raw)?;
    let if_match = shown_version(Some(f.get("version")).filter(|v| !v.is_empty()));
    let result = match f.input() {
        Ok(req) => tasks::update(&state, &actor, &id, req, &if_match).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => Ok(ctx.redirect_with(&format!("/tasks/{}", t.id), "Changes saved.")),
        Err(ApiError::Stale(_, by)) => {
            let now = tasks::get(&state, &actor, &id).await?;
            // Their fields (not the version, which always differs), against what was typed.
            let theirs = FormValues::of(&TaskFields::of(&now));
            let names = names(&state, &ctx).await?;
            let (status, form) = FormState::conflict(conflict(&f, &theirs, by, &names));
            f.set("version", now.version.to_string());
            let id = id.to_string();
            show_form(&state, &ctx, status, Some((&id, &now.title)), f, form).await
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, Some(<TaskId as PathId>::NOT_FOUND))?;
            let title = f.get("title").to_owned();
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
    let id: TaskId = page_id(&raw)?;
    tasks::delete(&state, &actor, &id).await?;
    Ok(ctx.redirect_with("/tasks", "Task deleted."))
}
