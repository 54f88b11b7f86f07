//! The error catalog: what each gateway answer means, what to do about it, and whether a retry is
//! safe.
//!
//! [`describe`] always answers. It looks the `sub_code` up in the called API's business codes (from
//! its reference page), then in the common gateway sub-codes (`isp.*`, `aop.*`, `isv.*`), then falls
//! back to the gateway `code` (`20000`, `40004`, …); a code found nowhere still gets an
//! [`ErrorInfo`] that carries the raw values and says it is unknown.
//!
//! A retry is only safe when it repeats the *same* business request: keep the request value and
//! sign it again with a fresh timestamp (`client.sign(&request, now)`), so that `out_biz_no` or
//! `request_id` stays the same and the gateway recognises the repeat. Never build a new request
//! with a new idempotency key to retry.

use serde::Serialize;

use crate::error::GatewayError;
use crate::response::SUCCESS_CODE;

/// One catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CatalogEntry {
    /// The business `sub_code` (e.g. `TEMPLATE_NOT_EXIST`, `isp.unknow-error`) or gateway `code`.
    pub code: &'static str,
    /// The description in Chinese, as the reference page writes it.
    pub description_zh: &'static str,
    /// A short English description.
    pub description: &'static str,
    /// The recommended action in Chinese, as the reference page writes it (empty when it has none).
    pub action_zh: &'static str,
    /// The recommended action in English.
    pub action: &'static str,
    /// Whether sending the same request again (same idempotency key, fresh timestamp) is safe and
    /// may succeed.
    pub retryable: bool,
}

/// Where a [`describe`] answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The called API's business codes (its reference page).
    Business,
    /// The common gateway sub-codes (`isp.*`, `aop.*`, `isv.*`).
    Common,
    /// Only the gateway `code` is known; the `sub_code` is absent or not catalogued.
    GatewayCode,
    /// Neither the `code` nor the `sub_code` is catalogued.
    Unknown,
}

/// What a gateway answer means: the catalog entry that applies, plus the raw codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    /// The raw gateway `code`.
    pub code: String,
    /// The raw `sub_code`, if any.
    pub sub_code: Option<String>,
    /// Which table answered.
    pub source: Source,
    /// The entry that applies.
    pub entry: CatalogEntry,
}

impl ErrorInfo {
    /// Whether sending the same request again is safe and may succeed.
    pub fn retryable(&self) -> bool {
        self.entry.retryable
    }
}

/// Looks up what `code` / `sub_code` means for a call of `method`; always answers.
pub fn describe(method: &str, code: &str, sub_code: Option<&str>) -> ErrorInfo {
    let business = sub_code.and_then(|sub| {
        business_codes(method).iter().find(|entry| entry.code == sub).map(|entry| (Source::Business, *entry))
    });
    let common =
        || sub_code.and_then(|sub| COMMON_SUB_CODES.iter().find(|e| e.code == sub).map(|e| (Source::Common, *e)));
    let gateway = || GATEWAY_CODES.iter().find(|e| e.code == code).map(|e| (Source::GatewayCode, *e));
    let (source, entry) = business.or_else(common).or_else(gateway).unwrap_or((Source::Unknown, UNKNOWN));
    ErrorInfo { code: code.to_owned(), sub_code: sub_code.map(str::to_owned), source, entry }
}

/// The business codes listed on the reference page of `method` (empty for other methods).
pub fn business_codes(method: &str) -> &'static [CatalogEntry] {
    super::api(method).map_or(&[], |api| api.business_codes)
}

impl GatewayError {
    /// What this answer to a call of `method` means (see [`describe`]).
    pub fn describe(&self, method: &str) -> ErrorInfo {
        describe(method, &self.code, self.sub_code.as_deref())
    }

    /// Whether sending the same request to `method` again (same `out_biz_no` / `request_id`, fresh
    /// timestamp) is safe and may succeed.
    pub fn retryable(&self, method: &str) -> bool {
        self.describe(method).retryable()
    }
}

const fn entry(
    code: &'static str,
    description_zh: &'static str,
    description: &'static str,
    action_zh: &'static str,
    action: &'static str,
    retryable: bool,
) -> CatalogEntry {
    CatalogEntry { code, description_zh, description, action_zh, action, retryable }
}

const RETRY_SAME: &str = "retry later with the same request (same out_biz_no / request_id, fresh timestamp)";

/// The entry for codes that are in no table.
pub const UNKNOWN: CatalogEntry = entry(
    "",
    "未知错误码",
    "code not in the catalog",
    "",
    "do not retry automatically; show code, sub_code and sub_msg to an operator",
    false,
);

