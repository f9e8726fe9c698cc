//! Email delivery over SMTP, against a small SMTP server run by the test.

use std::sync::{Arc, Mutex};

use partnerly_domain::account::Role;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::TestApp;

/// A minimal SMTP server: accepts every message and keeps its DATA.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.ok();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buffer) = data.as_mut() {
                        if line == "." {
                            store.lock().expect("lock").push(std::mem::take(buffer));
                            data = None;
                            write.write_all(b"250 2.0.0 queued\r\n").await.ok();
                        } else {
                            buffer.push_str(&line);
                            buffer.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            return;
                        }
                        _ => b"502 unknown\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, received)
}

#[actix_web::test]
async fn queued_emails_are_delivered_over_smtp_and_marked_sent() {
    let (port, received) = fake_smtp().await;
    let app = TestApp::spawn_with(&[
        ("PARTNERLY_SMTP_URL", format!("smtp://127.0.0.1:{port}")),
        (
            "PARTNERLY_SMTP_FROM",
            "Partners <partners@vendor.example>".into(),
        ),
    ])
    .await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    app.post(
        "/api/v1/auth/password-reset",
        &json!({"email": "ada@example.com"}),
    )
    .await;

    let mut sent = None;
    for _ in 0..100 {
        let emails = app.outbox_for(&admin, "ada@example.com").await;
        if let Some(email) = emails.first().filter(|e| !e["sent_at"].is_null()) {
            sent = Some(email.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let sent = sent.expect("the email was marked sent");
    assert_eq!(sent["attempts"], 1);
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains("To: ada@example.com"), "{message}");
    assert!(
        message.contains("From: Partners <partners@vendor.example>"),
        "{message}"
    );
    assert!(
        message.contains("Subject: Reset your Partnerly password"),
        "{message}"
    );
    assert!(message.contains("reset-password?token="), "{message}");
    assert!(
        !message.contains("token=[hidden]"),
        "the person gets the real link"
    );

    // The admin outbox never shows the link once SMTP is configured, and the stored
    // body no longer holds it once sent.
    assert_eq!(sent["contains_secret"], true);
    assert_eq!(sent["secret_shown"], false);
    let shown = sent["body"].as_str().unwrap();
    assert!(shown.contains("reset-password?token=[hidden]"), "{shown}");
    let token = message
        .split("token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the token in the message")
        .to_owned();
    use diesel::RunQueryDsl;
    let mut conn = app.db();
    let conn: &mut partnerly_db::DbConn = &mut conn;
    #[derive(diesel::QueryableByName)]
    struct Body {
        #[diesel(sql_type = diesel::sql_types::Text)]
        body: String,
    }
    let stored: Vec<Body> = diesel::sql_query("SELECT body FROM outbox_emails")
        .load(conn)
        .unwrap();
    assert!(stored.iter().all(|b| !b.body.contains(&token)));
    // Both the request and the reset are in the audit log.
    assert_eq!(app.audit_log("password_reset.request").len(), 1);
}

#[actix_web::test]
async fn an_unreachable_smtp_server_leaves_the_email_queued_with_the_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app =
        TestApp::spawn_with(&[("PARTNERLY_SMTP_URL", format!("smtp://127.0.0.1:{port}"))]).await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    app.post(
        "/api/v1/auth/password-reset",
        &json!({"email": "ada@example.com"}),
    )
    .await;
    let mut failed = None;
    for _ in 0..100 {
        let emails = app.outbox_for(&admin, "ada@example.com").await;
        if let Some(email) = emails.first().filter(|e| e["attempts"] == 1) {
            failed = Some(email.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let failed = failed.expect("one failed attempt recorded");
    assert!(failed["sent_at"].is_null());
    assert!(failed["last_error"].is_string());
    // Not sent yet, but SMTP is configured: the link is not shown.
    assert_eq!(failed["secret_shown"], false);
    assert!(failed["body"].as_str().unwrap().contains("token=[hidden]"));
}

#[actix_web::test]
async fn without_smtp_the_outbox_shows_a_reset_link_marked_as_a_secret() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    // The link read from the outbox works: it was shown as sent.
    let confirm = app
        .reset_password(&admin, "ada@example.com", "a brand new passphrase")
        .await;
    assert_eq!(confirm.status.as_u16(), 204);
    let emails = app.outbox_for(&admin, "ada@example.com").await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["contains_secret"], true);
    assert_eq!(emails[0]["secret_shown"], true);
    assert!(!emails[0]["body"].as_str().unwrap().contains("[hidden]"));
    let completed = app.audit_log("password_reset.complete");
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0].target_type, "user");
    assert_eq!(completed[0].actor_id, completed[0].target_id);
}
