//! The gateway's command-line options, shared by the `alipay-local-gateway` binary and the CLI's
//! `alipay gateway`, and the settings a client in any language needs to talk to it.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use alipay_openapi::keys::role;
use alipay_openapi::{cert, AesKey, AppCertificate, PrivateKey, PublicKey};
use base64::Engine as _;

use crate::config::{Certificates, Database, Fixtures, GatewayConfig, TEST_APP_ID};
use crate::fault::Fault;

/// The files behind the defaults, relative to the repository root (the defaults themselves are
/// compiled in, so the binary runs anywhere).
const TEST_APP_PRIVATE_KEY_FILE: &str = "tests/vectors/keys/app_2048.private.pkcs1.pem";
const TEST_APP_CERT_FILE: &str = "tests/vectors/certs/generated/app_cert.pem";
const TEST_ALIPAY_CERT_FILE: &str = "tests/vectors/certs/generated/alipay_cert.pem";
const TEST_ROOT_CERT_FILE: &str = "tests/vectors/certs/generated/root_bundle.pem";
const TEST_NEXT_ALIPAY_CERT_FILE: &str = "tests/vectors/certs/generated/alipay_cert_new.pem";

/// How the gateway is started from a command line. [`into_config`](Self::into_config) reads the
/// files; [`describe`](Self::describe) checks the keys and certificates and says what a client
/// needs.
#[derive(Debug, Clone, clap::Args)]
pub struct GatewayArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// SQLite file for the gateway's state, or `:memory:`.
    #[arg(long, default_value = ":memory:")]
    pub db: String,
    /// The app id the gateway accepts.
    #[arg(long, default_value = TEST_APP_ID)]
    pub app_id: String,
    /// The app's public key (PEM or bare base64) the gateway verifies requests with; default: the
    /// test app key. Not used in certificate mode (the app certificate's key is).
    #[arg(long, value_name = "FILE")]
    pub app_public_key: Option<PathBuf>,
    /// The private key the gateway signs answers with; default: the test "Alipay" key (the key of
    /// the default --alipay-cert).
    #[arg(long, value_name = "FILE")]
    pub gateway_private_key: Option<PathBuf>,
    /// JSON file with {"templates": [...], "users": [...], "tickets": [...]} replacing the defaults.
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// Faults for every request, e.g. `delay=200,fail-first=1` (repeatable).
    #[arg(long = "fault", value_name = "LIST")]
    pub faults: Vec<String>,
    /// Largest accepted distance between a request's `timestamp` and the clock, in seconds; 0
    /// accepts any well-formed timestamp.
    #[arg(long, default_value_t = 1800, value_name = "SECS")]
    pub timestamp_tolerance: u64,
    /// Certificate mode (公钥证书模式): requests must carry app_cert_sn and alipay_root_cert_sn,
    /// answers carry alipay_cert_sn, and alipay.open.app.alipaycert.download is served. The
    /// certificates default to the generated test chain in tests/vectors/certs/generated.
    #[arg(long)]
    pub cert_mode: bool,
    /// The app certificate (PEM); default: app_cert.pem of the test chain.
    #[arg(long, value_name = "FILE", requires = "cert_mode")]
    pub app_cert: Option<PathBuf>,
    /// The Alipay certificate chain (PEM) of --gateway-private-key; default: alipay_cert.pem.
    #[arg(long, value_name = "FILE", requires = "cert_mode")]
    pub alipay_cert: Option<PathBuf>,
    /// The root bundle (PEM); default: root_bundle.pem.
    #[arg(long, value_name = "FILE", requires = "cert_mode")]
    pub root_cert: Option<PathBuf>,
    /// The certificate chain (PEM) the gateway switches to on the `rotate-cert` fault; default:
    /// alipay_cert_new.pem with the test key other_2048.
    #[arg(long, value_name = "FILE", requires_all = ["cert_mode", "next_gateway_private_key"])]
    pub next_alipay_cert: Option<PathBuf>,
    /// The private key of --next-alipay-cert.
    #[arg(long, value_name = "FILE", requires = "next_alipay_cert")]
    pub next_gateway_private_key: Option<PathBuf>,
    /// The app's AES content-encryption key (base64), enabling encrypt_type=AES; the test key is in
    /// tests/vectors/protocol-examples/aes_key.txt.
    #[arg(long, value_name = "BASE64")]
    pub aes_key: Option<String>,
    /// Waits in milliseconds before each re-delivery of a notification not answered `success`,
    /// e.g. `50,50` (three deliveries at most); default: Alipay's schedule, 4m to 15h, eight in all.
    #[arg(long, value_name = "MS,MS,...", value_delimiter = ',')]
    pub notify_retry_ms: Option<Vec<u64>>,
    /// How long one notification delivery may take, in milliseconds.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    pub notify_timeout_ms: u64,
}

