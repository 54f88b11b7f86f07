//! The local cashier end to end: page-pay links and WAP-pay forms open a trade and a cashier page,
//! paying redirects to return_url with signed parameters and delivers a signed notification until
//! the merchant answers `success`; trade query and close reflect the state; app-pay order strings
//! are paid through the test endpoint. Everything a merchant receives is verified with the core.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use std::path::PathBuf;
use std::time::Duration;

use alipay_local_gateway::{Database, GatewayConfig, APP_PAY_PATH};
use alipay_openapi::{Charset, Client, Error, ExpectedOrder, NotifyParams, NotifyVersion, Request};
use common::cashier::{browser, open, order_string, origin, pay_link, pay_request, post_form, signed, Merchant, Page};
use common::{gateway_error, text, Harness};
use serde_json::json;

const PAGE_PAY: &str = "alipay.trade.page.pay";
const WAP_PAY: &str = "alipay.trade.wap.pay";

/// A gateway that re-sends notifications after 50 ms, 50 ms, 50 ms (four deliveries at most),
/// on a database file whose delivery records the test reads.
fn gateway(name: &str) -> (Harness, PathBuf) {
    let dir = std::env::temp_dir().join(format!("alipay-gateway-cashier-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let config = GatewayConfig {
        database: Database::File(path.clone()),
        notify_retry: vec![Duration::from_millis(50); 3],
        notify_timeout: Duration::from_secs(2),
        ..GatewayConfig::default()
    };
    (Harness::with_config(config), path)
}

/// (attempt, http_status, outcome, at_millis) of every delivery of `notify_id`.
fn attempts(db: &PathBuf, notify_id: &str) -> Vec<(u32, Option<u16>, String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut rows = conn
        .prepare(
            "SELECT attempt, http_status, outcome, at_millis FROM notify_attempts WHERE notify_id = ?1 ORDER BY attempt",
        )
        .unwrap();
    rows.query_map([notify_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn trade_call(
    harness: &Harness,
    method: &str,
    biz: serde_json::Value,
) -> Result<alipay_openapi::VerifiedResponse, Error> {
    harness.call(&Request::new(method).biz_json(&biz))
}

fn status_of(harness: &Harness, out_trade_no: &str) -> String {
    let answer = trade_call(harness, "alipay.trade.query", json!({"out_trade_no": out_trade_no})).unwrap();
    text(&answer, "trade_status").to_owned()
}

fn verify_notification(client: &Client, body: &[u8]) -> alipay_openapi::Notification {
    client.verify_notification(NotifyParams::from_form(body, Charset::Utf8).unwrap(), NotifyVersion::V1).unwrap()
}

fn pay(harness: &Harness, trade_no: &str) -> Page {
    post_form(&browser(), &format!("{}/cashier/pay", origin(&harness.gateway.url())), &format!("trade_no={trade_no}"))
}

#[test]
fn a_page_pay_link_is_paid_redirected_and_notified_until_the_merchant_says_success() {
    let (harness, db) = gateway("page-pay");
    let merchant = Merchant::start(&["fail", "FAIL", "success"]);
    let client = harness.client();
    let request = pay_request(PAGE_PAY, "ORDER_PAGE_1", "88.88", "测试商品 <b>&\"'", &merchant.url);
    let link = pay_link(&signed(&client, &request, harness.now()), Charset::Utf8);

    let cashier = open(&browser(), &link);
    assert_eq!(cashier.http.status, 200, "{}", cashier.text());
    let html = cashier.text();
    assert!(html.contains("Local test gateway — not Alipay"), "{html}");
    assert!(html.contains("测试商品 &lt;b&gt;&amp;&quot;&#39;") && !html.contains("<b>"), "{html}");
    assert!(html.contains("88.88") && html.contains("action=\"/cashier/pay\""), "{html}");
    let trade_no = cashier.trade_no();
    // Opening the same link again shows the same trade.
    assert_eq!(open(&browser(), &link).trade_no(), trade_no);
    assert_eq!(status_of(&harness, "ORDER_PAGE_1"), "WAIT_BUYER_PAY");
    assert!(merchant.received().is_empty());

    let paid = pay(&harness, &trade_no);
    assert_eq!(paid.http.status, 302, "{}", paid.text());
    let location = paid.location.unwrap();
    let query = location.strip_prefix("http://127.0.0.1:9/return?").unwrap_or_else(|| panic!("{location}"));
    let returned = verify_notification(&client, query.as_bytes());
    assert_eq!(returned.get("method"), Some("alipay.trade.page.pay.return"));
    assert_eq!(returned.get("out_trade_no"), Some("ORDER_PAGE_1"));
    assert_eq!(returned.get("trade_no"), Some(trade_no.as_str()));
    assert_eq!(returned.get("total_amount"), Some("88.88"));
    for field in ["app_id", "auth_app_id", "seller_id", "sign_type", "charset", "timestamp", "version"] {
        assert!(returned.get(field).is_some_and(|v| !v.is_empty()), "{field} in {location}");
    }

    // Two answers other than `success`, then `success`: three deliveries and no fourth.
    let received = merchant.wait_for(3);
    std::thread::sleep(Duration::from_millis(400));
    let received_after = merchant.received();
    assert_eq!(received_after.len(), 3, "{received:?}");
    let first = verify_notification(&client, &received_after[0].body);
    assert!(received_after[0].content_type.starts_with("application/x-www-form-urlencoded"));
    assert_eq!(first.get("notify_type"), Some("trade_status_sync"));
    assert_eq!(first.get("trade_status"), Some("TRADE_SUCCESS"));
    assert_eq!(first.get("total_amount"), Some("88.88"));
    assert_eq!(first.get("out_trade_no"), Some("ORDER_PAGE_1"));
    assert_eq!(first.get("trade_no"), Some(trade_no.as_str()));
    assert_eq!(first.get("subject"), Some("测试商品 <b>&\"'"));
    // The merchant holds both against its order (in fen), seller included.
    let order = |fen| ExpectedOrder {
        out_trade_no: "ORDER_PAGE_1".to_owned(),
        total_amount_fen: fen,
        seller_id: Some(harness.config.partner_id.clone()),
    };
    first.check_order(&order(8888)).unwrap();
    returned.check_order(&order(8888)).unwrap();
    assert_eq!(first.check_order(&order(8887)).unwrap_err().code(), "order_mismatch");
    for field in ["notify_id", "notify_time", "gmt_payment", "buyer_id", "seller_id", "app_id"] {
        assert!(first.get(field).is_some_and(|v| !v.is_empty()), "{field}");
    }
    // Re-deliveries are the same notification.
    let notify_id = first.get("notify_id").unwrap().to_owned();
    for again in &received_after[1..] {
        assert_eq!(verify_notification(&client, &again.body).get("notify_id"), Some(notify_id.as_str()));
    }
    let recorded = attempts(&db, &notify_id);
    assert_eq!(recorded.iter().map(|a| a.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(recorded[0].2.contains("fail") && recorded[1].2.contains("FAIL"), "{recorded:?}");
    assert_eq!((recorded[2].1, recorded[2].2.as_str()), (Some(200), "success"));
    // Each re-delivery waited out its 50 ms.
    assert!(recorded.windows(2).all(|pair| pair[1].3 - pair[0].3 >= 50), "{recorded:?}");

    assert_eq!(status_of(&harness, "ORDER_PAGE_1"), "TRADE_SUCCESS");
    let query = trade_call(&harness, "alipay.trade.query", json!({"trade_no": trade_no})).unwrap();
    assert_eq!(text(&query, "buyer_pay_amount"), "88.88");
    // Paying again redirects again but notifies no more; the link now names a paid trade.
    assert_eq!(pay(&harness, &trade_no).http.status, 302);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(merchant.received().len(), 3);
    assert!(open(&browser(), &link).text().contains("ACQ.TRADE_HAS_SUCCESS"));
    let refused = gateway_error(trade_call(&harness, "alipay.trade.close", json!({"out_trade_no": "ORDER_PAGE_1"})));
    assert_eq!(refused.sub_code.as_deref(), Some("ACQ.TRADE_STATUS_ERROR"));
}

#[test]
fn a_merchant_that_never_says_success_gets_every_scheduled_delivery_and_no_more() {
    let (harness, db) = gateway("never-success");
    let merchant = Merchant::start(&["ok"]);
    let request = pay_request(WAP_PAY, "ORDER_NEVER", "0.01", "x", &merchant.url);
    let cashier = harness.post(&signed(&harness.client(), &request, harness.now()), "");
    assert_eq!(cashier.status, 200);
    let trade_no = Page { http: cashier, location: None }.trade_no();
    assert_eq!(pay(&harness, &trade_no).http.status, 302);
    merchant.wait_for(4);
    std::thread::sleep(Duration::from_millis(400));
    let received = merchant.received();
    assert_eq!(received.len(), 4);
    let notify_id = verify_notification(&harness.client(), &received[0].body).get("notify_id").unwrap().to_owned();
    let recorded = attempts(&db, &notify_id);
    assert_eq!(recorded.len(), 4);
    assert!(
        recorded.iter().all(|(_, status, outcome, _)| *status == Some(200) && outcome.ends_with(": ok")),
        "{recorded:?}"
    );
}

#[test]
fn a_wap_pay_form_opens_the_cashier_and_returns_with_the_wap_method() {
    let harness = Harness::start();
    let merchant = Merchant::start(&["success"]);
    let request = pay_request(WAP_PAY, "ORDER_WAP_1", "12.30", "WAP", &merchant.url);
    // The POST form: system parameters and sign in the action's query, biz_content as a field.
    let cashier = harness.post(&signed(&harness.client(), &request, harness.now()), "");
    assert_eq!(cashier.status, 200);
    let page = Page { http: cashier, location: None };
    assert!(page.text().contains("WAP pay"), "{}", page.text());
    let paid = pay(&harness, &page.trade_no());
    let location = paid.location.unwrap();
    assert!(location.contains("method=alipay.trade.wap.pay.return"), "{location}");
    assert_eq!(merchant.wait_for(1).len(), 1);
    assert_eq!(status_of(&harness, "ORDER_WAP_1"), "TRADE_SUCCESS");
}

#[test]
fn bad_links_get_an_error_page_and_open_no_trade() {
    let harness = Harness::start();
    let client = harness.client();
    let refused = |page: &Page, sub_code: &str| {
        assert_eq!(page.http.status, 400, "{}", page.text());
        let html = page.text();
        assert!(
            html.contains(&format!("<td id=\"sub_code\">{sub_code}</td>")) && html.contains("not Alipay"),
            "{html}"
        );
    };
    let request = pay_request(PAGE_PAY, "ORDER_BAD_1", "1.00", "s", "http://127.0.0.1:9/notify");
    let link = pay_link(&signed(&client, &request, harness.now()), Charset::Utf8);
    refused(&open(&browser(), &link.replace("ORDER_BAD_1", "ORDER_BAD_2")), "isv.invalid-signature");
    refused(&open(&browser(), &link.replace("app_id=", "app_id=9")), "isv.invalid-app-id");
    assert_eq!(
        gateway_error(trade_call(&harness, "alipay.trade.query", json!({"out_trade_no": "ORDER_BAD_2"})))
            .sub_code
            .as_deref(),
        Some("ACQ.TRADE_NOT_EXIST")
    );

    for (amount, product) in
        [("1.001", "FAST_INSTANT_TRADE_PAY"), ("0", "FAST_INSTANT_TRADE_PAY"), ("1.00", "QUICK_WAP_WAY")]
    {
        let biz =
            json!({"out_trade_no": "ORDER_BAD_3", "total_amount": amount, "subject": "s", "product_code": product});
        let link = pay_link(&signed(&client, &Request::new(PAGE_PAY).biz_json(&biz), harness.now()), Charset::Utf8);
        refused(&open(&browser(), &link), "ACQ.INVALID_PARAMETER");
    }
    let no_subject =
        json!({"out_trade_no": "ORDER_BAD_3", "total_amount": "1.00", "product_code": "FAST_INSTANT_TRADE_PAY"});
    let link = pay_link(&signed(&client, &Request::new(PAGE_PAY).biz_json(&no_subject), harness.now()), Charset::Utf8);
    refused(&open(&browser(), &link), "ACQ.INVALID_PARAMETER");

    // The same out_trade_no for another amount.
    assert_eq!(open(&browser(), &link_for(&harness, "ORDER_BAD_4", "5.00")).http.status, 200);
    refused(&open(&browser(), &link_for(&harness, "ORDER_BAD_4", "5.01")), "ACQ.CONTEXT_INCONSISTENT");
    refused(&pay(&harness, "2099010122001000000000000001"), "ACQ.TRADE_NOT_EXIST");
    refused(
        &post_form(&browser(), &format!("{}/cashier/pay", origin(&harness.gateway.url())), "x=1"),
        "isv.missing-parameter",
    );
}

fn link_for(harness: &Harness, out_trade_no: &str, amount: &str) -> String {
    let request = pay_request(PAGE_PAY, out_trade_no, amount, "s", "http://127.0.0.1:9/notify");
    pay_link(&signed(&harness.client(), &request, harness.now()), Charset::Utf8)
}

#[test]
fn a_waiting_trade_closes_and_a_closed_one_can_be_neither_paid_nor_closed_again() {
    let harness = Harness::start();
    let trade_no = open(&browser(), &link_for(&harness, "ORDER_CLOSE_1", "3.00")).trade_no();
    let closed = trade_call(&harness, "alipay.trade.close", json!({"trade_no": trade_no})).unwrap();
    assert_eq!((text(&closed, "trade_no"), text(&closed, "out_trade_no")), (trade_no.as_str(), "ORDER_CLOSE_1"));
    assert_eq!(status_of(&harness, "ORDER_CLOSE_1"), "TRADE_CLOSED");
    let again = gateway_error(trade_call(&harness, "alipay.trade.close", json!({"out_trade_no": "ORDER_CLOSE_1"})));
    assert_eq!(again.sub_code.as_deref(), Some("ACQ.TRADE_STATUS_ERROR"));
    assert!(pay(&harness, &trade_no).text().contains("ACQ.TRADE_HAS_CLOSE"));
    let unknown = gateway_error(trade_call(&harness, "alipay.trade.close", json!({"out_trade_no": "NO_SUCH_ORDER"})));
    assert_eq!(unknown.sub_code.as_deref(), Some("ACQ.TRADE_NOT_EXIST"));
    let neither = gateway_error(trade_call(&harness, "alipay.trade.query", json!({})));
    assert_eq!(neither.sub_code.as_deref(), Some("ACQ.INVALID_PARAMETER"));
}

#[test]
fn an_app_pay_order_string_is_checked_paid_and_notified() {
    let harness = Harness::start();
    let merchant = Merchant::start(&["success"]);
    let client = harness.client();
    let request = pay_request("alipay.trade.app.pay", "ORDER_APP_1", "0.01", "App", &merchant.url);
    let order = order_string(&signed(&client, &request, harness.now()), Charset::Utf8);
    let url = format!("{}{APP_PAY_PATH}", origin(&harness.gateway.url()));

    let tampered = post_form(&browser(), &url, &order.replace("0.01", "0.02"));
    assert_eq!(tampered.http.status, 400);
    let refusal: serde_json::Value = serde_json::from_slice(&tampered.http.body).unwrap();
    assert_eq!(refusal["sub_code"], "isv.invalid-signature");
    // An app-pay order string is not a gateway.do call.
    let on_gateway = harness.post(&signed(&client, &request, harness.now()), "");
    assert!(String::from_utf8_lossy(&on_gateway.body).contains("isv.invalid-method"));

    let paid = post_form(&browser(), &url, &order);
    assert_eq!(paid.http.status, 200, "{}", paid.text());
    let answer: serde_json::Value = serde_json::from_slice(&paid.http.body).unwrap();
    assert_eq!(
        (answer["trade_status"].as_str(), answer["total_amount"].as_str()),
        (Some("TRADE_SUCCESS"), Some("0.01"))
    );
    let trade_no = answer["trade_no"].as_str().unwrap();
    let received = merchant.wait_for(1);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(merchant.received().len(), 1);
    let notification = verify_notification(&client, &received[0].body);
    assert_eq!(notification.get("trade_no"), Some(trade_no));
    assert_eq!(notification.get("total_amount"), Some("0.01"));
    assert_eq!(status_of(&harness, "ORDER_APP_1"), "TRADE_SUCCESS");
    // The same order string again: the trade is paid already.
    let again: serde_json::Value = serde_json::from_slice(&post_form(&browser(), &url, &order).http.body).unwrap();
    assert_eq!(again["sub_code"], "ACQ.TRADE_HAS_SUCCESS");
}

#[test]
fn a_gbk_link_is_returned_and_notified_in_gbk() {
    let harness = Harness::start();
    let merchant = Merchant::start(&["success"]);
    let mut config = harness.client_config();
    config.charset = Charset::Gbk;
    let client = harness.client_with(config);
    let request = pay_request(PAGE_PAY, "ORDER_GBK_1", "1.50", "中文商品", &merchant.url);
    let cashier = open(&browser(), &pay_link(&signed(&client, &request, harness.now()), Charset::Gbk));
    assert!(cashier.text().contains("中文商品"), "{}", cashier.text());
    let location = pay(&harness, &cashier.trade_no()).location.unwrap();
    let query = location.split_once('?').unwrap().1;
    assert!(query.contains("charset=GBK"), "{query}");
    let returned = client
        .verify_notification(NotifyParams::from_form(query.as_bytes(), Charset::Utf8).unwrap(), NotifyVersion::V1);
    assert_eq!(returned.unwrap().get("total_amount"), Some("1.50"));
    let received = merchant.wait_for(1);
    assert!(received[0].content_type.ends_with("charset=GBK"), "{}", received[0].content_type);
    let notification = verify_notification(&client, &received[0].body);
    assert_eq!(notification.get("subject"), Some("中文商品"));
}
