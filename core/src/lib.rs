//! # alipay-openapi
//!
//! Sans-IO signing and verification for the Alipay Open Platform gateway (OpenAPI v2).
//!
//! The crate turns a merchant's intent into a signed gateway request (URL, headers, body: everything
//! an HTTP client needs to POST to `gateway.do`) and turns the gateway's bytes into a verified
//! result. It opens no socket and reads no clock, environment or file: the host passes time, keys
//! and bytes in, and does the HTTP itself. That makes the same core usable from Rust, from
//! JavaScript through WebAssembly, and from Python.
//!
//! In scope: canonical sign content; RSA2 (SHA256withRSA) and RSA (SHA1withRSA) signatures in
//! UTF-8 or GBK; the wire form; response verification over the exact raw bytes of the response node;
//! asynchronous notification verification; public-key-certificate mode ([`cert`]: SNs, verification
//! by `alipay_cert_sn`, downloaded certificates checked against the root bundle); AES content
//! encryption ([`AesKey`]); OpenAPI v3 ([`v3`]: RESTful paths, signed headers). Out of scope: HTTP, retries and clocks (the host's).
//!
//! RSA runs on AWS-LC or on the `rsa` crate (see [`Backend`]), or on the host's own: a
//! [`Signer`] (a KMS, an HSM, Node's crypto) signs the bytes the client chose, and a [`KeyVerifier`]
//! checks signatures with the Alipay key the client picked ([`Client::with_key_verifier`]).
//!
//! ## Feature flags
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `aws-lc` | yes | RSA through AWS-LC (`aws-lc-rs`): native and constant-time, and the default [`Backend`] (`Backend::AwsLc`). It needs a C compiler at build time. Ignored on `wasm32`, where the pure-Rust `rsa` crate always serves. |
//! | `portable-signing` | yes | Signing with the pure-Rust `rsa` crate (its private-key operations): on `wasm32`, and for `RSA` (SHA-1) signatures, which AWS-LC does not make. Without it a key signs through AWS-LC (`RSA2` only) or a host [`Signer`] signs. It turns on `portable-verifying`. |
//! | `portable-verifying` | yes (through `portable-signing`) | Verification with the pure-Rust `rsa` crate: on `wasm32`, and [`PublicKey::verify_portable`]. Without it and without AWS-LC the host's RSA verifies every pending check ([`Pending`], [`ChainCheck`]). |
//!
//! Without `aws-lc` (`default-features = false`) every key uses [`Backend::RustCrypto`], the `rsa`
//! crate: it builds wherever Rust does, but it is slower and its private-key operation (signing)
//! is not constant-time (RUSTSEC-2023-0071, see SECURITY.md); a host [`Signer`] can sign instead.
//! With none of the three features the crate has no RSA arithmetic (no `rsa` crate): it prepares
//! requests and checks everything about an answer but the RSA, for the host's RSA, and its own
//! RSA operations are [`Error::RsaUnavailable`]. The npm package's default WebAssembly module is
//! built so, to stay small. Keys are checked the same way in every build.
//!
//! ```
//! use alipay_openapi::{AlipayPublicKey, AppPrivateKey, Client, Config, Request, Timestamp};
//! # let app_key_pem = include_str!("../../tests/vectors/keys/app_2048.private.pkcs1.pem");
//! # let alipay_public_pem = include_str!("../../tests/vectors/keys/alipay_2048.public.spki.pem");
//! let client = Client::new(
//!     Config::new("2021000000000001"),
//!     AppPrivateKey::parse(app_key_pem)?,          // parsed once, reused for every request
//!     AlipayPublicKey::parse(alipay_public_pem)?,  // the Alipay key, not the app's public key
//! );
//! let request = Request::new("alipay.marketing.voucher.query")
//!     .biz_content(r#"{"voucher_id":"20170616000730020041006ZYE2V"}"#);
//! let signed = client.sign(&request, Timestamp::from_unix_millis(1_715_593_760_000))?;
//! assert!(signed.url().starts_with("https://openapi.alipay.com/gateway.do?"));
//! assert!(signed.sign_content().contains("timestamp=2024-05-13 17:49:20"));
//! // POST signed.url() with signed.headers() and signed.body(), then:
//! // let verified = client.verify_response(request.method(), &response_bytes)?.into_success()?;
//! # Ok::<(), alipay_openapi::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod aes;
pub mod api;
mod asn1;
pub mod cert;
mod charset;
mod client;
pub mod crypto;
mod error;
mod json_scan;
pub mod keys;
mod multipart;
mod notify;
mod options;
mod request;
mod response;
mod time;
pub mod v3;
pub mod verify;

pub use crate::aes::AesKey;
pub use cert::{AlipayCertificate, AppCertificate, CertificateMode};
pub use charset::{form_encode, Charset};
pub use client::Client;
pub use crypto::{Backend, KeyVerifier, SignType, Signer, Verifier};
pub use error::{Error, ErrorDetails, GatewayError, KeyKind, Result, V3GatewayError};
pub use keys::{AlipayPublicKey, AppPrivateKey, KeyEncoding, KeyForm, KeyInfo, PrivateKey, PublicKey};
pub use multipart::{FilePart, MultipartBody, UploadFile, DEFAULT_MAX_FILE_BYTES};
pub use notify::{check_order, ExpectedOrder, Notification, NotifyParams, NotifyVersion};
pub use options::{
    notification_fields, BizContent, ClientOptions, ClientParts, NotifyOptions, RequestOptions, CLIENT_OPTIONS,
    NOTIFY_OPTIONS, ORDER_OPTIONS, REQUEST_OPTIONS, V3_REQUEST_OPTIONS,
};
pub use request::{
    html_escape_into, sign_content, Config, Gateway, Request, SignedRequest, UnsignedRequest, DEFAULT_MAX_BODY_BYTES,
    PRODUCTION_GATEWAY, SANDBOX_GATEWAY,
};
pub use response::{response_node_key, sign_response_body, verify_response, VerifiedResponse, SUCCESS_CODE};
pub use time::{BeijingDateTime, Timestamp};
pub use v3::{SignedV3Request, UnsignedV3Request, V3Request, V3Response};
pub use verify::{ChainCheck, Pending, SignatureCheck};

/// The README's Rust examples, compiled and run as doctests so they cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
