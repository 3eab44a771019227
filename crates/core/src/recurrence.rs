//! Recurring one-on-ones: when a series' occurrences fall.
//!
//! A rule is a cadence (weekly, every two weeks, monthly), a first date, a local time in a
//! named time zone (the IANA database, through `chrono-tz`) and an optional last date. Every
//! occurrence is at the same *local* time, so a weekly 10:00 in Paris stays at 10:00 across
//! daylight-saving changes (its UTC instant moves by an hour). A monthly series repeats on the
//! same weekday of the same week of the month as its first date ("the first Tuesday"); a
//! first date in the last days of its month (the 29th or later) means "the last Tuesday".
//!
//! Local times that do not exist (the hour skipped when clocks go forward) are taken forward
//! by the length of the gap; local times that happen twice (when clocks go back) are the
//! first of the two. Both are RFC 5545's rules, so a calendar application that reads our
//! `RRULE` finds the same instants.

use crate::{Cadence, Timestamp};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
pub use chrono_tz::Tz;

/// The longest a one-on-one may last, and the default.
pub const MAX_DURATION_MINUTES: i64 = 8 * 60;
pub const DEFAULT_DURATION_MINUTES: i64 = 30;

/// Which week of the month a monthly series keeps: the first to the fourth, or the last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeekOfMonth {
    Nth(u8),
    Last,
}

impl WeekOfMonth {
    /// The week of the month `date` falls in, as a monthly rule keeps it.
    pub fn of(date: NaiveDate) -> Self {
        match (date.day() - 1) / 7 + 1 {
            n @ 1..=4 => Self::Nth(n as u8),
            _ => Self::Last,
        }
    }

    /// As RFC 5545's `BYDAY` prefix: `1`…`4` or `-1`.
    pub fn ordinal(self) -> i8 {
        match self {
            Self::Nth(n) => n as i8,
            Self::Last => -1,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Nth(1) => "first",
            Self::Nth(2) => "second",
            Self::Nth(3) => "third",
            Self::Nth(_) => "fourth",
            Self::Last => "last",
        }
    }

    /// The `weekday` of this week in the month of `(year, month)`.
    fn in_month(self, year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
        match self {
            Self::Nth(n) => NaiveDate::from_weekday_of_month_opt(year, month, weekday, n),
            Self::Last => {
                let (ny, nm) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                let mut d = NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()?;
                while d.weekday() != weekday {
                    d = d.pred_opt()?;
                }
                Some(d)
            }
        }
    }
}

/// When a series' one-on-ones take place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub cadence: Cadence,
    /// The date of the first occurrence (its weekday is every occurrence's weekday).
    pub starts_on: NaiveDate,
    pub time: NaiveTime,
    pub tz: Tz,
    /// The last date an occurrence may fall on (inclusive).
    pub ends_on: Option<NaiveDate>,
}

/// The instant a local date and time names in `tz` (see the module's rules for gaps and
/// repeats).
pub fn instant(tz: Tz, local: NaiveDateTime) -> Timestamp {
    let at = match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(first, _) => first,
        LocalResult::None => {
            // In a gap: the offset before it applies, which lands as far after the gap as the
            // local time was into it. Gaps are at most a day long anywhere.
            let before = tz.offset_from_utc_datetime(&(local - Duration::days(1)));
            let utc = local - Duration::seconds(i64::from(offset_seconds(&before)));
            return Timestamp::from_millis(utc.and_utc().timestamp_millis());
        }
    };
    Timestamp::from_millis(at.timestamp_millis())
}

fn offset_seconds(o: &<Tz as TimeZone>::Offset) -> i32 {
    use chrono::Offset;
    o.fix().local_minus_utc()
}

/// The local date and time of an instant in `tz`.
pub fn local(tz: Tz, t: Timestamp) -> NaiveDateTime {
    let utc = DateTime::<Utc>::from_timestamp_millis(t.as_millis()).unwrap_or_default();
    utc.with_timezone(&tz).naive_local()
}

impl Rule {
    /// The date of the occurrence number `n` (0 is the first), before `ends_on` is applied.
    fn date(&self, n: u32) -> Option<NaiveDate> {
        match self.cadence {
            Cadence::Weekly => self
                .starts_on
                .checked_add_signed(Duration::weeks(i64::from(n))),
            Cadence::Biweekly => self
                .starts_on
                .checked_add_signed(Duration::weeks(2 * i64::from(n))),
            Cadence::Monthly => {
                let months = self.starts_on.year() * 12 + self.starts_on.month0() as i32;
                let m = months.checked_add(i32::try_from(n).ok()?)?;
                WeekOfMonth::of(self.starts_on).in_month(
                    m.div_euclid(12),
                    m.rem_euclid(12) as u32 + 1,
                    self.starts_on.weekday(),
                )
            }
        }
    }

