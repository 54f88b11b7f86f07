//! OpenAPI v3: the golden cases of the official Node SDK (tests/vectors/v3, made by
//! scripts/v3-golden/generate.mjs) replayed byte for byte, then hostile inputs on both sides.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::disallowed_methods)]

use std::collections::BTreeMap;

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::v3::v3_response_sign_content;
use alipay_openapi::{
    AesKey, AlipayPublicKey, AppPrivateKey, CertificateMode, Charset, Client, Config, Error, Gateway, PrivateKey,
    SignType, Signer, V3Request,
};
use base64::Engine as _;
use proptest::prelude::*;
use serde_json::Value;

const APP_ID: &str = "2021000000000001";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn vectors(file: &str) -> Value {
    serde_json::from_str(&read(&format!("v3/{file}"))).unwrap()
}

fn app_key() -> AppPrivateKey {
    AppPrivateKey::parse(&read("keys/app_2048.private.pkcs1.pem")).unwrap()
}

fn public_key_client(config: Config) -> Client {
    Client::new(config, app_key(), AlipayPublicKey::parse(&read("keys/alipay_2048.public.spki.pem")).unwrap())
}

/// The client the generator's SDK client of that name corresponds to.
fn client(kind: &str) -> Client {
    let config = Config::new(APP_ID);
    match kind {
        "public_key" | "auth_info" => public_key_client(config),
        "aes" => {
            public_key_client(config).with_aes_key(AesKey::from_base64(&read("protocol-examples/aes_key.txt")).unwrap())
        }
        "certificate" => {
            Client::without_keys(config).with_signer(std::sync::Arc::new(app_key())).with_certificate_mode(
                CertificateMode::from_pem(
                    &read("certs/generated/app_cert.pem"),
                    &read("certs/generated/alipay_cert.pem"),
                    &read("certs/generated/root_bundle.pem"),
                )
                .unwrap(),
            )
        }
        other => panic!("unknown client kind {other}"),
    }
}

fn str_pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| (pair[0].as_str().unwrap().to_owned(), pair[1].as_str().unwrap().to_owned()))
        .collect()
}

fn request_from(input: &Value) -> V3Request {
    let mut request = V3Request::new(input["http_method"].as_str().unwrap(), input["path"].as_str().unwrap())
        .request_id(input["request_id"].as_str().unwrap())
        .nonce(input["nonce"].as_str().unwrap())
        .timestamp_millis(input["timestamp"].as_u64().unwrap());
    for (name, value) in str_pairs(&input["path_params"]) {
        request = request.path_param(name, value);
    }
    for (key, value) in str_pairs(&input["query"]) {
        request = request.query(key, value);
    }
    for (key, value) in str_pairs(&input["auth_info"]) {
        request = request.auth_info(key, value);
    }
    if let Some(body) = input["body"].as_str() {
        request = request.body(body);
    }
    if let Some(token) = input["app_auth_token"].as_str() {
        request = request.app_auth_token(token);
    }
    for file in input["files"].as_array().unwrap() {
        let content = base64::engine::general_purpose::STANDARD.decode(file["content_b64"].as_str().unwrap()).unwrap();
        request = request.file(
            file["field"].as_str().unwrap(),
            file["file_name"].as_str().unwrap(),
            file["content_type"].as_str().unwrap(),
            content,
        );
    }
    if let Some(boundary) = input["multipart_boundary"].as_str() {
        request = request.multipart_boundary(boundary);
    }
    request
}

