//! Who is asking a page: `Ctx` (the caller from the session cookie, the form token, the
//! flash message), the `Layout` every page shares, and rendering.

use super::*;

pub(crate) const CSRF_COOKIE: &str = "manageros_csrf";
pub(crate) const FLASH_COOKIE: &str = "manageros_flash";

/// The form token of a session: an HMAC of the session's stored hash under the server's form
/// key (`Config::form_key`, the same on every replica), so it needs no storage, changes with
/// every sign-in, and cannot be computed from the session alone, not even by someone who
/// read the sessions table.
pub(crate) fn session_csrf(key: &crate::config::FormKey, token_hash: &str) -> String {
    key.sign("csrf", &[token_hash])
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
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
pub(crate) fn here(parts: &Parts, origin: &str) -> String {
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
                // Reports are for whoever can run them: admins, and managers over their line.
                if crate::services::permissions::holds(&actor, Action::ReportTeam).allowed {
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

    pub(crate) fn with_cookies(&self, mut r: Response) -> Response {
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

pub(crate) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => PageError::Api(ApiError::internal(e)).into_response(),
    }
}

pub(crate) fn percent_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub(crate) fn percent_decode(s: &str) -> Option<String> {
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
