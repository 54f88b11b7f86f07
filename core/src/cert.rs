//! Public-key-certificate mode (公钥证书模式): certificate serial numbers (SNs), Alipay
//! certificates, and checking a downloaded certificate against the Alipay root bundle.
//!
//! An SN is the lowercase hex MD5 of the certificate's issuer name, written as Java's
//! `X500Principal.getName()` writes it (the gateway is Java), followed by the serial number in
//! decimal. Requests carry `app_cert_sn` (the app certificate's SN) and `alipay_root_cert_sn` (the
//! SNs of the RSA-signed roots of the bundle, in file order, joined by `_`); responses name the
//! Alipay certificate that signed them in `alipay_cert_sn`.
//!
//! ```
//! # let root_bundle = include_str!("../../tests/vectors/certs/alipayRootCert.crt");
//! let root_sn = alipay_openapi::cert::root_cert_sn(root_bundle)?;
//! assert_eq!(root_sn, "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6");
//! # Ok::<(), alipay_openapi::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::asn1::{
    self, DerError, DerResult, Oid, Reader, BIT_STRING, BMP_STRING, BOOLEAN, IA5_STRING, INTEGER, OCTET_STRING, OID,
    PRINTABLE_STRING, SEQUENCE, SET, TELETEX_STRING, UTF8_STRING,
};
use crate::crypto::SignType;
use crate::error::{Error, Result};
use crate::keys::role::{self, Role};
use crate::keys::{AlipayPublicKey, PublicKey};
use crate::response::VerifiedResponse;
use crate::time::Timestamp;
use crate::verify::{ChainCheck, ChainLink, SignatureCheck};
use base64::Engine as _;
use md5::{Digest, Md5};

/// The method that downloads an Alipay certificate by SN.
pub const DOWNLOAD_METHOD: &str = "alipay.open.app.alipaycert.download";

/// Signature algorithms of the PKCS#1 RSA family (sha1WithRSA, sha256WithRSA, ...).
const RSA_SIGNATURE_PREFIX: &str = "1.2.840.113549.1.1.";
const SHA256_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]; // 1.2.840.113549.1.1.11
const SHA1_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05]; // 1.2.840.113549.1.1.5
const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13]; // 2.5.29.19

/// The SN of the first certificate in `pem` (e.g. `app_cert_sn` from the app certificate, or the
/// SN of an Alipay public certificate).
pub fn cert_sn(pem: &str) -> Result<String> {
    let blocks = pem_blocks(pem)?;
    let first = blocks.first().ok_or_else(no_certificate)?;
    let raw = RawCertificate::parse(first).map_err(|e| invalid(format!("the certificate is not X.509 DER ({e})")))?;
    sn(raw.issuer, raw.serial)
}

/// `alipay_root_cert_sn`: the SNs of the bundle's RSA-signed certificates, in file order, joined by
/// `_`. Certificates signed otherwise (the SM2 and ECDSA roots of Alipay's bundle) are skipped,
/// even when they are not strictly valid X.509.
pub fn root_cert_sn(pem: &str) -> Result<String> {
    let mut sns = Vec::new();
    for der in pem_blocks(pem)? {
        let Ok(raw) = RawCertificate::parse(&der) else { continue };
        if raw.signature_algorithm.to_string().starts_with(RSA_SIGNATURE_PREFIX) {
            sns.push(sn(raw.issuer, raw.serial)?);
        }
    }
    if sns.is_empty() {
        return Err(invalid("the root bundle holds no RSA-signed certificate".to_owned()));
    }
    Ok(sns.join("_"))
}

/// A parsed X.509 certificate with an RSA key in role `R`: its SN, key, names and validity.
#[derive(Debug)]
pub struct Certificate<R: Role> {
    sn: String,
    public_key: PublicKey<R>,
    subject: String,
    issuer: String,
    not_before: Timestamp,
    not_after: Timestamp,
}

