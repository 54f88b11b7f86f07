//! WebAssembly bindings of `alipay-openapi`: the engine of the npm package `alipay-openapi`.
//!
//! Newtypes over the core, one [`convert`] module for values and one [`error`] module for errors;
//! every rule (options, which bytes are signed and verified, which key) is the core's. The
//! package's JavaScript layer (`js/client.js`) wraps [`Client`] and adds the host's RSA (Node's
//! `node:crypto` or WebCrypto) through the core's two stages:
//! - signing: [`Client::prepare`] gives the bytes to sign, the host signs them, and
//!   [`PreparedRequest::attach_signature`] builds the request;
//! - verifying: a `begin*` method gives a [`PendingVerification`] (the messages to check, the
//!   signature and the key the core picked), the host checks them, synchronously or not, and
//!   [`PendingVerification::finish`] takes its verdict.
//!
//! The module has no RSA of its own unless built with the `fallback` feature (the core's
//! `portable-signing`), for Rust users of the crate and its own wasm-bindgen tests: then
//! [`Client::sign`] and [`PendingVerification::finish_own`] run the core's portable RSA inside it.
//! Without it they throw the core's `rsa_unavailable`, and the npm package's `alipay-openapi/fallback`
//! entry signs and verifies through a second, small module (the `alipay-openapi-wasm-signer` crate)
//! that takes the prepared bytes and the pending checks as a host's crypto would.

mod convert;
mod error;

use alipay_openapi::api::typed_api;
use alipay_openapi::{
    notification_fields, AppPrivateKey, ChainCheck, Charset, ClientOptions, Error, ExpectedOrder, KeyForm,
    Notification, NotifyOptions, NotifyParams, NotifyVersion, Pending, Request, RequestOptions, SignatureCheck,
    Timestamp, UnsignedRequest, UnsignedV3Request, V3Request, V3Response, VerifiedResponse,
};
use js_sys::{Array, Uint8Array};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::convert::{
    BodyArg, CallArg, CallOptionsArg, ClientOptionsArg, HeadersArg, Names, NotifyInputArg, NotifyOptionsArg, NowArg,
    OrderArg, RequestArg, SignatureArg, SignedRequestJs, SignedV3RequestJs, V3RequestArg, VerdictsArg,
};
use crate::error::{IntoJs, JsResult};

/// A merchant client: options checked and keys parsed once, by the core.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Client {
    inner: alipay_openapi::Client,
    private_key: Option<AppPrivateKey>,
    /// SubjectPublicKeyInfo DER of the key responses without a certificate SN and notifications
    /// are verified with: the Alipay public key, or the configured Alipay certificate's key.
    alipay_spki: Option<Vec<u8>>,
}

#[wasm_bindgen]
impl Client {
    /// Reads the options (camelCase names of the core's options); throws `AlipayError` on a bad
    /// option or key.
    #[wasm_bindgen(constructor)]
    pub fn new(options: ClientOptionsArg) -> JsResult<Client> {
        let options = convert::json(&options, "", Names::Options).js()?;
        let parts = ClientOptions::from_value(&options).and_then(|options| options.parts()).js()?;
        let alipay_key = match &parts.certificate_mode {
            Some(mode) => Some(mode.alipay_certificate().public_key()),
            None => parts.alipay_public_key.as_ref(),
        };
        let alipay_spki = alipay_key.map(|key| key.spki_der().to_vec());
        let private_key = parts.private_key.clone();
        Ok(Client { inner: parts.into_client(), private_key, alipay_spki })
    }

    /// `RSA2` or `RSA`.
    #[wasm_bindgen(getter, js_name = signType, unchecked_return_type = "SignType")]
    pub fn sign_type(&self) -> String {
        self.inner.config().sign_type.as_str().to_owned()
    }

    /// `utf-8` or `GBK`.
    #[wasm_bindgen(getter, unchecked_return_type = "Charset")]
    pub fn charset(&self) -> String {
        self.charset_of().as_str().to_owned()
    }

