//! The one place where JavaScript values become core values and back, and where their TypeScript
//! shapes are declared.
//!
//! JavaScript names are camelCase and are mapped to the core's names here only. Inputs are read with
//! serde-wasm-bindgen (through serde_path_to_error, so a wrong type names its field); outputs are
//! plain objects. Money never passes as a JS number: amounts are strings.

use std::collections::BTreeMap;

use alipay_openapi::{
    AesKey, CertificateMode, Charset, Config, Error, Gateway, KeyEncoding, KeyForm, KeyInfo, Notification, Request,
    SignType, SignedRequest, Timestamp, VerifiedResponse,
};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{invalid_field, IntoJs, JsResult};

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &str = r#"
/** A JSON value, as `JSON.parse` returns it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `RSA2` is SHA256withRSA (recommended); `RSA` is SHA1withRSA (legacy). */
export type SignType = "RSA2" | "RSA";

/** The message charset. */
export type Charset = "utf-8" | "GBK";

/** Options of a client, given once. */
export interface ClientOptions {
  /** The APPID. */
  appId: string;
  /**
   * The application private key (PKCS#1 or PKCS#8; PEM or bare base64), needed to sign.
   * It is a secret: never ship it to a browser.
   */
  privateKey?: string;
  /** The Alipay public key (SubjectPublicKeyInfo or PKCS#1; PEM or bare base64), needed to verify. */
  alipayPublicKey?: string;
  /**
   * Public-key-certificate mode (公钥证书模式), instead of `alipayPublicKey`: requests carry
   * `app_cert_sn` and `alipay_root_cert_sn`; a response is verified with the key of the Alipay
   * certificate its `alipay_cert_sn` names.
   */
  certificates?: Certificates;
  /**
   * The AES content-encryption key (接口内容加密), base64 as the console shows it: `biz_content`
   * is encrypted before signing and encrypted responses are decrypted after verifying.
   * It is a secret.
   */
  aesKey?: string;
  /** `RSA2` by default; also the only algorithm accepted on responses and notifications. */
  signType?: SignType;
  /** `utf-8` by default. */
  charset?: Charset;
  /** `production` (default), `sandbox`, or the URL of a gateway such as the local test gateway. */
  gateway?: "production" | "sandbox" | `http://${string}` | `https://${string}`;
  /** ISV token sent with every request unless the request sets its own. */
  appAuthToken?: string;
  /** The `format` parameter: `json` by default; `null` leaves it out. */
  format?: string | null;
  /**
   * Who computes RSA: `node` (node:crypto, the default under Node, Deno and Bun), `webcrypto`
   * (crypto.subtle; asynchronous methods only) or `wasm` (the module's own, everywhere; the default
   * elsewhere). All three give the same signatures.
   */
  crypto?: Backend;
}

/** The three certificate files of certificate mode, as PEM text. */
export interface Certificates {
  /** `appCertPublicKey_<APPID>.crt`: gives `app_cert_sn`. */
  appCert: string;
  /** `alipayCertPublicKey_RSA2.crt`: its key verifies responses (trusted as configured). */
  alipayCert: string;
  /** `alipayRootCert.crt`: gives `alipay_root_cert_sn`; certificates added later must chain to it. */
  alipayRootCert: string;
}

/** Who computes RSA for a client. */
export type Backend = "node" | "webcrypto" | "wasm";

/** A call to one gateway method. */
export interface RequestOptions {
  /** The gateway method, e.g. `alipay.marketing.voucher.query`. */
  method: string;
  /** JSON text, signed and sent byte for byte, or an object serialized once with `JSON.stringify`. */
  bizContent?: string | { [key: string]: JsonValue };
  /** More text parameters; an empty value is neither signed nor sent. */
  params?: { [name: string]: string };
  notifyUrl?: string;
  returnUrl?: string;
  /** Overrides the client's `appAuthToken` for this request. */
  appAuthToken?: string;
  /** `1.0` by default. */
  version?: string;
  /** When the request is signed: milliseconds since the epoch, a `Date`, or Beijing time `yyyy-MM-dd HH:mm:ss`. Now by default. */
  timestamp?: number | Date | string;
}

