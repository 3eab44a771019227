//! Command line and environment (docs/API.md §9). Every flag is also an environment variable.

use clap::{Args, Parser, Subcommand};
use std::{net::SocketAddr, path::PathBuf};
use url::Url;

#[derive(Parser, Debug)]
#[command(
    name = "manageros",
    version,
    about = "ManagerOS: the platform for engineering managers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server (migrating the database first).
    Serve(ServeArgs),
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MANAGEROS_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://manageros.db")]
    pub database_url: String,

    /// Directory where outgoing email is written as `.eml` files when no SMTP server is set.
    #[arg(long, env = "MANAGEROS_OUTBOX", default_value = "outbox")]
    pub outbox: PathBuf,

    /// SMTP server for outgoing email, e.g. `smtps://user:password@smtp.example.com`.
    #[arg(long, env = "MANAGEROS_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Sender of outgoing email.
    #[arg(
        long,
        env = "MANAGEROS_MAIL_FROM",
        default_value = "ManagerOS <no-reply@manageros.localhost>"
    )]
    pub mail_from: String,

    /// Requests per minute per client address on /api/auth/*; 0 turns the limit off.
    #[arg(long, env = "MANAGEROS_AUTH_RATE_LIMIT", default_value_t = 20)]
    pub auth_rate_limit: u32,

    /// Failed sign-ins allowed per account (by the address typed) in 15 minutes, from any
    /// number of client addresses; 0 turns the limit off.
    #[arg(long, env = "MANAGEROS_SIGN_IN_LIMIT", default_value_t = 10)]
    pub sign_in_limit: u32,

    /// Emails one address may be sent in an hour; 0 turns the limit off.
    #[arg(long, env = "MANAGEROS_MAIL_LIMIT_RECIPIENT", default_value_t = crate::rate_limit::MAIL_PER_RECIPIENT_HOUR)]
    pub mail_limit_recipient: u32,

    /// Emails one organization may send in an hour; 0 turns the limit off.
    #[arg(long, env = "MANAGEROS_MAIL_LIMIT_ORG", default_value_t = crate::rate_limit::MAIL_PER_ORG_HOUR)]
    pub mail_limit_org: u32,

    /// Base URL of links in emails (default: http://<listen address>).
    #[arg(long, env = "MANAGEROS_PUBLIC_URL")]
    pub public_url: Option<Url>,

    /// Seconds a client has to send a request's headers; then the connection is closed.
    #[arg(long, env = "MANAGEROS_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,

    /// Seconds a whole request (its body and its answer) may take; then it is answered 408.
    #[arg(long, env = "MANAGEROS_REQUEST_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,

    /// Connections served at once; more wait in the kernel's queue until one closes.
    #[arg(long, env = "MANAGEROS_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// Connections one client address (an IPv6 client's /64) may hold at once; more are
    /// closed as soon as they are accepted. A trusted proxy (`--trust-proxy`) is not capped.
    #[arg(long, env = "MANAGEROS_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 128, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections_per_client: u64,

    /// Live pages (a one-on-one open, hearing the other's changes) one account may hold at once.
    #[arg(long, env = "MANAGEROS_LIVE_PER_USER", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=1_000))]
    pub live_per_user: u64,

    /// Seconds a live page's stream stays open without hearing a change; the browser then
    /// opens a new one (asking permission again).
    #[arg(long, env = "MANAGEROS_LIVE_IDLE_TIMEOUT", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub live_idle_timeout: u64,

    /// Days an organization's audit log keeps its security events.
    #[arg(long, env = "MANAGEROS_AUDIT_RETENTION_DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub audit_retention_days: u32,

    /// Reverse proxies whose `X-Forwarded-For` names the client (comma-separated addresses or
    /// CIDR networks, e.g. `10.0.0.0/8,127.0.0.1`); from any other peer the header is ignored.
    #[arg(long, env = "MANAGEROS_TRUST_PROXY", default_value = "")]
    pub trust_proxy: crate::client::TrustedProxies,

    /// A token that lets `GET /metrics` be read from anywhere (`Authorization: Bearer …`);
    /// without one, only clients on this machine may read it.
    #[arg(long, env = "MANAGEROS_METRICS_TOKEN")]
    pub metrics_token: Option<String>,

    /// Seconds an outbox worker holds the emails it claimed; a replica that dies holding some
    /// lets them go to the others after this long. Keep it above the SMTP timeout (60 s).
    #[arg(long, env = "MANAGEROS_MAIL_LEASE", default_value_t = crate::outbox::LEASE_SECS, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub mail_lease: u64,

    /// Seconds between two housekeeping passes (recurring one-on-ones created ahead, reminders
    /// and digests sent, old sessions and rate-limit windows forgotten). Reminders go out at
    /// most this late; every replica may run it, each notification is sent once.
    #[arg(long, env = "MANAGEROS_HOUSEKEEPING_EVERY", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub housekeeping_every: u64,
}

