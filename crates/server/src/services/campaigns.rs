//! Feedback campaigns: questions about one person, mailed to a list of addresses when the
//! campaign becomes active; each invitee answers once, without an account, by their link.

use crate::{access, error::ApiError, mail::Mail, services::refs, session, state::AppState};
use manageros_core::{
    CampaignId, CampaignStatus, Email, OrgId, Timestamp, UserId,
    authz::{self, Action, Actor, Kind},
};
use manageros_store::{
    ConnectionTrait, DatabaseTransaction, begin_write,
    repo::{
        campaigns::{self, Campaign, CampaignFields},
        persons,
    },
};

use tracing::Instrument;

pub const TARGET_NOT_FOUND: &str = "Target person not found or access denied";
pub const FORM_NOT_FOUND: &str = "Feedback request not found or closed";

/// Loads a campaign of the caller's organization and authorizes `action` on it.
pub async fn authorized(
    db: &impl ConnectionTrait,
    actor: &Actor,
    raw_id: &str,
    action: Action,
) -> Result<(OrgId, Campaign), ApiError> {
    let org = access::org_for(actor, action)?;
    let id = access::id_or_404(raw_id, CampaignId::parse, Kind::FeedbackCampaign)?;
    let c = campaigns::find(db, &org, &id)
        .await?
        .ok_or_else(|| access::not_found(Kind::FeedbackCampaign))?;
    authz::authorize(actor, action, &c.target())?;
    Ok((org, c))
}

pub struct CampaignDraft {
    pub name: String,
    pub target_person_id: String,
    pub start_date: Timestamp,
    pub end_date: Timestamp,
    pub status: CampaignStatus,
    pub questions: Vec<String>,
    pub invite_emails: Vec<Email>,
}

#[derive(Default)]
pub struct CampaignPatch {
    pub name: Option<String>,
    pub target_person_id: Option<String>,
    pub start_date: Option<Timestamp>,
    pub end_date: Option<Timestamp>,
    pub status: Option<CampaignStatus>,
    pub questions: Option<Vec<String>>,
    pub invite_emails: Option<Vec<Email>>,
}

fn check_dates(f: &CampaignFields) -> Result<(), ApiError> {
    if f.end_date < f.start_date {
        return Err(ApiError::invalid(
            "endDate",
            "End date must not be before the start date",
        ));
    }
    Ok(())
}

async fn reread(
    txn: &DatabaseTransaction,
    org: &OrgId,
    id: &CampaignId,
) -> Result<Campaign, ApiError> {
    campaigns::find(txn, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "campaign {id} vanished inside its transaction"
        ))
    })
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    by: &UserId,
    d: CampaignDraft,
) -> Result<Campaign, ApiError> {
    let org = access::org_for(actor, Action::FeedbackCampaignCreate)?;
    authz::authorize_general(actor, Action::FeedbackCampaignCreate, None)?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let target = refs::person(&txn, &org, &d.target_person_id, TARGET_NOT_FOUND).await?;
    let fields = CampaignFields {
        name: d.name,
        target_person_id: target,
        start_date: d.start_date,
        end_date: d.end_date,
        status: d.status,
        questions: d.questions,
        invite_emails: d.invite_emails,
    };
    check_dates(&fields)?;
    let id = campaigns::insert(&txn, &org, by, &fields, now).await?;
    let c = reread(&txn, &org, &id).await?;
    txn.commit().await?;
    send_invitations(state, &c);
    Ok(c)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    raw_id: &str,
    p: CampaignPatch,
) -> Result<Campaign, ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (org, current) = authorized(&txn, actor, raw_id, Action::FeedbackCampaignEdit).await?;
    let mut f = CampaignFields::from(&current);
    if let Some(raw) = &p.target_person_id {
        let target = refs::person(&txn, &org, raw, TARGET_NOT_FOUND).await?;
        if current.response_count > 0 && target != current.target_person_id {
            // The answers were written about the person they were asked about.
            return Err(ApiError::conflict(
                "The target person cannot change once someone has answered",
            ));
        }
        f.target_person_id = target;
    }
    if let Some(emails) = p.invite_emails {
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
    if let Some(q) = p.questions {
        if current.response_count > 0 && q != current.questions {
            return Err(ApiError::conflict(
                "The questions cannot change once someone has answered",
            ));
        }
        f.questions = q;
    }
    f.name = p.name.unwrap_or(f.name);
    f.start_date = p.start_date.unwrap_or(f.start_date);
    f.end_date = p.end_date.unwrap_or(f.end_date);
    f.status = p.status.unwrap_or(f.status);
    check_dates(&f)?;
    campaigns::update(&txn, &org, &current.id, &f, now).await?;
    let c = reread(&txn, &org, &current.id).await?;
    txn.commit().await?;
    send_invitations(state, &c);
    Ok(c)
}

pub async fn delete(state: &AppState, actor: &Actor, raw_id: &str) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, c) = authorized(&txn, actor, raw_id, Action::FeedbackCampaignDelete).await?;
    campaigns::delete(&txn, &org, &c.id).await?;
    txn.commit().await?;
    Ok(())
}

/// Mails, in the background, every invitee not mailed yet once the campaign is active. Each
/// invitee is claimed before mailing, so concurrent activations mail each one once, with one
/// live link. A failed delivery is logged.
fn send_invitations(state: &AppState, c: &Campaign) {
    if c.status != CampaignStatus::Active {
        return;
    }
    let (state_for_task, campaign) = (state.clone(), c.clone());
    state.background.spawn(
        async move {
            if let Err(e) = mail_unsent(&state_for_task, &campaign).await {
                tracing::error!(error = ?e, campaign = %campaign.id, "could not send feedback requests");
            }
        }
        .instrument(tracing::Span::current()),
    );
}

async fn mail_unsent(state: &AppState, c: &Campaign) -> Result<(), ApiError> {
    let org = &c.organization_id;
    let about = persons::find(&state.db, org, &c.target_person_id)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    for invite in campaigns::unsent(&state.db, org, &c.id).await? {
        let token = session::new_token();
        if !campaigns::claim_for_sending(
            &state.db,
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
        let mail = Mail {
            to: invite.email.to_string(),
            subject: format!("Your feedback on {about} is requested"),
            body: format!(
                "Hello,\n\n\
                 You are invited to give feedback on {about} (\"{name}\").\n\
                 Answer here, no account needed, until {end}:\n\n\
                 {link}\n\n\
                 The link is yours alone and can be used once.\n",
                name = c.name,
                end = c.end_date,
            ),
        };
        if let Err(e) = state.mailer.send(mail).await {
            tracing::error!(error = ?e, campaign = %c.id, "could not send a feedback request");
        }
    }
    Ok(())
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

/// Records the answers of the invitee holding `token`, once. Everything it depends on (the
/// campaign open, the invitee not yet answered, the questions) is read inside the write.
pub async fn answer(state: &AppState, token: &str, answers: Vec<String>) -> Result<(), ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let (invite_id, answered, c) = campaigns::find_by_token(&txn, &session::hash_token(token))
        .await?
        .filter(|(_, _, c)| c.is_open(now))
        .ok_or_else(|| ApiError::not_found(FORM_NOT_FOUND))?;
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
    txn.commit().await?;
    Ok(())
}
