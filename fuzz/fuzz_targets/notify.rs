//! Any form body: parsing decodes exactly once and never panics; verification never panics.
#![no_main]

mod common;

use alipay_openapi::{NotifyParams, NotifyVersion};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((charset, sign_type, _, body)) = common::split(data) else { return };
    let Ok(params) = NotifyParams::from_form(body, charset) else { return };
    let client = common::client(charset, sign_type);
    let pairs: Vec<(String, String)> = params.fields().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    if let Ok(again) = NotifyParams::from_pairs(pairs) {
        assert_eq!(again.fields(), params.fields());
    }
    let _ = client.verify_notification(params.clone(), NotifyVersion::V1);
    let _ = client.verify_notification(params, NotifyVersion::V2);
});
