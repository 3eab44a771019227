//! For a signed-in user with no organization: create one, or accept an invitation (those
//! waiting for their address, or the one an emailed link names).

use super::{Ctx, FormState, Layout, PageError, Posted};
use crate::{
    services::{
        invitations::{self, Accepting},
        organizations::{self, CreateOrganizationRequest},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use manageros_store::repo::invitations::Invitation;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    layout: Layout,
    form: FormState,
    name: String,
    slug: String,
    /// "Put me on the org chart": checked unless unchecked in the form being re-shown.
    join_chart: bool,
    invitations: Vec<Invitation>,
    /// `None` when verified; else the address the link went to.
    unverified: Option<String>,
}

async fn welcome_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    form: FormState,
    (name, slug, join_chart): (String, String, bool),
) -> Result<Response, PageError> {
    let user = ctx.member()?;
    let invitations = invitations::pending_for(state, &user.user).await?;
    Ok(ctx.render_status(
        status,
        &WelcomePage {
            layout: ctx.layout("Get started"),
            form,
            name,
            slug,
            join_chart,
            invitations,
            unverified: (!user.user.email_verified).then(|| user.user.email.to_string()),
        },
    ))
}

/// `/welcome`: create an organization or accept a waiting invitation.
pub async fn welcome(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    if ctx.member()?.user.organization_id.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    welcome_page(
        &state,
        &ctx,
        StatusCode::OK,
        FormState::default(),
        (String::new(), String::new(), true),
    )
    .await
}

pub async fn create_organization(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<CreateOrganizationRequest>,
) -> Result<Response, PageError> {
    let user = ctx.member()?;
    let typed = (
        f.name.clone().unwrap_or_default(),
        f.slug.clone().unwrap_or_default(),
        f.join_chart,
    );
    let on_chart = f.join_chart;
    match organizations::create(&state, &user.user, f).await {
        Ok(org) => Ok(ctx.redirect_with(
            "/",
            &if on_chart {
                format!(
                    "{} is ready: you are its admin, and the first person on its chart.",
                    org.name
                )
            } else {
                format!("{} is ready, and you are its admin.", org.name)
            },
        )),
        Err(e) => {
            let status = e.status();
            welcome_page(&state, &ctx, status, FormState::from_error(e)?, typed).await
        }
    }
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let user = ctx.member()?;
    let (_, org) = invitations::accept(&state, &user.user, Accepting::Id(&id)).await?;
    Ok(ctx.redirect_with("/", &format!("You joined {}.", org.name)))
}

#[derive(Template)]
#[template(path = "accept.html")]
struct AcceptPage {
    layout: Layout,
    token: String,
    next: String,
    /// The invitation, shown before anything is accepted: `None` when the link no longer
    /// holds an open one.
    invitation: Option<LinkedInvitation>,
}

pub struct LinkedInvitation {
    pub organization: String,
    pub inviter: String,
    pub inviter_email: String,
    pub email: String,
    pub expires: super::oneonones::When,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// `/invitations/accept?token=`, the emailed link: a signed-out invitee signs in or signs up
/// (and comes back here); a signed-in one confirms.
pub async fn accept_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let token = q.token.unwrap_or_default();
    let invitation = invitations::by_link(&state, &token)
        .await?
        .map(|i| LinkedInvitation {
            organization: i.organization_name,
            inviter: i.invited_by_name,
            inviter_email: i.invited_by_email,
            email: i.email.to_string(),
            expires: super::oneonones::When::of(i.expires_at),
        });
    let status = if invitation.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    Ok(ctx.render_status(
        status,
        &AcceptPage {
            layout: ctx.layout("Accept your invitation"),
            next: ctx.here.clone(),
            token,
            invitation,
        },
    ))
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    token: String,
}

pub async fn accept_by_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<AcceptForm>,
) -> Result<Response, PageError> {
    let user = ctx.member()?;
    let (_, org) =
        invitations::accept(&state, &user.user, Accepting::Token(f.token.trim())).await?;
    Ok(ctx.redirect_with("/", &format!("You joined {}.", org.name)))
}
