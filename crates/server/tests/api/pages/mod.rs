//! The web pages, through HTTP as a browser sends it (form posts with the session cookie):
//! every page answers with its security headers, a form without this session's token (or
//! from another origin) fails and changes nothing, and a member signs up, creates an
//! organization and schedules a one-on-one that both participants then see.
//!
//! One file per area; this one holds the browser they share ([`Browser`]) and the fixtures
//! more than one area uses.

mod account;
mod basics;
mod feedback;
mod isolation;
mod oneonones;
mod people;
mod reports;
mod work;

use crate::harness::*;
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

/// The value of the hidden field `name` (the first one of that name).
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let at = html.find(&marker).expect("the hidden field") + marker.len();
    html[at..].split('"').next().unwrap().to_owned()
}

/// The form token a page carries.
fn csrf(html: &str) -> String {
    let at = html.find(r#"name="csrf" value=""#).expect("a form token") + 19;
    html[at..].split('"').next().unwrap().to_owned()
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

/// The id a redirect to an entity's page names.
fn id_in(location: Option<&str>, prefix: &str) -> String {
    location
        .and_then(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("a redirect to {prefix}…, not {location:?}"))
        .to_owned()
}
