//! Drives the built `alipay` binary through every subcommand, with the cases of tests/vectors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{sign_content, Charset, PrivateKey, SignType, Signer};
use assert_cmd::Command;
use base64::Engine as _;
use serde_json::Value;

const APP_ID: &str = "2021000000000001";
const TIMESTAMP: &str = "2024-05-13 17:49:20";

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn key(name: &str) -> String {
    vectors().join("keys").join(name).display().to_string()
}

fn load(name: &str) -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(vectors().join(name)).unwrap()).unwrap()
}

fn case<'a>(cases: &'a [Value], id: &str) -> &'a Value {
    cases.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no case {id}"))
}

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

fn alipay() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alipay"))
}

/// Runs with `--json`; returns the exit code and the JSON printed on stdout.
fn run_json(args: &[&str], stdin: Option<&[u8]>) -> (i32, Value) {
    let mut command = alipay();
    command.arg("--json").args(args);
    if let Some(input) = stdin {
        command.write_stdin(input.to_vec());
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("stdout is not JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr))
    });
    (output.status.code().unwrap(), value)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

// ---------------------------------------------------------------- keygen / key

#[test]
fn keygen_writes_every_form_and_the_forms_are_one_pair() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let (code, json) = run_json(&["keygen", "--out-dir", &out, "--name", "shop"], None);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["bits"], 2048);
    let files: Vec<String> =
        json["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect();
    assert_eq!(files.len(), 6);
    let (code, inspected) =
        run_json(&[&["key", "inspect"][..], &files.iter().map(String::as_str).collect::<Vec<_>>()].concat(), None);
    assert_eq!(code, 0);
    assert_eq!(inspected["same_key_pair"], true, "{inspected}");
    let forms: Vec<(String, String, String)> = inspected["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().unwrap().into(),
                k["form"].as_str().unwrap().into(),
                k["encoding"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("private", "PKCS#1", "PEM"),
        ("private", "PKCS#8", "PEM"),
        ("private", "PKCS#1", "bare base64"),
        ("private", "PKCS#8", "bare base64"),
        ("public", "SubjectPublicKeyInfo", "PEM"),
        ("public", "SubjectPublicKeyInfo", "bare base64"),
    ];
    for ((kind, form, encoding), got) in expected.iter().zip(&forms) {
        assert_eq!((kind.to_string(), form.to_string(), encoding.to_string()), *got);
    }
    assert!(inspected["keys"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["fingerprint"] == json["fingerprint"] && k["bits"] == 2048));
    // The public key printed for the console is the public key file; no private material is printed.
    let public_b64 = std::fs::read_to_string(dir.path().join("shop.public.spki.b64")).unwrap();
    assert_eq!(json["public_key"].as_str().unwrap(), public_b64.trim());
    let human = alipay().args(["keygen", "--out-dir", &out, "--name", "other"]).output().unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    let private_b64 = std::fs::read_to_string(dir.path().join("other.private.pkcs8.b64")).unwrap();
    assert!(!human.contains("PRIVATE KEY") && !human.contains(&private_b64.trim()[40..80]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("shop.private.pkcs1.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "private key files must not be readable by others");
    }
}

#[test]
fn keygen_refuses_to_overwrite_and_bad_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    assert_eq!(run_json(&["keygen", "--out-dir", &out], None).0, 0);
    let before = std::fs::read(dir.path().join("app.private.pkcs1.pem")).unwrap();
    let (code, json) = run_json(&["keygen", "--out-dir", &out], None);
    assert_eq!(
        (code, json["status"].as_str(), json["error"]["code"].as_str()),
        (2, Some("bad_input"), Some("output_exists"))
    );
    assert!(json["error"]["fix"].as_str().unwrap().contains("--force"));
    assert_eq!(std::fs::read(dir.path().join("app.private.pkcs1.pem")).unwrap(), before);
    assert_eq!(run_json(&["keygen", "--out-dir", &out, "--force"], None).0, 0);
    assert_ne!(std::fs::read(dir.path().join("app.private.pkcs1.pem")).unwrap(), before);
    let (code, json) = run_json(&["keygen", "--out-dir", &out, "--bits", "1024", "--force"], None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("unsupported_key_size")));
}

#[test]
fn key_inspect_reports_role_form_bits_and_fingerprint() {
    let (code, json) =
        run_json(&["key", "inspect", &key("app_2048.private.pkcs8.b64"), &key("app_2048.public.spki.pem")], None);
    assert_eq!(code, 0);
    let keys = json["keys"].as_array().unwrap();
    assert_eq!(keys[0]["kind"], "private");
    assert_eq!(keys[0]["form"], "PKCS#8");
    assert_eq!(keys[0]["encoding"], "bare base64");
    assert_eq!(keys[1]["kind"], "public");
    assert_eq!(keys[1]["form"], "SubjectPublicKeyInfo");
    assert_eq!(json["same_key_pair"], true);
    let (_, json) =
        run_json(&["key", "inspect", &key("app_4096.private.pkcs1.pem"), &key("alipay_2048.public.spki.b64")], None);
    assert_eq!(json["keys"][0]["bits"], 4096);
    assert_eq!(json["same_key_pair"], false);
    let human = alipay()
        .args(["key", "inspect", &key("app_2048.private.pkcs1.pem"), &key("other_2048.public.spki.pem")])
        .assert()
        .success();
    let text = String::from_utf8(human.get_output().stdout.clone()).unwrap();
    assert!(text.contains("NOT all belong to one key pair"), "{text}");
}

#[test]
fn key_convert_produces_the_vector_files_byte_for_byte() {
    let cases = [
        ("app_2048.private.pkcs1.pem", "pkcs8-pem", "app_2048.private.pkcs8.pem"),
        ("app_2048.private.pkcs8.pem", "pkcs1-pem", "app_2048.private.pkcs1.pem"),
        ("app_2048.private.pkcs1.pem", "pkcs8-base64", "app_2048.private.pkcs8.b64"),
        ("app_2048.private.pkcs8.b64", "pkcs1-base64", "app_2048.private.pkcs1.b64"),
        ("app_2048.private.pkcs1.b64", "spki-pem", "app_2048.public.spki.pem"),
        ("app_2048.public.spki.pem", "spki-base64", "app_2048.public.spki.b64"),
        ("app_2048.public.spki.b64", "pkcs1-public-pem", "app_2048.public.pkcs1.pem"),
        ("app_2048.public.pkcs1.pem", "spki-pem", "app_2048.public.spki.pem"),
    ];
    for (from, to, expected) in cases {
        let output = alipay().args(["key", "convert", &key(from), "--to", to]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{from} -> {to}");
        let expected_text = std::fs::read_to_string(vectors().join("keys").join(expected)).unwrap();
        assert_eq!(String::from_utf8(output.stdout).unwrap().trim(), expected_text.trim(), "{from} -> {to}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.pem").display().to_string();
    let (code, json) =
        run_json(&["key", "convert", &key("app_2048.private.pkcs1.b64"), "--to", "pkcs8-pem", "--out", &out], None);
    assert_eq!(code, 0);
    assert!(json.get("key").is_none(), "a key written to a file is not also printed");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(vectors().join("keys/app_2048.private.pkcs8.pem")).unwrap()
    );
}

#[test]
fn key_public_derives_what_the_console_takes() {
    let output = alipay().args(["key", "public", &key("alipay_2048.private.pkcs8.pem")]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let expected = std::fs::read_to_string(vectors().join("keys/alipay_2048.public.spki.b64")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap().trim(), expected.trim());
}

#[test]
fn key_errors_name_the_problem_without_key_material() {
    let dir = tempfile::tempdir().unwrap();
    let pem = std::fs::read_to_string(vectors().join("keys/app_2048.private.pkcs1.pem")).unwrap();
    let truncated: String = pem.lines().take(10).collect::<Vec<_>>().join("\n");
    let path = write(dir.path(), "cut.pem", truncated.as_bytes());
    let output = alipay().args(["key", "inspect", &path]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("truncated") && stderr.contains("fix:"), "{stderr}");
    for line in truncated.lines().skip(1) {
        assert!(!stderr.contains(line), "key material in the error: {stderr}");
    }
    let (code, json) = run_json(&["key", "convert", &key("app_2048.public.spki.pem"), "--to", "pkcs8-pem"], None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("invalid_key")));
    let (code, json) = run_json(&["key", "inspect", &dir.path().join("missing.pem").display().to_string()], None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("unreadable_input")));
}

// ---------------------------------------------------------------- sign

/// The `sign` arguments that rebuild a request vector.
fn sign_args(case: &Value) -> Vec<String> {
    let inputs = &case["inputs"];
    let params: BTreeMap<String, String> = serde_json::from_value(inputs["params"].clone()).unwrap();
    let mut args = vec![
        "sign".to_owned(),
        "--method".into(),
        params["method"].clone(),
        "--app-id".into(),
        params["app_id"].clone(),
        "--app-key".into(),
        vectors().join(inputs["private_key_file"].as_str().unwrap()).display().to_string(),
        "--charset".into(),
        params["charset"].clone(),
        "--sign-type".into(),
        params["sign_type"].clone(),
        "--timestamp".into(),
        params["timestamp"].clone(),
    ];
    if !params.contains_key("format") {
        args.push("--no-format".into());
    }
    for (k, v) in &params {
        match k.as_str() {
            "app_id" | "method" | "format" | "charset" | "sign_type" | "timestamp" | "version" => {}
            "biz_content" => args.extend(["--biz-content".to_owned(), v.clone()]),
            _ => args.extend(["--param".to_owned(), format!("{k}={v}")]),
        }
    }
    args
}

#[test]
fn sign_reproduces_every_request_vector() {
    let cases = load("requests.json");
    assert!(cases.len() >= 30);
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let args = sign_args(case);
        let (code, json) = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
        assert_eq!(code, 0, "{id}: {json}");
        assert_eq!(json["sign_content"], case["expected"]["sign_content"], "{id}");
        assert_eq!(json["signature"], case["expected"]["signature"], "{id}");
        assert!(json["curl"].as_str().unwrap().starts_with("curl "), "{id}");
    }
}

