//! `/api/oneonones` (docs/API.md §6): the caller's one-on-ones, and the access
//! receipt of each.

use crate::{
    api::schema::{PaginationView, page_from, time_from, time_until},
    error::{ApiError, ErrorBody, FieldErrors},
    extract::{AppJson, AppPath, AppQuery, CurrentUser},
    services::oneonones::{self, OneOnOneDraft},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::{
    Invalid, Timestamp,
    authz::{self, Action},
};
use manageros_store::repo::oneonones::{
    self as repo, ListQuery, OneOnOneWithPeople, Party, SortField, SortKey,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct UserRef {
    pub id: String,
}

/// One of the two people of a one-on-one.
#[derive(Serialize, ToSchema)]
pub struct PartyView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// The person's job title.
    pub role: Option<String>,
    /// The user linked to the person, if any.
    pub user: Option<UserRef>,
}

impl From<&Party> for PartyView {
    fn from(p: &Party) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            email: p.email.clone(),
            role: p.role.clone(),
            user: p.user_id.as_ref().map(|u| UserRef { id: u.to_string() }),
        }
    }
}

/// A one-on-one: `managerId` is the first participant, `reportId` the second.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OneOnOneView {
    pub id: String,
    pub manager_id: String,
    pub report_id: String,
    #[schema(format = DateTime)]
    pub scheduled_at: String,
    pub notes: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub manager: PartyView,
    pub report: PartyView,
}

impl From<&OneOnOneWithPeople> for OneOnOneView {
    fn from(o: &OneOnOneWithPeople) -> Self {
        let one = &o.one_on_one;
        Self {
            id: one.id.to_string(),
            manager_id: one.manager_id.to_string(),
            report_id: one.report_id.to_string(),
            scheduled_at: one.scheduled_at.to_rfc3339(),
            notes: one.notes.clone(),
            created_at: one.created_at.to_rfc3339(),
            updated_at: one.updated_at.to_rfc3339(),
            manager: PartyView::from(&o.manager),
            report: PartyView::from(&o.report),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OneOnOnesResponse {
    pub one_on_ones: Vec<OneOnOneView>,
    pub pagination: PaginationView,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OneOnOneResponse {
    pub one_on_one: OneOnOneView,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OneOnOnesQuery {
    /// Page number, ≥ 1 (default 1).
    pub page: Option<String>,
    /// Items per page, 1–100 (default 20).
    pub limit: Option<String>,
    /// Inclusive: an RFC 3339 timestamp, or a date `YYYY-MM-DD` from the start of that UTC day.
    pub scheduled_from: Option<String>,
    /// Inclusive: an RFC 3339 timestamp, or a date `YYYY-MM-DD` to the end of that UTC day.
    pub scheduled_to: Option<String>,
    /// Case-insensitive substring of either person's name or of the notes.
    pub search: Option<String>,
    /// Comma-separated `field:direction`; fields `scheduledAt`, `manager`, `report`; direction
    /// `asc` (default) or `desc`. Default `scheduledAt:desc`.
    pub sort: Option<String>,
    /// A JSON object with optional `scheduledFrom`, `scheduledTo`, `search`, overriding the
    /// parameters of the same name.
    pub immutable_filters: Option<String>,
}

/// Parses `sort`: comma-separated `field[:direction]`, each field at most once.
pub fn parse_sort(raw: Option<&str>) -> Result<Vec<SortKey>, Invalid> {
    let default = vec![SortKey {
        field: SortField::ScheduledAt,
        descending: true,
    }];
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(default);
    };
    let mut keys: Vec<SortKey> = Vec::new();
    for part in raw.split(',') {
        let (field, dir) = match part.trim().split_once(':') {
            Some((f, d)) => (f.trim(), d.trim()),
            None => (part.trim(), "asc"),
        };
        let field = match field {
            "scheduledAt" => SortField::ScheduledAt,
            "manager" => SortField::Manager,
            "report" => SortField::Report,
            other => {
                return Err(Invalid(format!(
                    "Invalid sort field {other:?}: use scheduledAt, manager or report"
                )));
            }
        };
        let descending = match dir {
            "asc" => false,
            "desc" => true,
            other => {
                return Err(Invalid(format!(
                    "Invalid sort direction {other:?}: use asc or desc"
                )));
            }
        };
        if keys.iter().any(|k| k.field == field) {
            return Err(Invalid::new("Each sort field may appear once"));
        }
        keys.push(SortKey { field, descending });
    }
    Ok(keys)
}

/// The filters `immutableFilters` fixes, each overriding its query parameter when present.
#[derive(Debug, Default)]
struct Immutable {
    scheduled_from: Option<String>,
    scheduled_to: Option<String>,
    search: Option<String>,
}

fn parse_immutable(raw: Option<&str>) -> Result<Immutable, Invalid> {
    let Some(raw) = raw else {
        return Ok(Immutable::default());
    };
    let invalid = || Invalid::new("Invalid immutableFilters parameter");
    let obj = match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(o)) => o,
        _ => return Err(invalid()),
    };
    let mut out = Immutable::default();
    for (k, v) in obj {
        let value = match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            _ => {
                return Err(Invalid(format!(
                    "Invalid immutableFilters parameter: {k} must be a string"
                )));
            }
        };
        match k.as_str() {
            "scheduledFrom" => out.scheduled_from = value,
            "scheduledTo" => out.scheduled_to = value,
            "search" => out.search = value,
            other => {
                return Err(Invalid(format!(
                    "Invalid immutableFilters parameter: unknown filter {other:?} (use scheduledFrom, scheduledTo, search)"
                )));
            }
        }
    }
    Ok(out)
}

/// The caller's one-on-ones (as manager or report), admins included.
#[utoipa::path(get, path = "/api/oneonones", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(OneOnOnesQuery),
    responses((status = 200, body = OneOnOnesResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "User must belong to an organization to view one-on-ones / No person record found for current user")))]
