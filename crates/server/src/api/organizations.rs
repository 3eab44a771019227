//! `/api/organizations`, `/api/organization`: creating and reading the caller's organization
//! (docs/API.md §4).

use crate::{
    api::schema::OrganizationDetailView,
    error::{ApiError, ErrorBody},
    extract::{AppJson, CurrentUser},
    services::organizations,
    state::AppState,
    validate,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::{
    Name, Slug,
    authz::{self, OrgAction},
};
use manageros_store::repo::orgs;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct CreateOrganizationRequest {
    pub name: Option<String>,
    /// 2–50 characters of `[a-z0-9-]`, no leading, trailing or doubled hyphen.
    pub slug: Option<String>,
}

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
    validate! {
        name = "name": Name::parse(body.name.as_deref().unwrap_or_default()),
        slug = "slug": Slug::parse(body.slug.as_deref().unwrap_or_default()),
    }
    let org = organizations::create(&state, &caller.user.id, name, slug).await?;
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
    let org_id = authz::authorize_org(&caller.actor(), OrgAction::ViewOrganization)?;
    let org = orgs::find(&state.db, &org_id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("member of a missing organization")))?;
    Ok(AppJson(OrganizationResponse {
        organization: OrganizationDetailView::from(&org),
    }))
}
