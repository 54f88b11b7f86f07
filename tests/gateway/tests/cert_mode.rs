//! Certificate mode (公钥证书模式) end to end through the core's client: SNs checked on every
//! request, `alipay_cert_sn` on every answer, and a certificate rotation recovered by downloading
//! the new certificate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use alipay_local_gateway::{
    spawn, Certificates, GatewayConfig, TEMPLATE_VOUCHER, TEST_ALIPAY_CERT, TEST_APP_CERT, TEST_NEXT_ALIPAY_CERT,
    TEST_NEXT_GATEWAY_PRIVATE_KEY,
};
use alipay_openapi::cert::DOWNLOAD_METHOD;
use alipay_openapi::{CertificateMode, Client, Error, Request, VerifiedResponse};
use base64::Engine as _;
use common::{gateway_error, query, send, text, Harness};
use serde_json::json;

const ALIPAY_CERT_SN: &str = "07e15c749b8f2f3bc15a28ed42842a0d";
const NEXT_ALIPAY_CERT_SN: &str = "8f0288df4e6850941ea8f7656f472b54";
const PRODUCTION_ROOTS: &str = include_str!("../../vectors/certs/alipayRootCert.crt");
const GENERATED_ROOTS: &str = include_str!("../../vectors/certs/generated/root_bundle.pem");

fn download_request(sn: &str) -> Request {
    Request::new(DOWNLOAD_METHOD).biz_content(json!({ "alipay_cert_sn": sn }).to_string())
}

/// The raw answer to `request` (signed by `client` at the gateway's "now").
fn post(h: &Harness, client: &Client, request: &Request, faults: &str) -> Vec<u8> {
    let signed = client.sign(request, h.now()).unwrap();
    let http = h.post(&signed, faults);
    assert_eq!(http.status, 200);
    http.body
}

