//! Outgoing webhooks (I2): messages queued in the transaction that causes them, signed
//! per the Standard Webhooks spec, and the sender that POSTs them with retries.
//!
//! Other code calls `partnerly_engine::webhooks::enqueue` inside its own transaction, so a rolled-back change sends
//! nothing; after the commit it wakes the sender with `state.webhooks_queued`
//! (otherwise the sender finds the message within a second).
//!
//! The sender runs [`WORKERS`] deliveries at once on the shared worker loop
//! ([`crate::worker`]). Each worker claims one due delivery in the database (a lease, so
//! several instances can run side by side), but never one
//! of an endpoint another worker of this process is sending to: an endpoint that does
//! not answer holds one worker for its timeout, and every other endpoint's messages
//! keep going. Targets are checked against [`crate::webhook_target`] on the resolved
//! address at send time.

use std::collections::HashSet;
use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use partnerly_db::webhook::{AttemptOutcome, WebhookDelivery, WebhookEndpoint};
use partnerly_db::{DbPool, write_transaction};
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use sha2::Sha256;
use time::OffsetDateTime;
use tokio::sync::Notify;
use tracing::Instrument;

use crate::webhook_target::{GuardedResolver, TargetPolicy};
use crate::worker::{self, Backoff, Job, WorkError, Workers, with_conn};

/// The event types Partnerly emits; endpoints subscribe to some of them or to `*`.
///
/// - `customer.attributed`: a customer was attributed to a partner.
/// - `commission.created`: a commission was earned (pending its hold period).
/// - `commission.available`: a commission's hold ended; it can be paid out.
/// - `commission.reversed`: a commission was reversed (refund, chargeback, fraud).
/// - `client_bonus.granted`: a partner received a bonus for a client.
/// - `partner.level_changed`: a partner moved to another level.
///
/// `webhook.test` is sent only by "send test message", to one endpoint.
pub const EVENT_TYPES: &[&str] = partnerly_domain::webhook::EVENT_TYPES;

/// After this many failed attempts a delivery is `failed`.
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait before retrying after the 1st, 2nd, ... 7th failed attempt.
pub const RETRY_SCHEDULE: [time::Duration; 7] = [
    time::Duration::seconds(5),
    time::Duration::minutes(5),
    time::Duration::minutes(30),
    time::Duration::hours(2),
    time::Duration::hours(5),
    time::Duration::hours(10),
    time::Duration::hours(10),
];

/// How long one attempt may take, from connecting to the end of the answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// How many deliveries one process sends at once (each to a different endpoint).
pub const WORKERS: usize = 8;

/// How long a sender holds a claimed delivery before another may try it; longer than
/// an attempt can take.
const CLAIM_LEASE: time::Duration = time::Duration::minutes(2);
/// How often the sender looks for due deliveries when nobody wakes it.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How much of an answer's body (and of an error) is kept, in characters.
const SNIPPET_CHARS: usize = 1000;
/// Prefix of endpoint secrets (Standard Webhooks).
const SECRET_PREFIX: &str = "whsec_";

/// A new endpoint secret: `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> String {
    format!(
        "{SECRET_PREFIX}{}",
        BASE64.encode(rand::random::<[u8; 32]>())
    )
}

/// The secret as lists show it: the prefix and the last four characters.
pub fn mask_secret(secret: &str) -> String {
    let tail: String = {
        let chars: Vec<char> = secret.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    };
    format!("{SECRET_PREFIX}…{tail}")
}

/// The `webhook-signature` header value for a message: `v1,` + base64 of
/// HMAC-SHA256 over `"{msg_id}.{timestamp}.{body}"`, keyed with the base64-decoded part
/// of `secret` after `whsec_`. `None` when the secret is not of that form.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = BASE64.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{msg_id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header value with one signature per secret, separated by
/// spaces (Standard Webhooks): during a rotation's overlap the new secret and the old
/// one both sign, so a receiver can switch at its own moment. `None` when a secret
/// cannot sign.
pub fn signatures<'a>(
    secrets: impl IntoIterator<Item = &'a str>,
    msg_id: &str,
    timestamp: i64,
    body: &str,
) -> Option<String> {
    let signed = secrets
        .into_iter()
        .map(|secret| sign(secret, msg_id, timestamp, body))
        .collect::<Option<Vec<_>>>()?;
    (!signed.is_empty()).then(|| signed.join(" "))
}

/// The waits between attempts ([`RETRY_SCHEDULE`]).
pub const RETRY: Backoff = Backoff(&RETRY_SCHEDULE);

