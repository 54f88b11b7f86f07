//! `alipay-local-gateway`: runs the local test gateway until interrupted. The first line of output
//! is `listening on http://127.0.0.1:PORT/gateway.do`, for scripts in any language to read.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use alipay_local_gateway::{Database, Fault, Fixtures, GatewayConfig};
use clap::Parser;

/// A local stand-in for the Alipay OpenAPI v2 gateway, for tests and development only.
/// It is not Alipay: it signs with a test key and keeps its state in SQLite.
#[derive(Debug, Parser)]
#[command(name = "alipay-local-gateway", version)]
struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// SQLite file for state, or `:memory:`.
    #[arg(long, default_value = ":memory:")]
    db: String,
    /// The app id the gateway accepts.
    #[arg(long, default_value = alipay_local_gateway::TEST_APP_ID)]
    app_id: String,
    /// File with the app's public key (PEM or bare base64); default: the test app key.
    #[arg(long)]
    app_public_key: Option<PathBuf>,
    /// File with the key the gateway signs with; default: the test "Alipay" key.
    #[arg(long)]
    gateway_private_key: Option<PathBuf>,
    /// JSON file with {"templates": [...], "users": [...], "tickets": [...]} replacing the defaults.
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Faults for every request, e.g. `delay=200,fail-first=1` (repeatable).
    #[arg(long = "fault")]
    faults: Vec<String>,
    /// Largest accepted distance between a request's `timestamp` and the clock, in seconds;
    /// 0 accepts any well-formed timestamp.
    #[arg(long, default_value_t = 1800)]
    timestamp_tolerance: u64,
}

fn read(path: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn config(args: Args) -> Result<GatewayConfig, String> {
    let mut config = GatewayConfig {
        bind: SocketAddr::new(args.host, args.port),
        database: Database::from_arg(&args.db),
        app_id: args.app_id,
        timestamp_tolerance: (args.timestamp_tolerance > 0).then(|| Duration::from_secs(args.timestamp_tolerance)),
        ..GatewayConfig::default()
    };
    if let Some(path) = &args.app_public_key {
        config.app_public_key = read(path)?;
    }
    if let Some(path) = &args.gateway_private_key {
        config.gateway_private_key = read(path)?;
    }
    if let Some(path) = &args.fixtures {
        config.fixtures = serde_json::from_str::<Fixtures>(&read(path)?)
            .map_err(|e| format!("{}: not a fixtures file: {e}", path.display()))?;
    }
    for list in &args.faults {
        config.faults.extend(Fault::parse_list(list)?);
    }
    Ok(config)
}

async fn run(config: GatewayConfig) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let shutdown = async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    };
    let app = alipay_local_gateway::router(&config).map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{addr}/gateway.do").and_then(|()| out.flush()).map_err(|e| e.to_string())?;
    drop(out);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let result = config(Args::parse()).and_then(|config| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(run(config))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            let _ = writeln!(std::io::stderr(), "alipay-local-gateway: {why}");
            ExitCode::FAILURE
        }
    }
}