    /// `pkcs1` or `pkcs8`: the DER structure of the app private key, if one was given.
    #[wasm_bindgen(getter, js_name = privateKeyForm)]
    pub fn private_key_form(&self) -> Option<String> {
        self.private_key
            .as_ref()
            .map(|key| if key.info().form == KeyForm::Pkcs1 { "pkcs1" } else { "pkcs8" }.to_owned())
    }

    /// The key responses without a certificate SN and notifications are verified with, as
    /// SubjectPublicKeyInfo DER. The host imports it at construction, so that a key it refuses
    /// fails there.
    #[wasm_bindgen(getter, js_name = alipayPublicKeySpki)]
    pub fn alipay_public_key_spki(&self) -> Option<Vec<u8>> {
        self.alipay_spki.clone()
    }

    /// Certificate mode: the SNs of the Alipay certificates the client knows, sorted; else empty.
    #[wasm_bindgen(getter, js_name = alipayCertSns)]
    pub fn alipay_cert_sns(&self) -> Vec<String> {
        self.inner.alipay_cert_sns()
    }

    /// Certificate mode: begins checking an Alipay certificate chain (PEM) against the root bundle
    /// at `now`; its `finish` adds the key and returns the SN.
    #[wasm_bindgen(js_name = beginAddAlipayCertificate)]
    pub fn begin_add_alipay_certificate(&self, pem: &str, now: NowArg) -> JsResult<PendingCertificateChain> {
        let now = convert::now(&now, "now").js()?;
        let chain = self.inner.begin_add_alipay_certificate(pem, now).js()?;
        Ok(PendingCertificateChain { chain: Chain::Add(chain) })
    }

    /// Builds and signs a request with the module's own RSA.
    pub fn sign(&self, request: RequestArg) -> JsResult<SignedRequestJs> {
        let (request, timestamp) = request_options(&request).js()?;
        self.sign_own(&request, timestamp)
    }

    /// Fixes a request's parameters so that the host can sign `signContentBytes`.
    pub fn prepare(&self, request: RequestArg) -> JsResult<PreparedRequest> {
        let (request, timestamp) = request_options(&request).js()?;
        self.inner.prepare(&request, timestamp).map(|inner| PreparedRequest { inner }).js()
    }

    /// Builds and signs a typed call with the module's own RSA.
    #[wasm_bindgen(js_name = signCall)]
    pub fn sign_call(
        &self,
        method: &str,
        fields: CallArg,
        options: Option<CallOptionsArg>,
    ) -> JsResult<SignedRequestJs> {
        let (request, timestamp) = call_options(method, &fields, options.as_deref()).js()?;
        self.sign_own(&request, timestamp)
    }

    /// Fixes a typed call's parameters so that the host can sign `signContentBytes`.
    #[wasm_bindgen(js_name = prepareCall)]
    pub fn prepare_call(
        &self,
        method: &str,
        fields: CallArg,
        options: Option<CallOptionsArg>,
    ) -> JsResult<PreparedRequest> {
        let (request, timestamp) = call_options(method, &fields, options.as_deref()).js()?;
        self.inner.prepare(&request, timestamp).map(|inner| PreparedRequest { inner }).js()
    }

    /// Begins verifying a response to `method`: its `finish` returns the node when its code is
    /// `10000` and throws `gateway_error` (verified) otherwise.
    #[wasm_bindgen(js_name = beginVerifyResponse)]
    pub fn begin_verify_response(&self, method: &str, body: BodyArg) -> JsResult<PendingVerification> {
        self.begin_response(method, &body, false)
    }

    /// Begins verifying a response to a typed method: its `finish` returns the typed result.
    #[wasm_bindgen(js_name = beginParseResponse)]
    pub fn begin_parse_response(&self, method: &str, body: BodyArg) -> JsResult<PendingVerification> {
        typed_api(method).js()?;
        self.begin_response(method, &body, true)
    }

