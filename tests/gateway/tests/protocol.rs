//! The gateway's own checks and errors, charsets and sign types, and the binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use alipay_local_gateway::{TEMPLATE_RED_PACKET, TEMPLATE_VOUCHER, TEST_GATEWAY_PRIVATE_KEY};
use alipay_openapi::{AppPrivateKey, Charset, Client, Error, Request, SignType, Timestamp};
use common::{gateway_error, send, text, Harness};
use serde_json::json;

/// The signed request's URL with `key` removed (`None`) or its value replaced.
fn edit_query(url: &str, key: &str, value: Option<&str>) -> String {
    let (base, query) = url.split_once('?').unwrap();
    let prefix = format!("{key}=");
    let pairs: Vec<String> = query
        .split('&')
        .filter_map(|pair| match (pair.starts_with(&prefix), value) {
            (false, _) => Some(pair.to_owned()),
            (true, Some(v)) => Some(format!("{prefix}{v}")),
            (true, None) => None,
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

/// Posts `request` signed by the test app with `key` edited in the URL, and verifies the answer.
fn edited(h: &Harness, key: &str, value: Option<&str>) -> Result<alipay_openapi::VerifiedResponse, Error> {
    let client = h.client();
    let request = send(TEMPLATE_VOUCHER, "vs-edit");
    let signed = client.sign(&request, h.now()).unwrap();
    let http = h.post_raw(&edit_query(signed.url(), key, value), signed.headers(), signed.body(), "");
    assert_eq!(http.status, 200);
    client.verify_response(request.method(), &http.body)?.into_success()
}

#[test]
fn missing_parameters_get_40001_signed() {
    let h = Harness::start();
    for (key, sub_code) in [
        ("method", "isv.missing-method"),
        ("sign", "isv.missing-signature"),
        ("sign_type", "isv.missing-signature-type"),
        ("timestamp", "isv.missing-timestamp"),
        ("version", "isv.missing-version"),
    ] {
        let e = gateway_error(edited(&h, key, None));
        assert_eq!((e.code.as_str(), e.msg.as_str()), ("40001", "Missing Required Arguments"), "{key}");
        assert_eq!(e.sub_code.as_deref(), Some(sub_code));
    }
}

#[test]
fn invalid_parameters_get_40002_signed() {
    let h = Harness::start();
    for (key, value, sub_code) in [
        ("charset", "latin1", "isv.invalid-charset"),
        ("sign_type", "HMAC", "isv.invalid-signature-type"),
        ("timestamp", "2024-05-13T17%3A49%3A20", "isv.invalid-timestamp"),
        ("format", "xml", "isv.invalid-format"),
        ("method", "alipay.no.such.method", "isv.invalid-method"),
        ("version", "1.0&version=1.0", "isv.invalid-parameter"),
    ] {
        let result = edited(&h, key, Some(value));
        let e = match result {
            Err(Error::Gateway(e)) => e,
            // An unknown method is answered under its own node, which the client did not call.
            Err(Error::ResponseNodeMissing { found: Some(found), .. }) if key == "method" => {
                assert_eq!(found, "alipay_no_such_method_response");
                continue;
            }
            other => panic!("{key}: {other:?}"),
        };
        assert_eq!((e.code.as_str(), e.msg.as_str()), ("40002", "Invalid Arguments"), "{key}");
        assert_eq!(e.sub_code.as_deref(), Some(sub_code), "{key}");
    }
    let e = gateway_error(h.call(&Request::new("alipay.trade.pay").biz_content("{}")));
    assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-method"));
}

#[test]
fn unknown_or_missing_app_ids_get_unsigned_errors() {
    let h = Harness::start();
    let mut config = h.client_config();
    config.app_id = "2021009999999999".to_owned();
    let result = h.exchange(&h.client_with(config), &send(TEMPLATE_VOUCHER, "x"), "");
    match result {
        Err(Error::UnsignedGatewayError(e)) => {
            assert_eq!(e.code, "40002");
            assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-app-id"));
        }
        other => panic!("{other:?}"),
    }
    match edited(&h, "app_id", None) {
        Err(Error::UnsignedGatewayError(e)) => assert_eq!(e.sub_code.as_deref(), Some("isv.missing-app-id")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bad_signature_echoes_the_sign_content() {
    let h = Harness::start();
    // Signed with a key that is not the app's.
    let wrong = Client::new(
        h.client_config(),
        AppPrivateKey::parse(TEST_GATEWAY_PRIVATE_KEY).unwrap(),
        alipay_openapi::AlipayPublicKey::parse(alipay_local_gateway::TEST_GATEWAY_PUBLIC_KEY).unwrap(),
    );
    let request = send(TEMPLATE_VOUCHER, "vs-bad-sign").notify_url("https://example.com/n?a=1&b=2 3");
    let signed = wrong.sign(&request, h.now()).unwrap();
    let http = h.post(&signed, "");
    let e = gateway_error(wrong.verify_response(request.method(), &http.body).unwrap().into_success());
    assert_eq!(e.code, "40002");
    assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-signature"));
    let expected = format!(
        "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{}",
        signed.sign_content()
    );
    assert_eq!(e.sub_msg.as_deref(), Some(expected.as_str()));
    // The gateway writes `/` as `\/`, as Alipay does; the client verified over the raw bytes.
    assert!(String::from_utf8(http.body).unwrap().contains("https:\\/\\/example.com"));

    // A value changed after signing is caught the same way.
    let good = h.client().sign(&request, h.now()).unwrap();
    let body = String::from_utf8(good.body().to_vec()).unwrap().replace("vs-bad-sign", "vs-bad-sigX");
    let http = h.post_raw(good.url(), good.headers(), body.as_bytes(), "");
    let e = gateway_error(h.client().verify_response(request.method(), &http.body).unwrap().into_success());
    assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-signature"));
    assert!(e.sub_msg.unwrap().contains("vs-bad-sigX"));
}

#[test]
fn timestamps_outside_the_window_are_refused() {
    let h = Harness::start();
    let client = h.client();
    let request = send(TEMPLATE_VOUCHER, "vs-late");
    for offset in [-3 * 3600, 3 * 3600] {
        let at = Timestamp::from_unix_secs(h.now().unix_secs() + offset);
        let http = h.post(&client.sign(&request, at).unwrap(), "");
        let e = gateway_error(client.verify_response(request.method(), &http.body).unwrap().into_success());
        assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-timestamp"));
    }
    let at = Timestamp::from_unix_secs(h.now().unix_secs() - 60);
    let http = h.post(&client.sign(&request, at).unwrap(), "");
    assert!(client.verify_response(request.method(), &http.body).unwrap().is_success(), "a minute of skew is fine");
}

#[test]
fn gbk_requests_get_gbk_answers_signed_over_gbk_bytes() {
    let h = Harness::start();
    let mut config = h.client_config();
    config.charset = Charset::Gbk;
    let client = h.client_with(config);
    let request = Request::new("alipay.marketing.voucher.send").biz_json(&json!({
        "template_id": TEMPLATE_RED_PACKET, "taobao_nick": "yue54333", "out_biz_no": "gbk-1",
        "amount": "9.99", "memo": "优酷3个月兑换券",
    }));
    let signed = client.sign(&request, h.now()).unwrap();
    let http = h.post(&signed, "");
    assert_eq!(http.content_type, "text/html;charset=GBK");
    let sent = client.verify_response(request.method(), &http.body).unwrap().into_success().unwrap();
    let voucher_id = text(&sent, "voucher_id").to_owned();
    let found = h.exchange(&client, &common::query(&voucher_id), "").unwrap().into_success().unwrap();
    assert_eq!(text(&found, "name"), "优酷3个月兑换券");
    // The body really is GBK: the name's GBK bytes are there, its UTF-8 bytes are not.
    let http = h.post(&client.sign(&common::query(&voucher_id), h.now()).unwrap(), "");
    let gbk_name = Charset::Gbk.encode("name", "优酷").unwrap();
    assert!(http.body.windows(gbk_name.len()).any(|w| w == gbk_name.as_ref()));
    assert!(std::str::from_utf8(&http.body).is_err());
}

#[test]
fn rsa_sha1_requests_get_rsa_sha1_answers() {
    let h = Harness::start();
    let mut config = h.client_config();
    config.sign_type = SignType::Rsa;
    let client = h.client_with(config);
    let sent = h.exchange(&client, &send(TEMPLATE_VOUCHER, "rsa-1"), "").unwrap().into_success().unwrap();
    assert_eq!(text(&sent, "voucher_id").len(), 28);
    // The RSA2 client must not accept the SHA-1 signature.
    let signed = client.sign(&send(TEMPLATE_VOUCHER, "rsa-1"), h.now()).unwrap();
    let http = h.post(&signed, "");
    assert_eq!(
        h.client().verify_response("alipay.marketing.voucher.send", &http.body).unwrap_err().code(),
        "signature_mismatch"
    );
}

#[test]
fn get_requests_with_everything_in_the_query_are_served() {
    // python-alipay-sdk sends a GET with all parameters in the query string.
    let h = Harness::start();
    let client = h.client();
    let request = send(TEMPLATE_VOUCHER, "get-1");
    let signed = client.sign(&request, h.now()).unwrap();
    let url = format!("{}&{}", signed.url(), String::from_utf8(signed.body().to_vec()).unwrap());
    let http = h.get_raw(&url);
    assert!(client.verify_response(request.method(), &http.body).unwrap().is_success());
}

#[test]
fn the_binary_prints_its_url_first_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alipay-local-gateway"))
        .args(["--port", "0", "--db", ":memory:", "--fault", "delay=1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/gateway.do"), "{line}");

    let mut config = alipay_openapi::Config::new(alipay_local_gateway::TEST_APP_ID);
    config.gateway = alipay_openapi::Gateway::Custom(url);
    let h = Harness::start(); // only for its HTTP agent and keys
    let client = h.client_with(config);
    let request = send(TEMPLATE_VOUCHER, "bin-1");
    let signed = client.sign(&request, common::system_now()).unwrap();
    let http = h.post(&signed, "");
    assert!(client.verify_response(request.method(), &http.body).unwrap().is_success());
    child.kill().unwrap();
    child.wait().unwrap();

    let bad = Command::new(env!("CARGO_BIN_EXE_alipay-local-gateway")).args(["--fault", "explode"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("explode"));
}
