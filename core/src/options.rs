//! One options model for every host: what a client and a request are made of, read from plain
//! values (a JSON object, a JavaScript object, Python keyword arguments) and validated once, here.
//!
//! Every binding turns its native values into a [`serde_json::Value`] with these names and calls
//! [`ClientOptions::from_value`] / [`RequestOptions::from_value`], so a mistake gets the same error
//! code, field and rule in Rust, Python and JavaScript. A `null` is the same as an absent option.
//!
//! ```
//! use alipay_openapi::{ClientOptions, RequestOptions, Timestamp};
//! # let private_key = include_str!("../../tests/vectors/keys/app_2048.private.pkcs1.pem");
//! # let alipay_public_key = include_str!("../../tests/vectors/keys/alipay_2048.public.spki.pem");
//! let client = ClientOptions::from_value(&serde_json::json!({
//!     "app_id": "2021000000000001",
//!     "private_key": private_key,
//!     "alipay_public_key": alipay_public_key,
//!     "gateway": "sandbox",
//! }))?
//! .build()?;
//! let request = RequestOptions::from_value(&serde_json::json!({
//!     "method": "alipay.marketing.voucher.query",
//!     "biz_content": {"voucher_id": "20170616000730020041006ZYE2V"},
//! }))?;
//! let signed = client.sign(&request.to_request()?, Timestamp::from_unix_millis(1_715_593_760_000))?;
//! assert!(signed.url().starts_with("https://openapi-sandbox.dl.alipaydev.com/gateway.do?"));
//!
//! let error = ClientOptions::from_value(&serde_json::json!({"app_id": "", "gateway": "ftp://x"}))?.build().unwrap_err();
//! assert_eq!((error.code(), error.field_name()), ("invalid_field", Some("app_id")));
//! # Ok::<(), alipay_openapi::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::aes::AesKey;
use crate::cert::CertificateMode;
use crate::charset::Charset;
use crate::client::Client;
use crate::error::{Error, KeyKind, Result};
use crate::keys::{AlipayPublicKey, AppPrivateKey};
use crate::multipart::UploadFile;
use crate::notify::{ExpectedOrder, NotifyParams, NotifyVersion};
use crate::request::{Config, Gateway, Request};
use crate::time::Timestamp;
use crate::v3::V3Request;

/// The options of a [`Client`]. Key material is wiped when the options are dropped and never
/// shown by `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// `app_id`: the APPID; required, ASCII letters and digits.
    pub app_id: String,
    /// `private_key`: the app private key (PKCS#1 or PKCS#8, PEM or bare base64), needed to sign
    /// unless the host signs.
    pub private_key: Option<Zeroizing<String>>,
    /// `alipay_public_key`: the Alipay public key, needed to verify (not the app's public key).
    pub alipay_public_key: Option<String>,
    /// `app_cert`: certificate mode's app certificate (PEM); the three certificates come together.
    pub app_cert: Option<String>,
    /// `alipay_cert`: certificate mode's Alipay certificate (PEM), instead of `alipay_public_key`.
    pub alipay_cert: Option<String>,
    /// `alipay_root_cert`: certificate mode's root bundle (PEM).
    pub alipay_root_cert: Option<String>,
    /// `aes_key`: the AES content-encryption key, base64 as the console shows it.
    pub aes_key: Option<Zeroizing<String>>,
    /// `sign_type`: `RSA2` (default) or `RSA`.
    pub sign_type: Option<String>,
    /// `charset`: `utf-8` (default) or `GBK`.
    pub charset: Option<String>,
    /// `gateway`: `production` (default), `sandbox`, or an http(s) URL.
    pub gateway: Option<String>,
    /// `app_auth_token`: the ISV token sent with every request unless the request sets its own.
    pub app_auth_token: Option<Zeroizing<String>>,
    /// `format`: `json` by default; `Some(None)` (a `null`) leaves it out.
    pub format: Option<Option<String>>,
    /// `max_body_bytes`: the longest response, notification or return query that is read, a positive whole
    /// number of bytes; [`DEFAULT_MAX_BODY_BYTES`](crate::DEFAULT_MAX_BODY_BYTES) (4 MiB) by default.
    pub max_body_bytes: Option<usize>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("app_id", &self.app_id)
            .field("has_private_key", &self.private_key.is_some())
            .field("has_alipay_public_key", &self.alipay_public_key.is_some())
            .field("certificate_mode", &self.alipay_cert.is_some())
            .field("has_aes_key", &self.aes_key.is_some())
            .field("sign_type", &self.sign_type)
            .field("charset", &self.charset)
            .field("gateway", &self.gateway)
            .field("has_app_auth_token", &self.app_auth_token.is_some())
            .field("format", &self.format)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// The rule of `max_body_bytes`.
