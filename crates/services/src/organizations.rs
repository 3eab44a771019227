//! Creating an organization.

use crate::input;
use crate::{
    error::{ApiError, OnConflict},
    state::AppState,
    validate,
};
use manageros_core::{
    Name, Role, Slug,
    authz::{self, OrgAction},
};
use manageros_store::{
    begin_write,
    repo::orgs::{self, Organization},
    repo::users::{self, User},
};
use serde::Deserialize;
use utoipa::ToSchema;

pub const ALREADY_MEMBER: &str = "User already belongs to an organization";
pub const SLUG_TAKEN: &str = "Organization slug already exists";

#[derive(Deserialize, ToSchema, Default)]
pub struct CreateOrganizationRequest {
    #[schema(value_type = input::Name, inline, required = true)]
    pub name: Option<String>,
    /// 2–50 characters of `[a-z0-9-]`, no leading, trailing or doubled hyphen.
    #[schema(value_type = input::Slug, inline, required = true)]
    pub slug: Option<String>,
    /// Put the creator on the new organization's chart as a person — their name and email,
    /// editable like anyone's — and link their account to it. Default `false` here (a script
    /// may create an organization for others); the welcome page's box is checked.
    #[serde(default, rename = "joinChart")]
    pub join_chart: bool,
}

/// The caller's organization (any member).
pub async fn get(state: &AppState, caller: &User) -> Result<Organization, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewOrganization)?;
    orgs::find(&state.db, &org)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("member of a missing organization")))
}

/// Creates an organization with the caller as its first admin (any signed-in user without
/// an organization).
pub async fn create(
    state: &AppState,
    caller: &User,
    input: CreateOrganizationRequest,
) -> Result<Organization, ApiError> {
    validate! {
        name = "name": Name::parse(input.name.as_deref().unwrap_or_default()),
        slug = "slug": Slug::parse(input.slug.as_deref().unwrap_or_default()),
    }
    let user_id = &caller.id;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let caller = users::find(&txn, user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if caller.organization_id.is_some() {
        return Err(ApiError::conflict(ALREADY_MEMBER));
    }
    if orgs::slug_taken(&txn, &slug).await? {
        return Err(ApiError::conflict(SLUG_TAKEN));
    }
    // The unique index decides between two concurrent creations of one slug.
    let org = orgs::insert(&txn, name.as_str(), &slug, now)
        .await
        .on_unique_violation(SLUG_TAKEN)?;
    // Conditional on the caller still having no organization (two concurrent creations by
    // one user: the second finds it taken).
    if !users::join_org(&txn, user_id, &org.id, Role::Admin, now).await? {
        return Err(ApiError::conflict(ALREADY_MEMBER));
    }
    if input.join_chart {
        let person = manageros_store::repo::persons::insert(
            &txn,
            &org.id,
            &manageros_store::repo::persons::PersonFields {
                name: caller.name.clone(),
                email: Some(caller.email.clone()),
                role: None,
                status: manageros_core::PersonStatus::Active,
                team_id: None,
                manager_id: None,
            },
            now,
        )
        .await?;
        // Linked as a self-link is: by themselves, in the link log. The account was found
        // unlinked with no organization above, in this transaction.
        if !users::link_person(&txn, &org.id, user_id, &person, user_id, now).await? {
            return Err(ApiError::conflict(ALREADY_MEMBER));
        }
    }
    txn.commit().await?;
    Ok(org)
}
