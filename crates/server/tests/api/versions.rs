//! Issue 26, "No lost update, anywhere" (docs/API.md §1): every editable thing carries a
//! version, sent as its `ETag`. A change sent with `If-Match` naming an older version is a 412
//! with the thing as it is now and who changed it, and changes nothing; without `If-Match` a
//! change works as before; an id from another organization is a 404 before any version.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

/// One editable thing: where it is changed, and how to read it back.
struct Case {
    what: &'static str,
    method: reqwest::Method,
    path: String,
    /// The field a change sets (the same name in the request and in the answer).
    field: &'static str,
    /// Where the thing sits in an answer (`{"task": {...}}`), or `None` when at the top.
    key: Option<&'static str>,
    /// Where it is read back (a `GET` whose answer holds it at `key`), when it has one.
    read: Option<String>,
    /// Its version when made (private notes are at 0 before their first save).
    first: i64,
}

fn tag(r: &Res) -> String {
    r.header("etag").expect("an ETag").to_owned()
}

async fn send(app: &TestApp, who: &TestUser, c: &Case, value: &str, if_match: Option<&str>) -> Res {
    let mut rb = app
        .request(c.method.clone(), &c.path)
        .bearer_auth(&who.token)
        .json(&json!({ c.field: value }));
    if let Some(t) = if_match {
        rb = rb.header("if-match", t);
    }
    app.send(rb).await
}

fn at<'v>(body: &'v Value, key: Option<&str>) -> &'v Value {
    key.map_or(body, |k| &body[k])
}

async fn cases(app: &TestApp, acme: &TestOrg) -> Vec<Case> {
    let me = app.link_admin(acme, "Ada Admin").await;
    let report = app.person(acme, "Rob Report", None).await;
    let admin = &acme.admin;
    let id = |r: Res, key: &str| {
        r.assert_status(201);
        r.id(key)
    };
    let person = app.person(acme, "Pat Person", None).await;
    let team = id(
        admin.post("/api/teams", json!({"name": "Core"})).await,
        "team",
    );
    let task = id(
        admin.post("/api/tasks", json!({"title": "Ship"})).await,
        "task",
    );
    let initiative = id(
        admin
            .post("/api/initiatives", json!({"title": "Launch"}))
            .await,
        "initiative",
    );
    let meeting = id(
        admin
            .post(
                "/api/meetings",
                json!({"title": "Weekly", "scheduledAt": "2030-01-15T10:00:00Z"}),
            )
            .await,
        "meeting",
    );
    let instance = id(
        admin
            .post(
                &format!("/api/meetings/{meeting}/instances"),
                json!({"scheduledAt": "2030-01-22T10:00:00Z"}),
            )
            .await,
        "meetingInstance",
    );
    let feedback = id(
        admin
            .post(
                "/api/feedback",
                json!({"aboutId": report, "kind": "praise", "body": "Shipped it"}),
            )
            .await,
        "feedback",
    );
    let campaign = id(
        admin
            .post(
                "/api/feedback-campaigns",
                json!({"name": "Q1 360", "targetPersonId": report, "startDate": "2030-01-01",
                       "endDate": "2030-12-31", "questions": ["Strengths?"]}),
            )
            .await,
        "feedbackCampaign",
    );
    let report_id = id(
        admin
            .post(
                "/api/reports",
                json!({"name": "Mine", "kind": "task-status"}),
            )
            .await,
        "report",
    );
    let one = id(
        admin
            .post(
                "/api/oneonones",
                json!({"participant1Id": me, "participant2Id": report,
                       "scheduledAt": "2030-02-01T10:00:00Z"}),
            )
            .await,
        "oneOnOne",
    );
    let point = id(
        admin
            .post(
                &format!("/api/oneonones/{one}/talking-points"),
                json!({"text": "Hiring"}),
            )
            .await,
        "talkingPoint",
    );
    let patch = reqwest::Method::PATCH;
    let simple = |what, path: String, field, key| Case {
        what,
        method: patch.clone(),
        read: Some(path.clone()),
        path,
        field,
        key: Some(key),
        first: 1,
    };
    vec![
        simple("person", format!("/api/people/{person}"), "name", "person"),
        simple("team", format!("/api/teams/{team}"), "name", "team"),
        simple("task", format!("/api/tasks/{task}"), "title", "task"),
        simple(
            "initiative",
            format!("/api/initiatives/{initiative}"),
            "title",
            "initiative",
        ),
        simple(
            "meeting",
            format!("/api/meetings/{meeting}"),
            "title",
            "meeting",
        ),
        simple(
            "meeting instance",
            format!("/api/meeting-instances/{instance}"),
            "notes",
            "meetingInstance",
        ),
        simple(
            "feedback",
            format!("/api/feedback/{feedback}"),
            "body",
            "feedback",
        ),
        simple(
            "campaign",
            format!("/api/feedback-campaigns/{campaign}"),
            "name",
            "feedbackCampaign",
        ),
        simple(
            "report",
            format!("/api/reports/{report_id}"),
            "name",
            "report",
        ),
        Case {
            what: "talking point",
            method: patch.clone(),
            path: format!("/api/oneonones/{one}/talking-points/{point}"),
            field: "text",
            key: Some("talkingPoint"),
            read: None,
            first: 1,
        },
        Case {
            what: "private notes",
            method: reqwest::Method::PUT,
            path: format!("/api/oneonones/{one}/private-notes"),
            field: "notes",
            key: None,
            read: Some(format!("/api/oneonones/{one}/private-notes")),
            first: 0,
        },
    ]
}