const MAX_BODY_BYTES_RULE: &str = "must be a positive whole number of bytes, e.g. 4194304 (4 MiB, the default)";

/// The names [`ClientOptions::from_value`] knows, in the order the docs list them.
pub const CLIENT_OPTIONS: &[&str] = &[
    "app_id",
    "private_key",
    "alipay_public_key",
    "app_cert",
    "alipay_cert",
    "alipay_root_cert",
    "aes_key",
    "sign_type",
    "charset",
    "gateway",
    "app_auth_token",
    "format",
    "max_body_bytes",
];

/// The names [`RequestOptions::from_value`] knows.
pub const REQUEST_OPTIONS: &[&str] = &[
    "method",
    "version",
    "biz_content",
    "notify_url",
    "return_url",
    "app_auth_token",
    "params",
    "timestamp",
    "files",
    "multipart_boundary",
    "max_file_bytes",
];

impl ClientOptions {
    /// Reads the options from a JSON object; an unknown name, a value of the wrong type or a
    /// missing `app_id` is [`Error::InvalidField`] naming it. Values are checked by [`build`](Self::build).
    pub fn from_value(value: &Value) -> Result<Self> {
        let mut options = ClientOptions::default();
        for (name, value) in object(value, "options", CLIENT_OPTIONS)? {
            match name.as_str() {
                "app_id" => options.app_id = text(name, value)?.unwrap_or_default(),
                "private_key" => options.private_key = text(name, value)?.map(Zeroizing::new),
                "alipay_public_key" => options.alipay_public_key = text(name, value)?,
                "app_cert" => options.app_cert = text(name, value)?,
                "alipay_cert" => options.alipay_cert = text(name, value)?,
                "alipay_root_cert" => options.alipay_root_cert = text(name, value)?,
                "aes_key" => options.aes_key = text(name, value)?.map(Zeroizing::new),
                "sign_type" => options.sign_type = text(name, value)?,
                "charset" => options.charset = text(name, value)?,
                "gateway" => options.gateway = text(name, value)?,
                "app_auth_token" => options.app_auth_token = text(name, value)?.map(Zeroizing::new),
                "format" => {
                    options.format = Some(match value {
                        Value::Null => None,
                        Value::String(format) => Some(format.clone()),
                        _ => return Err(Error::field(name, "must be a string, or null to leave it out")),
                    })
                }
                "max_body_bytes" => options.max_body_bytes = byte_count(name, value, MAX_BODY_BYTES_RULE)?,
                _ => {} // `object` refused every other name
            }
        }
        Ok(options)
    }

    /// Checks every option and parses the keys and certificates once: a client that signs and
    /// verifies with this crate's RSA. Either key may be absent (a client that only signs, or
    /// only verifies); the call that needs it then fails.
    pub fn build(&self) -> Result<Client> {
        Ok(self.parts()?.into_client())
    }

