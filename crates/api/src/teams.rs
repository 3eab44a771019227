//! `/api/teams`: the organization's teams (docs/API.md §5). Any member reads; admins write.

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppPath, AppQuery, CurrentUser, Paging},
    schema::{PaginationView, TeamView},
    services::teams::{self, CreateTeamRequest, TeamsQuery, UpdateTeamRequest},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use manageros_store::repo::teams::Team;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct TeamsResponse {
    pub teams: Vec<TeamView>,
    pub pagination: PaginationView,
}

#[derive(Serialize, ToSchema)]
pub struct TeamResponse {
    pub team: TeamView,
}

impl From<&Team> for TeamResponse {
    fn from(t: &Team) -> Self {
        Self {
            team: TeamView::from(t),
        }
    }
}

/// The organization's teams, by name.
#[utoipa::path(get, path = "/api/teams", tag = "teams",
    security(("bearer" = []), ("cookie" = [])),
    params(TeamsQuery, Paging),
    responses((status = 200, body = TeamsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_teams(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(q): AppQuery<TeamsQuery>,
) -> Result<AppJson<TeamsResponse>, ApiError> {
    let (list, page) = teams::list(&state, &caller.actor(), q, &paging).await?;
    Ok(AppJson(TeamsResponse {
        teams: list.iter().map(TeamView::from).collect(),
        pagination: page.into(),
    }))
}

#[utoipa::path(get, path = "/api/teams/{id}", tag = "teams",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TeamResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_team(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<TeamResponse>, ApiError> {
    let team = teams::get(&state, &caller.actor(), &id).await?;
    Ok(AppJson(TeamResponse::from(&team)))
}

/// Create a team (admins).
#[utoipa::path(post, path = "/api/teams", tag = "teams",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateTeamRequest,
    responses((status = 201, body = TeamResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_team(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreateTeamRequest>,
) -> Result<(StatusCode, AppJson<TeamResponse>), ApiError> {
    let team = teams::create(&state, &caller.actor(), body).await?;
    Ok((StatusCode::CREATED, AppJson(TeamResponse::from(&team))))
}

/// Change some of a team's fields (admins); `null` clears an optional one.
#[utoipa::path(patch, path = "/api/teams/{id}", tag = "teams",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = UpdateTeamRequest,
    responses((status = 200, body = TeamResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_team(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<UpdateTeamRequest>,
) -> Result<AppJson<TeamResponse>, ApiError> {
    let team = teams::update(&state, &caller.actor(), &id, body).await?;
    Ok(AppJson(TeamResponse::from(&team)))
}

/// Delete a team (admins); refused while it has members or child teams.
#[utoipa::path(delete, path = "/api/teams/{id}", tag = "teams",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_team(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    teams::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
