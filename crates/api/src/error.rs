//! The one error type of the API and its JSON body (`ErrorBody`).
//!
//! Handlers return `Result<_, ApiError>`; the status comes from an explicit `match`.
//! Client mistakes (malformed JSON, unknown fields, bad query strings, oversized bodies)
//! are turned into 4xx answers here, so that no client can cause a 500.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use partnerly_db::Classify;
use partnerly_domain::{ErrorBody, FieldErrors};
use partnerly_engine::adjustments::AdjustmentError;
use partnerly_engine::commissions::CommissionError;
use partnerly_engine::customers::CustomerError;
use partnerly_engine::memberships::MembershipError;
use partnerly_engine::track_requests::TrackRequestError;
use partnerly_engine::views::ViewError;
use serde_json::{Map, Value, json};

use crate::allowed_methods::AllowedMethods;

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be read (bad JSON, unknown field, bad query string).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 400 `invalid_body`: JSON, but not of the request type's shape; each mistake is
    /// named by its field path in `details.fields` (see [`crate::body`]).
    #[error("The request body does not match the expected shape: {}", describe(.0))]
    BodyShape(FieldErrors),
    /// 401: no credentials, or they are wrong or expired.
    #[error("{message}")]
    Unauthorized {
        code: &'static str,
        message: String,
        details: Map<String, Value>,
    },
    /// 403: signed in, but not allowed.
    #[error("You are not allowed to do this.")]
    Forbidden,
    /// 403: a valid API key without the scope the route needs.
    #[error("This API key lacks the {0:?} scope.")]
    InsufficientScope(String),
    /// 404: no such thing (also another partner's thing).
    #[error("Not found.")]
    NotFound,
    /// 405: the path exists, but not with this method; `allow` lists the methods it has.
    #[error("This path does not take {method}; it takes {allow}.")]
    MethodNotAllowed { method: String, allow: String },
    /// 409: the request conflicts with the current state.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        details: Map<String, Value>,
    },
    /// 413: the body is larger than the route's limit, in bytes.
    #[error("The request body is larger than this route's limit of {} KiB.", .limit / 1024)]
    PayloadTooLarge { limit: usize },
    /// 415: the body is not JSON.
    #[error("Send the body as JSON with Content-Type: application/json.")]
    UnsupportedMediaType,
    /// 422: valid fields, but the request cannot be applied (e.g. `unknown_payment`,
    /// `idempotency_conflict`).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// 422: readable, but some fields are not valid.
    #[error("Some fields are not valid.")]
    Validation(FieldErrors),
    /// 429: too many attempts; try again after `retry_after` seconds.
    #[error("Too many attempts. Try again in {retry_after} seconds.")]
    RateLimited { retry_after: u64 },
    /// 503: a dependency (the database) is not available.
    #[error("The service is temporarily unavailable.")]
    Unavailable,
    /// 500, or 503 when SQLite's writer lock was busy: the database failed. Its kind
    /// ([`Classify`]) decides the status and whether the transaction may be retried.
    #[error("database: {0}")]
    Database(#[source] diesel::result::Error),
    /// 500: a bug or an outage. The cause is kept and logged once, where the error is
    /// answered ([`ResponseError::error_response`]) or a job gives up; clients see only
    /// a generic message.
    #[error("internal error: {0}")]
    Internal(#[source] BoxError),
}

/// Any error, kept as the cause of an [`ApiError::Internal`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl ApiError {
    /// Whether this refuses a request for the client's own reason (bad input, unknown
    /// reference, conflict): the answer to that one request or event. Anything else
    /// (a database error, an outage) fails the whole transaction it happened in.
    pub fn is_rejection(&self) -> bool {
        matches!(
            self,
            Self::BadRequest { .. }
                | Self::BodyShape(_)
                | Self::NotFound
                | Self::Conflict { .. }
                | Self::Unprocessable { .. }
                | Self::Validation(_)
        )
    }

    /// 500 with its cause: an error, or a message (`"program 3 has a bad currency"`).
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        Self::Internal(cause.into())
    }

    /// Whether running the failed transaction again may succeed ([`Classify::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Database(e) if e.is_retryable())
    }

    /// Whether this is SQLite's writer lock not acquired within `busy_timeout`: load,
    /// not a bug (503, retry later).
    fn is_busy(&self) -> bool {
        matches!(self, Self::Database(e) if e.is_busy())
    }

    /// The error and its causes, `: `-joined, for the log.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        // The first source is already in the message of the wrapping variants.
        if source.is_some() {
            source = source.and_then(std::error::Error::source);
        }
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }

    /// 400 with a code and message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// 401 with a code and message.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unauthorized {
            code,
            message: message.into(),
            details: Map::new(),
        }
    }

    /// 409 with a code and message.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            details: Map::new(),
        }
    }

    /// 422 for a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(FieldErrors::from([(field.to_owned(), message.into())]))
    }

    /// The stable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unprocessable { code, .. } => code,
            Self::BodyShape(_) => "invalid_body",
            Self::Forbidden => "forbidden",
            Self::InsufficientScope(_) => "insufficient_scope",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Validation(_) => "validation_failed",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Database(_) if self.is_busy() => "unavailable",
            Self::Database(_) | Self::Internal(_) => "internal_error",
        }
    }

    /// The body sent to the client.
    pub fn body(&self) -> ErrorBody {
        let (message, details) = match self {
            Self::Unauthorized { details, .. } | Self::Conflict { details, .. } => {
                (self.to_string(), details.clone())
            }
            Self::Validation(fields) | Self::BodyShape(fields) => {
                let mut details = Map::new();
                details.insert("fields".into(), json!(fields));
                (self.to_string(), details)
            }
            Self::InsufficientScope(scope) => {
                let mut details = Map::new();
                details.insert("required_scope".into(), json!(scope));
                (self.to_string(), details)
            }
            Self::RateLimited { retry_after } => {
                let mut details = Map::new();
                details.insert("retry_after".into(), json!(retry_after));
                (self.to_string(), details)
            }
            Self::PayloadTooLarge { limit } => {
                let mut details = Map::new();
                details.insert("limit_bytes".into(), json!(limit));
                (self.to_string(), details)
            }
            Self::MethodNotAllowed { allow, .. } => {
                let mut details = Map::new();
                details.insert("allow".into(), json!(allow.split(", ").collect::<Vec<_>>()));
                (self.to_string(), details)
            }
            Self::Database(_) if self.is_busy() => (Self::Unavailable.to_string(), Map::new()),
            Self::Database(_) | Self::Internal(_) => {
                ("Something went wrong on our side.".into(), Map::new())
            }
            _ => (self.to_string(), Map::new()),
        };
        ErrorBody {
            error: self.code().to_owned(),
            message,
            details,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } | Self::BodyShape(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::InsufficientScope(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) | Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) if self.is_busy() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.is_busy() {
            tracing::warn!("database busy: writer lock not acquired within busy_timeout");
        } else if let Self::Database(_) | Self::Internal(_) = self {
            tracing::error!(error = %self.chain(), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        if let Self::RateLimited { retry_after } = self {
            response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        if let Self::MethodNotAllowed { allow, .. } = self
            && let Ok(value) = HeaderValue::from_str(allow)
        {
            response.insert_header((header::ALLOW, value));
        }
        if let Self::Unauthorized { .. } = self {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"partnerly\""),
            ));
        }
        response.json(self.body())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Database(e)
    }
}

