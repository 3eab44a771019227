//! Teams (docs/API.md §5): any member reads; admins write. Writes keep the team tree a tree
//! and refuse to orphan what hangs off a team. Each function asks authz once, then validates,
//! then writes in one transaction.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load::reread,
    parse::Paging,
    parse::{filter_id, optional_text, search_from},
    patch::{Patch, required},
    state::AppState,
    validate,
};
use crate::{
    extract::IfMatch,
    versions::{self, Versioned},
};
use manageros_core::{
    Name, OrgId, Page, PageInfo, TeamId,
    authz::{self, Actor, OrgAction},
};
use manageros_store::{
    DatabaseTransaction, begin_write,
    repo::{
        initiatives, orgs,
        persons::{self, Person, PersonFilter},
        teams::{self, Team, TeamFields, TeamFilter},
    },
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub const NOT_FOUND: &str = "Team not found or access denied";
pub const PARENT_NOT_FOUND: &str = "Parent team not found or access denied";

fn team_id(raw: &str) -> Result<TeamId, ApiError> {
    TeamId::parse(raw.trim()).ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

fn parent_id(raw: &str) -> Result<TeamId, ApiError> {
    TeamId::parse(raw.trim()).ok_or_else(|| ApiError::not_found(PARENT_NOT_FOUND))
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

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TeamsQuery {
    #[param(value_type = Option<input::Search>, inline)]
    pub search: Option<String>,
    pub parent_id: Option<String>,
}

/// The organization's teams, by name (any member).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    q: TeamsQuery,
    paging: &Paging,
) -> Result<(Vec<Team>, PageInfo), ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewTeams)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let search = search_from(q.search.as_deref(), &mut errors);
    errors.finish()?;
    let Some(parent_id) = filter_id(q.parent_id.as_deref(), TeamId::parse) else {
        // A filter on an id of the wrong shape matches nothing.
        return Ok((vec![], page.info(0)));
    };
    let filter = TeamFilter { search, parent_id };
    let (list, total) = teams::list(&state.db, &org, &filter, page).await?;
    Ok((list, page.info(total)))
}

/// A team of the caller's organization (any member).
pub async fn get(state: &AppState, actor: &Actor, raw_id: &str) -> Result<Team, ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewTeams)?;
    teams::find(&state.db, &org, &team_id(raw_id)?)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

/// The most teams the team tree and the pickers show.
pub const TREE_LIMIT: u64 = 1_000;

/// Every team of the organization, by name (any member), at most [`TREE_LIMIT`]; `true` when
/// there were more.
pub async fn everyone(state: &AppState, actor: &Actor) -> Result<(Vec<Team>, bool), ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewTeams)?;
    let mut list = teams::all(&state.db, &org, TREE_LIMIT + 1).await?;
    let more = list.len() as u64 > TREE_LIMIT;
    list.truncate(TREE_LIMIT as usize);
    Ok((list, more))
}

/// A team's page: the team, its parent, its child teams and a page of its members.
pub struct TeamPage {
    pub team: Team,
    pub parent: Option<Team>,
    pub children: Vec<Team>,
    pub members: Vec<Person>,
    pub members_page: PageInfo,
    /// For whoever may change people: who could be added (not in this team), by name, at
    /// most [`CANDIDATES`].
    pub candidates: Vec<(manageros_core::PersonId, String)>,
}

/// The most people a team page offers to add (a filter box narrows them).
pub const CANDIDATES: u64 = 2_000;

/// A team with its parent, children and members (any member).
pub async fn page(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    paging: &Paging,
) -> Result<TeamPage, ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewTeams)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    errors.finish()?;
    let team = teams::find(&state.db, &org, &team_id(raw_id)?)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    let parent = match &team.parent_id {
        Some(p) => teams::find(&state.db, &org, p).await?,
        None => None,
    };
    let children_filter = TeamFilter {
        search: None,
        parent_id: Some(team.id.clone()),
    };
    let all = Page {
        page: 1,
        limit: TREE_LIMIT,
    };
    let (children, _) = teams::list(&state.db, &org, &children_filter, all).await?;
    let member_filter = PersonFilter {
        team_id: Some(team.id.clone()),
        ..Default::default()
    };
    let (members, total) = persons::list(&state.db, &org, &member_filter, page, None).await?;
    let candidates = if authz::authorize_org(actor, OrgAction::UpdatePerson).is_ok() {
        persons::choices_outside_team(&state.db, &org, &team.id, CANDIDATES).await?
    } else {
        vec![]
    };
    Ok(TeamPage {
        team,
        parent,
        children,
        members,
        members_page: page.info(total),
        candidates,
    })
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateTeamRequest {
    #[schema(value_type = input::Name, inline, required = true)]
    pub name: Option<String>,
    #[schema(value_type = input::TeamDescription, inline, required = false)]
    pub description: Option<String>,
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub parent_id: Option<String>,
}

/// Creates a team (admins).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CreateTeamRequest,
) -> Result<Team, ApiError> {
    let org = &authz::authorize_org(actor, OrgAction::CreateTeam)?;
    validate! {
        name = "name": Name::parse(input.name.as_deref().unwrap_or_default()),
        description = "description": optional_text(input.description.as_deref(), "Description", 2000),
    }
    let parent_id = match input.parent_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(parent_id(p)?),
    };
    let fields = TeamFields {
        name: name.into_string(),
        description,
        parent_id,
    };
    let txn = begin_write(&state.db).await?;
    check_parent(&txn, org, fields.parent_id.as_ref()).await?;
    let id = teams::insert(&txn, org, &fields, state.now()).await?;
    let team = reread::<Team>(&txn, org, &id).await?;
    txn.commit().await?;
    Ok(team)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTeamRequest {
    #[serde(default)]
    #[schema(value_type = input::Name, inline, required = false)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::TeamDescription, inline, required = false)]
    pub description: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub parent_id: Patch<String>,
}

/// Changes some of a team's fields (admins); `null` clears an optional one. The team tree
/// never loops, also under concurrent moves (they take the organization's lock).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    input: UpdateTeamRequest,
    if_match: &IfMatch,
) -> Result<Team, ApiError> {
    let org = &authz::authorize_org(actor, OrgAction::UpdateTeam)?;
    let id = &team_id(raw_id)?;
    validate! {
        name = "name": required(input.name, "Name", |n| Name::parse(&n)),
        description = "description": input.description.try_map(|d| optional_text(Some(&d), "Description", 2000)),
    }
    let patch = TeamPatch {
        name: name.map(Name::into_string),
        description: description.flatten(),
        parent_id: input.parent_id,
    };
    let txn = begin_write(&state.db).await?;
    let moves = !patch.parent_id.is_absent();
    if moves {
        orgs::lock(&txn, org).await?;
    }
    let current = teams::find(&txn, org, id)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    versions::claim(&txn, Versioned::Team, org, id.as_str(), actor, if_match).await?;
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
    let team = reread::<Team>(&txn, org, id).await?;
    txn.commit().await?;
    Ok(team)
}

struct TeamPatch {
    name: Option<String>,
    description: Patch<String>,
    /// A raw id: checked once the team is known to exist.
    parent_id: Patch<String>,
}

/// Deletes a team that has no members, child teams or initiatives (admins).
pub async fn delete(state: &AppState, actor: &Actor, raw_id: &str) -> Result<(), ApiError> {
    let org = &authz::authorize_org(actor, OrgAction::DeleteTeam)?;
    let id = &team_id(raw_id)?;
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
