//! `TestApp`: the real server on port 0 over a fresh database, driven through HTTP.
//!
//! Every test written with `#[db_test]` (crate `manageros-test-macros`) runs twice: on SQLite
//! (a new file in a temporary directory) and on PostgreSQL (a new database cloned from a
//! template migrated once, dropped afterwards). PostgreSQL is found at `TEST_DATABASE_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`). Built with
//! `TEST_DATABASE_URL=skip`, the PostgreSQL runs are reported as ignored; under `CI=true` the
//! build script refuses that.

// Helpers are shared by many test modules; not every one is used by each.
#![allow(dead_code)]

use manageros_core::{ManualClock, Timestamp};
use manageros_server::{AppState, Settings};
use manageros_store::{ConnectionTrait, DbOptions};
use serde_json::{Value, json};
use std::{future::Future, path::PathBuf, sync::Arc};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery";
/// Loopback needs no TLS, and each TLS handshake with the server took ~200 ms here, which
/// was most of a PostgreSQL test's time.
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Knobs a test may turn before the server starts.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub auth_rate_limit: u32,
    /// Failed sign-ins per account in 15 minutes; `0` (the default here) is no limit.
    pub sign_in_limit: u32,
    pub public_url: Option<String>,
    pub limits: manageros_server::config::Limits,
    /// Emails per hour per recipient and per organization; `(0, 0)` (the default here) is no
    /// limit, so that tests mailing one address often are not refused.
    pub mail_limits: (u32, u32),
    /// `--trust-proxy`: the peers whose `X-Forwarded-For` is believed (the tests connect from
    /// 127.0.0.1).
    pub trust_proxy: &'static str,
    /// Send mail through a local SMTP server (`smtp_sink`) that refuses one recipient's
    /// first deliveries; `None` writes `.eml` files directly.
    pub smtp_refuse: Option<smtp_sink::Refuse>,
    /// `--metrics-token`.
    pub metrics_token: Option<&'static str>,
}

pub struct TestApp {
    pub base: String,
    pub backend: Backend,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    /// What the server was started on (a replica starts on the same).
    database_url: String,
    options: Options,
    http: Http,
    outbox: PathBuf,
    /// The SMTP server mail goes through, when the test asked for one.
    pub smtp: Option<smtp_sink::SmtpSink>,
    _dir: TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// A database of its own for one test, cloned from the migrated template (or empty).
pub struct PgDatabase {
    server: url::Url,
    pub url: String,
    name: String,
}

/// The server URL from `TEST_DATABASE_URL`, or `None` when the PostgreSQL runs are skipped.
fn pg_url() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.to_owned());
    (url != "skip").then_some(url)
}

fn with_database(server: &url::Url, name: &str) -> String {
    let mut u = server.clone();
    u.set_path(&format!("/{name}"));
    u.to_string()
}

async fn connect_one(url: &str) -> Result<manageros_store::DatabaseConnection, String> {
    manageros_store::connect(
        url,
        &DbOptions {
            max_connections: Some(1),
        },
    )
    .await
    .map_err(|e| e.to_string())
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The template database every PostgreSQL test is cloned from: the schema migrated once,
/// named after a hash of the migration sources (`MIGRATIONS_HASH`, from the build script), so
/// runs reuse it until a migration changes. Decided once per process: when PostgreSQL is
/// unreachable every test fails at once with the same message, instead of each waiting out
/// its own connection attempt.
async fn template(server: &url::Url) -> Result<String, String> {
    static TEMPLATE: tokio::sync::OnceCell<Result<String, String>> =
        tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            build_template(server).await.map_err(|e| {
                format!(
                    "PostgreSQL is unreachable or unusable at {server}: {e}\n\
                     Start it (see README), point TEST_DATABASE_URL at one, or set \
                     TEST_DATABASE_URL=skip outside CI."
                )
            })
        })
        .await
        .clone()
}

