//! Versions: optimistic concurrency for every row a person edits (m0019, m0020). A change
//! increases the row's version by one and records who made it; a reader is given the version
//! (the API's `ETag`, a page's hidden field) and a writer may send it back (`If-Match`), so a
//! change made against an older version is refused instead of silently wiping a colleague's.

use manageros_core::{OrgId, UserId};
use sea_orm::{
    ConnectionTrait, DbErr, ExprTrait,
    sea_query::{Alias, Expr, Query},
};

/// The kinds of row that carry a version, by their table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioned {
    OneOnOne,
    TalkingPoint,
    PrivateNote,
    Task,
    Initiative,
    Meeting,
    MeetingInstance,
    Person,
    Team,
    Feedback,
    Campaign,
    Report,
}

impl Versioned {
    pub fn table(self) -> &'static str {
        match self {
            Self::OneOnOne => "one_on_ones",
            Self::TalkingPoint => "talking_points",
            Self::PrivateNote => "oneonone_private_notes",
            Self::Task => "tasks",
            Self::Initiative => "initiatives",
            Self::Meeting => "meetings",
            Self::MeetingInstance => "meeting_instances",
            Self::Person => "persons",
            Self::Team => "teams",
            Self::Feedback => "feedback",
            Self::Campaign => "feedback_campaigns",
            Self::Report => "reports",
        }
    }
}

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

/// Claims the next version of a row for a change by `by`: increases the version and names
/// `by` as who made the last change, when the row is at one of the `allowed` versions (at
/// any, when `None`). `false`, and nothing written, when it is at another (or is not there).
/// The version is compared by the UPDATE itself, so of two writers of one version exactly one
/// succeeds: PostgreSQL re-checks the row after waiting for the other's lock, SQLite has one
/// writer at a time. Call it in the transaction that makes the change.
pub async fn claim(
    db: &impl ConnectionTrait,
    what: Versioned,
    org: &OrgId,
    id: &str,
    by: &UserId,
    allowed: Option<&[i64]>,
) -> Result<bool, DbErr> {
    let mut q = Query::update();
    q.table(Alias::new(what.table()))
        .value(Alias::new("version"), col("version").add(1))
        .value(Alias::new("updated_by"), by.as_str())
        .and_where(col("organization_id").eq(org.as_str()))
        .and_where(col("id").eq(id));
    if let Some(allowed) = allowed {
        if allowed.is_empty() {
            return Ok(false);
        }
        q.and_where(col("version").is_in(allowed.iter().copied()));
    }
    let done = db.execute(&q).await?;
    Ok(done.rows_affected() == 1)
}

/// The name of whoever made a row's last change: none when nobody has changed it since it
/// was created, or their account is gone.
pub async fn changed_by(
    db: &impl ConnectionTrait,
    what: Versioned,
    org: &OrgId,
    id: &str,
) -> Result<Option<String>, DbErr> {
    let t = Alias::new("t");
    let u = Alias::new("u");
    let q = Query::select()
        .expr(Expr::col((u.clone(), Alias::new("name"))))
        .from_as(Alias::new(what.table()), t.clone())
        .join_as(
            sea_orm::sea_query::JoinType::InnerJoin,
            Alias::new("users"),
            u.clone(),
            Expr::col((u.clone(), Alias::new("id"))).equals((t.clone(), Alias::new("updated_by"))),
        )
        .and_where(Expr::col((t.clone(), Alias::new("organization_id"))).eq(org.as_str()))
        .and_where(Expr::col((t, Alias::new("id"))).eq(id))
        .take();
    let row = db.query_one(&q).await?;
    row.map(|r| r.try_get_by_index::<String>(0)).transpose()
}
