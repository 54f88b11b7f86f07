//! RSA keys, typed by role so that the app key and the Alipay key cannot be swapped.
//!
//! Parse once and reuse: a key is an `Arc` inside, cheap to clone and safe to share between threads.
//! Accepted forms (detected, never declared): PKCS#1 or PKCS#8 private keys, SubjectPublicKeyInfo or
//! PKCS#1 public keys; PEM armour or bare base64 (as Alipay's key tool emits), with or without line
//! breaks, `\r\n` and surrounding whitespace; or DER bytes.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use base64::Engine as _;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::asn1::{self, DerError, DerResult, Oid, Reader, BIT_STRING, INTEGER, NULL, OCTET_STRING, OID, SEQUENCE};
#[cfg(feature = "portable-verifying")]
use crate::crypto::rust_crypto;
use crate::crypto::{Backend, SignType, Signer, Verifier};
use crate::error::{Error, KeyKind, Result};

/// Smallest accepted modulus. 1024-bit RSA has been disallowed for signatures by NIST since 2013
/// and Alipay issues 2048-bit keys for RSA2.
pub const MIN_KEY_BITS: usize = 2048;
/// Largest accepted modulus: bounds the cost of parsing and verifying with a hostile key, and is
/// the limit of the portable backend (so every host accepts the same keys).
pub const MAX_KEY_BITS: usize = 4096;

const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]; // 1.2.840.113549.1.1.1

/// Key roles. A role is a type parameter of [`PrivateKey`] and [`PublicKey`].
pub mod role {
    mod sealed {
        pub trait Sealed {}
    }

    /// A key role.
    pub trait Role: sealed::Sealed + Send + Sync + 'static {
        /// Human name of the key, used in Debug output.
        const NAME: &'static str;
    }

    /// The merchant application's key pair (应用私钥 / 应用公钥).
    #[derive(Debug)]
    pub enum App {}
    /// Alipay's key pair (支付宝公钥). Only the local test gateway ever holds the private half.
    #[derive(Debug)]
    pub enum Alipay {}

    impl sealed::Sealed for App {}
    impl sealed::Sealed for Alipay {}
    impl Role for App {
        const NAME: &'static str = "app";
    }
    impl Role for Alipay {
        const NAME: &'static str = "alipay";
    }
}

use role::Role;

/// The merchant's application private key: signs requests.
pub type AppPrivateKey = PrivateKey<role::App>;
/// Alipay's public key: verifies responses and notifications.
pub type AlipayPublicKey = PublicKey<role::Alipay>;

/// The DER structure a key came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyForm {
    /// PKCS#1 `RSAPrivateKey` / `RSAPublicKey`.
    Pkcs1,
    /// PKCS#8 `PrivateKeyInfo`.
    Pkcs8,
    /// X.509 `SubjectPublicKeyInfo` (`BEGIN PUBLIC KEY`).
    Spki,
}

/// The text (or binary) wrapping a key came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyEncoding {
    /// `-----BEGIN ...-----` armour.
    Pem,
    /// Bare base64 of the DER, as Alipay's console and key tool show it.
    Base64,
    /// Raw DER bytes.
    Der,
}

/// What was detected about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyInfo {
    /// DER structure.
    pub form: KeyForm,
    /// Text wrapping.
    pub encoding: KeyEncoding,
    /// Modulus size in bits.
    pub bits: usize,
}

/// An RSA private key in role `R`. Debug output never shows key material, and the material is
/// zeroized when the last clone is dropped.
pub struct PrivateKey<R: Role> {
    inner: Arc<PrivateInner>,
    role: PhantomData<fn() -> R>,
}

struct PrivateInner {
    info: KeyInfo,
    backend: Backend,
    /// The public numbers, big-endian magnitudes, for [`PrivateKey::public_key`].
    modulus: Vec<u8>,
    exponent: Vec<u8>,
    #[cfg(feature = "portable-signing")]
    rsa: rsa::RsaPrivateKey,
    #[cfg(feature = "portable-signing")]
    blinding_secret: Zeroizing<[u8; 32]>,
    #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
    aws_lc: Option<aws_lc_rs::signature::RsaKeyPair>,
}