#[test]
fn sign_reads_biz_content_from_a_file_or_stdin() {
    let case = case(&load("requests.json"), "req-001").clone();
    let biz = case["inputs"]["params"]["biz_content"].as_str().unwrap().to_owned();
    let base: Vec<String> = sign_args(&case).into_iter().filter(|a| *a != biz && a != "--biz-content").collect();
    let base: Vec<&str> = base.iter().map(String::as_str).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "biz.json", format!("{biz}\n").as_bytes());
    let (code, from_file) = run_json(&[&base[..], &["--biz-file", &file]].concat(), None);
    assert_eq!(code, 0, "{from_file}");
    let (code, from_stdin) = run_json(&[&base[..], &["--biz-file", "-"]].concat(), Some(biz.as_bytes()));
    assert_eq!(code, 0);
    assert_eq!(from_file["signature"], case["expected"]["signature"]);
    assert_eq!(from_stdin["signature"], case["expected"]["signature"]);
    // Human output shows the three parts.
    let text = alipay().args(&base).args(["--biz-file", &file]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(case["expected"]["sign_content"].as_str().unwrap()));
    assert!(text.contains(case["expected"]["signature"].as_str().unwrap()));
    assert!(text.contains("curl -sS -X POST"));
}

#[test]
fn sign_rejects_bad_input_with_the_rule() {
    let app_key = key("app_2048.private.pkcs1.pem");
    let base = ["sign", "--method", "alipay.marketing.voucher.query", "--app-id", APP_ID, "--app-key", &app_key];
    let (code, json) = run_json(&[&base[..], &["--biz-content", "{not json"]].concat(), None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("invalid_field")));
    assert!(json["error"]["message"].as_str().unwrap().contains("biz_content"));
    let (code, json) = run_json(&[&base[..], &["--charset", "latin1"]].concat(), None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("unsupported_charset")));
    let (code, json) =
        run_json(&[&base[..], &["--charset", "GBK", "--biz-content", r#"{"memo":"券😀"}"#]].concat(), None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("unencodable_text")));
    let (code, json) = run_json(&[&base[..], &["--param", "notify_url"]].concat(), None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("invalid_field")));
    let (code, json) = run_json(&[&base[..], &["--timestamp", "2024/05/13"]].concat(), None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("invalid_field")));
    // The Alipay public key is not a signing key.
    let public = key("alipay_2048.public.spki.pem");
    let (code, json) = run_json(&["sign", "--method", "a.b", "--app-id", APP_ID, "--app-key", &public], None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("invalid_key")));
    // Unknown arguments are bad input too.
    assert_eq!(alipay().args(["sign", "--bogus"]).output().unwrap().status.code(), Some(2));
}

