//! `alipay-local-gateway`: runs the local test gateway until interrupted. The first line of output
//! is `listening on http://127.0.0.1:PORT/gateway.do`, the second a JSON object with what a client
//! needs ([`alipay_local_gateway::ClientSettings`]), for scripts in any language to read.

use std::io::Write as _;
use std::process::ExitCode;

use alipay_local_gateway::{GatewayArgs, GatewayConfig};
use clap::Parser;

/// A local stand-in for the Alipay OpenAPI v2 gateway, for tests and development only.
/// It is not Alipay: it signs with a test key and keeps its state in SQLite.
#[derive(Debug, Parser)]
#[command(name = "alipay-local-gateway", version)]
struct Args {
    #[command(flatten)]
    gateway: GatewayArgs,
}

async fn run(config: GatewayConfig, settings: String) -> Result<(), String> {
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
    // Both lines in one write: a reader that closes the pipe after the first line must not make the
    // second fail. Nor does a closed stdout stop the gateway.
    let announcement = format!("listening on http://{addr}/gateway.do\n{settings}\n");
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(announcement.as_bytes()).and_then(|()| out.flush());
    drop(out);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args = Args::parse().gateway;
    let result = args.clone().into_config().and_then(|config| {
        let settings = args.describe(&config).map_err(|e| e.to_string())?;
        let settings = serde_json::to_string(&settings).map_err(|e| e.to_string())?;
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(run(config, settings))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            let _ = writeln!(std::io::stderr(), "alipay-local-gateway: {why}");
            ExitCode::FAILURE
        }
    }
}
