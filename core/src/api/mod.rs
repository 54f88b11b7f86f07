//! Typed, validated models of the four voucher and ticket APIs, their error catalog, and the
//! generic path for every other gateway method.
//!
//! | request | method | result |
//! |---|---|---|
//! | [`VoucherSend`] | `alipay.marketing.voucher.send` (发券) | [`VoucherSendResult`] |
//! | [`VoucherQuery`] | `alipay.marketing.voucher.query` (券查询) | [`VoucherQueryResult`] |
//! | [`VoucherStockUse`] | `alipay.marketing.voucher.stock.use` (券码核销) | [`VoucherStockUseResult`] |
//! | [`TicketCodeSync`] | `koubei.trade.ticket.ticketcode.sync` (口碑凭证码同步) | [`TicketCodeSyncResult`] |
//!
//! # The flow
//!
//! 1. Fill a request struct: plain data with public fields, named exactly as the reference page
//!    names them (so serde can read one from a JS object or Python keyword arguments; unknown
//!    fields are refused).
//! 2. [`ApiCall::to_request`] checks it against its page, then serializes `biz_content` once into a
//!    core [`Request`]. A broken rule is [`Error::InvalidField`] naming the field and the rule.
//!    Lengths are counted as the gateway (a Java service) counts them: in UTF-16 code units, one
//!    per character for Chinese and all other text of the Basic Multilingual Plane, two for an
//!    emoji; never in UTF-8 bytes.
//! 3. Sign it with [`Client::sign`](crate::Client::sign), POST it, and verify the body with
//!    [`Client::verify_response`](crate::Client::verify_response).
//! 4. [`ApiCall::parse`] turns the verified answer into the typed result, or into
//!    [`Error::Gateway`] when its `code` is not `10000`. Members a result type does not know are
//!    kept in its `extra` map.
//! 5. On [`Error::Gateway`], [`GatewayError::describe`](crate::GatewayError::describe) (or [`errors::describe`]) says what the
//!    code means, what to do, and whether a retry is safe.
//!
//! # Retries
//!
//! A retry must repeat the same business request, with the same `out_biz_no` / `request_id`, so
//! the gateway recognises it (and `ticketcode.sync` answers
//! [`idempotent_replay`](TicketCodeSyncResult::idempotent_replay)). The natural way is the only
//! way here: keep the [`Request`] (or the request struct) and sign it again with a fresh timestamp,
//! `client.sign(&request, now)`. Never build a new request with a new idempotency key to retry
//! something whose outcome is unknown (a `20000` answer or a lost connection).
//!
//! # Money and time
//!
//! Amounts are [`Amount`]: integer fen, written with two decimals, sent as JSON strings
//! (`"9.99"`), read exactly from responses whether the gateway writes `"1.00"` or `1`; never a
//! float. Date-times are [`BeijingDateTime`](crate::BeijingDateTime) (`yyyy-MM-dd HH:mm:ss`, UTC+8).
//!
//! # Any other method
//!
//! [`generic_request`] (a JSON value) or [`generic_request_text`] (JSON text, sent byte for byte)
//! build the request; [`parse`]`::<serde_json::Map<String, Value>>` reads the answer through the same
//! success check as the typed path, and the [`VerifiedResponse`] itself keeps the node as verified
//! text ([`node_text`](VerifiedResponse::node_text)) and value ([`value`](VerifiedResponse::value)).
//! [`request_for`] and [`result_for`] pick the typed model when the method is one of the four and
//! the generic path otherwise, for hosts that dispatch on a method name (the bindings).
//!
//! # Examples
//!
//! Each example signs the request, then checks an answer laid out and signed the way the gateway
//! does (here with the test Alipay key), as the host would after its HTTP call.
//!
//! ## `alipay.marketing.voucher.send`
//!
//! ```
//! use alipay_openapi::api::{Amount, ApiCall, VoucherSend};
//! # use alipay_openapi::{keys::role::Alipay, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, PrivateKey, SignType};
//! # let client = Client::new(
//! #     Config::new("2021000000000001"),
//! #     AppPrivateKey::parse(include_str!("../../../tests/vectors/keys/app_2048.private.pkcs1.pem"))?,
//! #     AlipayPublicKey::parse(include_str!("../../../tests/vectors/keys/alipay_2048.public.spki.pem"))?,
//! # );
//! # let gateway = PrivateKey::<Alipay>::parse(include_str!("../../../tests/vectors/keys/alipay_2048.private.pkcs8.pem"))?;
//! # let answer = |method: &str, node: &str| alipay_openapi::sign_response_body(
//! #     &alipay_openapi::response_node_key(method), node, None, Charset::Utf8, SignType::Rsa2, &gateway);
//! # let now = alipay_openapi::Timestamp::from_unix_secs(1_715_593_760);
//! let send = VoucherSend {
//!     template_id: "20140601000730010040000000EB".into(),
//!     user_id: Some("2088302001456115".into()),
//!     out_biz_no: "2016122814164328aadaee_1aee_4".into(),
//!     amount: Some(Amount::parse("9.99")?),
//!     memo: Some("优酷3个月兑换券".into()),
//!     ..Default::default()
//! };
//! let request = send.to_request()?;
//! assert_eq!(
//!     request.biz_content_text(),
//!     Some(r#"{"template_id":"20140601000730010040000000EB","user_id":"2088302001456115","out_biz_no":"2016122814164328aadaee_1aee_4","amount":"9.99","memo":"优酷3个月兑换券"}"#)
//! );
//! let signed = client.sign(&request, now)?;
//! // POST signed.url() with signed.headers() and signed.body(); the gateway answers:
//! let body = answer(VoucherSend::METHOD, r#"{"code":"10000","msg":"Success","user_id":"2088302001456115","voucher_id":"20160906000730020020002U8CBS"}"#)?;
//! let result = VoucherSend::parse(client.verify_response(VoucherSend::METHOD, &body)?)?;
//! assert_eq!(result.voucher_id, "20160906000730020020002U8CBS");
//!
//! // A busy gateway: the same request, signed again later, is the safe retry.
//! let body = answer(VoucherSend::METHOD, r#"{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"系统繁忙"}"#)?;
//! let error = VoucherSend::parse(client.verify_response(VoucherSend::METHOD, &body)?).unwrap_err();
//! let gateway_error = error.gateway().expect("a gateway answer");
//! assert!(gateway_error.retryable(VoucherSend::METHOD));
//! let retry = client.sign(&request, alipay_openapi::Timestamp::from_unix_secs(1_715_593_790))?;
//! assert_eq!(retry.params()["biz_content"], signed.params()["biz_content"]);
//! # Ok::<(), alipay_openapi::Error>(())
//! ```
//!
//! ## `alipay.marketing.voucher.query`
//!
//! ```
//! use alipay_openapi::api::{ApiCall, BillType, VoucherQuery, VoucherStatus};
//! # use alipay_openapi::{keys::role::Alipay, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, PrivateKey, SignType};
//! # let client = Client::new(
//! #     Config::new("2021000000000001"),
//! #     AppPrivateKey::parse(include_str!("../../../tests/vectors/keys/app_2048.private.pkcs1.pem"))?,
//! #     AlipayPublicKey::parse(include_str!("../../../tests/vectors/keys/alipay_2048.public.spki.pem"))?,
//! # );
//! # let gateway = PrivateKey::<Alipay>::parse(include_str!("../../../tests/vectors/keys/alipay_2048.private.pkcs8.pem"))?;
//! # let answer = |method: &str, node: &str| alipay_openapi::sign_response_body(
//! #     &alipay_openapi::response_node_key(method), node, None, Charset::Utf8, SignType::Rsa2, &gateway);
//! # let now = alipay_openapi::Timestamp::from_unix_secs(1_715_593_760);
//! let query = VoucherQuery { voucher_id: "20170616000730020041006ZYE2V".into() };
//! let signed = client.sign(&query.to_request()?, now)?;
//! assert!(signed.sign_content().contains(r#"biz_content={"voucher_id":"20170616000730020041006ZYE2V"}"#));
//! let body = answer(VoucherQuery::METHOD, r#"{"code":"10000","msg":"Success","name":"商户代金券",
//!     "voucher_id":"20170616000730020041006ZYE2V","user_id":"2088102146165572",
//!     "template_id":"0616844525285551005194106549","gmt_active":"2015-04-02 13:32:43",
//!     "gmt_expired":"2015-04-02 13:32:43","total_amount":1,"available_amount":"0.50","status":"ENABLED",
//!     "gmt_create":"2015-04-02 13:32:43","extend_info":"{}","bill_details":[{"trade_no":"2015040200073002576500000001",
//!     "amount":0.5,"status":"S","biz_type":"V_USE","gmt_create":"2015-04-02 13:32:43"}]}"#)?;
//! let voucher = VoucherQuery::parse(client.verify_response(VoucherQuery::METHOD, &body)?)?;
//! assert_eq!(voucher.status, VoucherStatus::Enabled);
//! assert_eq!(voucher.total_amount.map(|a| a.to_string()).as_deref(), Some("1.00"));
//! assert_eq!(voucher.available_amount.map(|a| a.fen()), Some(50));
//! assert_eq!(voucher.gmt_expired.map(|t| t.to_string()).as_deref(), Some("2015-04-02 13:32:43"));
//! assert_eq!(voucher.bill_details[0].biz_type, Some(BillType::Use));
//! assert_eq!(voucher.bill_details[0].amount.fen(), 50);
//! # Ok::<(), alipay_openapi::Error>(())
//! ```
//!
//! ## `alipay.marketing.voucher.stock.use`
//!
//! ```
//! use alipay_openapi::api::{ApiCall, VoucherStockUse};
//! # use alipay_openapi::{keys::role::Alipay, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, PrivateKey, SignType};
//! # let client = Client::new(
//! #     Config::new("2021000000000001"),
//! #     AppPrivateKey::parse(include_str!("../../../tests/vectors/keys/app_2048.private.pkcs1.pem"))?,
//! #     AlipayPublicKey::parse(include_str!("../../../tests/vectors/keys/alipay_2048.public.spki.pem"))?,
//! # );
//! # let gateway = PrivateKey::<Alipay>::parse(include_str!("../../../tests/vectors/keys/alipay_2048.private.pkcs8.pem"))?;
//! # let answer = |method: &str, node: &str| alipay_openapi::sign_response_body(
//! #     &alipay_openapi::response_node_key(method), node, None, Charset::Utf8, SignType::Rsa2, &gateway);
//! # let now = alipay_openapi::Timestamp::from_unix_secs(1_715_593_760);
//! let redeem = VoucherStockUse {
//!     entity_no: "ABTRm55gkVTcZJjvY2Enjg==prIaQkv2_dsfRTETS".into(),
//!     out_biz_no: "0156468653835689006788030091".into(),
//! };
//! let signed = client.sign(&redeem.to_request()?, now)?;
//! assert!(signed.url().contains("method=alipay.marketing.voucher.stock.use"));
//! // The code expired: a business refusal, not worth retrying.
//! let body = answer(VoucherStockUse::METHOD, r#"{"code":"40004","msg":"Business Failed","sub_code":"VOUCHER_HAS_EXPIRED","sub_msg":"券已过期"}"#)?;
//! let error = VoucherStockUse::parse(client.verify_response(VoucherStockUse::METHOD, &body)?).unwrap_err();
//! let info = error.gateway().expect("a gateway answer").describe(VoucherStockUse::METHOD);
//! assert!(!info.retryable());
//! assert_eq!(info.entry.action_zh, "券已过期,不能再核销了,不要重新发起业务");
//! // Redeemed:
//! let body = answer(VoucherStockUse::METHOD, r#"{"msg":"Success","code":"10000","voucher_id":"0156468653835689006788030091"}"#)?;
//! let result = VoucherStockUse::parse(client.verify_response(VoucherStockUse::METHOD, &body)?)?;
//! assert!(result.redeemed());
//! # Ok::<(), alipay_openapi::Error>(())
//! ```
//!
//! ## `koubei.trade.ticket.ticketcode.sync`
//!
//! ```
//! use alipay_openapi::api::{ApiCall, CodeType, TicketCodeSync};
//! use alipay_openapi::BeijingDateTime;
//! # use alipay_openapi::{keys::role::Alipay, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, PrivateKey, SignType};
//! # let client = Client::new(
//! #     Config::new("2021000000000001"),
//! #     AppPrivateKey::parse(include_str!("../../../tests/vectors/keys/app_2048.private.pkcs1.pem"))?,
//! #     AlipayPublicKey::parse(include_str!("../../../tests/vectors/keys/alipay_2048.public.spki.pem"))?,
//! # );
//! # let gateway = PrivateKey::<Alipay>::parse(include_str!("../../../tests/vectors/keys/alipay_2048.private.pkcs8.pem"))?;
//! # let answer = |method: &str, node: &str| alipay_openapi::sign_response_body(
//! #     &alipay_openapi::response_node_key(method), node, None, Charset::Utf8, SignType::Rsa2, &gateway);
//! # let now = alipay_openapi::Timestamp::from_unix_secs(1_715_593_760);
//! let sync = TicketCodeSync {
//!     request_id: "2016102903214470000000000".into(),
//!     ticket_code: "16569843362".into(),
//!     quantity: "5".into(),
//!     order_no: "20180404111040030100130500594477".into(),
//!     code_type: Some(CodeType::ExternalCode), // not a 12-digit internal code
//!     gmt_biz: Some(BeijingDateTime::parse("gmt_biz", "2017-09-09 12:12:12")?),
//!     sync_shop_id: Some("store-001".into()),
//! };
//! let signed = client.sign(&sync.to_request()?, now)?;
//! assert!(signed.sign_content().contains(r#""gmt_biz":"2017-09-09 12:12:12""#));
//! let body = answer(TicketCodeSync::METHOD, r#"{"code":"10000","msg":"Success","request_id":["2016102903214476899999999"],
//!     "order_no":"20170301011040030100490000189223","biz_code":"BIZ_ALREADY_SUCCESS"}"#)?;
//! let result = TicketCodeSync::parse(client.verify_response(TicketCodeSync::METHOD, &body)?)?;
//! assert_eq!(result.request_id, "2016102903214476899999999");
//! assert!(result.idempotent_replay); // synced before: nothing to do
//! # Ok::<(), alipay_openapi::Error>(())
//! ```
//!
//! ## Any other method
//!
//! ```
//! use alipay_openapi::api::{generic_request, parse};
//! # use alipay_openapi::{keys::role::Alipay, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, PrivateKey, SignType};
//! # let client = Client::new(
//! #     Config::new("2021000000000001"),
//! #     AppPrivateKey::parse(include_str!("../../../tests/vectors/keys/app_2048.private.pkcs1.pem"))?,
//! #     AlipayPublicKey::parse(include_str!("../../../tests/vectors/keys/alipay_2048.public.spki.pem"))?,
//! # );
//! # let gateway = PrivateKey::<Alipay>::parse(include_str!("../../../tests/vectors/keys/alipay_2048.private.pkcs8.pem"))?;
//! # let answer = |method: &str, node: &str| alipay_openapi::sign_response_body(
//! #     &alipay_openapi::response_node_key(method), node, None, Charset::Utf8, SignType::Rsa2, &gateway);
//! # let now = alipay_openapi::Timestamp::from_unix_secs(1_715_593_760);
//! let method = "alipay.trade.query";
//! let request = generic_request(method, &serde_json::json!({"out_trade_no": "20150320010101001"}))?;
//! let signed = client.sign(&request, now)?;
//! assert!(signed.sign_content().contains(r#"biz_content={"out_trade_no":"20150320010101001"}"#));
//! let body = answer(method, r#"{"code":"10000","msg":"Success","trade_status":"TRADE_SUCCESS","total_amount":"88.88"}"#)?;
//! let verified = client.verify_response(method, &body)?;
//! assert!(verified.node_text().contains("TRADE_SUCCESS")); // the node exactly as signed
//! let fields: serde_json::Map<String, serde_json::Value> = parse(verified)?;
//! assert_eq!(fields["total_amount"], "88.88");
//! # Ok::<(), alipay_openapi::Error>(())
//! ```

