//! Recurring series of one-on-ones (m0021): a pair's rule, the occurrences it skipped, and
//! which series have occurrences left to create.

use crate::entity::{one_on_one, oneonone_series as series, oneonone_series_skip as skip};
use chrono::{NaiveDate, NaiveTime};
use manageros_core::{
    Cadence, OneOnOneId, OrgId, PersonId, SeriesId, Timestamp, UserId,
    recurrence::{Rule, Tz, parse_tz},
};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    prelude::*, sea_query::OnConflict,
};

/// A series as the services use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    pub id: SeriesId,
    pub organization_id: OrgId,
    pub manager_id: PersonId,
    pub report_id: PersonId,
    pub rule: Rule,
    pub duration_minutes: i64,
    pub created_through: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl Series {
    /// Whether the series has no occurrence left on or after `today` (a date in its zone).
    pub fn ended_before(&self, today: NaiveDate) -> bool {
        self.rule.ends_on.is_some_and(|end| end < today)
    }

    /// Whether the series has ended at `now`: it has a last date, and no occurrence of its
    /// rule starts from `now` on.
    pub fn has_ended(&self, now: Timestamp) -> bool {
        self.rule.ends_on.is_some() && self.rule.occurrences(now, now.plus_days(400)).is_empty()
    }
}

const DATE: &str = "%Y-%m-%d";
const TIME: &str = "%H:%M";

fn from_model(m: series::Model) -> Series {
    let date = |s: &str| NaiveDate::parse_from_str(s, DATE).unwrap_or_default();
    Series {
        rule: Rule {
            cadence: Cadence::from_db(&m.cadence),
            starts_on: date(&m.starts_on),
            time: NaiveTime::parse_from_str(&m.local_time, TIME).unwrap_or(NaiveTime::MIN),
            tz: parse_tz(&m.time_zone).unwrap_or(Tz::UTC),
            ends_on: m.ends_on.as_deref().map(date),
        },
        id: m.id,
        organization_id: m.organization_id,
        manager_id: m.manager_id,
        report_id: m.report_id,
        duration_minutes: i64::from(m.duration_minutes),
        created_through: m.created_through,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    }
}

