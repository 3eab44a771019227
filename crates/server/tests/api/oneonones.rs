//! One-on-ones (docs/API.md §6): messages, privacy, the access receipt, and the
//! list's pagination, filters, search and sort.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

/// An organization with a manager and a report who are users linked to their people, a third
/// member, and the admin.
struct Cast {
    org: TestOrg,
    boss: TestUser,
    boss_p: String,
    rep: TestUser,
    rep_p: String,
    third: TestUser,
}

async fn cast(app: &TestApp, slug: &str) -> Cast {
    let org = app.org(slug).await;
    let (boss, boss_p) = app
        .linked_member(&org, "Jane Smith", &format!("jane@{slug}.test"))
        .await;
    let (rep, rep_p) = app
        .linked_member(&org, "John Doe", &format!("john@{slug}.test"))
        .await;
    let (third, _) = app
        .linked_member(&org, "Third Person", &format!("third@{slug}.test"))
        .await;
    Cast {
        org,
        boss,
        boss_p,
        rep,
        rep_p,
        third,
    }
}

fn body(p1: &str, p2: &str, at: &str) -> Value {
    json!({
        "participant1Id": p1,
        "participant2Id": p2,
        "scheduledAt": at,
        "notes": "Discuss Q4 goals",
    })
}

#[db_test]
async fn scheduling_a_one_on_one(app: TestApp) {
    let c = cast(&app, "acme").await;
    let r = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-20T16:00:00+02:00"),
        )
        .await;
    r.assert_status(201);
    let o = &r.body["oneOnOne"];
    assert!(o["id"].as_str().unwrap().starts_with("oneonone_"));
    assert_eq!(o["managerId"], c.boss_p.as_str());
    assert_eq!(o["reportId"], c.rep_p.as_str());
    assert_eq!(o["scheduledAt"], "2025-10-20T14:00:00.000Z");
    assert_eq!(o["notes"], "Discuss Q4 goals");
    assert!(o["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(o["createdAt"], o["updatedAt"]);
    assert_eq!(o["manager"]["name"], "Jane Smith");
    assert_eq!(o["manager"]["email"], "jane@acme.test");
    assert_eq!(
        o["manager"]["user"]["id"],
        app.me(&c.boss).await["user"]["id"]
    );
    assert_eq!(
        o["report"]["user"]["id"],
        app.me(&c.rep).await["user"]["id"]
    );

    // An admin schedules between any two people, linked or not.
    let unlinked = app.person(&c.org, "No User", None).await;
    let r = c
        .org
        .admin
        .post(
            "/api/oneonones",
            body(&c.rep_p, &unlinked, "2025-10-21T10:00:00Z"),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.body["oneOnOne"]["report"]["user"], Value::Null);
    // A member only ones they take part in.
    c.third
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-21T10:00:00Z"),
        )
        .await
        .assert_error(403, "You can only schedule one-on-ones you take part in");
}

#[db_test]
async fn every_error_message_of_scheduling(app: TestApp) {
    let c = cast(&app, "acme").await;
    let globex = app.org("globex").await;
    let foreign = app.person(&globex, "Foreign", None).await;
    let plain = app.member(&c.org, "Plain", "plain@example.com").await;
    let loner = app.signup("Lone", "lone@example.com").await;
    let at = "2025-10-20T14:00:00Z";

    loner
        .post("/api/oneonones", body(&c.boss_p, &c.rep_p, at))
        .await
        .assert_error(403, "User must belong to an organization");
    plain
        .post("/api/oneonones", body(&c.boss_p, &c.rep_p, at))
        .await
        .assert_error(403, "No person record found for current user");
    let cases = [
        (
            json!({"participant2Id": c.rep_p, "scheduledAt": at}),
            "participant1Id",
            "Participant 1 is required",
        ),
        (
            json!({"participant1Id": c.boss_p, "scheduledAt": at}),
            "participant2Id",
            "Participant 2 is required",
        ),
        (
            json!({"participant1Id": c.boss_p, "participant2Id": c.rep_p}),
            "scheduledAt",
            "Date is required",
        ),
        (
            json!({"participant1Id": c.boss_p, "participant2Id": c.boss_p, "scheduledAt": at}),
            "participant2Id",
            "Both participants must be different people",
        ),
        (
            json!({"participant1Id": "", "participant2Id": c.rep_p, "scheduledAt": at}),
            "participant1Id",
            "Participant 1 is required",
        ),
    ];
    for (b, field, message) in cases {
        let r = c.boss.post("/api/oneonones", b).await;
        r.assert_error(400, message);
        assert_eq!(r.body["fields"][field], message);
    }
    for bad_at in ["2025-10-20T14:00:00", "next tuesday", "2025-10-20"] {
        c.boss
            .post("/api/oneonones", body(&c.boss_p, &c.rep_p, bad_at))
            .await
            .assert_field_error("scheduledAt");
    }
    let long = json!({
        "participant1Id": c.boss_p,
        "participant2Id": c.rep_p,
        "scheduledAt": at,
        "notes": "x".repeat(20_001),
    });
    c.boss
        .post("/api/oneonones", long)
        .await
        .assert_field_error("notes");
    c.boss
        .post("/api/oneonones", body(&foreign, &c.rep_p, at))
        .await
        .assert_error(404, "Participant 1 not found or not in your organization");
    c.boss
        .post("/api/oneonones", body(&c.boss_p, &foreign, at))
        .await
        .assert_error(404, "Participant 2 not found or not in your organization");
    c.boss
        .post("/api/oneonones", body(&c.boss_p, "person_nope", at))
        .await
        .assert_error(404, "Participant 2 not found or not in your organization");
    let list = c.boss.get("/api/oneonones").await;
    assert_eq!(
        list.body["pagination"]["totalCount"], 0,
        "nothing was created"
    );
}