/** A signed request, ready for `fetch(url, { method, headers, body })`. The host does the HTTP. */
export interface SignedRequest {
  url: string;
  method: "POST";
  headers: { [name: string]: string };
  /** The form body (`biz_content` and API parameters), percent-encoded in the request charset. */
  body: string;
  /** The base64 `sign` value. */
  signature: string;
  /** The canonical text that was signed, for debugging `isv.invalid-signature`. */
  signContent: string;
  /** Every parameter sent, without `sign`. */
  params: { [name: string]: string };
}

/** A response node whose signature verified and whose code is `10000`. */
export interface VerifiedResponse<T = { [key: string]: JsonValue }> {
  /** `<method>_response`. */
  nodeKey: string;
  /** The node exactly as signed. */
  nodeText: string;
  /** The node, parsed with `JSON.parse`. */
  value: T;
  /** The top-level `alipay_cert_sn` (certificate mode); the signature does not cover it. */
  alipayCertSn?: string;
}

/** A notification as the form body (text or bytes) or as fields a web framework already decoded once. */
export type NotifyInput = string | Uint8Array | ArrayBuffer | { [field: string]: string };

/** How a notification is checked. */
export interface NotifyOptions {
  /** `v1` (rsaCheckV1, the default): `sign_type` is not signed; `v2` (rsaCheckV2): it is. */
  version?: "v1" | "v2";
}

/** The fields of a notification whose signature verified. */
export type NotifyFields = { readonly [field: string]: string };

/** Extra options of a typed call. */
export interface CallOptions {
  notifyUrl?: string;
  returnUrl?: string;
  /** Overrides the client's `appAuthToken` for this request. */
  appAuthToken?: string;
  /** When the request is signed; now by default (see {@link RequestOptions.timestamp}). */
  timestamp?: number | Date | string;
}

/** An amount of money in yuan with at most two decimals, e.g. `"9.99"`: never a JS number. */
export type Amount = string;
/** A Beijing date-time `yyyy-MM-dd HH:mm:ss`. */
export type BeijingDateTime = string;
/** Members a typed result does not list, kept as sent (names in camelCase): narrow before use. */
export interface Extra { [member: string]: unknown }

/** `alipay.marketing.voucher.send` (发券): one of `loginId`, `taobaoNick`, `userId` names the user. */
export interface VoucherSend {
  templateId: string;
  loginId?: string;
  taobaoNick?: string;
  userId?: string;
  /** Idempotency key: a retry sends the same one. */
  outBizNo: string;
  amount?: Amount;
  memo?: string;
}
export interface VoucherSendResult extends Extra {
  voucherId: string;
  userId: string | null;
}

/** `alipay.marketing.voucher.query` (券查询). */
export interface VoucherQuery {
  voucherId: string;
}
export type VoucherStatus =
  | "ENABLED" | "DISABLED" | "DELETE" | "TRANS" | "TRANSFER" | "UNC" | "USED" | "USING" | "REFUNDED"
  | "REFUNDING" | "UNACTIVE" | "EXPIRED" | (string & {});
export interface BillDetail extends Extra {
  tradeNo: string | null;
  amount: Amount;
  /** `I` processing, `S` success. */
  status: "I" | "S" | (string & {});
  partnerId: string | null;
  partnerName: string | null;
  /** `null` in older answers, which leave it out. */
  bizType: "V_USE" | "V_REFUND" | (string & {}) | null;
  gmtCreate: BeijingDateTime;
}
/**
 * Only `voucherId` and `status` are always present: real answers also come in an older shape
 * (`voucher_name`, `amount`, no `gmt_create`), so the other fields are `null` when absent.
 */
export interface VoucherQueryResult extends Extra {
  voucherId: string;
  templateId: string | null;
  /** `name`, or the older `voucher_name`. */
  name: string | null;
  userId: string | null;
  status: VoucherStatus;
  /** Face value: `total_amount`, or the older `amount`. */
  totalAmount: Amount | null;
  availableAmount: Amount | null;
  gmtActive: BeijingDateTime | null;
  gmtExpired: BeijingDateTime | null;
  gmtCreate: BeijingDateTime | null;
  extendInfo: string | null;
  billDetails: BillDetail[];
}

