//! Invitations (docs/API.md §4): the admin side under `/api/organization/invitations`,
//! the invitee side under `/api/invitations`.

use crate::services::input;
use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppPath, CurrentUser},
    schema::{OrganizationView, UserView},
    services::invitations::{self, Accepting, CreateInvitationRequest},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::Timestamp;
use manageros_store::repo::{invitations::Invitation, orgs::Organization, outbox, users::User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct InvitedByView {
    pub name: String,
    pub email: String,
}

/// What became of an invitation's email: `pending` (queued, or waiting to be tried again),
/// `sent`, or `failed` (every attempt failed; `error` says why, and revoking then
/// reactivating the invitation sends a new link).
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub status: DeliveryStatus,
    pub error: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Sent,
    Failed,
}

impl From<outbox::Status> for DeliveryStatus {
    fn from(s: outbox::Status) -> Self {
        match s {
            outbox::Status::Pending => Self::Pending,
            outbox::Status::Sent => Self::Sent,
            outbox::Status::Failed => Self::Failed,
        }
    }
}

/// An invitation. `status` is `pending`, `accepted`, `revoked` or `expired` (a pending
/// invitation past `expiresAt`). `emailDelivery` is what became of its newest email (null
/// once a sent email is forgotten, a week after it went out).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub status: &'static str,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    #[schema(format = DateTime)]
    pub accepted_at: Option<String>,
    pub person_id: Option<String>,
    pub invited_by: InvitedByView,
    pub email_delivery: Option<DeliveryView>,
}

impl InvitationView {
    fn new(i: &Invitation, now: Timestamp) -> Self {
        Self {
            id: i.id.to_string(),
            email: i.email.to_string(),
            status: i.status(now).as_str(),
            created_at: i.created_at.to_rfc3339(),
            updated_at: i.updated_at.to_rfc3339(),
            expires_at: i.expires_at.to_rfc3339(),
            accepted_at: i.accepted_at.map(Timestamp::to_rfc3339),
            person_id: i.person_id.as_ref().map(ToString::to_string),
            invited_by: InvitedByView {
                name: i.invited_by_name.clone(),
                email: i.invited_by_email.clone(),
            },
            email_delivery: i.delivery.as_ref().map(|d| DeliveryView {
                status: d.status.into(),
                error: d.error.clone(),
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InvitationResponse {
    pub invitation: InvitationView,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationsResponse {
    pub invitations: Vec<InvitationView>,
}

/// The organization's invitations, newest first (admins).
#[utoipa::path(get, path = "/api/organization/invitations", tag = "invitations",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = InvitationsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<InvitationsResponse>, ApiError> {
    let now = state.now();
    let list = invitations::list(&state, &caller.user).await?;
    Ok(AppJson(InvitationsResponse {
        invitations: list.iter().map(|i| InvitationView::new(i, now)).collect(),
    }))
}

/// Invite someone by email (admins). The invitee is mailed a link valid for 7 days.
#[utoipa::path(post, path = "/api/organization/invitations", tag = "invitations",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateInvitationRequest,
    responses(
        (status = 201, body = InvitationResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
pub async fn create_invitation(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreateInvitationRequest>,
) -> Result<(StatusCode, AppJson<InvitationResponse>), ApiError> {
    let inv = invitations::create(&state, &caller.user, body).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(InvitationResponse {
            invitation: InvitationView::new(&inv, state.now()),
        }),
    ))
}

/// Revoke a pending invitation (admins).
#[utoipa::path(post, path = "/api/organization/invitations/{id}/revoke", tag = "invitations",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 200, body = InvitationResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<InvitationResponse>, ApiError> {
    let inv = invitations::revoke(&state, &caller.user, &id).await?;
    Ok(AppJson(InvitationResponse {
        invitation: InvitationView::new(&inv, state.now()),
    }))
}

/// Issue a revoked or expired invitation again, for 7 more days (admins).
#[utoipa::path(post, path = "/api/organization/invitations/{id}/reactivate", tag = "invitations",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 200, body = InvitationResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reactivate_invitation(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<InvitationResponse>, ApiError> {
    let inv = invitations::reactivate(&state, &caller.user, &id).await?;
    Ok(AppJson(InvitationResponse {
        invitation: InvitationView::new(&inv, state.now()),
    }))
}

/// An invitation as its invitee sees it: with the organization it leads to.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingInvitationView {
    #[serde(flatten)]
    pub invitation: InvitationView,
    pub organization: OrganizationView,
}

/// The caller's pending invitations (empty once they belong to an organization).
#[utoipa::path(get, path = "/api/invitations", tag = "invitations",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = PendingInvitationsResponse), (status = 401, body = ErrorBody)))]
pub async fn my_invitations(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<PendingInvitationsResponse>, ApiError> {
    let now = state.now();
    let list = invitations::pending_for(&state, &caller.user).await?;
    Ok(AppJson(PendingInvitationsResponse {
        invitations: list
            .iter()
            .map(|i| PendingInvitationView {
                invitation: InvitationView::new(i, now),
                organization: OrganizationView {
                    id: i.organization_id.to_string(),
                    name: i.organization_name.clone(),
                    slug: i.organization_slug.clone(),
                },
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PendingInvitationsResponse {
    pub invitations: Vec<PendingInvitationView>,
}

#[derive(Serialize, ToSchema)]
pub struct AcceptedResponse {
    pub user: UserView,
    pub organization: OrganizationView,
}

fn accepted(user: &User, org: &Organization) -> AppJson<AcceptedResponse> {
    AppJson(AcceptedResponse {
        user: UserView::from(user),
        organization: OrganizationView::from(org),
    })
}

/// Accept one of the caller's invitations; the caller joins as USER.
#[utoipa::path(post, path = "/api/invitations/{id}/accept", tag = "invitations",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 200, body = AcceptedResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "The caller's email address is not verified yet"),
        (status = 404, body = ErrorBody, description = "Invitation not found or expired"),
        (status = 409, body = ErrorBody, description = "User already belongs to an organization")))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<AcceptedResponse>, ApiError> {
    let (user, org) = invitations::accept(&state, &caller.user, Accepting::Id(&id)).await?;
    Ok(accepted(&user, &org))
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptTokenRequest {
    /// The `token` of the emailed link.
    #[schema(value_type = input::Token, inline, required = true)]
    pub token: Option<String>,
}

/// Accept an invitation with the token of its emailed link. The signed-in account must have
/// the address the invitation was sent to.
#[utoipa::path(post, path = "/api/invitations/accept-token", tag = "invitations",
    security(("bearer" = []), ("cookie" = [])),
    request_body = AcceptTokenRequest,
    responses((status = 200, body = AcceptedResponse), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "Invitation not found or expired"),
        (status = 409, body = ErrorBody, description = "User already belongs to an organization")))]
pub async fn accept_invitation_token(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<AcceptTokenRequest>,
) -> Result<AppJson<AcceptedResponse>, ApiError> {
    let (user, org) = invitations::accept(
        &state,
        &caller.user,
        Accepting::Token(body.token.as_deref().unwrap_or_default().trim()),
    )
    .await?;
    Ok(accepted(&user, &org))
}
