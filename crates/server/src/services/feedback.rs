//! Feedback about a person: private feedback is seen only by its author and admins.

use crate::{access, error::ApiError, services::refs, state::AppState};
use manageros_core::{
    FeedbackId, FeedbackKind, OrgId,
    authz::{self, Action, Actor, Kind},
};
use manageros_store::{
    ConnectionTrait, begin_write,
    repo::feedback::{self, Feedback, NewFeedback},
};

pub const ABOUT_NOT_FOUND: &str = "Person not found or access denied";

/// Loads feedback of the caller's organization and authorizes `action` on it.
pub async fn authorized(
    db: &impl ConnectionTrait,
    actor: &Actor,
    raw_id: &str,
    action: Action,
) -> Result<(OrgId, Feedback), ApiError> {
    let org = access::org_for(actor, action)?;
    let id = access::id_or_404(raw_id, FeedbackId::parse, Kind::Feedback)?;
    let f = feedback::find(db, &org, &id)
        .await?
        .ok_or_else(|| access::not_found(Kind::Feedback))?;
    authz::authorize(actor, action, &f.target())?;
    Ok((org, f))
}

pub struct FeedbackDraft {
    pub about_id: String,
    pub kind: FeedbackKind,
    pub is_private: bool,
    pub body: String,
}

/// Records feedback written by the caller (and, if they are linked, from their person).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    d: FeedbackDraft,
) -> Result<Feedback, ApiError> {
    let org = access::org_for(actor, Action::FeedbackCreate)?;
    authz::authorize_general(actor, Action::FeedbackCreate, None)?;
    let txn = begin_write(&state.db).await?;
    let about = refs::person(&txn, &org, &d.about_id, ABOUT_NOT_FOUND).await?;
    let id = feedback::insert(
        &txn,
        &org,
        NewFeedback {
            about_id: &about,
            author: &actor.user_id,
            from_person_id: actor.person_id.as_ref(),
            kind: d.kind,
            is_private: d.is_private,
            body: &d.body,
        },
        state.now(),
    )
    .await?;
    let f = feedback::find(&txn, &org, &id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("feedback {id} vanished")))?;
    txn.commit().await?;
    Ok(f)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    kind: Option<FeedbackKind>,
    is_private: Option<bool>,
    body: Option<String>,
) -> Result<Feedback, ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized(&txn, actor, raw_id, Action::FeedbackEdit).await?;
    feedback::update(
        &txn,
        &org,
        &current.id,
        kind.unwrap_or(current.kind),
        is_private.unwrap_or(current.is_private),
        body.as_deref().unwrap_or(&current.body),
        state.now(),
    )
    .await?;
    let f = feedback::find(&txn, &org, &current.id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("feedback vanished")))?;
    txn.commit().await?;
    Ok(f)
}

pub async fn delete(state: &AppState, actor: &Actor, raw_id: &str) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, f) = authorized(&txn, actor, raw_id, Action::FeedbackDelete).await?;
    feedback::delete(&txn, &org, &f.id).await?;
    txn.commit().await?;
    Ok(())
}
