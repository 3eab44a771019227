//! Meetings in the browser: the list (only the meetings the caller may see: a private one is
//! shown only to whom the rule allows), a meeting's page with its participants and its
//! instances (each with its notes), and the forms to create, edit and delete meetings and
//! instances by the rule. Every page calls `services::meetings`, as `/api/meetings` does.

use super::{
    Conflict, Ctx, FormState, Layout, PageError, Pager, Posted, filled, filled_or_cleared, listed,
    names,
    oneonones::{Choice, When, local_to_utc, page_id, render_markdown},
    picker::{Field, Picker},
    shown_version,
};
use crate::{
    error::ApiError,
    extract::{Paging, PathId},
    patch::Patch,
    services::{
        load::InstanceOfMeeting,
        meetings::{
            self, CreateInstanceRequest, CreateMeetingRequest, MeetingsQuery,
            UpdateInstanceRequest, UpdateMeetingRequest,
        },
        names::Directory,
        permissions::{self, Allowed},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use manageros_core::{MeetingId, MeetingInstanceId, authz::Action};
use manageros_store::repo::meetings::Meeting;
use serde::Deserialize;

pub struct Row {
    pub id: String,
    pub title: String,
    pub when: When,
    pub duration: i32,
    pub location: String,
    pub is_private: bool,
    pub owner: String,
}

fn row(m: &Meeting, names: &Directory) -> Row {
    Row {
        id: m.id.to_string(),
        title: m.title.clone(),
        when: When::of(m.scheduled_at),
        duration: m.duration_minutes,
        location: m.location.clone().unwrap_or_default(),
        is_private: m.is_private,
        owner: m
            .owner_id
            .as_ref()
            .and_then(|o| names.person(o.as_str()))
            .map(str::to_owned)
            .unwrap_or_default(),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    search: Option<String>,
    /// `upcoming` (the default) or `all`.
    show: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    layout: Layout,
    search: String,
    upcoming: bool,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
    can_create: bool,
    form: FormState,
}

/// `/meetings`: the meetings the caller may see, upcoming first (or all, latest first).
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let names = names(&state, &ctx).await?;
    let upcoming = p.show.as_deref() != Some("all");
    let q = MeetingsQuery {
        search: p.search.clone(),
        scheduled_from: upcoming.then(|| state.now().to_rfc3339()),
        ..Default::default()
    };
    let paging = Paging {
        page: p.page.clone(),
        limit: None,
    };
    let result = if upcoming {
        meetings::list_upcoming(&state, &actor, q, &paging).await
    } else {
        meetings::list(&state, &actor, q, &paging).await
    };
    let (list, page, form) = listed(result)?;
    let rows = list.iter().map(|m| row(m, &names)).collect();
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if let Some(s) = p.search.as_deref().filter(|s| !s.is_empty()) {
        q.append_pair("search", s);
    }
    if !upcoming {
        q.append_pair("show", "all");
    }
    let query = q.finish();
    Ok(ctx.render_status(
        form.status(),
        &ListPage {
            layout: ctx.layout("Meetings"),
            search: p.search.clone().unwrap_or_default(),
            upcoming,
            rows,
            total: page.total_count,
            pager: Pager::new(&page, |n| format!("/meetings?{query}&page={n}")),
            can_create: permissions::holds(&actor, Action::MeetingCreate).allowed,
            form,
        },
    ))
}

pub struct InstanceItem {
    pub id: String,
    pub when: When,
    pub notes_html: Option<String>,
    pub participants: Vec<String>,
    pub can_edit: bool,
    pub can_delete: bool,
}

#[derive(Template)]
#[template(path = "meetings/meeting.html")]
struct MeetingPage {
    layout: Layout,
    row: Row,
    description_html: Option<String>,
    participants: Vec<Choice>,
    team: Option<Choice>,
    initiative: Option<Choice>,
    instances: Vec<InstanceItem>,
    instances_total: u64,
    can_edit: Allowed,
    can_delete: Allowed,
    can_add_instance: bool,
    form: FormState,
    typed_when: String,
    typed_notes: String,
}

/// How many instances a meeting's page shows, newest first.
const INSTANCES_SHOWN: u64 = 20;

async fn show_meeting(
    state: &AppState,
    ctx: &Ctx,
    id: &MeetingId,
    status: StatusCode,
    typed: (String, String),
    form: FormState,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (m, (list, page)) = meetings::page(state, &actor, id, INSTANCES_SHOWN).await?;
    let names = names(state, ctx).await?;
    let named = |id: &str, name: Option<&str>| {
        name.map(|n| Choice {
            id: id.to_owned(),
            name: n.to_owned(),
        })
    };
    let name_of = |p: &manageros_core::PersonId| {
        names
            .person(p.as_str())
            .map(str::to_owned)
            .unwrap_or_default()
    };
    Ok(ctx.render_status(
        status,
        &MeetingPage {
            layout: ctx.layout(&m.title),
            description_html: m.description.as_deref().map(render_markdown),
            participants: m
                .participant_ids
                .iter()
                .map(|p| Choice {
                    id: p.to_string(),
                    name: name_of(p),
                })
                .collect(),
            team: m
                .team_id
                .as_ref()
                .and_then(|t| named(t.as_str(), names.team(t.as_str()))),
            initiative: m
                .initiative_id
                .as_ref()
                .and_then(|i| named(i.as_str(), names.initiative(i.as_str()))),
            instances: list
                .iter()
                .map(|i| InstanceItem {
                    id: i.id.to_string(),
                    when: When::of(i.scheduled_at),
                    notes_html: i.notes.as_deref().map(render_markdown),
                    participants: i.participant_ids.iter().map(name_of).collect(),
                    can_edit: permissions::on(&actor, Action::MeetingInstanceEdit, &i.target(&m))
                        .allowed,
                    can_delete: permissions::on(
                        &actor,
                        Action::MeetingInstanceDelete,
                        &i.target(&m),
                    )
                    .allowed,
                })
                .collect(),
            instances_total: page.total_count,
            can_edit: permissions::on(&actor, Action::MeetingEdit, &m.target()),
            can_delete: permissions::on(&actor, Action::MeetingDelete, &m.target()),
            can_add_instance: manageros_core::authz::authorize_general(
                &actor,
                Action::MeetingInstanceCreate,
                Some(&m.target()),
            )
            .is_ok(),
            form,
            typed_when: typed.0,
            typed_notes: typed.1,
            row: row(&m, &names),
        },
    ))
}

/// `/meetings/{id}`: a meeting, its participants and its instances.
pub async fn meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id: MeetingId = page_id(&raw)?;
    show_meeting(
        &state,
        &ctx,
        &id,
        StatusCode::OK,
        Default::default(),
        FormState::default(),
    )
    .await
}

/// The form's fields, as typed (`participantIds` may repeat).
#[derive(Default)]
pub struct MeetingForm {
    title: String,
    description: String,
    scheduled_at: String,
    tz_offset: Option<String>,
    duration: String,
    location: String,
    is_private: bool,
    owner_id: String,
    team_id: String,
    initiative_id: String,
    participant_ids: Vec<String>,
    /// The version the edit form was showing (`If-Match`).
    version: Option<String>,
}

impl MeetingForm {
    /// The form's fields as `m` holds them (the edit form, and "theirs" in a conflict).
    fn of(m: &Meeting) -> Self {
        Self {
            title: m.title.clone(),
            description: m.description.clone().unwrap_or_default(),
            // UTC without a script; app.js shows it in the browser's zone (`data-utc`).
            scheduled_at: m.scheduled_at.to_rfc3339()[..16].to_owned(),
            tz_offset: None,
            duration: m.duration_minutes.to_string(),
            location: m.location.clone().unwrap_or_default(),
            is_private: m.is_private,
            owner_id: opt(&m.owner_id),
            team_id: opt(&m.team_id),
            initiative_id: opt(&m.initiative_id),
            participant_ids: m.participant_ids.iter().map(ToString::to_string).collect(),
            version: Some(m.version.to_string()),
        }
    }

    /// Where `self` (typed) and `theirs` (saved) differ, by the labels the form shows.
    fn conflict(&self, theirs: &Self, by: Option<String>, names: &Directory) -> Conflict {
        let person = |id: &str| names.person(id).unwrap_or("nobody").to_owned();
        let people = |ids: &[String]| {
            let mut n: Vec<&str> = ids.iter().filter_map(|id| names.person(id)).collect();
            n.sort_unstable();
            n.join("\n")
        };
        let typed_at = local_to_utc(&self.scheduled_at, self.tz_offset.as_deref());
        Conflict::new(by, "this meeting")
            .field("Title", &theirs.title, &self.title)
            .field("Description", &theirs.description, &self.description)
            .field(
                "Date and time (UTC)",
                &theirs.scheduled_at,
                typed_at.get(..16).unwrap_or(&typed_at),
            )
            .field("Duration (minutes)", &theirs.duration, &self.duration)
            .field("Location", &theirs.location, &self.location)
            .field("Owner", &person(&theirs.owner_id), &person(&self.owner_id))
            .field(
                "Participants",
                &people(&theirs.participant_ids),
                &people(&self.participant_ids),
            )
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "title" => f.title = v,
                "description" => f.description = v,
                "scheduledAt" => f.scheduled_at = v,
                "tzOffset" => f.tz_offset = Some(v),
                "durationMinutes" => f.duration = v,
                "location" => f.location = v,
                "isPrivate" => f.is_private = true,
                "ownerId" => f.owner_id = v,
                "teamId" => f.team_id = v,
                "initiativeId" => f.initiative_id = v,
                "participantIds" => f.participant_ids.push(v),
                "version" => f.version = Some(v),
                _ => {}
            }
        }
        f
    }

    fn duration(&self) -> Result<i64, ApiError> {
        self.duration.trim().parse().map_err(|_| {
            ApiError::invalid("durationMinutes", "Duration must be from 1 to 1440 minutes")
        })
    }
}

