//! The limits on what one client, one account or one organization may do in a while: the
//! per-address limit on `/api/auth/*` (a brake on password guessing and on mail bombing
//! through forgot-password), the per-account limit on failed sign-ins (so that one account
//! cannot be guessed from many addresses, and a shared proxy's address does not lock
//! everyone out), and the [`MailBudget`].
//!
//! Every count lives in the database (`repo::limits`, one row per key and fixed window), so N
//! replicas together allow what one allows, and a restart forgets nothing. A window is a
//! whole minute (or hour, or quarter of an hour) of the server's clock; a refusal says, in
//! `Retry-After`, when the window ends.

use crate::{client::ClientAddr, error::ApiError, state::AppState};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use manageros_core::{OrgId, Timestamp};
use manageros_store::{ConnectionTrait, DbErr, repo::limits};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
/// The window of the per-account limit on failed sign-ins.
pub const SIGN_IN_WINDOW_MS: i64 = 15 * MINUTE_MS;

/// The window of `len` milliseconds that `now` falls in: its start, and the seconds until it
/// ends (at least 1).
fn window(now: Timestamp, len: i64) -> (i64, u64) {
    let at = now.as_millis();
    let start = at - at.rem_euclid(len);
    let left = (start + len - at + 999) / 1000;
    (start, u64::try_from(left).unwrap_or(1).max(1))
}

