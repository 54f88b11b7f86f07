//! Conversions between Python values and the core's inputs and outputs. No protocol logic here.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use alipay_openapi::api::{
    Amount, BillDetail, BillStatus, BillType, TicketCodeSyncResult, VoucherQueryResult, VoucherSendResult,
    VoucherStatus, VoucherStockUseResult,
};
use alipay_openapi::keys::role::Role;
use alipay_openapi::{
    cert, AesKey, AlipayCertificate, BeijingDateTime, CertificateMode, Charset, NotifyParams, PrivateKey, PublicKey,
    Timestamp,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDateTime, PyDelta, PyDict, PyFloat, PyInt, PyList, PyMapping, PyModule, PyString, PyTuple,
    PyType, PyTzInfo,
};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{in_argument, invalid_field, CoreError};

/// Nesting deeper than this is refused (it also stops self-referencing containers).
const MAX_DEPTH: usize = 32;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// A key given as PEM or bare base64 text (`str` or `bytes`), or as DER `bytes`; our copy is
/// wiped when dropped.
enum KeyMaterial {
    Text(Zeroizing<String>),
    Der(Zeroizing<Vec<u8>>),
}

fn key_material(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<KeyMaterial> {
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(KeyMaterial::Text(Zeroizing::new(text.to_cow()?.into_owned())));
    }
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(match std::str::from_utf8(bytes.as_bytes()) {
            Ok(text) => KeyMaterial::Text(Zeroizing::new(text.to_owned())),
            Err(_) => KeyMaterial::Der(Zeroizing::new(bytes.as_bytes().to_vec())),
        });
    }
    Err(PyTypeError::new_err(format!("`{field}` must be str (PEM or base64) or bytes (PEM or DER)")))
}

pub(crate) fn private_key<R: Role>(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    field: &'static str,
) -> PyResult<PrivateKey<R>> {
    let material = key_material(obj, field)?;
    let parsed = py.detach(|| match &material {
        KeyMaterial::Text(text) => PrivateKey::parse(text),
        KeyMaterial::Der(der) => PrivateKey::from_der(der),
    });
    Ok(parsed.map_err(in_argument(field))?)
}

pub(crate) fn public_key<R: Role>(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<PublicKey<R>> {
    let parsed = match key_material(obj, field)? {
        KeyMaterial::Text(text) => PublicKey::parse(&text),
        KeyMaterial::Der(der) => PublicKey::from_der(&der),
    };
    Ok(parsed.map_err(in_argument(field))?)
}

/// A certificate (or chain, or root bundle) as PEM text, `str` or `bytes`.
pub(crate) fn pem_text(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<String> {
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(text.to_cow()?.into_owned());
    }
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return match std::str::from_utf8(bytes.as_bytes()) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(in_argument(field)(alipay_openapi::Error::InvalidCertificate(format!(
                "`{field}` is not PEM text (a DER certificate converts with `openssl x509 -inform der`)"
            )))
            .into()),
        };
    }
    Err(PyTypeError::new_err(format!("`{field}` must be str or bytes (PEM)")))
}

/// Certificate mode from the three PEM files, all given or none (`None`). Each file is read on its
/// own first, so that an error names the argument at fault.
pub(crate) fn certificate_mode(
    app_cert: Option<&Bound<'_, PyAny>>,
    alipay_cert: Option<&Bound<'_, PyAny>>,
    alipay_root_cert: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<CertificateMode>> {
    let (app, alipay, root) = match (app_cert, alipay_cert, alipay_root_cert) {
        (None, None, None) => return Ok(None),
        (Some(app), Some(alipay), Some(root)) => {
            (pem_text(app, "app_cert")?, pem_text(alipay, "alipay_cert")?, pem_text(root, "alipay_root_cert")?)
        }
        (app, alipay, _) => {
            let missing = match (app, alipay) {
                (None, _) => "app_cert",
                (_, None) => "alipay_cert",
                _ => "alipay_root_cert",
            };
            return Err(invalid_field(
                missing,
                "is required in certificate mode: give app_cert, alipay_cert and alipay_root_cert together",
            ));
        }
    };
    cert::cert_sn(&app).map_err(in_argument("app_cert"))?;
    AlipayCertificate::from_pem(&alipay).map_err(in_argument("alipay_cert"))?;
    cert::root_cert_sn(&root).map_err(in_argument("alipay_root_cert"))?;
    Ok(Some(CertificateMode::from_pem(&app, &alipay, &root).map_err(in_argument("alipay_root_cert"))?))
}

/// The AES content-encryption key as the console shows it: base64 text (never bytes, which would be
/// ambiguous between raw key bytes and base64 text).
pub(crate) fn aes_key(obj: &Bound<'_, PyAny>) -> PyResult<AesKey> {
    let Ok(text) = obj.cast::<PyString>() else {
        return Err(PyTypeError::new_err("`aes_key` must be str (the key in base64, as the console shows it)"));
    };
    let text = Zeroizing::new(text.to_cow()?.into_owned());
    Ok(AesKey::from_base64(&text).map_err(in_argument("aes_key"))?)
}

/// `biz_content` as given: JSON text to send byte for byte, or a mapping to serialize once.
pub(crate) enum BizContent {
    Text(String),
    Value(Value),
}

pub(crate) fn biz_content(obj: &Bound<'_, PyAny>) -> PyResult<BizContent> {
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(BizContent::Text(text.to_cow()?.into_owned()));
    }
    if !obj.is_instance_of::<PyMapping>() {
        return Err(PyTypeError::new_err("`biz_content` must be a str of JSON or a mapping"));
    }
    json_value(obj, "", 0).map(BizContent::Value)
}

