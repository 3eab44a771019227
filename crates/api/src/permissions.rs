//! `/api/me/permissions`: what the caller may do (Settings → Permissions), and a check of one
//! action on one entity, with the reason (docs/API.md §3, §7).

use crate::services::input;
use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppQuery, CurrentUser},
    services::permissions,
    state::AppState,
};
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PermissionView {
    pub action: &'static str,
    /// For an action on one entity: whether the caller holds it on every such entity of the
    /// organization; otherwise it depends on the entity ("conditional").
    pub has_access: bool,
    pub requires_id: bool,
    /// Why, as a sentence: for a conditional action, the condition ("Only the creator or the
    /// assignee can edit this task").
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct PermissionsResponse {
    pub permissions: Vec<PermissionView>,
}

/// The 39 actions of the permission system, in order, and whether the caller holds each.
#[utoipa::path(get, path = "/api/me/permissions", tag = "permissions",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = PermissionsResponse), (status = 401, body = ErrorBody)))]
pub async fn my_permissions(caller: CurrentUser) -> AppJson<PermissionsResponse> {
    AppJson(PermissionsResponse {
        permissions: permissions::all(&caller.actor())
            .into_iter()
            .map(|h| PermissionView {
                action: h.action.as_str(),
                has_access: h.has_access,
                requires_id: h.action.requires_id(),
                reason: h.reason,
            })
            .collect(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// One of the 39 actions, e.g. `task.edit`.
    #[param(value_type = input::ActionName, inline)]
    pub action: Option<String>,
    /// The entity (for `meeting-instance.create`, the meeting). Ignored by actions about no
    /// entity.
    pub id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckResponse {
    pub action: String,
    pub id: Option<String>,
    pub allowed: bool,
    /// A sentence a person can read.
    pub reason: String,
}

/// Whether the caller may perform `action` (on entity `id`), and why.
#[utoipa::path(get, path = "/api/me/permissions/check", tag = "permissions",
    security(("bearer" = []), ("cookie" = [])),
    params(CheckQuery),
    responses((status = 200, body = CheckResponse), (status = 400, body = ErrorBody, description = "Unknown action"), (status = 401, body = ErrorBody)))]
pub async fn check_permission(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<CheckQuery>,
) -> Result<AppJson<CheckResponse>, ApiError> {
    let id = q.id.filter(|i| !i.trim().is_empty());
    let c = permissions::check(&state, &caller.actor(), q.action.as_deref(), id.as_deref()).await?;
    Ok(AppJson(CheckResponse {
        action: c.action.as_str().to_owned(),
        id,
        allowed: c.allowed,
        reason: c.reason,
    }))
}
