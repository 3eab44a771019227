//! Notifications (docs/API.md §3.1): emails a user chose to get, each sent once.
//!
//! Every notification goes through the durable outbox (`crate::outbox`) and the mail budgets,
//! as every email does, and only to a user who wants its kind (`repo::notifications::Prefs`).
//! Each has a key naming its kind, its entity and its occurrence (`reminder:<one-on-one>:
//! <start>:<user>`): the key is recorded in the transaction that queues the email, with
//! `ON CONFLICT DO NOTHING`, so however many replicas look for due reminders at once, one
//! queues it. Every notification carries a one-click unsubscribe link for its kind
//! (`List-Unsubscribe` and `List-Unsubscribe-Post`, RFC 8058) that needs no sign-in: its token
//! is an HMAC of the user and the kind under the server's key, so it cannot be forged.
//!
//! Events (a task assigned, a meeting one was added to, a handoff, a campaign's minimum of
//! answers) notify in the transaction of the change; reminders and the weekly digest are
//! found by the scheduler ([`run_due`], from the server's housekeeping).

use crate::{error::ApiError, mail::Mail, state::AppState};
use manageros_core::{NotificationKind, OneOnOneId, OrgId, UserId};
use manageros_store::{
    ConnectionTrait,
    repo::{
        notifications::{self, Prefs},
        users::User,
    },
};

/// How long the keys of sent notifications are kept (their moment is long past by then).
pub const KEEP_KEYS_DAYS: i64 = 60;

/// A notification to send: its kind, its once-only key, and its text.
pub struct Notice {
    pub kind: NotificationKind,
    pub key: String,
    pub subject: String,
    pub body: String,
    /// The HTML part, rendered with [`unsubscribe_url`] in its footer.
    pub html: String,
}

fn mac(state: &AppState, user: &UserId, kind: NotificationKind) -> String {
    state
        .config
        .form_key
        .sign("unsubscribe", &[user.as_str(), kind.as_str()])
}

/// The token of `user`'s unsubscribe link for `kind`: `<user>.<kind>.<mac>`.
pub fn unsubscribe_token(state: &AppState, user: &UserId, kind: NotificationKind) -> String {
    format!("{user}.{}.{}", kind.as_str(), mac(state, user, kind))
}

pub fn unsubscribe_url(state: &AppState, user: &UserId, kind: NotificationKind) -> String {
    format!(
        "{}/unsubscribe/{}",
        state.config.public_url,
        unsubscribe_token(state, user, kind)
    )
}

pub const BAD_LINK: &str = "This unsubscribe link is not valid";

/// The user and kind an unsubscribe token names, if it is one the server made.
fn read_token(state: &AppState, token: &str) -> Option<(UserId, NotificationKind)> {
    let mut parts = token.trim().splitn(3, '.');
    let (user, kind, given) = (parts.next()?, parts.next()?, parts.next()?);
    let user = UserId::parse(user)?;
    let kind = NotificationKind::parse(kind).ok()?;
    crate::config::same_code(&mac(state, &user, kind), given).then_some((user, kind))
}

/// What an unsubscribe link is about, for its page: the kind, and the address it stops.
pub async fn unsubscribe_target(
    state: &AppState,
    token: &str,
) -> Result<(NotificationKind, String), ApiError> {
    let (user, kind) = read_token(state, token).ok_or_else(|| ApiError::not_found(BAD_LINK))?;
    let u = manageros_store::repo::users::find(&state.db, &user)
        .await?
        .ok_or_else(|| ApiError::not_found(BAD_LINK))?;
    Ok((kind, u.email.to_string()))
}

/// One-click unsubscribe (RFC 8058): the link's user no longer gets its kind. No sign-in; the
/// token is the credential. Doing it twice is the same as once.
pub async fn unsubscribe(state: &AppState, token: &str) -> Result<NotificationKind, ApiError> {
    let (user, kind) = read_token(state, token).ok_or_else(|| ApiError::not_found(BAD_LINK))?;
    let txn = manageros_store::begin_write(&state.db).await?;
    let mut prefs = notifications::prefs(&txn, &user)
        .await?
        .ok_or_else(|| ApiError::not_found(BAD_LINK))?;
    prefs.kinds.remove(&kind);
    notifications::set_prefs(&txn, &user, &prefs).await?;
    txn.commit().await?;
    Ok(kind)
}

