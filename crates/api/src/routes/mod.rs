//! The API's routes, one module per resource. `configure` mounts every documented
//! handler under `/api/v1`.

pub mod admin;
pub mod auth;
pub mod events;
pub mod health;
pub mod integration;
pub mod me;
pub mod partner;

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
        .service(partner::list_programs)
        .service(partner::list_links)
        .service(partner::get_balances)
        .service(partner::list_commissions)
        .service(partner::get_stats)
        .service(events::create_event)
        .service(events::create_event_batch)
        .service(integration::whoami)
        .service(admin::outbox::list_outbox)
        .service(admin::api_keys::create_api_key)
        .service(admin::api_keys::list_api_keys)
        .service(admin::api_keys::revoke_api_key)
        .service(admin::audit::list_audit_log)
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
