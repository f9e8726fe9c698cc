//! Who someone is to Partnerly: their role and the account the API shows them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::PublicId;

/// What an account may do. Partners use the portal; the three staff roles use the admin
/// routes (`/api/v1/admin/...`).
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A referral partner, reseller or integrator.
    Partner,
    /// A program manager: partners, levels, content.
    Manager,
    /// Finance staff: payouts, adjustments.
    Finance,
    /// Everything, including staff accounts, API keys and the outbox.
    Admin,
}

stored_as_text!(Role, "role");

impl Role {
    /// All roles, in the order they are listed to people.
    pub const ALL: [Role; 4] = [Role::Partner, Role::Manager, Role::Finance, Role::Admin];

    /// The stable name stored in the database and sent in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Partner => "partner",
            Role::Manager => "manager",
            Role::Finance => "finance",
            Role::Admin => "admin",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// Whether the role is one of the staff roles.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Partner)
    }
}

/// The signed-in account as the API shows it (`GET /api/v1/me`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Account {
    /// Public id (`A123456` / `P123456`); staff accounts have none.
    pub public_id: Option<PublicId>,
    pub role: Role,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Phone number as entered, e.g. `+44 20 7946 0958`.
    pub phone: Option<String>,
    /// The country the partner targets, ISO 3166-1 alpha-2 (`DE`).
    pub country: Option<String>,
    /// The currency the partner wants payouts in, ISO 4217 (`EUR`).
    pub payout_currency: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Account {
    /// "First Last", or the email when no name is set.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name);
        let name = name.trim();
        if name.is_empty() {
            self.email.clone()
        } else {
            name.to_owned()
        }
    }
}
