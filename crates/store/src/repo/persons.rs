//! People of the org chart. Every function is scoped by organization.

use crate::{
    entity::{person, user},
    repo::orgs,
};
use manageros_core::{OrgId, PersonId, PersonStatus, TeamId, Timestamp, UserId};
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect,
    prelude::*,
};

/// A person, with the user linked to them (if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub organization_id: OrgId,
    pub name: String,
    pub email: Option<String>,
    pub role: Option<String>,
    pub status: PersonStatus,
    pub team_id: Option<TeamId>,
    pub manager_id: Option<PersonId>,
    pub user_id: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change: what a writer's `If-Match` is compared with.
    pub version: i64,
}

#[derive(FromQueryResult)]
pub(crate) struct PersonRow {
    id: String,
    organization_id: String,
    name: String,
    email: Option<String>,
    role: Option<String>,
    status: String,
    team_id: Option<String>,
    manager_id: Option<String>,
    user_id: Option<String>,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

impl From<PersonRow> for Person {
    fn from(r: PersonRow) -> Self {
        Self {
            id: PersonId::from_db(r.id),
            organization_id: OrgId::from_db(r.organization_id),
            name: r.name,
            email: r.email,
            role: r.role,
            status: PersonStatus::from_db(&r.status),
            team_id: r.team_id.map(TeamId::from_db),
            manager_id: r.manager_id.map(PersonId::from_db),
            user_id: r.user_id.map(UserId::from_db),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            version: r.version,
        }
    }
}

/// Persons of `org` with their linked user's id.
pub(crate) fn select(org: &OrgId) -> sea_orm::Select<person::Entity> {
    person::Entity::find()
        .join(JoinType::LeftJoin, person::Relation::User.def())
        .column_as(user::Column::Id, "user_id")
        .filter(person::Column::OrganizationId.eq(org.as_str()))
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &PersonId,
) -> Result<Option<Person>, DbErr> {
    Ok(select(org)
        .filter(person::Column::Id.eq(id.as_str()))
        .into_model::<PersonRow>()
        .one(db)
        .await?
        .map(Person::from))
}

// ---------------------------------------------------------------------------------------------

use crate::{contains_pattern, repo::users::lower};
use manageros_core::{Email, Page};
use sea_orm::{ActiveValue::Set, Condition, ExprTrait, Order, PaginatorTrait, QueryOrder};

/// Filters of the people list; all optional, all combined.
#[derive(Clone, Debug, Default)]
pub struct PersonFilter {
    /// Case-insensitive substring of the name or the email.
    pub search: Option<String>,
    pub team_id: Option<TeamId>,
    pub manager_id: Option<PersonId>,
    pub status: Option<PersonStatus>,
}

/// One page of the organization's people, by name, and the total count (`known_total` when
/// the caller kept it: then it is not counted).
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    filter: &PersonFilter,
    page: Page,
    known_total: Option<u64>,
) -> Result<(Vec<Person>, u64), DbErr> {
    let mut cond = Condition::all();
    if let Some(s) = &filter.search {
        let pattern = contains_pattern(s);
        cond = cond.add(
            Condition::any()
                .add(lower(person::Column::Name).like(pattern.clone()))
                .add(lower(person::Column::Email).like(pattern)),
        );
    }
    if let Some(t) = &filter.team_id {
        cond = cond.add(person::Column::TeamId.eq(t.as_str()));
    }
    if let Some(m) = &filter.manager_id {
        cond = cond.add(person::Column::ManagerId.eq(m.as_str()));
    }
    if let Some(st) = filter.status {
        cond = cond.add(person::Column::Status.eq(st.as_str()));
    }
    let total = match known_total {
        Some(n) => n,
        None => {
            person::Entity::find()
                .filter(person::Column::OrganizationId.eq(org.as_str()))
                .filter(cond.clone())
                .count(db)
                .await?
        }
    };
    let rows = select(org)
        .filter(cond)
        .order_by(lower(person::Column::Name), Order::Asc)
        .order_by(person::Column::Id, Order::Asc)
        .offset(page.offset())
        .limit(page.limit)
        .into_model::<PersonRow>()
        .all(db)
        .await?;
    Ok((rows.into_iter().map(Person::from).collect(), total))
}

