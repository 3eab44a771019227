//! One-on-ones (docs/API.md §6). Participants see and change their own; an admin may reach
//! any one-on-one of the organization, and every such access by someone who does not take
//! part is written to its access log, in the same transaction. Each function asks authz once,
//! then validates, then writes.

use crate::input;
use crate::{
    audit, conversation,
    error::{ApiError, FieldErrors},
    extract::IfMatch,
    load::{self, reread},
    mail::Mail,
    outbox,
    parse::Paging,
    parse::{search_from, time_from, time_until},
    state::AppState,
    versions::{self, Versioned},
};
use manageros_core::{
    Invalid, OneOnOneId, OrgId, PageInfo, PersonId, Timestamp, UserId,
    authz::{self, Action, Actor},
};
use manageros_store::{
    ConnectionTrait, DatabaseTransaction, begin_write,
    repo::{
        oneonones::{
            self, AccessAction, AccessEntry, ListQuery, OneOnOneFields, OneOnOneWithPeople, Party,
            SortField, SortKey,
        },
        persons, recurring, users,
    },
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub const PARTICIPANT_1_NOT_FOUND: &str = "Participant 1 not found or not in your organization";
pub const PARTICIPANT_2_NOT_FOUND: &str = "Participant 2 not found or not in your organization";

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OneOnOnesQuery {
    /// Inclusive: an RFC 3339 timestamp, or a date `YYYY-MM-DD` from the start of that UTC day.
    #[param(value_type = Option<input::DateOrTime>, inline)]
    pub scheduled_from: Option<String>,
    /// Inclusive: an RFC 3339 timestamp, or a date `YYYY-MM-DD` to the end of that UTC day.
    #[param(value_type = Option<input::DateOrTime>, inline)]
    pub scheduled_to: Option<String>,
    /// Case-insensitive substring of either person's name or of the notes.
    #[param(value_type = Option<input::Search>, inline)]
    pub search: Option<String>,
    /// Comma-separated `field:direction`; fields `scheduledAt`, `manager`, `report`; direction
    /// `asc` (default) or `desc`. Default `scheduledAt:desc`.
    #[param(value_type = Option<input::OneOnOneSort>, inline)]
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

/// The number of one-on-ones a list matches, kept in the process between writes so that a list
/// need not count them on every request (counting was a third of the database's work for a
/// list of someone with a long history, docs/BENCHMARKS.md).
///
/// Never stale: every write to an organization's one-on-ones increases its
/// `oneonones_version` in the same transaction (`repo::orgs::oneonones_changed`), the session
/// lookup every request makes reads that version, and a total is used only when it was counted
/// at that version. A total counted later than the version it is filed under is only ever
/// counted again. Kept per person and date filter; a search is always counted, because it
/// matches people's names, which change without a one-on-one write. At most [`TOTALS_KEPT`]
/// totals, the least recently used leaving first.
pub struct Totals(quick_cache::sync::Cache<TotalKey, (i64, u64)>);

/// What a kept total counts: whose list, and its date filters.
type TotalKey = (OrgId, PersonId, Option<i64>, Option<i64>);

/// How many totals a process keeps (a few MB).
pub const TOTALS_KEPT: usize = 100_000;

impl Default for Totals {
    fn default() -> Self {
        Self(quick_cache::sync::Cache::new(TOTALS_KEPT))
    }
}

/// The caller's one-on-ones (as manager or report), admins included: the list is their own.
/// `seen` is the organization's `oneonones_version` as the caller's session lookup read it
/// (`CurrentUser::oneonones_version`); with it, the total comes from [`Totals`] when it is
/// current.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    seen: Option<i64>,
    q: OneOnOnesQuery,
    paging: &Paging,
) -> Result<(Vec<OneOnOneWithPeople>, PageInfo), ApiError> {
    let (org, participant) = authz::oneonone_list_scope(actor)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let sort = errors.take("sort", parse_sort(q.sort.as_deref()));
    let fixed = errors.take(
        "immutableFilters",
        parse_immutable(q.immutable_filters.as_deref()),
    );
    let fixed = fixed.unwrap_or_default();
    // Each value is checked where it was given, also when `immutableFilters` overrides it:
    // a malformed parameter is a 400, never silently ignored.
    let mut time =
        |field: &'static str,
         raw: Option<&str>,
         parse: fn(&str, &str) -> Result<manageros_core::Timestamp, Invalid>| {
            errors
                .take(field, raw.map(|s| parse(s, field)).transpose())
                .flatten()
        };
    let query_from = time("scheduledFrom", q.scheduled_from.as_deref(), time_from);
    let query_to = time("scheduledTo", q.scheduled_to.as_deref(), time_until);
    let fixed_from = time("scheduledFrom", fixed.scheduled_from.as_deref(), time_from);
    let fixed_to = time("scheduledTo", fixed.scheduled_to.as_deref(), time_until);
    let scheduled_from = fixed_from.or(query_from);
    let scheduled_before = fixed_to.or(query_to);
    let query_search = search_from(q.search.as_deref(), &mut errors);
    let search = search_from(fixed.search.as_deref(), &mut errors).or(query_search);
    errors.finish()?;
    let lq = ListQuery {
        participant,
        with: None,
        scheduled_from,
        scheduled_before,
        search,
        sort: sort.unwrap_or_default(),
        page,
    };
    let key = (
        org.clone(),
        lq.participant.clone(),
        lq.scheduled_from.map(|t| t.as_millis()),
        lq.scheduled_before.map(|t| t.as_millis()),
    );
    let seen = seen.filter(|_| lq.search.is_none());
    let kept = seen.and_then(|version| {
        state
            .oneonone_totals
            .0
            .get(&key)
            .filter(|&(at, _)| at == version)
            .map(|(_, total)| total)
    });
    let (list, total) = oneonones::list(&state.db, &org, &lq, kept).await?;
    if let (Some(version), None) = (seen, kept) {
        // Counted now, after `version` was read: at least as new as `version`.
        state.oneonone_totals.0.insert(key, (version, total));
    }
    Ok((list, page.info(total)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrganizationOneOnOnesQuery {
    /// Only those this person takes part in (either side).
    pub person_id: Option<String>,
    /// Inclusive: an RFC 3339 timestamp, or a date `YYYY-MM-DD` from the start of that UTC day.
    #[param(value_type = Option<input::DateOrTime>, inline)]
    pub scheduled_from: Option<String>,
    /// Inclusive: an RFC 3339 timestamp, or a date `YYYY-MM-DD` to the end of that UTC day.
    #[param(value_type = Option<input::DateOrTime>, inline)]
    pub scheduled_to: Option<String>,
}

pub const PERSON_NOT_FOUND: &str = "Person not found or access denied";

/// Every one-on-one of the organization, latest first (admins: the spec lets them view any;
/// the list says who and when, never the notes, and opening one is logged as before).
pub async fn of_organization(
    state: &AppState,
    actor: &Actor,
    q: OrganizationOneOnOnesQuery,
    paging: &Paging,
) -> Result<(Vec<oneonones::Listed>, PageInfo), ApiError> {
    let org = authz::authorize_org(actor, authz::OrgAction::ViewAllOneOnOnes)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let (from, before) = crate::parse::scheduled_between(
        q.scheduled_from.as_deref(),
        q.scheduled_to.as_deref(),
        &mut errors,
    );
    errors.finish()?;
    let person = match q
        .person_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(raw) => Some(crate::refs::person(&state.db, &org, raw, PERSON_NOT_FOUND).await?),
        None => None,
    };
    let lq = oneonones::OrgListQuery {
        person,
        scheduled_from: from,
        scheduled_before: before,
    };
    let (list, total) = oneonones::of_organization(&state.db, &org, &lq, page).await?;
    Ok((list, page.info(total)))
}

/// A one-on-one as sent, validated, with its participants still raw ids.
struct OneOnOneDraft {
    participant1: String,
    participant2: String,
    scheduled_at: Timestamp,
    duration_minutes: i64,
    notes: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct OneOnOneRequest {
    /// The first participant (stored as `managerId`).
    #[schema(value_type = input::Id, inline, required = true)]
    pub participant1_id: Option<String>,
    /// The second participant (stored as `reportId`).
    #[schema(value_type = input::Id, inline, required = true)]
    pub participant2_id: Option<String>,
    /// RFC 3339 with an offset.
    #[schema(value_type = input::Timestamp, inline, required = true)]
    pub scheduled_at: Option<String>,
    /// Up to 20,000 characters.
    #[schema(value_type = input::Notes, inline, required = false)]
    pub notes: Option<String>,
    /// How long it lasts, 5 to 480 minutes; 30 when absent. It is over after its end.
    #[serde(default, deserialize_with = "crate::patch::whole_number::option")]
    #[schema(minimum = 5, maximum = 480)]
    pub duration_minutes: Option<i64>,
}

pub const DURATION_INVALID: &str = "Duration must be a whole number of minutes from 5 to 480";

/// A one-on-one's duration in minutes, or the default when none is given.
pub fn duration_from(raw: Option<i64>) -> Result<i64, Invalid> {
    use manageros_core::recurrence::{DEFAULT_DURATION_MINUTES, MAX_DURATION_MINUTES};
    let n = raw.unwrap_or(DEFAULT_DURATION_MINUTES);
    if (5..=MAX_DURATION_MINUTES).contains(&n) {
        Ok(n)
    } else {
        Err(Invalid::new(DURATION_INVALID))
    }
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
    let duration_minutes = errors
        .take("durationMinutes", duration_from(body.duration_minutes))
        .unwrap_or(manageros_core::recurrence::DEFAULT_DURATION_MINUTES);
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
            duration_minutes,
            notes,
        }),
        _ => Err(ApiError::internal(anyhow::anyhow!(
            "validated one-on-one fields missing"
        ))),
    }
}

async fn participant(
    db: &impl ConnectionTrait,
    org: &OrgId,
    raw: &str,
    not_found: &'static str,
) -> Result<PersonId, ApiError> {
    match PersonId::parse(raw.trim()) {
        Some(id) if persons::exists(db, org, &id).await? => Ok(id),
        _ => Err(ApiError::not_found(not_found)),
    }
}

/// Resolves both participants and checks the caller may hold a one-on-one between them.
async fn resolve(
    txn: &DatabaseTransaction,
    actor: &Actor,
    org: &OrgId,
    d: OneOnOneDraft,
) -> Result<OneOnOneFields, ApiError> {
    let manager_id = participant(txn, org, &d.participant1, PARTICIPANT_1_NOT_FOUND).await?;
    let report_id = participant(txn, org, &d.participant2, PARTICIPANT_2_NOT_FOUND).await?;
    authz::authorize_oneonone_participants(actor, &manager_id, &report_id)?;
    Ok(OneOnOneFields {
        manager_id,
        report_id,
        scheduled_at: d.scheduled_at,
        ends_at: d.scheduled_at.plus_millis(d.duration_minutes * 60_000),
        notes: d.notes,
    })
}

/// Loads a one-on-one, authorizes `action`, and logs the access when the caller reaches it as
/// an admin rather than as a participant. The caller must belong to an organization and, unless
/// an admin, be linked to a person (the one-on-one spec's first refusals).
pub(crate) async fn authorized(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: &OneOnOneId,
    action: Action,
    now: Timestamp,
) -> Result<(OrgId, OneOnOneWithPeople), ApiError> {
    authz::authorize_oneonone_caller(actor)?;
    let (org, o) = load::authorized::<OneOnOneWithPeople>(txn, actor, id, action).await?;
    let what = if !authz::takes_part(actor, &o.one_on_one.facts()) {
        Some(match action {
            Action::OneOnOneEdit => AccessAction::Edit,
            Action::OneOnOneDelete => AccessAction::Delete,
            _ => AccessAction::View,
        })
    } else if let Some(me) = &actor.person_id
        && users::holds_by_takeover(txn, &org, me, &actor.user_id).await?
    {
        // A participant only because their account took the person over from another user
        // (an admin could unlink someone, link themselves, read, and link back): logged too.
        Some(match action {
            Action::OneOnOneEdit => AccessAction::EditThroughLink,
            Action::OneOnOneDelete => AccessAction::DeleteThroughLink,
            _ => AccessAction::ViewThroughLink,
        })
    } else {
        None
    };
    if let Some(what) = what {
        oneonones::log_access(txn, &org, &o.one_on_one.id, &actor.user_id, what, now).await?;
        audit::record(
            txn,
            audit::Event::new(&org, audit::Kind::OneOnOneAdminAccess, now)
                .by(&actor.user_id)
                .target(o.one_on_one.id.as_str())
                .detail(format!(
                    "{} the one-on-one of {} and {}",
                    match what {
                        AccessAction::Edit => "Edited, as an admin,",
                        AccessAction::Delete => "Deleted, as an admin,",
                        AccessAction::View => "Opened, as an admin,",
                        AccessAction::EditThroughLink => "Edited, through a changed person link,",
                        AccessAction::DeleteThroughLink => {
                            "Deleted, through a changed person link,"
                        }
                        _ => "Opened, through a changed person link,",
                    },
                    o.manager.name,
                    o.report.name
                )),
        )
        .await?;
    }
    Ok((org, o))
}

/// Schedules a one-on-one (createOneOnOne). A non-admin must be one of the two participants.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: OneOnOneRequest,
) -> Result<OneOnOneWithPeople, ApiError> {
    // The one-on-one spec's refusals: no organization, then (for a non-admin) no person.
    let org = load::permitted(actor, Action::OneOnOneCreate)?;
    let d = draft(input)?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let fields = resolve(&txn, actor, &org, d).await?;
    let id = oneonones::insert(&txn, &org, &fields, now).await?;
    // The pair's unchecked points of one-on-ones that are over now belong to the next one.
    conversation::carry_over_in(&txn, &org, &fields.manager_id, &fields.report_id, now).await?;
    let o = reread::<OneOnOneWithPeople>(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(o)
}

/// A one-on-one (getOneOnOneById): its participants, and admins (who are logged).
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
) -> Result<OneOnOneWithPeople, ApiError> {
    // A read: no transaction. An admin's view is logged by one insert, which must succeed
    // before anything is shown.
    let (_, o) = authorized(&state.db, actor, id, Action::OneOnOneView, state.now()).await?;
    Ok(o)
}

