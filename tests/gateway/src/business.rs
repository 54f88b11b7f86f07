//! The four APIs: read `biz_content`, apply the API page's field rules, run the operation, and
//! produce the response fields.

use std::collections::HashMap;

use alipay_openapi::api::Amount;
use alipay_openapi::Timestamp;
use base64::Engine as _;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::store::{Failure, Recipient, SendInput, Store, SyncInput};

pub(crate) const SEND: &str = "alipay.marketing.voucher.send";
pub(crate) const QUERY: &str = "alipay.marketing.voucher.query";
pub(crate) const STOCK_USE: &str = "alipay.marketing.voucher.stock.use";
pub(crate) const TICKET_SYNC: &str = "koubei.trade.ticket.ticketcode.sync";
/// The methods this gateway serves.
pub(crate) const METHODS: [&str; 4] = [SEND, QUERY, STOCK_USE, TICKET_SYNC];
/// The method that downloads an Alipay certificate, served in certificate mode.
pub(crate) const DOWNLOAD: &str = alipay_openapi::cert::DOWNLOAD_METHOD;

/// Response fields after `code` and `msg`, in order.
pub(crate) type Fields = Vec<(&'static str, Value)>;

/// Who the merchant is, for bill details.
#[derive(Debug, Clone)]
pub(crate) struct Partner {
    pub id: String,
    pub name: String,
}

/// The key that makes two calls "the same business" (for `fail-first=N`).
pub(crate) fn business_key(method: &str, biz_content: Option<&str>) -> String {
    let key = biz_content.and_then(|text| serde_json::from_str::<HashMap<String, Value>>(text).ok()).and_then(|biz| {
        ["out_biz_no", "request_id", "voucher_id", "out_trade_no", "trade_no"].iter().find_map(|k| biz.get(*k).cloned())
    });
    match key {
        Some(Value::String(s)) => format!("{method}:{s}"),
        _ => format!("{method}:{}", biz_content.unwrap_or_default()),
    }
}

/// Runs `method` (one of [`METHODS`]).
pub(crate) fn handle(
    store: &Store,
    method: &str,
    biz_content: Option<&str>,
    now: Timestamp,
    partner: &Partner,
) -> Result<Fields, Failure> {
    // Each page names its own "bad parameter" code.
    let invalid = if method == STOCK_USE {
        ("REQUEST_PARAM_ILLEGAL", "请求参数非法")
    } else {
        ("INVALID_PARAMETER", "参数有误")
    };
    let biz = Biz::parse(biz_content, invalid)?;
    match method {
        SEND => send(store, &biz, now),
        QUERY => query(store, &biz, now, partner),
        STOCK_USE => stock_use(store, &biz, now),
        _ => ticket_sync(store, &biz, now),
    }
}

/// `alipay.open.app.alipaycert.download`: the chain (PEM) of the certificate `alipay_cert_sn` names,
/// as base64 in `alipay_cert_content`. `chains` are the gateway's (SN, PEM) pairs.
pub(crate) fn download(biz_content: Option<&str>, chains: &[(&str, &str)]) -> Result<Fields, Failure> {
    let biz = Biz::parse(biz_content, ("INVALID_PARAMETER", "参数有误"))?;
    let sn = biz.required("alipay_cert_sn", 128)?;
    let (_, pem) =
        chains.iter().find(|(known, _)| *known == sn).ok_or_else(|| biz.invalid("支付宝公钥证书序列号不存在"))?;
    Ok(vec![("alipay_cert_content", json!(base64::engine::general_purpose::STANDARD.encode(pem)))])
}

fn send(store: &Store, biz: &Biz, now: Timestamp) -> Result<Fields, Failure> {
    let template_id = biz.required("template_id", 28)?;
    let out_biz_no = biz.required("out_biz_no", 64)?;
    let recipient =
        match (biz.optional("user_id", 16)?, biz.optional("login_id", 128)?, biz.optional("taobao_nick", 128)?) {
            (Some(id), _, _) => Recipient::UserId(id),
            (None, Some(login), _) => Recipient::LoginId(login),
            (None, None, Some(nick)) => Recipient::TaobaoNick(nick),
            (None, None, None) => return Err(biz.invalid("user_id、login_id、taobao_nick不能同时为空")),
        };
    let amount_cents = match biz.optional("amount", 10)? {
        None => None,
        Some(text) => Some(
            Amount::parse(&text)
                .ok()
                .map(Amount::fen)
                .filter(|fen| *fen > 0)
                .ok_or_else(|| biz.invalid("amount必须是大于0、最多两位小数的金额"))?,
        ),
    };
    let memo = biz.optional("memo", 128)?;
    let issued = store.send(&SendInput { template_id, out_biz_no, recipient, amount_cents, memo }, now)?;
    Ok(vec![("voucher_id", json!(issued.voucher_id)), ("user_id", json!(issued.user_id))])
}

fn query(store: &Store, biz: &Biz, now: Timestamp, partner: &Partner) -> Result<Fields, Failure> {
    let voucher_id = biz.required("voucher_id", 28)?;
    if voucher_id.len() != 28 {
        return Err(biz.invalid("请检查券ID是否为28位，券ID为发券接口返回唯一标识"));
    }
    let v = store.query(&voucher_id, now)?;
    let mut fields: Fields = vec![
        ("voucher_id", json!(v.voucher_id)),
        ("template_id", json!(v.template_id)),
        ("user_id", json!(v.user_id)),
        ("name", json!(v.name)),
        ("status", json!(v.status)),
        ("total_amount", json!(yuan(v.total_cents))),
        ("available_amount", json!(yuan(v.available_cents))),
        ("gmt_create", json!(v.gmt_create.to_string())),
        ("gmt_active", json!(v.gmt_create.to_string())),
        ("gmt_expired", json!(v.gmt_expired.to_string())),
        ("extend_info", json!("{}")),
    ];
    if !v.bills.is_empty() {
        let bills: Vec<Value> = v
            .bills
            .iter()
            .map(|b| {
                json!({
                    "trade_no": b.trade_no,
                    "amount": yuan(b.amount_cents),
                    "status": "S",
                    "partner_id": partner.id,
                    "partner_name": partner.name,
                    "biz_type": "V_USE",
                    "gmt_create": b.gmt_create.to_string(),
                })
            })
            .collect();
        fields.push(("bill_details", Value::Array(bills)));
    }
    Ok(fields)
}

fn stock_use(store: &Store, biz: &Biz, now: Timestamp) -> Result<Fields, Failure> {
    let entity_no = biz.required("entity_no", 128)?;
    let out_biz_no = biz.required("out_biz_no", 128)?;
    if !out_biz_no.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(biz.invalid("out_biz_no只能包含数字和字母"));
    }
    let voucher_id = store.redeem(&entity_no, &out_biz_no, now)?;
    Ok(vec![("voucher_id", json!(voucher_id))])
}

