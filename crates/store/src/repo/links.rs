//! The person lists attached to an entity: initiative owners, meeting participants, meeting
//! instance participants. Each is a table `(parent, person_id, organization_id)`.

use manageros_core::{OrgId, PersonId};
use sea_orm::{
    ConnectionTrait, DbErr,
    sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement},
};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug)]
pub struct Link {
    pub table: &'static str,
    pub parent: &'static str,
}

pub const INITIATIVE_OWNERS: Link = Link {
    table: "initiative_owners",
    parent: "initiative_id",
};
pub const MEETING_PARTICIPANTS: Link = Link {
    table: "meeting_participants",
    parent: "meeting_id",
};
pub const INSTANCE_PARTICIPANTS: Link = Link {
    table: "meeting_instance_participants",
    parent: "instance_id",
};

fn a(s: &str) -> Alias {
    Alias::new(s)
}

/// Replaces the people attached to `parent` by `persons`.
pub async fn replace(
    db: &impl ConnectionTrait,
    link: Link,
    org: &OrgId,
    parent: &str,
    persons: &[PersonId],
) -> Result<(), DbErr> {
    db.execute(
        Query::delete()
            .from_table(a(link.table))
            .and_where(Expr::col(a("organization_id")).eq(org.as_str()))
            .and_where(Expr::col(a(link.parent)).eq(parent)),
    )
    .await?;
    if persons.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert.into_table(a(link.table)).columns([
        a(link.parent),
        a("person_id"),
        a("organization_id"),
    ]);
    for p in persons {
        insert.values_panic([parent.into(), p.as_str().into(), org.as_str().into()]);
    }
    db.execute(&insert).await?;
    Ok(())
}

/// The people attached to each of `parents`, in one query.
pub async fn load(
    db: &impl ConnectionTrait,
    link: Link,
    org: &OrgId,
    parents: &[&str],
) -> Result<HashMap<String, Vec<PersonId>>, DbErr> {
    let mut out: HashMap<String, Vec<PersonId>> = HashMap::new();
    if parents.is_empty() {
        return Ok(out);
    }
    let rows = db
        .query_all(
            Query::select()
                .columns([a(link.parent), a("person_id")])
                .from(a(link.table))
                .and_where(Expr::col(a("organization_id")).eq(org.as_str()))
                .and_where(Expr::col(a(link.parent)).is_in(parents.iter().copied()))
                .order_by(a("person_id"), Order::Asc),
        )
        .await?;
    for row in rows {
        let parent: String = row.try_get("", link.parent)?;
        let person: String = row.try_get("", "person_id")?;
        out.entry(parent)
            .or_default()
            .push(PersonId::from_db(person));
    }
    Ok(out)
}

/// `SELECT parent FROM link WHERE person_id = ?`: the parents a person is attached to, for
/// list scopes and filters.
pub fn parents_of(link: Link, org: &OrgId, person: &PersonId) -> SelectStatement {
    Query::select()
        .column(a(link.parent))
        .from(a(link.table))
        .and_where(Expr::col(a("organization_id")).eq(org.as_str()))
        .and_where(Expr::col(a("person_id")).eq(person.as_str()))
        .take()
}

/// How many rows attach `person` (to anything), for "is this person still referenced".
pub async fn count_for_person(
    db: &impl ConnectionTrait,
    link: Link,
    org: &OrgId,
    person: &PersonId,
) -> Result<u64, DbErr> {
    let row = db
        .query_one(
            Query::select()
                .expr_as(Expr::col(a("person_id")).count(), a("n"))
                .from(a(link.table))
                .and_where(Expr::col(a("organization_id")).eq(org.as_str()))
                .and_where(Expr::col(a("person_id")).eq(person.as_str())),
        )
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0) as u64)
}

/// Completes `rows` with the people attached to each (one query for all of them): `id` names
/// a row, `build` makes the finished value from a row and its people.
pub async fn attach<M, T>(
    db: &impl ConnectionTrait,
    link: Link,
    org: &OrgId,
    rows: Vec<M>,
    id: impl Fn(&M) -> &str,
    build: impl Fn(M, Vec<PersonId>) -> T,
) -> Result<Vec<T>, DbErr> {
    let ids: Vec<&str> = rows.iter().map(&id).collect();
    let mut people = load(db, link, org, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let attached = people.remove(id(&row)).unwrap_or_default();
            build(row, attached)
        })
        .collect())
}
