//! `ALIPAY_GATEWAY=<url> [PORT=3000] [PUBLIC_URL=...] cargo run -p alipay-recipe-axum`
//!
//! Without `ALIPAY_APP_PRIVATE_KEY` / `ALIPAY_PUBLIC_KEY` (PEM text) it uses the repository's test
//! keys, which only the local test gateway accepts.

use std::io::Write as _;
use std::sync::Arc;

use alipay_openapi::ClientOptions;
use alipay_recipe_axum::{router, Shop};
use serde_json::json;

const TEST_APP_KEY: &str = include_str!("../../../../tests/vectors/keys/app_2048.private.pkcs1.pem");
const TEST_ALIPAY_KEY: &str = include_str!("../../../../tests/vectors/keys/alipay_2048.public.spki.pem");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).ok();
    let gateway = env("ALIPAY_GATEWAY").ok_or("set ALIPAY_GATEWAY to the gateway URL (e.g. the local test gateway)")?;
    let client = ClientOptions::from_value(&json!({
        "app_id": env("ALIPAY_APP_ID").unwrap_or_else(|| "2021000000000001".into()),
        "private_key": env("ALIPAY_APP_PRIVATE_KEY").unwrap_or_else(|| TEST_APP_KEY.into()),
        "alipay_public_key": env("ALIPAY_PUBLIC_KEY").unwrap_or_else(|| TEST_ALIPAY_KEY.into()),
        "gateway": gateway,
    }))?
    .build()?;
    let port: u16 = env("PORT").map_or(Ok(3000), |port| port.parse())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let bound = format!("http://{}", listener.local_addr()?);
    let shop = Arc::new(Shop::new(client, env("PUBLIC_URL").unwrap_or_else(|| bound.clone())));
    writeln!(std::io::stdout(), "listening on {bound}")?;
    axum::serve(listener, router(shop)).await?;
    Ok(())
}