// ---------------------------------------------------------------- a scripted HTTP server

struct Captured {
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Serves one request: `respond` sees what arrived and returns the response body.
fn serve_once(respond: impl FnOnce(&Captured) -> Vec<u8> + Send + 'static) -> (String, JoinHandle<Captured>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/gateway.do", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let target = line.split_whitespace().nth(1).unwrap().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap();
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        let length: usize = headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        let captured = Captured { target, headers, body };
        let answer = respond(&captured);
        let mut stream = stream;
        write!(stream, "HTTP/1.1 200 OK\r\ncontent-type: text/html;charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", answer.len()).unwrap();
        stream.write_all(&answer).unwrap();
        captured
    });
    (url, handle)
}

fn gateway_key() -> PrivateKey<Alipay> {
    PrivateKey::parse(&std::fs::read_to_string(vectors().join("keys/alipay_2048.private.pkcs1.pem")).unwrap()).unwrap()
}

fn other_gateway_key() -> PrivateKey<Alipay> {
    PrivateKey::parse(&std::fs::read_to_string(vectors().join("keys/other_2048.private.pkcs1.pem")).unwrap()).unwrap()
}

fn signed_body(node_key: &str, node: &str, key: &PrivateKey<Alipay>) -> Vec<u8> {
    alipay_openapi::sign_response_body(node_key, node, None, Charset::Utf8, SignType::Rsa2, key).unwrap()
}

const QUERY_METHOD: &str = "alipay.marketing.voucher.query";
const QUERY_BIZ: &str = r#"{"voucher_id":"20170616000730020041006ZYE2V"}"#;

fn query_args(gateway: &str) -> Vec<String> {
    query_args_with(gateway, QUERY_BIZ)
}

fn query_args_with(gateway: &str, biz: &str) -> Vec<String> {
    [
        "--method",
        QUERY_METHOD,
        "--app-id",
        APP_ID,
        "--app-key",
        &key("app_2048.private.pkcs1.pem"),
        "--biz-content",
        biz,
        "--timestamp",
        TIMESTAMP,
        "--gateway",
        gateway,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn the_printed_curl_command_sends_the_signed_request() {
    let (url, server) = serve_once(|_| b"{}".to_vec());
    let args: Vec<String> = [vec!["sign".to_owned()], query_args(&url)].concat();
    let (code, json) = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(code, 0);
    let output =
        std::process::Command::new("sh").arg("-c").arg(json["curl"].as_str().unwrap()).output().expect("sh and curl");
    assert!(output.status.success(), "curl failed: {}", String::from_utf8_lossy(&output.stderr));
    let captured = server.join().unwrap();
    let sent_url = json["url"].as_str().unwrap();
    assert_eq!(captured.target, sent_url.trim_start_matches(url.trim_end_matches("/gateway.do")));
    assert_eq!(captured.body, json["body"].as_str().unwrap().as_bytes());
    let content_type = captured.headers.iter().find(|(n, _)| n == "content-type").unwrap();
    assert_eq!(content_type.1, "application/x-www-form-urlencoded;charset=utf-8");
}

// ---------------------------------------------------------------- call

#[test]
fn call_verifies_a_signed_success() {
    let (url, server) = serve_once(|captured| {
        assert!(captured.target.contains("method=alipay.marketing.voucher.query"));
        signed_body(
            "alipay_marketing_voucher_query_response",
            r#"{"code":"10000","msg":"Success","voucher_id":"20170616000730020041006ZYE2V","status":"ENABLED"}"#,
            &gateway_key(),
        )
    });
    let args: Vec<String> =
        [vec!["call".to_owned(), "--alipay-key".into(), key("alipay_2048.public.spki.pem")], query_args(&url)].concat();
    let (code, json) = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    server.join().unwrap();
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verified"], true);
    assert_eq!(json["response"]["status"], "ENABLED");
}

#[test]
fn call_diagnoses_an_invalid_signature_answer() {
    // The gateway echoes a content without biz_content: the body never reached it.
    let (url, server) = serve_once(|captured| {
        let query = captured.target.split_once('?').unwrap().1;
        let timestamp =
            query.split('&').find_map(|p| p.strip_prefix("timestamp=")).unwrap().replace("+", " ").replace("%3A", ":");
        let echo = format!(
            "app_id={APP_ID}&amp;charset=utf-8&amp;format=json&amp;method={QUERY_METHOD}&amp;sign_type=RSA2&amp;timestamp={timestamp}&amp;version=1.0"
        );
        let node = format!(
            r#"{{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{echo}"}}"#
        );
        signed_body("alipay_marketing_voucher_query_response", &node, &gateway_key())
    });
    let args: Vec<String> =
        [vec!["call".to_owned(), "--alipay-key".into(), key("alipay_2048.public.spki.pem")], query_args(&url)].concat();
    let (code, json) = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    server.join().unwrap();
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["status"], "rejected");
    assert_eq!(json["verified"], true);
    assert_eq!(json["diagnosis"]["findings"][0]["cause"], "missing_biz_content", "{json}");
}

#[test]
fn call_rejects_an_answer_signed_by_another_key() {
    let (url, server) = serve_once(|_| {
        signed_body(
            "alipay_marketing_voucher_query_response",
            r#"{"code":"10000","msg":"Success"}"#,
            &other_gateway_key(),
        )
    });
    let args: Vec<String> = [
        vec![
            "call".to_owned(),
            "--alipay-key".into(),
            key("alipay_2048.public.spki.pem"),
            "--other-key".into(),
            key("other_2048.public.spki.b64"),
        ],
        query_args(&url),
    ]
    .concat();
    let (code, json) = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    server.join().unwrap();
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["finding"]["cause"], "other_key");
    assert!(json["finding"]["message"].as_str().unwrap().contains("other_2048.public.spki.b64"));
}