/// An RSA public key in role `R`.
pub struct PublicKey<R: Role> {
    inner: Arc<PublicInner>,
    role: PhantomData<fn() -> R>,
}

struct PublicInner {
    info: KeyInfo,
    #[cfg(feature = "portable-verifying")]
    rsa: rsa::RsaPublicKey,
    /// SubjectPublicKeyInfo DER, encoded once: host verifiers are told the key with every message.
    spki: Vec<u8>,
    #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
    aws_lc: Option<crate::crypto::aws_lc::PublicKeys>,
}

impl<R: Role> Clone for PrivateKey<R> {
    fn clone(&self) -> Self {
        PrivateKey { inner: Arc::clone(&self.inner), role: PhantomData }
    }
}

impl<R: Role> Clone for PublicKey<R> {
    fn clone(&self) -> Self {
        PublicKey { inner: Arc::clone(&self.inner), role: PhantomData }
    }
}

impl<R: Role> fmt::Debug for PrivateKey<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("role", &R::NAME)
            .field("bits", &self.inner.info.bits)
            .field("backend", &self.inner.backend)
            .field("material", &"<redacted>")
            .finish()
    }
}

impl<R: Role> fmt::Debug for PublicKey<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("role", &R::NAME)
            .field("bits", &self.inner.info.bits)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

impl<R: Role> PrivateKey<R> {
    /// Parses a private key from text with the default [`Backend`].
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_with_backend(text, Backend::default())
    }

    /// Parses a private key from text with a chosen backend.
    pub fn parse_with_backend(text: &str, backend: Backend) -> Result<Self> {
        let (der, encoding) = unarmor(text, KeyKind::Private)?;
        Self::from_der_inner(&der, encoding, backend)
    }

    /// Parses a private key from DER bytes (PKCS#1 or PKCS#8) with the default backend.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_der_inner(der, KeyEncoding::Der, Backend::default())
    }

    fn from_der_inner(der: &[u8], encoding: KeyEncoding, backend: Backend) -> Result<Self> {
        let (pkcs1, form) = match classify(der, KeyKind::Private)? {
            Classified::Private { pkcs1, form } => (pkcs1, form),
            Classified::Public { form, .. } => {
                let what = if form == KeyForm::Spki { "SubjectPublicKeyInfo" } else { "PKCS#1" };
                return Err(Error::InvalidKey {
                    expected: KeyKind::Private,
                    reason: format!("this is an RSA public key ({what}); sign with the private half of the key pair"),
                });
            }
        };
        let invalid = |why: String| Error::InvalidKey { expected: KeyKind::Private, reason: why };
        let inconsistent = |why: String| invalid(format!("the RSA parameters are inconsistent ({why})"));
        let numbers = pkcs1_private(&pkcs1).map_err(|e| inconsistent(e.to_string()))?;
        // With portable signing the `rsa` crate checks the whole key; without it only the public
        // numbers are checked here (the private-key arithmetic is AWS-LC's or the host's).
        #[cfg(feature = "portable-signing")]
        let rsa: rsa::RsaPrivateKey = rsa::pkcs1::DecodeRsaPrivateKey::from_pkcs1_der(&pkcs1)
            .map_err(|e| inconsistent(rsa::Error::from(e).to_string()))?;
        #[cfg(not(feature = "portable-signing"))]
        check_public_numbers(&numbers).map_err(|e| inconsistent(e.to_owned()))?;
        let bits = bits_of(numbers.modulus);
        let (modulus, exponent) = (numbers.modulus.to_vec(), numbers.exponent.to_vec());
        #[cfg(feature = "portable-signing")]
        let blinding_secret = {
            let mut secret = Zeroizing::new([0u8; 32]);
            secret.copy_from_slice(
                &Sha256::new().chain_update(b"alipay-openapi blinding").chain_update(&*pkcs1).finalize(),
            );
            secret
        };
        #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
        let aws_lc = match backend {
            Backend::AwsLc => Some(
                aws_lc_rs::signature::RsaKeyPair::from_der(&pkcs1)
                    .map_err(|e| invalid(format!("AWS-LC rejected the key ({e})")))?,
            ),
            Backend::RustCrypto => None,
        };
        Ok(PrivateKey {
            inner: Arc::new(PrivateInner {
                info: KeyInfo { form, encoding, bits },
                backend,
                modulus,
                exponent,
                #[cfg(feature = "portable-signing")]
                rsa,
                #[cfg(feature = "portable-signing")]
                blinding_secret,
                #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
                aws_lc,
            }),
            role: PhantomData,
        })
    }

    /// What was detected about the key.
    pub fn info(&self) -> KeyInfo {
        self.inner.info
    }

    /// The backend that signs with this key.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// The public half, in the same role.
    pub fn public_key(&self) -> PublicKey<R> {
        let info = KeyInfo { form: KeyForm::Spki, encoding: KeyEncoding::Der, bits: self.inner.info.bits };
        PublicKey::from_numbers(&self.inner.modulus, &self.inner.exponent, info)
    }
}

