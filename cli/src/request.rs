//! `sign` and `call`: build the signed request for any method (generic path: method + biz_content),
//! print it, and (for `call`) send it over HTTP and verify the answer.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_openapi::{
    AlipayPublicKey, AppPrivateKey, BizContent, Charset, Client, ClientOptions, Error, Gateway, RequestOptions,
    SignType, SignedRequest, Timestamp,
};
use clap::Args;
use serde_json::{json, Value};

use crate::diagnose::{self, Answer, Evidence, Sent, INVALID_SIGNATURE};
use crate::input;
use crate::output::{Failure, FailureKind, Report};
use crate::probe::{self, OtherKey, ResponseCheck};

/// The port of the local development gateway (`alipay gateway`), where `--gateway local` points.
pub const LOCAL_GATEWAY_PORT: u16 = 8721;

/// What a request is built from.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The gateway method, e.g. alipay.marketing.voucher.send
    #[arg(long)]
    pub method: String,
    /// The APPID
    #[arg(long)]
    pub app_id: String,
    /// The app private key file (PEM or bare base64, PKCS#1 or PKCS#8)
    #[arg(long, value_name = "FILE")]
    pub app_key: PathBuf,
    /// biz_content JSON text, signed and sent byte for byte
    #[arg(long, value_name = "JSON", conflicts_with = "biz_file")]
    pub biz_content: Option<String>,
    /// Read biz_content from a file (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    pub biz_file: Option<PathBuf>,
    /// Another parameter, KEY=VALUE (repeatable): notify_url, return_url, app_auth_token or an API parameter
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// utf-8 or GBK
    #[arg(long, default_value = "utf-8")]
    pub charset: String,
    /// RSA2 (SHA256withRSA) or RSA (SHA1withRSA)
    #[arg(long, default_value = "RSA2")]
    pub sign_type: String,
    /// The timestamp to sign, `yyyy-MM-dd HH:mm:ss` Beijing time (default: now)
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Where the request goes: a URL, `production`, `sandbox` or `local`
    #[arg(long, default_value = "local")]
    pub gateway: String,
    /// Leave out `format=json` (as the Node SDK does)
    #[arg(long)]
    pub no_format: bool,
}

pub fn charset_arg(text: &str) -> Result<Charset, Failure> {
    text.parse().map_err(|e| Failure::from_core(&e, "--charset"))
}

pub fn sign_type_arg(text: &str) -> Result<SignType, Failure> {
    text.parse().map_err(|e| Failure::from_core(&e, "--sign-type"))
}

/// `local` (the CLI's own gateway command), or what the core's options take: `production`,
/// `sandbox` or an http(s) URL.
fn gateway_arg(text: &str) -> Result<Gateway, Failure> {
    if text == "local" {
        return Ok(Gateway::Custom(format!("http://127.0.0.1:{LOCAL_GATEWAY_PORT}/gateway.do")));
    }
    text.parse().map_err(|e| Failure::from_core(&e, "--gateway"))
}

fn now() -> Timestamp {
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
    Timestamp::from_unix_millis(i64::try_from(millis).unwrap_or(i64::MAX))
}

/// A signed request and what made it.
pub struct Built {
    pub client: Client,
    pub app_key: AppPrivateKey,
    pub method: String,
    pub signed: SignedRequest,
}

