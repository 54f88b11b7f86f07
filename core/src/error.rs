//! The one error type of the crate.
//!
//! Every variant has a stable [`Error::code`] string; the WebAssembly and Python bindings expose it
//! unchanged, so programs can match on it in any language. Messages name the field or input and the
//! rule that was broken, and never contain key material.

use std::fmt;

/// The `charset` of [`Error::lone_surrogate`].
const LONE_SURROGATE: &str = "Unicode";

/// Which key the caller was expected to supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An RSA private key (PKCS#1 or PKCS#8), e.g. the merchant's application private key.
    Private,
    /// An RSA public key (SubjectPublicKeyInfo or PKCS#1), e.g. the Alipay public key.
    Public,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Private => "an RSA private key (PKCS#1 or PKCS#8, PEM or bare base64)",
            KeyKind::Public => "an RSA public key (SubjectPublicKeyInfo or PKCS#1, PEM or bare base64)",
        })
    }
}

/// A gateway answer whose `code` is not `10000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError {
    /// Gateway code, e.g. `40004`.
    pub code: String,
    /// Gateway message, e.g. `Business Failed`.
    pub msg: String,
    /// Business code, e.g. `isv.invalid-signature` or `TEMPLATE_NOT_EXIST`.
    pub sub_code: Option<String>,
    /// Business message.
    pub sub_msg: Option<String>,
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.msg)?;
        if let Some(sub_code) = &self.sub_code {
            write!(f, " ({sub_code}")?;
            if let Some(sub_msg) = &self.sub_msg {
                write!(f, ": {sub_msg}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// An OpenAPI v3 error answer (HTTP status 400 or above): a JSON `{code, message, links}` that
/// carries no signature. Unverified: show it, never act on it as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3GatewayError {
    /// The HTTP status, e.g. `400`.
    pub status: u16,
    /// `code`, e.g. `invalid-signature` (empty when the body has none).
    pub code: String,
    /// `message`.
    pub message: String,
    /// `links` as the gateway sent it (`Null` when absent): pointers to the documentation.
    pub links: serde_json::Value,
    /// The `alipay-trace-id` header, to quote to Alipay support.
    pub trace_id: Option<String>,
}

impl fmt::Display for V3GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} {}: {}", self.status, self.code, self.message)?;
        if let Some(trace_id) = &self.trace_id {
            write!(f, " (trace id {trace_id})")?;
        }
        Ok(())
    }
}

/// Every detail of an [`Error`], as the bindings expose it (Python attributes in snake_case,
/// JavaScript properties in camelCase): see [`Error::details`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorDetails {
    /// [`Error::code`].
    pub code: &'static str,
    /// The message: names the field or input and the rule, never key material.
    pub message: String,
    /// The field or option at fault, named as the protocol (or [`ClientOptions`](crate::ClientOptions)) names it.
    pub field: Option<String>,
    /// The rule the field broke.
    pub rule: Option<String>,
    /// `unencodable_text`, `undecodable_bytes`: the charset.
    pub charset: Option<&'static str>,
    /// `unknown_cert_sn`: the SN to download.
    pub alipay_cert_sn: Option<String>,
    /// Gateway answers: the gateway's `code`, e.g. `40004`.
    pub gateway_code: Option<String>,
    /// Gateway answers: `msg`.
    pub gateway_msg: Option<String>,
    /// Gateway answers: `sub_code`.
    pub sub_code: Option<String>,
    /// Gateway answers: `sub_msg`.
    pub sub_msg: Option<String>,
    /// Gateway answers: whether the answer's signature verified (`false`: show it, never act on it).
    pub verified: Option<bool>,
    /// Gateway answers to a known method: whether sending the same request again is safe and may succeed.
    pub retryable: Option<bool>,
    /// Gateway answers to a known method: what the code means.
    pub description: Option<&'static str>,
    /// Gateway answers to a known method: what to do.
    pub action: Option<&'static str>,
    /// OpenAPI v3 error answers: the HTTP status.
    pub http_status: Option<u16>,
    /// OpenAPI v3 error answers: the `alipay-trace-id` header.
    pub trace_id: Option<String>,
}

