//! The series of a pair (docs/API.md §6.2): every one-on-one between the caller and one other
//! person, newest first and searchable, with the pair's optional cadence and the next date it
//! proposes. A series is the caller's own, as the one-on-ones list is: it is asked about with
//! the list's scope (`authz::oneonone_list_scope`), admins included, so an admin reaches
//! someone else's one-on-ones one by one, each look logged, never as a series.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load,
    parse::Paging,
    parse::search_from,
    people,
    state::AppState,
};
use chrono::{NaiveDate, NaiveTime};
use manageros_core::{
    Cadence, Invalid, OneOnOneId, OrgId, PageInfo, PersonId, Timestamp,
    authz::{self, Action, Actor},
    recurrence::{self, Rule},
};
use manageros_store::{
    ConnectionTrait, begin_write,
    repo::{
        conversation, handoffs,
        oneonones::{
            self, ListQuery, OneOnOneFields, OneOnOneWithPeople, SortField, SortKey,
            {self as oneonones_repo},
        },
        persons::{self, Person},
        recurring,
    },
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub const SAME_PERSON: &str = "A series is between you and someone else";

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Case-insensitive substring of either person's name or of the shared notes.
    #[param(value_type = Option<input::Search>, inline)]
    pub search: Option<String>,
}

pub struct Series {
    pub other: Person,
    pub cadence: Option<Cadence>,
    /// The pair's last one-on-one up to now, and its next one.
    pub last: Option<Timestamp>,
    pub next: Option<Timestamp>,
    /// What the cadence proposes when nothing is scheduled.
    pub proposed: Option<Timestamp>,
    pub one_on_ones: Vec<OneOnOneWithPeople>,
    pub page: PageInfo,
    /// The pair's recurring schedule, if it has one that has not ended.
    pub schedule: Option<Schedule>,
}

/// The other person of the caller's series: of the organization, and not the caller.
async fn other(
    db: &impl ConnectionTrait,
    org: &OrgId,
    me: &PersonId,
    raw: &str,
) -> Result<Person, ApiError> {
    let id = PersonId::parse(raw.trim()).ok_or_else(|| ApiError::not_found(people::NOT_FOUND))?;
    if &id == me {
        return Err(ApiError::invalid("personId", SAME_PERSON));
    }
    persons::find(db, org, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(people::NOT_FOUND))
}

