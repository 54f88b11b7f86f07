//! The requests the official SDKs put on the wire (tests/vectors/http_requests.json) get the
//! verdict the protocol demands: accepted when their signature is right, `isv.invalid-signature`
//! echoing the gateway's sign content when it is not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use alipay_local_gateway::GatewayConfig;
use alipay_openapi::Charset;
use base64::Engine as _;
use common::Harness;
use serde_json::Value;

#[test]
fn official_sdk_requests_get_the_expected_verdict() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/http_requests.json");
    let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The vectors were signed in 2024: accept any well-formed timestamp.
    let h = Harness::with_config(GatewayConfig { timestamp_tolerance: None, ..GatewayConfig::default() });
    let mut checked = 0;
    for case in &cases {
        let inputs = &case["inputs"];
        let mut config = h.client_config();
        config.charset = inputs["charset"].as_str().unwrap().parse().unwrap();
        config.sign_type = inputs["sign_type"].as_str().unwrap().parse().unwrap();
        let client = h.client_with(config.clone());
        let method = inputs["method"].as_str().unwrap();
        for (sdk, run) in case["by_sdk"].as_object().unwrap() {
            let wire = &run["request"];
            let verdict = &wire["gateway_verdict"];
            let label = format!("{} {sdk}", case["id"].as_str().unwrap());
            let url = format!("{}?{}", h.gateway.url(), wire["url_query_raw"].as_str().unwrap());
            let http = if wire["request_line"].as_str().unwrap().starts_with("GET ") {
                h.get_raw(&url)
            } else {
                let body =
                    base64::engine::general_purpose::STANDARD.decode(wire["body_b64"].as_str().unwrap()).unwrap();
                let headers = vec![("content-type".to_owned(), wire["content_type"].as_str().unwrap().to_owned())];
                h.post_raw(&url, &headers, &body, "")
            };
            assert_eq!(http.status, 200, "{label}");
            assert_eq!(http.content_type, format!("text/html;charset={}", config.charset), "{label}");
            let response = client.verify_response(method, &http.body).unwrap_or_else(|e| panic!("{label}: {e}"));
            if verdict["signature_valid"].as_bool().unwrap() {
                assert!(matches!(response.code(), "10000" | "40004"), "{label}: {}", response.node_text());
            } else {
                assert_eq!(response.sub_code(), Some("isv.invalid-signature"), "{label}");
                // UTF-8 bytes declared as GBK decode to replacement characters, and decoders
                // differ in how many; compare the echo where decoding is exact.
                if config.charset == Charset::Utf8 {
                    let expected =
                        format!("网关生成的验签字符串为：{}", verdict["gateway_sign_content"].as_str().unwrap());
                    assert!(response.sub_msg().unwrap().ends_with(&expected), "{label}: {:?}", response.sub_msg());
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 24);
}
