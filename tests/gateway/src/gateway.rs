//! One request, start to end: the gateway's checks in order, the business call, faults, and the
//! response body signed with the gateway key (docs/PROTOCOL.md §1-§3), in certificate mode and with AES
//! content encryption (§5-§6).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use alipay_openapi::keys::role;
use alipay_openapi::{
    cert, response_node_key, sign_content, sign_response_body, AesKey, AlipayCertificate, AppCertificate, Charset,
    PrivateKey, PublicKey, SignType, Timestamp, Verifier,
};
use base64::Engine as _;
use serde_json::Value;

use crate::business::{self, Partner, DOWNLOAD, METHODS};
use crate::config::{Clock, GatewayConfig};
use crate::fault::Fault;
use crate::notify_delivery::Schedule;
use crate::store::{Failure, Store};
use crate::trade::{self, PAGE_PAY, TRADE_CLOSE, TRADE_QUERY, WAP_PAY};
use crate::upload::{self, UPLOAD};
use crate::wire::Params;

mod cashier;
pub(crate) mod v3;

pub(crate) use cashier::{Paid, PAY_PATH};

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
    pub status: u16,
    pub content_type: String,
    /// A redirect's target.
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// A key the gateway signs answers with and, in certificate mode, its certificate.
struct SigningKey {
    key: PrivateKey<role::Alipay>,
    /// `alipay_cert_sn` and the chain (PEM) that `alipay.open.app.alipaycert.download` serves.
    cert: Option<(String, String)>,
}

/// The SNs every request must carry in certificate mode.
struct CertificateChecks {
    app_cert_sn: String,
    alipay_root_cert_sn: String,
}

/// A request that passed the gateway's checks.
struct Checked<'p> {
    method: &'static str,
    /// `biz_content`, decrypted if the request was encrypted.
    biz_content: Option<Cow<'p, str>>,
    /// `encrypt_type=AES`: a successful answer is encrypted too.
    encrypted: bool,
    /// All of them, for an API that reads parameters other than `biz_content` (v2 only).
    params: Option<&'p Params>,
}

/// The running state shared by all requests.
pub(crate) struct Gateway {
    app_id: String,
    app_key: PublicKey<role::App>,
    /// The first signs until a `rotate-cert` fault switches to the last.
    signing: Vec<SigningKey>,
    active: AtomicUsize,
    certificate_checks: Option<CertificateChecks>,
    aes_key: Option<AesKey>,
    partner: Partner,
    timestamp_tolerance: Option<std::time::Duration>,
    clock: Clock,
    store: Arc<Store>,
    notify: Schedule,
    faults: Vec<Fault>,
    /// Attempts seen per business key, for `fail-first=N`.
    attempts: Mutex<HashMap<String, u32>>,
    /// Numbers v3 answers' nonces and trace ids.
    sequence: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway").field("app_id", &self.app_id).finish_non_exhaustive()
    }
}

