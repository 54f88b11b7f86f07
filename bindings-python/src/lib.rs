//! Python bindings: the private module `alipay_openapi._native`, wrapped by the `alipay_openapi`
//! package. Thin: options become the core's JSON options (`ClientOptions`, `RequestOptions`),
//! results and errors come back as the core gives them; conversions live in `convert`, errors in
//! `error`. RSA work runs with the GIL released, and every class is immutable, so one client can
//! be shared by any number of threads.

mod convert;
mod error;

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use alipay_openapi as core;
use alipay_openapi::{
    api, cert, ChainCheck, ClientOptions, Error, NotifyOptions, NotifyParams, NotifyVersion, Pending, RequestOptions,
    SignatureCheck, V3Request,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyMapping, PyModule, PyTuple};
use serde_json::Value;

use crate::error::{guarded, OrRaise};

/// A Python object, as the methods take it (the core reads what it means).
type Object<'py> = Bound<'py, PyAny>;
/// The keyword arguments that are options.
type Kwargs<'a, 'py> = &'a Bound<'py, PyDict>;
/// A request and the instant it is signed at.
type Call = (core::Request, core::Timestamp);

/// A merchant app's handle on the gateway, built by the core from the keyword options.
#[pyclass(frozen, subclass, module = "alipay_openapi")]
struct Client {
    inner: core::Client,
    /// Whether `biz_content` is AES-encrypted (shown by `repr`; the key itself never is).
    aes: bool,
    #[pyo3(get)]
    app_id: String,
    #[pyo3(get)]
    sign_type: &'static str,
    #[pyo3(get)]
    charset: &'static str,
    #[pyo3(get)]
    gateway: String,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<Kwargs>) -> PyResult<Self> {
        guarded(|| {
            let mut members = convert::options(options)?;
            let read = ClientOptions::from_value(&Value::Object(members.clone()));
            convert::wipe(&mut members);
            let options = read.or_raise()?;
            let inner = py.detach(|| options.build()).or_raise()?;
            let config = inner.config();
            Ok(Client {
                aes: options.aes_key.is_some(),
                app_id: config.app_id.clone(),
                sign_type: config.sign_type.as_str(),
                charset: config.charset.as_str(),
                gateway: config.gateway.url().to_owned(),
                inner,
            })
        })
    }

    /// Certificate mode: the SNs of the Alipay certificates the client verifies with, sorted
    /// (empty in public-key mode).
    #[getter]
    fn alipay_cert_sns(&self) -> Vec<String> {
        self.inner.alipay_cert_sns()
    }

    fn __repr__(&self) -> String {
        let python_bool = |flag: bool| if flag { "True" } else { "False" };
        let (certificate_mode, aes) = (python_bool(self.inner.certificate_mode().is_some()), python_bool(self.aes));
        format!(
            "Client(app_id={:?}, sign_type={:?}, charset={:?}, gateway={:?}, certificate_mode={certificate_mode}, aes={aes})",
            self.app_id, self.sign_type, self.charset, self.gateway,
        )
    }

    /// Builds and signs a request: the keywords are the core's request options.
    #[pyo3(signature = (method, biz_content = None, **options))]
    fn sign(&self, method: &Object, biz_content: Option<&Object>, options: Option<Kwargs>) -> PyResult<SignedRequest> {
        guarded(|| self.signed(method.py(), self.request(method, biz_content, options)?))
    }

    /// A typed call: `fields` are the `biz_content` of `method`, checked by its model.
    #[pyo3(signature = (method, fields, **options))]
    fn sign_call(&self, method: &Object, fields: &Object, options: Option<Kwargs>) -> PyResult<SignedRequest> {
        guarded(|| self.signed(method.py(), self.call(method, fields, options)?))
    }

    /// Fixes a request for a host's signer: sign `sign_content_bytes`, then `attach_signature`.
    #[pyo3(signature = (method, biz_content = None, **options))]
    fn prepare(
        &self,
        method: &Object,
        biz_content: Option<&Object>,
        options: Option<Kwargs>,
    ) -> PyResult<PreparedRequest> {
        guarded(|| self.prepared(method.py(), self.request(method, biz_content, options)?))
    }

    /// [`prepare`](Self::prepare) for a typed call.
    #[pyo3(signature = (method, fields, **options))]
    fn prepare_call(&self, method: &Object, fields: &Object, options: Option<Kwargs>) -> PyResult<PreparedRequest> {
        guarded(|| self.prepared(method.py(), self.call(method, fields, options)?))
    }

    /// Verifies a response body (the exact bytes received, or text) for `method`.
    #[pyo3(signature = (method, body, *, allow_gateway_error = false))]
    fn verify_response(&self, method: &str, body: &Object, allow_gateway_error: bool) -> PyResult<Response> {
        guarded(|| {
            let verified = self.verified(body.py(), method, body)?;
            let verified =
                if allow_gateway_error { verified } else { verified.into_success().or_raise_during(method)? };
            Ok(Response::from(verified))
        })
    }

    /// [`verify_response`](Self::verify_response) in two stages: the RSA check is the host's.
    #[pyo3(signature = (method, body, *, allow_gateway_error = false))]
    fn begin_verify_response(
        &self,
        method: &str,
        body: &Object,
        allow_gateway_error: bool,
    ) -> PyResult<PendingVerification> {
        let py = body.py();
        guarded(|| {
            let body = convert::body(body, self.inner.config().charset, "body")?;
            let pending = self.inner.begin_verify_response(method, &body).or_raise_during(method)?;
            PendingVerification::new(py, Stage::Response { pending, allow_gateway_error }, Some(method))
        })
    }

    /// Verifies and reads an answer to a typed `method`: its result dataclass.
    fn parse_response<'py>(&self, py: Python<'py>, method: &str, body: &Object<'py>) -> PyResult<Object<'py>> {
        guarded(|| {
            let typed = api::typed_api(method).or_raise()?;
            let result = typed.result(self.verified(py, method, body)?).or_raise_during(method)?;
            models(py)?.getattr("_from_result")?.call1((typed.name, result.to_string()))
        })
    }

    /// Verifies an asynchronous notification: the raw form body, or a mapping of decoded fields.
    #[pyo3(signature = (notification, **options))]
    fn verify_notification(&self, notification: &Object, options: Option<Kwargs>) -> PyResult<Notification> {
        guarded(|| {
            let (params, version) = self.notification(notification, options)?;
            let verified = notification.py().detach(|| self.inner.verify_notification(params, version)).or_raise()?;
            Ok(Notification::from(verified))
        })
    }

    /// [`verify_notification`](Self::verify_notification) in two stages.
    #[pyo3(signature = (notification, **options))]
    fn begin_verify_notification(
        &self,
        notification: &Object,
        options: Option<Kwargs>,
    ) -> PyResult<PendingVerification> {
        guarded(|| {
            let (params, version) = self.notification(notification, options)?;
            let pending = self.inner.begin_verify_notification(params, version).or_raise()?;
            PendingVerification::new(notification.py(), Stage::Notification(pending), None)
        })
    }

    /// Verifies the query string of a return to `return_url`: the raw query (text or bytes), or a
    /// mapping of fields a framework decoded once.
    #[pyo3(signature = (query, **options))]
    fn verify_return(&self, query: &Object, options: Option<Kwargs>) -> PyResult<Notification> {
        guarded(|| {
            let (params, version) = self.return_query(query, options)?;
            let verified = query.py().detach(|| self.inner.verify_return(params, version)).or_raise()?;
            Ok(Notification::from(verified))
        })
    }

    /// [`verify_return`](Self::verify_return) in two stages.
    #[pyo3(signature = (query, **options))]
    fn begin_verify_return(&self, query: &Object, options: Option<Kwargs>) -> PyResult<PendingVerification> {
        guarded(|| {
            let (params, version) = self.return_query(query, options)?;
            let pending = self.inner.begin_verify_return(params, version).or_raise()?;
            PendingVerification::new(query.py(), Stage::Notification(pending), None)
        })
    }

    /// Verifies the payload a mini program hands over (`my.getPhoneNumber`): the JSON text or bytes,
    /// verified over `response` and decrypted with the AES key.
    #[pyo3(signature = (payload, *, allow_gateway_error = false))]
    fn verify_mini_program(&self, payload: &Object, allow_gateway_error: bool) -> PyResult<Response> {
        let py = payload.py();
        guarded(|| {
            let bytes = convert::body(payload, core::Charset::Utf8, "payload")?;
            let verified = py.detach(|| self.inner.verify_mini_program(&bytes)).or_raise()?;
            Ok(Response::from(if allow_gateway_error { verified } else { verified.into_success().or_raise()? }))
        })
    }

    /// [`verify_mini_program`](Self::verify_mini_program) in two stages.
    #[pyo3(signature = (payload, *, allow_gateway_error = false))]
    fn begin_verify_mini_program(&self, payload: &Object, allow_gateway_error: bool) -> PyResult<PendingVerification> {
        let py = payload.py();
        guarded(|| {
            let bytes = convert::body(payload, core::Charset::Utf8, "payload")?;
            let pending = self.inner.begin_verify_mini_program(&bytes).or_raise()?;
            PendingVerification::new(py, Stage::Response { pending, allow_gateway_error }, None)
        })
    }

    /// Certificate mode: checks an Alipay certificate chain (PEM: the certificate, then its
    /// intermediates) against the root bundle at `now` and adds its key. Returns its SN.
    #[pyo3(signature = (pem, now = None))]
    fn add_alipay_certificate(&self, pem: &Object, now: Option<&Object>) -> PyResult<String> {
        let py = pem.py();
        guarded(|| {
            let (pem, now) = (pem_argument(pem)?, convert::instant_or_now(now, "now")?);
            py.detach(|| self.inner.add_alipay_certificate(&pem, now)).map_err(in_pem).or_raise()
        })
    }

    /// [`add_alipay_certificate`](Self::add_alipay_certificate) in two stages: the chain's
    /// signatures are left to the host.
    #[pyo3(signature = (pem, now = None))]
    fn begin_add_alipay_certificate(&self, pem: &Object, now: Option<&Object>) -> PyResult<PendingCertificateChain> {
        let py = pem.py();
        guarded(|| {
            let (pem, now) = (pem_argument(pem)?, convert::instant_or_now(now, "now")?);
            let chain = self.inner.begin_add_alipay_certificate(&pem, now).map_err(in_pem).or_raise()?;
            PendingCertificateChain::new(py, Chain::Add(chain))
        })
    }

    /// Certificate mode: verifies the answer to `alipay.open.app.alipaycert.download`, checks the
    /// certificate it carries against the root bundle at `now` and adds its key. Returns its SN.
    #[pyo3(signature = (body, now = None))]
    fn add_downloaded_certificate(&self, body: &Object, now: Option<&Object>) -> PyResult<String> {
        let py = body.py();
        guarded(|| {
            let chain = self.downloaded_chain(body, now)?;
            py.detach(|| chain.finish_own()?.finish_own()).or_raise_during(cert::DOWNLOAD_METHOD)
        })
    }

    /// [`add_downloaded_certificate`](Self::add_downloaded_certificate) in stages: the chain of the
    /// certificate, whose `finish` gives the verification of the answer.
    #[pyo3(signature = (body, now = None))]
    fn begin_add_downloaded_certificate(
        &self,
        body: &Object,
        now: Option<&Object>,
    ) -> PyResult<PendingCertificateChain> {
        guarded(|| {
            let chain = self.downloaded_chain(body, now)?;
            PendingCertificateChain::new(body.py(), Chain::Download(chain))
        })
    }

    /// OpenAPI v3: builds and signs a call; the keywords are the core's v3 request options.
    #[pyo3(signature = (http_method, path, **options))]
    fn sign_v3(&self, http_method: &Object, path: &Object, options: Option<Kwargs>) -> PyResult<SignedV3Request> {
        let py = http_method.py();
        guarded(|| {
            let request = v3_request(http_method, path, options)?;
            Ok(SignedV3Request::new(py, py.detach(|| self.inner.sign_v3(&request)).or_raise()?))
        })
    }

    /// OpenAPI v3: fixes a call for a host's signer (sign `sign_content_bytes`, then `attach_signature`).
    #[pyo3(signature = (http_method, path, **options))]
    fn prepare_v3(&self, http_method: &Object, path: &Object, options: Option<Kwargs>) -> PyResult<PreparedV3Request> {
        let py = http_method.py();
        guarded(|| {
            let inner = self.inner.prepare_v3(&v3_request(http_method, path, options)?).or_raise()?;
            let sign_content_bytes = PyBytes::new(py, inner.sign_content_bytes()).unbind();
            Ok(PreparedV3Request { sign_content: inner.sign_content().to_owned(), sign_content_bytes, inner })
        })
    }

    /// OpenAPI v3: verifies an answer from its HTTP status, headers and exact body.
    fn verify_v3_response(&self, status: &Object, headers: &Object, body: &Object) -> PyResult<V3Response> {
        let py = body.py();
        guarded(|| {
            let (headers, body) = (convert::header_pairs(headers)?, convert::body(body, core::Charset::Utf8, "body")?);
            let status = convert::status(status);
            Ok(V3Response::from(py.detach(|| self.inner.verify_v3_response(status, &headers, &body)).or_raise()?))
        })
    }

    /// [`verify_v3_response`](Self::verify_v3_response) in two stages.
    fn begin_verify_v3_response(
        &self,
        status: &Object,
        headers: &Object,
        body: &Object,
    ) -> PyResult<PendingVerification> {
        let py = body.py();
        guarded(|| {
            let (headers, body) = (convert::header_pairs(headers)?, convert::body(body, core::Charset::Utf8, "body")?);
            let pending = self.inner.begin_verify_v3_response(convert::status(status), &headers, &body).or_raise()?;
            PendingVerification::new(py, Stage::V3(pending), None)
        })
    }
}

