//! Pages: reports, run on the page and downloaded as CSV.

use super::*;
use manageros_test_macros::db_test;

#[db_test]
async fn admins_run_both_reports_and_download_them_as_csv(app: TestApp) {
    let acme = app.org("acme").await;
    let boss = app.link_admin(&acme, "Boss").await;
    let (pat, pat_person) = app
        .linked_member(&acme, "=HYPERLINK(evil)", "pat@acme.test")
        .await;
    acme.admin
        .patch(
            &format!("/api/people/{pat_person}"),
            serde_json::json!({"managerId": boss}),
        )
        .await
        .assert_status(200);
    acme.admin
        .post(
            "/api/oneonones",
            serde_json::json!({"participant1Id": boss, "participant2Id": pat_person,
                "scheduledAt": format!("{}T10:00:00Z", app.clock_date(-40))}),
        )
        .await
        .assert_status(201);
    acme.admin
        .put(
            &format!("/api/oneonones/series/{pat_person}/cadence"),
            serde_json::json!({"cadence": "weekly"}),
        )
        .await
        .assert_status(200);
    for status in ["todo", "done", "done"] {
        acme.admin
            .post(
                "/api/tasks",
                serde_json::json!({"title": "T", "status": status, "assigneeId": pat_person}),
            )
            .await
            .assert_status(201);
    }
    let other = app.org("other").await;
    let theirs = other
        .admin
        .post(
            "/api/reports",
            serde_json::json!({"name": "Theirs", "kind": "task-status"}),
        )
        .await
        .id("report");

    let mut ab = Browser::signed_in(&app, &acme.admin);
    let t = csrf(&ab.get("/reports/new").await.html);
    let mut made = vec![];
    for (name, kind) in [("Cadence", "oneonone-cadence"), ("Tasks", "task-status")] {
        let r = ab
            .post("/reports", &[("csrf", &t), ("name", name), ("kind", kind)])
            .await;
        assert_eq!(r.status, 303, "{name}");
        made.push(r.location.unwrap());
    }
    let cadence = ab.get(&made[0]).await;
    assert!(
        cadence.html.contains("1 pair is overdue"),
        "weekly, last 40 days ago"
    );
    assert!(cadence.html.contains("Overdue") && cadence.html.contains("Weekly"));
    let tasks = ab.get(&made[1]).await;
    assert!(tasks.html.contains("<svg") && tasks.html.contains("Tasks by status"));
    assert!(
        tasks.html.contains("=HYPERLINK(evil)"),
        "the name, escaped as text"
    );
    let csv = ab.get(&format!("{}/csv", made[1])).await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.html.starts_with("Assignee,Status,Tasks"),
        "{}",
        csv.html
    );
    assert!(
        csv.html.contains("'=HYPERLINK(evil),Done,2"),
        "a formula-looking name is text: {}",
        csv.html
    );
    // Readable headers and times in the reader's zone, each with its ISO 8601 twin.
    let csv = ab.get(&format!("{}/csv", made[0])).await;
    assert!(
        csv.html.starts_with(
            "Manager,Report,Cadence,Overdue,Last one-on-one (UTC),Last one-on-one (ISO 8601),"
        ),
        "{}",
        csv.html
    );
    assert!(csv.html.contains("Weekly,yes"), "{}", csv.html);

    // A member with no reports sees the list but may not run a report, and is told why; another
    // organization's report is the same 404 as a missing one.
    let mut pb = Browser::signed_in(&app, &pat);
    assert_eq!(pb.get("/reports").await.status, 200);
    let refused = pb.get(&made[1]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.html.contains(
        "Nobody reports to you: managers run reports over their own line, admins over everyone"
    ));
    assert_eq!(pb.get(&format!("{}/csv", made[1])).await.status, 403);
    for path in [
        format!("/reports/{theirs}"),
        format!("/reports/{theirs}/csv"),
    ] {
        let r = ab.get(&path).await;
        assert_eq!(r.status, 404, "{path}");
    }
    // The admin edits one: renamed and narrowed to one assignee; a member may not.
    assert_eq!(pb.get(&format!("{}/edit", made[1])).await.status, 403);
    let edit = ab.get(&format!("{}/edit", made[1])).await;
    assert_eq!(edit.status, 200);
    let saved = ab
        .post(
            &made[1],
            &[
                ("csrf", &t),
                ("name", "Pat's tasks"),
                ("kind", "task-status"),
                ("assigneeId", &pat_person),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let r = acme.admin.get(&format!("/api{}", made[1])).await;
    assert_eq!(r.body["report"]["name"], "Pat's tasks");
    assert_eq!(
        r.body["report"]["parameters"]["assigneeId"],
        pat_person.as_str()
    );
    let gone = ab
        .post(&format!("{}/delete", made[1]), &[("csrf", &t)])
        .await;
    assert_eq!(gone.status, 303);
    assert_eq!(ab.get(&made[1]).await.status, 404);
}

/// Issue 28: a manager who is not an admin finds Reports in the navigation, runs both kinds
/// over their own line (and a saved report, limited the same way), and downloads it; a member
/// nobody reports to sees no Reports link and is told why when they open one anyway.
#[db_test]
async fn a_manager_runs_reports_over_their_own_line(app: TestApp) {
    use serde_json::json;
    let acme = app.org("acme").await;
    let (mia, mia_p) = app.linked_member(&acme, "Mia", "mia@acme.test").await;
    let (lee, lee_p) = app.linked_member(&acme, "Lee", "lee@acme.test").await;
    let dee = app.person(&acme, "Dee", None).await;
    let out = app.person(&acme, "Outsider", None).await;
    let partner = app.person(&acme, "Partner", None).await;
    for (who, manager) in [(&lee_p, &mia_p), (&dee, &lee_p)] {
        acme.admin
            .patch(&format!("/api/people/{who}"), json!({"managerId": manager}))
            .await
            .assert_status(200);
    }
    for (a, b) in [(&mia_p, &lee_p), (&lee_p, &dee), (&out, &partner)] {
        acme.admin
            .post(
                "/api/oneonones",
                json!({"participant1Id": a, "participant2Id": b,
                    "scheduledAt": format!("{}T10:00:00Z", app.clock_date(-3))}),
            )
            .await
            .assert_status(201);
    }
    for assignee in [&lee_p, &dee, &out] {
        acme.admin
            .post("/api/tasks", json!({"title": "T", "assigneeId": assignee}))
            .await
            .assert_status(201);
    }
    let saved = acme
        .admin
        .post(
            "/api/reports",
            json!({"name": "Everyone's tasks", "kind": "task-status"}),
        )
        .await
        .id("report");

    let mut mb = Browser::signed_in(&app, &mia);
    let list = mb.get("/reports").await;
    assert_eq!(list.status, 200);
    assert!(
        list.html.contains("href=\"/reports\""),
        "Reports is in Mia's navigation"
    );
    assert!(list.html.contains("id=\"run-now\""), "{}", list.html);
    assert!(list.html.contains("/reports/run?kind=oneonone-cadence"));
    let cadence = mb.get("/reports/run?kind=oneonone-cadence").await;
    assert_eq!(cadence.status, 200);
    assert!(cadence.html.contains("One-on-one cadence of your line"));
    assert!(
        cadence
            .html
            .contains("Your reporting line: 2 people report to you")
    );
    assert!(cadence.html.contains("Dee") && cadence.html.contains("Lee"));
    assert!(
        !cadence.html.contains("Outsider"),
        "another branch's pair is not Mia's"
    );
    let tasks = mb.get(&format!("/reports/{saved}")).await;
    assert_eq!(tasks.status, 200);
    assert!(tasks.html.contains("Everyone&#39;s tasks") || tasks.html.contains("Everyone's tasks"));
    assert!(tasks.html.contains("Your reporting line: 2 people"));
    assert!(!tasks.html.contains("Outsider") && !tasks.html.contains("Unassigned"));
    assert!(
        !tasks.html.contains("/edit\""),
        "a manager does not edit the organization's reports"
    );
    let csv = mb.get("/reports/run/csv?kind=task-status").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.html.starts_with("Assignee,Status,Tasks"),
        "{}",
        csv.html
    );
    assert!(csv.html.contains("Dee") && !csv.html.contains("Outsider"));
    assert_eq!(mb.get("/reports/run?kind=gossip").await.status, 400);

    // A member nobody reports to.
    let (nia, _) = app.linked_member(&acme, "Nia", "nia@acme.test").await;
    let mut nb = Browser::signed_in(&app, &nia);
    let home = nb.get("/").await;
    assert!(
        !home.html.contains("href=\"/reports\""),
        "no Reports link for Nia"
    );
    let refused = nb.get("/reports/run?kind=task-status").await;
    assert_eq!(refused.status, 403);
    assert!(refused.html.contains("Nobody reports to you"));
    assert!(nb.get("/reports").await.html.contains("id=\"run-refused\""));
    let mut lb = Browser::signed_in(&app, &lee);
    let own = lb.get("/reports/run?kind=task-status").await;
    assert!(
        own.html
            .contains("Your reporting line: 1 person reports to you")
    );
}
