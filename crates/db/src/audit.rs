//! The audit log (C7, A6): who changed what, when, with the state before and after.
//! Written in the same transaction as the change it records.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::schema::audit_log;

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub reason: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub at: PrimitiveDateTime,
}

/// An entry to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry<'a> {
    /// The staff member (or partner) who acted; `None` for the system.
    pub actor_id: Option<i64>,
    /// A stable dotted name, e.g. `api_key.create`, `level.update`.
    pub action: &'a str,
    /// The kind of object changed, e.g. `api_key`, `membership`.
    pub target_type: &'a str,
    pub target_id: Option<i64>,
    pub reason: Option<&'a str>,
    /// JSON of the object before the change (`None` for creations).
    pub before_json: Option<String>,
    /// JSON of the object after the change (`None` for deletions).
    pub after_json: Option<String>,
    pub at: PrimitiveDateTime,
}

impl NewAuditEntry<'_> {
    /// Records the entry in the caller's transaction.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(audit_log::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }
}

/// Filters for listing the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
}

impl AuditEntry {
    /// One page, newest first, and the number of matching entries.
    pub fn list(
        conn: &mut DbConn,
        filter: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<AuditEntry>, i64)> {
        let query = || {
            let mut q = audit_log::table.into_boxed();
            if let Some(actor) = filter.actor_id {
                q = q.filter(audit_log::actor_id.eq(actor));
            }
            if let Some(action) = &filter.action {
                q = q.filter(audit_log::action.eq(action.clone()));
            }
            if let Some(target_type) = &filter.target_type {
                q = q.filter(audit_log::target_type.eq(target_type.clone()));
            }
            if let Some(target_id) = filter.target_id {
                q = q.filter(audit_log::target_id.eq(target_id));
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(audit_log::id.desc())
            .offset(offset)
            .limit(limit)
            .select(AuditEntry::as_select())
            .load(conn)?;
        Ok((items, total))
    }
}
