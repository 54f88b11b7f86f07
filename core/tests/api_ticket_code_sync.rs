//! `koubei.trade.ticket.ticketcode.sync` against its reference page (seed 003).
#![cfg(test)]

mod api_support;

use alipay_openapi::api::{request_for, result_for, ApiCall, CodeType, TicketCodeSync};
use alipay_openapi::BeijingDateTime;
use api_support::*;
use serde_json::json;

const METHOD: &str = "koubei.trade.ticket.ticketcode.sync";

/// The page's request example, field by field.
fn page_example() -> TicketCodeSync {
    TicketCodeSync {
        request_id: "2016102903214470000000000".into(),
        ticket_code: "16569843362".into(),
        quantity: "5".into(),
        order_no: "20180404111040030100130500594477".into(),
        code_type: Some(CodeType::ExternalCode),
        gmt_biz: Some(BeijingDateTime::parse("gmt_biz", "2017-09-09 12:12:12").unwrap()),
        sync_shop_id: Some("store-001".into()),
    }
}

#[test]
fn page_request_example_builds_and_signs() {
    let request = page_example().to_request().unwrap();
    let biz = r#"{"request_id":"2016102903214470000000000","ticket_code":"16569843362","quantity":"5","order_no":"20180404111040030100130500594477","code_type":"EXTERNAL_CODE","gmt_biz":"2017-09-09 12:12:12","sync_shop_id":"store-001"}"#;
    assert_eq!(request.biz_content_text(), Some(biz));
    assert_eq!(client().sign(&request, now()).unwrap().params()["biz_content"], biz);
    // The same object through the dispatcher, as a binding passes it (quantity as a number too).
    let value = json!({"request_id": "2016102903214470000000000", "ticket_code": "16569843362", "quantity": 5,
        "order_no": "20180404111040030100130500594477", "code_type": "EXTERNAL_CODE", "gmt_biz": "2017-09-09 12:12:12",
        "sync_shop_id": "store-001"});
    assert_eq!(request_for(METHOD, &value).unwrap(), request);
}

#[test]
fn every_rule_accepts_its_limit_and_refuses_one_more() {
    type Setter = fn(&mut TicketCodeSync, String);
    let cases: [(&str, usize, &str, Setter); 4] = [
        ("request_id", 32, "7", |s, v| s.request_id = v),
        ("ticket_code", 32, "a", |s, v| s.ticket_code = v),
        ("order_no", 32, "a", |s, v| s.order_no = v),
        ("sync_shop_id", 32, "a", |s, v| s.sync_shop_id = Some(v)),
    ];
    for (field, max, unit, set) in cases {
        let mut sync = page_example();
        set(&mut sync, unit.repeat(max));
        sync.to_request().unwrap_or_else(|e| panic!("{field} at {max}: {e}"));
        set(&mut sync, unit.repeat(max + 1));
        assert!(field_error(sync.to_request(), field).contains(&format!("at most {max}")), "{field}");
        set(&mut sync, String::new());
        field_error(sync.to_request(), field);
    }
    let with_quantity = |q: &str| TicketCodeSync { quantity: q.into(), ..page_example() }.to_request();
    with_quantity("9999").unwrap();
    with_quantity("0").unwrap();
    assert!(field_error(with_quantity("10000"), "quantity").contains("at most 4"));
    assert!(field_error(with_quantity("1a"), "quantity").contains("digits"));
    assert!(field_error(with_quantity(""), "quantity").contains("required"));
    let rule =
        field_error(TicketCodeSync { request_id: "2016-10-29".into(), ..page_example() }.to_request(), "request_id");
    assert!(rule.contains("letters and digits"), "{rule}");
}

#[test]
fn code_type_is_required_for_anything_but_a_12_digit_internal_code() {
    let internal = TicketCodeSync { ticket_code: "123456789012".into(), code_type: None, ..page_example() };
    internal.to_request().unwrap();
    TicketCodeSync { code_type: Some(CodeType::InternalCode), ..internal.clone() }.to_request().unwrap();
    // The page's own 11-digit code is external: without code_type it is refused.
    let rule = field_error(TicketCodeSync { code_type: None, ..page_example() }.to_request(), "code_type");
    assert!(rule.contains("EXTERNAL_CODE"), "{rule}");
    field_error(TicketCodeSync { code_type: Some(CodeType::InternalCode), ..page_example() }.to_request(), "code_type");
    field_error(
        TicketCodeSync { ticket_code: "12345678901a".into(), code_type: None, ..page_example() }.to_request(),
        "code_type",
    );
    // When absent it is not sent (the gateway defaults to INTERNAL_CODE), nor is an absent gmt_biz.
    let sent = TicketCodeSync { gmt_biz: None, ..internal }.to_request().unwrap();
    assert!(!sent.biz_content_text().unwrap().contains("code_type"));
    assert!(!sent.biz_content_text().unwrap().contains("gmt_biz"));
}

