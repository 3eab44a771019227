//! Tasks (docs/API.md §8): task.create/view/edit/delete, references inside the organization.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

#[db_test]
async fn who_may_create_tasks(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let plain = app.member(&acme, "Plain", "plain@example.com").await;
    let loner = app.signup("Lone", "lone@example.com").await;

    let r = app
        .post("/api/tasks", pat.t(), json!({"title": " Write the RFC ", "priority": 1, "dueDate": "2030-03-01", "assigneeId": pat_person}))
        .await;
    r.assert_status(201);
    let t = &r.body["task"];
    assert!(t["id"].as_str().unwrap().starts_with("task_"));
    assert_eq!(t["title"], "Write the RFC");
    assert_eq!(t["status"], "todo");
    assert_eq!(t["priority"], 1);
    assert_eq!(t["dueDate"], "2030-03-01T00:00:00.000Z");
    assert_eq!(t["assigneeId"], pat_person.as_str());
    assert_eq!(t["createdById"], app.me(&pat).await["user"]["id"]);
    assert_eq!(t["completedAt"], Value::Null);

    app.post("/api/tasks", acme.admin.t(), json!({"title": "Admin task"}))
        .await
        .assert_status(201);
    app.post("/api/tasks", plain.t(), json!({"title": "Nope"}))
        .await
        .assert_error(403, "You must be linked to a person to create tasks");
    app.post("/api/tasks", loner.t(), json!({"title": "Nope"}))
        .await
        .assert_error(403, "User must belong to an organization to create tasks");
    app.get("/api/tasks", loner.t())
        .await
        .assert_error(403, "User must belong to an organization to view tasks");
    let list = app.get("/api/tasks", plain.t()).await;
    assert_eq!(
        list.body["pagination"]["totalCount"], 2,
        "every member views every task"
    );
}

#[db_test]
async fn tasks_are_validated(app: TestApp) {
    let acme = app.org("acme").await;
    for (body, field) in [
        (json!({}), "title"),
        (json!({"title": "  "}), "title"),
        (json!({"title": "x".repeat(201)}), "title"),
        (json!({"title": "T", "status": "finished"}), "status"),
        (json!({"title": "T", "priority": 0}), "priority"),
        (json!({"title": "T", "priority": 6}), "priority"),
        (
            json!({"title": "T", "dueDate": "2030-03-01T10:00:00"}),
            "dueDate",
        ),
        (json!({"title": "T", "dueDate": "soon"}), "dueDate"),
    ] {
        app.post("/api/tasks", acme.admin.t(), body)
            .await
            .assert_field_error(field);
    }
    app.post(
        "/api/tasks",
        acme.admin.t(),
        json!({"title": "T", "priority": "high"}),
    )
    .await
    .assert_status(400);
    assert_eq!(
        app.get("/api/tasks", acme.admin.t()).await.body["pagination"]["totalCount"],
        0
    );
}

#[db_test]
async fn references_must_be_in_the_organization(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let theirs = app.person(&globex, "Theirs", None).await;
    let their_initiative = app
        .post("/api/initiatives", globex.admin.t(), json!({"title": "G"}))
        .await
        .id("initiative");
    app.post(
        "/api/tasks",
        acme.admin.t(),
        json!({"title": "T", "assigneeId": theirs}),
    )
    .await
    .assert_error(404, "Assignee not found or access denied");
    app.post(
        "/api/tasks",
        acme.admin.t(),
        json!({"title": "T", "initiativeId": their_initiative}),
    )
    .await
    .assert_error(404, "Initiative not found or access denied");
    app.post(
        "/api/tasks",
        acme.admin.t(),
        json!({"title": "T", "assigneeId": "person_x"}),
    )
    .await
    .assert_error(404, "Assignee not found or access denied");
    let task = app
        .post("/api/tasks", acme.admin.t(), json!({"title": "T"}))
        .await
        .id("task");
    app.patch(
        &format!("/api/tasks/{task}"),
        acme.admin.t(),
        json!({"assigneeId": theirs}),
    )
    .await
    .assert_error(404, "Assignee not found or access denied");
    assert_eq!(
        app.get("/api/tasks", acme.admin.t()).await.body["pagination"]["totalCount"],
        1
    );
}

