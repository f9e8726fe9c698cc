//! The partner's dashboard figures, `GET /api/v1/me/stats`: customers by status, sales,
//! revenue net of refunds, and the progress to the next level for each kind of threshold.

use partnerly_domain::account::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, paid, refunded, signed_up};

/// Adds a level to the default program: `(name, position, track)` with `threshold`.
async fn add_level(
    app: &TestApp,
    manager: &Session,
    (name, position, track): (&str, u32, &str),
    threshold: Value,
) {
    let program_id = app.default_program_id(manager).await;
    let reply = app
        .post_as(
            &manager.access_token,
            &format!("/api/v1/admin/programs/{program_id}/levels"),
            &json!({"name": name, "position": position, "track": track, "percent": "30",
                    "duration": {"kind": "lifetime"}, "threshold": threshold}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}

async fn membership_stats(app: &TestApp, partner: &Session) -> Value {
    let reply = app.get_as(&partner.access_token, "/api/v1/me/stats").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["memberships"][0].clone()
}

#[actix_web::test]
async fn progress_to_a_paying_customers_level_counts_each_paying_customer_once() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    add_level(
        &app,
        &manager,
        ("Bronze", 2, "referral"),
        json!({"kind": "paying_customers", "count": 3}),
    )
    .await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let key = app.billing_key();
    let code = app.default_code(&partner).await;
    for i in 1..=3 {
        app.applied(
            &key,
            &signed_up(&format!("s{i}"), &format!("cus_{i}"), Some(&code)),
        )
        .await;
    }
    let before = membership_stats(&app, &partner).await;
    assert_eq!(
        before["customers"],
        json!({"active": 3, "frozen": 0, "deleted": 0, "paying": 0})
    );
    assert_eq!(before["next_level"]["progress"], "0");
    assert_eq!(before["next_level"]["remaining"], "3 more paying customers");

    // Two payments of one customer: one paying customer, two sales.
    for (event, payment, at) in [
        ("p1", "pay_1", "2026-11-01T10:00:00Z"),
        ("p2", "pay_2", "2026-12-01T10:00:00Z"),
    ] {
        app.applied(&key, &paid(event, payment, "cus_1", "10.00", at))
            .await;
    }
    let one = membership_stats(&app, &partner).await;
    assert_eq!(one["customers"]["paying"], 1);
    assert_eq!(one["successful_sales"], 2);
    assert_eq!(one["next_level"]["name"], "Bronze");
    assert_eq!(one["next_level"]["percent"], "30");
    assert_eq!(one["next_level"]["progress"], "0.3333");
    assert_eq!(one["next_level"]["remaining"], "2 more paying customers");

    app.applied(
        &key,
        &paid("p3", "pay_3", "cus_2", "10.00", "2026-11-02T10:00:00Z"),
    )
    .await;
    let two = membership_stats(&app, &partner).await;
    assert_eq!(two["next_level"]["progress"], "0.6667");
    assert_eq!(two["next_level"]["remaining"], "1 more paying customer");
}

#[actix_web::test]
async fn progress_to_a_sales_volume_level_and_revenue_are_net_of_refunds() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    add_level(
        &app,
        &manager,
        ("Bronze", 2, "referral"),
        json!({"kind": "sales_volume", "amount": "1000"}),
    )
    .await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let other = app.signup("Grace Hopper", "grace@example.com").await;
    let key = app.billing_key();
    let code = app.default_code(&partner).await;
    let other_code = app.default_code(&other).await;
    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(&key, &signed_up("s2", "cus_2", Some(&code)))
        .await;
    app.applied(&key, &signed_up("s3", "cus_3", Some(&other_code)))
        .await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "300.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    app.applied(
        &key,
        &paid("p2", "pay_2", "cus_2", "200.00", "2026-11-02T10:00:00Z"),
    )
    .await;
    // Another partner's customer counts only for them.
    app.applied(
        &key,
        &paid("p3", "pay_3", "cus_3", "900.00", "2026-11-02T10:00:00Z"),
    )
    .await;
    app.applied(&key, &refunded("r1", "pay_1", "50.00")).await;

    let m = membership_stats(&app, &partner).await;
    assert_eq!(
        m["customers"],
        json!({"active": 2, "frozen": 0, "deleted": 0, "paying": 2})
    );
    assert_eq!(m["successful_sales"], 2);
    assert_eq!(
        m["revenue"],
        json!([{"amount": "450.00", "currency": "USD"}])
    );
    assert_eq!(m["next_level"]["progress"], "0.45");
    assert_eq!(m["next_level"]["remaining"], "550.00 USD more in sales");

    let theirs = membership_stats(&app, &other).await;
    assert_eq!(theirs["successful_sales"], 1);
    assert_eq!(
        theirs["revenue"],
        json!([{"amount": "900.00", "currency": "USD"}])
    );
    assert_eq!(
        theirs["next_level"]["remaining"],
        "100.00 USD more in sales"
    );
}

