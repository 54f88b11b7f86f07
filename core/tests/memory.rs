//! Bounded memory: the body limit refuses a body before it is read, and verifying a 10 MB response
//! or a 5 MB notification (with the limit raised to allow them) peaks under a stated multiple of
//! the input, measured by a counting global allocator (this binary's own, so no other test shares it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::disallowed_methods)]
#![allow(clippy::print_stdout)] // the measured figures
#![allow(unsafe_code)] // a `GlobalAlloc` is unsafe to implement; it only forwards to `System`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    response_node_key, sign_response_body, Charset, Client, ClientOptions, NotifyVersion, PrivateKey, SignType, Signer,
    DEFAULT_MAX_BODY_BYTES,
};
use base64::Engine as _;
use serde_json::json;

/// Counts the bytes live on the heap and the highest count since [`Peak::start`].
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One measurement at a time: the counters are global.
static MEASURING: Mutex<()> = Mutex::new(());

/// The heap a call needs beyond what was live before it (its input included), at its peak.
fn peak_during<T>(call: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let out = call();
    (out, PEAK.load(Ordering::SeqCst) - before)
}

/// Peak extra heap over the input's length must stay at or under this (see docs/HARDENING.md).
const MAX_MULTIPLE: f64 = 4.0;

const METHOD: &str = "alipay.marketing.voucher.query";
const APP_ID: &str = "2021000000000001";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn client(max_body_bytes: Option<usize>) -> Client {
    client_in(Charset::Utf8, max_body_bytes)
}

fn client_in(charset: Charset, max_body_bytes: Option<usize>) -> Client {
    ClientOptions::from_value(&json!({
        "app_id": APP_ID,
        "charset": charset.as_str(),
        "private_key": read("keys/app_2048.private.pkcs1.pem"),
        "alipay_public_key": read("keys/alipay_2048.public.spki.pem"),
        "max_body_bytes": max_body_bytes,
    }))
    .unwrap()
    .build()
    .unwrap()
}

fn gateway_key() -> PrivateKey<Alipay> {
    PrivateKey::parse(&read("keys/alipay_2048.private.pkcs8.pem")).unwrap()
}

