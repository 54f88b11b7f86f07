//! The parity table (`tests/parity/cases.json`, described in its README) run from Rust: every row
//! the Python and JavaScript runners also run, with the same expected outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::disallowed_methods)]

use alipay_openapi::api::typed_api;
use alipay_openapi::{
    Charset, Client, ClientOptions, Error, ExpectedOrder, NotifyParams, NotifyVersion, RequestOptions, SignedRequest,
    SignedV3Request, Timestamp, V3Request, V3Response,
};
use serde_json::{Map, Value};

fn repo(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn json(path: &str) -> Value {
    serde_json::from_str(&repo(path)).unwrap()
}

struct Table {
    root: Value,
    responses: Value,
    notifies: Value,
    v3_responses: Value,
    client_modes: Value,
}

impl Table {
    fn vector<'a>(list: &'a Value, id: &str) -> &'a Value {
        list.as_array().unwrap().iter().find(|case| case["id"] == id).unwrap_or_else(|| panic!("no vector {id}"))
    }

    /// A string with its placeholders resolved.
    fn text(&self, text: &str) -> Value {
        if let Some(path) = text.strip_prefix('@').filter(|p| p.starts_with("keys/") || p.starts_with("certs/")) {
            return Value::String(repo(&format!("tests/vectors/{path}")));
        }
        if let Some(id) = text.strip_prefix("@response:") {
            return Table::vector(&self.responses, id)["inputs"]["body"].clone();
        }
        if let Some(id) = text.strip_prefix("@notify:") {
            return Table::vector(&self.notifies, id)["inputs"]["body"].clone();
        }
        if let Some(id) = text.strip_prefix("@return:") {
            return Table::vector(&self.client_modes["returns"], id)["query"].clone();
        }
        if let Some(id) = text.strip_prefix("@notify-fields:") {
            return Table::vector(&self.notifies, id)["inputs"]["params_decoded"].clone();
        }
        if let Some(name) = text.strip_prefix("@v3-response:") {
            let cases = self.v3_responses["cases"].as_array().unwrap();
            let case = cases.iter().find(|case| case["name"] == name).unwrap_or_else(|| panic!("no v3 answer {name}"));
            return serde_json::json!({ "status": case["status"], "headers": case["headers"], "body": case["body"] });
        }
        Value::String(repeat_placeholders(text))
    }

    fn resolve(&self, value: &Value) -> Value {
        match value {
            Value::String(text) => self.text(text),
            Value::Object(members) => {
                Value::Object(members.iter().map(|(k, v)| (k.clone(), self.resolve(v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(v)).collect()),
            other => other.clone(),
        }
    }

    fn client_options(&self, client: &Value) -> Value {
        let named = |name: &Value| self.root["clients"][name.as_str().unwrap()].as_object().unwrap().clone();
        let options: Map<String, Value> = match client {
            Value::String(_) => named(client),
            Value::Object(changes) => {
                let mut options = named(&changes["base"]);
                options.extend(changes.iter().filter(|(k, _)| *k != "base").map(|(k, v)| (k.clone(), v.clone())));
                options
            }
            _ => panic!("client must be a name or an object"),
        };
        self.resolve(&Value::Object(options))
    }
}

/// `<N x C>` becomes C repeated N times.
fn repeat_placeholders(text: &str) -> String {
    let Some(start) = text.find('<') else { return text.to_owned() };
    let Some(end) = text[start..].find('>').map(|e| start + e) else { return text.to_owned() };
    let inner = &text[start + 1..end];
    match inner.split_once(" x ") {
        Some((count, what)) if count.parse::<usize>().is_ok() => {
            format!(
                "{}{}{}",
                &text[..start],
                what.repeat(count.parse().unwrap()),
                repeat_placeholders(&text[end + 1..])
            )
        }
        _ => text.to_owned(),
    }
}

/// What an operation produced, reduced to what the checks look at.
enum Outcome {
    Built,
    Signed(SignedRequest),
    Verified { node_key: String, code: String, messages: usize },
    Typed(Value),
    Notified(Value),
    SignedV3(SignedV3Request),
    VerifiedV3(V3Response),
    Added(String),
}

fn run(table: &Table, case: &Value) -> Result<Outcome, Error> {
    let client: Client = ClientOptions::from_value(&table.client_options(&case["client"]))?.build()?;
    let input = table.resolve(&case["input"]);
    let with_timestamp = |mut options: Value| {
        if options.get("timestamp").is_none() {
            options["timestamp"] = table.root["timestamp"].clone();
        }
        options
    };
    match case["op"].as_str().unwrap() {
        "build" => Ok(Outcome::Built),
        "sign" => {
            let options = RequestOptions::from_value(&with_timestamp(input))?;
            client.sign(&options.to_request()?, options.timestamp.unwrap()).map(Outcome::Signed)
        }
        "sign_call" => {
            let request = typed_api(input["method"].as_str().unwrap())?.request(&input["fields"])?;
            client
                .sign(&request, Timestamp::from_unix_millis(table.root["timestamp"].as_i64().unwrap()))
                .map(Outcome::Signed)
        }
        "verify_response" => {
            let method = input["method"].as_str().unwrap();
            let pending = client.begin_verify_response(method, input["body"].as_str().unwrap().as_bytes())?;
            let messages = pending.check().messages().len();
            let verified =
                client.verify_response(method, input["body"].as_str().unwrap().as_bytes())?.into_success()?;
            Ok(Outcome::Verified {
                node_key: verified.node_key().to_owned(),
                code: verified.code().to_owned(),
                messages,
            })
        }
        "parse_response" => {
            let method = input["method"].as_str().unwrap();
            let api = typed_api(method)?;
            api.result(client.verify_response(method, input["body"].as_str().unwrap().as_bytes())?).map(Outcome::Typed)
        }
        "verify_notification" | "check_order" => {
            let params = match &input["notification"] {
                Value::String(form) => NotifyParams::from_form(form.as_bytes(), Charset::Utf8)?,
                Value::Object(fields) => {
                    NotifyParams::from_pairs(fields.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())))?
                }
                _ => panic!("notification must be a form body or fields"),
            };
            let version: NotifyVersion = input["version"].as_str().unwrap_or("v1").parse()?;
            let notification = client.verify_notification(params, version)?;
            if case["op"] == "check_order" {
                return notification.check_order(&ExpectedOrder::from_value(&input["order"])?).map(|()| Outcome::Built);
            }
            Ok(Outcome::Notified(serde_json::to_value(notification.fields()).unwrap()))
        }
        "sign_v3" => client.sign_v3(&V3Request::from_value(&with_timestamp(input))?).map(Outcome::SignedV3),
        "verify_v3_response" => {
            let answer = &input["answer"];
            let headers: Vec<(String, String)> = serde_json::from_value(answer["headers"].clone()).unwrap();
            let (status, body) = (answer["status"].as_u64().unwrap() as u16, answer["body"].as_str().unwrap());
            client.verify_v3_response(status, &headers, body.as_bytes()).map(Outcome::VerifiedV3)
        }
        "verify_return" => {
            let params = client.return_query(input["query"].as_str().unwrap().as_bytes(), Charset::Utf8)?;
            let version: NotifyVersion = input["version"].as_str().unwrap_or("v1").parse()?;
            let verified = client.verify_return(params, version)?;
            Ok(Outcome::Notified(serde_json::to_value(verified.fields()).unwrap()))
        }
        "add_certificate" => {
            let (pem, now) =
                (input["pem"].as_str().unwrap(), Timestamp::from_unix_millis(input["now"].as_i64().unwrap()));
            match input.get("verdicts") {
                None => client.add_alipay_certificate(pem, now),
                Some(verdicts) => {
                    let verdicts: Vec<bool> = serde_json::from_value(verdicts.clone()).unwrap();
                    client.begin_add_alipay_certificate(pem, now)?.finish(&verdicts)
                }
            }
            .map(Outcome::Added)
        }
        other => panic!("unknown op {other}"),
    }
}

