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
pub mod assets;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod conversation;
pub mod feedback;
pub mod home;
pub mod initiatives;
pub mod meetings;
pub mod onboarding;
pub mod oneonones;
pub mod organization;
pub mod people;
pub mod reports;
pub mod settings;
pub mod tasks;
pub mod teams;

use crate::{
    app::BODY_LIMIT,
    error::ApiError,
    extract::CurrentUser,
    services::permissions::may,
    session::{self, token_from_headers},
    state::AppState,
};
use askama::Template;
use axum::{
    Router,
    extract::{FromRequest, FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use data_encoding::HEXLOWER;
use manageros_core::authz::{Action, OrgAction};
use serde::de::DeserializeOwned;
use sha2::Sha256;
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
        .route("/oneonones/with/{id}", get(conversation::series_page))
        .route("/handoffs/{id}", post(conversation::decide_handoff))
        .route(
            "/oneonones/with/{id}/cadence",
            post(conversation::set_cadence),
        )
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
        .route("/organization", get(organization::overview))
        .route("/organization/audit", get(audit::page))
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

/// A page is read by navigating to it (`Sec-Fetch-Dest: document`), or by its own htmx
/// requests (`empty`); a browser that sends no fetch metadata is let through. Fetched as an
/// image, a frame, a script or a style — a Markdown image `![x](/oneonones/{id})` in a task
/// description an admin opens — it is refused before any handler runs, so nothing is read and
/// no view is logged (issue 24). The assets are what those requests are for.
async fn pages_are_documents(req: Request, next: axum::middleware::Next) -> Response {
    let dest = req
        .headers()
        .get("sec-fetch-dest")
        .map(|v| v.to_str().unwrap_or("?"));
    match dest {
        None | Some("document" | "empty") => next.run(req).await,
        Some(_) if req.uri().path().starts_with("/assets/") => next.run(req).await,
        Some(_) => ApiError::forbidden("A page is opened by navigating to it").into_response(),
    }
}

/// No inline script or style, nothing from elsewhere, no framing, forms post only here.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

// ---------------------------------------------------------------------------------------------
// Who is asking, the form token and the flash message.

const CSRF_COOKIE: &str = "manageros_csrf";
const FLASH_COOKIE: &str = "manageros_flash";

/// The form token of a session: an HMAC of the session's stored hash under the server's form
/// key (`Config::form_key`, the same on every replica), so it needs no storage, changes with
/// every sign-in, and cannot be computed from the session alone, not even by someone who
/// read the sessions table.
fn session_csrf(key: &crate::config::FormKey, token_hash: &str) -> String {
    use hmac::Mac;
    // HMAC takes a key of any length: this cannot fail, and an empty token matches nothing.
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(&key.0) else {
        return String::new();
    };
    mac.update(b"csrf:");
    mac.update(token_hash.as_bytes());
    HEXLOWER.encode(&mac.finalize().into_bytes())[..32].to_owned()
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v)
}

/// The context of one page request.
pub struct Ctx {
    pub user: Option<CurrentUser>,
    /// The token every form of this page carries.
    pub csrf: String,
    /// A token for a signed-out visitor, to be set as a cookie with this answer.
    new_csrf_cookie: Option<String>,
    pub flash: Option<String>,
    /// The path (and query) asked for, to come back to after signing in.
    pub here: String,
    secure: bool,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let user = match CurrentUser::from_request_parts(parts, state).await {
            Ok(u) => Some(u),
            Err(ApiError::Unauthorized) => None,
            Err(e) => return Err(e.into()),
        };
        let (csrf, new_csrf_cookie) = match (&user, cookie(&parts.headers, CSRF_COOKIE)) {
            (Some(u), _) => (session_csrf(&state.config.form_key, &u.token_hash), None),
            (None, Some(c)) if c.len() >= 32 => (c.to_owned(), None),
            (None, _) => {
                let t = session::new_token();
                (t.clone(), Some(t))
            }
        };
        let flash = cookie(&parts.headers, FLASH_COOKIE)
            .and_then(|v| percent_decode(v).filter(|s| !s.is_empty() && s.len() <= 300));
        Ok(Self {
            user,
            csrf,
            new_csrf_cookie,
            flash,
            here: here(parts, &state.config.public_origin),
            secure: state.config.cookie_secure,
        })
    }
}

