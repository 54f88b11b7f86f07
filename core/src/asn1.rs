//! The DER that certificates and RSA keys are made of: a strict reader (definite, minimal lengths;
//! single-byte tags; minimal non-negative integers) and the few encoders a public key needs.
//!
//! Written here rather than taken from the `der` and `x509-cert` crates: their generic decoders were
//! a tenth of the WebAssembly module, for the handful of structures read below.

use std::fmt;

use crate::time::Timestamp;

pub(crate) const BOOLEAN: u8 = 0x01;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const UTF8_STRING: u8 = 0x0c;
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
pub(crate) const TELETEX_STRING: u8 = 0x14;
pub(crate) const IA5_STRING: u8 = 0x16;
pub(crate) const UTC_TIME: u8 = 0x17;
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
pub(crate) const BMP_STRING: u8 = 0x1e;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;

/// Context-specific tag `[n]`, constructed (EXPLICIT, or IMPLICIT over a constructed type).
pub(crate) const fn explicit(n: u8) -> u8 {
    0xa0 | n
}

/// Context-specific tag `[n]`, primitive (IMPLICIT over a primitive type).
pub(crate) const fn implicit(n: u8) -> u8 {
    0x80 | n
}

/// The DER rule an input broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError(pub(crate) &'static str);

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

pub(crate) type DerResult<T> = std::result::Result<T, DerError>;

/// One tag-length-value: its tag, its contents, and its whole encoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) value: &'a [u8],
    pub(crate) encoded: &'a [u8],
}

/// Reads the elements of a DER value one after the other.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// The tag of the next element, if there is one.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element, whatever its tag.
    pub(crate) fn any(&mut self) -> DerResult<Tlv<'a>> {
        let (&tag, after_tag) = self.rest.split_first().ok_or(DerError("an element is missing"))?;
        if tag & 0x1f == 0x1f {
            return Err(DerError("a tag number above 30 is not used here"));
        }
        let (&first, mut after_length) = after_tag.split_first().ok_or(DerError("a length is missing"))?;
        let length = match first {
            0..=0x7f => usize::from(first),
            0x80 => return Err(DerError("an indefinite length is not DER")),
            0x81..=0x84 => {
                let count = usize::from(first & 0x7f);
                let digits = after_length.get(..count).ok_or(DerError("a length is truncated"))?;
                after_length = after_length.get(count..).unwrap_or_default();
                if digits.first() == Some(&0) {
                    return Err(DerError("a length has a leading zero byte (not DER)"));
                }
                let length = digits.iter().fold(0usize, |n, &d| n << 8 | usize::from(d));
                if length < 0x80 {
                    return Err(DerError("a short length is written in long form (not DER)"));
                }
                length
            }
            _ => return Err(DerError("a length does not fit in four bytes")),
        };
        let value = after_length.get(..length).ok_or(DerError("an element is longer than its input"))?;
        let header = self.rest.len() - after_length.len();
        let encoded = self.rest.get(..header + length).unwrap_or_default();
        self.rest = after_length.get(length..).unwrap_or_default();
        Ok(Tlv { tag, value, encoded })
    }

    /// The contents of the next element, which must have tag `tag`.
    pub(crate) fn next(&mut self, tag: u8, what: &'static str) -> DerResult<&'a [u8]> {
        let element = self.any()?;
        if element.tag == tag {
            Ok(element.value)
        } else {
            Err(DerError(what))
        }
    }

    /// The contents of the next element if it has tag `tag`; else nothing is read.
    pub(crate) fn optional(&mut self, tag: u8) -> DerResult<Option<&'a [u8]>> {
        if self.peek() == Some(tag) {
            self.any().map(|element| Some(element.value))
        } else {
            Ok(None)
        }
    }

    /// Fails when anything is left.
    pub(crate) fn end(&self) -> DerResult<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DerError("bytes follow the last element"))
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

/// The contents of `bytes`, which must be exactly one element with tag `tag`.
pub(crate) fn single<'a>(bytes: &'a [u8], tag: u8, what: &'static str) -> DerResult<&'a [u8]> {
    let mut reader = Reader::new(bytes);
    let value = reader.next(tag, what)?;
    reader.end()?;
    Ok(value)
}

