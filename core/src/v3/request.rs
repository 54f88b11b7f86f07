//! Building signed v3 requests (docs/PROTOCOL.md §10.1–§10.3).

use std::fmt;

use base64::Engine as _;

use crate::aes::AesKey;
use crate::cert::CertificateMode;
use crate::charset::{form_encode, Charset};
use crate::crypto::{SignType, Signer};
use crate::error::{Error, Result};
use crate::multipart::UploadFile;
use crate::request::{Config, Gateway};

/// The scheme word that opens the `authorization` header.
pub const V3_AUTH_SCHEME: &str = "ALIPAY-SHA256withRSA";

/// Auth string keys the client writes itself; [`V3Request::auth_info`] refuses them.
const AUTH_KEYS: &[&str] = &["app_id", "app_cert_sn", "nonce", "timestamp", "sign"];

/// Longest `alipay-request-id` the gateway accepts.
const MAX_REQUEST_ID: usize = 32;
/// Longest nonce this crate sends (a UUID is 36 characters).
const MAX_NONCE: usize = 64;

/// One v3 call: HTTP method, path (with `{name}` placeholders), query, JSON body, and what the
/// host draws for each attempt (request id, nonce, time). Reusable: a retry sets a fresh nonce
/// and timestamp and keeps the request id. `Debug` says whether an `app_auth_token` is set, never
/// what it is.
#[derive(Clone, PartialEq, Eq)]
pub struct V3Request {
    http_method: String,
    path: String,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<String>,
    app_auth_token: Option<String>,
    request_id: Option<String>,
    nonce: Option<String>,
    timestamp_millis: Option<u64>,
    auth_info: Vec<(String, String)>,
    files: Vec<UploadFile>,
    boundary: Option<String>,
}

impl fmt::Debug for V3Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V3Request")
            .field("http_method", &self.http_method)
            .field("path", &self.path)
            .field("path_params", &self.path_params)
            .field("query", &self.query)
            .field("body", &self.body)
            .field("has_app_auth_token", &self.app_auth_token.is_some())
            .field("request_id", &self.request_id)
            .field("nonce", &self.nonce)
            .field("timestamp_millis", &self.timestamp_millis)
            .field("auth_info", &self.auth_info)
            .field("files", &self.files)
            .field("boundary", &self.boundary)
            .finish()
    }
}

impl fmt::Debug for UnsignedV3Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsignedV3Request")
            .field("http_method", &self.http_method)
            .field("url", &self.url)
            .field("auth_string", &self.auth_string)
            .field("headers", &self.headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl V3Request {
    /// A call of `http_method` (`GET`, `POST`…; upper-cased) on `path`, e.g.
    /// `/v3/alipay/trade/query` or `/v3/alipay/user/{user_id}` with [`path_param`](Self::path_param).
    pub fn new(http_method: impl Into<String>, path: impl Into<String>) -> Self {
        V3Request {
            http_method: http_method.into().to_ascii_uppercase(),
            path: path.into(),
            path_params: Vec::new(),
            query: Vec::new(),
            body: None,
            app_auth_token: None,
            request_id: None,
            nonce: None,
            timestamp_millis: None,
            auth_info: Vec::new(),
            files: Vec::new(),
            boundary: None,
        }
    }

    /// Fills the placeholder `{name}` of the path with `value`, percent-encoded (every byte but
    /// `A-Z a-z 0-9 - . _ ~`).
    pub fn path_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.path_params.push((name.into(), value.into()));
        self
    }

    /// Appends a query parameter; parameters are sent and signed in the order given,
    /// form-encoded as the Node SDK's `URLSearchParams` does (space as `+`).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sets the body to this exact JSON text: it is signed and sent byte for byte.
    pub fn body(mut self, json: impl Into<String>) -> Self {
        self.body = Some(json.into());
        self
    }

    /// Sets the body by serializing a JSON value once.
    pub fn body_json(self, value: &serde_json::Value) -> Self {
        self.body(value.to_string())
    }

    /// Sets `alipay-app-auth-token` (ISV calls; overrides the config's `app_auth_token`).
    pub fn app_auth_token(mut self, token: impl Into<String>) -> Self {
        self.app_auth_token = Some(token.into());
        self
    }

    /// Sets `alipay-request-id`: 1 to 32 characters of `A-Z a-z 0-9 _ -` (e.g. a UUID without
    /// dashes, which is what the Node SDK draws).
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// Sets the nonce of the auth string: 1 to 64 characters of `A-Z a-z 0-9 _ -`, fresh for
    /// every attempt (the Node SDK draws a UUID).
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Sets the timestamp of the auth string: milliseconds since the Unix epoch.
    pub fn timestamp_millis(mut self, millis: u64) -> Self {
        self.timestamp_millis = Some(millis);
        self
    }

    /// Appends `key=value` to the auth string after the timestamp, e.g. `expired_seconds=120`
    /// (the Node SDK's `additionalAuthInfo`). An empty value is left out.
    pub fn auth_info(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.auth_info.push((key.into(), value.into()));
        self
    }

    /// Adds a file: the request becomes a `multipart/form-data` upload whose `data` part is the
    /// JSON body (`{}` without one), which is what is signed, followed by the files in the order
    /// given. `content_type` is the part's `Content-Type` (e.g. `image/png`; empty: no such line).
    /// Needs a [`multipart_boundary`](Self::multipart_boundary); cannot be AES-encrypted.
    pub fn file(
        mut self,
        field: impl Into<String>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        content: impl Into<Vec<u8>>,
    ) -> Self {
        self.files.push(UploadFile::new(field, file_name, content_type, content));
        self
    }

    /// The multipart boundary, drawn by the host (the core has no randomness): 1 to 70 characters
    /// of `A-Z a-z 0-9 ' ( ) + _ , - . / : = ?`, found in no part.
    pub fn multipart_boundary(mut self, boundary: impl Into<String>) -> Self {
        self.boundary = Some(boundary.into());
        self
    }

    /// The HTTP method, upper-cased.
    pub fn http_method(&self) -> &str {
        &self.http_method
    }

    /// The path and query as sent and signed, e.g. `/v3/alipay/user/a%20b?page=1`.
    pub fn path_with_query(&self) -> Result<String> {
        let mut out = fill_path(&self.path, &self.path_params)?;
        if !self.query.is_empty() {
            for (key, _) in &self.query {
                if key.is_empty() {
                    return Err(Error::field("query", "a query parameter needs a name"));
                }
            }
            out.push('?');
            out.push_str(&form_encode(Charset::Utf8, self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())))?);
        }
        Ok(out)
    }
}