mod amount;
pub mod errors;
mod node;
mod rules;
mod ticket_code_sync;
mod voucher_query;
mod voucher_send;
mod voucher_stock_use;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub use amount::Amount;
pub use errors::{describe, CatalogEntry, ErrorInfo, Source};
pub use node::{parse, FromNode, Node};
pub use ticket_code_sync::{CodeType, TicketCodeSync, TicketCodeSyncResult, BIZ_ALREADY_SUCCESS};
pub use voucher_query::{BillDetail, BillStatus, BillType, VoucherQuery, VoucherQueryResult, VoucherStatus};
pub use voucher_send::{VoucherSend, VoucherSendResult};
pub use voucher_stock_use::{VoucherStockUse, VoucherStockUseResult};

use crate::error::{Error, Result};
use crate::request::Request;
use crate::response::VerifiedResponse;

/// One gateway method with a typed request (`Self`) and a typed result ([`Output`](Self::Output)).
///
/// Implementors hold only their fields and rules; building the request and reading the answer are
/// shared (and are the same mechanics as the generic path).
pub trait ApiCall: Serialize {
    /// The gateway method, e.g. `alipay.marketing.voucher.send`.
    const METHOD: &'static str;
    /// The operation's name in snake_case, e.g. `voucher_send`.
    const NAME: &'static str;
    /// The business codes of the method's reference page.
    const BUSINESS_CODES: &'static [CatalogEntry];
    /// The typed result of a successful call.
    type Output: FromNode;

