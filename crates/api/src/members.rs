//! Members of the caller's organization (admins): list, role, removal, and linking users to
//! people (docs/API.md §4).

use crate::services::input;
use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppPath, CurrentUser},
    schema::MemberView,
    services::members,
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MembersResponse {
    pub members: Vec<MemberView>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberResponse {
    pub member: MemberView,
}

/// The organization's members, by name.
#[utoipa::path(get, path = "/api/organization/members", tag = "members",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = MembersResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<MembersResponse>, ApiError> {
    let list = members::list(&state, &caller.user).await?;
    Ok(AppJson(MembersResponse {
        members: list.iter().map(MemberView::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ChangeRoleRequest {
    /// `ADMIN` or `USER`.
    #[schema(value_type = input::Role, inline, required = true)]
    pub role: Option<String>,
}

/// Change a member's role. An organization always keeps at least one admin.
#[utoipa::path(patch, path = "/api/organization/members/{userId}", tag = "members",
    security(("bearer" = []), ("cookie" = [])),
    params(("userId" = String, Path)),
    request_body = ChangeRoleRequest,
    responses((status = 200, body = MemberResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn change_role(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(user_id): AppPath<String>,
    AppJson(body): AppJson<ChangeRoleRequest>,
) -> Result<AppJson<MemberResponse>, ApiError> {
    let member = members::change_role(&state, &caller.user, &user_id, body.role.as_deref()).await?;
    Ok(AppJson(MemberResponse {
        member: MemberView::from(&member),
    }))
}

/// Remove a member: they leave the organization, unlinked from their person, as USER.
#[utoipa::path(delete, path = "/api/organization/members/{userId}", tag = "members",
    security(("bearer" = []), ("cookie" = [])),
    params(("userId" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(user_id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    members::remove(&state, &caller.user, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave my organization (any member but its last admin): unlinked from my person, as USER.
#[utoipa::path(post, path = "/api/organization/leave", tag = "members",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The last admin cannot leave")))]
pub async fn leave_organization(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<StatusCode, ApiError> {
    members::leave(&state, &caller.user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct LinkableUserView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct LinkableUsersResponse {
    pub users: Vec<LinkableUserView>,
}

/// Members not linked to any person.
#[utoipa::path(get, path = "/api/organization/linkable-users", tag = "members",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = LinkableUsersResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn linkable_users(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<LinkableUsersResponse>, ApiError> {
    let list = members::linkable_users(&state, &caller.user).await?;
    Ok(AppJson(LinkableUsersResponse {
        users: list
            .iter()
            .map(|u| LinkableUserView {
                id: u.id.to_string(),
                name: u.name.clone(),
                email: u.email.to_string(),
                role: u.role.as_str(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkPersonRequest {
    #[schema(value_type = input::Id, inline, required = true)]
    pub person_id: Option<String>,
}

/// Link a member to a person of the organization.
#[utoipa::path(put, path = "/api/organization/members/{userId}/person", tag = "members",
    security(("bearer" = []), ("cookie" = [])),
    params(("userId" = String, Path)),
    request_body = LinkPersonRequest,
    responses((status = 200, body = MemberResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn link_person(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(user_id): AppPath<String>,
    AppJson(body): AppJson<LinkPersonRequest>,
) -> Result<AppJson<MemberResponse>, ApiError> {
    let member = members::link(&state, &caller.user, &user_id, body.person_id.as_deref()).await?;
    Ok(AppJson(MemberResponse {
        member: MemberView::from(&member),
    }))
}

/// Unlink a member from their person.
#[utoipa::path(delete, path = "/api/organization/members/{userId}/person", tag = "members",
    security(("bearer" = []), ("cookie" = [])),
    params(("userId" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn unlink_person(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(user_id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    members::unlink(&state, &caller.user, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
