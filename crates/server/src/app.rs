//! Building the service and running it: `build_state` → `build_router` → `serve`, separate so
//! that tests drive the same pieces on port 0.

use crate::{
    api,
    client::ClientAddr,
    config::{Config, Limits, ServeArgs},
    error::ApiError,
    mail::Mailer,
    password::Passwords,
    rate_limit,
    state::AppState,
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderName, HeaderValue, Request, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use manageros_core::Clock;
use manageros_store::DbOptions;
use std::{
    future::Future,
    pin::pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tokio_util::task::TaskTracker;
use tower::Service;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

/// Everything the service needs besides its configuration flags.
pub struct Settings {
    pub database_url: String,
    pub db_options: DbOptions,
    pub smtp_url: Option<String>,
    pub outbox: std::path::PathBuf,
    pub mail_from: String,
    pub auth_rate_limit: u32,
    /// Failed sign-ins per account in 15 minutes (`0` = no limit).
    pub sign_in_limit: u32,
    /// Emails per hour per recipient and per organization (`0` = no limit).
    pub mail_limits: (u32, u32),
    pub public_url: url::Url,
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    /// Days the audit log keeps an event.
    pub audit_retention_days: u32,
    /// Whose `X-Forwarded-For` is believed (`--trust-proxy`).
    pub trusted_proxies: crate::client::TrustedProxies,
    /// How often the outbox worker looks for due mail when nothing rang it.
    pub mail_poll: Duration,
    /// How long the outbox worker's claims hold.
    pub mail_lease: Duration,
    /// Lets `/metrics` be read from elsewhere than this machine.
    pub metrics_token: Option<String>,
    /// How often the housekeeping pass runs.
    pub housekeeping_every: Duration,
}

impl Settings {
    pub fn from_args(args: &ServeArgs) -> anyhow::Result<Self> {
        let public_url = match &args.public_url {
            Some(u) => u.clone(),
            None => url::Url::parse(&format!("http://{}", args.listen))?,
        };
        Ok(Self {
            database_url: args.database_url.clone(),
            db_options: DbOptions::default(),
            smtp_url: args.smtp_url.clone(),
            outbox: args.outbox.clone(),
            mail_from: args.mail_from.clone(),
            auth_rate_limit: args.auth_rate_limit,
            sign_in_limit: args.sign_in_limit,
            mail_limits: (args.mail_limit_recipient, args.mail_limit_org),
            public_url,
            clock: Arc::new(manageros_core::SystemClock),
            limits: Limits::from_args(args),
            audit_retention_days: args.audit_retention_days,
            trusted_proxies: args.trust_proxy.clone(),
            mail_poll: Duration::from_secs(1),
            mail_lease: Duration::from_secs(args.mail_lease),
            metrics_token: args.metrics_token.clone(),
            housekeeping_every: Duration::from_secs(args.housekeeping_every),
        })
    }
}

/// Connects to (and migrates) the database, sets up mail and hashing.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    let db = manageros_store::connect(&settings.database_url, &settings.db_options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    manageros_store::migrate(&db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot migrate the database: {e}"))?;
    if let Err(e) = manageros_store::refresh_statistics(&db).await {
        tracing::warn!(error = %e, "could not refresh the planner's statistics");
    }
    // The form-token key: made by the first server to start, then shared by all.
    let fresh = data_encoding::HEXLOWER.encode(&rand::random::<[u8; 32]>());
    let form_key = manageros_store::repo::secrets::get_or_create(
        &db,
        "form-token-key",
        &fresh,
        settings.clock.now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("cannot read the form-token key: {e}"))?;
    let mailer = Mailer::new(
        settings.smtp_url.as_deref(),
        &settings.outbox,
        &settings.mail_from,
    )
    .await?;
    let live = crate::services::live::Hub::new(
        db.get_database_backend() == manageros_store::sea_orm::DbBackend::Postgres,
        settings.limits.live_per_user,
        settings.limits.live_idle,
    );
    Ok(AppState::new(crate::services::state::Shared {
        live: Arc::new(live),
        db,
        config: Arc::new(Config {
            trusted_proxies: settings.trusted_proxies,
            auth_rate_limit: settings.auth_rate_limit,
            metrics_token: settings.metrics_token,
            form_key: crate::config::FormKey(form_key.into_bytes().into()),
            housekeeping_every: settings.housekeeping_every,
            ..Config::new(
                &settings.public_url,
                settings.limits,
                settings.audit_retention_days,
            )
        }),
        clock: settings.clock,
        mailer: Arc::new(mailer),
        passwords: Passwords::new()?,
        sign_in_limit: Arc::new(rate_limit::SignInLimit(settings.sign_in_limit)),
        mail_budget: Arc::new(rate_limit::MailBudget::new(
            settings.mail_limits.0,
            settings.mail_limits.1,
        )),
        background: TaskTracker::new(),
        names: Arc::default(),
        oneonone_totals: Arc::default(),
        totals: Arc::default(),
        outbox: Arc::new(crate::outbox::Worker::new(
            settings.mail_poll,
            settings.mail_lease,
        )),
    }))
}

/// The whole HTTP surface: the API, the pages, their middleware, and envelope answers for unknown routes,
/// wrong methods, oversized bodies and panics.
pub fn build_router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let request_timeout = state.config.limits.request_timeout;
    crate::metrics::install();
    api::router(state.clone())
        .merge(crate::web::router(state.clone()).with_state(state.clone()))
        .route(
            "/metrics",
            axum::routing::get(crate::metrics::render).with_state(state.clone()),
        )
        .fallback(|| async { ApiError::not_found("Not found") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::services::audit::denials,
        ))
        .layer(DefaultBodyLimit::max(crate::config::BODY_LIMIT))
        .layer(middleware::from_fn(crate::metrics::record))
        .layer(middleware::from_fn_with_state(request_timeout, deadline))
        .layer(middleware::from_fn(head_size))
        // Outside `/api`, every error a browser gets is a page (an unknown page, a refused
        // extractor, a rate limit, an oversized head): around everything that answers one.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::web::errors_as_pages,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| -> Response {
                ApiError::internal(anyhow::anyhow!("handler panicked")).into_response()
            },
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                // The route, not the path: ids stay out of the logs and requests group by
                // endpoint (the token of a public feedback link, a credential, among them).
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("(no route)", |m| m.as_str());
                tracing::info_span!("request", method = %req.method(), route, id)
            }),
        )
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

