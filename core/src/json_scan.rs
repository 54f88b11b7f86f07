//! A strict, string-aware scanner for the top level of a JSON object that keeps byte spans.
//!
//! The gateway signs the exact bytes of one member value, so the body is never parsed and
//! re-serialized before verification: this scanner only finds where each top-level value starts and
//! ends. It validates the full JSON grammar on the way (so a truncated or doctored body is rejected),
//! bounds nesting depth, and runs in time linear in the input.

use std::ops::Range;

use crate::error::{Error, Result};

/// Deepest nesting accepted (the response body itself is level 1).
pub(crate) const MAX_DEPTH: usize = 128;

/// The kind of a member value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    Object,
    String,
    Other,
}

/// One top-level member: its decoded key and the byte span of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    pub key: String,
    pub value: Range<usize>,
    pub kind: ValueKind,
}

fn malformed(why: &str, at: usize) -> Error {
    Error::MalformedResponse(format!("{why} at byte {at}"))
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else if self.peek().is_none() {
            Err(malformed(&format!("body ends where {what} was expected (truncated?)"), self.pos))
        } else {
            Err(malformed(&format!("expected {what}"), self.pos))
        }
    }

    /// Scans a string starting at its opening quote; returns its decoded text if `decode`.
    fn string(&mut self, decode: bool) -> Result<Option<String>> {
        self.expect(b'"', "`\"`")?;
        let mut out = decode.then(String::new);
        let mut run_start = self.pos;
        loop {
            // Skip the run of plain bytes in one pass: only `"`, `\` and control bytes need a decision.
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            self.pos += rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(rest.len());
            let Some(b) = self.peek() else {
                return Err(malformed("unterminated string (truncated?)", self.pos));
            };
            match b {
                b'"' => {
                    if let Some(out) = out.as_mut() {
                        out.push_str(&self.text(run_start..self.pos)?);
                    }
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    if let Some(out) = out.as_mut() {
                        out.push_str(&self.text(run_start..self.pos)?);
                    }
                    self.pos += 1;
                    let escaped = self.escape()?;
                    if let Some(out) = out.as_mut() {
                        out.push(escaped);
                    }
                    run_start = self.pos;
                }
                _ => return Err(malformed("control character inside a string", self.pos)),
            }
        }
    }

    fn text(&self, range: Range<usize>) -> Result<String> {
        let bytes = self.bytes.get(range).unwrap_or_default();
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| malformed("a member name is not valid UTF-8", self.pos))
    }

    /// Reads one escape after the backslash.
    fn escape(&mut self) -> Result<char> {
        let at = self.pos;
        let Some(b) = self.peek() else {
            return Err(malformed("unterminated escape (truncated?)", at));
        };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) {
                    if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                        return Err(malformed("lone high surrogate escape", at));
                    }
                    self.pos += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(malformed("invalid low surrogate escape", at));
                    }
                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        .ok_or_else(|| malformed("invalid surrogate pair", at))?
                } else {
                    char::from_u32(high).ok_or_else(|| malformed("lone low surrogate escape", at))?
                }
            }
            _ => return Err(malformed("invalid escape", at)),
        })
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or_else(|| malformed("short \\u escape", self.pos))?;
        let mut value = 0;
        for &d in digits {
            value = value * 16 + char::from(d).to_digit(16).ok_or_else(|| malformed("bad \\u escape", self.pos))?;
        }
        self.pos += 4;
        Ok(value)
    }

    fn literal(&mut self, word: &[u8]) -> Result<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(malformed("invalid literal", self.pos))
        }
    }

    fn number(&mut self) -> Result<()> {
        let start = self.pos;
        let digits = |s: &mut Self| {
            let from = s.pos;
            while matches!(s.peek(), Some(b'0'..=b'9')) {
                s.pos += 1;
            }
            s.pos > from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else if !digits(self) {
            return Err(malformed("invalid number", start));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(malformed("invalid number", start));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(malformed("invalid number", start));
            }
        }
        Ok(())
    }

    /// Skips one value of any kind, `depth` being the nesting level of the container it is in.
    fn value(&mut self, depth: usize) -> Result<ValueKind> {
        match self.peek() {
            Some(b'{') => {
                self.container(depth + 1, b'}', true)?;
                Ok(ValueKind::Object)
            }
            Some(b'[') => {
                self.container(depth + 1, b']', false)?;
                Ok(ValueKind::Other)
            }
            Some(b'"') => {
                self.string(false)?;
                Ok(ValueKind::String)
            }
            Some(b't') => self.literal(b"true").map(|()| ValueKind::Other),
            Some(b'f') => self.literal(b"false").map(|()| ValueKind::Other),
            Some(b'n') => self.literal(b"null").map(|()| ValueKind::Other),
            Some(b'-' | b'0'..=b'9') => self.number().map(|()| ValueKind::Other),
            Some(_) => Err(malformed("expected a JSON value", self.pos)),
            None => Err(malformed("body ends where a value was expected (truncated?)", self.pos)),
        }
    }

    fn container(&mut self, depth: usize, close: u8, object: bool) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(malformed(&format!("nesting deeper than {MAX_DEPTH} levels"), self.pos));
        }
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            if object {
                self.string(false)?;
                self.skip_ws();
                self.expect(b':', "`:`")?;
                self.skip_ws();
            }
            self.value(depth)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(());
                }
                None => return Err(malformed("body ends inside a container (truncated?)", self.pos)),
                Some(_) => return Err(malformed("expected `,` or the end of a container", self.pos)),
            }
        }
    }
}

