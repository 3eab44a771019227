//! Creating organizations and the invitation life cycle (docs/API.md §4).

use crate::harness::*;
use manageros_core::{Clock, Timestamp, time::DAY_MS};
use manageros_test_macros::db_test;
use serde_json::{Value, json};

fn ts(v: &Value) -> i64 {
    Timestamp::parse_rfc3339(v.as_str().expect("timestamp"))
        .expect("rfc3339")
        .as_millis()
}

#[db_test]
async fn creating_an_organization_makes_the_creator_its_admin(app: TestApp) {
    let ada = app.signup("Ada", "ada@example.com").await;
    let r = ada
        .post(
            "/api/organizations",
            json!({"name": "  Acme Corporation ", "slug": "acme-corp"}),
        )
        .await;
    r.assert_status(201);
    let org = &r.body["organization"];
    assert!(org["id"].as_str().unwrap().starts_with("org_"));
    assert_eq!(org["name"], "Acme Corporation");
    assert_eq!(org["slug"], "acme-corp");

    let me = app.me(&ada).await;
    assert_eq!(me["user"]["role"], "ADMIN");
    assert_eq!(me["user"]["organizationId"], org["id"]);
    assert_eq!(me["organization"]["slug"], "acme-corp");

    let r = ada.get("/api/organization").await;
    r.assert_status(200);
    assert_eq!(r.body["organization"]["id"], org["id"]);
}

/// Issue 28: asked to, creating an organization puts its creator on the chart — their name and
/// email, a person like any other — and links them; not asked, it does not.
#[db_test]
async fn the_creator_can_be_put_on_the_chart_and_linked(app: TestApp) {
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    ada.post(
        "/api/organizations",
        json!({"name": "Acme", "slug": "acme", "joinChart": true}),
    )
    .await
    .assert_status(201);
    let me = app.me(&ada).await;
    let person = me["user"]["personId"].as_str().expect("linked").to_owned();
    let p = ada.get(&format!("/api/people/{person}")).await;
    p.assert_status(200);
    assert_eq!(
        (
            p.body["person"]["name"].as_str(),
            p.body["person"]["email"].as_str()
        ),
        (Some("Ada Lovelace"), Some("ada@example.com"))
    );
    assert_eq!(
        ada.get("/api/people").await.body["pagination"]["totalCount"],
        1
    );
    // Editable like anyone's.
    ada.patch(
        &format!("/api/people/{person}"),
        json!({"role": "Engineering manager"}),
    )
    .await
    .assert_status(200);
    let bob = app.signup("Bob", "bob@example.com").await;
    bob.post(
        "/api/organizations",
        json!({"name": "Bobs", "slug": "bobs"}),
    )
    .await
    .assert_status(201);
    assert!(app.me(&bob).await["user"]["personId"].is_null());
    assert_eq!(
        bob.get("/api/people").await.body["pagination"]["totalCount"],
        0
    );
    // A bad field still creates nothing, chart or not.
    let cy = app.signup("Cy", "cy@example.com").await;
    cy.post(
        "/api/organizations",
        json!({"name": "", "slug": "cy", "joinChart": true}),
    )
    .await
    .assert_field_error("name");
    assert!(app.me(&cy).await["user"]["organizationId"].is_null());
}

#[db_test]
async fn organization_names_and_slugs_are_validated(app: TestApp) {
    let ada = app.signup("Ada", "ada@example.com").await;
    for (body, field) in [
        (json!({"name": "", "slug": "acme"}), "name"),
        (json!({"name": "x".repeat(101), "slug": "acme"}), "name"),
        (json!({"name": "Acme", "slug": "a"}), "slug"),
        (json!({"name": "Acme", "slug": "Acme"}), "slug"),
        (json!({"name": "Acme", "slug": "-acme"}), "slug"),
        (json!({"name": "Acme", "slug": "acme-"}), "slug"),
        (json!({"name": "Acme", "slug": "ac--me"}), "slug"),
        (json!({"name": "Acme", "slug": "ac me"}), "slug"),
        (json!({"name": "Acme", "slug": "a".repeat(51)}), "slug"),
        (json!({"name": "Acme"}), "slug"),
    ] {
        ada.post("/api/organizations", body)
            .await
            .assert_field_error(field);
    }
    assert_eq!(
        app.me(&ada).await["user"]["organizationId"],
        Value::Null,
        "nothing was created"
    );
    app.post(
        "/api/organizations",
        None,
        json!({"name": "Acme", "slug": "acme"}),
    )
    .await
    .assert_error(401, "Unauthorized");
}

