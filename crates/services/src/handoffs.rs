//! Handoffs when a person's manager changes (docs/API.md §6.4). The change itself (an admin's
//! edit of the org chart) records one, in its own transaction, when the old relationship has
//! open items: unchecked talking points, open action items. The person and the new manager
//! (authz: `authorize_handoff`) are offered them and choose what moves into the new
//! relationship's next one-on-one; the rest stays where it was. Private notes stay with their
//! author, and the old manager keeps the history they took part in and gains nothing new. Each
//! move is written to the access log of every one-on-one it touches.
//!
//! The offer is fixed when the manager changes: the items open then, with their text then
//! (`repo::handoffs::items`), of which those still open are shown. Whoever reads an offer
//! without having been one of the old pair (the new manager) has read part of those
//! one-on-ones: the read is logged on each of them and in the audit log, as an admin's
//! opening is. Another manager change of the person cancels the pending handoffs to anyone
//! but the new manager, so setting the manager back closes the offer.

use crate::input;
use crate::{audit, error::ApiError, state::AppState};
use manageros_core::{
    HandoffId, OneOnOneId, OrgId, PersonId, TalkingPointId, TaskId, Timestamp,
    authz::{self, Actor},
};
use manageros_store::{
    ConnectionTrait, begin_write,
    repo::{
        conversation::{self, ActionItem, PointRow},
        handoffs::{self, Handoff, Item, ItemKind},
        oneonones::{self, AccessAction},
        persons,
    },
};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use utoipa::ToSchema;

pub const ALREADY_DECIDED: &str = "This handoff was already decided";
pub const NOT_OFFERED_POINT: &str = "List only talking points this handoff offers";
pub const NOT_OFFERED_TASK: &str = "List only action items this handoff offers";

/// Called by the org chart's manager change, inside its write: cancels the person's pending
/// handoffs to anyone but the new manager, and records a handoff, with the items it offers as
/// they are now, when the person leaves a manager with whom they have something open.
pub(crate) async fn record_manager_change(
    state: &AppState,
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
    old: Option<&PersonId>,
    new: Option<&PersonId>,
    now: Timestamp,
) -> Result<(), ApiError> {
    handoffs::cancel_pending_except(db, org, person, new, now).await?;
    let (Some(old), Some(new)) = (old, new) else {
        return Ok(());
    };
    if old == new {
        return Ok(());
    }
    let points = conversation::open_points_of_pair(db, org, person, old).await?;
    let tasks = conversation::open_action_items(db, org, person, old).await?;
    if points.is_empty() && tasks.is_empty() {
        return Ok(());
    }
    let items: Vec<Item> = points
        .into_iter()
        .map(|p| Item {
            kind: ItemKind::Point,
            id: p.id.to_string(),
            text: p.body,
            parked: None,
        })
        .chain(tasks.into_iter().map(|t| Item {
            kind: ItemKind::Task,
            id: t.id.to_string(),
            text: t.title,
            parked: None,
        }))
        .collect();
    let count = items.len();
    let id = handoffs::insert(db, org, person, old, new, items, now).await?;
    let names: HashMap<PersonId, String> =
        persons::names(db, org, &[person.clone(), old.clone(), new.clone()])
            .await?
            .into_iter()
            .collect();
    let name = |p: &PersonId| names.get(p).cloned().unwrap_or_default();
    crate::notify::handoff_waiting(
        db,
        state,
        org,
        &id,
        &[person, new],
        &name(person),
        &name(old),
        &name(new),
        count,
    )
    .await
}

/// A handoff as its two people see it.
pub struct Offer {
    pub handoff: Handoff,
    pub person: String,
    pub old_manager: String,
    pub new_manager: String,
    pub points: Vec<PointRow>,
    pub action_items: Vec<ActionItem>,
    /// Where what is moved goes: the new pair's next one-on-one, if one is scheduled.
    pub target: Option<(OneOnOneId, Timestamp)>,
    /// The offered points the handoff holds itself, their one-on-one having been cancelled
    /// by the reorg with no other of the pair to go to (moving one writes it anew).
    pub parked: HashSet<TalkingPointId>,
}

