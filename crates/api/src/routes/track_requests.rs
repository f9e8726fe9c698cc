//! A partner's request to change track (L3): referral ↔ integrator
//! ([`partnerly_engine::track_requests::create`]). A manager decides it under
//! `/admin/track-requests`.

use actix_web::{HttpResponse, post, web};
use partnerly_domain::ErrorBody;
use partnerly_domain::track_request::{CreateTrackRequest, TrackRequestView};
use partnerly_engine::track_requests;

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
            Ok(track_requests::create(
                conn,
                user.id,
                membership_id,
                to_track,
                &message,
                partnerly_db::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}