    /// Begins verifying an asynchronous notification (a form body, or fields a framework decoded
    /// once): its `finish` returns the fields.
    #[wasm_bindgen(js_name = beginVerifyNotification)]
    pub fn begin_verify_notification(
        &self,
        input: NotifyInputArg,
        options: Option<NotifyOptionsArg>,
    ) -> JsResult<PendingVerification> {
        let (params, version) =
            self.signed_fields(&input, options, "notification", alipay_openapi::Client::notification_form)?;
        let pending = self.inner.begin_verify_notification(params, version).js()?;
        Ok(PendingVerification { waiting: Waiting::Notification(pending) })
    }

    /// Begins verifying the query string of a return to `return_url` (the raw query, or fields a
    /// framework decoded once): its `finish` returns the fields.
    #[wasm_bindgen(js_name = beginVerifyReturn)]
    pub fn begin_verify_return(
        &self,
        input: NotifyInputArg,
        options: Option<NotifyOptionsArg>,
    ) -> JsResult<PendingVerification> {
        let (params, version) = self.signed_fields(&input, options, "query", alipay_openapi::Client::return_query)?;
        let pending = self.inner.begin_verify_return(params, version).js()?;
        Ok(PendingVerification { waiting: Waiting::Notification(pending) })
    }

    /// Begins verifying the payload a mini program hands over (`my.getPhoneNumber`): its `finish`
    /// decrypts `response` with the AES key and returns it when its code is `10000`, and throws
    /// `gateway_error` (verified) otherwise.
    #[wasm_bindgen(js_name = beginVerifyMiniProgram)]
    pub fn begin_verify_mini_program(&self, payload: BodyArg) -> JsResult<PendingVerification> {
        let bytes = convert::bytes(&payload, "payload", Charset::Utf8).js()?;
        let pending = self.inner.begin_verify_mini_program(&bytes).js()?;
        Ok(PendingVerification { waiting: Waiting::MiniProgram(pending) })
    }

    /// Certificate mode: begins adding the certificate an `alipay.open.app.alipaycert.download`
    /// response carries: the chain's `finish` gives the verification of the response, whose
    /// `finish` adds the key and returns the SN.
    #[wasm_bindgen(js_name = beginAddDownloadedCertificate)]
    pub fn begin_add_downloaded_certificate(&self, body: BodyArg, now: NowArg) -> JsResult<PendingCertificateChain> {
        let now = convert::now(&now, "now").js()?;
        let body = convert::bytes(&body, "body", self.charset_of()).js()?;
        let chain = self.inner.begin_add_downloaded_certificate(&body, now).js()?;
        Ok(PendingCertificateChain { chain: Chain::Download(chain) })
    }

    /// Builds and signs an OpenAPI v3 call with the module's own RSA.
    #[wasm_bindgen(js_name = signV3)]
    pub fn sign_v3(&self, request: V3RequestArg) -> JsResult<SignedV3RequestJs> {
        let signed = self.inner.sign_v3(&v3_request(&request).js()?).js()?;
        convert::signed_v3_request(&signed).map(JsCast::unchecked_into)
    }

    /// Fixes an OpenAPI v3 call so that the host can sign `signContentBytes`.
    #[wasm_bindgen(js_name = prepareV3)]
    pub fn prepare_v3(&self, request: V3RequestArg) -> JsResult<PreparedV3Request> {
        self.inner.prepare_v3(&v3_request(&request).js()?).map(|inner| PreparedV3Request { inner }).js()
    }

