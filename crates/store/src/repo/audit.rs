//! Each organization's audit log of security events: who signed in wrongly, whose role or
//! link changed, who was removed, what happened to invitations, which admin opened a
//! one-on-one they are not part of, and which permission checks refused someone. Rows are
//! only ever added, and removed by age (`delete_older_than`).

use crate::entity::audit_event;
use manageros_core::{AuditEventId, OrgId, Page, Timestamp, UserId};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, prelude::*,
};

/// What happened. The strings are the API's `kind` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    SignInFailed,
    RoleChanged,
    MemberRemoved,
    MemberLeft,
    PersonLinked,
    PersonUnlinked,
    InvitationSent,
    InvitationRevoked,
    InvitationReactivated,
    InvitationAccepted,
    OneOnOneAdminAccess,
    PermissionDenied,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::SignInFailed,
        Kind::RoleChanged,
        Kind::MemberRemoved,
        Kind::MemberLeft,
        Kind::PersonLinked,
        Kind::PersonUnlinked,
        Kind::InvitationSent,
        Kind::InvitationRevoked,
        Kind::InvitationReactivated,
        Kind::InvitationAccepted,
        Kind::OneOnOneAdminAccess,
        Kind::PermissionDenied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SignInFailed => "sign_in_failed",
            Kind::RoleChanged => "role_changed",
            Kind::MemberRemoved => "member_removed",
            Kind::MemberLeft => "member_left",
            Kind::PersonLinked => "person_linked",
            Kind::PersonUnlinked => "person_unlinked",
            Kind::InvitationSent => "invitation_sent",
            Kind::InvitationRevoked => "invitation_revoked",
            Kind::InvitationReactivated => "invitation_reactivated",
            Kind::InvitationAccepted => "invitation_accepted",
            Kind::OneOnOneAdminAccess => "oneonone_admin_access",
            Kind::PermissionDenied => "permission_denied",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One event to record.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    pub org: &'a OrgId,
    pub kind: Kind,
    pub actor: Option<&'a UserId>,
    pub subject: Option<&'a UserId>,
    /// The id of what it was about (an invitation, a person, a one-on-one…), if any.
    pub target: Option<&'a str>,
    /// A sentence for an admin, e.g. "Changed role from USER to ADMIN".
    pub detail: String,
    pub address: Option<&'a str>,
    pub at: Timestamp,
}

/// A user named in an event, as they are now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub id: UserId,
    pub name: String,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub id: AuditEventId,
    pub at: Timestamp,
    pub kind: Kind,
    pub actor: Option<Named>,
    pub subject: Option<Named>,
    pub target: Option<String>,
    pub detail: String,
    pub address: Option<String>,
}

pub async fn record(db: &impl ConnectionTrait, e: NewEvent<'_>) -> Result<(), DbErr> {
    audit_event::Entity::insert(audit_event::ActiveModel {
        id: Set(AuditEventId::generate().into_string()),
        organization_id: Set(e.org.as_str().to_owned()),
        at: Set(e.at.as_millis()),
        kind: Set(e.kind.as_str().to_owned()),
        actor_user_id: Set(e.actor.map(|u| u.as_str().to_owned())),
        subject_user_id: Set(e.subject.map(|u| u.as_str().to_owned())),
        target_id: Set(e.target.map(str::to_owned)),
        detail: Set(e.detail),
        address: Set(e.address.map(str::to_owned)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A page of the organization's events, newest first, optionally of one kind.
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    kind: Option<Kind>,
    page: Page,
) -> Result<(Vec<Event>, u64), DbErr> {
    let mut query =
        audit_event::Entity::find().filter(audit_event::Column::OrganizationId.eq(org.as_str()));
    if let Some(kind) = kind {
        query = query.filter(audit_event::Column::Kind.eq(kind.as_str()));
    }
    let (rows, total) = crate::paged(
        db,
        query,
        &[
            (audit_event::Column::At, Order::Desc),
            (audit_event::Column::Id, Order::Desc),
        ],
        page,
    )
    .await?;
    // The people named on this page, in one query.
    let named_ids: Vec<&str> = rows
        .iter()
        .flat_map(|r| [r.actor_user_id.as_deref(), r.subject_user_id.as_deref()])
        .flatten()
        .collect();
    let users = super::users::by_ids(db, named_ids).await?;
    let named = |id: Option<String>| {
        id.map(|id| match users.get(&id) {
            Some(u) => Named {
                id: UserId::from_db(id.clone()),
                name: u.name.clone(),
                email: u.email.clone(),
            },
            None => Named {
                id: UserId::from_db(id.clone()),
                name: String::new(),
                email: String::new(),
            },
        })
    };
    let events = rows
        .into_iter()
        .filter_map(|r| {
            Some(Event {
                id: AuditEventId::from_db(r.id),
                at: Timestamp::from_millis(r.at),
                kind: Kind::parse(&r.kind)?,
                actor: named(r.actor_user_id),
                subject: named(r.subject_user_id),
                target: r.target_id,
                detail: r.detail,
                address: r.address,
            })
        })
        .collect();
    Ok((events, total))
}

/// Forgets events recorded before `cutoff`, in every organization.
pub async fn delete_older_than(db: &impl ConnectionTrait, cutoff: Timestamp) -> Result<u64, DbErr> {
    Ok(audit_event::Entity::delete_many()
        .filter(audit_event::Column::At.lt(cutoff.as_millis()))
        .exec(db)
        .await?
        .rows_affected)
}
