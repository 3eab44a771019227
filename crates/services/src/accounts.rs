//! Accounts: sign-up, email verification, sign-in, sign-out, a user's sessions and password
//! reset.

use crate::input;
use crate::{
    error::{ApiError, OnConflict},
    mail::Mail,
    outbox,
    session::{self, SESSION_DAYS},
    state::AppState,
    validate, {audit, invitations},
};
use manageros_core::{
    Email, Invalid, Name, Password, Role, SessionId, Timestamp, UserId, time::HOUR_MS,
};
use manageros_store::ConnectionTrait;
use manageros_store::{
    begin_write,
    repo::{
        audit::Kind,
        orgs::Organization,
        password_resets::{self, Purpose},
        sessions::{self, Device, Session},
        users::{self, NewUser, User},
    },
};
use serde::Deserialize;
use tracing::Instrument;
use utoipa::ToSchema;

/// The caller's account as `/api/me` and the account page show it.
pub struct Account {
    pub organization: Option<Organization>,
    pub person: Option<manageros_store::repo::persons::Person>,
    /// Who invited me into my organization, `(name, email)`, if I joined by an invitation.
    pub invited_by: Option<(String, String)>,
}

/// The account page, from one call.
pub struct AccountView {
    pub account: Account,
    /// Where the caller is signed in.
    pub sessions: Vec<Session>,
    /// When the caller's calendar feed was made, if they have one.
    pub feed_since: Option<manageros_core::Timestamp>,
    /// The people of the chart the caller may link themselves to: offered only to a member
    /// who is not linked yet.
    pub claimable: Vec<manageros_store::repo::persons::Person>,
    /// Which emails the caller gets, and when reminders come.
    pub notifications: manageros_store::repo::notifications::Prefs,
}

/// `GET /account`'s view. Reads only.
pub async fn page(state: &AppState, user: &User) -> Result<AccountView, ApiError> {
    let account = me(state, user).await?;
    let claimable = if account.organization.is_some() && account.person.is_none() {
        crate::members::linkable_persons(state, user).await?
    } else {
        vec![]
    };
    Ok(AccountView {
        sessions: sessions(state, user).await?,
        feed_since: crate::calendar::feed_status(state, &user.actor()).await?,
        notifications: crate::notify::settings(state, &user.actor()).await?,
        account,
        claimable,
    })
}

/// The caller's organization and the person they are linked to (getCurrentUserWithPerson).
pub async fn me(state: &AppState, user: &User) -> Result<Account, ApiError> {
    use manageros_store::repo::{orgs, persons};
    let Some(org_id) = &user.organization_id else {
        return Ok(Account {
            organization: None,
            person: None,
            invited_by: None,
        });
    };
    let person = match &user.person_id {
        Some(pid) => persons::find(&state.db, org_id, pid).await?,
        None => None,
    };
    let invited_by =
        manageros_store::repo::invitations::find_by_email(&state.db, org_id, &user.email)
            .await?
            .filter(|i| i.accepted_at.is_some())
            .map(|i| (i.invited_by_name, i.invited_by_email));
    Ok(Account {
        organization: orgs::find(&state.db, org_id).await?,
        person,
        invited_by,
    })
}

pub const EMAIL_TAKEN: &str = "Email already exists";
pub const BAD_CREDENTIALS: &str = "Invalid email or password";
pub const BAD_RESET_TOKEN: &str = "Invalid or expired reset token";

/// A new session: the token is shown once, to the client; only its hash is stored.
pub struct SignedIn {
    pub user: User,
    pub token: String,
    pub was_invited: bool,
    pub organization: Option<Organization>,
}

