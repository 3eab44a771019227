//! Pages: what every page shares: security headers, form tokens, errors as pages, and the sign-up journey.

use super::*;
use manageros_test_macros::db_test;

#[db_test]
async fn pages_carry_security_headers_and_assets_are_cached(app: TestApp) {
    let mut b = Browser::new(&app);
    let p = b.get("/login").await;
    assert_eq!(p.status, 200);
    let csp = p.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(p.headers["x-frame-options"], "DENY");
    assert_eq!(p.headers["referrer-policy"], "same-origin");
    assert!(!p.html.contains("<script>"), "no inline script");
    let css = p.html.split("href=\"/assets/").nth(1).unwrap();
    let css = format!("/assets/{}", css.split('"').next().unwrap());
    let a = b.get(&css).await;
    assert_eq!(a.status, 200);
    assert!(
        a.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(
        b.get("/assets/app.css").await.status,
        404,
        "only hashed names"
    );
    // Signed out, a member's page leads to sign-in and back.
    let p = b.get("/oneonones?search=x").await;
    assert_eq!(p.status, 303);
    assert_eq!(
        p.location.as_deref(),
        Some("/login?next=%2Foneonones%3Fsearch%3Dx")
    );
}

#[db_test]
async fn a_forged_form_fails_and_changes_nothing(app: TestApp) {
    let mut b = Browser::new(&app);
    let token = csrf(&b.get("/signup").await.html);
    let form = [
        ("name", "Ada"),
        ("email", "ada@example.com"),
        ("password", PASSWORD),
    ];
    // No token, a wrong one, or another site's Origin: refused before anything is read.
    let p = b.post("/signup", &form).await;
    assert_eq!(p.status, 403);
    assert!(p.html.contains("was not sent from ManagerOS"));
    let mut wrong = form.to_vec();
    wrong.push(("csrf", "0123456789abcdef0123456789abcdef"));
    assert_eq!(b.post("/signup", &wrong).await.status, 403);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut with_token = form.to_vec();
    with_token.push(("csrf", &token));
    let r = client
        .post(app.url("/signup"))
        .header(header::COOKIE, b.cookie_header())
        .header(header::ORIGIN, "https://evil.example")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Nothing was created: the address is still free.
    app.post(
        "/api/auth/login",
        None,
        serde_json::json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await
    .assert_error(401, "Invalid email or password");
    // The real form works.
    let p = b.post("/signup", &with_token).await;
    assert_eq!(p.status, 303, "{}", p.html);
}

#[db_test]
async fn a_manager_signs_up_creates_an_organization_and_schedules_a_one_on_one(app: TestApp) {
    let mut b = Browser::new(&app);
    let t = csrf(&b.get("/signup").await.html);
    // A refused form keeps what was typed and names the field.
    let p = b
        .post(
            "/signup",
            &[
                ("csrf", &t),
                ("name", "Grace"),
                ("email", "not-an-email"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, 400);
    assert!(p.html.contains(r#"value="Grace""#));
    assert!(p.html.contains(r#"id="email-error""#));
    let p = b
        .post(
            "/signup",
            &[
                ("csrf", &t),
                ("name", "Grace"),
                ("email", "grace@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!((p.status, p.location.as_deref()), (303, Some("/")));
    assert_eq!(b.get("/").await.location.as_deref(), Some("/welcome"));
    let welcome = b.get("/welcome").await;
    assert!(welcome.html.contains("Welcome, Grace"), "the flash message");
    assert!(welcome.html.contains("Confirm your email address"));
    // She confirms her address from the mailed link: a page with a button.
    let link = app
        .emails_to("grace@example.com")
        .await
        .pop()
        .expect("a verification email")
        .link();
    let path = link.trim_start_matches(&app.base).to_owned();
    let page = b.get(&path).await;
    assert_eq!(page.status, 200);
    // The page says whose account it is and asks for its password (issue 24).
    assert!(page.html.contains("grace@example.com"), "{}", page.html);
    assert!(
        page.html.contains("<strong>Grace</strong>"),
        "{}",
        page.html
    );
    let token = path.split("token=").nth(1).unwrap().to_owned();
    let short = b
        .post(
            "/verify-email",
            &[
                ("csrf", &csrf(&page.html)),
                ("token", &token),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, 400);
    assert!(
        short.html.contains(r#"id="password-error""#),
        "{}",
        short.html
    );
    let done = b
        .post(
            "/verify-email",
            &[
                ("csrf", &csrf(&page.html)),
                ("token", &token),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!((done.status, done.location.as_deref()), (303, Some("/")));
    let welcome = b.get("/welcome").await;
    assert!(welcome.html.contains("Your address is confirmed."));
    assert!(!welcome.html.contains("Mail me a new link"));
    // A link used up says so instead of asking for a password.
    let spent = b.get(&path).await;
    assert_eq!(spent.status, 400);
    assert!(spent.html.contains("Invalid or expired verification token"));
    assert!(!spent.html.contains(r#"name="password""#));
    // "Put me on its org chart" is offered checked; she unchecks it (the box is left out).
    assert!(
        welcome
            .html
            .contains(r#"name="joinChart" value="true" checked"#),
        "{}",
        welcome.html
    );
    let t = csrf(&welcome.html);
    let p = b
        .post(
            "/organizations",
            &[("csrf", &t), ("name", "Acme"), ("slug", "acme")],
        )
        .await;
    assert_eq!(p.status, 303);
    // An admin not yet linked to a person is told how to get there, not refused.
    let start = b.get("/").await;
    assert_eq!(start.status, 200);
    assert!(start.html.contains("not linked to a person yet"));

    // Her colleague joins through the API, and she links herself and adds people as admin.
    let grace = {
        let r = app
            .post(
                "/api/auth/login",
                None,
                serde_json::json!({"email": "grace@example.com", "password": PASSWORD}),
            )
            .await;
        app.user(&r.body)
    };
    let me = grace
        .post(
            "/api/people",
            serde_json::json!({"name": "Grace", "email": "grace@example.com"}),
        )
        .await
        .id("person");
    grace
        .put("/api/me/person", serde_json::json!({"personId": me}))
        .await
        .assert_status(200);
    let bob = grace
        .post(
            "/api/people",
            serde_json::json!({"name": "Bob <script>", "email": "bob@example.com"}),
        )
        .await
        .id("person");

    let list = b.get("/oneonones").await;
    assert_eq!(list.status, 200);
    assert!(list.html.contains("You have no one-on-ones yet"));
    let form = b.get("/oneonones/new").await;
    assert!(
        form.html.contains("Bob &lt;script&gt;") || form.html.contains("Bob &#60;script&#62;"),
        "names are escaped"
    );
    let t = csrf(&form.html);
    let p = b
        .post(
            "/oneonones",
            &[
                ("csrf", &t),
                ("participant1Id", &me),
                ("participant2Id", &bob),
                ("scheduledAt", "2030-01-07T10:30"),
                ("tzOffset", "-60"),
                ("notes", "**Career** <script>alert(1)</script>"),
            ],
        )
        .await;
    // Scheduling lands on the new one-on-one's page, where its agenda is written.
    assert_eq!(p.status, 303);
    assert!(
        p.location
            .as_deref()
            .is_some_and(|l| l.starts_with("/oneonones/oneonone_")),
        "{:?}",
        p.location
    );
    let list = b.get("/oneonones").await;
    assert!(
        list.html.contains("2030-01-07T09:30:00.000Z"),
        "stored in UTC"
    );
    let id = list
        .html
        .split("href=\"/oneonones/oneonone_")
        .nth(1)
        .unwrap();
    let id = format!("oneonone_{}", &id[..26]);
    let detail = b.get(&format!("/oneonones/{id}")).await;
    assert_eq!(detail.status, 200);
    assert!(detail.html.contains("<strong>Career</strong>"));
    assert!(
        !detail.html.contains("<script>alert"),
        "script in notes never runs"
    );
    // The API sees the same one-on-one.
    let api = grace.get("/api/oneonones").await;
    assert_eq!(api.body["oneOnOnes"][0]["id"], id.as_str());

    // Another organization's one-on-one is the same 404 page as a missing one.
    let mut other = Browser::new(&app);
    let t = csrf(&other.get("/signup").await.html);
    other
        .post(
            "/signup",
            &[
                ("csrf", &t),
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let t = csrf(&other.get("/welcome").await.html);
    other
        .post(
            "/organizations",
            &[("csrf", &t), ("name", "Evil"), ("slug", "evil")],
        )
        .await;
    let theirs = other.get(&format!("/oneonones/{id}")).await;
    let missing = other
        .get("/oneonones/oneonone_00000000000000000000000000")
        .await;
    assert_eq!((theirs.status, missing.status), (404, 404));
    assert!(
        theirs
            .html
            .contains("One-on-one not found or you do not have access to it")
    );
    // Eve has no person: the list says why instead of breaking.
    let p = other.get("/oneonones").await;
    assert_eq!(p.status, 403);
    assert!(p.html.contains("No person record found for current user"));

    // Settings → Permissions: the 39 actions, the conditional ones marked; each says in words
    // what it lets one do, its id second.
    let perms = b.get("/settings/permissions").await;
    assert_eq!(
        perms.html.matches("<code class=\"muted small\">").count(),
        39
    );
    assert!(perms.html.contains("One-on-Ones"));
    assert!(
        perms
            .html
            .contains("talking points <code class=\"muted small\">oneonone.talking-points</code>"),
        "{}",
        perms.html
    );

    // Delete with the form; then it is gone.
    let t = csrf(&detail.html);
    let p = b
        .post(&format!("/oneonones/{id}/delete"), &[("csrf", &t)])
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(b.get(&format!("/oneonones/{id}")).await.status, 404);
    // Sign out revokes the session.
    let t = csrf(&b.get("/oneonones").await.html);
    assert_eq!(b.post("/logout", &[("csrf", &t)]).await.status, 303);
    assert_eq!(b.get("/oneonones").await.status, 303);
}

#[db_test]
async fn a_form_sent_after_the_session_ended_signs_in_back_to_its_page(app: TestApp) {
    let mut b = Browser::new(&app);
    let t = csrf(&b.get("/login").await.html);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let send = |referer: String| {
        client
            .post(app.url("/people/person_00000000000000000000000000/delete"))
            .header(header::COOKIE, b.cookie_header())
            .header(header::ORIGIN, &app.base)
            .header(header::REFERER, referer)
            .form(&[("csrf", t.as_str())])
            .send()
    };
    let r = send(app.url("/people/person_00000000000000000000000000"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()[header::LOCATION],
        "/login?next=%2Fpeople%2Fperson_00000000000000000000000000"
    );
    // Another site's page is never where sign-in leads.
    let r = send("https://evil.example/people".into()).await.unwrap();
    assert_eq!(r.headers()[header::LOCATION], "/login?next=%2F");
}

/// Issue 24, finding 7: a Markdown image `![x](/oneonones/{id})` in a task description made
/// an admin's browser fetch that one-on-one's page, which logged a view. A page fetched as
/// anything but a document (or the page's own htmx request) is refused before its handler
/// runs: nothing is read, nothing logged.
#[db_test]
async fn a_page_fetched_as_an_image_is_refused_and_logs_nothing(app: TestApp) {
    let org = app.org("acme").await;
    let (jane, jane_p) = app.linked_member(&org, "Jane", "jane@acme.test").await;
    let (_, john_p) = app.linked_member(&org, "John", "john@acme.test").await;
    let id = jane
        .post(
            "/api/oneonones",
            serde_json::json!({"participant1Id": jane_p, "participant2Id": john_p, "scheduledAt": "2030-01-07T10:00:00Z"}),
        )
        .await
        .id("oneOnOne");
    let app = &app;
    let fetch = |dest: &'static str| {
        let rb = app
            .request(Method::GET, &format!("/oneonones/{id}"))
            .header(
                header::COOKIE,
                format!("manageros_session={}", org.admin.token),
            )
            .header("sec-fetch-dest", dest);
        async move { app.send(rb).await.status }
    };
    let log = || async {
        jane.get(&format!("/api/oneonones/{id}/access")).await.body["log"]
            .as_array()
            .unwrap()
            .len()
    };
    for dest in ["image", "iframe", "script", "style", "object"] {
        assert_eq!(fetch(dest).await, 403, "{dest}");
    }
    assert_eq!(log().await, 0, "nothing was read");
    // Opened as a page, it is shown and logged once.
    assert_eq!(fetch("document").await, 200);
    assert_eq!(log().await, 1);
    // The assets are still images and styles.
    let css = app
        .send(
            app.request(Method::GET, "/assets/missing.css")
                .header("sec-fetch-dest", "style"),
        )
        .await;
    assert_ne!(css.status, 403);
}

/// Issue 24, finding 13: the form token was SHA-256 of the session's stored hash, with no
/// key: whoever read the sessions table could forge every form. It is now an HMAC under a key
/// kept in the database, so a replica on the same database issues and accepts the same token.
#[db_test]
async fn the_form_token_is_keyed_and_the_same_on_every_replica(app: TestApp) {
    use sha2::{Digest, Sha256};
    let org = app.org("acme").await;
    let mut b = Browser::signed_in(&app, &org.admin);
    let page = b.get("/account").await;
    assert_eq!(page.status, 200);
    let token = csrf(&page.html);
    let stored = manageros_server::session::hash_token(&org.admin.token);
    let unkeyed = data_encoding::HEXLOWER
        .encode(&Sha256::digest(format!("csrf:{stored}").as_bytes()))[..32]
        .to_owned();
    assert_ne!(token, unkeyed);
    // A form sent with the unkeyed token is refused and changes nothing.
    let forged = b.post("/logout", &[("csrf", &unkeyed)]).await;
    assert_eq!(forged.status, 403);
    org.admin.get("/api/me").await.assert_status(200);
    // Another replica issues and accepts the same token.
    let replica = app.replica().await;
    let mut other = Browser::signed_in(&replica, &org.admin);
    assert_eq!(csrf(&other.get("/account").await.html), token);
    let out = other.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(out.status, 303);
    org.admin
        .get("/api/me")
        .await
        .assert_error(401, "Unauthorized");
}

/// Issue 24, finding 9: some errors a browser met outside `/api` were JSON or plain text (an
/// unknown page, a repeated query parameter, a path segment that is no UTF-8, a rate-limited
/// `/login`). Every one is now a page with the navigation; `/api` keeps the envelope.
#[db_test]
async fn a_browser_always_gets_a_page_and_the_api_the_envelope(app: TestApp) {
    let org = app.org("acme").await;
    let mut b = Browser::signed_in(&app, &org.admin);
    for (path, status) in [
        ("/login?next=a&next=b", 400),
        ("/tasks/%FF", 400),
        ("/no-such-page", 404),
        ("/oneonones/not-an-id/nope", 404),
    ] {
        let p = b.get(path).await;
        assert_eq!(p.status, status, "{path}");
        assert!(
            p.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}: {:?}",
            p.headers["content-type"]
        );
        assert!(
            p.html.contains(r#"href="/organization""#),
            "{path}: the caller's navigation\n{}",
            p.html
        );
        assert!(!p.html.contains("Failed to deserialize"), "{}", p.html);
    }
    let r = app.get("/api/no-such", None).await;
    r.assert_error(404, "Not found");
    let r = app.get("/api/tasks/%FF", Some(&org.admin.token)).await;
    assert!(r.body["error"].is_string(), "the envelope: {}", r.body);
}

#[db_test(Options { auth_rate_limit: 2, ..Default::default() })]
async fn a_rate_limited_sign_in_page_is_a_page(app: TestApp) {
    let mut b = Browser::new(&app);
    assert_eq!(b.get("/login").await.status, 200);
    assert_eq!(b.get("/login").await.status, 200);
    let p = b.get("/login").await;
    assert_eq!(p.status, 429);
    assert!(
        p.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(p.headers.contains_key("retry-after"));
    assert!(
        p.html.contains("Too many requests, please try again later"),
        "{}",
        p.html
    );
}

/// Issue 28, "First contact": `/` tells a stranger what ManagerOS is and leads to sign-up and
/// sign-in; the sign-up form of an invitation's link has the invited address filled in and
/// fixed, and names the organization; a dead link's sign-up form is the ordinary one.
#[db_test]
async fn a_stranger_is_told_what_it_is_and_an_invitee_signs_up_with_the_invited_address(
    app: TestApp,
) {
    let mut b = Browser::new(&app);
    let p = b.get("/").await;
    assert_eq!(p.status, 200);
    assert!(p.html.contains("One-on-ones, and the work between them"));
    assert!(p.html.contains("href=\"/signup\"") && p.html.contains("href=\"/login\""));

    let acme = app.org("acme").await;
    app.invite(&acme, "ivy@example.com", None).await;
    let token = app
        .emails_to("ivy@example.com")
        .await
        .pop()
        .unwrap()
        .link_token();
    let next = format!("/invitations/accept?token={token}");
    let form = b
        .get(&format!(
            "/signup?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(form.status, 200);
    assert!(
        form.html.contains("value=\"ivy@example.com\" readonly"),
        "{}",
        form.html
    );
    assert!(form.html.contains("name=\"invitationToken\""));
    assert!(
        form.html
            .contains("You were invited to <strong>Org acme</strong>")
    );
    let dead = b
        .get("/signup?next=%2Finvitations%2Faccept%3Ftoken%3Dnope")
        .await;
    assert!(!dead.html.contains("readonly") && !dead.html.contains("invitationToken"));
}