#[test]
fn requests_match_the_node_sdk_byte_for_byte() {
    let cases = vectors("requests.json");
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 9, "the golden file lost cases");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let client = client(case["client"].as_str().unwrap());
        let request = request_from(&case["input"]);
        let captured = &case["captured"];
        let signed = client.sign_v3(&request).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(signed.sign_content(), case["sign_content"].as_str().unwrap(), "{name}: sign content");
        assert_eq!(signed.signature(), case["signature"].as_str().unwrap(), "{name}: signature");
        assert_eq!(signed.http_method(), captured["method"].as_str().unwrap(), "{name}: method");
        assert_eq!(signed.path_with_query(), captured["path"].as_str().unwrap(), "{name}: path");
        assert_eq!(signed.url(), format!("https://openapi.alipay.com{}", signed.path_with_query()), "{name}: url");
        let body = base64::engine::general_purpose::STANDARD.decode(captured["body_b64"].as_str().unwrap()).unwrap();
        assert_eq!(signed.body(), body, "{name}: body");
        let mut ours: BTreeMap<&str, &str> = signed.headers().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut theirs: BTreeMap<&str, &str> =
            captured["headers"].as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect();
        // A known, documented difference (none is signed): ours must be the Java value, theirs another.
        for header in case["divergence"].as_object().unwrap().keys() {
            let expected = client.certificate_mode().map(|mode| mode.alipay_root_cert_sn());
            assert_eq!(header, "alipay-root-cert-sn", "{name}: only the root SN may differ");
            assert_eq!(ours.remove(header.as_str()), expected, "{name}: {header}");
            assert_ne!(theirs.remove(header.as_str()), expected, "{name}: the SDK now agrees on {header}");
        }
        assert_eq!(ours, theirs, "{name}: headers");

        // The two-stage path gives the same request for a signature made elsewhere.
        let unsigned = client.prepare_v3(&request).unwrap();
        assert_eq!(unsigned.sign_content_bytes(), case["sign_content"].as_str().unwrap().as_bytes());
        let signature = base64::engine::general_purpose::STANDARD.decode(case["signature"].as_str().unwrap()).unwrap();
        assert_eq!(unsigned.attach_signature(&signature).unwrap(), signed, "{name}: attach_signature");
    }
}

/// The options model (what the bindings pass) reads every golden input into the same request.
#[test]
fn the_options_model_reads_every_golden_input() {
    for case in vectors("requests.json")["cases"].as_array().unwrap() {
        let mut input = case["input"].clone();
        for file in input["files"].as_array_mut().unwrap() {
            let content = file.as_object_mut().unwrap().remove("content_b64").unwrap();
            file["content"] = content;
        }
        let read = V3Request::from_value(&input).unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
        assert_eq!(read, request_from(&case["input"]), "{}", case["name"]);
    }
    let error = V3Request::from_value(&serde_json::json!({"path": "/v3/x"})).unwrap_err();
    assert_eq!((error.code(), error.field_name()), ("invalid_field", Some("http_method")));
    let error = V3Request::from_value(&serde_json::json!({"http_method": "GET", "path": "/v3/x", "query": [["a"]]}));
    assert_eq!(error.unwrap_err().field_name(), Some("query"));
    let error = V3Request::from_value(&serde_json::json!({"http_method": "GET", "path": "/v3/x", "timestamp": -1}));
    assert_eq!(error.unwrap_err().field_name(), Some("timestamp"));
    let ordered = serde_json::json!({"http_method": "GET", "path": "/v3/x", "query": [["b", "1"], ["a", "2"]]});
    assert_eq!(V3Request::from_value(&ordered).unwrap().path_with_query().unwrap(), "/v3/x?b=1&a=2");
}

#[test]
fn response_verdicts_match_the_node_sdk() {
    let cases = vectors("responses.json");
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 10, "the golden file lost cases");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let client = client(case["client"].as_str().unwrap());
        let status = u16::try_from(case["status"].as_u64().unwrap()).unwrap();
        let headers = str_pairs(&case["headers"]);
        let body = case["body"].as_str().unwrap().as_bytes();
        let sdk = &case["sdk"];
        let result = client.verify_v3_response(status, &headers, body);
        match case["expect"].as_str().unwrap() {
            "ok" => {
                let response = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(response.value(), Some(&sdk["data"]), "{name}: data");
                assert_eq!(response.trace_id(), sdk["trace_id"].as_str(), "{name}: trace id");
                assert_eq!(response.was_encrypted(), case["client"] == "aes", "{name}: encrypted");
                assert_eq!(response.status(), status);
            }
            code => {
                let error = result.expect_err(name);
                assert_eq!(error.code(), code, "{name}: {error}");
                assert_eq!(sdk["ok"], false, "{name}: the SDK accepted it");
                if code == "v3_gateway_error" {
                    let Error::V3Gateway(answer) = &error else { panic!("{name}: {error:?}") };
                    assert_eq!(answer.code, sdk["error"]["code"].as_str().unwrap());
                    assert!(sdk["error"]["message"].as_str().unwrap().starts_with(&answer.message));
                    assert_eq!(answer.trace_id.as_deref(), sdk["error"]["trace_id"].as_str());
                    assert_eq!(answer.links, sdk["error"]["links"]);
                    assert_eq!(u64::from(answer.status), sdk["error"]["http_status"].as_u64().unwrap());
                    let details = error.details(None);
                    assert_eq!(details.verified, Some(false));
                    assert_eq!(details.http_status, Some(status));
                    assert_eq!(details.trace_id.as_deref(), answer.trace_id.as_deref());
                    assert_eq!(details.gateway_code.as_deref(), Some(answer.code.as_str()));
                }
            }
        }
    }
}

