//! Reports (docs/API.md §8): members view saved reports, admins write and run them.

use crate::harness::TestApp;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

#[db_test]
async fn only_admins_write_and_run_reports(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    pat.post(
        "/api/reports",
        json!({"name": "Mine", "kind": "task-status"}),
    )
    .await
    .assert_error(403, "Only organization admins can create reports");
    for (body, field) in [
        (json!({"name": "R", "kind": "gossip"}), "kind"),
        (json!({"kind": "task-status"}), "name"),
        (
            json!({"name": "R", "kind": "task-status", "parameters": {"color": "red"}}),
            "parameters",
        ),
        (
            json!({"name": "R", "kind": "oneonone-cadence", "parameters": {"from": "yesterday"}}),
            "parameters",
        ),
        (
            json!({"name": "R", "kind": "oneonone-cadence", "parameters": [1]}),
            "parameters",
        ),
    ] {
        acme.admin
            .post("/api/reports", body)
            .await
            .assert_field_error(field);
    }
    let foreign = app.person(&globex, "Foreign", None).await;
    acme.admin
        .post(
            "/api/reports",
            json!({"name": "R", "kind": "task-status", "parameters": {"assigneeId": foreign}}),
        )
        .await
        .assert_error(404, "Assignee not found or access denied");
    let r = acme
        .admin
        .post(
            "/api/reports",
            json!({"name": "Tasks", "kind": "task-status"}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.body["report"]["parameters"], json!({}));
    let id = r.id("report");
    let path = format!("/api/reports/{id}");

    pat.get(&path).await.assert_status(200);
    assert_eq!(
        pat.get("/api/reports").await.body["pagination"]["totalCount"],
        1
    );
    pat.post(&format!("{path}/run"), json!({}))
        .await
        .assert_error(403, "You do not have permission to run this report");
    pat.patch(&path, json!({"name": "X"}))
        .await
        .assert_error(403, "You do not have permission to edit this report");
    pat.delete(&path)
        .await
        .assert_error(403, "You do not have permission to delete this report");
    globex
        .admin
        .get(&path)
        .await
        .assert_error(404, "Report not found or access denied");
    globex
        .admin
        .post(&format!("{path}/run"), json!({}))
        .await
        .assert_error(404, "Report not found or access denied");
    let r = acme.admin.patch(&path, json!({"name": "Renamed"})).await;
    assert_eq!(r.body["report"]["name"], "Renamed");
    acme.admin.delete(&path).await.assert_status(204);
}

#[db_test]
async fn the_task_status_report_counts_by_assignee_and_status(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    for (status, assigned) in [
        ("todo", true),
        ("todo", true),
        ("done", true),
        ("todo", false),
    ] {
        let assignee = if assigned {
            Value::from(pat_person.clone())
        } else {
            Value::Null
        };
        pat.post(
            "/api/tasks",
            json!({"title": "T", "status": status, "assigneeId": assignee}),
        )
        .await
        .assert_status(201);
    }
    let id = acme
        .admin
        .post(
            "/api/reports",
            json!({"name": "Tasks", "kind": "task-status"}),
        )
        .await
        .id("report");
    let r = acme
        .admin
        .post(&format!("/api/reports/{id}/run"), json!({}))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["report"]["id"], id.as_str());
    assert!(r.body["generatedAt"].is_string());
    assert_eq!(
        r.body["rows"],
        json!([
            {"assigneeId": null, "assigneeName": null, "status": "todo", "count": 1},
            {"assigneeId": pat_person, "assigneeName": "Pat", "status": "todo", "count": 2},
            {"assigneeId": pat_person, "assigneeName": "Pat", "status": "done", "count": 1},
        ])
    );
    let only_pat = acme
        .admin
        .post(
            "/api/reports",
            json!({"name": "Pat", "kind": "task-status", "parameters": {"assigneeId": pat_person}}),
        )
        .await
        .id("report");
    let r = acme
        .admin
        .post(&format!("/api/reports/{only_pat}/run"), json!({}))
        .await;
    assert_eq!(r.body["rows"].as_array().unwrap().len(), 2);
}