#[test]
fn answers_carry_the_sn_of_the_certificate_that_signed_them() {
    let h = Harness::certificate_mode(false);
    let client = h.cert_client();
    let request = send(TEMPLATE_VOUCHER, "cert-1");
    let signed = client.sign(&request, h.now()).unwrap();
    assert_eq!(signed.params()["app_cert_sn"], "53ebe4458af21bbb7593bec0c9257983");
    let body = h.post(&signed, "").body;
    assert!(String::from_utf8_lossy(&body).contains(&format!(r#""alipay_cert_sn":"{ALIPAY_CERT_SN}""#)));
    let sent = client.verify_response(request.method(), &body).unwrap().into_success().unwrap();
    assert_eq!(sent.alipay_cert_sn(), Some(ALIPAY_CERT_SN));
    let found = h.exchange(&client, &query(text(&sent, "voucher_id")), "").unwrap().into_success().unwrap();
    assert_eq!(text(&found, "status"), "ENABLED");
    // Business errors are signed and carry the SN too.
    let e = h.exchange(&client, &query("20170616000730020041006ZYE2V"), "").unwrap();
    assert_eq!((e.code(), e.alipay_cert_sn()), ("40004", Some(ALIPAY_CERT_SN)));
    // A client in public-key mode that holds the certificate's key also verifies the answers.
    assert!(h.exchange(&h.client(), &query(text(&sent, "voucher_id")), "").is_ok_and(|r| r.code() == "40002"));
}

#[test]
fn a_rotation_is_recovered_by_downloading_the_new_certificate() {
    let h = Harness::certificate_mode(false);
    let client = h.cert_client();
    assert_eq!(client.alipay_cert_sns(), vec![ALIPAY_CERT_SN]);
    let request = send(TEMPLATE_VOUCHER, "rotated-1");

    // Alipay rotates its certificate: this answer is signed with a key the client does not know.
    let body = post(&h, &client, &request, "rotate-cert");
    match client.verify_response(request.method(), &body) {
        Err(Error::UnknownCertSn(sn)) => assert_eq!(sn, NEXT_ALIPAY_CERT_SN),
        other => panic!("expected unknown_cert_sn, got {other:?}"),
    }

    // Download it (the download answer is signed with the new key as well), check it, add it.
    let downloaded = post(&h, &client, &download_request(NEXT_ALIPAY_CERT_SN), "");
    assert!(String::from_utf8_lossy(&downloaded).contains(NEXT_ALIPAY_CERT_SN));
    assert_eq!(client.add_downloaded_certificate(&downloaded, h.now()).unwrap(), NEXT_ALIPAY_CERT_SN);
    assert_eq!(client.alipay_cert_sns(), vec![ALIPAY_CERT_SN, NEXT_ALIPAY_CERT_SN]);

    // The answer that could not be verified now verifies, and its voucher is the one a retry gets.
    let first = client.verify_response(request.method(), &body).unwrap().into_success().unwrap();
    assert_eq!(first.alipay_cert_sn(), Some(NEXT_ALIPAY_CERT_SN));
    let retried = h.exchange(&client, &request, "").unwrap().into_success().unwrap();
    assert_eq!(text(&retried, "voucher_id"), text(&first, "voucher_id"));
    // Clones share the key ring.
    assert!(client.clone().verify_response(request.method(), &body).is_ok());
}

#[test]
fn the_download_serves_every_known_chain_and_refuses_other_sns() {
    let h = Harness::certificate_mode(false);
    let client = h.cert_client();
    for (sn, pem) in [(ALIPAY_CERT_SN, TEST_ALIPAY_CERT), (NEXT_ALIPAY_CERT_SN, TEST_NEXT_ALIPAY_CERT)] {
        let node = h.exchange(&client, &download_request(sn), "").unwrap().into_success().unwrap();
        let content = base64::engine::general_purpose::STANDARD.decode(text(&node, "alipay_cert_content")).unwrap();
        assert_eq!(String::from_utf8(content).unwrap(), pem);
    }
    let e = gateway_error(h.exchange(&client, &download_request("0123456789abcdef"), "").unwrap().into_success());
    assert_eq!((e.code.as_str(), e.sub_code.as_deref()), ("40004", Some("INVALID_PARAMETER")));
    // Adding a certificate that is already known changes nothing.
    let body = post(&h, &client, &download_request(ALIPAY_CERT_SN), "");
    assert_eq!(client.add_downloaded_certificate(&body, h.now()).unwrap(), ALIPAY_CERT_SN);
    assert_eq!(client.alipay_cert_sns(), vec![ALIPAY_CERT_SN]);
    // In public-key mode the method does not exist.
    let plain = Harness::start();
    let e =
        gateway_error(plain.exchange(&plain.client(), &download_request(ALIPAY_CERT_SN), "").unwrap().into_success());
    assert_eq!(e.sub_code.as_deref(), Some("isv.invalid-method"));
}

#[test]
fn wrong_or_missing_sns_are_refused_before_anything_is_processed() {
    let h = Harness::certificate_mode(false);
    let check = |client: &Client, expected: &str| {
        let answer: VerifiedResponse = h.exchange(client, &send(TEMPLATE_VOUCHER, "never"), "").unwrap();
        assert_eq!(answer.alipay_cert_sn(), Some(ALIPAY_CERT_SN), "the refusal is signed in certificate mode");
        let e = gateway_error(answer.into_success());
        assert_eq!((e.code.as_str(), e.sub_code.as_deref()), ("40002", Some(expected)), "{e}");
    };
    // Another certificate (the Alipay one) posing as the app certificate: another app_cert_sn.
    let wrong_app = CertificateMode::from_pem(TEST_ALIPAY_CERT, TEST_ALIPAY_CERT, GENERATED_ROOTS).unwrap();
    check(&h.client().with_certificate_mode(wrong_app), "isv.app-cert-not-exist");
    // A public-key-mode client sends no app_cert_sn at all.
    check(&h.client(), "isv.app-cert-not-exist");
    // The production root bundle: another alipay_root_cert_sn.
    let wrong_roots = CertificateMode::from_pem(TEST_APP_CERT, TEST_ALIPAY_CERT, PRODUCTION_ROOTS).unwrap();
    check(&h.client().with_certificate_mode(wrong_roots), "invalid-alipay-root-cert-sn");
    // None of them issued the voucher.
    let sent = h.exchange(&h.cert_client(), &send(TEMPLATE_VOUCHER, "never"), "").unwrap().into_success().unwrap();
    assert!(text(&sent, "voucher_id").ends_with("0000000001"), "{}", text(&sent, "voucher_id"));
}

#[test]
fn a_certificate_that_is_not_the_signing_keys_is_a_configuration_error() {
    let mismatched = Certificates {
        next: Some((TEST_NEXT_ALIPAY_CERT.to_owned(), alipay_local_gateway::TEST_GATEWAY_PRIVATE_KEY.to_owned())),
        ..Certificates::default()
    };
    let error = spawn(GatewayConfig { certificates: Some(mismatched), ..GatewayConfig::default() }).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("next Alipay certificate"), "{error}");
    let not_a_cert = Certificates { app_cert: TEST_NEXT_GATEWAY_PRIVATE_KEY.to_owned(), ..Certificates::default() };
    let error = spawn(GatewayConfig { certificates: Some(not_a_cert), ..GatewayConfig::default() }).unwrap_err();
    assert!(error.to_string().starts_with("app certificate: "), "{error}");
    // The private key never shows in the error.
    assert!(!error.to_string().contains("PRIVATE KEY"), "{error}");
}
