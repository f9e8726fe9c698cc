//! The events API end to end: attribution, commissions, hold, refunds, idempotency,
//! deferred payments, batches, keys — and what partners then see.

use reqwest::StatusCode;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::helpers::{TestApp, paid, refunded, signed_up};

fn amount(v: &Value) -> &str {
    v["amount"].as_str().unwrap_or_default()
}

/// A balance's pending, available and earned amounts.
fn figures(b: &Value) -> (&str, &str, &str) {
    (
        amount(&b["pending"]),
        amount(&b["available"]),
        amount(&b["earned"]),
    )
}

async fn balances(app: &TestApp, token: &str) -> Value {
    let reply = app.get_as(token, "/api/v1/me/balances").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["balances"][0].clone()
}

#[actix_web::test]
async fn a_referred_customers_payment_earns_the_level_percentage_held_until_the_hold_ends() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;

    let signup = app
        .applied(&key, &signed_up("e1", "cus_1", Some(&code)))
        .await;
    assert_eq!(signup["status"], "applied");
    assert_eq!(signup["effects"]["attributed"], true);
    let payment = app
        .applied(
            &key,
            &paid("e2", "pay_1", "cus_1", "49.00", "2026-11-01T10:00:00Z"),
        )
        .await;
    assert_eq!(payment["effects"]["commissions"], 1);

    let list = app
        .get_as(&partner.access_token, "/api/v1/me/commissions")
        .await;
    let line = &list.body["items"][0];
    assert_eq!(list.body["total"], 1);
    assert_eq!(amount(&line["amount"]), "9.80");
    assert_eq!(line["status"], "pending");
    assert_eq!(line["rate"], "20");
    assert_eq!(line["payment_id"], "pay_1");
    assert_eq!(amount(&line["payment_amount"]), "49.00");
    assert_eq!(line["customer"], "c***@client.example");
    assert_eq!(
        line["available_at"], "2026-12-02T10:00:00Z",
        "31 days of hold"
    );

    let b = balances(&app, &partner.access_token).await;
    assert_eq!(figures(&b), ("9.80", "0.00", "9.80"));

    assert_eq!(
        app.release_due_at(datetime!(2026-12-02 09:59 UTC)),
        0,
        "not before the hold ends"
    );
    assert_eq!(app.release_due_at(datetime!(2026-12-02 10:00 UTC)), 1);
    assert_eq!(
        app.release_due_at(datetime!(2026-12-03 10:00 UTC)),
        0,
        "released once"
    );
    let b = balances(&app, &partner.access_token).await;
    assert_eq!(figures(&b), ("0.00", "9.80", "9.80"));
    let list = app
        .get_as(
            &partner.access_token,
            "/api/v1/me/commissions?status=available",
        )
        .await;
    assert_eq!(list.body["total"], 1);
}

