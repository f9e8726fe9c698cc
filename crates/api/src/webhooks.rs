//! TEMPORARY stand-in until the webhooks branch is merged: same signature as the real
//! `enqueue`, which queues one delivery per subscribed endpoint.

use partnerly_db::DbConn;

/// Queues `event_type` with `payload` for every subscribed endpoint.
pub fn enqueue(
    _conn: &mut DbConn,
    _event_type: &str,
    _payload: &serde_json::Value,
) -> diesel::QueryResult<usize> {
    Ok(0)
}