impl Client {
    /// The request and its timestamp from the core's request options (the host's clock by default).
    fn request(&self, method: &Object, biz_content: Option<&Object>, options: Option<Kwargs>) -> PyResult<Call> {
        let mut members = convert::options(options)?;
        members.insert("method".to_owned(), convert::json(method, "method")?);
        if let Some(biz_content) = biz_content {
            members.insert("biz_content".to_owned(), convert::json(biz_content, "biz_content")?);
        }
        Self::request_at(RequestOptions::from_value(&Value::Object(members)).or_raise()?)
    }

    /// A typed call's request: the method must have a model, which checks the fields (named alone).
    fn call(&self, method: &Object, fields: &Object, options: Option<Kwargs>) -> PyResult<Call> {
        let (method, fields) = (convert::text(method.cast()?, "method")?, convert::json(fields, "")?);
        let options = Value::Object(convert::options(options)?);
        Self::request_at(RequestOptions::for_call(&method, fields, &options).or_raise()?)
    }

    fn request_at(options: RequestOptions) -> PyResult<Call> {
        Ok((options.to_request().or_raise()?, options.timestamp.unwrap_or_else(convert::now)))
    }

    fn signed(&self, py: Python<'_>, (request, at): Call) -> PyResult<SignedRequest> {
        let signed = py.detach(|| self.inner.sign(&request, at)).or_raise()?;
        Ok(SignedRequest::new(py, signed))
    }

