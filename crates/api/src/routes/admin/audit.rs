//! The audit log as admins read it (A6): every recorded change, newest first, filtered
//! by actor, action or target.

use actix_web::{get, web};
use partnerly_db::audit::{AuditEntry, AuditFilter};
use partnerly_db::user::User;
use partnerly_domain::ErrorBody;
use partnerly_domain::audit::{AuditActor, AuditEntry as AuditEntryView, AuditPage};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::paging::Paging;
use crate::state::AppState;

/// Filters and paging of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only changes made by this account.
    pub actor_id: Option<i64>,
    /// Only this action, e.g. `api_key.revoke`.
    pub action: Option<String>,
    /// Only changes to this kind of object, e.g. `api_key`.
    pub target_type: Option<String>,
    /// Only changes to the object with this id.
    pub target_id: Option<i64>,
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64, default = 1)]
    pub page: Option<u32>,
    /// Entries per page (default 20, at most 100).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// A stored JSON text as a value; text that is not JSON (never written by Partnerly) is
/// shown as a string rather than failing the whole page.
fn json_value(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

fn non_blank(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// List the audit log, newest first (admins only).
#[utoipa::path(
    tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: page or per_page out of range.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/audit-log")]
pub async fn list_audit_log(
    state: web::Data<AppState>,
    _admin: AdminUser,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<AuditPage>, ApiError> {
    let paging = Paging::new(query.page, query.per_page)?;
    let filter = AuditFilter {
        actor_id: query.actor_id,
        action: non_blank(query.action.as_deref()),
        target_type: non_blank(query.target_type.as_deref()),
        target_id: query.target_id,
    };
    let (rows, total, emails) = state
        .db(move |conn| {
            let (rows, total) = AuditEntry::list(conn, &filter, paging.offset(), paging.limit())?;
            let mut actors: Vec<i64> = rows.iter().filter_map(|e| e.actor_id).collect();
            actors.sort_unstable();
            actors.dedup();
            let emails = User::emails(conn, &actors)?;
            Ok((rows, total, emails))
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|e| AuditEntryView {
            id: e.id,
            actor: e.actor_id.map(|id| AuditActor {
                id,
                email: emails.get(&id).cloned(),
            }),
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            reason: e.reason,
            before: e.before_json.map(json_value),
            after: e.after_json.map(json_value),
            at: partnerly_db::utc(e.at),
        })
        .collect();
    Ok(web::Json(paging.page_of(items, total)))
}
