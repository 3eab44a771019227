//! The web application: server-rendered pages over the same services as the JSON API. A page
//! handler extracts, calls one service function, and renders a template (askama, compiled and
//! auto-escaping) or redirects; it carries no rule of its own, and what a service refuses it
//! shows with the service's own message.
//!
//! - [`Ctx`]: who is asking (the same session cookie as the API), the form token, the flash
//!   message; [`Posted`]: a form body whose CSRF token and `Origin` have been checked.
//! - [`PageError`]: a refusal shown as a page (401 redirects to sign-in).
//! - Every page answer carries a Content-Security-Policy with no inline script, and
//!   `frame-ancestors 'none'` ([`CSP`]).
//! - One module per area: [`auth`], [`onboarding`], [`account`], [`oneonones`], [`people`],
//!   [`teams`], [`tasks`], [`organization`], [`settings`].

pub mod account;
pub mod all_oneonones;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod campaigns;
mod conflict;
mod context;
pub mod conversation;
mod errors;
pub mod feedback;
mod forms;
pub mod home;
pub mod initiatives;
pub mod meetings;
mod navigation;
pub mod onboarding;
pub mod oneonones;
pub mod organization;
mod pager;
pub mod people;
mod picker;
pub mod reports;
pub mod settings;
pub mod tasks;
pub mod teams;

pub use self::{conflict::*, context::*, errors::*, forms::*, navigation::*, pager::*};

// The floor below, under the names the pages use. This crate cannot reach the JSON API
// (`manageros-api`), nor it the pages.
use manageros_services::{
    self as services, config, error, extract, patch, rate_limit, session, state,
};

