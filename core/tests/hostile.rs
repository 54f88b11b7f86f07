//! Hostile inputs: each gets a typed error (never a panic), in time linear in its size; and no error
//! or Debug string ever carries key material.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::disallowed_types
)] // test code: reads fixtures and fails loudly

use std::time::{Duration, Instant};

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    sign_response_body, AlipayPublicKey, AppPrivateKey, Charset, Client, ClientOptions, Config, NotifyParams,
    NotifyVersion, PrivateKey, Request, RequestOptions, SignType, Timestamp,
};

const METHOD: &str = "alipay.marketing.voucher.query";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn client(charset: Charset) -> Client {
    let mut config = Config::new("2021000000000001");
    config.charset = charset;
    Client::new(
        config,
        AppPrivateKey::parse(&read("keys/app_2048.private.pkcs1.pem")).unwrap(),
        AlipayPublicKey::parse(&read("keys/alipay_2048.public.spki.pem")).unwrap(),
    )
}

fn alipay_key() -> PrivateKey<Alipay> {
    PrivateKey::parse(&read("keys/alipay_2048.private.pkcs8.pem")).unwrap()
}

fn signed_body(node: &str) -> Vec<u8> {
    sign_response_body(
        "alipay_marketing_voucher_query_response",
        node,
        None,
        Charset::Utf8,
        SignType::Rsa2,
        &alipay_key(),
    )
    .unwrap()
}

/// The error code a body gets, through the client.
fn verdict(charset: Charset, body: &[u8]) -> String {
    match client(charset).verify_response(METHOD, body) {
        Ok(_) => "verified".to_owned(),
        Err(e) => e.code().to_owned(),
    }
}

fn with_member(node: &str, member: &str) -> String {
    format!("{{\"alipay_marketing_voucher_query_response\":{node},{member}}}")
}

#[test]
fn malformed_bodies_get_typed_errors() {
    let node = r#"{"code":"10000","msg":"Success"}"#;
    let good = String::from_utf8(signed_body(node)).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "malformed_response"),
        ("NUL bytes", b"\0\0\0".to_vec(), "malformed_response"),
        ("NUL inside a string", good.replacen("Success", "Suc\0cess", 1).into_bytes(), "malformed_response"),
        ("a control byte in a string", good.replacen("Success", "Suc\u{1}cess", 1).into_bytes(), "malformed_response"),
        (
            "invalid UTF-8 in the node, signature over other bytes",
            good.replacen("Success", "Suc\u{fffd}", 1)
                .replace('\u{fffd}', "\u{0}")
                .into_bytes()
                .iter()
                .map(|&b| if b == 0 { 0xFF } else { b })
                .collect(),
            "signature_mismatch",
        ),
        ("array body", b"[1,2]".to_vec(), "malformed_response"),
        ("sign not base64", with_member(node, "\"sign\":\"***not base64***\"").into_bytes(), "signature_encoding"),
        ("sign a number", with_member(node, "\"sign\":12").into_bytes(), "malformed_response"),
        ("sign empty", with_member(node, "\"sign\":\"\"").into_bytes(), "missing_signature"),
        ("signature of the wrong length", with_member(node, "\"sign\":\"AAAA\"").into_bytes(), "signature_mismatch"),
        (
            "node is a number",
            b"{\"alipay_marketing_voucher_query_response\":1,\"sign\":\"AAAA\"}".to_vec(),
            "malformed_response",
        ),
        (
            "node is an array",
            b"{\"alipay_marketing_voucher_query_response\":[],\"sign\":\"AAAA\"}".to_vec(),
            "malformed_response",
        ),
        ("duplicate sign", with_member(node, "\"sign\":\"AAAA\",\"sign\":\"AAAA\"").into_bytes(), "duplicate_member"),
        (
            "escaped duplicate node name",
            format!("{},\"alipay_marketing_voucher_query_respons\\u0065\":{{}}}}", &good[..good.len() - 1])
                .into_bytes(),
            "duplicate_member",
        ),
        (
            "both a node and error_response",
            with_member(node, "\"error_response\":{},\"sign\":\"AAAA\"").into_bytes(),
            "duplicate_member",
        ),
        (
            "unsigned success",
            format!("{{\"alipay_marketing_voucher_query_response\":{node}}}").into_bytes(),
            "missing_signature",
        ),
        ("trailing garbage", [good.as_bytes(), b"}"].concat(), "malformed_response"),
    ];
    for (name, body, expected) in cases {
        assert_eq!(verdict(Charset::Utf8, &body), expected, "{name}");
    }
}