async fn start_session(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    device: &Device,
    now: Timestamp,
) -> Result<String, ApiError> {
    let token = session::new_token();
    sessions::create(
        db,
        user_id,
        &session::hash_token(&token),
        device,
        now,
        now.plus_days(SESSION_DAYS),
    )
    .await?;
    Ok(token)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct SignupRequest {
    #[schema(value_type = input::Name, inline, required = true)]
    pub name: Option<String>,
    #[schema(value_type = input::Email, inline, required = true)]
    pub email: Option<String>,
    #[schema(value_type = input::Password, inline, required = true)]
    pub password: Option<String>,
    /// The token of the invitation link the person came by (`/invitations/accept?token=…`):
    /// the account is then created verified (the link reached the invited mailbox) and joins
    /// the invitation's organization at once, with no confirmation email. `email` must be the
    /// invited address.
    #[serde(default, rename = "invitationToken")]
    pub invitation_token: Option<String>,
}

pub const INVITED_ADDRESS_ONLY: &str =
    "Use the address the invitation was sent to, or sign up without the invitation link";
pub const BAD_INVITATION_LINK: &str =
    "This invitation link is no longer valid: it was accepted, revoked or has expired";

/// Creates an account and signs it in. By an invitation's link, it is verified and joins the
/// invitation's organization at once; otherwise it gets the link that verifies its address,
/// and joins nothing until then ([`verify_email`]).
pub async fn signup(
    state: &AppState,
    input: SignupRequest,
    device: &Device,
) -> Result<SignedIn, ApiError> {
    validate! {
        name = "name": Name::parse(input.name.as_deref().unwrap_or_default()),
        email = "email": Email::parse(input.email.as_deref().unwrap_or_default()),
        password = "password": Password::parse(input.password.as_deref().unwrap_or_default()),
    }
    if users::exists_with_email(&state.db, &email).await? {
        return Err(ApiError::conflict(EMAIL_TAKEN));
    }
    let invitation = match input.invitation_token.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(token) => {
            let inv = invitations::by_link(state, token)
                .await?
                .ok_or_else(|| ApiError::invalid("invitationToken", BAD_INVITATION_LINK))?;
            // Only the invited address may come in by the link.
            manageros_core::authz::authorize_invitation_acceptance(&email, &inv.email)
                .map_err(|_| ApiError::invalid("email", INVITED_ADDRESS_ONLY))?;
            Some(inv)
        }
    };
    // Hash before the transaction: it is slow, and holds no lock.
    let hash = state.passwords.hash(password.expose()).await?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let user = users::insert(
        &txn,
        NewUser {
            name: name.as_str(),
            email: &email,
            password_hash: &hash,
            role: Role::User,
            organization_id: None,
            person_id: None,
            email_verified: invitation.is_some(),
        },
        now,
    )
    .await
    // Two sign-ups with one address at the same moment: the unique index decides.
    .on_unique_violation(EMAIL_TAKEN)?;
    if let Some(inv) = invitation {
        // The emailed link proves the address: join now, with nothing more to confirm.
        let org = invitations::join(&txn, &user, &inv, now)
            .await?
            .ok_or_else(|| ApiError::invalid("invitationToken", BAD_INVITATION_LINK))?;
        let token = start_session(&txn, &user.id, device, now).await?;
        let user = users::find(&txn, &user.id)
            .await?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a new user vanished")))?;
        txn.commit().await?;
        return Ok(SignedIn {
            user,
            token,
            was_invited: true,
            organization: Some(org),
        });
    }
    // Nothing is joined or linked until the address is proved: anyone could type it.
    let link = new_verification(state, &txn, &user, now).await?;
    queue_verification(&txn, state, &user, &link).await?;
    let token = start_session(&txn, &user.id, device, now).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(SignedIn {
        user,
        token,
        was_invited: false,
        organization: None,
    })
}

pub const BAD_VERIFICATION_TOKEN: &str = "Invalid or expired verification token";
pub const ALREADY_VERIFIED: &str = "Your email address is already verified";
/// How long a verification link works.
const VERIFY_HOURS: i64 = 24;

