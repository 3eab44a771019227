//! `Patch<T>`: a field of a partial update (`PATCH`), which may be absent (leave it), `null`
//! (clear it) or a value (set it).

use serde::{Deserialize, Deserializer};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only called when the field is present; `#[serde(default)]` covers absence.
        Ok(match Option::<T>::deserialize(d)? {
            None => Patch::Null,
            Some(v) => Patch::Value(v),
        })
    }
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// Validates/converts a present value, keeping absence and null as they are.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Patch<U>, E> {
        Ok(match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Value(v) => Patch::Value(f(v)?),
        })
    }

    /// The new value of a nullable field currently holding `current`.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Absent => current,
            Patch::Null => None,
            Patch::Value(v) => Some(v),
        }
    }
}

impl<T> Patch<Vec<T>> {
    /// A list that replaces another: absent keeps it (`None`), `null` empties it.
    pub fn replacement(self) -> Option<Vec<T>> {
        match self {
            Patch::Absent => None,
            Patch::Null => Some(vec![]),
            Patch::Value(v) => Some(v),
        }
    }
}

impl<T> Patch<Option<T>> {
    /// A value that validated to "nothing" (e.g. a blank optional text) clears the field.
    pub fn flatten(self) -> Patch<T> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null | Patch::Value(None) => Patch::Null,
            Patch::Value(Some(v)) => Patch::Value(v),
        }
    }
}

/// A required field of a partial update: absent is kept (`None`), `null` is refused with
/// `"<what> is required"`, a value is parsed.
pub fn required<T, U>(
    p: Patch<T>,
    what: &str,
    parse: impl FnOnce(T) -> Result<U, manageros_core::Invalid>,
) -> Result<Option<U>, manageros_core::Invalid> {
    match p {
        Patch::Absent => Ok(None),
        Patch::Null => Err(manageros_core::Invalid(format!("{what} is required"))),
        Patch::Value(v) => parse(v).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        a: Patch<String>,
    }

    #[test]
    fn absent_null_and_value_are_distinct() {
        let b: Body = serde_json::from_str("{}").unwrap();
        assert_eq!(b.a, Patch::Absent);
        let b: Body = serde_json::from_str(r#"{"a": null}"#).unwrap();
        assert_eq!(b.a, Patch::Null);
        let b: Body = serde_json::from_str(r#"{"a": "x"}"#).unwrap();
        assert_eq!(b.a, Patch::Value("x".into()));
        assert_eq!(Patch::Absent.apply(Some(1)), Some(1));
        assert_eq!(Patch::<i32>::Null.apply(Some(1)), None);
        assert_eq!(Patch::Value(2).apply(Some(1)), Some(2));
    }
}
