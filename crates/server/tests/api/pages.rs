//! The web pages, through HTTP as a browser sends it (form posts with the session cookie):
//! every page answers with its security headers, a form without this session's token (or
//! from another origin) fails and changes nothing, and a member signs up, creates an
//! organization and schedules a one-on-one that both participants then see.

use crate::harness::*;
use manageros_test_macros::db_test;
use reqwest::{Method, header};

/// A browser: keeps the cookies it is given, sends our Origin on posts, follows no redirect.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: Vec<(String, String)>,
}

struct Page {
    status: u16,
    location: Option<String>,
    headers: reqwest::header::HeaderMap,
    html: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: vec![],
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut rb = client
            .request(method, self.app.url(path))
            .header(header::COOKIE, self.cookie_header());
        if let Some(f) = form {
            rb = rb.header(header::ORIGIN, &self.app.base).form(f);
        }
        let r = rb.send().await.unwrap();
        for v in r.headers().get_all(header::SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_owned();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        Page {
            status: r.status().as_u16(),
            location: r
                .headers()
                .get(header::LOCATION)
                .map(|v| v.to_str().unwrap().to_owned()),
            headers: r.headers().clone(),
            html: r.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, Some(form)).await
    }
}

/// The form token a page carries.
fn csrf(html: &str) -> String {
    let at = html.find(r#"name="csrf" value=""#).expect("a form token") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

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
    assert_eq!((p.status, p.location.as_deref()), (303, Some("/oneonones")));
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

    // Settings → Permissions: the 37 actions, the conditional ones marked.
    let perms = b.get("/settings/permissions").await;
    assert_eq!(perms.html.matches("<code>").count(), 37);
    assert!(perms.html.contains("One-on-Ones"));

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

impl<'a> Browser<'a> {
    /// A browser signed in as `user` (the session cookie the API handed out).
    fn signed_in(app: &'a TestApp, user: &TestUser) -> Self {
        Self {
            app,
            cookies: vec![("manageros_session".into(), user.token.clone())],
        }
    }
}

/// The message of an error page.
fn alert(html: &str) -> String {
    let at = html
        .find(r#"class="alert" role="alert">"#)
        .expect("an alert")
        + 27;
    html[at..].split('<').next().unwrap().to_owned()
}

/// Two organizations with a person, a team and a one-on-one each; Ann administers the
/// first, where Max is a plain member; Eve administers the second.
struct TwoOrgs {
    ann: TestUser,
    max: TestUser,
    eve: TestUser,
    /// The second organization's person, team, one-on-one and invitation.
    theirs: [String; 4],
    /// The first organization's person and team.
    ours: [String; 2],
}

async fn two_orgs(app: &TestApp) -> TwoOrgs {
    let mut seeded = vec![];
    let mut admins = vec![];
    for (name, slug) in [("Ann", "acme"), ("Eve", "evil")] {
        let admin = app
            .signup(name, &format!("{}@{slug}.test", name.to_lowercase()))
            .await;
        admin
            .post(
                "/api/organizations",
                serde_json::json!({"name": slug, "slug": slug}),
            )
            .await
            .assert_status(201);
        let team = admin
            .post("/api/teams", serde_json::json!({"name": "Core"}))
            .await
            .id("team");
        let me = admin
            .post(
                "/api/people",
                serde_json::json!({"name": name, "email": admin.email, "teamId": team}),
            )
            .await
            .id("person");
        admin
            .put("/api/me/person", serde_json::json!({"personId": me}))
            .await
            .assert_status(200);
        let other = admin
            .post(
                "/api/people",
                serde_json::json!({"name": "Bo", "managerId": me}),
            )
            .await
            .id("person");
        let o = admin
            .post(
                "/api/oneonones",
                serde_json::json!({"participant1Id": me, "participant2Id": other,
                    "scheduledAt": "2031-01-01T10:00:00Z"}),
            )
            .await
            .id("oneOnOne");
        let inv = admin
            .post(
                "/api/organization/invitations",
                serde_json::json!({"email": format!("new@{slug}.test")}),
            )
            .await
            .id("invitation");
        seeded.push([other, team, o, inv]);
        admins.push(admin);
    }
    let max = app.signup("Max", "max@acme.test").await;
    admins[0]
        .post(
            "/api/organization/invitations",
            serde_json::json!({"email": "max@acme.test"}),
        )
        .await
        .assert_status(201);
    let inv = max.get("/api/invitations").await.body["invitations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    max.post(
        &format!("/api/invitations/{inv}/accept"),
        serde_json::json!({}),
    )
    .await
    .assert_status(200);
    let eve = admins.pop().unwrap();
    let ann = admins.pop().unwrap();
    let theirs = seeded.pop().unwrap();
    let [p, t, _, _] = seeded.pop().unwrap();
    TwoOrgs {
        ann,
        max,
        eve,
        theirs,
        ours: [p, t],
    }
}

#[db_test]
async fn another_organizations_entity_is_the_same_404_page_as_a_missing_one(app: TestApp) {
    let o = two_orgs(&app).await;
    let [person, team, oneonone, invitation] = &o.theirs;
    let mut ann = Browser::signed_in(&app, &o.ann);
    let missing_person = "person_00000000000000000000000000";
    let missing_team = "team_00000000000000000000000000";
    let missing_o = "oneonone_00000000000000000000000000";
    for (theirs, missing) in [
        (
            format!("/people/{person}"),
            format!("/people/{missing_person}"),
        ),
        (
            format!("/people/{person}/edit"),
            format!("/people/{missing_person}/edit"),
        ),
        (format!("/teams/{team}"), format!("/teams/{missing_team}")),
        (
            format!("/teams/{team}/edit"),
            format!("/teams/{missing_team}/edit"),
        ),
        (
            format!("/oneonones/{oneonone}"),
            format!("/oneonones/{missing_o}"),
        ),
        (
            format!("/oneonones/{oneonone}/edit"),
            format!("/oneonones/{missing_o}/edit"),
        ),
        (format!("/people/{person}"), "/people/not-an-id".to_owned()),
    ] {
        let (a, b) = (ann.get(&theirs).await, ann.get(&missing).await);
        assert_eq!((a.status, b.status), (404, 404), "{theirs} / {missing}");
        assert_eq!(alert(&a.html), alert(&b.html), "{theirs}");
        assert!(
            a.html.contains("Organization"),
            "the error page keeps the navigation"
        );
    }
    // Every write on their ids is refused the same way, and changes nothing.
    let t = csrf(&ann.get("/organization").await.html);
    for (path, form) in [
        (
            format!("/people/{person}"),
            vec![("name", "Hacked"), ("status", "active")],
        ),
        (format!("/people/{person}/delete"), vec![]),
        (format!("/teams/{team}"), vec![("name", "Hacked")]),
        (format!("/teams/{team}/delete"), vec![]),
        (
            format!("/oneonones/{oneonone}"),
            vec![
                ("participant1Id", &o.ours[0]),
                ("participant2Id", &o.ours[0]),
                ("scheduledAt", "2031-02-01T10:00"),
            ],
        ),
        (format!("/oneonones/{oneonone}/delete"), vec![]),
        (
            format!("/organization/invitations/{invitation}/revoke"),
            vec![],
        ),
        (format!("/organization/members/{}/remove", o.eve.id), vec![]),
        (
            format!("/organization/members/{}/role", o.eve.id),
            vec![("role", "USER")],
        ),
    ] {
        let mut f = form.clone();
        f.push(("csrf", &t));
        let p = ann.post(&path, &f).await;
        assert_eq!(p.status, 404, "{path}: {}", p.html);
    }
    let eve = &o.eve;
    assert_eq!(
        eve.get(&format!("/api/people/{person}")).await.body["person"]["name"],
        "Bo"
    );
    assert_eq!(
        eve.get(&format!("/api/teams/{team}")).await.body["team"]["name"],
        "Core"
    );
    eve.get(&format!("/api/oneonones/{oneonone}"))
        .await
        .assert_status(200);
    let invs = eve.get("/api/organization/invitations").await;
    assert_eq!(invs.body["invitations"][0]["status"], "pending");
    assert_eq!(eve.get("/api/me").await.body["user"]["role"], "ADMIN");
}

#[db_test]
async fn admin_pages_refuse_a_member_with_the_reason(app: TestApp) {
    let o = two_orgs(&app).await;
    let [person, team] = &o.ours;
    let mut max = Browser::signed_in(&app, &o.max);
    let home = max.get("/people").await;
    assert_eq!(home.status, 200);
    assert!(
        !home.html.contains(r#"href="/organization""#),
        "no admin link"
    );
    assert!(!home.html.contains("Add a person"));
    for (path, reason) in [
        (
            "/organization",
            "Only organization admins can view organization members",
        ),
        ("/people/new", "Only organization admins can create people"),
        ("/teams/new", "Only organization admins can create teams"),
        (
            &format!("/people/{person}/edit") as &str,
            "Only organization admins can update people",
        ),
        (
            &format!("/teams/{team}/edit"),
            "Only organization admins can update teams",
        ),
    ] {
        let p = max.get(path).await;
        assert_eq!(p.status, 403, "{path}");
        assert_eq!(alert(&p.html), reason, "{path}");
    }
    // A member reads people and teams.
    assert_eq!(max.get(&format!("/people/{person}")).await.status, 200);
    assert_eq!(max.get(&format!("/teams/{team}")).await.status, 200);
    assert_eq!(max.get("/people/chart").await.status, 200);
    // And cannot write them, whatever they send.
    let t = csrf(&max.get("/people").await.html);
    for (path, form) in [
        ("/people".to_owned(), vec![("name", "Mallory")]),
        (format!("/people/{person}"), vec![("name", "Hacked")]),
        (format!("/people/{person}/delete"), vec![]),
        ("/teams".to_owned(), vec![("name", "Mallory")]),
        (
            "/organization/invitations".to_owned(),
            vec![("email", "x@y.test")],
        ),
        (
            format!("/organization/members/{}/role", o.ann.id),
            vec![("role", "USER")],
        ),
    ] {
        let mut f = form.clone();
        f.push(("csrf", &t));
        let p = max.post(&path, &f).await;
        assert_eq!(p.status, 403, "{path}: {}", p.html);
        assert!(
            alert(&p.html).starts_with("Only organization admins"),
            "{path}"
        );
    }
    let people = o.ann.get("/api/people").await;
    assert_eq!(
        people.body["pagination"]["totalCount"], 2,
        "nothing created"
    );
    assert_eq!(o.ann.get("/api/me").await.body["user"]["role"], "ADMIN");
}

/// The id a redirect to an entity's page names.
fn id_in(location: Option<&str>, prefix: &str) -> String {
    location
        .and_then(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("a redirect to {prefix}…, not {location:?}"))
        .to_owned()
}

#[db_test]
async fn an_admin_keeps_the_org_chart_and_the_teams_in_the_browser(app: TestApp) {
    let o = two_orgs(&app).await;
    let [bo, core] = &o.ours;
    let mut ann = Browser::signed_in(&app, &o.ann);
    // The organization page links a member to a person of the org chart.
    let org_page = ann.get("/organization").await;
    assert!(org_page.html.contains("Link the member"));
    let t = csrf(&org_page.html);
    let p = ann
        .post(
            "/organization/links",
            &[("csrf", &t), ("userId", &o.max.id), ("personId", bo)],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/organization"), "{}", p.html);
    assert_eq!(o.max.get("/api/me").await.body["person"]["id"], bo.as_str());
    // Linking Bo again is refused with the service's message, on the page.
    let p = ann
        .post(
            "/organization/links",
            &[("csrf", &t), ("userId", &o.ann.id), ("personId", bo)],
        )
        .await;
    assert_eq!(p.status, 409);
    assert!(
        p.html.contains("Person is already linked to a user"),
        "{}",
        p.html
    );
    let p = ann
        .post(
            &format!("/organization/members/{}/unlink", o.max.id),
            &[("csrf", &t)],
        )
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(
        o.max.get("/api/me").await.body["person"],
        serde_json::Value::Null
    );
    let t = csrf(&ann.get("/people/new").await.html);
    // A refused form keeps what was typed and names the field.
    let p = ann
        .post(
            "/people",
            &[
                ("csrf", &t),
                ("name", "Cy"),
                ("email", "nope"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(p.status, 400);
    assert!(p.html.contains(r#"id="email-error""#) && p.html.contains(r#"value="Cy""#));
    let p = ann
        .post(
            "/people",
            &[
                ("csrf", &t),
                ("name", "Cy"),
                ("email", "cy@acme.test"),
                ("status", "on_leave"),
                ("teamId", core),
                ("managerId", bo),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.html);
    let cy = id_in(p.location.as_deref(), "/people/");
    let page = ann.get(&format!("/people/{cy}")).await;
    assert!(page.html.contains("Cy added."), "the flash");
    assert!(
        page.html
            .contains(&format!(r#"<a href="/people/{bo}">Bo</a>"#))
    );
    assert!(
        page.html
            .contains(&format!(r#"<a href="/teams/{core}">Core</a>"#))
    );
    assert!(page.html.contains("On leave"));
    // The directory filters by manager and status, as the API does.
    let dir = ann
        .get(&format!("/people?managerId={bo}&status=on_leave"))
        .await;
    assert!(dir.html.contains(">Cy</a>") && !dir.html.contains(">Ann</a>"));
    let bad = ann.get("/people?status=asleep").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.html
            .contains("Status must be one of: active, inactive, on_leave")
    );
    // Bo under Cy would close a loop: refused next to the field.
    let p = ann
        .post(
            &format!("/people/{bo}"),
            &[
                ("csrf", &t),
                ("name", "Bo"),
                ("status", "active"),
                ("managerId", &cy),
            ],
        )
        .await;
    assert_eq!(p.status, 400);
    assert!(p.html.contains(r#"id="manager-error""#));
    assert!(
        p.html
            .contains("This change would create a reporting cycle")
    );
    // Bo has a report: not deleted, and told why on his page.
    let p = ann
        .post(&format!("/people/{bo}/delete"), &[("csrf", &t)])
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/people/{bo}").as_str())
    );
    let page = ann.get(&format!("/people/{bo}")).await;
    assert!(
        page.html
            .contains("Cannot delete person with direct reports")
    );
    let p = ann
        .post(&format!("/people/{cy}/delete"), &[("csrf", &t)])
        .await;
    assert_eq!(p.location.as_deref(), Some("/people"));
    o.ann
        .get(&format!("/api/people/{cy}"))
        .await
        .assert_status(404);

    // Teams: a child team appears under its parent; a team with members is kept.
    let p = ann
        .post(
            "/teams",
            &[("csrf", &t), ("name", "Platform"), ("parentId", core)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.html);
    let platform = id_in(p.location.as_deref(), "/teams/");
    let tree = ann.get("/teams").await.html;
    let (at_core, at_platform) = (
        tree.find(">Core<").unwrap(),
        tree.find(">Platform<").unwrap(),
    );
    assert!(at_core < at_platform && tree.contains(r#"class="depth-1""#));
    let core_page = ann.get(&format!("/teams/{core}")).await;
    assert!(
        core_page
            .html
            .contains(&format!(r#"<a href="/teams/{platform}">Platform</a>"#))
    );
    assert!(core_page.html.contains(">Ann</a>"), "its members");
    let p = ann
        .post(&format!("/teams/{platform}"), &[("csrf", &t), ("name", "")])
        .await;
    assert_eq!(p.status, 400);
    assert!(p.html.contains(r#"id="name-error""#));
    let p = ann
        .post(&format!("/teams/{core}/delete"), &[("csrf", &t)])
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/teams/{core}").as_str())
    );
    assert!(
        ann.get(&format!("/teams/{core}"))
            .await
            .html
            .contains("Cannot delete")
    );
    let p = ann
        .post(&format!("/teams/{platform}/delete"), &[("csrf", &t)])
        .await;
    assert_eq!(p.location.as_deref(), Some("/teams"));
}

#[db_test]
async fn the_org_chart_of_a_thousand_people_opens_the_way_to_whom_it_finds(app: TestApp) {
    use manageros_core::{OrgId, PersonId, PersonStatus};
    use manageros_store::repo::persons::{self, PersonFields};
    let o = two_orgs(&app).await;
    let org = OrgId::parse(
        o.ann.get("/api/me").await.body["organization"]["id"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    // A thousand people, five reports each: a tree six levels deep.
    let txn = manageros_store::begin_write(&app.state.db).await.unwrap();
    let mut ids: Vec<PersonId> = vec![];
    for i in 0..1000 {
        let fields = PersonFields {
            name: format!("Person {i:04}"),
            email: None,
            role: Some("Engineer".into()),
            status: PersonStatus::Active,
            team_id: None,
            manager_id: (i > 0).then(|| ids[(i - 1) / 5].clone()),
        };
        ids.push(
            persons::insert(
                &txn,
                &org,
                &fields,
                manageros_core::Timestamp::from_millis(0),
            )
            .await
            .unwrap(),
        );
    }
    txn.commit().await.unwrap();
    let mut ann = Browser::signed_in(&app, &o.ann);
    let chart = ann.get("/people/chart").await;
    assert_eq!(chart.status, 200);
    assert!(
        chart.html.contains("1002 people"),
        "the two of the seed too"
    );
    // Two levels open: Ann (over Bo), Person 0000 and its five reports.
    assert_eq!(chart.html.matches("<details open>").count(), 2 + 5);
    // Person 0999 reports through 0199, 0039, 0007, 0001 to 0000: those open, only.
    let found = ann.get("/people/chart?q=person+0999").await.html;
    assert!(found.contains("1 person found, marked below:"));
    assert_eq!(found.matches(r#"class="hit""#).count(), 1);
    assert_eq!(found.matches("<details open>").count(), 5);
    let hit = &found[found.find(r#"class="hit""#).unwrap()..];
    assert!(hit.contains(&format!(r#"href="/people/{}""#, ids[999])));
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

#[db_test]
async fn the_agenda_forms_write_for_participants_and_refuse_everyone_else(app: TestApp) {
    let o = two_orgs(&app).await;
    let [person, _, oneonone, _] = &o.theirs;
    // Eve takes part: her form adds a point and comes back to the agenda; a blank one is
    // the page again with the message next to the field.
    let mut eve = Browser::signed_in(&app, &o.eve);
    let page = eve.get(&format!("/oneonones/{oneonone}")).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("New talking point"));
    assert!(page.html.contains("My private notes"));
    let t = csrf(&page.html);
    let added = eve
        .post(
            &format!("/oneonones/{oneonone}/points"),
            &[("csrf", &t), ("text", "Hiring plan <script>x</script>")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.html);
    let shown = eve.get(&format!("/oneonones/{oneonone}")).await;
    assert!(shown.html.contains("Hiring plan"));
    assert!(!shown.html.contains("<script>x"), "user text is escaped");
    let blank = eve
        .post(
            &format!("/oneonones/{oneonone}/points"),
            &[("csrf", &t), ("text", "  ")],
        )
        .await;
    assert_eq!(blank.status, 400);
    assert!(blank.html.contains("Text is required"));
    let point = o
        .eve
        .get(&format!("/api/oneonones/{oneonone}/talking-points"))
        .await
        .body["talkingPoints"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A second point, moved up: the order is the page's too.
    eve.post(
        &format!("/oneonones/{oneonone}/points"),
        &[("csrf", &t), ("text", "Budget")],
    )
    .await;
    let second = o
        .eve
        .get(&format!("/api/oneonones/{oneonone}/talking-points"))
        .await
        .body["talkingPoints"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = eve
        .post(
            &format!("/oneonones/{oneonone}/points/{second}/move"),
            &[("csrf", &t), ("dir", "up")],
        )
        .await;
    assert_eq!(moved.status, 303);
    let order = o
        .eve
        .get(&format!("/api/oneonones/{oneonone}/talking-points"))
        .await;
    assert_eq!(order.body["talkingPoints"][0]["text"], "Budget");
    // Moving the first up changes nothing.
    eve.post(
        &format!("/oneonones/{oneonone}/points/{second}/move"),
        &[("csrf", &t), ("dir", "up")],
    )
    .await;
    let order = o
        .eve
        .get(&format!("/api/oneonones/{oneonone}/talking-points"))
        .await;
    assert_eq!(order.body["talkingPoints"][0]["text"], "Budget");
    eve.post(
        &format!("/oneonones/{oneonone}/points/{second}/delete"),
        &[("csrf", &t)],
    )
    .await;

    // Ann, an admin of another organization, gets the 404 page for every form and file.
    let mut ann = Browser::signed_in(&app, &o.ann);
    let t = csrf(&ann.get("/organization").await.html);
    for (path, form) in [
        (
            format!("/oneonones/{oneonone}/points"),
            vec![("text", "Mine now")],
        ),
        (
            format!("/oneonones/{oneonone}/points/{point}"),
            vec![("text", "Changed")],
        ),
        (
            format!("/oneonones/{oneonone}/points/{point}/done"),
            vec![("done", "true")],
        ),
        (
            format!("/oneonones/{oneonone}/points/{point}/move"),
            vec![("dir", "up")],
        ),
        (
            format!("/oneonones/{oneonone}/points/{point}/delete"),
            vec![],
        ),
        (format!("/oneonones/{oneonone}/points/{point}/task"), vec![]),
        (
            format!("/oneonones/{oneonone}/private-notes"),
            vec![("notes", "x")],
        ),
        (
            format!("/oneonones/with/{person}/cadence"),
            vec![("cadence", "weekly")],
        ),
    ] {
        let mut f = form.clone();
        f.push(("csrf", &t));
        let p = ann.post(&path, &f).await;
        assert_eq!(p.status, 404, "{path}: {}", p.html);
    }
    for path in [
        format!("/oneonones/{oneonone}/event.ics"),
        format!("/oneonones/with/{person}"),
    ] {
        assert_eq!(ann.get(&path).await.status, 404, "{path}");
    }
    // Nothing changed.
    let agenda = o
        .eve
        .get(&format!("/api/oneonones/{oneonone}/talking-points"))
        .await;
    let points = agenda.body["talkingPoints"].as_array().unwrap();
    assert_eq!(points.len(), 1);
    assert_eq!(points[0]["done"], false);
    assert!(
        points[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Hiring plan")
    );
}

#[db_test]
async fn my_account_makes_shows_once_and_revokes_a_calendar_feed(app: TestApp) {
    let o = two_orgs(&app).await;
    let mut eve = Browser::signed_in(&app, &o.eve);
    let page = eve.get("/account").await;
    assert!(page.html.contains("You have no feed."));
    let t = csrf(&page.html);
    let made = eve.post("/account/calendar-feed", &[("csrf", &t)]).await;
    assert_eq!(made.status, 200);
    assert!(made.html.contains("shown only now"));
    let at = made
        .html
        .find("/calendar/")
        .expect("the feed URL on the page");
    let path: String = made.html[at..].split('"').next().unwrap().to_owned();
    assert!(path.ends_with(".ics"), "{path}");
    // The URL is the credential: no session needed, and it shows Eve's one-on-one.
    let feed = app.get(&path, None).await;
    feed.assert_status(200);
    assert!(feed.body.as_str().unwrap().contains(&o.theirs[2]));
    // Shown once: the account page now says there is a feed, not its URL.
    let again = eve.get("/account").await;
    assert!(again.html.contains("You have a feed"));
    assert!(!again.html.contains(&path));
    let revoked = eve
        .post("/account/calendar-feed/revoke", &[("csrf", &t)])
        .await;
    assert_eq!(revoked.status, 303);
    app.get(&path, None)
        .await
        .assert_error(404, "Calendar feed not found");
}

#[db_test]
async fn a_handoff_is_decided_from_its_card_on_the_one_on_ones_page(app: TestApp) {
    let org = app.org("acme").await;
    let (old, old_p) = app.linked_member(&org, "Olga Old", "olga@acme.test").await;
    let (rep, rep_p) = app.linked_member(&org, "Rui Report", "rui@acme.test").await;
    let (_, new_p) = app.linked_member(&org, "Nina New", "nina@acme.test").await;
    let manager = |m: &str| serde_json::json!({"managerId": m});
    org.admin
        .patch(&format!("/api/people/{rep_p}"), manager(&old_p))
        .await
        .assert_status(200);
    let at = |days: i64| {
        manageros_core::Timestamp::from_millis(app.clock_now() + days * 86_400_000).to_rfc3339()
    };
    let past = old
        .post(
            "/api/oneonones",
            serde_json::json!({"participant1Id": old_p, "participant2Id": rep_p, "scheduledAt": at(-7)}),
        )
        .await
        .id("oneOnOne");
    let mut ids = vec![];
    for text in ["Carry me", "Not this one"] {
        ids.push(
            rep.post(
                &format!("/api/oneonones/{past}/talking-points"),
                serde_json::json!({"text": text}),
            )
            .await
            .id("talkingPoint"),
        );
    }
    org.admin
        .patch(&format!("/api/people/{rep_p}"), manager(&new_p))
        .await
        .assert_status(200);
    let next = rep
        .post(
            "/api/oneonones",
            serde_json::json!({"participant1Id": new_p, "participant2Id": rep_p, "scheduledAt": at(3)}),
        )
        .await
        .id("oneOnOne");

    let mut b = Browser::signed_in(&app, &rep);
    let page = b.get("/oneonones").await;
    assert!(
        page.html.contains("Rui Report now reports to Nina New"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Carry me") && page.html.contains("Not this one"));
    let handoff = rep.get("/api/handoffs").await.body["handoffs"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = csrf(&page.html);
    // Another organization's admin: the 404 page, and nothing decided.
    let other = app.org("globex").await;
    let mut eve = Browser::signed_in(&app, &other.admin);
    let et = csrf(&eve.get("/organization").await.html);
    let refused = eve
        .post(
            &format!("/handoffs/{handoff}"),
            &[("csrf", &et), ("pointIds", &ids[0])],
        )
        .await;
    assert_eq!(refused.status, 404);
    // Rui unchecks one: exactly the checked one moves.
    let done = b
        .post(
            &format!("/handoffs/{handoff}"),
            &[("csrf", &t), ("pointIds", &ids[0])],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let agenda = rep
        .get(&format!("/api/oneonones/{next}/talking-points"))
        .await;
    let moved: Vec<&str> = agenda.body["talkingPoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(moved, ["Carry me"]);
    assert!(!b.get("/oneonones").await.html.contains("now reports to"));
    // Sent again (a second tab): the page says it was decided.
    let again = b
        .post(
            &format!("/handoffs/{handoff}"),
            &[("csrf", &t), ("pointIds", &ids[1]), ("nothing", "1")],
        )
        .await;
    assert_eq!(again.status, 409);
    assert!(again.html.contains("This handoff was already decided"));
}

#[db_test]
async fn my_account_says_who_invited_me_and_lets_me_leave(app: TestApp) {
    let acme = app.org("acme").await;
    let sam = app.member(&acme, "Sam", "sam@example.com").await;
    let mut browser = Browser::signed_in(&app, &sam);
    let page = browser.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(
        page.html
            .contains("Admin of acme <span class=\"muted\">(admin@acme.test)</span>"),
        "who invited me is on my account page"
    );
    assert!(page.html.contains("Leave the organization"));
    let t = csrf(&page.html);
    let left = browser.post("/account/leave", &[("csrf", &t)]).await;
    assert_eq!(left.status, 303);
    assert_eq!(left.location.as_deref(), Some("/welcome"));
    assert_eq!(
        app.me(&sam).await["user"]["organizationId"],
        serde_json::Value::Null
    );

    // The last admin is told why not, on the page, and stays.
    let mut admin = Browser::signed_in(&app, &acme.admin);
    let page = admin.get("/account").await;
    let t = csrf(&page.html);
    let refused = admin.post("/account/leave", &[("csrf", &t)]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.html.contains("last admin"), "{}", refused.html);
    assert_eq!(app.me(&acme.admin).await["organization"]["slug"], "acme");
}

#[db_test]
async fn my_account_lists_where_i_am_signed_in_and_signs_any_of_it_out(app: TestApp) {
    let ada = app.signup("Ada", "ada@example.com").await;
    let other = app.login("ada@example.com").await;
    let bea = app.signup("Bea", "bea@example.com").await;
    let mut b = Browser::signed_in(&app, &ada);
    let page = b.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Where you are signed in"));
    assert!(page.html.contains("this device"));
    assert_eq!(
        page.html.matches("/revoke\"").count(),
        2,
        "one form a session"
    );
    let other_id = other.get("/api/me/sessions").await.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bea_id = bea.get("/api/me/sessions").await.body["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = csrf(&page.html);

    // Someone else's session is not found, and keeps working.
    let refused = b
        .post(
            &format!("/account/sessions/{bea_id}/revoke"),
            &[("csrf", &t)],
        )
        .await;
    assert_eq!(refused.status, 404);
    assert!(refused.html.contains("Session not found"));
    bea.get("/api/me").await.assert_status(200);
    // Without the form token, nothing happens.
    let forged = b
        .post(
            &format!("/account/sessions/{other_id}/revoke"),
            &[("csrf", "x")],
        )
        .await;
    assert_eq!(forged.status, 403);
    other.get("/api/me").await.assert_status(200);

    let done = b
        .post(
            &format!("/account/sessions/{other_id}/revoke"),
            &[("csrf", &t)],
        )
        .await;
    assert_eq!(done.status, 303);
    other.get("/api/me").await.assert_error(401, "Unauthorized");
    // "Sign out everywhere else" (issue 24) ends every other session and keeps this one.
    let third = app.login(&ada.email).await;
    let everywhere = b
        .post("/account/sessions/sign-out-elsewhere", &[("csrf", &t)])
        .await;
    assert_eq!(
        (everywhere.status, everywhere.location.as_deref()),
        (303, Some("/account#sessions-h"))
    );
    third.get("/api/me").await.assert_error(401, "Unauthorized");
    let account = b.get("/account").await;
    assert!(
        account
            .html
            .contains("Signed out everywhere else (1 session)"),
        "{}",
        account.html
    );
    // Signing out this device leads to the sign-in page, and the cookie no longer works.
    let mine = ada.get("/api/me/sessions").await.body["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = b
        .post(&format!("/account/sessions/{mine}/revoke"), &[("csrf", &t)])
        .await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location.as_deref(), Some("/login"));
    ada.get("/api/me").await.assert_error(401, "Unauthorized");
}

#[db_test]
async fn the_audit_log_page_is_for_admins_and_shows_their_organization_only(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let mel = app.member(&acme, "Mel", "mel@example.com").await;
    app.invite(&globex, "gil@globex.test", None).await;

    let mut member = Browser::signed_in(&app, &mel);
    let refused = member.get("/organization/audit").await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        alert(&refused.html),
        "Only organization admins can view the audit log"
    );

    let mut admin = Browser::signed_in(&app, &acme.admin);
    let page = admin.get("/organization/audit").await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Invitation sent to mel@example.com"));
    assert!(
        page.html.contains("<strong>Permission refused</strong>"),
        "the member's refused look is there"
    );
    assert!(
        !page.html.contains("gil@globex.test"),
        "another organization's"
    );
    let filtered = admin.get("/organization/audit?kind=invitation_sent").await;
    assert!(filtered.html.contains("Invitation sent to mel@example.com"));
    assert!(
        !filtered
            .html
            .contains("<strong>Permission refused</strong>")
    );
    let bad = admin.get("/organization/audit?kind=bogus").await;
    assert_eq!(bad.status, 400);
    assert!(bad.html.contains("kind must be one of"));
}

/// Issue 12, finding 6: the emailed link says who invites whom, and to what, before anything
/// is accepted; a link that no longer holds an open invitation says so.
#[db_test]
async fn the_invitation_link_shows_who_invited_me_before_i_accept(app: TestApp) {
    let acme = app.org("acme").await;
    app.invite(&acme, "ray@example.com", None).await;
    let mail = app.emails_to("ray@example.com").await.pop().unwrap();
    let link = mail.link();
    let path = &link[link.find("/invitations/accept").unwrap()..];
    let mut b = Browser::new(&app);
    let page = b.get(path).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html.contains("<strong>Admin of acme</strong>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("(admin@acme.test)"));
    assert!(page.html.contains("invited you (ray@example.com)"));
    assert!(page.html.contains("“Org acme”"));

    let gone = b.get("/invitations/accept?token=not-a-token").await;
    assert_eq!(gone.status, 404);
    assert!(
        gone.html
            .contains("This invitation link is no longer valid")
    );
    assert!(!gone.html.contains("Create an account"));
}

#[db_test]
async fn tasks_are_listed_moved_on_the_board_and_edited_by_whom_the_rule_allows(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@acme.test").await;
    let (kim, _) = app.linked_member(&acme, "Kim", "kim@acme.test").await;
    let other = app.org("other").await;
    let theirs = other
        .admin
        .post("/api/tasks", serde_json::json!({"title": "Their task"}))
        .await
        .id("task");

    // Pat creates a task for Sam through the form.
    let mut pb = Browser::signed_in(&app, &pat);
    let form = pb.get("/tasks/new").await;
    assert_eq!(form.status, 200);
    assert!(form.html.contains("Sam"), "people to assign");
    let t = csrf(&form.html);
    let bad = pb
        .post(
            "/tasks",
            &[
                ("csrf", &t),
                ("title", "  "),
                ("priority", "3"),
                ("status", "todo"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.html.contains("Title is required"));
    let made = pb
        .post(
            "/tasks",
            &[
                ("csrf", &t),
                ("title", "Write the <RFC>"),
                ("priority", "2"),
                ("status", "todo"),
                ("assigneeId", &sam_person),
                ("dueDate", "2030-03-01"),
            ],
        )
        .await;
    assert_eq!(made.status, 303);
    let page_path = made.location.unwrap();
    let id = page_path.trim_start_matches("/tasks/").to_owned();
    let page = pb.get(&page_path).await;
    let escaped = "Write the &#60;RFC&#62;";
    assert!(page.html.contains(escaped), "escaped");
    assert!(!page.html.contains("<RFC>"));
    assert!(page.html.contains("1 Mar 2030"));
    assert!(page.html.contains(&format!("/tasks/{id}/edit")));

    // The list filters by assignee and status; the board shows it under "To do".
    let list = pb
        .get(&format!("/tasks?assigneeId={sam_person}&status=todo"))
        .await;
    assert!(list.html.contains(escaped));
    let none = pb.get(&format!("/tasks?assigneeId={pat_person}")).await;
    assert!(none.html.contains("No task matches these filters"));
    assert_eq!(pb.get("/tasks?due=someday").await.status, 400);
    let board = pb.get("/tasks/board?due=someday").await;
    assert_eq!(board.status, 400);
    assert!(board.html.contains("due must be one of: overdue, week"));

    // Sam, the assignee, moves it to done from the board with one click.
    let mut sb = Browser::signed_in(&app, &sam);
    let board = sb.get("/tasks/board").await;
    assert_eq!(board.status, 200);
    assert!(
        board
            .html
            .contains(&format!("action=\"/tasks/{id}/status\""))
    );
    let st = csrf(&board.html);
    let moved = sb
        .post(
            &format!("/tasks/{id}/status"),
            &[("csrf", &st), ("status", "done"), ("back", "/tasks/board")],
        )
        .await;
    assert_eq!(moved.status, 303);
    assert_eq!(moved.location.as_deref(), Some("/tasks/board"));
    // A status that does not exist is said where the click was, and changes nothing.
    let odd = sb
        .post(
            &format!("/tasks/{id}/status"),
            &[
                ("csrf", &st),
                ("status", "finished"),
                ("back", "/tasks/board"),
            ],
        )
        .await;
    assert_eq!(odd.status, 303);
    assert!(
        sb.get("/tasks/board")
            .await
            .html
            .contains("Status must be one of")
    );
    let t = pat.get(&format!("/api/tasks/{id}")).await;
    assert_eq!(t.body["task"]["status"], "done");

    // Kim is neither creator nor assignee: the page says why, and a move changes nothing.
    let mut kb = Browser::signed_in(&app, &kim);
    let page = kb.get(&format!("/tasks/{id}")).await;
    assert!(
        page.html
            .contains("Only the creator or the assignee can edit this task")
    );
    assert!(!page.html.contains(&format!("/tasks/{id}/edit")));
    let kt = csrf(&page.html);
    let refused = kb
        .post(
            &format!("/tasks/{id}/status"),
            &[
                ("csrf", &kt),
                ("status", "todo"),
                ("back", &format!("/tasks/{id}")),
            ],
        )
        .await;
    assert_eq!(refused.status, 303);
    let shown = kb.get(&format!("/tasks/{id}")).await;
    assert!(
        shown
            .html
            .contains("Only the creator or the assignee can edit this task")
    );
    assert_eq!(kb.get(&format!("/tasks/{id}/edit")).await.status, 403);
    assert_eq!(
        pat.get(&format!("/api/tasks/{id}")).await.body["task"]["status"],
        "done"
    );
    // A forged form changes nothing either.
    let forged = sb
        .post(
            &format!("/tasks/{id}/status"),
            &[("csrf", "x"), ("status", "todo")],
        )
        .await;
    assert_eq!(forged.status, 403);

    // Another organization's task is the same 404 page as a missing one, for an admin too.
    let mut ab = Browser::signed_in(&app, &acme.admin);
    for path in [format!("/tasks/{theirs}"), format!("/tasks/{theirs}/edit")] {
        let p = ab.get(&path).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(p.html.contains("Task not found or access denied"));
    }
    let at = csrf(&ab.get("/tasks").await.html);
    assert_eq!(
        ab.post(&format!("/tasks/{theirs}/delete"), &[("csrf", &at)])
            .await
            .status,
        404
    );
    other
        .admin
        .get(&format!("/api/tasks/{theirs}"))
        .await
        .assert_status(200);

    // The creator edits and deletes it.
    let et = csrf(&pb.get(&format!("/tasks/{id}/edit")).await.html);
    let saved = pb
        .post(
            &format!("/tasks/{id}"),
            &[
                ("csrf", &et),
                ("title", "Write the RFC"),
                ("priority", "1"),
                ("status", "doing"),
                ("assigneeId", ""),
                ("dueDate", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let t = pat.get(&format!("/api/tasks/{id}")).await;
    assert_eq!(t.body["task"]["assigneeId"], serde_json::Value::Null);
    assert_eq!(t.body["task"]["priority"], 1);
    let gone = pb
        .post(&format!("/tasks/{id}/delete"), &[("csrf", &et)])
        .await;
    assert_eq!(gone.status, 303);
    pat.get(&format!("/api/tasks/{id}"))
        .await
        .assert_status(404);
}

#[db_test]
async fn names_on_the_pages_follow_every_change_made_through_another_replica(app: TestApp) {
    use serde_json::json;
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let sam = app.person(&acme, "Sam Lowe", None).await;
    let other = app.org("other").await;
    app.person(&other, "Zed Outsider", None).await;
    pat.post("/api/tasks", json!({"title": "Ship it", "assigneeId": sam}))
        .await
        .assert_status(201);
    let launch = pat
        .post(
            "/api/initiatives",
            json!({"title": "Launch", "ownerIds": [pat_person]}),
        )
        .await
        .id("initiative");

    // A second server on the same database reads the names once and keeps them.
    let replica = app.replica().await;
    let mut b = Browser::signed_in(&replica, &pat);
    let tasks = b.get("/tasks").await.html;
    assert!(tasks.contains("Sam Lowe") && tasks.contains("Launch"));
    assert!(
        !tasks.contains("Zed Outsider"),
        "another organization's people"
    );

    // Changes made through the first server show on the replica's very next page.
    acme.admin
        .patch(&format!("/api/people/{sam}"), json!({"name": "Robin Lowe"}))
        .await
        .assert_status(200);
    acme.admin
        .patch(
            &format!("/api/initiatives/{launch}"),
            json!({"title": "Liftoff"}),
        )
        .await
        .assert_status(200);
    let team = acme
        .admin
        .post("/api/teams", json!({"name": "Platform crew"}))
        .await
        .id("team");
    let tasks = b.get("/tasks").await.html;
    assert!(tasks.contains("Robin Lowe"), "the row and the filter");
    assert!(!tasks.contains("Sam Lowe"));
    assert!(tasks.contains("Liftoff") && !tasks.contains("Launch"));
    let initiatives = b.get("/initiatives").await.html;
    assert!(
        initiatives.contains("Platform crew"),
        "the new team to filter by"
    );
    acme.admin
        .delete(&format!("/api/teams/{team}"))
        .await
        .assert_status(204);
    let fresh = app.person(&acme, "Noor New", None).await;
    let initiatives = b.get("/initiatives").await.html;
    assert!(!initiatives.contains("Platform crew"), "a deleted team");
    assert!(
        initiatives.contains("Noor New"),
        "a new person to filter by"
    );
    acme.admin
        .delete(&format!("/api/people/{fresh}"))
        .await
        .assert_status(204);
    assert!(!b.get("/tasks").await.html.contains("Noor New"));
    drop(b);
    drop(replica);
}

#[db_test]
async fn the_home_page_shows_my_next_one_on_ones_my_open_tasks_and_for_admins_invitations(
    app: TestApp,
) {
    let acme = app.org("acme").await;
    let admin_person = app.link_admin(&acme, "Ada").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    app.invite(&acme, "newcomer@acme.test", None).await;
    let soon = app.clock_date(3);
    let past = app.clock_date(-3);
    for at in [&soon, &past] {
        acme.admin
            .post(
                "/api/oneonones",
                serde_json::json!({"participant1Id": admin_person, "participant2Id": pat_person,
                    "scheduledAt": format!("{at}T10:00:00Z")}),
            )
            .await
            .assert_status(201);
    }
    for (title, status) in [("Open one", "todo"), ("Finished one", "done")] {
        acme.admin
            .post(
                "/api/tasks",
                serde_json::json!({"title": title, "status": status, "assigneeId": pat_person,
                    "dueDate": past}),
            )
            .await
            .assert_status(201);
    }
    // Someone else's task in another organization never shows.
    let other = app.org("other").await;
    other
        .admin
        .post("/api/tasks", serde_json::json!({"title": "Elsewhere"}))
        .await
        .assert_status(201);

    pat.post(
        "/api/meetings",
        serde_json::json!({"title": "Planning", "scheduledAt": format!("{soon}T15:00:00Z")}),
    )
    .await
    .assert_status(201);
    pat.post(
        "/api/meetings",
        serde_json::json!({"title": "Next month", "scheduledAt": format!("{}T15:00:00Z", app.clock_date(30))}),
    )
    .await
    .assert_status(201);
    let ray = app.person(&acme, "Ray", None).await;
    pat.post(
        "/api/feedback-campaigns",
        serde_json::json!({"name": "Ray's review", "targetPersonId": ray, "status": "active",
            "startDate": app.clock_date(0), "endDate": app.clock_date(7),
            "inviteEmails": ["x@outside.test"]}),
    )
    .await
    .assert_status(201);

    let mut pb = Browser::signed_in(&app, &pat);
    let home = pb.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.html.contains("Your next one-on-ones"));
    assert!(home.html.contains("Planning") && !home.html.contains("Next month"));
    assert!(home.html.contains("Ray&#39;s review") && home.html.contains("0 of 1 answered"));
    assert!(home.html.contains(&format!("{soon}T10:00")), "the next one");
    assert!(
        !home.html.contains(&format!("{past}T10:00")),
        "not the past one"
    );
    assert!(home.html.contains("Open one") && home.html.contains("Overdue"));
    assert!(!home.html.contains("Finished one") && !home.html.contains("Elsewhere"));
    assert!(
        !home.html.contains("newcomer@acme.test"),
        "invitations are for admins"
    );
    let mut ab = Browser::signed_in(&app, &acme.admin);
    let home = ab.get("/").await;
    assert!(home.html.contains("Invitations waiting for an answer"));
    assert!(home.html.contains("newcomer@acme.test"));
    assert!(home.html.contains("No open task is assigned to you."));
    assert!(
        !home.html.contains("Ray&#39;s review"),
        "only the campaigns I started"
    );
}

#[db_test]
async fn initiatives_are_created_by_members_and_edited_by_admins_only(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@acme.test").await;
    let other = app.org("other").await;
    let theirs = other
        .admin
        .post("/api/initiatives", serde_json::json!({"title": "Theirs"}))
        .await
        .id("initiative");

    let mut pb = Browser::signed_in(&app, &pat);
    let t = csrf(&pb.get("/initiatives/new").await.html);
    let bad = pb
        .post(
            "/initiatives",
            &[
                ("csrf", &t),
                ("title", "Launch"),
                ("confidence", "50"),
                ("startDate", "2030-06-01"),
                ("targetDate", "2030-01-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.html
            .contains("Target date must not be before the start date")
    );
    let made = pb
        .post(
            "/initiatives",
            &[
                ("csrf", &t),
                ("title", "Launch"),
                ("status", "in_progress"),
                ("rag", "amber"),
                ("confidence", "70"),
                ("ownerIds", &pat_person),
                ("ownerIds", &sam_person),
            ],
        )
        .await;
    assert_eq!(made.status, 303);
    let path = made.location.unwrap();
    let id = path.trim_start_matches("/initiatives/").to_owned();
    let api = pat.get(&format!("/api/initiatives/{id}")).await;
    assert_eq!(
        api.body["initiative"]["ownerIds"].as_array().unwrap().len(),
        2
    );
    assert_eq!(api.body["initiative"]["rag"], "amber");
    pat.post(
        "/api/tasks",
        serde_json::json!({"title": "Ship it", "initiativeId": id}),
    )
    .await
    .assert_status(201);

    // Its page shows owners, RAG and its tasks; a member may not edit it, and is told why.
    let page = pb.get(&path).await;
    assert!(page.html.contains("Amber") && page.html.contains("70%"));
    assert!(page.html.contains("Ship it"));
    assert!(page.html.contains("Pat") && page.html.contains("Sam"));
    assert!(page.html.contains("Only organization admins"));
    assert!(!page.html.contains(&format!("{path}/edit")));
    assert_eq!(pb.get(&format!("{path}/edit")).await.status, 403);
    let list = pb.get("/initiatives?rag=amber").await;
    assert!(list.html.contains("Launch"));
    let list = pb.get("/initiatives?rag=red").await;
    assert!(list.html.contains("No initiative matches these filters"));

    // The admin edits it: owners replaced by one; another organization's is a 404.
    let mut ab = Browser::signed_in(&app, &acme.admin);
    let edit = ab.get(&format!("{path}/edit")).await;
    assert_eq!(edit.status, 200);
    let at = csrf(&edit.html);
    let saved = ab
        .post(
            &path,
            &[
                ("csrf", &at),
                ("title", "Launch v2"),
                ("status", "done"),
                ("rag", "green"),
                ("confidence", "100"),
                ("ownerIds", &sam_person),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let api = sam.get(&format!("/api/initiatives/{id}")).await;
    assert_eq!(api.body["initiative"]["title"], "Launch v2");
    assert_eq!(
        api.body["initiative"]["ownerIds"],
        serde_json::json!([sam_person])
    );
    for p in [
        format!("/initiatives/{theirs}"),
        format!("/initiatives/{theirs}/edit"),
    ] {
        let r = ab.get(&p).await;
        assert_eq!(r.status, 404, "{p}");
        assert!(r.html.contains("Initiative not found or access denied"));
    }
    assert_eq!(
        ab.post(&format!("/initiatives/{theirs}/delete"), &[("csrf", &at)])
            .await
            .status,
        404
    );
    other
        .admin
        .get(&format!("/api/initiatives/{theirs}"))
        .await
        .assert_status(200);
    let gone = ab.post(&format!("{path}/delete"), &[("csrf", &at)]).await;
    assert_eq!(gone.status, 303);
    sam.get(&format!("/api/initiatives/{id}"))
        .await
        .assert_status(404);
}

#[db_test]
async fn feedback_on_a_persons_page_is_shown_to_whom_the_rule_allows(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@acme.test").await;
    let (kim, _) = app.linked_member(&acme, "Kim", "kim@acme.test").await;
    let other = app.org("other").await;
    let stranger = app.person(&other, "Stranger", None).await;
    let path = format!("/people/{sam_person}");

    let mut pb = Browser::signed_in(&app, &pat);
    let form = pb.get(&format!("{path}/feedback")).await;
    assert_eq!(form.status, 200);
    let t = csrf(&form.html);
    let empty = pb
        .post(
            &format!("{path}/feedback"),
            &[("csrf", &t), ("kind", "praise"), ("body", "   ")],
        )
        .await;
    assert_eq!(empty.status, 400);
    assert!(empty.html.contains("Body is required"));
    for (kind, body, private) in [
        ("praise", "Great <demo>", false),
        ("concern", "Missed the deadline twice", true),
    ] {
        let mut fields = vec![("csrf", t.as_str()), ("kind", kind), ("body", body)];
        if private {
            fields.push(("isPrivate", "on"));
        }
        let r = pb.post(&format!("{path}/feedback"), &fields).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location.as_deref(), Some(path.as_str()));
    }
    let page = pb.get(&path).await;
    assert!(page.html.contains("Great &#60;demo&#62;"), "escaped");
    assert!(page.html.contains("Missed the deadline twice") && page.html.contains("Private"));
    assert_eq!(
        page.html.matches("/edit\"").count(),
        2,
        "the author edits both"
    );

    // Private feedback is for its author and admins: not for Sam, whom it is about, nor Kim.
    for who in [&sam, &kim] {
        let mut b = Browser::signed_in(&app, who);
        let page = b.get(&path).await;
        assert!(page.html.contains("Great &#60;demo&#62;"));
        assert!(!page.html.contains("Missed the deadline twice"));
        assert!(
            !page.html.contains("/feedback/feedback_"),
            "no edit or delete"
        );
    }
    let mut ab = Browser::signed_in(&app, &acme.admin);
    assert!(
        ab.get(&path)
            .await
            .html
            .contains("Missed the deadline twice")
    );

    // Kim may not edit Pat's feedback: the form is refused with the reason, and a forged
    // change does nothing.
    let ids = pat
        .get(&format!("/api/feedback?aboutId={sam_person}"))
        .await;
    let id = ids.body["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "praise")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut kb = Browser::signed_in(&app, &kim);
    assert_eq!(kb.get(&format!("/feedback/{id}/edit")).await.status, 403);
    let kt = csrf(&kb.get(&path).await.html);
    let refused = kb
        .post(
            &format!("/feedback/{id}"),
            &[("csrf", &kt), ("kind", "note"), ("body", "Rewritten")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        pat.get(&format!("/api/feedback/{id}")).await.body["feedback"]["body"],
        "Great <demo>"
    );
    // Another organization's person is the same 404 as a missing one.
    let r = pb.get(&format!("/people/{stranger}/feedback")).await;
    assert_eq!(r.status, 404);

    // The author edits, then deletes.
    let et = csrf(&pb.get(&format!("/feedback/{id}/edit")).await.html);
    let saved = pb
        .post(
            &format!("/feedback/{id}"),
            &[
                ("csrf", &et),
                ("kind", "praise"),
                ("body", "Great demo"),
                ("isPrivate", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let f = pat.get(&format!("/api/feedback/{id}")).await;
    assert_eq!(f.body["feedback"]["isPrivate"], true);
    let gone = pb
        .post(&format!("/feedback/{id}/delete"), &[("csrf", &et)])
        .await;
    assert_eq!(gone.status, 303);
    pat.get(&format!("/api/feedback/{id}"))
        .await
        .assert_status(404);
}

#[db_test]
async fn a_campaigns_pages_keep_to_the_rule_and_its_link_says_where_it_stands(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (kim, _) = app.linked_member(&acme, "Kim", "kim@acme.test").await;
    let ray = app.person(&acme, "Ray", None).await;
    let other = app.org("other").await;
    let stranger = app.person(&other, "Stranger", None).await;
    let theirs = other
        .admin
        .post(
            "/api/feedback-campaigns",
            serde_json::json!({"name": "Theirs", "targetPersonId": stranger,
                "startDate": app.clock_date(0), "endDate": app.clock_date(7)}),
        )
        .await
        .id("feedbackCampaign");

    // Pat creates a draft with questions of her own; nobody is mailed yet.
    let mut pb = Browser::signed_in(&app, &pat);
    let t = csrf(&pb.get("/campaigns/new").await.html);
    let (start, end) = (app.clock_date(1), app.clock_date(10));
    let bad = pb
        .post(
            "/campaigns",
            &[
                ("csrf", &t),
                ("name", "Q3"),
                ("targetPersonId", &ray),
                ("startDate", &end),
                ("endDate", &start),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.html
            .contains("End date must not be before the start date")
    );
    let made = pb
        .post(
            "/campaigns",
            &[
                ("csrf", &t),
                ("name", "Q3"),
                ("targetPersonId", &ray),
                ("startDate", &start),
                ("endDate", &end),
                ("inviteEmails", "one@outside.test, two@outside.test"),
                ("questions", "What went well?\nWhat next?"),
                ("minResponses", "3"),
            ],
        )
        .await;
    assert_eq!(made.status, 303);
    let path = made.location.unwrap();
    let page = pb.get(&path).await;
    assert!(page.html.contains("Draft") && page.html.contains("What went well?"));
    assert_eq!(page.html.matches("Not sent yet").count(), 2);
    assert!(app.emails_to("one@outside.test").await.is_empty());

    // Kim did not create it: it is not hers to see (the campaign's own 404), nor another
    // organization's for the admin.
    let mut kb = Browser::signed_in(&app, &kim);
    assert_eq!(kb.get(&path).await.status, 404);
    let mut ab = Browser::signed_in(&app, &acme.admin);
    assert_eq!(ab.get(&path).await.status, 200, "admins see every campaign");
    let r = ab.get(&format!("/campaigns/{theirs}")).await;
    assert_eq!(r.status, 404);
    assert!(
        r.html
            .contains("Feedback campaign not found or access denied")
    );

    // Its creator edits it: renamed, one more invitee.
    let et = csrf(&pb.get(&format!("{path}/edit")).await.html);
    let saved = pb
        .post(
            &path,
            &[
                ("csrf", &et),
                ("name", "Q3 review"),
                ("targetPersonId", &ray),
                ("startDate", &start),
                ("endDate", &end),
                (
                    "inviteEmails",
                    "one@outside.test\ntwo@outside.test\nthree@outside.test",
                ),
                ("questions", "What went well?\nWhat next?"),
                ("minResponses", "3"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = pb.get(&path).await;
    assert!(page.html.contains("Q3 review") && page.html.contains("three@outside.test"));
    assert_eq!(kb.get(&format!("{path}/edit")).await.status, 404);

    // Started, it mails the invitees; the link opens before the start date as "not open yet".
    let st = csrf(&page.html);
    let started = pb
        .post(
            &format!("{path}/status"),
            &[("csrf", &st), ("status", "active")],
        )
        .await;
    assert_eq!(started.status, 303);
    app.settle().await;
    let link = app
        .emails_to("one@outside.test")
        .await
        .pop()
        .unwrap()
        .link();
    let local = link.trim_start_matches(&app.base).to_owned();
    let mut visitor = Browser::new(&app);
    let early = visitor.get(&local).await;
    assert_eq!(early.status, 200);
    assert!(early.html.contains("Not open yet"));
    app.clock.advance_millis(2 * 24 * 3600 * 1000);
    let open = visitor.get(&local).await;
    assert!(open.html.contains("What went well?"));
    let vt = csrf(&open.html);
    let none = visitor
        .post(&local, &[("csrf", &vt), ("answers", " "), ("answers", "")])
        .await;
    assert_eq!(none.status, 400);
    assert!(none.html.contains("Answer at least one question"));
    // Closed by its creator: the link says so.
    let ct = csrf(&pb.get(&path).await.html);
    pb.post(
        &format!("{path}/status"),
        &[("csrf", &ct), ("status", "completed")],
    )
    .await;
    assert!(
        visitor
            .get(&local)
            .await
            .html
            .contains("This campaign is closed")
    );
    assert_eq!(visitor.get("/feedback?token=nonsense").await.status, 404);
}

#[db_test]
async fn admins_run_both_reports_and_download_them_as_csv(app: TestApp) {
    let acme = app.org("acme").await;
    let boss = app.link_admin(&acme, "Boss").await;
    let (pat, pat_person) = app
        .linked_member(&acme, "=HYPERLINK(evil)", "pat@acme.test")
        .await;
    acme.admin
        .patch(
            &format!("/api/people/{pat_person}"),
            serde_json::json!({"managerId": boss}),
        )
        .await
        .assert_status(200);
    acme.admin
        .post(
            "/api/oneonones",
            serde_json::json!({"participant1Id": boss, "participant2Id": pat_person,
                "scheduledAt": format!("{}T10:00:00Z", app.clock_date(-40))}),
        )
        .await
        .assert_status(201);
    acme.admin
        .put(
            &format!("/api/oneonones/series/{pat_person}/cadence"),
            serde_json::json!({"cadence": "weekly"}),
        )
        .await
        .assert_status(200);
    for status in ["todo", "done", "done"] {
        acme.admin
            .post(
                "/api/tasks",
                serde_json::json!({"title": "T", "status": status, "assigneeId": pat_person}),
            )
            .await
            .assert_status(201);
    }
    let other = app.org("other").await;
    let theirs = other
        .admin
        .post(
            "/api/reports",
            serde_json::json!({"name": "Theirs", "kind": "task-status"}),
        )
        .await
        .id("report");

    let mut ab = Browser::signed_in(&app, &acme.admin);
    let t = csrf(&ab.get("/reports/new").await.html);
    let mut made = vec![];
    for (name, kind) in [("Cadence", "oneonone-cadence"), ("Tasks", "task-status")] {
        let r = ab
            .post("/reports", &[("csrf", &t), ("name", name), ("kind", kind)])
            .await;
        assert_eq!(r.status, 303, "{name}");
        made.push(r.location.unwrap());
    }
    let cadence = ab.get(&made[0]).await;
    assert!(
        cadence.html.contains("1 pair is overdue"),
        "weekly, last 40 days ago"
    );
    assert!(cadence.html.contains("Overdue") && cadence.html.contains("Weekly"));
    let tasks = ab.get(&made[1]).await;
    assert!(tasks.html.contains("<svg") && tasks.html.contains("Tasks by status"));
    assert!(
        tasks.html.contains("=HYPERLINK(evil)"),
        "the name, escaped as text"
    );
    let csv = ab.get(&format!("{}/csv", made[1])).await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(csv.html.starts_with("assigneeName,status,count"));
    assert!(
        csv.html.contains("'=HYPERLINK(evil),done,2"),
        "a formula-looking name is text: {}",
        csv.html
    );
    let csv = ab.get(&format!("{}/csv", made[0])).await;
    assert!(csv.html.contains("weekly,true"), "{}", csv.html);

    // A member sees the list but may not run a report, and is told why; another
    // organization's report is the same 404 as a missing one.
    let mut pb = Browser::signed_in(&app, &pat);
    assert_eq!(pb.get("/reports").await.status, 200);
    let refused = pb.get(&made[1]).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .html
            .contains("Only organization admins can run reports")
    );
    assert_eq!(pb.get(&format!("{}/csv", made[1])).await.status, 403);
    for path in [
        format!("/reports/{theirs}"),
        format!("/reports/{theirs}/csv"),
    ] {
        let r = ab.get(&path).await;
        assert_eq!(r.status, 404, "{path}");
    }
    // The admin edits one: renamed and narrowed to one assignee; a member may not.
    assert_eq!(pb.get(&format!("{}/edit", made[1])).await.status, 403);
    let edit = ab.get(&format!("{}/edit", made[1])).await;
    assert_eq!(edit.status, 200);
    let saved = ab
        .post(
            &made[1],
            &[
                ("csrf", &t),
                ("name", "Pat's tasks"),
                ("kind", "task-status"),
                ("assigneeId", &pat_person),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let r = acme.admin.get(&format!("/api{}", made[1])).await;
    assert_eq!(r.body["report"]["name"], "Pat's tasks");
    assert_eq!(
        r.body["report"]["parameters"]["assigneeId"],
        pat_person.as_str()
    );
    let gone = ab
        .post(&format!("{}/delete", made[1]), &[("csrf", &t)])
        .await;
    assert_eq!(gone.status, 303);
    assert_eq!(ab.get(&made[1]).await.status, 404);
}

#[db_test]
async fn a_private_meeting_is_seen_only_by_whom_the_rule_allows(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@acme.test").await;
    let (kim, _) = app.linked_member(&acme, "Kim", "kim@acme.test").await;
    let other = app.org("other").await;
    app.link_admin(&other, "Olga").await;
    let theirs = other
        .admin
        .post(
            "/api/meetings",
            serde_json::json!({"title": "Theirs", "scheduledAt": format!("{}T09:00:00Z", app.clock_date(3))}),
        )
        .await
        .id("meeting");

    let mut pb = Browser::signed_in(&app, &pat);
    let t = csrf(&pb.get("/meetings/new").await.html);
    let when = format!("{}T09:30", app.clock_date(2));
    let made = pb
        .post(
            "/meetings",
            &[
                ("csrf", &t),
                ("title", "Salary review"),
                ("scheduledAt", &when),
                ("tzOffset", "-60"),
                ("durationMinutes", "45"),
                ("isPrivate", "on"),
                ("participantIds", &sam_person),
            ],
        )
        .await;
    assert_eq!(made.status, 303);
    let path = made.location.unwrap();
    let id = path.trim_start_matches("/meetings/").to_owned();
    let m = pat.get(&format!("/api/meetings/{id}")).await;
    assert_eq!(m.body["meeting"]["isPrivate"], true);
    assert_eq!(
        m.body["meeting"]["scheduledAt"],
        format!("{}T08:30:00.000Z", app.clock_date(2)),
        "typed in UTC+1"
    );

    // Sam takes part: he sees it and records an occurrence; Kim does not exist for it.
    let mut sb = Browser::signed_in(&app, &sam);
    assert!(sb.get("/meetings").await.html.contains("Salary review"));
    let page = sb.get(&path).await;
    assert!(page.html.contains("Salary review"));
    let st = csrf(&page.html);
    let added = sb
        .post(
            &format!("{path}/instances"),
            &[
                ("csrf", &st),
                ("scheduledAt", &when),
                ("notes", "Agreed **+3%**"),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    assert!(sb.get(&path).await.html.contains("<strong>+3%</strong>"));
    let mut kb = Browser::signed_in(&app, &kim);
    assert!(!kb.get("/meetings").await.html.contains("Salary review"));
    let hidden = kb.get(&path).await;
    assert_eq!(hidden.status, 404);
    assert!(hidden.html.contains("Meeting not found or access denied"));
    assert_eq!(kb.get(&format!("{path}/edit")).await.status, 404);
    let kt = csrf(&kb.get("/meetings").await.html);
    assert_eq!(
        kb.post(&format!("{path}/delete"), &[("csrf", &kt)])
            .await
            .status,
        404
    );
    // The admin sees it; another organization's meeting is a 404 for them.
    let mut ab = Browser::signed_in(&app, &acme.admin);
    assert_eq!(ab.get(&path).await.status, 200);
    assert_eq!(ab.get(&format!("/meetings/{theirs}")).await.status, 404);
    // Pat deletes it.
    let dt = csrf(&pb.get(&path).await.html);
    assert_eq!(
        pb.post(&format!("{path}/delete"), &[("csrf", &dt)])
            .await
            .status,
        303
    );
    pat.get(&format!("/api/meetings/{id}"))
        .await
        .assert_status(404);
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

/// Issue 24, finding 6, in the pages: the campaign's page marks invitees outside the
/// organization, and its subject finds "Campaigns about you" on `/campaigns`, without the
/// answers.
#[db_test]
async fn campaign_pages_show_who_is_outside_and_the_subject_sees_who_was_asked(app: TestApp) {
    let org = app.org("acme").await;
    let (pat, _) = app.linked_member(&org, "Pat", "pat@acme.test").await;
    let (mel, mel_p) = app.linked_member(&org, "Mel", "mel@acme.test").await;
    let id = pat
        .post(
            "/api/feedback-campaigns",
            serde_json::json!({
                "name": "About Mel",
                "targetPersonId": mel_p,
                "startDate": "2020-01-01",
                "endDate": "2099-12-31",
                "inviteEmails": ["pat@acme.test", "sock@elsewhere.test"],
                "questions": ["A question only the answers page shows?"],
            }),
        )
        .await
        .id("feedbackCampaign");
    let mut creator = Browser::signed_in(&app, &pat);
    let page = creator.get(&format!("/campaigns/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html
            .contains("1 of 2 invitees are outside the organization"),
        "{}",
        page.html
    );
    assert_eq!(
        page.html.matches("outside the organization</span>").count(),
        1
    );

    let mut subject = Browser::signed_in(&app, &mel);
    let list = subject.get("/campaigns").await;
    assert_eq!(list.status, 200);
    assert!(list.html.contains("Campaigns about you"), "{}", list.html);
    assert!(list.html.contains("started by Pat"));
    assert!(list.html.contains("sock@elsewhere.test"));
    assert!(
        !list
            .html
            .contains("A question only the answers page shows?")
    );
    // Not the campaign's page itself.
    assert_eq!(subject.get(&format!("/campaigns/{id}")).await.status, 404);
}