/// Whether the person exists in the organization.
pub async fn exists(db: &impl ConnectionTrait, org: &OrgId, id: &PersonId) -> Result<bool, DbErr> {
    Ok(person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::Id.eq(id.as_str()))
        .count(db)
        .await?
        > 0)
}

/// `(id, name)` of several people of the organization, in no particular order.
pub async fn names(
    db: &impl ConnectionTrait,
    org: &OrgId,
    ids: &[PersonId],
) -> Result<Vec<(PersonId, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::Id.is_in(ids.iter().map(|i| i.as_str())))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (PersonId::from_db(p.id), p.name))
        .collect())
}

/// Direct reports of a person, by name.
pub async fn reports(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &PersonId,
) -> Result<Vec<(PersonId, String)>, DbErr> {
    Ok(person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::ManagerId.eq(id.as_str()))
        .order_by(lower(person::Column::Name), Order::Asc)
        .order_by(person::Column::Id, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (PersonId::from_db(p.id), p.name))
        .collect())
}

/// The manager of a person (for walking a reporting chain).
pub async fn manager_of(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &PersonId,
) -> Result<Option<PersonId>, DbErr> {
    Ok(person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::Id.eq(id.as_str()))
        .one(db)
        .await?
        .and_then(|p| p.manager_id.map(PersonId::from_db)))
}

/// People the caller may link themselves to: in the organization, linked to no user, and
/// recorded with the caller's own email.
pub async fn linkable_for_email(
    db: &impl ConnectionTrait,
    org: &OrgId,
    email: &Email,
) -> Result<Vec<Person>, DbErr> {
    Ok(select(org)
        .filter(person::Column::Email.eq(email.as_str()))
        .filter(user::Column::Id.is_null())
        .order_by(lower(person::Column::Name), Order::Asc)
        .order_by(person::Column::Id, Order::Asc)
        .into_model::<PersonRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Person::from)
        .collect())
}

/// The fields of a person that can be written.
#[derive(Clone, Debug)]
pub struct PersonFields {
    pub name: String,
    pub email: Option<Email>,
    pub role: Option<String>,
    pub status: PersonStatus,
    pub team_id: Option<TeamId>,
    pub manager_id: Option<PersonId>,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    f: &PersonFields,
    now: Timestamp,
) -> Result<PersonId, DbErr> {
    let id = PersonId::generate();
    person::Entity::insert(person::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(org.as_str().to_owned()),
        name: Set(f.name.clone()),
        email: Set(f.email.as_ref().map(|e| e.as_str().to_owned())),
        role: Set(f.role.clone()),
        status: Set(f.status.as_str().to_owned()),
        team_id: Set(f.team_id.as_ref().map(|t| t.as_str().to_owned())),
        manager_id: Set(f.manager_id.as_ref().map(|m| m.as_str().to_owned())),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        version: Set(1),
        updated_by: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    orgs::names_changed(db, org).await?;
    Ok(id)
}

pub async fn update(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &PersonId,
    f: &PersonFields,
    now: Timestamp,
) -> Result<(), DbErr> {
    person::Entity::update_many()
        .col_expr(person::Column::Name, Expr::value(f.name.clone()))
        .col_expr(
            person::Column::Email,
            Expr::value(f.email.as_ref().map(|e| e.as_str().to_owned())),
        )
        .col_expr(person::Column::Role, Expr::value(f.role.clone()))
        .col_expr(person::Column::Status, Expr::value(f.status.as_str()))
        .col_expr(
            person::Column::TeamId,
            Expr::value(f.team_id.as_ref().map(|t| t.as_str().to_owned())),
        )
        .col_expr(
            person::Column::ManagerId,
            Expr::value(f.manager_id.as_ref().map(|m| m.as_str().to_owned())),
        )
        .col_expr(person::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    orgs::names_changed(db, org).await
}

pub async fn delete(db: &impl ConnectionTrait, org: &OrgId, id: &PersonId) -> Result<(), DbErr> {
    person::Entity::delete_many()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    orgs::names_changed(db, org).await
}

pub async fn count_reports(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &PersonId,
) -> Result<u64, DbErr> {
    person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::ManagerId.eq(id.as_str()))
        .count(db)
        .await
}

pub async fn count_in_team(
    db: &impl ConnectionTrait,
    org: &OrgId,
    team: &TeamId,
) -> Result<u64, DbErr> {
    person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::TeamId.eq(team.as_str()))
        .count(db)
        .await
}

