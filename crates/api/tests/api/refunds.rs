//! Refunds and chargebacks carry the billing system's own id: the same refund reported
//! again under a new event id reverses nothing twice.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, paid};

fn refund(id: &str, refund_id: Option<&str>, amount: &str) -> Value {
    json!({"id": id, "type": "payment.refunded", "occurred_at": "2026-11-05T10:00:00Z",
           "data": {"payment_id": "pay_1", "refund_id": refund_id, "amount": amount}})
}

async fn pending(app: &TestApp, token: &str) -> String {
    let reply = app.get_as(token, "/api/v1/me/balances").await;
    reply.body["balances"][0]["pending"]["amount"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A partner whose customer paid 50.00 (10.00 pending at 20%).
async fn setup() -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let partner = app.partner_with_customer(&key).await;
    app.applied(
        &key,
        &paid("e2", "pay_1", "cus_1", "50.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    (app, key, partner.access_token)
}

#[actix_web::test]
async fn a_refund_sent_again_under_a_new_event_id_reverses_once() {
    let (app, key, token) = setup().await;
    let first = app
        .applied(&key, &refund("r1", Some("re_1"), "25.00"))
        .await;
    assert_eq!(first["effects"]["commissions_reversed"], 1);
    assert_eq!(pending(&app, &token).await, "5.00");

    let again = app
        .applied(&key, &refund("r1-retry", Some("re_1"), "25.00"))
        .await;
    assert_eq!(again["status"], "applied");
    assert_eq!(again["effects"]["refund"], "already_recorded");
    assert_eq!(
        pending(&app, &token).await,
        "5.00",
        "nothing reversed twice"
    );

    // Another refund of the same payment is another refund.
    app.applied(&key, &refund("r2", Some("re_2"), "25.00"))
        .await;
    assert_eq!(pending(&app, &token).await, "0.00");
}

#[actix_web::test]
async fn a_refund_id_reused_with_another_amount_is_422_refund_conflict() {
    let (app, key, token) = setup().await;
    app.applied(&key, &refund("r1", Some("re_1"), "25.00"))
        .await;
    let reply = app.event(&key, &refund("r2", Some("re_1"), "10.00")).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    assert_eq!(reply.error(), "refund_conflict");
    assert_eq!(pending(&app, &token).await, "5.00");
}

#[actix_web::test]
async fn a_refund_may_name_the_payments_currency_in_any_case_but_not_another() {
    let (app, key, token) = setup().await;
    let with = |id: &str, currency: &str| {
        json!({"id": id, "type": "payment.refunded", "occurred_at": "2026-11-05T10:00:00Z",
               "data": {"payment_id": "pay_1", "amount": "5.00", "currency": currency}})
    };
    app.applied(&key, &with("r1", "USD")).await;
    app.applied(&key, &with("r2", "usd")).await;
    let other = app.event(&key, &with("r3", "EUR")).await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        other.body
    );
    assert!(
        other
            .field_error("data.currency")
            .is_some_and(|m| m.contains("USD")),
        "{:?}",
        other.body
    );
    assert_eq!(pending(&app, &token).await, "8.00");
}

#[actix_web::test]
async fn refunds_without_an_id_are_still_applied_once_per_event_id() {
    let (app, key, token) = setup().await;
    app.applied(&key, &refund("r1", None, "25.00")).await;
    app.applied(&key, &refund("r1", None, "25.00")).await;
    assert_eq!(pending(&app, &token).await, "5.00");
}

#[actix_web::test]
async fn a_refund_and_a_chargeback_are_told_apart() {
    let (app, key, token) = setup().await;
    app.applied(&key, &refund("r1", Some("re_1"), "10.00"))
        .await;
    // The same id reported as a chargeback is not the same reversal.
    let mut chargeback = refund("c1", Some("re_1"), "10.00");
    chargeback["type"] = json!("payment.charged_back");
    let reply = app.event(&key, &chargeback).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        reply.body
    );
    assert_eq!(reply.error(), "refund_conflict");
    // A chargeback of its own reverses like a refund.
    let mut chargeback = refund("c2", Some("cb_1"), "10.00");
    chargeback["type"] = json!("payment.charged_back");
    app.applied(&key, &chargeback).await;
    assert_eq!(pending(&app, &token).await, "6.00");
}

#[actix_web::test]
async fn refund_amounts_are_positive_plain_decimals_below_the_limit() {
    let (app, key, token) = setup().await;
    for (n, amount, message) in [
        (1, "0", "A positive amount, like \"24.50\"."),
        (2, "0.00", "A positive amount, like \"24.50\"."),
        (3, "-1.00", "A positive amount, like \"24.50\"."),
        (4, " 1.00", "A positive amount, like \"24.50\"."),
        (5, "1e2", "A positive amount, like \"24.50\"."),
        (
            6,
            "1000000000000",
            "An amount must be less than 1,000,000,000,000 (in the currency's major unit).",
        ),
    ] {
        let reply = app
            .event(&key, &refund(&format!("r{n}"), None, amount))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
        assert_eq!(reply.field_error("data.amount"), Some(message), "{amount}");
    }
    // The smallest positive amount is a refund.
    app.applied(&key, &refund("r7", None, "0.01")).await;
    assert_eq!(pending(&app, &token).await, "10.00");
}
