//! API keys as admins manage them (E3): create (the secret is shown once), list, revoke.
//! Creation and revocation are recorded in the audit log in the same transaction.

use actix_web::{HttpResponse, delete, get, post, web};
use partnerly_db::api_key::{ApiKey, NewApiKey, scopes_column};
use partnerly_domain::ErrorBody;
use partnerly_domain::api_key::{ApiKeyList, CreateApiKeyRequest, CreatedApiKey};

use super::Audit;
use crate::auth::{AdminUser, api_key};
use crate::error::ApiError;
use crate::state::AppState;

/// Create an API key (admins only). The answer carries the key's secret: the only time
/// it is shown, since Partnerly keeps only its hash.
#[utoipa::path(
    tag = "admin",
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "Created; `secret` is shown this once.", body = CreatedApiKey),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: name, owner or scopes.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    body: crate::body::Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let valid = body.validate()?;
    let api_key::NewKey {
        secret,
        prefix,
        hash,
    } = api_key::generate();
    let key = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let key = NewApiKey {
                name: &valid.name,
                owner: &valid.owner,
                prefix: &prefix,
                key_hash: &hash,
                scopes: &scopes_column(&valid.scopes),
                created_by: Some(admin.id),
                created_at: now,
            }
            .insert(conn)?;
            // The admin view: neither the secret nor its hash reaches the audit log.
            Audit::created("api_key.create", "api_key", key.id, &key.view())?
                .record(conn, admin.id, now)?;
            Ok::<_, ApiError>(key)
        })
        .await?;
    tracing::info!(api_key.id = key.id, api_key.owner = %key.owner, "API key created");
    Ok(HttpResponse::Created()
        // The body holds a secret: no cache may keep it.
        .insert_header(("Cache-Control", "no-store"))
        .json(CreatedApiKey {
            secret,
            api_key: key.view(),
        }))
}

/// List every API key, newest first, revoked ones included (admins only). Secrets are
/// never shown again; `prefix` tells keys apart.
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, body = ApiKeyList),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<web::Json<ApiKeyList>, ApiError> {
    let keys = state.db(|conn| Ok(ApiKey::list(conn)?)).await?;
    Ok(web::Json(ApiKeyList {
        items: keys.iter().map(ApiKey::view).collect(),
    }))
}

/// Revoke an API key (admins only): it stops working at once. Revoking a revoked key
/// changes nothing and answers 204 too.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The key's id.")),
    responses(
        (status = 204, description = "Revoked (or already revoked)."),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No key with this id.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/admin/api-keys/{id}")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let revoked = state
        .write(move |conn| {
            let before = ApiKey::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let now = partnerly_db::now();
            if !ApiKey::revoke(conn, id, now)? {
                return Ok(false);
            }
            let after = ApiKey {
                revoked_at: Some(now),
                ..before.clone()
            };
            Audit::changed(
                "api_key.revoke",
                "api_key",
                id,
                &before.view(),
                &after.view(),
            )?
            .record(conn, admin.id, now)?;
            Ok::<_, ApiError>(true)
        })
        .await?;
    if revoked {
        tracing::info!(api_key.id = id, "API key revoked");
    }
    Ok(HttpResponse::NoContent().finish())
}