/// How many of `ids` are people of the organization (for checking a list of references in
/// one query).
pub async fn count_existing(
    db: &impl ConnectionTrait,
    org: &OrgId,
    ids: &[PersonId],
) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::Id.is_in(ids.iter().map(|i| i.as_str())))
        .count(db)
        .await
}

/// Every person of the organization for the org chart, by name, at most `cap` of them.
pub async fn all(db: &impl ConnectionTrait, org: &OrgId, cap: u64) -> Result<Vec<Person>, DbErr> {
    Ok(select(org)
        .order_by(lower(person::Column::Name), Order::Asc)
        .order_by(person::Column::Id, Order::Asc)
        .limit(cap)
        .into_model::<PersonRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Person::from)
        .collect())
}

/// `(id, name)` of the organization's people, by name, at most `cap`: the choices of a form
/// or a filter, without the rest of each row.
pub async fn choices(
    db: &impl ConnectionTrait,
    org: &OrgId,
    cap: u64,
) -> Result<Vec<(PersonId, String)>, DbErr> {
    choices_where(db, org, Condition::all(), cap).await
}

/// `(id, name)` of the organization's people that also meet `cond`, by name, at most `cap`.
async fn choices_where(
    db: &impl ConnectionTrait,
    org: &OrgId,
    cond: Condition,
    cap: u64,
) -> Result<Vec<(PersonId, String)>, DbErr> {
    Ok(person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::Name)
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(cond)
        .order_by(lower(person::Column::Name), Order::Asc)
        .order_by(person::Column::Id, Order::Asc)
        .limit(cap)
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(id, name)| PersonId::parse(&id).map(|id| (id, name)))
        .collect())
}

/// The names of the organization's other people (not `except`) recorded with `email`, at
/// most ten.
pub async fn others_with_email(
    db: &impl ConnectionTrait,
    org: &OrgId,
    email: &str,
    except: &PersonId,
) -> Result<Vec<String>, DbErr> {
    person::Entity::find()
        .select_only()
        .column(person::Column::Name)
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::Email.eq(email))
        .filter(person::Column::Id.ne(except.as_str()))
        .order_by(person::Column::Name, Order::Asc)
        .limit(10)
        .into_tuple::<String>()
        .all(db)
        .await
}

/// `(id, name)` of the organization's people who are not in `team`, by name, at most `cap`
/// (whom a team page offers to add).
pub async fn choices_outside_team(
    db: &impl ConnectionTrait,
    org: &OrgId,
    team: &TeamId,
    cap: u64,
) -> Result<Vec<(PersonId, String)>, DbErr> {
    let outside = Condition::any()
        .add(person::Column::TeamId.is_null())
        .add(person::Column::TeamId.ne(team.as_str()));
    choices_where(db, org, outside, cap).await
}

/// `(id, name)` of the people who manage someone, by name, at most `cap` (the directory's
/// manager filter).
pub async fn managers(
    db: &impl ConnectionTrait,
    org: &OrgId,
    cap: u64,
) -> Result<Vec<(PersonId, String)>, DbErr> {
    use sea_orm::sea_query::{Alias, Query};
    // Read by name and stopped at `cap`: each person is one probe of the reports index.
    let report = Alias::new("report");
    let manages = Query::select()
        .expr(Expr::val(1))
        .from_as(person::Entity, report.clone())
        .and_where(
            Expr::col((report.clone(), person::Column::OrganizationId))
                .equals((person::Entity, person::Column::OrganizationId)),
        )
        .and_where(
            Expr::col((report, person::Column::ManagerId))
                .equals((person::Entity, person::Column::Id)),
        )
        .to_owned();
    Ok(person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(Expr::exists(manages))
        .order_by(lower(person::Column::Name), Order::Asc)
        .order_by(person::Column::Id, Order::Asc)
        .limit(cap)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (PersonId::from_db(p.id), p.name))
        .collect())
}

