//! Pages: another organization's entities and a member's refusals, page by page.

use super::*;
use manageros_test_macros::db_test;

#[db_test]
async fn another_organizations_entity_is_the_same_404_page_as_a_missing_one(app: TestApp) {
    let o = two_orgs(&app).await;
    let [person, team, oneonone, invitation] = &o.theirs;
    let mut ann = Browser::signed_in(&app, &o.ann);
    let missing_person = "person_00000000000000000000000000";
    let missing_team = "team_00000000000000000000000000";
    let missing_o = "oneonone_00000000000000000000000000";
    for (theirs, missing) in [
        (
            format!("/people/{person}"),
            format!("/people/{missing_person}"),
        ),
        (
            format!("/people/{person}/edit"),
            format!("/people/{missing_person}/edit"),
        ),
        (format!("/teams/{team}"), format!("/teams/{missing_team}")),
        (
            format!("/teams/{team}/edit"),
            format!("/teams/{missing_team}/edit"),
        ),
        (
            format!("/oneonones/{oneonone}"),
            format!("/oneonones/{missing_o}"),
        ),
        (
            format!("/oneonones/{oneonone}/edit"),
            format!("/oneonones/{missing_o}/edit"),
        ),
        (format!("/people/{person}"), "/people/not-an-id".to_owned()),
    ] {
        let (a, b) = (ann.get(&theirs).await, ann.get(&missing).await);
        assert_eq!((a.status, b.status), (404, 404), "{theirs} / {missing}");
        assert_eq!(alert(&a.html), alert(&b.html), "{theirs}");
        assert!(
            a.html.contains("Organization"),
            "the error page keeps the navigation"
        );
    }
    // Every write on their ids is refused the same way, and changes nothing.
    let t = csrf(&ann.get("/organization").await.html);
    for (path, form) in [
        (
            format!("/people/{person}"),
            vec![("name", "Hacked"), ("status", "active")],
        ),
        (format!("/people/{person}/delete"), vec![]),
        (format!("/teams/{team}"), vec![("name", "Hacked")]),
        (format!("/teams/{team}/delete"), vec![]),
        (
            format!("/oneonones/{oneonone}"),
            vec![
                ("participant1Id", &o.ours[0]),
                ("participant2Id", &o.ours[0]),
                ("scheduledAt", "2031-02-01T10:00"),
            ],
        ),
        (format!("/oneonones/{oneonone}/delete"), vec![]),
        (
            format!("/organization/invitations/{invitation}/revoke"),
            vec![],
        ),
        (format!("/organization/members/{}/remove", o.eve.id), vec![]),
        (
            format!("/organization/members/{}/role", o.eve.id),
            vec![("role", "USER")],
        ),
    ] {
        let mut f = form.clone();
        f.push(("csrf", &t));
        let p = ann.post(&path, &f).await;
        assert_eq!(p.status, 404, "{path}: {}", p.html);
    }
    let eve = &o.eve;
    assert_eq!(
        eve.get(&format!("/api/people/{person}")).await.body["person"]["name"],
        "Bo"
    );
    assert_eq!(
        eve.get(&format!("/api/teams/{team}")).await.body["team"]["name"],
        "Core"
    );
    eve.get(&format!("/api/oneonones/{oneonone}"))
        .await
        .assert_status(200);
    let invs = eve.get("/api/organization/invitations").await;
    assert_eq!(invs.body["invitations"][0]["status"], "pending");
    assert_eq!(eve.get("/api/me").await.body["user"]["role"], "ADMIN");
}

#[db_test]
async fn admin_pages_refuse_a_member_with_the_reason(app: TestApp) {
    let o = two_orgs(&app).await;
    let [person, team] = &o.ours;
    let mut max = Browser::signed_in(&app, &o.max);
    let home = max.get("/people").await;
    assert_eq!(home.status, 200);
    assert!(
        !home.html.contains(r#"href="/organization""#),
        "no admin link"
    );
    assert!(!home.html.contains("Add a person"));
    for (path, reason) in [
        (
            "/organization",
            "Only organization admins can view organization members",
        ),
        ("/people/new", "Only organization admins can create people"),
        ("/teams/new", "Only organization admins can create teams"),
        (
            &format!("/people/{person}/edit") as &str,
            "Only organization admins can update people",
        ),
        (
            &format!("/teams/{team}/edit"),
            "Only organization admins can update teams",
        ),
    ] {
        let p = max.get(path).await;
        assert_eq!(p.status, 403, "{path}");
        assert_eq!(alert(&p.html), reason, "{path}");
        // The refusal names whom to ask (issue 28): the organization's admins.
        assert!(
            p.html
                .contains("ask an admin of your organization: <strong>Ann</strong>."),
            "{path}: {}",
            p.html
        );
    }
    // A member reads people and teams.
    assert_eq!(max.get(&format!("/people/{person}")).await.status, 200);
    assert_eq!(max.get(&format!("/teams/{team}")).await.status, 200);
    assert_eq!(max.get("/people/chart").await.status, 200);
    // And cannot write them, whatever they send.
    let t = csrf(&max.get("/people").await.html);
    for (path, form) in [
        ("/people".to_owned(), vec![("name", "Mallory")]),
        (format!("/people/{person}"), vec![("name", "Hacked")]),
        (format!("/people/{person}/delete"), vec![]),
        ("/teams".to_owned(), vec![("name", "Mallory")]),
        (
            "/organization/invitations".to_owned(),
            vec![("email", "x@y.test")],
        ),
        (
            format!("/organization/members/{}/role", o.ann.id),
            vec![("role", "USER")],
        ),
    ] {
        let mut f = form.clone();
        f.push(("csrf", &t));
        let p = max.post(&path, &f).await;
        assert_eq!(p.status, 403, "{path}: {}", p.html);
        assert!(
            alert(&p.html).starts_with("Only organization admins"),
            "{path}"
        );
    }
    let people = o.ann.get("/api/people").await;
    assert_eq!(
        people.body["pagination"]["totalCount"], 2,
        "nothing created"
    );
    assert_eq!(o.ann.get("/api/me").await.body["user"]["role"], "ADMIN");
}
