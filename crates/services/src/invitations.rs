//! Invitations: sending, revoking, reactivating, and joining an organization through one
//! (by id, by the emailed token, or automatically at sign-up).

use crate::input;
use crate::{
    audit,
    error::{ApiError, OnConflict},
    mail::Mail,
    outbox, session,
    state::AppState,
    validate,
};
use manageros_core::{
    Email, InvitationId, InvitationStatus, OrgId, PersonId, Role, Timestamp, UserId,
    authz::{self, OrgAction},
};
use manageros_store::{
    ConnectionTrait, DatabaseTransaction, begin_write, is_foreign_key_violation,
    is_unique_violation,
    repo::{
        invitations::{self, Invitation, Issue},
        orgs::{self, Organization},
        persons,
        users::{self, User},
    },
    sea_orm::TransactionTrait,
};
use serde::Deserialize;
use utoipa::ToSchema;

pub const VALID_DAYS: i64 = 7;
pub const ALREADY_MEMBER: &str = "User is already a member of this organization";
pub const ALREADY_SENT: &str = "An invitation has already been sent to this email address";
pub const NOT_FOUND: &str = "Invitation not found or access denied";
pub const INVITEE_NOT_FOUND: &str = authz::INVITATION_NOT_FOUND;
pub const PERSON_NOT_FOUND: &str = "Person not found or access denied";
pub const PERSON_LINKED: &str = "Person is already linked to a user";

/// The organization's invitations, newest first (admins).
pub async fn list(state: &AppState, caller: &User) -> Result<Vec<Invitation>, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewInvitations)?;
    Ok(invitations::list_for_org(&state.db, &org).await?)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateInvitationRequest {
    #[schema(value_type = input::Email, inline, required = true)]
    pub email: Option<String>,
    /// A person of the organization, not linked to any user, that the new member will be
    /// linked to when they accept.
    #[schema(value_type = input::OptionalId, inline, required = false)]
    pub person_id: Option<String>,
}

/// Invites `email` to the caller's organization, optionally naming the person the new member
/// will be linked to. An earlier revoked, expired or accepted-then-removed invitation of the
/// same address is issued again instead.
pub async fn create(
    state: &AppState,
    inviter: &User,
    input: CreateInvitationRequest,
) -> Result<Invitation, ApiError> {
    let org = &authz::authorize_org(&inviter.actor(), OrgAction::SendInvitation)?;
    validate! { email = "email": Email::parse(input.email.as_deref().unwrap_or_default()) }
    let email = &email;
    let person_id = input
        .person_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let now = state.now();
    let token = session::new_token();
    let txn = begin_write(&state.db).await?;
    if users::is_member_email(&txn, org, email).await? {
        return Err(ApiError::conflict(ALREADY_MEMBER));
    }
    let existing = invitations::find_by_email(&txn, org, email).await?;
    if existing.as_ref().is_some_and(|i| i.is_open(now)) {
        return Err(ApiError::conflict(ALREADY_SENT));
    }
    let person = match person_id {
        Some(raw) => Some(unlinked_person(&txn, org, raw).await?),
        None => None,
    };
    let token_hash = session::hash_token(&token);
    let issue = Issue {
        invited_by: &inviter.id,
        token_hash: &token_hash,
        person_id: person.as_ref(),
        expires_at: now.plus_days(VALID_DAYS),
    };
    let id = match existing {
        Some(inv) => {
            invitations::reissue(&txn, org, &inv.id, issue, now).await?;
            inv.id
        }
        None => invitations::insert(&txn, org, email, issue, now)
            .await
            .on_unique_violation(ALREADY_SENT)?,
    };
    let inv = reread(&txn, org, &id).await?;
    audited(&txn, &inv, audit::Kind::InvitationSent, &inviter.id, now).await?;
    // Last, so that only a request that would mail spends the budget; refused, it rolls back.
    state
        .mail_budget
        .take(&txn, now, Some(org), &[inv.email.as_str()])
        .await?;
    queue(&txn, state, &inv, &token).await?;
    let mut inv = [inv];
    invitations::attach_delivery(&txn, org, &mut inv).await?;
    txn.commit().await?;
    state.outbox.wake();
    let [inv] = inv;
    Ok(inv)
}

