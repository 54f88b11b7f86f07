//! A merchant server in axum that calls the gateway with reqwest: vouchers sent and redeemed,
//! orders with a page-pay link and an app-pay order string, the return page and the notification.
//! `alipay-openapi` does every protocol step; this crate only routes, stores and does HTTP.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use alipay_openapi::api::{Amount, ApiCall, VoucherSend, VoucherStockUse};
use alipay_openapi::{Charset, Client, Error, ExpectedOrder, Notification, NotifyVersion, Request, Timestamp};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const PAID: [&str; 2] = ["TRADE_SUCCESS", "TRADE_FINISHED"];

/// An order as this shop keeps it (in memory).
#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub out_trade_no: String,
    pub total_amount_fen: i64,
    pub subject: String,
    pub status: &'static str,
    pub trade_no: Option<String>,
    pub notifications: u32,
    pub paid_count: u32,
}

/// A new order, with what the buyer pays it with: a link for the browser, an order string for the app.
#[derive(Debug, Serialize)]
pub struct NewOrderAnswer {
    #[serde(flatten)]
    order: Order,
    page_link: String,
    order_string: String,
}

#[derive(Debug)]
pub struct Shop {
    client: Client,
    http: reqwest::Client,
    public_url: String,
    orders: Mutex<HashMap<String, Order>>,
    next_order: AtomicU64,
}

/// What a handler can fail with, and the JSON answer each gets.
#[derive(Debug)]
pub enum ApiError {
    Alipay(Error),
    Unreachable(reqwest::Error),
    Refused(StatusCode, &'static str, String),
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError::Alipay(error)
    }
}

impl From<reqwest::Error> for ApiError {
    fn from(error: reqwest::Error) -> Self {
        ApiError::Unreachable(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            ApiError::Alipay(Error::Gateway(e)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, e.sub_code.unwrap_or(e.code), e.sub_msg.unwrap_or(e.msg))
            }
            ApiError::Alipay(e @ Error::InvalidField { .. }) => {
                (StatusCode::BAD_REQUEST, e.code().into(), e.to_string())
            }
            ApiError::Alipay(e) => {
                (StatusCode::BAD_GATEWAY, e.code().into(), "the gateway's answer is not verified".into())
            }
            ApiError::Unreachable(_) => {
                (StatusCode::BAD_GATEWAY, "upstream_error".into(), "the gateway is unreachable".into())
            }
            ApiError::Refused(status, code, message) => (status, code.into(), message),
        };
        (status, Json(json!({ "code": code, "message": message }))).into_response()
    }
}

fn now() -> Timestamp {
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Timestamp::from_unix_millis(i64::try_from(millis).unwrap_or(i64::MAX))
}

impl Shop {
    /// `public_url` is where Alipay and the browser reach this server (return_url, notify_url).
    pub fn new(client: Client, public_url: String) -> Self {
        Shop {
            client,
            http: reqwest::Client::new(),
            public_url,
            orders: Mutex::default(),
            next_order: AtomicU64::new(now().unix_secs().unsigned_abs() * 1000),
        }
    }

    fn orders(&self) -> MutexGuard<'_, HashMap<String, Order>> {
        self.orders.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Signs a typed call, POSTs it as is and verifies the exact bytes that come back.
    async fn call<A: ApiCall>(&self, call: &A) -> Result<A::Output, ApiError> {
        let request = call.to_request()?;
        let signed = self.client.sign(&request, now())?;
        let mut post = self.http.post(signed.url()).body(signed.body().to_vec());
        for (name, value) in signed.headers() {
            post = post.header(name, value);
        }
        let body = post.send().await?.bytes().await?;
        Ok(A::parse(self.client.verify_response(request.method(), &body)?)?)
    }

    fn order(&self, out_trade_no: &str) -> Result<Order, ApiError> {
        let not_found =
            || ApiError::Refused(StatusCode::NOT_FOUND, "ORDER_NOT_FOUND", format!("no order {out_trade_no}"));
        self.orders().get(out_trade_no).cloned().ok_or_else(not_found)
    }

    /// The order a verified message names, once it holds against it.
    fn checked(&self, message: &Notification) -> Result<Order, ApiError> {
        let order = self.order(message.get("out_trade_no").unwrap_or_default())?;
        let expected = ExpectedOrder {
            out_trade_no: order.out_trade_no.clone(),
            total_amount_fen: order.total_amount_fen,
            seller_id: None,
        };
        message.check_order(&expected)?;
        Ok(order)
    }