    fn prepared(&self, py: Python<'_>, (request, at): Call) -> PyResult<PreparedRequest> {
        let inner = self.inner.prepare(&request, at).or_raise()?;
        let (sign_type, sign_content) = (inner.sign_type().as_str(), inner.sign_content().to_owned());
        Ok(PreparedRequest {
            sign_type,
            sign_content,
            sign_content_bytes: PyBytes::new(py, inner.sign_content_bytes()).unbind(),
            inner,
        })
    }

    /// The first stage of adding a downloaded certificate: its chain.
    fn downloaded_chain(&self, body: &Object, now: Option<&Object>) -> PyResult<ChainCheck<Pending<String>>> {
        let (body, now) =
            (convert::body(body, self.inner.config().charset, "body")?, convert::instant_or_now(now, "now")?);
        self.inner.begin_add_downloaded_certificate(&body, now).or_raise_during(cert::DOWNLOAD_METHOD)
    }

    fn verified(&self, py: Python<'_>, method: &str, body: &Object) -> PyResult<core::VerifiedResponse> {
        let body = convert::body(body, self.inner.config().charset, "body")?;
        py.detach(|| self.inner.verify_response(method, &body)).or_raise_during(method)
    }

    /// A notification (the form body, or a mapping of decoded fields) and the core's notification options.
    fn notification(&self, notification: &Object, options: Option<Kwargs>) -> PyResult<(NotifyParams, NotifyVersion)> {
        self.signed_fields(notification, options, "notification", core::Client::notification_form)
    }