/// A key or certificate the gateway cannot start with, and the option it came from.
#[derive(Debug)]
pub struct SettingError {
    /// The option, e.g. `--gateway-private-key`.
    pub option: &'static str,
    /// What is wrong with it.
    pub error: alipay_openapi::Error,
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.option, self.error)
    }
}

impl std::error::Error for SettingError {}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The file's text, or `default` without a file.
fn read_or(path: Option<&PathBuf>, default: &str) -> Result<String, String> {
    path.map_or_else(|| Ok(default.to_owned()), |path| read(path))
}

/// The path as given, or the default's file in the repository.
fn shown(path: Option<&PathBuf>, default: &str) -> String {
    path.map_or_else(|| default.to_owned(), |path| path.display().to_string())
}

impl GatewayArgs {
    /// The configuration: the files read, the defaults filled in. Keys and certificates are
    /// checked by [`describe`](Self::describe) and when the gateway starts.
    pub fn into_config(self) -> Result<GatewayConfig, String> {
        let defaults = GatewayConfig::default();
        let mut config = GatewayConfig {
            bind: SocketAddr::new(self.host, self.port),
            database: Database::from_arg(&self.db),
            app_id: self.app_id,
            app_public_key: read_or(self.app_public_key.as_ref(), &defaults.app_public_key)?,
            gateway_private_key: read_or(self.gateway_private_key.as_ref(), &defaults.gateway_private_key)?,
            timestamp_tolerance: (self.timestamp_tolerance > 0).then(|| Duration::from_secs(self.timestamp_tolerance)),
            aes_key: self.aes_key,
            notify_retry: match self.notify_retry_ms {
                Some(list) => list.into_iter().map(Duration::from_millis).collect(),
                None => defaults.notify_retry.clone(),
            },
            notify_timeout: Duration::from_millis(self.notify_timeout_ms),
            ..defaults
        };
        if let Some(path) = &self.fixtures {
            config.fixtures = serde_json::from_str::<Fixtures>(&read(path)?)
                .map_err(|e| format!("{}: not a fixtures file: {e}", path.display()))?;
        }
        for list in &self.faults {
            config.faults.extend(Fault::parse_list(list)?);
        }
        if self.cert_mode {
            let test = Certificates::default();
            let next = match (&self.next_alipay_cert, &self.next_gateway_private_key) {
                (Some(cert), Some(key)) => Some((read(cert)?, read(key)?)),
                _ => test.next,
            };
            config.certificates = Some(Certificates {
                app_cert: read_or(self.app_cert.as_ref(), &test.app_cert)?,
                root_cert: read_or(self.root_cert.as_ref(), &test.root_cert)?,
                alipay_cert: read_or(self.alipay_cert.as_ref(), &test.alipay_cert)?,
                next,
            });
        }
        Ok(config)
    }