/// An optional id as a form's field holds it.
fn opt(o: &Option<impl ToString>) -> String {
    o.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "meetings/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    values: MeetingForm,
    /// The stored time, for the browser to show in its own time zone.
    scheduled_utc: String,
    people: Vec<Choice>,
    /// The participants, picked from the people.
    picker: Picker,
    teams: Vec<Choice>,
    initiatives: Vec<Choice>,
    form: FormState,
}

#[allow(clippy::too_many_arguments)]
async fn show_form(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    edit: Option<(&str, &str)>,
    values: MeetingForm,
    scheduled_utc: String,
    form: FormState,
) -> Result<Response, PageError> {
    let names = names(state, ctx).await?;
    let (heading, action, submit, cancel) = match edit {
        None => (
            "New meeting".to_owned(),
            "/meetings".to_owned(),
            "Create meeting",
            "/meetings".to_owned(),
        ),
        Some((id, title)) => (
            format!("Edit “{title}”"),
            format!("/meetings/{id}"),
            "Save",
            format!("/meetings/{id}"),
        ),
    };
    Ok(ctx.render_status(
        status,
        &FormPage {
            layout: ctx.layout(&heading),
            heading,
            action,
            submit,
            cancel,
            picker: Picker::new(
                Field::Participants,
                &names.people,
                &values.participant_ids,
                "",
            )
            .invalid(form.has("participantIds")),
            values,
            scheduled_utc,
            people: names.people.clone(),
            teams: names.teams.clone(),
            initiatives: names.initiatives.clone(),
            form,
        },
    ))
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    permissions::require_action(&actor, Action::MeetingCreate)?;
    let values = MeetingForm {
        duration: "30".into(),
        owner_id: member
            .user
            .person_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        ..Default::default()
    };
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        None,
        values,
        String::new(),
        FormState::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let f = MeetingForm::from_pairs(pairs);
    let result = match f.duration() {
        Ok(d) => {
            let req = CreateMeetingRequest {
                title: Some(f.title.clone()),
                description: filled(&f.description),
                scheduled_at: Some(local_to_utc(&f.scheduled_at, f.tz_offset.as_deref())),
                duration_minutes: Some(d),
                location: filled(&f.location),
                is_private: f.is_private,
                owner_id: filled(&f.owner_id),
                team_id: filled(&f.team_id),
                initiative_id: filled(&f.initiative_id),
                participant_ids: f.participant_ids.clone(),
            };
            meetings::create(&state, &actor, req).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(m) => Ok(ctx.redirect_with(
            &format!("/meetings/{}", m.id),
            &format!("Meeting “{}” created.", m.title),
        )),
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            show_form(&state, &ctx, status, None, f, String::new(), form).await
        }
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: MeetingId = page_id(&raw)?;
    // The meeting first: one the caller may not see is a 404, for an admin of another
    // organization too.
    let m = meetings::get(&state, &actor, &id).await?;
    permissions::require_on(&actor, Action::MeetingEdit, &m.target())?;
    let values = MeetingForm::of(&m);
    let id = m.id.to_string();
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        Some((&id, &m.title)),
        values,
        m.scheduled_at.to_rfc3339(),
        FormState::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: MeetingId = page_id(&raw)?;
    let f = MeetingForm::from_pairs(pairs);
    let current = meetings::get(&state, &actor, &id).await?;
    let result = match f.duration() {
        Ok(d) => {
            let mut req = UpdateMeetingRequest {
                title: Patch::Value(f.title.clone()),
                description: filled_or_cleared(&f.description),
                scheduled_at: Patch::Value(local_to_utc(&f.scheduled_at, f.tz_offset.as_deref())),
                duration_minutes: Patch::Value(d),
                location: filled_or_cleared(&f.location),
                team_id: filled_or_cleared(&f.team_id),
                initiative_id: filled_or_cleared(&f.initiative_id),
                participant_ids: Patch::Value(f.participant_ids.clone()),
                ..Default::default()
            };
            // Owner and privacy are for the creator, the owner and admins: a participant's
            // form leaves them as they are unless they were changed.
            let owner = filled(&f.owner_id);
            if owner != current.owner_id.as_ref().map(ToString::to_string) {
                req.owner_id = owner.map_or(Patch::Null, Patch::Value);
            }
            if f.is_private != current.is_private {
                req.is_private = Patch::Value(f.is_private);
            }
            let if_match = shown_version(f.version.as_deref());
            meetings::update(&state, &actor, &id, req, &if_match).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(m) => Ok(ctx.redirect_with(&format!("/meetings/{}", m.id), "Changes saved.")),
        Err(ApiError::Stale(_, by)) => {
            let now = meetings::get(&state, &actor, &id).await?;
            let theirs = MeetingForm::of(&now);
            let names = names(&state, &ctx).await?;
            let (status, form) = FormState::conflict(f.conflict(&theirs, by, &names));
            let f = MeetingForm {
                version: theirs.version,
                ..f
            };
            let (id, utc) = (id.to_string(), now.scheduled_at.to_rfc3339());
            show_form(&state, &ctx, status, Some((&id, &now.title)), f, utc, form).await
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, Some(<MeetingId as PathId>::NOT_FOUND))?;
            let title = f.title.clone();
            let id = id.to_string();
            show_form(
                &state,
                &ctx,
                status,
                Some((&id, &title)),
                f,
                String::new(),
                form,
            )
            .await
        }
    }
}

/// `/meetings/{id}/event.ics`: the meeting and its occurrences for a calendar.
pub async fn event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: MeetingId = page_id(&raw)?;
    let body = crate::services::calendar::meeting_events(&state, &actor, &id).await?;
    Ok(crate::services::download::ics(body, Some("meeting.ics")))
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: MeetingId = page_id(&raw)?;
    meetings::delete(&state, &actor, &id).await?;
    Ok(ctx.redirect_with("/meetings", "Meeting deleted."))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InstanceForm {
    #[serde(default)]
    scheduled_at: String,
    #[serde(default)]
    tz_offset: Option<String>,
    #[serde(default)]
    notes: String,
    /// The version the edit form was showing (`If-Match`).
    #[serde(default)]
    version: Option<String>,
}

/// `POST /meetings/{id}/instances`: an occurrence of the meeting, with its notes.
pub async fn add_instance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<InstanceForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: MeetingId = page_id(&raw)?;
    let req = CreateInstanceRequest {
        scheduled_at: Some(local_to_utc(&f.scheduled_at, f.tz_offset.as_deref())),
        notes: filled(&f.notes),
        participant_ids: None,
    };
    match meetings::create_instance(&state, &actor, &id, req).await {
        Ok(_) => Ok(ctx.redirect_with(&format!("/meetings/{id}"), "Occurrence added.")),
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            show_meeting(&state, &ctx, &id, status, (f.scheduled_at, f.notes), form).await
        }
    }
}

