//! The signed-in account's own profile and password (P5).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use partnerly_db::refresh_token::RefreshToken;
use partnerly_db::user::{User, UserChanges};
use partnerly_domain::ErrorBody;
use partnerly_domain::account::Account;
use partnerly_domain::auth::ChangePasswordRequest;
use partnerly_domain::profile::UpdateProfileRequest;

use crate::auth::{AuthUser, password, tokens};
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in account.
#[utoipa::path(
    tag = "me",
    responses(
        (status = 200, body = Account),
        (status = 401, description = "`unauthorized` or `token_expired`.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn get_me(AuthUser(user): AuthUser) -> web::Json<Account> {
    web::Json(user.to_account())
}

/// Change profile fields (P5). Absent fields stay; `null` clears phone, country or
/// payout currency. Changing the email needs `current_password`.
#[utoipa::path(
    tag = "me",
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, description = "The updated account.", body = Account),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 409, description = "`email_taken`: another account uses that email.", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with field errors.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    AuthUser(user): AuthUser,
    body: crate::body::Json<UpdateProfileRequest>,
) -> Result<web::Json<Account>, ApiError> {
    let changes = body.validate()?;
    let new_email = changes
        .email
        .filter(|e| e.as_str() != user.email)
        .map(|e| e.as_str().to_owned());

    if new_email.is_some() {
        let given = body.current_password.clone().unwrap_or_default();
        if given.is_empty() {
            return Err(ApiError::field(
                "current_password",
                "Enter your current password to change your email.",
            ));
        }
        let stored = user.password_hash.clone();
        if !state.cpu(move || password::verify(&given, &stored)).await? {
            return Err(ApiError::field(
                "current_password",
                "The current password is wrong.",
            ));
        }
    }

    let row = UserChanges {
        first_name: changes.first_name,
        last_name: changes.last_name,
        email: new_email.clone(),
        phone: changes.phone,
        country: changes.country,
        payout_currency: changes.payout_currency,
        updated_at: Some(partnerly_db::now()),
        ..UserChanges::default()
    };
    let updated = state
        .write(move |conn| {
            if let Some(email) = &new_email
                && User::find_by_email(conn, email)?.is_some()
            {
                return Err(ApiError::conflict(
                    "email_taken",
                    "Another account uses this email address.",
                ));
            }
            Ok(User::update(conn, user.id, &row)?)
        })
        .await?;
    Ok(web::Json(updated.to_account()))
}

/// Change the password. Every other session of the account is signed out; the one
/// making the change (identified by its refresh cookie) stays signed in.
#[utoipa::path(
    tag = "me",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed."),
        (status = 400, description = "Malformed body.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "`validation_failed`: the current password is wrong or the new one breaks a rule.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(user): AuthUser,
    body: crate::body::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let new_password = body.validate()?;
    let current = body.into_inner().current_password;
    let stored = user.password_hash.clone();
    let hash = state
        .cpu(move || {
            password::verify(&current, &stored)
                .then(|| password::hash(new_password.expose()))
                .transpose()
        })
        .await?
        .map_err(|e| ApiError::internal(format!("argon2: {e}")))?
        .ok_or_else(|| ApiError::field("current_password", "The current password is wrong."))?;
    // The session that changed the password stays signed in: the access token's, or
    // the refresh cookie's when a client sends it here.
    let cookie = req
        .cookie(tokens::REFRESH_COOKIE)
        .map(|c| c.value().to_owned());
    let current = crate::auth::extract::session_of(&req, &state);
    state
        .write(move |conn| {
            let now = partnerly_db::now();
            User::update(
                conn,
                user.id,
                &UserChanges {
                    password_hash: Some(hash),
                    updated_at: Some(now),
                    ..UserChanges::default()
                },
            )?;
            let keep = match (current, cookie) {
                (Some(session), _) => Some(session),
                (None, Some(token)) => RefreshToken::find_by_hash(conn, &tokens::digest(&token))?
                    .filter(|t| t.user_id == user.id)
                    .map(|t| t.family),
                (None, None) => None,
            };
            RefreshToken::revoke_user(conn, user.id, keep.as_deref(), now)?;
            Ok::<_, ApiError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
