//! Extractors: who is calling ([`CurrentUser`]) and readable input ([`AppJson`],
//! [`AppQuery`], [`AppPath`]), each failing with the API's error envelope.

use crate::{error::ApiError, session, state::AppState};
use axum::{
    extract::{
        FromRequest, FromRequestParts,
        rejection::{PathRejection, QueryRejection},
    },
    http::{Method, request::Parts},
    response::{IntoResponse, Response},
};
use manageros_core::{
    SessionId,
    authz::{Actor, Kind},
};
use manageros_store::repo::{sessions::Device, users::User};

/// A JSON body, which must be an object; anything else is a 400 or 415 in the envelope.
///
/// Not `axum::Json` itself: it would accept a JSON array for a struct (serde reads structs
/// from sequences, positionally), and its messages name Rust types.
pub struct AppJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType(
                "Expected a request body with Content-Type: application/json".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest("Could not read the request body".into())
                }
            })?;
        parse_object(&bytes).map(AppJson)
    }
}

impl<T: serde::Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `application/json`, or any `application/*+json`, with or without parameters.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let Some(subtype) = essence
        .get(..12)
        .filter(|t| t.eq_ignore_ascii_case("application/"))
        .map(|_| &essence[12..])
    else {
        return false;
    };
    subtype.eq_ignore_ascii_case("json")
        || subtype
            .len()
            .checked_sub(5)
            .and_then(|i| subtype.get(i..))
            .is_some_and(|s| s.eq_ignore_ascii_case("+json"))
}

/// Reads a body that must be a JSON object into `T`, with messages a person can act on.
pub fn parse_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some() && first != Some(&b'{') {
        // Valid JSON or not, only an object can be a request here.
        if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
            return Err(ApiError::BadRequest(
                "Invalid request body: expected a JSON object".into(),
            ));
        }
    }
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::BadRequest(format!(
            "Invalid request body: {}",
            humanize(&e.to_string())
        )),
        _ => ApiError::BadRequest(format!("Malformed JSON: {e}")),
    })
}

/// serde's sentence without the Rust in it: "expected struct CadenceRequest" → "expected a
/// JSON object", "expected u32" → "expected a whole number", "expected i64" likewise.
pub(crate) fn humanize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("expected ") {
        let (head, tail) = rest.split_at(at + "expected ".len());
        out.push_str(head);
        let word_end = |t: &str| t.find([' ', ',']).unwrap_or(t.len());
        if let Some(after) = tail
            .strip_prefix("struct ")
            .or_else(|| tail.strip_prefix("map"))
        {
            // "struct Name" or "struct Name with 3 elements"
            let mut after = &after[word_end(after)..];
            if let Some(e) = after.strip_prefix(" with ") {
                let n = word_end(e);
                after = e[n..]
                    .strip_prefix(" elements")
                    .or_else(|| e[n..].strip_prefix(" element"))
                    .unwrap_or(&e[n..]);
            }
            out.push_str("a JSON object");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("enum ") {
            out.push_str("one of the allowed values");
            rest = &after[word_end(after)..];
        } else {
            let n = word_end(tail);
            let word = &tail[..n];
            let replaced = match word {
                "u8" | "u16" | "u32" | "u64" | "usize" | "u128" | "i8" | "i16" | "i32" | "i64"
                | "isize" | "i128" => Some("a whole number in range"),
                "f32" | "f64" => Some("a number"),
                "bool" => Some("true or false"),
                "char" => Some("a single character"),
                _ => None,
            };
            match replaced {
                Some(r) => {
                    out.push_str(r);
                    rest = &tail[n..];
                }
                None => rest = tail,
            }
        }
    }
    out.push_str(rest);
    out
}

/// The innermost cause of a rejection: serde's own sentence ("missing field `email` at line
/// 1 column 2") without axum's prefix.
fn source_message(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Query-string parameters; unreadable ones are a 400 in the envelope.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct AppQuery<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        match r {
            QueryRejection::FailedToDeserializeQueryString(e) => ApiError::BadRequest(format!(
                "Invalid query string: {}",
                humanize(&source_message(&e))
            )),
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// Path parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct AppPath<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::BadRequest(r.body_text())
    }
}