/// A new verification token for `user`, counted against the mail budget: the link to mail.
async fn new_verification(
    state: &AppState,
    txn: &impl ConnectionTrait,
    user: &User,
    now: Timestamp,
) -> Result<String, ApiError> {
    state
        .mail_budget
        .take(txn, now, None, &[user.email.as_str()])
        .await?;
    let token = session::new_token();
    password_resets::create(
        txn,
        Purpose::Verify,
        &user.id,
        &session::hash_token(&token),
        now,
        now.plus_millis(VERIFY_HOURS * HOUR_MS),
    )
    .await?;
    Ok(state.config.link("/verify-email", &token))
}

/// Queues the verification link, in the transaction that created it.
async fn queue_verification(
    txn: &impl ConnectionTrait,
    state: &AppState,
    user: &User,
    link: &str,
) -> Result<(), ApiError> {
    let body = format!(
        "Hello {name},\n\n\
         Please confirm that {email} is your address by opening this link within a day:\n\n\
         {link}\n\n\
         Until you do, your ManagerOS account joins no organization and accepts no\n\
         invitation. If you did not create an account, ignore this email.\n",
        name = user.name,
        email = user.email,
    );
    let html = crate::mail::html::Verify {
        name: &user.name,
        email: user.email.as_str(),
        link,
    };
    let mail = Mail::new(
        user.email.to_string(),
        "Confirm your email address for ManagerOS".into(),
        body,
        &html,
    )
    .map_err(ApiError::internal)?;
    outbox::queue(txn, state, &mail, None, None).await
}

#[derive(Deserialize, ToSchema, Default)]
pub struct VerifyEmailRequest {
    #[schema(value_type = input::Token, inline, required = true)]
    pub token: Option<String>,
    /// The account's password from now on, chosen by whoever holds the link: the password
    /// given at sign-up may have been someone else's (issue 24).
    #[schema(value_type = input::Password, inline, required = true)]
    pub password: Option<String>,
}

/// What verifying did: the account, and the organization it joined, if a single invitation
/// was waiting for its address (the auto-join of sign-up, done now that the address is proved).
pub struct Verified {
    pub user: User,
    pub organization: Option<Organization>,
    /// The session of whoever verified, when they asked for one (the pages do).
    pub token: Option<String>,
}

/// A mailed link was used (a reset or a verification): its holder owns the address, so the
/// account is theirs from now on — verified, with the password they chose, every session and
/// the calendar feed ended (whoever held them before the link did not prove anything), and
/// every other outstanding link spent.
async fn mailbox_proved(
    txn: &impl ConnectionTrait,
    user_id: &UserId,
    password_hash: &str,
    now: Timestamp,
) -> Result<(), ApiError> {
    users::set_password_hash(txn, user_id, password_hash, now).await?;
    users::mark_verified(txn, user_id, now).await?;
    sessions::end_all(txn, user_id, None).await?;
    password_resets::delete_for_user(txn, Purpose::Verify, user_id).await?;
    password_resets::delete_for_user(txn, Purpose::Reset, user_id).await?;
    Ok(())
}

/// Whose account a verification link is for: the page shows it before anything is done.
pub async fn verification(state: &AppState, token: &str) -> Result<User, ApiError> {
    let user_id = password_resets::peek(
        &state.db,
        Purpose::Verify,
        &session::hash_token(token.trim()),
        state.now(),
    )
    .await?
    .ok_or_else(|| ApiError::invalid("token", BAD_VERIFICATION_TOKEN))?;
    users::find(&state.db, &user_id)
        .await?
        .ok_or_else(|| ApiError::invalid("token", BAD_VERIFICATION_TOKEN))
}

