//! Verification in two stages, mirroring signing (`prepare` → `attach_signature`).
//!
//! A `begin_*` method of [`Client`](crate::Client) locates and checks everything but the RSA
//! operation and returns a [`Pending`] verification. Its [`SignatureCheck`] says what the RSA
//! check needs: the sign type, the signature bytes, the messages to try in order, and the Alipay
//! key the client picked. Whoever holds the RSA (this crate, `node:crypto`, WebCrypto, a KMS)
//! checks the messages and hands the verdict to [`Pending::finish`], which returns the verified
//! result or the typed error. The client's own `verify_*` methods are `begin` → the configured
//! RSA → `finish`.
//!
//! ```
//! # use alipay_openapi::{keys::role::Alipay, AlipayPublicKey, AppPrivateKey, Charset, Client, Config, PrivateKey, SignType};
//! # let client = Client::new(
//! #     Config::new("2021000000000001"),
//! #     AppPrivateKey::parse(include_str!("../../tests/vectors/keys/app_2048.private.pkcs1.pem"))?,
//! #     AlipayPublicKey::parse(include_str!("../../tests/vectors/keys/alipay_2048.public.spki.pem"))?,
//! # );
//! # let gateway = PrivateKey::<Alipay>::parse(include_str!("../../tests/vectors/keys/alipay_2048.private.pkcs8.pem"))?;
//! # let method = "alipay.trade.query";
//! # let body = alipay_openapi::sign_response_body(&alipay_openapi::response_node_key(method),
//! #     r#"{"code":"10000","msg":"Success"}"#, None, Charset::Utf8, SignType::Rsa2, &gateway)?;
//! # fn block_on<F: std::future::Future>(future: F) -> F::Output {
//! #     let mut future = std::pin::pin!(future);
//! #     let mut context = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut context) { return out; } }
//! # }
//! // An asynchronous RSA (a KMS, an HSM service): here the crate's own key stands in for it.
//! async fn kms_verify(spki_der: &[u8], message: &[u8], signature: &[u8]) -> bool {
//!     AlipayPublicKey::from_der(spki_der).and_then(|key| key.verify_portable(SignType::Rsa2, message, signature)).is_ok()
//! }
//! # block_on(async {
//! let pending = client.begin_verify_response(method, &body)?;
//! let check = pending.check();
//! let mut verified = None;
//! for (index, message) in check.messages().iter().enumerate() {
//!     if kms_verify(check.key().spki_der(), message, check.signature()).await {
//!         verified = Some(index);
//!         break;
//!     }
//! }
//! let response = pending.finish(verified)?;
//! assert!(response.is_success());
//! # Ok::<(), alipay_openapi::Error>(())
//! # })?;
//! # Ok::<(), alipay_openapi::Error>(())
//! ```

use std::fmt;

use crate::crypto::{KeyVerifier, SignType};
use crate::error::{Error, Result};
use crate::keys::AlipayPublicKey;

/// What one RSA check needs: try each message in order until one verifies under `key`.
#[derive(Clone)]
pub struct SignatureCheck {
    pub(crate) sign_type: SignType,
    pub(crate) signature: Vec<u8>,
    pub(crate) messages: Vec<Vec<u8>>,
    pub(crate) key: AlipayPublicKey,
    pub(crate) alipay_cert_sn: Option<String>,
}

impl fmt::Debug for SignatureCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureCheck")
            .field("sign_type", &self.sign_type)
            .field("messages", &self.messages.len())
            .field("key", &self.key)
            .field("alipay_cert_sn", &self.alipay_cert_sn)
            .finish_non_exhaustive()
    }
}

impl SignatureCheck {
    /// The hash: `RSA2` is SHA256withRSA, `RSA` SHA1withRSA. No other is accepted.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }

    /// The raw signature bytes (the decoded `sign`).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The candidate messages, in the order they are to be tried (for a response: the node's exact
    /// bytes, then with `\/` unescaped if it has any; for a V1 notification: the historical variants).
    pub fn messages(&self) -> &[Vec<u8>] {
        &self.messages
    }

    /// The Alipay key to verify with, as the client picked it (its SubjectPublicKeyInfo DER is
    /// [`AlipayPublicKey::spki_der`]).
    pub fn key(&self) -> &AlipayPublicKey {
        &self.key
    }

    /// In certificate mode, the SN of the certificate whose key this is; `None` for the Alipay
    /// public key or the configured certificate's key when the message names no SN.
    pub fn alipay_cert_sn(&self) -> Option<&str> {
        self.alipay_cert_sn.as_deref()
    }

    /// The index of the first message that verifies under `verifier`, if any. A verifier that has
    /// no RSA to check with ([`Error::RsaUnavailable`]) is that error, not a verdict.
    pub fn run(&self, verifier: &dyn KeyVerifier) -> Result<Option<usize>> {
        for (index, message) in self.messages.iter().enumerate() {
            match verifier.verify_with(&self.key, self.sign_type, message, &self.signature) {
                Ok(()) => return Ok(Some(index)),
                Err(unavailable @ Error::RsaUnavailable(_)) => return Err(unavailable),
                Err(_) => {}
            }
        }
        Ok(None)
    }
}

/// Builds the result once the signature verified, given the check's messages (so that a response
/// need not keep a second copy of its node: for utf-8 the first message is the node's bytes).
type Finisher<T> = Box<dyn FnOnce(Vec<Vec<u8>>) -> Result<T> + Send>;