    /// Every option checked and parsed, for a host that adds its own RSA to what [`build`](Self::build) makes.
    pub fn parts(&self) -> Result<ClientParts> {
        let app_id = self.app_id.as_str();
        if app_id.is_empty() {
            return Err(Error::field("app_id", "is required"));
        }
        if app_id.len() > 32 || !app_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::field("app_id", "must be at most 32 ASCII letters and digits, e.g. 2021000000000001"));
        }
        let mut config = Config::new(app_id);
        if let Some(sign_type) = &self.sign_type {
            config.sign_type = sign_type.parse().map_err(|e: Error| e.in_option("sign_type"))?;
        }
        if let Some(charset) = &self.charset {
            config.charset = charset.parse().map_err(|e: Error| e.in_option("charset"))?;
        }
        if let Some(gateway) = &self.gateway {
            config.gateway = gateway.parse()?;
        }
        config.app_auth_token = self.app_auth_token.as_ref().map(|token| token.to_string());
        if let Some(format) = &self.format {
            config.format = format.clone();
        }
        match self.max_body_bytes {
            Some(0) => return Err(Error::field("max_body_bytes", MAX_BODY_BYTES_RULE)),
            Some(limit) => config.max_body_bytes = limit,
            None => {}
        }
        let private_key = self
            .private_key
            .as_ref()
            .map(|text| AppPrivateKey::parse(text))
            .transpose()
            .map_err(|e| e.in_option("private_key"))?;
        let alipay_public_key = self
            .alipay_public_key
            .as_deref()
            .map(AlipayPublicKey::parse)
            .transpose()
            .map_err(|e| e.in_option("alipay_public_key"))?;
        let certificate_mode = self.certificate_mode()?;
        if certificate_mode.is_some() && alipay_public_key.is_some() {
            return Err(Error::field(
                "alipay_public_key",
                "cannot be combined with certificate mode: the Alipay key comes from alipay_cert",
            ));
        }
        if let Some(private_key) = &private_key {
            let own = private_key.public_key();
            let (field, alipay_key) = match (&alipay_public_key, &certificate_mode) {
                (Some(key), _) => ("alipay_public_key", Some(key)),
                (None, Some(mode)) => ("alipay_cert", Some(mode.alipay_certificate().public_key())),
                (None, None) => ("", None),
            };
            if alipay_key.is_some_and(|key| key.spki_der() == own.spki_der()) {
                return Err(Error::InvalidKey {
                    expected: KeyKind::Public,
                    reason: "it is the public half of `private_key`, the app's own key pair (应用公钥); give the \
                             Alipay public key (支付宝公钥) that the open platform console shows next to it"
                        .to_owned(),
                }
                .in_option(field));
            }
        }
        let aes_key = self
            .aes_key
            .as_ref()
            .map(|text| AesKey::from_base64(text))
            .transpose()
            .map_err(|e| e.in_option("aes_key"))?;
        Ok(ClientParts { config, private_key, alipay_public_key, certificate_mode, aes_key })
    }

    fn certificate_mode(&self) -> Result<Option<CertificateMode>> {
        let files = [
            ("app_cert", &self.app_cert),
            ("alipay_cert", &self.alipay_cert),
            ("alipay_root_cert", &self.alipay_root_cert),
        ];
        if files.iter().all(|(_, file)| file.is_none()) {
            return Ok(None);
        }
        if let Some((missing, _)) = files.iter().find(|(_, file)| file.is_none()) {
            return Err(Error::field(
                *missing,
                "is required in certificate mode: give app_cert, alipay_cert and alipay_root_cert together",
            ));
        }
        let [app, alipay, root] = files.map(|(_, file)| file.as_deref().unwrap_or_default());
        crate::cert::cert_sn(app).map_err(|e| e.in_option("app_cert"))?;
        crate::cert::AlipayCertificate::from_pem(alipay).map_err(|e| e.in_option("alipay_cert"))?;
        crate::cert::root_cert_sn(root).map_err(|e| e.in_option("alipay_root_cert"))?;
        CertificateMode::from_pem(app, alipay, root).map(Some).map_err(|e| e.in_option("alipay_root_cert"))
    }
}

impl<'de> serde::Deserialize<'de> for ClientOptions {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        ClientOptions::from_value(&value).map_err(serde::de::Error::custom)
    }
}

/// [`ClientOptions`] checked and parsed.
#[derive(Debug)]
pub struct ClientParts {
    /// The configuration.
    pub config: Config,
    /// The app private key, if given.
    pub private_key: Option<AppPrivateKey>,
    /// The Alipay public key, if given.
    pub alipay_public_key: Option<AlipayPublicKey>,
    /// Certificate mode, if its three certificates were given.
    pub certificate_mode: Option<CertificateMode>,
    /// The AES key, if given.
    pub aes_key: Option<AesKey>,
}

impl ClientParts {
    /// The client, signing and verifying with this crate's RSA (a host adds its own with
    /// [`Client::with_signer`] and [`Client::with_key_verifier`]).
    pub fn into_client(self) -> Client {
        let mut client = Client::without_keys(self.config);
        if let Some(key) = self.private_key {
            client = client.with_signer(Arc::new(key));
        }
        if let Some(key) = self.alipay_public_key {
            client = client.with_alipay_public_key(key);
        }
        if let Some(mode) = self.certificate_mode {
            client = client.with_certificate_mode(mode);
        }
        if let Some(key) = self.aes_key {
            client = client.with_aes_key(key);
        }
        client
    }
}

