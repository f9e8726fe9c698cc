//! Manual adjustments (C7): finance staff credit and debit a partner's available
//! balance; each is one ledger transfer `adjustment:{id}` and one audit entry.

use partnerly_domain::account::Role;
use partnerly_domain::ledger::{AccountKind, Cause};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, json_of, public_id};

async fn available(app: &TestApp, partner: &Session) -> Vec<(String, String)> {
    let reply = app
        .get_as(&partner.access_token, "/api/v1/me/balances")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["balances"]
        .as_array()
        .expect("a list of balances")
        .iter()
        .map(|b| {
            (
                b["currency"].as_str().expect("a currency").to_owned(),
                b["available"]["amount"]
                    .as_str()
                    .expect("an amount")
                    .to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_credit_and_a_debit_change_the_available_balance_and_are_booked_in_the_ledger() {
    let app = TestApp::spawn().await;
    let finance = app.staff(Role::Finance, "finance@example.com").await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership = app.membership_id(&ada).await;

    let credit = app
        .post_as(
            &finance.access_token,
            "/api/v1/admin/adjustments",
            &json!({"membership_id": membership, "amount": "10", "reason": " Welcome bonus "}),
        )
        .await;
    assert_eq!(credit.status, StatusCode::CREATED, "{:?}", credit.body);
    assert_eq!(
        credit.body["amount"],
        json!({"amount": "10.00", "currency": "USD"})
    );
    assert_eq!(credit.body["reason"], "Welcome bonus");
    assert_eq!(credit.body["partner"]["public_id"], public_id(&ada));
    let credit_id = credit.body["id"].as_i64().unwrap();
    assert_eq!(credit.body["ledger_key"], format!("adjustment:{credit_id}"));
    assert_eq!(
        available(&app, &ada).await,
        [("USD".to_owned(), "10.00".to_owned())]
    );

    let debit = app
        .post_as(
            &finance.access_token,
            "/api/v1/admin/adjustments",
            &json!({"membership_id": membership, "amount": "-15.00", "reason": "Duplicate payout"}),
        )
        .await;
    assert_eq!(debit.status, StatusCode::CREATED, "{:?}", debit.body);
    assert_eq!(debit.body["amount"]["amount"], "-15.00");
    let debit_id = debit.body["id"].as_i64().unwrap();
    assert_eq!(
        available(&app, &ada).await,
        [("USD".to_owned(), "-5.00".to_owned())],
        "a debit may take available below zero (a clawback)"
    );

    let mut conn = app.db();
    let transfers = partnerly_db::ledger::all(&mut conn).unwrap();
    drop(conn);
    let booked: Vec<_> = transfers
        .iter()
        .filter(|t| t.cause_type == Cause::Adjustment)
        .map(|t| {
            (
                t.key.clone(),
                t.from_membership,
                t.from_kind,
                t.to_membership,
                t.to_kind,
                t.amount_minor,
                t.currency.clone(),
            )
        })
        .collect();
    assert_eq!(
        booked,
        [
            (
                format!("adjustment:{credit_id}"),
                None,
                AccountKind::Adjustments,
                Some(membership),
                AccountKind::Available,
                1000,
                "USD".to_owned()
            ),
            (
                format!("adjustment:{debit_id}"),
                Some(membership),
                AccountKind::Available,
                None,
                AccountKind::Adjustments,
                1500,
                "USD".to_owned()
            ),
        ]
    );

    let log = app.audit_log("adjustment.create");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].target_id, Some(debit_id));
    assert_eq!(log[0].reason.as_deref(), Some("Duplicate payout"));
    assert_eq!(log[0].before_json, None);
    assert_eq!(json_of(&log[0].after_json)["amount"]["amount"], "-15.00");
    assert_eq!(json_of(&log[1].after_json)["amount"]["amount"], "10.00");

    let list = app
        .get_as(
            &finance.access_token,
            &format!("/api/v1/admin/adjustments?membership_id={membership}"),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["items"][0]["id"], debit_id, "newest first");
    let others = app
        .get_as(
            &finance.access_token,
            "/api/v1/admin/adjustments?membership_id=999999",
        )
        .await;
    assert_eq!(others.body["total"], 0);
    let paged = app
        .get_as(
            &finance.access_token,
            "/api/v1/admin/adjustments?per_page=1&page=2",
        )
        .await;
    assert_eq!(paged.body["items"][0]["id"], credit_id);
}

#[actix_web::test]
async fn an_adjustment_in_another_currency_is_booked_in_that_currency() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership = app.membership_id(&ada).await;
    let reply = app
        .post_as(
            &admin.access_token,
            "/api/v1/admin/adjustments",
            &json!({"membership_id": membership, "amount": "5", "currency": "eur",
                    "reason": "Event prize"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(
        reply.body["amount"],
        json!({"amount": "5.00", "currency": "EUR"})
    );
    assert_eq!(
        available(&app, &ada).await,
        [("EUR".to_owned(), "5.00".to_owned())]
    );
}

#[actix_web::test]
async fn adjustments_need_a_known_membership_a_non_zero_amount_and_a_reason() {
    let app = TestApp::spawn().await;
    let finance = app.staff(Role::Finance, "finance@example.com").await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership = app.membership_id(&ada).await;
    let post = |body: Value| {
        let app = &app;
        let token = finance.access_token.clone();
        async move {
            app.post_as(&token, "/api/v1/admin/adjustments", &body)
                .await
        }
    };
    let cases = [
        (
            json!({"membership_id": 999_999, "amount": "5", "reason": "r"}),
            vec!["membership_id"],
        ),
        (
            json!({"membership_id": membership, "amount": "0.00", "reason": ""}),
            vec!["amount", "reason"],
        ),
        (
            json!({"membership_id": membership, "amount": "1.005", "reason": "r"}),
            vec!["amount"],
        ),
        (
            json!({"membership_id": membership, "amount": "ten", "reason": "r"}),
            vec!["amount"],
        ),
        (
            json!({"membership_id": membership, "amount": "5", "currency": "EURO", "reason": "r"}),
            vec!["currency"],
        ),
        (
            json!({"membership_id": membership, "amount": "5", "reason": "r".repeat(501)}),
            vec!["reason"],
        ),
    ];
    for (body, fields) in cases {
        let reply = post(body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        for field in fields {
            assert!(
                reply.field_error(field).is_some(),
                "{field}: {:?}",
                reply.body
            );
        }
    }
    let unknown =
        post(json!({"membership_id": membership, "amount": "5", "reason": "r", "to": "x"})).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(available(&app, &ada).await.is_empty(), "nothing was booked");
    assert!(app.audit_log("adjustment.create").is_empty());
}

#[actix_web::test]
async fn managers_and_partners_cannot_adjust_balances() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership = app.membership_id(&ada).await;
    let body = json!({"membership_id": membership, "amount": "100", "reason": "Because"});
    for token in [&manager.access_token, &ada.access_token] {
        let create = app.post_as(token, "/api/v1/admin/adjustments", &body).await;
        assert_eq!(create.status, StatusCode::FORBIDDEN, "{:?}", create.body);
        let list = app.get_as(token, "/api/v1/admin/adjustments").await;
        assert_eq!(list.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.post("/api/v1/admin/adjustments", &body).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(available(&app, &ada).await.is_empty());
}

#[actix_web::test]
async fn an_adjustment_retried_with_its_idempotency_key_is_booked_once() {
    let app = TestApp::spawn().await;
    let finance = app.staff(Role::Finance, "finance@example.com").await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership = app.membership_id(&ada).await;
    let body = json!({"membership_id": membership, "amount": "10.00", "reason": "Welcome bonus"});
    let send = |key: &'static str, body: Value| {
        app.send(
            app.client
                .post(app.url("/api/v1/admin/adjustments"))
                .bearer_auth(&finance.access_token)
                .header("Idempotency-Key", key)
                .json(&body),
        )
    };
    let first = send("adj-1", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let retries = futures_util::future::join_all((0..5).map(|_| send("adj-1", body.clone()))).await;
    for retry in &retries {
        assert_eq!(retry.status, StatusCode::CREATED, "{:?}", retry.body);
        assert_eq!(retry.body["id"], first.body["id"]);
        assert_eq!(retry.headers["idempotent-replayed"], "true");
    }
    assert_eq!(
        available(&app, &ada).await,
        [("USD".to_owned(), "10.00".to_owned())]
    );
    assert_eq!(app.audit_log("adjustment.create").len(), 1);

    let other = send(
        "adj-1",
        json!({"membership_id": membership, "amount": "20.00", "reason": "Welcome bonus"}),
    )
    .await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        other.body
    );
    assert_eq!(other.error(), "idempotency_conflict");

    let fresh = send("adj-2", body.clone()).await;
    assert_eq!(fresh.status, StatusCode::CREATED);
    assert_ne!(fresh.body["id"], first.body["id"]);
    assert_eq!(
        available(&app, &ada).await,
        [("USD".to_owned(), "20.00".to_owned())]
    );

    let bad = send("has space", body).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.field_error("Idempotency-Key").is_some(),
        "{:?}",
        bad.body
    );
}

#[actix_web::test]
async fn concurrent_first_requests_with_one_idempotency_key_book_once() {
    let app = TestApp::spawn().await;
    let finance = app.staff(Role::Finance, "finance@example.com").await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership = app.membership_id(&ada).await;
    let body = json!({"membership_id": membership, "amount": "10.00", "reason": "Welcome bonus"});
    let replies = futures_util::future::join_all((0..8).map(|_| {
        app.send(
            app.client
                .post(app.url("/api/v1/admin/adjustments"))
                .bearer_auth(&finance.access_token)
                .header("Idempotency-Key", "same")
                .json(&body),
        )
    }))
    .await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["id"], replies[0].body["id"]);
    }
    assert_eq!(
        available(&app, &ada).await,
        [("USD".to_owned(), "10.00".to_owned())]
    );
}