    /// The number of an occurrence at most one step before `from` (0 when `from` is before
    /// the first).
    fn index_near(&self, from: Timestamp) -> u32 {
        let d = local(self.tz, from).date();
        let s = self.starts_on;
        if d <= s {
            return 0;
        }
        let steps = match self.cadence {
            Cadence::Weekly => (d - s).num_days() / 7,
            Cadence::Biweekly => (d - s).num_days() / 14,
            Cadence::Monthly => {
                i64::from((d.year() * 12 + d.month0() as i32) - (s.year() * 12 + s.month0() as i32))
            }
        };
        u32::try_from(steps - 1).unwrap_or(0)
    }

    /// The start of every occurrence in `[from, to)`, in order.
    pub fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<Timestamp> {
        let mut out = Vec::new();
        // From an occurrence just before `from` (however long the series has run), and at
        // most ten years of weekly occurrences: bounded, whatever window is asked for.
        let first = self.index_near(from);
        for n in first..first.saturating_add(530) {
            let Some(date) = self.date(n) else { break };
            if self.ends_on.is_some_and(|end| date > end) {
                break;
            }
            let at = instant(self.tz, date.and_time(self.time));
            if at >= to {
                break;
            }
            if at >= from {
                out.push(at);
            }
        }
        out
    }

    /// Whether `t` is the start of one of this rule's occurrences.
    pub fn has(&self, t: Timestamp) -> bool {
        self.occurrences(t, t.plus_millis(1)).contains(&t)
    }

    /// The rule as RFC 5545's `RRULE` value (with `DTSTART` in the series' time zone).
    pub fn rrule(&self) -> String {
        let day = match self.starts_on.weekday() {
            Weekday::Mon => "MO",
            Weekday::Tue => "TU",
            Weekday::Wed => "WE",
            Weekday::Thu => "TH",
            Weekday::Fri => "FR",
            Weekday::Sat => "SA",
            Weekday::Sun => "SU",
        };
        let mut r = match self.cadence {
            Cadence::Weekly => format!("FREQ=WEEKLY;BYDAY={day}"),
            Cadence::Biweekly => format!("FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"),
            Cadence::Monthly => format!(
                "FREQ=MONTHLY;BYDAY={}{day}",
                WeekOfMonth::of(self.starts_on).ordinal()
            ),
        };
        if let Some(end) = self.ends_on {
            // UNTIL is inclusive and, with a zoned DTSTART, in UTC: the end of the last day.
            let next_day = end.succ_opt().unwrap_or(end);
            let last = instant(self.tz, next_day.and_time(NaiveTime::MIN)).plus_millis(-1000);
            let utc = DateTime::<Utc>::from_timestamp_millis(last.as_millis()).unwrap_or_default();
            r.push_str(&format!(";UNTIL={}", utc.format("%Y%m%dT%H%M%SZ")));
        }
        r
    }

    /// How a page says it: "Weekly on Tuesday at 10:00 AM (Europe/Paris)".
    pub fn describe(&self) -> String {
        let day = weekday_name(self.starts_on.weekday());
        let time = crate::display::time(self.time);
        let tz = self.tz.name();
        match self.cadence {
            Cadence::Weekly => format!("Weekly on {day} at {time} ({tz})"),
            Cadence::Biweekly => format!("Every two weeks on {day} at {time} ({tz})"),
            Cadence::Monthly => format!(
                "Monthly on the {} {day} at {time} ({tz})",
                WeekOfMonth::of(self.starts_on).label()
            ),
        }
    }
}