impl std::fmt::Debug for ServeArgs {
    // The database and SMTP URLs may hold passwords: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeArgs")
            .field("listen", &self.listen)
            .field("database", &redact(&self.database_url))
            .field("outbox", &self.outbox)
            .field("smtp", &self.smtp_url.as_deref().map(redact))
            .field("auth_rate_limit", &self.auth_rate_limit)
            .field("sign_in_limit", &self.sign_in_limit)
            .field("mail_limit_recipient", &self.mail_limit_recipient)
            .field("mail_limit_org", &self.mail_limit_org)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field("header_timeout", &self.header_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_connections", &self.max_connections)
            .field(
                "max_connections_per_client",
                &self.max_connections_per_client,
            )
            .field("audit_retention_days", &self.audit_retention_days)
            .field("trust_proxy", &self.trust_proxy)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("mail_lease", &self.mail_lease)
            .finish()
    }
}

/// A URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// What the running service needs to know about its configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base of links in emails, without a trailing slash.
    pub public_url: String,
    /// `scheme://host[:port]` of `public_url`, compared with `Origin` headers.
    pub public_origin: String,
    /// Whether cookies get the `Secure` attribute (public URL is https).
    pub cookie_secure: bool,
    /// How long and how many connections may take (docs/API.md §9).
    pub limits: Limits,
    /// Days the audit log keeps an event.
    pub audit_retention_days: u32,
    /// Whose `X-Forwarded-For` is believed (`--trust-proxy`).
    pub trusted_proxies: crate::client::TrustedProxies,
    /// Requests a minute per client address on `/api/auth/*` (`0`: no limit).
    pub auth_rate_limit: u32,
    /// Who may read `/metrics` from elsewhere than this machine (`--metrics-token`).
    pub metrics_token: Option<String>,
    /// The key of the pages' form tokens, shared by every replica through the database.
    pub form_key: FormKey,
    /// How often this replica runs the housekeeping pass (`--housekeeping-every`).
    pub housekeeping_every: std::time::Duration,
}

/// The key the pages' form tokens are computed with (HMAC-SHA256 of the session), kept in the
/// database (`repo::secrets`, m0018) so that every replica computes the same; never printed.
#[derive(Clone, Default)]
pub struct FormKey(pub std::sync::Arc<[u8]>);

impl FormKey {
    /// A keyed code of `parts` for one `purpose` (`csrf`, `unsubscribe`): HMAC-SHA256 of
    /// `purpose:part:part…` under this key, as 32 hex characters. It needs no storage and
    /// cannot be made without the key; each purpose's codes are worthless for another.
    pub fn sign(&self, purpose: &str, parts: &[&str]) -> String {
        use hmac::Mac;
        // HMAC takes a key of any length: this cannot fail, and an empty code matches nothing.
        let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(purpose.as_bytes());
        for p in parts {
            mac.update(b":");
            mac.update(p.as_bytes());
        }
        data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes())[..32].to_owned()
    }
}

/// Compares two codes in time that does not depend on where they differ.
pub fn same_code(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl std::fmt::Debug for FormKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormKey(***)")
    }
}

/// Bounds on what one client can hold: a slow client cannot keep a connection (or a file
/// descriptor) forever, and many of them cannot exhaust the process.
#[derive(Clone, Debug)]
pub struct Limits {
    /// A request's headers must have arrived within this time of the connection being
    /// accepted (and of the previous answer, on a kept-alive connection).
    pub header_timeout: std::time::Duration,
    /// A request, body included, must be answered within this time (else 408).
    pub request_timeout: std::time::Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections one client (`TrustedProxies::connection_key`) may hold at once.
    pub max_connections_per_client: usize,
    /// Live streams one account may hold at once (`services::live`).
    pub live_per_user: usize,
    /// How long a live stream that heard nothing stays open.
    pub live_idle: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: std::time::Duration::from_secs(10),
            request_timeout: std::time::Duration::from_secs(30),
            max_connections: 1024,
            max_connections_per_client: 128,
            live_per_user: 8,
            live_idle: std::time::Duration::from_secs(300),
        }
    }
}

impl Limits {
    pub fn from_args(args: &ServeArgs) -> Self {
        Self {
            header_timeout: std::time::Duration::from_secs(args.header_timeout),
            request_timeout: std::time::Duration::from_secs(args.request_timeout),
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            max_connections_per_client: usize::try_from(args.max_connections_per_client)
                .unwrap_or(usize::MAX),
            live_per_user: usize::try_from(args.live_per_user).unwrap_or(usize::MAX),
            live_idle: std::time::Duration::from_secs(args.live_idle_timeout),
        }
    }
}

impl Config {
    pub fn new(public_url: &Url, limits: Limits, audit_retention_days: u32) -> Self {
        Self {
            public_url: public_url.as_str().trim_end_matches('/').to_owned(),
            public_origin: public_url.origin().ascii_serialization(),
            cookie_secure: public_url.scheme() == "https",
            limits,
            audit_retention_days,
            trusted_proxies: crate::client::TrustedProxies::default(),
            auth_rate_limit: 0,
            metrics_token: None,
            form_key: FormKey::default(),
            housekeeping_every: std::time::Duration::from_secs(300),
        }
    }

    /// A link into the web app, e.g. `link("/reset-password", token)`.
    pub fn link(&self, path: &str, token: &str) -> String {
        format!("{}{path}?token={token}", self.public_url)
    }
}

/// The largest request body accepted (JSON only; nothing here uploads files).
pub const BODY_LIMIT: usize = 1024 * 1024;