/// Sends `n` to `user` if they want its kind and it was not sent before, within the mail
/// budgets (past them it is dropped, as every notice is); inside the caller's write. Returns
/// whether it was queued.
pub(crate) async fn send(
    db: &impl ConnectionTrait,
    state: &AppState,
    org: &OrgId,
    user: &User,
    prefs: &Prefs,
    n: Notice,
) -> Result<bool, ApiError> {
    if !prefs.wants(n.kind) || user.organization_id.as_ref() != Some(org) {
        return Ok(false);
    }
    if !notifications::claim(db, org, &n.key, state.now()).await? {
        return Ok(false);
    }
    if !state
        .mail_budget
        .take_for_notice(db, state.now(), org, user.email.as_str())
        .await?
    {
        tracing::info!(
            kind = n.kind.as_str(),
            "notification dropped: a mail budget is used up"
        );
        return Ok(false);
    }
    let url = unsubscribe_url(state, &user.id, n.kind);
    let mail = Mail {
        to: user.email.to_string(),
        subject: n.subject,
        body: format!(
            "{}\n\n--\nYou get this because of your email settings in ManagerOS.\nStop {}: {url}\n",
            n.body,
            n.kind.short()
        ),
        html: n.html,
        unsubscribe: Some(url),
    };
    crate::outbox::queue(db, state, &mail, Some(org), None).await?;
    Ok(true)
}

/// [`send`] to whoever is linked to `person` (nobody: nothing), reading their choices.
pub(crate) async fn send_to_person(
    db: &impl ConnectionTrait,
    state: &AppState,
    org: &OrgId,
    person: &manageros_core::PersonId,
    n: impl FnOnce(&User, &Prefs) -> Result<Notice, ApiError>,
) -> Result<bool, ApiError> {
    let Some(user) = manageros_store::repo::users::linked_to(db, org, person).await? else {
        return Ok(false);
    };
    send_to_user(db, state, org, &user, n).await
}

/// [`send`] to `user`, reading their choices.
pub(crate) async fn send_to_user(
    db: &impl ConnectionTrait,
    state: &AppState,
    org: &OrgId,
    user: &User,
    n: impl FnOnce(&User, &Prefs) -> Result<Notice, ApiError>,
) -> Result<bool, ApiError> {
    let Some(prefs) = notifications::prefs(db, &user.id).await? else {
        return Ok(false);
    };
    let notice = n(user, &prefs)?;
    send(db, state, org, user, &prefs, notice).await
}

// ---------------------------------------------------------------------------------------------
// What each notification says.

/// An instant as a person reads it in their zone: "Tue, Dec 8, 2026, 10:00 AM
/// (Europe/Paris)"; UTC for someone who has not chosen a zone (`core::display`).
pub fn local_text(zone: Option<&str>, t: manageros_core::Timestamp) -> String {
    manageros_core::display::instant(t, zone)
}

async fn name_of(db: &impl ConnectionTrait, user: &UserId) -> Result<String, ApiError> {
    Ok(manageros_store::repo::users::find(db, user)
        .await?
        .map_or_else(|| "Someone".to_owned(), |u| u.name))
}