#[db_test]
async fn only_participants_and_admins_reach_a_one_on_one(app: TestApp) {
    let c = cast(&app, "acme").await;
    let globex = cast(&app, "globex").await;
    let plain = app.member(&c.org, "Plain", "plain@example.com").await;
    let id = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-20T14:00:00Z"),
        )
        .await
        .id("oneOnOne");
    let path = format!("/api/oneonones/{id}");
    const NOT_FOUND: &str = "One-on-one not found or you do not have access to it";

    let r = c.rep.get(&path).await;
    r.assert_status(200);
    assert_eq!(r.body["oneOnOne"]["manager"]["role"], Value::Null);
    // A third member, another organization's admin and members: nothing, by id or in lists.
    c.third.get(&path).await.assert_error(404, NOT_FOUND);
    globex
        .org
        .admin
        .get(&path)
        .await
        .assert_error(404, NOT_FOUND);
    globex.boss.get(&path).await.assert_error(404, NOT_FOUND);
    c.third
        .put(&path, body(&c.boss_p, &c.rep_p, "2025-10-21T14:00:00Z"))
        .await
        .assert_error(404, NOT_FOUND);
    c.third.delete(&path).await.assert_error(404, NOT_FOUND);
    globex
        .org
        .admin
        .delete(&path)
        .await
        .assert_error(404, NOT_FOUND);
    plain
        .get(&path)
        .await
        .assert_error(403, "No person record found for current user");
    c.boss
        .get("/api/oneonones/oneonone_garbage")
        .await
        .assert_error(404, NOT_FOUND);
    for who in [&c.third, &globex.org.admin, &globex.boss] {
        let r = who.get("/api/oneonones").await;
        if r.status == 200 {
            assert_eq!(r.body["oneOnOnes"], json!([]));
        }
    }
    plain
        .get("/api/oneonones")
        .await
        .assert_error(403, "No person record found for current user");
    let loner = app.signup("Lone", "lone@example.com").await;
    loner.get("/api/oneonones").await.assert_error(
        403,
        "User must belong to an organization to view one-on-ones",
    );
    loner
        .get(&path)
        .await
        .assert_error(403, "User must belong to an organization");

    // Participants change it; a member may not hand it over to two other people.
    let r = c
        .rep
        .put(
            &path,
            json!({
                "participant1Id": c.boss_p,
                "participant2Id": c.rep_p,
                "scheduledAt": "2025-10-22T09:00:00Z",
            }),
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        r.body["oneOnOne"]["notes"],
        Value::Null,
        "PUT replaces the notes too"
    );
    let third_p = app.me(&c.third).await["user"]["personId"]
        .as_str()
        .unwrap()
        .to_owned();
    c.rep
        .put(&path, body(&c.boss_p, &third_p, "2025-10-22T09:00:00Z"))
        .await
        .assert_error(403, "You can only schedule one-on-ones you take part in");
    c.rep
        .put(&path, json!({"participant1Id": c.boss_p}))
        .await
        .assert_status(400);
    c.rep.delete(&path).await.assert_status(204);
    c.boss.get(&path).await.assert_error(404, NOT_FOUND);
}

#[db_test]
async fn admin_access_is_written_to_the_receipt_the_participants_read(app: TestApp) {
    let c = cast(&app, "acme").await;
    let id = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-20T14:00:00Z"),
        )
        .await
        .id("oneOnOne");
    let path = format!("/api/oneonones/{id}");
    let access = format!("{path}/access");

    // Participants' own reads are not logged.
    c.boss.get(&path).await.assert_status(200);
    let r = c.rep.get(&access).await;
    r.assert_status(200);
    assert_eq!(r.body["log"], json!([]));
    let readers = r.body["canAccess"].as_array().unwrap();
    let boss_id = app.me(&c.boss).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin_id = app.me(&c.org.admin).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        readers.contains(&json!({"userId": boss_id, "name": "Jane Smith", "why": "participant"}))
    );
    assert!(
        readers.contains(&json!({"userId": admin_id, "name": "Admin of acme", "why": "admin"}))
    );
    assert_eq!(readers.len(), 3);

    // The admin views and edits it: both appear in the log, in order.
    c.org.admin.get(&path).await.assert_status(200);
    app.clock.advance_millis(1000);
    c.org
        .admin
        .put(&path, body(&c.boss_p, &c.rep_p, "2025-10-21T14:00:00Z"))
        .await
        .assert_status(200);
    let r = c.boss.get(&access).await;
    let log = r.body["log"].as_array().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0]["action"].as_str(), log[1]["action"].as_str()),
        (Some("view"), Some("edit"))
    );
    assert_eq!(log[0]["userId"], admin_id.as_str());
    assert_eq!(log[0]["name"], "Admin of acme");
    assert!(log[0]["at"].as_str().unwrap() < log[1]["at"].as_str().unwrap());

    // Nobody else learns anything from the receipt; the admin is told it is not theirs.
    c.third
        .get(&access)
        .await
        .assert_error(404, "One-on-one not found or you do not have access to it");
    c.org.admin.get(&access).await.assert_error(
        403,
        "Only the participants can read the access log of a one-on-one",
    );
    let globex = app.org("globex").await;
    globex.admin.get(&access).await.assert_status(404);

    // When an admin deletes it, the log goes with it: the participants are told by email.
    c.org.admin.delete(&path).await.assert_status(204);
    for who in ["jane@acme.test", "john@acme.test"] {
        let mails = app.emails_to(who).await;
        let deleted: Vec<_> = mails
            .iter()
            .filter(|m| m.subject.contains("deleted"))
            .collect();
        assert_eq!(deleted.len(), 1, "{who}");
        assert!(
            deleted[0].body.contains("Admin of acme") && deleted[0].body.contains("Jane Smith"),
            "{}",
            deleted[0].body
        );
    }
}

