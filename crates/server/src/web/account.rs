//! My account: who I am, my organization and role, and the person of the org chart my
//! account is linked to; linking myself to a person recorded with my email address, and
//! unlinking. The same services as `/api/me`.

use super::{Ctx, FormState, Layout, PageError, Posted};
use crate::{
    error::ApiError,
    services::{accounts, calendar, members},
    state::AppState,
};
use askama::Template;
use axum::{extract::State, http::StatusCode, response::Response};
use manageros_core::Role;
use serde::Deserialize;

pub struct Claimable {
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    name: String,
    email: String,
    email_verified: bool,
    organization: Option<String>,
    /// Who invited me, `(name, email)`, when I joined by an invitation.
    invited_by: Option<(String, String)>,
    admin: bool,
    person: Option<(String, String)>,
    claimable: Vec<Claimable>,
    /// When the caller's calendar feed was made, if they have one.
    feed_since: Option<super::oneonones::When>,
    /// A feed URL just made: shown on this one page, never again.
    new_feed_url: Option<String>,
    form: FormState,
}

async fn show(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    form: FormState,
) -> Result<Response, PageError> {
    show_with_feed(state, ctx, status, form, None).await
}

async fn show_with_feed(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    form: FormState,
    new_feed_url: Option<String>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let feed_since = calendar::feed_status(state, &me.user.actor())
        .await?
        .map(super::oneonones::When::of);
    let account = accounts::me(state, &me.user).await?;
    let claimable = if account.organization.is_some() && account.person.is_none() {
        members::linkable_persons(state, &me.user).await?
    } else {
        vec![]
    };
    Ok(ctx.render_status(
        status,
        &AccountPage {
            layout: ctx.layout("My account"),
            name: me.user.name.clone(),
            email: me.user.email.to_string(),
            email_verified: me.user.email_verified,
            organization: account.organization.map(|o| o.name),
            invited_by: account.invited_by,
            admin: me.user.role == Role::Admin,
            person: account.person.map(|p| (p.id.to_string(), p.name)),
            claimable: claimable
                .into_iter()
                .map(|p| Claimable {
                    id: p.id.to_string(),
                    name: p.name,
                    role: p.role.unwrap_or_default(),
                })
                .collect(),
            feed_since,
            new_feed_url,
            form,
        },
    ))
}

/// Makes a new calendar feed URL and shows it, once, on the account page.
pub async fn new_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.user.actor();
    let url = calendar::new_feed(&state, &actor).await?;
    show_with_feed(
        &state,
        &ctx,
        StatusCode::OK,
        FormState::default(),
        Some(url),
    )
    .await
}

pub async fn revoke_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.user.actor();
    calendar::revoke_feed(&state, &actor).await?;
    Ok(ctx.redirect_with(
        "/account#calendar-h",
        "Calendar feed revoked: its URL no longer works.",
    ))
}

/// Mails a new verification link.
pub async fn resend_verification(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let r = accounts::resend_verification(&state, &me.user)
        .await
        .map(|()| format!("A new link is on its way to {}.", me.user.email));
    after(&state, &ctx, r).await
}

/// Leaves my organization (not as its last admin), then offers to create or join another.
pub async fn leave(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    match members::leave(&state, &me.user).await {
        Ok(()) => Ok(ctx.redirect_with(
            "/welcome",
            "You left the organization. Create one, or accept an invitation to another.",
        )),
        Err(e) => after(&state, &ctx, Err(e)).await,
    }
}

/// `/account`.
pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    show(&state, &ctx, StatusCode::OK, FormState::default()).await
}

async fn after(
    state: &AppState,
    ctx: &Ctx,
    result: Result<String, ApiError>,
) -> Result<Response, PageError> {
    match result {
        Ok(message) => Ok(ctx.redirect_with("/account", &message)),
        Err(e) => {
            let status = e.status();
            let form = FormState::from_error(e)?;
            show(state, ctx, status, form).await
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkForm {
    #[serde(default)]
    person_id: String,
}

pub async fn link(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<LinkForm>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let r = members::link_self(&state, &me.user.id, &f.person_id)
        .await
        .map(|p| format!("Your account is linked to {}.", p.name));
    after(&state, &ctx, r).await
}

pub async fn unlink(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let r = members::unlink_self(&state, &me.user.id)
        .await
        .map(|()| "Your account is no longer linked to a person.".to_owned());
    after(&state, &ctx, r).await
}
