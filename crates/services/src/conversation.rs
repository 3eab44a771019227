//! The conversation of a one-on-one (docs/API.md §6.1): the shared agenda of talking points,
//! the action items they become, and each participant's private notes.
//!
//! Who may do what is authz's: `oneonone.talking-points`, `oneonone.action-items` and
//! `oneonone.private-notes` are for the two participants; an admin reads the agenda as part of
//! the one-on-one (logged, as any look of theirs is) and never a private note. A private note
//! is read and written by its author only: the caller's own is the only one a request names.
//!
//! Carry-over: a one-on-one is over once it has ended (its start plus its duration, 30 minutes
//! unless set).
//! Its unchecked points then move to the pair's next one-on-one: a read shows them there
//! without writing ([`agenda_of`]), and the next write to the pair moves them (scheduling,
//! moving or deleting one of its one-on-ones, any change to an agenda, a handoff).

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load,
    oneonones::authorized,
    patch::Patch,
    state::AppState,
    tasks as task_rules, validate,
};
use crate::{
    extract::IfMatch,
    live::{self, Change, What},
    versions::{self, Versioned},
};
use manageros_core::{
    OneOnOneId, OrgId, PersonId, TalkingPointId, Timestamp, UserId,
    authz::{self, Action, Actor},
};
use manageros_store::{
    ConnectionTrait, begin_write,
    repo::{
        conversation::{self, ActionItem, MAX_POINTS, PointRow, PrivateNote},
        oneonones::OneOnOneWithPeople,
        tasks::{self, Task, TaskFields},
    },
};
use serde::Deserialize;
use std::collections::HashSet;
use utoipa::ToSchema;

pub const POINT_NOT_FOUND: &str = "Talking point not found";
pub const TOO_MANY_POINTS: &str = "A one-on-one holds at most 100 talking points";
pub const ALREADY_A_TASK: &str = "This talking point is already a task";
pub const ASSIGNEE_NOT_PARTICIPANT: &str =
    "An action item is assigned to one of the two participants";

/// Moves the pair's unchecked points to its next one-on-one, inside the caller's write.
pub(crate) async fn carry_over_in(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    now: Timestamp,
) -> Result<u64, ApiError> {
    Ok(conversation::carry_over(db, org, one, other, now).await?)
}

/// The agenda of a one-on-one as its page shows it.
pub struct Agenda {
    pub points: Vec<PointRow>,
    /// How many points first written here now sit on a later one-on-one of the pair.
    pub carried_away: u64,
    /// The pair's open action items, from any of their one-on-ones.
    pub action_items: Vec<ActionItem>,
}

/// The agenda of a one-on-one the caller was already allowed to see (and, as an admin,
/// logged for), as it stands once what is due is carried over. A read: it writes nothing
/// (`repo::conversation::agenda_as_due`); the next write to the pair's agenda carries for
/// real ([`settle`]).
pub async fn agenda_of(state: &AppState, o: &OneOnOneWithPeople) -> Result<Agenda, ApiError> {
    let one = &o.one_on_one;
    let (org, m, r) = (&one.organization_id, &one.manager_id, &one.report_id);
    let (points, carried_away) =
        conversation::agenda_as_due(&state.db, org, &one.id, m, r, state.now()).await?;
    Ok(Agenda {
        points,
        carried_away,
        action_items: conversation::open_action_items(&state.db, org, m, r).await?,
    })
}

/// Carries the pair's due points inside a write to its agenda, before the write looks at
/// any point: the agenda it changes is then the one [`agenda_of`] showed.
async fn settle(
    txn: &impl ConnectionTrait,
    org: &OrgId,
    o: &OneOnOneWithPeople,
    now: Timestamp,
) -> Result<(), ApiError> {
    let one = &o.one_on_one;
    carry_over_in(txn, org, &one.manager_id, &one.report_id, now).await?;
    Ok(())
}

/// `GET /api/oneonones/{id}/talking-points`: whoever may view the one-on-one.
pub async fn agenda(state: &AppState, actor: &Actor, id: &OneOnOneId) -> Result<Agenda, ApiError> {
    let (_, o) = authorized(&state.db, actor, id, Action::OneOnOneView, state.now()).await?;
    agenda_of(state, &o).await
}

/// One talking point as the agenda shows it now (whoever may view the one-on-one): what a
/// stale edit of it is answered with.
pub async fn point(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    point: &TalkingPointId,
) -> Result<PointRow, ApiError> {
    agenda(state, actor, id)
        .await?
        .points
        .into_iter()
        .find(|p| &p.id == point)
        .ok_or_else(|| ApiError::not_found(POINT_NOT_FOUND))
}

