//! The schema stays distributable by organization (docs/DEPLOYMENT.md, "When one PostgreSQL
//! is not enough"): every table holds one organization's rows, with `organization_id` set and
//! an index that leads with it — except the tables listed here, each with why it is not.

use crate::harness::*;
use manageros_store::{ConnectionTrait, sea_orm::Statement};
use manageros_test_macros::db_test;
use std::collections::BTreeMap;

/// Tables that are not one organization's: accounts and what hangs on them (a user may belong
/// to no organization), the organizations themselves, and the server's own bookkeeping.
const NOT_TENANT_TABLES: &[(&str, &str)] = &[
    (
        "organizations",
        "the tenants themselves (the distribution key is their id)",
    ),
    (
        "users",
        "an account exists before, and apart from, any organization",
    ),
    ("sessions", "an account's, not an organization's"),
    ("password_resets", "an account's one-time tokens"),
    ("calendar_feeds", "an account's private feed link"),
    ("outbox", "a queue the workers scan across organizations"),
    (
        "rate_counters",
        "limits per client address and account, not per organization",
    ),
    ("seaql_migrations", "the schema's own history"),
    (
        "server_secrets",
        "keys every replica shares (the form-token key), not an organization's",
    ),
];

/// A table's columns `(name, nullable)` and, per index (the primary key included), its first
/// column.
type Table = (Vec<(String, bool)>, Vec<String>);

/// Every table of the schema.
async fn schema(app: &TestApp) -> BTreeMap<String, Table> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let rows = |sql: &str| {
        let stmt = Statement::from_string(backend, sql.to_owned());
        async move { db.query_all_raw(stmt).await.unwrap() }
    };
    let mut out: BTreeMap<String, Table> = BTreeMap::new();
    match app.backend {
        Backend::Postgres => {
            for r in rows(
                "SELECT table_name, column_name, is_nullable FROM information_schema.columns \
                 WHERE table_schema = 'public'",
            )
            .await
            {
                let t: String = r.try_get("", "table_name").unwrap();
                let c: String = r.try_get("", "column_name").unwrap();
                let n: String = r.try_get("", "is_nullable").unwrap();
                out.entry(t).or_default().0.push((c, n == "YES"));
            }
            for r in rows(
                "SELECT t.relname AS tbl, a.attname AS col FROM pg_index ix \
                 JOIN pg_class t ON t.oid = ix.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ix.indkey[0] \
                 WHERE n.nspname = 'public'",
            )
            .await
            {
                let t: String = r.try_get("", "tbl").unwrap();
                out.entry(t)
                    .or_default()
                    .1
                    .push(r.try_get("", "col").unwrap());
            }
        }
        Backend::Sqlite => {
            let tables: Vec<String> = rows(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%'",
            )
            .await
            .iter()
            .map(|r| r.try_get("", "name").unwrap())
            .collect();
            for t in tables {
                for r in rows(&format!("PRAGMA table_info(\"{t}\")")).await {
                    let c: String = r.try_get("", "name").unwrap();
                    let notnull: i32 = r.try_get("", "notnull").unwrap();
                    let pk: i32 = r.try_get("", "pk").unwrap();
                    out.entry(t.clone())
                        .or_default()
                        .0
                        .push((c.clone(), notnull == 0 && pk == 0));
                    if pk == 1 {
                        out.entry(t.clone()).or_default().1.push(c);
                    }
                }
                for ix in rows(&format!("PRAGMA index_list(\"{t}\")")).await {
                    let name: String = ix.try_get("", "name").unwrap();
                    if let Some(first) = rows(&format!("PRAGMA index_info(\"{name}\")"))
                        .await
                        .iter()
                        .find(|r| r.try_get::<i32>("", "seqno").unwrap() == 0)
                    {
                        out.entry(t.clone())
                            .or_default()
                            .1
                            .push(first.try_get("", "name").unwrap());
                    }
                }
            }
        }
    }
    out
}

#[db_test]
async fn every_tenant_table_has_organization_id_and_an_index_leading_with_it(app: TestApp) {
    let tables = schema(&app).await;
    assert!(tables.contains_key("tasks"), "the catalog was read");
    let mut wrong = vec![];
    for (table, (columns, first_columns)) in &tables {
        if NOT_TENANT_TABLES.iter().any(|(t, _)| t == table) {
            continue;
        }
        match columns.iter().find(|(c, _)| c == "organization_id") {
            None => wrong.push(format!("{table}: no organization_id")),
            Some((_, true)) => wrong.push(format!("{table}: organization_id may be null")),
            Some(_) => {}
        }
        if !first_columns.iter().any(|c| c == "organization_id") {
            wrong.push(format!("{table}: no index leads with organization_id"));
        }
    }
    assert!(
        wrong.is_empty(),
        "tables that would not distribute by organization (add organization_id and an index \
         leading with it, or list the table in NOT_TENANT_TABLES with why): {wrong:#?}"
    );
    // The list names only tables that exist.
    for (t, _) in NOT_TENANT_TABLES {
        assert!(tables.contains_key(*t), "{t} is listed but does not exist");
    }
}