#[actix_web::test]
async fn the_commission_list_is_dated_ordered_and_filtered_by_the_payments_paid_at() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.partner_with_customer(&key).await;
    // Reported out of order: the newest payment first, so the lines' ids (and the times
    // they were written, today) do not follow the payment dates.
    for event in [
        paid("e2", "pay_nov", "cus_1", "20.00", "2026-11-20T10:00:00Z"),
        paid("e3", "pay_oct_a", "cus_1", "10.00", "2026-10-05T10:00:00Z"),
        paid("e4", "pay_oct_b", "cus_1", "30.00", "2026-10-05T10:00:00Z"),
    ] {
        app.applied(&key, &event).await;
    }
    let today = time::OffsetDateTime::now_utc().date().to_string();

    let list = app
        .get_as(&partner.access_token, "/api/v1/me/commissions")
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let items = list.body["items"].as_array().expect("items");
    let ids = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .map(|c| c["payment_id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    // Newest payment first; the two of the same instant by id, newest first.
    assert_eq!(ids(items), ["pay_nov", "pay_oct_b", "pay_oct_a"]);
    let nov = &items[0];
    assert_eq!(nov["paid_at"], "2026-11-20T10:00:00Z");
    assert_eq!(items[1]["paid_at"], "2026-10-05T10:00:00Z");
    assert_eq!(items[2]["paid_at"], "2026-10-05T10:00:00Z");
    // The line's own time is still there, and it is not the payment's.
    let created = nov["created_at"].as_str().expect("created_at");
    assert!(created.starts_with(&today), "{created} is today");
    assert_ne!(nov["paid_at"], nov["created_at"]);
    assert_eq!(nov["customer"], "c***@client.example");
    assert!(!nov["level_name"].as_str().unwrap_or_default().is_empty());
    assert_eq!(amount(&nov["payment_amount"]), "20.00");
    assert_eq!(amount(&nov["amount"]), "4.00");

    // Pages follow the same order.
    let second = app
        .get_as(
            &partner.access_token,
            "/api/v1/me/commissions?per_page=1&page=2",
        )
        .await;
    assert_eq!(ids(second.body["items"].as_array().unwrap()), ["pay_oct_b"]);
    assert_eq!(second.body["total"], 3);

    // `from` and `to` are payment dates: `from` inclusive, `to` exclusive.
    let page = |query: &'static str| {
        let app = &app;
        let token = partner.access_token.clone();
        async move {
            let reply = app
                .get_as(&token, &format!("/api/v1/me/commissions?{query}"))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{query}: {:?}", reply.body);
            (
                ids(reply.body["items"].as_array().unwrap()),
                reply.body["total"].clone(),
            )
        }
    };
    assert_eq!(
        page("from=2026-11-01T00:00:00Z").await,
        (vec!["pay_nov".to_owned()], json!(1))
    );
    assert_eq!(
        page("to=2026-11-01T00:00:00Z").await,
        (
            vec!["pay_oct_b".to_owned(), "pay_oct_a".to_owned()],
            json!(2)
        )
    );
    assert_eq!(
        page("from=2026-10-05T10:00:00Z&to=2026-11-20T10:00:00Z")
            .await
            .1,
        json!(2),
        "from is inclusive, to exclusive"
    );
    assert_eq!(
        page("from=2026-11-20T10:00:00Z&to=2026-11-20T10:00:01Z").await,
        (vec!["pay_nov".to_owned()], json!(1))
    );
    // Every line was written today, yet none was paid today.
    let since_today = format!("from={today}T00:00:00Z");
    let reply = app
        .get_as(
            &partner.access_token,
            &format!("/api/v1/me/commissions?{since_today}"),
        )
        .await;
    assert_eq!(reply.body["total"], 0, "{:?}", reply.body);
    assert_eq!(reply.body["items"], json!([]));
}

#[actix_web::test]
async fn sending_an_event_again_answers_the_first_result_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.partner_with_customer(&key).await;
    let event = paid("e2", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z");
    let first = app.applied(&key, &event).await;
    let again = app.event(&key, &event).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["status"], "duplicate");
    assert_eq!(again.body["effects"], first["effects"]);
    assert_eq!(
        amount(&balances(&app, &partner.access_token).await["pending"]),
        "20.00"
    );

    // Another key of the same owner shares the idempotency scope.
    let rotated = app.insert_api_key("billing", "events:write");
    assert_eq!(
        app.event(&rotated, &event).await.body["status"],
        "duplicate"
    );
    // A different payment event reusing the payment id is recorded once.
    let other = app
        .applied(
            &key,
            &paid("e3", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
        )
        .await;
    assert_eq!(other["effects"]["payment"], "already_recorded");
    assert_eq!(
        amount(&balances(&app, &partner.access_token).await["pending"]),
        "20.00"
    );
}

#[actix_web::test]
async fn the_same_event_id_with_another_body_is_422_idempotency_conflict() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    app.applied(&key, &signed_up("e1", "cus_1", None)).await;
    let reply = app.event(&key, &signed_up("e1", "cus_2", None)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error(), "idempotency_conflict");
}

