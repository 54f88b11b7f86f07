//! The binary as a client in another language uses it: start it, read the URL and the settings
//! from the first two lines, load the files they name, and call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::disallowed_methods)] // test code: reads fixtures and fails loudly

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use alipay_local_gateway::TEMPLATE_VOUCHER;
use alipay_openapi::{AesKey, AlipayPublicKey, AppPrivateKey, CertificateMode, Client, Config, Gateway};
use common::{send, start_binary as start, system_now, text, Started};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn file(settings: &Value, pointer: &str) -> String {
    let path = settings.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("{pointer} in {settings}"));
    std::fs::read_to_string(repo().join(path)).unwrap()
}

fn call(client: &Client, out_biz_no: &str) -> alipay_openapi::VerifiedResponse {
    let request = send(TEMPLATE_VOUCHER, out_biz_no);
    let signed = client.sign(&request, system_now()).unwrap();
    let mut http = ureq::post(signed.url());
    for (name, value) in signed.headers() {
        http = http.header(name, value);
    }
    let body = http.send(signed.body()).unwrap().into_body().read_to_vec().unwrap();
    client.verify_response(request.method(), &body).unwrap().into_success().unwrap()
}

fn client(gateway: &Started) -> Client {
    let mut config = Config::new(gateway.settings["app_id"].as_str().unwrap());
    config.gateway = Gateway::Custom(gateway.url.clone());
    Client::new(
        config,
        AppPrivateKey::parse(&file(&gateway.settings, "/app_private_key")).unwrap(),
        AlipayPublicKey::parse(gateway.settings["gateway_public_key"].as_str().unwrap()).unwrap(),
    )
}

#[test]
fn the_second_line_says_what_a_client_needs() {
    let plain = start(&[]);
    assert_eq!((&plain.settings["cert_mode"], &plain.settings["aes"]), (&Value::Null, &Value::Bool(false)));
    assert_eq!(text(&call(&client(&plain), "bin-1"), "user_id"), alipay_local_gateway::TEST_USER_ID);

    let aes_key = std::fs::read_to_string(repo().join("tests/vectors/protocol-examples/aes_key.txt")).unwrap();
    let both = start(&["--cert-mode", "--aes-key", aes_key.trim()]);
    assert_eq!(both.settings["aes"], true);
    let mode = CertificateMode::from_pem(
        &file(&both.settings, "/cert_mode/app_cert"),
        &file(&both.settings, "/cert_mode/alipay_cert"),
        &file(&both.settings, "/cert_mode/alipay_root_cert"),
    )
    .unwrap();
    assert_eq!(mode.app_cert_sn(), both.settings["cert_mode"]["app_cert_sn"]);
    assert_eq!(mode.alipay_root_cert_sn(), both.settings["cert_mode"]["alipay_root_cert_sn"]);
    let client = client(&both).with_certificate_mode(mode).with_aes_key(AesKey::from_base64(&aes_key).unwrap());
    let sent = call(&client, "bin-2");
    assert_eq!(sent.alipay_cert_sn(), both.settings["cert_mode"]["alipay_cert_sn"].as_str());
    assert!(both.settings["cert_mode"]["next_alipay_cert"].is_string());
}

#[test]
fn bad_settings_stop_the_binary_with_a_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_alipay-local-gateway"))
        .args(["--port", "0", "--aes-key", "short"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--aes-key"), "{stderr}");
    assert!(output.stdout.is_empty());
}