/// Gateway `code`s, identical for every API (docs/PROTOCOL.md §8).
pub const GATEWAY_CODES: &[CatalogEntry] = &[
    entry(SUCCESS_CODE, "接口调用成功", "success", "", "none: the call succeeded", false),
    entry(
        "20000",
        "服务不可用",
        "service currently unavailable",
        "稍后重试",
        "the outcome is unknown: retry later with the same request; for calls that issue or redeem, the idempotency key makes the retry safe",
        true,
    ),
    entry(
        "20001",
        "授权权限不足",
        "insufficient token permissions",
        "",
        "renew the auth token or app_auth_token (the user or merchant must authorise again)",
        false,
    ),
    entry("40001", "缺少必选参数", "missing required arguments", "", "add the parameter named in sub_code", false),
    entry("40002", "非法的参数", "invalid arguments", "", "fix the parameter named in sub_code", false),
    entry(
        "40003",
        "条件异常",
        "insufficient conditions",
        "",
        "fix the app's configuration (uploaded key or certificate, app state, authorisation)",
        false,
    ),
    entry("40004", "业务处理失败", "business failed", "", "see sub_code and sub_msg; the request was refused", false),
    entry("40005", "调用频次超限", "call limited", "", "slow down, then retry with the same request", true),
    entry(
        "40006",
        "权限不足",
        "insufficient permissions",
        "",
        "sign up for the product or get the authorisation the method needs",
        false,
    ),
];