/// The longest request target (path and query) answered; longer is a 414 in the envelope.
pub const MAX_URI_LEN: usize = 8 * 1024;
/// The most header bytes (names and values) and header lines a request may carry; more is a
/// 431 in the envelope. Both are below hyper's own limits, which answer without a body.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
pub const MAX_HEADERS: usize = 100;

/// Answers 414 and 431 with the envelope before any handler sees the request.
async fn head_size(req: Request<axum::body::Body>, next: Next) -> Response {
    if req.uri().path_and_query().map_or(0, |pq| pq.as_str().len()) > MAX_URI_LEN {
        return ApiError::UriTooLong.into_response();
    }
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError::HeadersTooLarge.into_response();
    }
    next.run(req).await
}

/// A request (reading its body included) that is not answered in time is dropped and answered
/// 408: its transaction, if any, rolls back.
async fn deadline(
    State(limit): State<Duration>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::RequestTimeout.into_response(),
    }
}

/// Serves until `shutdown` resolves, then finishes in-flight requests and background work.
///
/// Our own accept loop rather than `axum::serve`, for the bounds of [`Limits`]: at most
/// `max_connections` at once (a permit per connection), at most `max_connections_per_client`
/// of one client ([`crate::connections`]), and a header timeout that starts at accept: a
/// connection whose first request has not arrived by then is closed (hyper's own header-read
/// timeout, which needs a timer, covers the requests after the first; before it, the
/// HTTP/1-or-2 detection waits for bytes without one).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    spawn_housekeeping(&state);
    let stop_mail = tokio_util::sync::CancellationToken::new();
    let mail_worker = tokio::spawn(crate::outbox::run(state.clone(), stop_mail.clone()));
    let live_listener = tokio::spawn(hear_changes(state.clone(), stop_mail.clone()));
    let limits = state.config.limits.clone();
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = Arc::new(crate::connections::PerClient::default());
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_headers(MAX_HEADERS * 2);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.header_timeout)
        .keep_alive_timeout(limits.header_timeout);
    let builder = Arc::new(builder);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            // The semaphore is never closed, so an error cannot happen; stop serving if it did.
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin, and go on serving the others.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = match state.config.trusted_proxies.connection_key(peer.ip()) {
            Some(key) => match per_client.take(key, limits.max_connections_per_client) {
                Some(slot) => Some(slot),
                None => {
                    // Over its cap: closed at once (the stream and the permit are dropped).
                    tracing::debug!(%peer, "connection refused: the client holds its cap");
                    continue;
                }
            },
            None => None,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let config = state.config.clone();
        let started = Arc::new(AtomicBool::new(false));
        let first_request = Arc::clone(&started);
        let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
            first_request.store(true, Ordering::Relaxed);
            let mut req = req.map(axum::body::Body::new);
            let client = config.trusted_proxies.client(peer.ip(), req.headers());
            req.extensions_mut().insert(ClientAddr(client));
            router.clone().call(req)
        });
        let connection = builder
            .serve_connection(
                TokioIo::new(crate::head_errors::Enveloped::new(stream)),
                service,
            )
            .into_owned();
        let connection = graceful.watch(connection);
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => Some(ended),
                () = tokio::time::sleep(header_timeout) => None,
            };
            let ended = match ended {
                Some(ended) => ended,
                // No request within the header timeout of accept: dropping the connection
                // closes it.
                None if !started.load(Ordering::Relaxed) => Ok(()),
                None => connection.await,
            };
            if let Err(e) = ended {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(slot);
            drop(permit);
        });
    }
    drop(listener);
    // Live pages' streams would otherwise keep their connections open until they idle out.
    state.live.close();
    graceful.shutdown().await;
    state.background.close();
    state.background.wait().await;
    // The email being sent finishes; the others claimed are handed back to the replicas.
    stop_mail.cancel();
    let _ = mail_worker.await;
    let _ = live_listener.await;
    Ok(())
}

