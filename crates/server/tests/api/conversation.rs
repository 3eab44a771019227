//! The conversation of a one-on-one (docs/API.md §6.1–6.3): talking points and carry-over,
//! action items, private notes, the series of a pair with its cadence, and calendars. Each
//! rule is tried by a participant, the other participant, an admin, another member and
//! another organization.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

const DAY: i64 = 24 * 3600 * 1000;
const ONEONONE_404: &str = "One-on-one not found or you do not have access to it";

struct Cast {
    org: TestOrg,
    boss: TestUser,
    boss_p: String,
    rep: TestUser,
    rep_p: String,
    third: TestUser,
    third_p: String,
}

async fn cast(app: &TestApp, slug: &str) -> Cast {
    let org = app.org(slug).await;
    let (boss, boss_p) = app
        .linked_member(&org, "Jane Smith", &format!("jane@{slug}.test"))
        .await;
    let (rep, rep_p) = app
        .linked_member(&org, "John Doe", &format!("john@{slug}.test"))
        .await;
    let (third, third_p) = app
        .linked_member(&org, "Third Person", &format!("third@{slug}.test"))
        .await;
    Cast {
        org,
        boss,
        boss_p,
        rep,
        rep_p,
        third,
        third_p,
    }
}

/// An RFC 3339 time `days` from the test clock's now.
fn at(app: &TestApp, days: i64) -> String {
    manageros_core::Timestamp::from_millis(app.clock_now() + days * DAY).to_rfc3339()
}

async fn schedule(app: &TestApp, by: &TestUser, m: &str, r: &str, days: i64) -> String {
    let res = by
        .post(
            "/api/oneonones",
            json!({"participant1Id": m, "participant2Id": r, "scheduledAt": at(app, days), "notes": "Shared notes"}),
        )
        .await;
    res.assert_status(201);
    res.body["oneOnOne"]["id"].as_str().unwrap().to_owned()
}

async fn add(user: &TestUser, o: &str, text: &str) -> String {
    let r = user
        .post(
            &format!("/api/oneonones/{o}/talking-points"),
            json!({"text": text}),
        )
        .await;
    r.assert_status(201);
    r.body["talkingPoint"]["id"].as_str().unwrap().to_owned()
}

async fn texts(user: &TestUser, o: &str) -> Vec<String> {
    let r = user
        .get(&format!("/api/oneonones/{o}/talking-points"))
        .await;
    r.assert_status(200);
    r.body["talkingPoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect()
}

#[db_test]
async fn talking_points_are_the_two_participants_agenda(app: TestApp) {
    let c = cast(&app, "acme").await;
    let o = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 2).await;
    let points = format!("/api/oneonones/{o}/talking-points");

    // Both participants add points; each has its author.
    let first = add(&c.boss, &o, "Q4 goals").await;
    let second = add(&c.rep, &o, "Promotion path").await;
    let r = c.rep.get(&points).await;
    r.assert_status(200);
    let list = r.body["talkingPoints"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["text"], "Q4 goals");
    assert_eq!(list[0]["authorName"], "Jane Smith");
    assert_eq!(list[0]["authorId"], c.boss_p.as_str());
    assert_eq!(list[1]["authorName"], "John Doe");
    assert_eq!(list[0]["done"], false);

    // Either checks off or edits any point; the agenda is shared.
    let r = c
        .rep
        .patch(&format!("{points}/{first}"), json!({"done": true}))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["talkingPoint"]["done"], true);
    assert!(r.body["talkingPoint"]["doneAt"].as_str().is_some());
    c.boss
        .patch(
            &format!("{points}/{second}"),
            json!({"text": "Promotion path, H1"}),
        )
        .await
        .assert_status(200);

    // Reordered: exactly the points, each once.
    let r = c
        .boss
        .put(&format!("{points}/order"), json!({"ids": [second, first]}))
        .await;
    r.assert_status(200);
    assert_eq!(texts(&c.boss, &o).await, ["Promotion path, H1", "Q4 goals"]);
    for bad in [
        json!({"ids": [first]}),
        json!({"ids": [first, first]}),
        json!({"ids": [first, second, "point_nope"]}),
        json!({}),
    ] {
        c.boss
            .put(&format!("{points}/order"), bad)
            .await
            .assert_error(400, "List each talking point of this one-on-one once");
    }

    // Text is one line of 1–500 characters.
    for bad in [
        json!({"text": ""}),
        json!({"text": "a\nb"}),
        json!({"text": "x".repeat(501)}),
        json!({}),
    ] {
        c.boss.post(&points, bad).await.assert_field_error("text");
    }
    c.boss
        .patch(&format!("{points}/{first}"), json!({"text": null}))
        .await
        .assert_field_error("text");
    c.boss
        .patch(&format!("{points}/{first}"), json!({"done": null}))
        .await
        .assert_error(400, "Done must be true or false");
    assert_eq!(texts(&c.boss, &o).await.len(), 2, "nothing half-written");

    // An admin who does not take part reads the agenda (and that look is logged) but does
    // not write it; another member and another organization learn nothing.
    let admin = &c.org.admin;
    assert_eq!(texts(admin, &o).await.len(), 2);
    let log = c.boss.get(&format!("/api/oneonones/{o}/access")).await;
    assert_eq!(log.body["log"].as_array().unwrap().len(), 1);
    admin
        .post(&points, json!({"text": "From the admin"}))
        .await
        .assert_error(
            403,
            "You do not have permission to change the talking points of this one-on-one",
        );
    admin
        .patch(&format!("{points}/{first}"), json!({"done": false}))
        .await
        .assert_status(403);
    c.third.get(&points).await.assert_error(404, ONEONONE_404);
    c.third
        .post(&points, json!({"text": "x"}))
        .await
        .assert_error(404, ONEONONE_404);
    c.third
        .delete(&format!("{points}/{first}"))
        .await
        .assert_error(404, ONEONONE_404);
    let other = app.org("globex").await;
    other
        .admin
        .get(&points)
        .await
        .assert_error(404, ONEONONE_404);
    other
        .admin
        .delete(&format!("{points}/{first}"))
        .await
        .assert_error(404, ONEONONE_404);
    // A point of another one-on-one is not found through this one.
    let elsewhere = schedule(&app, &c.boss, &c.boss_p, &c.third_p, 3).await;
    let foreign = add(&c.boss, &elsewhere, "Elsewhere").await;
    c.boss
        .patch(&format!("{points}/{foreign}"), json!({"done": true}))
        .await
        .assert_error(404, "Talking point not found");

    // Deleted by a participant.
    c.rep
        .delete(&format!("{points}/{second}"))
        .await
        .assert_status(204);
    assert_eq!(texts(&c.boss, &o).await, ["Q4 goals"]);
}

