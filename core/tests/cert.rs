//! Certificate mode: SNs (known answers from Alipay's files, openssl and Java), certificate chains,
//! the key ring, and requests and responses of a client in certificate mode.
//! The generated fixtures and the commands behind the expected values: tests/vectors/certs/generated.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::disallowed_types
)] // test code: reads fixtures and fails loudly

use alipay_openapi::cert::{cert_sn, root_cert_sn, DOWNLOAD_METHOD};
use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    sign_response_body, AlipayCertificate, AlipayPublicKey, AppCertificate, AppPrivateKey, CertificateMode, Charset,
    Client, Config, Error, KeyVerifier, NotifyParams, NotifyVersion, PrivateKey, Request, SignType, SignatureCheck,
    Signer as _, Timestamp, Verifier as _,
};
use base64::Engine as _;

const METHOD: &str = "alipay.marketing.voucher.query";
const NODE_KEY: &str = "alipay_marketing_voucher_query_response";
const NODE: &str = r#"{"code":"10000","msg":"Success","voucher_id":"2024051300826004000000ABCDEF"}"#;

// Expected SNs of the generated certificates: see generated/README.md for the commands.
const ALIPAY_SN: &str = "07e15c749b8f2f3bc15a28ed42842a0d";
const ALIPAY_NEW_SN: &str = "8f0288df4e6850941ea8f7656f472b54";
const APP_SN: &str = "53ebe4458af21bbb7593bec0c9257983";
const ROOT_SN: &str = "bad7519667cd8131a2532b29dbf163c6_b34b8a5a634056e493038f96e776f111";