pub async fn series(
    state: &AppState,
    actor: &Actor,
    with: &str,
    q: SeriesQuery,
    paging: &Paging,
) -> Result<Series, ApiError> {
    let (org, me) = authz::oneonone_list_scope(actor)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let search = search_from(q.search.as_deref(), &mut errors);
    errors.finish()?;
    let other = other(&state.db, &org, &me, with).await?;
    let lq = ListQuery {
        participant: me.clone(),
        with: Some(other.id.clone()),
        scheduled_from: None,
        scheduled_before: None,
        search,
        sort: vec![SortKey {
            field: SortField::ScheduledAt,
            descending: true,
        }],
        page,
    };
    let (list, total) = oneonones::list(&state.db, &org, &lq, None).await?;
    let now = state.now();
    let cadence = conversation::cadence(&state.db, &org, &me, &other.id).await?;
    let (last, next) = conversation::pair_times(&state.db, &org, &me, &other.id, now).await?;
    let schedule = current(&state.db, &org, &me, &other.id, now)
        .await?
        .map(Schedule::from);
    Ok(Series {
        schedule,
        proposed: cadence
            .and_then(|c| c.propose(last, now))
            .filter(|_| next.is_none()),
        other,
        cadence,
        last,
        next,
        one_on_ones: list,
        page: page.info(total),
    })
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CadenceRequest {
    /// `weekly`, `every-two-weeks`, `monthly`, or `null` for none.
    #[schema(value_type = input::Cadence, inline, required = false)]
    pub cadence: Option<String>,
}

/// Sets how often the caller and the other person mean to meet (either of the two may).
pub async fn set_cadence(
    state: &AppState,
    actor: &Actor,
    with: &str,
    input: CadenceRequest,
) -> Result<Option<Cadence>, ApiError> {
    let (org, me) = authz::oneonone_list_scope(actor)?;
    let mut errors = FieldErrors::default();
    let cadence = errors
        .take(
            "cadence",
            input
                .cadence
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(Cadence::parse)
                .transpose(),
        )
        .flatten();
    errors.finish()?;
    let txn = begin_write(&state.db).await?;
    let other = other(&txn, &org, &me, with).await?;
    conversation::set_cadence(&txn, &org, &me, &other.id, cadence, state.now()).await?;
    txn.commit().await?;
    Ok(cadence)
}

// ---------------------------------------------------------------------------------------------
// The recurring schedule of a pair: a rule whose occurrences are ordinary one-on-ones.

/// How far ahead a series' occurrences exist (rolling: the scheduler extends it).
pub const HORIZON_DAYS: i64 = 56;
/// A series is extended once what exists reaches less than this far ahead.
const EXTEND_WHEN_DAYS: i64 = 55;
/// Series extended per scheduler pass; the rest wait for the next pass.
const ROLL_BATCH: u64 = 200;

pub const CADENCE_REQUIRED: &str = "Cadence is required";
pub const STARTS_ON_INVALID: &str = "Start date must be a date YYYY-MM-DD";
pub const STARTS_ON_PAST: &str = "Start date must be today or later";
pub const TIME_INVALID: &str = "Time must be a local time HH:MM";
pub const TIME_ZONE_INVALID: &str =
    "Time zone must be a name of the IANA time zone database, such as Europe/Paris";
pub const ENDS_ON_INVALID: &str = "End date must be a date YYYY-MM-DD on or after the start date";
pub const NO_SCHEDULE: &str = "This pair has no recurring schedule";
pub const NOT_AN_OCCURRENCE: &str = "Only a one-on-one of a recurring series can be skipped";
pub const SKIP_OVER: &str = "This one-on-one is over: it can no longer be skipped";

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRequest {
    /// `weekly`, `every-two-weeks` or `monthly` (the same weekday of the same week of the
    /// month as `startsOn`: "the first Tuesday"; from the 29th on, "the last Tuesday").
    #[schema(value_type = input::RequiredCadence, inline, required = true)]
    pub cadence: Option<String>,
    /// The date of the first occurrence, `YYYY-MM-DD`, today or later in `timeZone`. When the
    /// pair already has a schedule, it is replaced from this date on.
    #[schema(value_type = input::CalendarDate, inline, required = true)]
    pub starts_on: Option<String>,
    /// The local time of every occurrence, `HH:MM`.
    #[schema(value_type = input::LocalTime, inline, required = true)]
    pub time: Option<String>,
    /// An IANA time zone name (`Europe/Paris`): occurrences keep their local time across
    /// daylight-saving changes.
    #[schema(value_type = input::TimeZone, inline, required = true)]
    pub time_zone: Option<String>,
    /// 5–480, default 30.
    #[serde(default, deserialize_with = "crate::patch::whole_number::option")]
    #[schema(minimum = 5, maximum = 480)]
    pub duration_minutes: Option<i64>,
    /// The last date an occurrence may fall on, or none.
    #[schema(value_type = input::OptionalCalendarDate, inline, required = false)]
    pub ends_on: Option<String>,
}

/// A pair's schedule as it is shown.
pub struct Schedule {
    pub series: recurring::Series,
    /// "Weekly on Tuesday at 10:00 (Europe/Paris)".
    pub description: String,
}

impl From<recurring::Series> for Schedule {
    fn from(series: recurring::Series) -> Self {
        Self {
            description: series.rule.describe(),
            series,
        }
    }
}

fn date(raw: Option<&str>, invalid: &'static str) -> Result<Option<NaiveDate>, Invalid> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.len() == 10 => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Invalid::new(invalid)),
        Some(_) => Err(Invalid::new(invalid)),
    }
}

