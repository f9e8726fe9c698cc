//! Routes for staff under `/api/v1/admin`; each handler names the role it needs.

pub mod api_keys;
pub mod audit;
pub mod outbox;
pub mod webhooks;