#[actix_web::test]
async fn the_next_level_is_the_first_one_above_on_the_partners_own_track() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    let paying = |count: u32| json!({"kind": "paying_customers", "count": count});
    add_level(&app, &manager, ("Bronze", 2, "referral"), paying(1)).await;
    add_level(&app, &manager, ("Consultant", 3, "integrator"), paying(1)).await;
    add_level(&app, &manager, ("Silver", 4, "referral"), paying(3)).await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let key = app.billing_key();
    let code = app.default_code(&partner).await;
    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "10.00", "2026-11-01T10:00:00Z"),
    )
    .await;

    // Promoted to Bronze: neither Bronze itself, the levels below it nor the other
    // track's Consultant is next.
    let m = membership_stats(&app, &partner).await;
    assert_eq!(m["level"], "Bronze");
    assert_eq!(m["next_level"]["name"], "Silver");
    assert_eq!(m["next_level"]["remaining"], "2 more paying customers");
}

#[actix_web::test]
async fn the_stats_of_one_program_are_the_partners_own_or_404() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    let program_id = app.default_program_id(&manager).await;
    let partner = app.signup("Ada Lovelace", "ada@example.com").await;
    let own = app
        .get_as(
            &partner.access_token,
            &format!("/api/v1/me/stats?program_id={program_id}"),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
    assert_eq!(own.body["memberships"].as_array().map(Vec::len), Some(1));
    let other = app
        .get_as(
            &partner.access_token,
            &format!("/api/v1/me/stats?program_id={}", program_id + 1000),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{:?}", other.body);
}

/// The staff route that reassigns the customer with this vendor id.
async fn reassign_path(app: &TestApp, manager: &Session, customer: &str) -> String {
    let found = app
        .get_as(
            &manager.access_token,
            &format!("/api/v1/admin/customers?q={customer}"),
        )
        .await;
    format!(
        "/api/v1/admin/customers/{}/reassign",
        found.body["items"][0]["id"]
    )
}

/// The name of the partner's level in their first program.
async fn level_name(app: &TestApp, partner: &Session) -> Value {
    app.get_as(&partner.access_token, "/api/v1/me/programs")
        .await
        .body["items"][0]["level"]["name"]
        .clone()
}

fn status_changed(id: &str, customer: &str, status: &str) -> Value {
    json!({"id": id, "type": "customer.status_changed", "occurred_at": "2026-11-05T10:00:00Z",
           "data": {"customer_id": customer, "status": status}})
}

#[actix_web::test]
async fn customer_figures_follow_status_changes_and_reassignment() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let bob = app.signup("Bob Builder", "bob@example.com").await;
    let bob_membership = app.membership_id(&bob).await;
    let key = app.billing_key();
    let code = app.default_code(&ada).await;
    for i in 1..=3 {
        app.applied(
            &key,
            &signed_up(&format!("s{i}"), &format!("cus_{i}"), Some(&code)),
        )
        .await;
    }
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    app.applied(&key, &refunded("r1", "pay_1", "40.00")).await;
    app.applied(&key, &status_changed("st1", "cus_1", "frozen"))
        .await;
    app.applied(&key, &status_changed("st2", "cus_2", "deleted"))
        .await;
    let m = membership_stats(&app, &ada).await;
    assert_eq!(
        m["customers"],
        json!({"active": 1, "frozen": 1, "deleted": 1, "paying": 1})
    );
    assert_eq!(
        m["revenue"],
        json!([{"amount": "60.00", "currency": "USD"}])
    );

    // The frozen paying customer goes to Bob with its sales; Ada keeps the rest.
    let path = reassign_path(&app, &manager, "cus_1").await;
    let moved = app
        .post_as(
            &manager.access_token,
            &path,
            &json!({"membership_id": bob_membership, "reason": "Bob closed it"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let ada_now = membership_stats(&app, &ada).await;
    assert_eq!(
        ada_now["customers"],
        json!({"active": 1, "frozen": 0, "deleted": 1, "paying": 0})
    );
    assert_eq!(ada_now["successful_sales"], 0);
    assert_eq!(ada_now["revenue"], json!([]));
    let bobs = membership_stats(&app, &bob).await;
    assert_eq!(
        bobs["customers"],
        json!({"active": 0, "frozen": 1, "deleted": 0, "paying": 1})
    );
    assert_eq!(bobs["successful_sales"], 1);
    assert_eq!(
        bobs["revenue"],
        json!([{"amount": "60.00", "currency": "USD"}])
    );

    // To nobody: the customer counts for no partner.
    app.post_as(
        &manager.access_token,
        &path,
        &json!({"membership_id": null, "reason": "Self-referral"}),
    )
    .await;
    let gone = membership_stats(&app, &bob).await;
    assert_eq!(
        gone["customers"],
        json!({"active": 0, "frozen": 0, "deleted": 0, "paying": 0})
    );
    assert_eq!(gone["revenue"], json!([]));
}

#[actix_web::test]
async fn earnings_per_day_are_net_of_refunds_on_the_sales_day_and_stay_with_their_link() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let bob = app.signup("Bob Builder", "bob@example.com").await;
    let bob_membership = app.membership_id(&bob).await;
    let key = app.billing_key();
    let code = app.default_code(&ada).await;
    app.applied(&key, &signed_up("s1", "cus_1", Some(&code)))
        .await;
    app.applied(
        &key,
        &paid("p1", "pay_1", "cus_1", "100.00", "2026-11-01T10:00:00Z"),
    )
    .await;
    app.applied(
        &key,
        &paid("p2", "pay_2", "cus_1", "50.00", "2026-11-03T10:00:00Z"),
    )
    .await;
    // Refunded weeks later: taken off the day of the sale it refunds.
    app.applied(&key, &refunded("r1", "pay_1", "25.00")).await;
    let path = reassign_path(&app, &manager, "cus_1").await;
    app.post_as(
        &manager.access_token,
        &path,
        &json!({"membership_id": bob_membership, "reason": "Bob closed it"}),
    )
    .await;
    app.applied(
        &key,
        &paid("p3", "pay_3", "cus_1", "10.00", "2026-11-03T12:00:00Z"),
    )
    .await;

    let earnings = |body: &Value| -> Vec<(String, Value)> {
        body["points"]
            .as_array()
            .expect("points")
            .iter()
            .map(|p| {
                (
                    p["period"].as_str().expect("period").to_owned(),
                    p["earnings"].clone(),
                )
            })
            .collect()
    };
    let usd = |amount: &str| json!([{"amount": amount, "currency": "USD"}]);
    let range = "from=2026-11-01&to=2026-11-03";
    let ada_days = app
        .get_as(
            &ada.access_token,
            &format!("/api/v1/me/stats/timeseries?{range}"),
        )
        .await;
    assert_eq!(ada_days.status, StatusCode::OK, "{:?}", ada_days.body);
    assert_eq!(
        earnings(&ada_days.body),
        [
            ("2026-11-01".to_owned(), usd("15.00")),
            ("2026-11-02".to_owned(), json!([])),
            ("2026-11-03".to_owned(), usd("10.00")),
        ],
        "20% of 100.00 less 20% of the 25.00 refunded, and 20% of 50.00"
    );
    let links = app.get_as(&ada.access_token, "/api/v1/links").await;
    let link_id = links.body["items"][0]["id"].as_i64().expect("link id");
    let by_link = app
        .get_as(
            &ada.access_token,
            &format!("/api/v1/me/stats/timeseries?{range}&link_id={link_id}"),
        )
        .await;
    assert_eq!(
        earnings(&by_link.body),
        earnings(&ada_days.body),
        "what Ada earned through her link stays with it after the customer moved"
    );
    assert_eq!(
        links.body["items"][0]["earnings"],
        usd("25.00"),
        "the link list sums the same rollup"
    );
    let monthly = app
        .get_as(
            &ada.access_token,
            "/api/v1/me/stats/timeseries?interval=month&from=2026-11-01&to=2026-11-30",
        )
        .await;
    assert_eq!(
        earnings(&monthly.body),
        [("2026-11-01".to_owned(), usd("25.00"))]
    );
    let bob_days = app
        .get_as(
            &bob.access_token,
            &format!("/api/v1/me/stats/timeseries?{range}"),
        )
        .await;
    assert_eq!(
        earnings(&bob_days.body)[2],
        ("2026-11-03".to_owned(), usd("2.00")),
        "Bob earns from the move on, without a link"
    );
    let theirs = app
        .get_as(
            &bob.access_token,
            &format!("/api/v1/me/stats/timeseries?{range}&link_id={link_id}"),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn promotion_counts_paying_customers_of_the_same_batch_once_each() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    add_level(
        &app,
        &manager,
        ("Bronze", 2, "referral"),
        json!({"kind": "paying_customers", "count": 2}),
    )
    .await;
    let key = app.billing_key();

    // One paying customer who pays again: still one paying customer.
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let code = app.default_code(&ada).await;
    let reply = app
        .batch(
            &key,
            &[
                signed_up("a1", "cus_a1", Some(&code)),
                paid("a2", "pay_a1", "cus_a1", "10.00", "2026-11-01T10:00:00Z"),
                paid("a3", "pay_a2", "cus_a1", "10.00", "2026-11-02T10:00:00Z"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    app.applied(
        &key,
        &paid("a4", "pay_a3", "cus_a1", "10.00", "2026-11-03T10:00:00Z"),
    )
    .await;
    assert_eq!(level_name(&app, &ada).await, "Partner");

    // Two new paying customers in one batch: promoted by that batch.
    let bob = app.signup("Bob Builder", "bob@example.com").await;
    let code = app.default_code(&bob).await;
    let reply = app
        .batch(
            &key,
            &[
                signed_up("b1", "cus_b1", Some(&code)),
                signed_up("b2", "cus_b2", Some(&code)),
                paid("b3", "pay_b1", "cus_b1", "10.00", "2026-11-01T10:00:00Z"),
                paid("b4", "pay_b2", "cus_b2", "10.00", "2026-11-01T11:00:00Z"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(level_name(&app, &bob).await, "Bronze");
    let m = membership_stats(&app, &bob).await;
    assert_eq!(m["customers"]["paying"], 2);
}

#[actix_web::test]
async fn promotion_counts_the_sales_of_the_same_batch_of_each_partner_only() {
    let app = TestApp::spawn().await;
    let manager = app.staff(Role::Manager, "manager@example.com").await;
    add_level(
        &app,
        &manager,
        ("Bronze", 2, "referral"),
        json!({"kind": "sales_volume", "amount": "100"}),
    )
    .await;
    let key = app.billing_key();
    let ada = app.signup("Ada Lovelace", "ada@example.com").await;
    let bob = app.signup("Bob Builder", "bob@example.com").await;
    let ada_code = app.default_code(&ada).await;
    let bob_code = app.default_code(&bob).await;
    // One batch: Bob's sale reaches the threshold, Ada's does not; neither counts the
    // other's.
    let reply = app
        .batch(
            &key,
            &[
                signed_up("b1", "cus_b", Some(&bob_code)),
                paid("b2", "pay_b", "cus_b", "150.00", "2026-11-01T10:00:00Z"),
                signed_up("a1", "cus_a", Some(&ada_code)),
                paid("a2", "pay_a", "cus_a", "50.00", "2026-11-01T11:00:00Z"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(level_name(&app, &bob).await, "Bronze");
    assert_eq!(level_name(&app, &ada).await, "Partner");

    // Ada's next sale adds to what is stored: 50.00 + 50.00 reaches the threshold.
    app.applied(
        &key,
        &paid("a3", "pay_a2", "cus_a", "50.00", "2026-11-02T10:00:00Z"),
    )
    .await;
    assert_eq!(level_name(&app, &ada).await, "Bronze");
}
