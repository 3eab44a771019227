//! Feedback (docs/API.md §8): private feedback is seen only by its author and admins.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

#[db_test]
async fn feedback_and_its_privacy(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, _) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let plain = app.member(&acme, "Plain", "plain@example.com").await;
    let subject = app.person(&acme, "Subject", None).await;

    let r = pat
        .post(
            "/api/feedback",
            json!({"aboutId": subject, "kind": "praise", "body": "Shipped it"}),
        )
        .await;
    r.assert_status(201);
    let f = &r.body["feedback"];
    assert_eq!(
        (f["kind"].as_str(), f["isPrivate"].as_bool()),
        (Some("praise"), Some(false))
    );
    assert_eq!(f["fromPersonId"], pat_person.as_str());
    assert_eq!(f["authorUserId"], app.me(&pat).await["user"]["id"]);
    let public = f["id"].as_str().unwrap().to_owned();
    let private = pat
        .post(
            "/api/feedback",
            json!({
                "aboutId": subject,
                "kind": "concern",
                "isPrivate": true,
                "body": "Missed deadlines",
            }),
        )
        .await
        .id("feedback");
    let by_admin = acme
        .admin
        .post("/api/feedback", json!({"aboutId": subject, "body": "Note"}))
        .await;
    assert_eq!(by_admin.body["feedback"]["fromPersonId"], Value::Null);

    let ids = |r: Res| -> Vec<String> {
        r.body["feedback"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(pat.get("/api/feedback").await).len(), 3);
    assert_eq!(ids(acme.admin.get("/api/feedback").await).len(), 3);
    let seen_by_sam = ids(sam.get(&format!("/api/feedback?aboutId={subject}")).await);
    assert_eq!(seen_by_sam.len(), 2);
    assert!(!seen_by_sam.contains(&private));
    sam.get(&format!("/api/feedback/{private}"))
        .await
        .assert_error(404, "Feedback not found or access denied");
    acme.admin
        .get(&format!("/api/feedback/{private}"))
        .await
        .assert_status(200);
    plain
        .get(&format!("/api/feedback/{public}"))
        .await
        .assert_status(200);

    // The author and admins edit and delete; others get 403 on what they see, 404 otherwise.
    sam.patch(&format!("/api/feedback/{public}"), json!({"body": "X"}))
        .await
        .assert_error(403, "You do not have permission to edit this feedback");
    sam.patch(&format!("/api/feedback/{private}"), json!({"body": "X"}))
        .await
        .assert_error(404, "Feedback not found or access denied");
    let r = pat
        .patch(
            &format!("/api/feedback/{public}"),
            json!({"isPrivate": true}),
        )
        .await;
    assert_eq!(r.body["feedback"]["isPrivate"], true);
    sam.get(&format!("/api/feedback/{public}"))
        .await
        .assert_status(404);
    acme.admin
        .delete(&format!("/api/feedback/{private}"))
        .await
        .assert_status(204);

    // Who may write it, and about whom.
    plain
        .post("/api/feedback", json!({"aboutId": subject, "body": "X"}))
        .await
        .assert_error(403, "You must be linked to a person to create feedback");
    let foreign = app.person(&globex, "Foreign", None).await;
    pat.post("/api/feedback", json!({"aboutId": foreign, "body": "X"}))
        .await
        .assert_error(404, "Person not found or access denied");
    pat.post("/api/feedback", json!({"aboutId": subject, "body": ""}))
        .await
        .assert_field_error("body");
    pat.post(
        "/api/feedback",
        json!({"aboutId": subject, "body": "x", "kind": "rant"}),
    )
    .await
    .assert_field_error("kind");
    pat.post("/api/feedback", json!({"body": "x"}))
        .await
        .assert_field_error("aboutId");
    globex
        .admin
        .get(&format!("/api/feedback/{public}"))
        .await
        .assert_error(404, "Feedback not found or access denied");
    let r = sam
        .get(&format!(
            "/api/me/permissions/check?action=feedback.view&id={public}"
        ))
        .await;
    assert_eq!(
        (r.body["allowed"].as_bool(), r.body["reason"].as_str()),
        (Some(false), Some("Feedback not found or access denied")),
        "private now"
    );
    assert_eq!(
        globex.admin.get("/api/feedback").await.body["feedback"],
        json!([])
    );
}
