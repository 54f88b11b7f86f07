//! Runs every case of tests/vectors (requests, responses, notifications) through the public API.
//! Signatures must be byte-identical, sign contents identical, verdicts as expected; nothing is
//! skipped, and each backend is exercised.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::disallowed_types
)] // test code: reads fixtures and fails loudly

use std::collections::BTreeMap;
use std::path::PathBuf;

use alipay_openapi::{
    AlipayPublicKey, AppPrivateKey, Backend, Charset, Client, Config, NotifyParams, NotifyVersion, Request, SignType,
    Timestamp,
};
use base64::Engine as _;
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn load(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(vectors_dir().join(name)).unwrap();
    serde_json::from_str::<Vec<Value>>(&text).unwrap()
}

fn key_text(file: &str) -> String {
    std::fs::read_to_string(vectors_dir().join(file)).unwrap()
}

fn str_of<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter().fold(v, |v, k| &v[k]).as_str().unwrap_or_else(|| panic!("{path:?} missing"))
}

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::RustCrypto];
    if Backend::default() != Backend::RustCrypto {
        all.push(Backend::default());
    }
    all
}

/// Builds the case's request the way a user would: config + request builder + instant.
fn build(case: &Value, key: AppPrivateKey) -> (Client, Request, Timestamp) {
    let inputs = &case["inputs"];
    let params: BTreeMap<String, String> = serde_json::from_value(inputs["params"].clone()).unwrap();
    let mut config = Config::new(params["app_id"].clone());
    config.charset = str_of(inputs, &["charset"]).parse().unwrap();
    config.sign_type = str_of(inputs, &["sign_type"]).parse().unwrap();
    assert_eq!(params["charset"], config.charset.as_str(), "{}: charset spelling", case["id"]);
    config.format = params.get("format").cloned();
    let timestamp = Timestamp::parse_beijing("timestamp", &params["timestamp"]).unwrap();
    let mut request = Request::new(params["method"].clone()).version(params["version"].clone());
    for (k, v) in &params {
        match k.as_str() {
            "app_id" | "method" | "format" | "charset" | "sign_type" | "timestamp" | "version" => {}
            "biz_content" => request = request.biz_content(v.clone()),
            _ => request = request.param(k.clone(), v.clone()),
        }
    }
    let alipay = AlipayPublicKey::parse(&key_text("keys/alipay_2048.public.spki.pem")).unwrap();
    (Client::new(config, key, alipay), request, timestamp)
}

#[test]
fn request_vectors_sign_byte_identically_with_every_backend() {
    let cases = load("requests.json");
    assert!(cases.len() >= 30);
    let mut checked = 0;
    for case in &cases {
        let id = str_of(case, &["id"]);
        let expected = &case["expected"];
        for backend in backends() {
            let key =
                AppPrivateKey::parse_with_backend(&key_text(str_of(case, &["inputs", "private_key_file"])), backend)
                    .unwrap();
            let (client, request, timestamp) = build(case, key);
            let result = client.sign(&request, timestamp);
            if let Some(error) = expected.get("error") {
                assert!(result.is_err(), "{id}: expected error {error}");
                continue;
            }
            let signed = result.unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(signed.sign_content(), str_of(expected, &["sign_content"]), "{id}: sign content");
            let unsigned = client.prepare(&request, timestamp).unwrap();
            assert_eq!(
                unsigned.sign_content_bytes(),
                b64(str_of(expected, &["sign_content_bytes_b64"])),
                "{id}: bytes"
            );
            assert_eq!(signed.signature(), str_of(expected, &["signature"]), "{id} with {backend:?}: signature");
            // What is signed is exactly what is sent: no empty parameter travels.
            assert!(signed.params().values().all(|v| !v.is_empty()), "{id}");
            checked += 1;
        }
    }
    assert_eq!(checked, cases.len() * backends().len());
}

