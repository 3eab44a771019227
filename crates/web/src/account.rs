//! My account: who I am, my organization and role, and the person of the org chart my
//! account is linked to; linking myself to a person recorded with my email address, and
//! unlinking; where I am signed in, and signing any of those out. The same services as
//! `/api/me`.

use super::{Ctx, FormState, Layout, PageError, Posted};
use crate::{
    error::ApiError,
    services::{
        accounts, calendar, members,
        notify::{self, KindChoices, NotificationSettingsRequest},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use manageros_core::{NotificationKind, Role};
use serde::Deserialize;

pub struct Claimable {
    pub id: String,
    pub name: String,
    pub role: String,
}

/// A signed-in session, as its owner recognises it.
pub struct SessionRow {
    pub id: String,
    pub device: String,
    pub address: String,
    pub last_used: super::oneonones::When,
    pub since: super::oneonones::When,
    pub current: bool,
}

/// "Firefox on Linux" from a User-Agent, or the start of the header itself when neither is
/// recognised: enough to tell one's laptop from one's phone.
pub fn describe_device(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent else {
        return "Unknown device".into();
    };
    let has = |s: &str| ua.contains(s);
    let browser = if has("Edg/") {
        Some("Edge")
    } else if has("Firefox/") {
        Some("Firefox")
    } else if has("Chrome/") || has("Chromium/") {
        Some("Chrome")
    } else if has("Safari/") {
        Some("Safari")
    } else {
        None
    };
    let system = if has("Android") {
        Some("Android")
    } else if has("iPhone") || has("iPad") {
        Some("iOS")
    } else if has("Windows") {
        Some("Windows")
    } else if has("Mac OS X") || has("Macintosh") {
        Some("macOS")
    } else if has("Linux") || has("X11") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        _ => ua.chars().take(60).collect(),
    }
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
    sessions: Vec<SessionRow>,
    /// The email settings form: each kind with its label and whether it is on.
    kinds: Vec<(&'static str, &'static str, bool)>,
    time_zone: String,
    time_zones: &'static [chrono_tz::Tz],
    reminder_days_before: i32,
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
    let accounts::AccountView {
        account,
        sessions,
        feed_since,
        claimable,
        notifications,
    } = accounts::page(state, &me.user).await?;
    let feed_since = feed_since.map(super::oneonones::When::of);
    let sessions = sessions
        .into_iter()
        .map(|s| SessionRow {
            current: s.id == me.session_id,
            id: s.id.to_string(),
            device: describe_device(s.device.user_agent.as_deref()),
            address: s.device.address.unwrap_or_default(),
            last_used: super::oneonones::When::of(s.last_used_at),
            since: super::oneonones::When::of(s.created_at),
        })
        .collect();
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
            sessions,
            kinds: NotificationKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label(), notifications.wants(*k)))
                .collect(),
            time_zone: notifications.time_zone.clone().unwrap_or_default(),
            time_zones: &chrono_tz::TZ_VARIANTS,
            reminder_days_before: notifications.reminder_days_before,
            form,
        },
    ))
}

/// The email settings form: a checkbox per kind (unchecked ones are not sent), the zone and
/// the reminders' lead.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NotificationsForm {
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    reminder_days_before: String,
    #[serde(default)]
    kind: Vec<String>,
}

pub async fn save_notifications(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let mut f = NotificationsForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "timeZone" => f.time_zone = v,
            "reminderDaysBefore" => f.reminder_days_before = v,
            "kind" => f.kind.push(v),
            _ => {}
        }
    }
    let on = |k: NotificationKind| Some(f.kind.iter().any(|c| c == k.as_str()));
    let input = NotificationSettingsRequest {
        time_zone: crate::patch::Patch::Value(f.time_zone.clone()),
        reminder_days_before: crate::forms::whole_number(&f.reminder_days_before),
        kinds: Some(KindChoices {
            reminder: on(NotificationKind::Reminder),
            assigned: on(NotificationKind::Assigned),
            handoff: on(NotificationKind::Handoff),
            campaign: on(NotificationKind::Campaign),
            meeting: on(NotificationKind::Meeting),
            digest: on(NotificationKind::Digest),
        }),
    };
    match notify::update_settings(&state, &me.user.actor(), input).await {
        Ok(_) => Ok(ctx.redirect_with("/account#notifications-h", "Email settings saved.")),
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            show(&state, &ctx, status, form).await
        }
    }
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

/// Signs one of my sessions out; my own current one signs me out here and now.
/// "Sign out everywhere else": every other session ends, and the calendar feed with them.
pub async fn sign_out_elsewhere(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    match accounts::sign_out_elsewhere(&state, &me.user, &me.session_id).await {
        Ok(n) => Ok(ctx.redirect_with(
            "/account#sessions-h",
            &format!(
                "Signed out everywhere else ({n} {}). Your calendar feed's link no longer works: make a new one if you use it.",
                if n == 1 { "session" } else { "sessions" }
            ),
        )),
        Err(e) => after(&state, &ctx, Err(e)).await,
    }
}

pub async fn revoke_session(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let current = me.session_id.as_str() == id.trim();
    match accounts::revoke_session(&state, &me.user, &id).await {
        Ok(()) if current => Ok(axum::response::Redirect::to("/login").into_response()),
        Ok(()) => Ok(ctx.redirect_with(
            "/account#sessions-h",
            "Signed out there: that session no longer works.",
        )),
        Err(e) => after(&state, &ctx, Err(e)).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Unsubscribing from a kind of email, by the link it carries: no sign-in, the link's token is
// the credential. The page asks first (a link scanner's GET unsubscribes nobody); the POST —
// the page's button, or a mail client's one-click (RFC 8058) — does it.

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    layout: Layout,
    token: String,
    what: &'static str,
    email: String,
    done: bool,
}

pub async fn unsubscribe_page(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let (kind, email) = notify::unsubscribe_target(&state, &token).await?;
    Ok(ctx.render(&UnsubscribePage {
        layout: ctx.layout("Email settings"),
        what: kind.short(),
        email,
        token,
        done: false,
    }))
}

/// `POST /unsubscribe/{token}`: whatever the body (RFC 8058 sends `List-Unsubscribe=One-Click`),
/// without a form token (the mail client has none; the link is the credential).
pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let (_, email) = notify::unsubscribe_target(&state, &token).await?;
    let kind = notify::unsubscribe(&state, &token).await?;
    Ok(ctx.render(&UnsubscribePage {
        layout: ctx.layout("Email settings"),
        what: kind.short(),
        email,
        token,
        done: true,
    }))
}