/// Saves only a one-on-one's shared notes (the detail page's editor, in place): the same
/// permission (`oneonone.edit`), version (`if_match`) and rules for the text as [`update`];
/// the participants and the time stay as they are. Empty removes the notes.
pub async fn save_notes(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    notes: &str,
    if_match: &IfMatch,
) -> Result<OneOnOneWithPeople, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized(&txn, actor, id, Action::OneOnOneEdit, now).await?;
    let one = &current.one_on_one;
    versions::claim(
        &txn,
        Versioned::OneOnOne,
        &org,
        one.id.as_str(),
        actor,
        if_match,
    )
    .await?;
    let notes = manageros_core::long_text(notes, "Notes", 20_000)
        .map_err(|e| ApiError::invalid("notes", e.0))?;
    let fields = OneOnOneFields {
        manager_id: one.manager_id.clone(),
        report_id: one.report_id.clone(),
        scheduled_at: one.scheduled_at,
        ends_at: one.ends_at,
        notes: Some(notes).filter(|n| !n.trim().is_empty()),
    };
    oneonones::update(&txn, &org, &one.id, &fields, now).await?;
    let o = reread::<OneOnOneWithPeople>(&txn, &org, &one.id).await?;
    txn.commit().await?;
    crate::live::publish(state, crate::live::Change::of(&o, crate::live::What::Notes)).await;
    Ok(o)
}