/// A verification waiting for the RSA verdict on its [`SignatureCheck`].
pub struct Pending<T> {
    check: SignatureCheck,
    finish: Finisher<T>,
}

impl<T> fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending").field("check", &self.check).finish_non_exhaustive()
    }
}

impl<T> Pending<T> {
    pub(crate) fn new(check: SignatureCheck, finish: impl FnOnce(Vec<Vec<u8>>) -> Result<T> + Send + 'static) -> Self {
        Pending { check, finish: Box::new(finish) }
    }

    /// What the RSA check needs.
    pub fn check(&self) -> &SignatureCheck {
        &self.check
    }

    /// Completes the verification: `verified` is the index of the first message that verified, or
    /// `None` when none did ([`Error::SignatureMismatch`]). Returns the verified (and, with AES,
    /// decrypted) result, or the error found after the signature (a gateway error is not one: see
    /// [`VerifiedResponse::into_success`](crate::VerifiedResponse::into_success)).
    pub fn finish(self, verified: Option<usize>) -> Result<T> {
        let Pending { check, finish } = self;
        match verified {
            None => Err(Error::SignatureMismatch),
            Some(index) if index < check.messages.len() => finish(check.messages),
            Some(index) => Err(Error::field(
                "verified",
                format!("must be the index of one of the {} messages (got {index})", check.messages.len()),
            )),
        }
    }

    /// Runs the check with `verifier` and finishes.
    pub fn finish_with(self, verifier: &dyn KeyVerifier) -> Result<T> {
        let verified = self.check.run(verifier)?;
        self.finish(verified)
    }

    /// Runs the check with this crate's RSA (each key's configured backend) and finishes.
    pub fn finish_own(self) -> Result<T> {
        self.finish_with(&OwnRsa)
    }
}

/// A certificate chain waiting for the RSA verdicts on its certificates' signatures: the stage
/// before a certificate joins a client's key ring. Every check but the RSA operations (names,
/// dates, CA flags, algorithms) has passed. Each certificate's signature is one [`SignatureCheck`]
/// with one message (the certificate's signed part) and the issuer's key; the top certificate has
/// one check per root of the bundle that carries its issuer's name, and any of them verifying is
/// enough. [`finish`](Self::finish) takes one verdict per check, in order, and returns what comes
/// next: the certificate's SN, or for a download the [`Pending`] verification of the response.
pub struct ChainCheck<T> {
    checks: Vec<SignatureCheck>,
    links: Vec<ChainLink>,
    then: Box<dyn FnOnce() -> Result<T> + Send>,
}

/// One certificate of a chain: verified when any check in `checks` (a range of the chain's list) is.
pub(crate) struct ChainLink {
    pub(crate) checks: std::ops::Range<usize>,
    /// The error when none is.
    pub(crate) failure: String,
}

impl<T> fmt::Debug for ChainCheck<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainCheck").field("checks", &self.checks).finish_non_exhaustive()
    }
}

impl<T> ChainCheck<T> {
    pub(crate) fn new(
        checks: Vec<SignatureCheck>,
        links: Vec<ChainLink>,
        then: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Self {
        ChainCheck { checks, links, then: Box::new(then) }
    }

    /// Chains what comes after the certificates verified.
    pub(crate) fn then<U>(self, next: impl FnOnce(T) -> Result<U> + Send + 'static) -> ChainCheck<U>
    where
        T: 'static,
    {
        let ChainCheck { checks, links, then } = self;
        ChainCheck { checks, links, then: Box::new(move || next(then()?)) }
    }

    /// The certificate signatures to check, each with exactly one message. Empty when a download
    /// carries no usable certificate (its verification then fails after the response's signature).
    pub fn checks(&self) -> &[SignatureCheck] {
        &self.checks
    }

    /// Completes the chain: `verified[i]` says whether `checks()[i]` verified. A certificate whose
    /// signature did not verify is [`Error::InvalidCertificate`], naming it and its issuer.
    pub fn finish(self, verified: &[bool]) -> Result<T> {
        if verified.len() != self.checks.len() {
            return Err(Error::field(
                "verified",
                format!("must hold one verdict for each of the {} checks (got {})", self.checks.len(), verified.len()),
            ));
        }
        for link in &self.links {
            if !verified.get(link.checks.clone()).unwrap_or_default().contains(&true) {
                return Err(Error::InvalidCertificate(link.failure.clone()));
            }
        }
        (self.then)()
    }

    /// Runs the checks with `verifier` and finishes.
    pub fn finish_with(self, verifier: &dyn KeyVerifier) -> Result<T> {
        let verified =
            self.checks.iter().map(|check| Ok(check.run(verifier)?.is_some())).collect::<Result<Vec<_>>>()?;
        self.finish(&verified)
    }

    /// Runs the checks with this crate's RSA and finishes.
    pub fn finish_own(self) -> Result<T> {
        self.finish_with(&OwnRsa)
    }
}

/// The crate's own RSA, with each key's configured backend.
pub(crate) struct OwnRsa;

impl KeyVerifier for OwnRsa {
    fn verify_with(&self, key: &AlipayPublicKey, sign_type: SignType, message: &[u8], signature: &[u8]) -> Result<()> {
        crate::crypto::Verifier::verify(key, sign_type, message, signature)
    }
}
