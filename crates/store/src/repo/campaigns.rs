//! Feedback campaigns: a set of questions about one person, sent to a list of addresses whose
//! owners answer without an account, through a link with a one-time token.

use crate::entity::{campaign_invite, campaign_response, feedback_campaign};
use manageros_core::{
    CampaignId, CampaignResponseId, CampaignStatus, Email, OrgId, Page, PersonId, Timestamp,
    TokenId, UserId,
    authz::{CampaignFacts, CampaignScope, Target},
};
use sea_orm::{
    ActiveValue::Set, Condition, ConnectionTrait, DbErr, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, prelude::*,
};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Campaign {
    pub id: CampaignId,
    pub organization_id: OrgId,
    pub name: String,
    pub target_person_id: PersonId,
    pub created_by: UserId,
    pub start_date: Timestamp,
    pub end_date: Timestamp,
    pub status: CampaignStatus,
    pub questions: Vec<String>,
    pub invite_emails: Vec<Email>,
    pub response_count: u64,
    /// Answers are shown once at least this many people have answered (3 or more).
    pub min_responses: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change: what a writer's `If-Match` is compared with.
    pub version: i64,
}

impl Campaign {
    pub fn target(&self) -> Target {
        Target::FeedbackCampaign(CampaignFacts {
            org_id: self.organization_id.clone(),
            created_by: self.created_by.clone(),
        })
    }

    /// Whether invitees may answer now: active, and within its dates.
    pub fn is_open(&self, now: Timestamp) -> bool {
        self.status == CampaignStatus::Active && self.start_date <= now && now <= self.end_date
    }
}

/// The writable fields of a campaign.
#[derive(Clone, Debug)]
pub struct CampaignFields {
    pub name: String,
    pub target_person_id: PersonId,
    pub start_date: Timestamp,
    pub end_date: Timestamp,
    pub status: CampaignStatus,
    pub questions: Vec<String>,
    pub invite_emails: Vec<Email>,
    pub min_responses: u32,
}

impl From<&Campaign> for CampaignFields {
    fn from(c: &Campaign) -> Self {
        Self {
            name: c.name.clone(),
            target_person_id: c.target_person_id.clone(),
            start_date: c.start_date,
            end_date: c.end_date,
            status: c.status,
            questions: c.questions.clone(),
            invite_emails: c.invite_emails.clone(),
            min_responses: c.min_responses,
        }
    }
}

fn of(org: &OrgId) -> sea_orm::Select<feedback_campaign::Entity> {
    feedback_campaign::Entity::find()
        .filter(feedback_campaign::Column::OrganizationId.eq(org.as_str()))
}

fn scope_condition(scope: &CampaignScope) -> Condition {
    match scope {
        CampaignScope::All => Condition::all(),
        CampaignScope::CreatedBy(u) => {
            Condition::all().add(feedback_campaign::Column::CreatedById.eq(u.as_str()))
        }
    }
}

/// Completes campaign rows with their invitees and response counts: two queries per page.
async fn complete(
    db: &impl ConnectionTrait,
    org: &OrgId,
    rows: Vec<feedback_campaign::Model>,
) -> Result<Vec<Campaign>, DbErr> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut emails: HashMap<String, Vec<Email>> = HashMap::new();
    let mut counts: HashMap<String, u64> = HashMap::new();
    if !ids.is_empty() {
        for inv in campaign_invite::Entity::find()
            .filter(campaign_invite::Column::OrganizationId.eq(org.as_str()))
            .filter(campaign_invite::Column::CampaignId.is_in(ids.iter().copied()))
            .order_by(campaign_invite::Column::Email, Order::Asc)
            .all(db)
            .await?
        {
            emails
                .entry(inv.campaign_id)
                .or_default()
                .push(Email::from_db(inv.email));
        }
        let rows: Vec<(String, i64)> = campaign_response::Entity::find()
            .select_only()
            .column(campaign_response::Column::CampaignId)
            .column_as(campaign_response::Column::Id.count(), "n")
            .filter(campaign_response::Column::OrganizationId.eq(org.as_str()))
            .filter(campaign_response::Column::CampaignId.is_in(ids.iter().copied()))
            .group_by(campaign_response::Column::CampaignId)
            .into_tuple()
            .all(db)
            .await?;
        counts.extend(rows.into_iter().map(|(c, n)| (c, n as u64)));
    }
    Ok(rows
        .into_iter()
        .map(|m| Campaign {
            invite_emails: emails.remove(&m.id).unwrap_or_default(),
            response_count: counts.remove(&m.id).unwrap_or(0),
            questions: serde_json::from_str(&m.questions).unwrap_or_default(),
            min_responses: u32::try_from(m.min_responses).unwrap_or(3).max(3),
            id: CampaignId::from_db(m.id),
            organization_id: OrgId::from_db(m.organization_id),
            name: m.name,
            target_person_id: PersonId::from_db(m.target_person_id),
            created_by: UserId::from_db(m.created_by_id),
            start_date: Timestamp::from_millis(m.start_date),
            end_date: Timestamp::from_millis(m.end_date),
            status: CampaignStatus::from_db(&m.status),
            created_at: Timestamp::from_millis(m.created_at),
            updated_at: Timestamp::from_millis(m.updated_at),
            version: m.version,
        })
        .collect())
}

