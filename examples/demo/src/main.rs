//! The whole voucher flow, as a merchant, against the local test gateway over real HTTP.
//!
//! `cargo run -p alipay-demo` starts `alipay-local-gateway` (a test tool that speaks the Alipay
//! OpenAPI v2 protocol; it is not Alipay), then sends a voucher, queries it, redeems its external
//! code, syncs a Koubei ticket code, replays requests to show idempotency, meets a business error,
//! and rides out a transient error by retrying the same request with a fresh timestamp; then it pays
//! an order at the local cashier (app pay) and queries the trade with OpenAPI v3. For every call it
//! prints the method, the sign content, the HTTP exchange in brief and the verified result.
//!
//! The library is sans-IO: this program owns the HTTP client (ureq) and the clock.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_local_gateway::{GatewayConfig, FAULT_HEADER, TEMPLATE_EXPIRED, TEMPLATE_EXTERNAL_CODES, TEST_USER_ID};
use alipay_openapi::api::{ApiCall, CodeType, TicketCodeSync, VoucherQuery, VoucherSend, VoucherStockUse};
use alipay_openapi::{
    AlipayPublicKey, AppPrivateKey, BeijingDateTime, Client, Config, Gateway, Request, Timestamp, V3Request,
};

/// Anything that stops the demo.
#[derive(Debug)]
enum DemoError {
    Api(alipay_openapi::Error),
    Http(ureq::Error),
    Io(io::Error),
    /// The gateway answered something the flow did not expect.
    Unexpected(String),
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoError::Api(e) => write!(f, "{e} [{}]", e.code()),
            DemoError::Http(e) => write!(f, "HTTP: {e}"),
            DemoError::Io(e) => write!(f, "I/O: {e}"),
            DemoError::Unexpected(what) => write!(f, "unexpected: {what}"),
        }
    }
}

impl From<alipay_openapi::Error> for DemoError {
    fn from(e: alipay_openapi::Error) -> Self {
        DemoError::Api(e)
    }
}

impl From<ureq::Error> for DemoError {
    fn from(e: ureq::Error) -> Self {
        DemoError::Http(e)
    }
}

impl From<io::Error> for DemoError {
    fn from(e: io::Error) -> Self {
        DemoError::Io(e)
    }
}

fn expect(condition: bool, what: impl FnOnce() -> String) -> Result<(), DemoError> {
    if condition {
        Ok(())
    } else {
        Err(DemoError::Unexpected(what()))
    }
}

/// An optional field of an answer as text, `?` when the answer left it out.
fn shown(value: Option<&impl fmt::Display>) -> String {
    value.map_or_else(|| "?".to_owned(), ToString::to_string)
}

/// The clock is the host's: the core takes the instant as an argument.
fn now() -> Timestamp {
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Timestamp::from_unix_millis(i64::try_from(millis).unwrap_or(i64::MAX))
}

/// A text member of a JSON answer, `?` when it is missing.
fn text_of<'a>(value: &'a serde_json::Value, name: &str) -> &'a str {
    value.get(name).and_then(serde_json::Value::as_str).unwrap_or("?")
}

/// Shortens long text for display.
fn brief(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}… ({} bytes)", text.get(..cut).unwrap_or(text), text.len()),
        None => text.to_owned(),
    }
}

/// The merchant: a client with the app key and the gateway's public key, an HTTP agent, stdout.
struct Merchant {
    client: Client,
    agent: ureq::Agent,
    out: io::StdoutLock<'static>,
}

impl Merchant {
    /// Signs `request` now, POSTs it (with test-gateway faults, if any), prints the exchange and
    /// returns the verified typed result or the typed error.
    fn call<T: ApiCall>(
        &mut self,
        request: &Request,
        faults: Option<&str>,
    ) -> Result<Result<T::Output, alipay_openapi::Error>, DemoError> {
        let signed = self.client.sign(request, now())?;
        writeln!(self.out, "   method       {}", T::METHOD)?;
        writeln!(self.out, "   sign content {}", signed.sign_content())?;
        let mut http = self.agent.post(signed.url());
        for (name, value) in signed.headers() {
            http = http.header(name, value);
        }
        if let Some(faults) = faults {
            writeln!(self.out, "   (asking the test gateway for `{FAULT_HEADER}: {faults}`)")?;
            http = http.header(FAULT_HEADER, faults);
        }
        let response = http.send(signed.body())?;
        let status = response.status();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let body = response.into_body().read_to_vec()?;
        writeln!(self.out, "   → POST {}", brief(signed.url(), 110))?;
        writeln!(self.out, "     body {}", brief(&String::from_utf8_lossy(signed.body()), 110))?;
        writeln!(
            self.out,
            "   ← {status} {content_type}, {} bytes: {}",
            body.len(),
            brief(&String::from_utf8_lossy(&body), 110)
        )?;
        let verified = match self.client.verify_response(T::METHOD, &body) {
            Ok(verified) => verified,
            Err(e) => return Ok(Err(e)),
        };
        writeln!(self.out, "   verified     {}", verified.node_text())?;
        Ok(T::parse(verified))
    }

