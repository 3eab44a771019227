//! Feedback campaigns: questions about one person, mailed to a list of addresses when the
//! campaign becomes active; each invitee answers once, without an account, by their link.
//! The creator and admins see and change a campaign. Each function asks authz once (or, on the
//! public side, checks the link's token, which is the credential), then validates, then writes.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    load::{self, authorized, reread},
    mail::Mail,
    outbox,
    parse::Paging,
    patch::{Patch, required},
    refs, session,
    state::AppState,
    tasks::date,
    validate,
};
use crate::{
    extract::IfMatch,
    versions::{self, Versioned},
};
use manageros_core::{
    CampaignId, CampaignStatus, Email, Invalid, PageInfo, Timestamp,
    authz::{self, Action, Actor},
    bounded_text, single_line,
};
use manageros_store::{
    begin_write,
    repo::{
        campaigns::{self, Campaign, CampaignFields},
        persons, users,
    },
};
use serde::Deserialize;
use std::collections::HashSet;
use utoipa::{IntoParams, ToSchema};

pub const TARGET_NOT_FOUND: &str = "Target person not found or access denied";
pub const FORM_NOT_FOUND: &str = "Feedback request not found or closed";

fn check_dates(f: &CampaignFields) -> Result<(), ApiError> {
    if f.end_date < f.start_date {
        return Err(ApiError::invalid(
            "endDate",
            "End date must not be before the start date",
        ));
    }
    Ok(())
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CampaignsQuery {
    #[param(value_type = Option<input::CampaignStatusFilter>, inline)]
    pub status: Option<String>,
}

/// The campaigns the caller may see: their own, or all for admins (feedback-campaign.view),
/// filtered in SQL by the view rule's scope.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    q: CampaignsQuery,
    paging: &Paging,
) -> Result<(Vec<Campaign>, PageInfo), ApiError> {
    let org = load::org_of(actor, Action::FeedbackCampaignView)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let status = errors
        .take(
            "status",
            crate::parse::filter(q.status.as_deref(), CampaignStatus::parse),
        )
        .flatten();
    errors.finish()?;
    let scope = authz::campaign_scope(actor);
    let (list, total) = campaigns::list(&state.db, &org, &scope, status, page).await?;
    Ok((list, page.info(total)))
}

/// A campaign (feedback-campaign.view).
pub async fn get(state: &AppState, actor: &Actor, id: &CampaignId) -> Result<Campaign, ApiError> {
    let (_, c) = authorized(&state.db, actor, id, Action::FeedbackCampaignView).await?;
    Ok(c)
}

/// A campaign and which of its invitees are outside the organization (feedback-campaign.view:
/// its creator and the admins). An answer's anonymity rests on the other invitees being
/// people who could have written it; invitees outside the organization may be anyone, the
/// creator included, so the admins and the subject are shown them (issue 24).
pub async fn with_outsiders(
    state: &AppState,
    actor: &Actor,
    id: &CampaignId,
) -> Result<(Campaign, HashSet<Email>), ApiError> {
    let (org, c) =
        authorized::<Campaign>(&state.db, actor, id, Action::FeedbackCampaignView).await?;
    let outside = campaigns::outside(&state.db, &org, &c.invite_emails).await?;
    Ok((c, outside))
}

/// The campaigns page, from one call: the list (or the 400 its filter earned, shown beside
/// it), the names of the people they are about, the campaigns about the caller, and whether
/// the caller may start one.
pub struct ListView {
    pub list: Result<(Vec<Campaign>, PageInfo), ApiError>,
    /// The organization's names (the cached directory), for each campaign's subject.
    pub names: std::sync::Arc<crate::names::Directory>,
    pub about_me: Vec<AboutMe>,
    pub may_create: bool,
}