/// An Alipay public certificate (`alipayCertPublicKey_RSA2.crt`): its key verifies responses.
pub type AlipayCertificate = Certificate<role::Alipay>;
/// An app certificate (`appCertPublicKey_<APPID>.crt`): the gateway verifies requests with its key.
pub type AppCertificate = Certificate<role::App>;

impl<R: Role> Clone for Certificate<R> {
    fn clone(&self) -> Self {
        Certificate {
            sn: self.sn.clone(),
            public_key: self.public_key.clone(),
            subject: self.subject.clone(),
            issuer: self.issuer.clone(),
            not_before: self.not_before,
            not_after: self.not_after,
        }
    }
}

impl<R: Role> Certificate<R> {
    /// Parses the first certificate of `pem` (any further ones, such as the intermediate that
    /// follows an Alipay certificate, are ignored here). Its key must be RSA.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let blocks = pem_blocks(pem)?;
        let first = blocks.first().ok_or_else(no_certificate)?;
        Parsed::new(first.clone(), 1)?.certificate()
    }

    /// The certificate's SN (`app_cert_sn`, or the `alipay_cert_sn` of responses it verifies).
    pub fn sn(&self) -> &str {
        &self.sn
    }

    /// The subject's public key.
    pub fn public_key(&self) -> &PublicKey<R> {
        &self.public_key
    }

    /// The subject name, in the RFC 2253 form Java prints.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The issuer name, in the RFC 2253 form Java prints (the text hashed into the SN).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> Timestamp {
        self.not_before
    }

    /// End of the validity period.
    pub fn not_after(&self) -> Timestamp {
        self.not_after
    }

    /// `not_before <= now <= not_after`.
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// The three certificate files of an app in certificate mode, read once: the SNs every request
/// carries, the Alipay certificate, and the roots that downloaded certificates must chain to.
#[derive(Clone)]
pub struct CertificateMode {
    app_cert_sn: String,
    alipay_root_cert_sn: String,
    alipay_certificate: AlipayCertificate,
    roots: Arc<[Anchor]>,
}

impl fmt::Debug for CertificateMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateMode")
            .field("app_cert_sn", &self.app_cert_sn)
            .field("alipay_root_cert_sn", &self.alipay_root_cert_sn)
            .field("alipay_cert_sn", &self.alipay_certificate.sn)
            .field("roots", &self.roots.iter().map(|r| r.subject_text.as_str()).collect::<Vec<_>>())
            .finish()
    }
}

impl CertificateMode {
    /// Reads the app certificate (`appCertPublicKey_<APPID>.crt`), the Alipay certificate
    /// (`alipayCertPublicKey_RSA2.crt`) and the root bundle (`alipayRootCert.crt`), all PEM.
    ///
    /// The Alipay certificate is trusted as configured (as the official SDKs do; its chain is not
    /// checked, so a sandbox certificate works with any bundle). Certificates added later, e.g.
    /// after a rotation, must chain to an RSA root of the bundle.
    pub fn from_pem(app_cert_pem: &str, alipay_cert_pem: &str, alipay_root_cert_pem: &str) -> Result<Self> {
        let in_file = |file: &'static str| move |e: Error| in_file(file, e);
        let app_cert_sn = cert_sn(app_cert_pem).map_err(in_file("app certificate"))?;
        let alipay_certificate = AlipayCertificate::from_pem(alipay_cert_pem).map_err(in_file("Alipay certificate"))?;
        let alipay_root_cert_sn = root_cert_sn(alipay_root_cert_pem).map_err(in_file("root bundle"))?;
        let roots: Vec<Anchor> = pem_blocks(alipay_root_cert_pem)?
            .into_iter()
            .enumerate()
            .filter_map(|(i, der)| Parsed::new(der, i + 1).ok()?.anchor())
            .collect();
        Ok(CertificateMode { app_cert_sn, alipay_root_cert_sn, alipay_certificate, roots: roots.into() })
    }

    /// `app_cert_sn`, sent with every request.
    pub fn app_cert_sn(&self) -> &str {
        &self.app_cert_sn
    }

    /// `alipay_root_cert_sn`, sent with every request.
    pub fn alipay_root_cert_sn(&self) -> &str {
        &self.alipay_root_cert_sn
    }

