//! OpenAPI v3 (docs/PROTOCOL.md §10) for the cashier's trades: `POST /v3/alipay/trade/query` and
//! `POST /v3/alipay/trade/close`. The `authorization` header is checked (app, certificate SNs,
//! a 10-minute timestamp window, the signature, nonce replay), the business object is answered
//! with signed headers, and errors are 4xx/5xx JSON `{code, message}` with stable codes.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use alipay_openapi::v3::{v3_request_sign_content, v3_response_sign_content, V3_AUTH_SCHEME};
use alipay_openapi::{SignType, Signer as _, Verifier as _};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;

use super::{object_json, Checked, Gateway};
use crate::fault::Fault;
use crate::store::Failure;
use crate::trade::{self, TRADE_CLOSE, TRADE_QUERY};

/// The v3 paths served, and the v2 method each one is.
pub(crate) const PATHS: [&str; 2] = ["/v3/alipay/trade/query", "/v3/alipay/trade/close"];

fn method_of(path: &str) -> Option<&'static str> {
    match path {
        "/v3/alipay/trade/query" => Some(TRADE_QUERY),
        "/v3/alipay/trade/close" => Some(TRADE_CLOSE),
        _ => None,
    }
}

/// How far a request's timestamp may be from the clock.
const WINDOW_MILLIS: i64 = 10 * 60 * 1000;

/// A request as it came in.
struct Incoming {
    http_method: String,
    path_with_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Incoming {
    /// Every value of header `name` (lower case).
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

/// A refusal: HTTP status, stable code, message.
#[derive(Debug)]
struct V3Error {
    status: u16,
    code: &'static str,
    message: String,
}

fn refuse(status: u16, code: &'static str, message: impl Into<String>) -> V3Error {
    V3Error { status, code, message: message.into() }
}

fn busy() -> V3Error {
    refuse(500, "unknown-error", "系统繁忙 (local test gateway)")
}

const JSON: &str = "application/json;charset=utf-8";

impl V3Error {
    /// `{code, message}` with the status; never signed, as Alipay signs no v3 error.
    fn answer(&self) -> V3Answer {
        V3Answer {
            status: self.status,
            headers: vec![("content-type", JSON.to_owned())],
            body: json!({"code": self.code, "message": self.message}).to_string().into_bytes(),
        }
    }
}

/// What goes back.
struct V3Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

pub(crate) async fn handle(
    State(gateway): State<Arc<Gateway>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let faults = match crate::faults(&gateway, &headers).await {
        Ok(faults) => faults,
        Err(refused) => return refused,
    };
    let incoming = Incoming {
        http_method: method.as_str().to_owned(),
        path_with_query: uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        // A value that is not visible ASCII cannot be in a signed line; it is kept marked so that
        // the checks refuse it rather than skip it.
        headers: headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or("\u{fffd}").to_owned()))
            .collect(),
        body: body.to_vec(),
    };
    let answer = tokio::task::spawn_blocking(move || gateway.process_v3(&incoming, &faults)).await;
    let Ok(answer) = answer else { return crate::failed() };
    let mut response = (StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK), answer.body).into_response();
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(HeaderName::from_static(name), value);
        }
    }
    response
}

impl Gateway {
    fn process_v3(&self, incoming: &Incoming, faults: &[Fault]) -> V3Answer {
        self.apply_rotation(faults);
        let now_millis = self.clock.now().unix_secs().saturating_mul(1000);
        let trace_id = self.next_id(now_millis);
        let result = self.check_v3(incoming, now_millis).and_then(|method| {
            let body = String::from_utf8_lossy(&incoming.body);
            let checked = Checked { method, biz_content: Some(body), encrypted: false, params: None };
            if self.before_processing(&checked, faults).is_some() {
                return Err(busy());
            }
            if faults.contains(&Fault::UnsignedError) {
                return Ok(None);
            }
            let fields = trade::handle(&self.store, method, checked.biz_content.as_deref(), self.clock.now()).map_err(
                |failure| match failure {
                    Failure::Business { sub_code, sub_msg } => refuse(400, sub_code, sub_msg),
                    Failure::System(_) => busy(),
                },
            )?;
            Ok(Some(object_json(&fields)))
        });
        let mut answer = match result {
            Err(error) => error.answer(),
            // `unsigned-error`: nothing processed, a 200 without signature headers.
            Ok(None) => {
                V3Answer { status: 200, headers: vec![("content-type", JSON.to_owned())], body: b"{}".to_vec() }
            }
            Ok(Some(body)) => self.signed_v3(body, now_millis, faults),
        };
        answer.headers.push(("alipay-trace-id", trace_id));
        if faults.contains(&Fault::Truncated) {
            answer.body.truncate(answer.body.len() / 2);
        }
        answer
    }

