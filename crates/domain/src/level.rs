//! Levels and their commission rules (L2–L4, C1): what a payment earns under a level,
//! who gets promoted, and how much of a commission a refund takes back. Pure functions,
//! property-tested; the server stores and applies their results.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};
use utoipa::ToSchema;

use crate::money::{Money, MoneyError, Rate};

/// The two kinds of partner a program can have levels for.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    /// Sends links; earns for introductions (Iron, Bronze).
    Referral,
    /// Sells, consults and integrates (Silver, Gold, Platinum).
    Integrator,
}

stored_as_text!(Track, "track");

impl Track {
    /// Every track, in the order they are offered.
    pub const ALL: [Track; 2] = [Track::Referral, Track::Integrator];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Track::Referral => "referral",
            Track::Integrator => "integrator",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "referral" => Some(Track::Referral),
            "integrator" => Some(Track::Integrator),
            _ => None,
        }
    }
}

/// For how long a customer's payments earn the partner a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleDuration {
    /// Only the customer's first payment. (Variants are written `{}` so that
    /// `deny_unknown_fields` holds for them too: serde ignores it on unit variants of
    /// a tagged enum.)
    FirstPayment {},
    /// Payments made within `months` months of the customer's first payment.
    Months {
        /// 1 to 120.
        #[schema(minimum = 1, maximum = 120)]
        months: u16,
    },
    /// Every payment, for as long as the customer pays.
    Lifetime {},
}

/// Which [`RuleDuration`] a level has, as stored (`levels.duration_kind`; the months of
/// `Months` are a column of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum DurationKind {
    FirstPayment,
    Months,
    Lifetime,
}

stored_as_text!(DurationKind, "duration kind");

impl DurationKind {
    /// Every kind, in the order they are offered.
    pub const ALL: [DurationKind; 3] = [Self::FirstPayment, Self::Months, Self::Lifetime];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstPayment => "first_payment",
            Self::Months => "months",
            Self::Lifetime => "lifetime",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "first_payment" => Some(Self::FirstPayment),
            "months" => Some(Self::Months),
            "lifetime" => Some(Self::Lifetime),
            _ => None,
        }
    }

    /// The kind of a duration.
    pub fn of(duration: RuleDuration) -> Self {
        match duration {
            RuleDuration::FirstPayment {} => Self::FirstPayment,
            RuleDuration::Months { .. } => Self::Months,
            RuleDuration::Lifetime {} => Self::Lifetime,
        }
    }
}

/// A level's commission rule: a flat amount on a customer's first payment, a
/// percentage of payments, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommissionRule {
    /// Paid once, on the customer's first payment, in the program's currency.
    pub flat_first_payment: Option<Money>,
    /// Of each payment within the duration, in the payment's currency.
    pub percent: Option<Rate>,
    pub duration: RuleDuration,
}

/// What the rule needs to know about a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentFacts {
    pub amount: Money,
    /// When this payment was made.
    pub paid_at: OffsetDateTime,
    /// When the customer's first payment was made (equal to `paid_at` for the first).
    pub first_paid_at: OffsetDateTime,
    /// Whether this is the customer's first payment.
    pub is_first: bool,
}

/// One line a payment earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommissionLine {
    pub kind: LineKind,
    pub amount: Money,
    /// The percentage applied, for percentage lines.
    pub rate: Option<Rate>,
}

/// Whether a line is the flat first-payment amount or a percentage.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Flat,
    Percent,
}

stored_as_text!(LineKind, "commission line kind");

impl LineKind {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Flat => "flat",
            LineKind::Percent => "percent",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "flat" => Some(LineKind::Flat),
            "percent" => Some(LineKind::Percent),
            _ => None,
        }
    }
}

/// Adds calendar months, clamping the day to the target month's length
/// (Jan 31 + 1 month = Feb 28/29).
pub fn add_months(date: Date, months: u32) -> Date {
    let total =
        i64::from(date.year()) * 12 + i64::from(u8::from(date.month()) - 1) + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).unwrap_or(i32::MAX);
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(Month::January);
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

impl CommissionRule {
    /// Whether a payment made at `paid_at` is inside the rule's duration.
    pub fn covers(&self, facts: &PaymentFacts) -> bool {
        match self.duration {
            RuleDuration::FirstPayment {} => facts.is_first,
            RuleDuration::Lifetime {} => true,
            RuleDuration::Months { months } => {
                let end_date = add_months(facts.first_paid_at.date(), u32::from(months));
                let end = facts.first_paid_at.replace_date(end_date);
                facts.paid_at < end
            }
        }
    }

