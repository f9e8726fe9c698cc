//! The one typed client of the Partnerly API (`/api/v1`, same origin).
//!
//! Every call returns `Result<T, ApiFailure>`: either the server's [`ErrorBody`] or a
//! network failure. Calls that need a signed-in partner take the [`Session`], attach its
//! access token, and on a 401 (`token_expired` / `unauthorized`) refresh the session once
//! and retry; when the refresh fails too, the session is cleared, which sends the router
//! to the sign-in page.

use std::cell::RefCell;
use std::fmt;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use gloo_net::http::{Method, RequestBuilder, Response};
use leptos_router::params::ParamsMap;
use partnerly_domain::account::Account;
use partnerly_domain::auth::{
    AuthResponse, ChangePasswordRequest, LoginRequest, PasswordResetConfirm, PasswordResetRequest,
    SignupRequest,
};
use partnerly_domain::deal::DealList;
use partnerly_domain::link::{CreateLinkRequest, LinkList, LinkView, UpdateLinkRequest};
use partnerly_domain::partner::{CommissionPage, CommissionStatus, MembershipList, Stats};
use partnerly_domain::profile::UpdateProfileRequest;
use partnerly_domain::tracking::{Interval, Timeseries, format_date};
use partnerly_domain::{ErrorBody, FieldErrors};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::{Date, OffsetDateTime};
use wasm_bindgen::JsCast;

use crate::session::Session;

pub mod admin;

/// Why an API call did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// The server answered with an error status and body.
    Api {
        /// The HTTP status, e.g. 422.
        status: u16,
        /// The body every API error carries.
        body: ErrorBody,
    },
    /// No usable answer: the network is down, the server is unreachable, or it answered
    /// with something that is not the expected JSON.
    Network(String),
}

