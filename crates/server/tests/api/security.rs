//! A user's sessions, and each organization's audit log of security events (issue 12: "a
//! user's sessions", "an audit log of security events"); the last-admin rule when admins
//! leave at the same moment.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::{Value, json};

const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                     (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/// Signs `email` in with a `User-Agent`, as a browser on another device would.
async fn login_from(app: &TestApp, email: &str, user_agent: &str) -> TestUser {
    let r = app
        .send(
            app.request(reqwest::Method::POST, "/api/auth/login")
                .header("user-agent", user_agent)
                .json(&json!({"email": email, "password": PASSWORD})),
        )
        .await;
    r.assert_status(200);
    app.user(&r.body)
}

fn sessions(r: &Res) -> Vec<Value> {
    r.assert_status(200);
    r.body["sessions"].as_array().unwrap().clone()
}

#[db_test]
async fn a_user_lists_their_sessions_and_signs_any_of_them_out(app: TestApp) {
    let laptop = app.signup("Ada", "ada@example.com").await;
    let phone = login_from(&app, "ada@example.com", PHONE).await;
    let bea = app.signup("Bea", "bea@example.com").await;

    let list = sessions(&laptop.get("/api/me/sessions").await);
    assert_eq!(list.len(), 2, "{list:?}");
    let current: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(
        current.len(),
        1,
        "exactly the session this request came with"
    );
    let phone_session = list
        .iter()
        .find(|s| s["device"] == PHONE)
        .expect("the phone's session, with its User-Agent")
        .clone();
    assert_eq!(phone_session["current"], false);
    assert_eq!(phone_session["address"], "127.0.0.1");
    for key in ["createdAt", "lastUsedAt", "expiresAt"] {
        assert!(phone_session[key].is_string(), "{key}");
    }
    let phone_id = phone_session["id"].as_str().unwrap().to_owned();
    // The phone sees the same two, with itself as the current one.
    let from_phone = sessions(&phone.get("/api/me/sessions").await);
    assert_eq!(from_phone.len(), 2);
    assert!(
        from_phone
            .iter()
            .any(|s| s["id"] == phone_id.as_str() && s["current"] == true)
    );

    // Someone else's session, or no session at all, is not found; nothing is revoked.
    bea.delete(&format!("/api/me/sessions/{phone_id}"))
        .await
        .assert_error(404, "Session not found");
    bea.delete("/api/me/sessions/not-an-id")
        .await
        .assert_error(404, "Session not found");
    phone.get("/api/me").await.assert_status(200);
    assert_eq!(sessions(&bea.get("/api/me/sessions").await).len(), 1);
    app.delete(&format!("/api/me/sessions/{phone_id}"), None)
        .await
        .assert_error(401, "Unauthorized");

    // Last used: refreshed once it is a few minutes old, not on every request.
    app.clock.advance_millis(10 * 60 * 1000);
    laptop.get("/api/me").await.assert_status(200);
    app.clock.advance_millis(1000);
    phone.get("/api/me").await.assert_status(200);
    let again = sessions(&laptop.get("/api/me/sessions").await);
    let refreshed = again.iter().find(|s| s["id"] == phone_id.as_str()).unwrap();
    assert!(
        refreshed["lastUsedAt"].as_str() > phone_session["lastUsedAt"].as_str(),
        "{refreshed} after {phone_session}"
    );
    assert_eq!(
        again[0]["id"],
        phone_id.as_str(),
        "most recently used first"
    );

    // Signing the phone out from the laptop ends it at once.
    laptop
        .delete(&format!("/api/me/sessions/{phone_id}"))
        .await
        .assert_status(204);
    phone.get("/api/me").await.assert_error(401, "Unauthorized");
    assert_eq!(sessions(&laptop.get("/api/me/sessions").await).len(), 1);
    laptop
        .delete(&format!("/api/me/sessions/{phone_id}"))
        .await
        .assert_error(404, "Session not found");

    // Revoking the current session signs this client out.
    let mine = sessions(&laptop.get("/api/me/sessions").await)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    laptop
        .delete(&format!("/api/me/sessions/{mine}"))
        .await
        .assert_status(204);
    laptop
        .get("/api/me")
        .await
        .assert_error(401, "Unauthorized");
}

async fn audit(admin: &TestUser, query: &str) -> Vec<Value> {
    let r = admin
        .get(&format!("/api/organization/audit-log{query}"))
        .await;
    r.assert_status(200);
    r.body["events"].as_array().unwrap().clone()
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

#[db_test]
async fn the_audit_log_keeps_each_organizations_security_events_for_its_admins(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let mel = app.member(&acme, "Mel", "mel@example.com").await;
    let mel_id = mel.id.clone();
    // Invitation sent, then accepted at verification.
    let events = audit(&acme.admin, "").await;
    assert_eq!(
        kinds(&events),
        ["invitation_accepted", "invitation_sent"],
        "newest first"
    );
    assert_eq!(events[1]["actor"]["email"], "admin@acme.test");
    assert_eq!(events[1]["detail"], "Invitation sent to mel@example.com");
    assert_eq!(events[0]["actor"]["id"], mel_id.as_str());

    // A wrong password for a member is an event of their organization, with the address; one
    // for an address nobody has is nobody's.
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "mel@example.com", "password": "not the password"}),
    )
    .await
    .assert_status(401);
    app.post(
        "/api/auth/login",
        None,
        json!({"email": "nobody@example.com", "password": "not the password"}),
    )
    .await
    .assert_status(401);
    let e = &audit(&acme.admin, "?kind=sign_in_failed").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["subject"]["id"], mel_id.as_str());
    assert_eq!(e[0]["actor"], Value::Null);
    assert_eq!(e[0]["address"], "127.0.0.1");

    // Role changes and links, by whom and about whom.
    let member_path = format!("/api/organization/members/{mel_id}");
    acme.admin
        .patch(&member_path, json!({"role": "ADMIN"}))
        .await
        .assert_status(200);
    acme.admin
        .patch(&member_path, json!({"role": "ADMIN"}))
        .await
        .assert_status(200);
    acme.admin
        .patch(&member_path, json!({"role": "USER"}))
        .await
        .assert_status(200);
    let roles = audit(&acme.admin, "?kind=role_changed").await;
    let details: Vec<&str> = roles
        .iter()
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert_eq!(
        details,
        [
            "Role changed from ADMIN to USER",
            "Role changed from USER to ADMIN"
        ],
        "a change to the same role changes nothing and logs nothing"
    );
    assert_eq!(roles[0]["subject"]["email"], "mel@example.com");
    let person = app
        .person(&acme, "Mel Person", Some("mel@example.com"))
        .await;
    acme.admin
        .put(
            &format!("{member_path}/person"),
            json!({"personId": person}),
        )
        .await
        .assert_status(200);
    let linked = audit(&acme.admin, "?kind=person_linked").await;
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0]["targetId"], person.as_str());
    assert_eq!(linked[0]["detail"], "Linked to the person “Mel Person”");

    // A refused permission check, through the API and through a page, names who and what.
    mel.get("/api/organization/members").await.assert_error(
        403,
        "Only organization admins can view organization members",
    );
    mel.get("/api/organization/audit-log")
        .await
        .assert_error(403, "Only organization admins can view the audit log");
    let page = app
        .send(
            app.request(reqwest::Method::GET, "/organization/audit")
                .header("cookie", format!("manageros_session={}", mel.token)),
        )
        .await;
    page.assert_status(403);
    let denied = audit(&acme.admin, "?kind=permission_denied").await;
    assert_eq!(denied.len(), 3, "{denied:?}");
    assert_eq!(denied[2]["actor"]["id"], mel_id.as_str());
    assert_eq!(
        denied[2]["detail"],
        "GET /api/organization/members: Only organization admins can view organization members"
    );
    assert!(
        denied[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("GET /organization/audit: "),
        "the page's refusal: {denied:?}"
    );
    // An allowed request, and a refusal of a caller in no organization, leave nothing.
    mel.get("/api/people").await.assert_status(200);
    let loner = app.signup("Lone", "lone@example.com").await;
    loner.get("/api/people").await.assert_status(403);
    assert_eq!(audit(&acme.admin, "?kind=permission_denied").await.len(), 3);
    assert_eq!(
        audit(&globex.admin, "?kind=permission_denied").await.len(),
        0
    );

    // Removal; and another organization's log holds only its own events.
    acme.admin.delete(&member_path).await.assert_status(204);
    let removed = audit(&acme.admin, "?kind=member_removed").await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["subject"]["id"], mel_id.as_str());
    assert!(
        audit(&acme.admin, "?kind=person_unlinked").await.len() == 1,
        "removal unlinks, and says so"
    );
    assert!(audit(&globex.admin, "").await.is_empty());

    // Filters and pages are checked; a bad one is named.
    acme.admin
        .get("/api/organization/audit-log?kind=bogus")
        .await
        .assert_field_error("kind");
    acme.admin
        .get("/api/organization/audit-log?limit=0")
        .await
        .assert_field_error("limit");
    let r = acme.admin.get("/api/organization/audit-log?limit=2").await;
    r.assert_status(200);
    assert_eq!(r.body["events"].as_array().unwrap().len(), 2);
    assert!(r.body["pagination"]["totalCount"].as_u64().unwrap() > 8);
}

