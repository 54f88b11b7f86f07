//! AES content encryption (`encrypt_type=AES`) end to end through the core's client: encrypted
//! requests decrypted after the signature check, successful answers encrypted and signed over the
//! quoted ciphertext, errors in plaintext; and both certificate mode and AES at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use std::collections::BTreeMap;

use alipay_local_gateway::{TEMPLATE_EXPIRED, TEMPLATE_EXTERNAL_CODES, TEMPLATE_VOUCHER, TEST_APP_PRIVATE_KEY};
use alipay_openapi::api::{CodeType, TicketCodeSync, VoucherQuery, VoucherStatus, VoucherStockUse};
use alipay_openapi::cert::DOWNLOAD_METHOD;
use alipay_openapi::{AesKey, AppPrivateKey, Charset, Error, Request, SignType, UnsignedRequest};
use common::{gateway_error, send, send_call, test_aes_key, text, ticket_sync_call, Harness};
use serde_json::json;

/// The body's response node: `true` when it is a string (encrypted), `false` when an object.
fn node_is_encrypted(body: &[u8], method: &str) -> bool {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap();
    let node = &value[alipay_openapi::response_node_key(method)];
    assert!(node.is_string() || node.is_object(), "{value}");
    node.is_string()
}

fn other_key() -> AesKey {
    AesKey::from_bytes(&[7; 16]).unwrap()
}

#[test]
fn all_four_apis_work_encrypted() {
    let h = Harness::aes();
    let client = h.client().with_aes_key(test_aes_key());

    let send_request = send(TEMPLATE_EXTERNAL_CODES, "aes-1");
    let signed = client.sign(&send_request, h.now()).unwrap();
    assert_eq!(signed.params()["encrypt_type"], "AES");
    assert!(!signed.params()["biz_content"].contains("out_biz_no"), "biz_content travels encrypted");
    let body = h.post(&signed, "").body;
    assert!(node_is_encrypted(&body, send_request.method()));
    assert!(!String::from_utf8_lossy(&body).contains("voucher_id"));
    let sent = client.verify_response(send_request.method(), &body).unwrap().into_success().unwrap();
    let voucher_id = text(&sent, "voucher_id").to_owned();

    let used = h
        .typed_with(&client, &VoucherStockUse { entity_no: "EXTCODE00001".into(), out_biz_no: "aes1".into() })
        .unwrap();
    assert_eq!(used.voucher_id.as_deref(), Some(voucher_id.as_str()));
    let found = h.typed_with(&client, &VoucherQuery { voucher_id: voucher_id.clone() }).unwrap();
    assert_eq!((found.status, found.bill_details.len()), (VoucherStatus::Used, 1));
    let call = TicketCodeSync {
        code_type: Some(CodeType::ExternalCode),
        ..ticket_sync_call("aessync1", "16569843362", "20180404111040030100130500594477", "4")
    };
    let synced = h.typed_with(&client, &call).unwrap();
    assert_eq!(synced.order_no, "20180404111040030100130500594477");
    // A replay is recognised from the decrypted biz_content.
    assert!(h.typed_with(&client, &call).unwrap().idempotent_replay);
}

#[test]
fn business_errors_come_back_in_plaintext() {
    let h = Harness::aes();
    let client = h.client().with_aes_key(test_aes_key());
    let request = send(TEMPLATE_EXPIRED, "aes-expired");
    let body = h.post(&client.sign(&request, h.now()).unwrap(), "").body;
    assert!(!node_is_encrypted(&body, request.method()));
    let e = gateway_error(client.verify_response(request.method(), &body).unwrap().into_success());
    assert_eq!((e.code.as_str(), e.sub_code.as_deref()), ("40004", Some("TEMPLATE_EXPIRED")));
}

#[test]
fn a_wrong_key_is_a_decryption_error_at_the_gateway_and_an_aes_error_at_the_client() {
    let h = Harness::aes();
    // The request was encrypted with another key: the gateway cannot read it and says so in plaintext.
    let wrong = h.client().with_aes_key(other_key());
    let e = gateway_error(h.exchange(&wrong, &send(TEMPLATE_VOUCHER, "wrong-key"), "").unwrap().into_success());
    assert_eq!((e.code.as_str(), e.sub_code.as_deref()), ("40002", Some("isv.decryption-error-not-valid-encrypt-key")));
    // An encrypted answer read with another key: verified, then refused, never returned as data.
    let right = h.client().with_aes_key(test_aes_key());
    let request = send(TEMPLATE_VOUCHER, "wrong-key");
    let body = h.post(&right.sign(&request, h.now()).unwrap(), "").body;
    let error = wrong.verify_response(request.method(), &body).unwrap_err();
    assert_eq!(error.code(), "aes_error", "{error}");
    // ... and without any key.
    assert_eq!(h.client().verify_response(request.method(), &body).unwrap_err().code(), "aes_error");
    // The first request processed nothing: the right key's request issued voucher number 1.
    let sent = right.verify_response(request.method(), &body).unwrap();
    assert!(text(&sent, "voucher_id").ends_with("0000000001"));
}

const QUERY_METHOD: &str = "alipay.marketing.voucher.query";

