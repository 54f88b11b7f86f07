//! Payment trades. Page, WAP and app pay create them (the cashier, [`crate::gateway`]);
//! `alipay.trade.query` and `alipay.trade.close`, over v2 and v3, read and close them. Amounts are
//! integer fen, parsed exactly from the request's decimal text.

use alipay_openapi::api::Amount;
use alipay_openapi::{Charset, SignType, Timestamp};
use rusqlite::{params, OptionalExtension, Row};
use serde_json::json;

use crate::business::{yuan, Biz, Fields};
use crate::store::{trade_no, Failure, Store};

pub(crate) const PAGE_PAY: &str = "alipay.trade.page.pay";
pub(crate) const WAP_PAY: &str = "alipay.trade.wap.pay";
pub(crate) const APP_PAY: &str = "alipay.trade.app.pay";
pub(crate) const TRADE_QUERY: &str = "alipay.trade.query";
pub(crate) const TRADE_CLOSE: &str = "alipay.trade.close";

pub(crate) const WAIT_BUYER_PAY: &str = "WAIT_BUYER_PAY";
pub(crate) const TRADE_SUCCESS: &str = "TRADE_SUCCESS";
pub(crate) const TRADE_CLOSED: &str = "TRADE_CLOSED";

/// The user every trade is paid by (a fixture user) and the login the answers show for it, masked.
pub(crate) const BUYER_ID: &str = crate::config::TEST_USER_ID;
const BUYER_LOGON_ID: &str = "138******00";

/// Largest `total_amount` the pay APIs take: 100000000.00 yuan.
const MAX_TOTAL_FEN: i64 = 10_000_000_000;

const INVALID: (&str, &str) = ("ACQ.INVALID_PARAMETER", "参数无效");

/// The `product_code` each pay method takes.
pub(crate) fn product_code(method: &str) -> Option<&'static str> {
    match method {
        PAGE_PAY => Some("FAST_INSTANT_TRADE_PAY"),
        WAP_PAY => Some("QUICK_WAP_WAY"),
        APP_PAY => Some("QUICK_MSECURITY_PAY"),
        _ => None,
    }
}

/// A trade as a pay request describes it, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewTrade {
    pub method: &'static str,
    pub out_trade_no: String,
    pub subject: String,
    pub total_fen: i64,
    pub product_code: &'static str,
    pub charset: Charset,
    pub sign_type: SignType,
    pub notify_url: Option<String>,
    pub return_url: Option<String>,
}

/// A stored trade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trade {
    pub trade_no: String,
    pub out_trade_no: String,
    pub method: String,
    pub subject: String,
    pub total_fen: i64,
    pub status: String,
    pub charset: String,
    pub sign_type: String,
    pub notify_url: Option<String>,
    pub return_url: Option<String>,
    pub notify_id: Option<String>,
    pub gmt_create: Timestamp,
    pub gmt_payment: Option<Timestamp>,
}

impl Trade {
    pub fn total_amount(&self) -> String {
        yuan(self.total_fen)
    }
}

/// What a query or close names: `trade_no` wins over `out_trade_no`, as on the API pages.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TradeKey {
    TradeNo(String),
    OutTradeNo(String),
}

/// Reads a pay request's `biz_content` for `method` (one with a [`product_code`]).
pub(crate) fn new_trade(
    method: &'static str,
    biz_content: Option<&str>,
    charset: Charset,
    sign_type: SignType,
    urls: (Option<&str>, Option<&str>),
) -> Result<NewTrade, Failure> {
    let biz = Biz::parse(biz_content, INVALID)?;
    let out_trade_no = out_trade_no(&biz)?.ok_or_else(|| biz.invalid("缺少必选参数out_trade_no"))?;
    let total_text = biz.required("total_amount", 16)?;
    let total_fen = Amount::parse(&total_text)
        .ok()
        .map(Amount::fen)
        .filter(|fen| (1..=MAX_TOTAL_FEN).contains(fen))
        .ok_or_else(|| biz.invalid("total_amount必须是0.01到100000000.00之间、最多两位小数的金额"))?;
    let subject = biz.required("subject", 256)?;
    let expected = product_code(method).ok_or_else(|| biz.invalid("不是支付接口"))?;
    let given = biz.required("product_code", 64)?;
    if given != expected {
        return Err(biz.invalid(&format!("{method}的product_code必须是{expected}")));
    }
    let (notify_url, return_url) = urls;
    Ok(NewTrade {
        method,
        out_trade_no,
        subject,
        total_fen,
        product_code: expected,
        charset,
        sign_type,
        notify_url: notify_url.map(str::to_owned),
        return_url: return_url.map(str::to_owned),
    })
}

