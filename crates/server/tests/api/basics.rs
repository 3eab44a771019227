//! The envelope, health and the OpenAPI document.

use crate::harness::{Options, TestApp};
use manageros_test_macros::db_test;
use serde_json::json;

#[db_test]
async fn a_replica_is_ready_when_its_database_answers_with_a_current_schema(app: TestApp) {
    use manageros_store::ConnectionTrait;
    let alive = || async { app.get("/healthz", None).await };
    let ready = || async { app.get("/readyz", None).await };
    assert_eq!(alive().await.body, json!({"status": "ok"}));
    let r = ready().await;
    r.assert_status(200);
    assert_eq!(r.body, json!({"status": "ready"}));

    // A migration this server knows is missing from the database: not ready, still alive.
    app.state
        .db
        .execute_unprepared(
            "DELETE FROM seaql_migrations WHERE version = \
             (SELECT MAX(version) FROM seaql_migrations)",
        )
        .await
        .unwrap();
    ready().await.assert_error(
        503,
        "The database schema is older than this server: a migration is pending",
    );
    alive().await.assert_status(200);

    // The database stops answering: not ready, still alive (no restart for an outage).
    app.state.db.close_by_ref().await.unwrap();
    let r = ready().await;
    r.assert_error(503, "The database does not answer");
    assert_eq!(r.body["code"], "unavailable");
    alive().await.assert_status(200);
}

/// Replicas started at once on an empty PostgreSQL: one migrates (under an advisory lock),
/// the others wait and find nothing left to do; all of them start.
#[tokio::test]
async fn replicas_starting_together_migrate_an_empty_postgresql_once() {
    use manageros_store::{ConnectionTrait, DbOptions};
    let Some(database) = crate::harness::PgDatabase::empty().await else {
        return; // TEST_DATABASE_URL=skip, refused under CI=true by the build
    };
    let starts = (0..3).map(|_| {
        let url = database.url.clone();
        tokio::spawn(async move {
            let db = manageros_store::connect(&url, &DbOptions::default()).await?;
            manageros_store::migrate(&db).await?;
            Ok::<_, manageros_store::DbErr>(db)
        })
    });
    let mut pools = vec![];
    for s in starts {
        pools.push(s.await.unwrap().expect("every replica starts"));
    }
    let applied = pools[0]
        .query_one_raw(manageros_store::sea_orm::Statement::from_string(
            manageros_store::sea_orm::DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(
        applied as usize,
        manageros_store::migration::migration_count(),
        "each migration applied once"
    );
    assert!(manageros_store::schema_current(&pools[1]).await.unwrap());
    for p in pools {
        p.close().await.unwrap();
    }
    database.drop().await;
}

#[db_test]
async fn unknown_routes_and_methods_use_the_envelope(app: TestApp) {
    app.get("/api/nothing-here", None)
        .await
        .assert_error(404, "Not found");
    // Outside `/api` it is the web application's: an unknown path is a page (issue 24).
    let r = app.get("/nothing-here", None).await;
    r.assert_status(404);
    assert!(
        r.body
            .as_str()
            .is_some_and(|html| html.contains("<h1>Not found</h1>")),
        "an HTML page, not the envelope: {}",
        r.body
    );
    let r = app.delete("/api/auth/login", None).await;
    r.assert_error(405, "Method not allowed");
    assert_eq!(r.body["code"], "method_not_allowed");
}

#[db_test]
async fn malformed_bodies_are_400_in_the_envelope(app: TestApp) {
    let raw = |body: &'static str, content_type: Option<&'static str>| {
        let mut rb = app
            .request(reqwest::Method::POST, "/api/auth/signup")
            .body(body);
        if let Some(ct) = content_type {
            rb = rb.header("content-type", ct);
        }
        rb
    };
    let r = app.send(raw("{\"name\": ", Some("application/json"))).await;
    r.assert_status(400);
    assert_eq!(r.body["code"], "bad_request");
    assert!(
        r.body["error"]
            .as_str()
            .unwrap()
            .starts_with("Malformed JSON"),
        "{}",
        r.body
    );

    let r = app
        .send(raw(
            "{\"name\": 5, \"email\": \"a@b.co\", \"password\": \"12345678\"}",
            Some("application/json"),
        ))
        .await;
    r.assert_status(400);
    assert!(
        r.body["error"].as_str().unwrap().contains("invalid type"),
        "{}",
        r.body
    );

    let r = app.send(raw("[1, 2]", Some("application/json"))).await;
    r.assert_status(400);

    let r = app.send(raw("{}", Some("text/plain"))).await;
    r.assert_status(415);
    assert_eq!(r.body["code"], "unsupported_media_type");

    let r = app.send(raw("{}", None)).await;
    r.assert_status(415);

    // Nothing was created by any of these.
    let r = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "a@b.co", "password": "12345678"}),
        )
        .await;
    r.assert_status(401);
}