/// On PostgreSQL, hears the changes every replica announces (`services::live::publish`, by
/// `NOTIFY`) and hands them to this process's live pages; on SQLite there is nothing to hear
/// (the hub is told directly). Holds one connection of the pool while it listens, and listens
/// again after a lost connection.
async fn hear_changes(state: AppState, stop: tokio_util::sync::CancellationToken) {
    use crate::services::live::{CHANNEL, Change};
    use manageros_store::sea_orm::{DbBackend, sqlx::postgres::PgListener};
    if state.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let pool = state.db.get_postgres_connection_pool();
    while !stop.is_cancelled() {
        let listening = async {
            let mut l = PgListener::connect_with(pool).await?;
            l.listen(CHANNEL).await?;
            Ok::<_, manageros_store::sea_orm::sqlx::Error>(l)
        };
        let mut listener = match listening.await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for live changes; trying again");
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                }
            }
        };
        loop {
            let heard = tokio::select! {
                () = stop.cancelled() => return,
                heard = listener.recv() => heard,
            };
            match heard {
                Ok(n) => match Change::decode(n.payload()) {
                    Ok(change) => state.live.deliver(change),
                    Err(e) => tracing::warn!(error = %e, "a live change that does not parse"),
                },
                Err(e) => {
                    tracing::warn!(error = %e, "lost the live changes' connection");
                    break;
                }
            }
        }
    }
}

/// Runs [`housekeep`] every `--housekeeping-every` (five minutes by default).
fn spawn_housekeeping(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.housekeeping_every);
        loop {
            tick.tick().await;
            housekeep(&state).await;
        }
    });
}

/// Periodic work: create the recurring one-on-ones now due, keep SQLite's planner statistics
/// current, forget rate-limit entries of quiet addresses, drop expired sessions and audit
/// events older than the retention.
pub async fn housekeep(state: &AppState) {
    // Recurring series: their occurrences exist eight weeks ahead, rolling.
    match crate::services::series::roll(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(created = n, "recurring one-on-ones created"),
        Err(e) => tracing::warn!(error = ?e, "could not extend the recurring series"),
    }
    // Reminders and digests whose moment came, once across replicas.
    if let Err(e) = crate::services::notify::run_due(state).await {
        tracing::warn!(error = ?e, "could not send the due notifications");
    }
    let keys_before = state
        .now()
        .plus_days(-crate::services::notify::KEEP_KEYS_DAYS);
    if let Err(e) =
        manageros_store::repo::notifications::forget_before(&state.db, keys_before).await
    {
        tracing::warn!(error = %e, "could not forget old notification keys");
    }
    if let Err(e) = manageros_store::refresh_statistics(&state.db).await {
        tracing::warn!(error = %e, "could not refresh the planner's statistics");
    }
    if let Err(e) = rate_limit::forget_old(&state.db, state.now()).await {
        tracing::warn!(error = %e, "could not forget old rate-limit windows");
    }
    if let Err(e) = manageros_store::repo::sessions::delete_expired(&state.db, state.now()).await {
        tracing::warn!(error = %e, "could not delete expired sessions");
    }
    let cutoff = state
        .now()
        .plus_days(-i64::from(state.config.audit_retention_days));
    if let Err(e) = manageros_store::repo::audit::delete_older_than(&state.db, cutoff).await {
        tracing::warn!(error = %e, "could not delete old audit events");
    }
    let sent_before = state.now().plus_days(-crate::outbox::KEEP_SENT_DAYS);
    if let Err(e) = manageros_store::repo::outbox::delete_sent_before(&state.db, sent_before).await
    {
        tracing::warn!(error = %e, "could not delete sent mail");
    }
}

/// `manageros serve`.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    tracing::info!(config = ?args, "starting");
    let state = build_state(Settings::from_args(&args)?).await?;
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(
        address = %addr,
        database = manageros_store::backend_name(&state.db),
        mail = state.mailer.describe(),
        "ManagerOS is listening: open http://{addr} in a browser"
    );
    let router = build_router(state.clone());
    serve(listener, router, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
