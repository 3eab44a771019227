//! Members: roles, removal, the last-admin rule under concurrency, and user–person linking
//! (docs/API.md §3–§4).

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

async fn user_id(app: &TestApp, u: &TestUser) -> String {
    app.me(u).await["user"]["id"].as_str().unwrap().to_owned()
}

#[db_test]
async fn admins_list_members_by_name_with_their_people(app: TestApp) {
    let acme = app.org("acme").await;
    let team = acme
        .admin
        .post("/api/teams", json!({"name": "Platform"}))
        .await
        .body["team"]["id"]
        .clone();
    let (zed, zed_person) = app.linked_member(&acme, "zed", "zed@example.com").await;
    acme.admin
        .patch(
            &format!("/api/people/{zed_person}"),
            json!({"teamId": team, "role": "Engineer"}),
        )
        .await
        .assert_status(200);
    app.member(&acme, "Bea", "bea@example.com").await;

    let r = acme.admin.get("/api/organization/members").await;
    r.assert_status(200);
    let members = r.body["members"].as_array().unwrap();
    let names: Vec<&str> = members
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Admin of acme", "Bea", "zed"],
        "by name, ignoring case"
    );
    let z = &members[2];
    assert_eq!(z["id"], user_id(&app, &zed).await.as_str());
    assert_eq!(z["email"], "zed@example.com");
    assert_eq!(z["role"], "USER");
    assert!(z["createdAt"].is_string());
    assert_eq!(z["person"]["id"], zed_person.as_str());
    assert_eq!(z["person"]["role"], "Engineer");
    assert_eq!(z["person"]["status"], "active");
    assert_eq!(z["person"]["team"], json!({"id": team, "name": "Platform"}));
    assert_eq!(members[1]["person"], Value::Null);

    let bea = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "bea@example.com", "password": PASSWORD}),
        )
        .await;
    let bea = app.user(&bea.body);
    bea.get("/api/organization/members").await.assert_error(
        403,
        "Only organization admins can view organization members",
    );
    let loner = app.signup("Lone", "lone@example.com").await;
    loner.get("/api/organization/members").await.assert_error(
        403,
        "Only organization admins can view organization members",
    );
}

