//! Staff-only routes: roles are enforced.

use partnerly_domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::TestApp;

#[actix_web::test]
async fn a_partner_cannot_call_an_admin_route() {
    let app = TestApp::spawn().await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let reply = app
        .get_as(&partner.access_token, "/api/v1/admin/outbox")
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error(), "forbidden");
}

#[actix_web::test]
async fn staff_without_the_admin_role_cannot_read_the_outbox() {
    let app = TestApp::spawn().await;
    for (role, email) in [
        (Role::Finance, "fin@example.com"),
        (Role::Manager, "mgr@example.com"),
    ] {
        let staff = app.staff(role, email).await;
        let reply = app
            .get_as(&staff.access_token, "/api/v1/admin/outbox")
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role:?}");
    }
}

#[actix_web::test]
async fn admin_routes_without_a_token_are_401() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/api/v1/admin/outbox").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn staff_accounts_have_no_partner_id() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    assert_eq!(admin.auth.account.role, Role::Admin);
    assert_eq!(admin.auth.account.public_id, None);
}

#[actix_web::test]
async fn the_outbox_pages_and_validates_its_query() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    for i in 0..3 {
        let email = format!("p{i}@example.com");
        app.signup("Pat Partner", &email).await;
        app.post(
            "/api/v1/auth/password-reset",
            &serde_json::json!({"email": email}),
        )
        .await;
        app.wait_for_emails(&admin, &email, 1).await;
    }
    let page = app
        .get_as(
            &admin.access_token,
            "/api/v1/admin/outbox?per_page=2&page=2",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body["total"], 3);
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        page.body["items"][0]["to"], "p0@example.com",
        "newest first"
    );
    for bad in ["per_page=0", "per_page=101", "page=0"] {
        let reply = app
            .get_as(&admin.access_token, &format!("/api/v1/admin/outbox?{bad}"))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let reply = app
        .get_as(&admin.access_token, "/api/v1/admin/outbox?page=abc")
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error(), "invalid_query");
}
