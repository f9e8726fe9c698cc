//! The `Idempotency-Key` request header: a retried request that moves money (a manual
//! adjustment today, withdrawals next) is applied once.
//!
//! The key is the client's, scoped to the signed-in user; the operation stores it with
//! a digest of the request body. The same key with the same body answers what the
//! first request created; the same key with another body is 422
//! `idempotency_conflict`. The header is optional: without it, every request is new.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload};

use crate::error::ApiError;

/// The header's name.
pub const HEADER: &str = "Idempotency-Key";
/// Longest key accepted, in bytes.
pub const MAX_KEY_LEN: usize = 200;

/// The request's idempotency key, if it sent one: 1 to 200 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl IdempotencyKey {
    fn parse(raw: &[u8]) -> Result<String, ApiError> {
        let valid =
            !raw.is_empty() && raw.len() <= MAX_KEY_LEN && raw.iter().all(|b| b.is_ascii_graphic());
        match std::str::from_utf8(raw) {
            Ok(key) if valid => Ok(key.to_owned()),
            _ => Err(ApiError::field(
                HEADER,
                "Use 1 to 200 visible ASCII characters, such as a UUID.",
            )),
        }
    }
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.headers().get(HEADER) {
            None => Ok(Self(None)),
            Some(value) => Self::parse(value.as_bytes()).map(|key| Self(Some(key))),
        })
    }
}

/// The 422 for a key reused with a different request.
pub fn conflict() -> ApiError {
    ApiError::Unprocessable {
        code: "idempotency_conflict",
        message: "This Idempotency-Key was already used with a different request; \
                  use a new key for a new request."
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert_eq!(IdempotencyKey::parse(b"abc-123").unwrap(), "abc-123");
        assert!(IdempotencyKey::parse(b"").is_err());
        assert!(IdempotencyKey::parse(b"with space").is_err());
        assert!(IdempotencyKey::parse(&[b'a'; MAX_KEY_LEN + 1]).is_err());
        assert!(IdempotencyKey::parse("é".as_bytes()).is_err());
    }
}
