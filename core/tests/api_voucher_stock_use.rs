//! `alipay.marketing.voucher.stock.use` against its reference page (seed 000).
#![cfg(test)]

mod api_support;

use alipay_openapi::api::{errors, ApiCall, Source, VoucherStockUse};
use api_support::*;

const METHOD: &str = "alipay.marketing.voucher.stock.use";

fn page_example() -> VoucherStockUse {
    VoucherStockUse {
        entity_no: "ABTRm55gkVTcZJjvY2Enjg==prIaQkv2_dsfRTETS".into(),
        out_biz_no: "0156468653835689006788030091".into(),
    }
}

#[test]
fn page_request_example_builds_and_signs() {
    let request = page_example().to_request().unwrap();
    let biz =
        r#"{"entity_no":"ABTRm55gkVTcZJjvY2Enjg==prIaQkv2_dsfRTETS","out_biz_no":"0156468653835689006788030091"}"#;
    assert_eq!(request.biz_content_text(), Some(biz));
    let signed = client().sign(&request, now()).unwrap();
    assert_eq!(signed.params()["biz_content"], biz);
    assert!(!signed.signature().is_empty());
}

#[test]
fn every_rule_accepts_its_limit_and_refuses_one_more() {
    VoucherStockUse { entity_no: text(128), ..page_example() }.to_request().unwrap();
    assert!(field_error(VoucherStockUse { entity_no: text(129), ..page_example() }.to_request(), "entity_no")
        .contains("128"));
    VoucherStockUse { out_biz_no: "9".repeat(128), ..page_example() }.to_request().unwrap();
    assert!(field_error(VoucherStockUse { out_biz_no: "9".repeat(129), ..page_example() }.to_request(), "out_biz_no")
        .contains("128"));
    field_error(VoucherStockUse { entity_no: String::new(), ..page_example() }.to_request(), "entity_no");
    field_error(VoucherStockUse { out_biz_no: String::new(), ..page_example() }.to_request(), "out_biz_no");
    for not_alphanumeric in ["2016-12-28", "a_b", "单号1", "a b"] {
        let rule = field_error(
            VoucherStockUse { out_biz_no: not_alphanumeric.into(), ..page_example() }.to_request(),
            "out_biz_no",
        );
        assert!(rule.contains("letters and digits"), "{rule}");
    }
}

#[test]
fn page_success_example_parses() {
    let node = r#"{
		"msg":"Success",
		"code":"10000",
		"voucher_id":"0156468653835689006788030091"
	}"#;
    let result = VoucherStockUse::parse(answer(METHOD, node)).unwrap();
    assert_eq!(result.voucher_id.as_deref(), Some("0156468653835689006788030091"));
    assert!(result.redeemed());
    assert!(result.extra.is_empty());
}

#[test]
fn a_success_without_voucher_id_is_not_a_redemption() {
    for node in
        [r#"{"code":"10000","msg":"Success"}"#, r#"{"code":"10000","msg":"Success","voucher_id":"","trace":"t1"}"#]
    {
        let result = VoucherStockUse::parse(answer(METHOD, node)).unwrap();
        assert!(!result.redeemed(), "{node}");
    }
    let result = VoucherStockUse::parse(answer(METHOD, r#"{"code":"10000","msg":"Success","trace":"t1"}"#)).unwrap();
    assert_eq!(result.extra["trace"], "t1");
}

#[test]
fn page_error_example_is_a_retryable_gateway_error() {
    let node = r#"{
		"msg":"Service Currently Unavailable",
		"code":"20000",
		"sub_msg":"系统繁忙",
		"sub_code":"isp.unknow-error"
	}"#;
    let error = gateway_error(VoucherStockUse::parse(answer(METHOD, node)));
    assert_eq!(error.sub_msg.as_deref(), Some("系统繁忙"));
    assert!(error.retryable(METHOD));
}

#[test]
fn page_business_codes_map_to_their_action_and_retry_flag() {
    let expected = [
        ("DB_EXCEPTION", "数据库异常", "重新发起业务", true),
        (
            "REQUEST_PARAM_ILLEGAL",
            "请求参数非法",
            "请检查传入的entity_no是否是真实存在的,修改正确后重新发起业务",
            false,
        ),
        ("SLA_ERROR", "SLA服务限流业务异常", "重新发起业务", true),
        ("VCC_INVOKE_ERROR", "VCC_INVOKE_ERROR", "重新发起业务", true),
        ("VOUCHER_HAS_EXPIRED", "券已过期", "券已过期,不能再核销了,不要重新发起业务", false),
    ];
    assert_eq!(errors::business_codes(METHOD).len(), expected.len());
    for (code, description, action, retryable) in expected {
        let node =
            format!(r#"{{"code":"40004","msg":"Business Failed","sub_code":"{code}","sub_msg":"{description}"}}"#);
        let info = gateway_error(VoucherStockUse::parse(answer(METHOD, &node))).describe(METHOD);
        assert_eq!(info.source, Source::Business, "{code}");
        assert_eq!(info.sub_code.as_deref(), Some(code));
        assert_eq!(
            (info.entry.description_zh, info.entry.action_zh, info.retryable()),
            (description, action, retryable),
            "{code}"
        );
    }
}
