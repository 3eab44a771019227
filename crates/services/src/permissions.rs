//! Settings → Permissions: what the caller may do, and why. The answers are the authz
//! module's own; nothing here decides.

use crate::{error::ApiError, load, state::AppState};
use manageros_core::authz::{self, Action, Actor, Refusal};

/// One action as Settings → Permissions shows it.
pub struct Held {
    pub action: Action,
    /// For an action on one entity: whether the caller holds it on every such entity of the
    /// organization; otherwise it depends on the entity ("conditional").
    pub has_access: bool,
    /// Why, as a sentence: for a conditional action, the condition.
    pub reason: String,
}

/// The 39 actions, in order, and whether the caller holds each.
pub fn all(actor: &Actor) -> Vec<Held> {
    Action::ALL
        .iter()
        .map(|&action| {
            let d = authz::decide(actor, action, None);
            Held {
                action,
                has_access: d.allowed,
                reason: d.reason.into_owned(),
            }
        })
        .collect()
}

/// Whether the caller may take an organization action: what a page asks to decide which
/// links and buttons to show. The service still decides when the action is taken.
pub fn may(actor: &Actor, action: authz::OrgAction) -> bool {
    authz::authorize_org(actor, action).is_ok()
}

/// The refusal of an organization action, with authz's reason: for a page that offers a form
/// only to whom may send it.
pub fn require(actor: &Actor, action: authz::OrgAction) -> Result<(), ApiError> {
    authz::authorize_org(actor, action)?;
    Ok(())
}

/// Whether the caller may take an action, and the sentence that says why (or why not): what a
/// page shows beside a button it offers, or instead of one it does not.
pub struct Allowed {
    pub allowed: bool,
    pub reason: String,
}

impl Allowed {
    /// Nothing to allow: the button of an entity that is not there (a report run unsaved has
    /// nothing to edit).
    pub fn no() -> Self {
        Self {
            allowed: false,
            reason: String::new(),
        }
    }
}

impl From<authz::Decision> for Allowed {
    fn from(d: authz::Decision) -> Self {
        Self {
            allowed: d.allowed,
            reason: d.reason.into_owned(),
        }
    }
}

/// [`Allowed`] for an action on no particular entity (`task.create`, `task.view`).
pub fn holds(actor: &Actor, action: Action) -> Allowed {
    authz::decide(actor, action, None).into()
}

/// [`Allowed`] for an action on an entity the caller has already been allowed to see.
pub fn on(actor: &Actor, action: Action, target: &authz::Target) -> Allowed {
    authz::decide(actor, action, Some(target)).into()
}

/// The refusal of an action on no particular entity, with authz's reason: for a page that
/// offers a form only to whom may send it.
pub fn require_action(actor: &Actor, action: Action) -> Result<(), ApiError> {
    authz::authorize_general(actor, action, None)?;
    Ok(())
}

/// The refusal of an action on an entity, with authz's reason (a form's page).
pub fn require_on(actor: &Actor, action: Action, target: &authz::Target) -> Result<(), ApiError> {
    authz::authorize(actor, action, target)?;
    Ok(())
}

/// Whether the caller may perform `action` (on the entity named `id`), with the reason. An
/// entity the caller may not see is reported as not found, never described: the same answer
/// the endpoints give.
/// An unknown action is a 400.
pub async fn check(
    state: &AppState,
    actor: &Actor,
    action: Option<&str>,
    id: Option<&str>,
) -> Result<Checked, ApiError> {
    let raw_action = action.unwrap_or_default().trim();
    let action = Action::parse(raw_action)
        .ok_or_else(|| ApiError::invalid("action", format!("Unknown action: {raw_action:?}")))?;
    let (allowed, reason) = decide_on(state, actor, action, id).await?;
    Ok(Checked {
        action,
        allowed,
        reason,
    })
}

/// The answer of [`check`].
pub struct Checked {
    pub action: Action,
    pub allowed: bool,
    pub reason: String,
}

async fn decide_on(
    state: &AppState,
    actor: &Actor,
    action: Action,
    id: Option<&str>,
) -> Result<(bool, String), ApiError> {
    let (Some(raw), Some(kind), Some(org)) = (id, load::kind_of_id(action), &actor.org_id) else {
        let d = authz::decide(actor, action, None);
        return Ok((d.allowed, d.reason.into_owned()));
    };
    let Some(target) = load::target_of(&state.db, org, kind, raw).await? else {
        return Ok((false, kind.not_found_message().to_owned()));
    };
    let result = if action == Action::MeetingInstanceCreate {
        authz::authorize_general(actor, action, Some(&target))
    } else {
        authz::authorize(actor, action, &target)
    };
    Ok(match result {
        Ok(d) => (true, d.reason.into_owned()),
        Err(Refusal::NotFound(m)) => (false, m.to_owned()),
        Err(Refusal::Forbidden(_)) => (
            false,
            authz::decide(actor, action, Some(&target))
                .reason
                .into_owned(),
        ),
    })
}