/// The text a v3 request's signature covers (docs/PROTOCOL.md §10.2): the auth string, the HTTP
/// method, the path with query and the body, each followed by `\n`, then the `app_auth_token` and
/// `\n` when one is sent. A server checking a request builds it from what it received.
pub fn v3_request_sign_content(
    auth_string: &str,
    http_method: &str,
    path_with_query: &str,
    body: &str,
    app_auth_token: Option<&str>,
) -> String {
    let mut content = format!("{auth_string}\n{http_method}\n{path_with_query}\n{body}\n");
    if let Some(token) = app_auth_token {
        content.push_str(token);
        content.push('\n');
    }
    content
}

/// A v3 request with everything fixed, ready to be signed here or by the host. `Debug` shows
/// neither the header values nor the sign content (an `app_auth_token` is in both).
#[derive(Clone, PartialEq, Eq)]
pub struct UnsignedV3Request {
    http_method: String,
    url: String,
    path_with_query: String,
    auth_string: String,
    sign_content: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// What a request sends after its headers, and the text of it that is signed.
struct Payload {
    signed: String,
    bytes: Vec<u8>,
    content_type: Option<String>,
    encrypted: bool,
}

impl UnsignedV3Request {
    pub(crate) fn build(
        config: &Config,
        request: &V3Request,
        certificate_mode: Option<&CertificateMode>,
        aes_key: Option<&AesKey>,
    ) -> Result<Self> {
        if config.sign_type != SignType::Rsa2 {
            return Err(Error::field("sign_type", "OpenAPI v3 signs with RSA2 (SHA256withRSA) only"));
        }
        if config.charset != Charset::Utf8 {
            return Err(Error::field("charset", "OpenAPI v3 is UTF-8 only"));
        }
        let http_method = validate_http_method(&request.http_method)?;
        let path_with_query = request.path_with_query()?;
        let request_id = required("request_id", request.request_id.as_deref())?;
        check_token("request_id", request_id, MAX_REQUEST_ID)?;
        let auth_string = auth_string(config, request, certificate_mode)?;
        let app_auth_token =
            request.app_auth_token.as_deref().or(config.app_auth_token.as_deref()).filter(|t| !t.is_empty());
        if let Some(token) = app_auth_token {
            check_visible("app_auth_token", token)?;
        }

        let payload = payload(request, http_method, aes_key)?;
        let mut headers = vec![
            ("alipay-request-id".to_owned(), request_id.to_owned()),
            ("accept".to_owned(), "application/json".to_owned()),
        ];
        if payload.encrypted {
            headers.push(("alipay-encryption-algm".to_owned(), "AES".to_owned()));
            headers.push(("alipay-encrypt-type".to_owned(), "AES".to_owned()));
        }
        if let Some(content_type) = payload.content_type {
            headers.push(("content-type".to_owned(), content_type));
        }
        if let Some(mode) = certificate_mode {
            headers.push(("alipay-root-cert-sn".to_owned(), mode.alipay_root_cert_sn().to_owned()));
        }
        if let Some(token) = app_auth_token {
            headers.push(("alipay-app-auth-token".to_owned(), token.to_owned()));
        }
        let sign_content =
            v3_request_sign_content(&auth_string, http_method, &path_with_query, &payload.signed, app_auth_token);
        Ok(UnsignedV3Request {
            http_method: http_method.to_owned(),
            url: format!("{}{path_with_query}", endpoint(&config.gateway)?),
            path_with_query,
            auth_string,
            sign_content,
            headers,
            body: payload.bytes,
        })
    }

