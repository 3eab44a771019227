//! Saved reports and running them. Two kinds:
//!
//! - `oneonone-cadence` `{from?, to?}`: per manager/report pair, the last and next one-on-one
//!   and how many fell in the period (default: the 90 days up to now). Dates and counts only:
//!   a report never shows notes.
//! - `task-status` `{assigneeId?, initiativeId?}`: task counts by assignee and status.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load::{self, authorized, reread},
    parse::Paging,
    parse::{time_from, time_until},
    refs,
    state::AppState,
    validate,
};
use crate::{
    extract::IfMatch,
    versions::{self, Versioned},
};
use manageros_core::{
    InitiativeId, Invalid, OrgId, PageInfo, PersonId, ReportId, ReportKind, Timestamp,
    authz::{self, Action, Actor, ReportScope},
    single_line,
    time::DAY_MS,
};
use manageros_store::{
    ConnectionTrait, begin_write,
    repo::{
        conversation, oneonones, persons,
        reports::{self, Report},
        tasks,
    },
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

pub const PERSON_NOT_FOUND: &str = "Assignee not found or access denied";
pub const INITIATIVE_NOT_FOUND: &str = "Initiative not found or access denied";

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

/// The organization's saved reports, newest first (report.view).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    paging: &Paging,
) -> Result<(Vec<Report>, PageInfo), ApiError> {
    let org = load::permitted(actor, Action::ReportView)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    errors.finish()?;
    let (list, total) = reports::list(&state.db, &org, page).await?;
    Ok((list, page.info(total)))
}

/// A saved report (report.view).
pub async fn get(state: &AppState, actor: &Actor, id: &ReportId) -> Result<Report, ApiError> {
    let (_, r) = authorized(&state.db, actor, id, Action::ReportView).await?;
    Ok(r)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CreateReportRequest {
    #[schema(value_type = input::Title, inline, required = true)]
    pub name: Option<String>,
    #[schema(value_type = input::ReportKind, inline, required = true)]
    pub kind: Option<String>,
    /// `oneonone-cadence`: `{from?, to?}` (dates or timestamps; default the last 90 days).
    /// `task-status`: `{assigneeId?, initiativeId?}`.
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Value>,
}

fn name(raw: Option<&str>) -> Result<String, Invalid> {
    single_line(raw.unwrap_or_default(), "Name", 1, 200)
}

/// Saves a report (report.create: admins).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CreateReportRequest,
) -> Result<Report, ApiError> {
    let org = load::permitted(actor, Action::ReportCreate)?;
    validate! {
        name = "name": name(input.name.as_deref()),
        kind = "kind": ReportKind::parse(input.kind.as_deref().unwrap_or_default()),
    }
    let txn = begin_write(&state.db).await?;
    let parameters =
        check_parameters(&txn, &org, kind, input.parameters.unwrap_or_default()).await?;
    let id = reports::insert(
        &txn,
        &org,
        &actor.user_id,
        &name,
        kind,
        &parameters,
        state.now(),
    )
    .await?;
    let r = reread::<Report>(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(r)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct UpdateReportRequest {
    #[schema(value_type = input::TitleOrNull, inline, required = false)]
    pub name: Option<String>,
    #[schema(value_type = input::OptionalReportKind, inline, required = false)]
    pub kind: Option<String>,
    /// Replaces the parameters.
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Value>,
}

/// Changes a saved report (report.edit: admins). Permission comes before validation.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &ReportId,
    input: UpdateReportRequest,
    if_match: &IfMatch,
) -> Result<Report, ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized::<Report>(&txn, actor, id, Action::ReportEdit).await?;
    versions::claim(
        &txn,
        Versioned::Report,
        &org,
        current.id.as_str(),
        actor,
        if_match,
    )
    .await?;
    validate! {
        name = "name": input.name.as_deref().map(|n| name(Some(n))).transpose(),
        kind = "kind": input.kind.as_deref().map(ReportKind::parse).transpose(),
    }
    let kind_changed = kind.is_some_and(|k| k != current.kind);
    let kind = kind.unwrap_or(current.kind);
    let parameters = match input.parameters {
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
    let r = reread::<Report>(&txn, &org, &current.id).await?;
    txn.commit().await?;
    Ok(r)
}

/// Deletes a saved report (report.delete: admins).
pub async fn delete(state: &AppState, actor: &Actor, id: &ReportId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, r) = authorized::<Report>(&txn, actor, id, Action::ReportDelete).await?;
    reports::delete(&txn, &org, &r.id).await?;
    txn.commit().await?;
    Ok(())
}

