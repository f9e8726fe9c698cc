//! Track change requests (L3): a partner asks to move between the referral and
//! integrator tracks; a manager approves or rejects.

use diesel::prelude::*;
use partnerly_domain::level::Track;
use partnerly_domain::track_request::TrackRequestStatus;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::membership::Membership;
use crate::schema::{memberships, programs, track_requests, users};
use crate::user::User;

/// A stored request.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = track_requests)]
pub struct TrackRequest {
    pub id: i64,
    pub membership_id: i64,
    pub to_track: Track,
    pub message: String,
    pub status: TrackRequestStatus,
    pub requested_at: PrimitiveDateTime,
    pub decided_by: Option<i64>,
    pub decided_at: Option<PrimitiveDateTime>,
}

/// A request with its membership, program name and partner, as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedTrackRequest {
    pub request: TrackRequest,
    pub membership: Membership,
    pub program_name: String,
    pub partner: User,
}

/// A request to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = track_requests)]
pub struct NewTrackRequest<'a> {
    pub membership_id: i64,
    pub to_track: Track,
    pub message: &'a str,
    pub status: TrackRequestStatus,
    pub requested_at: PrimitiveDateTime,
}

impl NewTrackRequest<'_> {
    /// Stores the request.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<TrackRequest> {
        diesel::insert_into(track_requests::table)
            .values(self)
            .returning(track_requests::all_columns)
            .get_result(conn)
    }
}

impl TrackRequest {
    /// The request with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<TrackRequest>> {
        track_requests::table
            .find(id)
            .select(TrackRequest::as_select())
            .get_result(conn)
            .optional()
    }

    /// The membership's pending request, if any.
    pub fn pending_for(conn: &mut DbConn, membership_id: i64) -> QueryResult<Option<TrackRequest>> {
        track_requests::table
            .filter(track_requests::membership_id.eq(membership_id))
            .filter(track_requests::status.eq(TrackRequestStatus::Pending))
            .select(TrackRequest::as_select())
            .get_result(conn)
            .optional()
    }

    /// Some memberships' requests, newest first.
    pub fn of_memberships(
        conn: &mut DbConn,
        membership_ids: &[i64],
    ) -> QueryResult<Vec<TrackRequest>> {
        track_requests::table
            .filter(track_requests::membership_id.eq_any(membership_ids))
            .order(track_requests::id.desc())
            .select(TrackRequest::as_select())
            .load(conn)
    }

    /// One page of requests (of one status, or all), oldest first so the queue is
    /// worked in order, and the number of matching requests.
    pub fn list(
        conn: &mut DbConn,
        status: Option<TrackRequestStatus>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<ListedTrackRequest>, i64)> {
        let query = || {
            let mut q = track_requests::table
                .inner_join(
                    memberships::table
                        .inner_join(programs::table)
                        .inner_join(users::table),
                )
                .into_boxed();
            if let Some(status) = status {
                q = q.filter(track_requests::status.eq(status));
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let rows: Vec<(TrackRequest, Membership, String, User)> = query()
            .order(track_requests::id)
            .offset(offset)
            .limit(limit)
            .select((
                TrackRequest::as_select(),
                Membership::as_select(),
                programs::name,
                User::as_select(),
            ))
            .load(conn)?;
        let items = rows
            .into_iter()
            .map(
                |(request, membership, program_name, partner)| ListedTrackRequest {
                    request,
                    membership,
                    program_name,
                    partner,
                },
            )
            .collect();
        Ok((items, total))
    }

    /// Decides a pending request. Returns the decided request, or `None` when it was
    /// not pending any more (someone decided first).
    pub fn decide(
        conn: &mut DbConn,
        id: i64,
        status: TrackRequestStatus,
        by: i64,
        at: PrimitiveDateTime,
    ) -> QueryResult<Option<TrackRequest>> {
        diesel::update(
            track_requests::table
                .find(id)
                .filter(track_requests::status.eq(TrackRequestStatus::Pending)),
        )
        .set((
            track_requests::status.eq(status),
            track_requests::decided_by.eq(by),
            track_requests::decided_at.eq(at),
        ))
        .returning(track_requests::all_columns)
        .get_result(conn)
        .optional()
    }
}