#[db_test]
async fn roles_change_and_take_effect_at_once(app: TestApp) {
    let acme = app.org("acme").await;
    let mel = app.member(&acme, "Mel", "mel@example.com").await;
    let mel_id = user_id(&app, &mel).await;

    mel.get("/api/organization/members")
        .await
        .assert_status(403);
    let r = acme
        .admin
        .patch(
            &format!("/api/organization/members/{mel_id}"),
            json!({"role": "ADMIN"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["member"]["role"], "ADMIN");
    assert_eq!(r.body["member"]["id"], mel_id.as_str());
    // Mel's existing session sees the new role on the very next request.
    mel.get("/api/organization/members")
        .await
        .assert_status(200);

    acme.admin
        .patch(
            &format!("/api/organization/members/{mel_id}"),
            json!({"role": "USER"}),
        )
        .await
        .assert_status(200);
    mel.get("/api/organization/members")
        .await
        .assert_status(403);
}

#[db_test]
async fn role_changes_are_checked_in_order(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let mel = app.member(&acme, "Mel", "mel@example.com").await;
    let mel_id = user_id(&app, &mel).await;
    let admin_id = user_id(&app, &acme.admin).await;
    let foreign_id = user_id(&app, &globex.admin).await;
    let path = |id: &str| format!("/api/organization/members/{id}");

    mel.patch(&path(&admin_id), json!({"role": "USER"}))
        .await
        .assert_error(403, "Only organization admins can change user roles");
    for role in [json!("admin"), json!("OWNER"), json!(""), Value::Null] {
        acme.admin
            .patch(&path(&mel_id), json!({"role": role}))
            .await
            .assert_field_error("role");
    }
    acme.admin
        .patch(&path(&foreign_id), json!({"role": "USER"}))
        .await
        .assert_error(404, "User not found or access denied");
    acme.admin
        .patch(&path("user_nope"), json!({"role": "USER"}))
        .await
        .assert_error(404, "User not found or access denied");
    acme.admin
        .patch(&path(&admin_id), json!({"role": "USER"}))
        .await
        .assert_error(409, "You cannot change your own role");
    assert_eq!(app.me(&globex.admin).await["user"]["role"], "ADMIN");
}

#[db_test]
async fn removal_unlinks_and_resets_the_member(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (mel, person) = app.linked_member(&acme, "Mel", "mel@example.com").await;
    let mel_id = user_id(&app, &mel).await;
    let admin_id = user_id(&app, &acme.admin).await;

    globex
        .admin
        .delete(&format!("/api/organization/members/{mel_id}"))
        .await
        .assert_error(404, "User not found or access denied");
    mel.delete(&format!("/api/organization/members/{admin_id}"))
        .await
        .assert_error(
            403,
            "Only organization admins can remove users from the organization",
        );
    acme.admin
        .delete(&format!("/api/organization/members/{admin_id}"))
        .await
        .assert_error(409, "You cannot remove yourself from the organization");

    acme.admin
        .patch(
            &format!("/api/organization/members/{mel_id}"),
            json!({"role": "ADMIN"}),
        )
        .await
        .assert_status(200);
    acme.admin
        .delete(&format!("/api/organization/members/{mel_id}"))
        .await
        .assert_status(204);

    let me = app.me(&mel).await;
    assert_eq!(me["user"]["organizationId"], Value::Null);
    assert_eq!(me["user"]["personId"], Value::Null);
    assert_eq!(me["user"]["role"], "USER");
    assert_eq!(me["organization"], Value::Null);
    let p = acme.admin.get(&format!("/api/people/{person}")).await;
    assert_eq!(
        p.body["person"]["userId"],
        Value::Null,
        "the person is free again"
    );
    mel.get("/api/people").await.assert_status(403);
    let names: Vec<String> = acme.admin.get("/api/organization/members").await.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Admin of acme"]);
}

/// Two admins demote (or remove) each other at the same moment: one wins, and the
/// organization is never left without an admin.
#[db_test]
async fn the_last_admin_survives_concurrent_demotions_and_removals(app: TestApp) {
    for round in 0..6 {
        let acme = app.org(&format!("race{round}")).await;
        let other = app
            .member(&acme, "Other", &format!("other{round}@example.com"))
            .await;
        let a_id = user_id(&app, &acme.admin).await;
        let b_id = user_id(&app, &other).await;
        acme.admin
            .patch(
                &format!("/api/organization/members/{b_id}"),
                json!({"role": "ADMIN"}),
            )
            .await
            .assert_status(200);
        let remove = round % 2 == 1;
        let act = |actor: TestUser, target: String| async move {
            let path = format!("/api/organization/members/{target}");
            if remove {
                actor.delete(&path).await
            } else {
                actor.patch(&path, json!({"role": "USER"})).await
            }
        };
        let (ra, rb) = tokio::join!(
            act(acme.admin.clone(), b_id.clone()),
            act(other.clone(), a_id.clone())
        );
        let ok = [ra.status, rb.status]
            .iter()
            .filter(|s| matches!(s, 200 | 204))
            .count();
        assert_eq!(
            ok, 1,
            "round {round}: exactly one wins: {} / {}",
            ra.body, rb.body
        );
        for loser in [&ra, &rb]
            .into_iter()
            .filter(|r| !matches!(r.status, 200 | 204))
        {
            assert!(
                matches!(loser.status, 403 | 409),
                "round {round}: {}",
                loser.body
            );
        }
        let winner = if matches!(ra.status, 200 | 204) {
            &acme.admin
        } else {
            &other
        };
        let members = winner.get("/api/organization/members").await;
        members.assert_status(200);
        let admins = members.body["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["role"] == "ADMIN")
            .count();
        assert_eq!(admins, 1, "round {round}");
    }
}

#[db_test]
async fn admins_link_and_unlink_users_and_people(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let mel = app.member(&acme, "Mel", "mel@example.com").await;
    let mel_id = user_id(&app, &mel).await;
    let person = app.person(&acme, "Melanie", None).await;
    let other_person = app.person(&acme, "Other", None).await;
    let foreign_person = app.person(&globex, "Foreign", None).await;
    let foreign_user = user_id(&app, &globex.admin).await;
    let link = |user: &str| format!("/api/organization/members/{user}/person");

    let r = acme.admin.get("/api/organization/linkable-users").await;
    r.assert_status(200);
    let emails: Vec<&str> = r.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["admin@acme.test", "mel@example.com"]);
    assert_eq!(
        r.body["users"][1],
        json!({"id": mel_id, "name": "Mel", "email": "mel@example.com", "role": "USER"})
    );

    mel.put(&link(&mel_id), json!({"personId": person}))
        .await
        .assert_error(403, "Only organization admins can link users to persons");
    acme.admin
        .put(&link(&foreign_user), json!({"personId": person}))
        .await
        .assert_error(404, "User not found or access denied");
    acme.admin
        .put(&link(&mel_id), json!({"personId": foreign_person}))
        .await
        .assert_error(404, "Person not found or access denied");
    acme.admin
        .put(&link(&mel_id), json!({}))
        .await
        .assert_field_error("personId");

    let r = acme
        .admin
        .put(&link(&mel_id), json!({"personId": person}))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["member"]["person"]["id"], person.as_str());
    assert_eq!(r.body["member"]["person"]["name"], "Melanie");
    assert_eq!(app.me(&mel).await["user"]["personId"], person.as_str());
    // Linking again to the same person changes nothing.
    acme.admin
        .put(&link(&mel_id), json!({"personId": person}))
        .await
        .assert_status(200);

    let admin_id = user_id(&app, &acme.admin).await;
    acme.admin
        .put(&link(&admin_id), json!({"personId": person}))
        .await
        .assert_error(409, "Person is already linked to a user");
    acme.admin
        .put(&link(&mel_id), json!({"personId": other_person}))
        .await
        .assert_status(409);

    let r = acme.admin.get("/api/organization/linkable-users").await;
    assert_eq!(r.body["users"].as_array().unwrap().len(), 1);

    mel.delete(&link(&mel_id)).await.assert_error(
        403,
        "Only organization admins can unlink users from persons",
    );
    acme.admin
        .delete(&link(&foreign_user))
        .await
        .assert_error(404, "User not found or access denied");
    acme.admin.delete(&link(&mel_id)).await.assert_status(204);
    acme.admin
        .delete(&link(&mel_id))
        .await
        .assert_error(409, "User is not linked to a person");
    assert_eq!(app.me(&mel).await["user"]["personId"], Value::Null);
    mel.get("/api/organization/linkable-users")
        .await
        .assert_error(
            403,
            "Only organization admins can view available users for linking",
        );
}

#[db_test]
async fn members_link_themselves_only_to_their_own_record(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let mel = app.member(&acme, "Mel", "mel@example.com").await;
    let mine = app.person(&acme, "Mel", Some("MEL@example.com")).await;
    let someone_else = app.person(&acme, "Boss", Some("boss@example.com")).await;
    let no_email = app.person(&acme, "Nobody", None).await;
    let foreign = app
        .person(&globex, "Mel elsewhere", Some("mel@example.com"))
        .await;

    let r = mel.get("/api/me/linkable-persons").await;
    r.assert_status(200);
    assert_eq!(
        r.body["persons"],
        json!([
            {"id": mine, "name": "Mel", "email": "mel@example.com", "role": null, "status": "active"},
        ])
    );

    for other in [&someone_else, &no_email, &foreign] {
        mel.put("/api/me/person", json!({"personId": other}))
            .await
            .assert_error(
                404,
                "Person not found, access denied, or already linked to another user",
            );
    }
    let r = mel.put("/api/me/person", json!({"personId": mine})).await;
    r.assert_status(200);
    assert_eq!(r.body["person"]["id"], mine.as_str());
    assert_eq!(
        r.body["person"]["userId"],
        user_id(&app, &mel).await.as_str()
    );
    assert_eq!(app.me(&mel).await["person"]["id"], mine.as_str());
    mel.put("/api/me/person", json!({"personId": mine}))
        .await
        .assert_error(
            409,
            "You are already linked to a person. Unlink first to link elsewhere.",
        );
    assert_eq!(
        mel.get("/api/me/linkable-persons").await.body["persons"],
        json!([])
    );

    mel.delete("/api/me/person").await.assert_status(204);
    mel.delete("/api/me/person")
        .await
        .assert_error(409, "You are not currently linked to any person");
    assert_eq!(app.me(&mel).await["person"], Value::Null);

    // A person someone else is linked to cannot be claimed, even with a matching email.
    let twin = app.member(&acme, "Twin", "twin@example.com").await;
    let twin_person = app.person(&acme, "Twin", Some("twin@example.com")).await;
    twin.put("/api/me/person", json!({"personId": twin_person}))
        .await
        .assert_status(200);
    mel.put("/api/me/person", json!({"personId": twin_person}))
        .await
        .assert_error(
            404,
            "Person not found, access denied, or already linked to another user",
        );

    let loner = app.signup("Lone", "lone@example.com").await;
    loner
        .put("/api/me/person", json!({"personId": mine}))
        .await
        .assert_error(
            403,
            "User must belong to an organization to link to a person",
        );
    loner.get("/api/me/linkable-persons").await.assert_error(
        403,
        "User must belong to an organization to link to a person",
    );
    loner
        .delete("/api/me/person")
        .await
        .assert_error(409, "You are not currently linked to any person");
}

/// docs/API.md §4, the onboarding workflow: invite → sign up → auto-join → admin links to a
/// person → promote.
#[db_test]
async fn the_onboarding_workflow(app: TestApp) {
    let acme = app.org("acme").await;
    let person = app.person(&acme, "Newcomer", None).await;
    app.invite(&acme, "newuser@example.com", None).await;
    let r = app
        .post(
            "/api/auth/signup",
            None,
            json!({"name": "New User", "email": "newuser@example.com", "password": PASSWORD}),
        )
        .await;
    // Nothing is joined until the address is verified; the mailed link then joins.
    assert_eq!(r.body["wasInvited"], false);
    assert_eq!(r.body["user"]["emailVerified"], false);
    let v = app.verify("newuser@example.com").await;
    assert_eq!(v.body["wasInvited"], true);
    assert_eq!(v.body["user"]["emailVerified"], true);
    let newbie = app.login("newuser@example.com").await;
    let users = acme.admin.get("/api/organization/linkable-users").await;
    let found = users.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "newuser@example.com")
        .unwrap()
        .clone();
    let id = found["id"].as_str().unwrap();
    acme.admin
        .put(
            &format!("/api/organization/members/{id}/person"),
            json!({"personId": person}),
        )
        .await
        .assert_status(200);
    let r = acme
        .admin
        .patch(
            &format!("/api/organization/members/{id}"),
            json!({"role": "ADMIN"}),
        )
        .await;
    assert_eq!(r.body["member"]["role"], "ADMIN");
    assert_eq!(r.body["member"]["person"]["id"], person.as_str());
    let me = app.me(&newbie).await;
    assert_eq!(
        (me["user"]["role"].as_str(), me["person"]["name"].as_str()),
        (Some("ADMIN"), Some("Newcomer"))
    );
}

