//! JSON shapes shared by several endpoints (docs/API.md §2–§5).

use manageros_core::PageInfo;
use manageros_store::repo::{
    orgs::Organization,
    persons::Person,
    teams::Team,
    users::{Member, User},
};
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
    /// Whether the account has proved its address (docs/API.md §2).
    pub email_verified: bool,
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
            email_verified: u.email_verified,
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
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
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
            version: p.version,
        }
    }
}

/// An organization with its timestamps (`GET /api/organization`, creation).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationDetailView {
    pub id: String,
    pub name: String,
    pub slug: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&Organization> for OrganizationDetailView {
    fn from(o: &Organization) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name.clone(),
            slug: o.slug.clone(),
            created_at: o.created_at.to_rfc3339(),
            updated_at: o.updated_at.to_rfc3339(),
        }
    }
}

/// An id and a name: how one entity refers to another.
#[derive(Serialize, ToSchema, Clone)]
pub struct RefView {
    pub id: String,
    pub name: String,
}

impl RefView {
    pub fn new(id: impl ToString, name: impl Into<String>) -> Self {
        Self {
            id: id.to_string(),
            name: name.into(),
        }
    }
}

/// Where a page sits in the whole list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaginationView {
    pub page: u64,
    pub limit: u64,
    pub total_count: u64,
    pub total_pages: u64,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl From<PageInfo> for PaginationView {
    fn from(p: PageInfo) -> Self {
        Self {
            page: p.page,
            limit: p.limit,
            total_count: p.total_count,
            total_pages: p.total_pages,
            has_next_page: p.has_next_page,
            has_previous_page: p.has_previous_page,
        }
    }
}

/// A team of the org chart.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub parent_id: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
}

impl From<&Team> for TeamView {
    fn from(t: &Team) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name.clone(),
            description: t.description.clone(),
            parent_id: t.parent_id.as_ref().map(ToString::to_string),
            created_at: t.created_at.to_rfc3339(),
            updated_at: t.updated_at.to_rfc3339(),
            version: t.version,
        }
    }
}

/// A member of an organization, as admins see them.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub person: Option<MemberPersonView>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberPersonView {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    pub status: &'static str,
    pub team: Option<RefView>,
}

impl From<&Member> for MemberView {
    fn from(m: &Member) -> Self {
        Self {
            id: m.user.id.to_string(),
            name: m.user.name.clone(),
            email: m.user.email.to_string(),
            role: m.user.role.as_str(),
            created_at: m.user.created_at.to_rfc3339(),
            person: m.person.as_ref().map(|p| MemberPersonView {
                id: p.id.to_string(),
                name: p.name.clone(),
                role: p.role.clone(),
                status: p.status.as_str(),
                team: p
                    .team
                    .as_ref()
                    .map(|(id, name)| RefView::new(id, name.clone())),
            }),
        }
    }
}
