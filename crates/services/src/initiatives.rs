//! Initiatives: every member views them; admins and members linked to a person create them;
//! only admins edit and delete them. Team and owners are checked inside the organization.
//! Each function asks authz once, then validates, then writes in one transaction.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load::{self, authorized, reread},
    parse::Paging,
    parse::{filter_id, optional_text, search_from},
    patch::{Patch, required},
    refs,
    state::AppState,
    tasks::{TasksQuery, date, title},
    validate,
};
use crate::{
    extract::IfMatch,
    versions::{self, Versioned},
};
use manageros_core::{
    InitiativeId, InitiativeStatus, Invalid, OrgId, PageInfo, PersonId, Rag, TeamId, Timestamp,
    authz::{self, Action, Actor},
};
use manageros_store::{
    begin_write,
    repo::{
        initiatives::{self, Initiative, InitiativeFields, InitiativeFilter},
        tasks::{Task, TaskFilter},
    },
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub const TEAM_NOT_FOUND: &str = "Team not found or access denied";
pub const OWNER_NOT_FOUND: &str = "Owner not found or access denied";

fn check_dates(start: Option<Timestamp>, target: Option<Timestamp>) -> Result<(), ApiError> {
    match (start, target) {
        (Some(s), Some(t)) if t < s => Err(ApiError::invalid(
            "targetDate",
            "Target date must not be before the start date",
        )),
        _ => Ok(()),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct InitiativesQuery {
    #[param(value_type = Option<input::InitiativeStatusFilter>, inline)]
    pub status: Option<String>,
    #[param(value_type = Option<input::RagFilter>, inline)]
    pub rag: Option<String>,
    pub team_id: Option<String>,
    pub owner_id: Option<String>,
    #[param(value_type = Option<input::Search>, inline)]
    pub search: Option<String>,
}

/// The organization's initiatives, newest first (initiative.view).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    q: InitiativesQuery,
    paging: &Paging,
) -> Result<(Vec<Initiative>, PageInfo), ApiError> {
    let org = load::permitted(actor, Action::InitiativeView)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let search = search_from(q.search.as_deref(), &mut errors);
    let status = errors
        .take(
            "status",
            crate::parse::filter(q.status.as_deref(), InitiativeStatus::parse),
        )
        .flatten();
    let rag = errors
        .take("rag", crate::parse::filter(q.rag.as_deref(), Rag::parse))
        .flatten();
    errors.finish()?;
    let (Some(team_id), Some(owner_id)) = (
        filter_id(q.team_id.as_deref(), TeamId::parse),
        filter_id(q.owner_id.as_deref(), PersonId::parse),
    ) else {
        // A filter on an id of the wrong shape matches nothing.
        return Ok((vec![], page.info(0)));
    };
    let filter = InitiativeFilter {
        status,
        rag,
        team_id,
        owner_id,
        search,
    };
    let (list, total) = initiatives::list(&state.db, &org, &filter, page).await?;
    Ok((list, page.info(total)))
}

/// How many initiatives a form or filter offers (the newest).
pub const CHOICES: u64 = 100;

/// An initiative (initiative.view).
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: &InitiativeId,
) -> Result<Initiative, ApiError> {
    let (_, i) = authorized(&state.db, actor, id, Action::InitiativeView).await?;
    Ok(i)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateInitiativeRequest {
    #[schema(value_type = input::Title, inline, required = true)]
    pub title: Option<String>,
    #[schema(value_type = input::Description, inline, required = false)]
    pub summary: Option<String>,
    /// Default `planned`.
    #[schema(value_type = input::OptionalInitiativeStatus, inline, required = false)]
    pub status: Option<String>,
    /// Default `green`.
    #[schema(value_type = input::OptionalRag, inline, required = false)]
    pub rag: Option<String>,
    /// 0–100, default 50.
    #[serde(default, deserialize_with = "crate::patch::whole_number::option")]
    #[schema(minimum = 0, maximum = 100)]
    pub confidence: Option<i64>,
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub team_id: Option<String>,
    /// People of the organization.
    #[serde(default)]
    #[schema(value_type = input::People, inline, required = false)]
    pub owner_ids: Vec<String>,
    #[schema(value_type = input::OptionalDate, inline, required = false)]
    pub start_date: Option<String>,
    #[schema(value_type = input::OptionalDate, inline, required = false)]
    pub target_date: Option<String>,
}

fn confidence(c: i64) -> Result<i32, Invalid> {
    if (0..=100).contains(&c) {
        Ok(c as i32)
    } else {
        Err(Invalid::new("Confidence must be from 0 to 100"))
    }
}

/// Creates an initiative (initiative.create: admins, and members linked to a person).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CreateInitiativeRequest,
) -> Result<Initiative, ApiError> {
    let org = load::permitted(actor, Action::InitiativeCreate)?;
    validate! {
        title = "title": title(input.title.as_deref()),
        summary = "summary": optional_text(input.summary.as_deref(), "Summary", 10_000),
        status = "status": input.status.as_deref().map_or(Ok(InitiativeStatus::Planned), InitiativeStatus::parse),
        rag = "rag": input.rag.as_deref().map_or(Ok(Rag::Green), Rag::parse),
        confidence = "confidence": confidence(input.confidence.unwrap_or(50)),
        start_date = "startDate": input.start_date.as_deref().map(|d| date(d, "Start date")).transpose(),
        target_date = "targetDate": input.target_date.as_deref().map(|d| date(d, "Target date")).transpose(),
    }
    check_dates(start_date, target_date)?;
    let now = state.now();
    // References are resolved before the write opens: nothing is looked up under its lock.
    let (db, o) = (&state.db, &org);
    let team_id = refs::optional(input.team_id.as_deref(), |r| async move {
        refs::team(db, o, &r, TEAM_NOT_FOUND).await
    })
    .await?;
    let owner_ids = refs::persons(db, o, &input.owner_ids, "ownerIds", OWNER_NOT_FOUND).await?;
    let txn = begin_write(&state.db).await?;
    let fields = InitiativeFields {
        title,
        summary,
        status,
        rag,
        confidence,
        team_id,
        owner_ids,
        start_date,
        target_date,
    };
    let id = initiatives::insert(&txn, &org, &actor.user_id, &fields, now).await?;
    let i = reread::<Initiative>(&txn, &org, &id).await?;
    txn.commit().await?;
    Ok(i)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInitiativeRequest {
    #[serde(default)]
    #[schema(value_type = input::Title, inline, required = false)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::Description, inline, required = false)]
    pub summary: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::InitiativeStatus, inline, required = false)]
    pub status: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::Rag, inline, required = false)]
    pub rag: Patch<String>,
    #[serde(default, deserialize_with = "crate::patch::whole_number::patch")]
    #[schema(value_type = i64, minimum = 0, maximum = 100)]
    pub confidence: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub team_id: Patch<String>,
    /// Replaces the owners; `[]` or `null` removes them all.
    #[serde(default)]
    #[schema(value_type = input::PeopleOrNull, inline, required = false)]
    pub owner_ids: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = input::OptionalDate, inline, required = false)]
    pub start_date: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::OptionalDate, inline, required = false)]
    pub target_date: Patch<String>,
}

