//! Any field names and values, as a web framework hands them over (records split at U+001E, name
//! and value at the first U+001F): notification fields or a typed error; V1 and V2 verification
//! with the Alipay test key succeed or fail, never panic; and the same fields, signed again
//! (common::Echo), verify and come back unchanged.
#![no_main]

mod common;

use alipay_openapi::{NotifyParams, NotifyVersion, Signer as _};
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, input)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(input);
    let pairs: Vec<(&str, &str)> = text.split('\u{1e}').map(|r| r.split_once('\u{1f}').unwrap_or((r, ""))).collect();
    let Ok(params) = NotifyParams::from_pairs(pairs.iter().copied()) else { return };
    let sign_type = common::sign_type(flags & 1 != 0);
    let _ = params.clone().verify(NotifyVersion::V1, sign_type, common::alipay_public());
    let _ = params.verify(NotifyVersion::V2, sign_type, common::alipay_public());
    // Signed again: `sign` replaced, the sign type declared (bit 1) or not.
    let mut fields: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| *k != "sign" && *k != "sign_type").map(|&(k, v)| (k.into(), v.into())).collect();
    if flags & 2 != 0 {
        fields.push(("sign_type".into(), sign_type.as_str().into()));
    }
    let Ok(unsigned) = NotifyParams::from_pairs(fields.clone()) else { unreachable!("the fields were accepted") };
    let content = unsigned.sign_content_v1();
    let Ok(content) = unsigned.charset().encode("notification", &content) else { return };
    let Ok(signature) = common::Echo.sign(sign_type, &content) else { unreachable!("echo signs") };
    fields.push(("sign".into(), base64::engine::general_purpose::STANDARD.encode(signature)));
    let Ok(signed) = NotifyParams::from_pairs(fields) else { unreachable!("the fields were accepted") };
    match signed.clone().verify(NotifyVersion::V1, sign_type, &common::Echo) {
        Ok(notification) => assert_eq!(notification.fields(), signed.fields()),
        Err(e) => panic!("a notification signed over its V1 content does not verify: {e}"),
    }
});