#[db_test]
async fn a_participant_deleting_their_own_one_on_one_mails_nobody(app: TestApp) {
    let c = cast(&app, "acme").await;
    let id = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-20T14:00:00Z"),
        )
        .await
        .id("oneOnOne");
    c.rep
        .delete(&format!("/api/oneonones/{id}"))
        .await
        .assert_status(204);
    assert!(
        app.emails_to("jane@acme.test")
            .await
            .iter()
            .all(|m| !m.subject.contains("deleted"))
    );
}

#[db_test]
async fn changing_an_invisible_one_on_one_is_404_before_any_400(app: TestApp) {
    let c = cast(&app, "acme").await;
    let id = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-20T14:00:00Z"),
        )
        .await
        .id("oneOnOne");
    c.third
        .put(&format!("/api/oneonones/{id}"), json!({}))
        .await
        .assert_error(404, "One-on-one not found or you do not have access to it");
    c.boss
        .put(&format!("/api/oneonones/{id}"), json!({}))
        .await
        .assert_status(400);
    // And the permission check says the same, without describing it.
    let r = c
        .third
        .get(&format!(
            "/api/me/permissions/check?action=oneonone.view&id={id}"
        ))
        .await;
    assert_eq!(
        (r.body["allowed"].as_bool(), r.body["reason"].as_str()),
        (
            Some(false),
            Some("One-on-one not found or you do not have access to it")
        )
    );
    let r = c
        .org
        .admin
        .get(&format!(
            "/api/me/permissions/check?action=oneonone.edit&id={id}"
        ))
        .await;
    assert_eq!(r.body["allowed"], true);
    let r = c
        .rep
        .get(&format!(
            "/api/me/permissions/check?action=oneonone.view&id={id}"
        ))
        .await;
    assert_eq!(r.body["reason"], "You take part in this one-on-one");
}

/// Creates one-on-ones for `c.boss` at the given times (with `c.rep` unless said otherwise).
async fn schedule(c: &Cast, times: &[&str]) -> Vec<String> {
    let mut ids = vec![];
    for at in times {
        ids.push(
            c.boss
                .post("/api/oneonones", body(&c.boss_p, &c.rep_p, at))
                .await
                .id("oneOnOne"),
        );
    }
    ids
}