#[test]
fn serde_refuses_bad_dates_codes_and_unknown_fields() {
    let base = json!({"request_id": "1", "ticket_code": "123456789012", "quantity": "1", "order_no": "1"});
    let with = |key: &str, value: serde_json::Value| {
        let mut object = base.clone();
        object[key] = value;
        request_for(METHOD, &object)
    };
    with("gmt_biz", json!("2017-09-09 12:12:12")).unwrap();
    for (key, value) in [
        ("gmt_biz", json!("2017-09-09")),
        ("code_type", json!("OTHER_CODE")),
        ("quantity", json!(-1)),
        ("unknown", json!(1)),
    ] {
        let error = with(key, value).unwrap_err();
        assert_eq!(error.code(), "invalid_field", "{key}");
        assert!(error.to_string().contains(key), "{key}: {error}");
    }
}

#[test]
fn page_success_example_parses_its_list_request_id_as_an_idempotent_replay() {
    let node = r#"{
        "code": "10000",
        "msg": "Success",
        "request_id": [
            "2016102903214476899999999"
        ],
        "order_no": "20170301011040030100490000189223",
        "biz_code": "BIZ_ALREADY_SUCCESS"
    }"#;
    let result = TicketCodeSync::parse(answer(METHOD, node)).unwrap();
    assert_eq!(result.request_id, "2016102903214476899999999");
    assert_eq!(result.order_no, "20170301011040030100490000189223");
    assert_eq!(result.biz_code.as_deref(), Some("BIZ_ALREADY_SUCCESS"));
    assert!(result.idempotent_replay);
    assert_eq!(result_for(METHOD, answer(METHOD, node)).unwrap()["idempotent_replay"], true);
}

#[test]
fn request_id_may_be_a_string_but_not_a_longer_list() {
    let first = TicketCodeSync::parse(answer(
        METHOD,
        r#"{"code":"10000","msg":"Success","request_id":"R1","order_no":"O1","shop":"s"}"#,
    ))
    .unwrap();
    assert_eq!((first.request_id.as_str(), first.idempotent_replay, first.biz_code), ("R1", false, None));
    assert_eq!(first.extra["shop"], "s");
    for bad in [r#"["R1","R2"]"#, "[]", r#"{"a":"R1"}"#] {
        let node = format!(r#"{{"code":"10000","msg":"Success","request_id":{bad},"order_no":"O1"}}"#);
        let error = TicketCodeSync::parse(answer(METHOD, &node)).unwrap_err();
        assert_eq!(error.code(), "malformed_response", "{bad}");
        assert!(error.to_string().contains("request_id"), "{bad}: {error}");
    }
}

#[test]
fn page_error_example_is_a_retryable_gateway_error() {
    let node = r#"{
        "code": "20000",
        "msg": "Service Currently Unavailable",
        "sub_code": "isp.unknow-error",
        "sub_msg": "系统繁忙"
    }"#;
    assert!(gateway_error(TicketCodeSync::parse(answer(METHOD, node))).retryable(METHOD));
}

#[test]
fn page_business_codes_map_to_their_action_and_retry_flag() {
    let expected = [
        ("SYSTEM_ERROR", "系统繁忙", "重试", true),
        ("INVALID_PARAMETER", "参数有误", "对照接口文档以及请求参数用例,修改请求参数", false),
        ("TICKET_CODE_NOT_EXIST", "凭证码不存在", "凭证码不存在,需要核实", false),
        (
            "NOT_SAME_MERCHANT_PID",
            "非当前商家的凭证码,无法同步",
            "只能同步当前商家的凭证码,确认该凭证码是否属于本商家",
            false,
        ),
        ("TICKET_STATUS_ILLEGAL", "券已退款,无法同步", "请确认券状态", false),
        ("TICKET_PROCESSING", "券已经在处理中", "券已经在处理中,稍后重试", true),
    ];
    assert_business_codes(METHOD, &expected);
}
