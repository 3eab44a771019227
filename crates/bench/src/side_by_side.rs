//! `--peer URL`: ManagerOS and another implementation of `GET /api/oneonones` (issue 13's
//! Node + Prisma peer, kept outside this repository) driven with the same requests, in
//! alternating rounds, on the same rows, and compared.
//!
//! The peer is only spoken to over HTTP. Both servers must hold the same data and accept the
//! same bearer tokens: the peer's `scripts/load-into-manageros.sh` copies its seed into a
//! ManagerOS PostgreSQL database (`--database-url`), and both store SHA-256 of the token.
//! With `--sqlite FILE`, that database is also copied into a SQLite file (once, when the file
//! does not exist) and a second ManagerOS server on it joins the rounds.
//!
//! Besides requests per second and latency, each server's CPU time per request is taken from
//! `/proc` (the server's process, plus every `postgres` process for the servers that use
//! PostgreSQL), so the table shows where the cost lies, not only how fast each one was.

use super::{Client, Sample, Surface, drive_paths, start_server};
use anyhow::{Context, bail};
use manageros_store::{
    DbOptions, begin_write,
    entity::{one_on_one, organization, person, session, user},
    sea_orm::{
        ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
        QueryOrder, QuerySelect, Value,
    },
};
use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

pub struct Options {
    /// The peer's base URL (`http://127.0.0.1:4100`).
    pub peer: String,
    /// The peer's process, for its CPU time (without it, only throughput and latency).
    pub peer_pid: Option<u32>,
    /// Token files of the light and the heavy users (`tokens.txt`, `tokens-heavy.txt`: the
    /// token is each line's first tab-separated field).
    pub light: PathBuf,
    pub heavy: PathBuf,
    /// ManagerOS's copy of the same rows on PostgreSQL.
    pub database_url: String,
    /// Also ManagerOS on SQLite, on a copy of that database in this file.
    pub sqlite: Option<PathBuf>,
    pub concurrency: usize,
    pub duration: u64,
    pub rounds: u32,
    /// Only the scenarios whose name contains one of these (all when empty).
    pub only: Vec<String>,
}

struct Scenario {
    name: &'static str,
    heavy: bool,
    query: &'static str,
}

/// The scenarios of issue 13's table: a light user (20 one-on-ones) and a heavy one (1,000).
const SCENARIOS: [Scenario; 5] = [
    Scenario {
        name: "light, first page",
        heavy: false,
        query: "limit=20",
    },
    Scenario {
        name: "heavy, first page",
        heavy: true,
        query: "limit=20",
    },
    Scenario {
        name: "heavy, page 50",
        heavy: true,
        query: "page=50&limit=20",
    },
    Scenario {
        name: "heavy, a one-month window",
        heavy: true,
        query: "scheduledFrom=2025-06-01T00:00:00Z&scheduledTo=2025-06-30T23:59:59Z&limit=20",
    },
    Scenario {
        name: "heavy, sort=report:asc",
        heavy: true,
        query: "sort=report:asc&limit=20",
    },
];

/// A server in the comparison.
struct Target {
    name: &'static str,
    addr: String,
    pid: Option<u32>,
    /// Whether PostgreSQL's CPU time is part of its cost.
    postgres: bool,
}

/// What one target measured over all rounds of one scenario.
#[derive(Default)]
struct Measured {
    sample: Sample,
    /// CPU clock ticks of the server process and of PostgreSQL.
    server_ticks: u64,
    postgres_ticks: u64,
}

impl Measured {
    fn cpu_ms_per_request(&self, t: &Target) -> Option<(f64, f64)> {
        let n = self.sample.latencies_us.len() as f64;
        if n == 0.0 || t.pid.is_none() {
            return None;
        }
        let ms = |ticks: u64| ticks as f64 * 1000.0 / ticks_per_second() / n;
        Some((
            ms(self.server_ticks),
            if t.postgres {
                ms(self.postgres_ticks)
            } else {
                0.0
            },
        ))
    }
}

fn ticks_per_second() -> f64 {
    // The kernel's USER_HZ, 100 on every Linux this runs on (`getconf CLK_TCK`).
    100.0
}

/// User plus system CPU ticks of a process, from `/proc/PID/stat` (0 when it is gone).
fn cpu_ticks(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // Fields after the command name (which may hold spaces) start at its closing parenthesis;
    // utime and stime are the 14th and 15th fields, the 12th and 13th after it.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// CPU ticks of every `postgres` process on the machine (backends, checkpointer, WAL writer…).
fn postgres_ticks() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .map(cpu_ticks)
        .sum()
}