fn ids(r: &Res) -> Vec<String> {
    r.body["oneOnOnes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

#[db_test]
async fn pages_never_overlap_or_skip_even_with_equal_times(app: TestApp) {
    let c = cast(&app, "acme").await;
    // 7 at one instant, 5 at another: ties must be broken consistently.
    let mut times = vec!["2025-10-20T14:00:00Z"; 7];
    times.extend(["2025-10-21T09:00:00Z"; 5]);
    let all = schedule(&c, &times).await;
    let mut seen: Vec<String> = vec![];
    for page in 1..=4 {
        let r = c
            .rep
            .get(&format!("/api/oneonones?limit=5&page={page}"))
            .await;
        r.assert_status(200);
        let p = &r.body["pagination"];
        assert_eq!(
            (
                p["totalCount"].as_u64(),
                p["totalPages"].as_u64(),
                p["limit"].as_u64()
            ),
            (Some(12), Some(3), Some(5))
        );
        assert_eq!(p["hasPreviousPage"], page > 1);
        assert_eq!(p["hasNextPage"], page < 3);
        let got = ids(&r);
        assert_eq!(got.len(), [5, 5, 2, 0][page - 1]);
        seen.extend(got);
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 12, "no overlap");
    let mut expected = all.clone();
    expected.sort();
    assert_eq!(unique, expected, "no gap");
    // Default order: latest first, ties by id descending.
    let first: Vec<String> = seen[..5].to_vec();
    let mut later: Vec<String> = all[7..].to_vec();
    later.sort();
    later.reverse();
    assert_eq!(first, later);
}

#[db_test]
async fn date_filters_are_inclusive_at_both_ends(app: TestApp) {
    let c = cast(&app, "acme").await;
    let ids_at = schedule(
        &c,
        &[
            "2025-10-19T23:59:59.999Z",
            "2025-10-20T00:00:00.000Z",
            "2025-10-20T12:00:00.000Z",
            "2025-10-20T23:59:59.999Z",
            "2025-10-21T00:00:00.000Z",
        ],
    )
    .await;
    let got = |q: &str| {
        let app = &app;
        let token = c.boss.token.clone();
        let q = q.to_owned();
        async move {
            let r = app
                .get(
                    &format!("/api/oneonones?sort=scheduledAt:asc&{q}"),
                    Some(&token),
                )
                .await;
            r.assert_status(200);
            ids(&r)
        }
    };
    // A whole UTC day.
    assert_eq!(
        got("scheduledFrom=2025-10-20&scheduledTo=2025-10-20").await,
        ids_at[1..4]
    );
    // Timestamps include themselves.
    assert_eq!(
        got("scheduledFrom=2025-10-20T12:00:00Z&scheduledTo=2025-10-21T00:00:00Z").await,
        ids_at[2..5]
    );
    assert_eq!(
        got("scheduledTo=2025-10-20T00:00:00.000Z").await,
        ids_at[0..2]
    );
    assert_eq!(
        got("scheduledFrom=2025-10-21T02:00:00%2B02:00").await,
        ids_at[4..5],
        "offsets are honoured"
    );
    assert_eq!(got("scheduledFrom=2025-10-22").await, Vec::<String>::new());
}

#[db_test]
async fn search_covers_names_and_notes_literally(app: TestApp) {
    let c = cast(&app, "acme").await;
    let other = app.person(&c.org, "Zoe_Underscore", None).await;
    let a = c
        .boss
        .post(
            "/api/oneonones",
            json!({
                "participant1Id": c.boss_p,
                "participant2Id": c.rep_p,
                "scheduledAt": "2025-10-20T10:00:00Z",
                "notes": "Budget at 100% ok",
            }),
        )
        .await
        .id("oneOnOne");
    let b = c
        .boss
        .post(
            "/api/oneonones",
            json!({
                "participant1Id": c.boss_p,
                "participant2Id": other,
                "scheduledAt": "2025-10-21T10:00:00Z",
            }),
        )
        .await
        .id("oneOnOne");
    let q = |s: &str| format!("/api/oneonones?search={s}");
    assert_eq!(ids(&c.boss.get(&q("JOHN")).await), std::slice::from_ref(&a));
    assert_eq!(ids(&c.boss.get(&q("zoe")).await), std::slice::from_ref(&b));
    assert_eq!(
        ids(&c.boss.get(&q("jane")).await).len(),
        2,
        "the manager's name"
    );
    assert_eq!(
        ids(&c.boss.get(&q("budget")).await),
        std::slice::from_ref(&a),
        "the notes"
    );
    assert_eq!(
        ids(&c.boss.get(&q("%25")).await),
        std::slice::from_ref(&a),
        "% is literal"
    );
    assert_eq!(
        ids(&c.boss.get(&q("_")).await),
        std::slice::from_ref(&b),
        "_ is literal"
    );
    assert_eq!(ids(&c.boss.get(&q("nobody")).await), Vec::<String>::new());
    // The report sees only their own, whatever the search.
    assert_eq!(ids(&c.rep.get(&q("zoe")).await), Vec::<String>::new());
}

#[db_test]
async fn every_sort_field_in_both_directions(app: TestApp) {
    let c = cast(&app, "acme").await;
    let amy = app.person(&c.org, "amy", None).await;
    let zed = app.person(&c.org, "Zed", None).await;
    // Jane (boss) is manager of two; as report of amy/Zed in the others.
    let one = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &zed, "2025-10-22T10:00:00Z"),
        )
        .await
        .id("oneOnOne");
    let two = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &amy, "2025-10-20T10:00:00Z"),
        )
        .await
        .id("oneOnOne");
    let three = c
        .boss
        .post(
            "/api/oneonones",
            body(&amy, &c.boss_p, "2025-10-21T10:00:00Z"),
        )
        .await
        .id("oneOnOne");
    let four = c
        .boss
        .post(
            "/api/oneonones",
            body(&zed, &c.boss_p, "2025-10-23T10:00:00Z"),
        )
        .await
        .id("oneOnOne");
    let sorted = |s: &str| {
        let app = &app;
        let token = c.boss.token.clone();
        let s = s.to_owned();
        async move {
            ids(&app
                .get(&format!("/api/oneonones?sort={s}"), Some(&token))
                .await)
        }
    };
    assert_eq!(
        sorted("scheduledAt:asc").await,
        [two.clone(), three.clone(), one.clone(), four.clone()]
    );
    assert_eq!(
        sorted("scheduledAt:desc").await,
        [four.clone(), one.clone(), three.clone(), two.clone()]
    );
    assert_eq!(
        sorted("scheduledAt").await,
        [two.clone(), three.clone(), one.clone(), four.clone()],
        "asc by default"
    );
    // Managers: amy < Jane Smith (twice) < Zed, case-insensitively; then by time.
    assert_eq!(
        sorted("manager:asc,scheduledAt:asc").await,
        [three.clone(), two.clone(), one.clone(), four.clone()]
    );
    assert_eq!(
        sorted("manager:desc,scheduledAt:desc").await,
        [four.clone(), one.clone(), two.clone(), three.clone()]
    );
    // Reports: amy < Jane Smith (twice) < Zed.
    assert_eq!(
        sorted("report:asc,scheduledAt:desc").await,
        [two.clone(), four.clone(), three.clone(), one.clone()]
    );
    assert_eq!(
        sorted("report:desc,scheduledAt:asc").await,
        [one.clone(), three.clone(), four.clone(), two.clone()]
    );
}

#[db_test]
async fn immutable_filters_override_the_query(app: TestApp) {
    let c = cast(&app, "acme").await;
    let ids_at = schedule(&c, &["2025-10-20T10:00:00Z", "2025-10-25T10:00:00Z"]).await;
    let url = |q: &str| format!("/api/oneonones?{q}");
    let enc = |v: Value| {
        v.to_string()
            .replace('%', "%25")
            .replace('&', "%26")
            .replace('+', "%2B")
            .replace('#', "%23")
    };
    let fixed = enc(json!({"scheduledFrom": "2025-10-24"}));
    let r = c
        .boss
        .get(&url(&format!(
            "scheduledFrom=2025-10-01&immutableFilters={fixed}"
        )))
        .await;
    assert_eq!(ids(&r), ids_at[1..2], "the immutable value wins");
    let fixed = enc(json!({"search": "nobody-matches"}));
    let r = c
        .boss
        .get(&url(&format!("search=john&immutableFilters={fixed}")))
        .await;
    assert_eq!(ids(&r), Vec::<String>::new());
    // Filters it does not fix still apply.
    let fixed = enc(json!({"search": "john"}));
    let r = c
        .boss
        .get(&url(&format!(
            "scheduledTo=2025-10-21&immutableFilters={fixed}"
        )))
        .await;
    assert_eq!(ids(&r), ids_at[0..1]);
    // A malformed parameter is refused also when `immutableFilters` overrides it.
    let fixed = enc(json!({"scheduledFrom": "2025-10-24"}));
    c.boss
        .get(&url(&format!(
            "scheduledFrom=someday&immutableFilters={fixed}"
        )))
        .await
        .assert_field_error("scheduledFrom");
    let fixed = enc(json!({"scheduledTo": "never"}));
    c.boss
        .get(&url(&format!(
            "scheduledTo=2025-10-21&immutableFilters={fixed}"
        )))
        .await
        .assert_field_error("scheduledTo");
    for bad in ["[1,2]", "\"text\"", "not json", "42"] {
        c.boss
            .get(&url(&format!(
                "immutableFilters={}",
                enc(Value::String(bad.into())).trim_matches('"')
            )))
            .await
            .assert_error(400, "Invalid immutableFilters parameter");
    }
    c.boss
        .get(&url(&format!(
            "immutableFilters={}",
            enc(json!({"search": 5}))
        )))
        .await
        .assert_field_error("immutableFilters");
}

