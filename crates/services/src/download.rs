//! Downloads both front ends answer with.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};

/// An iCalendar answer, offered as a file named `filename` when one is given (a subscribed
/// feed is not).
pub fn ics(body: String, filename: Option<&str>) -> Response {
    let mut r = (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response();
    if let Some(name) = filename
        && let Ok(v) = format!("attachment; filename=\"{name}\"").parse()
    {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