#[test]
fn invalid_utf8_signed_by_the_gateway_is_a_typed_error_not_text() {
    use alipay_openapi::Signer;
    let node: &[u8] = b"{\"code\":\"10000\",\"msg\":\"\xFF\xFE\"}";
    let signature = alipay_key().sign(SignType::Rsa2, node).unwrap();
    let sign = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, signature);
    let body =
        [b"{\"alipay_marketing_voucher_query_response\":".as_slice(), node, b",\"sign\":\"", sign.as_bytes(), b"\"}"]
            .concat();
    assert_eq!(verdict(Charset::Utf8, &body), "undecodable_bytes");
}

#[test]
fn invalid_gbk_is_a_typed_error() {
    // 0x81 0x20 is not a GBK sequence.
    let body = b"{\"alipay_marketing_voucher_query_response\":{\"msg\":\"\x81\x20\"},\"sign\":\"AAAA\"}";
    assert_eq!(verdict(Charset::Gbk, body), "undecodable_bytes");
}

#[test]
fn non_string_fields_are_tolerated_or_refused_without_panicking() {
    // code as a number and sub_code as an object: still a verified node; the values are read leniently.
    let node = r#"{"code":10000,"msg":null,"sub_code":{"a":1},"n":[1,2,{"x":"y"}]}"#;
    let verified = client(Charset::Utf8).verify_response(METHOD, &signed_body(node)).unwrap();
    assert_eq!(verified.code(), "10000");
    assert_eq!(verified.msg(), "");
    assert_eq!(verified.sub_code(), None);
}

#[test]
fn deep_nesting_and_many_members_are_bounded() {
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200_000), "]".repeat(200_000));
    let body = with_member(&deep, "\"sign\":\"AAAA\"");
    assert_eq!(verdict(Charset::Utf8, body.as_bytes()), "malformed_response");

    let members: String = (0..20_000).map(|i| format!("\"m{i}\":{i},")).collect();
    let wide =
        format!("{{{members}\"alipay_marketing_voucher_query_response\":{{\"code\":\"10000\"}},\"sign\":\"AAAA\"}}");
    assert_eq!(verdict(Charset::Utf8, wide.as_bytes()), "signature_mismatch");
}

#[test]
fn a_10_mb_body_is_rejected_in_linear_time() {
    fn body_of(size: usize) -> Vec<u8> {
        let filler = "x".repeat(size);
        let node = format!(r#"{{"code":"10000","msg":"Success","pad":"{filler}"}}"#);
        with_member(&node, "\"sign\":\"AAAA\"").into_bytes()
    }
    // The default limit (4 MiB) refuses the 10 MB body unread; raised, the body is scanned.
    assert_eq!(verdict(Charset::Utf8, &body_of(10 << 20)), "body_too_large");
    let mut config = Config::new("2021000000000001");
    config.max_body_bytes = 16 << 20;
    let raised = Client::without_keys(config)
        .with_alipay_public_key(AlipayPublicKey::parse(&read("keys/alipay_2048.public.spki.pem")).unwrap());
    // Best of three, to keep a busy machine's noise out of the comparison.
    let time = |body: &[u8]| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                assert_eq!(raised.verify_response(METHOD, body).unwrap_err().code(), "signature_mismatch");
                started.elapsed()
            })
            .min()
            .unwrap()
    };
    let small = body_of(2 << 20);
    let large = body_of(10 << 20);
    let (t_small, t_large) = (time(&small).max(Duration::from_micros(200)), time(&large));
    // Five times the bytes: linear work takes about 5x; quadratic work would take 25x.
    assert!(t_large < t_small * 12, "2 MB: {t_small:?}, 10 MB: {t_large:?}");
    assert!(t_large < Duration::from_secs(5), "10 MB took {t_large:?}");
}

