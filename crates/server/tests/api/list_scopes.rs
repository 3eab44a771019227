//! A list shows exactly what a single read allows: for every kind of entity whose visibility
//! depends on who asks, an organization is filled with every combination of the facts the
//! view rule looks at (role × person link × creator, owner, assignee, participant, author,
//! instance participant × privacy), and each list endpoint's answer, as a caller gets it over
//! HTTP, is compared entity by entity with `authz::decide(view)` on the same rows. An entity
//! of another organization never shows.
//!
//! Removing any clause of a list filter in the store makes one of these comparisons fail.

use crate::harness::*;
use manageros_core::{
    CampaignStatus, Email, FeedbackKind, InitiativeId, MeetingId, OrgId, PersonId, ReportKind,
    Role, Timestamp, UserId,
    authz::{self, Action, Actor, Target},
};
use manageros_store::repo::{
    campaigns, feedback, initiatives, meetings, oneonones, reports, tasks,
};
use manageros_test_macros::db_test;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The callers: every role × person link, and one more person-linked member.
struct Cast {
    org: OrgId,
    /// `(name, user, actor)`.
    callers: Vec<(&'static str, TestUser, Actor)>,
    /// Every user, as the creators and authors of entities.
    users: Vec<UserId>,
    /// Every person (the first three linked to a caller, the last to nobody).
    persons: Vec<PersonId>,
}

async fn actor_of(app: &TestApp, user: &TestUser) -> Actor {
    let me = app.me(user).await;
    let u = &me["user"];
    Actor {
        user_id: UserId::parse(u["id"].as_str().unwrap()).unwrap(),
        role: if u["role"] == "ADMIN" {
            Role::Admin
        } else {
            Role::User
        },
        org_id: u["organizationId"].as_str().and_then(OrgId::parse),
        person_id: u["personId"].as_str().and_then(PersonId::parse),
        // Whether anyone reports to them, as the person's page says.
        manages: match u["personId"].as_str() {
            Some(p) => {
                let r = user.get(&format!("/api/people/{p}")).await;
                r.body["person"]["reports"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty())
            }
            None => false,
        },
    }
}

async fn cast(app: &TestApp, slug: &str) -> Cast {
    let org = app.org(slug).await;
    let admin_person = app.link_admin(&org, "Linked Admin").await;
    let plain_admin = app
        .member(&org, "Plain Admin", &format!("plain-admin@{slug}.test"))
        .await;
    org.admin
        .patch(
            &format!("/api/organization/members/{}", plain_admin.id),
            json!({"role": "ADMIN"}),
        )
        .await
        .assert_status(200);
    let (linked, linked_person) = app
        .linked_member(&org, "Linked Member", &format!("linked@{slug}.test"))
        .await;
    let unlinked = app
        .member(&org, "Unlinked Member", &format!("unlinked@{slug}.test"))
        .await;
    let (other, other_person) = app
        .linked_member(&org, "Other Member", &format!("other@{slug}.test"))
        .await;
    let nobody = app.person(&org, "Nobody's Person", None).await;
    let mut callers = vec![];
    for (name, user) in [
        ("linked admin", org.admin.clone()),
        ("unlinked admin", plain_admin),
        ("linked member", linked),
        ("unlinked member", unlinked),
        ("other linked member", other),
    ] {
        let actor = actor_of(app, &user).await;
        callers.push((name, user, actor));
    }
    Cast {
        org: OrgId::parse(&org.id).unwrap(),
        users: callers.iter().map(|(_, _, a)| a.user_id.clone()).collect(),
        persons: [admin_person, linked_person, other_person, nobody]
            .iter()
            .map(|p| PersonId::parse(p).unwrap())
            .collect(),
        callers,
    }
}

/// Every id a caller gets from a paginated list endpoint, following the pages.
async fn all_ids(user: &TestUser, path: &str, key: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for page in 1.. {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = user.get(&format!("{path}{sep}page={page}&limit=100")).await;
        r.assert_status(200);
        for item in r.body[key].as_array().expect("a list") {
            ids.insert(item["id"].as_str().unwrap().to_owned());
        }
        if r.body["pagination"]["hasNextPage"] != true {
            break;
        }
    }
    ids
}

/// The ids among `entities` that `decide(action)` lets `actor` see.
fn allowed<'a>(
    actor: &Actor,
    action: Action,
    entities: impl IntoIterator<Item = &'a (String, Target)>,
) -> BTreeSet<String> {
    entities
        .into_iter()
        .filter(|(_, t)| authz::decide(actor, action, Some(t)).allowed)
        .map(|(id, _)| id.clone())
        .collect()
}

