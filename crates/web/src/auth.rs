//! Sign up, sign in, sign out, and the forgotten-password pages (the emailed link opens
//! `/reset-password?token=`). Each posts to the same `services::accounts` functions as
//! `/api/auth/*`, with the same messages.

use super::{Ctx, FormState, Layout, PageError, Posted, safe_next};
use crate::{
    error::ApiError,
    extract::Client,
    services::accounts::{self, ResetPasswordRequest, SignupRequest},
    session,
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    form: FormState,
    email: String,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/signup.html")]
struct SignupPage {
    layout: Layout,
    form: FormState,
    name: String,
    email: String,
    next: Option<String>,
    /// Came by an invitation's link: `(token, organization)`; the email is the invited one.
    invitation: Option<(String, String)>,
}

/// The open invitation whose link the visitor came by (`next` is its accept page), with the
/// invited address and the organization's name.
async fn invitation_of(
    state: &AppState,
    next: Option<&str>,
    token: Option<&str>,
) -> Result<Option<(String, String, String)>, PageError> {
    let token = token.map(str::to_owned).or_else(|| {
        let query = next?.strip_prefix("/invitations/accept?")?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    });
    let Some(token) = token else {
        return Ok(None);
    };
    Ok(crate::services::invitations::by_link(state, &token)
        .await?
        .map(|inv| (token, inv.email.to_string(), inv.organization_name.clone())))
}

/// Signed in: on to where the visitor was going, with the new session cookie.
fn signed_in(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    next: Option<&str>,
    message: &str,
) -> Response {
    let mut r = ctx.redirect_with(safe_next(next), message);
    r.headers_mut().append(
        header::SET_COOKIE,
        session::session_cookie(token, state.config.cookie_secure),
    );
    r
}

pub async fn login_page(ctx: Ctx, Query(q): Query<Next>) -> Response {
    if ctx.user.is_some() {
        return Redirect::to(safe_next(q.next.as_deref())).into_response();
    }
    ctx.render(&LoginPage {
        layout: ctx.layout("Sign in"),
        form: FormState::default(),
        email: String::new(),
        next: q.next,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    /// The browser's time zone (app.js fills it in): kept for a user who has none yet.
    #[serde(default, rename = "timeZone")]
    time_zone: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    Client(device): Client,
    ctx: Ctx,
    Query(q): Query<Next>,
    Posted(f): Posted<LoginForm>,
) -> Result<Response, PageError> {
    match accounts::login(&state, &f.email, &f.password, &device).await {
        Ok(s) => {
            crate::services::notify::take_browser_zone(&state, &s.user.id, f.time_zone.as_deref())
                .await?;
            Ok(signed_in(
                &state,
                &ctx,
                &s.token,
                q.next.as_deref(),
                &format!("Welcome back, {}.", s.user.name),
            ))
        }
        Err(e) => {
            let status = e.status();
            Ok(ctx.render_status(
                status,
                &LoginPage {
                    layout: ctx.layout("Sign in"),
                    form: FormState::from_error(e)?,
                    email: f.email,
                    next: q.next,
                },
            ))
        }
    }
}

pub async fn signup_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Next>,
) -> Result<Response, PageError> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(safe_next(q.next.as_deref())).into_response());
    }
    let invited = invitation_of(&state, q.next.as_deref(), None).await?;
    Ok(ctx.render(&SignupPage {
        layout: ctx.layout("Create your account"),
        form: FormState::default(),
        name: String::new(),
        email: invited.as_ref().map(|i| i.1.clone()).unwrap_or_default(),
        next: q.next,
        invitation: invited.map(|(token, _, org)| (token, org)),
    }))
}

pub async fn signup(
    State(state): State<AppState>,
    Client(device): Client,
    ctx: Ctx,
    Query(q): Query<Next>,
    Posted(f): Posted<SignupRequest>,
) -> Result<Response, PageError> {
    let (name, email) = (
        f.name.clone().unwrap_or_default(),
        f.email.clone().unwrap_or_default(),
    );
    let token = f.invitation_token.clone();
    match accounts::signup(&state, f, &device).await {
        Ok(s) => {
            let (message, next) = match &s.organization {
                // Joined at sign-up by the invitation they came with: the invitation link
                // they were to return to has done its work.
                Some(org) => (
                    format!("Welcome, {}. You joined {}.", s.user.name, org.name),
                    None,
                ),
                None => (
                    format!(
                        "Welcome, {}. Confirm your address with the link we mailed to {}.",
                        s.user.name, s.user.email
                    ),
                    q.next.as_deref(),
                ),
            };
            Ok(signed_in(&state, &ctx, &s.token, next, &message))
        }
        Err(e) => {
            let status = e.status();
            let form = FormState::from_error(e)?;
            let invited = invitation_of(&state, q.next.as_deref(), token.as_deref()).await?;
            Ok(ctx.render_status(
                status,
                &SignupPage {
                    layout: ctx.layout("Create your account"),
                    form,
                    name,
                    email: invited.as_ref().map_or(email, |i| i.1.clone()),
                    next: q.next,
                    invitation: invited.map(|(token, _, org)| (token, org)),
                },
            ))
        }
    }
}