#[test]
fn call_reports_an_unreachable_gateway() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/gateway.do");
    let args: Vec<String> =
        [vec!["call".to_owned(), "--alipay-key".into(), key("alipay_2048.public.spki.pem")], query_args(&url)].concat();
    let (code, json) = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(code, 3, "{json}");
    assert_eq!(json["status"], "unreachable");
    assert!(json["error"]["fix"].as_str().unwrap().contains("alipay gateway"));
}

// ---------------------------------------------------------------- verify-response

fn verify_response(body: &[u8], method: &str, charset: &str, extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "body.json", body);
    let alipay_key = key("alipay_2048.public.spki.pem");
    let args =
        [&["verify-response", &path, "--method", method, "--charset", charset, "--alipay-key", &alipay_key][..], extra]
            .concat();
    run_json(&args, None)
}

#[test]
fn verify_response_follows_every_vector_and_names_each_failure_cause() {
    let cases = load("responses.json");
    let causes: BTreeMap<&str, &str> = [
        ("resp-025", "charset"),
        ("resp-028", "sha1_signature"),
        ("resp-029", "content_changed"),
        ("resp-031", "other_key"),
        ("resp-032", "missing_sign"),
        ("resp-034", "content_changed"),
        ("resp-035", "truncated"),
        ("resp-037", "wrong_node"),
        ("resp-038", "duplicate_node"),
    ]
    .into_iter()
    .collect();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let inputs = &case["inputs"];
        let body = b64(inputs["body_b64"].as_str().unwrap());
        let (code, json) =
            verify_response(&body, inputs["method"].as_str().unwrap(), inputs["charset"].as_str().unwrap(), &[]);
        if case["expected"]["valid"] == true {
            assert_eq!(code, 0, "{id}: {json}");
            assert_eq!(json["node_key"], case["expected"]["node_key"], "{id}");
        } else {
            assert_eq!(code, 1, "{id}: {json}");
            assert_eq!(json["status"], "rejected");
            let expected = causes.get(id).unwrap_or_else(|| panic!("{id}: a new negative case; give it a cause"));
            assert_eq!(json["finding"]["cause"], *expected, "{id}: {json}");
            assert!(!json["finding"]["fix"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn verify_response_confirms_the_other_key_when_given() {
    let case = case(&load("responses.json"), "resp-031").clone();
    let body = b64(case["inputs"]["body_b64"].as_str().unwrap());
    let other = key("other_2048.public.spki.pem");
    let (code, json) = verify_response(&body, "alipay.marketing.voucher.send", "utf-8", &["--other-key", &other]);
    assert_eq!(code, 1);
    assert_eq!(json["finding"]["cause"], "other_key");
    assert!(json["finding"]["message"].as_str().unwrap().contains("verifies with"), "{json}");
}

#[test]
fn verify_response_names_a_slash_escaping_difference() {
    // The gateway signed `\/`; a proxy or logger unescaped it to `/` after receipt.
    let case = case(&load("responses.json"), "resp-022").clone();
    let body = case["inputs"]["body"].as_str().unwrap();
    let (node, rest) = body.split_at(body.find(r#","sign":"#).unwrap());
    assert!(node.contains(r"\/"));
    let altered = format!("{}{rest}", node.replace(r"\/", "/"));
    let (code, json) = verify_response(altered.as_bytes(), case["inputs"]["method"].as_str().unwrap(), "utf-8", &[]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["finding"]["cause"], "slash_escaping", "{json}");
}

#[test]
fn verify_response_names_an_unsigned_error_and_a_sha256_signature_for_an_rsa_client() {
    let unsigned = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}"#;
    let (code, json) = verify_response(unsigned.as_bytes(), QUERY_METHOD, "utf-8", &[]);
    assert_eq!((code, json["finding"]["cause"].as_str()), (1, Some("unsigned_error")));
    let case = case(&load("responses.json"), "resp-001").clone();
    let body = b64(case["inputs"]["body_b64"].as_str().unwrap());
    let (code, json) = verify_response(&body, "alipay.marketing.voucher.send", "utf-8", &["--sign-type", "RSA"]);
    assert_eq!((code, json["finding"]["cause"].as_str()), (1, Some("sha256_signature")));
    // The GBK body of resp-025, verified as utf-8: its signature covers the UTF-8 bytes of the node.
    let (code, json) = verify_response(&case_body("resp-025"), QUERY_METHOD, "utf-8", &[]);
    assert_eq!((code, json["finding"]["cause"].as_str()), (1, Some("charset")), "{json}");
}

fn case_body(id: &str) -> Vec<u8> {
    let cases = load("responses.json");
    b64(case(&cases, id)["inputs"]["body_b64"].as_str().unwrap())
}

#[test]
fn verify_response_reads_stdin_and_rejects_bad_input() {
    let body = case_body("resp-001");
    let alipay_key = key("alipay_2048.public.spki.pem");
    let args = ["verify-response", "-", "--method", "alipay.marketing.voucher.send", "--alipay-key", &alipay_key];
    assert_eq!(run_json(&args, Some(&body)).0, 0);
    let app_private = key("app_2048.private.pkcs1.pem");
    let args = ["verify-response", "-", "--method", "alipay.marketing.voucher.send", "--alipay-key", &app_private];
    let (code, json) = run_json(&args, Some(&body));
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("invalid_key")));
    assert!(json["error"]["message"].as_str().unwrap().contains("Alipay public key"), "{json}");
}

// ---------------------------------------------------------------- verify-notify

fn form_encode(pairs: &[(String, String)]) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => char::from(b).to_string(),
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn verify_notify(body: &[u8], extra: &[&str]) -> (i32, Value) {
    let alipay_key = key("alipay_2048.public.spki.pem");
    run_json(&[&["verify-notify", "-", "--alipay-key", &alipay_key][..], extra].concat(), Some(body))
}

#[test]
fn verify_notify_follows_every_vector() {
    let causes: BTreeMap<&str, &str> =
        [("notify-011", "content_changed"), ("notify-013", "other_key")].into_iter().collect();
    for case in load("notifies.json") {
        let id = case["id"].as_str().unwrap();
        let (code, json) = verify_notify(case["inputs"]["body"].as_str().unwrap().as_bytes(), &[]);
        if case["expected"]["valid"] == true {
            assert_eq!(code, 0, "{id}: {json}");
            assert_eq!(json["fields"]["notify_id"], case["inputs"]["params_decoded"]["notify_id"], "{id}");
        } else {
            assert_eq!(code, 1, "{id}: {json}");
            assert_eq!(json["finding"]["cause"], causes[id], "{id}: {json}");
        }
    }
}

/// A notification signed by the test gateway key over `content_of(fields)` with `sign_type`.
fn signed_notification(sign_type: SignType, keep_sign_type_in_content: bool) -> Vec<u8> {
    let fields: Vec<(String, String)> = [
        ("notify_type", "trade_status_sync"),
        ("app_id", APP_ID),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("subject", "优酷 a+b"),
        ("total_amount", "9.99"),
        ("notify_id", "n-1"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .to_vec();
    let exclude: &[&str] = if keep_sign_type_in_content { &[] } else { &["sign_type"] };
    let content = sign_content(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), exclude, true);
    let signature = gateway_key().sign(sign_type, content.as_bytes()).unwrap();
    let mut all = fields;
    all.push(("sign".to_owned(), base64::engine::general_purpose::STANDARD.encode(signature)));
    form_encode(&all).into_bytes()
}

#[test]
fn verify_notify_names_v2_sha1_and_missing_sign() {
    let v1 = signed_notification(SignType::Rsa2, false);
    assert_eq!(verify_notify(&v1, &[]).0, 0);
    let v2 = signed_notification(SignType::Rsa2, true);
    assert_eq!(verify_notify(&v2, &["--v2"]).0, 0);
    let (code, json) = verify_notify(&v2, &[]);
    assert_eq!((code, json["finding"]["cause"].as_str()), (1, Some("notify_version")), "{json}");
    assert!(json["finding"]["fix"].as_str().unwrap().contains("--v2"));
    let (code, json) = verify_notify(&v1, &["--v2"]);
    assert_eq!((code, json["finding"]["cause"].as_str()), (1, Some("notify_version")));
    let sha1 = signed_notification(SignType::Rsa, false);
    let (code, json) = verify_notify(&sha1, &[]);
    assert_eq!((code, json["finding"]["cause"].as_str()), (1, Some("sha1_signature")), "{json}");
    let unsigned = b"notify_id=1&app_id=2021000000000001";
    let (code, json) = verify_notify(unsigned, &[]);
    assert_eq!((code, json["finding"]["cause"].as_str()), (1, Some("missing_sign")));
    let (code, json) = verify_notify(b"a=%4", &[]);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("malformed_notification")));
}

// ---------------------------------------------------------------- diagnose

/// The JSON of `alipay sign --json` for a query request, written to `dir`.
fn signed_request(dir: &Path, extra: &[&str]) -> (String, Value) {
    signed_request_with(dir, QUERY_BIZ, extra)
}

fn signed_request_with(dir: &Path, biz: &str, extra: &[&str]) -> (String, Value) {
    let base = query_args_with("local", biz);
    let args: Vec<&str> = [&["sign"][..], &base.iter().map(String::as_str).collect::<Vec<_>>(), extra].concat();
    let (code, json) = run_json(&args, None);
    assert_eq!(code, 0, "{json}");
    (write(dir, "request.json", json.to_string().as_bytes()), json)
}

fn echo_answer(content: &str) -> String {
    let escaped = content.replace('&', "&amp;").replace('"', "\\\"");
    format!(
        r#"{{"alipay_marketing_voucher_query_response":{{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{escaped}"}},"sign":"AAAA"}}"#
    )
}

fn diagnose(dir: &Path, answer: &str, extra: &[&str]) -> (i32, Value) {
    let answer = write(dir, "answer.json", answer.as_bytes());
    run_json(&[&["diagnose", "--answer", &answer][..], extra].concat(), None)
}

fn first_cause(json: &Value) -> &str {
    json["findings"][0]["cause"].as_str().unwrap_or_else(|| panic!("no finding: {json}"))
}

#[test]
fn diagnose_reads_the_vector_answer_and_finds_the_missing_body() {
    // resp-010 echoes a query content without biz_content (HTML-escaped, as the gateway does).
    let dir = tempfile::tempdir().unwrap();
    let (request, _) = signed_request(dir.path(), &["--no-format"]);
    let answer = String::from_utf8(case_body("resp-010")).unwrap();
    let (code, json) = diagnose(dir.path(), &answer, &["--request", &request]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(first_cause(&json), "missing_biz_content");
    assert!(!json["gateway_sign_content"].as_str().unwrap().contains("&amp;"));
    let diff = json["diff"].as_array().unwrap();
    assert!(diff.iter().any(|d| d["key"] == "biz_content" && d["kind"] == "client_only"));
    assert!(diff.iter().filter(|d| d["kind"] == "same").count() >= 6);
}

#[test]
fn diagnose_names_each_content_difference() {
    let dir = tempfile::tempdir().unwrap();
    let (request, json) = signed_request(dir.path(), &["--param", "notify_url=https://example.com/n?a=1&b=2"]);
    let content = json["sign_content"].as_str().unwrap().to_owned();
    let with_biz = |biz: &str| content.replace(QUERY_BIZ, biz);
    let cases: Vec<(String, &str)> = vec![
        (content.replace("&sign_type=RSA2", ""), "missing_parameter"),
        (content.replace("17:49:20", "17:49:21"), "value_changed"),
        (with_biz(r#"{"voucher_id": "20170616000730020041006ZYE2V"}"#), "json_reserialized"),
        (with_biz(r#"{"voucher_id":"20170616000730020041006ZYE2V","memo":"x"}"#), "value_changed"),
        (
            content.replace("https://example.com/n?a=1&b=2", "https%3A%2F%2Fexample.com%2Fn%3Fa%3D1%26b%3D2"),
            "url_encoding",
        ),
        (format!("{content}&return_url=https://e.com"), "unsigned_parameter"),
    ];
    for (echo, cause) in cases {
        let (code, json) = diagnose(dir.path(), &echo_answer(&echo), &["--request", &request]);
        assert_eq!(code, 1);
        assert_eq!(first_cause(&json), cause, "{echo}: {json}");
    }
}

#[test]
fn diagnose_names_client_side_mistakes_from_the_logged_sign_content() {
    let dir = tempfile::tempdir().unwrap();
    let (request, json) = signed_request_with(dir.path(), r#"{"voucher_id":"1","memo":"测试 a+b"}"#, &[]);
    let content = json["sign_content"].as_str().unwrap().to_owned();
    let logged = |text: &str| write(dir.path(), "logged.txt", text.as_bytes());
    // (what the client logged as signed, what the gateway echoed, cause)
    let cases: Vec<(String, String, &str)> = vec![
        (content.replace("&sign_type=RSA2", ""), content.clone(), "unsigned_sign_type"),
        (format!("{content}&notify_url="), content.clone(), "empty_parameter"),
        (content.clone(), content.replace("测试", "娴嬭瘯"), "charset"),
        (content.clone(), content.replace("a+b", "a b"), "plus_as_space"),
        (content.replace("2024-05-13 17:49:20", "2024-05-13+17%3A49%3A20"), content.clone(), "url_encoding"),
        (
            {
                let mut pairs: Vec<&str> = content.split("&").collect();
                pairs.reverse();
                pairs.join("&")
            },
            content.clone(),
            "unsorted",
        ),
    ];
    for (ours, theirs, cause) in cases {
        let path = logged(&ours);
        let (code, json) = diagnose(dir.path(), &echo_answer(&theirs), &["--sign-content", &path]);
        assert_eq!(code, 1);
        assert_eq!(first_cause(&json), cause, "ours {ours}\ntheirs {theirs}\n{json}");
    }
    // The request alone (no logged content) is enough for wire-level differences.
    let (_, json) = diagnose(dir.path(), &echo_answer(&content.replace("测试", "娴嬭瘯")), &["--request", &request]);
    assert_eq!(first_cause(&json), "charset");
}

#[test]
fn diagnose_blames_the_key_when_the_contents_agree() {
    let dir = tempfile::tempdir().unwrap();
    let (request, json) = signed_request(dir.path(), &[]);
    let answer = echo_answer(json["sign_content"].as_str().unwrap());
    let (code, json) = diagnose(dir.path(), &answer, &["--request", &request]);
    assert_eq!(code, 1);
    assert_eq!(json["identical"], true);
    assert_eq!(first_cause(&json), "key_mismatch");
    // The request's signature is valid under the app key: the console holds another key.
    let (_, json) =
        diagnose(dir.path(), &answer, &["--request", &request, "--app-public-key", &key("app_2048.public.spki.b64")]);
    assert_eq!(first_cause(&json), "console_key", "{json}");
    // The key given as uploaded is not the pair of the signing key.
    let (_, json) =
        diagnose(dir.path(), &answer, &["--request", &request, "--app-public-key", &key("other_2048.public.spki.pem")]);
    assert_eq!(first_cause(&json), "key_mismatch", "{json}");
    assert!(json["findings"][0]["message"].as_str().unwrap().contains("public half"));
    let (_, json) = diagnose(
        dir.path(),
        &answer,
        &[
            "--request",
            &request,
            "--app-key",
            &key("app_2048.private.pkcs8.pem"),
            "--app-public-key",
            &key("other_2048.public.spki.pem"),
        ],
    );
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["message"].as_str().unwrap().contains("are not a key pair")));
}

#[test]
fn diagnose_detects_an_empty_parameter_in_a_raw_http_request() {
    // What the Python official SDK sends for an empty notify_url: signed and sent as `notify_url=`.
    let dir = tempfile::tempdir().unwrap();
    let raw = "POST /gateway.do?app_id=2021000000000001&charset=utf-8&method=alipay.marketing.voucher.query&sign_type=RSA2&timestamp=2024-05-13+17%3A49%3A20&version=1.0&notify_url=&sign=AAAA HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded;charset=utf-8\r\n\r\nbiz_content=%7B%22voucher_id%22%3A%221%22%7D";
    let request = write(dir.path(), "raw.http", raw.as_bytes());
    let echo = r#"app_id=2021000000000001&biz_content={"voucher_id":"1"}&charset=utf-8&method=alipay.marketing.voucher.query&sign_type=RSA2&timestamp=2024-05-13 17:49:20&version=1.0"#;
    let (code, json) = diagnose(dir.path(), &echo_answer(echo), &["--request", &request]);
    assert_eq!(code, 1);
    assert_eq!(first_cause(&json), "empty_parameter", "{json}");
}

#[test]
fn diagnose_without_an_echo_checks_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let (request, _) = signed_request(dir.path(), &[]);
    let answer = String::from_utf8(case_body("resp-011")).unwrap();
    let (code, json) = diagnose(dir.path(), &answer, &["--request", &request]);
    assert_eq!((code, first_cause(&json)), (1, "no_echo"));
    let (_, json) =
        diagnose(dir.path(), &answer, &["--request", &request, "--app-key", &key("app_2048.private.pkcs1.pem")]);
    assert!(json["findings"].as_array().unwrap().iter().any(|f| f["cause"] == "console_key"), "{json}");
    let (_, json) =
        diagnose(dir.path(), &answer, &["--request", &request, "--app-public-key", &key("other_2048.public.spki.pem")]);
    assert!(json["findings"].as_array().unwrap().iter().any(|f| f["cause"] == "key_mismatch"), "{json}");
}

#[test]
fn diagnose_refuses_other_answers_and_bad_requests() {
    let dir = tempfile::tempdir().unwrap();
    let (request, _) = signed_request(dir.path(), &[]);
    let other = String::from_utf8(case_body("resp-005")).unwrap();
    let (code, json) = diagnose(dir.path(), &other, &["--request", &request]);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("not_invalid_signature")), "{json}");
    let bad = write(dir.path(), "bad.txt", b"a=%ZZ");
    let (code, json) = diagnose(dir.path(), &echo_answer("a=1"), &["--request", &bad]);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("invalid_request")));
    // Neither --request nor --sign-content.
    let answer = write(dir.path(), "a.json", echo_answer("a=1").as_bytes());
    assert_eq!(alipay().args(["diagnose", "--answer", &answer]).output().unwrap().status.code(), Some(2));
}

// ---------------------------------------------------------------- gateway (+ call against it)

/// `alipay gateway` as a child process, stopped when dropped.
struct LocalGateway {
    child: std::process::Child,
    url: String,
    public_key_file: tempfile::NamedTempFile,
}

impl Drop for LocalGateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_gateway() -> LocalGateway {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_alipay"))
        .args(["--json", "gateway", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let info: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert_eq!(info["status"], "listening");
    let mut public_key_file = tempfile::NamedTempFile::new().unwrap();
    public_key_file.write_all(info["gateway_public_key"].as_str().unwrap().as_bytes()).unwrap();
    LocalGateway { child, url: info["url"].as_str().unwrap().to_owned(), public_key_file }
}

fn call_local(gateway: &LocalGateway, app_key: &str, biz: &str) -> (i32, Value) {
    let alipay_key = gateway.public_key_file.path().display().to_string();
    let args = [
        "call",
        "--gateway",
        &gateway.url,
        "--alipay-key",
        &alipay_key,
        "--app-id",
        APP_ID,
        "--app-key",
        app_key,
        "--method",
        "alipay.marketing.voucher.send",
        "--biz-content",
        biz,
    ];
    run_json(&args, None)
}

#[test]
fn gateway_serves_and_call_verifies_its_answers() {
    let gateway = start_gateway();
    // The gateway's public key is the test "Alipay" key.
    let expected = std::fs::read_to_string(vectors().join("keys/alipay_2048.public.spki.b64")).unwrap();
    assert_eq!(std::fs::read_to_string(gateway.public_key_file.path()).unwrap(), expected.trim());
    let biz =
        r#"{"template_id":"20240513000730011111000ABCDE","user_id":"2088102000000000","out_biz_no":"cli-test-1"}"#;
    let (code, json) = call_local(&gateway, &key("app_2048.private.pkcs8.b64"), biz);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verified"], true);
    assert_eq!(json["response"]["code"], "10000");
    assert!(json["response"]["voucher_id"].as_str().is_some_and(|id| id.len() == 28), "{json}");
    // Signed with a key whose public half is not the one the gateway holds: the contents agree, the
    // request's signature is valid under the signing key, so the gateway's key is the cause.
    let (code, json) = call_local(&gateway, &key("other_2048.private.pkcs1.pem"), biz);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["diagnosis"]["identical"], true, "{json}");
    assert_eq!(json["diagnosis"]["findings"][0]["cause"], "console_key", "{json}");
}

#[test]
fn gateway_reports_a_bad_key_and_a_busy_port() {
    let public = key("app_2048.public.spki.pem");
    let (code, json) = run_json(&["gateway", "--port", "0", "--gateway-private-key", &public], None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("invalid_key")), "{json}");
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let (code, json) = run_json(&["gateway", "--port", &port], None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("gateway_start_failed")), "{json}");
}