impl<R: Role> Signer for PrivateKey<R> {
    fn sign(&self, sign_type: SignType, message: &[u8]) -> Result<Vec<u8>> {
        #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
        if let (SignType::Rsa2, Some(key)) = (sign_type, &self.inner.aws_lc) {
            return crate::crypto::aws_lc::sign(key, message);
        }
        #[cfg(feature = "portable-signing")]
        return rust_crypto::sign(&self.inner.rsa, &self.inner.blinding_secret, sign_type, message);
        #[cfg(not(feature = "portable-signing"))]
        {
            let _ = message; // the host signs it instead
            Err(Error::RsaUnavailable(format!(
                "{sign_type} signing needs AWS-LC or the cargo feature `portable-signing`; sign `sign_content_bytes` \
                 with the host's RSA"
            )))
        }
    }
}

impl<R: Role> PublicKey<R> {
    /// Parses a public key from text.
    pub fn parse(text: &str) -> Result<Self> {
        let (der, encoding) = unarmor(text, KeyKind::Public)?;
        Self::from_der_inner(&der, encoding)
    }

    /// Parses a public key from DER bytes (SubjectPublicKeyInfo or PKCS#1).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_der_inner(der, KeyEncoding::Der)
    }

    fn from_der_inner(der: &[u8], encoding: KeyEncoding) -> Result<Self> {
        let (pkcs1, form) = match classify(der, KeyKind::Public)? {
            Classified::Public { pkcs1, form } => (pkcs1, form),
            Classified::Private { .. } => {
                return Err(Error::InvalidKey {
                    expected: KeyKind::Public,
                    reason: "this is a private key; verification needs the public key (for responses: the \
                             Alipay public key from the console, not the app key)"
                        .to_owned(),
                })
            }
        };
        let invalid = |why: String| Error::InvalidKey { expected: KeyKind::Public, reason: why };
        let numbers = pkcs1_public(&pkcs1).map_err(|e| invalid(format!("the key cannot be read ({e})")))?;
        check_public_numbers(&numbers).map_err(|e| invalid(format!("the RSA parameters are invalid ({e})")))?;
        let info = KeyInfo { form, encoding, bits: bits_of(numbers.modulus) };
        Ok(Self::from_numbers(numbers.modulus, numbers.exponent, info))
    }

    /// The key of checked public numbers (big-endian magnitudes).
    fn from_numbers(modulus: &[u8], exponent: &[u8], info: KeyInfo) -> Self {
        let pkcs1 = encode_pkcs1_public(modulus, exponent);
        #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
        let aws_lc = crate::crypto::aws_lc::PublicKeys::parse(&pkcs1);
        let spki = encode_spki(&pkcs1);
        PublicKey {
            inner: Arc::new(PublicInner {
                info,
                #[cfg(feature = "portable-verifying")]
                rsa: rsa::RsaPublicKey::new_unchecked(
                    rsa::BigUint::from_bytes_be(modulus),
                    rsa::BigUint::from_bytes_be(exponent),
                ),
                spki,
                #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
                aws_lc,
            }),
            role: PhantomData,
        }
    }

    /// What was detected about the key.
    pub fn info(&self) -> KeyInfo {
        self.inner.info
    }

    /// The key as SubjectPublicKeyInfo DER (the form Alipay's console takes, base64-encoded).
    pub fn spki_der(&self) -> &[u8] {
        &self.inner.spki
    }

    /// Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.
    pub fn fingerprint(&self) -> String {
        Sha256::digest(self.spki_der()).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Verifies with the portable backend, whatever the default; for cross-checking backends, and
    /// where AWS-LC is not built. Without the cargo feature `portable-verifying` this is
    /// [`Error::RsaUnavailable`]: the host's RSA verifies the pending check instead.
    pub fn verify_portable(&self, sign_type: SignType, message: &[u8], signature: &[u8]) -> Result<()> {
        #[cfg(feature = "portable-verifying")]
        return rust_crypto::verify(&self.inner.rsa, sign_type, message, signature);
        #[cfg(not(feature = "portable-verifying"))]
        {
            let _ = (message, signature);
            Err(Error::RsaUnavailable(format!(
                "{sign_type} verification needs AWS-LC or the cargo feature `portable-verifying`; verify the pending \
                 check with the host's RSA"
            )))
        }
    }
}

