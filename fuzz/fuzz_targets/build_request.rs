//! Any parameter map (lines `key=value`, the first line is biz_content): a signed request or a typed
//! error; when signed, what is sent is exactly what is signed.
#![no_main]

mod common;

use alipay_openapi::{NotifyParams, Request, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((charset, sign_type, method, payload)) = common::split(data) else { return };
    let text = String::from_utf8_lossy(payload);
    let mut lines = text.split('\n');
    let mut request = Request::new(method).biz_content(lines.next().unwrap_or_default());
    for line in lines {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        request = request.param(k, v);
    }
    let client = common::client(charset, sign_type);
    let Ok(signed) = client.sign(&request, Timestamp::from_unix_secs(1_715_593_760)) else { return };
    let query = signed.url().split_once('?').map(|(_, q)| q).unwrap_or_default();
    let wire = [query.as_bytes(), b"&", signed.body()].concat();
    let sent = NotifyParams::from_form(&wire, charset).map(|p| p.fields().clone());
    let mut sent = match sent {
        Ok(sent) => sent,
        Err(e) => panic!("the library could not read back its own wire form: {e}"),
    };
    assert!(sent.remove("sign").is_some());
    assert_eq!(&sent, signed.params());
});
