//! The audit log as admins read it (A6): who changed what, when, and the state before
//! and after.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditActor {
    pub id: i64,
    /// The account's current email; `null` if the account is gone.
    #[schema(example = "admin@example.com")]
    pub email: Option<String>,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// The account that acted; `null` when Partnerly itself did (a background job).
    pub actor: Option<AuditActor>,
    /// A stable dotted name: `api_key.create`, `api_key.revoke`, ...
    #[schema(example = "api_key.revoke")]
    pub action: String,
    /// The kind of object changed: `api_key`, `membership`, ...
    #[schema(example = "api_key")]
    pub target_type: String,
    /// The id of the object changed, if it has one.
    pub target_id: Option<i64>,
    /// Why, when the actor had to say.
    pub reason: Option<String>,
    /// The object before the change; `null` for creations.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The object after the change; `null` for deletions.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// When the change was made.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

page_type! {
    /// A page of the audit log, newest first.
    pub type AuditPage = Page<AuditEntry>;
    page = "1-based page number.";
    total = "Entries matching the filters, on every page.";
}
