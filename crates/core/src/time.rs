//! Timestamps and the clock.
//!
//! A [`Timestamp`] is a count of milliseconds since the Unix epoch, in UTC. It is stored as a
//! BIGINT on both databases, so comparisons and sorting mean the same thing on SQLite and
//! PostgreSQL, and it is written in the API as RFC 3339 with milliseconds
//! (`2025-10-20T14:00:00.000Z`).

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
pub struct Timestamp(i64);

/// Earliest and latest instants we accept: years 1 to 9999, so every value formats as a
/// four-digit-year RFC 3339 string.
const MIN_MS: i64 = -62_135_596_800_000;
const MAX_MS: i64 = 253_402_300_799_999;

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 timestamp. An offset (`Z` or `+02:00`) is required: a local time
    /// without one is ambiguous and is refused. Sub-millisecond digits are truncated.
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        let dt = DateTime::parse_from_rfc3339(s.trim()).ok()?;
        let ms = dt.timestamp_millis();
        (MIN_MS..=MAX_MS).contains(&ms).then_some(Self(ms))
    }

    /// Parses a calendar date `YYYY-MM-DD` into the half-open UTC day `[start, next start)`.
    pub fn parse_utc_day(s: &str) -> Option<(Self, Self)> {
        let s = s.trim();
        // Exactly YYYY-MM-DD: chrono alone would also accept e.g. "2025-1-5".
        if s.len() != 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
            return None;
        }
        let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        let start = Utc
            .from_utc_datetime(&date.and_hms_opt(0, 0, 0)?)
            .timestamp_millis();
        Some((Self(start), Self(start + DAY_MS)))
    }

    /// A calendar field (a due date, a start date): an RFC 3339 timestamp, or a date
    /// `YYYY-MM-DD` meaning the start of that UTC day.
    pub fn parse_date_or_time(s: &str) -> Option<Self> {
        Self::parse_rfc3339(s).or_else(|| Self::parse_utc_day(s).map(|(start, _)| start))
    }

    pub fn to_rfc3339(self) -> String {
        match DateTime::<Utc>::from_timestamp_millis(self.0) {
            Some(dt) => dt.to_rfc3339_opts(SecondsFormat::Millis, true),
            // Unreachable for values we created; never panic while serializing a response.
            None => String::from("invalid-timestamp"),
        }
    }

    pub fn plus_millis(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    pub fn plus_days(self, days: i64) -> Self {
        self.plus_millis(days * DAY_MS)
    }
}

pub const SECOND_MS: i64 = 1_000;
pub const HOUR_MS: i64 = 3_600 * SECOND_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_rfc3339(&s).ok_or_else(|| {
            serde::de::Error::custom("expected an RFC 3339 timestamp with an offset")
        })
    }
}

/// Where "now" comes from. The server uses [`SystemClock`]; tests use [`ManualClock`] to make
/// a week pass without waiting for it.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp(Utc::now().timestamp_millis())
    }
}

/// A clock that starts at the real time and then only moves when told to.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(AtomicI64::new(start.0))
    }

    pub fn starting_now() -> Self {
        Self::new(SystemClock.now())
    }

    pub fn advance_millis(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn set(&self, t: Timestamp) {
        self.0.store(t.0, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_milliseconds_in_utc() {
        let t = Timestamp::parse_rfc3339("2025-10-20T16:00:00.5+02:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-10-20T14:00:00.500Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2025-10-20T14:00:00Z")
                .unwrap()
                .to_rfc3339(),
            "2025-10-20T14:00:00.000Z"
        );
    }

    #[test]
    fn truncates_below_a_millisecond() {
        let t = Timestamp::parse_rfc3339("2025-10-20T14:00:00.123999Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-10-20T14:00:00.123Z");
    }

    #[test]
    fn refuses_timestamps_without_offset_and_garbage() {
        for bad in [
            "2025-10-20T14:00:00",
            "2025-10-20 14:00",
            "2025-10-20",
            "yesterday",
            "",
            "2025-13-01T00:00:00Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_day_is_the_whole_utc_day() {
        let (start, end) = Timestamp::parse_utc_day("2025-10-20").unwrap();
        assert_eq!(start.to_rfc3339(), "2025-10-20T00:00:00.000Z");
        assert_eq!(end.to_rfc3339(), "2025-10-21T00:00:00.000Z");
        for bad in [
            "2025-1-05",
            "2025-02-30",
            "20251020",
            "2025-10-20T00:00:00Z",
            "",
        ] {
            assert_eq!(Timestamp::parse_utc_day(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn calendar_fields_take_a_date_or_a_timestamp() {
        assert_eq!(
            Timestamp::parse_date_or_time("2025-10-20")
                .unwrap()
                .to_rfc3339(),
            "2025-10-20T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::parse_date_or_time("2025-10-20T12:30:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2025-10-20T10:30:00.000Z"
        );
        assert_eq!(Timestamp::parse_date_or_time("2025-10-20T12:30:00"), None);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(Timestamp::from_millis(1_000));
        assert_eq!(c.now().as_millis(), 1_000);
        c.advance_millis(DAY_MS);
        assert_eq!(c.now().as_millis(), 1_000 + DAY_MS);
    }
}
