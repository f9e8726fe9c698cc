//! Routes for the vendor's systems that are not events: checking an API key (E3).

use actix_web::{get, web};
use partnerly_domain::ErrorBody;
use partnerly_domain::api_key::{ApiKeyIdentity, SCOPES};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::ApiKeyCaller;
use crate::error::ApiError;

/// Options of `whoami`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WhoAmIQuery {
    /// Also check that the key has this scope (`events:write` or `read`): 403
    /// `insufficient_scope` when it does not.
    #[param(schema_with = partnerly_domain::api_key::scope_schema)]
    pub require: Option<String>,
}

/// Check an API key: which key it is and what it may do.
///
/// Integrators call this to test a key before sending events. With `?require=<scope>`
/// it answers 403 `insufficient_scope` unless the key has that scope.
#[utoipa::path(
    tag = "integration",
    params(WhoAmIQuery),
    responses(
        (status = 200, description = "The key is valid (and has the required scope).", body = ApiKeyIdentity),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, description = "`invalid_api_key`: missing, unknown or revoked.", body = ErrorBody),
        (status = 403, description = "`insufficient_scope`: the key lacks the required scope.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `require` names no scope.", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[get("/integration/whoami")]
pub async fn whoami(
    caller: ApiKeyCaller,
    query: web::Query<WhoAmIQuery>,
) -> Result<web::Json<ApiKeyIdentity>, ApiError> {
    if let Some(scope) = query.require.as_deref() {
        if !SCOPES.contains(&scope) {
            return Err(ApiError::field(
                "require",
                format!("Unknown scope; use one of: {}.", SCOPES.join(", ")),
            ));
        }
        caller.require(scope)?;
    }
    let key = caller.key;
    Ok(web::Json(ApiKeyIdentity {
        scopes: key.scopes().into_iter().map(str::to_owned).collect(),
        name: key.name,
        owner: key.owner,
        prefix: key.prefix,
    }))
}
