//! Referral tracking (T1–T7, T10): partners' links and promo codes, and the clicks the
//! tracking redirect hands to the click writer.
//!
//! The redirect itself (its in-memory directory of codes, the bounded click queue and
//! the background writer) lives in the API crate, which owns the process's tasks; what
//! it stores goes through [`record_clicks`] here, in one transaction per batch. The rules
//! without I/O (landing target, cookie, bots) are in `partnerly_domain::tracking`.
//!
//! Files: [`links`] (create, change and list a partner's links with their figures),
//! [`clicks`] (a batch of clicks: uniqueness, rows, daily figures), [`deals`] (leads from the
//! vendor's form, and their outcome).

mod clicks;
mod deals;
mod invitations;
mod links;

pub use clicks::{ClickToStore, RecordedClicks, record_clicks};
pub use deals::{admin_deal_views, capture_lead, change_deal, deal_views};
pub use invitations::{InvitationEmail, invite};
pub use links::{create_link, link_views, update_link};

use partnerly_domain::FieldErrors;

/// Why a tracking operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TrackingError {
    /// No such link, or it is another partner's (the API answers 404 either way).
    #[error("not found")]
    NotFound,
    /// Some fields are not valid, or name something taken (422 `validation_failed`).
    #[error("Some fields are not valid.")]
    Invalid(FieldErrors),
    /// The link is disabled: it cannot be shared (409 `link_disabled`).
    #[error("This link is disabled; enable it or share another.")]
    LinkDisabled,
    /// The membership has as many links as it may have (409 `link_limit`).
    #[error("A program membership has at most {0} links.")]
    TooManyLinks(i64),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    /// The stored data contradicts itself (a program's currency unknown): a bug.
    #[error("inconsistent data: {0}")]
    Inconsistent(String),
}

impl TrackingError {
    fn field(field: &str, message: &str) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), message.to_owned());
        Self::Invalid(errors)
    }
}
