//! One request, start to end: the gateway's checks in order, the business call, faults, and the
//! response body signed with the gateway key (PROTOCOL.md §1-§3).

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;

use alipay_openapi::keys::role;
use alipay_openapi::{
    response_node_key, sign_content, sign_response_body, Charset, PrivateKey, PublicKey, SignType, Timestamp, Verifier,
};
use base64::Engine as _;
use serde_json::Value;

use crate::business::{self, Partner, METHODS};
use crate::config::{Clock, GatewayConfig};
use crate::fault::Fault;
use crate::store::{Failure, Store};
use crate::wire::{read_params, Params};

/// A gateway `code` and its fixed `msg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    Success,
    Unavailable,
    MissingArguments,
    InvalidArguments,
    BusinessFailed,
}

impl Code {
    fn code_and_msg(self) -> (&'static str, &'static str) {
        match self {
            Code::Success => ("10000", "Success"),
            Code::Unavailable => ("20000", "Service Currently Unavailable"),
            Code::MissingArguments => ("40001", "Missing Required Arguments"),
            Code::InvalidArguments => ("40002", "Invalid Arguments"),
            Code::BusinessFailed => ("40004", "Business Failed"),
        }
    }
}

/// A gateway error: `code`, `sub_code`, `sub_msg`.
#[derive(Debug)]
struct Rejection {
    code: Code,
    sub_code: &'static str,
    sub_msg: String,
}

fn reject(code: Code, sub_code: &'static str, sub_msg: impl Into<String>) -> Rejection {
    Rejection { code, sub_code, sub_msg: sub_msg.into() }
}

/// How a response is signed: in the request's charset, with its sign type.
#[derive(Debug, Clone, Copy)]
struct Signing {
    charset: Charset,
    sign_type: SignType,
}

/// A response, before it is written: the node member and its JSON text.
#[derive(Debug)]
struct Reply {
    node_key: String,
    node: String,
    /// `None`: unsigned, as for an app the gateway cannot identify.
    signing: Option<Signing>,
}

/// What goes back on the wire.
#[derive(Debug)]
pub(crate) struct Answer {
    pub body: Vec<u8>,
    pub charset: Charset,
}

/// The running state shared by all requests.
pub(crate) struct Gateway {
    app_id: String,
    app_key: PublicKey<role::App>,
    signer: PrivateKey<role::Alipay>,
    partner: Partner,
    timestamp_tolerance: Option<std::time::Duration>,
    clock: Clock,
    store: Store,
    faults: Vec<Fault>,
    /// Attempts seen per business key, for `fail-first=N`.
    attempts: Mutex<HashMap<String, u32>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway").field("app_id", &self.app_id).finish_non_exhaustive()
    }
}

impl Gateway {
    pub fn new(config: &GatewayConfig) -> io::Result<Gateway> {
        let invalid =
            |what: &str, e: alipay_openapi::Error| io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {e}"));
        Ok(Gateway {
            app_id: config.app_id.clone(),
            app_key: PublicKey::parse(&config.app_public_key).map_err(|e| invalid("app public key", e))?,
            signer: PrivateKey::parse(&config.gateway_private_key).map_err(|e| invalid("gateway private key", e))?,
            partner: Partner { id: config.partner_id.clone(), name: config.partner_name.clone() },
            timestamp_tolerance: config.timestamp_tolerance,
            clock: config.clock.clone(),
            store: Store::open(&config.database, &config.fixtures)?,
            faults: config.faults.clone(),
            attempts: Mutex::new(HashMap::new()),
        })
    }

    /// The configured faults followed by the request's own.
    pub fn faults_with(&self, extra: Vec<Fault>) -> Vec<Fault> {
        self.faults.iter().copied().chain(extra).collect()
    }

    /// Answers one request: `query` is the raw URL query, `body` the raw form body (empty if none).
    pub fn process(&self, query: &[u8], body: &[u8], faults: &[Fault]) -> Answer {
        let params = read_params(query, body);
        let method = params.get("method").filter(|m| looks_like_method(m));
        let node_key = method.map_or_else(|| "error_response".to_owned(), response_node_key);
        // Without a known app there is no key to sign with: such errors go out unsigned.
        let app_error = match params.get("app_id") {
            None => Some(reject(Code::MissingArguments, "isv.missing-app-id", "缺少AppID参数")),
            Some(app_id) if app_id != self.app_id => {
                Some(reject(Code::InvalidArguments, "isv.invalid-app-id", "无效的AppID参数"))
            }
            Some(_) => None,
        };
        if let Some(rejection) = app_error {
            return self.write(error_reply(node_key, &rejection, None), params.charset, &[]);
        }
        let signing = Signing {
            charset: params.charset,
            sign_type: params.get("sign_type").and_then(|s| s.parse().ok()).unwrap_or_default(),
        };
        let reply = match self.check(&params) {
            Err(rejection) => error_reply(node_key, &rejection, Some(signing)),
            Ok(method) => match self.before_processing(method, &params, faults) {
                Some(rejection) => error_reply(node_key, &rejection, Some(signing)),
                None if faults.contains(&Fault::UnsignedError) => {
                    error_reply(node_key, &reject(Code::Unavailable, "aop.unknow-error", "系统繁忙"), None)
                }
                None => self.run(method, &params, signing),
            },
        };
        self.write(reply, signing.charset, faults)
    }

