//! The API's routes, one module per resource. `configure` mounts every documented
//! handler under `/api/v1`.

pub mod admin;
pub mod auth;
pub mod health;
pub mod me;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` handler (and its OpenAPI path).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::signup)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::request_password_reset)
        .service(auth::confirm_password_reset)
        .service(me::get_me)
        .service(me::update_me)
        .service(me::change_password)
        .service(admin::outbox::list_outbox)
        .service(admin::webhooks::create_webhook_endpoint)
        .service(admin::webhooks::list_webhook_endpoints)
        .service(admin::webhooks::get_webhook_endpoint)
        .service(admin::webhooks::update_webhook_endpoint)
        .service(admin::webhooks::delete_webhook_endpoint)
        .service(admin::webhooks::rotate_webhook_secret)
        .service(admin::webhooks::list_webhook_deliveries)
        .service(admin::webhooks::redeliver_webhook_delivery)
        .service(admin::webhooks::send_test_webhook);
}