#[db_test]
async fn every_malformed_list_parameter_is_a_400(app: TestApp) {
    let c = cast(&app, "acme").await;
    for (q, field) in [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=abc", "page"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("scheduledFrom=yesterday", "scheduledFrom"),
        ("scheduledFrom=2025-10-20T10:00:00", "scheduledFrom"),
        ("scheduledTo=2025-13-01", "scheduledTo"),
        ("sort=notes:asc", "sort"),
        ("sort=scheduledAt:sideways", "sort"),
        ("sort=manager,manager", "sort"),
    ] {
        let r = c.boss.get(&format!("/api/oneonones?{q}")).await;
        r.assert_field_error(field);
    }
    let r = c.boss.get("/api/oneonones?limit=100&page=1").await;
    r.assert_status(200);
    assert_eq!(
        r.body["pagination"],
        json!({
            "page": 1,
            "limit": 100,
            "totalCount": 0,
            "totalPages": 0,
            "hasNextPage": false,
            "hasPreviousPage": false,
        })
    );
}

#[db_test]
async fn the_list_is_the_callers_own_for_admins_too(app: TestApp) {
    let c = cast(&app, "acme").await;
    let admin_p = app.link_admin(&c.org, "Admin Person").await;
    schedule(&c, &["2025-10-20T10:00:00Z"]).await;
    let mine = c
        .org
        .admin
        .post(
            "/api/oneonones",
            body(&admin_p, &c.rep_p, "2025-10-21T10:00:00Z"),
        )
        .await
        .id("oneOnOne");
    let r = c.org.admin.get("/api/oneonones").await;
    assert_eq!(ids(&r), std::slice::from_ref(&mine));
    assert_eq!(
        c.rep.get("/api/oneonones").await.body["pagination"]["totalCount"],
        2
    );
    assert_eq!(
        c.third.get("/api/oneonones").await.body["pagination"]["totalCount"],
        0
    );
    // A person with one-on-ones is not deleted.
    c.org
        .admin
        .delete(&format!("/api/people/{}", c.rep_p))
        .await
        .assert_status(409);
}

/// A NUL byte (PostgreSQL cannot store one in text) or another control character in notes
/// is a 400 naming the field, on create and on update, on both databases; line breaks and
/// tabs stay.
#[db_test]
async fn notes_refuse_control_characters(app: TestApp) {
    let c = cast(&app, "acme").await;
    let mut b = body(&c.boss_p, &c.rep_p, "2031-01-01T10:00:00Z");
    b["notes"] = json!("Agenda\u{0}drop");
    c.boss
        .post("/api/oneonones", b.clone())
        .await
        .assert_field_error("notes");
    b["notes"] = json!("Agenda\n\t- growth\r\n");
    let id = c
        .boss
        .post("/api/oneonones", b.clone())
        .await
        .id("oneOnOne");
    b["notes"] = json!("bell\u{7}");
    c.boss
        .put(&format!("/api/oneonones/{id}"), b)
        .await
        .assert_field_error("notes");
    let o = c.boss.get(&format!("/api/oneonones/{id}")).await;
    assert_eq!(o.body["oneOnOne"]["notes"], "Agenda\n\t- growth\r\n");
}

