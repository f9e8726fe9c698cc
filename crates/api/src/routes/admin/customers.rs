//! Customers as managers see them (A1), and reassigning a customer to another partner
//! ([`partnerly_engine::customers::reassign`]). A reassignment changes who earns from
//! the customer's future payments; commissions already booked stay with the partner who
//! earned them.

use actix_web::{get, post, web};
use partnerly_db::customer::{Customer, CustomerFilter};
use partnerly_db::membership::Membership;
use partnerly_db::user::User;
use partnerly_domain::ErrorBody;
use partnerly_domain::customer::{AdminCustomerView, CustomerPage, ReassignCustomerRequest};
use partnerly_domain::public_id::PublicId;
use partnerly_engine::customers::{self, Reassigned};
use partnerly_engine::views::{Owners, customer_view};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Deferred, Paging};
use crate::auth::ManagerUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Filters and paging of the customer list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Part of the vendor's id, the email or the name.
    pub q: Option<String>,
    /// Only customers of this partner (public id, like A123456); empty: every partner.
    #[param(pattern = "^([AP][1-9][0-9]{5})?$")]
    pub partner: Option<String>,
    /// `true`: only customers attributed to a partner; `false`: only unattributed ones.
    pub attributed: Option<bool>,
    /// 1-based (default 1).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64, default = 1)]
    pub page: Option<u32>,
    /// Default 20, at most 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// Customers, newest first, with the partner they are attributed to.
#[utoipa::path(
    tag = "admin",
    params(CustomerQuery),
    responses(
        (status = 200, body = CustomerPage),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a bad partner id or paging.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/customers")]
pub async fn list_customers(
    state: web::Data<AppState>,
    _manager: ManagerUser,
    query: Deferred<web::Query<CustomerQuery>>,
) -> actix_web::Result<web::Json<CustomerPage>> {
    let query = query?;
    let paging = Paging::new(query.page, query.per_page)?;
    let partner = match query.partner.as_deref() {
        Some(raw) if !raw.is_empty() => {
            Some(PublicId::parse(raw).map_err(|e| ApiError::field("partner", e.to_string()))?)
        }
        _ => None,
    };
    let query = query.into_inner();
    let (items, count) = state
        .db(move |conn| {
            let memberships = match partner {
                Some(public_id) => Some(match User::by_public_id(conn, public_id)? {
                    Some(user) => Membership::of_user(conn, user.id)?
                        .into_iter()
                        .map(|(m, _, _)| m.id)
                        .collect(),
                    None => Vec::new(),
                }),
                None => None,
            };
            let filter = CustomerFilter {
                q: query.q,
                memberships,
                attributed: query.attributed,
            };
            let (rows, count) = Customer::list(conn, &filter, paging.offset(), paging.limit())?;
            let mut owners = Owners::default();
            let items = rows
                .into_iter()
                .map(|c| customer_view(conn, &mut owners, c))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((items, count))
        })
        .await?;
    Ok(web::Json(paging.page_of(items, count)))
}

/// Give a customer to another partner's membership, or to nobody (`null`), with a
/// reason for the audit log. Future payments earn the new partner; commissions
/// already booked stay where they are. The new partner may be promoted at once if
/// the customer makes them reach a threshold.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The customer's id (not the vendor's external id).")),
    request_body = ReassignCustomerRequest,
    responses(
        (status = 200, body = AdminCustomerView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`validation_failed`: no such membership, or a missing reason.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/customers/{id}/reassign")]
pub async fn reassign_customer(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    path: web::Path<i64>,
    body: Deferred<crate::body::Json<ReassignCustomerRequest>>,
) -> actix_web::Result<web::Json<AdminCustomerView>> {
    let id = path.into_inner();
    let change = body?.validate().map_err(ApiError::from)?;
    let Reassigned { view, promoted } = state
        .write(move |conn| {
            Ok(customers::reassign(
                conn,
                actor.id,
                id,
                &change,
                partnerly_db::now(),
            )?)
        })
        .await?;
    if promoted {
        state.webhooks_queued.notify_one();
    }
    Ok(web::Json(view))
}
