//! Why a verification failed: the probes behind `verify-response`, `verify-notify` and `call`.
//!
//! Verification itself is the core's. When it fails, the probes re-run the core with small changes
//! (another hash, another charset, another key, another escaping) and report the first one that
//! verifies, so the user reads a cause instead of "signature mismatch". The exact bytes the core
//! checked are captured with a [`Verifier`] that records its input, so the probes never re-locate
//! anything themselves.

use std::path::PathBuf;
use std::sync::Mutex;

use alipay_openapi::keys::role::Role;
use alipay_openapi::{AlipayPublicKey, Charset, Error, NotifyParams, NotifyVersion, PublicKey, SignType, Verifier};
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

/// A named cause with what to do about it. `cause` is stable for programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub cause: &'static str,
    pub message: String,
    pub fix: String,
}

impl Finding {
    pub fn new(cause: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Finding { cause, message: message.into(), fix: fix.into() }
    }

    pub fn to_json(&self) -> Value {
        json!({"cause": self.cause, "message": self.message, "fix": self.fix})
    }

    pub fn render(&self) -> String {
        format!("cause: {}\n  {}\n  fix: {}\n", self.cause, self.message, self.fix)
    }
}

/// A key given with `--other-key`, to test "was it signed by this one instead?".
pub struct OtherKey {
    pub path: PathBuf,
    pub key: AlipayPublicKey,
}

/// A verifier that records what it was asked to check and refuses everything.
#[derive(Default)]
struct Capture {
    seen: Mutex<Vec<(Vec<u8>, Vec<u8>)>>,
}

impl Verifier for Capture {
    fn verify(&self, _: SignType, message: &[u8], signature: &[u8]) -> alipay_openapi::Result<()> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push((message.to_vec(), signature.to_vec()));
        }
        Err(Error::SignatureMismatch)
    }
}

impl Capture {
    fn first(self) -> Option<(Vec<u8>, Vec<u8>)> {
        self.seen.into_inner().ok().and_then(|seen| seen.into_iter().next())
    }
}

/// What the public RSA operation with a key reveals about a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recovered {
    /// Valid PKCS#1 v1.5 padding around a digest of this hash: the key made the signature.
    Hash(SignType),
    /// Valid padding around a digest of another hash.
    OtherHash,
    /// No valid padding: another key made it (or it is not a signature).
    NotThisKey,
}

const SHA1_PREFIX: &[u8] = &[0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14];
const SHA256_PREFIX: &[u8] =
    &[0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

/// Opens the signature with the public key (s^e mod n) and reads the padding: this tells "made by
/// this key over other bytes" apart from "made by another key", and names the hash.
fn recover<R: Role>(key: &PublicKey<R>, signature: &[u8]) -> Recovered {
    let Ok(rsa) = rsa::RsaPublicKey::from_public_key_der(key.spki_der()) else {
        return Recovered::NotThisKey;
    };
    let s = rsa::BigUint::from_bytes_be(signature);
    if signature.len() != rsa.size() || &s >= rsa.n() {
        return Recovered::NotThisKey;
    }
    let m = s.modpow(rsa.e(), rsa.n()).to_bytes_be();
    let Some(pad) = rsa.size().checked_sub(m.len()) else {
        return Recovered::NotThisKey;
    };
    let mut em = vec![0u8; pad];
    em.extend_from_slice(&m);
    let Some(rest) = em.strip_prefix(&[0x00, 0x01]) else {
        return Recovered::NotThisKey;
    };
    let ones = rest.iter().take_while(|&&b| b == 0xff).count();
    let Some(digest_info) = rest.get(ones..).and_then(|r| r.strip_prefix(&[0x00])) else {
        return Recovered::NotThisKey;
    };
    if ones < 8 {
        return Recovered::NotThisKey;
    }
    let hash_of = |prefix: &[u8], len: usize| digest_info.strip_prefix(prefix).is_some_and(|d| d.len() == len);
    if hash_of(SHA256_PREFIX, 32) {
        Recovered::Hash(SignType::Rsa2)
    } else if hash_of(SHA1_PREFIX, 20) {
        Recovered::Hash(SignType::Rsa)
    } else {
        Recovered::OtherHash
    }
}

/// The charset whose bytes of the node the signature covers, when it is not the bytes as given: the
/// node read in either charset and written in either.
fn transcoded_match(check: &ResponseCheck<'_>, node: &[u8], signature: &[u8]) -> Option<Charset> {
    let charsets = [check.charset, other(check.charset)];
    charsets.iter().find_map(|&read| {
        let text = read.decode("response node", node).ok()?;
        charsets.iter().copied().find(|&written| {
            let bytes = written.encode("response node", &text);
            bytes.is_ok_and(|bytes| bytes.as_ref() != node && check.verifies(&bytes, signature))
        })
    })
}

fn other(charset: Charset) -> Charset {
    match charset {
        Charset::Utf8 => Charset::Gbk,
        Charset::Gbk => Charset::Utf8,
    }
}

fn other_sign_type(sign_type: SignType) -> SignType {
    match sign_type {
        SignType::Rsa2 => SignType::Rsa,
        SignType::Rsa => SignType::Rsa2,
    }
}

fn algorithm(sign_type: SignType) -> &'static str {
    match sign_type {
        SignType::Rsa2 => "SHA256withRSA (RSA2)",
        SignType::Rsa => "SHA1withRSA (RSA)",
    }
}

