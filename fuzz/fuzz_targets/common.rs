//! Shared fixtures: the test keys and certificates, and cursors that split fuzz input into fields.
//! Every use of `Client` by the targets is here.
#![allow(dead_code)] // each target uses a part

use std::sync::OnceLock;

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    AesKey, AlipayPublicKey, AppPrivateKey, CertificateMode, Charset, Client, Config, PrivateKey, Result, SignType,
    Signer, Timestamp, VerifiedResponse, Verifier,
};
use base64::Engine as _;

pub const METHODS: [&str; 5] = [
    "alipay.marketing.voucher.send",
    "alipay.marketing.voucher.query",
    "alipay.marketing.voucher.stock.use",
    "koubei.trade.ticket.ticketcode.sync",
    "alipay.open.app.alipaycert.download",
];

pub fn client(charset: Charset, sign_type: SignType) -> Client {
    let mut config = Config::new("2021000000000001");
    config.charset = charset;
    config.sign_type = sign_type;
    let app = AppPrivateKey::parse(include_str!("../../tests/vectors/keys/app_2048.private.pkcs1.pem"));
    let alipay = AlipayPublicKey::parse(include_str!("../../tests/vectors/keys/alipay_2048.public.spki.pem"));
    match (app, alipay) {
        (Ok(app), Ok(alipay)) => Client::new(config, app, alipay),
        _ => unreachable!("the test keys parse"),
    }
}

/// A client in certificate mode with the generated test certificates (it verifies, never signs).
pub fn certificate_client(charset: Charset, sign_type: SignType) -> Client {
    let mut config = Config::new("2021000000000001");
    config.charset = charset;
    config.sign_type = sign_type;
    Client::without_keys(config).with_certificate_mode(certificate_mode().clone())
}

/// The Alipay test key pair, read once (RSA key parsing is slow under the sanitizer).
pub fn alipay_private() -> &'static PrivateKey<Alipay> {
    static KEY: OnceLock<PrivateKey<Alipay>> = OnceLock::new();
    KEY.get_or_init(|| {
        PrivateKey::parse(include_str!("../../tests/vectors/keys/alipay_2048.private.pkcs8.pem"))
            .unwrap_or_else(|_| unreachable!("the test key parses"))
    })
}

pub fn alipay_public() -> &'static AlipayPublicKey {
    static KEY: OnceLock<AlipayPublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        AlipayPublicKey::parse(include_str!("../../tests/vectors/keys/alipay_2048.public.spki.pem"))
            .unwrap_or_else(|_| unreachable!("the test key parses"))
    })
}

/// The first byte chooses the charset (bit 0), the sign type (bit 1) and a method (bits 2-4; 7 =
/// a method name read from the input up to the first newline); the rest is the payload.
pub fn split(data: &[u8]) -> Option<(Charset, SignType, String, &[u8])> {
    let (&flags, rest) = data.split_first()?;
    let charset = if flags & 1 == 0 { Charset::Utf8 } else { Charset::Gbk };
    let sign_type = if flags & 2 == 0 { SignType::Rsa2 } else { SignType::Rsa };
    let choice = usize::from((flags >> 2) & 7);
    let (method, payload) = match METHODS.get(choice) {
        Some(method) => ((*method).to_owned(), rest),
        None => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            (String::from_utf8_lossy(&rest[..end]).into_owned(), rest.get(end + 1..).unwrap_or_default())
        }
    };
    Some((charset, sign_type, method, payload))
}

pub fn charset(flag: bool) -> Charset {
    if flag {
        Charset::Gbk
    } else {
        Charset::Utf8
    }
}

pub fn sign_type(flag: bool) -> SignType {
    if flag {
        SignType::Rsa
    } else {
        SignType::Rsa2
    }
}

pub const APP_CERT: &str = include_str!("../../tests/vectors/certs/generated/app_cert.pem");
/// The Alipay certificate followed by its intermediate.
pub const ALIPAY_CERT: &str = include_str!("../../tests/vectors/certs/generated/alipay_cert.pem");
pub const ROOT_BUNDLE: &str = include_str!("../../tests/vectors/certs/generated/root_bundle.pem");

/// The certificate mode of the generated test certificates, read once.
pub fn certificate_mode() -> &'static CertificateMode {
    static MODE: OnceLock<CertificateMode> = OnceLock::new();
    MODE.get_or_init(|| {
        CertificateMode::from_pem(APP_CERT, ALIPAY_CERT, ROOT_BUNDLE)
            .unwrap_or_else(|_| unreachable!("the test certificates parse"))
    })
}

