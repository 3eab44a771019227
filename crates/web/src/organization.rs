//! The organization page (admins): members with their role, removal and linking to a person
//! of the org chart, and invitations with their status and expiry, revoke and reactivate,
//! and inviting someone as a person. Every action calls `services::members` or
//! `services::invitations`, as `/api/organization/*` does; a refusal is shown on the page
//! with the service's message.

use super::{Ctx, FormState, Layout, PageError, Posted, oneonones::When};
use crate::{
    error::ApiError,
    services::{
        invitations::{self, CreateInvitationRequest},
        members,
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use manageros_core::{InvitationStatus, Role};
use manageros_store::repo::outbox;
use serde::Deserialize;
use std::collections::HashMap;

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub is_me: bool,
    pub person: Option<(String, String)>,
}

pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub status: &'static str,
    pub open: bool,
    pub accepted: bool,
    /// Revoked or expired: can be sent again.
    pub reissuable: bool,
    pub person: Option<String>,
    pub invited_by: String,
    pub expires: When,
    /// Every attempt to send its email failed: the last error.
    pub email_failed: Option<String>,
}

pub struct PersonChoice {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "organization/overview.html")]
struct OverviewPage {
    layout: Layout,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    unlinked: Vec<PersonChoice>,
    /// Members not linked to a person.
    members_unlinked: usize,
    invite_email: String,
    invite_person: String,
    form: FormState,
}

fn status_label(s: InvitationStatus) -> &'static str {
    match s {
        InvitationStatus::Pending => "Pending",
        InvitationStatus::Accepted => "Accepted",
        InvitationStatus::Revoked => "Revoked",
        InvitationStatus::Expired => "Expired",
    }
}

/// The page, with what the invitation form holds and a refusal to show, if any.
async fn show(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    invite: (String, String),
    form: FormState,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let o = members::overview(state, &me.user).await?;
    let now = state.now();
    let person_names: HashMap<String, String> = o
        .members
        .iter()
        .filter_map(|m| m.person.as_ref())
        .map(|p| (p.id.to_string(), p.name.clone()))
        .chain(
            o.unlinked_people
                .iter()
                .map(|p| (p.id.to_string(), p.name.clone())),
        )
        .collect();
    Ok(ctx.render_status(
        status,
        &OverviewPage {
            layout: ctx.layout("Organization"),
            members: o
                .members
                .iter()
                .map(|m| MemberRow {
                    id: m.user.id.to_string(),
                    name: m.user.name.clone(),
                    email: m.user.email.to_string(),
                    admin: m.user.role == Role::Admin,
                    is_me: m.user.id == me.user.id,
                    person: m
                        .person
                        .as_ref()
                        .map(|p| (p.id.to_string(), p.name.clone())),
                })
                .collect(),
            invitations: o
                .invitations
                .iter()
                .map(|i| {
                    let s = i.status(now);
                    InvitationRow {
                        id: i.id.to_string(),
                        email: i.email.to_string(),
                        status: status_label(s),
                        open: s == InvitationStatus::Pending,
                        accepted: s == InvitationStatus::Accepted,
                        reissuable: matches!(
                            s,
                            InvitationStatus::Revoked | InvitationStatus::Expired
                        ),
                        person: i.person_id.as_ref().map(|p| {
                            person_names
                                .get(p.as_str())
                                .cloned()
                                .unwrap_or_else(|| "a person of the org chart".into())
                        }),
                        invited_by: i.invited_by_name.clone(),
                        email_failed: i
                            .delivery
                            .as_ref()
                            .filter(|d| d.status == outbox::Status::Failed)
                            .map(|d| d.error.clone().unwrap_or_default()),
                        expires: When::of(i.expires_at),
                    }
                })
                .collect(),
            unlinked: o
                .unlinked_people
                .iter()
                .map(|p| PersonChoice {
                    id: p.id.to_string(),
                    name: p.name.clone(),
                    email: p.email.clone().unwrap_or_default(),
                })
                .collect(),
            members_unlinked: o.members.iter().filter(|m| m.person.is_none()).count(),
            invite_email: invite.0,
            invite_person: invite.1,
            form,
        },
    ))
}

/// `/organization`: members and invitations.
pub async fn overview(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    show(
        &state,
        &ctx,
        StatusCode::OK,
        Default::default(),
        FormState::default(),
    )
    .await
}

/// After an action: back to the page with its message, or the page again with the refusal.
async fn after(
    state: &AppState,
    ctx: &Ctx,
    result: Result<String, ApiError>,
) -> Result<Response, PageError> {
    match result {
        Ok(message) => Ok(ctx.redirect_with("/organization", &message)),
        Err(e) => {
            let status = e.status();
            let mut form = FormState::from_error(e)?;
            // A row's form has no field of its own on the page: its message is the page's.
            if form.message.is_none() {
                form.message = std::mem::take(&mut form.fields).into_values().next();
            }
            show(state, ctx, status, Default::default(), form).await
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    person_id: String,
}

pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<InviteForm>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let req = CreateInvitationRequest {
        email: Some(f.email.clone()),
        person_id: Some(f.person_id.trim().to_owned()).filter(|p| !p.is_empty()),
    };
    match invitations::create(&state, &me.user, req).await {
        Ok(inv) => Ok(ctx.redirect_with(
            "/organization",
            &format!("Invitation sent to {}.", inv.email),
        )),
        Err(e) => {
            let status = e.status();
            let form = FormState::from_error(e)?;
            show(&state, &ctx, status, (f.email, f.person_id), form).await
        }
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let r = invitations::revoke(&state, &me.user, &raw)
        .await
        .map(|i| format!("Invitation of {} revoked.", i.email));
    after(&state, &ctx, r).await
}

pub async fn reactivate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let r = invitations::reactivate(&state, &me.user, &raw)
        .await
        .map(|i| format!("Invitation sent again to {}.", i.email));
    after(&state, &ctx, r).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<RoleForm>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let r = members::change_role(&state, &me.user, &raw, Some(&f.role))
        .await
        .map(|m| {
            format!(
                "{} is now {}.",
                m.user.name,
                if m.user.role == Role::Admin {
                    "an admin"
                } else {
                    "a member"
                }
            )
        });
    after(&state, &ctx, r).await
}

pub async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let r = members::remove(&state, &me.user, &raw)
        .await
        .map(|()| "Member removed from the organization.".to_owned());
    after(&state, &ctx, r).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    person_id: String,
}

/// The page's one link form: a member and a person, both chosen.
pub async fn link(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<LinkForm>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let r = members::link(&state, &me.user, f.user_id.trim(), Some(&f.person_id))
        .await
        .map(|m| {
            format!(
                "{} is linked to {}.",
                m.user.name,
                m.person.map(|p| p.name).unwrap_or_default()
            )
        });
    after(&state, &ctx, r).await
}

pub async fn unlink(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let r = members::unlink(&state, &me.user, &raw)
        .await
        .map(|()| "Member unlinked from their person.".to_owned());
    after(&state, &ctx, r).await
}