/// One page of the campaigns `scope` may see, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    scope: &CampaignScope,
    status: Option<CampaignStatus>,
    page: Page,
) -> Result<(Vec<Campaign>, u64), DbErr> {
    let mut cond = scope_condition(scope);
    if let Some(s) = status {
        cond = cond.add(feedback_campaign::Column::Status.eq(s.as_str()));
    }
    let (rows, total) = crate::paged(
        db,
        of(org).filter(cond),
        &[
            (feedback_campaign::Column::CreatedAt, Order::Desc),
            (feedback_campaign::Column::Id, Order::Desc),
        ],
        page,
    )
    .await?;
    Ok((complete(db, org, rows).await?, total))
}

/// The most campaigns about one person listed to them, newest first.
pub const MAX_ABOUT: u64 = 50;

/// The campaigns about `person`, newest first (at most [`MAX_ABOUT`]).
pub async fn about(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
) -> Result<Vec<Campaign>, DbErr> {
    let rows = of(org)
        .filter(feedback_campaign::Column::TargetPersonId.eq(person.as_str()))
        .order_by(feedback_campaign::Column::CreatedAt, Order::Desc)
        .order_by(feedback_campaign::Column::Id, Order::Desc)
        .limit(MAX_ABOUT)
        .all(db)
        .await?;
    complete(db, org, rows).await
}

/// Which of `emails` belong to nobody of the organization: neither a member's account nor a
/// person of its org chart has the address. An invitee outside the organization may be
/// anyone, the campaign's creator included.
pub async fn outside(
    db: &impl ConnectionTrait,
    org: &OrgId,
    emails: &[Email],
) -> Result<std::collections::HashSet<Email>, DbErr> {
    use crate::entity::{person, user};
    let mut inside = std::collections::HashSet::new();
    // At most 200 invitees a campaign (MAX_INVITEES): two bounded IN lists per chunk.
    for chunk in emails.chunks(200) {
        let list: Vec<&str> = chunk.iter().map(Email::as_str).collect();
        for m in user::Entity::find()
            .filter(user::Column::OrganizationId.eq(org.as_str()))
            .filter(user::Column::Email.is_in(list.clone()))
            .all(db)
            .await?
        {
            inside.insert(m.email);
        }
        for p in person::Entity::find()
            .filter(person::Column::OrganizationId.eq(org.as_str()))
            .filter(person::Column::Email.is_in(list))
            .all(db)
            .await?
        {
            if let Some(e) = p.email {
                inside.insert(e);
            }
        }
    }
    Ok(emails
        .iter()
        .filter(|e| !inside.contains(e.as_str()))
        .cloned()
        .collect())
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &CampaignId,
) -> Result<Option<Campaign>, DbErr> {
    let row = of(org)
        .filter(feedback_campaign::Column::Id.eq(id.as_str()))
        .one(db)
        .await?;
    Ok(complete(db, org, row.into_iter().collect()).await?.pop())
}

