//! Building signed gateway requests: canonical sign content, signature, and the wire form.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;

use crate::aes::AesKey;
use crate::cert::CertificateMode;
use crate::charset::{form_encode, Charset};
use crate::crypto::{SignType, Signer};
use crate::error::{Error, Result};
use crate::multipart::{Upload, UploadFile};
use crate::time::Timestamp;

/// The production gateway.
pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// The sandbox gateway.
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";

/// Parameters that travel in the URL query; everything else (`biz_content` and API text
/// parameters) travels in the form body. The gateway merges both, but it reads `charset` from the
/// query, so system parameters go there.
pub(crate) const QUERY_PARAMS: &[&str] = &[
    "alipay_root_cert_sn",
    "alipay_sdk",
    "app_auth_token",
    "app_cert_sn",
    "app_id",
    "auth_token",
    "charset",
    "encrypt_type",
    "format",
    "method",
    "notify_url",
    "return_url",
    "sign",
    "sign_type",
    "timestamp",
    "version",
];

/// Parameters the client sets itself; [`Request::param`] refuses them.
const CLIENT_PARAMS: &[&str] =
    &["app_id", "biz_content", "charset", "format", "method", "sign", "sign_type", "timestamp", "version"];

/// Where requests are sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Gateway {
    /// `https://openapi.alipay.com/gateway.do`
    #[default]
    Production,
    /// `https://openapi-sandbox.dl.alipaydev.com/gateway.do`
    Sandbox,
    /// Any other URL, e.g. the local test gateway.
    Custom(String),
}

impl Gateway {
    /// The gateway URL.
    pub fn url(&self) -> &str {
        match self {
            Gateway::Production => PRODUCTION_GATEWAY,
            Gateway::Sandbox => SANDBOX_GATEWAY,
            Gateway::Custom(url) => url,
        }
    }
}

/// The default [`Config::max_body_bytes`]: 4 MiB. Gateway answers and notifications are a few
/// kilobytes (a page of a list query stays well under 100 KB), so this leaves a wide margin while
/// bounding what one hostile or broken peer can make the client hold.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Per-app settings shared by every request. `Debug` says whether an `app_auth_token` is set,
/// never what it is.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The APPID.
    pub app_id: String,
    /// `RSA2` (default) or `RSA`; also the only hash accepted on responses.
    pub sign_type: SignType,
    /// `utf-8` (default) or `GBK`.
    pub charset: Charset,
    /// Where requests go.
    pub gateway: Gateway,
    /// ISV token sent with every request unless the request sets its own.
    pub app_auth_token: Option<String>,
    /// The `format` parameter; `Some("json")` by default, `None` to omit it (as the Node SDK does).
    pub format: Option<String>,
    /// The longest response or notification body that is read, in bytes
    /// ([`DEFAULT_MAX_BODY_BYTES`] by default); a longer one is [`Error::BodyTooLarge`], refused
    /// before it is scanned.
    pub max_body_bytes: usize,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("app_id", &self.app_id)
            .field("sign_type", &self.sign_type)
            .field("charset", &self.charset)
            .field("gateway", &self.gateway)
            .field("has_app_auth_token", &self.app_auth_token.is_some())
            .field("format", &self.format)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl Config {
    /// Defaults for an app: RSA2, utf-8, production gateway, `format=json`.
    pub fn new(app_id: impl Into<String>) -> Self {
        Config {
            app_id: app_id.into(),
            sign_type: SignType::Rsa2,
            charset: Charset::Utf8,
            gateway: Gateway::Production,
            app_auth_token: None,
            format: Some("json".to_owned()),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// [`Error::BodyTooLarge`] when `body` (`response` or `notification`) is `size` bytes, more
    /// than [`max_body_bytes`](Self::max_body_bytes).
    pub(crate) fn check_body_size(&self, body: &'static str, size: usize) -> Result<()> {
        if size > self.max_body_bytes {
            return Err(Error::BodyTooLarge { body, size, limit: self.max_body_bytes });
        }
        Ok(())
    }
}

/// Parameters whose values `Debug` never shows.
const SECRET_PARAMS: &[&str] = &["app_auth_token", "auth_token"];

/// Text parameters for `Debug`: the values of [`SECRET_PARAMS`] shown as `<redacted>`.
pub(crate) struct Redacted<'a>(pub(crate) &'a BTreeMap<String, String>);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = |key: &str| SECRET_PARAMS.contains(&key);
        let shown = self.0.iter().map(|(key, value)| (key, if secret(key) { "<redacted>" } else { value.as_str() }));
        f.debug_map().entries(shown).finish()
    }
}

