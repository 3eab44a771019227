//! Issue 26, "Live": while both people have a one-on-one open, each hears of the other's
//! changes through Server-Sent Events (`GET /oneonones/{id}/live`). An event names what
//! changed and carries the one-on-one's id, never content; private notes are heard of only by
//! their author; only the two participants may listen; an account holds a bounded number of
//! streams, each ending when idle; and across replicas on PostgreSQL the change travels by
//! `LISTEN/NOTIFY`.

use crate::harness::*;
use manageros_server::config::Limits;
use manageros_test_macros::db_test;
use serde_json::json;
use std::time::Duration;

/// One open stream, read event by event.
struct Heard {
    response: reqwest::Response,
    buffer: String,
}

/// Opens `/oneonones/{id}/live` as `who` (the pages' session cookie): its status, and the
/// stream when it is one.
async fn listen(app: &TestApp, who: &TestUser, one: &str) -> (u16, Option<Heard>) {
    let response = app
        .request(reqwest::Method::GET, &format!("/oneonones/{one}/live"))
        .header("cookie", format!("manageros_session={}", who.token))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    if status != 200 {
        return (status, None);
    }
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/event-stream"), "{kind}");
    let heard = Heard {
        response,
        buffer: String::new(),
    };
    (status, Some(heard))
}

impl Heard {
    /// The next event (its name and data) heard within `within`; `None` when nothing was, or
    /// the stream ended. Keep-alive comments are not events.
    async fn next(&mut self, within: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(|v| v.trim().to_owned())
                };
                if let Some(event) = field("event:") {
                    return Some((event, field("data:").unwrap_or_default()));
                }
            }
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Whether the stream has ended (rather than merely being quiet) within `within`.
    async fn ends(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Ok(Ok(Some(_))) => continue,
                Ok(Ok(None)) | Ok(Err(_)) => return true,
                Err(_) => return false,
            }
        }
    }
}

const SOON: Duration = Duration::from_secs(5);

struct Pair {
    org: TestOrg,
    jane: TestUser,
    john: TestUser,
    jane_p: String,
    one: String,
}

async fn pair(app: &TestApp) -> Pair {
    let org = app.org("acme").await;
    let (jane, jane_p) = app
        .linked_member(&org, "Jane Smith", "jane@acme.test")
        .await;
    let (john, john_p) = app.linked_member(&org, "John Doe", "john@acme.test").await;
    let r = jane
        .post(
            "/api/oneonones",
            json!({"participant1Id": jane_p, "participant2Id": john_p,
                   "scheduledAt": "2030-01-07T10:00:00Z"}),
        )
        .await;
    r.assert_status(201);
    Pair {
        one: r.id("oneOnOne"),
        org,
        jane,
        john,
        jane_p,
    }
}

#[db_test]
async fn a_participant_hears_the_others_changes_and_nothing_private(app: TestApp) {
    let p = pair(&app).await;
    let one = &p.one;
    let (status, heard) = listen(&app, &p.jane, one).await;
    assert_eq!(status, 200);
    let mut heard = heard.unwrap();

    // John adds a point: Jane hears that the agenda changed, and of which one-on-one; no text.
    p.john
        .post(
            &format!("/api/oneonones/{one}/talking-points"),
            json!({"text": "Hiring plan"}),
        )
        .await
        .assert_status(201);
    assert_eq!(
        heard.next(SOON).await,
        Some(("agenda".to_owned(), one.clone()))
    );

    // John's private notes are his: Jane hears nothing of them. The next thing she hears is
    // his change of the shared notes.
    p.john
        .put(
            &format!("/api/oneonones/{one}/private-notes"),
            json!({"notes": "Ask about the move"}),
        )
        .await
        .assert_status(200);
    let mut notes = p.john.get(&format!("/api/oneonones/{one}")).await.body["oneOnOne"].clone();
    let body = json!({"participant1Id": notes["manager"]["id"], "participant2Id": notes["report"]["id"],
                      "scheduledAt": notes["scheduledAt"], "notes": "Agenda for Monday"});
    notes = p
        .john
        .put(&format!("/api/oneonones/{one}"), body)
        .await
        .body;
    assert_eq!(notes["oneOnOne"]["notes"], "Agenda for Monday");
    assert_eq!(
        heard.next(SOON).await,
        Some(("everything".to_owned(), one.clone()))
    );

    // Her own private notes, saved from another window: she hears of it.
    p.jane
        .put(
            &format!("/api/oneonones/{one}/private-notes"),
            json!({"notes": "Praise the launch"}),
        )
        .await
        .assert_status(200);
    assert_eq!(
        heard.next(SOON).await,
        Some(("private-notes".to_owned(), one.clone()))
    );

    // Another one-on-one of Jane's is not this one: nothing heard of it.
    let third = app.person(&p.org, "Third", None).await;
    let other = p
        .jane
        .post(
            "/api/oneonones",
            json!({"participant1Id": p.jane_p, "participant2Id": third,
                   "scheduledAt": "2030-01-08T10:00:00Z"}),
        )
        .await
        .id("oneOnOne");
    p.jane
        .post(
            &format!("/api/oneonones/{other}/talking-points"),
            json!({"text": "Elsewhere"}),
        )
        .await
        .assert_status(201);
    assert_eq!(heard.next(Duration::from_millis(700)).await, None);

    // An admin who does not take part may open the page (a logged look) but not listen;
    // another organization's admin learns nothing.
    assert_eq!(listen(&app, &p.org.admin, one).await.0, 403);
    let globex = app.org("globex").await;
    assert_eq!(listen(&app, &globex.admin, one).await.0, 404);
}

fn few_streams() -> Options {
    Options {
        limits: Limits {
            live_per_user: 2,
            live_idle: Duration::from_secs(1),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[db_test(few_streams())]
async fn an_account_holds_few_streams_and_a_quiet_one_ends(app: TestApp) {
    let p = pair(&app).await;
    let (a, first) = listen(&app, &p.jane, &p.one).await;
    let (b, second) = listen(&app, &p.jane, &p.one).await;
    assert_eq!((a, b), (200, 200));
    assert_eq!(listen(&app, &p.jane, &p.one).await.0, 429);
    // Another account has its own allowance.
    assert_eq!(listen(&app, &p.john, &p.one).await.0, 200);
    // A stream that hears nothing for the idle time ends, and frees its place.
    let mut first = first.unwrap();
    assert!(
        first.ends(Duration::from_secs(5)).await,
        "an idle stream ends"
    );
    drop(first);
    drop(second);
    let (status, _third) = listen(&app, &p.jane, &p.one).await;
    assert_eq!(status, 200);
}

/// Two replicas on one PostgreSQL: a change written through one is heard by a page open on
/// the other (by `NOTIFY`, the way every change travels there). SQLite runs as one process
/// (docs/ARCHITECTURE.md), whose hub is told directly: there the page is open on it.
#[db_test]
async fn a_change_on_one_replica_is_heard_on_another(app: TestApp) {
    let p = pair(&app).await;
    let replica = match app.backend {
        Backend::Postgres => Some(app.replica().await),
        Backend::Sqlite => None,
    };
    let (status, heard) = listen(replica.as_ref().unwrap_or(&app), &p.jane, &p.one).await;
    assert_eq!(status, 200);
    let mut heard = heard.unwrap();
    p.john
        .post(
            &format!("/api/oneonones/{}/talking-points", p.one),
            json!({"text": "From the other replica"}),
        )
        .await
        .assert_status(201);
    assert_eq!(
        heard.next(SOON).await,
        Some(("agenda".to_owned(), p.one.clone()))
    );
}
