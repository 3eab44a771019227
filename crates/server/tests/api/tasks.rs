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

    let r = pat
        .post(
            "/api/tasks",
            json!({
                "title": " Write the RFC ",
                "priority": 1,
                "dueDate": "2030-03-01",
                "assigneeId": pat_person,
            }),
        )
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

    acme.admin
        .post("/api/tasks", json!({"title": "Admin task"}))
        .await
        .assert_status(201);
    plain
        .post("/api/tasks", json!({"title": "Nope"}))
        .await
        .assert_error(403, "You must be linked to a person to create tasks");
    loner
        .post("/api/tasks", json!({"title": "Nope"}))
        .await
        .assert_error(403, "User must belong to an organization to create tasks");
    loner
        .get("/api/tasks")
        .await
        .assert_error(403, "User must belong to an organization to view tasks");
    let list = plain.get("/api/tasks").await;
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
        // A create takes the update's rules: null is refused where a value is required.
        (json!({"title": null}), "title"),
        (json!({"title": "T", "status": null}), "status"),
        (json!({"title": "T", "priority": null}), "priority"),
    ] {
        acme.admin
            .post("/api/tasks", body)
            .await
            .assert_field_error(field);
    }
    for priority in [json!("high"), json!(2.5), json!(1e300)] {
        acme.admin
            .post("/api/tasks", json!({"title": "T", "priority": priority}))
            .await
            .assert_status(400);
    }
    assert_eq!(
        acme.admin.get("/api/tasks").await.body["pagination"]["totalCount"],
        0
    );
    // JSON (and the OpenAPI document's `integer`) count 3.0 as the whole number 3.
    let r = acme
        .admin
        .post("/api/tasks", json!({"title": "T", "priority": 3.0}))
        .await;
    r.assert_status(201);
    assert_eq!(r.body["task"]["priority"], 3);
    let id = r.id("task");
    let r = acme
        .admin
        .patch(&format!("/api/tasks/{id}"), json!({"priority": 5.0}))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["task"]["priority"], 5);
    // An empty filter, as a form's "any" choice sends it, filters nothing; a wrong one is named.
    let r = acme.admin.get("/api/tasks?status=").await;
    r.assert_status(200);
    assert_eq!(r.body["pagination"]["totalCount"], 1);
    acme.admin
        .get("/api/tasks?status=finished")
        .await
        .assert_field_error("status");
}

#[db_test]
async fn references_must_be_in_the_organization(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let theirs = app.person(&globex, "Theirs", None).await;
    let their_initiative = globex
        .admin
        .post("/api/initiatives", json!({"title": "G"}))
        .await
        .id("initiative");
    acme.admin
        .post("/api/tasks", json!({"title": "T", "assigneeId": theirs}))
        .await
        .assert_error(404, "Assignee not found or access denied");
    acme.admin
        .post(
            "/api/tasks",
            json!({"title": "T", "initiativeId": their_initiative}),
        )
        .await
        .assert_error(404, "Initiative not found or access denied");
    acme.admin
        .post(
            "/api/tasks",
            json!({"title": "T", "assigneeId": "person_x"}),
        )
        .await
        .assert_error(404, "Assignee not found or access denied");
    let task = acme
        .admin
        .post("/api/tasks", json!({"title": "T"}))
        .await
        .id("task");
    acme.admin
        .patch(&format!("/api/tasks/{task}"), json!({"assigneeId": theirs}))
        .await
        .assert_error(404, "Assignee not found or access denied");
    assert_eq!(
        acme.admin.get("/api/tasks").await.body["pagination"]["totalCount"],
        1
    );
}

