//! Browser journeys: the pages driven in headless Chromium over WebDriver (chromedriver), on
//! a real server, on SQLite and on PostgreSQL. Every page a journey visits is checked with
//! axe-core (no serious or critical violation) and photographed into the directory the run
//! prints (`target/tmp/screenshots/…`, or `MANAGEROS_SCREENSHOTS`).
//!
//! Without chromedriver the journeys are built ignored, with a warning (never in CI).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../api/harness.rs"]
mod harness;

mod driver;
mod journeys;