/// Replaces a one-on-one's participants, time and notes (updateOneOnOne). A non-admin must
/// take part in it both before and after. Permission comes before the version (`if_match`:
/// a write meant for another version than the current one is stale, 412), which comes
/// before validation; a refused, stale or invalid change writes nothing (the transaction
/// rolls back). An admin's look at the current state after a stale save ([`get`]) is logged
/// as any look of theirs.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    input: OneOnOneRequest,
    if_match: &IfMatch,
) -> Result<OneOnOneWithPeople, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized(&txn, actor, id, Action::OneOnOneEdit, now).await?;
    let one = current.one_on_one.id.as_str();
    versions::claim(&txn, Versioned::OneOnOne, &org, one, actor, if_match).await?;
    let d = draft(input)?;
    let fields = resolve(&txn, actor, &org, d).await?;
    oneonones::update(&txn, &org, &current.one_on_one.id, &fields, now).await?;
    // Moved in time, or to another pair: each pair's next one-on-one may have changed.
    let before = &current.one_on_one;
    conversation::carry_over_in(&txn, &org, &fields.manager_id, &fields.report_id, now).await?;
    let same_pair = [&before.manager_id, &before.report_id]
        .iter()
        .all(|p| *p == &fields.manager_id || *p == &fields.report_id);
    if !same_pair {
        conversation::carry_over_in(&txn, &org, &before.manager_id, &before.report_id, now).await?;
        // Given to another pair, it is no longer its series' occurrence: the slot is skipped.
        if let (Some(series), Some(slot)) = (&before.series_id, before.occurrence_at) {
            recurring::skip(&txn, &org, series, slot).await?;
            oneonones::detach(&txn, &org, &before.id).await?;
        }
    }
    // Whoever the update took out is written to the log (the others read it) and told.
    let removed: Vec<&Party> = [&current.manager, &current.report]
        .into_iter()
        .filter(|p| p.id != fields.manager_id && p.id != fields.report_id)
        .collect();
    for p in &removed {
        oneonones::log_about(
            &txn,
            &org,
            &before.id,
            &actor.user_id,
            AccessAction::ParticipantRemoved,
            Some(&p.id),
            now,
        )
        .await?;
    }
    let o = reread::<OneOnOneWithPeople>(&txn, &org, &current.one_on_one.id).await?;
    let told: Vec<UserId> = removed.iter().filter_map(|p| p.user_id.clone()).collect();
    if !told.is_empty() {
        notify_removed(&txn, state, actor, &current, &told).await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    // Its notes, time or people: the open pages fetch it again (and its agenda, which a move
    // in time may have changed).
    crate::live::publish(
        state,
        crate::live::Change::of(&o, crate::live::What::Everything),
    )
    .await;
    Ok(o)
}

