//! The error catalog: gateway codes, common sub-codes, unknown codes, and retries.
#![cfg(test)]

mod api_support;

use alipay_openapi::api::{describe, errors, ApiCall, Source, VoucherSend, METHODS};
use alipay_openapi::{response_node_key, Error};
use api_support::*;

#[test]
fn every_gateway_code_has_its_meaning_and_retry_flag() {
    let expected = [
        ("10000", "接口调用成功", false),
        ("20000", "服务不可用", true),
        ("20001", "授权权限不足", false),
        ("40001", "缺少必选参数", false),
        ("40002", "非法的参数", false),
        ("40003", "条件异常", false),
        ("40004", "业务处理失败", false),
        ("40005", "调用频次超限", true),
        ("40006", "权限不足", false),
    ];
    assert_eq!(errors::GATEWAY_CODES.len(), expected.len());
    for (code, description, retryable) in expected {
        let info = describe("alipay.trade.query", code, None);
        assert_eq!(info.source, Source::GatewayCode, "{code}");
        assert_eq!((info.entry.code, info.entry.description_zh, info.retryable()), (code, description, retryable));
    }
}

#[test]
fn common_sub_codes_are_described_for_every_method() {
    for method in METHODS.iter().copied().chain(["alipay.trade.pay"]) {
        for (sub_code, code, retryable) in [
            ("isp.unknow-error", "20000", true),
            ("aop.unknow-error", "20000", true),
            ("aop.invalid-app-auth-token", "20001", false),
            ("isv.missing-signature", "40001", false),
            ("isv.invalid-signature", "40002", false),
            ("isv.missing-signature-config", "40003", false),
            ("isv.app-call-limited", "40005", true),
            ("isv.insufficient-isv-permissions", "40006", false),
        ] {
            let info = describe(method, code, Some(sub_code));
            assert_eq!((info.source, info.retryable()), (Source::Common, retryable), "{method} {sub_code}");
            assert_eq!(info.entry.code, sub_code);
        }
    }
}

#[test]
fn business_codes_belong_to_their_own_api() {
    // VOUCHER_HAS_EXPIRED is a stock.use code: for voucher.send it falls back to the gateway code.
    let info = describe(VoucherSend::METHOD, "40004", Some("VOUCHER_HAS_EXPIRED"));
    assert_eq!(info.source, Source::GatewayCode);
    assert_eq!(info.sub_code.as_deref(), Some("VOUCHER_HAS_EXPIRED"));
    assert!(!info.retryable());
    // SYSTEM_ERROR differs in wording between pages, and is retryable on every page that lists it.
    for method in METHODS.iter().filter(|m| **m != "alipay.marketing.voucher.stock.use") {
        let info = describe(method, "40004", Some("SYSTEM_ERROR"));
        assert_eq!((info.source, info.retryable()), (Source::Business, true), "{method}");
    }
    assert!(errors::business_codes("alipay.trade.pay").is_empty());
}

#[test]
fn unknown_codes_are_still_structured_and_keep_the_raw_values() {
    let info = describe("alipay.marketing.voucher.send", "40004", Some("CIF_USER_NOT_EXIST"));
    assert_eq!(
        (info.source, info.code.as_str(), info.sub_code.as_deref()),
        (Source::GatewayCode, "40004", Some("CIF_USER_NOT_EXIST"))
    );
    let info = describe("alipay.marketing.voucher.send", "50000", Some("NEW.CODE"));
    assert_eq!(info.source, Source::Unknown);
    assert_eq!((info.code.as_str(), info.sub_code.as_deref(), info.retryable()), ("50000", Some("NEW.CODE"), false));
    assert_eq!(info.entry, errors::UNKNOWN);

    // Through a verified answer, the error carries code, msg, sub_code and sub_msg as sent.
    let node = r#"{"code":"40004","msg":"Business Failed","sub_code":"unknown-sub-code","sub_msg":"未知的错误码CIF_USER_NOT_EXIST"}"#;
    let error = gateway_error(VoucherSend::parse(answer(VoucherSend::METHOD, node)));
    assert_eq!(error.msg, "Business Failed");
    assert_eq!(error.sub_msg.as_deref(), Some("未知的错误码CIF_USER_NOT_EXIST"));
    let info = error.describe(VoucherSend::METHOD);
    assert_eq!((info.source, info.retryable()), (Source::Common, false));
    assert!(info.entry.action.contains("sub_msg"));
}

#[test]
fn an_unsigned_error_response_is_describable_but_marked_unverified() {
    let body = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}}"#;
    let error = client().verify_response(VoucherSend::METHOD, body.as_bytes()).unwrap_err();
    assert!(matches!(error, Error::UnsignedGatewayError(_)));
    let info = error.gateway().unwrap().describe(VoucherSend::METHOD);
    assert_eq!((info.source, info.entry.code, info.retryable()), (Source::Common, "isv.invalid-signature", false));
}

#[test]
fn a_signed_error_response_node_is_a_gateway_error() {
    let method = VoucherSend::METHOD;
    assert_eq!(response_node_key(method), "alipay_marketing_voucher_send_response");
    let node = r#"{"code":"40001","msg":"Missing Required Arguments","sub_code":"isv.missing-app-id","sub_msg":"缺少appId参数"}"#;
    let error = gateway_error(VoucherSend::parse(answer(method, node)));
    assert_eq!(error.describe(method).entry.description_zh, "缺少appId参数");
}

#[test]
fn catalog_serializes_for_the_bindings() {
    let value = serde_json::to_value(describe(VoucherSend::METHOD, "40004", Some("TEMPLATE_EXPIRED"))).unwrap();
    assert_eq!(value["source"], "business");
    assert_eq!(value["sub_code"], "TEMPLATE_EXPIRED");
    assert_eq!(value["entry"]["retryable"], false);
    assert_eq!(value["entry"]["action_zh"], "查模板状态确认模板是否过期");
}
