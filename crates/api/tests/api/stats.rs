//! The partner's dashboard figures, `GET /api/v1/me/stats`: customers by status, sales,
//! revenue net of refunds, and the progress to the next level for each kind of threshold.

use partnerly_domain::account::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, paid, refunded, signed_up};

/// A program level above the default one, with `threshold`.
async fn add_level(app: &TestApp, threshold: Value) {
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    let program_id = app.default_program_id(&manager).await;
    let reply = app
        .post_as(
            &manager.access_token,
            &format!("/api/v1/admin/programs/{program_id}/levels"),
            &json!({"name": "Bronze", "position": 2, "track": "referral", "percent": "30",
                    "duration": {"kind": "lifetime"}, "threshold": threshold}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}

async fn membership_stats(app: &TestApp, partner: &Session) -> Value {
    let reply = app.get_as(&partner.access_token, "/api/v1/me/stats").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["memberships"][0].clone()
}

#[actix_web::test]
async fn progress_to_a_paying_customers_level_counts_each_paying_customer_once() {
    let app = TestApp::spawn().await;
    add_level(&app, json!({"kind": "paying_customers", "count": 3})).await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let key = app.billing_key();
    let code = app.default_code(&partner).await;
    for i in 1..=3 {
        app.applied(
            &key,
            &signed_up(&format!("s{i}"), &format!("cus_{i}"), Some(&code)),
        )
        .await;
    }
    let before = membership_stats(&app, &partner).await;
    assert_eq!(
        before["customers"],
        json!({"active": 3, "frozen": 0, "deleted": 0, "paying": 0})
    );
    assert_eq!(before["next_level"]["progress"], "0");
    assert_eq!(before["next_level"]["remaining"], "3 more paying customers");

    // Two payments of one customer: one paying customer, two sales.
    for (event, payment, at) in [
        ("p1", "pay_1", "2026-11-01T10:00:00Z"),
        ("p2", "pay_2", "2026-12-01T10:00:00Z"),
    ] {
        app.applied(&key, &paid(event, payment, "cus_1", "10.00", at))
            .await;
    }
    let one = membership_stats(&app, &partner).await;
    assert_eq!(one["customers"]["paying"], 1);
    assert_eq!(one["successful_sales"], 2);
    assert_eq!(one["next_level"]["name"], "Bronze");
    assert_eq!(one["next_level"]["percent"], "30");
    assert_eq!(one["next_level"]["progress"], "0.3333");
    assert_eq!(one["next_level"]["remaining"], "2 more paying customers");

    app.applied(
        &key,
        &paid("p3", "pay_3", "cus_2", "10.00", "2026-11-02T10:00:00Z"),
    )
    .await;
    let two = membership_stats(&app, &partner).await;
    assert_eq!(two["next_level"]["progress"], "0.6667");
    assert_eq!(two["next_level"]["remaining"], "1 more paying customer");
}

#[actix_web::test]
async fn progress_to_a_sales_volume_level_and_revenue_are_net_of_refunds() {
    let app = TestApp::spawn().await;
    add_level(&app, json!({"kind": "sales_volume", "amount": "1000"})).await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let other = app.signup("Grace Hopper", "grace@example.com").await;
    let key = app.billing_key();
    let code = app.default_code(&partner).await;
    let other_code = app.default_code(&other).await;
    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(&key, &signed_up("s2", "cus_2", Some(&code)))
        .await;
    app.applied(&key, &signed_up("s3", "cus_3", Some(&other_code)))
        .await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "300.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    app.applied(
        &key,
        &paid("p2", "pay_2", "cus_2", "200.00", "2026-11-02T10:00:00Z"),
    )
    .await;
    // Another partner's customer counts only for them.
    app.applied(
        &key,
        &paid("p3", "pay_3", "cus_3", "900.00", "2026-11-02T10:00:00Z"),
    )
    .await;
    app.applied(&key, &refunded("r1", "pay_1", "50.00")).await;

    let m = membership_stats(&app, &partner).await;
    assert_eq!(
        m["customers"],
        json!({"active": 2, "frozen": 0, "deleted": 0, "paying": 2})
    );
    assert_eq!(m["successful_sales"], 2);
    assert_eq!(
        m["revenue"],
        json!([{"amount": "450.00", "currency": "USD"}])
    );
    assert_eq!(m["next_level"]["progress"], "0.45");
    assert_eq!(m["next_level"]["remaining"], "550.00 USD more in sales");

    let theirs = membership_stats(&app, &other).await;
    assert_eq!(theirs["successful_sales"], 1);
    assert_eq!(
        theirs["revenue"],
        json!([{"amount": "900.00", "currency": "USD"}])
    );
    assert_eq!(
        theirs["next_level"]["remaining"],
        "100.00 USD more in sales"
    );
}
