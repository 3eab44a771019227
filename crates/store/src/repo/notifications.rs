//! Notifications (m0022): each user's choices, and the keys of what was sent.

use crate::entity::user;
use manageros_core::{NotificationKind, OrgId, Timestamp, UserId};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, Statement, prelude::*};
use std::collections::BTreeSet;

/// What a user chose: the kinds of email they get, their time zone (none until the browser
/// or they say) and how many days before a one-on-one its reminder goes (at 09:00 theirs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefs {
    pub kinds: BTreeSet<NotificationKind>,
    pub time_zone: Option<String>,
    pub reminder_days_before: i32,
}

impl Prefs {
    pub fn wants(&self, kind: NotificationKind) -> bool {
        self.kinds.contains(&kind)
    }

    fn of(m: &user::Model) -> Self {
        let kinds = match &m.notifications {
            None => NotificationKind::ALL
                .iter()
                .copied()
                .filter(|k| k.on_by_default())
                .collect(),
            Some(list) => list
                .split(',')
                .filter_map(|k| NotificationKind::parse(k.trim()).ok())
                .collect(),
        };
        Self {
            kinds,
            time_zone: m.time_zone.clone(),
            reminder_days_before: m.reminder_days_before,
        }
    }
}

pub async fn prefs(db: &impl ConnectionTrait, user: &UserId) -> Result<Option<Prefs>, DbErr> {
    Ok(user::Entity::find_by_id(user.as_str())
        .one(db)
        .await?
        .map(|m| Prefs::of(&m)))
}

/// The choices of several users at once, by id.
pub async fn prefs_of(
    db: &impl ConnectionTrait,
    users: &[UserId],
) -> Result<Vec<(UserId, Prefs)>, DbErr> {
    if users.is_empty() {
        return Ok(vec![]);
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(users.iter().map(UserId::as_str)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (UserId::from_db(m.id.clone()), Prefs::of(&m)))
        .collect())
}

pub async fn set_prefs(db: &impl ConnectionTrait, user: &UserId, p: &Prefs) -> Result<(), DbErr> {
    let kinds: Vec<&str> = p.kinds.iter().map(|k| k.as_str()).collect();
    user::Entity::update_many()
        .col_expr(user::Column::Notifications, Expr::value(kinds.join(",")))
        .col_expr(user::Column::TimeZone, Expr::value(p.time_zone.clone()))
        .col_expr(
            user::Column::ReminderDaysBefore,
            Expr::value(p.reminder_days_before),
        )
        .filter(user::Column::Id.eq(user.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets the user's time zone only if they have none yet (the browser's, at first).
pub async fn set_zone_if_unset(
    db: &impl ConnectionTrait,
    user: &UserId,
    zone: &str,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::TimeZone, Expr::value(zone))
        .filter(user::Column::Id.eq(user.as_str()))
        .filter(user::Column::TimeZone.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Records that the notification `key` goes out; false when it already did (another replica,
/// or an earlier pass). In the transaction that queues it: the two stand or fall together.
pub async fn claim(
    db: &impl ConnectionTrait,
    org: &OrgId,
    key: &str,
    now: Timestamp,
) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let p = match backend {
        DbBackend::Postgres => ["$1", "$2", "$3"],
        _ => ["?", "?", "?"],
    };
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO notifications_sent (organization_id, key, created_at) \
                 VALUES ({}, {}, {}) ON CONFLICT (organization_id, key) DO NOTHING",
                p[0], p[1], p[2]
            ),
            [org.as_str().into(), key.into(), now.as_millis().into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Which of `keys` were already sent.
pub async fn already(
    db: &impl ConnectionTrait,
    org: &OrgId,
    keys: &[String],
) -> Result<BTreeSet<String>, DbErr> {
    if keys.is_empty() {
        return Ok(BTreeSet::new());
    }
    let backend = db.get_database_backend();
    let marks: Vec<String> = (0..=keys.len())
        .map(|i| match backend {
            DbBackend::Postgres => format!("${}", i + 1),
            _ => "?".to_owned(),
        })
        .collect();
    let sql = format!(
        "SELECT key FROM notifications_sent WHERE organization_id = {} AND key IN ({})",
        marks[0],
        marks[1..].join(", ")
    );
    let mut values: Vec<sea_orm::Value> = vec![org.as_str().into()];
    values.extend(keys.iter().map(|k| k.as_str().into()));
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String>("", "key"))
        .collect()
}

/// Forgets the keys of notifications older than `before` (their moment has long passed).
pub async fn forget_before(db: &impl ConnectionTrait, before: Timestamp) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let p = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    Ok(db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!("DELETE FROM notifications_sent WHERE created_at < {p}"),
            [before.as_millis().into()],
        ))
        .await?
        .rows_affected())
}

/// The most days before a one-on-one any user wants its reminder (how far ahead to look).
pub async fn longest_reminder_lead(db: &impl ConnectionTrait) -> Result<i32, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let max: Option<i32> = user::Entity::find()
        .select_only()
        .column(user::Column::ReminderDaysBefore)
        .order_by_desc(user::Column::ReminderDaysBefore)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.unwrap_or(1))
}

/// Users who chose the weekly digest (members of an organization), by id, the `limit` after
/// `after`: a pass reads them all, a page at a time. The second value is the page's last id
/// (`None`: no more pages).
pub async fn digest_readers(
    db: &impl ConnectionTrait,
    after: Option<&UserId>,
    limit: u64,
) -> Result<(Vec<(crate::repo::users::User, Prefs)>, Option<UserId>), DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let mut q = user::Entity::find()
        .filter(user::Column::Notifications.like("%digest%"))
        .filter(user::Column::OrganizationId.is_not_null());
    if let Some(after) = after {
        q = q.filter(user::Column::Id.gt(after.as_str()));
    }
    let rows = q
        .order_by_asc(user::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let last = (rows.len() as u64 == limit)
        .then(|| rows.last().map(|m| UserId::from_db(m.id.clone())))
        .flatten();
    let readers = rows
        .into_iter()
        .map(|m| {
            let p = Prefs::of(&m);
            (crate::repo::users::User::from(m), p)
        })
        .filter(|(_, p)| p.wants(NotificationKind::Digest))
        .collect();
    Ok((readers, last))
}
