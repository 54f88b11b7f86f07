//! The merchant-side client: configuration and keys, in front of the sans-IO building blocks.

use std::fmt;
use std::sync::Arc;

use crate::aes::AesKey;
use crate::cert::{downloaded_certificate_pem, CertificateMode, KeyRing, DOWNLOAD_METHOD};
use crate::charset::Charset;
use crate::crypto::{KeyVerifier, Signer};
use crate::error::{Error, KeyKind, Result};
use crate::keys::{AlipayPublicKey, AppPrivateKey};
use crate::notify::{Notification, NotifyParams, NotifyVersion};
use crate::request::{Config, Request, SignedRequest, UnsignedRequest};
use crate::response::{locate, locate_payload, open_node, signature_of, signed_messages, VerifiedResponse};
use crate::time::Timestamp;
use crate::verify::{ChainCheck, OwnRsa, Pending, SignatureCheck};

/// A merchant's handle on the gateway: configuration, the signing key, and the Alipay key.
/// Cheap to clone and safe to share between threads.
#[derive(Clone)]
pub struct Client {
    config: Config,
    signer: Option<Arc<dyn Signer>>,
    alipay_key: Option<AlipayPublicKey>,
    key_verifier: Option<Arc<dyn KeyVerifier>>,
    key_ring: Option<Arc<KeyRing>>,
    aes_key: Option<AesKey>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("has_signer", &self.signer.is_some())
            .field("alipay_key", &self.alipay_key)
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
        Client { config, signer: None, alipay_key: None, key_verifier: None, key_ring: None, aes_key: None }
    }

    /// Signs with a host's signer (KMS, HSM, Node's crypto) instead of a parsed key.
    pub fn with_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Verifies responses and notifications with the Alipay public key.
    pub fn with_alipay_public_key(mut self, key: AlipayPublicKey) -> Self {
        self.alipay_key = Some(key);
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
    /// and is shared by the clones of this client. A response or notification without
    /// `alipay_cert_sn` is verified with the configured Alipay certificate's key (which replaces any
    /// Alipay key set before; the Java SDK would refuse such a response, the Go SDK
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
        self.begin_add_alipay_certificate(pem, now)?.finish_with(self.rsa())
    }

    /// [`add_alipay_certificate`](Self::add_alipay_certificate) in two stages: the certificates'
    /// signatures are left to the returned [`ChainCheck`], whose `finish` adds the key.
    pub fn begin_add_alipay_certificate(&self, pem: &str, now: Timestamp) -> Result<ChainCheck<String>> {
        let ring = Arc::clone(self.key_ring.as_ref().ok_or_else(not_certificate_mode)?);
        Ok(ring.mode.begin_check_certificate(pem, now)?.then(move |certificate| {
            ring.insert(&certificate);
            Ok(certificate.sn().to_owned())
        }))
    }

    /// Takes the response body of `alipay.open.app.alipaycert.download` (asked for after
    /// [`Error::UnknownCertSn`]), checks the certificate it carries against the root bundle at
    /// `now`, verifies the response, and adds the certificate's key to the ring. Returns its SN.
    ///
    /// The response is verified with the key its `alipay_cert_sn` names: one in the ring, or the
    /// downloaded certificate itself once its chain checked out (after a rotation Alipay may sign
    /// with the new key already), or without an SN the configured certificate's key.
    pub fn add_downloaded_certificate(&self, body: &[u8], now: Timestamp) -> Result<String> {
        self.begin_add_downloaded_certificate(body, now)?.finish_with(self.rsa())?.finish_with(self.rsa())
    }

    /// [`add_downloaded_certificate`](Self::add_downloaded_certificate) in three stages: the
    /// returned [`ChainCheck`] holds the signatures of the certificate's chain, and its `finish`
    /// gives the [`Pending`] verification of the response, whose `finish` adds the key.
    pub fn begin_add_downloaded_certificate(&self, body: &[u8], now: Timestamp) -> Result<ChainCheck<Pending<String>>> {
        let ring = Arc::clone(self.key_ring.as_ref().ok_or_else(not_certificate_mode)?);
        self.config.check_body_size("response", body.len())?;
        let charset = self.config.charset;
        let located = locate(body, DOWNLOAD_METHOD, charset)?;
        let signature = signature_of(&located)?;
        // The certificate is read before the signature is checked: after a rotation the response may
        // be signed with the very key it carries, which is trusted once its chain checks out.
        let unverified = open_node(located.clone(), charset, self.aes_key.as_ref());
        let (certificate, checks, links) = match unverified.as_ref().map(downloaded_certificate_pem) {
            Ok(Ok(pem)) => {
                let (certificate, checks, links) = ring.mode.chain(&pem, now)?;
                (Some(certificate), checks, links)
            }
            _ => (None, Vec::new(), Vec::new()),
        };
        let sn = located.alipay_cert_sn.clone();
        let key = match sn.as_deref() {
            None => self.configured_key()?,
            Some(sn) => match (ring.key(sn), &certificate) {
                (Ok(key), _) => key,
                (Err(_), Some(downloaded)) if downloaded.sn() == sn => downloaded.public_key().clone(),
                (Err(unknown), _) => return Err(unknown),
            },
        };
        let check = self.signature_check(signature, signed_messages(&located, charset)?, key, sn);
        let (located, aes_key) = (located.into_owned(), self.aes_key.clone());
        let pending = Pending::new(check, move |_| {
            downloaded_certificate_pem(&open_node(located, charset, aes_key.as_ref())?)?;
            let certificate = certificate.ok_or_else(|| {
                Error::InvalidCertificate("the download response carries no usable certificate".to_owned())
            })?;
            ring.insert(&certificate);
            Ok(certificate.sn().to_owned())
        });
        Ok(ChainCheck::new(checks, links, move || Ok(pending)))
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
        self.prepare(request, timestamp)?.sign_with(self.signer()?)
    }

    /// Verifies a response body to a call of `method` and returns the verified node, whatever its
    /// `code` (use [`VerifiedResponse::into_success`] to turn gateway errors into [`Error::Gateway`]).
    ///
    /// In certificate mode the key is the one the response's `alipay_cert_sn` names; an SN that is
    /// not in the ring is [`Error::UnknownCertSn`] (see [`add_downloaded_certificate`](Self::add_downloaded_certificate)).
    /// With an AES key, an encrypted node is decrypted after its signature verified.
    pub fn verify_response(&self, method: &str, body: &[u8]) -> Result<VerifiedResponse> {
        self.begin_verify_response(method, body)?.finish_with(self.rsa())
    }

    /// [`verify_response`](Self::verify_response) in two stages, for a host's own (or asynchronous)
    /// RSA: every check but the RSA operation happens here; see [`Pending`].
    pub fn begin_verify_response(&self, method: &str, body: &[u8]) -> Result<Pending<VerifiedResponse>> {
        self.config.check_body_size("response", body.len())?;
        let charset = self.config.charset;
        let located = locate(body, method, charset)?;
        let signature = signature_of(&located)?;
        let sn = located.alipay_cert_sn.clone();
        let key = self.response_key(sn.as_deref())?;
        let check = self.signature_check(signature, signed_messages(&located, charset)?, key, sn);
        let (located, aes_key) = (located.detach(charset), self.aes_key.clone());
        Ok(Pending::new(check, move |messages| open_node(located.attach(charset, messages), charset, aes_key.as_ref())))
    }

    /// Verifies the payload a mini program hands over from `my.getPhoneNumber` and friends: the JSON
    /// `{"response": ..., "sign": ..., "sign_type": ..., "encrypt_type": "AES", "charset": ...}`
    /// that the front end passes to the merchant's server. The signature covers `response` as a
    /// response node's is checked (an encrypted one as its quoted ciphertext, quotes included, as
    /// the official SDKs' instructions put it), with the configured Alipay key and the client's
    /// hash only; then an encrypted `response` is decrypted with the AES key and must be a JSON
    /// object, given as a [`VerifiedResponse`] whose node key is `response` (use
    /// [`VerifiedResponse::into_success`] for its `code`). The payload is held to
    /// [`max_body_bytes`](Config::max_body_bytes).
    pub fn verify_mini_program(&self, payload: &[u8]) -> Result<VerifiedResponse> {
        self.begin_verify_mini_program(payload)?.finish_with(self.rsa())
    }

    /// [`verify_mini_program`](Self::verify_mini_program) in two stages; see [`Pending`].
    pub fn begin_verify_mini_program(&self, payload: &[u8]) -> Result<Pending<VerifiedResponse>> {
        self.config.check_body_size(MINI_PROGRAM_PAYLOAD, payload.len())?;
        let (located, charset) = locate_payload(payload, self.config.sign_type, self.config.charset)?;
        let signature = signature_of(&located)?;
        let sn = located.alipay_cert_sn.clone();
        let key = self.response_key(sn.as_deref())?;
        let check = self.signature_check(signature, signed_messages(&located, charset)?, key, sn);
        let (located, aes_key) = (located.into_owned(), self.aes_key.clone());
        Ok(Pending::new(check, move |_| open_node(located, charset, aes_key.as_ref())))
    }

    /// Verifies an asynchronous notification (`notify_url` POST) with `version`'s rule: `V1`
    /// (`rsaCheckV1`) for what Alipay sends to notify_url. A verified notification whose `app_id` is
    /// not the client's is [`Error::AppIdMismatch`]: Alipay's keys and certificates are not per
    /// merchant, so another app's notification could be replayed to this notify_url. In
    /// certificate mode a notification that names an `alipay_cert_sn` is verified with that
    /// certificate's key from the ring ([`Error::UnknownCertSn`] when it is not there, as for
    /// responses); one without, with the configured certificate's key.
    pub fn verify_notification(&self, params: NotifyParams, version: NotifyVersion) -> Result<Notification> {
        self.begin_verify_notification(params, version)?.finish_with(self.rsa())
    }

    /// Reads a notification's `application/x-www-form-urlencoded` POST body (see
    /// [`NotifyParams::from_form`]) once its length is checked against
    /// [`max_body_bytes`](Config::max_body_bytes): a longer body is [`Error::BodyTooLarge`], unread.
    pub fn notification_form(&self, body: &[u8], default_charset: Charset) -> Result<NotifyParams> {
        self.config.check_body_size("notification", body.len())?;
        NotifyParams::from_form(body, default_charset)
    }

    /// [`verify_notification`](Self::verify_notification) in two stages; see [`Pending`]. Fields
    /// longer in all (keys and values) than [`max_body_bytes`](Config::max_body_bytes) are
    /// [`Error::BodyTooLarge`]; read a form body with [`notification_form`](Self::notification_form).
    pub fn begin_verify_notification(
        &self,
        params: NotifyParams,
        version: NotifyVersion,
    ) -> Result<Pending<Notification>> {
        self.begin_verify_fields("notification", params, version)
    }

    /// Verifies the query string Alipay appends to `return_url` when it sends the browser back
    /// after page or WAP pay. The rules are those of notifications ([`verify_notification`](Self::verify_notification)
    /// with `version`, `V1` for what Alipay sends): `rsaCheckV1`, the `app_id` binding, the key
    /// by `alipay_cert_sn` in certificate mode. Read the query with [`return_query`](Self::return_query),
    /// or fields a web framework decoded with [`NotifyParams::from_pairs`]. The browser carries
    /// the query, so anyone can forge or replay one: act on a verified return only for display,
    /// and on the notification (or `alipay.trade.query`) for the order's state.
    pub fn verify_return(&self, params: NotifyParams, version: NotifyVersion) -> Result<Notification> {
        self.begin_verify_return(params, version)?.finish_with(self.rsa())
    }

    /// Reads the query string of a return to `return_url` (the part after `?`; a leading `?` is
    /// skipped) once its length is checked against [`max_body_bytes`](Config::max_body_bytes):
    /// a longer one is [`Error::BodyTooLarge`], unread. Fields are decoded once in the query's own
    /// `charset`, else `default_charset`; a field that appears twice is refused.
    pub fn return_query(&self, query: &[u8], default_charset: Charset) -> Result<NotifyParams> {
        self.config.check_body_size(RETURN_QUERY, query.len())?;
        NotifyParams::from_form(query.strip_prefix(b"?").unwrap_or(query), default_charset)
    }

    /// [`verify_return`](Self::verify_return) in two stages; see [`Pending`].
    pub fn begin_verify_return(&self, params: NotifyParams, version: NotifyVersion) -> Result<Pending<Notification>> {
        self.begin_verify_fields(RETURN_QUERY, params, version)
    }

    /// The first stage for the fields of a notification or a return query (`body`, for errors).
    fn begin_verify_fields(
        &self,
        body: &'static str,
        params: NotifyParams,
        version: NotifyVersion,
    ) -> Result<Pending<Notification>> {
        self.config.check_body_size(body, params.text_len())?;
        let (signature, messages) = params.check_parts(version, self.config.sign_type)?;
        let sn = params.fields().get("alipay_cert_sn").filter(|sn| !sn.is_empty()).cloned();
        let key = self.response_key(sn.as_deref())?;
        let check = self.signature_check(signature, messages, key, sn);
        let app_id = self.config.app_id.clone();
        Ok(Pending::new(check, move |_| {
            let notification = params.into_notification();
            match notification.get("app_id") {
                Some(found) if found == app_id => Ok(notification),
                found => Err(Error::AppIdMismatch { expected: app_id, found: found.unwrap_or_default().to_owned() }),
            }
        }))
    }

    fn signature_check(
        &self,
        signature: Vec<u8>,
        messages: Vec<Vec<u8>>,
        key: AlipayPublicKey,
        alipay_cert_sn: Option<String>,
    ) -> SignatureCheck {
        SignatureCheck { sign_type: self.config.sign_type, signature, messages, key, alipay_cert_sn }
    }

    /// The key of responses that name no certificate SN, and of notifications.
    fn configured_key(&self) -> Result<AlipayPublicKey> {
        self.alipay_key.clone().ok_or_else(no_alipay_key)
    }

    /// The key a signed answer is checked with: in certificate mode the key of the certificate
    /// `alipay_cert_sn` names (v2 `alipay_cert_sn`, v3 `alipay-sn`), else the configured key.
    pub(crate) fn response_key(&self, alipay_cert_sn: Option<&str>) -> Result<AlipayPublicKey> {
        match (&self.key_ring, alipay_cert_sn) {
            (Some(ring), Some(sn)) => ring.key(sn),
            _ => self.configured_key(),
        }
    }

    /// The app private key or the host's signer.
    pub(crate) fn signer(&self) -> Result<&dyn Signer> {
        self.signer
            .as_deref()
            .ok_or_else(|| Error::SigningFailed("no app private key or signer is configured".to_owned()))
    }

    /// The AES content-encryption key, if one is configured.
    pub(crate) fn aes_key(&self) -> Option<&AesKey> {
        self.aes_key.as_ref()
    }

    /// The host's RSA if one was given, else the crate's own.
    pub(crate) fn rsa(&self) -> &dyn KeyVerifier {
        self.key_verifier.as_deref().unwrap_or(&OwnRsa)
    }
}

/// What a return query is called in [`Error::BodyTooLarge`].
const RETURN_QUERY: &str = "return query";
/// What a mini-program payload is called in [`Error::BodyTooLarge`].
const MINI_PROGRAM_PAYLOAD: &str = "mini-program payload";

fn no_alipay_key() -> Error {
    Error::InvalidKey { expected: KeyKind::Public, reason: "no Alipay public key is configured".to_owned() }
}

fn not_certificate_mode() -> Error {
    Error::InvalidCertificate(
        "the client is not in certificate mode (configure it with Client::with_certificate_mode)".to_owned(),
    )
}