pub fn build(args: &RequestArgs, alipay_key: Option<AlipayPublicKey>) -> Result<Built, Failure> {
    let app_key: AppPrivateKey = input::private_key(&args.app_key, "app private key")?;
    let gateway = match gateway_arg(&args.gateway)? {
        Gateway::Custom(url) => url,
        named => named.url().to_owned(),
    };
    let options = ClientOptions {
        app_id: args.app_id.clone(),
        charset: Some(args.charset.clone()),
        sign_type: Some(args.sign_type.clone()),
        gateway: Some(gateway),
        format: args.no_format.then_some(None),
        ..ClientOptions::default()
    };
    let parts = options.parts().map_err(|e| Failure::from_core(&e, "the options"))?;
    let mut client = parts.into_client().with_signer(Arc::new(app_key.clone()));
    if let Some(key) = alipay_key {
        client = client.with_alipay_public_key(key);
    }
    let mut request = RequestOptions { method: args.method.clone(), ..RequestOptions::default() };
    request.biz_content = match (&args.biz_content, &args.biz_file) {
        (Some(text), _) => Some(BizContent::Text(text.clone())),
        (None, Some(path)) => Some(BizContent::Text(
            input::read_text(path, "biz_content file")?.trim_end_matches(['\r', '\n']).to_owned(),
        )),
        (None, None) => None,
    };
    for param in &args.params {
        let Some((key, value)) = param.split_once('=') else {
            return Err(Failure::bad_input(
                "invalid_field",
                format!("--param `{param}` is not KEY=VALUE"),
                "write it as --param notify_url=https://example.com/notify",
            ));
        };
        request.params.insert(key.to_owned(), value.to_owned());
    }
    let timestamp = match &args.timestamp {
        Some(text) => {
            Timestamp::parse_beijing("--timestamp", text).map_err(|e| Failure::from_core(&e, "--timestamp"))?
        }
        None => now(),
    };
    let request = request.to_request().map_err(|e| Failure::from_core(&e, "the request"))?;
    let signed = client.sign(&request, timestamp).map_err(|e| Failure::from_core(&e, "the request"))?;
    Ok(Built { client, app_key, method: args.method.clone(), signed })
}

/// Quotes for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

pub fn curl_command(signed: &SignedRequest) -> String {
    let mut command = format!("curl -sS -X {} {}", signed.method(), shell_quote(signed.url()));
    for (name, value) in signed.headers() {
        let _ = write!(command, " -H {}", shell_quote(&format!("{name}: {value}")));
    }
    let body = String::from_utf8_lossy(signed.body());
    let _ = write!(command, " --data-binary {}", shell_quote(&body));
    command
}

fn request_json(built: &Built) -> Value {
    let signed = &built.signed;
    json!({
        "method": built.method,
        "sign_content": signed.sign_content(),
        "signature": signed.signature(),
        "sign_type": built.client.config().sign_type.as_str(),
        "charset": built.client.config().charset.as_str(),
        "params": signed.params(),
        "url": signed.url(),
        "headers": signed.headers().iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "body": String::from_utf8_lossy(signed.body()),
        "curl": curl_command(signed),
    })
}

fn request_text(built: &Built) -> String {
    let signed = &built.signed;
    let config = built.client.config();
    format!(
        "sign content ({}, {} bytes):\n{}\n\nsignature ({}):\n{}\n\nrequest:\n{}\n",
        config.charset,
        config.charset.encode("sign content", signed.sign_content()).map(|b| b.len()).unwrap_or_default(),
        signed.sign_content(),
        config.sign_type,
        signed.signature(),
        curl_command(signed)
    )
}

pub fn sign(args: &RequestArgs) -> Result<Report, Failure> {
    let built = build(args, None)?;
    Ok(Report::ok(request_text(&built), request_json(&built)))
}

/// `call`'s own options.
#[derive(Debug, Args)]
pub struct CallArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// The Alipay public key file (支付宝公钥) that verifies the answer
    #[arg(long, value_name = "FILE")]
    pub alipay_key: PathBuf,
    /// Another public key to test when the answer does not verify (repeatable)
    #[arg(long, value_name = "FILE")]
    pub other_key: Vec<PathBuf>,
    /// Seconds to wait for the gateway
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

pub fn load_others(paths: &[PathBuf]) -> Result<Vec<OtherKey>, Failure> {
    paths.iter().map(|path| Ok(OtherKey { path: path.clone(), key: input::public_key(path, "--other-key")? })).collect()
}

fn send(signed: &SignedRequest, timeout: u64) -> Result<(u16, Vec<u8>), Failure> {
    let url = signed.url();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(timeout)))
        .build()
        .into();
    let mut request = agent.post(url);
    for (name, value) in signed.headers() {
        request = request.header(name, value);
    }
    let unreachable = |e: ureq::Error| Failure {
        kind: FailureKind::Unreachable,
        code: "unreachable".to_owned(),
        message: format!("could not reach {}: {e}", url.split('?').next().unwrap_or_default()),
        fix: "check the URL and that the gateway is running (start a local one with `alipay gateway`)".to_owned(),
    };
    let mut response = request.send(signed.body()).map_err(unreachable)?;
    let status = response.status().as_u16();
    let body = response.body_mut().with_config().limit(16 * 1024 * 1024).read_to_vec().map_err(unreachable)?;
    Ok((status, body))
}

