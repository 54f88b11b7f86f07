//! For the cashier tests: pay links and order strings from signed requests, a browser that does
//! not follow redirects, and a merchant server that records notifications.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alipay_openapi::{form_encode, Charset, Client, Request, SignedRequest, Timestamp};
use serde_json::json;

use super::Http;

/// Every signed parameter and `sign`, form-encoded in `charset`: an app-pay order string, and the
/// query of a page-pay link.
pub fn order_string(signed: &SignedRequest, charset: Charset) -> String {
    let params = signed.params().iter().map(|(k, v)| (k.as_str(), v.as_str()));
    form_encode(charset, params.chain([("sign", signed.signature())])).unwrap()
}

/// The page-pay GET link: the gateway URL with every signed parameter in the query.
pub fn pay_link(signed: &SignedRequest, charset: Charset) -> String {
    let gateway = signed.url().split('?').next().unwrap();
    format!("{gateway}?{}", order_string(signed, charset))
}

/// A pay request (`alipay.trade.page.pay`, `.wap.pay` or `.app.pay`) with its product code.
pub fn pay_request(method: &str, out_trade_no: &str, amount: &str, subject: &str, notify_url: &str) -> Request {
    let product_code = match method {
        "alipay.trade.page.pay" => "FAST_INSTANT_TRADE_PAY",
        "alipay.trade.wap.pay" => "QUICK_WAP_WAY",
        _ => "QUICK_MSECURITY_PAY",
    };
    Request::new(method)
        .biz_json(&json!({
            "out_trade_no": out_trade_no,
            "total_amount": amount,
            "subject": subject,
            "product_code": product_code,
        }))
        .notify_url(notify_url)
        .return_url("http://127.0.0.1:9/return")
}

pub fn signed(client: &Client, request: &Request, now: Timestamp) -> SignedRequest {
    client.sign(request, now).unwrap()
}

/// An HTTP client that shows redirects instead of following them, as a test browser.
pub fn browser() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

/// An answer with its `location`.
pub struct Page {
    pub http: Http,
    pub location: Option<String>,
}

impl Page {
    pub fn text(&self) -> String {
        String::from_utf8(self.http.body.clone()).unwrap()
    }

    /// The `trade_no` of a cashier page's pay form.
    pub fn trade_no(&self) -> String {
        let text = self.text();
        let marker = "name=\"trade_no\" value=\"";
        let start = text.find(marker).unwrap_or_else(|| panic!("no pay form in {text}")) + marker.len();
        text[start..].split('"').next().unwrap().to_owned()
    }
}

fn into_page(response: ureq::http::Response<ureq::Body>) -> Page {
    let status = response.status().as_u16();
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (content_type, location) = (header("content-type").unwrap_or_default(), header("location"));
    let body = response.into_body().read_to_vec().unwrap();
    Page { http: Http { status, content_type, body }, location }
}

pub fn open(agent: &ureq::Agent, url: &str) -> Page {
    into_page(agent.get(url).call().unwrap())
}

pub fn post_form(agent: &ureq::Agent, url: &str, form: &str) -> Page {
    into_page(agent.post(url).header("content-type", "application/x-www-form-urlencoded").send(form).unwrap())
}

/// The gateway's origin, from its `gateway.do` URL.
pub fn origin(gateway_url: &str) -> String {
    gateway_url.trim_end_matches("/gateway.do").to_owned()
}

/// One notification as the merchant received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub content_type: String,
    pub body: Vec<u8>,
}

/// A merchant's notify_url: answers the n-th request with the n-th of `answers` (the last one
/// repeats) and keeps what it received.
pub struct Merchant {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
}

impl Merchant {
    pub fn start(answers: &[&'static str]) -> Merchant {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopped, answers) = (Arc::clone(&received), Arc::clone(&stop), answers.to_vec());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let Some(request) = read_request(&stream) else { continue };
                let mut log = log.lock().unwrap();
                let answer = answers.get(log.len()).or(answers.last()).copied().unwrap_or("success");
                log.push(request);
                drop(log);
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Merchant { url, received, stop }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `count` notifications came (at most 20 s), then returns them all.
    pub fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.received().len() < count && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.received()
    }
}

impl Drop for Merchant {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://").trim_end_matches("/notify"));
    }
}

fn read_request(stream: &TcpStream) -> Option<Received> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    let mut content_type = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().ok()?,
                "content-type" => value.trim().clone_into(&mut content_type),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received { content_type, body })
}
