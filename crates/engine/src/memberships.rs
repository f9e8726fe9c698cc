//! A membership changed by staff (L3, L4, A1): its level set by hand, the partner's own
//! rate set or removed, suspension and reactivation.
//!
//! [`update`] records a manual level in the level history (`manual`) and queues
//! `partner.level_changed`; the membership follows its new level's track, so promotion
//! keeps climbing the ladder it is on. Commissions already booked are not changed; the
//! next payment uses the new level and rate. The change and its audit entry
//! (`membership.update`) commit together, in the caller's transaction.
//!
//! A level moved by a decided track change request goes through the same
//! [`change_level`] (see [`crate::track_requests`]); automatic promotion is
//! [`crate::commissions::promote`].

use partnerly_db::DbConn;
use partnerly_db::level::Level;
use partnerly_db::membership::{Membership, MembershipChanges as StoredChanges};
use partnerly_domain::FieldErrors;
use partnerly_domain::membership::{AdminMembershipView, LevelChangeReason, MembershipChanges};
use partnerly_domain::webhook_event::{LevelChanged, WebhookEvent};
use time::PrimitiveDateTime;

use crate::audit::Audit;
use crate::views::{self, ViewError};
use crate::webhooks;

/// Why a membership was not changed.
#[derive(Debug, thiserror::Error)]
pub enum MembershipError {
    /// No membership with this id (404).
    #[error("not found")]
    NotFound,
    /// Some fields are not valid: `level_id` is not a level of the membership's program
    /// (422 `validation_failed`).
    #[error("Some fields are not valid.")]
    Invalid(FieldErrors),
    /// The database failed: the transaction fails (and may be retried).
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    /// The stored data contradicts itself (a stored currency unknown): a bug.
    #[error("inconsistent data: {what}")]
    Inconsistent {
        what: String,
        #[source]
        cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl From<ViewError> for MembershipError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NotFound => Self::NotFound,
            ViewError::Database(e) => Self::Database(e),
            ViewError::Inconsistent { what, cause } => Self::Inconsistent { what, cause },
        }
    }
}

/// The audit entry could not be written as JSON.
impl From<serde_json::Error> for MembershipError {
    fn from(e: serde_json::Error) -> Self {
        Self::Inconsistent {
            what: "audit json".into(),
            cause: Some(Box::new(e)),
        }
    }
}

/// What [`update`] did.
#[derive(Debug, Clone)]
pub struct Updated {
    /// The membership as staff see it now.
    pub view: AdminMembershipView,
    /// The level changed, so `partner.level_changed` was queued for its subscribers:
    /// wake the sender after the commit.
    pub level_changed: bool,
}

/// Applies `changes` to membership `id` for staff member `actor_id`, with the audit
/// entry `membership.update` (reason included), in the caller's transaction.
pub fn update(
    conn: &mut DbConn,
    actor_id: i64,
    id: i64,
    changes: &MembershipChanges,
    now: PrimitiveDateTime,
) -> Result<Updated, MembershipError> {
    if !Membership::lock(conn, id)? {
        return Err(MembershipError::NotFound);
    }
    let (membership, program, level) =
        Membership::with_program(conn, id)?.ok_or(MembershipError::NotFound)?;
    let before = views::admin_membership_view(&membership, &program, &level)?;
    let mut track = None;
    let mut level_changed = false;
    if let Some(level_id) = changes.level_id {
        let new_level = Level::find(conn, level_id)?
            .filter(|l| l.program_id == program.id)
            .ok_or_else(|| {
                MembershipError::Invalid(FieldErrors::from([(
                    "level_id".to_owned(),
                    "Choose a level of this membership's program.".to_owned(),
                )]))
            })?;
        if new_level.id != level.id {
            change_level(
                conn,
                &membership,
                &level,
                &new_level,
                LevelChangeReason::Manual,
                actor_id,
                now,
            )?;
            // The membership follows its level's track, so promotion keeps climbing the
            // ladder it is on.
            if new_level.track != membership.track {
                track = Some(new_level.track);
            }
            level_changed = true;
        }
    }
    let updated = Membership::update(
        conn,
        id,
        &StoredChanges {
            track,
            rate_override: changes
                .rate_override
                .map(|r| r.map(|r| r.percent().to_string())),
            status: changes.status,
        },
    )?;
    let (_, program, level) =
        Membership::with_program(conn, updated.id)?.ok_or(MembershipError::NotFound)?;
    let view = views::admin_membership_view(&updated, &program, &level)?;
    Audit::changed("membership.update", "membership", id, &before, &view)?
        .because(changes.reason.as_deref())
        .record(conn, actor_id, now)?;
    Ok(Updated {
        view,
        level_changed,
    })
}

/// Moves `membership` from level `from` to level `to` by staff member `actor_id`: the
/// level history records `reason`, and `partner.level_changed` is queued, in the
/// caller's transaction. The membership's track is the caller's to change.
pub(crate) fn change_level(
    conn: &mut DbConn,
    membership: &Membership,
    from: &Level,
    to: &Level,
    reason: LevelChangeReason,
    actor_id: i64,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<()> {
    Membership::set_level(conn, membership, to.id, reason, Some(actor_id), now)?;
    webhooks::enqueue(
        conn,
        &WebhookEvent::LevelChanged(LevelChanged {
            membership_id: membership.id,
            program_id: membership.program_id,
            from_level: from.name.clone(),
            to_level: to.name.clone(),
            reason,
        }),
    )?;
    Ok(())
}
