//! Accounts and sessions (docs/API.md §2).

use crate::harness::*;
use manageros_core::time::{DAY_MS, HOUR_MS};
use manageros_test_macros::db_test;
use serde_json::json;

#[db_test]
async fn signup_creates_a_signed_in_account(app: TestApp) {
    let r = app
        .post(
            "/api/auth/signup",
            None,
            json!({"name": "  Ada Lovelace ", "email": "  Ada@Example.COM ", "password": PASSWORD}),
        )
        .await;
    r.assert_status(201);
    let user = &r.body["user"];
    assert!(user["id"].as_str().unwrap().starts_with("user_"));
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(
        user["email"], "ada@example.com",
        "emails are stored trimmed and lowercased"
    );
    assert_eq!(user["role"], "USER");
    assert_eq!(user["organizationId"], serde_json::Value::Null);
    assert_eq!(user["personId"], serde_json::Value::Null);
    assert!(user["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(r.body["wasInvited"], false);
    assert_eq!(r.body["organization"], serde_json::Value::Null);
    assert!(r.body.get("passwordHash").is_none() && user.get("passwordHash").is_none());

    let cookie = r.header("set-cookie").expect("session cookie");
    assert!(cookie.starts_with("manageros_session="));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http: no Secure attribute"
    );

    let token = r.body["token"].as_str().unwrap();
    let me = app.get("/api/me", Some(token)).await;
    me.assert_status(200);
    assert_eq!(me.body["user"]["email"], "ada@example.com");
    assert_eq!(me.body["organization"], serde_json::Value::Null);
    assert_eq!(me.body["person"], serde_json::Value::Null);
}

#[db_test]
async fn signup_validates_every_field(app: TestApp) {
    let cases = [
        (
            json!({"name": "", "email": "a@example.com", "password": PASSWORD}),
            "name",
            "Name is required",
        ),
        (
            json!({"name": "   ", "email": "a@example.com", "password": PASSWORD}),
            "name",
            "Name is required",
        ),
        (
            json!({"name": "x".repeat(101), "email": "a@example.com", "password": PASSWORD}),
            "name",
            "Name must be at most 100 characters",
        ),
        (
            json!({"name": "Ada", "email": "not-an-email", "password": PASSWORD}),
            "email",
            "Invalid email address",
        ),
        (
            json!({"name": "Ada", "email": "", "password": PASSWORD}),
            "email",
            "Email is required",
        ),
        (
            json!({"name": "Ada", "email": "a@example.com", "password": "1234567"}),
            "password",
            "Password must be at least 8 characters",
        ),
        (
            json!({"name": "Ada", "email": "a@example.com", "password": "x".repeat(129)}),
            "password",
            "Password must be at most 128 characters",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD}),
            "name",
            "Name is required",
        ),
    ];
    for (body, field, message) in cases {
        let r = app.post("/api/auth/signup", None, body.clone()).await;
        r.assert_field_error(field);
        assert_eq!(r.body["fields"][field], message, "for {body}");
        assert_eq!(r.body["error"], message);
    }
    // Boundaries that are fine.
    app.post(
        "/api/auth/signup",
        None,
        json!({"name": "x".repeat(100), "email": "b@example.com", "password": "x".repeat(128)}),
    )
    .await
    .assert_status(201);
    app.post(
        "/api/auth/signup",
        None,
        json!({"name": "B", "email": "c@example.com", "password": "12345678"}),
    )
    .await
    .assert_status(201);
    // All failures of one request are reported together.
    let r = app
        .post(
            "/api/auth/signup",
            None,
            json!({"name": "", "email": "x", "password": "1"}),
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.body["fields"].as_object().unwrap().len(), 3);
    // Nothing was created by the failed attempts.
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "a@example.com", "password": PASSWORD}),
    )
    .await
    .assert_error(401, "Invalid email or password");
}

#[db_test]
async fn duplicate_email_in_any_letter_case_is_409(app: TestApp) {
    app.signup("Ada", "ada@example.com").await;
    for email in ["ada@example.com", "ADA@EXAMPLE.COM", " Ada@Example.com "] {
        app.post(
            "/api/auth/signup",
            None,
            json!({"name": "Other", "email": email, "password": PASSWORD}),
        )
        .await
        .assert_error(409, "Email already exists");
    }
}

