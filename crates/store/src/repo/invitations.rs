//! Organization invitations.
//!
//! The stored status is `pending`, `accepted` or `revoked`; a pending invitation whose
//! `expires_at` has passed is reported and treated as `expired` ([`Invitation::status`]).
//! Writes that change the status are conditional UPDATEs, so two racing requests cannot both
//! accept (or revoke) one invitation.

use crate::{
    entity::{invitation, organization, user},
    repo::outbox,
};
use manageros_core::{Email, InvitationId, InvitationStatus, OrgId, PersonId, Timestamp, UserId};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, Order,
    QueryFilter, QueryOrder, QuerySelect, prelude::*,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub organization_id: OrgId,
    pub organization_name: String,
    pub organization_slug: String,
    pub email: Email,
    stored_status: InvitationStatus,
    pub person_id: Option<PersonId>,
    pub invited_by_name: String,
    pub invited_by_email: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    /// What became of its newest email, when known ([`attach_delivery`]; none once a sent
    /// email is forgotten, a week after).
    pub delivery: Option<outbox::Delivery>,
}

/// Fills in what became of each invitation's newest email.
pub async fn attach_delivery(
    db: &impl ConnectionTrait,
    org: &OrgId,
    list: &mut [Invitation],
) -> Result<(), DbErr> {
    let ids: Vec<String> = list.iter().map(|i| i.id.to_string()).collect();
    let mut fates = outbox::fate_of(db, org, &ids).await?;
    for i in list {
        i.delivery = fates.remove(i.id.as_str());
    }
    Ok(())
}

impl Invitation {
    /// The status as users see it: a pending invitation past its expiry is `expired`.
    pub fn status(&self, now: Timestamp) -> InvitationStatus {
        match self.stored_status {
            InvitationStatus::Pending if now >= self.expires_at => InvitationStatus::Expired,
            s => s,
        }
    }

    /// Pending and not expired: the only state in which it can be accepted or revoked.
    pub fn is_open(&self, now: Timestamp) -> bool {
        self.status(now) == InvitationStatus::Pending
    }
}

#[derive(FromQueryResult)]
struct Row {
    id: String,
    organization_id: String,
    organization_name: String,
    organization_slug: String,
    email: String,
    status: String,
    person_id: Option<String>,
    invited_by_name: String,
    invited_by_email: String,
    created_at: i64,
    updated_at: i64,
    expires_at: i64,
    accepted_at: Option<i64>,
}

impl From<Row> for Invitation {
    fn from(r: Row) -> Self {
        Self {
            id: InvitationId::from_db(r.id),
            organization_id: OrgId::from_db(r.organization_id),
            organization_name: r.organization_name,
            organization_slug: r.organization_slug,
            email: Email::from_db(r.email),
            stored_status: InvitationStatus::from_db(&r.status),
            person_id: r.person_id.map(PersonId::from_db),
            invited_by_name: r.invited_by_name,
            invited_by_email: r.invited_by_email,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            expires_at: Timestamp::from_millis(r.expires_at),
            accepted_at: r.accepted_at.map(Timestamp::from_millis),
            delivery: None,
        }
    }
}

fn select() -> sea_orm::Select<invitation::Entity> {
    invitation::Entity::find()
        .join(JoinType::InnerJoin, invitation::Relation::InvitedBy.def())
        .join(
            JoinType::InnerJoin,
            invitation::Relation::Organization.def(),
        )
        .column_as(user::Column::Name, "invited_by_name")
        .column_as(user::Column::Email, "invited_by_email")
        .column_as(organization::Column::Name, "organization_name")
        .column_as(organization::Column::Slug, "organization_slug")
}

async fn one(
    db: &impl ConnectionTrait,
    q: sea_orm::Select<invitation::Entity>,
) -> Result<Option<Invitation>, DbErr> {
    Ok(q.into_model::<Row>().one(db).await?.map(Invitation::from))
}

/// Every invitation of the organization, newest first.
pub async fn list_for_org(
    db: &impl ConnectionTrait,
    org: &OrgId,
) -> Result<Vec<Invitation>, DbErr> {
    let mut list: Vec<Invitation> = select()
        .filter(invitation::Column::OrganizationId.eq(org.as_str()))
        .order_by(invitation::Column::CreatedAt, Order::Desc)
        .order_by(invitation::Column::Id, Order::Desc)
        .into_model::<Row>()
        .all(db)
        .await?
        .into_iter()
        .map(Invitation::from)
        .collect();
    attach_delivery(db, org, &mut list).await?;
    Ok(list)
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &InvitationId,
) -> Result<Option<Invitation>, DbErr> {
    one(
        db,
        select()
            .filter(invitation::Column::OrganizationId.eq(org.as_str()))
            .filter(invitation::Column::Id.eq(id.as_str())),
    )
    .await
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    org: &OrgId,
    email: &Email,
) -> Result<Option<Invitation>, DbErr> {
    one(
        db,
        select()
            .filter(invitation::Column::OrganizationId.eq(org.as_str()))
            .filter(invitation::Column::Email.eq(email.as_str())),
    )
    .await
}

