//! Mail that is never lost: every email is queued with the change that causes it and sent by
//! the outbox worker through a real SMTP server (`smtp_sink`), retried with back-off while the
//! server refuses it, and marked failed — shown on the invitation — after the last attempt.

use crate::harness::{smtp_sink::Refuse, *};
use manageros_server::outbox::{MAX_ATTEMPTS, retry_delay_ms};
use manageros_test_macros::db_test;
use serde_json::{Value, json};

/// Waits until the SMTP server saw `n` deliveries to the refused recipient and the worker
/// recorded the outcome (nothing is due any more).
async fn attempted(app: &TestApp, n: usize) {
    for _ in 0..500 {
        let due = manageros_store::repo::outbox::due(&app.state.db, app.state.now())
            .await
            .unwrap();
        if app.smtp.as_ref().unwrap().attempts() == n && due == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!(
        "expected {n} attempts, saw {}",
        app.smtp.as_ref().unwrap().attempts()
    );
}

/// The invitation of `email`, as the admin's list shows it.
async fn invitation(admin: &TestUser, email: &str) -> Value {
    let list = admin.get("/api/organization/invitations").await.body;
    list["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == email)
        .cloned()
        .expect("the invitation")
}

#[db_test(Options { smtp_refuse: Some(Refuse { recipient: "new@acme.test", times: 3 }), ..Default::default() })]
async fn an_email_refused_three_times_goes_out_once_on_the_fourth_attempt(app: TestApp) {
    let acme = app.org("acme").await;
    let r = acme
        .admin
        .post(
            "/api/organization/invitations",
            json!({"email": "new@acme.test"}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(
        r.body["invitation"]["emailDelivery"],
        json!({"status": "pending", "error": null}),
        "queued with the invitation"
    );
    for n in 1..=3 {
        attempted(&app, n).await;
        assert!(app.emails_to("new@acme.test").await.is_empty());
        let inv = invitation(&acme.admin, "new@acme.test").await;
        assert_eq!(
            inv["emailDelivery"]["status"], "pending",
            "tried again later"
        );
        // Not before its pause is over…
        app.state.outbox.wake();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(app.smtp.as_ref().unwrap().attempts(), n);
        // …then at once.
        app.clock.advance_millis(retry_delay_ms(n as i32));
        app.state.outbox.wake();
    }
    let mails = app.emails_to("new@acme.test").await;
    assert_eq!(mails.len(), 1, "sent once");
    assert!(mails[0].link().contains("/invitations/accept?token="));
    assert_eq!(app.smtp.as_ref().unwrap().attempts(), 4);
    let inv = invitation(&acme.admin, "new@acme.test").await;
    assert_eq!(
        inv["emailDelivery"],
        json!({"status": "sent", "error": null})
    );
    // The others' mail went through the same server, untouched.
    assert_eq!(app.emails_to("admin@acme.test").await.len(), 1);
}

#[db_test(Options { smtp_refuse: Some(Refuse { recipient: "gone@acme.test", times: usize::MAX }), ..Default::default() })]
async fn an_email_that_always_fails_ends_failed_and_the_invitation_says_so(app: TestApp) {
    let acme = app.org("acme").await;
    let other = app.org("other").await;
    acme.admin
        .post(
            "/api/organization/invitations",
            json!({"email": "gone@acme.test"}),
        )
        .await
        .assert_status(201);
    for n in 1..=MAX_ATTEMPTS {
        attempted(&app, n as usize).await;
        app.clock.advance_millis(retry_delay_ms(n));
        app.state.outbox.wake();
    }
    // No attempt after the last, however long one waits.
    app.clock.advance_millis(24 * 3_600_000);
    app.settle().await;
    assert_eq!(app.smtp.as_ref().unwrap().attempts(), MAX_ATTEMPTS as usize);
    assert!(app.emails_to("gone@acme.test").await.is_empty());

    let inv = invitation(&acme.admin, "gone@acme.test").await;
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["emailDelivery"]["status"], "failed");
    let error = inv["emailDelivery"]["error"].as_str().unwrap();
    assert!(error.contains("try again later"), "{error}");
    // Another organization sees nothing of it.
    let theirs = other.admin.get("/api/organization/invitations").await.body;
    assert_eq!(theirs["invitations"], json!([]));

    // The organization page says so too, with what to do.
    let page = reqwest::Client::new()
        .get(app.url("/organization"))
        .header("cookie", format!("manageros_session={}", acme.admin.token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Email not delivered"), "{page}");
    assert!(page.contains("try again later"));
    assert!(page.contains("Revoke the invitation and send it again"));
}