    /// Begins verifying an OpenAPI v3 answer (HTTP status, headers as `[name, value]` pairs or an
    /// object, exact body): its `finish` returns the verified business object.
    #[wasm_bindgen(js_name = beginVerifyV3Response)]
    pub fn begin_verify_v3_response(
        &self,
        status: u16,
        headers: HeadersArg,
        body: BodyArg,
    ) -> JsResult<PendingVerification> {
        let headers = convert::header_pairs(&headers).js()?;
        let body = convert::bytes(&body, "body", Charset::Utf8).js()?;
        let pending = self.inner.begin_verify_v3_response(status, &headers, &body).js()?;
        Ok(PendingVerification { waiting: Waiting::V3(pending) })
    }
}

impl Client {
    fn charset_of(&self) -> Charset {
        self.inner.config().charset
    }

    /// Fields signed by Alipay: an object of decoded fields, or text or bytes that `read` parses
    /// (`what` names them); and the notification options.
    fn signed_fields(
        &self,
        input: &JsValue,
        options: Option<NotifyOptionsArg>,
        what: &str,
        read: fn(&alipay_openapi::Client, &[u8], Charset) -> Result<NotifyParams, Error>,
    ) -> JsResult<(NotifyParams, NotifyVersion)> {
        let options = options.map(|o| convert::json(&o, "", Names::Options)).transpose().js()?;
        let options = NotifyOptions::from_value(&options.unwrap_or(Value::Null)).js()?;
        let params = if input.is_object()
            && !input.is_instance_of::<Uint8Array>()
            && !input.is_instance_of::<js_sys::ArrayBuffer>()
        {
            notification_fields(&convert::json(input, "", Names::AsGiven).js()?)
        } else {
            // The copy of the input is dropped once it is parsed.
            let bytes = convert::bytes(input, what, Charset::Utf8).js()?;
            read(&self.inner, &bytes, options.charset.unwrap_or(self.charset_of()))
        };
        Ok((params.js()?, options.version))
    }

    fn sign_own(&self, request: &Request, timestamp: Timestamp) -> JsResult<SignedRequestJs> {
        let signed = self.inner.sign(request, timestamp).js_for(request.method())?;
        convert::signed_request(&signed).map(JsCast::unchecked_into)
    }

    fn begin_response(&self, method: &str, body: &JsValue, typed: bool) -> JsResult<PendingVerification> {
        let bytes = convert::bytes(body, "body", self.charset_of()).js()?;
        let pending = self.inner.begin_verify_response(method, &bytes).js_for(method)?;
        Ok(PendingVerification { waiting: Waiting::Response { pending, method: method.to_owned(), typed } })
    }
}

/// Request options in camelCase.
fn request_options(options: &JsValue) -> Result<(Request, Timestamp), Error> {
    request_at(RequestOptions::from_value(&convert::json(options, "", Names::Options)?)?)
}

/// A typed call: `fields` (camelCase) become `biz_content`, read through the method's model.
fn call_options(method: &str, fields: &JsValue, options: Option<&JsValue>) -> Result<(Request, Timestamp), Error> {
    let options = options.map(|o| convert::json(o, "", Names::Options)).transpose()?.unwrap_or(Value::Null);
    request_at(RequestOptions::for_call(method, convert::json(fields, "", Names::Fields)?, &options)?)
}

/// The request, and when it is signed: the options' timestamp, else the host's clock.
fn request_at(options: RequestOptions) -> Result<(Request, Timestamp), Error> {
    let timestamp = match options.timestamp {
        Some(timestamp) => timestamp,
        None => convert::now(&JsValue::UNDEFINED, "timestamp")?,
    };
    Ok((options.to_request()?, timestamp))
}

/// A v3 call from its options in camelCase; the host's clock gives the timestamp when there is none.
fn v3_request(options: &JsValue) -> Result<V3Request, Error> {
    let mut options = convert::json(options, "", Names::Options)?;
    if let Value::Object(members) = &mut options {
        members.entry("timestamp").or_insert_with(|| Value::from(js_sys::Date::now() as u64));
    }
    V3Request::from_value(&options)
}