/// Where to come back to after signing in: the page asked for; for a form sent after the
/// session ended, the page the form was on (our own, by its `Referer`), since the form's
/// address answers only a POST.
fn here(parts: &Parts, origin: &str) -> String {
    let asked = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    if parts.method == axum::http::Method::GET {
        return asked.to_owned();
    }
    parts
        .headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.strip_prefix(origin))
        .filter(|p| p.starts_with('/'))
        .unwrap_or("/")
        .to_owned()
}

impl Ctx {
    /// The signed-in caller, or a redirect to sign in and come back.
    pub fn member(&self) -> Result<&CurrentUser, PageError> {
        self.user
            .as_ref()
            .ok_or_else(|| PageError::SignIn(self.here.clone()))
    }

    /// What the layout shows around a page.
    pub fn layout(&self, title: &str) -> Layout {
        let mut nav = vec![];
        match &self.user {
            None => {
                nav.push(NavItem::new("/login", "Sign in", &self.here));
                nav.push(NavItem::new("/signup", "Sign up", &self.here));
            }
            Some(u) if u.user.organization_id.is_none() => {
                nav.push(NavItem::new("/welcome", "Get started", &self.here));
            }
            Some(u) => {
                let actor = u.actor();
                if u.user.person_id.is_some() {
                    nav.push(NavItem::new("/oneonones", "One-on-ones", &self.here));
                }
                if crate::services::permissions::holds(&actor, Action::TaskView).allowed {
                    nav.push(NavItem::new("/tasks", "Tasks", &self.here));
                }
                if crate::services::permissions::holds(&actor, Action::MeetingView).allowed {
                    nav.push(NavItem::new("/meetings", "Meetings", &self.here));
                }
                if crate::services::permissions::holds(&actor, Action::InitiativeView).allowed {
                    nav.push(NavItem::new("/initiatives", "Initiatives", &self.here));
                }
                if may(&actor, OrgAction::ViewPeople) {
                    nav.push(
                        NavItem::new("/people", "People", &self.here).with(&["/teams"], &self.here),
                    );
                }
                if crate::services::permissions::holds(&actor, Action::FeedbackCampaignCreate)
                    .allowed
                {
                    nav.push(NavItem::new("/campaigns", "Campaigns", &self.here));
                }
                if crate::services::permissions::holds(&actor, Action::ReportView).allowed {
                    nav.push(NavItem::new("/reports", "Reports", &self.here));
                }
                if may(&actor, OrgAction::ViewMembers) {
                    nav.push(NavItem::new("/organization", "Organization", &self.here));
                }
                nav.push(NavItem::new(
                    "/settings/permissions",
                    "Permissions",
                    &self.here,
                ));
                nav.push(NavItem::new("/account", "My account", &self.here));
            }
        }
        Layout {
            title: title.to_owned(),
            user_name: self.user.as_ref().map(|u| u.user.name.clone()),
            nav,
            csrf: self.csrf.clone(),
            flash: self.flash.clone(),
            css: assets::url("app.css"),
            app_js: assets::url("app.js"),
            htmx_js: assets::url("htmx.min.js"),
        }
    }

    /// Renders a page, with the cookies this context owes the browser.
    pub fn render(&self, page: &impl Template) -> Response {
        self.with_cookies(render(StatusCode::OK, page))
    }

    /// Renders a page with another status (a form re-shown with its errors is a 400).
    pub fn render_status(&self, status: StatusCode, page: &impl Template) -> Response {
        self.with_cookies(render(status, page))
    }