use crate::{
    config::BODY_LIMIT, error::ApiError, extract::CurrentUser, services::permissions::may,
    session::token_from_headers, state::AppState,
};
use askama::Template;
use axum::{
    Router,
    extract::{FromRequest, FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use manageros_core::authz::{Action, OrgAction};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use tower_http::set_header::SetResponseHeaderLayer;

/// The page routes. Mounted beside `/api`; the API never answers with HTML, nor pages with JSON.
pub fn router(state: AppState) -> Router<AppState> {
    // The pages that sign in or hand out links share the API's per-address limit.
    let limited = Router::new()
        .route("/signup", get(auth::signup_page).post(auth::signup))
        .route("/login", get(auth::login_page).post(auth::login))
        .route(
            "/forgot-password",
            get(auth::forgot_page).post(auth::forgot),
        )
        .route("/reset-password", get(auth::reset_page).post(auth::reset))
        .route("/verify-email", get(auth::verify_page).post(auth::verify))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::rate_limit::limit_auth,
        ));
    Router::new()
        .route("/", get(home::home))
        .route("/assets/{file}", get(assets::serve))
        .merge(limited)
        .route("/logout", post(auth::logout))
        .route("/welcome", get(onboarding::welcome))
        .route("/organizations", post(onboarding::create_organization))
        .route(
            "/invitations/{id}/accept",
            post(onboarding::accept_invitation),
        )
        .route(
            "/invitations/accept",
            get(onboarding::accept_link).post(onboarding::accept_by_token),
        )
        .route("/oneonones", get(oneonones::list).post(oneonones::create))
        .route("/oneonones/new", get(oneonones::new_page))
        .route(
            "/oneonones/{id}",
            get(oneonones::detail).post(oneonones::update),
        )
        .route("/oneonones/{id}/edit", get(oneonones::edit_page))
        .route("/oneonones/{id}/delete", post(oneonones::delete))
        .route("/oneonones/{id}/event.ics", get(conversation::event))
        .route("/oneonones/{id}/points", post(conversation::add_point))
        .route(
            "/oneonones/{id}/points/{pid}",
            post(conversation::edit_point),
        )
        .route(
            "/oneonones/{id}/points/{pid}/done",
            post(conversation::check_point),
        )
        .route(
            "/oneonones/{id}/points/{pid}/move",
            post(conversation::move_point),
        )
        .route(
            "/oneonones/{id}/points/{pid}/delete",
            post(conversation::delete_point),
        )
        .route(
            "/oneonones/{id}/points/{pid}/task",
            post(conversation::make_task),
        )
        .route(
            "/oneonones/{id}/private-notes",
            post(conversation::save_private_notes),
        )
        .route(
            "/oneonones/{id}/points/order",
            post(conversation::reorder_points),
        )
        .route("/oneonones/{id}/live", get(conversation::live))
        .route("/oneonones/{id}/notes", post(conversation::save_notes))
        .route("/oneonones/with/{id}", get(conversation::series_page))
        .route("/handoffs/{id}", post(conversation::decide_handoff))
        .route(
            "/oneonones/with/{id}/cadence",
            post(conversation::set_cadence),
        )
        .route(
            "/oneonones/with/{id}/schedule",
            post(conversation::set_schedule),
        )
        .route(
            "/oneonones/with/{id}/schedule/end",
            post(conversation::end_schedule),
        )
        .route("/oneonones/{id}/skip", post(conversation::skip))
        .route(
            "/initiatives",
            get(initiatives::list).post(initiatives::create),
        )
        .route("/initiatives/new", get(initiatives::new_page))
        .route(
            "/initiatives/{id}",
            get(initiatives::initiative).post(initiatives::update),
        )
        .route("/initiatives/{id}/edit", get(initiatives::edit_page))
        .route("/initiatives/{id}/delete", post(initiatives::delete))
        .route("/initiatives/{id}/check-ins", post(initiatives::check_in))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/new", get(campaigns::new_page))
        .route(
            "/campaigns/{id}",
            get(campaigns::campaign).post(campaigns::update),
        )
        .route("/campaigns/{id}/edit", get(campaigns::edit_page))
        .route("/campaigns/{id}/status", post(campaigns::set_status))
        .route("/campaigns/{id}/delete", post(campaigns::delete))
        .route("/feedback", get(campaigns::public).post(campaigns::answer))
        .route("/meetings", get(meetings::list).post(meetings::create))
        .route("/meetings/new", get(meetings::new_page))
        .route(
            "/meetings/{id}",
            get(meetings::meeting).post(meetings::update),
        )
        .route("/meetings/{id}/edit", get(meetings::edit_page))
        .route("/meetings/{id}/delete", post(meetings::delete))
        .route("/meetings/{id}/event.ics", get(meetings::event))
        .route("/meetings/{id}/instances", post(meetings::add_instance))
        .route("/meeting-instances/{id}", post(meetings::update_instance))
        .route(
            "/meeting-instances/{id}/edit",
            get(meetings::instance_edit_page),
        )
        .route(
            "/meeting-instances/{id}/delete",
            post(meetings::delete_instance),
        )
        .route("/reports", get(reports::list).post(reports::create))
        .route("/reports/new", get(reports::new_page))
        .route("/reports/run", get(reports::run_now))
        .route("/reports/run/csv", get(reports::run_now_csv))
        .route("/reports/{id}", get(reports::report).post(reports::update))
        .route("/reports/{id}/edit", get(reports::edit_page))
        .route("/reports/{id}/csv", get(reports::csv))
        .route("/reports/{id}/delete", post(reports::delete))
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route("/tasks/new", get(tasks::new_page))
        .route("/tasks/board", get(tasks::board))
        .route("/tasks/{id}", get(tasks::task).post(tasks::update))
        .route("/tasks/{id}/edit", get(tasks::edit_page))
        .route("/tasks/{id}/delete", post(tasks::delete))
        .route("/tasks/{id}/status", post(tasks::move_task))
        .route("/people", get(people::directory).post(people::create))
        .route("/people/new", get(people::new_page))
        .route("/people/chart", get(people::chart))
        .route("/people/chart/{id}", get(people::chart_level))
        .route("/people/pick", get(picker::pick))
        .route("/people/{id}", get(people::person).post(people::update))
        .route("/people/{id}/edit", get(people::edit_page))
        .route("/people/{id}/delete", post(people::delete))
        .route(
            "/people/{id}/feedback",
            get(feedback::give_page).post(feedback::give),
        )
        .route("/feedback/{id}", post(feedback::update))
        .route("/feedback/{id}/edit", get(feedback::edit_page))
        .route("/feedback/{id}/delete", post(feedback::delete))
        .route("/teams", get(teams::list).post(teams::create))
        .route("/teams/new", get(teams::new_page))
        .route("/teams/{id}", get(teams::team).post(teams::update))
        .route("/teams/{id}/edit", get(teams::edit_page))
        .route("/teams/{id}/delete", post(teams::delete))
        .route("/teams/{id}/members", post(teams::add_member))
        .route("/organization", get(organization::overview))
        .route("/organization/audit", get(audit::page))
        .route("/organization/oneonones", get(all_oneonones::page))
        .route("/organization/invitations", post(organization::invite))
        .route(
            "/organization/invitations/{id}/revoke",
            post(organization::revoke),
        )
        .route(
            "/organization/invitations/{id}/reactivate",
            post(organization::reactivate),
        )
        .route(
            "/organization/members/{id}/role",
            post(organization::change_role),
        )
        .route(
            "/organization/members/{id}/remove",
            post(organization::remove),
        )
        .route("/organization/links", post(organization::link))
        .route(
            "/organization/members/{id}/unlink",
            post(organization::unlink),
        )
        .route("/account", get(account::page))
        .route("/account/link", post(account::link))
        .route("/account/unlink", post(account::unlink))
        .route("/account/leave", post(account::leave))
        .route("/account/verification", post(account::resend_verification))
        .route("/account/calendar-feed", post(account::new_feed))
        .route("/account/notifications", post(account::save_notifications))
        .route(
            "/unsubscribe/{token}",
            get(account::unsubscribe_page).post(account::unsubscribe),
        )
        .route("/account/calendar-feed/revoke", post(account::revoke_feed))
        .route(
            "/account/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route(
            "/account/sessions/sign-out-elsewhere",
            post(account::sign_out_elsewhere),
        )
        .route("/settings/permissions", get(settings::permissions))
        .route_layer(axum::middleware::from_fn(pages_are_documents))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            with_navigation,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// No inline script or style, nothing from elsewhere, no framing, forms post only here.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// A path to come back to after signing in: only our own, never another site. Browsers
/// drop tabs and line breaks from a URL and read `\\` as `/`, so a path holding any of them
/// (or any control character or space) could turn into `//elsewhere`: refused.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            n
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        for ok in [
            "/",
            "/oneonones?search=a%20b",
            "/invitations/accept?token=x",
        ] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//evil.example",
            "/\tevil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "/ /evil.example",
            "https://evil.example",
            "evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
