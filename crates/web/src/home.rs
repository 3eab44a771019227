//! `/`: the way in for a visitor, the start for a member not yet linked to a person, and for
//! everyone else the home page: their next one-on-ones, their open tasks, the meetings of the
//! week, the campaigns they started that are collecting answers, and for admins the
//! invitations waiting for an answer. Gathered by `services::home`.

use super::{
    Ctx, Layout, PageError,
    oneonones::{Row as OneOnOneRow, When},
    tasks::{day, status_label},
};
use crate::{
    services::{home, permissions::may},
    state::AppState,
};
use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use manageros_core::authz::OrgAction;

/// `/` for someone not signed in: what ManagerOS is, and the way in.
#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    layout: Layout,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    layout: Layout,
    /// May add people to the org chart (themselves first).
    can_add: bool,
}

pub struct TaskItem {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub due: Option<String>,
    pub overdue: bool,
}

pub struct MeetingItem {
    pub id: String,
    pub title: String,
    pub when: When,
    pub is_private: bool,
}

pub struct CampaignItem {
    pub id: String,
    pub name: String,
    pub answered: u64,
    pub invited: usize,
}

pub struct InvitationItem {
    pub email: String,
    pub expires: When,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    oneonones: Vec<OneOnOneRow>,
    upcoming_total: u64,
    tasks: Vec<TaskItem>,
    open_tasks_total: u64,
    meetings: Vec<MeetingItem>,
    campaigns: Vec<CampaignItem>,
    invitations: Option<Vec<InvitationItem>>,
    /// Handoffs waiting for the caller: names and counts (the items are on `/oneonones`).
    handoffs: Vec<crate::services::handoffs::Waiting>,
}

/// `/`. One-on-ones are held between people of the org chart, so a member not linked to one
/// is told how to get there instead of being shown a home page that would be empty.
pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let Some(u) = &ctx.user else {
        return Ok(ctx.render(&LandingPage {
            layout: ctx.layout("One-on-ones, and the work between them"),
        }));
    };
    if u.user.organization_id.is_none() {
        return Ok(Redirect::to("/welcome").into_response());
    }
    let Some(person) = &u.user.person_id else {
        return Ok(ctx.render(&StartPage {
            layout: ctx.layout("Start"),
            can_add: may(&u.actor(), OrgAction::CreatePerson),
        }));
    };
    let h = home::summary(&state, &u.user, person).await?;
    let now = state.clock.now();
    Ok(ctx.render(&HomePage {
        layout: ctx.layout("Home"),
        handoffs: h.handoffs,
        oneonones: h.next_oneonones.iter().map(OneOnOneRow::from).collect(),
        upcoming_total: h.upcoming_total,
        tasks: h
            .open_tasks
            .iter()
            .map(|t| TaskItem {
                id: t.id.to_string(),
                title: t.title.clone(),
                status: status_label(t.status),
                status_class: t.status.as_str(),
                due: t.due_date.map(day),
                overdue: t.due_date.is_some_and(|d| d < now),
            })
            .collect(),
        open_tasks_total: h.open_tasks_total,
        meetings: h
            .meetings_this_week
            .iter()
            .map(|m| MeetingItem {
                id: m.id.to_string(),
                title: m.title.clone(),
                when: When::of(m.scheduled_at),
                is_private: m.is_private,
            })
            .collect(),
        campaigns: h
            .my_active_campaigns
            .iter()
            .map(|c| CampaignItem {
                id: c.id.to_string(),
                name: c.name.clone(),
                answered: c.response_count,
                invited: c.invite_emails.len(),
            })
            .collect(),
        invitations: h.pending_invitations.map(|list| {
            list.into_iter()
                .map(|i| InvitationItem {
                    email: i.email.to_string(),
                    expires: When::of(i.expires_at),
                })
                .collect()
        }),
    }))
}