// ---- responses: the two stages and hostile inputs -------------------------------------------------

fn alipay_key() -> PrivateKey<Alipay> {
    PrivateKey::parse(&read("keys/alipay_2048.private.pkcs1.pem")).unwrap()
}

const TIMESTAMP: &str = "1715593761234";
const NONCE: &str = "b7d1c2a3e4f5061728394a5b6c7d8e9f";
const BODY: &str = r#"{"trade_no":"2024051322001400001234567890","total_amount":"88.88"}"#;

fn signature_over(timestamp: &str, nonce: &str, body: &[u8]) -> String {
    let signature = alipay_key().sign(SignType::Rsa2, &v3_response_sign_content(timestamp, nonce, body)).unwrap();
    base64::engine::general_purpose::STANDARD.encode(signature)
}

fn signed_headers(body: &[u8]) -> Vec<(String, String)> {
    vec![
        ("Alipay-Timestamp".to_owned(), TIMESTAMP.to_owned()),
        ("alipay-nonce".to_owned(), NONCE.to_owned()),
        ("ALIPAY-SIGNATURE".to_owned(), signature_over(TIMESTAMP, NONCE, body)),
        ("alipay-trace-id".to_owned(), "trace-1".to_owned()),
    ]
}

fn verify(headers: &[(String, String)], body: &[u8]) -> Result<alipay_openapi::V3Response, Error> {
    client("public_key").verify_v3_response(200, headers, body)
}

fn with_header(mut headers: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    headers.retain(|(key, _)| !key.eq_ignore_ascii_case(name));
    headers.push((name.to_owned(), value.to_owned()));
    headers
}

#[test]
fn a_signed_answer_verifies_in_two_stages_with_case_insensitive_names() {
    let headers = signed_headers(BODY.as_bytes());
    let pending = client("public_key").begin_verify_v3_response(200, &headers, BODY.as_bytes()).unwrap();
    let check = pending.check();
    assert_eq!(check.sign_type(), SignType::Rsa2);
    assert_eq!(check.messages(), [format!("{TIMESTAMP}\n{NONCE}\n{BODY}\n").into_bytes()]);
    assert_eq!(
        check.key().spki_der(),
        AlipayPublicKey::parse(&read("keys/alipay_2048.public.spki.pem")).unwrap().spki_der()
    );
    assert_eq!(check.alipay_cert_sn(), None);
    let response = pending.finish_own().unwrap();
    assert_eq!(response.body(), BODY);
    assert_eq!(response.value().unwrap()["total_amount"], "88.88");
    assert_eq!(response.timestamp(), 1_715_593_761_234);
    assert_eq!(response.nonce(), NONCE);
    assert_eq!(response.trace_id(), Some("trace-1"));
    assert!(!response.was_encrypted());

    let pending = client("public_key").begin_verify_v3_response(200, &headers, BODY.as_bytes()).unwrap();
    assert_eq!(pending.finish(None).unwrap_err().code(), "signature_mismatch");
    let pending = client("public_key").begin_verify_v3_response(200, &headers, BODY.as_bytes()).unwrap();
    assert_eq!(pending.finish(Some(1)).unwrap_err().code(), "invalid_field");
}

#[test]
fn an_empty_signed_body_verifies_and_has_no_value() {
    let response = verify(&signed_headers(b""), b"").unwrap();
    assert_eq!(response.body(), "");
    assert_eq!(response.value(), None);
}

