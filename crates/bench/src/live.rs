//! `--live-streams N`: what N open live pages cost the server (issue 26). Each is a one-on-one
//! page's Server-Sent Events stream (`GET /oneonones/{id}/live`), opened as the heavy user of
//! an organization on one of their one-on-ones. Reports the server's RSS before and with the
//! streams open (and per stream), how long opening them took, and how soon a change made
//! through the API reaches the stream of its one-on-one.

use super::{Client, rss_kib, token};
use anyhow::{Context, bail};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Opens one stream: the request, then its answer's head (which must be a 200 of
/// `text/event-stream`). The connection stays open as long as the returned socket.
async fn open(addr: &str, one: &str, session: &str) -> anyhow::Result<TcpStream> {
    let mut s = TcpStream::connect(addr).await?;
    let request = format!(
        "GET /oneonones/{one}/live HTTP/1.1\r\nHost: {addr}\r\nCookie: manageros_session={session}\r\nAccept: text/event-stream\r\n\r\n"
    );
    s.write_all(request.as_bytes()).await?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).await? == 0 {
            bail!("the stream of {one} closed before its answer");
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    if !head.starts_with("HTTP/1.1 200") || !head.contains("text/event-stream") {
        bail!("the stream of {one} was refused: {head}");
    }
    Ok(s)
}

/// Reads from a stream until `needle` arrives (or `within` passes).
async fn hear(s: &mut TcpStream, needle: &str, within: Duration) -> anyhow::Result<()> {
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    while !seen.contains(needle) {
        let n = tokio::time::timeout_at(deadline, s.read(&mut buf))
            .await
            .context("nothing heard in time")??;
        if n == 0 {
            bail!("the stream ended");
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    Ok(())
}

pub async fn run(addr: &str, pid: u32, orgs: usize, streams: usize) -> anyhow::Result<()> {
    // The heavy user of each organization takes part in all of its one-on-ones.
    let per_org = streams.div_ceil(orgs).min(100);
    let mut targets = Vec::with_capacity(streams);
    let mut api = Client::connect(addr).await?;
    for org in 0..orgs {
        let path = format!("/api/oneonones?limit={per_org}");
        let (status, body) = api
            .json(hyper::Method::GET, &path, &token(org), None)
            .await?;
        if status != 200 {
            bail!("listing the one-on-ones of org {org}: {status} {body}");
        }
        for o in body["oneOnOnes"].as_array().into_iter().flatten() {
            if let Some(id) = o["id"].as_str() {
                targets.push((org, id.to_owned()));
            }
        }
    }
    targets.truncate(streams);
    if targets.len() < streams {
        bail!(
            "only {} one-on-ones to open (at most 100 per organization)",
            targets.len()
        );
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(pid).unwrap_or(0);
    let started = Instant::now();
    let mut open_streams = Vec::with_capacity(streams);
    for (org, one) in &targets {
        open_streams.push(open(addr, one, &token(*org)).await?);
    }
    let opening = started.elapsed();
    // Let the server settle (allocations made while opening that it gives back).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let with = rss_kib(pid).unwrap_or(0);
    // A change on the first one-on-one, timed until its stream hears of it.
    let (org, one) = &targets[0];
    let heard = Instant::now();
    let (status, body) = api
        .json(
            hyper::Method::POST,
            &format!("/api/oneonones/{one}/talking-points"),
            &token(*org),
            Some(&json!({"text": "Heard live"})),
        )
        .await?;
    if status != 201 {
        bail!("adding a point: {status} {body}");
    }
    hear(
        &mut open_streams[0],
        "event: agenda",
        Duration::from_secs(10),
    )
    .await?;
    let heard = heard.elapsed();
    let per_stream = (with.saturating_sub(before)) as f64 / streams as f64;
    println!(
        "\n| live streams | RSS before MiB | RSS with them MiB | KiB per stream | opening them s | a change heard in ms |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {streams} | {:.1} | {:.1} | {per_stream:.1} | {:.2} | {:.1} |",
        before as f64 / 1024.0,
        with as f64 / 1024.0,
        opening.as_secs_f64(),
        heard.as_secs_f64() * 1000.0
    );
    drop(open_streams);
    Ok(())
}
