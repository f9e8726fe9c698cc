//! The OpenAPI document (I1): built from the handlers' `#[utoipa::path]` attributes as
//! they are mounted, so the document lists exactly the routes the server serves.

use actix_web::App;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Partnerly API",
        description = "Partner and affiliate program API: partner accounts and sessions, \
                       events from the vendor's billing, commissions and balances from the \
                       ledger, signed webhooks, API keys, and the staff routes for programs, \
                       partners, customers, adjustments and the audit log. Errors always \
                       have the body `ErrorBody`. Amounts are strings with a `currency` \
                       field; timestamps are RFC 3339 (sent in UTC, read with any offset).",
        license(name = "AGPL-3.0-only")
    ),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Sign-up, sign-in, sessions and password reset."),
        (name = "me", description = "The signed-in account."),
        (name = "partner", description = "A partner's programs, links, balances, commissions and dashboard figures."),
        (name = "events", description = "Events from the vendor's billing (API key with `events:write`)."),
        (name = "integration", description = "Routes for the vendor's systems, called with an API key."),
        (name = "admin", description = "Staff-only routes."),
        (name = "operations", description = "Health and readiness probes."),
    ),
    components(schemas(partnerly_domain::ErrorBody))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The access token from sign-up, sign-in or refresh (15 minutes).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("API key")
                    .description(Some(
                        "An API key (`pk_live_...`) made by an admin, with the scopes the \
                         route needs.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "refresh_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::tokens::REFRESH_COOKIE,
                "The HttpOnly refresh cookie set by sign-up, sign-in and refresh.",
            ))),
        );
    }
}

/// The whole document, as `GET /api/openapi.json` serves it and `partnerly openapi`
/// prints it.
pub fn document() -> Document {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
        .service(routes::health::healthz)
        .service(routes::health::readyz)
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The document as pretty JSON with a trailing newline (the form kept in `openapi/`).
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
