//! Issue 27, "Recurring series": a pair's schedule (weekly, every two weeks, monthly; a local
//! time in a named zone; a duration) whose occurrences are ordinary one-on-ones created eight
//! weeks ahead and rolled on by the scheduler, once however many replicas run it; skipping,
//! moving and ending; and the calendar feed carrying the series as one event with its rule,
//! its skipped occurrences and its moved ones, parsed back by an independent `RRULE` engine.

use crate::harness::*;
use icalendar::{Calendar, CalendarComponent, Component, EventLike};
use manageros_core::{Clock, Timestamp};
use manageros_test_macros::db_test;
use serde_json::{Value, json};

const DAY: i64 = 24 * 3600 * 1000;

fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

struct Pair {
    org: TestOrg,
    boss: TestUser,
    boss_p: String,
    rep: TestUser,
    rep_p: String,
    outsider: TestUser,
    outsider_p: String,
}

/// Jane manages John on the chart; a third member takes part in nothing. The clock is set
/// to Monday 1 March 2027, 12:00 UTC: four weeks before Paris moves to summer time.
async fn pair(app: &TestApp, slug: &str) -> Pair {
    app.clock.set(t("2027-03-01T12:00:00Z"));
    let org = app.org(slug).await;
    let (boss, boss_p) = app
        .linked_member(&org, "Jane Smith", &format!("jane@{slug}.test"))
        .await;
    let (rep, rep_p) = app
        .linked_member(&org, "John Doe", &format!("john@{slug}.test"))
        .await;
    let (outsider, outsider_p) = app
        .linked_member(&org, "Olive Other", &format!("olive@{slug}.test"))
        .await;
    app.patch(
        &format!("/api/people/{rep_p}"),
        org.admin.t(),
        json!({"managerId": boss_p}),
    )
    .await
    .assert_status(200);
    Pair {
        org,
        boss,
        boss_p,
        rep,
        rep_p,
        outsider,
        outsider_p,
    }
}

fn weekly(starts_on: &str) -> Value {
    json!({"cadence": "weekly", "startsOn": starts_on, "time": "10:00",
           "timeZone": "Europe/Paris", "durationMinutes": 45})
}

/// The pair's one-on-ones as `who` sees them, oldest first: `(id, scheduledAt, seriesId)`.
async fn series_of(who: &TestUser, with: &str) -> Vec<(String, String, Option<String>)> {
    let r = who
        .get(&format!("/api/oneonones/series/{with}?limit=100"))
        .await;
    r.assert_status(200);
    let mut all: Vec<_> = r.body["oneOnOnes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_owned(),
                o["scheduledAt"].as_str().unwrap().to_owned(),
                o["seriesId"].as_str().map(str::to_owned),
            )
        })
        .collect();
    all.reverse();
    all
}

fn times(all: &[(String, String, Option<String>)]) -> Vec<&str> {
    all.iter().map(|(_, at, _)| at.as_str()).collect()
}

