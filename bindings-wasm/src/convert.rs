//! The one place where JavaScript values become core values and back, and where their TypeScript
//! shapes are declared.
//!
//! Inputs become a `serde_json::Value` with the core's snake_case names (JavaScript writes them in
//! camelCase), and the core's options model reads and checks them: this file knows no option.
//! A string holding a lone surrogate is refused, naming its field, instead of being replaced.
//! Outputs are plain objects. Money never passes as a JS number: amounts are strings.

use std::borrow::Cow;

use alipay_openapi::{
    Charset, Error, SignatureCheck, SignedRequest, SignedV3Request, Timestamp, V3Response, VerifiedResponse,
};
use base64::Engine as _;
use js_sys::{Array, JsString, Object, Reflect, Uint8Array};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{IntoJs, JsResult};

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &str = include_str!("../js/types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string (js_sys's takes Rust text, decoded again on each call).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;

    /// `ClientOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "ClientOptions")]
    pub type ClientOptionsArg;
    /// `RequestOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "RequestOptions")]
    pub type RequestArg;
    /// `SignedRequest` in TypeScript.
    #[wasm_bindgen(typescript_type = "SignedRequest")]
    pub type SignedRequestJs;
    /// A response body.
    #[wasm_bindgen(typescript_type = "string | Uint8Array | ArrayBuffer")]
    pub type BodyArg;
    /// `NotifyInput` in TypeScript.
    #[wasm_bindgen(typescript_type = "NotifyInput")]
    pub type NotifyInputArg;
    /// `NotifyOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "NotifyOptions")]
    pub type NotifyOptionsArg;
    /// The `biz_content` fields of a typed call.
    #[wasm_bindgen(typescript_type = "Apis[ApiMethod][\"request\"]")]
    pub type CallArg;
    /// `CallOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "CallOptions")]
    pub type CallOptionsArg;
    /// A raw signature.
    #[wasm_bindgen(typescript_type = "Uint8Array")]
    pub type SignatureArg;
    /// `V3RequestOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "V3RequestOptions")]
    pub type V3RequestArg;
    /// `SignedV3Request` in TypeScript.
    #[wasm_bindgen(typescript_type = "SignedV3Request")]
    pub type SignedV3RequestJs;
    /// `ExpectedOrder` in TypeScript.
    #[wasm_bindgen(typescript_type = "ExpectedOrder")]
    pub type OrderArg;
    /// Response headers.
    #[wasm_bindgen(typescript_type = "[string, string][] | Record<string, string>")]
    pub type HeadersArg;
    /// `Date | number`, or nothing for now.
    #[wasm_bindgen(typescript_type = "Date | number | undefined")]
    pub type NowArg;
    #[wasm_bindgen(typescript_type = "boolean[]")]
    pub type VerdictsArg;
}

/// How the names of an input's objects are read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Names {
    /// The top level's names are options in camelCase; deeper objects are data, kept as given.
    Options,
    /// Every level's names are fields in camelCase (a typed call's `biz_content`).
    Fields,
    /// An upload's `files` (v2 or v3): names in camelCase at every level, and bytes (a `Uint8Array`) as
    /// the base64 text the core takes for a file's content.
    Files,
    /// Kept as given.
    AsGiven,
}

/// A JS value as JSON, for the core to read. `path` names it in errors (`biz_content.subject`).
pub(crate) fn json(value: &JsValue, path: &str, names: Names) -> Result<Value, Error> {
    let here = if path.is_empty() { "value" } else { path };
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(text) = value.as_string() {
        // The copy replaces a lone surrogate with U+FFFD; only then is the (slow, one call per
        // code unit) exact check needed, to tell a lone surrogate from a real U+FFFD.
        if text.contains('\u{FFFD}') && !value.unchecked_ref::<JsString>().is_valid_utf16() {
            return Err(Error::lone_surrogate(here));
        }
        return Ok(Value::String(text));
    }
    if let Some(flag) = value.as_bool() {
        return Ok(Value::Bool(flag));
    }
    let number = value.as_f64().or_else(|| value.dyn_ref::<js_sys::Date>().map(js_sys::Date::get_time));
    if let Some(number) = number {
        return json_number(number).ok_or_else(|| Error::field(here, "must be a finite number"));
    }
    let nested = if matches!(names, Names::Fields | Names::Files) { names } else { Names::AsGiven };
    if let Some(items) = value.dyn_ref::<Array>() {
        let item = |(i, v): (usize, JsValue)| json(&v, &format!("{}[{i}]", here), nested);
        return items.iter().enumerate().map(item).collect::<Result<_, _>>().map(Value::Array);
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>().filter(|_| names == Names::Files) {
        return Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(bytes.to_vec())));
    }
    if value.is_object() && !value.is_function() && !value.is_instance_of::<Uint8Array>() {
        let mut members = Map::new();
        for entry in Object::entries(value.unchecked_ref::<Object>()).iter() {
            let entry: Array = entry.unchecked_into();
            let key = json(&entry.get(0), path, Names::AsGiven)?;
            let key = key.as_str().unwrap_or_default();
            let name = if names == Names::AsGiven { key.to_owned() } else { snake_case(key) };
            let child_path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            let child_names = if names == Names::Options && name == "files" { Names::Files } else { nested };
            members.insert(name, json(&entry.get(1), &child_path, child_names)?);
        }
        return Ok(Value::Object(members));
    }
    Err(Error::field(here, "must be a string, number, boolean, array or plain object"))
}