/// A call to one gateway method: reusable, so a retry re-signs the same value with a fresh timestamp
/// (and so keeps the same `out_biz_no` / `request_id` inside `biz_content`). `Debug` never shows
/// an `app_auth_token`.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    method: String,
    version: String,
    biz_content: Option<String>,
    params: BTreeMap<String, String>,
    upload: Upload,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("version", &self.version)
            .field("biz_content", &self.biz_content)
            .field("params", &Redacted(&self.params))
            .field("files", &self.upload)
            .finish()
    }
}

impl Request {
    /// A request for `method`, e.g. `alipay.marketing.voucher.send`, with `version=1.0`.
    pub fn new(method: impl Into<String>) -> Self {
        Request {
            method: method.into(),
            version: "1.0".to_owned(),
            biz_content: None,
            params: BTreeMap::new(),
            upload: Upload::default(),
        }
    }

    /// Sets `biz_content` to this exact JSON text: it is signed and sent byte for byte.
    pub fn biz_content(mut self, json: impl Into<String>) -> Self {
        self.biz_content = Some(json.into());
        self
    }

    /// Sets `biz_content` by serializing a JSON value once.
    pub fn biz_json(self, value: &serde_json::Value) -> Self {
        self.biz_content(value.to_string())
    }

    /// Adds a text parameter (`notify_url`, `return_url`, `app_auth_token`, or an API parameter).
    /// An empty value is neither signed nor sent.
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.insert(key.into(), value.into());
        self
    }

    /// Sets `notify_url`.
    pub fn notify_url(self, url: impl Into<String>) -> Self {
        self.param("notify_url", url)
    }

    /// Sets `return_url`.
    pub fn return_url(self, url: impl Into<String>) -> Self {
        self.param("return_url", url)
    }

    /// Sets `app_auth_token` for this request (overrides the client's).
    pub fn app_auth_token(self, token: impl Into<String>) -> Self {
        self.param("app_auth_token", token)
    }

    /// Sets `version` (all four voucher and ticket APIs use `1.0`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Adds a file part: the signed request becomes a `multipart/form-data` upload (see
    /// [`SignedRequest::multipart`]) whose text parts are the signed parameters, then the files in
    /// the order given. Files are neither signed nor encrypted.
    pub fn file(
        mut self,
        name: impl Into<String>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Self {
        self.upload.files.push(UploadFile::new(name, file_name, content_type, bytes));
        self
    }

    /// The upload's boundary (1 to 70 of RFC 2046's characters); by default one is derived from
    /// the signature and the files.
    pub fn multipart_boundary(mut self, boundary: impl Into<String>) -> Self {
        self.upload.boundary = Some(boundary.into());
        self
    }

    /// The longest file part taken, in bytes; [`DEFAULT_MAX_FILE_BYTES`](crate::DEFAULT_MAX_FILE_BYTES) by default.
    pub fn max_file_bytes(mut self, limit: usize) -> Self {
        self.upload.max_file_bytes = limit;
        self
    }

    /// The gateway method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The `biz_content` text, if any.
    pub fn biz_content_text(&self) -> Option<&str> {
        self.biz_content.as_deref()
    }
}