/// Validates a schedule: every message at once, as a form shows them.
fn rule_from(input: &ScheduleRequest, now: Timestamp) -> Result<(Rule, i64), ApiError> {
    let mut errors = FieldErrors::default();
    let cadence = match input.cadence.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push("cadence", CADENCE_REQUIRED);
            None
        }
        Some(c) => errors.take("cadence", Cadence::parse(c)),
    };
    let tz = errors.take(
        "timeZone",
        input
            .time_zone
            .as_deref()
            .and_then(recurrence::parse_tz)
            .ok_or_else(|| Invalid::new(TIME_ZONE_INVALID)),
    );
    let starts_on = errors
        .take(
            "startsOn",
            date(input.starts_on.as_deref(), STARTS_ON_INVALID)
                .and_then(|d| d.ok_or_else(|| Invalid::new(STARTS_ON_INVALID))),
        )
        .and_then(|d| {
            let today = recurrence::local(tz.unwrap_or(recurrence::Tz::UTC), now).date();
            if d < today {
                errors.push("startsOn", STARTS_ON_PAST);
                None
            } else {
                Some(d)
            }
        });
    let time = errors.take(
        "time",
        input
            .time
            .as_deref()
            .map(str::trim)
            .filter(|t| t.len() == 5)
            .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
            .ok_or_else(|| Invalid::new(TIME_INVALID)),
    );
    let duration = errors.take(
        "durationMinutes",
        crate::oneonones::duration_from(input.duration_minutes),
    );
    let ends_on = errors
        .take("endsOn", date(input.ends_on.as_deref(), ENDS_ON_INVALID))
        .flatten();
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && e < s
    {
        errors.push("endsOn", ENDS_ON_INVALID);
    }
    errors.finish()?;
    match (cadence, starts_on, time, tz, duration) {
        (Some(cadence), Some(starts_on), Some(time), Some(tz), Some(d)) => Ok((
            Rule {
                cadence,
                starts_on,
                time,
                tz,
                ends_on,
            },
            d,
        )),
        _ => Err(ApiError::internal(anyhow::anyhow!(
            "validated schedule fields missing"
        ))),
    }
}

/// The pair's schedule now: its latest series that has not ended.
pub(crate) async fn current(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    now: Timestamp,
) -> Result<Option<recurring::Series>, ApiError> {
    Ok(recurring::of_pair(db, org, one, other)
        .await?
        .into_iter()
        .find(|s| !s.has_ended(now)))
}

/// The first participant of a new series: whichever of the two is the other's manager on the
/// org chart, else the caller.
fn roles<'p>(me: &'p Person, other: &'p Person) -> (&'p PersonId, &'p PersonId) {
    if me.manager_id.as_ref() == Some(&other.id) {
        (&other.id, &me.id)
    } else {
        (&me.id, &other.id)
    }
}

/// Creates the occurrences of `series` that start before the horizon and are not over, not
/// skipped and not there already; returns how many it created. Safe to run on any number
/// of replicas at once: an occurrence is unique by `(series, slot)`.
async fn extend(
    db: &impl ConnectionTrait,
    s: &recurring::Series,
    now: Timestamp,
) -> Result<u64, ApiError> {
    let org = &s.organization_id;
    let horizon = now.plus_days(HORIZON_DAYS);
    let from = s
        .created_through
        .max(now.plus_millis(-s.duration_minutes * 60_000));
    let skipped = recurring::skips(db, org, &s.id).await?;
    let mut created = 0;
    for at in s.rule.occurrences(from, horizon) {
        let ends_at = at.plus_millis(s.duration_minutes * 60_000);
        if ends_at <= now || skipped.contains(&at) {
            continue;
        }
        let fields = OneOnOneFields {
            manager_id: s.manager_id.clone(),
            report_id: s.report_id.clone(),
            scheduled_at: at,
            ends_at,
            notes: None,
        };
        if oneonones_repo::insert_occurrence(db, org, &s.id, &fields, now)
            .await?
            .is_some()
        {
            created += 1;
        }
    }
    // An ended rule has nothing more to create: it is never due again.
    let done = s.rule.ends_on.is_some_and(|end| {
        recurrence::instant(s.rule.tz, end.and_time(NaiveTime::MIN)).plus_days(1) <= horizon
    });
    let through = if done {
        Timestamp::from_millis(i64::MAX / 2)
    } else {
        horizon
    };
    recurring::mark_created_through(db, &s.id, through).await?;
    if created > 0 {
        crate::conversation::carry_over_in(db, org, &s.manager_id, &s.report_id, now).await?;
    }
    Ok(created)
}