/// A task (or an action item) was assigned to someone else than the one assigning it.
pub(crate) async fn task_assigned(
    db: &impl ConnectionTrait,
    state: &AppState,
    actor: &manageros_core::authz::Actor,
    task: &manageros_store::repo::tasks::Task,
) -> Result<(), ApiError> {
    let Some(assignee) = &task.assignee_id else {
        return Ok(());
    };
    if actor.person_id.as_ref() == Some(assignee) {
        return Ok(());
    }
    let by = name_of(db, &actor.user_id).await?;
    let org = &task.organization_id;
    let link = format!("{}/tasks/{}", state.config.public_url, task.id);
    send_to_person(db, state, org, assignee, |user, _| {
        let kind = NotificationKind::Assigned;
        let unsubscribe = unsubscribe_url(state, &user.id, kind);
        let due = task.due_date.map(manageros_core::display::day);
        let html = crate::mail::html::Assigned {
            name: &user.name,
            by: &by,
            title: &task.title,
            action_item: task.oneonone_id.is_some(),
            due: due.clone(),
            link: &link,
            unsubscribe: &unsubscribe,
            stop: kind.short(),
        };
        Ok(Notice {
            kind,
            key: format!("assigned:{}:{assignee}", task.id),
            subject: format!("Assigned to you: \u{201c}{}\u{201d}", task.title),
            body: format!(
                "Hello {},\n\n{by} assigned you \u{201c}{}\u{201d}{}.\n\n{link}",
                user.name,
                task.title,
                due.map(|d| format!(", due {d}")).unwrap_or_default()
            ),
            html: render(&html)?,
        })
    })
    .await?;
    Ok(())
}

/// People were added to a meeting (on its creation or a change), other than the one adding.
pub(crate) async fn added_to_meeting(
    db: &impl ConnectionTrait,
    state: &AppState,
    actor: &manageros_core::authz::Actor,
    m: &manageros_store::repo::meetings::Meeting,
    added: &[manageros_core::PersonId],
) -> Result<(), ApiError> {
    let by = name_of(db, &actor.user_id).await?;
    let link = format!("{}/meetings/{}", state.config.public_url, m.id);
    for person in added {
        if actor.person_id.as_ref() == Some(person) {
            continue;
        }
        send_to_person(db, state, &m.organization_id, person, |user, prefs| {
            let kind = NotificationKind::Meeting;
            let unsubscribe = unsubscribe_url(state, &user.id, kind);
            let when = local_text(prefs.time_zone.as_deref(), m.scheduled_at);
            let html = crate::mail::html::MeetingAdded {
                name: &user.name,
                by: &by,
                title: &m.title,
                when: &when,
                link: &link,
                unsubscribe: &unsubscribe,
                stop: kind.short(),
            };
            Ok(Notice {
                kind,
                key: format!("meeting:{}:{person}", m.id),
                subject: format!("Meeting: \u{201c}{}\u{201d}", m.title),
                body: format!(
                    "Hello {},\n\n{by} added you to the meeting \u{201c}{}\u{201d} on {when}.\n\n{link}",
                    user.name, m.title
                ),
                html: render(&html)?,
            })
        })
        .await?;
    }
    Ok(())
}

/// A feedback campaign reached its minimum of answers: its creator may read them.
pub(crate) async fn campaign_ready(
    db: &impl ConnectionTrait,
    state: &AppState,
    c: &manageros_store::repo::campaigns::Campaign,
    count: u64,
) -> Result<(), ApiError> {
    let Some(creator) = manageros_store::repo::users::find(db, &c.created_by).await? else {
        return Ok(());
    };
    let link = format!("{}/campaigns/{}", state.config.public_url, c.id);
    send_to_user(db, state, &c.organization_id, &creator, |user, _| {
        let kind = NotificationKind::Campaign;
        let unsubscribe = unsubscribe_url(state, &user.id, kind);
        let html = crate::mail::html::CampaignReady {
            name: &user.name,
            campaign: &c.name,
            count,
            link: &link,
            unsubscribe: &unsubscribe,
            stop: kind.short(),
        };
        Ok(Notice {
            kind,
            key: format!("campaign:{}:ready", c.id),
            subject: format!("Answers to read: \u{201c}{}\u{201d}", c.name),
            body: format!(
                "Hello {},\n\nYour feedback campaign \u{201c}{}\u{201d} has {count} answers: enough for them to be shown.\n\n{link}",
                user.name, c.name
            ),
            html: render(&html)?,
        })
    })
    .await?;
    Ok(())
}

