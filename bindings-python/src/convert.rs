//! Python values as the core's values: options and fields as JSON, bodies as bytes, instants as
//! timestamps. No protocol rule here: the core checks what the values mean.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use alipay_openapi::{Charset, Error, Timestamp};
use base64::Engine;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyMapping, PyMemoryView, PyString, PyTuple, PyType,
};
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{invalid_field, raise, OrRaise};

/// Nesting deeper than this is refused (it also stops self-referencing containers).
const MAX_DEPTH: usize = 32;

/// The options that hold keys or certificates: `bytes` are accepted for them (PEM, or DER sent on
/// as base64 text, which the core reads).
const KEY_OPTIONS: [&str; 5] = ["private_key", "alipay_public_key", "app_cert", "alipay_cert", "alipay_root_cert"];

/// The text of a Python `str`; one holding a lone surrogate is the core's `unencodable_text` for `field`.
pub(crate) fn text(obj: &Bound<'_, PyString>, field: &str) -> PyResult<String> {
    match obj.to_cow() {
        Ok(text) => Ok(text.into_owned()),
        Err(_) => Err(raise(&Error::lone_surrogate(field), None)),
    }
}

/// The bytes of any bytes-like object (`bytes`, `bytearray`, `memoryview`, `array`, `mmap`, …).
fn bytes_like<'a>(obj: &'a Bound<'_, PyAny>) -> Option<Cow<'a, [u8]>> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Some(Cow::Borrowed(bytes.as_bytes()));
    }
    let view = PyMemoryView::from(obj).ok()?;
    let copy = view.call_method0("tobytes").ok()?;
    copy.cast::<PyBytes>().ok().map(|bytes| Cow::Owned(bytes.as_bytes().to_vec()))
}

