//! API keys (E3): admins create, list and revoke them; integrators call with them.

use partnerly_db::api_key::ApiKey;
use partnerly_domain::account::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Reply, TestApp};

const WHOAMI: &str = "/api/v1/integration/whoami";
const KEYS: &str = "/api/v1/admin/api-keys";

/// Every stored key, newest first.
fn stored_keys(app: &TestApp) -> Vec<ApiKey> {
    ApiKey::list(&mut app.db()).expect("keys")
}

fn assert_invalid_key(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
    assert_eq!(reply.error(), "invalid_api_key");
    assert!(reply.body["message"].is_string());
}

#[actix_web::test]
async fn an_admin_creates_a_key_whose_secret_works_on_whoami() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let reply = app
        .post_as(
            &admin.access_token,
            KEYS,
            &json!({"name": " Billing (production) ", "owner": "billing", "scopes": ["read", "events:write"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.headers["cache-control"], "no-store");
    let secret = reply.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pk_live_"), "{secret}");
    assert_eq!(secret.len(), "pk_live_".len() + 43);
    let key = &reply.body["api_key"];
    assert_eq!(key["name"], "Billing (production)");
    assert_eq!(key["owner"], "billing");
    assert_eq!(key["prefix"], secret[..12]);
    assert_eq!(key["scopes"], json!(["events:write", "read"]));
    assert!(key["revoked_at"].is_null());
    assert!(key["last_used_at"].is_null());

    let whoami = app.get_as(&secret, WHOAMI).await;
    assert_eq!(whoami.status, StatusCode::OK, "{:?}", whoami.body);
    assert_eq!(
        whoami.body,
        json!({
            "name": "Billing (production)",
            "owner": "billing",
            "scopes": ["events:write", "read"],
            "prefix": &secret[..12],
        })
    );
}

#[actix_web::test]
async fn the_owner_defaults_to_the_key_name() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    for body in [
        json!({"name": "Billing", "scopes": ["events:write"]}),
        json!({"name": "Billing", "owner": null, "scopes": ["events:write"]}),
        json!({"name": "Billing", "owner": "  ", "scopes": ["events:write"]}),
    ] {
        let reply = app.post_as(&admin.access_token, KEYS, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        assert_eq!(reply.body["api_key"]["owner"], "Billing", "{body}");
    }
}

#[actix_web::test]
async fn a_key_is_stored_only_as_its_hash_and_prefix() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let secret = app.api_key(&admin, &["events:write"]).await;
    let keys = stored_keys(&app);
    assert_eq!(keys.len(), 1);
    let row = &keys[0];
    assert_eq!(row.key_hash, partnerly_api::auth::tokens::digest(&secret));
    assert_eq!(row.prefix, secret[..12]);
    let stored = format!("{row:?}");
    assert!(
        !stored.contains(&secret[12..]),
        "the row holds the secret: {stored}"
    );
}

#[actix_web::test]
async fn the_list_shows_keys_newest_first_without_secrets() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let first = app.api_key(&admin, &["events:write"]).await;
    let second = app.api_key(&admin, &["read"]).await;
    let reply = app.get_as(&admin.access_token, KEYS).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let items = reply.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["prefix"], second[..12], "newest first");
    assert_eq!(items[1]["prefix"], first[..12]);
    assert_eq!(items[0]["scopes"], json!(["read"]));
    let text = reply.body.to_string();
    for secret in [&first, &second] {
        assert!(!text.contains(&secret[12..]), "the list shows a secret");
        assert!(!text.contains(&partnerly_api::auth::tokens::digest(secret)));
    }
    for item in items {
        assert!(item.get("secret").is_none());
        assert!(item.get("key_hash").is_none());
    }
}

#[actix_web::test]
async fn invalid_key_requests_are_rejected_with_field_errors() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let long = "n".repeat(101);
    for (body, field) in [
        (json!({"name": "", "scopes": ["read"]}), "name"),
        (json!({"name": "   ", "scopes": ["read"]}), "name"),
        (json!({"name": long, "scopes": ["read"]}), "name"),
        (json!({"name": "k", "scopes": ["admin"]}), "scopes"),
        (
            json!({"name": "k", "scopes": ["read", "events:read"]}),
            "scopes",
        ),
        (json!({"name": "k", "scopes": []}), "scopes"),
        (
            json!({"name": "k", "owner": long, "scopes": ["read"]}),
            "owner",
        ),
    ] {
        let reply = app.post_as(&admin.access_token, KEYS, &body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            reply.body
        );
        assert_eq!(reply.error(), "validation_failed");
        assert!(
            reply.field_error(field).is_some(),
            "{body}: {:?}",
            reply.body
        );
    }
    let reply = app
        .post_as(
            &admin.access_token,
            KEYS,
            &json!({"name": "", "scopes": []}),
        )
        .await;
    assert!(reply.field_error("name").is_some() && reply.field_error("scopes").is_some());
    for body in [
        json!({"name": "k"}),
        json!({"name": "k", "scopes": ["read"], "secret": "pk_live_mine"}),
    ] {
        let reply = app.post_as(&admin.access_token, KEYS, &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.error(), "invalid_body");
    }
    assert!(stored_keys(&app).is_empty());
}

#[actix_web::test]
async fn partners_and_finance_staff_cannot_manage_keys() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    app.api_key(&admin, &["read"]).await;
    let id = stored_keys(&app)[0].id;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let finance = app.staff(Role::Finance, "fin@example.com").await;
    let body = json!({"name": "Mine", "scopes": ["events:write"]});
    for token in [&partner.access_token, &finance.access_token] {
        let create = app.post_as(token, KEYS, &body).await;
        assert_eq!(create.status, StatusCode::FORBIDDEN);
        assert_eq!(create.error(), "forbidden");
        assert_eq!(app.get_as(token, KEYS).await.status, StatusCode::FORBIDDEN);
        let revoke = app.delete_as(token, &format!("{KEYS}/{id}")).await;
        assert_eq!(revoke.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.get(KEYS).await.status, StatusCode::UNAUTHORIZED);
    let keys = stored_keys(&app);
    assert_eq!(keys.len(), 1);
    assert!(keys[0].revoked_at.is_none());
}