    /// The configured Alipay certificate. Its key verifies responses without `alipay_cert_sn` and
    /// notifications (which carry no usable SN).
    pub fn alipay_certificate(&self) -> &AlipayCertificate {
        &self.alipay_certificate
    }

    /// Checks an Alipay certificate chain (`pem`: the certificate first, then any intermediates)
    /// against the root bundle at `now`: each certificate is issued (by name, and by an RSA
    /// signature, sha256WithRSA or sha1WithRSA) by the next one up, intermediates are CAs, every
    /// certificate below the root is valid at `now`, and the top one is issued by an RSA root of
    /// the bundle. As in RFC 5280, a root is a trust anchor: its own dates are not checked.
    /// The signatures are checked with this crate's RSA; see [`begin_check_certificate`](Self::begin_check_certificate).
    pub fn check_certificate(&self, pem: &str, now: Timestamp) -> Result<AlipayCertificate> {
        self.begin_check_certificate(pem, now)?.finish_own()
    }

    /// [`check_certificate`](Self::check_certificate) in two stages: every check but the RSA
    /// operations happens here, and the certificates' signatures are left to the returned
    /// [`ChainCheck`].
    pub fn begin_check_certificate(&self, pem: &str, now: Timestamp) -> Result<ChainCheck<AlipayCertificate>> {
        let (certificate, checks, links) = self.chain(pem, now)?;
        Ok(ChainCheck::new(checks, links, move || Ok(certificate)))
    }

    /// The leaf of the chain `pem`, once every check but the RSA ones passed, and those checks.
    pub(crate) fn chain(
        &self,
        pem: &str,
        now: Timestamp,
    ) -> Result<(AlipayCertificate, Vec<SignatureCheck>, Vec<ChainLink>)> {
        let chain: Vec<Parsed> =
            pem_blocks(pem)?.into_iter().enumerate().map(|(i, der)| Parsed::new(der, i + 1)).collect::<Result<_>>()?;
        let leaf = chain.first().ok_or_else(no_certificate)?;
        let certificate = leaf.certificate()?;
        let (mut checks, mut links) = (Vec::new(), Vec::new());
        let mut link = |checks: &mut Vec<SignatureCheck>, signed: &Parsed, keys: Vec<AlipayPublicKey>, failure| {
            let start = checks.len();
            for key in keys {
                checks.push(signed.signature_check(key)?);
            }
            links.push(ChainLink { checks: start..checks.len(), failure });
            Ok::<_, Error>(())
        };
        let mut current = leaf;
        for _ in 0..chain.len() {
            current.check_validity(now)?;
            let issuer = &current.issuer_der;
            let roots: Vec<AlipayPublicKey> =
                self.roots.iter().filter(|r| &r.subject == issuer).map(|r| r.key.clone()).collect();
            if !roots.is_empty() {
                let failure = format!(
                    "the signature of `{}` does not verify with the key of the root `{}`",
                    current.subject, current.issuer
                );
                link(&mut checks, current, roots, failure)?;
                return Ok((certificate, checks, links));
            }
            let parent =
                chain.iter().skip(1).find(|c| &c.subject_der == issuer && !std::ptr::eq(*c, current)).ok_or_else(
                    || {
                        invalid(format!(
                            "`{}` is issued by `{}`, which is neither a root of the bundle nor in the chain",
                            current.subject, current.issuer
                        ))
                    },
                )?;
            parent.check_is_ca()?;
            let failure = format!(
                "the signature of `{}` does not verify with the key of its issuer `{}`",
                current.subject, current.issuer
            );
            link(&mut checks, current, vec![parent.public_key()?], failure)?;
            current = parent;
        }
        Err(invalid(format!("the chain of `{}` does not reach a root of the bundle", leaf.subject)))
    }
}