/// Scans a JSON object and returns its top-level members in order.
pub(crate) fn top_level_members(bytes: &[u8]) -> Result<Vec<Member>> {
    let mut s = Scanner { bytes, pos: 0 };
    s.skip_ws();
    if s.peek() != Some(b'{') {
        return Err(malformed("the body is not a JSON object", s.pos));
    }
    s.pos += 1;
    let mut members = Vec::new();
    s.skip_ws();
    if s.peek() == Some(b'}') {
        s.pos += 1;
    } else {
        loop {
            s.skip_ws();
            let key = s.string(true)?.unwrap_or_default();
            s.skip_ws();
            s.expect(b':', "`:`")?;
            s.skip_ws();
            let start = s.pos;
            let kind = s.value(1)?;
            members.push(Member { key, value: start..s.pos, kind });
            s.skip_ws();
            match s.peek() {
                Some(b',') => s.pos += 1,
                Some(b'}') => {
                    s.pos += 1;
                    break;
                }
                None => return Err(malformed("body ends inside the top-level object (truncated?)", s.pos)),
                Some(_) => return Err(malformed("expected `,` or `}`", s.pos)),
            }
        }
    }
    s.skip_ws();
    if s.pos != bytes.len() {
        return Err(malformed("data after the end of the JSON object", s.pos));
    }
    Ok(members)
}

/// Decodes the text of a JSON string token (with its quotes).
pub(crate) fn decode_string(token: &[u8]) -> Result<String> {
    let mut s = Scanner { bytes: token, pos: 0 };
    let text = s.string(true)?.unwrap_or_default();
    if s.pos != token.len() {
        return Err(malformed("unexpected data after a string", s.pos));
    }
    Ok(text)
}

/// Replaces every `\/` escape with `/`, leaving other escapes (such as `\\/`) intact.
#[cfg(test)]
pub(crate) fn unescape_slashes(json: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(json.len());
    let changed = without_slash_escapes(json, |piece| {
        out.extend_from_slice(piece);
        Ok(())
    })
    .ok()?;
    changed.then_some(out)
}

/// Hands `json` to `piece` in pieces that leave out the backslash of every `\/` escape (other
/// escapes, such as `\\/`, stay intact): the caller builds the unescaped text, in any charset,
/// without a copy of it in between. Returns whether there was a `\/`.
pub(crate) fn without_slash_escapes(json: &[u8], mut piece: impl FnMut(&[u8]) -> Result<()>) -> Result<bool> {
    let (mut start, mut i, mut changed) = (0, 0, false);
    while let Some(&b) = json.get(i) {
        if b == b'\\' {
            if json.get(i + 1) == Some(&b'/') {
                piece(json.get(start..i).unwrap_or_default())?;
                start = i + 1;
                changed = true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    piece(json.get(start..).unwrap_or_default())?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(body: &str) -> Vec<(String, String)> {
        top_level_members(body.as_bytes()).unwrap().into_iter().map(|m| (m.key, body[m.value].to_owned())).collect()
    }

    #[test]
    fn finds_spans_whatever_the_layout() {
        let body = " {\"sign\" : \"x\\/y\",\n \"a_response\":{ \"s\":\"}{\\\"\" , \"n\":[1,-2.5e3,true,null]} } ";
        assert_eq!(
            spans(body),
            vec![
                ("sign".to_owned(), "\"x\\/y\"".to_owned()),
                ("a_response".to_owned(), "{ \"s\":\"}{\\\"\" , \"n\":[1,-2.5e3,true,null]}".to_owned()),
            ]
        );
    }

    #[test]
    fn decodes_escaped_keys() {
        assert_eq!(spans("{\"\\u0073ign\":1}")[0].0, "sign");
        assert_eq!(decode_string(b"\"a\\/b\\ud83d\\ude00\"").unwrap(), "a/b\u{1F600}");
    }

    #[test]
    fn rejects_malformed_and_truncated_bodies() {
        for bad in [
            "",
            "[]",
            "{",
            "{\"a\":",
            "{\"a\":{\"b\":1}",
            "{\"a\":\"x}",
            "{\"a\":01}",
            "{\"a\":1}x",
            "{\"a\":tru}",
            "{\"a\":\"\\q\"}",
            "{\"a\":1,}",
        ] {
            let err = top_level_members(bad.as_bytes()).unwrap_err();
            assert_eq!(err.code(), "malformed_response", "{bad}");
        }
    }

    #[test]
    fn bounds_nesting() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(top_level_members(deep.as_bytes()).unwrap_err().to_string().contains("nesting"));
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(top_level_members(ok.as_bytes()).is_ok());
    }

    #[test]
    fn unescapes_only_slash_escapes() {
        assert_eq!(unescape_slashes(br#"{"u":"a\/b\\/c"}"#).unwrap(), br#"{"u":"a/b\\/c"}"#.to_vec());
        assert!(unescape_slashes(br#"{"u":"a\\b"}"#).is_none());
    }
}