#[db_test]
async fn an_admin_opening_a_one_on_one_they_are_not_in_is_an_audit_event(app: TestApp) {
    let acme = app.org("acme").await;
    let (boss, boss_p) = app.linked_member(&acme, "Boss", "boss@example.com").await;
    let (_rep, rep_p) = app.linked_member(&acme, "Rep", "rep@example.com").await;
    let o = boss
        .post(
            "/api/oneonones",
            json!({
                "participant1Id": boss_p,
                "participant2Id": rep_p,
                "scheduledAt": "2030-01-01T10:00:00Z",
            }),
        )
        .await;
    o.assert_status(201);
    let id = o.id("oneOnOne");
    boss.get(&format!("/api/oneonones/{id}"))
        .await
        .assert_status(200);
    assert!(
        audit(&acme.admin, "?kind=oneonone_admin_access")
            .await
            .is_empty(),
        "a participant's look is no event"
    );
    acme.admin
        .get(&format!("/api/oneonones/{id}"))
        .await
        .assert_status(200);
    let e = audit(&acme.admin, "?kind=oneonone_admin_access").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["targetId"], id.as_str());
    assert_eq!(e[0]["actor"]["email"], "admin@acme.test");
    assert_eq!(
        e[0]["detail"],
        "Opened, as an admin, the one-on-one of Boss and Rep"
    );
}

