//! People in the browser: the directory (the API's search and filters, in the URL), a
//! person's page, the org chart, and for admins adding, editing and deleting people. Every
//! page calls `services::people`, as `/api/people` does.

use super::{
    Conflict, Ctx, FormState, Layout, PageError, Pager, Posted, filled, filled_or_cleared, names,
    oneonones::{Choice, Row},
    shown_version,
};
use crate::{
    error::ApiError,
    patch::Patch,
    services::names::Directory,
    services::parse::Paging,
    services::{
        people::{self, ChartFocus, CreatePersonRequest, PeopleQuery, UpdatePersonRequest},
        permissions::{may, require},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use manageros_core::{PersonId, PersonStatus, authz::OrgAction};
use manageros_store::repo::persons::{ChartLevel, ChartPerson, Person};
use serde::Deserialize;
use std::collections::HashMap;

/// A person's status as the pages write it.
pub fn status_label(s: PersonStatus) -> &'static str {
    match s {
        PersonStatus::Active => "Active",
        PersonStatus::Inactive => "Inactive",
        PersonStatus::OnLeave => "On leave",
    }
}

pub struct StatusChoice {
    pub value: &'static str,
    pub label: &'static str,
}

fn statuses() -> Vec<StatusChoice> {
    PersonStatus::ALL
        .iter()
        .map(|s| StatusChoice {
            value: s.as_str(),
            label: status_label(*s),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The directory.

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryParams {
    pub search: Option<String>,
    pub team_id: Option<String>,
    pub manager_id: Option<String>,
    pub status: Option<String>,
    pub page: Option<String>,
}

impl DirectoryParams {
    fn url(&self, page: u64) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("search", &self.search),
            ("teamId", &self.team_id),
            ("managerId", &self.manager_id),
            ("status", &self.status),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        if page > 1 {
            q.append_pair("page", &page.to_string());
        }
        let q = q.finish();
        if q.is_empty() {
            "/people".into()
        } else {
            format!("/people?{q}")
        }
    }

    fn is(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }
}

pub struct DirectoryRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub team: String,
    pub manager: String,
    pub manager_id: Option<String>,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "people/directory.html")]
struct DirectoryPage {
    layout: Layout,
    rows: Vec<DirectoryRow>,
    params: DirectoryParams,
    teams: Vec<Choice>,
    managers: Vec<Choice>,
    statuses: Vec<StatusChoice>,
    pager: Pager,
    total: u64,
    form: FormState,
    filtered: bool,
    can_create: bool,
}

fn choice<I: ToString>((id, name): (I, String)) -> Choice {
    Choice {
        id: id.to_string(),
        name,
    }
}

fn choices<I: ToString>(list: Vec<(I, String)>) -> Vec<Choice> {
    list.into_iter().map(choice).collect()
}

/// `/people`: the organization's people, by name.
pub async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<DirectoryParams>,
) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    let blank = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let q = PeopleQuery {
        search: blank(&params.search),
        team_id: blank(&params.team_id),
        manager_id: blank(&params.manager_id),
        status: blank(&params.status),
    };
    let paging = Paging {
        page: params.page.clone(),
        limit: None,
    };
    let filtered =
        q.search.is_some() || q.team_id.is_some() || q.manager_id.is_some() || q.status.is_some();
    let (dir, form) =
        match people::directory(&state, &actor, Some(member.names_version), q, &paging).await {
            Ok(d) => (Some(d), FormState::default()),
            Err(e @ ApiError::Validation(_)) => (None, FormState::from_error(e)?),
            Err(e) => return Err(e.into()),
        };
    let status = form.status();
    let (rows, teams, managers, pager, total) = match dir {
        Some(d) => (
            d.entries
                .into_iter()
                .map(|e| DirectoryRow {
                    id: e.person.id.to_string(),
                    email: e.person.email.clone().unwrap_or_default(),
                    role: e.person.role.clone().unwrap_or_default(),
                    status: status_label(e.person.status),
                    name: e.person.name,
                    team: e.team.unwrap_or_default(),
                    manager: e.manager.unwrap_or_default(),
                    manager_id: e.person.manager_id.as_ref().map(ToString::to_string),
                })
                .collect(),
            choices(d.teams),
            choices(d.managers),
            Pager::new(&d.page, |p| params.url(p)),
            d.page.total_count,
        ),
        None => (vec![], vec![], vec![], Pager::default(), 0),
    };
    Ok(ctx.render_status(
        status,
        &DirectoryPage {
            layout: ctx.layout("People"),
            rows,
            teams,
            managers,
            statuses: statuses(),
            pager,
            total,
            form,
            filtered,
            can_create: may(&actor, OrgAction::CreatePerson),
            params,
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// A person's page.

#[derive(Template)]
#[template(path = "people/person.html")]
struct PersonPage {
    layout: Layout,
    id: String,
    name: String,
    email: Option<String>,
    role: Option<String>,
    status: &'static str,
    team: Option<Choice>,
    manager: Option<Choice>,
    reports: Vec<Choice>,
    linked: bool,
    is_me: bool,
    /// Whether the caller is on the org chart (and so can have one-on-ones).
    has_person: bool,
    with_me: Vec<Row>,
    can_edit: bool,
    can_delete: bool,
    feedback: super::feedback::Section,
}

pub async fn person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    let page = people::page(&state, &actor, &raw, super::feedback::SHOWN).await?;
    let d = page.detail;
    let feedback = super::feedback::section(&actor, page.feedback);
    Ok(ctx.render(&PersonPage {
        feedback,
        layout: ctx.layout(&d.person.name),
        id: d.person.id.to_string(),
        is_me: member.user.person_id.as_ref() == Some(&d.person.id),
        has_person: member.user.person_id.is_some(),
        name: d.person.name,
        email: d.person.email,
        role: d.person.role,
        status: status_label(d.person.status),
        linked: d.person.user_id.is_some(),
        team: d.team.map(choice),
        manager: d.manager.map(choice),
        reports: choices(d.reports),
        with_me: page.with_me.iter().map(Row::from).collect(),
        can_edit: may(&actor, OrgAction::UpdatePerson),
        can_delete: may(&actor, OrgAction::DeletePerson),
    }))
}

// ---------------------------------------------------------------------------------------------
// The org chart.

/// One step of the chart drawn as nested lists: a person (whose level of reports is open,
/// loaded on demand, or absent), the line after a level's last person shown that says how
/// many it leaves out, or the close of an open level.
#[derive(Default)]
pub struct ChartItem {
    pub close: bool,
    pub id: String,
    pub name: String,
    pub role: String,
    /// How many people report to them directly.
    pub reports: u64,
    /// Their reports are shown; otherwise, when they have some, they load when opened.
    pub open: bool,
    pub hit: bool,
    /// On the line after a level's last person shown: how many the level leaves out, and
    /// where they are listed.
    pub more: u64,
    pub more_href: String,
}

#[derive(Deserialize, Default)]
pub struct ChartParams {
    pub q: Option<String>,
    /// Open the chart on this person: the levels above them, and their reports.
    pub at: Option<String>,
}

#[derive(Template)]
#[template(path = "people/chart.html")]
struct ChartPage {
    layout: Layout,
    items: Vec<ChartItem>,
    q: String,
    hits: u64,
    /// The first people found, to jump to.
    found: Vec<Choice>,
    /// Whether `found` is everyone found; if not, the directory lists them all.
    all_found: bool,
    directory_href: String,
    total: u64,
    can_create: bool,
}

#[derive(Template)]
#[template(path = "people/chart_level.html")]
struct ChartLevelFragment {
    items: Vec<ChartItem>,
}

/// The chart's open levels drawn depth-first from the level of `top` (`None`: the people
/// without a manager): a person whose own level is open is followed by it, each level by
/// name, each ending with how many it leaves out. Iterative: a chart can be deep.
pub fn chart_items(
    levels: &HashMap<Option<PersonId>, ChartLevel>,
    reports: &HashMap<PersonId, u64>,
    marked: &[PersonId],
    top: Option<PersonId>,
) -> Vec<ChartItem> {
    enum Step<'a> {
        Enter(&'a ChartPerson),
        More(&'a Option<PersonId>, u64),
        Close,
    }
    fn level<'a>(
        steps: &mut Vec<Step<'a>>,
        levels: &'a HashMap<Option<PersonId>, ChartLevel>,
        of: &Option<PersonId>,
    ) {
        let Some((key, l)) = levels.get_key_value(of) else {
            return;
        };
        let left_out = l.total.saturating_sub(l.people.len() as u64);
        if left_out > 0 {
            steps.push(Step::More(key, left_out));
        }
        steps.extend(l.people.iter().rev().map(Step::Enter));
    }
    let mut items = vec![];
    let mut steps = vec![];
    level(&mut steps, levels, &top);
    while let Some(step) = steps.pop() {
        match step {
            Step::Close => items.push(ChartItem {
                close: true,
                ..Default::default()
            }),
            Step::More(of, more) => items.push(ChartItem {
                more,
                more_href: match of {
                    Some(m) => format!("/people?managerId={m}"),
                    None => "/people".to_owned(),
                },
                ..Default::default()
            }),
            Step::Enter(p) => {
                let key = Some(p.id.clone());
                let open = levels.get(&key).is_some_and(|l| !l.people.is_empty());
                items.push(ChartItem {
                    id: p.id.to_string(),
                    name: p.name.clone(),
                    role: p.role.clone().unwrap_or_default(),
                    reports: reports.get(&p.id).copied().unwrap_or(0),
                    open,
                    hit: marked.contains(&p.id),
                    ..Default::default()
                });
                if open {
                    steps.push(Step::Close);
                    level(&mut steps, levels, &key);
                }
            }
        }
    }
    items
}

/// `/people/chart`: the reporting tree, opened on the caller's place in it (or on `at`), with
/// a search that opens the way to the people it finds; every other level loads when opened.
pub async fn chart(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ChartParams>,
) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    let q = params.q.unwrap_or_default();
    let at = params.at.unwrap_or_default();
    let focus = if !q.trim().is_empty() {
        ChartFocus::Search(&q)
    } else if !at.trim().is_empty() {
        ChartFocus::Person(&at)
    } else {
        ChartFocus::Me
    };
    let chart = people::chart(&state, &actor, Some(member.names_version), focus).await?;
    let items = chart_items(&chart.levels, &chart.reports, &chart.marked, None);
    let found = if q.trim().is_empty() {
        vec![]
    } else {
        items
            .iter()
            .filter(|i| i.hit)
            .map(|i| Choice {
                id: i.id.clone(),
                name: i.name.clone(),
            })
            .collect()
    };
    let q = q.trim().to_owned();
    Ok(ctx.render(&ChartPage {
        layout: ctx.layout("Org chart"),
        items,
        all_found: found.len() as u64 >= chart.found,
        directory_href: DirectoryParams {
            search: Some(q.clone()),
            ..Default::default()
        }
        .url(1),
        q,
        hits: chart.found,
        found,
        total: chart.total,
        can_create: may(&actor, OrgAction::CreatePerson),
    }))
}

/// `/people/chart/{id}`: the level of a person's direct reports, which the chart swaps in
/// when it is opened.
pub async fn chart_level(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (level, reports) = people::chart_level(&state, &actor, &raw).await?;
    let top = level.people.first().and_then(|p| p.manager_id.clone());
    let levels = HashMap::from([(top.clone(), level)]);
    Ok(ctx.render(&ChartLevelFragment {
        items: chart_items(&levels, &reports, &[], top),
    }))
}

// ---------------------------------------------------------------------------------------------
// Adding, editing and deleting (admins).

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    manager_id: String,
    /// Ticked: a new manager leaves the old pair's upcoming one-on-ones alone.
    #[serde(default)]
    keep_one_on_ones: Option<String>,
    /// The version the edit form was showing (`If-Match`).
    #[serde(default)]
    version: Option<String>,
}