    /// A 200 with `alipay-timestamp`, `alipay-nonce`, `alipay-signature` and, in certificate mode,
    /// `alipay-sn`.
    fn signed_v3(&self, body: String, now_millis: i64, faults: &[Fault]) -> V3Answer {
        let timestamp = now_millis.to_string();
        let nonce = self.next_id(now_millis);
        let mut body = body.into_bytes();
        let Some(key) = self.signing_key() else { return busy().answer() };
        let Ok(signature) = key.key.sign(SignType::Rsa2, &v3_response_sign_content(&timestamp, &nonce, &body)) else {
            return busy().answer();
        };
        let mut signature = base64::engine::general_purpose::STANDARD.encode(signature);
        if faults.contains(&Fault::BadSignature) {
            // Still base64, another signature.
            let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
            signature = std::iter::once(flipped).chain(signature.chars().skip(1)).collect();
        }
        if faults.contains(&Fault::Tampered) {
            super::bump_last_digit(&mut body);
        }
        let mut headers = vec![
            ("content-type", JSON.to_owned()),
            ("alipay-timestamp", timestamp),
            ("alipay-nonce", nonce),
            ("alipay-signature", signature),
        ];
        if let Some((sn, _)) = &key.cert {
            headers.push(("alipay-sn", sn.clone()));
        }
        V3Answer { status: 200, headers, body }
    }

    /// Unique within this gateway: the time and a counter, in hex.
    fn next_id(&self, now_millis: i64) -> String {
        format!("{now_millis:x}{:08x}", self.sequence.fetch_add(1, Ordering::Relaxed))
    }

    /// The checks, in order; gives the v2 method the path stands for.
    fn check_v3(&self, incoming: &Incoming, now_millis: i64) -> Result<&'static str, V3Error> {
        let path = incoming.path_with_query.split('?').next().unwrap_or_default();
        let method = method_of(path).ok_or_else(|| refuse(404, "not-found", "no such v3 path here"))?;
        if !incoming.all("alipay-encrypt-type").is_empty() {
            return Err(refuse(400, "invalid-encrypt-type", "this local gateway takes v3 requests in plain JSON only"));
        }
        let auth = Authorization::parse(&incoming.all("authorization"))?;
        if auth.get("app_id") != Some(self.app_id.as_str()) {
            return Err(refuse(401, "invalid-app-id", "the app_id is not the app this gateway knows"));
        }
        if let Some(checks) = &self.certificate_checks {
            if auth.get("app_cert_sn") != Some(checks.app_cert_sn.as_str()) {
                return Err(refuse(401, "invalid-app-cert-sn", "app_cert_sn is not the app certificate's"));
            }
            if incoming.all("alipay-root-cert-sn") != [checks.alipay_root_cert_sn.as_str()] {
                return Err(refuse(401, "invalid-alipay-root-cert-sn", "alipay-root-cert-sn is not the root bundle's"));
            }
        }
        let timestamp = auth.get("timestamp").unwrap_or_default();
        let sent = timestamp
            .parse::<i64>()
            .ok()
            .filter(|_| timestamp.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| refuse(401, "invalid-authorization", "timestamp is not a number of milliseconds"))?;
        if sent.abs_diff(now_millis) > WINDOW_MILLIS.unsigned_abs() {
            return Err(refuse(401, "invalid-timestamp", "timestamp is more than 10 minutes from the gateway's clock"));
        }
        let tokens = incoming.all("alipay-app-auth-token");
        let body = std::str::from_utf8(&incoming.body)
            .map_err(|_| refuse(400, "invalid-parameter", "the body is not UTF-8"))?;
        let content = v3_request_sign_content(
            &auth.unsigned,
            &incoming.http_method,
            &incoming.path_with_query,
            body,
            tokens.first().copied(),
        );
        let verified = tokens.len() <= 1
            && base64::engine::general_purpose::STANDARD
                .decode(auth.get("sign").unwrap_or_default())
                .is_ok_and(|signature| self.app_key.verify(SignType::Rsa2, content.as_bytes(), &signature).is_ok());
        if !verified {
            return Err(refuse(
                401,
                "invalid-signature",
                format!("the signature does not verify; the gateway's sign content was: {content:?}"),
            ));
        }
        let nonce = auth.get("nonce").unwrap_or_default();
        // Kept for two windows: a request may be dated up to one window ahead of the clock.
        let fresh = self.store.remember_nonce(nonce, now_millis, now_millis - 2 * WINDOW_MILLIS).map_err(|_| busy())?;
        if !fresh {
            return Err(refuse(401, "replayed-nonce", "this nonce was already used within the last 10 minutes"));
        }
        Ok(method)
    }
}

