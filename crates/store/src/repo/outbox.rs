//! The durable outbox. An email is a row written in the transaction of the change that causes
//! it ([`enqueue`]), so it exists exactly when the change does. Workers (one per server
//! process, in any replica) [`claim`] due rows — on PostgreSQL with `FOR UPDATE SKIP LOCKED`,
//! so two workers polling at the same moment never take the same row — send them, and mark
//! each [`sent`] or, on failure, [`retry_or_fail`]: again later with back-off, or failed with
//! the error after its last attempt. A claim is a lease: a worker that dies holding one lets
//! it go when the lease ends; one that stops in an orderly way hands its claims back
//! ([`release`]).

use crate::entity::outbox;
use manageros_core::{MailId, OrgId, Timestamp};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, DbErr, EntityTrait, ExprTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement, prelude::*,
};
use std::collections::HashMap;

/// What became of an email.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Not sent yet (waiting for a worker, or for its next attempt).
    Pending,
    Sent,
    /// Every attempt failed; `last_error` says why.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }

    fn from_db(s: &str) -> Self {
        match s {
            "sent" => Status::Sent,
            "failed" => Status::Failed,
            _ => Status::Pending,
        }
    }
}

/// An email to queue.
pub struct NewMail<'a> {
    /// The organization it belongs to; none for account mail (verification, reset).
    pub org: Option<&'a OrgId>,
    /// What it is about (an invitation's id), so that its fate can be shown there.
    pub about_id: Option<&'a str>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub html: &'a str,
    /// A notification's one-click unsubscribe link (`List-Unsubscribe`).
    pub unsubscribe_url: Option<&'a str>,
}

/// Queues an email, in the caller's transaction: due at once.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    m: &NewMail<'_>,
    now: Timestamp,
) -> Result<MailId, DbErr> {
    let id = MailId::generate();
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(m.org.map(|o| o.as_str().to_owned())),
        about_id: Set(m.about_id.map(str::to_owned)),
        recipient: Set(m.recipient.to_owned()),
        subject: Set(m.subject.to_owned()),
        body: Set(m.body.to_owned()),
        html: Set(m.html.to_owned()),
        created_at: Set(now.as_millis()),
        status: Set(Status::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now.as_millis()),
        claimed_by: Set(None),
        claimed_until: Set(None),
        sent_at: Set(None),
        last_error: Set(None),
        unsubscribe_url: Set(m.unsubscribe_url.map(str::to_owned)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// An email a worker claimed, to send now.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Claimed {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub html: String,
    /// This attempt's number, from 1.
    pub attempts: i32,
    pub unsubscribe_url: Option<String>,
}

/// Claims up to `batch` due emails for `worker` until `now + lease_ms`, counting the attempt.
pub async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    now: Timestamp,
    lease_ms: i64,
    batch: u64,
) -> Result<Vec<Claimed>, DbErr> {
    let backend = db.get_database_backend();
    let (p, lock) = match backend {
        DbBackend::Postgres => (["$1", "$2", "$3", "$4"], " FOR UPDATE SKIP LOCKED"),
        _ => (["?", "?", "?", "?"], ""),
    };
    let sql = format!(
        "UPDATE outbox SET claimed_by = {p0}, claimed_until = {p1}, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox \
           WHERE status = 'pending' AND next_attempt_at <= {p2} \
             AND (claimed_until IS NULL OR claimed_until <= {p2}) \
           ORDER BY next_attempt_at, id LIMIT {p3}{lock}) \
         RETURNING id, recipient, subject, body, html, attempts, unsubscribe_url",
        p0 = p[0],
        p1 = p[1],
        p2 = p[2],
        p3 = p[3],
    );
    let values: Vec<sea_orm::Value> = match backend {
        DbBackend::Postgres => vec![
            worker.into(),
            (now.as_millis() + lease_ms).into(),
            now.as_millis().into(),
            (batch as i64).into(),
        ],
        // `?` placeholders are positional: the third one appears twice.
        _ => vec![
            worker.into(),
            (now.as_millis() + lease_ms).into(),
            now.as_millis().into(),
            now.as_millis().into(),
            (batch as i64).into(),
        ],
    };
    Claimed::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await
}