/// Issue 12, finding 2: an admin unlinked a participant's user, linked their own account to
/// that person, read the one-on-ones as a "participant" (nothing logged), and linked everything
/// back. Now each link change is in the log of each of the person's one-on-ones, and the reads
/// made through the takeover are logged as such; the real participant's reads are not.
#[db_test]
async fn taking_over_a_participant_by_relinking_is_in_the_log(app: TestApp) {
    let c = cast(&app, "acme").await;
    let id = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-20T14:00:00Z"),
        )
        .await
        .id("oneOnOne");
    let path = format!("/api/oneonones/{id}");
    let admin = &c.org.admin;
    let admin_id = app.me(admin).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rep_id = app.me(&c.rep).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let member = |u: &str| format!("/api/organization/members/{u}/person");

    let tick = || app.clock.advance_millis(1000);
    tick();
    admin.delete(&member(&rep_id)).await.assert_status(204);
    tick();
    admin
        .put(&member(&admin_id), json!({"personId": c.rep_p}))
        .await
        .assert_status(200);
    tick();
    admin.get(&path).await.assert_status(200);
    admin.get("/api/oneonones").await.assert_status(200);
    tick();
    admin.delete(&member(&admin_id)).await.assert_status(204);
    tick();
    admin
        .put(&member(&rep_id), json!({"personId": c.rep_p}))
        .await
        .assert_status(200);
    tick();
    // The real participant reads their own one-on-one again: that is not logged.
    c.rep.get(&path).await.assert_status(200);

    for reader in [&c.rep, &c.boss] {
        let r = reader.get(&format!("{path}/access")).await;
        r.assert_status(200);
        let log: Vec<(String, String, String)> = r.body["log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_owned(),
                    e["name"].as_str().unwrap().to_owned(),
                    e["subject"]["name"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let entry = |a: &str, n: &str, s: &str| (a.to_owned(), n.to_owned(), s.to_owned());
        assert_eq!(
            log,
            [
                entry("unlink", "Admin of acme", "John Doe"),
                entry("link", "Admin of acme", "Admin of acme"),
                entry("view-through-link", "Admin of acme", ""),
                entry("unlink", "Admin of acme", "Admin of acme"),
                entry("link", "Admin of acme", "John Doe"),
            ]
        );
        assert_eq!(r.body["log"][0]["person"]["id"], c.rep_p.as_str());
    }
}

/// Issue 12, finding 2: a participant swapped out of a one-on-one by an update is told by
/// email, and the swap is in the log the remaining participants read.
#[db_test]
async fn a_participant_swapped_out_is_told_and_logged(app: TestApp) {
    let c = cast(&app, "acme").await;
    let third_p = app.me(&c.third).await["user"]["personId"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-20T14:00:00Z"),
        )
        .await
        .id("oneOnOne");
    let path = format!("/api/oneonones/{id}");
    app.clock.advance_millis(1000);
    c.boss
        .put(&path, body(&c.boss_p, &third_p, "2025-10-20T14:00:00Z"))
        .await
        .assert_status(200);
    let mails: Vec<_> = app
        .emails_to("john@acme.test")
        .await
        .into_iter()
        .filter(|m| m.subject == "You were taken out of a one-on-one")
        .collect();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0]
            .body
            .contains("Jane Smith (jane@acme.test) changed the one-on-one"),
        "{}",
        mails[0].body
    );
    assert!(mails[0].html.contains("no longer take part"));
    // John can no longer open it; Jane and the new participant read the swap in its log.
    c.rep.get(&path).await.assert_status(404);
    let r = c.third.get(&format!("{path}/access")).await;
    let log = r.body["log"].as_array().unwrap();
    assert_eq!(log.len(), 1, "{}", r.body);
    assert_eq!(log[0]["action"], "participant-removed");
    assert_eq!(log[0]["name"], "Jane Smith");
    assert_eq!(log[0]["person"]["name"], "John Doe");
    // An update that keeps both participants tells nobody.
    c.boss
        .put(&path, body(&c.boss_p, &third_p, "2025-10-21T14:00:00Z"))
        .await
        .assert_status(200);
    assert_eq!(
        app.emails_to("third@acme.test")
            .await
            .iter()
            .filter(|m| m.subject.contains("taken out"))
            .count(),
        0
    );
}

/// The list's `totalCount` is kept between writes (`services::oneonones::Totals`); every
/// write, made through any server on the database, shows in the next list of every other.
#[db_test]
async fn totals_follow_every_write_made_through_another_replica(app: TestApp) {
    let c = cast(&app, "acme").await;
    let third_p = app.me(&c.third).await["user"]["personId"]
        .as_str()
        .unwrap()
        .to_owned();
    let ids = schedule(
        &c,
        &[
            "2025-01-01T10:00:00Z",
            "2025-02-01T10:00:00Z",
            "2025-03-01T10:00:00Z",
        ],
    )
    .await;
    // Accounts first: the replica's mail worker could send their verification emails.
    let other = cast(&app, "other").await;
    let replica = app.replica().await;
    let total = |who: &TestUser, query: &'static str| {
        let (replica, token) = (&replica, who.token.clone());
        async move {
            let r = replica
                .get(&format!("/api/oneonones?{query}"), Some(&token))
                .await;
            r.assert_status(200);
            (
                r.body["pagination"]["totalCount"].as_u64().unwrap(),
                r.body["oneOnOnes"].as_array().unwrap().len(),
            )
        }
    };
    // Read twice on the replica: counted once, then kept.
    assert_eq!(total(&c.boss, "").await, (3, 3));
    assert_eq!(total(&c.boss, "").await, (3, 3));
    assert_eq!(total(&c.rep, "limit=2").await, (3, 2));

    // Written through the first server: a new one, one moved to another pair, one deleted.
    c.boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-04-01T10:00:00Z"),
        )
        .await
        .assert_status(201);
    assert_eq!(total(&c.boss, "").await, (4, 4));
    assert_eq!(total(&c.rep, "limit=2").await, (4, 2));
    c.boss
        .put(
            &format!("/api/oneonones/{}", ids[0]),
            body(&c.boss_p, &third_p, "2025-01-01T10:00:00Z"),
        )
        .await
        .assert_status(200);
    assert_eq!(
        total(&c.rep, "").await,
        (3, 3),
        "moved away from the report"
    );
    assert_eq!(total(&c.third, "").await, (1, 1), "moved to the third");
    assert_eq!(total(&c.boss, "").await, (4, 4));
    c.boss
        .delete(&format!("/api/oneonones/{}", ids[1]))
        .await
        .assert_status(204);
    assert_eq!(total(&c.boss, "").await, (3, 3));
    assert_eq!(total(&c.rep, "").await, (2, 2));
    // A filtered list keeps a total of its own, which follows the writes too.
    let spring = "scheduledFrom=2025-03-01&scheduledTo=2025-12-31";
    assert_eq!(total(&c.boss, spring).await, (2, 2));
    assert_eq!(total(&c.boss, spring).await, (2, 2));
    assert_eq!(total(&c.boss, "search=nothing-matches").await, (0, 0));
    c.boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-05-01T10:00:00Z"),
        )
        .await
        .assert_status(201);
    assert_eq!(total(&c.boss, spring).await, (3, 3));
    assert_eq!(
        total(&c.boss, "scheduledFrom=2025-01-01&scheduledTo=2025-02-28").await,
        (1, 1),
        "another window, counted as asked"
    );
    assert_eq!(total(&c.boss, "").await, (4, 4));

    // Another organization's writes leave these totals alone, and theirs are their own.
    schedule(&other, &["2025-05-01T10:00:00Z"]).await;
    assert_eq!(total(&c.boss, "").await, (4, 4));
    assert_eq!(total(&other.boss, "").await, (1, 1));
}

