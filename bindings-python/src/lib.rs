//! Python bindings: the private module `alipay_openapi._native`, wrapped by the `alipay_openapi`
//! package. Newtypes over the core's types; conversions live in `convert`, errors in `error`.
//! RSA work runs with the GIL released, and every class is immutable, so one client can be shared
//! by any number of threads.

mod convert;
mod error;

use std::collections::BTreeMap;
use std::sync::Arc;

use alipay_openapi as core;
use alipay_openapi::api::{self, ApiCall, TicketCodeSync, VoucherQuery, VoucherSend, VoucherStockUse};
use alipay_openapi::{cert, Config, Gateway, Request, PRODUCTION_GATEWAY, SANDBOX_GATEWAY};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::convert::{BizContent, ToPython};
use crate::error::{during, guarded, in_argument, invalid_field, CoreError};

/// A merchant app's handle on the gateway: configuration and both keys, parsed once.
#[pyclass(frozen, module = "alipay_openapi")]
struct Client {
    inner: core::Client,
    /// Whether `biz_content` is AES-encrypted (shown by `repr`; the key itself never is).
    aes: bool,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (*, app_id, private_key, alipay_public_key = None, app_cert = None, alipay_cert = None, alipay_root_cert = None, aes_key = None, sign_type = "RSA2", charset = "utf-8", gateway = PRODUCTION_GATEWAY, app_auth_token = None, format = Some("json")))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        app_id: String,
        private_key: &Bound<'_, PyAny>,
        alipay_public_key: Option<&Bound<'_, PyAny>>,
        app_cert: Option<&Bound<'_, PyAny>>,
        alipay_cert: Option<&Bound<'_, PyAny>>,
        alipay_root_cert: Option<&Bound<'_, PyAny>>,
        aes_key: Option<&Bound<'_, PyAny>>,
        sign_type: &str,
        charset: &str,
        gateway: &str,
        app_auth_token: Option<String>,
        format: Option<&str>,
    ) -> PyResult<Self> {
        guarded(|| {
            let mut config = Config::new(app_id);
            config.sign_type = sign_type.parse().map_err(CoreError::from)?;
            config.charset = charset.parse().map_err(CoreError::from)?;
            config.gateway = match gateway {
                PRODUCTION_GATEWAY => Gateway::Production,
                SANDBOX_GATEWAY => Gateway::Sandbox,
                url => Gateway::Custom(url.to_owned()),
            };
            config.app_auth_token = app_auth_token;
            config.format = format.map(str::to_owned);
            let private_key = convert::private_key(py, private_key, "private_key")?;
            let mode = convert::certificate_mode(app_cert, alipay_cert, alipay_root_cert)?;
            let client =
                match (mode, alipay_public_key) {
                    (Some(_), Some(_)) => {
                        return Err(invalid_field(
                            "alipay_public_key",
                            "cannot be combined with certificate mode: the Alipay key comes from alipay_cert",
                        ))
                    }
                    (None, None) => return Err(invalid_field(
                        "alipay_public_key",
                        "is required, unless app_cert, alipay_cert and alipay_root_cert are given (certificate mode)",
                    )),
                    (Some(mode), None) => core::Client::without_keys(config)
                        .with_signer(Arc::new(private_key))
                        .with_certificate_mode(mode),
                    (None, Some(key)) => {
                        core::Client::new(config, private_key, convert::public_key(key, "alipay_public_key")?)
                    }
                };
            let inner = match aes_key {
                Some(key) => client.with_aes_key(convert::aes_key(key)?),
                None => client,
            };
            Ok(Client { inner, aes: aes_key.is_some() })
        })
    }

    #[getter]
    fn app_id(&self) -> &str {
        &self.inner.config().app_id
    }

    #[getter]
    fn sign_type(&self) -> &'static str {
        self.inner.config().sign_type.as_str()
    }

    #[getter]
    fn charset(&self) -> &'static str {
        self.inner.config().charset.as_str()
    }

    #[getter]
    fn gateway(&self) -> &str {
        self.inner.config().gateway.url()
    }

    /// Certificate mode: the SNs of the Alipay certificates the client verifies with, sorted
    /// (empty in public-key mode).
    #[getter]
    fn alipay_cert_sns(&self) -> Vec<String> {
        self.inner.alipay_cert_sns()
    }

    fn __repr__(&self) -> String {
        format!(
            "Client(app_id={:?}, sign_type={:?}, charset={:?}, gateway={:?}, certificate_mode={}, aes={})",
            self.app_id(),
            self.sign_type(),
            self.charset(),
            self.gateway(),
            if self.inner.certificate_mode().is_some() { "True" } else { "False" },
            if self.aes { "True" } else { "False" },
        )
    }

    /// Certificate mode: checks an Alipay certificate chain (PEM: the certificate, then its
    /// intermediates) against the root bundle at `now` (an aware datetime; the host's clock when
    /// `None`) and adds its key. Returns its SN.
    #[pyo3(signature = (pem, now = None))]
    fn add_alipay_certificate(
        &self,
        py: Python<'_>,
        pem: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        guarded(|| {
            let pem = convert::pem_text(pem, "pem")?;
            let now = convert::timestamp(now, "now")?;
            Ok(py.detach(|| self.inner.add_alipay_certificate(&pem, now)).map_err(in_argument("pem"))?)
        })
    }

    /// Certificate mode: takes the answer to `alipay.open.app.alipaycert.download` (the exact
    /// bytes), verifies it, checks the certificate it carries against the root bundle at `now` and
    /// adds its key. Returns its SN.
    #[pyo3(signature = (body, now = None))]
    fn add_downloaded_certificate(
        &self,
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        guarded(|| {
            let mut backing = None;
            let bytes = convert::body_bytes(body, self.inner.config().charset, &mut backing)?;
            let now = convert::timestamp(now, "now")?;
            Ok(py
                .detach(|| self.inner.add_downloaded_certificate(&bytes, now))
                .map_err(during(cert::DOWNLOAD_METHOD))?)
        })
    }

    /// Builds and signs a request for any gateway method. A mapping `biz_content` for one of the
    /// four typed APIs goes through its model (fields checked); a `str` is sent byte for byte.
    #[pyo3(signature = (method, biz_content = None, *, notify_url = None, return_url = None, app_auth_token = None, params = None, version = "1.0", timestamp = None))]
    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        py: Python<'_>,
        method: String,
        biz_content: Option<&Bound<'_, PyAny>>,
        notify_url: Option<String>,
        return_url: Option<String>,
        app_auth_token: Option<String>,
        params: Option<BTreeMap<String, String>>,
        version: &str,
        timestamp: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<SignedRequest> {
        guarded(|| {
            let request = match biz_content.filter(|b| !b.is_none()).map(convert::biz_content).transpose()? {
                None => Request::new(method),
                Some(BizContent::Text(text)) => api::generic_request_text(&method, &text).map_err(CoreError::from)?,
                Some(BizContent::Value(value)) => api::request_for(&method, &value).map_err(CoreError::from)?,
            };
            let named = [("notify_url", notify_url), ("return_url", return_url), ("app_auth_token", app_auth_token)];
            let params =
                named.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v?))).chain(params.unwrap_or_default());
            let request = params.fold(request.version(version), |request, (key, value)| request.param(key, value));
            self.sign(py, &request, timestamp)
        })
    }

    /// Verifies a response body (the exact bytes received, or text) for `method`.
    #[pyo3(signature = (method, body, *, allow_gateway_error = false))]
    fn verify_response(
        &self,
        py: Python<'_>,
        method: &str,
        body: &Bound<'_, PyAny>,
        allow_gateway_error: bool,
    ) -> PyResult<Response> {
        guarded(|| {
            let verified = self.verify(py, method, body)?;
            let verified =
                if allow_gateway_error { verified } else { verified.into_success().map_err(during(method))? };
            Ok(Response { inner: verified })
        })
    }

    /// Verifies an asynchronous notification: the raw form body, or a mapping of decoded fields.
    #[pyo3(signature = (notification, *, charset = None, v2 = false))]
    fn verify_notification(
        &self,
        py: Python<'_>,
        notification: &Bound<'_, PyAny>,
        charset: Option<&str>,
        v2: bool,
    ) -> PyResult<Notification> {
        guarded(|| {
            let default_charset = match charset {
                Some(name) => name.parse().map_err(CoreError::from)?,
                None => self.inner.config().charset,
            };
            let params = convert::notify_params(notification, default_charset)?;
            let verified =
                py.detach(|| if v2 { self.inner.verify_notify_v2(params) } else { self.inner.verify_notify(params) });
            Ok(Notification { inner: verified.map_err(CoreError::from)? })
        })
    }

    /// `alipay.marketing.voucher.send` (发券), with the page's field names as keywords.
    #[pyo3(signature = (*, notify_url = None, app_auth_token = None, timestamp = None, **fields))]
    fn voucher_send(
        &self,
        py: Python<'_>,
        notify_url: Option<String>,
        app_auth_token: Option<String>,
        timestamp: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<SignedRequest> {
        self.typed_request(py, VoucherSend::METHOD, fields, notify_url, app_auth_token, timestamp)
    }

    /// Verifies and reads an answer to `voucher_send`; a gateway error raises `GatewayError`.
    fn parse_voucher_send<'py>(&self, py: Python<'py>, body: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.typed_result::<VoucherSend>(py, body)
    }

    /// `alipay.marketing.voucher.query` (券查询).
    #[pyo3(signature = (*, notify_url = None, app_auth_token = None, timestamp = None, **fields))]
    fn voucher_query(
        &self,
        py: Python<'_>,
        notify_url: Option<String>,
        app_auth_token: Option<String>,
        timestamp: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<SignedRequest> {
        self.typed_request(py, VoucherQuery::METHOD, fields, notify_url, app_auth_token, timestamp)
    }

    /// Verifies and reads an answer to `voucher_query`.
    fn parse_voucher_query<'py>(&self, py: Python<'py>, body: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.typed_result::<VoucherQuery>(py, body)
    }

    /// `alipay.marketing.voucher.stock.use` (外部商户券码券核销).
    #[pyo3(signature = (*, notify_url = None, app_auth_token = None, timestamp = None, **fields))]
    fn voucher_stock_use(
        &self,
        py: Python<'_>,
        notify_url: Option<String>,
        app_auth_token: Option<String>,
        timestamp: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<SignedRequest> {
        self.typed_request(py, VoucherStockUse::METHOD, fields, notify_url, app_auth_token, timestamp)
    }

    /// Verifies and reads an answer to `voucher_stock_use`.
    fn parse_voucher_stock_use<'py>(&self, py: Python<'py>, body: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.typed_result::<VoucherStockUse>(py, body)
    }

    /// `koubei.trade.ticket.ticketcode.sync` (口碑凭证码同步).
    #[pyo3(signature = (*, notify_url = None, app_auth_token = None, timestamp = None, **fields))]
    fn ticket_code_sync(
        &self,
        py: Python<'_>,
        notify_url: Option<String>,
        app_auth_token: Option<String>,
        timestamp: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<SignedRequest> {
        self.typed_request(py, TicketCodeSync::METHOD, fields, notify_url, app_auth_token, timestamp)
    }

    /// Verifies and reads an answer to `ticket_code_sync`.
    fn parse_ticket_code_sync<'py>(&self, py: Python<'py>, body: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.typed_result::<TicketCodeSync>(py, body)
    }
}