    /// A return query (the raw query, or a mapping of decoded fields) and the notification options.
    fn return_query(&self, query: &Object, options: Option<Kwargs>) -> PyResult<(NotifyParams, NotifyVersion)> {
        self.signed_fields(query, options, "query", core::Client::return_query)
    }

    /// Fields signed by Alipay: a mapping, or text or bytes that `read` parses (`what` names them).
    fn signed_fields(
        &self,
        input: &Object,
        options: Option<Kwargs>,
        what: &str,
        read: fn(&core::Client, &[u8], core::Charset) -> Result<NotifyParams, Error>,
    ) -> PyResult<(NotifyParams, NotifyVersion)> {
        let options = NotifyOptions::from_value(&Value::Object(convert::options(options)?)).or_raise()?;
        let params = match input.cast::<PyMapping>() {
            Ok(_) => core::notification_fields(&convert::json(input, what)?),
            Err(_) => read(
                &self.inner,
                &convert::body(input, core::Charset::Utf8, what)?,
                options.charset.unwrap_or(self.inner.config().charset),
            ),
        };
        Ok((params.or_raise()?, options.version))
    }
}

/// A v3 call from its keyword options; the nonce, the request id and the timestamp are drawn
/// here when absent.
fn v3_request(http_method: &Object, path: &Object, options: Option<Kwargs>) -> PyResult<V3Request> {
    let py = http_method.py();
    let mut members = convert::options(options)?;
    members.insert("http_method".to_owned(), convert::json(http_method, "http_method")?);
    members.insert("path".to_owned(), convert::json(path, "path")?);
    for name in ["nonce", "request_id"] {
        if members.get(name).is_none_or(Value::is_null) {
            members.insert(name.to_owned(), Value::from(convert::fresh_id(py)?));
        }
    }
    if members.get("timestamp").is_none_or(Value::is_null) {
        members.insert("timestamp".to_owned(), Value::from(convert::now_millis()));
    }
    V3Request::from_value(&Value::Object(members)).or_raise()
}