impl PersonForm {
    fn create(&self) -> CreatePersonRequest {
        CreatePersonRequest {
            name: Some(self.name.clone()),
            email: filled(&self.email),
            role: filled(&self.role),
            status: filled(&self.status),
            team_id: filled(&self.team_id),
            manager_id: filled(&self.manager_id),
        }
    }

    fn update(&self) -> UpdatePersonRequest {
        UpdatePersonRequest {
            name: Patch::Value(self.name.clone()),
            email: filled_or_cleared(&self.email),
            role: filled_or_cleared(&self.role),
            status: Patch::Value(self.status.clone()),
            team_id: filled_or_cleared(&self.team_id),
            manager_id: filled_or_cleared(&self.manager_id),
            keep_one_on_ones: self.keep_one_on_ones.is_some(),
        }
    }

    fn of(p: &Person) -> Self {
        Self {
            name: p.name.clone(),
            email: p.email.clone().unwrap_or_default(),
            role: p.role.clone().unwrap_or_default(),
            status: p.status.as_str().to_owned(),
            team_id: p
                .team_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            manager_id: p
                .manager_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            keep_one_on_ones: None,
            version: Some(p.version.to_string()),
        }
    }

    /// Where `self` (typed) and `theirs` (saved) differ, by the labels the form shows.
    fn conflict(&self, theirs: &Self, by: Option<String>, names: &Directory) -> Conflict {
        let person = |id: &str| names.person(id).unwrap_or("nobody").to_owned();
        let team = |id: &str| names.team(id).unwrap_or("none").to_owned();
        Conflict::new(by, "this person")
            .field("Name", &theirs.name, &self.name)
            .field("Email", &theirs.email, &self.email)
            .field("Role", &theirs.role, &self.role)
            .field("Status", &theirs.status, &self.status)
            .field("Team", &team(&theirs.team_id), &team(&self.team_id))
            .field(
                "Manager",
                &person(&theirs.manager_id),
                &person(&self.manager_id),
            )
    }
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    values: PersonForm,
    teams: Vec<Choice>,
    people: Vec<Choice>,
    statuses: Vec<StatusChoice>,
    /// Editing someone who has a manager: what changing it does to their one-on-ones.
    reorg: Option<people::ReorgPreview>,
    form: FormState,
}

