//! The host's RSA verification (node:crypto, WebCrypto) behind the core's [`KeyVerifier`] trait, so
//! that every protocol rule (which bytes, which candidates, in which order, with which key) stays in
//! the core.
//!
//! The core picks the key of every check (the Alipay public key, the configured Alipay certificate's,
//! or the one a response's `alipay_cert_sn` names) and the host is told it as SubjectPublicKeyInfo
//! DER with each message.
//!
//! - Synchronous host: [`with_js_verifier`] installs the host's `verify(message, signature, spki)`
//!   for the duration of one call, and [`JsVerifier`] calls it. A JS function cannot live in the
//!   core's `Send + Sync` verifier, so it is held in a thread-local: wasm32 runs one thread.
//! - Asynchronous host: [`Recorder`] accepts nothing and records the messages the core would check;
//!   the host checks them in order; [`Answer`] replays its verdict in a second, identical run.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use alipay_openapi::{AlipayPublicKey, Error, KeyVerifier, SignType};
use js_sys::{Function, Uint8Array};
use wasm_bindgen::JsValue;

use crate::convert::{self, PendingJs};
use crate::error::{IntoJs, JsResult};

thread_local! {
    static HOST_VERIFY: RefCell<Option<Function>> = const { RefCell::new(None) };
    static HOST_THREW: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Runs `run` with `verify` as the host function of [`JsVerifier`]. The outer error is whatever the
/// host threw, rethrown as is; the inner result is the core's.
pub(crate) fn with_js_verifier<T>(
    verify: &Function,
    run: impl FnOnce() -> Result<T, Error>,
) -> Result<Result<T, Error>, JsValue> {
    let previous = HOST_VERIFY.with(|slot| slot.replace(Some(verify.clone())));
    let outcome = run();
    HOST_VERIFY.with(|slot| slot.replace(previous));
    match HOST_THREW.with(|slot| slot.borrow_mut().take()) {
        Some(thrown) => Err(thrown),
        None => Ok(outcome),
    }
}

/// Calls the host function installed by [`with_js_verifier`] with the key; `true` verifies.
pub(crate) struct JsVerifier;

impl KeyVerifier for JsVerifier {
    fn verify_with(
        &self,
        key: &AlipayPublicKey,
        _: SignType,
        message: &[u8],
        signature: &[u8],
    ) -> alipay_openapi::Result<()> {
        // Cloned out of the slot so that the host may call back into the module.
        let Some(verify) = HOST_VERIFY.with(|slot| slot.borrow().clone()) else {
            return Err(Error::SignatureMismatch);
        };
        let (message, signature) = (Uint8Array::from(message).into(), Uint8Array::from(signature).into());
        match verify.call3(&JsValue::UNDEFINED, &message, &signature, &Uint8Array::from(key.spki_der()).into()) {
            Ok(verdict) if verdict.as_bool() == Some(true) => Ok(()),
            Ok(_) => Err(Error::SignatureMismatch),
            Err(thrown) => {
                HOST_THREW.with(|slot| {
                    slot.borrow_mut().get_or_insert(thrown);
                });
                Err(Error::SignatureMismatch)
            }
        }
    }
}

/// What the first run of a host verification records.
#[derive(Default)]
struct Recorded {
    sign_type: SignType,
    signature: Vec<u8>,
    messages: Vec<Vec<u8>>,
    spki: Vec<u8>,
}

/// A verifier that accepts nothing and records every message the core would check, in order, and
/// the key (one response or notification is checked with one key).
#[derive(Default)]
pub(crate) struct Recorder {
    recorded: Mutex<Recorded>,
}

impl KeyVerifier for Recorder {
    fn verify_with(
        &self,
        key: &AlipayPublicKey,
        sign_type: SignType,
        message: &[u8],
        signature: &[u8],
    ) -> alipay_openapi::Result<()> {
        let mut recorded =
            self.recorded.lock().map_err(|_| Error::SigningFailed("verifier state poisoned".to_owned()))?;
        if recorded.spki.is_empty() {
            recorded.spki = key.spki_der().to_vec();
        }
        recorded.sign_type = sign_type;
        recorded.signature = signature.to_vec();
        recorded.messages.push(message.to_vec());
        Err(Error::SignatureMismatch)
    }
}

impl Recorder {
    /// The messages to check; if the core stopped before checking any, its error.
    pub(crate) fn pending(&self, outcome: alipay_openapi::Result<()>) -> JsResult<PendingJs> {
        let recorded =
            self.recorded.lock().map_err(|_| Error::SigningFailed("verifier state poisoned".to_owned())).js()?;
        if recorded.messages.is_empty() {
            outcome.js()?;
        }
        Ok(convert::pending(recorded.sign_type, &recorded.signature, &recorded.messages, &recorded.spki))
    }
}

/// A verifier that replays the host's verdict: the call with index `verified` succeeds, no other.
pub(crate) struct Answer {
    verified: Option<usize>,
    calls: AtomicUsize,
}

impl Answer {
    pub(crate) fn new(verified: Option<u32>) -> Self {
        Answer { verified: verified.map(|i| i as usize), calls: AtomicUsize::new(0) }
    }
}

impl KeyVerifier for Answer {
    fn verify_with(&self, _: &AlipayPublicKey, _: SignType, _: &[u8], _: &[u8]) -> alipay_openapi::Result<()> {
        let call = self.calls.fetch_add(1, Ordering::Relaxed);
        if Some(call) == self.verified {
            Ok(())
        } else {
            Err(Error::SignatureMismatch)
        }
    }
}
