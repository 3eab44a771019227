//! `/api/auth/*`: accounts and sessions (docs/API.md §2). Rate limited per client address.

use crate::services::input;
use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, Client, CurrentUser},
    schema::{OrganizationView, UserView},
    services::accounts::{self, ResetPasswordRequest, SignedIn, SignupRequest, VerifyEmailRequest},
    session,
    state::AppState,
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignupResponse {
    pub user: UserView,
    /// The session token, shown once: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// Whether the new account joined an organization through a waiting invitation: never at
    /// sign-up, which joins nothing until the address is verified (see `verify-email`).
    pub was_invited: bool,
    pub organization: Option<OrganizationView>,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(required = true, value_type = String)]
    pub email: Option<String>,
    #[schema(required = true, value_type = String)]
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: UserView,
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ForgotPasswordRequest {
    #[schema(value_type = input::Email, inline, required = true)]
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ForgotPasswordResponse {
    pub message: &'static str,
}

fn with_cookie(state: &AppState, token: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        header::SET_COOKIE,
        session::session_cookie(token, state.config.cookie_secure),
    );
    h
}

/// Create an account; a verification link is mailed to its address. The account joins no
/// organization until the address is verified.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, body = SignupResponse, description = "Signed up and signed in; also sets the session cookie"),
        (status = 400, body = ErrorBody), (status = 409, body = ErrorBody, description = "Email already exists"),
        (status = 429, body = ErrorBody),
    ))]
pub async fn signup(
    State(state): State<AppState>,
    Client(device): Client,
    AppJson(body): AppJson<SignupRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let SignedIn {
        user,
        token,
        was_invited,
        organization,
    } = accounts::signup(&state, body, &device).await?;
    Ok((
        StatusCode::CREATED,
        with_cookie(&state, &token),
        AppJson(SignupResponse {
            user: UserView::from(&user),
            token,
            was_invited,
            organization: organization.as_ref().map(OrganizationView::from),
        }),
    ))
}

/// Sign in.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse, description = "Signed in; also sets the session cookie"),
        (status = 401, body = ErrorBody, description = "Invalid email or password"),
        (status = 429, body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    Client(device): Client,
    AppJson(body): AppJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let signed_in = accounts::login(
        &state,
        body.email.as_deref().unwrap_or_default(),
        body.password.as_deref().unwrap_or_default(),
        &device,
    )
    .await?;
    Ok((
        with_cookie(&state, &signed_in.token),
        AppJson(LoginResponse {
            user: UserView::from(&signed_in.user),
            token: signed_in.token,
        }),
    ))
}

/// Sign out: revokes the session the request presents.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<impl IntoResponse, ApiError> {
    accounts::logout(&state, &caller.token_hash).await?;
    let mut h = HeaderMap::new();
    h.insert(
        header::SET_COOKIE,
        session::clear_cookie(state.config.cookie_secure),
    );
    Ok((StatusCode::NO_CONTENT, h))
}

/// Ask for a password reset link. Always 202: the answer does not reveal whether the
/// account exists.
#[utoipa::path(post, path = "/api/auth/forgot-password", tag = "auth",
    request_body = ForgotPasswordRequest,
    responses((status = 202, body = ForgotPasswordResponse), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn forgot_password(
    State(state): State<AppState>,
    AppJson(body): AppJson<ForgotPasswordRequest>,
) -> Result<impl IntoResponse, ApiError> {
    accounts::forgot_password(&state, body.email.as_deref()).await?;
    Ok((
        StatusCode::ACCEPTED,
        AppJson(ForgotPasswordResponse {
            message: "If an account exists for this email, a reset link is on its way.",
        }),
    ))
}

/// Choose a new password with the token from the emailed link; signs out every session.
#[utoipa::path(post, path = "/api/auth/reset-password", tag = "auth",
    request_body = ResetPasswordRequest,
    responses((status = 204), (status = 400, body = ErrorBody, description = "Invalid or expired reset token"), (status = 429, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    AppJson(body): AppJson<ResetPasswordRequest>,
) -> Result<impl IntoResponse, ApiError> {
    accounts::reset_password(&state, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifyEmailResponse {
    pub user: UserView,
    /// Whether verifying joined the organization of a single waiting invitation.
    pub was_invited: bool,
    pub organization: Option<OrganizationView>,
}

/// Verify an address with the token of the mailed link (no session needed), choosing the
/// account's password; every session of the account ends (sign in again), and it joins the
/// organization of a single invitation waiting for it.
#[utoipa::path(post, path = "/api/auth/verify-email", tag = "auth",
    request_body = VerifyEmailRequest,
    responses((status = 200, body = VerifyEmailResponse),
        (status = 400, body = ErrorBody, description = "Invalid or expired verification token, or an invalid password"),
        (status = 429, body = ErrorBody)))]
pub async fn verify_email(
    State(state): State<AppState>,
    AppJson(body): AppJson<VerifyEmailRequest>,
) -> Result<AppJson<VerifyEmailResponse>, ApiError> {
    let v = accounts::verify_email(&state, body, None).await?;
    Ok(AppJson(VerifyEmailResponse {
        user: UserView::from(&v.user),
        was_invited: v.organization.is_some(),
        organization: v.organization.as_ref().map(OrganizationView::from),
    }))
}

/// Mail a new verification link to the signed-in user.
#[utoipa::path(post, path = "/api/auth/resend-verification", tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 202), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Already verified"),
        (status = 429, body = ErrorBody)))]
pub async fn resend_verification(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<StatusCode, ApiError> {
    accounts::resend_verification(&state, &caller.user).await?;
    Ok(StatusCode::ACCEPTED)
}
