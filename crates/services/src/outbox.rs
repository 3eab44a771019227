//! Mail that is never lost. A service queues an email with [`queue`] in the transaction of the
//! change that causes it (an invitation, a reset link…): the email exists exactly when the
//! change does, whatever happens to the process after the commit. Each server process runs
//! one [`run`] worker, which claims due emails (`repo::outbox::claim`: on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so replicas polling together never take the same one), sends
//! them through the [`Mailer`](crate::mail::Mailer), and marks each sent, or due again after
//! a growing pause, or — after [`MAX_ATTEMPTS`] — failed with the error, which admins see on
//! the invitation it was about.
//!
//! Every message carries its row's id as `Message-ID`: in the one case where it can go out
//! twice (a process killed between the mail server's acceptance and the mark), the copies are
//! recognisably the same message.

use crate::{error::ApiError, mail::Mail, state::AppState};
use manageros_core::OrgId;
use manageros_store::{
    ConnectionTrait,
    repo::outbox::{self, Claimed, NewMail},
};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Attempts before an email is marked failed (about 2 hours of retries in all).
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a claim holds before another worker may take the email (a worker that died), by
/// default (`--mail-lease`).
pub const LEASE_SECS: u64 = 300;
/// Emails claimed at once.
const BATCH: u64 = 20;
/// Sent emails are forgotten after this many days (failed ones stay).
pub const KEEP_SENT_DAYS: i64 = 7;

/// The pause before attempt `n + 1` after `n` failed ones: 30 s, doubling, at most an hour.
pub fn retry_delay_ms(failed: i32) -> i64 {
    (30_000i64 << (failed - 1).clamp(0, 7)).min(3_600_000)
}

/// This process's worker: its name on the claims it takes, and a bell that a service rings
/// after queueing, so that mail goes out at once rather than at the next poll.
pub struct Worker {
    pub id: String,
    wake: Notify,
    poll: Duration,
    lease: Duration,
}

impl Worker {
    /// Polls every `poll` when not rung; claims hold for `lease` (longer than a send takes).
    pub fn new(poll: Duration, lease: Duration) -> Self {
        Self {
            id: format!("worker-{}", &crate::session::new_token()[..16]),
            wake: Notify::new(),
            poll,
            lease,
        }
    }

    /// Tells the worker that mail was queued (call after the commit).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Queues `mail` in the caller's transaction (`org` and `about` let admins see what became of
/// it). The caller commits, then calls `state.outbox.wake()`.
pub async fn queue(
    db: &impl ConnectionTrait,
    state: &AppState,
    mail: &Mail,
    org: Option<&OrgId>,
    about: Option<&str>,
) -> Result<(), ApiError> {
    outbox::enqueue(
        db,
        &NewMail {
            org,
            about_id: about,
            recipient: &mail.to,
            subject: &mail.subject,
            body: &mail.body,
            html: &mail.html,
            unsubscribe_url: mail.unsubscribe.as_deref(),
        },
        state.now(),
    )
    .await?;
    Ok(())
}

/// Sends due mail until `stop`, then hands back what it claimed and did not send.
pub async fn run(state: AppState, stop: CancellationToken) {
    let worker = state.outbox.clone();
    loop {
        let claimed = claim(&state, &worker).await;
        match claimed {
            Ok(batch) if !batch.is_empty() => {
                for mail in batch {
                    if stop.is_cancelled() {
                        break;
                    }
                    deliver(&state, &worker.id, mail).await;
                }
                if !stop.is_cancelled() {
                    continue;
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot claim mail from the outbox"),
        }
        tokio::select! {
            () = stop.cancelled() => break,
            () = worker.wake.notified() => {}
            () = tokio::time::sleep(worker.poll) => {}
        }
    }
    match outbox::release(&state.db, &worker.id).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(emails = n, "handed back claimed mail"),
        Err(e) => tracing::warn!(error = %e, "cannot hand back claimed mail"),
    }
}

async fn claim(state: &AppState, worker: &Worker) -> Result<Vec<Claimed>, manageros_store::DbErr> {
    // Idle polls only read: the claim is a write, which on SQLite takes its turn with the
    // requests' writes.
    if outbox::due(&state.db, state.now()).await? == 0 {
        return Ok(vec![]);
    }
    let txn = manageros_store::begin_write(&state.db).await?;
    let lease = i64::try_from(worker.lease.as_millis()).unwrap_or(i64::MAX);
    let batch = outbox::claim(&txn, &worker.id, state.now(), lease, BATCH).await?;
    txn.commit().await?;
    Ok(batch)
}

async fn deliver(state: &AppState, worker: &str, m: Claimed) {
    let mail = Mail {
        to: m.recipient,
        subject: m.subject,
        body: m.body,
        html: m.html,
        unsubscribe: m.unsubscribe_url,
    };
    let marked = match state.mailer.send(mail, Some(&m.id)).await {
        Ok(()) => {
            metrics::counter!("manageros_outbox_sent_total").increment(1);
            outbox::sent(&state.db, &m.id, worker, state.now())
                .await
                .map(|_| ())
        }
        Err(e) => {
            metrics::counter!("manageros_outbox_send_failures_total").increment(1);
            let retry_at = (m.attempts < MAX_ATTEMPTS)
                .then(|| state.now().plus_millis(retry_delay_ms(m.attempts)));
            tracing::warn!(error = %e, mail = %m.id, attempt = m.attempts, retry = retry_at.is_some(), "could not send an email");
            outbox::retry_or_fail(&state.db, &m.id, worker, &e.to_string(), retry_at).await
        }
    };
    if let Err(e) = marked {
        // The lease runs out and the email is tried again.
        tracing::warn!(error = %e, mail = %m.id, "cannot record what became of an email");
    }
}
