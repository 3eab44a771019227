//! Saved reports and running them. Two kinds:
//!
//! - `oneonone-cadence` `{from?, to?}`: per manager/report pair, the last and next one-on-one
//!   and how many fell in the period (default: the 90 days up to now). Dates and counts only:
//!   a report never shows notes.
//! - `task-status` `{assigneeId?, initiativeId?}`: task counts by assignee and status.

use crate::{
    access, api::schema::time_from, api::schema::time_until, error::ApiError, services::refs,
    state::AppState,
};
use manageros_core::{
    InitiativeId, OrgId, PersonId, ReportId, ReportKind, Timestamp, UserId,
    authz::{self, Action, Actor, Kind},
    time::DAY_MS,
};
use manageros_store::{
    ConnectionTrait, begin_write,
    repo::{
        oneonones, persons,
        reports::{self, Report},
        tasks,
    },
};
use serde_json::{Map, Value, json};

pub const PERSON_NOT_FOUND: &str = "Assignee not found or access denied";
pub const INITIATIVE_NOT_FOUND: &str = "Initiative not found or access denied";

/// Loads a report of the caller's organization and authorizes `action` on it.
pub async fn authorized(
    db: &impl ConnectionTrait,
    actor: &Actor,
    raw_id: &str,
    action: Action,
) -> Result<(OrgId, Report), ApiError> {
    let org = access::org_for(actor, action)?;
    let id = access::id_or_404(raw_id, ReportId::parse, Kind::Report)?;
    let r = reports::find(db, &org, &id)
        .await?
        .ok_or_else(|| access::not_found(Kind::Report))?;
    authz::authorize(actor, action, &r.target())?;
    Ok((org, r))
}

fn string_param<'a>(
    params: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a str>, ApiError> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(ApiError::invalid(
            "parameters",
            format!("{key} must be a string"),
        )),
    }
}

/// Checks `parameters` against the kind, and returns them in their stored form.
async fn check_parameters(
    db: &impl ConnectionTrait,
    org: &OrgId,
    kind: ReportKind,
    parameters: Value,
) -> Result<Value, ApiError> {
    let params = match parameters {
        Value::Null => Map::new(),
        Value::Object(m) => m,
        _ => {
            return Err(ApiError::invalid(
                "parameters",
                "Parameters must be a JSON object",
            ));
        }
    };
    let allowed: &[&str] = match kind {
        ReportKind::OneOnOneCadence => &["from", "to"],
        ReportKind::TaskStatus => &["assigneeId", "initiativeId"],
    };
    if let Some(unknown) = params.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            "parameters",
            format!(
                "Unknown parameter {unknown:?} for a {} report (allowed: {})",
                kind.as_str(),
                allowed.join(", ")
            ),
        ));
    }
    let mut out = Map::new();
    match kind {
        ReportKind::OneOnOneCadence => {
            let from = string_param(&params, "from")?
                .map(|f| time_from(f, "from").map_err(|e| ApiError::invalid("parameters", e.0)))
                .transpose()?;
            let to = string_param(&params, "to")?
                .map(|t| time_until(t, "to").map_err(|e| ApiError::invalid("parameters", e.0)))
                .transpose()?;
            if let (Some(f), Some(t)) = (from, to)
                && t <= f
            {
                return Err(ApiError::invalid(
                    "parameters",
                    "to must not be before from",
                ));
            }
            for key in ["from", "to"] {
                if let Some(v) = string_param(&params, key)? {
                    out.insert(key.into(), Value::String(v.trim().to_owned()));
                }
            }
        }
        ReportKind::TaskStatus => {
            if let Some(a) = string_param(&params, "assigneeId")? {
                let id = refs::person(db, org, a, PERSON_NOT_FOUND).await?;
                out.insert("assigneeId".into(), Value::String(id.into_string()));
            }
            if let Some(i) = string_param(&params, "initiativeId")? {
                let id = refs::initiative(db, org, i, INITIATIVE_NOT_FOUND).await?;
                out.insert("initiativeId".into(), Value::String(id.into_string()));
            }
        }
    }
    Ok(Value::Object(out))
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    by: &UserId,
    name: String,
    kind: ReportKind,
    parameters: Value,
) -> Result<Report, ApiError> {
    let org = access::org_for(actor, Action::ReportCreate)?;
    authz::authorize_general(actor, Action::ReportCreate, None)?;
    let txn = begin_write(&state.db).await?;
    let parameters = check_parameters(&txn, &org, kind, parameters).await?;
    let id = reports::insert(&txn, &org, by, &name, kind, &parameters, state.now()).await?;
    let r = reports::find(&txn, &org, &id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("report vanished")))?;
    txn.commit().await?;
    Ok(r)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    name: Option<String>,
    kind: Option<ReportKind>,
    parameters: Option<Value>,
) -> Result<Report, ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized(&txn, actor, raw_id, Action::ReportEdit).await?;
    let kind_changed = kind.is_some_and(|k| k != current.kind);
    let kind = kind.unwrap_or(current.kind);
    let parameters = match parameters {
        Some(p) => check_parameters(&txn, &org, kind, p).await?,
        // A new kind does not inherit the old kind's parameters.
        None if kind_changed => json!({}),
        None => current.parameters.clone(),
    };
    reports::update(
        &txn,
        &org,
        &current.id,
        name.as_deref().unwrap_or(&current.name),
        kind,
        &parameters,
        state.now(),
    )
    .await?;
    let r = reports::find(&txn, &org, &current.id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("report vanished")))?;
    txn.commit().await?;
    Ok(r)
}

