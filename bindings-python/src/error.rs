//! Core errors become the exceptions of `alipay_openapi/errors.py`, built from the core's
//! [`ErrorDetails`] (the class is picked there, by code), and a Rust panic becomes `InternalError`
//! (code `internal_panic`) instead of pyo3's `PanicException`, a `BaseException` that
//! `except Exception` does not catch.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use alipay_openapi::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

/// `.or_raise()?` on a core result: the error as its Python exception.
pub(crate) trait OrRaise<T> {
    /// The error's details without a method.
    fn or_raise(self) -> PyResult<T>;
    /// The error's details for a call of `method`: a gateway error then says whether a retry is safe.
    fn or_raise_during(self, method: &str) -> PyResult<T>;
}

impl<T> OrRaise<T> for alipay_openapi::Result<T> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(|error| raise(&error, None))
    }

    fn or_raise_during(self, method: &str) -> PyResult<T> {
        self.map_err(|error| raise(&error, Some(method)))
    }
}

/// The exception for `error`: `errors._from_details` picks the class from the code.
pub(crate) fn raise(error: &Error, method: Option<&str>) -> PyErr {
    exception(serde_json::to_value(error.details(method)))
}

/// `invalid_field` for a Python value the core cannot be given (no JSON form, out of range).
pub(crate) fn invalid_field(field: &str, rule: impl Into<String>) -> PyErr {
    raise(&Error::InvalidField { field: field.to_owned(), rule: rule.into() }, None)
}

fn exception(details: serde_json::Result<serde_json::Value>) -> PyErr {
    Python::attach(|py| {
        let built = || -> PyResult<PyErr> {
            let details = details.map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            let instance = errors_module(py)?.getattr("_from_details")?.call1((details.to_string(),))?;
            Ok(PyErr::from_value(instance))
        };
        // If the errors module cannot be imported, that import failure is the more useful exception.
        built().unwrap_or_else(|failure| failure)
    })
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
    exception(Ok(serde_json::json!({ "code": "internal_panic", "message": message })))
}

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    Ok(ERRORS.get_or_try_init(py, || py.import("alipay_openapi.errors").map(Bound::unbind))?.bind(py))
}
