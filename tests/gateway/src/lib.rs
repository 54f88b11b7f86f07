//! # alipay-local-gateway
//!
//! **A test and development tool, not Alipay.** A local HTTP server that speaks the Alipay
//! OpenAPI v2 gateway protocol the way `docs/PROTOCOL.md` describes the real one, so that tests in any
//! language, and the demo, can run the whole voucher flow without a network or a sandbox account.
//! It signs with a test key of its own; nothing it answers means anything outside a test.
//!
//! What it does, per `POST` (or `GET`) to `/gateway.do`:
//! - merges the parameters of the URL query and the form body, decoded in the charset the
//!   `charset` parameter names (UTF-8 or GBK);
//! - checks them in the gateway's order and answers with the gateway's errors: `40001`
//!   `isv.missing-*`, `40002` `isv.invalid-charset` / `-method` / `-format` / `-signature-type` /
//!   `-timestamp` / `-signature` (the `sub_msg` echoes the sign content it computed), and an
//!   **unsigned** `isv.missing-app-id` / `isv.invalid-app-id` for an app it does not know;
//! - verifies the signature with the app's public key over the sorted `k=v&…` content;
//! - serves `alipay.marketing.voucher.send`, `.query`, `.stock.use` and
//!   `koubei.trade.ticket.ticketcode.sync` with state in SQLite (idempotent on the keys the API
//!   pages name, safe under concurrent duplicates);
//! - signs every answer with its own key, in the request's charset and sign type, laid out as
//!   `{"<method>_response":{…},"sign":"…"}` (`/` written `\/`, as the real gateway does);
//! - in certificate mode ([`Certificates`]), checks `app_cert_sn` and `alipay_root_cert_sn`, names
//!   the signing certificate in `alipay_cert_sn`, serves `alipay.open.app.alipaycert.download`, and
//!   rotates its certificate on request;
//! - with an AES key, decrypts `encrypt_type=AES` requests and encrypts their successful answers;
//! - injects faults on request ([`Fault`], header [`FAULT_HEADER`]);
//! - is a local cashier: `alipay.trade.page.pay` and `alipay.trade.wap.pay` links and forms open
//!   a trade and an HTML page with a pay button (`/cashier/pay`), which redirects to `return_url`
//!   with signed parameters and delivers a signed `trade_status_sync` notification to
//!   `notify_url`, re-sent until the merchant answers `success`; `alipay.trade.app.pay` order
//!   strings are paid at [`APP_PAY_PATH`]; `alipay.trade.query` and `alipay.trade.close` follow
//!   the trades, over v2 and over OpenAPI v3 (`POST /v3/alipay/trade/query`, `/close`);
//! - stores `alipay.offline.material.image.upload` images (multipart) and serves them at
//!   [`IMAGE_PATH`].
//!
//! ```no_run
//! let gateway = alipay_local_gateway::spawn(alipay_local_gateway::GatewayConfig::default())?;
//! println!("POST your signed requests to {}", gateway.url());
//! gateway.shutdown()?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! From other languages, start the binary and read the URL from its first line of output:
//! `alipay-local-gateway --port 0` prints `listening on http://127.0.0.1:PORT/gateway.do`, then a
//! line of JSON with what a client needs ([`ClientSettings`]). The options ([`GatewayArgs`]) are
//! shared with the CLI's `alipay gateway`.

mod args;
mod business;
mod config;
mod fault;
mod gateway;
mod notify_delivery;
mod store;
mod trade;
mod upload;
mod wire;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::oneshot;

pub use args::{CertificateSettings, ClientSettings, GatewayArgs, SettingError};
pub use config::{
    Certificates, Clock, Database, Fixtures, GatewayConfig, Template, Ticket, User, TEMPLATE_EXPIRED,
    TEMPLATE_EXTERNAL_CODES, TEMPLATE_RED_PACKET, TEMPLATE_VOUCHER, TEST_AES_KEY, TEST_ALIPAY_CERT, TEST_APP_CERT,
    TEST_APP_ID, TEST_APP_PRIVATE_KEY, TEST_APP_PUBLIC_KEY, TEST_GATEWAY_PRIVATE_KEY, TEST_GATEWAY_PUBLIC_KEY,
    TEST_NEXT_ALIPAY_CERT, TEST_NEXT_GATEWAY_PRIVATE_KEY, TEST_ROOT_CERT, TEST_USER_ID,
};
pub use fault::{Fault, FAULT_HEADER};
use gateway::{Answer, Gateway, Paid, PAY_PATH};

/// Where `alipay.trade.app.pay` order strings are paid (the body is the order string).
pub const APP_PAY_PATH: &str = "/test/app-pay";
/// Where uploaded images are served: `GET /test/images/{image_id}`.
pub const IMAGE_PATH: &str = "/test/images";

