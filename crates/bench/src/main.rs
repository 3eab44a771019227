//! `manageros-bench`: seeds a database of realistic size through the store layer, starts the
//! real server on it as a child process, and drives its lists (`GET /api/oneonones`, tasks,
//! initiatives, each as JSON and as the page a browser opens) with concurrent clients,
//! reporting throughput, latency percentiles and the server's peak memory.
//!
//! Shape of the data, per organization: 100 people; person 0 (the "heavy" manager, whose user
//! the clients sign in as) holds 1,000 one-on-ones with the 99 others, every 12 hours from
//! 2025-01-01; 300 tasks (every status, 100 assignees, 30 initiatives). `--scale full` seeds 1,000 organizations (100,000 people, 1,000,000
//! one-on-ones); `--scale small` seeds 10 (1,000 people, 10,000 one-on-ones): the same pages
//! over a database 100 times smaller, to see whether a page's cost grows with the database.

mod growth;
mod live;
mod side_by_side;
mod storm;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use manageros_core::{
    InitiativeId, OneOnOneId, OrgId, PersonId, SessionId, TaskId, TaskStatus, Timestamp, UserId,
};
use manageros_server::session::hash_token;
use manageros_store::{
    DbOptions, begin_write,
    entity::{initiative, one_on_one, organization, person, session, task, user},
    sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait},
};
use rand::Rng;
use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Scale {
    /// 1,000 organizations, 100,000 people, 1,000,000 one-on-ones.
    Full,
    /// 10 organizations, 1,000 people, 10,000 one-on-ones.
    Small,
}

impl Scale {
    fn orgs(self) -> usize {
        match self {
            Scale::Full => 1_000,
            Scale::Small => 10,
        }
    }
}

const PEOPLE_PER_ORG: usize = 100;
const ONEONONES_PER_ORG: usize = 1_000;
/// Tasks and initiatives of each organization, for the other lists' pages.
const TASKS_PER_ORG: usize = 300;
const INITIATIVES_PER_ORG: usize = 30;

#[derive(Parser, Debug)]
#[command(about = "Benchmark the lists (one-on-ones, tasks, initiatives) on a seeded database")]
struct Args {
    /// The database to seed (if empty) and serve: `sqlite://FILE` or `postgres://…` (an empty
    /// database of its own).
    #[arg(long)]
    database_url: String,
    #[arg(long, value_enum, default_value = "full")]
    scale: Scale,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds measured per scenario and surface (after 2 seconds of warm-up).
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Rounds the measured seconds are split into, the surfaces taking turns (API, page,
    /// page, API, …), so that a drift of the machine weighs on both alike.
    #[arg(long, default_value_t = 4)]
    rounds: u32,
    /// The `manageros` binary to run (default: next to this one).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// What to measure: the JSON route, the HTML page of the same list, or both (each
    /// scenario on the API and on the page, in alternating rounds, and their ratio).
    #[arg(long, value_enum, num_args = 1.., default_values_t = [Surface::Api, Surface::Page])]
    surface: Vec<Surface>,
    /// Only seed, do not run the load.
    #[arg(long)]
    seed_only: bool,
    /// Instead of the list scenarios: how other organizations' requests fare while clients
    /// send the largest bodies the API accepts (issue 12, finding 1).
    #[arg(long)]
    largest_bodies: bool,
    /// Instead of the list scenarios: drive this other implementation of `GET /api/oneonones`
    /// (its base URL, e.g. http://127.0.0.1:4100) and ManagerOS side by side on the same rows
    /// (`--database-url` must hold them already; nothing is seeded), and print the ratios.
    #[arg(long, requires_all = ["light_tokens", "heavy_tokens"])]
    peer: Option<String>,
    /// The peer's process id, to count its CPU time.
    #[arg(long, requires = "peer")]
    peer_pid: Option<u32>,
    /// Side by side: a file of light users' tokens (first tab-separated field of each line).
    #[arg(long, requires = "peer")]
    light_tokens: Option<PathBuf>,
    /// Side by side: a file of heavy users' tokens.
    #[arg(long, requires = "peer")]
    heavy_tokens: Option<PathBuf>,
    /// Side by side: also ManagerOS on SQLite, on a copy of `--database-url` in this file
    /// (made when the file does not exist).
    #[arg(long, requires = "peer")]
    sqlite: Option<PathBuf>,
    /// Instead of the list scenarios: clients list their one-on-ones alone, then while 16
    /// clients sign in back to back (`--duration` seconds each, in `--rounds`), comparing the
    /// lists' latency and reporting the server's peak memory.
    #[arg(long)]
    sign_in_storm: bool,
    /// Instead of the list scenarios: open this many live pages (one-on-ones' Server-Sent
    /// Events streams) and report what they cost the server's memory, and how soon a change
    /// reaches one (issue 26).
    #[arg(long)]
    live_streams: Option<usize>,
    /// Instead of the list scenarios: seed three organizations of 100, 1,000 and 10,000
    /// people into `--database-url` (empty, or seeded so before) and show how each list and
    /// page grows with the organization (issue 30).
    #[arg(long)]
    growth: bool,
    /// Side by side: only the scenarios whose name contains one of these.
    #[arg(long, requires = "peer", num_args = 1..)]
    only: Vec<String>,
}

fn token(org: usize) -> String {
    format!("bench-heavy-session-{org}")
}

const FIRST: [&str; 16] = [
    "Ada",
    "Grace",
    "Alan",
    "Barbara",
    "Edsger",
    "Frances",
    "Donald",
    "Margaret",
    "Ken",
    "Radia",
    "Linus",
    "Hedy",
    "Dennis",
    "Katherine",
    "Tim",
    "Shafi",
];
const LAST: [&str; 16] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Liskov",
    "Dijkstra",
    "Allen",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Perlman",
    "Torvalds",
    "Lamarr",
    "Ritchie",
    "Johnson",
    "Berners-Lee",
    "Goldwasser",
];

