//! The one place where core errors become JavaScript errors.
//!
//! JavaScript always receives a real `Error` (so `instanceof Error` holds and stacks are kept) named
//! `AlipayError`, whose `code` is the core's stable [`Error::code`]. The fields that make an error
//! actionable are copied as properties: `field` and `rule`, `charset`, and for gateway answers
//! `gatewayCode`, `gatewayMsg`, `subCode` and `subMsg`. Messages never contain key material: the
//! core's messages do not, and nothing is added here.

use alipay_openapi::Error;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// What every exported function returns.
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// Turns a core error into an `AlipayError`.
pub(crate) fn convert_error(err: Error) -> JsValue {
    convert(err, None)
}

/// Like [`convert_error`], for an answer to `method`: a gateway error also gets `retryable`,
/// `description` and `action` from the core's error catalog.
pub(crate) fn convert_error_for(err: Error, method: &str) -> JsValue {
    convert(err, Some(method))
}

fn convert(err: Error, method: Option<&str>) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    js.set_name("AlipayError");
    let set = |key: &str, value: &str| {
        // Setting a property on a fresh, unfrozen Error cannot fail.
        let _ = Reflect::set(&js, &JsValue::from_str(key), &JsValue::from_str(value));
    };
    set("code", err.code());
    match &err {
        Error::InvalidField { field, rule } => {
            set("field", field);
            set("rule", rule);
        }
        Error::Unencodable { field, charset } | Error::Undecodable { field, charset } => {
            set("field", field);
            set("charset", charset);
        }
        Error::UnknownCertSn(sn) => set("alipayCertSn", sn),
        _ => {}
    }
    if let Some(gateway) = err.gateway() {
        set("gatewayCode", &gateway.code);
        set("gatewayMsg", &gateway.msg);
        if let Some(sub_code) = &gateway.sub_code {
            set("subCode", sub_code);
        }
        if let Some(sub_msg) = &gateway.sub_msg {
            set("subMsg", sub_msg);
        }
        if let Some(method) = method {
            let info = gateway.describe(method);
            let _ = Reflect::set(&js, &JsValue::from_str("retryable"), &JsValue::from_bool(info.retryable()));
            set("description", info.entry.description);
            set("action", info.entry.action);
        }
    }
    js.into()
}

/// An input that broke a rule of this binding (a wrong type, an unknown option).
pub(crate) fn invalid_field(field: impl Into<String>, rule: impl Into<String>) -> Error {
    Error::InvalidField { field: field.into(), rule: rule.into() }
}

/// `Result<T, core::Error>` into `Result<T, JsValue>`.
pub(crate) trait IntoJs<T> {
    fn js(self) -> JsResult<T>;
    fn js_for(self, method: &str) -> JsResult<T>;
}

impl<T> IntoJs<T> for Result<T, Error> {
    fn js(self) -> JsResult<T> {
        self.map_err(convert_error)
    }

    fn js_for(self, method: &str) -> JsResult<T> {
        self.map_err(|err| convert_error_for(err, method))
    }
}
