//! Sign-up, sign-in, refresh, sign-out and password reset (P1–P4).

use actix_web::{HttpRequest, HttpResponse, post, web};
use partnerly_db::DbConn;
use partnerly_db::membership::Membership;
use partnerly_db::password_reset::{self, NewPasswordReset};
use partnerly_db::program::Program;
use partnerly_db::refresh_token::{NewRefreshToken, RefreshToken};
use partnerly_db::user::{CreateUserError, NewUser, User, UserChanges};
use partnerly_domain::auth::{
    AuthResponse, LoginRequest, PasswordResetConfirm, PasswordResetRequest, SignupRequest,
};
use partnerly_domain::{Email, ErrorBody, Password};
use serde_json::{Map, json};
use time::Duration;

use crate::auth::jwt::ACCESS_TOKEN_TTL_SECS;
use crate::auth::{password, tokens};
use crate::client_ip::client_ip;
use crate::error::ApiError;
use crate::mail;
use crate::routes::admin::Audit;
use crate::state::AppState;

/// A session just opened or refreshed: the body and the refresh token for the cookie.
struct Session {
    body: AuthResponse,
    refresh_token: String,
}

impl Session {
    fn respond(self, mut response: actix_web::HttpResponseBuilder) -> HttpResponse {
        response
            .cookie(tokens::refresh_cookie(&self.refresh_token))
            .insert_header(("Cache-Control", "no-store"))
            .json(self.body)
    }
}

/// Opens a session for `user`: a new refresh token (in `family`, or a new family) and an
/// access token. Runs inside the caller's transaction.
fn open_session(
    state: &AppState,
    conn: &mut DbConn,
    user: &User,
    family: Option<&str>,
) -> Result<Session, ApiError> {
    let now = partnerly_db::now();
    let refresh_token = tokens::generate();
    let new_family;
    let family = match family {
        Some(f) => f,
        None => {
            new_family = uuid::Uuid::new_v4().simple().to_string();
            &new_family
        }
    };
    NewRefreshToken {
        user_id: user.id,
        family,
        token_hash: &tokens::digest(&refresh_token),
        created_at: now,
        expires_at: now + Duration::days(tokens::REFRESH_TTL_DAYS),
    }
    .insert(conn)?;
    let access_token = state
        .jwt
        .issue(
            user.id,
            user.role(),
            family,
            now.assume_utc().unix_timestamp(),
        )
        .map_err(|e| ApiError::internal(format!("jwt: {e}")))?;
    Ok(Session {
        body: AuthResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: ACCESS_TOKEN_TTL_SECS,
            account: user.to_account(),
        },
        refresh_token,
    })
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn invalid_credentials() -> ApiError {
    let mut details = Map::new();
    details.insert("reset_password".into(), json!("/forgot-password"));
    details.insert("sign_up".into(), json!("/sign-up"));
    ApiError::Unauthorized {
        code: "invalid_credentials",
        message: "The email or password is wrong.".into(),
        details,
    }
}

fn account_exists() -> ApiError {
    let mut details = Map::new();
    details.insert("sign_in".into(), json!("/sign-in"));
    details.insert("reset_password".into(), json!("/forgot-password"));
    ApiError::Conflict {
        code: "account_exists",
        message: "An account with this email already exists. Sign in instead, or reset \
                  your password if you forgot it."
            .into(),
        details,
    }
}

