//! The journeys of a manager, a report and an admin through the pages, as a user does them:
//! typing, choosing, clicking, following emailed links.

use crate::{
    driver::Browser,
    harness::{Backend, Options, PASSWORD, TestApp, run},
};
use serde_json::json;

/// Each journey runs on SQLite and on PostgreSQL; without chromedriver, both are ignored.
macro_rules! journey {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(browser_skipped, ignore = "chromedriver not installed")]
            async fn sqlite() {
                super::run(
                    super::Backend::Sqlite,
                    super::Options::default(),
                    super::$name,
                )
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(browser_skipped, ignore = "chromedriver not installed")]
            #[cfg_attr(pg_skipped, ignore = "TEST_DATABASE_URL=skip")]
            async fn postgres() {
                super::run(
                    super::Backend::Postgres,
                    super::Options::default(),
                    super::$name,
                )
                .await
            }
        }
    };
}

/// Signs up, then confirms the address from the mailed link, as a new user does.
async fn sign_up(app: &TestApp, b: &Browser, name: &str, email: &str) {
    b.goto("/signup", "signup").await;
    b.fill("#name", name).await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("form[action^='/signup'] button[type=submit]", "signed-up")
        .await;
    assert!(b.text().await.contains("Confirm your email address"));
    let link = app
        .emails_to(email)
        .await
        .pop()
        .expect("a verification email")
        .link();
    b.goto(&link, "verify-email").await;
    assert!(b.text().await.contains(email), "the page names the account");
    b.fill("#password", PASSWORD).await;
    b.click("form[action='/verify-email'] button", "verified")
        .await;
    assert!(b.text().await.contains("Your address is confirmed."));
}

/// Signs in from the sign-in page (`path`, which may carry `next=`).
async fn sign_in(b: &Browser, path: &str, email: &str, label: &str) {
    b.goto(path, "login").await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("form[action^='/login'] button[type=submit]", label)
        .await;
}

async fn add_person(b: &Browser, name: &str, email: &str, manager: Option<&str>) {
    b.goto("/people/new", "add-person").await;
    b.fill("#name", name).await;
    b.fill("#email", email).await;
    if let Some(m) = manager {
        b.choose("#manager", m).await;
    }
    b.click("form[action='/people'] button[type=submit]", "person-added")
        .await;
    assert!(b.text().await.contains(&format!("{name} added.")));
}

/// The onboarding of issue "web application, part 1", end to end: a manager signs up and
/// creates the organization, which puts her on its chart (linked); she adds a report, invites them
/// as that person; the report signs up from the emailed link and lands linked; the manager
/// schedules a one-on-one in her time zone; both see it; an admin who takes no part opens
/// it, and both participants see that in its receipt.
async fn onboarding_to_a_logged_look(app: TestApp) {
    let mia = Browser::open(&app, "onboarding", "mia", "Europe/Paris", 1280).await;
    sign_up(&app, &mia, "Mia Manager", "mia@acme.test").await;
    assert_eq!(mia.path().await, "/welcome");
    mia.fill("#name", "Acme").await;
    mia.fill("#slug", "acme").await;
    mia.click(
        "form[action='/organizations'] button[type=submit]",
        "org-created",
    )
    .await;
    // "Put me on its org chart" was checked: she is its first person, linked already.
    assert!(
        mia.text()
            .await
            .contains("Acme is ready: you are its admin, and the first person on its chart.")
    );
    mia.goto("/account", "account").await;
    assert!(
        mia.text()
            .await
            .contains("Your account is linked to Mia Manager")
    );
    add_person(&mia, "Ray Report", "ray@acme.test", Some("Mia Manager")).await;
    mia.goto("/people/chart", "chart").await;
    let chart = mia.text().await;
    assert!(
        chart.contains("Mia Manager") && chart.contains("Ray Report"),
        "{chart}"
    );

    // The invitation, as the person Ray Report.
    // Choosing the person fills in their email. On a wide screen the members are a table
    // (its cards are for phones only).
    mia.goto("/organization", "organization").await;
    assert_eq!(
        mia.js(
            "return getComputedStyle(document.querySelector('table.row-cards')).display",
            vec![]
        )
        .await,
        json!("table")
    );
    mia.choose("#invite-person", "Ray Report (ray@acme.test)")
        .await;
    assert_eq!(
        mia.js(
            "return document.querySelector('#invite-email').value",
            vec![]
        )
        .await,
        json!("ray@acme.test")
    );
    mia.click("form[action='/organization/invitations'] button", "invited")
        .await;
    assert!(
        mia.text()
            .await
            .contains("Invitation sent to ray@acme.test.")
    );
    assert!(mia.text().await.contains("Pending"));

    let mail = app.emails_to("ray@acme.test").await;
    let link = mail.last().expect("an invitation email").link();
    let ray = Browser::open(&app, "onboarding", "ray", "America/New_York", 375).await;
    ray.goto(&link, "invitation-link").await;
    ray.follow("Create an account", "signup-invited").await;
    // The invited address is filled in and fixed: the emailed link proves it, so signing up
    // joins at once, with no "confirm your email" mail.
    assert_eq!(
        ray.js(
            "const e = document.querySelector('#email'); return [e.value, e.readOnly]",
            vec![]
        )
        .await,
        json!(["ray@acme.test", true])
    );
    ray.fill("#name", "Ray Report").await;
    ray.fill("#password", PASSWORD).await;
    ray.click("form[action^='/signup'] button[type=submit]", "joined")
        .await;
    assert!(ray.text().await.contains("You joined Acme."));
    assert!(
        !app.emails_to("ray@acme.test")
            .await
            .iter()
            .any(|m| m.subject.starts_with("Confirm")),
        "no confirmation mail for an invitee who came by the link"
    );
    // Linked to his person: his start is the home page, not the "not linked" page.
    assert_eq!(ray.path().await, "/");
    assert!(ray.text().await.contains("Your next one-on-ones"));
    ray.goto("/account", "ray-account").await;
    assert!(
        ray.text()
            .await
            .contains("Your account is linked to Ray Report")
    );

    // Mia schedules: 10:30 in Paris is 09:30 UTC in January.
    mia.goto("/oneonones/new", "schedule").await;
    mia.choose("#p2", "Ray Report").await;
    mia.set("#when", "2031-01-15T10:30").await;
    mia.fill(
        "#notes",
        "## Agenda\n\n- growth plan\n\n<script>alert(1)</script>",
    )
    .await;
    mia.click("form[action='/oneonones'] button[type=submit]", "scheduled")
        .await;
    // She lands on the new one-on-one, where its agenda is written.
    assert!(mia.path().await.starts_with("/oneonones/oneonone_"));
    assert!(mia.text().await.contains("scheduled"));
    let mia_api = app.login("mia@acme.test").await;
    let list = mia_api.get("/api/oneonones").await;
    let o = &list.body["oneOnOnes"][0];
    assert_eq!(o["scheduledAt"], "2031-01-15T09:30:00.000Z");
    let id = o["id"].as_str().unwrap().to_owned();

    // Ray sees it in his list, in his time zone (04:30 in New York).
    ray.goto("/oneonones", "ray-list").await;
    let text = ray.text().await;
    assert!(text.contains("Mia Manager"), "{text}");
    assert!(text.contains("4:30"), "{text}");

    // Ada, an admin who takes no part, opens it.
    mia.goto("/organization", "organization-2").await;
    mia.fill("#invite-email", "ada@acme.test").await;
    mia.click(
        "form[action='/organization/invitations'] button",
        "invited-ada",
    )
    .await;
    let link = app.emails_to("ada@acme.test").await.last().unwrap().link();
    let ada = Browser::open(&app, "onboarding", "ada", "UTC", 1280).await;
    ada.goto(&link, "ada-invitation").await;
    ada.follow("Create an account", "ada-signup").await;
    ada.fill("#name", "Ada Admin").await;
    ada.fill("#password", PASSWORD).await;
    ada.click("form[action^='/signup'] button[type=submit]", "ada-joined")
        .await;
    assert!(ada.text().await.contains("You joined Acme."));
    mia.goto("/organization", "organization-3").await;
    let ada_id = app.login("ada@acme.test").await.id;
    mia.choose(&format!("#role-{ada_id}"), "Admin").await;
    mia.click(
        &format!("form[action='/organization/members/{ada_id}/role'] button"),
        "ada-promoted",
    )
    .await;
    assert!(mia.text().await.contains("Ada Admin is now an admin."));
    ada.goto(&format!("/oneonones/{id}"), "ada-opens").await;
    let seen = ada.text().await;
    assert!(seen.contains("growth plan"), "{seen}");
    // She reads the agenda but is told why she may not write it, and has no private notes.
    assert!(
        seen.contains("Only the participants can change the talking points of this one-on-one"),
        "{seen}"
    );
    assert!(!seen.contains("New talking point") && !seen.contains("My private notes"));
    // Notes are Markdown, and the script in them is gone.
    let scripts = ada
        .js(
            "return document.querySelectorAll('.notes script').length",
            vec![],
        )
        .await;
    assert_eq!(scripts, json!(0));

    for (who, b) in [("mia", &mia), ("ray", &ray)] {
        b.goto(&format!("/oneonones/{id}"), &format!("{who}-receipt"))
            .await;
        let receipt = b.text().await;
        assert!(receipt.contains("Ada Admin"), "{who}: {receipt}");
        assert!(receipt.contains("Access by people who do not take part"));
    }
    // Deleting asks first; then it is gone for both.
    mia.click_confirmed(
        &format!("form[action='/oneonones/{id}/delete'] button"),
        "deleted",
    )
    .await;
    assert!(mia.text().await.contains("One-on-one deleted."));
    ray.goto("/oneonones", "ray-list-empty").await;
    assert!(ray.text().await.contains("You have no one-on-ones yet"));
    for b in [mia, ray, ada] {
        b.close().await;
    }
}
journey!(onboarding_to_a_logged_look);

