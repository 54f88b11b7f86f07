//! `diagnose`: why did the gateway answer `isv.invalid-signature`?
//!
//! The gateway's `sub_msg` echoes the sign content it computed (`…网关生成的验签字符串为：<content>`,
//! HTML-escaped). Compared with what the client signed (its logged sign content, or the content of
//! the request as sent), the difference names the cause: a parameter the gateway never received, an
//! empty parameter it dropped, a value re-encoded on the way, a charset mismatch. When both contents
//! are identical the content is fine and the key is the cause; the request's signature is then
//! checked against the app public key.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use alipay_openapi::keys::role::App;
use alipay_openapi::{sign_content, Charset, NotifyParams, PublicKey, SignType};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::output::Failure;
use crate::probe::{explain_request_signature, Finding};

/// The marker before the echoed content in the gateway's `sub_msg`.
const ECHO_MARKER: &str = "验签字符串为";
pub const INVALID_SIGNATURE: &str = "isv.invalid-signature";

/// Parameter names the gateway knows; used to split sign contents whose values contain `&`.
const KNOWN_PARAMS: &[&str] = &[
    "alipay_root_cert_sn",
    "alipay_sdk",
    "app_auth_token",
    "app_cert_sn",
    "app_id",
    "auth_token",
    "biz_content",
    "charset",
    "encrypt_type",
    "format",
    "method",
    "notify_url",
    "prod_code",
    "return_url",
    "sign_type",
    "terminal_info",
    "terminal_type",
    "timestamp",
    "version",
];

/// The gateway's answer, as far as diagnosis needs it (its signature is not checked here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub sub_code: Option<String>,
    pub sub_msg: String,
}

impl Answer {
    /// Reads a response body (any `*_response` node), or a bare `sub_msg` text.
    pub fn parse(text: &str) -> Self {
        let nodes = serde_json::from_str::<serde_json::Map<String, Value>>(text.trim()).ok();
        let node = nodes.as_ref().and_then(|members| {
            members.iter().filter(|(k, _)| k.ends_with("_response")).find_map(|(_, v)| v.as_object())
        });
        match node {
            Some(node) => Answer {
                sub_code: node.get("sub_code").and_then(Value::as_str).map(str::to_owned),
                sub_msg: node.get("sub_msg").and_then(Value::as_str).unwrap_or_default().to_owned(),
            },
            None => Answer { sub_code: None, sub_msg: text.trim().to_owned() },
        }
    }

    /// The sign content the gateway computed, if the answer echoes it.
    pub fn echoed_content(&self) -> Option<String> {
        let (_, rest) = self.sub_msg.split_once(ECHO_MARKER)?;
        let rest = rest.trim_start_matches(['：', ':', ' ']);
        Some(html_unescape(rest))
    }
}

