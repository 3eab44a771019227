//! The first steps of every entity endpoint, in the order docs/API.md §1 fixes: the caller must belong
//! to an organization (else 403), the id must have the entity's shape (else 404), and then the
//! entity, loaded within that organization, is put to `authz::authorize`.

use crate::error::ApiError;
use manageros_core::{
    OrgId,
    authz::{self, Action, Actor, Kind},
};

/// The caller's organization, or the 403 of a caller without one.
pub fn org_for(actor: &Actor, action: Action) -> Result<OrgId, ApiError> {
    actor
        .org_id
        .clone()
        .ok_or_else(|| ApiError::forbidden(authz::no_org_message(action)))
}

/// The entity's 404, the same whether it does not exist, lives elsewhere or is invisible.
pub fn not_found(kind: Kind) -> ApiError {
    ApiError::not_found(kind.not_found_message())
}

/// A typed id, or the entity's 404 for a string of the wrong shape.
pub fn id_or_404<T>(raw: &str, parse: fn(&str) -> Option<T>, kind: Kind) -> Result<T, ApiError> {
    parse(raw.trim()).ok_or_else(|| not_found(kind))
}