/// Tells the users of participants an update took out of a one-on-one (queued in the
/// update's transaction): they can no longer open it, so its log cannot tell them.
async fn notify_removed(
    txn: &impl ConnectionTrait,
    state: &AppState,
    actor: &Actor,
    o: &OneOnOneWithPeople,
    told: &[UserId],
) -> Result<(), ApiError> {
    let by = match users::find(txn, &actor.user_id).await? {
        Some(u) => format!("{} ({})", u.name, u.email),
        None => "Someone in your organization".to_owned(),
    };
    for uid in told {
        let Some(user) = users::find(txn, uid).await? else {
            continue;
        };
        let at = when_for(txn, uid, o.one_on_one.scheduled_at).await?;
        let body = format!(
            "Hello {name},\n\n\
             {by} changed the one-on-one between \u{201c}{manager}\u{201d} and\n\
             \u{201c}{report}\u{201d} scheduled for {at}: you no longer take part in it,\n\
             and can no longer open it.\n\n\
             If you did not expect this, ask them or an admin of your organization why.\n",
            name = user.name,
            manager = o.manager.name,
            report = o.report.name,
        );
        let html = crate::mail::html::OneOnOneRemoved {
            name: &user.name,
            by: &by,
            manager: &o.manager.name,
            report: &o.report.name,
            at: at.clone(),
        };
        let mail = Mail::new(
            user.email.to_string(),
            "You were taken out of a one-on-one".into(),
            body,
            &html,
        )
        .map_err(ApiError::internal)?;
        notice(txn, state, &mail, &o.one_on_one.organization_id).await?;
    }
    Ok(())
}

