//! The one authorization module. Every permission question in ManagerOS is answered here:
//! handlers describe who is asking ([`Actor`]), what they want to do ([`Action`] or
//! [`OrgAction`]) and the facts of the entity involved ([`Target`]); this module decides.
//!
//! It also produces, for each kind of entity, the list scope that list queries turn into SQL,
//! so a list never shows what a per-id check would refuse (see the `*_scope` functions; the
//! API test `list_scopes` compares the lists' actual SQL with [`decide`] on real rows).
//!
//! Organization isolation lives here too: an entity of another organization is never
//! visible, to anyone.

use crate::{Email, OrgId, PersonId, Role, UserId};
use std::borrow::Cow;

/// Who is asking, as the database says *now* (never as it was at login).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
    pub org_id: Option<OrgId>,
    pub person_id: Option<PersonId>,
    /// Whether anyone reports to the caller's person (`managerId`), read with the session. An
    /// actor not read from a session (a calendar feed, a mail) has `false`: no reporting-line
    /// right is granted to it.
    pub manages: bool,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin && self.org_id.is_some()
    }

    fn is_person(&self, p: &PersonId) -> bool {
        self.person_id.as_ref() == Some(p)
    }

    fn is_any_person(&self, ps: &[PersonId]) -> bool {
        self.person_id.as_ref().is_some_and(|me| ps.contains(me))
    }
}

/// The kinds of entity the permission system governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Task,
    Meeting,
    MeetingInstance,
    Initiative,
    Report,
    Feedback,
    OneOnOne,
    FeedbackCampaign,
    User,
}

impl Kind {
    /// How the entity is named in a sentence ("this task", "create tasks").
    pub const fn singular(self) -> &'static str {
        match self {
            Kind::Task => "task",
            Kind::Meeting => "meeting",
            Kind::MeetingInstance => "meeting instance",
            Kind::Initiative => "initiative",
            Kind::Report => "report",
            Kind::Feedback => "feedback",
            Kind::OneOnOne => "one-on-one",
            Kind::FeedbackCampaign => "feedback campaign",
            Kind::User => "user",
        }
    }

    pub const fn plural(self) -> &'static str {
        match self {
            Kind::Task => "tasks",
            Kind::Meeting => "meetings",
            Kind::MeetingInstance => "meeting instances",
            Kind::Initiative => "initiatives",
            Kind::Report => "reports",
            Kind::Feedback => "feedback",
            Kind::OneOnOne => "one-on-ones",
            Kind::FeedbackCampaign => "feedback campaigns",
            Kind::User => "users",
        }
    }

    /// The 404 message: the same whether the entity does not exist, lives in another
    /// organization, or is invisible to the caller.
    pub const fn not_found_message(self) -> &'static str {
        match self {
            Kind::Task => "Task not found or access denied",
            Kind::Meeting => "Meeting not found or access denied",
            Kind::MeetingInstance => "Meeting instance not found or access denied",
            Kind::Initiative => "Initiative not found or access denied",
            Kind::Report => "Report not found or access denied",
            Kind::Feedback => "Feedback not found or access denied",
            Kind::OneOnOne => "One-on-one not found or you do not have access to it",
            Kind::FeedbackCampaign => "Feedback campaign not found or access denied",
            Kind::User => "User not found or access denied",
        }
    }

    /// The action that decides whether the caller may see an entity of this kind at all.
    pub const fn view_action(self) -> Option<Action> {
        match self {
            Kind::Task => Some(Action::TaskView),
            Kind::Meeting => Some(Action::MeetingView),
            Kind::MeetingInstance => Some(Action::MeetingInstanceView),
            Kind::Initiative => Some(Action::InitiativeView),
            Kind::Report => Some(Action::ReportView),
            Kind::Feedback => Some(Action::FeedbackView),
            Kind::OneOnOne => Some(Action::OneOnOneView),
            Kind::FeedbackCampaign => Some(Action::FeedbackCampaignView),
            Kind::User => None,
        }
    }
}

macro_rules! actions {
    ($($variant:ident => $name:literal, $kind:ident, $verb:literal, $requires_id:literal;)+) => {
        /// The 39 actions of the permission system, in the order of docs/API.md §7.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Action { $($variant),+ }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(Action::$variant => $name),+ }
            }

            pub fn parse(s: &str) -> Option<Action> {
                match s { $($name => Some(Action::$variant),)+ _ => None }
            }

            pub const fn kind(self) -> Kind {
                match self { $(Action::$variant => Kind::$kind),+ }
            }

            /// The verb as used in messages: "edit" in "You do not have permission to edit this task".
            pub const fn verb(self) -> &'static str {
                match self { $(Action::$variant => $verb),+ }
            }

            /// Whether the action is about one specific entity (the `~` in Settings → Permissions).
            pub const fn requires_id(self) -> bool {
                match self { $(Action::$variant => $requires_id),+ }
            }
        }
    };
}