    /// The lines a payment earns. `rate_override` (L4) replaces the level's percentage.
    /// Each line is rounded once; a line that rounds to zero is left out.
    pub fn lines(
        &self,
        rate_override: Option<Rate>,
        facts: &PaymentFacts,
    ) -> Result<Vec<CommissionLine>, MoneyError> {
        let mut lines = Vec::new();
        if facts.is_first
            && let Some(flat) = self.flat_first_payment
            && flat.is_positive()
        {
            lines.push(CommissionLine {
                kind: LineKind::Flat,
                amount: flat,
                rate: None,
            });
        }
        if let Some(rate) = rate_override.or(self.percent)
            && self.covers(facts)
        {
            let amount = rate.of(facts.amount)?;
            if amount.is_positive() {
                lines.push(CommissionLine {
                    kind: LineKind::Percent,
                    amount,
                    rate: Some(rate),
                });
            }
        }
        Ok(lines)
    }
}

/// How much of a commission has been reversed once `refunded_total` of the payment
/// has been refunded: the commission's share of the refund, rounded once. Working
/// from cumulative totals means a payment refunded in many parts reverses exactly the
/// whole commission in the end, never a cent more or less.
pub fn reversed_total(commission: i64, payment: i64, refunded_total: i64) -> i64 {
    if payment <= 0 || commission <= 0 {
        return 0;
    }
    let refunded = refunded_total.clamp(0, payment);
    if refunded == payment {
        return commission;
    }
    let share = Decimal::from(commission) * Decimal::from(refunded) / Decimal::from(payment);
    let rounded =
        share.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven);
    i64::try_from(rounded)
        .unwrap_or(commission)
        .clamp(0, commission)
}

/// What promotes a membership to a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Threshold {
    /// At least this many customers who paid at least once.
    PayingCustomers { count: u32 },
    /// At least this much paid by the partner's customers, in the program's currency
    /// (minor units).
    SalesVolume { minor: i64 },
}

/// Which [`Threshold`] a level has, as stored (`levels.threshold_kind`; its value is a
/// column of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
pub enum ThresholdKind {
    PayingCustomers,
    SalesVolume,
}

stored_as_text!(ThresholdKind, "threshold kind");

impl ThresholdKind {
    /// Every kind, in the order they are offered.
    pub const ALL: [ThresholdKind; 2] = [Self::PayingCustomers, Self::SalesVolume];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PayingCustomers => "paying_customers",
            Self::SalesVolume => "sales_volume",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "paying_customers" => Some(Self::PayingCustomers),
            "sales_volume" => Some(Self::SalesVolume),
            _ => None,
        }
    }

    /// The kind of a threshold.
    pub fn of(threshold: Threshold) -> Self {
        match threshold {
            Threshold::PayingCustomers { .. } => Self::PayingCustomers,
            Threshold::SalesVolume { .. } => Self::SalesVolume,
        }
    }
}

/// A membership's progress figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub paying_customers: u32,
    /// In the program's currency, minor units.
    pub sales_volume: i64,
}

impl Threshold {
    /// Whether the progress meets the threshold.
    pub fn met_by(self, progress: Progress) -> bool {
        match self {
            Threshold::PayingCustomers { count } => progress.paying_customers >= count,
            Threshold::SalesVolume { minor } => progress.sales_volume >= minor,
        }
    }

    /// How far along the progress is, from 0 to 1.
    pub fn fraction(self, progress: Progress) -> Decimal {
        let (have, need) = match self {
            Threshold::PayingCustomers { count } => {
                (i64::from(progress.paying_customers), i64::from(count))
            }
            Threshold::SalesVolume { minor } => (progress.sales_volume, minor),
        };
        if need <= 0 {
            return Decimal::ONE;
        }
        (Decimal::from(have.max(0)) / Decimal::from(need)).min(Decimal::ONE)
    }
}

/// A level for promotion purposes: its position (higher is better) and threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rung {
    pub level_id: i64,
    pub position: i32,
    pub threshold: Option<Threshold>,
}