#[db_test]
async fn an_agenda_holds_at_most_a_hundred_points(app: TestApp) {
    let c = cast(&app, "acme").await;
    let o = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 2).await;
    for i in 0..100 {
        add(&c.boss, &o, &format!("Point {i}")).await;
    }
    c.rep
        .post(
            &format!("/api/oneonones/{o}/talking-points"),
            json!({"text": "One more"}),
        )
        .await
        .assert_error(400, "A one-on-one holds at most 100 talking points");
}

/// The limit holds when both participants add at once (issue 27): with room for two more,
/// of ten adds sent together exactly two are kept, on PostgreSQL as on SQLite.
#[db_test]
async fn concurrent_adds_never_take_an_agenda_past_a_hundred(app: TestApp) {
    let c = cast(&app, "acme").await;
    let o = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 2).await;
    for i in 0..98 {
        add(&c.boss, &o, &format!("Point {i}")).await;
    }
    let path = format!("/api/oneonones/{o}/talking-points");
    let adds = (0..10).map(|i| {
        let who = if i % 2 == 0 { &c.boss } else { &c.rep };
        let path = path.clone();
        async move { who.post(&path, json!({"text": format!("Race {i}")})).await }
    });
    let answers = futures_util::future::join_all(adds).await;
    let kept = answers.iter().filter(|r| r.status == 201).count();
    assert_eq!(
        kept,
        2,
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|r| r.status == 201 || r.status == 400));
    let agenda = c.boss.get(&path).await;
    assert_eq!(agenda.body["talkingPoints"].as_array().unwrap().len(), 100);
}

#[db_test]
async fn unchecked_points_carry_over_to_the_pairs_next_one_on_one_once(app: TestApp) {
    let c = cast(&app, "acme").await;
    // Last week's one-on-one: one point discussed, two not.
    let past = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, -7).await;
    let done = add(&c.boss, &past, "Discussed").await;
    add(&c.rep, &past, "Open one").await;
    add(&c.boss, &past, "Open two").await;
    c.boss
        .patch(
            &format!("/api/oneonones/{past}/talking-points/{done}"),
            json!({"done": true}),
        )
        .await
        .assert_status(200);
    // A one-on-one of another pair is not touched.
    let other_pair = schedule(&app, &c.boss, &c.boss_p, &c.third_p, -7).await;
    add(&c.boss, &other_pair, "Third's point").await;

    // The pair's next one-on-one takes the open points, marked as carried over.
    let next = schedule(&app, &c.rep, &c.rep_p, &c.boss_p, 7).await;
    let r = c
        .boss
        .get(&format!("/api/oneonones/{next}/talking-points"))
        .await;
    let list = r.body["talkingPoints"].as_array().unwrap();
    assert_eq!(
        list.iter()
            .map(|p| p["text"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["Open one", "Open two"]
    );
    assert!(list.iter().all(|p| p["carriedOverFrom"] == past.as_str()));
    assert_eq!(list[0]["authorName"], "John Doe", "the author stays");
    assert_eq!(texts(&c.boss, &past).await, ["Discussed"]);
    assert_eq!(texts(&c.boss, &other_pair).await, ["Third's point"]);

    // Another one later in the series does not take them again, nor does reading twice.
    let later = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 14).await;
    assert!(texts(&c.boss, &later).await.is_empty());
    assert_eq!(texts(&c.rep, &next).await.len(), 2);

    // One scheduled before the next becomes the next: the carried points move to it, the
    // points written on the later one stay there.
    let mine = add(&c.boss, &next, "Written for next").await;
    let sooner = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 3).await;
    assert_eq!(texts(&c.boss, &sooner).await, ["Open one", "Open two"]);
    assert_eq!(texts(&c.boss, &next).await, ["Written for next"]);

    // When the sooner one is over (two hours after it starts), what was left open moves on.
    app.clock.advance_millis(3 * DAY + 3 * 3600 * 1000);
    let r = c
        .boss
        .get(&format!("/api/oneonones/{next}/talking-points"))
        .await;
    let moved: Vec<&str> = r.body["talkingPoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(moved, ["Written for next", "Open one", "Open two"]);
    let _ = mine;
}

