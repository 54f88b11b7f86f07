//! Property tests of the protocol invariants.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::disallowed_types
)] // test code: reads fixtures and fails loudly

use std::collections::BTreeMap;
use std::sync::OnceLock;

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    sign_response_body, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, NotifyParams, NotifyVersion,
    PrivateKey, Request, SignType, Signer, Timestamp, Verifier,
};
use base64::Engine as _;
use proptest::prelude::*;

fn key_text(file: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/keys/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

struct Keys {
    app: AppPrivateKey,
    alipay: PrivateKey<Alipay>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        app: AppPrivateKey::parse(&key_text("app_2048.private.pkcs1.pem")).unwrap(),
        alipay: PrivateKey::parse(&key_text("alipay_2048.private.pkcs8.pem")).unwrap(),
    })
}

fn client(charset: Charset) -> Client {
    let mut config = Config::new("2021000000000001");
    config.charset = charset;
    Client::new(config, keys().app.clone(), keys().alipay.public_key())
}

/// Text that GBK can encode: ASCII plus common CJK, with the characters that matter to the wire form.
fn gbk_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('&'),
            Just('='),
            Just('+'),
            Just('%'),
            Just(' '),
            Just('"'),
            Just('\\'),
            Just('/'),
            Just('乗'),
            Just('倉'),
            Just('券'),
            proptest::char::range('a', 'z'),
            proptest::char::range('0', '9'),
            proptest::char::range('\u{4e00}', '\u{4fff}'),
        ],
        0..24,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Any text, including astral characters (UTF-8 only).
fn any_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>().prop_filter("no NUL", |c| *c != '\0'), 0..24)
        .prop_map(|chars| chars.into_iter().collect())
}

fn param_map(values: impl Strategy<Value = String>) -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map("[a-z][a-z_]{0,11}", values, 0..6)
}