    /// A redirect after a successful action, with the message the next page shows.
    pub fn redirect_with(&self, to: &str, message: &str) -> Response {
        let mut r = Redirect::to(to).into_response();
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{FLASH_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60{}",
            percent_encode(message),
            if self.secure { "; Secure" } else { "" }
        )) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        r
    }

    fn with_cookies(&self, mut r: Response) -> Response {
        let secure = if self.secure { "; Secure" } else { "" };
        if let Some(t) = &self.new_csrf_cookie
            && let Ok(v) = HeaderValue::from_str(&format!(
                "{CSRF_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict{secure}"
            ))
        {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        if self.flash.is_some()
            && let Ok(v) = HeaderValue::from_str(&format!(
                "{FLASH_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
            ))
        {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        r
    }
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => PageError::Api(ApiError::internal(e)).into_response(),
    }
}

fn percent_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn percent_decode(s: &str) -> Option<String> {
    url::form_urlencoded::parse(format!("m={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
}

/// The frame around every page.
pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub flash: Option<String>,
    pub css: &'static str,
    pub app_js: &'static str,
    pub htmx_js: &'static str,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl NavItem {
    fn new(href: &'static str, label: &'static str, here: &str) -> Self {
        let path = here.split('?').next().unwrap_or(here);
        Self {
            href,
            label,
            current: under(path, href),
        }
    }

    /// An entry that also stands for other sections (People for Teams too).
    fn with(mut self, also: &[&str], here: &str) -> Self {
        let path = here.split('?').next().unwrap_or(here);
        self.current |= also.iter().any(|a| under(path, a));
        self
    }
}

fn under(path: &str, section: &str) -> bool {
    path == section
        || path
            .strip_prefix(section)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The links between the pages of a list, and where the reader is.
#[derive(Default)]
pub struct Pager {
    pub page: u64,
    pub total_pages: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `url(n)` is the address of page `n` with the list's other parameters kept.
    pub fn new(info: &manageros_core::PageInfo, url: impl Fn(u64) -> String) -> Self {
        Self {
            page: info.page,
            total_pages: info.total_pages,
            prev: info.has_previous_page.then(|| url(info.page - 1)),
            next: info.has_next_page.then(|| url(info.page + 1)),
        }
    }

    /// Whether there is more than one page.
    pub fn shown(&self) -> bool {
        self.total_pages > 1
    }
}

// ---------------------------------------------------------------------------------------------
// Forms.

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A form body, accepted only with this session's (or this visitor's) token and from our own
/// origin: a form another site makes a browser send fails here, before anything is read.
pub struct Posted<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (parts, body) = req.into_parts();
        session::check_same_origin(&parts.headers, &state.config.public_origin)
            .map_err(|_| PageError::Api(ApiError::forbidden(FORGED)))?;
        let bytes = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|_| PageError::Api(ApiError::PayloadTooLarge))?;
        let sent: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| PageError::Api(ApiError::forbidden(FORGED)))?;
        let mut expected = vec![];
        if let Some(t) = token_from_headers(&parts.headers).filter(|t| t.via_cookie) {
            expected.push(session_csrf(
                &state.config.form_key,
                &session::hash_token(&t.token),
            ));
        }
        if let Some(c) = cookie(&parts.headers, CSRF_COOKIE) {
            expected.push(c.to_owned());
        }
        if sent.csrf.is_empty() || !expected.iter().any(|e| same(e, &sent.csrf)) {
            return Err(PageError::Api(ApiError::forbidden(FORGED)));
        }
        let value = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| PageError::Api(ApiError::BadRequest(format!("Invalid form: {e}"))))?;
        Ok(Posted(value))
    }
}

pub const FORGED: &str =
    "This form has expired or was not sent from ManagerOS. Go back, reload the page and try again.";

/// Compares two tokens in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What a form shows after a refused submission: a message per field (the service's own
/// words), or one for the whole form.
#[derive(Default)]
pub struct FormState {
    pub fields: BTreeMap<String, String>,
    pub message: Option<String>,
}

