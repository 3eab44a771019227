//! Black-box tests of the HTTP API. Each `db_test!` runs on SQLite and on PostgreSQL.

mod harness;

mod auth;
mod basics;

/// Every endpoint the service offers, `(path, method)`, as the OpenAPI document must list it.
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("/healthz", "get"),
    ("/api/auth/signup", "post"),
    ("/api/auth/login", "post"),
    ("/api/auth/logout", "post"),
    ("/api/auth/forgot-password", "post"),
    ("/api/auth/reset-password", "post"),
    ("/api/me", "get"),
];
