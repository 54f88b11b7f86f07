//! What the gateway is started with: the app it knows, the keys, the database, the business
//! fixtures (voucher templates, users, Koubei tickets), faults and the clock.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_openapi::Timestamp;
use serde::{Deserialize, Serialize};

use crate::fault::Fault;

/// The app id the gateway knows by default (the one of the test vectors).
pub const TEST_APP_ID: &str = "2021000000000001";
/// The test app's public key (`tests/vectors/keys/app_2048.public.spki.pem`).
pub const TEST_APP_PUBLIC_KEY: &str = include_str!("../test-keys/app_2048.public.spki.pem");
/// The test app's private key, for clients of the gateway (`app_2048.private.pkcs1.pem`).
pub const TEST_APP_PRIVATE_KEY: &str = include_str!("../test-keys/app_2048.private.pkcs1.pem");
/// The key the gateway signs with, standing in for Alipay's (`alipay_2048.private.pkcs8.pem`).
pub const TEST_GATEWAY_PRIVATE_KEY: &str = include_str!("../test-keys/alipay_2048.private.pkcs8.pem");
/// The public half of [`TEST_GATEWAY_PRIVATE_KEY`]: what a client configures as "the Alipay public key".
pub const TEST_GATEWAY_PUBLIC_KEY: &str = include_str!("../test-keys/alipay_2048.public.spki.pem");

/// The generated test app certificate (`tests/vectors/certs/generated/app_cert.pem`, key `app_2048`).
pub const TEST_APP_CERT: &str = include_str!("../test-keys/app_cert.pem");
/// The generated test Alipay certificate chain (`alipay_cert.pem`: leaf, then intermediate), whose
/// key is [`TEST_GATEWAY_PRIVATE_KEY`].
pub const TEST_ALIPAY_CERT: &str = include_str!("../test-keys/alipay_cert.pem");
/// The generated root bundle (`root_bundle.pem`) the test certificates chain to.
pub const TEST_ROOT_CERT: &str = include_str!("../test-keys/root_bundle.pem");
/// The "rotated" Alipay certificate chain (`alipay_cert_new.pem`), whose key is
/// [`TEST_NEXT_GATEWAY_PRIVATE_KEY`].
pub const TEST_NEXT_ALIPAY_CERT: &str = include_str!("../test-keys/alipay_cert_new.pem");
/// The key of [`TEST_NEXT_ALIPAY_CERT`] (`tests/vectors/keys/other_2048.private.pkcs8.pem`).
pub const TEST_NEXT_GATEWAY_PRIVATE_KEY: &str = include_str!("../test-keys/other_2048.private.pkcs8.pem");
/// The test AES content-encryption key, base64 (`tests/vectors/protocol-examples/aes_key.txt`).
pub const TEST_AES_KEY: &str = "Oa8qH9nFIKE04ycK448HwQ==";

/// A voucher template that is always valid and has a face value of 10.00.
pub const TEMPLATE_VOUCHER: &str = "20240513000730011111000ABCDE";
/// A red-packet template: the amount comes from each `send` request (the API page's example id).
pub const TEMPLATE_RED_PACKET: &str = "20140601000730010040000000EB";
/// A template whose vouchers carry an external code (券码) from an uploaded pool.
pub const TEMPLATE_EXTERNAL_CODES: &str = "20240513000730011111000CODES";
/// A template that expired on 2020-12-31.
pub const TEMPLATE_EXPIRED: &str = "20200101000730011111000EXPRD";
/// A user that exists (also reachable by `login_id` `13800000000` and `taobao_nick` `alipay_tester`).
pub const TEST_USER_ID: &str = "2088102000000000";

/// Where the gateway keeps its state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Database {
    /// A private in-memory database, gone when the gateway stops.
    #[default]
    Memory,
    /// An SQLite file, created if missing; state survives restarts.
    File(PathBuf),
}

impl Database {
    /// `:memory:` or a file path, as the command line takes it.
    pub fn from_arg(arg: &str) -> Self {
        if arg == ":memory:" {
            Database::Memory
        } else {
            Database::File(PathBuf::from(arg))
        }
    }
}

/// The gateway's notion of "now", for timestamps it checks and business times it records.
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicI64>>,
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.manual {
            None => f.write_str("Clock::System"),
            Some(_) => write!(f, "Clock::Manual({})", self.now()),
        }
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock { manual: None }
    }

    /// A clock that stands still at `start` until [`advance`](Self::advance)d; clones share it.
    pub fn manual(start: Timestamp) -> Self {
        Clock { manual: Some(Arc::new(AtomicI64::new(start.unix_secs()))) }
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        match &self.manual {
            Some(secs) => Timestamp::from_unix_secs(secs.load(Ordering::SeqCst)),
            None => {
                let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
                Timestamp::from_unix_secs(i64::try_from(secs).unwrap_or(i64::MAX))
            }
        }
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance(&self, by: Duration) {
        if let Some(secs) = &self.manual {
            secs.fetch_add(i64::try_from(by.as_secs()).unwrap_or(i64::MAX), Ordering::SeqCst);
        }
    }
}