/// The gateway as an axum [`Router`]: `/gateway.do` (v2, and the cashier for page and WAP pay),
/// `/cashier/pay`, [`APP_PAY_PATH`], and the v3 paths `/v3/alipay/trade/query` and
/// `/v3/alipay/trade/close`. Opens the database and parses the keys now, so configuration
/// errors surface here.
pub fn router(config: &GatewayConfig) -> io::Result<Router> {
    let gateway = Arc::new(Gateway::new(config)?);
    let mut router = Router::new()
        .route("/gateway.do", get(handle).post(handle))
        .route(PAY_PATH, post(pay))
        .route(APP_PAY_PATH, post(app_pay))
        .route(&format!("{IMAGE_PATH}/{{image_id}}"), get(image));
    for path in gateway::v3::PATHS {
        router = router.route(path, post(gateway::v3::handle));
    }
    // An image may be 5 MB; the form around it adds a little.
    Ok(router.layer(DefaultBodyLimit::max(upload::MAX_IMAGE_BYTES + 64 * 1024)).with_state(gateway))
}

/// Serves the gateway on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: &GatewayConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = router(config)?;
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Starts the gateway on its own Tokio runtime in a background thread and returns once it is
/// listening.
pub fn spawn(config: GatewayConfig) -> io::Result<RunningGateway> {
    let listener = std::net::TcpListener::bind(config.bind)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let app = router(&config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new().name("alipay-local-gateway".to_owned()).spawn(move || {
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender also means "stop".
                    let _ = stopped.await;
                })
                .await
        })
    })?;
    Ok(RunningGateway { addr, stop: Some(stop), thread: Some(thread) })
}

/// A gateway started by [`spawn`]; stops on [`shutdown`](Self::shutdown) or when dropped.
#[derive(Debug)]
pub struct RunningGateway {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl RunningGateway {
    /// The gateway URL, `http://127.0.0.1:PORT/gateway.do`.
    pub fn url(&self) -> String {
        format!("http://{}/gateway.do", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, finishes the requests in flight, and waits for the server thread.
    pub fn shutdown(mut self) -> io::Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the gateway thread panicked")),
        }
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}

/// The configured faults and the request's, after waiting out any `delay`; a bad fault header
/// is an HTTP 400 naming it.
async fn faults(gateway: &Gateway, headers: &HeaderMap) -> Result<Vec<Fault>, Response> {
    let requested = match headers.get(FAULT_HEADER).map(|v| v.to_str().map(Fault::parse_list)) {
        None => Vec::new(),
        Some(Ok(Ok(faults))) => faults,
        Some(Ok(Err(why))) => return Err((StatusCode::BAD_REQUEST, why).into_response()),
        Some(Err(_)) => return Err((StatusCode::BAD_REQUEST, format!("{FAULT_HEADER} is not ASCII")).into_response()),
    };
    let faults = gateway.faults_with(requested);
    for fault in &faults {
        if let Fault::Delay(delay) = fault {
            tokio::time::sleep(*delay).await;
        }
    }
    Ok(faults)
}

fn into_response(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, [(header::CONTENT_TYPE, answer.content_type)], answer.body).into_response();
    if let Some(location) = answer.location.and_then(|l| header::HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn failed() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "the gateway failed to answer").into_response()
}

async fn handle(
    State(gateway): State<Arc<Gateway>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let faults = match faults(&gateway, &headers).await {
        Ok(faults) => faults,
        Err(refused) => return refused,
    };
    let query = uri.query().unwrap_or_default().as_bytes().to_vec();
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .map(str::to_owned);
    // Signature checks, SQLite and RSA signing are blocking work.
    let answer = tokio::task::spawn_blocking(move || {
        let boundary = content_type.as_deref().and_then(wire::multipart_boundary);
        let mut params = match (method == Method::POST, content_type.as_deref(), boundary) {
            (true, _, Some(boundary)) => {
                wire::read_multipart(&query, boundary, &body).unwrap_or_else(|| wire::read_params(&query, b""))
            }
            (true, None, _) => wire::read_params(&query, &body),
            (true, Some(kind), _) if kind.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") => {
                wire::read_params(&query, &body)
            }
            _ => wire::read_params(&query, b""),
        };
        params.host = host;
        gateway.process(&params, &faults)
    })
    .await;
    answer.map_or_else(|_| failed(), into_response)
}

/// An image `alipay.offline.material.image.upload` stored.
async fn image(State(gateway): State<Arc<Gateway>>, Path(image_id): Path<String>) -> Response {
    let found = tokio::task::spawn_blocking(move || gateway.image(&image_id)).await;
    match found {
        Ok(Some((content_type, content))) => ([(header::CONTENT_TYPE, content_type)], content).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such image at this local test gateway").into_response(),
        Err(_) => failed(),
    }
}

/// The cashier's pay button.
async fn pay(State(gateway): State<Arc<Gateway>>, body: Bytes) -> Response {
    let worker = Arc::clone(&gateway);
    let paid = tokio::task::spawn_blocking(move || worker.pay(&body)).await;
    paid.map_or_else(|_| failed(), |paid| deliver(&gateway, paid))
}

/// [`APP_PAY_PATH`].
async fn app_pay(State(gateway): State<Arc<Gateway>>, body: Bytes) -> Response {
    let worker = Arc::clone(&gateway);
    let paid = tokio::task::spawn_blocking(move || worker.app_pay(&body)).await;
    paid.map_or_else(|_| failed(), |paid| deliver(&gateway, paid))
}

/// Starts the notification of a payment, then answers.
fn deliver(gateway: &Gateway, paid: Paid) -> Response {
    if let Some(delivery) = paid.delivery {
        notify_delivery::spawn(gateway.store(), gateway.notify_schedule(), delivery);
    }
    into_response(paid.answer)
}
