//! Verifying gateway responses over the exact raw bytes of the response node.

use std::borrow::Cow;
use std::sync::OnceLock;

use base64::Engine as _;

use crate::aes::AesKey;
use crate::charset::Charset;
use crate::crypto::{SignType, Verifier};
use crate::error::{Error, GatewayError, Result};
use crate::json_scan::{decode_string, top_level_members, without_slash_escapes, Member, ValueKind};

/// The code of a successful call.
pub const SUCCESS_CODE: &str = "10000";

/// A response node whose signature verified. Its content may still be a gateway or business error:
/// see [`is_success`](Self::is_success) and [`into_success`](Self::into_success).
#[derive(Debug, Clone)]
pub struct VerifiedResponse {
    node_key: String,
    node_text: String,
    /// Parsed from `node_text` on the first [`value`](Self::value): a big list answer's tree is
    /// several times its text, and most callers read the text (the bindings, the typed models).
    value: OnceLock<serde_json::Map<String, serde_json::Value>>,
    alipay_cert_sn: Option<String>,
    gateway: GatewayError,
}

impl PartialEq for VerifiedResponse {
    /// The value is the node text's, so the text decides.
    fn eq(&self, other: &Self) -> bool {
        (&self.node_key, &self.node_text, &self.alipay_cert_sn)
            == (&other.node_key, &other.node_text, &other.alipay_cert_sn)
    }
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

    /// The verified node, parsed (on the first call: the node was checked to be a JSON object
    /// when it was verified, so this cannot fail).
    pub fn value(&self) -> &serde_json::Map<String, serde_json::Value> {
        self.value.get_or_init(|| serde_json::from_str(&self.node_text).unwrap_or_default())
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
    /// The parts to keep until the signature verified, holding their own bytes; for utf-8 without
    /// the node, which is the first message of [`signed_messages`] byte for byte (see [`attach`](Self::attach)).
    pub(crate) fn detach(self, charset: Charset) -> Located<'static> {
        match charset {
            Charset::Utf8 => Located { node: Cow::Owned(Vec::new()), ..self.into_parts() },
            Charset::Gbk => self.into_owned(),
        }
    }

    /// Takes back the node [`detach`](Self::detach) left out, from the messages of [`signed_messages`].
    pub(crate) fn attach(self, charset: Charset, messages: Vec<Vec<u8>>) -> Located<'static> {
        match (charset, messages.into_iter().next()) {
            (Charset::Utf8, Some(node)) => Located { node: Cow::Owned(node), ..self.into_parts() },
            _ => self.into_owned(),
        }
    }

    /// The parts but the node.
    fn into_parts(self) -> Located<'static> {
        Located {
            node_key: self.node_key,
            node_kind: self.node_kind,
            node: Cow::Owned(Vec::new()),
            sign: self.sign,
            alipay_cert_sn: self.alipay_cert_sn,
        }
    }

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
    let expected = response_node_key(method);
    locate_node(body, charset, |members| {
        let responses: Vec<&Member> = members.iter().filter(|m| m.key.ends_with("_response")).collect();
        match responses.as_slice() {
            [one] if one.key == expected || one.key == "error_response" => Ok(*one),
            [] => Err(Error::ResponseNodeMissing { expected: expected.clone(), found: None }),
            [other] => Err(Error::ResponseNodeMissing { expected: expected.clone(), found: Some(other.key.clone()) }),
            [_, second, ..] => Err(Error::DuplicateMember(second.key.clone())),
        }
    })
}

/// The member a mini-program payload (`my.getPhoneNumber` and friends) signs: `response`.
pub(crate) const PAYLOAD_NODE: &str = "response";

/// Finds a mini-program payload's `response`, its `sign` and `alipay_cert_sn`, and checks what the
/// payload declares: `sign_type` must be `sign_type`, `encrypt_type` AES; returns its `charset`
/// (the client's when it names none), which the plaintext is decoded from.
pub(crate) fn locate_payload(payload: &[u8], sign_type: SignType, charset: Charset) -> Result<(Located<'_>, Charset)> {
    let mut declared = None;
    let located = locate_node(payload, Charset::Utf8, |members| {
        let text = |name: &str| -> Result<Option<String>> {
            match members.iter().find(|m| m.key == name) {
                None => Ok(None),
                Some(m) if m.kind == ValueKind::String => {
                    decode_string(payload.get(m.value.clone()).unwrap_or_default()).map(Some)
                }
                Some(_) => Err(Error::field(name, "must be a string")),
            }
        };
        if let Some(found) = text("sign_type")? {
            let found: SignType = found.parse()?;
            if found != sign_type {
                return Err(Error::field(
                    "sign_type",
                    format!("the payload declares {found} but the client accepts only {sign_type}"),
                ));
            }
        }
        if text("encrypt_type")?.is_some_and(|kind| !kind.eq_ignore_ascii_case("AES")) {
            return Err(Error::field("encrypt_type", "must be `AES`, the only content encryption there is"));
        }
        declared = text("charset")?.map(|name| Charset::of_message(&name)).transpose()?;
        members
            .iter()
            .find(|m| m.key == PAYLOAD_NODE)
            .ok_or_else(|| Error::ResponseNodeMissing { expected: PAYLOAD_NODE.to_owned(), found: None })
    })?;
    Ok((located, declared.unwrap_or(charset)))
}