/// Common `sub_code`s of the gateway (docs/PROTOCOL.md §8).
pub const COMMON_SUB_CODES: &[CatalogEntry] = &[
    entry(
        "isp.unknow-error",
        "服务暂不可用（业务系统不可用）",
        "business system unavailable",
        "稍后重试",
        RETRY_SAME,
        true,
    ),
    entry("aop.unknow-error", "服务暂不可用（网关自身的未知错误）", "gateway error", "稍后重试", RETRY_SAME, true),
    entry(
        "aop.unsupport-operation",
        "不支持的操作",
        "unsupported operation",
        "",
        "do not retry; check the method and its parameters",
        false,
    ),
    entry("aop.invalid-auth-token", "无效的访问令牌", "invalid auth_token", "", "get a new auth_token", false),
    entry("aop.auth-token-time-out", "访问令牌已过期", "auth_token expired", "", "refresh the auth_token", false),
    entry(
        "aop.invalid-app-auth-token",
        "无效的应用授权令牌",
        "invalid app_auth_token",
        "",
        "get a new app_auth_token",
        false,
    ),
    entry(
        "aop.invalid-app-auth-token-no-api",
        "商户未授权当前接口",
        "the merchant did not authorise this method",
        "",
        "have the merchant authorise the method",
        false,
    ),
    entry(
        "aop.app-auth-token-time-out",
        "应用授权令牌已过期",
        "app_auth_token expired",
        "",
        "refresh the app_auth_token",
        false,
    ),
    entry(
        "aop.no-product-reg-by-partner",
        "商户未签约任何产品",
        "merchant has signed no product",
        "",
        "sign up for the product",
        false,
    ),
    entry("isv.missing-method", "缺少方法名参数", "missing method", "", "send `method`", false),
    entry("isv.missing-signature", "缺少签名参数", "missing sign", "", "sign the request", false),
    entry("isv.missing-signature-type", "缺少签名类型参数", "missing sign_type", "", "send `sign_type`", false),
    entry(
        "isv.missing-signature-key",
        "缺少签名配置",
        "missing signing key configuration",
        "",
        "upload the app public key or certificate",
        false,
    ),
    entry("isv.missing-app-id", "缺少appId参数", "missing app_id", "", "send `app_id`", false),
    entry("isv.missing-timestamp", "缺少时间戳参数", "missing timestamp", "", "send `timestamp`", false),
    entry("isv.missing-version", "缺少版本参数", "missing version", "", "send `version`", false),
    entry(
        "isv.decryption-error-missing-encrypt-type",
        "解密出错, 未指定加密算法",
        "encrypted content without encrypt_type",
        "",
        "send `encrypt_type=AES` with encrypted content",
        false,
    ),
    entry("isv.invalid-parameter", "参数无效", "invalid parameter", "", "fix the parameter named in sub_msg", false),
    entry("isv.invalid-method", "不存在的方法名", "no such method", "", "check the method name", false),
    entry("isv.invalid-format", "无效的数据格式", "invalid format", "", "send `format=JSON`", false),
    entry("isv.invalid-signature-type", "无效的签名类型", "invalid sign_type", "", "use RSA2 (or RSA)", false),
    entry(
        "isv.invalid-signature",
        "无效签名",
        "invalid signature",
        "",
        "check the app private key, the charset and the sign content (SignedRequest::sign_content)",
        false,
    ),
    entry("isv.invalid-encrypt-type", "无效的加密类型", "invalid encrypt_type", "", "use encrypt_type=AES", false),
    entry("isv.invalid-encrypt", "解密异常", "decryption failed", "", "check the AES key", false),
    entry(
        "isv.invalid-app-id",
        "无效的appId参数",
        "invalid app_id",
        "",
        "check app_id and the gateway (production or sandbox)",
        false,
    ),
    entry(
        "isv.invalid-timestamp",
        "非法的时间戳参数",
        "invalid timestamp",
        "",
        "send the current time as yyyy-MM-dd HH:mm:ss in UTC+8",
        false,
    ),
    entry("isv.invalid-charset", "字符集错误", "invalid charset", "", "use utf-8 or GBK", false),
    entry("isv.invalid-digest", "摘要错误", "invalid digest", "", "check the digest of the uploaded content", false),
    entry(
        "isv.decryption-error-not-valid-encrypt-type",
        "解密出错，不支持的加密算法",
        "unsupported encryption algorithm",
        "",
        "use encrypt_type=AES",
        false,
    ),
    entry(
        "isv.decryption-error-not-valid-encrypt-key",
        "解密出错, 未配置加密密钥或加密密钥格式错误",
        "no or bad AES key configured",
        "",
        "configure the AES key on the open platform",
        false,
    ),
    entry(
        "isv.decryption-error-unknown",
        "解密出错，未知异常",
        "decryption failed",
        "",
        "check the AES key and content",
        false,
    ),
    entry(
        "isv.missing-signature-config",
        "验签出错, 未配置对应签名算法的公钥或者证书",
        "no public key or certificate uploaded for this sign_type",
        "",
        "upload the app public key (or certificate) for the sign_type used",
        false,
    ),
    entry(
        "isv.not-support-app-auth",
        "本接口不支持第三方代理调用",
        "method not callable on behalf of a merchant",
        "",
        "call without app_auth_token",
        false,
    ),
    entry(
        "isv.suspected-attack",
        "可疑的攻击请求",
        "suspected attack",
        "",
        "do not retry; contact Alipay support",
        false,
    ),
    entry("isv.forbidden-api", "接口被禁用", "method forbidden", "", "check the app's permissions", false),
    entry("isv.code-invalid", "授权码无效", "invalid authorisation code", "", "get a new authorisation code", false),
    entry(
        "isv.app-cert-not-exist",
        "应用证书不存在",
        "app certificate not found",
        "",
        "check app_cert_sn and the uploaded certificate",
        false,
    ),
    entry(
        "isv.invalid-app-state",
        "应用状态异常",
        "app not online",
        "",
        "put the app online on the open platform",
        false,
    ),
    entry(
        "isv.app-call-limited",
        "应用调用频次超限",
        "app call limit reached",
        "",
        "slow down, then retry with the same request",
        true,
    ),
    entry(
        "isv.method-call-limited",
        "接口调用频次超限",
        "method call limit reached",
        "",
        "slow down, then retry with the same request",
        true,
    ),
    entry(
        "isv.insufficient-isv-permissions",
        "第三方应用权限不足",
        "insufficient ISV permissions",
        "",
        "sign up for the product or add the method to the app",
        false,
    ),
    entry(
        "isv.insufficient-user-permissions",
        "用户权限不足",
        "insufficient user permissions",
        "",
        "have the user authorise the app",
        false,
    ),
    entry(
        "unknown-sub-code",
        "未知的错误码",
        "unknown business code; sub_msg names it",
        "",
        "do not retry automatically; read the real code in sub_msg",
        false,
    ),
];