#[actix_web::test]
async fn a_payment_before_its_customer_is_deferred_and_applied_when_the_customer_signs_up() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    let early = app
        .event(
            &key,
            &paid("e1", "pay_1", "cus_1", "50.00", "2026-11-01T10:00:00Z"),
        )
        .await;
    assert_eq!(early.status, StatusCode::ACCEPTED);
    assert_eq!(early.body["status"], "deferred");
    assert_eq!(
        app.get_as(&partner.access_token, "/api/v1/me/commissions")
            .await
            .body["total"],
        0
    );

    let signup = app
        .applied(&key, &signed_up("e2", "cus_1", Some(&code)))
        .await;
    assert_eq!(signup["effects"]["deferred_payments_applied"], 1);
    assert_eq!(signup["effects"]["commissions"], 1);
    assert_eq!(
        amount(&balances(&app, &partner.access_token).await["pending"]),
        "10.00"
    );
}

#[actix_web::test]
async fn refunds_reverse_the_commission_proportionally_before_and_after_release() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.partner_with_customer(&key).await;
    app.applied(
        &key,
        &paid("e2", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    app.applied(
        &key,
        &paid("e3", "pay_2", "cus_1", "100.00", "2026-11-02T10:00:00Z"),
    )
    .await;

    // A quarter of pay_1 refunded while pending: 5.00 of its 20.00 comes back.
    let r = app.applied(&key, &refunded("e4", "pay_1", "25.00")).await;
    assert_eq!(r["effects"]["commissions_reversed"], 1);
    let b = balances(&app, &partner.access_token).await;
    assert_eq!(
        (amount(&b["pending"]), amount(&b["earned"])),
        ("35.00", "35.00")
    );

    app.release_due_at(datetime!(2027-01-01 00:00 UTC));
    // pay_2 charged back in full after release: a clawback out of available.
    let chargeback = json!({"id": "e5", "type": "payment.charged_back", "occurred_at": "2027-01-02T00:00:00Z",
                            "data": {"payment_id": "pay_2", "amount": "100.00"}});
    app.applied(&key, &chargeback).await;
    let b = balances(&app, &partner.access_token).await;
    assert_eq!(figures(&b), ("0.00", "15.00", "15.00"));
    let reversed = app
        .get_as(
            &partner.access_token,
            "/api/v1/me/commissions?status=reversed",
        )
        .await;
    assert_eq!(reversed.body["total"], 1);
    assert_eq!(amount(&reversed.body["items"][0]["reversed"]), "20.00");

    // The rest of pay_1, in two parts, reverses exactly the rest of its commission.
    app.applied(&key, &refunded("e6", "pay_1", "37.50")).await;
    app.applied(&key, &refunded("e7", "pay_1", "37.50")).await;
    let b = balances(&app, &partner.access_token).await;
    assert_eq!(
        (amount(&b["available"]), amount(&b["earned"])),
        ("0.00", "0.00")
    );
}

#[actix_web::test]
async fn refunds_of_unknown_payments_or_beyond_the_payment_are_rejected() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let unknown = app.event(&key, &refunded("e1", "pay_x", "1.00")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error(), "unknown_payment");
    app.applied(&key, &signed_up("e2", "cus_1", None)).await;
    app.applied(
        &key,
        &paid("e3", "pay_1", "cus_1", "10.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    let too_much = app.event(&key, &refunded("e4", "pay_1", "10.01")).await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_much.error(), "refund_exceeds_payment");
    // A rejected event records nothing: the same id can be sent again, corrected.
    let fixed = app.event(&key, &refunded("e4", "pay_1", "10.00")).await;
    assert_eq!(fixed.status, StatusCode::OK, "{:?}", fixed.body);
}

#[actix_web::test]
async fn bad_events_get_422_with_a_message_per_field() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let reply = app
        .event(
            &key,
            &json!({"id": "e1", "type": "payment.succeeded", "occurred_at": "2026-11-01T10:00:00Z",
                    "data": {"payment_id": "", "customer_id": "c", "amount": "-5", "currency": "USDX",
                             "paid_at": "2026-11-01T10:00:00Z"}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["data.payment_id", "data.currency"] {
        assert!(
            reply.field_error(field).is_some(),
            "{field}: {:?}",
            reply.body
        );
    }
    let unknown_type = app
        .event(&key, &json!({"id": "e2", "type": "payment.exploded", "occurred_at": "2026-11-01T10:00:00Z", "data": {}}))
        .await;
    assert_eq!(unknown_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown_type.field_error("type").is_some());
    let no_time = app
        .event(
            &key,
            &json!({"id": "e3", "type": "customer.signed_up", "data": {}}),
        )
        .await;
    // An envelope mistake is told like a data mistake: 422, the field named.
    assert_eq!(no_time.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_time.field_error("occurred_at"), Some("Required."));
}

#[actix_web::test]
async fn event_mistakes_name_the_field_in_words_without_rust_types() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let at = "2026-11-01T10:00:00Z";
    let cases = [
        (
            json!({"id": "e1", "type": "payment.succeeded", "occurred_at": at,
                   "data": {"payment_id": "p", "customer_id": "c", "amount": 49, "currency": "USD", "paid_at": at}}),
            "data.amount",
            "Expected a string, got integer 49.",
        ),
        (
            json!({"id": "e2", "type": "payment.succeeded", "occurred_at": at,
                   "data": {"payment_id": "p", "customer_id": "c", "amount": "49.00", "currency": "USD", "paid_at": "yesterday"}}),
            "data.paid_at",
            "Use an RFC 3339 time, like 2026-11-01T00:00:00Z.",
        ),
        (
            json!({"id": "e3", "type": "payment.succeeded", "occurred_at": at,
                   "data": {"customer_id": "c", "amount": "49.00", "currency": "USD", "paid_at": at}}),
            "data.payment_id",
            "Required.",
        ),
        (
            json!({"id": "e4", "type": "payment.succeeded", "occurred_at": "soon", "data": {}}),
            "occurred_at",
            "Use an RFC 3339 time, like 2026-11-01T00:00:00Z.",
        ),
        (
            json!({"id": "e5", "type": "subscription.updated", "occurred_at": at,
                   "data": {"customer_id": "c", "balance": "12.00"}}),
            "data.balance",
            "Expected an object, got string \"12.00\".",
        ),
    ];
    for (event, field, message) in cases {
        let reply = app.event(&key, &event).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{event}");
        assert_eq!(reply.field_error(field), Some(message), "{:?}", reply.body);
    }
    // In a batch, each event's mistakes are named by its position.
    let batch = app
        .post_as(
            &key,
            "/api/v1/events/batch",
            &json!({"events": [
                {"id": "b1", "type": "customer.signed_up", "occurred_at": at, "data": {"customer_id": "c"}},
                {"id": "b2", "type": "customer.signed_up", "data": {"customer_id": "c"}},
            ]}),
        )
        .await;
    assert_eq!(batch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        batch.field_error("events[1].occurred_at"),
        Some("Required.")
    );
    // A bare list says what was sent and what to send.
    let bare = app
        .post_as(&key, "/api/v1/events/batch", &json!([{"id": "b1"}]))
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bare.field_error("events").unwrap().contains("bare list"),
        "{:?}",
        bare.body
    );
}

#[actix_web::test]
async fn unattributed_customers_are_kept_and_earn_nobody_anything() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let signup = app
        .applied(&key, &signed_up("e1", "cus_1", Some("no-such-code")))
        .await;
    assert_eq!(signup["effects"]["attributed"], false);
    app.applied(
        &key,
        &paid("e2", "pay_1", "cus_1", "49.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    assert_eq!(
        app.get_as(&partner.access_token, "/api/v1/me/commissions")
            .await
            .body["total"],
        0
    );
}

#[actix_web::test]
async fn a_promo_code_wins_over_a_ref_code() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let bob = app.signup("Bob Builder", "bob@example.com").await;
    let ada_code = app.default_code(&ada).await;
    let bob_code = app.default_code(&bob).await;
    app.execute(&format!(
        "UPDATE links SET promo_code = 'BOB10' WHERE code = '{bob_code}'"
    ));
    let event = json!({"id": "e1", "type": "customer.signed_up", "occurred_at": "2026-11-01T10:00:00Z",
                       "data": {"customer_id": "cus_1", "ref_code": ada_code, "promo_code": "bob10"}});
    app.applied(&key, &event).await;
    app.applied(
        &key,
        &paid("e2", "pay_1", "cus_1", "10.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    assert_eq!(
        app.get_as(&bob.access_token, "/api/v1/me/commissions")
            .await
            .body["total"],
        1
    );
    assert_eq!(
        app.get_as(&ada.access_token, "/api/v1/me/commissions")
            .await
            .body["total"],
        0
    );
}

#[actix_web::test]
async fn a_partner_never_sees_another_partners_commissions_or_programs() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let bob = app.signup("Bob Builder", "bob@example.com").await;
    let code = app.default_code(&ada).await;
    app.applied(&key, &signed_up("e1", "cus_1", Some(&code)))
        .await;
    app.applied(
        &key,
        &paid("e2", "pay_1", "cus_1", "10.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    assert_eq!(
        app.get_as(&bob.access_token, "/api/v1/me/commissions")
            .await
            .body["total"],
        0
    );
    assert!(
        app.get_as(&bob.access_token, "/api/v1/me/balances")
            .await
            .body["balances"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let bobs_links = app.get_as(&bob.access_token, "/api/v1/links").await;
    assert!(
        bobs_links.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["code"] != code.as_str())
    );
    let other_program = app
        .get_as(&bob.access_token, "/api/v1/me/balances?program_id=999999")
        .await;
    assert_eq!(other_program.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn batches_apply_in_order_and_reject_bad_events_one_by_one() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    let batch = json!({"events": [
        signed_up("b1", "cus_1", Some(&code)),
        paid("b2", "pay_1", "cus_1", "10.00", "2026-11-01T10:00:00Z"),
        refunded("b3", "pay_unknown", "1.00"),
        paid("b4", "pay_2", "cus_1", "20.00", "2026-11-02T10:00:00Z"),
        paid("b2", "pay_1", "cus_1", "10.00", "2026-11-01T10:00:00Z"),
    ]});
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/events/batch"))
                .bearer_auth(&key)
                .json(&batch),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let statuses: Vec<&str> = reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["applied", "applied", "rejected", "applied", "duplicate"]
    );
    assert_eq!(
        reply.body["results"][2]["error"]["error"],
        "unknown_payment"
    );
    assert_eq!(
        amount(&balances(&app, &partner.access_token).await["pending"]),
        "6.00"
    );

    let empty = app
        .send(
            app.client
                .post(app.url("/api/v1/events/batch"))
                .bearer_auth(&key)
                .json(&json!({"events": []})),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn the_events_api_needs_a_valid_key_with_the_events_write_scope() {
    let app = TestApp::spawn().await;
    let event = signed_up("e1", "cus_1", None);
    let none = app
        .send(app.client.post(app.url("/api/v1/events")).json(&event))
        .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let wrong = app.event("pk_live_not-a-key", &event).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let read_only = app.insert_api_key("reporting", "read");
    assert_eq!(
        app.event(&read_only, &event).await.status,
        StatusCode::FORBIDDEN
    );
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    assert_eq!(
        app.event(&partner.access_token, &event).await.status,
        StatusCode::UNAUTHORIZED,
        "a partner token is not an API key"
    );
}

#[actix_web::test]
async fn status_and_subscription_changes_show_in_the_partners_stats() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    for i in 1..=3 {
        app.applied(
            &key,
            &signed_up(&format!("s{i}"), &format!("cus_{i}"), Some(&code)),
        )
        .await;
    }
    let signed_up = app.stored_customer("cus_1").updated_at;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "49.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    let after_payment = app.stored_customer("cus_1").updated_at;
    assert!(
        after_payment > signed_up,
        "the first payment moved updated_at"
    );
    app.applied(&key, &json!({"id": "x1", "type": "customer.status_changed", "occurred_at": "2026-11-05T00:00:00Z",
                              "data": {"customer_id": "cus_2", "status": "frozen"}})).await;
    app.applied(&key, &json!({"id": "x2", "type": "customer.status_changed", "occurred_at": "2026-11-05T00:00:00Z",
                              "data": {"customer_id": "cus_3", "status": "deleted"}})).await;
    let sub = app.applied(&key, &json!({"id": "x3", "type": "subscription.updated", "occurred_at": "2026-11-05T00:00:00Z",
        "data": {"customer_id": "cus_1", "plan": "Business", "ends_at": "2027-11-01T00:00:00Z",
                 "balance": {"amount": "12.00", "currency": "USD"}}})).await;
    assert_eq!(sub["status"], "applied");
    // What the vendor reported is what is stored, and each change moves updated_at.
    let cus_1 = app.stored_customer("cus_1");
    assert_eq!(cus_1.plan.as_deref(), Some("Business"));
    assert_eq!(
        cus_1.subscription_ends_at,
        Some(time::macros::datetime!(2027-11-01 0:00))
    );
    assert_eq!(cus_1.balance_minor, Some(1200));
    assert_eq!(cus_1.balance_currency.as_deref(), Some("USD"));
    assert!(
        cus_1.updated_at > after_payment,
        "the subscription change moved updated_at"
    );
    for id in ["cus_2", "cus_3"] {
        assert!(
            app.stored_customer(id).updated_at > after_payment,
            "{id}: the status change moved updated_at"
        );
    }
    let unknown = app.event(&key, &json!({"id": "x4", "type": "customer.status_changed", "occurred_at": "2026-11-05T00:00:00Z",
                                          "data": {"customer_id": "nobody", "status": "frozen"}})).await;
    assert_eq!(unknown.error(), "unknown_customer");

    let stats = app.get_as(&partner.access_token, "/api/v1/me/stats").await;
    assert_eq!(stats.status, StatusCode::OK, "{:?}", stats.body);
    let m = &stats.body["memberships"][0];
    assert_eq!(
        m["customers"],
        json!({"active": 1, "frozen": 1, "deleted": 1, "paying": 1})
    );
    assert_eq!(m["successful_sales"], 1);
    assert_eq!(m["revenue"][0]["amount"], "49.00");
    assert_eq!(m["current_rate"], "20");
    assert_eq!(m["level"], "Partner");
    assert_eq!(amount(&stats.body["balances"][0]["pending"]), "9.80");
}

#[actix_web::test]
async fn a_new_partner_is_enrolled_in_the_default_program_with_a_default_link() {
    let app = TestApp::spawn().await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let programs = app
        .get_as(&partner.access_token, "/api/v1/me/programs")
        .await;
    assert_eq!(programs.status, StatusCode::OK);
    let m = &programs.body["items"][0];
    assert_eq!(m["program_name"], "Referral program");
    assert_eq!(m["level"]["percent"], "20");
    assert_eq!(
        m["level"]["duration"],
        json!({"kind": "months", "months": 12})
    );
    assert_eq!(m["hold_days"], 31);
    let links = app.get_as(&partner.access_token, "/api/v1/links").await;
    let link = &links.body["items"][0];
    let code = link["code"].as_str().unwrap();
    assert_eq!(code.len(), 10);
    assert_eq!(link["url"], format!("http://portal.test/r/{code}"));
    assert_eq!(link["is_default"], true);
}

#[actix_web::test]
async fn a_batch_of_a_thousand_events_is_accepted_and_a_larger_one_is_refused() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let events: Vec<Value> = (0..1000)
        .map(|i| signed_up(&format!("s{i}"), &format!("cus_{i}"), None))
        .collect();
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/events/batch"))
                .bearer_auth(&key)
                .json(&json!({"events": events})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body["error"]);
    assert_eq!(reply.body["results"].as_array().unwrap().len(), 1000);
    assert!(
        reply.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "applied")
    );

    let too_many: Vec<Value> = (0..1001)
        .map(|i| signed_up(&format!("t{i}"), &format!("cus_t{i}"), None))
        .collect();
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/events/batch"))
                .bearer_auth(&key)
                .json(&json!({"events": too_many})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.field_error("events").is_some());

    let huge = format!(
        r#"{{"events": [], "pad": "{}"}}"#,
        "x".repeat(5 * 1024 * 1024)
    );
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/events/batch"))
                .bearer_auth(&key)
                .header("content-type", "application/json")
                .body(huge),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.body["details"]["limit_bytes"], 4 * 1024 * 1024);
    let not_json = app
        .send(
            app.client
                .post(app.url("/api/v1/events/batch"))
                .bearer_auth(&key)
                .header("content-type", "text/plain")
                .body("x"),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let broken = app
        .send(
            app.client
                .post(app.url("/api/v1/events/batch"))
                .bearer_auth(&key)
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    assert_eq!(broken.error(), "malformed_json");
}

#[actix_web::test]
async fn concurrent_single_events_each_get_their_own_answer_and_apply_once() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    for c in 0..10 {
        app.applied(
            &key,
            &signed_up(&format!("su{c}"), &format!("cus_{c}"), Some(&code)),
        )
        .await;
    }

    // 40 payments, each sent twice at the same moment, with events that must be
    // refused in between: requests arriving together are applied together, and every
    // one must still get the answer for its own event.
    let mut events: Vec<(Value, Option<&str>)> = Vec::new();
    for i in 0..40 {
        let at = format!("2026-11-{:02}T10:00:00Z", 1 + i / 10);
        let event = paid(
            &format!("p{i}"),
            &format!("pay_{i}"),
            &format!("cus_{}", i % 10),
            "49.00",
            &at,
        );
        events.push((event.clone(), None));
        events.push((event, None));
        if i % 10 == 0 {
            events.push((
                refunded(&format!("bad{i}"), "pay_missing", "1.00"),
                Some("unknown_payment"),
            ));
        }
    }
    // One id, two different bodies at once: one is applied, the other refused.
    events.push((
        paid(
            "twin",
            "pay_twin_a",
            "cus_0",
            "10.00",
            "2026-11-10T10:00:00Z",
        ),
        None,
    ));
    events.push((
        paid(
            "twin",
            "pay_twin_b",
            "cus_0",
            "10.00",
            "2026-11-10T10:00:00Z",
        ),
        None,
    ));

    let replies =
        futures_util::future::join_all(events.iter().map(|(e, _)| app.event(&key, e))).await;

    let mut applied = std::collections::BTreeMap::<String, usize>::new();
    let mut twin_refused = 0;
    for ((event, refusal), reply) in events.iter().zip(&replies) {
        let id = event["id"].as_str().unwrap();
        match refusal {
            Some(code) => {
                assert_eq!(
                    reply.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{id}: {:?}",
                    reply.body
                );
                assert_eq!(reply.error(), *code, "{id}");
            }
            None if id == "twin" && reply.status == StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(reply.error(), "idempotency_conflict");
                twin_refused += 1;
            }
            None => {
                assert_eq!(reply.status, StatusCode::OK, "{id}: {:?}", reply.body);
                assert_eq!(reply.body["id"], id, "the answer is for the event sent");
                if reply.body["status"] == "applied" {
                    *applied.entry(id.to_owned()).or_default() += 1;
                } else {
                    assert_eq!(reply.body["status"], "duplicate", "{id}");
                }
            }
        }
    }
    assert_eq!(
        twin_refused, 1,
        "one of the two bodies of one id is refused"
    );
    assert_eq!(applied.len(), 41, "every payment and one twin applied");
    assert!(
        applied.values().all(|n| *n == 1),
        "each applied once: {applied:?}"
    );

    // 40 first-or-later payments at 20% of 49.00, and the twin's 20% of 10.00.
    let list = app
        .get_as(&partner.access_token, "/api/v1/me/commissions?per_page=100")
        .await;
    assert_eq!(list.body["total"], 41);
    let b = balances(&app, &partner.access_token).await;
    assert_eq!(amount(&b["earned"]), "394.00");
}

#[actix_web::test]
async fn a_sign_up_that_is_not_attributed_says_why_in_a_stable_code() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    let why = |reply: &Value| reply["effects"]["not_attributed_because"].clone();

    let none = app.applied(&key, &signed_up("e1", "cus_1", None)).await;
    assert_eq!(none["effects"]["attributed"], false);
    assert_eq!(why(&none), "no_referral");

    let unknown = app
        .applied(&key, &signed_up("e2", "cus_2", Some("NO-SUCH-CODE")))
        .await;
    assert_eq!(why(&unknown), "unknown_code");

    let click = app
        .applied(
            &key,
            &json!({"id": "e3", "type": "customer.signed_up", "occurred_at": "2026-11-01T10:00:00Z",
                    "data": {"customer_id": "cus_3", "click_id": "clk_404"}}),
        )
        .await;
    assert_eq!(why(&click), "unknown_click");

    let attributed = app
        .applied(&key, &signed_up("e4", "cus_4", Some(&code)))
        .await;
    assert_eq!(attributed["effects"]["attributed"], true);
    assert!(why(&attributed).is_null());
    let again = app
        .applied(&key, &signed_up("e5", "cus_4", Some(&code)))
        .await;
    assert_eq!(why(&again), "already_attributed");

    app.execute("UPDATE memberships SET status = 'suspended'");
    let suspended = app
        .applied(&key, &signed_up("e6", "cus_6", Some(&code)))
        .await;
    assert_eq!(suspended["effects"]["attributed"], false);
    assert_eq!(why(&suspended), "membership_suspended");
}