/// A user of the seeded data, linked to `person`, with a session of `token` that never
/// expires: the benchmark's clients present it instead of signing in.
struct SignedIn<'a> {
    org: &'a OrgId,
    person: &'a PersonId,
    name: String,
    email: String,
    role: &'static str,
    token: String,
}

async fn signed_in_user(
    txn: &impl manageros_store::ConnectionTrait,
    u: SignedIn<'_>,
    now: Timestamp,
) -> anyhow::Result<UserId> {
    let user_id = UserId::generate();
    user::Entity::insert(user::ActiveModel {
        id: Set(user_id.to_string()),
        name: Set(u.name),
        email: Set(u.email),
        // Never used to sign in: the benchmark's clients hold a session already.
        password_hash: Set("$argon2id$v=19$m=19456,t=2,p=1$bm90LXVzZWQ$bm90LXVzZWQ".into()),
        role: Set(u.role.into()),
        organization_id: Set(Some(u.org.to_string())),
        person_id: Set(Some(u.person.to_string())),
        created_at: Set(now.as_millis()),
        updated_at: Set(now.as_millis()),
        email_verified_at: Set(Some(now.as_millis())),
        time_zone: Set(None),
        notifications: Set(None),
        reminder_days_before: Set(1),
    })
    .exec_without_returning(txn)
    .await?;
    session::Entity::insert(session::ActiveModel {
        id: Set(SessionId::generate().to_string()),
        user_id: Set(user_id.to_string()),
        token_hash: Set(hash_token(&u.token)),
        created_at: Set(now.as_millis()),
        expires_at: Set(Timestamp::parse_rfc3339("2099-01-01T00:00:00Z")
            .context("far future")?
            .as_millis()),
        user_agent: Set(Some("manageros-bench".into())),
        address: Set(None),
        last_used_at: Set(Some(now.as_millis())),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(user_id)
}

/// Seeds the database unless it already holds exactly this scale's data.
async fn seed(url: &str, scale: Scale) -> anyhow::Result<()> {
    let db = manageros_store::connect(url, &DbOptions::default()).await?;
    manageros_store::migrate(&db).await?;
    let orgs = organization::Entity::find().count(&db).await? as usize;
    let ones = one_on_one::Entity::find().count(&db).await? as usize;
    let tasks = task::Entity::find().count(&db).await? as usize;
    if orgs == scale.orgs()
        && ones == scale.orgs() * ONEONONES_PER_ORG
        && tasks == scale.orgs() * TASKS_PER_ORG
    {
        println!(
            "database already seeded ({orgs} organizations, {ones} one-on-ones, {tasks} tasks)"
        );
        return Ok(());
    }
    if orgs != 0 {
        bail!(
            "the database holds other data ({orgs} organizations): give the benchmark an empty database"
        );
    }
    let started = Instant::now();
    let base = Timestamp::parse_rfc3339("2025-01-01T09:00:00Z").context("base time")?;
    let now = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").context("now")?;
    let mut rng = rand::rng();
    for o in 0..scale.orgs() {
        let txn = begin_write(&db).await?;
        let org_id = OrgId::generate();
        organization::Entity::insert(organization::ActiveModel {
            id: Set(org_id.to_string()),
            name: Set(format!("Org {o}")),
            slug: Set(format!("bench-org-{o}")),
            created_at: Set(now.as_millis()),
            updated_at: Set(now.as_millis()),
            names_version: Set(0),
            oneonones_version: Set(0),
            tasks_version: Set(0),
        })
        .exec_without_returning(&txn)
        .await?;
        let people: Vec<PersonId> = (0..PEOPLE_PER_ORG).map(|_| PersonId::generate()).collect();
        person::Entity::insert_many(
            people
                .iter()
                .enumerate()
                .map(|(i, id)| person::ActiveModel {
                    id: Set(id.to_string()),
                    organization_id: Set(org_id.to_string()),
                    name: Set(if i == 0 {
                        format!("Heavy Manager {o}")
                    } else {
                        format!(
                            "{} {} {i}",
                            FIRST[rng.random_range(0..16)],
                            LAST[rng.random_range(0..16)]
                        )
                    }),
                    email: Set(Some(format!("p{i}@org{o}.bench.test"))),
                    role: Set(Some("Engineer".into())),
                    status: Set("active".into()),
                    team_id: Set(None),
                    manager_id: Set(if i == 0 {
                        None
                    } else {
                        Some(people[0].to_string())
                    }),
                    created_at: Set(now.as_millis()),
                    updated_at: Set(now.as_millis()),
                    version: Set(1),
                    updated_by: Set(None),
                }),
        )
        .exec_without_returning(&txn)
        .await?;
        let user_id = signed_in_user(
            &txn,
            SignedIn {
                org: &org_id,
                person: &people[0],
                name: format!("Heavy Manager {o}"),
                email: format!("heavy@org{o}.bench.test"),
                role: "USER",
                token: token(o),
            },
            now,
        )
        .await?;
        for chunk in (0..ONEONONES_PER_ORG).collect::<Vec<_>>().chunks(500) {
            one_on_one::Entity::insert_many(chunk.iter().map(|&k| {
                let at = base.plus_millis(k as i64 * 12 * 3_600_000 + o as i64 * 60_000);
                one_on_one::ActiveModel {
                    id: Set(OneOnOneId::generate().to_string()),
                    organization_id: Set(org_id.to_string()),
                    manager_id: Set(people[0].to_string()),
                    report_id: Set(people[1 + k % (PEOPLE_PER_ORG - 1)].to_string()),
                    scheduled_at: Set(at.as_millis()),
                    ends_at: Set(at.as_millis() + 30 * 60_000),
                    series_id: Set(None),
                    occurrence_at: Set(None),
                    notes: Set(Some(format!(
                        "Career goals, blockers and feedback, week {k}"
                    ))),
                    created_at: Set(now.as_millis()),
                    updated_at: Set(now.as_millis()),
                    version: Set(1),
                    updated_by: Set(None),
                }
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        let initiatives: Vec<InitiativeId> = (0..INITIATIVES_PER_ORG)
            .map(|_| InitiativeId::generate())
            .collect();
        initiative::Entity::insert_many(initiatives.iter().enumerate().map(|(k, id)| {
            initiative::ActiveModel {
                id: Set(id.to_string()),
                organization_id: Set(org_id.to_string()),
                title: Set(format!("Initiative {k}: {}", LAST[k % 16])),
                summary: Set(Some("Why, what and by when.".into())),
                status: Set(["planned", "in_progress", "paused", "done"][k % 4].into()),
                rag: Set(["green", "amber", "red"][k % 3].into()),
                confidence: Set((k * 7 % 100) as i32),
                team_id: Set(None),
                start_date: Set(None),
                target_date: Set(Some(base.plus_millis(k as i64 * 86_400_000).as_millis())),
                created_by_id: Set(user_id.to_string()),
                created_at: Set(now.plus_millis(k as i64).as_millis()),
                updated_at: Set(now.as_millis()),
                version: Set(1),
                updated_by: Set(None),
            }
        }))
        .exec_without_returning(&txn)
        .await?;
        task::Entity::insert_many((0..TASKS_PER_ORG).map(|k| {
            let status = TaskStatus::ALL[k % TaskStatus::ALL.len()];
            task::ActiveModel {
                id: Set(TaskId::generate()),
                organization_id: Set(org_id.clone()),
                title: Set(format!("Task {k}: follow up with {}", FIRST[k % 16])),
                status: Set(status),
                priority: Set((k % 5 + 1) as i32),
                due_date: Set((k % 3 != 0).then(|| base.plus_millis(k as i64 * 86_400_000))),
                assignee_id: Set(Some(people[k % PEOPLE_PER_ORG].clone())),
                initiative_id: Set(Some(initiatives[k % INITIATIVES_PER_ORG].clone())),
                created_by_id: Set(user_id.clone()),
                completed_at: Set((status == TaskStatus::Done).then_some(now)),
                created_at: Set(now.plus_millis(k as i64)),
                updated_at: Set(now),
                version: Set(1),
                // The columns it does not name are NULL: a new optional column needs nothing.
                ..Default::default()
            }
        }))
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        if (o + 1) % 100 == 0 {
            println!(
                "  seeded {} organizations ({:.0?})",
                o + 1,
                started.elapsed()
            );
        }
    }
    if url.starts_with("postgres") {
        use manageros_store::ConnectionTrait;
        // Fresh statistics and visibility map, as a database in service would have.
        db.execute_unprepared("VACUUM ANALYZE").await?;
    }
    println!("seeded in {:.1?}", started.elapsed());
    db.close().await?;
    Ok(())
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(bin: &PathBuf, url: &str, env: &[(&str, &str)]) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let outbox = std::env::temp_dir().join(format!("manageros-bench-outbox-{port}"));
    let child = Command::new(bin)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
            "--auth-rate-limit",
            "0",
            "--sign-in-limit",
            "0",
        ])
        .arg("--outbox")
        .arg(&outbox)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let server = Server {
        child,
        addr: format!("127.0.0.1:{port}"),
    };
    for _ in 0..300 {
        if let Ok(mut c) = Client::connect(&server.addr).await
            && c.get("/healthz", "", Surface::Api).await.is_ok_and(|ok| ok)
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not become healthy")
}

/// A minimal HTTP/1.1 client: one kept-alive connection, one request at a time. The load
/// generator shares the machine with the server, so it should cost as little as possible.
struct Client {
    sender: hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>,
    host: String,
}

impl Client {
    async fn connect(addr: &str) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Self {
            sender,
            host: addr.to_owned(),
        })
    }

    /// Sends a GET and reads the whole body; `Ok(true)` on a 2xx. The session goes as a
    /// bearer token to the API and as the session cookie to a page, as a browser sends it.
    async fn get(&mut self, path: &str, session: &str, surface: Surface) -> anyhow::Result<bool> {
        Ok(self.get_len(path, session, surface).await?.0)
    }

    /// Like [`Self::get`], also giving the length of the body.
    async fn get_len(
        &mut self,
        path: &str,
        session: &str,
        surface: Surface,
    ) -> anyhow::Result<(bool, usize)> {
        use http_body_util::BodyExt;
        let mut req = hyper::Request::get(path).header(hyper::header::HOST, &self.host);
        req = match surface {
            Surface::Api => req.header(hyper::header::AUTHORIZATION, format!("Bearer {session}")),
            Surface::Page => req.header(
                hyper::header::COOKIE,
                format!("manageros_session={session}"),
            ),
        };
        self.sender.ready().await?;
        let res = self
            .sender
            .send_request(req.body(http_body_util::Full::default())?)
            .await?;
        let ok = res.status().is_success();
        let len = res.into_body().collect().await?.to_bytes().len();
        Ok((ok, len))
    }

    /// Sends a JSON request with a bearer token; the status and the body.
    async fn json(
        &mut self,
        method: hyper::Method,
        path: &str,
        session: &str,
        body: Option<&serde_json::Value>,
    ) -> anyhow::Result<(u16, serde_json::Value)> {
        use http_body_util::BodyExt;
        let req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, &self.host)
            .header(hyper::header::AUTHORIZATION, format!("Bearer {session}"))
            .header(hyper::header::CONTENT_TYPE, "application/json");
        let bytes = match body {
            Some(b) => bytes::Bytes::from(serde_json::to_vec(b)?),
            None => bytes::Bytes::new(),
        };
        self.sender.ready().await?;
        let res = self
            .sender
            .send_request(req.body(http_body_util::Full::new(bytes))?)
            .await?;
        let status = res.status().as_u16();
        let body = res.into_body().collect().await?.to_bytes();
        Ok((status, serde_json::from_slice(&body).unwrap_or_default()))
    }
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Scenario {
    name: &'static str,
    /// The list: `oneonones`, `tasks` or `initiatives` (its JSON route is `/api/<list>`, its
    /// page `/<list>`).
    list: &'static str,
    query: &'static str,
}

/// What is measured: the JSON route, or the page a browser opens for the same list.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Surface {
    /// `GET /api/<list>`.
    Api,
    /// `GET /<list>`, the HTML page.
    Page,
}

impl Surface {
    fn path(self, list: &str, query: &str) -> String {
        match self {
            Surface::Api => format!("/api/{list}?{query}"),
            Surface::Page => format!("/{list}?{query}"),
        }
    }
}

const SCENARIOS: [Scenario; 7] = [
    Scenario {
        name: "first page",
        list: "oneonones",
        query: "",
    },
    Scenario {
        name: "page 50",
        list: "oneonones",
        query: "page=50",
    },
    Scenario {
        name: "June (date filter)",
        list: "oneonones",
        query: "scheduledFrom=2025-06-01&scheduledTo=2025-06-30",
    },
    Scenario {
        name: "sorted by report name",
        list: "oneonones",
        query: "sort=report:asc,scheduledAt:desc",
    },
    Scenario {
        name: "tasks, first page",
        list: "tasks",
        query: "",
    },
    Scenario {
        name: "tasks, to do, soonest due",
        list: "tasks",
        query: "status=todo&sort=due",
    },
    Scenario {
        name: "initiatives, first page",
        list: "initiatives",
        query: "",
    },
];

/// What one round of one surface measured.
#[derive(Default)]
struct Sample {
    latencies_us: Vec<u32>,
    seconds: f64,
    errors: u64,
    peak_rss_kib: u64,
}

impl Sample {
    fn add(&mut self, other: Sample) {
        self.latencies_us.extend(other.latencies_us);
        self.seconds += other.seconds;
        self.errors += other.errors;
        self.peak_rss_kib = self.peak_rss_kib.max(other.peak_rss_kib);
    }

    fn per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.seconds
    }

    fn percentile_ms(&mut self, p: f64) -> f64 {
        let all = &mut self.latencies_us;
        all.sort_unstable();
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    }
}

/// One round: `concurrency` clients request the scenario's path for `duration` (after a
/// warm-up of 2 seconds when `warm_up`), each request as the heavy user of a random
/// organization.
#[allow(clippy::too_many_arguments)]
async fn drive(
    addr: &str,
    pid: u32,
    orgs: usize,
    s: &Scenario,
    surface: Surface,
    concurrency: usize,
    duration: Duration,
    warm_up: bool,
) -> anyhow::Result<Sample> {
    let tokens = Arc::new((0..orgs).map(token).collect::<Vec<_>>());
    let path = surface.path(s.list, s.query);
    if warm_up {
        drive_paths(
            addr,
            Some(pid),
            tokens.clone(),
            &path,
            surface,
            concurrency,
            Duration::from_secs(2),
        )
        .await?;
    }
    drive_paths(
        addr,
        Some(pid),
        tokens,
        &path,
        surface,
        concurrency,
        duration,
    )
    .await
}

/// `concurrency` clients, each on its own kept-alive connection, request `path` back to back
/// for `duration`, each request with a random one of `tokens`; the server's peak RSS is
/// sampled every 50 ms when its `pid` is known.
async fn drive_paths(
    addr: &str,
    pid: Option<u32>,
    tokens: Arc<Vec<String>>,
    path: &str,
    surface: Surface,
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<Sample> {
    let peak = Arc::new(AtomicU64::new(pid.and_then(rss_kib).unwrap_or(0)));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                if let Some(kib) = pid.and_then(rss_kib) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (addr, path, errors, tokens) = (
            addr.to_owned(),
            path.to_owned(),
            errors.clone(),
            tokens.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies: Vec<u32> = Vec::new();
            let mut client = Client::connect(&addr).await?;
            let until = Instant::now() + duration;
            while Instant::now() < until {
                let token = &tokens[rand::rng().random_range(0..tokens.len())];
                let t = Instant::now();
                match client.get(&path, token, surface).await {
                    Ok(true) => {}
                    Ok(false) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        client = Client::connect(&addr).await?;
                    }
                }
                latencies.push(t.elapsed().as_micros() as u32);
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut all: Vec<u32> = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    sampler.await?;
    Ok(Sample {
        latencies_us: all,
        seconds,
        errors: errors.load(Ordering::Relaxed),
        peak_rss_kib: peak.load(Ordering::Relaxed),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe()?.with_file_name("manageros"),
    };
    if let (Some(peer), Some(light), Some(heavy)) =
        (&args.peer, &args.light_tokens, &args.heavy_tokens)
    {
        let o = side_by_side::Options {
            peer: peer.clone(),
            peer_pid: args.peer_pid,
            light: light.clone(),
            heavy: heavy.clone(),
            database_url: args.database_url.clone(),
            sqlite: args.sqlite.clone(),
            concurrency: args.concurrency,
            duration: args.duration,
            rounds: args.rounds,
            only: args.only.clone(),
        };
        return side_by_side::run(&o, &bin).await;
    }
    if args.growth {
        growth::seed(&args.database_url).await?;
        if args.seed_only {
            return Ok(());
        }
        let server = start_server(&bin, &args.database_url, &[]).await?;
        return growth::run(&server.addr, server.child.id(), args.duration, args.rounds).await;
    }
    println!(
        "seeding {:?} scale into {}",
        args.scale,
        manageros_server::config::redact(&args.database_url)
    );
    seed(&args.database_url, args.scale).await?;
    if args.seed_only {
        return Ok(());
    }
    if args.sign_in_storm {
        storm::prepare(&args.database_url).await?;
    }
    // Live streams hold connections, all from this machine, as one heavy user per organization.
    let wide = [
        ("MANAGEROS_MAX_CONNECTIONS", "8192"),
        ("MANAGEROS_MAX_CONNECTIONS_PER_CLIENT", "8192"),
        ("MANAGEROS_LIVE_PER_USER", "1000"),
    ];
    let env: &[(&str, &str)] = if args.live_streams.is_some() {
        &wide
    } else {
        &[]
    };
    let server = start_server(&bin, &args.database_url, env).await?;
    let pid = server.child.id();
    if let Some(n) = args.live_streams {
        return live::run(&server.addr, pid, args.scale.orgs(), n).await;
    }
    if args.largest_bodies {
        return largest_bodies::run(&server.addr, args.scale.orgs(), args.duration).await;
    }
    if args.sign_in_storm {
        return storm::run(
            &server.addr,
            pid,
            args.scale.orgs(),
            args.duration,
            args.concurrency,
            args.rounds,
        )
        .await;
    }
    let backend = if args.database_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "\n{backend}, {:?} scale ({} organizations), {} clients, {} s per scenario and surface in {} alternating rounds, server pid {pid}\n",
        args.scale,
        args.scale.orgs(),
        args.concurrency,
        args.duration,
        args.rounds.max(1)
    );
    println!(
        "| scenario | surface | requests | requests/s | p50 ms | p99 ms | peak server RSS MiB | errors |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let mut ratios = vec![];
    let rounds = args.rounds.max(1);
    let round = Duration::from_secs(args.duration) / rounds;
    for s in &SCENARIOS {
        let mut samples: Vec<(Surface, Sample)> = args
            .surface
            .iter()
            .map(|&surface| (surface, Sample::default()))
            .collect();
        for r in 0..rounds {
            // API, page, then page, API: each surface goes first as often as last.
            let order: Vec<usize> = if r % 2 == 0 {
                (0..samples.len()).collect()
            } else {
                (0..samples.len()).rev().collect()
            };
            for i in order {
                let sample = drive(
                    &server.addr,
                    pid,
                    args.scale.orgs(),
                    s,
                    samples[i].0,
                    args.concurrency,
                    round,
                    samples[i].1.seconds == 0.0,
                )
                .await?;
                samples[i].1.add(sample);
            }
        }
        for (surface, o) in &mut samples {
            println!(
                "| {} | {surface:?} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {} |",
                s.name,
                o.latencies_us.len(),
                o.per_second(),
                o.percentile_ms(0.50),
                o.percentile_ms(0.99),
                o.peak_rss_kib as f64 / 1024.0,
                o.errors
            );
        }
        if let [(Surface::Api, api), (Surface::Page, page)] = &samples[..] {
            ratios.push((s.name, api.per_second() / page.per_second()));
        }
    }
    if !ratios.is_empty() {
        println!("\n| scenario | page cost / API cost (requests/s API ÷ page) |\n|---|---:|");
        for (name, r) in ratios {
            println!("| {name} | {r:.2}× |");
        }
    }
    Ok(())
}

/// Issue 12, finding 1: no request does unbounded work while holding the write lock. Clients
/// of some organizations send the largest bodies the API accepts (a meeting with 200
/// participants, the same meeting updated with 200, an initiative with 200 owners), while
/// clients of other organizations list their one-on-ones and create tasks; the table compares
/// those others' latency with and without the large bodies, measured in one run.
mod largest_bodies {
    use super::{Client, token};
    use anyhow::bail;
    use hyper::Method;
    use serde_json::json;
    use std::time::{Duration, Instant};

    /// Organizations whose clients send the large bodies; the others are the bystanders.
    const SENDERS: usize = 4;
    const BYSTANDERS: usize = 4;
    /// The API's cap on a list of people in a body (`services::refs::MAX_PEOPLE`).
    const IDS: usize = 200;

    /// 200 ids of the organization's people (its 100 people, each twice: the largest list
    /// the API accepts, de-duplicated by the server).
    async fn ids(c: &mut Client, session: &str) -> anyhow::Result<Vec<String>> {
        let mut ids = vec![];
        for page in 1..=2 {
            let (status, body) = c
                .json(
                    Method::GET,
                    &format!("/api/people?limit=100&page={page}"),
                    session,
                    None,
                )
                .await?;
            if status != 200 {
                bail!("listing people: {status} {body}");
            }
            for p in body["people"].as_array().into_iter().flatten() {
                ids.push(p["id"].as_str().unwrap_or_default().to_owned());
            }
        }
        Ok(ids.iter().cycle().take(IDS).cloned().collect())
    }

    /// One sender: loops over the three largest bodies until `until`; latencies in µs and
    /// the number of answers that were not 2xx.
    async fn sender(addr: String, org: usize, until: Instant) -> anyhow::Result<(Vec<u32>, u64)> {
        let mut c = Client::connect(&addr).await?;
        let session = token(org);
        let ids = ids(&mut c, &session).await?;
        let mut lat = vec![];
        let mut failed = 0;
        let mut meeting: Option<String> = None;
        let mut k = 0u64;
        while Instant::now() < until {
            let t = Instant::now();
            let (status, body) = match (k % 3, &meeting) {
                (1, Some(m)) => {
                    c.json(
                        Method::PATCH,
                        &format!("/api/meetings/{m}"),
                        &session,
                        Some(&json!({"participantIds": ids, "title": format!("Update {k}")})),
                    )
                    .await?
                }
                (2, _) => {
                    c.json(
                        Method::POST,
                        "/api/initiatives",
                        &session,
                        Some(&json!({"title": format!("Initiative {k}"), "ownerIds": ids})),
                    )
                    .await?
                }
                _ => {
                    c.json(
                        Method::POST,
                        "/api/meetings",
                        &session,
                        Some(&json!({
                            "title": format!("All hands {k}"),
                            "scheduledAt": "2030-01-01T10:00:00Z",
                            "participantIds": ids,
                        })),
                    )
                    .await?
                }
            };
            lat.push(t.elapsed().as_micros() as u32);
            if (200..300).contains(&status) {
                if let Some(id) = body["meeting"]["id"].as_str() {
                    meeting = Some(id.to_owned());
                }
            } else {
                failed += 1;
            }
            k += 1;
        }
        Ok((lat, failed))
    }

    /// One bystander: alternately lists its one-on-ones and creates a task.
    async fn bystander(
        addr: String,
        org: usize,
        until: Instant,
    ) -> anyhow::Result<(Vec<u32>, Vec<u32>, u64)> {
        let mut c = Client::connect(&addr).await?;
        let session = token(org);
        let (mut reads, mut writes, mut failed) = (vec![], vec![], 0);
        let mut k = 0u64;
        while Instant::now() < until {
            let t = Instant::now();
            let status = if k.is_multiple_of(2) {
                let (s, _) = c
                    .json(Method::GET, "/api/oneonones", &session, None)
                    .await?;
                reads.push(t.elapsed().as_micros() as u32);
                s
            } else {
                let body = json!({"title": format!("Task {k}")});
                let (s, _) = c
                    .json(Method::POST, "/api/tasks", &session, Some(&body))
                    .await?;
                writes.push(t.elapsed().as_micros() as u32);
                s
            };
            if !(200..300).contains(&status) {
                failed += 1;
            }
            k += 1;
        }
        Ok((reads, writes, failed))
    }

    struct Phase {
        reads: Vec<u32>,
        writes: Vec<u32>,
        bystander_failures: u64,
        senders: Vec<u32>,
        sender_failures: u64,
    }

    async fn phase(addr: &str, with_senders: bool, secs: u64) -> anyhow::Result<Phase> {
        let until = Instant::now() + Duration::from_secs(secs);
        let bystanders: Vec<_> = (SENDERS..SENDERS + BYSTANDERS)
            .map(|org| tokio::spawn(bystander(addr.to_owned(), org, until)))
            .collect();
        let senders: Vec<_> = if with_senders {
            (0..SENDERS)
                .map(|org| tokio::spawn(sender(addr.to_owned(), org, until)))
                .collect()
        } else {
            vec![]
        };
        let mut p = Phase {
            reads: vec![],
            writes: vec![],
            bystander_failures: 0,
            senders: vec![],
            sender_failures: 0,
        };
        for b in bystanders {
            let (r, w, f) = b.await??;
            p.reads.extend(r);
            p.writes.extend(w);
            p.bystander_failures += f;
        }
        for s in senders {
            let (l, f) = s.await??;
            p.senders.extend(l);
            p.sender_failures += f;
        }
        Ok(p)
    }

    fn pct(v: &mut [u32], p: f64) -> f64 {
        v.sort_unstable();
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    }

    pub async fn run(addr: &str, orgs: usize, secs: u64) -> anyhow::Result<()> {
        if orgs < SENDERS + BYSTANDERS {
            bail!("needs at least {} organizations", SENDERS + BYSTANDERS);
        }
        println!(
            "{SENDERS} clients (one organization each) send the largest bodies ({IDS} ids a list); \
             {BYSTANDERS} clients of other organizations list one-on-ones and create tasks. \
             Phases alternate, {secs} s each, twice.\n"
        );
        println!(
            "| phase | bystander reads p50 / p99 ms | bystander writes p50 / p99 ms | bystander failures | large bodies sent | large body p50 / p99 ms | large-body failures |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|");
        let mut worst = (0.0f64, 0.0f64);
        let mut base = (f64::MAX, f64::MAX);
        for round in 0..2 {
            for with in [false, true] {
                let mut p = phase(addr, with, secs).await?;
                let (r50, r99) = (pct(&mut p.reads, 0.5), pct(&mut p.reads, 0.99));
                let (w50, w99) = (pct(&mut p.writes, 0.5), pct(&mut p.writes, 0.99));
                if with {
                    worst = (worst.0.max(r99), worst.1.max(w99));
                } else {
                    base = (base.0.min(r99), base.1.min(w99));
                }
                let name = if with { "with large bodies" } else { "alone" };
                let large = if with {
                    format!(
                        "{} | {:.1} / {:.1} | {}",
                        p.senders.len(),
                        pct(&mut p.senders, 0.5),
                        pct(&mut p.senders, 0.99),
                        p.sender_failures
                    )
                } else {
                    "– | – | –".into()
                };
                println!(
                    "| {name} (round {}) | {r50:.2} / {r99:.2} | {w50:.2} / {w99:.2} | {} | {large} |",
                    round + 1,
                    p.bystander_failures
                );
            }
        }
        println!(
            "\nBystanders' p99 with large bodies ÷ alone: reads {:.2}×, writes {:.2}×",
            worst.0 / base.0,
            worst.1 / base.1
        );
        Ok(())
    }
}
