//! `sign-v3`, `verify-v3` and `diagnose-v3`: OpenAPI v3 exchanges (docs/PROTOCOL.md §10), built and
//! checked by the core; on a failure, what else was tried and what it shows.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use alipay_openapi::keys::role::App;
use alipay_openapi::v3::{v3_response_sign_content, V3_AUTH_SCHEME};
use alipay_openapi::{
    AlipayPublicKey, AppPrivateKey, Client, ClientOptions, Config, PublicKey, SignType, SignedV3Request, V3Request,
    Verifier,
};
use base64::Engine as _;
use clap::Args;
use rand_core::RngCore as _;
use serde_json::{json, Value};

use crate::input;
use crate::output::{Failure, Report};
use crate::request::load_others;

#[derive(Debug, Args)]
pub struct SignV3Args {
    /// The APPID
    #[arg(long)]
    pub app_id: String,
    /// The app private key file (PEM or bare base64, PKCS#1 or PKCS#8)
    #[arg(long, value_name = "FILE")]
    pub app_key: PathBuf,
    /// The HTTP method
    #[arg(long, default_value = "POST")]
    pub http_method: String,
    /// The path, e.g. /v3/alipay/trade/query
    #[arg(long)]
    pub path: String,
    /// The JSON body, signed and sent byte for byte
    #[arg(long, value_name = "JSON", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the body from a file (`-` for stdin), exactly as it is
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// A query parameter, KEY=VALUE (repeatable, kept in order)
    #[arg(long = "query", value_name = "KEY=VALUE")]
    pub query: Vec<String>,
    /// alipay-app-auth-token (ISV calls)
    #[arg(long)]
    pub app_auth_token: Option<String>,
    /// The nonce (default: 32 random hex digits)
    #[arg(long)]
    pub nonce: Option<String>,
    /// alipay-request-id (default: 32 random hex digits)
    #[arg(long)]
    pub request_id: Option<String>,
    /// Milliseconds since the epoch (default: now)
    #[arg(long)]
    pub timestamp_ms: Option<u64>,
    /// `production`, `sandbox` or the base URL of a gateway (its path is replaced by the v3 path)
    #[arg(long, default_value = "production")]
    pub gateway: String,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default()
}

fn sign_request(args: &SignV3Args) -> Result<SignedV3Request, Failure> {
    let app_key: AppPrivateKey = input::private_key(&args.app_key, "app private key")?;
    let options =
        ClientOptions { app_id: args.app_id.clone(), gateway: Some(args.gateway.clone()), ..Default::default() };
    let client = options.parts().map_err(|e| Failure::from_core(&e, "the options"))?.into_client();
    let client = client.with_signer(Arc::new(app_key));
    let mut request = V3Request::new(&args.http_method, &args.path)
        .nonce(args.nonce.clone().unwrap_or_else(random_hex))
        .request_id(args.request_id.clone().unwrap_or_else(random_hex))
        .timestamp_millis(args.timestamp_ms.unwrap_or_else(now_millis));
    for pair in &args.query {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            Failure::bad_input("invalid_query", format!("--query `{pair}` is not KEY=VALUE"), "write --query key=value")
        })?;
        request = request.query(key, value);
    }
    if let Some(body) = &args.body {
        request = request.body(body.as_str());
    }
    if let Some(path) = &args.body_file {
        request = request.body(input::read_text(path, "body file")?);
    }
    if let Some(token) = &args.app_auth_token {
        request = request.app_auth_token(token.as_str());
    }
    client.sign_v3(&request).map_err(|e| Failure::from_core(&e, "the request"))
}

pub fn sign(args: &SignV3Args) -> Result<Report, Failure> {
    let signed = sign_request(args)?;
    let body = String::from_utf8_lossy(signed.body()).into_owned();
    let mut text = format!("sign content:\n{}\n", signed.sign_content());
    let mut curl = format!("curl -X {} '{}'", signed.http_method(), signed.url());
    for (name, value) in signed.headers() {
        let _ = writeln!(text, "{name}: {value}");
        let _ = write!(curl, " -H '{name}: {value}'");
    }
    if !body.is_empty() {
        let _ = write!(curl, " --data-binary '{}'", body.replace('\'', r"'\''"));
    }
    let _ = writeln!(text, "\n{curl}");
    let headers: serde_json::Map<String, Value> =
        signed.headers().iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
    Ok(Report::ok(
        text,
        json!({
            "method": signed.http_method(),
            "url": signed.url(),
            "headers": headers,
            "body": body,
            "signature": signed.signature(),
            "sign_content": signed.sign_content(),
            "curl": curl,
        }),
    ))
}

#[derive(Debug, Args)]
pub struct VerifyV3Args {
    /// The answer's body file, exactly as received (`-` for stdin)
    pub body: PathBuf,
    /// The answer's headers: `name: value` lines, as `curl -D` saves them (a status line is read too)
    #[arg(long, value_name = "FILE")]
    pub headers: PathBuf,
    /// The HTTP status (default: the status line of the headers file)
    #[arg(long)]
    pub status: Option<u16>,
    /// The Alipay public key file (支付宝公钥)
    #[arg(long, value_name = "FILE")]
    pub alipay_key: PathBuf,
    /// Another public key to test when the signature does not verify (repeatable)
    #[arg(long, value_name = "FILE")]
    pub other_key: Vec<PathBuf>,
}

