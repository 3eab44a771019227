//! Feedback campaigns in the browser: the list, creating one (with the default questions when
//! none are written), its page (who was asked, who answered — never who said what — and the
//! answers once enough people answered; start, close or delete it), and the public page the
//! emailed link opens, where an invitee answers without an account. Every page calls
//! `services::campaigns`, as `/api/feedback-campaigns` and `/api/public/feedback` do.

use super::names;
use super::{
    Conflict, Ctx, FormState, Layout, PageError, Pager, Posted, listed,
    oneonones::{Choice, When, page_id},
    shown_version,
    tasks::day,
};
use crate::services::names::Directory;
use crate::{
    error::ApiError,
    extract::{Paging, PathId},
    patch::Patch,
    services::{
        campaigns::{
            self, CampaignsQuery, CreateCampaignRequest, DEFAULT_QUESTIONS, PublicAnswerRequest,
            PublicLink, UpdateCampaignRequest,
        },
        people,
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
use manageros_core::{CampaignId, CampaignStatus, authz::Action};
use manageros_store::repo::campaigns::Campaign;
use serde::Deserialize;

pub fn status_label(s: CampaignStatus) -> &'static str {
    match s {
        CampaignStatus::Draft => "Draft",
        CampaignStatus::Active => "Collecting answers",
        CampaignStatus::Completed => "Completed",
        CampaignStatus::Cancelled => "Cancelled",
    }
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub about: String,
    pub status: &'static str,
    pub start: String,
    pub end: String,
    pub answered: u64,
    pub invited: usize,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    status: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "campaigns/list.html")]
struct ListPage {
    layout: Layout,
    statuses: Vec<(String, String, bool)>,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
    can_create: bool,
    form: FormState,
    /// The campaigns about the caller: who asked whom, never the answers.
    about_me: Vec<AboutMeRow>,
}

struct AboutMeRow {
    name: String,
    by: String,
    status: &'static str,
    answered: u64,
    /// `(email, outside the organization)`.
    invitees: Vec<(String, bool)>,
}

/// `/campaigns`: the caller's campaigns (all of them for admins), and those about them.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let member = ctx.member()?;
    let actor = member.actor();
    let paging = Paging {
        page: p.page.clone(),
        limit: None,
    };
    let q = CampaignsQuery {
        status: p.status.clone(),
    };
    let campaigns::ListView {
        list,
        names,
        about_me,
        may_create,
    } = campaigns::list_page(&state, &actor, member.names_version, q, &paging).await?;
    let (list, page, form) = listed(list)?;
    let rows = list
        .iter()
        .map(|c| Row {
            id: c.id.to_string(),
            name: c.name.clone(),
            about: names
                .person(c.target_person_id.as_str())
                .unwrap_or_default()
                .to_owned(),
            status: status_label(c.status),
            start: day(c.start_date),
            end: day(c.end_date),
            answered: c.response_count,
            invited: c.invite_emails.len(),
        })
        .collect();
    let current = p.status.clone().unwrap_or_default();
    let status_q = p
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| format!("status={s}&"))
        .unwrap_or_default();
    Ok(ctx.render_status(
        form.status(),
        &ListPage {
            layout: ctx.layout("Feedback campaigns"),
            statuses: std::iter::once((String::new(), "Any status".to_owned()))
                .chain(
                    CampaignStatus::ALL
                        .iter()
                        .map(|s| (s.as_str().to_owned(), status_label(*s).to_owned())),
                )
                .map(|(v, l)| {
                    let selected = v == current;
                    (v, l, selected)
                })
                .collect(),
            rows,
            total: page.total_count,
            pager: Pager::new(&page, |n| format!("/campaigns?{status_q}page={n}")),
            can_create: may_create,
            form,
            about_me: about_me
                .into_iter()
                .map(|a| AboutMeRow {
                    name: a.campaign.name.clone(),
                    by: a.creator,
                    status: status_label(a.campaign.status),
                    answered: a.campaign.response_count,
                    invitees: a
                        .invitees
                        .iter()
                        .map(|(e, outside)| (e.to_string(), *outside))
                        .collect(),
                })
                .collect(),
        },
    ))
}

/// The form's fields, as typed: invitees and questions one per line.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CampaignForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    target_person_id: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    invite_emails: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    min_responses: String,
    /// "Send the requests now": the campaign starts `active`.
    #[serde(default)]
    start_now: Option<String>,
    /// The version the edit form was showing (`If-Match`).
    #[serde(default)]
    version: Option<String>,
}

