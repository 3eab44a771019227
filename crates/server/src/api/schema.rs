//! JSON shapes shared by several endpoints (api.md §2–§5).

use manageros_store::repo::{orgs::Organization, persons::Person, users::User};
use serde::Serialize;
use utoipa::ToSchema;

/// A user account.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    #[schema(example = "user_06c5v0t8wq1q1dmn6c2fh4bsb8")]
    pub id: String,
    pub name: String,
    pub email: String,
    /// `ADMIN` or `USER`.
    #[schema(example = "USER")]
    pub role: &'static str,
    pub organization_id: Option<String>,
    pub person_id: Option<String>,
    #[schema(format = DateTime, example = "2025-10-14T12:00:00.000Z")]
    pub created_at: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            name: u.name.clone(),
            email: u.email.to_string(),
            role: u.role.as_str(),
            organization_id: u.organization_id.as_ref().map(ToString::to_string),
            person_id: u.person_id.as_ref().map(ToString::to_string),
            created_at: u.created_at.to_rfc3339(),
        }
    }
}

/// An organization, as shown to its members.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationView {
    pub id: String,
    pub name: String,
    pub slug: String,
}

impl From<&Organization> for OrganizationView {
    fn from(o: &Organization) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name.clone(),
            slug: o.slug.clone(),
        }
    }
}

/// A person of the org chart.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// Free-text job title.
    pub role: Option<String>,
    /// `active`, `inactive` or `on_leave`.
    pub status: &'static str,
    pub team_id: Option<String>,
    pub manager_id: Option<String>,
    pub user_id: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            email: p.email.clone(),
            role: p.role.clone(),
            status: p.status.as_str(),
            team_id: p.team_id.as_ref().map(ToString::to_string),
            manager_id: p.manager_id.as_ref().map(ToString::to_string),
            user_id: p.user_id.as_ref().map(ToString::to_string),
            created_at: p.created_at.to_rfc3339(),
            updated_at: p.updated_at.to_rfc3339(),
        }
    }
}