    /// The gateway's own checks, in order; returns the method on success.
    fn check<'p>(&self, params: &'p Params) -> Result<&'p str, Rejection> {
        if let Some(charset) = &params.unsupported_charset {
            return Err(reject(
                Code::InvalidArguments,
                "isv.invalid-charset",
                format!("无效的字符集{charset}，目前支持格式：GBK,UTF-8"),
            ));
        }
        if let Some(key) = &params.duplicate {
            return Err(reject(Code::InvalidArguments, "isv.invalid-parameter", format!("参数{key}重复")));
        }
        let method = params
            .get("method")
            .ok_or_else(|| reject(Code::MissingArguments, "isv.missing-method", "缺少方法名参数"))?;
        let method = METHODS
            .iter()
            .copied()
            .find(|m| *m == method)
            .ok_or_else(|| reject(Code::InvalidArguments, "isv.invalid-method", "不存在的方法名"))?;
        if params.get("version").is_none() {
            return Err(reject(Code::MissingArguments, "isv.missing-version", "缺少版本参数"));
        }
        if params.get("format").is_some_and(|f| !f.eq_ignore_ascii_case("json")) {
            return Err(reject(Code::InvalidArguments, "isv.invalid-format", "无效的数据格式参数"));
        }
        let sign_type: SignType = params
            .get("sign_type")
            .ok_or_else(|| reject(Code::MissingArguments, "isv.missing-signature-type", "缺少签名类型参数"))?
            .parse()
            .map_err(|_| reject(Code::InvalidArguments, "isv.invalid-signature-type", "无效的签名类型参数"))?;
        let sign = params
            .get("sign")
            .ok_or_else(|| reject(Code::MissingArguments, "isv.missing-signature", "缺少签名参数"))?;
        let timestamp = params
            .get("timestamp")
            .ok_or_else(|| reject(Code::MissingArguments, "isv.missing-timestamp", "缺少时间戳参数"))?;
        let bad_timestamp = || reject(Code::InvalidArguments, "isv.invalid-timestamp", "非法的时间戳参数");
        let sent_at = Timestamp::parse_beijing("timestamp", timestamp).map_err(|_| bad_timestamp())?;
        if let Some(tolerance) = self.timestamp_tolerance {
            let skew = sent_at.unix_secs().abs_diff(self.clock.now().unix_secs());
            if skew > tolerance.as_secs() {
                return Err(bad_timestamp());
            }
        }
        if params.get("encrypt_type").is_some() {
            return Err(reject(
                Code::InvalidArguments,
                "isv.invalid-encrypt-type",
                "应用未设置AES密钥，不支持接口内容加密",
            ));
        }
        let content = sign_content(params.values.iter().map(|(k, v)| (k.as_str(), v.as_str())), &[], false);
        let verified = !params.lossy
            && match (
                params.charset.encode("sign content", &content),
                base64::engine::general_purpose::STANDARD.decode(sign),
            ) {
                (Ok(bytes), Ok(signature)) => self.app_key.verify(sign_type, &bytes, &signature).is_ok(),
                _ => false,
            };
        if !verified {
            return Err(reject(
                Code::InvalidArguments,
                "isv.invalid-signature",
                format!("验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{content}"),
            ));
        }
        Ok(method)
    }

    /// Faults that answer instead of processing: `unknown-error` and `fail-first=N`.
    fn before_processing(&self, method: &str, params: &Params, faults: &[Fault]) -> Option<Rejection> {
        let busy = || reject(Code::Unavailable, "isp.unknow-error", "系统繁忙");
        if faults.contains(&Fault::UnknownError) {
            return Some(busy());
        }
        let fail_first = faults.iter().find_map(|f| match f {
            Fault::FailFirst(n) => Some(*n),
            _ => None,
        })?;
        let key = business::business_key(method, params.get("biz_content"));
        let mut attempts = self.attempts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let seen = attempts.entry(key).or_insert(0);
        if *seen < fail_first {
            *seen += 1;
            return Some(busy());
        }
        None
    }

    fn run(&self, method: &str, params: &Params, signing: Signing) -> Reply {
        let node_key = response_node_key(method);
        match business::handle(&self.store, method, params.get("biz_content"), self.clock.now(), &self.partner) {
            Ok(fields) => Reply { node_key, node: node_json(Code::Success, None, &fields), signing: Some(signing) },
            Err(Failure::Business { sub_code, sub_msg }) => {
                error_reply(node_key, &reject(Code::BusinessFailed, sub_code, sub_msg), Some(signing))
            }
            Err(Failure::System(_)) => {
                error_reply(node_key, &reject(Code::Unavailable, "isp.unknow-error", "系统繁忙"), Some(signing))
            }
        }
    }

    /// Lays the reply out as PROTOCOL.md §3.1 says, then applies the faults that damage answers.
    fn write(&self, mut reply: Reply, charset: Charset, faults: &[Fault]) -> Answer {
        if faults.contains(&Fault::WrongNode) && reply.node_key != "error_response" {
            let other = METHODS.iter().map(|m| response_node_key(m)).find(|k| *k != reply.node_key);
            reply.node_key = other.unwrap_or_default();
        }
        let node = encodable(charset, &reply.node);
        let mut body = match reply.signing {
            Some(s) => match sign_response_body(&reply.node_key, &node, None, s.charset, s.sign_type, &self.signer) {
                Ok(body) => body,
                Err(_) => unsigned_body(&reply.node_key, &encodable(Charset::Utf8, &node), Charset::Utf8),
            },
            None => unsigned_body(&reply.node_key, &node, charset),
        };
        if reply.signing.is_some() {
            if faults.contains(&Fault::BadSignature) {
                flip_signature(&mut body);
            }
            if faults.contains(&Fault::Tampered) {
                tamper_node(&mut body);
            }
        }
        if faults.contains(&Fault::Truncated) {
            body.truncate(body.len() / 2);
        }
        Answer { body, charset }
    }
}

