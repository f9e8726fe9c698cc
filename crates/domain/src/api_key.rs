//! API keys (E3): how the vendor's billing and integrators authenticate, what a key may
//! do (its scopes), and the bodies of the admin routes that manage keys.
//!
//! A key is `pk_live_` followed by 32 random bytes in base64url (no padding). The server
//! keeps only its SHA-256 and a short display prefix; the secret is shown once, when the
//! key is created.
//!
//! Every key has an `owner`: the integration it belongs to. Events are idempotent per
//! owner, so when a key is rotated (a new key made with the same owner, the old one
//! revoked) an event retried with the new key is still recognised as a duplicate. The
//! owner defaults to the key's name.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};

/// Send events from the vendor's billing (`POST /api/v1/events`).
pub const EVENTS_WRITE: &str = "events:write";
/// Read partner and program data (reserved for the read API).
pub const READ: &str = "read";
/// Every scope a key can have, in the order they are shown.
pub const SCOPES: &[&str] = &[EVENTS_WRITE, READ];

/// 1 to all of [`SCOPES`], each once.
fn scope_list_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(scope_schema())
        .min_items(Some(1))
        .max_items(Some(SCOPES.len()))
        .unique_items(true)
        .description(Some(
            "At least one of `events:write` (send events) and `read`.",
        ))
        .build()
}

/// The OpenAPI schema of a scope name: one of [`SCOPES`].
pub fn scope_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(SCOPES.iter().copied()))
        .build()
}

/// What every key starts with, so a leaked key is recognisable (secret scanners).
pub const KEY_PREFIX: &str = "pk_live_";
/// How many leading characters of a key are kept to tell keys apart (`pk_live_AbCd`).
pub const DISPLAY_PREFIX_LEN: usize = 12;
/// Longest key name or owner, in characters.
pub const MAX_NAME_LEN: usize = 100;

/// `POST /api/v1/admin/api-keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// What the key is for, 1 to 100 characters.
    #[schema(
        example = "Billing (production)",
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub name: String,
    /// The integration the key belongs to; events are idempotent per owner, so keys
    /// rotated for one integration must share it. Absent, `null` or blank: the name.
    #[schema(
        example = "billing",
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub owner: Option<String>,
    /// At least one of `events:write` (send events) and `read` (read partner and
    /// program data; reserved for later).
    #[schema(example = json!(["events:write"]), schema_with = scope_list_schema)]
    pub scopes: Vec<String>,
}

/// A key request that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApiKeyRequest {
    pub name: String,
    pub owner: String,
    /// Known scopes without duplicates, in the order of [`SCOPES`].
    pub scopes: Vec<String>,
}

impl CreateApiKeyRequest {
    /// Validates every field at once.
    pub fn validate(&self) -> Result<ValidApiKeyRequest, FieldErrors> {
        let mut v = Validator::new();
        let name = v.check("name", parse_name(&self.name, "name"));
        let owner = match self.owner.as_deref() {
            None => None,
            // Blank: the name. (Checked as sent, like the document's bounds.)
            Some(blank)
                if blank.trim().is_empty()
                    && blank.chars().count() <= MAX_NAME_LEN
                    && !blank.chars().any(char::is_control) =>
            {
                None
            }
            Some(owner) => v.check("owner", parse_name(owner, "owner")),
        };
        let scopes = v.check("scopes", parse_scopes(&self.scopes));
        v.finish()?;
        let (name, scopes) = name.zip(scopes).ok_or_else(FieldErrors::new)?;
        Ok(ValidApiKeyRequest {
            owner: owner.unwrap_or_else(|| name.clone()),
            name,
            scopes,
        })
    }
}

fn parse_name(raw: &str, what: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(format!("Enter a {what}."));
    }
    // Counted as sent, white space included, as the document's maxLength counts.
    if raw.chars().count() > MAX_NAME_LEN {
        return Err(format!("A {what} has at most {MAX_NAME_LEN} characters."));
    }
    if raw.chars().any(char::is_control) {
        return Err(format!("A {what} cannot contain control characters."));
    }
    Ok(name.to_owned())
}