/// Changes some of an initiative's fields (initiative.edit: admins). Permission comes before
/// validation: who may not edit learns nothing from a 400.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &InitiativeId,
    input: UpdateInitiativeRequest,
    if_match: &IfMatch,
) -> Result<Initiative, ApiError> {
    let now = state.now();
    let owners = refs::ahead(actor, input.owner_ids.replacement(), |o, raw| async move {
        refs::persons(&state.db, &o, &raw, "ownerIds", OWNER_NOT_FOUND).await
    })
    .await;
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized::<Initiative>(&txn, actor, id, Action::InitiativeEdit).await?;
    versions::claim(
        &txn,
        Versioned::Initiative,
        &org,
        current.id.as_str(),
        actor,
        if_match,
    )
    .await?;
    validate! {
        title = "title": required(input.title, "Title", |t| title(Some(&t))),
        summary = "summary": input.summary.try_map(|s| optional_text(Some(&s), "Summary", 10_000)),
        status = "status": required(input.status, "Status", |s| InitiativeStatus::parse(&s)),
        rag = "rag": required(input.rag, "Rag", |r| Rag::parse(&r)),
        confidence = "confidence": required(input.confidence, "Confidence", confidence),
        start_date = "startDate": input.start_date.try_map(|d| date(&d, "Start date")),
        target_date = "targetDate": input.target_date.try_map(|d| date(&d, "Target date")),
    }
    let (db, o) = (&txn, &org);
    let team = refs::patch(input.team_id, |r| async move {
        refs::team(db, o, &r, TEAM_NOT_FOUND).await
    })
    .await?;
    let owners = match owners {
        Some(resolved) => resolved?,
        None => current.owner_ids.clone(),
    };
    let mut fields = InitiativeFields::from(&current);
    fields.title = title.unwrap_or(fields.title);
    fields.summary = summary.flatten().apply(fields.summary);
    fields.status = status.unwrap_or(fields.status);
    fields.rag = rag.unwrap_or(fields.rag);
    fields.confidence = confidence.unwrap_or(fields.confidence);
    fields.team_id = team.apply(fields.team_id);
    fields.owner_ids = owners;
    fields.start_date = start_date.apply(fields.start_date);
    fields.target_date = target_date.apply(fields.target_date);
    check_dates(fields.start_date, fields.target_date)?;
    initiatives::update(&txn, &org, &current.id, &fields, now).await?;
    let i = reread::<Initiative>(&txn, &org, &current.id).await?;
    txn.commit().await?;
    Ok(i)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CheckInRequest {
    /// Where it stands now; default: as it was.
    #[schema(value_type = input::OptionalInitiativeStatus, inline, required = false)]
    pub status: Option<String>,
    /// Default: as it was.
    #[schema(value_type = input::OptionalRag, inline, required = false)]
    pub rag: Option<String>,
    /// 0–100; default: as it was.
    #[serde(default, deserialize_with = "crate::patch::whole_number::option")]
    #[schema(minimum = 0, maximum = 100)]
    pub confidence: Option<i64>,
    /// A short note (at most 2,000 characters, Markdown).
    #[schema(value_type = input::CheckInNote, inline, required = false)]
    pub note: Option<String>,
}

/// Posts a check-in (initiative.check-in: its owners and admins): the initiative takes the
/// status, RAG and confidence it gives, and keeps the check-in in its history; both in one
/// transaction, as a change of the initiative (its version increases; `If-Match` is honoured).
pub async fn check_in(
    state: &AppState,
    actor: &Actor,
    id: &InitiativeId,
    input: CheckInRequest,
    if_match: &IfMatch,
) -> Result<(initiatives::CheckIn, Initiative), ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, current) =
        authorized::<Initiative>(&txn, actor, id, Action::InitiativeCheckIn).await?;
    // The version before the body, as every change checks it (docs/API.md §1); a refused body
    // rolls the claim back with the transaction.
    versions::claim(
        &txn,
        Versioned::Initiative,
        &org,
        current.id.as_str(),
        actor,
        if_match,
    )
    .await?;
    validate! {
        status = "status": input.status.as_deref().map(InitiativeStatus::parse).transpose(),
        rag = "rag": input.rag.as_deref().map(Rag::parse).transpose(),
        confidence = "confidence": input.confidence.map(confidence).transpose(),
        note = "note": optional_text(input.note.as_deref(), "Note", 2_000),
    }
    let (status, rag, confidence) = (
        status.unwrap_or(current.status),
        rag.unwrap_or(current.rag),
        confidence.unwrap_or(current.confidence),
    );
    initiatives::set_progress(&txn, &org, &current.id, status, rag, confidence, now).await?;
    let author = manageros_store::repo::users::find(&txn, &actor.user_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let c = initiatives::insert_check_in(
        &txn,
        &org,
        &current.id,
        initiatives::NewCheckIn {
            author_id: &actor.user_id,
            author_name: &author,
            status,
            rag,
            confidence,
            note: note.as_deref(),
        },
        now,
    )
    .await?;
    let i = reread::<Initiative>(&txn, &org, &current.id).await?;
    txn.commit().await?;
    Ok((c, i))
}