#[db_test]
async fn the_creator_the_assignee_and_admins_edit_and_delete(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let (other, _) = app.linked_member(&acme, "Other", "other@example.com").await;
    let task = app
        .post(
            "/api/tasks",
            pat.t(),
            json!({"title": "T", "assigneeId": sam_person}),
        )
        .await
        .id("task");
    let path = format!("/api/tasks/{task}");

    app.patch(&path, pat.t(), json!({"title": "By creator"}))
        .await
        .assert_status(200);
    let r = app.patch(&path, sam.t(), json!({"status": "done"})).await;
    r.assert_status(200);
    assert!(
        r.body["task"]["completedAt"].is_string(),
        "done sets completedAt"
    );
    assert_eq!(r.body["task"]["title"], "By creator");
    app.patch(&path, acme.admin.t(), json!({"priority": 5}))
        .await
        .assert_status(200);
    // A member who is neither may see it but not change it: 403, and nothing changes.
    app.patch(&path, other.t(), json!({"title": "Hijacked"}))
        .await
        .assert_error(403, "You do not have permission to edit this task");
    app.patch(&path, other.t(), json!({"title": ""}))
        .await
        .assert_status(403);
    app.delete(&path, other.t())
        .await
        .assert_error(403, "You do not have permission to delete this task");
    let r = app.get(&path, other.t()).await;
    assert_eq!(
        (
            r.body["task"]["title"].as_str(),
            r.body["task"]["priority"].as_i64()
        ),
        (Some("By creator"), Some(5))
    );

    let r = app
        .patch(&path, sam.t(), json!({"status": "doing", "dueDate": null}))
        .await;
    assert_eq!(
        r.body["task"]["completedAt"],
        Value::Null,
        "leaving done clears completedAt"
    );
    app.patch(&path, sam.t(), json!({"title": null}))
        .await
        .assert_field_error("title");
    app.delete(&path, sam.t()).await.assert_status(204);
    app.get(&path, pat.t())
        .await
        .assert_error(404, "Task not found or access denied");
}

#[db_test]
async fn another_organizations_tasks_are_not_found_even_for_admins(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let task = app
        .post("/api/tasks", globex.admin.t(), json!({"title": "Theirs"}))
        .await
        .id("task");
    let path = format!("/api/tasks/{task}");
    app.get(&path, acme.admin.t())
        .await
        .assert_error(404, "Task not found or access denied");
    app.patch(&path, acme.admin.t(), json!({"title": "Mine now"}))
        .await
        .assert_error(404, "Task not found or access denied");
    app.delete(&path, acme.admin.t())
        .await
        .assert_error(404, "Task not found or access denied");
    assert_eq!(
        app.get("/api/tasks", acme.admin.t()).await.body["tasks"],
        json!([])
    );
    assert_eq!(
        app.get(&path, globex.admin.t()).await.body["task"]["title"],
        "Theirs"
    );
}

#[db_test]
async fn the_task_list_filters_and_pages(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let initiative = app
        .post(
            "/api/initiatives",
            acme.admin.t(),
            json!({"title": "Launch"}),
        )
        .await
        .id("initiative");
    for i in 0..5 {
        app.clock.advance_millis(1000);
        let body = json!({"title": format!("Task {i}"), "status": if i % 2 == 0 { "todo" } else { "done" },
            "assigneeId": if i < 3 { Value::from(pat_person.clone()) } else { Value::Null },
            "initiativeId": if i == 4 { Value::from(initiative.clone()) } else { Value::Null }});
        app.post("/api/tasks", pat.t(), body)
            .await
            .assert_status(201);
    }
    let titles = |r: &Res| -> Vec<String> {
        r.body["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(&app.get("/api/tasks", pat.t()).await),
        ["Task 4", "Task 3", "Task 2", "Task 1", "Task 0"],
        "newest first"
    );
    assert_eq!(
        titles(&app.get("/api/tasks?status=done", pat.t()).await),
        ["Task 3", "Task 1"]
    );
    assert_eq!(
        titles(
            &app.get(
                &format!("/api/tasks?assigneeId={pat_person}&status=todo"),
                pat.t()
            )
            .await
        ),
        ["Task 2", "Task 0"]
    );
    assert_eq!(
        titles(&app.get("/api/tasks?search=K 3", pat.t()).await),
        ["Task 3"]
    );
    let r = app.get("/api/tasks?limit=2&page=3", pat.t()).await;
    assert_eq!(titles(&r), ["Task 0"]);
    assert_eq!(r.body["pagination"]["totalPages"], 3);
    let r = app
        .get(&format!("/api/initiatives/{initiative}/tasks"), pat.t())
        .await;
    r.assert_status(200);
    assert_eq!(titles(&r), ["Task 4"]);
    app.get("/api/tasks?status=nope", pat.t())
        .await
        .assert_field_error("status");
}
