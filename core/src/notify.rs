//! Asynchronous notifications (`notify_url` POSTs): parse once, verify with the Alipay key.

use std::collections::BTreeMap;

use base64::Engine as _;

use crate::api::Amount;
use crate::charset::{form_decode, Charset};
use crate::crypto::{SignType, Verifier};
use crate::error::{Error, Result};
use crate::request::sign_content;

/// A notification's fields, decoded exactly once in the message's charset. Not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyParams {
    fields: BTreeMap<String, String>,
    charset: Charset,
}

impl NotifyParams {
    /// Parses an `application/x-www-form-urlencoded` POST body. The charset is the message's own
    /// `charset` field, else `default_charset` (e.g. from the request's `Content-Type`).
    pub fn from_form(body: &[u8], default_charset: Charset) -> Result<Self> {
        let raw = form_decode(body)?;
        let charset = match raw.iter().find(|(k, _)| k.as_slice() == b"charset") {
            Some((_, value)) => std::str::from_utf8(value)
                .map_err(|_| Error::MalformedNotification("`charset` is not ASCII".to_owned()))
                .and_then(Charset::of_message)?,
            None => default_charset,
        };
        let pairs = raw
            .into_iter()
            .map(|(k, v)| {
                Ok((
                    charset.decode_owned("notification field name", k)?,
                    charset.decode_owned("notification field", v)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Self::build(pairs, charset)
    }

    /// Takes fields already decoded by a web framework (e.g. Django's `request.POST`). Decode them
    /// once: values must not be URL-decoded again.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self> {
        let pairs: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        let charset = match pairs.iter().find(|(k, _)| k == "charset") {
            Some((_, value)) => Charset::of_message(value)?,
            None => Charset::Utf8,
        };
        Self::build(pairs, charset)
    }

    fn build(pairs: Vec<(String, String)>, charset: Charset) -> Result<Self> {
        let mut fields = BTreeMap::new();
        for (key, value) in pairs {
            if key.is_empty() {
                return Err(Error::MalformedNotification("a field has an empty name".to_owned()));
            }
            if fields.contains_key(&key) {
                return Err(Error::MalformedNotification(format!("field `{key}` appears twice")));
            }
            fields.insert(key, value);
        }
        Ok(NotifyParams { fields, charset })
    }

    /// All fields, `sign` included.
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.fields
    }

    /// The length of every key and value, in bytes of UTF-8: about the form body's, decoded.
    pub(crate) fn text_len(&self) -> usize {
        self.fields.iter().map(|(key, value)| key.len() + value.len()).sum()
    }

    /// The charset the fields were decoded in (and the signature is checked in).
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// The V1 sign content (`rsaCheckV1`): without `sign`, `sign_type` and `alipay_cert_sn`, empty
    /// values kept as `k=`.
    pub fn sign_content_v1(&self) -> String {
        self.content(&["sign_type", "alipay_cert_sn"], true)
    }

    fn content(&self, exclude: &[&str], keep_empty: bool) -> String {
        sign_content(self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), exclude, keep_empty)
    }

    /// The signature and the candidate sign contents in `version`'s rules, in the order to try
    /// them; `sign_type` is the only hash accepted. V1 (`rsaCheckV1`) leaves out `sign`,
    /// `sign_type` and `alipay_cert_sn`, keeping empty values; if that fails, two historical
    /// variants of the gateway's rule are tried over the same fields: empty values dropped, and
    /// `alipay_cert_sn` included. V2 (`rsaCheckV2`) leaves out only `sign`.
    pub(crate) fn check_parts(&self, version: NotifyVersion, sign_type: SignType) -> Result<(Vec<u8>, Vec<Vec<u8>>)> {
        let sign = self.fields.get("sign").filter(|s| !s.is_empty()).ok_or(Error::MissingSignature)?;
        if let Some(declared) = self.fields.get("sign_type") {
            let declared: SignType = declared.parse()?;
            if declared != sign_type {
                return Err(Error::field(
                    "sign_type",
                    format!("the notification declares {declared} but the client accepts only {sign_type}"),
                ));
            }
        }
        let signature =
            base64::engine::general_purpose::STANDARD.decode(sign.as_bytes()).map_err(|_| Error::SignatureEncoding)?;
        let mut candidates = Vec::new();
        match version {
            NotifyVersion::V1 => {
                candidates.push(self.sign_content_v1());
                if self.fields.values().any(String::is_empty) {
                    candidates.push(self.content(&["sign_type", "alipay_cert_sn"], false));
                }
                if self.fields.contains_key("alipay_cert_sn") {
                    candidates.push(self.content(&["sign_type"], true));
                }
            }
            NotifyVersion::V2 => candidates.push(self.content(&[], true)),
        }
        let mut messages = Vec::with_capacity(candidates.len());
        for (i, content) in candidates.into_iter().enumerate() {
            match self.charset.encode_owned("notification", content) {
                Ok(message) => messages.push(message),
                Err(e) if i == 0 => return Err(e),
                // A historical variant the charset cannot encode (it adds `alipay_cert_sn`) was not
                // what the gateway signed: it is dropped, and the rule's own content still counts.
                Err(_) => {}
            }
        }
        Ok((signature, messages))
    }

    /// Verifies with `verifier` under `version`'s rules (see [`Client::verify_notification`](crate::Client::verify_notification)
    /// for a client's key choice).
    pub fn verify(self, version: NotifyVersion, sign_type: SignType, verifier: &dyn Verifier) -> Result<Notification> {
        let (signature, messages) = self.check_parts(version, sign_type)?;
        if messages.iter().any(|message| verifier.verify(sign_type, message, &signature).is_ok()) {
            Ok(self.into_notification())
        } else {
            Err(Error::SignatureMismatch)
        }
    }

    pub(crate) fn into_notification(self) -> Notification {
        Notification { fields: self.fields }
    }
}

/// Which rule a notification's signature follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NotifyVersion {
    /// `rsaCheckV1`, what notifications use: `sign_type` is not signed.
    #[default]
    V1,
    /// `rsaCheckV2`: `sign_type` is signed too.
    V2,
}

