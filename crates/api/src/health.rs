//! `GET /healthz`: the process is alive (it asks nothing of the database, so an outage of the
//! database does not get every replica restarted). `GET /readyz`: this replica can serve: the
//! database answers and its schema is current; a load balancer sends it requests only then.

use crate::{error::ApiError, extract::AppJson, state::AppState};
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Health, description = "The process is alive")))]
pub async fn healthz() -> AppJson<Health> {
    AppJson(Health { status: "ok" })
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, body = Health, description = "The database answers and its schema is current"),
        (status = 503, body = crate::error::ErrorBody, description = "The database does not answer, or a migration is pending")))]
pub async fn readyz(State(state): State<AppState>) -> Result<AppJson<Health>, ApiError> {
    match manageros_store::schema_current(&state.db).await {
        Ok(true) => Ok(AppJson(Health { status: "ready" })),
        Ok(false) => Err(ApiError::Unavailable(
            "The database schema is older than this server: a migration is pending".into(),
        )),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            Err(ApiError::Unavailable("The database does not answer".into()))
        }
    }
}