pub fn call(args: &CallArgs) -> Result<Report, Failure> {
    let alipay_key: AlipayPublicKey = input::public_key(&args.alipay_key, "Alipay public key")?;
    let others = load_others(&args.other_key)?;
    let built = build(&args.request, Some(alipay_key.clone()))?;
    let (status, body) = send(&built.signed, args.timeout)?;
    let mut text = request_text(&built);
    let _ = writeln!(text, "\nHTTP {status}, {} bytes:\n{}\n", body.len(), String::from_utf8_lossy(&body));
    let mut json = serde_json::Map::new();
    json.insert("request".to_owned(), request_json(&built));
    json.insert("http_status".to_owned(), Value::from(status));
    json.insert("body".to_owned(), Value::from(String::from_utf8_lossy(&body)));
    let config = built.client.config();
    let verified = built.client.verify_response(&built.method, &body);
    let (gateway_error, verified_flag) = match &verified {
        Ok(answer) if answer.is_success() => {
            let _ = writeln!(text, "verified: {} code={} msg={}", answer.node_key(), answer.code(), answer.msg());
            json.insert("verified".to_owned(), Value::Bool(true));
            json.insert("response".to_owned(), Value::Object(answer.value().clone()));
            return Ok(Report::ok(text, Value::Object(json)));
        }
        Ok(answer) => {
            json.insert("response".to_owned(), Value::Object(answer.value().clone()));
            (
                Some((
                    answer.code().to_owned(),
                    answer.sub_code().map(str::to_owned),
                    answer.sub_msg().map(str::to_owned),
                )),
                true,
            )
        }
        Err(Error::UnsignedGatewayError(g)) => (Some((g.code.clone(), g.sub_code.clone(), g.sub_msg.clone())), false),
        Err(_) => (None, false),
    };
    json.insert("verified".to_owned(), Value::Bool(verified_flag));
    if let Some((code, sub_code, sub_msg)) = gateway_error {
        let trust = if verified_flag { "verified" } else { "UNSIGNED (unverified)" };
        let _ = writeln!(
            text,
            "rejected: the gateway answered an error ({trust}): code={code} sub_code={} sub_msg={}",
            sub_code.as_deref().unwrap_or("-"),
            sub_msg.as_deref().unwrap_or("-")
        );
        if sub_code.as_deref() == Some(INVALID_SIGNATURE) {
            let evidence = Evidence {
                answer: Answer { sub_code, sub_msg: sub_msg.unwrap_or_default() },
                client_content: Some(built.signed.sign_content().to_owned()),
                sent: Some(Sent {
                    params: built.signed.params().clone(),
                    sign: Some(built.signed.signature().to_owned()),
                    charset: config.charset,
                    duplicates: Vec::new(),
                }),
                app_public_key: Some(built.app_key.public_key()),
                pair_mismatch: None,
            };
            let diagnosis = diagnose::diagnose(&evidence);
            text.push_str(&diagnosis.render());
            json.insert("diagnosis".to_owned(), diagnosis.to_json());
        }
        return Ok(Report::rejected(text, Value::Object(json)));
    }
    if let Err(error) = &verified {
        let check = ResponseCheck {
            body: &body,
            method: &built.method,
            charset: config.charset,
            sign_type: config.sign_type,
            key: &alipay_key,
            others: &others,
        };
        let finding = probe::explain_response(&check, error);
        let _ = writeln!(text, "rejected: the answer does not verify ({})", error.code());
        text.push_str(&finding.render());
        json.insert("error_code".to_owned(), Value::from(error.code()));
        json.insert("finding".to_owned(), finding.to_json());
    }
    Ok(Report::rejected(text, Value::Object(json)))
}