/// Builds the canonical sign content: `key=value` pairs sorted by key bytes, joined with `&`, values
/// raw (no escaping). `sign` and the `exclude`d keys are left out; empty values are left out unless
/// `keep_empty` (asynchronous notifications keep them).
pub fn sign_content<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    exclude: &[&str],
    keep_empty: bool,
) -> String {
    let mut kept: Vec<(&str, &str)> = pairs
        .into_iter()
        .filter(|(k, v)| *k != "sign" && !exclude.contains(k) && (keep_empty || !v.is_empty()))
        .collect();
    kept.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::with_capacity(kept.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (i, (key, value)) in kept.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// A request with every parameter fixed, ready to be signed here or by the host. `Debug` shows
/// neither an `app_auth_token` nor the sign content (which holds it).
#[derive(Clone, PartialEq, Eq)]
pub struct UnsignedRequest {
    gateway_url: String,
    charset: Charset,
    sign_type: SignType,
    params: BTreeMap<String, String>,
    sign_content: String,
    sign_content_bytes: Vec<u8>,
    upload: Upload,
}

impl fmt::Debug for UnsignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsignedRequest")
            .field("gateway_url", &self.gateway_url)
            .field("charset", &self.charset)
            .field("sign_type", &self.sign_type)
            .field("params", &Redacted(&self.params))
            .finish_non_exhaustive()
    }
}

impl UnsignedRequest {
    /// Fixes the parameters of `request` for `config` at `timestamp`, validating them.
    pub fn new(config: &Config, request: &Request, timestamp: Timestamp) -> Result<Self> {
        Self::build(config, request, timestamp, None, None)
    }

    /// As [`new`](Self::new), plus what a client adds: `app_cert_sn` and `alipay_root_cert_sn`
    /// (certificate mode), and with an AES key `biz_content` encrypted (in the request charset) and
    /// `encrypt_type=AES`, all of them signed.
    pub(crate) fn build(
        config: &Config,
        request: &Request,
        timestamp: Timestamp,
        certificate_mode: Option<&CertificateMode>,
        aes_key: Option<&AesKey>,
    ) -> Result<Self> {
        validate_method(&request.method)?;
        let mut params = BTreeMap::new();
        let mut put = |key: &str, value: &str| -> Result<()> {
            if value.is_empty() {
                return Ok(());
            }
            if value.trim().is_empty() {
                return Err(Error::field(
                    key,
                    "must not be only whitespace (the gateway drops such values, so the signature would not match)",
                ));
            }
            params.insert(key.to_owned(), value.to_owned());
            Ok(())
        };
        if config.app_id.is_empty() {
            return Err(Error::field("app_id", "is required"));
        }
        put("app_id", &config.app_id)?;
        put("method", &request.method)?;
        put("charset", config.charset.as_str())?;
        put("sign_type", config.sign_type.as_str())?;
        put("timestamp", &timestamp.to_string())?;
        put("version", &request.version)?;
        if let Some(format) = &config.format {
            put("format", format)?;
        }
        if let Some(token) = &config.app_auth_token {
            put("app_auth_token", token)?;
        }
        for (key, value) in &request.params {
            validate_param_key(key)?;
            put(key, value)?;
        }
        match (&request.biz_content, aes_key) {
            (Some(biz), Some(key)) if !biz.is_empty() => {
                put("biz_content", &key.encrypt(&config.charset.encode("biz_content", biz)?)?)?;
                put("encrypt_type", "AES")?;
            }
            (Some(biz), _) => put("biz_content", biz)?,
            (None, _) => {}
        }
        if let Some(mode) = certificate_mode {
            put("app_cert_sn", mode.app_cert_sn())?;
            put("alipay_root_cert_sn", mode.alipay_root_cert_sn())?;
        }
        request.upload.check(&params)?;
        let mut unsigned = Self::from_params(config.gateway.url(), config.charset, config.sign_type, params)?;
        unsigned.upload = request.upload.clone();
        Ok(unsigned)
    }