#[derive(Template)]
#[template(path = "meetings/instance.html")]
struct InstancePage {
    layout: Layout,
    id: String,
    meeting_id: String,
    meeting_title: String,
    scheduled_at: String,
    scheduled_utc: String,
    notes: String,
    /// The version of the occurrence the form shows (`If-Match`).
    version: Option<String>,
    form: FormState,
}

pub async fn instance_edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: MeetingInstanceId = page_id(&raw)?;
    let InstanceOfMeeting {
        meeting: m,
        instance: i,
    } = meetings::instance_edit_view(&state, &actor, &id).await?;
    Ok(ctx.render(&InstancePage {
        layout: ctx.layout(&format!("{}: an occurrence", m.title)),
        id: i.id.to_string(),
        meeting_id: m.id.to_string(),
        meeting_title: m.title.clone(),
        scheduled_at: i.scheduled_at.to_rfc3339()[..16].to_owned(),
        scheduled_utc: i.scheduled_at.to_rfc3339(),
        notes: i.notes.unwrap_or_default(),
        version: Some(i.version.to_string()),
        form: FormState::default(),
    }))
}

pub async fn update_instance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<InstanceForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: MeetingInstanceId = page_id(&raw)?;
    let req = UpdateInstanceRequest {
        scheduled_at: Patch::Value(local_to_utc(&f.scheduled_at, f.tz_offset.as_deref())),
        notes: filled_or_cleared(&f.notes),
        participant_ids: Patch::Absent,
    };
    let if_match = shown_version(f.version.as_deref());
    match meetings::update_instance(&state, &actor, &id, req, &if_match).await {
        Ok(i) => Ok(ctx.redirect_with(&format!("/meetings/{}", i.meeting_id), "Occurrence saved.")),
        Err(e) => {
            let InstanceOfMeeting {
                meeting: m,
                instance: i,
            } = meetings::instance_edit_view(&state, &actor, &id).await?;
            let (status, form) = match e {
                ApiError::Stale(_, by) => {
                    let theirs_at = i.scheduled_at.to_rfc3339();
                    let typed_at = local_to_utc(&f.scheduled_at, f.tz_offset.as_deref());
                    let c = Conflict::new(by, "this occurrence")
                        .field(
                            "Date and time (UTC)",
                            &theirs_at[..16],
                            typed_at.get(..16).unwrap_or(&typed_at),
                        )
                        .field("Notes", i.notes.as_deref().unwrap_or_default(), &f.notes);
                    FormState::conflict(c)
                }
                e => FormState::refusal(e, Some(<MeetingInstanceId as PathId>::NOT_FOUND))?,
            };
            // After a conflict the form names their version; else the one it was showing.
            let version = match form.conflict {
                Some(_) => Some(i.version.to_string()),
                None => f.version,
            };
            Ok(ctx.render_status(
                status,
                &InstancePage {
                    layout: ctx.layout(&format!("{}: an occurrence", m.title)),
                    id: i.id.to_string(),
                    meeting_id: m.id.to_string(),
                    meeting_title: m.title.clone(),
                    scheduled_at: f.scheduled_at,
                    scheduled_utc: String::new(),
                    notes: f.notes,
                    version,
                    form,
                },
            ))
        }
    }
}

pub async fn delete_instance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: MeetingInstanceId = page_id(&raw)?;
    let i = meetings::get_instance(&state, &actor, &id).await?;
    meetings::delete_instance(&state, &actor, &id).await?;
    Ok(ctx.redirect_with(
        &format!("/meetings/{}", i.meeting_id),
        "Occurrence deleted.",
    ))
}
