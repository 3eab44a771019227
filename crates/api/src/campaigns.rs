//! `/api/feedback-campaigns` (docs/API.md §8) and the public answer flow at
//! `/api/public/feedback/{inviteToken}`.

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppPath, AppQuery, CurrentUser, Id, IfMatch, Paging},
    schema::PaginationView,
    services::campaigns::{
        self, CampaignsQuery, CreateCampaignRequest, PublicAnswerRequest, UpdateCampaignRequest,
    },
    state::AppState,
    versioned::{IfMatchHeader, Stale, Versioned, answer},
};
use axum::{extract::State, http::StatusCode, response::Response};
use manageros_core::CampaignId;
use manageros_store::repo::campaigns::Campaign;
use serde::Serialize;
use utoipa::ToSchema;

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
    /// Answers are shown once this many people have answered (3 or more).
    pub min_responses: u32,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Its version: increased by every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
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
            min_responses: c.min_responses,
            created_at: c.created_at.to_rfc3339(),
            updated_at: c.updated_at.to_rfc3339(),
            version: c.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignResponse {
    pub feedback_campaign: CampaignView,
    /// On `GET /api/feedback-campaigns/{id}` only: the invitees whose address belongs to
    /// nobody of the organization (no member, no person). Answers stay anonymous only among
    /// people who could have written them; these could be anyone, the creator included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_invite_emails: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignsResponse {
    pub feedback_campaigns: Vec<CampaignView>,
    pub pagination: PaginationView,
}

impl From<&Campaign> for CampaignResponse {
    fn from(c: &Campaign) -> Self {
        Self {
            feedback_campaign: CampaignView::from(c),
            outside_invite_emails: None,
        }
    }
}

/// The campaigns the caller may see: their own, or all for admins (feedback-campaign.view).
#[utoipa::path(get, path = "/api/feedback-campaigns", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    params(CampaignsQuery, Paging),
    responses((status = 200, body = CampaignsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(q): AppQuery<CampaignsQuery>,
) -> Result<AppJson<CampaignsResponse>, ApiError> {
    let (list, page) = campaigns::list(&state, &caller.actor(), q, &paging).await?;
    Ok(AppJson(CampaignsResponse {
        feedback_campaigns: list.iter().map(CampaignView::from).collect(),
        pagination: page.into(),
    }))
}

/// A campaign (feedback-campaign.view).
#[utoipa::path(get, path = "/api/feedback-campaigns/{id}", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = CampaignResponse, headers(("ETag" = String, description = "Its version, for If-Match on a change"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_campaign(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<CampaignId>,
) -> Result<Versioned<CampaignResponse>, ApiError> {
    let (c, outside) = campaigns::with_outsiders(&state, &caller.actor(), &id).await?;
    let mut outside: Vec<String> = outside.iter().map(ToString::to_string).collect();
    outside.sort();
    Ok(Versioned(
        c.version,
        CampaignResponse {
            outside_invite_emails: Some(outside),
            ..CampaignResponse::from(&c)
        },
    ))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteeAboutMeView {
    pub email: String,
    /// The address belongs to nobody of the organization (no member, no person).
    pub outside_organization: bool,
}

/// A campaign about the caller, as its subject sees it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignAboutMeView {
    pub id: String,
    pub name: String,
    /// `draft`, `active`, `completed` or `cancelled`.
    pub status: &'static str,
    #[schema(format = DateTime)]
    pub start_date: String,
    #[schema(format = DateTime)]
    pub end_date: String,
    pub created_by_id: String,
    pub created_by_name: String,
    pub response_count: u64,
    pub min_responses: u32,
    /// Everyone asked, in address order.
    pub invitees: Vec<InviteeAboutMeView>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignsAboutMeResponse {
    pub feedback_campaigns: Vec<CampaignAboutMeView>,
}

/// The feedback campaigns about me (the caller's person), newest first, at most 50: who
/// started each, whom it asked and which of them are outside the organization. Never the
/// answers: those are for the campaign's creator and the admins.
#[utoipa::path(get, path = "/api/me/feedback-campaigns", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = CampaignsAboutMeResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn campaigns_about_me(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<CampaignsAboutMeResponse>, ApiError> {
    let list = campaigns::about_me(&state, &caller.actor()).await?;
    Ok(AppJson(CampaignsAboutMeResponse {
        feedback_campaigns: list
            .iter()
            .map(|a| {
                let c = &a.campaign;
                let invitees = a
                    .invitees
                    .iter()
                    .map(|(e, outside)| InviteeAboutMeView {
                        email: e.to_string(),
                        outside_organization: *outside,
                    })
                    .collect();
                CampaignAboutMeView {
                    id: c.id.to_string(),
                    name: c.name.clone(),
                    status: c.status.as_str(),
                    start_date: c.start_date.to_rfc3339(),
                    end_date: c.end_date.to_rfc3339(),
                    created_by_id: c.created_by.to_string(),
                    created_by_name: a.creator.clone(),
                    response_count: c.response_count,
                    min_responses: c.min_responses,
                    invitees,
                }
            })
            .collect(),
    }))
}

/// One invitee's answers, anonymous: no id, no time.
#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    /// One answer per question, in the order of the questions.
    pub answers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnswersResponse {
    pub questions: Vec<String>,
    /// Whether the answers are shown: once `responseCount` reaches `minResponses`.
    pub shown: bool,
    pub response_count: u64,
    pub min_responses: u32,
    /// Anonymous: who gave which answer, and when, is not shown; sorted by text. Empty until
    /// `shown`.
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
    Id(id): Id<CampaignId>,
) -> Result<AppJson<AnswersResponse>, ApiError> {
    let (c, list) = campaigns::responses(&state, &caller.actor(), &id).await?;
    Ok(AppJson(AnswersResponse {
        questions: c.questions,
        shown: list.is_some(),
        response_count: c.response_count,
        min_responses: c.min_responses,
        responses: list
            .unwrap_or_default()
            .into_iter()
            .map(|answers| AnswerView { answers })
            .collect(),
    }))
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
    let c = campaigns::create(&state, &caller.actor(), body).await?;
    Ok((StatusCode::CREATED, AppJson(CampaignResponse::from(&c))))
}

/// Change a campaign (feedback-campaign.edit: its creator and admins). Setting it `active`
/// mails the invitees not mailed yet.
#[utoipa::path(patch, path = "/api/feedback-campaigns/{id}", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = UpdateCampaignRequest,
    responses((status = 200, body = CampaignResponse, headers(("ETag" = String, description = "Its new version"))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 412, body = Stale<CampaignResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_campaign(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<CampaignId>,
    if_match: IfMatch,
    AppJson(body): AppJson<UpdateCampaignRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = campaigns::update(&state, &actor, &id, body, &if_match).await;
    answer(
        changed,
        |c| Versioned(c.version, CampaignResponse::from(c)),
        || campaigns::get(&state, &actor, &id),
    )
    .await
}

/// Delete a campaign and its answers (feedback-campaign.delete: its creator and admins).
#[utoipa::path(delete, path = "/api/feedback-campaigns/{id}", tag = "feedback-campaigns",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_campaign(
    State(state): State<AppState>,
    caller: CurrentUser,
    Id(id): Id<CampaignId>,
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
    campaigns::answer(&state, &token, body).await?;
    Ok(StatusCode::CREATED)
}