#[test]
fn every_key_form_gives_the_same_signature() {
    let forms = ["pkcs1.pem", "pkcs8.pem", "pkcs1.b64", "pkcs8.b64"];
    let signatures: Vec<Vec<u8>> = forms
        .iter()
        .map(|form| {
            let key = AppPrivateKey::parse(&key_text(&format!("keys/app_2048.private.{form}"))).unwrap();
            alipay_openapi::Signer::sign(&key, SignType::Rsa2, b"content").unwrap()
        })
        .collect();
    assert!(signatures.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn response_vectors_give_the_expected_verdicts() {
    let cases = load("responses.json");
    assert!(cases.len() >= 20);
    for case in &cases {
        let id = str_of(case, &["id"]);
        let inputs = &case["inputs"];
        let mut config = Config::new("2021000000000001");
        config.charset = str_of(inputs, &["charset"]).parse().unwrap();
        config.sign_type = str_of(inputs, &["client_sign_type"]).parse().unwrap();
        let app = AppPrivateKey::parse(&key_text("keys/app_2048.private.pkcs1.pem")).unwrap();
        let alipay = AlipayPublicKey::parse(&key_text(str_of(inputs, &["alipay_public_key_file"]))).unwrap();
        let client = Client::new(config, app, alipay);
        let body = b64(str_of(inputs, &["body_b64"]));
        let result = client.verify_response(str_of(inputs, &["method"]), &body);
        let valid = case["expected"]["valid"].as_bool().unwrap();
        match (&result, valid) {
            (Ok(verified), true) => {
                assert_eq!(verified.node_key(), str_of(case, &["expected", "node_key"]), "{id}");
                let raw = b64(str_of(case, &["expected", "raw_node_bytes_b64"]));
                let raw_text = config_charset_text(&client, &raw);
                assert_eq!(verified.node_text(), raw_text, "{id}: node text is the raw node");
            }
            (Err(error), false) => {
                let expected_code = match id {
                    "resp-025" | "resp-028" | "resp-029" | "resp-031" | "resp-034" => "signature_mismatch",
                    "resp-032" => "missing_signature",
                    "resp-035" => "malformed_response",
                    "resp-037" => "response_node_missing",
                    "resp-038" => "duplicate_member",
                    other => panic!("{other}: a new negative case; give it an expected error code"),
                };
                assert_eq!(error.code(), expected_code, "{id}: {error}");
            }
            (Ok(_), false) => panic!("{id}: accepted a response that must be rejected"),
            (Err(e), true) => panic!("{id}: rejected a valid response: {e}"),
        }
    }
}

fn config_charset_text(client: &Client, bytes: &[u8]) -> String {
    match client.config().charset {
        Charset::Utf8 => String::from_utf8(bytes.to_vec()).unwrap(),
        Charset::Gbk => encoding_gbk(bytes),
    }
}

fn encoding_gbk(bytes: &[u8]) -> String {
    // Decoding is the library's job; this mirrors it only to compare texts.
    let params =
        NotifyParams::from_form(&[b"charset=GBK&x=".as_slice(), &percent(bytes)].concat(), Charset::Gbk).unwrap();
    params.fields()["x"].clone()
}

fn percent(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().flat_map(|b| format!("%{b:02X}").into_bytes()).collect()
}

#[test]
fn notify_vectors_give_the_expected_verdicts_from_body_and_from_pairs() {
    let cases = load("notifies.json");
    assert!(cases.len() >= 8);
    for case in &cases {
        let id = str_of(case, &["id"]);
        let inputs = &case["inputs"];
        let mut config = Config::new("2021000000000001");
        config.sign_type = str_of(inputs, &["sign_type"]).parse().unwrap();
        let app = AppPrivateKey::parse(&key_text("keys/app_2048.private.pkcs1.pem")).unwrap();
        let alipay = AlipayPublicKey::parse(&key_text(str_of(inputs, &["alipay_public_key_file"]))).unwrap();
        let client = Client::new(config, app, alipay);
        let valid = case["expected"]["valid"].as_bool().unwrap();

        let from_body = NotifyParams::from_form(str_of(inputs, &["body"]).as_bytes(), Charset::Utf8).unwrap();
        let pairs: BTreeMap<String, String> = serde_json::from_value(inputs["params_decoded"].clone()).unwrap();
        let from_pairs = NotifyParams::from_pairs(pairs).unwrap();
        assert_eq!(from_body.fields(), from_pairs.fields(), "{id}: decoding once gives the framework's fields");
        if let Some(content) = case["expected"].get("rsaCheckV1_sign_content").and_then(Value::as_str) {
            assert_eq!(from_body.sign_content_v1(), content, "{id}: sign content");
        }
        for params in [from_body, from_pairs] {
            let result = client.verify_notification(params, NotifyVersion::V1);
            assert_eq!(result.is_ok(), valid, "{id}: {result:?}");
        }
    }
}

#[test]
fn a_body_signed_like_the_gateway_verifies_in_both_charsets() {
    let alipay_private = alipay_openapi::PrivateKey::<alipay_openapi::keys::role::Alipay>::parse(&key_text(
        "keys/alipay_2048.private.pkcs8.pem",
    ))
    .unwrap();
    let node =
        r#"{"code":"10000","msg":"Success","voucher_id":"20160906000730020020002U8CBS","memo":"优酷 a}b{c \/ 乗倉"}"#;
    for charset in [Charset::Utf8, Charset::Gbk] {
        let body = alipay_openapi::sign_response_body(
            "alipay_marketing_voucher_send_response",
            node,
            Some("a5b59edf65dcda9ca26e071ab6f5a0a7"),
            charset,
            SignType::Rsa2,
            &alipay_private,
        )
        .unwrap();
        let mut config = Config::new("2021000000000001");
        config.charset = charset;
        let client = Client::new(
            config,
            AppPrivateKey::parse(&key_text("keys/app_2048.private.pkcs1.pem")).unwrap(),
            alipay_private.public_key(),
        );
        let verified = client.verify_response("alipay.marketing.voucher.send", &body).unwrap();
        assert_eq!(verified.node_text(), node);
        assert_eq!(verified.alipay_cert_sn(), Some("a5b59edf65dcda9ca26e071ab6f5a0a7"));
        assert!(verified.is_success());
    }
}
