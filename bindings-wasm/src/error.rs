//! The one place where core errors become JavaScript errors.
//!
//! JavaScript always receives a real `Error` (so `instanceof Error` holds and stacks are kept) named
//! `AlipayError`, carrying the core's [`ErrorDetails`](alipay_openapi::ErrorDetails) as properties
//! in camelCase (`code`, `field`, `rule`, `gatewayCode`, `gatewayMsg`, `subCode`, `subMsg`,
//! `verified`, `retryable`, …); a detail that does not apply is absent.

use alipay_openapi::Error;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::convert::camel_case;

/// What every exported function returns.
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// Turns a core error into an `AlipayError`; with the called `method`, a gateway error also says
/// whether a retry is safe and what to do.
pub(crate) fn convert(err: &Error, method: Option<&str>) -> JsValue {
    let details = err.details(method);
    let js = js_sys::Error::new(&details.message);
    js.set_name("AlipayError");
    if let Ok(serde_json::Value::Object(members)) = serde_json::to_value(&details) {
        for (name, value) in members.into_iter().filter(|(name, _)| name != "message") {
            let value = match value {
                serde_json::Value::String(text) => JsValue::from_str(&text),
                serde_json::Value::Bool(flag) => JsValue::from_bool(flag),
                serde_json::Value::Number(number) => JsValue::from_f64(number.as_f64().unwrap_or_default()),
                _ => continue,
            };
            // Setting a property on a fresh, unfrozen Error cannot fail.
            let _ = Reflect::set(&js, &JsValue::from_str(&camel_case(&name)), &value);
        }
    }
    js.into()
}

/// `Result<T, core::Error>` into `Result<T, JsValue>`.
pub(crate) trait IntoJs<T> {
    fn js(self) -> JsResult<T>;
    fn js_for(self, method: &str) -> JsResult<T>;
}

impl<T> IntoJs<T> for Result<T, Error> {
    fn js(self) -> JsResult<T> {
        self.map_err(|err| convert(&err, None))
    }

    fn js_for(self, method: &str) -> JsResult<T> {
        self.map_err(|err| convert(&err, Some(method)))
    }
}