/// `GET /campaigns`'s view. Reads only.
pub async fn list_page(
    state: &AppState,
    actor: &Actor,
    names_version: i64,
    q: CampaignsQuery,
    paging: &Paging,
) -> Result<ListView, ApiError> {
    let names = crate::names::of(state, actor, names_version).await?;
    let list = match list(state, actor, q, paging).await {
        Err(e) if !matches!(e, ApiError::Validation(_)) => return Err(e),
        list => list,
    };
    Ok(ListView {
        list,
        names,
        about_me: about_me(state, actor).await?,
        may_create: crate::permissions::holds(actor, Action::FeedbackCampaignCreate).allowed,
    })
}

/// A campaign about the caller, as its subject sees it: who started it, whom it asked and
/// which of them are outside the organization, how many answered; never the answers.
pub struct AboutMe {
    pub campaign: Campaign,
    pub creator: String,
    /// Everyone asked, by address, each with whether they are outside the organization.
    pub invitees: Vec<(Email, bool)>,
}

/// The campaigns about the caller's person, newest first (`authz::campaign_subject_scope`).
pub async fn about_me(state: &AppState, actor: &Actor) -> Result<Vec<AboutMe>, ApiError> {
    let Some((org, me)) = authz::campaign_subject_scope(actor)? else {
        return Ok(vec![]);
    };
    let mut out = vec![];
    for campaign in campaigns::about(&state.db, &org, &me).await? {
        let creator = users::find(&state.db, &campaign.created_by)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let outside = campaigns::outside(&state.db, &org, &campaign.invite_emails).await?;
        let mut invitees: Vec<(Email, bool)> = campaign
            .invite_emails
            .iter()
            .map(|e| (e.clone(), outside.contains(e)))
            .collect();
        invitees.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        out.push(AboutMe {
            campaign,
            creator,
            invitees,
        });
    }
    Ok(out)
}

