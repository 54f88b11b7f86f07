//! The options model on any JSON (what every binding passes): `{"client": …, "request": …, "v3": …,
//! "order": …, "notify": …}`. Each part is read or refused with a typed error; a request that reads is
//! signed, and what is signed holds no line break in a v3 header and no `sign` among the parameters.
#![no_main]

mod common;

use alipay_openapi::{
    ClientOptions, Charset, ExpectedOrder, NotifyOptions, RequestOptions, SignType, Timestamp, V3Request,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let part = |name: &str| value.get(name).cloned().unwrap_or(Value::Null);
    if let Ok(options) = ClientOptions::from_value(&part("client")) {
        let _ = options.parts();
    }
    let _ = NotifyOptions::from_value(&part("notify"));
    let client = common::client(Charset::Utf8, SignType::Rsa2);
    if let Ok(request) = RequestOptions::from_value(&part("request")).and_then(|options| options.to_request()) {
        if let Ok(prepared) = client.prepare(&request, Timestamp::from_unix_secs(1_715_593_760)) {
            assert!(!prepared.params().contains_key("sign"), "a prepared request carries no sign");
        }
    }
    if let Ok(request) = V3Request::from_value(&part("v3")) {
        if let Ok(signed) = client.sign_v3(&request) {
            assert!(signed.sign_content().ends_with('\n'));
            for (name, value) in signed.headers() {
                assert!(!value.contains(['\r', '\n']), "header {name} carries a line break");
            }
        }
    }
    if let Ok(order) = ExpectedOrder::from_value(&part("order")) {
        // from_value requires an out_trade_no, which an empty message cannot match.
        let error = alipay_openapi::check_order(&Default::default(), &order).err();
        assert_eq!(error.as_ref().and_then(|e| e.field_name()), Some("out_trade_no"));
    }
});