/// Cancels one-on-ones of a pair (a series changed or ended, a skip, a reorg): each one's
/// unchecked points first move to the pair's next remaining one-on-one (or its latest), an
/// occurrence's slot is recorded as skipped so no scheduler creates it again, and it is
/// deleted. When the pair has no other one-on-one, its open points are held by the pending
/// handoff that offers them (a reorg); failing that, the one-on-one is kept rather than lose
/// them. Returns the ids cancelled.
pub(crate) async fn cancel(
    db: &impl ConnectionTrait,
    org: &OrgId,
    pair: (&PersonId, &PersonId),
    doomed: Vec<recurring::Occurrence>,
    now: Timestamp,
) -> Result<Vec<OneOnOneId>, ApiError> {
    let ids: Vec<OneOnOneId> = doomed.iter().map(|o| o.id.clone()).collect();
    let target = conversation::target_except(db, org, pair.0, pair.1, now, &ids).await?;
    let mut cancelled = Vec::new();
    for o in doomed {
        let open: Vec<_> = conversation::points(db, org, &o.id)
            .await?
            .into_iter()
            .filter(|p| p.done_at.is_none())
            .collect();
        match &target {
            Some(t) => {
                for p in &open {
                    conversation::move_point_to(db, org, p, t, now).await?;
                }
            }
            None if !open.is_empty() => {
                // The pair has no other one-on-one: a pending handoff holds the points (a
                // reorg records it first); without one, this one-on-one stays rather than
                // lose them.
                let mut held = true;
                for p in &open {
                    held &=
                        handoffs::park(db, org, &p.id, &o.id, &p.author_id, p.created_at).await?;
                }
                if !held {
                    continue;
                }
            }
            None => {}
        }
        if let Some(s) = &o.series_id {
            recurring::skip(db, org, s, o.occurrence_at).await?;
        }
        conversation::unlink_tasks(db, org, &o.id).await?;
        oneonones_repo::delete(db, org, &o.id).await?;
        cancelled.push(o.id);
    }
    Ok(cancelled)
}

/// What a reorg did to the old pair: see [`retire_pair`].
pub struct Retired {
    pub cancelled: u64,
    pub ended_series: u64,
}

/// When a person leaves a manager (a reorg), inside its write: every series of the old pair
/// that is still running ends today, and the pair's one-on-ones that have not started are
/// cancelled ([`cancel`]: their open points stay with the pair, where a handoff finds them).
pub(crate) async fn retire_pair(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
    old_manager: &PersonId,
    now: Timestamp,
) -> Result<Retired, ApiError> {
    let mut ended_series = 0;
    for s in recurring::of_pair(db, org, person, old_manager).await? {
        if !s.has_ended(now) {
            end_series_in(db, &s, now).await?;
            ended_series += 1;
        }
    }
    let doomed = recurring::upcoming_of_pair(db, org, person, old_manager, now).await?;
    let cancelled = cancel(db, org, (person, old_manager), doomed, now)
        .await?
        .len() as u64;
    if ended_series > 0 {
        conversation::set_cadence(db, org, person, old_manager, None, now).await?;
    }
    Ok(Retired {
        cancelled,
        ended_series,
    })
}