impl<R: Role> Verifier for PublicKey<R> {
    fn verify(&self, sign_type: SignType, message: &[u8], signature: &[u8]) -> Result<()> {
        #[cfg(all(feature = "aws-lc", not(target_arch = "wasm32")))]
        if let Some(keys) = &self.inner.aws_lc {
            return keys.verify(sign_type, message, signature);
        }
        self.verify_portable(sign_type, message, signature)
    }
}

/// Removes PEM armour or decodes bare base64; the result is DER.
fn unarmor(text: &str, expected: KeyKind) -> Result<(Zeroizing<Vec<u8>>, KeyEncoding)> {
    let invalid = |reason: String| Error::InvalidKey { expected, reason };
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("the key text is empty".to_owned()));
    }
    let (body, encoding) = if let Some(rest) = text.strip_prefix("-----BEGIN ") {
        let (label, rest) = rest
            .split_once("-----")
            .ok_or_else(|| invalid("the PEM BEGIN line is not closed by `-----`".to_owned()))?;
        match label {
            "RSA PRIVATE KEY" | "PRIVATE KEY" | "PUBLIC KEY" | "RSA PUBLIC KEY" => {}
            "ENCRYPTED PRIVATE KEY" => return Err(invalid(
                "the private key is password-encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)"
                    .to_owned(),
            )),
            "CERTIFICATE" => {
                return Err(invalid(
                    "this is a certificate; in public-key-certificate mode load it as a certificate".to_owned(),
                ))
            }
            other => return Err(invalid(format!("unexpected PEM label `{other}`"))),
        }
        let end = format!("-----END {label}-----");
        let (body, _) =
            rest.split_once(end.as_str()).ok_or_else(|| invalid(format!("the PEM is truncated: no `{end}` line")))?;
        if body.contains("Proc-Type:") {
            return Err(invalid("the private key is password-encrypted (legacy PEM encryption)".to_owned()));
        }
        (body, KeyEncoding::Pem)
    } else {
        (text, KeyEncoding::Base64)
    };
    let compact: Zeroizing<String> = Zeroizing::new(body.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| invalid("the key text is neither PEM nor valid base64".to_owned()))?;
    Ok((Zeroizing::new(der), encoding))
}

