//! Manual adjustments by finance staff (C7, A3): a credit moves money from the vendor's
//! `adjustments` account to the partner's `available` balance, a debit the other way.
//! The adjustment row, its ledger transfer (key `adjustment:{id}`) and the audit entry
//! commit together. A debit may take `available` below zero: a documented clawback
//! that the partner's next commissions repay, and no withdrawal is possible meanwhile.

use actix_web::{HttpResponse, get, post, web};
use partnerly_db::adjustment::{Adjustment, NewAdjustment};
use partnerly_db::membership::Membership;
use partnerly_db::user::User;
use partnerly_db::{DbConn, ledger};
use partnerly_domain::ErrorBody;
use partnerly_domain::adjustment::{
    AdjustmentPage, AdjustmentView, CreateAdjustmentRequest, ledger_key,
};
use partnerly_domain::ledger::{Account, AccountKind, Cause, Transfer};
use partnerly_domain::money::{Currency, Money};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Audit, Deferred, Paging, partner_ref, total};
use crate::auth::{FinanceUser, tokens};
use crate::error::ApiError;
use crate::event_groups::with_retry;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::AppState;
use crate::views::program_currency;

fn adjustment_view(conn: &mut DbConn, a: &Adjustment) -> Result<AdjustmentView, ApiError> {
    let (membership, program, _) =
        Membership::with_program(conn, a.membership_id)?.ok_or(ApiError::NotFound)?;
    let user = User::find(conn, membership.user_id)?.ok_or(ApiError::NotFound)?;
    let currency = Currency::parse(&a.currency)
        .map_err(|e| ApiError::internal(format!("stored adjustment currency: {e}")))?;
    Ok(AdjustmentView {
        id: a.id,
        membership_id: a.membership_id,
        partner: partner_ref(&user),
        program_name: program.name,
        amount: Money::from_minor(a.amount_minor, currency).to_view(),
        reason: a.reason.clone(),
        actor_id: a.actor_id,
        ledger_key: ledger_key(a.id),
        created_at: partnerly_db::utc(a.created_at),
    })
}

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
    let (view, replayed) = with_retry(&state.database, move |conn| {
        book(conn, actor_id, &body, key.as_deref(), &request_hash)
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

/// Books one adjustment with its transfer and audit entry, or finds the one booked
/// under the same idempotency key (then `true`).
fn book(
    conn: &mut DbConn,
    actor_id: i64,
    body: &CreateAdjustmentRequest,
    key: Option<&str>,
    request_hash: &str,
) -> Result<(AdjustmentView, bool), ApiError> {
    let now = partnerly_db::now();
    if let Some(key) = key
        && let Some(earlier) = Adjustment::by_idempotency_key(conn, actor_id, key)?
    {
        if earlier.request_hash.as_deref() != Some(request_hash) {
            return Err(idempotency::conflict());
        }
        return Ok((adjustment_view(conn, &earlier)?, true));
    }
    let (membership, program, _) = Membership::with_program(conn, body.membership_id)?
        .ok_or_else(|| ApiError::field("membership_id", "There is no membership with this id."))?;
    let adjustment = body.validate(program_currency(&program)?)?;
    let currency = adjustment.amount.currency();
    let magnitude = adjustment
        .amount
        .minor()
        .checked_abs()
        .map(|m| Money::from_minor(m, currency))
        .ok_or_else(|| ApiError::field("amount", "The amount is too large."))?;
    let row = NewAdjustment {
        membership_id: membership.id,
        amount_minor: adjustment.amount.minor(),
        currency: currency.code(),
        reason: &adjustment.reason,
        actor_id,
        created_at: now,
        idempotency_key: key,
        request_hash: key.map(|_| request_hash),
    }
    .insert(conn)?;
    let vendor = Account::vendor(AccountKind::Adjustments, currency);
    let available = Account::partner(membership.id, AccountKind::Available, currency);
    let (from, to) = if adjustment.amount.is_positive() {
        (vendor, available)
    } else {
        (available, vendor)
    };
    let transfer = Transfer::new(ledger_key(row.id), from, to, magnitude)
        .map_err(|e| ApiError::internal(format!("ledger: {e}")))?;
    if !ledger::post(conn, &transfer, Cause::Adjustment, row.id, now)? {
        // A fresh row's key cannot exist; if it does, the ledger is wrong.
        return Err(ApiError::internal(format!(
            "ledger key {} already booked",
            transfer.key
        )));
    }
    let view = adjustment_view(conn, &row)?;
    Audit::created("adjustment.create", "adjustment", row.id, &view)?
        .because(adjustment.reason.as_str())
        .record(conn, actor_id, now)?;
    Ok((view, false))
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
    Ok(web::Json(AdjustmentPage {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total: total(count),
    }))
}
