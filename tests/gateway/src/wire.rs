//! Reading a request's parameters off the wire: URL query and form body merged, percent-decoded
//! once, and decoded from the charset the `charset` parameter names (docs/PROTOCOL.md §2.1).

use std::collections::BTreeMap;

use alipay_openapi::Charset;

/// A request's parameters, as the gateway sees them.
#[derive(Debug)]
pub(crate) struct Params {
    pub values: BTreeMap<String, String>,
    /// The charset the values were decoded with (UTF-8 when `charset` is missing or unknown).
    pub charset: Charset,
    /// The `charset` value, when it names no supported charset.
    pub unsupported_charset: Option<String>,
    /// Some bytes were not valid in `charset` and were replaced: no signature can match.
    pub lossy: bool,
    /// A parameter that appears twice (in the query, the body, or both).
    pub duplicate: Option<String>,
    /// The file parts of a multipart request: neither signed nor decoded.
    pub files: Vec<FilePart>,
    /// The request's `Host` header (when it is a plain host and port), for URLs back to the gateway.
    pub host: Option<String>,
}

/// One file of a `multipart/form-data` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilePart {
    pub name: String,
    pub file_name: String,
    pub content: Vec<u8>,
}

impl Params {
    /// A non-empty parameter (the gateway drops empty values, as it drops them from the sign content).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// Merges the query and (for a form POST) the body. `charset` is read from the query, as the
/// gateway does; a body-only `charset` (as the Go SDK sends it) is honoured too.
pub(crate) fn read_params(query: &[u8], body: &[u8]) -> Params {
    decode_params(form_decode(query), form_decode(body), Vec::new())
}

/// The boundary of a `multipart/form-data` content type, as sent (boundaries are case-sensitive).
pub(crate) fn multipart_boundary(content_type: &str) -> Option<&str> {
    let (kind, rest) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    rest.split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .filter(|b| !b.is_empty())
}

/// A `multipart/form-data` request (docs/PROTOCOL.md §2): the system parameters and `sign` in the
/// query, the other text parameters as parts without a file name, and the files. `None` when the
/// body is not multipart with that boundary.
pub(crate) fn read_multipart(query: &[u8], boundary: &str, body: &[u8]) -> Option<Params> {
    let mut texts = Vec::new();
    let mut files = Vec::new();
    for part in multipart_parts(boundary.as_bytes(), body)? {
        let (head, content) = split_at_seq(part, b"\r\n\r\n")?;
        let head = std::str::from_utf8(head).ok()?;
        let disposition = head
            .split("\r\n")
            .find_map(|line| {
                line.split_once(':').filter(|(name, _)| name.trim().eq_ignore_ascii_case("content-disposition"))
            })?
            .1;
        let name = disposition_value(disposition, "name")?;
        match disposition_value(disposition, "filename") {
            Some(file_name) => files.push(FilePart { name, file_name, content: content.to_vec() }),
            None => texts.push((name.into_bytes(), content.to_vec())),
        }
    }
    Some(decode_params(form_decode(query), texts, files))
}

/// The parts between the delimiters, each without its delimiter line's `\r\n` and the `\r\n` that
/// ends it; `None` without a closing delimiter.
fn multipart_parts<'b>(boundary: &[u8], body: &'b [u8]) -> Option<Vec<&'b [u8]>> {
    let delimiter = [b"--".as_slice(), boundary].concat();
    let (_, mut rest) = split_at_seq(body, &delimiter)?;
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        let after_line = rest.strip_prefix(b"\r\n")?;
        let next = [b"\r\n".as_slice(), &delimiter].concat();
        let (part, after) = split_at_seq(after_line, &next)?;
        parts.push(part);
        rest = after;
    }
}

/// `name="value"` of a `Content-Disposition` value (quotes required, as browsers send them).
fn disposition_value(disposition: &str, key: &str) -> Option<String> {
    disposition.split(';').map(str::trim).find_map(|item| {
        let (k, v) = item.split_once('=')?;
        (k.trim() == key).then(|| v.trim().strip_prefix('"')?.strip_suffix('"').map(str::to_owned))?
    })
}

/// The bytes before the first `needle` and those after it.
fn split_at_seq<'b>(haystack: &'b [u8], needle: &[u8]) -> Option<(&'b [u8], &'b [u8])> {
    let at = haystack.windows(needle.len()).position(|w| w == needle)?;
    Some((haystack.get(..at)?, haystack.get(at + needle.len()..)?))
}