/// A signed response of about `size` bytes in `charset`: a success node with a long list of
/// records (the shape of a big list answer), URLs escaped as `\/` the way the gateway sends them.
fn response_body(charset: Charset, size: usize) -> Vec<u8> {
    let record =
        r#"{"voucher_id":"20170616000730020041006ZYE2V","name":"满100减10元券","url":"https:\/\/x.example\/v"},"#;
    let records = record.repeat(size / record.len());
    let node = format!(r#"{{"code":"10000","msg":"Success","vouchers":[{}]}}"#, records.trim_end_matches(','));
    sign_response_body(&response_node_key(METHOD), &node, None, charset, SignType::Rsa2, &gateway_key()).unwrap()
}

/// A signed form notification of about `size` bytes: one long field, as a large `fund_bill_list`.
fn notification_body(size: usize) -> Vec<u8> {
    let fields = [
        ("app_id", APP_ID.to_owned()),
        ("fund_bill_list", "x".repeat(size)),
        ("notify_id", "n1".to_owned()),
        ("trade_status", "TRADE_SUCCESS".to_owned()),
    ];
    let content = fields.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let sign = base64::engine::general_purpose::STANDARD
        .encode(gateway_key().sign(SignType::Rsa2, content.as_bytes()).unwrap());
    let sign = sign.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    format!("{content}&sign_type=RSA2&sign={sign}").into_bytes()
}

#[test]
fn a_body_over_the_limit_is_refused_unread() {
    let _one = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let over = vec![b'{'; DEFAULT_MAX_BODY_BYTES + 1]; // not even JSON: it must not be scanned
    let error = client(None).verify_response(METHOD, &over).unwrap_err();
    assert_eq!((error.code(), error.field_name()), ("body_too_large", Some("body")));
    assert!(error.to_string().contains(&format!("{} bytes", over.len())), "{error}");
    assert!(error.to_string().contains(&DEFAULT_MAX_BODY_BYTES.to_string()), "{error}");
    let error = client(Some(100)).notification_form(&[b'%'; 101], Charset::Utf8).unwrap_err();
    assert_eq!(error.details(None).rule.as_deref(), Some("must be at most 100 bytes (max_body_bytes)"));
    // Exactly at the limit is read (and here found malformed, so it was scanned).
    let error = client(Some(100)).notification_form(&[b'%'; 100], Charset::Utf8).unwrap_err();
    assert_eq!(error.code(), "malformed_notification");
}

#[test]
fn a_10_mb_response_is_verified_within_the_multiple() {
    let _one = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for charset in [Charset::Utf8, Charset::Gbk] {
        let body = response_body(charset, 10 * 1024 * 1024);
        let client = client_in(charset, Some(16 * 1024 * 1024));
        let (verified, peak) = peak_during(|| client.verify_response(METHOD, &body).unwrap());
        assert!(verified.is_success());
        drop(verified);
        let multiple = peak as f64 / body.len() as f64;
        println!("{charset} response: {} bytes, peak {peak} bytes over it, {multiple:.2}x", body.len());
        assert!(
            multiple <= MAX_MULTIPLE,
            "{charset}: peak {peak} bytes is {multiple:.2}x the {} byte body",
            body.len()
        );
    }
}

#[test]
fn a_5_mb_notification_is_verified_within_the_multiple() {
    let _one = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let body = notification_body(5 * 1024 * 1024);
    let client = client(Some(8 * 1024 * 1024));
    let (notification, peak) = peak_during(|| {
        let params = client.notification_form(&body, Charset::Utf8).unwrap();
        client.verify_notification(params, NotifyVersion::V1).unwrap()
    });
    assert_eq!(notification.get("trade_status"), Some("TRADE_SUCCESS"));
    drop(notification);
    let multiple = peak as f64 / body.len() as f64;
    println!("notification: {} bytes, peak {peak} bytes over it, {multiple:.2}x", body.len());
    assert!(multiple <= MAX_MULTIPLE, "peak {peak} bytes is {multiple:.2}x the {} byte body", body.len());
}

#[test]
fn decoded_notification_fields_over_the_limit_are_refused() {
    let _one = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let body = notification_body(200);
    let params = client(None).notification_form(&body, Charset::Utf8).unwrap();
    let error = client(Some(100)).verify_notification(params, NotifyVersion::V1).unwrap_err();
    assert_eq!((error.code(), error.field_name()), ("body_too_large", Some("body")));
    assert!(error.to_string().starts_with("the notification body is "), "{error}");
}

#[test]
fn a_node_is_still_checked_as_json_values_are_read() {
    let _one = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let sign = |node: &str| {
        sign_response_body(&response_node_key(METHOD), node, None, Charset::Utf8, SignType::Rsa2, &gateway_key())
            .unwrap()
    };
    let client = client(None);
    // A number no f64 holds is refused when verifying, as `serde_json::Value` refuses it.
    let error = client.verify_response(METHOD, &sign(r#"{"code":"10000","msg":"Success","n":[1e400]}"#)).unwrap_err();
    assert_eq!(error.code(), "malformed_response", "{error}");
    let verified = client.verify_response(METHOD, &sign(r#"{"code":"10000","msg":"Success","n":{"a":[1.5,null]}}"#));
    let verified = verified.unwrap();
    assert_eq!(verified.value()["n"], json!({"a": [1.5, null]}));
    assert_eq!(verified.code(), "10000");
    // The gateway fields are read as the parsed value holds them: a repeated member's last
    // occurrence, a name spelled with an escape, a number as its text.
    let node = r#"{"code":"10000","msg":"Success","sub_code":"first","c\u006fde":40004,"sub_code":"last"}"#;
    let verified = client.verify_response(METHOD, &sign(node)).unwrap();
    assert_eq!((verified.code(), verified.sub_code()), ("40004", Some("last")));
    assert_eq!((verified.value()["code"].clone(), verified.value()["sub_code"].clone()), (json!(40004), json!("last")));
    for not_an_object in ["[]", "1", "null", "true"] {
        let error = client.verify_response(METHOD, &sign(not_an_object)).unwrap_err();
        assert_eq!(error.code(), "malformed_response", "{not_an_object}: {error}");
    }
}

#[test]
fn the_limit_is_a_positive_whole_number_of_bytes() {
    let _one = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for bad in [json!(0), json!(-1), json!(1.5), json!("4096"), json!(true)] {
        let options = json!({"app_id": APP_ID, "max_body_bytes": bad});
        let error = ClientOptions::from_value(&options).and_then(|options| options.build()).unwrap_err();
        assert_eq!((error.code(), error.field_name()), ("invalid_field", Some("max_body_bytes")), "{bad}");
    }
    let options = ClientOptions::from_value(&json!({"app_id": APP_ID, "max_body_bytes": 1024})).unwrap();
    assert_eq!(options.build().unwrap().config().max_body_bytes, 1024);
    let default = ClientOptions::from_value(&json!({"app_id": APP_ID, "max_body_bytes": null})).unwrap();
    assert_eq!(default.build().unwrap().config().max_body_bytes, DEFAULT_MAX_BODY_BYTES);
    assert_eq!(DEFAULT_MAX_BODY_BYTES, 4 << 20);
}
