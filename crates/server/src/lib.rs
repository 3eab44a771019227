//! The ManagerOS HTTP service.
//!
//! A request goes: middleware (`app`) → extractors (`extract`: who is calling, validated
//! input) → a handler in `api/<resource>.rs`, which asks `manageros_core::authz` and calls a
//! service (`services/`) or a repository (`manageros_store::repo`) → a JSON answer or an
//! `error::ApiError` in the one envelope.

pub mod api;
pub mod app;
pub mod client;
pub mod config;
pub mod connections;
pub mod error;
pub mod extract;
pub mod head_errors;
pub mod mail;
pub mod metrics;
pub mod outbox;
pub mod password;
pub mod patch;
pub mod rate_limit;
pub mod services;
pub mod session;
pub mod state;
pub mod web;

pub use app::{Settings, build_router, build_state, serve};
pub use state::AppState;
