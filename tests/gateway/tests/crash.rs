//! The gateway killed under load: the binary keeps its state in a database file while 32 clients
//! send, sync and redeem (the traffic of `load.rs`, without injected faults), and is killed with
//! SIGKILL at `KILLS` random points of the traffic, each time restarted on the same file. A client
//! whose connection fails re-signs the same request (same out_biz_no / request_id) with a fresh
//! timestamp and sends it to wherever the gateway now listens, until it gets an answer.
//!
//! Asserted, as in `load.rs`: nothing issued, redeemed or synced twice; and after one more kill and
//! restart once the traffic is over, every success a client saw is still there, through the API and
//! in the file itself.
//!
//! The kill points come from a seed, printed with the counts (`--nocapture`); set
//! `GATEWAY_CRASH_SEED` to replay one (thread timing still varies from run to run).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use alipay_openapi::Client;
use common::traffic::{
    self, attempt, check_final_state, check_first_phase, check_pool_used_up, check_second_phase, code, config,
    is_timeout, is_transient, mix, request_id, send_key, Call, Finished, Seen, CLIENTS, TEMPLATE,
};
use common::{client_config_at, start_binary, test_client, Started};
use rusqlite::Connection;

const SENDS: usize = 1200;
const SYNCS: usize = 400;
const REDEEMED: usize = 900;
const QUERIES: usize = 300;
/// Kills while the clients run (one more follows the traffic).
const KILLS: usize = 5;
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);
/// A failed connection is retried after this pause (the gateway may be restarting).
const RETRY_PAUSE: Duration = Duration::from_millis(10);
/// Every call must have come through by then.
const DEADLINE: Duration = Duration::from_secs(90);

/// The gateway binary on a database file, restarted on the same file after each kill; `url` is
/// where it listens now, for the clients to follow.
struct Gateway {
    process: Option<Started>,
    url: Arc<RwLock<String>>,
    args: Vec<String>,
}

impl Gateway {
    fn start(dir: &Path) -> Gateway {
        let fixtures = dir.join("fixtures.json");
        std::fs::write(&fixtures, serde_json::to_string(&config(SENDS, SYNCS).fixtures).unwrap()).unwrap();
        let args = vec![
            "--db".to_owned(),
            dir.join("state.sqlite").display().to_string(),
            "--fixtures".to_owned(),
            fixtures.display().to_string(),
        ];
        let mut gateway = Gateway { process: None, url: Arc::default(), args };
        gateway.restart();
        gateway
    }

    /// SIGKILL (dropping a `Started` kills it and waits for it), then a new process on the same file.
    fn restart(&mut self) {
        self.process = None;
        let process = start_binary(&self.args.iter().map(String::as_str).collect::<Vec<_>>());
        *self.url.write().unwrap() = process.url.clone();
        self.process = Some(process);
    }
}

/// A client for wherever the gateway listens now.
struct Follower {
    url: Arc<RwLock<String>>,
    current: String,
    client: Client,
}

impl Follower {
    fn new(url: &Arc<RwLock<String>>) -> Self {
        let current = url.read().unwrap().clone();
        Follower { url: Arc::clone(url), client: test_client(client_config_at(current.clone())), current }
    }

    fn client(&mut self) -> &Client {
        let now = self.url.read().unwrap().clone();
        if now != self.current {
            *self = Follower::new(&self.url);
        }
        &self.client
    }
}

/// One call, retried with the same business key until it gets a final answer.
fn perform(
    agent: &ureq::Agent,
    follower: &mut Follower,
    call: &Call,
    vouchers: &[String],
    deadline: Instant,
) -> Finished {
    let request = call.request(vouchers);
    let mut attempts = Vec::new();
    loop {
        match attempt(agent, follower.client(), &request, None) {
            Ok(result) => {
                attempts.push((None, Seen::of(&result)));
                if !is_transient(&result) {
                    return Finished { call: call.clone(), attempts, result };
                }
            }
            Err(e) => {
                attempts.push((None, if is_timeout(&e) { Seen::Timeout } else { Seen::Unreachable }));
                std::thread::sleep(RETRY_PAUSE);
            }
        }
        assert!(Instant::now() < deadline, "{call:?} did not come through: {attempts:?}");
    }
}

