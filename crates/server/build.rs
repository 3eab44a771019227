//! Two facts for the API tests, decided when they are built:
//! - `MIGRATIONS_HASH`: a hash of the migration sources, naming the PostgreSQL template
//!   database the tests clone (a changed migration gets a new template);
//! - the `pg_skipped` cfg under `TEST_DATABASE_URL=skip`, which marks the PostgreSQL runs
//!   ignored so that a skipped run is never counted as a passed one (refused under `CI=true`);
//! - the `schemathesis_skipped` cfg when `schemathesis` (PyPI) is not on `PATH`, which marks
//!   the contract test ignored, with a warning; refused under `CI=true`;
//! - the `browser_skipped` cfg when no `chromedriver` is found (on `PATH`, or named by
//!   `CHROMEDRIVER`), which marks the browser journeys ignored, with a warning; refused under
//!   `CI=true`, where `.ci/run` installs Chromium and its driver first.

// A build script that cannot read the migrations should stop the build, loudly.
#![allow(clippy::expect_used)]

use std::{fs, path::Path};

fn main() {
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rustc-check-cfg=cfg(pg_skipped)");
    let skip = std::env::var("TEST_DATABASE_URL").is_ok_and(|v| v == "skip");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if skip {
        assert!(
            !ci,
            "TEST_DATABASE_URL=skip is not allowed in CI: the PostgreSQL runs must happen"
        );
        println!(
            "cargo::warning=TEST_DATABASE_URL=skip: the PostgreSQL runs of the API tests are IGNORED"
        );
        println!("cargo::rustc-cfg=pg_skipped");
    }

    browser(ci);
    schemathesis(ci);

    let dir = Path::new("../store/src/migration");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("the migrations directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    // FNV-1a: stable across builds and platforms, which is all a name needs.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in files {
        let bytes = fs::read(&path).expect("a migration file");
        for b in path
            .file_name()
            .into_iter()
            .flat_map(|n| n.as_encoded_bytes())
            .chain(&bytes)
        {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo::rustc-env=MIGRATIONS_HASH={hash:016x}");
}

/// Finds the WebDriver for Chromium the browser journeys drive.
fn browser(ci: bool) {
    println!("cargo::rerun-if-env-changed=CHROMEDRIVER");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(browser_skipped)");
    let named = std::env::var_os("CHROMEDRIVER").map(std::path::PathBuf::from);
    let found = named.clone().filter(|p| p.is_file()).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("chromedriver"))
                .find(|p| p.is_file())
        })
    });
    match found {
        Some(path) => {
            println!("cargo::rustc-env=CHROMEDRIVER_PATH={}", path.display());
            if let Some(dir) = path.parent() {
                println!("cargo::rerun-if-changed={}", dir.display());
            }
        }
        None => {
            assert!(
                !ci,
                "chromedriver is not installed: CI must run the browser journeys \
                 (apt-get install chromium chromium-driver)"
            );
            println!(
                "cargo::warning=chromedriver not found: the browser journeys are IGNORED \
                 (apt-get install chromium chromium-driver to run them)"
            );
            println!("cargo::rustc-cfg=browser_skipped");
            // The journeys still compile (ignored) on a machine without the driver.
            println!("cargo::rustc-env=CHROMEDRIVER_PATH=chromedriver");
            // Installing the driver later makes the journeys run.
            println!("cargo::rerun-if-changed=/usr/bin");
        }
    }
}

/// Finds schemathesis, which the contract test (`tests/contract`) runs against the server.
fn schemathesis(ci: bool) {
    println!("cargo::rustc-check-cfg=cfg(schemathesis_skipped)");
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("schemathesis"))
            .find(|p| p.is_file())
    });
    match found {
        Some(path) => {
            println!("cargo::rustc-env=SCHEMATHESIS_PATH={}", path.display());
        }
        None => {
            assert!(
                !ci,
                "schemathesis is not installed: CI must run the contract test \
                 (pip install schemathesis)"
            );
            println!(
                "cargo::warning=schemathesis not found: the OpenAPI contract test is IGNORED \
                 (pip install schemathesis to run it)"
            );
            println!("cargo::rustc-cfg=schemathesis_skipped");
            println!("cargo::rustc-env=SCHEMATHESIS_PATH=schemathesis");
        }
    }
}
