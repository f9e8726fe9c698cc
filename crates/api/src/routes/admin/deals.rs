//! Deals as managers see them (T8): every deal with its partner and the contact in
//! full, and closing one by hand as won (with an amount) or lost, as the vendor would
//! through the `deal.status_changed` event. Each change is audited and sent to the
//! vendor's webhooks.

use actix_web::{get, patch, web};
use partnerly_db::deal::Deal;
use partnerly_domain::ErrorBody;
use partnerly_domain::deal::{AdminDealView, ChangeDealRequest, DealPage, DealStatus};
use partnerly_engine::tracking::{admin_deal_views, change_deal};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Audit, Deferred, Paging};
use crate::auth::ManagerUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Filter and paging of the deal list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DealQuery {
    pub status: Option<DealStatus>,
    /// 1-based (default 1).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64, default = 1)]
    pub page: Option<u32>,
    /// Default 20, at most 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// Every deal, newest first, with its partner.
#[utoipa::path(
    tag = "admin",
    params(DealQuery),
    responses(
        (status = 200, body = DealPage),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: page or per_page out of range.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/deals")]
pub async fn list_deals(
    state: web::Data<AppState>,
    _manager: ManagerUser,
    query: Deferred<web::Query<DealQuery>>,
) -> actix_web::Result<web::Json<DealPage>> {
    let query = query?;
    let paging = Paging::new(query.page, query.per_page)?;
    let status = query.status;
    let (items, count) = state
        .db(move |conn| {
            let (rows, count) = Deal::list(conn, status, paging.offset(), paging.limit())?;
            Ok((admin_deal_views(conn, rows)?, count))
        })
        .await?;
    Ok(web::Json(paging.page_of(items, count)))
}

/// Close a deal as won (with its amount, in the program's currency unless another is
/// given) or lost, or reopen it (`pending`). The same status and amount again changes
/// nothing.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The deal's id.")),
    request_body = ChangeDealRequest,
    responses(
        (status = 200, body = AdminDealView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`validation_failed`: a won deal without an amount, an amount on another status, a bad currency.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/admin/deals/{id}")]
pub async fn update_deal(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    path: web::Path<i64>,
    body: Deferred<crate::body::Json<ChangeDealRequest>>,
) -> actix_web::Result<web::Json<AdminDealView>> {
    let id = path.into_inner();
    let change = body?.into_inner();
    let view = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let before = listed_view(conn, id)?;
            let (_, changed) = change_deal(conn, id, &change, now)?;
            let view = listed_view(conn, id)?;
            if changed {
                Audit::changed("deal.update", "deal", id, &before, &view)?
                    .record(conn, actor.id, now)?;
            }
            Ok(view)
        })
        .await?;
    state.webhooks_queued.notify_one();
    Ok(web::Json(view))
}

fn listed_view(conn: &mut partnerly_db::DbConn, id: i64) -> Result<AdminDealView, ApiError> {
    let row = Deal::listed(conn, id)?.ok_or(ApiError::NotFound)?;
    admin_deal_views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("a deal view went missing"))
}
