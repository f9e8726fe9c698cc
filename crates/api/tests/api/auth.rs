//! Sign-up, sign-in, refresh rotation, sign-out, password reset and rate limits.

use partnerly_domain::account::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, reset_token, session};

#[actix_web::test]
async fn signup_creates_a_partner_with_a_public_id_and_a_locked_down_refresh_cookie() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(
            "/api/v1/auth/signup",
            &json!({"name": "Ada King Lovelace", "email": " Ada@Example.com ", "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let auth = reply.auth();
    let account = &auth.account;
    assert_eq!(account.email, "ada@example.com");
    assert_eq!(
        (account.first_name.as_str(), account.last_name.as_str()),
        ("Ada", "King Lovelace")
    );
    assert_eq!(account.role, Role::Partner);
    let public_id = account
        .public_id
        .expect("partners have a public id")
        .to_string();
    assert!(
        public_id.starts_with('A') && public_id.len() == 7,
        "{public_id}"
    );
    assert_eq!(auth.token_type, "Bearer");
    assert_eq!(auth.expires_in, 900);

    let cookie = reply
        .headers
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("a refresh cookie")
        .to_owned();
    for part in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    let me = app.get_as(&auth.access_token, "/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["public_id"], public_id);
}

#[actix_web::test]
async fn signup_reports_every_invalid_field_with_422() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(
            "/api/v1/auth/signup",
            &json!({"name": "  ", "email": "not-an-email", "password": ""}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error(), "validation_failed");
    for field in ["name", "email", "password"] {
        assert!(
            reply.field_error(field).is_some(),
            "no error for {field}: {:?}",
            reply.body
        );
    }
}

#[actix_web::test]
async fn signup_with_a_short_or_common_password_is_refused_and_creates_nothing() {
    let app = TestApp::spawn().await;
    for password in ["short1", "password123", "qwertyuiop"] {
        let reply = app
            .post(
                "/api/v1/auth/signup",
                &json!({"name": "Ann", "email": "ann@example.com", "password": password}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert!(reply.field_error("password").is_some());
    }
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "ann@example.com", "password": "password123"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn signing_up_again_with_the_right_password_signs_in_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let first = app.signup("Ada Lovelace", "ada@example.com").await;
    let again = app
        .post(
            "/api/v1/auth/signup",
            &json!({"name": "Someone Else", "email": "ADA@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let account = again.auth().account;
    assert_eq!(account.public_id, first.auth.account.public_id);
    assert_eq!(
        account.first_name, "Ada",
        "the name must not be overwritten"
    );
    assert!(again.refresh_cookie().is_some());
}

#[actix_web::test]
async fn signing_up_again_with_another_password_is_409_and_keeps_the_old_password() {
    let app = TestApp::spawn().await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    let again = app
        .post(
            "/api/v1/auth/signup",
            &json!({"name": "Mallory", "email": "ada@example.com", "password": "a different passphrase"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error(), "account_exists");
    assert!(again.body["message"].as_str().unwrap().contains("reset"));
    assert_eq!(again.body["details"]["sign_in"], "/sign-in");
    assert_eq!(again.body["details"]["reset_password"], "/forgot-password");
    assert!(again.refresh_cookie().is_none());
    let session = app.login("ada@example.com", PASSWORD).await;
    assert_eq!(session.auth.account.first_name, "Ada");
}

#[actix_web::test]
async fn login_with_the_right_password_returns_a_session() {
    let app = TestApp::spawn().await;
    let created = app.signup("Ada Lovelace", "ada@example.com").await;
    let session = app.login("Ada@Example.com", PASSWORD).await;
    assert_eq!(
        session.auth.account.public_id,
        created.auth.account.public_id
    );
    let me = app.get_as(&session.access_token, "/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_generic_401() {
    let app = TestApp::spawn().await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "ada@example.com", "password": "wrong password!"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "nobody@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error(), "invalid_credentials");
    assert_eq!(wrong.body["details"]["reset_password"], "/forgot-password");
    assert_eq!(wrong.body["details"]["sign_up"], "/sign-up");
}

#[actix_web::test]
async fn login_with_empty_fields_is_422() {
    let app = TestApp::spawn().await;
    let reply = app
        .post("/api/v1/auth/login", &json!({"email": "", "password": ""}))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.field_error("email").is_some() && reply.field_error("password").is_some());
}

#[actix_web::test]
async fn repeated_failed_sign_ins_on_one_account_are_rate_limited_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    for _ in 0..5 {
        let reply = app
            .post(
                "/api/v1/auth/login",
                &json!({"email": "ada@example.com", "password": "guess guess guess"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(blocked.error(), "rate_limited");
    let retry_after: u64 = blocked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after));
    // Another account from the same IP is not affected.
    app.signup("Bob Builder", "bob@example.com").await;
    app.login("bob@example.com", PASSWORD).await;
}

#[actix_web::test]
async fn a_successful_sign_in_clears_earlier_failures() {
    let app = TestApp::spawn().await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    for round in 0..3 {
        for _ in 0..4 {
            let reply = app
                .post(
                    "/api/v1/auth/login",
                    &json!({"email": "ada@example.com", "password": "guess guess guess"}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "round {round}");
        }
        app.login("ada@example.com", PASSWORD).await;
    }
}

#[actix_web::test]
async fn many_sign_in_attempts_from_one_ip_are_rate_limited() {
    let app = TestApp::spawn().await;
    let mut statuses = Vec::new();
    for i in 0..31 {
        let reply = app
            .post(
                "/api/v1/auth/login",
                &json!({"email": format!("user{i}@example.com"), "password": "guess guess"}),
            )
            .await;
        statuses.push(reply.status);
    }
    assert!(
        statuses[..30]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED)
    );
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
}

#[actix_web::test]
async fn many_sign_ups_from_one_ip_are_rate_limited() {
    let app = TestApp::spawn().await;
    for i in 0..10 {
        app.signup("Some One", &format!("user{i}@example.com"))
            .await;
    }
    let reply = app
        .post(
            "/api/v1/auth/signup",
            &json!({"name": "One More", "email": "more@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.headers.contains_key("retry-after"));
}

#[actix_web::test]
async fn refresh_rotates_the_refresh_token_and_issues_a_working_access_token() {
    let app = TestApp::spawn().await;
    let first = app.signup("Ada Lovelace", "ada@example.com").await;
    let reply = app
        .post_with_cookie("/api/v1/auth/refresh", &first.refresh_token)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let second = session(&reply);
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(second.auth.account.email, "ada@example.com");
    assert_eq!(
        app.get_as(&second.access_token, "/api/v1/me").await.status,
        StatusCode::OK
    );
    // The new refresh token works in turn.
    let third = app
        .post_with_cookie("/api/v1/auth/refresh", &second.refresh_token)
        .await;
    assert_eq!(third.status, StatusCode::OK);
}

#[actix_web::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let first = app.signup("Ada Lovelace", "ada@example.com").await;
    let second = session(
        &app.post_with_cookie("/api/v1/auth/refresh", &first.refresh_token)
            .await,
    );

    let reuse = app
        .post_with_cookie("/api/v1/auth/refresh", &first.refresh_token)
        .await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reuse.error(), "refresh_token_reused");

    // The legitimate holder's newer token is revoked too.
    let after = app
        .post_with_cookie("/api/v1/auth/refresh", &second.refresh_token)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.error(), "invalid_refresh_token");

    // Another session of the same account (another family) is untouched.
    let other = app.login("ada@example.com", PASSWORD).await;
    let refreshed = app
        .post_with_cookie("/api/v1/auth/refresh", &other.refresh_token)
        .await;
    assert_eq!(refreshed.status, StatusCode::OK);
}

#[actix_web::test]
async fn refresh_without_any_cookie_is_204_signed_out_with_no_body_and_no_cookie() {
    let app = TestApp::spawn().await;
    // The portal's start-up probe on a first visit: no session, and no error either.
    let none = app
        .send(app.client.post(app.url("/api/v1/auth/refresh")))
        .await;
    assert_eq!(none.status, StatusCode::NO_CONTENT);
    assert_eq!(none.body, serde_json::Value::Null, "no body");
    assert!(
        none.headers.get(reqwest::header::SET_COOKIE).is_none(),
        "nothing is set: {:?}",
        none.headers
    );
    assert!(none.headers.get(reqwest::header::CONTENT_TYPE).is_none());
    // Other cookies are not a refresh cookie.
    let other = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/refresh"))
                .header(reqwest::header::COOKIE, "theme=dark"),
        )
        .await;
    assert_eq!(other.status, StatusCode::NO_CONTENT);
    assert!(other.headers.get(reqwest::header::SET_COOKIE).is_none());
}

#[actix_web::test]
async fn refresh_with_an_unknown_or_empty_cookie_is_401() {
    let app = TestApp::spawn().await;
    let unknown = app
        .post_with_cookie("/api/v1/auth/refresh", "made-up-token")
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.error(), "invalid_refresh_token");
    let empty = app.post_with_cookie("/api/v1/auth/refresh", "").await;
    assert_eq!(empty.status, StatusCode::UNAUTHORIZED);
    assert_eq!(empty.error(), "invalid_refresh_token");
}

#[actix_web::test]
async fn an_expired_refresh_token_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.signup("Ada Lovelace", "ada@example.com").await;
    app.execute("UPDATE refresh_tokens SET expires_at = '2000-01-01 00:00:00'");
    let reply = app
        .post_with_cookie("/api/v1/auth/refresh", &session.refresh_token)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error(), "invalid_refresh_token");
}

#[actix_web::test]
async fn logout_revokes_the_session_server_side_and_clears_the_cookie() {
    let app = TestApp::spawn().await;
    let session = app.signup("Ada Lovelace", "ada@example.com").await;
    let reply = app
        .post_with_cookie("/api/v1/auth/logout", &session.refresh_token)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(
        reply.refresh_cookie().as_deref(),
        Some(""),
        "the cookie is removed"
    );
    let refresh = app
        .post_with_cookie("/api/v1/auth/refresh", &session.refresh_token)
        .await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    // Signing out twice, or without a session, is fine.
    let again = app
        .post_with_cookie("/api/v1/auth/logout", &session.refresh_token)
        .await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn garbage_or_missing_access_tokens_are_401() {
    let app = TestApp::spawn().await;
    let missing = app.get("/api/v1/me").await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.error(), "unauthorized");
    let garbage = app.get_as("not.a.jwt", "/api/v1/me").await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn an_expired_access_token_is_401_token_expired() {
    let app = TestApp::spawn().await;
    let session = app.signup("Ada Lovelace", "ada@example.com").await;
    let id: i64 = {
        let claims = app.state.jwt.verify(&session.access_token).unwrap();
        claims.sub.parse().unwrap()
    };
    let old = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    let sid = app.state.jwt.verify(&session.access_token).unwrap().sid;
    let expired = app.state.jwt.issue(id, Role::Partner, &sid, old).unwrap();
    let reply = app.get_as(&expired, "/api/v1/me").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error(), "token_expired");
}

#[actix_web::test]
async fn a_password_reset_for_an_unknown_email_answers_202_and_sends_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let reply = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    // Give the background task time to (not) queue anything.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        app.outbox_for(&admin, "nobody@example.com")
            .await
            .is_empty()
    );
}

#[actix_web::test]
async fn a_reset_link_sets_a_new_password_once_and_signs_out_every_session() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let old_session = app.signup("Ada Lovelace", "ada@example.com").await;

    let reply = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "ADA@example.com"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    let emails = app.wait_for_emails(&admin, "ada@example.com", 1).await;
    let body = emails[0]["body"].as_str().unwrap();
    assert!(
        body.contains("http://portal.test/reset-password?token="),
        "{body}"
    );
    let token = reset_token(&emails[0]);

    let new_password = "a brand new passphrase";
    let confirm = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": new_password}),
        )
        .await;
    assert_eq!(confirm.status, StatusCode::NO_CONTENT, "{:?}", confirm.body);

    let again = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "yet another passphrase"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.error(), "invalid_reset_token");

    let old = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    app.login("ada@example.com", new_password).await;
    let refresh = app
        .post_with_cookie("/api/v1/auth/refresh", &old_session.refresh_token)
        .await;
    assert_eq!(
        refresh.status,
        StatusCode::UNAUTHORIZED,
        "old sessions end with a reset"
    );
}

#[actix_web::test]
async fn an_expired_reset_token_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    app.post(
        "/api/v1/auth/password-reset",
        &json!({"email": "ada@example.com"}),
    )
    .await;
    let token = reset_token(&app.wait_for_emails(&admin, "ada@example.com", 1).await[0]);
    app.execute("UPDATE password_reset_tokens SET expires_at = '2000-01-01 00:00:00'");
    let reply = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error(), "invalid_reset_token");
    app.login("ada@example.com", PASSWORD).await;
}