#[db_test]
async fn audit_events_are_forgotten_after_the_retention(app: TestApp) {
    let acme = app.org("acme").await;
    app.invite(&acme, "old@example.com", None).await;
    app.clock
        .advance_millis(i64::from(AUDIT_RETENTION_DAYS - 1) * 24 * 3600 * 1000);
    // Sessions last 30 days: sign in again.
    let admin = TestOrg {
        admin: app.login("admin@acme.test").await,
        ..acme
    };
    app.invite(&admin, "recent@example.com", None).await;
    manageros_server::app::housekeep(&app.state).await;
    assert_eq!(
        audit(&admin.admin, "").await.len(),
        2,
        "both within the retention"
    );
    app.clock.advance_millis(2 * 24 * 3600 * 1000);
    manageros_server::app::housekeep(&app.state).await;
    let left = audit(&admin.admin, "").await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["detail"], "Invitation sent to recent@example.com");
}

/// The leaver's role is the one under the organization's lock, not the one the request began
/// with: a caller read as USER a moment before being promoted — now the last admin — may not
/// leave. (Driven through the service with a stale copy of the caller, which is what a request
/// holds when a promotion lands between its start and its transaction.)
#[db_test]
async fn leaving_judges_the_role_the_caller_has_now(app: TestApp) {
    use manageros_core::{Role, UserId};
    let acme = app.org("acme").await;
    let id = UserId::parse(&acme.admin.id).unwrap();
    let mut stale = manageros_store::repo::users::find(&app.state.db, &id)
        .await
        .unwrap()
        .unwrap();
    stale.role = Role::User;
    let refused = manageros_server::services::members::leave(&app.state, &stale)
        .await
        .unwrap_err();
    assert_eq!(refused.status(), 409);
    assert_eq!(
        refused.to_string(),
        manageros_server::services::members::LAST_ADMIN_LEAVES
    );
    let me = app.me(&acme.admin).await;
    assert_eq!(me["user"]["role"], "ADMIN");
    assert_eq!(me["user"]["organizationId"], acme.id.as_str());
}

/// The last two admins leaving at the same moment: one leaves, the other is refused, on every
/// round. Each reads its own role under the organization's lock.
#[db_test]
async fn the_last_two_admins_cannot_both_leave_at_once(app: TestApp) {
    for round in 0..4 {
        let acme = app.org(&format!("acme{round}")).await;
        let second = app
            .member(&acme, "Second", &format!("second{round}@example.com"))
            .await;
        acme.admin
            .patch(
                &format!("/api/organization/members/{}", second.id),
                json!({"role": "ADMIN"}),
            )
            .await
            .assert_status(200);
        let (a, b) = tokio::join!(
            acme.admin.post("/api/organization/leave", json!({})),
            second.post("/api/organization/leave", json!({})),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [204, 409], "round {round}: {a:?} {b:?}");
        let stayed = if a.status == 204 {
            &second
        } else {
            &acme.admin
        };
        let me = app.me(stayed).await;
        assert_eq!(me["user"]["role"], "ADMIN");
        assert_eq!(me["user"]["organizationId"], acme.id.as_str());
    }
}

/// Issue 24: an unknown role in the database was read as ADMIN (the first value declared) on
/// every session lookup. The database refuses a value outside each closed set, whichever way
/// it would be written.
#[db_test]
async fn the_database_refuses_a_value_outside_its_closed_set(app: TestApp) {
    use manageros_store::ConnectionTrait;
    let org = app.org("acme").await;
    let mel = app.member(&org, "Mel", "mel@acme.test").await;
    let db = &app.state.db;
    for role in ["SUPERUSER", "admin", ""] {
        let sql = format!("UPDATE users SET role = '{role}' WHERE email = 'mel@acme.test'");
        assert!(
            db.execute_unprepared(&sql).await.is_err(),
            "{sql} was accepted"
        );
    }
    let person = app.person(&org, "Pat", None).await;
    let r = db
        .execute_unprepared(&format!(
            "UPDATE persons SET status = 'gone' WHERE id = '{person}'"
        ))
        .await;
    assert!(r.is_err(), "an unknown person status was accepted");
    // Mel is still a member, not an admin.
    assert_eq!(app.me(&mel).await["user"]["role"], "USER");
    mel.get("/api/organization/audit-log")
        .await
        .assert_status(403);
}
