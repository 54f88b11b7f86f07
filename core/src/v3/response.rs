//! Verifying v3 answers (docs/PROTOCOL.md §10.4–§10.5): a pure function of (status, headers, body).

use base64::Engine as _;

use crate::aes::AesKey;
use crate::client::Client;
use crate::crypto::SignType;
use crate::error::{Error, Result, V3GatewayError};
use crate::verify::{Pending, SignatureCheck};

const SIGNATURE: &str = "alipay-signature";
const TIMESTAMP: &str = "alipay-timestamp";
const NONCE: &str = "alipay-nonce";
const SN: &str = "alipay-sn";
const TRACE_ID: &str = "alipay-trace-id";

/// A 2xx v3 answer whose signature verified (and, if it was encrypted, that was decrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Response {
    status: u16,
    body: String,
    value: Option<serde_json::Value>,
    timestamp: u64,
    nonce: String,
    alipay_sn: Option<String>,
    trace_id: Option<String>,
    encrypted: bool,
}

impl V3Response {
    /// The HTTP status (2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The business object as JSON text: the verified body, or its decryption.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The business object, parsed; `None` for an empty body.
    pub fn value(&self) -> Option<&serde_json::Value> {
        self.value.as_ref()
    }

    /// `alipay-timestamp`, which the signature covers (milliseconds since the epoch): the host
    /// may refuse answers that are too old.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// `alipay-nonce`, which the signature covers: the host may refuse one it has seen.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// `alipay-sn` (certificate mode), which chose the key but is not signed.
    pub fn alipay_sn(&self) -> Option<&str> {
        self.alipay_sn.as_deref()
    }

    /// `alipay-trace-id`, not signed: for support requests.
    pub fn trace_id(&self) -> Option<&str> {
        self.trace_id.as_deref()
    }

    /// Whether the body was AES ciphertext.
    pub fn was_encrypted(&self) -> bool {
        self.encrypted
    }
}

/// The bytes a v3 answer's `alipay-signature` covers: `{timestamp}\n{nonce}\n{body}\n`.
pub fn v3_response_sign_content(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for part in [timestamp.as_bytes(), nonce.as_bytes(), body] {
        out.extend_from_slice(part);
        out.push(b'\n');
    }
    out
}

pub(super) fn begin<N: AsRef<str>, V: AsRef<str>>(
    client: &Client,
    status: u16,
    headers: &[(N, V)],
    body: &[u8],
) -> Result<Pending<V3Response>> {
    if !(100..=599).contains(&status) {
        return Err(Error::field("status", "must be an HTTP status code: an integer from 100 to 599"));
    }
    let trace_id = first(headers, TRACE_ID).map(str::to_owned);
    if status >= 400 {
        return Err(error_answer(status, body, trace_id));
    }
    if !(200..300).contains(&status) {
        return Err(Error::MalformedResponse(format!("HTTP status {status} is neither a 2xx answer nor an error")));
    }
    let signature = unique(headers, SIGNATURE)?.filter(|s| !s.is_empty()).ok_or(Error::MissingSignature)?;
    let signature =
        base64::engine::general_purpose::STANDARD.decode(signature.as_bytes()).map_err(|_| Error::SignatureEncoding)?;
    let timestamp_text = unique(headers, TIMESTAMP)?.ok_or_else(|| missing(TIMESTAMP))?;
    let timestamp =
        timestamp_text
            .parse::<u64>()
            .ok()
            .filter(|_| timestamp_text.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| Error::MalformedResponse(format!("`{TIMESTAMP}` is not a number of milliseconds")))?;
    let nonce = unique(headers, NONCE)?.filter(|n| !n.is_empty()).ok_or_else(|| missing(NONCE))?;
    let alipay_sn = unique(headers, SN)?.filter(|sn| !sn.is_empty());
    let body_text = std::str::from_utf8(body)
        .map_err(|_| Error::Undecodable { field: "response body".to_owned(), charset: "UTF-8" })?
        .to_owned();
    let check = SignatureCheck {
        sign_type: SignType::Rsa2,
        signature,
        messages: vec![v3_response_sign_content(timestamp_text, nonce, body)],
        key: client.response_key(alipay_sn)?,
        alipay_cert_sn: alipay_sn.map(str::to_owned),
    };
    let (nonce, alipay_sn, aes_key) = (nonce.to_owned(), alipay_sn.map(str::to_owned), client.aes_key().cloned());
    Ok(Pending::new(check, move |_| {
        let (body, encrypted) = open_body(body_text, aes_key.as_ref())?;
        let value = match body.trim() {
            "" => None,
            text => Some(
                serde_json::from_str(text)
                    .map_err(|e| Error::MalformedResponse(format!("the verified body is not JSON ({e})")))?,
            ),
        };
        Ok(V3Response { status, body, value, timestamp, nonce, alipay_sn, trace_id, encrypted })
    }))
}

/// A JSON body is plain; anything else is AES ciphertext, decrypted with the client's key.
fn open_body(body: String, aes_key: Option<&AesKey>) -> Result<(String, bool)> {
    let trimmed = body.trim();
    if trimmed.is_empty() || trimmed.starts_with(['{', '[']) {
        return Ok((body, false));
    }
    let key = aes_key.ok_or_else(|| {
        Error::Aes("the verified body is not JSON (AES ciphertext?) and no AES key is configured".to_owned())
    })?;
    let plaintext = key.decrypt(trimmed)?;
    let text = String::from_utf8(plaintext)
        .map_err(|_| Error::Aes("the decrypted body is not UTF-8 text: the AES key is wrong".to_owned()))?;
    Ok((text, true))
}

/// The unsigned `{code, message, links}` of an answer of 400 or above.
fn error_answer(status: u16, body: &[u8], trace_id: Option<String>) -> Error {
    let parsed = std::str::from_utf8(body)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).ok());
    let Some(mut object) = parsed else {
        let trace = trace_id.map(|id| format!(", trace id {id}")).unwrap_or_default();
        return Error::MalformedResponse(format!("the HTTP {status} error answer is not a JSON object{trace}"));
    };
    let mut text = |key: &str| match object.remove(key) {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let (code, message) = (text("code"), text("message"));
    let links = object.remove("links").unwrap_or(serde_json::Value::Null);
    Error::V3Gateway(Box::new(V3GatewayError { status, code, message, links, trace_id }))
}

fn missing(name: &str) -> Error {
    Error::MalformedResponse(format!("the signed answer has no (or an empty) `{name}` header"))
}

fn values<'a, N: AsRef<str>, V: AsRef<str>>(headers: &'a [(N, V)], name: &'a str) -> impl Iterator<Item = &'a str> {
    headers.iter().filter(move |(key, _)| key.as_ref().trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref())
}

fn first<'a, N: AsRef<str>, V: AsRef<str>>(headers: &'a [(N, V)], name: &'a str) -> Option<&'a str> {
    values(headers, name).next()
}

/// A header that the signature depends on: at most once, and one line of visible ASCII.
fn unique<'a, N: AsRef<str>, V: AsRef<str>>(headers: &'a [(N, V)], name: &'a str) -> Result<Option<&'a str>> {
    let mut found = values(headers, name);
    let value = found.next();
    if found.next().is_some() {
        return Err(Error::DuplicateMember(name.to_owned()));
    }
    if value.is_some_and(|v| v.bytes().any(|b| !b.is_ascii_graphic())) {
        return Err(Error::MalformedResponse(format!(
            "`{name}` holds a space, line break or other non-visible character"
        )));
    }
    Ok(value)
}
