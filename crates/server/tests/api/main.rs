//! Black-box tests of the HTTP API. Each `db_test!` runs on SQLite and on PostgreSQL.

mod harness;

mod auth;
mod basics;
mod members;
mod organizations;
mod people;

/// Every endpoint the service offers, `(path, method)`, as the OpenAPI document must list it.
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("/healthz", "get"),
    ("/api/auth/signup", "post"),
    ("/api/auth/login", "post"),
    ("/api/auth/logout", "post"),
    ("/api/auth/forgot-password", "post"),
    ("/api/auth/reset-password", "post"),
    ("/api/me", "get"),
    ("/api/me/linkable-persons", "get"),
    ("/api/me/person", "put"),
    ("/api/me/person", "delete"),
    ("/api/organizations", "post"),
    ("/api/organization", "get"),
    ("/api/organization/invitations", "get"),
    ("/api/organization/invitations", "post"),
    ("/api/organization/invitations/{id}/revoke", "post"),
    ("/api/organization/invitations/{id}/reactivate", "post"),
    ("/api/invitations", "get"),
    ("/api/invitations/{id}/accept", "post"),
    ("/api/invitations/accept-token", "post"),
    ("/api/organization/members", "get"),
    ("/api/organization/members/{userId}", "patch"),
    ("/api/organization/members/{userId}", "delete"),
    ("/api/organization/linkable-users", "get"),
    ("/api/organization/members/{userId}/person", "put"),
    ("/api/organization/members/{userId}/person", "delete"),
    ("/api/people", "get"),
    ("/api/people", "post"),
    ("/api/people/{id}", "get"),
    ("/api/people/{id}", "patch"),
    ("/api/people/{id}", "delete"),
    ("/api/teams", "get"),
    ("/api/teams", "post"),
    ("/api/teams/{id}", "get"),
    ("/api/teams/{id}", "patch"),
    ("/api/teams/{id}", "delete"),
];
