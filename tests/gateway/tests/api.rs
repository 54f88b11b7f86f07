//! The four APIs over HTTP through the core's typed models: results, idempotency, and every
//! business error. Inputs the typed models would refuse go through the generic path (`raw`), so
//! that the gateway's own checks are what is tested.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use std::time::Duration;

use alipay_local_gateway::{
    Clock, Database, GatewayConfig, Template, TEMPLATE_EXPIRED, TEMPLATE_EXTERNAL_CODES, TEMPLATE_RED_PACKET,
    TEMPLATE_VOUCHER, TEST_USER_ID,
};
use alipay_openapi::api::{
    Amount, ApiCall, BillStatus, BillType, TicketCodeSync, VoucherQuery, VoucherSend, VoucherStatus, VoucherStockUse,
};
use alipay_openapi::{Error, GatewayError, Timestamp};
use common::{raw, send_call, ticket_sync_call, Harness};
use serde_json::json;

fn business_error<T: std::fmt::Debug>(result: Result<T, Error>) -> GatewayError {
    match result {
        Err(Error::Gateway(e)) => {
            assert_eq!((e.code.as_str(), e.msg.as_str()), ("40004", "Business Failed"), "{e}");
            assert!(e.sub_msg.as_deref().is_some_and(|m| !m.is_empty()), "{e}");
            e
        }
        other => panic!("expected a verified business error, got {other:?}"),
    }
}

fn sub_code<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    business_error(result).sub_code.unwrap()
}

fn query(h: &Harness, voucher_id: &str) -> alipay_openapi::api::VoucherQueryResult {
    h.typed(&VoucherQuery { voucher_id: voucher_id.into() }).unwrap()
}

fn redeem(code: &str, out_biz_no: &str) -> VoucherStockUse {
    VoucherStockUse { entity_no: code.into(), out_biz_no: out_biz_no.into() }
}

#[test]
fn a_sent_voucher_is_queryable_and_enabled() {
    let h = Harness::start();
    let sent = h.typed(&send_call(TEMPLATE_VOUCHER, "vs-0001")).unwrap();
    assert_eq!(sent.voucher_id.len(), 28);
    assert_eq!(sent.user_id.as_deref(), Some(TEST_USER_ID));

    let found = query(&h, &sent.voucher_id);
    assert_eq!(found.voucher_id, sent.voucher_id);
    assert_eq!(found.template_id.as_deref(), Some(TEMPLATE_VOUCHER));
    assert_eq!(found.status, VoucherStatus::Enabled);
    assert_eq!(found.total_amount, Some(Amount::parse("10.00").unwrap()));
    assert_eq!(found.available_amount, found.total_amount);
    assert_eq!(found.gmt_expired.unwrap().to_string(), "2099-12-31 23:59:59");
    assert!(found.bill_details.is_empty());
}

#[test]
fn send_is_idempotent_on_template_and_out_biz_no() {
    let h = Harness::start();
    let first = h.typed(&send_call(TEMPLATE_VOUCHER, "vs-same")).unwrap();
    let replay = h.typed(&send_call(TEMPLATE_VOUCHER, "vs-same")).unwrap();
    let other = h.typed(&send_call(TEMPLATE_VOUCHER, "vs-other")).unwrap();
    assert_eq!(first.voucher_id, replay.voucher_id);
    assert_ne!(first.voucher_id, other.voucher_id);
}