#[db_test]
async fn the_creator_the_assignee_and_admins_edit_and_delete(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let (other, _) = app.linked_member(&acme, "Other", "other@example.com").await;
    let task = pat
        .post(
            "/api/tasks",
            json!({"title": "T", "assigneeId": sam_person}),
        )
        .await
        .id("task");
    let path = format!("/api/tasks/{task}");

    pat.patch(&path, json!({"title": "By creator"}))
        .await
        .assert_status(200);
    let r = sam.patch(&path, json!({"status": "done"})).await;
    r.assert_status(200);
    assert!(
        r.body["task"]["completedAt"].is_string(),
        "done sets completedAt"
    );
    assert_eq!(r.body["task"]["title"], "By creator");
    acme.admin
        .patch(&path, json!({"priority": 5}))
        .await
        .assert_status(200);
    // A member who is neither may see it but not change it: 403, and nothing changes.
    other
        .patch(&path, json!({"title": "Hijacked"}))
        .await
        .assert_error(403, "You do not have permission to edit this task");
    other
        .patch(&path, json!({"title": ""}))
        .await
        .assert_status(403);
    other
        .delete(&path)
        .await
        .assert_error(403, "You do not have permission to delete this task");
    let r = other.get(&path).await;
    assert_eq!(
        (
            r.body["task"]["title"].as_str(),
            r.body["task"]["priority"].as_i64()
        ),
        (Some("By creator"), Some(5))
    );

    let r = sam
        .patch(&path, json!({"status": "doing", "dueDate": null}))
        .await;
    assert_eq!(
        r.body["task"]["completedAt"],
        Value::Null,
        "leaving done clears completedAt"
    );
    sam.patch(&path, json!({"title": null}))
        .await
        .assert_field_error("title");
    sam.delete(&path).await.assert_status(204);
    pat.get(&path)
        .await
        .assert_error(404, "Task not found or access denied");
}

#[db_test]
async fn another_organizations_tasks_are_not_found_even_for_admins(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let task = globex
        .admin
        .post("/api/tasks", json!({"title": "Theirs"}))
        .await
        .id("task");
    let path = format!("/api/tasks/{task}");
    acme.admin
        .get(&path)
        .await
        .assert_error(404, "Task not found or access denied");
    acme.admin
        .patch(&path, json!({"title": "Mine now"}))
        .await
        .assert_error(404, "Task not found or access denied");
    acme.admin
        .delete(&path)
        .await
        .assert_error(404, "Task not found or access denied");
    assert_eq!(acme.admin.get("/api/tasks").await.body["tasks"], json!([]));
    assert_eq!(
        globex.admin.get(&path).await.body["task"]["title"],
        "Theirs"
    );
}

#[db_test]
async fn the_task_list_filters_and_pages(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let initiative = acme
        .admin
        .post("/api/initiatives", json!({"title": "Launch"}))
        .await
        .id("initiative");
    for i in 0..5 {
        app.clock.advance_millis(1000);
        let body = json!({
            "title": format!("Task {i}"),
            "status": if i % 2 == 0 { "todo" } else { "done" },
            "assigneeId": if i < 3 { Value::from(pat_person.clone()) } else { Value::Null },
            "initiativeId": if i == 4 { Value::from(initiative.clone()) } else { Value::Null },
        });
        pat.post("/api/tasks", body).await.assert_status(201);
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
        titles(&pat.get("/api/tasks").await),
        ["Task 4", "Task 3", "Task 2", "Task 1", "Task 0"],
        "newest first"
    );
    assert_eq!(
        titles(&pat.get("/api/tasks?status=done").await),
        ["Task 3", "Task 1"]
    );
    assert_eq!(
        titles(
            &pat.get(&format!("/api/tasks?assigneeId={pat_person}&status=todo"))
                .await
        ),
        ["Task 2", "Task 0"]
    );
    assert_eq!(titles(&pat.get("/api/tasks?search=K 3").await), ["Task 3"]);
    let r = pat.get("/api/tasks?limit=2&page=3").await;
    assert_eq!(titles(&r), ["Task 0"]);
    assert_eq!(r.body["pagination"]["totalPages"], 3);
    let r = pat
        .get(&format!("/api/initiatives/{initiative}/tasks"))
        .await;
    r.assert_status(200);
    assert_eq!(titles(&r), ["Task 4"]);
    pat.get("/api/tasks?status=nope")
        .await
        .assert_field_error("status");
}

