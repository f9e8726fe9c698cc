//! What kind of failure a database error is, decided here, once per backend, so that no
//! other code reads an error's text.
//!
//! diesel names unique violations on both backends and serialization failures on
//! PostgreSQL (SQLSTATE 40001). Two kinds it does not name reach us as `Unknown` with the
//! backend's fixed message, and are recognised here by that message only:
//! - SQLite's `SQLITE_BUSY`, "database is locked": the writer lock was not acquired
//!   within `busy_timeout`. Load, not a bug: the request may be retried.
//! - PostgreSQL's `deadlock_detected` (SQLSTATE 40P01), "deadlock detected": the server
//!   broke a deadlock by failing this transaction. diesel keeps the SQLSTATE to itself;
//!   the message is PostgreSQL's own (servers run with English `lc_messages` by default).

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::DbConn;
use crate::conn::DbError;

/// The kinds of database failure the callers act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// A unique constraint refused the row: it exists (another writer may have inserted
    /// it a moment ago).
    UniqueViolation,
    /// SQLite's writer lock was not acquired in time.
    Busy,
    /// PostgreSQL refused to commit a transaction that raced another one.
    SerializationFailure,
    /// PostgreSQL failed this transaction to break a deadlock.
    Deadlock,
    /// Anything else: a bug or an outage.
    Other,
}

/// Classifies database errors ([`FailureKind`]).
pub trait Classify {
    /// What kind of failure this is.
    fn failure(&self) -> FailureKind;

    /// Whether a unique constraint refused the row.
    fn is_unique_violation(&self) -> bool {
        self.failure() == FailureKind::UniqueViolation
    }

    /// Whether the database was too busy to take the write (SQLite's lock).
    fn is_busy(&self) -> bool {
        self.failure() == FailureKind::Busy
    }

    /// Whether running the same transaction again may succeed: another writer inserted
    /// the same row first (the second run sees it), or the server failed this one to
    /// resolve a race or a deadlock.
    fn is_retryable(&self) -> bool {
        matches!(
            self.failure(),
            FailureKind::UniqueViolation
                | FailureKind::SerializationFailure
                | FailureKind::Deadlock
        )
    }
}

const SQLITE_BUSY_MESSAGE: &str = "database is locked";
const PG_DEADLOCK_MESSAGE: &str = "deadlock detected";

impl Classify for DieselError {
    fn failure(&self) -> FailureKind {
        match self {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                FailureKind::UniqueViolation
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                FailureKind::SerializationFailure
            }
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) => {
                let message = info.message();
                if message.starts_with(SQLITE_BUSY_MESSAGE) {
                    FailureKind::Busy
                } else if message.starts_with(PG_DEADLOCK_MESSAGE) {
                    FailureKind::Deadlock
                } else {
                    FailureKind::Other
                }
            }
            _ => FailureKind::Other,
        }
    }
}

impl Classify for DbError {
    fn failure(&self) -> FailureKind {
        match self {
            DbError::Query(e) => e.failure(),
            _ => FailureKind::Other,
        }
    }
}

/// A stored row whose values contradict each other (e.g. a level whose duration is
/// in months without the months): reading it fails, it never falls back to a default.
pub(crate) fn unreadable_row(what: String) -> DieselError {
    DieselError::DeserializationError(what.into())
}

/// Runs an insert in a savepoint: a unique violation (the row exists) is `Ok(None)`
/// and leaves the caller's transaction usable; any other error is returned.
pub fn insert_new<T>(
    conn: &mut DbConn,
    insert: impl FnOnce(&mut DbConn) -> diesel::QueryResult<T>,
) -> diesel::QueryResult<Option<T>> {
    use diesel::Connection;
    match conn.transaction(insert) {
        Ok(row) => Ok(Some(row)),
        Err(e) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(message: &str) -> DieselError {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned()))
    }

    #[test]
    fn kinds_are_read_from_diesel_and_the_two_fixed_messages() {
        let unique = DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("UNIQUE constraint failed: users.email".to_owned()),
        );
        assert_eq!(unique.failure(), FailureKind::UniqueViolation);
        assert!(unique.is_retryable());
        let serial = DieselError::DatabaseError(
            DatabaseErrorKind::SerializationFailure,
            Box::new("could not serialize access".to_owned()),
        );
        assert_eq!(serial.failure(), FailureKind::SerializationFailure);
        assert_eq!(unknown("database is locked").failure(), FailureKind::Busy);
        assert!(!unknown("database is locked").is_retryable());
        assert!(unknown("database is locked").is_busy());
        assert_eq!(
            unknown("deadlock detected").failure(),
            FailureKind::Deadlock
        );
        assert_eq!(unknown("syntax error").failure(), FailureKind::Other);
        assert_eq!(DieselError::NotFound.failure(), FailureKind::Other);
        assert!(!DieselError::NotFound.is_retryable());
        let fk = DieselError::DatabaseError(
            DatabaseErrorKind::ForeignKeyViolation,
            Box::new("FOREIGN KEY constraint failed".to_owned()),
        );
        assert_eq!(fk.failure(), FailureKind::Other);
        assert_eq!(
            DbError::Query(unique).failure(),
            FailureKind::UniqueViolation
        );
        assert_eq!(
            DbError::Migrations("x".into()).failure(),
            FailureKind::Other
        );
    }
}

#[cfg(test)]
mod stored_enum_tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use partnerly_domain::level::Track;
    use partnerly_domain::membership::MembershipStatus;

    use crate::DbUrl;

    /// Stored names read back as the domain's enums; a name the enum does not know is
    /// an error when the row is read, never a default.
    #[test]
    fn stored_names_read_as_enums_and_unknown_names_fail() {
        let mut conn = DbUrl::parse("sqlite://:memory:")
            .unwrap()
            .connect()
            .unwrap();
        let track: Track = diesel::select(diesel::dsl::sql::<Text>("'integrator'"))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(track, Track::Integrator);
        let status: Option<MembershipStatus> = diesel::select(diesel::dsl::sql::<
            diesel::sql_types::Nullable<Text>,
        >("NULL"))
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(status, None);
        let unknown = diesel::select(diesel::dsl::sql::<Text>("'Referral'"))
            .get_result::<Track>(&mut conn)
            .unwrap_err();
        assert!(
            matches!(unknown, diesel::result::Error::DeserializationError(_)),
            "{unknown:?}"
        );
        assert!(
            format!("{unknown:?}").contains(r#"unknown stored track \"Referral\""#),
            "{unknown:?}"
        );
        // And an enum binds as its name.
        let same: bool = diesel::select(
            diesel::dsl::sql::<diesel::sql_types::Bool>("'suspended' = ")
                .bind::<Text, _>(MembershipStatus::Suspended),
        )
        .get_result(&mut conn)
        .unwrap();
        assert!(same);
    }
}
