//! People of the org chart (docs/API.md §5): any member reads; admins write. Writes keep the
//! reporting chain a tree and the references inside the organization. Each function asks
//! authz once, then validates, then writes in one transaction.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    handoffs,
    load::reread,
    parse::Paging,
    parse::{filter_id, optional_email, optional_line, search_from},
    patch::{Patch, required},
    state::AppState,
    validate,
};
use crate::{
    extract::IfMatch,
    versions::{self, Versioned},
};
use manageros_core::{
    Email, Name, OrgId, PageInfo, PersonId, PersonStatus, TeamId,
    authz::{self, Actor, OrgAction},
};
use manageros_store::repo::oneonones::OneOnOneWithPeople;
use manageros_store::{
    DatabaseTransaction, begin_write,
    repo::{
        campaigns, feedback, links, meetings, oneonones, orgs,
        persons::{self, Person, PersonFields, PersonFilter},
        teams,
    },
};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

pub const NOT_FOUND: &str = "Person not found or access denied";
pub const TEAM_NOT_FOUND: &str = "Team not found or access denied";
pub const MANAGER_NOT_FOUND: &str = "Manager not found or access denied";

/// A typed id from a raw string, or the 404 the API gives for ids of the wrong shape.
fn id_or_404<T>(raw: &str, parse: fn(&str) -> Option<T>, msg: &str) -> Result<T, ApiError> {
    parse(raw.trim()).ok_or_else(|| ApiError::not_found(msg))
}

fn optional_id<T>(
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    msg: &str,
) -> Result<Option<T>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => id_or_404(s, parse, msg).map(Some),
    }
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

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Case-insensitive substring of the name or email.
    #[param(value_type = Option<input::Search>, inline)]
    pub search: Option<String>,
    pub team_id: Option<String>,
    pub manager_id: Option<String>,
    /// `active`, `inactive` or `on_leave`.
    #[param(value_type = Option<input::PersonStatusFilter>, inline)]
    pub status: Option<String>,
}

/// People of the caller's organization, by name (any member).
///
/// `names_seen` is the organization's `names_version` as the caller's session lookup read it
/// (`CurrentUser::names_version`); with it, the total comes from [`crate::totals::Kept`] when
/// it is current.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    names_seen: Option<i64>,
    q: PeopleQuery,
    paging: &Paging,
) -> Result<(Vec<Person>, PageInfo), ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewPeople)?;
    list_in(state, &org, names_seen, q, paging).await
}

async fn list_in(
    state: &AppState,
    org: &OrgId,
    names_seen: Option<i64>,
    q: PeopleQuery,
    paging: &Paging,
) -> Result<(Vec<Person>, PageInfo), ApiError> {
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let search = search_from(q.search.as_deref(), &mut errors);
    let status = errors
        .take(
            "status",
            crate::parse::filter(q.status.as_deref(), PersonStatus::parse),
        )
        .flatten();
    errors.finish()?;
    let (Some(team_id), Some(manager_id)) = (
        filter_id(q.team_id.as_deref(), TeamId::parse),
        filter_id(q.manager_id.as_deref(), PersonId::parse),
    ) else {
        // A filter on an id of the wrong shape matches nothing.
        return Ok((vec![], page.info(0)));
    };
    let filter = PersonFilter {
        search,
        team_id,
        manager_id,
        status,
    };
    // A search is always counted.
    let seen = names_seen
        .filter(|_| filter.search.is_none())
        .map(|v| crate::totals::Seen([v, 0]));
    let key = total_key(&filter);
    let kept = seen.and_then(|s| state.totals.get(org, &key, s));
    let (people, total) = persons::list(&state.db, org, &filter, page, kept).await?;
    if let (Some(s), None) = (seen, kept) {
        state.totals.put(org, key, s, total);
    }
    Ok((people, page.info(total)))
}

/// What a kept people total counts (a search is never kept).
fn total_key(f: &PersonFilter) -> String {
    format!("people {:?} {:?} {:?}", f.team_id, f.manager_id, f.status)
}

/// A row of the people directory: a person with the names of their team and manager.
pub struct DirectoryEntry {
    pub person: Person,
    pub team: Option<String>,
    pub manager: Option<String>,
}

