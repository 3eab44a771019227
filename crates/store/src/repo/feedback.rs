//! Feedback about a person.

use crate::entity::feedback;
use manageros_core::{
    FeedbackId, FeedbackKind, OrgId, Page, PersonId, Timestamp, UserId,
    authz::{FeedbackFacts, FeedbackScope, Target},
};
use sea_orm::{
    ActiveValue::Set, Condition, ConnectionTrait, DbErr, EntityTrait, Order, PaginatorTrait,
    QueryFilter, prelude::*,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub id: FeedbackId,
    pub organization_id: OrgId,
    pub about_id: PersonId,
    pub author: UserId,
    pub from_person_id: Option<PersonId>,
    pub kind: FeedbackKind,
    pub is_private: bool,
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change: what a writer's `If-Match` is compared with.
    pub version: i64,
}

impl Feedback {
    pub fn target(&self) -> Target {
        Target::Feedback(FeedbackFacts {
            org_id: self.organization_id.clone(),
            is_private: self.is_private,
            author: self.author.clone(),
        })
    }
}

impl From<feedback::Model> for Feedback {
    fn from(m: feedback::Model) -> Self {
        Self {
            id: FeedbackId::from_db(m.id),
            organization_id: OrgId::from_db(m.organization_id),
            about_id: PersonId::from_db(m.about_id),
            author: UserId::from_db(m.author_user_id),
            from_person_id: m.from_person_id.map(PersonId::from_db),
            kind: FeedbackKind::from_db(&m.kind),
            is_private: m.is_private,
            body: m.body,
            created_at: Timestamp::from_millis(m.created_at),
            updated_at: Timestamp::from_millis(m.updated_at),
            version: m.version,
        }
    }
}

/// The SQL form of a [`FeedbackScope`].
fn scope_condition(scope: &FeedbackScope) -> Condition {
    match scope {
        FeedbackScope::All => Condition::all(),
        FeedbackScope::PublicOrAuthoredBy(u) => Condition::any()
            .add(feedback::Column::IsPrivate.eq(false))
            .add(feedback::Column::AuthorUserId.eq(u.as_str())),
    }
}

#[derive(Clone, Debug, Default)]
pub struct FeedbackFilter {
    pub about_id: Option<PersonId>,
    pub kind: Option<FeedbackKind>,
}

fn of(org: &OrgId) -> sea_orm::Select<feedback::Entity> {
    feedback::Entity::find().filter(feedback::Column::OrganizationId.eq(org.as_str()))
}

/// One page of the feedback `scope` may see, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    scope: &FeedbackScope,
    f: &FeedbackFilter,
    page: Page,
) -> Result<(Vec<Feedback>, u64), DbErr> {
    let mut cond = Condition::all().add(scope_condition(scope));
    if let Some(a) = &f.about_id {
        cond = cond.add(feedback::Column::AboutId.eq(a.as_str()));
    }
    if let Some(k) = f.kind {
        cond = cond.add(feedback::Column::Kind.eq(k.as_str()));
    }
    let (rows, total) = crate::paged(
        db,
        of(org).filter(cond),
        &[
            (feedback::Column::CreatedAt, Order::Desc),
            (feedback::Column::Id, Order::Desc),
        ],
        page,
    )
    .await?;
    Ok((rows.into_iter().map(Feedback::from).collect(), total))
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &FeedbackId,
) -> Result<Option<Feedback>, DbErr> {
    Ok(of(org)
        .filter(feedback::Column::Id.eq(id.as_str()))
        .one(db)
        .await?
        .map(Feedback::from))
}

pub struct NewFeedback<'a> {
    pub about_id: &'a PersonId,
    pub author: &'a UserId,
    pub from_person_id: Option<&'a PersonId>,
    pub kind: FeedbackKind,
    pub is_private: bool,
    pub body: &'a str,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    n: NewFeedback<'_>,
    now: Timestamp,
) -> Result<FeedbackId, DbErr> {
    let id = FeedbackId::generate();
    feedback::Entity::insert(feedback::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(org.as_str().to_owned()),
        about_id: Set(n.about_id.as_str().to_owned()),
        author_user_id: Set(n.author.as_str().to_owned()),
        from_person_id: Set(n.from_person_id.map(|p| p.as_str().to_owned())),
        kind: Set(n.kind.as_str().to_owned()),
        is_private: Set(n.is_private),
        body: Set(n.body.to_owned()),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        version: Set(1),
        updated_by: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

pub async fn update(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &FeedbackId,
    kind: FeedbackKind,
    is_private: bool,
    body: &str,
    now: Timestamp,
) -> Result<(), DbErr> {
    feedback::Entity::update_many()
        .col_expr(feedback::Column::Kind, Expr::value(kind.as_str()))
        .col_expr(feedback::Column::IsPrivate, Expr::value(is_private))
        .col_expr(feedback::Column::Body, Expr::value(body))
        .col_expr(feedback::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(feedback::Column::OrganizationId.eq(org.as_str()))
        .filter(feedback::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete(db: &impl ConnectionTrait, org: &OrgId, id: &FeedbackId) -> Result<(), DbErr> {
    feedback::Entity::delete_many()
        .filter(feedback::Column::OrganizationId.eq(org.as_str()))
        .filter(feedback::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Feedback about or from a person (for "is this person still referenced").
pub async fn count_involving(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
) -> Result<u64, DbErr> {
    of(org)
        .filter(
            Condition::any()
                .add(feedback::Column::AboutId.eq(person.as_str()))
                .add(feedback::Column::FromPersonId.eq(person.as_str())),
        )
        .count(db)
        .await
}
