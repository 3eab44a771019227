//! `GET /metrics`: the process's metrics in the Prometheus text format, through the `metrics`
//! facade and its Prometheus exporter.
//!
//! - `manageros_http_requests_total{route, method, status}` and
//!   `manageros_http_request_duration_seconds{route}` (a histogram), by route template (never
//!   the path: ids and tokens stay out), from [`record`];
//! - `manageros_db_pool_connections{state="in_use"|"idle"}`, read when scraped;
//! - `manageros_outbox_emails{status="pending"|"failed"}`, read from the outbox when scraped
//!   (the whole database's, the same on every replica), and this process's
//!   `manageros_outbox_sent_total` and `manageros_outbox_send_failures_total`.
//!
//! Who may read it: with `--metrics-token`, a request bearing that token; without, only a
//! client on this machine (loopback). Anyone else gets the envelope's 404.

use crate::{client::ClientAddr, error::ApiError, state::AppState};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::{sync::OnceLock, time::Instant};

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed once (every server of a test process shares it).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("manageros_http_request_duration_seconds".into()),
                LATENCY_BUCKETS,
            )
            .map_or_else(
                |_| PrometheusBuilder::new().build_recorder(),
                |b| b.build_recorder(),
            );
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
        }
        handle
    })
}

/// Installs the recorder (at start-up, so that the first requests are counted).
pub fn install() {
    handle();
}

/// Counts every request by route, method and status, and times it by route.
pub async fn record(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("manageros_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("manageros_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

fn may_read(state: &AppState, headers: &HeaderMap, client: Option<&ClientAddr>) -> bool {
    match &state.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|presented| {
                // Compared in constant time: the token is a credential.
                use sha2::{Digest, Sha256};
                Sha256::digest(presented.as_bytes()) == Sha256::digest(token.as_bytes())
            }),
        None => client.is_some_and(|c| c.0.is_loopback()),
    }
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>, req: Request) -> Response {
    if !may_read(&state, req.headers(), req.extensions().get::<ClientAddr>()) {
        return ApiError::not_found("Not found").into_response();
    }
    if let Some((in_use, idle)) = manageros_store::pool_use(&state.db) {
        metrics::gauge!("manageros_db_pool_connections", "state" => "in_use").set(in_use as f64);
        metrics::gauge!("manageros_db_pool_connections", "state" => "idle").set(idle as f64);
    }
    match manageros_store::repo::outbox::depth(&state.db).await {
        Ok((pending, failed)) => {
            metrics::gauge!("manageros_outbox_emails", "status" => "pending").set(pending as f64);
            metrics::gauge!("manageros_outbox_emails", "status" => "failed").set(failed as f64);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the outbox for /metrics"),
    }
    let mut res = handle().render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}
