//! The per-address rate limit on `/api/auth/*` (sign-up, sign-in, password reset): a brake on
//! password guessing and on mail bombing through forgot-password; and the [`MailBudget`].

use crate::{client::ClientAddr, error::ApiError, state::AppState};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{Quota, RateLimiter, clock::Clock as _};
use std::{net::IpAddr, num::NonZeroU32, sync::Arc};

pub type AuthLimiter = governor::DefaultKeyedRateLimiter<IpAddr>;

/// `per_minute` requests a minute per client address, in a burst or spread out; `0` turns the
/// limit off.
pub fn auth_limiter(per_minute: u32) -> Option<Arc<AuthLimiter>> {
    NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))))
}

pub async fn limit_auth(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(limiter) = &state.auth_limiter {
        let ip = req
            .extensions()
            .get::<ClientAddr>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0);
        if let Err(not_until) = limiter.check_key(&ip) {
            return ApiError::RateLimited {
                retry_after_secs: secs(&not_until),
            }
            .into_response();
        }
    }
    next.run(req).await
}

/// How much email may go out, per recipient address and per organization, in an hour: a brake
/// on using the server as a mail cannon (revoking and reactivating an invitation in a loop,
/// campaigns to arbitrary addresses, reset links to one mailbox). A request that would exceed
/// it is refused with a 429 and `Retry-After` before anything is written.
///
/// Kept in this process's memory: N replicas allow N times as much (issue 11 moves it into
/// the database).
pub struct MailBudget {
    per_recipient: Option<governor::DefaultKeyedRateLimiter<String>>,
    per_org: Option<governor::DefaultKeyedRateLimiter<String>>,
}

/// Emails an address may be sent in an hour, by default.
pub const MAIL_PER_RECIPIENT_HOUR: u32 = 5;
/// Emails an organization may send in an hour, by default (a campaign mails up to 200).
pub const MAIL_PER_ORG_HOUR: u32 = 500;

impl MailBudget {
    /// `0` turns a limit off.
    pub fn new(per_recipient_hour: u32, per_org_hour: u32) -> Self {
        let keyed = |n: u32| NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_hour(n)));
        Self {
            per_recipient: keyed(per_recipient_hour),
            per_org: keyed(per_org_hour),
        }
    }

    /// Takes one email per recipient, and all of them from the organization's budget (when
    /// the mail is sent on an organization's behalf), or refuses with when to try again.
    pub fn take(
        &self,
        org: Option<&manageros_core::OrgId>,
        recipients: &[&str],
    ) -> Result<(), ApiError> {
        let Some(n) = u32::try_from(recipients.len())
            .ok()
            .and_then(NonZeroU32::new)
        else {
            return Ok(());
        };
        if let (Some(limiter), Some(org)) = (&self.per_org, org) {
            match limiter.check_key_n(&org.to_string(), n) {
                Ok(Ok(())) => {}
                Ok(Err(not_until)) => {
                    return Err(ApiError::TooMuchMail {
                        message: "Your organization has sent too much email recently; please try again later".into(),
                        retry_after_secs: secs(&not_until),
                    });
                }
                Err(_) => {
                    return Err(ApiError::TooMuchMail {
                        message: "That is more email than your organization may send in an hour"
                            .into(),
                        retry_after_secs: 3600,
                    });
                }
            }
        }
        if let Some(limiter) = &self.per_recipient {
            for r in recipients {
                if let Err(not_until) = limiter.check_key(&r.to_lowercase()) {
                    return Err(ApiError::TooMuchMail {
                        message: format!(
                            "Too many emails were sent to {r} recently; please try again later"
                        ),
                        retry_after_secs: secs(&not_until),
                    });
                }
            }
        }
        Ok(())
    }

    /// Forgets addresses and organizations whose budget is full again.
    pub fn retain_recent(&self) {
        for l in [&self.per_recipient, &self.per_org].into_iter().flatten() {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

fn secs(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}