/// The finding for a signature made with a hash other than the configured one.
fn hash_mismatch(signed_with: SignType, expected: SignType) -> Finding {
    let cause = match signed_with {
        SignType::Rsa => "sha1_signature",
        SignType::Rsa2 => "sha256_signature",
    };
    let fix = match signed_with {
        SignType::Rsa => {
            "an RSA2 client must not accept SHA-1 signatures; check that the app is set to RSA2 on the \
                         console and that the response really comes from the gateway (use --sign-type RSA only for a \
                         legacy RSA app)"
        }
        SignType::Rsa2 => "the app signs with RSA2: use --sign-type RSA2",
    };
    Finding::new(
        cause,
        format!("the signature is {} but the client expects {}", algorithm(signed_with), algorithm(expected)),
        fix,
    )
}

/// Which `--other-key` (if any) made the signature over `message`.
fn signed_by_other<'a>(others: &'a [OtherKey], message: &[u8], signature: &[u8]) -> Option<(&'a OtherKey, SignType)> {
    others.iter().find_map(|other| {
        [SignType::Rsa2, SignType::Rsa]
            .into_iter()
            .find(|t| other.key.verify(*t, message, signature).is_ok())
            .map(|t| (other, t))
    })
}

fn other_key_finding(key: &AlipayPublicKey, others: &[OtherKey], message: &[u8], signature: &[u8]) -> Finding {
    if let Some((other, sign_type)) = signed_by_other(others, message, signature) {
        return Finding::new(
            "other_key",
            format!(
                "the signature is from another key: it verifies with `{}` (fingerprint {}, {}), not with the configured \
                 key (fingerprint {})",
                other.path.display(),
                other.key.fingerprint(),
                sign_type,
                key.fingerprint()
            ),
            "configure the key that signs these messages as the Alipay public key (支付宝公钥) for this app",
        );
    }
    Finding::new(
        "other_key",
        format!(
            "the signature was not made with the configured key (fingerprint {}): another key signed it",
            key.fingerprint()
        ),
        "use the Alipay public key (支付宝公钥) shown on the console for this app_id, not the app public key (应用公钥), \
         and the one of the right environment (sandbox or production); pass candidates with --other-key to confirm",
    )
}

/// What `verify-response` needs to look for a cause.
pub struct ResponseCheck<'a> {
    pub body: &'a [u8],
    pub method: &'a str,
    pub charset: Charset,
    pub sign_type: SignType,
    pub key: &'a AlipayPublicKey,
    pub others: &'a [OtherKey],
}

impl ResponseCheck<'_> {
    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify(self.sign_type, message, signature).is_ok()
    }
}