#[db_test]
async fn slugs_are_unique_and_a_user_has_one_organization(app: TestApp) {
    let acme = app.org("acme").await;
    let bob = app.signup("Bob", "bob@example.com").await;
    bob.post(
        "/api/organizations",
        json!({"name": "Other", "slug": "acme"}),
    )
    .await
    .assert_error(409, "Organization slug already exists");
    // Already in an organization: that is said first, even with a taken slug.
    acme.admin
        .post(
            "/api/organizations",
            json!({"name": "Second", "slug": "acme"}),
        )
        .await
        .assert_error(409, "User already belongs to an organization");
    acme.admin
        .post(
            "/api/organizations",
            json!({"name": "Second", "slug": "second"}),
        )
        .await
        .assert_error(409, "User already belongs to an organization");
    assert_eq!(app.me(&bob).await["user"]["organizationId"], Value::Null);
}

#[db_test]
async fn a_slug_raced_for_by_two_users_goes_to_one(app: TestApp) {
    let a = app.signup("A", "a@example.com").await;
    let b = app.signup("B", "b@example.com").await;
    let (ra, rb) = tokio::join!(
        a.post(
            "/api/organizations",
            json!({"name": "A", "slug": "contested"})
        ),
        b.post(
            "/api/organizations",
            json!({"name": "B", "slug": "contested"})
        ),
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", ra.body, rb.body);
    let loser = if ra.status == 409 { &ra } else { &rb };
    assert_eq!(loser.body["error"], "Organization slug already exists");
    let loser_user = if ra.status == 409 { &a } else { &b };
    assert_eq!(
        app.me(loser_user).await["user"]["role"],
        "USER",
        "the loser was not made an admin"
    );
}

#[db_test]
async fn reading_the_organization_needs_one(app: TestApp) {
    let ada = app.signup("Ada", "ada@example.com").await;
    ada.get("/api/organization")
        .await
        .assert_error(403, "User must belong to an organization");
}

// ----------------------------------------------------------------------------------------------
// Invitations, admin side.

#[db_test]
async fn admins_invite_and_the_invitee_is_mailed_a_link(app: TestApp) {
    let acme = app.org("acme").await;
    let r = acme
        .admin
        .post(
            "/api/organization/invitations",
            json!({"email": "  New.User@Example.com "}),
        )
        .await;
    r.assert_status(201);
    let inv = &r.body["invitation"];
    assert!(inv["id"].as_str().unwrap().starts_with("inv_"));
    assert_eq!(inv["email"], "new.user@example.com");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["acceptedAt"], Value::Null);
    assert_eq!(inv["personId"], Value::Null);
    assert_eq!(
        inv["invitedBy"],
        json!({"name": "Admin of acme", "email": "admin@acme.test"})
    );
    assert_eq!(ts(&inv["expiresAt"]) - ts(&inv["createdAt"]), 7 * DAY_MS);
    assert_eq!(inv["createdAt"], inv["updatedAt"]);

    let mails = app.emails_to("new.user@example.com").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].subject,
        "Invitation to \u{201c}Org acme\u{201d} on ManagerOS"
    );
    assert!(
        mails[0]
            .body
            .contains(&format!("{}/invitations/accept?token=", app.base)),
        "{}",
        mails[0].body
    );
    assert!(mails[0].body.contains("new.user@example.com"));
    assert_eq!(mails[0].link_token().len(), 43);

    let list = acme.admin.get("/api/organization/invitations").await;
    list.assert_status(200);
    assert_eq!(list.body["invitations"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["invitations"][0]["id"], inv["id"]);
}

