//! Inviting prospects by email with a link (T4): `POST /api/v1/links/{id}/invitations`
//! sends each address one email through the outbox (the partner's message and the
//! link), at most 20 addresses at once and 50 a day per partner; `GET` lists a link's
//! invitations and whether each led to a sign-up.

use actix_web::{HttpResponse, get, post, web};
use partnerly_db::invitation::Invitation;
use partnerly_db::link::Link;
use partnerly_domain::ErrorBody;
use partnerly_domain::invitation::{InvitationList, InvitationView, InviteRequest};
use partnerly_engine::tracking::{InvitationEmail, invite};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::mail;
use crate::state::AppState;

/// Most invitations the list shows.
const MAX_LISTED: i64 = 200;

fn view(invitation: Invitation, signed_up: bool) -> InvitationView {
    InvitationView {
        id: invitation.id,
        link_id: invitation.link_id,
        email: invitation.email,
        message: invitation.message,
        signed_up,
        sent_at: partnerly_db::utc(invitation.sent_at),
    }
}

/// Invite one or more people by email with this link.
#[utoipa::path(
    tag = "partner",
    params(("id" = i64, Path, description = "The link's id.")),
    request_body = InviteRequest,
    responses(
        (status = 201, body = InvitationList),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such link among the partner's.", body = ErrorBody),
        (status = 409, description = "`link_disabled`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: no address, more than 20, a bad address, a message too long.", body = ErrorBody),
        (status = 429, description = "More than 50 invitations today; see `Retry-After`.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/links/{id}/invitations")]
pub async fn create_invitations(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<i64>,
    body: crate::body::Json<InviteRequest>,
) -> Result<HttpResponse, ApiError> {
    let link_id = path.into_inner();
    let request = body.validate()?;
    let public_url = state.config.public_url.clone();
    let limit = state.limits.invitations_per_account;
    let partner = user.to_account().display_name();
    let sent = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let unix = time::OffsetDateTime::now_utc().unix_timestamp();
            // Every address counts against the day's limit.
            for _ in &request.emails {
                limit.hit(conn, &user.id.to_string(), unix)?;
            }
            let compose = |link: &Link| {
                let url = partnerly_domain::link::link_url(&public_url, &link.code);
                let (subject, body) = mail::invitation(&partner, &request.message, &url);
                InvitationEmail { subject, body }
            };
            Ok(invite(conn, user.id, link_id, &request, now, compose)?)
        })
        .await?;
    state.mail_queued.notify_one();
    let items = sent.into_iter().map(|i| view(i, false)).collect();
    Ok(HttpResponse::Created().json(InvitationList { items }))
}

/// The link's invitations, newest first (the latest 200), each saying whether a
/// customer signed up through the link with that address.
#[utoipa::path(
    tag = "partner",
    params(("id" = i64, Path, description = "The link's id.")),
    responses(
        (status = 200, body = InvitationList),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such link among the partner's.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/links/{id}/invitations")]
pub async fn list_invitations(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    path: web::Path<i64>,
) -> Result<web::Json<InvitationList>, ApiError> {
    let link_id = path.into_inner();
    let items = state
        .db(move |conn| {
            Link::of_user_by_id(conn, user.id, link_id)?.ok_or(ApiError::NotFound)?;
            Ok(Invitation::of_link(conn, link_id, MAX_LISTED)?
                .into_iter()
                .map(|(i, signed_up)| view(i, signed_up))
                .collect())
        })
        .await?;
    Ok(web::Json(InvitationList { items }))
}
