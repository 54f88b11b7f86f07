//! Key parsing: every accepted form, and a typed error for everything else.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::disallowed_types
)] // test code: reads fixtures and fails loudly

use alipay_openapi::{
    AlipayPublicKey, AppPrivateKey, Backend, KeyEncoding, KeyForm, KeyKind, PublicKey, SignType, Signer, Verifier,
};
use base64::Engine as _;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn detects_every_private_form() {
    let cases = [
        ("keys/app_2048.private.pkcs1.pem", KeyForm::Pkcs1, KeyEncoding::Pem),
        ("keys/app_2048.private.pkcs8.pem", KeyForm::Pkcs8, KeyEncoding::Pem),
        ("keys/app_2048.private.pkcs1.b64", KeyForm::Pkcs1, KeyEncoding::Base64),
        ("keys/app_2048.private.pkcs8.b64", KeyForm::Pkcs8, KeyEncoding::Base64),
        ("keys/app_4096.private.pkcs8.pem", KeyForm::Pkcs8, KeyEncoding::Pem),
    ];
    for (file, form, encoding) in cases {
        let info = AppPrivateKey::parse(&read(file)).unwrap().info();
        assert_eq!((info.form, info.encoding), (form, encoding), "{file}");
        assert_eq!(info.bits, if file.contains("4096") { 4096 } else { 2048 });
    }
}

#[test]
fn detects_every_public_form_and_derives_the_same_key() {
    let derived = AppPrivateKey::parse(&read("keys/app_2048.private.pkcs1.pem")).unwrap().public_key();
    for (file, form) in [
        ("keys/app_2048.public.spki.pem", KeyForm::Spki),
        ("keys/app_2048.public.spki.b64", KeyForm::Spki),
        ("keys/app_2048.public.pkcs1.pem", KeyForm::Pkcs1),
    ] {
        let key: PublicKey<alipay_openapi::keys::role::App> = PublicKey::parse(&read(file)).unwrap();
        assert_eq!(key.info().form, form, "{file}");
        assert_eq!(key.fingerprint(), derived.fingerprint(), "{file}");
        assert_eq!(key.spki_der(), derived.spki_der());
    }
}

#[test]
fn tolerates_whitespace_line_endings_and_single_line_pem() {
    let pem = read("keys/app_2048.private.pkcs8.pem");
    let crlf = format!("\r\n  {}\r\n\r\n", pem.replace('\n', "\r\n"));
    let one_line: String = read("keys/app_2048.private.pkcs8.b64").split_whitespace().collect();
    let wrapped =
        one_line.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\n");
    let reference = AppPrivateKey::parse(&pem).unwrap().sign(SignType::Rsa2, b"x").unwrap();
    for text in [crlf, format!("  {one_line}\t\n"), wrapped] {
        assert_eq!(AppPrivateKey::parse(&text).unwrap().sign(SignType::Rsa2, b"x").unwrap(), reference);
    }
}

#[test]
fn from_der_accepts_raw_bytes() {
    let der = base64::engine::general_purpose::STANDARD
        .decode(read("keys/app_2048.private.pkcs8.b64").split_whitespace().collect::<String>())
        .unwrap();
    assert_eq!(AppPrivateKey::from_der(&der).unwrap().info().encoding, KeyEncoding::Der);
}

fn assert_invalid(result: Result<impl std::fmt::Debug, alipay_openapi::Error>, expected: KeyKind, needle: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.code(), "invalid_key", "{err}");
    match &err {
        alipay_openapi::Error::InvalidKey { expected: kind, .. } => assert_eq!(*kind, expected),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains(needle), "`{err}` should mention `{needle}`");
}

