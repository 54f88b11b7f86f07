//! Money in yuan, held as an exact integer number of fen (分). Never a float.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};

/// An amount of money in yuan with two decimals, held as integer fen (1 yuan = 100 fen).
///
/// It is written as exactly two decimals (`9.99`, `10.00`) and sent as a JSON **string**, never as
/// a JSON number. It is built from integer fen ([`Amount::from_fen`]) or from a decimal string
/// ([`Amount::parse`]: `"9.99"`, `"10"`, `"1.5"`; at most two decimals, no sign, no exponent).
///
/// Through serde it accepts a string or an integer number of yuan, and refuses a number with a
/// fraction: serde hands such numbers over as `f64`, which is not exact. Gateway responses are read
/// from the raw JSON text instead, so a response's `1.5` or `1` is read exactly
/// (see [`Node::amount`](crate::api::Node::amount)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount {
    fen: i64,
}

impl Amount {
    /// Zero yuan.
    pub const ZERO: Amount = Amount { fen: 0 };

    /// From integer fen; a negative amount is refused.
    pub fn from_fen(fen: i64) -> Result<Self> {
        if fen < 0 {
            return Err(Error::field("amount", "must not be negative"));
        }
        Ok(Amount { fen })
    }

    /// The amount in fen.
    pub fn fen(self) -> i64 {
        self.fen
    }

    /// Parses a decimal number of yuan (`9.99`, `10`, `1.5`) for `field`; at most two decimals.
    pub fn parse_field(field: &str, text: &str) -> Result<Self> {
        let rule = || {
            Error::field(
                field,
                format!(
                    "must be a non-negative amount in yuan with at most two decimals, such as \"9.99\" (got `{text}`)"
                ),
            )
        };
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) if !fraction.is_empty() && fraction.len() <= 2 => (whole, fraction),
            Some(_) => return Err(rule()),
            None => (text, ""),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || !(fraction.is_empty() || all_digits(fraction)) {
            return Err(rule());
        }
        let digits = |s: &str| s.bytes().try_fold(0i64, |acc, b| acc.checked_mul(10)?.checked_add(i64::from(b - b'0')));
        let fraction_fen = digits(fraction).unwrap_or(0) * if fraction.len() == 1 { 10 } else { 1 };
        digits(whole)
            .and_then(|yuan| yuan.checked_mul(100))
            .and_then(|fen| fen.checked_add(fraction_fen))
            .map(|fen| Amount { fen })
            .ok_or_else(|| Error::field(field, format!("`{text}` is too large an amount")))
    }

    /// Parses a decimal number of yuan; errors name the field `amount`.
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_field("amount", text)
    }
}

impl FromStr for Amount {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.fen / 100, self.fen % 100)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct AmountVisitor;

        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount in yuan as a decimal string such as \"9.99\", or an integer number of yuan")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> std::result::Result<Amount, E> {
                Amount::parse(text).map_err(|e| E::custom(super::rules::rule_of(e)))
            }

            fn visit_u64<E: de::Error>(self, yuan: u64) -> std::result::Result<Amount, E> {
                i64::try_from(yuan)
                    .ok()
                    .and_then(|yuan| yuan.checked_mul(100))
                    .map(|fen| Amount { fen })
                    .ok_or_else(|| E::custom(format!("{yuan} is too large an amount")))
            }

            fn visit_i64<E: de::Error>(self, yuan: i64) -> std::result::Result<Amount, E> {
                match u64::try_from(yuan) {
                    Ok(yuan) => self.visit_u64(yuan),
                    Err(_) => Err(E::custom("must not be negative")),
                }
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Amount, E> {
                Err(E::custom(
                    "a number with a fraction is not exact; pass the amount as a decimal string such as \"9.99\"",
                ))
            }
        }

        deserializer.deserialize_any(AmountVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_two_decimals() {
        for (text, fen, shown) in [
            ("9.99", 999, "9.99"),
            ("10", 1000, "10.00"),
            ("1.5", 150, "1.50"),
            ("0.01", 1, "0.01"),
            ("007.10", 710, "7.10"),
            ("0", 0, "0.00"),
            ("92233720368547758.07", i64::MAX, "92233720368547758.07"),
        ] {
            let amount = Amount::parse(text).unwrap();
            assert_eq!(amount.fen(), fen, "{text}");
            assert_eq!(amount.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_an_exact_non_negative_amount() {
        for bad in ["", "1.", ".5", "1.999", "-1", "+1", "1e2", " 1", "1,00", "9.9.9", "NaN", "92233720368547758.08"] {
            let err = Amount::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_field", "{bad}");
            assert!(err.to_string().contains("amount"), "{bad}");
        }
        assert!(Amount::from_fen(-1).is_err());
    }

    #[test]
    fn serde_takes_strings_and_integers_and_refuses_floats() {
        assert_eq!(serde_json::from_str::<Amount>("\"9.99\"").unwrap().fen(), 999);
        assert_eq!(serde_json::from_str::<Amount>("12").unwrap().fen(), 1200);
        assert!(serde_json::from_str::<Amount>("-3").is_err());
        let err = serde_json::from_str::<Amount>("9.99").unwrap_err().to_string();
        assert!(err.contains("decimal string"), "{err}");
        assert_eq!(serde_json::to_string(&Amount::from_fen(999).unwrap()).unwrap(), "\"9.99\"");
    }
}
