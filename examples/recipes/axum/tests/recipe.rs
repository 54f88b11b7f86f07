//! The axum recipe against the local gateway, as the Node and Python recipes are tested: vouchers
//! sent and redeemed through it, an order paid with its app-pay order string, the notification
//! verified, delivered again and counted once, forged notifications answered `failure`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: fails loudly

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay_local_gateway::{GatewayConfig, APP_PAY_PATH, TEMPLATE_EXTERNAL_CODES, TEST_USER_ID};
use alipay_openapi::ClientOptions;
use alipay_recipe_axum::{router, Shop};
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use serde_json::{json, Value};

const APP_KEY: &str = include_str!("../../../../tests/vectors/keys/app_2048.private.pkcs1.pem");
const ALIPAY_KEY: &str = include_str!("../../../../tests/vectors/keys/alipay_2048.public.spki.pem");
// Percent signs and a plus: a server that decodes the form twice verifies another subject and fails.
const SUBJECT: &str = "Tea 100%+ 茶 a%20b";

type Deliveries = Arc<Mutex<Vec<(String, String)>>>;

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// notify_url's relay: passes each notification on and records it with the recipe's answer, but
/// tells the gateway `failure` the first time so that it delivers the same notification again.
async fn relay(target: Arc<Mutex<String>>, deliveries: Deliveries) -> String {
    let forward = move |State(deliveries): State<Deliveries>, body: Bytes| {
        let target = target.lock().unwrap().clone();
        async move {
            let answer = reqwest::Client::new()
                .post(format!("{target}/alipay/notify"))
                .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
                .body(body.clone())
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let mut deliveries = deliveries.lock().unwrap();
            deliveries.push((String::from_utf8(body.to_vec()).unwrap(), answer.clone()));
            if deliveries.len() == 1 {
                "failure".to_owned()
            } else {
                answer
            }
        }
    };
    serve(axum::Router::new().route("/alipay/notify", post(forward)).with_state(deliveries)).await
}

async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let reply = request.send().await.unwrap();
    (reply.status().as_u16(), reply.json().await.unwrap())
}