/// Create a partner account (P1).
///
/// Signing up with an email that already has an account never changes that account:
/// with its password it signs in (200), otherwise it answers 409 `account_exists`.
#[utoipa::path(
    tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Account created and signed in; the refresh token is set as an HttpOnly cookie.", body = AuthResponse),
        (status = 200, description = "The email had an account and the password matched: signed in.", body = AuthResponse),
        (status = 400, description = "Malformed body.", body = ErrorBody),
        (status = 409, description = "`account_exists`: the email has an account with another password.", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with field errors.", body = ErrorBody),
        (status = 429, description = "`rate_limited`; see `Retry-After`.", body = ErrorBody),
    )
)]
#[post("/auth/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<SignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let signup = body.validate()?;
    let limits = state.limits;
    let ip = client_ip(&req, state.config.trusted_proxies.as_ref());
    let email = signup.email.as_str().to_owned();

    let existing = state
        .write(move |conn| {
            limits.sign_up_per_ip.hit(conn, &ip, unix_now())?;
            let existing = User::find_by_email(conn, &email)?;
            // Signing up with a taken email is a sign-in attempt: counted before its
            // password is checked, like every sign-in (see `login`).
            if existing.is_some() {
                limits
                    .sign_in_failures_per_account
                    .hit(conn, &email, unix_now())?;
            }
            Ok::<_, ApiError>(existing)
        })
        .await?;

    if let Some(user) = existing {
        return sign_in_existing(&state, user, signup.password).await;
    }

    let password = Password::parse(&signup.password)
        .map_err(|e| ApiError::field("password", e.to_string()))?;
    let hash = state
        .cpu(move || password::hash(password.expose()))
        .await?
        .map_err(|e| ApiError::internal(format!("argon2: {e}")))?;

    let st = state.clone();
    let created = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let new = NewUser::partner(
                signup.email.as_str(),
                &hash,
                &signup.first_name,
                &signup.last_name,
                now,
            );
            let user = match new.insert(conn, || {
                rand::random_range(partnerly_domain::public_id::NUMBER_RANGE)
            }) {
                Ok(user) => user,
                Err(CreateUserError::EmailTaken) => return Ok(None),
                Err(CreateUserError::Db(e)) => return Err(e.into()),
                Err(e @ CreateUserError::NoFreeNumber) => {
                    return Err(ApiError::internal(e));
                }
            };
            // P1: the partner joins every program open to sign-up, each with its
            // default link, in the same transaction as the account.
            for program in Program::open_for_signup(conn)? {
                Membership::enrol(conn, user.id, &program, now, tokens::referral_code)?;
            }
            Ok::<_, ApiError>(Some(open_session(&st, conn, &user, None)?))
        })
        .await?;

    match created {
        Some(session) => {
            // The new default links work at this instance's redirect at once.
            state.tracking.refresh_now(&state.database).await;
            tracing::info!(account.public_id = ?session.body.account.public_id, "partner signed up");
            Ok(session.respond(HttpResponse::Created()))
        }
        // Another request created the account between our check and our insert.
        None => Err(account_exists()),
    }
}

/// The sign-up path for an email that has an account: the right password signs in,
/// anything else is 409 and counts as a failed sign-in.
async fn sign_in_existing(
    state: &web::Data<AppState>,
    user: User,
    password: String,
) -> Result<HttpResponse, ApiError> {
    let limits = state.limits;
    let stored = user.password_hash.clone();
    let matches = state
        .cpu(move || password::verify(&password, &stored))
        .await?;
    let st = state.get_ref().clone();
    let session = state
        .write(move |conn| {
            // A failure was counted before the check; a success clears the count.
            if !matches {
                return Ok(None);
            }
            limits
                .sign_in_failures_per_account
                .clear(conn, &user.email)?;
            Ok::<_, ApiError>(Some(open_session(&st, conn, &user, None)?))
        })
        .await?;
    match session {
        Some(session) => Ok(session.respond(HttpResponse::Ok())),
        None => Err(account_exists()),
    }
}

