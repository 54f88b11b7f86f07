//! Any AES key bytes, any ciphertext text and any ciphertext bytes: plaintext or a typed error,
//! never a panic; what is encrypted decrypts back to itself.
#![no_main]

mod common;

use alipay_openapi::AesKey;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = AesKey::from_base64(text);
    }
    let Some((key, _, input)) = common::aes_key(data) else { return };
    if let Ok(text) = std::str::from_utf8(input) {
        let _ = key.decrypt(text);
    }
    let _ = key.decrypt(&base64::engine::general_purpose::STANDARD.encode(input));
    match key.encrypt(input).map(|ciphertext| key.decrypt(&ciphertext)) {
        Ok(Ok(plaintext)) => assert_eq!(plaintext, input),
        Ok(Err(e)) | Err(e) => panic!("AES round trip failed: {e}"),
    }
});