#[test]
fn signature_headers_with_line_breaks_or_spaces_are_refused() {
    let body = BODY.as_bytes();
    for name in ["alipay-timestamp", "alipay-nonce", "alipay-signature", "alipay-sn"] {
        for bad in ["1715593761234\n", "a\r\nb", "a b", "\u{7f}"] {
            let error = verify(&with_header(signed_headers(body), name, bad), body).unwrap_err();
            assert_eq!(error.code(), "malformed_response", "{name}={bad:?}: {error}");
        }
    }
}

#[test]
fn duplicated_signature_headers_are_refused() {
    let body = BODY.as_bytes();
    for name in ["alipay-timestamp", "alipay-nonce", "alipay-signature", "alipay-sn"] {
        let mut headers = signed_headers(body);
        let copy = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).cloned();
        headers.push(copy.unwrap_or_else(|| (name.to_owned(), "x".to_owned())));
        headers.push((name.to_ascii_uppercase(), "x".to_owned()));
        let error = verify(&headers, body).unwrap_err();
        assert_eq!(error, Error::DuplicateMember(name.to_owned()), "{name}");
    }
}

#[test]
fn missing_or_non_numeric_timestamps_and_missing_nonces_are_refused() {
    let body = BODY.as_bytes();
    for (name, value) in [
        ("alipay-timestamp", "12a"),
        ("alipay-timestamp", "+1715593761234"),
        ("alipay-timestamp", "-1"),
        ("alipay-timestamp", ""),
        ("alipay-timestamp", "99999999999999999999999"),
        ("alipay-nonce", ""),
    ] {
        let error = verify(&with_header(signed_headers(body), name, value), body).unwrap_err();
        assert_eq!(error.code(), "malformed_response", "{name}={value:?}");
    }
    for name in ["alipay-timestamp", "alipay-nonce"] {
        let mut headers = signed_headers(body);
        headers.retain(|(key, _)| !key.eq_ignore_ascii_case(name));
        assert_eq!(verify(&headers, body).unwrap_err().code(), "malformed_response", "{name} missing");
    }
}

#[test]
fn signature_header_shape_errors_are_typed() {
    let body = BODY.as_bytes();
    assert_eq!(verify(&with_header(signed_headers(body), "alipay-signature", ""), body), Err(Error::MissingSignature));
    assert_eq!(
        verify(&with_header(signed_headers(body), "alipay-signature", "not*base64"), body),
        Err(Error::SignatureEncoding)
    );
    // A signature over another timestamp does not verify under this one.
    let other = signature_over("1715593761235", NONCE, body);
    assert_eq!(
        verify(&with_header(signed_headers(body), "alipay-signature", &other), body),
        Err(Error::SignatureMismatch)
    );
}

#[test]
fn a_signature_over_a_reserialised_body_does_not_verify() {
    let value: Value = serde_json::from_str(BODY).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert_eq!(verify(&signed_headers(BODY.as_bytes()), pretty.as_bytes()), Err(Error::SignatureMismatch));
    assert_eq!(verify(&signed_headers(pretty.as_bytes()), BODY.as_bytes()), Err(Error::SignatureMismatch));
}

#[test]
fn bodies_that_are_not_utf8_or_not_json_are_typed_errors() {
    let latin1 = b"{\"name\":\"\xe9\"}";
    assert_eq!(verify(&signed_headers(latin1), latin1).unwrap_err().code(), "undecodable_bytes");
    let broken = br#"{"trade_no":"#;
    assert_eq!(verify(&signed_headers(broken), broken).unwrap_err().code(), "malformed_response");
    // Verified text that is not JSON is taken for ciphertext: without a key it is an AES error.
    let opaque = b"dK78RENkkzBgcO6YYfa6SQ==";
    assert_eq!(verify(&signed_headers(opaque), opaque).unwrap_err().code(), "aes_error");
}

#[test]
fn statuses_other_than_2xx_and_errors_are_refused() {
    for status in [100, 304, 302, 399] {
        let error = client("public_key").verify_v3_response(status, &signed_headers(b""), b"").unwrap_err();
        assert_eq!(error.code(), "malformed_response", "{status}");
    }
    // The bindings pass 0 for a status that is not a 16-bit integer, so every host gets this error.
    for status in [0, 99, 600, u16::MAX] {
        let error = client("public_key").verify_v3_response(status, &signed_headers(b""), b"").unwrap_err();
        assert_eq!((error.code(), error.field_name()), ("invalid_field", Some("status")), "{status}");
    }
}