/// A sort by name reads names row by row for a short history or a search, and the
/// organization's people at once for a long one (`repo::oneonones::MANY_FOR_NAMES`, chosen from
/// the kept total): both give the same pages, in the order of the lowercased name, then by id.
#[db_test]
async fn sorting_a_long_history_by_name_pages_the_same_either_way(app: TestApp) {
    let c = cast(&app, "acme").await;
    let mut others = vec![];
    for name in ["bob Zed", "Alice Young", "alice young", "Émile", "carol"] {
        others.push((name, app.person(&c.org, name, None).await));
    }
    // 210 one-on-ones: the boss is the manager in most, the report in every seventh.
    for i in 0..210 {
        let (_, other) = &others[i % others.len()];
        let at = format!("2025-01-{:02}T{:02}:00:00Z", 1 + i % 28, i % 24);
        let (m, r) = if i % 7 == 0 {
            (other.as_str(), c.boss_p.as_str())
        } else {
            (c.boss_p.as_str(), other.as_str())
        };
        c.org
            .admin
            .post("/api/oneonones", body(m, r, &at))
            .await
            .assert_status(201);
    }
    for sort in ["report:asc", "report:desc", "manager:asc,scheduledAt:desc"] {
        // A search is always counted and sorted row by row; this one matches every
        // one-on-one (all their notes say "Q4"), so both must give the same pages.
        let pages = |search: &'static str| {
            let boss = &c.boss;
            async move {
                let mut rows: Vec<(String, String, String)> = vec![];
                for page in 1..=5 {
                    let r = boss
                        .get(&format!(
                            "/api/oneonones?sort={sort}&limit=50&page={page}{search}"
                        ))
                        .await;
                    r.assert_status(200);
                    assert_eq!(r.body["pagination"]["totalCount"], 210);
                    for o in r.body["oneOnOnes"].as_array().unwrap() {
                        rows.push((
                            o["id"].as_str().unwrap().to_owned(),
                            o["manager"]["name"].as_str().unwrap().to_owned(),
                            o["report"]["name"].as_str().unwrap().to_owned(),
                        ));
                    }
                }
                rows
            }
        };
        let counted = pages("&search=Q4").await;
        pages("").await; // the total is kept from here on
        let kept = pages("").await;
        assert_eq!(counted.len(), 210);
        assert_eq!(counted, kept, "{sort}: both ways give the same pages");
        let key = |row: &(String, String, String)| {
            if sort.starts_with("report") {
                row.2.to_lowercase()
            } else {
                row.1.to_lowercase()
            }
        };
        let mut names: Vec<String> = counted.iter().map(key).collect();
        let seen = names.clone();
        names.sort();
        if sort.split(',').next().is_some_and(|k| k.ends_with("desc")) {
            names.reverse();
        }
        assert_eq!(seen, names, "{sort}: in the order of the lowercased names");
    }
}

/// A `PUT` of `body` with `If-Match: tag`.
async fn put_if(app: &TestApp, who: &TestUser, path: &str, tag: &str, body: &Value) -> Res {
    app.send(
        app.request(reqwest::Method::PUT, path)
            .bearer_auth(&who.token)
            .header("if-match", tag)
            .json(body),
    )
    .await
}

fn tag(r: &Res) -> String {
    r.headers
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_owned()
}

/// Issue 26: nobody's save silently wipes a colleague's. The one-on-one carries its version
/// as an `ETag`; a change sent with `If-Match` naming an older one is a 412 with how it is now
/// and who changed it, and changes nothing. Without `If-Match` a change works as before.
#[db_test]
async fn a_change_made_against_an_old_version_is_refused_and_changes_nothing(app: TestApp) {
    let c = cast(&app, "acme").await;
    let created = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-21T14:00:00Z"),
        )
        .await;
    created.assert_status(201);
    assert_eq!(tag(&created), "\"1\"");
    let id = created.body["oneOnOne"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/oneonones/{id}");
    let read = c.rep.get(&path).await;
    assert_eq!(tag(&read), "\"1\"");

    // Both read version 1; Jane saves first.
    let mut first = body(&c.boss_p, &c.rep_p, "2025-10-21T14:00:00Z");
    first["notes"] = json!("Jane's agenda");
    let saved = put_if(&app, &c.boss, &path, "\"1\"", &first).await;
    saved.assert_status(200);
    assert_eq!(tag(&saved), "\"2\"");

    // John's save, made on version 1, is refused with the current state and who changed it.
    let mut second = body(&c.boss_p, &c.rep_p, "2025-10-21T14:00:00Z");
    second["notes"] = json!("John's agenda");
    let stale = put_if(&app, &c.rep, &path, "\"1\"", &second).await;
    stale.assert_status(412);
    assert_eq!(stale.body["code"], "precondition_failed");
    assert_eq!(
        stale.body["error"],
        "This one-on-one was changed since you read it; nothing was saved. Here is how it is now."
    );
    assert_eq!(stale.body["current"]["oneOnOne"]["notes"], "Jane's agenda");
    assert_eq!(stale.body["changedBy"], "Jane Smith");
    assert_eq!(tag(&stale), "\"2\"");
    let now = c.rep.get(&path).await;
    assert_eq!(now.body["oneOnOne"]["notes"], "Jane's agenda");
    assert_eq!(tag(&now), "\"2\"");

    // A tag that is not ours never matches; `*` and no `If-Match` at all do.
    for bad in ["W/\"2\"", "2", "\"x\"", "\"1\", \"3\""] {
        put_if(&app, &c.rep, &path, bad, &second)
            .await
            .assert_status(412);
    }
    let r = put_if(&app, &c.rep, &path, "\"1\", \"2\"", &second).await;
    r.assert_status(200);
    assert_eq!(tag(&r), "\"3\"");
    let r = put_if(&app, &c.boss, &path, "*", &first).await;
    r.assert_status(200);
    let r = c.boss.put(&path, second.clone()).await;
    r.assert_status(200);
    assert_eq!(tag(&r), "\"5\"");

    // The order of answers: whoever may not see it gets its 404, not a 412; a stale write is
    // a 412 before its body is judged (a body that cannot be read at all is a 400 first).
    let other = app.org("globex").await;
    let r = put_if(&app, &other.admin, &path, "\"1\"", &first).await;
    r.assert_status(404);
    let r = app
        .send(
            app.request(reqwest::Method::PUT, &path)
                .bearer_auth(&c.boss.token)
                .header("if-match", "\"1\"")
                .json(&json!({"notes": "No participants named"})),
        )
        .await;
    r.assert_status(412);
    let _ = &c.third;
}

