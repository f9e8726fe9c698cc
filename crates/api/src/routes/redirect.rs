//! `GET /r/{code}`: the tracking redirect (T6, T7, T10).
//!
//! Answers 302 to the program's landing page with `ref` and `click_id` added and the
//! visitor's own parameters passed on, sets the first-party attribution cookie for the
//! program's window, and hands the click to the click queue; it reads and writes no
//! database (`crate::tracking`). A disabled link lands on its program's page and an
//! unknown code on the default landing page, both without attribution, cookie or click.
//! `HEAD` requests are answered the same way and are not clicks; known bots are counted
//! apart. The target is only ever a stored landing URL on its program's allowed domains
//! (`partnerly_domain::tracking::landing_target`): no part of the request can send the
//! visitor elsewhere.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, web};
use partnerly_domain::tracking::{
    AttributionCookie, AttributionModel, cookie_name, is_bot, passed_on_query, target_from,
};
use partnerly_engine::tracking::ClickToStore;
use time::OffsetDateTime;

use crate::auth::tokens;
use crate::client_ip::client_ip;
use crate::state::AppState;
use crate::tracking::directory::{Landing, Lookup};

/// Longest referrer host kept with a click.
const MAX_REFERRER_HOST_LEN: usize = 253;

/// Registers `GET` and `HEAD /r/{code}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/r/{code}")
            .route(web::get().to(redirect))
            .route(web::head().to(redirect)),
    );
}

fn found(location: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Found();
    response
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

/// The landing page without attribution, or a page saying there is none.
fn land_unattributed(landing: Option<&Landing>, passed: &str) -> HttpResponse {
    match landing.and_then(|l| l.url.as_ref()) {
        Some(url) => found(target_from(url, passed, None).as_str()).finish(),
        None => not_configured(),
    }
}

fn not_configured() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(
            "<!doctype html><title>Link not found</title><h1>This link leads nowhere</h1>\
             <p>The referral link is not known, and no landing page is configured.</p>",
        )
}

async fn redirect(
    req: HttpRequest,
    code: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let tracking = &state.tracking;
    let passed = passed_on_query(req.query_string());
    let (link, landing) = match tracking.directory.lookup(&code) {
        Lookup::Link(link, landing) => (link, landing),
        Lookup::Disabled(landing) => return land_unattributed(Some(&landing), &passed),
        Lookup::Unknown(fallback) => return land_unattributed(fallback.as_deref(), &passed),
    };
    let now = OffsetDateTime::now_utc();
    let click_id = tokens::click_id();
    let name = cookie_name(link.program_id);
    // Under first click, a visitor still inside the window keeps the first referral.
    let earlier = req
        .cookie(&name)
        .and_then(|c| AttributionCookie::parse(c.value()))
        .filter(|c| c.is_within(landing.window_days, now));
    let (referral, new_cookie) = match (landing.model, earlier) {
        (AttributionModel::FirstClick, Some(first)) => (first, None),
        _ => {
            let cookie = AttributionCookie {
                code: link.code.clone(),
                click_id: click_id.clone(),
                clicked_at: now,
            };
            (cookie.clone(), Some(cookie))
        }
    };
    let Some(landing_url) = &landing.url else {
        return not_configured();
    };
    let target = target_from(
        landing_url,
        &passed,
        Some((&referral.code, &referral.click_id)),
    );
    if req.method() != Method::HEAD {
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        let ip = client_ip(&req, state.config.trusted_proxies.as_ref());
        let referrer_host = req
            .headers()
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            .and_then(|u| u.host_str().map(str::to_owned))
            .filter(|h| h.len() <= MAX_REFERRER_HOST_LEN);
        tracking.queue.offer(ClickToStore {
            public_id: click_id,
            link_id: link.id,
            membership_id: link.membership_id,
            program_id: link.program_id,
            visitor: tracking.visitor(&ip, user_agent.unwrap_or_default()),
            landing_query: passed,
            referrer_host,
            clicked_at: now,
            bot: is_bot(user_agent),
        });
    }
    let mut response = found(target.as_str());
    if let Some(cookie) = new_cookie.filter(|_| req.method() != Method::HEAD) {
        let secure = state.config.public_url.starts_with("https://");
        response.cookie(
            Cookie::build(name, cookie.value())
                .path("/")
                .max_age(time::Duration::days(i64::from(landing.window_days)))
                .same_site(SameSite::Lax)
                .http_only(true)
                .secure(secure)
                .finish(),
        );
    }
    response.finish()
}
