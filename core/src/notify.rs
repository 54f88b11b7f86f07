//! Asynchronous notifications (`notify_url` POSTs): parse once, verify with the Alipay key.

use std::collections::BTreeMap;

use base64::Engine as _;

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
                .map_err(|_| Error::MalformedNotification("`charset` is not ASCII".to_owned()))?
                .parse()?,
            None => default_charset,
        };
        let pairs = raw
            .iter()
            .map(|(k, v)| {
                Ok((
                    charset.decode("notification field name", k)?.into_owned(),
                    charset.decode("notification field", v)?.into_owned(),
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
            Some((_, value)) => value.parse()?,
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

    /// Verifies as `rsaCheckV1`. If that fails, two historical variants of the gateway's rule are
    /// tried, each over the same fields: empty values dropped, and `alipay_cert_sn` included.
    pub fn verify_v1(self, sign_type: SignType, verifier: &dyn Verifier) -> Result<Notification> {
        let mut candidates = vec![self.sign_content_v1()];
        if self.fields.values().any(String::is_empty) {
            candidates.push(self.content(&["sign_type", "alipay_cert_sn"], false));
        }
        if self.fields.contains_key("alipay_cert_sn") {
            candidates.push(self.content(&["sign_type"], true));
        }
        self.verify_candidates(sign_type, verifier, &candidates)
    }

    /// Verifies as `rsaCheckV2`: only `sign` is left out (`sign_type` is signed).
    pub fn verify_v2(self, sign_type: SignType, verifier: &dyn Verifier) -> Result<Notification> {
        let candidates = [self.content(&[], true)];
        self.verify_candidates(sign_type, verifier, &candidates)
    }

    fn verify_candidates(
        self,
        sign_type: SignType,
        verifier: &dyn Verifier,
        candidates: &[String],
    ) -> Result<Notification> {
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
        for content in candidates {
            let bytes = self.charset.encode("notification", content)?;
            if verifier.verify(sign_type, &bytes, &signature).is_ok() {
                return Ok(Notification { fields: self.fields });
            }
        }
        Err(Error::SignatureMismatch)
    }
}

/// A notification whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    fields: BTreeMap<String, String>,
}

impl Notification {
    /// One field's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// All fields.
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.fields
    }
}
