//! Inviting prospects by email with a referral link (T4): one or more addresses and a
//! message the partner may edit; each invitation is recorded with its link and shows
//! whether it led to a sign-up.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::email::Email;
use crate::error::{FieldErrors, Validator};

/// Most addresses one request invites.
pub const MAX_INVITEES: usize = 20;
/// Longest message.
pub const MAX_INVITATION_MESSAGE_LEN: usize = 1_000;

/// The OpenAPI schema of `emails`: 1 to 20 addresses of at most 254 characters.
fn emails_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(3))
                .max_length(Some(254)),
        )
        .min_items(Some(1))
        .max_items(Some(MAX_INVITEES))
        .description(Some("1 to 20 addresses."))
        .build()
}

/// `POST /api/v1/links/{id}/invitations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// 1 to 20 addresses.
    #[schema(schema_with = emails_schema)]
    pub emails: Vec<String>,
    /// The partner's words; the link is added below them.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub message: String,
}

/// A validated [`InviteRequest`]: distinct normalised addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub emails: Vec<String>,
    pub message: String,
}

impl InviteRequest {
    pub fn validate(&self) -> Result<Invite, FieldErrors> {
        let mut v = Validator::new();
        if self.emails.is_empty() {
            v.add("emails", "Enter at least one address.");
        } else if self.emails.len() > MAX_INVITEES {
            v.add(
                "emails",
                format!("Invite at most {MAX_INVITEES} addresses at once."),
            );
        }
        let mut emails: Vec<String> = Vec::new();
        for (i, raw) in self.emails.iter().enumerate() {
            if let Some(email) = v.check(
                &format!("emails.{i}"),
                Email::parse(raw).map_err(|e| e.to_string()),
            ) && !emails.iter().any(|e| e == email.as_str())
            {
                emails.push(email.as_str().to_owned());
            }
        }
        if self.message.chars().count() > MAX_INVITATION_MESSAGE_LEN {
            v.add(
                "message",
                format!("A message has at most {MAX_INVITATION_MESSAGE_LEN} characters."),
            );
        } else if self
            .message
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            v.add("message", "A message cannot contain control characters.");
        }
        v.finish()?;
        Ok(Invite {
            emails,
            message: self.message.trim().to_owned(),
        })
    }
}

/// One invitation as its partner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvitationView {
    pub id: i64,
    pub link_id: i64,
    pub email: String,
    pub message: String,
    /// A customer of this link signed up with this address.
    pub signed_up: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
}

/// A link's invitations, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<InvitationView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_one_by_one_and_deduplicated() {
        let request = |emails: &[&str], message: &str| InviteRequest {
            emails: emails.iter().map(|e| e.to_string()).collect(),
            message: message.into(),
        };
        let ok = request(&["A@x.example", "a@x.example ", "b@x.example"], " Hi ")
            .validate()
            .unwrap();
        assert_eq!(ok.emails, ["a@x.example", "b@x.example"]);
        assert_eq!(ok.message, "Hi");
        let bad = request(&["a@x.example", "nope"], "")
            .validate()
            .unwrap_err();
        assert!(bad.contains_key("emails.1"), "{bad:?}");
        assert!(
            request(&[], "")
                .validate()
                .unwrap_err()
                .contains_key("emails")
        );
        let many: Vec<String> = (0..21).map(|i| format!("p{i}@x.example")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(request(&many, "").validate().is_err());
        assert!(
            request(&["a@x.example"], &"m".repeat(1001))
                .validate()
                .is_err()
        );
    }
}
