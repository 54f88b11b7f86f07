//! `alipay.offline.material.image.upload` as a multipart request: the system parameters and `sign`
//! in the query, the other text parameters as parts, the image as a file part that is not signed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use alipay_openapi::{Request, SignedRequest};
use common::cashier::browser;
use common::{gateway_error, Harness};

const UPLOAD: &str = "alipay.offline.material.image.upload";
const BOUNDARY: &str = "----LocalGatewayTestBoundary7MA4YWxk";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR--not-a-boundary\r\n";

/// The signed request's URL, and a multipart body of its non-query parameters and the file parts.
fn multipart(signed: &SignedRequest, files: &[(&str, &str, &[u8])], extra_texts: &[(&str, &str)]) -> Vec<u8> {
    let query = signed.url().split_once('?').unwrap().1;
    let in_query: Vec<&str> = query.split('&').map(|pair| pair.split('=').next().unwrap()).collect();
    let mut body = Vec::new();
    let texts = signed.params().iter().filter(|(k, _)| !in_query.contains(&k.as_str()));
    for (name, value) in texts.map(|(k, v)| (k.as_str(), v.as_str())).chain(extra_texts.iter().copied()) {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, file_name, content) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn upload_request(image_type: &str) -> Request {
    Request::new(UPLOAD).param("image_type", image_type).param("image_name", "门店照片")
}

fn send(
    harness: &Harness,
    signed: &SignedRequest,
    body: &[u8],
) -> Result<alipay_openapi::VerifiedResponse, alipay_openapi::Error> {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let http = harness.post_raw(signed.url(), &[("content-type".to_owned(), content_type)], body, "");
    assert_eq!(http.status, 200);
    harness.client().verify_response(UPLOAD, &http.body)?.into_success()
}

#[test]
fn an_image_is_stored_under_an_id_and_served_at_its_url() {
    let harness = Harness::start();
    let signed = harness.client().sign(&upload_request("png"), harness.now()).unwrap();
    let answer = send(&harness, &signed, &multipart(&signed, &[("image_content", "shop.png", PNG)], &[])).unwrap();
    let image_id = common::text(&answer, "image_id").to_owned();
    let image_url = common::text(&answer, "image_url").to_owned();
    assert!(image_id.starts_with("IMG") && image_url.ends_with(&format!("/test/images/{image_id}")), "{image_url}");
    let served = browser().get(&image_url).call().unwrap();
    assert_eq!(served.headers().get("content-type").unwrap(), "image/png");
    assert_eq!(served.into_body().read_to_vec().unwrap(), PNG);
    // Another file under the same signature: the file is not signed.
    let other: &[u8] = b"\x89PNG\r\n\x1a\nother";
    let again = send(&harness, &signed, &multipart(&signed, &[("image_content", "b.png", other)], &[])).unwrap();
    assert_ne!(common::text(&again, "image_id"), image_id);
}

#[test]
fn text_parts_are_signed_and_bad_uploads_are_refused() {
    let harness = Harness::start();
    let client = harness.client();
    let signed = client.sign(&upload_request("png"), harness.now()).unwrap();
    let file = [("image_content", "shop.png", PNG)];
    let changed = String::from_utf8_lossy(&multipart(&signed, &file, &[])).replace("门店照片", "别的名字").into_bytes();
    let refused = gateway_error(send(&harness, &signed, &changed));
    assert_eq!(refused.sub_code.as_deref(), Some("isv.invalid-signature"));
    // A part named like a system parameter that the query already carries.
    let twice = multipart(&signed, &file, &[("app_id", "2021000000000001")]);
    assert_eq!(gateway_error(send(&harness, &signed, &twice)).sub_code.as_deref(), Some("isv.invalid-parameter"));

    let business = |request: Request, files: &[(&str, &str, &[u8])]| {
        let signed = client.sign(&request, harness.now()).unwrap();
        let error = gateway_error(send(&harness, &signed, &multipart(&signed, files, &[])));
        assert_eq!((error.code.as_str(), error.sub_code.as_deref()), ("40004", Some("INVALID_PARAMETER")), "{error}");
    };
    business(upload_request("png"), &[]);
    business(upload_request("png"), &[("image_content", "a.png", b"GIF89a")]);
    business(upload_request("tiff"), &file);
    business(upload_request("png"), &[("picture", "a.png", PNG)]);
    business(upload_request("png"), &[("image_content", "a.png", PNG), ("image_content", "b.png", PNG)]);
    business(Request::new(UPLOAD).param("image_type", "png"), &file);
}
