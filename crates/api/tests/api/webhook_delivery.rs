//! How webhooks are sent: never to internal addresses unless allowed, concurrently and
//! fairly across endpoints, signed with both secrets while a rotation overlaps, and
//! logged with the exact body that was signed.

use partnerly_domain::account::Role;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::helpers::TestApp;
use crate::webhook_support::{
    Receiver, assert_signed, create_endpoint, deliveries, emit, rotate_secret, wait_for_delivery,
};

/// A Partnerly that may send webhooks only to the documentation network, so that this
/// machine (where the test receivers listen) is refused like any internal address.
async fn strict_app() -> TestApp {
    TestApp::spawn_with(&[(
        "PARTNERLY_WEBHOOK_ALLOW_NETWORKS",
        "203.0.113.0/24".to_owned(),
    )])
    .await
}

#[actix_web::test]
async fn webhooks_are_never_sent_to_loopback_link_local_or_private_addresses_by_default() {
    let app = strict_app().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    let port = receiver
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let cases = [
        // A name that resolves to this machine: refused when resolved, at send time.
        (format!("http://localhost:{port}/hooks"), "loopback"),
        (receiver.url.clone(), "loopback"),
        (
            "http://169.254.169.254/latest/meta-data".to_owned(),
            "link-local",
        ),
        ("http://10.0.0.7/hooks".to_owned(), "private"),
    ];
    for (url, kind) in cases {
        let (id, _) = create_endpoint(&app, &admin, &url, json!(["commission.created"])).await;
        emit(&app, "commission.created", json!({"n": 1}));
        let delivery = wait_for_delivery(&app, &admin, id, |d| {
            !d["attempts"].as_array().unwrap().is_empty()
        })
        .await;
        let error = delivery["attempts"][0]["error"]
            .as_str()
            .unwrap_or_default();
        assert!(
            error.contains("refused") && error.contains(kind),
            "{url}: {error}"
        );
        assert_eq!(delivery["attempts"][0]["status_code"], Value::Null, "{url}");
        app.send(
            app.client
                .delete(app.url(&format!("/api/v1/admin/webhooks/{id}")))
                .bearer_auth(&admin.access_token),
        )
        .await;
    }
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
}

#[actix_web::test]
async fn an_allowed_network_is_a_target() {
    // The test app allows 127.0.0.0/8 (helpers.rs): the receiver gets the message.
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    emit(&app, "commission.created", json!({}));
    receiver.wait_for(1).await;
}

#[actix_web::test]
async fn an_endpoint_that_never_answers_does_not_hold_up_the_others() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    // Accepts connections and never answers: each attempt waits for the 15 s timeout.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}/hooks", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let (silent_id, _) = create_endpoint(&app, &admin, &silent_url, json!(["*"])).await;
    // More messages for the silent endpoint than there are workers, then one for a
    // good endpoint: one worker waits on the silent endpoint, the others go on.
    for n in 0..partnerly_api::webhooks::WORKERS + 2 {
        emit(&app, "commission.created", json!({"n": n}));
    }
    let receiver = Receiver::start().await;
    create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    emit(&app, "commission.available", json!({}));
    // The good endpoint gets its message while the silent one is still being waited
    // for (its first attempt cannot end before 15 s).
    let received = receiver.wait_for(1).await;
    assert!(
        received
            .iter()
            .any(|r| r.body.contains("commission.available"))
    );
    let silent_log = deliveries(&app, &admin, silent_id).await;
    assert!(
        silent_log
            .iter()
            .all(|d| d["attempts"].as_array().unwrap().is_empty()),
        "no attempt of the silent endpoint has ended: {silent_log:?}"
    );
}