#[db_test]
async fn only_admins_of_an_organization_handle_invitations(app: TestApp) {
    let acme = app.org("acme").await;
    let inv = app.invite(&acme, "x@example.com", None).await;
    let member = app.member(&acme, "Mel", "mel@example.com").await;
    let loner = app.signup("Lone", "lone@example.com").await;
    // The admin role is checked first: a user with no organization gets the admin message.
    for user in [&member, &loner] {
        user.post(
            "/api/organization/invitations",
            json!({"email": "y@example.com"}),
        )
        .await
        .assert_error(403, "Only organization admins can send invitations");
        user.get("/api/organization/invitations")
            .await
            .assert_error(403, "Only organization admins can view invitations");
        user.post(
            &format!("/api/organization/invitations/{inv}/revoke"),
            json!({}),
        )
        .await
        .assert_error(403, "Only organization admins can revoke invitations");
        user.post(
            &format!("/api/organization/invitations/{inv}/reactivate"),
            json!({}),
        )
        .await
        .assert_error(403, "Only organization admins can reactivate invitations");
    }
    // Authorization comes before validation.
    member
        .post(
            "/api/organization/invitations",
            json!({"email": "not-an-email"}),
        )
        .await
        .assert_status(403);
    acme.admin
        .post(
            "/api/organization/invitations",
            json!({"email": "not-an-email"}),
        )
        .await
        .assert_field_error("email");
    app.get("/api/organization/invitations", None)
        .await
        .assert_error(401, "Unauthorized");
}

#[db_test]
async fn duplicate_invitations_and_members_are_refused(app: TestApp) {
    let acme = app.org("acme").await;
    app.invite(&acme, "new@example.com", None).await;
    acme.admin
        .post(
            "/api/organization/invitations",
            json!({"email": "NEW@example.com"}),
        )
        .await
        .assert_error(
            409,
            "An invitation has already been sent to this email address",
        );
    app.member(&acme, "Mel", "mel@example.com").await;
    acme.admin
        .post(
            "/api/organization/invitations",
            json!({"email": "mel@example.com"}),
        )
        .await
        .assert_error(409, "User is already a member of this organization");
    acme.admin
        .post(
            "/api/organization/invitations",
            json!({"email": "admin@acme.test"}),
        )
        .await
        .assert_error(409, "User is already a member of this organization");
    // Another organization may invite the same address.
    let globex = app.org("globex").await;
    app.invite(&globex, "new@example.com", None).await;
}

#[db_test]
async fn concurrent_invitations_of_one_address_create_one(app: TestApp) {
    let acme = app.org("acme").await;
    let send = || {
        acme.admin.post(
            "/api/organization/invitations",
            json!({"email": "twin@example.com"}),
        )
    };
    let (a, b) = tokio::join!(send(), send());
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", a.body, b.body);
    let list = acme.admin.get("/api/organization/invitations").await;
    assert_eq!(list.body["invitations"].as_array().unwrap().len(), 1);
}

