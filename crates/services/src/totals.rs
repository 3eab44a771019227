//! Kept totals of the lists whose `totalCount` would count the organization's rows on every
//! request: the tasks (by `tasks_version`) and the people (by `names_version`), on the pattern
//! of the one-on-ones' (`oneonones::Totals`). Every write to those rows increases the version
//! in its own transaction; the session lookup every request makes reads it; a total is used
//! only when it was counted at the versions the caller's lookup read, so it is exact on every
//! replica, and counted again only after a write. A total counted later than the versions it
//! is filed under is only ever counted again. A search is always counted.

use manageros_core::OrgId;

/// What the caller's session lookup read: the versions a kept total must have been counted
/// at (for tasks, also the names: a person or initiative deleted unassigns their tasks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen(pub [i64; 2]);

/// The kept totals: by organization and the list's filters written as a key, at most
/// [`KEPT`], the least recently used leaving first.
pub struct Kept(quick_cache::sync::Cache<(OrgId, String), (Seen, u64)>);

/// How many totals a process keeps (a few MB).
pub const KEPT: usize = 100_000;

impl Default for Kept {
    fn default() -> Self {
        Self(quick_cache::sync::Cache::new(KEPT))
    }
}

impl Kept {
    /// The total of `key`, when it was counted at `seen`.
    pub fn get(&self, org: &OrgId, key: &str, seen: Seen) -> Option<u64> {
        self.0
            .get(&(org.clone(), key.to_owned()))
            .filter(|(at, _)| *at == seen)
            .map(|(_, total)| total)
    }

    /// Keeps `total`, counted after the versions `seen` were read.
    pub fn put(&self, org: &OrgId, key: String, seen: Seen, total: u64) {
        self.0.insert((org.clone(), key), (seen, total));
    }
}