/// `name: value` lines; a `HTTP/x y` line gives the status.
fn header_file(text: &str) -> (Option<u16>, Vec<(String, String)>) {
    let mut status = None;
    let mut headers = Vec::new();
    for line in text.lines().map(|line| line.trim_end_matches('\r')) {
        if let Some(rest) = line.strip_prefix("HTTP/") {
            status = rest.split_whitespace().nth(1).and_then(|code| code.parse().ok());
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    (status, headers)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

pub fn verify(args: &VerifyV3Args) -> Result<Report, Failure> {
    let key: AlipayPublicKey = input::public_key(&args.alipay_key, "Alipay public key")?;
    let others = load_others(&args.other_key)?;
    let body = input::read_bytes(&args.body)?;
    let (found_status, headers) = header_file(&input::read_text(&args.headers, "headers file")?);
    let status = args.status.or(found_status).ok_or_else(|| {
        Failure::bad_input("missing_status", "no --status and no HTTP status line in the headers file", "pass --status")
    })?;
    let client = Client::without_keys(Config::new("verify-only")).with_alipay_public_key(key.clone());
    match client.verify_v3_response(status, &headers, &body) {
        Ok(response) => Ok(Report::ok(
            format!(
                "verified: the answer is signed by the Alipay key (fingerprint {})\n{}\n",
                key.fingerprint(),
                response.body()
            ),
            json!({"verified": true, "status": status, "trace_id": response.trace_id(), "response": response.value()}),
        )),
        Err(error) => {
            let findings = explain_answer(&headers, &body, &key, &others);
            let mut text = format!("rejected: {error}\n");
            for finding in &findings {
                let _ = writeln!(text, "- {finding}");
            }
            Ok(Report::rejected(text, json!({"verified": false, "error_code": error.code(), "findings": findings})))
        }
    }
}

/// What the signature does verify, when it does not verify as received.
fn explain_answer(
    headers: &[(String, String)],
    body: &[u8],
    key: &AlipayPublicKey,
    others: &[crate::probe::OtherKey],
) -> Vec<String> {
    let (Some(timestamp), Some(nonce), Some(signature)) =
        (header(headers, "alipay-timestamp"), header(headers, "alipay-nonce"), header(headers, "alipay-signature"))
    else {
        return vec![
            "the answer lacks alipay-timestamp, alipay-nonce or alipay-signature: save the headers with `curl -D`"
                .to_owned(),
        ];
    };
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(signature) else {
        return vec!["alipay-signature is not base64".to_owned()];
    };
    let checks = |body: &[u8], verifier: &dyn Verifier| {
        verifier.verify(SignType::Rsa2, &v3_response_sign_content(timestamp, nonce, body), &signature).is_ok()
    };
    let mut findings = Vec::new();
    if let Some(other) = others.iter().find(|other| checks(body, &other.key)) {
        findings.push(format!(
            "it verifies with {} (fingerprint {}): that is the key that signed it, not the configured one",
            other.path.display(),
            other.key.fingerprint()
        ));
    }
    let trimmed = body.trim_ascii_end();
    if trimmed.len() != body.len() && checks(trimmed, key) {
        findings.push(
            "it verifies without the trailing line break of the body file: the body was changed when it was saved"
                .to_owned(),
        );
    }
    let compact = without_json_whitespace(body);
    if compact != body && checks(&compact, key) {
        findings.push("it verifies over the body without its layout whitespace: verify the exact bytes received, never a parsed and re-serialized body".to_owned());
    }
    if findings.is_empty() {
        findings.push("no variant of the body and no other key verifies: the body or a signed header was changed, or it was signed by a key not given".to_owned());
    }
    findings
}

/// JSON text without the whitespace between tokens (what a pretty-printer adds), members kept in order.
fn without_json_whitespace(json: &[u8]) -> Vec<u8> {
    let (mut out, mut in_string, mut escaped) = (Vec::with_capacity(json.len()), false, false);
    for &byte in json {
        if in_string {
            (escaped, in_string) = (!escaped && byte == b'\\', escaped || byte != b'"');
        } else if byte == b'"' {
            in_string = true;
        } else if byte.is_ascii_whitespace() {
            continue;
        }
        out.push(byte);
    }
    out
}

#[derive(Debug, Args)]
pub struct DiagnoseV3Args {
    /// The request as sent: the request line, the headers, a blank line and the body
    #[arg(long, value_name = "FILE")]
    pub request: PathBuf,
    /// The app public key uploaded on the console (or --app-key, whose public half is used)
    #[arg(long, value_name = "FILE", required_unless_present = "app_key")]
    pub app_public_key: Option<PathBuf>,
    /// The app private key the request was signed with
    #[arg(long, value_name = "FILE")]
    pub app_key: Option<PathBuf>,
}

/// A v3 request as a dump holds it.
struct Sent {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn parse_request(dump: &[u8]) -> Option<Sent> {
    let split = dump.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4));
    let (end, gap) = split.or_else(|| dump.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)))?;
    let head = std::str::from_utf8(dump.get(..end)?).ok()?;
    let mut lines = head.lines().map(|line| line.trim_end_matches('\r'));
    let mut request_line = lines.next()?.split_whitespace();
    let (method, target) = (request_line.next()?.to_owned(), request_line.next()?.to_owned());
    let target = match target.find("://") {
        Some(scheme) => target[scheme + 3..].find('/').map(|p| target[scheme + 3 + p..].to_owned())?,
        None => target,
    };
    let headers = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()));
    Some(Sent { method, target, headers: headers.collect(), body: dump.get(end + gap..)?.to_vec() })
}

