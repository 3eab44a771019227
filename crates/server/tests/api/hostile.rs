//! Hostile clients (issue 12): slow headers and bodies, more connections than the server
//! serves, oversized request heads, and bodies that are not JSON objects. Each test
//! reproduces an attack and asserts it no longer succeeds.

use crate::harness::{Options, TestApp};
use manageros_server::config::Limits;
use manageros_test_macros::db_test;
use serde_json::json;
use std::time::Duration;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

fn tight() -> Options {
    Options {
        limits: Limits {
            header_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(2),
            max_connections: 3,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A raw connection that has sent part of a request and then stalls.
async fn stalled(app: &TestApp, bytes: &str) -> TcpStream {
    let addr = app.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(bytes.as_bytes()).await.expect("write");
    s
}

/// Everything the server sends before it closes the connection; the guard only keeps a
/// broken server from hanging the test run.
async fn read_to_close(s: &mut TcpStream) -> String {
    let mut out = vec![];
    tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut out))
        .await
        .expect("the server never closed the connection")
        .ok();
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the server has already closed this connection (an EOF is waiting to be read).
async fn closed(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_millis(1), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[db_test(tight())]
async fn a_client_that_never_finishes_its_headers_is_disconnected(app: TestApp) {
    let mut s = stalled(&app, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
    let answer = read_to_close(&mut s).await;
    // Closed without a response: there is no request to answer.
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[db_test(tight())]
async fn a_body_that_never_arrives_is_answered_408(app: TestApp) {
    let mut s = stalled(
        &app,
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{\"email\": ",
    )
    .await;
    let answer = read_to_close(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
}

#[db_test(tight())]
async fn connections_beyond_the_cap_wait_for_a_free_slot(app: TestApp) {
    let mut held = vec![];
    for _ in 0..3 {
        held.push(stalled(&app, "GET /healthz HTTP/1.1\r\nHost: x\r\n").await);
    }
    // A fourth client is served only once the server has dropped a stalled one (at its
    // header timeout): at no moment were more than three connections being served.
    app.get("/healthz", None).await.assert_status(200);
    let mut dropped = 0;
    for s in &mut held {
        if closed(s).await {
            dropped += 1;
        }
    }
    assert!(
        dropped >= 1,
        "the fourth connection was served while three were held"
    );
}

/// The header timeout must outlast connecting 1,100 sockets, three requests and counting
/// the open ones on a loaded 2-core CI machine (at 2 s the first connections were sometimes
/// closed before the count, which then found fewer than the cap).
fn silent_flood() -> Options {
    Options {
        limits: Limits {
            header_timeout: Duration::from_secs(20),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Issue 24: 1,030 connections that sent nothing used to hold every slot for ever, and
/// `/healthz` from anyone else timed out. Now one address holds at most its cap, another
/// client is served while it does, and each silent connection is closed at the header
/// timeout, counted from accept.
#[db_test(silent_flood())]
async fn silent_connections_from_one_address_neither_stay_nor_shut_out_another_client(
    app: TestApp,
) {
    let addr = app.base.trim_start_matches("http://").to_owned();
    let started = std::time::Instant::now();
    let mut silent = Vec::with_capacity(1100);
    for _ in 0..1100 {
        silent.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    let cap = Limits::default().max_connections_per_client;
    assert!(cap < 1100 && Limits::default().max_connections < 1100);

    // Another client (another loopback address) is answered while the flood holds its cap.
    let other = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    for _ in 0..3 {
        let r = other
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .expect("another client is answered");
        assert_eq!(r.status(), 200);
    }
    let mut open = 0;
    for s in &mut silent {
        if !closed(s).await {
            open += 1;
        }
    }
    assert_eq!(
        open,
        cap,
        "the flooding address holds exactly its cap while the other client is served \
         (counted {:?} after the first connection)",
        started.elapsed()
    );

    // Each silent connection is closed by the server (the guard in read_to_close only keeps
    // a broken server from hanging the run).
    for s in &mut silent {
        let answer = read_to_close(s).await;
        assert_eq!(answer, "", "a connection that asked nothing gets no answer");
    }
    // And the address can connect again once it let go.
    app.get("/healthz", None).await.assert_status(200);
}

#[db_test]
async fn oversized_request_heads_are_answered_with_the_envelope(app: TestApp) {
    let long = format!("/api/tasks?search={}", "x".repeat(9 * 1024));
    let r = app.get(&long, None).await;
    r.assert_error(414, "The request URI is too long");
    assert_eq!(r.body["code"], "uri_too_long");

    let r = app
        .send(
            app.request(reqwest::Method::GET, "/healthz")
                .header("x-big", "y".repeat(40 * 1024)),
        )
        .await;
    r.assert_error(431, "The request headers are too large");

    let mut rb = app.request(reqwest::Method::GET, "/healthz");
    for i in 0..150 {
        rb = rb.header(format!("x-h{i}"), "1");
    }
    app.send(rb)
        .await
        .assert_error(431, "The request headers are too large");

    // Issue 24: past hyper's own limits (a URI over 64 KiB, more headers than it takes, a head
    // over its buffer, a request line that is not HTTP) hyper answers before our code runs,
    // with an empty body; those answers get the envelope too.
    let headers: String = (0..300).map(|i| format!("x-h{i}: 1\r\n")).collect();
    for (head, status, message) in [
        (
            format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{headers}\r\n"),
            "431",
            "The request headers are too large",
        ),
        (
            format!(
                "GET /healthz?{} HTTP/1.1\r\nHost: x\r\n\r\n",
                "a".repeat(70_000)
            ),
            "414",
            "The request URI is too long",
        ),
        (
            format!(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nx-big: {}\r\n\r\n",
                "y".repeat(500_000)
            ),
            "431",
            "The request headers are too large",
        ),
        (
            "NOT HTTP AT ALL\r\n\r\n".to_owned(),
            "400",
            "The request is not valid HTTP",
        ),
    ] {
        let mut s = stalled(&app, &head).await;
        let answer = read_to_close(&mut s).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{answer}"
        );
        assert!(
            answer.contains("content-type: application/json"),
            "{answer}"
        );
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(body).expect("an envelope");
        assert_eq!(v["error"], message, "{answer}");
    }
}

#[db_test]
async fn only_json_objects_are_request_bodies(app: TestApp) {
    let org = app.org("acme").await;
    let raw = |method: reqwest::Method, path: &str, body: &'static str, token: Option<&str>| {
        let mut rb = app
            .request(method, path)
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        rb
    };
    // A positional array once signed in as the struct it matched.
    let body = format!(r#"["{}", "{}"]"#, org.admin.email, crate::harness::PASSWORD);
    let r = app
        .send(
            app.request(reqwest::Method::POST, "/api/auth/login")
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
    r.assert_error(400, "Invalid request body: expected a JSON object");
    assert!(r.header("set-cookie").is_none());

    let r = app
        .send(raw(
            reqwest::Method::POST,
            "/api/tasks",
            r#"["Write the plan", null, "TODO"]"#,
            org.admin.t(),
        ))
        .await;
    r.assert_error(400, "Invalid request body: expected a JSON object");
    let task = app
        .post("/api/tasks", org.admin.t(), json!({"title": "Plan"}))
        .await;
    let id = task.body["task"]["id"].as_str().unwrap().to_owned();
    for scalar in ["[]", "\"text\"", "42", "null", "true"] {
        let r = app
            .send(
                app.request(reqwest::Method::PATCH, &format!("/api/tasks/{id}"))
                    .header("content-type", "application/json")
                    .bearer_auth(org.admin.t().unwrap())
                    .body(scalar),
            )
            .await;
        r.assert_error(400, "Invalid request body: expected a JSON object");
    }
    let tasks = app.get("/api/tasks", org.admin.t()).await;
    assert_eq!(
        tasks.body["tasks"].as_array().unwrap().len(),
        1,
        "no task was created"
    );
    assert_eq!(tasks.body["tasks"][0]["title"], "Plan");

    // `application/<x>+json` is JSON too; other types are 415.
    let r = app
        .send(
            app.request(reqwest::Method::POST, "/api/tasks")
                .header("content-type", "application/vnd.api+json; charset=utf-8")
                .bearer_auth(org.admin.t().unwrap())
                .body(r#"{"title": "Plan"}"#),
        )
        .await;
    r.assert_status(201);
}

#[db_test]
async fn type_errors_name_json_types_not_rust_ones(app: TestApp) {
    let org = app.org("acme").await;
    let r = app
        .post(
            "/api/tasks",
            org.admin.t(),
            json!({"title": "Plan", "priority": "high"}),
        )
        .await;
    r.assert_status(400);
    let message = r.body["error"].as_str().unwrap();
    assert!(
        message.starts_with(
            "Invalid request body: invalid type: string \"high\", expected a whole number"
        ),
        "{message}"
    );
    for rust in ["i64", "u32", "struct", "Request"] {
        assert!(!message.contains(rust), "{message}");
    }
    let r = app.get("/api/tasks?page=-1", org.admin.t()).await;
    r.assert_status(400);
    let message = r.body["error"].as_str().unwrap();
    assert!(
        !message.contains("u32") && !message.contains("i64"),
        "{message}"
    );
}

/// Finding 1: `participantIds` and `ownerIds` of ~28,000 ids were de-duplicated
/// quadratically under the write lock. Every such list is capped at 200 (a 400 naming it,
/// nothing written), duplicates are dropped, and the largest accepted list works.
#[db_test]
async fn id_lists_in_bodies_are_capped_and_deduplicated(app: TestApp) {
    let org = app.org("acme").await;
    let admin = &org.admin;
    let me = app.link_admin(&org, "Ada").await;
    let mut people = vec![me.clone()];
    for i in 0..199 {
        people.push(app.person(&org, &format!("P{i}"), None).await);
    }
    let flood: Vec<&str> = std::iter::repeat_n(me.as_str(), 28_000).collect();
    // 201 entries, even if one repeats: the cap is on what is sent.
    let too_many = {
        let mut v = people.clone();
        v.push(people[0].clone());
        v
    };
    const AT: &str = "2026-01-05T10:00:00Z";

    // Creates: refused, and nothing created.
    for body in [json!(flood), json!(too_many)] {
        let r = admin
            .post(
                "/api/meetings",
                json!({"title": "All hands", "scheduledAt": AT, "participantIds": body}),
            )
            .await;
        r.assert_error(400, "At most 200 people can be named here");
        assert!(r.body["fields"]["participantIds"].is_string(), "{}", r.body);
        let r = admin
            .post(
                "/api/initiatives",
                json!({"title": "Platform", "ownerIds": body}),
            )
            .await;
        r.assert_error(400, "At most 200 people can be named here");
        assert!(r.body["fields"]["ownerIds"].is_string(), "{}", r.body);
    }
    assert_eq!(admin.get("/api/meetings").await.body["meetings"], json!([]));
    assert_eq!(
        admin.get("/api/initiatives").await.body["initiatives"],
        json!([])
    );

    // The largest accepted list is stored, in order.
    let m = admin
        .post(
            "/api/meetings",
            json!({"title": "All hands", "scheduledAt": AT, "participantIds": people}),
        )
        .await;
    m.assert_status(201);
    assert_eq!(m.body["meeting"]["participantIds"], json!(people));
    let meeting = m.body["meeting"]["id"].as_str().unwrap().to_owned();
    let i = admin
        .post(
            "/api/initiatives",
            json!({"title": "Platform", "ownerIds": people}),
        )
        .await;
    i.assert_status(201);
    let initiative = i.body["initiative"]["id"].as_str().unwrap().to_owned();

    // Updates and instances: the same cap, and the row unchanged.
    let path = format!("/api/meetings/{meeting}");
    admin
        .patch(&path, json!({"participantIds": flood}))
        .await
        .assert_error(400, "At most 200 people can be named here");
    assert_eq!(
        admin.get(&path).await.body["meeting"]["participantIds"],
        json!(people)
    );
    let ipath = format!("/api/initiatives/{initiative}");
    admin
        .patch(&ipath, json!({"ownerIds": too_many}))
        .await
        .assert_error(400, "At most 200 people can be named here");
    let instances = format!("/api/meetings/{meeting}/instances");
    admin
        .post(
            &instances,
            json!({"scheduledAt": AT, "participantIds": flood}),
        )
        .await
        .assert_error(400, "At most 200 people can be named here");
    // Duplicates are dropped, order kept.
    let inst = admin
        .post(
            &instances,
            json!({"scheduledAt": AT, "participantIds": [me, people[1], me]}),
        )
        .await;
    inst.assert_status(201);
    assert_eq!(
        inst.body["meetingInstance"]["participantIds"],
        json!([me, people[1]])
    );
    let inst_path = format!(
        "/api/meeting-instances/{}",
        inst.body["meetingInstance"]["id"].as_str().unwrap()
    );
    admin
        .patch(&inst_path, json!({"participantIds": too_many}))
        .await
        .assert_error(400, "At most 200 people can be named here");
    assert_eq!(
        admin.get(&inst_path).await.body["meetingInstance"]["participantIds"],
        json!([me, people[1]])
    );

    // Someone who may not edit the meeting still learns nothing from the list: 404 first.
    let outsider = app.org("other").await;
    outsider
        .admin
        .patch(&path, json!({"participantIds": flood}))
        .await
        .assert_error(404, "Meeting not found or access denied");
}

fn production_mail_limits() -> Options {
    use manageros_server::rate_limit::{MAIL_PER_ORG_HOUR, MAIL_PER_RECIPIENT_HOUR};
    Options {
        mail_limits: (MAIL_PER_RECIPIENT_HOUR, MAIL_PER_ORG_HOUR),
        ..Default::default()
    }
}

/// Finding 3: revoking and reactivating one invitation 15 times sent 16 emails to one
/// address. Now the sixth email to an address within the hour is refused with a 429 and
/// `Retry-After`, and the refused reactivation changes nothing.
#[db_test(production_mail_limits())]
async fn one_address_is_not_mailed_in_a_loop(app: TestApp) {
    let org = app.org("acme").await;
    let id = app.invite(&org, "victim@example.com", None).await;
    let path = |what: &str| format!("/api/organization/invitations/{id}/{what}");
    let mut refused = None;
    for _ in 0..15 {
        org.admin
            .post(&path("revoke"), json!({}))
            .await
            .assert_status(200);
        let r = org.admin.post(&path("reactivate"), json!({})).await;
        if r.status == 429 {
            refused = Some(r);
            break;
        }
        r.assert_status(200);
    }
    let r = refused.expect("the loop was never refused");
    r.assert_error(
        429,
        "Too many emails were sent to victim@example.com recently; please try again later",
    );
    assert_eq!(r.body["code"], "rate_limited");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    assert_eq!(app.emails_to("victim@example.com").await.len(), 5);
    // The refused reactivation left the invitation revoked.
    let list = org.admin.get("/api/organization/invitations").await;
    assert_eq!(list.body["invitations"][0]["status"], "revoked");

    // Reset links: the same budget per address, whether or not an account exists.
    for _ in 0..5 {
        app.post(
            "/api/auth/forgot-password",
            None,
            json!({"email": "nobody@example.com"}),
        )
        .await
        .assert_status(202);
    }
    app.post(
        "/api/auth/forgot-password",
        None,
        json!({"email": "Nobody@Example.com"}),
    )
    .await
    .assert_status(429);
}

/// Finding 3: one campaign request mailed 200 arbitrary addresses, and nothing stopped the
/// next. An organization sends at most 500 emails an hour: the activation that would pass it
/// is refused, and the campaign stays a draft.
#[db_test(production_mail_limits())]
async fn an_organization_is_not_a_mail_cannon(app: TestApp) {
    let org = app.org("acme").await;
    let about = app.person(&org, "Subject", None).await;
    let campaign = |n: usize, offset: usize| {
        json!({
            "name": "Q1",
            "targetPersonId": about,
            "startDate": "2020-01-01",
            "endDate": "2099-12-31",
            "inviteEmails": (offset..offset + n).map(|i| format!("r{i}@example.com")).collect::<Vec<_>>(),
            "status": "draft",
        })
    };
    for round in 0..2 {
        let c = org
            .admin
            .post("/api/feedback-campaigns", campaign(200, round * 200))
            .await;
        c.assert_status(201);
        org.admin
            .patch(
                &format!("/api/feedback-campaigns/{}", c.id("feedbackCampaign")),
                json!({"status": "active"}),
            )
            .await
            .assert_status(200);
    }
    let third = org
        .admin
        .post("/api/feedback-campaigns", campaign(200, 400))
        .await;
    let third = third.id("feedbackCampaign");
    let r = org
        .admin
        .patch(
            &format!("/api/feedback-campaigns/{third}"),
            json!({"status": "active"}),
        )
        .await;
    r.assert_error(
        429,
        "Your organization has sent too much email recently; please try again later",
    );
    assert!(r.header("retry-after").is_some());
    let c = org
        .admin
        .get(&format!("/api/feedback-campaigns/{third}"))
        .await;
    assert_eq!(c.body["feedbackCampaign"]["status"], "draft");
    assert_eq!(app.emails_to("r450@example.com").await.len(), 0);
    assert_eq!(app.emails_to("r399@example.com").await.len(), 1);
}

/// Issue 24: a name or a title with bidirectional controls (U+202E "right-to-left override")
/// displays reordered in pages and emails: "Alice U+202E nimda" reads as "Aliceadmin". Refused in
/// every one-line field, and nothing is written.
#[db_test]
async fn text_direction_controls_are_refused_in_one_line_fields(app: TestApp) {
    let org = app.org("acme").await;
    for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
        org.admin
            .post("/api/people", json!({"name": format!("Alice{c}nimda")}))
            .await
            .assert_error(
                400,
                "Name must not contain text-direction control characters",
            );
        org.admin
            .post("/api/tasks", json!({"title": format!("Pay{c}gpj.exe")}))
            .await
            .assert_error(
                400,
                "Title must not contain text-direction control characters",
            );
    }
    let people = org.admin.get("/api/people").await;
    assert_eq!(
        people.body["pagination"]["totalCount"], 0,
        "{}",
        people.body
    );
    let tasks = org.admin.get("/api/tasks").await;
    assert_eq!(tasks.body["pagination"]["totalCount"], 0, "{}", tasks.body);
    // Right-to-left text itself is text.
    org.admin
        .post("/api/people", json!({"name": "שרה כהן"}))
        .await
        .assert_status(201);
}

/// Issue 24, finding 4: "You were taken out of a one-on-one" was sent without counting, so
/// 15 swaps in a moment mailed one address 10 times against a budget of 5. Every notice now
/// counts; past the budget it is dropped, and the swap itself still happens and is logged.
#[db_test(production_mail_limits())]
async fn notices_count_in_the_mail_budget(app: TestApp) {
    let org = app.org("acme").await;
    let boss_p = app.link_admin(&org, "Boss").await;
    let (_, john) = app.linked_member(&org, "John", "john@acme.test").await;
    let (_, third) = app.linked_member(&org, "Third", "third@acme.test").await;
    let one = |report: &str| json!({"participant1Id": boss_p, "participant2Id": report, "scheduledAt": "2025-10-20T14:00:00Z"});
    let id = org
        .admin
        .post("/api/oneonones", one(&john))
        .await
        .id("oneOnOne");
    let path = format!("/api/oneonones/{id}");
    for i in 0..15 {
        let to = if i % 2 == 0 { &third } else { &john };
        org.admin.put(&path, one(to)).await.assert_status(200);
    }
    for to in ["john@acme.test", "third@acme.test"] {
        let mails = app.emails_to(to).await;
        assert!(
            mails.len() <= 5,
            "{to} got {} emails: {:?}",
            mails.len(),
            mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
        assert!(
            mails
                .iter()
                .any(|m| m.subject == "You were taken out of a one-on-one"),
            "{to} was told at least until the budget ran out"
        );
    }
    // Every swap is in the log, told or not.
    let log = org.admin.get(&format!("{path}/access")).await;
    let removed = log.body["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "participant-removed")
        .count();
    assert_eq!(removed, 15, "{}", log.body);
}