/// A campaign's answers, anonymous: who gave which answer, and when, is not kept apart from
/// the invitee list (feedback-campaign.view).
///
/// Shown only once at least `min_responses` (3 or more) people have answered, sorted by their
/// text, never in the order received: below that, the list is empty, so that adding an invitee
/// after each answer and comparing the lists cannot attribute the first answers.
pub async fn responses(
    state: &AppState,
    actor: &Actor,
    id: &CampaignId,
) -> Result<(Campaign, Option<Vec<Vec<String>>>), ApiError> {
    let (org, c) =
        authorized::<Campaign>(&state.db, actor, id, Action::FeedbackCampaignView).await?;
    if c.response_count < u64::from(c.min_responses) {
        return Ok((c, None));
    }
    let list = campaigns::responses(&state.db, &org, &c.id).await?;
    Ok((c, Some(list)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateCampaignRequest {
    #[schema(value_type = input::Title, inline, required = true)]
    pub name: Option<String>,
    #[schema(value_type = input::Id, inline, required = true)]
    pub target_person_id: Option<String>,
    #[schema(value_type = input::DateOrTime, inline, required = true)]
    pub start_date: Option<String>,
    #[schema(value_type = input::DateOrTime, inline, required = true)]
    pub end_date: Option<String>,
    /// Up to 200 addresses.
    #[serde(default)]
    #[schema(value_type = input::InviteEmails, inline, required = false)]
    pub invite_emails: Vec<String>,
    /// Default `draft`.
    #[schema(value_type = input::OptionalCampaignStatus, inline, required = false)]
    pub status: Option<String>,
    /// 1 to 20 questions of up to 500 characters; none (or absent) asks [`DEFAULT_QUESTIONS`].
    #[serde(default)]
    #[schema(value_type = input::Questions, inline, required = false)]
    pub questions: Vec<String>,
    /// Answers are shown once at least this many people have answered: 3 (the default) or more.
    #[serde(default, deserialize_with = "crate::patch::whole_number::option")]
    #[schema(minimum = 3, maximum = 200)]
    pub min_responses: Option<i64>,
}

/// What a campaign created without questions asks: what to keep, what to change, the
/// person's effect on others, and room for anything else.
pub const DEFAULT_QUESTIONS: [&str; 4] = [
    "What does this person do well that they should keep doing?",
    "What could this person do differently to be more effective?",
    "How has working with this person affected you or your team?",
    "Is there anything else you would like to share with them?",
];

/// The fewest answers before any is shown, so that no answer can be told apart by when it came.
pub const MIN_RESPONSES: i64 = 3;

fn min_responses(n: i64) -> Result<u32, Invalid> {
    if (MIN_RESPONSES..=MAX_INVITEES as i64).contains(&n) {
        Ok(n as u32)
    } else {
        Err(Invalid(format!(
            "Answers are shown from {MIN_RESPONSES} to {MAX_INVITEES} answers, never fewer than {MIN_RESPONSES}"
        )))
    }
}

/// The most questions a campaign has, and so the most answers an invitee gives.
const MAX_QUESTIONS: usize = 20;
/// The most invitees a campaign has.
const MAX_INVITEES: usize = 200;

fn questions(raw: Vec<String>) -> Result<Vec<String>, Invalid> {
    if raw.is_empty() || raw.len() > MAX_QUESTIONS {
        return Err(Invalid::new("A campaign has 1 to 20 questions"));
    }
    raw.iter()
        .map(|q| bounded_text(q, "Each question", 1, 500))
        .collect()
}

fn invite_emails(raw: Vec<String>) -> Result<Vec<Email>, Invalid> {
    if raw.len() > MAX_INVITEES {
        return Err(Invalid(format!("At most {MAX_INVITEES} invitees")));
    }
    let mut out: Vec<Email> = Vec::with_capacity(raw.len());
    let mut seen = std::collections::HashSet::with_capacity(raw.len());
    for e in raw {
        let e = Email::parse(&e)
            .map_err(|_| Invalid(format!("Invalid email address: {}", e.trim())))?;
        if seen.insert(e.as_str().to_owned()) {
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

/// Creates a campaign (feedback-campaign.create: admins, and members linked to a person).
/// When created `active`, the invitees are mailed their links.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CreateCampaignRequest,
) -> Result<Campaign, ApiError> {
    let org = load::permitted(actor, Action::FeedbackCampaignCreate)?;
    validate! {
        name = "name": single_line(input.name.as_deref().unwrap_or_default(), "Name", 1, 200),
        target = "targetPersonId": match input.target_person_id.as_deref().map(str::trim) {
            None | Some("") => Err(Invalid::new("Target person is required")),
            Some(t) => Ok(t.to_owned()),
        },
        start_date = "startDate": required_date(input.start_date.as_deref(), "Start date"),
        end_date = "endDate": required_date(input.end_date.as_deref(), "End date"),
        emails = "inviteEmails": invite_emails(input.invite_emails),
        status = "status": input.status.as_deref().map_or(Ok(CampaignStatus::Draft), CampaignStatus::parse),
        questions = "questions": if input.questions.is_empty() {
            Ok(DEFAULT_QUESTIONS.map(str::to_owned).to_vec())
        } else {
            questions(input.questions)
        },
        min_responses = "minResponses": min_responses(input.min_responses.unwrap_or(MIN_RESPONSES)),
    }
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let target = refs::person(&txn, &org, &target, TARGET_NOT_FOUND).await?;
    let fields = CampaignFields {
        name,
        target_person_id: target,
        start_date,
        end_date,
        status,
        questions,
        invite_emails: emails,
        min_responses,
    };
    check_dates(&fields)?;
    let id = campaigns::insert(&txn, &org, &actor.user_id, &fields, now).await?;
    let c = reread::<Campaign>(&txn, &org, &id).await?;
    take_mail_budget(state, &txn, &c).await?;
    send_invitations(&txn, state, &c).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(c)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCampaignRequest {
    #[serde(default)]
    #[schema(value_type = input::Title, inline, required = false)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::Id, inline, required = false)]
    pub target_person_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::DateOrTime, inline, required = false)]
    pub start_date: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::DateOrTime, inline, required = false)]
    pub end_date: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::InviteEmailsOrNull, inline, required = false)]
    pub invite_emails: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = input::CampaignStatus, inline, required = false)]
    pub status: Patch<String>,
    #[serde(default)]
    #[schema(value_type = input::QuestionsUpdate, inline, required = false)]
    pub questions: Patch<Vec<String>>,
    #[serde(default, deserialize_with = "crate::patch::whole_number::patch")]
    #[schema(value_type = i64, minimum = 3, maximum = 200)]
    pub min_responses: Patch<i64>,
}

