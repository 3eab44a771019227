//! Pages: my account (sessions, calendar feed, leaving), the audit log page and the invitation link.

use super::*;
use manageros_test_macros::db_test;

#[db_test]
async fn my_account_makes_shows_once_and_revokes_a_calendar_feed(app: TestApp) {
    let o = two_orgs(&app).await;
    let mut eve = Browser::signed_in(&app, &o.eve);
    let page = eve.get("/account").await;
    assert!(page.html.contains("You have no feed."));
    let t = csrf(&page.html);
    let made = eve.post("/account/calendar-feed", &[("csrf", &t)]).await;
    assert_eq!(made.status, 200);
    assert!(made.html.contains("shown only now"));
    let at = made
        .html
        .find("/calendar/")
        .expect("the feed URL on the page");
    let path: String = made.html[at..].split('"').next().unwrap().to_owned();
    assert!(path.ends_with(".ics"), "{path}");
    // The URL is the credential: no session needed, and it shows Eve's one-on-one.
    let feed = app.get(&path, None).await;
    feed.assert_status(200);
    assert!(feed.body.as_str().unwrap().contains(&o.theirs[2]));
    // Shown once: the account page now says there is a feed, not its URL.
    let again = eve.get("/account").await;
    assert!(again.html.contains("You have a feed"));
    assert!(!again.html.contains(&path));
    let revoked = eve
        .post("/account/calendar-feed/revoke", &[("csrf", &t)])
        .await;
    assert_eq!(revoked.status, 303);
    app.get(&path, None)
        .await
        .assert_error(404, "Calendar feed not found");
}

#[db_test]
async fn my_account_says_who_invited_me_and_lets_me_leave(app: TestApp) {
    let acme = app.org("acme").await;
    let sam = app.member(&acme, "Sam", "sam@example.com").await;
    let mut browser = Browser::signed_in(&app, &sam);
    let page = browser.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(
        page.html
            .contains("Admin of acme <span class=\"muted\">(admin@acme.test)</span>"),
        "who invited me is on my account page"
    );
    assert!(page.html.contains("Leave the organization"));
    let t = csrf(&page.html);
    let left = browser.post("/account/leave", &[("csrf", &t)]).await;
    assert_eq!(left.status, 303);
    assert_eq!(left.location.as_deref(), Some("/welcome"));
    assert_eq!(
        app.me(&sam).await["user"]["organizationId"],
        serde_json::Value::Null
    );

    // The last admin is told why not, on the page, and stays.
    let mut admin = Browser::signed_in(&app, &acme.admin);
    let page = admin.get("/account").await;
    let t = csrf(&page.html);
    let refused = admin.post("/account/leave", &[("csrf", &t)]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.html.contains("last admin"), "{}", refused.html);
    assert_eq!(app.me(&acme.admin).await["organization"]["slug"], "acme");
}

#[db_test]
async fn my_account_lists_where_i_am_signed_in_and_signs_any_of_it_out(app: TestApp) {
    let ada = app.signup("Ada", "ada@example.com").await;
    let other = app.login("ada@example.com").await;
    let bea = app.signup("Bea", "bea@example.com").await;
    let mut b = Browser::signed_in(&app, &ada);
    let page = b.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Where you are signed in"));
    assert!(page.html.contains("this device"));
    assert_eq!(
        page.html.matches("/revoke\"").count(),
        2,
        "one form a session"
    );
    let other_id = other.get("/api/me/sessions").await.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bea_id = bea.get("/api/me/sessions").await.body["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = csrf(&page.html);

    // Someone else's session is not found, and keeps working.
    let refused = b
        .post(
            &format!("/account/sessions/{bea_id}/revoke"),
            &[("csrf", &t)],
        )
        .await;
    assert_eq!(refused.status, 404);
    assert!(refused.html.contains("Session not found"));
    bea.get("/api/me").await.assert_status(200);
    // Without the form token, nothing happens.
    let forged = b
        .post(
            &format!("/account/sessions/{other_id}/revoke"),
            &[("csrf", "x")],
        )
        .await;
    assert_eq!(forged.status, 403);
    other.get("/api/me").await.assert_status(200);

    let done = b
        .post(
            &format!("/account/sessions/{other_id}/revoke"),
            &[("csrf", &t)],
        )
        .await;
    assert_eq!(done.status, 303);
    other.get("/api/me").await.assert_error(401, "Unauthorized");
    // "Sign out everywhere else" (issue 24) ends every other session and keeps this one.
    let third = app.login(&ada.email).await;
    let everywhere = b
        .post("/account/sessions/sign-out-elsewhere", &[("csrf", &t)])
        .await;
    assert_eq!(
        (everywhere.status, everywhere.location.as_deref()),
        (303, Some("/account#sessions-h"))
    );
    third.get("/api/me").await.assert_error(401, "Unauthorized");
    let account = b.get("/account").await;
    assert!(
        account
            .html
            .contains("Signed out everywhere else (1 session)"),
        "{}",
        account.html
    );
    // Signing out this device leads to the sign-in page, and the cookie no longer works.
    let mine = ada.get("/api/me/sessions").await.body["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = b
        .post(&format!("/account/sessions/{mine}/revoke"), &[("csrf", &t)])
        .await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location.as_deref(), Some("/login"));
    ada.get("/api/me").await.assert_error(401, "Unauthorized");
}

#[db_test]
async fn the_audit_log_page_is_for_admins_and_shows_their_organization_only(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let mel = app.member(&acme, "Mel", "mel@example.com").await;
    app.invite(&globex, "gil@globex.test", None).await;

    let mut member = Browser::signed_in(&app, &mel);
    let refused = member.get("/organization/audit").await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        alert(&refused.html),
        "Only organization admins can view the audit log"
    );

    let mut admin = Browser::signed_in(&app, &acme.admin);
    let page = admin.get("/organization/audit").await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Invitation sent to mel@example.com"));
    assert!(
        page.html.contains("<strong>Permission refused</strong>"),
        "the member's refused look is there"
    );
    assert!(
        !page.html.contains("gil@globex.test"),
        "another organization's"
    );
    let filtered = admin.get("/organization/audit?kind=invitation_sent").await;
    assert!(filtered.html.contains("Invitation sent to mel@example.com"));
    assert!(
        !filtered
            .html
            .contains("<strong>Permission refused</strong>")
    );
    let bad = admin.get("/organization/audit?kind=bogus").await;
    assert_eq!(bad.status, 400);
    assert!(bad.html.contains("kind must be one of"));
}

/// Issue 12, finding 6: the emailed link says who invites whom, and to what, before anything
/// is accepted; a link that no longer holds an open invitation says so.
#[db_test]
async fn the_invitation_link_shows_who_invited_me_before_i_accept(app: TestApp) {
    let acme = app.org("acme").await;
    app.invite(&acme, "ray@example.com", None).await;
    let mail = app.emails_to("ray@example.com").await.pop().unwrap();
    let link = mail.link();
    let path = &link[link.find("/invitations/accept").unwrap()..];
    let mut b = Browser::new(&app);
    let page = b.get(path).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html.contains("<strong>Admin of acme</strong>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("(admin@acme.test)"));
    assert!(page.html.contains("invited you (ray@example.com)"));
    assert!(page.html.contains("“Org acme”"));

    let gone = b.get("/invitations/accept?token=not-a-token").await;
    assert_eq!(gone.status, 404);
    assert!(
        gone.html
            .contains("This invitation link is no longer valid")
    );
    assert!(!gone.html.contains("Create an account"));
}
