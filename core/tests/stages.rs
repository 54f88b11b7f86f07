//! Verification in two stages: what the begin stage hands out, what finish does with a verdict, and
//! that the one-call methods give the same answers; notifications bound to the client's app_id.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::disallowed_methods)]

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    response_node_key, sign_response_body, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, Error,
    NotifyParams, NotifyVersion, Pending, PrivateKey, SignType, Signer, VerifiedResponse,
};
use base64::Engine as _;

const METHOD: &str = "alipay.marketing.voucher.query";
const APP_ID: &str = "2021000000000001";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn client(app_id: &str) -> Client {
    Client::new(
        Config::new(app_id),
        AppPrivateKey::parse(&read("keys/app_2048.private.pkcs1.pem")).unwrap(),
        AlipayPublicKey::parse(&read("keys/alipay_2048.public.spki.pem")).unwrap(),
    )
}

fn gateway_key() -> PrivateKey<Alipay> {
    PrivateKey::parse(&read("keys/alipay_2048.private.pkcs8.pem")).unwrap()
}

fn body(node: &str) -> Vec<u8> {
    sign_response_body(&response_node_key(METHOD), node, None, Charset::Utf8, SignType::Rsa2, &gateway_key()).unwrap()
}

/// A form notification with `fields` (sorted, no empty values), signed as rsaCheckV1 signs.
fn notification(fields: &[(&str, &str)]) -> NotifyParams {
    let mut sorted = fields.to_vec();
    sorted.sort_unstable();
    let content = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let sign = base64::engine::general_purpose::STANDARD
        .encode(gateway_key().sign(SignType::Rsa2, content.as_bytes()).unwrap());
    let form =
        format!("{content}&sign_type=RSA2&sign={}", sign.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D"));
    NotifyParams::from_form(form.as_bytes(), Charset::Utf8).unwrap()
}

#[test]
fn the_begin_stage_hands_out_what_the_rsa_check_needs() {
    let node = r#"{"code":"10000","msg":"Success","voucher_id":"v1","url":"https:\/\/x"}"#;
    let pending = client(APP_ID).begin_verify_response(METHOD, &body(node)).unwrap();
    let check = pending.check();
    assert_eq!(check.sign_type(), SignType::Rsa2);
    assert_eq!(
        check.key().spki_der(),
        AlipayPublicKey::parse(&read("keys/alipay_2048.public.spki.pem")).unwrap().spki_der()
    );
    assert_eq!(check.alipay_cert_sn(), None);
    // The exact node, then the node with `\/` unescaped (the Java SDK's retry).
    assert_eq!(check.messages(), [node.as_bytes().to_vec(), node.replace("\\/", "/").into_bytes()]);
    assert_eq!(check.signature().len(), 256);
    assert_eq!(check.key().verify_portable(SignType::Rsa2, &check.messages()[0], check.signature()), Ok(()));
}

#[test]
fn finish_takes_the_host_verdict() {
    let node = r#"{"code":"10000","msg":"Success","voucher_id":"v1","status":"ENABLED"}"#;
    let begin = || client(APP_ID).begin_verify_response(METHOD, &body(node)).unwrap();
    let verified = begin().finish(Some(0)).unwrap();
    assert_eq!(verified, client(APP_ID).verify_response(METHOD, &body(node)).unwrap());
    assert_eq!(verified.node_text(), node);
    assert_eq!(begin().finish(None).unwrap_err(), Error::SignatureMismatch);
    let out_of_range = begin().finish(Some(1)).unwrap_err();
    assert_eq!((out_of_range.code(), out_of_range.field_name()), ("invalid_field", Some("verified")));
    assert_eq!(begin().finish_own().unwrap(), verified);
}

#[test]
fn what_fails_before_the_rsa_check_fails_in_the_begin_stage() {
    let client = client(APP_ID);
    assert_eq!(client.begin_verify_response(METHOD, b"{").unwrap_err().code(), "malformed_response");
    let unsigned = br#"{"alipay_marketing_voucher_query_response":{"code":"10000","msg":"Success"}}"#;
    assert_eq!(client.begin_verify_response(METHOD, unsigned).unwrap_err(), Error::MissingSignature);
    let keyless = Client::without_keys(Config::new(APP_ID));
    assert_eq!(keyless.begin_verify_response(METHOD, &body(r#"{"code":"10000"}"#)).unwrap_err().code(), "invalid_key");
}

#[test]
fn a_pending_verification_can_cross_threads_and_awaits() {
    fn send<T: Send>(_: &T) {}
    let pending: Pending<VerifiedResponse> =
        client(APP_ID).begin_verify_response(METHOD, &body(r#"{"code":"10000"}"#)).unwrap();
    send(&pending);
    let verified = std::thread::spawn(move || pending.finish_own()).join().unwrap().unwrap();
    assert!(verified.is_success());
}

#[test]
fn a_notification_for_another_app_is_refused_after_it_verified() {
    let fields = [("app_id", APP_ID), ("notify_id", "n1"), ("trade_status", "TRADE_SUCCESS")];
    assert_eq!(
        client(APP_ID).verify_notification(notification(&fields), NotifyVersion::V1).unwrap().get("notify_id"),
        Some("n1")
    );
    let other = client("2021000000000002").verify_notification(notification(&fields), NotifyVersion::V1).unwrap_err();
    assert_eq!(other, Error::AppIdMismatch { expected: "2021000000000002".into(), found: APP_ID.into() });
    assert!(other.to_string().contains("2021000000000002") && other.to_string().contains(APP_ID), "{other}");
    let without =
        client(APP_ID).verify_notification(notification(&[("notify_id", "n1")]), NotifyVersion::V1).unwrap_err();
    assert_eq!(without.code(), "app_id_mismatch");
    // A forgery stays a signature error: the app_id is only read once the signature verified.
    let mut forged = notification(&[("app_id", "2021000000000009"), ("notify_id", "n1")]).fields().clone();
    forged.insert("notify_id".into(), "n2".into());
    let forged = NotifyParams::from_pairs(forged).unwrap();
    assert_eq!(client(APP_ID).verify_notification(forged, NotifyVersion::V1).unwrap_err(), Error::SignatureMismatch);
}

#[test]
fn the_begin_stage_of_a_notification_lists_the_historical_v1_variants() {
    let params = notification(&[("app_id", APP_ID), ("memo", "x"), ("notify_id", "n1")]);
    let mut fields = params.fields().clone();
    fields.insert("gmt_refund".into(), String::new());
    let with_empty = NotifyParams::from_pairs(fields).unwrap();
    let pending = client(APP_ID).begin_verify_notification(with_empty, NotifyVersion::V1).unwrap();
    let messages: Vec<String> =
        pending.check().messages().iter().map(|m| String::from_utf8(m.clone()).unwrap()).collect();
    assert_eq!(
        messages,
        ["app_id=2021000000000001&gmt_refund=&memo=x&notify_id=n1", "app_id=2021000000000001&memo=x&notify_id=n1"]
    );
    assert!(pending.finish(Some(1)).is_ok());
}

/// A verifier with no RSA to check with, as the core is without AWS-LC and `portable-verifying`.
struct NoRsa;

impl alipay_openapi::KeyVerifier for NoRsa {
    fn verify_with(&self, _: &AlipayPublicKey, _: SignType, _: &[u8], _: &[u8]) -> alipay_openapi::Result<()> {
        Err(Error::RsaUnavailable("verify the pending check with the host's RSA".to_owned()))
    }
}

#[test]
fn a_verifier_without_rsa_is_an_error_not_a_mismatch() {
    let client = client(APP_ID).with_key_verifier(std::sync::Arc::new(NoRsa));
    let error = client.verify_response(METHOD, &body(r#"{"code":"10000","msg":"Success"}"#)).unwrap_err();
    assert_eq!(error.code(), "rsa_unavailable", "{error}");
    assert!(error.to_string().starts_with("no RSA in this build: "), "{error}");
    // The stages still work: the verdict is the host's.
    let pending = client.begin_verify_response(METHOD, &body(r#"{"code":"10000","msg":"Success"}"#)).unwrap();
    assert!(pending.finish(Some(0)).unwrap().is_success());
}