#[test]
fn wrong_role_garbage_truncation_and_encryption_are_typed_errors() {
    assert_invalid(AppPrivateKey::parse(&read("keys/app_2048.public.spki.pem")), KeyKind::Private, "public key");
    assert_invalid(AlipayPublicKey::parse(&read("keys/alipay_2048.private.pkcs1.pem")), KeyKind::Public, "private key");
    assert_invalid(AppPrivateKey::parse("not a key at all!"), KeyKind::Private, "neither PEM nor valid base64");
    assert_invalid(AppPrivateKey::parse(""), KeyKind::Private, "empty");
    assert_invalid(AppPrivateKey::parse("QUJDRA=="), KeyKind::Private, "not an RSA key");
    let pem = read("keys/app_2048.private.pkcs1.pem");
    assert_invalid(AppPrivateKey::parse(&pem[..pem.len() / 2]), KeyKind::Private, "truncated");
    let cut_der = format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----", &pem[40..400]);
    assert!(AppPrivateKey::parse(&cut_der).is_err());
    assert_invalid(
        AppPrivateKey::parse(&read("extra-keys/app_2048.encrypted.pkcs8.pem")),
        KeyKind::Private,
        "encrypted",
    );
    assert_invalid(AppPrivateKey::parse(&read("extra-keys/ec_p256.private.pkcs8.pem")), KeyKind::Private, "not RSA");
    let cert = read("certs/appPublicCert.crt");
    assert_invalid(AlipayPublicKey::parse(&cert), KeyKind::Public, "certificate");
}

#[test]
fn key_sizes_outside_2048_to_4096_bits_are_refused() {
    for file in ["extra-keys/rsa_512.private.pkcs1.pem", "extra-keys/rsa_1024.private.pkcs1.pem"] {
        let err = AppPrivateKey::parse(&read(file)).unwrap_err();
        assert_eq!(err.code(), "unsupported_key_size", "{file}");
        assert!(err.to_string().contains("2048"));
    }
    for file in ["extra-keys/rsa_512.public.spki.pem", "extra-keys/rsa_1024.public.spki.pem"] {
        assert_eq!(AlipayPublicKey::parse(&read(file)).unwrap_err().code(), "unsupported_key_size");
    }
    // A 16384-bit public key (PKCS#1 RSAPublicKey with an odd modulus) is refused before any math.
    let modulus = {
        let mut m = vec![0xC3u8; 2048];
        m[2047] |= 1;
        m
    };
    let mut body = der_integer(&modulus);
    body.extend(der_integer(&[0x01, 0x00, 0x01]));
    let der = der_tlv(0x30, &body);
    let started = std::time::Instant::now();
    let err = AlipayPublicKey::from_der(&der).unwrap_err();
    assert_eq!(err, alipay_openapi::Error::UnsupportedKeySize { bits: 16384, min: 2048, max: 4096 });
    assert!(started.elapsed().as_millis() < 100);
}

#[test]
fn keys_are_strict_der_and_re_encoded_exactly() {
    let spki_text: String = read("keys/alipay_2048.public.spki.b64").split_whitespace().collect();
    let spki = base64::engine::general_purpose::STANDARD.decode(spki_text).unwrap();
    let key = AlipayPublicKey::from_der(&spki).unwrap();
    assert_eq!(key.spki_der(), &spki[..], "SubjectPublicKeyInfo is written back byte for byte");
    // The PKCS#1 key inside: the BIT STRING after the 15-byte rsaEncryption header and 4-byte lengths.
    let pkcs1 = &spki[24..];
    assert_eq!((spki[19], spki[20], pkcs1[0]), (0x03, 0x82, 0x30));
    assert_eq!(AlipayPublicKey::from_der(pkcs1).unwrap().spki_der(), &spki[..]);

    let modulus_and_exponent = |exponent: &[u8]| {
        let modulus = der_tlv(0x02, &pkcs1[8..8 + 257]);
        der_tlv(0x30, &[modulus, der_tlv(0x02, exponent)].concat())
    };
    assert_eq!(modulus_and_exponent(&[1, 0, 1]), pkcs1);
    let not_rsa = "not an RSA key";
    for (der, needle) in [
        ([&spki[..], &[0]].concat(), not_rsa),
        ([pkcs1, &[0]].concat(), not_rsa),
        (modulus_and_exponent(&[0, 1, 0, 1]), not_rsa), // an INTEGER with a redundant leading zero
        (modulus_and_exponent(&[0x81, 0, 1]), not_rsa), // a negative exponent
        (modulus_and_exponent(&[1]), "RSA parameters are invalid"),
        ([&[0x30, 0x83, 0], &pkcs1[2..]].concat(), not_rsa), // a length with a leading zero byte
    ] {
        assert_invalid(AlipayPublicKey::from_der(&der), KeyKind::Public, needle);
    }
    let mut unused_bits = spki.clone();
    unused_bits[23] = 1;
    assert_invalid(AlipayPublicKey::from_der(&unused_bits), KeyKind::Public, not_rsa);
}

