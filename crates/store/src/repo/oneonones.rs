//! One-on-ones: the private meeting between two people, and the log of who opened one
//! without taking part in it.
//!
//! The list is one query for the page (both people and their users joined) and one for the
//! count, each served by the `(organization_id, manager_id|report_id, scheduled_at, id)`
//! indexes.

use crate::{
    contains_pattern, contains_pattern_text,
    entity::{one_on_one, oneonone_access},
};
use manageros_core::{
    AccessLogId, OneOnOneId, OrgId, Page, PersonId, SeriesId, Timestamp, UserId,
    authz::{OneOnOneFacts, Target},
};
use sea_orm::{
    ActiveValue::Set,
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryResult,
    prelude::*,
    sea_query::{
        Alias, Asterisk, CaseStatement, Condition, ExprTrait, Func, JoinType, Order, Query,
        QueryStatementBuilder, SelectStatement, UnionType,
    },
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneOnOne {
    pub id: OneOnOneId,
    pub organization_id: OrgId,
    pub manager_id: PersonId,
    pub report_id: PersonId,
    pub scheduled_at: Timestamp,
    pub notes: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every write (m0019): what a writer's `If-Match` is compared with.
    pub version: i64,
    /// The user who made the last change; none until the first one.
    pub updated_by: Option<UserId>,
    /// When it ends (m0021): it is over from then on.
    pub ends_at: Timestamp,
    /// The recurring series it is an occurrence of, and the start the series' rule gave it
    /// (moving it changes `scheduled_at`, never this).
    pub series_id: Option<SeriesId>,
    pub occurrence_at: Option<Timestamp>,
}

impl OneOnOne {
    /// How long it lasts, in minutes.
    pub fn duration_minutes(&self) -> i64 {
        (self.ends_at.as_millis() - self.scheduled_at.as_millis()) / 60_000
    }

    pub fn facts(&self) -> OneOnOneFacts {
        OneOnOneFacts {
            org_id: self.organization_id.clone(),
            manager: self.manager_id.clone(),
            report: self.report_id.clone(),
        }
    }

    pub fn target(&self) -> Target {
        Target::OneOnOne(self.facts())
    }
}

/// One of the two people of a one-on-one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    pub id: PersonId,
    pub name: String,
    pub email: Option<String>,
    pub role: Option<String>,
    pub user_id: Option<UserId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneOnOneWithPeople {
    pub one_on_one: OneOnOne,
    pub manager: Party,
    pub report: Party,
}

/// The sortable fields of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortField {
    ScheduledAt,
    Manager,
    Report,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SortKey {
    pub field: SortField,
    pub descending: bool,
}

/// The caller's one-on-ones list: who is asking and what they filter on.
#[derive(Clone, Debug)]
pub struct ListQuery {
    /// The one-on-ones where this person is the manager or the report.
    pub participant: PersonId,
    /// Only the one-on-ones with this other person (the series of a pair).
    pub with: Option<PersonId>,
    pub scheduled_from: Option<Timestamp>,
    /// Exclusive upper bound.
    pub scheduled_before: Option<Timestamp>,
    /// Case-insensitive substring of either person's name or of the notes.
    pub search: Option<String>,
    /// Never empty; ties are broken by id in the direction of the first key.
    pub sort: Vec<SortKey>,
    pub page: Page,
}

fn a(s: &str) -> Alias {
    Alias::new(s)
}

/// A one-on-one with both people, as `select_columns` lists them: read by position (every
/// list reads 20 to 100 of these per request, and finding each column by its name was a
/// measurable share of the server's work: docs/BENCHMARKS.md, "Profiling").
struct Row {
    id: String,
    organization_id: String,
    manager_id: String,
    report_id: String,
    scheduled_at: i64,
    notes: Option<String>,
    created_at: i64,
    updated_at: i64,
    version: i64,
    updated_by: Option<String>,
    ends_at: i64,
    series_id: Option<String>,
    occurrence_at: Option<i64>,
    m_name: String,
    m_email: Option<String>,
    m_role: Option<String>,
    m_user: Option<String>,
    r_name: String,
    r_email: Option<String>,
    r_role: Option<String>,
    r_user: Option<String>,
}

impl From<Row> for OneOnOneWithPeople {
    fn from(r: Row) -> Self {
        let manager = Party {
            id: PersonId::from_db(r.manager_id.clone()),
            name: r.m_name,
            email: r.m_email,
            role: r.m_role,
            user_id: r.m_user.map(UserId::from_db),
        };
        let report = Party {
            id: PersonId::from_db(r.report_id.clone()),
            name: r.r_name,
            email: r.r_email,
            role: r.r_role,
            user_id: r.r_user.map(UserId::from_db),
        };
        Self {
            one_on_one: OneOnOne {
                id: OneOnOneId::from_db(r.id),
                organization_id: OrgId::from_db(r.organization_id),
                manager_id: manager.id.clone(),
                report_id: report.id.clone(),
                scheduled_at: Timestamp::from_millis(r.scheduled_at),
                notes: r.notes,
                created_at: Timestamp::from_millis(r.created_at),
                updated_at: Timestamp::from_millis(r.updated_at),
                version: r.version,
                updated_by: r.updated_by.map(UserId::from_db),
                ends_at: Timestamp::from_millis(r.ends_at),
                series_id: r.series_id.map(SeriesId::from_db),
                occurrence_at: r.occurrence_at.map(Timestamp::from_millis),
            },
            manager,
            report,
        }
    }
}

/// `one_on_ones o` joined with both people (`m`, `r`); with `users` (`mu`, `ru`) when
/// `with_users`.
fn joined(with_users: bool) -> SelectStatement {
    let mut q = joined_people(true, true);
    if with_users {
        q.join_as(
            JoinType::LeftJoin,
            a("users"),
            a("mu"),
            Expr::col((a("mu"), a("person_id"))).equals((a("m"), a("id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            a("users"),
            a("ru"),
            Expr::col((a("ru"), a("person_id"))).equals((a("r"), a("id"))),
        );
    }
    q
}

/// `one_on_ones o` joined with the manager (`m`) and/or the report (`r`) only as needed: each
/// join is an index lookup per matching row.
fn joined_people(manager: bool, report: bool) -> SelectStatement {
    let mut q = Query::select();
    q.from_as(a(one_on_one::Entity.table_name()), a("o"));
    if manager {
        q.join_as(
            JoinType::InnerJoin,
            a("persons"),
            a("m"),
            Expr::col((a("m"), a("id"))).equals((a("o"), a("manager_id"))),
        );
    }
    if report {
        q.join_as(
            JoinType::InnerJoin,
            a("persons"),
            a("r"),
            Expr::col((a("r"), a("id"))).equals((a("o"), a("report_id"))),
        );
    }
    q.take()
}

fn select_columns(q: &mut SelectStatement) {
    for c in O_COLUMNS {
        q.column((a("o"), a(c)));
    }
    for (table, col, alias) in [
        ("m", "name", "m_name"),
        ("m", "email", "m_email"),
        ("m", "role", "m_role"),
        ("mu", "id", "m_user"),
        ("r", "name", "r_name"),
        ("r", "email", "r_email"),
        ("r", "role", "r_role"),
        ("ru", "id", "r_user"),
    ] {
        q.expr_as(Expr::col((a(table), a(col))), a(alias));
    }
}

fn lower_col(table: &str, col: &str) -> Expr {
    Func::lower(Expr::col((a(table), a(col)))).into()
}

/// The conditions on `o` (the one-on-ones table) every strategy shares: the organization and
/// the dates. Which side the caller is on, and the search, are added per strategy.
fn date_conditions(org: &OrgId, lq: &ListQuery) -> Condition {
    let mut c = Condition::all().add(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()));
    if let Some(from) = lq.scheduled_from {
        c = c.add(Expr::col((a("o"), a("scheduled_at"))).gte(from.as_millis()));
    }
    if let Some(before) = lq.scheduled_before {
        c = c.add(Expr::col((a("o"), a("scheduled_at"))).lt(before.as_millis()));
    }
    c
}

/// Either side: the caller's person is the manager or the report (and the other is `with`).
fn either_side(lq: &ListQuery) -> Condition {
    let side = |mine: &str, theirs: &str| {
        let mut c = Condition::all().add(Expr::col((a("o"), a(mine))).eq(lq.participant.as_str()));
        if let Some(w) = &lq.with {
            c = c.add(Expr::col((a("o"), a(theirs))).eq(w.as_str()));
        }
        c
    };
    Condition::any()
        .add(side("manager_id", "report_id"))
        .add(side("report_id", "manager_id"))
}

fn search_condition(search: &str) -> Condition {
    let p = contains_pattern(search);
    Condition::any()
        .add(lower_col("m", "name").like(p.clone()))
        .add(lower_col("r", "name").like(p.clone()))
        .add(lower_col("o", "notes").like(p))
}

/// `one_on_ones o` alone, on one side (with `with` on the other), with the date conditions.
fn one_side(org: &OrgId, lq: &ListQuery, side: &str) -> SelectStatement {
    let mut c =
        date_conditions(org, lq).add(Expr::col((a("o"), a(side))).eq(lq.participant.as_str()));
    if let Some(w) = &lq.with {
        let other = if side == "manager_id" {
            "report_id"
        } else {
            "manager_id"
        };
        c = c.add(Expr::col((a("o"), a(other))).eq(w.as_str()));
    }
    Query::select()
        .from_as(a(one_on_one::Entity.table_name()), a("o"))
        .cond_where(c)
        .take()
}

const O_COLUMNS: [&str; 13] = [
    "id",
    "organization_id",
    "manager_id",
    "report_id",
    "scheduled_at",
    "notes",
    "created_at",
    "updated_at",
    "version",
    "updated_by",
    "ends_at",
    "series_id",
    "occurrence_at",
];

fn order(descending: bool) -> Order {
    if descending { Order::Desc } else { Order::Asc }
}

/// Orders `q` by the list's keys, then by id in the direction of the first key. Name keys need
/// `m` and `r` joined.
fn order_by_keys(q: &mut SelectStatement, sort: &[SortKey]) {
    for key in sort {
        match key.field {
            SortField::ScheduledAt => {
                q.order_by((a("o"), a("scheduled_at")), order(key.descending))
            }
            SortField::Manager => q.order_by_expr(lower_col("m", "name"), order(key.descending)),
            SortField::Report => q.order_by_expr(lower_col("r", "name"), order(key.descending)),
        };
    }
    q.order_by(
        (a("o"), a("id")),
        order(sort.first().is_some_and(|k| k.descending)),
    );
}

/// The ids (with `scheduled_at`) of the requested page, in order, without reading a row.
///
/// When the order is by time and there is no search (the common case), each side is read in
/// index order from its own covering index, `offset + limit` entries at most (on PostgreSQL
/// each side carries that limit; on SQLite the compound's own does), and the two are
/// merged: the cost follows the page, not how many one-on-ones the caller has, and the notes
/// are read for the page's rows only. Otherwise the matching rows are joined to the people
/// (for names), sorted and cut.
fn page_ids(org: &OrgId, lq: &ListQuery, backend: sea_orm::DbBackend) -> SelectStatement {
    let time_only =
        lq.search.is_none() && lq.sort.iter().all(|k| k.field == SortField::ScheduledAt);
    if !time_only {
        let needs = |f: SortField| lq.search.is_some() || lq.sort.iter().any(|k| k.field == f);
        let mut q = joined_people(needs(SortField::Manager), needs(SortField::Report));
        q.column((a("o"), a("id")))
            .column((a("o"), a("scheduled_at")));
        let mut cond = date_conditions(org, lq).add(either_side(lq));
        if let Some(s) = &lq.search {
            cond = cond.add(search_condition(s));
        }
        q.cond_where(cond);
        order_by_keys(&mut q, &lq.sort);
        return q.limit(lq.page.limit).offset(lq.page.offset()).take();
    }
    let desc = lq.sort.first().is_some_and(|k| k.descending);
    if backend == sea_orm::DbBackend::Sqlite {
        // SQLite merges the two sides straight from their indexes when the ORDER BY and LIMIT
        // are the compound's own, reading only as far as the page: wrapped sides (as below)
        // were each sorted again in a temporary b-tree (page 50: 0.85 ms a query, now 0.55).
        let side = |col: &str| {
            let mut s = one_side(org, lq, col);
            s.column((a("o"), a("id")))
                .column((a("o"), a("scheduled_at")));
            s
        };
        let mut both = side("manager_id")
            .union(UnionType::All, side("report_id"))
            .take();
        both.order_by(a("scheduled_at"), order(desc))
            .order_by(a("id"), order(desc))
            .limit(lq.page.limit)
            .offset(lq.page.offset());
        return both;
    }
    let reach = lq.page.offset() + lq.page.limit;
    let side = |col: &str| {
        let mut s = one_side(org, lq, col);
        s.column((a("o"), a("id")))
            .column((a("o"), a("scheduled_at")))
            .order_by((a("o"), a("scheduled_at")), order(desc))
            .order_by((a("o"), a("id")), order(desc))
            .limit(reach);
        // Each side wrapped, so its ORDER BY and LIMIT stay its own inside the UNION.
        Query::select()
            .column(Asterisk)
            .from_subquery(s, a("side"))
            .take()
    };
    let both = side("manager_id")
        .union(UnionType::All, side("report_id"))
        .take();
    let mut page = Query::select();
    page.column(Asterisk).from_subquery(both, a("o"));
    order_by_keys(
        &mut page,
        &[SortKey {
            field: SortField::ScheduledAt,
            descending: desc,
        }],
    );
    page.limit(lq.page.limit).offset(lq.page.offset()).take()
}

/// From how many one-on-ones of the caller a sort by name reads the names of the whole
/// organization at once ([`page_ids_by_people`]) instead of looking up each row's person.
pub const MANY_FOR_NAMES: u64 = 200;

/// Whether [`page_ids_by_people`] serves the list: a sort by a name, no search, and a caller
/// known to have at least [`MANY_FOR_NAMES`] one-on-ones.
fn by_people(lq: &ListQuery, known_total: Option<u64>) -> bool {
    lq.search.is_none()
        && lq.sort.iter().any(|k| k.field != SortField::ScheduledAt)
        && known_total.is_some_and(|t| t >= MANY_FOR_NAMES)
}

/// The page's ids for a sort by name when the caller has many one-on-ones: both sides are read
/// from their covering indexes (which hold the other person's id), and each row's names come
/// from `people`, the organization's people read once (the `WITH` of [`list`]) and joined by
/// hash. Looking the person up per row instead cost four index pages per one-on-one: 1,000
/// one-on-ones took 5 ms this way and 1 ms the other (docs/BENCHMARKS.md, "Sort by name").
fn page_ids_by_people(org: &OrgId, lq: &ListQuery) -> SelectStatement {
    let side = |col: &str| {
        let mut s = one_side(org, lq, col);
        for c in ["id", "scheduled_at", "manager_id", "report_id"] {
            s.column((a("o"), a(c)));
        }
        s
    };
    let both = side("manager_id")
        .union(UnionType::All, side("report_id"))
        .take();
    let mut q = Query::select();
    q.column((a("s"), a("id")))
        .column((a("s"), a("scheduled_at")))
        .from_subquery(both, a("s"));
    let needs = |f: SortField| lq.sort.iter().any(|k| k.field == f);
    for (needed, alias, col) in [
        (needs(SortField::Manager), "pm", "manager_id"),
        (needs(SortField::Report), "pr", "report_id"),
    ] {
        if needed {
            q.join_as(
                JoinType::InnerJoin,
                a("people"),
                a(alias),
                Expr::col((a(alias), a("id"))).equals((a("s"), a(col))),
            );
        }
    }
    for key in &lq.sort {
        let col = match key.field {
            SortField::ScheduledAt => ("s", "scheduled_at"),
            SortField::Manager => ("pm", "key"),
            SortField::Report => ("pr", "key"),
        };
        q.order_by((a(col.0), a(col.1)), order(key.descending));
    }
    q.order_by(
        (a("s"), a("id")),
        order(lq.sort.first().is_some_and(|k| k.descending)),
    );
    q.limit(lq.page.limit).offset(lq.page.offset()).take()
}

/// The number of matching one-on-ones, as an expression. Without a search it is the sum of
/// two index range counts, one per side (never both: the two people differ).
fn total(org: &OrgId, lq: &ListQuery) -> Expr {
    let count_of = |mut q: SelectStatement| -> Expr {
        q.expr(Expr::col((a("o"), a("id"))).count());
        Expr::SubQuery(None, Box::new(q.into_sub_query_statement()))
    };
    match &lq.search {
        None => {
            count_of(one_side(org, lq, "manager_id")).add(count_of(one_side(org, lq, "report_id")))
        }
        Some(s) => {
            let mut q = joined(false);
            q.cond_where(
                date_conditions(org, lq)
                    .add(either_side(lq))
                    .add(search_condition(s)),
            );
            count_of(q)
        }
    }
}

/// One page of the caller's one-on-ones and the total count, in one query: the page's rows
/// are chosen first, then joined to both people and their users. The total rides along as a
/// column (a second query only when the page is empty), unless the caller already knows it
/// (`known_total`, kept by the server between writes): then nothing is counted.
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    lq: &ListQuery,
    known_total: Option<u64>,
) -> Result<(Vec<OneOnOneWithPeople>, u64), DbErr> {
    let backend = db.get_database_backend();
    let statement = list_statement(backend, org, lq, known_total);
    if let Some(total) = known_total {
        let rows = Row::find_by_statement(statement).all(db).await?;
        return Ok((rows.into_iter().map(Into::into).collect(), total));
    }
    let rows = PageRow::find_by_statement(statement).all(db).await?;
    let total = match rows.first() {
        Some(r) => r.total,
        None => {
            let count = Query::select().expr_as(total(org, lq), a("total")).take();
            db.query_one(&count)
                .await?
                .map(|r| r.try_get::<i64>("", "total"))
                .transpose()?
                .unwrap_or(0)
        }
    };
    Ok((
        rows.into_iter().map(|r| r.row.into()).collect(),
        u64::try_from(total).unwrap_or(0),
    ))
}

/// The statement of [`list`], built by [`build_list`] once per [`Shape`] and then only given
/// this request's values: building it with sea-query on every request (expression trees made
/// and dropped, identifiers quoted) was 8% of the server's work on a list
/// (docs/BENCHMARKS.md, "Profiling").
fn list_statement(
    backend: sea_orm::DbBackend,
    org: &OrgId,
    lq: &ListQuery,
    known_total: Option<u64>,
) -> sea_orm::Statement {
    use std::{
        collections::HashMap,
        sync::{Arc, OnceLock, RwLock},
    };
    /// More shapes than one backend's parameters make (78 sorts × 8 filter combinations × 3
    /// kinds of known total); past it a statement is built for its request alone.
    const MOST_SHAPES: usize = 4096;
    /// Each shape's statement, or `None` when its values could not all be told apart (then
    /// every request of that shape is built afresh: never a statement with a wrong value).
    type Shapes = HashMap<Shape, Option<Arc<Built>>>;
    static SHAPES: OnceLock<RwLock<Shapes>> = OnceLock::new();
    let shapes = SHAPES.get_or_init(Default::default);
    let shape = Shape::of(backend, lq, known_total);
    let (cached, full) = {
        let all = shapes.read().unwrap_or_else(|e| e.into_inner());
        (all.get(&shape).cloned(), all.len() >= MOST_SHAPES)
    };
    let built = match cached {
        Some(built) => built,
        None => {
            let built = Built::new(&shape).map(Arc::new);
            if !full {
                let mut all = shapes.write().unwrap_or_else(|e| e.into_inner());
                all.insert(shape, built.clone());
            }
            built
        }
    };
    let Some(built) = built else {
        return build_list(backend, org, lq, known_total);
    };
    built.statement(backend, org, lq)
}

/// What decides the text of [`list`]'s statement; the values (organization, person, dates,
/// search, page) fill its placeholders.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Shape {
    /// The SQL differs per backend (and only PostgreSQL and SQLite are served).
    postgres: bool,
    sort: Vec<SortKey>,
    with: bool,
    from: bool,
    before: bool,
    search: bool,
    known_total: bool,
    by_people: bool,
}

impl Shape {
    fn of(backend: sea_orm::DbBackend, lq: &ListQuery, known_total: Option<u64>) -> Self {
        Self {
            postgres: backend == sea_orm::DbBackend::Postgres,
            sort: lq.sort.clone(),
            with: lq.with.is_some(),
            from: lq.scheduled_from.is_some(),
            before: lq.scheduled_before.is_some(),
            search: lq.search.is_some(),
            known_total: known_total.is_some(),
            by_people: by_people(lq, known_total),
        }
    }
}

/// Where each placeholder of a [`Built`] statement takes its value from.
#[derive(Debug)]
enum Slot {
    Org,
    Participant,
    With,
    From,
    Before,
    Pattern,
    Limit,
    Offset,
    /// `offset + limit`: how far each side of a time-ordered page reads.
    Reach,
}

/// A shape's SQL and what fills its placeholders, in order.
#[derive(Debug)]
struct Built {
    sql: String,
    slots: Vec<Slot>,
}

/// Stand-ins for a shape's values: [`build_list`] is given them, and each placeholder is
/// recognised by the stand-in it received. None can appear in the SQL otherwise.
mod stand_in {
    pub const ORG: &str = "org_vvvvvvvvvvvvvvvvvvvvvvvvvv";
    pub const PARTICIPANT: &str = "person_vvvvvvvvvvvvvvvvvvvvvvvvv0";
    pub const WITH: &str = "person_vvvvvvvvvvvvvvvvvvvvvvvvv1";
    pub const FROM: i64 = -7_000_000_001;
    pub const BEFORE: i64 = -7_000_000_002;
    pub const SEARCH: &str = "\u{1}search";
    /// A page far out (offset 1,009,002,018, reach 1,009,003,027), so that the limit, the
    /// offset and their sum are three numbers no other value equals.
    pub const PAGE: u64 = 1_000_003;
    pub const LIMIT: u64 = 1009;
}

impl Built {
    /// The shape's statement with its slots, or `None` when a value of the statement is none
    /// of the stand-ins (a constant bound, or a stand-in that changed type on its way): such a
    /// statement is not kept, so a request can never be given a value that is not its own.
    fn new(shape: &Shape) -> Option<Self> {
        let lq = ListQuery {
            participant: PersonId::from_db(stand_in::PARTICIPANT.to_owned()),
            with: shape
                .with
                .then(|| PersonId::from_db(stand_in::WITH.to_owned())),
            scheduled_from: shape.from.then(|| Timestamp::from_millis(stand_in::FROM)),
            scheduled_before: shape
                .before
                .then(|| Timestamp::from_millis(stand_in::BEFORE)),
            search: shape.search.then(|| stand_in::SEARCH.to_owned()),
            sort: shape.sort.clone(),
            page: Page {
                page: stand_in::PAGE,
                limit: stand_in::LIMIT,
            },
        };
        // A known total at or past MANY_FOR_NAMES where the shape reads names by people.
        let known = shape
            .known_total
            .then_some(if shape.by_people { MANY_FOR_NAMES } else { 0 });
        let org = OrgId::from_db(stand_in::ORG.to_owned());
        let backend = if shape.postgres {
            sea_orm::DbBackend::Postgres
        } else {
            sea_orm::DbBackend::Sqlite
        };
        let statement = build_list(backend, &org, &lq, known);
        let string = |s: &str| sea_orm::Value::from(s);
        let number = |n: u64| sea_orm::Value::from(n);
        let slots = statement
            .values
            .map(|v| v.0)
            .unwrap_or_default()
            .iter()
            .map(|v| match v {
                v if *v == string(stand_in::ORG) => Some(Slot::Org),
                v if *v == string(stand_in::PARTICIPANT) => Some(Slot::Participant),
                v if *v == string(stand_in::WITH) => Some(Slot::With),
                v if *v == sea_orm::Value::from(stand_in::FROM) => Some(Slot::From),
                v if *v == sea_orm::Value::from(stand_in::BEFORE) => Some(Slot::Before),
                v if *v == string(&contains_pattern_text(stand_in::SEARCH)) => Some(Slot::Pattern),
                v if *v == number(lq.page.limit) => Some(Slot::Limit),
                v if *v == number(lq.page.offset()) => Some(Slot::Offset),
                v if *v == number(lq.page.offset() + lq.page.limit) => Some(Slot::Reach),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        // Every statement of the list is scoped by the organization.
        if !slots.iter().any(|s| matches!(s, Slot::Org)) {
            return None;
        }
        Some(Self {
            sql: statement.sql,
            slots,
        })
    }

    /// The statement for one request: the shape's SQL with this request's values.
    fn statement(
        &self,
        backend: sea_orm::DbBackend,
        org: &OrgId,
        lq: &ListQuery,
    ) -> sea_orm::Statement {
        let pattern = lq.search.as_deref().map(contains_pattern_text);
        let millis = |t: Option<Timestamp>| t.map(|t| t.as_millis()).unwrap_or_default();
        let values = self.slots.iter().map(|slot| match slot {
            Slot::Org => org.as_str().into(),
            Slot::Participant => lq.participant.as_str().into(),
            Slot::With => lq
                .with
                .as_ref()
                .map(|w| w.as_str())
                .unwrap_or_default()
                .into(),
            Slot::From => millis(lq.scheduled_from).into(),
            Slot::Before => millis(lq.scheduled_before).into(),
            Slot::Pattern => pattern.clone().unwrap_or_default().into(),
            Slot::Limit => lq.page.limit.into(),
            Slot::Offset => lq.page.offset().into(),
            Slot::Reach => (lq.page.offset() + lq.page.limit).into(),
        });
        sea_orm::Statement::from_sql_and_values(backend, self.sql.clone(), values)
    }
}

/// [`list`]'s statement built with sea-query from the query itself: what [`Built`] records
/// once per shape.
fn build_list(
    backend: sea_orm::DbBackend,
    org: &OrgId,
    lq: &ListQuery,
    known_total: Option<u64>,
) -> sea_orm::Statement {
    let people = by_people(lq, known_total);
    let ids = if people {
        page_ids_by_people(org, lq)
    } else {
        page_ids(org, lq, backend)
    };
    let mut q = Query::select();
    q.from_subquery(ids, a("p"))
        .join_as(
            JoinType::InnerJoin,
            a(one_on_one::Entity.table_name()),
            a("o"),
            Expr::col((a("o"), a("id"))).equals((a("p"), a("id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            a("persons"),
            a("m"),
            Expr::col((a("m"), a("id"))).equals((a("o"), a("manager_id"))),
        )
        .join_as(
            JoinType::InnerJoin,
            a("persons"),
            a("r"),
            Expr::col((a("r"), a("id"))).equals((a("o"), a("report_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            a("users"),
            a("mu"),
            Expr::col((a("mu"), a("person_id"))).equals((a("m"), a("id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            a("users"),
            a("ru"),
            Expr::col((a("ru"), a("person_id"))).equals((a("r"), a("id"))),
        );
    select_columns(&mut q);
    order_by_keys(&mut q, &lq.sort);
    if known_total.is_none() {
        q.expr_as(total(org, lq), a("total"));
        return backend.build(&q);
    }
    if people {
        // The organization's people, read once: `id` and the sort key of the name.
        let mut cte = sea_orm::sea_query::CommonTableExpression::new();
        cte.table_name(a("people")).materialized(true).query(
            Query::select()
                .column(a("id"))
                .expr_as(Func::lower(Expr::col(a("name"))), a("key"))
                .from(a("persons"))
                .and_where(Expr::col(a("organization_id")).eq(org.as_str()))
                .take(),
        );
        return backend.build(&Query::with().cte(cte).to_owned().query(q));
    }
    backend.build(&q)
}

/// A [`Row`] and, after its columns, the list's total.
struct PageRow {
    row: Row,
    total: i64,
}

/// How many columns `select_columns` lists: `O_COLUMNS` and the two people's four.
const ROW_COLUMNS: usize = O_COLUMNS.len() + 8;
// `Row`'s reading below names 21 positions: a column added to the list must be read there too.
const _: () = assert!(ROW_COLUMNS == 21);

impl FromQueryResult for Row {
    fn from_query_result(res: &QueryResult, _: &str) -> Result<Self, DbErr> {
        Ok(Self {
            id: res.try_get_by_index(0)?,
            organization_id: res.try_get_by_index(1)?,
            manager_id: res.try_get_by_index(2)?,
            report_id: res.try_get_by_index(3)?,
            scheduled_at: res.try_get_by_index(4)?,
            notes: res.try_get_by_index(5)?,
            created_at: res.try_get_by_index(6)?,
            updated_at: res.try_get_by_index(7)?,
            version: res.try_get_by_index(8)?,
            updated_by: res.try_get_by_index(9)?,
            ends_at: res.try_get_by_index(10)?,
            series_id: res.try_get_by_index(11)?,
            occurrence_at: res.try_get_by_index(12)?,
            m_name: res.try_get_by_index(13)?,
            m_email: res.try_get_by_index(14)?,
            m_role: res.try_get_by_index(15)?,
            m_user: res.try_get_by_index(16)?,
            r_name: res.try_get_by_index(17)?,
            r_email: res.try_get_by_index(18)?,
            r_role: res.try_get_by_index(19)?,
            r_user: res.try_get_by_index(20)?,
        })
    }
}

impl FromQueryResult for PageRow {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            row: Row::from_query_result(res, pre)?,
            total: res.try_get_by_index(ROW_COLUMNS)?,
        })
    }
}

/// A one-on-one of the organization with both people.
pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &OneOnOneId,
) -> Result<Option<OneOnOneWithPeople>, DbErr> {
    let mut q = joined(true);
    select_columns(&mut q);
    q.and_where(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()))
        .and_where(Expr::col((a("o"), a("id"))).eq(id.as_str()));
    Ok(Row::find_by_statement(db.get_database_backend().build(&q))
        .one(db)
        .await?
        .map(Into::into))
}

/// The writable fields of a one-on-one.
#[derive(Clone, Debug)]
pub struct OneOnOneFields {
    pub manager_id: PersonId,
    pub report_id: PersonId,
    pub scheduled_at: Timestamp,
    pub ends_at: Timestamp,
    pub notes: Option<String>,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    f: &OneOnOneFields,
    now: Timestamp,
) -> Result<OneOnOneId, DbErr> {
    let id = OneOnOneId::generate();
    one_on_one::Entity::insert(one_on_one::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(org.as_str().to_owned()),
        manager_id: Set(f.manager_id.as_str().to_owned()),
        report_id: Set(f.report_id.as_str().to_owned()),
        scheduled_at: Set(f.scheduled_at.as_millis()),
        notes: Set(f.notes.clone()),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        version: Set(1),
        // Set by the first change: a version mismatch always names who made it.
        updated_by: Set(None),
        ends_at: Set(f.ends_at.as_millis()),
        series_id: Set(None),
        occurrence_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    super::orgs::oneonones_changed(db, org).await?;
    Ok(id)
}

/// Creates the occurrence of `series` that starts at `at`, unless it already exists (another
/// scheduler got there first: the unique `(series_id, occurrence_at)` index). Returns its id
/// when this call created it.
pub async fn insert_occurrence(
    db: &impl ConnectionTrait,
    org: &OrgId,
    series: &SeriesId,
    f: &OneOnOneFields,
    now: Timestamp,
) -> Result<Option<OneOnOneId>, DbErr> {
    let id = OneOnOneId::generate();
    let done = one_on_one::Entity::insert(one_on_one::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(org.as_str().to_owned()),
        manager_id: Set(f.manager_id.as_str().to_owned()),
        report_id: Set(f.report_id.as_str().to_owned()),
        scheduled_at: Set(f.scheduled_at.as_millis()),
        notes: Set(None),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        version: Set(1),
        updated_by: Set(None),
        ends_at: Set(f.ends_at.as_millis()),
        series_id: Set(Some(series.as_str().to_owned())),
        occurrence_at: Set(Some(f.scheduled_at.as_millis())),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            one_on_one::Column::SeriesId,
            one_on_one::Column::OccurrenceAt,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await;
    match done {
        Ok(0) | Err(DbErr::RecordNotInserted) => return Ok(None),
        Ok(_) => {}
        Err(e) => return Err(e),
    }
    super::orgs::oneonones_changed(db, org).await?;
    Ok(Some(id))
}

/// Takes a one-on-one out of its series (it becomes a one-off).
pub async fn detach(db: &impl ConnectionTrait, org: &OrgId, id: &OneOnOneId) -> Result<(), DbErr> {
    one_on_one::Entity::update_many()
        .col_expr(
            one_on_one::Column::SeriesId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            one_on_one::Column::OccurrenceAt,
            Expr::value(Option::<i64>::None),
        )
        .filter(one_on_one::Column::OrganizationId.eq(org.as_str()))
        .filter(one_on_one::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Replaces a one-on-one's fields (its version is claimed first: `versions::claim`).
pub async fn update(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &OneOnOneId,
    f: &OneOnOneFields,
    now: Timestamp,
) -> Result<(), DbErr> {
    one_on_one::Entity::update_many()
        .col_expr(
            one_on_one::Column::ManagerId,
            Expr::value(f.manager_id.as_str()),
        )
        .col_expr(
            one_on_one::Column::ReportId,
            Expr::value(f.report_id.as_str()),
        )
        .col_expr(
            one_on_one::Column::ScheduledAt,
            Expr::value(f.scheduled_at.as_millis()),
        )
        .col_expr(
            one_on_one::Column::EndsAt,
            Expr::value(f.ends_at.as_millis()),
        )
        .col_expr(one_on_one::Column::Notes, Expr::value(f.notes.clone()))
        .col_expr(one_on_one::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(one_on_one::Column::OrganizationId.eq(org.as_str()))
        .filter(one_on_one::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    super::orgs::oneonones_changed(db, org).await
}

pub async fn delete(db: &impl ConnectionTrait, org: &OrgId, id: &OneOnOneId) -> Result<(), DbErr> {
    one_on_one::Entity::delete_many()
        .filter(one_on_one::Column::OrganizationId.eq(org.as_str()))
        .filter(one_on_one::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    super::orgs::oneonones_changed(db, org).await?;
    Ok(())
}

/// One-on-ones a person takes part in (for "is this person still referenced").
pub async fn count_for_person(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    one_on_one::Entity::find()
        .filter(one_on_one::Column::OrganizationId.eq(org.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(one_on_one::Column::ManagerId.eq(person.as_str()))
                .add(one_on_one::Column::ReportId.eq(person.as_str())),
        )
        .count(db)
        .await
}

/// The newest one-on-ones between two people (in either role), at most `limit`.
pub async fn between(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    limit: u64,
) -> Result<Vec<OneOnOneWithPeople>, DbErr> {
    let pair = |m: &PersonId, r: &PersonId| {
        Condition::all()
            .add(Expr::col((a("o"), a("manager_id"))).eq(m.as_str()))
            .add(Expr::col((a("o"), a("report_id"))).eq(r.as_str()))
    };
    let mut q = joined(true);
    select_columns(&mut q);
    q.and_where(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()))
        .cond_where(Condition::any().add(pair(one, other)).add(pair(other, one)))
        .order_by((a("o"), a("scheduled_at")), Order::Desc)
        .order_by((a("o"), a("id")), Order::Desc)
        .limit(limit);
    Ok(Row::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The access log.

/// Why someone who does not take part in a one-on-one touched it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessAction {
    View,
    Edit,
    Delete,
    /// Open items moved to or from it when one of its people changed manager.
    Handoff,
    /// Its open items read in a handoff offer by someone who was not one of its two people
    /// (the new manager of one of them).
    ViewInHandoff,
    /// A participant read or changed it through a link that took their person over from
    /// another user ([`super::users::holds_by_takeover`]).
    ViewThroughLink,
    EditThroughLink,
    DeleteThroughLink,
    /// An update took this person out of it (`AccessEntry::person`).
    ParticipantRemoved,
}

impl AccessAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessAction::View => "view",
            AccessAction::Edit => "edit",
            AccessAction::Delete => "delete",
            AccessAction::Handoff => "handoff",
            AccessAction::ViewInHandoff => "view-in-handoff",
            AccessAction::ViewThroughLink => "view-through-link",
            AccessAction::EditThroughLink => "edit-through-link",
            AccessAction::DeleteThroughLink => "delete-through-link",
            AccessAction::ParticipantRemoved => "participant-removed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    pub at: Timestamp,
    pub user_id: UserId,
    pub name: String,
    pub action: String,
    /// The person the entry is about, `(id, name)`: the participant removed, or the person
    /// a user was linked to or unlinked from.
    pub person: Option<(PersonId, String)>,
    /// The user linked or unlinked, `(id, name)`.
    pub subject: Option<(UserId, String)>,
}

pub async fn log_access(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &OneOnOneId,
    user: &UserId,
    action: AccessAction,
    at: Timestamp,
) -> Result<(), DbErr> {
    log_about(db, org, id, user, action, None, at).await
}

/// An entry about a person (the participant an update removed).
pub async fn log_about(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &OneOnOneId,
    user: &UserId,
    action: AccessAction,
    person: Option<&PersonId>,
    at: Timestamp,
) -> Result<(), DbErr> {
    oneonone_access::Entity::insert(oneonone_access::ActiveModel {
        person_id: Set(person.map(|p| p.as_str().to_owned())),
        id: Set(AccessLogId::generate().into_string()),
        organization_id: Set(org.as_str().to_owned()),
        oneonone_id: Set(id.as_str().to_owned()),
        user_id: Set(user.as_str().to_owned()),
        action: Set(action.as_str().to_owned()),
        at: Set(at.as_millis()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct LogRow {
    at: i64,
    user_id: String,
    name: Option<String>,
    action: String,
    person_id: Option<String>,
    person_name: Option<String>,
}

/// The access log of a one-on-one, oldest first, with the names of those who accessed it.
pub async fn access_log(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &OneOnOneId,
) -> Result<Vec<AccessEntry>, DbErr> {
    let q = Query::select()
        .column((a("l"), a("at")))
        .column((a("l"), a("user_id")))
        .column((a("l"), a("action")))
        .column((a("l"), a("person_id")))
        .expr_as(Expr::col((a("u"), a("name"))), a("name"))
        .expr_as(Expr::col((a("p"), a("name"))), a("person_name"))
        .from_as(a("oneonone_access_log"), a("l"))
        .join_as(
            JoinType::LeftJoin,
            a("users"),
            a("u"),
            Expr::col((a("u"), a("id"))).equals((a("l"), a("user_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            a("persons"),
            a("p"),
            Expr::col((a("p"), a("id"))).equals((a("l"), a("person_id"))),
        )
        .and_where(Expr::col((a("l"), a("organization_id"))).eq(org.as_str()))
        .and_where(Expr::col((a("l"), a("oneonone_id"))).eq(id.as_str()))
        .order_by((a("l"), a("at")), Order::Asc)
        .order_by((a("l"), a("id")), Order::Asc)
        .take();
    Ok(
        LogRow::find_by_statement(db.get_database_backend().build(&q))
            .all(db)
            .await?
            .into_iter()
            .map(|r| AccessEntry {
                at: Timestamp::from_millis(r.at),
                user_id: UserId::from_db(r.user_id),
                name: r.name.unwrap_or_default(),
                action: r.action,
                person: r
                    .person_id
                    .map(|p| (PersonId::from_db(p), r.person_name.unwrap_or_default())),
                subject: None,
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// The cadence report.

/// Per manager/report pair: the last one-on-one up to `now`, the next one after it, and how
/// many fall in `[from, to)`. Dates and counts only: never the notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cadence {
    pub manager_id: PersonId,
    pub manager_name: String,
    pub report_id: PersonId,
    pub report_name: String,
    pub last: Option<Timestamp>,
    pub next: Option<Timestamp>,
    pub count_in_period: u64,
}

#[derive(FromQueryResult)]
struct CadenceRow {
    manager_id: String,
    report_id: String,
    m_name: String,
    r_name: String,
    last_at: Option<i64>,
    next_at: Option<i64>,
    in_period: Option<i64>,
}

pub async fn cadence(
    db: &impl ConnectionTrait,
    org: &OrgId,
    now: Timestamp,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Cadence>, DbErr> {
    let at = || Expr::col((a("o"), a("scheduled_at")));
    let last = CaseStatement::new()
        .case(at().lte(now.as_millis()), at())
        .finally(Expr::val(Option::<i64>::None));
    let next = CaseStatement::new()
        .case(at().gt(now.as_millis()), at())
        .finally(Expr::val(Option::<i64>::None));
    // COUNT of a CASE that is NULL outside the period: a bigint on both databases (SUM of a
    // bigint would be a numeric on PostgreSQL).
    let in_period = CaseStatement::new()
        .case(
            at().gte(from.as_millis()).and(at().lt(to.as_millis())),
            Expr::val(1i64),
        )
        .finally(Expr::val(Option::<i64>::None));
    let mut q = joined(false);
    q.column((a("o"), a("manager_id")))
        .column((a("o"), a("report_id")))
        .expr_as(Func::max(Expr::col((a("m"), a("name")))), a("m_name"))
        .expr_as(Func::max(Expr::col((a("r"), a("name")))), a("r_name"))
        .expr_as(Func::max(Expr::expr(last)), a("last_at"))
        .expr_as(Func::min(Expr::expr(next)), a("next_at"))
        .expr_as(Func::count(Expr::expr(in_period)), a("in_period"))
        .and_where(Expr::col((a("o"), a("organization_id"))).eq(org.as_str()))
        .group_by_col((a("o"), a("manager_id")))
        .group_by_col((a("o"), a("report_id")))
        .order_by_expr(
            Func::lower(Func::max(Expr::col((a("m"), a("name"))))).into(),
            Order::Asc,
        )
        .order_by_expr(
            Func::lower(Func::max(Expr::col((a("r"), a("name"))))).into(),
            Order::Asc,
        )
        .order_by((a("o"), a("manager_id")), Order::Asc)
        .order_by((a("o"), a("report_id")), Order::Asc);
    Ok(
        CadenceRow::find_by_statement(db.get_database_backend().build(&q))
            .all(db)
            .await?
            .into_iter()
            .map(|r| Cadence {
                manager_id: PersonId::from_db(r.manager_id),
                manager_name: r.m_name,
                report_id: PersonId::from_db(r.report_id),
                report_name: r.r_name,
                last: r.last_at.map(Timestamp::from_millis),
                next: r.next_at.map(Timestamp::from_millis),
                count_in_period: u64::try_from(r.in_period.unwrap_or(0)).unwrap_or(0),
            })
            .collect(),
    )
}

/// The one-on-ones of every organization starting in `(after, until]`, soonest first, at most
/// `limit`, past `from` (the last of the previous page: its start and id): what the reminder
/// scheduler reads, a page at a time (each is then handled in its organization).
pub async fn starting_between(
    db: &impl ConnectionTrait,
    after: Timestamp,
    until: Timestamp,
    from: Option<(Timestamp, &OneOnOneId)>,
    limit: u64,
) -> Result<Vec<OneOnOneWithPeople>, DbErr> {
    let mut q = joined(true);
    select_columns(&mut q);
    if let Some((at, id)) = from {
        let at_col = || Expr::col((a("o"), a("scheduled_at")));
        q.cond_where(
            sea_orm::Condition::any()
                .add(at_col().gt(at.as_millis()))
                .add(
                    sea_orm::Condition::all()
                        .add(at_col().eq(at.as_millis()))
                        .add(Expr::col((a("o"), a("id"))).gt(id.as_str())),
                ),
        );
    }
    q.and_where(Expr::col((a("o"), a("scheduled_at"))).gt(after.as_millis()))
        .and_where(Expr::col((a("o"), a("scheduled_at"))).lte(until.as_millis()))
        .order_by((a("o"), a("scheduled_at")), Order::Asc)
        .order_by((a("o"), a("id")), Order::Asc)
        .limit(limit);
    Ok(Row::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A one-on-one as the organization's list shows it to an admin: who and when, never notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub id: OneOnOneId,
    pub manager_id: PersonId,
    pub manager_name: String,
    pub report_id: PersonId,
    pub report_name: String,
    pub scheduled_at: Timestamp,
    pub ends_at: Timestamp,
}

/// What an admin filters the organization's one-on-ones on.
#[derive(Clone, Debug, Default)]
pub struct OrgListQuery {
    /// Those this person takes part in (either side).
    pub person: Option<PersonId>,
    pub scheduled_from: Option<Timestamp>,
    /// Exclusive upper bound.
    pub scheduled_before: Option<Timestamp>,
}

/// One page of every one-on-one of the organization, latest first, and how many match; for
/// the admins' list (the rows say who and when only).
pub async fn of_organization(
    db: &impl ConnectionTrait,
    org: &OrgId,
    q: &OrgListQuery,
    page: Page,
) -> Result<(Vec<Listed>, u64), DbErr> {
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let mut select =
        one_on_one::Entity::find().filter(one_on_one::Column::OrganizationId.eq(org.as_str()));
    if let Some(p) = &q.person {
        select = select.filter(
            Condition::any()
                .add(one_on_one::Column::ManagerId.eq(p.as_str()))
                .add(one_on_one::Column::ReportId.eq(p.as_str())),
        );
    }
    if let Some(from) = q.scheduled_from {
        select = select.filter(one_on_one::Column::ScheduledAt.gte(from.as_millis()));
    }
    if let Some(before) = q.scheduled_before {
        select = select.filter(one_on_one::Column::ScheduledAt.lt(before.as_millis()));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(one_on_one::Column::ScheduledAt)
        .order_by_desc(one_on_one::Column::Id)
        .limit(page.limit)
        .offset(page.offset())
        .all(db)
        .await?;
    let ids: Vec<PersonId> = rows
        .iter()
        .flat_map(|r| [r.manager_id.clone(), r.report_id.clone()])
        .map(PersonId::from_db)
        .collect();
    let names: std::collections::HashMap<PersonId, String> =
        crate::repo::persons::names(db, org, &ids)
            .await?
            .into_iter()
            .collect();
    let name = |id: &PersonId| names.get(id).cloned().unwrap_or_default();
    Ok((
        rows.into_iter()
            .map(|r| {
                let (m, p) = (
                    PersonId::from_db(r.manager_id),
                    PersonId::from_db(r.report_id),
                );
                Listed {
                    id: OneOnOneId::from_db(r.id),
                    manager_name: name(&m),
                    report_name: name(&p),
                    manager_id: m,
                    report_id: p,
                    scheduled_at: Timestamp::from_millis(r.scheduled_at),
                    ends_at: Timestamp::from_millis(r.ends_at),
                }
            })
            .collect(),
        total,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every sort the list accepts: one to three different fields, each either way (78).
    fn every_sort() -> Vec<Vec<SortKey>> {
        let fields = [
            SortField::ScheduledAt,
            SortField::Manager,
            SortField::Report,
        ];
        let mut sorts: Vec<Vec<SortKey>> = vec![vec![]];
        let mut all = Vec::new();
        for _ in 0..3 {
            sorts = sorts
                .iter()
                .flat_map(|sort| {
                    fields
                        .iter()
                        .filter(|f| sort.iter().all(|k| k.field != **f))
                        .flat_map(move |&field| {
                            [false, true].map(|descending| {
                                let mut longer = sort.clone();
                                longer.push(SortKey { field, descending });
                                longer
                            })
                        })
                })
                .collect();
            all.extend(sorts.iter().cloned());
        }
        all
    }

    /// Every shape is kept (none falls back to building per request), and its kept statement,
    /// given a request's values, is the statement sea-query builds from that request: the
    /// same SQL and the same values in the same order.
    #[test]
    fn a_kept_shape_gives_what_building_gives() {
        let org = OrgId::from_db("org_0123456789abcdefghijklmnop".to_owned());
        let me = PersonId::from_db("person_0123456789abcdefghijklmnop".to_owned());
        let them = PersonId::from_db("person_abcdefghijklmnop0123456789".to_owned());
        let sorts = every_sort();
        assert_eq!(sorts.len(), 78);
        let mut checked = 0;
        for backend in [sea_orm::DbBackend::Postgres, sea_orm::DbBackend::Sqlite] {
            for (s, sort) in sorts.iter().enumerate() {
                for flags in 0..16u8 {
                    for known in [None, Some(3), Some(MANY_FOR_NAMES + 7)] {
                        let lq = ListQuery {
                            participant: me.clone(),
                            with: (flags & 1 != 0).then(|| them.clone()),
                            scheduled_from: (flags & 2 != 0)
                                .then(|| Timestamp::from_millis(1_700_000_000_000)),
                            scheduled_before: (flags & 4 != 0)
                                .then(|| Timestamp::from_millis(1_800_000_000_000)),
                            search: (flags & 8 != 0).then(|| "Ann_%".to_owned()),
                            sort: sort.clone(),
                            page: Page { page: 3, limit: 25 },
                        };
                        let built = build_list(backend, &org, &lq, known);
                        let shape = Shape::of(backend, &lq, known);
                        let kept = Built::new(&shape)
                            .unwrap_or_else(|| panic!("{shape:?} is not kept"))
                            .statement(backend, &org, &lq);
                        assert_eq!(kept.sql, built.sql);
                        assert_eq!(kept.values, built.values, "{}", built.sql);
                        // A few through the process's cache, twice: the second reuses it.
                        if s % 20 == 0 {
                            for _ in 0..2 {
                                let cached = list_statement(backend, &org, &lq, known);
                                assert_eq!(cached.sql, built.sql);
                                assert_eq!(cached.values, built.values);
                            }
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 2 * 78 * 16 * 3);
    }
}
