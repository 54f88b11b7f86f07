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

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use alipay_local_gateway::{GatewayConfig, Template, Ticket, FAULT_HEADER};
use alipay_openapi::{Client, Error, Request, VerifiedResponse};
use common::{query, send, stock_use, system_now, text, ticket_sync, Harness};

const CLIENTS: usize = 32;
/// Vouchers sent (each out_biz_no twice), tickets synced (each request_id twice), codes redeemed
/// (twice under one out_biz_no, once under another), and queries: 10,000 calls in all.
const SENDS: usize = 2000;
const SYNCS: usize = 500;
const REDEEMED: usize = 1500;
const QUERIES: usize = 500;
const CLIENT_TIMEOUT: Duration = Duration::from_millis(750);
const INJECTED_DELAY_MS: u64 = 1500;
/// Faults are injected into the first `FAULTY_ATTEMPTS` attempts of a call only, so every call can
/// finish within `MAX_ATTEMPTS`.
const FAULTY_ATTEMPTS: u32 = 4;
const MAX_ATTEMPTS: u32 = 8;
const TEMPLATE: &str = "20240601000730011111000LOADS";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Injected {
    Timeout,
    Unavailable,
    Truncated,
}

impl Injected {
    fn header(self) -> String {
        match self {
            Injected::Timeout => format!("delay={INJECTED_DELAY_MS}"),
            Injected::Unavailable => "unknown-error".to_owned(),
            Injected::Truncated => "truncated".to_owned(),
        }
    }

    /// The fault of attempt `attempt` of call `index`: about 4% timeouts, 5% `20000`, 5% truncated.
    fn pick(index: usize, attempt: u32, phase: u64) -> Option<Injected> {
        if attempt >= FAULTY_ATTEMPTS {
            return None;
        }
        match mix(phase ^ ((index as u64) << 8) ^ u64::from(attempt)) % 100 {
            0..=3 => Some(Injected::Timeout),
            4..=8 => Some(Injected::Unavailable),
            9..=13 => Some(Injected::Truncated),
            _ => None,
        }
    }
}

/// splitmix64: a fixed, well-spread hash for the fault plan and the shuffles.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn shuffle<T>(items: &mut [T], seed: u64) {
    for i in (1..items.len()).rev() {
        items.swap(i, usize::try_from(mix(seed ^ i as u64) % (i as u64 + 1)).unwrap());
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Send(usize),
    Sync(usize),
    Use { code: usize, out_biz_no: String },
    Query(usize),
}

fn code(c: usize) -> String {
    format!("LOAD{c:06}")
}

fn order_no(t: usize) -> String {
    format!("2018040411104003010099{t:010}")
}

impl Call {
    fn request(&self, vouchers: &[String]) -> Request {
        match self {
            Call::Send(k) => send(TEMPLATE, &format!("load-{k}")),
            Call::Sync(t) => ticket_sync(&format!("loadsync{t}"), &format!("L{t:08}"), &order_no(*t), "0"),
            Call::Use { code: c, out_biz_no } => stock_use(&code(*c), out_biz_no),
            Call::Query(i) => query(&vouchers[*i % vouchers.len()]),
        }
    }
}

/// What one attempt saw: a verified answer (`code`, `sub_code`), a typed error, or a timeout.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Seen {
    Verified(String),
    Typed(String),
    Timeout,
}

#[derive(Debug)]
struct Finished {
    call: Call,
    attempts: Vec<(Option<Injected>, Seen)>,
    /// The last answer: a success, a business error, or (if retries ran out) the transient error.
    result: Result<VerifiedResponse, Error>,
}

impl Finished {
    /// The answer to some attempt may have been lost after the gateway processed it.
    fn lost_an_answer(&self) -> bool {
        self.attempts.iter().any(|(_, seen)| matches!(seen, Seen::Timeout | Seen::Typed(_)))
    }
}

