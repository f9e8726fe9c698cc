//! Routes for staff under `/api/v1/admin`; each handler names the role it needs.
//!
//! Every change made here writes an audit entry (A6) in the transaction that makes the
//! change: who, what (`program.update`, `membership.update`, ...), which object, the
//! reason when one is given, and the object as JSON before and after.

pub mod adjustments;
pub mod api_keys;
pub mod audit;
pub mod customers;
pub mod outbox;
pub mod partners;
pub mod programs;
pub mod track_requests;
pub mod webhooks;

use partnerly_db::DbConn;
use partnerly_db::audit::NewAuditEntry;
use partnerly_db::level::Level;
use partnerly_db::membership::Membership;
use partnerly_db::program::Program;
use partnerly_db::user::User;
use partnerly_domain::membership::{AdminMembershipView, PartnerRef};
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::error::ApiError;
use crate::views;

/// A request body or query string that is read only after the role check passed.
///
/// actix-web polls a handler's extractors together, so a malformed body would answer
/// 400 while the role check (a database read) is still pending: a partner probing an
/// admin route would get 400 instead of 403 and learn the request's shape. Handlers
/// take `Deferred<crate::body::Json<T>>` and unwrap it with `?` after the role extractor, so
/// 401 and 403 always come first.
pub type Deferred<T> = Result<T, actix_web::Error>;

pub use super::paging::Paging;

/// A row count as the API reports it.
pub fn total(count: i64) -> u64 {
    u64::try_from(count).unwrap_or_default()
}

/// A partner as lists show them.
pub fn partner_ref(user: &User) -> PartnerRef {
    let account = user.to_account();
    PartnerRef {
        public_id: account.public_id,
        name: account.display_name(),
        email: account.email,
    }
}

/// A membership as staff see it.
pub fn membership_view(
    membership: &Membership,
    program: &Program,
    level: &Level,
) -> Result<AdminMembershipView, ApiError> {
    let currency = views::program_currency(program)?;
    Ok(AdminMembershipView {
        id: membership.id,
        program_id: program.id,
        program_name: program.name.clone(),
        currency,
        track: level.track(),
        level: views::level_summary(level, currency)?,
        rate_override: membership.rate_override(),
        status: membership.status,
        joined_at: partnerly_db::utc(membership.joined_at),
    })
}

/// An object as JSON text for the audit log. It goes through `Value`, so keys are sorted.
fn json_text<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_value(value)
        .map(|v| v.to_string())
        .map_err(|e| ApiError::internal(format!("audit json: {e}")))
}

/// One audit entry (A6), written by [`Audit::record`] in the caller's transaction.
#[derive(Debug, Clone)]
pub struct Audit<'a> {
    /// A stable dotted name: `program.update`, `adjustment.create`.
    action: &'a str,
    target_type: &'a str,
    target_id: i64,
    reason: Option<&'a str>,
    /// The object before the change as JSON (`None` for creations).
    before: Option<String>,
    /// The object after the change as JSON (`None` for deletions).
    after: Option<String>,
}

impl<'a> Audit<'a> {
    fn new(
        action: &'a str,
        target_type: &'a str,
        target_id: i64,
        before: Option<String>,
        after: Option<String>,
    ) -> Self {
        Audit {
            action,
            target_type,
            target_id,
            reason: None,
            before,
            after,
        }
    }

    /// An object was created: records its state after.
    pub fn created(
        action: &'a str,
        target_type: &'a str,
        target_id: i64,
        after: &impl Serialize,
    ) -> Result<Self, ApiError> {
        let after = Some(json_text(after)?);
        Ok(Self::new(action, target_type, target_id, None, after))
    }

    /// An object was changed: records its state before and after.
    pub fn changed(
        action: &'a str,
        target_type: &'a str,
        target_id: i64,
        before: &impl Serialize,
        after: &impl Serialize,
    ) -> Result<Self, ApiError> {
        let (before, after) = (Some(json_text(before)?), Some(json_text(after)?));
        Ok(Self::new(action, target_type, target_id, before, after))
    }

    /// An object was deleted: records its state before.
    pub fn deleted(
        action: &'a str,
        target_type: &'a str,
        target_id: i64,
        before: &impl Serialize,
    ) -> Result<Self, ApiError> {
        let before = Some(json_text(before)?);
        Ok(Self::new(action, target_type, target_id, before, None))
    }

    /// Something happened to an object that has no state to record (a password reset).
    pub fn noted(action: &'a str, target_type: &'a str, target_id: i64) -> Self {
        Self::new(action, target_type, target_id, None, None)
    }

    /// The reason given for the change, if any.
    pub fn because(self, reason: impl Into<Option<&'a str>>) -> Self {
        Audit {
            reason: reason.into(),
            ..self
        }
    }

    /// Records the entry for `actor_id` (`None`: nobody signed in, such as a password
    /// reset asked for by email).
    pub fn record(
        self,
        conn: &mut DbConn,
        actor_id: impl Into<Option<i64>>,
        at: PrimitiveDateTime,
    ) -> Result<(), ApiError> {
        NewAuditEntry {
            actor_id: actor_id.into(),
            action: self.action,
            target_type: self.target_type,
            target_id: Some(self.target_id),
            reason: self.reason,
            before_json: self.before,
            after_json: self.after,
            at,
        }
        .insert(conn)?;
        Ok(())
    }
}
