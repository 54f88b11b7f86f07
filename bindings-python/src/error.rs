//! Core errors become instances of the Python classes in `alipay_openapi/errors.py`, and a Rust
//! panic becomes `InternalError` (code `internal_panic`) instead of pyo3's `PanicException`, which
//! is a `BaseException` that `except Exception` does not catch.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use alipay_openapi::{Error, GatewayError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

/// A core error on its way to Python: `?` turns it into the matching exception. The gateway
/// method, when known, tells the error catalog which business codes apply; `argument`, when the
/// error is about an argument the caller gave (a key, a certificate), makes it a `ValidationError`
/// naming that argument.
#[derive(Debug)]
pub(crate) struct CoreError {
    error: Error,
    method: Option<String>,
    argument: Option<&'static str>,
}

impl From<Error> for CoreError {
    fn from(error: Error) -> Self {
        CoreError { error, method: None, argument: None }
    }
}

impl From<CoreError> for PyErr {
    fn from(error: CoreError) -> Self {
        Python::attach(|py| to_py_err(py, &error))
    }
}

/// Attaches the called method to an error, for `.map_err(during(method))`.
pub(crate) fn during(method: &str) -> impl Fn(Error) -> CoreError + '_ {
    move |error| CoreError { error, method: Some(method.to_owned()), argument: None }
}

/// Marks an error as caused by the argument `name`, for `.map_err(in_argument(name))`.
pub(crate) fn in_argument(name: &'static str) -> impl Fn(Error) -> CoreError {
    move |error| CoreError { error, method: None, argument: Some(name) }
}

/// Runs the body of a Python-facing function; a panic in it becomes `InternalError`.
pub(crate) fn guarded<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| Err(internal_panic(payload.as_ref())))
}

fn internal_panic(payload: &(dyn Any + Send)) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    let message = format!("internal error in alipay_openapi (a bug, please report it): {what}; clients stay usable");
    Python::attach(|py| {
        let raised = || -> PyResult<PyErr> {
            let kwargs = PyDict::new(py);
            kwargs.set_item("code", "internal_panic")?;
            Ok(PyErr::from_value(errors_module(py)?.getattr("InternalError")?.call((message,), Some(&kwargs))?))
        };
        raised().unwrap_or_else(|import_failure| import_failure)
    })
}

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    Ok(ERRORS.get_or_try_init(py, || py.import("alipay_openapi.errors").map(Bound::unbind))?.bind(py))
}

/// Shorthand for an `invalid_field` error raised while converting a Python argument.
pub(crate) fn invalid_field(field: &str, rule: impl Into<String>) -> PyErr {
    CoreError::from(Error::InvalidField { field: field.to_owned(), rule: rule.into() }).into()
}

fn to_py_err(py: Python<'_>, error: &CoreError) -> PyErr {
    // If the errors module cannot be imported, that import failure is the more useful exception.
    exception(py, error).unwrap_or_else(|import_failure| import_failure)
}

fn exception(py: Python<'_>, CoreError { error, method, argument }: &CoreError) -> PyResult<PyErr> {
    let module = errors_module(py)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", error.code())?;
    let class = match error {
        Error::InvalidField { field, .. } | Error::Unencodable { field, .. } => {
            kwargs.set_item("field", field)?;
            "ValidationError"
        }
        _ if argument.is_some() => {
            kwargs.set_item("field", argument)?;
            "ValidationError"
        }
        Error::UnknownCertSn(sn) => {
            kwargs.set_item("alipay_cert_sn", sn)?;
            "UnknownCertSnError"
        }
        Error::InvalidKey { .. }
        | Error::UnsupportedKeySize { .. }
        | Error::UnsupportedCharset(_)
        | Error::UnsupportedSignType(_) => "ValidationError",
        Error::Gateway(gateway) => {
            set_gateway_fields(&kwargs, gateway, method.as_deref(), true)?;
            "GatewayError"
        }
        Error::UnsignedGatewayError(gateway) => {
            set_gateway_fields(&kwargs, gateway, method.as_deref(), false)?;
            "UnsignedGatewayError"
        }
        Error::SigningFailed(_)
        | Error::MalformedResponse(_)
        | Error::ResponseNodeMissing { .. }
        | Error::DuplicateMember(_)
        | Error::MissingSignature
        | Error::SignatureEncoding
        | Error::SignatureMismatch
        | Error::Undecodable { .. }
        | Error::MalformedNotification(_)
        | Error::InvalidCertificate(_)
        | Error::Aes(_) => "SignatureError",
        _ => "AlipayError",
    };
    let instance = module.getattr(class)?.call((error.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

fn set_gateway_fields(
    kwargs: &Bound<'_, PyDict>,
    gateway: &GatewayError,
    method: Option<&str>,
    verified: bool,
) -> PyResult<()> {
    kwargs.set_item("gateway_code", &gateway.code)?;
    kwargs.set_item("msg", &gateway.msg)?;
    kwargs.set_item("sub_code", &gateway.sub_code)?;
    kwargs.set_item("sub_msg", &gateway.sub_msg)?;
    kwargs.set_item("retryable", gateway.retryable(method.unwrap_or_default()))?;
    kwargs.set_item("verified", verified)
}
