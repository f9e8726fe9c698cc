//! Client mistakes get 4xx JSON error bodies, never a 500.

use reqwest::StatusCode;

use crate::helpers::TestApp;

async fn raw(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> crate::helpers::Reply {
    app.send(
        app.client
            .post(app.url(path))
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

#[actix_web::test]
async fn malformed_json_is_400_malformed_json() {
    let app = TestApp::spawn().await;
    for body in ["{", "{\"email\": }", "not json", ""] {
        let reply = raw(&app, "/api/v1/auth/login", "application/json", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body:?}");
        assert!(
            ["malformed_json", "invalid_body"].contains(&reply.error()),
            "{body:?}: {:?}",
            reply.body
        );
        assert!(reply.body["message"].is_string());
    }
}

#[actix_web::test]
async fn wrong_types_missing_fields_and_unknown_fields_are_400_invalid_body() {
    let app = TestApp::spawn().await;
    for (body, field, message) in [
        (
            r#"{"email": 42, "password": "x"}"#,
            "email",
            "Expected a string, got integer 42.",
        ),
        (r#"{"email": "a@b.co"}"#, "password", "Required."),
        (
            r#"{"email": "a@b.co", "password": "x", "remember": true}"#,
            "remember",
            "Unknown field; use email or password.",
        ),
        (r#"[1, 2, 3]"#, "", "Expected an object, got a list."),
    ] {
        let reply = raw(&app, "/api/v1/auth/login", "application/json", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.error(), "invalid_body", "{body}");
        assert_eq!(
            reply.field_error(field),
            Some(message),
            "{body}: {:?}",
            reply.body
        );
        for rust in ["struct", "LoginRequest", "line 1"] {
            assert!(
                !reply.message().contains(rust),
                "{body}: {}",
                reply.message()
            );
        }
    }
}

#[actix_web::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::spawn().await;
    let big = format!(
        r#"{{"email": "a@b.co", "password": "{}"}}"#,
        "x".repeat(100 * 1024)
    );
    let reply = raw(&app, "/api/v1/auth/login", "application/json", big).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error(), "payload_too_large");
    assert_eq!(reply.body["details"]["limit_bytes"], 64 * 1024);
    assert!(
        reply.body["message"].as_str().unwrap().contains("64 KiB"),
        "{:?}",
        reply.body
    );
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let reply = raw(&app, "/api/v1/auth/login", "text/plain", "email=a").await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.error(), "unsupported_media_type");
}

#[actix_web::test]
async fn unknown_api_paths_and_methods_are_json_404() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/nothing-here", "/api/v2/me", "/api"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.error(), "not_found", "{path}");
    }
}

#[actix_web::test]
async fn other_methods_on_documented_paths_are_405_with_allow() {
    let app = TestApp::spawn().await;
    let cases = [
        (reqwest::Method::DELETE, "/api/v1/me", "GET, PATCH"),
        (
            reqwest::Method::PUT,
            "/api/v1/admin/webhooks/7",
            "DELETE, GET, PATCH",
        ),
        (reqwest::Method::GET, "/api/v1/events", "POST"),
        (reqwest::Method::TRACE, "/healthz", "GET"),
        (reqwest::Method::POST, "/readyz", "GET"),
    ];
    for (method, path, allow) in cases {
        let reply = app
            .send(app.client.request(method.clone(), app.url(path)))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(reply.error(), "method_not_allowed", "{method} {path}");
        assert_eq!(reply.headers["allow"], allow, "{method} {path}");
    }
}

#[actix_web::test]
async fn portal_paths_fall_back_to_the_portal() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/profile")).send().await.unwrap();
    // The test server has no built portal: it says how to build it, as HTML.
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The portal is not built")
    );
}

#[actix_web::test]
async fn the_wrong_kind_of_credential_is_named() {
    let app = TestApp::spawn().await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let key = app.billing_key();
    let session_on_events = app
        .post_as(
            &partner.access_token,
            "/api/v1/events",
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(session_on_events.status, StatusCode::UNAUTHORIZED);
    assert_eq!(session_on_events.error(), "invalid_api_key");
    assert!(
        session_on_events.message().contains("not a session token"),
        "{:?}",
        session_on_events.body
    );
    let key_on_me = app.get_as(&key, "/api/v1/me").await;
    assert_eq!(key_on_me.status, StatusCode::UNAUTHORIZED);
    assert!(
        key_on_me.message().contains("not an API key"),
        "{:?}",
        key_on_me.body
    );
}
