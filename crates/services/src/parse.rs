//! What the services make of the text a request carries, whichever front end it came
//! through: pagination, list filters, optional fields and time bounds. Each returns the
//! service's own message for the field, so the API's 400 and a page's message next to the
//! field say the same.

use crate::error::FieldErrors;
use manageros_core::{Email, Invalid, Page};

/// `page` and `limit` of a paginated list (docs/API.md §1): the one pagination extractor of
/// every list, JSON or page. It keeps the text as sent; the service parses it with
/// [`Paging::parse`] after its permission check, beside the list's other parameters, so that
/// every bad parameter is named in one 400.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, ≥ 1 (default 1).
    #[param(value_type = Option<crate::input::PageNumber>, inline)]
    pub page: Option<String>,
    /// Items per page, 1–100 (default 20).
    #[param(value_type = Option<crate::input::PageSize>, inline)]
    pub limit: Option<String>,
}

impl Paging {
    /// The page asked for, or its errors recorded under `page` and `limit`.
    pub fn parse(&self, errors: &mut crate::error::FieldErrors) -> manageros_core::Page {
        page_from(self.page.as_deref(), self.limit.as_deref(), errors)
    }
}

/// `page` and `limit` as every list accepts them, plus the list's own checks in `errors`.
pub fn page_from(page: Option<&str>, limit: Option<&str>, errors: &mut FieldErrors) -> Page {
    let page = errors.take("page", Page::parse_page(page)).unwrap_or(1);
    let limit = errors
        .take("limit", Page::parse_limit(limit))
        .unwrap_or(Page::DEFAULT_LIMIT);
    Page { page, limit }
}

/// An id given as a list filter: `Some(None)` when the filter is absent, `None` when it has
/// the wrong shape (it names nothing, so the list is empty).
pub fn filter_id<T>(raw: Option<&str>, parse: fn(&str) -> Option<T>) -> Option<Option<T>> {
    match raw {
        None => Some(None),
        Some(s) => parse(s).map(Some),
    }
}

/// A search term: trimmed, `None` when blank, at most 200 characters.
pub fn search_from(raw: Option<&str>, errors: &mut FieldErrors) -> Option<String> {
    let s = raw?.trim();
    if s.is_empty() {
        return None;
    }
    errors.take("search", manageros_core::bounded_text(s, "search", 1, 200))
}

/// A list's filter by one value of a closed set: absent or empty (`status=`, as a form's
/// "any" choice sends it) is no filter; anything else must be one of the set.
pub fn filter<T>(
    raw: Option<&str>,
    parse: fn(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, Invalid> {
    raw.filter(|s| !s.is_empty()).map(parse).transpose()
}

/// An optional text field: blank means none.
pub fn optional_text(raw: Option<&str>, what: &str, max: usize) -> Result<Option<String>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => manageros_core::bounded_text(s, what, 1, max).map(Some),
    }
}

/// Optional single-line text (a job title, a location): blank means none.
pub fn optional_line(raw: Option<&str>, what: &str, max: usize) -> Result<Option<String>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => manageros_core::single_line(s, what, 1, max).map(Some),
    }
}

/// An optional email: blank means none.
pub fn optional_email(raw: Option<&str>) -> Result<Option<Email>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Email::parse(s).map(Some),
    }
}

/// A lower bound on a time filter: an RFC 3339 timestamp, or a date `YYYY-MM-DD` meaning the
/// start of that UTC day (inclusive).
pub fn time_from(raw: &str, what: &str) -> Result<manageros_core::Timestamp, Invalid> {
    manageros_core::Timestamp::parse_rfc3339(raw)
        .or_else(|| manageros_core::Timestamp::parse_utc_day(raw).map(|(start, _)| start))
        .ok_or_else(|| {
            Invalid(format!(
                "{what} must be an RFC 3339 timestamp with an offset, or a date YYYY-MM-DD"
            ))
        })
}

/// An upper bound on a time filter, returned as the exclusive end: a timestamp includes itself,
/// a date `YYYY-MM-DD` includes that whole UTC day.
pub fn time_until(raw: &str, what: &str) -> Result<manageros_core::Timestamp, Invalid> {
    manageros_core::Timestamp::parse_rfc3339(raw)
        .map(|t| t.plus_millis(1))
        .or_else(|| manageros_core::Timestamp::parse_utc_day(raw).map(|(_, end)| end))
        .ok_or_else(|| {
            Invalid(format!(
                "{what} must be an RFC 3339 timestamp with an offset, or a date YYYY-MM-DD"
            ))
        })
}

/// The `scheduledFrom` / `scheduledTo` filters of a list: the inclusive start and the exclusive
/// end, each refused on its own field when malformed.
pub fn scheduled_between(
    from: Option<&str>,
    to: Option<&str>,
    errors: &mut crate::error::FieldErrors,
) -> (
    Option<manageros_core::Timestamp>,
    Option<manageros_core::Timestamp>,
) {
    let from = errors
        .take(
            "scheduledFrom",
            from.map(|s| time_from(s, "scheduledFrom")).transpose(),
        )
        .flatten();
    let before = errors
        .take(
            "scheduledTo",
            to.map(|s| time_until(s, "scheduledTo")).transpose(),
        )
        .flatten();
    (from, before)
}