/// A certificate argument's text (`str` or bytes); anything else is a `TypeError` naming `pem`.
fn pem_argument(pem: &Bound<'_, PyAny>) -> PyResult<zeroize::Zeroizing<String>> {
    convert::key_text(pem, "pem")?
        .ok_or_else(|| pyo3::exceptions::PyTypeError::new_err("`pem` must be str or bytes (PEM)"))
}

/// The error, as caused by the argument `pem`.
fn in_pem(error: Error) -> Error {
    Error::InOption { field: "pem".to_owned(), error: Box::new(error) }
}

/// A signed request, ready to POST as is: `url`, `method`, `headers`, `body` (with `files`, a
/// `multipart/form-data` upload: see `content_type`); or for the browser or the app: `page_link`,
/// `page_form`, `order_string`.
#[pyclass(frozen, get_all, module = "alipay_openapi")]
struct SignedRequest {
    url: String,
    method: &'static str,
    /// A new dict each time, so the request itself stays unchanged.
    headers: BTreeMap<String, String>,
    content_type: String,
    body: Py<PyBytes>,
    signature: String,
    sign_content: String,
    params: BTreeMap<String, String>,
    page_link: String,
    page_form: String,
    order_string: String,
}

impl SignedRequest {
    fn new(py: Python<'_>, signed: core::SignedRequest) -> Self {
        SignedRequest {
            url: signed.url().to_owned(),
            method: signed.method(),
            headers: signed.headers().iter().cloned().collect(),
            content_type: signed.content_type().to_owned(),
            body: PyBytes::new(py, signed.body()).unbind(),
            signature: signed.signature().to_owned(),
            sign_content: signed.sign_content().to_owned(),
            params: signed.params().clone(),
            page_link: signed.page_link(),
            page_form: signed.page_form(),
            order_string: signed.order_string(),
        }
    }
}

#[pymethods]
impl SignedRequest {
    /// The URL without its query, which holds `app_auth_token` when one is set.
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "SignedRequest(method='POST', url={:?}, body=<{} bytes>)",
            format!("{}?…", self.url.split('?').next().unwrap_or_default()),
            self.body.bind(py).len().unwrap_or(0)
        )
    }
}

/// A request with every parameter fixed, for a host's signer (a KMS, an HSM).
#[pyclass(frozen, module = "alipay_openapi")]
struct PreparedRequest {
    inner: core::UnsignedRequest,
    #[pyo3(get)]
    sign_type: &'static str,
    #[pyo3(get)]
    sign_content: String,
    /// The bytes to sign: the sign content in the request charset.
    #[pyo3(get)]
    sign_content_bytes: Py<PyBytes>,
}

#[pymethods]
impl PreparedRequest {
    /// The signed request, with `signature` (the raw signature bytes) attached.
    fn attach_signature(&self, py: Python<'_>, signature: &Bound<'_, PyAny>) -> PyResult<SignedRequest> {
        guarded(|| {
            let signature = convert::body(signature, core::Charset::Utf8, "signature")?;
            Ok(SignedRequest::new(py, self.inner.clone().attach_signature(&signature).or_raise()?))
        })
    }
}

/// A signed OpenAPI v3 request: `method`, `url`, `headers` and `body` are what to send.
#[pyclass(frozen, get_all, module = "alipay_openapi")]
struct SignedV3Request {
    method: String,
    url: String,
    path_with_query: String,
    /// A new dict each time.
    headers: BTreeMap<String, String>,
    body: Py<PyBytes>,
    signature: String,
    sign_content: String,
}

impl SignedV3Request {
    fn new(py: Python<'_>, signed: core::SignedV3Request) -> Self {
        SignedV3Request {
            method: signed.http_method().to_owned(),
            url: signed.url().to_owned(),
            path_with_query: signed.path_with_query().to_owned(),
            headers: signed.headers().iter().cloned().collect(),
            body: PyBytes::new(py, signed.body()).unbind(),
            signature: signed.signature().to_owned(),
            sign_content: signed.sign_content().to_owned(),
        }
    }
}

#[pymethods]
impl SignedV3Request {
    /// Without the headers, which hold an `alipay-app-auth-token` when one is set.
    fn __repr__(&self, py: Python<'_>) -> String {
        let size = self.body.bind(py).len().unwrap_or(0);
        format!("SignedV3Request(method={:?}, url={:?}, body=<{size} bytes>)", self.method, self.url)
    }
}

/// An OpenAPI v3 call with everything fixed, for a host's signer.
#[pyclass(frozen, module = "alipay_openapi")]
struct PreparedV3Request {
    inner: core::UnsignedV3Request,
    #[pyo3(get)]
    sign_content: String,
    /// The bytes to sign with SHA256withRSA (UTF-8).
    #[pyo3(get)]
    sign_content_bytes: Py<PyBytes>,
}