/// Changes a campaign (feedback-campaign.edit: its creator and admins). Setting it `active`
/// mails the invitees not mailed yet. Permission comes before validation.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &CampaignId,
    input: UpdateCampaignRequest,
    if_match: &IfMatch,
) -> Result<Campaign, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, current) =
        authorized::<Campaign>(&txn, actor, id, Action::FeedbackCampaignEdit).await?;
    versions::claim(
        &txn,
        Versioned::Campaign,
        &org,
        current.id.as_str(),
        actor,
        if_match,
    )
    .await?;
    validate! {
        name = "name": required(input.name, "Name", |n| single_line(&n, "Name", 1, 200)),
        target = "targetPersonId": required(input.target_person_id, "Target person", Ok),
        start_date = "startDate": required(input.start_date, "Start date", |d| date(&d, "Start date")),
        end_date = "endDate": required(input.end_date, "End date", |d| date(&d, "End date")),
        emails = "inviteEmails": match input.invite_emails {
            Patch::Absent => Ok(None),
            Patch::Null => Ok(Some(vec![])),
            Patch::Value(v) => invite_emails(v).map(Some),
        },
        status = "status": required(input.status, "Status", |s| CampaignStatus::parse(&s)),
        questions = "questions": required(input.questions, "Questions", questions),
        min_responses = "minResponses": required(input.min_responses, "minResponses", min_responses),
    }
    let mut f = CampaignFields::from(&current);
    f.min_responses = min_responses.unwrap_or(f.min_responses);
    if let Some(raw) = &target {
        let target = refs::person(&txn, &org, raw, TARGET_NOT_FOUND).await?;
        if current.response_count > 0 && target != current.target_person_id {
            // The answers were written about the person they were asked about.
            return Err(ApiError::conflict(
                "The target person cannot change once someone has answered",
            ));
        }
        f.target_person_id = target;
    }
    if let Some(emails) = emails {
        // Once mailed, an invitee stays: removing one would delete their answer, and which
        // removals were refused would tell who had answered.
        let mailed = campaigns::mailed_emails(&txn, &org, &current.id).await?;
        if mailed.iter().any(|e| !emails.contains(e)) {
            return Err(ApiError::conflict(
                "Invitees cannot be removed once their link has been sent",
            ));
        }
        f.invite_emails = emails;
    }
    if let Some(q) = questions {
        if current.response_count > 0 && q != current.questions {
            return Err(ApiError::conflict(
                "The questions cannot change once someone has answered",
            ));
        }
        f.questions = q;
    }
    f.name = name.unwrap_or(f.name);
    f.start_date = start_date.unwrap_or(f.start_date);
    f.end_date = end_date.unwrap_or(f.end_date);
    f.status = status.unwrap_or(f.status);
    check_dates(&f)?;
    campaigns::update(&txn, &org, &current.id, &f, now).await?;
    let c = reread::<Campaign>(&txn, &org, &current.id).await?;
    take_mail_budget(state, &txn, &c).await?;
    send_invitations(&txn, state, &c).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(c)
}

/// Deletes a campaign and its answers (feedback-campaign.delete: its creator and admins).
pub async fn delete(state: &AppState, actor: &Actor, id: &CampaignId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, c) = authorized::<Campaign>(&txn, actor, id, Action::FeedbackCampaignDelete).await?;
    campaigns::delete(&txn, &org, &c.id).await?;
    txn.commit().await?;
    Ok(())
}