/// Where the store keeps a one-on-one's points (to see that a read moved nothing).
async fn stored(app: &TestApp, org: &str, o: &str) -> Vec<String> {
    let org = manageros_core::OrgId::parse(org).unwrap();
    let o = manageros_core::OneOnOneId::parse(o).unwrap();
    manageros_store::repo::conversation::points(&app.state.db, &org, &o)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.body)
        .collect()
}

/// Issue 25: a GET never writes. Once a one-on-one is over, reading the pair's next agenda
/// shows its open points there (and no longer on the one that is over), but moves nothing;
/// the next write to the agenda carries them for real, and finds what the reader was shown,
/// so the carried point can be checked off at once.
#[db_test]
async fn reading_an_agenda_moves_nothing_and_the_next_write_finds_what_it_showed(app: TestApp) {
    let c = cast(&app, "acme").await;
    let today = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 0).await;
    let open = add(&c.rep, &today, "Open one").await;
    let next = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 7).await;
    assert_eq!(texts(&c.boss, &next).await, Vec::<String>::new());

    // Today's one-on-one is over (two hours after it started).
    app.clock.advance_millis(3 * 3600 * 1000);
    for _ in 0..2 {
        assert_eq!(texts(&c.boss, &next).await, ["Open one"]);
        assert_eq!(texts(&c.rep, &today).await, Vec::<String>::new());
    }
    let r = c
        .boss
        .get(&format!("/api/oneonones/{next}/talking-points"))
        .await;
    assert_eq!(
        r.body["talkingPoints"][0]["carriedOverFrom"],
        today.as_str()
    );
    // The page reads the same way: it shows the point and moves nothing.
    let page = app
        .request(reqwest::Method::GET, &format!("/oneonones/{next}"))
        .header("cookie", format!("manageros_session={}", c.boss.token))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Open one"));
    assert_eq!(stored(&app, &c.org.id, &today).await, ["Open one"]);
    assert!(stored(&app, &c.org.id, &next).await.is_empty());

    // The first write to the agenda carries it: the point shown on the next one-on-one is
    // there to be checked off.
    c.boss
        .patch(
            &format!("/api/oneonones/{next}/talking-points/{open}"),
            json!({"done": true}),
        )
        .await
        .assert_status(200);
    assert!(stored(&app, &c.org.id, &today).await.is_empty());
    assert_eq!(stored(&app, &c.org.id, &next).await, ["Open one"]);
    add(&c.rep, &next, "Written after").await;
    assert_eq!(texts(&c.rep, &next).await, ["Open one", "Written after"]);
}

/// Deleting a one-on-one that is over keeps the open points its pair's next one-on-one was
/// already showing (they move there before its agenda goes with it).
#[db_test]
async fn deleting_a_one_on_one_that_is_over_keeps_what_the_next_one_shows(app: TestApp) {
    let c = cast(&app, "acme").await;
    let today = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 0).await;
    add(&c.rep, &today, "Open one").await;
    let next = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 7).await;
    app.clock.advance_millis(3 * 3600 * 1000);
    assert_eq!(texts(&c.boss, &next).await, ["Open one"]);
    c.boss
        .delete(&format!("/api/oneonones/{today}"))
        .await
        .assert_status(204);
    assert_eq!(texts(&c.boss, &next).await, ["Open one"]);
    assert_eq!(stored(&app, &c.org.id, &next).await, ["Open one"]);
}

#[db_test]
async fn two_next_one_on_ones_created_at_once_share_the_points_without_copies(app: TestApp) {
    let c = cast(&app, "acme").await;
    let past = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, -7).await;
    for i in 0..10 {
        add(&c.boss, &past, &format!("Open {i}")).await;
    }
    let (a, b) = tokio::join!(
        schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 7),
        schedule(&app, &c.rep, &c.rep_p, &c.boss_p, 7),
    );
    let mut all = texts(&c.boss, &a).await;
    all.extend(texts(&c.boss, &b).await);
    all.extend(texts(&c.boss, &past).await);
    all.sort();
    let expected: Vec<String> = (0..10).map(|i| format!("Open {i}")).collect();
    assert_eq!(all, expected, "each point exactly once");
    assert!(texts(&c.boss, &past).await.is_empty());
}

