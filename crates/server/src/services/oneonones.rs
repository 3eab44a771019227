//! One-on-ones (docs/API.md §6). Participants see and change their own; an
//! admin may reach any one-on-one of the organization, and every such access by someone who
//! does not take part is written to its access log, in the same transaction.

use crate::{error::ApiError, mail::Mail, state::AppState};
use manageros_core::{
    OneOnOneId, OrgId, PersonId, Timestamp,
    authz::{self, Action, Actor, Kind},
};
use manageros_store::{
    ConnectionTrait, DatabaseTransaction, begin_write,
    repo::{
        oneonones::{self, AccessAction, AccessEntry, OneOnOneFields, OneOnOneWithPeople},
        persons, users,
    },
};
use tracing::Instrument;

pub const PARTICIPANT_1_NOT_FOUND: &str = "Participant 1 not found or not in your organization";
pub const PARTICIPANT_2_NOT_FOUND: &str = "Participant 2 not found or not in your organization";

/// A one-on-one as sent, validated, with its participants still raw ids.
pub struct OneOnOneDraft {
    pub participant1: String,
    pub participant2: String,
    pub scheduled_at: Timestamp,
    pub notes: Option<String>,
}

async fn participant(
    db: &impl ConnectionTrait,
    org: &OrgId,
    raw: &str,
    not_found: &'static str,
) -> Result<PersonId, ApiError> {
    match PersonId::parse(raw.trim()) {
        Some(id) if persons::exists(db, org, &id).await? => Ok(id),
        _ => Err(ApiError::not_found(not_found)),
    }
}

/// Resolves both participants and checks the caller may hold a one-on-one between them.
async fn resolve(
    txn: &DatabaseTransaction,
    actor: &Actor,
    org: &OrgId,
    d: OneOnOneDraft,
) -> Result<OneOnOneFields, ApiError> {
    let manager_id = participant(txn, org, &d.participant1, PARTICIPANT_1_NOT_FOUND).await?;
    let report_id = participant(txn, org, &d.participant2, PARTICIPANT_2_NOT_FOUND).await?;
    authz::authorize_oneonone_participants(actor, &manager_id, &report_id)?;
    Ok(OneOnOneFields {
        manager_id,
        report_id,
        scheduled_at: d.scheduled_at,
        notes: d.notes,
    })
}

/// A one-on-one of the organization by a raw id; the not-found of the spec otherwise.
async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    raw_id: &str,
) -> Result<OneOnOneWithPeople, ApiError> {
    let not_found = || ApiError::not_found(Kind::OneOnOne.not_found_message());
    let id = OneOnOneId::parse(raw_id.trim()).ok_or_else(not_found)?;
    oneonones::find(db, org, &id).await?.ok_or_else(not_found)
}

/// Loads a one-on-one, authorizes `action`, and logs the access when the caller reaches it as
/// an admin rather than as a participant.
async fn authorized(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    org: &OrgId,
    raw_id: &str,
    action: Action,
    now: Timestamp,
) -> Result<OneOnOneWithPeople, ApiError> {
    let o = find(txn, org, raw_id).await?;
    authz::authorize(actor, action, &o.one_on_one.target())?;
    if !authz::takes_part(actor, &o.one_on_one.facts()) {
        let what = match action {
            Action::OneOnOneEdit => AccessAction::Edit,
            Action::OneOnOneDelete => AccessAction::Delete,
            _ => AccessAction::View,
        };
        oneonones::log_access(txn, org, &o.one_on_one.id, &actor.user_id, what, now).await?;
    }
    Ok(o)
}

async fn reread(
    txn: &DatabaseTransaction,
    org: &OrgId,
    id: &OneOnOneId,
) -> Result<OneOnOneWithPeople, ApiError> {
    oneonones::find(txn, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "one-on-one {id} vanished inside its transaction"
        ))
    })
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    d: OneOnOneDraft,
) -> Result<OneOnOneWithPeople, ApiError> {
    let org = authz::authorize_oneonone_caller(actor)?;
    authz::authorize_general(actor, Action::OneOnOneCreate, None)?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let fields = resolve(&txn, actor, &org, d).await?;
    let id = oneonones::insert(&txn, &org, &fields, now).await?;
    let o = reread(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(o)
}

pub async fn get(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
) -> Result<OneOnOneWithPeople, ApiError> {
    let org = authz::authorize_oneonone_caller(actor)?;
    // A read: no transaction. An admin's view is logged by one insert, which must succeed
    // before anything is shown.
    authorized(
        &state.db,
        actor,
        &org,
        raw_id,
        Action::OneOnOneView,
        state.now(),
    )
    .await
}

/// Replaces a one-on-one's participants, time and notes. A non-admin must take part in it
/// both before and after.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    d: OneOnOneDraft,
) -> Result<OneOnOneWithPeople, ApiError> {
    let org = authz::authorize_oneonone_caller(actor)?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let current = authorized(&txn, actor, &org, raw_id, Action::OneOnOneEdit, now).await?;
    let fields = resolve(&txn, actor, &org, d).await?;
    oneonones::update(&txn, &org, &current.one_on_one.id, &fields, now).await?;
    let o = reread(&txn, &org, &current.one_on_one.id).await?;
    txn.commit().await?;
    Ok(o)
}

