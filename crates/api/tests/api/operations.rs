//! Health, readiness and request ids.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[actix_web::test]
async fn healthz_and_readyz_answer_ok() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["status"], "ready");
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept() {
    let app = TestApp::spawn().await;
    let generated = app.get("/healthz").await;
    let id = generated.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 32);
    let kept = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "trace-123"),
        )
        .await;
    assert_eq!(kept.headers["x-request-id"], "trace-123");
    let replaced = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "bad id with spaces"),
        )
        .await;
    assert_ne!(replaced.headers["x-request-id"], "bad id with spaces");
}
