//! `cert-sn`: the serial-number strings of public-key-certificate mode (docs/PROTOCOL.md §5), computed by
//! the core: `app_cert_sn` (the app certificate), `alipay_root_cert_sn` (the root bundle) and the
//! SN of any certificate (e.g. the Alipay public certificate, to compare with a response's
//! `alipay_cert_sn`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use alipay_openapi::cert;
use clap::Args;
use serde_json::{json, Map, Value};

use crate::input;
use crate::output::{Failure, Report};

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("certs").required(true).multiple(true)))]
pub struct CertSnArgs {
    /// The app certificate (appCertPublicKey_APPID.crt): prints app_cert_sn
    #[arg(long, value_name = "FILE", group = "certs")]
    pub app_cert: Option<PathBuf>,
    /// The Alipay root bundle (alipayRootCert.crt): prints alipay_root_cert_sn
    #[arg(long, value_name = "FILE", group = "certs")]
    pub root_cert: Option<PathBuf>,
    /// Any certificate PEM file (e.g. alipayCertPublicKey_RSA2.crt): prints the SN of its first certificate
    #[arg(long, value_name = "FILE", group = "certs")]
    pub cert: Vec<PathBuf>,
}

fn sn_of(path: &Path, compute: fn(&str) -> alipay_openapi::Result<String>) -> Result<String, Failure> {
    let pem = input::read_text(path, "certificate")?;
    compute(&pem).map_err(|e| Failure::from_core(&e, &format!("certificate `{}`", path.display())))
}

pub fn run(args: &CertSnArgs) -> Result<Report, Failure> {
    let mut text = String::new();
    let mut summary = Map::new();
    if let Some(path) = &args.app_cert {
        let sn = sn_of(path, cert::cert_sn)?;
        let _ = writeln!(text, "app_cert_sn          {sn}  ({})", path.display());
        summary.insert("app_cert_sn".to_owned(), Value::from(sn));
    }
    if let Some(path) = &args.root_cert {
        let sn = sn_of(path, cert::root_cert_sn)?;
        let _ = writeln!(text, "alipay_root_cert_sn  {sn}  ({})", path.display());
        summary.insert("alipay_root_cert_sn".to_owned(), Value::from(sn));
    }
    let mut certs = Vec::new();
    for path in &args.cert {
        let sn = sn_of(path, cert::cert_sn)?;
        let _ = writeln!(text, "cert_sn              {sn}  ({})", path.display());
        certs.push(json!({"file": path.display().to_string(), "sn": sn}));
    }
    if !certs.is_empty() {
        summary.insert("certs".to_owned(), Value::Array(certs));
    }
    Ok(Report::ok(text, Value::Object(summary)))
}