    /// Signs a v3 call, sends it, prints the exchange and returns the verified business object.
    fn call_v3(&mut self, request: &V3Request) -> Result<serde_json::Value, DemoError> {
        let signed = self.client.sign_v3(request)?;
        writeln!(self.out, "   sign content {}", signed.sign_content().replace('\n', "⏎"))?;
        let mut http = self.agent.post(signed.url());
        for (name, value) in signed.headers() {
            http = http.header(name, value);
        }
        let response = http.send(signed.body())?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
            .collect();
        let body = response.into_body().read_to_vec()?;
        writeln!(self.out, "   → {} {}", signed.http_method(), signed.url())?;
        writeln!(self.out, "   ← {status}, {} bytes: {}", body.len(), brief(&String::from_utf8_lossy(&body), 110))?;
        let verified = self.client.verify_v3_response(status, &headers, &body)?;
        writeln!(
            self.out,
            "   verified     alipay-signature over the exact body (trace {})",
            shown(verified.trace_id().as_ref())
        )?;
        Ok(verified.value().cloned().unwrap_or_default())
    }

    fn step(&mut self, number: u32, title: &str) -> io::Result<()> {
        writeln!(self.out, "\n{number}. {title}")
    }

    fn note(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "   ⇒ {text}")
    }
}