    /// Checks every field against the reference page; the error names the field and the rule.
    fn validate(&self) -> Result<()>;

    /// Validates, then serializes `biz_content` once into a [`Request`] for [`METHOD`](Self::METHOD).
    /// The request is reusable: a retry signs the same value again with a fresh timestamp.
    fn to_request(&self) -> Result<Request> {
        self.validate()?;
        let json = serde_json::to_string(self).map_err(|e| Error::field("biz_content", e.to_string()))?;
        Ok(request(Self::METHOD, json))
    }

    /// Reads a verified answer: the typed result, or [`Error::Gateway`] when the code is not
    /// `10000`; unknown members are kept in the result's `extra`.
    fn parse(verified: VerifiedResponse) -> Result<Self::Output> {
        parse(verified)
    }
}

/// One typed API: its names, its page's business codes, and how its request is built from a JSON
/// object and its answer read into one. The bindings derive their per-API methods from [`APIS`].
#[derive(Debug, Clone, Copy)]
pub struct ApiSpec {
    /// The gateway method, e.g. `alipay.marketing.voucher.send`.
    pub method: &'static str,
    /// The operation's name in snake_case (`voucher_send`; `voucherSend` in JavaScript).
    pub name: &'static str,
    /// The business codes of its reference page.
    pub business_codes: &'static [CatalogEntry],
    request: fn(&Value) -> Result<Request>,
    result: fn(VerifiedResponse) -> Result<Value>,
}