/// A Python value as JSON; `field` is its path inside `biz_content` (empty at the top), for
/// errors, which name fields as the core's models do (`amount`, `items[0].n`). Money is never a float: `Decimal` becomes a JSON string of its exact
/// digits, and `float` is refused. An aware `datetime` becomes `yyyy-MM-dd HH:mm:ss` in Beijing time.
fn json_value(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> PyResult<Value> {
    let field = if path.is_empty() { "biz_content" } else { path };
    if depth > MAX_DEPTH {
        return Err(invalid_field(field, format!("nests deeper than {MAX_DEPTH} levels")));
    }
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(Value::from(n));
        }
        if let Ok(n) = obj.extract::<u64>() {
            return Ok(Value::from(n));
        }
        return Err(invalid_field(field, "is an integer outside the 64-bit range; pass it as a str"));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(Value::String(text.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Err(invalid_field(
            field,
            "is a float; pass amounts as decimal.Decimal or str (money is never a float)",
        ));
    }
    if obj.is_instance(decimal_type(py)?)? {
        if !obj.call_method0("is_finite")?.is_truthy()? {
            return Err(invalid_field(field, "must be a finite decimal"));
        }
        return Ok(Value::String(obj.str()?.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyDateTime>() {
        return Ok(Value::String(timestamp_of(obj, field)?.to_string()));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj
            .try_iter()?
            .enumerate()
            .map(|(i, item)| json_value(&item?, &format!("{field}[{i}]"), depth + 1))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(Value::Array(items));
    }
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let mut object = serde_json::Map::new();
        for item in mapping.items()?.iter() {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let Ok(key) = key.cast::<PyString>() else {
                return Err(invalid_field(field, "has a key that is not a str"));
            };
            let key = key.to_cow()?.into_owned();
            let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            let value = json_value(&value, &path, depth + 1)?;
            object.insert(key, value);
        }
        return Ok(Value::Object(object));
    }
    let type_name = obj.get_type().name()?;
    Err(invalid_field(field, format!("has a value of type {type_name}, which has no JSON form")))
}

/// An instant given as the argument `field`: an aware `datetime`, or the host's clock when `None`.
pub(crate) fn timestamp(obj: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Timestamp> {
    match obj {
        Some(obj) if !obj.is_none() => timestamp_of(obj, field),
        _ => {
            let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
            Ok(Timestamp::from_unix_secs(i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX)))
        }
    }
}

fn timestamp_of(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Timestamp> {
    if !obj.is_instance_of::<PyDateTime>() {
        return Err(PyTypeError::new_err(format!("`{field}` must be a datetime")));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(invalid_field(field, "must be a timezone-aware datetime (a naive one has no defined instant)"));
    }
    let secs: f64 = obj.call_method0("timestamp")?.extract()?;
    // Whole seconds, rounded down (the gateway's timestamp has no fraction).
    Ok(Timestamp::from_unix_secs(secs.floor() as i64))
}

/// A response body: the raw `bytes` as received, or a `str` (encoded in the client's charset).
pub(crate) fn body_bytes<'a>(
    obj: &'a Bound<'_, PyAny>,
    charset: Charset,
    backing: &'a mut Option<PyBackedBytes>,
) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text.to_cow()?;
        return Ok(Cow::Owned(charset.encode("response body", &text).map_err(CoreError::from)?.into_owned()));
    }
    match obj.extract::<PyBackedBytes>() {
        Ok(bytes) => Ok(Cow::Borrowed(&**backing.insert(bytes))),
        Err(_) => Err(PyTypeError::new_err("`body` must be bytes or str (the response body)")),
    }
}

/// A notification: the raw form body (`bytes` or `str`), or a mapping of decoded fields such as
/// Django's `request.POST` or Flask's `request.form`.
pub(crate) fn notify_params(obj: &Bound<'_, PyAny>, default_charset: Charset) -> PyResult<NotifyParams> {
    let parsed = if let Ok(text) = obj.cast::<PyString>() {
        NotifyParams::from_form(text.to_cow()?.as_bytes(), default_charset)
    } else if let Ok(bytes) = obj.cast::<PyBytes>() {
        NotifyParams::from_form(bytes.as_bytes(), default_charset)
    } else if let Ok(mapping) = obj.cast::<PyMapping>() {
        let pairs: Vec<(String, String)> = mapping
            .items()?
            .extract()
            .map_err(|_| PyTypeError::new_err("the notification mapping must map str to str"))?;
        NotifyParams::from_pairs(pairs)
    } else {
        return Err(PyTypeError::new_err("the notification must be the form body (bytes or str) or a mapping"));
    };
    Ok(parsed.map_err(CoreError::from)?)
}

pub(crate) fn str_dict<'py, 'a>(
    py: Python<'py>,
    pairs: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (key, value) in pairs {
        dict.set_item(key, value)?;
    }
    Ok(dict)
}

/// JSON text as Python values, with every non-integer number as an exact `Decimal`.
pub(crate) fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let loads = LOADS.import(py, "json", "loads")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("parse_float", decimal_type(py)?)?;
    loads.call((text,), Some(&kwargs))
}