/// A forgotten password, reset from the emailed link.
async fn reset_from_the_emailed_link(app: TestApp) {
    app.signup("Lou", "lou@acme.test").await;
    let lou = Browser::open(&app, "reset", "lou", "UTC", 1280).await;
    lou.goto("/login", "login").await;
    lou.follow("Forgot your password?", "forgot").await;
    lou.fill("#email", "lou@acme.test").await;
    lou.click("form[action='/forgot-password'] button", "forgot-sent")
        .await;
    let link = app.emails_to("lou@acme.test").await.last().unwrap().link();
    assert!(link.contains("/reset-password?token="), "{link}");
    lou.goto(&link, "reset").await;
    lou.fill("#password", "a new long passphrase").await;
    lou.click("form[action='/reset-password'] button", "reset-done")
        .await;
    assert_eq!(lou.path().await, "/login");
    lou.fill("#email", "lou@acme.test").await;
    lou.fill("#password", "a new long passphrase").await;
    lou.click("form[action^='/login'] button[type=submit]", "signed-in")
        .await;
    assert_eq!(lou.path().await, "/welcome");
    // The old password no longer works.
    let old = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "lou@acme.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status, 401);
    lou.close().await;
}
journey!(reset_from_the_emailed_link);

/// A member who may not do something is told why, by authz's reason, and is not offered it.
async fn a_member_sees_the_reason(app: TestApp) {
    let admin = app.signup("Ann", "ann@acme.test").await;
    admin
        .post(
            "/api/organizations",
            json!({"name": "Acme", "slug": "acme"}),
        )
        .await
        .assert_status(201);
    admin
        .post(
            "/api/organization/invitations",
            json!({"email": "max@acme.test"}),
        )
        .await
        .assert_status(201);
    app.signup("Max", "max@acme.test").await;
    let max = Browser::open(&app, "refusals", "max", "UTC", 1280).await;
    sign_in(&max, "/login", "max@acme.test", "start").await;
    let nav = max.nav().await;
    assert!(
        nav.contains("People") && !nav.contains("Organization"),
        "{nav}"
    );
    max.goto("/organization", "organization-refused").await;
    let text = max.text().await;
    assert!(text.contains("Not allowed"), "{text}");
    assert!(text.contains("Only organization admins can view organization members"));
    max.goto("/people", "people").await;
    assert!(!max.text().await.contains("Add a person"));
    max.goto("/people/new", "add-person-refused").await;
    assert!(max.text().await.contains("Only organization admins"));
    max.goto("/settings/permissions", "permissions").await;
    let perms = max.text().await;
    assert!(
        perms.contains("Not allowed") || perms.contains("✗"),
        "{perms}"
    );
    max.close().await;
}
journey!(a_member_sees_the_reason);

/// A form another site makes the browser send is refused, and changes nothing.
async fn a_forged_form_fails(app: TestApp) {
    let admin = app.signup("Ann", "ann@acme.test").await;
    admin
        .post(
            "/api/organizations",
            json!({"name": "Acme", "slug": "acme"}),
        )
        .await
        .assert_status(201);
    let ann = Browser::open(&app, "forged", "ann", "UTC", 1280).await;
    sign_in(&ann, "/login", "ann@acme.test", "start").await;
    // Another origin's page posting to ours, with the user's session in the browser.
    let page = format!(
        "<!doctype html><html lang=en><title>Elsewhere</title><main>\
         <form method=post action='{}/people'><input type=hidden name=csrf value=guess>\
         <input type=hidden name=name value=Mallory><button>Win a prize</button></form></main>",
        app.url("")
    );
    let forged = format!(
        "data:text/html;base64,{}",
        data_encoding::BASE64.encode(page.as_bytes())
    );
    ann.goto(&forged, "forged-page").await;
    ann.click("button", "forged-answer").await;
    assert!(
        ann.text()
            .await
            .contains("This form has expired or was not sent from ManagerOS")
    );
    let people = admin.get("/api/people").await;
    assert_eq!(people.body["people"], json!([]), "nothing was created");
    ann.close().await;
}
journey!(a_forged_form_fails);

