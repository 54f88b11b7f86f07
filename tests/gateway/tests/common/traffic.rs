//! The traffic of the load tests (`load.rs`, and `crash.rs` with its killed gateway): the calls and
//! their fault plan, one attempt over HTTP, many clients at once, and the checks that nothing was
//! issued, redeemed or synced twice and nothing was lost.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use alipay_local_gateway::{GatewayConfig, Template, Ticket, FAULT_HEADER};
use alipay_openapi::{Client, Error, Request, VerifiedResponse};

use super::{query, send, stock_use, system_now, text, ticket_sync};

pub const CLIENTS: usize = 32;
pub const TEMPLATE: &str = "20240601000730011111000LOADS";
pub const INJECTED_DELAY_MS: u64 = 1500;
/// Faults are injected into the first `FAULTY_ATTEMPTS` attempts of a call only, so every call can
/// finish within a few more.
pub const FAULTY_ATTEMPTS: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Injected {
    Timeout,
    Unavailable,
    Truncated,
}

impl Injected {
    pub fn header(self) -> String {
        match self {
            Injected::Timeout => format!("delay={INJECTED_DELAY_MS}"),
            Injected::Unavailable => "unknown-error".to_owned(),
            Injected::Truncated => "truncated".to_owned(),
        }
    }

    /// The fault of attempt `attempt` of call `index`: about 4% timeouts, 5% `20000`, 5% truncated.
    pub fn pick(index: usize, attempt: u32, phase: u64) -> Option<Injected> {
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

/// splitmix64: a fixed, well-spread hash for the fault plan, the shuffles and the kill plan.
pub fn mix(x: u64) -> u64 {
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
pub enum Call {
    Send(usize),
    Sync(usize),
    Use { code: usize, out_biz_no: String },
    Query(usize),
}

pub fn code(c: usize) -> String {
    format!("LOAD{c:06}")
}

/// The out_biz_no of `Call::Send(k)`.
pub fn send_key(k: usize) -> String {
    format!("load-{k}")
}

/// The request_id of `Call::Sync(t)`.
pub fn request_id(t: usize) -> String {
    format!("loadsync{t}")
}

fn order_no(t: usize) -> String {
    format!("2018040411104003010099{t:010}")
}

impl Call {
    pub fn request(&self, vouchers: &[String]) -> Request {
        match self {
            Call::Send(k) => send(TEMPLATE, &send_key(*k)),
            Call::Sync(t) => ticket_sync(&request_id(*t), &format!("L{t:08}"), &order_no(*t), "0"),
            Call::Use { code: c, out_biz_no } => stock_use(&code(*c), out_biz_no),
            Call::Query(i) => query(&vouchers[*i % vouchers.len()]),
        }
    }
}

/// A gateway with a template of exactly `sends` external codes and `syncs` tickets of one use.
pub fn config(sends: usize, syncs: usize) -> GatewayConfig {
    let mut config = GatewayConfig::default();
    config.fixtures.templates.push(Template {
        template_id: TEMPLATE.to_owned(),
        name: "压测代金券".to_owned(),
        amount: Some("5.00".to_owned()),
        gmt_expired: "2099-12-31 23:59:59".to_owned(),
        external_codes: (1..=sends).map(code).collect(),
    });
    config.fixtures.tickets =
        (0..syncs).map(|t| Ticket { ticket_code: format!("L{t:08}"), order_no: order_no(t), quantity: 1 }).collect();
    config
}

/// Phase 1: every out_biz_no sent twice, every request_id synced twice, shuffled so that
/// duplicates meet on different clients.
pub fn first_phase(sends: usize, syncs: usize) -> Vec<Call> {
    let mut calls: Vec<Call> = (0..sends).flat_map(|k| [Call::Send(k), Call::Send(k)]).collect();
    calls.extend((0..syncs).flat_map(|t| [Call::Sync(t), Call::Sync(t)]));
    shuffle(&mut calls, 1);
    calls
}

/// Phase 2: each code redeemed twice under one out_biz_no and once under another; queries between.
pub fn second_phase(redeemed: usize, queries: usize) -> Vec<Call> {
    let mut calls: Vec<Call> = (1..=redeemed)
        .flat_map(|c| {
            let (a, b) = (format!("a{c}"), format!("b{c}"));
            [
                Call::Use { code: c, out_biz_no: a.clone() },
                Call::Use { code: c, out_biz_no: a },
                Call::Use { code: c, out_biz_no: b },
            ]
        })
        .collect();
    calls.extend((0..queries).map(|i| Call::Query(i * 7)));
    shuffle(&mut calls, 2);
    calls
}

/// What one attempt saw: a verified answer (`code`, `sub_code`), a typed error, a timeout, or a
/// connection that failed otherwise (refused, reset, closed early).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seen {
    Verified(String),
    Typed(String),
    Timeout,
    Unreachable,
}

impl Seen {
    pub fn of(result: &Result<VerifiedResponse, Error>) -> Seen {
        match result {
            Ok(v) => Seen::Verified(v.code().to_owned()),
            Err(Error::Gateway(e)) => Seen::Verified(format!("{} {}", e.code, e.sub_code.as_deref().unwrap_or("-"))),
            Err(e) => Seen::Typed(e.code().to_owned()),
        }
    }

    /// The row name in the summary tables.
    pub fn label(&self) -> String {
        match self {
            Seen::Verified(code) => format!("verified: {code}"),
            Seen::Typed(code) => format!("typed error: {code}"),
            Seen::Timeout => "typed error: timeout (client side)".to_owned(),
            Seen::Unreachable => "connection failed (refused, reset, closed)".to_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Finished {
    pub call: Call,
    pub attempts: Vec<(Option<Injected>, Seen)>,
    /// The last answer: a success, a business error, or (if retries ran out) the transient error.
    pub result: Result<VerifiedResponse, Error>,
}

impl Finished {
    /// The answer to some attempt may have been lost after the gateway processed it.
    pub fn lost_an_answer(&self) -> bool {
        self.attempts.iter().any(|(_, seen)| matches!(seen, Seen::Timeout | Seen::Typed(_) | Seen::Unreachable))
    }
}

pub fn is_transient(result: &Result<VerifiedResponse, Error>) -> bool {
    match result {
        Ok(_) => false,
        Err(Error::Gateway(e)) => e.code == "20000",
        Err(Error::MalformedResponse(_)) => true,
        Err(_) => false,
    }
}

pub fn is_timeout(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(e) => e.kind() == std::io::ErrorKind::TimedOut,
        _ => false,
    }
}

/// One attempt: `request` signed now (a fresh timestamp, the same business key), posted with the
/// fault header of `injected`, the answer verified. `Err` is a failed connection.
pub fn attempt(
    agent: &ureq::Agent,
    client: &Client,
    request: &Request,
    injected: Option<Injected>,
) -> Result<Result<VerifiedResponse, Error>, ureq::Error> {
    let signed = client.sign(request, system_now()).unwrap();
    let mut http = agent.post(signed.url());
    for (name, value) in signed.headers() {
        http = http.header(name, value);
    }
    if let Some(fault) = injected {
        http = http.header(FAULT_HEADER, fault.header());
    }
    let body = http.send(signed.body()).and_then(|r| {
        assert_eq!(r.status(), 200);
        r.into_body().read_to_vec()
    })?;
    Ok(client.verify_response(request.method(), &body).and_then(VerifiedResponse::into_success))
}

/// Runs `calls` on `CLIENTS` threads, each with its own HTTP agent and its own `C` (a client).
pub fn run<C>(
    calls: &[Call],
    timeout: Duration,
    new_client: impl Fn() -> C + Sync,
    perform: impl Fn(&ureq::Agent, &mut C, usize, &Call) -> Finished + Sync,
) -> Vec<Finished> {
    let next = AtomicUsize::new(0);
    let finished = Mutex::new(Vec::with_capacity(calls.len()));
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            scope.spawn(|| {
                let agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(timeout))
                    .build()
                    .new_agent();
                let mut client = new_client();
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(call) = calls.get(index) else { break };
                    let done = perform(&agent, &mut client, index, call);
                    finished.lock().unwrap().push(done);
                }
            });
        }
    });
    finished.into_inner().unwrap()
}

