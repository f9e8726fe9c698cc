//! Outgoing webhooks (I2): the admin routes, and delivery to a small HTTP receiver run
//! by the test (`webhook_support`) that checks every signature with its own HMAC.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use diesel::prelude::*;
use partnerly_db::audit::{AuditEntry, AuditFilter};
use partnerly_db::write_transaction;
use partnerly_domain::account::Role;
use partnerly_engine::webhooks::enqueue_raw;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::webhook_support::{
    Receiver, assert_signed, create_endpoint, deliveries, emit, make_due, seconds_until,
    wait_for_delivery,
};

#[actix_web::test]
async fn admins_create_list_change_and_delete_webhook_endpoints() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let token = &admin.access_token;

    let created = app
        .post_as(
            token,
            "/api/v1/admin/webhooks",
            &json!({
                "url": "https://billing.example.com/hooks",
                "description": " Billing ",
                "events": ["commission.reversed", "commission.created"],
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    let secret = created.body["secret"].as_str().unwrap();
    assert_eq!(
        BASE64
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap()
            .len(),
        32
    );
    assert_eq!(created.body["description"], "Billing");
    assert_eq!(
        created.body["events"],
        json!(["commission.created", "commission.reversed"])
    );
    assert_eq!(created.body["active"], true);

    let masked = format!("whsec_…{}", &secret[secret.len() - 4..]);
    let list = app.get_as(token, "/api/v1/admin/webhooks").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["secret"], masked.as_str());
    let one = app
        .get_as(token, &format!("/api/v1/admin/webhooks/{id}"))
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["secret"], masked.as_str());
    assert_eq!(one.body["url"], "https://billing.example.com/hooks");

    let changed = app
        .patch_as(
            token,
            &format!("/api/v1/admin/webhooks/{id}"),
            &json!({"url": "https://crm.example.com/in", "events": ["*"], "active": false}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.body["url"], "https://crm.example.com/in");
    assert_eq!(changed.body["events"], json!(["*"]));
    assert_eq!(changed.body["active"], false);
    assert_eq!(changed.body["description"], "Billing");
    assert_eq!(changed.body["secret"], masked.as_str());

    let rotated = app
        .post_as(
            token,
            &format!("/api/v1/admin/webhooks/{id}/rotate-secret"),
            &json!({}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().unwrap();
    assert!(new_secret.starts_with("whsec_") && new_secret != secret);

    let deleted = app
        .delete_as(token, &format!("/api/v1/admin/webhooks/{id}"))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let path = format!("/api/v1/admin/webhooks/{id}");
    assert_eq!(app.get_as(token, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.patch_as(token, &path, &json!({"active": true}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete_as(token, &path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_as(token, "/api/v1/admin/webhooks/abc").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn invalid_endpoints_are_rejected_with_field_errors() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let token = &admin.access_token;

    let reply = app
        .post_as(
            token,
            "/api/v1/admin/webhooks",
            &json!({"url": "ftp://example.com/in", "events": ["payment.made"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error(), "validation_failed");
    assert!(reply.field_error("url").is_some(), "{:?}", reply.body);
    assert!(
        reply
            .field_error("events")
            .unwrap()
            .contains("payment.made"),
        "{:?}",
        reply.body
    );

    for (body, field) in [
        (json!({"url": "/relative", "events": ["*"]}), "url"),
        (json!({"url": "example.com", "events": ["*"]}), "url"),
        (
            json!({"url": "https://example.com", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://example.com", "events": ["*"], "description": "x".repeat(501)}),
            "description",
        ),
    ] {
        let reply = app.post_as(token, "/api/v1/admin/webhooks", &body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            reply.field_error(field).is_some(),
            "{body}: {:?}",
            reply.body
        );
    }

    let unknown = app
        .post_as(
            token,
            "/api/v1/admin/webhooks",
            &json!({"url": "https://example.com", "events": ["*"], "secret": "mine"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    let (id, _) = create_endpoint(&app, &admin, "https://example.com/in", json!(["*"])).await;
    let reply = app
        .patch_as(
            token,
            &format!("/api/v1/admin/webhooks/{id}"),
            &json!({"url": "mailto:ops@example.com", "events": ["webhook.test"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.field_error("url").is_some());
    assert!(reply.field_error("events").is_some());
    let unchanged = app
        .get_as(token, &format!("/api/v1/admin/webhooks/{id}"))
        .await;
    assert_eq!(unchanged.body["url"], "https://example.com/in");
}

#[actix_web::test]
async fn partners_and_other_staff_cannot_manage_webhooks() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let (id, _) = create_endpoint(&app, &admin, "https://example.com/in", json!(["*"])).await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let finance = app.staff(Role::Finance, "fin@example.com").await;
    for session in [&partner, &finance] {
        let token = &session.access_token;
        let list = app.get_as(token, "/api/v1/admin/webhooks").await;
        assert_eq!(list.status, StatusCode::FORBIDDEN);
        assert_eq!(list.error(), "forbidden");
        let create = app
            .post_as(
                token,
                "/api/v1/admin/webhooks",
                &json!({"url": "https://evil.example.com", "events": ["*"]}),
            )
            .await;
        assert_eq!(create.status, StatusCode::FORBIDDEN);
        let delete = app
            .delete_as(token, &format!("/api/v1/admin/webhooks/{id}"))
            .await;
        assert_eq!(delete.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.get("/api/v1/admin/webhooks").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn an_event_is_delivered_with_standard_webhooks_headers_and_a_valid_signature() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    let (id, secret) =
        create_endpoint(&app, &admin, &receiver.url, json!(["commission.created"])).await;

    let data = json!({"commission_id": 42, "amount": "12.50", "currency": "EUR"});
    assert_eq!(emit(&app, "commission.created", data.clone()), 1);

    let requests = receiver.wait_for(1).await;
    let request = &requests[0];
    assert_eq!(request.path, "/hooks");
    assert_signed(request, &secret);
    let body: Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body["type"], "commission.created");
    assert_eq!(body["data"], data);
    assert!(seconds_until(&body["timestamp"]).abs() < 60);
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["data", "timestamp", "type"]
    );

    let delivery = wait_for_delivery(&app, &admin, id, |d| d["status"] == "delivered").await;
    assert_eq!(
        delivery["message_id"],
        request.headers["webhook-id"].as_str()
    );
    assert_eq!(delivery["event_type"], "commission.created");
    assert_eq!(delivery["payload"], body);
    assert_eq!(delivery["last_status_code"], 200);
    assert!(delivery["next_attempt_at"].is_null());
    assert!(delivery["delivered_at"].is_string());
    let attempts = delivery["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["status_code"], 200);
    assert_eq!(attempts[0]["response_snippet"], "ok");
    assert!(attempts[0]["error"].is_null());
    assert!(attempts[0]["duration_ms"].as_i64().unwrap() >= 0);
}

#[actix_web::test]
async fn a_failing_receiver_is_retried_on_schedule_and_every_answer_is_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    receiver.fail_next(2);
    let (id, secret) = create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    emit(&app, "customer.attributed", json!({"customer_id": "cus_1"}));

    let first = wait_for_delivery(&app, &admin, id, |d| {
        d["attempts"].as_array().unwrap().len() == 1
    })
    .await;
    assert_eq!(first["status"], "pending");
    assert_eq!(first["last_status_code"], 500);
    assert_eq!(first["last_response"], "receiver says no");
    let wait = seconds_until(&first["next_attempt_at"]);
    assert!((0..=5).contains(&wait), "retry in {wait} s, not 5 s");
    let attempt = &first["attempts"][0];
    assert_eq!(attempt["status_code"], 500);
    assert_eq!(attempt["response_snippet"], "receiver says no");

    let delivery_id = first["id"].as_i64().unwrap();
    make_due(&app, delivery_id);
    let second = wait_for_delivery(&app, &admin, id, |d| {
        d["attempts"].as_array().unwrap().len() == 2
    })
    .await;
    assert_eq!(second["status"], "pending");
    let wait = seconds_until(&second["next_attempt_at"]);
    assert!((290..=300).contains(&wait), "retry in {wait} s, not 5 min");

    make_due(&app, delivery_id);
    let done = wait_for_delivery(&app, &admin, id, |d| d["status"] == "delivered").await;
    let codes: Vec<_> = done["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].clone())
        .collect();
    assert_eq!(codes, [json!(500), json!(500), json!(200)]);
    assert!(done["last_error"].is_null());

    let requests = receiver.received();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_signed(request, &secret);
        assert_eq!(
            request.headers["webhook-id"],
            requests[0].headers["webhook-id"]
        );
        assert_eq!(request.body, requests[0].body);
    }
}

#[actix_web::test]
async fn a_delivery_fails_after_the_eighth_attempt_and_a_redelivery_sends_it_again() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    receiver.fail_next(usize::MAX);
    let (id, secret) = create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    emit(&app, "commission.reversed", json!({"commission_id": 7}));

    let mut delivery = Value::Null;
    for attempt in 1..=8 {
        delivery = wait_for_delivery(&app, &admin, id, |d| {
            d["attempts"].as_array().unwrap().len() == attempt
        })
        .await;
        if attempt < 8 {
            assert_eq!(delivery["status"], "pending", "after attempt {attempt}");
            make_due(&app, delivery["id"].as_i64().unwrap());
        }
    }
    assert_eq!(delivery["status"], "failed");
    assert!(delivery["next_attempt_at"].is_null());
    assert_eq!(delivery["last_status_code"], 500);
    // Failed deliveries are not retried any more.
    make_due(&app, delivery["id"].as_i64().unwrap());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.received().len(), 8);
    let failed = app
        .get_as(
            &admin.access_token,
            &format!("/api/v1/admin/webhooks/{id}/deliveries?status=failed"),
        )
        .await;
    assert_eq!(failed.body["total"], 1);

    receiver.fail_next(0);
    let redeliver = app
        .post_as(
            &admin.access_token,
            &format!(
                "/api/v1/admin/webhooks/deliveries/{}/redeliver",
                delivery["id"]
            ),
            &json!({}),
        )
        .await;
    assert_eq!(
        redeliver.status,
        StatusCode::ACCEPTED,
        "{:?}",
        redeliver.body
    );
    assert_eq!(redeliver.body["status"], "pending");
    let delivered = wait_for_delivery(&app, &admin, id, |d| d["status"] == "delivered").await;
    assert_eq!(delivered["attempts"].as_array().unwrap().len(), 9);
    let requests = receiver.wait_for(9).await;
    assert_signed(&requests[8], &secret);
    assert_eq!(requests[8].body, requests[0].body);

    let missing = app
        .post_as(
            &admin.access_token,
            "/api/v1/admin/webhooks/deliveries/999999/redeliver",
            &json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_unreachable_endpoint_records_the_connection_error() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (id, _) = create_endpoint(
        &app,
        &admin,
        &format!("http://127.0.0.1:{port}/hooks"),
        json!(["*"]),
    )
    .await;
    emit(&app, "partner.level_changed", json!({"level": "Gold"}));
    let delivery = wait_for_delivery(&app, &admin, id, |d| {
        d["attempts"].as_array().unwrap().len() == 1
    })
    .await;
    assert_eq!(delivery["status"], "pending");
    assert!(delivery["last_status_code"].is_null());
    assert!(delivery["last_error"].is_string(), "{delivery}");
    let attempt = &delivery["attempts"][0];
    assert!(attempt["status_code"].is_null());
    assert!(attempt["error"].as_str().unwrap().len() > 10, "{attempt}");
}

#[actix_web::test]
async fn the_test_message_goes_to_one_endpoint_whatever_it_subscribes_to() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let target = Receiver::start().await;
    let other = Receiver::start().await;
    let (id, secret) =
        create_endpoint(&app, &admin, &target.url, json!(["commission.created"])).await;
    create_endpoint(&app, &admin, &other.url, json!(["*"])).await;

    let reply = app
        .post_as(
            &admin.access_token,
            &format!("/api/v1/admin/webhooks/{id}/test"),
            &json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    assert_eq!(reply.body["event_type"], "webhook.test");
    assert_eq!(reply.body["endpoint_id"], id);

    let requests = target.wait_for(1).await;
    assert_signed(&requests[0], &secret);
    let body: Value = serde_json::from_str(&requests[0].body).unwrap();
    assert_eq!(body["type"], "webhook.test");
    assert_eq!(body["data"]["endpoint_id"], id);
    wait_for_delivery(&app, &admin, id, |d| d["status"] == "delivered").await;
    assert!(other.received().is_empty());

    let missing = app
        .post_as(
            &admin.access_token,
            "/api/v1/admin/webhooks/999999/test",
            &json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn endpoints_get_only_the_event_types_they_subscribe_to() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let commissions = Receiver::start().await;
    let everything = Receiver::start().await;
    let customers = Receiver::start().await;
    let (commissions_id, _) = create_endpoint(
        &app,
        &admin,
        &commissions.url,
        json!(["commission.created", "commission.reversed"]),
    )
    .await;
    let (everything_id, _) = create_endpoint(&app, &admin, &everything.url, json!(["*"])).await;
    let (customers_id, _) =
        create_endpoint(&app, &admin, &customers.url, json!(["customer.attributed"])).await;

    assert_eq!(emit(&app, "commission.created", json!({"n": 1})), 2);
    let a = commissions.wait_for(1).await;
    let b = everything.wait_for(1).await;
    // One message, one id, to every subscriber.
    assert_eq!(a[0].headers["webhook-id"], b[0].headers["webhook-id"]);
    assert_eq!(a[0].body, b[0].body);
    wait_for_delivery(&app, &admin, commissions_id, |d| d["status"] == "delivered").await;
    wait_for_delivery(&app, &admin, everything_id, |d| d["status"] == "delivered").await;
    assert!(deliveries(&app, &admin, customers_id).await.is_empty());
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(customers.received().is_empty());
}

#[actix_web::test]
async fn inactive_endpoints_get_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    let (id, _) = create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    let paused = app
        .patch_as(
            &admin.access_token,
            &format!("/api/v1/admin/webhooks/{id}"),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(paused.status, StatusCode::OK);

    assert_eq!(emit(&app, "client_bonus.granted", json!({"bonus": 1})), 0);
    let test = app
        .post_as(
            &admin.access_token,
            &format!("/api/v1/admin/webhooks/{id}/test"),
            &json!({}),
        )
        .await;
    assert_eq!(test.status, StatusCode::CONFLICT);
    assert_eq!(test.error(), "endpoint_inactive");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(receiver.received().is_empty());
    assert!(deliveries(&app, &admin, id).await.is_empty());
}

#[actix_web::test]
async fn messages_queued_before_a_pause_wait_until_the_endpoint_is_active_again() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    let (id, _) = create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    let path = format!("/api/v1/admin/webhooks/{id}");
    // Queue and pause in one go, before the sender can run.
    {
        let mut conn = app.db();
        write_transaction::<_, diesel::result::Error, _>(&mut conn, |conn| {
            enqueue_raw(conn, "commission.available", &json!({"commission_id": 3}))?;
            diesel::sql_query(format!(
                "UPDATE webhook_endpoints SET active = FALSE WHERE id = {id}"
            ))
            .execute(conn)?;
            Ok(())
        })
        .unwrap();
    }
    app.state.webhooks_queued.notify_one();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(receiver.received().is_empty());
    assert_eq!(deliveries(&app, &admin, id).await[0]["status"], "pending");

    app.patch_as(&admin.access_token, &path, &json!({"active": true}))
        .await;
    receiver.wait_for(1).await;
    wait_for_delivery(&app, &admin, id, |d| d["status"] == "delivered").await;
}

#[actix_web::test]
async fn an_event_queued_in_a_rolled_back_transaction_is_never_sent() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let receiver = Receiver::start().await;
    let (id, _) = create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    {
        let mut conn = app.db();
        let result = write_transaction::<(), _, _>(&mut conn, |conn| {
            assert_eq!(
                enqueue_raw(conn, "commission.created", &json!({"n": 1}))?,
                1,
                "queued inside the transaction"
            );
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(result.is_err());
    }
    app.state.webhooks_queued.notify_one();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(receiver.received().is_empty());
    assert!(deliveries(&app, &admin, id).await.is_empty());
}

#[actix_web::test]
async fn every_endpoint_change_is_audited_without_the_secret() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let token = &admin.access_token;
    let (id, _) = create_endpoint(&app, &admin, "https://example.com/in", json!(["*"])).await;
    let path = format!("/api/v1/admin/webhooks/{id}");
    app.patch_as(token, &path, &json!({"description": "CRM"}))
        .await;
    app.post_as(token, &format!("{path}/rotate-secret"), &json!({}))
        .await;
    app.delete_as(token, &path).await;

    let filter = AuditFilter {
        target_type: Some("webhook_endpoint".into()),
        target_id: Some(id),
        ..Default::default()
    };
    let (mut entries, total) = AuditEntry::list(&mut app.db(), &filter, 0, 100).unwrap();
    assert_eq!(total, 4);
    entries.reverse();
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "webhook_endpoint.create",
            "webhook_endpoint.update",
            "webhook_endpoint.rotate_secret",
            "webhook_endpoint.delete",
        ]
    );
    let admin_id = partnerly_db::user::User::find_by_email(&mut app.db(), "admin@example.com")
        .unwrap()
        .unwrap()
        .id;
    for entry in &entries {
        assert_eq!(entry.actor_id, Some(admin_id));
        for json in [&entry.before_json, &entry.after_json]
            .into_iter()
            .flatten()
        {
            assert!(!json.contains("whsec_"), "{}: {json}", entry.action);
            assert!(!json.contains("secret"), "{}: {json}", entry.action);
        }
    }
    assert!(entries[0].before_json.is_none());
    let update_after: Value =
        serde_json::from_str(entries[1].after_json.as_ref().unwrap()).unwrap();
    assert_eq!(update_after["description"], "CRM");
    let update_before: Value =
        serde_json::from_str(entries[1].before_json.as_ref().unwrap()).unwrap();
    assert_eq!(update_before["description"], "");
    assert!(entries[3].after_json.is_none());
}

#[actix_web::test]
async fn the_delivery_log_pages_filters_and_rejects_bad_queries() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let token = &admin.access_token;
    let receiver = Receiver::start().await;
    let (id, _) = create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    for n in 0..3 {
        emit(&app, "commission.created", json!({"n": n}));
    }
    receiver.wait_for(3).await;
    let path = format!("/api/v1/admin/webhooks/{id}/deliveries");
    let mut page = Value::Null;
    for _ in 0..200 {
        page = app
            .get_as(token, &format!("{path}?status=delivered&per_page=2&page=1"))
            .await
            .body;
        if page["total"] == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["payload"]["data"]["n"], 2, "newest first");
    let second = app
        .get_as(token, &format!("{path}?per_page=2&page=2"))
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(second.body["items"][0]["payload"]["data"]["n"], 0);
    let pending = app.get_as(token, &format!("{path}?status=pending")).await;
    assert_eq!(pending.body["total"], 0);

    for (query, status) in [
        ("?per_page=0", StatusCode::UNPROCESSABLE_ENTITY),
        ("?per_page=101", StatusCode::UNPROCESSABLE_ENTITY),
        ("?page=0", StatusCode::UNPROCESSABLE_ENTITY),
        ("?status=lost", StatusCode::BAD_REQUEST),
        ("?colour=red", StatusCode::BAD_REQUEST),
    ] {
        let reply = app.get_as(token, &format!("{path}{query}")).await;
        assert_eq!(reply.status, status, "{query}: {:?}", reply.body);
    }
    assert_eq!(
        app.get_as(token, "/api/v1/admin/webhooks/999999/deliveries")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn vendor_events_tell_the_vendor_about_attribution_commissions_bonuses_and_level_changes() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let admin = app
        .staff(partnerly_domain::account::Role::Admin, "admin@example.com")
        .await;
    let (_, secret) = create_endpoint(&app, &admin, &receiver.url, json!(["*"])).await;
    // The default program's level pays 20%; give it a $5 client bonus on the first
    // payment and a higher level reached with one paying customer.
    app.execute("UPDATE levels SET bonus_minor = 500, bonus_trigger = 'first_payment'");
    app.execute(
        "INSERT INTO levels (program_id, position, name, track, percent, duration_kind, duration_months, \
         threshold_kind, threshold_value, rule_version, created_at, updated_at) \
         SELECT program_id, 2, 'Gold', 'referral', '30', 'months', 12, 'paying_customers', 1, 1, created_at, updated_at \
         FROM levels WHERE position = 1",
    );
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    app.applied(&key, &crate::helpers::signed_up("e1", "cus_1", Some(&code)))
        .await;
    app.applied(
        &key,
        &crate::helpers::paid("e2", "pay_1", "cus_1", "50.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    app.applied(&key, &crate::helpers::refunded("e3", "pay_1", "50.00"))
        .await;

    let received = receiver.wait_for(5).await;
    let types: Vec<String> = received
        .iter()
        .map(|r| {
            serde_json::from_str::<Value>(&r.body).expect("json")["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    for expected in [
        "customer.attributed",
        "commission.created",
        "client_bonus.granted",
        "partner.level_changed",
        "commission.reversed",
    ] {
        assert!(
            types.iter().any(|t| t == expected),
            "no {expected} in {types:?}"
        );
    }
    for request in &received {
        assert_signed(request, &secret);
        // What is sent is what the document's `WebhookEvent` says, field for field.
        let mut body: Value = serde_json::from_str(&request.body).expect("json");
        body.as_object_mut().expect("object").remove("timestamp");
        let event: partnerly_domain::webhook_event::WebhookEvent =
            serde_json::from_value(body.clone()).expect("a WebhookEvent");
        assert_eq!(serde_json::to_value(&event).unwrap(), body);
    }
    let created = received
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).expect("json"))
        .find(|b| b["type"] == "commission.created")
        .expect("commission.created");
    assert_eq!(
        created["data"]["amount"],
        json!({"amount": "10.00", "currency": "USD"})
    );
    assert_eq!(created["data"]["payment_id"], "pay_1");
}