/// The people directory: a page of entries and what its filters offer.
pub struct Directory {
    pub entries: Vec<DirectoryEntry>,
    pub page: PageInfo,
    /// The teams and the managers to filter by: the first [`PICKER_LIMIT`] of each by name,
    /// and the one the filter holds wherever it ranks.
    pub teams: Vec<(TeamId, String)>,
    pub managers: Vec<(PersonId, String)>,
}

/// The most teams, and managers, the directory's filters offer: the page does not grow with
/// the organization (the org chart and the teams page lead to the others).
pub const PICKER_LIMIT: u64 = 100;

/// The people directory (any member): the list of [`list`], with the names the rows show
/// and the choices of its filters.
pub async fn directory(
    state: &AppState,
    actor: &Actor,
    names_seen: Option<i64>,
    q: PeopleQuery,
    paging: &Paging,
) -> Result<Directory, ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewPeople)?;
    let chosen_team = q.team_id.as_deref().and_then(TeamId::parse);
    let chosen_manager = q.manager_id.as_deref().and_then(PersonId::parse);
    let (people, page) = list_in(state, &org, names_seen, q, paging).await?;
    let manager_ids: Vec<PersonId> = people.iter().filter_map(|p| p.manager_id.clone()).collect();
    let manager_names: HashMap<PersonId, String> = persons::names(&state.db, &org, &manager_ids)
        .await?
        .into_iter()
        .collect();
    let team_ids: Vec<TeamId> = people.iter().filter_map(|p| p.team_id.clone()).collect();
    let team_names: HashMap<TeamId, String> = teams::names(&state.db, &org, &team_ids)
        .await?
        .into_iter()
        .collect();
    let entries = people
        .into_iter()
        .map(|person| DirectoryEntry {
            team: person
                .team_id
                .as_ref()
                .and_then(|t| team_names.get(t).cloned()),
            manager: person
                .manager_id
                .as_ref()
                .and_then(|m| manager_names.get(m).cloned()),
            person,
        })
        .collect();
    // The filters' choices come from the organization's kept names (read again only after
    // a change to people or teams), so they cost no query.
    let names = match names_seen {
        Some(v) => Some(crate::names::of(state, actor, v).await?),
        None => None,
    };
    let mut teams: Vec<(TeamId, String)> = match &names {
        Some(n) => n
            .teams
            .iter()
            .take(PICKER_LIMIT as usize)
            .map(|t| (TeamId::from_db(t.id.clone()), t.name.clone()))
            .collect(),
        None => teams::all(&state.db, &org, PICKER_LIMIT)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect(),
    };
    if let Some(t) = chosen_team.filter(|t| !teams.iter().any(|(id, _)| id == t)) {
        teams.extend(teams::names(&state.db, &org, &[t]).await?);
    }
    let mut managers: Vec<(PersonId, String)> = match &names {
        Some(n) => n
            .managers
            .iter()
            .map(|m| (PersonId::from_db(m.id.clone()), m.name.clone()))
            .collect(),
        None => persons::managers(&state.db, &org, PICKER_LIMIT).await?,
    };
    if let Some(m) = chosen_manager.filter(|m| !managers.iter().any(|(id, _)| id == m)) {
        managers.extend(persons::names(&state.db, &org, &[m]).await?);
    }
    Ok(Directory {
        entries,
        page,
        teams,
        managers,
    })
}

/// The most people the org chart draws; an organization beyond it is told so.
pub const CHART_LIMIT: u64 = 5_000;

/// Everyone of the organization for the org chart and the pickers, by name (any member), at
/// most [`CHART_LIMIT`]; `true` when there were more.
pub async fn everyone(state: &AppState, actor: &Actor) -> Result<(Vec<Person>, bool), ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewPeople)?;
    let mut people = persons::all(&state.db, &org, CHART_LIMIT + 1).await?;
    let more = people.len() as u64 > CHART_LIMIT;
    people.truncate(CHART_LIMIT as usize);
    Ok((people, more))
}

/// The most people the org chart shows in one level (under one manager, or at the top); a
/// level with more says how many it leaves out and links to the directory.
pub const CHART_LEVEL: u64 = 200;
/// The most people a search on the chart marks and opens the way to.
pub const CHART_FOUND: u64 = 10;