    /// The text to sign: `auth string`, HTTP method, path with query, body, and the
    /// `app_auth_token` when there is one, each followed by `\n`.
    pub fn sign_content(&self) -> &str {
        &self.sign_content
    }

    /// The bytes to sign with SHA256withRSA: the sign content in UTF-8.
    pub fn sign_content_bytes(&self) -> &[u8] {
        self.sign_content.as_bytes()
    }

    /// Always [`SignType::Rsa2`].
    pub fn sign_type(&self) -> SignType {
        SignType::Rsa2
    }

    /// The auth string, e.g. `app_id=2021…,nonce=…,timestamp=1715593760000`.
    pub fn auth_string(&self) -> &str {
        &self.auth_string
    }

    /// Signs with a [`Signer`] (the app private key, or a host's).
    pub fn sign_with(self, signer: &dyn Signer) -> Result<SignedV3Request> {
        let signature = signer.sign(SignType::Rsa2, self.sign_content_bytes())?;
        self.attach_signature(&signature)
    }

    /// Attaches a signature computed elsewhere over [`sign_content_bytes`](Self::sign_content_bytes).
    pub fn attach_signature(self, signature: &[u8]) -> Result<SignedV3Request> {
        if signature.is_empty() {
            return Err(Error::SigningFailed("the signature is empty".to_owned()));
        }
        let sign = base64::engine::general_purpose::STANDARD.encode(signature);
        let mut headers = self.headers;
        headers.push(("authorization".to_owned(), format!("{V3_AUTH_SCHEME} {},sign={sign}", self.auth_string)));
        Ok(SignedV3Request {
            http_method: self.http_method,
            url: self.url,
            path_with_query: self.path_with_query,
            headers,
            body: self.body,
            signature: sign,
            sign_content: self.sign_content,
        })
    }
}

/// Everything a host's HTTP client needs to send the v3 request, plus what was signed.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedV3Request {
    http_method: String,
    url: String,
    path_with_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    signature: String,
    sign_content: String,
}