/// Two saves of one version at the same moment: exactly one is applied.
#[db_test]
async fn two_saves_of_one_version_at_once_apply_exactly_one(app: TestApp) {
    let c = cast(&app, "acme").await;
    let created = c
        .boss
        .post(
            "/api/oneonones",
            body(&c.boss_p, &c.rep_p, "2025-10-21T14:00:00Z"),
        )
        .await;
    let id = created.body["oneOnOne"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/oneonones/{id}");
    let with_notes = |notes: &str| {
        let mut b = body(&c.boss_p, &c.rep_p, "2025-10-21T14:00:00Z");
        b["notes"] = json!(notes);
        b
    };
    let (jane, john) = (with_notes("From Jane"), with_notes("From John"));
    let (a, b) = tokio::join!(
        put_if(&app, &c.boss, &path, "\"1\"", &jane),
        put_if(&app, &c.rep, &path, "\"1\"", &john)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let winner = if a.status == 200 {
        "From Jane"
    } else {
        "From John"
    };
    assert_eq!(c.boss.get(&path).await.body["oneOnOne"]["notes"], winner);
}

/// Issue 28: admins list every one-on-one of their organization — who and when, never the
/// notes — filtered by person and dates, latest first; opening one from it is logged as any
/// admin's opening is. Members are refused; another organization's never show.
#[db_test]
async fn admins_list_every_one_on_one_of_the_organization(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (pat, pat_p) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let sam = app.person(&acme, "Sam", None).await;
    let kim = app.person(&acme, "Kim", None).await;
    let day = 24 * 3600 * 1000;
    let now = app.clock_now();
    let mut made = vec![];
    for (i, (a, b)) in [(&pat_p, &sam), (&sam, &kim), (&pat_p, &kim)]
        .into_iter()
        .enumerate()
    {
        let at = manageros_core::Timestamp::from_millis(now + (i as i64 + 1) * day);
        let r = acme
            .admin
            .post(
                "/api/oneonones",
                json!({"participant1Id": a, "participant2Id": b,
                    "scheduledAt": at.to_rfc3339(), "notes": "SECRET"}),
            )
            .await;
        r.assert_status(201);
        made.push(r.id("oneOnOne"));
    }
    let g = app.person(&globex, "G", None).await;
    let h = app.person(&globex, "H", None).await;
    globex
        .admin
        .post(
            "/api/oneonones",
            json!({"participant1Id": g, "participant2Id": h,
                "scheduledAt": manageros_core::Timestamp::from_millis(now + day).to_rfc3339()}),
        )
        .await
        .assert_status(201);

    let ids = |r: &crate::harness::Res| -> Vec<String> {
        r.body["oneOnOnes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = acme.admin.get("/api/organization/oneonones").await;
    all.assert_status(200);
    assert_eq!(
        ids(&all),
        vec![made[2].clone(), made[1].clone(), made[0].clone()]
    );
    assert!(!all.body.to_string().contains("SECRET"), "never the notes");
    assert_eq!(all.body["oneOnOnes"][0]["managerName"], "Pat");
    let sams = acme
        .admin
        .get(&format!("/api/organization/oneonones?personId={sam}"))
        .await;
    assert_eq!(ids(&sams), vec![made[1].clone(), made[0].clone()]);
    let to = manageros_core::Timestamp::from_millis(now + 2 * day).to_rfc3339();
    let from = manageros_core::Timestamp::from_millis(now + 2 * day - 1).to_rfc3339();
    let window = acme
        .admin
        .get(&format!(
            "/api/organization/oneonones?scheduledFrom={}&scheduledTo={}",
            urlencoding(&from),
            urlencoding(&to)
        ))
        .await;
    assert_eq!(ids(&window), vec![made[1].clone()]);
    acme.admin
        .get("/api/organization/oneonones?scheduledFrom=soon")
        .await
        .assert_field_error("scheduledFrom");
    acme.admin
        .get(&format!("/api/organization/oneonones?personId={g}"))
        .await
        .assert_error(404, "Person not found or access denied");
    pat.get("/api/organization/oneonones").await.assert_error(
        403,
        "Only organization admins can view all of the organization's one-on-ones",
    );
    // Opening one the admin does not take part in is in its access log for its two people.
    let before = pat.get(&format!("/api/oneonones/{}/access", made[0])).await;
    assert_eq!(before.body["log"], json!([]), "listing opens nothing");
    acme.admin
        .get(&format!("/api/oneonones/{}", made[0]))
        .await
        .assert_status(200);
    let log = pat.get(&format!("/api/oneonones/{}/access", made[0])).await;
    assert_eq!(log.body["log"].as_array().unwrap().len(), 1, "{}", log.body);
}

fn urlencoding(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