/// Spends the mail budget of what [`send_invitations`] is about to queue (nothing unless the
/// campaign is active), inside the write: refused, the change rolls back.
async fn take_mail_budget(
    state: &AppState,
    txn: &impl manageros_store::ConnectionTrait,
    c: &Campaign,
) -> Result<(), ApiError> {
    if c.status != CampaignStatus::Active {
        return Ok(());
    }
    let unsent = campaigns::unsent(txn, &c.organization_id, &c.id).await?;
    let to: Vec<&str> = unsent.iter().map(|u| u.email.as_str()).collect();
    state
        .mail_budget
        .take(txn, state.now(), Some(&c.organization_id), &to)
        .await
}

/// Queues, in the transaction that made the campaign active (or changed it while active), an
/// email to every invitee not mailed yet. Each invitee is claimed as it is queued, so
/// concurrent changes mail each one once, with one live link.
async fn send_invitations(
    txn: &impl manageros_store::ConnectionTrait,
    state: &AppState,
    c: &Campaign,
) -> Result<(), ApiError> {
    if c.status != CampaignStatus::Active {
        return Ok(());
    }
    let org = &c.organization_id;
    let about = persons::find(txn, org, &c.target_person_id)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    for invite in campaigns::unsent(txn, org, &c.id).await? {
        let token = session::new_token();
        if !campaigns::claim_for_sending(
            txn,
            org,
            &invite.invite_id,
            &session::hash_token(&token),
            state.now(),
        )
        .await?
        {
            continue;
        }
        let link = state.config.link("/feedback", &token);
        let end = c.end_date.to_string();
        let body = format!(
            "Hello,\n\n\
             You are invited to give feedback on {about} in the campaign \u{201c}{name}\u{201d}.\n\
             Answer here, no account needed, until {end}:\n\n\
             {link}\n\n\
             The link is yours alone and can be used once.\n",
            name = c.name,
        );
        let html = crate::mail::html::FeedbackRequest {
            about: &about,
            name: &c.name,
            end: end.clone(),
            link: &link,
        };
        let subject = format!("Your feedback on {about} is requested");
        let mail = Mail::new(invite.email.to_string(), subject, body, &html)
            .map_err(ApiError::internal)?;
        outbox::queue(txn, state, &mail, Some(org), Some(c.id.as_str())).await?;
    }
    Ok(())
}

/// A campaign as its page shows it: who it is about, who was asked and who answered (never
/// who said what), and the answers once enough people have answered.
pub struct CampaignPage {
    pub campaign: Campaign,
    pub about: String,
    pub invitees: Vec<campaigns::Invitee>,
    /// The invitees outside the organization ([`with_outsiders`]).
    pub outside: HashSet<Email>,
    /// `None` until `min_responses` people have answered.
    pub answers: Option<Vec<Vec<String>>>,
}

/// A campaign's page (feedback-campaign.view: its creator and admins).
pub async fn page(
    state: &AppState,
    actor: &Actor,
    id: &CampaignId,
) -> Result<CampaignPage, ApiError> {
    let (org, c) =
        authorized::<Campaign>(&state.db, actor, id, Action::FeedbackCampaignView).await?;
    let about = persons::find(&state.db, &org, &c.target_person_id)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    let invitees = campaigns::invitees(&state.db, &org, &c.id).await?;
    let outside = campaigns::outside(&state.db, &org, &c.invite_emails).await?;
    let answers = if c.response_count >= u64::from(c.min_responses) {
        Some(campaigns::responses(&state.db, &org, &c.id).await?)
    } else {
        None
    };
    Ok(CampaignPage {
        campaign: c,
        about,
        invitees,
        outside,
        answers,
    })
}

/// Where a public link stands, for the page it opens.
pub enum PublicLink {
    Open(Box<PublicForm>),
    /// Answered already with this link.
    Answered {
        name: String,
    },
    /// A draft, or before its start date.
    NotYetOpen {
        name: String,
        start: Timestamp,
    },
    /// Past its end date, completed or cancelled.
    Closed {
        name: String,
    },
}