/// A finite JS number (an invalid `Date` is NaN): integers within the exact range as integers,
/// others as they are (the core's models refuse a number where money goes).
fn json_number(number: f64) -> Option<Value> {
    const EXACT: f64 = 9_007_199_254_740_991.0;
    if number.fract() == 0.0 && number.abs() <= EXACT {
        // Whole and within ±2^53, so the conversion is exact.
        return Some(Value::from(number as i64));
    }
    Number::from_f64(number).map(Value::Number)
}

/// `outBizNo` → `out_biz_no`.
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `out_biz_no` → `outBizNo`.
pub(crate) fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Renames every object member, at any depth: a typed result's names in camelCase.
fn camel_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (camel_case(&k), camel_keys(v))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_keys).collect()),
        other => other,
    }
}

/// An instant given as milliseconds since the epoch or a `Date`; the host's clock when absent.
pub(crate) fn now(value: &JsValue, field: &str) -> Result<Timestamp, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(Timestamp::from_unix_millis(js_sys::Date::now() as i64));
    }
    match json(value, field, Names::AsGiven)? {
        Value::Number(n) if n.is_i64() => Ok(Timestamp::from_unix_millis(n.as_i64().unwrap_or_default())),
        _ => Err(Error::field(field, "must be milliseconds since the epoch or a valid Date")),
    }
}

/// The host's verdicts on a certificate chain: one boolean per check.
pub(crate) fn verdicts(value: &JsValue) -> Result<Vec<bool>, Error> {
    let rule = || Error::field("verified", "must be a sequence of booleans, one for each check");
    let array = value.dyn_ref::<Array>().ok_or_else(rule)?;
    array.iter().map(|verdict| verdict.as_bool().ok_or_else(rule)).collect()
}

/// What a host needs for one RSA check: `{ signType, messages, signature, spki }`.
pub(crate) fn signature_check(check: &SignatureCheck) -> JsValue {
    let object = Object::new();
    let set = |name: &str, value: JsValue| Reflect::set(&object, &JsValue::from_str(name), &value);
    let messages: Array =
        check.messages().iter().map(|message| JsValue::from(Uint8Array::from(message.as_slice()))).collect();
    // Setting a property of a fresh plain object cannot fail.
    let _ = set("signType", JsValue::from_str(check.sign_type().as_str()));
    let _ = set("messages", messages.into());
    let _ = set("signature", Uint8Array::from(check.signature()).into());
    let _ = set("spki", Uint8Array::from(check.key().spki_der()).into());
    object.into()
}

/// Bytes of a body given as text (encoded in `charset`), `Uint8Array` or `ArrayBuffer`.
pub(crate) fn bytes(value: &JsValue, field: &str, charset: Charset) -> Result<Vec<u8>, Error> {
    // Text first: the usual body, and each test below is a call into JavaScript.
    if value.is_string() {
        let text = match json(value, field, Names::AsGiven)? {
            Value::String(text) => text,
            _ => String::new(),
        };
        // Text in UTF-8 is its own bytes: kept, not copied again.
        let encoded = match charset.encode(field, &text)? {
            Cow::Borrowed(_) => None,
            Cow::Owned(bytes) => Some(bytes),
        };
        Ok(encoded.unwrap_or_else(|| text.into_bytes()))
    } else if let Some(array) = value.dyn_ref::<Uint8Array>() {
        Ok(array.to_vec())
    } else if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(buffer).to_vec())
    } else {
        Err(Error::field(field, "must be a string, a Uint8Array or an ArrayBuffer"))
    }
}

/// A host's raw signature: bytes, never text (a base64 string passed by mistake is refused).
pub(crate) fn signature(value: &JsValue) -> Result<Vec<u8>, Error> {
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| Error::field("signature", "must be a Uint8Array of the raw signature bytes"))
}

/// A plain JS object from `value`: serialized to JSON text here and parsed once by `JSON.parse`,
/// which costs one crossing instead of one per member.
pub(crate) fn to_js<T: Serialize>(value: &T) -> JsResult<JsValue> {
    let text = serde_json::to_string(value).map_err(|e| Error::field("result", e.to_string())).js()?;
    js_sys::JSON::parse(&text)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedRequestOut<'a> {
    url: &'a str,
    method: &'static str,
    headers: std::collections::BTreeMap<&'a str, &'a str>,
    content_type: &'a str,
    /// The form body; an upload's (binary) is set apart as a `Uint8Array`.
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
    signature: &'a str,
    sign_content: &'a str,
    params: &'a std::collections::BTreeMap<String, String>,
    page_link: String,
    page_form: String,
    order_string: String,
}