/// Names the cause of a failed response verification.
pub fn explain_response(check: &ResponseCheck<'_>, error: &Error) -> Finding {
    match error {
        Error::ResponseNodeMissing { expected, found: Some(found) } => Finding::new(
            "wrong_node",
            format!("the body answers another method: it holds `{found}`, not `{expected}`"),
            format!(
                "verify it with the method it answers (--method {}), or find the response to `{}`",
                found.trim_end_matches("_response").replace('_', "."),
                check.method
            ),
        ),
        Error::ResponseNodeMissing { expected, found: None } => Finding::new(
            "no_node",
            format!("the body has neither `{expected}` nor `error_response`: it is not a gateway answer"),
            "save the gateway's response body itself (not an HTML error page, a proxy message or the request)",
        ),
        Error::MissingSignature => Finding::new(
            "missing_sign",
            "the body has no `sign`: nothing proves it comes from Alipay",
            "save the complete body as received; a success answer without sign must never be trusted",
        ),
        Error::UnsignedGatewayError(gateway) => Finding::new(
            "unsigned_error",
            format!("the gateway answered an error it did not sign (it could not identify the app): {gateway}"),
            "fix what sub_msg says (often the app_id, or a key not yet uploaded); these fields are unverified",
        ),
        Error::DuplicateMember(name) => Finding::new(
            "duplicate_node",
            format!("`{name}` appears twice, or with another response node: the body is ambiguous"),
            "reject it: a genuine gateway answer has exactly one response node (this shape is used for injection)",
        ),
        Error::MalformedResponse(why) => {
            let ends_cleanly = check.body.trim_ascii_end().ends_with(b"}");
            if ends_cleanly {
                Finding::new(
                    "malformed",
                    format!("the body is not a JSON object of the gateway's shape: {why}"),
                    "save the raw body bytes as received",
                )
            } else {
                Finding::new(
                    "truncated",
                    format!("the body is cut short ({} bytes, it does not end with `}}`): {why}", check.body.len()),
                    "save the complete body: check the logger's or database column's length limit",
                )
            }
        }
        Error::Undecodable { charset, .. } => {
            let decodes_as = other(check.charset);
            let fits = decodes_as.decode("body", check.body).is_ok();
            let message = if fits {
                format!("the body is not valid {charset}; it is {decodes_as}")
            } else {
                format!("the body is not valid {charset}")
            };
            Finding::new(
                "charset",
                message,
                format!("verify with the charset of the request (--charset {decodes_as}), on the raw bytes"),
            )
        }
        Error::SignatureEncoding => Finding::new(
            "sign_encoding",
            "`sign` is not standard padded base64 (a `+` that became a space, or an edit, breaks it)",
            "save the body as received, without URL-decoding or editing it",
        ),
        Error::SignatureMismatch => explain_response_mismatch(check),
        other => Finding::new("rejected", other.to_string(), "see the message above"),
    }
}

fn explain_response_mismatch(check: &ResponseCheck<'_>) -> Finding {
    let capture = Capture::default();
    let _ = alipay_openapi::verify_response(check.body, check.method, check.charset, check.sign_type, &capture);
    let Some((node, signature)) = capture.first() else {
        return Finding::new("signature_mismatch", "the signature does not verify", "save the raw body as received");
    };
    match recover(check.key, &signature) {
        Recovered::NotThisKey => other_key_finding(check.key, check.others, &node, &signature),
        Recovered::Hash(signed_with) if signed_with != check.sign_type => hash_mismatch(signed_with, check.sign_type),
        Recovered::Hash(_) | Recovered::OtherHash => {
            if let Some(covered) = transcoded_match(check, &node, &signature) {
                return Finding::new(
                    "charset",
                    format!(
                        "the signature covers the node's {covered} bytes, but the body was verified as {}: the \
                         response was re-encoded after signing, or the charset given is not the request's",
                        check.charset
                    ),
                    "keep the response bytes exactly as received, and verify with the charset the request sent",
                );
            }
            if let Ok(text) = check.charset.decode("response node", &node) {
                let escaped = text.replace("\\/", "/").replace('/', "\\/");
                let bytes = check.charset.encode("response node", &escaped);
                if escaped != text && bytes.is_ok_and(|bytes| check.verifies(&bytes, &signature)) {
                    return Finding::new(
                        "slash_escaping",
                        "the gateway signed `\\/` but the body holds `/`: it was unescaped after it was received",
                        "verify the raw bytes as received; do not parse and re-serialize the JSON before verifying",
                    );
                }
            }
            Finding::new(
                "content_changed",
                "the signature was made with the configured key, but over other bytes: the body was changed after \
                 signing (edited, reformatted, re-serialized or tampered with)",
                "verify the raw bytes exactly as received; if they are, do not trust this response",
            )
        }
    }
}

/// What `verify-notify` needs to look for a cause.
pub struct NotifyCheck<'a> {
    pub params: &'a NotifyParams,
    pub v2: bool,
    pub sign_type: SignType,
    pub key: &'a AlipayPublicKey,
    pub others: &'a [OtherKey],
}

fn verify_notify(
    params: &NotifyParams,
    v2: bool,
    sign_type: SignType,
    verifier: &dyn Verifier,
) -> alipay_openapi::Result<()> {
    let version = if v2 { NotifyVersion::V2 } else { NotifyVersion::V1 };
    params.clone().verify(version, sign_type, verifier).map(|_| ())
}