async fn offer(
    db: &impl ConnectionTrait,
    org: &OrgId,
    h: Handoff,
    now: Timestamp,
) -> Result<Offer, ApiError> {
    let names: HashMap<PersonId, String> = persons::names(
        db,
        org,
        &[
            h.person_id.clone(),
            h.old_manager_id.clone(),
            h.new_manager_id.clone(),
        ],
    )
    .await?
    .into_iter()
    .collect();
    let name = |p: &PersonId| names.get(p).cloned().unwrap_or_default();
    let target =
        match conversation::next_of_pair(db, org, &h.person_id, &h.new_manager_id, now).await? {
            Some(id) => oneonones::find(db, org, &id)
                .await?
                .map(|o| (id, o.one_on_one.scheduled_at)),
            None => None,
        };
    // What was offered when the manager changed, as it was then, of which what is still open
    // in the old relationship (moved or checked off since: no longer offered).
    let offered = handoffs::items(db, org, &h.id).await?;
    let fixed: HashMap<(ItemKind, String), String> = offered
        .iter()
        .map(|i| ((i.kind, i.id.clone()), i.text.clone()))
        .collect();
    let was = |kind: ItemKind, id: String| fixed.get(&(kind, id)).cloned();
    let mut points: Vec<PointRow> =
        conversation::open_points_of_pair(db, org, &h.person_id, &h.old_manager_id)
            .await?
            .into_iter()
            .filter_map(|mut p| {
                p.body = was(ItemKind::Point, p.id.to_string())?;
                Some(p)
            })
            .collect();
    // And the points the handoff holds itself (their one-on-one is gone).
    let present: HashSet<String> = points.iter().map(|p| p.id.to_string()).collect();
    let held: Vec<(TalkingPointId, &str, &handoffs::Parked)> = offered
        .iter()
        .filter(|i| i.kind == ItemKind::Point && !present.contains(&i.id))
        .filter_map(|i| {
            Some((
                TalkingPointId::parse(&i.id)?,
                i.text.as_str(),
                i.parked.as_ref()?,
            ))
        })
        .collect();
    let authors: HashMap<PersonId, String> = if held.is_empty() {
        HashMap::new()
    } else {
        let ids: Vec<PersonId> = held.iter().map(|(_, _, p)| p.author.clone()).collect();
        persons::names(db, org, &ids).await?.into_iter().collect()
    };
    let mut parked = HashSet::new();
    for (id, text, p) in held {
        parked.insert(id.clone());
        points.push(PointRow {
            id,
            oneonone_id: p.from.clone(),
            author_id: p.author.clone(),
            author_name: authors.get(&p.author).cloned().unwrap_or_default(),
            body: text.to_owned(),
            position: 0,
            done_at: None,
            carried_from_id: None,
            task_id: None,
            task_title: None,
            task_status: None,
            created_at: p.written_at,
            updated_at: p.written_at,
            version: 1,
        });
    }
    let action_items = conversation::open_action_items(db, org, &h.person_id, &h.old_manager_id)
        .await?
        .into_iter()
        .filter_map(|mut t| {
            t.title = was(ItemKind::Task, t.id.to_string())?;
            Some(t)
        })
        .collect();
    Ok(Offer {
        person: name(&h.person_id),
        old_manager: name(&h.old_manager_id),
        new_manager: name(&h.new_manager_id),
        points,
        action_items,
        target,
        parked,
        handoff: h,
    })
}

