//! Pages: the one-on-one pages: the agenda, handoffs, and the home page's summary.

use super::*;
use manageros_test_macros::db_test;

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

/// The value of a hidden field of a page's form.
/// Jane and John, members linked to people, and a one-on-one of theirs whose notes read
/// "Start" (for the tests of two people editing one thing).
struct Pair {
    jane: TestUser,
    john: TestUser,
    jane_p: String,
    john_p: String,
    id: String,
}

async fn jane_and_john(app: &TestApp) -> Pair {
    let org = app.org("acme").await;
    let (jane, jane_p) = app
        .linked_member(&org, "Jane Smith", "jane@acme.test")
        .await;
    let (john, john_p) = app.linked_member(&org, "John Doe", "john@acme.test").await;
    let id = jane
        .post(
            "/api/oneonones",
            serde_json::json!({"participant1Id": jane_p, "participant2Id": john_p,
                "scheduledAt": "2030-01-07T10:00:00Z", "notes": "Start"}),
        )
        .await
        .id("oneOnOne");
    Pair {
        jane,
        john,
        jane_p,
        john_p,
        id,
    }
}

/// The version the form whose action ends with `action_end` (`/notes"`) sends back.
fn form_version(html: &str, action_end: &str) -> String {
    let at = html.find(action_end).expect("the form");
    hidden(&html[at..], "version")
}

/// Issue 26: two people editing the same shared notes. The second save used to wipe the
/// first; now it comes back naming who changed it, with their saved notes and the ones typed
/// here side by side, the differing lines marked, and nothing of either lost. Saving again
/// from there is a choice made knowing both.
#[db_test]
async fn two_people_saving_the_same_notes_see_the_conflict_and_keep_both_texts(app: TestApp) {
    let Pair {
        jane,
        john,
        jane_p,
        john_p,
        id,
    } = jane_and_john(&app).await;
    let (edit, save) = (format!("/oneonones/{id}/edit"), format!("/oneonones/{id}"));
    let mut a = Browser::signed_in(&app, &jane);
    let mut b = Browser::signed_in(&app, &john);
    let (pa, pb) = (a.get(&edit).await, b.get(&edit).await);
    assert_eq!(hidden(&pa.html, "version"), "1");
    let form = |page: &str, notes: &'static str, version: String| {
        vec![
            ("csrf", csrf(page)),
            ("participant1Id", jane_p.clone()),
            ("participant2Id", john_p.clone()),
            ("scheduledAt", "2030-01-07T10:00".to_owned()),
            ("tzOffset", "0".to_owned()),
            ("notes", notes.to_owned()),
            ("version", version),
        ]
    };
    let fa = form(&pa.html, "Start\nPoint from Jane", "1".into());
    let fa: Vec<(&str, &str)> = fa.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(a.post(&save, &fa).await.status, 303);

    let fb = form(&pb.html, "Start\nPoint from John", "1".into());
    let fb: Vec<(&str, &str)> = fb.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let conflict = b.post(&save, &fb).await;
    assert_eq!(conflict.status, 409, "{}", conflict.html);
    let html = &conflict.html;
    assert!(
        html.contains("Jane Smith changed this one-on-one while you were editing"),
        "{html}"
    );
    assert!(html.contains("<del>Point from Jane"), "{html}");
    assert!(html.contains("<ins>Point from John"), "{html}");
    assert!(
        html.contains(">Start\nPoint from John</textarea>"),
        "{html}"
    );
    assert_eq!(hidden(html, "version"), "2");
    let api = format!("/api/oneonones/{id}");
    assert_eq!(
        john.get(&api).await.body["oneOnOne"]["notes"],
        "Start\nPoint from Jane"
    );

    // Both kept: John saves his merge from the conflict page, knowing Jane's version.
    let fm = form(html, "Start\nPoint from Jane\nPoint from John", "2".into());
    let fm: Vec<(&str, &str)> = fm.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(b.post(&save, &fm).await.status, 303);
    assert_eq!(
        jane.get(&api).await.body["oneOnOne"]["notes"],
        "Start\nPoint from Jane\nPoint from John"
    );
}

