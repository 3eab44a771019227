//! The HTTP API: one module per resource, each handler annotated for the OpenAPI document,
//! which is generated from the same route table that serves requests (so it cannot miss one).

pub mod auth;
pub mod health;
pub mod me;
pub mod schema;

use crate::{error::ErrorBody, rate_limit, state::AppState};
use axum::{Json, Router, middleware, routing::get};
use std::sync::Arc;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "ManagerOS API", description = "The HTTP API of ManagerOS. Errors are `{error, code, fields?}`; see docs/API-DESIGN.md."),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "me", description = "The current user"),
        (name = "operations", description = "Health and documentation"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::session::COOKIE_NAME,
            ))),
        );
    }
}

/// All API routes, with the OpenAPI document served at `/api/openapi.json`.
pub fn router(state: AppState) -> Router {
    let auth = OpenApiRouter::new()
        .routes(routes!(auth::signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::forgot_password))
        .routes(routes!(auth::reset_password))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit_auth,
        ));

    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth)
        .routes(routes!(health::healthz))
        .routes(routes!(me::get_me))
        .split_for_parts();

    let doc = Arc::new(doc);
    router
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = Arc::clone(&doc);
                async move { Json(doc) }
            }),
        )
        .with_state(state)
}