#[db_test]
async fn a_weekly_series_keeps_its_local_time_across_summer_time_and_rolls_on_once(app: TestApp) {
    let p = pair(&app, "weekly").await;
    // The report sets it; the chart makes Jane the first participant all the same.
    let r = p
        .rep
        .put(
            &format!("/api/oneonones/series/{}/schedule", p.boss_p),
            weekly("2027-03-02"),
        )
        .await;
    r.assert_status(200);
    let s = &r.body["schedule"];
    assert_eq!(
        s["description"],
        "Weekly on Tuesday at 10:00 AM (Europe/Paris)"
    );
    assert_eq!(s["rrule"], "FREQ=WEEKLY;BYDAY=TU");
    assert_eq!(s["managerId"], p.boss_p.as_str());
    assert_eq!(s["durationMinutes"], 45);
    let next = &r.body["nextOneOnOne"];
    assert_eq!(next["scheduledAt"], "2027-03-02T09:00:00.000Z");
    assert_eq!(next["endsAt"], "2027-03-02T09:45:00.000Z");
    assert_eq!(next["durationMinutes"], 45);
    assert_eq!(next["managerId"], p.boss_p.as_str());
    assert_eq!(next["seriesId"], s["id"]);

    // Eight weeks ahead, at 10:00 in Paris: 09:00 UTC in winter, 08:00 UTC from 28 March.
    let expected = [
        "2027-03-02T09:00:00.000Z",
        "2027-03-09T09:00:00.000Z",
        "2027-03-16T09:00:00.000Z",
        "2027-03-23T09:00:00.000Z",
        "2027-03-30T08:00:00.000Z",
        "2027-04-06T08:00:00.000Z",
        "2027-04-13T08:00:00.000Z",
        "2027-04-20T08:00:00.000Z",
    ];
    assert_eq!(times(&series_of(&p.boss, &p.rep_p).await), expected);
    // Ordinary one-on-ones: both people have them in their lists.
    let r = p.rep.get("/api/oneonones?limit=100").await;
    assert_eq!(r.body["pagination"]["totalCount"], 8);
    // The series shows on the pair's page for either of them.
    let r = p
        .boss
        .get(&format!("/api/oneonones/series/{}", p.rep_p))
        .await;
    assert_eq!(r.body["schedule"]["id"], s["id"]);
    assert_eq!(r.body["cadence"], "weekly");

    // A week later the scheduler adds the next one, once, however many replicas run it.
    app.clock.set(t("2027-03-08T12:00:00Z"));
    let other = app.replica().await;
    let third = app.replica().await;
    let (a, b, c) = tokio::join!(
        manageros_server::app::housekeep(&app.state),
        manageros_server::app::housekeep(&other.state),
        manageros_server::app::housekeep(&third.state),
    );
    let _ = (a, b, c);
    manageros_server::app::housekeep(&app.state).await;
    let all = series_of(&p.boss, &p.rep_p).await;
    assert_eq!(all.len(), 9, "{all:?}");
    assert_eq!(all[8].1, "2027-04-27T08:00:00.000Z");
    // Nobody else sees them.
    let r = p.outsider.get("/api/oneonones").await;
    assert_eq!(r.body["pagination"]["totalCount"], 0);
    let r = p
        .outsider
        .get(&format!("/api/oneonones/{}", all[0].0))
        .await;
    r.assert_status(404);
}

