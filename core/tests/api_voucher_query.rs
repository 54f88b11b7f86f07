//! `alipay.marketing.voucher.query` against its reference page (seed 002).
#![cfg(test)]

mod api_support;

use alipay_openapi::api::{result_for, ApiCall, BillStatus, BillType, VoucherQuery, VoucherStatus};
use alipay_openapi::Charset;
use api_support::*;
use serde_json::{json, Value};

const METHOD: &str = "alipay.marketing.voucher.query";

/// The page's success example node, verbatim.
const PAGE_SUCCESS: &str = r#"{
        "code": "10000",
        "msg": "Success",
        "name": "商户代金券",
        "voucher_id": "20170616000730020041006ZYE2V",
        "user_id": "2088102146165572",
        "template_id": "0616844525285551005194106549",
        "gmt_active": "2015-04-02 13:32:43",
        "gmt_expired": "2015-04-02 13:32:43",
        "total_amount": 1,
        "available_amount": 1,
        "status": "ENABLED",
        "gmt_create": "2015-04-02 13:32:43",
        "extend_info": "{}",
        "bill_details": [
            {
                "trade_no": "2015040200073002576500000001",
                "amount": 1,
                "status": "I",
                "partner_id": "2088001159940003",
                "partner_name": "商户名称",
                "biz_type": "V_USE",
                "gmt_create": "2015-04-02 13:32:43"
            }
        ]
    }"#;