/// Everything that can go wrong, with a stable [`code`](Error::code) per variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A key could not be used: wrong kind, garbage, truncated, encrypted, or unsupported.
    InvalidKey {
        /// What was expected in this place.
        expected: KeyKind,
        /// What was found instead, or why it was rejected.
        reason: String,
    },
    /// An RSA key whose size is outside the supported range.
    UnsupportedKeySize {
        /// The key's modulus size in bits.
        bits: usize,
        /// Smallest accepted size.
        min: usize,
        /// Largest accepted size.
        max: usize,
    },
    /// A request field or parameter broke a rule (length, format, required, reserved name...).
    InvalidField {
        /// The parameter or `biz_content` field, e.g. `out_biz_no`.
        field: String,
        /// The rule that was broken, in words.
        rule: String,
    },
    /// Text that the message charset cannot represent (GBK has no mapping for it).
    Unencodable {
        /// Where the text came from.
        field: String,
        /// The charset, e.g. `GBK`.
        charset: &'static str,
    },
    /// Bytes that are not valid in the declared charset.
    Undecodable {
        /// Where the bytes came from.
        field: String,
        /// The charset, e.g. `GBK`.
        charset: &'static str,
    },
    /// A charset name other than UTF-8 and GBK.
    UnsupportedCharset(String),
    /// A sign type other than `RSA2` and `RSA`.
    UnsupportedSignType(String),
    /// The signing backend failed (for an external signer: the host's own error text).
    SigningFailed(String),
    /// This build has no RSA of its own for the operation (no AWS-LC, and the `portable-signing`
    /// or `portable-verifying` feature left out): the host's RSA must do it, through the stages.
    RsaUnavailable(String),
    /// A response body that is not a JSON object of the gateway's shape, or is truncated.
    MalformedResponse(String),
    /// The response holds no node for the called method (nor `error_response`).
    ResponseNodeMissing {
        /// The member that was looked for, e.g. `alipay_marketing_voucher_send_response`.
        expected: String,
        /// A `*_response` member that was found instead, if any.
        found: Option<String>,
    },
    /// A top-level member appears twice, or the body holds more than one response node.
    DuplicateMember(String),
    /// The response or notification has no (or an empty) `sign`.
    MissingSignature,
    /// The `sign` value is not standard padded base64.
    SignatureEncoding,
    /// The signature does not match the signed content under the configured Alipay key and hash.
    SignatureMismatch,
    /// The gateway answered with an error it did not sign (it could not identify the app).
    /// The fields are unverified: show them, never act on them as data.
    UnsignedGatewayError(GatewayError),
    /// A verified gateway answer whose code is not `10000`.
    Gateway(GatewayError),
    /// An OpenAPI v3 error answer (HTTP status 400 or above), which is never signed.
    /// The fields are unverified: show them, never act on them as data.
    V3Gateway(Box<V3GatewayError>),
    /// A notification or return query that is not form-encoded text of the expected shape
    /// (e.g. a field that appears twice).
    MalformedNotification(String),
    /// The response's `alipay_cert_sn` is not in the configured key ring: download the new
    /// certificate with `alipay.open.app.alipaycert.download`, check it, and add it.
    UnknownCertSn(String),
    /// A certificate could not be parsed or did not chain to the root bundle.
    InvalidCertificate(String),
    /// AES content encryption failed: bad key, bad ciphertext or bad padding.
    Aes(String),
    /// A verified notification (or return query) names another app than the client's: it was
    /// meant for another merchant and must not be acted on.
    AppIdMismatch {
        /// The client's `app_id`.
        expected: String,
        /// The message's `app_id` (empty when it has none).
        found: String,
    },
    /// A verified notification or return names another order than the merchant's own record
    /// ([`ExpectedOrder`](crate::ExpectedOrder)): genuine, but not to be acted on for this order.
    OrderMismatch {
        /// `out_trade_no`, `total_amount` or `seller_id`.
        field: &'static str,
        /// What the merchant's order says (`total_amount` in yuan, two decimals).
        expected: String,
        /// What the message says (empty when it lacks the field).
        found: String,
    },
    /// A response or notification body longer than the client's `max_body_bytes`: refused before
    /// any of it is read. Its field is `body`.
    BodyTooLarge {
        /// What the body is: `response`, `notification`, `return query` or `mini-program payload`.
        body: &'static str,
        /// Its length in bytes (for decoded notification fields: their keys and values).
        size: usize,
        /// The limit, `max_body_bytes`.
        limit: usize,
    },
    /// A client or request option was refused: `error` says why (its code is this error's code).
    InOption {
        /// The option, named as in [`ClientOptions`](crate::ClientOptions), e.g. `private_key`.
        field: String,
        /// What was wrong with it.
        error: Box<Error>,
    },
}

