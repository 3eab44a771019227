//! Validated domain values ("parse, don't validate"): each can only be built through `parse`,
//! which returns the message shown to the user when the input is not acceptable.

use std::fmt;

/// Why a value was refused: a sentence meant for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

/// An email address, trimmed and lowercased (the form in which it is stored and compared).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim().to_lowercase();
        let invalid = || Invalid::new("Invalid email address");
        if s.is_empty() {
            return Err(Invalid::new("Email is required"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(invalid());
        }
        let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(s))
        } else {
            Err(invalid())
        }
    }

    /// Wraps a value read back from the database, where only parsed emails are stored.
    pub fn from_db(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password: 8 to 128 characters, kept exactly as typed.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let n = raw.chars().count();
        if n < 8 {
            Err(Invalid::new("Password must be at least 8 characters"))
        } else if n > 128 {
            Err(Invalid::new("Password must be at most 128 characters"))
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Trims `raw` and checks it is between `min` and `max` characters with no control
/// characters. `what` names the field in the message ("Name", "Title"…).
pub fn bounded_text(raw: &str, what: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 && min > 0 {
        return Err(Invalid(format!("{what} is required")));
    }
    if n < min {
        return Err(Invalid(format!("{what} must be at least {min} characters")));
    }
    if n > max {
        return Err(Invalid(format!("{what} must be at most {max} characters")));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(s.to_owned())
}

/// The Unicode bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069): in a name or a title they reorder what a page or an email shows around
/// them ("Invoice U+202E fdp.exe"), so one-line fields refuse them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A single line of text (a name, a title, a job title): [`bounded_text`] that also refuses
/// line breaks and tabs. Such text ends up in emails' subjects and bodies, in page titles
/// and in one-line table cells, where a line break is never meant and can forge content.
pub fn single_line(raw: &str, what: &str, min: usize, max: usize) -> Result<String, Invalid> {
    if raw.chars().any(is_bidi_control) {
        return Err(Invalid(format!(
            "{what} must not contain text-direction control characters"
        )));
    }
    if raw
        .trim()
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
    {
        return Err(Invalid(format!(
            "{what} must be a single line, without line breaks, tabs or control characters"
        )));
    }
    bounded_text(raw, what, min, max)
}

/// Free text that may be long (notes, descriptions): not trimmed, only capped.
pub fn long_text(raw: &str, what: &str, max: usize) -> Result<String, Invalid> {
    if raw.chars().count() > max {
        return Err(Invalid(format!("{what} must be at most {max} characters")));
    }
    // Line breaks and tabs are text; other control characters (NUL, which PostgreSQL cannot
    // store in text, among them) are not.
    if raw
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(raw.to_owned())
}

/// A display name of a person, user, team or organization: 1 to 100 characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        single_line(raw, "Name", 1, 100).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// An organization slug: 2 to 50 characters of `[a-z0-9-]`, with no leading, trailing or
/// doubled hyphen.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw;
        if s.is_empty() {
            return Err(Invalid::new("Slug is required"));
        }
        if !(2..=50).contains(&s.len()) {
            return Err(Invalid::new("Slug must be 2 to 50 characters"));
        }
        if !s
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
        {
            return Err(Invalid::new(
                "Slug may only contain lowercase letters, digits and hyphens",
            ));
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(Invalid::new(
                "Slug must not start or end with a hyphen or contain two in a row",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Declares a closed set of string values with its wire/database spelling.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? } unknown $least:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
        #[cfg_attr(feature = "sea-orm", sea_orm(value_type = "String"))]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<Self, Invalid> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(Invalid(format!(
                        concat!($what, " must be one of: {}"),
                        [$($text),+].join(", ")
                    ))),
                }
            }

            /// What an unknown stored value reads as: the least privileged value, never the
            /// first one declared (for `Role`, that was Admin).
            pub const UNKNOWN: $name = $name::$least;

            /// Reads a value the database holds. Only valid values are written, and the
            /// column's CHECK constraint (m0017) refuses others; should one be there anyway, it
            /// fails closed: [`Self::UNKNOWN`], and an error in the log.
            pub fn from_db(s: &str) -> Self {
                match Self::parse(s) {
                    Ok(v) => v,
                    Err(_) => {
                        tracing::error!(value = s, read_as = Self::UNKNOWN.as_str(), concat!("unknown ", stringify!($name), " in the database"));
                        Self::UNKNOWN
                    }
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Invalid;
            fn from_str(s: &str) -> Result<Self, Invalid> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// A user's role in their organization.
    Role, "Role" { Admin => "ADMIN", User => "USER" } unknown User
);
string_enum!(
    /// The stored state of an invitation; `expired` is derived from `expiresAt` when read.
    InvitationStatus, "Status" {
        Pending => "pending", Accepted => "accepted", Revoked => "revoked", Expired => "expired"
    } unknown Revoked
);
string_enum!(PersonStatus, "Status" {
    Active => "active", Inactive => "inactive", OnLeave => "on_leave"
} unknown Inactive);
string_enum!(TaskStatus, "Status" {
    Todo => "todo", Doing => "doing", Blocked => "blocked", Done => "done", Dropped => "dropped"
} unknown Todo);
string_enum!(InitiativeStatus, "Status" {
    Planned => "planned", InProgress => "in_progress", Paused => "paused", Done => "done",
    Canceled => "canceled"
} unknown Planned);
string_enum!(Rag, "Rag" { Green => "green", Amber => "amber", Red => "red" } unknown Red);
string_enum!(FeedbackKind, "Kind" { Praise => "praise", Concern => "concern", Note => "note" } unknown Note);
string_enum!(CampaignStatus, "Status" {
    Draft => "draft", Active => "active", Completed => "completed", Cancelled => "cancelled"
} unknown Cancelled);
string_enum!(ReportKind, "Kind" {
    OneOnOneCadence => "oneonone-cadence", TaskStatus => "task-status"
} unknown TaskStatus);
string_enum!(
    /// How often a pair means to meet.
    Cadence, "Cadence" { Weekly => "weekly", Biweekly => "every-two-weeks", Monthly => "monthly" } unknown Monthly
);

impl Cadence {
    /// How the page says it.
    pub const fn label(self) -> &'static str {
        match self {
            Cadence::Weekly => "Weekly",
            Cadence::Biweekly => "Every two weeks",
            Cadence::Monthly => "Monthly",
        }
    }

    /// The days between two one-on-ones (a month counts as 30: the proposal is a date to
    /// confirm, and the cadence report's "overdue" needs one number).
    pub const fn days(self) -> i64 {
        match self {
            Cadence::Weekly => 7,
            Cadence::Biweekly => 14,
            Cadence::Monthly => 30,
        }
    }

    /// The next date the cadence proposes after the pair's last one-on-one, at the same time
    /// of day: the first step past `last` that is not before `now`, so a pair that skipped a
    /// week is offered the next slot, not one in the past. `None` when they never met.
    pub fn propose(
        self,
        last: Option<crate::Timestamp>,
        now: crate::Timestamp,
    ) -> Option<crate::Timestamp> {
        let last = last?;
        let step = self.days() * 86_400_000;
        let behind = now.as_millis() - last.as_millis();
        let steps = if behind <= 0 {
            1
        } else {
            (behind + step - 1) / step
        };
        Some(last.plus_millis(steps * step))
    }

    /// Whether a pair whose last one-on-one was `last` is overdue at `now`: more than the
    /// cadence (and a grace of half a week) has passed, and nothing is scheduled.
    pub fn overdue(
        self,
        last: Option<crate::Timestamp>,
        next: Option<crate::Timestamp>,
        now: crate::Timestamp,
    ) -> bool {
        const HOUR: i64 = 3_600_000;
        let limit = (self.days() * 24 + 84) * HOUR;
        next.is_none() && last.is_some_and(|l| now.as_millis() - l.as_millis() > limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadences_propose_the_next_slot_after_now() {
        let day = 86_400_000;
        let last = crate::Timestamp::from_millis(1_000 * day);
        let now = crate::Timestamp::from_millis(1_002 * day);
        assert_eq!(
            Cadence::Weekly.propose(Some(last), now),
            Some(last.plus_millis(7 * day))
        );
        // Three weeks behind: the next weekly slot after now, not one in the past.
        let late = crate::Timestamp::from_millis(1_022 * day);
        assert_eq!(
            Cadence::Weekly.propose(Some(last), late),
            Some(last.plus_millis(28 * day))
        );
        assert_eq!(Cadence::Monthly.propose(None, now), None);
        assert!(!Cadence::Weekly.overdue(
            Some(last),
            None,
            crate::Timestamp::from_millis(1_010 * day)
        ));
        assert!(Cadence::Weekly.overdue(
            Some(last),
            None,
            crate::Timestamp::from_millis(1_011 * day)
        ));
        assert!(!Cadence::Weekly.overdue(Some(last), Some(late), late));
        assert_eq!(Cadence::parse("every-two-weeks"), Ok(Cadence::Biweekly));
        assert!(Cadence::parse("daily").is_err());
    }

    #[test]
    fn an_unknown_stored_value_reads_as_the_least_privileged_one() {
        assert_eq!(Role::from_db("SUPERUSER"), Role::User);
        assert_eq!(
            Role::from_db("admin"),
            Role::User,
            "the stored case is exact"
        );
        assert_eq!(Role::from_db("ADMIN"), Role::Admin);
        assert_eq!(InvitationStatus::from_db(""), InvitationStatus::Revoked);
        assert_eq!(PersonStatus::from_db("gone"), PersonStatus::Inactive);
    }

    #[test]
    fn single_lines_refuse_line_breaks_and_controls() {
        assert_eq!(single_line("  Acme  ", "Name", 1, 100).unwrap(), "Acme");
        for bad in ["Acme\r\nLocked", "A\tB", "A\u{2028}B", "A\u{7}B", "A\nB"] {
            let e = single_line(bad, "Name", 1, 100).unwrap_err();
            assert!(
                e.0.starts_with("Name must be a single line"),
                "{bad:?}: {}",
                e.0
            );
        }
        assert!(Name::parse("Ada\nLovelace").is_err());
        assert!(bounded_text("Line one\nLine two", "Description", 1, 100).is_ok());
        assert!(long_text("Notes\n\twith tabs", "Notes", 100).is_ok());
        assert!(long_text("a\u{0}b", "Notes", 100).is_err());
    }

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        assert_eq!(
            Email::parse("a.b+tag@sub.example.org").unwrap().as_str(),
            "a.b+tag@sub.example.org"
        );
    }

    #[test]
    fn bad_emails_are_refused() {
        for bad in [
            "",
            "   ",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            ".a@b.com",
            "a.@b.com",
            "a..b@c.com",
            "a@-b.com",
            "a@b-.com",
            "a@b.com\nx@y.com",
            "a@b.com>",
            "<a@b.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long_local).is_err());
        let too_long = format!("a@{}.com", "b".repeat(250));
        assert!(Email::parse(&too_long).is_err());
    }

    #[test]
    fn password_bounds_count_characters() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"é".repeat(128)).is_ok());
        assert!(Password::parse(&"é".repeat(129)).is_err());
        // Not trimmed: spaces are part of a password.
        assert_eq!(Password::parse("  pass  w").unwrap().expose(), "  pass  w");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            Name::parse("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse(&"x".repeat(100)).is_ok());
        assert!(Name::parse(&"x".repeat(101)).is_err());
        assert!(Name::parse("bell\u{7}").is_err());
    }

    #[test]
    fn slugs() {
        for good in ["ab", "acme-corp", "a1-b2-c3", &"a".repeat(50)] {
            assert!(Slug::parse(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "a",
            "-acme",
            "acme-",
            "ac--me",
            "Acme",
            "acme corp",
            "acme_corp",
            "ácme",
            &"a".repeat(51),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn string_enums_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(*r));
        }
        assert_eq!(
            Role::parse("admin").unwrap_err().0,
            "Role must be one of: ADMIN, USER"
        );
        assert_eq!(PersonStatus::parse("on_leave"), Ok(PersonStatus::OnLeave));
    }
}

string_enum!(
    /// A kind of email a user may choose to get (docs/API.md §3): each has its own
    /// unsubscribe link.
    NotificationKind, "Notification" {
        Reminder => "reminder", Assigned => "assigned", Handoff => "handoff",
        Campaign => "campaign", Meeting => "meeting", Digest => "digest"
    } unknown Digest
);

impl NotificationKind {
    /// Whether a user who never chose gets it: all but the weekly digest.
    pub const fn on_by_default(self) -> bool {
        !matches!(self, NotificationKind::Digest)
    }

    /// What it is, as My account lists it.
    pub const fn label(self) -> &'static str {
        match self {
            NotificationKind::Reminder => "Reminders of your one-on-ones, with the agenda so far",
            NotificationKind::Assigned => "An action item or task assigned to you",
            NotificationKind::Handoff => "A handoff waiting for you after a change of manager",
            NotificationKind::Campaign => {
                "A feedback campaign you started reaching its minimum of answers"
            }
            NotificationKind::Meeting => "A meeting you were added to",
            NotificationKind::Digest => {
                "A weekly digest on Monday morning: the week's one-on-ones, your open action items, overdue tasks"
            }
        }
    }

    /// How an unsubscribe page names it.
    pub const fn short(self) -> &'static str {
        match self {
            NotificationKind::Reminder => "one-on-one reminders",
            NotificationKind::Assigned => "assignment emails",
            NotificationKind::Handoff => "handoff emails",
            NotificationKind::Campaign => "campaign emails",
            NotificationKind::Meeting => "meeting emails",
            NotificationKind::Digest => "the weekly digest",
        }
    }
}