#[pymethods]
impl PreparedV3Request {
    /// Always `RSA2`.
    #[getter]
    fn sign_type(&self) -> &'static str {
        self.inner.sign_type().as_str()
    }

    /// The signed request, with `signature` (the raw signature bytes) attached.
    fn attach_signature(&self, py: Python<'_>, signature: &Bound<'_, PyAny>) -> PyResult<SignedV3Request> {
        guarded(|| {
            let signature = convert::body(signature, core::Charset::Utf8, "signature")?;
            Ok(SignedV3Request::new(py, self.inner.clone().attach_signature(&signature).or_raise()?))
        })
    }
}

/// A 2xx OpenAPI v3 answer whose signature verified (and, if encrypted, that was decrypted).
#[pyclass(frozen, get_all, module = "alipay_openapi")]
struct V3Response {
    status: u16,
    /// The business object as JSON text.
    body: String,
    timestamp: u64,
    nonce: String,
    alipay_sn: Option<String>,
    trace_id: Option<String>,
    was_encrypted: bool,
}

impl From<core::V3Response> for V3Response {
    fn from(verified: core::V3Response) -> Self {
        V3Response {
            status: verified.status(),
            body: verified.body().to_owned(),
            timestamp: verified.timestamp(),
            nonce: verified.nonce().to_owned(),
            alipay_sn: verified.alipay_sn().map(str::to_owned),
            trace_id: verified.trace_id().map(str::to_owned),
            was_encrypted: verified.was_encrypted(),
        }
    }
}

#[pymethods]
impl V3Response {
    /// The business object as Python values (a new object each time; non-integer numbers as
    /// `Decimal`); `None` for an empty body.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.body.is_empty() {
            return Ok(py.None().into_bound(py));
        }
        models(py)?.getattr("_json_loads")?.call1((&self.body,))
    }

    fn __repr__(&self) -> String {
        format!("V3Response(status={}, trace_id={:?})", self.status, self.trace_id)
    }
}

/// A verification waiting for its RSA verdict, by what it gives once it verified.
enum Stage {
    Response { pending: Pending<core::VerifiedResponse>, allow_gateway_error: bool },
    Notification(Pending<core::Notification>),
    Certificate(Pending<String>),
    V3(Pending<core::V3Response>),
}

impl Stage {
    fn check(&self) -> &SignatureCheck {
        match self {
            Stage::Response { pending, .. } => pending.check(),
            Stage::Notification(pending) => pending.check(),
            Stage::Certificate(pending) => pending.check(),
            Stage::V3(pending) => pending.check(),
        }
    }

    /// The verified result as its Python object; errors name `method` for the catalog.
    fn finish(self, py: Python<'_>, verified: Option<usize>, method: Option<&str>) -> PyResult<Py<PyAny>> {
        let raise = |error: &Error| error::raise(error, method);
        Ok(match self {
            Stage::Response { pending, allow_gateway_error } => {
                let response =
                    pending.finish(verified).and_then(|r| if allow_gateway_error { Ok(r) } else { r.into_success() });
                Py::new(py, Response::from(response.map_err(|e| raise(&e))?))?.into_any()
            }
            Stage::Notification(pending) => {
                Py::new(py, Notification::from(pending.finish(verified).map_err(|e| raise(&e))?))?.into_any()
            }
            Stage::Certificate(pending) => {
                pending.finish(verified).map_err(|e| raise(&e))?.into_pyobject(py)?.into_any().unbind()
            }
            Stage::V3(pending) => {
                Py::new(py, V3Response::from(pending.finish(verified).map_err(|e| raise(&e))?))?.into_any()
            }
        })
    }
}

/// A verification waiting for the RSA verdict of the host: check `messages` in order against
/// `signature` under the key `spki` (SubjectPublicKeyInfo DER), then `finish` with the index of
/// the first that verified.
#[pyclass(frozen, module = "alipay_openapi")]
struct PendingVerification {
    #[pyo3(get)]
    sign_type: &'static str,
    #[pyo3(get)]
    signature: Py<PyBytes>,
    #[pyo3(get)]
    messages: Py<PyTuple>,
    #[pyo3(get)]
    spki: Py<PyBytes>,
    #[pyo3(get)]
    alipay_cert_sn: Option<String>,
    stage: Mutex<Option<Stage>>,
    /// The called method, for the details of a gateway error.
    method: Option<String>,
}

