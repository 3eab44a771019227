//! Many replicas, one PostgreSQL: three `manageros serve` processes on one empty database
//! (they migrate it together), their mail going to one real SMTP server started here, and
//! clients spread over them.
//!
//! - What must hold across processes holds under concurrent requests to different replicas:
//!   an organization's slug is taken once, a reset link works once, two admins demoting each
//!   other leave one admin, an invitation's link is accepted once, a campaign takes one answer
//!   per invitee.
//! - The sign-in rate limit is counted once across the three.
//! - Each one-on-one reminder is sent once though every replica runs the scheduler each
//!   second, and none for a one-on-one deleted before it was due.
//! - One replica is killed (SIGKILL) in the middle of a stream of invitations, each of which
//!   mails: every acknowledged invitation is there, and every invitation's email reaches the
//!   SMTP server exactly once (by `Message-ID`), sent by the survivors when the dead one's
//!   claims lapse.
//! - One replica is stopped (SIGTERM) while it holds claimed mail: it exits 0, leaves no claim
//!   behind, and what it handed back is sent by the next replica at once, each email once.
//!
//! Runs the binary named by `MANAGEROS_SCALE_OUT_BIN` (`.ci/run` builds the release binary
//! for it), else the debug binary cargo builds for the tests. Needs PostgreSQL, like every
//! test (`TEST_DATABASE_URL`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../api/harness.rs"]
mod harness;

use harness::{
    PgDatabase,
    smtp_sink::{Refuse, SmtpSink},
};
use manageros_store::{ConnectionTrait, sea_orm::Statement};
use serde_json::{Value, json};
use std::{
    collections::{HashMap, HashSet},
    path::Path,
    process::Stdio,
    sync::atomic::{AtomicU32, Ordering},
    time::{Duration, Instant},
};
use tokio::process::{Child, Command};

const PASSWORD: &str = "correct horse battery";
/// Requests a minute per client address on /api/auth/* (each replica is started with it).
const AUTH_LIMIT: usize = 20;

struct Replica {
    base: String,
    child: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(database_url: &str, smtp_url: &str, outbox: &Path) -> Replica {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(binary())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--database-url", database_url, "--smtp-url", smtp_url])
        .args(["--outbox", outbox.to_str().unwrap(), "--public-url", &base])
        .args(["--auth-rate-limit", &AUTH_LIMIT.to_string()])
        .args(["--trust-proxy", "127.0.0.1/32", "--mail-lease", "3"])
        .args(["--mail-limit-recipient", "0", "--mail-limit-org", "0"])
        .args(["--housekeeping-every", "1"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start a replica");
    Replica { base, child }
}

/// The `manageros` binary the replicas run: `MANAGEROS_SCALE_OUT_BIN` (`.ci/run` builds the
/// release binary and names it there), else the debug binary cargo built for the tests. CI
/// (`CI=true`) must run the release binary, as a deployment would.
fn binary() -> String {
    match std::env::var("MANAGEROS_SCALE_OUT_BIN") {
        Ok(bin) if !bin.is_empty() => bin,
        _ => {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "CI must run the scale-out test on the release binary: set MANAGEROS_SCALE_OUT_BIN"
            );
            env!("CARGO_BIN_EXE_manageros").to_owned()
        }
    }
}

async fn ready(r: &Replica) {
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until {
        if let Ok(res) = reqwest::get(format!("{}/readyz", r.base)).await
            && res.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} never became ready", r.base);
}

/// A client address of its own for each setup request (the limits count per address).
fn next_address() -> String {
    static N: AtomicU32 = AtomicU32::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    from: &str,
) -> Result<(u16, Value), reqwest::Error> {
    let mut rb = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .header("x-forwarded-for", from)
        .timeout(Duration::from_secs(20));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let res = rb.send().await?;
    let status = res.status().as_u16();
    let body = res.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, body))
}

async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    call(
        base,
        reqwest::Method::POST,
        path,
        token,
        Some(body),
        &next_address(),
    )
    .await
    .unwrap()
}