/// Where the org chart opens.
pub enum ChartFocus<'a> {
    /// On the caller's own place: the levels above them and their reports.
    Me,
    /// On one person (a raw id: one not of the organization is not found, and the chart
    /// opens on its top only): the levels above them and their reports.
    Person(&'a str),
    /// On the people whose name holds this: the levels above each of the first
    /// [`CHART_FOUND`].
    Search(&'a str),
}

/// The part of the org chart a page shows: its top, and the levels open on the way to the
/// people it is about. Nothing in it grows with the organization beyond the people shown.
pub struct Chart {
    /// The open levels, by manager (`None`: the people without a manager).
    pub levels: HashMap<Option<PersonId>, persons::ChartLevel>,
    /// How many direct reports each person shown has (none: left out).
    pub reports: HashMap<PersonId, u64>,
    /// The people the chart is about: those found, or the one asked for (the caller's own
    /// place, opened by default, is not marked).
    pub marked: Vec<PersonId>,
    /// How many people the search found (the first [`CHART_FOUND`] are marked).
    pub found: u64,
    /// How many people the organization has.
    pub total: u64,
}

/// The org chart opened on `focus` (any member): the top level, every level above the people
/// it is about, and the reports of the person asked for (or of the caller).
///
/// `names_seen` is as for [`list`]: the organization's head count is kept with it.
pub async fn chart(
    state: &AppState,
    actor: &Actor,
    names_seen: Option<i64>,
    focus: ChartFocus<'_>,
) -> Result<Chart, ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewPeople)?;
    let db = &state.db;
    // Whom the chart opens on, how many a search found, whether their own reports are shown,
    // and whether they are marked (the caller's own place is not).
    let me = || (actor.person_id.iter().cloned().collect(), 0, true, false);
    let (wanted, found, open_own, mark): (Vec<PersonId>, u64, bool, bool) = match focus {
        ChartFocus::Me => me(),
        ChartFocus::Person(raw) => (
            PersonId::parse(raw.trim()).into_iter().collect(),
            0,
            true,
            true,
        ),
        ChartFocus::Search(term) => {
            let mut errors = FieldErrors::default();
            let term = search_from(Some(term), &mut errors);
            errors.finish()?;
            match term {
                Some(t) => {
                    let (ids, found) = persons::named_like(db, &org, &t, CHART_FOUND).await?;
                    (ids, found, false, true)
                }
                None => me(),
            }
        }
    };
    // Everyone on the way up from those people (themselves included); an id of another
    // organization finds nobody.
    let lines = persons::lines_above(db, &org, &wanted).await?;
    let marked: Vec<PersonId> = wanted
        .into_iter()
        .filter(|w| mark && lines.iter().any(|(id, _)| id == w))
        .collect();
    let mut open: Vec<Option<PersonId>> = vec![None];
    open.extend(lines.iter().filter_map(|(_, m)| m.clone().map(Some)));
    if open_own {
        open.extend(lines.iter().map(|(id, _)| Some(id.clone())));
    }
    open.sort();
    open.dedup();
    let on_the_way: Vec<PersonId> = lines.into_iter().map(|(id, _)| id).collect();
    let levels = persons::chart_levels(db, &org, &open, &on_the_way, CHART_LEVEL).await?;
    let shown: Vec<PersonId> = levels
        .values()
        .flat_map(|l| l.people.iter().map(|p| p.id.clone()))
        .collect();
    let reports = persons::report_counts(db, &org, &shown).await?;
    let everyone = total_key(&PersonFilter::default());
    let seen = names_seen.map(|v| crate::totals::Seen([v, 0]));
    let total = match seen.and_then(|s| state.totals.get(&org, &everyone, s)) {
        Some(n) => n,
        None => {
            let n = persons::count(db, &org).await?;
            if let Some(s) = seen {
                state.totals.put(&org, everyone, s, n);
            }
            n
        }
    };
    Ok(Chart {
        levels,
        reports,
        marked,
        found,
        total,
    })
}

