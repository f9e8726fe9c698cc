//! A partner's deals (T8): the leads their links brought and how they ended, newest
//! first, the contact's email masked.

use actix_web::{get, web};
use partnerly_db::deal::Deal;
use partnerly_domain::ErrorBody;
use partnerly_domain::deal::DealList;
use partnerly_engine::tracking::deal_views;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Most deals the list shows.
const MAX_DEALS: i64 = 500;

/// The partner's deals, newest first (the latest 500).
#[utoipa::path(
    tag = "partner",
    responses((status = 200, body = DealList), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/me/deals")]
pub async fn list_my_deals(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
) -> Result<web::Json<DealList>, ApiError> {
    let items = state
        .db(move |conn| {
            let rows = Deal::of_user(conn, user.id, MAX_DEALS)?;
            Ok(deal_views(conn, rows, true)?)
        })
        .await?;
    Ok(web::Json(DealList { items }))
}