#[test]
fn red_packets_take_the_amount_as_written() {
    let h = Harness::start();
    let typed = VoucherSend {
        template_id: TEMPLATE_RED_PACKET.into(),
        login_id: Some("13196215350".into()),
        out_biz_no: "rp-0".into(),
        amount: Some(Amount::parse("9.99").unwrap()),
        memo: Some("优酷3个月兑换券 a+b/c&d=e".into()),
        ..Default::default()
    };
    let sent = h.typed(&typed).unwrap();
    assert_eq!(sent.user_id.as_deref(), Some("2088302001456115"), "login_id resolves to the user");
    assert_eq!(query(&h, &sent.voucher_id).total_amount.map(Amount::fen), Some(999));
    // The API page sends the amount as a JSON number; the gateway reads it as written, never as a float.
    for (out_biz_no, amount, fen) in [("rp-1", json!(0.1), 10), ("rp-2", json!(12), 1200), ("rp-3", json!("1.5"), 150)]
    {
        let request = raw(
            VoucherSend::METHOD,
            json!({"template_id": TEMPLATE_RED_PACKET, "taobao_nick": "yue54333", "out_biz_no": out_biz_no, "amount": amount}),
        );
        let sent = VoucherSend::parse(h.call(&request).unwrap()).unwrap();
        assert_eq!(query(&h, &sent.voucher_id).total_amount.map(Amount::fen), Some(fen), "{amount}");
    }
}

#[test]
fn send_business_errors() {
    let h = Harness::start();
    let typed = |change: fn(&mut VoucherSend)| {
        let mut call = send_call(TEMPLATE_VOUCHER, "vs-err");
        change(&mut call);
        h.typed(&call)
    };
    assert_eq!(sub_code(typed(|c| c.template_id = "20990101000730011111000NONE".into())), "TEMPLATE_NOT_EXIST");
    assert_eq!(sub_code(typed(|c| c.template_id = TEMPLATE_EXPIRED.into())), "TEMPLATE_EXPIRED");
    assert_eq!(sub_code(typed(|c| c.user_id = Some("2088999999999999".into()))), "USER_NOT_EXIST");
    assert_eq!(
        sub_code(typed(|c| {
            c.user_id = None;
            c.taobao_nick = Some("nobody".into());
        })),
        "USER_NOT_EXIST"
    );
    assert_eq!(sub_code(typed(|c| c.amount = Some(Amount::parse("1.00").unwrap()))), "INVALID_PARAMETER");
    assert_eq!(sub_code(typed(|c| c.template_id = TEMPLATE_RED_PACKET.into())), "INVALID_PARAMETER");

    let base = json!({"template_id": TEMPLATE_VOUCHER, "user_id": TEST_USER_ID, "out_biz_no": "vs-err"});
    let with = |key: &str, value: serde_json::Value| {
        let mut biz = base.clone();
        if value.is_null() {
            biz.as_object_mut().unwrap().remove(key);
        } else {
            biz[key] = value;
        }
        raw(VoucherSend::METHOD, biz)
    };
    for request in [
        with("user_id", json!(null)),
        with("out_biz_no", json!(null)),
        with("out_biz_no", json!("x".repeat(65))),
        with("out_biz_no", json!(["array"])),
        with("template_id", json!("")),
        with("memo", json!("长".repeat(129))),
    ] {
        let e = business_error(h.call(&request));
        assert_eq!(e.sub_code.as_deref(), Some("INVALID_PARAMETER"), "{:?}", request.biz_content_text());
    }
    let red =
        json!({"template_id": TEMPLATE_RED_PACKET, "user_id": TEST_USER_ID, "out_biz_no": "rp", "amount": "1.001"});
    assert_eq!(sub_code(h.call(&raw(VoucherSend::METHOD, red))), "INVALID_PARAMETER");
    let request = alipay_openapi::Request::new(VoucherSend::METHOD).biz_content("not json");
    assert_eq!(sub_code(h.call(&request)), "INVALID_PARAMETER");
    assert_eq!(sub_code(h.call(&alipay_openapi::Request::new(VoucherSend::METHOD))), "INVALID_PARAMETER");
}

