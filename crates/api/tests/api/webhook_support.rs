//! The webhook tests' receiver (a small HTTP server run by the test that records every
//! request) and helpers shared by `webhooks.rs` and `webhook_delivery.rs`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use partnerly_db::schema::webhook_deliveries;
use partnerly_db::{DbConn, write_transaction};
use partnerly_engine::webhooks::enqueue_raw;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{Session, TestApp};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
}

/// A webhook receiver: answers 200 `ok`, or 500 while it is told to fail.
pub(crate) struct Receiver {
    pub url: String,
    requests: Arc<Mutex<Vec<Received>>>,
    failures_left: Arc<AtomicUsize>,
}

impl Receiver {
    pub(crate) async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let failures_left = Arc::new(AtomicUsize::new(0));
        let (store, failures) = (requests.clone(), failures_left.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (store, failures) = (store.clone(), failures.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut reader = BufReader::new(read);
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).await.is_err() {
                        return;
                    }
                    let path = request_line
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    let mut headers = HashMap::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let line = line.trim_end();
                        if line.is_empty() {
                            break;
                        }
                        if let Some((name, value)) = line.split_once(':') {
                            headers.insert(name.trim().to_lowercase(), value.trim().to_owned());
                        }
                    }
                    let length: usize = headers
                        .get("content-length")
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    store.lock().expect("lock").push(Received {
                        path,
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let fail = failures
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    let (status, body) = if fail {
                        ("500 Internal Server Error", "receiver says no")
                    } else {
                        ("200 OK", "ok")
                    };
                    let response = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\
                         connection: close\r\n\r\n{body}",
                        body.len()
                    );
                    write.write_all(response.as_bytes()).await.ok();
                    write.shutdown().await.ok();
                });
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            requests,
            failures_left,
        }
    }

    /// Answer 500 to the next `n` requests.
    pub(crate) fn fail_next(&self, n: usize) {
        self.failures_left.store(n, Ordering::SeqCst);
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.requests.lock().expect("lock").clone()
    }

    /// Waits (up to 10 s) for at least `n` requests and returns them.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver did not get {n} request(s) in time");
    }
}

/// Checks a request's Standard Webhooks headers and that one of its signatures is by
/// `secret`, computing the HMAC here rather than with the code under test.
pub(crate) fn assert_signed(request: &Received, secret: &str) {
    assert_eq!(request.headers["content-type"], "application/json");
    let id = &request.headers["webhook-id"];
    assert!(
        id.starts_with("msg_") && id.len() == 36,
        "webhook-id {id:?}"
    );
    let timestamp: i64 = request.headers["webhook-timestamp"]
        .parse()
        .expect("webhook-timestamp is unix seconds");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (now - timestamp).abs() < 60,
        "webhook-timestamp {timestamp}"
    );
    let key = BASE64
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("base64 after whsec_");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(format!("{id}.{timestamp}.{}", request.body).as_bytes());
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    // Several signatures are separated by spaces; a receiver accepts any that matches.
    let header = &request.headers["webhook-signature"];
    assert!(
        header.split(' ').any(|signature| signature == expected),
        "{header:?} has no signature by this secret ({expected})"
    );
}

/// An admin, and the receiver's endpoint subscribed to `events`.
pub(crate) async fn create_endpoint(
    app: &TestApp,
    admin: &Session,
    url: &str,
    events: Value,
) -> (i64, String) {
    let reply = app
        .post_as(
            &admin.access_token,
            "/api/v1/admin/webhooks",
            &json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    (
        reply.body["id"].as_i64().expect("an id"),
        reply.body["secret"].as_str().expect("a secret").to_owned(),
    )
}

/// Queues an event as other code does: inside a transaction, then wakes the sender.
pub(crate) fn emit(app: &TestApp, event_type: &str, data: Value) -> usize {
    let mut conn = app.db();
    let queued = write_transaction::<_, diesel::result::Error, _>(&mut conn, |conn| {
        enqueue_raw(conn, event_type, &data)
    })
    .expect("enqueue");
    app.state.webhooks_queued.notify_one();
    queued
}

/// The endpoint's delivery log (first page, newest first).
pub(crate) async fn deliveries(app: &TestApp, admin: &Session, endpoint_id: i64) -> Vec<Value> {
    let reply = app
        .get_as(
            &admin.access_token,
            &format!("/api/v1/admin/webhooks/{endpoint_id}/deliveries"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

/// Waits (up to 10 s) until the newest delivery of the endpoint satisfies `done`.
pub(crate) async fn wait_for_delivery(
    app: &TestApp,
    admin: &Session,
    endpoint_id: i64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..200 {
        if let Some(delivery) = deliveries(app, admin, endpoint_id).await.first()
            && done(delivery)
        {
            return delivery.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the delivery did not reach the expected state: {:?}",
        deliveries(app, admin, endpoint_id).await.first()
    );
}

/// Makes a waiting retry due now instead of minutes or hours from now.
pub(crate) fn make_due(app: &TestApp, delivery_id: i64) {
    let mut conn = app.db();
    let conn: &mut DbConn = &mut conn;
    diesel::update(webhook_deliveries::table.find(delivery_id))
        .set(webhook_deliveries::next_attempt_at.eq(partnerly_db::now()))
        .execute(conn)
        .expect("make due");
    app.state.webhooks_queued.notify_one();
}

pub(crate) fn seconds_until(timestamp: &Value) -> i64 {
    let at = time::OffsetDateTime::parse(
        timestamp.as_str().expect("a timestamp"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("an RFC 3339 timestamp");
    (at - time::OffsetDateTime::now_utc()).whole_seconds()
}

/// Rotates the endpoint's secret; the answer's body.
pub(crate) async fn rotate_secret(app: &TestApp, admin: &Session, endpoint_id: i64) -> Value {
    let reply = app
        .post_as(
            &admin.access_token,
            &format!("/api/v1/admin/webhooks/{endpoint_id}/rotate-secret"),
            &json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}