async fn show_form(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    edit: Option<(&str, &str)>,
    values: PersonForm,
    form: FormState,
) -> Result<Response, PageError> {
    let names = names(state, ctx).await?;
    let (heading, action, submit, cancel) = match edit {
        None => (
            "Add a person".to_owned(),
            "/people".to_owned(),
            "Add person",
            "/people".to_owned(),
        ),
        Some((id, name)) => (
            format!("Edit {name}"),
            format!("/people/{id}"),
            "Save",
            format!("/people/{id}"),
        ),
    };
    let editing = edit.map(|(id, _)| id);
    let reorg = match editing {
        Some(id) => people::reorg_preview(state, &ctx.member()?.actor(), id).await?,
        None => None,
    };
    Ok(ctx.render_status(
        status,
        &FormPage {
            layout: ctx.layout(&heading),
            heading,
            action,
            submit,
            cancel,
            values,
            teams: names.teams.clone(),
            // Nobody manages themselves: the person edited is not offered as their manager.
            people: names
                .people
                .iter()
                .filter(|p| Some(p.id.as_str()) != editing)
                .cloned()
                .collect(),
            statuses: statuses(),
            reorg,
            form,
        },
    ))
}

/// `/people/new`: the form to add a person; the service says whether the caller may.
#[derive(Deserialize, Default)]
pub struct NewParams {
    /// `?me=1`: the form filled with the caller's own name and email (an admin putting
    /// themselves on the org chart).
    pub me: Option<String>,
}

