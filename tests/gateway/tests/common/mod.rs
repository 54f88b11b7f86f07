//! Shared by the end-to-end tests: a gateway per test, a merchant client, and HTTP through ureq.
#![allow(dead_code)] // each test file uses part of it

pub mod cashier;
pub mod traffic;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_local_gateway::{
    spawn, Certificates, GatewayConfig, RunningGateway, FAULT_HEADER, TEST_AES_KEY, TEST_ALIPAY_CERT, TEST_APP_CERT,
    TEST_APP_PRIVATE_KEY, TEST_GATEWAY_PUBLIC_KEY, TEST_ROOT_CERT,
};
use alipay_openapi::api::{ApiCall, CodeType, TicketCodeSync, VoucherQuery, VoucherSend, VoucherStockUse};
use alipay_openapi::{
    AesKey, AlipayPublicKey, AppPrivateKey, BeijingDateTime, CertificateMode, Client, Config, Error, Gateway, Request,
    SignedRequest, Timestamp, VerifiedResponse,
};

pub struct Http {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

pub struct Harness {
    pub gateway: RunningGateway,
    pub config: GatewayConfig,
    agent: ureq::Agent,
}

/// The `alipay-local-gateway` binary, started by [`start_binary`]; killed (SIGKILL) when dropped.
pub struct Started {
    pub child: Child,
    pub url: String,
    pub settings: serde_json::Value,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free port with `args`, and reads the URL and the settings from its
/// first two lines.
pub fn start_binary(args: &[&str]) -> Started {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alipay-local-gateway"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.strip_prefix("listening on ").unwrap_or_else(|| panic!("{first}")).to_owned();
    let settings = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    Started { child, url, settings }
}

/// The merchant's client configuration for the gateway at `url`.
pub fn client_config_at(url: String) -> Config {
    let mut config = Config::new(alipay_local_gateway::TEST_APP_ID);
    config.gateway = Gateway::Custom(url);
    config
}

/// A client with the test app key that trusts the test gateway key.
pub fn test_client(config: Config) -> Client {
    Client::new(
        config,
        AppPrivateKey::parse(TEST_APP_PRIVATE_KEY).unwrap(),
        AlipayPublicKey::parse(TEST_GATEWAY_PUBLIC_KEY).unwrap(),
    )
}

pub fn system_now() -> Timestamp {
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    Timestamp::from_unix_millis(i64::try_from(millis).unwrap())
}

impl Harness {
    pub fn start() -> Self {
        Self::with_config(GatewayConfig::default())
    }

    /// A gateway in certificate mode with the generated test chain, and optionally an AES key.
    pub fn certificate_mode(aes: bool) -> Self {
        Self::with_config(GatewayConfig {
            certificates: Some(Certificates::default()),
            aes_key: aes.then(|| TEST_AES_KEY.to_owned()),
            ..GatewayConfig::default()
        })
    }

    /// A gateway in public-key mode with the test AES key.
    pub fn aes() -> Self {
        Self::with_config(GatewayConfig { aes_key: Some(TEST_AES_KEY.to_owned()), ..GatewayConfig::default() })
    }

    pub fn with_config(config: GatewayConfig) -> Self {
        let gateway = spawn(config.clone()).unwrap();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        Harness { gateway, config, agent }
    }

    /// The merchant's client configuration, pointed at this gateway.
    pub fn client_config(&self) -> Config {
        client_config_at(self.gateway.url())
    }

    pub fn client(&self) -> Client {
        self.client_with(self.client_config())
    }

    pub fn client_with(&self, config: Config) -> Client {
        test_client(config)
    }

    /// A client in certificate mode with the test chain (app certificate, Alipay certificate, roots).
    pub fn cert_client(&self) -> Client {
        self.client().with_certificate_mode(test_certificate_mode())
    }

    /// "Now" as the gateway sees it (its clock may be manual).
    pub fn now(&self) -> Timestamp {
        self.config.clock.now()
    }

    pub fn post(&self, signed: &SignedRequest, faults: &str) -> Http {
        self.post_raw(signed.url(), signed.headers(), signed.body(), faults)
    }