actions! {
    TaskCreate => "task.create", Task, "create", false;
    TaskEdit => "task.edit", Task, "edit", true;
    TaskDelete => "task.delete", Task, "delete", true;
    TaskView => "task.view", Task, "view", false;
    MeetingCreate => "meeting.create", Meeting, "create", false;
    MeetingEdit => "meeting.edit", Meeting, "edit", true;
    MeetingDelete => "meeting.delete", Meeting, "delete", true;
    MeetingView => "meeting.view", Meeting, "view", false;
    MeetingInstanceCreate => "meeting-instance.create", MeetingInstance, "create", false;
    MeetingInstanceEdit => "meeting-instance.edit", MeetingInstance, "edit", true;
    MeetingInstanceDelete => "meeting-instance.delete", MeetingInstance, "delete", true;
    MeetingInstanceView => "meeting-instance.view", MeetingInstance, "view", true;
    InitiativeCreate => "initiative.create", Initiative, "create", false;
    InitiativeEdit => "initiative.edit", Initiative, "edit", false;
    InitiativeDelete => "initiative.delete", Initiative, "delete", false;
    InitiativeView => "initiative.view", Initiative, "view", false;
    InitiativeCheckIn => "initiative.check-in", Initiative, "check in on", true;
    ReportAccess => "report.access", Report, "run", false;
    ReportCreate => "report.create", Report, "create", false;
    ReportEdit => "report.edit", Report, "edit", false;
    ReportDelete => "report.delete", Report, "delete", false;
    ReportView => "report.view", Report, "view", false;
    ReportTeam => "report.team", Report, "run", false;
    FeedbackCreate => "feedback.create", Feedback, "create", false;
    FeedbackEdit => "feedback.edit", Feedback, "edit", true;
    FeedbackDelete => "feedback.delete", Feedback, "delete", true;
    FeedbackView => "feedback.view", Feedback, "view", false;
    OneOnOneCreate => "oneonone.create", OneOnOne, "create", false;
    OneOnOneEdit => "oneonone.edit", OneOnOne, "edit", true;
    OneOnOneDelete => "oneonone.delete", OneOnOne, "delete", true;
    OneOnOneView => "oneonone.view", OneOnOne, "view", true;
    OneOnOneTalkingPoints => "oneonone.talking-points", OneOnOne, "change the talking points of", true;
    OneOnOnePrivateNotes => "oneonone.private-notes", OneOnOne, "keep private notes on", true;
    OneOnOneActionItems => "oneonone.action-items", OneOnOne, "add action items to", true;
    FeedbackCampaignCreate => "feedback-campaign.create", FeedbackCampaign, "create", false;
    FeedbackCampaignEdit => "feedback-campaign.edit", FeedbackCampaign, "edit", true;
    FeedbackCampaignDelete => "feedback-campaign.delete", FeedbackCampaign, "delete", true;
    FeedbackCampaignView => "feedback-campaign.view", FeedbackCampaign, "view", true;
    UserLinkPerson => "user.link-person", User, "link", false;
}

