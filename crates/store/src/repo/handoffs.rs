//! Handoffs: a person's manager changed; until the person or the new manager decides, the
//! old relationship's open items are offered to move into the new one.

use crate::entity::{handoff, handoff_item};
use manageros_core::{
    HandoffId, OneOnOneId, OrgId, PersonId, TalkingPointId, Timestamp, UserId, authz::HandoffFacts,
};
use sea_orm::{
    ActiveValue::Set, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, prelude::*,
};

pub type Handoff = handoff::Model;

impl Handoff {
    pub fn facts(&self) -> HandoffFacts {
        HandoffFacts {
            org_id: self.organization_id.clone(),
            person: self.person_id.clone(),
            old_manager: self.old_manager_id.clone(),
            new_manager: self.new_manager_id.clone(),
        }
    }
}

/// The most pending handoffs shown to one person at once.
pub const MAX_PENDING: u64 = 20;

/// What a handoff offers: an item of the old relationship, as it was when the manager changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Point,
    Task,
}

impl ItemKind {
    fn as_str(self) -> &'static str {
        match self {
            ItemKind::Point => "point",
            ItemKind::Task => "task",
        }
    }
}

/// One offered item: its id (a talking point's or a task's) and its text at the change.
pub struct Item {
    pub kind: ItemKind,
    pub id: String,
    pub text: String,
    /// Set when the point's one-on-one was cancelled with nowhere to move it (see [`park`]).
    pub parked: Option<Parked>,
}

/// A point the handoff holds itself: its one-on-one (now gone), author and time of writing.
pub struct Parked {
    pub from: OneOnOneId,
    pub author: PersonId,
    pub written_at: Timestamp,
}

