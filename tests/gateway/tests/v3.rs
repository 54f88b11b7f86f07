//! The v3 trade routes through the core's v3 client: a query and a close of a cashier trade,
//! every refusal with its own code (bad signature, stale or future timestamp, replayed nonce,
//! unknown app, malformed authorization), nonces remembered across a restart, certificate mode
//! and the injected faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_local_gateway::{Certificates, Database, GatewayConfig, FAULT_HEADER};
use alipay_openapi::{Charset, Client, Error, V3GatewayError, V3Request, V3Response};
use common::cashier::{browser, open, origin, pay_link, pay_request, signed};
use common::{client_config_at, test_client, Harness};
use serde_json::json;

struct V3Http {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl V3Http {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn now_millis() -> u64 {
    u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

/// A fresh nonce and request id per call.
fn v3_request(path: &str, body: &serde_json::Value, at_millis: u64) -> V3Request {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    V3Request::new("POST", path)
        .body_json(body)
        .request_id(format!("req{n}x{at_millis}"))
        .nonce(format!("nonce-{}-{n}-{at_millis}", std::process::id()))
        .timestamp_millis(at_millis)
}

/// Sends to `origin` + the signed path (so that a request can be re-sent to a restarted gateway).
fn send_to(origin: &str, path_with_query: &str, headers: &[(String, String)], body: &[u8], faults: &str) -> V3Http {
    let mut request = browser().post(format!("{origin}{path_with_query}"));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    if !faults.is_empty() {
        request = request.header(FAULT_HEADER, faults);
    }
    let response = request.send(body).unwrap();
    let status = response.status().as_u16();
    let headers =
        response.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned())).collect();
    V3Http { status, headers, body: response.into_body().read_to_vec().unwrap() }
}

struct V3 {
    harness: Harness,
    client: Client,
}

impl V3 {
    fn new(harness: Harness) -> Self {
        let client = harness.client();
        V3 { harness, client }
    }

    fn origin(&self) -> String {
        origin(&self.harness.gateway.url())
    }

    fn raw(&self, request: &V3Request, faults: &str) -> V3Http {
        let signed = self.client.sign_v3(request).unwrap();
        send_to(&self.origin(), signed.path_with_query(), signed.headers(), signed.body(), faults)
    }

    fn call(&self, path: &str, body: serde_json::Value, faults: &str) -> Result<V3Response, Error> {
        let http = self.raw(&v3_request(path, &body, now_millis()), faults);
        self.client.verify_v3_response(http.status, &http.headers, &http.body)
    }

    /// A trade waiting for payment, opened through the cashier.
    fn cashier_trade(&self, out_trade_no: &str) -> String {
        let request = pay_request("alipay.trade.page.pay", out_trade_no, "6.60", "v3", "http://127.0.0.1:9/notify");
        let link = pay_link(&signed(&self.harness.client(), &request, self.harness.now()), Charset::Utf8);
        open(&browser(), &link).trade_no()
    }
}

const QUERY: &str = "/v3/alipay/trade/query";
const CLOSE: &str = "/v3/alipay/trade/close";

fn refused(result: Result<V3Response, Error>) -> V3GatewayError {
    match result {
        Err(Error::V3Gateway(e)) => *e,
        other => panic!("expected a v3 gateway error, got {other:?}"),
    }
}

fn value<'a>(response: &'a V3Response, field: &str) -> &'a str {
    response.value().and_then(|v| v[field].as_str()).unwrap_or_else(|| panic!("no {field} in {}", response.body()))
}