impl Client {
    fn sign(&self, py: Python<'_>, request: &Request, timestamp: Option<&Bound<'_, PyAny>>) -> PyResult<SignedRequest> {
        let timestamp = convert::timestamp(timestamp, "timestamp")?;
        let signed = py.detach(|| self.inner.sign(request, timestamp)).map_err(during(request.method()))?;
        SignedRequest::new(py, signed)
    }

    fn verify(&self, py: Python<'_>, method: &str, body: &Bound<'_, PyAny>) -> PyResult<core::VerifiedResponse> {
        let mut backing = None;
        let bytes = convert::body_bytes(body, self.inner.config().charset, &mut backing)?;
        Ok(py.detach(|| self.inner.verify_response(method, &bytes)).map_err(during(method))?)
    }

    /// Keyword arguments are the `biz_content` of `method`: they go through its model.
    fn typed_request(
        &self,
        py: Python<'_>,
        method: &str,
        fields: Option<&Bound<'_, PyDict>>,
        notify_url: Option<String>,
        app_auth_token: Option<String>,
        timestamp: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<SignedRequest> {
        let fields = fields.cloned().unwrap_or_else(|| PyDict::new(py));
        self.request(
            py,
            method.to_owned(),
            Some(fields.as_any()),
            notify_url,
            None,
            app_auth_token,
            None,
            "1.0",
            timestamp,
        )
    }

    fn typed_result<'py, T: ApiCall>(&self, py: Python<'py>, body: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>
    where
        T::Output: ToPython,
    {
        guarded(|| {
            let result = T::parse(self.verify(py, T::METHOD, body)?).map_err(during(T::METHOD))?;
            result.to_python(py)
        })
    }
}

/// A signed request, ready to POST as is: `url`, `method`, `headers`, `body`.
#[pyclass(frozen, module = "alipay_openapi")]
struct SignedRequest {
    inner: core::SignedRequest,
    body: Py<PyBytes>,
}

impl SignedRequest {
    fn new(py: Python<'_>, inner: core::SignedRequest) -> PyResult<Self> {
        let body = PyBytes::new(py, inner.body()).unbind();
        Ok(SignedRequest { inner, body })
    }
}

#[pymethods]
impl SignedRequest {
    #[getter]
    fn url(&self) -> &str {
        self.inner.url()
    }

    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method()
    }