#[db_test]
async fn the_invitations_list_is_newest_first_and_reports_expiry(app: TestApp) {
    let acme = app.org("acme").await;
    let first = app.invite(&acme, "first@example.com", None).await;
    app.clock.advance_millis(DAY_MS);
    let second = app.invite(&acme, "second@example.com", None).await;
    let list = acme.admin.get("/api/organization/invitations").await;
    let ids: Vec<&str> = list.body["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);

    // Six days later the first one has passed its seven days: reported as expired.
    app.clock.advance_millis(6 * DAY_MS);
    let list = acme.admin.get("/api/organization/invitations").await;
    assert_eq!(list.body["invitations"][0]["status"], "pending");
    assert_eq!(list.body["invitations"][1]["status"], "expired");
    // An expired invitation cannot be revoked.
    acme.admin
        .post(
            &format!("/api/organization/invitations/{first}/revoke"),
            json!({}),
        )
        .await
        .assert_error(409, "Only pending invitations can be revoked");
}

#[db_test]
async fn revoke_and_reactivate(app: TestApp) {
    let acme = app.org("acme").await;
    let inv = app.invite(&acme, "new@example.com", None).await;
    let token = app.emails_to("new@example.com").await[0].link_token();

    acme.admin
        .post(
            &format!("/api/organization/invitations/{inv}/reactivate"),
            json!({}),
        )
        .await
        .assert_error(409, "Invitation is already active");

    let r = acme
        .admin
        .post(
            &format!("/api/organization/invitations/{inv}/revoke"),
            json!({}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["invitation"]["status"], "revoked");
    acme.admin
        .post(
            &format!("/api/organization/invitations/{inv}/revoke"),
            json!({}),
        )
        .await
        .assert_error(409, "Only pending invitations can be revoked");

    // The revoked invitation's link no longer works, and sign-up no longer joins.
    let newbie = app.signup("Newbie", "new@example.com").await;
    assert_eq!(app.me(&newbie).await["user"]["organizationId"], Value::Null);
    newbie
        .post("/api/invitations/accept-token", json!({"token": token}))
        .await
        .assert_error(404, "Invitation not found or expired");

    // A second admin reactivates it: pending again, for seven days from now, by them.
    let second_admin = app.member(&acme, "Second", "second@example.com").await;
    let second_id = app.me(&second_admin).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    acme.admin
        .patch(
            &format!("/api/organization/members/{second_id}"),
            json!({"role": "ADMIN"}),
        )
        .await
        .assert_status(200);
    app.clock.advance_millis(2 * DAY_MS);
    let r = second_admin
        .post(
            &format!("/api/organization/invitations/{inv}/reactivate"),
            json!({}),
        )
        .await;
    r.assert_status(200);
    let i = &r.body["invitation"];
    assert_eq!(i["status"], "pending");
    assert_eq!(i["invitedBy"]["email"], "second@example.com");
    assert_eq!(
        ts(&i["expiresAt"]),
        app.clock.now().as_millis() + 7 * DAY_MS
    );
    let mails: Vec<_> = app
        .emails_to("new@example.com")
        .await
        .into_iter()
        .filter(|m| m.subject.starts_with("Invitation"))
        .collect();
    assert_eq!(mails.len(), 2, "the reactivated invitation is mailed again");
    let new_token = mails[1].link_token();
    assert_ne!(new_token, token);
    // The old link stays dead; the new one works.
    newbie
        .post("/api/invitations/accept-token", json!({"token": token}))
        .await
        .assert_error(404, "Invitation not found or expired");
    let r = newbie
        .post("/api/invitations/accept-token", json!({"token": new_token}))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["organization"]["id"], acme.id.as_str());

    acme.admin
        .post(
            &format!("/api/organization/invitations/{inv}/reactivate"),
            json!({}),
        )
        .await
        .assert_error(409, "Cannot reactivate an accepted invitation");
}

#[db_test]
async fn expired_invitations_are_reactivated_by_inviting_again(app: TestApp) {
    let acme = app.org("acme").await;
    let inv = app.invite(&acme, "late@example.com", None).await;
    app.clock.advance_millis(7 * DAY_MS);
    let late = app.signup("Late", "late@example.com").await;
    assert_eq!(
        app.me(&late).await["user"]["organizationId"],
        Value::Null,
        "an expired invitation is not accepted"
    );
    assert_eq!(
        late.get("/api/invitations").await.body["invitations"],
        json!([])
    );
    late.post(&format!("/api/invitations/{inv}/accept"), json!({}))
        .await
        .assert_error(404, "Invitation not found or expired");

    let r = acme
        .admin
        .post(
            "/api/organization/invitations",
            json!({"email": "late@example.com"}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(
        r.body["invitation"]["id"],
        inv.as_str(),
        "the same invitation, issued again"
    );
    assert_eq!(r.body["invitation"]["status"], "pending");
    late.post(&format!("/api/invitations/{inv}/accept"), json!({}))
        .await
        .assert_status(200);
}

#[db_test]
async fn a_removed_member_can_be_invited_again(app: TestApp) {
    let acme = app.org("acme").await;
    let inv = app.invite(&acme, "mel@example.com", None).await;
    let mel = app.signup("Mel", "mel@example.com").await;
    let mel_id = app.me(&mel).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    acme.admin
        .delete(&format!("/api/organization/members/{mel_id}"))
        .await
        .assert_status(204);

    let r = acme
        .admin
        .post(
            "/api/organization/invitations",
            json!({"email": "mel@example.com"}),
        )
        .await;
    r.assert_status(201);
    let i = &r.body["invitation"];
    assert_eq!(i["id"], inv.as_str());
    assert_eq!(i["status"], "pending");
    assert_eq!(i["acceptedAt"], Value::Null);
    let r = mel.get("/api/invitations").await;
    assert_eq!(r.body["invitations"][0]["id"], inv.as_str());
    mel.post(&format!("/api/invitations/{inv}/accept"), json!({}))
        .await
        .assert_status(200);
}

#[db_test]
async fn invitations_can_name_the_person_to_link(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let person = app.person(&acme, "Pat", Some("pat@example.com")).await;
    let foreign = app.person(&globex, "Foreign", None).await;
    acme.admin
        .post(
            "/api/organization/invitations",
            json!({"email": "pat@example.com", "personId": foreign}),
        )
        .await
        .assert_error(404, "Person not found or access denied");
    acme.admin
        .post(
            "/api/organization/invitations",
            json!({"email": "pat@example.com", "personId": "person_nope"}),
        )
        .await
        .assert_error(404, "Person not found or access denied");
    let r = acme
        .admin
        .post(
            "/api/organization/invitations",
            json!({"email": "pat@example.com", "personId": person}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.body["invitation"]["personId"], person.as_str());

    let pat = app.signup("Pat", "pat@example.com").await;
    let me = app.me(&pat).await;
    assert_eq!(me["user"]["personId"], person.as_str());
    assert_eq!(me["person"]["id"], person.as_str());
    assert_eq!(me["person"]["userId"], me["user"]["id"]);

    acme.admin
        .post(
            "/api/organization/invitations",
            json!({"email": "other@example.com", "personId": person}),
        )
        .await
        .assert_error(409, "Person is already linked to a user");
}

// ----------------------------------------------------------------------------------------------
// Invitations, invitee side.

/// Issue 12, finding 5: anyone could sign up with an invited address and so take the
/// invitation, and the person (and one-on-ones) it names. Now a sign-up joins nothing, sees no
/// invitation, accepts none by id and links to no person until the address is verified; the
/// mailed link then does the auto-join.
#[db_test]
async fn verifying_the_address_joins_the_single_waiting_invitation(app: TestApp) {
    let acme = app.org("acme").await;
    let person = app.person(&acme, "New", Some("new@example.com")).await;
    let inv = app.invite(&acme, "new@example.com", Some(&person)).await;
    let r = app
        .post(
            "/api/auth/signup",
            None,
            json!({"name": "New", "email": "NEW@example.com", "password": PASSWORD}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.body["wasInvited"], false);
    assert_eq!(r.body["organization"], Value::Null);
    assert_eq!(r.body["user"]["emailVerified"], false);
    let squatter = app.user(&r.body);
    // Signed in, but holding nothing.
    assert_eq!(
        app.me(&squatter).await["user"]["organizationId"],
        Value::Null
    );
    assert_eq!(
        squatter.get("/api/invitations").await.body["invitations"],
        json!([])
    );
    squatter
        .post(&format!("/api/invitations/{inv}/accept"), json!({}))
        .await
        .assert_error(
            403,
            "Verify your email address first: open the link we mailed you, or ask for a new one",
        );
    let p = acme.admin.get(&format!("/api/people/{person}")).await;
    assert_eq!(p.body["person"]["userId"], Value::Null);
    // A wrong token verifies nothing; asking again mails a new link.
    app.post(
        "/api/auth/verify-email",
        None,
        json!({"token": "nope", "password": PASSWORD}),
    )
    .await
    .assert_error(400, "Invalid or expired verification token");
    squatter
        .post("/api/auth/resend-verification", json!({}))
        .await
        .assert_status(202);
    let links: Vec<_> = app
        .emails_to("new@example.com")
        .await
        .into_iter()
        .filter(|m| m.subject.starts_with("Confirm your email address"))
        .collect();
    assert_eq!(links.len(), 2);
    assert!(links[0].html.contains("Confirm my address"));

    let r = app.verify("new@example.com").await;
    assert_eq!(r.body["wasInvited"], true);
    // Used: the same link does not work twice, and the other one is spent too.
    for l in &links {
        app.post(
            "/api/auth/verify-email",
            None,
            json!({"token": l.link_token(), "password": PASSWORD}),
        )
        .await
        .assert_error(400, "Invalid or expired verification token");
    }
    // The squatter's session, from before the address was proved, ended with it; the
    // password is the one the link's holder chose.
    squatter
        .post("/api/auth/resend-verification", json!({}))
        .await
        .assert_error(401, "Unauthorized");
    let owner = app.login("new@example.com").await;
    owner
        .post("/api/auth/resend-verification", json!({}))
        .await
        .assert_error(409, "Your email address is already verified");
    assert_eq!(r.body["user"]["personId"], person.as_str());
    assert_eq!(r.body["organization"]["id"], acme.id.as_str());
    assert_eq!(r.body["organization"]["slug"], "acme");
    assert_eq!(r.body["user"]["organizationId"], acme.id.as_str());
    assert_eq!(r.body["user"]["role"], "USER");
    let list = acme.admin.get("/api/organization/invitations").await;
    let i = &list.body["invitations"][0];
    assert_eq!(i["id"], inv.as_str());
    assert_eq!(i["status"], "accepted");
    assert!(i["acceptedAt"].is_string());
}

#[db_test]
async fn with_several_invitations_the_user_chooses(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let a = app.invite(&acme, "sought@example.com", None).await;
    let g = app.invite(&globex, "sought@example.com", None).await;
    let r = app
        .post(
            "/api/auth/signup",
            None,
            json!({"name": "Sought", "email": "sought@example.com", "password": PASSWORD}),
        )
        .await;
    r.assert_status(201);
    let sought = app.user(&r.body);
    let r = app.verify("sought@example.com").await;
    assert_eq!(r.body["wasInvited"], false);
    assert_eq!(r.body["organization"], Value::Null);
    sought
        .get("/api/me")
        .await
        .assert_error(401, "Unauthorized");
    let sought = app.login("sought@example.com").await;

    let r = sought.get("/api/invitations").await;
    r.assert_status(200);
    let list = r.body["invitations"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let orgs: Vec<&str> = list
        .iter()
        .map(|i| i["organization"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(orgs, ["globex", "acme"], "newest first");
    assert_eq!(list[0]["id"], g.as_str());
    assert_eq!(list[0]["invitedBy"]["email"], "admin@globex.test");

    let r = sought
        .post(&format!("/api/invitations/{a}/accept"), json!({}))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["user"]["organizationId"], acme.id.as_str());
    assert_eq!(r.body["user"]["role"], "USER");
    assert_eq!(r.body["organization"]["slug"], "acme");
    // Now in an organization: the other invitation is not offered, and cannot be accepted.
    assert_eq!(
        sought.get("/api/invitations").await.body["invitations"],
        json!([])
    );
    sought
        .post(&format!("/api/invitations/{g}/accept"), json!({}))
        .await
        .assert_error(409, "User already belongs to an organization");
}

#[db_test]
async fn nobody_accepts_someone_elses_invitation(app: TestApp) {
    let acme = app.org("acme").await;
    let inv = app.invite(&acme, "intended@example.com", None).await;
    let token = app.emails_to("intended@example.com").await[0].link_token();
    let mallory = app.signup("Mallory", "mallory@example.com").await;
    mallory
        .post(&format!("/api/invitations/{inv}/accept"), json!({}))
        .await
        .assert_error(404, "Invitation not found or expired");
    mallory
        .post("/api/invitations/accept-token", json!({"token": token}))
        .await
        .assert_error(404, "Invitation not found or expired");
    mallory
        .post("/api/invitations/inv_garbage/accept", json!({}))
        .await
        .assert_error(404, "Invitation not found or expired");
    assert_eq!(
        app.me(&mallory).await["user"]["organizationId"],
        Value::Null
    );
    app.post(&format!("/api/invitations/{inv}/accept"), None, json!({}))
        .await
        .assert_error(401, "Unauthorized");
}

#[db_test]
async fn an_invitation_link_is_single_use(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    app.invite(&acme, "x@example.com", None).await;
    app.invite(&globex, "x@example.com", None).await;
    let x = app.signup("X", "x@example.com").await;
    let token = app.emails_to("x@example.com").await[0].link_token();
    let r = x
        .post("/api/invitations/accept-token", json!({"token": token}))
        .await;
    r.assert_status(200);
    let joined = r.body["organization"]["id"].as_str().unwrap().to_owned();
    let other = if joined == acme.id { &globex } else { &acme };
    // Removed, then trying the same link again.
    let x_id = app.me(&x).await["user"]["id"].as_str().unwrap().to_owned();
    let admin = if joined == acme.id {
        &acme.admin
    } else {
        &globex.admin
    };
    admin
        .delete(&format!("/api/organization/members/{x_id}"))
        .await
        .assert_status(204);
    x.post("/api/invitations/accept-token", json!({"token": token}))
        .await
        .assert_error(404, "Invitation not found or expired");
    assert_eq!(
        x.get("/api/invitations").await.body["invitations"][0]["organization"]["id"],
        other.id.as_str()
    );
}

#[db_test]
async fn another_organizations_invitations_are_not_found(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let theirs = app.invite(&globex, "someone@example.com", None).await;
    for action in ["revoke", "reactivate"] {
        acme.admin
            .post(
                &format!("/api/organization/invitations/{theirs}/{action}"),
                json!({}),
            )
            .await
            .assert_error(404, "Invitation not found or access denied");
        acme.admin
            .post(
                &format!("/api/organization/invitations/inv_nope/{action}"),
                json!({}),
            )
            .await
            .assert_error(404, "Invitation not found or access denied");
    }
    let list = acme.admin.get("/api/organization/invitations").await;
    assert_eq!(list.body["invitations"], json!([]));
    let list = globex.admin.get("/api/organization/invitations").await;
    assert_eq!(
        list.body["invitations"][0]["status"], "pending",
        "untouched"
    );
}

#[db_test]
async fn an_invitee_whose_person_was_linked_meanwhile_joins_unlinked(app: TestApp) {
    let acme = app.org("acme").await;
    let person = app.person(&acme, "Pat", Some("pat@example.com")).await;
    app.invite(&acme, "pat@example.com", Some(&person)).await;
    // Before Pat signs up, the admin links that person to someone else.
    let other = app.member(&acme, "Other", "other@example.com").await;
    let other_id = app.me(&other).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    acme.admin
        .put(
            &format!("/api/organization/members/{other_id}/person"),
            json!({"personId": person}),
        )
        .await
        .assert_status(200);
    let r = app
        .post(
            "/api/auth/signup",
            None,
            json!({"name": "Pat", "email": "pat@example.com", "password": PASSWORD}),
        )
        .await;
    r.assert_status(201);
    let r = app.verify("pat@example.com").await;
    assert_eq!(r.body["wasInvited"], true);
    assert_eq!(r.body["user"]["personId"], Value::Null);
    assert_eq!(
        app.me(&other).await["user"]["personId"],
        person.as_str(),
        "the existing link is untouched"
    );
}

/// Names and titles are single lines: a line break in one could write lines of its own into
/// an invitation email ("Acme Payroll\r\n\r\nYour account is locked…"). Each is refused with a
/// 400 naming the field, and nothing is written.
#[db_test]
async fn single_line_fields_refuse_line_breaks(app: TestApp) {
    let forged = "Acme Payroll\r\n\r\nYour account is locked. Log in at http://evil.test";
    app.post(
        "/api/auth/signup",
        None,
        json!({"name": "Ada\nAdmin", "email": "ada@acme.test", "password": PASSWORD}),
    )
    .await
    .assert_field_error("name");
    let ada = app.signup("Ada", "ada@acme.test").await;
    ada.post(
        "/api/organizations",
        json!({"name": forged, "slug": "acme"}),
    )
    .await
    .assert_field_error("name");
    assert_eq!(ada.get("/api/me").await.body["organization"], Value::Null);
    ada.post(
        "/api/organizations",
        json!({"name": "Acme", "slug": "acme"}),
    )
    .await
    .assert_status(201);
    for (path, body, field) in [
        ("/api/people", json!({"name": "Bo\tBoss"}), "name"),
        (
            "/api/people",
            json!({"name": "Bo", "role": "CEO\r\nCall me"}),
            "role",
        ),
        ("/api/teams", json!({"name": "Core\u{2028}Ops"}), "name"),
        ("/api/tasks", json!({"title": "Pay\ninvoice"}), "title"),
    ] {
        ada.post(path, body).await.assert_field_error(field);
    }
    assert_eq!(
        ada.get("/api/people").await.body["pagination"]["totalCount"],
        0
    );
    assert_eq!(
        ada.get("/api/teams").await.body["pagination"]["totalCount"],
        0
    );
    // Multi-line text stays multi-line where it is meant to be.
    ada.post(
        "/api/teams",
        json!({"name": "Core", "description": "Line one\nLine two"}),
    )
    .await
    .assert_status(201);
}

/// An invitation quotes what users wrote as such, in its text and in its HTML part, where
/// it is escaped: an organization's name cannot pass for ManagerOS's words or markup.
#[db_test]
async fn invitation_emails_quote_and_escape_what_users_wrote(app: TestApp) {
    let ada = app.signup("Ada <b>Admin</b>", "ada@acme.test").await;
    ada.post(
        "/api/organizations",
        json!({"name": "Acme <script>alert(1)</script>", "slug": "acme"}),
    )
    .await
    .assert_status(201);
    ada.post(
        "/api/organization/invitations",
        json!({"email": "bo@acme.test"}),
    )
    .await
    .assert_status(201);
    let mail = app
        .emails_to("bo@acme.test")
        .await
        .pop()
        .expect("an invitation");
    assert_eq!(
        mail.subject,
        "Invitation to \u{201c}Acme <script>alert(1)</script>\u{201d} on ManagerOS"
    );
    assert!(
        mail.body.contains(
            "Ada <b>Admin</b> (ada@acme.test) invited you to the organization \u{201c}Acme <script>alert(1)</script>\u{201d}"
        ),
        "{}",
        mail.body
    );
    assert!(
        mail.html.contains("Acme &#60;script&#62;") || mail.html.contains("Acme &lt;script&gt;"),
        "{}",
        mail.html
    );
    assert!(
        !mail.html.contains("<script>") && !mail.html.contains("<b>Admin"),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("/invitations/accept?token="), "the link");
}

/// Issue 24, finding 3: someone who signed up first with an invited address kept their
/// session, and when the address's owner clicked the verification link that session became
/// a member. Verifying now makes the link's holder choose the password and ends every
/// session the account had.
#[db_test]
async fn verifying_an_address_takes_the_account_from_whoever_signed_up_with_it_first(app: TestApp) {
    let acme = app.org("acme").await;
    app.invite(&acme, "owner@example.com", None).await;
    let r = app
        .post(
            "/api/auth/signup",
            None,
            json!({"name": "Squatter", "email": "owner@example.com", "password": "the squatter's"}),
        )
        .await;
    r.assert_status(201);
    let squatter = app.user(&r.body);

    // The link's holder must choose a password: none, or a bad one, verifies nothing.
    let token = app
        .emails_to("owner@example.com")
        .await
        .iter()
        .rev()
        .find(|m| m.subject.starts_with("Confirm your email address"))
        .expect("a verification email")
        .link_token();
    app.post("/api/auth/verify-email", None, json!({"token": token}))
        .await
        .assert_field_error("password");
    app.post(
        "/api/auth/verify-email",
        None,
        json!({"token": token, "password": "short"}),
    )
    .await
    .assert_field_error("password");
    squatter.get("/api/me").await.assert_status(200);

    let r = app
        .post(
            "/api/auth/verify-email",
            None,
            json!({"token": token, "password": "the owner's own password"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["organization"]["id"], acme.id.as_str());
    // The squatter is out, and their password no longer opens the account.
    squatter
        .get("/api/me")
        .await
        .assert_error(401, "Unauthorized");
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "owner@example.com", "password": "the squatter's"}),
    )
    .await
    .assert_error(401, "Invalid email or password");
    let r = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "owner@example.com", "password": "the owner's own password"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body["user"]["organizationId"], acme.id.as_str());
}

/// Issue 28, "First contact": signing up with the invitation link's token makes an account that
/// is verified (the link reached the invited mailbox), has joined and is linked to the invited
/// person, with no "confirm your email" mail; the token works for the invited address only,
/// and once.
#[db_test]
async fn signing_up_by_the_invitation_link_joins_at_once_without_a_confirmation_mail(app: TestApp) {
    let acme = app.org("acme").await;
    let person = app
        .person(&acme, "Ivy Invitee", Some("ivy@example.com"))
        .await;
    app.invite(&acme, "ivy@example.com", Some(&person)).await;
    let token = app
        .emails_to("ivy@example.com")
        .await
        .pop()
        .expect("the invitation")
        .link_token();
    let signup = |email: &str, token: &str| {
        json!({"name": "Ivy", "email": email, "password": "correct horse battery",
               "invitationToken": token})
    };
    // Another address, or a token that is not one: refused, nothing made.
    app.post(
        "/api/auth/signup",
        None,
        signup("someone-else@example.com", &token),
    )
    .await
    .assert_field_error("email");
    app.post(
        "/api/auth/signup",
        None,
        signup("ivy@example.com", "not-a-token"),
    )
    .await
    .assert_field_error("invitationToken");
    let r = app
        .post("/api/auth/signup", None, signup("ivy@example.com", &token))
        .await;
    r.assert_status(201);
    assert_eq!(r.body["wasInvited"], true);
    assert_eq!(r.body["organization"]["slug"], "acme");
    assert_eq!(r.body["user"]["emailVerified"], true);
    assert_eq!(r.body["user"]["personId"], person.as_str());
    let mails = app.emails_to("ivy@example.com").await;
    assert!(
        !mails.iter().any(|m| m.subject.starts_with("Confirm")),
        "no confirmation mail: {:?}",
        mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert_eq!(
        app.emails_to("someone-else@example.com").await.len(),
        0,
        "the refused sign-up made no account"
    );
    // The link has done its work.
    app.post(
        "/api/auth/signup",
        None,
        json!({"name": "Ivy 2", "email": "ivy2@example.com", "password": "correct horse battery",
               "invitationToken": token}),
    )
    .await
    .assert_field_error("invitationToken");
}
