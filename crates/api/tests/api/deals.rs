//! Leads and deals (T8): the public lead form (CORS, honeypot, limit per IP), deals a
//! partner sees (and another does not), the vendor closing them through the events API,
//! staff through the admin route; the script and the demo landing page.

use reqwest::StatusCode;
use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

/// An admin, with the default program landing on vendor.example.
async fn vendor_program(app: &TestApp) -> Session {
    let admin = app
        .staff(partnerly_domain::account::Role::Admin, "boss@example.com")
        .await;
    let program_id = app.default_program_id(&admin).await;
    let reply = app
        .patch_as(
            &admin.access_token,
            &format!("/api/v1/admin/programs/{program_id}"),
            &json!({"landing_url": "https://vendor.example/", "allowed_domains": ["vendor.example"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    admin
}

async fn send_lead(app: &TestApp, origin: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/api/v1/public/leads", app.address))
        .json(body);
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    request.send().await.expect("lead sent")
}

async fn my_deals(app: &TestApp, partner: &Session) -> Vec<Value> {
    let reply = app.get_as(&partner.access_token, "/api/v1/me/deals").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

#[actix_web::test]
async fn a_referred_lead_becomes_a_pending_deal_of_its_partner_only() {
    let app = TestApp::spawn().await;
    vendor_program(&app).await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let grace = app.signup("Grace Hopper", "grace@example.com").await;
    let code = app.default_code(&ada).await;

    let response = send_lead(
        &app,
        Some("https://vendor.example"),
        &json!({"name": "Jane Roe", "email": "jane@roe.example", "company": "Roe Ltd",
                "message": "Call me", "ref": code}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(
        response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://vendor.example"
    );
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"received": true})
    );

    let deals = my_deals(&app, &ada).await;
    assert_eq!(deals.len(), 1, "{deals:?}");
    assert_eq!(deals[0]["status"], "pending");
    assert_eq!(deals[0]["name"], "Jane Roe");
    assert_eq!(deals[0]["company"], "Roe Ltd");
    assert_eq!(deals[0]["email"], "j***@roe.example", "masked for partners");
    assert_eq!(deals[0]["amount"], Value::Null);
    assert!(
        my_deals(&app, &grace).await.is_empty(),
        "another partner sees nothing"
    );

    // Without a referral, or from a bot, the answer is the same and nothing is stored.
    for body in [
        json!({"name": "No Ref", "email": "noref@x.example"}),
        json!({"name": "Bot", "email": "bot@x.example", "ref": code, "website": "http://spam.example"}),
        json!({"name": "Unknown", "email": "u@x.example", "ref": "no-such-code"}),
    ] {
        let response = send_lead(&app, None, &body).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED, "{body}");
    }
    assert_eq!(my_deals(&app, &ada).await.len(), 1);

    let invalid = send_lead(
        &app,
        None,
        &json!({"name": " ", "email": "nope", "ref": code}),
    )
    .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = invalid.json().await.unwrap();
    assert!(body["details"]["fields"]["name"].is_string(), "{body}");
    assert!(body["details"]["fields"]["email"].is_string(), "{body}");
}

#[actix_web::test]
async fn only_the_landing_domains_may_send_leads_from_a_browser() {
    let app = TestApp::spawn().await;
    vendor_program(&app).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/public/leads", app.address),
            )
            .header(ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://vendor.example").await.unwrap();
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        allowed.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://vendor.example"
    );
    assert_eq!(allowed.headers()["access-control-allow-methods"], "POST");

    let refused = preflight("https://evil.example").await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let posted = send_lead(
        &app,
        Some("https://vendor.example.evil.example"),
        &json!({"name": "J", "email": "j@x.example"}),
    )
    .await;
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
    assert!(posted.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[actix_web::test]
async fn leads_are_limited_per_address() {
    let app = TestApp::spawn().await;
    vendor_program(&app).await;
    for i in 0..20 {
        let response = send_lead(
            &app,
            None,
            &json!({"name": "J", "email": format!("j{i}@x.example")}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED, "lead {i}");
    }
    let limited = send_lead(&app, None, &json!({"name": "J", "email": "over@x.example"})).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().get("retry-after").is_some());
}

#[actix_web::test]
async fn the_vendor_and_staff_close_deals_and_the_partner_sees_the_outcome() {
    let app = TestApp::spawn().await;
    let admin = vendor_program(&app).await;
    let key = app.billing_key();
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&ada).await;
    for name in ["First Lead", "Second Lead"] {
        let response = send_lead(
            &app,
            None,
            &json!({"name": name, "email": "lead@x.example", "ref": code}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let deals = my_deals(&app, &ada).await;
    let (second, first) = (
        deals[0]["id"].as_i64().unwrap(),
        deals[1]["id"].as_i64().unwrap(),
    );

    let won = json!({"id": "d1", "type": "deal.status_changed", "occurred_at": "2026-11-20T10:00:00Z",
                     "data": {"deal_id": first.to_string(), "status": "won", "amount": "1200.00"}});
    let applied = app.applied(&key, &won).await;
    assert_eq!(applied["effects"]["deal"], "won", "{applied}");
    let no_amount = json!({"id": "d2", "type": "deal.status_changed", "occurred_at": "2026-11-20T10:00:00Z",
                           "data": {"deal_id": second.to_string(), "status": "won"}});
    let refused = app.event(&key, &no_amount).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.body
    );
    assert!(
        refused.field_error("data.amount").is_some(),
        "{:?}",
        refused.body
    );
    let unknown = json!({"id": "d3", "type": "deal.status_changed", "occurred_at": "2026-11-20T10:00:00Z",
                         "data": {"deal_id": "999999", "status": "lost"}});
    let refused = app.event(&key, &unknown).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.body
    );
    assert_eq!(refused.error(), "unknown_deal");

    let path = format!("/api/v1/admin/deals/{second}");
    let lost = app
        .patch_as(&admin.access_token, &path, &json!({"status": "lost"}))
        .await;
    assert_eq!(lost.status, StatusCode::OK, "{:?}", lost.body);
    assert_eq!(lost.body["status"], "lost");
    assert_eq!(
        lost.body["email"], "lead@x.example",
        "staff see the contact whole"
    );
    assert_eq!(app.audit_log("deal.update").len(), 1);
    let by_partner = app
        .patch_as(
            &ada.access_token,
            &path,
            &json!({"status": "won", "amount": "5"}),
        )
        .await;
    assert_eq!(by_partner.status, StatusCode::FORBIDDEN);

    let deals = my_deals(&app, &ada).await;
    let first_view = deals.iter().find(|d| d["id"] == first).unwrap();
    assert_eq!(first_view["status"], "won");
    assert_eq!(
        first_view["amount"],
        json!({"amount": "1200.00", "currency": "USD"})
    );
    assert!(first_view["closed_at"].is_string());
    let second_view = deals.iter().find(|d| d["id"] == second).unwrap();
    assert_eq!(second_view["status"], "lost");

    let list = app
        .get_as(&admin.access_token, "/api/v1/admin/deals?status=won")
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["partner"]["name"], "Ada Lovelace");
}

#[actix_web::test]
async fn the_script_and_the_demo_landing_page_are_served() {
    let app = TestApp::spawn().await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&ada).await;
    let script = app
        .client
        .get(format!("{}/js/partnerly.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(script.text().await.unwrap().contains("window.Partnerly"));

    let page = app
        .client
        .get(format!("{}/demo/landing?ref={code}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("You were referred by <strong>Ada Lovelace</strong>"),
        "{page}"
    );
    assert!(page.contains("data-partnerly-lead"));
    let unknown = app
        .client
        .get(format!("{}/demo/landing?ref=%3Cscript%3E", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(unknown.contains("without a referral link"));
    assert!(!unknown.contains("<script>"));
}