/// An initiative's check-ins, newest first (initiative.view).
pub async fn check_ins(
    state: &AppState,
    actor: &Actor,
    id: &InitiativeId,
    paging: &Paging,
) -> Result<(Vec<initiatives::CheckIn>, PageInfo), ApiError> {
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    errors.finish()?;
    let (org, i) = authorized::<Initiative>(&state.db, actor, id, Action::InitiativeView).await?;
    let (list, total) = initiatives::check_ins(&state.db, &org, &i.id, page).await?;
    Ok((list, page.info(total)))
}

/// Deletes an initiative (initiative.delete: admins); its tasks and meetings stay, no longer
/// attached to it.
pub async fn delete(state: &AppState, actor: &Actor, id: &InitiativeId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, i) = authorized::<Initiative>(&txn, actor, id, Action::InitiativeDelete).await?;
    initiatives::delete(&txn, &org, &i.id).await?;
    txn.commit().await?;
    Ok(())
}

/// The tasks of an initiative (getAllTasksForInitiative): initiative.view, then task.view.
/// The initiative page, from one call: the initiative, and the first page of its tasks and
/// of its meetings (with their totals).
pub struct InitiativeView {
    pub initiative: Initiative,
    pub tasks: (Vec<Task>, PageInfo),
    pub meetings: (Vec<manageros_store::repo::meetings::Meeting>, PageInfo),
    /// The latest check-ins, newest first.
    pub check_ins: (Vec<initiatives::CheckIn>, PageInfo),
}