impl CampaignForm {
    /// The form's fields as `c` holds them (the edit form, and "theirs" in a conflict).
    fn of(c: &Campaign) -> Self {
        Self {
            name: c.name.clone(),
            target_person_id: c.target_person_id.to_string(),
            start_date: c.start_date.to_rfc3339()[..10].to_owned(),
            end_date: c.end_date.to_rfc3339()[..10].to_owned(),
            invite_emails: c
                .invite_emails
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            questions: c.questions.join("\n"),
            min_responses: c.min_responses.to_string(),
            start_now: None,
            version: Some(c.version.to_string()),
        }
    }

    /// Where `self` (typed) and `theirs` (saved) differ, by the labels the form shows.
    fn conflict(&self, theirs: &Self, by: Option<String>, names: &Directory) -> Conflict {
        let person = |id: &str| names.person(id).unwrap_or("nobody").to_owned();
        let emails = |raw: &str| lines(raw, true).join("\n");
        Conflict::new(by, "this campaign")
            .field("Name", &theirs.name, &self.name)
            .field(
                "About",
                &person(&theirs.target_person_id),
                &person(&self.target_person_id),
            )
            .field("Start date", &theirs.start_date, &self.start_date)
            .field("End date", &theirs.end_date, &self.end_date)
            .field(
                "Invitees",
                &emails(&theirs.invite_emails),
                &emails(&self.invite_emails),
            )
            .field(
                "Questions",
                &lines(&theirs.questions, false).join("\n"),
                &lines(&self.questions, false).join("\n"),
            )
            .field(
                "Answers needed before anyone sees them",
                &theirs.min_responses,
                &self.min_responses,
            )
    }
}

/// The lines of a text area that hold something (addresses may also be comma-separated).
fn lines(raw: &str, commas: bool) -> Vec<String> {
    raw.split(|c| c == '\n' || (commas && c == ','))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Template)]
#[template(path = "campaigns/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    /// Editing: no "send now" (a draft is started from its page).
    editing: bool,
    values: CampaignForm,
    people: Vec<Choice>,
    default_questions: Vec<&'static str>,
    form: FormState,
}

