//! The audit log (A6): changes are recorded with their actor, and admins page and filter
//! through them.

use partnerly_db::api_key::ApiKey;
use partnerly_db::user::User;
use partnerly_domain::account::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Session, TestApp};

const AUDIT: &str = "/api/v1/admin/audit-log";

async fn audit(app: &TestApp, admin: &Session, query: &str) -> Value {
    let reply = app
        .get_as(&admin.access_token, &format!("{AUDIT}{query}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {:?}", reply.body);
    reply.body
}

fn account_id(app: &TestApp, email: &str) -> i64 {
    User::find_by_email(&mut app.db(), email)
        .expect("query")
        .expect("account")
        .id
}

/// The id of the newest key.
fn newest_key(app: &TestApp) -> i64 {
    ApiKey::list(&mut app.db()).expect("keys")[0].id
}

#[actix_web::test]
async fn creating_and_revoking_a_key_is_audited_with_the_admin_and_the_states() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let admin_id = account_id(&app, "admin@example.com");
    let secret = app.api_key(&admin, &["events:write"]).await;
    let id = newest_key(&app);
    let reply = app
        .delete_as(&admin.access_token, &format!("/api/v1/admin/api-keys/{id}"))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);

    let page = audit(&app, &admin, "").await;
    assert_eq!(page["total"], 2);
    let items = page["items"].as_array().unwrap();
    let (revoke, create) = (&items[0], &items[1]);

    assert_eq!(revoke["action"], "api_key.revoke", "newest first");
    assert_eq!(revoke["target_type"], "api_key");
    assert_eq!(revoke["target_id"], id);
    assert_eq!(revoke["actor"]["id"], admin_id);
    assert_eq!(revoke["actor"]["email"], "admin@example.com");
    assert!(revoke["reason"].is_null());
    assert!(revoke["before"]["revoked_at"].is_null());
    assert!(revoke["after"]["revoked_at"].is_string());
    assert_eq!(revoke["before"]["prefix"], secret[..12]);
    assert!(revoke["at"].is_string());

    assert_eq!(create["action"], "api_key.create");
    assert_eq!(create["target_id"], id);
    assert_eq!(create["actor"]["email"], "admin@example.com");
    assert!(create["before"].is_null());
    assert_eq!(create["after"]["id"], id);
    assert_eq!(
        create["after"]["scopes"],
        serde_json::json!(["events:write"])
    );

    let text = page.to_string();
    assert!(
        !text.contains(&secret[12..]),
        "the audit log shows the secret"
    );
    assert!(!text.contains(&partnerly_api::auth::tokens::digest(&secret)));
}

#[actix_web::test]
async fn the_audit_log_filters_by_actor_action_and_target() {
    let app = TestApp::spawn().await;
    let ada = app.staff(Role::Admin, "ada@example.com").await;
    let bob = app.staff(Role::Admin, "bob@example.com").await;
    app.api_key(&ada, &["read"]).await;
    let ada_key = newest_key(&app);
    app.api_key(&bob, &["read"]).await;
    let bob_key = newest_key(&app);
    app.delete_as(
        &ada.access_token,
        &format!("/api/v1/admin/api-keys/{bob_key}"),
    )
    .await;

    let by_bob = audit(
        &app,
        &ada,
        &format!("?actor_id={}", account_id(&app, "bob@example.com")),
    )
    .await;
    assert_eq!(by_bob["total"], 1);
    assert_eq!(by_bob["items"][0]["actor"]["email"], "bob@example.com");

    let revokes = audit(&app, &ada, "?action=api_key.revoke").await;
    assert_eq!(revokes["total"], 1);
    assert_eq!(revokes["items"][0]["target_id"], bob_key);
    assert_eq!(revokes["items"][0]["actor"]["email"], "ada@example.com");

    let on_bobs_key = audit(
        &app,
        &ada,
        &format!("?target_type=api_key&target_id={bob_key}"),
    )
    .await;
    assert_eq!(on_bobs_key["total"], 2);
    let on_adas_key = audit(&app, &ada, &format!("?target_id={ada_key}")).await;
    assert_eq!(on_adas_key["total"], 1);
    assert_eq!(on_adas_key["items"][0]["action"], "api_key.create");

    let combined = audit(
        &app,
        &ada,
        &format!("?action=api_key.create&target_id={bob_key}"),
    )
    .await;
    assert_eq!(combined["total"], 1);
    assert_eq!(
        audit(&app, &ada, "?target_type=membership").await["total"],
        0
    );
    assert_eq!(
        audit(&app, &ada, "?action=").await["total"],
        3,
        "blank is no filter"
    );
}

#[actix_web::test]
async fn the_audit_log_pages_newest_first_and_validates_its_query() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        app.api_key(&admin, &["read"]).await;
        ids.push(newest_key(&app));
    }
    let first = audit(&app, &admin, "?per_page=2").await;
    assert_eq!(first["total"], 3);
    assert_eq!(first["page"], 1);
    assert_eq!(first["per_page"], 2);
    let targets: Vec<i64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target_id"].as_i64().unwrap())
        .collect();
    assert_eq!(targets, [ids[2], ids[1]]);
    let second = audit(&app, &admin, "?per_page=2&page=2").await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["target_id"], ids[0]);
    let beyond = audit(&app, &admin, "?per_page=2&page=3").await;
    assert_eq!(beyond["items"], serde_json::json!([]));
    assert_eq!(beyond["total"], 3);
    assert_eq!(audit(&app, &admin, "?per_page=100").await["total"], 3);

    for bad in ["per_page=0", "per_page=101", "page=0"] {
        let reply = app
            .get_as(&admin.access_token, &format!("{AUDIT}?{bad}"))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(reply.error(), "validation_failed");
    }
    for bad in [
        "page=abc",
        "actor_id=ada",
        "target_id=1.5",
        "per_page=-1",
        "who=me",
    ] {
        let reply = app
            .get_as(&admin.access_token, &format!("{AUDIT}?{bad}"))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.error(), "invalid_query", "{bad}");
    }
}

#[actix_web::test]
async fn only_admins_read_the_audit_log() {
    let app = TestApp::spawn().await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let finance = app.staff(Role::Finance, "fin@example.com").await;
    let manager = app.staff(Role::Manager, "mgr@example.com").await;
    for token in [
        &partner.access_token,
        &finance.access_token,
        &manager.access_token,
    ] {
        let reply = app.get_as(token, AUDIT).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.error(), "forbidden");
    }
    assert_eq!(app.get(AUDIT).await.status, StatusCode::UNAUTHORIZED);
}
