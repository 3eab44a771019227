//! What every handler can reach.

use crate::{config::Config, mail::Mailer, password::Passwords};
use manageros_core::{Clock, Timestamp};
use manageros_store::DatabaseConnection;
use std::sync::Arc;
use tokio_util::task::TaskTracker;

/// What every handler can reach: one shared value, so that handing it to a request (axum
/// clones the state for every extractor that asks for it) is one reference count, not one
/// per field (docs/BENCHMARKS.md, "Profiling").
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub mailer: Arc<Mailer>,
    pub passwords: Passwords,
    /// Failed sign-ins allowed per account (`--sign-in-limit`).
    pub sign_in_limit: Arc<crate::rate_limit::SignInLimit>,
    /// How much email may still go out, per recipient and per organization.
    pub mail_budget: Arc<crate::rate_limit::MailBudget>,
    /// Work that outlives its request (e.g. mail whose timing must not reveal whether an
    /// account exists). Shutdown waits for it.
    pub background: TaskTracker,
    /// The organizations' names pages choose from, kept by version (`names`).
    pub names: Arc<crate::names::NamesCache>,
    /// Each person's one-on-one total, kept by version (`oneonones::Totals`).
    pub oneonone_totals: Arc<crate::oneonones::Totals>,
    /// The task and people lists' totals, kept by version (`totals`).
    pub totals: Arc<crate::totals::Kept>,
    /// This process's outbox worker (`crate::outbox`): ring it after queueing mail.
    pub outbox: Arc<crate::outbox::Worker>,
    /// This process's live pages and the changes they hear of (`crate::live`).
    pub live: Arc<crate::live::Hub>,
}

impl Shared {
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