impl FormState {
    /// The error of `field`, if any.
    pub fn err(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The refusal of a form that writes an entity: the form again with its messages, or an
    /// error page when the form cannot help — the entity itself is missing (`not_found`, its
    /// 404 message) or the caller may not do this at all (403, with authz's reason).
    pub fn refusal(e: ApiError, not_found: Option<&str>) -> Result<(StatusCode, Self), PageError> {
        match e {
            e if not_found.is_some() && e.not_found_message() == not_found => {
                Err(PageError::Api(e))
            }
            e if e.forbidden_message().is_some() => Err(PageError::Api(e)),
            e => Ok((e.status(), Self::from_error(e)?)),
        }
    }

    /// A service's refusal, placed next to the fields it names. A 500 is not a form's fault:
    /// it stays an error page.
    /// The answer's status: 400 when a field was refused, else 200.
    pub fn status(&self) -> StatusCode {
        if self.fields.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    pub fn from_error(e: ApiError) -> Result<Self, PageError> {
        match e {
            ApiError::Validation(fields) => Ok(Self {
                fields: fields.into_iter().collect(),
                message: None,
            }),
            ApiError::Internal(_) | ApiError::Unauthorized => Err(PageError::Api(e)),
            other => Ok(Self {
                fields: BTreeMap::new(),
                message: Some(other.to_string()),
            }),
        }
    }
}

/// The caller's organization's people, initiatives and teams by name, for rows and choices
/// (`services::names`: usually from memory, never stale).
pub async fn names(
    state: &AppState,
    ctx: &Ctx,
) -> Result<std::sync::Arc<crate::services::names::Directory>, PageError> {
    let user = ctx.member()?;
    Ok(crate::services::names::of(state, &user.actor(), user.names_version).await?)
}

/// A list whose filters the service may refuse: its rows, or (for a bad filter) none and the
/// messages to show beside the filters. Any other refusal is the page's own (403, 404…).
pub fn listed<T>(
    result: Result<(Vec<T>, manageros_core::PageInfo), ApiError>,
) -> Result<(Vec<T>, manageros_core::PageInfo, FormState), PageError> {
    match result {
        Ok((list, page)) => Ok((list, page, FormState::default())),
        Err(e @ ApiError::Validation(_)) => Ok((
            vec![],
            manageros_core::Page::default().info(0),
            FormState::from_error(e)?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// A form's optional field: trimmed, and empty is none.
pub fn filled(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A form's optional field in an update: empty clears it (`null` in the API).
pub fn filled_or_cleared(s: &str) -> crate::patch::Patch<String> {
    filled(s).map_or(crate::patch::Patch::Null, crate::patch::Patch::Value)
}

// ---------------------------------------------------------------------------------------------
// Refusals as pages.

/// A page that cannot be shown: sign in first, or the service's refusal with its message.
#[derive(Debug)]
pub enum PageError {
    SignIn(String),
    Api(ApiError),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unauthorized => PageError::SignIn("/".into()),
            e => PageError::Api(e),
        }
    }
}

impl From<manageros_core::authz::Refusal> for PageError {
    fn from(r: manageros_core::authz::Refusal) -> Self {
        PageError::Api(r.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    message: String,
}

/// A refusal shown as a page, kept on the response so that [`with_navigation`] can draw it
/// again inside the caller's own navigation.
#[derive(Clone)]
struct Failure {
    status: StatusCode,
    heading: &'static str,
    message: String,
}

impl Failure {
    fn page(&self, layout: Layout) -> ErrorPage {
        ErrorPage {
            layout,
            status: self.status.as_u16(),
            heading: self.heading,
            message: self.message.clone(),
        }
    }
}

/// An error page drawn with the signed-in caller's navigation, so that a refusal is a page
/// of the application, with a way on, not a dead end. A refusal is rendered where it
/// happens without knowing who asked; here, only for those answers, the caller is looked up
/// again and the page redrawn.
pub async fn with_navigation(
    State(state): State<AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let (uri, headers) = (req.uri().clone(), req.headers().clone());
    let response = next.run(req).await;
    redraw_for_caller(&state, uri, headers, response).await
}

/// An error page (one carrying its `Failure`) redrawn with the signed-in caller's navigation.
async fn redraw_for_caller(
    state: &AppState,
    uri: axum::http::Uri,
    headers: HeaderMap,
    mut response: Response,
) -> Response {
    let Some(failure) = response.extensions().get::<Failure>().cloned() else {
        return response;
    };
    let mut again = Request::new(axum::body::Body::empty());
    *again.uri_mut() = uri;
    *again.headers_mut() = headers;
    let (mut parts, _) = again.into_parts();
    let Ok(ctx) = Ctx::from_request_parts(&mut parts, state).await else {
        return response;
    };
    if ctx.user.is_none() {
        return response;
    }
    let mut layout = ctx.layout(failure.heading);
    // The flash waits for the next page, which clears it.
    layout.flash = None;
    let redrawn = render(failure.status, &failure.page(layout));
    let (fresh, body) = redrawn.into_parts();
    // Keep the original answer's headers (Retry-After…), with the new body's length.
    *response.body_mut() = body;
    if let Some(len) = fresh.headers.get(header::CONTENT_LENGTH) {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, len.clone());
    }
    response
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = match self {
            PageError::SignIn(next) => {
                let to = format!("/login?next={}", percent_encode(&next));
                return Redirect::to(&to).into_response();
            }
            PageError::Api(e) => e,
        };
        let status = e.status();
        if let ApiError::Internal(cause) = &e {
            tracing::error!(error = ?cause, "page failed");
        }
        let mut r = failure_page(status, e.to_string());
        if let Some(d) = e.denial() {
            r.extensions_mut().insert(d);
        }
        if let Some(secs) = e.retry_after()
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    }
}

/// The error page of a refusal, without navigation (`with_navigation` adds the caller's).
fn failure_page(status: StatusCode, message: String) -> Response {
    {
        let heading = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::TOO_MANY_REQUESTS => "Too many requests",
            s if s.is_server_error() => "Something went wrong",
            _ => "This did not work",
        };
        let failure = Failure {
            status,
            heading,
            message,
        };
        let page = failure.page(Layout {
            title: heading.to_owned(),
            user_name: None,
            nav: vec![],
            csrf: String::new(),
            flash: None,
            css: assets::url("app.css"),
            app_js: assets::url("app.js"),
            htmx_js: assets::url("htmx.min.js"),
        });
        let mut r = render(status, &page);
        r.extensions_mut().insert(failure);
        r
    }
}

/// Whether `path` is the JSON API's (or another machine's: health, metrics, calendar feeds),
/// which always answers with the envelope.
fn for_machines(path: &str) -> bool {
    path == "/api"
        || path.starts_with("/api/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics")
        || path.starts_with("/calendar/")
}

/// Every error a browser gets outside `/api` is a page of the application with its
/// navigation (issue 24): an unknown page, a refused request the envelope answered (a
/// rate-limited `/login`, an oversized head, a wrong method) and what an extractor refused
/// before any handler ran (a repeated query parameter, a path segment that is no UTF-8).
/// `/api` keeps the envelope. Put outside the routes, so the fallback is covered too.
pub async fn errors_as_pages(
    State(state): State<AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    if for_machines(req.uri().path()) {
        return next.run(req).await;
    }
    let (uri, headers) = (req.uri().clone(), req.headers().clone());
    let response = next.run(req).await;
    let status = response.status();
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    // A page already (an error page, or a form shown again with its messages).
    if !(status.is_client_error() || status.is_server_error()) || is_page {
        return response;
    }
    let message = match response.extensions().get::<crate::error::Refused>() {
        Some(r) => r.0.clone(),
        // Not ours: an extractor's plain-text rejection, which names Rust's view of it.
        None => match status {
            StatusCode::BAD_REQUEST => "This address is not valid: check the link".to_owned(),
            StatusCode::NOT_FOUND => "Not found".to_owned(),
            s => s.canonical_reason().unwrap_or("Error").to_owned(),
        },
    };
    let (mut parts, _) = response.into_parts();
    let (page_parts, body) = failure_page(status, message).into_parts();
    // Keep the original answer's headers (Retry-After…) and marks (a denial), with the
    // page's type and length.
    parts.extensions.extend(page_parts.extensions);
    for h in [header::CONTENT_TYPE, header::CONTENT_LENGTH] {
        parts.headers.remove(&h);
        if let Some(v) = page_parts.headers.get(&h) {
            parts.headers.insert(h, v.clone());
        }
    }
    redraw_for_caller(&state, uri, headers, Response::from_parts(parts, body)).await
}

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