impl PendingVerification {
    fn new(py: Python<'_>, stage: Stage, method: Option<&str>) -> PyResult<Self> {
        let check = stage.check();
        Ok(PendingVerification {
            sign_type: check.sign_type().as_str(),
            signature: PyBytes::new(py, check.signature()).unbind(),
            messages: PyTuple::new(py, check.messages().iter().map(|message| PyBytes::new(py, message)))?.unbind(),
            spki: PyBytes::new(py, check.key().spki_der()).unbind(),
            alipay_cert_sn: check.alipay_cert_sn().map(str::to_owned),
            stage: Mutex::new(Some(stage)),
            method: method.map(str::to_owned),
        })
    }
}

#[pymethods]
impl PendingVerification {
    /// Completes the verification once: `verified` is the index of the first message that
    /// verified, or `None` when none did.
    fn finish(&self, py: Python<'_>, verified: Option<usize>) -> PyResult<Py<PyAny>> {
        guarded(|| take_once(&self.stage)?.finish(py, verified, self.method.as_deref()))
    }
}

/// The stage a `finish` completes, taken out of its object: a pending verification finishes once.
fn take_once<T>(stage: &Mutex<Option<T>>) -> PyResult<T> {
    let stage = stage.lock().unwrap_or_else(PoisonError::into_inner).take();
    stage.ok_or_else(|| Error::field("finish", "was called already: a pending verification finishes once")).or_raise()
}

/// One RSA check of a certificate chain: does `signature` verify over `messages[0]` (the
/// certificate's signed part) under the issuer's key `spki` with the hash `sign_type`?
#[pyclass(frozen, get_all, name = "SignatureCheck", module = "alipay_openapi")]
struct ChainSignatureCheck {
    sign_type: &'static str,
    messages: Py<PyTuple>,
    signature: Py<PyBytes>,
    spki: Py<PyBytes>,
}

/// What a certificate chain is checked for, and so what its `finish` returns.
enum Chain {
    Add(ChainCheck<String>),
    Download(ChainCheck<Pending<String>>),
}

/// A certificate chain waiting for the host's verdict on each signature in `checks`: `finish`
/// takes one boolean per check and returns the SN of the added certificate, or for a download the
/// verification of the answer.
#[pyclass(frozen, module = "alipay_openapi")]
struct PendingCertificateChain {
    #[pyo3(get)]
    checks: Py<PyTuple>,
    chain: Mutex<Option<Chain>>,
}

impl Chain {
    fn checks(&self) -> &[SignatureCheck] {
        match self {
            Chain::Add(chain) => chain.checks(),
            Chain::Download(chain) => chain.checks(),
        }
    }
}

impl PendingCertificateChain {
    fn new(py: Python<'_>, chain: Chain) -> PyResult<Self> {
        let checks = chain.checks().iter().map(|check| {
            let messages = PyTuple::new(py, check.messages().iter().map(|message| PyBytes::new(py, message)))?;
            Py::new(
                py,
                ChainSignatureCheck {
                    sign_type: check.sign_type().as_str(),
                    messages: messages.unbind(),
                    signature: PyBytes::new(py, check.signature()).unbind(),
                    spki: PyBytes::new(py, check.key().spki_der()).unbind(),
                },
            )
        });
        let checks = PyTuple::new(py, checks.collect::<PyResult<Vec<_>>>()?)?.unbind();
        Ok(PendingCertificateChain { checks, chain: Mutex::new(Some(chain)) })
    }
}

#[pymethods]
impl PendingCertificateChain {
    /// Completes the chain once with one verdict per check, in order.
    fn finish(&self, py: Python<'_>, verified: &Object) -> PyResult<Py<PyAny>> {
        guarded(|| {
            let verified = convert::verdicts(verified)?;
            match take_once(&self.chain)? {
                Chain::Add(chain) => Ok(chain.finish(&verified).or_raise()?.into_pyobject(py)?.into_any().unbind()),
                Chain::Download(chain) => {
                    let pending = chain.finish(&verified).or_raise_during(cert::DOWNLOAD_METHOD)?;
                    let stage = PendingVerification::new(py, Stage::Certificate(pending), Some(cert::DOWNLOAD_METHOD))?;
                    Ok(Py::new(py, stage)?.into_any())
                }
            }
        })
    }
}

/// A response whose signature was verified over the exact bytes of its node.
#[pyclass(frozen, get_all, module = "alipay_openapi")]
struct Response {
    node_key: String,
    node_text: String,
    code: String,
    msg: String,
    sub_code: Option<String>,
    sub_msg: Option<String>,
    alipay_cert_sn: Option<String>,
    is_success: bool,
}

impl From<core::VerifiedResponse> for Response {
    fn from(verified: core::VerifiedResponse) -> Self {
        Response {
            node_key: verified.node_key().to_owned(),
            node_text: verified.node_text().to_owned(),
            code: verified.code().to_owned(),
            msg: verified.msg().to_owned(),
            sub_code: verified.sub_code().map(str::to_owned),
            sub_msg: verified.sub_msg().map(str::to_owned),
            alipay_cert_sn: verified.alipay_cert_sn().map(str::to_owned),
            is_success: verified.is_success(),
        }
    }
}