#[track_caller]
fn assert_same(caller: &str, list: &str, got: &BTreeSet<String>, want: &BTreeSet<String>) {
    assert!(
        got == want,
        "{list} for the {caller}: the list shows {:?} that the rule refuses, and hides {:?} that it allows",
        got.difference(want).collect::<Vec<_>>(),
        want.difference(got).collect::<Vec<_>>(),
    );
}

fn at(n: usize) -> Timestamp {
    Timestamp::from_millis(1_760_000_000_000 + n as i64 * 60_000)
}

/// Meetings: privacy × creator × owner × participants, all under one initiative so that
/// `GET /api/initiatives/{id}/meetings` is compared too. Instances: on a few meetings of each
/// visibility, every set of instance participants.
#[db_test]
async fn meeting_and_instance_lists_show_exactly_what_the_rule_allows(app: TestApp) {
    let c = cast(&app, "acme").await;
    let other_org = cast(&app, "globex").await;
    let db = &app.state.db;
    let now = at(0);
    let p = &c.persons;
    let initiative = initiatives::insert(
        db,
        &c.org,
        &c.users[0],
        &initiatives::InitiativeFields {
            title: "Everything".into(),
            summary: None,
            status: manageros_core::InitiativeStatus::Planned,
            rag: manageros_core::Rag::Green,
            confidence: 50,
            team_id: None,
            owner_ids: vec![],
            start_date: None,
            target_date: None,
        },
        now,
    )
    .await
    .unwrap();
    let participant_sets: Vec<Vec<PersonId>> = vec![
        vec![],
        vec![p[1].clone()],
        vec![p[0].clone(), p[2].clone()],
        vec![p[3].clone()],
    ];
    let owners: Vec<Option<PersonId>> = std::iter::once(None)
        .chain(p.iter().cloned().map(Some))
        .collect();
    let mut meeting_rows = vec![];
    let mut n = 0;
    for is_private in [false, true] {
        for creator in &c.users {
            for owner in &owners {
                for participants in &participant_sets {
                    n += 1;
                    let fields = meetings::MeetingFields {
                        title: format!("Meeting {n}"),
                        description: None,
                        scheduled_at: at(n),
                        duration_minutes: 30,
                        location: None,
                        is_private,
                        owner_id: owner.clone(),
                        team_id: None,
                        initiative_id: Some(initiative.clone()),
                        participant_ids: participants.clone(),
                    };
                    let id = meetings::insert(db, &c.org, creator, &fields, now)
                        .await
                        .unwrap();
                    meeting_rows.push(id);
                }
            }
        }
    }
    let mut meetings_seen = vec![];
    for id in &meeting_rows {
        let m = meetings::find(db, &c.org, id).await.unwrap().unwrap();
        meetings_seen.push((id.to_string(), m.target()));
    }
    // Instances on meetings created by the unlinked member (so only owner, participants and
    // privacy decide), of each privacy × owner × participants.
    let mut instance_rows: Vec<(MeetingId, Vec<(String, Target)>)> = vec![];
    for is_private in [false, true] {
        for owner in [None, Some(p[1].clone())] {
            for participants in [vec![], vec![p[1].clone()]] {
                n += 1;
                let fields = meetings::MeetingFields {
                    title: format!("Series {n}"),
                    description: None,
                    scheduled_at: at(n),
                    duration_minutes: 30,
                    location: None,
                    is_private,
                    owner_id: owner.clone(),
                    team_id: None,
                    initiative_id: None,
                    participant_ids: participants,
                };
                let mid = meetings::insert(db, &c.org, &c.users[3], &fields, now)
                    .await
                    .unwrap();
                let meeting = meetings::find(db, &c.org, &mid).await.unwrap().unwrap();
                meetings_seen.push((mid.to_string(), meeting.target()));
                let mut instances = vec![];
                for (k, set) in participant_sets.iter().enumerate() {
                    let iid = meetings::insert_instance(
                        db,
                        &c.org,
                        &mid,
                        &meetings::InstanceFields {
                            scheduled_at: at(n * 10 + k),
                            notes: None,
                            participant_ids: set.clone(),
                        },
                        now,
                    )
                    .await
                    .unwrap();
                    let inst = meetings::find_instance(db, &c.org, &iid)
                        .await
                        .unwrap()
                        .unwrap();
                    instances.push((iid.to_string(), inst.target(&meeting)));
                }
                instance_rows.push((mid, instances));
            }
        }
    }
    // The other organization's meetings, private and not, involving everyone there.
    for is_private in [false, true] {
        let fields = meetings::MeetingFields {
            title: "Elsewhere".into(),
            description: None,
            scheduled_at: at(1),
            duration_minutes: 30,
            location: None,
            is_private,
            owner_id: None,
            team_id: None,
            initiative_id: None,
            participant_ids: other_org.persons.clone(),
        };
        meetings::insert(db, &other_org.org, &other_org.users[0], &fields, now)
            .await
            .unwrap();
    }

    let in_initiative: Vec<_> = meetings_seen[..meeting_rows.len()].to_vec();
    for (name, user, actor) in &c.callers {
        let got = all_ids(user, "/api/meetings", "meetings").await;
        let want = allowed(actor, Action::MeetingView, &meetings_seen);
        assert_same(name, "GET /api/meetings", &got, &want);

        let got = all_ids(
            user,
            &format!("/api/initiatives/{initiative}/meetings"),
            "meetings",
        )
        .await;
        let want = allowed(actor, Action::MeetingView, &in_initiative);
        assert_same(name, "GET /api/initiatives/{id}/meetings", &got, &want);

        for (mid, instances) in &instance_rows {
            let want = allowed(actor, Action::MeetingInstanceView, instances);
            let path = format!("/api/meetings/{mid}/instances");
            let r = user.get(&path).await;
            if want.is_empty() && r.status == 404 {
                continue; // Neither the meeting nor any instance is visible: it does not exist.
            }
            let got = all_ids(user, &path, "meetingInstances").await;
            assert_same(name, &format!("GET {path}"), &got, &want);
        }
    }
}

