//! Live updates of an open one-on-one (issue 26): while both people have it open, each sees
//! the other's changes (points added, edited, checked off, reordered, made tasks; shared notes
//! saved; their own private notes saved in another window) within a moment, without reloading.
//!
//! - A write [`publish`]es a [`Change`] after it committed. A change carries ids only: what
//!   changed, never its content, so nothing private travels; the page then fetches what it
//!   shows through the same service and permission check as any read.
//! - On PostgreSQL the change travels by `NOTIFY` on [`CHANNEL`], so every replica hears it;
//!   each process's listener (`manageros-server`) hands what it hears to its [`Hub`]. On
//!   SQLite, which has one process, the hub hears it directly.
//! - A [`Subscription`] is one open page (a Server-Sent Events stream in `manageros-web`).
//!   Only the two participants may open one ([`subscribe`], `oneonone.talking-points`): an
//!   admin's look stays what it is, one logged read per visit, and no admin's stream exists to
//!   hear of anything. A subscriber hears of its one-on-one only, and of private notes only its
//!   own. Each user holds at most [`Hub::per_user`] streams; one that heard nothing for
//!   [`Hub::idle`] ends (the browser reconnects, asking permission again); all end when the
//!   server shuts down.

use crate::{error::ApiError, oneonones, state::AppState};
use manageros_core::{OneOnOneId, UserId, authz::Action, authz::Actor};
use manageros_store::repo::oneonones::OneOnOneWithPeople;
use manageros_store::sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::sync::CancellationToken;

/// The PostgreSQL channel changes travel on between replicas.
pub const CHANNEL: &str = "manageros_live";

/// What changed on a one-on-one: ids only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub org: String,
    pub oneonone: String,
    pub what: What,
    /// Whose private notes, for [`What::PrivateNotes`] (only they hear of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum What {
    /// Its talking points or the pair's action items.
    Agenda,
    /// Its shared notes, time or people.
    Notes,
    /// One participant's private notes.
    PrivateNotes,
    /// Possibly anything: this subscriber fell behind and missed changes.
    Everything,
}

impl What {
    /// The event's name on the stream.
    pub fn name(self) -> &'static str {
        match self {
            Self::Agenda => "agenda",
            Self::Notes => "notes",
            Self::PrivateNotes => "private-notes",
            Self::Everything => "everything",
        }
    }
}

impl Change {
    /// A change as it travels between replicas (the `NOTIFY` payload).
    pub fn decode(payload: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(payload)
    }

    pub fn of(o: &OneOnOneWithPeople, what: What) -> Self {
        let one = &o.one_on_one;
        Self {
            org: one.organization_id.to_string(),
            oneonone: one.id.to_string(),
            what,
            user: None,
        }
    }
}

/// This process's subscribers, and the changes it hears.
pub struct Hub {
    tx: broadcast::Sender<Change>,
    streams: Mutex<HashMap<UserId, usize>>,
    closing: CancellationToken,
    /// Changes go through PostgreSQL's `NOTIFY` (and come back through the listener).
    through_postgres: bool,
    /// Streams one user may hold at once.
    pub per_user: usize,
    /// How long a stream that heard nothing stays open.
    pub idle: Duration,
}

impl Hub {
    pub fn new(through_postgres: bool, per_user: usize, idle: Duration) -> Self {
        // A subscriber more than this many changes behind is told to fetch everything.
        let (tx, _) = broadcast::channel(1024);
        Self {
            tx,
            streams: Mutex::default(),
            closing: CancellationToken::new(),
            through_postgres,
            per_user,
            idle,
        }
    }

    /// Hands a change to this process's subscribers.
    pub fn deliver(&self, change: Change) {
        // No subscriber is not an error.
        let _ = self.tx.send(change);
    }

    /// Ends every stream (the server is shutting down).
    pub fn close(&self) {
        self.closing.cancel();
    }

    /// Streams open in this process.
    pub fn open_streams(&self) -> usize {
        self.lock().values().sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, usize>> {
        // A panic while holding the lock left the counts whole (every change is one step).
        self.streams.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Tells whoever has the one-on-one open that it changed: called after the change committed
/// (a rolled-back change is never announced). Losing an announcement loses no data (the next
/// read shows it), so a failure to announce is logged, not returned.
pub async fn publish(state: &AppState, change: Change) {
    if !state.live.through_postgres {
        state.live.deliver(change);
        return;
    }
    let payload = match serde_json::to_string(&change) {
        Ok(p) => p,
        Err(e) => return tracing::warn!(error = %e, "cannot encode a live change"),
    };
    let notify = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    );
    if let Err(e) = state.db.execute_raw(notify).await {
        tracing::warn!(error = %e, "cannot announce a live change");
    }
}

/// One open page's stream of changes. Dropping it frees its place.
pub struct Subscription {
    rx: broadcast::Receiver<Change>,
    hub: Arc<Hub>,
    user: UserId,
    org: String,
    oneonone: String,
}

/// Opens a stream of a one-on-one's changes for one of its two participants.
pub async fn subscribe(
    state: &AppState,
    actor: &Actor,
    id: &OneOnOneId,
) -> Result<Subscription, ApiError> {
    let now = state.now();
    let action = Action::OneOnOneTalkingPoints;
    let (org, o) = oneonones::authorized(&state.db, actor, id, action, now).await?;
    let hub = Arc::clone(&state.live);
    {
        let mut streams = hub.lock();
        let n = streams.entry(actor.user_id.clone()).or_default();
        if *n >= hub.per_user {
            return Err(ApiError::RateLimited {
                retry_after_secs: 60,
            });
        }
        *n += 1;
    }
    Ok(Subscription {
        rx: hub.tx.subscribe(),
        user: actor.user_id.clone(),
        org: org.to_string(),
        oneonone: o.one_on_one.id.to_string(),
        hub,
    })
}

impl Subscription {
    /// The next change this subscriber may hear of; `None` when the stream is to end (idle for
    /// [`Hub::idle`], or the server shutting down).
    pub async fn next(&mut self) -> Option<What> {
        let deadline = tokio::time::Instant::now() + self.hub.idle;
        loop {
            let heard = tokio::select! {
                () = self.hub.closing.cancelled() => return None,
                heard = tokio::time::timeout_at(deadline, self.rx.recv()) => heard,
            };
            match heard {
                Err(_) | Ok(Err(RecvError::Closed)) => return None,
                Ok(Err(RecvError::Lagged(_))) => return Some(What::Everything),
                Ok(Ok(c)) if self.hears(&c) => return Some(c.what),
                Ok(Ok(_)) => {}
            }
        }
    }

    fn hears(&self, c: &Change) -> bool {
        c.org == self.org
            && c.oneonone == self.oneonone
            && (c.what != What::PrivateNotes || c.user.as_deref() == Some(self.user.as_str()))
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut streams = self.hub.lock();
        if let Some(n) = streams.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                streams.remove(&self.user);
            }
        }
    }
}
