//! TEMPORARY stand-in until the API keys branch is merged.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use diesel::prelude::*;

use crate::error::ApiError;
use crate::state::AppState;

/// The caller of an integration route.
#[derive(Debug, Clone)]
pub struct ApiKeyCaller {
    pub key: StubKey,
}

/// The key's fields used by the events API.
#[derive(Debug, Clone)]
pub struct StubKey {
    pub id: i64,
    pub owner: String,
    pub scopes: String,
}

impl ApiKeyCaller {
    /// Refuses a key without `scope`.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.key.scopes.split_whitespace().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

impl FromRequest for ApiKeyCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal("state".into()))?
                .clone();
            let token = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::to_owned)
                .ok_or_else(|| ApiError::unauthorized("invalid_api_key", "Send an API key."))?;
            let hash = crate::auth::tokens::digest(&token);
            use partnerly_db::schema::api_keys::dsl as k;
            let found: Option<(i64, String, String)> = state
                .db(move |conn| {
                    Ok(k::api_keys
                        .filter(k::key_hash.eq(hash))
                        .filter(k::revoked_at.is_null())
                        .select((k::id, k::owner, k::scopes))
                        .first(conn)
                        .optional()?)
                })
                .await?;
            let (id, owner, scopes) = found
                .ok_or_else(|| ApiError::unauthorized("invalid_api_key", "Unknown API key."))?;
            Ok(ApiKeyCaller {
                key: StubKey { id, owner, scopes },
            })
        })
    }
}