/// Marks a claimed email sent; false when the claim was no longer this worker's.
pub async fn sent(
    db: &impl ConnectionTrait,
    id: &str,
    worker: &str,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let r = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(Status::Sent.as_str()))
        .col_expr(outbox::Column::SentAt, Expr::value(now.as_millis()))
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<i64>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::ClaimedBy.eq(worker))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Records a failed attempt: due again at `retry_at`, or failed for good when `None`.
pub async fn retry_or_fail(
    db: &impl ConnectionTrait,
    id: &str,
    worker: &str,
    error: &str,
    retry_at: Option<Timestamp>,
) -> Result<(), DbErr> {
    let mut q = outbox::Entity::update_many()
        .col_expr(outbox::Column::LastError, Expr::value(error))
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<i64>::None),
        );
    q = match retry_at {
        Some(at) => q.col_expr(outbox::Column::NextAttemptAt, Expr::value(at.as_millis())),
        None => q.col_expr(outbox::Column::Status, Expr::value(Status::Failed.as_str())),
    };
    q.filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::ClaimedBy.eq(worker))
        .exec(db)
        .await?;
    Ok(())
}

/// Hands back every claim of `worker` that it did not finish (an orderly stop): the attempt
/// it had counted is given back too.
pub async fn release(db: &impl ConnectionTrait, worker: &str) -> Result<u64, DbErr> {
    Ok(outbox::Entity::update_many()
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).sub(1),
        )
        .filter(outbox::Column::ClaimedBy.eq(worker))
        .filter(outbox::Column::Status.eq(Status::Pending.as_str()))
        .exec(db)
        .await?
        .rows_affected)
}

/// What became of an email: its status, and for one that failed, the last error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub status: Status,
    pub error: Option<String>,
}

/// What became of the newest email about each of `about_ids` (of the organization).
pub async fn fate_of(
    db: &impl ConnectionTrait,
    org: &OrgId,
    about_ids: &[String],
) -> Result<HashMap<String, Delivery>, DbErr> {
    if about_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::AboutId)
        .column(outbox::Column::Status)
        .column(outbox::Column::LastError)
        .filter(outbox::Column::OrganizationId.eq(org.as_str()))
        .filter(outbox::Column::AboutId.is_in(about_ids.iter().map(String::as_str)))
        .order_by_asc(outbox::Column::CreatedAt)
        .order_by_asc(outbox::Column::Id)
        .into_tuple::<(Option<String>, String, Option<String>)>()
        .all(db)
        .await?;
    // Oldest first, so the newest of each stays.
    Ok(rows
        .into_iter()
        .filter_map(|(about, status, error)| {
            about.map(|a| {
                let status = Status::from_db(&status);
                // A pending email's last error is of an attempt that will be repeated.
                let error = error.filter(|_| status == Status::Failed);
                (a, Delivery { status, error })
            })
        })
        .collect())
}

/// Forgets emails sent before `cutoff` (failed ones stay for admins to see until their
/// organization or the row they are about goes).
pub async fn delete_sent_before(
    db: &impl ConnectionTrait,
    cutoff: Timestamp,
) -> Result<u64, DbErr> {
    Ok(outbox::Entity::delete_many()
        .filter(outbox::Column::Status.eq(Status::Sent.as_str()))
        .filter(outbox::Column::SentAt.lt(cutoff.as_millis()))
        .exec(db)
        .await?
        .rows_affected)
}

/// How many emails wait, and how many failed for good (for `/metrics`).
pub async fn depth(db: &impl ConnectionTrait) -> Result<(u64, u64), DbErr> {
    let rows = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Status)
        .column_as(outbox::Column::Id.count(), "n")
        .filter(outbox::Column::Status.ne(Status::Sent.as_str()))
        .group_by(outbox::Column::Status)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?;
    let count = |s: Status| {
        rows.iter()
            .find(|(st, _)| st == s.as_str())
            .map_or(0, |(_, n)| *n as u64)
    };
    Ok((count(Status::Pending), count(Status::Failed)))
}

/// How many emails are due now and not sent yet (claimed or not).
pub async fn due(db: &impl ConnectionTrait, now: Timestamp) -> Result<u64, DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::Status.eq(Status::Pending.as_str()))
        .filter(outbox::Column::NextAttemptAt.lte(now.as_millis()))
        .count(db)
        .await
}
