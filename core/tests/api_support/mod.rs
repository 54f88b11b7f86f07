//! Shared setup of the `api_*` tests: a client with the test keys, and a stand-in gateway that lays
//! out and signs an answer node the way the gateway does (with the test Alipay private key).
#![cfg(test)]
#![allow(dead_code)] // each test crate uses a different part

use alipay_openapi::api::{errors, Source};
use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    response_node_key, sign_response_body, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, Error, PrivateKey,
    Result, SignType, Timestamp, VerifiedResponse,
};

const APP_KEY: &str = include_str!("../../../tests/vectors/keys/app_2048.private.pkcs1.pem");
const ALIPAY_PUBLIC_KEY: &str = include_str!("../../../tests/vectors/keys/alipay_2048.public.spki.pem");
const ALIPAY_PRIVATE_KEY: &str = include_str!("../../../tests/vectors/keys/alipay_2048.private.pkcs8.pem");

pub fn client_with(charset: Charset) -> Client {
    let mut config = Config::new("2021000000000001");
    config.charset = charset;
    Client::new(config, AppPrivateKey::parse(APP_KEY).unwrap(), AlipayPublicKey::parse(ALIPAY_PUBLIC_KEY).unwrap())
}

pub fn client() -> Client {
    client_with(Charset::Utf8)
}

pub fn now() -> Timestamp {
    Timestamp::from_unix_secs(1_715_593_760)
}

/// The body the gateway would send for `node_json` (verbatim), signed, then verified by `client`.
pub fn answer_with(client: &Client, method: &str, node_json: &str) -> Result<VerifiedResponse> {
    let gateway = PrivateKey::<Alipay>::parse(ALIPAY_PRIVATE_KEY).unwrap();
    let charset = client.config().charset;
    let body = sign_response_body(&response_node_key(method), node_json, None, charset, SignType::Rsa2, &gateway)?;
    client.verify_response(method, &body)
}

pub fn answer(method: &str, node_json: &str) -> VerifiedResponse {
    answer_with(&client(), method, node_json).unwrap()
}

/// A text of `n` characters.
pub fn text(n: usize) -> String {
    "a".repeat(n)
}

/// Asserts an `invalid_field` error naming `field`, and returns its rule.
pub fn field_error<T: std::fmt::Debug>(result: Result<T>, field: &str) -> String {
    match result {
        Err(Error::InvalidField { field: f, rule }) if f == field => rule,
        other => panic!("expected invalid `{field}`, got {other:?}"),
    }
}

/// Asserts a gateway error and returns it.
pub fn gateway_error<T: std::fmt::Debug>(result: Result<T>) -> alipay_openapi::GatewayError {
    match result {
        Err(Error::Gateway(e)) => e,
        other => panic!("expected a gateway error, got {other:?}"),
    }
}

/// One business code of an API page: (sub_code, 错误描述, 解决方案, whether a retry is safe).
pub type BusinessCode = (&'static str, &'static str, &'static str, bool);

/// Asserts that the catalog holds exactly the page's business codes for `method`, each with the
/// page's description and action and its retry flag.
pub fn assert_business_codes(method: &str, expected: &[BusinessCode]) {
    assert_eq!(errors::business_codes(method).len(), expected.len());
    for &(code, description, action, retryable) in expected {
        let info = errors::describe(method, "40004", Some(code));
        assert_eq!(info.source, Source::Business, "{code}");
        assert_eq!(
            (info.entry.description_zh, info.entry.action_zh, info.retryable()),
            (description, action, retryable),
            "{code}"
        );
    }
}