impl Gateway {
    pub fn new(config: &GatewayConfig) -> io::Result<Gateway> {
        let gateway_key = PrivateKey::parse(&config.gateway_private_key).map_err(invalid("gateway private key"))?;
        let (app_key, signing, certificate_checks) = match &config.certificates {
            None => {
                let app_key = PublicKey::parse(&config.app_public_key).map_err(invalid("app public key"))?;
                (app_key, vec![SigningKey { key: gateway_key, cert: None }], None)
            }
            Some(certificates) => {
                let app_cert = AppCertificate::from_pem(&certificates.app_cert).map_err(invalid("app certificate"))?;
                let checks = CertificateChecks {
                    app_cert_sn: app_cert.sn().to_owned(),
                    alipay_root_cert_sn: cert::root_cert_sn(&certificates.root_cert).map_err(invalid("root bundle"))?,
                };
                let mut signing = vec![SigningKey::certified(gateway_key, &certificates.alipay_cert, "Alipay")?];
                if let Some((next_cert, next_key)) = &certificates.next {
                    let next_key = PrivateKey::parse(next_key).map_err(invalid("next gateway private key"))?;
                    signing.push(SigningKey::certified(next_key, next_cert, "next Alipay")?);
                }
                (app_cert.public_key().clone(), signing, Some(checks))
            }
        };
        let aes_key = match &config.aes_key {
            None => None,
            Some(text) => Some(AesKey::from_base64(text).map_err(invalid("AES key"))?),
        };
        Ok(Gateway {
            app_id: config.app_id.clone(),
            app_key,
            signing,
            active: AtomicUsize::new(0),
            certificate_checks,
            aes_key,
            partner: Partner { id: config.partner_id.clone(), name: config.partner_name.clone() },
            timestamp_tolerance: config.timestamp_tolerance,
            clock: config.clock.clone(),
            store: Arc::new(Store::open(&config.database, &config.fixtures)?),
            notify: Schedule { retry_after: config.notify_retry.clone(), timeout: config.notify_timeout },
            faults: config.faults.clone(),
            attempts: Mutex::new(HashMap::new()),
            sequence: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The configured faults followed by the request's own.
    pub fn faults_with(&self, extra: Vec<Fault>) -> Vec<Fault> {
        self.faults.iter().copied().chain(extra).collect()
    }

    /// The store, shared with the notification deliveries.
    pub fn store(&self) -> Arc<Store> {
        Arc::clone(&self.store)
    }

    /// When notifications are re-sent.
    pub fn notify_schedule(&self) -> Schedule {
        self.notify.clone()
    }

    /// `rotate-cert`: from now on, sign with the last configured key.
    pub fn apply_rotation(&self, faults: &[Fault]) {
        if faults.contains(&Fault::RotateCert) {
            self.active.store(self.signing.len().saturating_sub(1), Ordering::SeqCst);
        }
    }

    /// The key answers are signed with now (there is always one).
    fn signing_key(&self) -> Option<&SigningKey> {
        self.signing.get(self.active.load(Ordering::SeqCst)).or(self.signing.first())
    }

    /// An uploaded image and its content type.
    pub fn image(&self, image_id: &str) -> Option<(String, Vec<u8>)> {
        upload::image(&self.store, image_id).ok().flatten()
    }

    /// The methods `gateway.do` serves.
    fn gateway_methods(&self) -> Vec<&'static str> {
        let trades = [TRADE_QUERY, TRADE_CLOSE, PAGE_PAY, WAP_PAY, UPLOAD];
        METHODS.iter().copied().chain(trades).chain(self.certificate_checks.as_ref().map(|_| DOWNLOAD)).collect()
    }

    /// Answers one request (its parameters, read off the wire). Page and WAP pay are answered
    /// with the cashier's HTML, everything else as the gateway does.
    pub fn process(&self, params: &Params, faults: &[Fault]) -> Answer {
        self.apply_rotation(faults);
        let method = params.get("method").filter(|m| looks_like_method(m));
        if method.is_some_and(|m| m == PAGE_PAY || m == WAP_PAY) {
            return self.cashier(params);
        }
        let node_key = method.map_or_else(|| "error_response".to_owned(), response_node_key);
        let reply = match self.admit(params, &self.gateway_methods()) {
            // Without a known app there is no key to sign with: such errors go out unsigned.
            Err((rejection, None)) => return self.write(error_reply(node_key, &rejection, None), params.charset, &[]),
            Err((rejection, signing)) => error_reply(node_key, &rejection, signing),
            Ok((checked, signing)) => match self.before_processing(&checked, faults) {
                Some(rejection) => error_reply(node_key, &rejection, Some(signing)),
                None if faults.contains(&Fault::UnsignedError) => {
                    error_reply(node_key, &reject(Code::Unavailable, "aop.unknow-error", "系统繁忙"), None)
                }
                None => self.run(&checked, signing),
            },
        };
        self.write(reply, params.charset, faults)
    }

    /// The app, then [`check`](Self::check). A refusal carries how to sign it: `None` when the
    /// app is unknown.
    fn admit<'p>(
        &self,
        params: &'p Params,
        served: &[&'static str],
    ) -> Result<(Checked<'p>, Signing), (Rejection, Option<Signing>)> {
        match params.get("app_id") {
            None => return Err((reject(Code::MissingArguments, "isv.missing-app-id", "缺少AppID参数"), None)),
            Some(app_id) if app_id != self.app_id => {
                return Err((reject(Code::InvalidArguments, "isv.invalid-app-id", "无效的AppID参数"), None))
            }
            Some(_) => {}
        }
        let signing = Signing {
            charset: params.charset,
            sign_type: params.get("sign_type").and_then(|s| s.parse().ok()).unwrap_or_default(),
        };
        self.check(params, served).map(|checked| (checked, signing)).map_err(|rejection| (rejection, Some(signing)))
    }

    /// The gateway's own checks, in order; `served` are the methods this entry point takes.
    fn check<'p>(&self, params: &'p Params, served: &[&'static str]) -> Result<Checked<'p>, Rejection> {
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
        let method = served
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
        if let Some(checks) = &self.certificate_checks {
            if params.get("app_cert_sn") != Some(checks.app_cert_sn.as_str()) {
                return Err(reject(Code::InvalidArguments, "isv.app-cert-not-exist", "应用公钥证书不存在"));
            }
            if params.get("alipay_root_cert_sn") != Some(checks.alipay_root_cert_sn.as_str()) {
                return Err(reject(Code::InvalidArguments, "invalid-alipay-root-cert-sn", "无效的支付宝根证书序列号"));
            }
        }
        let aes_key = match (params.get("encrypt_type"), &self.aes_key) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(reject(
                    Code::InvalidArguments,
                    "isv.invalid-encrypt-type",
                    "应用未设置AES密钥，不支持接口内容加密",
                ))
            }
            (Some("AES"), Some(key)) => Some(key),
            (Some(_), Some(_)) => {
                return Err(reject(
                    Code::InvalidArguments,
                    "isv.decryption-error-not-valid-encrypt-type",
                    "解密出错, 不支持的加密算法",
                ))
            }
        };
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
        let biz_content = params.get("biz_content");
        let biz_content = match (aes_key, biz_content) {
            (Some(key), Some(ciphertext)) => Some(Cow::Owned(decrypt(key, ciphertext, params.charset)?)),
            (_, plain) => plain.map(Cow::Borrowed),
        };
        Ok(Checked { method, biz_content, encrypted: aes_key.is_some(), params: Some(params) })
    }

    /// Faults that answer instead of processing: `unknown-error` and `fail-first=N`.
    fn before_processing(&self, checked: &Checked<'_>, faults: &[Fault]) -> Option<Rejection> {
        let busy = || reject(Code::Unavailable, "isp.unknow-error", "系统繁忙");
        if faults.contains(&Fault::UnknownError) {
            return Some(busy());
        }
        let fail_first = faults.iter().find_map(|f| match f {
            Fault::FailFirst(n) => Some(*n),
            _ => None,
        })?;
        let key = business::business_key(checked.method, checked.biz_content.as_deref());
        let mut attempts = self.attempts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let seen = attempts.entry(key).or_insert(0);
        if *seen < fail_first {
            *seen += 1;
            return Some(busy());
        }
        None
    }

    fn run(&self, checked: &Checked<'_>, signing: Signing) -> Reply {
        let node_key = response_node_key(checked.method);
        let biz_content = checked.biz_content.as_deref();
        let result = if checked.method == DOWNLOAD {
            let chains: Vec<(&str, &str)> = self
                .signing
                .iter()
                .filter_map(|s| s.cert.as_ref())
                .map(|(sn, pem)| (sn.as_str(), pem.as_str()))
                .collect();
            business::download(biz_content, &chains)
        } else if checked.method == TRADE_QUERY || checked.method == TRADE_CLOSE {
            trade::handle(&self.store, checked.method, biz_content, self.clock.now())
        } else if let (UPLOAD, Some(params)) = (checked.method, checked.params) {
            upload::upload(&self.store, params, self.clock.now())
        } else {
            business::handle(&self.store, checked.method, biz_content, self.clock.now(), &self.partner)
        };
        match result {
            Ok(fields) => {
                let node = node_json(Code::Success, None, &fields);
                match self.aes_key.as_ref().filter(|_| checked.encrypted) {
                    None => Reply { node_key, node, signing: Some(signing) },
                    Some(key) => match encrypt(key, &node, signing.charset) {
                        Ok(node) => Reply { node_key, node, signing: Some(signing) },
                        Err(_) => error_reply(
                            node_key,
                            &reject(Code::Unavailable, "isp.unknow-error", "系统繁忙"),
                            Some(signing),
                        ),
                    },
                }
            }
            Err(Failure::Business { sub_code, sub_msg }) => {
                error_reply(node_key, &reject(Code::BusinessFailed, sub_code, sub_msg), Some(signing))
            }
            Err(Failure::System(_)) => {
                error_reply(node_key, &reject(Code::Unavailable, "isp.unknow-error", "系统繁忙"), Some(signing))
            }
        }
    }

    /// Lays the reply out as docs/PROTOCOL.md §3.1 says, then applies the faults that damage answers.
    fn write(&self, mut reply: Reply, charset: Charset, faults: &[Fault]) -> Answer {
        if faults.contains(&Fault::WrongNode) && reply.node_key != "error_response" {
            let other = METHODS.iter().map(|m| response_node_key(m)).find(|k| *k != reply.node_key);
            reply.node_key = other.unwrap_or_default();
        }
        let node = encodable(charset, &reply.node);
        let mut body = match (reply.signing, self.signing_key()) {
            (Some(s), Some(SigningKey { key, cert })) => {
                let sn = cert.as_ref().map(|(sn, _)| sn.as_str());
                match sign_response_body(&reply.node_key, &node, sn, s.charset, s.sign_type, key) {
                    Ok(body) => body,
                    Err(_) => unsigned_body(&reply.node_key, &encodable(Charset::Utf8, &node), Charset::Utf8),
                }
            }
            _ => unsigned_body(&reply.node_key, &node, charset),
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
        Answer { status: 200, content_type: format!("text/html;charset={}", charset.as_str()), location: None, body }
    }
}

impl SigningKey {
    /// `key` with its certificate chain `pem`, which must be the certificate of `key`.
    fn certified(key: PrivateKey<role::Alipay>, pem: &str, which: &str) -> io::Result<SigningKey> {
        let what = format!("{which} certificate");
        let certificate = AlipayCertificate::from_pem(pem).map_err(invalid(&what))?;
        if certificate.public_key().spki_der() != key.public_key().spki_der() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{what}: its key is not the public half of the private key it is configured with"),
            ));
        }
        Ok(SigningKey { key, cert: Some((certificate.sn().to_owned(), pem.to_owned())) })
    }
}