    /// What a client needs (see [`ClientSettings`]). Checks every key and certificate of `config`
    /// (which came from [`into_config`](Self::into_config)).
    pub fn describe(&self, config: &GatewayConfig) -> Result<ClientSettings, SettingError> {
        let setting = |option: &'static str| move |error| SettingError { option, error };
        let gateway_key =
            PrivateKey::<role::Alipay>::parse(&config.gateway_private_key).map_err(setting("--gateway-private-key"))?;
        let (app_key, cert_mode, default_app_key) = match &config.certificates {
            None => {
                let key = PublicKey::<role::App>::parse(&config.app_public_key).map_err(setting("--app-public-key"))?;
                (key, None, self.app_public_key.is_none())
            }
            Some(certificates) => {
                let app_cert = AppCertificate::from_pem(&certificates.app_cert).map_err(setting("--app-cert"))?;
                let next_alipay_cert_sn = match &certificates.next {
                    None => None,
                    Some((pem, _)) => Some(cert::cert_sn(pem).map_err(setting("--next-alipay-cert"))?),
                };
                let described = CertificateSettings {
                    app_cert: shown(self.app_cert.as_ref(), TEST_APP_CERT_FILE),
                    alipay_cert: shown(self.alipay_cert.as_ref(), TEST_ALIPAY_CERT_FILE),
                    alipay_root_cert: shown(self.root_cert.as_ref(), TEST_ROOT_CERT_FILE),
                    next_alipay_cert: next_alipay_cert_sn
                        .as_ref()
                        .map(|_| shown(self.next_alipay_cert.as_ref(), TEST_NEXT_ALIPAY_CERT_FILE)),
                    app_cert_sn: app_cert.sn().to_owned(),
                    alipay_root_cert_sn: cert::root_cert_sn(&certificates.root_cert).map_err(setting("--root-cert"))?,
                    alipay_cert_sn: cert::cert_sn(&certificates.alipay_cert).map_err(setting("--alipay-cert"))?,
                    next_alipay_cert_sn,
                };
                (app_cert.public_key().clone(), Some(described), self.app_cert.is_none())
            }
        };
        if let Some(key) = &config.aes_key {
            AesKey::from_base64(key).map_err(setting("--aes-key"))?;
        }
        Ok(ClientSettings {
            app_id: config.app_id.clone(),
            app_private_key: default_app_key.then(|| TEST_APP_PRIVATE_KEY_FILE.to_owned()),
            app_public_key_fingerprint: app_key.fingerprint(),
            gateway_public_key: base64::engine::general_purpose::STANDARD.encode(gateway_key.public_key().spki_der()),
            cert_mode,
            aes: config.aes_key.is_some(),
        })
    }
}

/// What a client needs to talk to a gateway started from [`GatewayArgs`]; the binary prints it as
/// one JSON object on its second line. File paths are as given on the command line, or relative to
/// the repository root for the defaults.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClientSettings {
    /// The app id the gateway accepts.
    pub app_id: String,
    /// The file of the app private key whose public half the gateway holds, when that is the test
    /// key (`None` when `--app-public-key` or `--app-cert` was given).
    pub app_private_key: Option<String>,
    /// The fingerprint of the app public key the gateway verifies requests with.
    pub app_public_key_fingerprint: String,
    /// Base64 SPKI of the key the gateway signs answers with (at start, in certificate mode).
    pub gateway_public_key: String,
    /// Certificate mode, if on.
    pub cert_mode: Option<CertificateSettings>,
    /// Whether `encrypt_type=AES` is accepted (the key is the one given with `--aes-key`).
    pub aes: bool,
}