/// Phase 1 came through: every call succeeded, one voucher per out_biz_no and none shared, no
/// request_id processed twice. Returns the vouchers, in out_biz_no order.
pub fn check_first_phase(done: &[Finished], sends: usize) -> Vec<String> {
    let mut issued: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut syncs: BTreeMap<usize, Vec<&Finished>> = BTreeMap::new();
    for f in done {
        let response = f.result.as_ref().unwrap_or_else(|e| panic!("{:?} not recovered: {e} {:?}", f.call, f.attempts));
        match f.call {
            Call::Send(k) => {
                issued.entry(k).or_default().insert(text(response, "voucher_id").to_owned());
            }
            Call::Sync(t) => syncs.entry(t).or_default().push(f),
            _ => unreachable!(),
        }
    }
    assert_eq!(issued.len(), sends);
    assert!(issued.values().all(|ids| ids.len() == 1), "a duplicate or a retry issued a second voucher");
    let vouchers: Vec<String> = issued.values().flatten().cloned().collect();
    assert_eq!(vouchers.iter().collect::<BTreeSet<_>>().len(), sends, "two out_biz_nos share a voucher");
    for (t, calls) in &syncs {
        let fresh =
            calls.iter().filter(|f| f.result.as_ref().is_ok_and(|r| r.value().get("biz_code").is_none())).count();
        assert!(fresh <= 1, "request_id {} was processed {fresh} times", request_id(*t));
        if fresh == 0 {
            assert!(calls.iter().any(|f| f.lost_an_answer()), "{}: processed, yet no answer says so", request_id(*t));
        }
    }
    vouchers
}