#[actix_web::test]
async fn a_reset_with_a_weak_password_is_422_and_keeps_the_token_usable() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    app.post(
        "/api/v1/auth/password-reset",
        &json!({"email": "ada@example.com"}),
    )
    .await;
    let token = reset_token(&app.wait_for_emails(&admin, "ada@example.com", 1).await[0]);
    let weak = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "password"}),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.field_error("password").is_some());
    let strong = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(strong.status, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn reset_requests_for_one_email_are_rate_limited() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        let reply = app
            .post(
                "/api/v1/auth/password-reset",
                &json!({"email": "ada@example.com"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
    }
    let reply = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "ada@example.com"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.headers.contains_key("retry-after"));
}

#[actix_web::test]
async fn concurrent_wrong_passwords_on_one_account_stop_at_the_limit() {
    let app = TestApp::spawn().await;
    app.signup("Ada Lovelace", "ada@example.com").await;
    let bodies: Vec<serde_json::Value> = (0..20)
        .map(|i| json!({"email": "ada@example.com", "password": format!("guess number {i}")}))
        .collect();
    let guesses = bodies.iter().map(|b| app.post("/api/v1/auth/login", b));
    let replies = futures_util::future::join_all(guesses).await;
    let checked = replies
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    let limited = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        checked, 5,
        "only the limit's worth of guesses reach the password check"
    );
    assert_eq!(limited, 15);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_a_client_cannot_dodge_the_ip_limit_by_forging_forwarded_for() {
    let app = TestApp::spawn_with(&[("PARTNERLY_TRUST_PROXY", "true".into())]).await;
    let mut statuses = Vec::new();
    for i in 0..31 {
        // The client forged the left entry; the proxy (this test, on loopback) appended
        // the address it saw.
        let reply = app
            .send(
                app.client
                    .post(app.url("/api/v1/auth/login"))
                    .header("X-Forwarded-For", format!("198.18.0.{i}, 203.0.113.5"))
                    .json(&json!({"email": format!("user{i}@example.com"), "password": "guess guess"})),
            )
            .await;
        statuses.push(reply.status);
    }
    assert_eq!(statuses[29], StatusCode::UNAUTHORIZED);
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy has its own limit.
    let other = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("X-Forwarded-For", "203.0.113.6")
                .json(&json!({"email": "someone@example.com", "password": "guess guess"})),
        )
        .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_is_ignored() {
    let app = TestApp::spawn_with(&[
        ("PARTNERLY_TRUST_PROXY", "true".into()),
        ("PARTNERLY_TRUSTED_PROXIES", "10.0.0.0/8".into()),
    ])
    .await;
    let mut last = StatusCode::OK;
    for i in 0..31 {
        last = app
            .send(
                app.client
                    .post(app.url("/api/v1/auth/login"))
                    .header("X-Forwarded-For", format!("203.0.113.{i}"))
                    .json(&json!({"email": format!("user{i}@example.com"), "password": "guess guess"})),
            )
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// Asserts the access token no longer works: 401 `session_ended`.
async fn assert_ended(app: &TestApp, token: &str, case: &str) {
    let reply = app.get_as(token, "/api/v1/me").await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "{case}: {:?}",
        reply.body
    );
    assert_eq!(reply.error(), "session_ended", "{case}");
}

async fn assert_works(app: &TestApp, token: &str, case: &str) {
    let reply = app.get_as(token, "/api/v1/me").await;
    assert_eq!(reply.status, StatusCode::OK, "{case}: {:?}", reply.body);
}

#[actix_web::test]
async fn an_access_token_stops_working_the_moment_its_session_ends() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;

    // Sign-out.
    let session = app.signup("Ada Lovelace", "ada@example.com").await;
    assert_works(&app, &session.access_token, "before sign-out").await;
    let out = app
        .post_with_cookie("/api/v1/auth/logout", &session.refresh_token)
        .await;
    assert!(out.status.is_success(), "{:?}", out.body);
    assert_ended(&app, &session.access_token, "sign-out").await;

    // A password change ends the other sessions, not the one that changed it.
    let here = app.login("ada@example.com", PASSWORD).await;
    let elsewhere = app.login("ada@example.com", PASSWORD).await;
    let changed = app
        .post_as(
            &here.access_token,
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.body);
    assert_works(&app, &here.access_token, "the session that changed it").await;
    assert_ended(&app, &elsewhere.access_token, "password change").await;

    // A reset ends every session.
    let confirm = app
        .reset_password(&admin, "ada@example.com", "yet another passphrase")
        .await;
    assert_eq!(confirm.status, StatusCode::NO_CONTENT, "{:?}", confirm.body);
    assert_ended(&app, &here.access_token, "password reset").await;

    // A reused refresh token ends its whole family, the thief's new token included.
    let victim = app.login("ada@example.com", "yet another passphrase").await;
    let rotated = app
        .post_with_cookie("/api/v1/auth/refresh", &victim.refresh_token)
        .await;
    assert_eq!(rotated.status, StatusCode::OK);
    let newer = crate::helpers::session(&rotated);
    let reuse = app
        .post_with_cookie("/api/v1/auth/refresh", &victim.refresh_token)
        .await;
    assert_eq!(reuse.error(), "refresh_token_reused");
    assert_ended(&app, &victim.access_token, "refresh reuse (old token)").await;
    assert_ended(&app, &newer.access_token, "refresh reuse (newer token)").await;
}
