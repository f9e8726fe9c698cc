//! Customers as managers see them (A1), and reassigning a customer to another partner.
//! A reassignment changes who earns from the customer's future payments; commissions
//! already booked stay with the partner who earned them.

use std::collections::BTreeMap;

use actix_web::{get, post, web};
use partnerly_db::DbConn;
use partnerly_db::customer::{Customer, CustomerFilter};
use partnerly_db::membership::Membership;
use partnerly_db::user::User;
use partnerly_domain::ErrorBody;
use partnerly_domain::customer::{AdminCustomerView, CustomerPage, ReassignCustomerRequest};
use partnerly_domain::membership::PartnerRef;
use partnerly_domain::public_id::PublicId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Audit, Deferred, Paging, partner_ref, total};
use crate::auth::ManagerUser;
use crate::error::ApiError;
use crate::state::AppState;

/// The partner and program names of memberships, looked up once per membership.
#[derive(Default)]
struct Owners(BTreeMap<i64, Option<(PartnerRef, String)>>);

impl Owners {
    fn of(
        &mut self,
        conn: &mut DbConn,
        membership_id: i64,
    ) -> Result<Option<(PartnerRef, String)>, ApiError> {
        if let Some(known) = self.0.get(&membership_id) {
            return Ok(known.clone());
        }
        let owner = match Membership::with_program(conn, membership_id)? {
            Some((m, program, _)) => {
                User::find(conn, m.user_id)?.map(|u| (partner_ref(&u), program.name))
            }
            None => None,
        };
        self.0.insert(membership_id, owner.clone());
        Ok(owner)
    }
}

fn customer_view(
    conn: &mut DbConn,
    owners: &mut Owners,
    c: Customer,
) -> Result<AdminCustomerView, ApiError> {
    let owner = match c.membership_id {
        Some(id) => owners.of(conn, id)?,
        None => None,
    };
    let (partner, program_name) = owner.unzip();
    Ok(AdminCustomerView {
        id: c.id,
        status: c.status,
        external_id: c.external_id,
        email: c.email,
        name: c.name,
        plan: c.plan,
        membership_id: c.membership_id,
        partner,
        program_name,
        attributed_via: c.attributed_via,
        attributed_at: c.attributed_at.map(partnerly_db::utc),
        signed_up_at: partnerly_db::utc(c.signed_up_at),
        first_paid_at: c.first_paid_at.map(partnerly_db::utc),
    })
}

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
    Ok(web::Json(CustomerPage {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total: total(count),
    }))
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
    let (view, promoted) = state
        .write(move |conn| {
            let now = partnerly_db::now();
            // Read under the customer's lock, which events about it take too: a payment
            // applied at this moment earns for the old partner or the new, in order.
            let found = Customer::find(conn, id)?.ok_or(ApiError::NotFound)?;
            partnerly_db::conn::lock_customers(conn, &[&found.external_id], &[])?;
            let customer = Customer::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let target = match change.membership_id {
                Some(mid) => Some(Membership::find(conn, mid)?.ok_or_else(|| {
                    ApiError::field("membership_id", "There is no membership with this id.")
                })?),
                None => None,
            };
            let mut owners = Owners::default();
            if customer.membership_id == change.membership_id {
                return Ok((customer_view(conn, &mut owners, customer)?, false));
            }
            let before = customer_view(conn, &mut owners, customer)?;
            let updated = Customer::reassign(conn, id, change.membership_id, now)?;
            let view = customer_view(conn, &mut owners, updated)?;
            Audit::changed("customer.reassign", "customer", id, &before, &view)?
                .because(change.reason.as_str())
                .record(conn, actor.id, now)?;
            // The customer may bring the new partner to a threshold (L3).
            let promoted = match target.as_ref().filter(|m| m.is_active()) {
                Some(membership) => {
                    partnerly_engine::commissions::Batch::run(conn, |conn, batch| {
                        partnerly_engine::commissions::promote(conn, batch, membership, now)
                    })?
                    .is_some()
                }
                None => false,
            };
            Ok((view, promoted))
        })
        .await?;
    if promoted {
        state.webhooks_queued.notify_one();
    }
    Ok(web::Json(view))
}
