//! Feedback campaigns (docs/API.md §8): creator and admins only, invitees mailed on activation,
//! one answer per invitee through the public link.

use crate::harness::*;
use manageros_core::time::DAY_MS;
use manageros_test_macros::db_test;
use serde_json::json;

async fn active_campaign(creator: &TestUser, about: &str) -> String {
    let r = creator
        .post(
            "/api/feedback-campaigns",
            json!({
                "name": "Q1 360",
                "targetPersonId": about,
                "startDate": "2020-01-01",
                "endDate": "2099-12-31",
                "inviteEmails": ["A@example.com", "b@example.com", "a@example.com"],
                "questions": ["Strengths?", "Growth?"],
                "status": "active",
            }),
        )
        .await;
    r.assert_status(201);
    assert_eq!(
        r.body["feedbackCampaign"]["inviteEmails"],
        json!(["a@example.com", "b@example.com"])
    );
    r.id("feedbackCampaign")
}

#[db_test]
async fn campaigns_are_seen_by_their_creator_and_admins(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, _) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let subject = app.person(&acme, "Subject", None).await;
    let id = active_campaign(&pat, &subject).await;
    let path = format!("/api/feedback-campaigns/{id}");

    pat.get(&path).await.assert_status(200);
    acme.admin.get(&path).await.assert_status(200);
    sam.get(&path)
        .await
        .assert_error(404, "Feedback campaign not found or access denied");
    sam.patch(&path, json!({"name": "X"}))
        .await
        .assert_error(404, "Feedback campaign not found or access denied");
    globex
        .admin
        .get(&path)
        .await
        .assert_error(404, "Feedback campaign not found or access denied");
    assert_eq!(
        sam.get("/api/feedback-campaigns").await.body["feedbackCampaigns"],
        json!([])
    );
    assert_eq!(
        acme.admin.get("/api/feedback-campaigns").await.body["pagination"]["totalCount"],
        1
    );
    sam.get(&format!("{path}/responses"))
        .await
        .assert_status(404);

    for (body, field) in [
        (
            json!({
                "name": "N",
                "targetPersonId": subject,
                "startDate": "2030-01-01",
                "endDate": "2030-02-01",
                "questions": vec!["Q"; 21],
            }),
            "questions",
        ),
        (
            json!({
                "name": "N",
                "targetPersonId": subject,
                "startDate": "2030-01-01",
                "endDate": "2030-02-01",
                "minResponses": 2,
            }),
            "minResponses",
        ),
        (
            json!({
                "name": "N",
                "targetPersonId": subject,
                "startDate": "2030-01-01",
                "endDate": "2030-02-01",
                "questions": ["Q"],
                "inviteEmails": ["nope"],
            }),
            "inviteEmails",
        ),
        (
            json!({
                "name": "N",
                "targetPersonId": subject,
                "endDate": "2030-02-01",
                "questions": ["Q"],
            }),
            "startDate",
        ),
        (
            json!({
                "name": "N",
                "targetPersonId": subject,
                "startDate": "2030-03-01",
                "endDate": "2030-02-01",
                "questions": ["Q"],
            }),
            "endDate",
        ),
        (
            json!({
                "name": "",
                "targetPersonId": subject,
                "startDate": "2030-01-01",
                "endDate": "2030-02-01",
                "questions": ["Q"],
            }),
            "name",
        ),
    ] {
        pat.post("/api/feedback-campaigns", body)
            .await
            .assert_field_error(field);
    }
    let foreign = app.person(&globex, "Foreign", None).await;
    pat.post(
        "/api/feedback-campaigns",
        json!({
            "name": "N",
            "targetPersonId": foreign,
            "startDate": "2030-01-01",
            "endDate": "2030-02-01",
            "questions": ["Q"],
        }),
    )
    .await
    .assert_error(404, "Target person not found or access denied");
    sam.delete(&path).await.assert_status(404);
    pat.delete(&path).await.assert_status(204);
}