/// A handoff waits for the person and the new manager: names and a count, never the items.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn handoff_waiting(
    db: &impl ConnectionTrait,
    state: &AppState,
    org: &OrgId,
    handoff: &manageros_core::HandoffId,
    to: &[&manageros_core::PersonId],
    person: &str,
    old_manager: &str,
    new_manager: &str,
    items: usize,
) -> Result<(), ApiError> {
    let link = format!("{}/oneonones", state.config.public_url);
    for who in to {
        send_to_person(db, state, org, who, |user, _| {
            let kind = NotificationKind::Handoff;
            let unsubscribe = unsubscribe_url(state, &user.id, kind);
            let html = crate::mail::html::HandoffWaiting {
                name: &user.name,
                person,
                old_manager,
                new_manager,
                items,
                link: &link,
                unsubscribe: &unsubscribe,
                stop: kind.short(),
            };
            Ok(Notice {
                kind,
                key: format!("handoff:{handoff}:{who}"),
                subject: format!("Open items of \u{201c}{person}\u{201d} to move"),
                body: format!(
                    "Hello {},\n\n\u{201c}{person}\u{201d} now reports to \u{201c}{new_manager}\u{201d} instead of \u{201c}{old_manager}\u{201d}.\n\
                     The old relationship has {items} open item(s) you can choose to move into the\n\
                     new one-on-ones. Nothing moves until one of you decides:\n\n{link}",
                    user.name
                ),
                html: render(&html)?,
            })
        })
        .await?;
    }
    Ok(())
}

fn render(t: &impl askama::Template) -> Result<String, ApiError> {
    t.render()
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))
}

// ---------------------------------------------------------------------------------------------
// The scheduler: reminders and the weekly digest.

/// One-on-ones looked at per scheduler pass (the soonest first; the rest at the next pass).
const REMINDER_BATCH: u64 = 2_000;
/// Digest readers per pass.
const DIGEST_BATCH: u64 = 2_000;
/// The local hour reminders go out at, and the Monday digest.
const MORNING: u32 = 9;
const DIGEST_HOUR: u32 = 8;

/// When `user`'s reminder of a one-on-one at `start` is due: 09:00 in their zone, their chosen
/// number of days before its day.
pub fn reminder_at(prefs: &Prefs, start: manageros_core::Timestamp) -> manageros_core::Timestamp {
    use manageros_core::recurrence;
    let tz = prefs
        .time_zone
        .as_deref()
        .and_then(recurrence::parse_tz)
        .unwrap_or(recurrence::Tz::UTC);
    let day = recurrence::local(tz, start).date()
        - chrono::Duration::days(i64::from(prefs.reminder_days_before));
    recurrence::instant(tz, day.and_hms_opt(MORNING, 0, 0).unwrap_or_default())
}

/// Sends what is due: the reminders of one-on-ones whose moment came, and the Monday digests.
/// Any number of replicas may run it at once: each notification's key is claimed once.
/// Returns how many were queued.
pub async fn run_due(state: &AppState) -> Result<u64, ApiError> {
    let sent = reminders(state).await? + digests(state).await?;
    if sent > 0 {
        state.outbox.wake();
    }
    Ok(sent)
}

/// Reads every one-on-one that could be reminded of now (those starting within the longest
/// lead anyone chose, plus a day either side of the zones), a page at a time.
async fn reminders(state: &AppState) -> Result<u64, ApiError> {
    let now = state.now();
    let lead = notifications::longest_reminder_lead(&state.db).await?;
    let until = now.plus_days(i64::from(lead) + 2);
    let mut sent = 0;
    let mut from: Option<(manageros_core::Timestamp, OneOnOneId)> = None;
    loop {
        let soon = manageros_store::repo::oneonones::starting_between(
            &state.db,
            now,
            until,
            from.as_ref().map(|(at, id)| (*at, id)),
            REMINDER_BATCH,
        )
        .await?;
        sent += remind(state, now, &soon).await?;
        match soon.last() {
            Some(last) if soon.len() as u64 == REMINDER_BATCH => {
                from = Some((last.one_on_one.scheduled_at, last.one_on_one.id.clone()));
            }
            _ => return Ok(sent),
        }
    }
}

