//! Settings → Permissions and the permission check (docs/API.md §3, §7).

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

const ACTIONS: &str = "task.create task.edit task.delete task.view meeting.create meeting.edit meeting.delete meeting.view \
meeting-instance.create meeting-instance.edit meeting-instance.delete meeting-instance.view \
initiative.create initiative.edit initiative.delete initiative.view initiative.check-in report.access report.create \
report.edit report.delete report.view report.team feedback.create feedback.edit feedback.delete feedback.view \
oneonone.create oneonone.edit oneonone.delete oneonone.view oneonone.talking-points \
oneonone.private-notes oneonone.action-items feedback-campaign.create feedback-campaign.edit feedback-campaign.delete feedback-campaign.view user.link-person";

async fn granted(user: &TestUser) -> Vec<String> {
    let r = user.get("/api/me/permissions").await;
    r.assert_status(200);
    let rows = r.body["permissions"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|p| p["action"].as_str().unwrap()).collect();
    assert_eq!(names.join(" "), ACTIONS, "the 39 actions in order");
    let requiring: Vec<&str> = rows
        .iter()
        .filter(|p| p["requiresId"] == true)
        .map(|p| p["action"].as_str().unwrap())
        .collect();
    assert_eq!(requiring.len(), 19);
    rows.iter()
        .filter(|p| p["hasAccess"] == true)
        .map(|p| p["action"].as_str().unwrap().to_owned())
        .collect()
}

#[db_test]
async fn settings_lists_the_39_actions_with_what_each_caller_holds(app: TestApp) {
    let acme = app.org("acme").await;
    let (person_user, pat) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let plain = app.member(&acme, "Plain", "plain@example.com").await;
    let loner = app.signup("Lone", "lone@example.com").await;

    let admin = granted(&acme.admin).await;
    assert_eq!(
        admin.len(),
        34,
        "an admin without a person holds everything but creating meetings and their instances: {admin:?}"
    );
    assert!(
        !admin.contains(&"meeting.create".to_owned())
            && !admin.contains(&"meeting-instance.create".to_owned())
    );

    let linked = granted(&person_user).await;
    assert_eq!(
        linked.join(" "),
        "task.create task.view meeting.create meeting.view meeting-instance.create initiative.create initiative.view \
         report.view feedback.create feedback.view oneonone.create feedback-campaign.create"
    );
    let unlinked = granted(&plain).await;
    assert_eq!(
        unlinked.join(" "),
        "task.view meeting.view initiative.view report.view feedback.view"
    );
    assert_eq!(granted(&loner).await, Vec::<String>::new());
    // Someone reports to Pat: from the next request on, Pat runs reports over their line.
    let report = app.person(&acme, "Robin", None).await;
    acme.admin
        .patch(&format!("/api/people/{report}"), json!({"managerId": pat}))
        .await
        .assert_status(200);
    let manager = granted(&person_user).await;
    assert!(manager.contains(&"report.team".to_owned()), "{manager:?}");
    assert!(!manager.contains(&"report.access".to_owned()));
    let row = person_user.get("/api/me/permissions").await.body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["action"] == "report.team")
        .cloned()
        .unwrap();
    assert_eq!(
        row["reason"],
        "People report to you: your reports cover the people who report to you, directly or not"
    );
    // report.team is about a person's place in a line, not a stored report: the check answers
    // the general question whatever id it is given.
    let saved = acme
        .admin
        .post(
            "/api/reports",
            json!({"name": "Tasks", "kind": "task-status"}),
        )
        .await
        .id("report");
    for (who, allowed) in [(&acme.admin, true), (&person_user, true), (&plain, false)] {
        let r = who
            .get(&format!(
                "/api/me/permissions/check?action=report.team&id={saved}"
            ))
            .await;
        r.assert_status(200);
        assert_eq!(r.body["allowed"], allowed, "{}", r.body);
    }
    app.get("/api/me/permissions", None)
        .await
        .assert_error(401, "Unauthorized");
}

#[db_test]
async fn the_check_explains_a_decision_about_one_entity(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, _) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let task = pat
        .post("/api/tasks", json!({"title": "Pat's task"}))
        .await
        .id("task");
    let check = |user: TestUser, q: String| async move {
        let r = user.get(&format!("/api/me/permissions/check?{q}")).await;
        r.assert_status(200);
        r.body
    };

    let r = check(pat.clone(), format!("action=task.edit&id={task}")).await;
    assert_eq!(
        r,
        json!({
            "action": "task.edit",
            "id": task,
            "allowed": true,
            "reason": "You created this task",
        })
    );
    let r = check(sam.clone(), format!("action=task.edit&id={task}")).await;
    assert_eq!(r["allowed"], false);
    assert_eq!(
        r["reason"],
        "Only the creator or the assignee can edit this task"
    );
    let r = check(acme.admin.clone(), format!("action=task.delete&id={task}")).await;
    assert_eq!(
        (r["allowed"].as_bool(), r["reason"].as_str()),
        (Some(true), Some("You are an admin of this organization"))
    );
    // Another organization's admin learns nothing about it.
    let r = check(globex.admin.clone(), format!("action=task.view&id={task}")).await;
    assert_eq!(r["allowed"], false);
    assert_eq!(r["reason"], "Task not found or access denied");
    let r = check(pat.clone(), "action=task.edit&id=task_nope".into()).await;
    assert_eq!(r["reason"], "Task not found or access denied");

    // A private meeting the caller may not see is "not found", not "private".
    let meeting = pat
        .post(
            "/api/meetings",
            json!({"title": "Secret", "scheduledAt": "2030-01-01T10:00:00Z", "isPrivate": true}),
        )
        .await
        .id("meeting");
    let r = check(sam.clone(), format!("action=meeting.edit&id={meeting}")).await;
    assert_eq!(
        (r["allowed"].as_bool(), r["reason"].as_str()),
        (Some(false), Some("Meeting not found or access denied"))
    );

    // Without an id, the general rule.
    let r = check(sam.clone(), "action=task.create".into()).await;
    assert_eq!(
        r,
        json!({
            "action": "task.create",
            "id": Value::Null,
            "allowed": true,
            "reason": "You are linked to a person in this organization",
        })
    );
    let r = check(acme.admin.clone(), "action=meeting.create".into()).await;
    assert_eq!(r["allowed"], false);
    assert_eq!(
        r["reason"],
        "You must be linked to a person to create meetings"
    );

    for bad in ["action=task.fly", "action=", "id=x"] {
        let r = pat.get(&format!("/api/me/permissions/check?{bad}")).await;
        r.assert_field_error("action");
    }
}
