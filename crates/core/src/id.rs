//! Opaque, prefixed identifiers (`user_…`, `task_…`).
//!
//! An id is a type prefix, an underscore and a UUIDv7 written in lowercase base32hex
//! (26 characters). base32hex keeps the byte order, so ids sort by creation time, which keeps
//! B-tree inserts local; the 74 random bits of a v7 UUID keep them unguessable.
//! Parsing only checks the shape: a well-formed id that does not exist is "not found" like
//! any other.

use data_encoding::{BASE32HEX_NOPAD, Encoding};
use std::sync::LazyLock;

/// Lowercase base32hex without padding.
#[allow(
    clippy::expect_used,
    reason = "a constant alphabet, checked by every test"
)]
static LOWER_BASE32HEX: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = BASE32HEX_NOPAD.specification();
    spec.symbols = "0123456789abcdefghijklmnopqrstuv".to_owned();
    spec.encoding().expect("a valid base32hex alphabet")
});

const BODY_LEN: usize = 26;

fn new_body() -> String {
    LOWER_BASE32HEX.encode(uuid::Uuid::now_v7().as_bytes())
}

fn has_shape(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|body| {
            body.len() == BODY_LEN && body.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'v'))
        })
}

macro_rules! define_ids {
    ($($(#[$doc:meta])* $name:ident => $prefix:literal),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The type prefix of this kind of id.
            pub const PREFIX: &'static str = $prefix;

            /// A fresh, unguessable id.
            pub fn generate() -> Self {
                Self(format!("{}_{}", $prefix, new_body()))
            }

            /// Accepts only a string of this id's shape; anything else is `None`.
            pub fn parse(s: &str) -> Option<Self> {
                has_shape(s, $prefix).then(|| Self(s.to_owned()))
            }

            /// Wraps a value read back from the database, where only valid ids are stored.
            pub fn from_db(s: String) -> Self {
                debug_assert!(has_shape(&s, $prefix), "malformed {} in the database: {s}", $prefix);
                Self(s)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

define_ids! {
    UserId => "user",
    OrgId => "org",
    PersonId => "person",
    TeamId => "team",
    InvitationId => "inv",
    OneOnOneId => "oneonone",
    TaskId => "task",
    InitiativeId => "initiative",
    MeetingId => "meeting",
    MeetingInstanceId => "meetinginst",
    FeedbackId => "feedback",
    CampaignId => "campaign",
    ReportId => "report",
    /// Sessions and one-time tokens have ids too; they never appear in the API.
    SessionId => "session",
    TokenId => "token",
    AccessLogId => "access",
    CampaignResponseId => "response",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_are_unique() {
        let a = TaskId::generate();
        let b = TaskId::generate();
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("task_"));
        assert_eq!(a.as_str().len(), "task_".len() + BODY_LEN);
        assert_eq!(TaskId::parse(a.as_str()), Some(a));
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let ids: Vec<_> = (0..50).map(|_| PersonId::generate()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        // UUIDv7 is monotonic within a process, and base32hex preserves byte order.
        assert_eq!(ids, sorted);
    }

    #[test]
    fn wrong_shapes_are_rejected() {
        let good = UserId::generate();
        let body = &good.as_str()["user_".len()..];
        for bad in [
            "",
            "user_",
            body,
            &format!("task_{body}"),
            &format!("user_{}", &body[1..]),
            &format!("user_{body}0"),
            &format!("user_{}", body.to_uppercase()),
            &format!("user-{body}"),
            &format!("user_{}w", &body[1..]),
            "user_' OR 1=1 --",
        ] {
            assert_eq!(UserId::parse(bad), None, "{bad:?} should not parse");
        }
        // A prefix that is a prefix of another must not match it ("meeting" vs "meetinginst").
        let inst = MeetingInstanceId::generate();
        assert_eq!(MeetingId::parse(inst.as_str()), None);
    }
}
