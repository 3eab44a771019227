//! `/api/organizations`, `/api/organization`: creating and reading the caller's organization
//! (docs/API.md §4).

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, CurrentUser},
    schema::OrganizationDetailView,
    services::organizations::{self, CreateOrganizationRequest},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct OrganizationResponse {
    pub organization: OrganizationDetailView,
}

/// Create an organization; the caller becomes its first admin.
#[utoipa::path(post, path = "/api/organizations", tag = "organizations",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateOrganizationRequest,
    responses(
        (status = 201, body = OrganizationResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "User already belongs to an organization / Organization slug already exists"),
    ))]
pub async fn create_organization(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreateOrganizationRequest>,
) -> Result<(StatusCode, AppJson<OrganizationResponse>), ApiError> {
    let org = organizations::create(&state, &caller.user, body).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(OrganizationResponse {
            organization: OrganizationDetailView::from(&org),
        }),
    ))
}

/// The caller's organization.
#[utoipa::path(get, path = "/api/organization", tag = "organizations",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = OrganizationResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_organization(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<OrganizationResponse>, ApiError> {
    let org = organizations::get(&state, &caller.user).await?;
    Ok(AppJson(OrganizationResponse {
        organization: OrganizationDetailView::from(&org),
    }))
}