#[db_test]
async fn concurrent_signups_with_one_email_create_one_account(app: TestApp) {
    let attempt = || {
        app.post(
            "/api/auth/signup",
            None,
            json!({"name": "Twin", "email": "twin@example.com", "password": PASSWORD}),
        )
    };
    let (a, b) = tokio::join!(attempt(), attempt());
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", a.body, b.body);
}

#[db_test]
async fn login_succeeds_with_the_right_password_in_any_email_case(app: TestApp) {
    let ada = app.signup("Ada", "ada@example.com").await;
    let r = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "ADA@example.com", "password": PASSWORD}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["user"]["id"], ada.id.as_str());
    let token = r.body["token"].as_str().unwrap();
    assert_ne!(token, ada.token, "each sign-in is a new session");
    assert!(
        r.header("set-cookie")
            .unwrap()
            .starts_with("manageros_session=")
    );
    app.get("/api/me", Some(token)).await.assert_status(200);
}

#[db_test]
async fn wrong_password_and_unknown_email_fail_alike(app: TestApp) {
    app.signup("Ada", "ada@example.com").await;
    let wrong = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "ada@example.com", "password": "wrong password"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "nobody@example.com", "password": PASSWORD}),
        )
        .await;
    let garbage = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "not an email", "password": ""}),
        )
        .await;
    let missing = app.post("/api/auth/login", None, json!({})).await;
    for r in [&wrong, &unknown, &garbage, &missing] {
        r.assert_error(401, "Invalid email or password");
        assert!(r.header("set-cookie").is_none());
    }
    assert_eq!(wrong.body, unknown.body);
}

#[db_test]
async fn logout_revokes_only_that_session(app: TestApp) {
    let ada = app.signup("Ada", "ada@example.com").await;
    let second = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    let second = second.body["token"].as_str().unwrap().to_owned();

    let r = ada.post("/api/auth/logout", json!({})).await;
    r.assert_status(204);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    ada.get("/api/me").await.assert_error(401, "Unauthorized");
    ada.post("/api/auth/logout", json!({}))
        .await
        .assert_error(401, "Unauthorized");
    app.get("/api/me", Some(&second)).await.assert_status(200);
}

#[db_test]
async fn missing_garbage_and_expired_tokens_are_401(app: TestApp) {
    app.get("/api/me", None)
        .await
        .assert_error(401, "Unauthorized");
    app.get("/api/me", Some("garbage"))
        .await
        .assert_error(401, "Unauthorized");
    let r = app
        .send(
            app.request(reqwest::Method::GET, "/api/me")
                .header("authorization", "Basic YWRhOnB3"),
        )
        .await;
    r.assert_error(401, "Unauthorized");
    assert_eq!(r.body["code"], "unauthorized");

    let ada = app.signup("Ada", "ada@example.com").await;
    app.clock.advance_millis(29 * DAY_MS);
    ada.get("/api/me").await.assert_status(200);
    app.clock.advance_millis(DAY_MS + 1);
    ada.get("/api/me").await.assert_error(401, "Unauthorized");
}

#[db_test]
async fn the_session_cookie_authenticates_and_guards_writes(app: TestApp) {
    let ada = app.signup("Ada", "ada@example.com").await;
    let cookie = format!("manageros_session={}", ada.token);
    let r = app
        .send(
            app.request(reqwest::Method::GET, "/api/me")
                .header("cookie", &cookie),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["user"]["id"], ada.id.as_str());

    // A cookie-authenticated write without our Origin is refused (CSRF)…
    let post = |origin: Option<&str>| {
        let mut rb = app
            .request(reqwest::Method::POST, "/api/auth/logout")
            .header("cookie", &cookie);
        if let Some(o) = origin {
            rb = rb.header("origin", o);
        }
        rb
    };
    app.send(post(None)).await.assert_status(403);
    app.send(post(Some("https://evil.example")))
        .await
        .assert_status(403);
    ada.get("/api/me").await.assert_status(200);
    // …and accepted from our own origin.
    let own = app.base.clone();
    app.send(post(Some(&own))).await.assert_status(204);
    ada.get("/api/me").await.assert_error(401, "Unauthorized");
}

