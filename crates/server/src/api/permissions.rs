//! `/api/me/permissions`: what the caller may do (Settings → Permissions), and a check of one
//! action on one entity, with the reason (docs/API.md §3, §7).

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppQuery, CurrentUser},
    services::targets,
    state::AppState,
};
use axum::extract::State;
use manageros_core::authz::{self, Action, Refusal};
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
}

#[derive(Serialize, ToSchema)]
pub struct PermissionsResponse {
    pub permissions: Vec<PermissionView>,
}

/// The 34 actions of the permission system, in order, and whether the caller holds each.
#[utoipa::path(get, path = "/api/me/permissions", tag = "permissions",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = PermissionsResponse), (status = 401, body = ErrorBody)))]
pub async fn my_permissions(caller: CurrentUser) -> AppJson<PermissionsResponse> {
    let actor = caller.actor();
    AppJson(PermissionsResponse {
        permissions: Action::ALL
            .iter()
            .map(|&a| PermissionView {
                action: a.as_str(),
                has_access: authz::decide(&actor, a, None).allowed,
                requires_id: a.requires_id(),
            })
            .collect(),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// One of the 34 actions, e.g. `task.edit`.
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
    let raw_action = q.action.unwrap_or_default();
    let action = Action::parse(raw_action.trim()).ok_or_else(|| {
        ApiError::invalid("action", format!("Unknown action: {:?}", raw_action.trim()))
    })?;
    let actor = caller.actor();
    let id = q.id.filter(|i| !i.trim().is_empty());
    let (allowed, reason) = match (&id, targets::kind_of_id(action), &actor.org_id) {
        (Some(raw), Some(kind), Some(org)) => match targets::load(&state.db, org, kind, raw).await?
        {
            None => (false, kind.not_found_message().to_owned()),
            Some(target) => {
                // The same answer the endpoints give: an entity the caller may not see is
                // reported as not found, never described.
                let result = if action == Action::MeetingInstanceCreate {
                    authz::authorize_general(&actor, action, Some(&target))
                } else {
                    authz::authorize(&actor, action, &target)
                };
                match result {
                    Ok(d) => (true, d.reason.into_owned()),
                    Err(Refusal::NotFound(m)) => (false, m.to_owned()),
                    Err(Refusal::Forbidden(_)) => (
                        false,
                        authz::decide(&actor, action, Some(&target))
                            .reason
                            .into_owned(),
                    ),
                }
            }
        },
        _ => {
            let d = authz::decide(&actor, action, None);
            (d.allowed, d.reason.into_owned())
        }
    };
    Ok(AppJson(CheckResponse {
        action: action.as_str().to_owned(),
        id,
        allowed,
        reason,
    }))
}