#[test]
fn a_cashier_trade_is_queried_and_closed_over_v3() {
    let v3 = V3::new(Harness::start());
    let trade_no = v3.cashier_trade("V3_ORDER_1");
    let queried = v3.call(QUERY, json!({"out_trade_no": "V3_ORDER_1"}), "").unwrap();
    assert_eq!(queried.status(), 200);
    assert_eq!(value(&queried, "trade_no"), trade_no);
    assert_eq!(value(&queried, "trade_status"), "WAIT_BUYER_PAY");
    assert_eq!(value(&queried, "total_amount"), "6.60");
    assert!(queried.trace_id().is_some_and(|t| !t.is_empty()) && queried.alipay_sn().is_none());
    // No `code`/`msg` wrapper: the body is the business object.
    assert!(queried.value().unwrap().get("code").is_none());

    let closed = v3.call(CLOSE, json!({"trade_no": trade_no}), "").unwrap();
    assert_eq!(value(&closed, "out_trade_no"), "V3_ORDER_1");
    let queried = v3.call(QUERY, json!({"trade_no": trade_no}), "").unwrap();
    assert_eq!(value(&queried, "trade_status"), "TRADE_CLOSED");

    let again = refused(v3.call(CLOSE, json!({"out_trade_no": "V3_ORDER_1"}), ""));
    assert_eq!((again.status, again.code.as_str()), (400, "ACQ.TRADE_STATUS_ERROR"));
    assert!(again.trace_id.is_some());
    let unknown = refused(v3.call(QUERY, json!({"out_trade_no": "V3_NO_SUCH"}), ""));
    assert_eq!((unknown.status, unknown.code.as_str()), (400, "ACQ.TRADE_NOT_EXIST"));
    let neither = refused(v3.call(QUERY, json!({}), ""));
    assert_eq!(neither.code, "ACQ.INVALID_PARAMETER");
}

#[test]
fn each_refusal_has_its_own_code() {
    let v3 = V3::new(Harness::start());
    v3.cashier_trade("V3_ORDER_2");
    let body = json!({"out_trade_no": "V3_ORDER_2"});
    let expect = |http: V3Http, status: u16, code: &str| {
        assert_eq!(http.status, status, "{}", String::from_utf8_lossy(&http.body));
        assert!(http.header("alipay-signature").is_none() && http.header("alipay-trace-id").is_some());
        let error = refused(v3.client.verify_v3_response(http.status, &http.headers, &http.body));
        assert_eq!(error.code, code, "{}", error.message);
    };

    // Replay: the very same signed request twice.
    let signed = v3.client.sign_v3(&v3_request(QUERY, &body, now_millis())).unwrap();
    let send = || send_to(&v3.origin(), signed.path_with_query(), signed.headers(), signed.body(), "");
    let first = send();
    assert!(v3.client.verify_v3_response(first.status, &first.headers, &first.body).is_ok());
    expect(send(), 401, "replayed-nonce");

    let eleven_minutes = 11 * 60 * 1000;
    expect(v3.raw(&v3_request(QUERY, &body, now_millis() - eleven_minutes), ""), 401, "invalid-timestamp");
    expect(v3.raw(&v3_request(QUERY, &body, now_millis() + eleven_minutes), ""), 401, "invalid-timestamp");
    // Nine minutes off is inside the window.
    let nine_minutes_ago = v3.raw(&v3_request(QUERY, &body, now_millis() - 9 * 60 * 1000), "");
    assert_eq!(nine_minutes_ago.status, 200);

    let signed = v3.client.sign_v3(&v3_request(QUERY, &body, now_millis())).unwrap();
    let changed = br#"{"out_trade_no":"V3_ORDER_3"}"#;
    expect(send_to(&v3.origin(), signed.path_with_query(), signed.headers(), changed, ""), 401, "invalid-signature");
    // A signature refused does not use up the nonce: the genuine request still goes through.
    let genuine = send_to(&v3.origin(), signed.path_with_query(), signed.headers(), signed.body(), "");
    assert_eq!(genuine.status, 200);

    let mut config = v3.harness.client_config();
    config.app_id = "2021000000009999".to_owned();
    let stranger = test_client(config).sign_v3(&v3_request(QUERY, &body, now_millis())).unwrap();
    let http = send_to(&v3.origin(), stranger.path_with_query(), stranger.headers(), stranger.body(), "");
    expect(http, 401, "invalid-app-id");

    let signed = v3.client.sign_v3(&v3_request(QUERY, &body, now_millis())).unwrap();
    let without: Vec<(String, String)> =
        signed.headers().iter().filter(|(k, _)| k != "authorization").cloned().collect();
    expect(send_to(&v3.origin(), signed.path_with_query(), &without, signed.body(), ""), 401, "invalid-authorization");
    let mut bearer = without.clone();
    bearer.push(("authorization".to_owned(), "Bearer abc".to_owned()));
    expect(send_to(&v3.origin(), signed.path_with_query(), &bearer, signed.body(), ""), 401, "invalid-authorization");
}

