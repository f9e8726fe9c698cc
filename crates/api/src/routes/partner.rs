//! A partner's programs, links, balances, commissions and dashboard figures
//! (S1, L5, C5). Everything is scoped to the signed-in partner's memberships: another
//! partner's data is never reachable.

use actix_web::{get, web};
use partnerly_db::commission::{Commission, CommissionFilter, ListedCommission};
use partnerly_db::membership::Membership;
use partnerly_domain::ErrorBody;
use partnerly_domain::money::{Currency, Money, Rate};
use partnerly_domain::partner::{
    Balances, CommissionPage, CommissionStatus, CommissionView, MembershipList, Stats, mask_email,
};
use partnerly_engine::stats;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::paging::Paging;
use crate::state::AppState;
use crate::views;

/// The partner's programs with their level and rules.
#[utoipa::path(
    tag = "partner",
    responses((status = 200, body = MembershipList), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/me/programs")]
pub async fn list_my_programs(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
) -> Result<web::Json<MembershipList>, ApiError> {
    let items = state
        .db(move |conn| {
            Membership::of_user(conn, user.id)?
                .iter()
                .map(|(m, p, l)| views::membership_view(m, p, l))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(web::Json(MembershipList { items }))
}

/// Which of the partner's memberships a request is about: one program, or all.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgramQuery {
    /// Only this program (one of the partner's).
    pub program_id: Option<i64>,
}

fn membership_ids(
    conn: &mut partnerly_db::DbConn,
    user_id: i64,
    program_id: Option<i64>,
) -> Result<Vec<i64>, ApiError> {
    Ok(stats::membership_ids(conn, user_id, program_id)?)
}

/// Balances per currency (C5): pending, available, reserved, review, withdrawn, earned.
#[utoipa::path(
    tag = "partner",
    params(ProgramQuery),
    responses((status = 200, body = Balances), (status = 401, body = ErrorBody), (status = 404, description = "Not one of the partner's programs.", body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/me/balances")]
pub async fn get_balances(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    query: web::Query<ProgramQuery>,
) -> Result<web::Json<Balances>, ApiError> {
    let program_id = query.program_id;
    let balances = state
        .db(move |conn| {
            let ids = membership_ids(conn, user.id, program_id)?;
            views::balances(conn, &ids)
        })
        .await?;
    Ok(web::Json(Balances { balances }))
}

/// Filters and paging of the commission list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommissionQuery {
    /// `pending`, `available` or `reversed`.
    #[param(value_type = Option<CommissionStatus>)]
    pub status: Option<String>,
    /// Paid at or after (RFC 3339): the date of the customer's payment that earned the
    /// commission.
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Paid before (RFC 3339).
    #[param(format = DateTime)]
    pub to: Option<String>,
    pub program_id: Option<i64>,
    /// 1-based (default 1).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64, default = 1)]
    pub page: Option<u32>,
    /// Default 20, at most 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

fn parse_time(
    field: &str,
    raw: &Option<String>,
    v: &mut partnerly_domain::error::Validator,
) -> Option<OffsetDateTime> {
    raw.as_deref().and_then(|s| {
        v.check(
            field,
            OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .map_err(|_| "Use an RFC 3339 time, like 2026-11-01T00:00:00Z."),
        )
    })
}

/// The partner's commissions by payment date, newest first (ties by id, newest first),
/// each traceable to its payment and rule.
#[utoipa::path(
    tag = "partner",
    params(CommissionQuery),
    responses(
        (status = 200, body = CommissionPage),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "Not one of the partner's programs.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: bad status, dates or paging.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/me/commissions")]
pub async fn list_commissions(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    query: web::Query<CommissionQuery>,
) -> Result<web::Json<CommissionPage>, ApiError> {
    let mut v = partnerly_domain::error::Validator::new();
    let status = query.status.as_deref().and_then(|s| {
        v.check(
            "status",
            CommissionStatus::parse(s).ok_or("Use pending, available or reversed."),
        )
    });
    let from = parse_time("from", &query.from, &mut v);
    let to = parse_time("to", &query.to, &mut v);
    let Paging { page, per_page } = Paging::check(query.page, query.per_page, &mut v);
    v.finish()?;
    let filter = CommissionFilter {
        status,
        from: from.map(partnerly_db::to_db),
        to: to.map(partnerly_db::to_db),
    };
    let program_id = query.program_id;
    let (items, total) = state
        .db(move |conn| {
            let memberships = Membership::of_user(conn, user.id)?;
            let ids = membership_ids(conn, user.id, program_id)?;
            let offset = i64::from(page - 1) * i64::from(per_page);
            let (rows, total) = Commission::list(conn, &ids, &filter, offset, i64::from(per_page))?;
            let mut items = Vec::with_capacity(rows.len());
            for ListedCommission {
                commission: c,
                payment,
                customer,
                level_name,
            } in rows
            {
                let program_name = memberships
                    .iter()
                    .find(|(m, _, _)| m.id == c.membership_id)
                    .map(|(_, p, _)| p.name.clone())
                    .unwrap_or_default();
                let currency = Currency::parse(&c.currency).map_err(ApiError::internal)?;
                let payment_currency =
                    Currency::parse(&payment.currency).map_err(ApiError::internal)?;
                items.push(CommissionView {
                    id: c.id,
                    program_name,
                    status: c.status,
                    kind: c.kind,
                    rate: c
                        .rate
                        .as_deref()
                        .map(Rate::parse)
                        .transpose()
                        .map_err(ApiError::internal)?,
                    amount: Money::from_minor(c.amount_minor, currency).to_view(),
                    reversed: Money::from_minor(c.reversed_minor, currency).to_view(),
                    level_name,
                    rule_version: c.rule_version,
                    payment_id: payment.external_id.clone(),
                    payment_amount: Money::from_minor(payment.amount_minor, payment_currency)
                        .to_view(),
                    paid_at: partnerly_db::utc(payment.paid_at),
                    customer: customer
                        .map(|c| c.email.as_deref().map(mask_email).unwrap_or(c.external_id))
                        .unwrap_or_default(),
                    available_at: partnerly_db::utc(c.available_at),
                    created_at: partnerly_db::utc(c.created_at),
                });
            }
            Ok((items, total))
        })
        .await?;
    Ok(web::Json(CommissionPage {
        items,
        page,
        per_page,
        total: u64::try_from(total).unwrap_or_default(),
    }))
}

/// Dashboard figures (S1, L5): level, current rate and progress to the next level,
/// customers by status, sales, revenue, and balances.
#[utoipa::path(
    tag = "partner",
    params(ProgramQuery),
    responses((status = 200, body = Stats), (status = 401, body = ErrorBody), (status = 404, description = "Not one of the partner's programs.", body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/me/stats")]
pub async fn get_stats(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    query: web::Query<ProgramQuery>,
) -> Result<web::Json<Stats>, ApiError> {
    let program_id = query.program_id;
    let stats = state
        .db(move |conn| Ok(stats::partner_stats(conn, user.id, program_id)?))
        .await?;
    Ok(web::Json(stats))
}