/// Sign in with email and password (P2).
///
/// A wrong pair gets one generic answer, whether or not the email has an account.
/// Repeated failures on one account, or many attempts from one IP, are rate limited.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the refresh token is set as an HttpOnly cookie.", body = AuthResponse),
        (status = 400, description = "Malformed body.", body = ErrorBody),
        (status = 401, description = "`invalid_credentials`, with links to reset the password and sign up.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a field is empty or not an email.", body = ErrorBody),
        (status = 429, description = "`rate_limited`; see `Retry-After`.", body = ErrorBody),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = body.validate()?;
    let limits = state.limits;
    let ip = client_ip(&req, state.config.trusted_proxies.as_ref());
    let key = email.as_str().to_owned();
    let user = state
        .write(move |conn| {
            limits.sign_in_per_ip.hit(conn, &ip, unix_now())?;
            // Counted before the password is checked, in the same transaction as the
            // refusal: concurrent guesses each take a place in the window, so no more
            // than the limit ever reach the hash. A success clears the count below.
            limits
                .sign_in_failures_per_account
                .hit(conn, &key, unix_now())?;
            Ok::<_, ApiError>(User::find_by_email(conn, &key)?)
        })
        .await?;

    let password = body.into_inner().password;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = state
        .cpu(move || match stored {
            Some(stored) => password::verify(&password, &stored),
            None => password::verify_dummy(&password),
        })
        .await?;

    let st = state.get_ref().clone();
    let session = state
        .write(move |conn| {
            let limit = limits.sign_in_failures_per_account;
            match user {
                Some(user) if matches => {
                    limit.clear(conn, &user.email)?;
                    Ok(Some(open_session(&st, conn, &user, None)?))
                }
                // The failure was counted before the check.
                _ => Ok::<_, ApiError>(None),
            }
        })
        .await?;
    session
        .map(|s| s.respond(HttpResponse::Ok()))
        .ok_or_else(invalid_credentials)
}

fn refresh_cookie_value(req: &HttpRequest) -> Option<String> {
    req.cookie(tokens::REFRESH_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// Exchange the refresh cookie for a new access token and a new refresh cookie.
///
/// The refresh token rotates on every use. Presenting a token that was already rotated
/// means it was copied: the whole session family is revoked and the answer is 401
/// `refresh_token_reused`.
///
/// A request without any refresh cookie has no session to refresh: 204 with no body
/// and no cookie, so a client probing for a session on start-up (the portal) learns it
/// is signed out without an error. A cookie that is sent but not valid is still 401.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "A new access token; the refresh cookie is replaced.", body = AuthResponse),
        (status = 204, description = "No refresh cookie was sent: there is no session to refresh (signed out). No body, no cookie set."),
        (status = 401, description = "`invalid_refresh_token` (empty, unknown, expired, revoked) or `refresh_token_reused`.", body = ErrorBody),
    ),
    security((), ("refresh_cookie" = []))
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let invalid = || {
        ApiError::unauthorized(
            "invalid_refresh_token",
            "Your session has ended; sign in again.",
        )
    };
    if req.cookie(tokens::REFRESH_COOKIE).is_none() {
        return Ok(HttpResponse::NoContent()
            .insert_header(("Cache-Control", "no-store"))
            .finish());
    }
    let token = refresh_cookie_value(&req).ok_or_else(invalid)?;
    let st = state.get_ref().clone();
    let outcome = state
        .write(move |conn| {
                let now = partnerly_db::now();
                let Some(stored) = RefreshToken::find_by_hash(conn, &tokens::digest(&token))? else {
                    return Ok(Err(invalid()));
                };
                if stored.revoked_at.is_some() || stored.expires_at <= now {
                    return Ok(Err(invalid()));
                }
                if stored.rotated_at.is_some() || !RefreshToken::mark_rotated(conn, stored.id, now)? {
                    let revoked = RefreshToken::revoke_family(conn, &stored.family, now)?;
                    tracing::warn!(account.id = stored.user_id, revoked, "refresh token reused; session family revoked");
                    return Ok(Err(ApiError::unauthorized(
                        "refresh_token_reused",
                        "This session was used from somewhere else, so we signed it out. Sign in again.",
                    )));
                }
                let Some(user) = User::find(conn, stored.user_id)? else {
                    return Ok(Err(invalid()));
                };
                Ok::<_, ApiError>(Ok(open_session(&st, conn, &user, Some(&stored.family))?))
            })
        .await?;
    // Reuse must revoke the family even though the request fails, so the transaction
    // commits and the error is returned afterwards.
    match outcome {
        Ok(session) => Ok(session.respond(HttpResponse::Ok())),
        Err(e) => Err(e),
    }
}

