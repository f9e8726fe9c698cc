//! The one error body every API response uses, and field errors for forms.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Field name → human-readable problem; shown beside the field in the portal.
pub type FieldErrors = BTreeMap<String, String>;

/// The body of every 4xx/5xx answer: a stable machine code, a sentence for people, and
/// details (for validation errors, one message per field under `details.fields`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "error": "validation_failed",
    "message": "Some fields are not valid.",
    "details": {"fields": {"email": "Enter a valid email address."}}
}))]
pub struct ErrorBody {
    /// Stable `snake_case` code; clients branch on this, never on the message.
    pub error: String,
    /// A sentence fit to show a person.
    pub message: String,
    /// Extra structured information; `fields` maps a request field to its problem.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(value_type = Object)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl ErrorBody {
    /// The per-field messages of a validation error, if any.
    pub fn field_errors(&self) -> FieldErrors {
        self.details
            .get("fields")
            .and_then(|v| v.as_object())
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Collects per-field problems while a request is validated, so that a form learns about
/// every bad field at once rather than one per round trip.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Validator {
    errors: FieldErrors,
}

impl Validator {
    /// A validator with no problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs a parse and keeps its value, or records its message under `field`.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Records a problem with `field` (the first one recorded for a field wins).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// `Ok(())` when nothing was recorded, otherwise every problem found.
    pub fn finish(self) -> Result<(), FieldErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}
