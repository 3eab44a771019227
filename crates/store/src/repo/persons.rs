//! People of the org chart. Every function is scoped by organization.

use crate::entity::{person, user};
use manageros_core::{OrgId, PersonId, PersonStatus, TeamId, Timestamp, UserId};
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect,
    prelude::*,
};

/// A person, with the user linked to them (if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub organization_id: OrgId,
    pub name: String,
    pub email: Option<String>,
    pub role: Option<String>,
    pub status: PersonStatus,
    pub team_id: Option<TeamId>,
    pub manager_id: Option<PersonId>,
    pub user_id: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(FromQueryResult)]
pub(crate) struct PersonRow {
    id: String,
    organization_id: String,
    name: String,
    email: Option<String>,
    role: Option<String>,
    status: String,
    team_id: Option<String>,
    manager_id: Option<String>,
    user_id: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl From<PersonRow> for Person {
    fn from(r: PersonRow) -> Self {
        Self {
            id: PersonId::from_db(r.id),
            organization_id: OrgId::from_db(r.organization_id),
            name: r.name,
            email: r.email,
            role: r.role,
            status: PersonStatus::from_db(&r.status),
            team_id: r.team_id.map(TeamId::from_db),
            manager_id: r.manager_id.map(PersonId::from_db),
            user_id: r.user_id.map(UserId::from_db),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

/// Persons of `org` with their linked user's id.
pub(crate) fn select(org: &OrgId) -> sea_orm::Select<person::Entity> {
    person::Entity::find()
        .join(JoinType::LeftJoin, person::Relation::User.def())
        .column_as(user::Column::Id, "user_id")
        .filter(person::Column::OrganizationId.eq(org.as_str()))
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &PersonId,
) -> Result<Option<Person>, DbErr> {
    Ok(select(org)
        .filter(person::Column::Id.eq(id.as_str()))
        .into_model::<PersonRow>()
        .one(db)
        .await?
        .map(Person::from))
}
