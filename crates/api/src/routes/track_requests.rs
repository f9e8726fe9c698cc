//! A partner's request to change track (L3): referral ↔ integrator. A manager decides
//! it under `/admin/track-requests`.

use actix_web::{HttpResponse, post, web};
use partnerly_db::membership::Membership;
use partnerly_db::track_request::{NewTrackRequest, TrackRequest};
use partnerly_domain::ErrorBody;
use partnerly_domain::track_request::{CreateTrackRequest, TrackRequestStatus, TrackRequestView};

use super::admin::Audit;
use super::admin::programs::lowest_level_on;
use super::admin::track_requests::{no_level_on, track_request_view};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Ask to move one of the partner's memberships to the other track. One request may
/// be pending per membership.
#[utoipa::path(
    tag = "partner",
    params(("membership_id" = i64, Path, description = "One of the partner's memberships (`GET /me/programs`).")),
    request_body = CreateTrackRequest,
    responses(
        (status = 201, body = TrackRequestView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not one of the partner's memberships.", body = ErrorBody),
        (status = 409, description = "`track_request_pending`, `already_on_track`, or `no_level_on_track`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the message is too long.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/me/programs/{membership_id}/track-request")]
pub async fn create_track_request(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<i64>,
    body: crate::body::Json<CreateTrackRequest>,
) -> Result<HttpResponse, ApiError> {
    let membership_id = path.into_inner();
    let message = body.validate()?;
    let to_track = body.to_track;
    let view = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let membership = Membership::find(conn, membership_id)?
                .filter(|m| m.user_id == user.id)
                .ok_or(ApiError::NotFound)?;
            Membership::lock(conn, membership.id)?;
            if membership.track == to_track {
                return Err(ApiError::conflict(
                    "already_on_track",
                    format!("You are already on the {} track.", to_track.as_str()),
                ));
            }
            if TrackRequest::pending_for(conn, membership.id)?.is_some() {
                return Err(ApiError::conflict(
                    "track_request_pending",
                    "A request for this program is waiting for a manager's decision.",
                ));
            }
            if lowest_level_on(conn, membership.program_id, to_track)?.is_none() {
                return Err(no_level_on(to_track));
            }
            let request = NewTrackRequest {
                membership_id: membership.id,
                to_track,
                message: &message,
                status: TrackRequestStatus::Pending,
                requested_at: now,
            }
            .insert(conn)?;
            let view = track_request_view(conn, &request)?;
            Audit::created("track_request.create", "track_request", request.id, &view)?
                .record(conn, user.id, now)?;
            Ok(view)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}