#[test]
fn hostile_notifications_get_typed_errors() {
    let c = client(Charset::Utf8);
    let cases: Vec<(&[u8], &str)> = vec![
        (b"a=1&a=2&sign=AAAA", "malformed_notification"),
        (b"a=%zz", "malformed_notification"),
        (b"a=1&charset=latin1&sign=AAAA", "unsupported_charset"),
        (b"a=%FF&sign=AAAA", "undecodable_bytes"),
        (b"a=1", "missing_signature"),
        (b"a=1&sign=", "missing_signature"),
        (b"a=1&sign=%%%", "malformed_notification"),
        (b"a=1&sign=not*base64", "signature_encoding"),
        (b"a=1&sign_type=MD5&sign=AAAA", "unsupported_sign_type"),
        (b"a=1&sign_type=RSA&sign=AAAA", "invalid_field"),
        (b"=1&sign=AAAA", "malformed_notification"),
        (b"a=1&sign=AAAA", "signature_mismatch"),
    ];
    for (body, expected) in cases {
        let result =
            NotifyParams::from_form(body, Charset::Utf8).and_then(|p| c.verify_notification(p, NotifyVersion::V1));
        assert_eq!(result.unwrap_err().code(), expected, "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn hostile_request_parameters_get_typed_errors() {
    let c = client(Charset::Gbk);
    let now = Timestamp::from_unix_secs(0);
    let cases = [
        (Request::new("alipay.marketing.voucher.query").param("sign", "x"), "invalid_field"),
        (Request::new("alipay.marketing.voucher.query").param("app_id", "x"), "invalid_field"),
        (Request::new("alipay.marketing.voucher.query").param("Bad-Key", "x"), "invalid_field"),
        (Request::new("alipay.marketing.voucher.query").param("k", "  "), "invalid_field"),
        (Request::new("not a method"), "invalid_field"),
        (Request::new(""), "invalid_field"),
        (Request::new("alipay.marketing.voucher.query").biz_content("{\"memo\":\"😀\"}"), "unencodable_text"),
        (Request::new("alipay.marketing.voucher.query").notify_url("https://x/😀"), "unencodable_text"),
    ];
    for (request, expected) in cases {
        let err = c.sign(&request, now).unwrap_err();
        assert_eq!(err.code(), expected, "{request:?}");
        assert!(!err.to_string().is_empty());
    }
    let err = c.sign(&Request::new("alipay.marketing.voucher.query").notify_url("https://x/😀"), now).unwrap_err();
    assert!(err.to_string().contains("notify_url"), "{err}");
}

/// Collects every error and Debug string a battery of bad inputs produces, and checks that none of
/// them contains any 12-character piece of a private key's base64.
/// Secrets other than the private key, each at least 12 characters of base64 so pieces are checked.
const AES_KEY: &str = "aa4BtZ4tspm2wnXLb1ThQA==";
const APP_AUTH_TOKEN: &str = "202405BBf3c9c0e5a7d24b8e9f0a1b2c3d4e5X59";

/// The Debug and error strings of every type that holds the private key, the AES key or an
/// `app_auth_token`: options, parts, client, config, requests at every stage, pending checks, and
/// the errors of a bad option value and of a body over the limit.
fn secret_bearing_strings(private_key: &str) -> Vec<String> {
    let options = ClientOptions::from_value(&serde_json::json!({
        "app_id": "2021000000000001",
        "private_key": private_key,
        "alipay_public_key": read("keys/alipay_2048.public.spki.pem"),
        "aes_key": AES_KEY,
        "app_auth_token": APP_AUTH_TOKEN,
        "max_body_bytes": 100_000,
    }))
    .unwrap();
    let parts = options.parts().unwrap();
    let mut out = vec![format!("{options:?}"), format!("{parts:?}"), format!("{:?}", parts.config)];
    let client = options.build().unwrap();
    out.push(format!("{client:?}"));
    let request_options = RequestOptions::from_value(&serde_json::json!({
        "method": METHOD, "biz_content": "{}", "app_auth_token": APP_AUTH_TOKEN,
        "params": {"auth_token": APP_AUTH_TOKEN},
    }))
    .unwrap();
    out.push(format!("{request_options:?}"));
    let request = request_options.to_request().unwrap();
    out.push(format!("{request:?}"));
    out.push(format!("{:?}", client.prepare(&request, Timestamp::from_unix_secs(0)).unwrap()));
    out.push(format!("{:?}", client.sign(&request, Timestamp::from_unix_secs(0)).unwrap()));
    let pending = client.begin_verify_response(METHOD, &signed_body(r#"{"code":"10000","msg":"Success"}"#)).unwrap();
    out.push(format!("{:?} {:?}", pending, pending.check()));
    let form = format!("app_id=2021000000000001&auth_token={APP_AUTH_TOKEN}&sign=YWJj");
    let pending = client.begin_verify_notification(
        client.notification_form(form.as_bytes(), Charset::Utf8).unwrap(),
        NotifyVersion::V1,
    );
    out.push(format!("{:?}", pending.unwrap()));
    for (name, value) in [("aes_key", "not base64!"), ("aes_key", &AES_KEY[..12]), ("max_body_bytes", "0")] {
        let value = if name == "max_body_bytes" { serde_json::json!(0) } else { serde_json::json!(value) };
        let error = ClientOptions::from_value(&serde_json::json!({"app_id": "2021000000000001", name: value}))
            .and_then(|options| options.build())
            .unwrap_err();
        out.push(format!("{error} {error:?} {:?}", error.details(None)));
    }
    let too_large = client.verify_response(METHOD, &vec![b' '; 100_001]).unwrap_err();
    assert_eq!(too_large.code(), "body_too_large");
    out.push(format!("{too_large} {too_large:?} {:?}", too_large.details(None)));
    out
}

#[test]
fn no_error_or_debug_string_carries_key_material() {
    let private_texts = [read("keys/app_2048.private.pkcs1.pem"), read("keys/app_2048.private.pkcs8.b64")];
    let mut produced = Vec::new();
    for text in &private_texts {
        let key = AppPrivateKey::parse(text).unwrap();
        produced.push(format!("{key:?}"));
        produced.push(format!("{:?}", key.public_key()));
        produced.push(format!("{:?}", client(Charset::Utf8)));
        for broken in [&text[..text.len() / 2], &text[10..], &text.replace('M', "*")] {
            if let Err(e) = AppPrivateKey::parse(broken) {
                produced.push(e.to_string());
                produced.push(format!("{e:?}"));
            }
            if let Err(e) = AlipayPublicKey::parse(broken) {
                produced.push(e.to_string());
                produced.push(format!("{e:?}"));
            }
        }
        if let Err(e) = AlipayPublicKey::parse(text) {
            produced.push(format!("{e} {e:?}"));
        }
    }
    let signed =
        client(Charset::Utf8).sign(&Request::new(METHOD).biz_content("{}"), Timestamp::from_unix_secs(0)).unwrap();
    produced.push(format!("{signed:?}"));
    produced.extend(secret_bearing_strings(&private_texts[0]));
    assert!(produced.len() > 10);
    let secrets = private_texts.iter().cloned().chain([AES_KEY.to_owned(), APP_AUTH_TOKEN.to_owned()]);
    for text in &secrets.collect::<Vec<_>>() {
        let material: String =
            text.lines().filter(|l| !l.starts_with("-----")).collect::<String>().split_whitespace().collect();
        for piece in material.as_bytes().chunks(12).filter(|c| c.len() == 12) {
            let piece = std::str::from_utf8(piece).unwrap();
            for output in &produced {
                assert!(!output.contains(piece), "key material `{piece}` leaked into `{output}`");
            }
        }
    }
}
