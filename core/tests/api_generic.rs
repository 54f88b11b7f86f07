//! The generic path: any method, `biz_content` as a JSON value or as text, through the same
//! mechanics as the typed models.
#![cfg(test)]

mod api_support;

use alipay_openapi::api::{
    generic_request, generic_request_text, parse, request_for, result_for, ApiCall, VoucherQuery,
};
use api_support::*;
use serde_json::{json, Map, Value};

const METHOD: &str = "alipay.trade.query";

#[test]
fn a_json_value_is_serialized_once_and_signed() {
    let request =
        generic_request(METHOD, &json!({"out_trade_no": "2015", "query_options": ["trade_settle_info"]})).unwrap();
    assert_eq!(request.method(), METHOD);
    let signed = client().sign(&request, now()).unwrap();
    assert_eq!(signed.params()["biz_content"], r#"{"out_trade_no":"2015","query_options":["trade_settle_info"]}"#);
    assert_eq!(generic_request(METHOD, &json!([1])).unwrap_err().code(), "invalid_field");
}

#[test]
fn json_text_is_signed_and_sent_byte_for_byte() {
    let text = r#"{ "total_amount": "88.88",  "subject": "测试\/商品" }"#;
    let request = generic_request_text(METHOD, text).unwrap();
    assert_eq!(client().sign(&request, now()).unwrap().params()["biz_content"], text);
    for bad in ["", "[]", "{", r#"{"a":1} x"#] {
        let error = generic_request_text(METHOD, bad).unwrap_err();
        assert_eq!(error.code(), "invalid_field", "{bad}");
        assert!(error.to_string().contains("biz_content"));
    }
}

#[test]
fn answers_give_the_verified_text_and_the_value() {
    let node = r#"{"code":"10000","msg":"Success","trade_no":"2013112011001004330000121536","total_amount":88.88,"fund_bill_list":[{"amount":"10.00"}]}"#;
    let verified = answer(METHOD, node);
    assert_eq!(verified.node_text(), node);
    assert_eq!(verified.value()["trade_no"], "2013112011001004330000121536");
    let fields: Map<String, Value> = parse(verified).unwrap();
    assert!(!fields.contains_key("code") && !fields.contains_key("msg"));
    assert_eq!(fields["fund_bill_list"][0]["amount"], "10.00");
    assert_eq!(result_for(METHOD, answer(METHOD, node)).unwrap(), Value::Object(fields));
}

#[test]
fn errors_take_the_same_path_as_the_typed_models() {
    let node = r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"#;
    let generic = gateway_error(parse::<Map<String, Value>>(answer(METHOD, node)));
    assert_eq!(generic.sub_code.as_deref(), Some("ACQ.TRADE_NOT_EXIST"));
    let typed = gateway_error(VoucherQuery::parse(answer(VoucherQuery::METHOD, node)));
    assert_eq!(generic, typed);
    assert_eq!(result_for(METHOD, answer(METHOD, node)).unwrap_err().code(), "gateway_error");
    // `code` 10000 with a sub_code is not a success either.
    let odd = r#"{"code":"10000","msg":"Success","sub_code":"X"}"#;
    assert_eq!(parse::<Map<String, Value>>(answer(METHOD, odd)).unwrap_err().code(), "gateway_error");
}

#[test]
fn the_dispatcher_types_the_four_methods_and_passes_others_through() {
    let biz = json!({"voucher_id": "20170616000730020041006ZYE2V"});
    assert_eq!(
        request_for(VoucherQuery::METHOD, &biz).unwrap(),
        VoucherQuery { voucher_id: "20170616000730020041006ZYE2V".into() }.to_request().unwrap()
    );
    // Typed: unknown fields and broken rules are refused; generic: anything goes.
    let error =
        request_for(VoucherQuery::METHOD, &json!({"voucher_id": "20170616000730020041006ZYE2V", "x": 1})).unwrap_err();
    assert_eq!(error.code(), "invalid_field");
    assert!(error.to_string().contains("`x`"), "{error}");
    let error = request_for(VoucherQuery::METHOD, &json!({"voucher_id": "short"})).unwrap_err();
    assert!(error.to_string().contains("voucher_id"), "{error}");
    let error = request_for(VoucherQuery::METHOD, &json!({"voucher_id": 12})).unwrap_err();
    assert!(error.to_string().contains("voucher_id"), "{error}");
    let generic = request_for(METHOD, &json!({"x": 1})).unwrap();
    assert_eq!(generic.biz_content_text(), Some(r#"{"x":1}"#));
    assert_eq!(request_for(VoucherQuery::METHOD, &json!("text")).unwrap_err().code(), "invalid_field");
}
