//! Any body, any method name, both charsets, both sign types: never a panic; a verified result is
//! always internally consistent.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((charset, sign_type, method, body)) = common::split(data) else { return };
    let client = common::client(charset, sign_type);
    if let Ok(verified) = client.verify_response(&method, body) {
        assert!(
            verified.node_key() == alipay_openapi::response_node_key(&method)
                || verified.node_key() == "error_response"
        );
        assert!(serde_json::from_str::<serde_json::Value>(verified.node_text()).is_ok());
    }
});