#[actix_web::test]
async fn during_a_rotation_both_secrets_sign_and_the_log_shows_the_exact_body() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    let (id, old_secret) = create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    let rotated = rotate_secret(&app, &admin, id).await;
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, old_secret);
    let until = rotated["previous_secret_expires_at"]
        .as_str()
        .expect("an overlap");
    let hours =
        (time::OffsetDateTime::parse(until, &time::format_description::well_known::Rfc3339)
            .unwrap()
            - time::OffsetDateTime::now_utc())
        .whole_minutes();
    assert!((24 * 60 - 2..=24 * 60).contains(&hours), "{until}");
    emit(&app, "commission.created", json!({"b": 1, "a": 2}));
    let request = receiver.wait_for(1).await.remove(0);
    let signatures: Vec<&str> = request.headers["webhook-signature"].split(' ').collect();
    assert_eq!(signatures.len(), 2, "{signatures:?}");
    // A receiver holding either secret verifies the message; the new one signs first.
    for (secret, signature) in [(&new_secret, signatures[0]), (&old_secret, signatures[1])] {
        let mut one = request.clone();
        one.headers
            .insert("webhook-signature".into(), signature.to_owned());
        assert_signed(&one, secret);
    }
    // The log shows the bytes that were signed, not a re-serialised copy.
    let delivery = wait_for_delivery(&app, &admin, id, |d| d["status"] == "delivered").await;
    assert_eq!(delivery["body"], request.body.as_str());
}

#[actix_web::test]
async fn without_an_overlap_the_old_secret_stops_at_once() {
    let app =
        TestApp::spawn_with(&[("PARTNERLY_WEBHOOK_SECRET_OVERLAP_HOURS", "0".to_owned())]).await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    let (id, _) = create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    let rotated = rotate_secret(&app, &admin, id).await;
    assert_eq!(rotated["previous_secret_expires_at"], Value::Null);
    emit(&app, "commission.created", json!({}));
    let request = receiver.wait_for(1).await.remove(0);
    assert_signed(&request, rotated["secret"].as_str().unwrap());
    assert!(
        !request.headers["webhook-signature"].contains(' '),
        "one signature"
    );
}

/// Two instances on one database (the app's own sender and a second one with its own
/// pool, as another server would run): every message reaches every endpoint exactly
/// once, each in one attempt.
#[actix_web::test]
async fn two_instances_on_one_database_never_send_a_message_twice() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let second_wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let second_pool = partnerly_db::DbUrl::parse(&app.state.config.database_url)
        .unwrap()
        .pool(4)
        .unwrap();
    actix_web::rt::spawn(partnerly_api::webhooks::run_sender(
        partnerly_api::webhooks::Sender {
            pool: second_pool,
            wake: second_wake.clone(),
            targets: app.state.config.webhook_targets.clone(),
            secret_overlap: app.state.config.webhook_secret_overlap,
        },
    ));
    let receivers = [
        Receiver::start().await,
        Receiver::start().await,
        Receiver::start().await,
    ];
    for receiver in &receivers {
        create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    }
    const MESSAGES: usize = 40;
    for n in 0..MESSAGES {
        assert_eq!(emit(&app, "commission.created", json!({"n": n})), 3);
        second_wake.notify_one();
    }
    for receiver in &receivers {
        receiver.wait_for(MESSAGES).await;
    }
    // Room for a second copy to arrive, if either instance were to send one.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for receiver in &receivers {
        let received = receiver.received();
        let mut ids: Vec<&str> = received
            .iter()
            .map(|r| r.headers["webhook-id"].as_str())
            .collect();
        ids.sort_unstable();
        let total = ids.len();
        ids.dedup();
        assert_eq!(total, MESSAGES, "one request per message");
        assert_eq!(ids.len(), MESSAGES, "no message twice");
    }
    let mut conn = app.db();
    use diesel::prelude::*;
    use partnerly_db::schema::webhook_deliveries as d;
    let attempts: Vec<i32> = d::table.select(d::attempts).load(&mut conn).unwrap();
    assert_eq!(attempts.len(), 3 * MESSAGES);
    assert!(attempts.iter().all(|a| *a == 1), "{attempts:?}");
}
