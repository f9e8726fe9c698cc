//! The profile (P5): read, change, clear, email change, password change.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, session};

#[actix_web::test]
async fn profile_changes_are_saved_normalised_and_returned() {
    let app = TestApp::spawn().await;
    let s = app.signup("Ada Lovelace", "ada@example.com").await;
    let reply = app
        .patch_as(
            &s.access_token,
            "/api/v1/me",
            &json!({"first_name": " Augusta  Ada ", "last_name": "King", "phone": "+44 20 7946 0958",
                    "country": "gb", "payout_currency": "gbp"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["first_name"], "Augusta Ada");
    assert_eq!(reply.body["country"], "GB");
    assert_eq!(reply.body["payout_currency"], "GBP");
    let me = app.get_as(&s.access_token, "/api/v1/me").await;
    assert_eq!(me.body, reply.body);
}

#[actix_web::test]
async fn null_clears_an_optional_field_and_absent_fields_stay() {
    let app = TestApp::spawn().await;
    let s = app.signup("Ada Lovelace", "ada@example.com").await;
    app.patch_as(
        &s.access_token,
        "/api/v1/me",
        &json!({"phone": "+1 555 010 0200", "country": "US"}),
    )
    .await;
    let reply = app
        .patch_as(&s.access_token, "/api/v1/me", &json!({"phone": null}))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["phone"], serde_json::Value::Null);
    assert_eq!(reply.body["country"], "US");
    assert_eq!(reply.body["first_name"], "Ada");
}

#[actix_web::test]
async fn invalid_profile_fields_are_422_with_a_message_per_field_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let s = app.signup("Ada Lovelace", "ada@example.com").await;
    let reply = app
        .patch_as(
            &s.access_token,
            "/api/v1/me",
            &json!({"first_name": "", "phone": "call me", "country": "XX", "payout_currency": "EURO",
                    "last_name": "x".repeat(101)}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "first_name",
        "last_name",
        "phone",
        "country",
        "payout_currency",
    ] {
        assert!(
            reply.field_error(field).is_some(),
            "{field}: {:?}",
            reply.body
        );
    }
    let me = app.get_as(&s.access_token, "/api/v1/me").await;
    assert_eq!(me.body["first_name"], "Ada");
}

#[actix_web::test]
async fn a_partner_cannot_change_their_own_role() {
    let app = TestApp::spawn().await;
    let s = app.signup("Ada Lovelace", "ada@example.com").await;
    let reply = app
        .patch_as(&s.access_token, "/api/v1/me", &json!({"role": "admin"}))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error(), "invalid_body");
    assert_eq!(
        app.get_as(&s.access_token, "/api/v1/me").await.body["role"],
        "partner"
    );
}

#[actix_web::test]
async fn changing_the_email_needs_the_current_password() {
    let app = TestApp::spawn().await;
    let s = app.signup("Ada Lovelace", "ada@example.com").await;
    let without = app
        .patch_as(
            &s.access_token,
            "/api/v1/me",
            &json!({"email": "ada@new.example"}),
        )
        .await;
    assert_eq!(without.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without.field_error("current_password").is_some());
    let wrong = app
        .patch_as(
            &s.access_token,
            "/api/v1/me",
            &json!({"email": "ada@new.example", "current_password": "nope nope"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let right = app
        .patch_as(
            &s.access_token,
            "/api/v1/me",
            &json!({"email": "Ada@New.example", "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(right.status, StatusCode::OK, "{:?}", right.body);
    assert_eq!(right.body["email"], "ada@new.example");
    app.login("ada@new.example", PASSWORD).await;
}

#[actix_web::test]
async fn resubmitting_the_same_email_needs_no_password() {
    let app = TestApp::spawn().await;
    let s = app.signup("Ada Lovelace", "ada@example.com").await;
    let reply = app
        .patch_as(
            &s.access_token,
            "/api/v1/me",
            &json!({"email": "ada@example.com", "last_name": "King"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["last_name"], "King");
}

#[actix_web::test]
async fn taking_another_accounts_email_is_409() {
    let app = TestApp::spawn().await;
    app.signup("Bob Builder", "bob@example.com").await;
    let s = app.signup("Ada Lovelace", "ada@example.com").await;
    let reply = app
        .patch_as(
            &s.access_token,
            "/api/v1/me",
            &json!({"email": "bob@example.com", "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.error(), "email_taken");
}

#[actix_web::test]
async fn changing_the_password_needs_the_current_one() {
    let app = TestApp::spawn().await;
    let s = app.signup("Ada Lovelace", "ada@example.com").await;
    let reply = app
        .post_as(
            &s.access_token,
            "/api/v1/me/password",
            &json!({"current_password": "wrong wrong", "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.field_error("current_password").is_some());
    let weak = app
        .post_as(
            &s.access_token,
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "12345678"}),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.field_error("new_password").is_some());
    app.login("ada@example.com", PASSWORD).await;
}

#[actix_web::test]
async fn changing_the_password_signs_out_other_sessions_but_not_this_one() {
    let app = TestApp::spawn().await;
    let this = app.signup("Ada Lovelace", "ada@example.com").await;
    let other = app.login("ada@example.com", PASSWORD).await;
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/me/password"))
                .bearer_auth(&this.access_token)
                .header("cookie", format!("partnerly_refresh={}", this.refresh_token))
                .json(&json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    let other_refresh = app
        .post_with_cookie("/api/v1/auth/refresh", &other.refresh_token)
        .await;
    assert_eq!(other_refresh.status, StatusCode::UNAUTHORIZED);
    let this_refresh = app
        .post_with_cookie("/api/v1/auth/refresh", &this.refresh_token)
        .await;
    assert_eq!(this_refresh.status, StatusCode::OK);
    let _ = session(&this_refresh);
    app.login("ada@example.com", "a brand new passphrase").await;
}
