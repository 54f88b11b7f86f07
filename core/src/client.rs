//! The merchant-side client: configuration and keys, in front of the sans-IO building blocks.

use std::fmt;
use std::sync::Arc;

use crate::crypto::{Signer, Verifier};
use crate::error::{Error, KeyKind, Result};
use crate::keys::{AlipayPublicKey, AppPrivateKey};
use crate::notify::{Notification, NotifyParams};
use crate::request::{Config, Request, SignedRequest, UnsignedRequest};
use crate::response::{verify_response, VerifiedResponse};
use crate::time::Timestamp;

/// A merchant's handle on the gateway: configuration, the signing key, and the Alipay key.
/// Cheap to clone and safe to share between threads.
#[derive(Clone)]
pub struct Client {
    config: Config,
    signer: Option<Arc<dyn Signer>>,
    verifier: Option<Arc<dyn Verifier>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("has_signer", &self.signer.is_some())
            .field("has_verifier", &self.verifier.is_some())
            .finish()
    }
}

impl Client {
    /// A client with the app private key and the Alipay public key.
    pub fn new(config: Config, private_key: AppPrivateKey, alipay_public_key: AlipayPublicKey) -> Self {
        Client { config, signer: Some(Arc::new(private_key)), verifier: Some(Arc::new(alipay_public_key)) }
    }

    /// A client with neither key yet: add them with the `with_*` methods.
    pub fn without_keys(config: Config) -> Self {
        Client { config, signer: None, verifier: None }
    }

    /// Signs with a host's signer (KMS, HSM, Node's crypto) instead of a parsed key.
    pub fn with_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Verifies with a host's verifier. It must check against the **Alipay** public key.
    pub fn with_verifier(mut self, verifier: Arc<dyn Verifier>) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Fixes the parameters for signing elsewhere (see [`UnsignedRequest::attach_signature`]).
    pub fn prepare(&self, request: &Request, timestamp: Timestamp) -> Result<UnsignedRequest> {
        UnsignedRequest::new(&self.config, request, timestamp)
    }

    /// Builds and signs `request` at `timestamp`.
    pub fn sign(&self, request: &Request, timestamp: Timestamp) -> Result<SignedRequest> {
        let signer = self
            .signer
            .as_deref()
            .ok_or_else(|| Error::SigningFailed("no app private key or signer is configured".to_owned()))?;
        self.prepare(request, timestamp)?.sign_with(signer)
    }

    fn verifier(&self) -> Result<&dyn Verifier> {
        self.verifier.as_deref().ok_or_else(|| Error::InvalidKey {
            expected: KeyKind::Public,
            reason: "no Alipay public key is configured".to_owned(),
        })
    }

    /// Verifies a response body to a call of `method` and returns the verified node, whatever its
    /// `code` (use [`VerifiedResponse::into_success`] to turn gateway errors into [`Error::Gateway`]).
    pub fn verify_response(&self, method: &str, body: &[u8]) -> Result<VerifiedResponse> {
        verify_response(body, method, self.config.charset, self.config.sign_type, self.verifier()?)
    }

    /// Verifies an asynchronous notification as `rsaCheckV1`.
    pub fn verify_notify(&self, params: NotifyParams) -> Result<Notification> {
        params.verify_v1(self.config.sign_type, self.verifier()?)
    }

    /// Verifies an asynchronous notification as `rsaCheckV2` (`sign_type` signed).
    pub fn verify_notify_v2(&self, params: NotifyParams) -> Result<Notification> {
        params.verify_v2(self.config.sign_type, self.verifier()?)
    }
}
