//! Track change requests as managers decide them (L3): approving moves the membership
//! to the lowest level of the requested track, recorded as `track_change`.

use actix_web::{get, post, web};
use partnerly_db::DbConn;
use partnerly_db::membership::{Membership, MembershipChanges};
use partnerly_db::track_request::{ListedTrackRequest, TrackRequest};
use partnerly_db::user::User;
use partnerly_domain::ErrorBody;
use partnerly_domain::level::Track;
use partnerly_domain::membership::LevelChangeReason;
use partnerly_domain::track_request::{TrackRequestPage, TrackRequestStatus, TrackRequestView};
use partnerly_domain::webhook_event::{LevelChanged, WebhookEvent};
use serde::Deserialize;
use utoipa::IntoParams;

use super::programs::lowest_level_on;
use super::{Audit, Deferred, Paging, partner_ref, total};
use crate::auth::ManagerUser;
use crate::error::ApiError;
use crate::state::AppState;

/// A stored request as the API shows it (reads its membership, program and partner).
pub fn track_request_view(
    conn: &mut DbConn,
    request: &TrackRequest,
) -> Result<TrackRequestView, ApiError> {
    let (membership, program, _) =
        Membership::with_program(conn, request.membership_id)?.ok_or(ApiError::NotFound)?;
    let user = User::find(conn, membership.user_id)?.ok_or(ApiError::NotFound)?;
    Ok(view(&ListedTrackRequest {
        request: request.clone(),
        membership,
        program_name: program.name,
        partner: user,
    }))
}

/// A listed request as the API shows it.
fn view(listed: &ListedTrackRequest) -> TrackRequestView {
    let ListedTrackRequest {
        request,
        membership,
        program_name,
        partner,
    } = listed;
    TrackRequestView {
        id: request.id,
        membership_id: membership.id,
        program_id: membership.program_id,
        program_name: program_name.clone(),
        partner: partner_ref(partner),
        current_track: membership.track,
        to_track: request.to_track,
        message: request.message.clone(),
        status: request.status,
        requested_at: partnerly_db::utc(request.requested_at),
        decided_by: request.decided_by,
        decided_at: request.decided_at.map(partnerly_db::utc),
    }
}

/// The 409 for a request someone already decided.
fn already_decided() -> ApiError {
    ApiError::conflict(
        "track_request_decided",
        "This request was already approved or rejected.",
    )
}

/// The 409 for a program without levels on the requested track.
pub fn no_level_on(track: Track) -> ApiError {
    ApiError::conflict(
        "no_level_on_track",
        format!("The program has no {} level.", track.as_str()),
    )
}

/// Filter and paging of the request queue.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrackRequestQuery {
    /// `pending`, `approved` or `rejected`; every request when left out.
    #[param(value_type = Option<TrackRequestStatus>)]
    pub status: Option<String>,
    /// 1-based (default 1).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64, default = 1)]
    pub page: Option<u32>,
    /// Default 20, at most 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// Track change requests, oldest first (the queue is worked in order).
#[utoipa::path(
    tag = "admin",
    params(TrackRequestQuery),
    responses(
        (status = 200, body = TrackRequestPage),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: bad status or paging.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/track-requests")]
pub async fn list_track_requests(
    state: web::Data<AppState>,
    _manager: ManagerUser,
    query: Deferred<web::Query<TrackRequestQuery>>,
) -> actix_web::Result<web::Json<TrackRequestPage>> {
    let query = query?;
    let paging = Paging::new(query.page, query.per_page)?;
    let status = match query.status.as_deref() {
        Some(raw) => Some(
            TrackRequestStatus::parse(raw)
                .ok_or_else(|| ApiError::field("status", "Use pending, approved or rejected."))?,
        ),
        None => None,
    };
    let (items, count) = state
        .db(move |conn| {
            // One query for the page: each request with its membership and partner.
            let (rows, count) = TrackRequest::list(conn, status, paging.offset(), paging.limit())?;
            Ok((rows.iter().map(view).collect::<Vec<_>>(), count))
        })
        .await?;
    Ok(web::Json(TrackRequestPage {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total: total(count),
    }))
}

/// Approve a request: the membership moves to the lowest level of the requested track
/// (level history `track_change`, webhook `partner.level_changed`).
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The request's id.")),
    responses(
        (status = 200, body = TrackRequestView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`track_request_decided`, or `no_level_on_track`: the program has no level on the requested track.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/track-requests/{id}/approve")]
pub async fn approve_track_request(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    path: web::Path<i64>,
) -> Result<web::Json<TrackRequestView>, ApiError> {
    let id = path.into_inner();
    let (view, moved) = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let request = TrackRequest::find(conn, id)?.ok_or(ApiError::NotFound)?;
            if request.status != TrackRequestStatus::Pending {
                return Err(already_decided());
            }
            Membership::lock(conn, request.membership_id)?;
            let (membership, program, level) =
                Membership::with_program(conn, request.membership_id)?.ok_or(ApiError::NotFound)?;
            let to_track = request.to_track;
            let before = track_request_view(conn, &request)?;
            let decided =
                TrackRequest::decide(conn, id, TrackRequestStatus::Approved, actor.id, now)?
                    .ok_or_else(already_decided)?;
            // A manager may have moved the membership by hand meanwhile: then
            // there is nothing left to move.
            let moved = membership.track != to_track;
            if moved {
                let target = lowest_level_on(conn, program.id, to_track)?
                    .ok_or_else(|| no_level_on(to_track))?;
                Membership::set_level(
                    conn,
                    &membership,
                    target.id,
                    LevelChangeReason::TrackChange,
                    Some(actor.id),
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
                partnerly_engine::webhooks::enqueue(
                    conn,
                    &WebhookEvent::LevelChanged(LevelChanged {
                        membership_id: membership.id,
                        program_id: program.id,
                        from_level: level.name.clone(),
                        to_level: target.name.clone(),
                        reason: LevelChangeReason::TrackChange,
                    }),
                )?;
            }
            let view = track_request_view(conn, &decided)?;
            Audit::changed("track_request.approve", "track_request", id, &before, &view)?
                .record(conn, actor.id, now)?;
            Ok((view, moved))
        })
        .await?;
    if moved {
        state.webhooks_queued.notify_one();
    }
    Ok(web::Json(view))
}

/// Reject a request; the membership stays where it is.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The request's id.")),
    responses(
        (status = 200, body = TrackRequestView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`track_request_decided`.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/track-requests/{id}/reject")]
pub async fn reject_track_request(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    path: web::Path<i64>,
) -> Result<web::Json<TrackRequestView>, ApiError> {
    let id = path.into_inner();
    let view = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let request = TrackRequest::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let before = track_request_view(conn, &request)?;
            let decided =
                TrackRequest::decide(conn, id, TrackRequestStatus::Rejected, actor.id, now)?
                    .ok_or_else(already_decided)?;
            let view = track_request_view(conn, &decided)?;
            Audit::changed("track_request.reject", "track_request", id, &before, &view)?
                .record(conn, actor.id, now)?;
            Ok(view)
        })
        .await?;
    Ok(web::Json(view))
}
