//! 1,000 requests from 16 concurrent clients, duplicates mixed in: nothing is issued or redeemed
//! twice and nothing is lost.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // test code: fails loudly

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use alipay_local_gateway::{GatewayConfig, Ticket, TEMPLATE_EXTERNAL_CODES};
use alipay_openapi::{Error, Request, VerifiedResponse};
use common::{query, send, stock_use, text, ticket_sync, Harness};

const CLIENTS: usize = 16;

#[derive(Debug, Clone)]
enum Call {
    Send(String),
    Sync(String, usize),
    Use(String, String),
    Query(usize),
}

/// A fixed shuffle (xorshift), so that duplicates land on different clients at the same time.
fn shuffle(calls: &mut [Call], mut seed: u64) {
    for i in (1..calls.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        calls.swap(i, usize::try_from(seed % (i as u64 + 1)).unwrap());
    }
}

fn order_no(ticket: usize) -> String {
    format!("2018040411104003010013{ticket:010}")
}

/// Runs `calls` on `CLIENTS` threads; returns each call with its outcome.
fn run(h: &Harness, calls: &[Call], vouchers: &[String]) -> Vec<(Call, Result<VerifiedResponse, Error>)> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(calls.len()));
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            scope.spawn(|| {
                let client = h.client();
                while let Some(call) = calls.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let request: Request = match call {
                        Call::Send(key) => send(TEMPLATE_EXTERNAL_CODES, key),
                        Call::Sync(request_id, ticket) => {
                            ticket_sync(request_id, &format!("T{ticket:08}"), &order_no(*ticket), "0")
                        }
                        Call::Use(code, out_biz_no) => stock_use(code, out_biz_no),
                        Call::Query(i) => query(&vouchers[*i % vouchers.len()]),
                    };
                    let outcome = h.exchange(&client, &request, "").and_then(VerifiedResponse::into_success);
                    results.lock().unwrap().push((call.clone(), outcome));
                }
            });
        }
    });
    results.into_inner().unwrap()
}

#[test]
#[allow(clippy::print_stderr)]
fn concurrent_duplicates_never_double_issue_or_double_redeem() {
    let mut config = GatewayConfig::default();
    config.fixtures.tickets =
        (0..50).map(|t| Ticket { ticket_code: format!("T{t:08}"), order_no: order_no(t), quantity: 1 }).collect();
    let h = Harness::with_config(config);

    // Phase 1: 250 out_biz_nos sent twice each, 50 ticket request_ids synced twice each.
    let mut phase1: Vec<Call> =
        (0..250).flat_map(|k| [Call::Send(format!("cc-{k}")), Call::Send(format!("cc-{k}"))]).collect();
    phase1.extend((0..50).flat_map(|t| [Call::Sync(format!("sync{t}"), t), Call::Sync(format!("sync{t}"), t)]));
    shuffle(&mut phase1, 0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    let results1 = run(&h, &phase1, &[]);

    let mut issued: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut fresh_syncs: HashMap<String, usize> = HashMap::new();
    for (call, outcome) in &results1 {
        let response = outcome.as_ref().unwrap_or_else(|e| panic!("{call:?}: {e}"));
        match call {
            Call::Send(key) => {
                issued.entry(key.clone()).or_default().insert(text(response, "voucher_id").to_owned());
            }
            Call::Sync(request_id, _) => {
                let fresh = response.value().get("biz_code").is_none();
                *fresh_syncs.entry(request_id.clone()).or_default() += usize::from(fresh);
            }
            _ => unreachable!(),
        }
    }
    assert_eq!(issued.len(), 250);
    assert!(issued.values().all(|ids| ids.len() == 1), "a duplicate send issued a second voucher");
    let vouchers: Vec<String> = issued.values().flatten().cloned().collect();
    assert_eq!(vouchers.iter().collect::<BTreeSet<_>>().len(), 250, "two out_biz_nos share a voucher");
    assert!(fresh_syncs.values().all(|n| *n == 1), "each request_id is processed exactly once: {fresh_syncs:?}");

    // Phase 2: 100 codes, each redeemed twice under one out_biz_no and once under another;
    // 100 queries in between.
    let mut phase2: Vec<Call> = (1..=100)
        .flat_map(|c| {
            let code = format!("EXTCODE{c:05}");
            [
                Call::Use(code.clone(), format!("a{c}")),
                Call::Use(code.clone(), format!("a{c}")),
                Call::Use(code, format!("b{c}")),
            ]
        })
        .collect();
    phase2.extend((0..100).map(Call::Query));
    shuffle(&mut phase2, 0xD1B5_4A32_D192_ED03);
    let results2 = run(&h, &phase2, &vouchers);
    let elapsed = started.elapsed();
    let total = results1.len() + results2.len();
    assert_eq!(total, 1000);

    let mut redeemed: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>, usize)> = BTreeMap::new();
    for (call, outcome) in &results2 {
        match (call, outcome) {
            (Call::Use(code, out_biz_no), Ok(response)) => {
                let entry = redeemed.entry(code.clone()).or_default();
                entry.0.insert(out_biz_no.clone());
                entry.1.insert(text(response, "voucher_id").to_owned());
            }
            (Call::Use(code, _), Err(Error::Gateway(e))) => {
                assert_eq!(e.sub_code.as_deref(), Some("REQUEST_PARAM_ILLEGAL"), "{code}: {e}");
                redeemed.entry(code.clone()).or_default().2 += 1;
            }
            (Call::Query(_), Ok(response)) => assert!(matches!(text(response, "status"), "ENABLED" | "USED")),
            (call, other) => panic!("{call:?}: {other:?}"),
        }
    }
    assert_eq!(redeemed.len(), 100);
    let mut used_vouchers = BTreeSet::new();
    for (code, (winners, voucher_ids, refused)) in &redeemed {
        assert_eq!(winners.len(), 1, "{code} was redeemed under two out_biz_nos");
        assert_eq!(voucher_ids.len(), 1, "{code}");
        let winner_attempts = if winners.iter().next().unwrap().starts_with('a') { 2 } else { 1 };
        assert_eq!(*refused, 3 - winner_attempts, "{code}: the other out_biz_no must be refused");
        used_vouchers.insert(voucher_ids.iter().next().unwrap().clone());
    }
    assert_eq!(used_vouchers.len(), 100, "two codes redeemed the same voucher");

    // Nothing lost: every voucher is there, used exactly when its code was redeemed, with one bill.
    for voucher_id in &vouchers {
        let found = h.call(&query(voucher_id)).unwrap();
        let bills = found.value().get("bill_details").and_then(|b| b.as_array()).map_or(0, Vec::len);
        if used_vouchers.contains(voucher_id) {
            assert_eq!((text(&found, "status"), bills), ("USED", 1), "{voucher_id}");
        } else {
            assert_eq!((text(&found, "status"), bills), ("ENABLED", 0), "{voucher_id}");
        }
    }
    eprintln!(
        "concurrency: {total} requests from {CLIENTS} clients in {:.2} s = {:.0} requests/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
}
