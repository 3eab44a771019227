//! Teams in the browser: the team tree, a team's page with its members, and for admins
//! creating, editing and deleting teams. Every page calls `services::teams`, as `/api/teams`
//! does.

use super::{
    Conflict, Ctx, FormState, Layout, PageError, Pager, Posted, filled, filled_or_cleared, names,
    oneonones::Choice, shown_version,
};
use crate::{
    error::ApiError,
    patch::Patch,
    services::names::Directory,
    services::parse::Paging,
    services::{
        permissions::{may, require},
        teams::{self, CreateTeamRequest, UpdateTeamRequest},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use manageros_core::{TeamId, authz::OrgAction};
use manageros_store::repo::teams::Team;
use serde::Deserialize;
use std::collections::HashMap;

/// A team in the tree: its depth gives its indentation.
pub struct TreeRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub depth: usize,
    /// The parent's name, said to screen readers (the indentation shows it to the eye).
    pub parent: String,
}

/// Teams in tree order: top-level teams by name, each followed by its children.
pub fn tree(teams: &[Team]) -> Vec<TreeRow> {
    let index: HashMap<&TeamId, usize> =
        teams.iter().enumerate().map(|(i, t)| (&t.id, i)).collect();
    let mut children: Vec<Vec<usize>> = vec![vec![]; teams.len()];
    let mut roots = vec![];
    for (i, t) in teams.iter().enumerate() {
        match t.parent_id.as_ref().and_then(|p| index.get(p)) {
            Some(&p) if p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let mut rows = Vec::with_capacity(teams.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&i| (i, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        let t = &teams[i];
        rows.push(TreeRow {
            id: t.id.to_string(),
            name: t.name.clone(),
            description: t.description.clone().unwrap_or_default(),
            // Indentation stops growing where it would stop being readable.
            depth: depth.min(8),
            parent: t
                .parent_id
                .as_ref()
                .and_then(|p| index.get(p))
                .map(|&p| teams[p].name.clone())
                .unwrap_or_default(),
        });
        stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
    }
    rows
}

#[derive(Template)]
#[template(path = "teams/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<TreeRow>,
    truncated: bool,
    limit: u64,
    can_create: bool,
}

/// `/teams`: the team tree.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (all, truncated) = teams::everyone(&state, &actor).await?;
    Ok(ctx.render(&ListPage {
        layout: ctx.layout("Teams"),
        rows: tree(&all),
        truncated,
        limit: teams::TREE_LIMIT,
        can_create: may(&actor, OrgAction::CreateTeam),
    }))
}

#[derive(Deserialize, Default)]
pub struct TeamParams {
    pub page: Option<String>,
}

#[derive(Template)]
#[template(path = "teams/team.html")]
struct TeamPage {
    layout: Layout,
    id: String,
    name: String,
    description: Option<String>,
    parent: Option<Choice>,
    children: Vec<Choice>,
    members: Vec<Choice>,
    total: u64,
    pager: Pager,
    can_edit: bool,
    can_delete: bool,
    /// Whom an admin may add (people of other teams, or none).
    candidates: Vec<Choice>,
}

/// `/teams/{id}`: a team, its parent and child teams, and its members.
pub async fn team(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Query(params): Query<TeamParams>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let paging = Paging {
        page: params.page,
        limit: None,
    };
    let p = teams::page(&state, &actor, &raw, &paging).await?;
    let id = p.team.id.to_string();
    let choice = |t: Team| Choice {
        id: t.id.to_string(),
        name: t.name,
    };
    Ok(ctx.render(&TeamPage {
        layout: ctx.layout(&p.team.name),
        pager: Pager::new(&p.members_page, |n| format!("/teams/{id}?page={n}")),
        total: p.members_page.total_count,
        name: p.team.name,
        description: p.team.description,
        parent: p.parent.map(choice),
        children: p.children.into_iter().map(choice).collect(),
        members: p
            .members
            .into_iter()
            .map(|m| Choice {
                id: m.id.to_string(),
                name: m.name,
            })
            .collect(),
        can_edit: may(&actor, OrgAction::UpdateTeam),
        can_delete: may(&actor, OrgAction::DeleteTeam),
        candidates: p
            .candidates
            .into_iter()
            .map(|(id, name)| Choice {
                id: id.to_string(),
                name,
            })
            .collect(),
        id,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddMember {
    #[serde(default)]
    person_id: String,
}

/// `POST /teams/{id}/members`: puts a person into the team (the person's team changes, as
/// on their edit form; admins).
pub async fn add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<AddMember>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let back = format!("/teams/{}", raw.trim());
    if f.person_id.trim().is_empty() {
        return Ok(ctx.redirect_with(&back, "Choose a person to add."));
    }
    let input = crate::services::people::UpdatePersonRequest {
        team_id: Patch::Value(raw.trim().to_owned()),
        ..Default::default()
    };
    match crate::services::people::update(
        &state,
        &actor,
        &f.person_id,
        input,
        &crate::services::extract::IfMatch::default(),
    )
    .await
    {
        Ok(p) => Ok(ctx.redirect_with(&back, &format!("{} joined the team.", p.name))),
        Err(e @ ApiError::Validation(_)) => Ok(ctx.redirect_with(&back, &e.to_string())),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TeamForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    parent_id: String,
    /// The version the edit form was showing (`If-Match`).
    #[serde(default)]
    version: Option<String>,
}

impl TeamForm {
    /// The form's fields as `t` holds them (the edit form, and "theirs" in a conflict).
    fn of(t: &Team) -> Self {
        Self {
            name: t.name.clone(),
            description: t.description.clone().unwrap_or_default(),
            parent_id: t
                .parent_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            version: Some(t.version.to_string()),
        }
    }

    /// Where `self` (typed) and `theirs` (saved) differ, by the labels the form shows.
    fn conflict(&self, theirs: &Self, by: Option<String>, names: &Directory) -> Conflict {
        let team = |id: &str| names.team(id).unwrap_or("none").to_owned();
        Conflict::new(by, "this team")
            .field("Name", &theirs.name, &self.name)
            .field("Description", &theirs.description, &self.description)
            .field(
                "Parent team",
                &team(&theirs.parent_id),
                &team(&self.parent_id),
            )
    }
}

#[derive(Template)]
#[template(path = "teams/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    values: TeamForm,
    parents: Vec<Choice>,
    form: FormState,
}

async fn show_form(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    edit: Option<(&str, &str)>,
    values: TeamForm,
    form: FormState,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (all, _) = teams::everyone(state, &actor).await?;
    let (heading, action, submit, cancel) = match edit {
        None => (
            "Create a team".to_owned(),
            "/teams".to_owned(),
            "Create team",
            "/teams".to_owned(),
        ),
        Some((id, name)) => (
            format!("Edit {name}"),
            format!("/teams/{id}"),
            "Save",
            format!("/teams/{id}"),
        ),
    };
    let editing = edit.map(|(id, _)| id);
    Ok(ctx.render_status(
        status,
        &FormPage {
            layout: ctx.layout(&heading),
            heading,
            action,
            submit,
            cancel,
            values,
            parents: all
                .into_iter()
                .filter(|t| Some(t.id.as_str()) != editing)
                .map(|t| Choice {
                    id: t.id.to_string(),
                    name: t.name,
                })
                .collect(),
            form,
        },
    ))
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    require(&ctx.member()?.actor(), OrgAction::CreateTeam)?;
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        None,
        TeamForm::default(),
        FormState::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(f): Posted<TeamForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let req = CreateTeamRequest {
        name: Some(f.name.clone()),
        description: filled(&f.description),
        parent_id: filled(&f.parent_id),
    };
    match teams::create(&state, &actor, req).await {
        Ok(t) => Ok(ctx.redirect_with(
            &format!("/teams/{}", t.id),
            &format!("Team {} created.", t.name),
        )),
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            show_form(&state, &ctx, status, None, f, form).await
        }
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    // The entity first: another organization's is a 404 for an admin too, never a 403.
    let t = teams::get(&state, &actor, &raw).await?;
    require(&actor, OrgAction::UpdateTeam)?;
    let values = TeamForm::of(&t);
    let id = t.id.to_string();
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        Some((&id, &t.name)),
        values,
        FormState::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<TeamForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let req = UpdateTeamRequest {
        name: Patch::Value(f.name.clone()),
        description: filled_or_cleared(&f.description),
        parent_id: filled_or_cleared(&f.parent_id),
    };
    match teams::update(
        &state,
        &actor,
        &raw,
        req,
        &shown_version(f.version.as_deref()),
    )
    .await
    {
        Ok(t) => Ok(ctx.redirect_with(&format!("/teams/{}", t.id), "Changes saved.")),
        Err(ApiError::Stale(_, by)) => {
            let now = teams::get(&state, &actor, &raw).await?;
            let theirs = TeamForm::of(&now);
            let names = names(&state, &ctx).await?;
            let (status, form) = FormState::conflict(f.conflict(&theirs, by, &names));
            let f = TeamForm {
                version: theirs.version,
                ..f
            };
            show_form(&state, &ctx, status, Some((raw.trim(), &now.name)), f, form).await
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, Some(teams::NOT_FOUND))?;
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
    match teams::delete(&state, &actor, &raw).await {
        Ok(()) => Ok(ctx.redirect_with("/teams", "Team deleted.")),
        // Members, child teams or initiatives keep a team: say so on its page.
        Err(ApiError::Conflict(m)) => Ok(ctx.redirect_with(&format!("/teams/{}", raw.trim()), &m)),
        Err(e) => Err(e.into()),
    }
}