/// A moment to check certificates at (`index` 0-3): inside, before and after the validity of the
/// test certificates, and the earliest there is.
pub fn moment(index: u8) -> Timestamp {
    const SECS: [i64; 4] = [1_906_502_400, 1_590_969_600, 2_253_657_600, i64::MIN]; // 2030-06-01, 2020-06-01, 2041-06-01
    Timestamp::from_unix_secs(SECS[usize::from(index & 3)])
}

/// Separates DER blocks in the input of [`pem`].
pub const DER_SEPARATOR: &[u8] = b"--cut--";

/// PEM text from fuzz input. Flag bit 0 clear: the input as text. Set: the input is DER blocks split
/// at [`DER_SEPARATOR`], each written in base64 between `BEGIN CERTIFICATE`/`END CERTIFICATE`
/// lines, on one line (bit 1 clear) or wrapped at 64 columns (bit 1 set).
pub fn pem(flags: u8, input: &[u8]) -> String {
    if flags & 1 == 0 {
        return String::from_utf8_lossy(input).into_owned();
    }
    let mut out = String::new();
    let mut rest = input;
    loop {
        let (block, tail) = match rest.windows(DER_SEPARATOR.len()).position(|w| w == DER_SEPARATOR) {
            Some(at) => (&rest[..at], Some(&rest[at + DER_SEPARATOR.len()..])),
            None => (rest, None),
        };
        let text = base64::engine::general_purpose::STANDARD.encode(block);
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        let width = if flags & 2 == 0 { text.len().max(1) } else { 64 };
        for line in text.as_bytes().chunks(width) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        match tail {
            Some(tail) => rest = tail,
            None => return out,
        }
    }
}

/// An AES key from fuzz input: flag bits 0-1 choose 16, 24 or 32 key bytes, or (3) a length read
/// from the next byte, so that wrong sizes are tried too; the key bytes follow. Returns the key,
/// the flag bits 2-7 for the target, and the rest of the input.
pub fn aes_key(data: &[u8]) -> Option<(AesKey, u8, &[u8])> {
    let (&flags, mut rest) = data.split_first()?;
    let len = match flags & 3 {
        0 => 16,
        1 => 24,
        2 => 32,
        _ => {
            let (&len, tail) = rest.split_first()?;
            rest = tail;
            usize::from(len)
        }
    };
    let bytes = rest.get(..len)?;
    let key = AesKey::from_bytes(bytes);
    assert_eq!(key.is_ok(), [16, 24, 32].contains(&len), "AES key of {len} bytes");
    Some((key.ok()?, flags >> 2, rest.get(len..).unwrap_or_default()))
}

/// Verifies a response to `method` as a client with `key` does, taking every signature as valid
/// (the host's verdict of the two-stage check: the first message verified), so that decryption and
/// parsing of the node see inputs no signing key has to produce first. Fuzzing only.
pub fn verify_encrypted(charset: Charset, key: AesKey, method: &str, body: &[u8]) -> Result<VerifiedResponse> {
    let mut config = Config::new("2021000000000001");
    config.charset = charset;
    let client = Client::without_keys(config).with_alipay_public_key(alipay_public().clone()).with_aes_key(key);
    client.begin_verify_response(method, body)?.finish(Some(0))
}

/// A signature scheme whose signature is `echo:` and the signed bytes: its verifier accepts exactly
/// the bytes that were signed, so a target can check that verification sees what signing saw
/// without paying for RSA under the sanitizer (the prefix keeps signatures non-empty, as RSA's
/// are). Fuzzing only.
pub struct Echo;

const ECHO: &[u8] = b"echo:";

impl Signer for Echo {
    fn sign(&self, _: SignType, message: &[u8]) -> Result<Vec<u8>> {
        Ok([ECHO, message].concat())
    }
}

impl Verifier for Echo {
    fn verify(&self, _: SignType, message: &[u8], signature: &[u8]) -> Result<()> {
        if signature.strip_prefix(ECHO) == Some(message) {
            Ok(())
        } else {
            Err(alipay_openapi::Error::SignatureMismatch)
        }
    }
}

/// The AES key of the golden mini-program payloads.
pub fn payload_aes_key() -> AesKey {
    AesKey::from_base64(include_str!("../../tests/vectors/protocol-examples/aes_key.txt").trim())
        .unwrap_or_else(|_| unreachable!("the test AES key parses"))
}

/// A client that verifies mini-program payloads with the Alipay test key and the test AES key.
pub fn payload_client() -> Client {
    Client::without_keys(Config::new("2021000000000001"))
        .with_alipay_public_key(alipay_public().clone())
        .with_aes_key(payload_aes_key())
}
