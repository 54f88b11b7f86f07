//! The npm package's RSA add-on (`alipay-openapi/fallback`): a second, small WebAssembly module
//! that signs and verifies with the core's portable RSA, for hosts with neither node:crypto nor
//! WebCrypto. The main module carries no RSA arithmetic; it hands the add-on the bytes to sign
//! (`signContentBytes`) and the checks of a pending verification exactly as it hands them to a
//! host's crypto, and takes the signature or the verdict back (`attachSignature`, `finish`).
//! Protocol rules stay in the main module: this one only signs and verifies.

use alipay_openapi::{AlipayPublicKey, AppPrivateKey, SignType, Signer};
use wasm_bindgen::prelude::*;

/// The app private key, parsed once per client.
#[wasm_bindgen]
pub struct RsaSigner {
    key: AppPrivateKey,
    sign_type: SignType,
}

impl std::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaSigner").field("key", &self.key).field("sign_type", &self.sign_type).finish()
    }
}

#[wasm_bindgen]
impl RsaSigner {
    /// `private_key` is the key text the main module already accepted; `sign_type` is `RSA2` or `RSA`.
    #[wasm_bindgen(constructor)]
    pub fn new(private_key: &str, sign_type: &str) -> Result<RsaSigner, JsError> {
        let sign_type = sign_type.parse::<SignType>().map_err(|e| JsError::new(&e.to_string()))?;
        let key = AppPrivateKey::parse(private_key).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(RsaSigner { key, sign_type })
    }

    /// The raw RSASSA-PKCS1-v1_5 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JsError> {
        self.key.sign(self.sign_type, message).map_err(|e| JsError::new(&e.to_string()))
    }
}

/// An Alipay public key, parsed once from the SubjectPublicKeyInfo DER the engine names in a check.
#[wasm_bindgen]
#[derive(Debug)]
pub struct RsaVerifier {
    key: AlipayPublicKey,
}

#[wasm_bindgen]
impl RsaVerifier {
    #[wasm_bindgen(constructor)]
    pub fn new(spki: &[u8]) -> Result<RsaVerifier, JsError> {
        let key = AlipayPublicKey::from_der(spki).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(RsaVerifier { key })
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature of `message` with the hash
    /// `sign_type` names. A sign type the engine would not hand out is `false`, as a host's crypto
    /// would answer.
    pub fn verify(&self, sign_type: &str, message: &[u8], signature: &[u8]) -> bool {
        let Ok(sign_type) = sign_type.parse::<SignType>() else { return false };
        self.key.verify_portable(sign_type, message, signature).is_ok()
    }
}