/// Verifies the address a link was mailed to (single use; no session needed: the link is
/// the proof), then joins the organization of a single waiting invitation.
///
/// The link proves the address, not the password or the sessions that existed before it:
/// anyone could have signed up with an invited address first, kept a session, and waited
/// for its owner to click. So whoever clicks chooses the password, and every session of the
/// account ends (its calendar feed too); with `device`, the clicker gets a new one.
pub async fn verify_email(
    state: &AppState,
    input: VerifyEmailRequest,
    device: Option<&Device>,
) -> Result<Verified, ApiError> {
    validate! {
        token = "token": match input.token.as_deref().map(str::trim) {
            None | Some("") => Err(Invalid::new(BAD_VERIFICATION_TOKEN)),
            Some(t) => Ok(t.to_owned()),
        },
        password = "password": Password::parse(input.password.as_deref().unwrap_or_default()),
    }
    // A token that is no longer valid costs no password hash (it is used up below, in the
    // write, where a race with another use is decided).
    verification(state, &token).await?;
    let hash = state.passwords.hash(password.expose()).await?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let user_id =
        password_resets::consume(&txn, Purpose::Verify, &session::hash_token(&token), now)
            .await?
            .ok_or_else(|| ApiError::invalid("token", BAD_VERIFICATION_TOKEN))?;
    mailbox_proved(&txn, &user_id, &hash, now).await?;
    let user = users::find(&txn, &user_id)
        .await?
        .ok_or_else(|| ApiError::invalid("token", BAD_VERIFICATION_TOKEN))?;
    let organization = match user.organization_id {
        Some(_) => None,
        None => invitations::accept_single_at_signup(&txn, &user, now).await?,
    };
    let user = users::find(&txn, &user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let token = match device {
        Some(device) => Some(start_session(&txn, &user_id, device, now).await?),
        None => None,
    };
    txn.commit().await?;
    Ok(Verified {
        user,
        organization,
        token,
    })
}

/// Mails a new verification link to the signed-in user (the old ones keep working until
/// they expire or one is used).
pub async fn resend_verification(state: &AppState, caller: &User) -> Result<(), ApiError> {
    if caller.email_verified {
        return Err(ApiError::conflict(ALREADY_VERIFIED));
    }
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let link = new_verification(state, &txn, caller, now).await?;
    queue_verification(&txn, state, caller, &link).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// Signs in. Every failure is the same 401, and takes the same time whether or not the
/// account exists.
pub async fn login(
    state: &AppState,
    email: &str,
    password: &str,
    device: &Device,
) -> Result<SignedIn, ApiError> {
    // Too many failures for this address, from anywhere: refused before any password check;
    // the attempt is counted now, and given back if the password matches.
    let now = state.now();
    let attempt = state.sign_in_limit.attempt(&state.db, now, email).await?;
    let found = match Email::parse(email) {
        Ok(email) => users::find_with_hash_by_email(&state.db, &email).await?,
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let matched = state.passwords.verify(password, hash).await?;
    if matched {
        state.sign_in_limit.succeeded(&state.db, attempt).await?;
    }
    let user = match user {
        Some(user) if matched => user,
        Some(user) => {
            // A wrong password for a member is a security event of their organization.
            if let Some(org) = &user.organization_id {
                audit::record(
                    &state.db,
                    audit::Event::new(org, Kind::SignInFailed, state.now())
                        .subject(&user.id)
                        .address(device.address.as_deref())
                        .detail("Sign-in with a wrong password"),
                )
                .await?;
            }
            return Err(ApiError::InvalidCredentials(BAD_CREDENTIALS));
        }
        None => return Err(ApiError::InvalidCredentials(BAD_CREDENTIALS)),
    };
    let token = start_session(&state.db, &user.id, device, state.now()).await?;
    Ok(SignedIn {
        user,
        token,
        was_invited: false,
        organization: None,
    })
}

/// The caller's live sessions, most recently used first.
pub async fn sessions(state: &AppState, caller: &User) -> Result<Vec<Session>, ApiError> {
    Ok(sessions::list_for_user(&state.db, &caller.id, state.now()).await?)
}

pub const SESSION_NOT_FOUND: &str = "Session not found";

/// "Sign out everywhere else": ends every session of the caller but `current`, and revokes
/// the secret calendar feed (a credential too, which a lost device may hold); how many
/// sessions ended.
pub async fn sign_out_elsewhere(
    state: &AppState,
    caller: &User,
    current: &SessionId,
) -> Result<u64, ApiError> {
    let txn = begin_write(&state.db).await?;
    let ended = sessions::end_all(&txn, &caller.id, Some(current)).await?;
    txn.commit().await?;
    Ok(ended)
}

/// Revokes one of the caller's sessions (this one too, which signs them out). Another user's
/// session, or an id of the wrong shape, is not found.
pub async fn revoke_session(state: &AppState, caller: &User, raw_id: &str) -> Result<(), ApiError> {
    let id =
        SessionId::parse(raw_id.trim()).ok_or_else(|| ApiError::not_found(SESSION_NOT_FOUND))?;
    if sessions::delete_for_user(&state.db, &caller.id, &id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found(SESSION_NOT_FOUND))
    }
}

/// Revokes the session the request came with.
pub async fn logout(state: &AppState, token_hash: &str) -> Result<(), ApiError> {
    sessions::delete(&state.db, token_hash).await?;
    Ok(())
}

/// Starts a password reset. The answer never says whether the account exists, and neither
/// does its timing: the lookup and the mail happen after the response, in the background.
pub async fn forgot_password(state: &AppState, email: Option<&str>) -> Result<(), ApiError> {
    validate! { email = "email": Email::parse(email.unwrap_or_default()) }
    // Counted whether or not the account exists, so the refusal tells nothing either.
    state
        .mail_budget
        .take(&state.db, state.now(), None, &[email.as_str()])
        .await?;
    let state_for_task = state.clone();
    state.background.spawn(
        async move {
            if let Err(e) = send_reset_link(&state_for_task, &email).await {
                tracing::error!(error = ?e, "could not send a password reset link");
            }
        }
        .instrument(tracing::Span::current()),
    );
    Ok(())
}

async fn send_reset_link(state: &AppState, email: &Email) -> Result<(), ApiError> {
    let Some((user, _)) = users::find_with_hash_by_email(&state.db, email).await? else {
        return Ok(());
    };
    let token = session::new_token();
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    password_resets::create(
        &txn,
        Purpose::Reset,
        &user.id,
        &session::hash_token(&token),
        now,
        now.plus_millis(HOUR_MS),
    )
    .await?;
    let link = state.config.link("/reset-password", &token);
    let body = format!(
        "Hello {name},\n\n\
         Someone (hopefully you) asked to reset the password of your ManagerOS account.\n\
         To choose a new password, open this link within the next hour:\n\n\
         {link}\n\n\
         If you did not ask for this, you can ignore this email; your password stays as it is.\n",
        name = user.name
    );
    let html = crate::mail::html::Reset {
        name: &user.name,
        link: &link,
    };
    let mail = Mail::new(
        user.email.to_string(),
        "Reset your ManagerOS password".into(),
        body,
        &html,
    )
    .map_err(ApiError::internal)?;
    outbox::queue(&txn, state, &mail, None, None).await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// Sets a new password with a reset token, and signs the user out everywhere.
#[derive(Deserialize, ToSchema, Default)]
pub struct ResetPasswordRequest {
    #[schema(value_type = input::Token, inline, required = true)]
    pub token: Option<String>,
    #[schema(value_type = input::Password, inline, required = true)]
    pub password: Option<String>,
}

pub async fn reset_password(state: &AppState, input: ResetPasswordRequest) -> Result<(), ApiError> {
    validate! {
        token = "token": match input.token.as_deref().map(str::trim) {
            None | Some("") => Err(Invalid::new(BAD_RESET_TOKEN)),
            Some(t) => Ok(t),
        },
        password = "password": Password::parse(input.password.as_deref().unwrap_or_default()),
    }
    let hash = state.passwords.hash(password.expose()).await?;
    let now = state.now();
    let txn = begin_write(&state.db).await?;
    let user_id = password_resets::consume(&txn, Purpose::Reset, &session::hash_token(token), now)
        .await?
        .ok_or_else(|| ApiError::invalid("token", BAD_RESET_TOKEN))?;
    // The link was mailed to the address: using it proves the address too.
    mailbox_proved(&txn, &user_id, &hash, now).await?;
    txn.commit().await?;
    Ok(())
}
