//! How ManagerOS writes dates and times for a person, in one place: pages (the text a `<time>`
//! element holds before app.js restates it in the reader's own locale and zone), emails (in
//! the recipient's zone, named) and every other sentence that carries a date.
//!
//! The shape is the one a browser's medium date and short time give in English — "Dec 15,
//! 2026" and "Dec 15, 2026, 9:00 AM" — so a page reads the same with or without app.js, and
//! an email the same as the page it links to. Machine-readable forms stay RFC 3339 (the API,
//! a `<time datetime>`, a CSV's ISO 8601 column).

use crate::{Timestamp, recurrence};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar day: "Dec 15, 2026".
pub fn date(d: NaiveDate) -> String {
    format!("{} {}, {}", MONTHS[d.month0() as usize], d.day(), d.year())
}

/// The calendar day of a date-only value (a due date, a campaign's end), stored as its UTC
/// midnight: "Dec 15, 2026".
pub fn day(t: Timestamp) -> String {
    date(recurrence::local(recurrence::Tz::UTC, t).date())
}

/// A time of day: "9:00 AM".
pub fn time(t: NaiveTime) -> String {
    let (pm, hour) = t.hour12();
    format!(
        "{}:{:02} {}",
        hour,
        t.minute(),
        if pm { "PM" } else { "AM" }
    )
}

/// A local date and time: "Dec 15, 2026, 9:00 AM".
pub fn local(at: NaiveDateTime) -> String {
    format!("{}, {}", date(at.date()), time(at.time()))
}

/// An instant in a person's zone, named: "Tue, Dec 15, 2026, 9:00 AM (Europe/Paris)"; in UTC
/// for someone who has not chosen a zone (or whose zone is unknown).
pub fn instant(t: Timestamp, zone: Option<&str>) -> String {
    let tz = zone
        .and_then(recurrence::parse_tz)
        .unwrap_or(recurrence::Tz::UTC);
    let at = recurrence::local(tz, t);
    format!("{}, {} ({})", at.weekday(), local(at), tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shape_for_days_and_instants() {
        let t = Timestamp::parse_rfc3339("2026-12-15T08:05:00Z").unwrap();
        assert_eq!(day(t), "Dec 15, 2026");
        assert_eq!(
            instant(t, Some("Europe/Paris")),
            "Tue, Dec 15, 2026, 9:05 AM (Europe/Paris)"
        );
        assert_eq!(instant(t, None), "Tue, Dec 15, 2026, 8:05 AM (UTC)");
        assert_eq!(
            instant(t, Some("America/Los_Angeles")),
            "Tue, Dec 15, 2026, 12:05 AM (America/Los_Angeles)"
        );
        let noon = Timestamp::parse_rfc3339("2026-01-02T12:30:00Z").unwrap();
        assert_eq!(
            instant(noon, Some("nowhere")),
            "Fri, Jan 2, 2026, 12:30 PM (UTC)"
        );
    }
}
