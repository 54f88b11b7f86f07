//! The gateway under load (docs/HARDENING.md): 10,000 calls from 32 concurrent clients, every call issued
//! twice or more (duplicates land on different clients at once), with faults injected into the
//! attempts: timeouts (an injected delay longer than the client's timeout), signed `20000` errors
//! and truncated bodies. Each client retries a transient failure with the same business key,
//! re-signed with a fresh timestamp, at most `MAX_ATTEMPTS` times.
//!
//! Asserted: every answer is either verified or a typed error (and exactly the one its fault
//! calls for); every transient failure is recovered; nothing is issued, redeemed or synced twice;
//! nothing is lost. Prints a summary table (run with `--nocapture` to see it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use alipay_openapi::{Client, Error};
use common::traffic::{
    self, attempt, check_final_state, check_first_phase, check_pool_used_up, check_second_phase, config, is_timeout,
    is_transient, Call, Finished, Injected, Seen, CLIENTS, INJECTED_DELAY_MS,
};
use common::Harness;

/// Vouchers sent (each out_biz_no twice), tickets synced (each request_id twice), codes redeemed
/// (twice under one out_biz_no, once under another), and queries: 10,000 calls in all.
const SENDS: usize = 2000;
const SYNCS: usize = 500;
const REDEEMED: usize = 1500;
const QUERIES: usize = 500;
const CLIENT_TIMEOUT: Duration = Duration::from_millis(750);
const MAX_ATTEMPTS: u32 = 8;

/// One call with retries: the same request (same business key) re-signed with a fresh timestamp.
fn perform(
    agent: &ureq::Agent,
    client: &Client,
    call: &Call,
    index: usize,
    phase: Option<u64>,
    vouchers: &[String],
) -> Finished {
    let request = call.request(vouchers);
    let mut attempts = Vec::new();
    for n in 0..MAX_ATTEMPTS {
        let injected = phase.and_then(|phase| Injected::pick(index, n, phase));
        let result = match attempt(agent, client, &request, injected) {
            Ok(result) => result,
            Err(e) if is_timeout(&e) => {
                attempts.push((injected, Seen::Timeout));
                continue;
            }
            Err(other) => panic!("{call:?}: the loopback connection failed: {other}"),
        };
        attempts.push((injected, Seen::of(&result)));
        if !is_transient(&result) || n + 1 == MAX_ATTEMPTS {
            return Finished { call: call.clone(), attempts, result };
        }
    }
    let result = Err(Error::MalformedResponse("every attempt timed out".to_owned()));
    Finished { call: call.clone(), attempts, result }
}

/// Runs `calls` on `CLIENTS` threads, each with its own HTTP agent and client.
fn run(h: &Harness, calls: &[Call], phase: Option<u64>, vouchers: &[String]) -> Vec<Finished> {
    traffic::run(
        calls,
        CLIENT_TIMEOUT,
        || h.client(),
        |agent, client, index, call| perform(agent, client, call, index, phase, vouchers),
    )
}

#[test]
#[allow(clippy::print_stderr)]
fn ten_thousand_calls_with_faults_and_duplicates() {
    let h = Harness::with_config(config(SENDS, SYNCS));
    let started = Instant::now();
    let done1 = run(&h, &traffic::first_phase(SENDS, SYNCS), Some(0x1111), &[]);
    let vouchers = check_first_phase(&done1, SENDS);
    let done2 = run(&h, &traffic::second_phase(REDEEMED, QUERIES), Some(0x2222), &vouchers);
    let elapsed = started.elapsed();
    let (_, used) = check_second_phase(&done2, REDEEMED);

    // Every answer is the one its fault calls for; without a fault, a verified answer (a timeout of
    // an unfaulted attempt under load is tolerated, and retried like any other).
    let all: Vec<&Finished> = done1.iter().chain(&done2).collect();
    let mut injected: BTreeMap<Injected, usize> = BTreeMap::new();
    let mut seen: BTreeMap<Seen, usize> = BTreeMap::new();
    let mut unexpected_timeouts = 0;
    for f in &all {
        for (fault, what) in &f.attempts {
            *seen.entry(what.clone()).or_default() += 1;
            match fault {
                Some(fault) => {
                    *injected.entry(*fault).or_default() += 1;
                    let expected = match fault {
                        Injected::Timeout => Seen::Timeout,
                        Injected::Unavailable => Seen::Verified("20000 isp.unknow-error".to_owned()),
                        Injected::Truncated => Seen::Typed("malformed_response".to_owned()),
                    };
                    assert_eq!(what, &expected, "{:?}: {fault:?}", f.call);
                }
                None if *what == Seen::Timeout => unexpected_timeouts += 1,
                None => assert!(matches!(what, Seen::Verified(_)), "{:?}: {what:?}", f.call),
            }
        }
    }
    let calls = all.len();
    let requests: usize = all.iter().map(|f| f.attempts.len()).sum();
    let recovered = all.iter().filter(|f| f.attempts.len() > 1 && !is_transient(&f.result)).count();
    assert_eq!(calls, 2 * SENDS + 2 * SYNCS + 3 * REDEEMED + QUERIES);
    assert_eq!(calls, 10_000);
    assert!(injected.values().all(|n| *n > 0), "{injected:?}");
    assert_eq!(recovered, all.iter().filter(|f| f.attempts.len() > 1).count(), "every transient failure recovers");

    let checks: Vec<Call> = (0..vouchers.len()).map(Call::Query).collect();
    check_final_state(run(&h, &checks, None, &vouchers), &vouchers, &used);
    check_pool_used_up(&h.call(&Call::Send(SENDS).request(&[])));

    let seconds = elapsed.as_secs_f64();
    let mut table = format!(
        "\nload: {calls} calls from {CLIENTS} clients, client timeout {} ms, injected delay {INJECTED_DELAY_MS} ms\n",
        CLIENT_TIMEOUT.as_millis()
    );
    let mut row = |name: &str, value: String| table.push_str(&format!("  {name:<44} {value:>10}\n"));
    row("HTTP requests (calls + retries)", requests.to_string());
    row("retries", (requests - calls).to_string());
    row("calls recovered after a transient failure", recovered.to_string());
    for (fault, n) in &injected {
        row(&format!("injected: {}", fault.header()), n.to_string());
    }
    for (what, n) in &seen {
        row(&what.label(), n.to_string());
    }
    row("timeouts without an injected delay", unexpected_timeouts.to_string());
    row("elapsed (s)", format!("{seconds:.2}"));
    row("throughput (HTTP requests/s)", format!("{:.0}", requests as f64 / seconds));
    row("throughput (calls/s)", format!("{:.0}", calls as f64 / seconds));
    eprintln!("{table}");
}
