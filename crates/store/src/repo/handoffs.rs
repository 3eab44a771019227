//! Handoffs: a person's manager changed; until the person or the new manager decides, the
//! old relationship's open items are offered to move into the new one.

use crate::entity::handoff;
use manageros_core::{HandoffId, OrgId, PersonId, Timestamp, UserId, authz::HandoffFacts};
use sea_orm::{
    ActiveValue::Set, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, prelude::*,
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

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
    old_manager: &PersonId,
    new_manager: &PersonId,
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
    Ok(id)
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