// ---------------------------------------------------------------- cert-sn

#[test]
fn cert_sn_gives_the_known_answers() {
    let certs = vectors().join("certs");
    let file = |name: &str| certs.join(name).display().to_string();
    let (app, root, alipay_cert) =
        (file("appPublicCert.crt"), file("alipayRootCert.crt"), file("alipayPublicCert.crt"));
    let (code, json) = run_json(&["cert-sn", "--app-cert", &app, "--root-cert", &root, "--cert", &alipay_cert], None);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["app_cert_sn"], "9c51a0ddeb34866e5a331e613f57bf0f");
    assert_eq!(json["alipay_root_cert_sn"], "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6");
    assert_eq!(json["certs"][0]["sn"], "05d88faef76d723019c5c14d3ecd014a");
    let text = alipay().args(["cert-sn", "--root-cert", &root]).output().unwrap();
    assert!(String::from_utf8(text.stdout)
        .unwrap()
        .starts_with("alipay_root_cert_sn  687b59193f3f462dd5336e5abf83c5d8_"));
}

#[test]
fn cert_sn_rejects_what_is_not_a_certificate() {
    let (code, json) = run_json(&["cert-sn", "--cert", &key("alipay_2048.public.spki.pem")], None);
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("invalid_certificate")), "{json}");
    assert!(json["error"]["fix"].as_str().unwrap().contains(".crt"));
    assert_eq!(alipay().arg("cert-sn").output().unwrap().status.code(), Some(2), "at least one file is required");
}