/// One level of the chart, loaded when it is opened (any member): the direct reports of a
/// person, the first [`CHART_LEVEL`] by name, and how many direct reports each of them has.
pub async fn chart_level(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
) -> Result<(persons::ChartLevel, HashMap<PersonId, u64>), ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewPeople)?;
    let id = id_or_404(raw_id, PersonId::parse, NOT_FOUND)?;
    let db = &state.db;
    let mut levels = persons::chart_levels(db, &org, &[Some(id.clone())], &[], CHART_LEVEL).await?;
    let level = levels.remove(&Some(id.clone())).unwrap_or_default();
    if level.people.is_empty() && !persons::exists(db, &org, &id).await? {
        return Err(ApiError::not_found(NOT_FOUND));
    }
    let ids: Vec<PersonId> = level.people.iter().map(|p| p.id.clone()).collect();
    let reports = persons::report_counts(db, &org, &ids).await?;
    Ok((level, reports))
}

/// A person's page: the person, and for a caller who has one-on-ones with them, the newest
/// of those (at most [`WITH_ME_LIMIT`]).
pub struct PersonPage {
    pub detail: PersonDetail,
    pub with_me: Vec<OneOnOneWithPeople>,
    /// The first feedback about them the caller may read, with its authors' names, and the
    /// total.
    pub feedback: (
        Vec<(manageros_store::repo::feedback::Feedback, Option<String>)>,
        PageInfo,
    ),
}

pub const WITH_ME_LIMIT: u64 = 10;

/// A person's page, from one call: the person (any member), the caller's one-on-ones with
/// them (the caller's own, as in their list), and the first `feedback_shown` items of
/// feedback about them that the caller may read.
pub async fn page(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    feedback_shown: u64,
) -> Result<PersonPage, ApiError> {
    let detail = get(state, actor, raw_id).await?;
    let first = Paging {
        page: None,
        limit: Some(feedback_shown.to_string()),
    };
    let feedback = crate::feedback::about_person(state, actor, &detail.person.id, &first).await?;
    let with_me = match authz::oneonone_list_scope(actor) {
        Ok((org, me)) if me != detail.person.id => {
            oneonones::between(&state.db, &org, &me, &detail.person.id, WITH_ME_LIMIT).await?
        }
        _ => vec![],
    };
    Ok(PersonPage {
        detail,
        with_me,
        feedback,
    })
}

/// A person with the names of their team, manager and direct reports.
pub struct PersonDetail {
    pub person: Person,
    pub team: Option<(TeamId, String)>,
    pub manager: Option<(PersonId, String)>,
    pub reports: Vec<(PersonId, String)>,
}

/// A person of the caller's organization (any member).
pub async fn get(state: &AppState, actor: &Actor, raw_id: &str) -> Result<PersonDetail, ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewPeople)?;
    let id = id_or_404(raw_id, PersonId::parse, NOT_FOUND)?;
    let person = persons::find(&state.db, &org, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    let team = match &person.team_id {
        Some(t) => teams::find(&state.db, &org, t)
            .await?
            .map(|t| (t.id, t.name)),
        None => None,
    };
    let manager = match &person.manager_id {
        Some(m) => persons::names(&state.db, &org, std::slice::from_ref(m))
            .await?
            .into_iter()
            .next(),
        None => None,
    };
    let reports = persons::reports(&state.db, &org, &id).await?;
    Ok(PersonDetail {
        person,
        team,
        manager,
        reports,
    })
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreatePersonRequest {
    #[schema(value_type = input::Name, inline, required = true)]
    pub name: Option<String>,
    #[schema(value_type = input::OptionalEmail, inline, required = false)]
    pub email: Option<String>,
    /// Free-text job title, up to 100 characters.
    #[schema(value_type = input::JobTitle, inline, required = false)]
    pub role: Option<String>,
    /// `active` (default), `inactive` or `on_leave`.
    #[schema(value_type = input::OptionalPersonStatus, inline, required = false)]
    pub status: Option<String>,
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub team_id: Option<String>,
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub manager_id: Option<String>,
}

/// Adds a person to the org chart (admins).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CreatePersonRequest,
) -> Result<Person, ApiError> {
    let org = &authz::authorize_org(actor, OrgAction::CreatePerson)?;
    validate! {
        name = "name": Name::parse(input.name.as_deref().unwrap_or_default()),
        email = "email": optional_email(input.email.as_deref()),
        role = "role": optional_line(input.role.as_deref(), "Role", 100),
        status = "status": input.status.as_deref().map_or(Ok(PersonStatus::Active), PersonStatus::parse),
    }
    let fields = PersonFields {
        name: name.into_string(),
        email,
        role,
        status,
        team_id: optional_id(input.team_id.as_deref(), TeamId::parse, TEAM_NOT_FOUND)?,
        manager_id: optional_id(
            input.manager_id.as_deref(),
            PersonId::parse,
            MANAGER_NOT_FOUND,
        )?,
    };
    let txn = begin_write(&state.db).await?;
    check_references(&txn, org, &fields).await?;
    let id = persons::insert(&txn, org, &fields, state.now()).await?;
    let person = reread::<Person>(&txn, org, &id).await?;
    txn.commit().await?;
    Ok(person)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePersonRequest {
    #[serde(default)]
    #[schema(value_type = input::Name, inline, required = false)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::OptionalEmail, inline, required = false)]
    pub email: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::JobTitle, inline, required = false)]
    pub role: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::PersonStatus, inline, required = false)]
    pub status: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub team_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub manager_id: Patch<String>,
    /// With a new `managerId`: keep the upcoming one-on-ones (and the recurring series) of
    /// the person and their old manager. By default they are cancelled and the series ended.
    #[serde(default)]
    pub keep_one_on_ones: bool,
}