    /// A new dict each time, so the request itself stays unchanged.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        convert::str_dict(py, self.inner.headers().iter().map(|(k, v)| (k, v)))
    }

    #[getter]
    fn body(&self, py: Python<'_>) -> Py<PyBytes> {
        self.body.clone_ref(py)
    }

    #[getter]
    fn signature(&self) -> &str {
        self.inner.signature()
    }

    #[getter]
    fn sign_content(&self) -> &str {
        self.inner.sign_content()
    }

    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        convert::str_dict(py, self.inner.params())
    }

    fn __repr__(&self) -> String {
        format!("SignedRequest(method='POST', url={:?}, body=<{} bytes>)", self.inner.url(), self.inner.body().len())
    }
}

/// A response whose signature was verified over the exact bytes of its node.
#[pyclass(frozen, module = "alipay_openapi")]
struct Response {
    inner: core::VerifiedResponse,
}

#[pymethods]
impl Response {
    #[getter]
    fn node_key(&self) -> &str {
        self.inner.node_key()
    }

    #[getter]
    fn node_text(&self) -> &str {
        self.inner.node_text()
    }

    /// The node as Python values (a new dict each time; decimals as `Decimal`).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::json_loads(py, self.inner.node_text())
    }

    #[getter]
    fn code(&self) -> &str {
        self.inner.code()
    }

    #[getter]
    fn msg(&self) -> &str {
        self.inner.msg()
    }

    #[getter]
    fn sub_code(&self) -> Option<&str> {
        self.inner.sub_code()
    }

    #[getter]
    fn sub_msg(&self) -> Option<&str> {
        self.inner.sub_msg()
    }

    #[getter]
    fn alipay_cert_sn(&self) -> Option<&str> {
        self.inner.alipay_cert_sn()
    }

    #[getter]
    fn is_success(&self) -> bool {
        self.inner.is_success()
    }

    fn __repr__(&self) -> String {
        format!("Response(node_key={:?}, code={:?}, msg={:?})", self.node_key(), self.code(), self.msg())
    }
}

