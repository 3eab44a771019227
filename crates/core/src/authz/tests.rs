//! The permission matrix: docs/API.md §7 written as data. Each row is an action, the entity it is
//! asked about and how the caller relates to it, then the expected answer for five personas:
//!
//! - `A`  admin linked to a person      - `a`  admin without a person
//! - `U`  user linked to a person       - `M`  user linked to a person who has reports
//! - `u`  user without a person
//! - `N`  a signed-in user who belongs to no organization
//!
//! `Y` allowed, `n` refused, `-` the relation cannot hold for that persona (it has no person).
//! Every row is also checked against the same entity in another organization, where every
//! persona is refused.

use super::*;

const MATRIX: &str = "
# action                   entity / relation                  A a U M u N
task.create                -                                  Y Y Y Y n n
task.view                  -                                  Y Y Y Y Y n
task.view                  task                               Y Y Y Y Y n
task.edit                  task                               Y Y n n n n
task.edit                  task+creator                       Y Y Y Y Y n
task.edit                  task+assignee                      Y - Y Y - -
task.edit                  -                                  Y Y n n n n
task.delete                task                               Y Y n n n n
task.delete                task+creator                       Y Y Y Y Y n
task.delete                task+assignee                      Y - Y Y - -
meeting.create             -                                  Y n Y Y n n
meeting.view               -                                  Y Y Y Y Y n
meeting.view               meeting                            Y Y Y Y Y n
meeting.view               meeting+private                    Y Y n n n n
meeting.view               meeting+private+creator            Y Y Y Y Y n
meeting.view               meeting+private+owner              Y - Y Y - -
meeting.view               meeting+private+participant        Y - Y Y - -
meeting.edit               meeting                            Y Y n n n n
meeting.edit               meeting+private                    Y Y n n n n
meeting.edit               meeting+creator                    Y Y Y Y Y n
meeting.edit               meeting+owner                      Y - Y Y - -
meeting.edit               meeting+participant                Y - Y Y - -
meeting.edit               -                                  Y Y n n n n
meeting.delete             meeting                            Y Y n n n n
meeting.delete             meeting+creator                    Y Y Y Y Y n
meeting.delete             meeting+owner                      Y - Y Y - -
meeting.delete             meeting+participant                Y - n n - -
meeting-instance.create    -                                  Y n Y Y n n
meeting-instance.create    meeting                            Y n n n n n
meeting-instance.create    meeting+participant                Y - Y Y - -
meeting-instance.create    meeting+private+creator            Y n Y Y n n
meeting-instance.view      instance                           Y Y Y Y Y n
meeting-instance.view      instance+private                   Y Y n n n n
meeting-instance.view      instance+private+participant       Y - Y Y - -
meeting-instance.view      instance+private+attendee          Y - Y Y - -
meeting-instance.view      instance+private+owner             Y - Y Y - -
meeting-instance.view      -                                  Y Y n n n n
meeting-instance.edit      instance                           Y Y n n n n
meeting-instance.edit      instance+attendee                  Y - Y Y - -
meeting-instance.edit      instance+private+attendee          Y - Y Y - -
meeting-instance.edit      instance+owner                     Y - Y Y - -
meeting-instance.edit      instance+participant               Y - Y Y - -
meeting-instance.delete    instance                           Y Y n n n n
meeting-instance.delete    instance+attendee                  Y - n n - -
meeting-instance.delete    instance+participant               Y - n n - -
meeting-instance.delete    instance+creator                   Y Y Y Y Y n
initiative.create          -                                  Y Y Y Y n n
initiative.edit            initiative                         Y Y n n n n
initiative.delete          initiative                         Y Y n n n n
initiative.view            initiative                         Y Y Y Y Y n
initiative.check-in        initiative                         Y Y n n n n
initiative.check-in        initiative+owner                   Y - Y Y - -
initiative.check-in        -                                  Y Y n n n n
report.access              -                                  Y Y n n n n
report.create              -                                  Y Y n n n n
report.edit                report                             Y Y n n n n
report.delete              report                             Y Y n n n n
report.view                report                             Y Y Y Y Y n
report.team                -                                  Y Y n Y n n
report.team                person                             Y Y n n n n
report.team                person+direct                      Y - Y Y - -
report.team                person+indirect                    Y - Y Y - -
feedback.create            -                                  Y Y Y Y n n
feedback.view              -                                  Y Y Y Y Y n
feedback.view              feedback                           Y Y Y Y Y n
feedback.view              feedback+private                   Y Y n n n n
feedback.view              feedback+private+author            Y Y Y Y Y n
feedback.edit              feedback                           Y Y n n n n
feedback.edit              feedback+author                    Y Y Y Y Y n
feedback.edit              -                                  Y Y n n n n
feedback.delete            feedback                           Y Y n n n n
feedback.delete            feedback+private+author            Y Y Y Y Y n
oneonone.create            -                                  Y Y Y Y n n
oneonone.view              oneonone                           Y Y n n n n
oneonone.view              oneonone+manager                   Y - Y Y - -
oneonone.view              oneonone+report                    Y - Y Y - -
oneonone.view              -                                  Y Y n n n n
oneonone.edit              oneonone                           Y Y n n n n
oneonone.edit              oneonone+manager                   Y - Y Y - -
oneonone.delete            oneonone                           Y Y n n n n
oneonone.delete            oneonone+report                    Y - Y Y - -
oneonone.talking-points    oneonone                           n n n n n n
oneonone.talking-points    oneonone+manager                   Y - Y Y - -
oneonone.talking-points    oneonone+report                    Y - Y Y - -
oneonone.talking-points    -                                  n n n n n n
oneonone.private-notes     oneonone                           n n n n n n
oneonone.private-notes     oneonone+manager                   Y - Y Y - -
oneonone.private-notes     oneonone+report                    Y - Y Y - -
oneonone.action-items      oneonone                           n n n n n n
oneonone.action-items      oneonone+report                    Y - Y Y - -
feedback-campaign.create   -                                  Y Y Y Y n n
feedback-campaign.view     campaign                           Y Y n n n n
feedback-campaign.view     campaign+creator                   Y Y Y Y Y n
feedback-campaign.view     -                                  Y Y n n n n
feedback-campaign.edit     campaign                           Y Y n n n n
feedback-campaign.edit     campaign+creator                   Y Y Y Y Y n
feedback-campaign.delete   campaign                           Y Y n n n n
feedback-campaign.delete   campaign+creator                   Y Y Y Y Y n
user.link-person           -                                  Y Y n n n n
";

