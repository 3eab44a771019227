//! The HTTP API: one module per resource, each handler annotated for the OpenAPI document,
//! which is generated from the same route table that serves requests (so it cannot miss one).

pub mod auth;
pub mod health;
pub mod invitations;
pub mod me;
pub mod members;
pub mod organizations;
pub mod people;
pub mod schema;
pub mod teams;

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
        (name = "organizations", description = "Creating and reading the caller's organization"),
        (name = "invitations", description = "Inviting people into an organization, and accepting"),
        (name = "members", description = "Members, roles, and linking users to people"),
        (name = "people", description = "The org chart's people"),
        (name = "teams", description = "The organization's teams"),
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
        .routes(routes!(me::linkable_persons))
        .routes(routes!(me::link_self, me::unlink_self))
        .routes(routes!(organizations::create_organization))
        .routes(routes!(organizations::get_organization))
        .routes(routes!(
            invitations::list_invitations,
            invitations::create_invitation
        ))
        .routes(routes!(invitations::revoke_invitation))
        .routes(routes!(invitations::reactivate_invitation))
        .routes(routes!(invitations::my_invitations))
        .routes(routes!(invitations::accept_invitation))
        .routes(routes!(invitations::accept_invitation_token))
        .routes(routes!(members::list_members))
        .routes(routes!(members::change_role, members::remove_member))
        .routes(routes!(members::linkable_users))
        .routes(routes!(members::link_person, members::unlink_person))
        .routes(routes!(people::list_people, people::create_person))
        .routes(routes!(
            people::get_person,
            people::update_person,
            people::delete_person
        ))
        .routes(routes!(teams::list_teams, teams::create_team))
        .routes(routes!(
            teams::get_team,
            teams::update_team,
            teams::delete_team
        ))
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
