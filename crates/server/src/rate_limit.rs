//! The per-address rate limit on `/api/auth/*` (sign-up, sign-in, password reset): a brake on
//! password guessing and on mail bombing through forgot-password.

use crate::{error::ApiError, state::AppState};
use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{Quota, RateLimiter, clock::Clock as _};
use std::{net::IpAddr, net::SocketAddr, num::NonZeroU32, sync::Arc};

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
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        if let Err(not_until) = limiter.check_key(&ip) {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return ApiError::RateLimited {
                retry_after_secs: retry_after_secs.max(1),
            }
            .into_response();
        }
    }
    next.run(req).await
}