const PERSONAS: [&str; 6] = ["A", "a", "U", "M", "u", "N"];

fn org(n: u8) -> OrgId {
    OrgId::from_db(format!("org_{}", format!("{n}").repeat(26)))
}

fn persona(code: &str) -> Actor {
    let user_id = UserId::generate();
    let person = PersonId::generate();
    match code {
        "A" => Actor {
            user_id,
            role: Role::Admin,
            org_id: Some(org(1)),
            person_id: Some(person),
            manages: false,
        },
        "a" => Actor {
            user_id,
            role: Role::Admin,
            org_id: Some(org(1)),
            person_id: None,
            manages: false,
        },
        "U" => Actor {
            user_id,
            role: Role::User,
            org_id: Some(org(1)),
            person_id: Some(person),
            manages: false,
        },
        "M" => Actor {
            user_id,
            role: Role::User,
            org_id: Some(org(1)),
            person_id: Some(person),
            manages: true,
        },
        "u" => Actor {
            user_id,
            role: Role::User,
            org_id: Some(org(1)),
            person_id: None,
            manages: false,
        },
        "N" => Actor {
            user_id,
            role: Role::User,
            org_id: None,
            person_id: None,
            manages: false,
        },
        _ => unreachable!(),
    }
}

/// Builds the entity of a matrix row for `actor`, in organization `in_org`. Returns `None`
/// when the relation needs a person the actor does not have.
fn entity(spec: &str, actor: &Actor, in_org: OrgId) -> Option<Option<Target>> {
    if spec == "-" {
        return Some(None);
    }
    let mut parts = spec.split('+');
    let kind = parts.next().unwrap();
    let rels: Vec<&str> = parts.collect();
    let has = |r: &str| rels.contains(&r);
    let private = has("private");
    let needs_person = rels.iter().any(|r| {
        matches!(
            *r,
            "assignee"
                | "owner"
                | "participant"
                | "attendee"
                | "manager"
                | "report"
                | "direct"
                | "indirect"
        )
    });
    if needs_person && actor.person_id.is_none() {
        return None;
    }
    let me_p = actor.person_id.clone().unwrap_or_else(PersonId::generate);
    let other_user = UserId::generate();
    let other_person = PersonId::generate();
    let creator = if has("creator") || has("author") {
        actor.user_id.clone()
    } else {
        other_user
    };
    let meeting = MeetingFacts {
        org_id: in_org.clone(),
        is_private: private,
        created_by: creator.clone(),
        owner: Some(if has("owner") {
            me_p.clone()
        } else {
            other_person.clone()
        }),
        participants: if has("participant") {
            vec![other_person.clone(), me_p.clone()]
        } else {
            vec![other_person.clone()]
        },
    };
    Some(Some(match kind {
        "task" => Target::Task(TaskFacts {
            org_id: in_org,
            created_by: creator,
            assignee: has("assignee").then_some(me_p),
        }),
        "meeting" => Target::Meeting(meeting),
        "instance" => Target::MeetingInstance(MeetingInstanceFacts {
            meeting,
            participants: if has("attendee") {
                vec![me_p]
            } else {
                vec![other_person]
            },
        }),
        "initiative" => Target::Initiative(InitiativeFacts {
            org_id: in_org,
            owners: if has("owner") {
                vec![other_person, me_p]
            } else {
                vec![other_person]
            },
        }),
        "person" => Target::Person(PersonFacts {
            org_id: in_org,
            managers: if has("direct") {
                vec![me_p, other_person]
            } else if has("indirect") {
                vec![other_person, me_p]
            } else {
                vec![other_person, PersonId::generate()]
            },
        }),
        "report" => Target::Report { org_id: in_org },
        "feedback" => Target::Feedback(FeedbackFacts {
            org_id: in_org,
            is_private: private,
            author: creator,
        }),
        "oneonone" => Target::OneOnOne(OneOnOneFacts {
            org_id: in_org,
            manager: if has("manager") {
                me_p.clone()
            } else {
                other_person.clone()
            },
            report: if has("report") {
                me_p
            } else {
                PersonId::generate()
            },
        }),
        "campaign" => Target::FeedbackCampaign(CampaignFacts {
            org_id: in_org,
            created_by: creator,
        }),
        other => panic!("unknown entity {other} in the matrix"),
    }))
}