#[db_test]
async fn every_editable_thing_refuses_a_change_made_against_an_old_version(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let admin = &acme.admin;
    let name = app.me(admin).await["user"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    for c in cases(&app, &acme).await {
        let what = c.what;
        let (v1, v2) = (format!("\"{}\"", c.first), format!("\"{}\"", c.first + 1));
        if let Some(read) = &c.read {
            let r = admin.get(read).await;
            r.assert_status(200);
            assert_eq!(tag(&r), v1, "{what}: its ETag is its version");
            assert_eq!(at(&r.body, c.key)["version"], c.first, "{what}");
        }
        // Someone saves on the version both read…
        let saved = send(&app, admin, &c, "Theirs", Some(&v1)).await;
        saved.assert_status(200);
        assert_eq!(tag(&saved), v2, "{what}: a change makes the next version");
        assert_eq!(at(&saved.body, c.key)["version"], c.first + 1, "{what}");
        // …and a change made on the old one is refused with how it is now, and who changed it.
        let stale = send(&app, admin, &c, "Mine", Some(&v1)).await;
        stale.assert_status(412);
        assert_eq!(stale.body["code"], "precondition_failed", "{what}");
        assert!(
            stale.body["error"]
                .as_str()
                .unwrap()
                .contains("nothing was saved"),
            "{what}: {}",
            stale.body
        );
        assert_eq!(
            at(&stale.body["current"], c.key)[c.field],
            "Theirs",
            "{what}"
        );
        assert_eq!(stale.body["changedBy"], name.as_str(), "{what}");
        assert_eq!(tag(&stale), v2, "{what}");
        if let Some(read) = &c.read {
            let r = admin.get(read).await;
            assert_eq!(
                at(&r.body, c.key)[c.field],
                "Theirs",
                "{what}: nothing changed"
            );
            assert_eq!(tag(&r), v2, "{what}");
        }
        // A tag that names no version of ours never matches.
        for bad in ["W/\"2\"", "2", "\"x\""] {
            send(&app, admin, &c, "Mine", Some(bad))
                .await
                .assert_status(412);
        }
        // Another organization's admin learns nothing of it, versions included.
        send(&app, &globex.admin, &c, "Theirs", Some(&v2))
            .await
            .assert_status(404);
        // `*`, and no If-Match at all, change whatever the version.
        send(&app, admin, &c, "Any", Some("*"))
            .await
            .assert_status(200);
        let r = send(&app, admin, &c, "Mine", None).await;
        r.assert_status(200);
        assert_eq!(at(&r.body, c.key)[c.field], "Mine", "{what}");
        assert_eq!(tag(&r), format!("\"{}\"", c.first + 3), "{what}");
    }
}

/// Two changes of one version at the same moment: exactly one is applied.
#[db_test]
async fn two_changes_of_one_version_at_once_apply_exactly_one(app: TestApp) {
    let acme = app.org("acme").await;
    let admin = &acme.admin;
    let task = admin
        .post("/api/tasks", json!({"title": "Ship"}))
        .await
        .id("task");
    let path = format!("/api/tasks/{task}");
    let c = Case {
        what: "task",
        method: reqwest::Method::PATCH,
        path: path.clone(),
        field: "title",
        key: Some("task"),
        read: None,
        first: 1,
    };
    let (a, b) = tokio::join!(
        send(&app, admin, &c, "From A", Some("\"1\"")),
        send(&app, admin, &c, "From B", Some("\"1\""))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let winner = if a.status == 200 { "From A" } else { "From B" };
    assert_eq!(admin.get(&path).await.body["task"]["title"], winner);
}
