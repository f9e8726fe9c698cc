//! Routes for staff under `/api/v1/admin`; each handler names the role it needs.

pub mod outbox;
pub mod webhooks;
