//! Every injected fault surfaces as the right typed error, and never as data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use std::time::{Duration, Instant};

use alipay_local_gateway::{Fault, GatewayConfig, TEMPLATE_EXTERNAL_CODES, TEMPLATE_VOUCHER};
use alipay_openapi::Error;
use common::{gateway_error, query, send, stock_use, text, Harness};

#[test]
fn unknown_error_is_a_verified_20000_and_nothing_is_issued() {
    let h = Harness::start();
    let e = gateway_error(h.call_with_faults(&send(TEMPLATE_EXTERNAL_CODES, "f-1"), "unknown-error"));
    assert_eq!((e.code.as_str(), e.msg.as_str()), ("20000", "Service Currently Unavailable"));
    assert_eq!(e.sub_code.as_deref(), Some("isp.unknow-error"));
    assert_eq!(e.sub_msg.as_deref(), Some("系统繁忙"));
    // Nothing was processed: the next send takes the pool's first code.
    let sent = h.call(&send(TEMPLATE_EXTERNAL_CODES, "f-1")).unwrap();
    assert_eq!(text(&h.call(&stock_use("EXTCODE00001", "f1")).unwrap(), "voucher_id"), text(&sent, "voucher_id"));
}

#[test]
fn unsigned_error_is_never_verified_data() {
    let h = Harness::start();
    match h.call_with_faults(&send(TEMPLATE_VOUCHER, "f-2"), "unsigned-error") {
        Err(Error::UnsignedGatewayError(e)) => {
            assert_eq!(e.code, "20000");
            assert_eq!(e.sub_code.as_deref(), Some("aop.unknow-error"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn damaged_answers_are_rejected_but_the_work_was_done() {
    let h = Harness::start();
    type IsExpected = fn(&Error) -> bool;
    let cases: [(&str, IsExpected); 4] = [
        ("truncated", |e| matches!(e, Error::MalformedResponse(_))),
        ("bad-signature", |e| matches!(e, Error::SignatureMismatch)),
        ("tampered", |e| matches!(e, Error::SignatureMismatch)),
        (
            "wrong-node",
            |e| matches!(e, Error::ResponseNodeMissing { found: Some(found), .. } if found == "alipay_marketing_voucher_query_response"),
        ),
    ];
    for (i, (fault, expected)) in cases.iter().enumerate() {
        let request = send(TEMPLATE_EXTERNAL_CODES, &format!("dmg-{i}"));
        let error = h.call_with_faults(&request, fault).unwrap_err();
        assert!(expected(&error), "{fault}: {error:?}");
        // The voucher was issued before the answer was damaged; a retry with the same
        // out_biz_no gets it back instead of a second one.
        let retried = h.call(&request).unwrap();
        let code = format!("EXTCODE{:05}", i + 1);
        let used = h.call(&stock_use(&code, &format!("dmg{i}"))).unwrap();
        assert_eq!(text(&used, "voucher_id"), text(&retried, "voucher_id"), "{fault}");
    }
}

#[test]
fn tampering_also_breaks_error_answers_and_gbk_answers() {
    let h = Harness::start();
    let e = h.call_with_faults(&query("20170616000730020041006ZYE2V"), "tampered").unwrap_err();
    assert_eq!(e.code(), "signature_mismatch");
    let mut config = h.client_config();
    config.charset = alipay_openapi::Charset::Gbk;
    let client = h.client_with(config);
    let e = h.exchange(&client, &send(TEMPLATE_VOUCHER, "gbk-t"), "tampered").unwrap_err();
    assert_eq!(e.code(), "signature_mismatch");
}

#[test]
fn delay_holds_the_answer() {
    let h = Harness::start();
    let started = Instant::now();
    h.call_with_faults(&send(TEMPLATE_VOUCHER, "slow"), "delay=300").unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn fail_first_fails_n_attempts_of_the_same_out_biz_no_then_succeeds() {
    let h = Harness::start();
    let request = send(TEMPLATE_VOUCHER, "retry-me");
    let client = h.client();
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        // The same Request value, re-signed with a fresh timestamp each time.
        outcomes.push(h.exchange(&client, &request, "fail-first=2").unwrap().into_success());
    }
    for failed in &outcomes[..2] {
        assert_eq!(failed.as_ref().unwrap_err().gateway().unwrap().sub_code.as_deref(), Some("isp.unknow-error"));
    }
    let ids: Vec<String> = outcomes[2..].iter().map(|r| text(r.as_ref().unwrap(), "voucher_id").to_owned()).collect();
    assert_eq!(ids[0], ids[1]);
    // Another out_biz_no has its own count.
    assert!(h.call_with_faults(&send(TEMPLATE_VOUCHER, "other"), "fail-first=1").is_err());
}

#[test]
fn configured_faults_apply_to_every_request() {
    let h = Harness::with_config(GatewayConfig { faults: vec![Fault::BadSignature], ..GatewayConfig::default() });
    for i in 0..2 {
        assert_eq!(h.call(&send(TEMPLATE_VOUCHER, &format!("c{i}"))).unwrap_err().code(), "signature_mismatch");
    }
}

#[test]
fn an_unknown_fault_is_a_400_naming_it() {
    let h = Harness::start();
    let signed = h.client().sign(&send(TEMPLATE_VOUCHER, "x"), h.now()).unwrap();
    let http = h.post(&signed, "delay=1,explode");
    assert_eq!(http.status, 400);
    assert!(String::from_utf8(http.body).unwrap().contains("explode"));
}
