//! AES content encryption (`encrypt_type=AES`): the key type, requests (encrypt then sign) and
//! responses (verify then decrypt), against tests/vectors/protocol-examples.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::disallowed_types
)] // test code: reads fixtures and fails loudly

use alipay_openapi::{
    sign_response_body, AesKey, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, Error, PrivateKey, Request,
    SignType, Signer as _, Timestamp, Verifier as _,
};
use base64::Engine as _;
use serde_json::Value;

const METHOD: &str = "alipay.marketing.voucher.send";
const NODE_KEY: &str = "alipay_marketing_voucher_send_response";

fn example(file: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/protocol-examples/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
}

fn responses() -> Value {
    serde_json::from_str(&example("responses.json")).unwrap()
}

fn response(name: &str) -> String {
    responses()[name].as_str().unwrap().to_owned()
}

fn key() -> AesKey {
    AesKey::from_base64(&example("aes_key.txt")).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn client(key: Option<AesKey>) -> Client {
    let client = Client::new(
        Config::new("2021000000000001"),
        AppPrivateKey::parse(&example("app_private_pkcs1.pem")).unwrap(),
        AlipayPublicKey::parse(&example("alipay_public.pem")).unwrap(),
    );
    match key {
        Some(key) => client.with_aes_key(key),
        None => client,
    }
}

fn alipay_signer() -> PrivateKey<alipay_openapi::keys::role::Alipay> {
    PrivateKey::parse(&example("alipay_private_pkcs1.pem")).unwrap()
}

fn aes_message(error: &Error) -> String {
    assert_eq!(error.code(), "aes_error", "{error}");
    error.to_string()
}

#[test]
fn the_key_is_read_from_base64_and_never_shown() {
    let key = key();
    assert_eq!(key.bits(), 128);
    let debug = format!("{key:?} {:?}", client(Some(key.clone())));
    assert!(debug.contains("<redacted>"), "{debug}");
    let raw = base64::engine::general_purpose::STANDARD.decode(example("aes_key.txt").trim()).unwrap();
    assert!(!debug.contains(example("aes_key.txt").trim()), "{debug}");
    assert!(!debug.contains(&format!("{raw:?}")), "{debug}");
    assert_eq!(AesKey::from_base64(&b64(&[7; 24])).unwrap().bits(), 192);
    assert_eq!(AesKey::from_bytes(&[7; 32]).unwrap().bits(), 256);
}

#[test]
fn bad_keys_are_typed_errors() {
    for len in [0, 8, 15, 17, 31, 33, 64] {
        let message = aes_message(&AesKey::from_base64(&b64(&vec![1; len])).unwrap_err());
        assert!(message.contains(&format!("{len} bytes")) && message.contains("16 bytes"), "{message}");
        assert_eq!(AesKey::from_bytes(&vec![1; len]).unwrap_err().code(), "aes_error");
    }
    for text in ["not base64!", "Oa8qH9nFIKE04ycK448HwQ", "Oa8q H9nFIKE04ycK448HwQ=="] {
        let message = aes_message(&AesKey::from_base64(text).unwrap_err());
        assert!(message.contains("base64"), "{message}");
        assert!(!message.contains(text), "the message must not echo the key: {message}");
    }
}

#[test]
fn encryption_matches_the_vector_and_openssl() {
    let responses = responses();
    let plain = responses["_aes_plain"].as_str().unwrap();
    let ciphertext = responses["_aes_ciphertext"].as_str().unwrap();
    assert_eq!(key().encrypt(plain.as_bytes()).unwrap(), ciphertext);
    assert_eq!(key().decrypt(ciphertext).unwrap(), plain.as_bytes());
    // `printf %s "$plain" | openssl enc -aes-{256,192}-cbc -K 000102… -iv 0 | base64 -w0`
    let key_256 = AesKey::from_bytes(&(0..32).collect::<Vec<u8>>()).unwrap();
    let expected_256 = "r6OfApVsCbIuS0AjWlqaoadU6gS4zguqkoZUPWXuXFLmEfaU6+bWouItSOxEnHGD6tSgg53EmR94n0mVLImNgA==";
    assert_eq!(key_256.encrypt(plain.as_bytes()).unwrap(), expected_256);
    assert_eq!(key_256.decrypt(expected_256).unwrap(), plain.as_bytes());
    let key_192 = AesKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYX").unwrap();
    let expected_192 = "lDIwAfNFlaIOsj6cjSBIKI3HcLFqdqHdKnUsT3sL7CcgxtD5JFDdVfuY2w7sYbkqDgVJPGhm35t8C+wrWeRWLA==";
    assert_eq!(key_192.encrypt(plain.as_bytes()).unwrap(), expected_192);
    // PKCS#7 always pads: an empty text is one block, a full block gains a second one.
    assert_eq!(key().decrypt(&key().encrypt(b"").unwrap()).unwrap(), b"");
    let sixteen = key().encrypt(&[b'x'; 16]).unwrap();
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&sixteen).unwrap().len(), 32);
}

