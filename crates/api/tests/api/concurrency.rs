//! Requests about the same customers at the same moment, as several API instances on
//! one PostgreSQL database receive them: the outcome must be that of some order of
//! the requests, one after the other. (SQLite runs writers one at a time anyway.)

use partnerly_domain::account::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, paid, refunded, signed_up};

const CUSTOMERS: usize = 60;

async fn batch(app: &TestApp, key: &str, events: Vec<Value>) -> Vec<Value> {
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/events/batch"))
                .bearer_auth(key)
                .json(&json!({ "events": events })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["results"].as_array().expect("results").clone()
}

fn all_applied(results: &[Value]) {
    for r in results {
        assert_eq!(r["status"], "applied", "{r}");
    }
}

async fn pending(app: &TestApp, token: &str) -> (String, u64) {
    let balances = app.get_as(token, "/api/v1/me/balances").await;
    assert_eq!(balances.status, StatusCode::OK, "{:?}", balances.body);
    let lines = app
        .get_as(token, "/api/v1/me/commissions?status=pending&per_page=1")
        .await;
    assert_eq!(lines.status, StatusCode::OK, "{:?}", lines.body);
    (
        balances.body["balances"][0]["pending"]["amount"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        lines.body["total"].as_u64().unwrap_or_default(),
    )
}

#[actix_web::test]
async fn concurrent_batches_about_the_same_customers_apply_one_after_the_other() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    let t = &manager.access_token;
    let program_id = app.default_program_id(&manager).await;
    // A flat amount on the first payment only: a payment that wrongly believes it is
    // the customer's first shows as a second line.
    let program = app
        .get_as(t, &format!("/api/v1/admin/programs/{program_id}"))
        .await;
    let default_level = program.body["levels"][0]["id"].clone();
    let removed = app
        .delete_as(t, &format!("/api/v1/admin/levels/{default_level}"))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{:?}", removed.body);
    let iron = app
        .post_as(
            t,
            &format!("/api/v1/admin/programs/{program_id}/levels"),
            &json!({"name": "Iron", "position": 1, "track": "referral",
                    "flat_first_payment": "25.00", "duration": {"kind": "first_payment"}}),
        )
        .await;
    assert_eq!(iron.status, StatusCode::CREATED, "{:?}", iron.body);

    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    all_applied(
        &batch(
            &app,
            &key,
            (0..CUSTOMERS)
                .map(|c| signed_up(&format!("su{c}"), &format!("cus_{c}"), Some(&code)))
                .collect(),
        )
        .await,
    );

    // Each customer pays twice, in two batches sent at once: whichever commits
    // first, exactly one line per customer (on the earlier payment) stays pending.
    let payments = |tag: &str, day: u8| -> Vec<Value> {
        (0..CUSTOMERS)
            .map(|c| {
                paid(
                    &format!("{tag}{c}"),
                    &format!("pay_{tag}{c}"),
                    &format!("cus_{c}"),
                    "100.00",
                    &format!("2026-11-{day:02}T10:00:00Z"),
                )
            })
            .collect()
    };
    let (a, b) = futures_util::future::join(
        batch(&app, &key, payments("a", 1)),
        batch(&app, &key, payments("b", 2)),
    )
    .await;
    all_applied(&a);
    all_applied(&b);
    let after_payments = pending(&app, &partner.access_token).await;
    assert_eq!(
        after_payments,
        (format!("{}.00", 25 * CUSTOMERS), CUSTOMERS as u64),
        "one flat amount per customer"
    );

    // Two refunds of 30.00 of every first payment at once: 60% of each line goes
    // back, not 30%.
    let refunds = |tag: &str| -> Vec<Value> {
        (0..CUSTOMERS)
            .map(|c| refunded(&format!("{tag}{c}"), &format!("pay_a{c}"), "30.00"))
            .collect()
    };
    let (r1, r2) = futures_util::future::join(
        batch(&app, &key, refunds("r1_")),
        batch(&app, &key, refunds("r2_")),
    )
    .await;
    all_applied(&r1);
    all_applied(&r2);
    assert_eq!(
        pending(&app, &partner.access_token).await,
        (format!("{}.00", 10 * CUSTOMERS), CUSTOMERS as u64),
        "both refunds counted"
    );

    // The hold-release job racing a third refund: either order leaves the line's
    // remaining 10% of the payment split correctly between pending and available.
    let release = {
        let app = &app;
        async move {
            actix_web::rt::task::spawn_blocking({
                let mut conn = app.db();
                move || {
                    partnerly_engine::commissions::release_due(
                        &mut conn,
                        partnerly_db::to_db(time::macros::datetime!(2027-01-01 0:00 UTC)),
                    )
                }
            })
            .await
            .expect("job thread")
            .expect("release job")
        }
    };
    let (released, r3) =
        futures_util::future::join(release, batch(&app, &key, refunds("r3_"))).await;
    all_applied(&r3);
    assert!(released <= CUSTOMERS, "{released}");
    let balances = app
        .get_as(&partner.access_token, "/api/v1/me/balances")
        .await;
    let b = &balances.body["balances"][0];
    let total =
        |name: &str| -> String { b[name]["amount"].as_str().unwrap_or_default().to_owned() };
    // 90% of every payment is refunded: 2.50 of each 25.00 line is left, wherever it is.
    let pending_minor: i64 = total("pending").replace('.', "").parse().unwrap();
    let available_minor: i64 = total("available").replace('.', "").parse().unwrap();
    assert!(pending_minor >= 0 && available_minor >= 0, "{b}");
    assert_eq!(
        pending_minor + available_minor,
        250 * CUSTOMERS as i64,
        "{b}"
    );
}

#[actix_web::test]
async fn customer_locks_named_in_any_order_never_deadlock() {
    let app = TestApp::spawn().await;
    // Two writers start together, again and again, to lock the same customers named
    // in opposite orders: taken in the order named, the locks would deadlock.
    let names: Vec<String> = (0..2000).map(|c| format!("cus_{c}")).collect();
    let start = std::sync::Arc::new(std::sync::Barrier::new(2));
    let writer = |reversed: bool| {
        let mut conn = app.db();
        let start = start.clone();
        let mut names = names.clone();
        if reversed {
            names.reverse();
        }
        std::thread::spawn(move || {
            let named: Vec<&str> = names.iter().map(String::as_str).collect();
            for _ in 0..20 {
                start.wait();
                partnerly_db::write_transaction(&mut conn, |c| {
                    partnerly_db::conn::lock_customers(c, &named, &[])
                })
                .expect("locks taken without a deadlock");
            }
        })
    };
    let (a, b) = (writer(false), writer(true));
    a.join().expect("first writer");
    b.join().expect("second writer");
}
