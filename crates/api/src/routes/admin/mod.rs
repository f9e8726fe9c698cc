//! Routes for staff under `/api/v1/admin`; each handler names the role it needs.
//!
//! Every change made here writes an audit entry (A6) in the transaction that makes the
//! change: who, what (`program.update`, `membership.update`, ...), which object, the
//! reason when one is given, and the object as JSON before and after
//! ([`partnerly_engine::audit::Audit`], re-exported here). Changes that are business
//! operations (adjustments, reassignments, membership changes, track request decisions)
//! run in the engine, which writes their entry; the handlers here parse, call one
//! operation inside `state.write(..)` and answer.

pub mod adjustments;
pub mod api_keys;
pub mod audit;
pub mod customers;
pub mod deals;
pub mod outbox;
pub mod partners;
pub mod programs;
pub mod track_requests;
pub mod tracking;
pub mod webhooks;

pub use partnerly_engine::audit::Audit;

/// A request body or query string that is read only after the role check passed.
///
/// actix-web polls a handler's extractors together, so a malformed body would answer
/// 400 while the role check (a database read) is still pending: a partner probing an
/// admin route would get 400 instead of 403 and learn the request's shape. Handlers
/// take `Deferred<crate::body::Json<T>>` and unwrap it with `?` after the role extractor, so
/// 401 and 403 always come first.
pub type Deferred<T> = Result<T, actix_web::Error>;

pub use super::paging::Paging;