impl FromStr for Gateway {
    type Err = Error;

    /// `production`, `sandbox`, or an `http://` or `https://` URL (such as the local test gateway's).
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "production" | crate::request::PRODUCTION_GATEWAY => return Ok(Gateway::Production),
            "sandbox" | crate::request::SANDBOX_GATEWAY => return Ok(Gateway::Sandbox),
            _ => {}
        }
        let host = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
        let well_formed = host.is_some_and(|rest| {
            !rest.is_empty() && !rest.starts_with('/') && rest.bytes().all(|b| b.is_ascii_graphic() && b != b'#')
        });
        if well_formed {
            Ok(Gateway::Custom(text.to_owned()))
        } else {
            Err(Error::field(
                "gateway",
                "must be `production`, `sandbox` or an http(s) URL such as http://127.0.0.1:8721/gateway.do",
            ))
        }
    }
}

/// A request's `biz_content`: JSON-object text, signed and sent byte for byte, or a JSON object
/// serialized once (through the typed model for the methods that have one).
#[derive(Debug, Clone, PartialEq)]
pub enum BizContent {
    /// JSON-object text, sent as is.
    Text(String),
    /// A JSON object.
    Value(Value),
}

/// The options of one call. `Debug` says whether an `app_auth_token` is set, never what it is.
#[derive(Clone, Default, PartialEq)]
pub struct RequestOptions {
    /// `method`: the gateway method, e.g. `alipay.marketing.voucher.send`; required.
    pub method: String,
    /// `version`: `1.0` by default.
    pub version: Option<String>,
    /// `biz_content`.
    pub biz_content: Option<BizContent>,
    /// `notify_url`.
    pub notify_url: Option<String>,
    /// `return_url`.
    pub return_url: Option<String>,
    /// `app_auth_token`: overrides the client's.
    pub app_auth_token: Option<String>,
    /// `params`: more text parameters; an empty value is neither signed nor sent.
    pub params: BTreeMap<String, String>,
    /// `timestamp`: when the request is signed, as milliseconds since the epoch or Beijing time
    /// `yyyy-MM-dd HH:mm:ss`. The host's clock gives it otherwise (the core reads none).
    pub timestamp: Option<Timestamp>,
    /// `files`: an upload's file parts, each `{field, file_name, content_type, content}` with
    /// `content` as base64 text; the request is then sent as `multipart/form-data`.
    pub files: Vec<UploadFile>,
    /// `multipart_boundary`: an upload's boundary; derived from the signature and files by default.
    pub multipart_boundary: Option<String>,
    /// `max_file_bytes`: the longest file part, a positive whole number of bytes;
    /// [`DEFAULT_MAX_FILE_BYTES`](crate::DEFAULT_MAX_FILE_BYTES) (10 MiB) by default.
    pub max_file_bytes: Option<usize>,
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("method", &self.method)
            .field("version", &self.version)
            .field("biz_content", &self.biz_content)
            .field("notify_url", &self.notify_url)
            .field("return_url", &self.return_url)
            .field("has_app_auth_token", &self.app_auth_token.is_some())
            .field("params", &crate::request::Redacted(&self.params))
            .field("timestamp", &self.timestamp)
            .field("files", &self.files)
            .field("multipart_boundary", &self.multipart_boundary)
            .field("max_file_bytes", &self.max_file_bytes)
            .finish()
    }
}