#[db_test]
async fn a_talking_point_becomes_an_action_item_until_done(app: TestApp) {
    let c = cast(&app, "acme").await;
    let o = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, -1).await;
    let point = add(&c.boss, &o, "Write the design doc").await;
    let task_path = format!("/api/oneonones/{o}/talking-points/{point}/task");

    // Refusals first: an admin who does not take part, another member, another org, an
    // assignee who is not one of the two.
    c.org.admin.post(&task_path, json!({})).await.assert_error(
        403,
        "You do not have permission to add action items to this one-on-one",
    );
    c.third
        .post(&task_path, json!({}))
        .await
        .assert_error(404, ONEONONE_404);
    let other = app.org("globex").await;
    other
        .admin
        .post(&task_path, json!({}))
        .await
        .assert_error(404, ONEONONE_404);
    c.boss
        .post(
            &format!("/api/oneonones/{o}/talking-points/point_00000000000000000000000000/task"),
            json!({}),
        )
        .await
        .assert_error(404, "Talking point not found");
    c.boss
        .post(&task_path, json!({"assigneeId": c.third_p}))
        .await
        .assert_error(
            400,
            "An action item is assigned to one of the two participants",
        );
    c.boss
        .post(
            &task_path,
            json!({"assigneeId": c.rep_p, "dueDate": "soon"}),
        )
        .await
        .assert_field_error("dueDate");

    let due = app.clock_date(5);
    let r = c
        .boss
        .post(&task_path, json!({"assigneeId": c.rep_p, "dueDate": due}))
        .await;
    r.assert_status(201);
    let task = &r.body["task"];
    let task_id = task["id"].as_str().unwrap().to_owned();
    assert_eq!(task["title"], "Write the design doc");
    assert_eq!(task["assigneeId"], c.rep_p.as_str());
    assert_eq!(task["oneOnOneId"], o.as_str());
    assert_eq!(task["status"], "todo");
    // It is an ordinary task: the organization's task list has it, linked back.
    let t = c.third.get(&format!("/api/tasks/{task_id}")).await;
    assert_eq!(t.body["task"]["oneOnOneId"], o.as_str());
    // The point is checked off and names its task; a second time is refused.
    let r = c
        .rep
        .get(&format!("/api/oneonones/{o}/talking-points"))
        .await;
    assert_eq!(r.body["talkingPoints"][0]["done"], true);
    assert_eq!(r.body["talkingPoints"][0]["taskId"], task_id.as_str());
    c.rep
        .post(&task_path, json!({}))
        .await
        .assert_error(409, "This talking point is already a task");

    // The pair's next one-on-one shows the open action item, not the checked point.
    let next = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 7).await;
    let r = c
        .rep
        .get(&format!("/api/oneonones/{next}/talking-points"))
        .await;
    assert!(r.body["talkingPoints"].as_array().unwrap().is_empty());
    let items = r.body["actionItems"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["taskId"], task_id.as_str());
    assert_eq!(items[0]["assigneeName"], "John Doe");
    assert_eq!(items[0]["oneOnOneId"], o.as_str());
    // Not on another pair's one-on-one.
    let elsewhere = schedule(&app, &c.boss, &c.boss_p, &c.third_p, 7).await;
    let r = c
        .boss
        .get(&format!("/api/oneonones/{elsewhere}/action-items"))
        .await;
    assert!(r.body["actionItems"].as_array().unwrap().is_empty());

    // Done: no longer open.
    c.rep
        .patch(&format!("/api/tasks/{task_id}"), json!({"status": "done"}))
        .await
        .assert_status(200);
    let r = c
        .boss
        .get(&format!("/api/oneonones/{next}/action-items"))
        .await;
    assert!(r.body["actionItems"].as_array().unwrap().is_empty());

    // Deleting the one-on-one keeps the task, unlinked.
    c.boss
        .delete(&format!("/api/oneonones/{o}"))
        .await
        .assert_status(204);
    let t = c.boss.get(&format!("/api/tasks/{task_id}")).await;
    t.assert_status(200);
    assert_eq!(t.body["task"]["oneOnOneId"], Value::Null);
}