fn out_trade_no(biz: &Biz) -> Result<Option<String>, Failure> {
    let value = biz.optional("out_trade_no", 64)?;
    if value.as_deref().is_some_and(|v| !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')) {
        return Err(biz.invalid("out_trade_no只能包含字母、数字和下划线"));
    }
    Ok(value)
}

/// `alipay.trade.query` or `alipay.trade.close`: the answer's fields after `code` and `msg`.
pub(crate) fn handle(
    store: &Store,
    method: &str,
    biz_content: Option<&str>,
    now: Timestamp,
) -> Result<Fields, Failure> {
    let biz = Biz::parse(biz_content, INVALID)?;
    let key = match (biz.optional("trade_no", 64)?, out_trade_no(&biz)?) {
        (Some(trade_no), _) => TradeKey::TradeNo(trade_no),
        (None, Some(out_trade_no)) => TradeKey::OutTradeNo(out_trade_no),
        (None, None) => return Err(biz.invalid("out_trade_no和trade_no不能同时为空")),
    };
    if method == TRADE_CLOSE {
        let trade = store.close_trade(&key, now)?;
        return Ok(vec![("trade_no", json!(trade.trade_no)), ("out_trade_no", json!(trade.out_trade_no))]);
    }
    let trade = store.find_trade(&key)?;
    let mut fields: Fields = vec![
        ("trade_no", json!(trade.trade_no)),
        ("out_trade_no", json!(trade.out_trade_no)),
        ("trade_status", json!(trade.status)),
        ("total_amount", json!(trade.total_amount())),
    ];
    if let Some(paid) = trade.gmt_payment {
        fields.extend([
            ("buyer_logon_id", json!(BUYER_LOGON_ID)),
            ("buyer_user_id", json!(BUYER_ID)),
            ("buyer_pay_amount", json!(trade.total_amount())),
            ("receipt_amount", json!(trade.total_amount())),
            ("send_pay_date", json!(paid.to_string())),
        ]);
    }
    Ok(fields)
}

const TRADE_COLUMNS: &str = "trade_no, out_trade_no, method, subject, total_cents, status, charset, sign_type, \
                             notify_url, return_url, notify_id, gmt_create, gmt_payment";

fn trade_from_row(row: &Row<'_>) -> rusqlite::Result<Trade> {
    Ok(Trade {
        trade_no: row.get(0)?,
        out_trade_no: row.get(1)?,
        method: row.get(2)?,
        subject: row.get(3)?,
        total_fen: row.get(4)?,
        status: row.get(5)?,
        charset: row.get(6)?,
        sign_type: row.get(7)?,
        notify_url: row.get(8)?,
        return_url: row.get(9)?,
        notify_id: row.get(10)?,
        gmt_create: Timestamp::from_unix_secs(row.get(11)?),
        gmt_payment: row.get::<_, Option<i64>>(12)?.map(Timestamp::from_unix_secs),
    })
}

fn select(tx: &rusqlite::Transaction<'_>, key: &TradeKey) -> Result<Trade, Failure> {
    let (column, value) = match key {
        TradeKey::TradeNo(v) => ("trade_no", v),
        TradeKey::OutTradeNo(v) => ("out_trade_no", v),
    };
    tx.query_row(&format!("SELECT {TRADE_COLUMNS} FROM trades WHERE {column} = ?1"), params![value], trade_from_row)
        .optional()?
        .ok_or_else(|| Failure::business("ACQ.TRADE_NOT_EXIST", "交易不存在"))
}

fn already(status: &str) -> Failure {
    if status == TRADE_SUCCESS {
        Failure::business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
    } else {
        Failure::business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
    }
}

