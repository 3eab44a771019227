//! `/api/feedback-campaigns` (docs/API.md §8) and the public answer flow at
//! `/api/public/feedback/{inviteToken}`.

use crate::{
    access,
    api::schema::{PaginationView, page_from},
    error::{ApiError, ErrorBody, FieldErrors},
    extract::{AppJson, AppPath, AppQuery, CurrentUser},
    patch::{Patch, required},
    services::{
        campaigns::{self, CampaignDraft, CampaignPatch},
        tasks::date,
    },
    state::AppState,
    validate,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::{
    CampaignStatus, Email, Invalid, Timestamp,
    authz::{self, Action},
    bounded_text,
};
use manageros_store::repo::campaigns::{self as repo, Campaign};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A feedback campaign.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignView {
    pub id: String,
    pub name: String,
    pub target_person_id: String,
    pub created_by_id: String,
    #[schema(format = DateTime)]
    pub start_date: String,
    #[schema(format = DateTime)]
    pub end_date: String,
    pub invite_emails: Vec<String>,
    /// `draft`, `active`, `completed` or `cancelled`. Invitees are mailed when it is active.
    pub status: &'static str,
    pub questions: Vec<String>,
    pub response_count: u64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&Campaign> for CampaignView {
    fn from(c: &Campaign) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name.clone(),
            target_person_id: c.target_person_id.to_string(),
            created_by_id: c.created_by.to_string(),
            start_date: c.start_date.to_rfc3339(),
            end_date: c.end_date.to_rfc3339(),
            invite_emails: c.invite_emails.iter().map(ToString::to_string).collect(),
            status: c.status.as_str(),
            questions: c.questions.clone(),
            response_count: c.response_count,
            created_at: c.created_at.to_rfc3339(),
            updated_at: c.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignResponse {
    pub feedback_campaign: CampaignView,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignsResponse {
    pub feedback_campaigns: Vec<CampaignView>,
    pub pagination: PaginationView,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignsQuery {
    pub status: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

/// The campaigns the caller may see: their own, or all for admins (feedback-campaign.view).
#[utoipa::path(get, path = "/api/feedback-campaigns", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    params(CampaignsQuery),
    responses((status = 200, body = CampaignsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<CampaignsQuery>,
) -> Result<AppJson<CampaignsResponse>, ApiError> {
    let actor = caller.actor();
    let org = access::org_for(&actor, Action::FeedbackCampaignView)?;
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    let status = errors
        .take(
            "status",
            q.status.as_deref().map(CampaignStatus::parse).transpose(),
        )
        .flatten();
    errors.finish()?;
    let (list, total) = repo::list(
        &state.db,
        &org,
        &authz::campaign_scope(&actor),
        status,
        page,
    )
    .await?;
    Ok(AppJson(CampaignsResponse {
        feedback_campaigns: list.iter().map(CampaignView::from).collect(),
        pagination: page.info(total).into(),
    }))
}

/// A campaign (feedback-campaign.view).
#[utoipa::path(get, path = "/api/feedback-campaigns/{id}", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = CampaignResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_campaign(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<CampaignResponse>, ApiError> {
    let (_, c) = campaigns::authorized(
        &state.db,
        &caller.actor(),
        &id,
        Action::FeedbackCampaignView,
    )
    .await?;
    Ok(AppJson(CampaignResponse {
        feedback_campaign: CampaignView::from(&c),
    }))
}

/// One invitee's answers, anonymous: no id, no time.
#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    /// One answer per question, in the order of the questions.
    pub answers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswersResponse {
    pub questions: Vec<String>,
    /// Anonymous: who gave which answer is not shown.
    pub responses: Vec<AnswerView>,
}

/// A campaign's answers, without who gave them or when (feedback-campaign.view).
#[utoipa::path(get, path = "/api/feedback-campaigns/{id}/responses", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AnswersResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn campaign_responses(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<AnswersResponse>, ApiError> {
    let (org, c) = campaigns::authorized(
        &state.db,
        &caller.actor(),
        &id,
        Action::FeedbackCampaignView,
    )
    .await?;
    let list = repo::responses(&state.db, &org, &c.id).await?;
    Ok(AppJson(AnswersResponse {
        questions: c.questions.clone(),
        responses: list
            .into_iter()
            .map(|answers| AnswerView { answers })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateCampaignRequest {
    pub name: Option<String>,
    pub target_person_id: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Up to 200 addresses.
    #[serde(default)]
    pub invite_emails: Vec<String>,
    /// Default `draft`.
    pub status: Option<String>,
    /// 1 to 20 questions of up to 500 characters.
    #[serde(default)]
    pub questions: Vec<String>,
}

fn questions(raw: Vec<String>) -> Result<Vec<String>, Invalid> {
    if raw.is_empty() || raw.len() > 20 {
        return Err(Invalid::new("A campaign has 1 to 20 questions"));
    }
    raw.iter()
        .map(|q| bounded_text(q, "Each question", 1, 500))
        .collect()
}

fn invite_emails(raw: Vec<String>) -> Result<Vec<Email>, Invalid> {
    if raw.len() > 200 {
        return Err(Invalid::new("At most 200 invitees"));
    }
    let mut out: Vec<Email> = Vec::with_capacity(raw.len());
    for e in raw {
        let e = Email::parse(&e)
            .map_err(|_| Invalid(format!("Invalid email address: {}", e.trim())))?;
        if !out.contains(&e) {
            out.push(e);
        }
    }
    Ok(out)
}

fn required_date(raw: Option<&str>, what: &str) -> Result<Timestamp, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Err(Invalid(format!("{what} is required"))),
        Some(s) => date(s, what),
    }
}

/// Create a campaign (feedback-campaign.create: admins, and members linked to a person).
/// When created `active`, the invitees are mailed their links.
#[utoipa::path(post, path = "/api/feedback-campaigns", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreateCampaignRequest,
    responses((status = 201, body = CampaignResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreateCampaignRequest>,
) -> Result<(StatusCode, AppJson<CampaignResponse>), ApiError> {
    let actor = caller.actor();
    access::org_for(&actor, Action::FeedbackCampaignCreate)?;
    authz::authorize_general(&actor, Action::FeedbackCampaignCreate, None)?;
    validate! {
        name = "name": bounded_text(body.name.as_deref().unwrap_or_default(), "Name", 1, 200),
        target = "targetPersonId": match body.target_person_id.as_deref().map(str::trim) {
            None | Some("") => Err(Invalid::new("Target person is required")),
            Some(t) => Ok(t.to_owned()),
        },
        start_date = "startDate": required_date(body.start_date.as_deref(), "Start date"),
        end_date = "endDate": required_date(body.end_date.as_deref(), "End date"),
        emails = "inviteEmails": invite_emails(body.invite_emails),
        status = "status": body.status.as_deref().map_or(Ok(CampaignStatus::Draft), CampaignStatus::parse),
        questions = "questions": questions(body.questions),
    }
    let draft = CampaignDraft {
        name,
        target_person_id: target,
        start_date,
        end_date,
        status,
        questions,
        invite_emails: emails,
    };
    let c = campaigns::create(&state, &actor, &caller.user.id, draft).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(CampaignResponse {
            feedback_campaign: CampaignView::from(&c),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCampaignRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub target_person_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub start_date: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub end_date: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub invite_emails: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub status: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub questions: Patch<Vec<String>>,
}

/// Change a campaign (feedback-campaign.edit: its creator and admins). Setting it `active`
/// mails the invitees not mailed yet.
#[utoipa::path(patch, path = "/api/feedback-campaigns/{id}", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = UpdateCampaignRequest,
    responses((status = 200, body = CampaignResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_campaign(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<UpdateCampaignRequest>,
) -> Result<AppJson<CampaignResponse>, ApiError> {
    let actor = caller.actor();
    campaigns::authorized(&state.db, &actor, &id, Action::FeedbackCampaignEdit).await?;
    validate! {
        name = "name": required(body.name, "Name", |n| bounded_text(&n, "Name", 1, 200)),
        target = "targetPersonId": required(body.target_person_id, "Target person", Ok),
        start_date = "startDate": required(body.start_date, "Start date", |d| date(&d, "Start date")),
        end_date = "endDate": required(body.end_date, "End date", |d| date(&d, "End date")),
        emails = "inviteEmails": match body.invite_emails {
            Patch::Absent => Ok(None),
            Patch::Null => Ok(Some(vec![])),
            Patch::Value(v) => invite_emails(v).map(Some),
        },
        status = "status": required(body.status, "Status", |s| CampaignStatus::parse(&s)),
        questions = "questions": required(body.questions, "Questions", questions),
    }
    let patch = CampaignPatch {
        name,
        target_person_id: target,
        start_date,
        end_date,
        status,
        questions,
        invite_emails: emails,
    };
    let c = campaigns::update(&state, &actor, &id, patch).await?;
    Ok(AppJson(CampaignResponse {
        feedback_campaign: CampaignView::from(&c),
    }))
}

/// Delete a campaign and its answers (feedback-campaign.delete: its creator and admins).
#[utoipa::path(delete, path = "/api/feedback-campaigns/{id}", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_campaign(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    campaigns::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// The public side: no account, the token of the emailed link is the credential.

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicFormView {
    pub name: String,
    /// The name of the person the feedback is about.
    pub about: String,
    pub questions: Vec<String>,
    #[schema(format = DateTime)]
    pub end_date: String,
    pub already_answered: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PublicFormResponse {
    pub form: PublicFormView,
}

/// The questions behind an emailed link, while the campaign is active and within its dates.
#[utoipa::path(get, path = "/api/public/feedback/{inviteToken}", tag = "feedback-campaigns",
    params(("inviteToken" = String, Path)),
    responses((status = 200, body = PublicFormResponse), (status = 404, body = ErrorBody, description = "Feedback request not found or closed"), (status = 429, body = ErrorBody)))]
pub async fn public_form(
    State(state): State<AppState>,
    AppPath(token): AppPath<String>,
) -> Result<AppJson<PublicFormResponse>, ApiError> {
    let f = campaigns::public_form(&state, &token).await?;
    Ok(AppJson(PublicFormResponse {
        form: PublicFormView {
            name: f.campaign.name.clone(),
            about: f.about.clone(),
            questions: f.campaign.questions.clone(),
            end_date: f.campaign.end_date.to_rfc3339(),
            already_answered: f.already_answered,
        },
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PublicAnswerRequest {
    /// One answer per question, in order; each up to 5000 characters.
    #[serde(default)]
    pub answers: Vec<String>,
}

/// Answer the questions behind an emailed link, once.
#[utoipa::path(post, path = "/api/public/feedback/{inviteToken}", tag = "feedback-campaigns",
    params(("inviteToken" = String, Path)),
    request_body = PublicAnswerRequest,
    responses((status = 201), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Already answered"), (status = 429, body = ErrorBody)))]
pub async fn public_answer(
    State(state): State<AppState>,
    AppPath(token): AppPath<String>,
    AppJson(body): AppJson<PublicAnswerRequest>,
) -> Result<StatusCode, ApiError> {
    let answers = body
        .answers
        .iter()
        .map(|a| {
            manageros_core::long_text(a.trim(), "Each answer", 5000)
                .map_err(|e| ApiError::invalid("answers", e.0))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if answers.iter().all(String::is_empty) {
        return Err(ApiError::invalid("answers", "Answer at least one question"));
    }
    campaigns::answer(&state, &token, answers).await?;
    Ok(StatusCode::CREATED)
}