fn point_text(raw: Option<&str>) -> Result<String, manageros_core::Invalid> {
    manageros_core::single_line(raw.unwrap_or_default(), "Text", 1, 500)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct NewPointRequest {
    /// One line, 1–500 characters.
    #[schema(value_type = input::PointText, inline, required = true)]
    pub text: Option<String>,
}

/// Adds a talking point, by the caller, at the end of the agenda.
pub async fn add_point(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    input: NewPointRequest,
) -> Result<PointRow, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, o) = authorized(&txn, actor, id, Action::OneOnOneTalkingPoints, now).await?;
    settle(&txn, &org, &o, now).await?;
    validate! { text = "text": point_text(input.text.as_deref()) }
    let author = participant_person(actor)?;
    let point = conversation::insert_point(&txn, &org, &o.one_on_one.id, &author, &text, now)
        .await?
        .ok_or_else(|| ApiError::invalid("text", TOO_MANY_POINTS))?;
    let row = point_row(&txn, &org, &o.one_on_one.id, &point).await?;
    txn.commit().await?;
    live::publish(state, Change::of(&o, What::Agenda)).await;
    Ok(row)
}

/// The caller's person: a participant's (authz allowed them as one).
fn participant_person(actor: &Actor) -> Result<PersonId, ApiError> {
    actor
        .person_id
        .clone()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a participant without a person")))
}

async fn point_row(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
    id: &TalkingPointId,
) -> Result<PointRow, ApiError> {
    conversation::points(db, org, oneonone)
        .await?
        .into_iter()
        .find(|p| &p.id == id)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a talking point vanished")))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct PointPatch {
    /// One line, 1–500 characters.
    #[serde(default)]
    #[schema(value_type = input::PointText, inline, required = false)]
    pub text: Patch<String>,
    /// Checked off (discussed) or not.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub done: Patch<bool>,
}

/// Edits a point's text or checks it off (either participant, whoever wrote it: the agenda
/// is shared).
pub async fn update_point(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    point: &TalkingPointId,
    input: PointPatch,
    if_match: &IfMatch,
) -> Result<PointRow, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, o) = authorized(&txn, actor, id, Action::OneOnOneTalkingPoints, now).await?;
    settle(&txn, &org, &o, now).await?;
    let current = conversation::find_point(&txn, &org, &o.one_on_one.id, point)
        .await?
        .ok_or_else(|| ApiError::not_found(POINT_NOT_FOUND))?;
    let (db, pid) = (&txn, current.id.as_str());
    versions::claim(db, Versioned::TalkingPoint, &org, pid, actor, if_match).await?;
    let mut errors = FieldErrors::default();
    let text = match input.text {
        Patch::Absent => Some(current.body.clone()),
        Patch::Null => {
            errors.push("text", "Text is required");
            None
        }
        Patch::Value(t) => errors.take("text", point_text(Some(&t))),
    };
    let done = match input.done {
        Patch::Absent => Some(current.done_at.is_some()),
        Patch::Null => {
            errors.push("done", "Done must be true or false");
            None
        }
        Patch::Value(d) => Some(d),
    };
    errors.finish()?;
    let (Some(text), Some(done)) = (text, done) else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "validated point fields missing"
        )));
    };
    let done_at = match (done, current.done_at) {
        (true, Some(at)) => Some(at),
        (true, None) => Some(now),
        (false, _) => None,
    };
    conversation::update_point(&txn, &org, point, &text, done_at, now).await?;
    let row = point_row(&txn, &org, &o.one_on_one.id, point).await?;
    txn.commit().await?;
    live::publish(state, Change::of(&o, What::Agenda)).await;
    Ok(row)
}

pub async fn delete_point(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    point: &TalkingPointId,
) -> Result<(), ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, o) = authorized(&txn, actor, id, Action::OneOnOneTalkingPoints, now).await?;
    settle(&txn, &org, &o, now).await?;
    conversation::find_point(&txn, &org, &o.one_on_one.id, point)
        .await?
        .ok_or_else(|| ApiError::not_found(POINT_NOT_FOUND))?;
    conversation::delete_point(&txn, &org, point).await?;
    txn.commit().await?;
    live::publish(state, Change::of(&o, What::Agenda)).await;
    Ok(())
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReorderRequest {
    /// Every talking point of the one-on-one, each once, in the new order.
    #[schema(value_type = input::Ids, inline, required = true)]
    pub ids: Option<Vec<String>>,
}

pub const BAD_ORDER: &str = "List each talking point of this one-on-one once";