#[test]
fn page_request_example_builds_and_signs() {
    let request = VoucherQuery { voucher_id: "20170616000730020041006ZYE2V".into() }.to_request().unwrap();
    assert_eq!(request.biz_content_text(), Some(r#"{"voucher_id":"20170616000730020041006ZYE2V"}"#));
    let signed = client().sign(&request, now()).unwrap();
    assert!(signed.sign_content().contains("method=alipay.marketing.voucher.query"));
}

#[test]
fn voucher_id_is_required_and_exactly_28_characters() {
    let query = |n| VoucherQuery { voucher_id: text(n) }.to_request();
    query(28).unwrap();
    assert!(field_error(query(29), "voucher_id").contains("28"));
    assert!(field_error(query(27), "voucher_id").contains("exactly 28"));
    assert!(field_error(query(0), "voucher_id").contains("required"));
}

#[test]
fn page_success_example_parses_with_exact_amounts_and_beijing_dates() {
    let voucher = VoucherQuery::parse(answer(METHOD, PAGE_SUCCESS)).unwrap();
    assert_eq!(voucher.name.as_deref(), Some("商户代金券"));
    assert_eq!(voucher.voucher_id, "20170616000730020041006ZYE2V");
    assert_eq!(voucher.user_id.as_deref(), Some("2088102146165572"));
    assert_eq!(voucher.template_id.as_deref(), Some("0616844525285551005194106549"));
    assert_eq!(voucher.status, VoucherStatus::Enabled);
    assert_eq!(
        (voucher.total_amount.unwrap().fen(), voucher.available_amount.unwrap().to_string()),
        (100, "1.00".to_owned())
    );
    assert_eq!(voucher.gmt_active.unwrap().to_string(), "2015-04-02 13:32:43");
    assert_eq!(voucher.gmt_expired.unwrap().to_timestamp().unix_secs(), 1_427_952_763); // 05:32:43 UTC
    assert_eq!(voucher.gmt_create.unwrap().hour, 13);
    assert_eq!(voucher.extend_info.as_deref(), Some("{}"));
    let [bill] = voucher.bill_details.as_slice() else { panic!("one bill detail") };
    assert_eq!(bill.trade_no.as_deref(), Some("2015040200073002576500000001"));
    assert_eq!(bill.amount.fen(), 100);
    assert_eq!(bill.status, BillStatus::Processing);
    assert_eq!(bill.partner_id.as_deref(), Some("2088001159940003"));
    assert_eq!(bill.partner_name.as_deref(), Some("商户名称"));
    assert_eq!(bill.biz_type, Some(BillType::Use));
    assert_eq!(bill.gmt_create.to_string(), "2015-04-02 13:32:43");
    assert!(voucher.extra.is_empty() && bill.extra.is_empty());
}

#[test]
fn a_gbk_answer_parses_the_same() {
    let verified = answer_with(&client_with(Charset::Gbk), METHOD, PAGE_SUCCESS).unwrap();
    let voucher = VoucherQuery::parse(verified).unwrap();
    assert_eq!(voucher.name.as_deref(), Some("商户代金券"));
    assert_eq!(voucher.bill_details[0].partner_name.as_deref(), Some("商户名称"));
}

#[test]
fn amounts_are_exact_as_strings_or_numbers_and_never_floats() {
    for (written, fen) in
        [(r#""1.00""#, 100), ("1", 100), ("0.1", 10), ("1234567890.99", 123_456_789_099), (r#""0.07""#, 7)]
    {
        let node = PAGE_SUCCESS.replace(r#""available_amount": 1"#, &format!(r#""available_amount": {written}"#));
        let voucher = VoucherQuery::parse(answer(METHOD, &node)).unwrap();
        assert_eq!(voucher.available_amount.unwrap().fen(), fen, "{written}");
    }
    for bad in ["1.005", "-1", "1e2", r#""abc""#] {
        let node = PAGE_SUCCESS.replace(r#""total_amount": 1"#, &format!(r#""total_amount": {bad}"#));
        let error = VoucherQuery::parse(answer(METHOD, &node)).unwrap_err();
        assert_eq!(error.code(), "malformed_response", "{bad}");
        assert!(error.to_string().contains("total_amount"), "{bad}: {error}");
    }
    let bad_bill = PAGE_SUCCESS.replace(r#""amount": 1"#, r#""amount": 1.001"#);
    let error = VoucherQuery::parse(answer(METHOD, &bad_bill)).unwrap_err();
    assert!(error.to_string().contains("bill_details[0].amount"), "{error}");
}

#[test]
fn bill_details_may_be_wrapped_in_an_object_or_absent() {
    let wrapped = PAGE_SUCCESS
        .replace(r#""bill_details": ["#, r#""bill_details": {"voucher_bill_detail": ["#)
        .replace("}\n        ]", "}\n        ]}");
    assert!(wrapped.contains("voucher_bill_detail"));
    let voucher = VoucherQuery::parse(answer(METHOD, &wrapped)).unwrap();
    assert_eq!(voucher.bill_details.len(), 1);
    assert_eq!(voucher.bill_details[0].biz_type, Some(BillType::Use));
    let without = r#"{"code":"10000","msg":"Success","name":"n","voucher_id":"V","template_id":"T","gmt_active":"2015-04-02 13:32:43","gmt_expired":"2015-05-02 13:32:43","total_amount":"5.00","available_amount":"5.00","status":"UNC","gmt_create":"2015-04-02 13:32:43"}"#;
    let voucher = VoucherQuery::parse(answer(METHOD, without)).unwrap();
    assert!(voucher.bill_details.is_empty());
    assert_eq!((voucher.status, voucher.user_id, voucher.extend_info), (VoucherStatus::Unc, None, None));
}

#[test]
fn all_twelve_statuses_map_and_others_keep_their_text() {
    let listed = [
        "ENABLED",
        "DISABLED",
        "DELETE",
        "TRANS",
        "TRANSFER",
        "UNC",
        "USED",
        "USING",
        "REFUNDED",
        "REFUNDING",
        "UNACTIVE",
        "EXPIRED",
    ];
    for text in listed {
        let status = VoucherStatus::from(text);
        assert!(!matches!(status, VoucherStatus::Unknown(_)), "{text}");
        assert_eq!(status.as_str(), text);
    }
    let node = PAGE_SUCCESS.replace(r#""status": "ENABLED""#, r#""status": "FROZEN""#);
    let voucher = VoucherQuery::parse(answer(METHOD, &node)).unwrap();
    assert_eq!(voucher.status, VoucherStatus::Unknown("FROZEN".into()));
    assert_eq!(result_for(METHOD, answer(METHOD, &node)).unwrap()["status"], "FROZEN");
}

#[test]
fn unknown_members_are_kept_and_required_ones_are_checked() {
    let node = PAGE_SUCCESS
        .replace(
            r#""code": "10000","#,
            r#""code": "10000", "open_id": "074a", "discount_info": {"discount_type": "FIX_VOUCHER"},"#,
        )
        .replace(r#""status": "I","#, r#""status": "I", "refund_no": "R1","#);
    let voucher = VoucherQuery::parse(answer(METHOD, &node)).unwrap();
    assert_eq!(voucher.extra["open_id"], "074a");
    assert_eq!(voucher.extra["discount_info"], json!({"discount_type": "FIX_VOUCHER"}));
    assert_eq!(voucher.bill_details[0].extra["refund_no"], "R1");
    for (field, needle) in
        [("status", r#""status": "ENABLED","#), ("voucher_id", r#""voucher_id": "20170616000730020041006ZYE2V","#)]
    {
        let error = VoucherQuery::parse(answer(METHOD, &PAGE_SUCCESS.replace(needle, ""))).unwrap_err();
        assert_eq!(error.code(), "malformed_response");
        assert!(error.to_string().contains(field), "{error}");
    }
    let bad_date =
        PAGE_SUCCESS.replace(r#""gmt_active": "2015-04-02 13:32:43""#, r#""gmt_active": "2015-04-02T13:32:43""#);
    assert!(VoucherQuery::parse(answer(METHOD, &bad_date)).unwrap_err().to_string().contains("gmt_active"));
}

#[test]
fn serialized_result_keeps_money_and_dates_as_text() {
    let value = result_for(METHOD, answer(METHOD, PAGE_SUCCESS)).unwrap();
    assert_eq!(value["total_amount"], "1.00");
    assert_eq!(value["gmt_active"], "2015-04-02 13:32:43");
    assert_eq!(value["bill_details"][0]["amount"], "1.00");
    assert_eq!(value["bill_details"][0]["status"], "I");
    assert!(value.get("code").is_none() && value.get("msg").is_none());
}

#[test]
fn page_error_example_is_a_gateway_error() {
    let node = r#"{
        "code": "20000",
        "msg": "Service Currently Unavailable",
        "sub_code": "isp.unknow-error",
        "sub_msg": "系统繁忙"
    }"#;
    let error = gateway_error(VoucherQuery::parse(answer(METHOD, node)));
    assert_eq!(error.msg, "Service Currently Unavailable");
    assert!(error.retryable(METHOD));
}

#[test]
fn page_business_codes_map_to_their_action_and_retry_flag() {
    let expected = [
        ("INVALID_PARAMETER", "参数有误", "请检查券ID是否为28位, 券ID为发券接口返回唯一标识.", false),
        ("SYSTEM_ERROR", "系统繁忙", "数据库异常/系统限流/系统内部异常, 发起业务重试", true),
    ];
    assert_business_codes(METHOD, &expected);
}

/// Response vector resp-002 (a verified success in the older shape: `voucher_name`, `amount`,
/// `voucher_type`, `floor_amount`, no `gmt_create`; bills with `biz_no`, `SUCCESS`/`REFUND`, no
/// `biz_type`) is read as it was sent, with nothing invented.
#[test]
fn older_answer_shape_of_vector_resp_002_parses() {
    let vectors: Value =
        serde_json::from_str(include_str!("../../tests/vectors/responses.json")).expect("responses.json is JSON");
    let vector =
        vectors.as_array().expect("a list of vectors").iter().find(|v| v["id"] == "resp-002").expect("resp-002");
    assert_eq!(vector["inputs"]["method"], METHOD);
    let body = vector["inputs"]["body"].as_str().expect("body");
    let voucher = VoucherQuery::parse(client().verify_response(METHOD, body.as_bytes()).unwrap()).unwrap();

    assert_eq!(voucher.voucher_id, "20170616000730020041006ZYE2V");
    assert_eq!(voucher.template_id.as_deref(), Some("20140601000730010040000000EB"));
    assert_eq!(voucher.name.as_deref(), Some("5元代金券"));
    assert_eq!(voucher.status, VoucherStatus::Used);
    assert_eq!(voucher.total_amount.map(|a| a.to_string()).as_deref(), Some("5.00"));
    assert_eq!(voucher.available_amount.map(|a| a.fen()), Some(0));
    assert_eq!(voucher.gmt_active.map(|t| t.to_string()).as_deref(), Some("2017-06-16 15:06:39"));
    assert_eq!(voucher.gmt_expired.map(|t| t.to_string()).as_deref(), Some("2017-07-16 23:59:59"));
    assert_eq!(voucher.gmt_create, None);
    assert_eq!(voucher.user_id.as_deref(), Some("2088302001456115"));
    assert_eq!(voucher.extra["voucher_type"], "FIX_VOUCHER");
    assert_eq!(voucher.extra["floor_amount"], "20.00");
    assert!(!voucher.extra.contains_key("voucher_name") && !voucher.extra.contains_key("amount"));

    let [used, refund] = voucher.bill_details.as_slice() else { panic!("two bill details") };
    assert_eq!(used.amount.fen(), 500);
    assert_eq!(used.status, BillStatus::Unknown("SUCCESS".into()));
    assert_eq!(used.trade_no.as_deref(), Some("2017061821001004070200176845"));
    assert_eq!(used.biz_type, None);
    assert_eq!(used.gmt_create.to_string(), "2017-06-18 12:00:00");
    assert_eq!(used.extra["biz_no"], "2017061621001004070200176844");
    assert_eq!(refund.amount.fen(), 0);
    assert_eq!(refund.status.as_str(), "REFUND");
    assert_eq!(refund.trade_no, None);

    let value = result_for(METHOD, client().verify_response(METHOD, body.as_bytes()).unwrap()).unwrap();
    assert_eq!((value["name"].as_str(), value["total_amount"].as_str()), (Some("5元代金券"), Some("5.00")));
    assert!(value["gmt_create"].is_null());
}

#[test]
fn the_newer_names_win_over_the_older_ones_which_stay_in_extra() {
    let node =
        PAGE_SUCCESS.replace(r#""code": "10000","#, r#""code": "10000", "voucher_name": "旧名", "amount": "9.00","#);
    let voucher = VoucherQuery::parse(answer(METHOD, &node)).unwrap();
    assert_eq!(voucher.name.as_deref(), Some("商户代金券"));
    assert_eq!(voucher.total_amount.map(|a| a.fen()), Some(100));
    assert_eq!((&voucher.extra["voucher_name"], &voucher.extra["amount"]), (&json!("旧名"), &json!("9.00")));
    let bare = r#"{"code":"10000","msg":"Success","voucher_id":"V","status":"UNC"}"#;
    let voucher = VoucherQuery::parse(answer(METHOD, bare)).unwrap();
    assert_eq!((voucher.name, voucher.total_amount, voucher.available_amount), (None, None, None));
    assert_eq!((voucher.template_id, voucher.gmt_active, voucher.gmt_expired), (None, None, None));
}