impl Error {
    /// A stable, machine-readable identifier for the variant; never changes between releases.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidKey { .. } => "invalid_key",
            Error::UnsupportedKeySize { .. } => "unsupported_key_size",
            Error::InvalidField { .. } => "invalid_field",
            Error::Unencodable { .. } => "unencodable_text",
            Error::Undecodable { .. } => "undecodable_bytes",
            Error::UnsupportedCharset(_) => "unsupported_charset",
            Error::UnsupportedSignType(_) => "unsupported_sign_type",
            Error::SigningFailed(_) => "signing_failed",
            Error::RsaUnavailable(_) => "rsa_unavailable",
            Error::MalformedResponse(_) => "malformed_response",
            Error::ResponseNodeMissing { .. } => "response_node_missing",
            Error::DuplicateMember(_) => "duplicate_member",
            Error::MissingSignature => "missing_signature",
            Error::SignatureEncoding => "signature_encoding",
            Error::SignatureMismatch => "signature_mismatch",
            Error::UnsignedGatewayError(_) => "unsigned_gateway_error",
            Error::Gateway(_) => "gateway_error",
            Error::V3Gateway(_) => "v3_gateway_error",
            Error::MalformedNotification(_) => "malformed_notification",
            Error::UnknownCertSn(_) => "unknown_cert_sn",
            Error::InvalidCertificate(_) => "invalid_certificate",
            Error::Aes(_) => "aes_error",
            Error::AppIdMismatch { .. } => "app_id_mismatch",
            Error::OrderMismatch { .. } => "order_mismatch",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::InOption { error, .. } => error.code(),
        }
    }

    /// The field or option at fault, where there is one.
    pub fn field_name(&self) -> Option<&str> {
        match self {
            Error::InvalidField { field, .. }
            | Error::Unencodable { field, .. }
            | Error::Undecodable { field, .. }
            | Error::InOption { field, .. } => Some(field),
            Error::BodyTooLarge { .. } => Some("body"),
            Error::OrderMismatch { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The rule that was broken, for an error with a [`field_name`](Self::field_name).
    pub fn rule(&self) -> Option<String> {
        match self {
            Error::InvalidField { rule, .. } => Some(rule.clone()),
            Error::Unencodable { charset, .. } => Some(format!("must be text that {charset} can encode")),
            Error::Undecodable { charset, .. } => Some(format!("must be valid {charset}")),
            Error::InOption { error, .. } => Some(error.rule().unwrap_or_else(|| error.to_string())),
            Error::BodyTooLarge { limit, .. } => Some(format!("must be at most {limit} bytes (max_body_bytes)")),
            Error::OrderMismatch { expected, .. } => Some(format!("must be `{expected}`, as in the merchant's order")),
            _ => None,
        }
    }

    /// Every detail of the error in one shape, the same in Rust, Python and JavaScript. With the
    /// called `method`, a gateway error also says whether a retry is safe and what to do.
    pub fn details(&self, method: Option<&str>) -> ErrorDetails {
        let gateway = self.gateway();
        let info = gateway.and_then(|g| method.map(|method| g.describe(method)));
        let (charset, alipay_cert_sn) = match self.innermost() {
            Error::Unencodable { charset, .. } | Error::Undecodable { charset, .. } => (Some(*charset), None),
            Error::UnknownCertSn(sn) => (None, Some(sn.clone())),
            _ => (None, None),
        };
        let v3 = match self.innermost() {
            Error::V3Gateway(e) => Some(e),
            _ => None,
        };
        ErrorDetails {
            code: self.code(),
            message: self.to_string(),
            field: self.field_name().map(str::to_owned),
            rule: self.rule(),
            charset,
            alipay_cert_sn,
            gateway_code: gateway.map(|g| g.code.clone()).or_else(|| v3.map(|e| e.code.clone())),
            gateway_msg: gateway.map(|g| g.msg.clone()).or_else(|| v3.map(|e| e.message.clone())),
            sub_code: gateway.and_then(|g| g.sub_code.clone()),
            sub_msg: gateway.and_then(|g| g.sub_msg.clone()),
            verified: gateway.map(|_| matches!(self, Error::Gateway(_))).or(v3.map(|_| false)),
            retryable: info.as_ref().map(|info| info.retryable()),
            description: info.as_ref().map(|info| info.entry.description),
            action: info.as_ref().map(|info| info.entry.action),
            http_status: v3.map(|e| e.status),
            trace_id: v3.and_then(|e| e.trace_id.clone()),
        }
    }

    fn innermost(&self) -> &Error {
        match self {
            Error::InOption { error, .. } => error.innermost(),
            other => other,
        }
    }

    /// Text from a host string (JavaScript, Python) that holds a lone surrogate, half of a UTF-16
    /// pair: it is not Unicode text, so no charset can encode it and it cannot be signed.
    pub fn lone_surrogate(field: impl Into<String>) -> Self {
        Error::Unencodable { field: field.into(), charset: LONE_SURROGATE }
    }

    /// This error, as caused by the option `field`.
    pub(crate) fn in_option(self, field: &str) -> Self {
        match self {
            already @ (Error::InvalidField { .. } | Error::InOption { .. }) => already,
            error => Error::InOption { field: field.to_owned(), error: Box::new(error) },
        }
    }

    /// The gateway's answer, for [`Error::Gateway`] and [`Error::UnsignedGatewayError`].
    pub fn gateway(&self) -> Option<&GatewayError> {
        match self {
            Error::Gateway(e) | Error::UnsignedGatewayError(e) => Some(e),
            _ => None,
        }
    }

    /// [`Error::InvalidField`]: `field` broke `rule`.
    pub fn field(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Error::InvalidField { field: field.into(), rule: rule.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidKey { expected, reason } => write!(f, "invalid key: expected {expected}; {reason}"),
            Error::UnsupportedKeySize { bits, min, max } => {
                write!(f, "unsupported RSA key size: {bits} bits (accepted: {min} to {max} bits)")
            }
            Error::InvalidField { field, rule } => write!(f, "invalid `{field}`: {rule}"),
            Error::Unencodable { field, charset: LONE_SURROGATE } => {
                write!(f, "`{field}` holds a lone surrogate (half of a UTF-16 pair): it is not text and cannot be signed")
            }
            Error::Unencodable { field, charset } => {
                write!(f, "`{field}` contains text that {charset} cannot encode; use charset utf-8 or remove it")
            }
            Error::Undecodable { field, charset } => write!(f, "`{field}` is not valid {charset}"),
            Error::UnsupportedCharset(c) if c.trim().eq_ignore_ascii_case("gb2312") => write!(
                f,
                "unsupported charset `{c}`: the gateway takes only utf-8 and GBK; use GBK, which covers every GB2312 character"
            ),
            Error::UnsupportedCharset(c) => write!(f, "unsupported charset `{c}` (supported: utf-8, GBK)"),
            Error::UnsupportedSignType(s) => write!(f, "unsupported sign_type `{s}` (supported: RSA2, RSA)"),
            Error::SigningFailed(why) => write!(f, "signing failed: {why}"),
            Error::RsaUnavailable(why) => write!(f, "no RSA in this build: {why}"),
            Error::MalformedResponse(why) => write!(f, "malformed response: {why}"),
            Error::ResponseNodeMissing { expected, found: Some(found) } => {
                write!(f, "response has no `{expected}` node; it holds `{found}`, the answer to another method")
            }
            Error::ResponseNodeMissing { expected, found: None } => {
                write!(f, "response has neither `{expected}` nor `error_response`")
            }
            Error::DuplicateMember(name) => {
                write!(f, "response is ambiguous: `{name}` appears with another response node or twice")
            }
            Error::MissingSignature => f.write_str("no `sign` in the message: it cannot be trusted"),
            Error::SignatureEncoding => f.write_str("`sign` is not standard base64"),
            Error::SignatureMismatch => {
                f.write_str("signature does not verify with the configured Alipay public key and sign_type")
            }
            Error::UnsignedGatewayError(e) => write!(f, "unsigned (unverified) gateway error: {e}"),
            Error::Gateway(e) => write!(f, "gateway error: {e}"),
            Error::V3Gateway(e) => write!(f, "unsigned (unverified) OpenAPI v3 error: {e}"),
            Error::MalformedNotification(why) => write!(f, "malformed notification: {why}"),
            Error::UnknownCertSn(sn) => write!(
                f,
                "unknown alipay_cert_sn `{sn}`: download it with alipay.open.app.alipaycert.download and add it to the key ring"
            ),
            Error::InvalidCertificate(why) => write!(f, "invalid certificate: {why}"),
            Error::Aes(why) => write!(f, "AES content encryption: {why}"),
            Error::AppIdMismatch { expected, found } => write!(
                f,
                "the message is for app_id `{found}`, not this client's `{expected}`: it was meant for another app"
            ),
            Error::OrderMismatch { field, expected, found } => write!(
                f,
                "the message's `{field}` is `{found}`, but the merchant's order says `{expected}`: do not act on it"
            ),
            Error::BodyTooLarge { body, size, limit } => write!(
                f,
                "the {body} body is {size} bytes, more than max_body_bytes ({limit}): it was refused unread"
            ),
            Error::InOption { field, error } => write!(f, "`{field}`: {error}"),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
