//! OpenAPI v3 (docs/PROTOCOL.md §10): RESTful calls such as `POST /v3/alipay/trade/query`, signed
//! over the whole HTTP message and answered with the business object itself.
//!
//! The verbs are v2's, with a `_v3` suffix on the [`Client`]:
//!
//! | v2 | v3 |
//! |---|---|
//! | [`Request`](crate::Request) | [`V3Request`] |
//! | [`Client::prepare`] → [`UnsignedRequest`](crate::UnsignedRequest) | [`Client::prepare_v3`] → [`UnsignedV3Request`] |
//! | [`UnsignedRequest::attach_signature`](crate::UnsignedRequest::attach_signature) → [`SignedRequest`](crate::SignedRequest) | [`UnsignedV3Request::attach_signature`] → [`SignedV3Request`] |
//! | [`Client::sign`] | [`Client::sign_v3`] |
//! | [`Client::begin_verify_response`] → `Pending<VerifiedResponse>` | [`Client::begin_verify_v3_response`] → `Pending<V3Response>` |
//! | [`Client::verify_response`] | [`Client::verify_v3_response`] |
//!
//! The host passes everything that varies per attempt: the request id, the nonce, the time in
//! milliseconds and, for a file upload ([`V3Request::file`]), the multipart boundary (the core has
//! no clock and no randomness). v3 takes RSA2 and UTF-8 only.
//!
//! ```
//! use alipay_openapi::{AlipayPublicKey, AppPrivateKey, Client, Config, V3Request};
//! # let app_key_pem = include_str!("../../tests/vectors/keys/app_2048.private.pkcs1.pem");
//! # let alipay_public_pem = include_str!("../../tests/vectors/keys/alipay_2048.public.spki.pem");
//! let client = Client::new(
//!     Config::new("2021000000000001"),
//!     AppPrivateKey::parse(app_key_pem)?,
//!     AlipayPublicKey::parse(alipay_public_pem)?,
//! );
//! let request = V3Request::new("POST", "/v3/alipay/trade/query")
//!     .body(r#"{"out_trade_no":"20150320010101001"}"#)
//!     .request_id("8b3a1c0e2f4d4e6a9c7b5d3f1e2a4c6b")
//!     .nonce("6e3e2b3a-5c1d-4f8e-9a7b-2c4d6e8f0a1b")
//!     .timestamp_millis(1_715_593_760_000);
//! let signed = client.sign_v3(&request)?;
//! assert_eq!(signed.url(), "https://openapi.alipay.com/v3/alipay/trade/query");
//! assert!(signed.sign_content().starts_with("app_id=2021000000000001,nonce=6e3e2b3a-"));
//! // Send signed.http_method() to signed.url() with signed.headers() and signed.body(); then:
//! // let response = client.verify_v3_response(status, &response_headers, &response_body)?;
//! # Ok::<(), alipay_openapi::Error>(())
//! ```

mod request;
mod response;

pub use request::{v3_request_sign_content, SignedV3Request, UnsignedV3Request, V3Request, V3_AUTH_SCHEME};
pub use response::{v3_response_sign_content, V3Response};

use crate::client::Client;
use crate::error::Result;
use crate::verify::Pending;

impl Client {
    /// Fixes a v3 request for signing elsewhere: see [`UnsignedV3Request::sign_content_bytes`] and
    /// [`UnsignedV3Request::attach_signature`]. In certificate mode the auth string carries
    /// `app_cert_sn` and the headers `alipay-root-cert-sn`; with an AES key a request body is
    /// encrypted (and the ciphertext signed).
    pub fn prepare_v3(&self, request: &V3Request) -> Result<UnsignedV3Request> {
        UnsignedV3Request::build(self.config(), request, self.certificate_mode(), self.aes_key())
    }

    /// Builds and signs a v3 request with the app private key or the host's signer.
    pub fn sign_v3(&self, request: &V3Request) -> Result<SignedV3Request> {
        self.prepare_v3(request)?.sign_with(self.signer()?)
    }

    /// Verifies a v3 answer: its HTTP status, its headers as (name, value) pairs (names compared
    /// without case) and its exact body bytes. A 2xx answer must carry `alipay-signature` over
    /// `alipay-timestamp`, `alipay-nonce` and the body; an answer of 400 or above is returned as
    /// [`Error::V3Gateway`](crate::Error::V3Gateway), unverified, since Alipay does not sign them.
    pub fn verify_v3_response<N: AsRef<str>, V: AsRef<str>>(
        &self,
        status: u16,
        headers: &[(N, V)],
        body: &[u8],
    ) -> Result<V3Response> {
        self.begin_verify_v3_response(status, headers, body)?.finish_with(self.rsa())
    }

    /// [`verify_v3_response`](Self::verify_v3_response) in two stages; see [`Pending`]. A pure
    /// function of its inputs and the client (no clock, no state), so a fuzz target can call it
    /// with arbitrary bytes: every check but the RSA operation happens here.
    pub fn begin_verify_v3_response<N: AsRef<str>, V: AsRef<str>>(
        &self,
        status: u16,
        headers: &[(N, V)],
        body: &[u8],
    ) -> Result<Pending<V3Response>> {
        self.config().check_body_size("response", body.len())?;
        response::begin(self, status, headers, body)
    }
}