/// `ALIPAY-SHA256withRSA k=v,k=v,…,sign=…`, split into pairs.
struct Authorization {
    pairs: Vec<(String, String)>,
    /// The auth string as signed: every pair but `sign`, in the order sent.
    unsigned: String,
}

impl Authorization {
    fn parse(values: &[&str]) -> Result<Authorization, V3Error> {
        let malformed = |why: &str| refuse(401, "invalid-authorization", format!("authorization: {why}"));
        let [value] = values else {
            return Err(malformed(if values.is_empty() { "missing" } else { "sent more than once" }));
        };
        let rest = value
            .strip_prefix(V3_AUTH_SCHEME)
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or_else(|| malformed(&format!("must start with `{V3_AUTH_SCHEME} `")))?;
        if !rest.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(malformed("holds characters other than visible ASCII"));
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        for item in rest.split(',') {
            let (key, value) = item.split_once('=').ok_or_else(|| malformed("a pair has no `=`"))?;
            if key.is_empty() || pairs.iter().any(|(k, _)| k == key) {
                return Err(malformed("a key is empty or repeated"));
            }
            pairs.push((key.to_owned(), value.to_owned()));
        }
        let unsigned: Vec<&str> = rest.split(',').filter(|item| !item.starts_with("sign=")).collect();
        let auth = Authorization { unsigned: unsigned.join(","), pairs };
        for required in ["app_id", "nonce", "timestamp", "sign"] {
            if auth.get(required).is_none_or(str::is_empty) {
                return Err(malformed(&format!("`{required}` is missing")));
            }
        }
        Ok(auth)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<Authorization, V3Error>) -> &'static str {
        result.map(|_| "ok").unwrap_or_else(|e| e.code)
    }

    #[test]
    fn the_auth_string_is_what_was_sent_without_sign() {
        let auth =
            Authorization::parse(&["ALIPAY-SHA256withRSA nonce=n1,app_id=2021,timestamp=17,sign=ab+/c==,x=1"]).unwrap();
        assert_eq!(auth.unsigned, "nonce=n1,app_id=2021,timestamp=17,x=1");
        assert_eq!(auth.get("sign"), Some("ab+/c=="));
    }

    #[test]
    fn malformed_headers_are_refused_not_guessed() {
        let good = "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=1,sign=s";
        assert_eq!(code(Authorization::parse(&[good])), "ok");
        assert_eq!(code(Authorization::parse(&[])), "invalid-authorization");
        assert_eq!(code(Authorization::parse(&[good, good])), "invalid-authorization");
        for bad in [
            "Bearer app_id=1,nonce=n,timestamp=1,sign=s",
            "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=1",
            "ALIPAY-SHA256withRSA app_id=1,app_id=2,nonce=n,timestamp=1,sign=s",
            "ALIPAY-SHA256withRSA app_id=1,nonce,timestamp=1,sign=s",
            "ALIPAY-SHA256withRSA app_id=1,nonce=n\n,timestamp=1,sign=s",
            "ALIPAY-SHA256withRSA app_id=1,nonce=,timestamp=1,sign=s",
        ] {
            assert_eq!(code(Authorization::parse(&[bad])), "invalid-authorization", "{bad:?}");
        }
    }
}
