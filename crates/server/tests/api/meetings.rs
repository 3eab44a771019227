//! Meetings and their instances (docs/API.md §8): privacy, who edits and deletes, instances seen by
//! those who take part in them.

use crate::harness::*;
use manageros_test_macros::db_test;
use serde_json::json;

const AT: &str = "2030-01-15T10:00:00Z";

#[db_test]
async fn meetings_need_a_person_and_default_the_owner(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, pat_person) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let r = pat
        .post(
            "/api/meetings",
            json!({
                "title": "Weekly",
                "scheduledAt": "2030-01-15T12:00:00+02:00",
                "participantIds": [sam_person],
                "location": "Room 1",
            }),
        )
        .await;
    r.assert_status(201);
    let m = &r.body["meeting"];
    assert!(m["id"].as_str().unwrap().starts_with("meeting_"));
    assert_eq!(m["scheduledAt"], "2030-01-15T10:00:00.000Z");
    assert_eq!(m["durationMinutes"], 30);
    assert_eq!(m["isPrivate"], false);
    assert_eq!(
        m["ownerId"],
        pat_person.as_str(),
        "the owner defaults to the creator's person"
    );
    assert_eq!(m["participantIds"], json!([sam_person]));
    let _ = sam;

    acme.admin
        .post("/api/meetings", json!({"title": "X", "scheduledAt": AT}))
        .await
        .assert_error(403, "You must be linked to a person to create meetings");
    for (body, field) in [
        (json!({"title": "X"}), "scheduledAt"),
        (
            json!({"title": "X", "scheduledAt": "2030-01-15T10:00:00"}),
            "scheduledAt",
        ),
        (
            json!({"title": "X", "scheduledAt": AT, "durationMinutes": 0}),
            "durationMinutes",
        ),
        (json!({"scheduledAt": AT}), "title"),
    ] {
        pat.post("/api/meetings", body)
            .await
            .assert_field_error(field);
    }
    pat.post(
        "/api/meetings",
        json!({"title": "X", "scheduledAt": AT, "participantIds": ["person_nope"]}),
    )
    .await
    .assert_error(404, "Participant not found or access denied");
}