#[db_test]
async fn private_notes_are_read_by_their_author_only(app: TestApp) {
    let c = cast(&app, "acme").await;
    let o = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 1).await;
    let path = format!("/api/oneonones/{o}/private-notes");

    let r = c.boss.get(&path).await;
    r.assert_status(200);
    assert_eq!(r.body["notes"], Value::Null);
    let r = c
        .boss
        .put(&path, json!({"notes": "Seems tired; ask about workload"}))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["notes"], "Seems tired; ask about workload");
    c.rep
        .put(&path, json!({"notes": "Ask for the conference budget"}))
        .await
        .assert_status(200);

    // Each reads their own, never the other's.
    assert_eq!(
        c.boss.get(&path).await.body["notes"],
        "Seems tired; ask about workload"
    );
    assert_eq!(
        c.rep.get(&path).await.body["notes"],
        "Ask for the conference budget"
    );
    // Not in the one-on-one, not in the agenda.
    let one = c.rep.get(&format!("/api/oneonones/{o}")).await;
    assert!(!one.body.to_string().contains("tired"));

    // An admin (who may open the one-on-one) is refused outright; others learn nothing.
    c.org.admin.get(&path).await.assert_error(
        403,
        "You do not have permission to keep private notes on this one-on-one",
    );
    c.org
        .admin
        .put(&path, json!({"notes": "x"}))
        .await
        .assert_status(403);
    c.third.get(&path).await.assert_error(404, ONEONONE_404);
    let other = app.org("globex").await;
    other.admin.get(&path).await.assert_error(404, ONEONONE_404);

    // A NUL byte or too much text is a 400, and nothing changes.
    c.boss
        .put(&path, json!({"notes": "a\u{0}b"}))
        .await
        .assert_field_error("notes");
    c.boss
        .put(&path, json!({"notes": "x".repeat(20_001)}))
        .await
        .assert_field_error("notes");
    assert_eq!(
        c.boss.get(&path).await.body["notes"],
        "Seems tired; ask about workload"
    );

    // Empty removes them.
    let r = c.boss.put(&path, json!({"notes": ""})).await;
    assert_eq!(r.body["notes"], Value::Null);

    // The receipt says who reads private notes.
    let r = c.rep.get(&format!("/api/oneonones/{o}/access")).await;
    assert_eq!(r.body["privateNotes"], "Only their author");

    // A user unlinked from their person no longer takes part, and so reads nothing.
    c.org
        .admin
        .delete(&format!("/api/organization/members/{}/person", c.rep.id))
        .await
        .assert_status(204);
    c.rep
        .get(&path)
        .await
        .assert_error(403, "No person record found for current user");
}

