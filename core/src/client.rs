//! The merchant-side client: configuration and keys, in front of the sans-IO building blocks.

use std::fmt;
use std::sync::Arc;

use crate::aes::AesKey;
use crate::cert::{downloaded_certificate_pem, CertificateMode, KeyRing, DOWNLOAD_METHOD};
use crate::crypto::{KeyVerifier, SignType, Signer, Verifier};
use crate::error::{Error, KeyKind, Result};
use crate::keys::{AlipayPublicKey, AppPrivateKey};
use crate::notify::{Notification, NotifyParams};
use crate::request::{Config, Request, SignedRequest, UnsignedRequest};
use crate::response::{check_signature, locate, open_node, signature_of, VerifiedResponse};
use crate::time::Timestamp;

/// A merchant's handle on the gateway: configuration, the signing key, and the Alipay key.
/// Cheap to clone and safe to share between threads.
#[derive(Clone)]
pub struct Client {
    config: Config,
    signer: Option<Arc<dyn Signer>>,
    verifier: Option<AlipayVerifier>,
    key_verifier: Option<Arc<dyn KeyVerifier>>,
    key_ring: Option<Arc<KeyRing>>,
    aes_key: Option<AesKey>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("has_signer", &self.signer.is_some())
            .field("has_verifier", &self.verifier.is_some())
            .field("has_key_verifier", &self.key_verifier.is_some())
            .field("certificate_mode", &self.key_ring.as_ref().map(|ring| &ring.mode))
            .field("aes_key", &self.aes_key)
            .finish()
    }
}

impl Client {
    /// A client with the app private key and the Alipay public key.
    pub fn new(config: Config, private_key: AppPrivateKey, alipay_public_key: AlipayPublicKey) -> Self {
        Client::without_keys(config).with_signer(Arc::new(private_key)).with_alipay_public_key(alipay_public_key)
    }

    /// A client with neither key yet: add them with the `with_*` methods.
    pub fn without_keys(config: Config) -> Self {
        Client { config, signer: None, verifier: None, key_verifier: None, key_ring: None, aes_key: None }
    }

    /// Signs with a host's signer (KMS, HSM, Node's crypto) instead of a parsed key.
    pub fn with_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Verifies responses and notifications with the Alipay public key.
    pub fn with_alipay_public_key(mut self, key: AlipayPublicKey) -> Self {
        self.verifier = Some(AlipayVerifier::Key(key));
        self
    }

    /// Verifies with a host's verifier instead of a parsed key. It must check against the
    /// **Alipay** public key.
    pub fn with_verifier(mut self, verifier: Arc<dyn Verifier>) -> Self {
        self.verifier = Some(AlipayVerifier::Host(verifier));
        self
    }

    /// Runs every check with a parsed Alipay key (the Alipay public key, the configured Alipay
    /// certificate's key, or in certificate mode the key a response's `alipay_cert_sn` picks)
    /// through the host's RSA, told the key each time. The client still picks the key.
    pub fn with_key_verifier(mut self, key_verifier: Arc<dyn KeyVerifier>) -> Self {
        self.key_verifier = Some(key_verifier);
        self
    }

    /// Switches to public-key-certificate mode: every request carries `app_cert_sn` and
    /// `alipay_root_cert_sn`, and a response is verified with the key of the Alipay certificate its
    /// `alipay_cert_sn` names, from a key ring that starts with the configured Alipay certificate
    /// and is shared by the clones of this client. A response without `alipay_cert_sn`, and every
    /// notification, is verified with the configured Alipay certificate's key (which replaces any
    /// Alipay key or verifier set before; the Java SDK would refuse such a response, the Go SDK
    /// does the same as here).
    pub fn with_certificate_mode(self, mode: CertificateMode) -> Self {
        let key = mode.alipay_certificate().public_key().clone();
        Client { key_ring: Some(Arc::new(KeyRing::new(mode))), ..self.with_alipay_public_key(key) }
    }

    /// Encrypts `biz_content` of every request with `key` (`encrypt_type=AES`) and decrypts
    /// encrypted responses after verifying them. Error responses arrive unencrypted and are
    /// verified as usual.
    pub fn with_aes_key(mut self, key: AesKey) -> Self {
        self.aes_key = Some(key);
        self
    }

    /// The certificate-mode settings, if the client is in certificate mode.
    pub fn certificate_mode(&self) -> Option<&CertificateMode> {
        self.key_ring.as_ref().map(|ring| &ring.mode)
    }

    /// The SNs of the Alipay certificates in the key ring (certificate mode), sorted.
    pub fn alipay_cert_sns(&self) -> Vec<String> {
        self.key_ring.as_ref().map(|ring| ring.sns()).unwrap_or_default()
    }

    /// Checks an Alipay certificate chain (PEM: certificate, then intermediates) against the root
    /// bundle at `now` (see [`CertificateMode::check_certificate`]) and adds its key to the ring.
    /// Returns its SN. For certificates the host has stored, e.g. from an earlier download.
    pub fn add_alipay_certificate(&self, pem: &str, now: Timestamp) -> Result<String> {
        let ring = self.key_ring()?;
        let certificate = ring.mode.check_certificate(pem, now)?;
        ring.insert(&certificate);
        Ok(certificate.sn().to_owned())
    }