/// The PEM text of the certificate in a verified `alipay.open.app.alipaycert.download` response
/// (its `alipay_cert_content` is base64 of the PEM). A gateway error becomes [`Error::Gateway`].
pub fn downloaded_certificate_pem(response: &VerifiedResponse) -> Result<String> {
    let expected = crate::response::response_node_key(DOWNLOAD_METHOD);
    if response.node_key() != expected && response.node_key() != "error_response" {
        return Err(invalid(format!("`{}` is not the answer to {DOWNLOAD_METHOD}", response.node_key())));
    }
    let response = response.clone().into_success()?;
    let content = match response.value().get("alipay_cert_content") {
        Some(serde_json::Value::String(content)) => content,
        _ => return Err(invalid("the download response has no `alipay_cert_content`".to_owned())),
    };
    let compact: String = content.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| invalid("`alipay_cert_content` is not base64".to_owned()))?;
    String::from_utf8(bytes).map_err(|_| invalid("`alipay_cert_content` does not hold PEM text".to_owned()))
}

/// The Alipay keys a client knows, by SN; shared by the clones of a client.
#[derive(Debug)]
pub(crate) struct KeyRing {
    pub(crate) mode: CertificateMode,
    keys: RwLock<BTreeMap<String, AlipayPublicKey>>,
}

impl KeyRing {
    pub(crate) fn new(mode: CertificateMode) -> Self {
        let configured = &mode.alipay_certificate;
        let keys = BTreeMap::from([(configured.sn.clone(), configured.public_key.clone())]);
        KeyRing { mode, keys: RwLock::new(keys) }
    }

    /// The key for `sn`; an unknown SN is [`Error::UnknownCertSn`].
    pub(crate) fn key(&self, sn: &str) -> Result<AlipayPublicKey> {
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        keys.get(sn).cloned().ok_or_else(|| Error::UnknownCertSn(sn.to_owned()))
    }

    pub(crate) fn insert(&self, certificate: &AlipayCertificate) {
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        keys.insert(certificate.sn.clone(), certificate.public_key.clone());
    }

    pub(crate) fn sns(&self) -> Vec<String> {
        self.keys.read().unwrap_or_else(PoisonError::into_inner).keys().cloned().collect()
    }
}

fn invalid(why: String) -> Error {
    Error::InvalidCertificate(why)
}

fn no_certificate() -> Error {
    invalid("no `-----BEGIN CERTIFICATE-----` block found".to_owned())
}

fn in_file(file: &str, error: Error) -> Error {
    match error {
        Error::InvalidCertificate(why) => invalid(format!("{file}: {why}")),
        other => other,
    }
}

/// The DER of every `CERTIFICATE` block, in file order; text around the blocks is ignored.
fn pem_blocks(pem: &str) -> Result<Vec<Vec<u8>>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut blocks = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let after = rest.get(start + BEGIN.len()..).unwrap_or_default();
        let (body, tail) = after
            .split_once(END)
            .ok_or_else(|| invalid(format!("certificate {} is truncated: no `{END}` line", blocks.len() + 1)))?;
        let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|_| invalid(format!("certificate {} is not valid base64", blocks.len() + 1)))?;
        blocks.push(der);
        rest = tail;
    }
    if blocks.is_empty() {
        return Err(no_certificate());
    }
    Ok(blocks)
}

/// The fields a certificate's SN and signature need, read by a tolerant walk that does not judge
/// the rest (a strict reading refuses some roots of Alipay's bundle).
struct RawCertificate<'a> {
    tbs: &'a [u8],
    signature_algorithm: Oid<'a>,
    signature: &'a [u8],
    serial: &'a [u8],
    issuer: &'a [u8],
}

impl<'a> RawCertificate<'a> {
    fn parse(der: &'a [u8]) -> DerResult<Self> {
        let mut certificate = Reader::new(Reader::new(der).next(SEQUENCE, "the certificate is not a SEQUENCE")?);
        let tbs = certificate.any()?.encoded;
        let signature_algorithm =
            asn1::algorithm(certificate.next(SEQUENCE, "the signature algorithm is not a SEQUENCE")?)?;
        let signature = certificate.next(BIT_STRING, "the signature is not a BIT STRING")?;
        let signature = signature.get(1..).ok_or(DerError("the signature BIT STRING is empty"))?;
        certificate.end()?;
        let mut fields = Reader::new(Reader::new(tbs).next(SEQUENCE, "the signed part is not a SEQUENCE")?);
        if fields.peek() != Some(INTEGER) {
            fields.any()?; // [0] EXPLICIT version
        }
        let serial = fields.next(INTEGER, "the serial number is not an INTEGER")?;
        fields.any()?; // the signature algorithm, repeated
        let issuer = fields.any()?.encoded;
        Ok(RawCertificate { tbs, signature_algorithm, signature, serial, issuer })
    }
}

