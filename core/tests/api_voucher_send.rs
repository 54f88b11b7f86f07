//! `alipay.marketing.voucher.send` against its reference page (seed 001).
#![cfg(test)]

mod api_support;

use alipay_openapi::api::{request_for, result_for, Amount, ApiCall, Source, VoucherSend};
use alipay_openapi::Charset;
use api_support::*;
use serde_json::json;

const METHOD: &str = "alipay.marketing.voucher.send";

/// The page's request example, field by field.
fn page_example() -> VoucherSend {
    VoucherSend {
        template_id: "20140601000730010040000000EB".into(),
        login_id: Some("13196215350".into()),
        taobao_nick: Some("yue54333".into()),
        user_id: Some("2088302001456115".into()),
        out_biz_no: "2016122814164328aadaee_1aee_4".into(),
        amount: Some(Amount::parse("9.99").unwrap()),
        memo: Some("优酷3个月兑换券".into()),
    }
}

#[test]
fn page_request_example_builds_and_signs_with_amount_as_a_string() {
    let request = page_example().to_request().unwrap();
    assert_eq!(request.method(), METHOD);
    let biz = request.biz_content_text().unwrap();
    assert_eq!(
        biz,
        r#"{"template_id":"20140601000730010040000000EB","login_id":"13196215350","taobao_nick":"yue54333","user_id":"2088302001456115","out_biz_no":"2016122814164328aadaee_1aee_4","amount":"9.99","memo":"优酷3个月兑换券"}"#
    );
    // The page's Java example uses GBK; both charsets sign it.
    for charset in [Charset::Utf8, Charset::Gbk] {
        let signed = client_with(charset).sign(&request, now()).unwrap();
        assert_eq!(signed.params()["biz_content"], biz);
        assert!(signed.sign_content().contains(r#""amount":"9.99""#));
    }
    // All three user identifiers are given: the gateway uses user_id.
    assert_eq!(page_example().user_identifier(), Some(("user_id", "2088302001456115")));
}

#[test]
fn user_identifier_follows_the_page_priority_and_one_is_required() {
    let mut send = VoucherSend { user_id: None, ..page_example() };
    assert_eq!(send.user_identifier(), Some(("login_id", "13196215350")));
    send.login_id = None;
    assert_eq!(send.user_identifier(), Some(("taobao_nick", "yue54333")));
    send.to_request().unwrap();
    send.taobao_nick = None;
    let rule = field_error(send.to_request(), "user_id");
    assert!(rule.contains("login_id") && rule.contains("taobao_nick"), "{rule}");
}

#[test]
fn every_length_rule_accepts_its_limit_and_refuses_one_more() {
    type Setter = fn(&mut VoucherSend, String);
    let cases: [(&str, usize, Setter); 6] = [
        ("template_id", 28, |s, v| s.template_id = v),
        ("user_id", 16, |s, v| s.user_id = Some(v)),
        ("login_id", 128, |s, v| s.login_id = Some(v)),
        ("taobao_nick", 128, |s, v| s.taobao_nick = Some(v)),
        ("out_biz_no", 64, |s, v| s.out_biz_no = v),
        ("memo", 128, |s, v| s.memo = Some(v)),
    ];
    for (field, max, set) in cases {
        let mut send = page_example();
        set(&mut send, text(max));
        send.to_request().unwrap_or_else(|e| panic!("{field} at {max}: {e}"));
        set(&mut send, text(max + 1));
        let rule = field_error(send.to_request(), field);
        assert!(rule.contains(&format!("at most {max} characters")), "{field}: {rule}");
    }
}

#[test]
fn lengths_count_characters_not_utf8_bytes() {
    let mut send = page_example();
    send.memo = Some("券".repeat(128)); // 384 UTF-8 bytes
    send.to_request().unwrap();
    send.memo = Some("券".repeat(129));
    field_error(send.to_request(), "memo");
}

#[test]
fn required_and_empty_fields_are_refused() {
    field_error(VoucherSend { template_id: String::new(), ..page_example() }.to_request(), "template_id");
    field_error(VoucherSend { out_biz_no: String::new(), ..page_example() }.to_request(), "out_biz_no");
    let rule = field_error(VoucherSend { memo: Some(String::new()), ..page_example() }.to_request(), "memo");
    assert!(rule.contains("empty"), "{rule}");
}

#[test]
fn amount_is_positive_and_at_most_ten_characters() {
    let with = |fen| VoucherSend { amount: Some(Amount::from_fen(fen).unwrap()), ..page_example() }.to_request();
    let at_limit = with(999_999_999).unwrap();
    assert!(at_limit.biz_content_text().unwrap().contains(r#""amount":"9999999.99""#));
    assert!(field_error(with(1_000_000_000), "amount").contains("9999999.99"));
    assert!(field_error(with(0), "amount").contains("greater than 0"));
    with(1).unwrap();
    // Absent is fine (not a red packet), and then it is not sent at all.
    let none = VoucherSend { amount: None, ..page_example() }.to_request().unwrap();
    assert!(!none.biz_content_text().unwrap().contains("amount"));
}

#[test]
fn deserializes_from_a_json_object_with_the_page_names() {
    let from_json = |value: serde_json::Value| serde_json::from_value::<VoucherSend>(value);
    let send = from_json(json!({"template_id": "T", "user_id": "2088", "out_biz_no": "1", "amount": "9.99"})).unwrap();
    assert_eq!(send.amount.unwrap().fen(), 999);
    assert_eq!(
        from_json(json!({"template_id": "T", "user_id": "2088", "out_biz_no": "1", "amount": 10}))
            .unwrap()
            .amount
            .unwrap()
            .fen(),
        1000
    );
    // A float is never taken for money, an unknown field is refused.
    let float =
        from_json(json!({"template_id": "T", "user_id": "2088", "out_biz_no": "1", "amount": 9.99})).unwrap_err();
    assert!(float.to_string().contains("decimal string"), "{float}");
    let unknown =
        from_json(json!({"template_id": "T", "user_id": "2088", "out_biz_no": "1", "open_id": "x"})).unwrap_err();
    assert!(unknown.to_string().contains("open_id"), "{unknown}");
    // The dispatcher takes the same object through the typed model.
    let request =
        request_for(METHOD, &json!({"template_id": "T", "user_id": "2088", "out_biz_no": "1", "amount": "9.99"}))
            .unwrap();
    assert_eq!(
        request.biz_content_text(),
        Some(r#"{"template_id":"T","user_id":"2088","out_biz_no":"1","amount":"9.99"}"#)
    );
    let rule = field_error(
        request_for(METHOD, &json!({"template_id": "T", "user_id": "2088", "out_biz_no": "1", "amount": 9.99})),
        "amount",
    );
    assert!(rule.contains("decimal string"), "{rule}");
    let rule = field_error(
        request_for(METHOD, &json!({"template_id": "T", "user_id": "2088", "out_biz_no": "1", "amount": "9.999"})),
        "amount",
    );
    assert!(rule.contains("at most two decimals"), "{rule}");
    let error = request_for(METHOD, &json!({"template_id": "T", "out_biz_no": "1"})).unwrap_err();
    assert_eq!(error.code(), "invalid_field");
    assert!(error.to_string().contains("user_id"), "{error}");
}

#[test]
fn page_success_example_parses() {
    let node = r#"{
		"msg":"Success",
		"code":"10000",
		"user_id":"2088302001456115",
		"voucher_id":"20160906000730020020002U8CBS"
	}"#;
    let result = VoucherSend::parse(answer(METHOD, node)).unwrap();
    assert_eq!(result.voucher_id, "20160906000730020020002U8CBS");
    assert_eq!(result.user_id.as_deref(), Some("2088302001456115"));
    assert!(result.extra.is_empty());
    assert_eq!(
        result_for(METHOD, answer(METHOD, node)).unwrap(),
        json!({"voucher_id": "20160906000730020020002U8CBS", "user_id": "2088302001456115"})
    );
}

#[test]
fn unknown_members_are_kept_and_a_missing_voucher_id_is_an_error() {
    let result = VoucherSend::parse(answer(
        METHOD,
        r#"{"code":"10000","msg":"Success","voucher_id":"V","open_id":"074a1","n":{"a":1}}"#,
    ))
    .unwrap();
    assert_eq!(result.user_id, None);
    assert_eq!(result.extra["open_id"], "074a1");
    assert_eq!(result.extra["n"], json!({"a": 1}));
    let error = VoucherSend::parse(answer(METHOD, r#"{"code":"10000","msg":"Success","user_id":"2088"}"#)).unwrap_err();
    assert_eq!(error.code(), "malformed_response");
    assert!(error.to_string().contains("voucher_id"), "{error}");
}

#[test]
fn page_error_example_is_a_retryable_gateway_error() {
    let node = r#"{
		"msg":"Service Currently Unavailable",
		"code":"20000",
		"sub_msg":"系统繁忙",
		"sub_code":"isp.unknow-error"
	}"#;
    let error = gateway_error(VoucherSend::parse(answer(METHOD, node)));
    assert_eq!((error.code.as_str(), error.sub_code.as_deref()), ("20000", Some("isp.unknow-error")));
    assert_eq!(error.sub_msg.as_deref(), Some("系统繁忙"));
    let info = error.describe(METHOD);
    assert_eq!(info.source, Source::Common);
    assert!(info.retryable());
    // The retry is the same request signed again: same out_biz_no, fresh timestamp.
    let request = page_example().to_request().unwrap();
    let first = client().sign(&request, now()).unwrap();
    let retry = client().sign(&request, alipay_openapi::Timestamp::from_unix_secs(now().unix_secs() + 30)).unwrap();
    assert_eq!(first.params()["biz_content"], retry.params()["biz_content"]);
    assert_ne!(first.params()["timestamp"], retry.params()["timestamp"]);
}

#[test]
fn page_business_codes_map_to_their_action_and_retry_flag() {
    let expected = [
        ("TEMPLATE_NOT_EXIST", "模板不存在", "请仔细确认指定模板ID是否存在", false),
        ("TEMPLATE_EXPIRED", "模板过期", "查模板状态确认模板是否过期", false),
        ("USER_NOT_EXIST", "用户不存在", "请仔细确认传入支付宝用户ID是否正确", false),
        ("USER_STATUS_ERROR", "用户状态不可用", "请确认用户状态是否可用", false),
        ("INVALID_PARAMETER", "参数有误", "请检查入参是否符合接口要求", false),
        ("SYSTEM_ERROR", "系统繁忙", "1.发起业务重试 2.联系技术支持", true),
    ];
    assert_business_codes(METHOD, &expected);
    // The same codes reached through a verified answer.
    for (code, description, _, retryable) in expected {
        let node =
            format!(r#"{{"code":"40004","msg":"Business Failed","sub_code":"{code}","sub_msg":"{description}"}}"#);
        assert_eq!(gateway_error(VoucherSend::parse(answer(METHOD, &node))).retryable(METHOD), retryable, "{code}");
    }
}
