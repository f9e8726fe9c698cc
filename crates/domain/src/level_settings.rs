//! Levels as staff configure them (L2, C4): a level's settings ([`LevelSpec`]), the
//! admin API's requests and views, and when the referred client gets the level's bonus
//! ([`BonusTrigger`]). The commission rules a level applies, thresholds and promotions
//! are in `level`.
//!
//! Amounts and rates are strings in requests, so that a bad one is reported beside its
//! field (`duration.months`, `client_bonus.amount`); an update is merged with the current
//! settings and validated as a whole, as a creation is.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};
use crate::level::{CommissionRule, RuleDuration, Threshold, Track};
use crate::money::{Currency, Money, MoneyView, Rate};
use crate::profile::double_option;
use crate::program::{AmountRule, parse_amount};
use crate::text::Name;

/// Longest `months` duration of a level's rule.
pub const MAX_RULE_MONTHS: u16 = 120;
/// Highest level position.
pub const MAX_POSITION: i32 = 1_000;

/// When a referred client receives the level's client bonus (C4).
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BonusTrigger {
    /// When the client signs up through the partner.
    SignUp,
    /// When the client pays for the first time.
    FirstPayment,
}

stored_as_text!(BonusTrigger, "bonus trigger");

impl BonusTrigger {
    /// Every trigger, in the order they are offered (the default first).
    pub const ALL: [BonusTrigger; 2] = [Self::FirstPayment, Self::SignUp];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::FirstPayment => "first_payment",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "sign_up" => Some(Self::SignUp),
            "first_payment" => Some(Self::FirstPayment),
            _ => None,
        }
    }
}

/// What the referred client receives, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientBonus {
    pub amount: Money,
    pub trigger: BonusTrigger,
}

/// A level's settings, validated: what the database stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelSpec {
    pub name: String,
    pub position: i32,
    pub track: Track,
    pub flat_first_payment: Option<Money>,
    pub percent: Option<Rate>,
    pub duration: RuleDuration,
    pub client_bonus: Option<ClientBonus>,
    pub threshold: Option<Threshold>,
}

impl LevelSpec {
    /// The commission rule; a change to it bumps the level's rule version.
    pub fn rule(&self) -> CommissionRule {
        CommissionRule {
            flat_first_payment: self.flat_first_payment,
            percent: self.percent,
            duration: self.duration,
        }
    }
}

/// A client bonus in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientBonusInput {
    /// In the program's currency.
    #[schema(
        example = "25.00",
        max_length = 25,
        pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub amount: String,
    pub trigger: BonusTrigger,
}

/// A promotion threshold in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ThresholdInput {
    /// At least `count` customers who paid at least once.
    PayingCustomers {
        #[schema(minimum = 1, maximum = 4294967295_u32, format = Int64)]
        count: u32,
    },
    /// At least `amount` paid by the partner's customers, in the program's currency.
    SalesVolume {
        #[schema(
            example = "1000.00",
            max_length = 25,
            pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$"
        )]
        amount: String,
    },
}

/// `POST /api/v1/admin/programs/{id}/levels`. A level pays a flat amount on a
/// customer's first payment, a percentage, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLevelRequest {
    #[schema(
        example = "Iron",
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*$"
    )]
    pub name: String,
    /// Higher is better; unique within the program.
    #[schema(minimum = 1, maximum = 1000)]
    pub position: i32,
    pub track: Track,
    /// In the program's currency.
    #[serde(default)]
    #[schema(
        example = "25.00",
        max_length = 25,
        pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub flat_first_payment: Option<String>,
    /// A percentage, like "20".
    // Above 0 and at most 100, at most 4 decimals: what `Rate::parse` accepts.
    #[serde(default)]
    #[schema(
        example = "20",
        max_length = 8,
        pattern = "^(?:(?:0{0,2}[1-9]|0?[1-9][0-9])(?:\\.[0-9]{1,4})?|0{1,3}\\.(?:[1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9])|100(?:\\.0{1,4})?)$"
    )]
    pub percent: Option<String>,
    pub duration: RuleDuration,
    #[serde(default)]
    pub client_bonus: Option<ClientBonusInput>,
    #[serde(default)]
    pub threshold: Option<ThresholdInput>,
}

/// `PATCH /api/v1/admin/levels/{id}`: absent fields stay; `null` clears the optional
/// ones. Changing the flat amount, percentage or duration bumps `rule_version`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLevelRequest {
    // The fields' schemas are those of `CreateLevelRequest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*$"
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1000)]
    pub position: Option<i32>,
    /// Only for a level no membership is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<Track>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(
        value_type = Option<String>,
        example = "25.00",
        max_length = 25,
        pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub flat_first_payment: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(
        value_type = Option<String>,
        example = "20",
        max_length = 8,
        pattern = "^(?:(?:0{0,2}[1-9]|0?[1-9][0-9])(?:\\.[0-9]{1,4})?|0{1,3}\\.(?:[1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9])|100(?:\\.0{1,4})?)$"
    )]
    pub percent: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<RuleDuration>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<ClientBonusInput>)]
    pub client_bonus: Option<Option<ClientBonusInput>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<ThresholdInput>)]
    pub threshold: Option<Option<ThresholdInput>>,
}