/// What a verification is for, and so what its `finish` returns.
enum Waiting {
    Response { pending: Pending<VerifiedResponse>, method: String, typed: bool },
    Notification(Pending<Notification>),
    Certificate(Pending<String>),
    MiniProgram(Pending<VerifiedResponse>),
    V3(Pending<V3Response>),
}

/// Who decides the RSA check.
enum Verdict {
    /// The host: the index of the first message it verified.
    Host(Option<usize>),
    /// The module's own RSA.
    Own,
}

fn decide<T>(pending: Pending<T>, verdict: Verdict) -> Result<T, Error> {
    match verdict {
        Verdict::Host(verified) => pending.finish(verified),
        Verdict::Own => pending.finish_own(),
    }
}

/// A verification waiting for the RSA verdict on its messages (see the crate docs).
#[wasm_bindgen]
pub struct PendingVerification {
    waiting: Waiting,
}

#[wasm_bindgen]
impl PendingVerification {
    /// The hash of the signature.
    #[wasm_bindgen(getter, js_name = signType, unchecked_return_type = "SignType")]
    pub fn sign_type(&self) -> String {
        self.check().sign_type().as_str().to_owned()
    }

    /// The raw signature bytes.
    #[wasm_bindgen(getter)]
    pub fn signature(&self) -> Vec<u8> {
        self.check().signature().to_vec()
    }

    /// The messages to try, in order, until one verifies.
    #[wasm_bindgen(getter, unchecked_return_type = "Uint8Array[]")]
    pub fn messages(&self) -> Array {
        self.check().messages().iter().map(|message| JsValue::from(Uint8Array::from(message.as_slice()))).collect()
    }

    /// The SubjectPublicKeyInfo DER of the key to verify with.
    #[wasm_bindgen(getter)]
    pub fn spki(&self) -> Vec<u8> {
        self.check().key().spki_der().to_vec()
    }

    /// Certificate mode: the SN of the certificate whose key that is, when the message names one.
    #[wasm_bindgen(getter, js_name = alipayCertSn)]
    pub fn alipay_cert_sn(&self) -> Option<String> {
        self.check().alipay_cert_sn().map(str::to_owned)
    }

    /// Completes the verification with the host's verdict: `verified` is the index of the first
    /// message that verified, or `undefined` when none did. Consumes this object.
    pub fn finish(self, verified: Option<u32>) -> JsResult<JsValue> {
        self.complete(Verdict::Host(verified.map(|index| index as usize)))
    }

    /// Completes the verification with the module's own RSA. Consumes this object.
    #[wasm_bindgen(js_name = finishOwn)]
    pub fn finish_own(self) -> JsResult<JsValue> {
        self.complete(Verdict::Own)
    }
}

impl std::fmt::Debug for PendingVerification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingVerification").field("check", self.check()).finish_non_exhaustive()
    }
}

impl PendingVerification {
    fn check(&self) -> &SignatureCheck {
        match &self.waiting {
            Waiting::Response { pending, .. } => pending.check(),
            Waiting::Notification(pending) => pending.check(),
            Waiting::Certificate(pending) => pending.check(),
            Waiting::MiniProgram(pending) => pending.check(),
            Waiting::V3(pending) => pending.check(),
        }
    }

    fn complete(self, verdict: Verdict) -> JsResult<JsValue> {
        match self.waiting {
            Waiting::Response { pending, method, typed: false } => {
                let verified = decide(pending, verdict).and_then(VerifiedResponse::into_success).js_for(&method)?;
                convert::verified_response(&verified)
            }
            Waiting::Response { pending, method, typed: true } => {
                let result = decide(pending, verdict).and_then(|v| typed_api(&method)?.result(v)).js_for(&method)?;
                convert::typed_result(result)
            }
            Waiting::Notification(pending) => convert::text_fields(decide(pending, verdict).js()?.fields()),
            Waiting::Certificate(pending) => decide(pending, verdict).map(JsValue::from).js(),
            Waiting::MiniProgram(pending) => {
                convert::verified_response(&decide(pending, verdict).and_then(VerifiedResponse::into_success).js()?)
            }
            Waiting::V3(pending) => convert::v3_response(&decide(pending, verdict).js()?),
        }
    }
}

