//! References in request bodies (an assignee, a team, participants…): each must name a row of
//! the caller's organization, else the reference's own 404. An id of the wrong shape is simply
//! not found.

use crate::error::ApiError;
use manageros_core::{InitiativeId, OrgId, PersonId, TeamId};
use manageros_store::{
    ConnectionTrait,
    repo::{initiatives, persons, teams},
};

pub async fn person(
    db: &impl ConnectionTrait,
    org: &OrgId,
    raw: &str,
    not_found: &str,
) -> Result<PersonId, ApiError> {
    match PersonId::parse(raw.trim()) {
        Some(id) if persons::exists(db, org, &id).await? => Ok(id),
        _ => Err(ApiError::not_found(not_found)),
    }
}

/// How many people a list in a body may name (`participantIds`, `ownerIds`): more is a 400
/// naming the list, before anything is looked up.
pub const MAX_PEOPLE: usize = 200;

/// Several people, each named once (duplicates are dropped, order kept), checked in one
/// query. At most [`MAX_PEOPLE`] (a 400 on `field`); a wrong shape or a person of another
/// organization is the reference's 404. Linear in the list, and meant to run before the write
/// transaction opens ([`ahead`]): no lookup holds the write lock.
pub async fn persons(
    db: &impl ConnectionTrait,
    org: &OrgId,
    raws: &[String],
    field: &str,
    not_found: &str,
) -> Result<Vec<PersonId>, ApiError> {
    if raws.len() > MAX_PEOPLE {
        return Err(ApiError::invalid(
            field,
            format!("At most {MAX_PEOPLE} people can be named here"),
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(raws.len());
    let mut ids: Vec<PersonId> = Vec::with_capacity(raws.len());
    for raw in raws {
        let id = PersonId::parse(raw.trim()).ok_or_else(|| ApiError::not_found(not_found))?;
        if seen.insert(id.clone()) {
            ids.push(id);
        }
    }
    if persons::count_existing(db, org, &ids).await? != ids.len() as u64 {
        return Err(ApiError::not_found(not_found));
    }
    Ok(ids)
}

/// Resolves references of an update before its write transaction opens, while the answer
/// must wait for the permission check made inside it: the outcome is kept, not returned, and
/// the caller reports it (`?`) at its turn. `None` when there is nothing to resolve or the
/// caller has no organization (the permission check then refuses).
pub async fn ahead<T, F, Fut>(
    actor: &manageros_core::authz::Actor,
    raw: Option<Vec<String>>,
    resolve: F,
) -> Option<Result<T, ApiError>>
where
    F: FnOnce(OrgId, Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let org = actor.org_id.clone()?;
    Some(resolve(org, raw?).await)
}

pub async fn team(
    db: &impl ConnectionTrait,
    org: &OrgId,
    raw: &str,
    not_found: &str,
) -> Result<TeamId, ApiError> {
    match TeamId::parse(raw.trim()) {
        Some(id) if teams::exists(db, org, &id).await? => Ok(id),
        _ => Err(ApiError::not_found(not_found)),
    }
}

pub async fn initiative(
    db: &impl ConnectionTrait,
    org: &OrgId,
    raw: &str,
    not_found: &str,
) -> Result<InitiativeId, ApiError> {
    match InitiativeId::parse(raw.trim()) {
        Some(id) if initiatives::exists(db, org, &id).await? => Ok(id),
        _ => Err(ApiError::not_found(not_found)),
    }
}

/// An optional reference given as `Option<String>` (absent or blank means none).
pub async fn optional<T, F, Fut>(raw: Option<&str>, resolve: F) -> Result<Option<T>, ApiError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => resolve(s.to_owned()).await.map(Some),
    }
}

/// A reference in a partial update: resolved when set, kept as absent or null otherwise.
pub async fn patch<T, F, Fut>(
    p: crate::patch::Patch<String>,
    resolve: F,
) -> Result<crate::patch::Patch<T>, ApiError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    use crate::patch::Patch;
    Ok(match p {
        Patch::Absent => Patch::Absent,
        Patch::Null => Patch::Null,
        Patch::Value(raw) => Patch::Value(resolve(raw).await?),
    })
}
