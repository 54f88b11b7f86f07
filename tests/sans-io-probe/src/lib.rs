//! Exercises the core's whole request and response path with fixed inputs. Built for
//! `wasm32-unknown-unknown` by `scripts/check-sans-io.sh`, which asserts that the resulting module
//! has no imports at all: the core reaches no clock, environment, file, socket or random source.

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    sign_response_body, AesKey, AppPrivateKey, CertificateMode, Charset, Client, Config, NotifyParams, NotifyVersion,
    PrivateKey, Request, SignType, Timestamp,
};

const APP_KEY: &str = include_str!("../../vectors/keys/app_2048.private.pkcs8.pem");
const ALIPAY_KEY: &str = include_str!("../../vectors/keys/alipay_2048.private.pkcs1.pem");
const APP_CERT: &str = include_str!("../../vectors/certs/generated/app_cert.pem");
const ALIPAY_CERT: &str = include_str!("../../vectors/certs/generated/alipay_cert.pem");
const ALIPAY_CERT_NEW: &str = include_str!("../../vectors/certs/generated/alipay_cert_new.pem");
const ROOT_BUNDLE: &str = include_str!("../../vectors/certs/generated/root_bundle.pem");
const AES_KEY: &str = include_str!("../../vectors/protocol-examples/aes_key.txt");

/// Signs a request, signs and verifies a response in both charsets, verifies a notification, and
/// does the same in certificate mode with AES content encryption, checking a new certificate.
/// Returns a bit set of the steps that succeeded (63 = all).
pub fn run_probe(now_millis: i64) -> u32 {
    let (Ok(app), Ok(alipay)) = (AppPrivateKey::parse(APP_KEY), PrivateKey::<Alipay>::parse(ALIPAY_KEY)) else {
        return 0;
    };
    let mut steps = 1;
    let request = Request::new("alipay.marketing.voucher.query").biz_content(r#"{"voucher_id":"1"}"#);
    for (bit, charset) in [(2, Charset::Utf8), (4, Charset::Gbk)] {
        let mut config = Config::new("2021000000000001");
        config.charset = charset;
        let client = Client::new(config, app.clone(), alipay.public_key());
        let node = r#"{"code":"10000","msg":"Success","voucher_id":"1"}"#;
        let ok = client.sign(&request, Timestamp::from_unix_millis(now_millis)).is_ok()
            && sign_response_body(
                "alipay_marketing_voucher_query_response",
                node,
                None,
                charset,
                SignType::Rsa2,
                &alipay,
            )
            .and_then(|body| client.verify_response(request.method(), &body))
            .is_ok();
        if ok {
            steps |= bit;
        }
    }
    let client = Client::new(Config::new("2021000000000001"), app.clone(), alipay.public_key());
    if let Ok(params) = NotifyParams::from_form(b"a=1&sign=AAAA&sign_type=RSA2", Charset::Utf8) {
        steps |= 8;
        if client.verify_notification(params, NotifyVersion::V1).is_err() {
            steps |= 16;
        }
    }
    if certificate_mode_with_aes(app, &alipay, now_millis).is_some() {
        steps |= 32;
    }
    steps
}

fn certificate_mode_with_aes(app: AppPrivateKey, alipay: &PrivateKey<Alipay>, now_millis: i64) -> Option<()> {
    let mode = CertificateMode::from_pem(APP_CERT, ALIPAY_CERT, ROOT_BUNDLE).ok()?;
    let sn = mode.alipay_certificate().sn().to_owned();
    let aes = AesKey::from_base64(AES_KEY.trim()).ok()?;
    let client = Client::new(Config::new("2021000000000001"), app, alipay.public_key())
        .with_certificate_mode(mode)
        .with_aes_key(aes.clone());
    let now = Timestamp::from_unix_millis(now_millis);
    client.sign(&Request::new("alipay.marketing.voucher.query").biz_content("{}"), now).ok()?;
    let node = format!("\"{}\"", aes.encrypt(br#"{"code":"10000","msg":"Success"}"#).ok()?);
    let body = sign_response_body(
        "alipay_marketing_voucher_query_response",
        &node,
        Some(&sn),
        Charset::Utf8,
        SignType::Rsa2,
        alipay,
    )
    .ok()?;
    client.verify_response("alipay.marketing.voucher.query", &body).ok()?;
    client.add_alipay_certificate(ALIPAY_CERT_NEW, now).ok().map(|_| ())
}

/// The module's one export, so that the linker keeps everything `run_probe` reaches.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)] // `no_mangle` is an unsafe attribute; the export takes and returns plain integers.
#[no_mangle]
pub extern "C" fn probe(now_millis: i64) -> u32 {
    run_probe(now_millis)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_step_succeeds_natively() {
        assert_eq!(super::run_probe(1_790_000_000_000), 63);
    }
}
