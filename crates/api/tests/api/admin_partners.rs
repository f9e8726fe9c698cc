//! Partners, memberships, track changes and customers through the admin API (A1, L3,
//! L4): search, detail, manual level, rate override, suspension, track requests and
//! customer reassignment — and what the next commission then is.

use partnerly_domain::account::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, json_of, paid, public_id, signed_up};

async fn manager(app: &TestApp) -> Session {
    app.staff(Role::Manager, "manager@example.com").await
}

async fn add_level(app: &TestApp, manager: &Session, level: Value) -> i64 {
    let program_id = app.default_program_id(manager).await;
    let reply = app
        .post_as(
            &manager.access_token,
            &format!("/api/v1/admin/programs/{program_id}/levels"),
            &level,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_i64().expect("a level id")
}

async fn amounts(app: &TestApp, partner: &Session) -> Vec<String> {
    let reply = app
        .get_as(&partner.access_token, "/api/v1/me/commissions")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"]
        .as_array()
        .expect("a list of commissions")
        .iter()
        .map(|c| {
            c["amount"]["amount"]
                .as_str()
                .expect("an amount")
                .to_owned()
        })
        .collect()
}

async fn my_level(app: &TestApp, partner: &Session) -> Value {
    let reply = app
        .get_as(&partner.access_token, "/api/v1/me/programs")
        .await;
    reply.body["items"][0].clone()
}

async fn detail(app: &TestApp, manager: &Session, partner: &Session) -> Value {
    let reply = app
        .get_as(
            &manager.access_token,
            &format!("/api/v1/admin/partners/{}", public_id(partner)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

#[actix_web::test]
async fn managers_find_partners_by_email_name_or_public_id() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    app.signup("Ada Lovelace", "ada@example.com").await;
    let bob = app.signup("Bob Builder", "bob@example.com").await;
    let emails = |reply: &crate::helpers::Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["account"]["email"].as_str().unwrap().to_owned())
            .collect()
    };

    let all = app.get_as(t, "/api/v1/admin/partners").await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(all.body["total"], 2, "staff accounts are not partners");
    assert_eq!(emails(&all), ["ada@example.com", "bob@example.com"]);
    let membership = &all.body["items"][0]["memberships"][0];
    assert_eq!(membership["program_name"], "Referral program");
    assert_eq!(membership["level"]["name"], "Partner");
    assert_eq!(membership["status"], "active");

    let bob_id = public_id(&bob);
    for (q, expected) in [
        ("ADA", vec!["ada@example.com"]),
        ("builder", vec!["bob@example.com"]),
        ("bob b", vec!["bob@example.com"]),
        (bob_id.as_str(), vec!["bob@example.com"]),
        (&bob_id[1..], vec!["bob@example.com"]),
        ("example.com", vec!["ada@example.com", "bob@example.com"]),
        ("nobody", vec![]),
        ("%", vec![]),
    ] {
        let reply = app
            .send(
                app.client
                    .get(app.url("/api/v1/admin/partners"))
                    .query(&[("q", q)])
                    .bearer_auth(t),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{q}: {:?}", reply.body);
        assert_eq!(emails(&reply), expected, "{q}");
    }
    let second = app
        .get_as(t, "/api/v1/admin/partners?per_page=1&page=2")
        .await;
    assert_eq!(emails(&second), ["bob@example.com"]);
    assert_eq!(second.body["total"], 2);
    let bad = app.get_as(t, "/api/v1/admin/partners?per_page=101").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("per_page").is_some());
}

#[actix_web::test]
async fn a_partners_detail_shows_memberships_with_level_override_and_history() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let body = detail(&app, &manager, &ada).await;
    assert_eq!(body["account"]["email"], "ada@example.com");
    assert_eq!(body["account"]["public_id"], public_id(&ada));
    let m = &body["memberships"][0];
    assert_eq!(m["level"]["name"], "Partner");
    assert_eq!(m["level"]["percent"], "20");
    assert_eq!(m["rate_override"], Value::Null);
    assert_eq!(m["track"], "referral");
    assert_eq!(m["level_history"][0]["reason"], "enrolment");
    assert_eq!(m["level_history"][0]["from_level"], Value::Null);
    assert_eq!(m["track_requests"], json!([]));
    for missing in ["A999999", "P999999", "ada", "A12345"] {
        let reply = app
            .get_as(
                &manager.access_token,
                &format!("/api/v1/admin/partners/{missing}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[actix_web::test]
async fn a_manual_level_change_and_a_rate_override_change_the_next_commission() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let gold = add_level(
        &app,
        &manager,
        json!({"name": "Gold", "position": 3, "track": "referral", "percent": "30",
               "duration": {"kind": "lifetime"}}),
    )
    .await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership = app.membership_id(&ada).await;
    let path = format!("/api/v1/admin/memberships/{membership}");
    let key = app.billing_key();
    let code = app.default_code(&ada).await;
    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
    )
    .await;

    let overridden = app
        .patch_as(
            &manager.access_token,
            &path,
            &json!({"rate_override": "35", "reason": "Negotiated rate"}),
        )
        .await;
    assert_eq!(overridden.status, StatusCode::OK, "{:?}", overridden.body);
    assert_eq!(overridden.body["rate_override"], "35");
    assert_eq!(my_level(&app, &ada).await["rate_override"], "35");
    app.applied(
        &key,
        &paid("p2", "pay_2", "cus_1", "100.00", "2026-11-02T10:00:00Z"),
    )
    .await;

    let moved = app
        .patch_as(
            &manager.access_token,
            &path,
            &json!({"level_id": gold, "rate_override": null}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(moved.body["level"]["name"], "Gold");
    assert_eq!(moved.body["rate_override"], Value::Null);
    assert_eq!(my_level(&app, &ada).await["level"]["name"], "Gold");
    app.applied(
        &key,
        &paid("p3", "pay_3", "cus_1", "100.00", "2026-11-03T10:00:00Z"),
    )
    .await;

    assert_eq!(
        amounts(&app, &ada).await,
        ["30.00", "35.00", "20.00"],
        "level 20%, then the 35% override, then Gold's 30%"
    );
    let history = &detail(&app, &manager, &ada).await["memberships"][0]["level_history"];
    assert_eq!(history[0]["reason"], "manual");
    assert_eq!(history[0]["from_level"]["name"], "Partner");
    assert_eq!(history[0]["to_level"]["name"], "Gold");
    assert!(history[0]["actor_id"].is_i64(), "{history}");

    let log = app.audit_log("membership.update");
    assert_eq!(log.len(), 2);
    let first = &log[1];
    assert_eq!(first.reason.as_deref(), Some("Negotiated rate"));
    assert_eq!(first.target_type, "membership");
    assert_eq!(first.target_id, Some(membership));
    assert_eq!(json_of(&first.before_json)["rate_override"], Value::Null);
    assert_eq!(json_of(&first.after_json)["rate_override"], "35");
    assert_eq!(json_of(&log[0].after_json)["level"]["name"], "Gold");
}

#[actix_web::test]
async fn a_membership_takes_only_levels_of_its_program_and_earns_nothing_while_suspended() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let other = app
        .post_as(
            t,
            "/api/v1/admin/programs",
            &json!({"name": "Other", "currency": "USD", "landing_url": "https://example.com"}),
        )
        .await;
    let foreign = app
        .post_as(
            t,
            &format!("/api/v1/admin/programs/{}/levels", other.body["id"]),
            &json!({"name": "Foreign", "position": 1, "track": "referral", "percent": "50",
                    "duration": {"kind": "lifetime"}}),
        )
        .await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let membership = app.membership_id(&ada).await;
    let path = format!("/api/v1/admin/memberships/{membership}");
    for level_id in [foreign.body["id"].clone(), json!(999_999)] {
        let reply = app.patch_as(t, &path, &json!({"level_id": level_id})).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.field_error("level_id").is_some(), "{:?}", reply.body);
    }
    let bad_rate = app.patch_as(t, &path, &json!({"rate_override": "0"})).await;
    assert!(bad_rate.field_error("rate_override").is_some());
    let unknown = app
        .patch_as(t, &path, &json!({"track": "integrator"}))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let missing = app
        .patch_as(
            t,
            "/api/v1/admin/memberships/999999",
            &json!({"status": "suspended"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(app.audit_log("membership.update").is_empty());

    let suspended = app
        .patch_as(t, &path, &json!({"status": "suspended"}))
        .await;
    assert_eq!(suspended.body["status"], "suspended");
    let key = app.billing_key();
    let code = app.default_code(&ada).await;
    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    assert!(amounts(&app, &ada).await.is_empty());
    let active = app.patch_as(t, &path, &json!({"status": "active"})).await;
    assert_eq!(active.body["status"], "active");
}

#[actix_web::test]
async fn a_partner_asks_to_change_track_and_a_manager_approves_or_rejects() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let bob = app.signup("Bob Builder", "bob@example.com").await;
    let ada_membership = app.membership_id(&ada).await;
    let bob_membership = app.membership_id(&bob).await;
    let ask = |m: i64| format!("/api/v1/me/programs/{m}/track-request");
    let to_integrator = json!({"to_track": "integrator", "message": "We resell and integrate."});

    let no_ladder = app
        .post_as(&ada.access_token, &ask(ada_membership), &to_integrator)
        .await;
    assert_eq!(no_ladder.status, StatusCode::CONFLICT);
    assert_eq!(no_ladder.error(), "no_level_on_track");
    add_level(
        &app,
        &manager,
        json!({"name": "Gold", "position": 3, "track": "integrator", "percent": "35",
               "duration": {"kind": "lifetime"}, "threshold": {"kind": "paying_customers", "count": 5}}),
    )
    .await;
    add_level(
        &app,
        &manager,
        json!({"name": "Silver", "position": 2, "track": "integrator", "percent": "30",
               "duration": {"kind": "lifetime"}}),
    )
    .await;

    let asked = app
        .post_as(&ada.access_token, &ask(ada_membership), &to_integrator)
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{:?}", asked.body);
    assert_eq!(asked.body["status"], "pending");
    assert_eq!(asked.body["to_track"], "integrator");
    assert_eq!(asked.body["current_track"], "referral");
    assert_eq!(asked.body["message"], "We resell and integrate.");
    let again = app
        .post_as(&ada.access_token, &ask(ada_membership), &to_integrator)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error(), "track_request_pending");
    let same_track = app
        .post_as(
            &ada.access_token,
            &ask(ada_membership),
            &json!({"to_track": "referral"}),
        )
        .await;
    assert_eq!(same_track.error(), "already_on_track");
    let not_hers = app
        .post_as(&bob.access_token, &ask(ada_membership), &to_integrator)
        .await;
    assert_eq!(not_hers.status, StatusCode::NOT_FOUND);
    let too_long = app
        .post_as(
            &bob.access_token,
            &ask(bob_membership),
            &json!({"to_track": "integrator", "message": "x".repeat(2001)}),
        )
        .await;
    assert!(too_long.field_error("message").is_some());

    let queue = app
        .get_as(t, "/api/v1/admin/track-requests?status=pending")
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{:?}", queue.body);
    assert_eq!(queue.body["total"], 1);
    assert_eq!(
        queue.body["items"][0]["partner"]["public_id"],
        public_id(&ada)
    );
    let bad_status = app
        .get_as(t, "/api/v1/admin/track-requests?status=open")
        .await;
    assert!(bad_status.field_error("status").is_some());

    let request_id = asked.body["id"].as_i64().unwrap();
    let approved = app
        .post_as(
            t,
            &format!("/api/v1/admin/track-requests/{request_id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["current_track"], "integrator");
    assert!(approved.body["decided_by"].is_i64());
    for decision in ["approve", "reject"] {
        let twice = app
            .post_as(
                t,
                &format!("/api/v1/admin/track-requests/{request_id}/{decision}"),
                &json!({}),
            )
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert_eq!(twice.error(), "track_request_decided");
    }
    let ada_now = my_level(&app, &ada).await;
    assert_eq!(ada_now["track"], "integrator");
    assert_eq!(
        ada_now["level"]["name"], "Silver",
        "the lowest level of the new track"
    );
    let history = &detail(&app, &manager, &ada).await["memberships"][0];
    assert_eq!(history["level_history"][0]["reason"], "track_change");
    assert_eq!(history["track_requests"][0]["status"], "approved");

    let bobs = app
        .post_as(&bob.access_token, &ask(bob_membership), &to_integrator)
        .await;
    let rejected = app
        .post_as(
            t,
            &format!("/api/v1/admin/track-requests/{}/reject", bobs.body["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{:?}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(my_level(&app, &bob).await["level"]["name"], "Partner");
    let pending = app
        .get_as(t, "/api/v1/admin/track-requests?status=pending")
        .await;
    assert_eq!(pending.body["total"], 0);
    let everything = app.get_as(t, "/api/v1/admin/track-requests").await;
    assert_eq!(everything.body["total"], 2);
    assert_eq!(
        app.post_as(t, "/api/v1/admin/track-requests/999999/approve", &json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let approval = &app.audit_log("track_request.approve")[0];
    assert_eq!(json_of(&approval.before_json)["status"], "pending");
    assert_eq!(json_of(&approval.after_json)["status"], "approved");
    assert_eq!(app.audit_log("track_request.reject").len(), 1);
    assert_eq!(app.audit_log("track_request.create").len(), 2);
}

#[actix_web::test]
async fn reassigning_a_customer_moves_its_future_commissions_only() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let bob = app.signup("Bob Builder", "bob@example.com").await;
    let bob_membership = app.membership_id(&bob).await;
    let key = app.billing_key();
    let code = app.default_code(&ada).await;
    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(&key, &signed_up("s2", "cus_2", None)).await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
    )
    .await;

    let found = app.get_as(t, "/api/v1/admin/customers?q=CUS_1").await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    assert_eq!(found.body["total"], 1);
    let customer = found.body["items"][0].clone();
    assert_eq!(customer["external_id"], "cus_1");
    assert_eq!(customer["partner"]["public_id"], public_id(&ada));
    assert_eq!(customer["program_name"], "Referral program");
    assert_eq!(customer["attributed_via"], "ref_code");
    assert!(customer["first_paid_at"].is_string());
    let of_ada = app
        .get_as(
            t,
            &format!("/api/v1/admin/customers?partner={}", public_id(&ada)),
        )
        .await;
    assert_eq!(of_ada.body["total"], 1);
    let unattributed = app
        .get_as(t, "/api/v1/admin/customers?attributed=false")
        .await;
    assert_eq!(unattributed.body["items"][0]["external_id"], "cus_2");
    assert_eq!(unattributed.body["total"], 1);
    let bad_partner = app.get_as(t, "/api/v1/admin/customers?partner=ada").await;
    assert!(bad_partner.field_error("partner").is_some());

    let path = format!("/api/v1/admin/customers/{}/reassign", customer["id"]);
    for (body, field) in [
        (json!({"membership_id": bob_membership}), "reason"),
        (json!({"reason": "Moved"}), "membership_id"),
        (
            json!({"membership_id": 999_999, "reason": "Moved"}),
            "membership_id",
        ),
    ] {
        let reply = app.post_as(t, &path, &body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            reply.field_error(field).is_some(),
            "{body}: {:?}",
            reply.body
        );
    }
    let nobody = app
        .post_as(
            t,
            "/api/v1/admin/customers/999999/reassign",
            &json!({"membership_id": null, "reason": "x"}),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);

    let moved = app
        .post_as(
            t,
            &path,
            &json!({"membership_id": bob_membership, "reason": "Bob closed the deal"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(moved.body["membership_id"], bob_membership);
    assert_eq!(moved.body["attributed_via"], "manual");
    assert_eq!(moved.body["partner"]["public_id"], public_id(&bob));

    app.applied(
        &key,
        &paid("p2", "pay_2", "cus_1", "100.00", "2026-12-01T10:00:00Z"),
    )
    .await;
    assert_eq!(
        amounts(&app, &ada).await,
        ["20.00"],
        "Ada keeps what she earned"
    );
    assert_eq!(
        amounts(&app, &bob).await,
        ["20.00"],
        "Bob earns from now on"
    );

    let log = app.audit_log("customer.reassign");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].reason.as_deref(), Some("Bob closed the deal"));
    assert_eq!(
        json_of(&log[0].before_json)["partner"]["public_id"],
        public_id(&ada)
    );
    assert_eq!(json_of(&log[0].after_json)["membership_id"], bob_membership);

    let detached = app
        .post_as(
            t,
            &path,
            &json!({"membership_id": null, "reason": "Self-referral"}),
        )
        .await;
    assert_eq!(detached.body["partner"], Value::Null);
    assert_eq!(detached.body["attributed_via"], Value::Null);
    app.applied(
        &key,
        &paid("p3", "pay_3", "cus_1", "100.00", "2027-01-01T10:00:00Z"),
    )
    .await;
    assert_eq!(amounts(&app, &bob).await, ["20.00"]);
}