/// Phase 2 came through: each code redeemed under exactly one out_biz_no, the other refused, no
/// voucher redeemed by two codes. Returns the winning out_biz_no of each code, and the used vouchers.
pub fn check_second_phase(done: &[Finished], redeemed: usize) -> (BTreeMap<usize, String>, BTreeSet<String>) {
    let mut outcomes: BTreeMap<usize, (BTreeSet<String>, BTreeSet<String>, usize)> = BTreeMap::new();
    for f in done {
        match (&f.call, &f.result) {
            (Call::Use { code: c, out_biz_no }, Ok(response)) => {
                let entry = outcomes.entry(*c).or_default();
                entry.0.insert(out_biz_no.clone());
                entry.1.insert(text(response, "voucher_id").to_owned());
            }
            (Call::Use { code: c, .. }, Err(Error::Gateway(e))) if e.code == "40004" => {
                assert_eq!(e.sub_code.as_deref(), Some("REQUEST_PARAM_ILLEGAL"), "{c}: {e}");
                outcomes.entry(*c).or_default().2 += 1;
            }
            (Call::Query(_), Ok(response)) => assert!(matches!(text(response, "status"), "ENABLED" | "USED")),
            (call, other) => panic!("{call:?} not recovered: {other:?} {:?}", f.attempts),
        }
    }
    assert_eq!(outcomes.len(), redeemed);
    let (mut winners, mut used) = (BTreeMap::new(), BTreeSet::new());
    for (c, (out_biz_nos, voucher_ids, refused)) in outcomes {
        assert_eq!(out_biz_nos.len(), 1, "code {c} was redeemed under two out_biz_nos");
        assert_eq!(voucher_ids.len(), 1, "code {c}");
        let winner = out_biz_nos.into_iter().next().unwrap();
        let winner_calls = if winner.starts_with('a') { 2 } else { 1 };
        assert_eq!(refused, 3 - winner_calls, "code {c}: the other out_biz_no must be refused");
        winners.insert(c, winner);
        used.insert(voucher_ids.into_iter().next().unwrap());
    }
    assert_eq!(used.len(), redeemed, "two codes redeemed the same voucher");
    (winners, used)
}

/// Nothing lost: `done` queried every voucher (`Call::Query(i)` for `vouchers[i]`); each is used
/// exactly when its code was redeemed, with one bill.
pub fn check_final_state(done: Vec<Finished>, vouchers: &[String], used: &BTreeSet<String>) {
    assert_eq!(done.len(), vouchers.len());
    for f in done {
        let Call::Query(i) = f.call else { unreachable!() };
        let found = f.result.unwrap_or_else(|e| panic!("{}: {e}", vouchers[i]));
        let bills = found.value().get("bill_details").and_then(|b| b.as_array()).map_or(0, Vec::len);
        let expected = if used.contains(&vouchers[i]) { ("USED", 1) } else { ("ENABLED", 0) };
        assert_eq!((text(&found, "status"), bills), expected, "{}", vouchers[i]);
    }
}

/// The pool held exactly one code per out_biz_no: had anything been issued twice, it would have
/// run dry before; now it is, and a new out_biz_no is refused.
pub fn check_pool_used_up(result: &Result<VerifiedResponse, Error>) {
    let sub_code = match result {
        Err(Error::Gateway(e)) => e.sub_code.as_deref(),
        _ => None,
    };
    assert_eq!(sub_code, Some("INVALID_PARAMETER"), "{result:?}");
}
