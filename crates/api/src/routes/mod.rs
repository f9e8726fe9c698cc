//! The API's routes, one module per resource. `configure` mounts every documented
//! handler under `/api/v1`.

pub mod admin;
pub mod auth;
pub mod deals;
pub mod demo;
pub mod events;
pub mod health;
pub mod integration;
pub mod invitations;
pub mod leads;
pub mod link_qr;
pub mod links;
pub mod me;
pub mod paging;
pub mod partner;
pub mod redirect;
pub mod timeseries;
pub mod track_requests;

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
        .service(partner::list_my_programs)
        .service(links::list_links)
        .service(links::create_link)
        .service(links::get_link)
        .service(links::update_link)
        .service(invitations::create_invitations)
        .service(invitations::list_invitations)
        .service(link_qr::link_qr_svg)
        .service(link_qr::link_qr_png)
        .service(link_qr::link_qr_jpg)
        .service(partner::get_balances)
        .service(partner::list_commissions)
        .service(partner::get_stats)
        .service(timeseries::get_timeseries)
        .service(events::create_event)
        .service(events::create_event_batch)
        .service(integration::whoami)
        .service(admin::outbox::list_outbox)
        .service(admin::tracking::tracking_status)
        .service(admin::deals::list_deals)
        .service(admin::deals::update_deal)
        .service(deals::list_my_deals)
        .service(leads::create_lead)
        // The lead form's CORS preflight: not an operation of the document.
        .map(|cfg| {
            cfg.service(actix_web::web::resource("/public/leads").route(
                actix_web::web::method(actix_web::http::Method::OPTIONS).to(leads::preflight),
            ))
        })
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
        .service(admin::webhooks::send_test_webhook)
        .service(track_requests::create_track_request)
        .service(admin::programs::list_programs)
        .service(admin::programs::create_program)
        .service(admin::programs::get_program)
        .service(admin::programs::update_program)
        .service(admin::programs::create_level)
        .service(admin::programs::update_level)
        .service(admin::programs::delete_level)
        .service(admin::partners::list_partners)
        .service(admin::partners::get_partner)
        .service(admin::partners::update_membership)
        .service(admin::track_requests::list_track_requests)
        .service(admin::track_requests::approve_track_request)
        .service(admin::track_requests::reject_track_request)
        .service(admin::customers::list_customers)
        .service(admin::customers::reassign_customer)
        .service(admin::adjustments::create_adjustment)
        .service(admin::adjustments::list_adjustments);
}