/// An offer read by someone who was not one of the old pair has shown part of the old
/// pair's one-on-ones: logged on each of them and in the audit log, as an admin's opening.
async fn log_reading(
    db: &impl ConnectionTrait,
    actor: &Actor,
    offer: &Offer,
    now: Timestamp,
) -> Result<(), ApiError> {
    let h = &offer.handoff;
    if authz::took_part_before(actor, &h.facts()) {
        return Ok(());
    }
    let read: BTreeSet<&OneOnOneId> = offer
        .points
        .iter()
        .map(|p| &p.oneonone_id)
        .chain(offer.action_items.iter().map(|a| &a.oneonone_id))
        .collect();
    for o in read {
        let org = &h.organization_id;
        oneonones::log_access(db, org, o, &actor.user_id, AccessAction::ViewInHandoff, now).await?;
        audit::record(
            db,
            audit::Event::new(org, audit::Kind::OneOnOneAdminAccess, now)
                .by(&actor.user_id)
                .target(o.as_str())
                .detail(format!(
                    "Read, in a handoff offer, the open items of the one-on-one of {} and {}",
                    offer.old_manager, offer.person
                )),
        )
        .await?;
    }
    Ok(())
}

/// The caller's undecided handoffs, with what each offers.
/// A pending handoff as the home page mentions it: who moved, and how many open items wait,
/// never which (reading those is [`pending`], and logged).
pub struct Waiting {
    /// Whether the caller is the person who moved (else their new manager).
    pub is_me: bool,
    pub person: String,
    pub old_manager: String,
    pub new_manager: String,
    pub items: usize,
}

/// The caller's undecided handoffs that still offer something, by names and counts only.
pub async fn waiting(state: &AppState, actor: &Actor) -> Result<Vec<Waiting>, ApiError> {
    let (org, me) = authz::oneonone_list_scope(actor)?;
    let now = state.now();
    let mut out = vec![];
    for h in handoffs::pending_for(&state.db, &org, &me).await? {
        authz::authorize_handoff(actor, &h.facts())?;
        let is_me = h.person_id == me;
        let o = offer(&state.db, &org, h, now).await?;
        let items = o.points.len() + o.action_items.len();
        if items > 0 {
            out.push(Waiting {
                is_me,
                person: o.person,
                old_manager: o.old_manager,
                new_manager: o.new_manager,
                items,
            });
        }
    }
    Ok(out)
}