/// Sign out (P4): revokes the session's refresh tokens server-side and clears the cookie.
#[utoipa::path(
    tag = "auth",
    responses((status = 204, description = "Signed out (also when there was no session).")),
    security((), ("refresh_cookie" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = refresh_cookie_value(&req) {
        state
            .db(move |conn| {
                let now = partnerly_db::now();
                if let Some(stored) = RefreshToken::find_by_hash(conn, &tokens::digest(&token))? {
                    RefreshToken::revoke_family(conn, &stored.family, now)?;
                }
                Ok(())
            })
            .await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(tokens::clear_refresh_cookie())
        .finish())
}

/// Ask for a password-reset link (P3).
///
/// Always 202, whether or not the email has an account, and the work (token, email)
/// happens after the answer, so neither the body nor the timing tells them apart.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the email has an account, a single-use link valid one hour was emailed."),
        (status = 400, description = "Malformed body.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: not an email address.", body = ErrorBody),
        (status = 429, description = "`rate_limited`; see `Retry-After`.", body = ErrorBody),
    )
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.email).map_err(|e| ApiError::field("email", e.to_string()))?;
    let limits = state.limits;
    let ip = client_ip(&req, state.config.trusted_proxies.as_ref());
    let key = email.as_str().to_owned();
    state
        .write(move |conn| {
            limits.reset_per_ip.hit(conn, &ip, unix_now())?;
            limits.reset_per_account.hit(conn, &key, unix_now())
        })
        .await?;

    let st = state.get_ref().clone();
    actix_web::rt::spawn(async move {
        let public_url = st.config.public_url.clone();
        let queued = st
            .write(move |conn| {
                let Some(user) = User::find_by_email(conn, email.as_str())? else {
                    return Ok(false);
                };
                let token = tokens::generate();
                let now = partnerly_db::now();
                NewPasswordReset {
                    user_id: user.id,
                    token_hash: &tokens::digest(&token),
                    created_at: now,
                    expires_at: now + Duration::minutes(tokens::RESET_TTL_MINUTES),
                }
                .insert(conn)?;
                mail::password_reset(&user.email, &user.first_name, &public_url, &token)
                    .queue(conn)?;
                Audit::noted("password_reset.request", "user", user.id).record(conn, None, now)?;
                Ok::<_, ApiError>(true)
            })
            .await;
        match queued {
            Ok(true) => st.mail_queued.notify_one(),
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "password reset not queued"),
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token from the reset link.
///
/// The token works once and for one hour; using it also ends every session of the
/// account, so whoever knew the old password is signed out.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "Password changed; every session of the account is signed out."),
        (status = 400, description = "`invalid_reset_token` (unknown, used or expired), or a malformed body.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the new password breaks a rule.", body = ErrorBody),
        (status = 429, description = "`rate_limited`; see `Retry-After`.", body = ErrorBody),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::body::Json<PasswordResetConfirm>,
) -> Result<HttpResponse, ApiError> {
    let password = body.validate()?;
    let limits = state.limits;
    let ip = client_ip(&req, state.config.trusted_proxies.as_ref());
    state
        .write(move |conn| limits.reset_confirm_per_ip.hit(conn, &ip, unix_now()))
        .await?;
    let hash = state
        .cpu(move || password::hash(password.expose()))
        .await?
        .map_err(|e| ApiError::internal(format!("argon2: {e}")))?;
    let token_hash = tokens::digest(body.token.trim());
    state
        .write(move |conn| {
            let now = partnerly_db::now();
            let user_id = password_reset::consume(conn, &token_hash, now)?.ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_reset_token",
                    "This reset link is invalid, used or expired. Ask for a new one.",
                )
            })?;
            User::update(
                conn,
                user_id,
                &UserChanges {
                    password_hash: Some(hash),
                    updated_at: Some(now),
                    ..UserChanges::default()
                },
            )?;
            RefreshToken::revoke_user(conn, user_id, None, now)?;
            Audit::noted("password_reset.complete", "user", user_id).record(conn, user_id, now)?;
            tracing::info!(account.id = user_id, "password reset");
            Ok::<_, ApiError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