/// People of the organization linked to no user, by name, at most `cap` (whom an admin can
/// link a member to, or invite as).
pub async fn unlinked(
    db: &impl ConnectionTrait,
    org: &OrgId,
    cap: u64,
) -> Result<Vec<Person>, DbErr> {
    Ok(select(org)
        .filter(user::Column::Id.is_null())
        .order_by(lower(person::Column::Name), Order::Asc)
        .order_by(person::Column::Id, Order::Asc)
        .limit(cap)
        .into_model::<PersonRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Person::from)
        .collect())
}

/// The people who report to `manager`, directly or not (not the manager): the reporting line
/// of `authz::ReportScope::LineOf`, walked down `managerId` by one recursive query. The chart
/// has no cycles (every manager change is checked), and `UNION` stops a walk that met one.
pub async fn line_of(
    db: &impl ConnectionTrait,
    org: &OrgId,
    manager: &PersonId,
) -> Result<std::collections::HashSet<PersonId>, DbErr> {
    use sea_orm::{DbBackend, Statement};
    let backend = db.get_database_backend();
    let (o, m) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?1", "?2"),
    };
    let sql = format!(
        "WITH RECURSIVE line(id) AS ( \
           SELECT id FROM persons WHERE organization_id = {o} AND manager_id = {m} \
           UNION \
           SELECT p.id FROM persons p JOIN line ON p.manager_id = line.id \
           WHERE p.organization_id = {o} \
         ) SELECT id FROM line"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [org.as_str().into(), manager.as_str().into()],
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String>("", "id").map(PersonId::from_db))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The org chart, a part at a time: what a page shows costs what it shows, however large the
// organization.

/// A person as the org chart draws them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartPerson {
    pub id: PersonId,
    pub name: String,
    pub role: Option<String>,
    pub manager_id: Option<PersonId>,
}

/// One level of the chart: the first people of a manager's direct reports (or of the people
/// without a manager), by name, and how many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartLevel {
    pub people: Vec<ChartPerson>,
    pub total: u64,
}

/// The direct reports of each of `managers` (`None`: the people without a manager), the first
/// `cap` of each by name, and any of `also` among them wherever they are in their level, in
/// one query.
pub async fn chart_levels(
    db: &impl ConnectionTrait,
    org: &OrgId,
    managers: &[Option<PersonId>],
    also: &[PersonId],
    cap: u64,
) -> Result<std::collections::HashMap<Option<PersonId>, ChartLevel>, DbErr> {
    use sea_orm::Statement;
    let mut levels: std::collections::HashMap<Option<PersonId>, ChartLevel> = managers
        .iter()
        .map(|m| (m.clone(), ChartLevel::default()))
        .collect();
    let ids: Vec<&PersonId> = managers.iter().flatten().collect();
    let tops = managers.iter().any(Option::is_none);
    if ids.is_empty() && !tops {
        return Ok(levels);
    }
    let backend = db.get_database_backend();
    let p = crate::placeholders(backend, 1, 2 + ids.len() + also.len());
    let (managers_at, also_at) = p[2..].split_at(ids.len());
    // One branch per kind of level, each read from the reports index (an `OR` of the two
    // made SQLite read the whole organization).
    let branch = |which: String| {
        format!(
            "SELECT id, name, role, manager_id FROM persons \
             WHERE organization_id = {} AND {which}",
            p[0]
        )
    };
    let mut branches = vec![];
    if !ids.is_empty() {
        branches.push(branch(format!(
            "manager_id IN ({})",
            managers_at.join(", ")
        )));
    }
    if tops {
        branches.push(branch("manager_id IS NULL".to_owned()));
    }
    let sql = format!(
        "SELECT id, name, role, manager_id, n FROM ( \
           SELECT id, name, role, manager_id, \
             ROW_NUMBER() OVER (PARTITION BY manager_id ORDER BY LOWER(name), id) AS rn, \
             COUNT(*) OVER (PARTITION BY manager_id) AS n \
           FROM ({}) people \
         ) level WHERE rn <= {}{} ORDER BY manager_id, rn",
        branches.join(" UNION ALL "),
        p[1],
        if also.is_empty() {
            String::new()
        } else {
            format!(" OR id IN ({})", also_at.join(", "))
        }
    );
    let mut values: Vec<sea_orm::Value> = vec![org.as_str().into(), (cap as i64).into()];
    values.extend(ids.iter().map(|i| i.as_str().into()));
    values.extend(also.iter().map(|i| i.as_str().into()));
    for r in db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
    {
        let person = ChartPerson {
            id: PersonId::from_db(r.try_get_by_index(0)?),
            name: r.try_get_by_index(1)?,
            role: r.try_get_by_index(2)?,
            manager_id: r
                .try_get_by_index::<Option<String>>(3)?
                .map(PersonId::from_db),
        };
        let total: i64 = r.try_get_by_index(4)?;
        let level = levels.entry(person.manager_id.clone()).or_default();
        level.total = total as u64;
        level.people.push(person);
    }
    Ok(levels)
}

