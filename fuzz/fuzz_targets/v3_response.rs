//! Any OpenAPI v3 answer (status, headers, body): the check never panics, and a verified body with one
//! byte changed never verifies. The signed headers are built from the input, so the scanner of timestamp,
//! nonce, signature and SN headers sees every shape, including newlines and duplicates.
#![no_main]

mod common;

use alipay_openapi::{Charset, SignType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&[high, low], rest)) = data.split_first_chunk::<2>() else { return };
    let status = 100 + (u16::from_be_bytes([high, low]) % 500);
    // Headers are the lines before the first empty line, `name: value` each; the rest is the body.
    let text = String::from_utf8_lossy(rest);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let headers: Vec<(String, String)> = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_owned(), value.trim_start().to_owned()))
        .collect();
    let client = common::client(Charset::Utf8, SignType::Rsa2);
    if client.verify_v3_response(status, &headers, body.as_bytes()).is_ok() && (200..300).contains(&status) {
        // Only a real signature (the golden seeds) gets here: one changed byte must break it.
        let mut changed = body.as_bytes().to_vec();
        let Some(first) = changed.first_mut() else { return };
        *first ^= 1;
        assert!(client.verify_v3_response(status, &headers, &changed).is_err(), "a changed v3 body verified");
    }
});
