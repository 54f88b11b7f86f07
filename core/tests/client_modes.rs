//! The client-side modes: page/WAP pay links and forms, the app-pay order string, and the
//! return_url query, verified as notifications are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::disallowed_methods)]

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    AlipayPublicKey, AppPrivateKey, CertificateMode, Charset, Client, Config, Error, Gateway, NotifyParams,
    NotifyVersion, PrivateKey, Request, SignType, Signer, Timestamp,
};
use base64::Engine as _;

const APP_ID: &str = "2021000000000001";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn config(charset: Charset) -> Config {
    Config {
        charset,
        format: None,
        gateway: Gateway::Custom("https://gw.test/gateway.do".to_owned()),
        ..Config::new(APP_ID)
    }
}

fn client_with(config: Config) -> Client {
    Client::new(
        config,
        AppPrivateKey::parse(&read("keys/app_2048.private.pkcs1.pem")).unwrap(),
        AlipayPublicKey::parse(&read("keys/alipay_2048.public.spki.pem")).unwrap(),
    )
}

fn at() -> Timestamp {
    Timestamp::parse_beijing("timestamp", "2024-05-13 17:49:20").unwrap()
}

fn page_pay(subject: &str) -> Request {
    let biz = serde_json::json!({
        "out_trade_no": "T1", "total_amount": "9.90", "subject": subject, "product_code": "FAST_INSTANT_TRADE_PAY",
    });
    Request::new("alipay.trade.page.pay").biz_json(&biz).return_url("https://m.test/return?a=1&b=2")
}