#[db_test]
async fn private_meetings_are_seen_only_by_those_involved(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let (owner, owner_person) = app.linked_member(&acme, "Owner", "owner@example.com").await;
    let (outsider, _) = app
        .linked_member(&acme, "Outsider", "out@example.com")
        .await;
    let private = pat
        .post(
            "/api/meetings",
            json!({
                "title": "Private",
                "scheduledAt": AT,
                "isPrivate": true,
                "ownerId": owner_person,
                "participantIds": [sam_person],
            }),
        )
        .await
        .id("meeting");
    let public = pat
        .post(
            "/api/meetings",
            json!({"title": "Public", "scheduledAt": AT}),
        )
        .await
        .id("meeting");
    let path = format!("/api/meetings/{private}");

    for who in [&pat, &sam, &owner, &acme.admin] {
        who.get(&path).await.assert_status(200);
    }
    outsider
        .get(&path)
        .await
        .assert_error(404, "Meeting not found or access denied");
    outsider
        .patch(&path, json!({"title": "X"}))
        .await
        .assert_error(404, "Meeting not found or access denied");
    outsider
        .delete(&path)
        .await
        .assert_error(404, "Meeting not found or access denied");
    let list = outsider.get("/api/meetings").await;
    let ids: Vec<&str> = list.body["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [public.as_str()]);
    assert_eq!(
        sam.get("/api/meetings").await.body["pagination"]["totalCount"],
        2
    );

    // A participant edits but does not delete; the owner deletes.
    sam.patch(&path, json!({"description": "Agenda"}))
        .await
        .assert_status(200);
    sam.delete(&path)
        .await
        .assert_error(403, "You do not have permission to delete this meeting");
    outsider
        .patch(&format!("/api/meetings/{public}"), json!({"title": "X"}))
        .await
        .assert_error(403, "You do not have permission to edit this meeting");
    owner.delete(&path).await.assert_status(204);
}

#[db_test]
async fn instances_follow_their_meeting_and_their_participants(app: TestApp) {
    let acme = app.org("acme").await;
    let globex = app.org("globex").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (guest, guest_person) = app.linked_member(&acme, "Guest", "guest@example.com").await;
    let (outsider, _) = app
        .linked_member(&acme, "Outsider", "out@example.com")
        .await;
    let meeting = pat
        .post(
            "/api/meetings",
            json!({"title": "Board", "scheduledAt": AT, "isPrivate": true}),
        )
        .await
        .id("meeting");
    let instances = format!("/api/meetings/{meeting}/instances");

    // Only those who may edit the meeting add instances.
    guest
        .post(&instances, json!({"scheduledAt": AT}))
        .await
        .assert_error(404, "Meeting not found or access denied");
    acme.admin
        .post(&instances, json!({"scheduledAt": AT}))
        .await
        .assert_error(
            403,
            "You must be linked to a person to create meeting instances",
        );
    let with_guest = pat
        .post(
            &instances,
            json!({
                "scheduledAt": "2030-01-15T10:00:00Z",
                "participantIds": [guest_person],
                "notes": "Q1",
            }),
        )
        .await;
    with_guest.assert_status(201);
    assert_eq!(
        with_guest.body["meetingInstance"]["meetingId"],
        meeting.as_str()
    );
    let with_guest = with_guest.id("meetingInstance");
    let without = pat
        .post(&instances, json!({"scheduledAt": "2030-01-22T10:00:00Z"}))
        .await
        .id("meetingInstance");

    // The guest takes part in one instance of a private meeting: they see that instance, not
    // the meeting nor the other instance.
    guest
        .get(&format!("/api/meeting-instances/{with_guest}"))
        .await
        .assert_status(200);
    guest
        .get(&format!("/api/meeting-instances/{without}"))
        .await
        .assert_error(404, "Meeting instance not found or access denied");
    guest
        .get(&format!("/api/meetings/{meeting}"))
        .await
        .assert_status(404);
    let r = guest.get(&instances).await;
    r.assert_status(200);
    let ids: Vec<&str> = r.body["meetingInstances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [with_guest.as_str()]);
    assert_eq!(
        pat.get(&instances).await.body["pagination"]["totalCount"],
        2
    );
    outsider
        .get(&instances)
        .await
        .assert_error(404, "Meeting not found or access denied");
    globex
        .admin
        .get(&instances)
        .await
        .assert_error(404, "Meeting not found or access denied");

    // The guest may edit their instance, not delete it.
    guest
        .patch(
            &format!("/api/meeting-instances/{with_guest}"),
            json!({"notes": "Q1 review"}),
        )
        .await
        .assert_status(200);
    guest
        .delete(&format!("/api/meeting-instances/{with_guest}"))
        .await
        .assert_error(
            403,
            "You do not have permission to delete this meeting instance",
        );
    globex
        .admin
        .get(&format!("/api/meeting-instances/{with_guest}"))
        .await
        .assert_error(404, "Meeting instance not found or access denied");
    pat.delete(&format!("/api/meeting-instances/{with_guest}"))
        .await
        .assert_status(204);
    // Deleting the meeting deletes its instances.
    pat.delete(&format!("/api/meetings/{meeting}"))
        .await
        .assert_status(204);
    pat.get(&format!("/api/meeting-instances/{without}"))
        .await
        .assert_status(404);
}

#[db_test]
async fn meetings_of_an_initiative_respect_privacy(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (other, _) = app.linked_member(&acme, "Other", "other@example.com").await;
    let initiative = pat
        .post("/api/initiatives", json!({"title": "Launch"}))
        .await
        .id("initiative");
    pat.post(
        "/api/meetings",
        json!({"title": "Open", "scheduledAt": AT, "initiativeId": initiative}),
    )
    .await
    .assert_status(201);
    pat.post(
        "/api/meetings",
        json!({
            "title": "Closed",
            "scheduledAt": AT,
            "initiativeId": initiative,
            "isPrivate": true,
        }),
    )
    .await
    .assert_status(201);
    pat.post(
        "/api/meetings",
        json!({"title": "Elsewhere", "scheduledAt": AT}),
    )
    .await
    .assert_status(201);
    let titles = |r: Res| -> Vec<String> {
        r.body["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut mine = titles(
        pat.get(&format!("/api/initiatives/{initiative}/meetings"))
            .await,
    );
    mine.sort();
    assert_eq!(mine, ["Closed", "Open"]);
    assert_eq!(
        titles(
            other
                .get(&format!("/api/initiatives/{initiative}/meetings"))
                .await
        ),
        ["Open"]
    );
}

#[db_test]
async fn a_person_with_meetings_or_feedback_is_not_deleted(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let guest = app.person(&acme, "Guest", None).await;
    let subject = app.person(&acme, "Subject", None).await;
    pat.post(
        "/api/meetings",
        json!({"title": "M", "scheduledAt": AT, "participantIds": [guest]}),
    )
    .await
    .assert_status(201);
    pat.post(
        "/api/feedback",
        json!({"aboutId": subject, "body": "Great work"}),
    )
    .await
    .assert_status(201);
    for p in [&guest, &subject] {
        acme.admin.delete(&format!("/api/people/{p}"))
            .await
            .assert_error(409, "Cannot delete a person who has one-on-ones, feedback or meetings. Mark them inactive instead.");
    }
}

#[db_test]
async fn a_participant_cannot_take_a_meeting_over(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let id = pat
        .post(
            "/api/meetings",
            json!({"title": "M", "scheduledAt": AT, "participantIds": [sam_person]}),
        )
        .await
        .id("meeting");
    let path = format!("/api/meetings/{id}");
    const MSG: &str =
        "Only the creator, the owner or an admin can change a meeting's owner or privacy";
    sam.patch(&path, json!({"ownerId": sam_person}))
        .await
        .assert_error(403, MSG);
    sam.patch(&path, json!({"isPrivate": true}))
        .await
        .assert_error(403, MSG);
    sam.patch(&path, json!({"ownerId": null}))
        .await
        .assert_error(403, MSG);
    sam.delete(&path).await.assert_status(403);
    // Other edits are theirs to make; the creator may hand it over.
    sam.patch(&path, json!({"title": "Renamed"}))
        .await
        .assert_status(200);
    let r = pat
        .patch(&path, json!({"ownerId": sam_person, "isPrivate": true}))
        .await;
    r.assert_status(200);
    sam.delete(&path).await.assert_status(204);
}

#[db_test]
async fn adding_an_instance_to_an_invisible_meeting_is_404_before_any_400(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, _) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let id = pat
        .post(
            "/api/meetings",
            json!({"title": "M", "scheduledAt": AT, "isPrivate": true}),
        )
        .await
        .id("meeting");
    sam.post(
        &format!("/api/meetings/{id}/instances"),
        json!({"scheduledAt": "garbage"}),
    )
    .await
    .assert_error(404, "Meeting not found or access denied");
    pat.post(
        &format!("/api/meetings/{id}/instances"),
        json!({"scheduledAt": "garbage"}),
    )
    .await
    .assert_field_error("scheduledAt");
}

/// Issue 27: a meeting goes to a calendar as one event and one per occurrence, with who,
/// when and where, never its description; only for those who may see it.
#[db_test]
async fn a_meeting_goes_to_a_calendar_for_those_who_see_it(app: TestApp) {
    let acme = app.org("acme").await;
    let (pat, _) = app.linked_member(&acme, "Pat", "pat@example.com").await;
    let (sam, sam_person) = app.linked_member(&acme, "Sam", "sam@example.com").await;
    let (lee, _) = app.linked_member(&acme, "Lee", "lee@example.com").await;
    let m = pat
        .post(
            "/api/meetings",
            json!({"title": "Roadmap review", "scheduledAt": AT, "durationMinutes": 50,
                   "location": "Room 1", "isPrivate": true, "participantIds": [sam_person],
                   "description": "Secret plans"}),
        )
        .await
        .id("meeting");
    let i = pat
        .post(
            &format!("/api/meetings/{m}/instances"),
            json!({"scheduledAt": "2030-01-22T10:00:00Z"}),
        )
        .await
        .id("meetingInstance");
    let r = sam.get(&format!("/api/meetings/{m}/event.ics")).await;
    r.assert_status(200);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = r.body.as_str().unwrap();
    let cal: icalendar::Calendar = ics.parse().unwrap();
    use icalendar::{CalendarComponent, Component, EventLike};
    let events: Vec<&icalendar::Event> = cal
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].get_summary(), Some("Roadmap review"));
    assert_eq!(events[0].get_location(), Some("Room 1"));
    assert_eq!(
        events[0].property_value("DTSTART"),
        Some("20300115T100000Z")
    );
    assert_eq!(events[0].property_value("DTEND"), Some("20300115T105000Z"));
    assert_eq!(events[1].get_uid(), Some(format!("{i}@manageros").as_str()));
    assert!(!ics.contains("Secret plans"), "never the description");
    // A private meeting is nobody else's: not another member's, not another organization's.
    lee.get(&format!("/api/meetings/{m}/event.ics"))
        .await
        .assert_status(404);
    let other = app.org("other").await;
    let (stranger, _) = app.linked_member(&other, "Stan", "stan@example.com").await;
    stranger
        .get(&format!("/api/meetings/{m}/event.ics"))
        .await
        .assert_status(404);
}