/// `--auth-rate-limit` requests a minute per client address on `/api/auth/*` and the public
/// feedback endpoints; `0` turns it off.
pub async fn limit_auth(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let per_minute = i64::from(state.config.auth_rate_limit);
    if per_minute > 0 {
        let ip = req
            .extensions()
            .get::<ClientAddr>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.to_string());
        let (start, left) = window(state.now(), MINUTE_MS);
        match limits::add(&state.db, &format!("auth:{ip}"), start, 1).await {
            Ok(n) if n > per_minute => {
                return ApiError::RateLimited {
                    retry_after_secs: left,
                }
                .into_response();
            }
            Ok(_) => {}
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    next.run(req).await
}

/// Failed sign-ins allowed per account (by the address typed, normalised as an account's
/// email is: trimmed, lower-case; whether or not an account has it) in [`SIGN_IN_WINDOW_MS`];
/// `0` turns the limit off.
pub struct SignInLimit(pub u32);

/// One sign-in attempt, counted against its address before the password was checked.
pub struct Attempt {
    key: String,
    window_start: i64,
}

impl SignInLimit {
    fn key(email: &str) -> String {
        // `" VICTIM@X "` is the account `victim@x` (Email::parse trims and lower-cases).
        format!("sign-in:{}", email.trim().to_lowercase())
    }

    /// Counts a sign-in attempt to `email` before its password is checked, in one atomic
    /// step, and refuses it when the window's failures are used up: concurrent attempts each
    /// take their own place, so no more than the limit are ever checked.
    pub async fn attempt(
        &self,
        db: &impl ConnectionTrait,
        now: Timestamp,
        email: &str,
    ) -> Result<Option<Attempt>, ApiError> {
        if self.0 == 0 {
            return Ok(None);
        }
        let (window_start, left) = window(now, SIGN_IN_WINDOW_MS);
        let key = Self::key(email);
        if limits::add(db, &key, window_start, 1).await? > i64::from(self.0) {
            return Err(ApiError::RateLimited {
                retry_after_secs: left,
            });
        }
        Ok(Some(Attempt { key, window_start }))
    }

    /// A sign-in that succeeded gives its attempt back: only failures use up the budget.
    pub async fn succeeded(
        &self,
        db: &impl ConnectionTrait,
        attempt: Option<Attempt>,
    ) -> Result<(), DbErr> {
        if let Some(a) = attempt {
            limits::add(db, &a.key, a.window_start, -1).await?;
        }
        Ok(())
    }
}

/// How much email may go out, per recipient address and per organization, in an hour: a brake
/// on using the server as a mail cannon (revoking and reactivating an invitation in a loop,
/// campaigns to arbitrary addresses, reset links to one mailbox). A request that would exceed
/// it is refused with a 429 and `Retry-After`; taken inside the request's transaction, the
/// count is given back if the request fails.
pub struct MailBudget {
    per_recipient: i64,
    per_org: i64,
}

/// The counter of an organization's mail, and of one recipient's (by address, lower-cased).
fn org_key(org: &OrgId) -> String {
    format!("mail-org:{org}")
}

fn recipient_key(address: &str) -> String {
    format!("mail-to:{}", address.to_lowercase())
}

/// Emails an address may be sent in an hour, by default.
pub const MAIL_PER_RECIPIENT_HOUR: u32 = 5;
/// Emails an organization may send in an hour, by default (a campaign mails up to 200).
pub const MAIL_PER_ORG_HOUR: u32 = 500;

impl MailBudget {
    /// `0` turns a limit off.
    pub fn new(per_recipient_hour: u32, per_org_hour: u32) -> Self {
        Self {
            per_recipient: i64::from(per_recipient_hour),
            per_org: i64::from(per_org_hour),
        }
    }

    /// Takes one email per recipient, and all of them from the organization's budget (when
    /// the mail is sent on an organization's behalf), or refuses with when to try again.
    pub async fn take(
        &self,
        db: &impl ConnectionTrait,
        now: Timestamp,
        org: Option<&OrgId>,
        recipients: &[&str],
    ) -> Result<(), ApiError> {
        let n = recipients.len() as i64;
        if n == 0 {
            return Ok(());
        }
        let (start, left) = window(now, HOUR_MS);
        if let (true, Some(org)) = (self.per_org > 0, org) {
            if n > self.per_org {
                return Err(ApiError::TooMuchMail {
                    message: "That is more email than your organization may send in an hour".into(),
                    retry_after_secs: 3600,
                });
            }
            if limits::add(db, &org_key(org), start, n).await? > self.per_org {
                return Err(ApiError::TooMuchMail {
                    message:
                        "Your organization has sent too much email recently; please try again later"
                            .into(),
                    retry_after_secs: left,
                });
            }
        }
        if self.per_recipient > 0 {
            for r in recipients {
                let key = recipient_key(r);
                if limits::add(db, &key, start, 1).await? > self.per_recipient {
                    return Err(ApiError::TooMuchMail {
                        message: format!(
                            "Too many emails were sent to {r} recently; please try again later"
                        ),
                        retry_after_secs: left,
                    });
                }
            }
        }
        Ok(())
    }
}

impl MailBudget {
    /// For a notice that rides on another change (a participant taken out of a one-on-one,
    /// a one-on-one deleted by an admin): takes one email from the recipient's and the
    /// organization's budgets when both have room, and answers whether it did. When either
    /// is used up it takes nothing and the notice is dropped, not the change: otherwise
    /// whoever can fill someone's mailbox budget could stop an admin from changing anything
    /// about them. The access log keeps the record the notice would have carried.
    pub async fn take_for_notice(
        &self,
        db: &impl ConnectionTrait,
        now: Timestamp,
        org: &OrgId,
        recipient: &str,
    ) -> Result<bool, DbErr> {
        let (start, _) = window(now, HOUR_MS);
        let mut taken: Vec<String> = vec![];
        for (limit, key) in [
            (self.per_org, org_key(org)),
            (self.per_recipient, recipient_key(recipient)),
        ] {
            if limit == 0 {
                continue;
            }
            let count = limits::add(db, &key, start, 1).await?;
            taken.push(key);
            if count > limit {
                for key in &taken {
                    limits::add(db, key, start, -1).await?;
                }
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Forgets the windows that ended (kept a day, for a look at recent pressure).
pub async fn forget_old(db: &impl ConnectionTrait, now: Timestamp) -> Result<u64, DbErr> {
    limits::delete_before(db, now.as_millis() - 24 * HOUR_MS).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_starts_on_the_clock_and_says_how_long_is_left() {
        let t = Timestamp::from_millis(10 * MINUTE_MS + 15_500);
        assert_eq!(window(t, MINUTE_MS), (10 * MINUTE_MS, 45));
        let end = Timestamp::from_millis(11 * MINUTE_MS - 1);
        assert_eq!(window(end, MINUTE_MS), (10 * MINUTE_MS, 1));
    }
}
