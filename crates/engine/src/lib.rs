//! Partnerly's engine: the business operations that change money or status, one module
//! per feature, each with its unit of work and its error type.
//!
//! - [`commissions`]: applying the vendor's events (attribution, commissions, reversals,
//!   client bonuses), level promotion and the release of held commissions.
//! - [`webhooks`]: queueing the messages those operations cause, in their transaction.
//!
//! The rules of this layer (`docs/architecture.md`):
//! - It knows no HTTP: no actix type and no `ApiError`. Each feature has a `thiserror`
//!   enum; the API maps it to its answers with one `From`, at the edge.
//! - Operations run inside the caller's transaction (`&mut DbConn`): the caller (a
//!   handler, a job, the CLI or `seed-demo`) decides where it begins and commits, so a
//!   change, its ledger transfers and its webhooks commit together or not at all.
//! - SQL lives in the db crate; the rules that need no database (commission lines,
//!   levels, the ledger's transfers) live in the domain crate. This crate joins them.

pub mod commissions;
pub mod webhooks;
