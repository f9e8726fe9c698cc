//! Manual adjustments by finance staff (C7, A3): booking one and the list. Booking is
//! [`partnerly_engine::adjustments::book`]: the adjustment row, its ledger transfer and
//! the audit entry commit together; a retry with the same `Idempotency-Key` books once.

use actix_web::{HttpResponse, get, post, web};
use partnerly_db::adjustment::Adjustment;
use partnerly_domain::ErrorBody;
use partnerly_domain::adjustment::{AdjustmentPage, AdjustmentView, CreateAdjustmentRequest};
use partnerly_engine::adjustments::{self, Booked, Idempotency};
use partnerly_engine::views::adjustment_view;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Deferred, Paging};
use crate::auth::{FinanceUser, tokens};
use crate::error::ApiError;
use crate::event_groups::with_retry;
use crate::idempotency::IdempotencyKey;
use crate::state::AppState;

/// Credit (positive amount) or debit (negative amount) a membership's available
/// balance, with a reason. Finance staff and admins only.
#[utoipa::path(
    tag = "admin",
    request_body = CreateAdjustmentRequest,
    responses(
        (status = 201, description = "Booked; or, for a repeated `Idempotency-Key` with the same body, the adjustment the first request booked (with `Idempotent-Replayed: true`).", body = AdjustmentView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not finance staff or an admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: unknown membership, a zero or malformed amount, a bad currency, a missing reason, a malformed `Idempotency-Key`; `idempotency_conflict`: the key was used with another body.", body = ErrorBody),
    ),
    params(
        ("Idempotency-Key" = Option<String>, Header, max_length = 200, description = "Makes a retry safe: the same key and body book once and answer the first result. Any 1 to 200 visible ASCII characters, such as a UUID; scoped to the signed-in staff member."),
    ),
    security(("bearer" = []))
)]
#[post("/admin/adjustments")]
pub async fn create_adjustment(
    state: web::Data<AppState>,
    FinanceUser(actor): FinanceUser,
    key: Result<IdempotencyKey, ApiError>,
    body: Deferred<crate::body::Json<CreateAdjustmentRequest>>,
) -> actix_web::Result<HttpResponse> {
    let IdempotencyKey(key) = key?;
    let body = body?.into_inner();
    let request_hash = tokens::digest(&serde_json::to_string(&body).map_err(ApiError::internal)?);
    let actor_id = actor.id;
    // A concurrent request with the same key loses the race at the unique index; run
    // again, it finds the winner's adjustment and answers it.
    let Booked { view, replayed } = with_retry(&state.database, move |conn| {
        let idempotency = key.as_deref().map(|key| Idempotency {
            key,
            request_hash: &request_hash,
        });
        Ok(adjustments::book(
            conn,
            actor_id,
            &body,
            idempotency,
            partnerly_db::now(),
        )?)
    })
    .await?;
    if replayed {
        return Ok(HttpResponse::Created()
            .insert_header(("Idempotent-Replayed", "true"))
            .json(view));
    }
    tracing::info!(
        adjustment.id = view.id,
        membership.id = view.membership_id,
        amount = %view.amount.amount,
        currency = %view.amount.currency,
        "manual adjustment booked"
    );
    Ok(HttpResponse::Created().json(view))
}

/// Filter and paging of the adjustment list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdjustmentQuery {
    /// Only this membership's adjustments.
    pub membership_id: Option<i64>,
    /// 1-based (default 1).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64, default = 1)]
    pub page: Option<u32>,
    /// Default 20, at most 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// Manual adjustments, newest first. Finance staff and admins only.
#[utoipa::path(
    tag = "admin",
    params(AdjustmentQuery),
    responses(
        (status = 200, body = AdjustmentPage),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not finance staff or an admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: page or per_page out of range.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/adjustments")]
pub async fn list_adjustments(
    state: web::Data<AppState>,
    _finance: FinanceUser,
    query: Deferred<web::Query<AdjustmentQuery>>,
) -> actix_web::Result<web::Json<AdjustmentPage>> {
    let query = query?;
    let paging = Paging::new(query.page, query.per_page)?;
    let membership_id = query.membership_id;
    let (items, count) = state
        .db(move |conn| {
            let (rows, count) =
                Adjustment::list(conn, membership_id, paging.offset(), paging.limit())?;
            let items = rows
                .iter()
                .map(|a| adjustment_view(conn, a))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((items, count))
        })
        .await?;
    Ok(web::Json(paging.page_of(items, count)))
}
