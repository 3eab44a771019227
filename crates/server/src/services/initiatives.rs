//! Initiatives: writes with their team and owners checked inside the organization.

use crate::{access, error::ApiError, patch::Patch, services::refs, state::AppState};
use manageros_core::{
    InitiativeId, InitiativeStatus, OrgId, Rag, Timestamp, UserId,
    authz::{self, Action, Actor, Kind},
};
use manageros_store::{
    ConnectionTrait, DatabaseTransaction, begin_write,
    repo::initiatives::{self, Initiative, InitiativeFields},
};

pub const TEAM_NOT_FOUND: &str = "Team not found or access denied";
pub const OWNER_NOT_FOUND: &str = "Owner not found or access denied";

pub struct InitiativeDraft {
    pub title: String,
    pub summary: Option<String>,
    pub status: InitiativeStatus,
    pub rag: Rag,
    pub confidence: i32,
    pub team_id: Option<String>,
    pub owner_ids: Vec<String>,
    pub start_date: Option<Timestamp>,
    pub target_date: Option<Timestamp>,
}

#[derive(Default)]
pub struct InitiativePatch {
    pub title: Option<String>,
    pub summary: Patch<String>,
    pub status: Option<InitiativeStatus>,
    pub rag: Option<Rag>,
    pub confidence: Option<i32>,
    pub team_id: Patch<String>,
    pub owner_ids: Option<Vec<String>>,
    pub start_date: Patch<Timestamp>,
    pub target_date: Patch<Timestamp>,
}

fn check_dates(start: Option<Timestamp>, target: Option<Timestamp>) -> Result<(), ApiError> {
    match (start, target) {
        (Some(s), Some(t)) if t < s => Err(ApiError::invalid(
            "targetDate",
            "Target date must not be before the start date",
        )),
        _ => Ok(()),
    }
}

/// Loads an initiative of the caller's organization and authorizes `action` on it.
pub async fn authorized(
    db: &impl ConnectionTrait,
    actor: &Actor,
    raw_id: &str,
    action: Action,
) -> Result<(OrgId, Initiative), ApiError> {
    let org = access::org_for(actor, action)?;
    let id = access::id_or_404(raw_id, InitiativeId::parse, Kind::Initiative)?;
    let i = initiatives::find(db, &org, &id)
        .await?
        .ok_or_else(|| access::not_found(Kind::Initiative))?;
    authz::authorize(actor, action, &i.target())?;
    Ok((org, i))
}

async fn reread(
    txn: &DatabaseTransaction,
    org: &OrgId,
    id: &InitiativeId,
) -> Result<Initiative, ApiError> {
    initiatives::find(txn, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "initiative {id} vanished inside its transaction"
        ))
    })
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    by: &UserId,
    d: InitiativeDraft,
) -> Result<Initiative, ApiError> {
    let org = access::org_for(actor, Action::InitiativeCreate)?;
    authz::authorize_general(actor, Action::InitiativeCreate, None)?;
    check_dates(d.start_date, d.target_date)?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (db, o) = (&txn, &org);
    let team_id = refs::optional(d.team_id.as_deref(), |r| async move {
        refs::team(db, o, &r, TEAM_NOT_FOUND).await
    })
    .await?;
    let owner_ids = refs::persons(&txn, &org, &d.owner_ids, OWNER_NOT_FOUND).await?;
    let fields = InitiativeFields {
        title: d.title,
        summary: d.summary,
        status: d.status,
        rag: d.rag,
        confidence: d.confidence,
        team_id,
        owner_ids,
        start_date: d.start_date,
        target_date: d.target_date,
    };
    let id = initiatives::insert(&txn, &org, by, &fields, now).await?;
    let i = reread(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(i)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    p: InitiativePatch,
) -> Result<Initiative, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized(&txn, actor, raw_id, Action::InitiativeEdit).await?;
    let (db, o) = (&txn, &org);
    let team = refs::patch(p.team_id, |r| async move {
        refs::team(db, o, &r, TEAM_NOT_FOUND).await
    })
    .await?;
    let owners = match &p.owner_ids {
        Some(raw) => refs::persons(&txn, &org, raw, OWNER_NOT_FOUND).await?,
        None => current.owner_ids.clone(),
    };
    let mut fields = InitiativeFields::from(&current);
    fields.title = p.title.unwrap_or(fields.title);
    fields.summary = p.summary.apply(fields.summary);
    fields.status = p.status.unwrap_or(fields.status);
    fields.rag = p.rag.unwrap_or(fields.rag);
    fields.confidence = p.confidence.unwrap_or(fields.confidence);
    fields.team_id = team.apply(fields.team_id);
    fields.owner_ids = owners;
    fields.start_date = p.start_date.apply(fields.start_date);
    fields.target_date = p.target_date.apply(fields.target_date);
    check_dates(fields.start_date, fields.target_date)?;
    initiatives::update(&txn, &org, &current.id, &fields, now).await?;
    let i = reread(&txn, &org, &current.id).await?;
    txn.commit().await?;
    Ok(i)
}

/// Deletes an initiative; its tasks and meetings stay, no longer attached to it.
pub async fn delete(state: &AppState, actor: &Actor, raw_id: &str) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, i) = authorized(&txn, actor, raw_id, Action::InitiativeDelete).await?;
    initiatives::delete(&txn, &org, &i.id).await?;
    txn.commit().await?;
    Ok(())
}

/// The tasks of an initiative (getAllTasksForInitiative): initiative.view, then task.view.
pub async fn tasks(
    state: &AppState,
    actor: &Actor,
    id: &InitiativeId,
    q: crate::services::tasks::TasksQuery,
) -> Result<
    (
        Vec<manageros_store::repo::tasks::Task>,
        manageros_core::PageInfo,
    ),
    ApiError,
> {
    let (org, initiative) = crate::services::load::authorized::<Initiative>(
        &state.db,
        actor,
        id,
        Action::InitiativeView,
    )
    .await?;
    authz::authorize_general(actor, Action::TaskView, None)?;
    let filter = manageros_store::repo::tasks::TaskFilter {
        initiative_id: Some(initiative.id),
        ..Default::default()
    };
    let q = crate::services::tasks::TasksQuery {
        initiative_id: None,
        ..q
    };
    crate::services::tasks::list_in(state, &org, q, filter).await
}