/// Splits `k=v&k=v` into pairs, percent-decoding each (UTF-8) once.
fn decode(query: &str) -> Vec<(String, String)> {
    let pairs = alipay_openapi::NotifyParams::from_form(query.as_bytes(), Charset::Utf8).unwrap();
    pairs.fields().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[test]
fn a_page_link_carries_every_parameter_and_the_signature_in_its_query() {
    let signed = client_with(config(Charset::Utf8)).sign(&page_pay("Book"), at()).unwrap();
    let link = signed.page_link();
    let (gateway, query) = link.split_once('?').unwrap();
    assert_eq!(gateway, "https://gw.test/gateway.do");
    let mut expected: Vec<(String, String)> = signed.params().clone().into_iter().collect();
    expected.push(("sign".to_owned(), signed.signature().to_owned()));
    expected.sort();
    assert_eq!(decode(query), expected);
    // The system parameters first (as in the POST URL), then biz_content.
    assert!(link.starts_with(&format!("{}&biz_content=%7B%22out_trade_no%22%3A%22T1%22", signed.url())), "{link}");
    assert!(query.contains("return_url=https%3A%2F%2Fm.test%2Freturn%3Fa%3D1%26b%3D2&"), "{query}");
    // The order string is the same query without the gateway.
    assert_eq!(signed.order_string(), query);
}

#[test]
fn gbk_values_are_percent_encoded_from_their_gbk_bytes() {
    let signed = client_with(config(Charset::Gbk)).sign(&page_pay("测试"), at()).unwrap();
    assert!(signed.page_link().contains("%22subject%22%3A%22%B2%E2%CA%D4%22"), "{}", signed.page_link());
    assert!(signed.order_string().contains("charset=GBK"));
    assert!(signed.page_form().contains(r#"accept-charset="GBK""#));
}

#[test]
fn the_page_form_posts_biz_content_to_the_signed_url() {
    let signed = client_with(config(Charset::Utf8)).sign(&page_pay("Book"), at()).unwrap();
    let form = signed.page_form();
    let action = signed.url().replace('&', "&amp;");
    assert!(form.starts_with(&format!(
        r#"<form id="alipay_submit" name="alipay_submit" method="post" accept-charset="utf-8" action="{action}">"#
    )));
    let biz = signed.params()["biz_content"].replace('"', "&quot;");
    assert!(form.contains(&format!(r#"<input type="hidden" name="biz_content" value="{biz}">"#)), "{form}");
    // System parameters travel in the action only.
    assert_eq!(form.matches("<input").count(), 1);
    assert!(form.ends_with(r#"<script>document.getElementById("alipay_submit").submit();</script>"#));
}

#[test]
fn hostile_values_cannot_leave_their_attribute() {
    let subject = r#""><script>alert('x')</script>&"#;
    let request = page_pay(subject).return_url(r#"https://m.test/r?x="><img src=x onerror=alert(1)>'"#);
    let signed = client_with(config(Charset::Utf8)).sign(&request, at()).unwrap();
    let form = signed.page_form();
    assert_eq!(form.matches("<script>").count(), 1, "{form}");
    assert!(!form.contains("<img"));
    assert!(form.contains(r#"&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"#), "{form}");
    // Each attribute value holds no raw quote: the only `"` are the attribute delimiters.
    let first_input = form.lines().nth(1).unwrap();
    assert_eq!(first_input.matches('"').count(), 6, "{first_input}");
    // In the link and the order string every such character is percent-encoded.
    for text in [signed.page_link(), signed.order_string()] {
        assert!(!text.contains(['"', '<', '>', '\'', ' ']), "{text}");
    }
    assert!(signed.page_link().contains("%22%3E%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E%26"));
}

#[test]
fn an_order_string_without_biz_content_has_no_trailing_separator() {
    let signed = client_with(config(Charset::Utf8)).sign(&Request::new("alipay.user.info.share"), at()).unwrap();
    assert!(signed.body().is_empty());
    assert!(!signed.order_string().ends_with('&'));
    assert_eq!(signed.page_link(), signed.url());
    assert!(signed.order_string().starts_with("app_id=2021000000000001&charset=utf-8&method=alipay.user.info.share"));
}

fn gateway_key(name: &str) -> PrivateKey<Alipay> {
    PrivateKey::parse(&read(&format!("keys/{name}.private.pkcs1.pem"))).unwrap()
}

/// A return query as Alipay builds it: the rsaCheckV1 content (without `sign` and `sign_type`)
/// signed by `signer`, then `extra` appended unsigned, each value form-encoded.
fn return_query(fields: &[(&str, &str)], signer: &str, extra: &str) -> String {
    let mut sorted = fields.to_vec();
    sorted.sort_unstable();
    let content = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let sign = base64::engine::general_purpose::STANDARD
        .encode(gateway_key(signer).sign(SignType::Rsa2, content.as_bytes()).unwrap());
    let encode = |v: &str| v.replace('%', "%25").replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    let query = sorted.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    format!("{query}&sign={}&sign_type=RSA2{extra}", encode(&sign))
}

const RETURN: &[(&str, &str)] = &[
    ("app_id", APP_ID),
    ("auth_app_id", APP_ID),
    ("charset", "utf-8"),
    ("method", "alipay.trade.page.pay.return"),
    ("out_trade_no", "T1"),
    ("seller_id", "2088000000000001"),
    ("timestamp", "2024-05-13 17:50:02"),
    ("total_amount", "9.90"),
    ("trade_no", "2024051322001400000000000001"),
    ("version", "1.0"),
];

fn verify(client: &Client, query: &str) -> Result<alipay_openapi::Notification, Error> {
    let params = client.return_query(query.as_bytes(), Charset::Utf8)?;
    client.verify_return(params, NotifyVersion::V1)
}

#[test]
fn a_signed_return_query_verifies_from_the_raw_query_or_from_pairs() {
    let client = client_with(config(Charset::Utf8));
    let query = return_query(RETURN, "alipay_2048", "");
    let verified = verify(&client, &query).unwrap();
    assert_eq!(verified.get("out_trade_no"), Some("T1"));
    assert_eq!(verified.get("total_amount"), Some("9.90"));
    // A leading `?` (as `URL.search` gives it) is skipped.
    assert!(verify(&client, &format!("?{query}")).is_ok());
    let pairs = verified.fields().clone();
    let from_pairs = client.verify_return(NotifyParams::from_pairs(pairs).unwrap(), NotifyVersion::V1).unwrap();
    assert_eq!(from_pairs, verified);
    // The staged form gives the rsaCheckV1 content first.
    let pending =
        client.begin_verify_return(client.return_query(query.as_bytes(), Charset::Utf8).unwrap(), NotifyVersion::V1);
    let pending = pending.unwrap();
    assert!(pending.check().messages()[0].starts_with(b"app_id=2021000000000001&auth_app_id="));
    assert_eq!(pending.finish(None).unwrap_err(), Error::SignatureMismatch);
}

#[test]
fn forged_replayed_and_oversized_return_queries_are_refused() {
    let client = client_with(config(Charset::Utf8));
    let code = |query: &str| verify(&client, query).unwrap_err().code();
    let query = return_query(RETURN, "alipay_2048", "");
    assert_eq!(code(&query.replace("total_amount=9.90", "total_amount=0.01")), "signature_mismatch");
    assert_eq!(code(&return_query(RETURN, "other_2048", "")), "signature_mismatch");
    // Signed for other parameters: a field added after signing breaks it.
    assert_eq!(code(&format!("{query}&out_biz_no=X")), "signature_mismatch");
    let duplicated = verify(&client, &format!("{query}&out_trade_no=T2")).unwrap_err();
    assert_eq!(duplicated.code(), "malformed_notification");
    assert!(duplicated.to_string().contains("`out_trade_no` appears twice"), "{duplicated}");
    let mut other_app = RETURN.to_vec();
    other_app[0] = ("app_id", "2021000000000002");
    let mismatch = verify(&client, &return_query(&other_app, "alipay_2048", "")).unwrap_err();
    assert_eq!(mismatch.code(), "app_id_mismatch");
    assert_eq!(code(&query.replace("&sign=", "&sign=%21")), "signature_encoding");
    let small = client_with(Config { max_body_bytes: 64, ..config(Charset::Utf8) });
    let too_large = small.return_query(query.as_bytes(), Charset::Utf8).unwrap_err();
    assert_eq!(too_large.code(), "body_too_large");
    assert_eq!(too_large.details(None).field.as_deref(), Some("body"));
    assert!(too_large.to_string().contains("return query"), "{too_large}");
    let pairs =
        NotifyParams::from_pairs(client.return_query(query.as_bytes(), Charset::Utf8).unwrap().fields().clone())
            .unwrap();
    assert_eq!(small.verify_return(pairs, NotifyVersion::V1).unwrap_err().code(), "body_too_large");
}

#[test]
fn in_certificate_mode_a_return_is_verified_with_the_certificate_its_sn_names() {
    let generated = |file: &str| read(&format!("certs/generated/{file}"));
    let mode = CertificateMode::from_pem(
        &generated("app_cert.pem"),
        &generated("alipay_cert.pem"),
        &generated("root_bundle.pem"),
    )
    .unwrap();
    let client = Client::without_keys(config(Charset::Utf8))
        .with_signer(std::sync::Arc::new(AppPrivateKey::parse(&read("keys/app_2048.private.pkcs1.pem")).unwrap()))
        .with_certificate_mode(mode);
    let known = client.alipay_cert_sns().remove(0);
    assert!(verify(&client, &return_query(RETURN, "alipay_2048", &format!("&alipay_cert_sn={known}"))).is_ok());
    let unknown = verify(&client, &return_query(RETURN, "alipay_2048", "&alipay_cert_sn=00ff")).unwrap_err();
    assert_eq!(unknown, Error::UnknownCertSn("00ff".to_owned()));
    assert_eq!(unknown.details(None).alipay_cert_sn.as_deref(), Some("00ff"));
}

// ---- golden cases from the official SDKs (tests/vectors/client-modes.json) ----------------------

/// System parameters: set by the config, not by `Request::param`.
const SYSTEM: &[&str] = &["app_id", "biz_content", "charset", "format", "method", "sign_type", "timestamp", "version"];

fn vectors() -> serde_json::Value {
    serde_json::from_str(&read("client-modes.json")).unwrap()
}

fn text_map(value: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    value.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

/// Reverses the core's five HTML references (our forms hold no other `&`).
fn html_unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The value of each `name="` attribute in `tag` order: `(action, [(input name, input value)])`.
fn form_fields(form: &str) -> (String, Vec<(String, String)>) {
    let attribute = |tag: &str, name: &str| {
        let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        html_unescape(&tag[start..start + tag[start..].find('"').unwrap()])
    };
    let mut tags = form.split('<').skip(1);
    let action = attribute(tags.next().unwrap(), "action");
    let inputs =
        tags.filter(|tag| tag.starts_with("input ")).map(|tag| (attribute(tag, "name"), attribute(tag, "value")));
    (action, inputs.collect())
}

/// What a browser or the app SDK sends for our output: the gateway, and every decoded pair.
fn decode_ours(
    mode: &str,
    signed: &alipay_openapi::SignedRequest,
    charset: Charset,
) -> (Option<String>, Vec<(String, String)>) {
    let decode = |query: &str| {
        let raw = query.as_bytes();
        let params = NotifyParams::from_form(raw, charset).unwrap();
        assert_eq!(params.fields().len(), raw.split(|&b| b == b'&').count(), "a duplicated pair in {query}");
        params.fields().clone().into_iter().collect::<Vec<_>>()
    };
    match mode {
        "page_link" => {
            let link = signed.page_link();
            let (gateway, query) = link.split_once('?').unwrap();
            (Some(gateway.to_owned()), decode(query))
        }
        "page_form" => {
            let (action, inputs) = form_fields(&signed.page_form());
            let (gateway, query) = action.split_once('?').unwrap();
            (Some(gateway.to_owned()), decode(query).into_iter().chain(inputs).collect())
        }
        "order_string" => (None, decode(&signed.order_string())),
        other => panic!("unknown mode {other}"),
    }
}

#[test]
fn links_forms_and_order_strings_send_what_the_official_sdks_signed() {
    let vectors = vectors();
    let cases = vectors["requests"].as_array().unwrap();
    assert!(cases.len() >= 12);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let params = text_map(&case["params"]);
        let charset: Charset = params["charset"].parse().unwrap();
        let gateway = case["gateway"].as_str().map_or(alipay_openapi::PRODUCTION_GATEWAY, |g| g);
        let config = Config {
            charset,
            format: params.get("format").cloned(),
            gateway: Gateway::Custom(gateway.to_owned()),
            ..Config::new(params["app_id"].clone())
        };
        let mut request = Request::new(params["method"].clone())
            .version(params["version"].clone())
            .biz_content(params["biz_content"].clone());
        for (key, value) in params.iter().filter(|(key, _)| !SYSTEM.contains(&key.as_str())) {
            request = request.param(key.clone(), value.clone());
        }
        let at = Timestamp::parse_beijing("timestamp", &params["timestamp"]).unwrap();
        let signed = client_with(config).sign(&request, at).unwrap();
        assert_eq!(signed.params(), &params, "{id}: the signed parameters");
        assert_eq!(signed.signature(), case["signature"].as_str().unwrap(), "{id}: the signature");
        let mode = case["mode"].as_str().unwrap();
        let (our_gateway, mut pairs) = decode_ours(mode, &signed, charset);
        let mut expected: Vec<(String, String)> = params.clone().into_iter().collect();
        expected.push(("sign".to_owned(), signed.signature().to_owned()));
        expected.sort();
        pairs.sort();
        assert_eq!(pairs, expected, "{id}: what our {mode} sends");
        assert_eq!(our_gateway.as_deref(), case["gateway"].as_str(), "{id}: the gateway");
        // Where the SDK's output is faithful it decodes to the same pairs; where not, it does not.
        let sdk = text_map(&case["sdk_decoded"]);
        let faithful = case["sdk_faithful"].as_bool().unwrap();
        assert_eq!(sdk.into_iter().collect::<Vec<_>>() == expected, faithful, "{id}: sdk_faithful");
        // Our exact bytes: the link is the POST URL and the form body; the order string its query.
        let body = std::str::from_utf8(signed.body()).unwrap();
        assert_eq!(signed.page_link(), format!("{}&{body}", signed.url()), "{id}");
        assert_eq!(signed.order_string(), signed.page_link().split_once('?').unwrap().1, "{id}");
    }
}

#[test]
fn return_queries_get_the_verdicts_of_the_vectors() {
    let vectors = vectors();
    let client = client_with(Config::new(vectors["app_id"].as_str().unwrap()));
    let cases = vectors["returns"].as_array().unwrap();
    assert!(cases.iter().any(|case| case["expect"] == "ok"));
    for case in cases {
        let (id, expect) = (case["id"].as_str().unwrap(), case["expect"].as_str().unwrap());
        let query = case["query"].as_str().unwrap();
        match verify(&client, query) {
            Ok(verified) => {
                assert_eq!(expect, "ok", "{id}: verified, expected {expect}");
                assert_eq!(verified.get("app_id"), vectors["app_id"].as_str());
                assert!(verified.get("sign").is_some());
            }
            Err(error) => assert_eq!(error.code(), expect, "{id}: {error}"),
        }
    }
}

// ---- mini-program payloads (`my.getPhoneNumber`) ------------------------------------------------

const PHONE: &str = r#"{"code":"10000","msg":"Success","mobile":"13800000000"}"#;

fn aes_key() -> alipay_openapi::AesKey {
    alipay_openapi::AesKey::from_base64(read("protocol-examples/aes_key.txt").trim()).unwrap()
}

/// A payload as the mini program hands it over: `response` (here `node`, raw JSON) signed by
/// `signer`, then `extra` members.
fn payload(node: &str, signer: &str, extra: &str) -> Vec<u8> {
    let key = gateway_key(signer);
    let body = alipay_openapi::sign_response_body("response", node, None, Charset::Utf8, SignType::Rsa2, &key).unwrap();
    let body = String::from_utf8(body).unwrap();
    format!("{}{extra}}}", body.strip_suffix('}').unwrap()).into_bytes()
}

fn encrypted(plaintext: &str) -> String {
    format!("\"{}\"", aes_key().encrypt(plaintext.as_bytes()).unwrap())
}

const DECLARED: &str = r#","sign_type":"RSA2","encrypt_type":"AES","charset":"UTF-8""#;

#[test]
fn a_mini_program_payload_is_verified_over_the_quoted_ciphertext_then_decrypted() {
    let client = client_with(config(Charset::Utf8)).with_aes_key(aes_key());
    let node = encrypted(PHONE);
    let verified =
        client.verify_mini_program(&payload(&node, "alipay_2048", DECLARED)).unwrap().into_success().unwrap();
    assert_eq!(verified.node_key(), "response");
    assert_eq!(verified.node_text(), PHONE);
    // What is checked is the ciphertext with its quotes, exactly as in the payload.
    let pending = client.begin_verify_mini_program(&payload(&node, "alipay_2048", DECLARED)).unwrap();
    assert_eq!(pending.check().messages(), [node.clone().into_bytes()]);
    // A payload that names no sign_type, charset or encrypt_type is read with the client's.
    assert!(client.verify_mini_program(&payload(&node, "alipay_2048", "")).is_ok());
    // An unencrypted `response` object is checked over its exact text.
    let plain = client_with(config(Charset::Utf8)).verify_mini_program(&payload(PHONE, "alipay_2048", "")).unwrap();
    assert_eq!(plain.node_text(), PHONE);
    let refused = client
        .verify_mini_program(&payload(
            &encrypted(
                r#"{"code":"40006","msg":"Insufficient Permissions","sub_code":"isv.insufficient-isv-permissions"}"#,
            ),
            "alipay_2048",
            DECLARED,
        ))
        .unwrap()
        .into_success()
        .unwrap_err();
    assert_eq!(refused.gateway().unwrap().sub_code.as_deref(), Some("isv.insufficient-isv-permissions"));
}

#[test]
fn hostile_mini_program_payloads_get_typed_errors() {
    let client = client_with(config(Charset::Utf8)).with_aes_key(aes_key());
    let code = |body: &[u8]| client.verify_mini_program(body).unwrap_err().code();
    let node = encrypted(PHONE);
    let good = String::from_utf8(payload(&node, "alipay_2048", DECLARED)).unwrap();
    assert_eq!(code(&payload(&node, "other_2048", DECLARED)), "signature_mismatch");
    let other = encrypted(r#"{"code":"10000","msg":"Success","mobile":"13900000000"}"#);
    assert_eq!(code(good.replace(&node, &other).as_bytes()), "signature_mismatch");
    let downgrade =
        client.verify_mini_program(good.replace(r#""sign_type":"RSA2""#, r#""sign_type":"RSA""#).as_bytes());
    assert_eq!(downgrade.unwrap_err().details(None).field.as_deref(), Some("sign_type"));
    let des = client.verify_mini_program(good.replace(r#""encrypt_type":"AES""#, r#""encrypt_type":"DES""#).as_bytes());
    assert_eq!(des.unwrap_err().details(None).field.as_deref(), Some("encrypt_type"));
    assert_eq!(code(good.replace(r#""UTF-8""#, r#""latin1""#).as_bytes()), "unsupported_charset");
    assert_eq!(
        code(format!("{}{}", good.strip_suffix('}').unwrap(), r#","response":"x"}"#).as_bytes()),
        "duplicate_member"
    );
    assert_eq!(code(good.replace("\"response\"", "\"resp\"").as_bytes()), "response_node_missing");
    assert_eq!(code(format!(r#"{{"response":{node}}}"#).as_bytes()), "missing_signature");
    assert_eq!(code(b"not json"), "malformed_response");
    let no_key = client_with(config(Charset::Utf8)).verify_mini_program(good.as_bytes()).unwrap_err();
    assert_eq!(no_key.code(), "aes_error");
    let wrong_key =
        client_with(config(Charset::Utf8)).with_aes_key(alipay_openapi::AesKey::from_bytes(&[7; 16]).unwrap());
    assert_eq!(wrong_key.verify_mini_program(good.as_bytes()).unwrap_err().code(), "aes_error");
    let small = client_with(Config { max_body_bytes: 64, ..config(Charset::Utf8) }).with_aes_key(aes_key());
    let too_large = small.verify_mini_program(good.as_bytes()).unwrap_err();
    assert_eq!((too_large.code(), too_large.field_name()), ("body_too_large", Some("body")));
    assert!(too_large.to_string().contains("mini-program payload"));
}

#[test]
fn mini_program_payloads_get_the_verdicts_of_the_vectors() {
    let vectors = vectors();
    let key = alipay_openapi::AesKey::from_base64(read(vectors["aes_key_file"].as_str().unwrap()).trim()).unwrap();
    let client = client_with(Config::new(vectors["app_id"].as_str().unwrap())).with_aes_key(key);
    let cases = vectors["mini_programs"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let (id, expect) = (case["id"].as_str().unwrap(), case["expect"].as_str().unwrap());
        match client.verify_mini_program(case["payload"].as_str().unwrap().as_bytes()).and_then(|v| v.into_success()) {
            Ok(verified) => {
                assert_eq!(expect, "ok", "{id}");
                assert_eq!(verified.node_text(), case["plaintext"].as_str().unwrap(), "{id}");
            }
            Err(error) => assert_eq!(error.code(), expect, "{id}: {error}"),
        }
    }
}

// ---- multipart uploads ---------------------------------------------------------------------------

const JPEG: &[u8] = b"\xff\xd8\xff\xe0 not really a jpeg \r\n-- \x00\xff\xd9";

fn upload(charset: Charset) -> alipay_openapi::SignedRequest {
    let request = Request::new("alipay.offline.material.image.upload")
        .param("image_type", "jpg")
        .param("image_name", "海报 1")
        .param("image_pid", "2088000000000001");
    client_with(config(charset)).sign(&request, at()).unwrap()
}

fn file(bytes: &[u8]) -> alipay_openapi::FilePart<'_> {
    alipay_openapi::FilePart { name: "image_content", file_name: "海报.jpg", content_type: "image/jpeg", bytes }
}

/// The parts of a multipart body: (headers, content) each.
fn parts(body: &[u8], boundary: &str) -> Vec<(String, Vec<u8>)> {
    let delimiter = format!("\r\n--{boundary}");
    let framed = [b"\r\n".as_slice(), body].concat();
    let text = framed.windows(delimiter.len()).enumerate().filter(|(_, w)| *w == delimiter.as_bytes()).map(|(i, _)| i);
    let starts: Vec<usize> = text.collect();
    assert!(framed.ends_with(format!("{delimiter}--\r\n").as_bytes()));
    starts
        .windows(2)
        .map(|pair| {
            let part = &framed[pair[0] + delimiter.len() + 2..pair[1]];
            let split = part.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
            (String::from_utf8(part[..split].to_vec()).unwrap(), part[split + 4..].to_vec())
        })
        .collect()
}

#[test]
fn an_upload_signs_the_text_parameters_and_carries_the_file_unsigned() {
    let signed = upload(Charset::Utf8);
    assert!(!signed.sign_content().contains("image_content"));
    assert!(signed.sign_content().contains("image_name=海报 1&image_pid=2088000000000001&image_type=jpg"));
    let upload = signed.multipart(&[file(JPEG)], None, 1024).unwrap();
    assert!(upload.boundary().starts_with("alipay-") && upload.boundary().len() == 39);
    assert_eq!(upload.content_type(), format!("multipart/form-data; boundary={}", upload.boundary()));
    // The same upload gives the same bytes; another file another boundary.
    assert_eq!(signed.multipart(&[file(JPEG)], None, 1024).unwrap(), upload);
    assert_ne!(signed.multipart(&[file(b"other")], None, 1024).unwrap().boundary(), upload.boundary());
    let parts = parts(upload.body(), upload.boundary());
    let text: Vec<(String, Vec<u8>)> = parts[..3].to_vec();
    assert_eq!(
        text,
        [
            ("Content-Disposition: form-data; name=\"image_name\"".to_owned(), "海报 1".as_bytes().to_vec()),
            ("Content-Disposition: form-data; name=\"image_pid\"".to_owned(), b"2088000000000001".to_vec()),
            ("Content-Disposition: form-data; name=\"image_type\"".to_owned(), b"jpg".to_vec()),
        ]
    );
    assert_eq!(
        parts[3],
        (
            "Content-Disposition: form-data; name=\"image_content\"; filename=\"海报.jpg\"\r\nContent-Type: image/jpeg"
                .to_owned(),
            JPEG.to_vec()
        )
    );
    assert_eq!(parts.len(), 4);
    // The system parameters and sign stay in the URL, as for any call.
    assert!(signed.url().contains("&sign=") && signed.url().contains("method=alipay.offline.material.image.upload"));
    // GBK text parts carry GBK bytes.
    let gbk = upload_gbk();
    assert_eq!(parts_of(&gbk)[0].1, b"\xba\xa3\xb1\xa8 1");
}

fn upload_gbk() -> alipay_openapi::MultipartBody {
    upload(Charset::Gbk).multipart(&[file(JPEG)], Some("b0undary"), 1024).unwrap()
}

fn parts_of(upload: &alipay_openapi::MultipartBody) -> Vec<(String, Vec<u8>)> {
    parts(upload.body(), upload.boundary())
}

#[test]
fn hostile_uploads_get_typed_errors() {
    let signed = upload(Charset::Utf8);
    let field = |files: &[alipay_openapi::FilePart<'_>], boundary: Option<&str>, limit: usize| {
        let error = signed.multipart(files, boundary, limit).unwrap_err();
        assert_eq!(error.code(), "invalid_field");
        error.details(None).field.unwrap()
    };
    let named = |name| alipay_openapi::FilePart { name, ..file(JPEG) };
    assert_eq!(field(&[named("sign")], None, 1024), "sign");
    assert_eq!(field(&[named("app_id")], None, 1024), "app_id");
    assert_eq!(field(&[named("image_type")], None, 1024), "image_type");
    assert_eq!(field(&[named("Image\r\nX: y")], None, 1024), "Image\r\nX: y");
    assert_eq!(field(&[file(JPEG), file(JPEG)], None, 1024), "image_content");
    assert_eq!(field(&[file(JPEG)], None, JPEG.len() - 1), "image_content");
    let quoted = alipay_openapi::FilePart { file_name: "a\"; name=\"sign", ..file(JPEG) };
    assert_eq!(field(&[quoted], None, 1024), "file_name");
    let injected = alipay_openapi::FilePart { content_type: "image/jpeg\r\nX-Evil: 1", ..file(JPEG) };
    assert_eq!(field(&[injected], None, 1024), "content_type");
    assert_eq!(field(&[file(JPEG)], Some("bad boundary!"), 1024), "multipart_boundary");
    assert_eq!(field(&[file(b"x\r\n--inside\r\n")], Some("inside"), 1024), "multipart_boundary");
    // Found by the multipart fuzz target: the delimiter inside the content type or the file name.
    let typed = alipay_openapi::FilePart { content_type: "i--b3", ..file(JPEG) };
    assert_eq!(field(&[typed], Some("b3"), 1024), "multipart_boundary");
    let named_file = alipay_openapi::FilePart { file_name: "a--b3.jpg", ..file(JPEG) };
    assert_eq!(field(&[named_file], Some("b3"), 1024), "multipart_boundary");
    assert_eq!(field(&[file(JPEG)], Some(&"b".repeat(71)), 1024), "multipart_boundary");
    assert!(signed.multipart(&[file(JPEG)], Some(&"b".repeat(70)), JPEG.len()).is_ok());
    assert!(format!("{:?}", file(JPEG)).contains(&format!("bytes: {}", JPEG.len())));
}

#[test]
fn the_files_option_makes_the_signed_request_its_upload() {
    let options = |extra: serde_json::Value| {
        let mut value = serde_json::json!({
            "method": "alipay.offline.material.image.upload",
            "params": {"image_type": "jpg", "image_name": "海报 1", "image_pid": "2088000000000001"},
            "files": [{
                "field": "image_content",
                "file_name": "海报.jpg",
                "content_type": "image/jpeg",
                "content": base64::engine::general_purpose::STANDARD.encode(JPEG),
            }],
        });
        value.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        alipay_openapi::RequestOptions::from_value(&value).and_then(|options| options.to_request())
    };
    let client = client_with(config(Charset::Utf8));
    let request = options(serde_json::json!({})).unwrap();
    let signed = client.sign(&request, at()).unwrap();
    // The same signature and URL as without the file; the body is the upload of it.
    let plain = upload(Charset::Utf8);
    assert_eq!((signed.url(), signed.signature()), (plain.url(), plain.signature()));
    let expected = plain.multipart(&[file(JPEG)], None, alipay_openapi::DEFAULT_MAX_FILE_BYTES).unwrap();
    assert!(signed.is_upload() && !plain.is_upload());
    assert_eq!((signed.content_type(), signed.body()), (expected.content_type().as_str(), expected.body()));
    assert!(signed.headers().contains(&("content-type".to_owned(), expected.content_type())));
    // The host's signer gives the same upload.
    let prepared = client.prepare(&request, at()).unwrap();
    let signature = base64::engine::general_purpose::STANDARD.decode(signed.signature()).unwrap();
    assert_eq!(prepared.attach_signature(&signature).unwrap(), signed);
    let bounded = options(serde_json::json!({"multipart_boundary": "b0undary"})).unwrap();
    assert_eq!(client.sign(&bounded, at()).unwrap().content_type(), "multipart/form-data; boundary=b0undary");

    // A bad upload fails before anything is signed, naming the field and the rule.
    let refused = |extra: serde_json::Value| {
        let error = options(extra).and_then(|request| client.prepare(&request, at())).unwrap_err();
        let details = error.details(None);
        (error.code(), details.field.unwrap(), details.rule.unwrap())
    };
    let limit = "must be at most 10 bytes (the host's limit)".to_owned();
    assert_eq!(refused(serde_json::json!({"max_file_bytes": 10})), ("invalid_field", "image_content".into(), limit));
    let rule = "must be a positive whole number of bytes, e.g. 10485760 (10 MiB, the default)".to_owned();
    assert_eq!(refused(serde_json::json!({"max_file_bytes": 0})), ("invalid_field", "max_file_bytes".into(), rule));
    let boundary = refused(serde_json::json!({"multipart_boundary": "bad boundary!"}));
    assert_eq!(boundary.1, "multipart_boundary");
    let twice = serde_json::json!({"files": [
        {"field": "image_content", "file_name": "a.jpg", "content_type": "image/jpeg", "content": "AA=="},
        {"field": "image_content", "file_name": "b.jpg", "content_type": "image/jpeg", "content": "AA=="},
    ]});
    assert_eq!(refused(twice).1, "image_content");
    let system = serde_json::json!({"files": [{"field": "sign_type", "file_name": "a.jpg", "content_type": "image/jpeg", "content": "AA=="}]});
    assert_eq!(refused(system).1, "sign_type");
    let not_base64 = serde_json::json!({"files": [{"field": "image_content", "content": "not base64!"}]});
    assert_eq!(refused(not_base64).1, "files.content");
}

/// `; {name}="…"` in a part's headers.
fn quoted(headers: &str, name: &str) -> Option<String> {
    let start = headers.find(&format!("; {name}=\""))? + name.len() + 4;
    Some(headers[start..start + headers[start..].find('"').unwrap()].to_owned())
}

#[test]
fn uploads_sign_and_send_what_the_official_sdks_did() {
    let vectors = vectors();
    let cases = vectors["uploads"].as_array().unwrap();
    assert!(cases.len() >= 3);
    let b64 =
        |value: &serde_json::Value| base64::engine::general_purpose::STANDARD.decode(value.as_str().unwrap()).unwrap();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let params = text_map(&case["params"]);
        let charset: Charset = params["charset"].parse().unwrap();
        let config = Config { charset, format: params.get("format").cloned(), ..Config::new(APP_ID) };
        let mut request = Request::new(case["method"].as_str().unwrap());
        for (key, value) in text_map(&case["fields"]) {
            request = request.param(key, value);
        }
        for file in case["files"].as_array().unwrap() {
            let text = |name: &str| file[name].as_str().unwrap().to_owned();
            request = request.file(text("field"), text("file_name"), text("content_type"), b64(&file["content"]));
        }
        let at = Timestamp::parse_beijing("timestamp", &params["timestamp"]).unwrap();
        let signed = client_with(config).sign(&request, at).unwrap();
        assert_eq!(signed.params(), &params, "{id}: the signed parameters");
        assert_eq!(signed.signature(), case["signature"].as_str().unwrap(), "{id}: the signature");
        assert!(case["signature_verifies"].as_bool().unwrap() && case["sdk_faithful"].as_bool().unwrap(), "{id}");
        let boundary = signed.content_type().strip_prefix("multipart/form-data; boundary=").unwrap();
        // (name, file name, file content type, bytes), ours and the SDK's, in name order.
        type Part = (String, Option<String>, Option<String>, Vec<u8>);
        let mut ours: Vec<Part> = parts(signed.body(), boundary)
            .into_iter()
            .map(|(headers, content)| {
                let file_name = quoted(&headers, "filename");
                let content_type = file_name
                    .as_ref()
                    .and_then(|_| headers.split_once("\r\nContent-Type: "))
                    .map(|(_, t)| t.to_owned());
                (quoted(&headers, "name").unwrap(), file_name, content_type, content)
            })
            .collect();
        let mut theirs: Vec<Part> = case["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|part| {
                let name = part["name"].as_str().unwrap().to_owned();
                match part["file_name"].as_str() {
                    None => (
                        name.clone(),
                        None,
                        None,
                        charset.encode(&name, part["value"].as_str().unwrap()).unwrap().into_owned(),
                    ),
                    Some(file_name) => (
                        name,
                        Some(file_name.to_owned()),
                        part["content_type"].as_str().map(str::to_owned),
                        b64(&part["content"]),
                    ),
                }
            })
            .collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{id}: the parts");
        // What travels, the URL query and the text parts, is what was signed, each once.
        let query = NotifyParams::from_form(signed.url().split_once('?').unwrap().1.as_bytes(), charset).unwrap();
        let text: Vec<&Part> = ours.iter().filter(|part| part.1.is_none()).collect();
        let mut sent: Vec<String> =
            query.fields().keys().cloned().chain(text.iter().map(|part| part.0.clone())).collect();
        sent.sort();
        let mut expected: Vec<String> = params.keys().cloned().chain(["sign".to_owned()]).collect();
        expected.sort();
        assert_eq!(sent, expected, "{id}: the names sent");
        for part in text {
            assert_eq!(part.3, charset.encode(&part.0, &params[&part.0]).unwrap().into_owned(), "{id}: {}", part.0);
        }
    }
}