/// The contents of an INTEGER, checked to be minimal two's complement (DER), of either sign.
pub(crate) fn integer(value: &[u8]) -> DerResult<&[u8]> {
    match value {
        [] => Err(DerError("an INTEGER is empty")),
        [0, next, ..] if next & 0x80 == 0 => Err(DerError("an INTEGER has a redundant leading byte (not DER)")),
        [0xff, next, ..] if next & 0x80 != 0 => Err(DerError("an INTEGER has a redundant leading byte (not DER)")),
        _ => Ok(value),
    }
}

/// The magnitude, big-endian without leading zeros (so zero is empty), of a non-negative INTEGER's
/// contents.
pub(crate) fn unsigned(value: &[u8]) -> DerResult<&[u8]> {
    match integer(value)? {
        [first, ..] if first & 0x80 != 0 => Err(DerError("an INTEGER is negative")),
        [0, rest @ ..] => Ok(rest),
        value => Ok(value),
    }
}

/// The contents of a BIT STRING with no unused bits (keys and signatures are whole bytes).
pub(crate) fn whole_bytes(value: &[u8]) -> DerResult<&[u8]> {
    match value.split_first() {
        Some((0, bytes)) => Ok(bytes),
        _ => Err(DerError("a BIT STRING does not hold whole bytes")),
    }
}

/// A DER BOOLEAN's contents.
pub(crate) fn boolean(value: &[u8]) -> DerResult<bool> {
    match value {
        [0] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(DerError("a BOOLEAN is neither 00 nor FF (not DER)")),
    }
}

/// The name of an AlgorithmIdentifier, by its contents (the parameters are not read).
pub(crate) fn algorithm(value: &[u8]) -> DerResult<Oid<'_>> {
    Oid::parse(Reader::new(value).next(OID, "an algorithm is not named by an OBJECT IDENTIFIER")?)
}

/// An OBJECT IDENTIFIER, by its contents; shown dotted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Oid<'a>(pub(crate) &'a [u8]);

impl<'a> Oid<'a> {
    pub(crate) fn parse(value: &'a [u8]) -> DerResult<Self> {
        // Each arc ends at a byte below 0x80, starts with no 0x80 padding, and fits in 63 bits.
        let well_formed = value.last().is_some_and(|last| last & 0x80 == 0)
            && value.split_inclusive(|b| b & 0x80 == 0).all(|arc| arc.first() != Some(&0x80) && arc.len() <= 9);
        if well_formed {
            Ok(Oid(value))
        } else {
            Err(DerError("an OBJECT IDENTIFIER is malformed"))
        }
    }
}

impl fmt::Display for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arc) in self.0.split_inclusive(|b| b & 0x80 == 0).enumerate() {
            let number = arc.iter().fold(0u64, |n, &b| n << 7 | u64::from(b & 0x7f));
            match i {
                0 if number < 80 => write!(f, "{}.{}", number / 40, number % 40)?,
                0 => write!(f, "2.{}", number - 80)?,
                _ => write!(f, ".{number}")?,
            }
        }
        Ok(())
    }
}

/// A certificate validity time: UTCTime `YYMMDDHHMMSSZ` (years 1950-2049) or GeneralizedTime
/// `YYYYMMDDHHMMSSZ`, as RFC 5280 writes them; instants before 1970 are refused.
pub(crate) fn time(element: Tlv<'_>) -> DerResult<Timestamp> {
    let digits = match element.tag {
        UTC_TIME => 12,
        GENERALIZED_TIME => 14,
        _ => return Err(DerError("a time is neither UTCTime nor GeneralizedTime")),
    };
    let malformed = DerError("a time is not written as YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ");
    let (zone, body) = element.value.split_last().ok_or(malformed)?;
    if *zone != b'Z' || body.len() != digits || !body.iter().all(u8::is_ascii_digit) {
        return Err(malformed);
    }
    let mut numbers = body.chunks(2).map(|pair| pair.iter().fold(0i64, |n, &d| n * 10 + i64::from(d - b'0')));
    let mut next = || numbers.next().unwrap_or_default();
    let year = match digits {
        12 => match next() {
            yy @ 0..=49 => 2000 + yy,
            yy => 1900 + yy,
        },
        _ => next() * 100 + next(),
    };
    let fields = [next(), next(), next(), next(), next()];
    let timestamp = crate::time::utc(year, fields).ok_or(DerError("a time is not a calendar date-time"))?;
    if timestamp.unix_secs() < 0 {
        return Err(DerError("a time is before 1970"));
    }
    Ok(timestamp)
}

