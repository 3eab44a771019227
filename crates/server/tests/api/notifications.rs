//! Issue 27, "Notifications": each user chooses which emails they get and when reminders
//! come (their zone, so many days before, at 09:00); a reminder carries the agenda so far and
//! a link to add a point, goes once however many replicas look for it, never for a one-on-one
//! that is gone, and never after its kind was unsubscribed from — by a one-click link (RFC
//! 8058) that needs no sign-in and cannot be forged. Events (a task assigned, a meeting one was
//! added to, a campaign's minimum of answers) notify whom they concern, once, within the mail
//! budgets.

use crate::harness::*;
use manageros_core::Timestamp;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

struct Two {
    org: TestOrg,
    jane: TestUser,
    jane_p: String,
    john: TestUser,
    john_p: String,
}

/// Jane and John of one organization, on Monday 1 March 2027 at 12:00 UTC.
async fn two(app: &TestApp, slug: &str) -> Two {
    app.clock.set(t("2027-03-01T12:00:00Z"));
    let org = app.org(slug).await;
    let (jane, jane_p) = app
        .linked_member(&org, "Jane Smith", &format!("jane@{slug}.test"))
        .await;
    let (john, john_p) = app
        .linked_member(&org, "John Doe", &format!("john@{slug}.test"))
        .await;
    Two {
        org,
        jane,
        jane_p,
        john,
        john_p,
    }
}

fn subjects(mails: &[Email], starting: &str) -> usize {
    mails
        .iter()
        .filter(|m| m.subject.starts_with(starting))
        .count()
}

/// Runs the scheduler as three replicas would, at once.
async fn three_replicas_look(app: &TestApp) {
    let (b, c) = (app.replica().await, app.replica().await);
    tokio::join!(
        manageros_server::app::housekeep(&app.state),
        manageros_server::app::housekeep(&b.state),
        manageros_server::app::housekeep(&c.state),
    );
}

