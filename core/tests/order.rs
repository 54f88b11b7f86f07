//! Holding a verified notification against the merchant's own order (out_trade_no, total_amount in
//! fen, seller_id) before answering `success`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::disallowed_methods)]

use alipay_openapi::{
    AlipayPublicKey, AppPrivateKey, Charset, Client, Config, ExpectedOrder, Notification, NotifyParams, NotifyVersion,
};
use serde_json::{json, Value};

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// notify-001: a TRADE_SUCCESS notification for order 20240513174920001, 9.99 yuan, seller 2088102177649450.
fn verified() -> Notification {
    let cases: Value = serde_json::from_str(&read("notifies.json")).unwrap();
    let body = cases.as_array().unwrap().iter().find(|c| c["id"] == "notify-001").unwrap()["inputs"]["body"].clone();
    let client = Client::new(
        Config::new("2021000000000001"),
        AppPrivateKey::parse(&read("keys/app_2048.private.pkcs1.pem")).unwrap(),
        AlipayPublicKey::parse(&read("keys/alipay_2048.public.spki.pem")).unwrap(),
    );
    let params = NotifyParams::from_form(body.as_str().unwrap().as_bytes(), Charset::Utf8).unwrap();
    client.verify_notification(params, NotifyVersion::V1).unwrap()
}

fn order(out_trade_no: &str, fen: i64, seller_id: Option<&str>) -> ExpectedOrder {
    ExpectedOrder {
        out_trade_no: out_trade_no.to_owned(),
        total_amount_fen: fen,
        seller_id: seller_id.map(str::to_owned),
    }
}

#[test]
fn the_matching_order_passes() {
    let notification = verified();
    assert_eq!(notification.check_order(&order("20240513174920001", 999, Some("2088102177649450"))), Ok(()));
    assert_eq!(notification.check_order(&order("20240513174920001", 999, None)), Ok(()));
}

#[test]
fn each_difference_is_an_order_mismatch_naming_the_field() {
    let notification = verified();
    for (expected, field, found) in [
        (order("20240513174920002", 999, None), "out_trade_no", "20240513174920001"),
        (order("20240513174920001", 998, None), "total_amount", "9.99"),
        (order("20240513174920001", 99_900, None), "total_amount", "9.99"),
        (order("20240513174920001", 999, Some("2088000000000000")), "seller_id", "2088102177649450"),
    ] {
        let error = notification.check_order(&expected).unwrap_err();
        assert_eq!((error.code(), error.field_name()), ("order_mismatch", Some(field)), "{error}");
        assert!(error.to_string().contains(&format!("is `{found}`")), "{error}");
    }
    let error = notification.check_order(&order("20240513174920001", -1, None)).unwrap_err();
    assert_eq!((error.code(), error.field_name()), ("invalid_field", Some("total_amount_fen")));
}

#[test]
fn a_missing_or_malformed_amount_never_matches() {
    for total in ["", "9.990", "9,99", "+9.99", "1e1"] {
        let fields = [("out_trade_no", "A"), ("total_amount", total)];
        let fields =
            fields.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let error = alipay_openapi::check_order(&fields, &order("A", 999, None)).unwrap_err();
        assert_eq!(error.field_name(), Some("total_amount"), "{total:?}");
    }
    let fields = [("out_trade_no", "A"), ("total_amount", "10")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
    assert_eq!(alipay_openapi::check_order(&fields, &order("A", 1000, None)), Ok(()), "10 yuan is 1000 fen");
}

#[test]
fn the_order_is_read_from_options_with_money_as_integer_fen() {
    let read = ExpectedOrder::from_value(&json!({"out_trade_no": "A", "total_amount_fen": 999, "seller_id": "2088"}));
    assert_eq!(read.unwrap(), order("A", 999, Some("2088")));
    for (value, field) in [
        (json!({"out_trade_no": "A", "total_amount_fen": 9.99}), "total_amount_fen"),
        (json!({"out_trade_no": "A", "total_amount_fen": "999"}), "total_amount_fen"),
        (json!({"out_trade_no": "A"}), "total_amount_fen"),
        (json!({"total_amount_fen": 999}), "out_trade_no"),
        (json!({"out_trade_no": "A", "total_amount_fen": 999, "amount": 1}), "amount"),
        (json!({"out_trade_no": "A", "total_amount_fen": u64::MAX}), "total_amount_fen"),
    ] {
        let error = ExpectedOrder::from_value(&value).unwrap_err();
        assert_eq!((error.code(), error.field_name()), ("invalid_field", Some(field)), "{value}");
    }
}