/// How many direct reports each of `ids` has (those with none are left out), in one query.
pub async fn report_counts(
    db: &impl ConnectionTrait,
    org: &OrgId,
    ids: &[PersonId],
) -> Result<std::collections::HashMap<PersonId, u64>, DbErr> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(person::Entity::find()
        .select_only()
        .column(person::Column::ManagerId)
        .column_as(person::Column::Id.count(), "n")
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(person::Column::ManagerId.is_in(ids.iter().map(|i| i.as_str())))
        .group_by(person::Column::ManagerId)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, n)| (PersonId::from_db(id), n as u64))
        .collect())
}

/// `ids` and everyone above them: each as `(person, their manager)`, from the people named up
/// to the top of their line, by one recursive query (`UNION` stops a walk that met a cycle).
/// Ids that are not of the organization are not found.
pub async fn lines_above(
    db: &impl ConnectionTrait,
    org: &OrgId,
    ids: &[PersonId],
) -> Result<Vec<(PersonId, Option<PersonId>)>, DbErr> {
    use sea_orm::Statement;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let backend = db.get_database_backend();
    let p = crate::placeholders(backend, 1, ids.len() + 1);
    let sql = format!(
        "WITH RECURSIVE up(id, manager_id) AS ( \
           SELECT id, manager_id FROM persons WHERE organization_id = {o} AND id IN ({list}) \
           UNION \
           SELECT p.id, p.manager_id FROM persons p JOIN up ON p.id = up.manager_id \
           WHERE p.organization_id = {o} \
         ) SELECT id, manager_id FROM up",
        o = p[0],
        list = p[1..].join(", ")
    );
    let mut values: Vec<sea_orm::Value> = vec![org.as_str().into()];
    values.extend(ids.iter().map(|i| i.as_str().into()));
    db.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .iter()
        .map(|r| {
            Ok((
                PersonId::from_db(r.try_get_by_index(0)?),
                r.try_get_by_index::<Option<String>>(1)?
                    .map(PersonId::from_db),
            ))
        })
        .collect()
}

/// The people whose name holds `term` (case-insensitive), by name, the first `cap`; and how
/// many there are.
pub async fn named_like(
    db: &impl ConnectionTrait,
    org: &OrgId,
    term: &str,
    cap: u64,
) -> Result<(Vec<PersonId>, u64), DbErr> {
    let cond = lower(person::Column::Name).like(contains_pattern(term));
    let total = person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(cond.clone())
        .count(db)
        .await?;
    let ids = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .filter(cond)
        .order_by(lower(person::Column::Name), Order::Asc)
        .order_by(person::Column::Id, Order::Asc)
        .limit(cap)
        .into_tuple::<String>()
        .all(db)
        .await?;
    Ok((ids.into_iter().map(PersonId::from_db).collect(), total))
}

/// How many people the organization has.
pub async fn count(db: &impl ConnectionTrait, org: &OrgId) -> Result<u64, DbErr> {
    person::Entity::find()
        .filter(person::Column::OrganizationId.eq(org.as_str()))
        .count(db)
        .await
}
