//! What a command hands back, how it is printed (for people, or as JSON with `--json`), and the
//! exit codes.
//!
//! Exit codes: 0 verified (or done), 1 rejected (a signature or verification failure, or a gateway
//! error answer), 2 bad input (arguments, files, keys or parameters the tool cannot use), 3 the
//! gateway could not be reached.

use std::fmt;
use std::io::Write as _;
use std::process::ExitCode;

use serde_json::{json, Value};

/// The result of a command that ran to the end.
#[derive(Debug)]
pub struct Report {
    pub rejected: bool,
    /// The human-readable text, already laid out.
    pub text: String,
    /// The same facts for programs; `status` is added when printed.
    pub json: Value,
}

impl Report {
    pub fn ok(text: String, json: Value) -> Self {
        Report { rejected: false, text, json }
    }

    pub fn rejected(text: String, json: Value) -> Self {
        Report { rejected: true, text, json }
    }
}

/// Why a command could not run to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    BadInput,
    Unreachable,
}

/// A failure with the problem and its fix; never carries key material.
#[derive(Debug)]
pub struct Failure {
    pub kind: FailureKind,
    /// A stable identifier: the core's error code, or one of the CLI's own.
    pub code: String,
    pub message: String,
    pub fix: String,
}

impl Failure {
    pub fn bad_input(code: &str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Failure { kind: FailureKind::BadInput, code: code.to_owned(), message: message.into(), fix: fix.into() }
    }

    /// A core error about the user's input, with the fix for its code.
    pub fn from_core(error: &alipay_openapi::Error, what: &str) -> Self {
        use alipay_openapi::Error;
        let fix = match error {
            Error::InvalidKey { .. } => {
                "pass the key file Alipay's console or `alipay keygen` gave you: PEM or bare base64, PKCS#1 or PKCS#8 for \
                 a private key, SubjectPublicKeyInfo for a public key; `alipay key inspect FILE` shows what a file holds"
            }
            Error::UnsupportedKeySize { .. } => "generate a 2048-bit key with `alipay keygen` and upload its public key",
            Error::InvalidField { .. } => "correct the named parameter and run the command again",
            Error::Unencodable { .. } => "use --charset utf-8, or remove the characters GBK cannot represent",
            Error::Undecodable { .. } => "pass the charset the bytes are really in with --charset",
            Error::UnsupportedCharset(_) => "use --charset utf-8 or --charset GBK",
            Error::UnsupportedSignType(_) => "use --sign-type RSA2 (or RSA for legacy SHA-1 apps)",
            Error::MalformedNotification(_) => "pass the notification's POST body exactly as received (form-encoded)",
            Error::InvalidCertificate(_) => {
                "pass the PEM certificate files (.crt) downloaded from the console for certificate mode"
            }
            _ => "check the input named above",
        };
        Failure {
            kind: FailureKind::BadInput,
            code: error.code().to_owned(),
            message: format!("{what}: {error}"),
            fix: fix.to_owned(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

pub const EXIT_VERIFIED: u8 = 0;
pub const EXIT_REJECTED: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_UNREACHABLE: u8 = 3;

/// Prints the outcome and turns it into the process exit code.
pub fn finish(outcome: Result<Report, Failure>, as_json: bool) -> ExitCode {
    let (stdout_text, stderr_text, code) = match outcome {
        Ok(report) => {
            let code = if report.rejected { EXIT_REJECTED } else { EXIT_VERIFIED };
            if as_json {
                let mut value = report.json;
                if let Value::Object(map) = &mut value {
                    let status = if report.rejected { "rejected" } else { "ok" };
                    map.insert("status".to_owned(), Value::from(status));
                }
                (format!("{value:#}\n"), String::new(), code)
            } else {
                (report.text, String::new(), code)
            }
        }
        Err(failure) => {
            let (code, status) = match failure.kind {
                FailureKind::BadInput => (EXIT_BAD_INPUT, "bad_input"),
                FailureKind::Unreachable => (EXIT_UNREACHABLE, "unreachable"),
            };
            let human = format!("error: {}\n  fix: {}\n", failure.message, failure.fix);
            if as_json {
                let value = json!({
                    "status": status,
                    "error": {"code": failure.code, "message": failure.message, "fix": failure.fix},
                });
                (format!("{value:#}\n"), human, code)
            } else {
                (String::new(), human, code)
            }
        }
    };
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(stdout_text.as_bytes());
    let _ = std::io::stderr().lock().write_all(stderr_text.as_bytes());
    ExitCode::from(code)
}
