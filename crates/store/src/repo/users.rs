//! User accounts.

use crate::entity::{person_link, user};
use manageros_core::{Email, OrgId, PersonId, Role, Timestamp, UserId};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryFilter, prelude::*};

/// A user account as the rest of the system sees it (never with its password hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: Email,
    pub role: Role,
    pub organization_id: Option<OrgId>,
    pub person_id: Option<PersonId>,
    /// Whether the account has proved it owns its address (docs/API.md §2).
    pub email_verified: bool,
    pub created_at: Timestamp,
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        Self {
            id: UserId::from_db(m.id),
            name: m.name,
            email: Email::from_db(m.email),
            role: Role::from_db(&m.role),
            organization_id: m.organization_id.map(OrgId::from_db),
            person_id: m.person_id.map(PersonId::from_db),
            email_verified: m.email_verified_at.is_some(),
            created_at: Timestamp::from_millis(m.created_at),
        }
    }
}

impl User {
    /// The user as the authorization module sees them, without the reporting line (which
    /// only the session lookup reads: `CurrentUser::actor`); no reporting-line right is granted
    /// to this actor.
    pub fn actor(&self) -> manageros_core::authz::Actor {
        manageros_core::authz::Actor {
            user_id: self.id.clone(),
            role: self.role,
            org_id: self.organization_id.clone(),
            person_id: self.person_id.clone(),
            manages: false,
        }
    }
}

pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a Email,
    pub password_hash: &'a str,
    pub role: Role,
    pub organization_id: Option<&'a OrgId>,
    pub person_id: Option<&'a PersonId>,
    /// Whether the address is known to be the user's already (never at sign-up).
    pub email_verified: bool,
}

/// Inserts a user. A duplicate email is a unique violation (see `is_unique_violation`).
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewUser<'_>,
    now: Timestamp,
) -> Result<User, DbErr> {
    let model = user::ActiveModel {
        id: Set(UserId::generate().into_string()),
        name: Set(new.name.to_owned()),
        email: Set(new.email.as_str().to_owned()),
        password_hash: Set(new.password_hash.to_owned()),
        role: Set(new.role.as_str().to_owned()),
        organization_id: Set(new.organization_id.map(|o| o.as_str().to_owned())),
        person_id: Set(new.person_id.map(|p| p.as_str().to_owned())),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        email_verified_at: Set(new.email_verified.then_some(now.as_millis())),
        time_zone: Set(None),
        notifications: Set(None),
        reminder_days_before: Set(1),
    };
    Ok(user::Entity::insert(model)
        .exec_with_returning(db)
        .await?
        .into())
}

pub async fn find(db: &impl ConnectionTrait, id: &UserId) -> Result<Option<User>, DbErr> {
    Ok(user::Entity::find_by_id(id.as_str())
        .one(db)
        .await?
        .map(User::from))
}

/// The user with this email, and their password hash.
pub async fn find_with_hash_by_email(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<(User, String)>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .map(|m| {
            let hash = m.password_hash.clone();
            (User::from(m), hash)
        }))
}

pub async fn exists_with_email(db: &impl ConnectionTrait, email: &Email) -> Result<bool, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .count(db)
        .await?
        > 0)
}

pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    id: &UserId,
    hash: &str,
    now: Timestamp,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(user::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Membership: users of an organization. Every function takes the organization.

use crate::entity::{person, team};
use manageros_core::{PersonStatus, TeamId};
use sea_orm::{
    Condition, FromQueryResult, JoinType, Order, QueryOrder, QuerySelect,
    sea_query::{Func, SimpleExpr},
};

/// The person a member is linked to, as the members list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberPerson {
    pub id: PersonId,
    pub name: String,
    pub role: Option<String>,
    pub status: PersonStatus,
    pub team: Option<(TeamId, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub person: Option<MemberPerson>,
}

#[derive(FromQueryResult)]
struct MemberRow {
    #[sea_orm(nested)]
    user: user::Model,
    p_id: Option<String>,
    p_name: Option<String>,
    p_role: Option<String>,
    p_status: Option<String>,
    t_id: Option<String>,
    t_name: Option<String>,
}

impl From<MemberRow> for Member {
    fn from(r: MemberRow) -> Self {
        let person = match (r.p_id, r.p_name, r.p_status) {
            (Some(id), Some(name), Some(status)) => Some(MemberPerson {
                id: PersonId::from_db(id),
                name,
                role: r.p_role,
                status: PersonStatus::from_db(&status),
                team: r
                    .t_id
                    .zip(r.t_name)
                    .map(|(id, name)| (TeamId::from_db(id), name)),
            }),
            _ => None,
        };
        Self {
            user: r.user.into(),
            person,
        }
    }
}

/// Sorting by name means the same on both databases: case-insensitive, then by id.
pub(crate) fn lower(col: impl sea_orm::IntoSimpleExpr) -> SimpleExpr {
    Func::lower(col.into_simple_expr()).into()
}

fn members(org: &OrgId) -> sea_orm::Select<user::Entity> {
    user::Entity::find()
        .join(JoinType::LeftJoin, user::Relation::Person.def())
        .join(JoinType::LeftJoin, person::Relation::Team.def())
        .column_as(person::Column::Id, "p_id")
        .column_as(person::Column::Name, "p_name")
        .column_as(person::Column::Role, "p_role")
        .column_as(person::Column::Status, "p_status")
        .column_as(team::Column::Id, "t_id")
        .column_as(team::Column::Name, "t_name")
        .filter(user::Column::OrganizationId.eq(org.as_str()))
}

/// The organization's members, by name.
pub async fn list_members(db: &impl ConnectionTrait, org: &OrgId) -> Result<Vec<Member>, DbErr> {
    Ok(members(org)
        .order_by(lower(user::Column::Name), Order::Asc)
        .order_by(user::Column::Id, Order::Asc)
        .into_model::<MemberRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Member::from)
        .collect())
}

pub async fn find_member(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &UserId,
) -> Result<Option<Member>, DbErr> {
    Ok(members(org)
        .filter(user::Column::Id.eq(id.as_str()))
        .into_model::<MemberRow>()
        .one(db)
        .await?
        .map(Member::from))
}

/// Members not linked to any person, by name.
pub async fn linkable(db: &impl ConnectionTrait, org: &OrgId) -> Result<Vec<User>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org.as_str()))
        .filter(user::Column::PersonId.is_null())
        .order_by(lower(user::Column::Name), Order::Asc)
        .order_by(user::Column::Id, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(User::from)
        .collect())
}

/// The names of the organization's admins, by name, at most `cap`.
pub async fn admin_names(
    db: &impl ConnectionTrait,
    org: &OrgId,
    cap: u64,
) -> Result<Vec<String>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    user::Entity::find()
        .select_only()
        .column(user::Column::Name)
        .filter(user::Column::OrganizationId.eq(org.as_str()))
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .order_by_asc(user::Column::Name)
        .limit(cap)
        .into_tuple::<String>()
        .all(db)
        .await
}

pub async fn count_admins(db: &impl ConnectionTrait, org: &OrgId) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org.as_str()))
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .count(db)
        .await
}

pub async fn is_member_email(
    db: &impl ConnectionTrait,
    org: &OrgId,
    email: &Email,
) -> Result<bool, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org.as_str()))
        .filter(user::Column::Email.eq(email.as_str()))
        .count(db)
        .await?
        > 0)
}

fn in_org(org: &OrgId, id: &UserId) -> Condition {
    Condition::all()
        .add(user::Column::OrganizationId.eq(org.as_str()))
        .add(user::Column::Id.eq(id.as_str()))
}

pub async fn set_role(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &UserId,
    role: Role,
    now: Timestamp,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(role.as_str()))
        .col_expr(user::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(in_org(org, id))
        .exec(db)
        .await?;
    Ok(())
}

/// Takes a member out of the organization: no organization, no person, role `USER`.
pub async fn remove_from_org(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &UserId,
    by: &UserId,
    now: Timestamp,
) -> Result<(), DbErr> {
    let person = linked_person(db, org, id).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::OrganizationId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::PersonId, Expr::value(Option::<String>::None))
        .col_expr(user::Column::Role, Expr::value(Role::User.as_str()))
        .col_expr(user::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(in_org(org, id))
        .exec(db)
        .await?;
    if let Some(person) = person {
        log_link(db, org, &person, by, id, LinkChange::Unlink, now).await?;
    }
    Ok(())
}