/// When to try again after the `failures`-th failed attempt; `None`: give up.
pub fn retry_delay(failures: i32) -> Option<time::Duration> {
    RETRY.after(failures)
}

/// What the sender needs: the database, the wake-up call of [`enqueue`]'s callers,
/// where it may send, and how long a rotated secret still signs. (Not the whole
/// application state: the commission engine queues webhooks, and the state holds the
/// engine's event groups.)
#[derive(Clone)]
pub struct Sender {
    pub pool: DbPool,
    pub wake: Arc<Notify>,
    pub targets: TargetPolicy,
    pub secret_overlap: time::Duration,
}

/// Delivers due webhook messages with [`WORKERS`] workers until the process stops.
pub async fn run_sender(sender: Sender) {
    let client = match reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        // A redirect is an answer other than 2xx: the endpoint's URL should be fixed.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Partnerly-Webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(GuardedResolver::new(sender.targets.clone())))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook HTTP client; webhooks stay queued");
            return;
        }
    };
    let workers = Workers {
        count: WORKERS,
        wake: sender.wake.clone(),
        poll: POLL_INTERVAL,
    };
    let job = Deliveries {
        sender,
        client,
        busy: tokio::sync::Mutex::default(),
    };
    worker::run(Arc::new(job), workers).await;
}

/// The webhook deliveries as a [`Job`]: one claimed delivery per worker, never two
/// workers of this process on one endpoint.
struct Deliveries {
    sender: Sender,
    client: reqwest::Client,
    /// The endpoints this process's workers are sending to.
    busy: tokio::sync::Mutex<HashSet<i64>>,
}

impl Job for Deliveries {
    type Claimed = (WebhookDelivery, WebhookEndpoint);
    const NAME: &'static str = "webhook";

    /// Claims one due delivery of an endpoint no other worker is sending to.
    async fn claim(&self) -> Result<Option<Self::Claimed>, WorkError> {
        // Held while claiming, so two workers never take the same endpoint.
        let mut busy = self.busy.lock().await;
        let skip: Vec<i64> = busy.iter().copied().collect();
        let claimed = with_conn(&self.sender.pool, move |conn| {
            Ok(WebhookDelivery::claim_due(
                conn,
                partnerly_db::now(),
                CLAIM_LEASE,
                &skip,
            )?)
        })
        .await?;
        if let Some((_, endpoint)) = &claimed {
            busy.insert(endpoint.id);
        }
        Ok(claimed)
    }

    async fn run(&self, (delivery, endpoint): Self::Claimed) -> Result<(), WorkError> {
        let endpoint_id = endpoint.id;
        let result = deliver_claimed(&self.sender, &self.client, delivery, &endpoint).await;
        self.busy.lock().await.remove(&endpoint_id);
        result
    }
}

/// Attempts a claimed delivery and records the attempt.
async fn deliver_claimed(
    sender: &Sender,
    client: &reqwest::Client,
    delivery: WebhookDelivery,
    endpoint: &WebhookEndpoint,
) -> Result<(), WorkError> {
    let pool = &sender.pool;
    let span = tracing::info_span!(
        "webhook.delivery",
        webhook.delivery_id = delivery.id,
        webhook.endpoint_id = endpoint.id,
        webhook.message_id = %delivery.message_id,
        webhook.event_type = %delivery.event_type,
    );
    let outcome = attempt(sender, client, endpoint, &delivery)
        .instrument(span.clone())
        .await;
    let attempts = delivery.attempts + 1;
    span.in_scope(|| match (outcome.delivered, &outcome.retry_at) {
        (true, _) => tracing::info!(
            webhook.attempts = attempts,
            http.status = outcome.status_code,
            "webhook delivered"
        ),
        (false, Some(retry_at)) => tracing::warn!(
            webhook.attempts = attempts,
            http.status = outcome.status_code,
            error = outcome.error.as_deref(),
            retry_at = %retry_at,
            "webhook attempt failed; will retry"
        ),
        (false, None) => tracing::warn!(
            webhook.attempts = attempts,
            http.status = outcome.status_code,
            error = outcome.error.as_deref(),
            "webhook delivery failed for good"
        ),
    });
    let recorded = with_conn(pool, move |conn| {
        Ok(write_transaction(conn, |conn| {
            WebhookDelivery::record_attempt(conn, &delivery, &outcome)
        })?)
    })
    .await?;
    if !recorded {
        tracing::info!(parent: &span, "webhook endpoint deleted during the attempt; nothing recorded");
    }
    Ok(())
}

