//! The staff side of the API client: `/api/v1/admin/...` (programs and levels, API keys,
//! webhook endpoints and their delivery log, adjustments, partners, the audit log).
//!
//! Every call needs a signed-in staff member; the server decides which role may do what
//! and answers 403 `forbidden` otherwise, which pages show like any other failure.

use gloo_net::http::Method;
use leptos_router::params::ParamsMap;
use partnerly_domain::adjustment::{AdjustmentPage, AdjustmentView, CreateAdjustmentRequest};
use partnerly_domain::api_key::{ApiKeyList, CreateApiKeyRequest, CreatedApiKey};
use partnerly_domain::audit::AuditPage;
use partnerly_domain::deal::{AdminDealView, ChangeDealRequest, DealPage};
use partnerly_domain::level_settings::{CreateLevelRequest, LevelView, UpdateLevelRequest};
use partnerly_domain::membership::PartnerPage;
use partnerly_domain::program::{
    CreateProgramRequest, ProgramList, ProgramView, UpdateProgramRequest,
};
use partnerly_domain::webhook::{
    CreateWebhookEndpointRequest, UpdateWebhookEndpointRequest, WebhookDelivery,
    WebhookDeliveryPage, WebhookEndpoint, WebhookEndpointList,
};

use super::{ApiFailure, authed, encode, json};
use crate::session::Session;

/// A page of a list: `?page=…&per_page=…` plus the list's own filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// The filters, as `(name, value)`; empty values are left out.
    pub filters: Vec<(&'static str, String)>,
    /// 1-based.
    pub page: u32,
    /// At most 100.
    pub per_page: u32,
}

impl ListQuery {
    /// Page `page` of `per_page` items, without filters.
    pub fn page(page: u32, per_page: u32) -> Self {
        Self {
            filters: Vec::new(),
            page,
            per_page,
        }
    }

    /// `?action=…&page=…&per_page=…`, escaped.
    fn to_query_string(&self) -> String {
        let mut params = ParamsMap::new();
        for (name, value) in &self.filters {
            let value = value.trim();
            if !value.is_empty() {
                params.insert(*name, value.to_owned());
            }
        }
        params.insert("page", self.page.max(1).to_string());
        params.insert("per_page", self.per_page.to_string());
        params.to_query_string()
    }
}

async fn get<T: serde::de::DeserializeOwned>(
    session: Session,
    path: &str,
) -> Result<T, ApiFailure> {
    json(authed(session, Method::GET, path, None).await?).await
}

async fn send_json<T: serde::de::DeserializeOwned>(
    session: Session,
    method: Method,
    path: &str,
    body: &impl serde::Serialize,
) -> Result<T, ApiFailure> {
    let body = encode(body)?;
    json(authed(session, method, path, Some(&body)).await?).await
}

/// A request whose answer has no body to read (204, or one the page does not need).
async fn call(session: Session, method: Method, path: &str) -> Result<(), ApiFailure> {
    authed(session, method, path, None).await.map(drop)
}

// ---------------------------------------------------------------------------------------
// Programs and levels (managers and admins)
// ---------------------------------------------------------------------------------------

/// `GET /api/v1/admin/programs`: every program with its levels.
pub async fn programs(session: Session) -> Result<ProgramList, ApiFailure> {
    get(session, "/api/v1/admin/programs").await
}

/// `GET /api/v1/admin/programs/{id}`.
pub async fn program(session: Session, id: i64) -> Result<ProgramView, ApiFailure> {
    get(session, &format!("/api/v1/admin/programs/{id}")).await
}

/// `POST /api/v1/admin/programs`.
pub async fn create_program(
    session: Session,
    request: &CreateProgramRequest,
) -> Result<ProgramView, ApiFailure> {
    send_json(session, Method::POST, "/api/v1/admin/programs", request).await
}