#[test]
fn error_answers_are_unverified_typed_errors_even_with_odd_bodies() {
    let trace = [("ALIPAY-TRACE-ID", "t-9")];
    let error =
        client("public_key").verify_v3_response(404, &trace, br#"{"code":"not-found","message":"no"}"#).unwrap_err();
    let Error::V3Gateway(answer) = &error else { panic!("{error:?}") };
    assert_eq!((answer.status, answer.code.as_str(), answer.message.as_str()), (404, "not-found", "no"));
    assert_eq!(answer.trace_id.as_deref(), Some("t-9"));
    assert_eq!(answer.links, Value::Null);
    assert!(error.to_string().contains("unverified"), "{error}");
    for body in [&b"[1,2]"[..], b"", b"\xff\xfe", b"{\"code\":"] {
        let error = client("public_key").verify_v3_response(500, &trace, body).unwrap_err();
        assert_eq!(error.code(), "malformed_response", "{body:?}");
        assert!(error.to_string().contains("t-9"), "{error}");
    }
}

#[test]
fn certificate_mode_picks_the_key_alipay_sn_names() {
    let client = client("certificate");
    let sn = client.alipay_cert_sns().pop().unwrap();
    let body = BODY.as_bytes();
    let headers = with_header(signed_headers(body), "alipay-sn", &sn);
    let pending = client.begin_verify_v3_response(200, &headers, body).unwrap();
    assert_eq!(pending.check().alipay_cert_sn(), Some(sn.as_str()));
    assert_eq!(pending.finish_own().unwrap().alipay_sn(), Some(sn.as_str()));
    let unknown = with_header(signed_headers(body), "alipay-sn", "0123456789abcdef0123456789abcdef");
    assert_eq!(
        client.verify_v3_response(200, &unknown, body),
        Err(Error::UnknownCertSn("0123456789abcdef0123456789abcdef".to_owned()))
    );
    // Without an SN the configured certificate's key is used, as for v2.
    assert!(client.verify_v3_response(200, &signed_headers(body), body).is_ok());
}

#[test]
fn aes_answers_are_decrypted_after_verification_and_a_wrong_key_is_an_error() {
    let key = AesKey::from_base64(&read("protocol-examples/aes_key.txt")).unwrap();
    let ciphertext = key.encrypt(BODY.as_bytes()).unwrap();
    let response =
        client("aes").verify_v3_response(200, &signed_headers(ciphertext.as_bytes()), ciphertext.as_bytes()).unwrap();
    assert!(response.was_encrypted());
    assert_eq!(response.body(), BODY);
    let other = public_key_client(Config::new(APP_ID)).with_aes_key(AesKey::from_bytes(&[7; 16]).unwrap());
    let error =
        other.verify_v3_response(200, &signed_headers(ciphertext.as_bytes()), ciphertext.as_bytes()).unwrap_err();
    assert_eq!(error.code(), "aes_error");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary statuses, headers and bodies give a verdict, never a panic, and never a success
    /// without a signature from the Alipay key.
    #[test]
    fn arbitrary_answers_never_panic_or_pass(
        status in 0u16..1000,
        headers in proptest::collection::vec(
            (prop_oneof![
                Just("alipay-signature".to_owned()), Just("alipay-timestamp".to_owned()),
                Just("alipay-nonce".to_owned()), Just("alipay-sn".to_owned()),
                Just("alipay-trace-id".to_owned()), "\\PC{0,12}",
            ], "\\PC{0,40}"),
            0..6,
        ),
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let client = client("public_key");
        if let Ok(pending) = client.begin_verify_v3_response(status, &headers, &body) {
            prop_assert!(pending.finish_own().is_err());
        }
    }

    /// One changed byte of a signed body fails the signature.
    #[test]
    fn a_changed_body_byte_fails(index in 0usize..BODY.len(), bit in 0u8..7) {
        let mut body = BODY.as_bytes().to_vec();
        body[index] ^= 1 << bit;
        let headers = signed_headers(BODY.as_bytes());
        let verdict = verify(&headers, &body);
        prop_assert!(matches!(verdict, Err(Error::SignatureMismatch | Error::Undecodable { .. })), "{verdict:?}");
    }
}

// ---- requests: the rules and hostile inputs -------------------------------------------------------

fn base_request() -> V3Request {
    V3Request::new("post", "/v3/alipay/trade/query")
        .body(r#"{"out_trade_no":"1"}"#)
        .request_id("abc")
        .nonce("n-1")
        .timestamp_millis(1_715_593_760_000)
}

fn refused(request: &V3Request) -> (String, String) {
    match client("public_key").prepare_v3(request).unwrap_err() {
        Error::InvalidField { field, rule } => (field, rule),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_sign_content_follows_the_rule() {
    let signed = public_key_client(Config { app_auth_token: Some("tok".to_owned()), ..Config::new(APP_ID) })
        .sign_v3(&base_request().auth_info("expired_seconds", "120").auth_info("empty", ""))
        .unwrap();
    let auth = "app_id=2021000000000001,nonce=n-1,timestamp=1715593760000,expired_seconds=120";
    assert_eq!(
        signed.sign_content(),
        format!("{auth}\nPOST\n/v3/alipay/trade/query\n{{\"out_trade_no\":\"1\"}}\ntok\n")
    );
    assert_eq!(
        signed.header("authorization").unwrap(),
        format!("ALIPAY-SHA256withRSA {auth},sign={}", signed.signature())
    );
    assert_eq!(signed.header("alipay-app-auth-token"), Some("tok"));
    assert_eq!(signed.http_method(), "POST");
    // The request's token wins over the config's.
    let own = public_key_client(Config { app_auth_token: Some("tok".to_owned()), ..Config::new(APP_ID) })
        .sign_v3(&base_request().app_auth_token("mine"))
        .unwrap();
    assert!(own.sign_content().ends_with("\nmine\n"));
}

#[test]
fn path_parameters_are_percent_encoded_and_queries_kept_in_order() {
    let request = V3Request::new("GET", "/v3/items/{id}/{sub}")
        .path_param("sub", "中 ~")
        .path_param("id", "a/b?c")
        .query("z", "1")
        .query("a", "x y")
        .query("z", "2");
    assert_eq!(request.path_with_query().unwrap(), "/v3/items/a%2Fb%3Fc/%E4%B8%AD%20~?z=1&a=x+y&z=2");
}

#[test]
fn the_url_uses_the_gateway_origin() {
    let signed_with = |gateway: Gateway| {
        public_key_client(Config { gateway, ..Config::new(APP_ID) }).sign_v3(&base_request()).unwrap().url().to_owned()
    };
    assert_eq!(signed_with(Gateway::Sandbox), "https://openapi-sandbox.dl.alipaydev.com/v3/alipay/trade/query");
    assert_eq!(
        signed_with(Gateway::Custom("http://127.0.0.1:8080/gateway.do".to_owned())),
        "http://127.0.0.1:8080/v3/alipay/trade/query"
    );
    assert_eq!(
        signed_with(Gateway::Custom("http://localhost:9".to_owned())),
        "http://localhost:9/v3/alipay/trade/query"
    );
    let error = public_key_client(Config { gateway: Gateway::Custom("no-scheme".to_owned()), ..Config::new(APP_ID) })
        .sign_v3(&base_request())
        .unwrap_err();
    assert_eq!(error.field_name(), Some("gateway"));
}

#[test]
fn hostile_request_fields_are_refused_by_name() {
    let cases: Vec<(V3Request, &str)> = vec![
        (base_request().request_id("a".repeat(33)), "request_id"),
        (base_request().request_id("a.b"), "request_id"),
        (base_request().request_id(""), "request_id"),
        (V3Request::new("POST", "/v3/x").nonce("n").timestamp_millis(1), "request_id"),
        (base_request().nonce("a,b"), "nonce"),
        (base_request().nonce("a\nb"), "nonce"),
        (base_request().nonce("a".repeat(65)), "nonce"),
        (V3Request::new("POST", "/v3/x").request_id("r").timestamp_millis(1), "nonce"),
        (V3Request::new("POST", "/v3/x").request_id("r").nonce("n"), "timestamp"),
        (base_request().app_auth_token("tok\nen"), "app_auth_token"),
        (base_request().app_auth_token("tok en"), "app_auth_token"),
        (base_request().auth_info("expired_seconds", "1,nonce=x"), "expired_seconds"),
        (base_request().auth_info("nonce", "x"), "nonce"),
        (base_request().auth_info("Bad-Key", "x"), "Bad-Key"),
        (base_request().body("{not json"), "body"),
        (V3Request::new("GET", "/v3/x").body("{}").request_id("r").nonce("n").timestamp_millis(1), "body"),
        (V3Request::new("PO ST", "/v3/x").request_id("r").nonce("n").timestamp_millis(1), "http_method"),
        (V3Request::new("POST", "v3/x").request_id("r").nonce("n").timestamp_millis(1), "path"),
        (V3Request::new("POST", "/v3/x?a=1").request_id("r").nonce("n").timestamp_millis(1), "path"),
        (V3Request::new("POST", "/v3/../x").request_id("r").nonce("n").timestamp_millis(1), "path"),
        (V3Request::new("POST", "/v3/a b").request_id("r").nonce("n").timestamp_millis(1), "path"),
        (V3Request::new("POST", "/v3/{id").request_id("r").nonce("n").timestamp_millis(1), "path"),
        (V3Request::new("POST", "/v3/{id}").request_id("r").nonce("n").timestamp_millis(1), "path"),
        (V3Request::new("POST", "/v3/{id}").path_param("id", "").request_id("r").nonce("n").timestamp_millis(1), "id"),
        (V3Request::new("POST", "/v3/x").path_param("id", "1").request_id("r").nonce("n").timestamp_millis(1), "id"),
        (base_request().query("", "x"), "query"),
        (base_request().file("f", "a.png", "image/png", b"x".to_vec()), "multipart_boundary"),
        (
            base_request().file("f", "a.png", "image/png", b"a--B-b".to_vec()).multipart_boundary("B"),
            "multipart_boundary",
        ),
        (base_request().file("f", "a.png", "", b"x".to_vec()).multipart_boundary("a b"), "multipart_boundary"),
        (base_request().file("f", "a.png", "", b"x".to_vec()).multipart_boundary("x".repeat(71)), "multipart_boundary"),
        (base_request().file("data", "a.png", "image/png", b"x".to_vec()).multipart_boundary("B"), "files"),
        (base_request().file("", "a.png", "image/png", b"x".to_vec()).multipart_boundary("B"), "files"),
        (base_request().file("f", "a.png", "image/png\r\nX: 1", b"x".to_vec()).multipart_boundary("B"), "f"),
        (
            V3Request::new("GET", "/v3/x")
                .file("f", "a", "", b"x".to_vec())
                .request_id("r")
                .nonce("n")
                .timestamp_millis(1),
            "body",
        ),
    ];
    for (request, field) in cases {
        let (found, rule) = refused(&request);
        assert_eq!(found, field, "{request:?}: {rule}");
        assert!(!rule.is_empty());
    }
}

#[test]
fn v3_is_rsa2_and_utf8_only() {
    let rsa = public_key_client(Config { sign_type: SignType::Rsa, ..Config::new(APP_ID) });
    assert_eq!(rsa.prepare_v3(&base_request()).unwrap_err().field_name(), Some("sign_type"));
    let gbk = public_key_client(Config { charset: Charset::Gbk, ..Config::new(APP_ID) });
    assert_eq!(gbk.prepare_v3(&base_request()).unwrap_err().field_name(), Some("charset"));
    let no_signer = Client::without_keys(Config::new(APP_ID));
    assert_eq!(no_signer.sign_v3(&base_request()).unwrap_err().code(), "signing_failed");
    assert_eq!(
        client("public_key").prepare_v3(&base_request()).unwrap().attach_signature(&[]).unwrap_err().code(),
        "signing_failed"
    );
}

#[test]
fn get_requests_carry_no_content_type_and_bodyless_posts_stay_plain_with_aes() {
    let get = client("public_key")
        .sign_v3(&V3Request::new("GET", "/v3/x").request_id("r").nonce("n").timestamp_millis(1))
        .unwrap();
    assert_eq!(get.header("content-type"), None);
    assert!(get.sign_content().ends_with("\nGET\n/v3/x\n\n"), "{}", get.sign_content());
    let post =
        client("aes").sign_v3(&V3Request::new("POST", "/v3/x").request_id("r").nonce("n").timestamp_millis(1)).unwrap();
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(post.header("alipay-encrypt-type"), None);
    assert!(post.body().is_empty());
    let encrypted = client("aes").sign_v3(&base_request()).unwrap();
    assert_eq!(encrypted.header("content-type"), Some("text/plain"));
    let key = AesKey::from_base64(&read("protocol-examples/aes_key.txt")).unwrap();
    let plain = key.decrypt(std::str::from_utf8(encrypted.body()).unwrap()).unwrap();
    assert_eq!(plain, br#"{"out_trade_no":"1"}"#);
}

#[test]
fn uploads_sign_the_data_part_and_lay_out_the_parts() {
    let request = V3Request::new("POST", "/v3/x")
        .request_id("r")
        .nonce("n")
        .timestamp_millis(1)
        .file("pic", "a\n\"b\".png", "image/png", b"\x89PNG".to_vec())
        .file("doc", "d.txt", "", b"hi".to_vec())
        .multipart_boundary("B0");
    let signed = client("public_key").sign_v3(&request).unwrap();
    assert!(signed.sign_content().ends_with("\nPOST\n/v3/x\n{}\n"), "{}", signed.sign_content());
    assert_eq!(signed.header("content-type"), Some("multipart/form-data; boundary=B0"));
    let expected = [
        &b"--B0\r\nContent-Disposition: form-data; name=\"data\"\r\nContent-Type: application/json\r\n\r\n{}\r\n"[..],
        b"--B0\r\nContent-Disposition: form-data; name=\"pic\"; filename=\"a%0A%22b%22.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n",
        b"--B0\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"d.txt\"\r\n\r\nhi\r\n--B0--\r\n",
    ]
    .concat();
    assert_eq!(signed.body(), expected);
    let aes = client("aes").prepare_v3(&request).unwrap_err();
    assert_eq!(aes.field_name(), Some("files"));
}

#[test]
fn a_v3_body_over_the_limit_is_refused_before_it_is_read() {
    let mut options = alipay_openapi::ClientOptions::from_value(&serde_json::json!({
        "app_id": "2021000000000001",
        "alipay_public_key": std::fs::read_to_string(format!("{}/../tests/vectors/keys/alipay_2048.public.spki.pem", env!("CARGO_MANIFEST_DIR"))).unwrap(),
        "max_body_bytes": 16,
    }))
    .unwrap();
    let client = options.build().unwrap();
    let headers = [("alipay-timestamp", "1"), ("alipay-nonce", "n"), ("alipay-signature", "AAAA")];
    let error = client.verify_v3_response(200, &headers, br#"{"out_trade_no":"1234567890"}"#).unwrap_err();
    assert_eq!((error.code(), error.field_name()), ("body_too_large", Some("body")));
    options.max_body_bytes = None;
    let error =
        options.build().unwrap().verify_v3_response(200, &headers, br#"{"out_trade_no":"1234567890"}"#).unwrap_err();
    assert_eq!(error.code(), "signature_mismatch");
}

#[test]
fn debug_never_shows_the_app_auth_token() {
    let request = V3Request::new("POST", "/v3/alipay/trade/query")
        .body("{}")
        .app_auth_token("secret-token-value")
        .request_id("r1")
        .nonce("n1")
        .timestamp_millis(1_715_593_760_000);
    let client = client("public_key");
    let unsigned = client.prepare_v3(&request).unwrap();
    let signed = client.sign_v3(&request).unwrap();
    assert_eq!(signed.header("alipay-app-auth-token"), Some("secret-token-value"));
    for shown in [format!("{request:?}"), format!("{unsigned:?}"), format!("{signed:?}")] {
        assert!(!shown.contains("secret-token-value"), "{shown}");
    }
    assert!(format!("{request:?}").contains("has_app_auth_token: true"));
}