fn questions_json(q: &[String]) -> String {
    serde_json::Value::from(q.to_vec()).to_string()
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    by: &UserId,
    f: &CampaignFields,
    now: Timestamp,
) -> Result<CampaignId, DbErr> {
    let id = CampaignId::generate();
    feedback_campaign::Entity::insert(feedback_campaign::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(org.as_str().to_owned()),
        name: Set(f.name.clone()),
        target_person_id: Set(f.target_person_id.as_str().to_owned()),
        created_by_id: Set(by.as_str().to_owned()),
        start_date: Set(f.start_date.as_millis()),
        end_date: Set(f.end_date.as_millis()),
        status: Set(f.status.as_str().to_owned()),
        questions: Set(questions_json(&f.questions)),
        min_responses: Set(i32::try_from(f.min_responses).unwrap_or(i32::MAX)),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        version: Set(1),
        updated_by: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    sync_invites(db, org, &id, &f.invite_emails).await?;
    Ok(id)
}

pub async fn update(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &CampaignId,
    f: &CampaignFields,
    now: Timestamp,
) -> Result<(), DbErr> {
    feedback_campaign::Entity::update_many()
        .col_expr(feedback_campaign::Column::Name, Expr::value(f.name.clone()))
        .col_expr(
            feedback_campaign::Column::TargetPersonId,
            Expr::value(f.target_person_id.as_str()),
        )
        .col_expr(
            feedback_campaign::Column::StartDate,
            Expr::value(f.start_date.as_millis()),
        )
        .col_expr(
            feedback_campaign::Column::EndDate,
            Expr::value(f.end_date.as_millis()),
        )
        .col_expr(
            feedback_campaign::Column::Status,
            Expr::value(f.status.as_str()),
        )
        .col_expr(
            feedback_campaign::Column::Questions,
            Expr::value(questions_json(&f.questions)),
        )
        .col_expr(
            feedback_campaign::Column::MinResponses,
            Expr::value(i32::try_from(f.min_responses).unwrap_or(i32::MAX)),
        )
        .col_expr(
            feedback_campaign::Column::UpdatedAt,
            Expr::value(now.as_millis()),
        )
        .filter(feedback_campaign::Column::OrganizationId.eq(org.as_str()))
        .filter(feedback_campaign::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    sync_invites(db, org, id, &f.invite_emails).await
}

/// Makes the campaign's invitees exactly `emails`: new addresses are added (not yet mailed),
/// dropped ones removed.
async fn sync_invites(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &CampaignId,
    emails: &[Email],
) -> Result<(), DbErr> {
    let keep: Vec<&str> = emails.iter().map(Email::as_str).collect();
    // Only invitees not mailed yet can be dropped (the service refuses the others), so an
    // answer, tied to its invitee, is never deleted with it.
    let mut drop = campaign_invite::Entity::delete_many()
        .filter(campaign_invite::Column::OrganizationId.eq(org.as_str()))
        .filter(campaign_invite::Column::CampaignId.eq(id.as_str()))
        .filter(campaign_invite::Column::SentAt.is_null());
    if !keep.is_empty() {
        drop = drop.filter(campaign_invite::Column::Email.is_not_in(keep.iter().copied()));
    }
    drop.exec(db).await?;
    let existing: Vec<String> = campaign_invite::Entity::find()
        .select_only()
        .column(campaign_invite::Column::Email)
        .filter(campaign_invite::Column::OrganizationId.eq(org.as_str()))
        .filter(campaign_invite::Column::CampaignId.eq(id.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let new: Vec<campaign_invite::ActiveModel> = emails
        .iter()
        .filter(|e| !existing.iter().any(|x| x == e.as_str()))
        .map(|e| campaign_invite::ActiveModel {
            id: Set(TokenId::generate().into_string()),
            organization_id: Set(org.as_str().to_owned()),
            campaign_id: Set(id.as_str().to_owned()),
            email: Set(e.as_str().to_owned()),
            token_hash: Set(None),
            sent_at: Set(None),
            responded_at: Set(None),
        })
        .collect();
    if !new.is_empty() {
        campaign_invite::Entity::insert_many(new)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// An invitee as the campaign's creator sees them: whether they were mailed and whether they
/// answered, never when (the time could tell which answer is theirs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    pub email: Email,
    pub mailed: bool,
    pub answered: bool,
}

/// A campaign's invitees, by address.
pub async fn invitees(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &CampaignId,
) -> Result<Vec<Invitee>, DbErr> {
    Ok(campaign_invite::Entity::find()
        .filter(campaign_invite::Column::OrganizationId.eq(org.as_str()))
        .filter(campaign_invite::Column::CampaignId.eq(id.as_str()))
        .order_by(campaign_invite::Column::Email, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(|i| Invitee {
            email: Email::from_db(i.email),
            mailed: i.sent_at.is_some(),
            answered: i.responded_at.is_some(),
        })
        .collect())
}

/// Invitees who have been mailed their link.
pub async fn mailed_emails(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &CampaignId,
) -> Result<Vec<Email>, DbErr> {
    Ok(campaign_invite::Entity::find()
        .filter(campaign_invite::Column::OrganizationId.eq(org.as_str()))
        .filter(campaign_invite::Column::CampaignId.eq(id.as_str()))
        .filter(campaign_invite::Column::SentAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|i| Email::from_db(i.email))
        .collect())
}

pub async fn delete(db: &impl ConnectionTrait, org: &OrgId, id: &CampaignId) -> Result<(), DbErr> {
    feedback_campaign::Entity::delete_many()
        .filter(feedback_campaign::Column::OrganizationId.eq(org.as_str()))
        .filter(feedback_campaign::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn count_targeting(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
) -> Result<u64, DbErr> {
    of(org)
        .filter(feedback_campaign::Column::TargetPersonId.eq(person.as_str()))
        .count(db)
        .await
}

/// An invitee's address, and the id used to record their link.
pub struct Unsent {
    pub invite_id: String,
    pub email: Email,
}

/// Invitees not mailed yet.
pub async fn unsent(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &CampaignId,
) -> Result<Vec<Unsent>, DbErr> {
    Ok(campaign_invite::Entity::find()
        .filter(campaign_invite::Column::OrganizationId.eq(org.as_str()))
        .filter(campaign_invite::Column::CampaignId.eq(id.as_str()))
        .filter(campaign_invite::Column::SentAt.is_null())
        .order_by(campaign_invite::Column::Email, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(|i| Unsent {
            invite_id: i.id,
            email: Email::from_db(i.email),
        })
        .collect())
}

/// Claims an unsent invitee for mailing with this token; `false` if another request claimed
/// it first (so each invitee is mailed once, with one live link).
pub async fn claim_for_sending(
    db: &impl ConnectionTrait,
    org: &OrgId,
    invite_id: &str,
    token_hash: &str,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let r = campaign_invite::Entity::update_many()
        .col_expr(campaign_invite::Column::TokenHash, Expr::value(token_hash))
        .col_expr(
            campaign_invite::Column::SentAt,
            Expr::value(now.as_millis()),
        )
        .filter(campaign_invite::Column::OrganizationId.eq(org.as_str()))
        .filter(campaign_invite::Column::Id.eq(invite_id))
        .filter(campaign_invite::Column::SentAt.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// The invitation a public link's token stands for, with its campaign. Public links work
/// without an account, so this lookup is by token alone: the token is the credential.
pub async fn find_by_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<(String, bool, Campaign)>, DbErr> {
    let Some(inv) = campaign_invite::Entity::find()
        .filter(campaign_invite::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let org = OrgId::from_db(inv.organization_id.clone());
    let campaign = find(db, &org, &CampaignId::from_db(inv.campaign_id.clone())).await?;
    Ok(campaign.map(|c| (inv.id, inv.responded_at.is_some(), c)))
}

/// Records an invitee's answers; `false` if they had already answered (checked in the same
/// statement, so two submissions at once record one).
pub async fn record_response(
    db: &impl ConnectionTrait,
    org: &OrgId,
    campaign: &CampaignId,
    invite_id: &str,
    answers: &[String],
    now: Timestamp,
) -> Result<bool, DbErr> {
    let marked = campaign_invite::Entity::update_many()
        .col_expr(
            campaign_invite::Column::RespondedAt,
            Expr::value(now.as_millis()),
        )
        .filter(campaign_invite::Column::OrganizationId.eq(org.as_str()))
        .filter(campaign_invite::Column::Id.eq(invite_id))
        .filter(campaign_invite::Column::RespondedAt.is_null())
        .exec(db)
        .await?;
    if marked.rows_affected != 1 {
        return Ok(false);
    }
    campaign_response::Entity::insert(campaign_response::ActiveModel {
        id: Set(CampaignResponseId::generate().into_string()),
        organization_id: Set(org.as_str().to_owned()),
        campaign_id: Set(campaign.as_str().to_owned()),
        invite_id: Set(invite_id.to_owned()),
        answers: Set(serde_json::Value::from(answers.to_vec()).to_string()),
        created_at: Set(now.as_millis()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(true)
}

/// A campaign's answers, without who gave them or when: sorted by their text, so neither
/// their order nor a timestamp can be matched to the moment someone was seen answering.
pub async fn responses(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &CampaignId,
) -> Result<Vec<Vec<String>>, DbErr> {
    let mut answers: Vec<Vec<String>> = campaign_response::Entity::find()
        .filter(campaign_response::Column::OrganizationId.eq(org.as_str()))
        .filter(campaign_response::Column::CampaignId.eq(id.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| serde_json::from_str(&r.answers).unwrap_or_default())
        .collect();
    // Never the order received: sorted by their text.
    answers.sort();
    Ok(answers)
}