/// What a certificate chain is checked for, and so what its `finish` returns.
enum Chain {
    Add(ChainCheck<String>),
    Download(ChainCheck<Pending<String>>),
}

impl Chain {
    fn checks(&self) -> &[SignatureCheck] {
        match self {
            Chain::Add(chain) => chain.checks(),
            Chain::Download(chain) => chain.checks(),
        }
    }
}

/// A certificate chain waiting for the RSA verdict on each certificate's signature.
#[wasm_bindgen]
pub struct PendingCertificateChain {
    chain: Chain,
}

#[wasm_bindgen]
impl PendingCertificateChain {
    /// The signatures to check, each `{ signType, messages, signature, spki }` with one message.
    #[wasm_bindgen(getter, unchecked_return_type = "SignatureCheck[]")]
    pub fn checks(&self) -> Array {
        self.chain.checks().iter().map(convert::signature_check).collect()
    }

    /// Completes the chain with the host's verdicts, one boolean per check: the SN of the added
    /// certificate, or for a download the verification of the response. Consumes this object.
    #[wasm_bindgen(unchecked_return_type = "string | PendingVerification")]
    pub fn finish(self, verified: VerdictsArg) -> JsResult<JsValue> {
        let verified = convert::verdicts(&verified).js()?;
        self.complete(|chain| chain.finish(&verified), |chain| chain.finish(&verified))
    }

    /// Completes the chain with the module's own RSA. Consumes this object.
    #[wasm_bindgen(js_name = finishOwn, unchecked_return_type = "string | PendingVerification")]
    pub fn finish_own(self) -> JsResult<JsValue> {
        self.complete(ChainCheck::finish_own, ChainCheck::finish_own)
    }
}

impl std::fmt::Debug for PendingCertificateChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingCertificateChain").field("checks", &self.chain.checks()).finish_non_exhaustive()
    }
}

impl PendingCertificateChain {
    fn complete(
        self,
        add: impl FnOnce(ChainCheck<String>) -> Result<String, Error>,
        download: impl FnOnce(ChainCheck<Pending<String>>) -> Result<Pending<String>, Error>,
    ) -> JsResult<JsValue> {
        match self.chain {
            Chain::Add(chain) => add(chain).map(JsValue::from).js(),
            Chain::Download(chain) => {
                let pending = download(chain).js()?;
                Ok(PendingVerification { waiting: Waiting::Certificate(pending) }.into())
            }
        }
    }
}

/// A request whose parameters are fixed, waiting for the host's signature.
#[wasm_bindgen]
#[derive(Debug)]
pub struct PreparedRequest {
    inner: UnsignedRequest,
}

#[wasm_bindgen]
impl PreparedRequest {
    /// The algorithm the signature must use.
    #[wasm_bindgen(getter, js_name = signType, unchecked_return_type = "SignType")]
    pub fn sign_type(&self) -> String {
        self.inner.sign_type().as_str().to_owned()
    }

    /// The canonical sign content, as text.
    #[wasm_bindgen(getter, js_name = signContent)]
    pub fn sign_content(&self) -> String {
        self.inner.sign_content().to_owned()
    }

    /// The bytes to sign: the sign content in the request charset.
    #[wasm_bindgen(getter, js_name = signContentBytes)]
    pub fn sign_content_bytes(&self) -> Vec<u8> {
        self.inner.sign_content_bytes().to_vec()
    }

    /// Attaches the host's raw RSASSA-PKCS1-v1_5 signature and builds the request. Consumes this object.
    #[wasm_bindgen(js_name = attachSignature)]
    pub fn attach_signature(self, signature: SignatureArg) -> JsResult<SignedRequestJs> {
        let signature = convert::signature(&signature).js()?;
        convert::signed_request(&self.inner.attach_signature(&signature).js()?).map(JsCast::unchecked_into)
    }
}