/// Feedback (privacy × author × subject) and campaigns (creator), with the other
/// organization's rows beside them.
#[db_test]
async fn feedback_and_campaign_lists_show_exactly_what_the_rule_allows(app: TestApp) {
    let c = cast(&app, "acme").await;
    let other_org = cast(&app, "globex").await;
    let db = &app.state.db;
    let now = at(0);
    let mut feedback_rows = vec![];
    let mut about_first = BTreeSet::new();
    let mut campaign_rows = vec![];
    for (org, users, persons, keep) in [
        (&c.org, &c.users, &c.persons, true),
        (&other_org.org, &other_org.users, &other_org.persons, false),
    ] {
        for is_private in [false, true] {
            for author in users {
                for about in [&persons[0], &persons[3]] {
                    let id = feedback::insert(
                        db,
                        org,
                        feedback::NewFeedback {
                            about_id: about,
                            author,
                            from_person_id: None,
                            kind: FeedbackKind::Note,
                            is_private,
                            body: "Noted",
                        },
                        now,
                    )
                    .await
                    .unwrap();
                    if keep {
                        let f = feedback::find(db, org, &id).await.unwrap().unwrap();
                        if about == &persons[0] {
                            about_first.insert(id.to_string());
                        }
                        feedback_rows.push((id.to_string(), f.target()));
                    }
                }
            }
        }
        for creator in users {
            let id = campaigns::insert(
                db,
                org,
                creator,
                &campaigns::CampaignFields {
                    name: "Quarterly".into(),
                    target_person_id: persons[3].clone(),
                    start_date: now,
                    end_date: at(10_000),
                    status: CampaignStatus::Draft,
                    questions: vec!["How is it going?".into()],
                    invite_emails: vec![Email::parse("someone@example.com").unwrap()],
                    min_responses: 3,
                },
                now,
            )
            .await
            .unwrap();
            if keep {
                let row = campaigns::find(db, org, &id).await.unwrap().unwrap();
                campaign_rows.push((id.to_string(), row.target()));
            }
        }
    }
    for (name, user, actor) in &c.callers {
        let got = all_ids(user, "/api/feedback", "feedback").await;
        let want = allowed(actor, Action::FeedbackView, &feedback_rows);
        assert_same(name, "GET /api/feedback", &got, &want);

        let about = &c.persons[0];
        let got = all_ids(user, &format!("/api/feedback?aboutId={about}"), "feedback").await;
        let want = allowed(
            actor,
            Action::FeedbackView,
            feedback_rows
                .iter()
                .filter(|(id, _)| about_first.contains(id)),
        );
        assert_same(name, "GET /api/feedback?aboutId=", &got, &want);

        let got = all_ids(user, "/api/feedback-campaigns", "feedbackCampaigns").await;
        let want = allowed(actor, Action::FeedbackCampaignView, &campaign_rows);
        assert_same(name, "GET /api/feedback-campaigns", &got, &want);
    }
}

