//! `GET /healthz`: up when the database answers.

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
    responses((status = 200, body = Health), (status = 500, description = "The database does not answer")))]
pub async fn healthz(State(state): State<AppState>) -> Result<AppJson<Health>, ApiError> {
    manageros_store::ping(&state.db).await?;
    Ok(AppJson(Health { status: "ok" }))
}
