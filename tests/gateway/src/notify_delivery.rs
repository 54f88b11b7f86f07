//! Delivering `trade_status_sync` notifications as Alipay does: POSTed as a form to `notify_url`
//! in a background task, and re-sent on a schedule until the merchant answers with exactly the body
//! `success`. Every attempt is recorded in the database (`notify_attempts`).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::store::Store;

/// Alipay's documented schedule: after the first attempt, 4m, 10m, 10m, 1h, 2h, 6h, 15h.
pub(crate) const ALIPAY_RETRY_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(4 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(2 * 60 * 60),
    Duration::from_secs(6 * 60 * 60),
    Duration::from_secs(15 * 60 * 60),
];

/// Largest part of a merchant's answer kept in the record.
const KEPT_ANSWER_BYTES: u64 = 256;

/// One signed notification, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub notify_id: String,
    pub url: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// When to re-send and how long one attempt may take.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    pub retry_after: Vec<Duration>,
    pub timeout: Duration,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Attempt {
    http_status: Option<u16>,
    outcome: String,
}

impl Attempt {
    fn delivered(&self) -> bool {
        self.outcome == "success"
    }
}

/// Starts delivering in the background (on the current Tokio runtime).
pub(crate) fn spawn(store: Arc<Store>, schedule: Schedule, delivery: Delivery) {
    tokio::spawn(async move {
        let waits = std::iter::once(Duration::ZERO).chain(schedule.retry_after.iter().copied());
        for (number, wait) in (1u32..).zip(waits) {
            tokio::time::sleep(wait).await;
            let (sending, timeout) = (delivery.clone(), schedule.timeout);
            let attempt = tokio::task::spawn_blocking(move || send(&sending, timeout))
                .await
                .unwrap_or_else(|_| Attempt { http_status: None, outcome: "the delivery task failed".to_owned() });
            let store = Arc::clone(&store);
            let notify_id = delivery.notify_id.clone();
            let recorded = attempt.clone();
            // A failed record does not stop the deliveries: the merchant's view matters more.
            let _ = tokio::task::spawn_blocking(move || {
                store.record_attempt(&notify_id, number, now_millis(), recorded.http_status, &recorded.outcome)
            })
            .await;
            if attempt.delivered() {
                break;
            }
        }
    });
}

fn send(delivery: &Delivery, timeout: Duration) -> Attempt {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .build()
        .new_agent();
    let answer = agent.post(&delivery.url).header("content-type", &delivery.content_type).send(&delivery.body[..]);
    match answer {
        Err(e) => Attempt { http_status: None, outcome: format!("no answer: {e}") },
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.into_body().with_config().limit(KEPT_ANSWER_BYTES).read_to_vec();
            let outcome = match body {
                Ok(bytes) if status == 200 && bytes == b"success" => "success".to_owned(),
                Ok(bytes) => format!("answered {status}: {}", String::from_utf8_lossy(&bytes)),
                Err(e) => format!("answered {status}, body unreadable: {e}"),
            };
            Attempt { http_status: Some(status), outcome }
        }
    }
}

fn now_millis() -> i64 {
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    i64::try_from(millis).unwrap_or(i64::MAX)
}
