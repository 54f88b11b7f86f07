//! WebAssembly bindings of `alipay-openapi`: the engine of the npm package `alipay-openapi`.
//!
//! Newtypes over the core, one [`convert`] module for values and one [`error`] module for errors.
//! The package's JavaScript layer (`js/client.js`) wraps [`Client`] and adds the host's RSA (Node's
//! `node:crypto` or WebCrypto) through two host-crypto paths that keep every protocol rule in the core:
//! - signing: [`Client::prepare`] gives the bytes to sign, the host signs them, and
//!   [`PreparedRequest::attach_signature`] builds the request;
//! - verifying: the `*With` methods run the core with a key verifier that calls the host's synchronous
//!   `verify(message, signature, spki)` (node:crypto); for an asynchronous host (WebCrypto), `begin*`
//!   runs the core with a key verifier that records what it would check, the host checks those
//!   messages in order, and `finish*` runs the core again with the host's answer. Every path is the
//!   core's own code, so verdicts equal the core's. The core picks the key, also in certificate
//!   mode, and the host is told it (`spki`) with every message (see [`host`]).
//!
//! Without a host, the core's portable `rsa` backend signs and verifies inside the module.
//!
//! Certificate mode and AES content encryption are options of the client (`certificates`,
//! `aesKey`), applied by the core; certificates found after a key rotation are added with
//! [`Client::add_downloaded_certificate`] or [`Client::add_alipay_certificate`].

mod convert;
mod error;
mod host;

use std::sync::Arc;

use alipay_openapi::{
    AlipayPublicKey, AppPrivateKey, Config, Error, KeyVerifier, Notification, NotifyParams, UnsignedRequest,
    VerifiedResponse,
};
use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::convert::{
    BodyArg, CallArg, CallOptionsArg, CallResultJs, ClientOptionsArg, KeyInfoJs, NotifyFieldsJs, NotifyInput,
    NotifyInputArg, NotifyOptionsArg, NowArg, PendingJs, RequestArg, SignatureArg, SignedRequestJs, VerifiedResponseJs,
};
use crate::error::{IntoJs, JsResult};
use crate::host::{with_js_verifier, Answer, JsVerifier, Recorder};

/// A merchant client: configuration and keys, parsed once.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Client {
    inner: alipay_openapi::Client,
    /// `inner` checking signatures with the host's synchronous verifier (see [`host`]).
    host_verified: alipay_openapi::Client,
    backend: String,
    private_key: Option<AppPrivateKey>,
    /// SubjectPublicKeyInfo DER of the key the core verifies with when no certificate SN picks one:
    /// the Alipay public key, or the configured Alipay certificate's key.
    alipay_spki: Option<Vec<u8>>,
}

#[wasm_bindgen]
impl Client {
    /// Parses the options and the keys; throws `AlipayError` on a bad option or key.
    #[wasm_bindgen(constructor)]
    pub fn new(options: ClientOptionsArg) -> JsResult<Client> {
        let parts = convert::client_options(options).js()?;
        let private_key = parts.private_key.as_deref().map(AppPrivateKey::parse).transpose().js()?;
        let alipay_public_key = parts.alipay_public_key.as_deref().map(AlipayPublicKey::parse).transpose().js()?;
        let mut inner = alipay_openapi::Client::without_keys(parts.config);
        if let Some(key) = &private_key {
            inner = inner.with_signer(Arc::new(key.clone()));
        }
        let mut alipay_spki = alipay_public_key.as_ref().map(|key| key.spki_der().to_vec());
        if let Some(key) = alipay_public_key {
            inner = inner.with_alipay_public_key(key);
        }
        if let Some(mode) = parts.certificate_mode {
            alipay_spki = Some(mode.alipay_certificate().public_key().spki_der().to_vec());
            inner = inner.with_certificate_mode(mode);
        }
        if let Some(key) = parts.aes_key {
            inner = inner.with_aes_key(key);
        }
        let host_verified = inner.clone().with_key_verifier(Arc::new(JsVerifier));
        Ok(Client { inner, host_verified, backend: parts.backend, private_key, alipay_spki })
    }

    /// The `crypto` option as given (`node`, `webcrypto`, `wasm`), or `auto`; this module itself
    /// always uses its own RSA, and the package's JavaScript layer picks the host's by this.
    #[wasm_bindgen(getter, js_name = requestedBackend)]
    pub fn requested_backend(&self) -> String {
        self.backend.clone()
    }