/// A core result value as a Python value: amounts as `Decimal`, Beijing date-times as aware
/// `datetime`s, result structs as the frozen dataclasses of `alipay_openapi.models`.
pub(crate) trait ToPython {
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

impl ToPython for String {
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, self).into_any())
    }
}

impl ToPython for bool {
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyBool::new(py, *self).to_owned().into_any())
    }
}

impl<T: ToPython> ToPython for Option<T> {
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(value) => value.to_python(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

impl<T: ToPython> ToPython for Vec<T> {
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = self.iter().map(|item| item.to_python(py)).collect::<PyResult<Vec<_>>>()?;
        Ok(PyTuple::new(py, items)?.into_any())
    }
}

impl ToPython for Amount {
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal_type(py)?.call1((self.to_string(),))
    }
}

impl ToPython for BeijingDateTime {
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static BEIJING: PyOnceLock<Py<PyTzInfo>> = PyOnceLock::new();
        let tz = BEIJING.get_or_try_init(py, || {
            PyTzInfo::fixed_offset(py, PyDelta::new(py, 0, 8 * 3600, 0, true)?).map(Bound::unbind)
        })?;
        let year = i32::try_from(self.year).map_err(|_| invalid_field("date", "the year is out of range"))?;
        let at =
            PyDateTime::new(py, year, self.month, self.day, self.hour, self.minute, self.second, 0, Some(tz.bind(py)))?;
        Ok(at.into_any())
    }
}

impl ToPython for serde_json::Map<String, Value> {
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &Value::Object(self.clone()).to_string())
    }
}

macro_rules! text_enum_to_python {
    ($($ty:ty),*) => {$(
        impl ToPython for $ty {
            fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(PyString::new(py, self.as_str()).into_any())
            }
        }
    )*};
}

text_enum_to_python!(VoucherStatus, BillStatus, BillType);

/// A result struct as the dataclass of the same name in `alipay_openapi.models`, built from the
/// listed fields (`name()` calls the core's method of that name).
macro_rules! dataclass_to_python {
    ($ty:ident { $($field:ident $(($($call:tt)*))?),* $(,)? }) => {
        impl ToPython for $ty {
            fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let kwargs = PyDict::new(py);
                $(kwargs.set_item(stringify!($field), self.$field$(($($call)*))?.to_python(py)?)?;)*
                models(py)?.getattr(stringify!($ty))?.call((), Some(&kwargs))
            }
        }
    };
}

dataclass_to_python!(VoucherSendResult { voucher_id, user_id, extra });
dataclass_to_python!(VoucherQueryResult {
    voucher_id,
    template_id,
    name,
    user_id,
    status,
    total_amount,
    available_amount,
    gmt_active,
    gmt_expired,
    gmt_create,
    extend_info,
    bill_details,
    extra,
});
dataclass_to_python!(BillDetail { trade_no, amount, status, partner_id, partner_name, biz_type, gmt_create, extra });
dataclass_to_python!(VoucherStockUseResult { voucher_id, redeemed(), extra });
dataclass_to_python!(TicketCodeSyncResult { request_id, order_no, biz_code, idempotent_replay, extra });

fn models(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODELS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    Ok(MODELS.get_or_try_init(py, || py.import("alipay_openapi.models").map(Bound::unbind))?.bind(py))
}
