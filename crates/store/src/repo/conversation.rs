//! The conversation of a one-on-one: its talking points (and the tasks they became), each
//! participant's private notes, the open action items of the pair, and the pair's cadence.
//!
//! Carry-over moves a point (it never copies one), by a conditional UPDATE per point: two
//! transactions moving the same point at once cannot both succeed, so a point is carried
//! exactly once, wherever it lands.

use crate::entity::{one_on_one, oneonone_pair, private_note, talking_point, task};
use manageros_core::{
    Cadence, OneOnOneId, OrgId, PairId, PersonId, PrivateNoteId, TalkingPointId, TaskId,
    TaskStatus, Timestamp, UserId,
};
use sea_orm::{
    ActiveValue::Set,
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    prelude::*,
    sea_query::{Alias, Condition, Expr, ExprTrait, Func, JoinType, OnConflict, Order, Query},
};
use std::collections::{HashMap, HashSet};

pub type TalkingPoint = talking_point::Model;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

/// A talking point as a page shows it: with its author's name and, once it became a task,
/// that task's title and status.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct PointRow {
    pub id: TalkingPointId,
    pub oneonone_id: OneOnOneId,
    pub author_id: PersonId,
    pub author_name: String,
    pub body: String,
    pub position: i32,
    pub done_at: Option<Timestamp>,
    pub carried_from_id: Option<OneOnOneId>,
    pub task_id: Option<TaskId>,
    pub task_title: Option<String>,
    pub task_status: Option<TaskStatus>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change: what a writer's `If-Match` is compared with.
    pub version: i64,
}

/// The most points one one-on-one holds (a write past it is refused; carry-over may exceed it).
pub const MAX_POINTS: u64 = 100;

/// The talking points of a one-on-one, in their order.
pub async fn points(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
) -> Result<Vec<PointRow>, DbErr> {
    point_rows(
        db,
        org,
        Expr::col((a("p"), a("oneonone_id"))).eq(oneonone.as_str()),
    )
    .await
}