/// Puts the agenda in a new order: `ids` must be exactly its points. Answers the agenda as
/// [`agenda`] does.
pub async fn reorder(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    input: ReorderRequest,
) -> Result<Agenda, ApiError> {
    let now = state.now();
    let raw = input.ids.unwrap_or_default();
    // At most what an agenda can hold (carry-over may take it past MAX_POINTS, never past 3×).
    if raw.len() as u64 > MAX_POINTS * 3 {
        return Err(ApiError::invalid("ids", BAD_ORDER));
    }
    let mut order = Vec::with_capacity(raw.len());
    let mut seen = HashSet::with_capacity(raw.len());
    for r in &raw {
        let pid =
            TalkingPointId::parse(r.trim()).ok_or_else(|| ApiError::invalid("ids", BAD_ORDER))?;
        if !seen.insert(pid.clone()) {
            return Err(ApiError::invalid("ids", BAD_ORDER));
        }
        order.push(pid);
    }
    let txn = begin_write(&state.db).await?;
    let (org, o) = authorized(&txn, actor, id, Action::OneOnOneTalkingPoints, now).await?;
    settle(&txn, &org, &o, now).await?;
    let current = conversation::points(&txn, &org, &o.one_on_one.id).await?;
    if current.len() != order.len() || current.iter().any(|p| !seen.contains(&p.id)) {
        return Err(ApiError::invalid("ids", BAD_ORDER));
    }
    conversation::reorder(&txn, &org, &o.one_on_one.id, &order).await?;
    let one = &o.one_on_one;
    let agenda = Agenda {
        points: conversation::points(&txn, &org, &one.id).await?,
        carried_away: conversation::carried_away(&txn, &org, &one.id).await?,
        action_items: conversation::open_action_items(&txn, &org, &one.manager_id, &one.report_id)
            .await?,
    };
    txn.commit().await?;
    live::publish(state, Change::of(&o, What::Agenda)).await;
    Ok(agenda)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct ActionItemRequest {
    /// One of the two participants.
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub assignee_id: Option<String>,
    /// RFC 3339, or `YYYY-MM-DD` for the start of that UTC day.
    #[schema(value_type = input::OptionalDate, inline, required = false)]
    pub due_date: Option<String>,
}

/// Turns a talking point into a task (an action item) assigned to a participant, linked back
/// to the one-on-one; the point is checked off, since the task now carries it.
pub async fn make_task(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    point: &TalkingPointId,
    input: ActionItemRequest,
) -> Result<Task, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, o) = authorized(&txn, actor, id, Action::OneOnOneActionItems, now).await?;
    settle(&txn, &org, &o, now).await?;
    // The task is the caller's as any other task they create.
    load::permitted(actor, Action::TaskCreate)?;
    let current = conversation::find_point(&txn, &org, &o.one_on_one.id, point)
        .await?
        .ok_or_else(|| ApiError::not_found(POINT_NOT_FOUND))?;
    if current.task_id.is_some() {
        return Err(ApiError::conflict(ALREADY_A_TASK));
    }
    let one = &o.one_on_one;
    validate! {
        assignee = "assigneeId": match input.assignee_id.as_deref().map(str::trim) {
            None | Some("") => Ok(actor.person_id.clone().unwrap_or_else(|| one.manager_id.clone())),
            Some(raw) => PersonId::parse(raw)
                .filter(|p| p == &one.manager_id || p == &one.report_id)
                .ok_or_else(|| manageros_core::Invalid::new(ASSIGNEE_NOT_PARTICIPANT)),
        },
        due_date = "dueDate": input.due_date.as_deref().filter(|d| !d.trim().is_empty())
            .map(|d| task_rules::date(d.trim(), "Due date")).transpose(),
    }
    let title = if current.body.chars().count() > 200 {
        current.body.chars().take(199).collect::<String>() + "…"
    } else {
        current.body.clone()
    };
    let fields = TaskFields {
        title,
        description: Some(format!(
            "From the one-on-one of {} and {} on {}.",
            o.manager.name,
            o.report.name,
            manageros_core::display::day(one.scheduled_at)
        )),
        due_date,
        assignee_id: Some(assignee),
        ..TaskFields::default()
    };
    let task_id = tasks::insert(&txn, &org, &actor.user_id, &fields, now).await?;
    conversation::link_task(&txn, &org, &task_id, &one.id).await?;
    conversation::set_point_task(&txn, &org, point, &task_id, now).await?;
    versions::touch(&txn, Versioned::TalkingPoint, &org, point.as_str(), actor).await?;
    conversation::update_point(
        &txn,
        &org,
        point,
        &current.body,
        Some(current.done_at.unwrap_or(now)),
        now,
    )
    .await?;
    let task = load::reread::<Task>(&txn, &org, &task_id).await?;
    crate::notify::task_assigned(&txn, state, actor, &task).await?;
    txn.commit().await?;
    state.outbox.wake();
    live::publish(state, Change::of(&o, What::Agenda)).await;
    Ok(task)
}