fn rows() -> impl Iterator<Item = (Action, &'static str, Vec<&'static str>)> {
    MATRIX
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(cols.len(), 2 + PERSONAS.len(), "malformed matrix row: {l}");
            let action =
                Action::parse(cols[0]).unwrap_or_else(|| panic!("unknown action {}", cols[0]));
            (action, cols[1], cols[2..].to_vec())
        })
}

#[test]
fn the_permission_matrix_holds() {
    let mut checked = 0;
    let mut expected_cells = 0;
    for (action, spec, expected) in rows() {
        expected_cells += expected.iter().filter(|c| **c != "-").count();
        for (code, want) in PERSONAS.iter().zip(&expected) {
            let actor = persona(code);
            let Some(target) = entity(spec, &actor, org(1)) else {
                assert_eq!(
                    *want,
                    "-",
                    "{} {spec} for {code}: relation needs a person",
                    action.as_str()
                );
                continue;
            };
            assert_ne!(
                *want,
                "-",
                "{} {spec} for {code}: expected '-' but the relation holds",
                action.as_str()
            );
            let d = decide(&actor, action, target.as_ref());
            assert_eq!(
                d.allowed,
                *want == "Y",
                "{} on {spec} for {code}: got {:?} ({})",
                action.as_str(),
                d.allowed,
                d.reason
            );
            assert!(!d.reason.is_empty());
            // The same entity in another organization: refused for everyone, and reported as
            // the entity's not-found message.
            if let Some(Some(foreign)) = entity(spec, &actor, org(2)) {
                let d = decide(&actor, action, Some(&foreign));
                assert!(
                    !d.allowed,
                    "{} on a foreign {spec} allowed for {code}",
                    action.as_str()
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, expected_cells);
}

#[test]
fn every_action_appears_in_the_matrix() {
    let covered: std::collections::HashSet<Action> = rows().map(|(a, _, _)| a).collect();
    for a in Action::ALL {
        assert!(
            covered.contains(a),
            "{} has no row in the matrix",
            a.as_str()
        );
    }
}

#[test]
fn thirty_nine_actions_in_the_documented_order() {
    let names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        names.join(" "),
        "task.create task.edit task.delete task.view meeting.create meeting.edit meeting.delete meeting.view \
         meeting-instance.create meeting-instance.edit meeting-instance.delete meeting-instance.view \
         initiative.create initiative.edit initiative.delete initiative.view initiative.check-in report.access report.create \
         report.edit report.delete report.view report.team feedback.create feedback.edit feedback.delete feedback.view \
         oneonone.create oneonone.edit oneonone.delete oneonone.view oneonone.talking-points \
         oneonone.private-notes oneonone.action-items feedback-campaign.create feedback-campaign.edit feedback-campaign.delete feedback-campaign.view user.link-person"
    );
    let requiring: Vec<&str> = Action::ALL
        .iter()
        .filter(|a| a.requires_id())
        .map(|a| a.as_str())
        .collect();
    assert_eq!(
        requiring.join(" "),
        "task.edit task.delete meeting.edit meeting.delete meeting-instance.edit meeting-instance.delete \
         meeting-instance.view initiative.check-in feedback.edit feedback.delete oneonone.edit oneonone.delete oneonone.view \
         oneonone.talking-points oneonone.private-notes oneonone.action-items feedback-campaign.edit feedback-campaign.delete feedback-campaign.view"
    );
    for a in Action::ALL {
        assert_eq!(Action::parse(a.as_str()), Some(*a));
    }
    assert_eq!(Action::parse("task.fly"), None);
}

#[test]
fn visible_but_not_permitted_is_403_and_invisible_is_404() {
    let user = persona("U");
    let task = entity("task", &user, org(1)).unwrap().unwrap();
    assert_eq!(
        authorize(&user, Action::TaskEdit, &task),
        Err(Refusal::Forbidden(
            "You do not have permission to edit this task".into()
        ))
    );
    let foreign = entity("task", &user, org(2)).unwrap().unwrap();
    assert_eq!(
        authorize(&user, Action::TaskEdit, &foreign),
        Err(Refusal::NotFound("Task not found or access denied"))
    );
    let one = entity("oneonone", &user, org(1)).unwrap().unwrap();
    assert_eq!(
        authorize(&user, Action::OneOnOneEdit, &one),
        Err(Refusal::NotFound(
            "One-on-one not found or you do not have access to it"
        ))
    );
    let admin = persona("a");
    let foreign_one = entity("oneonone", &admin, org(2)).unwrap().unwrap();
    assert_eq!(
        authorize(&admin, Action::OneOnOneView, &foreign_one),
        Err(Refusal::NotFound(
            "One-on-one not found or you do not have access to it"
        ))
    );
    let private = entity("feedback+private", &user, org(1)).unwrap().unwrap();
    assert_eq!(
        authorize(&user, Action::FeedbackDelete, &private),
        Err(Refusal::NotFound("Feedback not found or access denied"))
    );
    let public = entity("feedback", &user, org(1)).unwrap().unwrap();
    assert_eq!(
        authorize(&user, Action::FeedbackDelete, &public),
        Err(Refusal::Forbidden(
            "You do not have permission to delete this feedback".into()
        ))
    );
}

#[test]
fn general_refusals_carry_the_spec_messages() {
    let nobody = persona("N");
    assert_eq!(
        authorize_general(&nobody, Action::OneOnOneCreate, None),
        Err(Refusal::Forbidden(
            "User must belong to an organization".into()
        ))
    );
    assert_eq!(
        authorize_general(&nobody, Action::TaskCreate, None),
        Err(Refusal::Forbidden(
            "User must belong to an organization to create tasks".into()
        ))
    );
    assert_eq!(
        authorize_general(&persona("u"), Action::OneOnOneCreate, None),
        Err(Refusal::Forbidden(
            "No person record found for current user".into()
        ))
    );
    assert!(authorize_general(&persona("u"), Action::TaskCreate, None).is_err());
    assert!(authorize_general(&persona("a"), Action::TaskCreate, None).is_ok());
}

#[test]
fn org_actions_check_the_admin_role_before_membership() {
    let nobody = persona("N");
    assert_eq!(
        authorize_org(&nobody, OrgAction::SendInvitation),
        Err(Refusal::Forbidden(
            "Only organization admins can send invitations".into()
        ))
    );
    // An admin without an organization cannot normally exist (removal resets the role), but
    // the order of the checks must still hold.
    let orphan_admin = Actor {
        org_id: None,
        ..persona("a")
    };
    assert_eq!(
        authorize_org(&orphan_admin, OrgAction::SendInvitation),
        Err(Refusal::Forbidden(
            "User must belong to an organization to send invitations".into()
        ))
    );
    assert_eq!(
        authorize_org(&persona("a"), OrgAction::ViewMembers),
        Ok(org(1))
    );
    assert_eq!(
        authorize_org(&persona("U"), OrgAction::ViewMembers),
        Err(Refusal::Forbidden(
            "Only organization admins can view organization members".into()
        ))
    );
    assert_eq!(
        authorize_org(&persona("u"), OrgAction::ViewPeople),
        Ok(org(1))
    );
    assert_eq!(
        authorize_org(&nobody, OrgAction::LinkSelf),
        Err(Refusal::Forbidden(
            "User must belong to an organization to link to a person".into()
        ))
    );
    assert_eq!(
        authorize_org(&persona("a"), OrgAction::ViewAuditLog),
        Ok(org(1))
    );
    assert_eq!(
        authorize_org(&persona("u"), OrgAction::ViewAuditLog),
        Err(Refusal::Forbidden(
            "Only organization admins can view the audit log".into()
        ))
    );
}

#[test]
fn only_participants_or_admins_schedule_one_on_ones() {
    let user = persona("U");
    let me = user.person_id.clone().unwrap();
    let (x, y) = (PersonId::generate(), PersonId::generate());
    assert!(authorize_oneonone_participants(&user, &me, &x).is_ok());
    assert!(authorize_oneonone_participants(&user, &x, &me).is_ok());
    assert_eq!(
        authorize_oneonone_participants(&user, &x, &y),
        Err(Refusal::Forbidden(
            "You can only schedule one-on-ones you take part in".into()
        ))
    );
    assert!(authorize_oneonone_participants(&persona("a"), &x, &y).is_ok());
}

#[test]
fn self_linking_needs_the_same_organization_an_unlinked_person_and_ones_own_email() {
    let me = persona("U");
    let email = Email::parse("me@example.com").unwrap();
    let ok = ClaimablePerson {
        org_id: &org(1),
        email: Some("me@example.com"),
        linked_to_someone: false,
    };
    assert!(authorize_self_link(&me, &email, &ok).is_ok());
    let refused = Err(Refusal::NotFound(SELF_LINK_NOT_FOUND));
    for bad in [
        ClaimablePerson {
            org_id: &org(2),
            ..ok
        },
        ClaimablePerson {
            email: Some("boss@example.com"),
            ..ok
        },
        ClaimablePerson { email: None, ..ok },
        ClaimablePerson {
            linked_to_someone: true,
            ..ok
        },
    ] {
        assert_eq!(authorize_self_link(&me, &email, &bad), refused);
    }
    assert_eq!(authorize_self_link(&persona("N"), &email, &ok), refused);
}

#[test]
fn only_the_invited_address_accepts_an_invitation() {
    let a = Email::parse("a@example.com").unwrap();
    let b = Email::parse("b@example.com").unwrap();
    assert!(authorize_invitation_acceptance(&a, &a).is_ok());
    assert_eq!(
        authorize_invitation_acceptance(&a, &b),
        Err(Refusal::NotFound(INVITATION_NOT_FOUND))
    );
}

#[test]
fn a_participant_edits_a_meeting_but_does_not_take_it_over() {
    let user = persona("U");
    let me = user.person_id.clone().unwrap();
    let before = MeetingFacts {
        org_id: org(1),
        is_private: false,
        created_by: UserId::generate(),
        owner: Some(PersonId::generate()),
        participants: vec![me.clone()],
    };
    assert!(authorize_meeting_change(&user, &before, &before).is_ok());
    let take_over = MeetingFacts {
        owner: Some(me.clone()),
        ..before.clone()
    };
    assert!(matches!(
        authorize_meeting_change(&user, &before, &take_over),
        Err(Refusal::Forbidden(_))
    ));
    let hide = MeetingFacts {
        is_private: true,
        ..before.clone()
    };
    assert!(authorize_meeting_change(&user, &before, &hide).is_err());
    let owner = Actor {
        person_id: before.owner.clone(),
        ..persona("U")
    };
    assert!(authorize_meeting_change(&owner, &before, &take_over).is_ok());
    assert!(authorize_meeting_change(&persona("a"), &before, &hide).is_ok());
}

#[test]
fn one_on_one_callers_and_the_access_log() {
    assert_eq!(
        authorize_oneonone_caller(&persona("N")),
        Err(Refusal::Forbidden(
            "User must belong to an organization".into()
        ))
    );
    assert_eq!(
        authorize_oneonone_caller(&persona("u")),
        Err(Refusal::Forbidden(NO_PERSON.into()))
    );
    assert!(
        authorize_oneonone_caller(&persona("a")).is_ok(),
        "an admin needs no person"
    );
    assert_eq!(
        oneonone_list_scope(&persona("N")),
        Err(Refusal::Forbidden(
            "User must belong to an organization to view one-on-ones".into()
        ))
    );
    assert_eq!(
        oneonone_list_scope(&persona("a")),
        Err(Refusal::Forbidden(NO_PERSON.into())),
        "the list is one's own"
    );

    let user = persona("U");
    let me = user.person_id.clone().unwrap();
    let mine = OneOnOneFacts {
        org_id: org(1),
        manager: me,
        report: PersonId::generate(),
    };
    let other = OneOnOneFacts {
        org_id: org(1),
        manager: PersonId::generate(),
        report: PersonId::generate(),
    };
    assert!(takes_part(&user, &mine) && !takes_part(&user, &other));
    assert!(authorize_access_log(&user, &mine).is_ok());
    assert!(matches!(
        authorize_access_log(&user, &other),
        Err(Refusal::NotFound(_))
    ));
    assert!(matches!(
        authorize_access_log(&persona("A"), &other),
        Err(Refusal::Forbidden(_))
    ));
    let foreign = OneOnOneFacts {
        org_id: org(2),
        ..other
    };
    assert!(matches!(
        authorize_access_log(&persona("A"), &foreign),
        Err(Refusal::NotFound(_))
    ));
}

#[test]
fn a_handoff_is_for_the_person_and_the_new_manager_only() {
    let (person, old, new, admin) = (persona("U"), persona("U"), persona("U"), persona("A"));
    let h = HandoffFacts {
        org_id: org(1),
        person: person.person_id.clone().unwrap(),
        old_manager: old.person_id.clone().unwrap(),
        new_manager: new.person_id.clone().unwrap(),
    };
    assert!(authorize_handoff(&person, &h).is_ok());
    assert!(authorize_handoff(&new, &h).is_ok());
    for nobody in [&old, &admin, &persona("u"), &persona("N")] {
        assert!(matches!(
            authorize_handoff(nobody, &h),
            Err(Refusal::NotFound(HANDOFF_NOT_FOUND))
        ));
    }
    // Reading the offer as one of the old pair is taking part; the new manager is not.
    assert!(took_part_before(&person, &h) && took_part_before(&old, &h));
    assert!(!took_part_before(&new, &h) && !took_part_before(&admin, &h));
    let foreign = HandoffFacts {
        org_id: org(2),
        ..h
    };
    assert!(authorize_handoff(&person, &foreign).is_err());
    assert!(!took_part_before(&person, &foreign));
}
