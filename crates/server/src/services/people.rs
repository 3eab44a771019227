//! People of the org chart: writes that must keep the reporting chain a tree and the
//! references inside the organization.

use crate::{error::ApiError, patch::Patch, state::AppState};
use manageros_core::{Email, OrgId, PersonId, PersonStatus, TeamId};
use manageros_store::{
    DatabaseTransaction, begin_write,
    repo::{
        campaigns, feedback, links, meetings, oneonones, orgs,
        persons::{self, Person, PersonFields},
        teams,
    },
};

pub const NOT_FOUND: &str = "Person not found or access denied";
pub const TEAM_NOT_FOUND: &str = "Team not found or access denied";
pub const MANAGER_NOT_FOUND: &str = "Manager not found or access denied";

/// A partial update, already validated field by field.
#[derive(Default)]
pub struct PersonPatch {
    pub name: Option<String>,
    pub email: Patch<Email>,
    pub role: Patch<String>,
    pub status: Option<PersonStatus>,
    /// Raw ids: checked once the person is known to exist, so a missing person is reported
    /// before a bad reference.
    pub team_id: Patch<String>,
    pub manager_id: Patch<String>,
}

async fn check_references(
    txn: &DatabaseTransaction,
    org: &OrgId,
    f: &PersonFields,
) -> Result<(), ApiError> {
    if let Some(t) = &f.team_id
        && !teams::exists(txn, org, t).await?
    {
        return Err(ApiError::not_found(TEAM_NOT_FOUND));
    }
    if let Some(m) = &f.manager_id
        && !persons::exists(txn, org, m).await?
    {
        return Err(ApiError::not_found(MANAGER_NOT_FOUND));
    }
    Ok(())
}

async fn reread(txn: &DatabaseTransaction, org: &OrgId, id: &PersonId) -> Result<Person, ApiError> {
    persons::find(txn, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "person {id} vanished inside its transaction"
        ))
    })
}

pub async fn create(
    state: &AppState,
    org: &OrgId,
    fields: PersonFields,
) -> Result<Person, ApiError> {
    let txn = begin_write(&state.db).await?;
    check_references(&txn, org, &fields).await?;
    let id = persons::insert(&txn, org, &fields, state.now()).await?;
    let person = reread(&txn, org, &id).await?;
    txn.commit().await?;
    Ok(person)
}

pub async fn update(
    state: &AppState,
    org: &OrgId,
    id: &PersonId,
    patch: PersonPatch,
) -> Result<Person, ApiError> {
    let txn = begin_write(&state.db).await?;
    let moves_in_chart = !patch.manager_id.is_absent();
    if moves_in_chart {
        // Two concurrent moves could each be fine alone and close a loop together.
        orgs::lock(&txn, org).await?;
    }
    let current = persons::find(&txn, org, id)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    let team_id = patch
        .team_id
        .try_map(|t| TeamId::parse(t.trim()).ok_or_else(|| ApiError::not_found(TEAM_NOT_FOUND)))?;
    let manager_id = patch.manager_id.try_map(|m| {
        PersonId::parse(m.trim()).ok_or_else(|| ApiError::not_found(MANAGER_NOT_FOUND))
    })?;
    let fields = PersonFields {
        name: patch.name.unwrap_or(current.name),
        email: patch.email.apply(current.email.map(Email::from_db)),
        role: patch.role.apply(current.role),
        status: patch.status.unwrap_or(current.status),
        team_id: team_id.apply(current.team_id),
        manager_id: manager_id.apply(current.manager_id.clone()),
    };
    check_references(&txn, org, &fields).await?;
    if moves_in_chart && let Some(manager) = &fields.manager_id {
        if manager == id {
            return Err(ApiError::invalid(
                "managerId",
                "A person cannot be their own manager",
            ));
        }
        // Walk up from the new manager; meeting this person again would close a loop.
        let mut cursor = Some(manager.clone());
        let mut steps = 0usize;
        while let Some(p) = cursor {
            if &p == id {
                return Err(ApiError::invalid(
                    "managerId",
                    "This change would create a reporting cycle",
                ));
            }
            steps += 1;
            if steps > 10_000 {
                return Err(ApiError::internal(anyhow::anyhow!(
                    "reporting chain above {manager} does not end"
                )));
            }
            cursor = persons::manager_of(&txn, org, &p).await?;
        }
    }
    persons::update(&txn, org, id, &fields, state.now()).await?;
    let person = reread(&txn, org, id).await?;
    txn.commit().await?;
    Ok(person)
}

/// Deletes a person with no direct reports and no history; a linked user is unlinked, their
/// task assignments cleared and initiative ownerships dropped.
pub async fn delete(state: &AppState, org: &OrgId, id: &PersonId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    if !persons::exists(&txn, org, id).await? {
        return Err(ApiError::not_found(NOT_FOUND));
    }
    if persons::count_reports(&txn, org, id).await? > 0 {
        return Err(ApiError::conflict(
            "Cannot delete person with direct reports. Please reassign their reports first.",
        ));
    }
    // One-on-ones, feedback, meetings and campaigns are history: deleting the person would
    // erase or orphan it. They can be marked inactive instead.
    let history = oneonones::count_for_person(&txn, org, id).await?
        + feedback::count_involving(&txn, org, id).await?
        + meetings::count_owned_by(&txn, org, id).await?
        + links::count_for_person(&txn, links::MEETING_PARTICIPANTS, org, id).await?
        + links::count_for_person(&txn, links::INSTANCE_PARTICIPANTS, org, id).await?
        + campaigns::count_targeting(&txn, org, id).await?;
    if history > 0 {
        return Err(ApiError::conflict(
            "Cannot delete a person who has one-on-ones, feedback or meetings. Mark them inactive instead.",
        ));
    }
    persons::delete(&txn, org, id).await?;
    txn.commit().await?;
    Ok(())
}