/// Marks the user's address as verified (a no-op if it already was).
pub async fn mark_verified(
    db: &impl ConnectionTrait,
    id: &UserId,
    now: Timestamp,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now.as_millis()))
        .filter(user::Column::Id.eq(id.as_str()))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Puts a user who has no organization into `org` with `role`; `false` if they already had
/// one (checked in the same statement, so it holds under concurrency).
pub async fn join_org(
    db: &impl ConnectionTrait,
    id: &UserId,
    org: &OrgId,
    role: Role,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let r = user::Entity::update_many()
        .col_expr(user::Column::OrganizationId, Expr::value(org.as_str()))
        .col_expr(user::Column::Role, Expr::value(role.as_str()))
        .col_expr(user::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(user::Column::Id.eq(id.as_str()))
        .filter(user::Column::OrganizationId.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Links a member who is not linked yet to a person; `false` if the user is not a member or
/// already linked. A person already linked to someone else is a unique violation.
pub async fn link_person(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &UserId,
    person: &PersonId,
    by: &UserId,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let r = user::Entity::update_many()
        .col_expr(user::Column::PersonId, Expr::value(person.as_str()))
        .col_expr(user::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(in_org(org, id))
        .filter(user::Column::PersonId.is_null())
        .exec(db)
        .await?;
    if r.rows_affected != 1 {
        return Ok(false);
    }
    log_link(db, org, person, by, id, LinkChange::Link, now).await?;
    Ok(true)
}

/// Unlinks a member from their person; `false` if they were not linked.
pub async fn unlink_person(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &UserId,
    by: &UserId,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let Some(person) = linked_person(db, org, id).await? else {
        return Ok(false);
    };
    let r = user::Entity::update_many()
        .col_expr(user::Column::PersonId, Expr::value(Option::<String>::None))
        .col_expr(user::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(in_org(org, id))
        .filter(user::Column::PersonId.eq(person.as_str()))
        .exec(db)
        .await?;
    if r.rows_affected != 1 {
        return Ok(false);
    }
    log_link(db, org, &person, by, id, LinkChange::Unlink, now).await?;
    Ok(true)
}

async fn linked_person(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &UserId,
) -> Result<Option<PersonId>, DbErr> {
    Ok(user::Entity::find()
        .filter(in_org(org, id))
        .one(db)
        .await?
        .and_then(|u| u.person_id)
        .map(PersonId::from_db))
}

// ---------------------------------------------------------------------------------------------
// The link log: every change of which user is linked to a person, written by the functions
// above in the same transaction as the change, so that no path can skip it. Each is also an
// event of the organization's audit log.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkChange {
    Link,
    Unlink,
}

impl LinkChange {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkChange::Link => "link",
            LinkChange::Unlink => "unlink",
        }
    }
}

async fn log_link(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
    by: &UserId,
    user_id: &UserId,
    change: LinkChange,
    at: Timestamp,
) -> Result<(), DbErr> {
    person_link::Entity::insert(person_link::ActiveModel {
        id: Set(manageros_core::LinkLogId::generate().into_string()),
        organization_id: Set(org.as_str().to_owned()),
        person_id: Set(person.as_str().to_owned()),
        by_user_id: Set(by.as_str().to_owned()),
        user_id: Set(user_id.as_str().to_owned()),
        action: Set(change.as_str().to_owned()),
        at: Set(at.as_millis()),
    })
    .exec_without_returning(db)
    .await?;
    let name = crate::entity::person::Entity::find_by_id(person.as_str())
        .one(db)
        .await?
        .map_or_else(String::new, |p| p.name);
    let (kind, detail) = match change {
        LinkChange::Link => (super::audit::Kind::PersonLinked, "Linked to the person"),
        LinkChange::Unlink => (
            super::audit::Kind::PersonUnlinked,
            "Unlinked from the person",
        ),
    };
    super::audit::record(
        db,
        super::audit::NewEvent {
            org,
            kind,
            actor: Some(by),
            subject: Some(user_id),
            target: Some(person.as_str()),
            detail: format!("{detail} “{name}”"),
            address: None,
            at,
        },
    )
    .await
}

/// The user rows with these ids (repeats allowed), in one query, by id: to put names on a
/// page of log rows.
pub(crate) async fn by_ids(
    db: &impl ConnectionTrait,
    mut ids: Vec<&str>,
) -> Result<std::collections::HashMap<String, user::Model>, DbErr> {
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect())
}

/// The names of those of these users who are members of `org` (a former member has none):
/// who wrote what on a page.
pub async fn member_names(
    db: &impl ConnectionTrait,
    org: &OrgId,
    ids: Vec<&str>,
) -> Result<std::collections::HashMap<String, String>, DbErr> {
    Ok(by_ids(db, ids)
        .await?
        .into_iter()
        .filter(|(_, u)| u.organization_id.as_deref() == Some(org.as_str()))
        .map(|(id, u)| (id, u.name))
        .collect())
}

/// One change of the user linked to a person, with the names as they are now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkEvent {
    pub at: Timestamp,
    pub person_id: PersonId,
    pub by: UserId,
    pub by_name: String,
    pub user_id: UserId,
    pub user_name: String,
    pub change: LinkChange,
}