fn looks_like_method(m: &str) -> bool {
    m.len() <= 128
        && m.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

fn error_reply(node_key: String, rejection: &Rejection, signing: Option<Signing>) -> Reply {
    let node = node_json(rejection.code, Some((rejection.sub_code, &rejection.sub_msg)), &[]);
    Reply { node_key, node, signing }
}

/// `{"code":…,"msg":…[,"sub_code":…,"sub_msg":…],…fields}`, with `/` written `\/` as the gateway does.
fn node_json(code: Code, sub: Option<(&str, &str)>, fields: &[(&str, Value)]) -> String {
    let (code, msg) = code.code_and_msg();
    let mut members: Vec<(&str, Value)> = vec![("code", Value::from(code)), ("msg", Value::from(msg))];
    if let Some((sub_code, sub_msg)) = sub {
        members.push(("sub_code", Value::from(sub_code)));
        members.push(("sub_msg", Value::from(sub_msg)));
    }
    members.extend(fields.iter().cloned());
    let inner: Vec<String> = members.iter().map(|(k, v)| format!("{}:{v}", Value::from(*k))).collect();
    // serde_json writes `/` only inside strings, so this escapes exactly the string slashes.
    format!("{{{}}}", inner.join(",")).replace('/', "\\/")
}

/// The text with every character `charset` cannot encode replaced by `?`, as Java's `getBytes` does.
fn encodable(charset: Charset, text: &str) -> String {
    if charset.encode("node", text).is_ok() {
        return text.to_owned();
    }
    text.chars().map(|c| if charset.encode("node", c.encode_utf8(&mut [0; 4])).is_ok() { c } else { '?' }).collect()
}

fn unsigned_body(node_key: &str, node: &str, charset: Charset) -> Vec<u8> {
    let text = format!("{{{}:{node}}}", Value::from(node_key));
    charset.encode("response body", &text).map(|b| b.into_owned()).unwrap_or_else(|_| text.into_bytes())
}

/// Where the `sign` value starts: it is the last member (`…,"sign":"<base64>"}`).
fn sign_start(body: &[u8]) -> Option<usize> {
    let marker = b",\"sign\":\"";
    body.windows(marker.len()).rposition(|w| w == marker).map(|at| at + marker.len())
}

/// Keeps the base64 valid but changes the signature.
fn flip_signature(body: &mut [u8]) {
    if let Some(first) = sign_start(body).and_then(|at| body.get_mut(at)) {
        *first = if *first == b'A' { b'B' } else { b'A' };
    }
}

/// Changes the last digit of the node (digits never occur inside multi-byte GBK or UTF-8 characters).
fn tamper_node(body: &mut [u8]) {
    let end = sign_start(body).unwrap_or(0);
    if let Some(digit) = body.get_mut(..end).and_then(|node| node.iter_mut().rev().find(|b| b.is_ascii_digit())) {
        *digit = if *digit == b'9' { b'0' } else { *digit + 1 };
    }
}