fn parse_form(text: &[u8], charset: Charset) -> BTreeMap<String, String> {
    let params = NotifyParams::from_form(text, charset).unwrap();
    params.fields().clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// What is signed is exactly what is sent, and the gateway side can verify it from the wire.
    #[test]
    fn signed_equals_sent_and_verifies(params in param_map(gbk_text()), biz in gbk_text(), gbk in any::<bool>()) {
        let charset = if gbk { Charset::Gbk } else { Charset::Utf8 };
        let client = client(charset);
        let mut request = Request::new("alipay.marketing.voucher.send").biz_content(biz.clone());
        for (k, v) in &params {
            request = request.param(k.clone(), v.clone());
        }
        let signed = match client.sign(&request, Timestamp::from_unix_secs(1_715_593_760)) {
            Ok(signed) => signed,
            Err(e) => {
                // Reserved names and whitespace-only values are the only refusals.
                prop_assert!(e.code() == "invalid_field", "{e}");
                return Ok(());
            }
        };
        let query = signed.url().split_once('?').unwrap().1.as_bytes().to_vec();
        let mut sent = parse_form(&[query.as_slice(), b"&", signed.body()].concat(), charset);
        let sign = sent.remove("sign").unwrap();
        prop_assert_eq!(&sent, signed.params());
        prop_assert!(sent.values().all(|v| !v.is_empty()));
        for (k, v) in &params {
            if !v.is_empty() {
                prop_assert_eq!(sent.get(k), Some(v));
            }
        }
        let content = alipay_openapi::sign_content(sent.iter().map(|(k, v)| (k.as_str(), v.as_str())), &[], false);
        prop_assert_eq!(&content, signed.sign_content());
        let signature = base64::engine::general_purpose::STANDARD.decode(sign).unwrap();
        keys().app.public_key().verify(SignType::Rsa2, &charset.encode("c", &content).unwrap(), &signature).unwrap();
    }

    /// Sign then verify round-trips for any node text; flipping any byte of the node or the
    /// signature is rejected.
    #[test]
    fn response_round_trip_and_tamper(memo in any_text(), flip in any::<prop::sample::Index>(), in_sig in any::<bool>()) {
        let node = serde_json::json!({"code": "10000", "msg": "Success", "memo": memo}).to_string();
        let body = sign_response_body("alipay_marketing_voucher_query_response", &node, None, Charset::Utf8, SignType::Rsa2, &keys().alipay).unwrap();
        let client = client(Charset::Utf8);
        let verified = client.verify_response("alipay.marketing.voucher.query", &body).unwrap();
        prop_assert_eq!(verified.node_text(), node.as_str());

        let raw_sig = keys().alipay.sign(SignType::Rsa2, node.as_bytes()).unwrap();
        let verifier = keys().alipay.public_key();
        if in_sig {
            let mut bad = raw_sig.clone();
            let i = flip.index(bad.len());
            bad[i] ^= 0x01;
            prop_assert!(verifier.verify(SignType::Rsa2, node.as_bytes(), &bad).is_err());
            let tampered = sign_response_body_with_signature(&node, &bad);
            prop_assert_eq!(client.verify_response("alipay.marketing.voucher.query", &tampered).unwrap_err().code(), "signature_mismatch");
        } else {
            let mut bad = node.clone().into_bytes();
            let i = flip.index(bad.len());
            bad[i] ^= 0x01;
            prop_assert!(verifier.verify(SignType::Rsa2, &bad, &raw_sig).is_err());
            let mut tampered_body = body.clone();
            let start = tampered_body.windows(node.len()).position(|w| w == node.as_bytes()).unwrap();
            tampered_body[start + i] ^= 0x01;
            prop_assert!(client.verify_response("alipay.marketing.voucher.query", &tampered_body).is_err());
        }
    }

    /// The same JSON value with different whitespace is still rejected: only the exact bytes verify.
    #[test]
    fn reformatted_nodes_are_rejected(memo in gbk_text()) {
        let node = serde_json::json!({"code": "10000", "msg": "Success", "memo": memo}).to_string();
        let body = sign_response_body("alipay_marketing_voucher_query_response", &node, None, Charset::Utf8, SignType::Rsa2, &keys().alipay).unwrap();
        let pretty = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&node).unwrap()).unwrap();
        let text = String::from_utf8(body).unwrap().replacen(&node, &pretty, 1);
        let result = client(Charset::Utf8).verify_response("alipay.marketing.voucher.query", text.as_bytes());
        prop_assert_eq!(result.unwrap_err().code(), "signature_mismatch");
    }

    /// GBK and UTF-8 agree on ASCII content: same sign content bytes, same signature.
    #[test]
    fn gbk_and_utf8_agree_on_ascii(params in param_map("[ -~]{0,16}")) {
        let mut request = Request::new("alipay.marketing.voucher.query").biz_content("{\"voucher_id\":\"1\"}");
        for (k, v) in &params {
            request = request.param(k.clone(), v.clone());
        }
        let ts = Timestamp::from_unix_secs(0);
        let utf8 = client(Charset::Utf8).prepare(&request, ts);
        let gbk = client(Charset::Gbk).prepare(&request, ts);
        if let (Ok(utf8), Ok(gbk)) = (utf8, gbk) {
            let utf8_text = utf8.sign_content().replace("charset=utf-8", "charset=GBK");
            prop_assert_eq!(utf8_text.as_bytes(), gbk.sign_content_bytes());
        }
    }

    /// GBK round trip: text GBK encodes decodes back unchanged, through a notification.
    #[test]
    fn gbk_notification_round_trip(fields in param_map(gbk_text())) {
        let mut fields = fields;
        fields.insert("charset".to_owned(), "GBK".to_owned());
        fields.insert("app_id".to_owned(), "2021000000000001".to_owned());
        fields.insert("sign_type".to_owned(), "RSA2".to_owned());
        let content = alipay_openapi::sign_content(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), &["sign_type"], true);
        let signature = keys().alipay.sign(SignType::Rsa2, &Charset::Gbk.encode("n", &content).unwrap()).unwrap();
        fields.insert("sign".to_owned(), base64::engine::general_purpose::STANDARD.encode(signature));
        let mut body = String::new();
        for (k, v) in &fields {
            if !body.is_empty() { body.push('&'); }
            body.push_str(k);
            body.push('=');
            for b in Charset::Gbk.encode("n", v).unwrap().iter() {
                body.push_str(&format!("%{b:02X}"));
            }
        }
        let params = NotifyParams::from_form(body.as_bytes(), Charset::Utf8).unwrap();
        prop_assert_eq!(params.charset(), Charset::Gbk);
        prop_assert_eq!(params.fields(), &fields);
        let notification = client(Charset::Utf8).verify_notification(params.clone(), NotifyVersion::V1).unwrap();
        prop_assert_eq!(notification.fields(), &fields);
        // Changing one character of any signed field (or adding one to an empty value) is rejected.
        for (k, v) in fields.iter().filter(|(k, _)| !["sign", "sign_type"].contains(&k.as_str())) {
            if k == "charset" {
                continue;
            }
            let mut changed = fields.clone();
            let mut chars: Vec<char> = v.chars().collect();
            match chars.first_mut() {
                Some(first) => *first = if *first == 'a' { 'b' } else { 'a' },
                None => chars.push('a'),
            }
            changed.insert(k.clone(), chars.into_iter().collect());
            let changed = NotifyParams::from_pairs(changed).unwrap();
            prop_assert!(client(Charset::Utf8).verify_notification(changed, NotifyVersion::V1).is_err(), "`{}` changed", k);
        }
    }
}

fn sign_response_body_with_signature(node: &str, signature: &[u8]) -> Vec<u8> {
    let sign = base64::engine::general_purpose::STANDARD.encode(signature);
    format!("{{\"alipay_marketing_voucher_query_response\":{node},\"sign\":\"{sign}\"}}").into_bytes()
}

#[test]
fn a_sha1_signature_never_passes_for_an_rsa2_client() {
    let node = r#"{"code":"10000","msg":"Success"}"#;
    let body = sign_response_body(
        "alipay_marketing_voucher_query_response",
        node,
        None,
        Charset::Utf8,
        SignType::Rsa,
        &keys().alipay,
    )
    .unwrap();
    let err = client(Charset::Utf8).verify_response("alipay.marketing.voucher.query", &body).unwrap_err();
    assert_eq!(err.code(), "signature_mismatch");
}

#[test]
fn the_app_public_key_cannot_stand_in_for_the_alipay_key() {
    let node = r#"{"code":"10000","msg":"Success"}"#;
    let body = sign_response_body(
        "alipay_marketing_voucher_query_response",
        node,
        None,
        Charset::Utf8,
        SignType::Rsa2,
        &keys().alipay,
    )
    .unwrap();
    let wrong: AlipayPublicKey = AlipayPublicKey::parse(&key_text("app_2048.public.spki.pem")).unwrap();
    let client = Client::new(Config::new("2021000000000001"), keys().app.clone(), wrong);
    assert_eq!(
        client.verify_response("alipay.marketing.voucher.query", &body).unwrap_err().code(),
        "signature_mismatch"
    );
}