/// Writes a change of an invitation to its organization's audit log.
async fn audited(
    txn: &impl ConnectionTrait,
    inv: &Invitation,
    kind: audit::Kind,
    by: &UserId,
    now: Timestamp,
) -> Result<(), ApiError> {
    let verb = match kind {
        audit::Kind::InvitationSent => "Invitation sent to",
        audit::Kind::InvitationRevoked => "Invitation revoked for",
        audit::Kind::InvitationReactivated => "Invitation sent again to",
        _ => "Invitation accepted by",
    };
    audit::record(
        txn,
        audit::Event::new(&inv.organization_id, kind, now)
            .by(by)
            .target(inv.id.as_str())
            .detail(format!("{verb} {}", inv.email.as_str())),
    )
    .await
}

/// A person of `org` that no user is linked to.
async fn unlinked_person(
    db: &impl ConnectionTrait,
    org: &OrgId,
    raw: &str,
) -> Result<PersonId, ApiError> {
    let person = match PersonId::parse(raw) {
        Some(id) => persons::find(db, org, &id).await?,
        None => None,
    }
    .ok_or_else(|| ApiError::not_found(PERSON_NOT_FOUND))?;
    if person.user_id.is_some() {
        return Err(ApiError::conflict(PERSON_LINKED));
    }
    Ok(person.id)
}

fn missing(id: &InvitationId) -> ApiError {
    ApiError::internal(anyhow::anyhow!(
        "invitation {id} vanished inside its transaction"
    ))
}

