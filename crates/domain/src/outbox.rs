//! Emails as the admin outbox page shows them (I3, S5).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// One email in the outbox: waiting, sent, or failing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OutboxEmail {
    pub id: i64,
    /// Recipient address.
    pub to: String,
    pub subject: String,
    /// Plain-text body. Where the email carries a secret (a password-reset link), the
    /// secret is shown as `[hidden]` once SMTP is configured, and is no longer stored
    /// once the email was sent.
    pub body: String,
    /// The email carries a secret (a password-reset link).
    pub contains_secret: bool,
    /// The secret is in `body` as sent: only in development without SMTP, where the
    /// outbox is how a developer reads such emails. Never true once SMTP is configured.
    pub secret_shown: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When SMTP accepted it; `null` while waiting (always in development without SMTP).
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// The last SMTP error, if the last attempt failed.
    pub last_error: Option<String>,
}

page_type! {
    /// A page of outbox emails, newest first.
    pub type OutboxPage = Page<OutboxEmail>;
    page = "1-based page number.";
    total = "Emails matching the filter, on every page.";
}
