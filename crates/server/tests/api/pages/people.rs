//! Pages: the people, the org chart and the teams.

use super::*;
use manageros_test_macros::db_test;

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

/// Issue 30: the chart costs what it shows. It opens on the viewer's place (the top level and
/// their own reports), every other level loads when it is opened, a level shows its first
/// 200 by name (and whoever the chart is about, wherever they are), and a search opens the
/// levels above whom it finds.
#[db_test]
async fn the_org_chart_of_a_thousand_people_opens_on_the_viewer_and_loads_the_rest_on_demand(
    app: TestApp,
) {
    use manageros_core::{OrgId, PersonId, PersonStatus};
    use manageros_store::repo::persons::{self, PersonFields};
    let o = two_orgs(&app).await;
    let org = OrgId::parse(
        o.ann.get("/api/me").await.body["organization"]["id"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let bo = &o.ours[0];
    let ann_person = o.ann.get(&format!("/api/people/{bo}")).await.body["person"]["managerId"]
        .as_str()
        .unwrap()
        .to_owned();
    let person = |name: String, manager: Option<PersonId>| PersonFields {
        name,
        email: None,
        role: Some("Engineer".into()),
        status: PersonStatus::Active,
        team_id: None,
        manager_id: manager,
    };
    // A thousand people, five reports each: a tree six levels deep; and 250 more under Ann.
    let txn = manageros_store::begin_write(&app.state.db).await.unwrap();
    let at = manageros_core::Timestamp::from_millis(0);
    let mut ids: Vec<PersonId> = vec![];
    for i in 0..1000 {
        let fields = person(
            format!("Person {i:04}"),
            (i > 0).then(|| ids[(i - 1) / 5].clone()),
        );
        ids.push(persons::insert(&txn, &org, &fields, at).await.unwrap());
    }
    let mut zeds: Vec<PersonId> = vec![];
    for i in 0..250 {
        let fields = person(format!("Zed {i:03}"), PersonId::parse(&ann_person));
        zeds.push(persons::insert(&txn, &org, &fields, at).await.unwrap());
    }
    txn.commit().await.unwrap();
    let mut ann = Browser::signed_in(&app, &o.ann);
    let chart = ann.get("/people/chart").await;
    assert_eq!(chart.status, 200);
    assert!(
        chart.html.contains("1252 people"),
        "the two of the seed too"
    );
    // Ann's place: the top (Ann, Person 0000) and Ann's own reports, the first 200 of Bo and
    // the Zeds, then a link to the rest. Person 0000's five load when opened.
    assert_eq!(chart.html.matches("<details open>").count(), 1);
    assert_eq!(chart.html.matches("hx-get=\"/people/chart/").count(), 1);
    assert!(chart.html.contains(&format!(
        r#"<details hx-get="/people/chart/{}" hx-trigger="toggle once""#,
        ids[0]
    )));
    assert!(!chart.html.contains("Person 0001"));
    assert!(chart.html.contains("Zed 198") && !chart.html.contains("Zed 199"));
    assert!(chart.html.contains(&format!(
        r#"<a href="/people?managerId={ann_person}">51 more people in the directory</a>"#
    )));
    // Without script, a closed level is a link to the chart opened there.
    assert!(chart.html.contains(&format!(
        r#"<a href="/people/chart?at={0}#found-{0}">Show who reports to Person 0000</a>"#,
        ids[0]
    )));

    // Opening Person 0000 loads its five, each with five of its own to load.
    let level = ann.get(&format!("/people/chart/{}", ids[0])).await;
    assert_eq!(level.status, 200);
    assert!(!level.html.contains("<html"), "a fragment: {}", level.html);
    for i in 1..=5 {
        assert!(level.html.contains(&format!("Person {i:04}")));
    }
    assert_eq!(level.html.matches("hx-get=\"/people/chart/").count(), 5);
    assert_eq!(level.html.matches("5 direct reports").count(), 5);

    // Person 0999 reports through 0199, 0039, 0007, 0001 to 0000: those open, only.
    let found = ann.get("/people/chart?q=person+0999").await.html;
    assert!(found.contains("1 person found, marked below:"));
    assert_eq!(found.matches(r#"class="hit""#).count(), 1);
    assert_eq!(found.matches("<details open>").count(), 5);
    let hit = &found[found.find(r#"class="hit""#).unwrap()..];
    assert!(hit.contains(&format!(r#"href="/people/{}""#, ids[999])));
    // Many found: the first ten are marked, the directory lists them all.
    let many = ann.get("/people/chart?q=zed").await.html;
    assert!(many.contains("250 people found, marked below:"));
    assert_eq!(many.matches(r#"class="hit""#).count(), 10);
    assert!(many.contains(r#"<a href="/people?search=zed">all in the directory</a>"#));

    // Opened on someone past the first 200 of their level: they are shown all the same.
    let deep = ann
        .get(&format!("/people/chart?at={}", zeds[240]))
        .await
        .html;
    let hit = &deep[deep.find(r#"class="hit""#).unwrap()..];
    assert!(hit.contains("Zed 240"));
    assert!(deep.contains("50 more people in the directory"));

    // Opened on oneself (a person page's "On the org chart"), one is marked, as anyone is.
    let own = ann
        .get(&format!("/people/chart?at={ann_person}"))
        .await
        .html;
    assert!(own.contains(&format!(r#"id="found-{ann_person}""#)));
    // Another organization's person is not found, and opens nothing.
    let mut eve = Browser::signed_in(&app, &o.eve);
    assert_eq!(
        eve.get(&format!("/people/chart/{}", ids[0])).await.status,
        404
    );
    assert_eq!(eve.get("/people/chart/not-an-id").await.status, 404);
    let theirs = eve.get(&format!("/people/chart?at={}", ids[7])).await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.html.contains("Person 0") && !theirs.html.contains(r#"class="hit""#));
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

/// Issue 28, small frictions: a manager's name in the directory leads to them, and a
/// one-on-one's action item leads to its task.
#[db_test]
async fn a_managers_name_and_an_action_item_are_links(app: TestApp) {
    let acme = app.org("acme").await;
    let (jane, jane_p) = app
        .linked_member(&acme, "Jane Smith", "jane@acme.test")
        .await;
    let (_, john_p) = app.linked_member(&acme, "John Doe", "john@acme.test").await;
    app.patch(
        &format!("/api/people/{john_p}"),
        acme.admin.t(),
        serde_json::json!({"managerId": jane_p}),
    )
    .await
    .assert_status(200);
    let mut b = Browser::signed_in(&app, &jane);
    let dir = b.get("/people").await;
    assert!(
        dir.html
            .contains(&format!("<a href=\"/people/{jane_p}\">Jane Smith</a>")),
        "{}",
        dir.html
    );
    let o = jane
        .post(
            "/api/oneonones",
            serde_json::json!({"participant1Id": jane_p, "participant2Id": john_p,
                               "scheduledAt": "2031-01-15T10:00:00Z"}),
        )
        .await
        .id("oneOnOne");
    let point = jane
        .post(
            &format!("/api/oneonones/{o}/talking-points"),
            serde_json::json!({"text": "Write the plan"}),
        )
        .await
        .id("talkingPoint");
    let task = jane
        .post(
            &format!("/api/oneonones/{o}/talking-points/{point}/task"),
            serde_json::json!({"assigneeId": john_p}),
        )
        .await
        .id("task");
    let page = b.get(&format!("/oneonones/{o}")).await;
    assert!(
        page.html
            .matches(&format!("href=\"/tasks/{task}\""))
            .count()
            >= 2,
        "the point's action item and the pair's list link to the task"
    );
}

/// Issue 28: a team page adds members (admins); a member sees no such form, and posting it
/// anyway is refused with the reason and changes nothing; another organization's person is
/// the 404 page.
#[db_test]
async fn a_team_page_adds_members(app: TestApp) {
    let acme = app.org("acme").await;
    let team = acme
        .admin
        .post("/api/teams", serde_json::json!({"name": "Platform"}))
        .await
        .id("team");
    let pat = app.person(&acme, "Pat Person", None).await;
    let (sam, _) = app
        .linked_member(&acme, "Sam Member", "sam@acme.test")
        .await;
    let other = app.org("globex").await;
    let stranger = app.person(&other, "Stranger", None).await;

    let mut ab = Browser::signed_in(&app, &acme.admin);
    let page = ab.get(&format!("/teams/{team}")).await;
    assert!(
        page.html
            .contains(&format!("<option value=\"{pat}\">Pat Person</option>"))
    );
    let t = csrf(&page.html);
    let added = ab
        .post(
            &format!("/teams/{team}/members"),
            &[("csrf", &t), ("personId", &pat)],
        )
        .await;
    assert_eq!(added.status, 303);
    let page = ab.get(&format!("/teams/{team}")).await;
    assert!(page.html.contains("Pat Person joined the team."));
    assert!(
        page.html
            .contains(&format!("<a href=\"/people/{pat}\">Pat Person</a>"))
    );
    assert!(
        !page.html.contains(&format!("<option value=\"{pat}\">")),
        "a member is no longer offered"
    );
    let gone = ab
        .post(
            &format!("/teams/{team}/members"),
            &[("csrf", &t), ("personId", &stranger)],
        )
        .await;
    assert_eq!(gone.status, 404);

    let mut sb = Browser::signed_in(&app, &sam);
    let page = sb.get(&format!("/teams/{team}")).await;
    assert!(!page.html.contains("/members\""), "no form for a member");
    let st = csrf(&page.html);
    let refused = sb
        .post(
            &format!("/teams/{team}/members"),
            &[("csrf", &st), ("personId", &pat)],
        )
        .await;
    assert_eq!(refused.status, 403);
}

/// Issue 28: saving a person whose email another person of the organization already has says
/// so (only one of them can be linked to that address's account); a unique email says nothing.
#[db_test]
async fn a_person_with_an_email_another_has_is_warned_of(app: TestApp) {
    let acme = app.org("acme").await;
    app.person(&acme, "Pat Original", Some("pat@acme.test"))
        .await;
    let mut ab = Browser::signed_in(&app, &acme.admin);
    let t = csrf(&ab.get("/people/new").await.html);
    let add = |name: &'static str, email: &'static str| {
        [
            ("csrf", t.clone()),
            ("name", name.to_owned()),
            ("email", email.to_owned()),
            ("status", "active".to_owned()),
        ]
    };
    let fields = add("Pat Copy", "pat@acme.test");
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = ab.post("/people", &form).await;
    assert_eq!(p.status, 303);
    let page = ab.get(p.location.as_deref().unwrap()).await;
    assert!(
        page.html
            .contains("Note: Pat Original is recorded with this email too"),
        "{}",
        page.html
    );
    let fields = add("Quinn Unique", "quinn@acme.test");
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = ab.post("/people", &form).await;
    let page = ab.get(p.location.as_deref().unwrap()).await;
    assert!(page.html.contains("Quinn Unique added."));
    assert!(!page.html.contains("Note:"));
}
