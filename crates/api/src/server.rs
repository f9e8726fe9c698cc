//! The HTTP server: the API under `/api`, the docs page, the probes, and the built
//! portal at `/` with a fallback to `index.html` for the portal's own routes.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::{Method, header};
use actix_web::middleware::{self, DefaultHeaders};
use actix_web::{App, HttpResponse, HttpServer, Responder, guard, web};
use partnerly_db::DbPool;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::allowed_methods::AllowedMethods;
use crate::config::Config;
use crate::error;
use crate::state::AppState;
use crate::{jobs, mail, openapi, request_log, routes, webhooks};

/// Largest JSON body accepted (413 above it).
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// Builds the server on `listener` and starts the background jobs. The returned
/// server stops gracefully on SIGTERM/SIGINT: in-flight requests finish (up to 30 s).
pub fn start(
    config: Config,
    pool: DbPool,
    listener: TcpListener,
) -> anyhow::Result<(Server, AppState)> {
    // A fresh installation gets a default program (L1) that admins edit later.
    let mut conn = pool.get()?;
    if partnerly_db::program::Program::ensure_default(
        &mut conn,
        &config.public_url,
        partnerly_db::now(),
    )? {
        tracing::info!("created the default program");
    }
    drop(conn);
    let state = AppState::new(pool, config)?;
    let doc = openapi::document();
    let allowed = web::Data::new(AllowedMethods::from_document(&doc));
    let data = web::Data::new(state.clone());
    let static_dir = state.config.static_dir.clone();

    let server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .service(
                utoipa_actix_web::scope("/api/v1")
                    .configure(routes::configure)
                    .default_service(web::to(error::not_found)),
            )
            .split_for_parts();
        app.app_data(data.clone())
            .app_data(allowed.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(MAX_JSON_BODY)
                    .error_handler(error::json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .wrap(middleware::Compress::default())
            .wrap(
                DefaultHeaders::new()
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::X_FRAME_OPTIONS, "DENY"))
                    .add((header::REFERRER_POLICY, "same-origin")),
            )
            .wrap(middleware::from_fn(request_log::log_requests))
            .service(routes::health::healthz)
            .service(routes::health::readyz)
            .configure(routes::redirect::configure)
            .configure(routes::demo::configure)
            .service(web::redirect("/api/docs", "/api/docs/"))
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", doc.clone()))
            .configure(|cfg| portal(cfg, &static_dir))
    })
    .shutdown_timeout(30)
    .listen(listener)?
    .run();

    actix_web::rt::spawn(mail::run_sender(mail::Sender {
        pool: state.pool.clone(),
        smtp: state.config.smtp.clone(),
        wake: state.mail_queued.clone(),
    }));
    actix_web::rt::spawn(webhooks::run_sender(webhooks::Sender {
        pool: state.pool.clone(),
        wake: state.webhooks_queued.clone(),
        targets: state.config.webhook_targets.clone(),
        secret_overlap: state.config.webhook_secret_overlap,
    }));
    actix_web::rt::spawn(housekeeping(state.clone()));
    actix_web::rt::spawn(jobs::run(
        state.database.clone(),
        state.webhooks_queued.clone(),
    ));
    Ok((server, state))
}

/// The built portal with the SPA fallback; unknown `/api/...` paths get a JSON 404.
/// Without a built portal every other path gets a page saying how to build it.
fn portal(cfg: &mut web::ServiceConfig, static_dir: &Path) {
    let index = static_dir.join("index.html");
    let fallback = fn_service(move |req: ServiceRequest| {
        let index = index.clone();
        async move { Ok(fallback(req, index).await) }
    });
    if static_dir.is_dir() {
        // Other methods fall through to the fallback: 405 on a documented path.
        cfg.service(
            Files::new("/", static_dir)
                .index_file("index.html")
                .use_last_modified(true)
                .guard(guard::Any(guard::Get()).or(guard::Head()))
                .default_handler(fallback.clone()),
        );
    }
    cfg.default_service(fallback);
}

async fn fallback(req: ServiceRequest, index: PathBuf) -> ServiceResponse {
    let (req, _) = req.into_parts();
    let is_api = req.path() == "/api" || req.path().starts_with("/api/");
    let is_page_request = matches!(*req.method(), Method::GET | Method::HEAD);
    if is_api || !is_page_request || req.path() == "/healthz" || req.path() == "/readyz" {
        let response = error::unrouted(&req);
        return ServiceResponse::new(req, response);
    }
    let response = match NamedFile::open_async(&index).await {
        Ok(file) => file
            .customize()
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .respond_to(&req)
            .map_into_boxed_body(),
        Err(_) => HttpResponse::ServiceUnavailable()
            .content_type("text/html; charset=utf-8")
            .body(
                "<!doctype html><title>Partnerly</title><h1>The portal is not built</h1>\
                 <p>Run <code>just portal</code> (or <code>./dev run</code>), then reload. \
                 The API is up: see <a href=\"/api/docs/\">/api/docs</a>.</p>",
            ),
    };
    ServiceResponse::new(req, response)
}

/// Deletes expired refresh tokens and old rate-limit windows once an hour.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let result = state
            .db(|conn| {
                let now = partnerly_db::now();
                let tokens = partnerly_db::refresh_token::RefreshToken::delete_expired(conn, now)?;
                let cutoff = now.assume_utc().unix_timestamp() - 86_400;
                let windows = partnerly_db::rate_limit::prune(conn, cutoff)?;
                Ok((tokens, windows))
            })
            .await;
        match result {
            Ok((tokens, windows)) => tracing::debug!(tokens, windows, "housekeeping done"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
    }
}
