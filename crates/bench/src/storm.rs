//! `--sign-in-storm`: what a storm of sign-ins does to the server's memory and to the requests
//! that need no password (issue 13). Clients list their one-on-ones alone, then while 16 other
//! clients sign in back to back (each sign-in is an Argon2id verification: 19 MiB, two
//! passes); the phases alternate, and the table compares the lists' latency and shows the
//! server's peak RSS, sampled every 50 ms throughout.

use super::{Client, Sample, Surface, drive_paths, rss_kib, token};
use manageros_store::{
    DbOptions,
    entity::user,
    sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr},
};
use serde_json::json;
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// The password the heavy users sign in with during the storm.
const PASSWORD: &str = "bench storm password";
/// Clients signing in at once.
const SIGNING_IN: usize = 16;

/// Gives every heavy user (`heavy@org<N>.bench.test`) the storm's password.
pub async fn prepare(url: &str) -> anyhow::Result<()> {
    let hash = manageros_server::password::Passwords::new()?
        .hash(PASSWORD)
        .await
        .map_err(|e| anyhow::anyhow!("hashing the storm's password: {e:?}"))?;
    let db = manageros_store::connect(url, &DbOptions::default()).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .filter(user::Column::Email.like("heavy@%"))
        .exec(&db)
        .await?;
    db.close().await?;
    Ok(())
}

/// Signs in back to back until `until`; the number of successful sign-ins and of failures.
async fn sign_in(addr: String, orgs: usize, until: Instant) -> anyhow::Result<(u64, u64)> {
    let (mut ok, mut failed) = (0, 0);
    let mut c = Client::connect(&addr).await?;
    let mut o = rand::random_range(0..orgs);
    while Instant::now() < until {
        o = (o + 1) % orgs;
        let body = json!({"email": format!("heavy@org{o}.bench.test"), "password": PASSWORD});
        match c
            .json(hyper::Method::POST, "/api/auth/login", "", Some(&body))
            .await
        {
            Ok((200, _)) => ok += 1,
            Ok(_) => failed += 1,
            Err(_) => {
                failed += 1;
                c = Client::connect(&addr).await?;
            }
        }
    }
    Ok((ok, failed))
}

pub async fn run(
    addr: &str,
    pid: u32,
    orgs: usize,
    secs: u64,
    listing: usize,
    rounds: u32,
) -> anyhow::Result<()> {
    let tokens = Arc::new((0..orgs).map(token).collect::<Vec<_>>());
    let path = "/api/oneonones";
    // Peak RSS over the whole run, also between the phases.
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                if let Some(kib) = rss_kib(pid) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let start_rss = rss_kib(pid).unwrap_or(0);
    // The listing clients, for `d`.
    let lists = |d: Duration| {
        drive_paths(
            addr,
            Some(pid),
            tokens.clone(),
            path,
            Surface::Api,
            listing,
            d,
        )
    };
    lists(Duration::from_secs(2)).await?; // warm-up
    let rounds = rounds.max(1);
    let phase = Duration::from_secs(secs) / rounds;
    let (mut alone, mut storm) = (Sample::default(), Sample::default());
    let (mut signed_in, mut refused) = (0u64, 0u64);
    for _ in 0..rounds {
        alone.add(lists(phase).await?);
        let until = Instant::now() + phase;
        let storms: Vec<_> = (0..SIGNING_IN)
            .map(|_| tokio::spawn(sign_in(addr.to_owned(), orgs, until)))
            .collect();
        storm.add(lists(phase).await?);
        for s in storms {
            let (ok, failed) = s.await??;
            signed_in += ok;
            refused += failed;
        }
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = rss_kib(pid).unwrap_or(0);
    done.store(true, Ordering::Relaxed);
    sampler.await?;
    println!(
        "\nSign-in storm: {listing} clients list their one-on-ones, alone and while {SIGNING_IN} clients sign in back to back; {secs} s each, in {rounds} alternating rounds\n"
    );
    println!("| phase | lists/s | list p50 ms | list p99 ms | sign-ins/s | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| lists alone | {:.0} | {:.2} | {:.2} | – | {} |",
        alone.per_second(),
        alone.percentile_ms(0.50),
        alone.percentile_ms(0.99),
        alone.errors
    );
    println!(
        "| lists during the storm | {:.0} | {:.2} | {:.2} | {:.1} | {} (+{refused} sign-ins) |",
        storm.per_second(),
        storm.percentile_ms(0.50),
        storm.percentile_ms(0.99),
        signed_in as f64 / storm.seconds,
        storm.errors
    );
    println!(
        "\nList p99 during the storm ÷ alone: {:.2}×. Server RSS: {:.1} MiB at the start, peak {:.1} MiB, {:.1} MiB 5 s after the last sign-in.",
        storm.percentile_ms(0.99) / alone.percentile_ms(0.99),
        start_rss as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0,
        after as f64 / 1024.0
    );
    Ok(())
}
