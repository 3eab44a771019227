//! `--growth`: what a page costs as the organization grows (issue 30). Three organizations
//! in one database, of 100, 1,000 and 10,000 people: a reporting tree eight wide (so the
//! 10,000 are five levels deep), teams of about fifty, four one-on-ones of every manager with
//! every direct report (two past, two to come), three tasks per person and an initiative per
//! twenty people. The clients sign in as each organization's admin, who is its top person.
//!
//! Each route (the JSON lists and the pages a browser opens: home, people, chart, one-on-ones,
//! tasks, reports) is requested back to back by one client for `--duration` seconds per
//! organization, the three sizes taking turns in `--rounds`, so the table shows how long one
//! request takes and how many bytes it answers at each size, and the ratio of the largest to
//! the smallest. A page that grows only with the rows it shows stays flat.

use super::{Client, FIRST, LAST, Sample, SignedIn, Surface, drive_paths, signed_in_user};
use anyhow::bail;
use manageros_core::{
    InitiativeId, OneOnOneId, OrgId, PersonId, TaskId, TaskStatus, TeamId, Timestamp,
};
use manageros_store::{
    DbOptions, begin_write,
    entity::{initiative, one_on_one, organization, person, task, team},
    sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter},
};
use rand::Rng;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// The organizations' sizes, in people.
pub const SIZES: [usize; 3] = [100, 1_000, 10_000];
/// Direct reports per manager.
const WIDTH: usize = 8;
const TEAM_SIZE: usize = 50;
const ONEONONES_PER_PAIR: usize = 4;
const TASKS_PER_PERSON: usize = 3;
const PEOPLE_PER_INITIATIVE: usize = 20;

fn slug(size: usize) -> String {
    format!("growth-{size}")
}

fn token(size: usize) -> String {
    format!("bench-growth-session-{size}")
}

/// What is requested, and as what.
const ROUTES: [(&str, Surface); 9] = [
    ("/api/people", Surface::Api),
    ("/api/oneonones", Surface::Api),
    ("/api/tasks", Surface::Api),
    ("/", Surface::Page),
    ("/people", Surface::Page),
    ("/people/chart", Surface::Page),
    ("/oneonones", Surface::Page),
    ("/tasks", Surface::Page),
    ("/reports", Surface::Page),
];

