//! The audit log (A6): one entry per change made by staff (and a few made by partners or
//! by nobody signed in, such as a password reset), written in the transaction that makes
//! the change, so the change and its entry commit together or not at all.
//!
//! An entry says who, what (a stable dotted action: `program.update`,
//! `membership.update`, ...), which object, the reason when one is given, and the object
//! as JSON before and after. Handlers of the API and the operations of this crate write
//! it alike.

use partnerly_db::DbConn;
use partnerly_db::audit::NewAuditEntry;
use serde::Serialize;
use time::PrimitiveDateTime;

/// An object as JSON text for the audit log. It goes through `Value`, so keys are sorted.
fn json_text<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_value(value).map(|v| v.to_string())
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

    /// An object was created: records its state after. Fails only if the object cannot
    /// be written as JSON (a bug).
    pub fn created(
        action: &'a str,
        target_type: &'a str,
        target_id: i64,
        after: &impl Serialize,
    ) -> Result<Self, serde_json::Error> {
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
    ) -> Result<Self, serde_json::Error> {
        let (before, after) = (Some(json_text(before)?), Some(json_text(after)?));
        Ok(Self::new(action, target_type, target_id, before, after))
    }

    /// An object was deleted: records its state before.
    pub fn deleted(
        action: &'a str,
        target_type: &'a str,
        target_id: i64,
        before: &impl Serialize,
    ) -> Result<Self, serde_json::Error> {
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
    /// reset asked for by email), in the caller's transaction.
    pub fn record(
        self,
        conn: &mut DbConn,
        actor_id: impl Into<Option<i64>>,
        at: PrimitiveDateTime,
    ) -> diesel::QueryResult<()> {
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
