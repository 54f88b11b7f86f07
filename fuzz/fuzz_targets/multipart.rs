//! Any file part (name, file name, content type, boundary, bytes) of an upload: a multipart body or
//! a typed error, never a panic; when built, the body opens each part once, with a delimiter line
//! that occurs nowhere else, closes once, and holds the file's bytes.
#![no_main]

mod common;

use std::sync::OnceLock;

use alipay_openapi::{Charset, FilePart, Request, SignType, SignedRequest, Timestamp};
use libfuzzer_sys::fuzz_target;

/// The upload request, signed once (RSA under the sanitizer would dominate the run).
fn signed() -> &'static SignedRequest {
    static SIGNED: OnceLock<SignedRequest> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let request = Request::new("alipay.offline.material.image.upload").param("image_type", "jpg");
        common::client(Charset::Utf8, SignType::Rsa2)
            .sign(&request, Timestamp::from_unix_secs(1_715_593_760))
            .unwrap_or_else(|_| unreachable!("the upload request signs"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((_, _, _, payload)) = common::split(data) else { return };
    let mut fields = payload.splitn(5, |&b| b == b'\n');
    let mut text = || String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let (name, file_name, content_type, boundary) = (text(), text(), text(), text());
    let bytes = fields.next().unwrap_or_default();
    let file = FilePart { name: &name, file_name: &file_name, content_type: &content_type, bytes };
    let boundary = Some(boundary.as_str()).filter(|b| !b.is_empty());
    let Ok(upload) = signed().multipart(&[file], boundary, 4096) else { return };
    let delimiter = format!("--{}", upload.boundary());
    let framed = [b"\r\n", upload.body()].concat();
    let opening = format!("\r\n{delimiter}\r\n");
    let starts = framed.windows(opening.len()).filter(|w| *w == opening.as_bytes()).count();
    assert_eq!(starts, 2, "a text part and the file part");
    assert!(framed.ends_with(format!("\r\n{delimiter}--\r\n").as_bytes()));
    assert!(bytes.is_empty() || framed.windows(bytes.len()).any(|w| w == bytes));
});
