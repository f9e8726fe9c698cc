//! The OpenAPI document (I1): built from the handlers' `#[utoipa::path]` attributes as
//! they are mounted, so the document lists exactly the routes the server serves.

use actix_web::App;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
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
                       field; timestamps are RFC 3339 (sent in UTC, read with any offset). \
                       Webhook messages are POSTed as `{\"type\", \"timestamp\", \"data\"}` \
                       (Standard Webhooks); `WebhookEvent` is the schema of their `type` \
                       and `data`.",
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
    components(schemas(
        partnerly_domain::ErrorBody,
        partnerly_domain::webhook_event::WebhookEvent
    ))
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
    document_common_answers(&mut doc);
    close_tagged_unions(&mut doc);
    doc
}

/// The variants of the request enums tagged by a field (`{"kind": ...}`), such as
/// `ThresholdInput` and `RuleDuration`, refuse fields they do not have
/// (`deny_unknown_fields`); utoipa leaves their inline variant objects open, so this
/// closes them (`additionalProperties: false`) to say what the server does.
fn close_tagged_unions(doc: &mut Document) {
    use utoipa::openapi::schema::{AdditionalProperties, Schema};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::OneOf(one_of)) = schema else {
            continue;
        };
        for item in &mut one_of.items {
            if let RefOr::T(Schema::Object(variant)) = item {
                variant.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
    }
}

/// Adds the answers every operation of a kind can give, whatever its handler does, so
/// that no operation's list can forget one: a body that is not JSON (415), too large
/// (413) or not of the schema's shape (400); a query string that cannot be read (400
/// `invalid_query`); a path parameter that names nothing (404); missing credentials
/// (401). A handler that documents one of these itself keeps its own description.
fn document_common_answers(doc: &mut Document) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let params = operation.parameters.as_deref().unwrap_or_default();
            let has_query = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            let has_path = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path));
            let has_body = operation.request_body.is_some();
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let mut answers = Vec::new();
            if has_body {
                answers.push(("400", "`malformed_json` or `invalid_body`: the body cannot be read as this operation's schema."));
                answers.push(("413", "`payload_too_large`: the body is over the route's limit (`details.limit_bytes`)."));
                answers.push((
                    "415",
                    "`unsupported_media_type`: the body is not `application/json`.",
                ));
            } else if has_query {
                answers.push(("400", "`invalid_query`: the query string cannot be read."));
            }
            if has_path {
                answers.push(("404", "`not_found`: nothing with this id (or not yours)."));
            }
            if secured {
                answers.push(("401", "Missing, invalid or expired credentials."));
            }
            for (status, description) in answers {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_answer(description));
            }
        }
    }
}

fn error_answer(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

/// The document as pretty JSON with a trailing newline (the form kept in `openapi/`).
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