/// Runs `calls` through the gateway at `url`, counting finished calls in `progress`.
fn run(
    url: &Arc<RwLock<String>>,
    calls: &[Call],
    vouchers: &[String],
    progress: &AtomicUsize,
    deadline: Instant,
) -> Vec<Finished> {
    traffic::run(
        calls,
        CLIENT_TIMEOUT,
        || Follower::new(url),
        |agent, follower, _, call| {
            let done = perform(agent, follower, call, vouchers, deadline);
            progress.fetch_add(1, Ordering::SeqCst);
            done
        },
    )
}

/// `KILLS` points in `0..total` finished calls, one in each of the first nine tenths' equal
/// parts, so that every kill meets running clients.
fn kill_points(seed: u64, total: usize) -> Vec<usize> {
    let part = total * 9 / 10 / KILLS;
    (0..KILLS).map(|k| k * part + usize::try_from(mix(seed ^ k as u64) % part as u64).unwrap()).collect()
}

fn count(db: &Connection, sql: &str) -> usize {
    db.query_row(sql, [], |row| row.get::<_, i64>(0)).map(|n| usize::try_from(n).unwrap()).unwrap()
}

/// The rows of a query of two text columns.
fn pairs(db: &Connection, sql: &str) -> BTreeMap<String, String> {
    let mut query = db.prepare(sql).unwrap();
    query.query_map([], |row| Ok((row.get(0)?, row.get(1)?))).unwrap().map(Result::unwrap).collect()
}