    /// `RSA2` or `RSA`.
    #[wasm_bindgen(getter, js_name = signType, unchecked_return_type = "SignType")]
    pub fn sign_type(&self) -> String {
        self.config().sign_type.as_str().to_owned()
    }

    /// `utf-8` or `GBK`.
    #[wasm_bindgen(getter, unchecked_return_type = "Charset")]
    pub fn charset(&self) -> String {
        self.config().charset.as_str().to_owned()
    }

    /// Form, encoding and size of the app private key, if one was given.
    #[wasm_bindgen(getter, js_name = privateKeyInfo)]
    pub fn private_key_info(&self) -> JsResult<Option<KeyInfoJs>> {
        self.private_key.as_ref().map(|key| convert::key_info(key.info())).transpose()
    }

    /// The key responses without a certificate SN and notifications are verified with, as
    /// SubjectPublicKeyInfo DER: the Alipay public key, or the configured Alipay certificate's key.
    /// The host imports it at construction, so that a key it refuses fails there.
    #[wasm_bindgen(getter, js_name = alipayPublicKeySpki)]
    pub fn alipay_public_key_spki(&self) -> Option<Vec<u8>> {
        self.alipay_spki.clone()
    }

    /// Certificate mode: the SNs of the Alipay certificates the client knows, sorted; else empty.
    #[wasm_bindgen(getter, js_name = alipayCertSns)]
    pub fn alipay_cert_sns(&self) -> Vec<String> {
        self.inner.alipay_cert_sns()
    }

    /// Certificate mode: checks an Alipay certificate chain (PEM) against the root bundle at `now`
    /// and adds its key; returns its SN.
    #[wasm_bindgen(js_name = addAlipayCertificate)]
    pub fn add_alipay_certificate(&self, pem: &str, now: NowArg) -> JsResult<String> {
        let now = convert::timestamp(&now.into(), "now").js()?;
        self.inner.add_alipay_certificate(pem, now).js()
    }

    /// Certificate mode: takes the body of an `alipay.open.app.alipaycert.download` response,
    /// verifies it, checks the certificate against the root bundle at `now` and adds its key;
    /// returns its SN. The ring is shared with `host_verified`, a clone of `inner`.
    #[wasm_bindgen(js_name = addDownloadedCertificate)]
    pub fn add_downloaded_certificate(&self, body: BodyArg, now: NowArg) -> JsResult<String> {
        let now = convert::timestamp(&now.into(), "now").js()?;
        let body = convert::bytes(&body, "body", self.config().charset).js()?;
        self.inner.add_downloaded_certificate(&body, now).js()
    }

    /// Builds and signs a request with the module's own RSA.
    pub fn sign(&self, request: RequestArg) -> JsResult<SignedRequestJs> {
        let (request, timestamp) = convert::request(request).js()?;
        convert::signed_request(&self.inner.sign(&request, timestamp).js()?)
    }

    /// Fixes a request's parameters so that the host can sign `signContentBytes`.
    pub fn prepare(&self, request: RequestArg) -> JsResult<PreparedRequest> {
        let (request, timestamp) = convert::request(request).js()?;
        self.inner.prepare(&request, timestamp).map(|inner| PreparedRequest { inner }).js()
    }

    /// Builds and signs a typed call of one of the four methods with the module's own RSA.
    #[wasm_bindgen(js_name = signCall)]
    pub fn sign_call(
        &self,
        method: &str,
        fields: CallArg,
        options: Option<CallOptionsArg>,
    ) -> JsResult<SignedRequestJs> {
        let (request, timestamp) = convert::call_request(method, fields, options).js()?;
        convert::signed_request(&self.inner.sign(&request, timestamp).js()?)
    }

    /// Fixes a typed call's parameters so that the host can sign `signContentBytes`.
    #[wasm_bindgen(js_name = prepareCall)]
    pub fn prepare_call(
        &self,
        method: &str,
        fields: CallArg,
        options: Option<CallOptionsArg>,
    ) -> JsResult<PreparedRequest> {
        let (request, timestamp) = convert::call_request(method, fields, options).js()?;
        self.inner.prepare(&request, timestamp).map(|inner| PreparedRequest { inner }).js()
    }

