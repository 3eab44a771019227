//! The ManagerOS service, wired together: the binary's configuration, the middleware around
//! both front ends, the accept loop and its limits, and metrics.
//!
//! The floors below it, each a crate that depends only downwards (docs/ARCHITECTURE.md):
//! `manageros-core` (domain, authz) → `manageros-store` (entities, migrations, queries) →
//! `manageros-services` (one function per operation) → `manageros-api` (JSON handlers,
//! OpenAPI) and `manageros-web` (pages, templates, assets), side by side → this crate.

pub mod app;
pub mod connections;
pub mod head_errors;
pub mod metrics;

// The floors below, under the names the wiring and the tests use.
pub use manageros_api as api;
pub use manageros_services::{
    self as services, client, config, error, extract, mail, outbox, password, patch, rate_limit,
    session, state,
};
pub use manageros_web as web;

pub use app::{Settings, build_router, build_state, serve};
pub use state::AppState;