impl ApiSpec {
    const fn of<T: ApiCall + DeserializeOwned>() -> Self
    where
        T::Output: Serialize,
    {
        ApiSpec {
            method: T::METHOD,
            name: T::NAME,
            business_codes: T::BUSINESS_CODES,
            request: typed_request::<T>,
            result: typed_result::<T>,
        }
    }

    /// The request from `biz_content` as a JSON object, through the model (fields checked, unknown
    /// fields refused).
    pub fn request(&self, biz_content: &Value) -> Result<Request> {
        (self.request)(biz_content)
    }

    /// A verified answer as a JSON object: the typed result serialized (amounts as two-decimal
    /// strings, date-times as `yyyy-MM-dd HH:mm:ss`, `extra` members alongside); `code` and `msg`
    /// left out. A non-`10000` answer is [`Error::Gateway`].
    pub fn result(&self, verified: VerifiedResponse) -> Result<Value> {
        (self.result)(verified)
    }
}

/// The typed APIs.
pub const APIS: [ApiSpec; 4] = [
    ApiSpec::of::<VoucherSend>(),
    ApiSpec::of::<VoucherQuery>(),
    ApiSpec::of::<VoucherStockUse>(),
    ApiSpec::of::<TicketCodeSync>(),
];

/// The methods with a typed model.
pub const METHODS: [&str; 4] = [APIS[0].method, APIS[1].method, APIS[2].method, APIS[3].method];

