//! Calendars (docs/API.md §6.3): a one-on-one as an iCalendar event, and each user's secret
//! feed of their one-on-ones for calendar applications to subscribe to.
//!
//! An event carries who and when, and a link to the one-on-one's page: never its notes or
//! agenda, since a calendar copies what it is given to servers we do not control. One-on-ones
//! have no end time; an event lasts 30 minutes.
//!
//! The feed's URL holds a random token; only its SHA-256 is stored. Making a new one revokes
//! the old; revoking it makes the URL answer 404. The feed is read as its owner is *now*: a
//! user who left the organization, or was unlinked from their person, gets an empty calendar.

use crate::{error::ApiError, oneonones, session, state::AppState};
use icalendar::{Calendar, Component, Event, EventLike};
use manageros_core::{
    OneOnOneId, Page, Timestamp,
    authz::{self, Actor},
};
use manageros_store::repo::{
    calendar_feeds,
    oneonones::{self as repo, ListQuery, OneOnOneWithPeople, SortField, SortKey},
};

pub const FEED_NOT_FOUND: &str = "Calendar feed not found";
/// How long an event lasts in a calendar.
const EVENT_MINUTES: i64 = 30;
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
        .ends(utc(one.scheduled_at.plus_millis(EVENT_MINUTES * 60_000)))
        .timestamp(utc(one.updated_at))
        .last_modified(utc(one.updated_at))
        .done()
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
    let events = match authz::oneonone_list_scope(&actor) {
        Ok((org, me)) => {
            let lq = ListQuery {
                participant: me,
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
        }
        // No organization or no person now: nothing to show, and nothing to say why.
        Err(_) => vec![],
    };
    Ok(calendar(
        "ManagerOS one-on-ones",
        events.iter().map(|o| event(state, o)),
    ))
}