#[db_test]
async fn the_cadence_report_shows_dates_and_counts_never_notes(app: TestApp) {
    let acme = app.org("acme").await;
    let (boss, boss_person) = app.linked_member(&acme, "Boss", "boss@example.com").await;
    let report_person = app.person(&acme, "Report", None).await;
    let now = app.clock_now();
    let day = 24 * 3600 * 1000;
    for offset in [-40 * day, -10 * day, 5 * day, 12 * day] {
        let at = manageros_core::Timestamp::from_millis(now + offset).to_rfc3339();
        boss.post(
            "/api/oneonones",
            json!({
                "participant1Id": boss_person,
                "participant2Id": report_person,
                "scheduledAt": at,
                "notes": "SECRET NOTES",
            }),
        )
        .await
        .assert_status(201);
    }
    let id = acme
        .admin
        .post(
            "/api/reports",
            json!({"name": "Cadence", "kind": "oneonone-cadence"}),
        )
        .await
        .id("report");
    let r = acme
        .admin
        .post(&format!("/api/reports/{id}/run"), json!({}))
        .await;
    r.assert_status(200);
    assert!(
        !r.body.to_string().contains("SECRET"),
        "a report never shows notes"
    );
    let rows = r.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (row["managerName"].as_str(), row["reportName"].as_str()),
        (Some("Boss"), Some("Report"))
    );
    assert_eq!(
        row["lastOneOnOneAt"],
        manageros_core::Timestamp::from_millis(now - 10 * day).to_rfc3339()
    );
    assert_eq!(
        row["nextOneOnOneAt"],
        manageros_core::Timestamp::from_millis(now + 5 * day).to_rfc3339()
    );
    assert_eq!(
        row["countInPeriod"], 2,
        "the default period is the 90 days up to now"
    );
}

/// Issue 27: a pair whose one-on-ones were recorded both ways round (each scheduled it with
/// themselves first) is one row of the cadence report, its counts and dates taken together.
#[db_test]
async fn the_cadence_report_has_one_row_per_pair_whichever_way_round(app: TestApp) {
    let acme = app.org("acme").await;
    let (boss, boss_person) = app.linked_member(&acme, "Boss", "boss@example.com").await;
    let (rep, rep_person) = app.linked_member(&acme, "Report", "rep@example.com").await;
    let now = app.clock_now();
    let day = 24 * 3600 * 1000;
    let at = |offset: i64| manageros_core::Timestamp::from_millis(now + offset).to_rfc3339();
    for (who, first, second, offset) in [
        (&boss, &boss_person, &rep_person, -20 * day),
        (&rep, &rep_person, &boss_person, -10 * day),
        (&boss, &boss_person, &rep_person, 7 * day),
    ] {
        who.post(
            "/api/oneonones",
            json!({"participant1Id": first, "participant2Id": second, "scheduledAt": at(offset)}),
        )
        .await
        .assert_status(201);
    }
    let id = acme
        .admin
        .post(
            "/api/reports",
            json!({"name": "Cadence", "kind": "oneonone-cadence"}),
        )
        .await
        .id("report");
    let r = acme
        .admin
        .post(&format!("/api/reports/{id}/run"), json!({}))
        .await;
    r.assert_status(200);
    let rows = r.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    // Named as the one to come records it.
    assert_eq!(
        (row["managerName"].as_str(), row["reportName"].as_str()),
        (Some("Boss"), Some("Report"))
    );
    assert_eq!(row["countInPeriod"], 2);
    assert_eq!(row["lastOneOnOneAt"], at(-10 * day));
    assert_eq!(row["nextOneOnOneAt"], at(7 * day));
}

/// Issue 28: a report run without saving checks what it is given as a saved one does, and says
/// why to who may not run one; nothing is saved either way.
#[db_test]
async fn a_run_now_refuses_what_a_saved_report_refuses(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let loner = app.signup("Lone", "lone@example.com").await;
    let globex = app.org("globex").await;
    let foreign = app.person(&globex, "Foreign", None).await;
    for (body, field) in [
        (json!({"kind": "gossip"}), "kind"),
        (json!({}), "kind"),
        (
            json!({"kind": "task-status", "parameters": {"color": "red"}}),
            "parameters",
        ),
        (
            json!({"kind": "oneonone-cadence", "parameters": {"from": "yesterday"}}),
            "parameters",
        ),
    ] {
        acme.admin
            .post("/api/reports/run", body)
            .await
            .assert_field_error(field);
    }
    acme.admin
        .post(
            "/api/reports/run",
            json!({"kind": "task-status", "parameters": {"assigneeId": foreign}}),
        )
        .await
        .assert_error(404, "Assignee not found or access denied");
    pat.post("/api/reports/run", json!({"kind": "task-status"}))
        .await
        .assert_error(
            403,
            "Nobody reports to you: managers run reports over their own line, admins over everyone",
        );
    assert_eq!(
        loner
            .post("/api/reports/run", json!({"kind": "task-status"}))
            .await
            .status,
        403
    );
    let r = acme
        .admin
        .post("/api/reports/run", json!({"kind": "task-status"}))
        .await;
    r.assert_status(200);
    assert!(r.body["report"].is_null());
    assert_eq!(
        acme.admin.get("/api/reports").await.body["pagination"]["totalCount"],
        0,
        "a run saves nothing"
    );
}
