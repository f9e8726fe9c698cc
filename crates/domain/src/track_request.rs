//! Track change requests (L3): a partner asks to move to the other track, a manager
//! approves or rejects it ([`TrackRequestStatus`]); the partner's request and the
//! staff's views.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};
use crate::level::Track;
use crate::membership::PartnerRef;

/// Longest message of a track change request, in characters.
pub const MAX_TRACK_MESSAGE_LEN: usize = 2_000;

/// Where a partner's request to change track stands.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrackRequestStatus {
    Pending,
    Approved,
    Rejected,
}

stored_as_text!(TrackRequestStatus, "track request status");

impl TrackRequestStatus {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// `POST /api/v1/me/programs/{membership_id}/track-request`: a partner asks to move to
/// the other track (L3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTrackRequest {
    pub to_track: Track,
    /// Why, for the manager (at most 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub message: String,
}

impl CreateTrackRequest {
    /// The trimmed message, checked (at most 2000 characters as sent).
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let message = self.message.trim();
        let mut v = Validator::new();
        if self.message.chars().count() > MAX_TRACK_MESSAGE_LEN {
            v.add(
                "message",
                format!("A message has at most {MAX_TRACK_MESSAGE_LEN} characters."),
            );
        }
        v.finish().map(|()| message.to_owned())
    }
}

/// A track change request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrackRequestView {
    pub id: i64,
    pub membership_id: i64,
    pub program_id: i64,
    pub program_name: String,
    pub partner: PartnerRef,
    /// The membership's track now.
    pub current_track: Track,
    pub to_track: Track,
    pub message: String,
    pub status: TrackRequestStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// The staff member who decided.
    pub decided_by: Option<i64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

page_type! {
    /// `GET /api/v1/admin/track-requests`.
    pub type TrackRequestPage = Page<TrackRequestView>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits_count_the_white_space_as_sent() {
        let track = |message: String| CreateTrackRequest {
            to_track: Track::Integrator,
            message,
        };
        assert!(track("m".repeat(MAX_TRACK_MESSAGE_LEN)).validate().is_ok());
        assert!(
            track(format!("{} ", "m".repeat(MAX_TRACK_MESSAGE_LEN)))
                .validate()
                .is_err()
        );
    }
}