impl Action {
    /// What the action lets a person do, in words (Settings → Permissions leads with it).
    pub const fn description(self) -> &'static str {
        match self {
            Action::TaskCreate => "Create tasks",
            Action::TaskEdit => "Edit a task (its title, status, assignee, dates)",
            Action::TaskDelete => "Delete a task",
            Action::TaskView => "See the organization's tasks",
            Action::MeetingCreate => "Create meetings",
            Action::MeetingEdit => "Edit a meeting and its participants",
            Action::MeetingDelete => "Delete a meeting",
            Action::MeetingView => "See the meetings you may see",
            Action::MeetingInstanceCreate => "Add an occurrence to a meeting",
            Action::MeetingInstanceEdit => "Edit a meeting's occurrence and its notes",
            Action::MeetingInstanceDelete => "Delete a meeting's occurrence",
            Action::MeetingInstanceView => "See a meeting's occurrence",
            Action::InitiativeCreate => "Create initiatives",
            Action::InitiativeEdit => "Edit initiatives",
            Action::InitiativeDelete => "Delete initiatives",
            Action::InitiativeView => "See the organization's initiatives",
            Action::InitiativeCheckIn => {
                "Post a check-in (status, RAG, confidence, a note) on an initiative you own"
            }
            Action::ReportAccess => "Run reports",
            Action::ReportCreate => "Create reports",
            Action::ReportEdit => "Edit reports",
            Action::ReportDelete => "Delete reports",
            Action::ReportView => "See the saved reports",
            Action::ReportTeam => {
                "Run the cadence and task-status reports over the people who report to you, directly or not"
            }
            Action::FeedbackCreate => "Give feedback about a person",
            Action::FeedbackEdit => "Edit a piece of feedback",
            Action::FeedbackDelete => "Delete a piece of feedback",
            Action::FeedbackView => "See the feedback you may see",
            Action::OneOnOneCreate => "Schedule one-on-ones",
            Action::OneOnOneEdit => "Edit a one-on-one (its time, notes)",
            Action::OneOnOneDelete => "Delete a one-on-one",
            Action::OneOnOneView => "Open a one-on-one",
            Action::OneOnOneTalkingPoints => "Add and change a one-on-one's talking points",
            Action::OneOnOnePrivateNotes => "Keep private notes on a one-on-one",
            Action::OneOnOneActionItems => "Turn a one-on-one's talking points into tasks",
            Action::FeedbackCampaignCreate => "Start feedback campaigns",
            Action::FeedbackCampaignEdit => "Edit a feedback campaign",
            Action::FeedbackCampaignDelete => "Delete a feedback campaign",
            Action::FeedbackCampaignView => "See a feedback campaign and its answers",
            Action::UserLinkPerson => "Link your account to your person on the org chart",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Facts about entities: what the rules need to know, loaded by the caller from the database.

#[derive(Clone, Debug)]
pub struct TaskFacts {
    pub org_id: OrgId,
    pub created_by: UserId,
    pub assignee: Option<PersonId>,
}

#[derive(Clone, Debug)]
pub struct MeetingFacts {
    pub org_id: OrgId,
    pub is_private: bool,
    pub created_by: UserId,
    pub owner: Option<PersonId>,
    pub participants: Vec<PersonId>,
}

#[derive(Clone, Debug)]
pub struct MeetingInstanceFacts {
    pub meeting: MeetingFacts,
    pub participants: Vec<PersonId>,
}

#[derive(Clone, Debug)]
pub struct FeedbackFacts {
    pub org_id: OrgId,
    pub is_private: bool,
    pub author: UserId,
}

#[derive(Clone, Debug)]
pub struct OneOnOneFacts {
    pub org_id: OrgId,
    pub manager: PersonId,
    pub report: PersonId,
}

#[derive(Clone, Debug)]
pub struct InitiativeFacts {
    pub org_id: OrgId,
    pub owners: Vec<PersonId>,
}

/// A person as the subject of a report: where they sit in the reporting line.
#[derive(Clone, Debug)]
pub struct PersonFacts {
    pub org_id: OrgId,
    /// Their managers through `managerId`, nearest first (their manager, that manager's
    /// manager, …).
    pub managers: Vec<PersonId>,
}

#[derive(Clone, Debug)]
pub struct CampaignFacts {
    pub org_id: OrgId,
    pub created_by: UserId,
}

/// The entity an action is about. Entities whose rules depend only on the organization
/// (reports) carry just that.
#[derive(Clone, Debug)]
pub enum Target {
    Task(TaskFacts),
    Meeting(MeetingFacts),
    MeetingInstance(MeetingInstanceFacts),
    Initiative(InitiativeFacts),
    Report {
        org_id: OrgId,
    },
    /// A person a report is about (`report.team`).
    Person(PersonFacts),
    Feedback(FeedbackFacts),
    OneOnOne(OneOnOneFacts),
    FeedbackCampaign(CampaignFacts),
}

impl Target {
    pub fn org_id(&self) -> &OrgId {
        match self {
            Target::Task(f) => &f.org_id,
            Target::Meeting(f) => &f.org_id,
            Target::MeetingInstance(f) => &f.meeting.org_id,
            Target::Initiative(f) => &f.org_id,
            Target::Report { org_id } => org_id,
            Target::Person(f) => &f.org_id,
            Target::Feedback(f) => &f.org_id,
            Target::OneOnOne(f) => &f.org_id,
            Target::FeedbackCampaign(f) => &f.org_id,
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Target::Task(_) => Kind::Task,
            Target::Meeting(_) => Kind::Meeting,
            Target::MeetingInstance(_) => Kind::MeetingInstance,
            Target::Initiative(_) => Kind::Initiative,
            Target::Report { .. } | Target::Person(_) => Kind::Report,
            Target::Feedback(_) => Kind::Feedback,
            Target::OneOnOne(_) => Kind::OneOnOne,
            Target::FeedbackCampaign(_) => Kind::FeedbackCampaign,
        }
    }

    /// The least favourable entity of `kind` in `org`: private, and related to nobody.
    /// Holding an action on it means holding it on every entity of that kind in the
    /// organization, which is what Settings → Permissions reports for id-requiring actions.
    fn unrelated(kind: Kind, org_id: OrgId) -> Option<Target> {
        let nobody = UserId::from_db(format!("user_{}", "0".repeat(26)));
        let meeting = MeetingFacts {
            org_id: org_id.clone(),
            is_private: true,
            created_by: nobody.clone(),
            owner: None,
            participants: vec![],
        };
        Some(match kind {
            Kind::Task => Target::Task(TaskFacts {
                org_id,
                created_by: nobody,
                assignee: None,
            }),
            Kind::Meeting => Target::Meeting(meeting),
            Kind::MeetingInstance => Target::MeetingInstance(MeetingInstanceFacts {
                meeting,
                participants: vec![],
            }),
            Kind::Initiative => Target::Initiative(InitiativeFacts {
                org_id,
                owners: vec![],
            }),
            Kind::Report => Target::Report { org_id },
            Kind::Feedback => Target::Feedback(FeedbackFacts {
                org_id,
                is_private: true,
                author: nobody,
            }),
            Kind::OneOnOne => {
                let p = PersonId::from_db(format!("person_{}", "0".repeat(26)));
                Target::OneOnOne(OneOnOneFacts {
                    org_id,
                    manager: p.clone(),
                    report: p,
                })
            }
            Kind::FeedbackCampaign => Target::FeedbackCampaign(CampaignFacts {
                org_id,
                created_by: nobody,
            }),
            Kind::User => return None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Decisions.

/// A yes or no, with the sentence that explains it to a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Cow<'static, str>,
    /// Why a refusal happened; `None` when allowed.
    pub denial: Option<Denial>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    /// The caller belongs to no organization.
    NoOrganization,
    /// The caller is not linked to a person, and the rule needs one.
    NoPerson,
    /// The entity belongs to another organization (treated exactly like a missing one).
    OtherOrganization,
    /// The rule refuses this caller for this entity.
    NotPermitted,
}

fn allow(reason: impl Into<Cow<'static, str>>) -> Decision {
    Decision {
        allowed: true,
        reason: reason.into(),
        denial: None,
    }
}

fn deny(denial: Denial, reason: impl Into<Cow<'static, str>>) -> Decision {
    Decision {
        allowed: false,
        reason: reason.into(),
        denial: Some(denial),
    }
}

const ADMIN: &str = "You are an admin of this organization";
const MEMBER: &str = "You are a member of this organization";

/// Decides whether `actor` may perform `action`, on `target` when the action is about one
/// entity. With no target, an id-requiring action is judged on the least favourable entity of
/// the caller's organization: allowed only if it would be allowed on every one.
pub fn decide(actor: &Actor, action: Action, target: Option<&Target>) -> Decision {
    let Some(org) = actor.org_id.clone() else {
        return deny(
            Denial::NoOrganization,
            "You do not belong to an organization",
        );
    };
    let owned;
    let target = match target {
        Some(t) => {
            debug_assert!(
                t.kind() == action.kind()
                    || (action == Action::MeetingInstanceCreate && t.kind() == Kind::Meeting),
                "{action:?} asked about a {:?}",
                t.kind()
            );
            if t.org_id() != &org {
                return deny(Denial::OtherOrganization, action.kind().not_found_message());
            }
            Some(t)
        }
        None if action.requires_id() => {
            owned = Target::unrelated(action.kind(), org);
            owned.as_ref()
        }
        None => None,
    };
    rule(actor, action, target)
}

/// The rules of docs/API.md §7, for a caller who belongs to the target's organization.
fn rule(actor: &Actor, action: Action, target: Option<&Target>) -> Decision {
    use Action::*;
    let admin = actor.is_admin();
    let kind = action.kind();
    match (action, target) {
        // Admin, or a person.
        (
            TaskCreate
            | InitiativeCreate
            | FeedbackCreate
            | OneOnOneCreate
            | FeedbackCampaignCreate,
            _,
        ) => {
            if admin {
                allow(ADMIN)
            } else if actor.person_id.is_some() {
                allow("You are linked to a person in this organization")
            } else {
                deny(
                    Denial::NoPerson,
                    format!("You must be linked to a person to create {}", kind.plural()),
                )
            }
        }
        // A person (admins too need one: a meeting is held by people).
        (MeetingCreate, _) => {
            if actor.person_id.is_some() {
                allow("You are linked to a person in this organization")
            } else {
                deny(
                    Denial::NoPerson,
                    "You must be linked to a person to create meetings",
                )
            }
        }
        (MeetingInstanceCreate, parent) => {
            if actor.person_id.is_none() {
                return deny(
                    Denial::NoPerson,
                    "You must be linked to a person to create meeting instances",
                );
            }
            match parent {
                Some(Target::Meeting(m)) => {
                    let d = meeting_edit(actor, m);
                    if d.allowed {
                        d
                    } else {
                        deny(
                            Denial::NotPermitted,
                            "Only those who can edit the meeting can add instances to it",
                        )
                    }
                }
                _ => allow("You are linked to a person in this organization"),
            }
        }
        // Any member.
        (TaskView | InitiativeView | ReportView, _) => allow(MEMBER),
        // Admin only.
        (
            InitiativeEdit | InitiativeDelete | ReportAccess | ReportCreate | ReportEdit
            | ReportDelete | UserLinkPerson,
            _,
        ) => {
            if admin {
                allow(ADMIN)
            } else {
                deny(
                    Denial::NotPermitted,
                    match action {
                        ReportAccess => "Only organization admins can run reports".into(),
                        UserLinkPerson => {
                            "Only organization admins can link users to persons".into()
                        }
                        _ => format!(
                            "Only organization admins can {} {}",
                            action.verb(),
                            kind.plural()
                        ),
                    },
                )
            }
        }
        // The reporting line: admins report on everyone, a manager on the people below them.
        (ReportTeam, None) => {
            if admin {
                allow("You are an admin of this organization: your reports cover everyone")
            } else if actor.manages {
                allow(
                    "People report to you: your reports cover the people who report to you, directly or not",
                )
            } else if actor.person_id.is_none() {
                deny(
                    Denial::NoPerson,
                    "You must be linked to a person who has reports to run reports over a reporting line",
                )
            } else {
                deny(
                    Denial::NotPermitted,
                    "Nobody reports to you: managers run reports over their own line, admins over everyone",
                )
            }
        }
        (ReportTeam, Some(Target::Person(p))) => {
            let place = actor
                .person_id
                .as_ref()
                .and_then(|me| p.managers.iter().position(|m| m == me));
            if admin {
                allow(ADMIN)
            } else if place == Some(0) {
                allow("This person reports to you")
            } else if place.is_some() {
                allow("This person reports to you through a manager in your line")
            } else {
                deny(
                    Denial::NotPermitted,
                    "Only this person's managers, directly or not, and organization admins can run reports about them",
                )
            }
        }
        (InitiativeCheckIn, Some(Target::Initiative(i))) => {
            if admin {
                allow(ADMIN)
            } else if actor.is_any_person(&i.owners) {
                allow("You own this initiative")
            } else {
                deny(
                    Denial::NotPermitted,
                    "Only the initiative's owners and organization admins can check in on it",
                )
            }
        }
        (TaskEdit | TaskDelete, Some(Target::Task(t))) => {
            if admin {
                allow(ADMIN)
            } else if t.created_by == actor.user_id {
                allow("You created this task")
            } else if t.assignee.as_ref().is_some_and(|a| actor.is_person(a)) {
                allow("This task is assigned to you")
            } else {
                deny(
                    Denial::NotPermitted,
                    format!(
                        "Only the creator or the assignee can {} this task",
                        action.verb()
                    ),
                )
            }
        }
        (MeetingView, None) => allow(MEMBER),
        (MeetingView, Some(Target::Meeting(m))) => meeting_view(actor, m),
        (MeetingEdit, Some(Target::Meeting(m))) => meeting_edit(actor, m),
        (MeetingDelete, Some(Target::Meeting(m))) => meeting_delete(actor, m),
        (MeetingInstanceView, Some(Target::MeetingInstance(i))) => {
            let parent = meeting_view(actor, &i.meeting);
            if parent.allowed {
                parent
            } else if actor.is_any_person(&i.participants) {
                allow("You take part in this meeting instance")
            } else {
                deny(Denial::NotPermitted, "This meeting instance is private")
            }
        }
        (MeetingInstanceEdit, Some(Target::MeetingInstance(i))) => {
            let parent = meeting_edit(actor, &i.meeting);
            if parent.allowed {
                parent
            } else if actor.is_any_person(&i.participants) {
                allow("You take part in this meeting instance")
            } else {
                deny(
                    Denial::NotPermitted,
                    "Only those who can edit the meeting, or take part in this instance, can edit it",
                )
            }
        }
        (MeetingInstanceDelete, Some(Target::MeetingInstance(i))) => {
            let parent = meeting_delete(actor, &i.meeting);
            if parent.allowed {
                parent
            } else {
                deny(
                    Denial::NotPermitted,
                    "Only those who can delete the meeting can delete its instances",
                )
            }
        }
        (FeedbackView, None) => allow(MEMBER),
        (FeedbackView, Some(Target::Feedback(f))) => {
            if !f.is_private {
                allow("This feedback is not private")
            } else if admin {
                allow(ADMIN)
            } else if f.author == actor.user_id {
                allow("You wrote this feedback")
            } else {
                deny(Denial::NotPermitted, "This feedback is private")
            }
        }
        (FeedbackEdit | FeedbackDelete, Some(Target::Feedback(f))) => {
            if admin {
                allow(ADMIN)
            } else if f.author == actor.user_id {
                allow("You wrote this feedback")
            } else {
                deny(
                    Denial::NotPermitted,
                    format!("Only the author can {} this feedback", action.verb()),
                )
            }
        }
        (OneOnOneView | OneOnOneEdit | OneOnOneDelete, Some(Target::OneOnOne(o))) => {
            if actor.is_person(&o.manager) || actor.is_person(&o.report) {
                allow("You take part in this one-on-one")
            } else if admin {
                allow(
                    "You are an admin of this organization; your access is recorded in the one-on-one's access log",
                )
            } else {
                deny(
                    Denial::NotPermitted,
                    format!(
                        "Only the participants can {} this one-on-one",
                        action.verb()
                    ),
                )
            }
        }
        // The conversation of a one-on-one is the two participants' own: an admin may read the
        // shared agenda (logged, as for the one-on-one) but not write it, and nobody but its
        // author ever reads a private note (the service asks for the author too).
        (
            OneOnOneTalkingPoints | OneOnOneActionItems | OneOnOnePrivateNotes,
            Some(Target::OneOnOne(o)),
        ) => {
            if actor.is_person(&o.manager) || actor.is_person(&o.report) {
                allow(if action == OneOnOnePrivateNotes {
                    "You take part in this one-on-one; your private notes are for you alone"
                } else {
                    "You take part in this one-on-one"
                })
            } else {
                deny(
                    Denial::NotPermitted,
                    if action == OneOnOnePrivateNotes {
                        "Only the participants keep private notes on a one-on-one, each for themselves"
                            .to_owned()
                    } else {
                        format!(
                            "Only the participants can {} this one-on-one",
                            action.verb()
                        )
                    },
                )
            }
        }
        (
            FeedbackCampaignView | FeedbackCampaignEdit | FeedbackCampaignDelete,
            Some(Target::FeedbackCampaign(c)),
        ) => {
            if admin {
                allow(ADMIN)
            } else if c.created_by == actor.user_id {
                allow("You created this feedback campaign")
            } else {
                deny(
                    Denial::NotPermitted,
                    format!(
                        "Only the creator can {} this feedback campaign",
                        action.verb()
                    ),
                )
            }
        }
        // An action asked about an entity of the wrong kind: a programming error upstream.
        // Refuse rather than guess.
        _ => deny(
            Denial::NotPermitted,
            "This action does not apply to this entity",
        ),
    }
}

fn meeting_view(actor: &Actor, m: &MeetingFacts) -> Decision {
    if !m.is_private {
        allow(MEMBER)
    } else if actor.is_admin() {
        allow(ADMIN)
    } else if m.created_by == actor.user_id {
        allow("You created this meeting")
    } else if m.owner.as_ref().is_some_and(|o| actor.is_person(o)) {
        allow("You own this meeting")
    } else if actor.is_any_person(&m.participants) {
        allow("You take part in this meeting")
    } else {
        deny(Denial::NotPermitted, "This meeting is private")
    }
}

fn meeting_edit(actor: &Actor, m: &MeetingFacts) -> Decision {
    if actor.is_admin() {
        allow(ADMIN)
    } else if m.created_by == actor.user_id {
        allow("You created this meeting")
    } else if m.owner.as_ref().is_some_and(|o| actor.is_person(o)) {
        allow("You own this meeting")
    } else if actor.is_any_person(&m.participants) {
        allow("You take part in this meeting")
    } else {
        deny(
            Denial::NotPermitted,
            "Only the creator, the owner or a participant can edit this meeting",
        )
    }
}

fn meeting_delete(actor: &Actor, m: &MeetingFacts) -> Decision {
    if actor.is_admin() {
        allow(ADMIN)
    } else if m.created_by == actor.user_id {
        allow("You created this meeting")
    } else if m.owner.as_ref().is_some_and(|o| actor.is_person(o)) {
        allow("You own this meeting")
    } else {
        deny(
            Denial::NotPermitted,
            "Only the creator or the owner can delete this meeting",
        )
    }
}

/// An edit may not give the editor more than they had: whoever may edit a meeting (a
/// participant) but not delete it may not change its owner or its privacy, which would make
/// them its owner or hide it from others.
pub fn authorize_meeting_change(
    actor: &Actor,
    before: &MeetingFacts,
    after: &MeetingFacts,
) -> Result<(), Refusal> {
    let sensitive = before.owner != after.owner || before.is_private != after.is_private;
    if sensitive && !meeting_delete(actor, before).allowed {
        return Err(Refusal::Forbidden(
            "Only the creator, the owner or an admin can change a meeting's owner or privacy"
                .into(),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Turning decisions into the refusals the API reports (docs/API.md §1, "Rule for entities").

/// A refusal as the API reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 403: the caller may see the entity (or there is none) but not do this.
    Forbidden(String),
    /// 404: the caller may not see the entity; never reveal that it exists.
    NotFound(&'static str),
}

impl Refusal {
    pub fn message(&self) -> &str {
        match self {
            Refusal::Forbidden(m) => m,
            Refusal::NotFound(m) => m,
        }
    }
}

/// Authorizes `action` on an existing entity: if the caller may not even view the entity the
/// answer is 404 with the entity's not-found message; if they may view it but not do this,
/// 403 `"You do not have permission to <verb> this <entity>"`.
pub fn authorize(actor: &Actor, action: Action, target: &Target) -> Result<Decision, Refusal> {
    let kind = action.kind();
    if let Some(view) = kind.view_action() {
        let seen = decide(actor, view, Some(target));
        if !seen.allowed {
            return Err(match seen.denial {
                Some(Denial::NoOrganization) => {
                    Refusal::Forbidden(no_org_message(action).into_owned())
                }
                _ => Refusal::NotFound(kind.not_found_message()),
            });
        }
    }
    let d = decide(actor, action, Some(target));
    if d.allowed {
        Ok(d)
    } else if d.denial == Some(Denial::OtherOrganization) {
        Err(Refusal::NotFound(kind.not_found_message()))
    } else {
        Err(Refusal::Forbidden(format!(
            "You do not have permission to {} this {}",
            action.verb(),
            kind.singular()
        )))
    }
}

/// Authorizes an action that is not about one existing entity (creating, listing). The
/// parent meeting is the target of `meeting-instance.create`.
pub fn authorize_general(
    actor: &Actor,
    action: Action,
    target: Option<&Target>,
) -> Result<Decision, Refusal> {
    if let Some(parent @ Target::Meeting(_)) = target {
        // The parent must be visible before anything else is said about it.
        let seen = decide(actor, Action::MeetingView, Some(parent));
        if !seen.allowed && seen.denial != Some(Denial::NoOrganization) {
            return Err(Refusal::NotFound(Kind::Meeting.not_found_message()));
        }
    }
    let d = decide(actor, action, target);
    if d.allowed {
        return Ok(d);
    }
    Err(match (action, d.denial) {
        (_, Some(Denial::NoOrganization)) => {
            Refusal::Forbidden(no_org_message(action).into_owned())
        }
        // The one-on-one spec's own words for a caller who is not a person.
        (Action::OneOnOneCreate, Some(Denial::NoPerson)) => {
            Refusal::Forbidden("No person record found for current user".into())
        }
        (_, Some(Denial::OtherOrganization)) => {
            Refusal::NotFound(action.kind().not_found_message())
        }
        _ => Refusal::Forbidden(d.reason.into_owned()),
    })
}

/// The 403 message for a caller who belongs to no organization.
pub fn no_org_message(action: Action) -> Cow<'static, str> {
    match action.kind() {
        // docs/API.md §6 uses the short form for every one-on-one operation.
        Kind::OneOnOne => "User must belong to an organization".into(),
        Kind::User => "User must belong to an organization to link users to persons".into(),
        kind => format!(
            "User must belong to an organization to {} {}",
            action.verb(),
            kind.plural()
        )
        .into(),
    }
}

/// A non-admin may only schedule one-on-ones they take part in, when creating one and as the
/// result of an edit (so nobody can hand their one-on-one over to two other people).
pub fn authorize_oneonone_participants(
    actor: &Actor,
    manager: &PersonId,
    report: &PersonId,
) -> Result<(), Refusal> {
    if actor.is_admin() || actor.is_person(manager) || actor.is_person(report) {
        Ok(())
    } else {
        Err(Refusal::Forbidden(
            "You can only schedule one-on-ones you take part in".into(),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// One-on-ones: the spec's own words for who may even ask.

pub const NO_PERSON: &str = "No person record found for current user";

/// Any one-on-one operation: the caller must belong to an organization, and a non-admin must
/// be linked to a person (docs/API.md §6). Returns the organization.
pub fn authorize_oneonone_caller(actor: &Actor) -> Result<OrgId, Refusal> {
    let org = actor
        .org_id
        .clone()
        .ok_or_else(|| Refusal::Forbidden("User must belong to an organization".into()))?;
    if !actor.is_admin() && actor.person_id.is_none() {
        return Err(Refusal::Forbidden(NO_PERSON.into()));
    }
    Ok(org)
}

/// The one-on-ones list is the caller's own: those where their person is the manager or the
/// report, for admins too (docs/API.md §6). Returns that person.
pub fn oneonone_list_scope(actor: &Actor) -> Result<(OrgId, PersonId), Refusal> {
    let org = actor.org_id.clone().ok_or_else(|| {
        Refusal::Forbidden("User must belong to an organization to view one-on-ones".into())
    })?;
    let person = actor
        .person_id
        .clone()
        .ok_or_else(|| Refusal::Forbidden(NO_PERSON.into()))?;
    Ok((org, person))
}

/// Whether the caller takes part in the one-on-one (as opposed to reaching it as an admin,
/// which is written to its access log).
pub fn takes_part(actor: &Actor, o: &OneOnOneFacts) -> bool {
    actor.org_id.as_ref() == Some(&o.org_id)
        && (actor.is_person(&o.manager) || actor.is_person(&o.report))
}

/// A manager change of `person`, from `old_manager` to `new_manager`.
#[derive(Clone, Debug)]
pub struct HandoffFacts {
    pub org_id: OrgId,
    pub person: PersonId,
    pub old_manager: PersonId,
    pub new_manager: PersonId,
}

pub const HANDOFF_NOT_FOUND: &str = "Handoff not found";

/// Whether the caller was one of the old pair of a handoff (the person or the old manager).
/// Anyone else who reads its offer — the new manager — reads part of one-on-ones they did not
/// take part in, which is logged as an admin's opening is (issue 24).
pub fn took_part_before(actor: &Actor, h: &HandoffFacts) -> bool {
    actor.org_id.as_ref() == Some(&h.org_id)
        && (actor.is_person(&h.person) || actor.is_person(&h.old_manager))
}

/// A handoff is offered to the two people of the new relationship: the person and their new
/// manager. The old manager keeps the history they took part in and gains nothing new; an admin
/// (who made the change) decides nothing about a conversation they do not take part in. To
/// anyone else it does not exist.
pub fn authorize_handoff(actor: &Actor, h: &HandoffFacts) -> Result<(), Refusal> {
    if actor.org_id.as_ref() == Some(&h.org_id)
        && (actor.is_person(&h.person) || actor.is_person(&h.new_manager))
    {
        Ok(())
    } else {
        Err(Refusal::NotFound(HANDOFF_NOT_FOUND))
    }
}

/// The access log of a one-on-one is for its participants. An admin (who can see the
/// one-on-one) is refused with a 403; anyone else learns nothing (404).
pub fn authorize_access_log(actor: &Actor, o: &OneOnOneFacts) -> Result<(), Refusal> {
    if takes_part(actor, o) {
        Ok(())
    } else if actor.is_admin() && actor.org_id.as_ref() == Some(&o.org_id) {
        Err(Refusal::Forbidden(
            "Only the participants can read the access log of a one-on-one".into(),
        ))
    } else {
        Err(Refusal::NotFound(Kind::OneOnOne.not_found_message()))
    }
}

// ---------------------------------------------------------------------------------------------
// Claims by the caller on records that carry an email address.

pub const SELF_LINK_NOT_FOUND: &str =
    "Person not found, access denied, or already linked to another user";
pub const INVITATION_NOT_FOUND: &str = "Invitation not found or expired";

/// What self-linking needs to know about a person.
pub struct ClaimablePerson<'a> {
    pub org_id: &'a OrgId,
    pub email: Option<&'a str>,
    pub linked_to_someone: bool,
}

/// A member may link themselves only to a person of their organization that no user is linked
/// to **and whose email is their own**: claiming someone else's record would hand over that
/// person's one-on-ones (docs/API.md §3). Every refusal is the same 404.
pub fn authorize_self_link(
    actor: &Actor,
    actor_email: &Email,
    person: &ClaimablePerson<'_>,
) -> Result<(), Refusal> {
    let allowed = actor.org_id.as_ref() == Some(person.org_id)
        && !person.linked_to_someone
        && person.email == Some(actor_email.as_str());
    if allowed {
        Ok(())
    } else {
        Err(Refusal::NotFound(SELF_LINK_NOT_FOUND))
    }
}

/// Only the address an invitation was sent to may accept it, whether by id or by the emailed
/// link; anyone else is told it does not exist.
pub fn authorize_invitation_acceptance(
    actor_email: &Email,
    invited: &Email,
) -> Result<(), Refusal> {
    if actor_email == invited {
        Ok(())
    } else {
        Err(Refusal::NotFound(INVITATION_NOT_FOUND))
    }
}

/// Until an account has proved its address, it joins no organization by an invitation's id,
/// sees no invitation and links to no person: anyone can type an address at sign-up.
pub const UNVERIFIED: &str =
    "Verify your email address first: open the link we mailed you, or ask for a new one";
/// An admin links a member whose address is not verified.
pub const TARGET_UNVERIFIED: &str = "This user has not verified their email address yet";

pub fn authorize_verified(verified: bool, message: &str) -> Result<(), Refusal> {
    if verified {
        Ok(())
    } else {
        Err(Refusal::Forbidden(message.into()))
    }
}

// ---------------------------------------------------------------------------------------------
// Organization administration: the admin-only operations of docs/API.md §4 and the
// people/teams writes. Each is checked in the order the spec fixes: the admin role first,
// then organization membership.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgAction {
    ViewInvitations,
    SendInvitation,
    RevokeInvitation,
    ReactivateInvitation,
    ViewMembers,
    ChangeRole,
    RemoveMember,
    ViewLinkableUsers,
    LinkUser,
    UnlinkUser,
    CreatePerson,
    UpdatePerson,
    DeletePerson,
    CreateTeam,
    UpdateTeam,
    DeleteTeam,
    /// Any member: reading the organization, its people and teams.
    ViewOrganization,
    ViewPeople,
    ViewTeams,
    /// Any member: linking oneself to one's own person record.
    LinkSelf,
    /// Any member: leaving the organization (the last admin may not).
    Leave,
    /// Admins: reading the organization's audit log of security events.
    ViewAuditLog,
    /// Admins: the list of every one-on-one of the organization (who and when; opening one
    /// is logged as any admin's opening is).
    ViewAllOneOnOnes,
}

impl OrgAction {
    /// `(message when not an admin, message when not in an organization)`; the first is
    /// `None` for actions any member may take.
    fn messages(self) -> (Option<&'static str>, &'static str) {
        use OrgAction::*;
        match self {
            ViewInvitations => (
                Some("Only organization admins can view invitations"),
                "User must belong to an organization to view invitations",
            ),
            SendInvitation => (
                Some("Only organization admins can send invitations"),
                "User must belong to an organization to send invitations",
            ),
            RevokeInvitation => (
                Some("Only organization admins can revoke invitations"),
                "User must belong to an organization to manage invitations",
            ),
            ReactivateInvitation => (
                Some("Only organization admins can reactivate invitations"),
                "User must belong to an organization to manage invitations",
            ),
            ViewMembers => (
                Some("Only organization admins can view organization members"),
                "User must belong to an organization to view members",
            ),
            ChangeRole => (
                Some("Only organization admins can change user roles"),
                "User must belong to an organization to manage roles",
            ),
            RemoveMember => (
                Some("Only organization admins can remove users from the organization"),
                "User must belong to an organization to manage members",
            ),
            ViewLinkableUsers => (
                Some("Only organization admins can view available users for linking"),
                "User must belong to an organization to view available users for linking",
            ),
            LinkUser => (
                Some("Only organization admins can link users to persons"),
                "User must belong to an organization to link users to persons",
            ),
            UnlinkUser => (
                Some("Only organization admins can unlink users from persons"),
                "User must belong to an organization to manage user-person links",
            ),
            CreatePerson => (
                Some("Only organization admins can create people"),
                "User must belong to an organization to manage people",
            ),
            UpdatePerson => (
                Some("Only organization admins can update people"),
                "User must belong to an organization to manage people",
            ),
            DeletePerson => (
                Some("Only organization admins can delete people"),
                "User must belong to an organization to manage people",
            ),
            CreateTeam => (
                Some("Only organization admins can create teams"),
                "User must belong to an organization to manage teams",
            ),
            UpdateTeam => (
                Some("Only organization admins can update teams"),
                "User must belong to an organization to manage teams",
            ),
            DeleteTeam => (
                Some("Only organization admins can delete teams"),
                "User must belong to an organization to manage teams",
            ),
            ViewOrganization => (None, "User must belong to an organization"),
            ViewPeople => (None, "User must belong to an organization to view people"),
            ViewTeams => (None, "User must belong to an organization to view teams"),
            LinkSelf => (
                None,
                "User must belong to an organization to link to a person",
            ),
            Leave => (None, "User must belong to an organization to leave it"),
            ViewAuditLog => (
                Some("Only organization admins can view the audit log"),
                "User must belong to an organization to view its audit log",
            ),
            ViewAllOneOnOnes => (
                Some("Only organization admins can view all of the organization's one-on-ones"),
                "User must belong to an organization to view one-on-ones",
            ),
        }
    }
}

/// Authorizes an organization-level operation and returns the caller's organization.
pub fn authorize_org(actor: &Actor, action: OrgAction) -> Result<OrgId, Refusal> {
    let (admin_msg, no_org_msg) = action.messages();
    if let Some(msg) = admin_msg
        && actor.role != Role::Admin
    {
        return Err(Refusal::Forbidden(msg.into()));
    }
    actor
        .org_id
        .clone()
        .ok_or_else(|| Refusal::Forbidden(no_org_msg.into()))
}

// ---------------------------------------------------------------------------------------------
// List scopes: the view rules of docs/API.md §7 in a form a query can apply. The store turns
// each into SQL; the API test `list_scopes` holds the SQL equal to `decide(view)` on real rows
// of both databases.

/// Whose rows a report run shows (`report.access`, `report.team`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportScope {
    /// An admin: everyone in the organization.
    All,
    /// A manager: the people who report to this person, directly or not (not the manager).
    LineOf(PersonId),
}

/// The scope of a report run by whoever holds `report.team`: an admin over everyone, a
/// manager over their own line. (An admin's `report.access` runs a saved report over everyone.)
pub fn report_scope(actor: &Actor) -> Result<ReportScope, Refusal> {
    let d = authorize_general(actor, Action::ReportTeam, None)?;
    match &actor.person_id {
        _ if actor.is_admin() => Ok(ReportScope::All),
        Some(me) => Ok(ReportScope::LineOf(me.clone())),
        None => Err(Refusal::Forbidden(d.reason.into_owned())),
    }
}

/// Who may see which meetings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeetingScope {
    All,
    /// Non-private meetings, and private ones the caller created, owns or takes part in.
    VisibleTo {
        user: UserId,
        person: Option<PersonId>,
    },
}

pub fn meeting_scope(actor: &Actor) -> MeetingScope {
    if actor.is_admin() {
        MeetingScope::All
    } else {
        MeetingScope::VisibleTo {
            user: actor.user_id.clone(),
            person: actor.person_id.clone(),
        }
    }
}

/// Which instances of one meeting the caller sees: all of them when the meeting is visible,
/// otherwise only those they take part in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstanceScope {
    All,
    ParticipantOnly(Option<PersonId>),
}

pub fn instance_scope(actor: &Actor, meeting: &MeetingFacts) -> InstanceScope {
    if meeting_view(actor, meeting).allowed {
        InstanceScope::All
    } else {
        InstanceScope::ParticipantOnly(actor.person_id.clone())
    }
}

/// Who may see which feedback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedbackScope {
    All,
    /// Non-private feedback, and private feedback the caller wrote.
    PublicOrAuthoredBy(UserId),
}

pub fn feedback_scope(actor: &Actor) -> FeedbackScope {
    if actor.is_admin() {
        FeedbackScope::All
    } else {
        FeedbackScope::PublicOrAuthoredBy(actor.user_id.clone())
    }
}

/// Who may see which feedback campaigns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CampaignScope {
    All,
    CreatedBy(UserId),
}

/// The campaigns about the caller (issue 24): their subject sees who was asked about them,
/// and which of those are outside the organization, never the answers. Only the caller's own
/// person's; a member not linked to a person has none (`None`).
pub fn campaign_subject_scope(actor: &Actor) -> Result<Option<(OrgId, PersonId)>, Refusal> {
    let org = actor.org_id.clone().ok_or_else(|| {
        Refusal::Forbidden("User must belong to an organization to view feedback campaigns".into())
    })?;
    Ok(actor.person_id.clone().map(|p| (org, p)))
}

pub fn campaign_scope(actor: &Actor) -> CampaignScope {
    if actor.is_admin() {
        CampaignScope::All
    } else {
        CampaignScope::CreatedBy(actor.user_id.clone())
    }
}

#[cfg(test)]
mod tests;