/// The campaign behind a public link, whatever its state (a link nobody was sent is a 404).
pub async fn public_link(state: &AppState, token: &str) -> Result<PublicLink, ApiError> {
    let (_, answered, campaign) = campaigns::find_by_token(&state.db, &session::hash_token(token))
        .await?
        .ok_or_else(|| ApiError::not_found(FORM_NOT_FOUND))?;
    let now = state.now();
    let name = campaign.name.clone();
    if campaign.is_open(now) {
        if answered {
            return Ok(PublicLink::Answered { name });
        }
        return public_form(state, token)
            .await
            .map(|f| PublicLink::Open(Box::new(f)));
    }
    let not_yet = campaign.status == CampaignStatus::Draft
        || (campaign.status == CampaignStatus::Active && now < campaign.start_date);
    Ok(if not_yet {
        PublicLink::NotYetOpen {
            name,
            start: campaign.start_date,
        }
    } else {
        PublicLink::Closed { name }
    })
}

/// The form behind a public link, if it is open now.
pub struct PublicForm {
    pub campaign: Campaign,
    pub about: String,
    pub already_answered: bool,
}

pub async fn public_form(state: &AppState, token: &str) -> Result<PublicForm, ApiError> {
    let (_, answered, campaign) = campaigns::find_by_token(&state.db, &session::hash_token(token))
        .await?
        .filter(|(_, _, c)| c.is_open(state.now()))
        .ok_or_else(|| ApiError::not_found(FORM_NOT_FOUND))?;
    let about = persons::find(
        &state.db,
        &campaign.organization_id,
        &campaign.target_person_id,
    )
    .await?
    .map(|p| p.name)
    .unwrap_or_default();
    Ok(PublicForm {
        campaign,
        about,
        already_answered: answered,
    })
}

#[derive(Deserialize, ToSchema, Default)]
pub struct PublicAnswerRequest {
    /// One answer per question, in order; each up to 5000 characters.
    #[serde(default)]
    #[schema(value_type = input::Answers, inline, required = false)]
    pub answers: Vec<String>,
}

/// Each answer trimmed and within bounds, and at least one given. More answers than a
/// campaign can have questions are refused before any is read.
fn judge_answers(raw: &[String]) -> Result<Vec<String>, ApiError> {
    if raw.len() > MAX_QUESTIONS {
        return Err(ApiError::invalid(
            "answers",
            format!("At most {MAX_QUESTIONS} answers, one per question"),
        ));
    }
    let answers = raw
        .iter()
        .map(|a| {
            manageros_core::long_text(a.trim(), "Each answer", 5000)
                .map_err(|e| ApiError::invalid("answers", e.0))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if answers.iter().all(String::is_empty) {
        return Err(ApiError::invalid("answers", "Answer at least one question"));
    }
    Ok(answers)
}

/// Records the answers of the invitee holding `token`, once. Everything it depends on (the
/// campaign open, the invitee not yet answered, the questions) is read inside the write; the
/// token is checked before the answers are judged.
pub async fn answer(
    state: &AppState,
    token: &str,
    input: PublicAnswerRequest,
) -> Result<(), ApiError> {
    let now = state.now();
    // Judged before the write opens (the body can be long), reported after the token check.
    let judged = judge_answers(&input.answers);
    let txn = begin_write(&state.db).await?;
    let (invite_id, answered, c) = campaigns::find_by_token(&txn, &session::hash_token(token))
        .await?
        .filter(|(_, _, c)| c.is_open(now))
        .ok_or_else(|| ApiError::not_found(FORM_NOT_FOUND))?;
    let answers = judged?;
    let already = || ApiError::conflict("You have already answered this feedback request");
    if answered {
        return Err(already());
    }
    if answers.len() != c.questions.len() {
        return Err(ApiError::invalid(
            "answers",
            format!("Expected {} answers, one per question", c.questions.len()),
        ));
    }
    if !campaigns::record_response(&txn, &c.organization_id, &c.id, &invite_id, &answers, now)
        .await?
    {
        return Err(already());
    }
    // Enough answers to be shown: the one who asked is told, once.
    let count = c.response_count + 1;
    if count >= u64::from(c.min_responses) {
        crate::notify::campaign_ready(&txn, state, &c, count).await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    Ok(())
}
