//! Initiatives (docs/API.md §8): any member views, admins or persons create, only admins edit and
//! delete; owners and team inside the organization.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

#[db_test]
async fn initiatives_with_owners(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let plain = app.member(&acme, "Plain", "plain@example.com").await;
    let team = acme
        .admin
        .post("/api/teams", json!({"name": "Core"}))
        .await
        .id("team");
    let other_person = app.person(&acme, "Other", None).await;

    let r = pat
        .post(
            "/api/initiatives",
            json!({
                "title": "Launch",
                "ownerIds": [pat_person, other_person, pat_person],
                "teamId": team,
                "startDate": "2030-01-01",
                "targetDate": "2030-06-30T00:00:00Z",
                "confidence": 70,
                "rag": "amber",
            }),
        )
        .await;
    r.assert_status(201);
    let i = &r.body["initiative"];
    let id = i["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("initiative_"));
    let mut owners: Vec<&str> = i["ownerIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    owners.sort();
    let mut expected = vec![pat_person.as_str(), other_person.as_str()];
    expected.sort();
    assert_eq!(owners, expected, "owners are unique");
    assert_eq!(
        (
            i["status"].as_str(),
            i["rag"].as_str(),
            i["confidence"].as_i64()
        ),
        (Some("planned"), Some("amber"), Some(70))
    );
    assert_eq!(i["teamId"], team.as_str());

    plain
        .post("/api/initiatives", json!({"title": "X"}))
        .await
        .assert_error(403, "You must be linked to a person to create initiatives");
    let foreign = app.person(&globex, "Foreign", None).await;
    pat.post(
        "/api/initiatives",
        json!({"title": "X", "ownerIds": [foreign]}),
    )
    .await
    .assert_error(404, "Owner not found or access denied");
    for (body, field) in [
        (json!({"title": "X", "confidence": 101}), "confidence"),
        (json!({"title": "X", "status": "started"}), "status"),
        (json!({"title": "X", "rag": "blue"}), "rag"),
        (json!({"title": ""}), "title"),
    ] {
        pat.post("/api/initiatives", body)
            .await
            .assert_field_error(field);
    }
    pat.post(
        "/api/initiatives",
        json!({"title": "X", "startDate": "2030-02-01", "targetDate": "2030-01-01"}),
    )
    .await
    .assert_field_error("targetDate");

    // Only admins edit and delete; members see it.
    let path = format!("/api/initiatives/{id}");
    plain.get(&path).await.assert_status(200);
    pat.patch(&path, json!({"status": "in_progress"}))
        .await
        .assert_error(403, "You do not have permission to edit this initiative");
    let r = acme
        .admin
        .patch(
            &path,
            json!({"status": "in_progress", "ownerIds": [], "teamId": null}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        (
            r.body["initiative"]["ownerIds"].clone(),
            r.body["initiative"]["teamId"].clone()
        ),
        (json!([]), Value::Null)
    );
    globex
        .admin
        .get(&path)
        .await
        .assert_error(404, "Initiative not found or access denied");
    pat.delete(&path)
        .await
        .assert_error(403, "You do not have permission to delete this initiative");

    // Deleting it leaves its tasks, detached.
    let task = pat
        .post("/api/tasks", json!({"title": "T", "initiativeId": id}))
        .await
        .id("task");
    acme.admin.delete(&path).await.assert_status(204);
    let t = pat.get(&format!("/api/tasks/{task}")).await;
    assert_eq!(t.body["task"]["initiativeId"], Value::Null);
    pat.get(&format!("{path}/tasks"))
        .await
        .assert_error(404, "Initiative not found or access denied");
}

#[db_test]
async fn a_team_with_initiatives_is_not_deleted(app: TestApp) {
    let acme = app.org("acme").await;
    let team = acme
        .admin
        .post("/api/teams", json!({"name": "Core"}))
        .await
        .id("team");
    acme.admin
        .post("/api/initiatives", json!({"title": "I", "teamId": team}))
        .await
        .assert_status(201);
    acme.admin
        .delete(&format!("/api/teams/{team}"))
        .await
        .assert_error(
            409,
            "Cannot delete a team that still has 1 initiative. Move them elsewhere first.",
        );
}

#[db_test]
async fn the_initiative_list_filters(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    pat.post(
        "/api/initiatives",
        json!({"title": "Alpha", "ownerIds": [pat_person], "rag": "red"}),
    )
    .await
    .assert_status(201);
    pat.post(
        "/api/initiatives",
        json!({"title": "Beta", "status": "done"}),
    )
    .await
    .assert_status(201);
    let titles = |r: Res| -> Vec<String> {
        r.body["initiatives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(
            pat.get(&format!("/api/initiatives?ownerId={pat_person}"))
                .await
        ),
        ["Alpha"]
    );
    assert_eq!(
        titles(pat.get("/api/initiatives?status=done").await),
        ["Beta"]
    );
    assert_eq!(
        titles(pat.get("/api/initiatives?rag=red&search=ALP").await),
        ["Alpha"]
    );
    pat.get("/api/initiatives?rag=blue")
        .await
        .assert_field_error("rag");
}

/// Issue 28: an initiative's owners post check-ins (status, RAG, confidence, a short note),
/// which the initiative takes on and keeps as its history, newest first; editing stays with
/// admins. A member who does not own it is refused, another organization's is not there, a
/// bad check-in changes nothing, and a check-in made against an older version is a 412.
#[db_test]
async fn owners_check_in_and_the_initiative_keeps_the_history(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (owner, owner_p) = app
        .linked_member(&acme, "Olive Owner", "olive@acme.test")
        .await;
    let (other, _) = app
        .linked_member(&acme, "Otto Other", "otto@acme.test")
        .await;
    let id = acme
        .admin
        .post(
            "/api/initiatives",
            json!({"title": "Launch", "ownerIds": [owner_p], "confidence": 60}),
        )
        .await
        .id("initiative");
    let path = format!("/api/initiatives/{id}/check-ins");

    // The owner may check in, not edit.
    owner
        .patch(&format!("/api/initiatives/{id}"), json!({"rag": "red"}))
        .await
        .assert_error(403, "You do not have permission to edit this initiative");
    let r = owner
        .post(
            &path,
            json!({"status": "in_progress", "rag": "amber", "confidence": 40, "note": "Vendor *late*"}),
        )
        .await;
    r.assert_status(201);
    let c = &r.body["checkIn"];
    assert_eq!(c["authorName"], "Olive Owner");
    assert_eq!(
        (
            c["status"].as_str(),
            c["rag"].as_str(),
            c["confidence"].as_i64()
        ),
        (Some("in_progress"), Some("amber"), Some(40))
    );
    assert_eq!(c["note"], "Vendor *late*");
    assert_eq!(r.body["initiative"]["rag"], "amber");
    let i = acme.admin.get(&format!("/api/initiatives/{id}")).await;
    assert_eq!(
        (
            i.body["initiative"]["status"].as_str(),
            i.body["initiative"]["confidence"].as_i64()
        ),
        (Some("in_progress"), Some(40))
    );
    let version = i.header("etag").unwrap().to_owned();

    // An admin checks in too; what is not given stays as it was.
    app.clock.advance_millis(60_000);
    let r = acme.admin.post(&path, json!({"rag": "green"})).await;
    r.assert_status(201);
    assert_eq!(
        (
            r.body["checkIn"]["status"].as_str(),
            r.body["checkIn"]["confidence"].as_i64()
        ),
        (Some("in_progress"), Some(40))
    );

    // Refusals change nothing.
    other.post(&path, json!({"rag": "red"})).await.assert_error(
        403,
        "You do not have permission to check in on this initiative",
    );
    globex
        .admin
        .post(&path, json!({"rag": "red"}))
        .await
        .assert_error(404, "Initiative not found or access denied");
    globex
        .admin
        .get(&path)
        .await
        .assert_error(404, "Initiative not found or access denied");
    for (body, field) in [
        (json!({"rag": "purple"}), "rag"),
        (json!({"status": "someday"}), "status"),
        (json!({"confidence": 101}), "confidence"),
        (json!({"note": "x".repeat(2001)}), "note"),
    ] {
        owner.post(&path, body).await.assert_field_error(field);
    }
    // A check-in against the version before the admin's is stale.
    let stale = app
        .send(
            app.request(reqwest::Method::POST, &path)
                .bearer_auth(&owner.token)
                .header("if-match", &version)
                .json(&json!({"rag": "red"})),
        )
        .await;
    stale.assert_status(412);
    assert_eq!(stale.body["current"]["initiative"]["rag"], "green");

    // Every member sees the history, newest first.
    let h = other.get(&path).await;
    h.assert_status(200);
    let rows = h.body["checkIns"].as_array().unwrap();
    assert_eq!(h.body["pagination"]["totalCount"], 2);
    assert_eq!(rows[0]["rag"], "green");
    assert_eq!(rows[1]["note"], "Vendor *late*");
    let i = other.get(&format!("/api/initiatives/{id}")).await;
    assert_eq!(
        i.body["initiative"]["rag"], "green",
        "no refused check-in was applied"
    );
}