async fn build_template(server: &url::Url) -> Result<String, String> {
    let hash = env!("MIGRATIONS_HASH");
    let name = format!("mt_tpl_{hash}");
    // A quick look first: the pool would retry a refused connection for its full timeout.
    let host = server.host_str().unwrap_or("localhost");
    let port = server.port().unwrap_or(5432);
    match tokio::time::timeout(
        std::time::Duration::from_secs(3),
        tokio::net::TcpStream::connect((host, port)),
    )
    .await
    {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(e.to_string()),
        Err(_) => return Err("no answer within 3 seconds".into()),
    }
    let admin = connect_one(server.as_str()).await?;
    let exec = |sql: String| {
        let admin = &admin;
        async move {
            admin
                .execute_unprepared(&sql)
                .await
                .map_err(|e| e.to_string())
        }
    };
    // One process builds it; others wait for the lock and then find it.
    exec(format!("SELECT pg_advisory_lock(hashtext('{name}'))")).await?;
    let result = async {
        let exists = admin
            .query_one_raw(manageros_store::sea_orm::Statement::from_string(
                admin.get_database_backend(),
                format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
            ))
            .await
            .map_err(|e| e.to_string())?
            .is_some();
        if !exists {
            clean_stale_databases(&admin).await;
            // Built under another name and renamed when complete, so a run killed half-way
            // never leaves a half-migrated template behind.
            let building = format!("mt_build_{hash}_{}", std::process::id());
            exec(format!(
                "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
            ))
            .await?;
            exec(format!("CREATE DATABASE \"{building}\"")).await?;
            let db = connect_one(&with_database(server, &building)).await?;
            manageros_store::migrate(&db)
                .await
                .map_err(|e| format!("migrating the template: {e}"))?;
            db.close().await.map_err(|e| e.to_string())?;
            exec(format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
            ))
            .await?;
        }
        Ok(name.clone())
    }
    .await;
    let _ = exec(format!("SELECT pg_advisory_unlock(hashtext('{name}'))")).await;
    let _ = admin.close().await;
    result
}

/// Test databases left behind by killed runs (over an hour old), and templates of other
/// migration sets, are dropped when a new template is built.
async fn clean_stale_databases(admin: &manageros_store::DatabaseConnection) {
    let rows = admin
        .query_all_raw(manageros_store::sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'mt\\_%'",
        ))
        .await
        .unwrap_or_default();
    let now = unix_secs();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let stale = match name.split('_').nth(1) {
            Some("tpl") => !name.ends_with(env!("MIGRATIONS_HASH")),
            Some("build") => false,
            Some(secs) => secs
                .parse::<u64>()
                .is_ok_and(|s| now.saturating_sub(s) > 3600),
            None => false,
        };
        if stale {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}

impl PgDatabase {
    async fn create(url: String) -> Self {
        let server: url::Url = url.parse().expect("TEST_DATABASE_URL is not a URL");
        let template = template(&server).await.unwrap_or_else(|e| panic!("{e}"));
        Self::named(server, &format!("TEMPLATE \"{template}\"")).await
    }

    /// An empty database (no schema) on the test PostgreSQL; `None` under
    /// `TEST_DATABASE_URL=skip`. Drop it with [`Self::drop`].
    pub async fn empty() -> Option<Self> {
        let server: url::Url = pg_url()?.parse().expect("TEST_DATABASE_URL is not a URL");
        // The same reachability check (and message) as the cloned databases.
        template(&server).await.unwrap_or_else(|e| panic!("{e}"));
        Some(Self::named(server, "").await)
    }

    async fn named(server: url::Url, options: &str) -> Self {
        let name = format!(
            "mt_{}_{}",
            unix_secs(),
            manageros_server::session::new_token()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(12)
                .collect::<String>()
                .to_lowercase()
        );
        let admin = connect_one(server.as_str())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\" {options}"))
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        Self {
            url: with_database(&server, &name),
            server,
            name,
        }
    }

    pub async fn drop(self) {
        if let Ok(admin) = connect_one(self.server.as_str()).await {
            let _ = admin
                .execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                    self.name
                ))
                .await;
            let _ = admin.close().await;
        }
    }
}