#[db_test]
async fn invitees_answer_once_without_an_account(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let subject = app.person(&acme, "Subject Person", None).await;
    let id = active_campaign(&pat, &subject).await;

    let mails = app.emails_to("a@example.com").await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].subject.contains("Subject Person"),
        "{}",
        mails[0].subject
    );
    assert!(
        mails[0]
            .body
            .contains(&format!("{}/feedback?token=", app.base))
    );
    let token = mails[0].link_token();
    let form = format!("/api/public/feedback/{token}");

    let r = app.get(&form, None).await;
    r.assert_status(200);
    assert_eq!(r.body["form"]["about"], "Subject Person");
    assert_eq!(
        r.body["form"]["questions"],
        json!(["Strengths?", "Growth?"])
    );
    assert_eq!(r.body["form"]["alreadyAnswered"], false);

    app.post(&form, None, json!({"answers": ["Only one"]}))
        .await
        .assert_field_error("answers");
    app.post(&form, None, json!({"answers": ["", " "]}))
        .await
        .assert_field_error("answers");
    app.post(
        &form,
        None,
        json!({"answers": ["Clear writing", "Delegation"]}),
    )
    .await
    .assert_status(201);
    app.post(&form, None, json!({"answers": ["Again", "Again"]}))
        .await
        .assert_error(409, "You have already answered this feedback request");
    assert_eq!(
        app.get(&form, None).await.body["form"]["alreadyAnswered"],
        true
    );
    app.get("/api/public/feedback/not-a-token", None)
        .await
        .assert_error(404, "Feedback request not found or closed");

    // One answer is not shown: fewer than three could be told apart by when they came.
    let r = pat
        .get(&format!("/api/feedback-campaigns/{id}/responses"))
        .await;
    r.assert_status(200);
    assert_eq!(r.body["shown"], false);
    assert_eq!(r.body["responseCount"], 1);
    assert_eq!(r.body["minResponses"], 3);
    assert_eq!(r.body["responses"], json!([]));
    let c = pat.get(&format!("/api/feedback-campaigns/{id}")).await;
    assert_eq!(c.body["feedbackCampaign"]["responseCount"], 1);

    // Mailed invitees cannot be dropped (whether or not they answered: the refusal must not
    // tell who did), and the questions and target are fixed once someone answered.
    for keep in ["b@example.com", "a@example.com"] {
        pat.patch(
            &format!("/api/feedback-campaigns/{id}"),
            json!({"inviteEmails": [keep]}),
        )
        .await
        .assert_error(
            409,
            "Invitees cannot be removed once their link has been sent",
        );
    }
    let other = app.person(&acme, "Other", None).await;
    pat.patch(
        &format!("/api/feedback-campaigns/{id}"),
        json!({"targetPersonId": other}),
    )
    .await
    .assert_error(
        409,
        "The target person cannot change once someone has answered",
    );
    pat.patch(
        &format!("/api/feedback-campaigns/{id}"),
        json!({"questions": ["New?"]}),
    )
    .await
    .assert_error(409, "The questions cannot change once someone has answered");
    // Adding an invitee to an active campaign mails them.
    pat.patch(
        &format!("/api/feedback-campaigns/{id}"),
        json!({"inviteEmails": ["a@example.com", "b@example.com", "c@example.com"]}),
    )
    .await
    .assert_status(200);
    assert_eq!(app.emails_to("c@example.com").await.len(), 1);
    assert_eq!(
        app.emails_to("a@example.com").await.len(),
        1,
        "nobody is mailed twice"
    );

    // The attack of issue 12: add an invitee after each answer and compare the lists. The
    // second answer still shows nothing; from the third on, the answers come sorted by their
    // text, never in the order received, with nothing but the answers.
    let answer = |to: &'static str, first: &'static str| {
        let app = &app;
        async move {
            let token = app.emails_to(to).await[0].link_token();
            app.post(
                &format!("/api/public/feedback/{token}"),
                None,
                json!({"answers": [first, "More"]}),
            )
            .await
            .assert_status(201);
        }
    };
    answer("c@example.com", "Zeal").await;
    let responses = format!("/api/feedback-campaigns/{id}/responses");
    let r = pat.get(&responses).await;
    assert_eq!(
        (r.body["shown"].clone(), r.body["responses"].clone()),
        (json!(false), json!([]))
    );
    answer("b@example.com", "Attention to detail").await;
    let r = pat.get(&responses).await;
    assert_eq!(r.body["shown"], true);
    assert_eq!(r.body["responseCount"], 3);
    let firsts: Vec<&str> = r.body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answers"][0].as_str().unwrap())
        .collect();
    assert_eq!(firsts, ["Attention to detail", "Clear writing", "Zeal"]);
    for a in r.body["responses"].as_array().unwrap() {
        assert_eq!(
            a.as_object().unwrap().len(),
            1,
            "answers are anonymous: no email, id or time"
        );
    }
}