/// `GET /initiatives/{id}`'s view, `shown` tasks, meetings and check-ins at most. Reads only.
pub async fn page(
    state: &AppState,
    actor: &Actor,
    id: &InitiativeId,
    shown: u64,
) -> Result<InitiativeView, ApiError> {
    let (org, initiative) =
        authorized::<Initiative>(&state.db, actor, id, Action::InitiativeView).await?;
    authz::authorize_general(actor, Action::TaskView, None)?;
    let first = Paging {
        page: None,
        limit: Some(shown.to_string()),
    };
    let tasks = tasks_of(state, &org, &initiative, TasksQuery::default(), &first).await?;
    let meetings = crate::meetings::of_initiative(
        state,
        actor,
        &org,
        &initiative,
        crate::meetings::MeetingsQuery::default(),
        &first,
    )
    .await?;
    let page = manageros_core::Page {
        page: 1,
        limit: shown,
    };
    let (check_ins, total) = initiatives::check_ins(&state.db, &org, &initiative.id, page).await?;
    Ok(InitiativeView {
        initiative,
        tasks,
        meetings,
        check_ins: (check_ins, page.info(total)),
    })
}

pub async fn tasks(
    state: &AppState,
    actor: &Actor,
    id: &InitiativeId,
    q: TasksQuery,
    paging: &Paging,
) -> Result<(Vec<Task>, PageInfo), ApiError> {
    let (org, initiative) =
        authorized::<Initiative>(&state.db, actor, id, Action::InitiativeView).await?;
    authz::authorize_general(actor, Action::TaskView, None)?;
    tasks_of(state, &org, &initiative, q, paging).await
}

/// The tasks of an initiative the caller was allowed to see, by a caller allowed `task.view`.
async fn tasks_of(
    state: &AppState,
    org: &OrgId,
    initiative: &Initiative,
    q: TasksQuery,
    paging: &Paging,
) -> Result<(Vec<Task>, PageInfo), ApiError> {
    let filter = TaskFilter {
        initiative_id: Some(initiative.id.clone()),
        ..Default::default()
    };
    let q = TasksQuery {
        initiative_id: None,
        ..q
    };
    crate::tasks::list_in(state, org, None, q, paging, filter).await
}