/** `alipay.marketing.voucher.stock.use` (券码核销). */
export interface VoucherStockUse {
  entityNo: string;
  /** Idempotency key: a retry sends the same one. */
  outBizNo: string;
}
export interface VoucherStockUseResult extends Extra {
  /** Absent when the code was not redeemed, even though the call succeeded. */
  voucherId: string | null;
}

/** `koubei.trade.ticket.ticketcode.sync` (口碑凭证码同步). */
export interface TicketCodeSync {
  /** Idempotency key: a retry sends the same one. */
  requestId: string;
  ticketCode: string;
  quantity: string;
  orderNo: string;
  codeType?: "INTERNAL_CODE" | "EXTERNAL_CODE";
  gmtBiz?: BeijingDateTime;
  syncShopId?: string;
}
export interface TicketCodeSyncResult extends Extra {
  requestId: string;
  orderNo: string;
  bizCode: string | null;
  /** This `requestId` had been synced before: nothing changed now. */
  idempotentReplay: boolean;
}

/** The four methods with a typed model: request and result of each. */
export interface Apis {
  "alipay.marketing.voucher.send": { request: VoucherSend; result: VoucherSendResult };
  "alipay.marketing.voucher.query": { request: VoucherQuery; result: VoucherQueryResult };
  "alipay.marketing.voucher.stock.use": { request: VoucherStockUse; result: VoucherStockUseResult };
  "koubei.trade.ticket.ticketcode.sync": { request: TicketCodeSync; result: TicketCodeSyncResult };
}
export type ApiMethod = keyof Apis;

/**
 * What a host verifier must check, in order, until one message verifies, with the key the core
 * chose (`spki`). No messages and no error: the core verified with a key of its own (certificate mode).
 */
export interface PendingVerification {
  signType: SignType;
  signature: Uint8Array;
  messages: Uint8Array[];
  /** The SubjectPublicKeyInfo DER of the key to verify with. */
  spki: Uint8Array;
}

/** What was detected about a key. */
export interface KeyInfo {
  form: "pkcs1" | "pkcs8" | "spki";
  encoding: "pem" | "base64" | "der";
  bits: number;
}

/** The stable error codes, equal to the Rust core's `Error::code()`. */
export type ErrorCode =
  | "invalid_key" | "unsupported_key_size" | "invalid_field" | "unencodable_text" | "undecodable_bytes"
  | "unsupported_charset" | "unsupported_sign_type" | "signing_failed" | "malformed_response"
  | "response_node_missing" | "duplicate_member" | "missing_signature" | "signature_encoding"
  | "signature_mismatch" | "unsigned_gateway_error" | "gateway_error" | "malformed_notification"
  | "unknown_cert_sn" | "invalid_certificate" | "aes_error" | "internal_panic";

/** Every error this package throws from the core: a real `Error` with a stable `code`. */
export interface AlipayError extends Error {
  name: "AlipayError";
  code: ErrorCode;
  /** `invalid_field`, `unencodable_text`, `undecodable_bytes`: the input at fault. */
  field?: string;
  /** `invalid_field`: the rule that was broken. */
  rule?: string;
  /** `unencodable_text`, `undecodable_bytes`. */
  charset?: string;
  /** `gateway_error` (verified) and `unsigned_gateway_error` (unverified: show, never act on it). */
  gatewayCode?: string;
  gatewayMsg?: string;
  subCode?: string;
  subMsg?: string;
  /** Gateway answers: whether sending the same request again (same idempotency key) is safe and may succeed. */
  retryable?: boolean;
  /** Gateway answers: what the code means and what to do, from the error catalog. */
  description?: string;
  action?: string;
  /** `unknown_cert_sn`: the SN to download with `alipay.open.app.alipaycert.download`. */
  alipayCertSn?: string;
}
"#;