pub async fn delete(state: &AppState, actor: &Actor, raw_id: &str) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, r) = authorized(&txn, actor, raw_id, Action::ReportDelete).await?;
    reports::delete(&txn, &org, &r.id).await?;
    txn.commit().await?;
    Ok(())
}

/// The result of running a report.
pub struct Run {
    pub report: Report,
    pub generated_at: Timestamp,
    /// What the run covered, e.g. the period of a cadence report.
    pub scope: Value,
    pub rows: Vec<Value>,
}

fn ts(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339()))
}

/// Runs a report (report.access: admins).
pub async fn run(state: &AppState, actor: &Actor, raw_id: &str) -> Result<Run, ApiError> {
    let (org, report) = authorized(&state.db, actor, raw_id, Action::ReportAccess).await?;
    let now = state.now();
    let params = report.parameters.as_object().cloned().unwrap_or_default();
    let text = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_owned);
    let (scope, rows) = match report.kind {
        ReportKind::OneOnOneCadence => {
            // Stored parameters were checked when saved.
            let to = text("to")
                .and_then(|t| time_until(&t, "to").ok())
                .unwrap_or(now);
            let from = text("from")
                .and_then(|f| time_from(&f, "from").ok())
                .unwrap_or(to.plus_millis(-90 * DAY_MS));
            let rows = oneonones::cadence(&state.db, &org, now, from, to)
                .await?
                .into_iter()
                .map(|c| {
                    json!({
                        "managerId": c.manager_id.as_str(),
                        "managerName": c.manager_name,
                        "reportId": c.report_id.as_str(),
                        "reportName": c.report_name,
                        "lastOneOnOneAt": ts(c.last),
                        "nextOneOnOneAt": ts(c.next),
                        "countInPeriod": c.count_in_period,
                    })
                })
                .collect();
            (
                json!({"from": from.to_rfc3339(), "to": to.to_rfc3339()}),
                rows,
            )
        }
        ReportKind::TaskStatus => {
            let assignee = text("assigneeId").and_then(|a| PersonId::parse(&a));
            let initiative = text("initiativeId").and_then(|i| InitiativeId::parse(&i));
            let counts = tasks::count_by_assignee_and_status(
                &state.db,
                &org,
                assignee.as_ref(),
                initiative.as_ref(),
            )
            .await?;
            let ids: Vec<PersonId> = counts.iter().filter_map(|(a, _, _)| a.clone()).collect();
            let names: std::collections::HashMap<PersonId, String> =
                persons::names(&state.db, &org, &ids)
                    .await?
                    .into_iter()
                    .collect();
            let mut rows: Vec<(Option<String>, manageros_core::TaskStatus, Value)> = counts
                .into_iter()
                .map(|(a, status, n)| {
                    let name = a.as_ref().and_then(|a| names.get(a).cloned());
                    let row = json!({
                        "assigneeId": a.as_ref().map(|a| a.as_str().to_owned()),
                        "assigneeName": name,
                        "status": status.as_str(),
                        "count": n,
                    });
                    (name, status, row)
                })
                .collect();
            // Unassigned first, then by name, then in the order of the task life cycle.
            rows.sort_by(|x, y| {
                (x.0.as_deref().map(str::to_lowercase), x.1)
                    .cmp(&(y.0.as_deref().map(str::to_lowercase), y.1))
            });
            (
                Value::Object(params.clone()),
                rows.into_iter().map(|(_, _, r)| r).collect(),
            )
        }
    };
    Ok(Run {
        report,
        generated_at: now,
        scope,
        rows,
    })
}
