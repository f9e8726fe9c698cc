//! The tracking redirect `/r/{code}` (T6, T7, T10): target, cookie, unknown and disabled
//! codes, open-redirect attempts, bots and HEAD, repeats, and attribution by click id
//! inside and outside the window.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE, USER_AGENT};
use serde_json::{Value, json};
use url::Url;

use crate::helpers::{Session, TestApp, signed_up};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

/// Points the default program's landing page at the vendor's site; its id and the admin.
async fn vendor_landing_by(app: &TestApp, landing: &str) -> (i64, Session) {
    let admin = app
        .staff(partnerly_domain::account::Role::Admin, "boss@example.com")
        .await;
    let program_id = app.default_program_id(&admin).await;
    let reply = app
        .patch_as(
            &admin.access_token,
            &format!("/api/v1/admin/programs/{program_id}"),
            &json!({"landing_url": landing, "allowed_domains": ["vendor.example"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    (program_id, admin)
}

async fn vendor_landing(app: &TestApp, landing: &str) -> i64 {
    vendor_landing_by(app, landing).await.0
}

/// Follows `/r/...` once (no redirect following) as a browser.
async fn visit(app: &TestApp, path_and_query: &str, agent: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path_and_query}", app.address))
        .header(USER_AGENT, agent)
        .send()
        .await
        .expect("redirect answered")
}

fn location(response: &reqwest::Response) -> Url {
    let raw = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a Location header");
    Url::parse(raw).expect("an absolute Location")
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Disables the partner's default link through the API; the link as the API answers it.
async fn disable_default_link(app: &TestApp, partner: &Session) -> Value {
    let links = app.get_as(&partner.access_token, "/api/v1/links").await;
    let id = links.body["items"][0]["id"]
        .as_i64()
        .expect("the default link");
    let disabled = app
        .patch_as(
            &partner.access_token,
            &format!("/api/v1/links/{id}"),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{:?}", disabled.body);
    disabled.body
}

/// The partner's default link as the API shows it, once the writer stored `clicks`.
async fn link_once_stored(app: &TestApp, partner: &Session, clicks: u64) -> Value {
    for _ in 0..100 {
        let links = app.get_as(&partner.access_token, "/api/v1/links").await;
        let link = links.body["items"][0].clone();
        if link["figures"]["clicks"].as_u64() >= Some(clicks)
            && link["figures"]["clicks"].as_u64().is_some()
        {
            return link;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the clicks were not stored");
}

#[actix_web::test]
async fn a_link_lands_on_the_program_page_with_ref_click_id_cookie_and_the_visitors_parameters() {
    let app = TestApp::spawn().await;
    let program_id = vendor_landing(&app, "https://vendor.example/pricing?plan=pro").await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;

    let response = visit(
        &app,
        &format!("/r/{code}?utm_source=news&sub1=x&ref=forged"),
        BROWSER,
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let target = location(&response);
    assert_eq!(target.host_str(), Some("vendor.example"));
    assert_eq!(target.path(), "/pricing");
    assert_eq!(param(&target, "plan").as_deref(), Some("pro"));
    assert_eq!(param(&target, "utm_source").as_deref(), Some("news"));
    assert_eq!(param(&target, "sub1").as_deref(), Some("x"));
    assert_eq!(param(&target, "ref").as_deref(), Some(code.as_str()));
    let click_id = param(&target, "click_id").expect("a click id");
    assert_eq!(click_id.len(), 20);

    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with(&format!("partnerly_ref_{program_id}={code}.{click_id}.")),
        "{cookie}"
    );
    assert!(cookie.contains("Max-Age=1209600"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    // The code works in any case.
    let upper = visit(&app, &format!("/r/{}", code.to_uppercase()), BROWSER).await;
    assert_eq!(
        param(&location(&upper), "ref").as_deref(),
        Some(code.as_str())
    );

    let link = link_once_stored(&app, &partner, 2).await;
    assert_eq!(link["figures"]["clicks"], 2);
    // The same visitor twice within the hour: one unique click.
    assert_eq!(link["figures"]["unique_clicks"], 1);
    assert_eq!(
        partnerly_db::click::Click::count(&mut app.db()).unwrap(),
        2,
        "one row per click"
    );
    let stored = partnerly_db::click::Click::by_public_id(&mut app.db(), &click_id)
        .unwrap()
        .expect("the click is stored under the id the landing page got");
    assert_eq!(stored.landing_query, "utm_source=news&sub1=x");
    assert!(
        !stored.visitor.contains("127.0.0.1"),
        "addresses are never stored"
    );
}

#[actix_web::test]
async fn unknown_and_disabled_codes_land_without_attribution() {
    let app = TestApp::spawn().await;
    vendor_landing(&app, "https://vendor.example/").await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;

    let unknown = visit(&app, "/r/no-such-code?utm_source=x", BROWSER).await;
    assert_eq!(unknown.status(), StatusCode::FOUND);
    let target = location(&unknown);
    assert_eq!(target.host_str(), Some("vendor.example"));
    assert_eq!(param(&target, "ref"), None);
    assert_eq!(param(&target, "utm_source").as_deref(), Some("x"));
    assert!(unknown.headers().get(SET_COOKIE).is_none());

    let disabled = disable_default_link(&app, &partner).await;
    assert_eq!(disabled["disabled"], true);
    let response = visit(&app, &format!("/r/{code}"), BROWSER).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let target = location(&response);
    assert_eq!(target.as_str(), "https://vendor.example/");
    assert!(response.headers().get(SET_COOKIE).is_none());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(partnerly_db::click::Click::count(&mut app.db()).unwrap(), 0);
}

#[actix_web::test]
async fn no_request_makes_the_redirect_point_elsewhere() {
    let app = TestApp::spawn().await;
    vendor_landing(&app, "https://vendor.example/in").await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    for attempt in [
        format!(
            "/r/{code}?url=https://evil.example&next=//evil.example&redirect=%2F%2Fevil.example"
        ),
        format!("/r/{code}?@evil.example"),
        format!("/r/{code}?%0d%0aLocation:%20https://evil.example"),
        "/r/%2F%2Fevil.example".to_owned(),
        "/r/https:%2F%2Fevil.example".to_owned(),
        "/r/javascript:alert(1)".to_owned(),
        "/r/%5C%5Cevil.example".to_owned(),
        format!("/r/{code}%40evil.example"),
        format!("/r/{code}#@evil.example"),
    ] {
        let response = visit(&app, &attempt, BROWSER).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{attempt}");
        let target = location(&response);
        assert_eq!(target.scheme(), "https", "{attempt}");
        assert_eq!(target.host_str(), Some("vendor.example"), "{attempt}");
        assert_eq!(target.path(), "/in", "{attempt}");
        assert_eq!(target.username(), "", "{attempt}");
        assert_eq!(target.fragment(), None, "{attempt}");
    }
}

#[actix_web::test]
async fn bots_and_head_requests_are_not_clicks_and_other_visitors_are_unique() {
    let app = TestApp::spawn().await;
    vendor_landing(&app, "https://vendor.example/").await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;

    let head = app
        .client
        .head(format!("{}/r/{code}", app.address))
        .header(USER_AGENT, BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::FOUND);
    assert!(
        head.headers().get(SET_COOKIE).is_none(),
        "HEAD sets no cookie"
    );
    for bot in [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
    ] {
        let response = visit(&app, &format!("/r/{code}"), bot).await;
        assert_eq!(response.status(), StatusCode::FOUND, "bots still land");
    }
    visit(&app, &format!("/r/{code}"), BROWSER).await;
    visit(&app, &format!("/r/{code}"), &format!("{BROWSER} Edg/126.0")).await;
    visit(&app, &format!("/r/{code}"), BROWSER).await;

    let link = link_once_stored(&app, &partner, 3).await;
    assert_eq!(link["figures"]["clicks"], 3);
    assert_eq!(link["figures"]["unique_clicks"], 2);
    assert_eq!(link["figures"]["bot_clicks"], 2);
    assert_eq!(partnerly_db::click::Click::count(&mut app.db()).unwrap(), 3);
}

#[actix_web::test]
async fn a_click_id_attributes_inside_the_window_and_not_after_it() {
    let app = TestApp::spawn().await;
    vendor_landing(&app, "https://vendor.example/").await;
    let key = app.billing_key();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    let click_of = |response: &reqwest::Response| param(&location(response), "click_id").unwrap();

    let first = click_of(&visit(&app, &format!("/r/{code}"), BROWSER).await);
    let second = click_of(&visit(&app, &format!("/r/{code}"), &format!("{BROWSER} second")).await);
    link_once_stored(&app, &partner, 2).await;

    // Inside the window: attributed through the click.
    let event = json!({"id": "e1", "type": "customer.signed_up", "occurred_at": time_now(),
                       "data": {"customer_id": "cus_1", "click_id": first}});
    let applied = app.applied(&key, &event).await;
    assert_eq!(applied["effects"]["attributed"], true, "{applied}");
    let customer = app.stored_customer("cus_1");
    assert_eq!(
        customer.attributed_via,
        Some(partnerly_domain::customer::AttributedVia::Click)
    );

    // The second click made 15 days before the sign-up: outside the 14-day window, and
    // the ref code of its own link does not bring it back.
    app.execute(&format!(
        "UPDATE clicks SET clicked_at = '2026-01-01 00:00:00' WHERE public_id = '{second}'"
    ));
    let late = json!({"id": "e2", "type": "customer.signed_up", "occurred_at": "2026-01-16T00:00:01Z",
                      "data": {"customer_id": "cus_2", "click_id": second, "ref_code": code}});
    let applied = app.applied(&key, &late).await;
    assert_eq!(applied["effects"]["attributed"], false, "{applied}");
    assert_eq!(
        applied["effects"]["not_attributed_because"],
        "click_expired"
    );

    // An unknown click id falls back to the ref code.
    let fallback = signed_up("e3", "cus_3", Some(&code));
    let mut fallback = fallback;
    fallback["data"]["click_id"] = json!("nosuchclick");
    let applied = app.applied(&key, &fallback).await;
    assert_eq!(applied["effects"]["attributed"], true, "{applied}");
    assert_eq!(
        app.stored_customer("cus_3").attributed_via,
        Some(partnerly_domain::customer::AttributedVia::RefCode)
    );
}

#[actix_web::test]
async fn an_expired_click_yields_to_another_links_ref_and_a_disabled_links_click_is_unknown() {
    let app = TestApp::spawn().await;
    vendor_landing(&app, "https://vendor.example/").await;
    let key = app.billing_key();
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let grace = app.signup("Grace Hopper", "grace@example.com").await;
    let ada_code = app.default_code(&ada).await;
    let grace_code = app.default_code(&grace).await;
    let click_of = |response: &reqwest::Response| param(&location(response), "click_id").unwrap();

    // Ada's click expired; the ref code is Grace's link: a referral of its own.
    let old = click_of(&visit(&app, &format!("/r/{ada_code}"), BROWSER).await);
    link_once_stored(&app, &ada, 1).await;
    app.execute(&format!(
        "UPDATE clicks SET clicked_at = '2026-01-01 00:00:00' WHERE public_id = '{old}'"
    ));
    let late = json!({"id": "e1", "type": "customer.signed_up", "occurred_at": "2026-01-16T00:00:01Z",
                      "data": {"customer_id": "cus_1", "click_id": old, "ref_code": grace_code}});
    let applied = app.applied(&key, &late).await;
    assert_eq!(applied["effects"]["attributed"], true, "{applied}");
    assert_eq!(
        app.stored_customer("cus_1").attributed_via,
        Some(partnerly_domain::customer::AttributedVia::RefCode)
    );

    // A fresh click on a link disabled since: the click leads nowhere.
    let fresh = click_of(&visit(&app, &format!("/r/{ada_code}"), &format!("{BROWSER} 2")).await);
    link_once_stored(&app, &ada, 2).await;
    disable_default_link(&app, &ada).await;
    let event = json!({"id": "e2", "type": "customer.signed_up", "occurred_at": time_now(),
                       "data": {"customer_id": "cus_2", "click_id": fresh}});
    let applied = app.applied(&key, &event).await;
    assert_eq!(applied["effects"]["attributed"], false, "{applied}");
    assert_eq!(
        applied["effects"]["not_attributed_because"],
        "unknown_click"
    );
}

#[actix_web::test]
async fn first_click_programs_keep_the_first_referral_of_a_visitor() {
    let app = TestApp::spawn().await;
    let (program_id, admin) = vendor_landing_by(&app, "https://vendor.example/").await;
    let reply = app
        .patch_as(
            &admin.access_token,
            &format!("/api/v1/admin/programs/{program_id}"),
            &json!({"attribution_model": "first_click"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["attribution_model"], "first_click");
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let grace = app.signup("Grace Hopper", "grace@example.com").await;
    let (ada_code, grace_code) = (app.default_code(&ada).await, app.default_code(&grace).await);

    let first = visit(&app, &format!("/r/{ada_code}"), BROWSER).await;
    let cookie = first.headers()[SET_COOKIE].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let second = app
        .client
        .get(format!("{}/r/{grace_code}", app.address))
        .header(USER_AGENT, BROWSER)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let target = location(&second);
    assert_eq!(
        param(&target, "ref").as_deref(),
        Some(ada_code.as_str()),
        "the first click wins"
    );
    assert_eq!(
        param(&target, "click_id"),
        param(&location(&first), "click_id")
    );
    assert!(
        second.headers().get(SET_COOKIE).is_none(),
        "the first cookie is kept"
    );
}

#[actix_web::test]
async fn a_full_queue_still_redirects_and_counts_the_dropped_clicks() {
    let app = TestApp::spawn_with(&[("PARTNERLY_CLICK_QUEUE", "2".into())]).await;
    let (_, admin) = vendor_landing_by(&app, "https://vendor.example/").await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&partner).await;
    // The writer cannot write while another transaction holds the clicks: two clicks
    // wait in its batch, two in the queue, the rest are dropped. The redirect never
    // waits for the database.
    use diesel::RunQueryDsl;
    let mut blocker = app.db();
    let block = match &*blocker {
        partnerly_db::DbConn::Sqlite(_) => vec!["BEGIN IMMEDIATE"],
        _ => vec!["BEGIN", "LOCK TABLE clicks IN ACCESS EXCLUSIVE MODE"],
    };
    for sql in block {
        diesel::sql_query(sql).execute(&mut *blocker).unwrap();
    }
    for i in 0..10 {
        let response = visit(&app, &format!("/r/{code}"), &format!("{BROWSER} {i}")).await;
        assert_eq!(
            response.status(),
            StatusCode::FOUND,
            "visitor {i} is redirected"
        );
        assert!(param(&location(&response), "click_id").is_some());
    }
    let status = app
        .get_as(&admin.access_token, "/api/v1/admin/tracking")
        .await;
    assert_eq!(status.status, StatusCode::OK, "{:?}", status.body);
    let (accepted, dropped) = (
        status.body["accepted"].as_u64().unwrap(),
        status.body["dropped"].as_u64().unwrap(),
    );
    assert_eq!(accepted + dropped, 10, "{:?}", status.body);
    assert!(accepted <= 4 && dropped >= 6, "{:?}", status.body);
    assert_eq!(status.body["queue_capacity"], 2);
    assert_eq!(status.body["written"], 0);
    assert!(status.body["known_links"].as_u64() >= Some(1));
    // Once the database is free again, the kept clicks are stored.
    diesel::sql_query("ROLLBACK")
        .execute(&mut *blocker)
        .unwrap();
    drop(blocker);
    link_once_stored(&app, &partner, accepted).await;

    let forbidden = app
        .get_as(&partner.access_token, "/api/v1/admin/tracking")
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_link_disabled_on_one_instance_stops_attributing_on_another() {
    let first = TestApp::spawn().await;
    vendor_landing(&first, "https://vendor.example/").await;
    let partner = first.signup("Ada Lovelace", "ada@example.com").await;
    let code = first.default_code(&partner).await;
    let second = first
        .second_instance(&[("PARTNERLY_LINK_REFRESH_MS", "100".into())])
        .await;
    let attributed = |response: &reqwest::Response| param(&location(response), "ref").is_some();
    assert!(attributed(
        &visit(&second, &format!("/r/{code}"), BROWSER).await
    ));

    disable_default_link(&first, &partner).await;
    let mut stopped = false;
    for _ in 0..100 {
        if !attributed(&visit(&second, &format!("/r/{code}"), BROWSER).await) {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        stopped,
        "the second instance still attributes a disabled link"
    );

    // A link created on the second instance works on the first after its refresh.
    let membership_id = first.membership_id(&partner).await;
    let created = second
        .post_as(
            &partner.access_token,
            "/api/v1/links",
            &json!({"membership_id": membership_id, "code": "ada-two"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let third = first
        .second_instance(&[("PARTNERLY_LINK_REFRESH_MS", "100".into())])
        .await;
    let mut known = false;
    for _ in 0..100 {
        if attributed(&visit(&third, "/r/ada-two", BROWSER).await) {
            known = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(known);
}

#[actix_web::test]
async fn the_time_series_counts_clicks_sign_ups_paying_customers_and_deals_per_day() {
    let app = TestApp::spawn().await;
    vendor_landing(&app, "https://vendor.example/").await;
    let key = app.billing_key();
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let grace = app.signup("Grace Hopper", "grace@example.com").await;
    let code = app.default_code(&ada).await;
    let click = param(
        &location(&visit(&app, &format!("/r/{code}"), BROWSER).await),
        "click_id",
    )
    .unwrap();
    visit(&app, &format!("/r/{code}"), BROWSER).await;
    link_once_stored(&app, &ada, 2).await;
    let now = time_now();
    let signup = json!({"id": "e1", "type": "customer.signed_up", "occurred_at": now,
                        "data": {"customer_id": "cus_1", "click_id": click}});
    app.applied(&key, &signup).await;
    for (id, payment) in [("e2", "pay_1"), ("e3", "pay_2")] {
        let paid = json!({"id": id, "type": "payment.succeeded", "occurred_at": now,
                          "data": {"payment_id": payment, "customer_id": "cus_1", "amount": "100.00",
                                   "currency": "USD", "paid_at": now}});
        app.applied(&key, &paid).await;
    }
    let lead = app
        .client
        .post(format!("{}/api/v1/public/leads", app.address))
        .json(&json!({"name": "Jane", "email": "jane@x.example", "click_id": click}))
        .send()
        .await
        .unwrap();
    assert_eq!(lead.status(), StatusCode::ACCEPTED);

    let today = &now[..10];
    let series = app
        .get_as(
            &ada.access_token,
            &format!("/api/v1/me/stats/timeseries?from={today}&to={today}"),
        )
        .await;
    assert_eq!(series.status, StatusCode::OK, "{:?}", series.body);
    assert_eq!(
        series.body["points"],
        json!([{"period": today, "clicks": 2, "unique_clicks": 1, "signups": 1,
                "paying_customers": 1, "deals": 1,
                "earnings": [{"amount": "40.00", "currency": "USD"}]}])
    );
    let month = app
        .get_as(
            &ada.access_token,
            "/api/v1/me/stats/timeseries?interval=month",
        )
        .await;
    assert_eq!(
        month.body["points"].as_array().unwrap().len(),
        12,
        "{:?}",
        month.body
    );
    assert_eq!(month.body["points"][11]["clicks"], 2);
    let thirty = app
        .get_as(&ada.access_token, "/api/v1/me/stats/timeseries")
        .await;
    assert_eq!(thirty.body["points"].as_array().unwrap().len(), 30);

    let links = app.get_as(&ada.access_token, "/api/v1/links").await;
    let link_id = links.body["items"][0]["id"].as_i64().unwrap();
    let by_link = app
        .get_as(
            &ada.access_token,
            &format!("/api/v1/me/stats/timeseries?from={today}&to={today}&link_id={link_id}"),
        )
        .await;
    assert_eq!(by_link.body["points"][0]["clicks"], 2);
    let other = app
        .get_as(
            &grace.access_token,
            &format!("/api/v1/me/stats/timeseries?link_id={link_id}"),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let graces = app
        .get_as(
            &grace.access_token,
            &format!("/api/v1/me/stats/timeseries?from={today}&to={today}"),
        )
        .await;
    assert_eq!(
        graces.body["points"][0]["clicks"], 0,
        "another partner's figures stay theirs"
    );
    for bad in [
        "from=2026-02-30",
        "from=2026-12-01&to=2026-11-01",
        "from=2024-01-01&to=2026-01-01",
    ] {
        let reply = app
            .get_as(
                &ada.access_token,
                &format!("/api/v1/me/stats/timeseries?{bad}"),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {:?}",
            reply.body
        );
    }
}

fn time_now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("now formats")
}
