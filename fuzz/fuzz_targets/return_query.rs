//! Any return_url query: reading it decodes exactly once and never panics, whatever the declared
//! charset; verification (public-key and certificate mode, either rule) never panics, and no query
//! that the test keys did not sign verifies.
#![no_main]

mod common;

use alipay_openapi::{NotifyParams, NotifyVersion};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, query)) = data.split_first() else { return };
    let (charset, sign_type) = (common::charset(flags & 1 != 0), common::sign_type(flags & 2 != 0));
    let client = common::client(charset, sign_type);
    let Ok(params) = client.return_query(query, charset) else { return };
    let pairs: Vec<(String, String)> = params.fields().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    if let Ok(again) = NotifyParams::from_pairs(pairs) {
        assert_eq!(again.fields(), params.fields());
    }
    let _ = common::certificate_client(charset, sign_type).verify_return(params.clone(), NotifyVersion::V1);
    let _ = client.verify_return(params.clone(), NotifyVersion::V2);
    if let Ok(verified) = client.verify_return(params, NotifyVersion::V1) {
        // Only the seeds signed with the test Alipay key can get here, and they name this app.
        assert_eq!(verified.get("app_id"), Some("2021000000000001"));
    }
});
