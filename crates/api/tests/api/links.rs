//! A partner's links (T1, T5): create with a random or chosen code and a promo code,
//! change, disable; codes unique without regard to case; another partner's links and
//! memberships are out of reach (404 / unknown).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Session, TestApp};

async fn membership(app: &TestApp, partner: &Session) -> i64 {
    app.membership_id(partner).await
}

#[actix_web::test]
async fn a_partner_creates_links_with_chosen_codes_and_promo_codes() {
    let app = TestApp::spawn().await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership_id = membership(&app, &ada).await;

    let created = app
        .post_as(
            &ada.access_token,
            "/api/v1/links",
            &json!({"membership_id": membership_id, "label": "  Spring   newsletter ", "code": "Ada-Spring", "promo_code": "ada20"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["code"], "Ada-Spring");
    assert_eq!(created.body["label"], "Spring newsletter");
    assert_eq!(created.body["promo_code"], "ADA20");
    assert_eq!(created.body["url"], "http://portal.test/r/Ada-Spring");
    assert_eq!(created.body["is_default"], false);
    assert_eq!(created.body["figures"]["clicks"], 0);
    assert_eq!(
        created.body["figures"]["conversion_percent"],
        serde_json::Value::Null
    );
    let id = created.body["id"].as_i64().unwrap();

    let random = app
        .post_as(
            &ada.access_token,
            "/api/v1/links",
            &json!({"membership_id": membership_id}),
        )
        .await;
    assert_eq!(random.status, StatusCode::CREATED, "{:?}", random.body);
    assert_eq!(random.body["code"].as_str().unwrap().len(), 10);

    // Codes are unique without regard to case, promo codes too; reserved words refused.
    for (body, field, message) in [
        (
            json!({"membership_id": membership_id, "code": "ada-spring"}),
            "code",
            "taken",
        ),
        (
            json!({"membership_id": membership_id, "promo_code": "ADA20"}),
            "promo_code",
            "taken",
        ),
        (
            json!({"membership_id": membership_id, "code": "admin"}),
            "code",
            "reserved",
        ),
        (
            json!({"membership_id": membership_id, "code": "a/b"}),
            "code",
            "letters",
        ),
        (
            json!({"membership_id": membership_id, "label": "x\u{7}"}),
            "label",
            "control",
        ),
    ] {
        let reply = app.post_as(&ada.access_token, "/api/v1/links", &body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            reply.body
        );
        let error = reply.field_error(field).unwrap_or_default();
        assert!(error.contains(message), "{body}: {:?}", reply.body);
    }

    // Changes: label, promo code removed, disabled and back.
    let path = format!("/api/v1/links/{id}");
    let changed = app
        .patch_as(
            &ada.access_token,
            &path,
            &json!({"label": "Autumn", "promo_code": null, "disabled": true}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.body["label"], "Autumn");
    assert_eq!(changed.body["promo_code"], serde_json::Value::Null);
    assert_eq!(changed.body["disabled"], true);
    let read = app.get_as(&ada.access_token, &path).await;
    assert_eq!(read.body, changed.body);
    let enabled = app
        .patch_as(&ada.access_token, &path, &json!({"disabled": false}))
        .await;
    assert_eq!(enabled.body["disabled"], false);
    // The freed promo code can be taken again.
    let again = app
        .patch_as(&ada.access_token, &path, &json!({"promo_code": "Ada20"}))
        .await;
    assert_eq!(again.body["promo_code"], "ADA20", "{:?}", again.body);

    let list = app.get_as(&ada.access_token, "/api/v1/links").await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["is_default"], true, "the default link first");
}

#[actix_web::test]
async fn a_promo_code_attributes_a_sign_up_to_its_links_partner() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership_id = membership(&app, &ada).await;
    let link = app
        .post_as(
            &ada.access_token,
            "/api/v1/links",
            &json!({"membership_id": membership_id, "label": "Podcast", "promo_code": "ADAPOD"}),
        )
        .await;
    assert_eq!(link.status, StatusCode::CREATED, "{:?}", link.body);
    let event = json!({"id": "e1", "type": "customer.signed_up", "occurred_at": "2026-11-01T10:00:00Z",
                       "data": {"customer_id": "cus_1", "promo_code": "adapod"}});
    let applied = app.applied(&key, &event).await;
    assert_eq!(applied["effects"]["attributed"], true, "{applied}");
    assert_eq!(
        app.stored_customer("cus_1").link_id,
        link.body["id"].as_i64()
    );

    let read = app
        .get_as(
            &ada.access_token,
            &format!("/api/v1/links/{}", link.body["id"]),
        )
        .await;
    assert_eq!(read.body["figures"]["signups"], 1);
    assert_eq!(read.body["figures"]["paying_customers"], 0);
}

#[actix_web::test]
async fn another_partners_links_and_memberships_are_out_of_reach() {
    let app = TestApp::spawn().await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let grace = app.signup("Grace Hopper", "grace@example.com").await;
    let ada_links = app.get_as(&ada.access_token, "/api/v1/links").await;
    let ada_link = ada_links.body["items"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/links/{ada_link}");

    let read = app.get_as(&grace.access_token, &path).await;
    assert_eq!(read.status, StatusCode::NOT_FOUND, "{:?}", read.body);
    let change = app
        .patch_as(&grace.access_token, &path, &json!({"disabled": true}))
        .await;
    assert_eq!(change.status, StatusCode::NOT_FOUND, "{:?}", change.body);
    let unknown = app
        .get_as(&grace.access_token, "/api/v1/links/999999")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(read.body, unknown.body, "another's link looks like no link");

    let ada_membership = membership(&app, &ada).await;
    let create = app
        .post_as(
            &grace.access_token,
            "/api/v1/links",
            &json!({"membership_id": ada_membership}),
        )
        .await;
    assert_eq!(
        create.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        create.body
    );
    assert!(create.field_error("membership_id").is_some());

    let still = app.get_as(&ada.access_token, &path).await;
    assert_eq!(still.body["disabled"], false, "nothing changed");
    let grace_links = app.get_as(&grace.access_token, "/api/v1/links").await;
    assert_eq!(grace_links.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_membership_has_at_most_a_hundred_links() {
    let app = TestApp::spawn().await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership_id = membership(&app, &ada).await;
    // The default link and 99 more.
    for _ in 0..99 {
        let reply = app
            .post_as(
                &ada.access_token,
                "/api/v1/links",
                &json!({"membership_id": membership_id}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
    let over = app
        .post_as(
            &ada.access_token,
            "/api/v1/links",
            &json!({"membership_id": membership_id}),
        )
        .await;
    assert_eq!(over.status, StatusCode::CONFLICT, "{:?}", over.body);
    assert_eq!(over.error(), "link_limit");
}

#[actix_web::test]
async fn a_partner_invites_by_email_and_sees_who_signed_up() {
    let app = TestApp::spawn().await;
    let key = app.billing_key();
    let admin = app
        .staff(partnerly_domain::account::Role::Admin, "boss@example.com")
        .await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let grace = app.signup("Grace Hopper", "grace@example.com").await;
    let links = app.get_as(&ada.access_token, "/api/v1/links").await;
    let link = &links.body["items"][0];
    let (id, code) = (
        link["id"].as_i64().unwrap(),
        link["code"].as_str().unwrap().to_owned(),
    );
    let path = format!("/api/v1/links/{id}/invitations");

    let sent = app
        .post_as(
            &ada.access_token,
            &path,
            &json!({"emails": ["Bob@Client.example", "carol@client.example", "bob@client.example"],
                    "message": "You will love this tool."}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    assert_eq!(
        sent.body["items"].as_array().unwrap().len(),
        2,
        "addresses are deduplicated"
    );
    let emails = app.outbox_for(&admin, "bob@client.example").await;
    assert_eq!(emails.len(), 1);
    let body = emails[0]["body"].as_str().unwrap();
    assert!(body.contains("You will love this tool."), "{body}");
    assert!(
        body.contains(&format!("http://portal.test/r/{code}")),
        "{body}"
    );
    assert_eq!(emails[0]["subject"], "Ada Lovelace invites you");

    let event = json!({"id": "e1", "type": "customer.signed_up", "occurred_at": "2026-11-01T10:00:00Z",
                       "data": {"customer_id": "cus_bob", "email": "bob@client.example", "ref_code": code}});
    app.applied(&key, &event).await;
    let list = app.get_as(&ada.access_token, &path).await;
    assert_eq!(list.status, StatusCode::OK);
    let by_email = |email: &str| {
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["email"] == email)
            .map(|i| i["signed_up"].clone())
    };
    assert_eq!(by_email("bob@client.example"), Some(json!(true)));
    assert_eq!(by_email("carol@client.example"), Some(json!(false)));

    // Another partner's link is out of reach either way.
    assert_eq!(
        app.get_as(&grace.access_token, &path).await.status,
        StatusCode::NOT_FOUND
    );
    let theirs = app
        .post_as(
            &grace.access_token,
            &path,
            &json!({"emails": ["x@client.example"]}),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(app.outbox_for(&admin, "x@client.example").await.is_empty());

    let bad = app
        .post_as(
            &ada.access_token,
            &path,
            &json!({"emails": ["ok@client.example", "nope"]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("emails.1").is_some(), "{:?}", bad.body);
    assert!(
        app.outbox_for(&admin, "ok@client.example").await.is_empty(),
        "nothing is sent"
    );

    app.patch_as(
        &ada.access_token,
        &format!("/api/v1/links/{id}"),
        &json!({"disabled": true}),
    )
    .await;
    let disabled = app
        .post_as(
            &ada.access_token,
            &path,
            &json!({"emails": ["d@client.example"]}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::CONFLICT);
    assert_eq!(disabled.error(), "link_disabled");
}

#[actix_web::test]
async fn invitations_are_limited_per_partner_and_day() {
    let app = TestApp::spawn().await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let links = app.get_as(&ada.access_token, "/api/v1/links").await;
    let path = format!("/api/v1/links/{}/invitations", links.body["items"][0]["id"]);
    for batch in 0..2 {
        let emails: Vec<String> = (0..20).map(|i| format!("p{batch}-{i}@x.example")).collect();
        let reply = app
            .post_as(&ada.access_token, &path, &json!({"emails": emails}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
    let emails: Vec<String> = (0..11).map(|i| format!("q{i}@x.example")).collect();
    let over = app
        .post_as(&ada.access_token, &path, &json!({"emails": emails}))
        .await;
    assert_eq!(
        over.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        over.body
    );
    let list = app.get_as(&ada.access_token, &path).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        40,
        "the refused request sent none"
    );
}
