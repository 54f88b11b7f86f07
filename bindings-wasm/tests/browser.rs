//! The engine in headless Chromium (chromedriver).

mod common;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn request_vectors_sign_byte_identically() {
    common::request_vectors_sign_byte_identically();
}

#[wasm_bindgen_test]
fn response_vectors_give_the_expected_verdicts() {
    common::response_vectors_give_the_expected_verdicts();
}

#[wasm_bindgen_test]
fn notify_vectors_give_the_expected_verdicts() {
    common::notify_vectors_give_the_expected_verdicts();
}

#[wasm_bindgen_test]
fn errors_are_errors_with_codes_and_fields() {
    common::errors_are_errors_with_codes_and_fields();
}
