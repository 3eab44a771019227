//! The home page of a member linked to a person: what is next for them, gathered from the
//! services that own each part, each with its own permission check (nothing here decides).

use crate::{
    campaigns::{self, CampaignsQuery},
    error::ApiError,
    invitations,
    meetings::{self, MeetingsQuery},
    oneonones::{self, OneOnOnesQuery},
    parse::Paging,
    permissions::may,
    state::AppState,
    tasks,
};
use manageros_core::{CampaignStatus, InvitationStatus, PersonId, authz::OrgAction, time::DAY_MS};
use manageros_store::repo::{
    campaigns::Campaign, invitations::Invitation, meetings::Meeting, oneonones::OneOnOneWithPeople,
    tasks::Task, users::User,
};

/// How many items each part of the home page shows (each links to the whole list).
pub const SHOWN: u64 = 5;

pub struct Home {
    /// The caller's next one-on-ones, soonest first.
    pub next_oneonones: Vec<OneOnOneWithPeople>,
    pub upcoming_total: u64,
    /// Open tasks assigned to the caller, soonest due first.
    pub open_tasks: Vec<Task>,
    pub open_tasks_total: u64,
    /// Meetings of the coming seven days the caller may see, soonest first.
    pub meetings_this_week: Vec<Meeting>,
    /// Campaigns the caller started that are collecting answers.
    pub my_active_campaigns: Vec<Campaign>,
    /// For admins: invitations still waiting for an answer (`None` for everyone else).
    pub pending_invitations: Option<Vec<Invitation>>,
    /// Handoffs waiting for the caller's decision (a person of theirs changed manager).
    pub handoffs: Vec<crate::handoffs::Waiting>,
}

/// What `/` shows `caller`, who is linked to `person`.
pub async fn summary(state: &AppState, caller: &User, person: &PersonId) -> Result<Home, ApiError> {
    let actor = caller.actor();
    let now = state.clock.now();
    let first = Paging {
        page: None,
        limit: Some(SHOWN.to_string()),
    };
    let (next_oneonones, upcoming) = oneonones::list(
        state,
        &actor,
        None,
        OneOnOnesQuery {
            scheduled_from: Some(now.to_rfc3339()),
            sort: Some("scheduledAt:asc".into()),
            ..Default::default()
        },
        &first,
    )
    .await?;
    let (open_tasks, open) = tasks::open_assigned_to(state, &actor, person, SHOWN).await?;
    let (meetings_this_week, _) = meetings::list_upcoming(
        state,
        &actor,
        MeetingsQuery {
            scheduled_from: Some(now.to_rfc3339()),
            scheduled_to: Some(now.plus_millis(7 * DAY_MS).to_rfc3339()),
            ..Default::default()
        },
        &first,
    )
    .await?;
    // The caller's own among the active ones (admins see everyone's in the list).
    let (mut my_active_campaigns, _) = campaigns::list(
        state,
        &actor,
        CampaignsQuery {
            status: Some(CampaignStatus::Active.as_str().into()),
        },
        &Paging {
            page: None,
            limit: Some(manageros_core::Page::MAX_LIMIT.to_string()),
        },
    )
    .await?;
    my_active_campaigns.retain(|c| c.created_by == caller.id);
    my_active_campaigns.truncate(SHOWN as usize);
    let pending_invitations = if may(&actor, OrgAction::ViewInvitations) {
        let mut all = invitations::list(state, caller).await?;
        all.retain(|i| i.status(now) == InvitationStatus::Pending);
        Some(all)
    } else {
        None
    };
    let handoffs = crate::handoffs::waiting(state, &actor).await?;
    Ok(Home {
        handoffs,
        next_oneonones,
        upcoming_total: upcoming.total_count,
        open_tasks,
        open_tasks_total: open.total_count,
        meetings_this_week,
        my_active_campaigns,
        pending_invitations,
    })
}