#[test]
fn redeeming_an_external_code_changes_the_voucher_once() {
    let h = Harness::start();
    let sent = h.typed(&send_call(TEMPLATE_EXTERNAL_CODES, "vs-code")).unwrap();

    // The first voucher of the template takes the first code of its pool.
    let used = h.typed(&redeem("EXTCODE00001", "use0001")).unwrap();
    assert!(used.redeemed());
    assert_eq!(used.voucher_id.as_deref(), Some(sent.voucher_id.as_str()));
    let replay = h.typed(&redeem("EXTCODE00001", "use0001")).unwrap();
    assert_eq!(replay.voucher_id, used.voucher_id, "same out_biz_no: same answer");

    let found = query(&h, &sent.voucher_id);
    assert_eq!(found.status, VoucherStatus::Used);
    assert_eq!(found.total_amount.map(Amount::fen), Some(500));
    assert_eq!(found.available_amount, Some(Amount::ZERO));
    let [bill] = found.bill_details.as_slice() else { panic!("{:?}", found.bill_details) };
    assert_eq!(bill.amount.fen(), 500);
    assert_eq!(bill.biz_type, Some(BillType::Use));
    assert_eq!(bill.status, BillStatus::Success);
    assert_eq!(bill.trade_no.as_deref().map(str::len), Some(28));
    assert_eq!(bill.partner_id.as_deref(), Some("2088001159940003"));

    assert_eq!(
        sub_code(h.typed(&redeem("EXTCODE00001", "use0002"))),
        "REQUEST_PARAM_ILLEGAL",
        "a code is redeemed once"
    );
    assert_eq!(
        sub_code(h.typed(&redeem("EXTCODE00002", "use0001"))),
        "REQUEST_PARAM_ILLEGAL",
        "out_biz_no bound to another code"
    );
    assert_eq!(sub_code(h.typed(&redeem("NO-SUCH-CODE", "use0003"))), "REQUEST_PARAM_ILLEGAL");
    assert_eq!(sub_code(h.typed(&redeem("EXTCODE00009", "use0004"))), "REQUEST_PARAM_ILLEGAL", "not issued yet");
    let dashed = raw(VoucherStockUse::METHOD, json!({"entity_no": "EXTCODE00001", "out_biz_no": "use-0005"}));
    assert_eq!(sub_code(h.call(&dashed)), "REQUEST_PARAM_ILLEGAL", "out_biz_no: letters and digits only");
    assert_eq!(query(&h, &sent.voucher_id).bill_details.len(), 1, "failed redemptions leave no bill");
}

#[test]
fn expired_vouchers_cannot_be_redeemed() {
    let clock = Clock::manual(Timestamp::parse_beijing("now", "2024-05-13 17:49:20").unwrap());
    let mut config = GatewayConfig { clock: clock.clone(), ..GatewayConfig::default() };
    config.fixtures.templates.push(Template {
        template_id: "20240513000730011111000SHORT".to_owned(),
        name: "一天有效".to_owned(),
        amount: Some("3.00".to_owned()),
        gmt_expired: "2024-05-14 00:00:00".to_owned(),
        external_codes: vec!["SHORT-1".to_owned()],
    });
    let h = Harness::with_config(config);
    let sent = h.typed(&send_call("20240513000730011111000SHORT", "vs-short")).unwrap();
    assert!(sent.voucher_id.starts_with("20240513"));

    clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(sub_code(h.typed(&redeem("SHORT-1", "use1"))), "VOUCHER_HAS_EXPIRED");
    assert_eq!(query(&h, &sent.voucher_id).status, VoucherStatus::Expired);
    assert_eq!(sub_code(h.typed(&send_call("20240513000730011111000SHORT", "vs-late"))), "TEMPLATE_EXPIRED");
    // A replay of a voucher sent in time still returns it.
    assert_eq!(h.typed(&send_call("20240513000730011111000SHORT", "vs-short")).unwrap().voucher_id, sent.voucher_id);
}

