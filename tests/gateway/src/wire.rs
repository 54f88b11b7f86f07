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
    let query = form_decode(query);
    let body = form_decode(body);
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
    let mut params = Params { values: BTreeMap::new(), charset, unsupported_charset, lossy: false, duplicate: None };
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
