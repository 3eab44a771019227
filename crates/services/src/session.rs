//! Session tokens: how they are made, stored, carried and checked.
//!
//! A token is 32 random bytes (base64url). The database keeps only its SHA-256, so reading the
//! sessions table does not let anyone sign in. It travels in `Authorization: Bearer` or in the
//! `manageros_session` cookie (HttpOnly, SameSite=Lax); cookie-authenticated writes must also
//! carry an `Origin` of our own (see [`check_same_origin`]).

use crate::error::ApiError;
use axum::http::{HeaderMap, HeaderValue, header};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "manageros_session";
pub const SESSION_DAYS: i64 = 30;

/// A fresh random token (also used for invitation and reset links).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    BASE64URL_NOPAD.encode(&bytes)
}

/// What is stored in place of a token.
pub fn hash_token(token: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(token.as_bytes()))
}

pub struct PresentedToken {
    pub token: String,
    pub via_cookie: bool,
}

/// The token a request presents: the Authorization header wins over the cookie.
pub fn token_from_headers(headers: &HeaderMap) -> Option<PresentedToken> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        return (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| {
            PresentedToken {
                token: token.to_owned(),
                via_cookie: false,
            }
        });
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| PresentedToken {
            token: value.to_owned(),
            via_cookie: true,
        })
}

/// The `Set-Cookie` value that carries a new session.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let max_age = SESSION_DAYS * 24 * 3600;
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    HeaderValue::from_static(if secure {
        "manageros_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure"
    } else {
        "manageros_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    })
}

/// CSRF protection for cookie-authenticated writes: the request's `Origin` (or, failing that,
/// its `Referer`) must be our public origin or the origin of the `Host` it was sent to.
/// Browsers always send `Origin` on cross-site writes, and a page of another site can neither
/// forge it nor read our cookie.
pub fn check_same_origin(headers: &HeaderMap, public_origin: &str) -> Result<(), ApiError> {
    let refused = || {
        ApiError::forbidden(
            "Cross-site request refused: the Origin header does not match this server",
        )
    };
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            let referer = headers.get(header::REFERER)?.to_str().ok()?;
            let url = url::Url::parse(referer).ok()?;
            Some(url.origin().ascii_serialization())
        })
        .ok_or_else(refused)?;
    let origin = origin.trim_end_matches('/');
    if origin == public_origin {
        return Ok(());
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if let Some(host) = host
        && let Some(rest) = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
        && rest.eq_ignore_ascii_case(host)
    {
        return Ok(());
    }
    Err(refused())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn bearer_wins_over_cookie() {
        let h = headers(&[
            ("authorization", "Bearer abc"),
            ("cookie", "manageros_session=xyz"),
        ]);
        let t = token_from_headers(&h).unwrap();
        assert_eq!((t.token.as_str(), t.via_cookie), ("abc", false));
        let h = headers(&[("cookie", "other=1; manageros_session=xyz; more=2")]);
        let t = token_from_headers(&h).unwrap();
        assert_eq!((t.token.as_str(), t.via_cookie), ("xyz", true));
        assert!(token_from_headers(&headers(&[("authorization", "Basic abc")])).is_none());
        assert!(token_from_headers(&headers(&[("authorization", "Bearer ")])).is_none());
        assert!(token_from_headers(&headers(&[("cookie", "manageros_session=")])).is_none());
    }

    #[test]
    fn same_origin_check() {
        let ours = "https://app.example.com";
        assert!(check_same_origin(&headers(&[("origin", ours)]), ours).is_ok());
        assert!(
            check_same_origin(
                &headers(&[
                    ("origin", "http://127.0.0.1:3000"),
                    ("host", "127.0.0.1:3000")
                ]),
                ours
            )
            .is_ok()
        );
        assert!(
            check_same_origin(
                &headers(&[("referer", "https://app.example.com/settings")]),
                ours
            )
            .is_ok()
        );
        assert!(check_same_origin(&headers(&[("origin", "https://evil.example")]), ours).is_err());
        assert!(
            check_same_origin(
                &headers(&[
                    ("origin", "https://evil.example"),
                    ("host", "app.example.com")
                ]),
                ours
            )
            .is_err()
        );
        assert!(check_same_origin(&headers(&[]), ours).is_err());
        assert!(check_same_origin(&headers(&[("origin", "null")]), ours).is_err());
    }
}