enum Classified {
    Private { pkcs1: Zeroizing<Vec<u8>>, form: KeyForm },
    Public { pkcs1: Vec<u8>, form: KeyForm },
}

/// Detects the DER structure and checks the modulus size before any expensive key setup.
fn classify(der: &[u8], expected: KeyKind) -> Result<Classified> {
    let unknown = || Error::InvalidKey {
        expected,
        reason: "the bytes are not an RSA key in PKCS#1, PKCS#8 or SubjectPublicKeyInfo form".to_owned(),
    };
    let not_rsa = |what: &str, algorithm: Oid<'_>| Error::InvalidKey {
        expected,
        reason: format!("{what} of algorithm {algorithm} is not RSA"),
    };
    if let Ok((algorithm, pkcs1)) = pkcs8_private(der) {
        if algorithm.0 != RSA_ENCRYPTION {
            return Err(not_rsa("a PKCS#8 key", algorithm));
        }
        check_bits(pkcs1_private(pkcs1).map_err(|_| unknown())?.modulus)?;
        return Ok(Classified::Private { pkcs1: Zeroizing::new(pkcs1.to_vec()), form: KeyForm::Pkcs8 });
    }
    if let Ok(key) = pkcs1_private(der) {
        check_bits(key.modulus)?;
        return Ok(Classified::Private { pkcs1: Zeroizing::new(der.to_vec()), form: KeyForm::Pkcs1 });
    }
    if let Ok((algorithm, pkcs1)) = spki(der) {
        if algorithm.0 != RSA_ENCRYPTION {
            return Err(not_rsa("a public key", algorithm));
        }
        check_bits(pkcs1_public(pkcs1).map_err(|_| unknown())?.modulus)?;
        return Ok(Classified::Public { pkcs1: pkcs1.to_vec(), form: KeyForm::Spki });
    }
    if let Ok(key) = pkcs1_public(der) {
        check_bits(key.modulus)?;
        return Ok(Classified::Public { pkcs1: der.to_vec(), form: KeyForm::Pkcs1 });
    }
    Err(unknown())
}

/// The public numbers of a PKCS#1 key, as big-endian magnitudes.
struct RsaNumbers<'a> {
    modulus: &'a [u8],
    exponent: &'a [u8],
}

/// PKCS#1 `RSAPrivateKey` with two primes (version 0): the version and eight INTEGERs.
fn pkcs1_private(der: &[u8]) -> DerResult<RsaNumbers<'_>> {
    let mut fields = Reader::new(asn1::single(der, SEQUENCE, "an RSAPrivateKey is not a SEQUENCE")?);
    let mut integer = || asn1::unsigned(fields.next(INTEGER, "an RSAPrivateKey field is not an INTEGER")?);
    if !integer()?.is_empty() {
        return Err(DerError("only two-prime RSA private keys (version 0) are read"));
    }
    let (modulus, exponent) = (integer()?, integer()?);
    for _ in 0..6 {
        integer()?; // d, p, q, d mod (p-1), d mod (q-1), q^-1 mod p
    }
    fields.end()?;
    Ok(RsaNumbers { modulus, exponent })
}

/// PKCS#1 `RSAPublicKey`: the modulus and the public exponent.
fn pkcs1_public(der: &[u8]) -> DerResult<RsaNumbers<'_>> {
    let mut fields = Reader::new(asn1::single(der, SEQUENCE, "an RSAPublicKey is not a SEQUENCE")?);
    let modulus = asn1::unsigned(fields.next(INTEGER, "the modulus is not an INTEGER")?)?;
    let exponent = asn1::unsigned(fields.next(INTEGER, "the public exponent is not an INTEGER")?)?;
    fields.end()?;
    Ok(RsaNumbers { modulus, exponent })
}

