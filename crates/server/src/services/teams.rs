//! Teams: writes that keep the team tree a tree and refuse to orphan what hangs off a team.

use crate::{error::ApiError, patch::Patch, state::AppState};
use manageros_core::{OrgId, TeamId};
use manageros_store::{
    DatabaseTransaction, begin_write,
    repo::{
        initiatives, orgs, persons,
        teams::{self, Team, TeamFields},
    },
};

pub const NOT_FOUND: &str = "Team not found or access denied";
pub const PARENT_NOT_FOUND: &str = "Parent team not found or access denied";

#[derive(Default)]
pub struct TeamPatch {
    pub name: Option<String>,
    pub description: Patch<String>,
    /// A raw id: checked once the team is known to exist.
    pub parent_id: Patch<String>,
}

async fn reread(txn: &DatabaseTransaction, org: &OrgId, id: &TeamId) -> Result<Team, ApiError> {
    teams::find(txn, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("team {id} vanished inside its transaction"))
    })
}

async fn check_parent(
    txn: &DatabaseTransaction,
    org: &OrgId,
    parent: Option<&TeamId>,
) -> Result<(), ApiError> {
    if let Some(p) = parent
        && !teams::exists(txn, org, p).await?
    {
        return Err(ApiError::not_found(PARENT_NOT_FOUND));
    }
    Ok(())
}

pub async fn create(state: &AppState, org: &OrgId, fields: TeamFields) -> Result<Team, ApiError> {
    let txn = begin_write(&state.db).await?;
    check_parent(&txn, org, fields.parent_id.as_ref()).await?;
    let id = teams::insert(&txn, org, &fields, state.now()).await?;
    let team = reread(&txn, org, &id).await?;
    txn.commit().await?;
    Ok(team)
}

pub async fn update(
    state: &AppState,
    org: &OrgId,
    id: &TeamId,
    patch: TeamPatch,
) -> Result<Team, ApiError> {
    let txn = begin_write(&state.db).await?;
    let moves = !patch.parent_id.is_absent();
    if moves {
        orgs::lock(&txn, org).await?;
    }
    let current = teams::find(&txn, org, id)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    let parent_id = patch.parent_id.try_map(|p| {
        TeamId::parse(p.trim()).ok_or_else(|| ApiError::not_found(PARENT_NOT_FOUND))
    })?;
    let fields = TeamFields {
        name: patch.name.unwrap_or(current.name),
        description: patch.description.apply(current.description),
        parent_id: parent_id.apply(current.parent_id),
    };
    check_parent(&txn, org, fields.parent_id.as_ref()).await?;
    if moves && let Some(parent) = &fields.parent_id {
        if parent == id {
            return Err(ApiError::invalid(
                "parentId",
                "A team cannot be its own parent",
            ));
        }
        let mut cursor = Some(parent.clone());
        let mut steps = 0usize;
        while let Some(t) = cursor {
            if &t == id {
                return Err(ApiError::invalid(
                    "parentId",
                    "This change would create a cycle of teams",
                ));
            }
            steps += 1;
            if steps > 10_000 {
                return Err(ApiError::internal(anyhow::anyhow!(
                    "team tree above {parent} does not end"
                )));
            }
            cursor = teams::parent_of(&txn, org, &t).await?;
        }
    }
    teams::update(&txn, org, id, &fields, state.now()).await?;
    let team = reread(&txn, org, id).await?;
    txn.commit().await?;
    Ok(team)
}

/// Deletes a team that has no members, child teams or initiatives.
pub async fn delete(state: &AppState, org: &OrgId, id: &TeamId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    if !teams::exists(&txn, org, id).await? {
        return Err(ApiError::not_found(NOT_FOUND));
    }
    let blockers = [
        (
            persons::count_in_team(&txn, org, id).await?,
            "member",
            "members",
        ),
        (
            teams::count_children(&txn, org, id).await?,
            "child team",
            "child teams",
        ),
        (
            initiatives::count_for_team(&txn, org, id).await?,
            "initiative",
            "initiatives",
        ),
    ];
    let named: Vec<String> = blockers
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
    if !named.is_empty() {
        return Err(ApiError::conflict(format!(
            "Cannot delete a team that still has {}. Move them elsewhere first.",
            named.join(" and ")
        )));
    }
    teams::delete(&txn, org, id).await?;
    txn.commit().await?;
    Ok(())
}
