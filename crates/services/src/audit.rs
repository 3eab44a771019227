//! The organization's audit log of security events: recorded by the services where the
//! event happens (inside the transaction of the change it describes, so a rolled-back change
//! leaves no entry), by sign-in for a wrong password, and by the `denials` layer for every
//! permission check that refused a member. Admins read it (`OrgAction::ViewAuditLog`); rows
//! older than `--audit-retention-days` are swept away by the housekeeping task.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    parse::Paging,
    session,
    state::AppState,
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use manageros_core::{
    OrgId, PageInfo, Timestamp, UserId,
    authz::{self, OrgAction},
};
pub use manageros_store::repo::audit::Kind;
use manageros_store::{
    ConnectionTrait,
    repo::{
        audit::{self, NewEvent},
        sessions,
        users::User,
    },
};
use serde::Deserialize;

use utoipa::IntoParams;

/// An event being described, to [`record`].
pub struct Event<'a>(NewEvent<'a>);

impl<'a> Event<'a> {
    pub fn new(org: &'a OrgId, kind: Kind, at: Timestamp) -> Self {
        Self(NewEvent {
            org,
            kind,
            actor: None,
            subject: None,
            target: None,
            detail: String::new(),
            address: None,
            at,
        })
    }
    /// Who did it.
    pub fn by(mut self, actor: &'a UserId) -> Self {
        self.0.actor = Some(actor);
        self
    }
    /// The user it happened to.
    pub fn subject(mut self, user: &'a UserId) -> Self {
        self.0.subject = Some(user);
        self
    }
    /// The id of the entity it was about.
    pub fn target(mut self, id: &'a str) -> Self {
        self.0.target = Some(id);
        self
    }
    pub fn address(mut self, address: Option<&'a str>) -> Self {
        self.0.address = address;
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = detail.into();
        self
    }
}

/// Writes one event; inside a write transaction, pass the transaction.
pub async fn record(db: &impl ConnectionTrait, event: Event<'_>) -> Result<(), ApiError> {
    Ok(audit::record(db, event.0).await?)
}

/// `GET /api/organization/audit-log`'s filter.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events of this kind (`sign_in_failed`, `role_changed`, `member_removed`,
    /// `member_left`, `person_linked`, `person_unlinked`, `invitation_sent`,
    /// `invitation_revoked`, `invitation_reactivated`, `invitation_accepted`,
    /// `oneonone_admin_access`, `permission_denied`).
    #[param(value_type = Option<input::AuditKindFilter>, inline)]
    pub kind: Option<String>,
}

/// A page of the organization's audit log, newest first (admins).
pub async fn log(
    state: &AppState,
    caller: &User,
    paging: &Paging,
    query: &AuditQuery,
) -> Result<(Vec<audit::Event>, PageInfo), ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewAuditLog)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let kind = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => {
            let kind = Kind::parse(k);
            if kind.is_none() {
                errors.push("kind", "kind must be one of the audit log's event kinds");
            }
            kind
        }
    };
    errors.finish()?;
    let (events, total) = audit::list(&state.db, &org, kind, page).await?;
    Ok((events, page.info(total)))
}

/// Records every permission check that refused a member of an organization, for the API and
/// the pages alike: when the answer to a request that carried credentials is a refusal of the
/// permission rules (it carries the [`crate::error::Denial`] mark that `ApiError::Denied` puts
/// on its response or page; a page that merely hid a button carries none), the caller is
/// looked up again from those credentials — a query on refusals only — and the event written.
pub async fn denials(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Only what a record needs, taken cheaply on every request: the credential (if any) and
    // the peer; the rest is looked up on refusals only.
    let Some(presented) = session::token_from_headers(req.headers()) else {
        return next.run(req).await;
    };
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let address = req
        .extensions()
        .get::<crate::client::ClientAddr>()
        .map(|a| a.0.to_string());
    let res = next.run(req).await;
    if let Some(crate::error::Denial(reason)) = res.extensions().get::<crate::error::Denial>() {
        let what = format!("{method} {}: {reason}", cut(&path, 200));
        if let Err(e) = record_denial(&state, &presented.token, address.as_deref(), what).await {
            tracing::error!(error = ?e, "could not record a refused permission check");
        }
    }
    res
}

async fn record_denial(
    state: &AppState,
    token: &str,
    address: Option<&str>,
    detail: String,
) -> Result<(), ApiError> {
    let hash = session::hash_token(token);
    let Some(sessions::SessionUser { user, .. }) =
        sessions::find_user(&state.db, &hash, state.now()).await?
    else {
        return Ok(());
    };
    let Some(org) = &user.organization_id else {
        // Someone in no organization has no organization to tell.
        return Ok(());
    };
    record(
        &state.db,
        Event::new(org, Kind::PermissionDenied, state.now())
            .by(&user.id)
            .address(address)
            .detail(detail),
    )
    .await
}

fn cut(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
