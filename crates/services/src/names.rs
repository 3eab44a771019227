//! The names an organization's pages offer as choices and show in rows: its people, its
//! newest initiatives and its teams. Many pages need them on every request (the task list's
//! filters, the initiative list's owners), and they change rarely, so each process keeps the
//! last copy it read per organization.
//!
//! The copy is never stale. Every write to people, initiatives or teams increases the
//! organization's `names_version` in its own transaction (`repo::orgs::names_changed`), and
//! the session lookup every request makes anyway reads that version in the same query
//! (`repo::sessions::find_user`). A copy is used only when it was read at that version or
//! later; otherwise it is read again. Since the version comes from the database, this holds
//! on every replica, and a cached answer costs no query at all.

use crate::{error::ApiError, load, state::AppState};
use manageros_core::{
    OrgId,
    authz::{self, Action, Actor, OrgAction},
};
use manageros_store::repo::{initiatives, persons, teams};
use std::{collections::HashMap, sync::Arc};

/// Something a page can choose or show by name: an id and its name (or title).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// One organization's names, as read at `version`.
#[derive(Debug)]
pub struct Directory {
    version: i64,
    /// Everyone on the org chart, by name (at most [`PEOPLE_KEPT`]): every row's name is
    /// found here, however large the organization.
    pub people: Vec<Named>,
    /// The newest initiatives first (at most `initiatives::CHOICES`).
    pub initiatives: Vec<Named>,
    /// Every team, by name (at most `teams::TREE_LIMIT`).
    pub teams: Vec<Named>,
    /// The first people who manage someone, by name (at most `people::PICKER_LIMIT`): the
    /// directory's manager filter.
    pub managers: Vec<Named>,
    person: HashMap<String, usize>,
    initiative: HashMap<String, usize>,
    team: HashMap<String, usize>,
}

fn index(list: &[Named]) -> HashMap<String, usize> {
    list.iter()
        .enumerate()
        .map(|(i, n)| (n.id.clone(), i))
        .collect()
}

fn lookup<'a>(list: &'a [Named], index: &HashMap<String, usize>, id: &str) -> Option<&'a str> {
    index.get(id).map(|&i| list[i].name.as_str())
}

impl Directory {
    fn new(
        version: i64,
        people: Vec<Named>,
        initiatives: Vec<Named>,
        teams: Vec<Named>,
        managers: Vec<Named>,
    ) -> Self {
        Self {
            version,
            managers,
            person: index(&people),
            initiative: index(&initiatives),
            team: index(&teams),
            people,
            initiatives,
            teams,
        }
    }

    /// A person's name, when they are among [`Self::people`].
    pub fn person(&self, id: &str) -> Option<&str> {
        lookup(&self.people, &self.person, id)
    }

    /// An initiative's title, when it is among [`Self::initiatives`].
    pub fn initiative(&self, id: &str) -> Option<&str> {
        lookup(&self.initiatives, &self.initiative, id)
    }

    /// A team's name, when it is among [`Self::teams`].
    pub fn team(&self, id: &str) -> Option<&str> {
        lookup(&self.teams, &self.team, id)
    }

    /// How much memory the copy holds, counted in names.
    fn weight(&self) -> u64 {
        (self.people.len() + self.initiatives.len() + self.teams.len() + self.managers.len()) as u64
            + 1
    }
}

/// The copies a process keeps: at most about [`CACHE_NAMES`] names in all, the least
/// recently used organizations leaving first.
pub struct NamesCache(quick_cache::sync::Cache<OrgId, Arc<Directory>, ByNames>);

/// The most people of one organization whose names are kept (read in one query after each
/// change to names; 10,000 take a few milliseconds and about a megabyte).
pub const PEOPLE_KEPT: u64 = 50_000;

/// How many names the cache may hold in all (a few MB).
pub const CACHE_NAMES: u64 = 200_000;

#[derive(Clone)]
pub struct ByNames;

impl quick_cache::Weighter<OrgId, Arc<Directory>> for ByNames {
    fn weight(&self, _: &OrgId, d: &Arc<Directory>) -> u64 {
        d.weight()
    }
}

/// The cache's shards. quick_cache splits its capacity between shards and refuses an entry
/// heavier than one shard holds: with its default (four per core) an organization of 6,000
/// people was never kept on an 8-core machine. Two shards of 100,000 hold the largest
/// organization whose names are kept ([`PEOPLE_KEPT`] and its other names).
const NAMES_SHARDS: usize = 2;

impl Default for NamesCache {
    fn default() -> Self {
        let options = quick_cache::OptionsBuilder::new()
            .estimated_items_capacity(1_000)
            .weight_capacity(CACHE_NAMES)
            .shards(NAMES_SHARDS)
            .build();
        Self(match options {
            Ok(o) => quick_cache::sync::Cache::with_options(
                o,
                ByNames,
                Default::default(),
                Default::default(),
            ),
            // Not reached (the options are constants quick_cache accepts).
            Err(_) => quick_cache::sync::Cache::with_weighter(1_000, CACHE_NAMES, ByNames),
        })
    }
}

/// The caller's organization's names, current as of `version` (the `names_version` their
/// session lookup read): people (org.view-people), initiatives (initiative.view) and teams
/// (org.view-teams) are each checked through authz.
pub async fn of(state: &AppState, actor: &Actor, version: i64) -> Result<Arc<Directory>, ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewPeople)?;
    load::permitted(actor, Action::InitiativeView)?;
    authz::authorize_org(actor, OrgAction::ViewTeams)?;
    if let Some(d) = state.names.0.get(&org).filter(|d| d.version >= version) {
        return Ok(d);
    }
    // Read after the version was: what is read is at least as new as `version` says.
    let named = |(id, name): (String, String)| Named { id, name };
    let people = persons::choices(&state.db, &org, PEOPLE_KEPT)
        .await?
        .into_iter()
        .map(|(id, name)| named((id.to_string(), name)))
        .collect();
    let initiatives = initiatives::choices(&state.db, &org, super::initiatives::CHOICES)
        .await?
        .into_iter()
        .map(|(id, title)| named((id.to_string(), title)))
        .collect();
    let teams = teams::all(&state.db, &org, super::teams::TREE_LIMIT)
        .await?
        .into_iter()
        .map(|t| named((t.id.to_string(), t.name)))
        .collect();
    let managers = persons::managers(&state.db, &org, super::people::PICKER_LIMIT)
        .await?
        .into_iter()
        .map(|(id, name)| named((id.to_string(), name)))
        .collect();
    let d = Arc::new(Directory::new(
        version,
        people,
        initiatives,
        teams,
        managers,
    ));
    // A slower reader of an older version must not replace a newer copy.
    if state
        .names
        .0
        .get(&org)
        .is_none_or(|cached| cached.version <= version)
    {
        state.names.0.insert(org, d.clone());
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest organization whose names are kept is kept, whatever the machine's cores.
    #[test]
    fn the_largest_organization_kept_fits_the_cache() {
        let named = |i: u64| Named {
            id: format!("person_{i}"),
            name: format!("Person {i}"),
        };
        let people = (0..PEOPLE_KEPT).map(named).collect();
        let others = || (0..500).map(named).collect::<Vec<_>>();
        let d = Arc::new(Directory::new(1, people, others(), others(), others()));
        let cache = NamesCache::default();
        let org = OrgId::generate();
        cache.0.insert(org.clone(), d);
        assert!(cache.0.get(&org).is_some(), "kept");
    }
}