async fn show_form(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    edit: Option<(&str, &str)>,
    values: CampaignForm,
    form: FormState,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let (everyone, _) = people::everyone(state, &actor).await?;
    let (heading, action, submit, cancel) = match edit {
        None => (
            "New feedback campaign".to_owned(),
            "/campaigns".to_owned(),
            "Create campaign",
            "/campaigns".to_owned(),
        ),
        Some((id, name)) => (
            format!("Edit “{name}”"),
            format!("/campaigns/{id}"),
            "Save",
            format!("/campaigns/{id}"),
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
            editing: edit.is_some(),
            values,
            people: everyone
                .into_iter()
                .map(|p| Choice {
                    id: p.id.to_string(),
                    name: p.name,
                })
                .collect(),
            default_questions: DEFAULT_QUESTIONS.to_vec(),
            form,
        },
    ))
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    permissions::require_action(&ctx.member()?.actor(), Action::FeedbackCampaignCreate)?;
    let values = CampaignForm {
        min_responses: campaigns::MIN_RESPONSES.to_string(),
        ..Default::default()
    };
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
    Posted(f): Posted<CampaignForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let min = f.min_responses.trim();
    let result = match min.parse::<i64>() {
        Err(_) if !min.is_empty() => Err(ApiError::invalid(
            "minResponses",
            "minResponses must be a whole number",
        )),
        parsed => {
            let req = CreateCampaignRequest {
                name: Some(f.name.clone()),
                target_person_id: Some(f.target_person_id.clone()),
                start_date: Some(f.start_date.clone()),
                end_date: Some(f.end_date.clone()),
                invite_emails: lines(&f.invite_emails, true),
                status: Some(
                    if f.start_now.is_some() {
                        CampaignStatus::Active
                    } else {
                        CampaignStatus::Draft
                    }
                    .as_str()
                    .into(),
                ),
                questions: lines(&f.questions, false),
                min_responses: parsed.ok(),
            };
            campaigns::create(&state, &actor, req).await
        }
    };
    match result {
        Ok(c) => Ok(ctx.redirect_with(
            &format!("/campaigns/{}", c.id),
            &if c.status == CampaignStatus::Active {
                format!(
                    "Campaign “{}” started: the invitees are being emailed their links.",
                    c.name
                )
            } else {
                format!("Campaign “{}” saved as a draft.", c.name)
            },
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
    let id: CampaignId = page_id(&raw)?;
    let c = campaigns::get(&state, &actor, &id).await?;
    permissions::require_on(&actor, Action::FeedbackCampaignEdit, &c.target())?;
    let values = CampaignForm::of(&c);
    let id = c.id.to_string();
    show_form(
        &state,
        &ctx,
        StatusCode::OK,
        Some((&id, &c.name)),
        values,
        FormState::default(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<CampaignForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: CampaignId = page_id(&raw)?;
    let min = f.min_responses.trim();
    let result = match min.parse::<i64>() {
        Err(_) => Err(ApiError::invalid(
            "minResponses",
            "minResponses must be a whole number",
        )),
        Ok(min) => {
            let req = UpdateCampaignRequest {
                name: Patch::Value(f.name.clone()),
                target_person_id: Patch::Value(f.target_person_id.clone()),
                start_date: Patch::Value(f.start_date.clone()),
                end_date: Patch::Value(f.end_date.clone()),
                invite_emails: Patch::Value(lines(&f.invite_emails, true)),
                questions: Patch::Value(lines(&f.questions, false)),
                min_responses: Patch::Value(min),
                status: Patch::Absent,
            };
            let if_match = shown_version(f.version.as_deref());
            campaigns::update(&state, &actor, &id, req, &if_match).await
        }
    };
    match result {
        Ok(c) => Ok(ctx.redirect_with(&format!("/campaigns/{}", c.id), "Changes saved.")),
        Err(ApiError::Stale(_, by)) => {
            let now = campaigns::get(&state, &actor, &id).await?;
            let theirs = CampaignForm::of(&now);
            let names = names(&state, &ctx).await?;
            let (status, form) = FormState::conflict(f.conflict(&theirs, by, &names));
            let f = CampaignForm {
                version: theirs.version,
                ..f
            };
            let id = id.to_string();
            show_form(&state, &ctx, status, Some((&id, &now.name)), f, form).await
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, Some(<CampaignId as PathId>::NOT_FOUND))?;
            let name = f.name.clone();
            let id = id.to_string();
            show_form(&state, &ctx, status, Some((&id, &name)), f, form).await
        }
    }
}

/// One question and the answers given to it, sorted by their text.
pub struct Answered {
    pub question: String,
    pub answers: Vec<String>,
}

#[derive(Template)]
#[template(path = "campaigns/campaign.html")]
struct CampaignPage {
    layout: Layout,
    id: String,
    name: String,
    about: String,
    about_id: String,
    status: &'static str,
    is_draft: bool,
    is_active: bool,
    start: String,
    end: String,
    questions: Vec<String>,
    /// `(email, state, outside the organization)`.
    invitees: Vec<(String, &'static str, bool)>,
    /// How many invitees are outside the organization.
    outside: usize,
    answered: u64,
    min_responses: u32,
    answers: Option<Vec<Answered>>,
    can_edit: Allowed,
    can_delete: Allowed,
    created: When,
}

/// `/campaigns/{id}`: a campaign, who answered, and the answers once enough did.
pub async fn campaign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: CampaignId = page_id(&raw)?;
    let p = campaigns::page(&state, &actor, &id).await?;
    let c = &p.campaign;
    let answers = p.answers.as_ref().map(|responses| {
        c.questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let mut answers: Vec<String> = responses
                    .iter()
                    .filter_map(|r| r.get(i))
                    .filter(|a| !a.is_empty())
                    .cloned()
                    .collect();
                answers.sort();
                Answered {
                    question: q.clone(),
                    answers,
                }
            })
            .collect()
    });
    Ok(ctx.render(&CampaignPage {
        layout: ctx.layout(&c.name),
        id: c.id.to_string(),
        name: c.name.clone(),
        about: p.about.clone(),
        about_id: c.target_person_id.to_string(),
        status: status_label(c.status),
        is_draft: c.status == CampaignStatus::Draft,
        is_active: c.status == CampaignStatus::Active,
        start: day(c.start_date),
        end: day(c.end_date),
        questions: c.questions.clone(),
        invitees: p
            .invitees
            .iter()
            .map(|i| {
                (
                    i.email.to_string(),
                    if i.answered {
                        "Answered"
                    } else if i.mailed {
                        "Not yet"
                    } else {
                        "Not sent yet"
                    },
                    p.outside.contains(&i.email),
                )
            })
            .collect(),
        outside: p.outside.len(),
        answered: c.response_count,
        min_responses: c.min_responses,
        answers,
        can_edit: permissions::on(&actor, Action::FeedbackCampaignEdit, &c.target()),
        can_delete: permissions::on(&actor, Action::FeedbackCampaignDelete, &c.target()),
        created: When::of(c.created_at),
    }))
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

/// `POST /campaigns/{id}/status`: start a draft (the invitees are mailed) or close it.
pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(f): Posted<StatusForm>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: CampaignId = page_id(&raw)?;
    let req = UpdateCampaignRequest {
        status: Patch::Value(f.status),
        ..Default::default()
    };
    let back = format!("/campaigns/{id}");
    match campaigns::update(&state, &actor, &id, req, &Default::default()).await {
        Ok(c) => Ok(ctx.redirect_with(
            &back,
            &match c.status {
                CampaignStatus::Active => {
                    "Started: the invitees are being emailed their links.".to_owned()
                }
                s => format!("The campaign is now {}.", status_label(s).to_lowercase()),
            },
        )),
        Err(ApiError::Validation(fields)) => Ok(ctx.redirect_with(
            &back,
            fields
                .first()
                .map_or("The campaign could not be changed", |(_, m)| m.as_str()),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let id: CampaignId = page_id(&raw)?;
    campaigns::delete(&state, &actor, &id).await?;
    Ok(ctx.redirect_with("/campaigns", "Campaign deleted."))
}

// ---------------------------------------------------------------------------------------------
// The public page of an emailed link.

#[derive(Deserialize, Default)]
pub struct TokenParams {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "campaigns/public.html")]
struct PublicPage {
    layout: Layout,
    token: String,
    /// `open`, `answered`, `not-yet`, `closed` or `thanks`.
    state: &'static str,
    name: String,
    about: String,
    questions: Vec<(usize, String, String)>,
    start: String,
    form: FormState,
}

fn public_page(
    ctx: &Ctx,
    status: StatusCode,
    token: &str,
    link: PublicLink,
    typed: &[String],
    form: FormState,
) -> Response {
    let blank = |state, name: String| PublicPage {
        layout: ctx.layout("Feedback"),
        token: token.to_owned(),
        state,
        name,
        about: String::new(),
        questions: vec![],
        start: String::new(),
        form: FormState::default(),
    };
    let page = match link {
        PublicLink::Open(f) => PublicPage {
            layout: ctx.layout(&format!("Feedback on {}", f.about)),
            token: token.to_owned(),
            state: "open",
            name: f.campaign.name.clone(),
            about: f.about,
            questions: f
                .campaign
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| (i + 1, q.clone(), typed.get(i).cloned().unwrap_or_default()))
                .collect(),
            start: String::new(),
            form,
        },
        PublicLink::Answered { name } => blank("answered", name),
        PublicLink::NotYetOpen { name, start } => PublicPage {
            start: day(start),
            ..blank("not-yet", name)
        },
        PublicLink::Closed { name } => blank("closed", name),
    };
    ctx.render_status(status, &page)
}

/// `/feedback?token=`: the page an invitee's emailed link opens, no account needed.
pub async fn public(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<TokenParams>,
) -> Result<Response, PageError> {
    let link = campaigns::public_link(&state, p.token.trim()).await?;
    Ok(public_page(
        &ctx,
        StatusCode::OK,
        p.token.trim(),
        link,
        &[],
        FormState::default(),
    ))
}

/// `POST /feedback?token=`: the invitee's answers, one per question, once.
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<TokenParams>,
    Posted(pairs): Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let token = p.token.trim();
    let answers: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "answers")
        .map(|(_, v)| v)
        .collect();
    let req = PublicAnswerRequest {
        answers: answers.clone(),
    };
    match campaigns::answer(&state, token, req).await {
        Ok(()) => {
            let link = campaigns::public_link(&state, token).await?;
            let name = match link {
                PublicLink::Open(f) => f.campaign.name,
                PublicLink::Answered { name }
                | PublicLink::NotYetOpen { name, .. }
                | PublicLink::Closed { name } => name,
            };
            Ok(ctx.render(&PublicPage {
                layout: ctx.layout("Thank you"),
                token: String::new(),
                state: "thanks",
                name,
                about: String::new(),
                questions: vec![],
                start: String::new(),
                form: FormState::default(),
            }))
        }
        // Answered meanwhile (or twice): the page says so.
        Err(ApiError::Conflict(_)) => {
            let link = campaigns::public_link(&state, token).await?;
            Ok(public_page(
                &ctx,
                StatusCode::CONFLICT,
                token,
                link,
                &[],
                FormState::default(),
            ))
        }
        Err(e) => {
            let (status, form) = FormState::refusal(e, None)?;
            let link = campaigns::public_link(&state, token).await?;
            Ok(public_page(&ctx, status, token, link, &answers, form))
        }
    }
}