/// Deletes a one-on-one. When an admin who does not take part deletes it, the participants
/// are told by email: the access log goes with the one-on-one they can no longer open.
pub async fn delete(state: &AppState, actor: &Actor, raw_id: &str) -> Result<(), ApiError> {
    let org = authz::authorize_oneonone_caller(actor)?;
    let txn = begin_write(&state.db).await?;
    let o = authorized(
        &txn,
        actor,
        &org,
        raw_id,
        Action::OneOnOneDelete,
        state.now(),
    )
    .await?;
    oneonones::delete(&txn, &org, &o.one_on_one.id).await?;
    txn.commit().await?;
    if !authz::takes_part(actor, &o.one_on_one.facts()) {
        notify_deleted(state, actor, o);
    }
    Ok(())
}

fn notify_deleted(state: &AppState, actor: &Actor, o: OneOnOneWithPeople) {
    let (state_for_task, admin) = (state.clone(), actor.user_id.clone());
    state.background.spawn(
        async move {
            let admin = match users::find(&state_for_task.db, &admin).await {
                Ok(Some(u)) => format!("{} ({})", u.name, u.email),
                _ => "An admin".to_owned(),
            };
            for party in [&o.manager, &o.report] {
                let Some(uid) = &party.user_id else { continue };
                let Ok(Some(user)) = users::find(&state_for_task.db, uid).await else { continue };
                let mail = Mail {
                    to: user.email.to_string(),
                    subject: "A one-on-one of yours was deleted by an admin".into(),
                    body: format!(
                        "Hello {name},\n\n\
                         {admin}, an admin of your organization, deleted the one-on-one between\n\
                         {manager} and {report} scheduled for {at}.\n",
                        name = user.name,
                        manager = o.manager.name,
                        report = o.report.name,
                        at = o.one_on_one.scheduled_at,
                    ),
                };
                if let Err(e) = state_for_task.mailer.send(mail).await {
                    tracing::error!(error = ?e, "could not tell a participant about a deleted one-on-one");
                }
            }
        }
        .instrument(tracing::Span::current()),
    );
}

/// Whether the caller may `action` the one-on-one, without logging anything: the check that
/// comes before validating a body.
pub async fn check(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    action: Action,
) -> Result<(), ApiError> {
    let org = authz::authorize_oneonone_caller(actor)?;
    let o = find(&state.db, &org, raw_id).await?;
    authz::authorize(actor, action, &o.one_on_one.target())?;
    Ok(())
}

/// Who may open a one-on-one, and why.
pub struct Reader {
    pub user_id: String,
    pub name: String,
    pub why: &'static str,
}

/// The access receipt: who may open the one-on-one and why (as the permission rules decide
/// it), and who, not taking part, did.
pub async fn access(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
) -> Result<(Vec<Reader>, Vec<AccessEntry>), ApiError> {
    let org = authz::authorize_oneonone_caller(actor)?;
    let o = find(&state.db, &org, raw_id).await?;
    let facts = o.one_on_one.facts();
    authz::authorize_access_log(actor, &facts)?;
    let target = o.one_on_one.target();
    let candidates = users::admins_or_linked_to(
        &state.db,
        &org,
        &[facts.manager.clone(), facts.report.clone()],
    )
    .await?;
    let readers = candidates
        .into_iter()
        .filter_map(|u| {
            let a = u.actor();
            authz::decide(&a, Action::OneOnOneView, Some(&target))
                .allowed
                .then(|| Reader {
                    user_id: u.id.to_string(),
                    name: u.name,
                    why: if authz::takes_part(&a, &facts) {
                        "participant"
                    } else {
                        "admin"
                    },
                })
        })
        .collect();
    let log = oneonones::access_log(&state.db, &org, &o.one_on_one.id).await?;
    Ok((readers, log))
}
