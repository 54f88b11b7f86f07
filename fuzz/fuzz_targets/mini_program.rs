//! Any mini-program payload (`my.getPhoneNumber`): reading, verifying and decrypting never panic;
//! with the host's verdict taken as "verified" (flag bit 0), any `response` reaches decryption and
//! parsing, and what comes back is a JSON object.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, payload)) = data.split_first() else { return };
    let client = common::payload_client();
    if flags & 1 == 0 {
        let _ = client.verify_mini_program(payload);
        return;
    }
    let Ok(pending) = client.begin_verify_mini_program(payload) else { return };
    if let Ok(verified) = pending.finish(Some(0)) {
        assert_eq!(verified.node_key(), "response");
        assert!(serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(verified.node_text()).is_ok());
    }
});