#[test]
fn bad_ciphertexts_are_typed_errors() {
    let key = key();
    let message = aes_message(&key.decrypt("not base64 at all").unwrap_err());
    assert!(message.contains("not standard base64"), "{message}");
    for len in [0, 1, 15, 17, 33] {
        let message = aes_message(&key.decrypt(&b64(&vec![0; len])).unwrap_err());
        assert!(message.contains(&format!("{len} bytes")) && message.contains("multiple of the 16-byte"), "{message}");
    }
    let wrong = AesKey::from_bytes(&[1; 16]).unwrap();
    let message = aes_message(&wrong.decrypt(responses()["_aes_ciphertext"].as_str().unwrap()).unwrap_err());
    assert!(message.contains("padding") && message.contains("key is wrong"), "{message}");
}

#[test]
fn requests_are_encrypted_then_signed() {
    let biz = r#"{"activity_id":"20240513","out_biz_no":"测试-1"}"#;
    let timestamp = Timestamp::from_unix_millis(1_715_593_760_000);
    let request = Request::new(METHOD).biz_content(biz);
    let signed = client(Some(key())).sign(&request, timestamp).unwrap();
    let sent = &signed.params()["biz_content"];
    assert_ne!(sent, biz);
    assert_eq!(sent, &key().encrypt(biz.as_bytes()).unwrap());
    assert_eq!(key().decrypt(sent).unwrap(), biz.as_bytes());
    assert_eq!(signed.params()["encrypt_type"], "AES");
    assert!(signed.sign_content().contains(&format!("biz_content={sent}&")), "{}", signed.sign_content());
    assert!(signed.sign_content().contains("&encrypt_type=AES&"), "{}", signed.sign_content());
    assert!(!signed.sign_content().contains("out_biz_no"));
    assert!(signed.url().contains("&encrypt_type=AES&"), "{}", signed.url());
    let body = String::from_utf8(signed.body().to_vec()).unwrap();
    assert!(body.starts_with("biz_content=") && !body.contains("out_biz_no"), "{body}");
    let signature = base64::engine::general_purpose::STANDARD.decode(signed.signature()).unwrap();
    let app_public = AlipayPublicKey::parse(&example("app_public.pem")).unwrap();
    app_public.verify(SignType::Rsa2, signed.sign_content().as_bytes(), &signature).unwrap();

    // Without a key nothing changes.
    let plain = client(None).sign(&request, timestamp).unwrap();
    assert_eq!(plain.params()["biz_content"], biz);
    assert!(!plain.params().contains_key("encrypt_type"));
    // A request without biz_content has nothing to encrypt.
    let empty = client(Some(key())).sign(&Request::new(METHOD), timestamp).unwrap();
    assert!(!empty.params().contains_key("encrypt_type"));
}

#[test]
fn gbk_requests_encrypt_the_gbk_bytes() {
    let mut config = Config::new("2021000000000001");
    config.charset = Charset::Gbk;
    let client = Client::new(
        config,
        AppPrivateKey::parse(&example("app_private_pkcs1.pem")).unwrap(),
        AlipayPublicKey::parse(&example("alipay_public.pem")).unwrap(),
    )
    .with_aes_key(key());
    let biz = r#"{"memo":"优酷"}"#;
    let signed = client.sign(&Request::new(METHOD).biz_content(biz), Timestamp::from_unix_secs(0)).unwrap();
    let decrypted = key().decrypt(&signed.params()["biz_content"]).unwrap();
    assert_eq!(decrypted, b"{\"memo\":\"\xd3\xc5\xbf\xe1\"}");
}

