//! Feedback about a person: non-private feedback is visible to every member; private feedback
//! only to its author and admins. Each function asks authz once, then validates, then writes.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load::{self, authorized, reread},
    parse::Paging,
    parse::filter_id,
    patch::{Patch, required},
    refs,
    state::AppState,
    validate,
};
use crate::{
    extract::IfMatch,
    versions::{self, Versioned},
};
use manageros_core::{
    FeedbackId, FeedbackKind, Invalid, PageInfo, PersonId,
    authz::{self, Action, Actor},
};
use manageros_store::{
    begin_write,
    repo::feedback::{self, Feedback, FeedbackFilter, NewFeedback},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub const ABOUT_NOT_FOUND: &str = "Person not found or access denied";

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FeedbackQuery {
    /// Only feedback about this person (getFeedbackForPerson).
    pub about_id: Option<String>,
    #[param(value_type = Option<input::FeedbackKindFilter>, inline)]
    pub kind: Option<String>,
}

/// The feedback the caller may see, newest first (feedback.view), filtered in SQL by the
/// view rule's scope.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    q: FeedbackQuery,
    paging: &Paging,
) -> Result<(Vec<Feedback>, PageInfo), ApiError> {
    let org = load::permitted(actor, Action::FeedbackView)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let kind = errors
        .take(
            "kind",
            crate::parse::filter(q.kind.as_deref(), FeedbackKind::parse),
        )
        .flatten();
    errors.finish()?;
    let Some(about_id) = filter_id(q.about_id.as_deref(), PersonId::parse) else {
        // A filter on an id of the wrong shape matches nothing.
        return Ok((vec![], page.info(0)));
    };
    let filter = FeedbackFilter { about_id, kind };
    let scope = authz::feedback_scope(actor);
    let (list, total) = feedback::list(&state.db, &org, &scope, &filter, page).await?;
    Ok((list, page.info(total)))
}

/// Feedback about one person that the caller may see, newest first, with the name of who
/// wrote each (`None` once they have left the organization): a person's page.
pub async fn about_person(
    state: &AppState,
    actor: &Actor,
    about: &PersonId,
    paging: &Paging,
) -> Result<(Vec<(Feedback, Option<String>)>, PageInfo), ApiError> {
    let org = load::permitted(actor, Action::FeedbackView)?;
    let page = paging.parse(&mut FieldErrors::default());
    let filter = FeedbackFilter {
        about_id: Some(about.clone()),
        kind: None,
    };
    let scope = authz::feedback_scope(actor);
    let (list, total) = feedback::list(&state.db, &org, &scope, &filter, page).await?;
    let names = manageros_store::repo::users::member_names(
        &state.db,
        &org,
        list.iter().map(|f| f.author.as_str()).collect(),
    )
    .await?;
    let list = list
        .into_iter()
        .map(|f| {
            let name = names.get(f.author.as_str()).cloned();
            (f, name)
        })
        .collect();
    Ok((list, page.info(total)))
}

/// A piece of feedback (feedback.view).
pub async fn get(state: &AppState, actor: &Actor, id: &FeedbackId) -> Result<Feedback, ApiError> {
    let (_, f) = authorized(&state.db, actor, id, Action::FeedbackView).await?;
    Ok(f)
}

/// The edit form's view, from one call: the feedback, for whom may edit it (else its 403, or
/// its 404 for whom may not see it), and the person it is about.
pub async fn edit_view(
    state: &AppState,
    actor: &Actor,
    id: &FeedbackId,
) -> Result<(Feedback, manageros_store::repo::persons::Person), ApiError> {
    let (_, f) = authorized::<Feedback>(&state.db, actor, id, Action::FeedbackEdit).await?;
    let about = crate::people::get(state, actor, f.about_id.as_str())
        .await?
        .person;
    Ok((f, about))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateFeedbackRequest {
    #[schema(value_type = input::Id, inline, required = true)]
    pub about_id: Option<String>,
    /// Default `note`.
    #[schema(value_type = input::OptionalFeedbackKind, inline, required = false)]
    pub kind: Option<String>,
    #[serde(default)]
    pub is_private: bool,
    #[schema(value_type = input::FeedbackBody, inline, required = true)]
    pub body: Option<String>,
}

fn body_text(raw: &str) -> Result<String, Invalid> {
    manageros_core::bounded_text(raw, "Body", 1, 10_000)
}

/// Records feedback written by the caller (and, if they are linked, from their person)
/// (feedback.create: admins, and members linked to a person).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CreateFeedbackRequest,
) -> Result<Feedback, ApiError> {
    let org = load::permitted(actor, Action::FeedbackCreate)?;
    validate! {
        about_id = "aboutId": match input.about_id.as_deref().map(str::trim) {
            None | Some("") => Err(Invalid::new("The person the feedback is about is required")),
            Some(a) => Ok(a.to_owned()),
        },
        kind = "kind": input.kind.as_deref().map_or(Ok(FeedbackKind::Note), FeedbackKind::parse),
        text = "body": body_text(input.body.as_deref().unwrap_or_default()),
    }
    let txn = begin_write(&state.db).await?;
    let about = refs::person(&txn, &org, &about_id, ABOUT_NOT_FOUND).await?;
    let id = feedback::insert(
        &txn,
        &org,
        NewFeedback {
            about_id: &about,
            author: &actor.user_id,
            from_person_id: actor.person_id.as_ref(),
            kind,
            is_private: input.is_private,
            body: &text,
        },
        state.now(),
    )
    .await?;
    let f = reread::<Feedback>(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(f)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFeedbackRequest {
    #[serde(default)]
    #[schema(value_type = input::FeedbackKind, inline, required = false)]
    pub kind: Patch<String>,
    #[serde(default)]
    #[schema(value_type = bool)]
    pub is_private: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = input::FeedbackBody, inline, required = false)]
    pub body: Patch<String>,
}

/// Changes feedback (feedback.edit: its author and admins). Who it is about does not change.
/// Permission comes before validation: who may not edit learns nothing from a 400.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &FeedbackId,
    input: UpdateFeedbackRequest,
    if_match: &IfMatch,
) -> Result<Feedback, ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized::<Feedback>(&txn, actor, id, Action::FeedbackEdit).await?;
    versions::claim(
        &txn,
        Versioned::Feedback,
        &org,
        current.id.as_str(),
        actor,
        if_match,
    )
    .await?;
    validate! {
        kind = "kind": required(input.kind, "Kind", |k| FeedbackKind::parse(&k)),
        is_private = "isPrivate": required(input.is_private, "isPrivate", Ok),
        text = "body": required(input.body, "Body", |b| body_text(&b)),
    }
    feedback::update(
        &txn,
        &org,
        &current.id,
        kind.unwrap_or(current.kind),
        is_private.unwrap_or(current.is_private),
        text.as_deref().unwrap_or(&current.body),
        state.now(),
    )
    .await?;
    let f = reread::<Feedback>(&txn, &org, &current.id).await?;
    txn.commit().await?;
    Ok(f)
}

/// Deletes feedback (feedback.delete: its author and admins).
pub async fn delete(state: &AppState, actor: &Actor, id: &FeedbackId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, f) = authorized::<Feedback>(&txn, actor, id, Action::FeedbackDelete).await?;
    feedback::delete(&txn, &org, &f.id).await?;
    txn.commit().await?;
    Ok(())
}
