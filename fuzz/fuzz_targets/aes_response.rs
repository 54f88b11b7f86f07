//! A response whose node is an encrypted string, verified by a client with an AES key (whose
//! signature check accepts everything, so any ciphertext reaches decryption): the verified node or
//! a typed error, never a panic. Bit 1 of the flags left by the key (see common::aes_key) clear:
//! the input is a node the target encrypts, and a JSON object comes back verbatim. Set: the input
//! is put between the node's quotes as it is.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

const METHOD: &str = "alipay.marketing.voucher.query";
const SIGN: &str = "c2lnbmF0dXJl";

fuzz_target!(|data: &[u8]| {
    let Some((key, flags, input)) = common::aes_key(data) else { return };
    let charset = common::charset(flags & 1 != 0);
    let node_key = alipay_openapi::response_node_key(METHOD);
    if flags & 2 != 0 {
        let (open, close) = (format!("{{\"{node_key}\":\""), format!("\",\"sign\":\"{SIGN}\"}}"));
        let body = [open.as_bytes(), input, close.as_bytes()].concat();
        let _ = common::verify_encrypted(charset, key, METHOD, &body);
        return;
    }
    let Ok(node) = std::str::from_utf8(input) else { return };
    let Ok(plaintext) = charset.encode("node", node) else { return };
    let Ok(ciphertext) = key.encrypt(&plaintext) else { unreachable!("encryption cannot fail") };
    let body = format!("{{\"{node_key}\":\"{ciphertext}\",\"sign\":\"{SIGN}\"}}");
    let verified = common::verify_encrypted(charset, key, METHOD, body.as_bytes());
    if serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(node).is_ok() {
        match verified {
            Ok(verified) => assert_eq!(verified.node_text(), node),
            Err(e) => panic!("an encrypted JSON node was not read back: {e}"),
        }
    }
});