impl std::str::FromStr for NotifyVersion {
    type Err = Error;

    /// `v1` or `v2`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "v1" => Ok(NotifyVersion::V1),
            "v2" => Ok(NotifyVersion::V2),
            _ => Err(Error::field("version", "must be `v1` or `v2`")),
        }
    }
}

/// A notification whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    fields: BTreeMap<String, String>,
}

/// The merchant's own record of an order, to hold a verified notification (or return) against
/// before acting on it: the signature says that Alipay sent the message, not that it is about this
/// order, this amount or this seller. Alipay's integration guide asks for exactly these checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedOrder {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The order's amount in fen (1 yuan = 100 fen): never a float.
    pub total_amount_fen: i64,
    /// The merchant's Alipay account (`seller_id`, 2088…), when the merchant checks it.
    pub seller_id: Option<String>,
}

/// Holds a message's fields against the merchant's order: `out_trade_no`, `total_amount` (read as
/// an exact decimal, compared in fen) and, when given, `seller_id`; the first that differs is
/// [`Error::OrderMismatch`].
pub fn check_order(fields: &BTreeMap<String, String>, order: &ExpectedOrder) -> Result<()> {
    let found = |field: &str| fields.get(field).map_or("", String::as_str);
    let mismatch = |field: &'static str, expected: String| Error::OrderMismatch {
        field,
        expected,
        found: found(field).to_owned(),
    };
    if found("out_trade_no") != order.out_trade_no {
        return Err(mismatch("out_trade_no", order.out_trade_no.clone()));
    }
    let expected_amount = Amount::from_fen(order.total_amount_fen)
        .map_err(|_| Error::field("total_amount_fen", "must not be negative"))?;
    if Amount::parse_field("total_amount", found("total_amount")).ok() != Some(expected_amount) {
        return Err(mismatch("total_amount", expected_amount.to_string()));
    }
    match &order.seller_id {
        Some(seller_id) if found("seller_id") != seller_id => Err(mismatch("seller_id", seller_id.clone())),
        _ => Ok(()),
    }
}

impl Notification {
    /// [`check_order`] on this notification's fields.
    pub fn check_order(&self, order: &ExpectedOrder) -> Result<()> {
        check_order(&self.fields, order)
    }

    /// One field's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// All fields.
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.fields
    }
}