fn check_ok(id: &str, outcome: &Outcome, checks: &Map<String, Value>) {
    let strings = |key: &str| {
        checks.get(key).map(|v| v.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect::<Vec<_>>())
    };
    match outcome {
        Outcome::Signed(signed) => {
            if let Some(prefix) = checks.get("url_prefix") {
                assert!(signed.url().starts_with(prefix.as_str().unwrap()), "{id}: url {}", signed.url());
            }
            if let Some(exact) = checks.get("sign_content") {
                assert_eq!(signed.sign_content(), exact.as_str().unwrap(), "{id}");
            }
            if let Some(exact) = checks.get("content_type") {
                assert_eq!(signed.content_type(), exact.as_str().unwrap(), "{id}");
            }
            let body = std::str::from_utf8(signed.body()).unwrap();
            let (link, form, order) = (signed.page_link(), signed.page_form(), signed.order_string());
            for (key, text) in [
                ("url_contains", signed.url()),
                ("sign_content_contains", signed.sign_content()),
                ("body_contains", body),
                ("page_link_contains", &link),
                ("page_form_contains", &form),
                ("order_string_contains", &order),
            ] {
                for part in strings(key).unwrap_or_default() {
                    assert!(text.contains(part), "{id}: {key} `{part}` in {text}");
                }
            }
            for (key, text) in [("sign_content_lacks", signed.sign_content()), ("page_form_lacks", &form)] {
                for part in strings(key).unwrap_or_default() {
                    assert!(!text.contains(part), "{id}: {key} `{part}` in {text}");
                }
            }
        }
        Outcome::Verified { node_key, code, messages } => {
            for (key, actual) in [
                ("node_key", Value::from(node_key.as_str())),
                ("code", Value::from(code.as_str())),
                ("messages", Value::from(*messages)),
            ] {
                if let Some(expected) = checks.get(key) {
                    assert_eq!(&actual, expected, "{id}: {key}");
                }
            }
        }
        Outcome::Typed(result) => {
            for (key, expected) in checks {
                assert_eq!(&result[key], expected, "{id}: {key}");
            }
        }
        Outcome::Notified(fields) => {
            for (key, expected) in checks["fields"].as_object().unwrap() {
                assert_eq!(&fields[key], expected, "{id}: {key}");
            }
        }
        Outcome::SignedV3(signed) => {
            for (key, expected) in checks {
                match key.as_str() {
                    "sign_content" => assert_eq!(signed.sign_content(), expected.as_str().unwrap(), "{id}"),
                    "url_prefix" => assert!(signed.url().starts_with(expected.as_str().unwrap()), "{id}"),
                    "sign_content_contains" => {
                        for part in strings(key).unwrap() {
                            assert!(
                                signed.sign_content().contains(part),
                                "{id}: `{part}` in {}",
                                signed.sign_content()
                            );
                        }
                    }
                    "headers" => {
                        for (name, value) in expected.as_object().unwrap() {
                            assert_eq!(signed.header(name), value.as_str(), "{id}: {name}");
                        }
                    }
                    "headers_present" => {
                        for name in strings(key).unwrap() {
                            assert!(signed.header(name).is_some(), "{id}: {name}");
                        }
                    }
                    other => panic!("{id}: no check {other} for sign_v3"),
                }
            }
        }
        Outcome::VerifiedV3(response) => {
            for (key, expected) in checks {
                let actual = match key.as_str() {
                    "status" => Value::from(response.status()),
                    "trace_id" => Value::from(response.trace_id()),
                    "value" => response.value().cloned().unwrap_or(Value::Null),
                    "was_encrypted" => Value::from(response.was_encrypted()),
                    other => panic!("{id}: no check {other} for verify_v3_response"),
                };
                assert_eq!(&actual, expected, "{id}: {key}");
            }
        }
        Outcome::Added(sn) => assert_eq!(Some(&Value::from(sn.as_str())), checks.get("sn"), "{id}: sn"),
        Outcome::Built => assert!(checks.is_empty(), "{id}: a build or check row checks nothing but success"),
    }
}