#[db_test(Options { public_url: Some("https://manageros.example.com".into()), ..Default::default() })]
async fn cookies_are_secure_behind_https(app: TestApp) {
    let r = app
        .post(
            "/api/auth/signup",
            None,
            json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert!(r.header("set-cookie").unwrap().contains("; Secure"));
}

#[db_test]
async fn password_reset_end_to_end(app: TestApp) {
    let ada = app.signup("Ada", "ada@example.com").await;
    let r = app
        .post(
            "/api/auth/forgot-password",
            None,
            json!({"email": "ADA@example.com"}),
        )
        .await;
    r.assert_status(202);

    let mails = resets_to(&app, "ada@example.com").await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(
        mail.body
            .contains(&format!("{}/reset-password?token=", app.base)),
        "{}",
        mail.body
    );
    let token = mail.link_token();
    assert_eq!(token.len(), 43);

    let new_password = "a brand new password";
    app.post(
        "/api/auth/reset-password",
        None,
        json!({"token": token, "password": "short"}),
    )
    .await
    .assert_field_error("password");
    app.post(
        "/api/auth/reset-password",
        None,
        json!({"token": token, "password": new_password}),
    )
    .await
    .assert_status(204);

    // Every session of the user was revoked.
    ada.get("/api/me").await.assert_error(401, "Unauthorized");
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await
    .assert_error(401, "Invalid email or password");
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "ada@example.com", "password": new_password}),
    )
    .await
    .assert_status(200);
    // A token works once.
    app.post(
        "/api/auth/reset-password",
        None,
        json!({"token": token, "password": "yet another one"}),
    )
    .await
    .assert_error(400, "Invalid or expired reset token");
}

#[db_test]
async fn reset_tokens_expire_after_an_hour(app: TestApp) {
    app.signup("Ada", "ada@example.com").await;
    app.post(
        "/api/auth/forgot-password",
        None,
        json!({"email": "ada@example.com"}),
    )
    .await
    .assert_status(202);
    let token = app.emails_to("ada@example.com").await[0].link_token();
    app.clock.advance_millis(HOUR_MS + 1);
    app.post(
        "/api/auth/reset-password",
        None,
        json!({"token": token, "password": "a brand new password"}),
    )
    .await
    .assert_error(400, "Invalid or expired reset token");
    app.post(
        "/api/auth/reset-password",
        None,
        json!({"token": "made-up", "password": "a brand new password"}),
    )
    .await
    .assert_error(400, "Invalid or expired reset token");
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await
    .assert_status(200);
}

#[db_test]
async fn forgot_password_does_not_reveal_accounts(app: TestApp) {
    app.signup("Ada", "ada@example.com").await;
    let known = app
        .post(
            "/api/auth/forgot-password",
            None,
            json!({"email": "ada@example.com"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/auth/forgot-password",
            None,
            json!({"email": "nobody@example.com"}),
        )
        .await;
    known.assert_status(202);
    unknown.assert_status(202);
    assert_eq!(known.body, unknown.body);
    assert_eq!(app.emails_to("nobody@example.com").await.len(), 0);
    assert_eq!(resets_to(&app, "ada@example.com").await.len(), 1);
    app.post(
        "/api/auth/forgot-password",
        None,
        json!({"email": "not an email"}),
    )
    .await
    .assert_field_error("email");
}

#[db_test(Options { auth_rate_limit: 3, ..Default::default() })]
async fn auth_endpoints_are_rate_limited_per_address(app: TestApp) {
    for _ in 0..3 {
        app.post(
            "/api/auth/login",
            None,
            json!({"email": "a@example.com", "password": "whatever1"}),
        )
        .await
        .assert_status(401);
    }
    let r = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "a@example.com", "password": "whatever1"}),
        )
        .await;
    r.assert_error(429, "Too many requests, please try again later");
    assert_eq!(r.body["code"], "rate_limited");
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // The whole of /api/auth/* shares the budget…
    app.post(
        "/api/auth/signup",
        None,
        json!({"name": "A", "email": "a@example.com", "password": PASSWORD}),
    )
    .await
    .assert_status(429);
    // …and the rest of the API is not limited.
    app.get("/healthz", None).await.assert_status(200);
    app.get("/api/me", None).await.assert_status(401);
}

/// A failed sign-in from `forwarded_for` (sent as `X-Forwarded-For`), answered with this status.
async fn sign_in_from(app: &TestApp, forwarded_for: &str) -> u16 {
    let r = app
        .send(
            app.request(reqwest::Method::POST, "/api/auth/login")
                .header("x-forwarded-for", forwarded_for)
                .json(&json!({"email": "a@example.com", "password": "whatever1"})),
        )
        .await;
    r.status
}

