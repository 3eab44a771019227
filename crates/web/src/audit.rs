//! The organization's audit log (admins): security events, newest first, filtered by kind,
//! a page at a time. The same service as `GET /api/organization/audit-log`.

use super::{Ctx, FormState, Layout, PageError, Pager, oneonones::When};
use crate::{
    error::ApiError,
    services::audit::{self, AuditQuery, Kind},
    services::parse::Paging,
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use manageros_core::Page;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct Params {
    kind: Option<String>,
    page: Option<String>,
}

pub struct EventRow {
    pub when: When,
    pub kind: &'static str,
    pub actor: String,
    pub subject: String,
    pub detail: String,
    pub address: String,
}

/// The label of a kind, as the page's filter and rows say it.
pub fn label(kind: Kind) -> &'static str {
    match kind {
        Kind::SignInFailed => "Failed sign-in",
        Kind::RoleChanged => "Role changed",
        Kind::MemberRemoved => "Member removed",
        Kind::MemberLeft => "Member left",
        Kind::PersonLinked => "Linked to a person",
        Kind::PersonUnlinked => "Unlinked from a person",
        Kind::InvitationSent => "Invitation sent",
        Kind::InvitationRevoked => "Invitation revoked",
        Kind::InvitationReactivated => "Invitation sent again",
        Kind::InvitationAccepted => "Invitation accepted",
        Kind::OneOnOneAdminAccess => "Admin opened a one-on-one",
        Kind::PermissionDenied => "Permission refused",
    }
}

#[derive(Template)]
#[template(path = "organization/audit.html")]
struct AuditPage {
    layout: Layout,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    rows: Vec<EventRow>,
    total: u64,
    pager: Pager,
    form: FormState,
}

/// `/organization/audit`.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    let me = ctx.member()?;
    let kind = params.kind.clone().unwrap_or_default();
    let query = AuditQuery {
        kind: Some(kind.clone()),
    };
    let paging = Paging {
        page: params.page.clone(),
        limit: None,
    };
    let (events, info, form) = match audit::log(&state, &me.user, &paging, &query).await {
        Ok((events, info)) => (events, info, FormState::default()),
        // A bad filter is shown next to it, with an empty list.
        Err(e @ ApiError::Validation(_)) => {
            (vec![], Page::default().info(0), FormState::from_error(e)?)
        }
        Err(e) => return Err(e.into()),
    };
    let status = form.status();
    let name = |n: Option<manageros_store::repo::audit::Named>| {
        n.map(|n| format!("{} ({})", n.name, n.email))
            .unwrap_or_default()
    };
    let url = |page: u64| {
        let mut q = vec![];
        if !kind.is_empty() {
            q.push(("kind", kind.clone()));
        }
        q.push(("page", page.to_string()));
        format!(
            "/organization/audit?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    };
    Ok(ctx.render_status(
        status,
        &AuditPage {
            layout: ctx.layout("Audit log"),
            kinds: Kind::ALL.iter().map(|k| (k.as_str(), label(*k))).collect(),
            rows: events
                .into_iter()
                .map(|e| EventRow {
                    when: When::of(e.at),
                    kind: label(e.kind),
                    actor: name(e.actor),
                    subject: name(e.subject),
                    detail: e.detail,
                    address: e.address.unwrap_or_default(),
                })
                .collect(),
            total: info.total_count,
            pager: Pager::new(&info, url),
            kind,
            form,
        },
    ))
}
