//! What no client and no bug may do: leave the pool holding a connection in a
//! transaction, make readiness lie, or reach a panic or an overflow with the value of
//! any field of an event.

use std::sync::{Arc, Barrier};

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};
use partnerly_db::{Backend, DbConn, DbUrl};
use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, paid, signed_up};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// How many accounts have `email`, read over a connection of its own (not the pool's),
/// so only committed rows count.
fn committed_users(app: &TestApp, email: &str) -> i64 {
    let url = DbUrl::parse(&app.state.config.database_url).expect("url");
    let mut conn = url.connect().expect("a fresh connection");
    let count: Count = diesel::sql_query(format!(
        "SELECT COUNT(*) AS n FROM users WHERE email = '{email}'"
    ))
    .get_result(&mut conn)
    .expect("count");
    count.n
}

#[actix_web::test]
async fn a_panic_inside_a_transaction_leaves_every_later_write_working_and_committed() {
    let app = TestApp::spawn().await;
    // Every pooled connection (the test pool has 4) panics at once inside a transaction;
    // one of them has written, which on SQLite takes the write lock.
    let pool = app.state.pool.clone();
    let barrier = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let (pool, barrier) = (pool.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().expect("conn");
                let conn: &mut DbConn = &mut conn;
                let _ = conn.transaction::<(), diesel::result::Error, _>(|c| {
                    barrier.wait();
                    if i == 0 {
                        c.batch_execute(
                            "INSERT INTO rate_limit_hits (bucket, window_start, hits) VALUES ('x', 0, 1)",
                        )?;
                    }
                    panic!("a bug inside a write transaction");
                });
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().is_err(), "the thread panicked");
    }

    for n in 0..3 {
        let email = format!("after-{n}@example.com");
        app.signup("After Panic", &email).await;
        assert_eq!(committed_users(&app, &email), 1, "the write was committed");
    }
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{:?}", ready.body);
}

#[actix_web::test]
async fn readiness_fails_while_the_database_cannot_take_a_write() {
    let app = TestApp::spawn().await;
    if app.state.pool.get().expect("conn").backend() != Backend::Sqlite {
        // PostgreSQL: a read-only server is refused by `pg_current_xact_id()`, which
        // this test cannot make of the shared test server.
        return;
    }
    assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
    let url = DbUrl::parse(&app.state.config.database_url).expect("url");
    let mut holder = url.connect().expect("conn");
    holder
        .batch_execute("BEGIN IMMEDIATE")
        .expect("take the write lock");
    let ready = app.get("/readyz").await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        ready.body
    );
    assert_eq!(ready.body["error"], "unavailable");
    holder.batch_execute("ROLLBACK").expect("release");
    assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn times_at_the_end_of_the_calendar_are_422_with_the_field_named() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    app.applied(&key, &signed_up("e1", "cus_1", None)).await;
    let cases = [
        (
            json!({"id": "t1", "type": "customer.signed_up", "occurred_at": "9999-12-31T23:59:59-01:00",
                   "data": {"customer_id": "cus_2"}}),
            "occurred_at",
        ),
        (
            paid("t2", "pay_1", "cus_1", "10.00", "9999-12-31T00:00:00Z"),
            "occurred_at",
        ),
        (
            json!({"id": "t3", "type": "payment.succeeded", "occurred_at": "2026-11-01T00:00:00Z",
                   "data": {"payment_id": "pay_2", "customer_id": "cus_1", "amount": "10.00",
                            "currency": "USD", "paid_at": "9999-06-01T00:00:00Z"}}),
            "data.paid_at",
        ),
        (
            json!({"id": "t4", "type": "subscription.updated", "occurred_at": "2026-11-01T00:00:00Z",
                   "data": {"customer_id": "cus_1", "ends_at": "0000-01-01T00:00:00+01:00"}}),
            "data.ends_at",
        ),
    ];
    for (event, field) in cases {
        let reply = app.event(&key, &event).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{event}: {:?}",
            reply.body
        );
        assert!(
            reply
                .field_error(field)
                .is_some_and(|m| m.contains("1970-01-01")),
            "{field}: {:?}",
            reply.body
        );
    }
    // The last accepted moment is accepted, and its hold period still fits.
    let last = paid("t5", "pay_3", "cus_1", "10.00", "9998-12-31T23:59:59Z");
    app.applied(&key, &last).await;
}

#[actix_web::test]
async fn refunds_that_would_overflow_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    app.applied(&key, &signed_up("e1", "cus_1", None)).await;
    app.applied(
        &key,
        &paid(
            "e2",
            "pay_1",
            "cus_1",
            "999999999999.99",
            "2026-11-01T10:00:00Z",
        ),
    )
    .await;
    for (n, amount) in ["92233720368547758.07", "1000000000000", "999999999999.99"]
        .iter()
        .enumerate()
    {
        let reply = app
            .event(
                &key,
                &json!({"id": format!("r{n}"), "type": "payment.refunded", "occurred_at": "2026-11-02T00:00:00Z",
                        "data": {"payment_id": "pay_1", "amount": amount}}),
            )
            .await;
        if n < 2 {
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{amount}: {:?}",
                reply.body
            );
            assert!(
                reply.field_error("data.amount").is_some(),
                "{:?}",
                reply.body
            );
        } else {
            assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        }
    }
    let again = app
        .event(
            &key,
            &json!({"id": "r9", "type": "payment.refunded", "occurred_at": "2026-11-02T00:00:00Z",
                    "data": {"payment_id": "pay_1", "amount": "999999999999.99"}}),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        again.body
    );
    assert_eq!(again.error(), "refund_exceeds_payment");
    let mut conn = app.db();
    let conn: &mut DbConn = &mut conn;
    let refunded: Count =
        diesel::sql_query("SELECT refunded_minor AS n FROM payments WHERE external_id = 'pay_1'")
            .get_result(conn)
            .expect("payment");
    assert_eq!(refunded.n, 99_999_999_999_999);
}