    /// Takes the response body of `alipay.open.app.alipaycert.download` (asked for after
    /// [`Error::UnknownCertSn`]), checks the certificate it carries against the root bundle at
    /// `now`, verifies the response, and adds the certificate's key to the ring. Returns its SN.
    ///
    /// The response is verified with the key its `alipay_cert_sn` names: one in the ring, or the
    /// downloaded certificate itself once its chain checked out (after a rotation Alipay may sign
    /// with the new key already), or without an SN the configured certificate's key.
    pub fn add_downloaded_certificate(&self, body: &[u8], now: Timestamp) -> Result<String> {
        let ring = self.key_ring()?;
        let charset = self.config.charset;
        let located = locate(body, DOWNLOAD_METHOD, charset)?;
        let signature = signature_of(&located)?;
        // The certificate is read before the signature is checked: after a rotation the response may
        // be signed with the very key it carries, which is trusted once its chain checks out.
        let unverified = open_node(located.clone(), charset, self.aes_key.as_ref());
        let certificate = match unverified.as_ref().map(downloaded_certificate_pem) {
            Ok(Ok(pem)) => Some(ring.mode.check_certificate(&pem, now)?),
            _ => None,
        };
        let key = match located.alipay_cert_sn.as_deref() {
            None => None,
            Some(sn) => match (ring.key(sn), &certificate) {
                (Ok(key), _) => Some(key),
                (Err(_), Some(downloaded)) if downloaded.sn() == sn => Some(downloaded.public_key().clone()),
                (Err(unknown), _) => return Err(unknown),
            },
        };
        self.check_with(key.as_ref(), |verifier| {
            check_signature(&located, &signature, charset, self.config.sign_type, verifier)
        })?;
        downloaded_certificate_pem(&open_node(located, charset, self.aes_key.as_ref())?)?;
        let certificate = certificate.ok_or_else(|| {
            Error::InvalidCertificate("the download response carries no usable certificate".to_owned())
        })?;
        ring.insert(&certificate);
        Ok(certificate.sn().to_owned())
    }

    fn key_ring(&self) -> Result<&KeyRing> {
        self.key_ring.as_deref().ok_or_else(|| {
            Error::InvalidCertificate(
                "the client is not in certificate mode (configure it with Client::with_certificate_mode)".to_owned(),
            )
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Fixes the parameters for signing elsewhere (see [`UnsignedRequest::attach_signature`]).
    pub fn prepare(&self, request: &Request, timestamp: Timestamp) -> Result<UnsignedRequest> {
        UnsignedRequest::build(&self.config, request, timestamp, self.certificate_mode(), self.aes_key.as_ref())
    }

    /// Builds and signs `request` at `timestamp`.
    pub fn sign(&self, request: &Request, timestamp: Timestamp) -> Result<SignedRequest> {
        let signer = self
            .signer
            .as_deref()
            .ok_or_else(|| Error::SigningFailed("no app private key or signer is configured".to_owned()))?;
        self.prepare(request, timestamp)?.sign_with(signer)
    }

    /// Runs `check` with `key` (picked by a response's `alipay_cert_sn`), or without one with the
    /// configured key or verifier; a parsed key goes through the key verifier if there is one.
    fn check_with<T>(
        &self,
        key: Option<&AlipayPublicKey>,
        check: impl FnOnce(&dyn Verifier) -> Result<T>,
    ) -> Result<T> {
        let key = match (key, &self.verifier) {
            (Some(key), _) => key,
            (None, Some(AlipayVerifier::Key(key))) => key,
            (None, Some(AlipayVerifier::Host(verifier))) => return check(verifier.as_ref()),
            (None, None) => return Err(no_verifier()),
        };
        match &self.key_verifier {
            Some(host) => check(&ThroughHost { host: host.as_ref(), key }),
            None => check(key),
        }
    }

    /// Verifies a response body to a call of `method` and returns the verified node, whatever its
    /// `code` (use [`VerifiedResponse::into_success`] to turn gateway errors into [`Error::Gateway`]).
    ///
    /// In certificate mode the key is the one the response's `alipay_cert_sn` names; an SN that is
    /// not in the ring is [`Error::UnknownCertSn`] (see [`add_downloaded_certificate`](Self::add_downloaded_certificate)).
    /// With an AES key, an encrypted node is decrypted after its signature verified.
    pub fn verify_response(&self, method: &str, body: &[u8]) -> Result<VerifiedResponse> {
        let charset = self.config.charset;
        let located = locate(body, method, charset)?;
        let signature = signature_of(&located)?;
        let ring_key = match (&self.key_ring, located.alipay_cert_sn.as_deref()) {
            (Some(ring), Some(sn)) => Some(ring.key(sn)?),
            _ => None,
        };
        self.check_with(ring_key.as_ref(), |verifier| {
            check_signature(&located, &signature, charset, self.config.sign_type, verifier)
        })?;
        open_node(located, charset, self.aes_key.as_ref())
    }

    /// Verifies an asynchronous notification as `rsaCheckV1`.
    pub fn verify_notify(&self, params: NotifyParams) -> Result<Notification> {
        self.check_with(None, |verifier| params.verify_v1(self.config.sign_type, verifier))
    }

    /// Verifies an asynchronous notification as `rsaCheckV2` (`sign_type` signed).
    pub fn verify_notify_v2(&self, params: NotifyParams) -> Result<Notification> {
        self.check_with(None, |verifier| params.verify_v2(self.config.sign_type, verifier))
    }
}

/// What checks signatures made with the Alipay key when no certificate SN picks one.
#[derive(Clone)]
enum AlipayVerifier {
    Key(AlipayPublicKey),
    Host(Arc<dyn Verifier>),
}

/// A parsed key's checks, run by a host's [`KeyVerifier`].
struct ThroughHost<'a> {
    host: &'a dyn KeyVerifier,
    key: &'a AlipayPublicKey,
}

impl Verifier for ThroughHost<'_> {
    fn verify(&self, sign_type: SignType, message: &[u8], signature: &[u8]) -> Result<()> {
        self.host.verify_with(self.key, sign_type, message, signature)
    }
}

fn no_verifier() -> Error {
    Error::InvalidKey { expected: KeyKind::Public, reason: "no Alipay public key is configured".to_owned() }
}