#[wasm_bindgen]
extern "C" {
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
    /// `VerifiedResponse` in TypeScript.
    #[wasm_bindgen(typescript_type = "VerifiedResponse")]
    pub type VerifiedResponseJs;
    /// `NotifyInput` in TypeScript.
    #[wasm_bindgen(typescript_type = "NotifyInput")]
    pub type NotifyInputArg;
    /// `NotifyOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "NotifyOptions")]
    pub type NotifyOptionsArg;
    /// `NotifyFields` in TypeScript.
    #[wasm_bindgen(typescript_type = "NotifyFields")]
    pub type NotifyFieldsJs;
    /// `PendingVerification` in TypeScript.
    #[wasm_bindgen(typescript_type = "PendingVerification")]
    pub type PendingJs;
    /// The `biz_content` fields of a typed call.
    #[wasm_bindgen(typescript_type = "Apis[ApiMethod][\"request\"]")]
    pub type CallArg;
    /// `CallOptions` in TypeScript.
    #[wasm_bindgen(typescript_type = "CallOptions")]
    pub type CallOptionsArg;
    /// A typed result.
    #[wasm_bindgen(typescript_type = "Apis[ApiMethod][\"result\"]")]
    pub type CallResultJs;
    /// A raw signature.
    #[wasm_bindgen(typescript_type = "Uint8Array")]
    pub type SignatureArg;
    /// `Date | number`, or nothing for now.
    #[wasm_bindgen(typescript_type = "Date | number | undefined")]
    pub type NowArg;
    /// `KeyInfo` in TypeScript.
    #[wasm_bindgen(typescript_type = "KeyInfo")]
    pub type KeyInfoJs;
}

/// Reads a JS value into `T`; a mismatch names its place, e.g. `options.signType`.
fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, Error> {
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { what.to_owned() } else { path };
        let message = e.into_inner().to_string();
        invalid_field(field, message.strip_prefix("Error: ").unwrap_or(&message))
    })
}

/// Reads a JS object into the struct `T`, refusing names `T` does not have (serde-wasm-bindgen reads
/// a struct's fields by name, so `deny_unknown_fields` never sees the others): a misspelt option
/// must not be silently ignored.
fn from_js_object<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, Error> {
    if let Some(object) = value.dyn_ref::<Object>() {
        let known = struct_fields::<T>();
        for name in Object::keys(object).iter().filter_map(|k| k.as_string()) {
            if !known.contains(&name.as_str()) {
                return Err(invalid_field(name, format!("is not an option here (known: {})", known.join(", "))));
            }
        }
    }
    from_js(value, what)
}

/// The field names of a struct that derives `Deserialize`, as its `deserialize_struct` call gives them.
fn struct_fields<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Capture<'a>(&'a mut &'static [&'static str]);

    impl<'de> serde::Deserializer<'de> for Capture<'_> {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(serde::de::Error::custom("fields captured"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
            unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Capture(&mut fields));
    fields
}

/// A plain JS object from `value`: serialized to JSON text here and parsed once by `JSON.parse`,
/// which costs one crossing instead of one per member.
fn to_js<T: Serialize>(value: &T) -> JsResult<JsValue> {
    let text = serde_json::to_string(value).map_err(|e| invalid_field("result", e.to_string())).js()?;
    js_sys::JSON::parse(&text)
}

fn undefined() -> JsValue {
    JsValue::UNDEFINED
}