/// Who else in the organization is recorded with `person`'s email (at most ten names): the
/// pages warn of it after a save, since only one of them can be linked to that address's
/// account.
pub async fn sharing_email(
    state: &AppState,
    actor: &Actor,
    person: &Person,
) -> Result<Vec<String>, ApiError> {
    let org = authz::authorize_org(actor, OrgAction::ViewPeople)?;
    let Some(email) = person.email.as_deref() else {
        return Ok(vec![]);
    };
    Ok(persons::others_with_email(&state.db, &org, email, &person.id).await?)
}

/// Changes some of a person's fields (admins); `null` clears an optional one. The manager
/// chain never loops, also under concurrent moves (they take the organization's lock).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    input: UpdatePersonRequest,
    if_match: &IfMatch,
) -> Result<Person, ApiError> {
    let org = &authz::authorize_org(actor, OrgAction::UpdatePerson)?;
    let id = &id_or_404(raw_id, PersonId::parse, NOT_FOUND)?;
    validate! {
        name = "name": required(input.name, "Name", |n| Name::parse(&n)),
        email = "email": input.email.try_map(|e| optional_email(Some(&e))),
        role = "role": input.role.try_map(|r| optional_line(Some(&r), "Role", 100)),
        status = "status": required(input.status, "Status", |s| PersonStatus::parse(&s)),
    }
    let patch = PersonPatch {
        name: name.map(Name::into_string),
        email: email.flatten(),
        role: role.flatten(),
        status,
        team_id: input.team_id,
        manager_id: input.manager_id,
    };
    let txn = begin_write(&state.db).await?;
    let moves_in_chart = !patch.manager_id.is_absent();
    if moves_in_chart {
        // Two concurrent moves could each be fine alone and close a loop together.
        orgs::lock(&txn, org).await?;
    }
    let current = persons::find(&txn, org, id)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    versions::claim(&txn, Versioned::Person, org, id.as_str(), actor, if_match).await?;
    let team_id = patch
        .team_id
        .try_map(|t| TeamId::parse(t.trim()).ok_or_else(|| ApiError::not_found(TEAM_NOT_FOUND)))?;
    let manager_id = patch.manager_id.try_map(|m| {
        PersonId::parse(m.trim()).ok_or_else(|| ApiError::not_found(MANAGER_NOT_FOUND))
    })?;
    let old_manager = current.manager_id.clone();
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
    if moves_in_chart {
        // A new manager: the old relationship's open items are offered to the new one.
        handoffs::record_manager_change(
            state,
            &txn,
            org,
            id,
            old_manager.as_ref(),
            fields.manager_id.as_ref(),
            state.now(),
        )
        .await?;
        // No ghosts: the old pair's upcoming one-on-ones and series go, unless kept.
        if let Some(old) = &old_manager
            && fields.manager_id.as_ref() != Some(old)
            && !input.keep_one_on_ones
        {
            let gone = crate::series::retire_pair(&txn, org, id, old, state.now()).await?;
            if gone.cancelled > 0 || gone.ended_series > 0 {
                tell_retired(state, &txn, actor, org, id, old, &fields, &gone).await?;
            }
        }
    }
    let person = reread::<Person>(&txn, org, id).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(person)
}

