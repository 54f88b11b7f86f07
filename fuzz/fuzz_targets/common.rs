//! Shared fixtures: the test keys, and a cursor that splits fuzz input into fields.

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{AlipayPublicKey, AppPrivateKey, Charset, Client, Config, PrivateKey, SignType};

pub const METHODS: [&str; 5] = [
    "alipay.marketing.voucher.send",
    "alipay.marketing.voucher.query",
    "alipay.marketing.voucher.stock.use",
    "koubei.trade.ticket.ticketcode.sync",
    "alipay.open.app.alipaycert.download",
];

pub fn client(charset: Charset, sign_type: SignType) -> Client {
    let mut config = Config::new("2021000000000001");
    config.charset = charset;
    config.sign_type = sign_type;
    let app = AppPrivateKey::parse(include_str!("../../tests/vectors/keys/app_2048.private.pkcs1.pem"));
    let alipay = AlipayPublicKey::parse(include_str!("../../tests/vectors/keys/alipay_2048.public.spki.pem"));
    match (app, alipay) {
        (Ok(app), Ok(alipay)) => Client::new(config, app, alipay),
        _ => unreachable!("the test keys parse"),
    }
}

#[allow(dead_code)]
pub fn alipay_private() -> PrivateKey<Alipay> {
    PrivateKey::parse(include_str!("../../tests/vectors/keys/alipay_2048.private.pkcs8.pem"))
        .unwrap_or_else(|_| unreachable!("the test key parses"))
}

/// The first byte chooses the charset (bit 0), the sign type (bit 1) and a method (bits 2-4; 7 =
/// a method name read from the input up to the first newline); the rest is the payload.
pub fn split(data: &[u8]) -> Option<(Charset, SignType, String, &[u8])> {
    let (&flags, rest) = data.split_first()?;
    let charset = if flags & 1 == 0 { Charset::Utf8 } else { Charset::Gbk };
    let sign_type = if flags & 2 == 0 { SignType::Rsa2 } else { SignType::Rsa };
    let choice = usize::from((flags >> 2) & 7);
    let (method, payload) = match METHODS.get(choice) {
        Some(method) => ((*method).to_owned(), rest),
        None => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            (String::from_utf8_lossy(&rest[..end]).into_owned(), rest.get(end + 1..).unwrap_or_default())
        }
    };
    Some((charset, sign_type, method, payload))
}