/// An OpenAPI v3 call whose parts are fixed, waiting for the host's signature.
#[wasm_bindgen]
#[derive(Debug)]
pub struct PreparedV3Request {
    inner: UnsignedV3Request,
}

#[wasm_bindgen]
impl PreparedV3Request {
    /// Always `RSA2`.
    #[wasm_bindgen(getter, js_name = signType, unchecked_return_type = "SignType")]
    pub fn sign_type(&self) -> String {
        self.inner.sign_type().as_str().to_owned()
    }

    /// The sign content, as text.
    #[wasm_bindgen(getter, js_name = signContent)]
    pub fn sign_content(&self) -> String {
        self.inner.sign_content().to_owned()
    }

    /// The bytes to sign (UTF-8).
    #[wasm_bindgen(getter, js_name = signContentBytes)]
    pub fn sign_content_bytes(&self) -> Vec<u8> {
        self.inner.sign_content_bytes().to_vec()
    }

    /// Attaches the host's raw signature and builds the request. Consumes this object.
    #[wasm_bindgen(js_name = attachSignature)]
    pub fn attach_signature(self, signature: SignatureArg) -> JsResult<SignedV3RequestJs> {
        let signature = convert::signature(&signature).js()?;
        convert::signed_v3_request(&self.inner.attach_signature(&signature).js()?).map(JsCast::unchecked_into)
    }
}

/// The typed APIs, from the core's table: `{ name, method }` each (`name` in snake_case).
#[wasm_bindgen(unchecked_return_type = "{ name: string; method: ApiMethod }[]")]
pub fn apis() -> JsResult<JsValue> {
    let table: Vec<Value> = alipay_openapi::api::APIS
        .iter()
        .map(|api| serde_json::json!({ "name": api.name, "method": api.method }))
        .collect();
    convert::to_js(&table)
}

/// Holds a verified notification's fields against the merchant's order (`outTradeNo`,
/// `totalAmountFen`, optionally `sellerId`); a difference throws `order_mismatch` naming the field.
#[wasm_bindgen(js_name = checkOrder)]
pub fn check_order(fields: NotifyInputArg, order: OrderArg) -> JsResult<()> {
    let fields = notification_fields(&convert::json(&fields, "", Names::AsGiven).js()?).js()?;
    let order = ExpectedOrder::from_value(&convert::json(&order, "", Names::Options).js()?).js()?;
    alipay_openapi::check_order(fields.fields(), &order).js()
}

/// The SN of the first certificate in `pem` (`app_cert_sn` of an app certificate, or the SN of an
/// Alipay certificate).
#[wasm_bindgen(js_name = certSn)]
pub fn cert_sn(pem: &str) -> JsResult<String> {
    alipay_openapi::cert::cert_sn(pem).js()
}

/// `alipay_root_cert_sn` of a root bundle.
#[wasm_bindgen(js_name = rootCertSn)]
pub fn root_cert_sn(pem: &str) -> JsResult<String> {
    alipay_openapi::cert::root_cert_sn(pem).js()
}

/// An `AlipayError` with code `invalid_field`, for the JavaScript layer's checks of its own
/// arguments (a positional argument's type, the `crypto` choice).
#[wasm_bindgen(js_name = invalidFieldError)]
pub fn invalid_field_error(field: &str, rule: &str) -> JsValue {
    error::convert(&Error::field(field, rule), None)
}

/// Test only: panics, so that tests can check that a panic becomes an `AlipayError` with code
/// `internal_panic` and that the module works afterwards. Nothing else in the module panics.
#[doc(hidden)]
#[wasm_bindgen(js_name = __testPanic)]
#[allow(clippy::panic)] // the one deliberate panic: the test hook described above
pub fn test_panic() {
    panic!("panic forced by __testPanic (test only)");
}