/// What changing a person's manager would do to them and their current manager, for the
/// edit form to say before it is sent (admins: `UpdatePerson`).
pub struct ReorgPreview {
    pub manager: String,
    /// Their one-on-ones that have not started.
    pub upcoming: u64,
    /// Their running recurring series, in words.
    pub series: Vec<String>,
}

pub async fn reorg_preview(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
) -> Result<Option<ReorgPreview>, ApiError> {
    let org = &authz::authorize_org(actor, OrgAction::UpdatePerson)?;
    let id = &id_or_404(raw_id, PersonId::parse, NOT_FOUND)?;
    let person = persons::find(&state.db, org, id)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    let Some(manager) = &person.manager_id else {
        return Ok(None);
    };
    let name = persons::names(&state.db, org, std::slice::from_ref(manager))
        .await?
        .into_iter()
        .next()
        .map(|(_, n)| n)
        .unwrap_or_default();
    let (upcoming, series) = crate::series::retiring(state, org, id, manager).await?;
    Ok(Some(ReorgPreview {
        manager: name,
        upcoming,
        series,
    }))
}

/// Tells the person and their old manager (those with an account) that their upcoming
/// one-on-ones were cancelled by a change of manager (within the mail budgets).
#[allow(clippy::too_many_arguments)]
async fn tell_retired(
    state: &AppState,
    txn: &DatabaseTransaction,
    actor: &Actor,
    org: &OrgId,
    person: &PersonId,
    old: &PersonId,
    fields: &PersonFields,
    gone: &crate::series::Retired,
) -> Result<(), ApiError> {
    use manageros_store::repo::users;
    let mut ids = vec![person.clone(), old.clone()];
    ids.extend(fields.manager_id.clone());
    let names: HashMap<PersonId, String> =
        persons::names(txn, org, &ids).await?.into_iter().collect();
    let name = |p: &PersonId| names.get(p).cloned().unwrap_or_default();
    let by = match users::find(txn, &actor.user_id).await? {
        Some(u) => format!("{} ({})", u.name, u.email),
        None => "An admin".to_owned(),
    };
    let new_manager = fields.manager_id.as_ref().map(name);
    let link = format!("{}/oneonones", state.config.public_url);
    for who in [person, old] {
        let Some(user) = users::linked_to(txn, org, who).await? else {
            continue;
        };
        let html = crate::mail::html::OneOnOnesCancelled {
            name: &user.name,
            by: &by,
            person: &fields.name,
            old_manager: &name(old),
            new_manager: new_manager.as_deref(),
            cancelled: gone.cancelled,
            ended_series: gone.ended_series > 0,
            link: &link,
        };
        let body = format!(
            "Hello {},\n\n{by} changed the manager of \u{201c}{}\u{201d} from \u{201c}{}\u{201d}.\n\
             {} upcoming one-on-one(s) of the two were cancelled{}. Past one-on-ones, open\n\
             talking points and action items stay as they were.\n\n{link}\n",
            user.name,
            fields.name,
            name(old),
            gone.cancelled,
            if gone.ended_series > 0 {
                ", and their recurring series ended"
            } else {
                ""
            },
        );
        let mail = crate::mail::Mail::new(
            user.email.to_string(),
            format!(
                "One-on-ones with \u{201c}{}\u{201d} cancelled",
                name(if who == person { old } else { person })
            ),
            body,
            &html,
        )
        .map_err(ApiError::internal)?;
        crate::oneonones::notice(txn, state, &mail, org).await?;
    }
    Ok(())
}

/// A partial update, validated field by field.
struct PersonPatch {
    name: Option<String>,
    email: Patch<Email>,
    role: Patch<String>,
    status: Option<PersonStatus>,
    /// Raw ids: checked once the person is known to exist, so a missing person is reported
    /// before a bad reference.
    team_id: Patch<String>,
    manager_id: Patch<String>,
}

/// Deletes a person with no direct reports and no history (admins); a linked user is
/// unlinked, their task assignments cleared and initiative ownerships dropped.
pub async fn delete(state: &AppState, actor: &Actor, raw_id: &str) -> Result<(), ApiError> {
    let org = &authz::authorize_org(actor, OrgAction::DeletePerson)?;
    let id = &id_or_404(raw_id, PersonId::parse, NOT_FOUND)?;
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