/// What a reorg would do to the pair now, for the form that changes a manager to say so: how
/// many one-on-ones have not started, and the running series in words.
pub async fn retiring(
    state: &AppState,
    org: &OrgId,
    person: &PersonId,
    old_manager: &PersonId,
) -> Result<(u64, Vec<String>), ApiError> {
    let now = state.now();
    let upcoming = recurring::upcoming_of_pair(&state.db, org, person, old_manager, now).await?;
    let running = recurring::of_pair(&state.db, org, person, old_manager)
        .await?
        .into_iter()
        .filter(|s| !s.has_ended(now))
        .map(|s| s.rule.describe())
        .collect();
    Ok((upcoming.len() as u64, running))
}

/// Sets the pair's recurring schedule from `startsOn` on (either of the two may): an existing
/// one ends the day before, and its occurrences from then on that are not over are cancelled
/// (their open points move to the new series' first). The new series' occurrences are created
/// for the next eight weeks, and further by the scheduler as time passes. Returns the schedule
/// and the pair's next one-on-one.
pub async fn set_schedule(
    state: &AppState,
    actor: &Actor,
    with: &str,
    input: ScheduleRequest,
) -> Result<(Schedule, Option<OneOnOneWithPeople>), ApiError> {
    let (org, me) = authz::oneonone_list_scope(actor)?;
    load::permitted(actor, Action::OneOnOneCreate)?;
    let now = state.now();
    let (rule, duration) = rule_from(&input, now)?;
    let txn = begin_write(&state.db).await?;
    let other = other(&txn, &org, &me, with).await?;
    let mine = persons::find(&txn, &org, &me)
        .await?
        .ok_or_else(|| ApiError::not_found(people::NOT_FOUND))?;
    let (manager, report) = roles(&mine, &other);
    authz::authorize_oneonone_participants(actor, manager, report)?;
    // The pair's series still running on the new first date end the day before; their
    // occurrences from then on that are not over are cancelled once the new ones exist (their
    // open points go to the new series' first).
    let change = recurrence::instant(rule.tz, rule.starts_on.and_time(NaiveTime::MIN));
    let until = rule.starts_on.pred_opt().unwrap_or(rule.starts_on);
    let mut replaced = vec![];
    for old in recurring::of_pair(&txn, &org, &me, &other.id).await? {
        if old.ended_before(rule.starts_on) {
            continue;
        }
        recurring::set_end(&txn, &org, &old.id, until, now).await?;
        let doomed: Vec<_> = recurring::occurrences(&txn, &org, &old.id)
            .await?
            .into_iter()
            .filter(|o| o.ends_at > now && (o.scheduled_at >= change || o.occurrence_at >= change))
            .collect();
        replaced.push(doomed);
    }
    let new = recurring::NewSeries {
        manager_id: manager,
        report_id: report,
        rule: &rule,
        duration_minutes: duration,
        created_by: &actor.user_id,
    };
    let id = recurring::insert(&txn, &org, &new, now).await?;
    let s = recurring::find(&txn, &org, &id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("series just made is gone")))?;
    extend(&txn, &s, now).await?;
    for doomed in replaced {
        cancel(&txn, &org, (&me, &other.id), doomed, now).await?;
    }
    conversation::set_cadence(&txn, &org, &me, &other.id, Some(rule.cadence), now).await?;
    let next = match conversation::next_of_pair(&txn, &org, &me, &other.id, now).await? {
        Some(id) => oneonones_repo::find(&txn, &org, &id).await?,
        None => None,
    };
    let s = recurring::find(&txn, &org, &s.id).await?.unwrap_or(s);
    txn.commit().await?;
    Ok((Schedule::from(s), next))
}