#[test]
fn query_errors() {
    let h = Harness::start();
    assert_eq!(
        sub_code(h.typed(&VoucherQuery { voucher_id: "20170616000730020041006ZYE2V".into() })),
        "INVALID_PARAMETER"
    );
    for voucher_id in ["short", ""] {
        let request = raw(VoucherQuery::METHOD, json!({ "voucher_id": voucher_id }));
        assert_eq!(sub_code(h.call(&request)), "INVALID_PARAMETER", "{voucher_id:?}");
    }
}

#[test]
fn ticket_codes_sync_once_then_answer_biz_already_success() {
    let h = Harness::start();
    let order = "20180404111040030100130500594477";
    let sync = ticket_sync_call("2016102903214470000000000", "16569843362", order, "4");
    let synced = h.typed(&sync).unwrap();
    assert_eq!(synced.request_id, "2016102903214470000000000");
    assert_eq!(synced.order_no, order);
    assert!(!synced.idempotent_replay);
    // On the wire `request_id` is an array of one string, as on the API page.
    let verified = h.call(&common::ticket_sync("2016102903214470000000000", "16569843362", order, "4")).unwrap();
    assert_eq!(verified.value()["request_id"], json!(["2016102903214470000000000"]));
    assert!(h.typed(&sync).unwrap().idempotent_replay, "BIZ_ALREADY_SUCCESS");

    let other_order = "20180404111040030100130500594478";
    assert_eq!(sub_code(h.typed(&ticket_sync_call("r2", "99999999999", order, "1"))), "TICKET_CODE_NOT_EXIST");
    assert_eq!(sub_code(h.typed(&ticket_sync_call("r3", "16569843362", other_order, "1"))), "INVALID_PARAMETER");
    assert_eq!(sub_code(h.typed(&ticket_sync_call("r4", "16569843362", order, "5"))), "TICKET_STATUS_ILLEGAL");
    assert_eq!(
        sub_code(h.typed(&ticket_sync_call("2016102903214470000000000", "16569843363", other_order, "0"))),
        "INVALID_PARAMETER",
        "a request_id used for another code"
    );
    let base = json!({"request_id": "r5", "ticket_code": "16569843362", "order_no": order, "quantity": "1", "code_type": "EXTERNAL_CODE"});
    for (key, value) in [
        ("request_id", json!("r-5")),
        ("quantity", json!("one")),
        ("code_type", json!("OTHER")),
        ("code_type", json!(null)), // INTERNAL_CODE by default, and 16569843362 is not 12 digits
        ("gmt_biz", json!("2017-09-09T12:12:12")),
    ] {
        let mut biz = base.clone();
        if value.is_null() {
            biz.as_object_mut().unwrap().remove(key);
        } else {
            biz[key] = value;
        }
        let request = raw(TicketCodeSync::METHOD, biz);
        assert_eq!(sub_code(h.call(&request)), "INVALID_PARAMETER", "{key}");
    }
    // Down to zero uses is allowed.
    h.typed(&ticket_sync_call("r7", "16569843362", order, "0")).unwrap();
}

#[test]
fn state_survives_a_restart_with_a_database_file() {
    let dir = std::env::temp_dir().join(format!("alipay-gateway-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.sqlite");
    let _ = std::fs::remove_file(&path);
    let config = GatewayConfig { database: Database::File(path), ..GatewayConfig::default() };
    let voucher_id = {
        let h = Harness::with_config(config.clone());
        let sent = h.typed(&send_call(TEMPLATE_EXTERNAL_CODES, "vs-file")).unwrap();
        h.typed(&redeem("EXTCODE00001", "usefile")).unwrap();
        sent.voucher_id
    };
    let h = Harness::with_config(config);
    assert_eq!(h.typed(&send_call(TEMPLATE_EXTERNAL_CODES, "vs-file")).unwrap().voucher_id, voucher_id);
    assert_eq!(query(&h, &voucher_id).status, VoucherStatus::Used);
    drop(h);
    std::fs::remove_dir_all(&dir).unwrap();
}
