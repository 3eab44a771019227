//! The JSON of every resource, and the OpenAPI document, as reviewed snapshots: a renamed,
//! added or removed response field fails here until the change to `snapshots/*.snap` is
//! accepted (`cargo insta review`, or `INSTA_UPDATE=always cargo test` and a look at the
//! diff). Ids and times are replaced by placeholders, so the snapshots hold only shapes and
//! the values a test chose; both databases must give the same answer.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

/// Replaces what differs between runs: ids by `[<prefix> id]`, timestamps by `[time]`, and
/// random tokens by `[token]`.
fn stable(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = if k == "token" && v.is_string() {
                        json!("[token]")
                    } else {
                        stable(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(stable).collect()),
        Value::String(s) => {
            if let Some((prefix, body)) = s.split_once('_')
                && body.len() == 26
                && prefix.bytes().all(|b| b.is_ascii_lowercase())
                && body.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'v'))
            {
                json!(format!("[{prefix} id]"))
            } else if s.len() == 24 && s.ends_with('Z') && s.as_bytes().get(10) == Some(&b'T') {
                json!("[time]")
            } else {
                v.clone()
            }
        }
        _ => v.clone(),
    }
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let value = stable(&$value);
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_json_snapshot!($name, value);
        })
    }};
}

#[db_test]
async fn every_resource_keeps_its_json_shape(app: TestApp) {
    let acme = app.org("acme").await;
    let boss = app.link_admin(&acme, "Boss").await;
    let (ada, ada_person) = app.linked_member(&acme, "Ada", "ada@example.com").await;
    let team = acme
        .admin
        .post(
            "/api/teams",
            json!({"name": "Platform", "description": "Runs things"}),
        )
        .await
        .id("team");
    acme.admin
        .patch(
            &format!("/api/people/{ada_person}"),
            json!({"teamId": team, "managerId": boss, "role": "Engineer"}),
        )
        .await
        .assert_status(200);
    snapshot!("me", app.me(&ada).await);
    snapshot!(
        "organization",
        acme.admin.get("/api/organization").await.body
    );
    snapshot!(
        "members",
        acme.admin.get("/api/organization/members").await.body
    );
    snapshot!(
        "person",
        acme.admin
            .get(&format!("/api/people/{ada_person}"))
            .await
            .body
    );
    snapshot!("people", acme.admin.get("/api/people").await.body);
    snapshot!(
        "team",
        acme.admin.get(&format!("/api/teams/{team}")).await.body
    );
    app.invite(&acme, "grace@example.com", None).await;
    app.settle().await; // its email is sent
    snapshot!(
        "invitations",
        acme.admin.get("/api/organization/invitations").await.body
    );

    let initiative = acme
        .admin
        .post(
            "/api/initiatives",
            json!({
                "title": "Launch",
                "ownerIds": [boss],
                "teamId": team,
                "startDate": "2030-01-01",
                "targetDate": "2030-03-01",
            }),
        )
        .await;
    snapshot!("initiative", initiative.body);
    let task = acme
        .admin
        .post(
            "/api/tasks",
            json!({
                "title": "Write it",
                "priority": 2,
                "assigneeId": ada_person,
                "initiativeId": initiative.id("initiative"),
                "dueDate": "2030-02-01",
            }),
        )
        .await;
    snapshot!("task", task.body);
    snapshot!("tasks", acme.admin.get("/api/tasks").await.body);
    let meeting = acme
        .admin
        .post(
            "/api/meetings",
            json!({
                "title": "Weekly",
                "scheduledAt": "2030-01-07T10:00:00Z",
                "participantIds": [ada_person],
                "isPrivate": true,
            }),
        )
        .await;
    snapshot!("meeting", meeting.body);
    let instance = acme
        .admin
        .post(
            &format!("/api/meetings/{}/instances", meeting.id("meeting")),
            json!({"scheduledAt": "2030-01-14T10:00:00Z", "notes": "Agenda"}),
        )
        .await;
    snapshot!("meeting_instance", instance.body);
    let feedback = acme
        .admin
        .post(
            "/api/feedback",
            json!({"aboutId": ada_person, "kind": "praise", "body": "Great work"}),
        )
        .await;
    snapshot!("feedback", feedback.body);
    let campaign = acme
        .admin
        .post(
            "/api/feedback-campaigns",
            json!({
                "name": "Q1",
                "targetPersonId": ada_person,
                "startDate": "2030-01-01",
                "endDate": "2030-02-01",
                "inviteEmails": ["peer@example.com"],
                "questions": ["What went well?"],
            }),
        )
        .await;
    snapshot!("feedback_campaign", campaign.body);
    let report = acme
        .admin
        .post(
            "/api/reports",
            json!({"name": "Status", "kind": "task-status"}),
        )
        .await;
    snapshot!("report", report.body);
    let run = acme
        .admin
        .post(
            &format!("/api/reports/{}/run", report.id("report")),
            json!({}),
        )
        .await;
    snapshot!("report_run", run.body);
    let one = acme
        .admin
        .post(
            "/api/oneonones",
            json!({
                "participant1Id": boss,
                "participant2Id": ada_person,
                "scheduledAt": "2030-01-08T09:00:00Z",
                "notes": "Career",
            }),
        )
        .await;
    snapshot!("oneonone", one.body);
    snapshot!("oneonones", acme.admin.get("/api/oneonones").await.body);
    snapshot!(
        "oneonone_access",
        ada.get(&format!("/api/oneonones/{}/access", one.id("oneOnOne")))
            .await
            .body
    );
    snapshot!("permissions", ada.get("/api/me/permissions").await.body);
    snapshot!(
        "error_validation",
        acme.admin
            .post("/api/tasks", json!({"title": ""}))
            .await
            .body
    );
}

#[db_test]
async fn the_openapi_document_is_reviewed(app: TestApp) {
    snapshot!("openapi", app.get("/api/openapi.json", None).await.body);
}