fn invalid(what: &str) -> impl Fn(alipay_openapi::Error) -> io::Error + '_ {
    move |e| io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {e}"))
}

/// `biz_content` of an encrypted request, decrypted and decoded in the request charset.
fn decrypt(key: &AesKey, ciphertext: &str, charset: Charset) -> Result<String, Rejection> {
    let decoded = base64::engine::general_purpose::STANDARD.decode(ciphertext);
    if !decoded.is_ok_and(|bytes| !bytes.is_empty() && bytes.len() % 16 == 0) {
        return Err(reject(Code::InvalidArguments, "isv.decryption-error-unknown", "解密出错, 未知错误"));
    }
    // Well-formed ciphertext that does not decrypt to text: the key is not the app's.
    let wrong_key =
        || reject(Code::InvalidArguments, "isv.decryption-error-not-valid-encrypt-key", "解密出错, 无效的加密密钥");
    let plaintext = key.decrypt(ciphertext).map_err(|_| wrong_key())?;
    charset.decode("biz_content", &plaintext).map(Cow::into_owned).map_err(|_| wrong_key())
}

/// A success node encrypted: the base64 ciphertext of its text in `charset`, as a JSON string.
fn encrypt(key: &AesKey, node: &str, charset: Charset) -> Result<String, alipay_openapi::Error> {
    let ciphertext = key.encrypt(&charset.encode("node", &encodable(charset, node))?)?;
    Ok(Value::from(ciphertext).to_string())
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
    // serde_json writes `/` only inside strings, so this escapes exactly the string slashes.
    object_json(&members).replace('/', "\\/")
}

/// A JSON object with the members in the order given.
fn object_json(members: &[(&str, Value)]) -> String {
    let inner: Vec<String> = members.iter().map(|(k, v)| format!("{}:{v}", Value::from(*k))).collect();
    format!("{{{}}}", inner.join(","))
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

/// Changes the last digit of the node.
fn tamper_node(body: &mut [u8]) {
    let end = sign_start(body).unwrap_or(0);
    if let Some(node) = body.get_mut(..end) {
        bump_last_digit(node);
    }
}

/// Changes the last digit (digits never occur inside multi-byte GBK or UTF-8 characters).
fn bump_last_digit(bytes: &mut [u8]) {
    if let Some(digit) = bytes.iter_mut().rev().find(|b| b.is_ascii_digit()) {
        *digit = if *digit == b'9' { b'0' } else { *digit + 1 };
    }
}