    /// Takes a complete parameter map as is (it must hold everything that is signed, `sign_type`
    /// included, and no `sign`); empty values are dropped. For tools and conformance tests.
    pub fn from_params(
        gateway_url: &str,
        charset: Charset,
        sign_type: SignType,
        params: BTreeMap<String, String>,
    ) -> Result<Self> {
        let params: BTreeMap<String, String> = params.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        if params.contains_key("sign") {
            return Err(Error::field("sign", "is added by signing; it must not be set before"));
        }
        // Encode every value first, so that a GBK failure names the parameter, not the whole content.
        for (key, value) in &params {
            charset.encode(key, value)?;
        }
        let sign_content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())), &[], false);
        let sign_content_bytes = charset.encode("sign content", &sign_content)?.into_owned();
        Ok(UnsignedRequest {
            gateway_url: gateway_url.to_owned(),
            charset,
            sign_type,
            params,
            sign_content,
            sign_content_bytes,
            upload: Upload::default(),
        })
    }

    /// The canonical sign content, as text.
    pub fn sign_content(&self) -> &str {
        &self.sign_content
    }

    /// The bytes to sign: the sign content in the request charset.
    pub fn sign_content_bytes(&self) -> &[u8] {
        &self.sign_content_bytes
    }

    /// The sign type the signature must use.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }

    /// Every parameter that is signed and sent (without `sign`).
    pub fn params(&self) -> &BTreeMap<String, String> {
        &self.params
    }

    /// Signs with a [`Signer`] (the app private key, or a host's).
    pub fn sign_with(self, signer: &dyn Signer) -> Result<SignedRequest> {
        let signature = signer.sign(self.sign_type, &self.sign_content_bytes)?;
        self.attach_signature(&signature)
    }

    /// Attaches a signature computed elsewhere (Node's crypto, WebCrypto, a KMS, an HSM) over
    /// [`sign_content_bytes`](Self::sign_content_bytes).
    pub fn attach_signature(self, signature: &[u8]) -> Result<SignedRequest> {
        if signature.is_empty() {
            return Err(Error::SigningFailed("the signature is empty".to_owned()));
        }
        let sign = base64::engine::general_purpose::STANDARD.encode(signature);
        let query = form_encode(
            self.charset,
            self.params
                .iter()
                .filter(|(k, _)| QUERY_PARAMS.contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .chain([("sign", sign.as_str())]),
        )?;
        let body = form_encode(
            self.charset,
            self.params
                .iter()
                .filter(|(k, _)| !QUERY_PARAMS.contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )?;
        let separator = if self.gateway_url.contains('?') { '&' } else { '?' };
        let url = format!("{}{separator}{query}", self.gateway_url);
        let query_start = url.len() - query.len();
        let headers = vec![
            ("content-type".to_owned(), format!("application/x-www-form-urlencoded;charset={}", self.charset.as_str())),
            ("accept".to_owned(), "application/json".to_owned()),
        ];
        let mut signed = SignedRequest {
            url,
            query_start,
            charset: self.charset,
            headers,
            body: body.into_bytes(),
            signature: sign,
            sign_content: self.sign_content,
            params: self.params,
        };
        if !self.upload.files.is_empty() {
            let upload = self.upload.body(&signed)?;
            for (name, value) in &mut signed.headers {
                if name == "content-type" {
                    *value = upload.content_type();
                }
            }
            signed.body = upload.into_body();
        }
        Ok(signed)
    }
}

/// Everything a host's HTTP client needs to POST the request, plus what was signed.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    url: String,
    /// Where the query (system parameters and `sign`) starts in `url`.
    query_start: usize,
    charset: Charset,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    signature: String,
    sign_content: String,
    params: BTreeMap<String, String>,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query holds `app_auth_token` when one is set: show the gateway and the parameters.
        let gateway = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("SignedRequest")
            .field("method", &self.method())
            .field("gateway", &gateway)
            .field("params", &Redacted(&self.params))
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl SignedRequest {
    /// Always `POST`.
    pub fn method(&self) -> &'static str {
        "POST"
    }

    /// The gateway URL with the system parameters (and `sign`) in the query string.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Headers to send: `content-type` (with the charset) and `accept`.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body's media type: `application/x-www-form-urlencoded;charset=…`, or for a request with
    /// files `multipart/form-data; boundary=…`.
    pub fn content_type(&self) -> &str {
        self.headers.iter().find(|(name, _)| name == "content-type").map_or("", |(_, value)| value)
    }

    /// Whether the body is a `multipart/form-data` upload (binary) rather than a form.
    pub fn is_upload(&self) -> bool {
        self.content_type().starts_with("multipart/")
    }

    /// The `application/x-www-form-urlencoded` body (`biz_content` and API parameters), or a
    /// request with files its `multipart/form-data` upload.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The base64 `sign` value.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The canonical text that was signed, for debugging `isv.invalid-signature`.
    pub fn sign_content(&self) -> &str {
        &self.sign_content
    }

    /// Every parameter sent (without `sign`).
    pub fn params(&self) -> &BTreeMap<String, String> {
        &self.params
    }

    /// The request charset: every value was encoded in it.
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// Page or WAP pay as a link for the browser (a redirect or an `href`): the gateway URL with
    /// every parameter and `sign` in the query, each value percent-encoded from the bytes of the
    /// request charset. The gateway takes the whole request from a GET; a long `biz_content` can
    /// pass the length browsers and proxies allow in a URL, where [`page_form`](Self::page_form)
    /// has no limit.
    pub fn page_link(&self) -> String {
        let mut link = String::with_capacity(self.url.len() + 1 + self.body.len());
        link.push_str(&self.url);
        self.push_body(&mut link);
        link
    }

    /// Page or WAP pay as an HTML form that the browser submits as soon as it is read: `POST` to
    /// [`url`](Self::url) (the system parameters and `sign` in the query, as the server-side POST
    /// puts them), one hidden input for `biz_content` and each other parameter. The action and
    /// every name and value are HTML-escaped (`& < > " '`), so no value can leave its attribute;
    /// `accept-charset` makes the browser send the inputs in the charset they were signed in,
    /// whatever the charset of the page that holds the form. The inline script submits it (a page
    /// whose Content-Security-Policy forbids inline scripts shows the button instead).
    pub fn page_form(&self) -> String {
        let mut form = String::with_capacity(self.url.len() + self.body.len() + 400);
        form.push_str(r#"<form id="alipay_submit" name="alipay_submit" method="post" accept-charset=""#);
        form.push_str(self.charset.as_str());
        form.push_str(r#"" action=""#);
        html_escape_into(&mut form, &self.url);
        form.push_str("\">\n");
        for (key, value) in self.params.iter().filter(|(key, _)| !QUERY_PARAMS.contains(&key.as_str())) {
            form.push_str(r#"<input type="hidden" name=""#);
            html_escape_into(&mut form, key);
            form.push_str(r#"" value=""#);
            html_escape_into(&mut form, value);
            form.push_str("\">\n");
        }
        form.push_str("<noscript><button type=\"submit\">Continue to Alipay</button></noscript>\n</form>\n");
        form.push_str(r#"<script>document.getElementById("alipay_submit").submit();</script>"#);
        form
    }

    /// The app-pay order string that the Alipay app SDK (`payV2`, `my.tradePay`) takes: every
    /// parameter and `sign` as `k=v`, each percent-encoded from the bytes of the request charset,
    /// joined by `&`, without the gateway.
    pub fn order_string(&self) -> String {
        let query = self.url.get(self.query_start..).unwrap_or_default();
        let mut order = String::with_capacity(query.len() + 1 + self.body.len());
        order.push_str(query);
        self.push_body(&mut order);
        order
    }

    /// Appends `&` and the form body (ASCII: percent-encoded), if there is one.
    fn push_body(&self, out: &mut String) {
        if !self.body.is_empty() {
            out.push('&');
            out.extend(self.body.iter().map(|&b| char::from(b)));
        }
    }
}

/// Appends `text` with the five characters that can end an HTML attribute or start markup
/// (`& < > " '`) replaced by references: the escaping of [`SignedRequest::page_form`], for any
/// host page that shows a value in element text or a quoted attribute.
pub fn html_escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

fn validate_method(method: &str) -> Result<()> {
    let ok = !method.is_empty()
        && method.len() <= 128
        && method
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    if ok {
        Ok(())
    } else {
        Err(Error::field("method", "must be a gateway method name such as `alipay.marketing.voucher.send`"))
    }
}

fn validate_param_key(key: &str) -> Result<()> {
    if CLIENT_PARAMS.contains(&key) {
        return Err(Error::field(key, "is set by the client; set it through the config or the request builder"));
    }
    let ok = !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::field(key, "a parameter name must be lowercase ASCII letters, digits and `_`"))
    }
}
