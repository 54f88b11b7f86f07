//! Message charsets (UTF-8 and GBK) and form (percent) encoding over their bytes.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use crate::error::{Error, Result};

mod gbk_table;

/// The `charset` of a gateway message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Charset {
    /// UTF-8, sent as `utf-8`.
    #[default]
    Utf8,
    /// GBK as Java's `Charset.forName("GBK")` maps it (the gateway's and the Java SDK's), sent as
    /// `GBK`. A message that declares `gb2312` is read as GBK, its superset.
    Gbk,
}

impl Charset {
    /// The value sent in the `charset` parameter and the `Content-Type` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Gbk => "GBK",
        }
    }

    /// Encodes text strictly: a character GBK cannot represent is an error, never a `?`.
    pub fn encode<'a>(self, field: &str, text: &'a str) -> Result<Cow<'a, [u8]>> {
        match self {
            Charset::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            Charset::Gbk => {
                gbk_encode(text).ok_or_else(|| Error::Unencodable { field: field.to_owned(), charset: self.as_str() })
            }
        }
    }

    /// Decodes bytes strictly: malformed input is an error, never U+FFFD.
    pub fn decode<'a>(self, field: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>> {
        let undecodable = || Error::Undecodable { field: field.to_owned(), charset: self.as_str() };
        match self {
            Charset::Utf8 => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|_| undecodable()),
            Charset::Gbk => gbk_decode(bytes).ok_or_else(undecodable),
        }
    }

    /// [`encode`](Self::encode), reusing `text`'s buffer when the bytes are its own.
    pub(crate) fn encode_owned(self, field: &str, text: String) -> Result<Vec<u8>> {
        if let Cow::Owned(bytes) = self.encode(field, &text)? {
            return Ok(bytes);
        }
        Ok(text.into_bytes())
    }

    /// [`decode`](Self::decode), reusing `bytes` when they are the text's own.
    pub(crate) fn decode_owned(self, field: &str, bytes: Vec<u8>) -> Result<String> {
        if let Cow::Owned(text) = self.decode(field, &bytes)? {
            return Ok(text);
        }
        String::from_utf8(bytes).map_err(|_| Error::Undecodable { field: field.to_owned(), charset: self.as_str() })
    }

    /// The charset a received message (notification, return query) declares: `utf-8`, `utf8`,
    /// `gbk`, or `gb2312` read as GBK (its superset: every GB2312 byte pair is a GBK one), in any
    /// letter case. Options naming the charset of requests use [`FromStr`], which refuses `gb2312`.
    pub fn of_message(name: &str) -> Result<Self> {
        if name.trim().eq_ignore_ascii_case("gb2312") {
            return Ok(Charset::Gbk);
        }
        name.parse()
    }
}

/// Trail bytes per lead byte in the GBK table: 40..=FE without 7F.
const GBK_TRAILS: usize = 190;

/// The index of a byte pair in [`gbk_decode_table`], if the pair is in its grid.
fn gbk_index(lead: u8, trail: u8) -> Option<usize> {
    let column = match trail {
        0x40..=0x7e => trail - 0x40,
        0x80..=0xfe => trail - 0x41,
        _ => return None,
    };
    match lead {
        0x81..=0xfe => Some(usize::from(lead - 0x81) * GBK_TRAILS + usize::from(column)),
        _ => None,
    }
}

/// Decodes GBK as Java does: ASCII bytes, else a lead and a trail byte that the table maps;
/// anything else (80, FF, a lone lead byte, an unmapped pair) is `None`.
fn gbk_decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if bytes.is_ascii() {
        return std::str::from_utf8(bytes).ok().map(Cow::Borrowed);
    }
    let mut out = String::with_capacity(bytes.len() * 3 / 2);
    let mut rest = bytes.iter();
    while let Some(&b) = rest.next() {
        if b.is_ascii() {
            out.push(char::from(b));
            continue;
        }
        let trail = *rest.next()?;
        let unit = *gbk_decode_table().get(gbk_index(b, trail)?)?;
        out.push(char::from_u32(u32::from(unit)).filter(|_| unit != 0)?);
    }
    Some(Cow::Owned(out))
}

/// Encodes text as Java's GBK encoder does; `None` if a character has no GBK bytes.
fn gbk_encode(text: &str) -> Option<Cow<'_, [u8]>> {
    if text.is_ascii() {
        return Some(Cow::Borrowed(text.as_bytes()));
    }
    let table = gbk_encode_table();
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(u8::try_from(c).ok()?);
            continue;
        }
        let pair = *table.get(usize::try_from(u32::from(c)).ok()?)?;
        if pair == 0 {
            return None;
        }
        out.extend_from_slice(&pair.to_be_bytes());
    }
    Some(Cow::Owned(out))
}

/// The code point of every byte pair (0: none), summed up once from [`gbk_table::DECODE_DELTAS`].
fn gbk_decode_table() -> &'static [u16] {
    static TABLE: OnceLock<Vec<u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let sum = |unit: &mut u16, delta: &u16| {
            *unit = unit.wrapping_add(*delta);
            Some(*unit)
        };
        gbk_table::DECODE_DELTAS.iter().scan(0, sum).collect()
    })
}