/// Runs `test` against a fresh app on `backend`, then tears the database down (also when the
/// test fails).
pub async fn run<F, Fut>(backend: Backend, options: Options, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            let url =
                pg_url().expect("the PostgreSQL runs are ignored under TEST_DATABASE_URL=skip");
            Some(PgDatabase::create(url).await)
        }
    };
    let app = TestApp::start(
        backend,
        options,
        database.as_ref().map(|d| d.url.clone()),
        None,
        None,
    )
    .await;
    let outcome = tokio::spawn(test(app)).await;
    if let Some(database) = database {
        database.drop().await;
    }
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test task failed: {e}");
    }
}

/// The audit log's retention in tests (the server's default).
pub const AUDIT_RETENTION_DAYS: u32 = 365;

impl TestApp {
    async fn start(
        backend: Backend,
        options: Options,
        database_url: Option<String>,
        clock: Option<Arc<ManualClock>>,
        mail_of: Option<&TestApp>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = database_url
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("test.db").display()));
        let clock = clock.unwrap_or_else(|| Arc::new(ManualClock::starting_now()));
        // A replica sends its mail where the first server does (the same SMTP server, or the
        // same outbox directory), as replicas of one deployment do.
        let (outbox, smtp, smtp_url) = match (mail_of, options.smtp_refuse) {
            (Some(first), _) => (
                first.outbox.clone(),
                None,
                first.smtp.as_ref().map(|s| s.url.clone()),
            ),
            (None, Some(refuse)) => {
                let outbox = dir.path().join("outbox");
                std::fs::create_dir_all(&outbox).expect("outbox dir");
                let sink = smtp_sink::SmtpSink::start(outbox.clone(), refuse).await;
                let url = sink.url.clone();
                (outbox, Some(sink), Some(url))
            }
            (None, None) => (dir.path().join("outbox"), None, None),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let public_url = options.public_url.clone().unwrap_or_else(|| base.clone());
        let state = manageros_server::build_state(Settings {
            database_url: database_url.clone(),
            db_options: DbOptions {
                max_connections: Some(5),
            },
            smtp_url,
            outbox: outbox.clone(),
            mail_from: "ManagerOS <no-reply@manageros.test>".into(),
            auth_rate_limit: options.auth_rate_limit,
            sign_in_limit: options.sign_in_limit,
            mail_limits: options.mail_limits,
            public_url: public_url.parse().expect("public url"),
            clock: clock.clone(),
            limits: options.limits.clone(),
            audit_retention_days: AUDIT_RETENTION_DAYS,
            trusted_proxies: options.trust_proxy.parse().expect("trust_proxy"),
            mail_poll: std::time::Duration::from_millis(20),
            mail_lease: std::time::Duration::from_secs(manageros_server::outbox::LEASE_SECS),
            metrics_token: options.metrics_token.map(str::to_owned),
            // The tests run it themselves (`housekeep`), at the times they choose.
            housekeeping_every: std::time::Duration::from_secs(3_600),
        })
        .await
        .expect("build state");
        let router = manageros_server::build_router(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        tokio::spawn(async move {
            manageros_server::serve(listener, router, serve_state, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        Self {
            http: Http {
                base: base.clone(),
                client: reqwest::Client::new(),
            },
            base,
            backend,
            clock,
            state,
            database_url,
            options,
            outbox,
            smtp,
            _dir: dir,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.http.url(path)
    }

    /// A second server on the same database and clock, as another replica behind a load
    /// balancer would be: its own process state (caches, its outbox worker), the same rows.
    /// Dropped before the test ends.
    pub async fn replica(&self) -> TestApp {
        Self::start(
            self.backend,
            self.options.clone(),
            Some(self.database_url.clone()),
            Some(self.clock.clone()),
            Some(self),
        )
        .await
    }

    /// A request builder for anything the helpers below do not cover (raw bodies, headers).
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, path)
    }

    /// A GET whose answer is not JSON: its status and text.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("request");
        (r.status().as_u16(), r.text().await.expect("body"))
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Res {
        Http::send(rb).await
    }

    /// Requests with an explicit credential (or none): most tests call the signed-in
    /// [`TestUser`]'s own methods instead.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.http
            .call(reqwest::Method::GET, path, token, None)
            .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Res {
        self.http
            .call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Res {
        self.http
            .call(reqwest::Method::PUT, path, token, Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Res {
        self.http
            .call(reqwest::Method::PATCH, path, token, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Res {
        self.http
            .call(reqwest::Method::DELETE, path, token, None)
            .await
    }

    /// The account a signup or login answer describes, signed in with its token.
    pub fn user(&self, body: &Value) -> TestUser {
        TestUser {
            id: body["user"]["id"].as_str().expect("user id").to_owned(),
            email: body["user"]["email"].as_str().expect("email").to_owned(),
            token: body["token"].as_str().expect("token").to_owned(),
            http: self.http.clone(),
        }
    }

    /// Signs up a new account, verifies its address with the mailed link (which joins the
    /// organization of a single waiting invitation), and returns it, signed in.
    /// Signs up, verifies the address and signs in again (verifying ends every session of
    /// the account, the sign-up's too).
    pub async fn signup(&self, name: &str, email: &str) -> TestUser {
        self.signup_unverified(name, email).await;
        self.verify(email).await;
        self.login(email).await
    }

    /// Signs up a new account and returns it, signed in, its address not yet verified.
    pub async fn signup_unverified(&self, name: &str, email: &str) -> TestUser {
        let r = self
            .post(
                "/api/auth/signup",
                None,
                json!({"name": name, "email": email, "password": PASSWORD}),
            )
            .await;
        r.assert_status(201);
        self.user(&r.body)
    }

    /// Opens the last verification link mailed to `email`; answers the verification.
    pub async fn verify(&self, email: &str) -> Res {
        let mails = self.emails_to(email).await;
        let mail = mails
            .iter()
            .rev()
            .find(|m| m.subject.starts_with("Confirm your email address"))
            .expect("a verification email");
        let r = self
            .post(
                "/api/auth/verify-email",
                None,
                json!({"token": mail.link_token(), "password": PASSWORD}),
            )
            .await;
        r.assert_status(200);
        r
    }

    /// Signs in an account made with the harness's password.
    pub async fn login(&self, email: &str) -> TestUser {
        let r = self
            .post(
                "/api/auth/login",
                None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        r.assert_status(200);
        self.user(&r.body)
    }

    /// The test clock's now, in milliseconds.
    pub fn clock_now(&self) -> i64 {
        use manageros_core::Clock;
        self.clock.now().as_millis()
    }

    /// The date `days` from the test clock's now, `YYYY-MM-DD`.
    pub fn clock_date(&self, days: i64) -> String {
        Timestamp::from_millis(self.clock_now() + days * 24 * 3600 * 1000).to_rfc3339()[..10]
            .to_owned()
    }

    /// Waits until background work is done and the outbox has sent every email that is due.
    pub async fn settle(&self) {
        self.state.background.close();
        self.state.background.wait().await;
        self.state.background.reopen();
        for _ in 0..1000 {
            let due = manageros_store::repo::outbox::due(&self.state.db, self.state.now())
                .await
                .expect("the outbox");
            if due == 0 {
                return;
            }
            self.state.outbox.wake();
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the outbox still holds due mail after 10 s");
    }

    /// Every email in the outbox addressed to `to`, oldest first.
    pub async fn emails_to(&self, to: &str) -> Vec<Email> {
        self.settle().await;
        let mut found = vec![];
        let Ok(entries) = std::fs::read_dir(&self.outbox) else {
            return vec![];
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            let raw = std::fs::read(&path).expect("read eml");
            let modified = entry.metadata().and_then(|m| m.modified()).expect("mtime");
            let msg = mail_parser::MessageParser::default()
                .parse(&raw)
                .expect("parse eml");
            let recipient = msg
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned();
            if recipient.eq_ignore_ascii_case(to) {
                found.push((
                    modified,
                    Email {
                        to: recipient,
                        subject: msg.subject().unwrap_or_default().to_owned(),
                        body: msg.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
                        html: msg.body_html(0).map(|b| b.into_owned()).unwrap_or_default(),
                        list_unsubscribe: msg
                            .header_raw("List-Unsubscribe")
                            .map(|h| h.trim().to_owned()),
                        list_unsubscribe_post: msg
                            .header_raw("List-Unsubscribe-Post")
                            .map(|h| h.trim().to_owned()),
                    },
                ));
            }
        }
        found.sort_by_key(|(t, _)| *t);
        found.into_iter().map(|(_, e)| e).collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Clone, Debug)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub html: String,
    /// The `List-Unsubscribe` and `List-Unsubscribe-Post` headers of a notification.
    pub list_unsubscribe: Option<String>,
    pub list_unsubscribe_post: Option<String>,
}

impl Email {
    /// The first link in the body.
    pub fn link(&self) -> String {
        let start = self.body.find("http").expect("a link");
        self.body[start..]
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// The `token` query parameter of the first link in the body.
    pub fn link_token(&self) -> String {
        let start = self.body.find("?token=").expect("a link with a token") + "?token=".len();
        self.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

/// The HTTP side of the harness: the server's address and one connection pool.
#[derive(Clone, Debug)]
pub struct Http {
    base: String,
    client: reqwest::Client,
}

impl Http {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    async fn send(rb: reqwest::RequestBuilder) -> Res {
        let resp = rb.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Res {
            status,
            headers,
            body,
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        let mut rb = self.request(method, path);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        Self::send(rb).await
    }
}

/// A signed-in account, which makes its own requests: `ada.get("/api/me")`.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub token: String,
    http: Http,
}

impl TestUser {
    /// The token as the `Option` the [`TestApp`] methods take.
    pub fn t(&self) -> Option<&str> {
        Some(&self.token)
    }

    pub async fn get(&self, path: &str) -> Res {
        self.http
            .call(reqwest::Method::GET, path, self.t(), None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Res {
        self.http
            .call(reqwest::Method::POST, path, self.t(), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Res {
        self.http
            .call(reqwest::Method::PUT, path, self.t(), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Res {
        self.http
            .call(reqwest::Method::PATCH, path, self.t(), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Res {
        self.http
            .call(reqwest::Method::DELETE, path, self.t(), None)
            .await
    }
}

/// A response: status, headers and the JSON body (or `Null` when empty).
#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Res {
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Asserts an error response: status, and the envelope with exactly this message.
    #[track_caller]
    pub fn assert_error(&self, status: u16, message: &str) -> &Self {
        self.assert_status(status);
        assert_eq!(
            self.body["error"], message,
            "unexpected error message; body: {}",
            self.body
        );
        assert!(
            self.body["code"].as_str().is_some_and(|c| !c.is_empty()),
            "missing code: {}",
            self.body
        );
        self
    }

    /// Asserts a 400 validation error naming `field`.
    #[track_caller]
    pub fn assert_field_error(&self, field: &str) -> &Self {
        self.assert_status(400);
        assert_eq!(
            self.body["code"], "validation_failed",
            "body: {}",
            self.body
        );
        assert!(
            self.body["fields"][field].is_string(),
            "no error for {field}: {}",
            self.body
        );
        self
    }

    /// The `id` of the entity under `key` (`{"task": {"id": …}}`).
    #[track_caller]
    pub fn id(&self, key: &str) -> String {
        self.body[key]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no {key}.id in {}", self.body))
            .to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

// ---------------------------------------------------------------------------------------------
// Organizations and people, set up through the API like a user would.

/// An organization and its first admin.
#[derive(Clone, Debug)]
pub struct TestOrg {
    pub id: String,
    pub admin: TestUser,
}

impl TestApp {
    /// Signs up `admin@<slug>.test` and has them create organization `slug`.
    pub async fn org(&self, slug: &str) -> TestOrg {
        let admin = self
            .signup(&format!("Admin of {slug}"), &format!("admin@{slug}.test"))
            .await;
        let r = self
            .post(
                "/api/organizations",
                admin.t(),
                json!({"name": format!("Org {slug}"), "slug": slug}),
            )
            .await;
        r.assert_status(201);
        TestOrg {
            id: r.body["organization"]["id"]
                .as_str()
                .expect("org id")
                .to_owned(),
            admin,
        }
    }

    /// A person of the org chart, created by the org's admin.
    pub async fn person(&self, org: &TestOrg, name: &str, email: Option<&str>) -> String {
        let r = self
            .post(
                "/api/people",
                org.admin.t(),
                json!({"name": name, "email": email}),
            )
            .await;
        r.assert_status(201);
        r.body["person"]["id"]
            .as_str()
            .expect("person id")
            .to_owned()
    }

    /// Invites `email` (optionally for `person`), returning the invitation id.
    pub async fn invite(&self, org: &TestOrg, email: &str, person: Option<&str>) -> String {
        let r = self
            .post(
                "/api/organization/invitations",
                org.admin.t(),
                json!({"email": email, "personId": person}),
            )
            .await;
        r.assert_status(201);
        r.body["invitation"]["id"]
            .as_str()
            .expect("invitation id")
            .to_owned()
    }

    /// A member with the USER role, not linked to a person: invited, then signed up.
    pub async fn member(&self, org: &TestOrg, name: &str, email: &str) -> TestUser {
        self.invite(org, email, None).await;
        let u = self.signup(name, email).await;
        assert_eq!(self.me(&u).await["user"]["organizationId"], org.id.as_str());
        u
    }

    /// A member linked to a new person of the same name and email; returns both.
    pub async fn linked_member(
        &self,
        org: &TestOrg,
        name: &str,
        email: &str,
    ) -> (TestUser, String) {
        let person = self.person(org, name, Some(email)).await;
        self.invite(org, email, Some(&person)).await;
        let u = self.signup(name, email).await;
        assert_eq!(self.me(&u).await["user"]["personId"], person.as_str());
        (u, person)
    }

    /// Links the org's admin to a new person of their own, and returns that person.
    pub async fn link_admin(&self, org: &TestOrg, name: &str) -> String {
        let person = self.person(org, name, Some(&org.admin.email)).await;
        self.put("/api/me/person", org.admin.t(), json!({"personId": person}))
            .await
            .assert_status(200);
        person
    }

    /// Makes `user` a secret calendar feed; its path (`/calendar/<token>.ics`).
    pub async fn calendar_feed(&self, user: &TestUser) -> String {
        let r = user.post("/api/me/calendar-feed", json!({})).await;
        r.assert_status(201);
        let url = r.body["url"].as_str().expect("a feed URL");
        let token = url.split_once("/calendar/").expect("a feed path").1;
        format!("/calendar/{token}")
    }

    /// `GET /api/me` for `user`.
    pub async fn me(&self, user: &TestUser) -> Value {
        let r = self.get("/api/me", user.t()).await;
        r.assert_status(200);
        r.body
    }
}

/// A real SMTP server for the tests, on a local port: it accepts every message and writes it
/// as an `.eml` file into a directory (where the tests read mail anyway), except for one
/// recipient whose first `n` deliveries it refuses with a temporary error, as a mail server
/// that is busy or greylisting would.
#[allow(dead_code)]
pub mod smtp_sink {

    use std::{
        path::PathBuf,
        sync::{Arc, Mutex},
    };
    use tokio::{
        io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
        net::TcpListener,
    };

    /// What the sink refuses: deliveries to `recipient`, the first `times` of them.
    #[derive(Clone, Copy, Debug)]
    pub struct Refuse {
        pub recipient: &'static str,
        pub times: usize,
    }

    pub struct SmtpSink {
        pub url: String,
        tried: Arc<Mutex<usize>>,
    }

    impl SmtpSink {
        /// Listens on a free local port; accepted messages go to `dir`.
        pub async fn start(dir: PathBuf, refuse: Refuse) -> Self {
            Self::start_slow(dir, refuse, None).await
        }

        /// As [`Self::start`], and a message to a recipient that contains `slow.0` is accepted
        /// only after `slow.1`: a sender is caught in the middle of a delivery.
        pub async fn start_slow(
            dir: PathBuf,
            refuse: Refuse,
            slow: Option<(&'static str, std::time::Duration)>,
        ) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let url = format!("smtp://{}", listener.local_addr().expect("addr"));
            let tried = Arc::new(Mutex::new(0usize));
            let counter = tried.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (dir, counter) = (dir.clone(), counter.clone());
                    tokio::spawn(async move {
                        let _ = session(stream, &dir, refuse, slow, &counter).await;
                    });
                }
            });
            Self { url, tried }
        }

        /// How many deliveries to the refused recipient were attempted (refused or not).
        pub fn attempts(&self) -> usize {
            *self.tried.lock().unwrap()
        }
    }

    async fn session(
        stream: tokio::net::TcpStream,
        dir: &std::path::Path,
        refuse: Refuse,
        slow: Option<(&'static str, std::time::Duration)>,
        tried: &Mutex<usize>,
    ) -> std::io::Result<()> {
        let mut pause = None;
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 sink ESMTP\r\n").await?;
        let mut refused = false;
        while let Some(line) = lines.next_line().await? {
            let upper = line.to_ascii_uppercase();
            let reply: &str = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                "250 sink\r\n"
            } else if upper.starts_with("MAIL") {
                refused = false;
                pause = None;
                "250 OK\r\n"
            } else if upper.starts_with("RCPT") {
                if let Some((who, delay)) = slow
                    && upper.contains(&who.to_ascii_uppercase())
                {
                    pause = Some(delay);
                }
                if upper.contains(&refuse.recipient.to_ascii_uppercase()) {
                    let mut n = tried.lock().unwrap();
                    *n += 1;
                    refused = *n <= refuse.times;
                }
                if refused {
                    "451 4.3.0 Mailbox busy, try again later\r\n"
                } else {
                    "250 OK\r\n"
                }
            } else if upper.starts_with("DATA") {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut message = String::new();
                while let Some(l) = lines.next_line().await? {
                    if l == "." {
                        break;
                    }
                    // Undo the dot-stuffing of lines that begin with a dot.
                    message.push_str(
                        l.strip_prefix('.')
                            .filter(|_| l.starts_with(".."))
                            .unwrap_or(&l),
                    );
                    message.push_str("\r\n");
                }
                if let Some(delay) = pause {
                    tokio::time::sleep(delay).await;
                }
                let name = format!("{}.eml", manageros_server::session::new_token());
                // Whole or not at all: a reader never sees half a message.
                let partial = dir.join(format!("{name}.partial"));
                tokio::fs::write(&partial, message).await?;
                tokio::fs::rename(&partial, dir.join(name)).await?;
                "250 OK queued\r\n"
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            } else {
                // RSET, NOOP.
                "250 OK\r\n"
            };
            write.write_all(reply.as_bytes()).await?;
        }
        Ok(())
    }
}