fn decode_params(query: Vec<(Vec<u8>, Vec<u8>)>, body: Vec<(Vec<u8>, Vec<u8>)>, files: Vec<FilePart>) -> Params {
    let charset_value = query
        .iter()
        .chain(&body)
        .find(|(k, _)| k.as_slice() == b"charset")
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .filter(|v| !v.is_empty());
    let (charset, unsupported_charset) = match charset_value {
        None => (Charset::Utf8, None),
        Some(value) => match value.parse::<Charset>() {
            Ok(charset) => (charset, None),
            Err(_) => (Charset::Utf8, Some(value)),
        },
    };
    let encoding = match charset {
        Charset::Utf8 => encoding_rs::UTF_8,
        Charset::Gbk => encoding_rs::GBK,
    };
    let mut params = Params {
        values: BTreeMap::new(),
        charset,
        unsupported_charset,
        lossy: false,
        duplicate: None,
        files,
        host: None,
    };
    for (key, value) in query.iter().chain(&body) {
        let (key, key_lossy) = encoding.decode_without_bom_handling(key);
        let (value, value_lossy) = encoding.decode_without_bom_handling(value);
        params.lossy |= key_lossy || value_lossy;
        if params.values.insert(key.clone().into_owned(), value.into_owned()).is_some() && params.duplicate.is_none() {
            params.duplicate = Some(key.into_owned());
        }
    }
    params
}

/// Splits `application/x-www-form-urlencoded` text into raw key and value bytes, decoding `+`
/// and `%XX` once. A `%` without two hex digits is kept as is, as servlet containers do.
fn form_decode(text: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    fn unescape(part: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(part.len());
        let mut i = 0;
        while let Some(&b) = part.get(i) {
            let hex = |j: usize| part.get(j).and_then(|c| char::from(*c).to_digit(16));
            match (b, hex(i + 1), hex(i + 2)) {
                (b'+', _, _) => out.push(b' '),
                (b'%', Some(hi), Some(lo)) => {
                    out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
                    i += 2;
                }
                _ => out.push(b),
            }
            i += 1;
        }
        out
    }
    text.split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.iter().position(|&b| b == b'=') {
            Some(eq) => {
                (unescape(part.get(..eq).unwrap_or_default()), unescape(part.get(eq + 1..).unwrap_or_default()))
            }
            None => (unescape(part), Vec::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_query_and_body_in_the_query_charset() {
        let params = read_params(b"charset=GBK&method=m", b"biz_content=%B2%E2+x%2By&empty=");
        assert_eq!(params.charset, Charset::Gbk);
        assert_eq!(params.get("biz_content"), Some("测 x+y"));
        assert_eq!(params.get("empty"), None);
        assert!(!params.lossy && params.duplicate.is_none() && params.unsupported_charset.is_none());
    }

    #[test]
    fn reads_multipart_text_parts_as_parameters_and_keeps_files_apart() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"image_type\"\r\n\r\npng\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"image_content\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--\r\n\
--XyZ--\r\n";
        let params = read_multipart(b"charset=utf-8&app_id=1", "XyZ", body).unwrap();
        assert_eq!(params.get("image_type"), Some("png"));
        assert_eq!(params.get("app_id"), Some("1"));
        assert_eq!(params.files.len(), 1);
        assert_eq!(params.files[0].file_name, "a.png");
        assert_eq!(params.files[0].content, b"\x89PNG\r\n--");
        // A text part named like a query parameter is a duplicate.
        let twice = b"--b\r\nContent-Disposition: form-data; name=\"app_id\"\r\n\r\n2\r\n--b--\r\n";
        assert_eq!(read_multipart(b"app_id=1", "b", twice).unwrap().duplicate.as_deref(), Some("app_id"));
        for broken in [
            &b"no delimiter"[..],
            b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunterminated",
            b"--b\r\nX: y\r\n\r\nz\r\n--b--",
        ] {
            assert!(read_multipart(b"", "b", broken).is_none());
        }
    }

    #[test]
    fn flags_lossy_bytes_duplicates_and_unknown_charsets() {
        // UTF-8 bytes of 测 declared as GBK (what the Node SDK does): not valid GBK throughout.
        let params = read_params(b"charset=GBK", b"memo=%E6%B5%8B");
        assert!(params.lossy);
        let params = read_params(b"app_id=1", b"app_id=2");
        assert_eq!(params.duplicate.as_deref(), Some("app_id"));
        let params = read_params(b"charset=latin1&x=%zz", b"");
        assert_eq!(params.unsupported_charset.as_deref(), Some("latin1"));
        assert_eq!(params.get("x"), Some("%zz"));
    }
}