async fn notify(http: &reqwest::Client, recipe: &str, body: String) -> String {
    let post = http.post(format!("{recipe}/alipay/notify")).header("content-type", "application/x-www-form-urlencoded");
    post.body(body).send().await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vouchers_and_an_app_pay_order_notified_once_and_forgeries_refused() {
    let config = GatewayConfig { notify_retry: vec![Duration::from_millis(50); 2], ..GatewayConfig::default() };
    let gateway = alipay_local_gateway::spawn(config).unwrap();
    let client = ClientOptions::from_value(&json!({
        "app_id": "2021000000000001", "private_key": APP_KEY, "alipay_public_key": ALIPAY_KEY, "gateway": gateway.url(),
    }))
    .unwrap()
    .build()
    .unwrap();
    let target = Arc::new(Mutex::new(String::new()));
    let deliveries = Deliveries::default();
    let relay_url = relay(target.clone(), deliveries.clone()).await;
    let recipe = serve(router(Arc::new(Shop::new(client, relay_url)))).await;
    *target.lock().unwrap() = recipe.clone();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| http.post(format!("{recipe}{path}")).json(&body);

    let send = json!({ "template_id": TEMPLATE_EXTERNAL_CODES, "user_id": TEST_USER_ID, "out_biz_no": "send1" });
    let (status, sent) = call(post("/vouchers", send.clone())).await;
    assert_eq!(status, 201, "{sent}");
    let voucher_id = sent["voucher_id"].as_str().unwrap().to_owned();
    assert_eq!(voucher_id.len(), 28);
    assert_eq!(call(post("/vouchers", send)).await, (201, sent), "the same out_biz_no is the same voucher");

    // A fresh gateway gives the template's first code to the first voucher.
    let redeem = |out_biz_no: &str| {
        post(&format!("/vouchers/{voucher_id}/redeem"), json!({ "code": "EXTCODE00001", "out_biz_no": out_biz_no }))
    };
    assert_eq!(call(redeem("use1")).await, (200, json!({ "voucher_id": voucher_id, "redeemed": true })));
    let (status, twice) = call(redeem("use2")).await;
    assert_eq!((status, twice["code"].as_str()), (422, Some("REQUEST_PARAM_ILLEGAL")), "a code is redeemed once");

    let (status, order) = call(post("/orders", json!({ "total_amount_fen": 8888, "subject": SUBJECT }))).await;
    assert_eq!(status, 201, "{order}");
    assert!(order["page_link"].as_str().unwrap().starts_with(&format!("{}?", gateway.url())));
    let order_string = order["order_string"].as_str().unwrap().to_owned();
    assert!(order_string.split('&').any(|pair| pair == "method=alipay.trade.app.pay"));
    assert_eq!(order["status"], "pending");

    let app_pay = format!("http://{}{APP_PAY_PATH}", gateway.addr());
    let (status, trade) = call(http.post(app_pay).body(order_string)).await;
    assert_eq!(
        (status, &trade["trade_status"], &trade["total_amount"]),
        (200, &json!("TRADE_SUCCESS"), &json!("88.88")),
        "{trade}"
    );

    let order_url = format!("{recipe}/orders/{}", order["out_trade_no"].as_str().unwrap());
    let mut settled = Value::Null;
    for _ in 0..200 {
        settled = call(http.get(&order_url)).await.1;
        // The recipe counts a notification before the relay records its answer: wait for both.
        if settled["notifications"] == 2 && deliveries.lock().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answers: Vec<String> = deliveries.lock().unwrap().iter().map(|(_, answer)| answer.clone()).collect();
    assert_eq!(answers, ["success", "success"], "verified, then verified again on re-delivery");
    assert_eq!(
        (&settled["status"], &settled["paid_count"], &settled["trade_no"]),
        (&json!("paid"), &json!(1), &trade["trade_no"])
    );

    let genuine = deliveries.lock().unwrap()[0].0.clone();
    assert_eq!(notify(&http, &recipe, genuine.clone()).await, "success", "a re-delivery is answered success");
    assert_eq!(notify(&http, &recipe, genuine.replace("total_amount=88.88", "total_amount=0.01")).await, "failure");
    assert_eq!(notify(&http, &recipe, genuine.replacen("&sign=", "&sign=A", 1)).await, "failure");
    assert_eq!(notify(&http, &recipe, "not a notification".into()).await, "failure");
    let (_, other) = call(post("/orders", json!({ "total_amount_fen": 100, "subject": "other" }))).await;
    let for_other = genuine
        .replace(order["out_trade_no"].as_str().unwrap(), other["out_trade_no"].as_str().unwrap())
        .replace("total_amount=88.88", "total_amount=1.00");
    assert_eq!(notify(&http, &recipe, for_other).await, "failure");

    let mut expected = settled.clone();
    expected["notifications"] = json!(3);
    assert_eq!(call(http.get(&order_url)).await, (200, expected), "paid once, whatever arrives");
    let other_url = format!("{recipe}/orders/{}", other["out_trade_no"].as_str().unwrap());
    let mut unchanged = other.clone();
    if let Some(fields) = unchanged.as_object_mut() {
        fields.remove("page_link");
        fields.remove("order_string");
    }
    assert_eq!(call(http.get(&other_url)).await, (200, unchanged), "a forgery changes nothing");

    let forged_return = format!("{recipe}/alipay/return?out_trade_no=x&total_amount=88.88&sign=AAAA&sign_type=RSA2");
    let reply = http.get(forged_return).send().await.unwrap();
    assert_eq!(reply.status().as_u16(), 400);
    assert!(reply.text().await.unwrap().contains("not verified"));
    gateway.shutdown().unwrap();
}