/// The points matching `which`, as [`PointRow`]s in their agenda's order.
async fn point_rows(
    db: &impl ConnectionTrait,
    org: &OrgId,
    which: impl Into<Condition>,
) -> Result<Vec<PointRow>, DbErr> {
    let q = Query::select()
        .columns(
            [
                "id",
                "oneonone_id",
                "author_id",
                "body",
                "position",
                "done_at",
                "carried_from_id",
                "task_id",
                "created_at",
                "updated_at",
                "version",
            ]
            .map(|c| (a("p"), a(c))),
        )
        .expr_as(Expr::col((a("who"), a("name"))), a("author_name"))
        .expr_as(Expr::col((a("t"), a("title"))), a("task_title"))
        .expr_as(Expr::col((a("t"), a("status"))), a("task_status"))
        .from_as(a("talking_points"), a("p"))
        .join_as(
            JoinType::InnerJoin,
            a("persons"),
            a("who"),
            Expr::col((a("who"), a("id"))).equals((a("p"), a("author_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            a("tasks"),
            a("t"),
            Expr::col((a("t"), a("id"))).equals((a("p"), a("task_id"))),
        )
        .and_where(Expr::col((a("p"), a("organization_id"))).eq(org.as_str()))
        .cond_where(which)
        .order_by((a("p"), a("position")), Order::Asc)
        .order_by((a("p"), a("created_at")), Order::Asc)
        .order_by((a("p"), a("id")), Order::Asc)
        .limit(MAX_POINTS * 3)
        .take();
    PointRow::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await
}

/// A one-on-one's agenda as it stands once carry-over is done, read without writing: the
/// points due to it from the pair's one-on-ones that are over are shown at its end, as
/// [`carry_over`] will put them, and its own points due elsewhere are counted as carried
/// away instead of shown. The next write to the pair's agenda carries them for real
/// (`services::conversation`), so what a reader saw is what a writer finds.
pub async fn agenda_as_due(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
    one: &PersonId,
    other: &PersonId,
    now: Timestamp,
) -> Result<(Vec<PointRow>, u64), DbErr> {
    let mut own = points(db, org, oneonone).await?;
    let carried_away = carried_away(db, org, oneonone).await?;
    let Some(target) = next_of_pair(db, org, one, other, now).await? else {
        return Ok((own, carried_away));
    };
    let due = movable(db, org, one, other, &target, now).await?;
    if due.is_empty() {
        return Ok((own, carried_away));
    }
    if &target != oneonone {
        // Its open points go to the pair's next one-on-one.
        let leaving: HashSet<&TalkingPointId> = due
            .iter()
            .filter(|m| &m.oneonone_id == oneonone)
            .map(|m| &m.id)
            .collect();
        let first_written_here = own
            .iter()
            .filter(|p| {
                leaving.contains(&p.id)
                    && p.carried_from_id
                        .as_ref()
                        .is_none_or(|from| from == oneonone)
            })
            .count() as u64;
        own.retain(|p| !leaving.contains(&p.id));
        return Ok((own, carried_away + first_written_here));
    }
    // It is the next one: the due points join its end, in the order carry-over moves them.
    let ids: Vec<&str> = due.iter().map(|m| m.id.as_str()).collect();
    let mut arriving = point_rows(db, org, Expr::col((a("p"), a("id"))).is_in(ids)).await?;
    let order: HashMap<&TalkingPointId, usize> =
        due.iter().enumerate().map(|(i, m)| (&m.id, i)).collect();
    arriving.sort_by_key(|p| order.get(&p.id).copied().unwrap_or(usize::MAX));
    // Where `carry_over` starts: after the last position.
    let (start, _) = next_position(db, org, oneonone).await?;
    for (position, mut p) in (start..).zip(arriving) {
        p.carried_from_id = p.carried_from_id.or(Some(p.oneonone_id));
        p.oneonone_id = oneonone.clone();
        p.position = position;
        own.push(p);
    }
    Ok((own, carried_away))
}

/// How many points first written on this one-on-one were carried over to a later one.
pub async fn carried_away(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    talking_point::Entity::find()
        .filter(talking_point::Column::OrganizationId.eq(org.as_str()))
        .filter(talking_point::Column::CarriedFromId.eq(oneonone.as_str()))
        .filter(talking_point::Column::OneononeId.ne(oneonone.as_str()))
        .count(db)
        .await
}

pub async fn find_point(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
    id: &TalkingPointId,
) -> Result<Option<TalkingPoint>, DbErr> {
    talking_point::Entity::find()
        .filter(talking_point::Column::OrganizationId.eq(org.as_str()))
        .filter(talking_point::Column::OneononeId.eq(oneonone.as_str()))
        .filter(talking_point::Column::Id.eq(id.as_str()))
        .one(db)
        .await
}

async fn next_position(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
) -> Result<(i32, u64), DbErr> {
    #[derive(FromQueryResult)]
    struct Tail {
        top: Option<i32>,
        n: i64,
    }
    let q = Query::select()
        .expr_as(Func::max(Expr::col(a("position"))), a("top"))
        .expr_as(Func::count(Expr::col(a("id"))), a("n"))
        .from(a("talking_points"))
        .and_where(Expr::col(a("organization_id")).eq(org.as_str()))
        .and_where(Expr::col(a("oneonone_id")).eq(oneonone.as_str()))
        .take();
    let tail = Tail::find_by_statement(db.get_database_backend().build(&q))
        .one(db)
        .await?;
    Ok(tail.map_or((0, 0), |t| {
        (t.top.map_or(0, |p| p + 1), u64::try_from(t.n).unwrap_or(0))
    }))
}

/// Adds a point at the end of the agenda. `None` when the one-on-one already holds
/// [`MAX_POINTS`].
pub async fn insert_point(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
    author: &PersonId,
    body: &str,
    now: Timestamp,
) -> Result<Option<TalkingPointId>, DbErr> {
    lock_agenda(db, org, oneonone).await?;
    let (position, count) = next_position(db, org, oneonone).await?;
    if count >= MAX_POINTS {
        return Ok(None);
    }
    let id = TalkingPointId::generate();
    talking_point::Entity::insert(talking_point::ActiveModel {
        id: Set(id.clone()),
        organization_id: Set(org.clone()),
        oneonone_id: Set(oneonone.clone()),
        author_id: Set(author.clone()),
        body: Set(body.to_owned()),
        position: Set(position),
        done_at: Set(None),
        carried_from_id: Set(None),
        task_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        updated_by: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(Some(id))
}

/// Holds the one-on-one's row until the transaction ends, so that writers adding to its agenda
/// take turns: two adds at 99 points cannot both see room for one more. PostgreSQL locks the
/// row; SQLite has one writer at a time already.
async fn lock_agenda(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    use sea_orm::QuerySelect;
    one_on_one::Entity::find()
        .select_only()
        .column(one_on_one::Column::Id)
        .filter(one_on_one::Column::OrganizationId.eq(org.as_str()))
        .filter(one_on_one::Column::Id.eq(oneonone.as_str()))
        .lock_exclusive()
        .into_tuple::<String>()
        .one(db)
        .await?;
    Ok(())
}

/// Writes a point's text and whether it is done.
pub async fn update_point(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &TalkingPointId,
    body: &str,
    done_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), DbErr> {
    talking_point::Entity::update_many()
        .col_expr(talking_point::Column::Body, Expr::value(body))
        .col_expr(
            talking_point::Column::DoneAt,
            Expr::value(done_at.map(|t| t.as_millis())),
        )
        .col_expr(
            talking_point::Column::UpdatedAt,
            Expr::value(now.as_millis()),
        )
        .filter(talking_point::Column::OrganizationId.eq(org.as_str()))
        .filter(talking_point::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_point_task(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &TalkingPointId,
    task: &TaskId,
    now: Timestamp,
) -> Result<(), DbErr> {
    talking_point::Entity::update_many()
        .col_expr(talking_point::Column::TaskId, Expr::value(task.as_str()))
        .col_expr(
            talking_point::Column::UpdatedAt,
            Expr::value(now.as_millis()),
        )
        .filter(talking_point::Column::OrganizationId.eq(org.as_str()))
        .filter(talking_point::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete_point(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &TalkingPointId,
) -> Result<(), DbErr> {
    talking_point::Entity::delete_many()
        .filter(talking_point::Column::OrganizationId.eq(org.as_str()))
        .filter(talking_point::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives the points of a one-on-one the positions of `order` (which the service checked is
/// exactly its points).
pub async fn reorder(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
    order: &[TalkingPointId],
) -> Result<(), DbErr> {
    for (position, id) in order.iter().enumerate() {
        talking_point::Entity::update_many()
            .col_expr(
                talking_point::Column::Position,
                Expr::value(i32::try_from(position).unwrap_or(i32::MAX)),
            )
            .filter(talking_point::Column::OrganizationId.eq(org.as_str()))
            .filter(talking_point::Column::OneononeId.eq(oneonone.as_str()))
            .filter(talking_point::Column::Id.eq(id.as_str()))
            .exec(db)
            .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Carry-over.

/// Both orders of a pair.
fn pair_of(table: &str, one: &PersonId, other: &PersonId) -> Condition {
    let side = |m: &PersonId, r: &PersonId| {
        Condition::all()
            .add(Expr::col((a(table), a("manager_id"))).eq(m.as_str()))
            .add(Expr::col((a(table), a("report_id"))).eq(r.as_str()))
    };
    Condition::any().add(side(one, other)).add(side(other, one))
}

/// The pair's next one-on-one: the earliest that is not over (ends after `now`).
pub async fn next_of_pair(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    now: Timestamp,
) -> Result<Option<OneOnOneId>, DbErr> {
    let q = Query::select()
        .column((a("o"), a("id")))
        .from_as(a(one_on_one::Entity.table_name()), a("o"))
        .and_where(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()))
        .cond_where(pair_of("o", one, other))
        .and_where(Expr::col((a("o"), a("ends_at"))).gt(now.as_millis()))
        .order_by((a("o"), a("scheduled_at")), Order::Asc)
        .order_by((a("o"), a("id")), Order::Asc)
        .limit(1)
        .take();
    #[derive(FromQueryResult)]
    struct IdRow {
        id: OneOnOneId,
    }
    Ok(
        IdRow::find_by_statement(db.get_database_backend().build(&q))
            .one(db)
            .await?
            .map(|r| r.id),
    )
}

#[derive(Clone, Debug, FromQueryResult)]
struct Movable {
    id: TalkingPointId,
    oneonone_id: OneOnOneId,
}

/// The unchecked points of the pair that belong on `target` instead: those of every
/// one-on-one that is over, and those already carried once that sit on a later one (when a
/// one-on-one is scheduled before it). Oldest first, at most `MAX_POINTS * 2` per call.
async fn movable(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    target: &OneOnOneId,
    now: Timestamp,
) -> Result<Vec<Movable>, DbErr> {
    let q = Query::select()
        .column((a("p"), a("id")))
        .column((a("p"), a("oneonone_id")))
        .from_as(a("talking_points"), a("p"))
        .join_as(
            JoinType::InnerJoin,
            a(one_on_one::Entity.table_name()),
            a("o"),
            Expr::col((a("o"), a("id"))).equals((a("p"), a("oneonone_id"))),
        )
        .and_where(Expr::col((a("p"), a("organization_id"))).eq(org.as_str()))
        .and_where(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()))
        .cond_where(pair_of("o", one, other))
        .and_where(Expr::col((a("p"), a("done_at"))).is_null())
        .and_where(Expr::col((a("p"), a("oneonone_id"))).ne(target.as_str()))
        .cond_where(
            Condition::any()
                .add(Expr::col((a("o"), a("ends_at"))).lte(now.as_millis()))
                .add(Expr::col((a("p"), a("carried_from_id"))).is_not_null()),
        )
        .order_by((a("o"), a("scheduled_at")), Order::Asc)
        .order_by((a("p"), a("position")), Order::Asc)
        .order_by((a("p"), a("id")), Order::Asc)
        .limit(MAX_POINTS * 2)
        .take();
    Movable::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await
}

/// Moves the pair's unchecked points of one-on-ones that are over to the pair's next
/// one-on-one, at the end of its agenda, marked with where they were first written. Returns
/// how many moved.
pub async fn carry_over(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    now: Timestamp,
) -> Result<u64, DbErr> {
    let Some(target) = next_of_pair(db, org, one, other, now).await? else {
        return Ok(0);
    };
    let points = movable(db, org, one, other, &target, now).await?;
    if points.is_empty() {
        return Ok(0);
    }
    let (mut position, _) = next_position(db, org, &target).await?;
    let mut moved = 0;
    for p in points {
        let done = talking_point::Entity::update_many()
            .col_expr(
                talking_point::Column::OneononeId,
                Expr::value(target.as_str()),
            )
            .col_expr(talking_point::Column::Position, Expr::value(position))
            .col_expr(
                talking_point::Column::CarriedFromId,
                Func::coalesce([
                    Expr::col(talking_point::Column::CarriedFromId),
                    Expr::col(talking_point::Column::OneononeId),
                ])
                .into(),
            )
            .col_expr(
                talking_point::Column::UpdatedAt,
                Expr::value(now.as_millis()),
            )
            .filter(talking_point::Column::OrganizationId.eq(org.as_str()))
            .filter(talking_point::Column::Id.eq(p.id.as_str()))
            // Still where it was read, and still open: another transaction may have moved it.
            .filter(talking_point::Column::OneononeId.eq(p.oneonone_id.as_str()))
            .filter(talking_point::Column::DoneAt.is_null())
            .exec(db)
            .await?;
        if done.rows_affected == 1 {
            moved += 1;
            position += 1;
        }
    }
    Ok(moved)
}

// ---------------------------------------------------------------------------------------------
// Action items.

/// An open task that came from a talking point of one of the pair's one-on-ones.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct ActionItem {
    pub id: TaskId,
    pub title: String,
    pub status: TaskStatus,
    pub due_date: Option<Timestamp>,
    pub assignee_id: Option<PersonId>,
    pub assignee_name: Option<String>,
    pub oneonone_id: OneOnOneId,
    pub scheduled_at: Timestamp,
}

/// The most action items a one-on-one shows.
pub const MAX_ACTION_ITEMS: u64 = 200;

/// The pair's open action items (not done, not dropped), oldest one-on-one first.
pub async fn open_action_items(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
) -> Result<Vec<ActionItem>, DbErr> {
    let q = Query::select()
        .columns(
            [
                "id",
                "title",
                "status",
                "due_date",
                "assignee_id",
                "oneonone_id",
            ]
            .map(|c| (a("t"), a(c))),
        )
        .expr_as(Expr::col((a("who"), a("name"))), a("assignee_name"))
        .column((a("o"), a("scheduled_at")))
        .from_as(a("tasks"), a("t"))
        .join_as(
            JoinType::InnerJoin,
            a(one_on_one::Entity.table_name()),
            a("o"),
            Expr::col((a("o"), a("id"))).equals((a("t"), a("oneonone_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            a("persons"),
            a("who"),
            Expr::col((a("who"), a("id"))).equals((a("t"), a("assignee_id"))),
        )
        .and_where(Expr::col((a("t"), a("organization_id"))).eq(org.as_str()))
        .and_where(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()))
        .cond_where(pair_of("o", one, other))
        .and_where(
            Expr::col((a("t"), a("status")))
                .is_not_in([TaskStatus::Done.as_str(), TaskStatus::Dropped.as_str()]),
        )
        .order_by((a("o"), a("scheduled_at")), Order::Asc)
        .order_by((a("t"), a("created_at")), Order::Asc)
        .order_by((a("t"), a("id")), Order::Asc)
        .limit(MAX_ACTION_ITEMS)
        .take();
    ActionItem::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await
}

/// Links a task to the one-on-one it came from.
pub async fn link_task(
    db: &impl ConnectionTrait,
    org: &OrgId,
    task_id: &TaskId,
    oneonone: &OneOnOneId,
) -> Result<(), DbErr> {
    task::Entity::update_many()
        .col_expr(task::Column::OneononeId, Expr::value(oneonone.as_str()))
        .filter(task::Column::OrganizationId.eq(org.as_str()))
        .filter(task::Column::Id.eq(task_id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Before a one-on-one is deleted: its tasks stay, unlinked.
pub async fn unlink_tasks(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
) -> Result<(), DbErr> {
    task::Entity::update_many()
        .col_expr(
            task::Column::OneononeId,
            Expr::value(Option::<String>::None),
        )
        .filter(task::Column::OrganizationId.eq(org.as_str()))
        .filter(task::Column::OneononeId.eq(oneonone.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Private notes.

pub type PrivateNote = private_note::Model;

/// `user`'s own private notes on a one-on-one.
pub async fn private_note(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
    user: &UserId,
) -> Result<Option<PrivateNote>, DbErr> {
    private_note::Entity::find()
        .filter(private_note::Column::OrganizationId.eq(org.as_str()))
        .filter(private_note::Column::OneononeId.eq(oneonone.as_str()))
        .filter(private_note::Column::AuthorUserId.eq(user.as_str()))
        .one(db)
        .await
}

/// Writes `user`'s private notes (empty: none).
pub async fn save_private_note(
    db: &impl ConnectionTrait,
    org: &OrgId,
    oneonone: &OneOnOneId,
    user: &UserId,
    body: Option<&str>,
    now: Timestamp,
) -> Result<(), DbErr> {
    let Some(body) = body else {
        private_note::Entity::delete_many()
            .filter(private_note::Column::OrganizationId.eq(org.as_str()))
            .filter(private_note::Column::OneononeId.eq(oneonone.as_str()))
            .filter(private_note::Column::AuthorUserId.eq(user.as_str()))
            .exec(db)
            .await?;
        return Ok(());
    };
    private_note::Entity::insert(private_note::ActiveModel {
        id: Set(PrivateNoteId::generate()),
        organization_id: Set(org.clone()),
        oneonone_id: Set(oneonone.clone()),
        author_user_id: Set(user.clone()),
        body: Set(body.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        // Only its author ever writes it.
        updated_by: Set(Some(user.clone())),
    })
    .on_conflict(
        OnConflict::columns([
            private_note::Column::OrganizationId,
            private_note::Column::OneononeId,
            private_note::Column::AuthorUserId,
        ])
        .update_columns([private_note::Column::Body, private_note::Column::UpdatedAt])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The pair's settings.

/// The pair in its stored order.
fn ordered<'p>(one: &'p PersonId, other: &'p PersonId) -> (&'p PersonId, &'p PersonId) {
    if one <= other {
        (one, other)
    } else {
        (other, one)
    }
}

pub async fn cadence(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
) -> Result<Option<Cadence>, DbErr> {
    let (pa, pb) = ordered(one, other);
    Ok(oneonone_pair::Entity::find()
        .filter(oneonone_pair::Column::OrganizationId.eq(org.as_str()))
        .filter(oneonone_pair::Column::PersonA.eq(pa.as_str()))
        .filter(oneonone_pair::Column::PersonB.eq(pb.as_str()))
        .one(db)
        .await?
        .and_then(|p| p.cadence.as_deref().map(Cadence::from_db)))
}

pub async fn set_cadence(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    cadence: Option<Cadence>,
    now: Timestamp,
) -> Result<(), DbErr> {
    let (pa, pb) = ordered(one, other);
    oneonone_pair::Entity::insert(oneonone_pair::ActiveModel {
        id: Set(PairId::generate()),
        organization_id: Set(org.clone()),
        person_a: Set(pa.clone()),
        person_b: Set(pb.clone()),
        cadence: Set(cadence.map(|c| c.as_str().to_owned())),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            oneonone_pair::Column::OrganizationId,
            oneonone_pair::Column::PersonA,
            oneonone_pair::Column::PersonB,
        ])
        .update_columns([
            oneonone_pair::Column::Cadence,
            oneonone_pair::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Every pair of the organization with a cadence, as `(person_a, person_b, cadence)`.
pub async fn cadences(
    db: &impl ConnectionTrait,
    org: &OrgId,
) -> Result<Vec<(PersonId, PersonId, Cadence)>, DbErr> {
    Ok(oneonone_pair::Entity::find()
        .filter(oneonone_pair::Column::OrganizationId.eq(org.as_str()))
        .filter(oneonone_pair::Column::Cadence.is_not_null())
        .order_by_asc(oneonone_pair::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| {
            let c = p.cadence.as_deref().map(Cadence::from_db)?;
            Some((p.person_a, p.person_b, c))
        })
        .collect())
}

/// The pair's last one-on-one up to `now`, and its first after `now`.
pub async fn pair_times(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    now: Timestamp,
) -> Result<(Option<Timestamp>, Option<Timestamp>), DbErr> {
    #[derive(FromQueryResult)]
    struct Times {
        last_at: Option<i64>,
        next_at: Option<i64>,
    }
    let at = || Expr::col((a("o"), a("scheduled_at")));
    let last = sea_orm::sea_query::CaseStatement::new()
        .case(at().lte(now.as_millis()), at())
        .finally(Expr::val(Option::<i64>::None));
    let next = sea_orm::sea_query::CaseStatement::new()
        .case(at().gt(now.as_millis()), at())
        .finally(Expr::val(Option::<i64>::None));
    let q = Query::select()
        .expr_as(Func::max(Expr::expr(last)), a("last_at"))
        .expr_as(Func::min(Expr::expr(next)), a("next_at"))
        .from_as(a(one_on_one::Entity.table_name()), a("o"))
        .and_where(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()))
        .cond_where(pair_of("o", one, other))
        .take();
    Ok(
        Times::find_by_statement(db.get_database_backend().build(&q))
            .one(db)
            .await?
            .map_or((None, None), |t| {
                (
                    t.last_at.map(Timestamp::from_millis),
                    t.next_at.map(Timestamp::from_millis),
                )
            }),
    )
}

// ---------------------------------------------------------------------------------------------
// Handoffs: the open items of one pair moved into another pair's next one-on-one.

/// The unchecked talking points of every one-on-one of the pair, oldest one-on-one first.
pub async fn open_points_of_pair(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
) -> Result<Vec<PointRow>, DbErr> {
    let q = Query::select()
        .columns(
            [
                "id",
                "oneonone_id",
                "author_id",
                "body",
                "position",
                "done_at",
                "carried_from_id",
                "task_id",
                "created_at",
                "updated_at",
                "version",
            ]
            .map(|c| (a("p"), a(c))),
        )
        .expr_as(Expr::col((a("who"), a("name"))), a("author_name"))
        .expr_as(Expr::val(Option::<String>::None), a("task_title"))
        .expr_as(Expr::val(Option::<String>::None), a("task_status"))
        .from_as(a("talking_points"), a("p"))
        .join_as(
            JoinType::InnerJoin,
            a(one_on_one::Entity.table_name()),
            a("o"),
            Expr::col((a("o"), a("id"))).equals((a("p"), a("oneonone_id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            a("persons"),
            a("who"),
            Expr::col((a("who"), a("id"))).equals((a("p"), a("author_id"))),
        )
        .and_where(Expr::col((a("p"), a("organization_id"))).eq(org.as_str()))
        .and_where(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()))
        .cond_where(pair_of("o", one, other))
        .and_where(Expr::col((a("p"), a("done_at"))).is_null())
        .order_by((a("o"), a("scheduled_at")), Order::Asc)
        .order_by((a("p"), a("position")), Order::Asc)
        .order_by((a("p"), a("id")), Order::Asc)
        .limit(MAX_POINTS * 3)
        .take();
    PointRow::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await
}

/// Writes `point` — one a handoff held, its one-on-one cancelled — anew at the end of
/// `target`'s agenda: the same id, author, text and time of writing, carried over from the
/// one-on-one it was on. Whether it was written (not if a point of that id exists).
pub async fn restore_point(
    db: &impl ConnectionTrait,
    org: &OrgId,
    point: &PointRow,
    target: &OneOnOneId,
    now: Timestamp,
) -> Result<bool, DbErr> {
    if talking_point::Entity::find_by_id(point.id.clone())
        .one(db)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let (position, _) = next_position(db, org, target).await?;
    talking_point::Entity::insert(talking_point::ActiveModel {
        id: Set(point.id.clone()),
        organization_id: Set(org.clone()),
        oneonone_id: Set(target.clone()),
        author_id: Set(point.author_id.clone()),
        body: Set(point.body.clone()),
        position: Set(position),
        done_at: Set(None),
        carried_from_id: Set(Some(point.oneonone_id.clone())),
        task_id: Set(None),
        created_at: Set(point.created_at),
        updated_at: Set(now),
        version: Set(1),
        updated_by: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(true)
}

/// Moves one open point of the pair `(one, other)` to `target`, at the end of its agenda;
/// false if it is no longer an open point of that pair (moved or checked off meanwhile).
pub async fn move_point_to(
    db: &impl ConnectionTrait,
    org: &OrgId,
    point: &PointRow,
    target: &OneOnOneId,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let (position, _) = next_position(db, org, target).await?;
    let done = talking_point::Entity::update_many()
        .col_expr(
            talking_point::Column::OneononeId,
            Expr::value(target.as_str()),
        )
        .col_expr(talking_point::Column::Position, Expr::value(position))
        .col_expr(
            talking_point::Column::CarriedFromId,
            Func::coalesce([
                Expr::col(talking_point::Column::CarriedFromId),
                Expr::col(talking_point::Column::OneononeId),
            ])
            .into(),
        )
        .col_expr(
            talking_point::Column::UpdatedAt,
            Expr::value(now.as_millis()),
        )
        .filter(talking_point::Column::OrganizationId.eq(org.as_str()))
        .filter(talking_point::Column::Id.eq(point.id.as_str()))
        .filter(talking_point::Column::OneononeId.eq(point.oneonone_id.as_str()))
        .filter(talking_point::Column::DoneAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Where the open points of one-on-ones about to be cancelled go: the pair's next one-on-one
/// that is not among them, or else its latest one. `None` when the pair has no other.
pub async fn target_except(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    now: Timestamp,
    except: &[OneOnOneId],
) -> Result<Option<OneOnOneId>, DbErr> {
    #[derive(FromQueryResult)]
    struct IdRow {
        id: OneOnOneId,
    }
    let except: Vec<&str> = except.iter().map(OneOnOneId::as_str).collect();
    for (later, order) in [(true, Order::Asc), (false, Order::Desc)] {
        let mut q = Query::select();
        q.column((a("o"), a("id")))
            .from_as(a(one_on_one::Entity.table_name()), a("o"))
            .and_where(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()))
            .cond_where(pair_of("o", one, other))
            .and_where(Expr::col((a("o"), a("id"))).is_not_in(except.clone()))
            .order_by((a("o"), a("scheduled_at")), order.clone())
            .order_by((a("o"), a("id")), order)
            .limit(1);
        if later {
            q.and_where(Expr::col((a("o"), a("ends_at"))).gt(now.as_millis()));
        }
        if let Some(r) = IdRow::find_by_statement(db.get_database_backend().build(&q))
            .one(db)
            .await?
        {
            return Ok(Some(r.id));
        }
    }
    Ok(None)
}
