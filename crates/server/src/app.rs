//! Building the service and running it: `build_state` → `build_router` → `serve`, separate so
//! that tests drive the same pieces on port 0.

use crate::{
    api,
    config::{Config, ServeArgs},
    error::ApiError,
    mail::Mailer,
    password::Passwords,
    rate_limit,
    state::AppState,
};
use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, HeaderValue, Request, header},
    response::{IntoResponse, Response},
};
use manageros_core::Clock;
use manageros_store::DbOptions;
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

/// The largest request body accepted (JSON only; nothing here uploads files).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Everything the service needs besides its configuration flags.
pub struct Settings {
    pub database_url: String,
    pub db_options: DbOptions,
    pub smtp_url: Option<String>,
    pub outbox: std::path::PathBuf,
    pub mail_from: String,
    pub auth_rate_limit: u32,
    pub public_url: url::Url,
    pub clock: Arc<dyn Clock>,
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
            public_url,
            clock: Arc::new(manageros_core::SystemClock),
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
    let mailer = Mailer::new(
        settings.smtp_url.as_deref(),
        &settings.outbox,
        &settings.mail_from,
    )
    .await?;
    Ok(AppState {
        db,
        config: Arc::new(Config::new(&settings.public_url)),
        clock: settings.clock,
        mailer: Arc::new(mailer),
        passwords: Passwords::new()?,
        auth_limiter: rate_limit::auth_limiter(settings.auth_rate_limit),
        background: TaskTracker::new(),
    })
}

/// The whole HTTP surface: the API, the pages, their middleware, and envelope answers for unknown routes,
/// wrong methods, oversized bodies and panics.
pub fn build_router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    api::router(state.clone())
        .merge(crate::web::router(state.clone()).with_state(state.clone()))
        .fallback(|| async { ApiError::not_found("Not found") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
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

/// Serves until `shutdown` resolves, then finishes in-flight requests and background work.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    spawn_housekeeping(&state);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    state.background.close();
    state.background.wait().await;
    Ok(())
}

/// Periodic clean-up: forget rate-limit entries of quiet addresses, drop expired sessions.
fn spawn_housekeeping(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Some(l) = &state.auth_limiter {
                l.retain_recent();
                l.shrink_to_fit();
            }
            if let Err(e) =
                manageros_store::repo::sessions::delete_expired(&state.db, state.now()).await
            {
                tracing::warn!(error = %e, "could not delete expired sessions");
            }
        }
    });
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
