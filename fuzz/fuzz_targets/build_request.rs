//! Any parameter map (lines `key=value`, the first line is biz_content): a signed request or a typed
//! error; when signed, what is sent is exactly what is signed, by the POST, the page-pay link and the
//! app-pay order string alike, and the page-pay form holds no raw quote or `<` inside a value.
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
    let link = signed.page_link();
    assert_eq!(link.split_once('?').map(|(_, q)| q), Some(signed.order_string().as_str()));
    let body = if signed.body().is_empty() { Vec::new() } else { [b"&", signed.body()].concat() };
    assert_eq!(signed.order_string().as_bytes(), [query.as_bytes(), &body].concat());
    let form = signed.page_form();
    let markup = signed.params().len() + 16; // the form's own tags and attributes
    assert!(form.matches('<').count() <= markup && form.matches('"').count() <= 2 * markup + 8, "{form}");
});