impl ApiFailure {
    /// A 422-shaped failure built in the browser, so that client-side checks (the domain
    /// types' `validate()`) are shown exactly like the server's.
    pub fn from_fields(fields: FieldErrors) -> Self {
        let mut details = serde_json::Map::new();
        details.insert(
            "fields".to_owned(),
            serde_json::Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::Value::String(v)))
                    .collect(),
            ),
        );
        Self::Api {
            status: 422,
            body: ErrorBody {
                error: "validation_failed".to_owned(),
                message: "Some fields are not valid.".to_owned(),
                details,
            },
        }
    }

    /// The stable error code (`account_exists`, `invalid_credentials`, ...), if the server
    /// sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { body, .. } => Some(&body.error),
            Self::Network(_) => None,
        }
    }

    /// A sentence to show above a form.
    pub fn message(&self) -> String {
        match self {
            Self::Api { body, .. } => body.message.clone(),
            Self::Network(_) => {
                "We could not reach Partnerly. Check your connection and try again.".to_owned()
            }
        }
    }

    /// Per-field messages (`details.fields`), empty when the failure is not about fields.
    pub fn field_errors(&self) -> FieldErrors {
        match self {
            Self::Api { body, .. } => body.field_errors(),
            Self::Network(_) => FieldErrors::new(),
        }
    }

    /// Whether the access token was missing or expired, so a refresh may help.
    fn needs_refresh(&self) -> bool {
        matches!(
            self,
            Self::Api { status: 401, body } if matches!(body.error.as_str(), "token_expired" | "unauthorized")
        )
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiFailure {}

/// `POST /api/v1/auth/signup`: 201 for a new account, 200 when the email existed and the
/// password matched (a sign-in).
pub async fn sign_up(request: &SignupRequest) -> Result<AuthResponse, ApiFailure> {
    let body = encode(request)?;
    json(send(Method::POST, "/api/v1/auth/signup", None, Some(&body)).await?).await
}

/// `POST /api/v1/auth/login`.
pub async fn sign_in(request: &LoginRequest) -> Result<AuthResponse, ApiFailure> {
    let body = encode(request)?;
    json(send(Method::POST, "/api/v1/auth/login", None, Some(&body)).await?).await
}

/// `POST /api/v1/auth/logout`: ends the refresh session and clears its cookie.
pub async fn sign_out() -> Result<(), ApiFailure> {
    send(Method::POST, "/api/v1/auth/logout", None, None)
        .await
        .map(drop)
}

/// `POST /api/v1/auth/password-reset`: always 202, whether or not the account exists.
pub async fn request_password_reset(request: &PasswordResetRequest) -> Result<(), ApiFailure> {
    let body = encode(request)?;
    send(
        Method::POST,
        "/api/v1/auth/password-reset",
        None,
        Some(&body),
    )
    .await
    .map(drop)
}

/// `POST /api/v1/auth/password-reset/confirm`.
pub async fn confirm_password_reset(request: &PasswordResetConfirm) -> Result<(), ApiFailure> {
    let body = encode(request)?;
    send(
        Method::POST,
        "/api/v1/auth/password-reset/confirm",
        None,
        Some(&body),
    )
    .await
    .map(drop)
}

/// A refresh in flight, shared by everyone who needs one at the same time: refresh tokens
/// rotate, so two parallel refreshes would race each other with the same cookie.
type PendingRefresh = Shared<LocalBoxFuture<'static, Result<Option<AuthResponse>, ApiFailure>>>;

thread_local! {
    static REFRESHING: RefCell<Option<PendingRefresh>> = const { RefCell::new(None) };
}

/// `POST /api/v1/auth/refresh`: a new access token from the `HttpOnly` refresh cookie,
/// or `None` when the browser has no refresh cookie (204: nobody is signed in, which is
/// not an error).
pub async fn refresh() -> Result<Option<AuthResponse>, ApiFailure> {
    let pending = REFRESHING.with_borrow_mut(|slot| {
        slot.get_or_insert_with(|| {
            async {
                let result = match send(Method::POST, "/api/v1/auth/refresh", None, None).await {
                    Ok(response) if response.status() == 204 => Ok(None),
                    Ok(response) => json(response).await.map(Some),
                    Err(failure) => Err(failure),
                };
                // Done: the next caller starts a fresh refresh.
                REFRESHING.with_borrow_mut(|slot| *slot = None);
                result
            }
            .boxed_local()
            .shared()
        })
        .clone()
    });
    pending.await
}

/// `GET /api/v1/me`.
pub async fn me(session: Session) -> Result<Account, ApiFailure> {
    json(authed(session, Method::GET, "/api/v1/me", None).await?).await
}

/// `PATCH /api/v1/me`.
pub async fn update_profile(
    session: Session,
    request: &UpdateProfileRequest,
) -> Result<Account, ApiFailure> {
    let body = encode(request)?;
    json(authed(session, Method::PATCH, "/api/v1/me", Some(&body)).await?).await
}

/// `POST /api/v1/me/password`.
pub async fn change_password(
    session: Session,
    request: &ChangePasswordRequest,
) -> Result<(), ApiFailure> {
    let body = encode(request)?;
    authed(session, Method::POST, "/api/v1/me/password", Some(&body))
        .await
        .map(drop)
}

/// `GET /api/v1/me/stats`: the dashboard figures of every program the partner is in.
pub async fn stats(session: Session) -> Result<Stats, ApiFailure> {
    json(authed(session, Method::GET, "/api/v1/me/stats", None).await?).await
}

/// `GET /api/v1/me/stats/timeseries`: the partner's clicks, sign-ups, paying customers
/// and deals per day or month from `from` to `to` (both included), every period present.
pub async fn timeseries(
    session: Session,
    from: Date,
    to: Date,
    interval: Interval,
) -> Result<Timeseries, ApiFailure> {
    let interval = match interval {
        Interval::Day => "day",
        Interval::Month => "month",
    };
    let path = format!(
        "/api/v1/me/stats/timeseries?from={}&to={}&interval={interval}",
        format_date(from),
        format_date(to)
    );
    json(authed(session, Method::GET, &path, None).await?).await
}

/// `GET /api/v1/me/programs`: the partner's programs with their level and rules.
pub async fn programs(session: Session) -> Result<MembershipList, ApiFailure> {
    json(authed(session, Method::GET, "/api/v1/me/programs", None).await?).await
}

/// `GET /api/v1/links`: the partner's referral links with their full URLs.
pub async fn links(session: Session) -> Result<LinkList, ApiFailure> {
    json(authed(session, Method::GET, "/api/v1/links", None).await?).await
}

/// `POST /api/v1/links`: a new link (201); 422 names the field of a taken or reserved
/// code, 409 `link_limit` when the program has its 100 links.
pub async fn create_link(
    session: Session,
    request: &CreateLinkRequest,
) -> Result<LinkView, ApiFailure> {
    let body = encode(request)?;
    json(authed(session, Method::POST, "/api/v1/links", Some(&body)).await?).await
}

/// `PATCH /api/v1/links/{id}`: a new label or promo code, or the link disabled or
/// enabled again.
pub async fn update_link(
    session: Session,
    id: i64,
    request: &UpdateLinkRequest,
) -> Result<LinkView, ApiFailure> {
    let body = encode(request)?;
    let path = format!("/api/v1/links/{id}");
    json(authed(session, Method::PATCH, &path, Some(&body)).await?).await
}

/// The image formats of a link's QR code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrFormat {
    Svg,
    Png,
    Jpeg,
}

impl QrFormat {
    /// Every format, in the order the downloads are offered.
    pub const ALL: [QrFormat; 3] = [QrFormat::Png, QrFormat::Jpeg, QrFormat::Svg];