impl From<partnerly_db::DbError> for ApiError {
    fn from(e: partnerly_db::DbError) -> Self {
        match e {
            partnerly_db::DbError::Pool(_) => Self::Unavailable,
            partnerly_db::DbError::Query(e) => Self::Database(e),
            other => Self::internal(other),
        }
    }
}

/// The engine's commission errors at the HTTP edge: refusals are 422 for the one event.
impl From<CommissionError> for ApiError {
    fn from(e: CommissionError) -> Self {
        match e {
            CommissionError::Refused { code, message } => Self::Unprocessable { code, message },
            CommissionError::Invalid(fields) => Self::Validation(fields),
            CommissionError::Database(e) => Self::Database(e),
            e @ CommissionError::Inconsistent { .. } => Self::internal(e),
        }
    }
}

/// A view that could not be built: a row it reads is gone (404), or the database or
/// the stored data failed.
impl From<ViewError> for ApiError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NotFound => Self::NotFound,
            ViewError::Database(e) => Self::Database(e),
            e @ ViewError::Inconsistent { .. } => Self::internal(e),
        }
    }
}

/// A manual adjustment refused: its fields (422), a reused idempotency key (422).
impl From<AdjustmentError> for ApiError {
    fn from(e: AdjustmentError) -> Self {
        match e {
            AdjustmentError::Invalid(fields) => Self::Validation(fields),
            AdjustmentError::IdempotencyConflict => crate::idempotency::conflict(),
            AdjustmentError::NotFound => Self::NotFound,
            AdjustmentError::Database(e) => Self::Database(e),
            e @ AdjustmentError::Inconsistent { .. } => Self::internal(e),
        }
    }
}