/// The accessibility check can fail: a page with an unlabeled field and an image without
/// a text alternative is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(browser_skipped, ignore = "chromedriver not installed")]
async fn axe_reports_what_it_should() {
    run(
        Backend::Sqlite,
        Options::default(),
        |app: TestApp| async move {
            let b = Browser::open(&app, "axe", "check", "UTC", 800).await;
            let page = "<!doctype html><html lang=en><title>t</title><main>\
            <input name=x><img src=x.png></main>";
            b.goto_unchecked(&format!(
                "data:text/html;base64,{}",
                data_encoding::BASE64.encode(page.as_bytes())
            ))
            .await;
            let found = b.violations().await;
            assert!(found.iter().any(|v| v.starts_with("label ")), "{found:#?}");
            assert!(
                found.iter().any(|v| v.starts_with("image-alt ")),
                "{found:#?}"
            );
            b.close().await;
        },
    )
    .await;
}

/// The org chart of a thousand people: it opens on the top level, searches down to one
/// person, and a closed level loads its people when it is opened (htmx), itself with closed
/// levels to load; axe-core passes on it.
async fn a_thousand_people_chart(app: TestApp) {
    use manageros_core::{OrgId, PersonId, PersonStatus, Timestamp};
    use manageros_store::repo::persons::{self, PersonFields};
    let admin = app.signup("Ann", "ann@acme.test").await;
    let org = admin
        .post(
            "/api/organizations",
            json!({"name": "Acme", "slug": "acme"}),
        )
        .await
        .id("organization");
    let org = OrgId::parse(&org).unwrap();
    let txn = manageros_store::begin_write(&app.state.db).await.unwrap();
    let mut ids: Vec<PersonId> = vec![];
    for i in 0..1000 {
        let fields = PersonFields {
            name: format!("Person {i:04}"),
            email: None,
            role: Some(["Engineer", "Designer", "Manager"][i % 3].into()),
            status: PersonStatus::Active,
            team_id: None,
            manager_id: (i > 0).then(|| ids[(i - 1) / 5].clone()),
        };
        ids.push(
            persons::insert(&txn, &org, &fields, Timestamp::from_millis(0))
                .await
                .unwrap(),
        );
    }
    txn.commit().await.unwrap();
    let ann = Browser::open(&app, "chart", "ann", "UTC", 1280).await;
    sign_in(&ann, "/login?next=/people/chart", "ann@acme.test", "chart").await;
    assert_eq!(ann.path().await, "/people/chart");
    let open = "return document.querySelectorAll('#chart details[open]').length";
    assert_eq!(
        ann.js(open, vec![]).await,
        json!(0),
        "Ann is on no chart: the top only"
    );
    assert!(ann.text().await.contains("Person 0000"));
    assert!(!ann.text().await.contains("Person 0001"));
    ann.fill("#q", "Person 0999").await;
    ann.click("form[action='/people/chart'] button[type=submit]", "found")
        .await;
    let hit = ann
        .js(
            "const a = document.querySelector('li.hit > a'); \
             const r = a.getBoundingClientRect(); \
             return [a.textContent, r.width > 0 && r.height > 0]",
            vec![],
        )
        .await;
    assert_eq!(hit, json!(["Person 0999", true]), "found and shown");
    // Person 0002 is beside the way to 0999, closed: opened, its five load (0011–0015),
    // each with a level of its own to load.
    ann.find(&format!(
        "#chart details[hx-get='/people/chart/{}'] > summary",
        ids[2]
    ))
    .await
    .click()
    .await
    .unwrap();
    ann.shows("Person 0015", std::time::Duration::from_secs(10))
        .await;
    ann.settled().await;
    let loaded = format!(
        "return Array.from(document.querySelectorAll(\"#chart details[hx-get='/people/chart/{}'] > ul > li > a\")).map(a => a.textContent)",
        ids[2]
    );
    assert_eq!(
        ann.js(&loaded, vec![]).await,
        json!([
            "Person 0011",
            "Person 0012",
            "Person 0013",
            "Person 0014",
            "Person 0015"
        ])
    );
    ann.landed("level-loaded").await;
    ann.close().await;
}
journey!(a_thousand_people_chart);

/// A manager and a report prepare a one-on-one together, hold it, and follow it up: both add
/// talking points before the meeting, the manager checks two off and turns one into a task,
/// keeps a private note, and the pair's next one-on-one shows what was left open and the
/// open task.
async fn a_one_on_one_prepared_held_and_followed_up(app: TestApp) {
    const DAY: i64 = 24 * 3600 * 1000;
    let org = app.org("acme").await;
    let (boss, boss_p) = app
        .linked_member(&org, "Maria Manager", "maria@acme.test")
        .await;
    let (_, rep_p) = app.linked_member(&org, "Rui Report", "rui@acme.test").await;
    let when = |days: i64| {
        manageros_core::Timestamp::from_millis(app.clock_now() + days * DAY).to_rfc3339()
    };
    let first = boss
        .post(
            "/api/oneonones",
            json!({"participant1Id": boss_p, "participant2Id": rep_p, "scheduledAt": when(1)}),
        )
        .await
        .id("oneOnOne");
    let page = format!("/oneonones/{first}");

    // Before the meeting, each adds points from their own browser.
    let maria = Browser::open(&app, "agenda", "maria", "Europe/Lisbon", 1280).await;
    sign_in(&maria, "/login", "maria@acme.test", "start").await;
    maria.goto(&page, "before").await;
    for point in ["Q1 goals", "Team offsite"] {
        maria.fill("#new-point", point).await;
        maria
            .click(".add-point button[type=submit]", "point-added")
            .await;
    }
    let rui = Browser::open(&app, "agenda", "rui", "America/New_York", 375).await;
    sign_in(&rui, "/login", "rui@acme.test", "start").await;
    rui.goto(&page, "before").await;
    for point in ["Conference budget", "Feedback on my design doc"] {
        rui.fill("#new-point", point).await;
        rui.click(".add-point button[type=submit]", "point-added")
            .await;
    }
    // A blank point is refused next to the field.
    rui.set("#new-point", " ").await;
    rui.js(
        "document.querySelector('#new-point').removeAttribute('required')",
        vec![],
    )
    .await;
    rui.click(".add-point button[type=submit]", "point-refused")
        .await;
    assert!(rui.text().await.contains("Text is required"));
    let agenda = rui.text().await;
    for point in [
        "Q1 goals",
        "Team offsite",
        "Conference budget",
        "Feedback on my design doc",
    ] {
        assert!(agenda.contains(point), "{point} missing: {agenda}");
    }

    // In the meeting, the manager checks two off and turns one into a task for the report.
    maria.goto(&page, "meeting").await;
    for n in [1, 2] {
        maria
            .click(
                &format!(".agenda li:nth-child({n}) form[action$='/done'] button"),
                "checked-off",
            )
            .await;
    }
    maria
        .click(
            ".agenda li:nth-child(3) .point-tools details:nth-of-type(2) summary",
            "task-form",
        )
        .await;
    maria
        .choose(
            ".agenda li:nth-child(3) select[name=assigneeId]",
            "Rui Report",
        )
        .await;
    maria
        .click(
            ".agenda li:nth-child(3) form[action$='/task'] button[type=submit]",
            "task-made",
        )
        .await;
    let text = maria.text().await;
    assert!(text.contains("Action item: Conference budget"), "{text}");
    assert!(text.contains("Action item “Conference budget” created."));
    // A private note, for Maria's eyes only.
    maria
        .fill("#private-notes", "Rui seems stretched thin")
        .await;
    maria
        .click("form[action$='/private-notes'] button", "private-saved")
        .await;
    assert!(maria.text().await.contains("Rui seems stretched thin"));
    rui.goto(&page, "after-meeting").await;
    let seen = rui.text().await;
    assert!(!seen.contains("stretched thin"), "{seen}");
    assert!(seen.contains("Private notes: only their author"));

    // Two days later the next one-on-one is scheduled from the series page: it shows what
    // was left open, carried over, and the open task.
    app.clock.advance_millis(2 * DAY);
    let second = boss
        .post(
            "/api/oneonones",
            json!({"participant1Id": boss_p, "participant2Id": rep_p, "scheduledAt": when(7)}),
        )
        .await
        .id("oneOnOne");
    rui.goto(&format!("/oneonones/with/{boss_p}"), "series")
        .await;
    rui.choose("#cadence", "Weekly").await;
    rui.click("form[action$='/cadence'] button", "cadence-set")
        .await;
    assert!(rui.text().await.contains("Cadence set: weekly."));
    rui.goto(&format!("/oneonones/{second}"), "next").await;
    let next = rui.text().await;
    assert!(next.contains("Feedback on my design doc"), "{next}");
    assert!(next.contains("carried over"), "{next}");
    assert!(
        !next.contains("Q1 goals"),
        "checked points stay behind: {next}"
    );
    assert!(next.contains("Conference budget"), "the open task: {next}");
    assert!(next.contains("Rui Report, todo"), "{next}");
    maria.close().await;
    rui.close().await;
}
journey!(a_one_on_one_prepared_held_and_followed_up);

