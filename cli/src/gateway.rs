//! `gateway`: run the local development gateway (crate `alipay-local-gateway`) in the foreground.
//!
//! The first line printed is `listening on <url>` (or, with `--json`, one JSON line), so scripts can
//! read the URL; the process serves until it is interrupted (Ctrl-C ends it).

use std::convert::Infallible;
use std::io::Write as _;

use clap::Args;
use serde_json::{json, Value};

use crate::output::Failure;

/// The gateway's own options; only the default port differs (`--gateway local` points to it).
#[derive(Debug, Args)]
#[group(skip)]
#[command(mut_arg("port", |port| port.default_value(LOCAL_GATEWAY_PORT_TEXT)))]
pub struct GatewayArgs {
    #[command(flatten)]
    pub gateway: alipay_local_gateway::GatewayArgs,
}

/// [`LOCAL_GATEWAY_PORT`](crate::request::LOCAL_GATEWAY_PORT) as clap's default takes it.
const LOCAL_GATEWAY_PORT_TEXT: &str = "8721";

/// Starts the gateway and serves until the process is interrupted: it only returns on failure.
pub fn run(args: &GatewayArgs, as_json: bool) -> Result<Infallible, Failure> {
    let args = &args.gateway;
    let config = args.clone().into_config().map_err(|why| {
        Failure::bad_input("unreadable_input", why, "check the paths and files given to `alipay gateway`")
    })?;
    // Checked before starting, so that a wrong key or certificate is reported with the CLI's messages and fixes.
    let settings = args.describe(&config).map_err(|e| Failure::from_core(&e.error, e.option))?;
    let running = alipay_local_gateway::spawn(config).map_err(|e| {
        Failure::bad_input(
            "gateway_start_failed",
            format!("the local gateway could not start on {}:{}: {e}", args.host, args.port),
            "choose another --port (0 picks a free one), or stop the program using this one",
        )
    })?;
    let url = running.url();
    let text = if as_json {
        let mut line = json!({ "status": "listening", "url": url });
        if let (Some(line), Ok(Value::Object(settings))) = (line.as_object_mut(), serde_json::to_value(&settings)) {
            line.extend(settings);
        }
        format!("{line}\n")
    } else {
        let cert_mode = settings.cert_mode.as_ref().map_or_else(String::new, |c| {
            format!(
                "certificate mode: app_cert_sn {}, alipay_root_cert_sn {}, answers carry alipay_cert_sn {}\n",
                c.app_cert_sn, c.alipay_root_cert_sn, c.alipay_cert_sn
            )
        });
        format!(
            "listening on {url}\n\
             a local test gateway, not Alipay: it signs with a test key\n\
             app_id {}: requests must be signed by the key with fingerprint {}\n\
             answers verify with this public key (save it for --alipay-key):\n{}\n{cert_mode}{}\
             stop with Ctrl-C\n",
            settings.app_id,
            settings.app_public_key_fingerprint,
            settings.gateway_public_key,
            if settings.aes { "encrypt_type=AES is accepted\n" } else { "" }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::LOCAL_GATEWAY_PORT;

    #[test]
    fn the_default_port_is_the_local_gateway_port() {
        assert_eq!(LOCAL_GATEWAY_PORT_TEXT.parse::<u16>().ok(), Some(LOCAL_GATEWAY_PORT));
    }
}