/// One-on-ones: every ordered pair of the four persons. The list is the caller's own (their
/// person is the manager or the report), for admins too; everything it shows the rule allows.
#[db_test]
async fn the_one_on_one_list_is_exactly_the_callers_own(app: TestApp) {
    let c = cast(&app, "acme").await;
    let other_org = cast(&app, "globex").await;
    let db = &app.state.db;
    let mut rows = vec![];
    for (org, persons, keep) in [
        (&c.org, &c.persons, true),
        (&other_org.org, &other_org.persons, false),
    ] {
        let mut n = 0;
        for manager in persons {
            for report in persons {
                if manager == report {
                    continue;
                }
                n += 1;
                let id = oneonones::insert(
                    db,
                    org,
                    &oneonones::OneOnOneFields {
                        manager_id: manager.clone(),
                        report_id: report.clone(),
                        scheduled_at: at(n),
                        ends_at: at(n).plus_millis(30 * 60_000),
                        notes: None,
                    },
                    at(0),
                )
                .await
                .unwrap();
                if keep {
                    let o = oneonones::find(db, org, &id).await.unwrap().unwrap();
                    rows.push((id.to_string(), o.one_on_one.facts()));
                }
            }
        }
    }
    for (name, user, actor) in &c.callers {
        if actor.person_id.is_none() {
            user.get("/api/oneonones")
                .await
                .assert_error(403, "No person record found for current user");
            continue;
        }
        let want: BTreeSet<String> = rows
            .iter()
            .filter(|(_, facts)| authz::takes_part(actor, facts))
            .map(|(id, _)| id.clone())
            .collect();
        // The list takes one path when ordered by time and another when sorted by name.
        let got = all_ids(user, "/api/oneonones", "oneOnOnes").await;
        assert_same(name, "GET /api/oneonones", &got, &want);
        let by_name = "/api/oneonones?sort=manager:asc";
        let sorted = all_ids(user, by_name, "oneOnOnes").await;
        assert_same(name, by_name, &sorted, &want);
        for (id, facts) in &rows {
            if got.contains(id) {
                let target = Target::OneOnOne(facts.clone());
                assert!(authz::decide(actor, Action::OneOnOneView, Some(&target)).allowed);
            }
        }
    }
}