fn required(value: Option<String>, field: &str) -> Result<String, Error> {
    value.ok_or_else(|| invalid_field(field, "is required"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientOptions {
    app_id: Option<String>,
    private_key: Option<String>,
    alipay_public_key: Option<String>,
    #[serde(default = "undefined", with = "serde_wasm_bindgen::preserve")]
    certificates: JsValue,
    aes_key: Option<String>,
    sign_type: Option<String>,
    charset: Option<String>,
    gateway: Option<String>,
    app_auth_token: Option<String>,
    #[serde(default = "undefined", with = "serde_wasm_bindgen::preserve")]
    format: JsValue,
    crypto: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CertificatesOptions {
    app_cert: Option<String>,
    alipay_cert: Option<String>,
    alipay_root_cert: Option<String>,
}

/// The parts of a client: its configuration, its key texts, its certificate mode, its AES key and
/// its RSA backend.
pub(crate) struct ClientParts {
    pub config: Config,
    pub backend: String,
    pub private_key: Option<String>,
    pub alipay_public_key: Option<String>,
    pub certificate_mode: Option<CertificateMode>,
    pub aes_key: Option<AesKey>,
}

pub(crate) fn client_options(options: ClientOptionsArg) -> Result<ClientParts, Error> {
    let options: ClientOptions = from_js_object(options.into(), "options")?;
    let mut config = Config::new(required(options.app_id, "appId")?);
    if let Some(sign_type) = options.sign_type {
        config.sign_type = sign_type.parse()?;
    }
    if let Some(charset) = options.charset {
        config.charset = charset.parse()?;
    }
    config.gateway = match options.gateway.as_deref() {
        None | Some("production") => Gateway::Production,
        Some("sandbox") => Gateway::Sandbox,
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => Gateway::Custom(url.to_owned()),
        Some(_) => return Err(invalid_field("gateway", "must be `production`, `sandbox` or an http(s) URL")),
    };
    config.app_auth_token = options.app_auth_token;
    if options.format.is_null() {
        config.format = None;
    } else if let Some(format) = options.format.as_string() {
        config.format = Some(format);
    } else if !options.format.is_undefined() {
        return Err(invalid_field("format", "must be a string, or null to leave it out"));
    }
    let backend = match options.crypto.as_deref() {
        None => "auto",
        Some(name @ ("node" | "webcrypto" | "wasm")) => name,
        Some(_) => return Err(invalid_field("crypto", "must be `node`, `webcrypto` or `wasm`")),
    };
    let certificate_mode = if options.certificates.is_undefined() {
        None
    } else {
        let files: CertificatesOptions = from_js_object(options.certificates, "certificates")?;
        if options.alipay_public_key.is_some() {
            return Err(invalid_field(
                "alipayPublicKey",
                "cannot be combined with `certificates`: the Alipay certificate's key verifies",
            ));
        }
        Some(CertificateMode::from_pem(
            &required(files.app_cert, "certificates.appCert")?,
            &required(files.alipay_cert, "certificates.alipayCert")?,
            &required(files.alipay_root_cert, "certificates.alipayRootCert")?,
        )?)
    };
    Ok(ClientParts {
        config,
        backend: backend.to_owned(),
        private_key: options.private_key,
        alipay_public_key: options.alipay_public_key,
        certificate_mode,
        aes_key: options.aes_key.as_deref().map(AesKey::from_base64).transpose()?,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestOptions {
    method: Option<String>,
    #[serde(default = "undefined", with = "serde_wasm_bindgen::preserve")]
    biz_content: JsValue,
    #[serde(default)]
    params: BTreeMap<String, String>,
    notify_url: Option<String>,
    return_url: Option<String>,
    app_auth_token: Option<String>,
    version: Option<String>,
    #[serde(default = "undefined", with = "serde_wasm_bindgen::preserve")]
    timestamp: JsValue,
}

pub(crate) fn request(request: RequestArg) -> Result<(Request, Timestamp), Error> {
    let options: RequestOptions = from_js_object(request.into(), "request")?;
    let mut built = Request::new(required(options.method, "method")?);
    if let Some(text) = options.biz_content.as_string() {
        built = built.biz_content(text);
    } else if options.biz_content.is_object() {
        let text = js_sys::JSON::stringify(&options.biz_content)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| invalid_field("bizContent", "must be JSON-serializable"))?;
        built = built.biz_content(text);
    } else if !options.biz_content.is_undefined() && !options.biz_content.is_null() {
        return Err(invalid_field("bizContent", "must be JSON text or an object"));
    }
    for (key, value) in options.params {
        built = built.param(key, value);
    }
    let optional = [
        ("notify_url", options.notify_url),
        ("return_url", options.return_url),
        ("app_auth_token", options.app_auth_token),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            built = built.param(key, value);
        }
    }
    if let Some(version) = options.version {
        built = built.version(version);
    }
    Ok((built, timestamp(&options.timestamp, "timestamp")?))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CallOptions {
    notify_url: Option<String>,
    return_url: Option<String>,
    app_auth_token: Option<String>,
    #[serde(default = "undefined", with = "serde_wasm_bindgen::preserve")]
    timestamp: JsValue,
}

/// A typed call: `fields` in camelCase checked against the method's model in the core.
pub(crate) fn call_request(
    method: &str,
    fields: CallArg,
    options: Option<CallOptionsArg>,
) -> Result<(Request, Timestamp), Error> {
    typed_method(method)?;
    let fields: serde_json::Value = from_js(fields.into(), "bizContent")?;
    let mut request = alipay_openapi::api::request_for(method, &rename_keys(fields, snake_case))?;
    let options: CallOptions = match options {
        Some(options) => from_js_object(options.into(), "callOptions")?,
        None => CallOptions::default(),
    };
    let optional = [
        ("notify_url", options.notify_url),
        ("return_url", options.return_url),
        ("app_auth_token", options.app_auth_token),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            request = request.param(key, value);
        }
    }
    Ok((request, timestamp(&options.timestamp, "timestamp")?))
}

/// Checks that `method` is one of the four with a typed model.
pub(crate) fn typed_method(method: &str) -> Result<(), Error> {
    if alipay_openapi::api::METHODS.contains(&method) {
        Ok(())
    } else {
        let typed = alipay_openapi::api::METHODS.join(", ");
        Err(invalid_field(
            "method",
            format!("has no typed model (typed: {typed}); use the generic sign / verifyResponse"),
        ))
    }
}

/// The typed result of a verified answer to one of the four methods, names in camelCase.
pub(crate) fn call_result(method: &str, verified: VerifiedResponse) -> JsResult<CallResultJs> {
    let value = alipay_openapi::api::result_for(method, verified).js_for(method)?;
    to_js(&rename_keys(value, camel_case)).map(JsCast::unchecked_into)
}

/// Renames every object member, at any depth: the one place JS names meet the page's names.
fn rename_keys(value: serde_json::Value, rename: fn(&str) -> String) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (rename(&k), rename_keys(v, rename))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| rename_keys(v, rename)).collect()),
        other => other,
    }
}

/// `outBizNo` → `out_biz_no`.
fn snake_case(name: &str) -> String {
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
fn camel_case(name: &str) -> String {
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

/// A time given as milliseconds since the epoch, a `Date` or Beijing time; now when `undefined`.
pub(crate) fn timestamp(value: &JsValue, field: &str) -> Result<Timestamp, Error> {
    let rule = "must be milliseconds since the epoch, a valid Date, or Beijing time `yyyy-MM-dd HH:mm:ss`";
    let millis = if value.is_undefined() {
        js_sys::Date::now()
    } else if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else if let Some(text) = value.as_string() {
        return Timestamp::parse_beijing(field, &text);
    } else {
        value.as_f64().ok_or_else(|| invalid_field(field, rule))?
    };
    if !millis.is_finite() || millis.abs() > 8.64e15 {
        return Err(invalid_field(field, rule));
    }
    // Finite and within the range of a JS Date, so the conversion is exact to the millisecond.
    Ok(Timestamp::from_unix_millis(millis as i64))
}

/// Bytes of a body given as text (encoded in `charset`), `Uint8Array` or `ArrayBuffer`.
pub(crate) fn bytes(value: &JsValue, field: &str, charset: Charset) -> Result<Vec<u8>, Error> {
    if let Some(text) = value.as_string() {
        Ok(charset.encode(field, &text)?.into_owned())
    } else if let Some(array) = value.dyn_ref::<Uint8Array>() {
        Ok(array.to_vec())
    } else if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(buffer).to_vec())
    } else {
        Err(invalid_field(field, "must be a string, a Uint8Array or an ArrayBuffer"))
    }
}

/// A notification input: a form body, or already-decoded fields.
pub(crate) enum NotifyInput {
    Form(Vec<u8>),
    Fields(BTreeMap<String, String>),
}

pub(crate) fn notify_input(input: NotifyInputArg) -> Result<NotifyInput, Error> {
    let value: JsValue = input.into();
    if value.is_string() || value.is_instance_of::<Uint8Array>() || value.is_instance_of::<js_sys::ArrayBuffer>() {
        // A form body is ASCII; any raw non-ASCII text is taken as its UTF-8 bytes.
        bytes(&value, "notification", Charset::Utf8).map(NotifyInput::Form)
    } else if value.is_object() {
        from_js(value, "notification").map(NotifyInput::Fields)
    } else {
        Err(invalid_field(
            "notification",
            "must be a form body (string, Uint8Array, ArrayBuffer) or an object of string fields",
        ))
    }
}

/// A host's raw signature: bytes, never text (a base64 string passed by mistake is refused).
pub(crate) fn signature(value: SignatureArg) -> Result<Vec<u8>, Error> {
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| invalid_field("signature", "must be a Uint8Array of the raw signature bytes"))
}