#[db_test]
async fn every_two_weeks_and_monthly_on_the_first_tuesday(app: TestApp) {
    let p = pair(&app, "cadences").await;
    let path = format!("/api/oneonones/series/{}/schedule", p.rep_p);
    let r = p
        .boss
        .put(
            &path,
            json!({"cadence": "monthly", "startsOn": "2027-03-02", "time": "15:30",
                   "timeZone": "America/New_York", "endsOn": "2027-12-31"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        r.body["schedule"]["description"],
        "Monthly on the first Tuesday at 3:30 PM (America/New_York)"
    );
    assert_eq!(r.body["schedule"]["durationMinutes"], 30);
    // New York moves to summer time on 14 March 2027: 20:30 UTC, then 19:30 UTC.
    assert_eq!(
        times(&series_of(&p.boss, &p.rep_p).await),
        ["2027-03-02T20:30:00.000Z", "2027-04-06T19:30:00.000Z"]
    );
    // Changed from the 1st of April on to every two weeks on Thursdays: the April occurrence
    // of the old rule is cancelled, the March one stays.
    let r = p
        .boss
        .put(
            &path,
            json!({"cadence": "every-two-weeks", "startsOn": "2027-04-01", "time": "09:00",
                   "timeZone": "America/New_York"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        r.body["schedule"]["rrule"],
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    );
    assert_eq!(
        times(&series_of(&p.boss, &p.rep_p).await),
        [
            "2027-03-02T20:30:00.000Z",
            "2027-04-01T13:00:00.000Z",
            "2027-04-15T13:00:00.000Z",
        ]
    );
}

#[db_test]
async fn skipping_moving_and_ending_keep_the_agenda(app: TestApp) {
    let p = pair(&app, "skipmove").await;
    let path = format!("/api/oneonones/series/{}/schedule", p.rep_p);
    p.boss
        .put(&path, weekly("2027-03-02"))
        .await
        .assert_status(200);
    let all = series_of(&p.boss, &p.rep_p).await;
    let (first, second, third) = (&all[0].0, &all[1].0, &all[2].0);
    let point = p
        .rep
        .post(
            &format!("/api/oneonones/{first}/talking-points"),
            json!({"text": "Conference budget"}),
        )
        .await;
    point.assert_status(201);

    // Someone who does not take part cannot skip it; a one-off cannot be skipped.
    p.outsider
        .post(&format!("/api/oneonones/{first}/skip"), json!({}))
        .await
        .assert_error(404, "One-on-one not found or you do not have access to it");
    let one_off = p
        .boss
        .post(
            "/api/oneonones",
            json!({"participant1Id": p.boss_p, "participant2Id": p.rep_p,
                   "scheduledAt": "2027-06-01T10:00:00Z"}),
        )
        .await;
    one_off.assert_status(201);
    let one_off = one_off.id("oneOnOne");
    p.boss
        .post(&format!("/api/oneonones/{one_off}/skip"), json!({}))
        .await
        .assert_error(
            400,
            "Only a one-on-one of a recurring series can be skipped",
        );
    p.boss
        .delete(&format!("/api/oneonones/{one_off}"))
        .await
        .assert_status(204);

    // Skipped: its open point moves to the next one, and the slot is not created again.
    p.rep
        .post(&format!("/api/oneonones/{first}/skip"), json!({}))
        .await
        .assert_status(204);
    p.rep
        .get(&format!("/api/oneonones/{first}"))
        .await
        .assert_status(404);
    let r = p
        .boss
        .get(&format!("/api/oneonones/{second}/talking-points"))
        .await;
    assert_eq!(r.body["talkingPoints"][0]["text"], "Conference budget");
    manageros_server::app::housekeep(&app.state).await;
    assert_eq!(series_of(&p.boss, &p.rep_p).await.len(), 7);

    // Moved by an ordinary update: still of the series, at its new time and length.
    let r = p
        .boss
        .put(
            &format!("/api/oneonones/{third}"),
            json!({"participant1Id": p.boss_p, "participant2Id": p.rep_p,
                   "scheduledAt": "2027-03-17T14:00:00Z", "durationMinutes": 60}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["oneOnOne"]["seriesId"], all[0].2.as_deref().unwrap());
    assert_eq!(r.body["oneOnOne"]["endsAt"], "2027-03-17T15:00:00.000Z");

    // The calendar carries it all, and an independent RRULE engine reads it back.
    let feed = app.calendar_feed(&p.boss).await;
    let (status, ics) = app.get_text(&feed).await;
    assert_eq!(status, 200);
    let cal: Calendar = ics.parse().unwrap();
    let events: Vec<&icalendar::Event> = cal
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let master = events
        .iter()
        .find(|e| e.property_value("RRULE").is_some())
        .expect("the series as one event");
    assert_eq!(master.property_value("RRULE"), Some("FREQ=WEEKLY;BYDAY=TU"));
    let rule = master.get_recurrence().unwrap();
    let expanded: Vec<Timestamp> = rule
        .all(9)
        .dates
        .iter()
        .map(|d| Timestamp::from_millis(d.timestamp_millis()))
        .collect();
    // The skipped first one is an EXDATE, so the rule starts on the 9th; summer time holds.
    assert_eq!(expanded[0], t("2027-03-09T09:00:00Z"));
    assert_eq!(expanded[3], t("2027-03-30T08:00:00Z"));
    assert!(!expanded.contains(&t("2027-03-02T09:00:00Z")));
    // The moved one is an override of its slot (the 16th at 10:00 Paris), at its new time.
    let moved = events
        .iter()
        .find(|e| {
            e.property_value("RECURRENCE-ID") == Some("20270316T100000")
                && e.get_uid() == master.get_uid()
        })
        .expect("the moved occurrence as an override");
    assert_eq!(
        moved.property_value("DTSTART"),
        Some("20270317T140000Z"),
        "{ics}"
    );
    assert_eq!(moved.property_value("DTEND"), Some("20270317T150000Z"));
    assert!(ics.contains(&format!("/oneonones/{third}")));

    // Ended today: the occurrences that have not started are cancelled, the agenda stays.
    app.clock.set(t("2027-03-10T12:00:00Z"));
    let from_john = format!("/api/oneonones/series/{}/schedule", p.boss_p);
    let r = p.rep.delete(&from_john).await;
    r.assert_status(200);
    assert_eq!(r.body["cancelledOneOnOnes"], 6);
    let r = p
        .boss
        .get(&format!("/api/oneonones/series/{}", p.rep_p))
        .await;
    assert_eq!(r.body["schedule"], Value::Null);
    assert_eq!(r.body["cadence"], Value::Null);
    let left = series_of(&p.boss, &p.rep_p).await;
    assert_eq!(times(&left), ["2027-03-09T09:00:00.000Z"]);
    let r = p
        .boss
        .get(&format!("/api/oneonones/{}/talking-points", left[0].0))
        .await;
    assert_eq!(r.body["talkingPoints"][0]["text"], "Conference budget");
    // Nothing comes back with time, and a second end has nothing to end.
    app.clock.set(t("2027-04-10T12:00:00Z"));
    manageros_server::app::housekeep(&app.state).await;
    // (A month later: their sessions have expired.)
    let (boss, rep) = (
        app.login("jane@skipmove.test").await,
        app.login("john@skipmove.test").await,
    );
    assert_eq!(series_of(&boss, &p.rep_p).await.len(), 1);
    rep.delete(&from_john)
        .await
        .assert_error(404, "This pair has no recurring schedule");
}

#[db_test]
async fn a_bad_schedule_is_refused_and_changes_nothing(app: TestApp) {
    let p = pair(&app, "badsched").await;
    let path = format!("/api/oneonones/series/{}/schedule", p.rep_p);
    for (body, field) in [
        (
            json!({"startsOn": "2027-03-02", "time": "10:00", "timeZone": "UTC"}),
            "cadence",
        ),
        (
            json!({"cadence": "daily", "startsOn": "2027-03-02", "time": "10:00", "timeZone": "UTC"}),
            "cadence",
        ),
        (
            json!({"cadence": "weekly", "startsOn": "2027-02-28", "time": "10:00", "timeZone": "UTC"}),
            "startsOn",
        ),
        (
            json!({"cadence": "weekly", "startsOn": "2027-3-2", "time": "10:00", "timeZone": "UTC"}),
            "startsOn",
        ),
        (
            json!({"cadence": "weekly", "startsOn": "2027-03-02", "time": "25:00", "timeZone": "UTC"}),
            "time",
        ),
        (
            json!({"cadence": "weekly", "startsOn": "2027-03-02", "time": "10:00", "timeZone": "Mars/Olympus"}),
            "timeZone",
        ),
        (
            json!({"cadence": "weekly", "startsOn": "2027-03-02", "time": "10:00", "timeZone": "UTC", "durationMinutes": 481}),
            "durationMinutes",
        ),
        (
            json!({"cadence": "weekly", "startsOn": "2027-03-02", "time": "10:00", "timeZone": "UTC", "endsOn": "2027-03-01"}),
            "endsOn",
        ),
    ] {
        let r = p.boss.put(&path, body.clone()).await;
        r.assert_status(400).assert_field_error(field);
    }
    let r = p.boss.put(&path, json!({"cadence": "weekly"})).await;
    r.assert_status(400);
    assert_eq!(series_of(&p.boss, &p.rep_p).await.len(), 0);
    // With oneself, with someone of another organization, or without a person.
    p.boss
        .put(
            &format!("/api/oneonones/series/{}/schedule", p.boss_p),
            weekly("2027-03-02"),
        )
        .await
        .assert_error(400, "A series is between you and someone else");
    let elsewhere = app.org("elsewhere").await;
    let stranger = app.person(&elsewhere, "Sam Stranger", None).await;
    p.boss
        .put(
            &format!("/api/oneonones/series/{stranger}/schedule"),
            weekly("2027-03-02"),
        )
        .await
        .assert_error(404, "Person not found or access denied");
    p.org
        .admin
        .put(&path, weekly("2027-03-02"))
        .await
        .assert_error(403, "No person record found for current user");
    // One-on-ones' own durations.
    for bad in [json!(0), json!(481), json!("long"), json!(30.5)] {
        p.boss
            .post(
                "/api/oneonones",
                json!({"participant1Id": p.boss_p, "participant2Id": p.rep_p,
                       "scheduledAt": "2027-03-03T10:00:00Z", "durationMinutes": bad}),
            )
            .await
            .assert_status(400);
    }
    assert_eq!(series_of(&p.boss, &p.rep_p).await.len(), 0);
}

#[db_test]
async fn a_one_on_one_is_over_after_its_end(app: TestApp) {
    let p = pair(&app, "overend").await;
    let now = app.clock.now();
    let at = |ms: i64| Timestamp::from_millis(now.as_millis() + ms).to_rfc3339();
    // Began 50 minutes ago and lasted 45: over. Began 50 minutes ago and lasts 60: not.
    let make = |start: i64, minutes: i64| {
        json!({"participant1Id": p.boss_p, "participant2Id": p.rep_p,
               "scheduledAt": at(start), "durationMinutes": minutes})
    };
    let done = p.boss.post("/api/oneonones", make(-50 * 60_000, 45)).await;
    done.assert_status(201);
    let done = done.id("oneOnOne");
    let next = p
        .boss
        .post("/api/oneonones", make(DAY, 30))
        .await
        .id("oneOnOne");
    p.boss
        .post(
            &format!("/api/oneonones/{done}/talking-points"),
            json!({"text": "Carry me"}),
        )
        .await;
    let r = p
        .boss
        .get(&format!("/api/oneonones/{next}/talking-points"))
        .await;
    assert_eq!(r.body["talkingPoints"][0]["text"], "Carry me");
    let going = p.boss.post("/api/oneonones", make(-50 * 60_000, 60)).await;
    going.assert_status(201);
    assert_eq!(going.body["oneOnOne"]["durationMinutes"], 60);
    let going = going.id("oneOnOne");
    p.boss
        .post(
            &format!("/api/oneonones/{going}/talking-points"),
            json!({"text": "Still on"}),
        )
        .await;
    // Not over: its own point stays on it, and is not due on the next one.
    let r = p
        .boss
        .get(&format!("/api/oneonones/{next}/talking-points"))
        .await;
    assert!(
        !r.body.to_string().contains("Still on"),
        "a one-on-one still going carried its point: {}",
        r.body
    );
    let _ = &p.org;
}

/// Issue 27, "Reorg hygiene": when an admin changes John's manager from Jane to Mary, the
/// upcoming one-on-ones of Jane and John (the series' and a one-off) are cancelled and their
/// series ends, exactly those: Jane's with Olive stay, and so does everything past. Both are
/// told; John and Mary are told of the handoff, which still offers the open point; the cadence
/// report drops the old pair. With "keep", nothing of the old pair is touched.
#[db_test]
async fn a_reorg_cancels_exactly_the_old_pairs_upcoming_one_on_ones(app: TestApp) {
    let p = pair(&app, "reorg").await;
    let (mary, mary_p) = app
        .linked_member(&p.org, "Mary Major", "mary@reorg.test")
        .await;
    let olive_p = p.outsider_p.clone();
    app.patch(
        &format!("/api/people/{olive_p}"),
        p.org.admin.t(),
        json!({"managerId": p.boss_p}),
    )
    .await
    .assert_status(200);
    let one = |m: &str, r: &str, at: &str| json!({"participant1Id": m, "participant2Id": r, "scheduledAt": at});
    // Jane and John: last week's one-on-one, a weekly series and a one-off to come.
    let past = p
        .boss
        .post(
            "/api/oneonones",
            one(&p.boss_p, &p.rep_p, "2027-02-22T10:00:00Z"),
        )
        .await
        .id("oneOnOne");
    p.boss
        .put(
            &format!("/api/oneonones/series/{}/schedule", p.rep_p),
            weekly("2027-03-02"),
        )
        .await
        .assert_status(200);
    p.boss
        .post(
            "/api/oneonones",
            one(&p.boss_p, &p.rep_p, "2027-03-05T15:00:00Z"),
        )
        .await
        .assert_status(201);
    p.rep
        .post(
            &format!("/api/oneonones/{past}/talking-points"),
            json!({"text": "Promotion case"}),
        )
        .await
        .assert_status(201);
    // Jane and Olive: a weekly series of their own.
    p.boss
        .put(
            &format!("/api/oneonones/series/{olive_p}/schedule"),
            weekly("2027-03-03"),
        )
        .await
        .assert_status(200);
    let olives = series_of(&p.boss, &olive_p).await;
    assert_eq!(olives.len(), 8);
    assert_eq!(series_of(&p.boss, &p.rep_p).await.len(), 10);

    app.patch(
        &format!("/api/people/{}", p.rep_p),
        p.org.admin.t(),
        json!({"managerId": mary_p}),
    )
    .await
    .assert_status(200);

    // Only last week's one is left of Jane and John, holding the open point again.
    let left = series_of(&p.boss, &p.rep_p).await;
    assert_eq!(times(&left), ["2027-02-22T10:00:00.000Z"]);
    let r = p
        .boss
        .get(&format!("/api/oneonones/{past}/talking-points"))
        .await;
    assert_eq!(r.body["talkingPoints"][0]["text"], "Promotion case");
    let r = p
        .boss
        .get(&format!("/api/oneonones/series/{}", p.rep_p))
        .await;
    assert_eq!(r.body["schedule"], Value::Null);
    assert_eq!(r.body["cadence"], Value::Null);
    // Nothing comes back with time.
    app.clock.set(t("2027-03-08T12:00:00Z"));
    manageros_server::app::housekeep(&app.state).await;
    assert_eq!(series_of(&p.boss, &p.rep_p).await.len(), 1);
    // Jane's one-on-ones with Olive are untouched (and rolled on).
    assert_eq!(
        &series_of(&p.boss, &olive_p).await[..8],
        &olives[..],
        "another pair's one-on-ones are not touched"
    );

    // Both are told; John and Mary are told of the handoff, which offers the point.
    for to in ["jane@reorg.test", "john@reorg.test"] {
        let mails = app.emails_to(to).await;
        assert!(
            mails
                .iter()
                .any(|m| m.subject.starts_with("One-on-ones with")
                    && m.subject.ends_with("cancelled")),
            "{to} was not told: {:?}",
            mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
    }
    for to in ["john@reorg.test", "mary@reorg.test"] {
        let mails = app.emails_to(to).await;
        let m = mails
            .iter()
            .find(|m| m.subject.contains("to move"))
            .unwrap_or_else(|| panic!("{to} was not told of the handoff"));
        assert!(
            !m.body.contains("Promotion case") && !m.html.contains("Promotion case"),
            "never the items' text"
        );
    }
    assert!(
        !app.emails_to("olive@reorg.test")
            .await
            .iter()
            .any(|m| m.subject.contains("cancelled"))
    );
    // Their home pages say so (names and a count; the items are behind the link).
    for (who, says) in [
        (&p.rep, "You now report to Mary Major."),
        (&mary, "John Doe now reports to you."),
    ] {
        let home = app
            .request(reqwest::Method::GET, "/")
            .header("cookie", format!("manageros_session={}", who.token))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains(says), "{home}");
        assert!(!home.contains("Promotion case"));
    }
    let r = mary.get("/api/handoffs").await;
    assert_eq!(
        r.body["handoffs"][0]["talkingPoints"][0]["text"],
        "Promotion case"
    );

    // The cadence report no longer has Jane and John; it still has Jane and Olive.
    let report = p
        .org
        .admin
        .post(
            "/api/reports",
            json!({"name": "Cadence", "kind": "oneonone-cadence"}),
        )
        .await
        .id("report");
    let r = p
        .org
        .admin
        .post(&format!("/api/reports/{report}/run"), json!({}))
        .await;
    let pairs: Vec<(String, String)> = r.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["managerName"].as_str().unwrap().to_owned(),
                row["reportName"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [("Jane Smith".to_owned(), "Olive Other".to_owned())],
        "{}",
        r.body
    );

    // Kept: Olive moves to Mary, and her one-on-ones with Jane stay.
    app.patch(
        &format!("/api/people/{olive_p}"),
        p.org.admin.t(),
        json!({"managerId": mary_p, "keepOneOnOnes": true}),
    )
    .await
    .assert_status(200);
    assert_eq!(series_of(&p.boss, &olive_p).await.len(), 9);
}

/// A pair that never met: Jane and John's only one-on-ones are their series' upcoming ones,
/// and John put a point on the first. The reorg cancels every one of them — no one-on-one of
/// the old pair is left on a calendar — and the handoff holds the point itself: John and Mary
/// are offered it, and moving it writes it, by John, into their next one-on-one.
#[db_test]
async fn a_reorg_of_a_pair_that_never_met_leaves_no_one_on_one_and_loses_no_point(app: TestApp) {
    let p = pair(&app, "never").await;
    let (mary, mary_p) = app
        .linked_member(&p.org, "Mary Major", "mary@never.test")
        .await;
    p.boss
        .put(
            &format!("/api/oneonones/series/{}/schedule", p.rep_p),
            weekly("2027-03-02"),
        )
        .await
        .assert_status(200);
    let first = series_of(&p.boss, &p.rep_p).await[0].0.clone();
    p.rep
        .post(
            &format!("/api/oneonones/{first}/talking-points"),
            json!({"text": "Conference budget"}),
        )
        .await
        .assert_status(201);
    app.patch(
        &format!("/api/people/{}", p.rep_p),
        p.org.admin.t(),
        json!({"managerId": mary_p}),
    )
    .await
    .assert_status(200);
    assert_eq!(series_of(&p.boss, &p.rep_p).await.len(), 0, "no ghost");
    p.rep
        .get(&format!("/api/oneonones/{first}"))
        .await
        .assert_status(404);

    // Offered to both, as written; the new pair schedules, and John moves it.
    let r = mary.get("/api/handoffs").await;
    r.assert_status(200);
    let offered = &r.body["handoffs"][0]["talkingPoints"][0];
    assert_eq!(offered["text"], "Conference budget");
    assert_eq!(offered["authorName"], "John Doe");
    let point = offered["id"].as_str().unwrap().to_owned();
    let handoff = r.body["handoffs"][0]["id"].as_str().unwrap().to_owned();
    let next = mary
        .post(
            "/api/oneonones",
            json!({"participant1Id": mary_p, "participant2Id": p.rep_p,
                   "scheduledAt": "2027-03-04T10:00:00Z"}),
        )
        .await
        .id("oneOnOne");
    let r = p
        .rep
        .post(
            &format!("/api/handoffs/{handoff}"),
            json!({"pointIds": [point]}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["movedTalkingPoints"], 1);
    let r = mary
        .get(&format!("/api/oneonones/{next}/talking-points"))
        .await;
    let moved = &r.body["talkingPoints"][0];
    assert_eq!(moved["text"], "Conference budget");
    assert_eq!(moved["id"], point.as_str(), "the same point");
    assert_eq!(moved["authorName"], "John Doe");
    assert!(
        mary.get("/api/handoffs").await.body["handoffs"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