fn is_transient(result: &Result<VerifiedResponse, Error>) -> bool {
    match result {
        Ok(_) => false,
        Err(Error::Gateway(e)) => e.code == "20000",
        Err(Error::MalformedResponse(_)) => true,
        Err(_) => false,
    }
}

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
    for attempt in 0..MAX_ATTEMPTS {
        let injected = phase.and_then(|phase| Injected::pick(index, attempt, phase));
        let signed = client.sign(&request, system_now()).unwrap();
        let mut http = agent.post(signed.url());
        for (name, value) in signed.headers() {
            http = http.header(name, value);
        }
        if let Some(fault) = injected {
            http = http.header(FAULT_HEADER, fault.header());
        }
        let body = match http.send(signed.body()).and_then(|r| {
            assert_eq!(r.status(), 200);
            r.into_body().read_to_vec()
        }) {
            Ok(body) => body,
            Err(ureq::Error::Timeout(_)) => {
                attempts.push((injected, Seen::Timeout));
                continue;
            }
            Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
                attempts.push((injected, Seen::Timeout));
                continue;
            }
            Err(other) => panic!("{call:?}: the loopback connection failed: {other}"),
        };
        let result = client.verify_response(request.method(), &body).and_then(VerifiedResponse::into_success);
        let seen = match &result {
            Ok(v) => Seen::Verified(v.code().to_owned()),
            Err(Error::Gateway(e)) => Seen::Verified(format!("{} {}", e.code, e.sub_code.as_deref().unwrap_or("-"))),
            Err(e) => Seen::Typed(e.code().to_owned()),
        };
        attempts.push((injected, seen));
        if !is_transient(&result) || attempt + 1 == MAX_ATTEMPTS {
            return Finished { call: call.clone(), attempts, result };
        }
    }
    let result = Err(Error::MalformedResponse("every attempt timed out".to_owned()));
    Finished { call: call.clone(), attempts, result }
}

/// Runs `calls` on `CLIENTS` threads, each with its own HTTP agent and client.
fn run(h: &Harness, calls: &[Call], phase: Option<u64>, vouchers: &[String]) -> Vec<Finished> {
    let next = AtomicUsize::new(0);
    let finished = Mutex::new(Vec::with_capacity(calls.len()));
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            scope.spawn(|| {
                let agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(CLIENT_TIMEOUT))
                    .build()
                    .new_agent();
                let client = h.client();
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(call) = calls.get(index) else { break };
                    let done = perform(&agent, &client, call, index, phase, vouchers);
                    finished.lock().unwrap().push(done);
                }
            });
        }
    });
    finished.into_inner().unwrap()
}

fn config() -> GatewayConfig {
    let mut config = GatewayConfig::default();
    config.fixtures.templates.push(Template {
        template_id: TEMPLATE.to_owned(),
        name: "压测代金券".to_owned(),
        amount: Some("5.00".to_owned()),
        gmt_expired: "2099-12-31 23:59:59".to_owned(),
        external_codes: (1..=SENDS).map(code).collect(),
    });
    config.fixtures.tickets =
        (0..SYNCS).map(|t| Ticket { ticket_code: format!("L{t:08}"), order_no: order_no(t), quantity: 1 }).collect();
    config
}

