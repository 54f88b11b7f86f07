//! Verifying gateway responses over the exact raw bytes of the response node.

use std::borrow::Cow;

use base64::Engine as _;

use crate::aes::AesKey;
use crate::charset::Charset;
use crate::crypto::{SignType, Verifier};
use crate::error::{Error, GatewayError, Result};
use crate::json_scan::{decode_string, top_level_members, unescape_slashes, Member, ValueKind};

/// The code of a successful call.
pub const SUCCESS_CODE: &str = "10000";

/// A response node whose signature verified. Its content may still be a gateway or business error:
/// see [`is_success`](Self::is_success) and [`into_success`](Self::into_success).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedResponse {
    node_key: String,
    node_text: String,
    value: serde_json::Map<String, serde_json::Value>,
    alipay_cert_sn: Option<String>,
    gateway: GatewayError,
}

impl VerifiedResponse {
    /// The member that was verified: `<method>_response` or `error_response`.
    pub fn node_key(&self) -> &str {
        &self.node_key
    }

    /// The verified node as JSON text, exactly as signed.
    pub fn node_text(&self) -> &str {
        &self.node_text
    }

    /// The verified node, parsed.
    pub fn value(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.value
    }

    /// `code`, e.g. `10000`.
    pub fn code(&self) -> &str {
        &self.gateway.code
    }

    /// `msg`.
    pub fn msg(&self) -> &str {
        &self.gateway.msg
    }

    /// `sub_code`, if any.
    pub fn sub_code(&self) -> Option<&str> {
        self.gateway.sub_code.as_deref()
    }

    /// `sub_msg`, if any.
    pub fn sub_msg(&self) -> Option<&str> {
        self.gateway.sub_msg.as_deref()
    }

    /// The top-level `alipay_cert_sn` (certificate mode), which the signature does not cover.
    pub fn alipay_cert_sn(&self) -> Option<&str> {
        self.alipay_cert_sn.as_deref()
    }

    /// `code` is `10000` and there is no `sub_code`.
    pub fn is_success(&self) -> bool {
        self.gateway.code == SUCCESS_CODE && self.gateway.sub_code.is_none()
    }

    /// `Ok(self)` on success, else [`Error::Gateway`] with the verified code and messages.
    pub fn into_success(self) -> Result<Self> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(Error::Gateway(self.gateway))
        }
    }
}

/// The node member name for a method: dots become underscores, plus `_response`.
pub fn response_node_key(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

/// The located parts of a response, before verification.
#[derive(Debug, Clone)]
pub(crate) struct Located<'a> {
    pub node_key: String,
    pub node_kind: ValueKind,
    /// The node span as UTF-8 text bytes (for GBK bodies: the decoded text).
    pub node: Cow<'a, [u8]>,
    pub sign: Option<String>,
    pub alipay_cert_sn: Option<String>,
}

impl Located<'_> {
    /// The same parts, holding their own bytes.
    pub(crate) fn into_owned(self) -> Located<'static> {
        Located {
            node_key: self.node_key,
            node_kind: self.node_kind,
            node: Cow::Owned(self.node.into_owned()),
            sign: self.sign,
            alipay_cert_sn: self.alipay_cert_sn,
        }
    }
}

/// Finds the node for `method` (or `error_response`), `sign` and `alipay_cert_sn`.
pub(crate) fn locate<'a>(body: &'a [u8], method: &str, charset: Charset) -> Result<Located<'a>> {
    let text: Cow<'a, [u8]> = match charset {
        Charset::Utf8 => Cow::Borrowed(body),
        Charset::Gbk => match charset.decode("response body", body)? {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        },
    };
    let members = top_level_members(&text)?;
    for (i, m) in members.iter().enumerate() {
        if members.iter().skip(i + 1).any(|other| other.key == m.key) {
            return Err(Error::DuplicateMember(m.key.clone()));
        }
    }
    let expected = response_node_key(method);
    let responses: Vec<&Member> = members.iter().filter(|m| m.key.ends_with("_response")).collect();
    let node = match responses.as_slice() {
        [one] if one.key == expected || one.key == "error_response" => *one,
        [] => return Err(Error::ResponseNodeMissing { expected, found: None }),
        [other] => return Err(Error::ResponseNodeMissing { expected, found: Some(other.key.clone()) }),
        [_, second, ..] => return Err(Error::DuplicateMember(second.key.clone())),
    };
    if node.kind == ValueKind::Other {
        return Err(Error::MalformedResponse(format!("`{}` is neither an object nor a string", node.key)));
    }
    let string_member = |name: &str| -> Result<Option<String>> {
        match members.iter().find(|m| m.key == name) {
            None => Ok(None),
            Some(m) if m.kind == ValueKind::String => {
                decode_string(text.get(m.value.clone()).unwrap_or_default()).map(Some)
            }
            Some(_) => Err(Error::MalformedResponse(format!("`{name}` is not a string"))),
        }
    };
    let sign = string_member("sign")?.filter(|s| !s.is_empty());
    let alipay_cert_sn = string_member("alipay_cert_sn")?;
    let node_bytes = match text {
        Cow::Borrowed(t) => Cow::Borrowed(t.get(node.value.clone()).unwrap_or_default()),
        Cow::Owned(ref t) => Cow::Owned(t.get(node.value.clone()).unwrap_or_default().to_vec()),
    };
    Ok(Located { node_key: node.key.clone(), node_kind: node.kind, node: node_bytes, sign, alipay_cert_sn })
}