/// Issue 12, finding 6: a user auto-joined to an organization they do not know can leave it;
/// the last admin cannot, so that no organization is left without one.
#[db_test]
async fn a_member_leaves_and_the_last_admin_cannot(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (sam, person) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let other = app.member(&globex, "Gil", "gil@example.com").await;

    app.invite(&acme, "new@example.com", None).await;
    let newcomer = app.signup("New", "new@example.com").await;
    assert_eq!(
        app.me(&newcomer).await["organization"]["slug"],
        "acme",
        "a single open invitation is joined at signup"
    );

    sam.post("/api/organization/leave", json!({}))
        .await
        .assert_status(204);
    let me = app.me(&sam).await;
    assert_eq!(me["user"]["organizationId"], Value::Null);
    assert_eq!(me["user"]["personId"], Value::Null);
    assert_eq!(me["user"]["role"], "USER");
    sam.get("/api/people")
        .await
        .assert_error(403, "User must belong to an organization to view people");
    // The person stays with the organization, unlinked.
    let p = acme.admin.get(&format!("/api/people/{person}")).await;
    p.assert_status(200);
    assert_eq!(p.body["person"]["userId"], Value::Null);
    // Leaving again: there is nothing to leave.
    sam.post("/api/organization/leave", json!({}))
        .await
        .assert_error(403, "User must belong to an organization to leave it");

    // The last admin stays; with a second admin, either may go. Others are untouched.
    acme.admin
        .post("/api/organization/leave", json!({}))
        .await
        .assert_error(
            409,
            "You are the organization's last admin: make another member an admin before leaving",
        );
    let newcomer_id = user_id(&app, &newcomer).await;
    acme.admin
        .patch(
            &format!("/api/organization/members/{newcomer_id}"),
            json!({"role": "ADMIN"}),
        )
        .await
        .assert_status(200);
    acme.admin
        .post("/api/organization/leave", json!({}))
        .await
        .assert_status(204);
    assert_eq!(app.me(&newcomer).await["user"]["role"], "ADMIN");
    assert_eq!(app.me(&other).await["organization"]["slug"], "globex");
    newcomer
        .post("/api/organization/leave", json!({}))
        .await
        .assert_status(409);
}