/// The typed API of `method`, if it has one.
pub fn api(method: &str) -> Option<&'static ApiSpec> {
    APIS.iter().find(|api| api.method == method)
}

/// The typed API of `method`, or an error that lists those there are.
pub fn typed_api(method: &str) -> Result<&'static ApiSpec> {
    api(method).ok_or_else(|| {
        Error::field("method", format!("has no typed model (typed: {}); use the generic path", METHODS.join(", ")))
    })
}

fn typed_request<T: ApiCall + DeserializeOwned>(biz_content: &Value) -> Result<Request> {
    let Value::Object(members) = biz_content else {
        return Err(Error::field("biz_content", "must be a JSON object"));
    };
    let call = T::deserialize(biz_content).map_err(|e| {
        // serde does not say which member failed; every field has a default, so the member that
        // fails on its own is the one.
        let culprit = members
            .iter()
            .map(|(key, value)| (key, Value::Object([(key.clone(), value.clone())].into_iter().collect())))
            .find(|(_, alone)| T::deserialize(alone).is_err());
        Error::field(culprit.map_or("biz_content", |(key, _)| key.as_str()), e.to_string())
    })?;
    call.to_request()
}

fn typed_result<T: ApiCall>(verified: VerifiedResponse) -> Result<Value>
where
    T::Output: Serialize,
{
    serde_json::to_value(T::parse(verified)?).map_err(|e| Error::MalformedResponse(e.to_string()))
}