/// Verifies a response body for `method`: locate the node in the raw bytes, check `sign` over its
/// exact bytes in `charset` with `sign_type` (no other hash is accepted), retry once with `\/`
/// unescaped as the Java SDK does, then parse the node.
pub fn verify_response(
    body: &[u8],
    method: &str,
    charset: Charset,
    sign_type: SignType,
    verifier: &dyn Verifier,
) -> Result<VerifiedResponse> {
    let located = locate(body, method, charset)?;
    let signature = signature_of(&located)?;
    let messages = signed_messages(&located, charset)?;
    if !messages.iter().any(|message| verifier.verify(sign_type, message, &signature).is_ok()) {
        return Err(Error::SignatureMismatch);
    }
    open_node(located, charset, None)
}

/// The decoded `sign`; without one, the unsigned-error rule applies.
pub(crate) fn signature_of(located: &Located<'_>) -> Result<Vec<u8>> {
    let Some(sign) = located.sign.as_deref() else {
        return Err(unsigned_error(located));
    };
    base64::engine::general_purpose::STANDARD.decode(sign.as_bytes()).map_err(|_| Error::SignatureEncoding)
}

/// The messages the signature may cover, in the order to try them: the node's exact bytes in
/// `charset`, then (if it has any) with `\/` unescaped.
pub(crate) fn signed_messages(located: &Located<'_>, charset: Charset) -> Result<Vec<Vec<u8>>> {
    let signed_bytes = |utf8: &[u8]| -> Result<Vec<u8>> {
        match charset {
            Charset::Utf8 => Ok(utf8.to_vec()),
            Charset::Gbk => {
                let text =
                    std::str::from_utf8(utf8).map_err(|_| Error::MalformedResponse("node is not text".to_owned()))?;
                Ok(charset.encode("response node", text)?.into_owned())
            }
        }
    };
    let mut messages = vec![signed_bytes(&located.node)?];
    if let Some(unescaped) = unescape_slashes(&located.node) {
        messages.push(signed_bytes(&unescaped)?);
    }
    Ok(messages)
}

/// Parses a node whose signature verified; an encrypted (string) node is decrypted with `aes_key`.
pub(crate) fn open_node(located: Located<'_>, charset: Charset, aes_key: Option<&AesKey>) -> Result<VerifiedResponse> {
    if located.node_kind == ValueKind::String {
        let Some(aes_key) = aes_key else {
            return Err(Error::Aes(
                "the response node is encrypted (encrypt_type=AES) and no AES key is configured".to_owned(),
            ));
        };
        let ciphertext = decode_string(&located.node)?;
        let plaintext = aes_key.decrypt(&ciphertext)?;
        let wrong_key = || Error::Aes(format!("the decrypted node is not {charset} JSON: the AES key is wrong"));
        let node_text = charset.decode("decrypted node", &plaintext).map_err(|_| wrong_key())?.into_owned();
        return parse_node(located.node_key, node_text, located.alipay_cert_sn).map_err(|_| wrong_key());
    }
    let node_text = node_as_text(&located.node)?;
    parse_node(located.node_key, node_text, located.alipay_cert_sn)
}

fn node_as_text(node: &[u8]) -> Result<String> {
    match std::str::from_utf8(node) {
        Ok(text) => Ok(text.to_owned()),
        // The gateway has been seen sending GBK bytes in utf-8 error bodies; decode them for display.
        Err(_) => Ok(Charset::Gbk.decode("response node", node)?.into_owned()),
    }
}

pub(crate) fn parse_node(
    node_key: String,
    node_text: String,
    alipay_cert_sn: Option<String>,
) -> Result<VerifiedResponse> {
    let value: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&node_text)
        .map_err(|e| Error::MalformedResponse(format!("the `{node_key}` node is not a JSON object ({e})")))?;
    let gateway = gateway_fields(&value);
    Ok(VerifiedResponse { node_key, node_text, value, alipay_cert_sn, gateway })
}

fn gateway_fields(node: &serde_json::Map<String, serde_json::Value>) -> GatewayError {
    let text = |key: &str| -> Option<String> {
        match node.get(key) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    };
    GatewayError {
        code: text("code").unwrap_or_default(),
        msg: text("msg").unwrap_or_default(),
        sub_code: text("sub_code"),
        sub_msg: text("sub_msg"),
    }
}

/// Without `sign`, only an error that names a `sub_code` is reported (as unverified); anything else
/// is a missing signature. An unsigned success is never data.
fn unsigned_error(located: &Located<'_>) -> Error {
    if located.node_kind != ValueKind::Object {
        return Error::MissingSignature;
    }
    let parsed = node_as_text(&located.node)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text).ok());
    match parsed.map(|node| gateway_fields(&node)) {
        Some(fields) if fields.code != SUCCESS_CODE && fields.sub_code.is_some() => Error::UnsignedGatewayError(fields),
        _ => Error::MissingSignature,
    }
}

/// Builds a response body the way the gateway lays it out :
/// `{"<node_key>":<node_json>[,"alipay_cert_sn":"…"],"sign":"…"}`, the signature covering exactly the
/// bytes of `node_json` in `charset`. For the local test gateway and for tests; `node_json` is used
/// verbatim (a JSON object, or a quoted ciphertext string).
pub fn sign_response_body(
    node_key: &str,
    node_json: &str,
    alipay_cert_sn: Option<&str>,
    charset: Charset,
    sign_type: SignType,
    signer: &dyn crate::crypto::Signer,
) -> Result<Vec<u8>> {
    let signature = signer.sign(sign_type, &charset.encode(node_key, node_json)?)?;
    let sign = base64::engine::general_purpose::STANDARD.encode(signature);
    let key = serde_json::Value::from(node_key);
    let cert =
        alipay_cert_sn.map(|sn| format!(",\"alipay_cert_sn\":{}", serde_json::Value::from(sn))).unwrap_or_default();
    let body = format!("{{{key}:{node_json}{cert},\"sign\":\"{sign}\"}}");
    Ok(charset.encode("response body", &body)?.into_owned())
}