/// The file itself holds exactly what the clients were told.
fn check_file(path: &Path, vouchers: &[String], winners: &BTreeMap<usize, String>) {
    let db = Connection::open(path).unwrap();
    let told: BTreeMap<String, String> = vouchers.iter().enumerate().map(|(k, v)| (send_key(k), v.clone())).collect();
    let sql = format!("SELECT out_biz_no, voucher_id FROM vouchers WHERE template_id = '{TEMPLATE}'");
    assert_eq!(pairs(&db, &sql), told, "the vouchers in the file are not the ones the clients got");
    let told: BTreeMap<String, String> = winners.iter().map(|(c, out_biz_no)| (code(*c), out_biz_no.clone())).collect();
    let stored = pairs(&db, "SELECT entity_no, out_biz_no FROM redemptions");
    assert_eq!(stored, told, "the redemptions in the file are not the ones the clients got");
    let synced = pairs(
        &db,
        "SELECT request_id, ticket_code FROM ticket_syncs JOIN tickets t USING (ticket_code) WHERE t.quantity = 0",
    );
    assert_eq!(synced.into_keys().collect::<BTreeSet<_>>(), (0..SYNCS).map(request_id).collect());
    // No half-done operation: every issued voucher holds one code, every used one has its bill,
    // every sync has brought its ticket down to zero (above), and nothing else was written.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM external_codes WHERE voucher_id IS NOT NULL"), SENDS);
    let used = "SELECT COUNT(*) FROM vouchers v JOIN redemptions r USING (voucher_id) WHERE v.status = 'USED'";
    assert_eq!(
        (count(&db, "SELECT COUNT(*) FROM vouchers WHERE status = 'USED'"), count(&db, used)),
        (REDEEMED, REDEEMED)
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM ticket_syncs"), SYNCS);
    let integrity: String = db.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
#[allow(clippy::print_stderr)]
fn nothing_is_lost_or_done_twice_when_the_gateway_is_killed() {
    let seed = std::env::var("GATEWAY_CRASH_SEED").map_or_else(
        |_| SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos().into(),
        |s| s.parse::<u64>().unwrap(),
    );
    let dir = std::env::temp_dir().join(format!("alipay-gateway-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    let deadline = started + DEADLINE;
    let mut gateway = Gateway::start(&dir);
    let url = Arc::clone(&gateway.url);

    let (first, second) = (traffic::first_phase(SENDS, SYNCS), traffic::second_phase(REDEEMED, QUERIES));
    let points = kill_points(seed, first.len() + second.len());
    eprintln!("\ncrash: GATEWAY_CRASH_SEED={seed}, kills after {points:?} finished calls");
    let progress = AtomicUsize::new(0);
    let traffic_over = AtomicBool::new(false);
    let (done1, done2, vouchers, kills_while_running) = std::thread::scope(|scope| {
        let killer = scope.spawn(|| {
            let mut while_running = 0;
            for (k, point) in points.iter().enumerate() {
                // (Past the deadline a client has panicked, and the traffic will never be over.)
                while progress.load(Ordering::SeqCst) < *point
                    && !traffic_over.load(Ordering::SeqCst)
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(1));
                }
                // Somewhere inside the requests then in flight.
                std::thread::sleep(Duration::from_millis(mix(seed ^ (100 + k as u64)) % 20));
                while_running += usize::from(!traffic_over.load(Ordering::SeqCst));
                gateway.restart();
            }
            while_running
        });
        let done1 = run(&url, &first, &[], &progress, deadline);
        let vouchers = check_first_phase(&done1, SENDS);
        let done2 = run(&url, &second, &vouchers, &progress, deadline);
        traffic_over.store(true, Ordering::SeqCst);
        (done1, done2, vouchers, killer.join().unwrap())
    });
    let traffic_time = started.elapsed();
    let (winners, used) = check_second_phase(&done2, REDEEMED);
    assert!(kills_while_running >= 3, "only {kills_while_running} kills met running clients");

    // After the traffic, one more kill: what the restarted gateway reads is what the file kept.
    gateway.restart();
    let checks: Vec<Call> = (0..vouchers.len()).map(Call::Query).collect();
    let progress = AtomicUsize::new(0);
    check_final_state(run(&url, &checks, &vouchers, &progress, deadline), &vouchers, &used);
    let agent = ureq::Agent::new_with_defaults();
    check_pool_used_up(&perform(&agent, &mut Follower::new(&url), &Call::Send(SENDS), &[], deadline).result);
    drop(gateway);
    check_file(&dir.join("state.sqlite"), &vouchers, &winners);
    std::fs::remove_dir_all(&dir).unwrap();

    let all: Vec<&Finished> = done1.iter().chain(&done2).collect();
    let calls = all.len();
    let requests: usize = all.iter().map(|f| f.attempts.len()).sum();
    let mut seen: BTreeMap<Seen, usize> = BTreeMap::new();
    for (_, what) in all.iter().flat_map(|f| &f.attempts) {
        *seen.entry(what.clone()).or_default() += 1;
    }
    let hit = all.iter().filter(|f| f.lost_an_answer()).count();
    assert!(hit > 0, "no kill met a call in flight");
    assert_eq!(calls, 2 * SENDS + 2 * SYNCS + 3 * REDEEMED + QUERIES);
    let successes = all.iter().filter(|f| f.result.is_ok()).count();
    let kept = SENDS + REDEEMED + SYNCS;

    let mut table = format!("crash: {calls} calls from {CLIENTS} clients, seed {seed}\n");
    let mut row = |name: &str, value: String| table.push_str(&format!("  {name:<44} {value:>10}\n"));
    row("HTTP requests (calls + retries)", requests.to_string());
    row("retries", (requests - calls).to_string());
    row("SIGKILLs while clients ran (+1 after)", kills_while_running.to_string());
    row("calls retried after a failed connection", hit.to_string());
    for (what, n) in &seen {
        row(&what.label(), n.to_string());
    }
    row("successes clients saw (calls)", successes.to_string());
    row("vouchers queried after the last restart", vouchers.len().to_string());
    row("vouchers, redemptions, syncs found in the file", kept.to_string());
    row("traffic (s)", format!("{:.2}", traffic_time.as_secs_f64()));
    row("whole test (s)", format!("{:.2}", started.elapsed().as_secs_f64()));
    eprintln!("{table}");
}