#[db_test]
async fn the_task_list_sorts_by_due_date_or_priority_and_lists_what_is_due_before(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    for (title, priority, due) in [
        ("No date", 1, Value::Null),
        ("Later", 3, json!("2030-06-01")),
        ("Sooner", 3, json!("2030-01-01")),
        ("Urgent later", 1, json!("2030-09-01")),
    ] {
        app.clock.advance_millis(1000);
        pat.post(
            "/api/tasks",
            json!({"title": title, "priority": priority, "dueDate": due}),
        )
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
        titles(&pat.get("/api/tasks?sort=due").await),
        ["Sooner", "Later", "Urgent later", "No date"],
        "soonest first, no due date last (on both databases)"
    );
    assert_eq!(
        titles(&pat.get("/api/tasks?sort=priority").await),
        ["Urgent later", "No date", "Sooner", "Later"]
    );
    assert_eq!(
        titles(&pat.get("/api/tasks?sort=due&dueBefore=2030-06-01").await),
        ["Sooner"],
        "before, not on"
    );
    let r = pat.get("/api/tasks?sort=due&limit=2&page=2").await;
    assert_eq!(titles(&r), ["Urgent later", "No date"]);
    pat.get("/api/tasks?sort=oldest")
        .await
        .assert_field_error("sort");
    pat.get("/api/tasks?dueBefore=soon")
        .await
        .assert_field_error("dueBefore");
}

/// Issue 30: the task and people lists keep their `totalCount` between writes
/// (`services::totals`, by the organization's `tasks_version` and `names_version`); every
/// write, made through any server on the database, shows in the next list of every other —
/// also a person deleted, whose tasks lose their assignee without a task being written.
#[db_test]
async fn task_and_people_totals_follow_every_write_made_through_another_replica(app: TestApp) {
    let acme = app.org("acme").await;
    let admin = &acme.admin;
    let sam = app.person(&acme, "Sam", None).await;
    let other = app.org("other").await;
    let replica = app.replica().await;
    let total = |path: String| {
        let (replica, token) = (&replica, admin.token.clone());
        async move {
            let r = replica.get(&path, Some(&token)).await;
            r.assert_status(200);
            r.body["pagination"]["totalCount"].as_u64().unwrap()
        }
    };
    let sams = format!("/api/tasks?assigneeId={sam}");
    let mut ids = vec![];
    for title in ["One", "Two"] {
        ids.push(
            admin
                .post("/api/tasks", json!({"title": title, "assigneeId": sam}))
                .await
                .id("task"),
        );
    }
    admin
        .post("/api/tasks", json!({"title": "Nobody's"}))
        .await
        .assert_status(201);
    // Read twice on the replica: counted once, then kept.
    for _ in 0..2 {
        assert_eq!(total("/api/tasks".into()).await, 3);
        assert_eq!(total(sams.clone()).await, 2);
        assert_eq!(total("/api/tasks?status=done".into()).await, 0);
        assert_eq!(total("/api/people".into()).await, 1);
    }
    // Written through the first server: a task done, one deleted, one added elsewhere.
    admin
        .patch(&format!("/api/tasks/{}", ids[0]), json!({"status": "done"}))
        .await
        .assert_status(200);
    assert_eq!(total("/api/tasks?status=done".into()).await, 1);
    assert_eq!(total("/api/tasks?status=open".into()).await, 2);
    admin
        .delete(&format!("/api/tasks/{}", ids[1]))
        .await
        .assert_status(204);
    assert_eq!(total(sams.clone()).await, 1);
    assert_eq!(total("/api/tasks".into()).await, 2);
    other
        .admin
        .post("/api/tasks", json!({"title": "Theirs"}))
        .await
        .assert_status(201);
    assert_eq!(
        total("/api/tasks".into()).await,
        2,
        "another organization's"
    );
    // A person added, then Sam deleted: his task is nobody's now.
    app.person(&acme, "Ria", None).await;
    assert_eq!(total("/api/people".into()).await, 2);
    admin
        .delete(&format!("/api/people/{sam}"))
        .await
        .assert_status(204);
    assert_eq!(total("/api/people".into()).await, 1);
    assert_eq!(total(sams.clone()).await, 0);
    assert_eq!(total("/api/tasks".into()).await, 2);
    // A search is counted each time, and right.
    assert_eq!(total("/api/tasks?search=nobody".into()).await, 1);
}
