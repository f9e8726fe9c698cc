//! Programs and levels through the admin API (L1, L2, A4): CRUD, validation, roles,
//! rule versions, the currency lock — and what partners then earn.

use diesel::prelude::*;
use partnerly_db::DbConn;
use partnerly_domain::account::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, json_of, paid, signed_up};

async fn manager(app: &TestApp) -> Session {
    app.staff(Role::Manager, "manager@example.com").await
}

async fn program(app: &TestApp, token: &str, id: i64) -> Value {
    let reply = app
        .get_as(token, &format!("/api/v1/admin/programs/{id}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

async fn create_level(app: &TestApp, token: &str, program_id: i64, level: &Value) -> Value {
    let reply = app
        .post_as(
            token,
            &format!("/api/v1/admin/programs/{program_id}/levels"),
            level,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body
}

async fn commissions(app: &TestApp, partner: &Session) -> Vec<Value> {
    let reply = app
        .get_as(&partner.access_token, "/api/v1/me/commissions")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"]
        .as_array()
        .expect("a list of commissions")
        .clone()
}

#[actix_web::test]
async fn a_manager_creates_lists_reads_and_updates_a_program() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let created = app
        .post_as(
            t,
            "/api/v1/admin/programs",
            &json!({"name": " Official  partners ", "currency": "eur", "hold_days": 14,
                    "minimum_payout": "500", "payout_schedule": "monthly",
                    "landing_url": "https://www.example.com/partners", "rules_text": "35% for life.",
                    "self_signup": false}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let p = &created.body;
    assert_eq!(p["name"], "Official partners");
    assert_eq!(p["currency"], "EUR");
    assert_eq!(p["attribution_window_days"], 14, "the default window");
    assert_eq!(p["hold_days"], 14);
    assert_eq!(
        p["minimum_payout"],
        json!({"amount": "500.00", "currency": "EUR"})
    );
    assert_eq!(p["payout_schedule"], "monthly");
    assert_eq!(p["allowed_domains"], json!(["www.example.com"]));
    assert_eq!(p["self_signup"], false);
    assert_eq!(p["levels"], json!([]));
    let id = p["id"].as_i64().unwrap();

    let list = app.get_as(t, "/api/v1/admin/programs").await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the default program and the new one");
    assert_eq!(items[0]["name"], "Referral program");
    assert_eq!(items[0]["levels"][0]["name"], "Partner");
    assert_eq!(program(&app, t, id).await, created.body);

    let updated = app
        .patch_as(
            t,
            &format!("/api/v1/admin/programs/{id}"),
            &json!({"name": "Official partners 2026", "landing_url": "https://example.com/",
                    "allowed_domains": ["Example.com", "www.example.com", "example.com"]}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
    assert_eq!(updated.body["name"], "Official partners 2026");
    assert_eq!(
        updated.body["allowed_domains"],
        json!(["example.com", "www.example.com"])
    );
    let again = app
        .patch_as(
            t,
            &format!("/api/v1/admin/programs/{id}"),
            &json!({"attribution_window_days": 30, "self_signup": true}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(again.body["attribution_window_days"], 30);
    assert_eq!(
        again.body["name"], "Official partners 2026",
        "absent fields stay"
    );
    assert_eq!(again.body["minimum_payout"]["amount"], "500.00");

    for missing in [
        app.get_as(t, "/api/v1/admin/programs/999999").await,
        app.patch_as(t, "/api/v1/admin/programs/999999", &json!({"name": "X"}))
            .await,
        app.get_as(t, "/api/v1/admin/programs/not-a-number").await,
    ] {
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }

    let create_log = app.audit_log("program.create");
    assert_eq!(create_log.len(), 1);
    assert_eq!(create_log[0].target_id, Some(id));
    assert_eq!(create_log[0].before_json, None);
    assert_eq!(
        json_of(&create_log[0].after_json)["name"],
        "Official partners"
    );
    let update_log = app.audit_log("program.update");
    assert_eq!(update_log.len(), 2);
    assert_eq!(
        json_of(&update_log[1].before_json)["name"],
        "Official partners"
    );
    assert_eq!(
        json_of(&update_log[1].after_json)["name"],
        "Official partners 2026"
    );
    assert!(update_log.iter().all(|e| e.actor_id.is_some()));
}

#[actix_web::test]
async fn levels_are_created_edited_and_deleted_and_rule_edits_bump_the_rule_version() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let created = app
        .post_as(
            t,
            "/api/v1/admin/programs",
            &json!({"name": "Ladder", "currency": "USD", "landing_url": "https://example.com"}),
        )
        .await;
    let program_id = created.body["id"].as_i64().unwrap();

    let iron = create_level(
        &app,
        t,
        program_id,
        &json!({"name": "Iron", "position": 1, "track": "referral", "flat_first_payment": "25",
                "duration": {"kind": "first_payment"},
                "client_bonus": {"amount": "25", "trigger": "first_payment"}}),
    )
    .await;
    assert_eq!(
        iron["flat_first_payment"],
        json!({"amount": "25.00", "currency": "USD"})
    );
    assert_eq!(iron["percent"], Value::Null);
    assert_eq!(
        iron["client_bonus"],
        json!({"amount": {"amount": "25.00", "currency": "USD"}, "trigger": "first_payment"})
    );
    assert_eq!(iron["rule_version"], 1);
    let bronze = create_level(
        &app,
        t,
        program_id,
        &json!({"name": "Bronze", "position": 2, "track": "referral", "percent": "20",
                "duration": {"kind": "months", "months": 12},
                "threshold": {"kind": "paying_customers", "count": 5}}),
    )
    .await;
    assert_eq!(bronze["duration"], json!({"kind": "months", "months": 12}));
    assert_eq!(
        bronze["threshold"],
        json!({"kind": "paying_customers", "count": 5})
    );
    let bronze_path = format!("/api/v1/admin/levels/{}", bronze["id"]);

    let taken = app
        .post_as(
            t,
            &format!("/api/v1/admin/programs/{program_id}/levels"),
            &json!({"name": "Silver", "position": 2, "track": "integrator", "percent": "30",
                    "duration": {"kind": "lifetime"}}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.error(), "position_taken");

    let renamed = app
        .patch_as(t, &bronze_path, &json!({"name": "Bronze+"}))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(renamed.body["name"], "Bronze+");
    assert_eq!(
        renamed.body["rule_version"], 1,
        "a new name is not a new rule"
    );
    let higher = app
        .patch_as(t, &bronze_path, &json!({"percent": "25"}))
        .await;
    assert_eq!(higher.body["percent"], "25");
    assert_eq!(higher.body["rule_version"], 2);
    let longer = app
        .patch_as(t, &bronze_path, &json!({"duration": {"kind": "lifetime"}}))
        .await;
    assert_eq!(longer.body["rule_version"], 3);
    let by_volume = app
        .patch_as(
            t,
            &bronze_path,
            &json!({"threshold": {"kind": "sales_volume", "amount": "1000"}}),
        )
        .await;
    assert_eq!(
        by_volume.body["threshold"],
        json!({"kind": "sales_volume", "amount": {"amount": "1000.00", "currency": "USD"}})
    );
    assert_eq!(
        by_volume.body["rule_version"], 3,
        "a threshold is not part of the rule"
    );
    let clash = app.patch_as(t, &bronze_path, &json!({"position": 1})).await;
    assert_eq!(clash.error(), "position_taken");
    let no_bonus = app
        .patch_as(
            t,
            &format!("/api/v1/admin/levels/{}", iron["id"]),
            &json!({"client_bonus": null}),
        )
        .await;
    assert_eq!(no_bonus.status, StatusCode::OK, "{:?}", no_bonus.body);
    assert_eq!(no_bonus.body["client_bonus"], Value::Null);
    assert_eq!(no_bonus.body["flat_first_payment"]["amount"], "25.00");

    let levels = program(&app, t, program_id).await["levels"].clone();
    let names: Vec<&str> = levels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Iron", "Bronze+"]);

    let deleted = app.delete_as(t, &bronze_path).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.delete_as(t, &bronze_path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        program(&app, t, program_id).await["levels"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(app.audit_log("level.create").len(), 2);
    assert_eq!(app.audit_log("level.update").len(), 5);
    let deletion = &app.audit_log("level.delete")[0];
    assert_eq!(json_of(&deletion.before_json)["name"], "Bronze+");
    assert_eq!(deletion.after_json, None);
}

#[actix_web::test]
async fn a_level_partners_are_on_cannot_be_deleted_or_moved_to_another_track() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    app.signup("Ada Lovelace", "ada@example.com").await;
    let program_id = app.default_program_id(&manager).await;
    let level_id = program(&app, t, program_id).await["levels"][0]["id"].clone();
    let path = format!("/api/v1/admin/levels/{level_id}");
    let delete = app.delete_as(t, &path).await;
    assert_eq!(delete.status, StatusCode::CONFLICT);
    assert_eq!(delete.error(), "level_in_use");
    let retrack = app
        .patch_as(t, &path, &json!({"track": "integrator"}))
        .await;
    assert_eq!(retrack.status, StatusCode::CONFLICT);
    assert_eq!(retrack.error(), "level_in_use");
    assert!(app.audit_log("level.delete").is_empty());
}

#[actix_web::test]
async fn bad_programs_and_levels_are_422_with_a_message_per_field_path() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let bad = app
        .post_as(
            t,
            "/api/v1/admin/programs",
            &json!({"name": " ", "currency": "EURO", "attribution_window_days": 0, "hold_days": 366,
                    "landing_url": "ftp://example.com/", "allowed_domains": ["ok.example.com", "not a host"],
                    "rules_text": "x".repeat(20_001)}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error(), "validation_failed");
    for field in [
        "name",
        "currency",
        "attribution_window_days",
        "hold_days",
        "landing_url",
        "allowed_domains.1",
        "rules_text",
    ] {
        assert!(bad.field_error(field).is_some(), "{field}: {:?}", bad.body);
    }
    let elsewhere = app
        .post_as(
            t,
            "/api/v1/admin/programs",
            &json!({"name": "P", "currency": "USD", "landing_url": "https://evil.example.net/",
                    "allowed_domains": ["example.com"]}),
        )
        .await;
    assert!(
        elsewhere
            .field_error("landing_url")
            .unwrap()
            .contains("evil.example.net")
    );
    let precise = app
        .post_as(
            t,
            "/api/v1/admin/programs",
            &json!({"name": "P", "currency": "JPY", "minimum_payout": "10.5",
                    "landing_url": "https://example.com"}),
        )
        .await;
    assert!(precise.field_error("minimum_payout").is_some());
    let unknown = app
        .post_as(
            t,
            "/api/v1/admin/programs",
            &json!({"name": "P", "currency": "USD", "landing_url": "https://example.com", "owner": 1}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.error(), "invalid_body");

    let program_id = app.default_program_id(&manager).await;
    let levels = format!("/api/v1/admin/programs/{program_id}/levels");
    let bad_level = app
        .post_as(
            t,
            &levels,
            &json!({"name": "", "position": 0, "track": "referral", "percent": "101",
                    "duration": {"kind": "months", "months": 0},
                    "client_bonus": {"amount": "0", "trigger": "sign_up"},
                    "threshold": {"kind": "paying_customers", "count": 0}}),
        )
        .await;
    assert_eq!(bad_level.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "name",
        "position",
        "percent",
        "duration.months",
        "client_bonus.amount",
        "threshold.count",
    ] {
        assert!(
            bad_level.field_error(field).is_some(),
            "{field}: {:?}",
            bad_level.body
        );
    }
    let no_rule = app
        .post_as(
            t,
            &levels,
            &json!({"name": "Nothing", "position": 5, "track": "referral",
                    "duration": {"kind": "lifetime"},
                    "threshold": {"kind": "sales_volume", "amount": "1.001"}}),
        )
        .await;
    for field in ["flat_first_payment", "percent", "threshold.amount"] {
        assert!(
            no_rule.field_error(field).is_some(),
            "{field}: {:?}",
            no_rule.body
        );
    }
    let level_id = program(&app, t, program_id).await["levels"][0]["id"].clone();
    let too_long = app
        .patch_as(
            t,
            &format!("/api/v1/admin/levels/{level_id}"),
            &json!({"duration": {"kind": "months", "months": 121}}),
        )
        .await;
    assert!(too_long.field_error("duration.months").is_some());
    let negative_hold = app
        .patch_as(
            t,
            &format!("/api/v1/admin/programs/{program_id}"),
            &json!({"hold_days": -1}),
        )
        .await;
    assert!(negative_hold.field_error("hold_days").is_some());
    let nowhere = app
        .post_as(
            t,
            "/api/v1/admin/programs/999999/levels",
            &json!({"name": "X", "position": 1, "track": "referral", "percent": "5",
                    "duration": {"kind": "lifetime"}}),
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(app.audit_log("level.create").is_empty());
    assert!(app.audit_log("program.create").is_empty());
}

#[actix_web::test]
async fn partners_and_finance_staff_get_403_on_every_manager_route() {
    let app = TestApp::spawn().await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let finance = app.staff(Role::Finance, "finance@example.com").await;
    let body = json!({});
    for token in [&partner.access_token, &finance.access_token] {
        let replies = [
            app.get_as(token, "/api/v1/admin/programs").await,
            app.post_as(token, "/api/v1/admin/programs", &body).await,
            app.get_as(token, "/api/v1/admin/programs/1").await,
            app.patch_as(token, "/api/v1/admin/programs/1", &body).await,
            app.post_as(token, "/api/v1/admin/programs/1/levels", &body)
                .await,
            app.patch_as(token, "/api/v1/admin/levels/1", &body).await,
            app.delete_as(token, "/api/v1/admin/levels/1").await,
            app.get_as(token, "/api/v1/admin/partners").await,
            app.get_as(token, "/api/v1/admin/partners/A123456").await,
            app.patch_as(token, "/api/v1/admin/memberships/1", &body)
                .await,
            app.get_as(token, "/api/v1/admin/track-requests").await,
            app.post_as(token, "/api/v1/admin/track-requests/1/approve", &body)
                .await,
            app.post_as(token, "/api/v1/admin/track-requests/1/reject", &body)
                .await,
            app.get_as(token, "/api/v1/admin/customers").await,
            app.post_as(token, "/api/v1/admin/customers/1/reassign", &body)
                .await,
        ];
        for reply in replies {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
            assert_eq!(reply.error(), "forbidden");
        }
    }
    assert_eq!(
        app.get("/api/v1/admin/programs").await.status,
        StatusCode::UNAUTHORIZED
    );
    let admin = app.staff(Role::Admin, "admin@example.com").await;
    assert_eq!(
        app.get_as(&admin.access_token, "/api/v1/admin/programs")
            .await
            .status,
        StatusCode::OK,
        "admins may do what managers do"
    );
}

#[actix_web::test]
async fn a_level_made_through_the_api_pays_its_flat_amount_and_grants_the_client_bonus() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let program_id = app.default_program_id(&manager).await;
    // Nobody is on the default level yet, so it can go: Iron replaces it.
    let default_level = program(&app, t, program_id).await["levels"][0]["id"].clone();
    let removed = app
        .delete_as(t, &format!("/api/v1/admin/levels/{default_level}"))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{:?}", removed.body);
    create_level(
        &app,
        t,
        program_id,
        &json!({"name": "Iron", "position": 1, "track": "referral", "flat_first_payment": "25.00",
                "duration": {"kind": "first_payment"},
                "client_bonus": {"amount": "25.00", "trigger": "first_payment"}}),
    )
    .await;

    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let mine = app
        .get_as(&partner.access_token, "/api/v1/me/programs")
        .await;
    let level = &mine.body["items"][0]["level"];
    assert_eq!(level["name"], "Iron");
    assert_eq!(level["flat_first_payment"]["amount"], "25.00");
    assert_eq!(level["client_bonus"]["amount"], "25.00");

    let key = app.billing_key();
    let code = app.default_code(&partner).await;
    app.applied(&key, &signed_up("e1", "cus_1", Some(&code)))
        .await;
    let first = app
        .applied(
            &key,
            &paid("e2", "pay_1", "cus_1", "49.00", "2026-11-01T10:00:00Z"),
        )
        .await;
    assert_eq!(first["effects"]["commissions"], 1);
    let second = app
        .applied(
            &key,
            &paid("e3", "pay_2", "cus_1", "49.00", "2026-12-01T10:00:00Z"),
        )
        .await;
    assert_eq!(
        second["effects"]["commissions"], 0,
        "Iron pays the first payment only"
    );
    let lines = commissions(&app, &partner).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["amount"]["amount"], "25.00");
    assert_eq!(lines[0]["kind"], "flat");
    assert_eq!(lines[0]["level_name"], "Iron");
    assert_eq!(lines[0]["rule_version"], 1);

    use partnerly_db::schema::client_bonuses::dsl as b;
    let mut conn = app.db();
    let conn: &mut DbConn = &mut conn;
    let bonuses: Vec<(i64, String, String)> = b::client_bonuses
        .select((b::amount_minor, b::currency, b::trigger))
        .load(conn)
        .unwrap();
    assert_eq!(
        bonuses,
        [(2500, "USD".to_owned(), "first_payment".to_owned())]
    );
}

#[actix_web::test]
async fn a_threshold_level_promotes_the_partner_after_the_second_paying_customer() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let program_id = app.default_program_id(&manager).await;
    create_level(
        &app,
        t,
        program_id,
        &json!({"name": "Bronze", "position": 2, "track": "referral", "percent": "30",
                "duration": {"kind": "lifetime"},
                "threshold": {"kind": "paying_customers", "count": 2}}),
    )
    .await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let key = app.billing_key();
    let code = app.default_code(&partner).await;
    let level_name =
        |reply: &crate::helpers::Reply| reply.body["items"][0]["level"]["name"].clone();

    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    let after_one = app
        .get_as(&partner.access_token, "/api/v1/me/programs")
        .await;
    assert_eq!(level_name(&after_one), "Partner");

    app.applied(&key, &signed_up("s2", "cus_2", Some(&code)))
        .await;
    app.applied(
        &key,
        &paid("p2", "pay_2", "cus_2", "100.00", "2026-11-02T10:00:00Z"),
    )
    .await;
    let after_two = app
        .get_as(&partner.access_token, "/api/v1/me/programs")
        .await;
    assert_eq!(level_name(&after_two), "Bronze");
    assert_eq!(after_two.body["items"][0]["level"]["percent"], "30");

    let detail = app
        .get_as(
            t,
            &format!(
                "/api/v1/admin/partners/{}",
                crate::helpers::public_id(&partner)
            ),
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{:?}", detail.body);
    let history = &detail.body["memberships"][0]["level_history"];
    assert_eq!(history[0]["reason"], "promotion");
    assert_eq!(history[0]["from_level"]["name"], "Partner");
    assert_eq!(history[0]["to_level"]["name"], "Bronze");
    assert_eq!(history[0]["actor_id"], Value::Null);
    assert_eq!(history[1]["reason"], "enrolment");

    // The next payment earns the new level's percentage.
    app.applied(
        &key,
        &paid("p3", "pay_3", "cus_1", "100.00", "2026-12-01T10:00:00Z"),
    )
    .await;
    let lines = commissions(&app, &partner).await;
    assert_eq!(lines[0]["amount"]["amount"], "30.00");
    assert_eq!(lines[0]["level_name"], "Bronze");
}

#[actix_web::test]
async fn a_rule_edit_bumps_the_version_that_later_commissions_record() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let program_id = app.default_program_id(&manager).await;
    let level_id = program(&app, t, program_id).await["levels"][0]["id"].clone();
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let key = app.billing_key();
    let code = app.default_code(&partner).await;
    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    let edited = app
        .patch_as(
            t,
            &format!("/api/v1/admin/levels/{level_id}"),
            &json!({"percent": "25"}),
        )
        .await;
    assert_eq!(edited.body["rule_version"], 2, "{:?}", edited.body);
    app.applied(
        &key,
        &paid("p2", "pay_2", "cus_1", "100.00", "2026-12-01T10:00:00Z"),
    )
    .await;
    let lines = commissions(&app, &partner).await;
    let seen: Vec<(&str, i64)> = lines
        .iter()
        .map(|l| {
            (
                l["amount"]["amount"].as_str().unwrap(),
                l["rule_version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(seen, [("25.00", 2), ("20.00", 1)]);
}

#[actix_web::test]
async fn the_currency_changes_only_until_money_is_booked_in_it() {
    let app = TestApp::spawn().await;
    let manager = manager(&app).await;
    let t = &manager.access_token;
    let program_id = app.default_program_id(&manager).await;
    let path = format!("/api/v1/admin/programs/{program_id}");
    create_level(
        &app,
        t,
        program_id,
        &json!({"name": "Iron", "position": 2, "track": "referral", "flat_first_payment": "25.50",
                "duration": {"kind": "first_payment"}}),
    )
    .await;

    let euro = app.patch_as(t, &path, &json!({"currency": "EUR"})).await;
    assert_eq!(euro.status, StatusCode::OK, "{:?}", euro.body);
    assert_eq!(
        euro.body["minimum_payout"],
        json!({"amount": "50.00", "currency": "EUR"})
    );
    assert_eq!(
        euro.body["levels"][1]["flat_first_payment"],
        json!({"amount": "25.50", "currency": "EUR"})
    );
    let yen = app.patch_as(t, &path, &json!({"currency": "JPY"})).await;
    assert_eq!(yen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        yen.field_error("currency").unwrap().contains("Iron"),
        "25.50 has no yen equivalent: {:?}",
        yen.body
    );
    let back = app.patch_as(t, &path, &json!({"currency": "usd"})).await;
    assert_eq!(back.body["currency"], "USD");

    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let key = app.billing_key();
    let code = app.default_code(&partner).await;
    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    let locked = app.patch_as(t, &path, &json!({"currency": "EUR"})).await;
    assert_eq!(locked.status, StatusCode::CONFLICT);
    assert_eq!(locked.error(), "currency_locked");
    let same = app
        .patch_as(t, &path, &json!({"currency": "USD", "hold_days": 30}))
        .await;
    assert_eq!(
        same.status,
        StatusCode::OK,
        "naming the same currency is no change"
    );
    assert_eq!(same.body["hold_days"], 30);
}
