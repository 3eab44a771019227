//! Creating an organization.

use crate::error::{ApiError, OnConflict};
use crate::state::AppState;
use manageros_core::{Name, Role, Slug, UserId};
use manageros_store::{
    begin_write,
    repo::orgs::{self, Organization},
    repo::users,
};

pub const ALREADY_MEMBER: &str = "User already belongs to an organization";
pub const SLUG_TAKEN: &str = "Organization slug already exists";

/// Creates an organization with the caller as its first admin.
pub async fn create(
    state: &AppState,
    user_id: &UserId,
    name: Name,
    slug: Slug,
) -> Result<Organization, ApiError> {
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
    txn.commit().await?;
    Ok(org)
}