impl RequestOptions {
    /// Reads the options from a JSON object; errors name the option.
    pub fn from_value(value: &Value) -> Result<Self> {
        let mut options = RequestOptions::default();
        for (name, value) in object(value, "request", REQUEST_OPTIONS)? {
            match name.as_str() {
                "method" => options.method = text(name, value)?.unwrap_or_default(),
                "version" => options.version = text(name, value)?,
                "notify_url" => options.notify_url = text(name, value)?,
                "return_url" => options.return_url = text(name, value)?,
                "app_auth_token" => options.app_auth_token = text(name, value)?,
                "files" => options.files = files(value)?,
                "multipart_boundary" => options.multipart_boundary = text(name, value)?,
                "max_file_bytes" => options.max_file_bytes = byte_count(name, value, MAX_FILE_BYTES_RULE)?,
                "biz_content" => {
                    options.biz_content = match value {
                        Value::Null => None,
                        Value::String(text) => Some(BizContent::Text(text.clone())),
                        Value::Object(_) => Some(BizContent::Value(value.clone())),
                        _ => return Err(Error::field(name, "must be JSON-object text or an object")),
                    }
                }
                "params" => {
                    for (key, value) in object(value, name, &[])? {
                        let value = text(&format!("params.{key}"), value)?.unwrap_or_default();
                        options.params.insert(key.clone(), value);
                    }
                }
                "timestamp" => {
                    options.timestamp = match value {
                        Value::Null => None,
                        Value::String(text) => Some(Timestamp::parse_beijing(name, text)?),
                        Value::Number(n) => Some(Timestamp::from_unix_millis(
                            n.as_i64()
                                .ok_or_else(|| Error::field(name, "must be whole milliseconds since the epoch"))?,
                        )),
                        _ => {
                            return Err(Error::field(
                                name,
                                "must be milliseconds since the epoch or Beijing time `yyyy-MM-dd HH:mm:ss`",
                            ))
                        }
                    }
                }
                _ => {} // `object` refused every other name
            }
        }
        if options.method.is_empty() {
            return Err(Error::field("method", "is required"));
        }
        Ok(options)
    }

    /// The options of a typed call of `method`: `fields` (an object) are its `biz_content`, read
    /// through its model; `options` (an object, or `null`) are the other request options.
    pub fn for_call(method: &str, fields: Value, options: &Value) -> Result<Self> {
        crate::api::typed_api(method)?;
        if !fields.is_object() {
            return Err(Error::field("biz_content", "the fields of a typed call must be an object"));
        }
        let mut members = match options {
            Value::Null => Map::new(),
            _ => object(options, "request", REQUEST_OPTIONS)?.clone(),
        };
        members.insert("method".to_owned(), Value::from(method));
        members.insert("biz_content".to_owned(), fields);
        RequestOptions::from_value(&Value::Object(members))
    }

    /// The request: `biz_content` given as an object goes through the typed model when the method
    /// has one (see [`api::APIS`](crate::api::APIS)); text must be a JSON object and is sent byte
    /// for byte.
    pub fn to_request(&self) -> Result<Request> {
        let request = match &self.biz_content {
            None => Request::new(&self.method),
            Some(BizContent::Text(text)) => crate::api::generic_request_text(&self.method, text)?,
            Some(BizContent::Value(members)) => crate::api::request_for(&self.method, members)?,
        };
        let named = [
            ("notify_url", &self.notify_url),
            ("return_url", &self.return_url),
            ("app_auth_token", &self.app_auth_token),
        ];
        let params = named.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v.clone()?))).chain(self.params.clone());
        let mut request = match &self.version {
            Some(version) => request.version(version),
            None => request,
        };
        if let Some(boundary) = &self.multipart_boundary {
            request = request.multipart_boundary(boundary);
        }
        if let Some(limit) = self.max_file_bytes {
            request = request.max_file_bytes(limit);
        }
        let request = self.files.iter().fold(request, |request, file| {
            request.file(&file.field, &file.file_name, &file.content_type, file.content.clone())
        });
        Ok(params.fold(request, |request, (key, value)| request.param(key, value)))
    }
}

impl<'de> serde::Deserialize<'de> for RequestOptions {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        RequestOptions::from_value(&value).map_err(serde::de::Error::custom)
    }
}

/// The names [`V3Request::from_value`] knows.
pub const V3_REQUEST_OPTIONS: &[&str] = &[
    "http_method",
    "path",
    "path_params",
    "query",
    "body",
    "app_auth_token",
    "request_id",
    "nonce",
    "timestamp",
    "auth_info",
    "files",
    "multipart_boundary",
];