/// A level's fields before validation.
struct LevelDraft<'a> {
    name: &'a str,
    position: i32,
    track: Track,
    flat_first_payment: Option<&'a str>,
    percent: Option<&'a str>,
    duration: RuleDuration,
    client_bonus: Option<&'a ClientBonusInput>,
    threshold: Option<&'a ThresholdInput>,
}

impl LevelDraft<'_> {
    fn validate(&self, currency: Currency) -> Result<LevelSpec, FieldErrors> {
        let mut v = Validator::new();
        let name = v.check(
            "name",
            Name::parse(self.name, "level").map(Name::into_string),
        );
        if !(1..=MAX_POSITION).contains(&self.position) {
            v.add(
                "position",
                format!("A position is 1 to {MAX_POSITION} (higher is better)."),
            );
        }
        let flat = self.flat_first_payment.and_then(|raw| {
            v.check(
                "flat_first_payment",
                parse_amount(raw, currency, AmountRule::Positive),
            )
        });
        let percent = self
            .percent
            .and_then(|raw| v.check("percent", Rate::parse(raw)));
        if self.flat_first_payment.is_none() && self.percent.is_none() {
            let message = "A level pays a flat first-payment amount, a percentage, or both.";
            v.add("flat_first_payment", message);
            v.add("percent", message);
        }
        if let RuleDuration::Months { months } = self.duration
            && !(1..=MAX_RULE_MONTHS).contains(&months)
        {
            v.add(
                "duration.months",
                format!("A duration is 1 to {MAX_RULE_MONTHS} months."),
            );
        }
        let client_bonus = self.client_bonus.and_then(|bonus| {
            v.check(
                "client_bonus.amount",
                parse_amount(&bonus.amount, currency, AmountRule::Positive),
            )
            .map(|amount| ClientBonus {
                amount,
                trigger: bonus.trigger,
            })
        });
        let threshold = self.threshold.and_then(|t| match t {
            ThresholdInput::PayingCustomers { count } => {
                if *count == 0 {
                    v.add("threshold.count", "A threshold counts at least 1 customer.");
                    None
                } else {
                    Some(Threshold::PayingCustomers { count: *count })
                }
            }
            ThresholdInput::SalesVolume { amount } => v
                .check(
                    "threshold.amount",
                    parse_amount(amount, currency, AmountRule::Positive),
                )
                .map(|m| Threshold::SalesVolume { minor: m.minor() }),
        });
        v.finish()?;
        let name = name.ok_or_else(FieldErrors::new)?;
        Ok(LevelSpec {
            name,
            position: self.position,
            track: self.track,
            flat_first_payment: flat,
            percent,
            duration: self.duration,
            client_bonus,
            threshold,
        })
    }
}

impl CreateLevelRequest {
    /// Validates every field; amounts are in the program's `currency`.
    pub fn validate(&self, currency: Currency) -> Result<LevelSpec, FieldErrors> {
        LevelDraft {
            name: &self.name,
            position: self.position,
            track: self.track,
            flat_first_payment: self.flat_first_payment.as_deref(),
            percent: self.percent.as_deref(),
            duration: self.duration,
            client_bonus: self.client_bonus.as_ref(),
            threshold: self.threshold.as_ref(),
        }
        .validate(currency)
    }
}

impl UpdateLevelRequest {
    /// The level after this change, validated as a whole.
    pub fn apply(&self, current: &LevelSpec, currency: Currency) -> Result<LevelSpec, FieldErrors> {
        let current_flat = current.flat_first_payment.map(|m| m.amount().to_string());
        let current_percent = current.percent.map(|r| r.percent().to_string());
        let current_bonus = current.client_bonus.map(|b| ClientBonusInput {
            amount: b.amount.amount().to_string(),
            trigger: b.trigger,
        });
        let current_threshold = current.threshold.map(|t| threshold_input(t, currency));
        LevelDraft {
            name: self.name.as_deref().unwrap_or(&current.name),
            position: self.position.unwrap_or(current.position),
            track: self.track.unwrap_or(current.track),
            flat_first_payment: match &self.flat_first_payment {
                Some(new) => new.as_deref(),
                None => current_flat.as_deref(),
            },
            percent: match &self.percent {
                Some(new) => new.as_deref(),
                None => current_percent.as_deref(),
            },
            duration: self.duration.unwrap_or(current.duration),
            client_bonus: match &self.client_bonus {
                Some(new) => new.as_ref(),
                None => current_bonus.as_ref(),
            },
            threshold: match &self.threshold {
                Some(new) => new.as_ref(),
                None => current_threshold.as_ref(),
            },
        }
        .validate(currency)
    }
}

fn threshold_input(threshold: Threshold, currency: Currency) -> ThresholdInput {
    match threshold {
        Threshold::PayingCustomers { count } => ThresholdInput::PayingCustomers { count },
        Threshold::SalesVolume { minor } => ThresholdInput::SalesVolume {
            amount: Money::from_minor(minor, currency).amount().to_string(),
        },
    }
}