/// The SN: MD5 of the issuer as Java writes it followed by the serial number in decimal.
fn sn(issuer: &[u8], serial: &[u8]) -> Result<String> {
    let issuer = java_name(issuer).map_err(|e| invalid(format!("the issuer name cannot be read ({e})")))?;
    Ok(sn_of_name(&issuer, serial))
}

fn sn_of_name(issuer: &str, serial: &[u8]) -> String {
    let digest = Md5::digest(format!("{issuer}{}", asn1::decimal(serial)));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A strictly read X.509 v1-v3 certificate, for chain checks: every field of the signed part is
/// checked for its type and DER form, the names and times are read, and nothing may follow.
struct Parsed {
    sn: String,
    tbs: Vec<u8>,
    signature: Vec<u8>,
    signature_algorithm: Vec<u8>,
    /// The algorithm the signed part names, which must be the one above.
    signed_algorithm: Vec<u8>,
    issuer_der: Vec<u8>,
    issuer: String,
    subject_der: Vec<u8>,
    subject: String,
    spki: Vec<u8>,
    not_before: Timestamp,
    not_after: Timestamp,
    is_ca: bool,
}

impl Parsed {
    /// `position` (1-based, in its file) names the certificate in errors.
    fn new(der: Vec<u8>, position: usize) -> Result<Self> {
        Self::read(&der).map_err(|e| invalid(format!("certificate {position} is not a valid X.509 certificate ({e})")))
    }

    fn read(der: &[u8]) -> DerResult<Self> {
        let raw = RawCertificate::parse(der)?;
        asn1::single(der, SEQUENCE, "the certificate is not a SEQUENCE")?;
        let mut fields = Reader::new(asn1::single(raw.tbs, SEQUENCE, "the signed part is not a SEQUENCE")?);
        if let Some(version) = fields.optional(asn1::explicit(0))? {
            let version = asn1::unsigned(asn1::single(version, INTEGER, "the version is not an INTEGER")?)?;
            if !matches!(version, [] | [1] | [2]) {
                return Err(DerError("the version is not v1, v2 or v3"));
            }
        }
        asn1::integer(fields.next(INTEGER, "the serial number is not an INTEGER")?)?;
        let signed_algorithm = asn1::algorithm(fields.next(SEQUENCE, "the signature algorithm is not a SEQUENCE")?)?;
        let issuer_der = fields.any()?.encoded;
        let mut validity = Reader::new(fields.next(SEQUENCE, "the validity is not a SEQUENCE")?);
        let (not_before, not_after) = (asn1::time(validity.any()?)?, asn1::time(validity.any()?)?);
        validity.end()?;
        let subject_der = fields.any()?.encoded;
        let spki = fields.any()?;
        if spki.tag != SEQUENCE {
            return Err(DerError("the public key is not a SEQUENCE"));
        }
        fields.optional(asn1::implicit(1))?; // issuerUniqueID
        fields.optional(asn1::implicit(2))?; // subjectUniqueID
        let is_ca = match fields.optional(asn1::explicit(3))? {
            Some(extensions) => says_ca(extensions)?,
            None => false,
        };
        fields.end()?;
        let issuer = java_name(issuer_der)?;
        Ok(Parsed {
            sn: sn_of_name(&issuer, raw.serial),
            tbs: raw.tbs.to_vec(),
            signature: raw.signature.to_vec(),
            signature_algorithm: raw.signature_algorithm.0.to_vec(),
            signed_algorithm: signed_algorithm.0.to_vec(),
            issuer,
            issuer_der: issuer_der.to_vec(),
            subject: java_name(subject_der)?,
            subject_der: subject_der.to_vec(),
            spki: spki.encoded.to_vec(),
            not_before,
            not_after,
            is_ca,
        })
    }

    fn public_key<R: Role>(&self) -> Result<PublicKey<R>> {
        PublicKey::from_der(&self.spki)
            .map_err(|e| invalid(format!("the key of `{}` cannot be used: {e}", self.subject)))
    }

    fn certificate<R: Role>(&self) -> Result<Certificate<R>> {
        Ok(Certificate {
            sn: self.sn.clone(),
            public_key: self.public_key()?,
            subject: self.subject.clone(),
            issuer: self.issuer.clone(),
            not_before: self.not_before,
            not_after: self.not_after,
        })
    }

    /// A root of the bundle that can issue certificates here (it has an RSA key).
    fn anchor(self) -> Option<Anchor> {
        Some(Anchor { key: self.public_key().ok()?, subject_text: self.subject, subject: self.subject_der })
    }

    fn check_validity(&self, now: Timestamp) -> Result<()> {
        if now < self.not_before {
            return Err(invalid(format!("`{}` is not valid before {} (UTC+8)", self.subject, self.not_before)));
        }
        if now > self.not_after {
            return Err(invalid(format!("`{}` expired at {} (UTC+8)", self.subject, self.not_after)));
        }
        Ok(())
    }

    fn check_is_ca(&self) -> Result<()> {
        if self.is_ca {
            Ok(())
        } else {
            Err(invalid(format!("`{}` issues a certificate of the chain but is not a CA", self.subject)))
        }
    }

    /// The check of this certificate's signature under `issuer_key`, once its algorithm is one
    /// this crate verifies.
    fn signature_check(&self, issuer_key: AlipayPublicKey) -> Result<SignatureCheck> {
        if self.signature_algorithm != self.signed_algorithm {
            return Err(invalid(format!("`{}` names two different signature algorithms", self.subject)));
        }
        let sign_type = match self.signature_algorithm.as_slice() {
            SHA256_WITH_RSA => SignType::Rsa2,
            SHA1_WITH_RSA => SignType::Rsa,
            other => {
                return Err(invalid(format!(
                    "`{}` is signed with algorithm {}; supported: sha256WithRSA, sha1WithRSA",
                    self.subject,
                    Oid(other)
                )))
            }
        };
        Ok(SignatureCheck {
            sign_type,
            signature: self.signature.clone(),
            messages: vec![self.tbs.clone()],
            key: issuer_key,
            alipay_cert_sn: None,
        })
    }
}

/// Whether the extensions hold a BasicConstraints that says CA (one that cannot be read does not).
fn says_ca(extensions: &[u8]) -> DerResult<bool> {
    let mut list = Reader::new(asn1::single(extensions, SEQUENCE, "the extensions are not a SEQUENCE")?);
    let mut is_ca = false;
    while !list.is_empty() {
        let mut extension = Reader::new(list.next(SEQUENCE, "an extension is not a SEQUENCE")?);
        let id = Oid::parse(extension.next(OID, "an extension is not named by an OBJECT IDENTIFIER")?)?;
        if let Some(critical) = extension.optional(BOOLEAN)? {
            asn1::boolean(critical)?;
        }
        let value = extension.next(OCTET_STRING, "an extension value is not an OCTET STRING")?;
        extension.end()?;
        let basic_constraints_ca = || -> DerResult<bool> {
            let mut fields = Reader::new(asn1::single(value, SEQUENCE, "BasicConstraints is not a SEQUENCE")?);
            let ca = fields.optional(BOOLEAN)?.map(asn1::boolean).transpose()?.unwrap_or(false);
            fields.optional(INTEGER)?; // pathLenConstraint
            fields.end()?;
            Ok(ca)
        };
        is_ca |= id.0 == BASIC_CONSTRAINTS && basic_constraints_ca().unwrap_or(false);
    }
    Ok(is_ca)
}

/// A root of the bundle with an RSA key.
struct Anchor {
    /// The DER of the subject name, which issuer names are compared with.
    subject: Vec<u8>,
    subject_text: String,
    key: AlipayPublicKey,
}

/// The name as Java's `X500Principal.getName()` (RFC 2253) writes it: RDNs last to first, joined
/// by `,`; the values of a multi-valued RDN joined by `+`; keywords for CN, C, L, ST, O, OU,
/// STREET, DC and UID, other types as the dotted OID with `#` and the hex of the DER value.
fn java_name(name: &[u8]) -> DerResult<String> {
    let mut rdns = Reader::new(asn1::single(name, SEQUENCE, "a name is not a SEQUENCE")?);
    let mut written = Vec::new();
    while !rdns.is_empty() {
        let mut attributes = Reader::new(rdns.next(SET, "a relative distinguished name is not a SET")?);
        if attributes.is_empty() {
            return Err(DerError("a relative distinguished name is empty"));
        }
        let mut out = String::new();
        while !attributes.is_empty() {
            let mut attribute = Reader::new(attributes.next(SEQUENCE, "a name attribute is not a SEQUENCE")?);
            let oid = Oid::parse(attribute.next(OID, "a name attribute type is not an OBJECT IDENTIFIER")?)?;
            let value = attribute.any()?;
            attribute.end()?;
            if !out.is_empty() {
                out.push('+');
            }
            match (keyword(&oid), attribute_text(value.tag, value.value)) {
                (Some(keyword), Some(text)) => {
                    out.push_str(keyword);
                    out.push('=');
                    escape_value(&mut out, &text);
                }
                (keyword, _) => {
                    match keyword {
                        Some(keyword) => out.push_str(keyword),
                        None => out.push_str(&oid.to_string()),
                    }
                    out.push_str("=#");
                    for b in value.encoded {
                        out.push_str(&format!("{b:02x}"));
                    }
                }
            }
        }
        written.push(out);
    }
    written.reverse();
    Ok(written.join(","))
}

fn keyword(oid: &Oid<'_>) -> Option<&'static str> {
    Some(match oid.to_string().as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

/// The text of a value of a string type Java prints as text. Java reads the bytes of every such
/// type as UTF-8 (a BMPString or a non-ASCII T61String comes out mangled), and the gateway hashes
/// what Java prints, so the same is done here.
fn attribute_text(tag: u8, bytes: &[u8]) -> Option<String> {
    match tag {
        UTF8_STRING | PRINTABLE_STRING | IA5_STRING | TELETEX_STRING | BMP_STRING => {
            Some(String::from_utf8_lossy(bytes).into_owned())
        }
        _ => None,
    }
}

/// Java's RFC 2253 escaping: `,=+<>#;"\` anywhere, NUL as `\00`, and every leading and trailing
/// space.
fn escape_value(out: &mut String, value: &str) {
    let chars: Vec<char> = value.chars().collect();
    let lead = chars.iter().take_while(|&&c| c == ' ' || c == '\r').count();
    let trail =
        chars.len() - chars.iter().rev().take_while(|&&c| c == ' ' || c == '\r').count().min(chars.len() - lead);
    for (i, &c) in chars.iter().enumerate() {
        if c == '\0' {
            out.push_str("\\00");
            continue;
        }
        if ",=+<>#;\"\\".contains(c) || i < lead || i >= trail {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(value: &str) -> String {
        let mut out = String::new();
        escape_value(&mut out, value);
        out
    }

    #[test]
    fn escapes_as_java_does() {
        assert_eq!(escaped("a#b=c"), "a\\#b\\=c");
        assert_eq!(escaped("  two lead"), "\\ \\ two lead");
        assert_eq!(escaped("two trail  "), "two trail\\ \\ ");
        assert_eq!(escaped("a\0b"), "a\\00b");
        assert_eq!(escaped("é中'`!"), "é中'`!");
        assert_eq!(escaped("   "), "\\ \\ \\ ");
        assert_eq!(escaped(""), "");
    }
}