    /// Verifies a response to one of the four methods with the module's own RSA and returns the
    /// typed result; throws `gateway_error` (with `retryable`) when the code is not `10000`.
    #[wasm_bindgen(js_name = parseResponse)]
    pub fn parse_response(&self, method: &str, body: BodyArg) -> JsResult<CallResultJs> {
        convert::typed_method(method).js()?;
        let body = convert::bytes(&body, "body", self.config().charset).js()?;
        convert::call_result(method, self.inner.verify_response(method, &body).js_for(method)?)
    }

    /// First half of a host verification for [`Client::parse_response`].
    #[wasm_bindgen(js_name = beginParseResponse)]
    pub fn begin_parse_response(&self, method: &str, body: BodyArg) -> JsResult<PendingJs> {
        convert::typed_method(method).js()?;
        self.begin_verify_response(method, body)
    }

    /// Second half of a host verification for [`Client::parse_response`].
    #[wasm_bindgen(js_name = finishParseResponse)]
    pub fn finish_parse_response(&self, method: &str, body: BodyArg, verified: Option<u32>) -> JsResult<CallResultJs> {
        convert::typed_method(method).js()?;
        let body = convert::bytes(&body, "body", self.config().charset).js()?;
        convert::call_result(method, self.response_with(method, &body, Arc::new(Answer::new(verified))).js_for(method)?)
    }

    /// [`Client::parse_response`] with the host's synchronous `verify(message, signature)`.
    #[wasm_bindgen(js_name = parseResponseWith)]
    pub fn parse_response_with(&self, method: &str, body: BodyArg, verify: &Function) -> JsResult<CallResultJs> {
        convert::typed_method(method).js()?;
        let body = convert::bytes(&body, "body", self.config().charset).js()?;
        let verified = with_js_verifier(verify, || self.host_verified.verify_response(method, &body))?;
        convert::call_result(method, verified.js_for(method)?)
    }

    /// [`Client::verify_response`] with the host's synchronous `verify(message, signature)`.
    #[wasm_bindgen(js_name = verifyResponseWith)]
    pub fn verify_response_with(&self, method: &str, body: BodyArg, verify: &Function) -> JsResult<VerifiedResponseJs> {
        let body = convert::bytes(&body, "body", self.config().charset).js()?;
        let verified = with_js_verifier(verify, || self.host_verified.verify_response(method, &body))?;
        convert::verified_response(&verified.and_then(VerifiedResponse::into_success).js_for(method)?)
    }

    /// Verifies a response body to `method` with the module's own RSA. Returns the node when its code
    /// is `10000`; throws `gateway_error` (verified) or another `AlipayError` otherwise.
    #[wasm_bindgen(js_name = verifyResponse)]
    pub fn verify_response(&self, method: &str, body: BodyArg) -> JsResult<VerifiedResponseJs> {
        let body = convert::bytes(&body, "body", self.config().charset).js()?;
        let verified = self.inner.verify_response(method, &body).and_then(|v| v.into_success()).js_for(method)?;
        convert::verified_response(&verified)
    }

    /// First half of a host verification of a response: what to verify, or the error found before
    /// any signature check.
    #[wasm_bindgen(js_name = beginVerifyResponse)]
    pub fn begin_verify_response(&self, method: &str, body: BodyArg) -> JsResult<PendingJs> {
        let body = convert::bytes(&body, "body", self.config().charset).js()?;
        let recorder = Arc::new(Recorder::default());
        let outcome = self.response_with(method, &body, recorder.clone());
        recorder.pending(outcome.map(drop))
    }

    /// Second half: `verified` is the index of the first message the host verified, if any.
    #[wasm_bindgen(js_name = finishVerifyResponse)]
    pub fn finish_verify_response(
        &self,
        method: &str,
        body: BodyArg,
        verified: Option<u32>,
    ) -> JsResult<VerifiedResponseJs> {
        let body = convert::bytes(&body, "body", self.config().charset).js()?;
        let verified = self
            .response_with(method, &body, Arc::new(Answer::new(verified)))
            .and_then(|v| v.into_success())
            .js_for(method)?;
        convert::verified_response(&verified)
    }

