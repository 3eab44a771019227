//! Refusals as pages: `PageError`, the error page, `with_navigation` and `errors_as_pages`
//! (every error a browser gets outside `/api` is a page), and `pages_are_documents`.

use super::*;

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
pub(crate) struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    message: String,
    /// On a refusal (403) of a member: their organization's admins, whom to ask.
    ask: Vec<String>,
}

/// A refusal shown as a page, kept on the response so that [`with_navigation`] can draw it
/// again inside the caller's own navigation.
#[derive(Clone)]
pub(crate) struct Failure {
    status: StatusCode,
    heading: &'static str,
    message: String,
}

impl Failure {
    pub(crate) fn page(&self, layout: Layout) -> ErrorPage {
        ErrorPage {
            layout,
            status: self.status.as_u16(),
            heading: self.heading,
            message: self.message.clone(),
            ask: vec![],
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
pub(crate) async fn redraw_for_caller(
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
    let mut page = failure.page(layout);
    if failure.status == StatusCode::FORBIDDEN
        && let Some(u) = &ctx.user
        && u.user.role != manageros_core::Role::Admin
    {
        page.ask = crate::services::members::admins_to_ask(state, &u.user)
            .await
            .unwrap_or_default();
    }
    let redrawn = render(failure.status, &page);
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
pub(crate) fn failure_page(status: StatusCode, message: String) -> Response {
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
pub(crate) fn for_machines(path: &str) -> bool {
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
    let page = Response::from_parts(parts, body);
    // This layer is outside the request deadline: a timeout, a rate limit or an outage is
    // shown without the caller's navigation, so that it costs no session lookup when the
    // database is what is slow or the client is what floods.
    if matches!(
        status,
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS
    ) || status.is_server_error()
    {
        return page;
    }
    redraw_for_caller(&state, uri, headers, page).await
}

/// A page is read by navigating to it (`Sec-Fetch-Dest: document`), or by its own htmx
/// requests (`empty`); a browser that sends no fetch metadata is let through. Fetched as an
/// image, a frame, a script or a style — a Markdown image `![x](/oneonones/{id})` in a task
/// description an admin opens — it is refused before any handler runs, so nothing is read and
/// no view is logged (issue 24). The assets are what those requests are for.
pub(crate) async fn pages_are_documents(req: Request, next: axum::middleware::Next) -> Response {
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