/// The address the sessions list shows for a sign-in that came with `forwarded_for`.
async fn session_address_from(app: &TestApp, forwarded_for: &str) -> String {
    let r = app
        .send(
            app.request(reqwest::Method::POST, "/api/auth/login")
                .header("x-forwarded-for", forwarded_for)
                .json(&json!({"email": "ada@example.com", "password": PASSWORD})),
        )
        .await;
    r.assert_status(200);
    let me = app.user(&r.body);
    me.get("/api/me/sessions").await.body["sessions"][0]["address"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[db_test(Options { auth_rate_limit: 3, trust_proxy: "127.0.0.1/32", ..Default::default() })]
async fn behind_a_trusted_proxy_the_forwarded_client_is_counted_and_shown(app: TestApp) {
    app.signup_unverified("Ada", "ada@example.com").await;
    // The proxy (our peer, 127.0.0.1) appends the client it saw; what the client wrote
    // before that is not believed.
    for _ in 0..3 {
        assert_eq!(sign_in_from(&app, "198.51.100.20, 203.0.113.1").await, 401);
    }
    assert_eq!(
        sign_in_from(&app, "203.0.113.1").await,
        429,
        "one client's budget"
    );
    assert_eq!(
        sign_in_from(&app, "203.0.113.1, 203.0.113.2").await,
        401,
        "another client behind the same proxy has its own"
    );
    assert_eq!(
        session_address_from(&app, "203.0.113.7").await,
        "203.0.113.7"
    );
}

#[db_test(Options { auth_rate_limit: 3, ..Default::default() })]
async fn from_a_peer_that_is_not_a_trusted_proxy_forwarded_addresses_are_ignored(app: TestApp) {
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        assert_eq!(sign_in_from(&app, client).await, 401);
    }
    assert_eq!(
        sign_in_from(&app, "203.0.113.4").await,
        429,
        "one peer, one budget, whatever it forwards"
    );
    // In the next minute, another server shows the address it records for a session.
    app.clock.advance_millis(60_000);
    let replica = app.replica().await;
    replica.signup_unverified("Ada", "ada@example.com").await;
    assert_eq!(
        session_address_from(&replica, "203.0.113.7").await,
        "127.0.0.1"
    );
}

#[db_test(Options { auth_rate_limit: 3, ..Default::default() })]
async fn replicas_count_a_client_against_one_limit(app: TestApp) {
    let replica = app.replica().await;
    async fn sign_in(server: &TestApp) -> Res {
        server
            .post(
                "/api/auth/login",
                None,
                json!({"email": "a@example.com", "password": "whatever1"}),
            )
            .await
    }
    sign_in(&app).await.assert_status(401);
    sign_in(&replica).await.assert_status(401);
    sign_in(&app).await.assert_status(401);
    // The fourth request of the minute is refused by either server.
    let r = sign_in(&replica).await;
    r.assert_error(429, "Too many requests, please try again later");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    sign_in(&app).await.assert_status(429);
    // A new minute, a new budget.
    app.clock.advance_millis(60_000);
    sign_in(&replica).await.assert_status(401);
}

#[db_test(Options { sign_in_limit: 3, trust_proxy: "127.0.0.1/32", ..Default::default() })]
async fn an_account_cannot_be_guessed_from_many_addresses(app: TestApp) {
    app.signup_unverified("Ada", "ada@example.com").await;
    app.signup_unverified("Bea", "bea@example.com").await;
    let sign_in = |from: &'static str, email: &'static str, password: &'static str| {
        app.send(
            app.request(reqwest::Method::POST, "/api/auth/login")
                .header("x-forwarded-for", from)
                .json(&json!({"email": email, "password": password})),
        )
    };
    // Three wrong passwords, each from another address (the address limit is off here).
    for from in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        sign_in(from, "ada@example.com", "wrong-password")
            .await
            .assert_status(401);
    }
    // Then the account refuses even the right password, from anywhere, for a while…
    let r = sign_in("198.51.100.9", "ADA@example.com", PASSWORD).await;
    r.assert_error(429, "Too many requests, please try again later");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // …an unknown address is counted the same way (the refusal tells nothing)…
    for _ in 0..3 {
        sign_in("203.0.113.1", "nobody@example.com", "wrong-password")
            .await
            .assert_status(401);
    }
    sign_in("203.0.113.1", "nobody@example.com", "x")
        .await
        .assert_status(429);
    // …other accounts behind the same addresses are not locked out…
    sign_in("203.0.113.1", "bea@example.com", PASSWORD)
        .await
        .assert_status(200);
    // …and the next quarter of an hour, the right password works again.
    app.clock.advance_millis(15 * 60_000);
    sign_in("203.0.113.1", "ada@example.com", PASSWORD)
        .await
        .assert_status(200);
}