/// Records a handoff and the items it offers, fixed now.
pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
    old_manager: &PersonId,
    new_manager: &PersonId,
    items: Vec<Item>,
    now: Timestamp,
) -> Result<HandoffId, DbErr> {
    let id = HandoffId::generate();
    handoff::Entity::insert(handoff::ActiveModel {
        id: Set(id.clone()),
        organization_id: Set(org.clone()),
        person_id: Set(person.clone()),
        old_manager_id: Set(old_manager.clone()),
        new_manager_id: Set(new_manager.clone()),
        created_at: Set(now),
        resolved_at: Set(None),
        resolved_by_id: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    // Bounded by the queries that found them (open points and action items of one pair).
    for chunk in items.chunks(100) {
        handoff_item::Entity::insert_many(chunk.iter().map(|i| handoff_item::ActiveModel {
            handoff_id: Set(id.clone()),
            item_id: Set(i.id.clone()),
            organization_id: Set(org.clone()),
            kind: Set(i.kind.as_str().to_owned()),
            text: Set(i.text.clone()),
            parked_from: Set(i.parked.as_ref().map(|p| p.from.to_string())),
            author_id: Set(i.parked.as_ref().map(|p| p.author.to_string())),
            written_at: Set(i.parked.as_ref().map(|p| p.written_at.as_millis())),
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(id)
}

/// The items a handoff offers, as they were when it was recorded.
pub async fn items(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &HandoffId,
) -> Result<Vec<Item>, DbErr> {
    let rows = handoff_item::Entity::find()
        .filter(handoff_item::Column::OrganizationId.eq(org.as_str()))
        .filter(handoff_item::Column::HandoffId.eq(id.as_str()))
        .all(db)
        .await?;
    // The column's CHECK allows these two; anything else offers nothing.
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let kind = [ItemKind::Point, ItemKind::Task]
                .into_iter()
                .find(|k| k.as_str() == r.kind)?;
            let parked = match (r.parked_from, r.author_id, r.written_at) {
                (Some(from), Some(author), Some(at)) => Some(Parked {
                    from: OneOnOneId::from_db(from),
                    author: PersonId::from_db(author),
                    written_at: Timestamp::from_millis(at),
                }),
                _ => None,
            };
            Some(Item {
                kind,
                id: r.item_id,
                text: r.text,
                parked,
            })
        })
        .collect())
}

/// Parks an open point of `from`, a one-on-one about to be cancelled whose pair has no other,
/// in the pending handoffs that offer it: they keep it (author, time of writing) so that it
/// can still be moved. Whether one did; if none, the caller keeps the one-on-one instead.
pub async fn park(
    db: &impl ConnectionTrait,
    org: &OrgId,
    point: &TalkingPointId,
    from: &OneOnOneId,
    author: &PersonId,
    written_at: Timestamp,
) -> Result<bool, DbErr> {
    let pending = handoff::Entity::find()
        .select_only()
        .column(handoff::Column::Id)
        .filter(handoff::Column::OrganizationId.eq(org.as_str()))
        .filter(handoff::Column::ResolvedAt.is_null())
        .into_query();
    let r = handoff_item::Entity::update_many()
        .col_expr(handoff_item::Column::ParkedFrom, Expr::value(from.as_str()))
        .col_expr(handoff_item::Column::AuthorId, Expr::value(author.as_str()))
        .col_expr(
            handoff_item::Column::WrittenAt,
            Expr::value(written_at.as_millis()),
        )
        .filter(handoff_item::Column::OrganizationId.eq(org.as_str()))
        .filter(handoff_item::Column::Kind.eq(ItemKind::Point.as_str()))
        .filter(handoff_item::Column::ItemId.eq(point.as_str()))
        .filter(handoff_item::Column::HandoffId.in_subquery(pending))
        .exec(db)
        .await?;
    Ok(r.rows_affected > 0)
}

/// Closes, undecided, every pending handoff of `person` to a manager other than `manager`
/// (their manager changed again: back to the old one, or on to another); returns how many.
/// A cancelled handoff has `resolved_at` and no `resolved_by_id`.
pub async fn cancel_pending_except(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
    manager: Option<&PersonId>,
    now: Timestamp,
) -> Result<u64, DbErr> {
    let mut q = handoff::Entity::update_many()
        .col_expr(handoff::Column::ResolvedAt, Expr::value(now.as_millis()))
        .filter(handoff::Column::OrganizationId.eq(org.as_str()))
        .filter(handoff::Column::PersonId.eq(person.as_str()))
        .filter(handoff::Column::ResolvedAt.is_null());
    if let Some(m) = manager {
        q = q.filter(handoff::Column::NewManagerId.ne(m.as_str()));
    }
    Ok(q.exec(db).await?.rows_affected)
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &HandoffId,
) -> Result<Option<Handoff>, DbErr> {
    handoff::Entity::find()
        .filter(handoff::Column::OrganizationId.eq(org.as_str()))
        .filter(handoff::Column::Id.eq(id.as_str()))
        .one(db)
        .await
}

/// The undecided handoffs `me` is one of the two people of (the person, or the new manager),
/// oldest first.
pub async fn pending_for(
    db: &impl ConnectionTrait,
    org: &OrgId,
    me: &PersonId,
) -> Result<Vec<Handoff>, DbErr> {
    handoff::Entity::find()
        .filter(handoff::Column::OrganizationId.eq(org.as_str()))
        .filter(handoff::Column::ResolvedAt.is_null())
        .filter(
            Condition::any()
                .add(handoff::Column::PersonId.eq(me.as_str()))
                .add(handoff::Column::NewManagerId.eq(me.as_str())),
        )
        .order_by_asc(handoff::Column::CreatedAt)
        .order_by_asc(handoff::Column::Id)
        .limit(MAX_PENDING)
        .all(db)
        .await
}

/// Marks a handoff decided; false if it already was (by the other person, say).
pub async fn resolve(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &HandoffId,
    by: &UserId,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let r = handoff::Entity::update_many()
        .col_expr(handoff::Column::ResolvedAt, Expr::value(now.as_millis()))
        .col_expr(handoff::Column::ResolvedById, Expr::value(by.as_str()))
        .filter(handoff::Column::OrganizationId.eq(org.as_str()))
        .filter(handoff::Column::Id.eq(id.as_str()))
        .filter(handoff::Column::ResolvedAt.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}
