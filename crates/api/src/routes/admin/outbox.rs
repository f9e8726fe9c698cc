//! The email outbox as admins see it (I3): everything queued, sent or failing.

use actix_web::{get, web};
use partnerly_db::outbox::OutboxEmail;
use partnerly_domain::ErrorBody;
use partnerly_domain::outbox::{OutboxEmail as OutboxEmailView, OutboxPage};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::paging::Paging;
use crate::state::AppState;

/// Filters and paging of the outbox.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only emails to this address.
    pub to: Option<String>,
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64, default = 1)]
    pub page: Option<u32>,
    /// Emails per page (default 20, at most 100).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// An email as admins see it. With SMTP configured, emails reach people by mail, and a
/// secret they carry is never shown here: an admin (or a stolen admin token) could
/// otherwise take over any account. In development without SMTP the outbox is how a
/// developer reads such emails, and the secret is shown, marked `secret_shown`.
fn view(e: OutboxEmail, smtp: bool) -> OutboxEmailView {
    let contains_secret = e.redacted_body.is_some();
    let (body, secret_shown) = match e.redacted_body {
        Some(redacted) if smtp || e.sent_at.is_some() => (redacted, false),
        Some(_) => (e.body, true),
        None => (e.body, false),
    };
    OutboxEmailView {
        id: e.id,
        to: e.to_address,
        subject: e.subject,
        body,
        contains_secret,
        secret_shown,
        created_at: partnerly_db::utc(e.created_at),
        sent_at: e.sent_at.map(partnerly_db::utc),
        attempts: e.attempts,
        last_error: e.last_error,
    }
}

/// List the email outbox, newest first (admins only).
#[utoipa::path(
    tag = "admin",
    params(OutboxQuery),
    responses(
        (status = 200, body = OutboxPage),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: page or per_page out of range.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: web::Query<OutboxQuery>,
) -> Result<web::Json<OutboxPage>, ApiError> {
    let paging = Paging::new(query.page, query.per_page)?;
    let to = query
        .to
        .as_deref()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    let (rows, total) = state
        .db(move |conn| {
            Ok(OutboxEmail::list(
                conn,
                to.as_deref(),
                paging.offset(),
                paging.limit(),
            )?)
        })
        .await?;
    let smtp = state.config.smtp.is_some();
    let items = rows.into_iter().map(|e| view(e, smtp)).collect();
    Ok(web::Json(paging.page_of(items, total)))
}