/// The level a membership should be on: the highest rung (of its track) whose threshold
/// the progress meets, but never lower than `current` — promotion only moves up (L3);
/// moving down is a manager's decision.
pub fn promoted_level(rungs: &[Rung], current: Rung, progress: Progress) -> Rung {
    rungs
        .iter()
        .filter(|r| r.position > current.position)
        .filter(|r| r.threshold.is_some_and(|t| t.met_by(progress)))
        .max_by_key(|r| r.position)
        .copied()
        .unwrap_or(current)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    use super::*;
    use crate::money::Currency;

    #[test]
    fn every_track_and_kind_round_trips_its_stored_name() {
        assert_eq!(
            Track::ALL.map(|t| Track::parse(t.as_str())),
            Track::ALL.map(Some)
        );
        let durations = DurationKind::ALL.map(|k| DurationKind::parse(k.as_str()));
        assert_eq!(durations, DurationKind::ALL.map(Some));
        let thresholds = ThresholdKind::ALL.map(|k| ThresholdKind::parse(k.as_str()));
        assert_eq!(thresholds, ThresholdKind::ALL.map(Some));
    }

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("USD").unwrap())
    }

    fn facts(amount: i64, first: OffsetDateTime, paid: OffsetDateTime) -> PaymentFacts {
        PaymentFacts {
            amount: usd(amount),
            paid_at: paid,
            first_paid_at: first,
            is_first: first == paid,
        }
    }

    #[test]
    fn months_are_calendar_months_clamped_to_the_month_end() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 11 - 15), 12), date!(2027 - 11 - 15));
        assert_eq!(add_months(date!(2026 - 12 - 01), 1), date!(2027 - 01 - 01));
    }

    #[test]
    fn iron_pays_a_flat_amount_on_the_first_payment_only() {
        let iron = CommissionRule {
            flat_first_payment: Some(usd(2500)),
            percent: None,
            duration: RuleDuration::FirstPayment {},
        };
        let first = datetime!(2026-01-10 12:00 UTC);
        let lines = iron.lines(None, &facts(4900, first, first)).unwrap();
        assert_eq!(
            lines,
            vec![CommissionLine {
                kind: LineKind::Flat,
                amount: usd(2500),
                rate: None
            }]
        );
        let later = iron
            .lines(None, &facts(4900, first, datetime!(2026-02-10 12:00 UTC)))
            .unwrap();
        assert!(later.is_empty());
    }

    #[test]
    fn bronze_pays_twenty_percent_for_twelve_months() {
        let bronze = CommissionRule {
            flat_first_payment: None,
            percent: Some(Rate::parse("20").unwrap()),
            duration: RuleDuration::Months { months: 12 },
        };
        let first = datetime!(2026-01-10 12:00 UTC);
        let in_month_12 = bronze
            .lines(None, &facts(4900, first, datetime!(2027-01-10 11:59 UTC)))
            .unwrap();
        assert_eq!(in_month_12[0].amount, usd(980));
        let after = bronze
            .lines(None, &facts(4900, first, datetime!(2027-01-10 12:00 UTC)))
            .unwrap();
        assert!(after.is_empty());
    }

    #[test]
    fn an_override_replaces_the_levels_percentage() {
        let rule = CommissionRule {
            flat_first_payment: None,
            percent: Some(Rate::parse("20").unwrap()),
            duration: RuleDuration::Lifetime {},
        };
        let first = datetime!(2026-01-10 12:00 UTC);
        let lines = rule
            .lines(
                Some(Rate::parse("35").unwrap()),
                &facts(10000, first, first),
            )
            .unwrap();
        assert_eq!(lines[0].amount, usd(3500));
        assert_eq!(lines[0].rate, Some(Rate::parse("35").unwrap()));
    }

    #[test]
    fn promotion_picks_the_highest_met_threshold_and_never_demotes() {
        let rung = |id, position, count: Option<u32>| Rung {
            level_id: id,
            position,
            threshold: count.map(|count| Threshold::PayingCustomers { count }),
        };
        let rungs = [rung(1, 1, None), rung(2, 2, Some(5)), rung(3, 3, Some(15))];
        let progress = |n| Progress {
            paying_customers: n,
            sales_volume: 0,
        };
        assert_eq!(promoted_level(&rungs, rungs[0], progress(4)).level_id, 1);
        assert_eq!(promoted_level(&rungs, rungs[0], progress(5)).level_id, 2);
        assert_eq!(promoted_level(&rungs, rungs[0], progress(20)).level_id, 3);
        assert_eq!(promoted_level(&rungs, rungs[2], progress(0)).level_id, 3);
    }

    #[test]
    fn a_partial_refund_reverses_the_same_share_of_the_commission() {
        assert_eq!(reversed_total(980, 4900, 2450), 490);
        assert_eq!(reversed_total(980, 4900, 4900), 980);
        assert_eq!(reversed_total(980, 4900, 9999), 980);
        assert_eq!(reversed_total(980, 4900, 0), 0);
    }

    proptest! {
        #[test]
        fn refunds_in_any_number_of_parts_reverse_exactly_the_commission(
            commission in 1_i64..1_000_000, payment in 1_i64..10_000_000,
            parts in proptest::collection::vec(1_u32..100, 1..10),
        ) {
            let weight: u32 = parts.iter().sum();
            let mut refunded = 0_i64;
            let mut reversed = 0_i64;
            for (i, part) in parts.iter().enumerate() {
                refunded = if i + 1 == parts.len() { payment } else { refunded + payment * i64::from(*part) / i64::from(weight) };
                let target = reversed_total(commission, payment, refunded);
                prop_assert!(target >= reversed, "reversals never go backwards");
                reversed = target;
            }
            prop_assert_eq!(reversed, commission);
        }

        #[test]
        fn a_commission_never_exceeds_its_payment_at_rates_up_to_100(
            amount in 0_i64..100_000_000, bp in 1_i64..=10_000,
        ) {
            let rule = CommissionRule { flat_first_payment: None, percent: Some(Rate::from_percent(Decimal::new(bp, 2)).unwrap()), duration: RuleDuration::Lifetime {} };
            let t = datetime!(2026-01-10 12:00 UTC);
            for line in rule.lines(None, &facts(amount, t, t)).unwrap() {
                prop_assert!(line.amount.minor() <= amount);
                prop_assert!(line.amount.minor() > 0);
            }
        }
    }
}
