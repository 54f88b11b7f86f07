//! RSA PKCS#1 v1.5 signing and verification behind two small traits.
//!
//! The crate's own key types implement them with one of two backends:
//! - [`Backend::AwsLc`] (feature `aws-lc`, the default wherever it builds): AWS-LC, constant-time,
//!   about 0.9x OpenSSL's signing rate. It has no SHA-1 signing, so `RSA` (SHA1withRSA) signatures
//!   fall back to the portable backend.
//! - [`Backend::RustCrypto`]: the pure-Rust `rsa` crate (features `portable-signing` and
//!   `portable-verifying`), which also runs on wasm32. It is affected by RUSTSEC-2023-0071 (Marvin
//!   timing side channel); signing is blinded. Without those features its operations are
//!   [`Error::RsaUnavailable`] and the host's RSA does them.
//!
//! Hosts plug in their own implementation (Node's crypto, WebCrypto, a KMS or an HSM) by
//! implementing [`Signer`] or [`Verifier`], or by signing [`UnsignedRequest::sign_content_bytes`]
//! themselves.
//!
//! [`UnsignedRequest::sign_content_bytes`]: crate::UnsignedRequest::sign_content_bytes

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::keys::AlipayPublicKey;

/// The `sign_type` of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignType {
    /// `RSA2`: SHA256withRSA (recommended).
    #[default]
    Rsa2,
    /// `RSA`: SHA1withRSA (legacy).
    Rsa,
}

impl SignType {
    /// The value sent in `sign_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Rsa2 => "RSA2",
            SignType::Rsa => "RSA",
        }
    }
}

impl FromStr for SignType {
    type Err = Error;

    /// Accepts exactly `RSA2` and `RSA`, as the gateway does.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "RSA2" => Ok(SignType::Rsa2),
            "RSA" => Ok(SignType::Rsa),
            _ => Err(Error::UnsupportedSignType(s.to_owned())),
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Produces RSASSA-PKCS1-v1_5 signatures over message bytes (the hash is part of the job).
pub trait Signer: Send + Sync {
    /// Signs `message` with the hash `sign_type` names; returns the raw signature bytes.
    fn sign(&self, sign_type: SignType, message: &[u8]) -> Result<Vec<u8>>;
}

/// Checks RSASSA-PKCS1-v1_5 signatures over message bytes.
pub trait Verifier: Send + Sync {
    /// `Ok(())` if `signature` is valid for `message` under the hash `sign_type` names, else
    /// [`Error::SignatureMismatch`].
    fn verify(&self, sign_type: SignType, message: &[u8], signature: &[u8]) -> Result<()>;
}

/// Checks RSASSA-PKCS1-v1_5 signatures with a host's RSA (Node's `node:crypto`, WebCrypto, an HSM)
/// for the Alipay key the client picks: the Alipay public key, or in certificate mode the key of the
/// certificate a response names. See [`Client::with_key_verifier`](crate::Client::with_key_verifier).
pub trait KeyVerifier: Send + Sync {
    /// `Ok(())` if `signature` is valid for `message` under `key` and the hash `sign_type` names,
    /// else [`Error::SignatureMismatch`].
    fn verify_with(&self, key: &AlipayPublicKey, sign_type: SignType, message: &[u8], signature: &[u8]) -> Result<()>;
}

/// Which implementation of RSA a key uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// The pure-Rust `rsa` crate (portable, including wasm32).
    RustCrypto,
    /// AWS-LC through `aws-lc-rs` (native, constant-time).
    #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
    AwsLc,
}

impl Default for Backend {
    /// AWS-LC where the crate was built with it, otherwise the portable backend.
    fn default() -> Self {
        #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
        return Backend::AwsLc;
        #[cfg(not(all(feature = "aws-lc", not(target_arch = "wasm32"))))]
        return Backend::RustCrypto;
    }
}

#[cfg(feature = "portable-verifying")]
pub(crate) mod rust_crypto {
    //! The portable backend.

    #[cfg(feature = "portable-signing")]
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
    use rsa::{Pkcs1v15Sign, RsaPublicKey};
    use sha1::Sha1;
    use sha2::{Digest, Sha256};
    #[cfg(feature = "portable-signing")]
    use zeroize::Zeroizing;

    use super::SignType;
    use crate::error::{Error, Result};

    fn digest_and_scheme(sign_type: SignType, message: &[u8]) -> (Vec<u8>, Pkcs1v15Sign) {
        match sign_type {
            SignType::Rsa2 => (Sha256::digest(message).to_vec(), Pkcs1v15Sign::new::<Sha256>()),
            SignType::Rsa => (Sha1::digest(message).to_vec(), Pkcs1v15Sign::new::<Sha1>()),
        }
    }

    /// Signs with blinding. The blinding randomness comes from a ChaCha20 stream keyed by a secret
    /// derived from the private key and the message, so the core needs no entropy source (it stays
    /// sans-IO and runs on wasm32 unchanged) while every blinding factor stays unknown to anyone
    /// without the key. PKCS#1 v1.5 signatures are deterministic, so the output is unaffected.
    #[cfg(feature = "portable-signing")]
    pub(crate) fn sign(
        key: &rsa::RsaPrivateKey,
        blinding_secret: &[u8; 32],
        sign_type: SignType,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        let (digest, scheme) = digest_and_scheme(sign_type, message);
        let mut seed = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(&Sha256::new().chain_update(blinding_secret).chain_update(&digest).finalize());
        let mut rng = ChaCha20Rng::from_seed(*seed);
        key.sign_with_rng(&mut rng, scheme, &digest).map_err(|e| Error::SigningFailed(e.to_string()))
    }

    pub(crate) fn verify(key: &RsaPublicKey, sign_type: SignType, message: &[u8], signature: &[u8]) -> Result<()> {
        let (digest, scheme) = digest_and_scheme(sign_type, message);
        key.verify(scheme, &digest, signature).map_err(|_| Error::SignatureMismatch)
    }
}

#[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
pub(crate) mod aws_lc {
    //! The native constant-time backend.

    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{self, ParsedPublicKey, RsaKeyPair};

    use super::SignType;
    use crate::error::{Error, Result};

    pub(crate) fn sign(key: &RsaKeyPair, message: &[u8]) -> Result<Vec<u8>> {
        let mut signature = vec![0u8; key.public_modulus_len()];
        // PKCS#1 v1.5 draws no randomness from `rng`; AWS-LC blinds the private operation itself.
        key.sign(&signature::RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
            .map_err(|_| Error::SigningFailed("AWS-LC refused to sign".to_owned()))?;
        Ok(signature)
    }

    /// Public keys parsed once per hash, so verification does no parsing.
    pub(crate) struct PublicKeys {
        sha256: ParsedPublicKey,
        sha1: ParsedPublicKey,
    }

    impl PublicKeys {
        pub(crate) fn parse(pkcs1_der: &[u8]) -> Option<Self> {
            Some(PublicKeys {
                sha256: ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, pkcs1_der).ok()?,
                sha1: ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, pkcs1_der).ok()?,
            })
        }

        pub(crate) fn verify(&self, sign_type: SignType, message: &[u8], signature: &[u8]) -> Result<()> {
            let key = match sign_type {
                SignType::Rsa2 => &self.sha256,
                SignType::Rsa => &self.sha1,
            };
            key.verify_sig(message, signature).map_err(|_| Error::SignatureMismatch)
        }
    }
}