/// Checks requested scopes: at least one, each known. Duplicates collapse.
pub fn parse_scopes(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.is_empty() {
        return Err("Give the key at least one scope.".into());
    }
    if let Some(unknown) = raw.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        return Err(format!(
            "Unknown scope {unknown:?}; use one of: {}.",
            SCOPES.join(", ")
        ));
    }
    if raw.len() > SCOPES.len() || raw.iter().enumerate().any(|(i, s)| raw[..i].contains(s)) {
        return Err("Name each scope once.".into());
    }
    Ok(SCOPES
        .iter()
        .filter(|known| raw.iter().any(|s| s == *known))
        .map(|s| (*s).to_owned())
        .collect())
}

/// A key as admins see it: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    pub id: i64,
    #[schema(example = "Billing (production)")]
    pub name: String,
    /// The integration the key belongs to (events are idempotent per owner).
    #[schema(example = "billing")]
    pub owner: String,
    /// The first characters of the key, to recognise it (`pk_live_AbCd`).
    #[schema(example = "pk_live_AbCd")]
    pub prefix: String,
    #[schema(example = json!(["events:write"]), schema_with = scope_list_schema)]
    pub scopes: Vec<String>,
    /// The admin who made the key.
    pub created_by: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the key was last used (updated at most once a minute); `null` if never.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// When the key was revoked; `null` while it works.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// The answer to creating a key: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiKey {
    /// The key, to send as `Authorization: Bearer <secret>`. Store it now: Partnerly
    /// keeps only its hash and cannot show it again.
    #[schema(example = "pk_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde")]
    pub secret: String,
    pub api_key: ApiKey,
}

/// Every key, newest first, revoked ones included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyList {
    pub items: Vec<ApiKey>,
}

/// `GET /api/v1/integration/whoami`: the key the caller sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyIdentity {
    #[schema(example = "Billing (production)")]
    pub name: String,
    #[schema(example = "billing")]
    pub owner: String,
    #[schema(example = json!(["events:write"]), schema_with = scope_list_schema)]
    pub scopes: Vec<String>,
    #[schema(example = "pk_live_AbCd")]
    pub prefix: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: &str, owner: Option<&str>, scopes: &[&str]) -> CreateApiKeyRequest {
        CreateApiKeyRequest {
            name: name.into(),
            owner: owner.map(Into::into),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn the_owner_defaults_to_the_name() {
        let valid = request(" Billing ", None, &["events:write"])
            .validate()
            .unwrap();
        assert_eq!(valid.name, "Billing");
        assert_eq!(valid.owner, "Billing");
        let valid = request("Billing", Some("  "), &["read"])
            .validate()
            .unwrap();
        assert_eq!(valid.owner, "Billing");
        let valid = request("Billing v2", Some("billing"), &["read"])
            .validate()
            .unwrap();
        assert_eq!(valid.owner, "billing");
    }

    #[test]
    fn scopes_are_kept_in_a_stable_order_and_named_once() {
        let valid = request("k", None, &["read", "events:write"])
            .validate()
            .unwrap();
        assert_eq!(valid.scopes, ["events:write", "read"]);
        let errors = request("k", None, &["read", "events:write", "read"])
            .validate()
            .unwrap_err();
        assert_eq!(errors["scopes"], "Name each scope once.");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = request("", Some(&"o".repeat(101)), &["admin"])
            .validate()
            .unwrap_err();
        assert!(errors.contains_key("name"));
        assert!(errors.contains_key("owner"));
        assert!(errors["scopes"].contains("admin"), "{errors:?}");
        let errors = request("k", None, &[]).validate().unwrap_err();
        assert!(errors.contains_key("scopes"));
        assert!(
            request(&"n".repeat(100), None, &["read"])
                .validate()
                .is_ok()
        );
        assert!(
            request(&"n".repeat(101), None, &["read"])
                .validate()
                .is_err()
        );
    }
}
