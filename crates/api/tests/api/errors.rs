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
    for body in [
        r#"{"email": 42, "password": "x"}"#,
        r#"{"email": "a@b.co"}"#,
        r#"{"email": "a@b.co", "password": "x", "remember": true}"#,
        r#"[1, 2, 3]"#,
    ] {
        let reply = raw(&app, "/api/v1/auth/login", "application/json", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.error(), "invalid_body", "{body}");
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
    let reply = app.send(app.client.delete(app.url("/api/v1/me"))).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error(), "not_found");
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