#[test]
#[allow(clippy::print_stderr)]
fn ten_thousand_calls_with_faults_and_duplicates() {
    let h = Harness::with_config(config());
    let started = Instant::now();

    // Phase 1: every out_biz_no sent twice, every request_id synced twice.
    let mut phase1: Vec<Call> = (0..SENDS).flat_map(|k| [Call::Send(k), Call::Send(k)]).collect();
    phase1.extend((0..SYNCS).flat_map(|t| [Call::Sync(t), Call::Sync(t)]));
    shuffle(&mut phase1, 1);
    let done1 = run(&h, &phase1, Some(0x1111), &[]);

    let mut issued: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut syncs: BTreeMap<usize, Vec<&Finished>> = BTreeMap::new();
    for f in &done1 {
        let response = f.result.as_ref().unwrap_or_else(|e| panic!("{:?} not recovered: {e} {:?}", f.call, f.attempts));
        match f.call {
            Call::Send(k) => {
                issued.entry(k).or_default().insert(text(response, "voucher_id").to_owned());
            }
            Call::Sync(t) => syncs.entry(t).or_default().push(f),
            _ => unreachable!(),
        }
    }
    assert_eq!(issued.len(), SENDS);
    assert!(issued.values().all(|ids| ids.len() == 1), "a duplicate or a retry issued a second voucher");
    let vouchers: Vec<String> = issued.values().flatten().cloned().collect();
    assert_eq!(vouchers.iter().collect::<BTreeSet<_>>().len(), SENDS, "two out_biz_nos share a voucher");
    for (t, calls) in &syncs {
        let fresh =
            calls.iter().filter(|f| f.result.as_ref().is_ok_and(|r| r.value().get("biz_code").is_none())).count();
        assert!(fresh <= 1, "request_id loadsync{t} was processed {fresh} times");
        if fresh == 0 {
            assert!(calls.iter().any(|f| f.lost_an_answer()), "loadsync{t}: processed, yet no answer says so");
        }
    }

    // Phase 2: each code redeemed twice under one out_biz_no and once under another; queries between.
    let mut phase2: Vec<Call> = (1..=REDEEMED)
        .flat_map(|c| {
            let (a, b) = (format!("a{c}"), format!("b{c}"));
            [
                Call::Use { code: c, out_biz_no: a.clone() },
                Call::Use { code: c, out_biz_no: a },
                Call::Use { code: c, out_biz_no: b },
            ]
        })
        .collect();
    phase2.extend((0..QUERIES).map(|i| Call::Query(i * 7)));
    shuffle(&mut phase2, 2);
    let done2 = run(&h, &phase2, Some(0x2222), &vouchers);
    let elapsed = started.elapsed();

    let mut redeemed: BTreeMap<usize, (BTreeSet<String>, BTreeSet<String>, usize)> = BTreeMap::new();
    for f in &done2 {
        match (&f.call, &f.result) {
            (Call::Use { code: c, out_biz_no }, Ok(response)) => {
                let entry = redeemed.entry(*c).or_default();
                entry.0.insert(out_biz_no.clone());
                entry.1.insert(text(response, "voucher_id").to_owned());
            }
            (Call::Use { code: c, .. }, Err(Error::Gateway(e))) if e.code == "40004" => {
                assert_eq!(e.sub_code.as_deref(), Some("REQUEST_PARAM_ILLEGAL"), "{c}: {e}");
                redeemed.entry(*c).or_default().2 += 1;
            }
            (Call::Query(_), Ok(response)) => assert!(matches!(text(response, "status"), "ENABLED" | "USED")),
            (call, other) => panic!("{call:?} not recovered: {other:?} {:?}", f.attempts),
        }
    }
    assert_eq!(redeemed.len(), REDEEMED);
    let mut used = BTreeSet::new();
    for (c, (winners, voucher_ids, refused)) in &redeemed {
        assert_eq!(winners.len(), 1, "code {c} was redeemed under two out_biz_nos");
        assert_eq!(voucher_ids.len(), 1, "code {c}");
        let winner_calls = if winners.iter().next().unwrap().starts_with('a') { 2 } else { 1 };
        assert_eq!(*refused, 3 - winner_calls, "code {c}: the other out_biz_no must be refused");
        used.insert(voucher_ids.iter().next().unwrap().clone());
    }
    assert_eq!(used.len(), REDEEMED, "two codes redeemed the same voucher");

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

    // Nothing lost: each voucher is used exactly when its code was redeemed, with one bill.
    let checks: Vec<Call> = (0..vouchers.len()).map(Call::Query).collect();
    for f in run(&h, &checks, None, &vouchers) {
        let Call::Query(i) = f.call else { unreachable!() };
        let found = f.result.unwrap_or_else(|e| panic!("{}: {e}", vouchers[i]));
        let bills = found.value().get("bill_details").and_then(|b| b.as_array()).map_or(0, Vec::len);
        let expected = if used.contains(&vouchers[i]) { ("USED", 1) } else { ("ENABLED", 0) };
        assert_eq!((text(&found, "status"), bills), expected, "{}", vouchers[i]);
    }
    // The pool held exactly one code per out_biz_no: had anything been issued twice, it would have
    // run dry before; now it is.
    let e = h.call(&send(TEMPLATE, "one-more")).unwrap_err();
    assert_eq!(e.gateway().and_then(|g| g.sub_code.as_deref()), Some("INVALID_PARAMETER"), "{e}");

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
        let name = match what {
            Seen::Verified(code) => format!("verified: {code}"),
            Seen::Typed(code) => format!("typed error: {code}"),
            Seen::Timeout => "typed error: timeout (client side)".to_owned(),
        };
        row(&name, n.to_string());
    }
    row("timeouts without an injected delay", unexpected_timeouts.to_string());
    row("elapsed (s)", format!("{seconds:.2}"));
    row("throughput (HTTP requests/s)", format!("{:.0}", requests as f64 / seconds));
    row("throughput (calls/s)", format!("{:.0}", calls as f64 / seconds));
    eprintln!("{table}");
}
