//! The field rules the request models share, and serde helpers for their field types.
//!
//! Lengths are counted the way the gateway (a Java service) counts them: in UTF-16 code units,
//! which is one per character for every character of the Basic Multilingual Plane (Chinese text
//! included) and two for a character outside it, such as an emoji. Never in UTF-8 bytes.

use serde::{Deserialize, Deserializer, Serializer};

use crate::error::{Error, Result};
use crate::time::BeijingDateTime;

/// The length of `value` as the gateway counts it (UTF-16 code units).
pub(crate) fn length(value: &str) -> usize {
    value.encode_utf16().count()
}

/// A required text field: present (not empty) and at most `max` characters.
pub(crate) fn required(field: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() {
        return Err(Error::field(field, "is required"));
    }
    max_length(field, value, max)
}

/// An optional text field: absent, or not empty and at most `max` characters.
pub(crate) fn optional(field: &str, value: Option<&str>, max: usize) -> Result<()> {
    match value {
        None => Ok(()),
        Some("") => Err(Error::field(field, "must not be empty when given (leave it out instead)")),
        Some(value) => max_length(field, value, max),
    }
}

fn max_length(field: &str, value: &str, max: usize) -> Result<()> {
    let length = length(value);
    if length > max {
        return Err(Error::field(field, format!("must be at most {max} characters (got {length})")));
    }
    Ok(())
}

/// The rule of an [`Error::InvalidField`] (for serde, whose caller names the field), else the message.
pub(crate) fn rule_of(error: Error) -> String {
    match error {
        Error::InvalidField { rule, .. } => rule,
        other => other.to_string(),
    }
}

/// Only ASCII letters and digits.
pub(crate) fn letters_and_digits(field: &str, value: &str) -> Result<()> {
    if value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Error::field(field, "must contain only ASCII letters and digits"))
    }
}

/// Only ASCII digits.
pub(crate) fn digits(field: &str, value: &str) -> Result<()> {
    if value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::field(field, "must contain only ASCII digits"))
    }
}

/// Serde for `gmt_biz`: an optional `BeijingDateTime` as `yyyy-MM-dd HH:mm:ss` text.
pub(crate) mod gmt_biz {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<BeijingDateTime>,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        optional_date_time(value, serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Option<BeijingDateTime>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => {
                BeijingDateTime::parse("gmt_biz", &text).map(Some).map_err(|e| serde::de::Error::custom(rule_of(e)))
            }
        }
    }
}

/// Serde for `BeijingDateTime` as `yyyy-MM-dd HH:mm:ss` text (serializing only: responses are read
/// by [`Node`](super::Node)).
pub(crate) fn date_time<S: Serializer>(value: &BeijingDateTime, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// [`date_time`] for an optional field: `None` is `null`.
pub(crate) fn optional_date_time<S: Serializer>(
    value: &Option<BeijingDateTime>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

/// Deserializes a text field that callers may also give as an unsigned integer (e.g. `quantity`).
pub(crate) fn string_or_unsigned<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<String, D::Error> {
    struct TextVisitor;

    impl serde::de::Visitor<'_> for TextVisitor {
        type Value = String;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string or a non-negative integer")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> std::result::Result<String, E> {
            Ok(text.to_owned())
        }

        fn visit_u64<E: serde::de::Error>(self, number: u64) -> std::result::Result<String, E> {
            Ok(number.to_string())
        }

        fn visit_i64<E: serde::de::Error>(self, number: i64) -> std::result::Result<String, E> {
            u64::try_from(number).map(|n| n.to_string()).map_err(|_| E::custom("must not be negative"))
        }
    }

    deserializer.deserialize_any(TextVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_as_utf16_units_not_bytes() {
        assert_eq!(length("abc"), 3);
        assert_eq!(length("优酷3个月兑换券"), 8);
        assert_eq!(length("😀"), 2);
        assert!(required("memo", &"优".repeat(128), 128).is_ok());
        assert!(required("memo", &"优".repeat(129), 128).is_err());
    }
}