/// Undoes the HTML escaping the gateway applies to `sub_msg` (`&amp;` between pairs).
fn html_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or_default());
        rest = rest.get(at..).unwrap_or_default();
        let entity = rest.get(1..).and_then(|r| r.find(';').filter(|&end| end <= 8).map(|end| (r.get(..end), end)));
        let decoded = entity.and_then(|(name, end)| {
            let ch = match name? {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                n => n
                    .strip_prefix("#x")
                    .or_else(|| n.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| n.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((ch, end + 2))
        });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = rest.get(len..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = rest.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// The request as it went over the wire.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Every parameter sent except `sign`, decoded once.
    pub params: BTreeMap<String, String>,
    pub sign: Option<String>,
    pub charset: Charset,
    /// Parameters sent both in the query and in the body.
    pub duplicates: Vec<String>,
}

impl Sent {
    /// Reads a request: an HTTP dump (`POST /gateway.do?… HTTP/1.1`, headers, blank line, body), a
    /// URL or query string optionally followed by a blank line and the body, or the JSON printed by
    /// `alipay sign --json`.
    pub fn parse(text: &str) -> Result<Self, Failure> {
        let text = text.trim_start();
        let (target, body) = if text.starts_with('{') {
            let value: Value = serde_json::from_str(text).map_err(|e| {
                Failure::bad_input("invalid_request", format!("the request file is not valid JSON: {e}"), REQUEST_FORMS)
            })?;
            let url = value
                .get("url")
                .and_then(Value::as_str)
                .ok_or_else(|| Failure::bad_input("invalid_request", "the request JSON has no `url`", REQUEST_FORMS))?;
            (url.to_owned(), value.get("body").and_then(Value::as_str).unwrap_or_default().to_owned())
        } else {
            let (head, body) = split_blank_line(text);
            let first = head.lines().next().unwrap_or_default().trim();
            let mut words = first.split_whitespace();
            let target = match (words.next(), words.next(), words.next()) {
                (Some(_), Some(target), Some(version)) if version.starts_with("HTTP/") => target,
                _ => first,
            };
            (target.to_owned(), body.trim_end_matches(['\r', '\n']).to_owned())
        };
        let query = match target.split_once('?') {
            Some((_, query)) => query,
            None if target.contains('=') => target.as_str(),
            None => "",
        };
        let query = query.split('#').next().unwrap_or_default();
        let decode = |bytes: &str, charset: Charset, part: &str| {
            NotifyParams::from_form(bytes.as_bytes(), charset).map_err(|e| {
                Failure::bad_input(
                    "invalid_request",
                    format!("the request's {part} is not form-encoded text: {e}"),
                    REQUEST_FORMS,
                )
            })
        };
        let query = decode(query, Charset::Utf8, "query string")?;
        let charset = query.charset();
        let body = decode(&body, charset, "body")?;
        let mut params = query.fields().clone();
        let mut duplicates = Vec::new();
        for (key, value) in body.fields() {
            if params.insert(key.clone(), value.clone()).is_some() {
                duplicates.push(key.clone());
            }
        }
        if params.is_empty() {
            return Err(Failure::bad_input("invalid_request", "the request holds no parameters", REQUEST_FORMS));
        }
        let sign = params.remove("sign");
        Ok(Sent { params, sign, charset, duplicates })
    }

    /// The sign content of everything sent, empty values included (as SDKs that sign what they send do).
    pub fn content(&self) -> String {
        sign_content(self.params.iter().map(|(k, v)| (k.as_str(), v.as_str())), &[], true)
    }

    fn declared_sign_type(&self) -> SignType {
        self.params.get("sign_type").and_then(|s| s.parse().ok()).unwrap_or_default()
    }
}

const REQUEST_FORMS: &str = "pass the request as sent: an HTTP dump (request line, headers, blank line, body), the \
                             URL (then a blank line and the form body), or the JSON of `alipay sign --json`";

fn split_blank_line(text: &str) -> (&str, &str) {
    for separator in ["\r\n\r\n", "\n\n"] {
        if let Some((head, body)) = text.split_once(separator) {
            return (head, body);
        }
    }
    (text, "")
}

/// Everything diagnosis can use; all optional but the answer.
pub struct Evidence {
    pub answer: Answer,
    /// What the client signed: its logged sign content, else the content of the request sent.
    pub client_content: Option<String>,
    pub sent: Option<Sent>,
    /// The app public key (uploaded on the console, or derived from the app private key).
    pub app_public_key: Option<PublicKey<App>>,
    /// Set when both an app private key and an uploaded public key were given and differ.
    pub pair_mismatch: Option<(String, String)>,
}

#[derive(Debug)]
pub struct Diagnosis {
    pub findings: Vec<Finding>,
    pub gateway_content: Option<String>,
    pub client_content: Option<String>,
    /// Per parameter: `=` same, `-` only in the client's, `+` only in the gateway's, `~` differs.
    pub diff: Vec<(char, String, String)>,
}

impl Diagnosis {
    pub fn render(&self) -> String {
        let mut text = String::new();
        if let Some(gateway) = &self.gateway_content {
            let _ = writeln!(text, "gateway's sign content:\n  {gateway}");
        }
        if let Some(client) = &self.client_content {
            let _ = writeln!(text, "your sign content:\n  {client}");
        }
        if let (Some(gateway), Some(client)) = (&self.gateway_content, &self.client_content) {
            match first_difference(client, gateway) {
                None => {
                    let _ = writeln!(text, "the two sign contents are identical");
                }
                Some(at) => {
                    let _ = writeln!(text, "first difference at character {at}");
                }
            }
        }
        if self.diff.iter().any(|(mark, _, _)| *mark != '=') {
            let _ = writeln!(text, "parameters (- yours only, + gateway's only, ~ different):");
            for (mark, key, detail) in &self.diff {
                let _ = writeln!(text, "  {mark} {key}{detail}");
            }
        }
        if self.findings.len() > 1 {
            let _ = writeln!(text, "likely causes, most likely first:");
        }
        for finding in &self.findings {
            text.push_str(&finding.render());
        }
        text
    }

    pub fn to_json(&self) -> Value {
        json!({
            "gateway_sign_content": self.gateway_content,
            "client_sign_content": self.client_content,
            "identical": self.gateway_content.is_some() && self.gateway_content == self.client_content,
            "diff": self.diff.iter().map(|(mark, key, detail)| {
                let kind = match mark { '-' => "client_only", '+' => "gateway_only", '~' => "different", _ => "same" };
                json!({"key": key, "kind": kind, "detail": detail.trim()})
            }).collect::<Vec<_>>(),
            "findings": self.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
        })
    }
}

fn first_difference(a: &str, b: &str) -> Option<usize> {
    let mut chars = a.chars().zip(b.chars()).enumerate();
    chars
        .find(|(_, (x, y))| x != y)
        .map(|(i, _)| i)
        .or_else(|| (a.chars().count() != b.chars().count()).then(|| a.chars().count().min(b.chars().count())))
}

/// Splits a sign content into pairs; a `&` starts a new pair only before a known parameter name,
/// so `&` inside values (JSON, URLs) stays in the value.
fn pairs(content: &str, known: &BTreeSet<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for piece in content.split('&') {
        let starts_pair = piece.split_once('=').filter(|(key, _)| known.contains(key) || out.is_empty());
        match (starts_pair, out.last_mut()) {
            (Some((key, value)), _) => out.push((key.to_owned(), value.to_owned())),
            (None, Some((_, value))) => {
                value.push('&');
                value.push_str(piece);
            }
            (None, None) => out.push((piece.to_owned(), String::new())),
        }
    }
    out
}

pub fn diagnose(evidence: &Evidence) -> Diagnosis {
    let gateway_content = evidence.answer.echoed_content();
    let client_content = evidence.client_content.clone().or_else(|| evidence.sent.as_ref().map(Sent::content));
    let mut findings = Vec::new();
    let mut diff = Vec::new();
    if let Some(sent) = &evidence.sent {
        for key in &sent.duplicates {
            findings.push(Finding::new(
                "duplicate_parameter",
                format!("`{key}` was sent both in the query string and in the body"),
                "send each parameter once: system parameters in the query, biz_content and API parameters in the body",
            ));
        }
    }
    match (&gateway_content, &client_content) {
        (Some(gateway), Some(client)) if gateway == client => findings.extend(key_findings(evidence, gateway, true)),
        (Some(gateway), Some(client)) => {
            let mut known: BTreeSet<&str> = KNOWN_PARAMS.iter().copied().collect();
            if let Some(sent) = &evidence.sent {
                known.extend(sent.params.keys().map(String::as_str));
            }
            let ours = pairs(client, &known);
            let theirs = pairs(gateway, &known);
            compare(&ours, &theirs, &mut findings, &mut diff);
        }
        (None, _) => {
            findings.push(Finding::new(
                "no_echo",
                "the answer does not echo the gateway's sign content, so the contents cannot be compared",
                "check, in this order: the app public key uploaded on the console is the pair of your private key \
                 (`alipay key inspect`); sign_type matches the key's setting; no parameter has an empty value; \
                 charset is in the URL query; biz_content is sent as signed",
            ));
            if let Some(client) = &client_content {
                findings.extend(key_findings(evidence, client, false));
            }
        }
        (Some(_), None) => findings.push(Finding::new(
            "no_request",
            "the gateway's sign content is known, but not what was signed",
            "pass the request as sent (--request) or the sign content your SDK logged (--sign-content)",
        )),
    }
    Diagnosis { findings, gateway_content, client_content, diff }
}

/// Compares pair by pair and names the cause of each difference.
fn compare(
    ours: &[(String, String)],
    theirs: &[(String, String)],
    findings: &mut Vec<Finding>,
    diff: &mut Vec<(char, String, String)>,
) {
    let our_map: BTreeMap<&str, &str> = ours.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let their_map: BTreeMap<&str, &str> = theirs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let keys: BTreeSet<&str> = our_map.keys().chain(their_map.keys()).copied().collect();
    for key in keys {
        match (our_map.get(key), their_map.get(key)) {
            (Some(ours), Some(theirs)) if ours == theirs => diff.push(('=', key.to_owned(), String::new())),
            (Some(ours), Some(theirs)) => {
                diff.push(('~', key.to_owned(), format!(": yours `{ours}`, gateway's `{theirs}`")));
                findings.push(value_difference(key, ours, theirs));
            }
            (Some(ours), None) => {
                diff.push(('-', key.to_owned(), format!("={ours}")));
                findings.push(only_ours(key, ours));
            }
            (None, Some(theirs)) => {
                diff.push(('+', key.to_owned(), format!("={theirs}")));
                findings.push(only_theirs(key));
            }
            (None, None) => {}
        }
    }
    if findings.is_empty() {
        let sorted = ours.windows(2).all(|w| matches!(w, [a, b] if a.0.as_bytes() <= b.0.as_bytes()));
        findings.push(if sorted {
            Finding::new(
                "join_format",
                "the same parameters and values, joined differently",
                "join as key=value pairs with `&`, no spaces, no quotes, no trailing `&`",
            )
        } else {
            Finding::new(
                "unsorted",
                "the same parameters, in another order: the sign content must be sorted by parameter name",
                "sort the pairs by key (byte order) before joining",
            )
        });
    }
    findings.sort_by_key(|f| CAUSE_ORDER.iter().position(|c| *c == f.cause).unwrap_or(CAUSE_ORDER.len()));
}

/// Most telling causes first: one of them usually explains the others.
const CAUSE_ORDER: &[&str] = &[
    "missing_biz_content",
    "charset",
    "empty_parameter",
    "url_encoding",
    "plus_as_space",
    "json_reserialized",
    "unsigned_sign_type",
    "missing_parameter",
    "unsigned_parameter",
    "whitespace",
    "value_changed",
    "duplicate_parameter",
];

fn only_ours(key: &str, value: &str) -> Finding {
    if value.is_empty() {
        return Finding::new(
            "empty_parameter",
            format!("you signed `{key}=` with an empty value; the gateway drops empty parameters from its content"),
            format!("do not send (or sign) `{key}` when it is empty"),
        );
    }
    if key == "biz_content" {
        return Finding::new(
            "missing_biz_content",
            "the gateway did not receive biz_content: it is in your sign content but not in the gateway's",
            "send biz_content as a field of an application/x-www-form-urlencoded body (not JSON, not multipart) \
             or in the query string, with Content-Type: application/x-www-form-urlencoded;charset=<charset>",
        );
    }
    Finding::new(
        "missing_parameter",
        format!("you signed `{key}` but the gateway did not receive it"),
        format!("send every signed parameter: `{key}` is missing from the request (or sent where the gateway does not read it)"),
    )
}

fn only_theirs(key: &str) -> Finding {
    if key == "sign_type" {
        return Finding::new(
            "unsigned_sign_type",
            "your sign content leaves out sign_type; the gateway signs it",
            "include sign_type in the sign content (only sign is left out)",
        );
    }
    Finding::new(
        "unsigned_parameter",
        format!("the gateway received `{key}` but your signature does not cover it"),
        format!("sign every parameter you send (except sign): add `{key}` before signing, not after"),
    )
}

fn value_difference(key: &str, ours: &str, theirs: &str) -> Finding {
    let skeleton = |s: &str| -> String { s.chars().filter(|c| c.is_ascii() && *c != '?').collect() };
    if !(ours.is_ascii() && theirs.is_ascii()) && skeleton(ours) == skeleton(theirs) {
        return Finding::new(
            "charset",
            format!(
                "`{key}` differs only in its non-ASCII characters: the gateway decoded your bytes in another charset"
            ),
            "put charset in the URL query string, percent-encode every value from its bytes in that charset, and send \
             Content-Type: application/x-www-form-urlencoded;charset=<the same charset>",
        );
    }
    if ours.replace('+', " ") == theirs {
        return Finding::new(
            "plus_as_space",
            format!("a `+` in `{key}` reached the gateway as a space: it was not percent-encoded"),
            "form-encode every value (`+` becomes %2B); use a form encoder rather than string concatenation",
        );
    }
    if percent_decode(ours).as_deref() == Some(theirs) {
        return Finding::new(
            "url_encoding",
            format!("you signed `{key}` URL-encoded; the gateway signs raw values"),
            "build the sign content from the raw values, and URL-encode only on the wire",
        );
    }
    if percent_decode(theirs).as_deref() == Some(ours) {
        return Finding::new(
            "url_encoding",
            format!("the gateway received `{key}` still percent-encoded: it was URL-encoded twice"),
            "URL-encode each value exactly once on the wire",
        );
    }
    if let (Ok(a), Ok(b)) = (serde_json::from_str::<Value>(ours), serde_json::from_str::<Value>(theirs)) {
        if a == b {
            return Finding::new(
                "json_reserialized",
                format!("`{key}` holds the same JSON but different text: it was serialized again after signing"),
                "serialize biz_content once; sign and send that exact text",
            );
        }
    }
    if ours.trim() == theirs.trim() {
        return Finding::new(
            "whitespace",
            format!("`{key}` differs in leading or trailing whitespace"),
            "trim values before signing, and send what you signed",
        );
    }
    Finding::new(
        "value_changed",
        format!("`{key}` differs: the value sent is not the value signed"),
        "build the parameters once, sign them, and send them unchanged (a timestamp or biz_content rebuilt after \
         signing differs)",
    )
}

/// Percent-decodes form text (`+` as space); `None` if the result is not UTF-8 or nothing changed.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains(['%', '+']) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| char::from(*c).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).ok()?);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// When the contents agree (or cannot be compared), the key or the signature is the cause.
fn key_findings(evidence: &Evidence, content: &str, echoed: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some((private, public)) = &evidence.pair_mismatch {
        findings.push(Finding::new(
            "key_mismatch",
            format!(
                "the app private key (public fingerprint {private}) and the app public key given (fingerprint {public}) \
                 are not a key pair"
            ),
            "upload the public key of the private key you sign with (`alipay key public private.pem`)",
        ));
    }
    match signature_check(evidence, content) {
        Some(Ok(fingerprint)) => {
            let app_id = evidence.sent.as_ref().and_then(|s| s.params.get("app_id")).cloned().unwrap_or_default();
            let agreed = if echoed { "the sign contents are identical and " } else { "" };
            findings.push(Finding::new(
                "console_key",
                format!(
                    "{agreed}the request's signature is valid for its sign content under the app public key \
                     (fingerprint {fingerprint}): the gateway holds another public key for app_id {app_id}"
                ),
                "upload this public key for this app_id on the console (接口加签方式, for the request's sign_type), in \
                 the environment you call (sandbox and production keys differ)",
            ));
        }
        Some(Err(finding)) => findings.push(finding),
        None if echoed && findings.is_empty() => findings.push(Finding::new(
            "key_mismatch",
            "the sign contents are identical, so the content is not the cause: the key is. The app public key uploaded \
             on the console is not the pair of the private key you sign with, or it was uploaded for another app_id, \
             environment (sandbox/production) or sign_type; or you uploaded the Alipay public key",
            "compare fingerprints with `alipay key inspect private.pem uploaded-public.txt`; pass --app-public-key \
             (the key on the console) and --request to check the request's signature",
        )),
        None => {}
    }
    findings
}

/// Checks the request's signature over `content` with the app public key, when both are known:
/// `Ok(fingerprint)` if it verifies, else the finding that says why not.
fn signature_check(evidence: &Evidence, content: &str) -> Option<Result<String, Finding>> {
    let (Some(key), Some(sent)) = (&evidence.app_public_key, &evidence.sent) else {
        return None;
    };
    let Some(sign) = &sent.sign else {
        return Some(Err(Finding::new(
            "missing_sign",
            "the request carries no `sign` parameter",
            "send sign in the query string, base64 and URL-encoded (`+` as %2B)",
        )));
    };
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(sign.as_bytes()) else {
        return Some(Err(Finding::new(
            "sign_encoding",
            "the request's `sign` is not standard base64 after URL-decoding (was a `+` sent unencoded?)",
            "URL-encode sign on the wire: `+` as %2B, `/` as %2F, `=` as %3D",
        )));
    };
    let bytes = sent.charset.encode("sign content", content).ok()?;
    Some(match explain_request_signature(key, sent.declared_sign_type(), &bytes, &signature) {
        None => Ok(key.fingerprint()),
        Some(finding) => Err(finding),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_the_gateway_echo() {
        assert_eq!(html_unescape("a=1&amp;b=&lt;x&gt;&amp;c=&#20013;&#x6587;&amp"), "a=1&b=<x>&c=中文&amp");
    }

    #[test]
    fn splits_only_before_known_names() {
        let known: BTreeSet<&str> = ["app_id", "biz_content", "notify_url"].into_iter().collect();
        let got = pairs(r#"app_id=1&biz_content={"a":"x&y=1"}&notify_url=https://e.com/n?a=1&b=2"#, &known);
        assert_eq!(
            got,
            vec![
                ("app_id".to_owned(), "1".to_owned()),
                ("biz_content".to_owned(), r#"{"a":"x&y=1"}"#.to_owned()),
                ("notify_url".to_owned(), "https://e.com/n?a=1&b=2".to_owned()),
            ]
        );
    }

    #[test]
    fn names_value_differences() {
        assert_eq!(value_difference("memo", "测试", "æµ\u{8bd5}").cause, "charset");
        assert_eq!(value_difference("memo", "a+b", "a b").cause, "plus_as_space");
        assert_eq!(value_difference("memo", "a%2Fb", "a/b").cause, "url_encoding");
        assert_eq!(value_difference("biz_content", r#"{"a":1,"b":2}"#, r#"{"b":2, "a":1}"#).cause, "json_reserialized");
        assert_eq!(value_difference("timestamp", "2024-05-13 17:49:20", "2024-05-13 17:49:21").cause, "value_changed");
    }
}