#[derive(Deserialize, Default)]
struct NotifyOptions {
    version: Option<String>,
}

/// `true` for `rsaCheckV2`.
pub(crate) fn notify_v2(options: Option<NotifyOptionsArg>) -> Result<bool, Error> {
    let options: NotifyOptions = match options {
        Some(options) => from_js_object(options.into(), "notifyOptions")?,
        None => NotifyOptions::default(),
    };
    match options.version.as_deref() {
        None | Some("v1") => Ok(false),
        Some("v2") => Ok(true),
        Some(_) => Err(invalid_field("version", "must be `v1` or `v2`")),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedRequestOut<'a> {
    url: &'a str,
    method: &'static str,
    headers: BTreeMap<&'a str, &'a str>,
    body: &'a str,
    signature: &'a str,
    sign_content: &'a str,
    params: &'a BTreeMap<String, String>,
}

pub(crate) fn signed_request(signed: &SignedRequest) -> JsResult<SignedRequestJs> {
    let body = std::str::from_utf8(signed.body())
        .map_err(|_| Error::SigningFailed("the form body is not ASCII".to_owned()))
        .js()?;
    to_js(&SignedRequestOut {
        url: signed.url(),
        method: signed.method(),
        headers: signed.headers().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        body,
        signature: signed.signature(),
        sign_content: signed.sign_content(),
        params: signed.params(),
    })
    .map(JsCast::unchecked_into)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedResponseOut<'a> {
    node_key: &'a str,
    node_text: &'a str,
    /// The node text itself (the core parsed it as a JSON object already), parsed once by JS.
    value: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    alipay_cert_sn: Option<&'a str>,
}

pub(crate) fn verified_response(verified: &VerifiedResponse) -> JsResult<VerifiedResponseJs> {
    let value: &RawValue = serde_json::from_str(verified.node_text())
        .map_err(|e| Error::MalformedResponse(format!("the node is not JSON ({e})")))
        .js()?;
    to_js(&VerifiedResponseOut {
        node_key: verified.node_key(),
        node_text: verified.node_text(),
        value,
        alipay_cert_sn: verified.alipay_cert_sn(),
    })
    .map(JsCast::unchecked_into)
}

pub(crate) fn notification(notification: &Notification) -> JsResult<NotifyFieldsJs> {
    to_js(notification.fields()).map(JsCast::unchecked_into)
}

pub(crate) fn pending(sign_type: SignType, signature: &[u8], messages: &[Vec<u8>], spki: &[u8]) -> PendingJs {
    let object = Object::new();
    let set = |key: &str, value: &JsValue| {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    };
    set("signType", &JsValue::from_str(sign_type.as_str()));
    set("signature", &Uint8Array::from(signature).into());
    set("messages", &messages.iter().map(|m| JsValue::from(Uint8Array::from(m.as_slice()))).collect::<Array>().into());
    set("spki", &Uint8Array::from(spki).into());
    object.unchecked_into()
}

#[derive(Serialize)]
struct KeyInfoOut {
    form: &'static str,
    encoding: &'static str,
    bits: usize,
}

pub(crate) fn key_info(info: KeyInfo) -> JsResult<KeyInfoJs> {
    let form = match info.form {
        KeyForm::Pkcs1 => "pkcs1",
        KeyForm::Pkcs8 => "pkcs8",
        KeyForm::Spki => "spki",
    };
    let encoding = match info.encoding {
        KeyEncoding::Pem => "pem",
        KeyEncoding::Base64 => "base64",
        KeyEncoding::Der => "der",
    };
    to_js(&KeyInfoOut { form, encoding, bits: info.bits }).map(JsCast::unchecked_into)
}