/// A key or certificate: `str`, or bytes-like (UTF-8 text such as PEM, else DER as base64 text).
/// `None` when it is neither.
pub(crate) fn key_text(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Option<Zeroizing<String>>> {
    if let Ok(text_obj) = obj.cast::<PyString>() {
        return text(text_obj, field).map(|text| Some(Zeroizing::new(text)));
    }
    let Some(bytes) = bytes_like(obj) else { return Ok(None) };
    let bytes = Zeroizing::new(bytes.into_owned());
    Ok(Some(Zeroizing::new(match std::str::from_utf8(&bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => base64::engine::general_purpose::STANDARD.encode(&*bytes),
    })))
}

/// Keyword arguments as a JSON object of options, each value named by its option.
pub(crate) fn options(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Map<String, Value>> {
    let mut object = Map::new();
    for (name, value) in kwargs.into_iter().flatten() {
        let name = text(name.cast::<PyString>()?, "options")?;
        let value = match name.as_str() {
            "timestamp" => timestamp_option(&value)?,
            "files" => files_option(&value)?,
            key if KEY_OPTIONS.contains(&key) => match key_text(&value, key)? {
                Some(text) => Value::String(text.to_string()),
                None => json(&value, key)?,
            },
            _ => json(&value, &name)?,
        };
        object.insert(name, value);
    }
    Ok(object)
}

/// An upload's `files` (v2 or v3): each a mapping whose `content` may be bytes-like, passed on as the
/// base64 text the core takes; everything else as JSON.
fn files_option(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if !(obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>()) {
        return json(obj, "files");
    }
    let files = obj.try_iter()?.enumerate().map(|(i, file)| {
        let file = file?;
        let Ok(mapping) = file.cast::<PyMapping>() else { return json(&file, &format!("files[{i}]")) };
        let mut members = Map::new();
        for item in mapping.items()?.iter() {
            let (key, value): (String, Bound<'_, PyAny>) = item.extract()?;
            let content = (key == "content").then(|| bytes_like(&value)).flatten();
            let value = match content {
                Some(bytes) => Value::String(base64::engine::general_purpose::STANDARD.encode(&*bytes)),
                None => json(&value, &format!("files.{key}"))?,
            };
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    });
    files.collect::<PyResult<_>>().map(Value::Array)
}

/// Wipes the key material of an options object once the core has read it.
pub(crate) fn wipe(options: &mut Map<String, Value>) {
    for value in options.values_mut() {
        if let Value::String(text) = value {
            text.zeroize();
        }
    }
}

/// `timestamp`: an aware `datetime` as milliseconds since the epoch; `None` is absent (the host's
/// clock then gives it); anything else as it is, for the core to read.
fn timestamp_option(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_instance_of::<PyDateTime>() {
        return Ok(Value::from(epoch_millis(obj, "timestamp")?));
    }
    json(obj, "timestamp")
}

/// A Python value as JSON; `path` names it in errors (`biz_content.items[0].n`; the fields of a
/// typed call have the empty path, so they are named alone). `Decimal` becomes a JSON string of its
/// exact digits, an aware `datetime` Beijing time `yyyy-MM-dd HH:mm:ss`.
pub(crate) fn json(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    json_at(obj, path, 0)
}

fn json_at(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> PyResult<Value> {
    let field = if path.is_empty() { "biz_content" } else { path };
    if depth > MAX_DEPTH {
        return Err(invalid_field(field, format!("nests deeper than {MAX_DEPTH} levels")));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(flag) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        let number = obj.extract::<i64>().map(Value::from).or_else(|_| obj.extract::<u64>().map(Value::from));
        return number.map_err(|_| invalid_field(field, "is an integer outside the 64-bit range; pass it as a str"));
    }
    if let Ok(text_obj) = obj.cast::<PyString>() {
        return text(text_obj, field).map(Value::String);
    }
    if let Ok(float) = obj.cast::<PyFloat>() {
        let number = serde_json::Number::from_f64(float.value());
        return number.map(Value::Number).ok_or_else(|| invalid_field(field, "must be a finite number"));
    }
    if obj.is_instance(decimal_type(obj.py())?)? {
        if !obj.call_method0("is_finite")?.is_truthy()? {
            return Err(invalid_field(field, "must be a finite decimal"));
        }
        return Ok(Value::String(obj.str()?.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyDateTime>() {
        return Ok(Value::String(instant(obj, field)?.to_string()));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj.try_iter()?.enumerate();
        let items = items.map(|(i, item)| json_at(&item?, &format!("{field}[{i}]"), depth + 1));
        return items.collect::<PyResult<_>>().map(Value::Array);
    }
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let mut object = Map::new();
        for item in mapping.items()?.iter() {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let Ok(key) = key.cast::<PyString>() else {
                return Err(invalid_field(field, "has a key that is not a str"));
            };
            let key = text(key, field)?;
            let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            object.insert(key, json_at(&value, &path, depth + 1)?);
        }
        return Ok(Value::Object(object));
    }
    let type_name = obj.get_type().name()?;
    Err(invalid_field(field, format!("has a value of type {type_name}, which has no JSON form")))
}

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    DECIMAL.import(py, "decimal", "Decimal")
}

/// The host's clock.
/// The host's verdicts on a certificate chain: one `bool` per check (text is not a sequence here).
pub(crate) fn verdicts(obj: &Bound<'_, PyAny>) -> PyResult<Vec<bool>> {
    let rule = || invalid_field("verified", "must be a sequence of booleans, one for each check");
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(rule());
    }
    let verdict = |item: PyResult<Bound<'_, PyAny>>| match item {
        Ok(item) if item.is_instance_of::<PyBool>() => Ok(item.is_truthy()?),
        _ => Err(rule()),
    };
    obj.try_iter().map_err(|_| rule())?.map(verdict).collect()
}

pub(crate) fn now() -> Timestamp {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_unix_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

/// The host's clock, in milliseconds since the epoch.
pub(crate) fn now_millis() -> u64 {
    u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()).unwrap_or(u64::MAX)
}

/// 128 random bits as 32 hex digits, from Python's `uuid` (the OS's randomness): a v3 nonce or
/// request id the caller did not give.
pub(crate) fn fresh_id(py: Python<'_>) -> PyResult<String> {
    py.import("uuid")?.call_method0("uuid4")?.getattr("hex")?.extract()
}

/// An HTTP status as the core takes it: an `int` that is not a 16-bit one (or anything else)
/// becomes 0, which the core refuses naming `status`.
pub(crate) fn status(obj: &Bound<'_, PyAny>) -> u16 {
    if obj.is_instance_of::<PyBool>() {
        return 0;
    }
    obj.extract::<u16>().unwrap_or(0)
}

/// Response headers: a mapping (its `items()`, e.g. `http.client.HTTPMessage`, `httpx.Headers`,
/// `requests`' headers) or an iterable of `(name, value)` pairs.
pub(crate) fn header_pairs(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let items = if obj.hasattr("items")? { obj.call_method0("items")? } else { obj.clone() };
    let rule = "must be a mapping of str or an iterable of (name, value) pairs of str";
    items
        .try_iter()
        .map_err(|_| invalid_field("headers", rule))?
        .map(|item| match item?.extract::<Vec<String>>().map(<[String; 2]>::try_from) {
            Ok(Ok([name, value])) => Ok((name, value)),
            _ => Err(invalid_field("headers", rule)),
        })
        .collect()
}

/// An instant given as the argument `field`: an aware `datetime`, or the host's clock when `None`.
pub(crate) fn instant_or_now(obj: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Timestamp> {
    obj.filter(|obj| !obj.is_none()).map_or_else(|| Ok(now()), |obj| instant(obj, field))
}

fn instant(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Timestamp> {
    epoch_millis(obj, field).map(Timestamp::from_unix_millis)
}

/// An aware `datetime` as whole milliseconds since the epoch.
fn epoch_millis(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<i64> {
    if !obj.is_instance_of::<PyDateTime>() {
        return Err(PyTypeError::new_err(format!("`{field}` must be a datetime")));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(invalid_field(field, "must be a timezone-aware datetime (a naive one has no defined instant)"));
    }
    let secs: f64 = obj.call_method0("timestamp")?.extract()?;
    Ok((secs * 1000.0).floor() as i64)
}

/// A body: the raw bytes as received (any bytes-like object), or a `str` encoded in `charset`.
pub(crate) fn body<'a>(obj: &'a Bound<'_, PyAny>, charset: Charset, field: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(text_obj) = obj.cast::<PyString>() {
        let text = text(text_obj, field)?;
        return Ok(Cow::Owned(charset.encode(field, &text).or_raise()?.into_owned()));
    }
    bytes_like(obj).ok_or_else(|| PyTypeError::new_err(format!("`{field}` must be a bytes-like object or str")))
}
