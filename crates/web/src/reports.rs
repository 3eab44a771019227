//! Reports in the browser (admins): the saved reports, saving one, running it — the
//! one-on-one cadence as a table per manager/report pair with the overdue pairs marked, task
//! status as a table and a bar chart drawn on the server (SVG, no script) — and its CSV.
//! Every page calls `services::reports`, as `/api/reports` does.

use super::{
    Conflict, Ctx, FormState, Layout, PageError, Pager, Posted, names,
    oneonones::{Choice, When, page_id},
    shown_version,
    tasks::status_label as task_status_label,
};
use crate::services::names::Directory;
use crate::{
    error::ApiError,
    extract::{Paging, PathId},
    services::{
        permissions::{self, Allowed},
        reports::{self, CreateReportRequest, Run, UpdateReportRequest},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use manageros_core::{ReportId, ReportKind, TaskStatus, Timestamp, authz::Action};
use manageros_store::repo::reports::Report;
use serde::Deserialize;
use serde_json::Value;

pub fn kind_label(k: ReportKind) -> &'static str {
    match k {
        ReportKind::OneOnOneCadence => "One-on-one cadence",
        ReportKind::TaskStatus => "Task status",
    }
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub created: When,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "reports/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
    can_create: bool,
    /// Running reports over everyone (admins) or one's own line (managers), and why.
    run_now: Allowed,
}

/// `/reports`: the organization's saved reports.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let paging = Paging {
        page: p.page,
        limit: None,
    };
    let (list, page) = reports::list(&state, &actor, &paging).await?;
    Ok(ctx.render(&ListPage {
        layout: ctx.layout("Reports"),
        rows: list
            .iter()
            .map(|r| Row {
                id: r.id.to_string(),
                name: r.name.clone(),
                kind: kind_label(r.kind),
                created: When::of(r.created_at),
            })
            .collect(),
        total: page.total_count,
        pager: Pager::new(&page, |n| format!("/reports?page={n}")),
        can_create: permissions::holds(&actor, Action::ReportCreate).allowed,
        run_now: permissions::holds(&actor, Action::ReportTeam),
    }))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReportForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    assignee_id: String,
    #[serde(default)]
    initiative_id: String,
    /// The version the edit form was showing (`If-Match`).
    #[serde(default)]
    version: Option<String>,
}

impl ReportForm {
    /// The form's fields as `r` holds them (the edit form, and "theirs" in a conflict).
    fn of(r: &Report) -> Self {
        let p = |k: &str| {
            let v = r.parameters[k].as_str().unwrap_or_default();
            // Dates were saved as typed: a day, or a timestamp whose day the form shows.
            v.get(..10).unwrap_or(v).to_owned()
        };
        let id_param = |k: &str| r.parameters[k].as_str().unwrap_or_default().to_owned();
        Self {
            name: r.name.clone(),
            kind: r.kind.as_str().into(),
            from: p("from"),
            to: p("to"),
            assignee_id: id_param("assigneeId"),
            initiative_id: id_param("initiativeId"),
            version: Some(r.version.to_string()),
        }
    }

    /// Where `self` (typed) and `theirs` (saved) differ, by the labels the form shows.
    fn conflict(&self, theirs: &Self, by: Option<String>, names: &Directory) -> Conflict {
        let person = |id: &str| names.person(id).unwrap_or("anyone").to_owned();
        let initiative = |id: &str| names.initiative(id).unwrap_or("any").to_owned();
        Conflict::new(by, "this report")
            .field("Name", &theirs.name, &self.name)
            .field("Kind", &theirs.kind, &self.kind)
            .field("From", &theirs.from, &self.from)
            .field("To", &theirs.to, &self.to)
            .field(
                "Assignee",
                &person(&theirs.assignee_id),
                &person(&self.assignee_id),
            )
            .field(
                "Initiative",
                &initiative(&theirs.initiative_id),
                &initiative(&self.initiative_id),
            )
    }
}