/// The DER of one element.
pub(crate) fn encode(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let length: usize = parts.iter().map(|part| part.len()).sum();
    let mut out = vec![tag];
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let digits = length.to_be_bytes();
        let significant = digits.iter().position(|&d| d != 0).unwrap_or(digits.len() - 1);
        out.push(0x80 | (digits.len() - significant) as u8);
        out.extend_from_slice(digits.get(significant..).unwrap_or_default());
    }
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// The DER INTEGER of a big-endian magnitude.
pub(crate) fn encode_unsigned(magnitude: &[u8]) -> Vec<u8> {
    let start = magnitude.iter().position(|&b| b != 0).unwrap_or(magnitude.len());
    let significant = magnitude.get(start..).unwrap_or_default();
    match significant.first() {
        None => encode(INTEGER, &[&[0]]),
        Some(first) if first & 0x80 != 0 => encode(INTEGER, &[&[0], significant]),
        Some(_) => encode(INTEGER, &[significant]),
    }
}

/// The decimal digits of an unsigned big-endian integer (a certificate's serial number in an SN).
/// Seven bytes at a time into limbs of 18 digits: linear in the digits per step, so a hostile
/// 64 KiB serial stays well under a second.
pub(crate) fn decimal(magnitude: &[u8]) -> String {
    const LIMB: u128 = 1_000_000_000_000_000_000;
    let mut limbs: Vec<u128> = vec![0]; // least significant first
    let (head, rest) = magnitude.split_at(magnitude.len() % 7);
    for chunk in std::iter::once(head).chain(rest.chunks(7)) {
        let (scale, mut carry) =
            chunk.iter().fold((1u128, 0u128), |(scale, value), &byte| (scale << 8, value << 8 | u128::from(byte)));
        for limb in &mut limbs {
            let product = *limb * scale + carry;
            (*limb, carry) = (product % LIMB, product / LIMB);
        }
        while carry > 0 {
            limbs.push(carry % LIMB);
            carry /= LIMB;
        }
    }
    let mut limbs = limbs.iter().rev();
    let mut text = limbs.next().map(u128::to_string).unwrap_or_default();
    for limb in limbs {
        text.push_str(&format!("{limb:018}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(bytes: &[u8]) -> DerResult<Tlv<'_>> {
        Reader::new(bytes).any()
    }

    #[test]
    fn decimal_matches_a_big_integer_library() {
        assert_eq!(decimal(&[]), "0");
        assert_eq!(decimal(&[0, 0]), "0");
        assert_eq!(decimal(&[1, 0]), "256");
        assert_eq!(decimal(&u128::MAX.to_be_bytes()), u128::MAX.to_string());
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for length in 0..120 {
            let bytes: Vec<u8> = (0..length)
                .map(|_| {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    (state >> 56) as u8
                })
                .collect();
            assert_eq!(decimal(&bytes), rsa::BigUint::from_bytes_be(&bytes).to_string(), "{bytes:02x?}");
        }
    }

    #[test]
    fn reads_definite_minimal_lengths_only() {
        let long = [&[0x04, 0x81, 0x80][..], &[7; 0x80]].concat();
        assert_eq!(first(&long).unwrap().value.len(), 0x80);
        assert_eq!(
            first(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]).unwrap_err().0,
            "a short length is written in long form (not DER)"
        );
        assert_eq!(first(&[0x04, 0x82, 0x00, 0x80]).unwrap_err().0, "a length has a leading zero byte (not DER)");
        assert_eq!(first(&[0x30, 0x80, 0, 0]).unwrap_err().0, "an indefinite length is not DER");
        assert_eq!(first(&[0x04, 0x03, 1, 2]).unwrap_err().0, "an element is longer than its input");
        assert_eq!(first(&[0x1f, 0x22, 0x00]).unwrap_err().0, "a tag number above 30 is not used here");
        assert_eq!(first(&[0x04, 0x85, 1, 0, 0, 0, 0]).unwrap_err().0, "a length does not fit in four bytes");
        let tlv = first(&[0x02, 0x01, 0x05, 0xff]).unwrap();
        assert_eq!((tlv.tag, tlv.value, tlv.encoded), (INTEGER, &[5u8][..], &[2u8, 1, 5][..]));
        assert_eq!(single(&[0x02, 0x01, 0x05, 0xff], INTEGER, "x").unwrap_err().0, "bytes follow the last element");
    }

    #[test]
    fn integers_are_minimal_and_non_negative() {
        assert_eq!(unsigned(&[0x00, 0x80]).unwrap(), &[0x80]);
        assert_eq!(unsigned(&[0x7f]).unwrap(), &[0x7f]);
        assert!(unsigned(&[0x00, 0x7f]).is_err());
        assert!(unsigned(&[0x80]).is_err());
        assert!(unsigned(&[]).is_err());
        assert_eq!(integer(&[0xff, 0x7f]).unwrap(), &[0xff, 0x7f]);
        assert!(integer(&[0xff, 0x80]).is_err());
        for magnitude in [&[0x80u8, 1][..], &[0x7f], &[0, 0, 0x90], &[]] {
            let encoded = encode_unsigned(magnitude);
            let value = single(&encoded, INTEGER, "x").unwrap();
            // Zero reads back as the empty magnitude.
            let expected: Vec<u8> = magnitude.iter().copied().skip_while(|&b| b == 0).collect();
            assert_eq!(unsigned(value).unwrap(), expected);
        }
        let long = encode(OCTET_STRING, &[&[9; 300]]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn oids_print_dotted_and_malformed_ones_are_refused() {
        let sha256_with_rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
        assert_eq!(Oid::parse(&sha256_with_rsa).unwrap().to_string(), "1.2.840.113549.1.1.11");
        assert_eq!(
            Oid::parse(&[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19]).unwrap().to_string(),
            "0.9.2342.19200300.100.1.25"
        );
        assert_eq!(Oid::parse(&[0x88, 0x37]).unwrap().to_string(), "2.999");
        assert!(Oid::parse(&[]).is_err());
        assert!(Oid::parse(&[0x2a, 0x86]).is_err(), "the last arc is unfinished");
        assert!(Oid::parse(&[0x2a, 0x80, 0x01]).is_err(), "an arc with a leading 0x80");
        assert!(
            Oid::parse(&[0x2a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]).is_err(),
            "too long an arc"
        );
    }

    #[test]
    fn times_are_rfc_5280_shapes_on_the_calendar() {
        let at = |tag, text: &str| time(Tlv { tag, value: text.as_bytes(), encoded: &[] }).map(Timestamp::unix_secs);
        assert_eq!(at(UTC_TIME, "700101000000Z"), Ok(0));
        assert_eq!(at(UTC_TIME, "491231235959Z"), Ok(2_524_607_999));
        assert_eq!(at(GENERALIZED_TIME, "20500101000000Z"), Ok(2_524_608_000));
        assert_eq!(at(GENERALIZED_TIME, "20240229120000Z"), Ok(1_709_208_000));
        assert!(at(GENERALIZED_TIME, "20230229120000Z").is_err(), "not a leap year");
        assert!(at(UTC_TIME, "690101000000Z").is_err(), "before 1970");
        assert!(at(UTC_TIME, "7001010000Z").is_err(), "no seconds");
        assert!(at(UTC_TIME, "700101000000+0800").is_err());
        assert!(at(GENERALIZED_TIME, "20240101000000.5Z").is_err());
        assert!(at(UTC_TIME, "701301000000Z").is_err());
        assert!(at(UTC_TIME, "700101240000Z").is_err());
        assert!(at(OCTET_STRING, "700101000000Z").is_err());
    }
}
