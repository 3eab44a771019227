//! `/api/reports` (docs/API.md §8): every member sees the saved reports; admins create, change,
//! delete and run them.

use crate::{
    access,
    api::{
        meetings::PageQuery,
        schema::{PaginationView, page_from},
    },
    error::{ApiError, ErrorBody, FieldErrors},
    extract::{AppJson, AppPath, AppQuery, CurrentUser},
    services::reports,
    state::AppState,
    validate,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::{
    Invalid, ReportKind,
    authz::{self, Action},
    bounded_text,
};
use manageros_store::repo::reports::{self as repo, Report};
use serde::{Deserialize, Serialize};
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

/// The organization's saved reports, newest first (report.view).
#[utoipa::path(get, path = "/api/reports", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(PageQuery),
    responses((status = 200, body = ReportsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<PageQuery>,
) -> Result<AppJson<ReportsResponse>, ApiError> {
    let actor = caller.actor();
    let org = access::org_for(&actor, Action::ReportView)?;
    authz::authorize_general(&actor, Action::ReportView, None)?;
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    errors.finish()?;
    let (list, total) = repo::list(&state.db, &org, page).await?;
    Ok(AppJson(ReportsResponse {
        reports: list.iter().map(ReportView::from).collect(),
        pagination: page.info(total).into(),
    }))
}

/// A saved report (report.view).
#[utoipa::path(get, path = "/api/reports/{id}", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ReportResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<ReportResponse>, ApiError> {
    let (_, r) = reports::authorized(&state.db, &caller.actor(), &id, Action::ReportView).await?;
    Ok(AppJson(ReportResponse {
        report: ReportView::from(&r),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateReportRequest {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// `oneonone-cadence`: `{from?, to?}` (dates or timestamps; default the last 90 days).
    /// `task-status`: `{assigneeId?, initiativeId?}`.
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<serde_json::Value>,
}

fn name(raw: Option<&str>) -> Result<String, Invalid> {
    bounded_text(raw.unwrap_or_default(), "Name", 1, 200)
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
    let actor = caller.actor();
    access::org_for(&actor, Action::ReportCreate)?;
    authz::authorize_general(&actor, Action::ReportCreate, None)?;
    validate! {
        name = "name": name(body.name.as_deref()),
        kind = "kind": ReportKind::parse(body.kind.as_deref().unwrap_or_default()),
    }
    let r = reports::create(
        &state,
        &actor,
        &caller.user.id,
        name,
        kind,
        body.parameters.unwrap_or_default(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        AppJson(ReportResponse {
            report: ReportView::from(&r),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateReportRequest {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// Replaces the parameters.
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<serde_json::Value>,
}

/// Change a saved report (report.edit: admins).
#[utoipa::path(patch, path = "/api/reports/{id}", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = UpdateReportRequest,
    responses((status = 200, body = ReportResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_report(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<UpdateReportRequest>,
) -> Result<AppJson<ReportResponse>, ApiError> {
    let actor = caller.actor();
    reports::authorized(&state.db, &actor, &id, Action::ReportEdit).await?;
    validate! {
        name = "name": body.name.as_deref().map(|n| name(Some(n))).transpose(),
        kind = "kind": body.kind.as_deref().map(ReportKind::parse).transpose(),
    }
    let r = reports::update(&state, &actor, &id, name, kind, body.parameters).await?;
    Ok(AppJson(ReportResponse {
        report: ReportView::from(&r),
    }))
}

/// Delete a saved report (report.delete: admins).
#[utoipa::path(delete, path = "/api/reports/{id}", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_report(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    reports::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunResponse {
    pub report: ReportView,
    #[schema(format = DateTime)]
    pub generated_at: String,
    /// What the run covered (e.g. the period of a cadence report).
    #[schema(value_type = Object)]
    pub scope: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Value>,
}

/// Run a saved report (report.access: admins).
#[utoipa::path(post, path = "/api/reports/{id}/run", tag = "reports",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = RunResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn run_report(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<RunResponse>, ApiError> {
    let run = reports::run(&state, &caller.actor(), &id).await?;
    Ok(AppJson(RunResponse {
        report: ReportView::from(&run.report),
        generated_at: run.generated_at.to_rfc3339(),
        scope: run.scope,
        rows: run.rows,
    }))
}
