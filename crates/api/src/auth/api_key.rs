//! API keys (E3): making a key, and `ApiKeyCaller`, the extractor of routes the vendor's
//! systems call with `Authorization: Bearer pk_live_...`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use partnerly_db::api_key::ApiKey;
use partnerly_domain::api_key::{DISPLAY_PREFIX_LEN, KEY_PREFIX};

use super::extract::bearer;
use super::tokens;
use crate::error::ApiError;
use crate::state::AppState;

/// A key just made: the secret (shown once), its display prefix and the hash to store.
#[derive(Debug)]
pub struct NewKey {
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

/// A new key: `pk_live_` and 32 random bytes in base64url without padding.
pub fn generate() -> NewKey {
    let secret = format!("{KEY_PREFIX}{}", tokens::generate());
    NewKey {
        prefix: secret.chars().take(DISPLAY_PREFIX_LEN).collect(),
        hash: tokens::digest(&secret),
        secret,
    }
}

/// The caller of an integration route: a valid, unrevoked API key, read fresh from the
/// database on every request so that a revocation takes effect at once. A handler checks
/// the scope it needs with [`ApiKeyCaller::require`].
#[derive(Debug, Clone)]
pub struct ApiKeyCaller {
    pub key: ApiKey,
}

impl ApiKeyCaller {
    /// `Ok` when the key has `scope`, otherwise 403 `insufficient_scope`.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.key.has_scope(scope) {
            Ok(())
        } else {
            Err(ApiError::InsufficientScope(scope.to_owned()))
        }
    }
}

/// Whether `token` has the shape of a JWT (three base64url parts): a session token.
pub(crate) fn looks_like_jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn invalid_key(message: &str) -> ApiError {
    ApiError::unauthorized("invalid_api_key", message)
}

async fn authenticate(req: HttpRequest) -> Result<ApiKey, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?
        .clone();
    let secret = bearer(&req)
        .ok_or_else(|| invalid_key("Send an API key as Authorization: Bearer pk_live_..."))?;
    // Anything else (a session token, a typo) cannot be a key: no need to ask the database.
    if !secret.starts_with(KEY_PREFIX) {
        let message = if looks_like_jwt(&secret) {
            "This route takes an API key (pk_live_...), not a session token; an admin \
             creates keys under Admin → API keys."
        } else {
            "The API key is not valid or was revoked."
        };
        return Err(invalid_key(message));
    }
    let hash = tokens::digest(&secret);
    let key = state
        .db(move |conn| {
            let Some(key) = ApiKey::find_active_by_hash(conn, &hash)? else {
                return Ok(None);
            };
            // Bookkeeping only: a failed write must not fail the caller's request. A key
            // used within the touch interval needs no write at all (on SQLite even an
            // UPDATE that changes nothing waits for the write lock).
            let now = partnerly_db::now();
            let recent = key
                .last_used_at
                .is_some_and(|t| t >= now - partnerly_db::api_key::TOUCH_INTERVAL);
            if recent {
                return Ok(Some(key));
            }
            if let Err(e) = ApiKey::touch(conn, key.id, now) {
                tracing::warn!(api_key.id = key.id, error = %e, "cannot record API key use");
            }
            Ok(Some(key))
        })
        .await?
        .ok_or_else(|| invalid_key("The API key is not valid or was revoked."))?;
    Ok(key)
}

impl FromRequest for ApiKeyCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let key = authenticate(req).await?;
            tracing::Span::current().record("api_key.id", key.id);
            Ok(ApiKeyCaller { key })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_the_live_prefix_and_43_random_characters() {
        let key = generate();
        assert!(key.secret.starts_with("pk_live_"));
        assert_eq!(key.secret.len(), 8 + 43);
        assert_eq!(key.prefix.len(), 12);
        assert!(key.secret.starts_with(&key.prefix));
        assert_eq!(key.hash, tokens::digest(&key.secret));
        assert_ne!(key.secret, generate().secret);
    }
}