/// Names the cause of a failed notification verification.
pub fn explain_notify(check: &NotifyCheck<'_>, error: &Error) -> Finding {
    match error {
        Error::MissingSignature => Finding::new(
            "missing_sign",
            "the notification has no `sign`",
            "pass the POST body exactly as received; a notification without sign must never be trusted",
        ),
        Error::SignatureEncoding => Finding::new(
            "sign_encoding",
            "`sign` is not standard base64 (a `+` may have become a space: was the body URL-decoded twice?)",
            "pass the raw POST body, decoded exactly once",
        ),
        Error::InvalidField { field, rule } if field == "sign_type" => {
            Finding::new("sign_type", format!("`sign_type`: {rule}"), "use the --sign-type the app is configured with")
        }
        Error::SignatureMismatch => explain_notify_mismatch(check),
        other => Finding::new("rejected", other.to_string(), "see the message above"),
    }
}

fn explain_notify_mismatch(check: &NotifyCheck<'_>) -> Finding {
    let capture = Capture::default();
    let _ = verify_notify(check.params, check.v2, check.sign_type, &capture);
    let Some((content, signature)) = capture.first() else {
        return Finding::new("signature_mismatch", "the signature does not verify", "pass the raw POST body");
    };
    match recover(check.key, &signature) {
        Recovered::NotThisKey => {
            if let Some(other) = check.others.iter().find(|o| {
                [SignType::Rsa2, SignType::Rsa].into_iter().any(|t| {
                    verify_notify(check.params, false, t, &o.key).is_ok()
                        || verify_notify(check.params, true, t, &o.key).is_ok()
                })
            }) {
                return Finding::new(
                    "other_key",
                    format!(
                        "the notification is signed by another key: it verifies with `{}` (fingerprint {})",
                        other.path.display(),
                        other.key.fingerprint()
                    ),
                    "configure that key as the Alipay public key, or check which app the notification belongs to",
                );
            }
            other_key_finding(check.key, &[], &content, &signature)
        }
        Recovered::Hash(signed_with) if signed_with != check.sign_type => hash_mismatch(signed_with, check.sign_type),
        Recovered::Hash(_) | Recovered::OtherHash => {
            if verify_notify(check.params, !check.v2, check.sign_type, check.key).is_ok() {
                let (how, flag) = if check.v2 {
                    ("V1 way (rsaCheckV1: sign_type left out)", "drop --v2")
                } else {
                    ("V2 way (rsaCheckV2: sign_type signed)", "pass --v2")
                };
                return Finding::new(
                    "notify_version",
                    format!("the notification is signed the {how}"),
                    format!("{flag} (and use the matching check in your code)"),
                );
            }
            Finding::new(
                "content_changed",
                "the signature was made with the configured key over other field values: a value was changed, \
                 URL-decoded twice, or re-encoded after it was received",
                "pass the raw POST body (only its fields, not the notify_url's query), decoded exactly once",
            )
        }
    }
}

/// Checks a request's signature over `content` with the app public key, for `diagnose`: `None` if it
/// verifies, else why not.
pub fn explain_request_signature<R: Role>(
    key: &PublicKey<R>,
    sign_type: SignType,
    content: &[u8],
    signature: &[u8],
) -> Option<Finding> {
    if key.verify(sign_type, content, signature).is_ok() {
        return None;
    }
    Some(match recover(key, signature) {
        Recovered::NotThisKey => Finding::new(
            "key_mismatch",
            format!(
                "the request was signed with a private key whose public half is not the app public key given \
                 (fingerprint {})",
                key.fingerprint()
            ),
            "sign with the private key of the pair whose public key is uploaded on the console \
             (`alipay key inspect private.pem public.txt` compares them), or upload the right public key",
        ),
        Recovered::Hash(signed_with) if signed_with != sign_type => Finding::new(
            "sign_type_mismatch",
            format!(
                "the request declares sign_type={} but its signature is {}",
                sign_type,
                algorithm(other_sign_type(sign_type))
            ),
            format!("sign with {} or declare sign_type={}", algorithm(sign_type), signed_with),
        ),
        Recovered::Hash(_) | Recovered::OtherHash => Finding::new(
            "signed_other_bytes",
            "the app key signed other bytes than this sign content (another charset, or a content built differently)",
            "sign the exact sign content, encoded in the request's charset",
        ),
    })
}