/// The reminders due now of the one-on-ones `soon`, each to whoever wants it and has not had it.
async fn remind(
    state: &AppState,
    now: manageros_core::Timestamp,
    soon: &[manageros_store::repo::oneonones::OneOnOneWithPeople],
) -> Result<u64, ApiError> {
    use manageros_store::repo::users;
    let ids: Vec<UserId> = soon
        .iter()
        .flat_map(|o| [o.manager.user_id.clone(), o.report.user_id.clone()])
        .flatten()
        .collect();
    let prefs: std::collections::HashMap<UserId, Prefs> = notifications::prefs_of(&state.db, &ids)
        .await?
        .into_iter()
        .collect();
    let mut sent = 0;
    for o in soon {
        let one = &o.one_on_one;
        for (me, other) in [(&o.manager, &o.report), (&o.report, &o.manager)] {
            let Some(uid) = &me.user_id else { continue };
            let Some(p) = prefs.get(uid) else { continue };
            if !p.wants(NotificationKind::Reminder) || reminder_at(p, one.scheduled_at) > now {
                continue;
            }
            let key = format!("reminder:{}:{}:{uid}", one.id, one.scheduled_at.as_millis());
            let org = &one.organization_id;
            if !notifications::already(&state.db, org, std::slice::from_ref(&key))
                .await?
                .is_empty()
            {
                continue;
            }
            let Some(user) = users::find(&state.db, uid).await? else {
                continue;
            };
            // The agenda as the participants see it (a read: nothing is carried here).
            let agenda = crate::conversation::agenda_of(state, o).await?;
            let points: Vec<String> = agenda
                .points
                .iter()
                .filter(|p| p.done_at.is_none())
                .map(|p| p.body.clone())
                .collect();
            let when = local_text(p.time_zone.as_deref(), one.scheduled_at);
            let link = format!("{}/oneonones/{}#new-point", state.config.public_url, one.id);
            let kind = NotificationKind::Reminder;
            let unsubscribe = unsubscribe_url(state, uid, kind);
            let html = crate::mail::html::Reminder {
                name: &user.name,
                other: &other.name,
                when: &when,
                minutes: one.duration_minutes(),
                points: points.clone(),
                link: &link,
                unsubscribe: &unsubscribe,
                stop: kind.short(),
            };
            let agenda_text = if points.is_empty() {
                "The agenda is empty so far.".to_owned()
            } else {
                format!(
                    "The agenda so far:\n{}",
                    points
                        .iter()
                        .map(|p| format!("- \u{201c}{p}\u{201d}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            };
            let n = Notice {
                kind,
                key,
                subject: format!("One-on-one with \u{201c}{}\u{201d}, {when}", other.name),
                body: format!(
                    "Hello {},\n\nYour one-on-one with \u{201c}{}\u{201d} is on {when} ({} minutes).\n\n{agenda_text}\n\nAdd a talking point: {link}",
                    user.name,
                    other.name,
                    one.duration_minutes()
                ),
                html: render(&html)?,
            };
            let txn = manageros_store::begin_write(&state.db).await?;
            if send(&txn, state, org, &user, p, n).await? {
                sent += 1;
            }
            txn.commit().await?;
        }
    }
    Ok(sent)
}

async fn digests(state: &AppState) -> Result<u64, ApiError> {
    let now = state.now();
    let mut sent = 0;
    let mut after = None;
    loop {
        let (readers, last) =
            notifications::digest_readers(&state.db, after.as_ref(), DIGEST_BATCH).await?;
        for (user, p) in readers {
            sent += digest(state, now, user, p).await?;
        }
        match last {
            Some(last) => after = Some(last),
            None => return Ok(sent),
        }
    }
}

/// The digest of `user` if it is Monday morning in their zone and this week's was not sent.
async fn digest(
    state: &AppState,
    now: manageros_core::Timestamp,
    user: User,
    p: Prefs,
) -> Result<u64, ApiError> {
    use chrono::{Datelike, Timelike, Weekday};
    use manageros_core::recurrence;
    let (Some(org), Some(person)) = (&user.organization_id, &user.person_id) else {
        return Ok(0);
    };
    let tz = p
        .time_zone
        .as_deref()
        .and_then(recurrence::parse_tz)
        .unwrap_or(recurrence::Tz::UTC);
    let local = recurrence::local(tz, now);
    if local.weekday() != Weekday::Mon || local.time().hour() < DIGEST_HOUR {
        return Ok(0);
    }
    let week = local.date().iso_week();
    let key = format!("digest:{}:{}-W{:02}", user.id, week.year(), week.week());
    if !notifications::already(&state.db, org, std::slice::from_ref(&key))
        .await?
        .is_empty()
    {
        return Ok(0);
    }
    let actor = user.actor();
    let week_end = recurrence::instant(
        tz,
        (local.date() + chrono::Duration::days(7)).and_time(chrono::NaiveTime::MIN),
    );
    let (mine, _) = crate::oneonones::list(
        state,
        &actor,
        None,
        crate::oneonones::OneOnOnesQuery {
            scheduled_from: Some(now.to_rfc3339()),
            scheduled_to: Some(week_end.plus_millis(-1).to_rfc3339()),
            sort: Some("scheduledAt:asc".into()),
            ..Default::default()
        },
        &crate::parse::Paging {
            page: None,
            limit: Some("50".into()),
        },
    )
    .await?;
    let oneonones: Vec<String> = mine
        .iter()
        .map(|o| {
            let other = if &o.one_on_one.manager_id == person {
                &o.report.name
            } else {
                &o.manager.name
            };
            format!(
                "{} with \u{201c}{other}\u{201d}",
                local_text(p.time_zone.as_deref(), o.one_on_one.scheduled_at)
            )
        })
        .collect();
    let (open, _) = crate::tasks::open_assigned_to(state, &actor, person, 100).await?;
    let action_items: Vec<String> = open
        .iter()
        .filter(|t| t.oneonone_id.is_some())
        .map(|t| t.title.clone())
        .collect();
    let overdue: Vec<String> = open
        .iter()
        .filter(|t| t.due_date.is_some_and(|d| d < now))
        .map(|t| t.title.clone())
        .collect();
    let kind = NotificationKind::Digest;
    let unsubscribe = unsubscribe_url(state, &user.id, kind);
    let link = state.config.public_url.clone();
    let list = |items: &[String]| {
        if items.is_empty() {
            "None.".to_owned()
        } else {
            items
                .iter()
                .map(|i| format!("- {i}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    let body = format!(
        "Hello {},\n\nThis week's one-on-ones:\n{}\n\nYour open action items:\n{}\n\nOverdue tasks:\n{}\n\n{link}",
        user.name,
        list(&oneonones),
        list(&action_items),
        list(&overdue)
    );
    let html = crate::mail::html::Digest {
        name: &user.name,
        oneonones,
        action_items,
        overdue,
        link: &link,
        unsubscribe: &unsubscribe,
        stop: kind.short(),
    };
    let n = Notice {
        kind,
        key,
        subject: "Your week in ManagerOS".to_owned(),
        body,
        html: render(&html)?,
    };
    let txn = manageros_store::begin_write(&state.db).await?;
    let sent = send(&txn, state, org, &user, &p, n).await?;
    txn.commit().await?;
    Ok(u64::from(sent))
}

// ---------------------------------------------------------------------------------------------
// Each user's choices (My account, `GET/PATCH /api/me/notifications`).

pub const DAYS_BEFORE_INVALID: &str = "Days before must be a whole number from 0 to 7";

#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettingsRequest {
    /// An IANA time zone (`Europe/Paris`) reminders and the digest follow; `null` or blank:
    /// none (UTC).
    #[serde(default)]
    #[schema(value_type = crate::input::OptionalTimeZone, inline, required = false)]
    pub time_zone: crate::patch::Patch<String>,
    /// Reminders go at 09:00 this many days before a one-on-one's day (0: that morning).
    #[serde(default, deserialize_with = "crate::patch::whole_number::option")]
    #[schema(minimum = 0, maximum = 7)]
    pub reminder_days_before: Option<i64>,
    /// For each kind named, whether the user gets it; kinds not named stay as they are.
    #[serde(default)]
    pub kinds: Option<KindChoices>,
}

/// Which kinds of email to get: `true` on, `false` off, absent unchanged.
#[derive(serde::Deserialize, serde::Serialize, utoipa::ToSchema, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct KindChoices {
    pub reminder: Option<bool>,
    pub assigned: Option<bool>,
    pub handoff: Option<bool>,
    pub campaign: Option<bool>,
    pub meeting: Option<bool>,
    pub digest: Option<bool>,
}

impl KindChoices {
    fn each(self) -> [(NotificationKind, Option<bool>); 6] {
        [
            (NotificationKind::Reminder, self.reminder),
            (NotificationKind::Assigned, self.assigned),
            (NotificationKind::Handoff, self.handoff),
            (NotificationKind::Campaign, self.campaign),
            (NotificationKind::Meeting, self.meeting),
            (NotificationKind::Digest, self.digest),
        ]
    }
}

/// The caller's choices (any signed-in user: they are their own).
pub async fn settings(
    state: &AppState,
    actor: &manageros_core::authz::Actor,
) -> Result<Prefs, ApiError> {
    notifications::prefs(&state.db, &actor.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)
}

/// Changes the caller's choices: what is named changes, the rest stays. All is checked first;
/// a refusal changes nothing.
pub async fn update_settings(
    state: &AppState,
    actor: &manageros_core::authz::Actor,
    input: NotificationSettingsRequest,
) -> Result<Prefs, ApiError> {
    use crate::error::FieldErrors;
    use manageros_core::Invalid;
    let mut errors = FieldErrors::default();
    let zone = errors.take(
        "timeZone",
        input.time_zone.try_map(|z| {
            if z.trim().is_empty() {
                // Blank is none, like `null` (applied below).
                return Ok(String::new());
            }
            manageros_core::recurrence::parse_tz(&z)
                .map(|tz| tz.name().to_owned())
                .ok_or_else(|| Invalid::new(crate::series::TIME_ZONE_INVALID))
        }),
    );
    let days = errors.take(
        "reminderDaysBefore",
        input
            .reminder_days_before
            .map(|d| {
                i32::try_from(d)
                    .ok()
                    .filter(|d| (0..=7).contains(d))
                    .ok_or_else(|| Invalid::new(DAYS_BEFORE_INVALID))
            })
            .transpose(),
    );
    errors.finish()?;
    let txn = manageros_store::begin_write(&state.db).await?;
    let mut p = notifications::prefs(&txn, &actor.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if let Some(zone) = zone {
        // Blank is none, like `null`.
        p.time_zone = zone.apply(p.time_zone.clone()).filter(|z| !z.is_empty());
    }
    if let Some(Some(d)) = days {
        p.reminder_days_before = d;
    }
    for (k, on) in input.kinds.unwrap_or_default().each() {
        match on {
            Some(true) => {
                p.kinds.insert(k);
            }
            Some(false) => {
                p.kinds.remove(&k);
            }
            None => {}
        }
    }
    notifications::set_prefs(&txn, &actor.user_id, &p).await?;
    txn.commit().await?;
    Ok(p)
}

/// The browser's time zone, taken at sign-in for a user who has none yet (reminders then come
/// at their 09:00). Not a zone: ignored.
pub async fn take_browser_zone(
    state: &AppState,
    user: &UserId,
    zone: Option<&str>,
) -> Result<(), ApiError> {
    let Some(tz) = zone.and_then(manageros_core::recurrence::parse_tz) else {
        return Ok(());
    };
    let txn = manageros_store::begin_write(&state.db).await?;
    notifications::set_zone_if_unset(&txn, user, tz.name()).await?;
    txn.commit().await?;
    Ok(())
}