/// `PATCH /api/v1/admin/programs/{id}`.
pub async fn update_program(
    session: Session,
    id: i64,
    request: &UpdateProgramRequest,
) -> Result<ProgramView, ApiFailure> {
    let path = format!("/api/v1/admin/programs/{id}");
    send_json(session, Method::PATCH, &path, request).await
}

/// `POST /api/v1/admin/programs/{id}/levels`.
pub async fn create_level(
    session: Session,
    program_id: i64,
    request: &CreateLevelRequest,
) -> Result<LevelView, ApiFailure> {
    let path = format!("/api/v1/admin/programs/{program_id}/levels");
    send_json(session, Method::POST, &path, request).await
}

/// `PATCH /api/v1/admin/levels/{id}`.
pub async fn update_level(
    session: Session,
    id: i64,
    request: &UpdateLevelRequest,
) -> Result<LevelView, ApiFailure> {
    let path = format!("/api/v1/admin/levels/{id}");
    send_json(session, Method::PATCH, &path, request).await
}

/// `DELETE /api/v1/admin/levels/{id}`.
pub async fn delete_level(session: Session, id: i64) -> Result<(), ApiFailure> {
    call(
        session,
        Method::DELETE,
        &format!("/api/v1/admin/levels/{id}"),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Partners (managers and admins)
// ---------------------------------------------------------------------------------------

/// `GET /api/v1/admin/partners?q=…`: partners whose name, email or public id matches.
pub async fn partners(session: Session, query: &ListQuery) -> Result<PartnerPage, ApiFailure> {
    let path = format!("/api/v1/admin/partners{}", query.to_query_string());
    get(session, &path).await
}

// ---------------------------------------------------------------------------------------
// Deals (managers and admins)
// ---------------------------------------------------------------------------------------

/// `GET /api/v1/admin/deals?status=…`: every partner's deals, newest first.
pub async fn deals(session: Session, query: &ListQuery) -> Result<DealPage, ApiFailure> {
    let path = format!("/api/v1/admin/deals{}", query.to_query_string());
    get(session, &path).await
}

/// `PATCH /api/v1/admin/deals/{id}`: closes a deal as won (with its amount) or lost, or
/// reopens it.
pub async fn change_deal(
    session: Session,
    id: i64,
    request: &ChangeDealRequest,
) -> Result<AdminDealView, ApiFailure> {
    let path = format!("/api/v1/admin/deals/{id}");
    send_json(session, Method::PATCH, &path, request).await
}

// ---------------------------------------------------------------------------------------
// API keys (admins)
// ---------------------------------------------------------------------------------------

/// `GET /api/v1/admin/api-keys`: every key, newest first, revoked ones included.
pub async fn api_keys(session: Session) -> Result<ApiKeyList, ApiFailure> {
    get(session, "/api/v1/admin/api-keys").await
}

/// `POST /api/v1/admin/api-keys`: the answer holds the secret, shown this once.
pub async fn create_api_key(
    session: Session,
    request: &CreateApiKeyRequest,
) -> Result<CreatedApiKey, ApiFailure> {
    send_json(session, Method::POST, "/api/v1/admin/api-keys", request).await
}

/// `DELETE /api/v1/admin/api-keys/{id}`: revokes the key.
pub async fn revoke_api_key(session: Session, id: i64) -> Result<(), ApiFailure> {
    call(
        session,
        Method::DELETE,
        &format!("/api/v1/admin/api-keys/{id}"),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Webhook endpoints (admins)
// ---------------------------------------------------------------------------------------

/// `GET /api/v1/admin/webhooks`: every endpoint, secrets masked.
pub async fn webhooks(session: Session) -> Result<Vec<WebhookEndpoint>, ApiFailure> {
    get::<WebhookEndpointList>(session, "/api/v1/admin/webhooks")
        .await
        .map(|list| list.items)
}

/// `GET /api/v1/admin/webhooks/{id}`.
pub async fn webhook(session: Session, id: i64) -> Result<WebhookEndpoint, ApiFailure> {
    get(session, &format!("/api/v1/admin/webhooks/{id}")).await
}

/// `POST /api/v1/admin/webhooks`: the answer holds the secret in full, this once.
pub async fn create_webhook(
    session: Session,
    request: &CreateWebhookEndpointRequest,
) -> Result<WebhookEndpoint, ApiFailure> {
    send_json(session, Method::POST, "/api/v1/admin/webhooks", request).await
}

/// `PATCH /api/v1/admin/webhooks/{id}`.
pub async fn update_webhook(
    session: Session,
    id: i64,
    request: &UpdateWebhookEndpointRequest,
) -> Result<WebhookEndpoint, ApiFailure> {
    let path = format!("/api/v1/admin/webhooks/{id}");
    send_json(session, Method::PATCH, &path, request).await
}

/// `DELETE /api/v1/admin/webhooks/{id}`: the endpoint and its delivery log.
pub async fn delete_webhook(session: Session, id: i64) -> Result<(), ApiFailure> {
    call(
        session,
        Method::DELETE,
        &format!("/api/v1/admin/webhooks/{id}"),
    )
    .await
}

/// `POST /api/v1/admin/webhooks/{id}/rotate-secret`: the new secret in full, this once.
pub async fn rotate_webhook_secret(
    session: Session,
    id: i64,
) -> Result<WebhookEndpoint, ApiFailure> {
    let path = format!("/api/v1/admin/webhooks/{id}/rotate-secret");
    json(authed(session, Method::POST, &path, None).await?).await
}

/// `POST /api/v1/admin/webhooks/{id}/test`: queues a `webhook.test` message.
pub async fn send_test_webhook(session: Session, id: i64) -> Result<WebhookDelivery, ApiFailure> {
    let path = format!("/api/v1/admin/webhooks/{id}/test");
    json(authed(session, Method::POST, &path, None).await?).await
}

/// `GET /api/v1/admin/webhooks/{id}/deliveries`: the delivery log, newest first.
pub async fn webhook_deliveries(
    session: Session,
    id: i64,
    query: &ListQuery,
) -> Result<WebhookDeliveryPage, ApiFailure> {
    let path = format!(
        "/api/v1/admin/webhooks/{id}/deliveries{}",
        query.to_query_string()
    );
    get(session, &path).await
}

/// `POST /api/v1/admin/webhooks/deliveries/{id}/redeliver`.
pub async fn redeliver_webhook(session: Session, id: i64) -> Result<WebhookDelivery, ApiFailure> {
    let path = format!("/api/v1/admin/webhooks/deliveries/{id}/redeliver");
    json(authed(session, Method::POST, &path, None).await?).await
}

// ---------------------------------------------------------------------------------------
// Adjustments (finance staff and admins)
// ---------------------------------------------------------------------------------------

/// `GET /api/v1/admin/adjustments`: newest first.
pub async fn adjustments(
    session: Session,
    query: &ListQuery,
) -> Result<AdjustmentPage, ApiFailure> {
    let path = format!("/api/v1/admin/adjustments{}", query.to_query_string());
    get(session, &path).await
}

/// `POST /api/v1/admin/adjustments`.
pub async fn create_adjustment(
    session: Session,
    request: &CreateAdjustmentRequest,
) -> Result<AdjustmentView, ApiFailure> {
    send_json(session, Method::POST, "/api/v1/admin/adjustments", request).await
}

// ---------------------------------------------------------------------------------------
// Audit log (admins)
// ---------------------------------------------------------------------------------------

/// `GET /api/v1/admin/audit-log`: newest first, filtered by actor, action or target.
pub async fn audit_log(session: Session, query: &ListQuery) -> Result<AuditPage, ApiFailure> {
    let path = format!("/api/v1/admin/audit-log{}", query.to_query_string());
    get(session, &path).await
}