/// A client bonus as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClientBonusView {
    pub amount: MoneyView,
    pub trigger: BonusTrigger,
}

/// A promotion threshold as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ThresholdView {
    PayingCustomers { count: u32 },
    SalesVolume { amount: MoneyView },
}

impl ThresholdView {
    /// The view of a threshold of a program in `currency`.
    pub fn new(threshold: Threshold, currency: Currency) -> Self {
        match threshold {
            Threshold::PayingCustomers { count } => Self::PayingCustomers { count },
            Threshold::SalesVolume { minor } => Self::SalesVolume {
                amount: Money::from_minor(minor, currency).to_view(),
            },
        }
    }
}

/// A level as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LevelView {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
    pub position: i32,
    pub track: Track,
    pub flat_first_payment: Option<MoneyView>,
    pub percent: Option<Rate>,
    pub duration: RuleDuration,
    pub client_bonus: Option<ClientBonusView>,
    pub threshold: Option<ThresholdView>,
    /// Bumped by every change of the rule; commissions record the version they used.
    pub rule_version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bonus_trigger_round_trips_its_stored_name() {
        let parsed = BonusTrigger::ALL.map(|t| BonusTrigger::parse(t.as_str()));
        assert_eq!(parsed, BonusTrigger::ALL.map(Some));
    }

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn level(json: &str) -> CreateLevelRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_level_needs_a_flat_amount_or_a_percentage() {
        let errors = level(
            r#"{"name": "Iron", "position": 1, "track": "referral",
                "duration": {"kind": "first_payment"}}"#,
        )
        .validate(usd())
        .unwrap_err();
        assert!(errors.contains_key("flat_first_payment"));
        assert!(errors.contains_key("percent"));
    }

    #[test]
    fn level_errors_carry_their_field_paths() {
        let errors = level(
            r#"{"name": "Iron", "position": 0, "track": "referral", "percent": "120",
                "duration": {"kind": "months", "months": 121},
                "client_bonus": {"amount": "-1", "trigger": "sign_up"},
                "threshold": {"kind": "sales_volume", "amount": "0.001"}}"#,
        )
        .validate(usd())
        .unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            [
                "client_bonus.amount",
                "duration.months",
                "percent",
                "position",
                "threshold.amount"
            ]
        );
    }

    #[test]
    fn a_valid_level_becomes_its_rule_bonus_and_threshold() {
        let spec = level(
            r#"{"name": "Bronze", "position": 2, "track": "referral", "flat_first_payment": "25",
                "percent": "20", "duration": {"kind": "months", "months": 12},
                "client_bonus": {"amount": "25.00", "trigger": "first_payment"},
                "threshold": {"kind": "paying_customers", "count": 5}}"#,
        )
        .validate(usd())
        .unwrap();
        assert_eq!(spec.flat_first_payment.unwrap().minor(), 2500);
        assert_eq!(spec.percent, Some(Rate::parse("20").unwrap()));
        assert_eq!(
            spec.client_bonus.unwrap().trigger,
            BonusTrigger::FirstPayment
        );
        assert_eq!(
            spec.threshold,
            Some(Threshold::PayingCustomers { count: 5 })
        );
    }

    #[test]
    fn a_level_update_can_clear_optional_fields_but_not_both_rules() {
        let current = level(
            r#"{"name": "Bronze", "position": 2, "track": "referral", "flat_first_payment": "25",
                "percent": "20", "duration": {"kind": "lifetime"},
                "threshold": {"kind": "sales_volume", "amount": "1000"}}"#,
        )
        .validate(usd())
        .unwrap();
        let clear: UpdateLevelRequest =
            serde_json::from_str(r#"{"flat_first_payment": null, "threshold": null}"#).unwrap();
        let updated = clear.apply(&current, usd()).unwrap();
        assert_eq!(updated.flat_first_payment, None);
        assert_eq!(updated.threshold, None);
        assert_ne!(updated.rule(), current.rule());
        let rename: UpdateLevelRequest = serde_json::from_str(r#"{"name": "Silver"}"#).unwrap();
        let renamed = rename.apply(&current, usd()).unwrap();
        assert_eq!(renamed.rule(), current.rule());
        assert_eq!(
            renamed.threshold,
            Some(Threshold::SalesVolume { minor: 100_000 })
        );
        let neither: UpdateLevelRequest =
            serde_json::from_str(r#"{"flat_first_payment": null, "percent": null}"#).unwrap();
        assert!(neither.apply(&current, usd()).is_err());
    }

    #[test]
    fn unknown_fields_are_refused_in_every_request() {
        assert!(serde_json::from_str::<UpdateLevelRequest>(r#"{"rule_version": 3}"#).is_err());
        assert!(
            serde_json::from_str::<ThresholdInput>(
                r#"{"kind": "paying_customers", "count": 2, "amount": "1"}"#
            )
            .is_err()
        );
    }
}