#[pymethods]
impl Response {
    /// The node as Python values (a new dict each time; non-integer numbers as `Decimal`).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        models(py)?.getattr("_json_loads")?.call1((&self.node_text,))
    }

    fn __repr__(&self) -> String {
        format!("Response(node_key={:?}, code={:?}, msg={:?})", self.node_key, self.code, self.msg)
    }
}

/// A verified asynchronous notification: its fields, decoded once.
#[pyclass(frozen, module = "alipay_openapi")]
struct Notification {
    /// A new dict each time.
    #[pyo3(get)]
    fields: BTreeMap<String, String>,
}

impl From<core::Notification> for Notification {
    fn from(verified: core::Notification) -> Self {
        Notification { fields: verified.fields().clone() }
    }
}

#[pymethods]
impl Notification {
    #[pyo3(signature = (key, default = None))]
    fn get(&self, key: &str, default: Option<String>) -> Option<String> {
        self.fields.get(key).cloned().or(default)
    }

    fn __getitem__(&self, key: &str) -> PyResult<String> {
        self.fields.get(key).cloned().ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(key.to_owned()))
    }

    fn __contains__(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }

    /// Holds the notification against the merchant's order (`out_trade_no`, `total_amount_fen`,
    /// optionally `seller_id`); a difference raises `order_mismatch` naming the field.
    #[pyo3(signature = (**order))]
    fn check_order(&self, order: Option<Kwargs>) -> PyResult<()> {
        guarded(|| {
            let order = core::ExpectedOrder::from_value(&Value::Object(convert::options(order)?)).or_raise()?;
            core::check_order(&self.fields, &order).or_raise()
        })
    }

    fn __repr__(&self) -> String {
        let get = |k| self.fields.get(k).map_or("", String::as_str);
        format!("Notification(notify_type={:?}, notify_id={:?})", get("notify_type"), get("notify_id"))
    }
}

fn models(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODELS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    Ok(MODELS.get_or_try_init(py, || py.import("alipay_openapi.models").map(Bound::unbind))?.bind(py))
}

/// The SN of the first certificate in `pem` (`app_cert_sn` of an app certificate, or the SN of an
/// Alipay certificate).
#[pyfunction]
fn cert_sn(pem: &Bound<'_, PyAny>) -> PyResult<String> {
    guarded(|| cert::cert_sn(&pem_argument(pem)?).map_err(in_pem).or_raise())
}

/// `alipay_root_cert_sn` of a root bundle: the SNs of its RSA-signed certificates, joined by `_`.
#[pyfunction]
fn root_cert_sn(pem: &Bound<'_, PyAny>) -> PyResult<String> {
    guarded(|| cert::root_cert_sn(&pem_argument(pem)?).map_err(in_pem).or_raise())
}

/// Test only: panics inside the binding (with the GIL held, or released as during RSA work), to
/// show that a panic becomes `InternalError` and everything keeps working. Nothing else panics.
#[pyfunction]
#[pyo3(signature = (gil_released = false))]
#[allow(clippy::panic)] // the panic is the point
fn _test_panic(py: Python<'_>, gil_released: bool) -> PyResult<()> {
    fn forced() {
        panic!("panic forced by _test_panic (test only)")
    }
    guarded(|| {
        if gil_released {
            py.detach(forced);
        } else {
            forced();
        }
        Ok(())
    })
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(cert_sn, module)?)?;
    module.add_function(wrap_pyfunction!(root_cert_sn, module)?)?;
    module.add_function(wrap_pyfunction!(_test_panic, module)?)?;
    module.add_class::<Client>()?;
    module.add_class::<SignedRequest>()?;
    module.add_class::<PreparedRequest>()?;
    module.add_class::<PendingVerification>()?;
    module.add_class::<PendingCertificateChain>()?;
    module.add_class::<ChainSignatureCheck>()?;
    module.add_class::<Response>()?;
    module.add_class::<Notification>()?;
    module.add_class::<SignedV3Request>()?;
    module.add_class::<PreparedV3Request>()?;
    module.add_class::<V3Response>()?;
    module.add("PRODUCTION_GATEWAY", core::PRODUCTION_GATEWAY)?;
    module.add("SANDBOX_GATEWAY", core::SANDBOX_GATEWAY)?;
    module.add("APIS", PyTuple::new(module.py(), api::APIS.iter().map(|typed| (typed.name, typed.method)))?)?;
    module.add("REQUEST_OPTIONS", PyTuple::new(module.py(), core::REQUEST_OPTIONS)?)?;
    Ok(())
}