pub async fn new_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<NewParams>,
) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    // Refused with authz's reason, instead of a form that cannot be sent.
    require(&actor, OrgAction::CreatePerson)?;
    let mut values = PersonForm {
        status: PersonStatus::Active.as_str().to_owned(),
        ..Default::default()
    };
    if params.me.is_some() {
        values.name = member.user.name.clone();
        values.email = member.user.email.to_string();
    }
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        None,
        values,
        FormState::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<PersonForm>,
) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    match people::create(&state, &actor, f.create()).await {
        // An unlinked caller who added themselves goes on to link their account.
        Ok(p)
            if member.user.person_id.is_none()
                && p.email.as_deref() == Some(member.user.email.as_str()) =>
        {
            Ok(ctx.redirect_with(
                "/account",
                &format!("{} added. Link your account to this person below.", p.name),
            ))
        }
        Ok(p) => {
            let message = format!("{} added.{}", p.name, shared(&state, &actor, &p).await?);
            Ok(ctx.redirect_with(&format!("/people/{}", p.id), &message))
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            show_form(&state, &ctx, status, None, f, form).await
        }
    }
}

/// The warning that follows a save when others of the organization have this person's email.
async fn shared(
    state: &AppState,
    actor: &manageros_core::authz::Actor,
    p: &manageros_store::repo::persons::Person,
) -> Result<String, PageError> {
    let others = people::sharing_email(state, actor, p).await?;
    Ok(if others.is_empty() {
        String::new()
    } else {
        format!(
            " Note: {} {} recorded with this email too; only one of them can be linked to its account.",
            others.join(", "),
            if others.len() == 1 { "is" } else { "are" }
        )
    })
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    // The entity first: another organization's is a 404 for an admin too, never a 403.
    let d = people::get(&state, &actor, &raw).await?;
    require(&actor, OrgAction::UpdatePerson)?;
    let id = d.person.id.to_string();
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        Some((&id, &d.person.name)),
        PersonForm::of(&d.person),
        FormState::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<PersonForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let if_match = shown_version(f.version.as_deref());
    match people::update(&state, &actor, &raw, f.update(), &if_match).await {
        Ok(p) => {
            let message = format!("Changes saved.{}", shared(&state, &actor, &p).await?);
            Ok(ctx.redirect_with(&format!("/people/{}", p.id), &message))
        }
        Err(ApiError::Stale(_, by)) => {
            let now = people::get(&state, &actor, &raw).await?.person;
            let theirs = PersonForm::of(&now);
            let names = names(&state, &ctx).await?;
            let (status, form) = FormState::conflict(f.conflict(&theirs, by, &names));
            let f = PersonForm {
                version: theirs.version,
                ..f
            };
            show_form(&state, &ctx, status, Some((raw.trim(), &now.name)), f, form).await
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, Some(people::NOT_FOUND))?;
            let name = f.name.clone();
            show_form(&state, &ctx, status, Some((raw.trim(), &name)), f, form).await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    match people::delete(&state, &actor, &raw).await {
        Ok(()) => Ok(ctx.redirect_with("/people", "Person deleted.")),
        // Reports or history keep a person: say why on their page.
        Err(ApiError::Conflict(m)) => Ok(ctx.redirect_with(&format!("/people/{}", raw.trim()), &m)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An open level: its manager, its people as `(id, name)`, and its total.
    type Open<'a> = (Option<&'a PersonId>, &'a [(&'a PersonId, &'a str)], u64);

    /// The chart's open levels.
    fn levels(open: &[Open]) -> HashMap<Option<PersonId>, ChartLevel> {
        open.iter()
            .map(|(m, people, total)| {
                let level = ChartLevel {
                    people: people
                        .iter()
                        .map(|(id, name)| ChartPerson {
                            id: (*id).clone(),
                            name: (*name).to_owned(),
                            role: None,
                            manager_id: m.cloned(),
                        })
                        .collect(),
                    total: *total,
                };
                (m.cloned(), level)
            })
            .collect()
    }

    fn drawn(items: &[ChartItem]) -> String {
        items
            .iter()
            .map(|i| {
                if i.close {
                    ")".into()
                } else if i.more > 0 {
                    format!("[{} more: {}]", i.more, i.more_href)
                } else {
                    format!(
                        "{}{}{}{}",
                        i.name,
                        if i.open { "+" } else { "" },
                        if !i.open && i.reports > 0 { "…" } else { "" },
                        if i.hit { "!" } else { "" }
                    )
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn the_chart_nests_open_levels_and_leaves_the_others_to_load() {
        let [ada, bob, cy, di, eve] = std::array::from_fn(|_| PersonId::generate());
        let open = levels(&[
            (None, &[(&ada, "Ada"), (&eve, "Eve")], 2),
            (Some(&ada), &[(&bob, "Bob")], 1),
            (Some(&bob), &[(&cy, "Cy"), (&di, "Di")], 5),
        ]);
        let reports = HashMap::from([
            (ada.clone(), 1),
            (bob.clone(), 5),
            (di.clone(), 2),
            (eve.clone(), 3),
        ]);
        let items = chart_items(&open, &reports, std::slice::from_ref(&di), None);
        assert_eq!(
            drawn(&items),
            format!("Ada+ Bob+ Cy Di…! [3 more: /people?managerId={bob}] ) ) Eve…")
        );
        // A level loaded on its own starts at its manager's reports.
        let items = chart_items(&open, &reports, &[], Some(bob.clone()));
        assert_eq!(
            drawn(&items),
            format!("Cy Di… [3 more: /people?managerId={bob}]")
        );
    }

    #[test]
    fn a_deep_chart_does_not_overflow() {
        let ids: Vec<PersonId> = (0..20_000).map(|_| PersonId::generate()).collect();
        let names: Vec<String> = (0..20_000).map(|i| format!("P{i}")).collect();
        let mut open = HashMap::new();
        for (i, id) in ids.iter().enumerate() {
            let manager = i.checked_sub(1).map(|m| ids[m].clone());
            open.insert(
                manager.clone(),
                ChartLevel {
                    people: vec![ChartPerson {
                        id: id.clone(),
                        name: names[i].clone(),
                        role: None,
                        manager_id: manager,
                    }],
                    total: 1,
                },
            );
        }
        let items = chart_items(&open, &HashMap::new(), &[], None);
        assert_eq!(items.len(), 20_000 + 19_999);
    }
}
