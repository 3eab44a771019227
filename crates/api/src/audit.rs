//! `/api/organization/audit-log`: the organization's security events (admins).

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppQuery, CurrentUser, Paging},
    schema::PaginationView,
    services::audit::{self, AuditQuery},
    state::AppState,
};
use axum::extract::State;
use manageros_store::repo::audit::{Event, Named};
use serde::Serialize;
use utoipa::ToSchema;

/// A user named in an event, as they are now.
#[derive(Serialize, ToSchema)]
pub struct AuditUserView {
    pub id: String,
    pub name: String,
    pub email: String,
}

impl From<Named> for AuditUserView {
    fn from(n: Named) -> Self {
        Self {
            id: n.id.to_string(),
            name: n.name,
            email: n.email,
        }
    }
}

/// One security event.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventView {
    pub id: String,
    #[schema(format = DateTime)]
    pub at: String,
    /// `sign_in_failed`, `role_changed`, `member_removed`, `member_left`, `person_linked`,
    /// `person_unlinked`, `invitation_sent`, `invitation_revoked`, `invitation_reactivated`,
    /// `invitation_accepted`, `oneonone_admin_access` or `permission_denied`.
    pub kind: &'static str,
    /// Who did it (none for a failed sign-in).
    pub actor: Option<AuditUserView>,
    /// The user it happened to, if any.
    pub subject: Option<AuditUserView>,
    /// The id of what it was about (an invitation, a person, a one-on-one), if any.
    pub target_id: Option<String>,
    /// What happened, in a sentence.
    pub detail: String,
    /// The client address, where it matters (a failed sign-in, a refusal).
    pub address: Option<String>,
}

impl From<Event> for AuditEventView {
    fn from(e: Event) -> Self {
        Self {
            id: e.id.to_string(),
            at: e.at.to_rfc3339(),
            kind: e.kind.as_str(),
            actor: e.actor.map(Into::into),
            subject: e.subject.map(Into::into),
            target_id: e.target,
            detail: e.detail,
            address: e.address,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditLogResponse {
    pub events: Vec<AuditEventView>,
    pub pagination: PaginationView,
}

/// The organization's audit log of security events, newest first (admins). Events older than
/// the server's retention (`--audit-retention-days`) are gone.
#[utoipa::path(get, path = "/api/organization/audit-log", tag = "members",
    security(("bearer" = []), ("cookie" = [])),
    params(Paging, AuditQuery),
    responses((status = 200, body = AuditLogResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Only organization admins can view the audit log")))]
pub async fn audit_log(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(query): AppQuery<AuditQuery>,
) -> Result<AppJson<AuditLogResponse>, ApiError> {
    let (events, page) = audit::log(&state, &caller.user, &paging, &query).await?;
    Ok(AppJson(AuditLogResponse {
        events: events.into_iter().map(Into::into).collect(),
        pagination: page.into(),
    }))
}