/// The signed-in caller, read from the database on every request so that a change of role,
/// organization or person link takes effect at once.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    /// Hash of the session token this request presented (logout revokes it).
    pub token_hash: String,
    /// The session this request presented (marked "this device" in the list of sessions).
    pub session_id: SessionId,
    /// The organization's `names_version` as the session lookup read it (`names`).
    pub names_version: i64,
    /// The organization's `oneonones_version` as the session lookup read it
    /// (`oneonones::list`).
    pub oneonones_version: i64,
    /// The organization's `tasks_version` as the session lookup read it (`tasks::list`).
    pub tasks_version: i64,
    /// Whether anyone reports to the caller's person, as the session lookup read it.
    pub manages: bool,
}

impl CurrentUser {
    /// The versions a kept task total must have been counted at (`tasks::list`).
    pub fn tasks_seen(&self) -> crate::totals::Seen {
        crate::totals::Seen([self.tasks_version, self.names_version])
    }

    /// The caller as the authorization module sees them, with their reporting line.
    pub fn actor(&self) -> Actor {
        Actor {
            manages: self.manages,
            ..self.user.actor()
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented =
            session::token_from_headers(&parts.headers).ok_or(ApiError::Unauthorized)?;
        if presented.via_cookie && !is_safe(&parts.method) {
            // A cookie rides along on cross-site requests; a bearer token does not. Writes
            // authenticated by cookie must come from our own origin.
            session::check_same_origin(&parts.headers, &state.config.public_origin)?;
        }
        let token_hash = session::hash_token(&presented.token);
        let found = manageros_store::repo::sessions::find_user(&state.db, &token_hash, state.now())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Self {
            user: found.user,
            token_hash,
            session_id: found.session_id,
            names_version: found.names_version,
            oneonones_version: found.oneonones_version,
            tasks_version: found.tasks_version,
            manages: found.manages,
        })
    }
}

/// Where a request comes from, as its owner would recognise a session: the peer's address
/// and the `User-Agent` (at most 200 characters, control characters dropped). Never proof
/// of anything.
pub struct Client(pub Device);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_of(&parts.headers, &parts.extensions)))
    }
}

pub fn client_of(headers: &axum::http::HeaderMap, extensions: &axum::http::Extensions) -> Device {
    let address = extensions
        .get::<crate::client::ClientAddr>()
        .map(|a| a.0.to_string());
    let user_agent = headers
        .get(axum::http::header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .map(|ua| {
            ua.chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect::<String>()
        })
        .filter(|ua| !ua.trim().is_empty());
    Device {
        user_agent,
        address,
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// An id in the path, typed at the edge: a string of the wrong shape names nothing, so it is
/// the entity's 404 (the same answer as a well-formed id that does not exist).
#[derive(Clone, Debug)]
pub struct Id<T>(pub T);

/// An id type that can stand in a path, with the 404 of the entity it names.
pub trait PathId: Sized + Send {
    const NOT_FOUND: &'static str;
    fn parse(raw: &str) -> Option<Self>;
}

impl<T: PathId, S: Send + Sync> FromRequestParts<S> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let AppPath(raw) = AppPath::<String>::from_request_parts(parts, state).await?;
        T::parse(raw.trim())
            .map(Id)
            .ok_or_else(|| ApiError::not_found(T::NOT_FOUND))
    }
}

/// Two ids of a path, e.g. `/api/oneonones/{id}/talking-points/{pointId}`: each parsed as
/// [`Id`] parses one, the first one's 404 first.
pub struct Ids<A, B>(pub A, pub B);

impl<A: PathId, B: PathId, S: Send + Sync> FromRequestParts<S> for Ids<A, B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let AppPath((a, b)) = AppPath::<(String, String)>::from_request_parts(parts, state).await?;
        let a = A::parse(a.trim()).ok_or_else(|| ApiError::not_found(A::NOT_FOUND))?;
        let b = B::parse(b.trim()).ok_or_else(|| ApiError::not_found(B::NOT_FOUND))?;
        Ok(Ids(a, b))
    }
}