#[actix_web::test]
async fn a_revoked_key_is_rejected_with_401() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let secret = app.api_key(&admin, &["events:write"]).await;
    let other = app.api_key(&admin, &["events:write"]).await;
    assert_eq!(app.get_as(&secret, WHOAMI).await.status, StatusCode::OK);
    let id = stored_keys(&app)[1].id;

    let reply = app
        .delete_as(&admin.access_token, &format!("{KEYS}/{id}"))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    assert_invalid_key(&app.get_as(&secret, WHOAMI).await);
    assert_eq!(
        app.get_as(&other, WHOAMI).await.status,
        StatusCode::OK,
        "other keys keep working"
    );
    let list = app.get_as(&admin.access_token, KEYS).await;
    assert!(list.body["items"][1]["revoked_at"].is_string());
    assert!(list.body["items"][0]["revoked_at"].is_null());
}

#[actix_web::test]
async fn revoking_twice_answers_204_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    app.api_key(&admin, &["read"]).await;
    let id = stored_keys(&app)[0].id;
    let path = format!("{KEYS}/{id}");
    assert_eq!(
        app.delete_as(&admin.access_token, &path).await.status,
        StatusCode::NO_CONTENT
    );
    let revoked_at = stored_keys(&app)[0].revoked_at;
    assert!(revoked_at.is_some());
    assert_eq!(
        app.delete_as(&admin.access_token, &path).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(stored_keys(&app)[0].revoked_at, revoked_at);
    let audit = app
        .get_as(
            &admin.access_token,
            "/api/v1/admin/audit-log?action=api_key.revoke",
        )
        .await;
    assert_eq!(audit.body["total"], 1, "{:?}", audit.body);
}

#[actix_web::test]
async fn revoking_an_unknown_key_is_404() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    for path in [format!("{KEYS}/999999"), format!("{KEYS}/abc")] {
        let reply = app.delete_as(&admin.access_token, &path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.error(), "not_found");
    }
}

#[actix_web::test]
async fn a_key_without_the_required_scope_is_403_insufficient_scope() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let reader = app.api_key(&admin, &["read"]).await;
    let writer = app.api_key(&admin, &["events:write"]).await;

    let reply = app
        .get_as(&reader, &format!("{WHOAMI}?require=events:write"))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    assert_eq!(reply.error(), "insufficient_scope");
    assert_eq!(reply.body["details"]["required_scope"], "events:write");

    for (key, scope) in [(&reader, "read"), (&writer, "events:write")] {
        let reply = app.get_as(key, &format!("{WHOAMI}?require={scope}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{scope}: {:?}", reply.body);
    }
    let reply = app
        .get_as(&writer, &format!("{WHOAMI}?require=admin"))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.field_error("require").is_some());
    let reply = app.get_as(&writer, &format!("{WHOAMI}?scope=read")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error(), "invalid_query");
}

#[actix_web::test]
async fn missing_garbage_and_session_tokens_are_not_api_keys() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let secret = app.api_key(&admin, &["events:write"]).await;

    let reply = app.get(WHOAMI).await;
    assert_invalid_key(&reply);
    assert!(reply.headers.contains_key("www-authenticate"));
    let mut tampered = secret.clone();
    tampered.pop();
    tampered.push(if secret.ends_with('A') { 'B' } else { 'A' });
    for token in [
        "garbage",
        "pk_live_",
        "pk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        tampered.as_str(),
        admin.access_token.as_str(),
    ] {
        assert_invalid_key(&app.get_as(token, WHOAMI).await);
    }
    let basic = app
        .send(
            app.client
                .get(app.url(WHOAMI))
                .header("Authorization", format!("Basic {secret}")),
        )
        .await;
    assert_invalid_key(&basic);
    // An API key is not a session either.
    let me = app.get_as(&secret, "/api/v1/me").await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn using_a_key_records_when_it_was_last_used_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let secret = app.api_key(&admin, &["read"]).await;
    assert!(stored_keys(&app)[0].last_used_at.is_none());

    app.get_as(&secret, WHOAMI).await;
    let first = stored_keys(&app)[0].last_used_at.expect("recorded");
    app.get_as(&secret, WHOAMI).await;
    assert_eq!(
        stored_keys(&app)[0].last_used_at,
        Some(first),
        "not rewritten within a minute"
    );

    app.execute("UPDATE api_keys SET last_used_at = '2020-01-01 00:00:00'");
    app.get_as(&secret, WHOAMI).await;
    let later = stored_keys(&app)[0].last_used_at.expect("recorded");
    assert!(later >= first, "{later} < {first}");
    let listed = app.get_as(&admin.access_token, KEYS).await;
    assert!(listed.body["items"][0]["last_used_at"].is_string());
}

#[actix_web::test]
async fn keys_rotated_for_one_integration_share_its_owner() {
    let app = TestApp::spawn().await;
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    let old = app
        .api_key_with_owner(&admin, "billing", &["events:write"])
        .await;
    let new = app
        .api_key_with_owner(&admin, "billing", &["events:write"])
        .await;
    assert_ne!(old, new);
    for key in [&old, &new] {
        let whoami = app.get_as(key, WHOAMI).await;
        assert_eq!(whoami.body["owner"], "billing");
    }
}