/// The inverse of [`gbk_decode_table`], built once: the byte pair of every BMP code point (0: none).
fn gbk_encode_table() -> &'static [u16] {
    static TABLE: OnceLock<Vec<u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![0u16; 0x1_0000];
        for lead in 0x81..=0xfe_u8 {
            for trail in (0x40..=0xfe_u8).filter(|&t| t != 0x7f) {
                let unit = gbk_index(lead, trail).and_then(|i| gbk_decode_table().get(i)).copied().unwrap_or(0);
                if let Some(slot) = table.get_mut(usize::from(unit)).filter(|_| unit != 0) {
                    *slot = u16::from_be_bytes([lead, trail]);
                }
            }
        }
        table
    })
}

impl FromStr for Charset {
    type Err = Error;

    /// Accepts `utf-8`, `utf8` and `gbk` in any letter case: the charsets the gateway takes for a
    /// request. `gb2312` is refused (GBK covers it); see [`Charset::of_message`] for what arrives.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Charset::Utf8),
            "gbk" => Ok(Charset::Gbk),
            _ => Err(Error::UnsupportedCharset(s.to_owned())),
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Appends `application/x-www-form-urlencoded` text for `bytes`: the WHATWG set (the Java
/// `URLEncoder` set), space as `+`, uppercase hex.
pub(crate) fn form_encode_into(out: &mut String, bytes: &[u8]) {
    fn hex_digit(nibble: u8) -> char {
        char::from(if nibble < 10 { b'0' + nibble } else { b'A' + nibble - 10 })
    }
    out.reserve(bytes.len());
    for &b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(hex_digit(b >> 4));
                out.push(hex_digit(b & 0x0f));
            }
        }
    }
}

/// Builds `k=v&k=v` form text (`application/x-www-form-urlencoded`, as requests, links and
/// notifications carry it) from pairs whose values are encoded in `charset` first.
pub fn form_encode<'a>(charset: Charset, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<String> {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        form_encode_into(&mut out, key.as_bytes());
        out.push('=');
        form_encode_into(&mut out, &charset.encode(key, value)?);
    }
    Ok(out)
}

/// Splits form text into raw (still charset-encoded) key and value bytes, decoding `+` and `%XX`
/// exactly once.
pub(crate) fn form_decode(body: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    fn unescape(part: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(part.len());
        let mut i = 0;
        while let Some(&b) = part.get(i) {
            match b {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = |j: usize| part.get(j).and_then(|c| char::from(*c).to_digit(16));
                    match (hex(i + 1), hex(i + 2)) {
                        (Some(hi), Some(lo)) => {
                            out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
                            i += 2;
                        }
                        _ => {
                            return Err(Error::MalformedNotification(
                                "a `%` is not followed by two hex digits".to_owned(),
                            ))
                        }
                    }
                }
                _ => out.push(b),
            }
            i += 1;
        }
        Ok(out)
    }

    body.split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = match part.iter().position(|&b| b == b'=') {
                Some(eq) => (part.get(..eq).unwrap_or_default(), part.get(eq + 1..).unwrap_or_default()),
                None => (part, &[][..]),
            };
            Ok((unescape(key)?, unescape(value)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_refuses_what_it_cannot_encode() {
        assert_eq!(Charset::Gbk.encode("memo", "优酷").unwrap().as_ref(), b"\xd3\xc5\xbf\xe1");
        let err = Charset::Gbk.encode("memo", "券😀").unwrap_err();
        assert_eq!(err.code(), "unencodable_text");
        assert!(err.to_string().contains("memo"));
    }

    #[test]
    fn gbk_decoding_is_strict() {
        assert_eq!(Charset::Gbk.decode("b", b"\xd3\xc5").unwrap(), "优");
        assert!(Charset::Gbk.decode("b", b"\xd3").is_err());
        assert!(Charset::Utf8.decode("b", b"\xff").is_err());
    }

    #[test]
    fn form_encoding_uses_the_whatwg_set() {
        let text = form_encode(Charset::Utf8, [("k", "a+b/c&d=e *~测")]).unwrap();
        assert_eq!(text, "k=a%2Bb%2Fc%26d%3De+*%7E%E6%B5%8B");
        let text = form_encode(Charset::Gbk, [("k", "测")]).unwrap();
        assert_eq!(text, "k=%B2%E2");
    }

    #[test]
    fn form_decoding_decodes_once() {
        let pairs = form_decode(b"a=%2541+b&c=&d").unwrap();
        assert_eq!(pairs[0], (b"a".to_vec(), b"%41 b".to_vec()));
        assert_eq!(pairs[1], (b"c".to_vec(), vec![]));
        assert_eq!(pairs[2], (b"d".to_vec(), vec![]));
        assert_eq!(form_decode(b"a=%4").unwrap_err().code(), "malformed_notification");
    }

    #[test]
    fn charset_names() {
        assert_eq!("UTF-8".parse::<Charset>().unwrap(), Charset::Utf8);
        assert_eq!("gbk".parse::<Charset>().unwrap(), Charset::Gbk);
        assert_eq!("latin1".parse::<Charset>().unwrap_err().code(), "unsupported_charset");
    }
}