    fn create_order(&self, fen: i64, subject: String) -> Result<NewOrderAnswer, ApiError> {
        let amount = Amount::from_fen(fen).ok().filter(|_| fen > 0).ok_or(ApiError::Refused(
            StatusCode::BAD_REQUEST,
            "INVALID_AMOUNT",
            "a positive whole number of fen".into(),
        ))?;
        let out_trade_no = format!("ax{}", self.next_order.fetch_add(1, Ordering::Relaxed));
        let biz = |product_code: &str| json!({ "out_trade_no": out_trade_no, "total_amount": amount.to_string(), "subject": subject, "product_code": product_code });
        let notify_url = format!("{}/alipay/notify", self.public_url);
        let page = Request::new("alipay.trade.page.pay")
            .biz_content(biz("FAST_INSTANT_TRADE_PAY").to_string())
            .return_url(format!("{}/alipay/return", self.public_url))
            .notify_url(notify_url.as_str());
        let app = Request::new("alipay.trade.app.pay")
            .biz_content(biz("QUICK_MSECURITY_PAY").to_string())
            .notify_url(notify_url);
        let (page, app) = (self.client.sign(&page, now())?, self.client.sign(&app, now())?);
        let order = Order {
            out_trade_no: out_trade_no.clone(),
            total_amount_fen: fen,
            subject,
            status: "pending",
            trade_no: None,
            notifications: 0,
            paid_count: 0,
        };
        self.orders().insert(out_trade_no, order.clone());
        Ok(NewOrderAnswer { order, page_link: page.page_link(), order_string: app.order_string() })
    }

    fn verify_notification(&self, body: &[u8]) -> Result<(), ApiError> {
        let form = self.client.notification_form(body, Charset::Utf8)?;
        let message = self.client.verify_notification(form, NotifyVersion::V1)?;
        let out_trade_no = self.checked(&message)?.out_trade_no;
        let mut orders = self.orders();
        if let Some(order) = orders.get_mut(&out_trade_no) {
            order.notifications += 1;
            if order.status != "paid" && PAID.contains(&message.get("trade_status").unwrap_or_default()) {
                order.status = "paid";
                order.trade_no = message.get("trade_no").map(str::to_owned);
                order.paid_count += 1;
            }
        }
        Ok(())
    }

    fn return_status(&self, query: &[u8]) -> Result<&'static str, ApiError> {
        let message = self.client.verify_return(self.client.return_query(query, Charset::Utf8)?, NotifyVersion::V1)?;
        Ok(if self.checked(&message)?.status == "paid" { "paid" } else { "pending" })
    }
}

#[derive(Deserialize)]
struct SendVoucher {
    template_id: String,
    user_id: String,
    out_biz_no: String,
}

#[derive(Deserialize)]
struct Redeem {
    code: String,
    out_biz_no: String,
}

#[derive(Deserialize)]
struct NewOrder {
    total_amount_fen: i64,
    subject: String,
}

type Shared = State<Arc<Shop>>;

async fn send_voucher(State(shop): Shared, Json(body): Json<SendVoucher>) -> Result<impl IntoResponse, ApiError> {
    let send = VoucherSend {
        template_id: body.template_id,
        user_id: Some(body.user_id),
        out_biz_no: body.out_biz_no,
        ..VoucherSend::default()
    };
    let sent = shop.call(&send).await?;
    Ok((StatusCode::CREATED, Json(json!({ "voucher_id": sent.voucher_id }))))
}

async fn redeem_voucher(
    State(shop): Shared,
    Path(id): Path<String>,
    Json(body): Json<Redeem>,
) -> Result<Json<Value>, ApiError> {
    let used = shop.call(&VoucherStockUse { entity_no: body.code, out_biz_no: body.out_biz_no }).await?;
    if used.voucher_id.as_deref() != Some(id.as_str()) {
        return Err(ApiError::Refused(
            StatusCode::CONFLICT,
            "VOUCHER_MISMATCH",
            "the code belongs to another voucher".into(),
        ));
    }
    Ok(Json(json!({ "voucher_id": id, "redeemed": true })))
}

async fn create_order(State(shop): Shared, Json(body): Json<NewOrder>) -> Result<impl IntoResponse, ApiError> {
    Ok((StatusCode::CREATED, Json(shop.create_order(body.total_amount_fen, body.subject)?)))
}

async fn order(State(shop): Shared, Path(id): Path<String>) -> Result<Json<Order>, ApiError> {
    shop.order(&id).map(Json)
}

/// The page the browser comes back to: the query only says what to display, the notification pays.
async fn alipay_return(State(shop): Shared, RawQuery(query): RawQuery) -> (StatusCode, Html<String>) {
    match shop.return_status(query.unwrap_or_default().as_bytes()) {
        Ok(status) => (
            StatusCode::OK,
            Html(format!(r#"<!doctype html><title>Order</title><p>Order: <strong id="status">{status}</strong></p>"#)),
        ),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            Html(r#"<!doctype html><title>Payment</title><p id="status">not verified</p>"#.into()),
        ),
    }
}

/// `Bytes`, not axum's `Form`: the library decodes the body once, in the charset the notification
/// names, and `success` goes back only once it verified and matched the order.
async fn alipay_notify(State(shop): Shared, body: Bytes) -> &'static str {
    match shop.verify_notification(&body) {
        Ok(()) => "success",
        Err(_) => "failure",
    }
}

pub fn router(shop: Arc<Shop>) -> Router {
    Router::new()
        .route("/vouchers", post(send_voucher))
        .route("/vouchers/{id}/redeem", post(redeem_voucher))
        .route("/orders", post(create_order))
        .route("/orders/{id}", get(order))
        .route("/alipay/return", get(alipay_return))
        .route("/alipay/notify", post(alipay_notify))
        .with_state(shop)
}
