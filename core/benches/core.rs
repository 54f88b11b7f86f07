//! Sign content, signing and end-to-end response verification, for each backend.
//! `scripts/bench.sh` runs this beside `openssl speed rsa2048` and prints the ratios.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::disallowed_types
)] // benchmark code: reads fixtures and fails loudly

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    sign_response_body, AlipayPublicKey, AppPrivateKey, Backend, Charset, Client, Config, PrivateKey, Request,
    SignType, Signer, Timestamp, V3Request, Verifier,
};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn key_text(file: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/keys/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const SEND_BIZ: &str = r#"{"template_id":"20140601000730010040000000EB","user_id":"2088302001456115","out_biz_no":"2016122814164328aadaee_1aee_4","amount":"9.99","memo":"优酷3个月兑换券"}"#;
const QUERY_NODE: &str = r#"{"code":"10000","msg":"Success","voucher_id":"20170616000730020041006ZYE2V","template_id":"20170616000730010040006ZYE2V","name":"满100减10","status":"ENABLED","total_amount":"10.00","available_amount":"10.00","gmt_active":"2024-05-13 17:49:20","gmt_expired":"2024-06-13 17:49:20","voucher_url":"https:\/\/render.alipay.com\/p\/f\/voucher?id=1"}"#;

fn benches(c: &mut Criterion) {
    let app_text = key_text("app_2048.private.pkcs1.pem");
    let alipay_private = PrivateKey::<Alipay>::parse(&key_text("alipay_2048.private.pkcs8.pem")).unwrap();
    let body = sign_response_body(
        "alipay_marketing_voucher_query_response",
        QUERY_NODE,
        None,
        Charset::Utf8,
        SignType::Rsa2,
        &alipay_private,
    )
    .unwrap();
    let request = Request::new("alipay.marketing.voucher.send").biz_content(SEND_BIZ);
    let now = Timestamp::from_unix_millis(1_715_593_760_000);
    let v3_request = V3Request::new("POST", "/v3/test/bench")
        .body(SEND_BIZ)
        .request_id("c0ffee00deadbeef0123456789abcdef")
        .nonce("0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0")
        .timestamp_millis(1_715_593_760_000);
    let v3_signature = alipay_openapi::v3::v3_response_sign_content("1715593761234", "n0", QUERY_NODE.as_bytes());
    let v3_headers = [
        ("alipay-timestamp", "1715593761234".to_owned()),
        ("alipay-nonce", "n0".to_owned()),
        ("alipay-signature", base64_encode(&alipay_private.sign(SignType::Rsa2, &v3_signature).unwrap())),
    ];

    let mut backends = vec![("rustcrypto", Backend::RustCrypto)];
    if Backend::default() != Backend::RustCrypto {
        backends.push(("awslc", Backend::default()));
    }
    for (name, backend) in backends {
        let app = AppPrivateKey::parse_with_backend(&app_text, backend).unwrap();
        let alipay: AlipayPublicKey = AlipayPublicKey::parse(&key_text("alipay_2048.public.spki.pem")).unwrap();
        let client = Client::new(Config::new("2021000000000001"), app, alipay.clone());

        c.bench_function(&format!("{name}/sign_request"), |b| {
            b.iter(|| client.sign(black_box(&request), now).unwrap())
        });
        c.bench_function(&format!("{name}/sign_request_v3"), |b| {
            b.iter(|| client.sign_v3(black_box(&v3_request)).unwrap())
        });
        if backend == Backend::RustCrypto {
            c.bench_function("sign_content", |b| b.iter(|| client.prepare(black_box(&request), now).unwrap()));
            c.bench_function("sign_content_v3", |b| b.iter(|| client.prepare_v3(black_box(&v3_request)).unwrap()));
            c.bench_function("rustcrypto/verify_response", |b| {
                b.iter(|| {
                    let located = alipay_openapi::verify_response(
                        black_box(&body),
                        "alipay.marketing.voucher.query",
                        Charset::Utf8,
                        SignType::Rsa2,
                        &Portable(&alipay),
                    );
                    located.unwrap()
                })
            });
        } else {
            c.bench_function(&format!("{name}/verify_response"), |b| {
                b.iter(|| client.verify_response("alipay.marketing.voucher.query", black_box(&body)).unwrap())
            });
            c.bench_function(&format!("{name}/verify_response_v3"), |b| {
                b.iter(|| client.verify_v3_response(200, black_box(&v3_headers), QUERY_NODE.as_bytes()).unwrap())
            });
        }
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Forces the portable backend for verification.
struct Portable<'a>(&'a AlipayPublicKey);

impl Verifier for Portable<'_> {
    fn verify(&self, sign_type: SignType, message: &[u8], signature: &[u8]) -> alipay_openapi::Result<()> {
        self.0.verify_portable(sign_type, message, signature)
    }
}

criterion_group!(core_benches, benches);
criterion_main!(core_benches);