fn certs(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/certs/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn generated(file: &str) -> String {
    certs(&format!("generated/{file}"))
}

fn key_file(file: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/keys/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn alipay_signer(name: &str) -> PrivateKey<Alipay> {
    PrivateKey::parse(&key_file(&format!("{name}.private.pkcs1.pem"))).unwrap()
}

fn now() -> Timestamp {
    Timestamp::parse_beijing("now", "2030-06-01 12:00:00").unwrap()
}

fn mode() -> CertificateMode {
    CertificateMode::from_pem(&generated("app_cert.pem"), &generated("alipay_cert.pem"), &generated("root_bundle.pem"))
        .unwrap()
}

fn client() -> Client {
    Client::without_keys(Config::new("2021000000000001"))
        .with_signer(std::sync::Arc::new(AppPrivateKey::parse(&key_file("app_2048.private.pkcs1.pem")).unwrap()))
        .with_certificate_mode(mode())
}

/// A response body laid out and signed as the gateway does, by the key `signer` (a file stem).
fn body(node_key: &str, node: &str, sn: Option<&str>, signer: &str) -> Vec<u8> {
    sign_response_body(node_key, node, sn, Charset::Utf8, SignType::Rsa2, &alipay_signer(signer)).unwrap()
}

fn download_node(pem: &str) -> String {
    let content = base64::engine::general_purpose::STANDARD.encode(pem);
    format!(r#"{{"code":"10000","msg":"Success","alipay_cert_content":"{content}"}}"#)
}

fn download_body(pem: &str, sn: Option<&str>, signer: &str) -> Vec<u8> {
    body("alipay_open_app_alipaycert_download_response", &download_node(pem), sn, signer)
}

fn invalid_certificate(result: Result<impl std::fmt::Debug, Error>) -> String {
    let error = result.unwrap_err();
    assert_eq!(error.code(), "invalid_certificate", "{error}");
    error.to_string()
}

#[test]
fn known_answers_of_alipay_certificates() {
    // The production root bundle holds an SM2 and an ECDSA root, which are skipped.
    assert_eq!(
        root_cert_sn(&certs("alipayRootCert.crt")).unwrap(),
        "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"
    );
    assert_eq!(cert_sn(&certs("appPublicCert.crt")).unwrap(), "9c51a0ddeb34866e5a331e613f57bf0f");
    assert_eq!(cert_sn(&certs("alipayPublicCert.crt")).unwrap(), "05d88faef76d723019c5c14d3ecd014a");
    let alipay = AlipayCertificate::from_pem(&certs("alipayPublicCert.crt")).unwrap();
    assert_eq!(alipay.sn(), "05d88faef76d723019c5c14d3ecd014a");
    assert_eq!(
        alipay.issuer(),
        "CN=Ant Financial Certification Authority Class 2 R1 test,OU=Certification Authority test,O=Ant Financial test,C=CN"
    );
    let mode = CertificateMode::from_pem(
        &certs("appPublicCert.crt"),
        &certs("alipayPublicCert.crt"),
        &certs("alipayRootCert.crt"),
    )
    .unwrap();
    assert_eq!(mode.app_cert_sn(), "9c51a0ddeb34866e5a331e613f57bf0f");
    assert_eq!(mode.alipay_root_cert_sn(), "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6");
    assert_eq!(mode.alipay_certificate().sn(), "05d88faef76d723019c5c14d3ecd014a");
    // The two RSA roots are the trust anchors for downloaded certificates.
    let debug = format!("{mode:?}");
    assert!(debug.contains(r#"roots: ["CN=Ant Financial Certification Authority R1,OU=Certification Authority,O=Ant Financial,C=CN", "CN=iTrusChina Class 2 Root CA - G3,OU=China Trust Network,O=iTrusChina,C=CN"]"#), "{debug}");
}

#[test]
fn generated_certificates_match_openssl_and_java() {
    assert_eq!(cert_sn(&generated("alipay_cert.pem")).unwrap(), ALIPAY_SN);
    assert_eq!(cert_sn(&generated("alipay_cert_new.pem")).unwrap(), ALIPAY_NEW_SN);
    assert_eq!(cert_sn(&generated("app_cert.pem")).unwrap(), APP_SN);
    // ECDSA root skipped; the RSA roots (one with L, ST and a comma in O; one sha1WithRSA) joined.
    assert_eq!(root_cert_sn(&generated("root_bundle.pem")).unwrap(), ROOT_SN);
    // A 20-byte serial and an issuer that needs every escape, a multi-valued RDN, UTF-8 and an
    // attribute without a keyword; expected values from Java's X500Principal.getName().
    let special = AppCertificate::from_pem(&generated("special_issuer.pem")).unwrap();
    assert_eq!(
        special.issuer(),
        r#"1.2.840.113549.1.9.1=#160e6361406578616d706c652e636f6d,CN=a\+b,OU=\ lead+OU=trail\ ,O=\#Hash\, \"Quoted\" \<Co\>\; Ltd\\,L=Hang\=zhou,ST=浙江,C=CN"#
    );
    assert_eq!(special.subject(), special.issuer());
    assert_eq!(special.sn(), "590c76c16ce65aaa73cccf26ea13e52e");
    // Java reads BMPString and T61String bytes as UTF-8: `CN=\00Z\00\u{fffd}rich…` is what it hashes.
    let bmp = AppCertificate::from_pem(&generated("bmp_issuer.pem")).unwrap();
    assert!(bmp.issuer().starts_with("CN=\\00Z\\00\u{fffd}\\00r\\00i\\00c\\00h\\00 \\00&"), "{}", bmp.issuer());
    assert_eq!(bmp.sn(), "875ec5e0b28c4bbec48f30e103ad5390");
    let t61 = AppCertificate::from_pem(&generated("t61_issuer.pem")).unwrap();
    assert_eq!(t61.issuer(), "CN=Z\u{fffd}rich & \u{fffd},O=Tests & Co,C=CN");
    assert_eq!(t61.sn(), "d72354a2c64fb9d92fbaddf29d9ea201");
}

#[test]
fn a_certificate_exposes_its_key_names_and_dates() {
    let cert = AlipayCertificate::from_pem(&generated("alipay_cert.pem")).unwrap();
    assert_eq!(cert.sn(), ALIPAY_SN);
    assert_eq!(cert.subject(), "CN=Test Alipay Public Cert,OU=Alipay,O=Alipay OpenAPI Tests,C=CN");
    assert_eq!(cert.issuer(), "CN=Test Class 2 CA R1,OU=Certification Authority,O=Alipay OpenAPI Tests,C=CN");
    assert_eq!(cert.not_before().to_string(), "2024-01-01 08:00:00");
    assert_eq!(cert.not_after().to_string(), "2034-01-01 08:00:00");
    assert!(cert.is_valid_at(now()));
    assert!(!cert.is_valid_at(Timestamp::parse_beijing("t", "2034-01-01 08:00:01").unwrap()));
    let expected = AlipayPublicKey::parse(&key_file("alipay_2048.public.spki.pem")).unwrap();
    assert_eq!(cert.public_key().fingerprint(), expected.fingerprint());
    let app = AppCertificate::from_pem(&generated("app_cert.pem")).unwrap();
    let app_key = AppPrivateKey::parse(&key_file("app_2048.private.pkcs1.pem")).unwrap();
    assert_eq!(app.public_key().fingerprint(), app_key.public_key().fingerprint());
}

#[test]
fn unreadable_certificates_are_typed_errors() {
    let valid = generated("app_cert.pem");
    let truncated = &valid[..valid.len() - 30];
    let garbage = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    let not_base64 = "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n";
    for (pem, rule) in [
        ("", "no `-----BEGIN CERTIFICATE-----`"),
        (&key_file("alipay_2048.public.spki.pem"), "no `-----BEGIN CERTIFICATE-----`"),
        (truncated, "truncated"),
        (garbage, "not X.509"),
        (not_base64, "not valid base64"),
    ] {
        assert!(invalid_certificate(cert_sn(pem)).contains(rule), "{rule}");
        invalid_certificate(root_cert_sn(pem));
        invalid_certificate(AlipayCertificate::from_pem(pem));
    }
    // A bundle without any RSA-signed root gives no root SN.
    let ec_only =
        generated("root_bundle.pem").split_inclusive("-----END CERTIFICATE-----\n").next().unwrap().to_owned();
    assert!(invalid_certificate(root_cert_sn(&ec_only)).contains("no RSA-signed"));
    // The ECDSA root's key is not RSA.
    assert!(invalid_certificate(AlipayCertificate::from_pem(&ec_only)).contains("cannot be used"));
    // Errors of CertificateMode::from_pem name the file.
    let message = invalid_certificate(CertificateMode::from_pem(garbage, &generated("alipay_cert.pem"), &ec_only));
    assert!(message.contains("app certificate:"), "{message}");
    let message = invalid_certificate(CertificateMode::from_pem(&valid, &generated("alipay_cert.pem"), &ec_only));
    assert!(message.contains("root bundle:"), "{message}");
}

fn pem_of(der: &[u8]) -> String {
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN CERTIFICATE-----\n{text}\n-----END CERTIFICATE-----\n")
}

#[test]
fn certificates_are_read_as_strict_der_and_sns_tolerantly() {
    let pem = generated("app_cert.pem");
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
    assert_eq!((der[0], der[1], der[8..13].to_vec()), (0x30, 0x82, vec![0xa0, 3, 2, 1, 2]), "a v3 certificate");
    assert_eq!(AppCertificate::from_pem(&pem_of(&der)).unwrap().sn(), APP_SN);

    let trailing = [&der[..], &[0]].concat();
    let long_length = [&[0x30, 0x83, 0][..], &der[2..]].concat();
    let mut version_5 = der.clone();
    version_5[12] = 5;
    let mut short_validity = der.clone();
    let validity = der.windows(2).position(|pair| pair == [0x17, 0x0d]).unwrap(); // the first UTCTime
    short_validity[validity + 13] = b'+';
    for (bytes, rule) in [
        (&trailing, "bytes follow the last element"),
        (&long_length, "a length has a leading zero byte (not DER)"),
        (&version_5, "the version is not v1, v2 or v3"),
        (&short_validity, "a time is not written as YYMMDDHHMMSSZ"),
    ] {
        let message = invalid_certificate(AppCertificate::from_pem(&pem_of(bytes)));
        assert!(
            message.contains("certificate 1 is not a valid X.509 certificate") && message.contains(rule),
            "{message}"
        );
    }
    // The SN is read by a tolerant walk: what follows the certificate, or its version, do not matter.
    assert_eq!(cert_sn(&pem_of(&trailing)).unwrap(), APP_SN);
    assert_eq!(cert_sn(&pem_of(&version_5)).unwrap(), APP_SN);
    assert!(invalid_certificate(cert_sn(&pem_of(&long_length))).contains("not DER"));
}

#[test]
fn chains_are_checked_against_the_root_bundle() {
    let mode = mode();
    assert_eq!(mode.check_certificate(&generated("alipay_cert_new.pem"), now()).unwrap().sn(), ALIPAY_NEW_SN);
    // sha1WithRSA-signed leaf.
    assert!(mode.check_certificate(&generated("alipay_cert_sha1.pem"), now()).is_ok());
    let cases = [
        ("alipay_cert_wrong_root.pem", now(), "neither a root of the bundle nor in the chain"),
        ("alipay_cert_expired.pem", now(), "expired at 2021-01-01 08:00:00"),
        ("alipay_cert_not_yet_valid.pem", now(), "not valid before 2040-01-01 08:00:00"),
        ("alipay_cert.pem", Timestamp::parse_beijing("t", "2035-01-01 00:00:00").unwrap(), "expired"),
        ("alipay_cert.pem", Timestamp::parse_beijing("t", "2023-12-31 00:00:00").unwrap(), "not valid before"),
        ("alipay_cert_forged.pem", now(), "does not verify with the key of its issuer"),
        ("alipay_cert_via_non_ca.pem", now(), "`CN=2021000000000001,OU=Alipay,O=Alipay OpenAPI Tests,C=CN` issues"),
    ];
    for (file, at, rule) in cases {
        let message = invalid_certificate(mode.check_certificate(&generated(file), at));
        assert!(message.contains(rule), "{file}: {message}");
    }
    // The leaf alone: its intermediate is not a root.
    let leaf_only =
        generated("alipay_cert_new.pem").split_inclusive("-----END CERTIFICATE-----\n").next().unwrap().to_owned();
    assert!(invalid_certificate(mode.check_certificate(&leaf_only, now())).contains("neither a root"));
    // The sandbox chain does not lead to the generated roots.
    invalid_certificate(mode.check_certificate(&certs("alipayPublicCert.crt"), now()));
}

/// The verdict of this crate's RSA on each check, as a host would give it.
fn verdicts(checks: &[SignatureCheck]) -> Vec<bool> {
    checks
        .iter()
        .map(|check| {
            assert_eq!(check.messages().len(), 1, "a certificate check has one message: its signed part");
            check.key().verify(check.sign_type(), &check.messages()[0], check.signature()).is_ok()
        })
        .collect()
}

#[test]
fn chains_are_checked_in_stages_with_one_verdict_per_signature() {
    let new_pem = generated("alipay_cert_new.pem");
    let chain = mode().begin_check_certificate(&new_pem, now()).unwrap();
    assert_eq!(chain.checks().len(), 2, "the certificate under its intermediate, the intermediate under the root");
    assert_eq!(verdicts(chain.checks()), [true, true]);
    assert_eq!(chain.finish(&[true, true]).unwrap().sn(), ALIPAY_NEW_SN);
    let refused = |verdicts: &[bool]| {
        invalid_certificate(mode().begin_check_certificate(&new_pem, now()).unwrap().finish(verdicts))
    };
    assert!(
        refused(&[false, true]).contains("does not verify with the key of its issuer"),
        "{}",
        refused(&[false, true])
    );
    assert!(
        refused(&[true, false]).contains("does not verify with the key of the root"),
        "{}",
        refused(&[true, false])
    );
    let short = mode().begin_check_certificate(&new_pem, now()).unwrap().finish(&[true]).unwrap_err();
    assert_eq!((short.code(), short.field_name()), ("invalid_field", Some("verified")));
    assert!(short.to_string().contains("one verdict for each of the 2 checks (got 1)"), "{short}");
    // A forged signature is caught by the verdict, not before it.
    let forged = mode().begin_check_certificate(&generated("alipay_cert_forged.pem"), now()).unwrap();
    assert!(verdicts(forged.checks()).contains(&false));
    let verdict = verdicts(forged.checks());
    assert!(invalid_certificate(forged.finish(&verdict)).contains("does not verify"));

    // Two roots with the issuer's name: either one verifying is enough.
    let bundle = generated("root_bundle.pem").repeat(2);
    let twice = CertificateMode::from_pem(&generated("app_cert.pem"), &generated("alipay_cert.pem"), &bundle).unwrap();
    let chain = twice.begin_check_certificate(&new_pem, now()).unwrap();
    assert_eq!(chain.checks().len(), 3);
    assert_eq!(chain.finish(&[true, false, true]).unwrap().sn(), ALIPAY_NEW_SN);
    let chain = twice.begin_check_certificate(&new_pem, now()).unwrap();
    assert!(invalid_certificate(chain.finish(&[true, false, false])).contains("the root"));
}

#[test]
fn a_client_adds_certificates_in_stages() {
    let client = client();
    let new_pem = generated("alipay_cert_new.pem");
    let chain = client.begin_add_alipay_certificate(&new_pem, now()).unwrap();
    assert!(!client.alipay_cert_sns().contains(&ALIPAY_NEW_SN.to_owned()), "nothing is added before the verdicts");
    let verdict = verdicts(chain.checks());
    assert_eq!(chain.finish(&verdict).unwrap(), ALIPAY_NEW_SN);
    assert!(client.alipay_cert_sns().contains(&ALIPAY_NEW_SN.to_owned()));

    // A download: the chain, then the answer's signature, then the key is added.
    let client = self::client();
    let chain = client
        .begin_add_downloaded_certificate(&download_body(&new_pem, Some(ALIPAY_NEW_SN), "other_2048"), now())
        .unwrap();
    let verdict = verdicts(chain.checks());
    let pending = chain.finish(&verdict).unwrap();
    assert_eq!(pending.check().alipay_cert_sn(), Some(ALIPAY_NEW_SN));
    assert!(!client.alipay_cert_sns().contains(&ALIPAY_NEW_SN.to_owned()));
    assert_eq!(pending.finish(Some(0)).unwrap(), ALIPAY_NEW_SN);
    assert!(client.alipay_cert_sns().contains(&ALIPAY_NEW_SN.to_owned()));
    // A chain verdict that fails stops before the answer is looked at.
    let chain = self::client()
        .begin_add_downloaded_certificate(&download_body(&new_pem, Some(ALIPAY_NEW_SN), "other_2048"), now())
        .unwrap();
    assert!(invalid_certificate(chain.finish(&[false, true])).contains("its issuer"));
    // A gateway error carries no certificate: no chain to check, and the error once the signature verified.
    let node = r#"{"code":"40004","msg":"Business Failed","sub_code":"CERT_NOT_EXIST","sub_msg":"no such SN"}"#;
    let refusal = body("alipay_open_app_alipaycert_download_response", node, None, "alipay_2048");
    let chain = self::client().begin_add_downloaded_certificate(&refusal, now()).unwrap();
    assert!(chain.checks().is_empty());
    let pending = chain.finish(&[]).unwrap();
    assert_eq!(pending.finish(None).unwrap_err(), Error::SignatureMismatch);
    let chain = self::client().begin_add_downloaded_certificate(&refusal, now()).unwrap();
    assert_eq!(chain.finish(&[]).unwrap().finish(Some(0)).unwrap_err().code(), "gateway_error");
}

#[test]
fn requests_carry_both_sns_signed_and_in_the_url() {
    let signed = client()
        .sign(&Request::new(METHOD).biz_content(r#"{"voucher_id":"1"}"#), Timestamp::from_unix_secs(1_715_593_760))
        .unwrap();
    assert_eq!(signed.params()["app_cert_sn"], APP_SN);
    assert_eq!(signed.params()["alipay_root_cert_sn"], ROOT_SN);
    let content = signed.sign_content();
    assert!(content.starts_with(&format!("alipay_root_cert_sn={ROOT_SN}&app_cert_sn={APP_SN}&app_id=")), "{content}");
    assert!(signed.url().contains(&format!("&app_cert_sn={APP_SN}&")), "{}", signed.url());
    assert!(signed.url().contains(&format!("?alipay_root_cert_sn={ROOT_SN}&")), "{}", signed.url());
    let signature = base64::engine::general_purpose::STANDARD.decode(signed.signature()).unwrap();
    let app_public = AppCertificate::from_pem(&generated("app_cert.pem")).unwrap().public_key().clone();
    app_public.verify(SignType::Rsa2, content.as_bytes(), &signature).unwrap();
    // Outside certificate mode, neither SN is sent.
    let plain = Client::without_keys(Config::new("2021000000000001"))
        .with_signer(std::sync::Arc::new(AppPrivateKey::parse(&key_file("app_2048.private.pkcs1.pem")).unwrap()))
        .sign(&Request::new(METHOD), Timestamp::from_unix_secs(0))
        .unwrap();
    assert!(!plain.sign_content().contains("cert_sn"));
}

#[test]
fn responses_are_verified_with_the_key_their_sn_names() {
    let client = client();
    let verified = client.verify_response(METHOD, &body(NODE_KEY, NODE, Some(ALIPAY_SN), "alipay_2048")).unwrap();
    assert_eq!(verified.alipay_cert_sn(), Some(ALIPAY_SN));
    assert_eq!(verified.value()["voucher_id"], "2024051300826004000000ABCDEF");
    // Without alipay_cert_sn: the configured certificate's key.
    assert!(client.verify_response(METHOD, &body(NODE_KEY, NODE, None, "alipay_2048")).is_ok());
    assert_eq!(
        client.verify_response(METHOD, &body(NODE_KEY, NODE, None, "other_2048")).unwrap_err(),
        Error::SignatureMismatch
    );
    // A known SN with another key's signature.
    assert_eq!(
        client.verify_response(METHOD, &body(NODE_KEY, NODE, Some(ALIPAY_SN), "other_2048")).unwrap_err(),
        Error::SignatureMismatch
    );
    // An unknown SN asks for a download.
    let rotated = body(NODE_KEY, NODE, Some(ALIPAY_NEW_SN), "other_2048");
    let error = client.verify_response(METHOD, &rotated).unwrap_err();
    assert_eq!(error.code(), "unknown_cert_sn");
    assert_eq!(error, Error::UnknownCertSn(ALIPAY_NEW_SN.to_owned()));
    assert!(error.to_string().contains(DOWNLOAD_METHOD));
}

#[test]
fn a_downloaded_certificate_is_checked_added_and_then_verifies() {
    let rotated = body(NODE_KEY, NODE, Some(ALIPAY_NEW_SN), "other_2048");
    let new_pem = generated("alipay_cert_new.pem");
    // The download answer signed by the current key...
    let client = client();
    let shared = client.clone();
    assert_eq!(
        client.add_downloaded_certificate(&download_body(&new_pem, Some(ALIPAY_SN), "alipay_2048"), now()).unwrap(),
        ALIPAY_NEW_SN
    );
    assert_eq!(shared.alipay_cert_sns(), [ALIPAY_SN, ALIPAY_NEW_SN]);
    assert!(shared.verify_response(METHOD, &rotated).is_ok());
    // ...or by the new key it carries (after a rotation), once the chain checks out.
    let client = self::client();
    assert_eq!(
        client.add_downloaded_certificate(&download_body(&new_pem, Some(ALIPAY_NEW_SN), "other_2048"), now()).unwrap(),
        ALIPAY_NEW_SN
    );
    assert!(client.verify_response(METHOD, &rotated).is_ok());
    // Without an SN: the configured certificate's key.
    let client = self::client();
    client.add_downloaded_certificate(&download_body(&new_pem, None, "alipay_2048"), now()).unwrap();
    assert!(client.verify_response(METHOD, &rotated).is_ok());
}

/// A host's RSA stand-in: verifies with the key it is given, and records which key that was.
#[derive(Default)]
struct RecordingHost {
    keys: std::sync::Mutex<Vec<Vec<u8>>>,
    refuse: bool,
}

impl RecordingHost {
    fn take(&self) -> Vec<Vec<u8>> {
        std::mem::take(&mut *self.keys.lock().unwrap())
    }
}

impl KeyVerifier for RecordingHost {
    fn verify_with(
        &self,
        key: &AlipayPublicKey,
        sign_type: SignType,
        message: &[u8],
        signature: &[u8],
    ) -> alipay_openapi::Result<()> {
        self.keys.lock().unwrap().push(key.spki_der().to_vec());
        if self.refuse {
            return Err(Error::SignatureMismatch);
        }
        key.verify(sign_type, message, signature)
    }
}

#[test]
fn a_key_verifier_checks_every_signature_with_the_key_the_client_picks() {
    let spki = |file: &str| AlipayCertificate::from_pem(&generated(file)).unwrap().public_key().spki_der().to_vec();
    let (configured, next) = (spki("alipay_cert.pem"), spki("alipay_cert_new.pem"));
    let host = std::sync::Arc::new(RecordingHost::default());
    let client = client().with_key_verifier(host.clone());

    // A response naming an SN, one without, and a notification.
    assert!(client.verify_response(METHOD, &body(NODE_KEY, NODE, Some(ALIPAY_SN), "alipay_2048")).is_ok());
    assert!(client.verify_response(METHOD, &body(NODE_KEY, NODE, None, "alipay_2048")).is_ok());
    let content = "app_id=2021000000000001&notify_id=n1&out_biz_no=o1";
    let sign = base64::engine::general_purpose::STANDARD
        .encode(alipay_signer("alipay_2048").sign(SignType::Rsa2, content.as_bytes()).unwrap());
    let notify = format!("{content}&sign_type=RSA2&sign={}", sign.replace('+', "%2B").replace('/', "%2F"));
    let params = NotifyParams::from_form(notify.as_bytes(), Charset::Utf8).unwrap();
    assert!(client.verify_notification(params, NotifyVersion::V1).is_ok());
    assert_eq!(host.take(), [configured.clone(), configured.clone(), configured.clone()]);

    // After a rotation the download answer is signed by the key it carries; then that key is used.
    let new_pem = generated("alipay_cert_new.pem");
    client.add_downloaded_certificate(&download_body(&new_pem, Some(ALIPAY_NEW_SN), "other_2048"), now()).unwrap();
    let intermediate =
        AlipayCertificate::from_pem(new_pem.split_inclusive("-----END CERTIFICATE-----\n").nth(1).unwrap())
            .unwrap()
            .public_key()
            .spki_der()
            .to_vec();
    let seen = host.take();
    assert_eq!(seen.len(), 3, "the certificate, its intermediate, then the answer");
    assert_eq!((&seen[0], &seen[2]), (&intermediate, &next));
    assert!(![&intermediate, &next, &configured].contains(&&seen[1]), "a root's key checks the intermediate");
    assert!(client.verify_response(METHOD, &body(NODE_KEY, NODE, Some(ALIPAY_NEW_SN), "other_2048")).is_ok());
    assert_eq!(host.take(), std::slice::from_ref(&next));
    let wrong_key = body(NODE_KEY, NODE, Some(ALIPAY_NEW_SN), "alipay_2048");
    assert_eq!(client.verify_response(METHOD, &wrong_key).unwrap_err(), Error::SignatureMismatch);
    assert_eq!(
        host.take(),
        std::slice::from_ref(&next),
        "one candidate: the node has no escaped slash to retry without"
    );

    // The host's verdict is final, also outside certificate mode; a host `Verifier` is not a parsed key.
    let refusing = std::sync::Arc::new(RecordingHost { refuse: true, ..RecordingHost::default() });
    let valid = body(NODE_KEY, NODE, None, "alipay_2048");
    let plain = Client::without_keys(Config::new("2021000000000001"))
        .with_alipay_public_key(AlipayPublicKey::parse(&key_file("alipay_2048.public.spki.pem")).unwrap());
    assert!(plain.verify_response(METHOD, &valid).is_ok());
    let refused = plain.clone().with_key_verifier(refusing.clone());
    assert_eq!(refused.verify_response(METHOD, &valid).unwrap_err(), Error::SignatureMismatch);
    assert_eq!(refusing.take().len(), 1);
}

#[test]
fn a_bad_download_adds_nothing() {
    let client = client();
    let new_pem = generated("alipay_cert_new.pem");
    let expect_nothing_added = |result: Result<String, Error>, code: &str| {
        let error = result.unwrap_err();
        assert_eq!(error.code(), code, "{error}");
        assert_eq!(client.alipay_cert_sns(), [ALIPAY_SN]);
    };
    // A certificate that fails the chain check, even signed by a known key.
    let expired = download_body(&generated("alipay_cert_expired.pem"), Some(ALIPAY_SN), "alipay_2048");
    expect_nothing_added(client.add_downloaded_certificate(&expired, now()), "invalid_certificate");
    let new_at_2040 = Timestamp::parse_beijing("t", "2040-01-01 00:00:00").unwrap();
    let valid = download_body(&new_pem, Some(ALIPAY_SN), "alipay_2048");
    expect_nothing_added(client.add_downloaded_certificate(&valid, new_at_2040), "invalid_certificate");
    // A response whose signature does not verify.
    let tampered = String::from_utf8(valid.clone()).unwrap().replace("\"msg\":\"Success\"", "\"msg\":\"success\"");
    expect_nothing_added(client.add_downloaded_certificate(tampered.as_bytes(), now()), "signature_mismatch");
    // Signed by a key the ring does not know, that is not the downloaded one either.
    let other = download_body(&generated("alipay_cert.pem"), Some(ALIPAY_NEW_SN), "other_2048");
    expect_nothing_added(client.add_downloaded_certificate(&other, now()), "unknown_cert_sn");
    // A certificate whose SN matches the signature's but whose key did not sign.
    let impostor = download_body(&new_pem, Some(ALIPAY_NEW_SN), "alipay_2048");
    expect_nothing_added(client.add_downloaded_certificate(&impostor, now()), "signature_mismatch");
    // A verified gateway error.
    let error_node = r#"{"code":"40004","msg":"Business Failed","sub_code":"CERT_NOT_EXIST","sub_msg":"证书不存在"}"#;
    let refused = body("alipay_open_app_alipaycert_download_response", error_node, Some(ALIPAY_SN), "alipay_2048");
    expect_nothing_added(client.add_downloaded_certificate(&refused, now()), "gateway_error");
    // The answer to another method.
    let wrong_method = body(NODE_KEY, NODE, Some(ALIPAY_SN), "alipay_2048");
    expect_nothing_added(client.add_downloaded_certificate(&wrong_method, now()), "response_node_missing");
    // Content that is not base64 of a PEM.
    let garbage = body(
        "alipay_open_app_alipaycert_download_response",
        r#"{"code":"10000","msg":"Success","alipay_cert_content":"bm90IGEgUEVN"}"#,
        Some(ALIPAY_SN),
        "alipay_2048",
    );
    expect_nothing_added(client.add_downloaded_certificate(&garbage, now()), "invalid_certificate");
}

#[test]
fn stored_certificates_can_be_added_and_the_ring_is_shared_between_threads() {
    let client = client();
    assert_eq!(client.add_alipay_certificate(&generated("alipay_cert_new.pem"), now()).unwrap(), ALIPAY_NEW_SN);
    invalid_certificate(client.add_alipay_certificate(&generated("alipay_cert_forged.pem"), now()));
    assert_eq!(client.alipay_cert_sns(), [ALIPAY_SN, ALIPAY_NEW_SN]);
    let old = body(NODE_KEY, NODE, Some(ALIPAY_SN), "alipay_2048");
    let new = body(NODE_KEY, NODE, Some(ALIPAY_NEW_SN), "other_2048");
    std::thread::scope(|scope| {
        for body in [&old, &new, &old, &new] {
            let client = client.clone();
            scope.spawn(move || assert!(client.verify_response(METHOD, body).is_ok()));
        }
    });
    // Outside certificate mode there is no ring to add to.
    let plain = Client::without_keys(Config::new("2021000000000001"));
    assert!(invalid_certificate(plain.add_alipay_certificate(&generated("alipay_cert_new.pem"), now()))
        .contains("not in certificate mode"));
    assert!(plain.alipay_cert_sns().is_empty() && plain.certificate_mode().is_none());
    assert_eq!(client.certificate_mode().unwrap().app_cert_sn(), APP_SN);
}

/// A form notification signed as rsaCheckV1 signs (`alipay_cert_sn` not signed) by `signer`.
fn cert_notification(sn: Option<&str>, signer: &str) -> NotifyParams {
    let content = "app_id=2021000000000001&notify_id=n1&trade_status=TRADE_SUCCESS";
    let sign = base64::engine::general_purpose::STANDARD
        .encode(alipay_signer(signer).sign(SignType::Rsa2, content.as_bytes()).unwrap());
    let sn = sn.map(|sn| format!("&alipay_cert_sn={sn}")).unwrap_or_default();
    let form = format!("{content}{sn}&sign_type=RSA2&sign={}", sign.replace('+', "%2B").replace('/', "%2F"));
    NotifyParams::from_form(form.as_bytes(), Charset::Utf8).unwrap()
}

#[test]
fn a_notification_is_verified_with_the_certificate_its_sn_names() {
    let client = client();
    let verify = |sn, signer| client.verify_notification(cert_notification(sn, signer), NotifyVersion::V1);
    assert!(verify(Some(ALIPAY_SN), "alipay_2048").is_ok());
    assert!(verify(None, "alipay_2048").is_ok());
    // After Alipay rotates its certificate: unknown until downloaded, then verified with the new key.
    assert_eq!(verify(Some(ALIPAY_NEW_SN), "other_2048").unwrap_err(), Error::UnknownCertSn(ALIPAY_NEW_SN.to_owned()));
    let pending =
        client.begin_verify_notification(cert_notification(Some(ALIPAY_SN), "alipay_2048"), NotifyVersion::V1);
    assert_eq!(pending.unwrap().check().alipay_cert_sn(), Some(ALIPAY_SN));
    let new_pem = generated("alipay_cert_new.pem");
    client.add_downloaded_certificate(&download_body(&new_pem, Some(ALIPAY_NEW_SN), "other_2048"), now()).unwrap();
    assert!(verify(Some(ALIPAY_NEW_SN), "other_2048").is_ok());
    // The SN picks the key: a notification naming the old SN but signed with the new key fails.
    assert_eq!(verify(Some(ALIPAY_SN), "other_2048").unwrap_err(), Error::SignatureMismatch);
}