#[db_test]
async fn a_campaign_without_questions_asks_the_default_ones(app: TestApp) {
    let acme = app.org("acme").await;
    let subject = app.person(&acme, "Subject", None).await;
    let r = acme
        .admin
        .post(
            "/api/feedback-campaigns",
            json!({
                "name": "Review",
                "targetPersonId": subject,
                "startDate": "2030-01-01",
                "endDate": "2030-02-01",
                "minResponses": 5,
            }),
        )
        .await;
    r.assert_status(201);
    let c = &r.body["feedbackCampaign"];
    assert_eq!(c["questions"].as_array().unwrap().len(), 4);
    assert_eq!(
        c["questions"][0],
        "What does this person do well that they should keep doing?"
    );
    assert_eq!(c["minResponses"], 5);
    // An update may not empty them, nor take the minimum below three.
    let path = format!("/api/feedback-campaigns/{}", c["id"].as_str().unwrap());
    acme.admin
        .patch(&path, json!({"questions": []}))
        .await
        .assert_field_error("questions");
    acme.admin
        .patch(&path, json!({"minResponses": 1}))
        .await
        .assert_field_error("minResponses");
    let r = acme.admin.patch(&path, json!({"minResponses": 3})).await;
    r.assert_status(200);
    assert_eq!(r.body["feedbackCampaign"]["minResponses"], 3);
}

#[db_test]
async fn the_public_form_is_open_only_while_the_campaign_is(app: TestApp) {
    let acme = app.org("acme").await;
    let subject = app.person(&acme, "Subject", None).await;
    let r = acme
        .admin
        .post(
            "/api/feedback-campaigns",
            json!({
                "name": "Later",
                "targetPersonId": subject,
                "startDate": "2020-01-01",
                "endDate": app.clock_date(2),
                "inviteEmails": ["x@example.com"],
                "questions": ["Q?"],
            }),
        )
        .await;
    let id = r.id("feedbackCampaign");
    assert_eq!(
        app.emails_to("x@example.com").await.len(),
        0,
        "a draft mails nobody"
    );
    acme.admin
        .patch(
            &format!("/api/feedback-campaigns/{id}"),
            json!({"status": "active"}),
        )
        .await
        .assert_status(200);
    let token = app.emails_to("x@example.com").await[0].link_token();
    let form = format!("/api/public/feedback/{token}");
    app.get(&form, None).await.assert_status(200);
    acme.admin
        .patch(
            &format!("/api/feedback-campaigns/{id}"),
            json!({"status": "cancelled"}),
        )
        .await
        .assert_status(200);
    app.get(&form, None)
        .await
        .assert_error(404, "Feedback request not found or closed");
    acme.admin
        .patch(
            &format!("/api/feedback-campaigns/{id}"),
            json!({"status": "active"}),
        )
        .await
        .assert_status(200);
    app.clock.advance_millis(3 * DAY_MS);
    app.post(&form, None, json!({"answers": ["late"]}))
        .await
        .assert_error(404, "Feedback request not found or closed");
}