pub async fn list_oneonones(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<OneOnOnesQuery>,
) -> Result<AppJson<OneOnOnesResponse>, ApiError> {
    let (org, participant) = authz::oneonone_list_scope(&caller.actor())?;
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    let sort = errors.take("sort", parse_sort(q.sort.as_deref()));
    let fixed = errors.take(
        "immutableFilters",
        parse_immutable(q.immutable_filters.as_deref()),
    );
    let fixed = fixed.unwrap_or_default();
    let from = fixed.scheduled_from.or(q.scheduled_from);
    let to = fixed.scheduled_to.or(q.scheduled_to);
    let search = fixed.search.or(q.search);
    let scheduled_from = errors
        .take(
            "scheduledFrom",
            from.as_deref()
                .map(|s| time_from(s, "scheduledFrom"))
                .transpose(),
        )
        .flatten();
    let scheduled_before = errors
        .take(
            "scheduledTo",
            to.as_deref()
                .map(|s| time_until(s, "scheduledTo"))
                .transpose(),
        )
        .flatten();
    let search = crate::api::schema::search_from(search.as_deref(), &mut errors);
    errors.finish()?;
    let lq = ListQuery {
        participant,
        scheduled_from,
        scheduled_before,
        search,
        sort: sort.unwrap_or_default(),
        page,
    };
    let (list, total) = repo::list(&state.db, &org, &lq).await?;
    Ok(AppJson(OneOnOnesResponse {
        one_on_ones: list.iter().map(OneOnOneView::from).collect(),
        pagination: page.info(total).into(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OneOnOneRequest {
    /// The first participant (stored as `managerId`).
    pub participant1_id: Option<String>,
    /// The second participant (stored as `reportId`).
    pub participant2_id: Option<String>,
    /// RFC 3339 with an offset.
    pub scheduled_at: Option<String>,
    /// Up to 20,000 characters.
    pub notes: Option<String>,
}

/// Validates a create/update body, in the spec's order of messages.
fn draft(body: OneOnOneRequest) -> Result<OneOnOneDraft, ApiError> {
    let mut errors = FieldErrors::default();
    let p1 = body
        .participant1_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let p2 = body
        .participant2_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if p1.is_none() {
        errors.push("participant1Id", "Participant 1 is required");
    }
    if p2.is_none() {
        errors.push("participant2Id", "Participant 2 is required");
    }
    let scheduled_at = match body
        .scheduled_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => {
            errors.push("scheduledAt", "Date is required");
            None
        }
        Some(s) => errors.take(
            "scheduledAt",
            Timestamp::parse_rfc3339(s).ok_or_else(|| {
                Invalid::new(
                    "Date must be an RFC 3339 timestamp with an offset (e.g. 2025-10-20T14:00:00Z)",
                )
            }),
        ),
    };
    if let (Some(a), Some(b)) = (p1, p2)
        && a == b
    {
        errors.push(
            "participant2Id",
            "Both participants must be different people",
        );
    }
    let notes = errors
        .take(
            "notes",
            body.notes
                .as_deref()
                .map(|n| manageros_core::long_text(n, "Notes", 20_000))
                .transpose(),
        )
        .flatten()
        .filter(|n| !n.trim().is_empty());
    errors.finish()?;
    match (p1, p2, scheduled_at) {
        (Some(a), Some(b), Some(at)) => Ok(OneOnOneDraft {
            participant1: a.to_owned(),
            participant2: b.to_owned(),
            scheduled_at: at,
            notes,
        }),
        _ => Err(ApiError::internal(anyhow::anyhow!(
            "validated one-on-one fields missing"
        ))),
    }
}

/// Schedule a one-on-one (createOneOnOne). A non-admin must be one of the two participants.
#[utoipa::path(post, path = "/api/oneonones", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    request_body = OneOnOneRequest,
    responses((status = 201, body = OneOnOneResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_oneonone(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<OneOnOneRequest>,
) -> Result<(StatusCode, AppJson<OneOnOneResponse>), ApiError> {
    let actor = caller.actor();
    authz::authorize_oneonone_caller(&actor)?;
    authz::authorize_general(&actor, Action::OneOnOneCreate, None)?;
    let o = oneonones::create(&state, &actor, draft(body)?).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(OneOnOneResponse {
            one_on_one: OneOnOneView::from(&o),
        }),
    ))
}

/// A one-on-one (getOneOnOneById): its participants, and admins (who are logged).
#[utoipa::path(get, path = "/api/oneonones/{id}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OneOnOneResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "One-on-one not found or you do not have access to it")))]
pub async fn get_oneonone(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<OneOnOneResponse>, ApiError> {
    let o = oneonones::get(&state, &caller.actor(), &id).await?;
    Ok(AppJson(OneOnOneResponse {
        one_on_one: OneOnOneView::from(&o),
    }))
}

/// Change a one-on-one (updateOneOnOne): the same body as creating one.
#[utoipa::path(put, path = "/api/oneonones/{id}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = OneOnOneRequest,
    responses((status = 200, body = OneOnOneResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_oneonone(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<OneOnOneRequest>,
) -> Result<AppJson<OneOnOneResponse>, ApiError> {
    let actor = caller.actor();
    // Who may not change it learns nothing from a 400.
    oneonones::check(&state, &actor, &id, Action::OneOnOneEdit).await?;
    let o = oneonones::update(&state, &actor, &id, draft(body)?).await?;
    Ok(AppJson(OneOnOneResponse {
        one_on_one: OneOnOneView::from(&o),
    }))
}

/// Delete a one-on-one.
#[utoipa::path(delete, path = "/api/oneonones/{id}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_oneonone(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    oneonones::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReaderView {
    pub user_id: String,
    pub name: String,
    /// `participant` or `admin`.
    pub why: &'static str,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogEntryView {
    #[schema(format = DateTime)]
    pub at: String,
    pub user_id: String,
    pub name: String,
    /// `view`, `edit` or `delete`.
    pub action: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessResponse {
    pub can_access: Vec<ReaderView>,
    pub log: Vec<AccessLogEntryView>,
}

/// The access receipt (participants only): who may open this one-on-one and why, and every
/// view, edit or delete by someone not taking part in it.
#[utoipa::path(get, path = "/api/oneonones/{id}/access", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AccessResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn oneonone_access(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<AccessResponse>, ApiError> {
    let (readers, log) = oneonones::access(&state, &caller.actor(), &id).await?;
    Ok(AppJson(AccessResponse {
        can_access: readers
            .into_iter()
            .map(|r| ReaderView {
                user_id: r.user_id,
                name: r.name,
                why: r.why,
            })
            .collect(),
        log: log
            .into_iter()
            .map(|e| AccessLogEntryView {
                at: e.at.to_rfc3339(),
                user_id: e.user_id.to_string(),
                name: e.name,
                action: e.action,
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_parsing() {
        let keys = parse_sort(Some("scheduledAt:desc, manager:asc,report")).unwrap();
        assert_eq!(
            keys,
            vec![
                SortKey {
                    field: SortField::ScheduledAt,
                    descending: true
                },
                SortKey {
                    field: SortField::Manager,
                    descending: false
                },
                SortKey {
                    field: SortField::Report,
                    descending: false
                },
            ]
        );
        assert_eq!(
            parse_sort(None).unwrap(),
            vec![SortKey {
                field: SortField::ScheduledAt,
                descending: true
            }]
        );
        for bad in [
            "notes:asc",
            "manager:up",
            "manager:asc,manager:desc",
            "scheduledAt:",
            "scheduledAt;drop table",
        ] {
            assert!(parse_sort(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn immutable_filters_parsing() {
        assert!(parse_immutable(Some("[1]")).is_err());
        assert_eq!(
            parse_immutable(Some("nope")).unwrap_err().0,
            "Invalid immutableFilters parameter"
        );
        assert!(parse_immutable(Some(r#"{"search": 5}"#)).is_err());
        assert!(parse_immutable(Some(r#"{"color": "red"}"#)).is_err());
        let f = parse_immutable(Some(r#"{"search": "q", "scheduledFrom": null}"#)).unwrap();
        assert_eq!((f.search.as_deref(), f.scheduled_from), (Some("q"), None));
    }
}