/// The password reset emails to `to` (sign-up also mailed a verification link).
async fn resets_to(app: &TestApp, to: &str) -> Vec<Email> {
    app.emails_to(to)
        .await
        .into_iter()
        .filter(|m| m.subject == "Reset your ManagerOS password")
        .collect()
}

/// Issue 24: the lockout was keyed on the string typed (`" VICTIM@X "` had ten fresh attempts)
/// and counted after the password check (40 concurrent wrong passwords were all checked).
#[db_test(Options { sign_in_limit: 10, ..Default::default() })]
async fn the_sign_in_lockout_counts_the_account_however_it_is_typed_and_under_concurrency(
    app: TestApp,
) {
    app.signup_unverified("Vic", "victim@example.com").await;
    let sign_in = |email: &'static str, password: &'static str| {
        app.send(
            app.request(reqwest::Method::POST, "/api/auth/login")
                .json(&json!({"email": email, "password": password})),
        )
    };
    for _ in 0..10 {
        sign_in("victim@example.com", "wrong-password")
            .await
            .assert_status(401);
    }
    for variant in [
        " VICTIM@EXAMPLE.COM ",
        "Victim@Example.com",
        "victim@example.com",
    ] {
        sign_in(variant, PASSWORD)
            .await
            .assert_error(429, "Too many requests, please try again later");
    }

    // The next window: 40 wrong passwords at once check at most ten passwords.
    app.clock.advance_millis(15 * 60_000);
    let all =
        futures_util::future::join_all((0..40).map(|_| sign_in("VICTIM@example.com", "nope")))
            .await;
    let checked = all.iter().filter(|r| r.status == 401).count();
    let refused = all.iter().filter(|r| r.status == 429).count();
    assert_eq!((checked, refused), (10, 30));
    sign_in("victim@example.com", PASSWORD)
        .await
        .assert_status(429);

    // A success gives its attempt back: nine failures and a success leave one more try.
    app.clock.advance_millis(15 * 60_000);
    for _ in 0..9 {
        sign_in("victim@example.com", "wrong-password")
            .await
            .assert_status(401);
    }
    sign_in(" victim@example.com", PASSWORD)
        .await
        .assert_status(200);
    sign_in("victim@example.com", "wrong-password")
        .await
        .assert_status(401);
    sign_in("victim@example.com", PASSWORD)
        .await
        .assert_status(429);
}

/// Issue 24: a secret calendar feed kept working after a password reset, which is what
/// someone whose account was taken over does.
#[db_test]
async fn a_password_reset_revokes_the_calendar_feed(app: TestApp) {
    let org = app.org("acme").await;
    let (mel, _) = app.linked_member(&org, "Mel", "mel@acme.test").await;
    let path = app.calendar_feed(&mel).await;
    app.get(&path, None).await.assert_status(200);
    app.post(
        "/api/auth/forgot-password",
        None,
        json!({"email": "mel@acme.test"}),
    )
    .await
    .assert_status(202);
    let token = resets_to(&app, "mel@acme.test").await[0].link_token();
    app.post(
        "/api/auth/reset-password",
        None,
        json!({"token": token, "password": "a brand new password"}),
    )
    .await
    .assert_status(204);
    app.get(&path, None)
        .await
        .assert_error(404, "Calendar feed not found");
}

/// Issue 24, finding 8: "sign out everywhere else" ends every other session and the calendar
/// feed, which a lost laptop may hold too.
#[db_test]
async fn signing_out_everywhere_else_ends_the_other_sessions_and_the_calendar_feed(app: TestApp) {
    let org = app.org("acme").await;
    let (mel, _) = app.linked_member(&org, "Mel", "mel@acme.test").await;
    let laptop = app.login("mel@acme.test").await;
    let path = app.calendar_feed(&laptop).await;
    app.get(&path, None).await.assert_status(200);
    let r = mel.delete("/api/me/sessions").await;
    r.assert_status(200);
    assert_eq!(r.body["ended"], 1);
    laptop
        .get("/api/me")
        .await
        .assert_error(401, "Unauthorized");
    mel.get("/api/me").await.assert_status(200);
    app.get(&path, None)
        .await
        .assert_error(404, "Calendar feed not found");
    // Another user's sessions are untouched.
    org.admin.get("/api/me").await.assert_status(200);
    app.delete("/api/me/sessions", None)
        .await
        .assert_status(401);
}
