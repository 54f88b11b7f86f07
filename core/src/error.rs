//! The one error type of the crate.
//!
//! Every variant has a stable [`Error::code`] string; the WebAssembly and Python bindings expose it
//! unchanged, so programs can match on it in any language. Messages name the field or input and the
//! rule that was broken, and never contain key material.

use std::fmt;

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
    /// A notification that is not a form-encoded body of the expected shape.
    MalformedNotification(String),
    /// The response's `alipay_cert_sn` is not in the configured key ring: download the new
    /// certificate with `alipay.open.app.alipaycert.download`, check it, and add it.
    UnknownCertSn(String),
    /// A certificate could not be parsed or did not chain to the root bundle.
    InvalidCertificate(String),
    /// AES content encryption failed: bad key, bad ciphertext or bad padding.
    Aes(String),
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
            Error::MalformedResponse(_) => "malformed_response",
            Error::ResponseNodeMissing { .. } => "response_node_missing",
            Error::DuplicateMember(_) => "duplicate_member",
            Error::MissingSignature => "missing_signature",
            Error::SignatureEncoding => "signature_encoding",
            Error::SignatureMismatch => "signature_mismatch",
            Error::UnsignedGatewayError(_) => "unsigned_gateway_error",
            Error::Gateway(_) => "gateway_error",
            Error::MalformedNotification(_) => "malformed_notification",
            Error::UnknownCertSn(_) => "unknown_cert_sn",
            Error::InvalidCertificate(_) => "invalid_certificate",
            Error::Aes(_) => "aes_error",
        }
    }

    /// The gateway's answer, for [`Error::Gateway`] and [`Error::UnsignedGatewayError`].
    pub fn gateway(&self) -> Option<&GatewayError> {
        match self {
            Error::Gateway(e) | Error::UnsignedGatewayError(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn field(field: impl Into<String>, rule: impl Into<String>) -> Self {
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
            Error::Unencodable { field, charset } => {
                write!(f, "`{field}` contains text that {charset} cannot encode; use charset utf-8 or remove it")
            }
            Error::Undecodable { field, charset } => write!(f, "`{field}` is not valid {charset}"),
            Error::UnsupportedCharset(c) => write!(f, "unsupported charset `{c}` (supported: utf-8, GBK)"),
            Error::UnsupportedSignType(s) => write!(f, "unsupported sign_type `{s}` (supported: RSA2, RSA)"),
            Error::SigningFailed(why) => write!(f, "signing failed: {why}"),
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
            Error::MalformedNotification(why) => write!(f, "malformed notification: {why}"),
            Error::UnknownCertSn(sn) => write!(
                f,
                "unknown alipay_cert_sn `{sn}`: download it with alipay.open.app.alipaycert.download and add it to the key ring"
            ),
            Error::InvalidCertificate(why) => write!(f, "invalid certificate: {why}"),
            Error::Aes(why) => write!(f, "AES content encryption: {why}"),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
