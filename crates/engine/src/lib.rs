//! Partnerly's engine: the business operations that change money or status, one module
//! per feature, each with its operations and its error type.
//!
//! - [`commissions`]: applying the vendor's events (attribution, commissions, reversals,
//!   client bonuses), level promotion and the release of held commissions, in a `Batch`.
//! - [`adjustments`]: manual balance adjustments by finance staff ([`adjustments::book`]).
//! - [`customers`]: reassigning a customer to another partner ([`customers::reassign`]).
//! - [`memberships`]: a membership changed by staff: manual level, rate override, status
//!   ([`memberships::update`]).
//! - [`track_requests`]: a partner's request to change track, and its approval or
//!   rejection by a manager.
//! - [`webhooks`]: queueing the messages those operations cause, in their transaction.
//! - [`audit`]: the audit entry each change by staff writes, in its transaction.
//! - [`views`]: stored rows as the domain's response types, which the operations answer
//!   and write to the audit log, and the API's lists show.
//!
//! The rules of this layer (`docs/architecture.md`):
//! - It knows no HTTP: no actix type and no `ApiError`. Each feature has a `thiserror`
//!   enum; the API maps it to its answers with one `From`, at the edge.
//! - Operations run inside the caller's transaction (`&mut DbConn`): the caller (a
//!   handler, a job, the CLI or `seed-demo`) decides where it begins and commits, so a
//!   change, its ledger transfers, its audit entry and its webhooks commit together or
//!   not at all. The caller wakes the webhook sender after the commit; an operation
//!   says when it queued one.
//! - SQL lives in the db crate; the rules that need no database (commission lines,
//!   levels, the ledger's transfers, request validation) live in the domain crate. This
//!   crate joins them.

pub mod adjustments;
pub mod audit;
pub mod commissions;
pub mod customers;
pub mod memberships;
pub mod stats;
pub mod track_requests;
pub mod tracking;
pub mod views;
pub mod webhooks;
