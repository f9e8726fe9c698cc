//! Track change requests as managers decide them (L3): the queue, and approving or
//! rejecting one ([`partnerly_engine::track_requests`]); approving moves the membership
//! to the lowest level of the requested track, recorded as `track_change`.

use actix_web::{get, post, web};
use partnerly_db::track_request::TrackRequest;
use partnerly_domain::ErrorBody;
use partnerly_domain::track_request::{TrackRequestPage, TrackRequestStatus, TrackRequestView};
use partnerly_engine::track_requests::{self, Approved};
use partnerly_engine::views::listed_track_request_view;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Deferred, Paging};
use crate::auth::ManagerUser;
use crate::error::ApiError;
use crate::state::AppState;

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
            Ok((
                rows.iter()
                    .map(listed_track_request_view)
                    .collect::<Vec<_>>(),
                count,
            ))
        })
        .await?;
    Ok(web::Json(paging.page_of(items, count)))
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
    let Approved { view, moved } = state
        .write(move |conn| {
            Ok(track_requests::approve(
                conn,
                actor.id,
                id,
                partnerly_db::now(),
            )?)
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
            Ok(track_requests::reject(
                conn,
                actor.id,
                id,
                partnerly_db::now(),
            )?)
        })
        .await?;
    Ok(web::Json(view))
}