/// Values at and past the edges of every field type an event carries.
fn extreme_text() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("")),
        Just(json!(" ")),
        Just(json!("x".repeat(201))),
        Just(json!("é".repeat(5_000))),
        Just(json!("\u{0}")),
        "[a-z0-9_]{1,12}".prop_map(Value::from),
        Just(json!(null)),
        Just(json!(12)),
        Just(json!(["a"])),
    ]
}

fn extreme_time() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("9999-12-31T23:59:59-23:59")),
        Just(json!("9999-12-31T23:59:59-01:00")),
        Just(json!("0000-01-01T00:00:00+23:59")),
        Just(json!("1969-12-31T23:59:59Z")),
        Just(json!("9998-12-31T23:59:59.999999999Z")),
        Just(json!("2026-02-30T00:00:00Z")),
        Just(json!("2026-11-01T10:00:00Z")),
        Just(json!("2026-11-01T10:00:00+14:00")),
        Just(json!("yesterday")),
        Just(json!(1_767_225_600)),
    ]
}

fn extreme_amount() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("0")),
        Just(json!("-1.00")),
        Just(json!("0.001")),
        Just(json!("1e3")),
        Just(json!("999999999999.99")),
        Just(json!("1000000000000")),
        Just(json!("9223372036854775807")),
        Just(json!("79228162514264337593543950335")),
        Just(json!("792281625142643375935439503350")),
        Just(json!("NaN")),
        Just(json!(49.99)),
        (1_i64..100_000_000).prop_map(|m| json!(format!("{}.{:02}", m / 100, m % 100))),
    ]
}

fn extreme_count() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(120)),
        Just(json!(121)),
        Just(json!(65_535)),
        Just(json!(65_536)),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        Just(json!(1.5)),
        Just(json!("12")),
    ]
}

fn extreme_event() -> impl Strategy<Value = Value> {
    let kinds = prop_oneof![
        Just("customer.signed_up"),
        Just("payment.succeeded"),
        Just("payment.refunded"),
        Just("payment.charged_back"),
        Just("customer.status_changed"),
        Just("subscription.updated"),
        Just("payment.exploded"),
    ];
    (
        kinds,
        extreme_text(),
        extreme_time(),
        (extreme_text(), extreme_text(), extreme_text()),
        (extreme_amount(), extreme_text(), extreme_count(), extreme_time()),
        (0_u8..4, any::<bool>()),
    )
        .prop_map(|(kind, id, occurred_at, (customer, payment, other), (amount, currency, months, when), (known, upper))| {
            // Some events name the customer and payment that exist, so they get past the
            // lookups and into the arithmetic.
            let customer = if known > 1 { json!("cus_known") } else { customer };
            let payment = if known > 1 { json!("pay_known") } else { payment };
            let currency = if known == 3 { json!(if upper { "USD" } else { "usd" }) } else { currency };
            let data = match kind {
                "customer.signed_up" => json!({"customer_id": customer, "email": other, "name": other,
                                               "ref_code": other, "click_id": other, "promo_code": other}),
                "payment.succeeded" => json!({"payment_id": payment, "customer_id": customer, "amount": amount,
                                              "currency": currency, "period_months": months, "paid_at": when}),
                "payment.refunded" | "payment.charged_back" => {
                    json!({"payment_id": payment, "amount": amount, "refund_id": other, "currency": currency})
                }
                "customer.status_changed" => json!({"customer_id": customer, "status": other}),
                _ => json!({"customer_id": customer, "plan": other, "ends_at": when,
                            "balance": {"amount": amount, "currency": currency}}),
            };
            json!({"id": id, "type": kind, "occurred_at": occurred_at, "data": data})
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(16),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_value_of_any_event_field_gets_a_5xx_or_breaks_a_later_write(
        events in proptest::collection::vec(extreme_event(), 1..12),
        as_batch in any::<bool>(),
    ) {
        let system = actix_web::rt::System::new();
        system.block_on(async {
            let app = TestApp::spawn().await;
            let key = app.billing_key();
            app.applied(&key, &signed_up("known-1", "cus_known", None)).await;
            app.applied(&key, &paid("known-2", "pay_known", "cus_known", "50.00", "2026-11-01T10:00:00Z")).await;
            let replies = if as_batch {
                vec![app.batch(&key, &events).await]
            } else {
                let mut replies = Vec::new();
                for event in &events {
                    replies.push(app.event(&key, event).await);
                }
                replies
            };
            for reply in &replies {
                assert!(reply.status.as_u16() < 500, "{} {:?}", reply.status, reply.body);
            }
            // A write still goes through, and the books still balance.
            let after = app.event(&key, &signed_up("after", "cus_after", None)).await;
            assert_eq!(after.status, StatusCode::OK, "{:?}", after.body);
            let mut conn = app.db();
            let report = partnerly_api::ledger_check::run(&mut conn).expect("ledger check");
            assert!(report.problems.is_empty(), "{:?}", report.problems);
        });
    }
}