/// A request with exactly these parameters, signed with the test app key.
fn signed_raw(h: &Harness, extra: &[(&str, &str)]) -> alipay_openapi::SignedRequest {
    let mut params: BTreeMap<String, String> = [
        ("app_id", alipay_local_gateway::TEST_APP_ID),
        ("method", QUERY_METHOD),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("version", "1.0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    params.insert("timestamp".into(), h.now().to_string());
    params.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let unsigned = UnsignedRequest::from_params(&h.gateway.url(), Charset::Utf8, SignType::Rsa2, params).unwrap();
    unsigned.sign_with(&AppPrivateKey::parse(TEST_APP_PRIVATE_KEY).unwrap()).unwrap()
}

#[test]
fn broken_ciphertext_and_other_encrypt_types_are_refused() {
    let h = Harness::aes();
    let client = h.client().with_aes_key(test_aes_key());
    let answer = |extra: &[(&str, &str)]| {
        let signed = signed_raw(&h, extra);
        let e = gateway_error(client.verify_response(QUERY_METHOD, &h.post(&signed, "").body).unwrap().into_success());
        (e.code, e.sub_code.unwrap())
    };
    let expect = |sub_code: &str| ("40002".to_owned(), sub_code.to_owned());
    assert_eq!(
        answer(&[("encrypt_type", "AES"), ("biz_content", "not base64!")]),
        expect("isv.decryption-error-unknown")
    );
    assert_eq!(answer(&[("encrypt_type", "AES"), ("biz_content", "AAAA")]), expect("isv.decryption-error-unknown"));
    assert_eq!(
        answer(&[("encrypt_type", "DES"), ("biz_content", "AAAA")]),
        expect("isv.decryption-error-not-valid-encrypt-type")
    );
    // Without a key configured at the gateway, any encrypt_type is refused.
    let plain = Harness::start();
    let signed = signed_raw(&plain, &[("encrypt_type", "AES"), ("biz_content", "AAAA")]);
    let e = gateway_error(
        plain.client().verify_response(QUERY_METHOD, &plain.post(&signed, "").body).unwrap().into_success(),
    );
    assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-encrypt-type"));
}

#[test]
fn plaintext_requests_still_get_plaintext_answers_and_gbk_works_encrypted() {
    let h = Harness::aes();
    let request = send(TEMPLATE_VOUCHER, "plain-1");
    let body = h.post(&h.client().sign(&request, h.now()).unwrap(), "").body;
    assert!(!node_is_encrypted(&body, request.method()));
    assert!(h.client().verify_response(request.method(), &body).unwrap().is_success());

    let mut config = h.client_config();
    config.charset = Charset::Gbk;
    let client = h.client_with(config).with_aes_key(test_aes_key());
    let call = alipay_openapi::api::VoucherSend {
        memo: Some("测试备注 倉乗".into()),
        ..send_call(TEMPLATE_VOUCHER, "gbk-aes")
    };
    let sent = h.typed_with(&client, &call).unwrap();
    assert_eq!(sent.voucher_id.len(), 28);
}

#[test]
fn damaged_encrypted_answers_fail_verification() {
    let h = Harness::aes();
    let client = h.client().with_aes_key(test_aes_key());
    let error = h.exchange(&client, &send(TEMPLATE_VOUCHER, "aes-tampered"), "tampered").unwrap_err();
    assert_eq!(error.code(), "signature_mismatch");
    let error = h.exchange(&client, &send(TEMPLATE_VOUCHER, "aes-truncated"), "truncated").unwrap_err();
    assert!(matches!(error, Error::MalformedResponse(_)), "{error:?}");
}

#[test]
fn certificate_mode_and_aes_together_including_a_rotation() {
    let h = Harness::certificate_mode(true);
    let client = h.cert_client().with_aes_key(test_aes_key());
    let request = send(TEMPLATE_VOUCHER, "both-1");
    let body = h.post(&client.sign(&request, h.now()).unwrap(), "").body;
    assert!(node_is_encrypted(&body, request.method()));
    let sent = client.verify_response(request.method(), &body).unwrap().into_success().unwrap();
    assert_eq!(sent.alipay_cert_sn(), Some("07e15c749b8f2f3bc15a28ed42842a0d"));

    let rotated = h.post(&client.sign(&request, h.now()).unwrap(), "rotate-cert").body;
    assert_eq!(client.verify_response(request.method(), &rotated).unwrap_err().code(), "unknown_cert_sn");
    // The download request is encrypted too, and so is its answer.
    let download = Request::new(DOWNLOAD_METHOD)
        .biz_content(json!({ "alipay_cert_sn": "8f0288df4e6850941ea8f7656f472b54" }).to_string());
    let downloaded = h.post(&client.sign(&download, h.now()).unwrap(), "").body;
    assert!(node_is_encrypted(&downloaded, DOWNLOAD_METHOD));
    assert_eq!(client.add_downloaded_certificate(&downloaded, h.now()).unwrap(), "8f0288df4e6850941ea8f7656f472b54");
    let again = client.verify_response(request.method(), &rotated).unwrap().into_success().unwrap();
    assert_eq!(text(&again, "voucher_id"), text(&sent, "voucher_id"));
}