#[db_test]
async fn each_user_chooses_what_they_get_and_a_bad_choice_changes_nothing(app: TestApp) {
    let p = two(&app, "prefs").await;
    let r = p.jane.get("/api/me/notifications").await;
    r.assert_status(200);
    assert_eq!(r.body["timeZone"], Value::Null);
    assert_eq!(r.body["reminderDaysBefore"], 1);
    assert_eq!(
        r.body["kinds"],
        json!({"reminder": true, "assigned": true, "handoff": true, "campaign": true,
               "meeting": true, "digest": false})
    );
    let r = p
        .jane
        .patch(
            "/api/me/notifications",
            json!({"timeZone": "Europe/Paris", "reminderDaysBefore": 0,
                   "kinds": {"digest": true, "meeting": false}}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["timeZone"], "Europe/Paris");
    assert_eq!(r.body["reminderDaysBefore"], 0);
    assert_eq!(r.body["kinds"]["digest"], true);
    assert_eq!(r.body["kinds"]["meeting"], false);
    assert_eq!(r.body["kinds"]["reminder"], true, "a kind not named stays");
    for (body, field) in [
        (json!({"timeZone": "Mars/Olympus"}), "timeZone"),
        (json!({"reminderDaysBefore": 8}), "reminderDaysBefore"),
        (json!({"reminderDaysBefore": -1}), "reminderDaysBefore"),
    ] {
        p.jane
            .patch("/api/me/notifications", body)
            .await
            .assert_field_error(field);
    }
    p.jane
        .patch("/api/me/notifications", json!({"kinds": {"sms": true}}))
        .await
        .assert_status(400);
    let after = p.jane.get("/api/me/notifications").await;
    assert_eq!(after.body, r.body, "a refused change changes nothing");
    // Blank is none, as null is.
    let blank = p
        .john
        .patch("/api/me/notifications", json!({"timeZone": "Europe/Paris"}))
        .await;
    blank.assert_status(200);
    let blank = p
        .john
        .patch("/api/me/notifications", json!({"timeZone": "  "}))
        .await;
    blank.assert_status(200);
    assert_eq!(blank.body["timeZone"], Value::Null);
    // Each user's own: John's are untouched.
    assert_eq!(
        p.john.get("/api/me/notifications").await.body["timeZone"],
        Value::Null
    );
    let _ = (&p.jane_p, &p.john_p);
}

#[db_test]
async fn a_reminder_comes_once_at_nine_with_the_agenda_and_stops_when_asked(app: TestApp) {
    let p = two(&app, "remind").await;
    p.jane
        .patch("/api/me/notifications", json!({"timeZone": "Europe/Paris"}))
        .await
        .assert_status(200);
    let one = |at: &str| json!({"participant1Id": p.jane_p, "participant2Id": p.john_p, "scheduledAt": at});
    // Wednesday 3 March, 10:00 UTC, with a point on its agenda.
    let wed = p
        .jane
        .post("/api/oneonones", one("2027-03-03T10:00:00Z"))
        .await
        .id("oneOnOne");
    p.john
        .post(
            &format!("/api/oneonones/{wed}/talking-points"),
            json!({"text": "Conference budget"}),
        )
        .await
        .assert_status(201);
    // A one-on-one deleted before its reminder is never reminded of.
    let gone = p
        .jane
        .post("/api/oneonones", one("2027-03-03T15:00:00Z"))
        .await
        .id("oneOnOne");
    p.jane
        .delete(&format!("/api/oneonones/{gone}"))
        .await
        .assert_status(204);

    // Monday: too early for anyone.
    three_replicas_look(&app).await;
    assert_eq!(
        subjects(&app.emails_to("jane@remind.test").await, "One-on-one with"),
        0
    );
    // Tuesday 08:59 in Paris: not yet; 09:00 in Paris (08:00 UTC): Jane's, once, not John's
    // (his zone is UTC).
    app.clock.set(t("2027-03-02T07:59:00Z"));
    three_replicas_look(&app).await;
    assert_eq!(
        subjects(&app.emails_to("jane@remind.test").await, "One-on-one with"),
        0
    );
    app.clock.set(t("2027-03-02T08:00:00Z"));
    three_replicas_look(&app).await;
    three_replicas_look(&app).await;
    let jane_mails = app.emails_to("jane@remind.test").await;
    assert_eq!(
        subjects(&jane_mails, "One-on-one with"),
        1,
        "once, across replicas"
    );
    assert_eq!(
        subjects(&app.emails_to("john@remind.test").await, "One-on-one with"),
        0
    );
    let r = jane_mails
        .iter()
        .find(|m| m.subject.starts_with("One-on-one with"))
        .unwrap();
    assert!(r.subject.contains("John Doe"), "{}", r.subject);
    assert!(
        r.body.contains("Wed, Mar 3, 2027, 11:00 AM (Europe/Paris)"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Conference budget"), "the agenda so far");
    assert!(
        r.body.contains(&format!("/oneonones/{wed}#new-point")),
        "a link to add a point"
    );
    assert!(r.html.contains("Conference budget"));
    assert_eq!(
        r.list_unsubscribe_post.as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    // John's at 09:00 UTC.
    app.clock.set(t("2027-03-02T09:00:00Z"));
    three_replicas_look(&app).await;
    let johns = app.emails_to("john@remind.test").await;
    assert_eq!(subjects(&johns, "One-on-one with"), 1);
    let link = johns
        .iter()
        .find(|m| m.subject.starts_with("One-on-one with"))
        .unwrap()
        .list_unsubscribe
        .clone()
        .unwrap();
    let path = link
        .trim_matches(|c| c == '<' || c == '>')
        .split_once("/unsubscribe/")
        .map(|(_, t)| format!("/unsubscribe/{t}"))
        .unwrap();

    // A forged link (another user's id with John's code, or a changed code) does nothing.
    let (user, rest) = path
        .trim_start_matches("/unsubscribe/")
        .split_once('.')
        .unwrap();
    let forged = format!("/unsubscribe/{}.{rest}", p.jane.id);
    // The last hex digit changed (to another one: "0" when it was not, else "1").
    let last = if path.ends_with('0') { '1' } else { '0' };
    let bent = format!("{}{last}", &path[..path.len() - 1]);
    for bad in [&forged, &bent] {
        let r = app
            .request(reqwest::Method::POST, bad)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "{bad}");
    }
    assert_eq!(
        p.jane.get("/api/me/notifications").await.body["kinds"]["reminder"],
        true
    );
    assert_eq!(user, p.john.id);
    // The page asks first: opening the link changes nothing.
    let (status, page) = app.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Stop sending one-on-one reminders to"),
        "{page}"
    );
    assert_eq!(
        p.john.get("/api/me/notifications").await.body["kinds"]["reminder"],
        true
    );
    // One click, as a mail client does it: no cookie, no form token.
    let r = app
        .request(reqwest::Method::POST, &path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        p.john.get("/api/me/notifications").await.body["kinds"]["reminder"],
        false
    );
    // The next week: Jane is reminded, John no longer.
    let next = p
        .jane
        .post("/api/oneonones", one("2027-03-10T10:00:00Z"))
        .await
        .id("oneOnOne");
    app.clock.set(t("2027-03-09T09:30:00Z"));
    let (jane, john) = (
        app.login("jane@remind.test").await,
        app.login("john@remind.test").await,
    );
    three_replicas_look(&app).await;
    assert_eq!(
        subjects(&app.emails_to("jane@remind.test").await, "One-on-one with"),
        2
    );
    assert_eq!(
        subjects(&app.emails_to("john@remind.test").await, "One-on-one with"),
        1
    );
    let _ = (next, jane, john);
}

#[db_test(Options { mail_limits: (3, 0), ..Default::default() })]
async fn events_tell_whom_they_concern_once_within_the_budget(app: TestApp) {
    let p = two(&app, "events").await;
    // An hour on: the budget's window holds only what follows (not the sign-up's emails).
    app.clock.set(t("2027-03-01T14:00:00Z"));
    // A task Jane assigns John tells John; one she assigns herself tells nobody.
    let task = p
        .jane
        .post(
            "/api/tasks",
            json!({"title": "Write the plan", "assigneeId": p.john_p}),
        )
        .await
        .id("task");
    p.jane
        .post(
            "/api/tasks",
            json!({"title": "My own", "assigneeId": p.jane_p}),
        )
        .await
        .assert_status(201);
    let johns = app.emails_to("john@events.test").await;
    assert_eq!(subjects(&johns, "Assigned to you"), 1);
    let m = johns
        .iter()
        .find(|m| m.subject.starts_with("Assigned"))
        .unwrap();
    assert!(m.body.contains(&format!("/tasks/{task}")));
    assert!(m.list_unsubscribe.is_some());
    assert_eq!(
        subjects(&app.emails_to("jane@events.test").await, "Assigned to you"),
        0
    );
    // Changing the task without changing whom it is for tells nobody again.
    p.jane
        .patch(
            &format!("/api/tasks/{task}"),
            json!({"title": "Write the plan, v2"}),
        )
        .await
        .assert_status(200);
    assert_eq!(
        subjects(&app.emails_to("john@events.test").await, "Assigned to you"),
        1
    );
    // A meeting John is added to.
    p.jane
        .post(
            "/api/meetings",
            json!({"title": "Roadmap", "scheduledAt": "2027-03-04T10:00:00Z",
                   "participantIds": [p.john_p]}),
        )
        .await
        .assert_status(201);
    assert_eq!(
        subjects(&app.emails_to("john@events.test").await, "Meeting:"),
        1
    );
    // John turns assignments off: the next one is not sent.
    p.john
        .patch(
            "/api/me/notifications",
            json!({"kinds": {"assigned": false}}),
        )
        .await
        .assert_status(200);
    p.jane
        .post(
            "/api/tasks",
            json!({"title": "Another", "assigneeId": p.john_p}),
        )
        .await
        .assert_status(201);
    assert_eq!(
        subjects(&app.emails_to("john@events.test").await, "Assigned to you"),
        1
    );
    // The budget (3 an hour for one address) holds: more meetings, no more emails.
    p.john
        .patch(
            "/api/me/notifications",
            json!({"kinds": {"assigned": true}}),
        )
        .await
        .assert_status(200);
    for i in 0..4 {
        p.jane
            .post(
                "/api/meetings",
                json!({"title": format!("Sync {i}"), "scheduledAt": "2027-03-05T10:00:00Z",
                       "participantIds": [p.john_p]}),
            )
            .await
            .assert_status(201);
    }
    let all = app.emails_to("john@events.test").await;
    let told = |s| subjects(&all, s);
    assert_eq!(
        (told("Assigned to you"), told("Meeting:")),
        (1, 2),
        "three in the hour, the rest dropped: {:?}",
        all.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
}

#[db_test]
async fn the_monday_digest_comes_to_who_chose_it_once_a_week(app: TestApp) {
    let p = two(&app, "digest").await;
    p.jane
        .patch(
            "/api/me/notifications",
            json!({"timeZone": "Europe/Paris", "kinds": {"digest": true}}),
        )
        .await
        .assert_status(200);
    // This week's one-on-one, an overdue task of Jane's, next week's one-on-one (not listed).
    p.jane
        .post(
            "/api/oneonones",
            json!({"participant1Id": p.jane_p, "participant2Id": p.john_p,
                   "scheduledAt": "2027-03-10T10:00:00Z"}),
        )
        .await
        .assert_status(201);
    p.jane
        .post(
            "/api/oneonones",
            json!({"participant1Id": p.jane_p, "participant2Id": p.john_p,
                   "scheduledAt": "2027-03-17T10:00:00Z"}),
        )
        .await
        .assert_status(201);
    p.jane
        .post(
            "/api/tasks",
            json!({"title": "File the expenses", "assigneeId": p.jane_p,
                   "dueDate": "2027-03-02T00:00:00Z"}),
        )
        .await
        .assert_status(201);
    // Monday 8 March, 07:59 in Paris: not yet; 08:00: once, however often it is looked for.
    app.clock.set(t("2027-03-08T06:59:00Z"));
    three_replicas_look(&app).await;
    assert_eq!(
        subjects(&app.emails_to("jane@digest.test").await, "Your week"),
        0
    );
    app.clock.set(t("2027-03-08T07:00:00Z"));
    three_replicas_look(&app).await;
    three_replicas_look(&app).await;
    let mails = app.emails_to("jane@digest.test").await;
    assert_eq!(subjects(&mails, "Your week"), 1);
    let d = mails
        .iter()
        .find(|m| m.subject.starts_with("Your week"))
        .unwrap();
    assert!(
        d.body
            .contains("Wed, Mar 10, 2027, 11:00 AM (Europe/Paris) with \u{201c}John Doe\u{201d}"),
        "{}",
        d.body
    );
    assert!(
        !d.body.contains("17 March"),
        "next week's is not this week's"
    );
    assert!(d.body.contains("File the expenses"), "the overdue task");
    assert!(d.list_unsubscribe.is_some());
    // Off by default: John gets none. Tuesday: nothing more for Jane; next Monday: the next.
    assert_eq!(
        subjects(&app.emails_to("john@digest.test").await, "Your week"),
        0
    );
    app.clock.set(t("2027-03-09T07:00:00Z"));
    three_replicas_look(&app).await;
    app.clock.set(t("2027-03-15T07:30:00Z"));
    three_replicas_look(&app).await;
    assert_eq!(
        subjects(&app.emails_to("jane@digest.test").await, "Your week"),
        2
    );
}

#[db_test]
async fn a_campaign_creator_is_told_once_when_its_answers_can_be_read(app: TestApp) {
    let p = two(&app, "ready").await;
    let subject = app.person(&p.org, "Subject Person", None).await;
    let r = p
        .jane
        .post(
            "/api/feedback-campaigns",
            json!({
                "name": "Q1 360",
                "targetPersonId": subject,
                "startDate": "2020-01-01",
                "endDate": "2099-12-31",
                "inviteEmails": ["a@ready.test", "b@ready.test", "c@ready.test", "d@ready.test"],
                "status": "active",
            }),
        )
        .await;
    r.assert_status(201);
    let id = r.id("feedbackCampaign");
    for (i, who) in ["a", "b", "c", "d"].iter().enumerate() {
        let token = app.emails_to(&format!("{who}@ready.test")).await[0].link_token();
        app.post(
            &format!("/api/public/feedback/{token}"),
            None,
            json!({"answers": ["Clear", "Listen", "Well", ""]}),
        )
        .await
        .assert_status(201);
        // Two answers: nothing yet; the third: told; the fourth: not again.
        let told = subjects(&app.emails_to("jane@ready.test").await, "Answers to read");
        assert_eq!(told, usize::from(i >= 2), "after {} answers", i + 1);
    }
    let m = app
        .emails_to("jane@ready.test")
        .await
        .into_iter()
        .find(|m| m.subject.starts_with("Answers to read"))
        .unwrap();
    assert!(m.body.contains(&format!("/campaigns/{id}")), "{}", m.body);
    let _ = (&p.john, &p.jane_p, &p.john_p);
}

#[db_test]
async fn a_skipped_occurrence_is_not_reminded_of_and_the_next_one_is(app: TestApp) {
    let p = two(&app, "skipped").await;
    p.jane
        .put(
            &format!("/api/oneonones/series/{}/schedule", p.john_p),
            json!({"cadence": "weekly", "startsOn": "2027-03-03", "time": "10:00",
                   "timeZone": "UTC", "durationMinutes": 30}),
        )
        .await
        .assert_status(200);
    let r = p
        .jane
        .get(&format!("/api/oneonones/series/{}?limit=100", p.john_p))
        .await;
    let mut ids: Vec<(String, String)> = r.body["oneOnOnes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["scheduledAt"].as_str().unwrap().to_owned(),
                o["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    ids.sort();
    assert_eq!(ids[0].0, "2027-03-03T10:00:00.000Z");
    p.john
        .post(&format!("/api/oneonones/{}/skip", ids[0].1), json!({}))
        .await
        .assert_status(204);
    app.clock.set(t("2027-03-02T09:00:00Z"));
    three_replicas_look(&app).await;
    for to in ["jane@skipped.test", "john@skipped.test"] {
        assert_eq!(subjects(&app.emails_to(to).await, "One-on-one with"), 0);
    }
    app.clock.set(t("2027-03-09T09:00:00Z"));
    three_replicas_look(&app).await;
    for to in ["jane@skipped.test", "john@skipped.test"] {
        let mails = app.emails_to(to).await;
        assert_eq!(subjects(&mails, "One-on-one with"), 1, "{to}");
        assert!(
            mails
                .iter()
                .any(|m| m.subject.contains("Wed, Mar 10, 2027, 10:00 AM (UTC)")),
            "{to}"
        );
    }
}