    /// The file extension, also the last part of the API's path (`qr.jpg`).
    pub fn extension(self) -> &'static str {
        match self {
            QrFormat::Svg => "svg",
            QrFormat::Png => "png",
            QrFormat::Jpeg => "jpg",
        }
    }

    /// The format's name in words.
    pub fn name(self) -> &'static str {
        match self {
            QrFormat::Svg => "SVG",
            QrFormat::Png => "PNG",
            QrFormat::Jpeg => "JPG",
        }
    }
}

/// `GET /api/v1/links/{id}/qr.{svg,png,jpg}?size=…`: the QR code as a `Blob` (with the
/// answer's content type), for an object URL. Behind the bearer token like every call,
/// which is why an `<img src>` cannot load it itself.
pub async fn link_qr(
    session: Session,
    id: i64,
    format: QrFormat,
    size: u32,
) -> Result<web_sys::Blob, ApiFailure> {
    let path = format!("/api/v1/links/{id}/qr.{}?size={size}", format.extension());
    let response = web_sys::Response::from(authed(session, Method::GET, &path, None).await?);
    let unreadable = |_| ApiFailure::Network("unreadable QR code".to_owned());
    let promise = response.blob().map_err(unreadable)?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(unreadable)?
        .dyn_into::<web_sys::Blob>()
        .map_err(unreadable)
}

/// `GET /api/v1/me/deals`: the leads the partner's links brought, newest first.
pub async fn deals(session: Session) -> Result<DealList, ApiFailure> {
    json(authed(session, Method::GET, "/api/v1/me/deals", None).await?).await
}

/// Which commissions to list: the query of `GET /api/v1/me/commissions`.
#[derive(Debug, Clone, PartialEq)]
pub struct CommissionsQuery {
    /// Only commissions in this state.
    pub status: Option<CommissionStatus>,
    /// Paid at or after (the payment's date).
    pub from: Option<OffsetDateTime>,
    /// Paid before.
    pub to: Option<OffsetDateTime>,
    /// 1-based.
    pub page: u32,
    /// At most 100.
    pub per_page: u32,
}

impl CommissionsQuery {
    /// `?status=…&from=…&page=…`, escaped.
    fn to_query_string(&self) -> String {
        let time = crate::format::rfc3339;
        let mut params = ParamsMap::new();
        if let Some(status) = self.status {
            params.insert("status", status.as_str().to_owned());
        }
        if let Some(from) = self.from {
            params.insert("from", time(from));
        }
        if let Some(to) = self.to {
            params.insert("to", time(to));
        }
        params.insert("page", self.page.to_string());
        params.insert("per_page", self.per_page.to_string());
        params.to_query_string()
    }
}

/// `GET /api/v1/me/commissions`: one page of the partner's commissions, by payment date,
/// newest first.
pub async fn commissions(
    session: Session,
    query: &CommissionsQuery,
) -> Result<CommissionPage, ApiFailure> {
    let path = format!("/api/v1/me/commissions{}", query.to_query_string());
    json(authed(session, Method::GET, &path, None).await?).await
}

/// Sends with the session's access token; on a 401 refreshes once and retries.
async fn authed(
    session: Session,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> Result<Response, ApiFailure> {
    let token = session.access_token();
    match send(method.clone(), path, token.as_deref(), body).await {
        Err(failure) if failure.needs_refresh() => match refresh().await {
            Ok(Some(auth)) => {
                let token = auth.access_token.clone();
                session.sign_in(auth);
                send(method, path, Some(&token), body).await
            }
            // Offline: keep the session, the next try may work.
            Err(network @ ApiFailure::Network(_)) => Err(network),
            // No session to refresh (204), or the cookie was refused.
            Ok(None) | Err(_) => {
                session.clear();
                Err(failure)
            }
        },
        other => other,
    }
}

fn encode(value: &impl Serialize) -> Result<String, ApiFailure> {
    serde_json::to_string(value).map_err(|e| ApiFailure::Network(e.to_string()))
}

/// Sends one request; any status outside 200–299 becomes `ApiFailure::Api`.
async fn send(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<Response, ApiFailure> {
    let mut builder = RequestBuilder::new(path)
        .method(method)
        .header("Accept", "application/json");
    if let Some(token) = token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body.to_owned()),
        None => builder.build(),
    }
    .map_err(|e| ApiFailure::Network(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response
        .json::<ErrorBody>()
        .await
        .unwrap_or_else(|_| ErrorBody {
            // A proxy's HTML error page or an empty body: keep the status visible.
            error: format!("http_{status}"),
            message: format!("Something went wrong (HTTP {status}). Try again in a moment."),
            details: serde_json::Map::new(),
        });
    Err(ApiFailure::Api { status, body })
}

/// Reads a success body as `T`.
async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    response
        .json::<T>()
        .await
        .map_err(|e| ApiFailure::Network(format!("unreadable answer: {e}")))
}
