//! Extractors: `AuthUser` (any signed-in account), `StaffUser` (manager, finance,
//! admin), `ManagerUser` (manager or admin), `FinanceUser` (finance or admin) and
//! `AdminUser`. A handler names the one it needs in its arguments.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use partnerly_db::user::User;
use partnerly_domain::account::Role;

use super::jwt::TokenError;
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in account, read fresh from the database on every request, together with
/// its session, so that a role change, a deleted account or an ended session (sign-out,
/// password change or reset, refresh-token reuse) takes effect at once.
#[derive(Debug, Clone)]
pub struct AuthUser(pub User);

/// A signed-in staff member (manager, finance or admin).
#[derive(Debug, Clone)]
pub struct StaffUser(pub User);

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct AdminUser(pub User);

/// A signed-in program manager or admin: programs, levels, partners, customers.
#[derive(Debug, Clone)]
pub struct ManagerUser(pub User);

/// A signed-in finance staff member or admin: money (adjustments, payouts).
#[derive(Debug, Clone)]
pub struct FinanceUser(pub User);

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// The session id (refresh-token family) of the request's valid access token.
pub(crate) fn session_of(req: &HttpRequest, state: &AppState) -> Option<String> {
    let token = bearer(req)?;
    state.jwt.verify(&token).ok().map(|claims| claims.sid)
}

async fn authenticate(req: HttpRequest) -> Result<User, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?
        .clone();
    let token = bearer(&req).ok_or_else(|| {
        ApiError::unauthorized(
            "unauthorized",
            "Sign in to continue (send Authorization: Bearer <token>).",
        )
    })?;
    if token.starts_with(partnerly_domain::api_key::KEY_PREFIX) {
        return Err(ApiError::unauthorized(
            "unauthorized",
            "This route takes a session token from sign-in, not an API key; API keys \
             work on the events and integration routes.",
        ));
    }
    let claims = state.jwt.verify(&token).map_err(|e| match e {
        TokenError::Expired => {
            ApiError::unauthorized("token_expired", "Your session token expired; refresh it.")
        }
        TokenError::Invalid => {
            ApiError::unauthorized("unauthorized", "The access token is not valid.")
        }
    })?;
    let id: i64 = claims
        .sub
        .parse()
        .map_err(|_| ApiError::unauthorized("unauthorized", "The access token is not valid."))?;
    let session = claims.sid;
    state
        .db(move |conn| Ok(User::find_in_session(conn, id, &session)?))
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized(
                "session_ended",
                "This session has ended (signed out, or the password changed); sign in again.",
            )
        })
}

type Fut<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = authenticate(req).await?;
            tracing::Span::current().record("account.id", user.id);
            Ok(AuthUser(user))
        })
    }
}

/// Authenticates, then lets through only the `allowed` roles (403 for the others).
fn with_role<T: 'static>(
    req: &HttpRequest,
    allowed: &'static [Role],
    wrap: fn(User) -> T,
) -> Fut<T> {
    let req = req.clone();
    Box::pin(async move {
        let user = authenticate(req).await?;
        tracing::Span::current().record("account.id", user.id);
        if allowed.contains(&user.role()) {
            Ok(wrap(user))
        } else {
            Err(ApiError::Forbidden)
        }
    })
}

impl FromRequest for StaffUser {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        with_role(req, &[Role::Manager, Role::Finance, Role::Admin], StaffUser)
    }
}

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        with_role(req, &[Role::Admin], AdminUser)
    }
}

impl FromRequest for ManagerUser {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        with_role(req, &[Role::Manager, Role::Admin], ManagerUser)
    }
}

impl FromRequest for FinanceUser {
    type Error = ApiError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        with_role(req, &[Role::Finance, Role::Admin], FinanceUser)
    }
}