/// `GET /api/oneonones/{id}/action-items`: the pair's open action items.
pub async fn action_items(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
) -> Result<Vec<ActionItem>, ApiError> {
    let (org, o) = authorized(&state.db, actor, id, Action::OneOnOneView, state.now()).await?;
    let one = &o.one_on_one;
    Ok(conversation::open_action_items(&state.db, &org, &one.manager_id, &one.report_id).await?)
}

// ---------------------------------------------------------------------------------------------
// Private notes.

/// The caller's own private notes on a one-on-one (participants only; never anyone else's).
pub async fn private_notes(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
) -> Result<Option<PrivateNote>, ApiError> {
    // Only participants pass: `authorized` never has an admin's look to log here.
    let (org, o) = authorized(
        &state.db,
        actor,
        id,
        Action::OneOnOnePrivateNotes,
        state.now(),
    )
    .await?;
    Ok(conversation::private_note(&state.db, &org, &o.one_on_one.id, &actor.user_id).await?)
}

/// `user`'s private notes on a one-on-one whose private notes the caller was allowed
/// ([`may`] with `oneonone.private-notes`, for the page's view).
pub(crate) async fn private_note_of(
    state: &AppState,
    o: &OneOnOneWithPeople,
    user: &UserId,
) -> Result<Option<PrivateNote>, ApiError> {
    let one = &o.one_on_one;
    Ok(conversation::private_note(&state.db, &one.organization_id, &one.id, user).await?)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct PrivateNotesRequest {
    /// Up to 20,000 characters; empty or `null` removes them.
    #[schema(value_type = input::Notes, inline, required = false)]
    pub notes: Option<String>,
}

pub async fn save_private_notes(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    input: PrivateNotesRequest,
    if_match: &IfMatch,
) -> Result<Option<PrivateNote>, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, o) = authorized(&txn, actor, id, Action::OneOnOnePrivateNotes, now).await?;
    // Notes not written yet are at version 0 (`ETag: "0"`).
    match conversation::private_note(&txn, &org, &o.one_on_one.id, &actor.user_id).await? {
        Some(n) => {
            let what = Versioned::PrivateNote;
            versions::claim(&txn, what, &org, n.id.as_str(), actor, if_match).await?;
        }
        None if !if_match.allows(0) => {
            let stale = versions::stale_message(Versioned::PrivateNote);
            return Err(ApiError::Stale(stale, None));
        }
        None => {}
    }
    validate! {
        notes = "notes": input.notes.as_deref().map(|n| manageros_core::long_text(n, "Notes", 20_000)).transpose(),
    }
    let notes = notes.filter(|n| !n.trim().is_empty());
    conversation::save_private_note(
        &txn,
        &org,
        &o.one_on_one.id,
        &actor.user_id,
        notes.as_deref(),
        now,
    )
    .await?;
    let saved = conversation::private_note(&txn, &org, &o.one_on_one.id, &actor.user_id).await?;
    txn.commit().await?;
    // Only its author hears of it: the change says whose, never what.
    let change = Change {
        user: Some(actor.user_id.to_string()),
        ..Change::of(&o, What::PrivateNotes)
    };
    live::publish(state, change).await;
    Ok(saved)
}

/// Moves one point a place up or down the agenda (the page's buttons; the API sends the whole
/// order). At either end, nothing changes.
pub async fn move_point(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
    point: &TalkingPointId,
    up: bool,
) -> Result<(), ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, o) = authorized(&txn, actor, id, Action::OneOnOneTalkingPoints, now).await?;
    settle(&txn, &org, &o, now).await?;
    let mut order: Vec<TalkingPointId> = conversation::points(&txn, &org, &o.one_on_one.id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let at = order
        .iter()
        .position(|p| p == point)
        .ok_or_else(|| ApiError::not_found(POINT_NOT_FOUND))?;
    let to = if up {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|t| *t < order.len())
    };
    if let Some(to) = to {
        order.swap(at, to);
        conversation::reorder(&txn, &org, &o.one_on_one.id, &order).await?;
    }
    txn.commit().await?;
    live::publish(state, Change::of(&o, What::Agenda)).await;
    Ok(())
}

/// Whether the caller may do `action` on this one-on-one, and if not, authz's reason: the
/// page shows a form only when allowed, the reason otherwise (the service asks again when the
/// form is sent).
pub fn may(actor: &Actor, o: &OneOnOneWithPeople, action: Action) -> Result<(), String> {
    let d = authz::decide(actor, action, Some(&o.one_on_one.target()));
    if d.allowed {
        Ok(())
    } else {
        Err(d.reason.into_owned())
    }
}

/// Whether a one-on-one is over at `now` (its open points then belong to the next one).
pub fn is_over(o: &OneOnOneWithPeople, now: Timestamp) -> bool {
    o.one_on_one.ends_at <= now
}