/// Tasks, initiatives and reports are visible to every member: each list is the whole
/// organization's, whoever created or is assigned them, and nothing of another.
#[db_test]
async fn member_wide_lists_show_the_whole_organization_and_nothing_else(app: TestApp) {
    let c = cast(&app, "acme").await;
    let other_org = cast(&app, "globex").await;
    let db = &app.state.db;
    let now = at(0);
    let (mut task_rows, mut initiative_rows, mut report_rows) = (vec![], vec![], vec![]);
    for (org, users, persons, keep) in [
        (&c.org, &c.users, &c.persons, true),
        (&other_org.org, &other_org.users, &other_org.persons, false),
    ] {
        for creator in users {
            let initiative: InitiativeId = initiatives::insert(
                db,
                org,
                creator,
                &initiatives::InitiativeFields {
                    title: "Work".into(),
                    summary: None,
                    status: manageros_core::InitiativeStatus::Planned,
                    rag: manageros_core::Rag::Green,
                    confidence: 50,
                    team_id: None,
                    owner_ids: vec![persons[1].clone()],
                    start_date: None,
                    target_date: None,
                },
                now,
            )
            .await
            .unwrap();
            for assignee in std::iter::once(None).chain(persons.iter().cloned().map(Some)) {
                let id = tasks::insert(
                    db,
                    org,
                    creator,
                    &tasks::TaskFields {
                        title: "Do it".into(),
                        assignee_id: assignee,
                        initiative_id: Some(initiative.clone()),
                        ..Default::default()
                    },
                    now,
                )
                .await
                .unwrap();
                if keep {
                    let t = tasks::find(db, org, &id).await.unwrap().unwrap();
                    task_rows.push((id.to_string(), t.target()));
                }
            }
            let report = reports::insert(
                db,
                org,
                creator,
                "Cadence",
                ReportKind::OneOnOneCadence,
                &Value::Object(Default::default()),
                now,
            )
            .await
            .unwrap();
            if keep {
                let i = initiatives::find(db, org, &initiative)
                    .await
                    .unwrap()
                    .unwrap();
                initiative_rows.push((initiative.to_string(), i.target()));
                let r = reports::find(db, org, &report).await.unwrap().unwrap();
                report_rows.push((report.to_string(), r.target()));
            }
        }
    }
    for (name, user, actor) in &c.callers {
        for (path, key, action, rows) in [
            ("/api/tasks", "tasks", Action::TaskView, &task_rows),
            (
                "/api/initiatives",
                "initiatives",
                Action::InitiativeView,
                &initiative_rows,
            ),
            ("/api/reports", "reports", Action::ReportView, &report_rows),
        ] {
            let got = all_ids(user, path, key).await;
            let want = allowed(actor, action, rows);
            assert_eq!(want.len(), rows.len(), "every member sees every {key}");
            assert_same(name, &format!("GET {path}"), &got, &want);
        }
    }
}