/// What a new series is made of.
pub struct NewSeries<'a> {
    pub manager_id: &'a PersonId,
    pub report_id: &'a PersonId,
    pub rule: &'a Rule,
    pub duration_minutes: i64,
    pub created_by: &'a UserId,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    s: &NewSeries<'_>,
    now: Timestamp,
) -> Result<SeriesId, DbErr> {
    let id = SeriesId::generate();
    series::Entity::insert(series::ActiveModel {
        id: Set(id.clone()),
        organization_id: Set(org.clone()),
        manager_id: Set(s.manager_id.clone()),
        report_id: Set(s.report_id.clone()),
        cadence: Set(s.rule.cadence.as_str().to_owned()),
        starts_on: Set(s.rule.starts_on.format(DATE).to_string()),
        local_time: Set(s.rule.time.format(TIME).to_string()),
        time_zone: Set(s.rule.tz.name().to_owned()),
        duration_minutes: Set(i32::try_from(s.duration_minutes).unwrap_or(30)),
        ends_on: Set(s.rule.ends_on.map(|d| d.format(DATE).to_string())),
        // Nothing created yet: the first pass starts from the first date.
        created_through: Set(Timestamp::from_millis(i64::MIN / 2)),
        created_by_id: Set(Some(s.created_by.clone())),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        updated_by: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &SeriesId,
) -> Result<Option<Series>, DbErr> {
    Ok(series::Entity::find_by_id(id.clone())
        .filter(series::Column::OrganizationId.eq(org.as_str()))
        .one(db)
        .await?
        .map(from_model))
}

/// Every series between two people (in either role), the latest first.
pub async fn of_pair(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
) -> Result<Vec<Series>, DbErr> {
    let side = |m: &PersonId, r: &PersonId| {
        sea_orm::Condition::all()
            .add(series::Column::ManagerId.eq(m.as_str()))
            .add(series::Column::ReportId.eq(r.as_str()))
    };
    Ok(series::Entity::find()
        .filter(series::Column::OrganizationId.eq(org.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(side(one, other))
                .add(side(other, one)),
        )
        .order_by_desc(series::Column::StartsOn)
        .order_by_desc(series::Column::CreatedAt)
        .limit(50)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

/// Every series a person takes part in (for their calendar feed), at most `limit`.
pub async fn of_person(
    db: &impl ConnectionTrait,
    org: &OrgId,
    person: &PersonId,
    limit: u64,
) -> Result<Vec<Series>, DbErr> {
    Ok(series::Entity::find()
        .filter(series::Column::OrganizationId.eq(org.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(series::Column::ManagerId.eq(person.as_str()))
                .add(series::Column::ReportId.eq(person.as_str())),
        )
        .order_by_desc(series::Column::StartsOn)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

/// Sets the last date of a series (its version is claimed first).
pub async fn set_end(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &SeriesId,
    ends_on: NaiveDate,
    now: Timestamp,
) -> Result<(), DbErr> {
    series::Entity::update_many()
        .col_expr(
            series::Column::EndsOn,
            Expr::value(ends_on.format(DATE).to_string()),
        )
        .col_expr(series::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(series::Column::OrganizationId.eq(org.as_str()))
        .filter(series::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records that every occurrence starting before `through` exists (or was skipped). Never
/// moves back: two schedulers finishing in either order leave the later mark.
pub async fn mark_created_through(
    db: &impl ConnectionTrait,
    id: &SeriesId,
    through: Timestamp,
) -> Result<(), DbErr> {
    series::Entity::update_many()
        .col_expr(
            series::Column::CreatedThrough,
            Expr::value(through.as_millis()),
        )
        .filter(series::Column::Id.eq(id.as_str()))
        .filter(series::Column::CreatedThrough.lt(through.as_millis()))
        .exec(db)
        .await?;
    Ok(())
}

/// Series whose occurrences are created only up to before `horizon`, at most `limit`.
pub async fn due(
    db: &impl ConnectionTrait,
    horizon: Timestamp,
    limit: u64,
) -> Result<Vec<Series>, DbErr> {
    Ok(series::Entity::find()
        .filter(series::Column::CreatedThrough.lt(horizon.as_millis()))
        .order_by_asc(series::Column::CreatedThrough)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

/// Records a skipped occurrence, so that it is never created again.
pub async fn skip(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &SeriesId,
    occurrence_at: Timestamp,
) -> Result<(), DbErr> {
    let done = skip::Entity::insert(skip::ActiveModel {
        organization_id: Set(org.clone()),
        series_id: Set(id.clone()),
        occurrence_at: Set(occurrence_at),
    })
    .on_conflict(
        OnConflict::columns([
            skip::Column::OrganizationId,
            skip::Column::SeriesId,
            skip::Column::OccurrenceAt,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await;
    match done {
        Ok(_) | Err(DbErr::RecordNotInserted) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The skipped occurrences of a series, in order.
pub async fn skips(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &SeriesId,
) -> Result<Vec<Timestamp>, DbErr> {
    Ok(skip::Entity::find()
        .filter(skip::Column::OrganizationId.eq(org.as_str()))
        .filter(skip::Column::SeriesId.eq(id.as_str()))
        .order_by_asc(skip::Column::OccurrenceAt)
        .limit(2_000)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.occurrence_at)
        .collect())
}

/// An occurrence of a series as it stands: where the rule put it, and when it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub id: OneOnOneId,
    /// Its series, if it is an occurrence of one (a one-off otherwise).
    pub series_id: Option<SeriesId>,
    pub occurrence_at: Timestamp,
    pub scheduled_at: Timestamp,
    pub ends_at: Timestamp,
}

fn occurrence(o: one_on_one::Model) -> Occurrence {
    Occurrence {
        id: OneOnOneId::from_db(o.id),
        series_id: o.series_id.map(SeriesId::from_db),
        occurrence_at: Timestamp::from_millis(o.occurrence_at.unwrap_or(o.scheduled_at)),
        scheduled_at: Timestamp::from_millis(o.scheduled_at),
        ends_at: Timestamp::from_millis(o.ends_at),
    }
}

/// The occurrences of a series that still exist, in order of their slot.
pub async fn occurrences(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &SeriesId,
) -> Result<Vec<Occurrence>, DbErr> {
    Ok(one_on_one::Entity::find()
        .filter(one_on_one::Column::OrganizationId.eq(org.as_str()))
        .filter(one_on_one::Column::SeriesId.eq(id.as_str()))
        .order_by_asc(one_on_one::Column::OccurrenceAt)
        .limit(2_000)
        .all(db)
        .await?
        .into_iter()
        .map(occurrence)
        .collect())
}

/// The one-on-ones of a pair (either way round) that start after `now`, series or not, in
/// order, at most 500.
pub async fn upcoming_of_pair(
    db: &impl ConnectionTrait,
    org: &OrgId,
    one: &PersonId,
    other: &PersonId,
    now: Timestamp,
) -> Result<Vec<Occurrence>, DbErr> {
    let side = |m: &PersonId, r: &PersonId| {
        sea_orm::Condition::all()
            .add(one_on_one::Column::ManagerId.eq(m.as_str()))
            .add(one_on_one::Column::ReportId.eq(r.as_str()))
    };
    Ok(one_on_one::Entity::find()
        .filter(one_on_one::Column::OrganizationId.eq(org.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(side(one, other))
                .add(side(other, one)),
        )
        .filter(one_on_one::Column::ScheduledAt.gt(now.as_millis()))
        .order_by_asc(one_on_one::Column::ScheduledAt)
        .limit(500)
        .all(db)
        .await?
        .into_iter()
        .map(occurrence)
        .collect())
}

/// The pairs of the organization, `(a, b)` with `a < b`, whose every series has ended at
/// `now` (a pair that never had one is not among them).
pub async fn ended_pairs(
    db: &impl ConnectionTrait,
    org: &OrgId,
    now: Timestamp,
) -> Result<std::collections::HashSet<(PersonId, PersonId)>, DbErr> {
    use std::collections::{HashMap, HashSet};
    let mut ended: HashMap<(PersonId, PersonId), bool> = HashMap::new();
    let all = series::Entity::find()
        .filter(series::Column::OrganizationId.eq(org.as_str()))
        .limit(20_000)
        .all(db)
        .await?;
    for s in all.into_iter().map(from_model) {
        let key = if s.manager_id <= s.report_id {
            (s.manager_id.clone(), s.report_id.clone())
        } else {
            (s.report_id.clone(), s.manager_id.clone())
        };
        let done = s.has_ended(now);
        ended
            .entry(key)
            .and_modify(|all_done| *all_done &= done)
            .or_insert(done);
    }
    Ok(ended
        .into_iter()
        .filter_map(|(k, done)| done.then_some(k))
        .collect::<HashSet<_>>())
}
