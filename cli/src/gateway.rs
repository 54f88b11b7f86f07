//! `gateway`: run the local development gateway (crate `alipay-local-gateway`) in the foreground.
//!
//! The first line printed is `listening on <url>` (or, with `--json`, one JSON line), so scripts can
//! read the URL; the process serves until it is interrupted (Ctrl-C ends it).

use std::convert::Infallible;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use alipay_local_gateway::{Database, GatewayConfig};
use alipay_openapi::keys::role::{Alipay, App};
use alipay_openapi::{PrivateKey, PublicKey};
use base64::Engine as _;
use clap::Args;
use serde_json::json;

use crate::input;
use crate::output::Failure;
use crate::request::LOCAL_GATEWAY_PORT;

#[derive(Debug, Args)]
pub struct GatewayArgs {
    /// Port to listen on; 0 picks a free one
    #[arg(long, default_value_t = LOCAL_GATEWAY_PORT)]
    pub port: u16,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// SQLite file for the gateway's state, or `:memory:`
    #[arg(long, default_value = ":memory:")]
    pub db: String,
    /// The app id the gateway accepts
    #[arg(long, default_value = alipay_local_gateway::TEST_APP_ID)]
    pub app_id: String,
    /// The app public key file the gateway verifies requests with (default: the test app key)
    #[arg(long, value_name = "FILE")]
    pub app_public_key: Option<PathBuf>,
    /// The private key file the gateway signs answers with (default: the test "Alipay" key)
    #[arg(long, value_name = "FILE")]
    pub gateway_private_key: Option<PathBuf>,
    /// Largest accepted distance between a request's timestamp and the clock, in seconds; 0 accepts any
    #[arg(long, default_value_t = 1800)]
    pub timestamp_tolerance: u64,
}

fn key_text(path: &std::path::Path) -> Result<String, Failure> {
    input::read_text(path, "key file")
}

/// Starts the gateway and serves until the process is interrupted: it only returns on failure.
pub fn run(args: &GatewayArgs, as_json: bool) -> Result<Infallible, Failure> {
    let mut config = GatewayConfig {
        bind: SocketAddr::new(args.host, args.port),
        database: Database::from_arg(&args.db),
        app_id: args.app_id.clone(),
        timestamp_tolerance: (args.timestamp_tolerance > 0).then(|| Duration::from_secs(args.timestamp_tolerance)),
        ..GatewayConfig::default()
    };
    if let Some(path) = &args.app_public_key {
        config.app_public_key = key_text(path)?;
    }
    if let Some(path) = &args.gateway_private_key {
        config.gateway_private_key = key_text(path)?;
    }
    // Checked here too, so that a wrong key is reported with the CLI's messages and fixes.
    let app_key =
        PublicKey::<App>::parse(&config.app_public_key).map_err(|e| Failure::from_core(&e, "--app-public-key"))?;
    let gateway_key = PrivateKey::<Alipay>::parse(&config.gateway_private_key)
        .map_err(|e| Failure::from_core(&e, "--gateway-private-key"))?;
    let gateway_public = base64::engine::general_purpose::STANDARD.encode(gateway_key.public_key().spki_der());
    let running = alipay_local_gateway::spawn(config).map_err(|e| {
        Failure::bad_input(
            "gateway_start_failed",
            format!("the local gateway could not start on {}:{}: {e}", args.host, args.port),
            "choose another --port (0 picks a free one), or stop the program using this one",
        )
    })?;
    let url = running.url();
    let text = if as_json {
        format!(
            "{}\n",
            json!({
                "status": "listening",
                "url": url,
                "app_id": args.app_id,
                "app_public_key_fingerprint": app_key.fingerprint(),
                "gateway_public_key": gateway_public,
            })
        )
    } else {
        format!(
            "listening on {url}\n\
             a local test gateway, not Alipay: it signs with a test key\n\
             app_id {}: requests must be signed by the key with fingerprint {}\n\
             answers verify with this public key (save it for --alipay-key):\n{gateway_public}\n\
             stop with Ctrl-C\n",
            args.app_id,
            app_key.fingerprint()
        )
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
    drop(stdout);
    // Serve until interrupted: the gateway runs on its own thread; SIGINT/SIGTERM end the process.
    loop {
        std::thread::park();
    }
}