#[db_test]
async fn oversized_bodies_are_413(app: TestApp) {
    let big = format!(
        "{{\"name\": \"{}\", \"email\": \"a@b.co\", \"password\": \"12345678\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let r = app
        .send(
            app.request(reqwest::Method::POST, "/api/auth/signup")
                .header("content-type", "application/json")
                .body(big),
        )
        .await;
    r.assert_error(413, "Request body is too large");
}

#[db_test]
async fn responses_carry_a_request_id_and_safe_headers(app: TestApp) {
    let r = app.get("/healthz", None).await;
    assert!(r.header("x-request-id").is_some_and(|v| !v.is_empty()));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[db_test]
async fn the_openapi_document_covers_every_endpoint(app: TestApp) {
    let r = app.get("/api/openapi.json", None).await;
    r.assert_status(200);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = r.body["paths"].as_object().expect("paths");
    for (path, method) in crate::ENDPOINTS {
        let op = &paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} missing from the OpenAPI document"))[*method];
        assert!(
            op.is_object(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        crate::ENDPOINTS.len(),
        "the document has operations this test does not know"
    );
}

/// The lines of `/metrics` that start with `name{` and carry every one of `labels`.
fn metric_lines<'a>(text: &'a str, name: &str, labels: &[&str]) -> Vec<&'a str> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .filter(|l| labels.iter().all(|want| l.contains(want)))
        .collect()
}

#[db_test]
async fn metrics_count_requests_by_route_and_show_the_pool_and_the_outbox(app: TestApp) {
    app.get("/api/me", None).await.assert_status(401);
    let acme = app.org("acme").await;
    let missing = "person_0000000000000000000000000000";
    acme.admin
        .get(&format!("/api/people/{missing}"))
        .await
        .assert_status(404);
    app.settle().await;
    let r = app.get_text("/metrics").await;
    assert_eq!(r.0, 200);
    let text = r.1;
    assert!(
        !metric_lines(
            &text,
            "manageros_http_requests_total",
            &[r#"route="/api/me""#, r#"method="GET""#, r#"status="401""#]
        )
        .is_empty(),
        "{text}"
    );
    // By route template: the id asked for is not in the metrics.
    assert!(
        !metric_lines(
            &text,
            "manageros_http_requests_total",
            &[r#"route="/api/people/{id}""#, r#"status="404""#]
        )
        .is_empty()
    );
    assert!(!text.contains(missing));
    assert!(
        !metric_lines(
            &text,
            "manageros_http_request_duration_seconds_bucket",
            &[r#"route="/api/me""#]
        )
        .is_empty()
    );
    for (name, label) in [
        ("manageros_db_pool_connections", r#"state="idle""#),
        ("manageros_db_pool_connections", r#"state="in_use""#),
        ("manageros_outbox_emails", r#"status="pending""#),
        ("manageros_outbox_emails", r#"status="failed""#),
    ] {
        assert!(
            !metric_lines(&text, name, &[label]).is_empty(),
            "{name} {label}"
        );
    }
    // The admin's verification email went out through this process's worker.
    assert!(
        text.lines()
            .any(|l| l.starts_with("manageros_outbox_sent_total "))
    );
}

#[db_test(Options { metrics_token: Some("metrics-token-of-the-test"), trust_proxy: "127.0.0.1/32", ..Default::default() })]
async fn metrics_are_read_with_the_token_or_from_this_machine_only(app: TestApp) {
    let get = |auth: Option<&'static str>, from: Option<&'static str>| {
        let mut rb = app.request(reqwest::Method::GET, "/metrics");
        if let Some(a) = auth {
            rb = rb.header("authorization", a);
        }
        if let Some(f) = from {
            rb = rb.header("x-forwarded-for", f);
        }
        async move { rb.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        get(None, None).await,
        404,
        "a token is set: loopback is not enough"
    );
    assert_eq!(get(Some("Bearer wrong"), None).await, 404);
    assert_eq!(
        get(Some("Bearer metrics-token-of-the-test"), None).await,
        200
    );
    assert_eq!(
        get(
            Some("Bearer metrics-token-of-the-test"),
            Some("203.0.113.5")
        )
        .await,
        200
    );
}

#[db_test(Options { trust_proxy: "127.0.0.1/32", ..Default::default() })]
async fn without_a_token_metrics_are_for_this_machine_only(app: TestApp) {
    let from = |addr: &'static str| {
        let rb = app
            .request(reqwest::Method::GET, "/metrics")
            .header("x-forwarded-for", addr);
        async move { rb.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(from("127.0.0.1").await, 200);
    assert_eq!(from("203.0.113.5").await, 404, "a client elsewhere");
    // Issue 24: a last hop that is no address made the client the proxy's own loopback.
    for garbage in ["203.0.113.5:443", "[::1]", "unknown", "127.0.0.1:80"] {
        assert_eq!(from(garbage).await, 404, "an unknown client: {garbage}");
    }
}
