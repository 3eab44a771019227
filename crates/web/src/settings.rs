//! Settings → Permissions: the 39 actions by entity, each allowed, not allowed, or
//! conditional (`~`, an action on one entity that depends on that entity), with the reason
//! the authz module gives.

use super::{Ctx, Layout, PageError};
use crate::services::permissions;
use askama::Template;
use axum::response::Response;
use manageros_core::authz::Kind;

pub struct Row {
    pub action: &'static str,
    /// What it lets one do, in words.
    pub what: &'static str,
    /// `allowed`, `not allowed` or `conditional`.
    pub state: &'static str,
    pub class: &'static str,
    pub mark: &'static str,
    pub reason: String,
}

pub struct Group {
    pub name: &'static str,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "settings/permissions.html")]
struct PermissionsPage {
    layout: Layout,
    groups: Vec<Group>,
}

fn group_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Task => "Tasks",
        Kind::Meeting | Kind::MeetingInstance => "Meetings",
        Kind::Initiative => "Initiatives",
        Kind::Report => "Reports",
        Kind::Feedback => "Feedback",
        Kind::OneOnOne => "One-on-Ones",
        Kind::FeedbackCampaign => "Feedback Campaigns",
        Kind::User => "User Management",
    }
}

pub async fn permissions(ctx: Ctx) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let mut groups: Vec<Group> = vec![];
    for held in permissions::all(&actor) {
        let (state, class, mark) = if held.has_access {
            ("allowed", "perm-yes", "✓")
        } else if held.action.requires_id() && actor.org_id.is_some() {
            ("conditional", "perm-maybe", "~")
        } else {
            ("not allowed", "perm-no", "✗")
        };
        let name = group_name(held.action.kind());
        let row = Row {
            action: held.action.as_str(),
            what: held.action.description(),
            state,
            class,
            mark,
            reason: held.reason,
        };
        match groups.iter_mut().find(|g| g.name == name) {
            Some(g) => g.rows.push(row),
            None => groups.push(Group {
                name,
                rows: vec![row],
            }),
        }
    }
    Ok(ctx.render(&PermissionsPage {
        layout: ctx.layout("Permissions"),
        groups,
    }))
}