/// The same POST sent to every replica at the same moment (with `tokens[i]` to replica `i`):
/// the statuses, sorted.
async fn at_once(bases: &[String], tokens: &[Option<String>], path: &str, body: Value) -> Vec<u16> {
    let sends: Vec<_> = bases
        .iter()
        .zip(tokens)
        .map(|(base, token)| {
            let (base, token, path, body) =
                (base.clone(), token.clone(), path.to_owned(), body.clone());
            tokio::spawn(async move { post(&base, &path, token.as_deref(), body).await.0 })
        })
        .collect();
    let mut statuses = vec![];
    for s in sends {
        statuses.push(s.await.unwrap());
    }
    statuses.sort_unstable();
    statuses
}

/// The messages the SMTP server accepted: `(to, subject, text, Message-ID)`.
fn delivered(dir: &Path) -> Vec<(String, String, String, String)> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().extension().is_none_or(|e| e != "eml") {
            continue; // still being written
        }
        let raw = std::fs::read(entry.path()).unwrap();
        let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
        out.push((
            msg.to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_lowercase(),
            msg.subject().unwrap_or_default().to_owned(),
            msg.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
            msg.message_id().unwrap_or_default().to_owned(),
        ));
    }
    out
}

/// The token of the newest link mailed to `to` whose subject starts with `subject`.
async fn mailed_token(dir: &Path, to: &str, subject: &str) -> String {
    for _ in 0..300 {
        if let Some((_, _, text, _)) = delivered(dir)
            .into_iter()
            .find(|(t, s, _, _)| t == to && s.starts_with(subject))
        {
            let start = text.find("?token=").unwrap() + "?token=".len();
            return text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {subject:?} mailed to {to}");
}

/// Signs up and verifies `email` through `base`; its bearer token.
async fn member(base: &str, dir: &Path, name: &str, email: &str) -> String {
    let (s, b) = post(
        base,
        "/api/auth/signup",
        None,
        json!({"name": name, "email": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let verify = mailed_token(dir, email, "Confirm your email address").await;
    let (s, b) = post(
        base,
        "/api/auth/verify-email",
        None,
        json!({"token": verify, "password": PASSWORD}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    // Verifying ended the sign-up's session: sign in again.
    let (s, b) = post(
        base,
        "/api/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    b["token"].as_str().unwrap().to_owned()
}

/// Stops a replica as a supervisor would (SIGTERM) and waits for it to exit.
async fn terminate(r: &mut Replica) {
    let pid = r.child.id().expect("a running replica").to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let exit = tokio::time::timeout(Duration::from_secs(30), r.child.wait())
        .await
        .expect("the replica stops within 30 s")
        .unwrap();
    assert!(exit.success(), "a graceful stop exits 0: {exit}");
}

async fn count(db: &manageros_store::DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(
        manageros_store::sea_orm::DbBackend::Postgres,
        sql.to_owned(),
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_on_one_postgresql_keep_every_invariant_and_lose_no_mail() {
    let Some(database) = PgDatabase::empty().await else {
        return; // TEST_DATABASE_URL=skip, refused under CI=true by the build
    };
    let dir = tempfile::tempdir().unwrap();
    let mail_dir = dir.path().join("delivered");
    std::fs::create_dir_all(&mail_dir).unwrap();
    // Mail to the "leavers" of the last part takes a while to be accepted, so that a replica
    // is caught holding claims.
    let sink = SmtpSink::start_slow(
        mail_dir.clone(),
        Refuse {
            recipient: "nobody-is-refused@scale.test",
            times: 0,
        },
        Some(("leaver-", Duration::from_millis(150))),
    )
    .await;
    let mut replicas = vec![];
    for i in 0..3 {
        replicas.push(
            start(
                &database.url,
                &sink.url,
                &dir.path().join(format!("outbox{i}")),
            )
            .await,
        );
    }
    for r in &replicas {
        ready(r).await;
    }
    let bases: Vec<String> = replicas.iter().map(|r| r.base.clone()).collect();

    // Three people, each signed up on another replica.
    let mut tokens = vec![];
    for (i, who) in ["ada", "bo", "cy"].iter().enumerate() {
        let email = format!("{who}@scale.test");
        tokens.push(member(&bases[i], &mail_dir, who, &email).await);
    }

    // A slug is taken once, however many replicas are asked at the same moment.
    let tokens_each: Vec<Option<String>> = tokens.iter().cloned().map(Some).collect();
    let statuses = at_once(
        &bases,
        &tokens_each,
        "/api/organizations",
        json!({"name": "Same", "slug": "same-slug"}),
    )
    .await;
    assert_eq!(statuses, vec![201, 409, 409], "one organization per slug");

    // A reset link works once, whichever replicas it is sent to at the same moment.
    let (s, _) = post(
        &bases[0],
        "/api/auth/forgot-password",
        None,
        json!({"email": "ada@scale.test"}),
    )
    .await;
    assert_eq!(s, 202);
    let reset = mailed_token(&mail_dir, "ada@scale.test", "Reset your ManagerOS password").await;
    let statuses = at_once(
        &bases,
        &[None, None, None],
        "/api/auth/reset-password",
        json!({"token": reset, "password": "another good passphrase"}),
    )
    .await;
    assert_eq!(statuses, vec![204, 400, 400], "a reset link works once");

    // Dee runs an organization; Eve joins it by an invitation and becomes an admin too.
    let admin = member(&bases[2], &mail_dir, "dee", "dee@scale.test").await;
    let (s, b) = post(
        &bases[0],
        "/api/organizations",
        Some(&admin),
        json!({"name": "Acme", "slug": "acme-scale"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = post(
        &bases[1],
        "/api/organization/invitations",
        Some(&admin),
        json!({"email": "eve@scale.test"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let eve = member(&bases[1], &mail_dir, "eve", "eve@scale.test").await;
    let members = |token: String, base: String| async move {
        call(
            &base,
            reqwest::Method::GET,
            "/api/organization/members",
            Some(&token),
            None,
            &next_address(),
        )
        .await
        .unwrap()
        .1["members"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let listed = members(admin.clone(), bases[0].clone()).await;
    let id_of = |email: &str| {
        listed
            .iter()
            .find(|m| m["email"] == email)
            .and_then(|m| m["id"].as_str().or(m["userId"].as_str()))
            .unwrap_or_else(|| panic!("{email} among {listed:?}"))
            .to_owned()
    };
    let (dee_id, eve_id) = (id_of("dee@scale.test"), id_of("eve@scale.test"));
    let (s, b) = call(
        &bases[0],
        reqwest::Method::PATCH,
        &format!("/api/organization/members/{eve_id}"),
        Some(&admin),
        Some(json!({"role": "ADMIN"})),
        &next_address(),
    )
    .await
    .unwrap();
    assert_eq!(s, 200, "{b}");

    // The last admin stays: each admin demotes the other at once, through different replicas.
    let demote = |token: String, base: String, whom: String| {
        tokio::spawn(async move {
            call(
                &base,
                reqwest::Method::PATCH,
                &format!("/api/organization/members/{whom}"),
                Some(&token),
                Some(json!({"role": "USER"})),
                &next_address(),
            )
            .await
            .unwrap()
            .0
        })
    };
    let a = demote(admin.clone(), bases[0].clone(), eve_id.clone());
    let b = demote(eve.clone(), bases[2].clone(), dee_id.clone());
    let outcomes = [a.await.unwrap(), b.await.unwrap()];
    assert_eq!(
        outcomes.iter().filter(|s| **s == 200).count(),
        1,
        "one demotion of two: {outcomes:?}"
    );
    let mut admins = 0;
    for (token, base) in [
        (admin.clone(), bases[1].clone()),
        (eve.clone(), bases[1].clone()),
    ] {
        let list = members(token, base).await;
        if !list.is_empty() {
            admins = list.iter().filter(|m| m["role"] == "ADMIN").count();
        }
    }
    assert_eq!(admins, 1, "an organization keeps one admin");
    let (admin, admin_email) = if outcomes[0] == 200 {
        (admin, "dee@scale.test")
    } else {
        (eve.clone(), "eve@scale.test")
    };

    // An invitation's emailed link works once, whichever replicas it is sent to at once.
    let fay = member(&bases[0], &mail_dir, "fay", "fay@scale.test").await;
    let (s, b) = post(
        &bases[2],
        "/api/organization/invitations",
        Some(&admin),
        json!({"email": "fay@scale.test"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let link = mailed_token(&mail_dir, "fay@scale.test", "Invitation to").await;
    let statuses = at_once(
        &bases,
        &[Some(fay.clone()), Some(fay.clone()), Some(fay.clone())],
        "/api/invitations/accept-token",
        json!({"token": link}),
    )
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "an invitation is accepted once: {statuses:?}"
    );

    // A campaign takes one answer per invitee, whichever replicas the answers reach at once.
    let (s, b) = post(
        &bases[0],
        "/api/people",
        Some(&admin),
        json!({"name": "Target"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let target = b["person"]["id"].as_str().unwrap().to_owned();
    let (s, b) = post(
        &bases[0],
        "/api/people",
        Some(&admin),
        json!({"name": "Campaigner", "email": admin_email}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let me = b["person"]["id"].as_str().unwrap().to_owned();
    let (s, b) = call(
        &bases[0],
        reqwest::Method::PUT,
        "/api/me/person",
        Some(&admin),
        Some(json!({"personId": me})),
        &next_address(),
    )
    .await
    .unwrap();
    assert_eq!(s, 200, "{b}");
    let (s, b) = post(
        &bases[1],
        "/api/feedback-campaigns",
        Some(&admin),
        json!({
            "name": "Scale 360",
            "targetPersonId": target,
            "startDate": "2020-01-01",
            "endDate": "2099-12-31",
            "inviteEmails": ["gus@scale.test"],
            "status": "active",
        }),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let answer = mailed_token(&mail_dir, "gus@scale.test", "Your feedback on").await;
    let statuses = at_once(
        &bases,
        &[None, None, None],
        &format!("/api/public/feedback/{answer}"),
        json!({"answers": ["Clear", "Listen more", "Well", ""]}),
    )
    .await;
    assert_eq!(statuses, vec![201, 409, 409], "one answer per invitee");

    // Reminders go once, though the three run the scheduler every second: Fay (linked to
    // her record) and the admin have a one-on-one tomorrow, and want reminders a week ahead, so
    // theirs are due at once. A one-on-one deleted before it is reminded of never is.
    let (s, b) = post(
        &bases[0],
        "/api/people",
        Some(&admin),
        json!({"name": "Fay", "email": "fay@scale.test"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let fay_p = b["person"]["id"].as_str().unwrap().to_owned();
    let (s, b) = call(
        &bases[1],
        reqwest::Method::PUT,
        "/api/me/person",
        Some(&fay),
        Some(json!({"personId": fay_p})),
        &next_address(),
    )
    .await
    .unwrap();
    assert_eq!(s, 200, "{b}");
    let in_a_day = |hours: i64| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        manageros_core::Timestamp::from_millis(
            i64::try_from(now.as_millis()).unwrap() + (24 + hours) * 3_600_000,
        )
        .to_rfc3339()
    };
    let (s, b) = post(
        &bases[1],
        "/api/oneonones",
        Some(&admin),
        json!({"participant1Id": me, "participant2Id": fay_p, "scheduledAt": in_a_day(0)}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = post(
        &bases[1],
        "/api/oneonones",
        Some(&admin),
        json!({"participant1Id": me, "participant2Id": fay_p, "scheduledAt": in_a_day(1)}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let deleted = b["oneOnOne"]["id"].as_str().unwrap().to_owned();
    let (s, _) = call(
        &bases[2],
        reqwest::Method::DELETE,
        &format!("/api/oneonones/{deleted}"),
        Some(&admin),
        None,
        &next_address(),
    )
    .await
    .unwrap();
    assert_eq!(s, 204);
    for (token, base) in [(&admin, &bases[0]), (&fay, &bases[2])] {
        let (s, b) = call(
            base,
            reqwest::Method::PATCH,
            "/api/me/notifications",
            Some(token),
            Some(json!({"reminderDaysBefore": 7})),
            &next_address(),
        )
        .await
        .unwrap();
        assert_eq!(s, 200, "{b}");
    }
    let reminders = |to: &str| {
        delivered(&mail_dir)
            .into_iter()
            .filter(|(t, s, _, _)| t == to && s.starts_with("One-on-one with"))
            .count()
    };
    let until = Instant::now() + Duration::from_secs(30);
    while reminders(admin_email) == 0 || reminders("fay@scale.test") == 0 {
        assert!(Instant::now() < until, "no reminders within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Three more passes of each replica: still one each.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        (reminders(admin_email), reminders("fay@scale.test")),
        (1, 1),
        "each reminder once across the replicas, none for the deleted one-on-one"
    );

    // The sign-in limit of one client address is counted once across the three.
    let window = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / 60
    };
    let (before, mut allowed) = (window(), 0);
    let attempts = (0..AUTH_LIMIT * 3).map(|i| {
        let base = bases[i % 3].clone();
        tokio::spawn(async move {
            call(
                &base,
                reqwest::Method::POST,
                "/api/auth/login",
                None,
                // Another account each time: the per-account limit stays out of it.
                Some(json!({"email": format!("x{i}@scale.test"), "password": "wrong password"})),
                "198.51.100.77",
            )
            .await
            .unwrap()
            .0
        })
    });
    for a in attempts {
        if a.await.unwrap() != 429 {
            allowed += 1;
        }
    }
    if window() == before {
        assert_eq!(allowed, AUTH_LIMIT, "one budget for the three replicas");
    } else {
        // The burst straddled a minute: at most the budgets of two windows.
        assert!(allowed <= 2 * AUTH_LIMIT, "{allowed}");
    }

    // Dee's organization invites people through every replica, one of which dies.
    let streams = (0..3).map(|i| {
        let (base, admin) = (bases[i].clone(), admin.clone());
        tokio::spawn(async move {
            let mut acknowledged = vec![];
            let until = Instant::now() + Duration::from_secs(4);
            let mut n = 0;
            while Instant::now() < until {
                n += 1;
                let email = format!("invitee-{i}-{n}@scale.test");
                match call(
                    &base,
                    reqwest::Method::POST,
                    "/api/organization/invitations",
                    Some(&admin),
                    Some(json!({"email": email})),
                    &next_address(),
                )
                .await
                {
                    Ok((201, _)) => acknowledged.push(email),
                    Ok((s, b)) => panic!("an invitation refused: {s} {b}"),
                    // The replica was killed: what it did not acknowledge may or may not be.
                    Err(_) => break,
                }
            }
            acknowledged
        })
    });
    let streams: Vec<_> = streams.collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    replicas[1].child.start_kill().unwrap(); // SIGKILL
    replicas[1].child.wait().await.unwrap();
    let mut acknowledged = HashSet::new();
    for s in streams {
        acknowledged.extend(s.await.unwrap());
    }
    assert!(
        acknowledged.len() > 10,
        "the stream ran: {}",
        acknowledged.len()
    );

    // Every acknowledged invitation is there; every invitation's email goes out, once.
    let db = manageros_store::connect(&database.url, &Default::default())
        .await
        .unwrap();
    let stored: HashSet<String> = db
        .query_all_raw(Statement::from_string(
            manageros_store::sea_orm::DbBackend::Postgres,
            "SELECT email FROM invitations WHERE email LIKE 'invitee-%'".to_owned(),
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "email").unwrap())
        .collect();
    assert!(
        acknowledged.is_subset(&stored),
        "acknowledged but missing: {:?}",
        acknowledged.difference(&stored).collect::<Vec<_>>()
    );
    let until = Instant::now() + Duration::from_secs(60);
    while count(
        &db,
        "SELECT COUNT(*) AS n FROM outbox WHERE status <> 'sent'",
    )
    .await
        > 0
    {
        assert!(Instant::now() < until, "mail still pending after 60 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut per_recipient: HashMap<String, HashSet<String>> = HashMap::new();
    let mut messages = 0;
    for (to, subject, _, id) in delivered(&mail_dir) {
        if to.starts_with("invitee-") {
            assert!(subject.starts_with("Invitation to"), "{subject}");
            per_recipient.entry(to).or_default().insert(id);
            messages += 1;
        }
    }
    for email in &stored {
        let ids = per_recipient.get(email).map_or(0, HashSet::len);
        assert_eq!(ids, 1, "{email}: {ids} distinct emails");
    }
    assert_eq!(
        per_recipient.len(),
        stored.len(),
        "no email for a missing invitation"
    );
    eprintln!(
        "scale-out: {} invitations acknowledged, {} stored, {messages} invitation emails delivered",
        acknowledged.len(),
        stored.len()
    );
    // Exactly once at the SMTP server, unless the killed replica was between the server's
    // acceptance and its mark: then the copy carries the same Message-ID (counted above once).
    assert!(
        messages <= stored.len() + 1,
        "{messages} messages for {} invitations",
        stored.len()
    );

    // SIGTERM: a replica that is stopped hands back the mail it claimed and did not send.
    // Replica 2 stops first; replica 0, alone, gets 30 invitations and is stopped while it
    // holds claims (each of these emails takes the SMTP server 150 ms).
    terminate(&mut replicas[2]).await;
    let base = replicas[0].base.clone();
    for n in 0..30 {
        let (s, b) = call(
            &base,
            reqwest::Method::POST,
            "/api/organization/invitations",
            Some(&admin),
            Some(json!({"email": format!("leaver-{n}@scale.test")})),
            &next_address(),
        )
        .await
        .unwrap();
        assert_eq!(s, 201, "{b}");
    }
    let claimed = "SELECT id FROM outbox WHERE status = 'pending' AND claimed_by IS NOT NULL";
    let ids = |rows: Vec<manageros_store::sea_orm::QueryResult>| -> HashSet<String> {
        rows.iter()
            .map(|r| r.try_get::<String>("", "id").unwrap())
            .collect()
    };
    let until = Instant::now() + Duration::from_secs(30);
    let held = loop {
        let held = ids(db
            .query_all_raw(Statement::from_string(
                manageros_store::sea_orm::DbBackend::Postgres,
                claimed.to_owned(),
            ))
            .await
            .unwrap());
        if held.len() >= 5 {
            break held;
        }
        assert!(Instant::now() < until, "replica 0 never held claims");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    terminate(&mut replicas[0]).await;
    let still = ids(db
        .query_all_raw(Statement::from_string(
            manageros_store::sea_orm::DbBackend::Postgres,
            claimed.to_owned(),
        ))
        .await
        .unwrap());
    assert!(still.is_empty(), "claims left behind: {still:?}");
    let handed_back = count(
        &db,
        &format!(
            "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND claimed_by IS NULL \
             AND id IN ({})",
            held.iter()
                .map(|id| format!("'{id}'"))
                .collect::<Vec<_>>()
                .join(",")
        ),
    )
    .await;
    assert!(
        handed_back > 0,
        "of {} claimed emails, none was handed back",
        held.len()
    );
    // A replica started afterwards sends them at once (the lease would be 3 s), each once.
    let fresh = start(&database.url, &sink.url, &dir.path().join("outbox3")).await;
    ready(&fresh).await;
    let until = Instant::now() + Duration::from_secs(30);
    while count(
        &db,
        "SELECT COUNT(*) AS n FROM outbox WHERE status <> 'sent'",
    )
    .await
        > 0
    {
        assert!(Instant::now() < until, "handed-back mail still pending");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut leavers: HashMap<String, HashSet<String>> = HashMap::new();
    let mut leaver_messages = 0;
    for (to, _, _, id) in delivered(&mail_dir) {
        if to.starts_with("leaver-") {
            leavers.entry(to).or_default().insert(id);
            leaver_messages += 1;
        }
    }
    assert_eq!(leavers.len(), 30, "every leaver's invitation is mailed");
    // A stop that hands back leaves nothing half-sent: not one copy too many here.
    assert_eq!(leaver_messages, 30, "each handed-back email sent once");
    eprintln!(
        "scale-out: replica 0 held {} claims when stopped and handed back {handed_back}",
        held.len()
    );
    replicas.push(fresh);

    db.close().await.unwrap();
    for mut r in replicas {
        let _ = r.child.start_kill();
        let _ = r.child.wait().await;
    }
    database.drop().await;
}