pub async fn pending(state: &AppState, actor: &Actor) -> Result<Vec<Offer>, ApiError> {
    let (org, me) = authz::oneonone_list_scope(actor)?;
    let now = state.now();
    let mut out = vec![];
    for h in handoffs::pending_for(&state.db, &org, &me).await? {
        authz::authorize_handoff(actor, &h.facts())?;
        let offer = offer(&state.db, &org, h, now).await?;
        log_reading(&state.db, actor, &offer, now).await?;
        out.push(offer);
    }
    Ok(out)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct HandoffRequest {
    /// The offered talking points to move (none: `[]` or absent).
    #[schema(value_type = input::ChosenIds, inline, required = false)]
    pub point_ids: Option<Vec<String>>,
    /// The offered action items (task ids) to move.
    #[schema(value_type = input::ChosenIds, inline, required = false)]
    pub task_ids: Option<Vec<String>>,
}

/// What a decision moved.
pub struct Moved {
    pub points: u64,
    pub action_items: u64,
}

/// The most items a decision may name; an offer holds an agenda's open points (bounded) and
/// the pair's open action items.
pub const MAX_CHOSEN: usize = 500;

/// Moves exactly the chosen items into the new pair's next one-on-one and closes the handoff;
/// choosing nothing closes it and moves nothing.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    input: HandoffRequest,
) -> Result<Moved, ApiError> {
    let org = actor
        .org_id
        .clone()
        .ok_or_else(|| ApiError::not_found(authz::HANDOFF_NOT_FOUND))?;
    let id = HandoffId::parse(raw_id.trim())
        .ok_or_else(|| ApiError::not_found(authz::HANDOFF_NOT_FOUND))?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    // A handoff cancelled by a later manager change (closed, by no one) is gone.
    let h = handoffs::find(&txn, &org, &id)
        .await?
        .filter(|h| h.resolved_at.is_none() || h.resolved_by_id.is_some())
        .ok_or_else(|| ApiError::not_found(authz::HANDOFF_NOT_FOUND))?;
    authz::authorize_handoff(actor, &h.facts())?;
    // Decided already: a 409 whatever this decision names (what it names is no longer
    // offered, and judging it would answer 400 instead).
    if h.resolved_at.is_some() {
        return Err(ApiError::conflict(ALREADY_DECIDED));
    }
    let pair = (h.person_id.clone(), h.new_manager_id.clone());
    let offer = offer(&txn, &org, h, now).await?;

    // Exactly what is offered, each once.
    let raw_points = input.point_ids.unwrap_or_default();
    let raw_tasks = input.task_ids.unwrap_or_default();
    // No more than could be offered: the loops below stay short under the write lock.
    if raw_points.len() > MAX_CHOSEN {
        return Err(ApiError::invalid("pointIds", NOT_OFFERED_POINT));
    }
    if raw_tasks.len() > MAX_CHOSEN {
        return Err(ApiError::invalid("taskIds", NOT_OFFERED_TASK));
    }
    let offered_points: HashMap<&TalkingPointId, &PointRow> =
        offer.points.iter().map(|p| (&p.id, p)).collect();
    let offered_tasks: HashSet<&TaskId> = offer.action_items.iter().map(|a| &a.id).collect();
    let mut points = vec![];
    let mut seen = HashSet::new();
    for r in &raw_points {
        let p = TalkingPointId::parse(r.trim())
            .and_then(|id| offered_points.get(&id).copied())
            .ok_or_else(|| ApiError::invalid("pointIds", NOT_OFFERED_POINT))?;
        if seen.insert(&p.id) {
            points.push(p);
        }
    }
    let mut tasks = vec![];
    let mut seen_tasks = HashSet::new();
    for r in &raw_tasks {
        let t = TaskId::parse(r.trim())
            .filter(|t| offered_tasks.contains(t))
            .ok_or_else(|| ApiError::invalid("taskIds", NOT_OFFERED_TASK))?;
        if seen_tasks.insert(t.clone()) {
            tasks.push(t);
        }
    }
    let target = match (&offer.target, points.is_empty() && tasks.is_empty()) {
        (_, true) => None,
        (Some((t, _)), false) => Some(t.clone()),
        (None, false) => {
            return Err(ApiError::invalid(
                "pointIds",
                format!(
                    "Schedule a one-on-one of {} and {} first: what you move goes to their next one",
                    offer.person, offer.new_manager
                ),
            ));
        }
    };
    if !handoffs::resolve(&txn, &org, &id, &actor.user_id, now).await? {
        return Err(ApiError::conflict(ALREADY_DECIDED));
    }
    let mut moved = Moved {
        points: 0,
        action_items: 0,
    };
    if let Some(target) = target {
        // What is due to the new pair's next one-on-one arrives first, as its readers were
        // shown (`conversation::agenda_of`); the handed-off points follow.
        crate::conversation::carry_over_in(&txn, &org, &pair.0, &pair.1, now).await?;
        let mut touched: BTreeSet<OneOnOneId> = BTreeSet::from([target.clone()]);
        for p in points {
            let moved_now = if offer.parked.contains(&p.id) {
                conversation::restore_point(&txn, &org, p, &target, now).await?
            } else {
                conversation::move_point_to(&txn, &org, p, &target, now).await?
            };
            if moved_now {
                touched.insert(p.oneonone_id.clone());
                moved.points += 1;
            }
        }
        for t in &tasks {
            if let Some(item) = offer.action_items.iter().find(|a| &a.id == t) {
                touched.insert(item.oneonone_id.clone());
            }
            conversation::link_task(&txn, &org, t, &target).await?;
            moved.action_items += 1;
        }
        for o in &touched {
            oneonones::log_access(&txn, &org, o, &actor.user_id, AccessAction::Handoff, now)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(moved)
}
