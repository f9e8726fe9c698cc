//! A partner's referral links (T1, T5): list, create, read and change, each with its full
//! URL and figures. Only the signed-in partner's links are reachable: another partner's
//! link id is 404, as if it did not exist. A change takes effect at the redirect within
//! one directory refresh on every instance (`crate::tracking::directory`); on this
//! instance at once.

use actix_web::{HttpResponse, get, patch, post, web};
use partnerly_db::DbConn;
use partnerly_db::link::Link;
use partnerly_db::membership::Membership;
use partnerly_domain::ErrorBody;
use partnerly_domain::link::{CreateLinkRequest, LinkList, LinkView, UpdateLinkRequest};
use partnerly_engine::tracking::{self as engine, link_views};

use crate::auth::{AuthUser, tokens};
use crate::error::ApiError;
use crate::state::AppState;

fn one_view(
    conn: &mut DbConn,
    public_url: &str,
    row: (Link, Membership),
) -> Result<LinkView, ApiError> {
    link_views(conn, public_url, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("a link view went missing"))
}

/// The partner's referral links with their full URLs and figures, default links first.
#[utoipa::path(
    tag = "partner",
    responses((status = 200, body = LinkList), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
#[get("/links")]
pub async fn list_links(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
) -> Result<web::Json<LinkList>, ApiError> {
    let public_url = state.config.public_url.clone();
    let items = state
        .db(move |conn| {
            let links = Link::of_user(conn, user.id)?;
            Ok(link_views(conn, &public_url, links)?)
        })
        .await?;
    Ok(web::Json(LinkList { items }))
}

/// One of the partner's links.
#[utoipa::path(
    tag = "partner",
    params(("id" = i64, Path, description = "The link's id.")),
    responses(
        (status = 200, body = LinkView),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such link among the partner's.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/links/{id}")]
pub async fn get_link(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<i64>,
) -> Result<web::Json<LinkView>, ApiError> {
    let id = path.into_inner();
    let public_url = state.config.public_url.clone();
    let view = state
        .db(move |conn| {
            let row = Link::of_user_by_id(conn, user.id, id)?.ok_or(ApiError::NotFound)?;
            one_view(conn, &public_url, row)
        })
        .await?;
    Ok(web::Json(view))
}

/// A new link for one of the partner's programs: a label, a random code or one of the
/// partner's choosing (unique without regard to case; reserved words refused), and an
/// optional promo code (unique, compared without regard to case). At most 100 links
/// per program.
#[utoipa::path(
    tag = "partner",
    request_body = CreateLinkRequest,
    responses(
        (status = 201, body = LinkView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 409, description = "`link_limit`: the membership has 100 links.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: not one of the partner's memberships, a bad or taken code or promo code, a bad label.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/links")]
pub async fn create_link(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    body: crate::body::Json<CreateLinkRequest>,
) -> Result<HttpResponse, ApiError> {
    let spec = body.validate()?;
    let public_url = state.config.public_url.clone();
    let view = state
        .write(move |conn| {
            let row = engine::create_link(
                conn,
                user.id,
                &spec,
                partnerly_db::now(),
                &mut tokens::referral_code,
            )?;
            let view = one_view(conn, &public_url, row)?;
            Ok(view)
        })
        .await?;
    state.tracking.refresh_now(&state.database).await;
    Ok(HttpResponse::Created().json(view))
}

/// Change a link's label or promo code (`null` removes it), or disable it (`disabled:
/// true`): a disabled link still lands visitors on the program's page, without
/// attribution, and its code is never given to another link. `disabled: false` turns it
/// back on.
#[utoipa::path(
    tag = "partner",
    params(("id" = i64, Path, description = "The link's id.")),
    request_body = UpdateLinkRequest,
    responses(
        (status = 200, body = LinkView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such link among the partner's.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a bad label, a bad or taken promo code.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/links/{id}")]
pub async fn update_link(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<i64>,
    body: crate::body::Json<UpdateLinkRequest>,
) -> Result<web::Json<LinkView>, ApiError> {
    let id = path.into_inner();
    let changes = body.validate()?;
    let public_url = state.config.public_url.clone();
    let view = state
        .write(move |conn| {
            let row = engine::update_link(conn, user.id, id, &changes, partnerly_db::now())?;
            one_view(conn, &public_url, row)
        })
        .await?;
    state.tracking.refresh_now(&state.database).await;
    Ok(web::Json(view))
}