/// An instant as `user` reads it: in their zone (My account), named (`core::display`).
async fn when_for(
    db: &impl manageros_store::ConnectionTrait,
    user: &UserId,
    t: Timestamp,
) -> Result<String, ApiError> {
    let zone = manageros_store::repo::notifications::prefs(db, user)
        .await?
        .and_then(|p| p.time_zone);
    Ok(manageros_core::display::instant(t, zone.as_deref()))
}

/// Queues a notice within the mail budgets (`MailBudget::take_for_notice`): past them it is
/// dropped, and the change it tells of goes on.
pub(crate) async fn notice(
    txn: &impl ConnectionTrait,
    state: &AppState,
    mail: &Mail,
    org: &OrgId,
) -> Result<(), ApiError> {
    if state
        .mail_budget
        .take_for_notice(txn, state.now(), org, &mail.to)
        .await?
    {
        outbox::queue(txn, state, mail, Some(org), None).await?;
    } else {
        tracing::info!(subject = %mail.subject, "notice dropped: a mail budget is used up");
    }
    Ok(())
}

/// Deletes a one-on-one. When an admin who does not take part deletes it, the participants
/// are told by email: the access log goes with the one-on-one they can no longer open.
pub async fn delete(state: &AppState, actor: &Actor, id: &OneOnOneId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let now = state.now();
    let (org, o) = authorized(&txn, actor, id, Action::OneOnOneDelete, now).await?;
    let one = &o.one_on_one;
    // Its open points that readers already see on the pair's next one-on-one go there before
    // it does (unless it is that next one itself); its own agenda goes with it.
    let next = manageros_store::repo::conversation::next_of_pair(
        &txn,
        &org,
        &one.manager_id,
        &one.report_id,
        now,
    )
    .await?;
    if next.as_ref() != Some(&one.id) {
        conversation::carry_over_in(&txn, &org, &one.manager_id, &one.report_id, now).await?;
    }
    // An occurrence of a series is not created again.
    if let (Some(series), Some(slot)) = (&one.series_id, one.occurrence_at) {
        recurring::skip(&txn, &org, series, slot).await?;
    }
    // Its talking points and private notes go with it; the tasks made from them stay.
    manageros_store::repo::conversation::unlink_tasks(&txn, &org, &one.id).await?;
    oneonones::delete(&txn, &org, &one.id).await?;
    // Another one-on-one may now be the pair's next: what is due moves there.
    conversation::carry_over_in(&txn, &org, &one.manager_id, &one.report_id, now).await?;
    if !authz::takes_part(actor, &o.one_on_one.facts()) {
        notify_deleted(&txn, state, actor, &o).await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// Tells the participants that an admin deleted their one-on-one (queued in the deletion's
/// transaction).
async fn notify_deleted(
    txn: &impl ConnectionTrait,
    state: &AppState,
    actor: &Actor,
    o: &OneOnOneWithPeople,
) -> Result<(), ApiError> {
    let admin = match users::find(txn, &actor.user_id).await? {
        Some(u) => format!("{} ({})", u.name, u.email),
        None => "An admin".to_owned(),
    };
    for party in [&o.manager, &o.report] {
        let Some(uid) = &party.user_id else { continue };
        let Some(user) = users::find(txn, uid).await? else {
            continue;
        };
        let at = when_for(txn, uid, o.one_on_one.scheduled_at).await?;
        let body = format!(
            "Hello {name},\n\n\
             {admin}, an admin of your organization, deleted the one-on-one between\n\
             \u{201c}{manager}\u{201d} and \u{201c}{report}\u{201d} scheduled for {at}.\n",
            name = user.name,
            manager = o.manager.name,
            report = o.report.name,
        );
        let html = crate::mail::html::OneOnOneDeleted {
            name: &user.name,
            admin: &admin,
            manager: &o.manager.name,
            report: &o.report.name,
            at: at.clone(),
        };
        let mail = Mail::new(
            user.email.to_string(),
            "A one-on-one of yours was deleted by an admin".into(),
            body,
            &html,
        )
        .map_err(ApiError::internal)?;
        notice(txn, state, &mail, &o.one_on_one.organization_id).await?;
    }
    Ok(())
}

/// Who reads private notes, as the receipt says it: nobody but whoever wrote them (authz's
/// `oneonone.private-notes`, and the service reads only the caller's own).
pub const PRIVATE_NOTES_READERS: &str = "Only their author";

/// Who may open a one-on-one, and why.
pub struct Reader {
    pub user_id: String,
    pub name: String,
    pub why: &'static str,
}

/// The access receipt: who may open the one-on-one and why (as the permission rules decide
/// it), and who, not taking part, did.
pub async fn access(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
) -> Result<(Vec<Reader>, Vec<AccessEntry>), ApiError> {
    let org = authz::authorize_oneonone_caller(actor)?;
    let o = oneonones::find(&state.db, &org, id)
        .await?
        .ok_or_else(|| load::not_found(manageros_core::authz::Kind::OneOnOne))?;
    receipt(state, actor, &o).await
}

/// The access receipt of a one-on-one already loaded in the caller's organization.
async fn receipt(
    state: &AppState,
    actor: &Actor,
    o: &OneOnOneWithPeople,
) -> Result<(Vec<Reader>, Vec<AccessEntry>), ApiError> {
    let org = &o.one_on_one.organization_id;
    let facts = o.one_on_one.facts();
    authz::authorize_access_log(actor, &facts)?;
    let target = o.one_on_one.target();
    let candidates = users::admins_or_linked_to(
        &state.db,
        org,
        &[facts.manager.clone(), facts.report.clone()],
    )
    .await?;
    let readers = candidates
        .into_iter()
        .filter_map(|u| {
            let a = u.actor();
            authz::decide(&a, Action::OneOnOneView, Some(&target))
                .allowed
                .then(|| Reader {
                    user_id: u.id.to_string(),
                    name: u.name,
                    why: if authz::takes_part(&a, &facts) {
                        "participant"
                    } else {
                        "admin"
                    },
                })
        })
        .collect();
    // Its own entries, and every change of the user behind either of its people.
    let mut log = oneonones::access_log(&state.db, org, &o.one_on_one.id).await?;
    let names = [
        (o.manager.id.clone(), o.manager.name.clone()),
        (o.report.id.clone(), o.report.name.clone()),
    ];
    let links = users::link_events(
        &state.db,
        org,
        &[facts.manager.clone(), facts.report.clone()],
    )
    .await?;
    // Changes after the one-on-one was created: before it, they gave nobody access to it.
    let since = o.one_on_one.created_at;
    log.extend(
        links
            .into_iter()
            .filter(|e| e.at > since)
            .map(|e| AccessEntry {
                at: e.at,
                user_id: e.by,
                name: e.by_name,
                action: e.change.as_str().to_owned(),
                person: names.iter().find(|(id, _)| *id == e.person_id).cloned(),
                subject: Some((e.user_id, e.user_name)),
            }),
    );
    log.sort_by_key(|e| e.at);
    Ok((readers, log))
}

/// The one-on-ones page, from one call: the caller's list, or the 400 its filters earned
/// (shown next to them, with the rest of the page), and the handoffs waiting for the caller.
pub struct ListView {
    pub list: Result<(Vec<OneOnOneWithPeople>, PageInfo), ApiError>,
    pub handoffs: Vec<crate::handoffs::Offer>,
}

/// `GET /oneonones`'s view. Reads only.
pub async fn list_page(
    state: &AppState,
    actor: &Actor,
    seen: Option<i64>,
    q: OneOnOnesQuery,
    paging: &Paging,
) -> Result<ListView, ApiError> {
    let list = match list(state, actor, seen, q, paging).await {
        Err(e) if !matches!(e, ApiError::Validation(_)) => return Err(e),
        list => list,
    };
    Ok(ListView {
        list,
        handoffs: crate::handoffs::pending(state, actor).await?,
    })
}

/// The one-on-one page, from one call: the one-on-one (an admin's look logged once, by
/// [`get`]), its agenda as due, the access receipt or authz's reason it is not shown, the
/// caller's private notes, and what the caller may do there.
pub struct Detail {
    pub one_on_one: OneOnOneWithPeople,
    pub agenda: conversation::Agenda,
    /// Who may open it and who, not taking part, did; or why the caller may not see that.
    pub receipt: Result<(Vec<Reader>, Vec<AccessEntry>), String>,
    /// The caller's private notes, when they may keep some (`None` when they may not), and
    /// their version (0 before the first save).
    pub private_notes: Option<(Option<String>, i64)>,
    /// Why the caller may not change the agenda, if they may not.
    pub agenda_refusal: Option<String>,
    pub may_make_tasks: bool,
    /// Whether the caller may change it (its shared notes, in place).
    pub may_edit: bool,
    pub is_over: bool,
    /// The rule of its recurring series in words, when it is an occurrence of one.
    pub series: Option<String>,
    /// Whether the caller may skip it: an occurrence not over, for whoever may delete it.
    pub may_skip: bool,
}

/// `GET /oneonones/{id}`'s view. Reads only.
pub async fn detail(state: &AppState, actor: &Actor, id: &OneOnOneId) -> Result<Detail, ApiError> {
    let o = get(state, actor, id).await?;
    let agenda = conversation::agenda_of(state, &o).await?;
    let receipt = match receipt(state, actor, &o).await {
        Ok(r) => Ok(r),
        Err(e) => match e.forbidden_message() {
            Some(m) => Err(m.to_owned()),
            None => return Err(e),
        },
    };
    let private_notes = match conversation::may(actor, &o, Action::OneOnOnePrivateNotes) {
        Ok(()) => Some(
            conversation::private_note_of(state, &o, &actor.user_id)
                .await?
                .map_or((None, 0), |n| (Some(n.body), n.version)),
        ),
        Err(_) => None,
    };
    let series = match &o.one_on_one.series_id {
        Some(s) => recurring::find(&state.db, &o.one_on_one.organization_id, s)
            .await?
            .map(|s| s.rule.describe()),
        None => None,
    };
    let is_over = conversation::is_over(&o, state.now());
    Ok(Detail {
        may_skip: series.is_some()
            && !is_over
            && conversation::may(actor, &o, Action::OneOnOneDelete).is_ok(),
        series,
        agenda_refusal: conversation::may(actor, &o, Action::OneOnOneTalkingPoints).err(),
        may_make_tasks: conversation::may(actor, &o, Action::OneOnOneActionItems).is_ok(),
        may_edit: conversation::may(actor, &o, Action::OneOnOneEdit).is_ok(),
        is_over,
        one_on_one: o,
        agenda,
        receipt,
        private_notes,
    })
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
