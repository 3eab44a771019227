//! `/api/reports` (docs/API.md §8): the JSON front end of `services::reports`. Every member
//! sees the saved reports; admins create, change and delete them. Running one covers
//! everyone for an admin and the caller's own reporting line for a manager (report.team).

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, CurrentUser, Id, IfMatch, Paging},
    schema::PaginationView,
    services::reports::{self, CreateReportRequest, RunNowRequest, UpdateReportRequest},
    state::AppState,
    versioned::{IfMatchHeader, Stale, Versioned, answer},
};
use axum::{extract::State, http::StatusCode, response::Response};
use manageros_core::ReportId;
use manageros_store::repo::reports::Report;
use serde::Serialize;
use utoipa::ToSchema;

/// A saved report.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportView {
    pub id: String,
    pub name: String,
    /// `oneonone-cadence` or `task-status`.
    pub kind: &'static str,
    #[schema(value_type = Object)]
    pub parameters: serde_json::Value,
    pub created_by_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
}

impl From<&Report> for ReportView {
    fn from(r: &Report) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name.clone(),
            kind: r.kind.as_str(),
            parameters: r.parameters.clone(),
            created_by_id: r.created_by.to_string(),
            created_at: r.created_at.to_rfc3339(),
            updated_at: r.updated_at.to_rfc3339(),
            version: r.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportResponse {
    pub report: ReportView,
}

#[derive(Serialize, ToSchema)]
pub struct ReportsResponse {
    pub reports: Vec<ReportView>,
    pub pagination: PaginationView,
}

impl From<&Report> for ReportResponse {
    fn from(r: &Report) -> Self {
        Self {
            report: ReportView::from(r),
        }
    }
}

/// The organization's saved reports, newest first (report.view).
#[utoipa::path(get, path = "/api/reports", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(Paging),
    responses((status = 200, body = ReportsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
) -> Result<AppJson<ReportsResponse>, ApiError> {
    let (list, page) = reports::list(&state, &caller.actor(), &paging).await?;
    Ok(AppJson(ReportsResponse {
        reports: list.iter().map(ReportView::from).collect(),
        pagination: page.into(),
    }))
}

/// A saved report (report.view).
#[utoipa::path(get, path = "/api/reports/{id}", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ReportResponse, headers(("ETag" = String, description = "Its version, for If-Match on a change"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<ReportId>,
) -> Result<Versioned<ReportResponse>, ApiError> {
    let r = reports::get(&state, &caller.actor(), &id).await?;
    Ok(Versioned(r.version, ReportResponse::from(&r)))
}

/// Save a report (report.create: admins).
#[utoipa::path(post, path = "/api/reports", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateReportRequest,
    responses((status = 201, body = ReportResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_report(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreateReportRequest>,
) -> Result<(StatusCode, AppJson<ReportResponse>), ApiError> {
    let r = reports::create(&state, &caller.actor(), body).await?;
    Ok((StatusCode::CREATED, AppJson(ReportResponse::from(&r))))
}

/// Change a saved report (report.edit: admins).
#[utoipa::path(patch, path = "/api/reports/{id}", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = UpdateReportRequest,
    responses((status = 200, body = ReportResponse, headers(("ETag" = String, description = "Its new version"))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<ReportResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_report(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<ReportId>,
    if_match: IfMatch,
    AppJson(body): AppJson<UpdateReportRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = reports::update(&state, &actor, &id, body, &if_match).await;
    answer(
        changed,
        |r| Versioned(r.version, ReportResponse::from(r)),
        || reports::get(&state, &actor, &id),
    )
    .await
}

/// Delete a saved report (report.delete: admins).
#[utoipa::path(delete, path = "/api/reports/{id}", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_report(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<ReportId>,
) -> Result<StatusCode, ApiError> {
    reports::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunResponse {
    /// The saved report run; `null` for `POST /api/reports/run`.
    pub report: Option<ReportView>,
    /// `oneonone-cadence` or `task-status`.
    pub kind: &'static str,
    #[schema(format = DateTime)]
    pub generated_at: String,
    /// What the run covered: the period of a cadence report, the parameters of a task-status
    /// one, and for a manager `line: {managerId, people}`, the reporting line the rows are
    /// limited to.
    #[schema(value_type = Object)]
    pub scope: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Value>,
}

impl From<reports::Run> for RunResponse {
    fn from(run: reports::Run) -> Self {
        Self {
            report: run.report.as_ref().map(ReportView::from),
            kind: run.kind.as_str(),
            generated_at: run.generated_at.to_rfc3339(),
            scope: run.scope,
            rows: run.rows,
        }
    }
}

/// Run a saved report: an admin's run covers everyone (report.access), a manager's the
/// people who report to them, directly or not (report.team).
#[utoipa::path(post, path = "/api/reports/{id}/run", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = RunResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn run_report(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<ReportId>,
) -> Result<AppJson<RunResponse>, ApiError> {
    let run = reports::run(&state, &caller.actor(), &id).await?;
    Ok(AppJson(run.into()))
}

/// Run a report of a kind without saving it (report.team): an admin over everyone, a manager
/// over their own reporting line.
#[utoipa::path(post, path = "/api/reports/run", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    request_body = RunNowRequest,
    responses((status = 200, body = RunResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn run_now(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(input): AppJson<RunNowRequest>,
) -> Result<AppJson<RunResponse>, ApiError> {
    let run = reports::run_now(&state, &caller.actor(), input).await?;
    Ok(AppJson(run.into()))
}