/// Issue 26, editing together: two people with one one-on-one open. A point added in one
/// browser (typed, Enter) joins the agenda without a reload, the cursor still in the field,
/// and appears in the other browser within two seconds, also without a reload; reordering
/// and checking off do the same, also when the two browsers talk to two replicas (on
/// PostgreSQL). Then both edit the shared notes: the second save comes back naming who saved
/// first, both texts side by side, nothing of either lost.
async fn two_people_hold_one_agenda_live(app: TestApp) {
    let org = app.org("acme").await;
    let (boss, boss_p) = app
        .linked_member(&org, "Maria Manager", "maria@acme.test")
        .await;
    let (_, rep_p) = app.linked_member(&org, "Rui Report", "rui@acme.test").await;
    let one = boss
        .post(
            "/api/oneonones",
            json!({"participant1Id": boss_p, "participant2Id": rep_p,
                   "scheduledAt": "2030-01-07T10:00:00Z", "notes": "Start"}),
        )
        .await
        .id("oneOnOne");
    let page = format!("/oneonones/{one}");
    let maria = Browser::open(&app, "together", "maria", "UTC", 1280).await;
    sign_in(&maria, "/login", "maria@acme.test", "start").await;
    maria.goto(&page, "open").await;
    // On PostgreSQL, Rui's browser talks to another replica: what one writes travels to the
    // other by NOTIFY. SQLite runs as one process.
    let replica = match app.backend {
        Backend::Postgres => Some(app.replica().await),
        Backend::Sqlite => None,
    };
    let rui = Browser::open(
        replica.as_ref().unwrap_or(&app),
        "together",
        "rui",
        "UTC",
        375,
    )
    .await;
    sign_in(&rui, "/login", "rui@acme.test", "start").await;
    rui.goto(&page, "open").await;
    // A mark on each window: a reload would lose it.
    let mark = "window.stillHere = true; return true;";
    maria.js(mark, vec![]).await;
    rui.js(mark, vec![]).await;
    let still = "return window.stillHere === true;";

    // Maria types two points, each ended by Enter.
    for point in ["Q1 goals", "Team offsite"] {
        let typed = format!("{point}{}", char::from(fantoccini::key::Key::Enter));
        maria
            .find("#new-point")
            .await
            .send_keys(&typed)
            .await
            .expect("type");
        maria.landed("point-added").await;
    }
    let text = maria.text().await;
    assert!(
        text.contains("Q1 goals") && text.contains("Team offsite"),
        "{text}"
    );
    assert_eq!(maria.js(still, vec![]).await, json!(true), "no reload");
    let focus = "return [document.activeElement.id, document.activeElement.value];";
    assert_eq!(maria.js(focus, vec![]).await, json!(["new-point", ""]));

    // Rui sees them arrive without reloading, and adds his own, which Maria sees.
    rui.shows("Team offsite", std::time::Duration::from_secs(5))
        .await;
    rui.landed("heard").await;
    assert_eq!(rui.js(still, vec![]).await, json!(true), "no reload");
    let typed = format!(
        "Conference budget{}",
        char::from(fantoccini::key::Key::Enter)
    );
    rui.find("#new-point")
        .await
        .send_keys(&typed)
        .await
        .expect("type");
    rui.landed("point-added").await;
    maria
        .shows("Conference budget", std::time::Duration::from_secs(5))
        .await;

    // Rui checks "Q1 goals" off; Maria's page shows it discussed.
    rui.click(
        ".agenda li:nth-child(1) form[action$='/done'] button",
        "checked",
    )
    .await;
    let done =
        "return document.querySelector('.agenda li:nth-child(1)').classList.contains('done');";
    for _ in 0..50 {
        if maria.js(done, vec![]).await == json!(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        maria.js(done, vec![]).await,
        json!(true),
        "checked off on both pages"
    );
    // Maria moves the last point up with the keyboard's button; Rui's order follows.
    maria
        .click(
            ".agenda li:nth-child(3) form[action$='/move'] input[value=up] + button",
            "moved",
        )
        .await;
    let order = "return Array.from(document.querySelectorAll('.agenda .point-text')).map(e => e.textContent);";
    let want = json!(["Q1 goals", "Conference budget", "Team offsite"]);
    assert_eq!(maria.js(order, vec![]).await, want);
    for _ in 0..50 {
        if rui.js(order, vec![]).await == want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(rui.js(order, vec![]).await, want, "reordered on both pages");
    assert_eq!(maria.js(still, vec![]).await, json!(true));
    assert_eq!(rui.js(still, vec![]).await, json!(true));

    // Both edit the shared notes from the same version: the second save keeps both.
    let edit = format!("/oneonones/{one}/edit");
    maria.goto(&edit, "edit").await;
    rui.goto(&edit, "edit").await;
    maria.fill("#notes", "Start\nFrom Maria").await;
    rui.fill("#notes", "Start\nFrom Rui").await;
    maria
        .click("form[action^='/oneonones/'] button[type=submit]", "saved")
        .await;
    rui.click(
        "form[action^='/oneonones/'] button[type=submit]",
        "conflict",
    )
    .await;
    let text = rui.text().await;
    assert!(
        text.contains("Maria Manager changed this one-on-one while you were editing"),
        "{text}"
    );
    assert!(
        text.contains("From Maria") && text.contains("From Rui"),
        "{text}"
    );
    assert_eq!(
        rui.js("return document.querySelector('#notes').value;", vec![])
            .await,
        json!("Start\nFrom Rui")
    );
    maria.close().await;
    rui.close().await;
}
journey!(two_people_hold_one_agenda_live);

/// Tasks (issue "web application, part 2"): a member creates a task and assigns it; the
/// assignee moves it to done on the board with one click; a member who neither created nor
/// was given it sees why they cannot edit it.
async fn a_task_from_creation_to_done_on_the_board(app: TestApp) {
    let org = app.org("acme").await;
    app.linked_member(&org, "Pat Planner", "pat@acme.test")
        .await;
    app.linked_member(&org, "Sam Doer", "sam@acme.test").await;
    app.linked_member(&org, "Kim Bystander", "kim@acme.test")
        .await;

    let pat = Browser::open(&app, "tasks", "pat", "UTC", 1280).await;
    sign_in(&pat, "/login?next=/tasks", "pat@acme.test", "tasks").await;
    assert!(
        pat.text()
            .await
            .contains("Your organization has no tasks yet.")
    );
    pat.follow("Create the first task", "new-task").await;
    pat.fill("#title", "Draft the hiring plan").await;
    pat.choose("#assignee", "Sam Doer").await;
    pat.choose("#priority", "2").await;
    pat.click("form[action='/tasks'] button[type=submit]", "task-created")
        .await;
    let path = pat.path().await;
    let id = path.trim_start_matches("/tasks/").to_owned();
    let text = pat.text().await;
    assert!(
        text.contains("Task “Draft the hiring plan” created."),
        "{text}"
    );
    assert!(text.contains("Sam Doer"), "{text}");
    pat.close().await;

    let sam = Browser::open(&app, "tasks", "sam", "UTC", 1280).await;
    sign_in(&sam, "/login?next=/tasks/board", "sam@acme.test", "board").await;
    assert!(sam.text().await.contains("Draft the hiring plan"));
    sam.click(
        &format!("#task-{id} button[aria-label^='Done']"),
        "moved-to-done",
    )
    .await;
    let board = sam.text().await;
    assert!(
        board.contains("“Draft the hiring plan” is now Done."),
        "{board}"
    );
    let in_done = sam
        .js(
            "return document.querySelector('#col-done').closest('section').textContent",
            vec![],
        )
        .await;
    assert!(
        in_done
            .as_str()
            .unwrap_or_default()
            .contains("Draft the hiring plan"),
        "{in_done}"
    );
    sam.close().await;

    let kim = Browser::open(&app, "tasks", "kim", "UTC", 1280).await;
    sign_in(
        &kim,
        &format!("/login?next=/tasks/{id}"),
        "kim@acme.test",
        "task",
    )
    .await;
    let text = kim.text().await;
    assert!(
        text.contains("Only the creator or the assignee can edit this task"),
        "{text}"
    );
    assert!(!text.contains("Edit"), "{text}");
    kim.close().await;
}
journey!(a_task_from_creation_to_done_on_the_board);

/// A feedback campaign (issue "web application, part 2"): a manager starts one with the
/// default questions; a respondent without an account answers through the emailed link; the
/// same link cannot answer twice; once three have answered, the manager reads the answers.
async fn a_feedback_campaign_answered_without_an_account(app: TestApp) {
    let org = app.org("acme").await;
    app.link_admin(&org, "Mia Manager").await;
    app.person(&org, "Ray Report", None).await;
    let mia = Browser::open(&app, "campaign", "mia", "UTC", 1280).await;
    sign_in(
        &mia,
        "/login?next=/campaigns",
        &org.admin.email,
        "campaigns",
    )
    .await;
    mia.follow("Start a campaign", "new-campaign").await;
    mia.fill("#name", "Mid-year feedback").await;
    mia.choose("#target", "Ray Report").await;
    mia.set("#start", &app.clock_date(0)).await;
    mia.set("#end", &app.clock_date(14)).await;
    mia.fill(
        "#invitees",
        "ann@outside.test\nbo@outside.test\ncy@outside.test",
    )
    .await;
    mia.click("input[name=startNow]", "start-now-checked").await;
    mia.click("form[action='/campaigns'] button[type=submit]", "started")
        .await;
    let text = mia.text().await;
    assert!(text.contains("started"), "{text}");
    assert!(
        text.contains("What does this person do well"),
        "the default questions: {text}"
    );
    let campaign_path = mia.path().await;
    app.settle().await;

    // Ann answers from her email, without an account.
    let link = app
        .emails_to("ann@outside.test")
        .await
        .pop()
        .expect("a feedback request")
        .link();
    let ann = Browser::open(&app, "campaign", "ann", "UTC", 420).await;
    ann.goto(&link, "the-form").await;
    assert!(ann.text().await.contains("Feedback on Ray Report"));
    ann.fill("#answer-1", "Explains trade-offs clearly.").await;
    ann.fill("#answer-2", "Could delegate more.").await;
    ann.click("form[action^='/feedback'] button[type=submit]", "thanks")
        .await;
    assert!(ann.text().await.contains("Thank you"));
    // The same link a second time is refused, and says why.
    ann.goto(&link, "second-visit").await;
    assert!(ann.text().await.contains("Already answered"));
    ann.close().await;

    // Below three answers the manager sees who answered, not what.
    mia.goto(&campaign_path, "one-answer").await;
    let text = mia.text().await;
    assert!(!text.contains("Explains trade-offs clearly."), "{text}");
    assert!(text.contains("ann@outside.test"));

    // Two more answer (through the API the same link calls).
    for who in ["bo@outside.test", "cy@outside.test"] {
        let link = app.emails_to(who).await.pop().unwrap().link();
        let token = link.split("token=").nth(1).unwrap();
        let r = reqwest::Client::new()
            .post(app.url(&format!("/api/public/feedback/{token}")))
            .json(&json!({"answers": [format!("Good, says {who}"), "", "", ""]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    mia.goto(&campaign_path, "answers").await;
    let text = mia.text().await;
    assert!(text.contains("Explains trade-offs clearly."), "{text}");
    assert!(text.contains("Could delegate more."), "{text}");
    assert!(text.contains("Good, says cy@outside.test"), "{text}");
    mia.close().await;
}
journey!(a_feedback_campaign_answered_without_an_account);

/// Reports (issue "web application, part 2"): an admin saves and runs both reports, sees the
/// overdue pair marked and the chart, and downloads the CSV.
async fn an_admin_runs_both_reports_and_downloads_the_csv(app: TestApp) {
    let org = app.org("acme").await;
    let boss = app.link_admin(&org, "Bea Boss").await;
    let (_, ray) = app.linked_member(&org, "Ray Report", "ray@acme.test").await;
    org.admin
        .patch(&format!("/api/people/{ray}"), json!({"managerId": boss}))
        .await
        .assert_status(200);
    org.admin
        .post(
            "/api/oneonones",
            json!({"participant1Id": boss, "participant2Id": ray,
                "scheduledAt": format!("{}T10:00:00Z", app.clock_date(-30))}),
        )
        .await
        .assert_status(201);
    org.admin
        .put(
            &format!("/api/oneonones/series/{ray}/cadence"),
            json!({"cadence": "every-two-weeks"}),
        )
        .await
        .assert_status(200);
    for status in ["todo", "doing", "done"] {
        org.admin
            .post(
                "/api/tasks",
                json!({"title": "T", "status": status, "assigneeId": ray}),
            )
            .await
            .assert_status(201);
    }

    let bea = Browser::open(&app, "reports", "bea", "UTC", 1280).await;
    sign_in(&bea, "/login?next=/reports", &org.admin.email, "reports").await;
    bea.follow("Save your first report", "new-report").await;
    bea.fill("#name", "Cadence this quarter").await;
    bea.click("form[action='/reports'] button[type=submit]", "cadence")
        .await;
    let text = bea.text().await;
    assert!(text.contains("1 pair is overdue"), "{text}");
    assert!(
        text.contains("Ray Report") && text.contains("Every two weeks"),
        "{text}"
    );
    bea.goto("/reports/new", "new-report-2").await;
    bea.fill("#name", "Tasks by person").await;
    bea.click("input[name=kind][value=task-status]", "kind-chosen")
        .await;
    bea.click("form[action='/reports'] button[type=submit]", "task-status")
        .await;
    assert!(bea.text().await.contains("Tasks by status"));
    let bars = bea
        .js(
            "return document.querySelectorAll('svg rect.bar').length",
            vec![],
        )
        .await;
    assert_eq!(bars, json!(5), "one bar a status");
    // The CSV, fetched as the download link would fetch it, with this browser's session.
    let csv = bea
        .js_async(
            "const a = document.querySelector('a[download]'); \
             const done = arguments[arguments.length - 1]; \
             fetch(a.href).then(r => r.text()).then(done);",
            vec![],
        )
        .await;
    let csv = csv.as_str().unwrap_or_default().to_owned();
    assert!(csv.starts_with("Assignee,Status,Tasks"), "{csv}");
    assert!(csv.contains("Ray Report,Done,1"), "{csv}");
    bea.close().await;
}
journey!(an_admin_runs_both_reports_and_downloads_the_csv);

/// Meetings (issue "web application, part 2"): a private meeting is listed and opened by its
/// participant, and does not exist for a member who is not part of it.
async fn a_private_meeting_is_invisible_to_outsiders(app: TestApp) {
    let org = app.org("acme").await;
    let (pat, _) = app
        .linked_member(&org, "Pat Planner", "pat@acme.test")
        .await;
    let (_, sam) = app.linked_member(&org, "Sam Doer", "sam@acme.test").await;
    app.linked_member(&org, "Kim Bystander", "kim@acme.test")
        .await;
    let id = pat
        .post(
            "/api/meetings",
            json!({"title": "Salary review", "isPrivate": true, "participantIds": [sam],
                "scheduledAt": format!("{}T09:00:00Z", app.clock_date(2))}),
        )
        .await
        .id("meeting");
    pat.post(
        "/api/meetings",
        json!({"title": "Team planning",
            "scheduledAt": format!("{}T10:00:00Z", app.clock_date(3))}),
    )
    .await
    .assert_status(201);

    let sam_b = Browser::open(&app, "private-meeting", "sam", "Europe/Paris", 1280).await;
    sign_in(&sam_b, "/login?next=/meetings", "sam@acme.test", "meetings").await;
    let text = sam_b.text().await;
    assert!(
        text.contains("Salary review") && text.contains("Team planning"),
        "{text}"
    );
    sam_b.follow("Salary review", "the-private-meeting").await;
    assert!(sam_b.text().await.contains("Who sees it"));
    sam_b.close().await;

    let kim = Browser::open(&app, "private-meeting", "kim", "UTC", 1280).await;
    sign_in(&kim, "/login?next=/meetings", "kim@acme.test", "meetings").await;
    let text = kim.text().await;
    assert!(text.contains("Team planning"), "{text}");
    assert!(!text.contains("Salary review"), "{text}");
    kim.goto(&format!("/meetings/{id}"), "not-found").await;
    assert!(
        kim.text()
            .await
            .contains("Meeting not found or access denied")
    );
    kim.close().await;
}
journey!(a_private_meeting_is_invisible_to_outsiders);

/// The weekly loop of issue 27: a manager sets a weekly series from the pair's page and lands
/// on its first one-on-one; the day before, both are reminded by email; the report follows the
/// email's link and adds a point; after their first one-on-one, the admin moves the report to
/// another manager, the form saying what that cancels; the old pair's upcoming one-on-ones are gone from both home pages,
/// and the handoff waits on the report's.
async fn the_weekly_loop_survives_a_reorg(app: TestApp) {
    const HOUR: i64 = 3600 * 1000;
    let org = app.org("loop").await;
    let (jane_api, jane_p) = app
        .linked_member(&org, "Jane Manager", "jane@loop.test")
        .await;
    let (_, john_p) = app
        .linked_member(&org, "John Report", "john@loop.test")
        .await;
    app.linked_member(&org, "Mary Manager", "mary@loop.test")
        .await;
    app.patch(
        &format!("/api/people/{john_p}"),
        org.admin.t(),
        json!({"managerId": jane_p}),
    )
    .await
    .assert_status(200);

    // Jane sets the series: weekly from the day after tomorrow, 10:00 in Paris, 45 minutes.
    let jane = Browser::open(&app, "weekly-loop", "jane", "Europe/Paris", 1280).await;
    sign_in(&jane, "/login", "jane@loop.test", "start").await;
    jane.goto(&format!("/oneonones/with/{john_p}"), "pair")
        .await;
    let starts = manageros_core::Timestamp::from_millis(app.clock_now() + 48 * HOUR).to_rfc3339()
        [..10]
        .to_owned();
    jane.choose("#s-cadence", "Weekly").await;
    jane.set("#s-starts", &starts).await;
    jane.set("#s-time", "10:00").await;
    jane.fill("#s-tz", "Europe/Paris").await;
    jane.fill("#s-duration", "45").await;
    jane.click(
        "form[action$='/schedule'] button[type=submit]",
        "series-set",
    )
    .await;
    let first = jane.path().await;
    assert!(first.starts_with("/oneonones/"), "lands on it: {first}");
    let text = jane.text().await;
    assert!(text.contains("Repeats"), "{text}");
    assert!(text.contains("45 minutes"), "{text}");
    let id = first.trim_start_matches("/oneonones/").to_owned();
    let one = jane_api.get(&format!("/api/oneonones/{id}")).await;
    let at = manageros_core::Timestamp::parse_rfc3339(
        one.body["oneOnOne"]["scheduledAt"].as_str().unwrap(),
    )
    .unwrap();

    // The day before, past 09:00 in Paris and in UTC: both are reminded, once.
    app.clock.set(at.plus_millis(-22 * HOUR));
    manageros_server::app::housekeep(&app.state).await;
    manageros_server::app::housekeep(&app.state).await;
    let reminder = |mails: Vec<crate::harness::Email>| {
        let found: Vec<_> = mails
            .into_iter()
            .filter(|m| m.subject.starts_with("One-on-one with"))
            .collect();
        assert_eq!(found.len(), 1, "one reminder each");
        found.into_iter().next().unwrap()
    };
    let to_jane = reminder(app.emails_to("jane@loop.test").await);
    assert!(
        to_jane.subject.contains("John Report"),
        "{}",
        to_jane.subject
    );
    let to_john = reminder(app.emails_to("john@loop.test").await);
    assert!(to_john.subject.contains("Jane Manager"));
    let link = to_john
        .body
        .split_whitespace()
        .find(|w| w.contains("#new-point"))
        .expect("a link to add a point")
        .to_owned();

    // John follows it, signs in on the way, and adds a point.
    let john = Browser::open(&app, "weekly-loop", "john", "Europe/Paris", 375).await;
    sign_in(&john, "/login", "john@loop.test", "start").await;
    john.goto(&link, "from-the-reminder").await;
    assert_eq!(john.path().await, first);
    john.fill("#new-point", "Conference budget").await;
    john.click(".add-point button[type=submit]", "point-added")
        .await;
    assert!(john.text().await.contains("Conference budget"));
    // His zone came from his browser at sign-in; he asks for the Monday digest too, on his
    // phone; then stops reminders from the email's own link, without signing in there.
    john.goto("/account", "account").await;
    assert_eq!(
        john.js("return document.querySelector('#n-tz').value", vec![])
            .await,
        json!("Europe/Paris")
    );
    john.find("input[name=kind][value=digest]")
        .await
        .click()
        .await
        .unwrap();
    john.click(
        "form[action='/account/notifications'] button[type=submit]",
        "notifications-saved",
    )
    .await;
    assert!(
        john.js(
            "return document.querySelector('input[name=kind][value=digest]').checked",
            vec![]
        )
        .await
        .as_bool()
        .unwrap()
    );
    let unsubscribe = to_john
        .list_unsubscribe
        .clone()
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    let stranger = Browser::open(&app, "weekly-loop", "mail-client", "UTC", 375).await;
    stranger.goto(&unsubscribe, "unsubscribe-asks").await;
    assert!(stranger.text().await.contains("john@loop.test"));
    stranger
        .click("form[action^='/unsubscribe/'] button", "unsubscribed")
        .await;
    assert!(stranger.text().await.contains("no longer gets"));
    stranger.close().await;
    john.goto("/account", "account-after").await;
    assert!(
        !john
            .js(
                "return document.querySelector('input[name=kind][value=reminder]').checked",
                vec![]
            )
            .await
            .as_bool()
            .unwrap(),
        "reminders are off"
    );
    john.goto("/", "john-home-before").await;
    let next = john
        .find("[aria-labelledby=next-h]")
        .await
        .text()
        .await
        .unwrap();
    assert!(next.contains("Jane Manager"), "{next}");

    // The first one-on-one is held; then the admin moves John to Mary: the form says what
    // that cancels; both home pages lose the old pair's one-on-ones (the open point stays
    // with the pair's last one); John's shows the handoff.
    app.clock.set(at.plus_millis(2 * HOUR));
    let admin = Browser::open(&app, "weekly-loop", "admin", "Europe/Paris", 1280).await;
    sign_in(&admin, "/login", "admin@loop.test", "start").await;
    admin
        .goto(&format!("/people/{john_p}/edit"), "edit-john")
        .await;
    admin.choose("#manager", "Mary Manager").await;
    let notice = admin.find("#reorg").await.text().await.unwrap();
    assert!(
        notice.contains("upcoming one-on-ones of John Report and Jane Manager are cancelled"),
        "{notice}"
    );
    admin
        .click("form.stack.card button[type=submit]", "john-moved")
        .await;
    for (b, label) in [(&jane, "jane-home-after"), (&john, "john-home-after")] {
        b.goto("/", label).await;
        let next = b
            .find("[aria-labelledby=next-h]")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            next.contains("Nothing scheduled"),
            "no ghost on {label}: {next}"
        );
    }
    assert!(
        john.text()
            .await
            .contains("You now report to Mary Manager."),
        "the handoff waits on his home page"
    );
    for b in [jane, john, admin] {
        b.close().await;
    }
}
journey!(the_weekly_loop_survives_a_reorg);

/// Issue 28, "Phones": an admin with a bit of everything opens every page at 375 px. Each
/// page fits the window (the check of every page a journey lands on), and the navigation
/// folds into a menu that opens and leads on.
async fn every_page_fits_a_phone(app: TestApp) {
    const DAY: i64 = 24 * 3600 * 1000;
    let org = app.org("phone").await;
    let me = app.link_admin(&org, "Ada Admin-With-A-Long-Name").await;
    let (_, rep) = app
        .linked_member(&org, "Rui Report", "rui@phone.test")
        .await;
    let admin = &org.admin;
    let when = |days: i64| {
        manageros_core::Timestamp::from_millis(app.clock_now() + days * DAY).to_rfc3339()
    };
    let id = |r: crate::harness::Res, key: &str| r.id(key);
    let one = id(
        admin
            .post(
                "/api/oneonones",
                json!({"participant1Id": me, "participant2Id": rep, "scheduledAt": when(1)}),
            )
            .await,
        "oneOnOne",
    );
    admin
        .post(
            &format!("/api/oneonones/{one}/talking-points"),
            json!({"text": "A rather long talking point about the quarterly planning of the platform team"}),
        )
        .await
        .assert_status(201);
    let task = id(
        admin
            .post(
                "/api/tasks",
                json!({"title": "Write the migration plan for the billing service", "assigneeId": rep,
                       "dueDate": when(3)}),
            )
            .await,
        "task",
    );
    let team = id(
        admin.post("/api/teams", json!({"name": "Platform"})).await,
        "team",
    );
    let initiative = id(
        admin
            .post(
                "/api/initiatives",
                json!({"title": "Billing rewrite", "ownerIds": [me], "teamId": team}),
            )
            .await,
        "initiative",
    );
    let meeting = id(
        admin
            .post(
                "/api/meetings",
                json!({"title": "Roadmap review", "scheduledAt": when(2), "participantIds": [rep]}),
            )
            .await,
        "meeting",
    );
    let campaign = id(
        admin
            .post(
                "/api/feedback-campaigns",
                json!({"name": "Q1 360", "targetPersonId": rep, "startDate": "2020-01-01",
                       "endDate": "2099-12-31", "inviteEmails": ["someone@elsewhere.test"],
                       "status": "active"}),
            )
            .await,
        "feedbackCampaign",
    );
    let report = id(
        admin
            .post(
                "/api/reports",
                json!({"name": "Cadence", "kind": "oneonone-cadence"}),
            )
            .await,
        "report",
    );
    admin
        .post(
            "/api/feedback",
            json!({"aboutId": rep, "kind": "praise", "body": "Shipped it"}),
        )
        .await
        .assert_status(201);
    admin
        .post(
            &format!("/api/initiatives/{initiative}/check-ins"),
            json!({"rag": "amber", "note": "The vendor's API is **two weeks** late; we are building a shim"}),
        )
        .await
        .assert_status(201);

    let b = Browser::open(&app, "phone", "ada", "Europe/Paris", 375).await;
    // Signed out, `/` says what ManagerOS is.
    b.goto("/", "landing").await;
    assert!(
        b.text()
            .await
            .contains("One-on-ones, and the work between them")
    );
    sign_in(&b, "/login", &admin.email, "home").await;
    // The menu is folded; opened, it leads on.
    assert_eq!(
        b.js(
            "return getComputedStyle(document.querySelector('#main-menu')).display",
            vec![]
        )
        .await,
        json!("none")
    );
    b.find(".menu-toggle").await.click().await.unwrap();
    b.follow("People", "people").await;
    for (path, label) in [
        ("/".to_owned(), "home"),
        ("/oneonones".to_owned(), "oneonones"),
        ("/oneonones/new".to_owned(), "oneonone-new"),
        (format!("/oneonones/{one}"), "oneonone"),
        (format!("/oneonones/{one}/edit"), "oneonone-edit"),
        (format!("/oneonones/with/{rep}"), "pair"),
        ("/tasks".to_owned(), "tasks"),
        ("/tasks/board".to_owned(), "board"),
        ("/tasks/new".to_owned(), "task-new"),
        (format!("/tasks/{task}"), "task"),
        ("/meetings".to_owned(), "meetings"),
        (format!("/meetings/{meeting}"), "meeting"),
        ("/initiatives".to_owned(), "initiatives"),
        (format!("/initiatives/{initiative}"), "initiative"),
        ("/people".to_owned(), "people"),
        ("/people/chart".to_owned(), "chart"),
        (format!("/people/{rep}"), "person"),
        (format!("/people/{rep}/edit"), "person-edit"),
        ("/teams".to_owned(), "teams"),
        (format!("/teams/{team}"), "team"),
        ("/campaigns".to_owned(), "campaigns"),
        (format!("/campaigns/{campaign}"), "campaign"),
        ("/reports".to_owned(), "reports"),
        (format!("/reports/{report}"), "report"),
        ("/reports/run?kind=task-status".to_owned(), "report-run"),
        ("/organization".to_owned(), "organization"),
        ("/organization/oneonones".to_owned(), "all-oneonones"),
        ("/organization/audit".to_owned(), "audit"),
        ("/settings/permissions".to_owned(), "permissions"),
        ("/account".to_owned(), "account"),
    ] {
        b.goto(&path, label).await;
    }
    b.close().await;
}
journey!(every_page_fits_a_phone);

/// Issue 28: a manager who is not an admin steers their own line. Mia manages Lee, who manages
/// Dee; Otto is in another branch. Mia finds Reports in her menu, runs the one-on-one cadence
/// of her line (Lee and Dee, not Otto), then checks in on the initiative she owns from its
/// page; the initiative shows the check-in. Lee, with one report, sees only Dee's pair.
async fn a_manager_steers_their_own_line(app: TestApp) {
    const DAY: i64 = 24 * 3600 * 1000;
    let org = app.org("line").await;
    let admin = &org.admin;
    let (_, mia) = app
        .linked_member(&org, "Mia Manager", "mia@line.test")
        .await;
    let (_, lee) = app.linked_member(&org, "Lee Lead", "lee@line.test").await;
    let dee = app.person(&org, "Dee Developer", None).await;
    let otto = app.person(&org, "Otto Elsewhere", None).await;
    let boss = app.person(&org, "Bo Boss", None).await;
    for (who, manager) in [(&lee, &mia), (&dee, &lee), (&otto, &boss)] {
        admin
            .patch(&format!("/api/people/{who}"), json!({"managerId": manager}))
            .await
            .assert_status(200);
    }
    let when = |days: i64| {
        manageros_core::Timestamp::from_millis(app.clock_now() + days * DAY).to_rfc3339()
    };
    for (a, b, days) in [(&mia, &lee, -20), (&lee, &dee, -3), (&boss, &otto, -1)] {
        admin
            .post(
                "/api/oneonones",
                json!({"participant1Id": a, "participant2Id": b, "scheduledAt": when(days)}),
            )
            .await
            .assert_status(201);
    }
    let initiative = admin
        .post(
            "/api/initiatives",
            json!({"title": "Mobile onboarding", "ownerIds": [mia]}),
        )
        .await
        .id("initiative");

    let b = Browser::open(&app, "manager-line", "mia", "Europe/Paris", 1280).await;
    sign_in(&b, "/login", "mia@line.test", "home").await;
    assert!(b.nav().await.contains("Reports"), "{}", b.nav().await);
    b.follow("Reports", "reports").await;
    b.follow("One-on-one cadence", "line-cadence").await;
    let text = b.text().await;
    assert!(text.contains("One-on-one cadence of your line"), "{text}");
    assert!(text.contains("2 people report to you"), "{text}");
    assert!(text.contains("Dee Developer") && text.contains("Lee Lead"));
    assert!(
        !text.contains("Otto Elsewhere"),
        "another branch is not Mia's"
    );

    b.goto(&format!("/initiatives/{initiative}"), "initiative")
        .await;
    b.choose("#status", "In progress").await;
    b.choose("#rag", "Amber").await;
    b.fill("#confidence", "65").await;
    b.fill("#note", "Design review *done*; the build slips a week")
        .await;
    b.click(
        "form[action$='/check-ins'] button[type=submit]",
        "checked-in",
    )
    .await;
    let text = b.text().await;
    assert!(text.contains("Check-in posted."), "{text}");
    assert!(text.contains("65% confident"), "{text}");
    assert_eq!(
        b.js(
            "return document.querySelector('.check-ins em') && document.querySelector('.check-ins em').textContent",
            vec![]
        )
        .await,
        json!("done")
    );

    // She calls a meeting of her line, finding Dee by typing part of his name: the list of
    // people narrows as she types (no Ctrl/⌘ multi-select), and she ticks him.
    b.goto("/meetings/new", "meeting-new").await;
    b.fill("#title", "Line sync").await;
    b.set("#when", "2027-01-05T10:00").await;
    b.fill("#participants .picker-search", "dev").await;
    let mut narrowed = false;
    for _ in 0..100 {
        let shown = b
            .js(
                "return document.querySelector('#participants-choices').textContent",
                vec![],
            )
            .await;
        let shown = shown.as_str().unwrap_or_default();
        if shown.contains("Dee Developer") && !shown.contains("Lee Lead") {
            narrowed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(narrowed, "the list did not narrow to Dee");
    b.settled().await;
    b.find(&format!("#participants-choices input[value='{dee}']"))
        .await
        .click()
        .await
        .unwrap();
    b.click(
        "form[action='/meetings'] button[type=submit]",
        "meeting-created",
    )
    .await;
    let text = b.text().await;
    assert!(
        text.contains("Line sync") && text.contains("Dee Developer"),
        "{text}"
    );
    b.close().await;

    let l = Browser::open(&app, "manager-line", "lee", "Europe/Paris", 375).await;
    sign_in(&l, "/login", "lee@line.test", "home").await;
    l.goto("/reports/run?kind=oneonone-cadence", "lee-cadence")
        .await;
    let text = l.text().await;
    assert!(text.contains("1 person reports to you"), "{text}");
    assert!(text.contains("Dee Developer") && !text.contains("Mia Manager"));
    l.close().await;
}
journey!(a_manager_steers_their_own_line);