#[actix_web::test]
async fn ids_and_codes_are_at_most_200_characters_without_control_characters() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    // 200 characters (of two bytes each) is the most an id may have.
    let longest = "é".repeat(200);
    let reply = app
        .event(&key, &signup_event(&longest, &longest, &longest))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let too_long = "é".repeat(201);
    let reply = app
        .event(&key, &signup_event("e2", &too_long, &too_long))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.field_error("data.customer_id"),
        Some("At most 200 characters.")
    );
    assert_eq!(
        reply.field_error("data.ref_code"),
        Some("At most 200 characters.")
    );
    let reply = app
        .event(&key, &signup_event("e3", "cus\u{7}bell", "code\u{0}"))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["data.customer_id", "data.ref_code"] {
        assert_eq!(
            reply.field_error(field),
            Some("Control characters are not allowed."),
            "{field}"
        );
    }
    let reply = app
        .event(&key, &signup_event("e4\u{1b}", "cus_4", "c"))
        .await;
    assert_eq!(
        reply.field_error("id"),
        Some("Control characters are not allowed.")
    );
}

fn signup_event(id: &str, customer: &str, code: &str) -> Value {
    json!({"id": id, "type": "customer.signed_up", "occurred_at": "2026-11-01T10:00:00Z",
           "data": {"customer_id": customer, "ref_code": code}})
}
