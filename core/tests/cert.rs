//! Certificate mode: SNs, certificate chains, the key ring, and requests and responses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::disallowed_methods, clippy::disallowed_types)] // test code: reads fixtures and fails loudly

use alipay_openapi::cert::{cert_sn, root_cert_sn};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/certs/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn known_answers_of_alipay_certificates() {
    assert_eq!(
        root_cert_sn(&fixture("alipayRootCert.crt")).unwrap(),
        "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"
    );
    assert_eq!(cert_sn(&fixture("appPublicCert.crt")).unwrap(), "9c51a0ddeb34866e5a331e613f57bf0f");
    assert_eq!(cert_sn(&fixture("alipayPublicCert.crt")).unwrap(), "05d88faef76d723019c5c14d3ecd014a");
}