/// The result of running a report.
pub struct Run {
    /// The saved report run; `None` for a run of a kind with parameters ([`run_now`]).
    pub report: Option<Report>,
    pub kind: ReportKind,
    pub generated_at: Timestamp,
    /// What the run covered, e.g. the period of a cadence report, and for a manager the
    /// reporting line (`line`: whose, and how many people).
    pub scope: Value,
    pub rows: Vec<Value>,
    /// For a manager's run, how many people their line holds; `None` for everyone.
    pub line: Option<usize>,
}

fn ts(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339()))
}

/// Runs a saved report: an admin over everyone (report.access), a manager over the people
/// who report to them (report.team); anyone else who may see it gets report.access's 403.
pub async fn run(state: &AppState, actor: &Actor, id: &ReportId) -> Result<Run, ApiError> {
    let (org, report) = authorized::<Report>(&state.db, actor, id, Action::ReportView).await?;
    let scope = match authz::authorize(actor, Action::ReportAccess, &report.target()) {
        Ok(_) => ReportScope::All,
        // A manager runs it over their line; anyone else hears report.access's refusal.
        Err(refusal) => authz::report_scope(actor).map_err(|_| refusal)?,
    };
    let params = report.parameters.as_object().cloned().unwrap_or_default();
    let mut run = execute(state, &org, &scope, report.kind, params).await?;
    run.report = Some(report);
    Ok(run)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct RunNowRequest {
    #[schema(value_type = input::ReportKind, inline, required = true)]
    pub kind: Option<String>,
    /// As for a saved report of the kind.
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Value>,
}

/// Runs a report of a kind without saving it: an admin over everyone, a manager over their
/// own line (report.team); the parameters are checked as a saved report's are.
pub async fn run_now(
    state: &AppState,
    actor: &Actor,
    input: RunNowRequest,
) -> Result<Run, ApiError> {
    let org = load::permitted(actor, Action::ReportTeam)?;
    let scope = authz::report_scope(actor)?;
    validate! {
        kind = "kind": ReportKind::parse(input.kind.as_deref().unwrap_or_default()),
    }
    let parameters =
        check_parameters(&state.db, &org, kind, input.parameters.unwrap_or_default()).await?;
    let params = parameters.as_object().cloned().unwrap_or_default();
    execute(state, &org, &scope, kind, params).await
}

/// Runs a report of `kind` with checked `params` over `scope`.
async fn execute(
    state: &AppState,
    org: &OrgId,
    scope: &ReportScope,
    kind: ReportKind,
    params: Map<String, Value>,
) -> Result<Run, ApiError> {
    let now = state.now();
    let line = match scope {
        ReportScope::All => None,
        ReportScope::LineOf(manager) => {
            Some((manager, persons::line_of(&state.db, org, manager).await?))
        }
    };
    let in_scope = |p: &PersonId| line.as_ref().is_none_or(|(_, l)| l.contains(p));
    let text = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_owned);
    let (mut scope_json, rows) = match kind {
        ReportKind::OneOnOneCadence => {
            // Stored parameters were checked when saved.
            let to = text("to")
                .and_then(|t| time_until(&t, "to").ok())
                .unwrap_or(now);
            let from = text("from")
                .and_then(|f| time_from(&f, "from").ok())
                .unwrap_or(to.plus_millis(-90 * DAY_MS));
            // A pair's cadence, by the pair in either order.
            let cadences: std::collections::HashMap<(PersonId, PersonId), manageros_core::Cadence> =
                conversation::cadences(&state.db, org)
                    .await?
                    .into_iter()
                    .map(|(a, b, c)| ((a, b), c))
                    .collect();
            // A pair whose recurring series all ended (a reorg, or ended by hand) with nothing
            // scheduled is no longer a pair that means to meet.
            let ended = manageros_store::repo::recurring::ended_pairs(&state.db, org, now).await?;
            let rows = per_pair(oneonones::cadence(&state.db, org, now, from, to).await?)
                .into_iter()
                // A manager sees the pairs in which someone of their line takes part.
                .filter(|c| in_scope(&c.manager_id) || in_scope(&c.report_id))
                .filter(|c| c.next.is_some() || !ended.contains(&pair_key(c)))
                .map(|c| {
                    let cadence = cadences.get(&pair_key(&c)).copied();
                    json!({
                        "cadence": cadence.map(|c| c.as_str()),
                        "overdue": cadence.is_some_and(|k| k.overdue(c.last, c.next, now)),
                        "proposedNextAt": ts(cadence.and_then(|k| k.propose(c.last, now)).filter(|_| c.next.is_none())),
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
                org,
                assignee.as_ref(),
                initiative.as_ref(),
            )
            .await?;
            // A manager sees their line's tasks; unassigned ones are nobody's line.
            let counts: Vec<_> = counts
                .into_iter()
                .filter(|(a, _, _)| line.is_none() || a.as_ref().is_some_and(in_scope))
                .collect();
            let ids: Vec<PersonId> = counts.iter().filter_map(|(a, _, _)| a.clone()).collect();
            let names: std::collections::HashMap<PersonId, String> =
                persons::names(&state.db, org, &ids)
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
    if let (Some((manager, people)), Value::Object(m)) = (&line, &mut scope_json) {
        m.insert(
            "line".into(),
            json!({"managerId": manager.as_str(), "people": people.len()}),
        );
    }
    Ok(Run {
        report: None,
        kind,
        generated_at: now,
        scope: scope_json,
        rows,
        line: line.map(|(_, l)| l.len()),
    })
}

/// One cadence row per pair, whichever way round its one-on-ones were recorded (issue 27):
/// the counts added, the last one-on-one the latest of both, the next the soonest; the pair
/// named the way round of its most recent one-on-one (the relationship as it stands now).
/// The order of the rows is kept, each pair where it first appeared.
/// A pair whichever way round its one-on-ones were recorded: the two ids in order.
fn pair_key(c: &oneonones::Cadence) -> (PersonId, PersonId) {
    if c.manager_id <= c.report_id {
        (c.manager_id.clone(), c.report_id.clone())
    } else {
        (c.report_id.clone(), c.manager_id.clone())
    }
}

fn per_pair(rows: Vec<oneonones::Cadence>) -> Vec<oneonones::Cadence> {
    use std::collections::HashMap;
    let latest = |c: &oneonones::Cadence| c.next.or(c.last);
    let mut at: HashMap<(PersonId, PersonId), usize> = HashMap::new();
    let mut merged: Vec<oneonones::Cadence> = Vec::with_capacity(rows.len());
    for row in rows {
        let key = pair_key(&row);
        let Some(&i) = at.get(&key) else {
            at.insert(key, merged.len());
            merged.push(row);
            continue;
        };
        let kept = &mut merged[i];
        let mut both = oneonones::Cadence {
            last: kept.last.max(row.last),
            next: match (kept.next, row.next) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            count_in_period: kept.count_in_period + row.count_in_period,
            ..kept.clone()
        };
        // A one-on-one to come says more about the pair now than one in the past.
        let row_is_newer = match (row.next, kept.next) {
            (Some(_), None) => true,
            (None, Some(_)) => false,
            _ => latest(&row) > latest(kept),
        };
        if row_is_newer {
            both.manager_id = row.manager_id;
            both.manager_name = row.manager_name;
            both.report_id = row.report_id;
            both.report_name = row.report_name;
        }
        *kept = both;
    }
    merged
}

#[cfg(test)]
mod per_pair_tests {
    use super::per_pair;
    use manageros_core::{PersonId, Timestamp};
    use manageros_store::repo::oneonones::Cadence;

    fn row(m: &PersonId, r: &PersonId, last: Option<i64>, next: Option<i64>, n: u64) -> Cadence {
        Cadence {
            manager_id: m.clone(),
            manager_name: format!("name of {m}"),
            report_id: r.clone(),
            report_name: format!("name of {r}"),
            last: last.map(Timestamp::from_millis),
            next: next.map(Timestamp::from_millis),
            count_in_period: n,
        }
    }

    #[test]
    fn a_pair_recorded_both_ways_is_one_row() {
        let (a, b, c) = (
            PersonId::generate(),
            PersonId::generate(),
            PersonId::generate(),
        );
        let rows = per_pair(vec![
            row(&a, &b, Some(10), None, 2),
            row(&a, &c, Some(5), Some(50), 1),
            row(&b, &a, Some(20), Some(40), 3),
        ]);
        assert_eq!(rows.len(), 2);
        let ab = &rows[0];
        assert_eq!(ab.count_in_period, 5);
        assert_eq!(ab.last, Some(Timestamp::from_millis(20)));
        assert_eq!(ab.next, Some(Timestamp::from_millis(40)));
        // Named the way round of the one to come.
        assert_eq!((&ab.manager_id, &ab.report_id), (&b, &a));
        assert_eq!(rows[1].count_in_period, 1);
    }
}
