//! Any certificate text, or any DER written as PEM: an SN, a root SN, a certificate, or a typed
//! error, never a panic; a certificate read from the text has the SN of its first block.
#![no_main]

mod common;

use alipay_openapi::cert::{cert_sn, root_cert_sn};
use alipay_openapi::{AlipayCertificate, AppCertificate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, input)) = data.split_first() else { return };
    let pem = common::pem(flags, input);
    let sn = cert_sn(&pem);
    let _ = root_cert_sn(&pem);
    if let Ok(certificate) = AlipayCertificate::from_pem(&pem) {
        assert_eq!(sn.as_deref().ok(), Some(certificate.sn()));
        let _ = certificate.is_valid_at(common::moment(flags >> 2));
    }
    if let Ok(certificate) = AppCertificate::from_pem(&pem) {
        assert_eq!(sn.as_deref().ok(), Some(certificate.sn()));
    }
});