pub fn diagnose(args: &DiagnoseV3Args) -> Result<Report, Failure> {
    let key: PublicKey<App> = match (&args.app_public_key, &args.app_key) {
        (Some(path), _) => input::public_key(path, "app public key")?,
        (None, Some(path)) => input::private_key::<App>(path, "app private key")?.public_key(),
        (None, None) => {
            return Err(Failure::bad_input(
                "missing_key",
                "give --app-public-key or --app-key",
                "pass the key pair's public half",
            ))
        }
    };
    let dump = input::read_bytes(&args.request)?;
    let bad_dump = || {
        Failure::bad_input(
            "invalid_request_dump",
            "the request file is not an HTTP request (request line, headers, blank line, body)",
            "save the request as sent, e.g. with `curl -v` or a proxy",
        )
    };
    let sent = parse_request(&dump).ok_or_else(bad_dump)?;
    let (verified, findings) = diagnose_sent(&sent, &key);
    let text = findings.iter().map(|f| format!("- {f}\n")).collect::<String>();
    let json = json!({"signature_verifies": verified, "findings": findings});
    Ok(if verified { Report::ok(text, json) } else { Report::rejected(text, json) })
}

/// Whether the signature verifies over what the gateway computes, and what was found.
fn diagnose_sent(sent: &Sent, key: &PublicKey<App>) -> (bool, Vec<String>) {
    let Some(authorization) = header(&sent.headers, "authorization") else {
        return (false, vec!["the request has no authorization header".to_owned()]);
    };
    let Some(auth) = authorization.strip_prefix(V3_AUTH_SCHEME).map(str::trim_start) else {
        let scheme = authorization.split(' ').next().unwrap_or_default();
        return (false, vec![format!("authorization must start with `{V3_AUTH_SCHEME} `; it starts with `{scheme}`")]);
    };
    let Some((auth_string, signature)) = auth.rsplit_once(",sign=") else {
        return (false, vec!["authorization has no `,sign=` member at its end".to_owned()]);
    };
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(signature) else {
        return (false, vec!["the sign member of authorization is not base64".to_owned()]);
    };
    let token = header(&sent.headers, "alipay-app-auth-token");
    let content = |target: &str, body: &[u8], token: Option<&str>| {
        let mut content = format!("{auth_string}\n{}\n{target}\n", sent.method).into_bytes();
        content.extend_from_slice(body);
        content.push(b'\n');
        if let Some(token) = token {
            content.extend_from_slice(format!("{token}\n").as_bytes());
        }
        content
    };
    let checks = |bytes: &[u8]| key.verify(SignType::Rsa2, bytes, &signature).is_ok();
    let expected = content(&sent.target, &sent.body, token);
    if checks(&expected) {
        return (
            true,
            vec![
                format!("the signature verifies over the sign content the gateway computes, with the key of fingerprint {}", key.fingerprint()),
                "so the gateway holds another app public key for this app_id (check the console), or app_id names another app".to_owned(),
            ],
        );
    }
    let path_only = sent.target.split('?').next().unwrap_or_default();
    let variants: [(&str, Vec<u8>); 4] = [
        (
            "without the query string in the signed path: sign the path with its query, exactly as sent",
            content(path_only, &sent.body, token),
        ),
        (
            "over the body without its trailing line break: the body sent differs from the body signed",
            content(&sent.target, sent.body.trim_ascii_end(), token),
        ),
        (
            "without the app_auth_token line: a sent alipay-app-auth-token must also end the sign content",
            content(&sent.target, &sent.body, None),
        ),
        ("with an empty body: the body was added or changed after signing", content(&sent.target, b"", token)),
    ];
    let mut findings: Vec<String> = variants
        .iter()
        .filter(|(_, bytes)| checks(bytes))
        .map(|(why, _)| format!("the signature verifies {why}"))
        .collect();
    if findings.is_empty() {
        findings.push(format!(
            "the signature does not verify with the key of fingerprint {} over any variant: it was made with another private key, or over other text",
            key.fingerprint()
        ));
    }
    findings.push(format!("the sign content the gateway computes:\n{}", String::from_utf8_lossy(&expected)));
    (false, findings)
}