/// Issue 26: the caller's private notes saved meanwhile from another window: the second save
/// comes back with both texts, what was typed still in the field, and the form on the saved
/// version; nothing is overwritten.
#[db_test]
async fn private_notes_saved_in_another_window_are_not_overwritten(app: TestApp) {
    let Pair { jane, id, .. } = jane_and_john(&app).await;
    let (page, save) = (
        format!("/oneonones/{id}"),
        format!("/oneonones/{id}/private-notes"),
    );
    let mut a = Browser::signed_in(&app, &jane);
    let mut b = Browser::signed_in(&app, &jane);
    let (pa, pb) = (a.get(&page).await, b.get(&page).await);
    let version = |html: &str| form_version(html, "/private-notes\"");
    assert_eq!(version(&pa.html), "0");
    let saved = a
        .post(
            &save,
            &[
                ("csrf", &csrf(&pa.html)),
                ("notes", "Ask about the move"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let stale = b
        .post(
            &save,
            &[
                ("csrf", &csrf(&pb.html)),
                ("notes", "Praise the launch"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.html);
    let html = &stale.html;
    assert!(
        html.contains("You, in another window, changed your private notes while you were editing"),
        "{html}"
    );
    assert!(html.contains("<del>Ask about the move"), "{html}");
    assert!(html.contains("<ins>Praise the launch"), "{html}");
    assert!(html.contains(">Praise the launch</textarea>"), "{html}");
    assert_eq!(version(html), "1");
    let api = format!("/api/oneonones/{id}/private-notes");
    assert_eq!(jane.get(&api).await.body["notes"], "Ask about the move");
}

/// Issue 26: the shared notes are edited in place on the one-on-one's page and saved
/// explicitly; a save made on an older version comes back to the page (409) with both texts,
/// the typed one still in the editor, which now names the saved version.
#[db_test]
async fn shared_notes_are_saved_in_place_and_a_stale_save_keeps_both(app: TestApp) {
    let Pair { jane, john, id, .. } = jane_and_john(&app).await;
    let (page, save) = (format!("/oneonones/{id}"), format!("/oneonones/{id}/notes"));
    let mut a = Browser::signed_in(&app, &jane);
    let mut b = Browser::signed_in(&app, &john);
    let (pa, pb) = (a.get(&page).await, b.get(&page).await);
    assert!(pa.html.contains(r#"id="shared-notes-text""#), "{}", pa.html);
    let version = |html: &str| form_version(html, &format!("/{id}/notes\""));
    assert_eq!(version(&pa.html), "1");
    let saved = a
        .post(
            &save,
            &[
                ("csrf", &csrf(&pa.html)),
                ("notes", "Start\nFrom Jane"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let stale = b
        .post(
            &save,
            &[
                ("csrf", &csrf(&pb.html)),
                ("notes", "Start\nFrom John"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.html);
    let html = &stale.html;
    assert!(
        html.contains("Jane Smith changed the shared notes while you were editing"),
        "{html}"
    );
    assert!(html.contains("<del>From Jane"), "{html}");
    assert!(html.contains("<ins>From John"), "{html}");
    assert!(html.contains(">Start\nFrom John</textarea>"), "{html}");
    assert_eq!(version(html), "2");
    let api = format!("/api/oneonones/{id}");
    assert_eq!(
        john.get(&api).await.body["oneOnOne"]["notes"],
        "Start\nFrom Jane"
    );
    // The page's own rules: too long a text is refused next to the editor.
    let long = "x".repeat(20_001);
    let page = b.get(&format!("/oneonones/{id}")).await;
    let refused = b
        .post(
            &save,
            &[
                ("csrf", &csrf(&page.html)),
                ("notes", &long),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.html);
    assert!(refused.html.contains(r#"id="shared-notes-error""#));
}

/// Issue 27: a recurring schedule set, refused, skipped and ended from the pages: a bad form
/// comes back with the message next to its field and creates nothing; a good one lands on the
/// series' first one-on-one, which says it repeats and can be skipped.
#[db_test]
async fn a_recurring_schedule_is_set_skipped_and_ended_from_the_pages(app: TestApp) {
    let p = jane_and_john(&app).await;
    let mut b = Browser::signed_in(&app, &p.jane);
    let series = format!("/oneonones/with/{}", p.john_p);
    let page = b.get(&series).await;
    assert!(page.html.contains("No recurring schedule"));
    let t = csrf(&page.html);
    let tomorrow = app.clock_date(1);
    let schedule = format!("{series}/schedule");
    let form = |tz: &'static str| {
        vec![
            ("csrf", t.clone()),
            ("cadence", "weekly".to_owned()),
            ("startsOn", tomorrow.clone()),
            ("time", "09:30".to_owned()),
            ("timeZone", tz.to_owned()),
            ("durationMinutes", "45".to_owned()),
            ("endsOn", String::new()),
        ]
    };
    let bad = form("Mars/Olympus");
    let r = b.post(&schedule, &pairs(&bad)).await;
    assert_eq!(r.status, 400);
    assert!(
        r.html
            .contains("Time zone must be a name of the IANA time zone database")
    );
    assert!(
        r.html.contains(r#"value="Mars/Olympus""#),
        "the typed zone is kept"
    );
    let api = p
        .jane
        .get(&format!("/api/oneonones/series/{}", p.john_p))
        .await;
    assert_eq!(
        api.body["pagination"]["totalCount"], 1,
        "nothing was created"
    );

    let good = form("Europe/Paris");
    let r = b.post(&schedule, &pairs(&good)).await;
    assert_eq!(r.status, 303);
    let first = r.location.clone().unwrap();
    assert!(first.starts_with("/oneonones/oneonone_"), "{first}");
    let page = b.get(&first).await;
    assert!(page.html.contains("Weekly on"), "it says it repeats");
    assert!(page.html.contains("at 9:30 AM (Europe/Paris)"));
    assert!(page.html.contains("(45 minutes)"));
    assert!(page.html.contains("/skip\""), "it can be skipped");
    let id = first.trim_start_matches("/oneonones/").to_owned();

    let t = csrf(&page.html);
    let r = b.post(&format!("{first}/skip"), &[("csrf", &t)]).await;
    assert_eq!(r.status, 303);
    p.jane
        .get(&format!("/api/oneonones/{id}"))
        .await
        .assert_status(404);

    let page = b.get(&series).await;
    assert!(page.html.contains("End the series"));
    let t = csrf(&page.html);
    let r = b.post(&format!("{schedule}/end"), &[("csrf", &t)]).await;
    assert_eq!(r.status, 303);
    let api = p
        .jane
        .get(&format!("/api/oneonones/series/{}", p.john_p))
        .await;
    assert_eq!(api.body["schedule"], serde_json::Value::Null);
    assert_eq!(
        api.body["pagination"]["totalCount"], 1,
        "only the one-off is left"
    );
}

/// A form's fields as the browser posts them.
fn pairs<'f>(f: &'f [(&'static str, String)]) -> Vec<(&'static str, &'f str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Issue 27, "Reorg hygiene": the form that changes a person's manager says what it will do
/// to their one-on-ones with the current one, and does it unless told to keep them.
#[db_test]
async fn the_person_form_says_what_a_new_manager_cancels(app: TestApp) {
    let p = jane_and_john(&app).await;
    let admin = app.login("admin@acme.test").await;
    let mary = admin
        .post("/api/people", serde_json::json!({"name": "Mary Major"}))
        .await
        .id("person");
    admin
        .patch(
            &format!("/api/people/{}", p.john_p),
            serde_json::json!({"managerId": p.jane_p}),
        )
        .await
        .assert_status(200);
    p.jane
        .put(
            &format!("/api/oneonones/series/{}/schedule", p.john_p),
            serde_json::json!({"cadence": "every-two-weeks", "startsOn": app.clock_date(2),
                               "time": "16:00", "timeZone": "UTC"}),
        )
        .await
        .assert_status(200);
    let upcoming = p
        .jane
        .get(&format!(
            "/api/oneonones?scheduledFrom={}",
            app.clock_date(1)
        ))
        .await
        .body["pagination"]["totalCount"]
        .as_u64()
        .unwrap();
    let mut b = Browser::signed_in(&app, &admin);
    let edit = format!("/people/{}/edit", p.john_p);
    let page = b.get(&edit).await;
    assert!(
        page.html.contains(&format!(
            "the {upcoming} upcoming one-on-ones of John Doe and Jane Smith are cancelled"
        )),
        "{}",
        page.html
    );
    assert!(page.html.contains("Every two weeks on"));
    let (t, v) = (csrf(&page.html), hidden(&page.html, "version"));
    let form = |keep: bool| {
        let mut f = vec![
            ("csrf", t.clone()),
            ("version", v.clone()),
            ("name", "John Doe".to_owned()),
            ("email", "john@acme.test".to_owned()),
            ("status", "active".to_owned()),
            ("managerId", mary.clone()),
        ];
        if keep {
            f.push(("keepOneOnOnes", "1".to_owned()));
        }
        f
    };
    // Kept: nothing of Jane and John's changes.
    let kept = form(true);
    let r = b
        .post(&format!("/people/{}", p.john_p), &pairs(&kept))
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let series = format!("/api/oneonones/series/{}", p.john_p);
    assert!(p.jane.get(&series).await.body["schedule"].is_object());
    // Back to Jane, then to Mary for real: Jane and John's upcoming ones go.
    admin
        .patch(
            &format!("/api/people/{}", p.john_p),
            serde_json::json!({"managerId": p.jane_p, "keepOneOnOnes": true}),
        )
        .await
        .assert_status(200);
    let page = b.get(&edit).await;
    let (t2, v2) = (csrf(&page.html), hidden(&page.html, "version"));
    let mut moved = form(false);
    moved[0].1 = t2;
    moved[1].1 = v2;
    let r = b
        .post(&format!("/people/{}", p.john_p), &pairs(&moved))
        .await;
    assert_eq!(r.status, 303, "{}", r.html);
    let after = p.jane.get(&series).await.body;
    assert_eq!(after["schedule"], serde_json::Value::Null);
    assert_eq!(
        p.jane
            .get(&format!(
                "/api/oneonones?scheduledFrom={}",
                app.clock_date(1)
            ))
            .await
            .body["pagination"]["totalCount"],
        0
    );
}

/// Issue 28: the admins' page of every one-on-one, filtered by person; a member is refused.
#[db_test]
async fn admins_browse_every_one_on_one_by_person(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_p) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let sam = app.person(&acme, "Sam", None).await;
    let kim = app.person(&acme, "Kim", None).await;
    for (a, b) in [(&pat_p, &sam), (&sam, &kim)] {
        acme.admin
            .post(
                "/api/oneonones",
                serde_json::json!({"participant1Id": a, "participant2Id": b,
                    "scheduledAt": format!("{}T10:00:00Z", app.clock_date(2)), "notes": "SECRET"}),
            )
            .await
            .assert_status(201);
    }
    let mut ab = Browser::signed_in(&app, &acme.admin);
    let org = ab.get("/organization").await;
    assert!(org.html.contains("href=\"/organization/oneonones\""));
    let all = ab.get("/organization/oneonones").await;
    assert_eq!(all.status, 200);
    assert!(all.html.contains("2 one-on-ones"), "{}", all.html);
    assert!(!all.html.contains("SECRET"));
    let pats = ab
        .get(&format!("/organization/oneonones?personId={pat_p}"))
        .await;
    assert!(pats.html.contains("1 one-on-one<"), "{}", pats.html);
    assert!(!pats.html.contains("<td data-label=\"Report\">Kim</td>"));
    assert!(all.html.contains("<td data-label=\"Report\">Kim</td>"));
    let bad = ab.get("/organization/oneonones?from=nope").await;
    assert_eq!(bad.status, 400);
    assert!(bad.html.contains("id=\"oo-from-error\""));
    let mut pb = Browser::signed_in(&app, &pat);
    let refused = pb.get("/organization/oneonones").await;
    assert_eq!(refused.status, 403);
}