/// POSTs the delivery's message to its endpoint once.
async fn attempt(
    sender: &Sender,
    client: &reqwest::Client,
    endpoint: &WebhookEndpoint,
    delivery: &WebhookDelivery,
) -> AttemptOutcome {
    let attempted_at = partnerly_db::now();
    let started = Instant::now();
    let result = send(sender, client, endpoint, delivery).await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let (status_code, response_snippet, error, delivered) = match result {
        Ok((status, snippet)) => (
            Some(i32::from(status.as_u16())),
            snippet,
            None,
            status.is_success(),
        ),
        Err(error) => (None, None, Some(truncate(&error)), false),
    };
    let retry_at = if delivered {
        None
    } else {
        retry_delay(delivery.attempts + 1).map(|delay| attempted_at + delay)
    };
    AttemptOutcome {
        attempted_at,
        status_code,
        response_snippet,
        error,
        duration_ms,
        delivered,
        retry_at,
    }
}

/// Sends the signed request; the answer's status and the start of its body, or why
/// no answer came.
async fn send(
    sender: &Sender,
    client: &reqwest::Client,
    endpoint: &WebhookEndpoint,
    delivery: &WebhookDelivery,
) -> Result<(reqwest::StatusCode, Option<String>), String> {
    sender.targets.check_url(&endpoint.url)?;
    let now = OffsetDateTime::now_utc();
    let timestamp = now.unix_timestamp();
    let signature = signatures(
        endpoint.signing_secrets(partnerly_db::now()),
        &delivery.message_id,
        timestamp,
        &delivery.payload,
    )
    .ok_or("the endpoint's secret is not a valid whsec_ secret; rotate it")?;
    let mut response = client
        .post(&endpoint.url)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header("webhook-id", &delivery.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(delivery.payload.clone())
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status();
    Ok((status, read_snippet(&mut response).await))
}

/// The first [`SNIPPET_CHARS`] characters of the body, reading no more than needed.
/// A body that cannot be read to the end keeps what arrived.
async fn read_snippet(response: &mut reqwest::Response) -> Option<String> {
    let mut bytes = Vec::new();
    // A UTF-8 character has at most 4 bytes.
    while bytes.len() < SNIPPET_CHARS * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    (!text.is_empty()).then(|| truncate(&text))
}

/// A transport error with its causes, e.g. "error sending request ...: connection refused".
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", REQUEST_TIMEOUT.as_secs());
    }
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn truncate(text: &str) -> String {
    text.chars().take(SNIPPET_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        assert_eq!(
            sign(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                r#"{"test": 2432232314}"#,
            )
            .as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn signatures_match_a_vector_computed_with_python_hmac() {
        // key = bytes(range(32)); base64(hmac.new(key, b"msg.ts.body", sha256).digest())
        assert_eq!(
            sign(
                "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                r#"{"test": 2432232314}"#,
            )
            .as_deref(),
            Some("v1,O4Gjv1HqPqsMrjmczoggs/sWA8gZD0VyHG+fLh4+ktI=")
        );
    }

    #[test]
    fn secrets_without_the_prefix_or_base64_cannot_sign() {
        assert_eq!(sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, "{}"), None);
        assert_eq!(sign("whsec_not base64!", "m", 1, "{}"), None);
    }

    #[test]
    fn new_secrets_carry_32_random_bytes_and_sign() {
        let secret = new_secret();
        let key = BASE64
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        assert_eq!(key.len(), 32);
        assert_ne!(secret, new_secret());
        assert!(sign(&secret, "msg_1", 1, "{}").is_some());
    }

    #[test]
    fn masked_secrets_show_only_the_last_four_characters() {
        assert_eq!(
            mask_secret("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
            "whsec_…Hh8="
        );
        assert_eq!(mask_secret("ab"), "whsec_…ab");
    }

    #[test]
    fn retries_follow_the_schedule_and_stop_after_the_eighth_failure() {
        let delays: Vec<_> = (1..=8).map(retry_delay).collect();
        assert_eq!(
            delays,
            [
                Some(time::Duration::seconds(5)),
                Some(time::Duration::minutes(5)),
                Some(time::Duration::minutes(30)),
                Some(time::Duration::hours(2)),
                Some(time::Duration::hours(5)),
                Some(time::Duration::hours(10)),
                Some(time::Duration::hours(10)),
                None,
            ]
        );
        assert_eq!(retry_delay(0), None);
        assert_eq!(retry_delay(9), None);
    }
}
