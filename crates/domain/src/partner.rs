//! What a partner sees of their programs: memberships, links, balances, commissions and
//! the dashboard figures (S1, L5, C5).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::ledger::Balance;
use crate::level::{LineKind, RuleDuration, Threshold, Track};
use crate::membership::MembershipStatus;
use crate::money::{Currency, MoneyView, Rate};

/// A level as partners see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LevelSummary {
    pub id: i64,
    pub name: String,
    pub position: i32,
    pub track: Track,
    /// Flat amount on a customer's first payment.
    pub flat_first_payment: Option<MoneyView>,
    /// Percentage of payments within `duration`.
    pub percent: Option<Rate>,
    pub duration: RuleDuration,
    /// What the referred client receives.
    pub client_bonus: Option<MoneyView>,
    /// What promotes a partner to this level.
    pub threshold: Option<Threshold>,
}

/// A partner's membership of one program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MembershipView {
    pub id: i64,
    pub program_id: i64,
    pub program_name: String,
    pub currency: Currency,
    pub track: Track,
    pub level: LevelSummary,
    /// The partner's own percentage when a manager set one (replaces the level's).
    pub rate_override: Option<Rate>,
    pub status: MembershipStatus,
    pub hold_days: i32,
    pub minimum_payout: MoneyView,
    pub rules_text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
}

/// `GET /api/v1/me/programs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MembershipList {
    pub items: Vec<MembershipView>,
}

/// `GET /api/v1/me/balances`: one entry per currency the partner has money in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Balances {
    pub balances: Vec<Balance>,
}

/// The state of a commission line.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommissionStatus {
    /// In the hold period.
    Pending,
    /// Released: counts toward the available balance.
    Available,
    /// Fully reversed by refunds or chargebacks.
    Reversed,
}

stored_as_text!(CommissionStatus, "commission status");

impl CommissionStatus {
    /// Every status, in the order a commission goes through them.
    pub const ALL: [CommissionStatus; 3] = [Self::Pending, Self::Available, Self::Reversed];

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "available" => Some(Self::Available),
            "reversed" => Some(Self::Reversed),
            _ => None,
        }
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Available => "available",
            Self::Reversed => "reversed",
        }
    }
}

/// One commission line, traceable to its payment and rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommissionView {
    pub id: i64,
    pub program_name: String,
    pub status: CommissionStatus,
    pub kind: LineKind,
    /// The percentage applied (percentage lines).
    pub rate: Option<Rate>,
    pub amount: MoneyView,
    /// How much refunds and chargebacks took back.
    pub reversed: MoneyView,
    /// The level whose rule produced it, and the rule's version.
    pub level_name: String,
    pub rule_version: i32,
    /// The vendor's payment id, its amount and date.
    pub payment_id: String,
    pub payment_amount: MoneyView,
    /// When the customer paid the payment that earned this line: the date partners see,
    /// the list's order and what its `from`/`to` filters apply to. Every commission line
    /// comes from a payment (`payment_id` is required), so this is always the payment's
    /// own date, never when the line was written (`created_at`).
    #[serde(with = "time::serde::rfc3339")]
    pub paid_at: OffsetDateTime,
    /// The customer, masked (`j***@example.com`) so partners see whom without the
    /// full address.
    pub customer: String,
    /// When the hold ends (or ended).
    #[serde(with = "time::serde::rfc3339")]
    pub available_at: OffsetDateTime,
    /// When the line was written (when Partnerly processed the payment event).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

page_type! {
    /// A page of commissions by payment date, newest first.
    pub type CommissionPage = Page<CommissionView>;
}

/// Customers by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct CustomerCounts {
    pub active: u64,
    pub frozen: u64,
    pub deleted: u64,
    /// Customers who paid at least once.
    pub paying: u64,
}

/// Progress toward the next level of the track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NextLevel {
    pub name: String,
    pub threshold: Threshold,
    /// 0 to 1.
    #[schema(value_type = String, example = "0.4")]
    pub progress: Decimal,
    /// What is left, in words: "3 more paying customers".
    pub remaining: String,
    /// The next level's percentage.
    pub percent: Option<Rate>,
}

/// The dashboard figures of one membership (S1, L5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MembershipStats {
    pub membership_id: i64,
    pub program_name: String,
    pub level: String,
    /// The percentage the partner earns now (override or level).
    pub current_rate: Option<Rate>,
    /// The flat first-payment amount of the level, if any.
    pub flat_first_payment: Option<MoneyView>,
    pub next_level: Option<NextLevel>,
    pub customers: CustomerCounts,
    /// Payments made by the partner's customers.
    pub successful_sales: u64,
    /// Paid minus refunded, per currency.
    pub revenue: Vec<MoneyView>,
}

/// `GET /api/v1/me/stats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub memberships: Vec<MembershipStats>,
    /// Per currency, across programs.
    pub balances: Vec<Balance>,
}

/// Masks an email for display to a partner: `jane@example.com` → `j***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_commission_status_round_trips_its_stored_name() {
        let parsed = CommissionStatus::ALL.map(|s| CommissionStatus::parse(s.as_str()));
        assert_eq!(parsed, CommissionStatus::ALL.map(Some));
    }

    #[test]
    fn emails_are_masked_to_their_first_letter_and_domain() {
        assert_eq!(mask_email("jane@example.com"), "j***@example.com");
        assert_eq!(mask_email("not-an-email"), "***");
    }
}
