//! Calendars (docs/API.md §6.3): a one-on-one as an iCalendar event, and each user's secret
//! feed of their one-on-ones for calendar applications to subscribe to.
//!
//! An event carries who and when, and a link to the one-on-one's page: never its notes or
//! agenda, since a calendar copies what it is given to servers we do not control. An event
//! lasts as long as its one-on-one.
//!
//! In the feed, a recurring series is one event with its rule (`RRULE`, `DTSTART` in the
//! series' time zone), its skipped occurrences as `EXDATE`, and each of its occurrences that
//! exists as an override (`RECURRENCE-ID`, the slot the rule gave it) carrying its own time
//! (it may have been moved) and a link to its own page.
//!
//! The feed's URL holds a random token; only its SHA-256 is stored. Making a new one revokes
//! the old; revoking it makes the URL answer 404. The feed is read as its owner is *now*: a
//! user who left the organization, or was unlinked from their person, gets an empty calendar.

use crate::{error::ApiError, oneonones, session, state::AppState};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, Property};
use manageros_core::{
    MeetingId, OneOnOneId, Page, PersonId, Timestamp,
    authz::{self, Actor},
    recurrence::{self, Tz},
};
use manageros_store::repo::{
    calendar_feeds,
    oneonones::{self as repo, ListQuery, OneOnOneWithPeople, SortField, SortKey},
    persons, recurring,
};
use std::collections::HashMap;

pub const FEED_NOT_FOUND: &str = "Calendar feed not found";
/// The series a feed carries, at most.
const FEED_SERIES: u64 = 100;
/// The feed holds one-on-ones from this many days back, and all those ahead, up to
/// [`FEED_LIMIT`].
const FEED_DAYS_BACK: i64 = 90;
const FEED_LIMIT: u64 = 500;

fn utc(t: Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(t.as_millis()).unwrap_or_default()
}

fn event(state: &AppState, o: &OneOnOneWithPeople) -> Event {
    let one = &o.one_on_one;
    let url = format!("{}/oneonones/{}", state.config.public_url, one.id);
    Event::new()
        .uid(&format!("{}@manageros", one.id))
        .summary(&format!(
            "One-on-one: {} and {}",
            o.manager.name, o.report.name
        ))
        .description(&format!("Agenda and notes in ManagerOS: {url}"))
        .url(&url)
        .starts(utc(one.scheduled_at))
        .ends(utc(one.ends_at))
        .timestamp(utc(one.updated_at))
        .last_modified(utc(one.updated_at))
        .done()
}

/// A local time in a zone, as `DTSTART;TZID=…` takes it.
fn zoned(tz: Tz, t: Timestamp) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: recurrence::local(tz, t),
        tzid: tz.name().to_owned(),
    }
}

fn zoned_property(key: &str, tz: Tz, t: Timestamp) -> Property {
    Property::new(
        key,
        recurrence::local(tz, t).format("%Y%m%dT%H%M%S").to_string(),
    )
    .add_parameter("TZID", tz.name())
    .done()
}

/// A series as one recurring event, then an override for each of its occurrences shown.
fn series_events(
    state: &AppState,
    s: &recurring::Series,
    names: &HashMap<PersonId, String>,
    skips: &[Timestamp],
    occurrences: &[&OneOnOneWithPeople],
    me: &PersonId,
) -> Vec<Event> {
    let start = recurrence::instant(s.rule.tz, s.rule.starts_on.and_time(s.rule.time));
    let Some(&first) = s.rule.occurrences(start, start.plus_days(40)).first() else {
        // A series replaced before its first date has nothing to show.
        return vec![];
    };
    let tz = s.rule.tz;
    let uid = format!("{}@manageros", s.id);
    let name = |p: &PersonId| names.get(p).cloned().unwrap_or_default();
    let summary = format!(
        "One-on-one: {} and {}",
        name(&s.manager_id),
        name(&s.report_id)
    );
    let other = if &s.manager_id == me {
        &s.report_id
    } else {
        &s.manager_id
    };
    let url = format!("{}/oneonones/with/{other}", state.config.public_url);
    let mut master = Event::new();
    master
        .uid(&uid)
        .summary(&summary)
        .description(&format!("Agendas and notes in ManagerOS: {url}"))
        .url(&url)
        .starts(zoned(tz, first))
        .ends(zoned(tz, first.plus_millis(s.duration_minutes * 60_000)))
        .add_property("RRULE", s.rule.rrule())
        .timestamp(utc(s.updated_at))
        .last_modified(utc(s.updated_at));
    for at in skips {
        master.append_multi_property(zoned_property("EXDATE", tz, *at));
    }
    let mut out = vec![master.done()];
    for o in occurrences {
        let one = &o.one_on_one;
        let Some(slot) = one.occurrence_at else {
            continue;
        };
        let mut e = event(state, o);
        e.uid(&uid)
            .append_property(zoned_property("RECURRENCE-ID", tz, slot));
        out.push(e.done());
    }
    out
}

fn calendar(name: &str, events: impl IntoIterator<Item = Event>) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    for e in events {
        cal.push(e);
    }
    cal.done().to_string()
}

/// One one-on-one as an `.ics` file: for whoever may view it (an admin's look is logged).
pub async fn event_of(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
) -> Result<String, ApiError> {
    let o = oneonones::get(state, actor, id).await?;
    Ok(calendar("ManagerOS one-on-one", [event(state, &o)]))
}