#[db_test]
async fn drafts_and_campaigns_not_yet_started_take_no_answers(app: TestApp) {
    let acme = app.org("acme").await;
    let subject = app.person(&acme, "Subject", None).await;
    let id = acme
        .admin
        .post(
            "/api/feedback-campaigns",
            json!({
                "name": "Soon",
                "targetPersonId": subject,
                "startDate": app.clock_date(3),
                "endDate": app.clock_date(10),
                "inviteEmails": ["x@example.com"],
                "questions": ["Q?"],
                "status": "active",
            }),
        )
        .await
        .id("feedbackCampaign");
    let token = app.emails_to("x@example.com").await[0].link_token();
    let form = format!("/api/public/feedback/{token}");
    app.get(&form, None)
        .await
        .assert_error(404, "Feedback request not found or closed");
    app.post(&form, None, json!({"answers": ["early"]}))
        .await
        .assert_status(404);
    app.clock.advance_millis(4 * DAY_MS);
    app.get(&form, None).await.assert_status(200);
    acme.admin
        .patch(
            &format!("/api/feedback-campaigns/{id}"),
            json!({"status": "draft"}),
        )
        .await
        .assert_status(200);
    app.post(&form, None, json!({"answers": ["in draft"]}))
        .await
        .assert_status(404);
    acme.admin
        .patch(
            &format!("/api/feedback-campaigns/{id}"),
            json!({"status": "completed"}),
        )
        .await
        .assert_status(200);
    app.get(&form, None).await.assert_status(404);
    // Re-activation mails nobody twice: the link stays the same.
    acme.admin
        .patch(
            &format!("/api/feedback-campaigns/{id}"),
            json!({"status": "active"}),
        )
        .await
        .assert_status(200);
    assert_eq!(app.emails_to("x@example.com").await.len(), 1);
    app.post(&form, None, json!({"answers": ["now"]}))
        .await
        .assert_status(201);
}

/// Issue 24, finding 6: a creator who controls most invitees (addresses outside the
/// organization) can attribute the one answer that is not theirs. That cannot be prevented;
/// it is made visible: the admins see which invitees are outside the organization, and the
/// subject sees who was asked about them, outside addresses marked, never the answers.
#[db_test]
async fn the_subject_and_the_admins_see_who_was_asked_and_who_is_outside(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (mel, mel_p) = app.linked_member(&acme, "Mel", "mel@example.com").await;
    app.person(&acme, "Chart Only", Some("chart@example.com"))
        .await;
    let r = pat
        .post(
            "/api/feedback-campaigns",
            json!({
                "name": "About Mel",
                "targetPersonId": mel_p,
                "startDate": "2020-01-01",
                "endDate": "2099-12-31",
                "inviteEmails": ["pat@example.com", "chart@example.com", "sock1@elsewhere.test", "sock2@elsewhere.test"],
                "status": "draft",
            }),
        )
        .await;
    r.assert_status(201);
    assert!(
        r.body.get("outsideInviteEmails").is_none(),
        "only a single campaign's GET carries it"
    );
    let id = r.id("feedbackCampaign");
    let path = format!("/api/feedback-campaigns/{id}");
    for who in [&acme.admin, &pat] {
        let r = who.get(&path).await;
        r.assert_status(200);
        assert_eq!(
            r.body["outsideInviteEmails"],
            json!(["sock1@elsewhere.test", "sock2@elsewhere.test"])
        );
    }

    // The subject sees the campaign about them: who asked, whom, who is outside; no answers.
    let r = mel.get("/api/me/feedback-campaigns").await;
    r.assert_status(200);
    let c = &r.body["feedbackCampaigns"][0];
    assert_eq!(c["id"], id.as_str());
    assert_eq!(c["createdByName"], "Pat");
    assert_eq!(
        c["invitees"],
        json!([
            {"email": "chart@example.com", "outsideOrganization": false},
            {"email": "pat@example.com", "outsideOrganization": false},
            {"email": "sock1@elsewhere.test", "outsideOrganization": true},
            {"email": "sock2@elsewhere.test", "outsideOrganization": true},
        ])
    );
    assert!(c.get("responses").is_none() && c.get("questions").is_none());
    // Still not the campaign itself, nor its answers.
    mel.get(&path)
        .await
        .assert_error(404, "Feedback campaign not found or access denied");
    mel.get(&format!("{path}/responses"))
        .await
        .assert_status(404);
    // Nobody else sees it as theirs; another organization sees nothing.
    for who in [&pat, &acme.admin, &globex.admin] {
        let r = who.get("/api/me/feedback-campaigns").await;
        r.assert_status(200);
        assert_eq!(r.body["feedbackCampaigns"], json!([]));
    }
    globex
        .admin
        .get(&path)
        .await
        .assert_error(404, "Feedback campaign not found or access denied");
    let loner = app.signup("Loner", "loner@example.com").await;
    loner.get("/api/me/feedback-campaigns").await.assert_error(
        403,
        "User must belong to an organization to view feedback campaigns",
    );
}
