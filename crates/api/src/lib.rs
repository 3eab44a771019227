//! The HTTP API: one module per resource, each handler annotated for the OpenAPI document,
//! which is generated from the same route table that serves requests (so it cannot miss one).
//!
//! A handler extracts, calls one function of `manageros-services` and maps its result; it
//! asks authz nothing and validates nothing itself. This crate cannot reach the pages
//! (`manageros-web`), nor they it.

pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod conversation;
pub mod feedback;
pub mod handoffs;
pub mod health;
pub mod initiatives;
pub mod invitations;
pub mod me;
pub mod meetings;
pub mod members;
pub mod oneonones;
pub mod organizations;
pub mod people;
pub mod permissions;
pub mod reports;
pub mod schema;
pub mod tasks;
pub mod teams;
pub mod versioned;

// The floor below, under the names the handlers use.
use manageros_services::{self as services, error, extract, rate_limit, session, state};

use crate::{error::ErrorBody, state::AppState};
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
        (name = "tasks", description = "Tasks"),
        (name = "initiatives", description = "Initiatives and their owners"),
        (name = "meetings", description = "Meetings, their participants and instances"),
        (name = "feedback", description = "Feedback about people"),
        (name = "feedback-campaigns", description = "Feedback campaigns, and answering them without an account"),
        (name = "reports", description = "Saved reports and running them"),
        (name = "permissions", description = "What the caller may do, and why"),
        (name = "oneonones", description = "One-on-ones and their access receipts"),
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

/// Adds the refusals that come from the extractors rather than from a handler, so that every
/// operation's documented statuses are the ones it can answer (checked by schemathesis in CI):
/// a JSON body can be unreadable (400) or not JSON at all (415), and a write authenticated by
/// the session cookie from another origin is refused (403, `session::check_same_origin`).
fn document_common_refusals(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, schema::Schema};
    let refusal = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(RefOr::<Schema>::Ref(Ref::from_schema_name(
                            "ErrorBody",
                        ))))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let writes = [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in writes.into_iter().flatten() {
            let responses = &mut op.responses.responses;
            if op.request_body.is_some() {
                responses
                    .entry("400".into())
                    .or_insert_with(|| refusal("The body is not a readable JSON object"));
                responses.entry("415".into()).or_insert_with(|| {
                    refusal("The body is not sent as Content-Type: application/json")
                });
            }
            if op.security.is_some() {
                responses.entry("403".into()).or_insert_with(|| {
                    refusal("A write with the session cookie from another origin")
                });
            }
        }
    }
}

/// All API routes, with the OpenAPI document served at `/api/openapi.json`.
pub fn router(state: AppState) -> Router {
    // Endpoints reachable without an account share the per-address rate limit.
    let unauthenticated = OpenApiRouter::new()
        .routes(routes!(auth::signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::forgot_password))
        .routes(routes!(auth::reset_password))
        .routes(routes!(auth::verify_email))
        .routes(routes!(auth::resend_verification))
        .routes(routes!(campaigns::public_form, campaigns::public_answer))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit_auth,
        ));

    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(unauthenticated)
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        // The caller.
        .routes(routes!(me::get_me))
        .routes(routes!(me::linkable_persons))
        .routes(routes!(me::link_self, me::unlink_self))
        .routes(routes!(me::list_sessions, me::sign_out_elsewhere))
        .routes(routes!(me::revoke_session))
        .routes(routes!(me::get_notifications, me::update_notifications))
        .routes(routes!(permissions::my_permissions))
        .routes(routes!(permissions::check_permission))
        // Organizations, invitations, members.
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
        .routes(routes!(members::leave_organization))
        .routes(routes!(members::linkable_users))
        .routes(routes!(members::link_person, members::unlink_person))
        .routes(routes!(audit::audit_log))
        // People and teams.
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
        // The entities the permission system governs.
        .routes(routes!(tasks::list_tasks, tasks::create_task))
        .routes(routes!(
            tasks::get_task,
            tasks::update_task,
            tasks::delete_task
        ))
        .routes(routes!(
            initiatives::list_initiatives,
            initiatives::create_initiative
        ))
        .routes(routes!(
            initiatives::get_initiative,
            initiatives::update_initiative,
            initiatives::delete_initiative
        ))
        .routes(routes!(initiatives::initiative_tasks))
        .routes(routes!(initiatives::check_in, initiatives::check_ins))
        .routes(routes!(meetings::initiative_meetings))
        .routes(routes!(meetings::list_meetings, meetings::create_meeting))
        .routes(routes!(
            meetings::get_meeting,
            meetings::update_meeting,
            meetings::delete_meeting
        ))
        .routes(routes!(meetings::list_instances, meetings::create_instance))
        .routes(routes!(meetings::meeting_event))
        .routes(routes!(
            meetings::get_instance,
            meetings::update_instance,
            meetings::delete_instance
        ))
        .routes(routes!(feedback::list_feedback, feedback::create_feedback))
        .routes(routes!(
            feedback::get_feedback,
            feedback::update_feedback,
            feedback::delete_feedback
        ))
        .routes(routes!(
            campaigns::list_campaigns,
            campaigns::create_campaign
        ))
        .routes(routes!(
            campaigns::get_campaign,
            campaigns::update_campaign,
            campaigns::delete_campaign
        ))
        .routes(routes!(campaigns::campaign_responses))
        .routes(routes!(campaigns::campaigns_about_me))
        .routes(routes!(reports::list_reports, reports::create_report))
        .routes(routes!(
            reports::get_report,
            reports::update_report,
            reports::delete_report
        ))
        .routes(routes!(reports::run_report))
        .routes(routes!(reports::run_now))
        // One-on-ones.
        .routes(routes!(
            oneonones::list_oneonones,
            oneonones::create_oneonone
        ))
        .routes(routes!(
            oneonones::get_oneonone,
            oneonones::update_oneonone,
            oneonones::delete_oneonone
        ))
        .routes(routes!(oneonones::oneonone_access))
        .routes(routes!(oneonones::organization_oneonones))
        .routes(routes!(conversation::list_points, conversation::add_point))
        .routes(routes!(conversation::reorder_points))
        .routes(routes!(
            conversation::update_point,
            conversation::delete_point
        ))
        .routes(routes!(conversation::make_task))
        .routes(routes!(conversation::action_items))
        .routes(routes!(
            conversation::get_private_notes,
            conversation::put_private_notes
        ))
        .routes(routes!(conversation::event))
        .routes(routes!(conversation::get_series))
        .routes(routes!(conversation::put_cadence))
        .routes(routes!(
            conversation::put_schedule,
            conversation::end_schedule
        ))
        .routes(routes!(conversation::skip_occurrence))
        .routes(routes!(
            conversation::feed_status,
            conversation::new_feed,
            conversation::revoke_feed
        ))
        .routes(routes!(conversation::feed))
        .routes(routes!(handoffs::list_handoffs))
        .routes(routes!(handoffs::decide_handoff))
        .split_for_parts();

    let mut doc = doc;
    document_common_refusals(&mut doc);
    // Plain data, so this cannot fail; if it ever did, the document's test would catch it.
    let mut doc = serde_json::to_value(&doc).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the OpenAPI document does not serialize");
        serde_json::Value::Null
    });
    crate::services::input::refine(&mut doc);
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
