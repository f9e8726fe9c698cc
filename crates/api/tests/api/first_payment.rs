//! Exactly one payment is a customer's first, whatever the order and timestamps of
//! arrival: ties at one moment go to the smaller vendor payment id, and the
//! out-of-order correction agrees.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, paid, signed_up};

/// How a scenario's events reach Partnerly.
#[derive(Debug, Clone, Copy)]
enum Delivery {
    /// One request per event, in order.
    Single,
    /// All in one batch.
    Batch,
    /// The payments first (deferred), then the sign-up.
    PaymentsFirst,
}

/// Runs a customer with the payments `(id, amount, paid_at)` on a level that pays 25.00
/// flat and 20% on the first payment only, and answers the partner's earned total and
/// the commission lines that still count (payment id, kind, net amount).
async fn earned(payments: &[(&str, &str, &str)], delivery: Delivery) -> (String, Vec<Value>) {
    let app = TestApp::spawn().await;
    app.execute(
        "UPDATE levels SET flat_minor = 2500, duration_kind = 'first_payment', \
         duration_months = NULL",
    );
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    let signup = signed_up("s", "cus_1", Some(&code));
    let pays: Vec<Value> = payments
        .iter()
        .enumerate()
        .map(|(n, (id, amount, at))| paid(&format!("p{n}"), id, "cus_1", amount, at))
        .collect();
    match delivery {
        Delivery::Single => {
            app.applied(&key, &signup).await;
            for p in &pays {
                app.applied(&key, p).await;
            }
        }
        Delivery::PaymentsFirst => {
            for p in &pays {
                app.applied(&key, p).await;
            }
            app.applied(&key, &signup).await;
        }
        Delivery::Batch => {
            let mut events = vec![signup];
            events.extend(pays);
            let reply = app.batch(&key, &events).await;
            assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        }
    }
    let balances = app
        .get_as(&partner.access_token, "/api/v1/me/balances")
        .await;
    let earned = balances.body["balances"][0]["earned"]["amount"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let lines = app
        .get_as(&partner.access_token, "/api/v1/me/commissions")
        .await;
    let counting = lines.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|l| l["amount"]["amount"] != l["reversed"]["amount"])
        .map(|l| json!([l["payment_id"], l["kind"], l["amount"]["amount"]]))
        .collect();
    let mut conn = app.db();
    let report = partnerly_api::ledger_check::run(&mut conn).expect("ledger check");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    (earned, counting)
}

#[actix_web::test]
async fn two_payments_at_the_same_moment_earn_the_first_payment_commission_once() {
    // pay_a (10.00) precedes pay_b (49.00) at the same moment: 25.00 + 20% of 10.00.
    let a = ("pay_a", "10.00", "2026-11-01T00:00:00Z");
    let b = ("pay_b", "49.00", "2026-11-01T00:00:00Z");
    for delivery in [Delivery::Single, Delivery::Batch, Delivery::PaymentsFirst] {
        for order in [[a, b], [b, a]] {
            let (earned, lines) = earned(&order, delivery).await;
            assert_eq!(earned, "27.00", "{delivery:?} {order:?}: {lines:?}");
            let mut lines = lines;
            lines.sort_by_key(|l| l.to_string());
            assert_eq!(
                lines,
                [
                    json!(["pay_a", "flat", "25.00"]),
                    json!(["pay_a", "percent", "2.00"])
                ],
                "{delivery:?} {order:?}"
            );
        }
    }
}

#[actix_web::test]
async fn an_earlier_payment_arriving_late_still_takes_the_first_payment_commission() {
    let early = ("pay_z", "10.00", "2026-10-01T00:00:00Z");
    let late = ("pay_a", "49.00", "2026-11-01T00:00:00Z");
    let (earned, lines) = earned(&[late, early], Delivery::Single).await;
    assert_eq!(earned, "27.00", "{lines:?}");
}

#[actix_web::test]
async fn has_earlier_orders_by_time_then_by_vendor_id() {
    use partnerly_db::payment::Payment;
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    app.applied(&key, &signed_up("s", "cus_1", None)).await;
    for (n, (id, at)) in [
        ("pay_m", "2026-11-02T00:00:00Z"),
        ("pay_b", "2026-11-03T00:00:00Z"),
        ("pay_a", "2026-11-03T00:00:00Z"),
        ("pay_z", "2026-11-01T00:00:00Z"),
    ]
    .into_iter()
    .enumerate()
    {
        app.applied(&key, &paid(&format!("p{n}"), id, "cus_1", "10.00", at))
            .await;
    }
    let mut conn = app.db();
    let payments = Payment::by_external_ids(&mut conn, &["pay_z", "pay_m", "pay_a", "pay_b"])
        .expect("payments");
    let find = |id: &str| payments.iter().find(|p| p.external_id == id).unwrap();
    let customer = find("pay_z").customer_id.expect("a customer");
    for (id, earlier) in [
        ("pay_z", false),
        ("pay_m", true),
        ("pay_a", true),
        ("pay_b", true),
    ] {
        assert_eq!(
            Payment::has_earlier(&mut conn, customer, find(id)).expect("query"),
            earlier,
            "{id}"
        );
    }
    // Only the tie decides between pay_a and pay_b: with the earlier ones gone,
    // pay_a (the smaller id) has none before it and pay_b has pay_a.
    app.execute("DELETE FROM commissions");
    app.execute("DELETE FROM payments WHERE external_id IN ('pay_z', 'pay_m')");
    assert!(!Payment::has_earlier(&mut conn, customer, find("pay_a")).unwrap());
    assert!(Payment::has_earlier(&mut conn, customer, find("pay_b")).unwrap());
    assert!(find("pay_a").precedes(find("pay_b")));
    assert!(!find("pay_b").precedes(find("pay_a")));
    assert!(!find("pay_a").precedes(find("pay_a")));
}