/// Signs out: the session is revoked, the cookie cleared.
pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    if let Some(u) = &ctx.user {
        accounts::logout(&state, &u.token_hash).await?;
    }
    let mut r = ctx.redirect_with("/login", "You are signed out.");
    r.headers_mut().append(
        header::SET_COOKIE,
        session::clear_cookie(state.config.cookie_secure),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    layout: Layout,
    form: FormState,
    email: String,
}

pub async fn forgot_page(ctx: Ctx) -> Response {
    ctx.render(&ForgotPage {
        layout: ctx.layout("Forgot your password?"),
        form: FormState::default(),
        email: String::new(),
    })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<ForgotForm>,
) -> Result<Response, PageError> {
    match accounts::forgot_password(&state, Some(&f.email)).await {
        // The same answer whether or not the account exists.
        Ok(()) => Ok(ctx.redirect_with(
            "/login",
            "If an account exists for this email, a reset link is on its way.",
        )),
        Err(e) => Ok(ctx.render_status(
            StatusCode::BAD_REQUEST,
            &ForgotPage {
                layout: ctx.layout("Forgot your password?"),
                form: FormState::from_error(e)?,
                email: f.email,
            },
        )),
    }
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    layout: Layout,
    form: FormState,
    token: String,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

pub async fn reset_page(ctx: Ctx, Query(q): Query<TokenQuery>) -> Response {
    ctx.render(&ResetPage {
        layout: ctx.layout("Choose a new password"),
        form: FormState::default(),
        token: q.token.unwrap_or_default(),
    })
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<ResetPasswordRequest>,
) -> Result<Response, PageError> {
    let token = f.token.clone().unwrap_or_default();
    match accounts::reset_password(&state, f).await {
        Ok(()) => {
            // Every session of the account was revoked, this browser's too.
            let mut r = ctx.redirect_with(
                "/login",
                "Your password is changed. Sign in with the new one.",
            );
            r.headers_mut().append(
                header::SET_COOKIE,
                session::clear_cookie(state.config.cookie_secure),
            );
            Ok(r)
        }
        Err(e) => {
            let status = e.status();
            Ok(ctx.render_status(
                status,
                &ResetPage {
                    layout: ctx.layout("Choose a new password"),
                    form: FormState::from_error(e)?,
                    token,
                },
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "auth/verify.html")]
struct VerifyPage {
    layout: Layout,
    form: FormState,
    token: String,
    /// Whose account the link is for, `(name, email)`, while the link is valid.
    account: Option<(String, String)>,
}

impl VerifyPage {
    /// The page for `token`; a link that is no longer valid says so next to the token.
    async fn new(
        state: &AppState,
        ctx: &Ctx,
        token: String,
        mut form: FormState,
    ) -> Result<Self, PageError> {
        let account = match accounts::verification(state, &token).await {
            Ok(u) => Some((u.name, u.email.to_string())),
            Err(ApiError::Validation(fields)) => {
                form.fields.extend(fields);
                None
            }
            Err(e) => return Err(PageError::Api(e)),
        };
        Ok(Self {
            layout: ctx.layout("Confirm your email address"),
            form,
            token,
            account,
        })
    }
}

/// `/verify-email?token=`, the mailed link: whose account it is, and a form to choose its
/// password and confirm (a button, so that a mail scanner fetching the link verifies and
/// joins nothing).
pub async fn verify_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let page = VerifyPage::new(
        &state,
        &ctx,
        q.token.unwrap_or_default(),
        FormState::default(),
    )
    .await?;
    Ok(ctx.render_status(page.form.status(), &page))
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

pub async fn verify(
    State(state): State<AppState>,
    Client(device): Client,
    ctx: Ctx,
    Posted(f): Posted<VerifyForm>,
) -> Result<Response, PageError> {
    let input = accounts::VerifyEmailRequest {
        token: Some(f.token.clone()),
        password: Some(f.password),
    };
    match accounts::verify_email(&state, input, Some(&device)).await {
        Ok(v) => {
            let message = match &v.organization {
                Some(org) => format!("Your address is confirmed. You joined {}.", org.name),
                None => "Your address is confirmed.".to_owned(),
            };
            Ok(match &v.token {
                Some(token) => signed_in(&state, &ctx, token, Some("/"), &message),
                None => ctx.redirect_with("/login", &message),
            })
        }
        Err(e) => {
            let status = e.status();
            let form = FormState::from_error(e)?;
            let page = VerifyPage::new(&state, &ctx, f.token, form).await?;
            Ok(ctx.render_status(status, &page))
        }
    }
}