/// Decodes `body` in `charset`, refuses duplicated members, and takes the node `choose` picks
/// (an object or a string), `sign` and `alipay_cert_sn`.
fn locate_node<'a>(
    body: &'a [u8],
    charset: Charset,
    choose: impl for<'m> FnOnce(&'m [Member]) -> Result<&'m Member>,
) -> Result<Located<'a>> {
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
    let node = choose(&members)?;
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
    let exact = in_charset(charset, &located.node)?.into_owned();
    let mut messages = vec![];
    if located.node.windows(2).any(|pair| pair == b"\\/") {
        let mut unescaped = Vec::with_capacity(exact.len());
        let changed = without_slash_escapes(&located.node, |piece| {
            unescaped.extend_from_slice(&in_charset(charset, piece)?);
            Ok(())
        })?;
        if changed {
            messages.push(unescaped);
        }
    }
    messages.insert(0, exact);
    Ok(messages)
}

/// The node's bytes as they are (utf-8), or its text re-encoded (GBK; [`signed_messages`] splits it
/// at ASCII backslashes, so each piece is text when the node is).
fn in_charset(charset: Charset, utf8: &[u8]) -> Result<Cow<'_, [u8]>> {
    if charset == Charset::Utf8 {
        return Ok(Cow::Borrowed(utf8));
    }
    let text = std::str::from_utf8(utf8).map_err(|_| Error::MalformedResponse("node is not text".to_owned()))?;
    charset.encode("response node", text)
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
    let node_text = node_as_text(located.node)?;
    parse_node(located.node_key, node_text, located.alipay_cert_sn)
}

/// The node as text, reusing its bytes when they are owned UTF-8.
fn node_as_text(node: Cow<'_, [u8]>) -> Result<String> {
    let bytes = match String::from_utf8(node.into_owned()) {
        Ok(text) => return Ok(text),
        Err(not_utf8) => not_utf8.into_bytes(),
    };
    // The gateway has been seen sending GBK bytes in utf-8 error bodies; decode them for display.
    Ok(Charset::Gbk.decode("response node", &bytes)?.into_owned())
}

pub(crate) fn parse_node(
    node_key: String,
    node_text: String,
    alipay_cert_sn: Option<String>,
) -> Result<VerifiedResponse> {
    let malformed =
        |e: serde_json::Error| Error::MalformedResponse(format!("the `{node_key}` node is not a JSON object ({e})"));
    // Checked as `serde_json::Value` would read it, without building the tree: see `value`.
    let NodeHead(head) = serde_json::from_str(&node_text).map_err(malformed)?;
    let gateway = gateway_fields(&head);
    Ok(VerifiedResponse { node_key, node_text, value: OnceLock::new(), alipay_cert_sn, gateway })
}

/// The members [`gateway_fields`] reads.
const GATEWAY_FIELDS: [&str; 4] = ["code", "msg", "sub_code", "sub_msg"];

/// A node's [`GATEWAY_FIELDS`] members, read in one pass that checks every other member as
/// [`AnyJson`] and keeps nothing of them (a repeated member: the last one counts, as in
/// `serde_json::Map`).
struct NodeHead(serde_json::Map<String, serde_json::Value>);

impl<'de> serde::Deserialize<'de> for NodeHead {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_map(NodeHeadVisitor)
    }
}

struct NodeHeadVisitor;

impl<'de> serde::de::Visitor<'de> for NodeHeadVisitor {
    type Value = NodeHead;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut members: A) -> std::result::Result<NodeHead, A::Error> {
        let mut head = serde_json::Map::new();
        while let Some(GatewayField(field)) = members.next_key()? {
            match field {
                Some(name) => {
                    head.insert(name.to_owned(), members.next_value()?);
                }
                None => {
                    members.next_value::<AnyJson>()?;
                }
            }
        }
        Ok(NodeHead(head))
    }
}

/// A member name: which of [`GATEWAY_FIELDS`] it is, if any (read without keeping the name).
struct GatewayField(Option<&'static str>);

impl<'de> serde::Deserialize<'de> for GatewayField {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_str(GatewayFieldVisitor)
    }
}

struct GatewayFieldVisitor;

impl serde::de::Visitor<'_> for GatewayFieldVisitor {
    type Value = GatewayField;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, name: &str) -> std::result::Result<GatewayField, E> {
        Ok(GatewayField(GATEWAY_FIELDS.iter().copied().find(|field| *field == name)))
    }
}

/// Any JSON value, read (numbers range-checked) as `serde_json::Value` reads it, and dropped.
struct AnyJson;

impl<'de> serde::Deserialize<'de> for AnyJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(AnyJson)
    }
}

impl<'de> serde::de::Visitor<'de> for AnyJson {
    type Value = AnyJson;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_unit<E>(self) -> std::result::Result<AnyJson, E> {
        Ok(AnyJson)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> std::result::Result<AnyJson, A::Error> {
        while items.next_element::<AnyJson>()?.is_some() {}
        Ok(AnyJson)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut members: A) -> std::result::Result<AnyJson, A::Error> {
        while members.next_entry::<AnyJson, AnyJson>()?.is_some() {}
        Ok(AnyJson)
    }
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
    let parsed = node_as_text(Cow::Borrowed(&located.node))
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
