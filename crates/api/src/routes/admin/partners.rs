//! Partners and their memberships as managers see and change them (A1, L3, L4): search,
//! detail with level history; manual level, rate override and suspension are
//! [`partnerly_engine::memberships::update`].

use std::collections::BTreeMap;

use actix_web::{get, patch, web};
use partnerly_db::level::Level;
use partnerly_db::membership::Membership;
use partnerly_db::track_request::TrackRequest;
use partnerly_db::user::User;
use partnerly_domain::ErrorBody;
use partnerly_domain::membership::{
    AdminMembershipView, LevelChangeView, LevelRef, MembershipDetail, PartnerDetail, PartnerPage,
    PartnerSummary, UpdateMembershipRequest,
};
use partnerly_domain::public_id::PublicId;
use partnerly_engine::memberships::{self, Updated};
use partnerly_engine::views::{admin_membership_view, track_request_view};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Deferred, Paging};
use crate::auth::ManagerUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Search and paging of the partner list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    /// Part of an email or name, or a public id (`A123456`, `P123456`, `123456`).
    pub q: Option<String>,
    /// 1-based (default 1).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64, default = 1)]
    pub page: Option<u32>,
    /// Default 20, at most 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// Partners, oldest first, each with their memberships.
#[utoipa::path(
    tag = "admin",
    params(PartnerQuery),
    responses(
        (status = 200, body = PartnerPage),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: page or per_page out of range.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/partners")]
pub async fn list_partners(
    state: web::Data<AppState>,
    _manager: ManagerUser,
    query: Deferred<web::Query<PartnerQuery>>,
) -> actix_web::Result<web::Json<PartnerPage>> {
    let query = query?;
    let paging = Paging::new(query.page, query.per_page)?;
    let q = query.into_inner().q;
    let (items, count) = state
        .db(move |conn| {
            let (users, count) =
                User::search_partners(conn, q.as_deref(), paging.offset(), paging.limit())?;
            let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
            let mut memberships: BTreeMap<i64, Vec<AdminMembershipView>> = BTreeMap::new();
            for (m, program, level) in Membership::of_users(conn, &ids)? {
                memberships
                    .entry(m.user_id)
                    .or_default()
                    .push(admin_membership_view(&m, &program, &level)?);
            }
            let items = users
                .iter()
                .map(|u| PartnerSummary {
                    account: u.to_account(),
                    memberships: memberships.remove(&u.id).unwrap_or_default(),
                })
                .collect();
            Ok((items, count))
        })
        .await?;
    Ok(web::Json(paging.page_of(items, count)))
}

/// One partner: account, memberships with level and override, level history and
/// track change requests. The digits of the public id find the partner whatever
/// its letter.
#[utoipa::path(
    tag = "admin",
    params(("public_id" = String, Path, description = "The partner's public id, like A123456.")),
    responses(
        (status = 200, body = PartnerDetail),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/partners/{public_id}")]
pub async fn get_partner(
    state: web::Data<AppState>,
    _manager: ManagerUser,
    path: web::Path<String>,
) -> Result<web::Json<PartnerDetail>, ApiError> {
    let public_id = PublicId::parse(&path.into_inner()).map_err(|_| ApiError::NotFound)?;
    let detail = state
        .db(move |conn| {
            let user = User::by_public_id(conn, public_id)?.ok_or(ApiError::NotFound)?;
            let mut memberships = Vec::new();
            for (m, program, level) in Membership::of_user(conn, user.id)? {
                let names: BTreeMap<i64, String> = Level::of_program(conn, program.id)?
                    .into_iter()
                    .map(|l| (l.id, l.name))
                    .collect();
                let level_ref = |id: i64| LevelRef {
                    id,
                    name: names.get(&id).cloned().unwrap_or_default(),
                };
                let level_history = Membership::history(conn, m.id)?
                    .into_iter()
                    .map(|h| LevelChangeView {
                        id: h.id,
                        from_level: h.from_level_id.map(level_ref),
                        to_level: level_ref(h.to_level_id),
                        reason: h.reason,
                        actor_id: h.actor_id,
                        at: partnerly_db::utc(h.at),
                    })
                    .collect();
                let track_requests = TrackRequest::of_memberships(conn, &[m.id])?
                    .iter()
                    .map(|r| track_request_view(conn, r))
                    .collect::<Result<Vec<_>, _>>()?;
                memberships.push(MembershipDetail {
                    membership: admin_membership_view(&m, &program, &level)?,
                    level_history,
                    track_requests,
                });
            }
            Ok(PartnerDetail {
                account: user.to_account(),
                memberships,
            })
        })
        .await?;
    Ok(web::Json(detail))
}

/// Change a membership (L3, L4, A1): set its level by hand (recorded in the level
/// history as `manual`, the `partner.level_changed` webhook is sent), set or remove
/// (`null`) the partner's own rate, suspend or reactivate it. Commissions already
/// booked are not changed; the next payment uses the new level and rate.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The membership's id.")),
    request_body = UpdateMembershipRequest,
    responses(
        (status = 200, body = AdminMembershipView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a manager or admin.", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`validation_failed`: a bad rate, or `level_id` is not a level of the membership's program.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/admin/memberships/{id}")]
pub async fn update_membership(
    state: web::Data<AppState>,
    ManagerUser(actor): ManagerUser,
    path: web::Path<i64>,
    body: Deferred<crate::body::Json<UpdateMembershipRequest>>,
) -> actix_web::Result<web::Json<AdminMembershipView>> {
    let id = path.into_inner();
    let changes = body?.validate().map_err(ApiError::from)?;
    let Updated {
        view,
        level_changed,
    } = state
        .write(move |conn| {
            Ok(memberships::update(
                conn,
                actor.id,
                id,
                &changes,
                partnerly_db::now(),
            )?)
        })
        .await?;
    if level_changed {
        state.webhooks_queued.notify_one();
    }
    Ok(web::Json(view))
}