/// A voucher template (券模板).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// `template_id`, at most 28 characters.
    pub template_id: String,
    /// The voucher name users see.
    pub name: String,
    /// Face value in yuan with two decimals (`"10.00"`); `None` for a red packet, whose amount
    /// each `send` request gives.
    #[serde(default)]
    pub amount: Option<String>,
    /// End of validity, `yyyy-MM-dd HH:mm:ss` Beijing time: no sending after it, and vouchers
    /// from it can no longer be redeemed.
    pub gmt_expired: String,
    /// The uploaded external codes (券码); each voucher sent takes the next free one, and
    /// `alipay.marketing.voucher.stock.use` redeems by code.
    #[serde(default)]
    pub external_codes: Vec<String>,
}

/// An Alipay user that vouchers can be sent to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// `user_id` (2088…, 16 digits).
    pub user_id: String,
    /// Login id (phone or e-mail), if the user can be addressed by it.
    #[serde(default)]
    pub login_id: Option<String>,
    /// Taobao nick, if the user can be addressed by it.
    #[serde(default)]
    pub taobao_nick: Option<String>,
}

/// A Koubei ticket code (凭证码) that `koubei.trade.ticket.ticketcode.sync` can sync.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    /// `ticket_code`.
    pub ticket_code: String,
    /// The Koubei order it belongs to.
    pub order_no: String,
    /// Uses left.
    pub quantity: u32,
}

/// The business data the gateway starts with, loaded into the database at start: what is missing
/// is added and templates and users are updated; tickets keep their synced quantity, and issued
/// vouchers, codes and redemptions are never touched. Serialized, it is a `--fixtures` file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// Voucher templates.
    #[serde(default)]
    pub templates: Vec<Template>,
    /// Users.
    #[serde(default)]
    pub users: Vec<User>,
    /// Koubei ticket codes.
    #[serde(default)]
    pub tickets: Vec<Ticket>,
}

impl Default for Fixtures {
    /// The fixtures the tests, the demo and the documentation use: see the `TEMPLATE_*` constants,
    /// three users, and the ticket codes `16569843362` (order `20180404111040030100130500594477`,
    /// 5 uses, the API page's example) and `16569843363` (order `20180404111040030100130500594478`, 1 use).
    fn default() -> Self {
        let template = |id: &str, name: &str, amount: Option<&str>, expires: &str, codes: Vec<String>| Template {
            template_id: id.to_owned(),
            name: name.to_owned(),
            amount: amount.map(str::to_owned),
            gmt_expired: expires.to_owned(),
            external_codes: codes,
        };
        let user = |id: &str, login: Option<&str>, nick: Option<&str>| User {
            user_id: id.to_owned(),
            login_id: login.map(str::to_owned),
            taobao_nick: nick.map(str::to_owned),
        };
        let ticket = |code: &str, order: &str, quantity| Ticket {
            ticket_code: code.to_owned(),
            order_no: order.to_owned(),
            quantity,
        };
        Fixtures {
            templates: vec![
                template(TEMPLATE_VOUCHER, "满100减10代金券", Some("10.00"), "2099-12-31 23:59:59", vec![]),
                template(TEMPLATE_RED_PACKET, "优酷3个月兑换券", None, "2099-12-31 23:59:59", vec![]),
                template(
                    TEMPLATE_EXTERNAL_CODES,
                    "外部券码代金券",
                    Some("5.00"),
                    "2099-12-31 23:59:59",
                    (1..=500).map(|i| format!("EXTCODE{i:05}")).collect(),
                ),
                template(TEMPLATE_EXPIRED, "已过期代金券", Some("5.00"), "2020-12-31 23:59:59", vec![]),
            ],
            users: vec![
                user(TEST_USER_ID, Some("13800000000"), Some("alipay_tester")),
                user("2088302001456115", Some("13196215350"), Some("yue54333")),
                user("2088102146165572", None, None),
            ],
            tickets: vec![
                ticket("16569843362", "20180404111040030100130500594477", 5),
                ticket("16569843363", "20180404111040030100130500594478", 1),
            ],
        }
    }
}