/// `{ url, method, headers, contentType, body, … }`: `body` a string for a form, a `Uint8Array` for
/// an upload.
pub(crate) fn signed_request(signed: &SignedRequest) -> JsResult<JsValue> {
    let body = match signed.is_upload() {
        true => None,
        false => Some(
            std::str::from_utf8(signed.body())
                .map_err(|_| Error::SigningFailed("the form body is not ASCII".to_owned()))
                .js()?,
        ),
    };
    let object = to_js(&SignedRequestOut {
        url: signed.url(),
        method: signed.method(),
        headers: signed.headers().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        content_type: signed.content_type(),
        body,
        signature: signed.signature(),
        sign_content: signed.sign_content(),
        params: signed.params(),
        page_link: signed.page_link(),
        page_form: signed.page_form(),
        order_string: signed.order_string(),
    })?;
    if body.is_none() {
        Reflect::set(&object, &"body".into(), &Uint8Array::from(signed.body()).into())?;
    }
    Ok(object)
}

/// `{ nodeKey, nodeText, value, alipayCertSn? }`, each string copied straight into JavaScript and the
/// node text (a JSON object: the core checked it) parsed once by `JSON.parse`, read from the
/// engine's memory: no JSON text of the whole answer is built in between.
pub(crate) fn verified_response(verified: &VerifiedResponse) -> JsResult<JsValue> {
    let text = JsValue::from_str(verified.node_text()); // decoded once, for the member and the parse
    let value = json_parse(&text)?;
    let object = Object::new();
    Reflect::set(&object, &"nodeKey".into(), &verified.node_key().into())?;
    Reflect::set(&object, &"nodeText".into(), &text)?;
    Reflect::set(&object, &"value".into(), &value)?;
    if let Some(sn) = verified.alipay_cert_sn() {
        Reflect::set(&object, &"alipayCertSn".into(), &sn.into())?;
    }
    Ok(object.into())
}

/// A plain object of text fields (a notification's), each copied straight into JavaScript.
pub(crate) fn text_fields<'a>(fields: impl IntoIterator<Item = (&'a String, &'a String)>) -> JsResult<JsValue> {
    let object = Object::new();
    for (key, value) in fields {
        Reflect::set(&object, &key.as_str().into(), &value.as_str().into())?;
    }
    Ok(object.into())
}

/// A typed result, names in camelCase.
pub(crate) fn typed_result(value: Value) -> JsResult<JsValue> {
    to_js(&camel_keys(value))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedV3RequestOut<'a> {
    method: &'a str,
    url: &'a str,
    path_with_query: &'a str,
    headers: std::collections::BTreeMap<&'a str, &'a str>,
    signature: &'a str,
    sign_content: &'a str,
}

/// `{ method, url, pathWithQuery, headers, body, signature, signContent }`, `body` as bytes (an
/// upload's multipart body is binary).
pub(crate) fn signed_v3_request(signed: &SignedV3Request) -> JsResult<JsValue> {
    let object = to_js(&SignedV3RequestOut {
        method: signed.http_method(),
        url: signed.url(),
        path_with_query: signed.path_with_query(),
        headers: signed.headers().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        signature: signed.signature(),
        sign_content: signed.sign_content(),
    })?;
    Reflect::set(&object, &"body".into(), &Uint8Array::from(signed.body()).into())?;
    Ok(object)
}

/// Response headers, as `[name, value]` pairs or an object of strings.
pub(crate) fn header_pairs(value: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let rule = "must be an array of [name, value] pairs of strings or an object of strings";
    match json(value, "headers", Names::AsGiven)? {
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::Array(pair) => match <[Value; 2]>::try_from(pair) {
                    Ok([Value::String(name), Value::String(text)]) => Ok((name, text)),
                    _ => Err(Error::field("headers", rule)),
                },
                _ => Err(Error::field("headers", rule)),
            })
            .collect(),
        Value::Object(members) => members
            .into_iter()
            .map(|(name, value)| match value {
                Value::String(text) => Ok((name, text)),
                _ => Err(Error::field("headers", rule)),
            })
            .collect(),
        _ => Err(Error::field("headers", rule)),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V3ResponseOut<'a> {
    status: u16,
    body: &'a str,
    timestamp: u64,
    nonce: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    alipay_sn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_id: Option<&'a str>,
    was_encrypted: bool,
}

/// `{ status, body, value, timestamp, nonce, alipaySn?, traceId?, wasEncrypted }`: `value` is the
/// body parsed once by `JSON.parse`, names as the gateway sent them (`null` for an empty body).
pub(crate) fn v3_response(response: &V3Response) -> JsResult<JsValue> {
    let object = to_js(&V3ResponseOut {
        status: response.status(),
        body: response.body(),
        timestamp: response.timestamp(),
        nonce: response.nonce(),
        alipay_sn: response.alipay_sn(),
        trace_id: response.trace_id(),
        was_encrypted: response.was_encrypted(),
    })?;
    let value = match response.value() {
        Some(_) => js_sys::JSON::parse(response.body())?,
        None => JsValue::NULL,
    };
    Reflect::set(&object, &"value".into(), &value)?;
    Ok(object)
}