/// A verified asynchronous notification: its fields, decoded once.
#[pyclass(frozen, module = "alipay_openapi")]
struct Notification {
    inner: core::Notification,
}

#[pymethods]
impl Notification {
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        convert::str_dict(py, self.inner.fields())
    }

    #[pyo3(signature = (key, default = None))]
    fn get(&self, key: &str, default: Option<String>) -> Option<String> {
        self.inner.get(key).map(str::to_owned).or(default)
    }

    fn __getitem__(&self, key: &str) -> PyResult<String> {
        self.inner.get(key).map(str::to_owned).ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(key.to_owned()))
    }

    fn __contains__(&self, key: &str) -> bool {
        self.inner.get(key).is_some()
    }

    fn __repr__(&self) -> String {
        let get = |k| self.inner.get(k).unwrap_or("");
        format!("Notification(notify_type={:?}, notify_id={:?})", get("notify_type"), get("notify_id"))
    }
}

/// The SN of the first certificate in `pem` (`app_cert_sn` of an app certificate, or the SN of an
/// Alipay certificate).
#[pyfunction]
fn cert_sn(pem: &Bound<'_, PyAny>) -> PyResult<String> {
    guarded(|| Ok(cert::cert_sn(&convert::pem_text(pem, "pem")?).map_err(in_argument("pem"))?))
}

/// `alipay_root_cert_sn` of a root bundle: the SNs of its RSA-signed certificates, joined by `_`.
#[pyfunction]
fn root_cert_sn(pem: &Bound<'_, PyAny>) -> PyResult<String> {
    guarded(|| Ok(cert::root_cert_sn(&convert::pem_text(pem, "pem")?).map_err(in_argument("pem"))?))
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
    module.add_class::<Response>()?;
    module.add_class::<Notification>()?;
    module.add("PRODUCTION_GATEWAY", PRODUCTION_GATEWAY)?;
    module.add("SANDBOX_GATEWAY", SANDBOX_GATEWAY)?;
    Ok(())
}
