//! People and teams (docs/API.md §5): admin-only writes, references inside the organization, no
//! loops in the reporting chain or the team tree, deletes that would orphan data refused.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

#[db_test]
async fn admins_create_read_update_and_delete_people(app: TestApp) {
    let acme = app.org("acme").await;
    let r = acme
        .admin
        .post(
            "/api/people",
            json!({
                "name": " Grace Hopper ",
                "email": "Grace@Example.com",
                "role": "Rear admiral",
                "status": "on_leave",
            }),
        )
        .await;
    r.assert_status(201);
    let p = &r.body["person"];
    let id = p["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("person_"));
    assert_eq!(p["name"], "Grace Hopper");
    assert_eq!(p["email"], "grace@example.com");
    assert_eq!(p["role"], "Rear admiral");
    assert_eq!(p["status"], "on_leave");
    assert_eq!(
        (&p["teamId"], &p["managerId"], &p["userId"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );

    let defaults = acme
        .admin
        .post("/api/people", json!({"name": "Minimal"}))
        .await;
    assert_eq!(defaults.body["person"]["status"], "active");
    assert_eq!(defaults.body["person"]["email"], Value::Null);

    app.clock.advance_millis(1000);
    let r = acme
        .admin
        .patch(
            &format!("/api/people/{id}"),
            json!({"role": null, "status": "active"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["person"]["role"], Value::Null);
    assert_eq!(r.body["person"]["status"], "active");
    assert_eq!(
        r.body["person"]["name"], "Grace Hopper",
        "absent fields are kept"
    );
    assert_ne!(r.body["person"]["updatedAt"], r.body["person"]["createdAt"]);

    let r = acme.admin.get(&format!("/api/people/{id}")).await;
    r.assert_status(200);
    assert_eq!(r.body["person"]["email"], "grace@example.com");
    acme.admin
        .delete(&format!("/api/people/{id}"))
        .await
        .assert_status(204);
    acme.admin
        .get(&format!("/api/people/{id}"))
        .await
        .assert_error(404, "Person not found or access denied");
    acme.admin
        .delete(&format!("/api/people/{id}"))
        .await
        .assert_error(404, "Person not found or access denied");
}

#[db_test]
async fn people_are_validated(app: TestApp) {
    let acme = app.org("acme").await;
    let id = app.person(&acme, "Valid", None).await;
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"name": "A", "email": "nope"}), "email"),
        (json!({"name": "A", "role": "x".repeat(101)}), "role"),
        (json!({"name": "A", "status": "retired"}), "status"),
    ] {
        acme.admin
            .post("/api/people", body)
            .await
            .assert_field_error(field);
    }
    for (body, field) in [
        (json!({"name": null}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({"status": null}), "status"),
        (json!({"status": "gone"}), "status"),
        (json!({"email": "nope"}), "email"),
    ] {
        acme.admin
            .patch(&format!("/api/people/{id}"), body)
            .await
            .assert_field_error(field);
    }
    acme.admin
        .post("/api/people", json!({"name": 5}))
        .await
        .assert_status(400);
    let list = acme.admin.get("/api/people").await;
    assert_eq!(
        list.body["pagination"]["totalCount"], 1,
        "nothing was created by the failures"
    );
}

#[db_test]
async fn only_admins_write_people_and_members_read_them(app: TestApp) {
    let acme = app.org("acme").await;
    let id = app.person(&acme, "Someone", None).await;
    let mel = app.member(&acme, "Mel", "mel@example.com").await;
    let loner = app.signup("Lone", "lone@example.com").await;
    mel.post("/api/people", json!({"name": "X"}))
        .await
        .assert_error(403, "Only organization admins can create people");
    mel.patch(&format!("/api/people/{id}"), json!({"name": "X"}))
        .await
        .assert_error(403, "Only organization admins can update people");
    mel.delete(&format!("/api/people/{id}"))
        .await
        .assert_error(403, "Only organization admins can delete people");
    loner
        .post("/api/people", json!({"name": "X"}))
        .await
        .assert_error(403, "Only organization admins can create people");
    mel.get("/api/people").await.assert_status(200);
    mel.get(&format!("/api/people/{id}"))
        .await
        .assert_status(200);
    loner
        .get("/api/people")
        .await
        .assert_error(403, "User must belong to an organization to view people");
    app.get("/api/people", None)
        .await
        .assert_error(401, "Unauthorized");
}

#[db_test]
async fn another_organizations_people_and_teams_are_not_found(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let theirs = app.person(&globex, "Theirs", None).await;
    let their_team = globex
        .admin
        .post("/api/teams", json!({"name": "G-team"}))
        .await
        .body["team"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ours = app.person(&acme, "Ours", None).await;
    acme.admin
        .get(&format!("/api/people/{theirs}"))
        .await
        .assert_error(404, "Person not found or access denied");
    acme.admin
        .patch(&format!("/api/people/{theirs}"), json!({"name": "Stolen"}))
        .await
        .assert_error(404, "Person not found or access denied");
    acme.admin
        .delete(&format!("/api/people/{theirs}"))
        .await
        .assert_error(404, "Person not found or access denied");
    acme.admin
        .get(&format!("/api/teams/{their_team}"))
        .await
        .assert_error(404, "Team not found or access denied");
    acme.admin
        .patch(
            &format!("/api/teams/{their_team}"),
            json!({"name": "Stolen"}),
        )
        .await
        .assert_error(404, "Team not found or access denied");
    acme.admin
        .delete(&format!("/api/teams/{their_team}"))
        .await
        .assert_error(404, "Team not found or access denied");
    // Referencing their rows from ours.
    acme.admin
        .post("/api/people", json!({"name": "X", "managerId": theirs}))
        .await
        .assert_error(404, "Manager not found or access denied");
    acme.admin
        .post("/api/people", json!({"name": "X", "teamId": their_team}))
        .await
        .assert_error(404, "Team not found or access denied");
    acme.admin
        .patch(&format!("/api/people/{ours}"), json!({"managerId": theirs}))
        .await
        .assert_error(404, "Manager not found or access denied");
    acme.admin
        .patch(
            &format!("/api/people/{ours}"),
            json!({"teamId": their_team}),
        )
        .await
        .assert_error(404, "Team not found or access denied");
    acme.admin
        .post("/api/teams", json!({"name": "X", "parentId": their_team}))
        .await
        .assert_error(404, "Parent team not found or access denied");
    // Lists never show them, even when filtered by their ids.
    let r = acme
        .admin
        .get(&format!("/api/people?teamId={their_team}"))
        .await;
    assert_eq!(r.body["people"], json!([]));
    let r = acme.admin.get("/api/people").await;
    assert_eq!(r.body["pagination"]["totalCount"], 1);
    let r = acme.admin.get("/api/teams").await;
    assert_eq!(r.body["teams"], json!([]));
    // And theirs were not touched.
    let r = globex.admin.get(&format!("/api/people/{theirs}")).await;
    assert_eq!(r.body["person"]["name"], "Theirs");
}

#[db_test]
async fn the_reporting_chain_never_loops(app: TestApp) {
    let acme = app.org("acme").await;
    let ceo = app.person(&acme, "Ceo", None).await;
    let r = acme
        .admin
        .post("/api/people", json!({"name": "Vp", "managerId": ceo}))
        .await;
    let vp = r.body["person"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["person"]["managerId"], ceo.as_str());
    let r = acme
        .admin
        .post("/api/people", json!({"name": "Eng", "managerId": vp}))
        .await;
    let eng = r.body["person"]["id"].as_str().unwrap().to_owned();

    acme.admin
        .patch(&format!("/api/people/{ceo}"), json!({"managerId": ceo}))
        .await
        .assert_error(400, "A person cannot be their own manager");
    acme.admin
        .patch(&format!("/api/people/{ceo}"), json!({"managerId": eng}))
        .await
        .assert_error(400, "This change would create a reporting cycle");
    acme.admin
        .patch(&format!("/api/people/{vp}"), json!({"managerId": eng}))
        .await
        .assert_error(400, "This change would create a reporting cycle");
    acme.admin
        .patch(&format!("/api/people/{eng}"), json!({"managerId": ceo}))
        .await
        .assert_status(200);
    acme.admin
        .patch(&format!("/api/people/{eng}"), json!({"managerId": null}))
        .await
        .assert_status(200);

    let r = acme.admin.get(&format!("/api/people/{ceo}")).await;
    assert_eq!(
        r.body["person"]["reports"],
        json!([{"id": vp, "name": "Vp"}])
    );
    assert_eq!(r.body["person"]["manager"], Value::Null);
    let r = acme.admin.get(&format!("/api/people/{vp}")).await;
    assert_eq!(
        r.body["person"]["manager"],
        json!({"id": ceo, "name": "Ceo"})
    );

    acme.admin
        .delete(&format!("/api/people/{ceo}"))
        .await
        .assert_error(
            409,
            "Cannot delete person with direct reports. Please reassign their reports first.",
        );
    acme.admin
        .delete(&format!("/api/people/{vp}"))
        .await
        .assert_status(204);
    acme.admin
        .delete(&format!("/api/people/{ceo}"))
        .await
        .assert_status(204);
}

#[db_test]
async fn concurrent_moves_do_not_close_a_loop(app: TestApp) {
    let acme = app.org("acme").await;
    let a = app.person(&acme, "A", None).await;
    let b = app.person(&acme, "B", None).await;
    let (path_a, path_b) = (format!("/api/people/{a}"), format!("/api/people/{b}"));
    let (ra, rb) = tokio::join!(
        acme.admin.patch(&path_a, json!({"managerId": b})),
        acme.admin.patch(&path_b, json!({"managerId": a})),
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "{} / {}", ra.body, rb.body);
}

#[db_test]
async fn deleting_a_linked_person_unlinks_the_user(app: TestApp) {
    let acme = app.org("acme").await;
    let (mel, person) = app.linked_member(&acme, "Mel", "mel@example.com").await;
    acme.admin
        .delete(&format!("/api/people/{person}"))
        .await
        .assert_status(204);
    let me = app.me(&mel).await;
    assert_eq!(me["user"]["personId"], Value::Null);
    assert_eq!(me["person"], Value::Null);
    assert_eq!(me["user"]["organizationId"], acme.id.as_str());
}

#[db_test]
async fn the_people_list_searches_filters_and_pages(app: TestApp) {
    let acme = app.org("acme").await;
    let team = acme
        .admin
        .post("/api/teams", json!({"name": "Core"}))
        .await
        .body["team"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let boss = app.person(&acme, "Boss", None).await;
    for (name, email) in [
        ("alice", "alice@x.io"),
        ("Bob", "bob@y.io"),
        ("Carol 100%", "carol@x.io"),
        ("Dan_Under", "dan@y.io"),
    ] {
        acme.admin
            .post(
                "/api/people",
                json!({"name": name, "email": email, "teamId": team, "managerId": boss}),
            )
            .await
            .assert_status(201);
    }
    acme.admin
        .post("/api/people", json!({"name": "Eve", "status": "inactive"}))
        .await
        .assert_status(201);

    let names = |r: &Res| -> Vec<String> {
        r.body["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = acme.admin.get("/api/people").await;
    assert_eq!(
        names(&r),
        ["alice", "Bob", "Boss", "Carol 100%", "Dan_Under", "Eve"]
    );
    assert_eq!(
        r.body["pagination"],
        json!({
            "page": 1,
            "limit": 20,
            "totalCount": 6,
            "totalPages": 1,
            "hasNextPage": false,
            "hasPreviousPage": false,
        })
    );

    assert_eq!(
        names(&acme.admin.get("/api/people?search=X.IO").await),
        ["alice", "Carol 100%"]
    );
    assert_eq!(
        names(&acme.admin.get("/api/people?search=%25").await),
        ["Carol 100%"],
        "% is literal"
    );
    assert_eq!(
        names(&acme.admin.get("/api/people?search=_").await),
        ["Dan_Under"],
        "_ is literal"
    );
    assert_eq!(
        names(&acme.admin.get("/api/people?search=bo").await),
        ["Bob", "Boss"]
    );
    assert_eq!(
        names(
            &acme
                .admin
                .get(&format!("/api/people?teamId={team}&status=active"))
                .await
        )
        .len(),
        4
    );
    assert_eq!(
        names(
            &acme
                .admin
                .get(&format!("/api/people?managerId={boss}&search=a"))
                .await
        ),
        ["alice", "Carol 100%", "Dan_Under"]
    );
    assert_eq!(
        names(&acme.admin.get("/api/people?status=inactive").await),
        ["Eve"]
    );
    assert_eq!(
        names(&acme.admin.get("/api/people?teamId=garbage").await),
        Vec::<String>::new()
    );

    let r = acme.admin.get("/api/people?limit=4&page=2").await;
    assert_eq!(names(&r), ["Dan_Under", "Eve"]);
    assert_eq!(
        r.body["pagination"],
        json!({
            "page": 2,
            "limit": 4,
            "totalCount": 6,
            "totalPages": 2,
            "hasNextPage": false,
            "hasPreviousPage": true,
        })
    );
    let r = acme.admin.get("/api/people?page=9").await;
    assert_eq!(r.body["people"], json!([]));
    for bad in ["page=0", "page=x", "limit=0", "limit=101", "status=gone"] {
        acme.admin
            .get(&format!("/api/people?{bad}"))
            .await
            .assert_status(400);
    }
}

#[db_test]
async fn teams_form_a_tree_and_keep_their_members(app: TestApp) {
    let acme = app.org("acme").await;
    let mel = app.member(&acme, "Mel", "mel@example.com").await;
    mel.post("/api/teams", json!({"name": "X"}))
        .await
        .assert_error(403, "Only organization admins can create teams");
    acme.admin
        .post("/api/teams", json!({"name": ""}))
        .await
        .assert_field_error("name");

    let r = acme
        .admin
        .post(
            "/api/teams",
            json!({"name": "Engineering", "description": "Builds things"}),
        )
        .await;
    r.assert_status(201);
    let eng = r.body["team"]["id"].as_str().unwrap().to_owned();
    assert!(eng.starts_with("team_"));
    assert_eq!(r.body["team"]["description"], "Builds things");
    let r = acme
        .admin
        .post("/api/teams", json!({"name": "Platform", "parentId": eng}))
        .await;
    let platform = r.body["team"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["team"]["parentId"], eng.as_str());
    let r = acme
        .admin
        .post(
            "/api/teams",
            json!({"name": "Storage", "parentId": platform}),
        )
        .await;
    let storage = r.body["team"]["id"].as_str().unwrap().to_owned();

    acme.admin
        .patch(&format!("/api/teams/{eng}"), json!({"parentId": eng}))
        .await
        .assert_error(400, "A team cannot be its own parent");
    acme.admin
        .patch(&format!("/api/teams/{eng}"), json!({"parentId": storage}))
        .await
        .assert_error(400, "This change would create a cycle of teams");
    let r = acme
        .admin
        .patch(
            &format!("/api/teams/{storage}"),
            json!({"parentId": eng, "description": null}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["team"]["parentId"], eng.as_str());
    mel.patch(&format!("/api/teams/{storage}"), json!({"name": "Y"}))
        .await
        .assert_error(403, "Only organization admins can update teams");

    let r = mel.get(&format!("/api/teams?parentId={eng}")).await;
    let names: Vec<&str> = r.body["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Platform", "Storage"]);
    assert_eq!(
        mel.get("/api/teams?search=STOR").await.body["teams"][0]["id"],
        storage.as_str()
    );

    acme.admin
        .post("/api/people", json!({"name": "A", "teamId": eng}))
        .await
        .assert_status(201);
    acme.admin
        .post("/api/people", json!({"name": "B", "teamId": eng}))
        .await
        .assert_status(201);
    acme.admin.delete(&format!("/api/teams/{eng}"))
        .await
        .assert_error(409, "Cannot delete a team that still has 2 members and 2 child teams. Move them elsewhere first.");
    mel.delete(&format!("/api/teams/{platform}"))
        .await
        .assert_error(403, "Only organization admins can delete teams");
    acme.admin
        .delete(&format!("/api/teams/{platform}"))
        .await
        .assert_status(204);
    mel.get(&format!("/api/teams/{platform}"))
        .await
        .assert_error(404, "Team not found or access denied");
}

#[db_test]
async fn a_delete_racing_a_new_reference_never_fails_with_500(app: TestApp) {
    let acme = app.org("acme").await;
    for round in 0..5 {
        let boss = app.person(&acme, &format!("Boss {round}"), None).await;
        let path = format!("/api/people/{boss}");
        let (deleted, created) = tokio::join!(
            acme.admin.delete(&path),
            acme.admin.post(
                "/api/people",
                json!({"name": format!("Report {round}"), "managerId": boss})
            ),
        );
        // Either order is fine; what matters is a clean answer and a consistent result.
        assert!(
            matches!(deleted.status, 204 | 409),
            "round {round}: {}",
            deleted.body
        );
        assert!(
            matches!(created.status, 201 | 404 | 409),
            "round {round}: {}",
            created.body
        );
        assert!(
            !(deleted.status == 204 && created.status == 201),
            "round {round}: both succeeded"
        );
    }
}

#[db_test]
async fn names_sort_the_same_on_both_databases(app: TestApp) {
    let acme = app.org("acme").await;
    for name in ["Zed", "ab", "a-c", "Émile", "eve", "a b"] {
        app.person(&acme, name, None).await;
    }
    let r = acme.admin.get("/api/people").await;
    let names: Vec<&str> = r.body["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    // Byte order of the lowercased names: punctuation and spaces count, accented letters come
    // after z.
    assert_eq!(names, ["a b", "a-c", "ab", "eve", "Zed", "Émile"]);
}