#[test]
fn nonces_survive_a_restart_with_a_database_file() {
    let dir = std::env::temp_dir().join(format!("alipay-gateway-v3-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("nonces.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let config = GatewayConfig { database: Database::File(path.clone()), ..GatewayConfig::default() };
    let v3 = V3::new(Harness::with_config(config.clone()));
    v3.cashier_trade("V3_ORDER_4");
    let signed = v3.client.sign_v3(&v3_request(QUERY, &json!({"out_trade_no": "V3_ORDER_4"}), now_millis())).unwrap();
    assert_eq!(send_to(&v3.origin(), signed.path_with_query(), signed.headers(), signed.body(), "").status, 200);
    drop(v3);

    let restarted = V3::new(Harness::with_config(config));
    let http = send_to(&restarted.origin(), signed.path_with_query(), signed.headers(), signed.body(), "");
    assert_eq!(http.status, 401);
    assert_eq!(
        refused(restarted.client.verify_v3_response(http.status, &http.headers, &http.body)).code,
        "replayed-nonce"
    );
    // The trade survived as well.
    let queried = restarted.call(QUERY, json!({"out_trade_no": "V3_ORDER_4"}), "").unwrap();
    assert_eq!(value(&queried, "trade_status"), "WAIT_BUYER_PAY");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn injected_faults_reach_the_v3_client_as_their_typed_errors() {
    let v3 = V3::new(Harness::start());
    v3.cashier_trade("V3_ORDER_5");
    let body = || json!({"out_trade_no": "V3_ORDER_5"});
    let code = |faults: &str| v3.call(QUERY, body(), faults).map(|_| "ok").unwrap_or_else(|e| e.code());
    assert_eq!(code("bad-signature"), "signature_mismatch");
    assert_eq!(code("tampered"), "signature_mismatch");
    assert_eq!(code("unsigned-error"), "missing_signature");
    assert_ne!(code("truncated"), "ok");
    let busy = refused(v3.call(QUERY, body(), "unknown-error"));
    assert_eq!((busy.status, busy.code.as_str()), (500, "unknown-error"));
    // fail-first=1: the first attempt for this out_trade_no is refused, the next goes through.
    assert_eq!(refused(v3.call(QUERY, body(), "fail-first=1")).code, "unknown-error");
    assert_eq!(code("fail-first=1"), "ok");
    let started = std::time::Instant::now();
    assert_eq!(code("delay=300"), "ok");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn certificate_mode_checks_the_sns_and_names_the_signing_certificate() {
    let harness =
        Harness::with_config(GatewayConfig { certificates: Some(Certificates::default()), ..GatewayConfig::default() });
    let cert_client = harness.cert_client();
    let request = pay_request("alipay.trade.page.pay", "V3_CERT_1", "1.00", "cert", "http://127.0.0.1:9/notify");
    let link = pay_link(&signed(&cert_client, &request, harness.now()), Charset::Utf8);
    open(&browser(), &link).trade_no();
    let origin = origin(&harness.gateway.url());
    let query = |client: &Client, faults: &str| {
        let signed = client.sign_v3(&v3_request(QUERY, &json!({"out_trade_no": "V3_CERT_1"}), now_millis())).unwrap();
        let http = send_to(&origin, signed.path_with_query(), signed.headers(), signed.body(), faults);
        client.verify_v3_response(http.status, &http.headers, &http.body)
    };
    let answer = query(&cert_client, "").unwrap();
    assert_eq!(answer.alipay_sn(), Some("07e15c749b8f2f3bc15a28ed42842a0d"));
    assert_eq!(value(&answer, "trade_status"), "WAIT_BUYER_PAY");
    // A public-key client sends no app_cert_sn.
    let public_key_client = test_client(client_config_at(harness.gateway.url()));
    assert_eq!(refused(query(&public_key_client, "")).code, "invalid-app-cert-sn");
    // After a rotation the answer names a certificate the client does not know yet.
    assert_eq!(query(&cert_client, "rotate-cert").unwrap_err().code(), "unknown_cert_sn");
}