/// The certificate files and SNs of a gateway in certificate mode.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertificateSettings {
    /// The app certificate file.
    pub app_cert: String,
    /// The Alipay certificate chain file the gateway signs with at start.
    pub alipay_cert: String,
    /// The root bundle file.
    pub alipay_root_cert: String,
    /// The chain the gateway switches to on the `rotate-cert` fault, if any.
    pub next_alipay_cert: Option<String>,
    /// The `app_cert_sn` requests must carry.
    pub app_cert_sn: String,
    /// The `alipay_root_cert_sn` requests must carry.
    pub alipay_root_cert_sn: String,
    /// The `alipay_cert_sn` of answers at start.
    pub alipay_cert_sn: String,
    /// The `alipay_cert_sn` of answers after `rotate-cert`.
    pub next_alipay_cert_sn: Option<String>,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::config::{TEST_ALIPAY_CERT, TEST_APP_CERT, TEST_APP_PRIVATE_KEY, TEST_NEXT_ALIPAY_CERT, TEST_ROOT_CERT};

    #[derive(Debug, Parser)]
    struct Command {
        #[command(flatten)]
        gateway: GatewayArgs,
    }

    fn parse(args: &[&str]) -> Result<GatewayArgs, clap::Error> {
        Command::try_parse_from(std::iter::once("gateway").chain(args.iter().copied())).map(|c| c.gateway)
    }

    #[test]
    fn the_files_named_for_the_defaults_are_the_compiled_in_defaults() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let cases = [
            (TEST_APP_PRIVATE_KEY_FILE, TEST_APP_PRIVATE_KEY),
            (TEST_APP_CERT_FILE, TEST_APP_CERT),
            (TEST_ALIPAY_CERT_FILE, TEST_ALIPAY_CERT),
            (TEST_ROOT_CERT_FILE, TEST_ROOT_CERT),
            (TEST_NEXT_ALIPAY_CERT_FILE, TEST_NEXT_ALIPAY_CERT),
        ];
        for (file, compiled_in) in cases {
            assert_eq!(std::fs::read_to_string(repo.join(file)).unwrap(), compiled_in, "{file}");
        }
        let aes_key = std::fs::read_to_string(repo.join("tests/vectors/protocol-examples/aes_key.txt")).unwrap();
        assert_eq!(aes_key.trim(), crate::config::TEST_AES_KEY);
    }

    #[test]
    fn cert_mode_and_aes_from_flags() {
        let args = parse(&["--cert-mode", "--aes-key", crate::config::TEST_AES_KEY, "--fault", "delay=5"]).unwrap();
        let config = args.clone().into_config().unwrap();
        assert_eq!(config.certificates, Some(Certificates::default()));
        assert_eq!(config.faults, vec![Fault::Delay(Duration::from_millis(5))]);
        let described = args.describe(&config).unwrap();
        let cert_mode = described.cert_mode.unwrap();
        assert_eq!(cert_mode.app_cert_sn, "53ebe4458af21bbb7593bec0c9257983");
        assert_eq!(cert_mode.alipay_cert_sn, "07e15c749b8f2f3bc15a28ed42842a0d");
        assert_eq!(cert_mode.next_alipay_cert_sn.as_deref(), Some("8f0288df4e6850941ea8f7656f472b54"));
        assert_eq!(cert_mode.alipay_root_cert_sn, "bad7519667cd8131a2532b29dbf163c6_b34b8a5a634056e493038f96e776f111");
        assert_eq!(cert_mode.alipay_root_cert, TEST_ROOT_CERT_FILE);
        assert_eq!(described.app_private_key.as_deref(), Some(TEST_APP_PRIVATE_KEY_FILE));
        assert!(described.aes);
        let notify =
            parse(&["--notify-retry-ms", "50,75", "--notify-timeout-ms", "300"]).unwrap().into_config().unwrap();
        assert_eq!(notify.notify_retry, vec![Duration::from_millis(50), Duration::from_millis(75)]);
        assert_eq!(notify.notify_timeout, Duration::from_millis(300));
        assert_eq!(config.notify_retry.len(), 7);
    }

    #[test]
    fn plain_defaults_and_refusals() {
        let args = parse(&[]).unwrap();
        let config = args.clone().into_config().unwrap();
        assert!(config.certificates.is_none() && config.aes_key.is_none());
        let described = args.describe(&config).unwrap();
        assert_eq!((described.cert_mode, described.aes), (None, false));
        // Certificate files need --cert-mode; the next certificate needs its key.
        assert!(parse(&["--app-cert", "x.pem"]).is_err());
        assert!(parse(&["--cert-mode", "--next-alipay-cert", "x.pem"]).is_err());
        let args = parse(&["--aes-key", "not base64!"]).unwrap();
        let error = args.describe(&args.clone().into_config().unwrap()).unwrap_err();
        assert_eq!((error.option, error.error.code()), ("--aes-key", "aes_error"));
        assert!(parse(&["--app-public-key", "/nonexistent/key.pem"]).unwrap().into_config().is_err());
    }
}