/// A reassignment refused: no such customer (404), no such membership (422).
impl From<CustomerError> for ApiError {
    fn from(e: CustomerError) -> Self {
        match e {
            CustomerError::NotFound => Self::NotFound,
            CustomerError::Invalid(fields) => Self::Validation(fields),
            CustomerError::Promotion(e) => e.into(),
            CustomerError::Database(e) => Self::Database(e),
            e @ CustomerError::Inconsistent { .. } => Self::internal(e),
        }
    }
}

/// A membership change refused: no such membership (404), a level of another program
/// (422).
impl From<MembershipError> for ApiError {
    fn from(e: MembershipError) -> Self {
        match e {
            MembershipError::NotFound => Self::NotFound,
            MembershipError::Invalid(fields) => Self::Validation(fields),
            MembershipError::Database(e) => Self::Database(e),
            e @ MembershipError::Inconsistent { .. } => Self::internal(e),
        }
    }
}

/// A track change request refused: no such request or membership (404), or a conflict
/// with its state (409, the message is the error's).
impl From<TrackRequestError> for ApiError {
    fn from(e: TrackRequestError) -> Self {
        let code = match e {
            TrackRequestError::NotFound => return Self::NotFound,
            TrackRequestError::Database(e) => return Self::Database(e),
            e @ TrackRequestError::Inconsistent { .. } => return Self::internal(e),
            TrackRequestError::AlreadyOnTrack(_) => "already_on_track",
            TrackRequestError::Pending => "track_request_pending",
            TrackRequestError::NoLevelOnTrack(_) => "no_level_on_track",
            TrackRequestError::AlreadyDecided => "track_request_decided",
        };
        Self::conflict(code, e.to_string())
    }
}

/// A value that could not be written as JSON (an audit entry's object): a bug.
impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        Self::internal(e)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

impl From<FieldErrors> for ApiError {
    fn from(fields: FieldErrors) -> Self {
        Self::Validation(fields)
    }
}

/// `field: message` of each field error, joined.
fn describe(fields: &FieldErrors) -> String {
    fields
        .iter()
        .map(|(field, message)| {
            if field.is_empty() {
                message.clone()
            } else {
                format!("{field}: {message}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Turns actix's JSON extractor errors into our body: syntax errors are 400
/// `malformed_json`, well-formed JSON of the wrong shape is 400 `invalid_body`.
pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge { limit: *limit },
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::bad_request(
            "invalid_body",
            format!("The request body does not match the expected shape: {e}."),
        ),
        JsonPayloadError::Deserialize(e) => ApiError::bad_request(
            "malformed_json",
            format!("The request body is not valid JSON: {e}."),
        ),
        _ => ApiError::bad_request("invalid_body", "The request body could not be read."),
    };
    api.into()
}

/// A body that serde could not read: syntax errors are 400 `malformed_json`,
/// well-formed JSON of the wrong shape is 400 `invalid_body`.
pub fn body_error(e: &serde_json::Error) -> ApiError {
    if e.is_data() {
        ApiError::bad_request(
            "invalid_body",
            format!("The request body does not match the expected shape: {e}."),
        )
    } else {
        ApiError::bad_request(
            "malformed_json",
            format!("The request body is not valid JSON: {e}."),
        )
    }
}

/// Query-string errors are 400 `invalid_query`.
pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(
        "invalid_query",
        format!("The query string is not valid: {err}."),
    )
    .into()
}

/// Path-segment errors (e.g. a non-numeric id) are 404: no such resource.
pub fn path_error(_err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

/// The answer for requests no route took: 405 with `Allow` when the path is documented
/// with other methods, otherwise 404.
pub fn unrouted(req: &HttpRequest) -> HttpResponse {
    let allow = req
        .app_data::<actix_web::web::Data<AllowedMethods>>()
        .and_then(|table| table.allow(req.path()));
    match allow {
        Some(allow) => ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow,
        },
        None => ApiError::NotFound,
    }
    .error_response()
}

/// The answer for API paths no route took (see [`unrouted`]).
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    unrouted(&req)
}

/// The engine's tracking errors at the HTTP edge.
impl From<partnerly_engine::tracking::TrackingError> for ApiError {
    fn from(e: partnerly_engine::tracking::TrackingError) -> Self {
        use partnerly_engine::tracking::TrackingError;
        match e {
            TrackingError::NotFound => Self::NotFound,
            TrackingError::Invalid(fields) => Self::Validation(fields),
            e @ TrackingError::TooManyLinks(_) => Self::conflict("link_limit", e.to_string()),
            e @ TrackingError::LinkDisabled => Self::conflict("link_disabled", e.to_string()),
            TrackingError::Database(e) => Self::Database(e),
            e @ TrackingError::Inconsistent(_) => Self::internal(e),
        }
    }
}
