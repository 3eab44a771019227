//! One error type and one JSON envelope for every failure the API reports (docs/API.md §1):
//! `{"error": "<message>", "code": "<snake_case_code>", "fields"?: {...}}`.
//!
//! Handlers return `Result<_, ApiError>` and use `?`; database errors and anything
//! unexpected become a 500 whose details go to the log, never to the client.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use manageros_core::{Invalid, authz::Refusal};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: a body or query that could not be read at all (malformed JSON, wrong type).
    #[error("{0}")]
    BadRequest(String),
    /// 400: readable input that failed validation; `fields` says which, in check order.
    #[error("{}", .0.first().map(|(_, m)| m.as_str()).unwrap_or("Invalid input"))]
    Validation(Vec<(String, String)>),
    /// 401: no credentials, or an invalid, expired or revoked one.
    #[error("Unauthorized")]
    Unauthorized,
    /// 401 with a specific message (a failed sign-in).
    #[error("{0}")]
    InvalidCredentials(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// 403 or 404: the permission rules (`manageros_core::authz`) refused. Answered as the
    /// refusal's status with its message, and marked on the response ([`Denial`]) so that the
    /// audit log records it (`audit::denials`): a value, not a side effect of `?`.
    #[error("{}", .0.message())]
    Denied(Refusal),
    #[error("Method not allowed")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    /// 412: the write named a version (`If-Match`) that is no longer the current one; nothing
    /// was changed. The front end shows the current state beside what was sent.
    /// With the name of who made the change the writer did not know about, when known.
    #[error("{0}")]
    Stale(&'static str, Option<String>),
    #[error("The request was not completed in time")]
    RequestTimeout,
    #[error("Request body is too large")]
    PayloadTooLarge,
    #[error("The request URI is too long")]
    UriTooLong,
    #[error("The request headers are too large")]
    HeadersTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("Too many requests, please try again later")]
    RateLimited { retry_after_secs: u64 },
    /// 429: the request would send more email than a recipient or an organization may receive
    /// or send for now (`rate_limit::MailBudget`); nothing was changed.
    #[error("{message}")]
    TooMuchMail {
        message: String,
        retry_after_secs: u64,
    },
    /// 503: this replica cannot serve yet (`/readyz`: the database does not answer, or its
    /// schema is older than this binary).
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an outage. The cause is logged; the client sees a generic message.
    #[error("Internal server error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::NotFound(msg.into())
    }

    pub fn forbidden(msg: impl Into<String>) -> Self {
        Self::Forbidden(msg.into())
    }

    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::Conflict(msg.into())
    }

    /// A validation failure on one field.
    pub fn invalid(field: &str, msg: impl Into<String>) -> Self {
        Self::Validation(vec![(field.to_owned(), msg.into())])
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// The message of a 403, whether a service or the permission rules refused.
    pub fn forbidden_message(&self) -> Option<&str> {
        match self {
            ApiError::Forbidden(m) => Some(m),
            ApiError::Denied(Refusal::Forbidden(m)) => Some(m),
            _ => None,
        }
    }

    /// The message of a 404, whether a service or the permission rules refused.
    pub fn not_found_message(&self) -> Option<&str> {
        match self {
            ApiError::NotFound(m) => Some(m),
            ApiError::Denied(Refusal::NotFound(m)) => Some(m),
            _ => None,
        }
    }

    /// What the audit log records of this error: the permission rules' refusal, if it is one.
    pub fn denial(&self) -> Option<Denial> {
        match self {
            ApiError::Denied(r) => Some(Denial(r.message().to_owned())),
            _ => None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::Validation(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized | ApiError::InvalidCredentials(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Denied(Refusal::Forbidden(_)) => StatusCode::FORBIDDEN,
            ApiError::Denied(Refusal::NotFound(_)) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Stale(..) => StatusCode::PRECONDITION_FAILED,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } | ApiError::TooMuchMail { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds after which a refused request may succeed (`Retry-After`).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited { retry_after_secs }
            | ApiError::TooMuchMail {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Validation(_) => "validation_failed",
            ApiError::Unauthorized => "unauthorized",
            ApiError::InvalidCredentials(_) => "invalid_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Denied(Refusal::Forbidden(_)) => "forbidden",
            ApiError::Denied(Refusal::NotFound(_)) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::Stale(..) => "precondition_failed",
            ApiError::RequestTimeout => "request_timeout",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UriTooLong => "uri_too_long",
            ApiError::HeadersTooLarge => "headers_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::RateLimited { .. } | ApiError::TooMuchMail { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

/// The error envelope, as documented in the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A sentence for a person; exact where docs/API.md quotes it.
    pub error: String,
    /// A stable, machine-readable code.
    pub code: &'static str,
    /// Per-field messages of a validation failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A refusal of the permission rules, kept on the response that answers it: the audit log's
/// `permission_denied` event is written from it (`audit::denials`).
#[derive(Clone, Debug)]
pub struct Denial(pub String);

/// The message of an envelope answer, kept on the response: a browser outside `/api` gets it
/// as an error page instead (`web::errors_as_pages`).
#[derive(Clone, Debug)]
pub struct Refused(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(err) = &self {
            // The one place internal errors are logged, inside the request's span.
            tracing::error!(error = ?err, "request failed");
        }
        let fields = match &self {
            ApiError::Validation(fields) => Some(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect(),
            ),
            _ => None,
        };
        let body = ErrorBody {
            error: self.to_string(),
            code: self.code(),
            fields,
        };
        let message = body.error.clone();
        let mut res = (self.status(), Json(body)).into_response();
        // What the pages need to show this refusal as a page (`web::errors_as_pages`).
        res.extensions_mut().insert(Refused(message));
        if let Some(d) = self.denial() {
            res.extensions_mut().insert(d);
        }
        if let Some(secs) = self.retry_after() {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// The last line behind every check-then-write: a constraint the database enforced is a
/// conflict with a concurrent change, never a 500. Call sites that know better name the
/// conflict themselves (`OnConflict`); this is the fallback for races between checks and
/// writes on PostgreSQL (e.g. a person deleted while a task is being assigned to them).
impl From<manageros_store::DbErr> for ApiError {
    fn from(err: manageros_store::DbErr) -> Self {
        if manageros_store::is_foreign_key_violation(&err)
            || manageros_store::is_unique_violation(&err)
        {
            tracing::info!(error = %err, "constraint violation reported as a conflict");
            return ApiError::Conflict(
                "The request conflicts with a change made at the same time; please try again"
                    .into(),
            );
        }
        ApiError::Internal(err.into())
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        ApiError::Denied(r)
    }
}

/// Maps a unique-index violation to a 409 with `message`, leaving other errors as they are:
/// the database's constraint is the last line behind a check-then-write.
pub trait OnConflict<T> {
    fn on_unique_violation(self, message: &str) -> Result<T, ApiError>;
}

impl<T> OnConflict<T> for Result<T, manageros_store::DbErr> {
    fn on_unique_violation(self, message: &str) -> Result<T, ApiError> {
        self.map_err(|e| {
            if manageros_store::is_unique_violation(&e) {
                ApiError::Conflict(message.to_owned())
            } else {
                ApiError::from(e)
            }
        })
    }
}

/// Collects per-field validation failures so one response reports all of them.
#[derive(Default)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    /// Records the error of `result` under `field`, if any, and passes the value through.
    pub fn take<T>(&mut self, field: &str, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push((field.to_owned(), e.0));
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, msg: impl Into<String>) {
        self.0.push((field.to_owned(), msg.into()));
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

/// Validates several fields at once and binds the parsed values:
///
/// ```ignore
/// validate! {
///     name = "name": Name::parse(&body.name),
///     email = "email": Email::parse(&body.email),
/// }
/// ```
///
/// Every failure is reported together, as a 400 with `fields`.
#[macro_export]
macro_rules! validate {
    ($($var:ident = $field:literal : $e:expr),+ $(,)?) => {
        let mut __errors = $crate::error::FieldErrors::default();
        $( let $var = __errors.take($field, $e); )+
        __errors.finish()?;
        $(
            let Some($var) = $var else {
                return Err($crate::error::ApiError::internal(anyhow::anyhow!(
                    "validated field {} missing", $field
                )).into());
            };
        )+
    };
}

/// [`validate!`] for the fields of a write: each field's check gives the change it asks for
/// (an `Option`: keep or set; a `Patch`: keep, clear or set), and once every field has passed,
/// each change is applied to `$fields`' field of the same name. A field is one line.
#[macro_export]
macro_rules! validate_into {
    ($fields:ident { $($var:ident = $field:literal : $e:expr),+ $(,)? }) => {
        $crate::validate! { $($var = $field: $e),+ }
        $( $crate::patch::Change::over($var, &mut $fields.$var); )+
    };
}
