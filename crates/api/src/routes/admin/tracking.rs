//! The tracking redirect's health on this instance: the directory's size and the click
//! queue's counters (T6). A rising `dropped` says the writer cannot keep up: raise
//! `PARTNERLY_CLICK_QUEUE` or look at the database.

use std::sync::atomic::Ordering;

use actix_web::{get, web};
use partnerly_domain::ErrorBody;
use partnerly_domain::tracking::TrackingStatus;

use crate::auth::AdminUser;
use crate::state::AppState;

/// This instance's tracking directory and click queue (admins only).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, body = TrackingStatus),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/tracking")]
pub async fn tracking_status(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> web::Json<TrackingStatus> {
    let tracking = &state.tracking;
    let counters = &tracking.queue.counters;
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    web::Json(TrackingStatus {
        known_links: count(tracking.directory.len()),
        queue_capacity: count(tracking.queue.capacity()),
        queued: count(tracking.queue.waiting()),
        accepted: counters.accepted.load(Ordering::Relaxed),
        dropped: counters.dropped.load(Ordering::Relaxed),
        written: counters.written.load(Ordering::Relaxed),
    })
}
