//! Tests of the engine shared by the Node run (`node.rs`) and the browser run (`browser.rs`): every
//! vector through the exported `Client` with the module's own RSA, and the shape of its errors.
// Test helpers outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use alipay_openapi_wasm::Client;
use js_sys::{Reflect, JSON};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};

const REQUESTS: &str = include_str!("../../../tests/vectors/requests.json");
const RESPONSES: &str = include_str!("../../../tests/vectors/responses.json");
const NOTIFIES: &str = include_str!("../../../tests/vectors/notifies.json");

fn key_file(name: &str) -> &'static str {
    match name {
        "keys/app_2048.private.pkcs1.pem" => include_str!("../../../tests/vectors/keys/app_2048.private.pkcs1.pem"),
        "keys/app_4096.private.pkcs1.pem" => include_str!("../../../tests/vectors/keys/app_4096.private.pkcs1.pem"),
        "keys/alipay_2048.public.spki.pem" => include_str!("../../../tests/vectors/keys/alipay_2048.public.spki.pem"),
        other => panic!("a vector names a key this test does not embed: {other}"),
    }
}

fn js(value: &Value) -> JsValue {
    JSON::parse(&value.to_string()).unwrap()
}

fn get(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap()
}

fn text(value: &JsValue, name: &str) -> String {
    get(value, name).as_string().unwrap_or_else(|| panic!("`{name}` is not a string"))
}

fn client(options: Value) -> Client {
    Client::new(js(&options).unchecked_into()).unwrap()
}

fn cases(text: &str) -> Vec<Value> {
    serde_json::from_str(text).unwrap()
}

fn b64(text: &str) -> Vec<u8> {
    let bytes = js_sys::global().unchecked_into::<js_sys::Object>();
    let decoded = js_sys::Function::from(Reflect::get(&bytes, &"atob".into()).unwrap())
        .call1(&JsValue::NULL, &text.into())
        .unwrap()
        .as_string()
        .unwrap();
    decoded.chars().map(|c| c as u8).collect()
}

/// Code of a thrown `AlipayError`, checking that it is a real `Error` named `AlipayError`.
pub fn code_of(error: JsValue) -> String {
    assert!(error.is_instance_of::<js_sys::Error>(), "thrown value is not an Error: {error:?}");
    assert_eq!(text(&error, "name"), "AlipayError");
    assert!(!text(&error, "message").is_empty());
    text(&error, "code")
}

pub fn request_vectors_sign_byte_identically() {
    let cases = cases(REQUESTS);
    assert!(cases.len() >= 30);
    for case in &cases {
        let params = &case["inputs"]["params"];
        let client = client(json!({
            "appId": params["app_id"],
            "privateKey": key_file(case["inputs"]["private_key_file"].as_str().unwrap()),
            "signType": case["inputs"]["sign_type"],
            "charset": case["inputs"]["charset"],
            "format": params.get("format").cloned().unwrap_or(Value::Null),
        }));
        let mut extra = serde_json::Map::new();
        for (name, value) in params.as_object().unwrap() {
            if !["app_id", "method", "format", "charset", "sign_type", "timestamp", "version", "biz_content"]
                .contains(&name.as_str())
            {
                extra.insert(name.clone(), value.clone());
            }
        }
        let request = json!({
            "method": params["method"], "version": params["version"], "bizContent": params["biz_content"],
            "timestamp": params["timestamp"], "params": extra,
        });
        let signed = client.sign(js(&request).unchecked_into()).unwrap();
        let signed: JsValue = signed.into();
        assert_eq!(text(&signed, "signContent"), case["expected"]["sign_content"].as_str().unwrap(), "{}", case["id"]);
        assert_eq!(text(&signed, "signature"), case["expected"]["signature"].as_str().unwrap(), "{}", case["id"]);
        let prepared = client.prepare(js(&request).unchecked_into()).unwrap();
        assert_eq!(prepared.sign_content_bytes(), b64(case["expected"]["sign_content_bytes_b64"].as_str().unwrap()));
    }
}

pub fn response_vectors_give_the_expected_verdicts() {
    for case in cases(RESPONSES) {
        let inputs = &case["inputs"];
        let client = client(json!({
            "appId": "2021000000000001",
            "alipayPublicKey": key_file(inputs["alipay_public_key_file"].as_str().unwrap()),
            "charset": inputs["charset"],
            "signType": inputs["client_sign_type"],
        }));
        let body = js_sys::Uint8Array::from(b64(inputs["body_b64"].as_str().unwrap()).as_slice());
        let result = client
            .begin_verify_response(inputs["method"].as_str().unwrap(), JsValue::from(body).unchecked_into())
            .and_then(|pending| pending.finish_own());
        let valid = match result {
            Ok(verified) => {
                assert_eq!(
                    text(&verified, "nodeText"),
                    case["expected"]["raw_node_text"].as_str().unwrap(),
                    "{}",
                    case["id"]
                );
                true
            }
            Err(error) => code_of(error) == "gateway_error",
        };
        assert_eq!(valid, case["expected"]["valid"].as_bool().unwrap(), "{}", case["id"]);
    }
}

pub fn notify_vectors_give_the_expected_verdicts() {
    for case in cases(NOTIFIES) {
        let inputs = &case["inputs"];
        let client = client(json!({
            "appId": "2021000000000001",
            "alipayPublicKey": key_file(inputs["alipay_public_key_file"].as_str().unwrap()),
            "signType": inputs["sign_type"],
        }));
        for input in [inputs["body"].clone(), inputs["params_decoded"].clone()] {
            let verdict = client
                .begin_verify_notification(js(&input).unchecked_into(), None)
                .and_then(|pending| pending.finish_own())
                .map(drop)
                .map_err(code_of);
            assert_eq!(verdict.is_ok(), case["expected"]["valid"].as_bool().unwrap(), "{}: {verdict:?}", case["id"]);
        }
    }
}

pub fn errors_are_errors_with_codes_and_fields() {
    let error = Client::new(js(&json!({ "appId": "1", "signType": "RSA3" })).unchecked_into()).unwrap_err();
    assert_eq!(code_of(error), "unsupported_sign_type");
    let error = Client::new(js(&json!({ "appId": "1", "privateKey": "not a key" })).unchecked_into()).unwrap_err();
    assert_eq!(code_of(error), "invalid_key");
    let error = Client::new(js(&json!({ "appId": "1", "charst": "utf-8" })).unchecked_into()).unwrap_err();
    assert_eq!(text(&error, "field"), "charst");
    assert_eq!(code_of(error), "invalid_field");
    let typed = client(json!({ "appId": "1", "privateKey": key_file("keys/app_2048.private.pkcs1.pem") }));
    let fields = js(&json!({ "voucherId": "too short" }));
    let error = typed.sign_call("alipay.marketing.voucher.query", fields.unchecked_into(), None).err().unwrap();
    assert_eq!(text(&error, "field"), "voucher_id");
    assert_eq!(code_of(error), "invalid_field");
}
