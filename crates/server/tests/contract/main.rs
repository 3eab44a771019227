//! The API against its own OpenAPI document: schemathesis generates requests from
//! `/api/openapi.json` (valid ones and invalid ones, and sequences that follow the document's
//! links) and checks every answer: no 5xx, every status and body as documented, every valid
//! request accepted, every invalid one refused. Run on SQLite and on PostgreSQL, as two callers:
//! an admin of an organization (linked to a person, address verified) and a user without one.
//!
//! Needs `schemathesis` (`pip install schemathesis`; `.ci/run` installs it). Without it the
//! test is built ignored, with a warning (never in CI). `MANAGEROS_CONTRACT_SECONDS` sets how
//! long each caller's run lasts (default 60).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../api/harness.rs"]
mod harness;

use harness::*;
use std::path::Path;

/// Operations that change the caller for good (its session, its person link, its lack of an
/// organization): run in a short run of their own after the main one, since during it they
/// would turn every other request into a 401 or 403 and hide what it does.
const SELF_CHANGING_ADMIN: [&str; 3] = ["logout", "revoke_session", "unlink_self"];
const SELF_CHANGING_NO_ORG: [&str; 3] = ["logout", "revoke_session", "create_organization"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(schemathesis_skipped, ignore = "schemathesis is not installed")]
async fn the_api_keeps_its_openapi_contract_on_sqlite() {
    run(Backend::Sqlite, Options::default(), contract).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(schemathesis_skipped, ignore = "schemathesis is not installed")]
#[cfg_attr(
    pg_skipped,
    ignore = "TEST_DATABASE_URL=skip: the PostgreSQL run is skipped"
)]
async fn the_api_keeps_its_openapi_contract_on_postgres() {
    run(Backend::Postgres, Options::default(), contract).await;
}

async fn contract(app: TestApp) {
    let org = app.org("acme").await;
    let admin_person = app.link_admin(&org, "Ada").await;
    // Someone to hold one-on-ones, tasks and feedback with.
    app.linked_member(&org, "Grace", "grace@acme.test").await;
    app.signup("Bob", "bob@nowhere.test").await;

    let seconds: u64 = std::env::var("MANAGEROS_CONTRACT_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("schemathesis.toml");
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contract");
    std::fs::write(
        &config,
        format!(
            "hooks = {:?}\n{}",
            here.join("hooks.py").display().to_string(),
            std::fs::read_to_string(here.join("schemathesis.toml")).unwrap()
        ),
    )
    .unwrap();

    /// One schemathesis run: as whom, and which operations.
    struct Run<'a> {
        name: &'a str,
        email: &'a str,
        person: &'a str,
        operations: &'a [&'a str],
        /// Only `operations` (else all but them).
        only_these: bool,
        seconds: u64,
    }
    let admin = |name, only_these, seconds| Run {
        name,
        email: &org.admin.email,
        person: &admin_person,
        operations: &SELF_CHANGING_ADMIN,
        only_these,
        seconds,
    };
    let no_org = |name, only_these, seconds| Run {
        name,
        email: "bob@nowhere.test",
        person: "",
        operations: &SELF_CHANGING_NO_ORG,
        only_these,
        seconds,
    };
    let runs = [
        admin("admin", false, seconds),
        no_org("no-org", false, seconds),
        admin("admin, self-changing", true, 15),
        no_org("no-org, self-changing", true, 15),
    ];
    let mut failures = Vec::new();
    for Run {
        name,
        email,
        person,
        operations,
        only_these,
        seconds,
    } in runs
    {
        let mut cmd = tokio::process::Command::new(env!("SCHEMATHESIS_PATH"));
        cmd.arg("--config-file")
            .arg(&config)
            .arg("run")
            .arg(app.url("/api/openapi.json"))
            // One worker: Python 3.11's `ast.parse`, which Hypothesis calls to describe its
            // strategies, is not safe to run from two threads at once.
            .args(["--checks", "all", "--continue-on-failure", "--workers", "1"])
            .args([
                "--seed",
                "1",
                "--no-color",
                "--max-time",
                &seconds.to_string(),
            ])
            .env("MANAGEROS_ST_EMAIL", email)
            .env("MANAGEROS_SELF_PERSON_ID", person)
            .current_dir(dir.path())
            .kill_on_drop(true);
        if only_these {
            cmd.args(["--phases", "coverage,fuzzing"]);
        }
        let flag = if only_these {
            "--include-operation-id"
        } else {
            "--exclude-operation-id"
        };
        for op in operations {
            cmd.args([flag, op]);
        }
        let out = cmd.output().await.expect("run schemathesis");
        if !out.status.success() {
            // Tracebacks can hold whole source files on one line: keep each line short.
            let text = |bytes: &[u8]| {
                String::from_utf8_lossy(bytes)
                    .lines()
                    .map(|l| l.chars().take(400).collect::<String>())
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            failures.push(format!(
                "── schemathesis as {name} ({:?}) ──\n{}\n{}",
                app.backend,
                text(&out.stdout),
                text(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