/// `alipay.marketing.voucher.send` (page 001).
pub const VOUCHER_SEND: &[CatalogEntry] = &[
    entry(
        "TEMPLATE_NOT_EXIST",
        "模板不存在",
        "template does not exist",
        "请仔细确认指定模板ID是否存在",
        "check that template_id exists",
        false,
    ),
    entry(
        "TEMPLATE_EXPIRED",
        "模板过期",
        "template expired",
        "查模板状态确认模板是否过期",
        "check the template's status and validity",
        false,
    ),
    entry(
        "USER_NOT_EXIST",
        "用户不存在",
        "user does not exist",
        "请仔细确认传入支付宝用户ID是否正确",
        "check the user identifier",
        false,
    ),
    entry(
        "USER_STATUS_ERROR",
        "用户状态不可用",
        "user status unusable",
        "请确认用户状态是否可用",
        "check that the user's account is usable",
        false,
    ),
    entry(
        "INVALID_PARAMETER",
        "参数有误",
        "invalid parameter",
        "请检查入参是否符合接口要求",
        "fix the request parameters",
        false,
    ),
    entry(
        "SYSTEM_ERROR",
        "系统繁忙",
        "system busy",
        "1.发起业务重试 2.联系技术支持",
        "retry with the same template_id and out_biz_no; contact support if it persists",
        true,
    ),
];

/// `alipay.marketing.voucher.query` (page 002).
pub const VOUCHER_QUERY: &[CatalogEntry] = &[
    entry(
        "INVALID_PARAMETER",
        "参数有误",
        "invalid parameter",
        "请检查券ID是否为28位, 券ID为发券接口返回唯一标识.",
        "check that voucher_id is the 28-character id returned by voucher.send",
        false,
    ),
    entry(
        "SYSTEM_ERROR",
        "系统繁忙",
        "system busy (database error, rate limit or internal error)",
        "数据库异常/系统限流/系统内部异常, 发起业务重试",
        "retry the query",
        true,
    ),
];

/// `alipay.marketing.voucher.stock.use` (page 000).
pub const VOUCHER_STOCK_USE: &[CatalogEntry] = &[
    entry("DB_EXCEPTION", "数据库异常", "database error", "重新发起业务", "retry with the same out_biz_no", true),
    entry(
        "REQUEST_PARAM_ILLEGAL",
        "请求参数非法",
        "illegal request parameter",
        "请检查传入的entity_no是否是真实存在的,修改正确后重新发起业务",
        "check that entity_no exists, correct it, then send again",
        false,
    ),
    entry(
        "SLA_ERROR",
        "SLA服务限流业务异常",
        "rate limited by the service SLA",
        "重新发起业务",
        "retry later with the same out_biz_no",
        true,
    ),
    entry(
        "VCC_INVOKE_ERROR",
        "VCC_INVOKE_ERROR",
        "voucher service call failed",
        "重新发起业务",
        "retry with the same out_biz_no",
        true,
    ),
    entry(
        "VOUCHER_HAS_EXPIRED",
        "券已过期",
        "voucher expired",
        "券已过期,不能再核销了,不要重新发起业务",
        "the voucher expired and cannot be redeemed: do not retry",
        false,
    ),
];

/// `koubei.trade.ticket.ticketcode.sync` (page 003).
pub const TICKET_CODE_SYNC: &[CatalogEntry] = &[
    entry("SYSTEM_ERROR", "系统繁忙", "system busy", "重试", "retry with the same request_id", true),
    entry(
        "INVALID_PARAMETER",
        "参数有误",
        "invalid parameter",
        "对照接口文档以及请求参数用例,修改请求参数",
        "fix the request parameters against the reference page",
        false,
    ),
    entry(
        "TICKET_CODE_NOT_EXIST",
        "凭证码不存在",
        "ticket code does not exist",
        "凭证码不存在,需要核实",
        "verify the ticket code",
        false,
    ),
    entry(
        "NOT_SAME_MERCHANT_PID",
        "非当前商家的凭证码,无法同步",
        "the ticket code belongs to another merchant",
        "只能同步当前商家的凭证码,确认该凭证码是否属于本商家",
        "only the merchant's own codes can be synced; check the code's owner",
        false,
    ),
    entry(
        "TICKET_STATUS_ILLEGAL",
        "券已退款,无法同步",
        "ticket refunded; cannot sync",
        "请确认券状态",
        "check the ticket's status",
        false,
    ),
    entry(
        "TICKET_PROCESSING",
        "券已经在处理中",
        "ticket is being processed",
        "券已经在处理中,稍后重试",
        "retry later with the same request_id",
        true,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_unique_codes_and_an_action() {
        for table in [GATEWAY_CODES, COMMON_SUB_CODES, VOUCHER_SEND, VOUCHER_QUERY, VOUCHER_STOCK_USE, TICKET_CODE_SYNC]
        {
            for (i, e) in table.iter().enumerate() {
                assert!(!e.code.is_empty() && !e.description.is_empty() && !e.action.is_empty(), "{e:?}");
                assert!(table.iter().skip(i + 1).all(|other| other.code != e.code), "duplicate {}", e.code);
            }
        }
    }
}