    /// Verifies an asynchronous notification with the module's own RSA; returns its fields.
    #[wasm_bindgen(js_name = verifyNotify)]
    pub fn verify_notify(&self, input: NotifyInputArg, options: Option<NotifyOptionsArg>) -> JsResult<NotifyFieldsJs> {
        let (params, v2) = self.notify_params(input, options)?;
        let notification = if v2 { self.inner.verify_notify_v2(params) } else { self.inner.verify_notify(params) };
        convert::notification(&notification.js()?)
    }

    /// [`Client::verify_notify`] with the host's synchronous `verify(message, signature)`.
    #[wasm_bindgen(js_name = verifyNotifyWith)]
    pub fn verify_notify_with(
        &self,
        input: NotifyInputArg,
        options: Option<NotifyOptionsArg>,
        verify: &Function,
    ) -> JsResult<NotifyFieldsJs> {
        let (params, v2) = self.notify_params(input, options)?;
        let notification = with_js_verifier(verify, || notify(&self.host_verified, params, v2))?;
        convert::notification(&notification.js()?)
    }

    /// First half of a host verification of a notification.
    #[wasm_bindgen(js_name = beginVerifyNotify)]
    pub fn begin_verify_notify(&self, input: NotifyInputArg, options: Option<NotifyOptionsArg>) -> JsResult<PendingJs> {
        let (params, v2) = self.notify_params(input, options)?;
        let recorder = Arc::new(Recorder::default());
        let outcome = self.notify_with(params, v2, recorder.clone());
        recorder.pending(outcome.map(drop))
    }

    /// Second half: `verified` is the index of the first message the host verified, if any.
    #[wasm_bindgen(js_name = finishVerifyNotify)]
    pub fn finish_verify_notify(
        &self,
        input: NotifyInputArg,
        options: Option<NotifyOptionsArg>,
        verified: Option<u32>,
    ) -> JsResult<NotifyFieldsJs> {
        let (params, v2) = self.notify_params(input, options)?;
        convert::notification(&self.notify_with(params, v2, Arc::new(Answer::new(verified))).js()?)
    }
}

impl Client {
    fn config(&self) -> &Config {
        self.inner.config()
    }

    /// Verifies a response through the core client, its signature checked by `verifier`.
    fn response_with(
        &self,
        method: &str,
        body: &[u8],
        verifier: Arc<dyn KeyVerifier>,
    ) -> Result<VerifiedResponse, Error> {
        self.inner.clone().with_key_verifier(verifier).verify_response(method, body)
    }

    fn notify_params(
        &self,
        input: NotifyInputArg,
        options: Option<NotifyOptionsArg>,
    ) -> JsResult<(NotifyParams, bool)> {
        let v2 = convert::notify_v2(options).js()?;
        let params = match convert::notify_input(input).js()? {
            NotifyInput::Form(body) => NotifyParams::from_form(&body, self.config().charset),
            NotifyInput::Fields(fields) => NotifyParams::from_pairs(fields),
        };
        Ok((params.js()?, v2))
    }

    /// Verifies a notification through the core client, its signature checked by `verifier`.
    fn notify_with(
        &self,
        params: NotifyParams,
        v2: bool,
        verifier: Arc<dyn KeyVerifier>,
    ) -> Result<Notification, Error> {
        notify(&self.inner.clone().with_key_verifier(verifier), params, v2)
    }
}

/// `rsaCheckV1` or, with `v2`, `rsaCheckV2`.
fn notify(client: &alipay_openapi::Client, params: NotifyParams, v2: bool) -> Result<Notification, Error> {
    if v2 {
        client.verify_notify_v2(params)
    } else {
        client.verify_notify(params)
    }
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

/// Test only: panics, so that tests can check that a panic becomes an `AlipayError` with code
/// `internal_panic` and that the module works afterwards. Nothing else in the module panics.
#[doc(hidden)]
#[wasm_bindgen(js_name = __testPanic)]
#[allow(clippy::panic)] // the one deliberate panic: the test hook described above
pub fn test_panic() {
    panic!("panic forced by __testPanic (test only)");
}

/// An `AlipayError` with code `invalid_field`, for the JavaScript layer's own checks of its inputs.
#[wasm_bindgen(js_name = invalidFieldError)]
pub fn invalid_field_error(field: &str, rule: &str) -> JsValue {
    error::convert_error(error::invalid_field(field, rule))
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
        let signature = convert::signature(signature).js()?;
        convert::signed_request(&self.inner.attach_signature(&signature).js()?)
    }
}
