//! Memberships (partner × program) as staff manage them (L3, L4, A1): whether one earns
//! ([`MembershipStatus`]), its level history and why each change happened
//! ([`LevelChangeReason`]), the admin API's partner list and detail, and the changes
//! staff make to a membership (level, rate override, status).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::PublicId;
use crate::account::Account;
use crate::error::{FieldErrors, Validator};
use crate::level::Track;
use crate::money::{Currency, Rate};
use crate::partner::LevelSummary;
use crate::profile::double_option;
use crate::text::parse_reason;
use crate::track_request::TrackRequestView;

/// Whether a membership earns.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// Earns commissions and attributes new customers.
    Active,
    /// Earns nothing and attributes nobody until a manager reactivates it.
    Suspended,
}

stored_as_text!(MembershipStatus, "membership status");

impl MembershipStatus {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            _ => None,
        }
    }
}

/// Why a membership's level changed.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LevelChangeReason {
    /// The partner joined the program.
    Enrolment,
    /// The partner met the level's threshold (L3).
    Promotion,
    /// A manager set the level.
    Manual,
    /// A manager approved the partner's track change.
    TrackChange,
}

stored_as_text!(LevelChangeReason, "level change reason");

impl LevelChangeReason {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enrolment => "enrolment",
            Self::Promotion => "promotion",
            Self::Manual => "manual",
            Self::TrackChange => "track_change",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "enrolment" => Some(Self::Enrolment),
            "promotion" => Some(Self::Promotion),
            "manual" => Some(Self::Manual),
            "track_change" => Some(Self::TrackChange),
            _ => None,
        }
    }
}

/// Who a partner is, in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PartnerRef {
    pub public_id: Option<PublicId>,
    pub email: String,
    /// "First Last", or the email when no name is set.
    pub name: String,
}

/// A membership as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdminMembershipView {
    pub id: i64,
    pub program_id: i64,
    pub program_name: String,
    pub currency: Currency,
    pub track: Track,
    pub level: LevelSummary,
    /// The partner's own percentage, replacing the level's (L4).
    pub rate_override: Option<Rate>,
    pub status: MembershipStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
}

/// A level, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LevelRef {
    pub id: i64,
    pub name: String,
}

/// One entry of a membership's level history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LevelChangeView {
    pub id: i64,
    /// `None` for the enrolment.
    pub from_level: Option<LevelRef>,
    pub to_level: LevelRef,
    pub reason: LevelChangeReason,
    /// The staff member who made a manual or track change.
    pub actor_id: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A membership with its history, in a partner's detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MembershipDetail {
    #[serde(flatten)]
    pub membership: AdminMembershipView,
    /// Newest first.
    pub level_history: Vec<LevelChangeView>,
    /// Newest first.
    pub track_requests: Vec<TrackRequestView>,
}

/// A partner in the staff's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PartnerSummary {
    pub account: Account,
    pub memberships: Vec<AdminMembershipView>,
}

page_type! {
    /// `GET /api/v1/admin/partners`.
    pub type PartnerPage = Page<PartnerSummary>;
}

/// `GET /api/v1/admin/partners/{public_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PartnerDetail {
    pub account: Account,
    pub memberships: Vec<MembershipDetail>,
}

/// `PATCH /api/v1/admin/memberships/{id}`: absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMembershipRequest {
    /// A level of the membership's program; the change is recorded in the level
    /// history as `manual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_id: Option<i64>,
    /// A percentage replacing the level's (L4); `null` removes it.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(
        value_type = Option<String>,
        example = "35",
        max_length = 8,
        pattern = "^(?:(?:0{0,2}[1-9]|0?[1-9][0-9])(?:\\.[0-9]{1,4})?|0{1,3}\\.(?:[1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9])|100(?:\\.0{1,4})?)$"
    )]
    pub rate_override: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MembershipStatus>,
    /// Why, for the audit log (at most 500 characters).
    // What `parse_reason` accepts: no control characters but tabs and newlines once
    // the white space around it is trimmed; blank is no reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 500,
        pattern = "^[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*(?:[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000])?[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*)?$"
    )]
    pub reason: Option<String>,
}

/// A validated membership change; `None` means "leave as is".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MembershipChanges {
    pub level_id: Option<i64>,
    pub rate_override: Option<Option<Rate>>,
    pub status: Option<MembershipStatus>,
    pub reason: Option<String>,
}

impl UpdateMembershipRequest {
    /// Validates the present fields.
    pub fn validate(&self) -> Result<MembershipChanges, FieldErrors> {
        let mut v = Validator::new();
        let rate_override = match &self.rate_override {
            Some(Some(raw)) => v.check("rate_override", Rate::parse(raw)).map(Some),
            Some(None) => Some(None),
            None => None,
        };
        let reason = self
            .reason
            .as_deref()
            .and_then(|r| v.check("reason", parse_reason(r, false)))
            .flatten();
        v.finish()?;
        Ok(MembershipChanges {
            level_id: self.level_id,
            rate_override,
            status: self.status,
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_refused_in_every_request() {
        assert!(
            serde_json::from_str::<UpdateMembershipRequest>(r#"{"track": "integrator"}"#).is_err()
        );
    }

    #[test]
    fn a_rate_override_can_be_set_or_removed() {
        let set: UpdateMembershipRequest =
            serde_json::from_str(r#"{"rate_override": "35"}"#).unwrap();
        assert_eq!(
            set.validate().unwrap().rate_override,
            Some(Some(Rate::parse("35").unwrap()))
        );
        let clear: UpdateMembershipRequest =
            serde_json::from_str(r#"{"rate_override": null}"#).unwrap();
        assert_eq!(clear.validate().unwrap().rate_override, Some(None));
        let bad: UpdateMembershipRequest =
            serde_json::from_str(r#"{"rate_override": "0"}"#).unwrap();
        assert!(bad.validate().unwrap_err().contains_key("rate_override"));
    }
}