impl Store {
    /// Creates the trade waiting for payment, or returns the one `out_trade_no` already names when
    /// it describes the same trade and is still waiting (a browser opening the link twice).
    pub fn open_trade(&self, new: &NewTrade, now: Timestamp) -> Result<Trade, Failure> {
        self.with_tx(|tx| {
            match select(tx, &TradeKey::OutTradeNo(new.out_trade_no.clone())) {
                Ok(existing) => {
                    let same = existing.method == new.method
                        && existing.subject == new.subject
                        && existing.total_fen == new.total_fen;
                    if !same {
                        return Err(Failure::business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改"));
                    }
                    if existing.status != WAIT_BUYER_PAY {
                        return Err(already(&existing.status));
                    }
                    return Ok(existing);
                }
                Err(Failure::Business { .. }) => {}
                Err(other) => return Err(other),
            }
            let sequence: i64 = tx.query_row("SELECT COALESCE(MAX(rowid), 0) + 1 FROM trades", [], |row| row.get(0))?;
            tx.execute(
                "INSERT INTO trades (trade_no, out_trade_no, method, product_code, subject, total_cents, status, charset,
                                     sign_type, notify_url, return_url, gmt_create)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    trade_no(now, sequence),
                    new.out_trade_no,
                    new.method,
                    new.product_code,
                    new.subject,
                    new.total_fen,
                    WAIT_BUYER_PAY,
                    new.charset.as_str(),
                    new.sign_type.as_str(),
                    new.notify_url,
                    new.return_url,
                    now.unix_secs(),
                ],
            )?;
            select(tx, &TradeKey::OutTradeNo(new.out_trade_no.clone()))
        })
    }

    /// Pays a waiting trade. `Ok((trade, true))` the first time; paying a paid trade again changes
    /// nothing and gives `false` (no second notification).
    pub fn pay_trade(&self, trade_no: &str, now: Timestamp) -> Result<(Trade, bool), Failure> {
        self.with_tx(|tx| {
            let trade = select(tx, &TradeKey::TradeNo(trade_no.to_owned()))?;
            match trade.status.as_str() {
                TRADE_SUCCESS => return Ok((trade, false)),
                WAIT_BUYER_PAY => {}
                other => return Err(already(other)),
            }
            // The trade number without its date: unique, as notify_id must be.
            let notify_id = format!("{}00222{}", crate::store::date_digits(now), trade_no.get(8..).unwrap_or(trade_no));
            tx.execute(
                "UPDATE trades SET status = ?1, buyer_id = ?2, gmt_payment = ?3, notify_id = ?4 WHERE trade_no = ?5",
                params![TRADE_SUCCESS, BUYER_ID, now.unix_secs(), notify_id, trade_no],
            )?;
            Ok((select(tx, &TradeKey::TradeNo(trade_no.to_owned()))?, true))
        })
    }

    fn find_trade(&self, key: &TradeKey) -> Result<Trade, Failure> {
        self.with_tx(|tx| select(tx, key))
    }

    /// Closes a trade waiting for payment; any other state is `ACQ.TRADE_STATUS_ERROR`.
    fn close_trade(&self, key: &TradeKey, now: Timestamp) -> Result<Trade, Failure> {
        self.with_tx(|tx| {
            let trade = select(tx, key)?;
            if trade.status != WAIT_BUYER_PAY {
                return Err(Failure::business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"));
            }
            tx.execute(
                "UPDATE trades SET status = ?1, gmt_close = ?2 WHERE trade_no = ?3",
                params![TRADE_CLOSED, now.unix_secs(), trade.trade_no],
            )?;
            Ok(Trade { status: TRADE_CLOSED.to_owned(), ..trade })
        })
    }

    /// Records one delivery attempt of a notification.
    pub fn record_attempt(
        &self,
        notify_id: &str,
        attempt: u32,
        at_millis: i64,
        http_status: Option<u16>,
        outcome: &str,
    ) -> Result<(), Failure> {
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO notify_attempts (notify_id, attempt, at_millis, http_status, outcome) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![notify_id, attempt, at_millis, http_status, outcome],
            )?;
            Ok(())
        })
    }

    /// Remembers a v3 nonce. `Ok(false)`: it was already seen at or after `window_start` (a replay).
    pub fn remember_nonce(&self, nonce: &str, now_millis: i64, window_start: i64) -> Result<bool, Failure> {
        self.with_tx(|tx| {
            tx.execute("DELETE FROM v3_nonces WHERE seen_millis < ?1", params![window_start])?;
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO v3_nonces (nonce, seen_millis) VALUES (?1, ?2)",
                params![nonce, now_millis],
            )?;
            Ok(inserted == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Database, Fixtures};

    const NOW: i64 = 1_700_000_000;

    fn page(out_trade_no: &str, amount: &str) -> Result<NewTrade, Failure> {
        let biz = format!(
            r#"{{"out_trade_no":"{out_trade_no}","total_amount":{amount},"subject":"书","product_code":"FAST_INSTANT_TRADE_PAY"}}"#
        );
        new_trade(PAGE_PAY, Some(&biz), Charset::Utf8, SignType::Rsa2, (Some("http://m/notify"), None))
    }

    fn sub_code(result: Result<impl std::fmt::Debug, Failure>) -> &'static str {
        match result {
            Err(Failure::Business { sub_code, .. }) => sub_code,
            other => panic!("expected a business error, got {other:?}"),
        }
    }

    #[test]
    fn amounts_are_exact_fen_and_bad_ones_are_refused() {
        assert_eq!(page("A1", r#""0.01""#).unwrap().total_fen, 1);
        assert_eq!(page("A1", "88.88").unwrap().total_fen, 8888);
        assert_eq!(page("A1", r#""100000000.00""#).unwrap().total_fen, MAX_TOTAL_FEN);
        for bad in [r#""0.00""#, r#""1.001""#, r#""-1""#, r#""1e2""#, r#""100000000.01""#, r#""abc""#, "true"] {
            assert_eq!(sub_code(page("A1", bad)), "ACQ.INVALID_PARAMETER", "{bad}");
        }
        assert_eq!(sub_code(page("A-1", r#""1.00""#)), "ACQ.INVALID_PARAMETER");
        let wrong_product =
            r#"{"out_trade_no":"A1","total_amount":"1.00","subject":"s","product_code":"QUICK_WAP_WAY"}"#;
        let result = new_trade(PAGE_PAY, Some(wrong_product), Charset::Utf8, SignType::Rsa2, (None, None));
        assert_eq!(sub_code(result), "ACQ.INVALID_PARAMETER");
    }

    #[test]
    fn a_trade_is_opened_once_paid_once_and_then_neither_reopened_nor_closed() {
        let store = Store::open(&Database::Memory, &Fixtures::default()).unwrap();
        let now = Timestamp::from_unix_secs(NOW);
        let opened = store.open_trade(&page("T1", r#""9.99""#).unwrap(), now).unwrap();
        assert_eq!((opened.status.as_str(), opened.total_fen), (WAIT_BUYER_PAY, 999));
        assert_eq!(store.open_trade(&page("T1", r#""9.99""#).unwrap(), now).unwrap(), opened);
        assert_eq!(sub_code(store.open_trade(&page("T1", r#""9.98""#).unwrap(), now)), "ACQ.CONTEXT_INCONSISTENT");
        let (paid, first) = store.pay_trade(&opened.trade_no, now).unwrap();
        assert!(first && paid.status == TRADE_SUCCESS && paid.notify_id.is_some());
        let (again, first) = store.pay_trade(&opened.trade_no, now).unwrap();
        assert!(!first && again.notify_id == paid.notify_id);
        assert_eq!(sub_code(store.open_trade(&page("T1", r#""9.99""#).unwrap(), now)), "ACQ.TRADE_HAS_SUCCESS");
        let key = TradeKey::OutTradeNo("T1".to_owned());
        assert_eq!(sub_code(store.close_trade(&key, now)), "ACQ.TRADE_STATUS_ERROR");
        assert_eq!(sub_code(store.pay_trade("2023111422001000000000000099", now)), "ACQ.TRADE_NOT_EXIST");
    }

    #[test]
    fn nonces_are_refused_within_the_window_and_forgotten_after_it() {
        let store = Store::open(&Database::Memory, &Fixtures::default()).unwrap();
        assert!(store.remember_nonce("n1", 1_000, 0).unwrap());
        assert!(!store.remember_nonce("n1", 2_000, 0).unwrap());
        assert!(store.remember_nonce("n1", 700_000, 1_500).unwrap());
    }
}
