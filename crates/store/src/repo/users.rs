//! User accounts.

use crate::entity::user;
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
            created_at: Timestamp::from_millis(m.created_at),
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