#[test]
fn the_encrypted_response_vector_verifies_and_decrypts() {
    let body = response("encrypted");
    let verified = client(Some(key())).verify_response(METHOD, body.as_bytes()).unwrap();
    let plain = response("_aes_plain");
    assert_eq!(verified.node_key(), NODE_KEY);
    assert_eq!(verified.node_text(), plain);
    assert_eq!(Value::Object(verified.value().clone()), serde_json::from_str::<Value>(&plain).unwrap());
    assert_eq!(verified.value()["voucher_id"], "v1");
    assert!(verified.into_success().is_ok());

    let message = aes_message(&client(None).verify_response(METHOD, body.as_bytes()).unwrap_err());
    assert!(message.contains("no AES key"), "{message}");
}

#[test]
fn a_tampered_ciphertext_fails_the_signature_before_decryption() {
    let body = response("encrypted");
    let ciphertext = response("_aes_ciphertext");
    // Swap two base64 characters: still valid base64 and whole blocks, so only the signature can tell.
    let tampered_text = ciphertext.replacen("oVog", "oVoh", 1);
    assert_ne!(tampered_text, ciphertext);
    let tampered = body.replace(&ciphertext, &tampered_text);
    let error = client(Some(key())).verify_response(METHOD, tampered.as_bytes()).unwrap_err();
    assert_eq!(error, Error::SignatureMismatch);
}

#[test]
fn a_wrong_key_is_an_error_never_garbage() {
    let body = response("encrypted");
    let without_key = client(None);
    let (mut bad_padding, mut not_json) = (0, 0);
    for i in 0..2000u32 {
        let mut bytes = [0u8; 16];
        bytes[..4].copy_from_slice(&i.to_be_bytes());
        let client = without_key.clone().with_aes_key(AesKey::from_bytes(&bytes).unwrap());
        let error = client.verify_response(METHOD, body.as_bytes()).unwrap_err();
        let message = aes_message(&error);
        if message.contains("padding") {
            bad_padding += 1;
        } else {
            assert!(message.contains("not utf-8 JSON"), "{message}");
            not_json += 1;
        }
    }
    // Most wrong keys break the padding; the few that leave valid-looking padding decrypt to bytes
    // that are not a JSON object, which is an AES error too.
    assert!(bad_padding > 1900 && not_json > 0, "{bad_padding} {not_json}");
}

#[test]
fn error_nodes_stay_plaintext_and_verify_as_usual() {
    let client = client(Some(key()));
    let error = client.verify_response(METHOD, response("error_response_signed").as_bytes()).unwrap();
    assert_eq!(error.node_key(), "error_response");
    assert_eq!((error.code(), error.sub_code()), ("40002", Some("isv.invalid-app-id")));
    let business = client.verify_response(METHOD, response("biz_error_signed").as_bytes()).unwrap();
    assert_eq!(business.into_success().unwrap_err().gateway().unwrap().sub_code.as_deref(), Some("INVALID_PARAMETER"));
    let normal = client.verify_response(METHOD, response("normal").as_bytes()).unwrap();
    assert!(normal.is_success());
}

#[test]
fn gbk_responses_decrypt_to_gbk_text() {
    let node = r#"{"code":"10000","msg":"Success","memo":"优酷 倉乗"}"#;
    let ciphertext = key().encrypt(&Charset::Gbk.encode("node", node).unwrap()).unwrap();
    let body = sign_response_body(
        NODE_KEY,
        &format!("\"{ciphertext}\""),
        None,
        Charset::Gbk,
        SignType::Rsa2,
        &alipay_signer(),
    )
    .unwrap();
    let mut config = Config::new("2021000000000001");
    config.charset = Charset::Gbk;
    let client = Client::without_keys(config)
        .with_alipay_public_key(AlipayPublicKey::parse(&example("alipay_public.pem")).unwrap())
        .with_aes_key(key());
    let verified = client.verify_response(METHOD, &body).unwrap();
    assert_eq!(verified.node_text(), node);
    assert_eq!(verified.value()["memo"], "优酷 倉乗");
    // The signature covers the quoted ciphertext, quotes included.
    let signature = alipay_signer().sign(SignType::Rsa2, ciphertext.as_bytes()).unwrap();
    let unquoted = String::from_utf8(body.clone()).unwrap().replace(
        &serde_json::from_slice::<Value>(&body).unwrap()["sign"].as_str().unwrap().to_owned(),
        &b64(&signature),
    );
    assert_eq!(client.verify_response(METHOD, unquoted.as_bytes()).unwrap_err(), Error::SignatureMismatch);
}
