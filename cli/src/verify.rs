//! `verify-response` and `verify-notify`: verify saved messages with the core; on failure, say why.

use std::fmt::Write as _;
use std::path::PathBuf;

use alipay_openapi::{verify_response, AlipayPublicKey, Charset, NotifyParams, NotifyVersion, SignType};
use clap::Args;
use serde_json::{json, Value};

use crate::input;
use crate::output::{Failure, Report};
use crate::probe::{self, NotifyCheck, OtherKey, ResponseCheck};
use crate::request::{charset_arg, load_others, sign_type_arg};

/// The options both verify commands share.
#[derive(Debug, Args)]
pub struct VerifierArgs {
    /// The Alipay public key file (支付宝公钥)
    #[arg(long, value_name = "FILE")]
    pub alipay_key: PathBuf,
    /// The message charset, utf-8 or GBK (a notification's own `charset` field wins)
    #[arg(long, default_value = "utf-8")]
    pub charset: String,
    /// The app's sign type: RSA2 or RSA; no other hash is accepted
    #[arg(long, default_value = "RSA2")]
    pub sign_type: String,
    /// Another public key to test when the signature does not verify (repeatable)
    #[arg(long, value_name = "FILE")]
    pub other_key: Vec<PathBuf>,
}

struct Verifier {
    key: AlipayPublicKey,
    others: Vec<OtherKey>,
    charset: Charset,
    sign_type: SignType,
}

impl VerifierArgs {
    fn load(&self) -> Result<Verifier, Failure> {
        Ok(Verifier {
            key: input::public_key(&self.alipay_key, "Alipay public key")?,
            others: load_others(&self.other_key)?,
            charset: charset_arg(&self.charset)?,
            sign_type: sign_type_arg(&self.sign_type)?,
        })
    }
}

#[derive(Debug, Args)]
pub struct VerifyResponseArgs {
    /// The response body file, exactly as received (`-` for stdin)
    pub body: PathBuf,
    /// The method that was called, e.g. alipay.marketing.voucher.send
    #[arg(long)]
    pub method: String,
    #[command(flatten)]
    pub verifier: VerifierArgs,
}

pub fn response(args: &VerifyResponseArgs) -> Result<Report, Failure> {
    let Verifier { key, others, charset, sign_type } = args.verifier.load()?;
    let body = input::read_bytes(&args.body)?;
    match verify_response(&body, &args.method, charset, sign_type, &key) {
        Ok(verified) => {
            let mut text = format!(
                "verified: `{}` is signed by the Alipay key (fingerprint {})\n",
                verified.node_key(),
                key.fingerprint()
            );
            let _ = writeln!(text, "code={} msg={}", verified.code(), verified.msg());
            if let Some(sub_code) = verified.sub_code() {
                let _ = writeln!(text, "sub_code={sub_code} sub_msg={}", verified.sub_msg().unwrap_or_default());
                if sub_code == crate::diagnose::INVALID_SIGNATURE {
                    let _ = writeln!(text, "the gateway rejected the request's signature: run `alipay diagnose` with this answer and the request");
                }
            }
            let _ = writeln!(text, "{}", verified.node_text());
            Ok(Report::ok(
                text,
                json!({
                    "verified": true,
                    "node_key": verified.node_key(),
                    "is_success": verified.is_success(),
                    "code": verified.code(),
                    "msg": verified.msg(),
                    "sub_code": verified.sub_code(),
                    "sub_msg": verified.sub_msg(),
                    "alipay_cert_sn": verified.alipay_cert_sn(),
                    "response": Value::Object(verified.value().clone()),
                }),
            ))
        }
        Err(error) => {
            let check =
                ResponseCheck { body: &body, method: &args.method, charset, sign_type, key: &key, others: &others };
            let finding = probe::explain_response(&check, &error);
            let text = format!("rejected: {error}\n{}", finding.render());
            Ok(Report::rejected(
                text,
                json!({"verified": false, "error_code": error.code(), "finding": finding.to_json()}),
            ))
        }
    }
}

#[derive(Debug, Args)]
pub struct VerifyNotifyArgs {
    /// The notification's POST body (application/x-www-form-urlencoded), exactly as received (`-` for stdin)
    pub body: PathBuf,
    /// Verify as rsaCheckV2 (sign_type is signed) instead of rsaCheckV1
    #[arg(long)]
    pub v2: bool,
    #[command(flatten)]
    pub verifier: VerifierArgs,
}

pub fn notify(args: &VerifyNotifyArgs) -> Result<Report, Failure> {
    let Verifier { key, others, charset, sign_type } = args.verifier.load()?;
    let body = input::read_bytes(&args.body)?;
    let trimmed = body.trim_ascii_end();
    let params = NotifyParams::from_form(trimmed, charset).map_err(|e| Failure::from_core(&e, "the notification"))?;
    let version = if args.v2 { NotifyVersion::V2 } else { NotifyVersion::V1 };
    let result = params.clone().verify(version, sign_type, &key);
    match result {
        Ok(notification) => {
            let mut text =
                format!("verified: the notification is signed by the Alipay key (fingerprint {})\n", key.fingerprint());
            for (name, value) in notification.fields() {
                if name != "sign" {
                    let _ = writeln!(text, "  {name}={value}");
                }
            }
            Ok(Report::ok(
                text,
                json!({"verified": true, "charset": params.charset().as_str(), "fields": notification.fields()}),
            ))
        }
        Err(error) => {
            let check = NotifyCheck { params: &params, v2: args.v2, sign_type, key: &key, others: &others };
            let finding = probe::explain_notify(&check, &error);
            let text = format!("rejected: {error}\n{}", finding.render());
            Ok(Report::rejected(
                text,
                json!({"verified": false, "error_code": error.code(), "finding": finding.to_json()}),
            ))
        }
    }
}
