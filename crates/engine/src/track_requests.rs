//! Track change requests (L3): a partner asks to move one of their memberships to the
//! other track (referral ↔ integrator), and a manager approves or rejects it.
//!
//! A module of its own rather than a part of [`crate::memberships`]: a request is an
//! object with its own life (`pending → approved | rejected`, decided once, by a
//! compare-and-set), its own conflicts and its own audit entries
//! (`track_request.create`, `.approve`, `.reject`), and a partner creates it, not staff.
//! Approving moves the membership to the lowest level of the requested track through
//! [`crate::memberships::change_level`] (level history `track_change`, webhook
//! `partner.level_changed`), so a level changes the same way whoever changes it.
//!
//! Every operation runs in the caller's transaction, the change and its audit entry
//! together.

use partnerly_db::DbConn;
use partnerly_db::level::Level;
use partnerly_db::membership::{Membership, MembershipChanges};
use partnerly_db::track_request::{NewTrackRequest, TrackRequest};
use partnerly_domain::level::Track;
use partnerly_domain::membership::LevelChangeReason;
use partnerly_domain::track_request::{TrackRequestStatus, TrackRequestView};
use time::PrimitiveDateTime;

use crate::audit::Audit;
use crate::memberships::change_level;
use crate::views::{self, ViewError};

/// Why a track change request was not created or decided.
#[derive(Debug, thiserror::Error)]
pub enum TrackRequestError {
    /// No such request, or (for a partner) not one of their memberships (404).
    #[error("not found")]
    NotFound,
    /// The membership is on the requested track already (409 `already_on_track`).
    #[error("You are already on the {} track.", .0.as_str())]
    AlreadyOnTrack(Track),
    /// A request for the membership waits for a decision (409 `track_request_pending`).
    #[error("A request for this program is waiting for a manager's decision.")]
    Pending,
    /// The program has no level on the requested track (409 `no_level_on_track`).
    #[error("The program has no {} level.", .0.as_str())]
    NoLevelOnTrack(Track),
    /// Someone approved or rejected the request already (409 `track_request_decided`).
    #[error("This request was already approved or rejected.")]
    AlreadyDecided,
    /// The database failed: the transaction fails (and may be retried).
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    /// The stored data contradicts itself: a bug.
    #[error("inconsistent data: {what}")]
    Inconsistent {
        what: String,
        #[source]
        cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl From<ViewError> for TrackRequestError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NotFound => Self::NotFound,
            ViewError::Database(e) => Self::Database(e),
            ViewError::Inconsistent { what, cause } => Self::Inconsistent { what, cause },
        }
    }
}

/// The audit entry could not be written as JSON.
impl From<serde_json::Error> for TrackRequestError {
    fn from(e: serde_json::Error) -> Self {
        Self::Inconsistent {
            what: "audit json".into(),
            cause: Some(Box::new(e)),
        }
    }
}

/// The lowest level of a program on `track`, if it has one.
fn lowest_level_on(
    conn: &mut DbConn,
    program_id: i64,
    track: Track,
) -> diesel::QueryResult<Option<Level>> {
    Ok(Level::of_program(conn, program_id)?
        .into_iter()
        .find(|l| l.track() == track))
}

/// Partner `user_id` asks to move their membership `membership_id` to `to_track`, with
/// a message for the manager (validated by the domain). One request may be pending per
/// membership, and the program must have a level on that track.
pub fn create(
    conn: &mut DbConn,
    user_id: i64,
    membership_id: i64,
    to_track: Track,
    message: &str,
    now: PrimitiveDateTime,
) -> Result<TrackRequestView, TrackRequestError> {
    let membership = Membership::find(conn, membership_id)?
        .filter(|m| m.user_id == user_id)
        .ok_or(TrackRequestError::NotFound)?;
    Membership::lock(conn, membership.id)?;
    if membership.track == to_track {
        return Err(TrackRequestError::AlreadyOnTrack(to_track));
    }
    if TrackRequest::pending_for(conn, membership.id)?.is_some() {
        return Err(TrackRequestError::Pending);
    }
    if lowest_level_on(conn, membership.program_id, to_track)?.is_none() {
        return Err(TrackRequestError::NoLevelOnTrack(to_track));
    }
    let request = NewTrackRequest {
        membership_id: membership.id,
        to_track,
        message,
        status: TrackRequestStatus::Pending,
        requested_at: now,
    }
    .insert(conn)?;
    let view = views::track_request_view(conn, &request)?;
    Audit::created("track_request.create", "track_request", request.id, &view)?
        .record(conn, user_id, now)?;
    Ok(view)
}

/// What [`approve`] did.
#[derive(Debug, Clone)]
pub struct Approved {
    /// The request as decided.
    pub view: TrackRequestView,
    /// The membership moved to the requested track (it may have been moved there by
    /// hand meanwhile), so `partner.level_changed` was queued: wake the sender after
    /// the commit.
    pub moved: bool,
}

/// Staff member `actor_id` approves request `id`: the membership moves to the lowest
/// level of the requested track (level history `track_change`, webhook
/// `partner.level_changed`), with the audit entry `track_request.approve`.
pub fn approve(
    conn: &mut DbConn,
    actor_id: i64,
    id: i64,
    now: PrimitiveDateTime,
) -> Result<Approved, TrackRequestError> {
    let request = TrackRequest::find(conn, id)?.ok_or(TrackRequestError::NotFound)?;
    if request.status != TrackRequestStatus::Pending {
        return Err(TrackRequestError::AlreadyDecided);
    }
    Membership::lock(conn, request.membership_id)?;
    let (membership, program, level) = Membership::with_program(conn, request.membership_id)?
        .ok_or(TrackRequestError::NotFound)?;
    let to_track = request.to_track;
    let before = views::track_request_view(conn, &request)?;
    let decided = TrackRequest::decide(conn, id, TrackRequestStatus::Approved, actor_id, now)?
        .ok_or(TrackRequestError::AlreadyDecided)?;
    // A manager may have moved the membership by hand meanwhile: then there is nothing
    // left to move.
    let moved = membership.track != to_track;
    if moved {
        let target = lowest_level_on(conn, program.id, to_track)?
            .ok_or(TrackRequestError::NoLevelOnTrack(to_track))?;
        change_level(
            conn,
            &membership,
            &level,
            &target,
            LevelChangeReason::TrackChange,
            actor_id,
            now,
        )?;
        Membership::update(
            conn,
            membership.id,
            &MembershipChanges {
                track: Some(to_track),
                ..Default::default()
            },
        )?;
    }
    let view = views::track_request_view(conn, &decided)?;
    Audit::changed("track_request.approve", "track_request", id, &before, &view)?
        .record(conn, actor_id, now)?;
    Ok(Approved { view, moved })
}

/// Staff member `actor_id` rejects request `id`; the membership stays where it is. The
/// audit entry is `track_request.reject`.
pub fn reject(
    conn: &mut DbConn,
    actor_id: i64,
    id: i64,
    now: PrimitiveDateTime,
) -> Result<TrackRequestView, TrackRequestError> {
    let request = TrackRequest::find(conn, id)?.ok_or(TrackRequestError::NotFound)?;
    let before = views::track_request_view(conn, &request)?;
    let decided = TrackRequest::decide(conn, id, TrackRequestStatus::Rejected, actor_id, now)?
        .ok_or(TrackRequestError::AlreadyDecided)?;
    let view = views::track_request_view(conn, &decided)?;
    Audit::changed("track_request.reject", "track_request", id, &before, &view)?
        .record(conn, actor_id, now)?;
    Ok(view)
}