/// The link changes of `persons`, oldest first (without the rows written for links that
/// predate the log).
pub async fn link_events(
    db: &impl ConnectionTrait,
    org: &OrgId,
    persons: &[PersonId],
) -> Result<Vec<LinkEvent>, DbErr> {
    let rows = person_link::Entity::find()
        .filter(person_link::Column::OrganizationId.eq(org.as_str()))
        .filter(person_link::Column::PersonId.is_in(persons.iter().map(|p| p.as_str())))
        .filter(person_link::Column::At.gt(0))
        .order_by(person_link::Column::At, Order::Asc)
        .order_by(person_link::Column::Id, Order::Asc)
        .all(db)
        .await?;
    let named_ids: Vec<&str> = rows
        .iter()
        .flat_map(|r| [r.by_user_id.as_str(), r.user_id.as_str()])
        .collect();
    let users = by_ids(db, named_ids).await?;
    let name = |id: &str| users.get(id).map(|u| u.name.clone()).unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|r| LinkEvent {
            at: Timestamp::from_millis(r.at),
            person_id: PersonId::from_db(r.person_id),
            by_name: name(&r.by_user_id),
            user_name: name(&r.user_id),
            by: UserId::from_db(r.by_user_id),
            user_id: UserId::from_db(r.user_id),
            change: if r.action == "unlink" {
                LinkChange::Unlink
            } else {
                LinkChange::Link
            },
        })
        .collect())
}

/// Whether `user` holds `person` through a takeover: another user was linked to (or unlinked
/// from) the person before `user` was first linked to it. Their reads of the person's
/// one-on-ones are then logged, as an outsider's would be.
pub async fn holds_by_takeover(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
    user: &UserId,
) -> Result<bool, DbErr> {
    let of_person = || {
        person_link::Entity::find()
            .filter(person_link::Column::OrganizationId.eq(org.as_str()))
            .filter(person_link::Column::PersonId.eq(person.as_str()))
    };
    let Some(first) = of_person()
        .filter(person_link::Column::UserId.eq(user.as_str()))
        .filter(person_link::Column::Action.eq("link"))
        .order_by(person_link::Column::At, Order::Asc)
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    Ok(of_person()
        .filter(person_link::Column::UserId.ne(user.as_str()))
        .filter(person_link::Column::At.lte(first.at))
        .one(db)
        .await?
        .is_some())
}

/// The organization's admins and the users linked to any of `persons`: everyone who might be
/// allowed to open something those people share (the permission rules decide which).
pub async fn admins_or_linked_to(
    db: &impl ConnectionTrait,
    org: &OrgId,
    persons: &[PersonId],
) -> Result<Vec<User>, DbErr> {
    let mut any = Condition::any().add(user::Column::Role.eq(Role::Admin.as_str()));
    if !persons.is_empty() {
        any = any.add(user::Column::PersonId.is_in(persons.iter().map(|p| p.as_str())));
    }
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org.as_str()))
        .filter(any)
        .order_by(lower(user::Column::Name), Order::Asc)
        .order_by(user::Column::Id, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(User::from)
        .collect())
}

/// The member of the organization linked to `person`, if any.
pub async fn linked_to(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
) -> Result<Option<User>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org.as_str()))
        .filter(user::Column::PersonId.eq(person.as_str()))
        .one(db)
        .await?
        .map(Into::into))
}
