//! `/api/teams`: the organization's teams (docs/API.md §5). Any member reads; admins write.

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppPath, AppQuery, CurrentUser, IfMatch, Paging},
    schema::{PaginationView, TeamView},
    services::teams::{self, CreateTeamRequest, TeamsQuery, UpdateTeamRequest},
    state::AppState,
    versioned::{IfMatchHeader, Stale, Versioned, answer},
};
use axum::{extract::State, http::StatusCode, response::Response};
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
    responses((status = 200, body = TeamResponse, headers(("ETag" = String, description = "Its version, for If-Match on a change"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_team(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<Versioned<TeamResponse>, ApiError> {
    let team = teams::get(&state, &caller.actor(), &id).await?;
    Ok(Versioned(team.version, TeamResponse::from(&team)))
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
    params(("id" = String, Path), IfMatchHeader),
    request_body = UpdateTeamRequest,
    responses((status = 200, body = TeamResponse, headers(("ETag" = String, description = "Its new version"))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<TeamResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_team(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    if_match: IfMatch,
    AppJson(body): AppJson<UpdateTeamRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = teams::update(&state, &actor, &id, body, &if_match).await;
    answer(
        changed,
        |t| Versioned(t.version, TeamResponse::from(t)),
        || teams::get(&state, &actor, &id),
    )
    .await
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