impl fmt::Debug for SignedV3Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedV3Request")
            .field("http_method", &self.http_method)
            .field("url", &self.url)
            .field("headers", &self.headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl SignedV3Request {
    /// The HTTP method, upper-cased.
    pub fn http_method(&self) -> &str {
        &self.http_method
    }

    /// The full URL: the gateway's origin, then [`path_with_query`](Self::path_with_query).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The path and query, exactly as signed.
    pub fn path_with_query(&self) -> &str {
        &self.path_with_query
    }

    /// Headers to send, names in lower case: `alipay-request-id`, `accept`, `content-type` (not
    /// on GET or HEAD), the AES pair, `alipay-root-cert-sn`, `alipay-app-auth-token`, `authorization`.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The value of header `name` (lower case), if it is sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The body: the JSON text, with AES its base64 ciphertext, for an upload the multipart
    /// bytes; empty without a body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The base64 signature (the `sign=` of `authorization`).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The text that was signed, for debugging `invalid-signature` answers.
    pub fn sign_content(&self) -> &str {
        &self.sign_content
    }
}

fn payload(request: &V3Request, http_method: &str, aes_key: Option<&AesKey>) -> Result<Payload> {
    let json = request.body.as_deref().filter(|body| !body.is_empty());
    if matches!(http_method, "GET" | "HEAD") {
        if json.is_some() || !request.files.is_empty() {
            return Err(Error::field("body", "a GET or HEAD request carries no body"));
        }
        return Ok(Payload { signed: String::new(), bytes: Vec::new(), content_type: None, encrypted: false });
    }
    if json.is_some_and(|json| serde_json::from_str::<serde::de::IgnoredAny>(json).is_err()) {
        return Err(Error::field("body", "must be JSON text"));
    }
    if !request.files.is_empty() {
        if aes_key.is_some() {
            return Err(Error::field(
                "files",
                "a multipart upload cannot be AES-encrypted; send it with a client that has no AES key",
            ));
        }
        let data = json.unwrap_or("{}");
        let boundary = required("multipart_boundary", request.boundary.as_deref())?;
        return Ok(Payload {
            signed: data.to_owned(),
            bytes: multipart(boundary, data, &request.files)?,
            content_type: Some(format!("multipart/form-data; boundary={boundary}")),
            encrypted: false,
        });
    }
    let json_type = Some("application/json".to_owned());
    Ok(match (json, aes_key) {
        (None, _) => Payload { signed: String::new(), bytes: Vec::new(), content_type: json_type, encrypted: false },
        (Some(json), None) => Payload {
            signed: json.to_owned(),
            bytes: json.as_bytes().to_vec(),
            content_type: json_type,
            encrypted: false,
        },
        (Some(json), Some(key)) => {
            let ciphertext = key.encrypt(json.as_bytes())?;
            let bytes = ciphertext.as_bytes().to_vec();
            Payload { signed: ciphertext, bytes, content_type: Some("text/plain".to_owned()), encrypted: true }
        }
    })
}

/// The `multipart/form-data` body: the `data` part, then each file, as the Node SDK's
/// `formstream` lays them out.
fn multipart(boundary: &str, data: &str, files: &[UploadFile]) -> Result<Vec<u8>> {
    let boundary_ok =
        boundary.len() <= 70 && boundary.bytes().all(|b| b.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&b));
    if !boundary_ok {
        return Err(Error::field(
            "multipart_boundary",
            "must be 1 to 70 characters of A-Z, a-z, 0-9 and ' ( ) + _ , - . / : = ?",
        ));
    }
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    part(&mut out, &delimiter, "data", None, "application/json", data.as_bytes());
    for file in files {
        if file.field.is_empty() || file.field == "data" {
            return Err(Error::field("files", "a file's field name must be set and must not be `data`"));
        }
        if file.content_type.bytes().any(|b| b.is_ascii_control()) {
            return Err(Error::field(&file.field, "a content type must not hold line breaks or control characters"));
        }
        part(&mut out, &delimiter, &file.field, Some(&file.file_name), &file.content_type, &file.content);
    }
    let delimiter_bytes = delimiter.as_bytes();
    let in_a_part = std::iter::once(data.as_bytes())
        .chain(files.iter().map(|file| file.content.as_slice()))
        .any(|content| content.windows(delimiter_bytes.len()).any(|window| window == delimiter_bytes));
    if in_a_part {
        return Err(Error::field("multipart_boundary", "occurs in a part; draw another"));
    }
    out.extend_from_slice(format!("{delimiter}--\r\n").as_bytes());
    Ok(out)
}

fn part(out: &mut Vec<u8>, delimiter: &str, name: &str, file_name: Option<&str>, content_type: &str, content: &[u8]) {
    // Names are escaped as browsers escape them in form submissions.
    let quoted = |value: &str| value.replace('\r', "%0D").replace('\n', "%0A").replace('"', "%22");
    let mut head = format!("{delimiter}\r\nContent-Disposition: form-data; name=\"{}\"", quoted(name));
    if let Some(file_name) = file_name {
        head.push_str(&format!("; filename=\"{}\"", quoted(file_name)));
    }
    if !content_type.is_empty() {
        head.push_str(&format!("\r\nContent-Type: {content_type}"));
    }
    head.push_str("\r\n\r\n");
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(content);
    out.extend_from_slice(b"\r\n");
}

