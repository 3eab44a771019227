//! Feedback in the browser: what a person's page shows about them (private feedback only to
//! its author and admins, as the rule says), giving feedback (praise, concern or a note, shared
//! or private), and editing or deleting it by the rule. Every page calls `services::feedback`,
//! as `/api/feedback` does.

use super::{
    Conflict, Ctx, FormState, Layout, PageError, Posted,
    oneonones::{When, page_id},
    shown_version,
};
use crate::error::ApiError;
use crate::{
    extract::PathId,
    patch::Patch,
    services::{
        feedback::{self, CreateFeedbackRequest, UpdateFeedbackRequest},
        people, permissions,
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use manageros_core::{
    FeedbackId, FeedbackKind, PageInfo,
    authz::{Action, Actor},
};
use manageros_store::repo::feedback::Feedback;
use serde::Deserialize;

pub fn kind_label(k: FeedbackKind) -> &'static str {
    match k {
        FeedbackKind::Praise => "Praise",
        FeedbackKind::Concern => "Concern",
        FeedbackKind::Note => "Note",
    }
}

/// How much feedback a person's page shows, newest first.
pub const SHOWN: u64 = 20;

/// A piece of feedback as a person's page shows it.
pub struct Item {
    pub id: String,
    pub kind: &'static str,
    pub kind_class: &'static str,
    pub is_private: bool,
    /// The body, rendered from Markdown (sanitized), as notes are.
    pub body_html: String,
    pub author: String,
    pub when: When,
    pub can_edit: bool,
    pub can_delete: bool,
}

/// The feedback section of a person's page: what the caller may see, and whether they may
/// give feedback.
pub struct Section {
    pub items: Vec<Item>,
    pub total: u64,
    pub can_give: bool,
}

pub fn section(
    actor: &Actor,
    (list, page): (Vec<(Feedback, Option<String>)>, PageInfo),
) -> Section {
    Section {
        items: list
            .into_iter()
            .map(|(f, author)| Item {
                id: f.id.to_string(),
                kind: kind_label(f.kind),
                kind_class: f.kind.as_str(),
                is_private: f.is_private,
                author: author.unwrap_or_else(|| "A former member".into()),
                when: When::of(f.created_at),
                can_edit: permissions::on(actor, Action::FeedbackEdit, &f.target()).allowed,
                can_delete: permissions::on(actor, Action::FeedbackDelete, &f.target()).allowed,
                body_html: super::oneonones::render_markdown(&f.body),
            })
            .collect(),
        total: page.total_count,
        can_give: permissions::holds(actor, Action::FeedbackCreate).allowed,
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackForm {
    #[serde(default)]
    kind: String,
    /// A checkbox: present when checked.
    #[serde(default)]
    is_private: Option<String>,
    #[serde(default)]
    body: String,
    /// The version the edit form was showing (`If-Match`).
    #[serde(default)]
    version: Option<String>,
}

impl FeedbackForm {
    /// The form's fields as `f` holds them (the edit form, and "theirs" in a conflict).
    fn of(f: &Feedback) -> Self {
        Self {
            kind: f.kind.as_str().into(),
            is_private: f.is_private.then(|| "on".into()),
            body: f.body.clone(),
            version: Some(f.version.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "feedback/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    about: String,
    values: FeedbackForm,
    kinds: Vec<(&'static str, &'static str)>,
    form: FormState,
}

#[allow(clippy::too_many_arguments)]
fn show_form(
    ctx: &Ctx,
    status: StatusCode,
    heading: String,
    action: String,
    submit: &'static str,
    about: (&str, &str),
    values: FeedbackForm,
    form: FormState,
) -> Response {
    let (about_id, about_name) = about;
    ctx.render_status(
        status,
        &FormPage {
            layout: ctx.layout(&heading),
            heading,
            action,
            submit,
            cancel: format!("/people/{about_id}"),
            about: about_name.to_owned(),
            values,
            kinds: FeedbackKind::ALL
                .iter()
                .map(|k| (k.as_str(), kind_label(*k)))
                .collect(),
            form,
        },
    )
}

/// `/people/{id}/feedback`: the form to give feedback about a person.
pub async fn give_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    // The person first: another organization's is a 404, for an admin too.
    let about = people::get(&state, &actor, &raw).await?.person;
    permissions::require_action(&actor, Action::FeedbackCreate)?;
    let id = about.id.to_string();
    Ok(show_form(
        &ctx,
        StatusCode::OK,
        format!("Feedback about {}", about.name),
        format!("/people/{id}/feedback"),
        "Give feedback",
        (&id, &about.name),
        FeedbackForm {
            kind: FeedbackKind::Note.as_str().into(),
            ..Default::default()
        },
        FormState::default(),
    ))
}

pub async fn give(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<FeedbackForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let about = people::get(&state, &actor, &raw).await?.person;
    let req = CreateFeedbackRequest {
        about_id: Some(about.id.to_string()),
        kind: Some(f.kind.clone()),
        is_private: f.is_private.is_some(),
        body: Some(f.body.clone()),
    };
    match feedback::create(&state, &actor, req).await {
        Ok(_) => Ok(ctx.redirect_with(
            &format!("/people/{}", about.id),
            &format!("Your feedback about {} is saved.", about.name),
        )),
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            let id = about.id.to_string();
            Ok(show_form(
                &ctx,
                status,
                format!("Feedback about {}", about.name),
                format!("/people/{id}/feedback"),
                "Give feedback",
                (&id, &about.name),
                f,
                form,
            ))
        }
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: FeedbackId = page_id(&raw)?;
    let (f, about) = feedback::edit_view(&state, &actor, &id).await?;
    let about_id = about.id.to_string();
    Ok(show_form(
        &ctx,
        StatusCode::OK,
        format!("Edit feedback about {}", about.name),
        format!("/feedback/{id}"),
        "Save",
        (&about_id, &about.name),
        FeedbackForm::of(&f),
        FormState::default(),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<FeedbackForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: FeedbackId = page_id(&raw)?;
    let req = UpdateFeedbackRequest {
        kind: Patch::Value(f.kind.clone()),
        is_private: Patch::Value(f.is_private.is_some()),
        body: Patch::Value(f.body.clone()),
    };
    let if_match = shown_version(f.version.as_deref());
    match feedback::update(&state, &actor, &id, req, &if_match).await {
        Ok(saved) => {
            Ok(ctx.redirect_with(&format!("/people/{}", saved.about_id), "Feedback saved."))
        }
        Err(e) => {
            let (now, about) = feedback::edit_view(&state, &actor, &id).await?;
            let mut f = f;
            let (status, form) = match e {
                ApiError::Stale(_, by) => {
                    let theirs = FeedbackForm::of(&now);
                    let private =
                        |v: &Option<String>| if v.is_some() { "Private" } else { "Shared" };
                    let c = Conflict::new(by, "this feedback")
                        .field("Kind", &theirs.kind, &f.kind)
                        .field(
                            "Who may read it",
                            private(&theirs.is_private),
                            private(&f.is_private),
                        )
                        .field("Feedback", &theirs.body, &f.body);
                    f.version = theirs.version;
                    FormState::conflict(c)
                }
                e => FormState::refusal(e, Some(<FeedbackId as PathId>::NOT_FOUND))?,
            };
            let about_id = about.id.to_string();
            Ok(show_form(
                &ctx,
                status,
                format!("Edit feedback about {}", about.name),
                format!("/feedback/{id}"),
                "Save",
                (&about_id, &about.name),
                f,
                form,
            ))
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
    let id: FeedbackId = page_id(&raw)?;
    // Where to go back to: read first (a 404 for whom may not see it, as the API).
    let f = feedback::get(&state, &actor, &id).await?;
    feedback::delete(&state, &actor, &id).await?;
    Ok(ctx.redirect_with(&format!("/people/{}", f.about_id), "Feedback deleted."))
}