/// Every build accepts the same public keys with the same words, with the `rsa` crate (portable
/// verification) or without it (the wasm engine), because the core checks the numbers itself.
#[test]
fn public_numbers_are_checked_as_the_rsa_crate_checks_them() {
    let spki_text: String = read("keys/alipay_2048.public.spki.b64").split_whitespace().collect();
    let spki = base64::engine::general_purpose::STANDARD.decode(spki_text).unwrap();
    let modulus = spki[24 + 9..24 + 8 + 257].to_vec(); // the magnitude, past the INTEGER's sign byte
    let mut even = modulus.clone();
    *even.last_mut().unwrap() &= 0xfe;
    let exponents: [&[u8]; 12] = [
        &[0],
        &[1],
        &[2],
        &[3],
        &[4],
        &[1, 0, 1],
        &[1, 0, 0],
        &[1, 0xff, 0xff, 0xff, 0xff],
        &[2, 0, 0, 0, 1],
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &[1, 0, 0, 0, 0, 0, 0, 0, 1],
        &modulus,
    ];
    for n in [&modulus, &even] {
        for e in exponents {
            let der = der_tlv(0x30, &[der_integer(n), der_integer(e)].concat());
            let ours = AlipayPublicKey::from_der(&der);
            let theirs = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e));
            match (ours, theirs) {
                (Ok(_), Ok(_)) => {}
                (Err(ours), Err(theirs)) => {
                    assert!(ours.to_string().ends_with(&format!("({theirs})")), "{ours} / {theirs}")
                }
                (ours, theirs) => panic!("e = {e:02x?}: ours {ours:?}, the rsa crate's {theirs:?}"),
            }
        }
    }
}

fn der_tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let len = body.len();
    let mut out = vec![tag];
    if len < 128 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

fn der_integer(magnitude: &[u8]) -> Vec<u8> {
    let mut value = if magnitude[0] & 0x80 != 0 { vec![0u8] } else { vec![] };
    value.extend_from_slice(magnitude);
    der_tlv(0x02, &value)
}

#[test]
fn debug_output_never_shows_key_material() {
    let text = read("keys/app_2048.private.pkcs1.pem");
    let key = AppPrivateKey::parse(&text).unwrap();
    let debug = format!("{key:?} {:?}", key.public_key());
    assert!(debug.contains("redacted"));
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    for chunk in body.as_bytes().chunks(16) {
        assert!(!debug.contains(std::str::from_utf8(chunk).unwrap()));
    }
}

#[test]
fn both_backends_sign_identically_and_cross_verify() {
    let text = read("keys/app_4096.private.pkcs1.pem");
    let portable = AppPrivateKey::parse_with_backend(&text, Backend::RustCrypto).unwrap();
    let default = AppPrivateKey::parse(&text).unwrap();
    for sign_type in [SignType::Rsa2, SignType::Rsa] {
        let a = portable.sign(sign_type, b"content").unwrap();
        let b = default.sign(sign_type, b"content").unwrap();
        assert_eq!(a, b);
        let public = default.public_key();
        public.verify(sign_type, b"content", &a).unwrap();
        public.verify_portable(sign_type, b"content", &a).unwrap();
        assert!(public.verify(sign_type, b"other", &a).is_err());
    }
    // No hash downgrade: a SHA-1 signature does not pass as SHA-256.
    let sha1 = default.sign(SignType::Rsa, b"content").unwrap();
    assert!(default.public_key().verify(SignType::Rsa2, b"content", &sha1).is_err());
}