/// An invitation of the organization by a raw id, or the 404.
async fn in_org(
    db: &impl ConnectionTrait,
    org: &OrgId,
    raw_id: &str,
) -> Result<Invitation, ApiError> {
    match InvitationId::parse(raw_id.trim()) {
        Some(id) => invitations::find(db, org, &id).await?,
        None => None,
    }
    .ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

/// The invitation as the transaction has just written it.
async fn reread(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &InvitationId,
) -> Result<Invitation, ApiError> {
    invitations::find(db, org, id)
        .await?
        .ok_or_else(|| missing(id))
}

/// Revokes a pending invitation; its link stops working.
pub async fn revoke(state: &AppState, caller: &User, raw_id: &str) -> Result<Invitation, ApiError> {
    let org = &authz::authorize_org(&caller.actor(), OrgAction::RevokeInvitation)?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let inv = in_org(&txn, org, raw_id).await?;
    let id = inv.id.clone();
    if !inv.is_open(now) || !invitations::revoke(&txn, org, &id, now).await? {
        return Err(ApiError::conflict(
            "Only pending invitations can be revoked",
        ));
    }
    let inv = reread(&txn, org, &id).await?;
    audited(&txn, &inv, audit::Kind::InvitationRevoked, &caller.id, now).await?;
    txn.commit().await?;
    Ok(inv)
}

/// Issues a revoked or expired invitation again, for another seven days, and mails it.
pub async fn reactivate(
    state: &AppState,
    inviter: &User,
    raw_id: &str,
) -> Result<Invitation, ApiError> {
    let org = &authz::authorize_org(&inviter.actor(), OrgAction::ReactivateInvitation)?;
    let now = state.now();
    let token = session::new_token();
    let txn = begin_write(&state.db).await?;
    let inv = in_org(&txn, org, raw_id).await?;
    let id = inv.id.clone();
    match inv.status(now) {
        InvitationStatus::Pending => {
            return Err(ApiError::conflict("Invitation is already active"));
        }
        InvitationStatus::Accepted => {
            return Err(ApiError::conflict(
                "Cannot reactivate an accepted invitation",
            ));
        }
        InvitationStatus::Revoked | InvitationStatus::Expired => {}
    }
    if users::is_member_email(&txn, org, &inv.email).await? {
        return Err(ApiError::conflict(ALREADY_MEMBER));
    }
    let token_hash = session::hash_token(&token);
    let issue = Issue {
        invited_by: &inviter.id,
        token_hash: &token_hash,
        person_id: inv.person_id.as_ref(),
        expires_at: now.plus_days(VALID_DAYS),
    };
    invitations::reissue(&txn, org, &id, issue, now).await?;
    let inv = reread(&txn, org, &id).await?;
    audited(
        &txn,
        &inv,
        audit::Kind::InvitationReactivated,
        &inviter.id,
        now,
    )
    .await?;
    // Last, so that only a request that would mail spends the budget; refused, it rolls back.
    state
        .mail_budget
        .take(&txn, now, Some(org), &[inv.email.as_str()])
        .await?;
    queue(&txn, state, &inv, &token).await?;
    let mut inv = [inv];
    invitations::attach_delivery(&txn, org, &mut inv).await?;
    txn.commit().await?;
    state.outbox.wake();
    let [inv] = inv;
    Ok(inv)
}

/// Queues the invitation's email in the transaction that issued its link. If every attempt to
/// send it fails, the invitation says so (`Invitation::email`) and an admin can reactivate it
/// to send a new link.
async fn queue(
    txn: &impl ConnectionTrait,
    state: &AppState,
    inv: &Invitation,
    token: &str,
) -> Result<(), ApiError> {
    let link = state.config.link("/invitations/accept", token);
    // The invitee has no account yet, so no zone: UTC, named.
    let expires = manageros_core::display::instant(inv.expires_at, None);
    let body = format!(
        "Hello,\n\n\
         {inviter} ({inviter_email}) invited you to the organization \u{201c}{org}\u{201d} on ManagerOS.\n\n\
         To accept, open this link:\n\n\
         {link}\n\n\
         If you do not have an account yet, create one from that link with this address\n\
         ({email}), then accept.\n\n\
         This invitation expires on {expires}.\n",
        inviter = inv.invited_by_name,
        inviter_email = inv.invited_by_email,
        org = inv.organization_name,
        email = inv.email,
    );
    let html = crate::mail::html::Invitation {
        inviter: &inv.invited_by_name,
        inviter_email: &inv.invited_by_email,
        org: &inv.organization_name,
        email: inv.email.as_str(),
        link: &link,
        expires: expires.clone(),
    };
    let subject = format!(
        "Invitation to \u{201c}{}\u{201d} on ManagerOS",
        inv.organization_name
    );
    let mail =
        Mail::new(inv.email.to_string(), subject, body, &html).map_err(ApiError::internal)?;
    outbox::queue(
        txn,
        state,
        &mail,
        Some(&inv.organization_id),
        Some(inv.id.as_str()),
    )
    .await
}

/// The open invitation an emailed link holds, for the page it opens: who invites whom, to
/// which organization, until when. The token is the credential (it was mailed to the
/// invitee); `None` once it is accepted, revoked, expired or unknown.
pub async fn by_link(state: &AppState, token: &str) -> Result<Option<Invitation>, ApiError> {
    let token = token.trim();
    if token.is_empty() {
        return Ok(None);
    }
    Ok(
        invitations::find_by_token(&state.db, &session::hash_token(token))
            .await?
            .filter(|i| i.is_open(state.now())),
    )
}

/// Which invitation a signed-in user accepts.
pub enum Accepting<'a> {
    Id(&'a str),
    Token(&'a str),
}

/// Joins the caller to the organization of an invitation addressed to them.
pub async fn accept(
    state: &AppState,
    caller: &User,
    which: Accepting<'_>,
) -> Result<(User, Organization), ApiError> {
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let user = users::find(&txn, &caller.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if user.organization_id.is_some() {
        return Err(ApiError::conflict(crate::organizations::ALREADY_MEMBER));
    }
    if matches!(which, Accepting::Id(_)) {
        // By id, nothing proves the address; the emailed link does (below).
        authz::authorize_verified(user.email_verified, authz::UNVERIFIED)?;
    }
    let by_link = matches!(which, Accepting::Token(_));
    let inv = match which {
        Accepting::Id(raw) => match InvitationId::parse(raw) {
            Some(id) => invitations::find_any_org(&txn, &id).await?,
            None => None,
        },
        Accepting::Token(token) => {
            invitations::find_by_token(&txn, &session::hash_token(token)).await?
        }
    }
    .filter(|i| i.is_open(now))
    .ok_or_else(|| ApiError::not_found(INVITEE_NOT_FOUND))?;
    // Even with the emailed link, only the account with the invited address may accept.
    authz::authorize_invitation_acceptance(&user.email, &inv.email)?;
    if by_link {
        // The link was mailed to this address: opening it proves the address.
        users::mark_verified(&txn, &user.id, now).await?;
    }
    let org = join(&txn, &user, &inv, now)
        .await?
        .ok_or_else(|| ApiError::not_found(INVITEE_NOT_FOUND))?;
    let user = users::find(&txn, &caller.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    txn.commit().await?;
    Ok((user, org))
}

/// At sign-up: if exactly one open invitation waits for the new account's address, join
/// its organization. With several, the user chooses later (`GET /api/invitations`).
pub async fn accept_single_at_signup(
    txn: &DatabaseTransaction,
    user: &User,
    now: Timestamp,
) -> Result<Option<Organization>, ApiError> {
    let open = invitations::open_for_email(txn, &user.email, now).await?;
    match open.as_slice() {
        // Revoked at this very moment: then the user is simply not invited.
        [only] => join(txn, user, only, now).await,
        _ => Ok(None),
    }
}

/// Accepts `inv` for `user` and makes them a member (role USER), linked to the invitation's
/// person when that person is still unlinked. `None` if the invitation stopped being open
/// since it was read (revoked or accepted by a concurrent request).
pub(crate) async fn join(
    txn: &DatabaseTransaction,
    user: &User,
    inv: &Invitation,
    now: Timestamp,
) -> Result<Option<Organization>, ApiError> {
    if !invitations::accept(txn, &inv.id, now).await? {
        return Ok(None);
    }
    let org_id = &inv.organization_id;
    if !users::join_org(txn, &user.id, org_id, Role::User, now).await? {
        return Err(ApiError::conflict(crate::organizations::ALREADY_MEMBER));
    }
    audited(txn, inv, audit::Kind::InvitationAccepted, &user.id, now).await?;
    if let Some(pid) = &inv.person_id
        && persons::find(txn, org_id, pid)
            .await?
            .is_some_and(|p| p.user_id.is_none())
    {
        // In a savepoint: if someone linked (or deleted) the person a moment ago, the member
        // joins unlinked rather than failing the whole acceptance.
        let sp = txn.begin().await?;
        match users::link_person(&sp, org_id, &user.id, pid, &user.id, now).await {
            Ok(_) => sp.commit().await?,
            Err(e) if is_unique_violation(&e) || is_foreign_key_violation(&e) => {
                sp.rollback().await?
            }
            Err(e) => return Err(e.into()),
        }
    }
    let org = orgs::find(txn, org_id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("organization {org_id} vanished")))?;
    Ok(Some(org))
}

/// The invitee's list: open invitations for the caller's address, none once they have an
/// organization.
pub async fn pending_for(state: &AppState, caller: &User) -> Result<Vec<Invitation>, ApiError> {
    if caller.organization_id.is_some() || !caller.email_verified {
        return Ok(vec![]);
    }
    Ok(invitations::open_for_email(&state.db, &caller.email, state.now()).await?)
}
