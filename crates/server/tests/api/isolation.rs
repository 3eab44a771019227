//! Organization isolation across every endpoint that takes an id: whatever one organization
//! owns is, for everyone in another one (its admin included), exactly like an id that does not
//! exist: 404 on every read and write, and absent from every list.

use crate::harness::TestApp;
use manageros_test_macros::db_test;
use serde_json::json;

#[db_test]
async fn another_organizations_ids_are_404_everywhere_for_its_admin(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_p) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let other_p = app.person(&acme, "Other", None).await;
    let team = acme
        .admin
        .post("/api/teams", json!({"name": "Core"}))
        .await
        .id("team");
    let initiative = pat
        .post("/api/initiatives", json!({"title": "Launch"}))
        .await
        .id("initiative");
    let task = pat
        .post("/api/tasks", json!({"title": "T"}))
        .await
        .id("task");
    let meeting = pat
        .post(
            "/api/meetings",
            json!({"title": "M", "scheduledAt": "2030-01-01T10:00:00Z"}),
        )
        .await
        .id("meeting");
    let instance = pat
        .post(
            &format!("/api/meetings/{meeting}/instances"),
            json!({"scheduledAt": "2030-01-01T10:00:00Z"}),
        )
        .await
        .id("meetingInstance");
    let feedback = pat
        .post("/api/feedback", json!({"aboutId": other_p, "body": "Good"}))
        .await
        .id("feedback");
    let campaign = pat
        .post(
            "/api/feedback-campaigns",
            json!({
                "name": "C",
                "targetPersonId": other_p,
                "startDate": "2030-01-01",
                "endDate": "2030-02-01",
                "questions": ["Q?"],
            }),
        )
        .await
        .id("feedbackCampaign");
    let report = acme
        .admin
        .post("/api/reports", json!({"name": "R", "kind": "task-status"}))
        .await
        .id("report");
    let oneonone = pat
        .post(
            "/api/oneonones",
            json!({
                "participant1Id": pat_p,
                "participant2Id": other_p,
                "scheduledAt": "2030-01-01T10:00:00Z",
            }),
        )
        .await
        .id("oneOnOne");
    let invitation = app.invite(&acme, "someone@example.com", None).await;
    let pat_user = app.me(&pat).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The other organization's admin, linked to a person so that no "you need a person"
    // refusal can hide a leak.
    let globex = app.org("globex").await;
    app.link_admin(&globex, "Globex Admin").await;

    let reads = [
        format!("/api/people/{pat_p}"),
        format!("/api/teams/{team}"),
        format!("/api/initiatives/{initiative}"),
        format!("/api/initiatives/{initiative}/tasks"),
        format!("/api/initiatives/{initiative}/meetings"),
        format!("/api/tasks/{task}"),
        format!("/api/meetings/{meeting}"),
        format!("/api/meetings/{meeting}/instances"),
        format!("/api/meeting-instances/{instance}"),
        format!("/api/feedback/{feedback}"),
        format!("/api/feedback-campaigns/{campaign}"),
        format!("/api/feedback-campaigns/{campaign}/responses"),
        format!("/api/reports/{report}"),
        format!("/api/oneonones/{oneonone}"),
        format!("/api/oneonones/{oneonone}/access"),
    ];
    for path in &reads {
        globex.admin.get(path).await.assert_status(404);
    }
    let writes = [
        (
            reqwest::Method::PATCH,
            format!("/api/people/{pat_p}"),
            json!({"name": "X"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/teams/{team}"),
            json!({"name": "X"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/initiatives/{initiative}"),
            json!({"title": "X"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/tasks/{task}"),
            json!({"title": "X"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/meetings/{meeting}"),
            json!({"title": "X"}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/meetings/{meeting}/instances"),
            json!({"scheduledAt": "2030-01-02T10:00:00Z"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/meeting-instances/{instance}"),
            json!({"notes": "X"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/feedback/{feedback}"),
            json!({"body": "X"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/feedback-campaigns/{campaign}"),
            json!({"name": "X"}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/reports/{report}"),
            json!({"name": "X"}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/reports/{report}/run"),
            json!({}),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/oneonones/{oneonone}"),
            json!({
                "participant1Id": pat_p,
                "participant2Id": other_p,
                "scheduledAt": "2030-01-01T10:00:00Z",
            }),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/organization/members/{pat_user}"),
            json!({"role": "ADMIN"}),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/organization/members/{pat_user}/person"),
            json!({"personId": pat_p}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/organization/invitations/{invitation}/revoke"),
            json!({}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/organization/invitations/{invitation}/reactivate"),
            json!({}),
        ),
    ];
    for (method, path, body) in &writes {
        let r = app
            .send(
                app.request(method.clone(), path)
                    .bearer_auth(&globex.admin.token)
                    .json(body),
            )
            .await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.body);
    }
    for path in [
        format!("/api/people/{pat_p}"),
        format!("/api/teams/{team}"),
        format!("/api/initiatives/{initiative}"),
        format!("/api/tasks/{task}"),
        format!("/api/meeting-instances/{instance}"),
        format!("/api/meetings/{meeting}"),
        format!("/api/feedback/{feedback}"),
        format!("/api/feedback-campaigns/{campaign}"),
        format!("/api/reports/{report}"),
        format!("/api/oneonones/{oneonone}"),
        format!("/api/organization/members/{pat_user}"),
        format!("/api/organization/members/{pat_user}/person"),
    ] {
        globex.admin.delete(&path).await.assert_status(404);
    }
    // Lists never show them.
    for (path, key) in [
        ("/api/people", "people"),
        ("/api/teams", "teams"),
        ("/api/tasks", "tasks"),
        ("/api/initiatives", "initiatives"),
        ("/api/meetings", "meetings"),
        ("/api/feedback", "feedback"),
        ("/api/feedback-campaigns", "feedbackCampaigns"),
        ("/api/reports", "reports"),
        ("/api/oneonones", "oneOnOnes"),
    ] {
        let r = globex.admin.get(path).await;
        r.assert_status(200);
        let ids: Vec<&str> = r.body[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        for theirs in [
            &pat_p,
            &team,
            &initiative,
            &task,
            &meeting,
            &feedback,
            &campaign,
            &report,
            &oneonone,
        ] {
            assert!(!ids.contains(&theirs.as_str()), "{path} shows {theirs}");
        }
    }
    // And nothing of theirs changed.
    assert_eq!(
        pat.get(&format!("/api/tasks/{task}")).await.body["task"]["title"],
        "T"
    );
    assert_eq!(
        pat.get(&format!("/api/oneonones/{oneonone}")).await.status,
        200
    );
    assert_eq!(app.me(&pat).await["user"]["role"], "USER");
    let invs = acme.admin.get("/api/organization/invitations").await;
    assert_eq!(invs.body["invitations"][0]["status"], "pending");
}
