//! `/api/me`: the caller (api.md §3).

use crate::{
    api::schema::{OrganizationView, PersonView, UserView},
    error::{ApiError, ErrorBody},
    extract::{AppJson, CurrentUser},
    state::AppState,
};
use axum::extract::State;
use manageros_store::repo::{orgs, persons};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub organization: Option<OrganizationView>,
    pub person: Option<PersonView>,
}

/// The caller, their organization and the person they are linked to (getCurrentUserWithPerson).
#[utoipa::path(get, path = "/api/me", tag = "me",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn get_me(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<MeResponse>, ApiError> {
    let user = &caller.user;
    let (organization, person) = match &user.organization_id {
        Some(org_id) => {
            let org = orgs::find(&state.db, org_id).await?;
            let person = match &user.person_id {
                Some(pid) => persons::find(&state.db, org_id, pid).await?,
                None => None,
            };
            (org, person)
        }
        None => (None, None),
    };
    Ok(AppJson(MeResponse {
        user: UserView::from(user),
        organization: organization.as_ref().map(OrganizationView::from),
        person: person.as_ref().map(PersonView::from),
    }))
}