fn tokens(file: &Path) -> anyhow::Result<Arc<Vec<String>>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let tokens: Vec<String> = text
        .lines()
        .filter_map(|l| l.split('\t').next())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    if tokens.is_empty() {
        bail!("{} holds no tokens", file.display());
    }
    Ok(Arc::new(tokens))
}

fn host_port(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

/// Asks every target for the scenario once with the first token: each must answer 200 with
/// the same `totalCount` and the same number of rows, or the comparison would be of
/// different work.
async fn same_answers(targets: &[Target], tokens: &[String], path: &str) -> anyhow::Result<()> {
    let mut seen: Option<(String, u64, usize)> = None;
    for t in targets {
        let mut c = Client::connect(&t.addr).await?;
        let (status, body) = c.json(hyper::Method::GET, path, &tokens[0], None).await?;
        if status != 200 {
            bail!("{} answered {status} to {path}: {body}", t.name);
        }
        let total = body["pagination"]["totalCount"]
            .as_u64()
            .unwrap_or(u64::MAX);
        let rows = body["oneOnOnes"].as_array().map_or(0, Vec::len);
        match &seen {
            None => seen = Some((t.name.to_owned(), total, rows)),
            Some((first, t0, r0)) if (*t0, *r0) != (total, rows) => bail!(
                "{first} and {} disagree on {path}: totalCount {t0} / {total}, rows {r0} / {rows}",
                t.name
            ),
            Some(_) => {}
        }
    }
    Ok(())
}

pub async fn run(o: &Options, bin: &PathBuf) -> anyhow::Result<()> {
    let light = tokens(&o.light)?;
    let heavy = tokens(&o.heavy)?;
    let ours_pg = start_server(bin, &o.database_url, &[]).await?;
    let ours_sqlite = match &o.sqlite {
        Some(file) => {
            let url = format!("sqlite://{}", file.display());
            if !file.exists() {
                copy_to_sqlite(&o.database_url, &url).await?;
            }
            Some(start_server(bin, &url, &[]).await?)
        }
        None => None,
    };
    let mut targets = vec![
        Target {
            name: "peer",
            addr: host_port(&o.peer),
            pid: o.peer_pid,
            postgres: true,
        },
        Target {
            name: "ours, PostgreSQL",
            addr: ours_pg.addr.clone(),
            pid: Some(ours_pg.child.id()),
            postgres: true,
        },
    ];
    if let Some(s) = &ours_sqlite {
        targets.push(Target {
            name: "ours, SQLite",
            addr: s.addr.clone(),
            pid: Some(s.child.id()),
            postgres: false,
        });
    }
    println!(
        "\nSide by side: {} and ManagerOS, {} clients, {} s per scenario and server in {} alternating rounds\n",
        o.peer,
        o.concurrency,
        o.duration,
        o.rounds.max(1)
    );
    let rounds = o.rounds.max(1);
    let round = Duration::from_secs(o.duration) / rounds;
    let mut results: Vec<(&Scenario, Vec<Measured>)> = vec![];
    for s in SCENARIOS
        .iter()
        .filter(|s| o.only.is_empty() || o.only.iter().any(|w| s.name.contains(w.as_str())))
    {
        let tokens = if s.heavy { &heavy } else { &light };
        let path = format!("/api/oneonones?{}", s.query);
        same_answers(&targets, tokens, &path).await?;
        let mut measured: Vec<Measured> = targets.iter().map(|_| Measured::default()).collect();
        for r in 0..rounds {
            let order: Vec<usize> = if r % 2 == 0 {
                (0..targets.len()).collect()
            } else {
                (0..targets.len()).rev().collect()
            };
            for i in order {
                let t = &targets[i];
                let first = measured[i].sample.seconds == 0.0;
                if first {
                    // Warm-up, not measured.
                    drive_paths(
                        &t.addr,
                        t.pid,
                        tokens.clone(),
                        &path,
                        Surface::Api,
                        o.concurrency,
                        Duration::from_secs(2),
                    )
                    .await?;
                }
                let (s0, p0) = (t.pid.map_or(0, cpu_ticks), postgres_ticks());
                let sample = drive_paths(
                    &t.addr,
                    t.pid,
                    tokens.clone(),
                    &path,
                    Surface::Api,
                    o.concurrency,
                    round,
                )
                .await?;
                let (s1, p1) = (t.pid.map_or(0, cpu_ticks), postgres_ticks());
                measured[i].sample.add(sample);
                measured[i].server_ticks += s1.saturating_sub(s0);
                measured[i].postgres_ticks += p1.saturating_sub(p0);
            }
        }
        results.push((s, measured));
    }
    print_tables(&targets, &mut results);
    Ok(())
}

fn print_tables(targets: &[Target], results: &mut [(&Scenario, Vec<Measured>)]) {
    let sqlite = targets.len() > 2;
    print!("| scenario | peer req/s | ours, PostgreSQL req/s | ours ÷ peer |");
    if sqlite {
        print!(" ours, SQLite req/s | ours ÷ peer | SQLite ÷ PostgreSQL |");
    }
    println!();
    println!(
        "|---|---:|---:|---:|{}",
        if sqlite { "---:|---:|---:|" } else { "" }
    );
    for (s, m) in results.iter() {
        let rps: Vec<f64> = m.iter().map(|x| x.sample.per_second()).collect();
        print!(
            "| {} | {:.0} | {:.0} | **{:.1}×** |",
            s.name,
            rps[0],
            rps[1],
            rps[1] / rps[0]
        );
        if sqlite {
            print!(
                " {:.0} | **{:.1}×** | {:.2}× |",
                rps[2],
                rps[2] / rps[0],
                rps[2] / rps[1]
            );
        }
        println!();
    }
    println!("\nCPU per request (ms: the server's process + PostgreSQL's) and latency (ms):\n");
    print!("| scenario |");
    for t in targets {
        print!(" {} CPU ms | p50 | p99 | errors |", t.name);
    }
    println!();
    println!("|---|{}", "---:|---:|---:|---:|".repeat(targets.len()));
    for (s, m) in results.iter_mut() {
        print!("| {} |", s.name);
        for (t, x) in targets.iter().zip(m.iter_mut()) {
            let cpu = match x.cpu_ms_per_request(t) {
                Some((server, pg)) if t.postgres => {
                    format!("{:.2} ({server:.2} + {pg:.2})", server + pg)
                }
                Some((server, _)) => format!("{server:.2}"),
                None => "–".into(),
            };
            print!(
                " {cpu} | {:.2} | {:.2} | {} |",
                x.sample.percentile_ms(0.50),
                x.sample.percentile_ms(0.99),
                x.sample.errors
            );
        }
        println!();
    }
    let peak: Vec<String> = targets
        .iter()
        .zip(
            results
                .iter()
                .map(|(_, m)| m)
                .fold(vec![0u64; targets.len()], |acc, m| {
                    acc.iter()
                        .zip(m)
                        .map(|(a, x)| (*a).max(x.sample.peak_rss_kib))
                        .collect()
                }),
        )
        .map(|(t, kib)| format!("{} {:.1} MiB", t.name, kib as f64 / 1024.0))
        .collect();
    println!("\nPeak RSS: {}", peak.join(", "));
}

/// Copies the organizations, people, users, sessions and one-on-ones of a ManagerOS
/// PostgreSQL database into a new ManagerOS SQLite file, through the store's entities.
async fn copy_to_sqlite(from_url: &str, to_url: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    println!(
        "copying {} into {to_url}",
        manageros_server::config::redact(from_url)
    );
    let from = manageros_store::connect(from_url, &DbOptions::default()).await?;
    let to = manageros_store::connect(to_url, &DbOptions::default()).await?;
    manageros_store::migrate(&to).await?;
    copy_table::<organization::Entity>(&from, &to, organization::Column::Id).await?;
    copy_table::<person::Entity>(&from, &to, person::Column::Id).await?;
    copy_table::<user::Entity>(&from, &to, user::Column::Id).await?;
    copy_table::<session::Entity>(&from, &to, session::Column::Id).await?;
    copy_table::<one_on_one::Entity>(&from, &to, one_on_one::Column::Id).await?;
    {
        use manageros_store::ConnectionTrait;
        to.execute_unprepared("ANALYZE").await?;
    }
    to.close().await?;
    println!("copied in {:.1?}", started.elapsed());
    Ok(())
}

/// Copies one table in id order, 1,000 rows per statement (within SQLite's variable limit).
async fn copy_table<E>(
    from: &manageros_store::DatabaseConnection,
    to: &manageros_store::DatabaseConnection,
    id: E::Column,
) -> anyhow::Result<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let mut last: Option<String> = None;
    let mut copied = 0usize;
    loop {
        let mut q = E::find().order_by_asc(id).limit(1_000);
        if let Some(l) = &last {
            q = q.filter(id.gt(l.clone()));
        }
        let rows = q.all(from).await?;
        let Some(tail) = rows.last() else { break };
        last = match tail.get(id) {
            Value::String(Some(s)) => Some(s.to_string()),
            other => bail!("unexpected id value {other:?}"),
        };
        copied += rows.len();
        let txn = begin_write(to).await?;
        E::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
            .exec_without_returning(&*txn)
            .await?;
        txn.commit().await?;
    }
    println!("  {}: {copied} rows", E::default().table_name());
    Ok(())
}