/// Ends the pair's schedule today (either of the two may): its occurrences that have not
/// started are cancelled (their open points move to the pair's latest one-on-one), and the
/// pair no longer has a cadence. Returns how many one-on-ones were cancelled.
pub async fn end_schedule(state: &AppState, actor: &Actor, with: &str) -> Result<u64, ApiError> {
    let (org, me) = authz::oneonone_list_scope(actor)?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let other = other(&txn, &org, &me, with).await?;
    let Some(s) = current(&txn, &org, &me, &other.id, now).await? else {
        return Err(ApiError::not_found(NO_SCHEDULE));
    };
    let n = end_series_in(&txn, &s, now).await?;
    conversation::set_cadence(&txn, &org, &me, &other.id, None, now).await?;
    txn.commit().await?;
    Ok(n)
}

/// Ends a series today inside the caller's write and cancels its occurrences that have not
/// started (for [`end_schedule`] and a reorg).
pub(crate) async fn end_series_in(
    db: &impl ConnectionTrait,
    s: &recurring::Series,
    now: Timestamp,
) -> Result<u64, ApiError> {
    let org = &s.organization_id;
    // Its last date becomes that of its last occurrence that has started (the day before its
    // first, when none has): no slot of the rule is left after now.
    let started = s.rule.occurrences(now.plus_days(-40), now.plus_millis(1));
    let last = match started.last() {
        Some(at) => recurrence::local(s.rule.tz, *at).date(),
        None => s.rule.starts_on.pred_opt().unwrap_or(s.rule.starts_on),
    };
    recurring::set_end(db, org, &s.id, last, now).await?;
    let doomed = recurring::occurrences(db, org, &s.id)
        .await?
        .into_iter()
        .filter(|o| o.scheduled_at > now)
        .collect();
    let gone = cancel(db, org, (&s.manager_id, &s.report_id), doomed, now).await?;
    recurring::mark_created_through(db, &s.id, Timestamp::from_millis(i64::MAX / 2)).await?;
    Ok(gone.len() as u64)
}

/// Skips one occurrence of a series (as deleting it would, for whoever may delete it): its open
/// points move to the pair's next one-on-one, and the slot is never created again.
pub async fn skip(state: &AppState, actor: &Actor, id: &OneOnOneId) -> Result<(), ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, o) =
        crate::oneonones::authorized(&txn, actor, id, Action::OneOnOneDelete, now).await?;
    let one = &o.one_on_one;
    let (Some(series), Some(slot)) = (&one.series_id, one.occurrence_at) else {
        return Err(ApiError::invalid("id", NOT_AN_OCCURRENCE));
    };
    if one.ends_at <= now {
        return Err(ApiError::invalid("id", SKIP_OVER));
    }
    let doomed = vec![recurring::Occurrence {
        id: one.id.clone(),
        series_id: Some(series.clone()),
        occurrence_at: slot,
        scheduled_at: one.scheduled_at,
        ends_at: one.ends_at,
    }];
    let gone = cancel(&txn, &org, (&one.manager_id, &one.report_id), doomed, now).await?;
    if gone.is_empty() {
        // Its points had nowhere to go: skip it anyway, keeping them on the pair's only
        // one-on-one would mean not skipping. The points go with it, as a deletion's do.
        recurring::skip(&txn, &org, series, slot).await?;
        conversation::unlink_tasks(&txn, &org, &one.id).await?;
        oneonones_repo::delete(&txn, &org, &one.id).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// One pass of the scheduler: extends every series whose occurrences reach less than
/// `EXTEND_WHEN_DAYS` ahead. Returns how many one-on-ones it created.
pub async fn roll(state: &AppState) -> Result<u64, ApiError> {
    let now = state.now();
    let mut created = 0;
    for s in recurring::due(&state.db, now.plus_days(EXTEND_WHEN_DAYS), ROLL_BATCH).await? {
        let txn = begin_write(&state.db).await?;
        created += extend(&txn, &s, now).await?;
        txn.commit().await?;
    }
    Ok(created)
}