fn ticket_sync(store: &Store, biz: &Biz, now: Timestamp) -> Result<Fields, Failure> {
    let request_id = biz.required("request_id", 32)?;
    if !request_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(biz.invalid("request_id只能包含英文字母和数字"));
    }
    let ticket_code = biz.required("ticket_code", 32)?;
    let order_no = biz.required("order_no", 32)?;
    let quantity_text = biz.required("quantity", 4)?;
    let quantity = quantity_text
        .parse::<u32>()
        .ok()
        .filter(|_| quantity_text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| biz.invalid("quantity必须是非负整数"))?;
    match biz.optional("code_type", 16)?.as_deref() {
        // INTERNAL_CODE is the default; internal codes are 12 digits.
        None | Some("INTERNAL_CODE") => {
            if ticket_code.len() != 12 || !ticket_code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(biz.invalid("内部凭证码为12位纯数字，外部凭证码须指定code_type为EXTERNAL_CODE"));
            }
        }
        Some("EXTERNAL_CODE") => {}
        Some(_) => return Err(biz.invalid("code_type只能是INTERNAL_CODE或EXTERNAL_CODE")),
    }
    biz.optional("sync_shop_id", 32)?;
    let gmt_biz = match biz.optional("gmt_biz", 32)? {
        None => now,
        Some(text) => Timestamp::parse_beijing("gmt_biz", &text)
            .map_err(|_| biz.invalid("gmt_biz的格式必须是yyyy-MM-dd HH:mm:ss"))?,
    };
    let synced =
        store.sync_ticket(&SyncInput { request_id: request_id.clone(), ticket_code, order_no, quantity, gmt_biz })?;
    // The API page's example answers `request_id` as an array of one string.
    let mut fields: Fields = vec![("request_id", json!([request_id])), ("order_no", json!(synced.order_no))];
    if synced.replay {
        fields.push(("biz_code", json!("BIZ_ALREADY_SUCCESS")));
    }
    Ok(fields)
}

/// Fen as yuan with two decimals (`999` → `"9.99"`).
pub(crate) fn yuan(fen: i64) -> String {
    Amount::from_fen(fen).map(|amount| amount.to_string()).unwrap_or_default()
}

/// `biz_content`, with each value kept as raw JSON so that numbers are read as written.
pub(crate) struct Biz {
    fields: HashMap<String, Box<RawValue>>,
    invalid: (&'static str, &'static str),
}

impl Biz {
    pub(crate) fn parse(text: Option<&str>, invalid: (&'static str, &'static str)) -> Result<Biz, Failure> {
        let fail = |why: &str| Failure::business(invalid.0, format!("{}：{why}", invalid.1));
        let text = text.ok_or_else(|| fail("缺少biz_content"))?;
        let fields = serde_json::from_str(text).map_err(|_| fail("biz_content不是JSON对象"))?;
        Ok(Biz { fields, invalid })
    }

    pub(crate) fn invalid(&self, why: &str) -> Failure {
        Failure::business(self.invalid.0, format!("{}：{why}", self.invalid.1))
    }

    /// A string field (a JSON number is taken as written: `9.99` stays `"9.99"`); empty means absent.
    pub(crate) fn optional(&self, name: &str, max_chars: usize) -> Result<Option<String>, Failure> {
        let Some(raw) = self.fields.get(name) else { return Ok(None) };
        let raw = raw.get();
        let text = match raw.as_bytes().first() {
            Some(b'"') => {
                serde_json::from_str::<String>(raw).map_err(|_| self.invalid(&format!("{name}不是字符串")))?
            }
            Some(b'-' | b'0'..=b'9') => raw.to_owned(),
            Some(b'n') => return Ok(None),
            _ => return Err(self.invalid(&format!("{name}必须是字符串"))),
        };
        if text.is_empty() {
            return Ok(None);
        }
        // Lengths as the gateway (a Java service) counts them: UTF-16 code units.
        if text.encode_utf16().count() > max_chars {
            return Err(self.invalid(&format!("{name}的长度不能超过{max_chars}")));
        }
        Ok(Some(text))
    }

    pub(crate) fn required(&self, name: &str, max_chars: usize) -> Result<String, Failure> {
        self.optional(name, max_chars)?.ok_or_else(|| self.invalid(&format!("缺少必选参数{name}")))
    }
}