/// The one place a request for a method and its `biz_content` text is made.
fn request(method: &str, biz_content: String) -> Request {
    Request::new(method).biz_content(biz_content)
}

/// A request for any `method` with `biz_content` from a JSON object (serialized once, compactly).
pub fn generic_request(method: &str, biz_content: &Value) -> Result<Request> {
    if !biz_content.is_object() {
        return Err(Error::field("biz_content", "must be a JSON object"));
    }
    Ok(request(method, biz_content.to_string()))
}

/// A request for any `method` with this exact `biz_content` text, which must be a JSON object; it
/// is signed and sent byte for byte.
pub fn generic_request_text(method: &str, biz_content: &str) -> Result<Request> {
    serde_json::from_str::<serde_json::Map<String, Value>>(biz_content)
        .map_err(|e| Error::field("biz_content", format!("must be a JSON object ({e})")))?;
    Ok(request(method, biz_content.to_owned()))
}

/// A request for `method` from `biz_content` as a JSON object: through the typed model (fields
/// checked, unknown fields refused) when `method` is one of [`METHODS`], generic otherwise.
pub fn request_for(method: &str, biz_content: &Value) -> Result<Request> {
    match api(method) {
        Some(api) => api.request(biz_content),
        None => generic_request(method, biz_content),
    }
}

/// A verified answer to `method` as a JSON object: [`ApiSpec::result`] when `method` is one of
/// [`METHODS`], the node's members otherwise; `code` and `msg` are left out. A non-`10000` answer
/// is [`Error::Gateway`].
pub fn result_for(method: &str, verified: VerifiedResponse) -> Result<Value> {
    match api(method) {
        Some(api) => api.result(verified),
        None => parse::<serde_json::Map<String, Value>>(verified).map(Value::Object),
    }
}