/// PKCS#8 `PrivateKeyInfo` (v1, or v2 with its public key): the algorithm and the inner key.
fn pkcs8_private(der: &[u8]) -> DerResult<(Oid<'_>, &[u8])> {
    let mut fields = Reader::new(asn1::single(der, SEQUENCE, "a PrivateKeyInfo is not a SEQUENCE")?);
    let version = asn1::unsigned(fields.next(INTEGER, "the PKCS#8 version is not an INTEGER")?)?;
    let algorithm = asn1::algorithm(fields.next(SEQUENCE, "the PKCS#8 algorithm is not a SEQUENCE")?)?;
    let key = fields.next(OCTET_STRING, "the PKCS#8 key is not an OCTET STRING")?;
    fields.optional(asn1::explicit(0))?; // attributes
    let public_key = fields.optional(asn1::implicit(1))?;
    fields.end()?;
    match (version, public_key) {
        ([], None) | ([1], Some(_)) => Ok((algorithm, key)),
        _ => Err(DerError("the PKCS#8 version does not match the presence of a public key")),
    }
}

/// X.509 `SubjectPublicKeyInfo`: the algorithm and the key's bytes.
fn spki(der: &[u8]) -> DerResult<(Oid<'_>, &[u8])> {
    let mut fields = Reader::new(asn1::single(der, SEQUENCE, "a SubjectPublicKeyInfo is not a SEQUENCE")?);
    let algorithm = asn1::algorithm(fields.next(SEQUENCE, "the key algorithm is not a SEQUENCE")?)?;
    let key = asn1::whole_bytes(fields.next(BIT_STRING, "the public key is not a BIT STRING")?)?;
    fields.end()?;
    Ok((algorithm, key))
}

fn encode_pkcs1_public(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    asn1::encode(SEQUENCE, &[&asn1::encode_unsigned(modulus), &asn1::encode_unsigned(exponent)])
}

/// The SubjectPublicKeyInfo of a PKCS#1 public key (rsaEncryption with NULL parameters).
fn encode_spki(pkcs1: &[u8]) -> Vec<u8> {
    let algorithm = asn1::encode(SEQUENCE, &[&asn1::encode(OID, &[RSA_ENCRYPTION]), &asn1::encode(NULL, &[])]);
    asn1::encode(SEQUENCE, &[&algorithm, &asn1::encode(BIT_STRING, &[&[0], pkcs1])])
}

/// The size in bits of a big-endian magnitude.
fn bits_of(magnitude: &[u8]) -> usize {
    let significant =
        magnitude.iter().position(|&b| b != 0).map_or(&[][..], |i| magnitude.get(i..).unwrap_or_default());
    match significant.first() {
        Some(first) => (significant.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

/// The checks the `rsa` crate makes of public numbers, in its order and words, made here for every
/// build so that each accepts the same keys (the modulus size was checked already): an exponent
/// that fits 64 bits, an odd modulus, an odd exponent from 3 up to 2^33 - 1.
fn check_public_numbers(numbers: &RsaNumbers<'_>) -> std::result::Result<(), &'static str> {
    const MAX_EXPONENT: u64 = (1 << 33) - 1;
    if bits_of(numbers.exponent) > 64 {
        return Err("public exponent too large");
    }
    let exponent = numbers.exponent.iter().fold(0u64, |value, &byte| value << 8 | u64::from(byte));
    if numbers.modulus.last().is_none_or(|last| last & 1 == 0) {
        return Err("invalid modulus");
    }
    if exponent % 2 == 0 {
        return Err("invalid exponent");
    }
    if exponent < 2 {
        return Err("public exponent too small");
    }
    if exponent > MAX_EXPONENT {
        return Err("public exponent too large");
    }
    Ok(())
}

fn check_bits(modulus_be: &[u8]) -> Result<()> {
    let bits = bits_of(modulus_be);
    if (MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
        Ok(())
    } else {
        Err(Error::UnsupportedKeySize { bits, min: MIN_KEY_BITS, max: MAX_KEY_BITS })
    }
}
