//! Saved reports: a kind and its parameters, run on demand.

use crate::entity::report;
use manageros_core::{OrgId, Page, ReportId, ReportKind, Timestamp, UserId, authz::Target};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, prelude::*,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub id: ReportId,
    pub organization_id: OrgId,
    pub name: String,
    pub kind: ReportKind,
    pub parameters: serde_json::Value,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Increased by every change: what a writer's `If-Match` is compared with.
    pub version: i64,
}

impl Report {
    pub fn target(&self) -> Target {
        Target::Report {
            org_id: self.organization_id.clone(),
        }
    }
}

impl From<report::Model> for Report {
    fn from(m: report::Model) -> Self {
        Self {
            id: ReportId::from_db(m.id),
            organization_id: OrgId::from_db(m.organization_id),
            name: m.name,
            kind: ReportKind::from_db(&m.kind),
            parameters: serde_json::from_str(&m.parameters)
                .unwrap_or_else(|_| serde_json::json!({})),
            created_by: UserId::from_db(m.created_by_id),
            created_at: Timestamp::from_millis(m.created_at),
            updated_at: Timestamp::from_millis(m.updated_at),
            version: m.version,
        }
    }
}

fn of(org: &OrgId) -> sea_orm::Select<report::Entity> {
    report::Entity::find().filter(report::Column::OrganizationId.eq(org.as_str()))
}

/// One page of reports, newest first; every member may view them.
pub async fn list(
    db: &impl ConnectionTrait,
    org: &OrgId,
    page: Page,
) -> Result<(Vec<Report>, u64), DbErr> {
    let (rows, total) = crate::paged(
        db,
        of(org),
        &[
            (report::Column::CreatedAt, Order::Desc),
            (report::Column::Id, Order::Desc),
        ],
        page,
    )
    .await?;
    Ok((rows.into_iter().map(Report::from).collect(), total))
}

pub async fn find(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &ReportId,
) -> Result<Option<Report>, DbErr> {
    Ok(of(org)
        .filter(report::Column::Id.eq(id.as_str()))
        .one(db)
        .await?
        .map(Report::from))
}

pub async fn insert(
    db: &impl ConnectionTrait,
    org: &OrgId,
    by: &UserId,
    name: &str,
    kind: ReportKind,
    parameters: &serde_json::Value,
    now: Timestamp,
) -> Result<ReportId, DbErr> {
    let id = ReportId::generate();
    report::Entity::insert(report::ActiveModel {
        id: Set(id.as_str().to_owned()),
        organization_id: Set(org.as_str().to_owned()),
        name: Set(name.to_owned()),
        kind: Set(kind.as_str().to_owned()),
        parameters: Set(parameters.to_string()),
        created_by_id: Set(by.as_str().to_owned()),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        version: Set(1),
        updated_by: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

pub async fn update(
    db: &impl ConnectionTrait,
    org: &OrgId,
    id: &ReportId,
    name: &str,
    kind: ReportKind,
    parameters: &serde_json::Value,
    now: Timestamp,
) -> Result<(), DbErr> {
    report::Entity::update_many()
        .col_expr(report::Column::Name, Expr::value(name))
        .col_expr(report::Column::Kind, Expr::value(kind.as_str()))
        .col_expr(
            report::Column::Parameters,
            Expr::value(parameters.to_string()),
        )
        .col_expr(report::Column::UpdatedAt, Expr::value(now.as_millis()))
        .filter(report::Column::OrganizationId.eq(org.as_str()))
        .filter(report::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete(db: &impl ConnectionTrait, org: &OrgId, id: &ReportId) -> Result<(), DbErr> {
    report::Entity::delete_many()
        .filter(report::Column::OrganizationId.eq(org.as_str()))
        .filter(report::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}