/// Issue 28: a report run covers everyone for an admin and the caller's own reporting line for
/// a manager. Two organizations get the same chart — Boss (the admin) → Mid → Lead → Deep, and
/// Boss → Side → Far (another branch) — with a one-on-one for every manager and report, one
/// across the branches (Lead with Far), and tasks for everyone and nobody. Each caller runs both
/// kinds; the rows are compared with `decide(report.team)` on each person's chain of managers.
#[db_test]
async fn report_runs_cover_exactly_the_callers_reporting_line(app: TestApp) {
    use std::collections::HashMap;
    struct Chart {
        org: OrgId,
        /// `(name, person)` in chart order.
        people: Vec<(&'static str, String)>,
        /// person → manager.
        manager: HashMap<String, String>,
        callers: Vec<(&'static str, TestUser)>,
    }
    async fn chart(app: &TestApp, slug: &str) -> Chart {
        let org = app.org(slug).await;
        let boss = app.link_admin(&org, "Boss").await;
        let (mid_u, mid) = app
            .linked_member(&org, "Mid", &format!("mid@{slug}.test"))
            .await;
        let (lead_u, lead) = app
            .linked_member(&org, "Lead", &format!("lead@{slug}.test"))
            .await;
        let (deep_u, deep) = app
            .linked_member(&org, "Deep", &format!("deep@{slug}.test"))
            .await;
        let (side_u, side) = app
            .linked_member(&org, "Side", &format!("side@{slug}.test"))
            .await;
        let far = app.person(&org, "Far", None).await;
        let mut manager = HashMap::new();
        for (who, boss_of) in [
            (&mid, &boss),
            (&lead, &mid),
            (&deep, &lead),
            (&side, &boss),
            (&far, &side),
        ] {
            org.admin
                .patch(&format!("/api/people/{who}"), json!({"managerId": boss_of}))
                .await
                .assert_status(200);
            manager.insert(who.clone(), boss_of.clone());
        }
        let people = vec![
            ("Boss", boss),
            ("Mid", mid),
            ("Lead", lead),
            ("Deep", deep),
            ("Side", side),
            ("Far", far),
        ];
        let id = |n: &str| people.iter().find(|(m, _)| *m == n).unwrap().1.clone();
        let day = 24 * 3600 * 1000;
        for (i, (m, r)) in [
            ("Boss", "Mid"),
            ("Mid", "Lead"),
            ("Lead", "Deep"),
            ("Boss", "Side"),
            ("Side", "Far"),
            ("Lead", "Far"),
        ]
        .into_iter()
        .enumerate()
        {
            let at = Timestamp::from_millis(app.clock_now() - (i as i64 + 1) * day);
            org.admin
                .post(
                    "/api/oneonones",
                    json!({"participant1Id": id(m), "participant2Id": id(r), "scheduledAt": at.to_rfc3339()}),
                )
                .await
                .assert_status(201);
        }
        for assignee in people
            .iter()
            .map(|(_, p)| Value::from(p.clone()))
            .chain([Value::Null])
        {
            org.admin
                .post(
                    "/api/tasks",
                    json!({"title": "Work", "assigneeId": assignee}),
                )
                .await
                .assert_status(201);
        }
        Chart {
            org: OrgId::parse(&org.id).unwrap(),
            people,
            manager,
            callers: vec![
                ("admin", org.admin.clone()),
                ("Mid", mid_u),
                ("Lead", lead_u),
                ("Deep", deep_u),
                ("Side", side_u),
            ],
        }
    }
    let acme = chart(&app, "acme").await;
    let globex = chart(&app, "globex").await;
    // Every person of both organizations, with their managers nearest first.
    let mut facts: HashMap<String, Target> = HashMap::new();
    for c in [&acme, &globex] {
        for (_, p) in &c.people {
            let mut managers = vec![];
            let mut at = p;
            while let Some(m) = c.manager.get(at) {
                managers.push(PersonId::parse(m).unwrap());
                at = m;
            }
            facts.insert(
                p.clone(),
                Target::Person(authz::PersonFacts {
                    org_id: c.org.clone(),
                    managers,
                }),
            );
        }
    }
    let saved = acme.callers[0]
        .1
        .post(
            "/api/reports",
            json!({"name": "Cadence", "kind": "oneonone-cadence"}),
        )
        .await
        .id("report");
    for (name, user) in &acme.callers {
        let actor = actor_of(&app, user).await;
        let allowed: BTreeSet<String> = facts
            .iter()
            .filter(|(_, t)| authz::decide(&actor, Action::ReportTeam, Some(t)).allowed)
            .map(|(p, _)| p.clone())
            .collect();
        let general = authz::decide(&actor, Action::ReportTeam, None);
        let cadence = user
            .post("/api/reports/run", json!({"kind": "oneonone-cadence"}))
            .await;
        let tasks = user
            .post("/api/reports/run", json!({"kind": "task-status"}))
            .await;
        let saved_run = user
            .post(&format!("/api/reports/{saved}/run"), json!({}))
            .await;
        if !general.allowed {
            assert!(
                allowed.is_empty(),
                "{name} is refused yet allowed {allowed:?}"
            );
            cadence.assert_error(403, &general.reason);
            tasks.assert_error(403, &general.reason);
            saved_run.assert_error(403, "You do not have permission to run this report");
            continue;
        }
        cadence.assert_status(200);
        tasks.assert_status(200);
        saved_run.assert_status(200);
        assert_eq!(
            saved_run.body["rows"], cadence.body["rows"],
            "{name}: saved and unsaved runs agree"
        );
        let pairs: BTreeSet<(String, String)> = cadence.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["managerId"].as_str().unwrap().to_owned(),
                    r["reportId"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let want_pairs: BTreeSet<(String, String)> = [
            ("Boss", "Mid"),
            ("Mid", "Lead"),
            ("Lead", "Deep"),
            ("Boss", "Side"),
            ("Side", "Far"),
            ("Lead", "Far"),
        ]
        .iter()
        .map(|(m, r)| {
            let id = |n: &str| acme.people.iter().find(|(x, _)| *x == n).unwrap().1.clone();
            (id(m), id(r))
        })
        .filter(|(m, r)| allowed.contains(m) || allowed.contains(r))
        .collect();
        assert_eq!(pairs, want_pairs, "cadence pairs for {name}");
        let assignees: BTreeSet<String> = tasks.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["assigneeId"].as_str().unwrap_or("nobody").to_owned())
            .collect();
        let mut want: BTreeSet<String> = allowed
            .iter()
            .filter(|p| acme.people.iter().any(|(_, q)| q == *p))
            .cloned()
            .collect();
        if actor.is_admin() {
            want.insert("nobody".into());
            assert!(cadence.body["scope"].get("line").is_none());
        } else {
            assert_eq!(
                cadence.body["scope"]["line"],
                json!({"managerId": actor.person_id.as_ref().unwrap().as_str(), "people": allowed.len()}),
            );
        }
        assert_eq!(assignees, want, "task-status assignees for {name}");
        assert!(
            allowed
                .iter()
                .all(|p| acme.people.iter().any(|(_, q)| q == p)),
            "{name} is allowed someone of another organization"
        );
    }
    // The cast the rule was checked on: a manager of a manager sees two levels, a manager one,
    // a person with no reports none, another branch only its own.
    let names = |user: &TestUser| {
        let user = user.clone();
        async move {
            let r = user
                .post("/api/reports/run", json!({"kind": "task-status"}))
                .await;
            r.body["rows"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .map(|r| r["assigneeName"].as_str().unwrap_or("-").to_owned())
                        .collect::<BTreeSet<_>>()
                })
                .unwrap_or_default()
        }
    };
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(names(&acme.callers[1].1).await, set(&["Lead", "Deep"]));
    assert_eq!(names(&acme.callers[2].1).await, set(&["Deep"]));
    assert_eq!(names(&acme.callers[3].1).await, set(&[]));
    assert_eq!(names(&acme.callers[4].1).await, set(&["Far"]));
    // Another organization's saved report is not there, for its managers too.
    globex.callers[1]
        .1
        .post(&format!("/api/reports/{saved}/run"), json!({}))
        .await
        .assert_error(404, "Report not found or access denied");
}