#[test]
fn call_speaks_tls_to_https_gateways() {
    // A server that is not TLS: the handshake fails, and the failure is "unreachable", not "unsupported".
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/gateway.do", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    let args: Vec<String> =
        [vec!["call".to_owned(), "--alipay-key".into(), key("alipay_2048.public.spki.pem")], query_args(&url)].concat();
    let (code, json) = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    server.join().unwrap();
    assert_eq!((code, json["error"]["code"].as_str()), (3, Some("unreachable")), "{json}");
}

// ---------------------------------------------------------------- OpenAPI v3

fn v3_vectors(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(vectors().join("v3").join(file)).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["cases"].as_array().unwrap().clone()
}

fn v3_case(file: &str, name: &str) -> Value {
    v3_vectors(file).into_iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no v3 case {name}"))
}

#[test]
fn sign_v3_reproduces_the_node_sdk_request() {
    let case = v3_case("requests.json", "post_json");
    let input = &case["input"];
    let (code, out) = run_json(
        &[
            "sign-v3",
            "--app-id",
            APP_ID,
            "--app-key",
            &key("app_2048.private.pkcs1.pem"),
            "--http-method",
            input["http_method"].as_str().unwrap(),
            "--path",
            input["path"].as_str().unwrap(),
            "--body",
            input["body"].as_str().unwrap(),
            "--nonce",
            input["nonce"].as_str().unwrap(),
            "--request-id",
            input["request_id"].as_str().unwrap(),
            "--timestamp-ms",
            &input["timestamp"].to_string(),
        ],
        None,
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["sign_content"], case["sign_content"]);
    assert_eq!(out["signature"], case["signature"]);
    assert_eq!(out["headers"]["authorization"], case["captured"]["headers"]["authorization"]);
    assert!(out["curl"]
        .as_str()
        .unwrap()
        .starts_with("curl -X POST 'https://openapi.alipay.com/v3/alipay/trade/query'"));
    let (code, out) = run_json(
        &[
            "sign-v3",
            "--app-id",
            APP_ID,
            "--app-key",
            &key("app_2048.private.pkcs1.pem"),
            "--path",
            "/v3/x",
            "--query",
            "nokey",
        ],
        None,
    );
    assert_eq!((code, out["error"]["code"].as_str()), (2, Some("invalid_query")), "{out}");
}