#[db_test]
async fn the_series_of_a_pair_with_its_cadence(app: TestApp) {
    let c = cast(&app, "acme").await;
    let mut ids = vec![];
    for days in [-21, -14, -7] {
        ids.push(schedule(&app, &c.boss, &c.boss_p, &c.rep_p, days).await);
    }
    schedule(&app, &c.boss, &c.boss_p, &c.third_p, -3).await;
    c.boss
        .put(
            &format!("/api/oneonones/{}", ids[0]),
            json!({"participant1Id": c.rep_p, "participant2Id": c.boss_p, "scheduledAt": at(&app, -21), "notes": "Roadmap talk"}),
        )
        .await
        .assert_status(200);
    let series = format!("/api/oneonones/series/{}", c.rep_p);

    let r = c.boss.get(&series).await;
    r.assert_status(200);
    assert_eq!(r.body["with"]["name"], "John Doe");
    let listed: Vec<&str> = r.body["oneOnOnes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [&ids[2], &ids[1], &ids[0]],
        "newest first, both orders of the pair"
    );
    assert_eq!(r.body["pagination"]["totalCount"], 3);
    assert_eq!(r.body["cadence"], Value::Null);
    assert_eq!(r.body["proposedNextAt"], Value::Null);
    assert_eq!(r.body["lastOneOnOneAt"], at(&app, -7));

    // Searchable, paged.
    let r = c.boss.get(&format!("{series}?search=roadmap")).await;
    assert_eq!(r.body["pagination"]["totalCount"], 1);
    let r = c.boss.get(&format!("{series}?limit=2&page=2")).await;
    assert_eq!(r.body["oneOnOnes"].as_array().unwrap().len(), 1);

    // The report sees the same series from the other side.
    assert_eq!(
        c.rep
            .get(&format!("/api/oneonones/series/{}", c.boss_p))
            .await
            .body["pagination"]["totalCount"],
        3
    );

    // A cadence proposes the next date: one week after the last, as nothing is scheduled.
    let r = c
        .rep
        .put(
            &format!("/api/oneonones/series/{}/cadence", c.boss_p),
            json!({"cadence": "weekly"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["cadence"], "weekly");
    let r = c.boss.get(&series).await;
    assert_eq!(r.body["cadence"], "weekly");
    let proposed = r.body["proposedNextAt"].as_str().unwrap();
    assert_eq!(&proposed[..10], &at(&app, 0)[..10]);
    c.boss
        .put(&format!("{series}/cadence"), json!({"cadence": "daily"}))
        .await
        .assert_error(
            400,
            "Cadence must be one of: weekly, every-two-weeks, monthly",
        );

    // The cadence report flags the pair: a weekly pair whose last one-on-one was a week ago
    // is due, and overdue days later.
    let report = c
        .org
        .admin
        .post(
            "/api/reports",
            json!({"name": "Cadence", "kind": "oneonone-cadence"}),
        )
        .await
        .id("report");
    let run = || async {
        let r = c
            .org
            .admin
            .post(&format!("/api/reports/{report}/run"), json!({}))
            .await;
        r.assert_status(200);
        r.body["rows"].as_array().unwrap().clone()
    };
    let rows = run().await;
    let pair = rows
        .iter()
        .find(|r| r["reportId"] == c.rep_p.as_str())
        .unwrap();
    assert_eq!(pair["cadence"], "weekly");
    assert_eq!(pair["overdue"], false);
    let third = rows
        .iter()
        .find(|r| r["reportId"] == c.third_p.as_str())
        .unwrap();
    assert_eq!(third["cadence"], Value::Null);
    assert_eq!(third["overdue"], false);
    app.clock.advance_millis(5 * DAY);
    let rows = run().await;
    let pair = rows
        .iter()
        .find(|r| r["reportId"] == c.rep_p.as_str())
        .unwrap();
    assert_eq!(pair["overdue"], true);

    // Refusals: oneself, a stranger's person, a bad id; another org's admin has no series
    // with this person.
    c.boss
        .get(&format!("/api/oneonones/series/{}", c.boss_p))
        .await
        .assert_error(400, "A series is between you and someone else");
    c.boss
        .get("/api/oneonones/series/person_nope")
        .await
        .assert_error(404, "Person not found or access denied");
    let other = app.org("globex").await;
    let stranger_p = app.link_admin(&other, "Stranger").await;
    other
        .admin
        .get(&series)
        .await
        .assert_error(404, "Person not found or access denied");
    c.boss
        .get(&format!("/api/oneonones/series/{stranger_p}"))
        .await
        .assert_error(404, "Person not found or access denied");
    // A member without a person has no series.
    let loose = app.member(&c.org, "Loose", "loose@acme.test").await;
    loose
        .get(&series)
        .await
        .assert_error(403, "No person record found for current user");
}

#[db_test]
async fn calendars_show_who_and_when_and_the_feed_only_its_owners(app: TestApp) {
    let c = cast(&app, "acme").await;
    let mine = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, 2).await;
    let theirs = schedule(&app, &c.rep, &c.rep_p, &c.third_p, 3).await;

    // One event: who and when, a link, and never the notes.
    let r = c
        .boss
        .get(&format!("/api/oneonones/{mine}/event.ics"))
        .await;
    r.assert_status(200);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = r.body.as_str().unwrap();
    let cal: icalendar::Calendar = ics.parse().unwrap();
    assert_eq!(cal.components.len(), 1);
    assert!(ics.contains("SUMMARY:One-on-one: Jane Smith and John Doe"));
    assert!(ics.contains(&format!("UID:{mine}@manageros")));
    assert!(!ics.contains("Shared notes"));
    c.third
        .get(&format!("/api/oneonones/{mine}/event.ics"))
        .await
        .assert_error(404, ONEONONE_404);

    // The feed: made once, read without signing in, only the owner's one-on-ones.
    assert_eq!(
        c.boss.get("/api/me/calendar-feed").await.body["feed"],
        Value::Null
    );
    let r = c.boss.post("/api/me/calendar-feed", json!({})).await;
    r.assert_status(201);
    let url = r.body["url"].as_str().unwrap().to_owned();
    let path = url
        .split_once("/calendar/")
        .map(|(_, t)| format!("/calendar/{t}"))
        .unwrap();
    assert!(path.ends_with(".ics"));
    assert!(c.boss.get("/api/me/calendar-feed").await.body["feed"]["createdAt"].is_string());
    let feed = app.get(&path, None).await;
    feed.assert_status(200);
    let text = feed.body.as_str().unwrap();
    assert!(text.contains(&format!("UID:{mine}@manageros")));
    assert!(
        !text.contains(&theirs),
        "another pair's one-on-one is not in the feed"
    );
    assert!(!text.contains("Shared notes"));

    // A new URL revokes the old; revoking makes it a 404.
    let again = c.boss.post("/api/me/calendar-feed", json!({})).await;
    let new_path = format!(
        "/calendar/{}",
        again.body["url"]
            .as_str()
            .unwrap()
            .split_once("/calendar/")
            .unwrap()
            .1
    );
    app.get(&path, None)
        .await
        .assert_error(404, "Calendar feed not found");
    app.get(&new_path, None).await.assert_status(200);
    c.boss
        .delete("/api/me/calendar-feed")
        .await
        .assert_status(204);
    app.get(&new_path, None)
        .await
        .assert_error(404, "Calendar feed not found");
    app.get("/calendar/made-up.ics", None)
        .await
        .assert_error(404, "Calendar feed not found");
    c.boss.get("/api/me/calendar-feed").await.assert_status(200);
    app.get("/api/me/calendar-feed", None)
        .await
        .assert_status(401);
}

#[db_test]
async fn a_new_manager_is_offered_the_open_items_and_exactly_the_chosen_ones_move(app: TestApp) {
    let c = cast(&app, "acme").await;
    let admin = &c.org.admin;
    let set_manager = |m: String| {
        let path = format!("/api/people/{}", c.rep_p);
        async move {
            admin
                .patch(&path, json!({"managerId": m}))
                .await
                .assert_status(200);
        }
    };
    set_manager(c.boss_p.clone()).await;
    // The old relationship: two open points, one discussed, one that became a task, and the
    // old manager's private note.
    let past = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, -7).await;
    let keep = add(&c.rep, &past, "Move me").await;
    add(&c.rep, &past, "Leave me").await;
    let done = add(&c.boss, &past, "Discussed").await;
    let pts = format!("/api/oneonones/{past}/talking-points");
    c.boss
        .patch(&format!("{pts}/{done}"), json!({"done": true}))
        .await
        .assert_status(200);
    let to_task = add(&c.boss, &past, "Write the plan").await;
    let task = c
        .boss
        .post(
            &format!("{pts}/{to_task}/task"),
            json!({"assigneeId": c.rep_p}),
        )
        .await
        .id("task");
    c.boss
        .put(
            &format!("/api/oneonones/{past}/private-notes"),
            json!({"notes": "Mine only"}),
        )
        .await
        .assert_status(200);
    assert!(
        c.rep.get("/api/handoffs").await.body["handoffs"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The report moves to Third: the person and the new manager are offered the open items.
    set_manager(c.third_p.clone()).await;
    let r = c.rep.get("/api/handoffs").await;
    r.assert_status(200);
    let h = &r.body["handoffs"][0];
    let id = h["id"].as_str().unwrap().to_owned();
    assert_eq!(h["oldManager"]["name"], "Jane Smith");
    assert_eq!(h["newManager"]["name"], "Third Person");
    let offered: Vec<&str> = h["talkingPoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["Move me", "Leave me"]);
    assert_eq!(h["actionItems"][0]["taskId"], task.as_str());
    assert_eq!(h["movesTo"], Value::Null);
    assert_eq!(
        c.third.get("/api/handoffs").await.body["handoffs"][0]["id"],
        id.as_str()
    );
    // Not the old manager, not an admin, not another organization.
    assert!(
        c.boss.get("/api/handoffs").await.body["handoffs"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let decide = format!("/api/handoffs/{id}");
    c.boss
        .post(&decide, json!({}))
        .await
        .assert_error(404, "Handoff not found");
    admin
        .post(&decide, json!({}))
        .await
        .assert_error(404, "Handoff not found");
    let other = app.org("globex").await;
    other
        .admin
        .post(&decide, json!({}))
        .await
        .assert_error(404, "Handoff not found");

    // Nothing can move before the new pair has a one-on-one; only offered items can.
    c.rep
        .post(&decide, json!({"pointIds": [keep]}))
        .await
        .assert_error(
            400,
            "Schedule a one-on-one of John Doe and Third Person first: what you move goes to their next one",
        );
    let next = schedule(&app, &c.third, &c.third_p, &c.rep_p, 3).await;
    assert_eq!(
        c.rep.get("/api/handoffs").await.body["handoffs"][0]["movesTo"]["oneOnOneId"],
        next.as_str()
    );
    c.rep
        .post(&decide, json!({"pointIds": [done]}))
        .await
        .assert_error(400, "List only talking points this handoff offers");
    c.rep
        .post(
            &decide,
            json!({"taskIds": ["task_00000000000000000000000000"]}),
        )
        .await
        .assert_error(400, "List only action items this handoff offers");

    // The new manager moves one point and the task; the other point stays behind.
    let r = c
        .third
        .post(
            &decide,
            json!({"pointIds": [keep, keep], "taskIds": [task]}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["movedTalkingPoints"], 1);
    assert_eq!(r.body["movedActionItems"], 1);
    let agenda = c
        .rep
        .get(&format!("/api/oneonones/{next}/talking-points"))
        .await;
    assert_eq!(agenda.body["talkingPoints"][0]["text"], "Move me");
    assert_eq!(
        agenda.body["talkingPoints"][0]["carriedOverFrom"],
        past.as_str()
    );
    assert_eq!(agenda.body["talkingPoints"].as_array().unwrap().len(), 1);
    assert_eq!(agenda.body["actionItems"][0]["taskId"], task.as_str());
    let old = c.boss.get(&pts).await;
    let left: Vec<&str> = old.body["talkingPoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["Leave me", "Discussed", "Write the plan"]);
    assert!(old.body["actionItems"].as_array().unwrap().is_empty());
    // The old manager keeps the history and her private note; the move is in both logs.
    assert_eq!(
        c.boss
            .get(&format!("/api/oneonones/{past}/private-notes"))
            .await
            .body["notes"],
        "Mine only"
    );
    for (who, o) in [(&c.boss, &past), (&c.rep, &next)] {
        let log = who.get(&format!("/api/oneonones/{o}/access")).await;
        let entries = log.body["log"].as_array().unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e["action"] == "handoff" && e["name"] == "Third Person"),
            "{o}: {entries:?}"
        );
    }
    // Decided once: a second decision is a 409 whatever it names (issue 27), even the items
    // the first one moved or ids that were never offered.
    c.rep
        .post(&decide, json!({}))
        .await
        .assert_error(409, "This handoff was already decided");
    c.rep
        .post(&decide, json!({"pointIds": [keep], "taskIds": [task]}))
        .await
        .assert_error(409, "This handoff was already decided");
    c.rep
        .post(&decide, json!({"pointIds": ["talkingpoint_nope"]}))
        .await
        .assert_error(409, "This handoff was already decided");
    assert!(
        c.rep.get("/api/handoffs").await.body["handoffs"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Back to Jane: "Move me" is open with Third, on their only one-on-one, which the change
    // cancels (issue 27: no ghost) — the handoff holds the point, offered as before; moving
    // nothing closes it and lets the point go with that pair.
    set_manager(c.boss_p.clone()).await;
    c.rep
        .get(&format!("/api/oneonones/{next}"))
        .await
        .assert_status(404);
    let r = c.rep.get("/api/handoffs").await;
    assert_eq!(r.body["handoffs"][0]["talkingPoints"][0]["text"], "Move me");
    let back = r.body["handoffs"][0]["id"].as_str().unwrap().to_owned();
    let r = c
        .rep
        .post(&format!("/api/handoffs/{back}"), json!({}))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["movedTalkingPoints"], 0);
    assert!(
        c.rep.get("/api/handoffs").await.body["handoffs"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A manager change with nothing open offers nothing.
    let loose = app.person(&c.org, "Loose End", None).await;
    for m in [&c.boss_p, &c.third_p] {
        admin
            .patch(&format!("/api/people/{loose}"), json!({"managerId": m}))
            .await
            .assert_status(200);
    }
    assert!(
        c.third.get("/api/handoffs").await.body["handoffs"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// The entries of a one-on-one's access log, as `(action, name)`.
async fn access(user: &TestUser, o: &str) -> Vec<(String, String)> {
    let r = user.get(&format!("/api/oneonones/{o}/access")).await;
    r.assert_status(200);
    r.body["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Issue 24: an admin who makes themselves a report's manager used to read the old pair's
/// agenda through the handoff, live and unlogged, and kept reading it after changing back.
#[db_test]
async fn a_handoff_offers_what_was_open_at_the_change_its_readers_are_logged_and_a_revert_cancels_it(
    app: TestApp,
) {
    let c = cast(&app, "acme").await;
    let admin = &c.org.admin;
    let person_path = format!("/api/people/{}", c.rep_p);
    admin
        .patch(&person_path, json!({"managerId": c.boss_p}))
        .await
        .assert_status(200);
    let past = schedule(&app, &c.boss, &c.boss_p, &c.rep_p, -7).await;
    add(&c.rep, &past, "Before the change").await;
    let edited = add(&c.boss, &past, "Original text").await;

    // The admin links themselves to a person and becomes the report's manager.
    let me_p = app
        .person(&c.org, "Admin Self", Some("admin@acme.test"))
        .await;
    admin
        .put("/api/me/person", json!({"personId": me_p}))
        .await
        .assert_status(200);
    admin
        .patch(&person_path, json!({"managerId": me_p}))
        .await
        .assert_status(200);

    // After the change the pair goes on: a new point, an edited one.
    add(&c.rep, &past, "Written after the change").await;
    c.boss
        .patch(
            &format!("/api/oneonones/{past}/talking-points/{edited}"),
            json!({"text": "Secret edit"}),
        )
        .await
        .assert_status(200);
    assert!(access(&c.boss, &past).await.is_empty());

    // The offer is what was open at the change, as it was then.
    let r = admin.get("/api/handoffs").await;
    r.assert_status(200);
    let h = &r.body["handoffs"][0];
    let id = h["id"].as_str().unwrap().to_owned();
    let offered: Vec<&str> = h["talkingPoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["Before the change", "Original text"]);

    // Reading it was logged on that one-on-one and in the audit log, as opening it would be.
    assert_eq!(
        access(&c.boss, &past).await,
        [("view-in-handoff".to_owned(), "Admin of acme".to_owned())]
    );
    let events = admin.get("/api/organization/audit-log").await;
    events.assert_status(200);
    let reads: Vec<&Value> = events.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "oneonone_admin_access" && e["targetId"] == past.as_str())
        .collect();
    assert_eq!(reads.len(), 1, "{:?}", events.body);
    // The report took part in the old one-on-ones: their reading is not logged.
    let r = c.rep.get("/api/handoffs").await;
    assert_eq!(r.body["handoffs"][0]["id"], id.as_str());
    assert_eq!(access(&c.boss, &past).await.len(), 1);

    // Setting the manager back cancels the offer: nothing to list, nothing to decide.
    admin
        .patch(&person_path, json!({"managerId": c.boss_p}))
        .await
        .assert_status(200);
    for who in [admin, &c.rep] {
        let r = who.get("/api/handoffs").await;
        r.assert_status(200);
        assert_eq!(r.body["handoffs"], json!([]));
    }
    admin
        .post(&format!("/api/handoffs/{id}"), json!({}))
        .await
        .assert_error(404, "Handoff not found");
    assert_eq!(access(&c.boss, &past).await.len(), 1);

    // Another organization's admin cannot reach it either.
    let other = app.org("globex").await;
    other
        .admin
        .post(&format!("/api/handoffs/{id}"), json!({}))
        .await
        .assert_error(404, "Handoff not found");
}
