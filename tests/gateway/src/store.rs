//! State in SQLite. Every business operation is one `BEGIN IMMEDIATE` transaction, and the
//! idempotency keys are UNIQUE constraints, so concurrent duplicates can neither issue twice nor
//! redeem twice. The idempotency record *is* the business row (the voucher, the redemption, the
//! sync), written in the same transaction as the rows it changes, so a crash leaves either all of
//! an operation or none of it.
//!
//! A database file is opened in WAL mode with `synchronous = FULL`: a commit returns only once its
//! WAL frames are on disk, so an answer the gateway sent is never undone by a process kill, nor by
//! an OS crash or power loss. (A kill alone loses nothing in any journal mode, as committed pages
//! sit in the OS cache; `NORMAL` in WAL mode skips that sync and may lose the last commits on
//! power loss, which would undo successes clients already saw.) WAL rather than the rollback
//! journal because a commit then costs one sync instead of several.

use std::io;
use std::sync::Mutex;
use std::time::Duration;

use alipay_openapi::api::Amount;
use alipay_openapi::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::config::{Database, Fixtures};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS templates (
    template_id  TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    amount_cents INTEGER,            -- NULL: red packet, the amount comes with each send
    gmt_expired  INTEGER NOT NULL    -- unix seconds
);
CREATE TABLE IF NOT EXISTS users (
    user_id     TEXT PRIMARY KEY,
    login_id    TEXT UNIQUE,
    taobao_nick TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS vouchers (
    voucher_id      TEXT PRIMARY KEY,
    template_id     TEXT NOT NULL REFERENCES templates(template_id),
    out_biz_no      TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    total_cents     INTEGER NOT NULL,
    available_cents INTEGER NOT NULL,
    status          TEXT NOT NULL,
    memo            TEXT,
    gmt_create      INTEGER NOT NULL,
    gmt_expired     INTEGER NOT NULL,
    UNIQUE (template_id, out_biz_no)
);
CREATE TABLE IF NOT EXISTS external_codes (
    entity_no   TEXT PRIMARY KEY,
    template_id TEXT NOT NULL REFERENCES templates(template_id),
    voucher_id  TEXT UNIQUE REFERENCES vouchers(voucher_id)   -- NULL until a send takes it
);
CREATE TABLE IF NOT EXISTS redemptions (
    out_biz_no   TEXT PRIMARY KEY,
    entity_no    TEXT NOT NULL UNIQUE,
    voucher_id   TEXT NOT NULL REFERENCES vouchers(voucher_id),
    trade_no     TEXT NOT NULL UNIQUE,
    amount_cents INTEGER NOT NULL,
    gmt_create   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_code TEXT PRIMARY KEY,
    order_no    TEXT NOT NULL,
    quantity    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS trades (
    trade_no     TEXT PRIMARY KEY,
    out_trade_no TEXT NOT NULL UNIQUE,
    method       TEXT NOT NULL,      -- the pay method that created it (page, WAP or app pay)
    product_code TEXT NOT NULL,
    subject      TEXT NOT NULL,
    total_cents  INTEGER NOT NULL,
    status       TEXT NOT NULL,      -- WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_CLOSED
    charset      TEXT NOT NULL,      -- of the creating request: return parameters and notifications use it
    sign_type    TEXT NOT NULL,
    notify_url   TEXT,
    return_url   TEXT,
    buyer_id     TEXT,
    notify_id    TEXT UNIQUE,
    gmt_create   INTEGER NOT NULL,
    gmt_payment  INTEGER,
    gmt_close    INTEGER
);
CREATE TABLE IF NOT EXISTS notify_attempts (
    notify_id   TEXT NOT NULL REFERENCES trades(notify_id),
    attempt     INTEGER NOT NULL,    -- 1 for the first delivery
    at_millis   INTEGER NOT NULL,
    http_status INTEGER,             -- NULL: no HTTP answer (refused, timed out)
    outcome     TEXT NOT NULL,       -- `success`, or what came instead
    PRIMARY KEY (notify_id, attempt)
);
CREATE TABLE IF NOT EXISTS images (
    image_id   TEXT PRIMARY KEY,
    image_type TEXT NOT NULL,
    image_name TEXT NOT NULL,
    content    BLOB NOT NULL,
    gmt_create INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS v3_nonces (
    nonce       TEXT PRIMARY KEY,
    seen_millis INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ticket_syncs (
    request_id  TEXT PRIMARY KEY,
    ticket_code TEXT NOT NULL REFERENCES tickets(ticket_code),
    order_no    TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    gmt_biz     INTEGER NOT NULL
);
";

/// Why an operation did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A business error (`40004`), with the API's own `sub_code`.
    Business { sub_code: &'static str, sub_msg: String },
    /// The database failed: reported as `20000` / `isp.unknow-error`.
    System(String),
}

impl Failure {
    pub fn business(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Failure::Business { sub_code, sub_msg: sub_msg.into() }
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::System(e.to_string())
    }
}

type Outcome<T> = Result<T, Failure>;

/// Who a voucher is sent to, in the API's priority order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Recipient {
    UserId(String),
    LoginId(String),
    TaobaoNick(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SendInput {
    pub template_id: String,
    pub out_biz_no: String,
    pub recipient: Recipient,
    pub amount_cents: Option<i64>,
    pub memo: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issued {
    pub voucher_id: String,
    pub user_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VoucherView {
    pub voucher_id: String,
    pub template_id: String,
    pub name: String,
    pub user_id: String,
    pub status: String,
    pub total_cents: i64,
    pub available_cents: i64,
    pub gmt_create: Timestamp,
    pub gmt_expired: Timestamp,
    pub bills: Vec<Bill>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bill {
    pub trade_no: String,
    pub amount_cents: i64,
    pub gmt_create: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyncInput {
    pub request_id: String,
    pub ticket_code: String,
    pub order_no: String,
    pub quantity: u32,
    pub gmt_biz: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Synced {
    pub order_no: String,
    /// The `request_id` had already been processed (`BIZ_ALREADY_SUCCESS`).
    pub replay: bool,
}

#[derive(Debug)]
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

fn invalid_input(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

impl Store {
    /// Opens (or creates) the database and loads the fixtures: missing templates, users,
    /// external codes and tickets are added, templates and users are updated; issued vouchers,
    /// redemptions and syncs are never touched.
    pub fn open(database: &Database, fixtures: &Fixtures) -> io::Result<Store> {
        let mut conn = match database {
            Database::Memory => Connection::open_in_memory(),
            Database::File(path) => Connection::open(path),
        }
        .map_err(|e| io::Error::other(format!("cannot open the gateway database: {e}")))?;
        if matches!(database, Database::File(_)) {
            durable(&conn)?;
        }
        let templates = fixtures
            .templates
            .iter()
            .map(|t| {
                let bad = |why: String| invalid_input(format!("template `{}`: {why}", t.template_id));
                let amount = match t.amount.as_deref() {
                    None => None,
                    Some(a) => Some(Amount::parse(a).map_err(|e| bad(e.to_string()))?.fen()),
                };
                let expires =
                    Timestamp::parse_beijing("gmt_expired", &t.gmt_expired).map_err(|e| bad(e.to_string()))?;
                Ok((amount, expires))
            })
            .collect::<io::Result<Vec<_>>>()?;
        load(&mut conn, fixtures, &templates)
            .map_err(|e| io::Error::other(format!("cannot load the gateway fixtures: {e}")))?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    pub(crate) fn with_tx<T>(&self, work: impl FnOnce(&rusqlite::Transaction<'_>) -> Outcome<T>) -> Outcome<T> {
        let mut conn = self.conn.lock().map_err(|_| Failure::System("database lock poisoned".to_owned()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?; // an error drops `tx`, which rolls back
        tx.commit()?;
        Ok(value)
    }

    /// `alipay.marketing.voucher.send`: idempotent on (`template_id`, `out_biz_no`).
    pub fn send(&self, input: &SendInput, now: Timestamp) -> Outcome<Issued> {
        self.with_tx(|tx| {
            let existing = tx
                .query_row(
                    "SELECT voucher_id, user_id FROM vouchers WHERE template_id = ?1 AND out_biz_no = ?2",
                    params![input.template_id, input.out_biz_no],
                    |row| Ok(Issued { voucher_id: row.get(0)?, user_id: row.get(1)? }),
                )
                .optional()?;
            if let Some(issued) = existing {
                return Ok(issued);
            }
            let template = tx
                .query_row(
                    "SELECT amount_cents, gmt_expired, (SELECT COUNT(*) FROM external_codes c WHERE c.template_id = t.template_id)
                     FROM templates t WHERE template_id = ?1",
                    params![input.template_id],
                    |row| Ok((row.get::<_, Option<i64>>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?)),
                )
                .optional()?;
            let Some((face_cents, expires, code_count)) = template else {
                return Err(Failure::business("TEMPLATE_NOT_EXIST", "模板不存在"));
            };
            if now.unix_secs() > expires {
                return Err(Failure::business("TEMPLATE_EXPIRED", "模板过期"));
            }
            let (column, key) = match &input.recipient {
                Recipient::UserId(id) => ("user_id", id),
                Recipient::LoginId(id) => ("login_id", id),
                Recipient::TaobaoNick(nick) => ("taobao_nick", nick),
            };
            let user_id: Option<String> = tx
                .query_row(&format!("SELECT user_id FROM users WHERE {column} = ?1"), params![key], |row| row.get(0))
                .optional()?;
            let Some(user_id) = user_id else {
                return Err(Failure::business("USER_NOT_EXIST", "用户不存在"));
            };
            let amount = match (face_cents, input.amount_cents) {
                (Some(face), None) => face,
                (None, Some(amount)) => amount,
                (Some(_), Some(_)) => return Err(Failure::business("INVALID_PARAMETER", "参数有误：amount仅在发放红包时填写")),
                (None, None) => return Err(Failure::business("INVALID_PARAMETER", "参数有误：红包模板必须填写amount")),
            };
            let sequence: i64 = tx.query_row("SELECT COALESCE(MAX(rowid), 0) + 1 FROM vouchers", [], |row| row.get(0))?;
            let voucher_id = format!("{}0007300200{sequence:010}", date_digits(now));
            tx.execute(
                "INSERT INTO vouchers (voucher_id, template_id, out_biz_no, user_id, total_cents, available_cents, status,
                                       memo, gmt_create, gmt_expired)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, 'ENABLED', ?6, ?7, ?8)",
                params![voucher_id, input.template_id, input.out_biz_no, user_id, amount, input.memo, now.unix_secs(), expires],
            )?;
            if code_count > 0 {
                let taken = tx.execute(
                    "UPDATE external_codes SET voucher_id = ?1 WHERE entity_no =
                       (SELECT entity_no FROM external_codes WHERE template_id = ?2 AND voucher_id IS NULL
                        ORDER BY entity_no LIMIT 1)",
                    params![voucher_id, input.template_id],
                )?;
                if taken == 0 {
                    return Err(Failure::business("INVALID_PARAMETER", "参数有误：模板的外部券码已发完"));
                }
            }
            Ok(Issued { voucher_id, user_id })
        })
    }

    /// `alipay.marketing.voucher.query`.
    pub fn query(&self, voucher_id: &str, now: Timestamp) -> Outcome<VoucherView> {
        self.with_tx(|tx| {
            let found = tx
                .query_row(
                    "SELECT v.template_id, t.name, v.user_id, v.status, v.total_cents, v.available_cents, v.gmt_create,
                            v.gmt_expired
                     FROM vouchers v JOIN templates t ON t.template_id = v.template_id WHERE v.voucher_id = ?1",
                    params![voucher_id],
                    |row| {
                        Ok(VoucherView {
                            voucher_id: voucher_id.to_owned(),
                            template_id: row.get(0)?,
                            name: row.get(1)?,
                            user_id: row.get(2)?,
                            status: row.get(3)?,
                            total_cents: row.get(4)?,
                            available_cents: row.get(5)?,
                            gmt_create: Timestamp::from_unix_secs(row.get(6)?),
                            gmt_expired: Timestamp::from_unix_secs(row.get(7)?),
                            bills: Vec::new(),
                        })
                    },
                )
                .optional()?;
            let Some(mut view) = found else {
                return Err(Failure::business("INVALID_PARAMETER", "参数有误：券不存在"));
            };
            if view.status == "ENABLED" && now > view.gmt_expired {
                view.status = "EXPIRED".to_owned();
            }
            let mut bills = tx.prepare(
                "SELECT trade_no, amount_cents, gmt_create FROM redemptions WHERE voucher_id = ?1 ORDER BY rowid",
            )?;
            view.bills = bills
                .query_map(params![voucher_id], |row| {
                    Ok(Bill {
                        trade_no: row.get(0)?,
                        amount_cents: row.get(1)?,
                        gmt_create: Timestamp::from_unix_secs(row.get(2)?),
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(view)
        })
    }

    /// `alipay.marketing.voucher.stock.use`: redeems an external code once; idempotent on `out_biz_no`.
    pub fn redeem(&self, entity_no: &str, out_biz_no: &str, now: Timestamp) -> Outcome<String> {
        self.with_tx(|tx| {
            let prior = tx
                .query_row(
                    "SELECT entity_no, voucher_id FROM redemptions WHERE out_biz_no = ?1",
                    params![out_biz_no],
                    |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
                )
                .optional()?;
            if let Some((prior_code, voucher_id)) = prior {
                return if prior_code == entity_no {
                    Ok(voucher_id)
                } else {
                    Err(Failure::business("REQUEST_PARAM_ILLEGAL", "请求参数非法：out_biz_no已用于核销另一个券码"))
                };
            }
            let voucher = tx
                .query_row(
                    "SELECT v.voucher_id, v.total_cents, v.gmt_expired,
                            EXISTS (SELECT 1 FROM redemptions r WHERE r.entity_no = c.entity_no)
                     FROM external_codes c JOIN vouchers v ON v.voucher_id = c.voucher_id WHERE c.entity_no = ?1",
                    params![entity_no],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, i64>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, bool>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((voucher_id, amount, expires, redeemed)) = voucher else {
                return Err(Failure::business("REQUEST_PARAM_ILLEGAL", "请求参数非法：券码不存在"));
            };
            if redeemed {
                return Err(Failure::business("REQUEST_PARAM_ILLEGAL", "请求参数非法：券码已核销"));
            }
            if now.unix_secs() > expires {
                return Err(Failure::business("VOUCHER_HAS_EXPIRED", "券已过期"));
            }
            let sequence: i64 =
                tx.query_row("SELECT COALESCE(MAX(rowid), 0) + 1 FROM redemptions", [], |row| row.get(0))?;
            let trade_no = trade_no(now, sequence);
            tx.execute(
                "INSERT INTO redemptions (out_biz_no, entity_no, voucher_id, trade_no, amount_cents, gmt_create)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![out_biz_no, entity_no, voucher_id, trade_no, amount, now.unix_secs()],
            )?;
            tx.execute(
                "UPDATE vouchers SET status = 'USED', available_cents = 0 WHERE voucher_id = ?1",
                params![voucher_id],
            )?;
            Ok(voucher_id)
        })
    }

    /// `koubei.trade.ticket.ticketcode.sync`: idempotent on `request_id`.
    pub fn sync_ticket(&self, input: &SyncInput) -> Outcome<Synced> {
        self.with_tx(|tx| {
            let prior = tx
                .query_row(
                    "SELECT ticket_code, order_no FROM ticket_syncs WHERE request_id = ?1",
                    params![input.request_id],
                    |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
                )
                .optional()?;
            if let Some((ticket_code, order_no)) = prior {
                return if ticket_code == input.ticket_code {
                    Ok(Synced { order_no, replay: true })
                } else {
                    Err(Failure::business("INVALID_PARAMETER", "参数有误：request_id已用于另一个凭证码"))
                };
            }
            let ticket = tx
                .query_row(
                    "SELECT order_no, quantity FROM tickets WHERE ticket_code = ?1",
                    params![input.ticket_code],
                    |row| Ok((row.get::<_, String>(0)?, row.get::<_, u32>(1)?)),
                )
                .optional()?;
            let Some((order_no, quantity)) = ticket else {
                return Err(Failure::business("TICKET_CODE_NOT_EXIST", "凭证码不存在"));
            };
            if order_no != input.order_no {
                return Err(Failure::business("INVALID_PARAMETER", "参数有误：凭证码不属于该订单"));
            }
            if input.quantity > quantity {
                return Err(Failure::business("TICKET_STATUS_ILLEGAL", "剩余可核销份数不能大于当前份数"));
            }
            tx.execute(
                "INSERT INTO ticket_syncs (request_id, ticket_code, order_no, quantity, gmt_biz) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![input.request_id, input.ticket_code, order_no, input.quantity, input.gmt_biz.unix_secs()],
            )?;
            tx.execute(
                "UPDATE tickets SET quantity = ?1 WHERE ticket_code = ?2",
                params![input.quantity, input.ticket_code],
            )?;
            Ok(Synced { order_no, replay: false })
        })
    }
}

/// WAL with a sync at every commit (see the module documentation). Fails if the file system
/// cannot do WAL, rather than silently keeping another journal mode.
fn durable(conn: &Connection) -> io::Result<()> {
    let failed = |e: rusqlite::Error| io::Error::other(format!("cannot set up the gateway database: {e}"));
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).map_err(failed)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(io::Error::other(format!("the gateway database cannot use WAL (journal_mode is {mode})")));
    }
    conn.execute_batch("PRAGMA synchronous = FULL;").map_err(failed)
}

/// Creates the schema and writes the fixtures (`templates` holds each template's parsed amount and expiry).
fn load(conn: &mut Connection, fixtures: &Fixtures, templates: &[(Option<i64>, Timestamp)]) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    conn.execute_batch(SCHEMA)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for (t, (amount, expires)) in fixtures.templates.iter().zip(templates) {
        tx.execute(
            "INSERT INTO templates (template_id, name, amount_cents, gmt_expired) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (template_id) DO UPDATE SET name = ?2, amount_cents = ?3, gmt_expired = ?4",
            params![t.template_id, t.name, amount, expires.unix_secs()],
        )?;
        for code in &t.external_codes {
            tx.execute(
                "INSERT OR IGNORE INTO external_codes (entity_no, template_id) VALUES (?1, ?2)",
                params![code, t.template_id],
            )?;
        }
    }
    for u in &fixtures.users {
        tx.execute(
            "INSERT INTO users (user_id, login_id, taobao_nick) VALUES (?1, ?2, ?3)
             ON CONFLICT (user_id) DO UPDATE SET login_id = ?2, taobao_nick = ?3",
            params![u.user_id, u.login_id, u.taobao_nick],
        )?;
    }
    for t in &fixtures.tickets {
        tx.execute(
            "INSERT OR IGNORE INTO tickets (ticket_code, order_no, quantity) VALUES (?1, ?2, ?3)",
            params![t.ticket_code, t.order_no, t.quantity],
        )?;
    }
    tx.commit()
}

/// `yyyyMMdd` of the Beijing date, the prefix of Alipay's ids.
pub(crate) fn date_digits(now: Timestamp) -> String {
    let d = now.to_beijing();
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

/// A `trade_no` as Alipay writes them: the Beijing date, `22001`, 15 digits of `sequence`.
pub(crate) fn trade_no(now: Timestamp, sequence: i64) -> String {
    format!("{}22001{sequence:015}", date_digits(now))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::config::{Template, TEST_USER_ID};

    const NOW: i64 = 1_700_000_000;

    /// A database file of its own, removed (with its WAL files) when dropped.
    struct TempDb(PathBuf);

    impl TempDb {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!("alipay-gateway-store-{}-{name}.sqlite", std::process::id()));
            let db = TempDb(path);
            db.remove();
            db
        }

        fn remove(&self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
            }
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            self.remove();
        }
    }

    fn journal_mode(conn: &Connection) -> String {
        conn.query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap()
    }

    #[test]
    fn a_database_file_is_in_wal_mode_and_syncs_every_commit() {
        let db = TempDb::new("pragmas");
        let store = Store::open(&Database::File(db.0.clone()), &Fixtures::default()).unwrap();
        {
            let conn = store.conn.lock().unwrap();
            assert_eq!(journal_mode(&conn), "wal");
            let synchronous: i64 = conn.query_row("PRAGMA synchronous", [], |row| row.get(0)).unwrap();
            assert_eq!(synchronous, 2, "2 is FULL");
        }
        // WAL is recorded in the file: any other connection to it (a restarted gateway) uses it too.
        assert_eq!(journal_mode(&Connection::open(&db.0).unwrap()), "wal");
        // In memory there is nothing to sync.
        let memory = Store::open(&Database::Memory, &Fixtures::default()).unwrap();
        assert_eq!(journal_mode(&memory.conn.lock().unwrap()), "memory");
    }

    #[test]
    fn an_operation_that_fails_after_a_write_leaves_nothing_behind() {
        let fixtures = Fixtures {
            templates: vec![Template {
                template_id: "20240601000730011111000ONEC".to_owned(),
                name: "one code".to_owned(),
                amount: Some("1.00".to_owned()),
                gmt_expired: "2099-12-31 23:59:59".to_owned(),
                external_codes: vec!["ONLYCODE0001".to_owned()],
            }],
            ..Fixtures::default()
        };
        let store = Store::open(&Database::Memory, &fixtures).unwrap();
        let now = Timestamp::from_unix_secs(NOW);
        let send = |out_biz_no: &str| {
            let input = SendInput {
                template_id: fixtures.templates[0].template_id.clone(),
                out_biz_no: out_biz_no.to_owned(),
                recipient: Recipient::UserId(TEST_USER_ID.to_owned()),
                amount_cents: None,
                memo: None,
            };
            store.send(&input, now)
        };
        let vouchers =
            || store.conn.lock().unwrap().query_row("SELECT COUNT(*) FROM vouchers", [], |r| r.get::<_, i64>(0));
        send("first").unwrap();
        // The second send inserts its voucher, then finds the code pool empty: all of it is undone,
        // so its retry is refused again instead of replaying a voucher without a code.
        for _ in 0..2 {
            let refused = send("second").unwrap_err();
            assert!(matches!(refused, Failure::Business { sub_code: "INVALID_PARAMETER", .. }), "{refused:?}");
            assert_eq!(vouchers().unwrap(), 1);
        }
        // The same holds for whatever fails inside a transaction, a database error included.
        let failed: Outcome<()> = store.with_tx(|tx| {
            tx.execute("UPDATE tickets SET quantity = 0", [])?;
            tx.execute("INSERT INTO ticket_syncs VALUES ('r1', 'no such ticket', 'o', 0, 0)", [])?;
            Ok(())
        });
        assert!(matches!(failed, Err(Failure::System(_))), "{failed:?}");
        let left: i64 = store
            .conn
            .lock()
            .unwrap()
            .query_row("SELECT COUNT(*) FROM tickets WHERE quantity = 0", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "the first write of the failed transaction was kept");
    }
}