#[derive(Template)]
#[template(path = "reports/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    values: ReportForm,
    kinds: Vec<(&'static str, &'static str)>,
    people: Vec<Choice>,
    initiatives: Vec<Choice>,
    form: FormState,
}

async fn show_form(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    edit: Option<(&str, &str)>,
    values: ReportForm,
    form: FormState,
) -> Result<Response, PageError> {
    let (heading, action, submit, cancel) = match edit {
        None => (
            "New report".to_owned(),
            "/reports".to_owned(),
            "Save report",
            "/reports".to_owned(),
        ),
        Some((id, name)) => (
            format!("Edit “{name}”"),
            format!("/reports/{id}"),
            "Save",
            format!("/reports/{id}"),
        ),
    };
    let names = names(state, ctx).await?;
    Ok(ctx.render_status(
        status,
        &FormPage {
            layout: ctx.layout(&heading),
            heading,
            action,
            submit,
            cancel,
            values,
            kinds: ReportKind::ALL
                .iter()
                .map(|k| (k.as_str(), kind_label(*k)))
                .collect(),
            people: names.people.clone(),
            initiatives: names.initiatives.clone(),
            form,
        },
    ))
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    permissions::require_action(&ctx.member()?.actor(), Action::ReportCreate)?;
    let values = ReportForm {
        kind: ReportKind::OneOnOneCadence.as_str().into(),
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

/// The parameters of the kind chosen; empty ones are left out.
fn parameters(f: &ReportForm) -> Value {
    let mut parameters = serde_json::Map::new();
    let mut put = |k: &str, v: &str| {
        if !v.trim().is_empty() {
            parameters.insert(k.into(), Value::String(v.trim().into()));
        }
    };
    if f.kind == ReportKind::OneOnOneCadence.as_str() {
        put("from", &f.from);
        put("to", &f.to);
    } else if f.kind == ReportKind::TaskStatus.as_str() {
        put("assigneeId", &f.assignee_id);
        put("initiativeId", &f.initiative_id);
    }
    Value::Object(parameters)
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<ReportForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let req = CreateReportRequest {
        name: Some(f.name.clone()),
        kind: Some(f.kind.clone()),
        parameters: Some(parameters(&f)),
    };
    match reports::create(&state, &actor, req).await {
        Ok(r) => Ok(ctx.redirect_with(
            &format!("/reports/{}", r.id),
            &format!("Report “{}” saved.", r.name),
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
    let id: ReportId = page_id(&raw)?;
    let r = reports::get(&state, &actor, &id).await?;
    permissions::require_on(&actor, Action::ReportEdit, &r.target())?;
    let values = ReportForm::of(&r);
    let id = r.id.to_string();
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        Some((&id, &r.name)),
        values,
        FormState::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<ReportForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: ReportId = page_id(&raw)?;
    let req = UpdateReportRequest {
        name: Some(f.name.clone()),
        kind: Some(f.kind.clone()),
        parameters: Some(parameters(&f)),
    };
    match reports::update(
        &state,
        &actor,
        &id,
        req,
        &shown_version(f.version.as_deref()),
    )
    .await
    {
        Ok(r) => Ok(ctx.redirect_with(&format!("/reports/{}", r.id), "Changes saved.")),
        Err(ApiError::Stale(_, by)) => {
            let now = reports::get(&state, &actor, &id).await?;
            let theirs = ReportForm::of(&now);
            let names = names(&state, &ctx).await?;
            let (status, form) = FormState::conflict(f.conflict(&theirs, by, &names));
            let f = ReportForm {
                version: theirs.version,
                ..f
            };
            let id = id.to_string();
            show_form(&state, &ctx, status, Some((&id, &now.name)), f, form).await
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, Some(<ReportId as PathId>::NOT_FOUND))?;
            let name = f.name.clone();
            let id = id.to_string();
            show_form(&state, &ctx, status, Some((&id, &name)), f, form).await
        }
    }
}

/// A cadence row as the page shows it.
pub struct CadenceRow {
    pub manager: String,
    pub report: String,
    pub cadence: String,
    pub last: Option<When>,
    pub next: Option<When>,
    pub count: u64,
    pub overdue: bool,
}

/// One assignee's task counts, in the order of `TaskStatus::ALL`.
pub struct StatusRow {
    pub assignee: String,
    pub counts: Vec<u64>,
    pub total: u64,
}

/// One bar of the chart, laid out on the server.
pub struct Bar {
    pub label: &'static str,
    pub count: u64,
    pub y: u32,
    pub width: u32,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "reports/report.html")]
struct ReportPage {
    layout: Layout,
    /// The saved report's id; `None` for a run of a kind (`/reports/run`).
    id: Option<String>,
    /// Where its CSV is.
    csv: String,
    name: String,
    /// For a manager's run: how many people their line holds.
    line: Option<usize>,
    kind: &'static str,
    is_cadence: bool,
    generated: When,
    period: Option<(When, When)>,
    cadence: Vec<CadenceRow>,
    overdue: usize,
    statuses: Vec<&'static str>,
    status_rows: Vec<StatusRow>,
    totals: Vec<u64>,
    bars: Vec<Bar>,
    chart_height: u32,
    can_edit: Allowed,
    can_delete: Allowed,
}

fn when(v: &Value) -> Option<When> {
    v.as_str().and_then(Timestamp::parse_rfc3339).map(When::of)
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Task counts pivoted: a row per assignee (unassigned first), a column per status.
fn pivot(rows: &[Value]) -> (Vec<StatusRow>, Vec<u64>) {
    let mut out: Vec<StatusRow> = vec![];
    let mut totals = vec![0; TaskStatus::ALL.len()];
    for r in rows {
        let assignee = r["assigneeName"]
            .as_str()
            .map_or_else(|| "Unassigned".to_owned(), str::to_owned);
        let Some(col) = TaskStatus::ALL
            .iter()
            .position(|s| Some(s.as_str()) == r["status"].as_str())
        else {
            continue;
        };
        let n = r["count"].as_u64().unwrap_or_default();
        if out.last().is_none_or(|l| l.assignee != assignee) {
            out.push(StatusRow {
                assignee,
                counts: vec![0; TaskStatus::ALL.len()],
                total: 0,
            });
        }
        if let Some(last) = out.last_mut() {
            last.counts[col] += n;
            last.total += n;
        }
        totals[col] += n;
    }
    (out, totals)
}

/// The chart's bars: one per status, as wide as its share of the largest.
fn bars(totals: &[u64]) -> Vec<Bar> {
    const WIDTH: u64 = 260;
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    TaskStatus::ALL
        .iter()
        .zip(totals)
        .enumerate()
        .map(|(i, (s, n))| Bar {
            label: task_status_label(*s),
            count: *n,
            y: i as u32 * 32,
            width: (n * WIDTH / max) as u32,
            class: s.as_str(),
        })
        .collect()
}

/// A member who may see a report but not run it is told why (managers run reports over
/// their own line, admins over everyone) rather than the API's bare refusal; `reports::run`
/// decides again.
async fn may_run(
    state: &AppState,
    actor: &manageros_core::authz::Actor,
    id: &ReportId,
) -> Result<(), PageError> {
    let saved = reports::get(state, actor, id).await?;
    if permissions::on(actor, Action::ReportAccess, &saved.target()).allowed {
        return Ok(());
    }
    let line = permissions::holds(actor, Action::ReportTeam);
    if line.allowed {
        Ok(())
    } else {
        // Through authz's refusal, so the audit log records it like any other.
        Err(ApiError::from(manageros_core::authz::Refusal::Forbidden(line.reason)).into())
    }
}

/// `/reports/{id}`: the report, run now.
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: ReportId = page_id(&raw)?;
    may_run(&state, &actor, &id).await?;
    let run = reports::run(&state, &actor, &id).await?;
    Ok(render_run(&ctx, &actor, run))
}

#[derive(Deserialize, Default)]
pub struct RunParams {
    #[serde(default)]
    kind: String,
}

fn run_now_request(p: RunParams) -> reports::RunNowRequest {
    reports::RunNowRequest {
        kind: Some(p.kind),
        parameters: None,
    }
}

/// `/reports/run?kind=…`: a report of a kind with its default parameters, run now over
/// everyone (admins) or the caller's own line (managers).
pub async fn run_now(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<RunParams>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let run = reports::run_now(&state, &actor, run_now_request(p)).await?;
    Ok(render_run(&ctx, &actor, run))
}

/// A run's title: the saved report's name, or what a run of a kind covers.
fn title(run: &Run) -> String {
    match (&run.report, run.line) {
        (Some(r), _) => r.name.clone(),
        (None, Some(_)) => format!("{} of your line", kind_label(run.kind)),
        (None, None) => kind_label(run.kind).to_owned(),
    }
}

fn render_run(ctx: &Ctx, actor: &manageros_core::authz::Actor, run: Run) -> Response {
    let is_cadence = run.kind == ReportKind::OneOnOneCadence;
    let cadence: Vec<CadenceRow> = if is_cadence {
        run.rows
            .iter()
            .map(|row| CadenceRow {
                manager: text(&row["managerName"]),
                report: text(&row["reportName"]),
                cadence: row["cadence"]
                    .as_str()
                    .and_then(|c| manageros_core::Cadence::parse(c).ok())
                    .map_or_else(|| "Not set".to_owned(), |c| c.label().to_owned()),
                last: when(&row["lastOneOnOneAt"]),
                next: when(&row["nextOneOnOneAt"]),
                count: row["countInPeriod"].as_u64().unwrap_or_default(),
                overdue: row["overdue"].as_bool().unwrap_or(false),
            })
            .collect()
    } else {
        vec![]
    };
    let (status_rows, totals) = if is_cadence {
        (vec![], vec![])
    } else {
        pivot(&run.rows)
    };
    let name = title(&run);
    let (can_edit, can_delete) = match &run.report {
        Some(r) => (
            permissions::on(actor, Action::ReportEdit, &r.target()),
            permissions::on(actor, Action::ReportDelete, &r.target()),
        ),
        None => (Allowed::no(), Allowed::no()),
    };
    ctx.render(&ReportPage {
        layout: ctx.layout(&name),
        id: run.report.as_ref().map(|r| r.id.to_string()),
        csv: match &run.report {
            Some(r) => format!("/reports/{}/csv", r.id),
            None => format!("/reports/run/csv?kind={}", run.kind.as_str()),
        },
        name,
        line: run.line,
        kind: kind_label(run.kind),
        is_cadence,
        generated: When::of(run.generated_at),
        period: when(&run.scope["from"]).zip(when(&run.scope["to"])),
        overdue: cadence.iter().filter(|c| c.overdue).count(),
        cadence,
        statuses: TaskStatus::ALL
            .iter()
            .map(|s| task_status_label(*s))
            .collect(),
        bars: bars(&totals),
        chart_height: TaskStatus::ALL.len() as u32 * 32,
        status_rows,
        totals,
        can_edit,
        can_delete,
    })
}

/// A cell as a spreadsheet will read it: text that a spreadsheet would take for a formula
/// (a name starting with `=`, `+`, `-` or `@`) is prefixed with `'`.
fn cell(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

/// How a CSV column reads a row's value.
#[derive(Clone, Copy)]
enum Col {
    Text,
    /// A cadence's name, shown by its label ("Every two weeks").
    Cadence,
    /// A task status, by its label ("In progress").
    Status,
    YesNo,
    /// An instant: two columns, the reader's local time and ISO 8601.
    Time,
}

/// The report as CSV for a person: readable headers, times in `zone` (`YYYY-MM-DD HH:MM`),
/// each followed by the same instant in ISO 8601 for programs.
fn csv_of(run: &Run, zone: Option<&str>) -> Result<Vec<u8>, ApiError> {
    use manageros_core::recurrence;
    let tz = zone
        .and_then(recurrence::parse_tz)
        .unwrap_or(recurrence::Tz::UTC);
    let columns: Vec<(&str, &str, Col)> = match run.kind {
        ReportKind::OneOnOneCadence => vec![
            ("managerName", "Manager", Col::Text),
            ("reportName", "Report", Col::Text),
            ("cadence", "Cadence", Col::Cadence),
            ("overdue", "Overdue", Col::YesNo),
            ("lastOneOnOneAt", "Last one-on-one", Col::Time),
            ("nextOneOnOneAt", "Next one-on-one", Col::Time),
            ("proposedNextAt", "Proposed next", Col::Time),
            ("countInPeriod", "One-on-ones in the period", Col::Text),
        ],
        ReportKind::TaskStatus => vec![
            ("assigneeName", "Assignee", Col::Text),
            ("status", "Status", Col::Status),
            ("count", "Tasks", Col::Text),
        ],
    };
    let mut header = vec![];
    for (_, name, col) in &columns {
        match col {
            Col::Time => {
                header.push(format!("{name} ({})", tz.name()));
                header.push(format!("{name} (ISO 8601)"));
            }
            _ => header.push((*name).to_owned()),
        }
    }
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(&header).map_err(ApiError::internal)?;
    for row in &run.rows {
        let mut record = vec![];
        for (key, _, col) in &columns {
            let v = &row[*key];
            match col {
                Col::Text => record.push(cell(v)),
                Col::Cadence => record.push(
                    v.as_str()
                        .and_then(|c| manageros_core::Cadence::parse(c).ok())
                        .map_or_else(|| cell(v), |c| c.label().to_owned()),
                ),
                Col::Status => record.push(
                    v.as_str()
                        .and_then(|st| TaskStatus::parse(st).ok())
                        .map_or_else(|| cell(v), |st| task_status_label(st).to_owned()),
                ),
                Col::YesNo => record.push(
                    match v.as_bool() {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "",
                    }
                    .to_owned(),
                ),
                Col::Time => {
                    let at = v.as_str().and_then(Timestamp::parse_rfc3339);
                    record.push(at.map_or_else(String::new, |t| {
                        recurrence::local(tz, t)
                            .format("%Y-%m-%d %H:%M")
                            .to_string()
                    }));
                    record.push(cell(v));
                }
            }
        }
        w.write_record(&record).map_err(ApiError::internal)?;
    }
    w.into_inner()
        .map_err(|e| ApiError::internal(e.into_error()))
}

/// `/reports/{id}/csv`: the report, run now, as CSV.
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: ReportId = page_id(&raw)?;
    may_run(&state, &actor, &id).await?;
    let run = reports::run(&state, &actor, &id).await?;
    csv_response(&state, &actor, run).await
}

/// `/reports/run/csv?kind=…`: a run of a kind as CSV.
pub async fn run_now_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<RunParams>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let run = reports::run_now(&state, &actor, run_now_request(p)).await?;
    csv_response(&state, &actor, run).await
}

async fn csv_response(
    state: &AppState,
    actor: &manageros_core::authz::Actor,
    run: Run,
) -> Result<Response, PageError> {
    // Times as the reader reads them: in their own zone (My account), UTC without one.
    let zone = crate::services::notify::settings(state, actor)
        .await?
        .time_zone;
    let body = csv_of(&run, zone.as_deref())?;
    let file: String = title(&run)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-{}.csv\"",
        file.trim_matches('-'),
        &run.generated_at.to_rfc3339()[..10]
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: ReportId = page_id(&raw)?;
    reports::delete(&state, &actor, &id).await?;
    Ok(ctx.redirect_with("/reports", "Report deleted."))
}
