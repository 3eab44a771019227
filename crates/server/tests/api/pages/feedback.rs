//! Pages: feedback on a person's page, and feedback campaigns.

use super::*;
use manageros_test_macros::db_test;

#[db_test]
async fn feedback_on_a_persons_page_is_shown_to_whom_the_rule_allows(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@acme.test").await;
    let (kim, _) = app.linked_member(&acme, "Kim", "kim@acme.test").await;
    let other = app.org("other").await;
    let stranger = app.person(&other, "Stranger", None).await;
    let path = format!("/people/{sam_person}");

    let mut pb = Browser::signed_in(&app, &pat);
    let form = pb.get(&format!("{path}/feedback")).await;
    assert_eq!(form.status, 200);
    let t = csrf(&form.html);
    let empty = pb
        .post(
            &format!("{path}/feedback"),
            &[("csrf", &t), ("kind", "praise"), ("body", "   ")],
        )
        .await;
    assert_eq!(empty.status, 400);
    assert!(empty.html.contains("Body is required"));
    for (kind, body, private) in [
        ("praise", "**Great** demo <script>alert(1)</script>", false),
        ("concern", "Missed the deadline twice", true),
    ] {
        let mut fields = vec![("csrf", t.as_str()), ("kind", kind), ("body", body)];
        if private {
            fields.push(("isPrivate", "on"));
        }
        let r = pb.post(&format!("{path}/feedback"), &fields).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location.as_deref(), Some(path.as_str()));
    }
    let page = pb.get(&path).await;
    // Rendered as Markdown, as notes are (issue 28), and sanitized: no script survives.
    assert!(
        page.html.contains("<strong>Great</strong> demo"),
        "Markdown"
    );
    assert!(!page.html.contains("<script>alert"), "sanitized");
    assert!(page.html.contains("Missed the deadline twice") && page.html.contains("Private"));
    assert_eq!(
        page.html.matches("/edit\"").count(),
        2,
        "the author edits both"
    );

    // Private feedback is for its author and admins: not for Sam, whom it is about, nor Kim.
    for who in [&sam, &kim] {
        let mut b = Browser::signed_in(&app, who);
        let page = b.get(&path).await;
        assert!(page.html.contains("<strong>Great</strong> demo"));
        assert!(!page.html.contains("Missed the deadline twice"));
        assert!(
            !page.html.contains("/feedback/feedback_"),
            "no edit or delete"
        );
    }
    let mut ab = Browser::signed_in(&app, &acme.admin);
    assert!(
        ab.get(&path)
            .await
            .html
            .contains("Missed the deadline twice")
    );

    // Kim may not edit Pat's feedback: the form is refused with the reason, and a forged
    // change does nothing.
    let ids = pat
        .get(&format!("/api/feedback?aboutId={sam_person}"))
        .await;
    let id = ids.body["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "praise")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut kb = Browser::signed_in(&app, &kim);
    assert_eq!(kb.get(&format!("/feedback/{id}/edit")).await.status, 403);
    let kt = csrf(&kb.get(&path).await.html);
    let refused = kb
        .post(
            &format!("/feedback/{id}"),
            &[("csrf", &kt), ("kind", "note"), ("body", "Rewritten")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        pat.get(&format!("/api/feedback/{id}")).await.body["feedback"]["body"],
        "**Great** demo <script>alert(1)</script>"
    );
    // Another organization's person is the same 404 as a missing one.
    let r = pb.get(&format!("/people/{stranger}/feedback")).await;
    assert_eq!(r.status, 404);

    // The author edits, then deletes.
    let et = csrf(&pb.get(&format!("/feedback/{id}/edit")).await.html);
    let saved = pb
        .post(
            &format!("/feedback/{id}"),
            &[
                ("csrf", &et),
                ("kind", "praise"),
                ("body", "Great demo"),
                ("isPrivate", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let f = pat.get(&format!("/api/feedback/{id}")).await;
    assert_eq!(f.body["feedback"]["isPrivate"], true);
    let gone = pb
        .post(&format!("/feedback/{id}/delete"), &[("csrf", &et)])
        .await;
    assert_eq!(gone.status, 303);
    pat.get(&format!("/api/feedback/{id}"))
        .await
        .assert_status(404);
}

#[db_test]
async fn a_campaigns_pages_keep_to_the_rule_and_its_link_says_where_it_stands(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@acme.test").await;
    let (kim, _) = app.linked_member(&acme, "Kim", "kim@acme.test").await;
    let ray = app.person(&acme, "Ray", None).await;
    let other = app.org("other").await;
    let stranger = app.person(&other, "Stranger", None).await;
    let theirs = other
        .admin
        .post(
            "/api/feedback-campaigns",
            serde_json::json!({"name": "Theirs", "targetPersonId": stranger,
                "startDate": app.clock_date(0), "endDate": app.clock_date(7)}),
        )
        .await
        .id("feedbackCampaign");

    // Pat creates a draft with questions of her own; nobody is mailed yet.
    let mut pb = Browser::signed_in(&app, &pat);
    let t = csrf(&pb.get("/campaigns/new").await.html);
    let (start, end) = (app.clock_date(1), app.clock_date(10));
    let bad = pb
        .post(
            "/campaigns",
            &[
                ("csrf", &t),
                ("name", "Q3"),
                ("targetPersonId", &ray),
                ("startDate", &end),
                ("endDate", &start),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.html
            .contains("End date must not be before the start date")
    );
    let made = pb
        .post(
            "/campaigns",
            &[
                ("csrf", &t),
                ("name", "Q3"),
                ("targetPersonId", &ray),
                ("startDate", &start),
                ("endDate", &end),
                ("inviteEmails", "one@outside.test, two@outside.test"),
                ("questions", "What went well?\nWhat next?"),
                ("minResponses", "3"),
            ],
        )
        .await;
    assert_eq!(made.status, 303);
    let path = made.location.unwrap();
    let page = pb.get(&path).await;
    assert!(page.html.contains("Draft") && page.html.contains("What went well?"));
    assert_eq!(page.html.matches("Not sent yet").count(), 2);
    assert!(app.emails_to("one@outside.test").await.is_empty());

    // Kim did not create it: it is not hers to see (the campaign's own 404), nor another
    // organization's for the admin.
    let mut kb = Browser::signed_in(&app, &kim);
    assert_eq!(kb.get(&path).await.status, 404);
    let mut ab = Browser::signed_in(&app, &acme.admin);
    assert_eq!(ab.get(&path).await.status, 200, "admins see every campaign");
    let r = ab.get(&format!("/campaigns/{theirs}")).await;
    assert_eq!(r.status, 404);
    assert!(
        r.html
            .contains("Feedback campaign not found or access denied")
    );

    // Its creator edits it: renamed, one more invitee.
    let et = csrf(&pb.get(&format!("{path}/edit")).await.html);
    let saved = pb
        .post(
            &path,
            &[
                ("csrf", &et),
                ("name", "Q3 review"),
                ("targetPersonId", &ray),
                ("startDate", &start),
                ("endDate", &end),
                (
                    "inviteEmails",
                    "one@outside.test\ntwo@outside.test\nthree@outside.test",
                ),
                ("questions", "What went well?\nWhat next?"),
                ("minResponses", "3"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = pb.get(&path).await;
    assert!(page.html.contains("Q3 review") && page.html.contains("three@outside.test"));
    assert_eq!(kb.get(&format!("{path}/edit")).await.status, 404);

    // Started, it mails the invitees; the link opens before the start date as "not open yet".
    let st = csrf(&page.html);
    let started = pb
        .post(
            &format!("{path}/status"),
            &[("csrf", &st), ("status", "active")],
        )
        .await;
    assert_eq!(started.status, 303);
    app.settle().await;
    let link = app
        .emails_to("one@outside.test")
        .await
        .pop()
        .unwrap()
        .link();
    let local = link.trim_start_matches(&app.base).to_owned();
    let mut visitor = Browser::new(&app);
    let early = visitor.get(&local).await;
    assert_eq!(early.status, 200);
    assert!(early.html.contains("Not open yet"));
    app.clock.advance_millis(2 * 24 * 3600 * 1000);
    let open = visitor.get(&local).await;
    assert!(open.html.contains("What went well?"));
    let vt = csrf(&open.html);
    let none = visitor
        .post(&local, &[("csrf", &vt), ("answers", " "), ("answers", "")])
        .await;
    assert_eq!(none.status, 400);
    assert!(none.html.contains("Answer at least one question"));
    // Closed by its creator: the link says so.
    let ct = csrf(&pb.get(&path).await.html);
    pb.post(
        &format!("{path}/status"),
        &[("csrf", &ct), ("status", "completed")],
    )
    .await;
    assert!(
        visitor
            .get(&local)
            .await
            .html
            .contains("This campaign is closed")
    );
    assert_eq!(visitor.get("/feedback?token=nonsense").await.status, 404);
}

/// Issue 24, finding 6, in the pages: the campaign's page marks invitees outside the
/// organization, and its subject finds "Campaigns about you" on `/campaigns`, without the
/// answers.
#[db_test]
async fn campaign_pages_show_who_is_outside_and_the_subject_sees_who_was_asked(app: TestApp) {
    let org = app.org("acme").await;
    let (pat, _) = app.linked_member(&org, "Pat", "pat@acme.test").await;
    let (mel, mel_p) = app.linked_member(&org, "Mel", "mel@acme.test").await;
    let id = pat
        .post(
            "/api/feedback-campaigns",
            serde_json::json!({
                "name": "About Mel",
                "targetPersonId": mel_p,
                "startDate": "2020-01-01",
                "endDate": "2099-12-31",
                "inviteEmails": ["pat@acme.test", "sock@elsewhere.test"],
                "questions": ["A question only the answers page shows?"],
            }),
        )
        .await
        .id("feedbackCampaign");
    let mut creator = Browser::signed_in(&app, &pat);
    let page = creator.get(&format!("/campaigns/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html
            .contains("1 of 2 invitees are outside the organization"),
        "{}",
        page.html
    );
    assert_eq!(
        page.html.matches("outside the organization</span>").count(),
        1
    );

    let mut subject = Browser::signed_in(&app, &mel);
    let list = subject.get("/campaigns").await;
    assert_eq!(list.status, 200);
    assert!(list.html.contains("Campaigns about you"), "{}", list.html);
    assert!(list.html.contains("started by Pat"));
    assert!(list.html.contains("sock@elsewhere.test"));
    assert!(
        !list
            .html
            .contains("A question only the answers page shows?")
    );
    // Not the campaign's page itself.
    assert_eq!(subject.get(&format!("/campaigns/{id}")).await.status, 404);
}