/// Seeds the three organizations unless they are there already.
pub async fn seed(url: &str) -> anyhow::Result<()> {
    let db = manageros_store::connect(url, &DbOptions::default()).await?;
    manageros_store::migrate(&db).await?;
    let ours = organization::Entity::find()
        .filter(organization::Column::Slug.starts_with("growth-"))
        .count(&db)
        .await? as usize;
    let all = organization::Entity::find().count(&db).await? as usize;
    if ours == SIZES.len() && all == ours {
        println!("database already seeded ({ours} organizations)");
        return Ok(());
    }
    if all != 0 {
        bail!("the database holds other data ({all} organizations): give --growth an empty one");
    }
    let started = Instant::now();
    let now = Timestamp::from_millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as i64,
    );
    let week = 7 * 86_400_000;
    let mut rng = rand::rng();
    for size in SIZES {
        let txn = begin_write(&db).await?;
        let org = OrgId::generate();
        organization::Entity::insert(organization::ActiveModel {
            id: Set(org.to_string()),
            name: Set(format!("Growth {size}")),
            slug: Set(slug(size)),
            created_at: Set(now.as_millis()),
            updated_at: Set(now.as_millis()),
            names_version: Set(0),
            oneonones_version: Set(0),
            tasks_version: Set(0),
        })
        .exec_without_returning(&txn)
        .await?;
        let teams: Vec<TeamId> = (0..size.div_ceil(TEAM_SIZE))
            .map(|_| TeamId::generate())
            .collect();
        team::Entity::insert_many(teams.iter().enumerate().map(|(k, id)| team::ActiveModel {
            id: Set(id.to_string()),
            organization_id: Set(org.to_string()),
            name: Set(format!("Team {k:03} {}", LAST[k % 16])),
            description: Set(None),
            parent_id: Set(None),
            created_at: Set(now.as_millis()),
            updated_at: Set(now.as_millis()),
            version: Set(1),
            updated_by: Set(None),
        }))
        .exec_without_returning(&txn)
        .await?;
        let people: Vec<PersonId> = (0..size).map(|_| PersonId::generate()).collect();
        for chunk in (0..size).collect::<Vec<_>>().chunks(1_000) {
            person::Entity::insert_many(chunk.iter().map(|&i| {
                person::ActiveModel {
                    id: Set(people[i].to_string()),
                    organization_id: Set(org.to_string()),
                    name: Set(if i == 0 {
                        format!("Top Admin {size}")
                    } else {
                        format!(
                            "{} {} {i}",
                            FIRST[rng.random_range(0..16)],
                            LAST[rng.random_range(0..16)]
                        )
                    }),
                    email: Set(Some(format!("p{i}@growth{size}.bench.test"))),
                    role: Set(Some(
                        if i * WIDTH + 1 < size {
                            "Manager"
                        } else {
                            "Engineer"
                        }
                        .into(),
                    )),
                    status: Set("active".into()),
                    team_id: Set(Some(teams[i / TEAM_SIZE].to_string())),
                    manager_id: Set((i > 0).then(|| people[(i - 1) / WIDTH].to_string())),
                    created_at: Set(now.as_millis()),
                    updated_at: Set(now.as_millis()),
                    version: Set(1),
                    updated_by: Set(None),
                }
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        let admin = signed_in_user(
            &txn,
            SignedIn {
                org: &org,
                person: &people[0],
                name: format!("Top Admin {size}"),
                email: format!("admin@growth{size}.bench.test"),
                role: "ADMIN",
                token: token(size),
            },
            now,
        )
        .await?;
        // Every manager with every direct report: two weeks ago, last week, next week and the
        // week after, at a time of day of their own.
        let pairs: Vec<(usize, usize)> = (1..size).map(|i| ((i - 1) / WIDTH, i)).collect();
        let (o, p) = (&org, &people);
        for chunk in pairs.chunks(250) {
            one_on_one::Entity::insert_many(chunk.iter().flat_map(|&(m, r)| {
                (0..ONEONONES_PER_PAIR).map(move |k| {
                    let at = now
                        .plus_millis((k as i64 - 2) * week + (r as i64 % 40) * 900_000 + 3_600_000);
                    one_on_one::ActiveModel {
                        id: Set(OneOnOneId::generate().to_string()),
                        organization_id: Set(o.to_string()),
                        manager_id: Set(p[m].to_string()),
                        report_id: Set(p[r].to_string()),
                        scheduled_at: Set(at.as_millis()),
                        ends_at: Set(at.as_millis() + 30 * 60_000),
                        series_id: Set(None),
                        occurrence_at: Set(None),
                        notes: Set(Some(format!("Goals, blockers and feedback, week {k}"))),
                        created_at: Set(now.as_millis()),
                        updated_at: Set(now.as_millis()),
                        version: Set(1),
                        updated_by: Set(None),
                    }
                })
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        let initiatives: Vec<InitiativeId> = (0..size / PEOPLE_PER_INITIATIVE)
            .map(|_| InitiativeId::generate())
            .collect();
        initiative::Entity::insert_many(initiatives.iter().enumerate().map(|(k, id)| {
            initiative::ActiveModel {
                id: Set(id.to_string()),
                organization_id: Set(org.to_string()),
                title: Set(format!("Initiative {k}: {}", LAST[k % 16])),
                summary: Set(Some("Why, what and by when.".into())),
                status: Set(["planned", "in_progress", "paused", "done"][k % 4].into()),
                rag: Set(["green", "amber", "red"][k % 3].into()),
                confidence: Set((k * 7 % 100) as i32),
                team_id: Set(None),
                start_date: Set(None),
                target_date: Set(Some(now.plus_millis(k as i64 * 86_400_000).as_millis())),
                created_by_id: Set(admin.to_string()),
                created_at: Set(now.plus_millis(k as i64).as_millis()),
                updated_at: Set(now.as_millis()),
                version: Set(1),
                updated_by: Set(None),
            }
        }))
        .exec_without_returning(&txn)
        .await?;
        let tasks: Vec<usize> = (0..size * TASKS_PER_PERSON).collect();
        for chunk in tasks.chunks(1_000) {
            task::Entity::insert_many(chunk.iter().map(|&k| {
                let status = TaskStatus::ALL[k % TaskStatus::ALL.len()];
                task::ActiveModel {
                    id: Set(TaskId::generate()),
                    organization_id: Set(org.clone()),
                    title: Set(format!("Task {k}: follow up with {}", FIRST[k % 16])),
                    status: Set(status),
                    priority: Set((k % 5 + 1) as i32),
                    due_date: Set(
                        (k % 3 != 0).then(|| now.plus_millis((k % 60) as i64 * 86_400_000))
                    ),
                    assignee_id: Set(Some(people[k / TASKS_PER_PERSON].clone())),
                    initiative_id: Set(initiatives.get(k % initiatives.len().max(1)).cloned()),
                    created_by_id: Set(admin.clone()),
                    completed_at: Set((status == TaskStatus::Done).then_some(now)),
                    created_at: Set(now.plus_millis(k as i64)),
                    updated_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                }
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        println!("  seeded {size} people ({:.0?})", started.elapsed());
    }
    if url.starts_with("postgres") {
        use manageros_store::ConnectionTrait;
        db.execute_unprepared("VACUUM ANALYZE").await?;
    }
    db.close().await?;
    Ok(())
}

/// The body's length of one request, to show what each size answers.
async fn body_len(addr: &str, path: &str, size: usize, surface: Surface) -> anyhow::Result<usize> {
    let mut c = Client::connect(addr).await?;
    let (ok, len) = c.get_len(path, &token(size), surface).await?;
    if !ok {
        bail!("{path} as the admin of {size} people did not answer 2xx");
    }
    Ok(len)
}

pub async fn run(addr: &str, pid: u32, secs: u64, rounds: u32) -> anyhow::Result<()> {
    let rounds = rounds.max(1);
    let round = Duration::from_secs(secs) / rounds;
    println!(
        "One client, requests back to back, {secs} s per route and size in {rounds} rounds \
         (the sizes taking turns), after 1 s of warm-up; signed in as each organization's admin.\n"
    );
    println!(
        "| route | p50 ms at 100 | at 1,000 | at 10,000 | 10,000 ÷ 100 | bytes at 100 | at 1,000 | at 10,000 | errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (path, surface) in ROUTES {
        let mut samples: Vec<Sample> = SIZES.iter().map(|_| Sample::default()).collect();
        for &size in &SIZES {
            let tokens = Arc::new(vec![token(size)]);
            drive_paths(
                addr,
                Some(pid),
                tokens,
                path,
                surface,
                1,
                Duration::from_secs(1),
            )
            .await?;
        }
        for r in 0..rounds {
            let order: Vec<usize> = if r % 2 == 0 {
                (0..SIZES.len()).collect()
            } else {
                (0..SIZES.len()).rev().collect()
            };
            for i in order {
                let tokens = Arc::new(vec![token(SIZES[i])]);
                let s = drive_paths(addr, Some(pid), tokens, path, surface, 1, round).await?;
                samples[i].add(s);
            }
        }
        let mut bytes = vec![];
        for &size in &SIZES {
            bytes.push(body_len(addr, path, size, surface).await?);
        }
        let p50: Vec<f64> = samples.iter_mut().map(|s| s.percentile_ms(0.5)).collect();
        let errors: u64 = samples.iter().map(|s| s.errors).sum();
        println!(
            "| `{path}` | {:.2} | {:.2} | {:.2} | {:.2}× | {} | {} | {} | {errors} |",
            p50[0],
            p50[1],
            p50[2],
            p50[2] / p50[0],
            bytes[0],
            bytes[1],
            bytes[2]
        );
    }
    Ok(())
}