pub fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// A named time zone of the IANA database (`Europe/Paris`, `UTC`), or `None`.
pub fn parse_tz(s: &str) -> Option<Tz> {
    s.trim().parse::<Tz>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn rule(cadence: Cadence, starts: &str, time: &str, tz: &str) -> Rule {
        Rule {
            cadence,
            starts_on: date(starts),
            time: NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
            tz: parse_tz(tz).unwrap(),
            ends_on: None,
        }
    }

    #[test]
    fn weekly_keeps_the_local_time_across_both_dst_changes() {
        // Paris leaves summer time on 2026-10-25 and enters it on 2027-03-28.
        let r = rule(Cadence::Weekly, "2026-10-20", "10:00", "Europe/Paris");
        let got = r.occurrences(ts("2026-10-01T00:00:00Z"), ts("2026-11-04T00:00:00Z"));
        assert_eq!(
            got,
            vec![
                ts("2026-10-20T08:00:00Z"),
                ts("2026-10-27T09:00:00Z"),
                ts("2026-11-03T09:00:00Z")
            ]
        );
        let spring = r.occurrences(ts("2027-03-20T00:00:00Z"), ts("2027-04-01T00:00:00Z"));
        assert_eq!(
            spring,
            vec![ts("2027-03-23T09:00:00Z"), ts("2027-03-30T08:00:00Z")]
        );
        assert!(r.has(ts("2026-10-27T09:00:00Z")));
        assert!(!r.has(ts("2026-10-27T08:00:00Z")));
    }

    #[test]
    fn times_in_a_gap_move_forward_and_repeated_times_take_the_first() {
        let paris = parse_tz("Europe/Paris").unwrap();
        // 02:30 does not exist on 2027-03-28 in Paris: 03:30 summer time.
        assert_eq!(
            instant(paris, date("2027-03-28").and_hms_opt(2, 30, 0).unwrap()),
            ts("2027-03-28T01:30:00Z")
        );
        // 02:30 happens twice on 2026-10-25: the first, still summer time.
        assert_eq!(
            instant(paris, date("2026-10-25").and_hms_opt(2, 30, 0).unwrap()),
            ts("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn every_two_weeks_and_an_end() {
        let mut r = rule(Cadence::Biweekly, "2026-12-07", "09:30", "America/New_York");
        r.ends_on = Some(date("2027-01-04"));
        let got = r.occurrences(ts("2026-01-01T00:00:00Z"), ts("2028-01-01T00:00:00Z"));
        assert_eq!(
            got,
            vec![
                ts("2026-12-07T14:30:00Z"),
                ts("2026-12-21T14:30:00Z"),
                ts("2027-01-04T14:30:00Z")
            ]
        );
        assert_eq!(
            r.rrule(),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;UNTIL=20270105T045959Z"
        );
    }

    #[test]
    fn monthly_keeps_the_weekday_of_the_week() {
        // 2026-12-01 is the first Tuesday of December.
        let r = rule(Cadence::Monthly, "2026-12-01", "15:00", "UTC");
        let got = r.occurrences(ts("2026-12-01T00:00:00Z"), ts("2027-04-01T00:00:00Z"));
        assert_eq!(
            got,
            vec![
                ts("2026-12-01T15:00:00Z"),
                ts("2027-01-05T15:00:00Z"),
                ts("2027-02-02T15:00:00Z"),
                ts("2027-03-02T15:00:00Z")
            ]
        );
        assert_eq!(r.rrule(), "FREQ=MONTHLY;BYDAY=1TU");
        assert_eq!(
            r.describe(),
            "Monthly on the first Tuesday at 3:00 PM (UTC)"
        );
        // The 30th of December 2026 is a Wednesday in the last week: the last Wednesday.
        let last = rule(Cadence::Monthly, "2026-12-30", "15:00", "UTC");
        let got = last.occurrences(ts("2026-12-01T00:00:00Z"), ts("2027-03-01T00:00:00Z"));
        assert_eq!(
            got,
            vec![
                ts("2026-12-30T15:00:00Z"),
                ts("2027-01-27T15:00:00Z"),
                ts("2027-02-24T15:00:00Z")
            ]
        );
        assert_eq!(last.rrule(), "FREQ=MONTHLY;BYDAY=-1WE");
    }

    #[test]
    fn a_series_goes_on_for_decades() {
        let r = rule(Cadence::Weekly, "2026-12-01", "09:00", "UTC");
        let later = r.occurrences(ts("2046-12-01T00:00:00Z"), ts("2046-12-15T00:00:00Z"));
        assert_eq!(
            later,
            vec![ts("2046-12-04T09:00:00Z"), ts("2046-12-11T09:00:00Z")]
        );
        let m = rule(Cadence::Monthly, "2026-12-01", "09:00", "UTC");
        assert_eq!(
            m.occurrences(ts("2056-06-01T00:00:00Z"), ts("2056-07-01T00:00:00Z")),
            vec![ts("2056-06-06T09:00:00Z")]
        );
    }

    #[test]
    fn only_named_zones() {
        assert!(parse_tz("Europe/Paris").is_some());
        assert!(parse_tz("Mars/Olympus").is_none());
        assert!(parse_tz("").is_none());
    }
}