/// Runs `verify-v3` on a v3 answer vector, saved as `curl -D` would (status line, headers).
fn verify_v3(case: &Value, body: &[u8], extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let mut headers = format!("HTTP/1.1 {} X\r\n", case["status"]);
    for pair in case["headers"].as_array().unwrap() {
        headers.push_str(&format!("{}: {}\r\n", pair[0].as_str().unwrap(), pair[1].as_str().unwrap()));
    }
    let (headers, body) = (write(dir.path(), "headers", headers.as_bytes()), write(dir.path(), "body", body));
    let alipay_key = key("alipay_2048.public.spki.pem");
    run_json(&[&["verify-v3", &body, "--headers", &headers, "--alipay-key", &alipay_key][..], extra].concat(), None)
}

#[test]
fn verify_v3_accepts_the_signed_answer_and_explains_each_failure() {
    let valid = v3_case("responses.json", "valid");
    let (code, out) = verify_v3(&valid, valid["body"].as_str().unwrap().as_bytes(), &[]);
    assert_eq!((code, &out["verified"]), (0, &Value::Bool(true)), "{out}");
    assert_eq!(out["response"]["total_amount"], "88.88");

    let mut saved = valid["body"].as_str().unwrap().as_bytes().to_vec();
    saved.push(b'\n');
    let (code, out) = verify_v3(&valid, &saved, &[]);
    assert_eq!((code, out["error_code"].as_str()), (1, Some("signature_mismatch")), "{out}");
    assert!(out["findings"][0].as_str().unwrap().contains("without the trailing line break"), "{out}");

    let pretty = v3_case("responses.json", "reserialised_body");
    let (code, out) = verify_v3(&pretty, pretty["body"].as_str().unwrap().as_bytes(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out["findings"][0].as_str().unwrap().contains("without its layout whitespace"), "{out}");

    let wrong = v3_case("responses.json", "wrong_key");
    let other = key("other_2048.public.spki.pem");
    let (code, out) = verify_v3(&wrong, wrong["body"].as_str().unwrap().as_bytes(), &["--other-key", &other]);
    assert_eq!(code, 1, "{out}");
    assert!(out["findings"][0].as_str().unwrap().contains("other_2048.public.spki.pem"), "{out}");

    let error = v3_case("responses.json", "error_400");
    let (code, out) = verify_v3(&error, error["body"].as_str().unwrap().as_bytes(), &[]);
    assert_eq!((code, out["error_code"].as_str()), (1, Some("v3_gateway_error")), "{out}");
}

#[test]
fn diagnose_v3_tells_a_console_key_mismatch_from_a_changed_body() {
    let case = v3_case("requests.json", "post_json");
    let captured = &case["captured"];
    let dump = |body: &str| {
        let mut text = format!("POST {} HTTP/1.1\r\n", captured["path"].as_str().unwrap());
        for (name, value) in captured["headers"].as_object().unwrap() {
            text.push_str(&format!("{name}: {}\r\n", value.as_str().unwrap()));
        }
        format!("{text}\r\n{body}")
    };
    let dir = tempfile::tempdir().unwrap();
    let diagnose = |name: &str, body: &str, key_file: &str| {
        let request = write(dir.path(), name, dump(body).as_bytes());
        run_json(&["diagnose-v3", "--request", &request, "--app-public-key", &key(key_file)], None)
    };
    let body = captured["body"].as_str().unwrap();
    let (code, out) = diagnose("as-sent", body, "app_2048.public.spki.pem");
    assert_eq!((code, &out["signature_verifies"]), (0, &Value::Bool(true)), "{out}");
    assert!(out["findings"][1].as_str().unwrap().contains("another app public key"), "{out}");

    let (code, out) = diagnose("newline", &format!("{body}\n"), "app_2048.public.spki.pem");
    assert_eq!((code, &out["signature_verifies"]), (1, &Value::Bool(false)), "{out}");
    assert!(out["findings"][0].as_str().unwrap().contains("without its trailing line break"), "{out}");

    let (code, out) = diagnose("other-key", body, "other_2048.public.spki.pem");
    assert_eq!(code, 1, "{out}");
    assert!(out["findings"][0].as_str().unwrap().contains("does not verify"), "{out}");
    assert!(out["findings"][1].as_str().unwrap().contains(case["sign_content"].as_str().unwrap()), "{out}");
}