impl V3Request {
    /// Reads a v3 call from a JSON object with the [`V3_REQUEST_OPTIONS`] names: `http_method` and
    /// `path` are required; `path_params`, `query` and `auth_info` are arrays of `[name, value]`
    /// pairs, kept in their order, or objects of strings, taken in name order; `body` is JSON text sent as is, or an
    /// object or array serialized once; `timestamp` is milliseconds since the epoch; each of
    /// `files` is `{field, file_name, content_type, content}` with `content` as base64 text. Errors
    /// name the option.
    pub fn from_value(value: &Value) -> Result<Self> {
        let members = object(value, "request", V3_REQUEST_OPTIONS)?;
        let required = |name: &str| match members.get(name) {
            Some(value) => text(name, value)?.ok_or_else(|| Error::field(name, "is required")),
            None => Err(Error::field(name, "is required")),
        };
        let mut request = V3Request::new(required("http_method")?, required("path")?);
        for (name, value) in members {
            request = match name.as_str() {
                "path_params" => pairs(name, value)?.into_iter().fold(request, |r, (k, v)| r.path_param(k, v)),
                "query" => pairs(name, value)?.into_iter().fold(request, |r, (k, v)| r.query(k, v)),
                "auth_info" => pairs(name, value)?.into_iter().fold(request, |r, (k, v)| r.auth_info(k, v)),
                "body" => match value {
                    Value::Null => request,
                    Value::String(text) => request.body(text.as_str()),
                    Value::Object(_) | Value::Array(_) => request.body_json(value),
                    _ => return Err(Error::field(name, "must be JSON text, an object or an array")),
                },
                "app_auth_token" => match text(name, value)? {
                    Some(text) => request.app_auth_token(text),
                    None => request,
                },
                "request_id" => match text(name, value)? {
                    Some(text) => request.request_id(text),
                    None => request,
                },
                "nonce" => match text(name, value)? {
                    Some(text) => request.nonce(text),
                    None => request,
                },
                "multipart_boundary" => match text(name, value)? {
                    Some(text) => request.multipart_boundary(text),
                    None => request,
                },
                "timestamp" => match value {
                    Value::Null => request,
                    _ => request.timestamp_millis(
                        value
                            .as_u64()
                            .ok_or_else(|| Error::field(name, "must be whole milliseconds since the epoch"))?,
                    ),
                },
                "files" => files(value)?
                    .into_iter()
                    .fold(request, |r, file| r.file(file.field, file.file_name, file.content_type, file.content)),
                _ => request, // `http_method`, `path`, and names `object` refused
            };
        }
        Ok(request)
    }
}

impl<'de> serde::Deserialize<'de> for V3Request {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        V3Request::from_value(&value).map_err(serde::de::Error::custom)
    }
}

/// Named strings, from an array of `[name, value]` pairs (in order) or an object (in name order).
fn pairs(name: &str, value: &Value) -> Result<Vec<(String, String)>> {
    let pair_rule = "must be an object of strings or an array of [name, value] pairs of strings";
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Object(members) => members
            .iter()
            .map(|(key, value)| Ok((key.clone(), text(&format!("{name}.{key}"), value)?.unwrap_or_default())))
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item.as_array().map(Vec::as_slice) {
                Some([Value::String(key), Value::String(value)]) => Ok((key.clone(), value.clone())),
                _ => Err(Error::field(name, pair_rule)),
            })
            .collect(),
        _ => Err(Error::field(name, pair_rule)),
    }
}

/// An upload's `files`: each `{field, file_name, content_type, content}` (content as base64 text).
fn files(value: &Value) -> Result<Vec<UploadFile>> {
    const FILE_OPTIONS: &[&str] = &["field", "file_name", "content_type", "content"];
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        _ => return Err(Error::field("files", "must be an array of {field, file_name, content_type, content}")),
    };
    items
        .iter()
        .map(|item| {
            let members = object(item, "files", FILE_OPTIONS)?;
            let member = |name: &str| -> Result<String> {
                let named = format!("files.{name}");
                Ok(members.get(name).map(|value| text(&named, value)).transpose()?.flatten().unwrap_or_default())
            };
            let content = base64::engine::general_purpose::STANDARD
                .decode(member("content")?)
                .map_err(|_| Error::field("files.content", "must be base64 text of the file's bytes"))?;
            Ok(UploadFile {
                field: member("field")?,
                file_name: member("file_name")?,
                content_type: member("content_type")?,
                content,
            })
        })
        .collect()
}

/// The rule of `max_file_bytes`.
const MAX_FILE_BYTES_RULE: &str = "must be a positive whole number of bytes, e.g. 10485760 (10 MiB, the default)";