macro_rules! path_ids {
    ($($id:ident => $not_found:expr;)+) => {$(
        impl PathId for manageros_core::$id {
            const NOT_FOUND: &'static str = $not_found;
            fn parse(raw: &str) -> Option<Self> {
                manageros_core::$id::parse(raw)
            }
        }
    )+};
}

path_ids! {
    TaskId => Kind::Task.not_found_message();
    MeetingId => Kind::Meeting.not_found_message();
    MeetingInstanceId => Kind::MeetingInstance.not_found_message();
    InitiativeId => Kind::Initiative.not_found_message();
    ReportId => Kind::Report.not_found_message();
    FeedbackId => Kind::Feedback.not_found_message();
    OneOnOneId => Kind::OneOnOne.not_found_message();
    CampaignId => Kind::FeedbackCampaign.not_found_message();
    TalkingPointId => crate::conversation::POINT_NOT_FOUND;
}

/// The services' `Paging` (`parse`), read from the query string as every list's one
/// pagination extractor.
pub use crate::parse::Paging;

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let AppQuery(p) = AppQuery::<Paging>::from_request_parts(parts, state).await?;
        Ok(p)
    }
}

/// `If-Match` (RFC 9110 §13.1.1): the versions of an entity a write is meant for, as its
/// `ETag`s said (`"7"`). Absent, or `*`: any version (a write without it works as before).
/// A tag that names no version of ours (weak, malformed) never matches, so such a write is a
/// 412, never applied to a version its sender did not read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IfMatch(Option<Vec<i64>>);

impl IfMatch {
    /// The version a page's form was showing (its hidden `version` field), as typed.
    pub fn form(raw: &str) -> Self {
        Self(Some(raw.trim().parse().ok().into_iter().collect()))
    }

    /// The tags of an `If-Match` header value.
    pub fn parse(header: &str) -> Self {
        if header.split(',').any(|tag| tag.trim() == "*") {
            return Self(None);
        }
        Self(Some(
            header
                .split(',')
                .filter_map(|tag| {
                    let tag = tag.trim();
                    tag.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
                })
                .collect(),
        ))
    }

    /// The versions named, or none for any.
    pub fn tags(&self) -> Option<&[i64]> {
        self.0.as_deref()
    }

    /// Whether a write to an entity at `version` may go on.
    pub fn allows(&self, version: i64) -> bool {
        self.0.as_ref().is_none_or(|tags| tags.contains(&version))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let values: Vec<&str> = parts
            .headers
            .get_all(axum::http::header::IF_MATCH)
            .iter()
            // A value that is not text names no version: it never matches.
            .map(|v| v.to_str().unwrap_or("\u{0}"))
            .collect();
        Ok(if values.is_empty() {
            Self::default()
        } else {
            Self::parse(&values.join(","))
        })
    }
}

/// The `ETag` of an entity at `version` (a strong tag: `If-Match` compares strongly).
pub fn etag(version: i64) -> (axum::http::HeaderName, String) {
    (axum::http::header::ETAG, format!("\"{version}\""))
}

#[cfg(test)]
mod if_match_tests {
    use super::IfMatch;

    #[test]
    fn tags_are_compared_strongly_and_a_stranger_never_matches() {
        assert!(IfMatch::default().allows(3));
        assert!(IfMatch::parse("*").allows(3));
        assert!(IfMatch::parse("*,*").allows(3));
        assert!(IfMatch::parse("\"3\"").allows(3));
        assert!(IfMatch::parse("\"2\", \"3\"").allows(3));
        assert!(!IfMatch::parse("\"2\"").allows(3));
        assert!(!IfMatch::parse("W/\"3\"").allows(3));
        assert!(!IfMatch::parse("3").allows(3));
        assert!(!IfMatch::parse("\"x\"").allows(3));
        assert!(IfMatch::form("3").allows(3));
        assert!(!IfMatch::form("").allows(3));
    }
}
