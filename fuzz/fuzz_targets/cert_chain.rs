//! Any chain checked against the test root bundle, and any root bundle or certificate files read
//! into a certificate mode (PEM built as in `certs`), at several moments: a certificate or a typed
//! error, never a panic; a certificate that passes is valid at that moment and has the SN of the
//! chain's first block.
#![no_main]

mod common;

use alipay_openapi::cert::cert_sn;
use alipay_openapi::CertificateMode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, input)) = data.split_first() else { return };
    let pem = common::pem(flags, input);
    let now = common::moment(flags >> 2);
    // Bits 4-5: the input is the chain, the root bundle, the Alipay certificate or the app certificate.
    let (mode, chain) = match (flags >> 4) & 3 {
        0 => (Ok(common::certificate_mode().clone()), pem.as_str()),
        1 => (CertificateMode::from_pem(common::APP_CERT, common::ALIPAY_CERT, &pem), common::ALIPAY_CERT),
        2 => (CertificateMode::from_pem(common::APP_CERT, &pem, common::ROOT_BUNDLE), common::ALIPAY_CERT),
        _ => (CertificateMode::from_pem(&pem, common::ALIPAY_CERT, common::ROOT_BUNDLE), common::ALIPAY_CERT),
    };
    let Ok(mode) = mode else { return };
    if let Ok(certificate) = mode.check_certificate(chain, now) {
        assert!(certificate.is_valid_at(now));
        assert_eq!(cert_sn(chain).ok().as_deref(), Some(certificate.sn()));
    }
});