/// How many occurrences of a meeting its `.ics` carries.
const MEETING_OCCURRENCES: u64 = 100;

/// A meeting as an `.ics` file, for whoever may view it: the meeting, and each of its
/// occurrences the caller may see (up to 100) as events of their own. Who, when and where,
/// and a link: never its description or notes.
pub async fn meeting_events(
    state: &AppState,
    actor: &Actor,
    id: &MeetingId,
) -> Result<String, ApiError> {
    let (m, (instances, _)) = crate::meetings::page(state, actor, id, MEETING_OCCURRENCES).await?;
    let url = format!("{}/meetings/{}", state.config.public_url, m.id);
    let minutes = i64::from(m.duration_minutes) * 60_000;
    let one = |uid: String, title: &str, at: Timestamp, changed: Timestamp| {
        let mut e = Event::new();
        e.uid(&uid)
            .summary(title)
            .description(&format!("In ManagerOS: {url}"))
            .url(&url)
            .starts(utc(at))
            .ends(utc(at.plus_millis(minutes)))
            .timestamp(utc(changed))
            .last_modified(utc(changed));
        if let Some(place) = &m.location {
            e.location(place);
        }
        e.done()
    };
    let mut events = vec![one(
        format!("{}@manageros", m.id),
        &m.title,
        m.scheduled_at,
        m.updated_at,
    )];
    events.extend(instances.iter().map(|i| {
        one(
            format!("{}@manageros", i.id),
            &m.title,
            i.scheduled_at,
            i.updated_at,
        )
    }));
    Ok(calendar("ManagerOS meeting", events))
}

/// Whether the caller has a feed, and since when.
pub async fn feed_status(state: &AppState, actor: &Actor) -> Result<Option<Timestamp>, ApiError> {
    Ok(calendar_feeds::created_at(&state.db, &actor.user_id).await?)
}

/// Makes the caller a new feed URL (the old one stops working) and returns it: the only time
/// it is shown.
pub async fn new_feed(state: &AppState, actor: &Actor) -> Result<String, ApiError> {
    let token = session::new_token();
    let txn = manageros_store::begin_write(&state.db).await?;
    calendar_feeds::replace(
        &txn,
        &actor.user_id,
        &session::hash_token(&token),
        state.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(format!("{}/calendar/{token}.ics", state.config.public_url))
}

/// Revokes the caller's feed; true if there was one.
pub async fn revoke_feed(state: &AppState, actor: &Actor) -> Result<bool, ApiError> {
    Ok(calendar_feeds::revoke(&state.db, &actor.user_id).await?)
}

/// The feed behind a token: its owner's one-on-ones, as the owner may see them now.
pub async fn feed(state: &AppState, token: &str) -> Result<String, ApiError> {
    let token = token.strip_suffix(".ics").unwrap_or(token);
    let user = calendar_feeds::user_of(&state.db, &session::hash_token(token))
        .await?
        .ok_or_else(|| ApiError::not_found(FEED_NOT_FOUND))?;
    let actor = user.actor();
    let (org, me) = match authz::oneonone_list_scope(&actor) {
        Ok(scope) => scope,
        // No organization or no person now: nothing to show, and nothing to say why.
        Err(_) => return Ok(calendar("ManagerOS one-on-ones", [])),
    };
    let one_on_ones = {
        let lq = ListQuery {
            participant: me.clone(),
            with: None,
            scheduled_from: Some(state.now().plus_days(-FEED_DAYS_BACK)),
            scheduled_before: None,
            search: None,
            sort: vec![SortKey {
                field: SortField::ScheduledAt,
                descending: false,
            }],
            page: Page {
                page: 1,
                limit: FEED_LIMIT,
            },
        };
        repo::list(&state.db, &org, &lq, None).await?.0
    };
    let window = recurrence::local(Tz::UTC, state.now().plus_days(-FEED_DAYS_BACK)).date();
    let series: Vec<recurring::Series> = recurring::of_person(&state.db, &org, &me, FEED_SERIES)
        .await?
        .into_iter()
        .filter(|s| !s.ended_before(window))
        .collect();
    let mut people: Vec<PersonId> = series
        .iter()
        .flat_map(|s| [s.manager_id.clone(), s.report_id.clone()])
        .collect();
    people.sort();
    people.dedup();
    let names: HashMap<PersonId, String> = persons::names(&state.db, &org, &people)
        .await?
        .into_iter()
        .collect();
    let mut events = Vec::new();
    for s in &series {
        let skips = recurring::skips(&state.db, &org, &s.id).await?;
        let mine: Vec<&OneOnOneWithPeople> = one_on_ones
            .iter()
            .filter(|o| o.one_on_one.series_id.as_ref() == Some(&s.id))
            .collect();
        events.extend(series_events(state, s, &names, &skips, &mine, &me));
    }
    // Everything not carried by a series above is an event of its own.
    let shown: std::collections::HashSet<_> = series.iter().map(|s| &s.id).collect();
    events.extend(
        one_on_ones
            .iter()
            .filter(|o| {
                o.one_on_one
                    .series_id
                    .as_ref()
                    .is_none_or(|s| !shown.contains(s))
            })
            .map(|o| event(state, o)),
    );
    Ok(calendar("ManagerOS one-on-ones", events))
}