fn check_error(id: &str, error: &Error, expected: &Map<String, Value>) {
    let method = None;
    let details = serde_json::to_value(error.details(method)).unwrap();
    for (key, value) in expected {
        let actual = match key.as_str() {
            // The catalog needs the called method; the table's rows name it in their input.
            "retryable" | "description" | "action" => continue,
            _ => &details[key],
        };
        assert_eq!(actual, value, "{id}: {key} of {error:?}");
    }
}

#[test]
fn every_row_has_the_expected_outcome() {
    let table = Table {
        root: json("tests/parity/cases.json"),
        responses: json("tests/vectors/responses.json"),
        notifies: json("tests/vectors/notifies.json"),
        v3_responses: json("tests/vectors/v3/responses.json"),
        client_modes: json("tests/vectors/client-modes.json"),
    };
    let mut ran = 0;
    for case in table.root["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if case.get("hosts").is_some_and(|hosts| !hosts.as_array().unwrap().iter().any(|h| h == "rust")) {
            continue;
        }
        let outcome = run(&table, case);
        match (&case["expect"]["ok"], &case["expect"]["error"], outcome) {
            (Value::Object(checks), _, Ok(outcome)) => check_ok(id, &outcome, checks),
            (_, Value::Object(expected), Err(error)) => {
                check_error(id, &error, expected);
                if let Some(retryable) = expected.get("retryable") {
                    let method = case["input"]["method"].as_str();
                    assert_eq!(serde_json::to_value(error.details(method)).unwrap()["retryable"], *retryable, "{id}");
                }
            }
            (_, _, Ok(_)) => panic!("{id}: succeeded, expected {}", case["expect"]),
            (_, _, Err(error)) => panic!("{id}: failed with {error:?} ({error}), expected {}", case["expect"]),
        }
        ran += 1;
    }
    assert!(ran >= 80, "only {ran} rows ran");
}

#[test]
fn every_rust_operation_of_the_manifest_exists() {
    let sources: String = [
        "client.rs",
        "notify.rs",
        "options.rs",
        "verify.rs",
        "request.rs",
        "cert.rs",
        "error.rs",
        "api/mod.rs",
        "v3.rs",
        "v3/request.rs",
    ]
    .iter()
    .map(|file| repo(&format!("core/src/{file}")))
    .collect();
    let manifest = json("tests/parity/operations.json");
    for operation in manifest["operations"].as_array().unwrap() {
        let name = operation["rust"].as_str().unwrap();
        let item = name.rsplit("::").next().unwrap();
        let declared = [format!("pub fn {item}("), format!("pub fn {item}<"), format!("pub const {item}:")];
        assert!(declared.iter().any(|d| sources.contains(d.as_str())), "{name} is not declared in the core");
    }
}