fn run() -> Result<(), DemoError> {
    let gateway = alipay_local_gateway::spawn(GatewayConfig::default())?;
    let mut config = Config::new(alipay_local_gateway::TEST_APP_ID);
    config.gateway = Gateway::Custom(gateway.url());
    let client = Client::new(
        config,
        AppPrivateKey::parse(alipay_local_gateway::TEST_APP_PRIVATE_KEY)?,
        AlipayPublicKey::parse(alipay_local_gateway::TEST_GATEWAY_PUBLIC_KEY)?,
    );
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent();
    let mut m = Merchant { client, agent, out: io::stdout().lock() };
    writeln!(m.out, "alipay-openapi demo: the voucher flow against the LOCAL TEST GATEWAY (not Alipay)")?;
    writeln!(m.out, "gateway {} (test keys, in-memory state)", gateway.url())?;
    let run_id = now().unix_secs();

    m.step(1, "Send a voucher from a template with external codes")?;
    let send = VoucherSend {
        template_id: TEMPLATE_EXTERNAL_CODES.into(),
        user_id: Some(TEST_USER_ID.into()),
        out_biz_no: format!("demo{run_id}send"),
        memo: Some("演示券 demo voucher".into()),
        ..Default::default()
    }
    .to_request()?;
    let sent = m.call::<VoucherSend>(&send, None)??;
    m.note(&format!("voucher_id {} for user {}", sent.voucher_id, sent.user_id.as_deref().unwrap_or("?")))?;

    m.step(2, "Query it")?;
    let query = VoucherQuery { voucher_id: sent.voucher_id.clone() }.to_request()?;
    let voucher = m.call::<VoucherQuery>(&query, None)??;
    m.note(&format!(
        "{} \"{}\": {} of {} yuan left, valid until {}",
        voucher.status.as_str(),
        shown(voucher.name.as_ref()),
        shown(voucher.available_amount.as_ref()),
        shown(voucher.total_amount.as_ref()),
        shown(voucher.gmt_expired.as_ref())
    ))?;

    m.step(3, "Redeem its external code at the till (the template's first code, EXTCODE00001)")?;
    let redeem =
        VoucherStockUse { entity_no: "EXTCODE00001".into(), out_biz_no: format!("demo{run_id}use") }.to_request()?;
    let used = m.call::<VoucherStockUse>(&redeem, None)??;
    expect(used.voucher_id.as_deref() == Some(sent.voucher_id.as_str()), || format!("redeemed {:?}", used.voucher_id))?;
    m.note(&format!("redeemed voucher {}", sent.voucher_id))?;

    m.step(4, "Query again: the status and the bill details changed")?;
    let voucher = m.call::<VoucherQuery>(&query, None)??;
    let bill =
        voucher.bill_details.first().ok_or_else(|| DemoError::Unexpected("no bill detail after redemption".into()))?;
    m.note(&format!(
        "{}: {} yuan left; bill {} {} yuan, {} at {}",
        voucher.status.as_str(),
        shown(voucher.available_amount.as_ref()),
        bill.trade_no.as_deref().unwrap_or("?"),
        bill.amount,
        shown(bill.biz_type.as_ref()),
        bill.gmt_create
    ))?;

    m.step(5, "Sync a Koubei ticket code")?;
    let sync = TicketCodeSync {
        request_id: format!("demo{run_id}sync"),
        ticket_code: "16569843362".into(),
        quantity: "4".into(),
        order_no: "20180404111040030100130500594477".into(),
        code_type: Some(CodeType::ExternalCode),
        gmt_biz: Some(BeijingDateTime::parse("gmt_biz", &now().to_string())?),
        sync_shop_id: Some("store-001".into()),
    }
    .to_request()?;
    let synced = m.call::<TicketCodeSync>(&sync, None)??;
    expect(!synced.idempotent_replay, || "the first sync was reported as a replay".into())?;
    m.note(&format!("synced for order {}", synced.order_no))?;

    m.step(6, "Replay the send and the sync: idempotent")?;
    let again = m.call::<VoucherSend>(&send, None)??;
    expect(again.voucher_id == sent.voucher_id, || format!("a replayed send issued {}", again.voucher_id))?;
    m.note(&format!("same out_biz_no, same voucher {}: nothing issued twice", again.voucher_id))?;
    let resynced = m.call::<TicketCodeSync>(&sync, None)??;
    expect(resynced.idempotent_replay, || "the replayed sync was not BIZ_ALREADY_SUCCESS".into())?;
    m.note("same request_id: biz_code BIZ_ALREADY_SUCCESS")?;

    m.step(7, "A business error: sending from an expired template")?;
    let expired = VoucherSend {
        template_id: TEMPLATE_EXPIRED.into(),
        user_id: Some(TEST_USER_ID.into()),
        out_biz_no: format!("demo{run_id}expired"),
        ..Default::default()
    }
    .to_request()?;
    match m.call::<VoucherSend>(&expired, None)? {
        Err(alipay_openapi::Error::Gateway(e)) if e.sub_code.as_deref() == Some("TEMPLATE_EXPIRED") => {
            let info = e.describe(VoucherSend::METHOD);
            m.note(&format!("{e}; {} (retry: {})", info.entry.action, if info.retryable() { "yes" } else { "no" }))?;
        }
        other => return Err(DemoError::Unexpected(format!("expected TEMPLATE_EXPIRED, got {other:?}"))),
    }

    m.step(8, "A transient error, retried: the same Request re-signed with a fresh timestamp")?;
    let send2 = VoucherSend {
        template_id: TEMPLATE_EXTERNAL_CODES.into(),
        user_id: Some(TEST_USER_ID.into()),
        out_biz_no: format!("demo{run_id}retry"),
        ..Default::default()
    }
    .to_request()?;
    let mut attempt = 1;
    let retried = loop {
        writeln!(m.out, "   attempt {attempt}")?;
        match m.call::<VoucherSend>(&send2, Some("fail-first=2"))? {
            Ok(result) => break result,
            Err(alipay_openapi::Error::Gateway(e)) if e.retryable(VoucherSend::METHOD) && attempt < 4 => {
                m.note(&format!("{e}: retryable, waiting {} ms", 700 * attempt))?;
                std::thread::sleep(Duration::from_millis(700 * attempt));
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    };
    expect(attempt == 3, || format!("expected success on attempt 3, got it on {attempt}"))?;
    m.note(&format!("voucher {} issued once, on attempt {attempt}, with the same out_biz_no", retried.voucher_id))?;

    m.step(9, "Pay an order at the local cashier (app pay), then query the trade with OpenAPI v3")?;
    let out_trade_no = format!("demo{run_id}trade");
    let order = Request::new("alipay.trade.app.pay").biz_json(&serde_json::json!({
        "out_trade_no": out_trade_no,
        "total_amount": "88.88",
        "subject": "演示订单 demo order",
        "product_code": "QUICK_MSECURITY_PAY",
    }));
    let order_string = m.client.sign(&order, now())?.order_string();
    writeln!(m.out, "   order string {}", brief(&order_string, 110))?;
    let paid = m.agent.post(format!("http://{}/test/app-pay", gateway.addr())).send(order_string.as_bytes())?;
    let paid: serde_json::Value = serde_json::from_slice(&paid.into_body().read_to_vec()?)
        .map_err(|e| DemoError::Unexpected(format!("the app-pay answer is not JSON: {e}")))?;
    m.note(&format!("paid: trade_no {}", text_of(&paid, "trade_no")))?;
    // The host draws the nonce (fresh per attempt) and the request id (kept on a retry).
    let query = V3Request::new("POST", "/v3/alipay/trade/query")
        .body_json(&serde_json::json!({ "out_trade_no": out_trade_no }))
        .request_id(format!("demo{run_id}v3query"))
        .nonce(format!("demo{run_id}nonce1"))
        .timestamp_millis(now().unix_secs().unsigned_abs() * 1000);
    let trade = m.call_v3(&query)?;
    expect(text_of(&trade, "trade_status") == "TRADE_SUCCESS", || format!("the v3 query answered {trade}"))?;
    m.note(&format!(
        "v3: {} {} yuan, the same trade as the v2 cashier paid",
        text_of(&trade, "trade_status"),
        text_of(&trade, "total_amount")
    ))?;

    writeln!(m.out, "\nDone: every answer above was verified against the gateway's public key.")?;
    drop(m);
    gateway.shutdown()?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "alipay-demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}