/// A positive whole number of bytes (`null`: absent); anything else breaks `rule`.
fn byte_count(name: &str, value: &Value, rule: &str) -> Result<Option<usize>> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_u64().and_then(|n| usize::try_from(n).ok()) {
            Some(count) if count > 0 => Ok(Some(count)),
            _ => Err(Error::field(name, rule)),
        },
        _ => Err(Error::field(name, rule)),
    }
}

/// The options of a notification check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotifyOptions {
    /// `version`: `v1` (default) or `v2`.
    pub version: NotifyVersion,
    /// `charset`: the charset of a form body that names none (the client's by default); `gb2312`
    /// is read as GBK, as in the body itself ([`Charset::of_message`]).
    pub charset: Option<Charset>,
}

/// The names [`NotifyOptions::from_value`] knows.
pub const NOTIFY_OPTIONS: &[&str] = &["version", "charset"];

impl NotifyOptions {
    /// Reads the options from a JSON object (`null`: the defaults).
    pub fn from_value(value: &Value) -> Result<Self> {
        let mut options = NotifyOptions::default();
        if value.is_null() {
            return Ok(options);
        }
        for (name, value) in object(value, "options", NOTIFY_OPTIONS)? {
            match (name.as_str(), text(name, value)?) {
                ("version", Some(version)) => options.version = version.parse()?,
                ("charset", Some(charset)) => {
                    options.charset = Some(Charset::of_message(&charset).map_err(|e: Error| e.in_option("charset"))?)
                }
                _ => {}
            }
        }
        Ok(options)
    }
}

/// The names [`ExpectedOrder::from_value`] knows.
pub const ORDER_OPTIONS: &[&str] = &["out_trade_no", "total_amount_fen", "seller_id"];

impl ExpectedOrder {
    /// Reads the merchant's order from a JSON object: `out_trade_no` (required), `total_amount_fen`
    /// (required, a whole number of fen, never a float) and `seller_id`.
    pub fn from_value(value: &Value) -> Result<Self> {
        let members = object(value, "order", ORDER_OPTIONS)?;
        let out_trade_no = members.get("out_trade_no").map(|v| text("out_trade_no", v)).transpose()?.flatten();
        let total_amount_fen = match members.get("total_amount_fen") {
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                Some(n.as_i64().ok_or_else(|| Error::field("total_amount_fen", "is too large an amount"))?)
            }
            None | Some(Value::Null) => None,
            Some(_) => {
                return Err(Error::field("total_amount_fen", "must be a whole number of fen (1 yuan = 100 fen)"))
            }
        };
        Ok(ExpectedOrder {
            out_trade_no: out_trade_no
                .filter(|t| !t.is_empty())
                .ok_or_else(|| Error::field("out_trade_no", "is required"))?,
            total_amount_fen: total_amount_fen.ok_or_else(|| Error::field("total_amount_fen", "is required"))?,
            seller_id: members.get("seller_id").map(|v| text("seller_id", v)).transpose()?.flatten(),
        })
    }
}

/// A notification's fields as a web framework decoded them: a JSON object of strings.
pub fn notification_fields(value: &Value) -> Result<NotifyParams> {
    let Value::Object(members) = value else {
        return Err(Error::field("notification", "must be a form body or an object of string fields"));
    };
    let pairs = members.iter().map(|(key, value)| match value {
        Value::String(text) => Ok((key.clone(), text.clone())),
        _ => Err(Error::field(key.as_str(), "must be a string: a notification's fields are text")),
    });
    NotifyParams::from_pairs(pairs.collect::<Result<Vec<_>>>()?)
}

/// The members of an options object, each name checked against `known` (empty: any name).
fn object<'a>(value: &'a Value, what: &str, known: &[&str]) -> Result<&'a Map<String, Value>> {
    let Value::Object(members) = value else {
        return Err(Error::field(what, "must be an object"));
    };
    if let Some(unknown) = members.keys().find(|name| !known.is_empty() && !known.contains(&name.as_str())) {
        return Err(Error::field(unknown.as_str(), format!("is not an option here (known: {})", known.join(", "))));
    }
    Ok(members)
}

/// A text option; `null` is absent.
fn text(name: &str, value: &Value) -> Result<Option<String>> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        _ => Err(Error::field(name, "must be a string")),
    }
}
