//! Versions over HTTP (docs/API.md §1, "No lost update"): what a client may change is sent
//! with its version as a strong `ETag`; a change may carry it back in `If-Match`, and when the
//! entity has moved on since, the answer is 412 with the entity as it is now (the same body
//! as reading it) and who changed it. Nothing is written by a stale change.

use crate::{
    error::ApiError,
    extract::{AppJson, etag},
};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

/// A body with its version as the `ETag`.
pub struct Versioned<T>(pub i64, pub T);

impl<T: Serialize> IntoResponse for Versioned<T> {
    fn into_response(self) -> Response {
        ([etag(self.0)], AppJson(self.1)).into_response()
    }
}

/// The `If-Match` header of a change, for the OpenAPI document (read by `extract::IfMatch`).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// The `ETag` the entity was read with: the change is made only if that is still its
    /// version (else 412). Without it, the change is made whatever the version.
    #[param(rename = "If-Match")]
    #[allow(dead_code)]
    if_match: Option<String>,
}

/// 412 `precondition_failed`: the change was made against an older version; nothing was
/// saved. `current` is the entity as it is now (its `ETag` too), to show beside what was sent.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stale<T> {
    pub error: String,
    /// `precondition_failed`
    pub code: String,
    pub current: T,
    /// The name of who made the change the writer did not know about (when known).
    pub changed_by: Option<String>,
}

/// The answer to a change: the entity at its new version, or, when the change was stale, 412
/// with the entity as it is now, read by `current` through the same service and permission
/// check as any read of it.
pub async fn answer<E, V, F>(
    result: Result<E, ApiError>,
    view: impl Fn(&E) -> Versioned<V>,
    current: impl FnOnce() -> F,
) -> Result<Response, ApiError>
where
    V: Serialize,
    F: Future<Output = Result<E, ApiError>>,
{
    match result {
        Ok(e) => Ok(view(&e).into_response()),
        Err(ApiError::Stale(message, changed_by)) => {
            let Versioned(version, now) = view(&current().await?);
            let body = Stale {
                error: message.to_owned(),
                code: "precondition_failed".to_owned(),
                current: now,
                changed_by,
            };
            Ok((
                StatusCode::PRECONDITION_FAILED,
                [etag(version)],
                AppJson(body),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