/// Certificate mode (公钥证书模式): the gateway verifies requests with the app certificate's key,
/// checks the SNs every request carries, and names the Alipay certificate that signed each answer
/// in `alipay_cert_sn`. [`Default`] is the generated test chain (the `TEST_*_CERT` constants).
#[derive(Clone, PartialEq, Eq)]
pub struct Certificates {
    /// The app certificate (PEM). Its key verifies requests (instead of
    /// [`GatewayConfig::app_public_key`]) and its SN must be the request's `app_cert_sn`.
    pub app_cert: String,
    /// The root bundle (PEM); its root SN must be the request's `alipay_root_cert_sn`.
    pub root_cert: String,
    /// The Alipay certificate chain (PEM, leaf first) of [`GatewayConfig::gateway_private_key`].
    pub alipay_cert: String,
    /// The certificate chain and private key (PEM) the gateway switches to for good on the
    /// `rotate-cert` fault, as after a rotation on Alipay's side.
    pub next: Option<(String, String)>,
}

impl fmt::Debug for Certificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificates").field("has_next", &self.next.is_some()).finish_non_exhaustive()
    }
}

impl Default for Certificates {
    fn default() -> Self {
        Certificates {
            app_cert: TEST_APP_CERT.to_owned(),
            root_cert: TEST_ROOT_CERT.to_owned(),
            alipay_cert: TEST_ALIPAY_CERT.to_owned(),
            next: Some((TEST_NEXT_ALIPAY_CERT.to_owned(), TEST_NEXT_GATEWAY_PRIVATE_KEY.to_owned())),
        }
    }
}

/// Everything the gateway is started with. [`Default`] is the test setup: app
/// [`TEST_APP_ID`] with the test keys, an in-memory database, the default [`Fixtures`], a free
/// port on 127.0.0.1, no faults, a 30-minute timestamp window, the system clock, public-key mode and
/// no AES key.
#[derive(Clone)]
pub struct GatewayConfig {
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
    /// Where state is kept.
    pub database: Database,
    /// The one app the gateway knows; any other `app_id` gets an unsigned `isv.invalid-app-id`.
    pub app_id: String,
    /// The app's public key (PEM or bare base64), used to verify every request in public-key mode.
    pub app_public_key: String,
    /// The key responses are signed with, standing in for Alipay's (PEM or bare base64); in
    /// certificate mode, the key of [`Certificates::alipay_cert`].
    pub gateway_private_key: String,
    /// The merchant's partner id (PID), shown in bill details.
    pub partner_id: String,
    /// The merchant's name, shown in bill details.
    pub partner_name: String,
    /// Business data.
    pub fixtures: Fixtures,
    /// Faults applied to every request (a request's `x-gateway-fault` header adds more).
    pub faults: Vec<Fault>,
    /// How far a request's `timestamp` may be from the clock; `None` accepts any valid timestamp.
    /// The real window is not documented.
    pub timestamp_tolerance: Option<Duration>,
    /// The clock.
    pub clock: Clock,
    /// Certificate mode; `None`: public-key mode.
    pub certificates: Option<Certificates>,
    /// The app's AES content-encryption key (base64, as the console shows it). With it, requests
    /// with `encrypt_type=AES` are decrypted and their successful answers encrypted; without it they
    /// get `isv.invalid-encrypt-type`.
    pub aes_key: Option<String>,
    /// Waits before each re-delivery of a `trade_status_sync` notification that was not answered
    /// `success` (the first delivery is immediate). Default: Alipay's documented schedule, 4m, 10m,
    /// 10m, 1h, 2h, 6h, 15h; tests use milliseconds.
    pub notify_retry: Vec<Duration>,
    /// How long one delivery may take before it counts as failed.
    pub notify_timeout: Duration,
}

impl fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("bind", &self.bind)
            .field("database", &self.database)
            .field("app_id", &self.app_id)
            .field("partner_id", &self.partner_id)
            .field("fixtures", &self.fixtures)
            .field("faults", &self.faults)
            .field("timestamp_tolerance", &self.timestamp_tolerance)
            .field("clock", &self.clock)
            .field("certificates", &self.certificates)
            .field("aes_key", &self.aes_key.as_ref().map(|_| "<redacted>"))
            .field("notify_retry", &self.notify_retry)
            .field("notify_timeout", &self.notify_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            database: Database::Memory,
            app_id: TEST_APP_ID.to_owned(),
            app_public_key: TEST_APP_PUBLIC_KEY.to_owned(),
            gateway_private_key: TEST_GATEWAY_PRIVATE_KEY.to_owned(),
            partner_id: "2088001159940003".to_owned(),
            partner_name: "本地测试商户".to_owned(),
            fixtures: Fixtures::default(),
            faults: Vec::new(),
            timestamp_tolerance: Some(Duration::from_secs(30 * 60)),
            clock: Clock::system(),
            certificates: None,
            aes_key: None,
            notify_retry: crate::notify_delivery::ALIPAY_RETRY_SCHEDULE.to_vec(),
            notify_timeout: Duration::from_secs(5),
        }
    }
}