/// The invitee's view: open invitations addressed to `email`, in any organization, newest
/// first.
pub async fn open_for_email(
    db: &impl ConnectionTrait,
    email: &Email,
    now: Timestamp,
) -> Result<Vec<Invitation>, DbErr> {
    Ok(select()
        .filter(invitation::Column::Email.eq(email.as_str()))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
        .filter(invitation::Column::ExpiresAt.gt(now.as_millis()))
        .order_by(invitation::Column::CreatedAt, Order::Desc)
        .order_by(invitation::Column::Id, Order::Desc)
        .into_model::<Row>()
        .all(db)
        .await?
        .into_iter()
        .map(Invitation::from)
        .collect())
}

/// An invitation by id, whatever the organization: the invitee's side, where the caller is
/// not (yet) a member. The caller must check it is addressed to them.
pub async fn find_any_org(
    db: &impl ConnectionTrait,
    id: &InvitationId,
) -> Result<Option<Invitation>, DbErr> {
    one(db, select().filter(invitation::Column::Id.eq(id.as_str()))).await
}

pub async fn find_by_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<Invitation>, DbErr> {
    one(
        db,
        select().filter(invitation::Column::TokenHash.eq(token_hash)),
    )
    .await
}

/// What (re)issuing an invitation sets: who invites, the token of the new link, the person
/// the invitee will be linked to, and when it expires.
pub struct Issue<'a> {
    pub invited_by: &'a UserId,
    pub token_hash: &'a str,
    pub person_id: Option<&'a PersonId>,
    pub expires_at: Timestamp,
}

/// Inserts a pending invitation. A second one for the same address and organization is a
/// unique violation.
pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    email: &Email,
    issue: Issue<'_>,
    now: Timestamp,
) -> Result<InvitationId, DbErr> {
    let id = InvitationId::generate();
    invitation::Entity::insert(invitation::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(org.as_str().to_owned()),
        email: Set(email.as_str().to_owned()),
        status: Set(InvitationStatus::Pending.as_str().to_owned()),
        token_hash: Set(Some(issue.token_hash.to_owned())),
        person_id: Set(issue.person_id.map(|p| p.as_str().to_owned())),
        invited_by_id: Set(issue.invited_by.as_str().to_owned()),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        expires_at: Set(issue.expires_at.as_millis()),
        accepted_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Issues an existing invitation again: pending, not accepted, with the new link, inviter,
/// person and expiry of `issue`.
pub async fn reissue(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &InvitationId,
    issue: Issue<'_>,
    now: Timestamp,
) -> Result<(), DbErr> {
    invitation::Entity::update_many()
        .col_expr(
            invitation::Column::Status,
            Expr::value(InvitationStatus::Pending.as_str()),
        )
        .col_expr(invitation::Column::TokenHash, Expr::value(issue.token_hash))
        .col_expr(
            invitation::Column::PersonId,
            Expr::value(issue.person_id.map(|p| p.as_str().to_owned())),
        )
        .col_expr(
            invitation::Column::InvitedById,
            Expr::value(issue.invited_by.as_str()),
        )
        .col_expr(
            invitation::Column::ExpiresAt,
            Expr::value(issue.expires_at.as_millis()),
        )
        .col_expr(
            invitation::Column::AcceptedAt,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(invitation::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(invitation::Column::OrganizationId.eq(org.as_str()))
        .filter(invitation::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

fn open(now: Timestamp) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
        .add(invitation::Column::ExpiresAt.gt(now.as_millis()))
}

/// Revokes an open invitation; `false` if it was not open any more.
pub async fn revoke(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &InvitationId,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let r = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::Status,
            Expr::value(InvitationStatus::Revoked.as_str()),
        )
        .col_expr(
            invitation::Column::TokenHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(invitation::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(invitation::Column::OrganizationId.eq(org.as_str()))
        .filter(invitation::Column::Id.eq(id.as_str()))
        .filter(open(now))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Marks an open invitation accepted and spends its token; `false` if it was not open.
pub async fn accept(
    db: &impl ConnectionTrait,
    id: &InvitationId,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let r = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::Status,
            Expr::value(InvitationStatus::Accepted.as_str()),
        )
        .col_expr(
            invitation::Column::TokenHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(invitation::Column::AcceptedAt, Expr::value(now.as_millis()))
        .col_expr(invitation::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(invitation::Column::Id.eq(id.as_str()))
        .filter(open(now))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}
