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

/// What a checked field of a write does to the value it changes: `Option<T>` keeps it (`None`)
/// or sets it, `Patch<T>` keeps, clears or sets a nullable one. `validate_into!` applies each
/// field's change to the field of the same name.
pub trait Change<T> {
    fn over(self, current: &mut T);
}

impl<T> Change<T> for Option<T> {
    fn over(self, current: &mut T) {
        if let Some(v) = self {
            *current = v;
        }
    }
}

impl<T> Change<Option<T>> for Patch<T> {
    fn over(self, current: &mut Option<T>) {
        match self {
            Patch::Absent => {}
            Patch::Null => *current = None,
            Patch::Value(v) => *current = Some(v),
        }
    }
}

impl Patch<String> {
    /// A value of blanks only reads as `null`: an empty reference names nothing.
    pub fn blank_is_null(self) -> Self {
        match self {
            Patch::Value(v) if v.trim().is_empty() => Patch::Null,
            p => p,
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

/// Whole numbers as JSON writes them: `3`, and also `3.0`, which JSON (and JSON Schema's
/// `integer`) count as the same number although serde's `i64` refuses it. `3.5` stays a 400.
/// Use with `#[serde(default, deserialize_with = "whole_number::option")]` (or `::patch`).
pub mod whole_number {
    use super::Patch;
    use serde::{Deserialize, Deserializer, de};

    struct Whole(i64);

    impl<'de> Deserialize<'de> for Whole {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_i64(Visitor).map(Whole)
        }
    }

    struct Visitor;

    impl de::Visitor<'_> for Visitor {
        type Value = i64;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
            // 2^63 is exactly representable; every whole f64 below it fits an i64.
            if v.fract() == 0.0 && v >= -(2f64.powi(63)) && v < 2f64.powi(63) {
                Ok(v as i64)
            } else {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
    }

    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
    }

    pub fn patch<'de, D: Deserializer<'de>>(d: D) -> Result<Patch<i64>, D::Error> {
        Ok(match Option::<Whole>::deserialize(d)? {
            None => Patch::Null,
            Some(w) => Patch::Value(w.0),
        })
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

    #[derive(Deserialize)]
    struct Numbers {
        #[serde(default, deserialize_with = "whole_number::option")]
        o: Option<i64>,
        #[serde(default, deserialize_with = "whole_number::patch")]
        p: Patch<i64>,
    }

    #[test]
    fn whole_numbers_may_be_written_with_a_zero_fraction() {
        let n: Numbers = serde_json::from_str(r#"{"o": 3.0, "p": -2.0}"#).unwrap();
        assert_eq!((n.o, n.p), (Some(3), Patch::Value(-2)));
        let n: Numbers = serde_json::from_str(r#"{"o": null, "p": null}"#).unwrap();
        assert_eq!((n.o, n.p), (None, Patch::Null));
        let n: Numbers = serde_json::from_str("{}").unwrap();
        assert_eq!((n.o, n.p), (None, Patch::Absent));
        for bad in [
            r#"{"o": 1.5}"#,
            r#"{"p": 1e300}"#,
            r#"{"o": "3"}"#,
            r#"{"o": 18446744073709551615}"#,
        ] {
            let e = serde_json::from_str::<Numbers>(bad)
                .err()
                .expect(bad)
                .to_string();
            assert!(e.contains("expected a whole number"), "{bad}: {e}");
        }
    }
}
