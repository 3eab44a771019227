//! `/api/teams`: the organization's teams (docs/API.md §5). Any member reads; admins write.

use crate::{
    api::schema::{PaginationView, TeamView, optional_text, page_from, search_from},
    error::{ApiError, ErrorBody, FieldErrors},
    extract::{AppJson, AppPath, AppQuery, CurrentUser},
    patch::{Patch, required},
    services::teams::{self, NOT_FOUND, PARENT_NOT_FOUND, TeamPatch},
    state::AppState,
    validate,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::{
    Name, TeamId,
    authz::{self, OrgAction},
};
use manageros_store::repo::teams::{self as repo, TeamFields, TeamFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TeamsQuery {
    pub search: Option<String>,
    pub parent_id: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamsResponse {
    pub teams: Vec<TeamView>,
    pub pagination: PaginationView,
}

#[derive(Serialize, ToSchema)]
pub struct TeamResponse {
    pub team: TeamView,
}

fn team_id(raw: &str) -> Result<TeamId, ApiError> {
    TeamId::parse(raw.trim()).ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

fn parent_id(raw: &str) -> Result<TeamId, ApiError> {
    TeamId::parse(raw.trim()).ok_or_else(|| ApiError::not_found(PARENT_NOT_FOUND))
}

/// The organization's teams, by name.
#[utoipa::path(get, path = "/api/teams", tag = "teams",
    security(("bearer" = []), ("cookie" = [])),
    params(TeamsQuery),
    responses((status = 200, body = TeamsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_teams(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<TeamsQuery>,
) -> Result<AppJson<TeamsResponse>, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewTeams)?;
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    let search = search_from(q.search.as_deref(), &mut errors);
    errors.finish()?;
    let parent = q.parent_id.as_deref().map(TeamId::parse);
    let (list, total) = match parent {
        Some(None) => (vec![], 0),
        parent => {
            repo::list(
                &state.db,
                &org,
                &TeamFilter {
                    search,
                    parent_id: parent.flatten(),
                },
                page,
            )
            .await?
        }
    };
    Ok(AppJson(TeamsResponse {
        teams: list.iter().map(TeamView::from).collect(),
        pagination: page.info(total).into(),
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
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewTeams)?;
    let team = repo::find(&state.db, &org, &team_id(&id)?)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    Ok(AppJson(TeamResponse {
        team: TeamView::from(&team),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTeamRequest {
    pub name: Option<String>,
    pub description: Option<String>,
    pub parent_id: Option<String>,
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
    let org = authz::authorize_org(&caller.actor(), OrgAction::CreateTeam)?;
    validate! {
        name = "name": Name::parse(body.name.as_deref().unwrap_or_default()),
        description = "description": optional_text(body.description.as_deref(), "Description", 2000),
    }
    let parent_id = match body.parent_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(parent_id(p)?),
    };
    let fields = TeamFields {
        name: name.into_string(),
        description,
        parent_id,
    };
    let team = teams::create(&state, &org, fields).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(TeamResponse {
            team: TeamView::from(&team),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTeamRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub parent_id: Patch<String>,
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
    let org = authz::authorize_org(&caller.actor(), OrgAction::UpdateTeam)?;
    let id = team_id(&id)?;
    validate! {
        name = "name": required(body.name, "Name", |n| Name::parse(&n)),
        description = "description": body.description.try_map(|d| optional_text(Some(&d), "Description", 2000)),
    }
    let patch = TeamPatch {
        name: name.map(Name::into_string),
        description: description.flatten(),
        parent_id: body.parent_id,
    };
    let team = teams::update(&state, &org, &id, patch).await?;
    Ok(AppJson(TeamResponse {
        team: TeamView::from(&team),
    }))
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
    let org = authz::authorize_org(&caller.actor(), OrgAction::DeleteTeam)?;
    teams::delete(&state, &org, &team_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