    pub fn post_raw(&self, url: &str, headers: &[(String, String)], body: &[u8], faults: &str) -> Http {
        let mut request = self.agent.post(url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if !faults.is_empty() {
            request = request.header(FAULT_HEADER, faults);
        }
        let response = request.send(body).unwrap();
        into_http(response)
    }

    pub fn get_raw(&self, url: &str) -> Http {
        into_http(self.agent.get(url).call().unwrap())
    }

    /// Signs at the gateway's "now", posts, verifies; gateway errors stay inside the response.
    pub fn exchange(&self, client: &Client, request: &Request, faults: &str) -> Result<VerifiedResponse, Error> {
        let signed = client.sign(request, self.now())?;
        let http = self.post(&signed, faults);
        assert_eq!(http.status, 200, "{}", String::from_utf8_lossy(&http.body));
        client.verify_response(request.method(), &http.body)
    }

    /// A successful call, or the typed error (gateway errors as `Error::Gateway`).
    pub fn call(&self, request: &Request) -> Result<VerifiedResponse, Error> {
        self.call_with_faults(request, "")
    }

    /// A typed call: validated, signed, sent, verified and parsed by the core's API models.
    pub fn typed<T: ApiCall>(&self, call: &T) -> Result<T::Output, Error> {
        T::parse(self.exchange(&self.client(), &call.to_request()?, "")?)
    }

    pub fn call_with_faults(&self, request: &Request, faults: &str) -> Result<VerifiedResponse, Error> {
        self.exchange(&self.client(), request, faults)?.into_success()
    }

    /// A typed call through `client`.
    pub fn typed_with<T: ApiCall>(&self, client: &Client, call: &T) -> Result<T::Output, Error> {
        T::parse(self.exchange(client, &call.to_request()?, "")?)
    }
}

pub fn test_certificate_mode() -> CertificateMode {
    CertificateMode::from_pem(TEST_APP_CERT, TEST_ALIPAY_CERT, TEST_ROOT_CERT).unwrap()
}

pub fn test_aes_key() -> AesKey {
    AesKey::from_base64(TEST_AES_KEY).unwrap()
}

fn into_http(response: ureq::http::Response<ureq::Body>) -> Http {
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = response.into_body().read_to_vec().unwrap();
    Http { status, content_type, body }
}

/// The gateway error inside `result`, or a panic naming what came instead.
pub fn gateway_error(result: Result<VerifiedResponse, Error>) -> alipay_openapi::GatewayError {
    match result {
        Err(Error::Gateway(e)) => e,
        other => panic!("expected a verified gateway error, got {other:?}"),
    }
}

pub fn text<'a>(response: &'a VerifiedResponse, field: &str) -> &'a str {
    response
        .value()
        .get(field)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("no string `{field}` in {}", response.node_text()))
}

pub fn send_call(template_id: &str, out_biz_no: &str) -> VoucherSend {
    VoucherSend {
        template_id: template_id.into(),
        user_id: Some(alipay_local_gateway::TEST_USER_ID.into()),
        out_biz_no: out_biz_no.into(),
        ..Default::default()
    }
}

pub fn send(template_id: &str, out_biz_no: &str) -> Request {
    send_call(template_id, out_biz_no).to_request().unwrap()
}

pub fn query(voucher_id: &str) -> Request {
    VoucherQuery { voucher_id: voucher_id.into() }.to_request().unwrap()
}

pub fn stock_use(entity_no: &str, out_biz_no: &str) -> Request {
    VoucherStockUse { entity_no: entity_no.into(), out_biz_no: out_biz_no.into() }.to_request().unwrap()
}

pub fn ticket_sync_call(request_id: &str, ticket_code: &str, order_no: &str, quantity: &str) -> TicketCodeSync {
    TicketCodeSync {
        request_id: request_id.into(),
        ticket_code: ticket_code.into(),
        order_no: order_no.into(),
        quantity: quantity.into(),
        code_type: Some(CodeType::ExternalCode),
        gmt_biz: Some(BeijingDateTime::parse("gmt_biz", "2017-09-09 12:12:12").unwrap()),
        sync_shop_id: None,
    }
}

pub fn ticket_sync(request_id: &str, ticket_code: &str, order_no: &str, quantity: &str) -> Request {
    ticket_sync_call(request_id, ticket_code, order_no, quantity).to_request().unwrap()
}

/// A request through the generic path, for `biz_content` the typed models would refuse: the
/// gateway's own checks are under test.
pub fn raw(method: &str, biz_content: serde_json::Value) -> Request {
    alipay_openapi::api::generic_request(method, &biz_content).unwrap()
}