/// `app_id=…[,app_cert_sn=…],nonce=…,timestamp=…[,extra]`, empty values left out.
fn auth_string(config: &Config, request: &V3Request, certificate_mode: Option<&CertificateMode>) -> Result<String> {
    let nonce = required("nonce", request.nonce.as_deref())?;
    check_token("nonce", nonce, MAX_NONCE)?;
    let timestamp = request
        .timestamp_millis
        .ok_or_else(|| Error::field("timestamp", "is required: milliseconds since the Unix epoch, from the host"))?
        .to_string();
    let mut pairs: Vec<(&str, &str)> = vec![("app_id", &config.app_id)];
    if let Some(mode) = certificate_mode {
        pairs.push(("app_cert_sn", mode.app_cert_sn()));
    }
    pairs.push(("nonce", nonce));
    pairs.push(("timestamp", &timestamp));
    for (key, value) in &request.auth_info {
        let valid_key =
            !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_key || AUTH_KEYS.contains(&key.as_str()) {
            return Err(Error::field(
                key,
                "an auth_info key is lowercase ASCII letters, digits and `_`, and not one the client writes",
            ));
        }
        pairs.push((key, value));
    }
    if config.app_id.is_empty() {
        return Err(Error::field("app_id", "is required"));
    }
    let mut out = String::new();
    for (key, value) in pairs.into_iter().filter(|(_, value)| !value.is_empty()) {
        if value.bytes().any(|b| !b.is_ascii_graphic() || b == b',' || b == b'=') {
            return Err(Error::field(key, "an auth string value is visible ASCII without `,` or `=`"));
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    Ok(out)
}

/// The origin a v3 path is appended to: the gateway URL without its path (`/gateway.do`).
fn endpoint(gateway: &Gateway) -> Result<&str> {
    let url = gateway.url();
    let authority_start =
        url.find("://").map(|i| i + 3).ok_or_else(|| Error::field("gateway", "must be an absolute http(s) URL"))?;
    let end = url.get(authority_start..).and_then(|rest| rest.find(['/', '?', '#'])).map(|i| authority_start + i);
    Ok(end.and_then(|end| url.get(..end)).unwrap_or(url))
}

fn validate_http_method(method: &str) -> Result<&str> {
    if !method.is_empty() && method.len() <= 16 && method.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(method)
    } else {
        Err(Error::field("http_method", "must be an HTTP method such as GET or POST"))
    }
}

fn required<'a>(field: &str, value: Option<&'a str>) -> Result<&'a str> {
    value.filter(|v| !v.is_empty()).ok_or_else(|| Error::field(field, "is required (the host draws it)"))
}

/// 1 to `max` characters of `A-Z a-z 0-9 _ -`.
fn check_token(field: &str, value: &str, max: usize) -> Result<()> {
    let ok = value.len() <= max && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::field(field, format!("must be 1 to {max} characters of A-Z, a-z, 0-9, `_` and `-`")))
    }
}

/// A header value that is also a line of the sign content: visible ASCII only.
fn check_visible(field: &str, value: &str) -> Result<()> {
    if value.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Error::field(field, "must be visible ASCII (no spaces, line breaks or other control characters)"))
    }
}

/// The path with each `{name}` replaced by its percent-encoded parameter.
fn fill_path(template: &str, params: &[(String, String)]) -> Result<String> {
    let bad_path = || {
        Error::field(
            "path",
            "must start with `/` and hold only A-Z, a-z, 0-9, `-`, `.`, `_`, `~`, `/` and `{name}` placeholders, \
             with no `.` or `..` segment",
        )
    };
    if !template.starts_with('/') || template.split('/').any(|segment| segment == "." || segment == "..") {
        return Err(bad_path());
    }
    let mut out = String::with_capacity(template.len());
    let mut used = vec![false; params.len()];
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (literal, after) = rest.split_at(open);
        push_literal(&mut out, literal).ok_or_else(bad_path)?;
        let close = after.find('}').ok_or_else(bad_path)?;
        let name = after.get(1..close).unwrap_or_default();
        let index = params
            .iter()
            .position(|(key, _)| key == name)
            .ok_or_else(|| Error::field("path", format!("the placeholder `{{{name}}}` has no path_param")))?;
        let value = params.get(index).map(|(_, value)| value.as_str()).unwrap_or_default();
        if value.is_empty() {
            return Err(Error::field(name, "a path parameter must not be empty"));
        }
        percent_encode_into(&mut out, value);
        if let Some(flag) = used.get_mut(index) {
            *flag = true;
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    push_literal(&mut out, rest).ok_or_else(bad_path)?;
    if let Some((name, _)) = params.iter().zip(&used).find(|(_, used)| !**used).map(|(param, _)| param) {
        return Err(Error::field(name, "is a path_param the path has no `{…}` placeholder for"));
    }
    Ok(out)
}

fn push_literal(out: &mut String, literal: &str) -> Option<()> {
    literal.bytes().all(|b| is_unreserved(b) || b == b'/').then(|| out.push_str(literal))
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn percent_encode_into(out: &mut String, value: &str) {
    for b in value.bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}
