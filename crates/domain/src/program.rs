//! Programs as staff configure them (L1, A4): their settings, the admin API's requests
//! and views, when partners are paid ([`PayoutSchedule`]), the landing domains the
//! redirect may send visitors to, and the amounts a program states in its currency.
//! Levels are in `level_settings`, memberships in `membership`, track change requests in
//! `track_request`, and the names and URLs they share in `text`.
//!
//! Requests carry amounts and rates as strings so that a bad value is reported beside
//! its field (`duration.months`, `client_bonus.amount`) instead of failing the whole
//! body. A partial update is merged with the current settings first and the result is
//! validated as a whole, so an update can never leave a program or level in a state a
//! creation would refuse.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};
use crate::level_settings::LevelView;
use crate::money::{Currency, Money, MoneyError, MoneyView};
use crate::text::{HOST_PATTERN, LandingUrl, MAX_HOST_LEN, Name, parse_host};
use crate::tracking::AttributionModel;

/// Longest rules text, in characters.
pub const MAX_RULES_TEXT_LEN: usize = 20_000;
/// Most landing domains per program.
pub const MAX_ALLOWED_DOMAINS: usize = 50;
/// The attribution window of a new program unless given (T7).
pub const DEFAULT_ATTRIBUTION_WINDOW_DAYS: i32 = 14;
/// The hold period of a new program unless given (C2).
pub const DEFAULT_HOLD_DAYS: i32 = 31;

/// The OpenAPI schema of `allowed_domains`: at most [`MAX_ALLOWED_DOMAINS`] host names.
fn allowed_domains_schema() -> utoipa::openapi::schema::Array {
    allowed_domains_array().build()
}

/// [`allowed_domains_schema`], or `null` (a change that keeps the list).
fn allowed_domains_change_schema() -> utoipa::openapi::schema::Array {
    crate::pattern::array_or_null(allowed_domains_array())
}

fn allowed_domains_array() -> utoipa::openapi::schema::ArrayBuilder {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .max_length(Some(MAX_HOST_LEN))
                .pattern(Some(HOST_PATTERN))
                .examples(["www.example.com"]),
        )
        .max_items(Some(MAX_ALLOWED_DOMAINS))
        .description(Some(
            "Host names the redirect may send visitors to (at most 50). The landing URL's \
             host must be one of them; when the list is empty it becomes the list.",
        ))
}

/// When partners are paid.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayoutSchedule {
    /// When the partner asks for a withdrawal.
    OnRequest,
    /// At the end of every month, for balances above the minimum (W6).
    Monthly,
}

stored_as_text!(PayoutSchedule, "payout schedule");

impl PayoutSchedule {
    /// Every schedule, in the order they are offered (the default first).
    pub const ALL: [PayoutSchedule; 2] = [Self::OnRequest, Self::Monthly];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnRequest => "on_request",
            Self::Monthly => "monthly",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "on_request" => Some(Self::OnRequest),
            "monthly" => Some(Self::Monthly),
            _ => None,
        }
    }
}

/// A program's settings, validated: what the database stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramSettings {
    pub name: Name,
    pub currency: Currency,
    pub attribution_window_days: i32,
    pub hold_days: i32,
    pub minimum_payout: Money,
    pub payout_schedule: PayoutSchedule,
    /// An absolute http(s) URL.
    pub landing_url: LandingUrl,
    /// Lower-case host names, the landing URL's among them.
    pub allowed_domains: Vec<String>,
    pub rules_text: String,
    pub self_signup: bool,
    pub attribution_model: AttributionModel,
}

/// `POST /api/v1/admin/programs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProgramRequest {
    // Names: white space (control characters among it too) is collapsed before the
    // check for control characters, so only the others are refused; see `Name::parse`.
    #[schema(
        example = "Official partners",
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*$"
    )]
    pub name: String,
    /// ISO 4217 code; it cannot change once the program has commissions.
    #[schema(example = "USD", value_type = Currency)]
    pub currency: String,
    /// 1 to 365 days (default 14).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 365)]
    pub attribution_window_days: Option<i32>,
    /// 0 to 365 days (default 31).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 365)]
    pub hold_days: Option<i32>,
    /// The smallest withdrawal, in the program's currency (default 0).
    #[serde(default)]
    #[schema(
        example = "50.00",
        max_length = 25,
        pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub minimum_payout: Option<String>,
    /// Default `on_request`.
    #[serde(default)]
    pub payout_schedule: Option<PayoutSchedule>,
    /// Where the tracking redirect sends visitors: an absolute http(s) URL.
    // What `LandingUrl::parse` accepts, but for the host's length (at most 253).
    #[schema(
        example = "https://www.example.com/pricing",
        max_length = 2000,
        pattern = "^[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.*(?::\\+?0*(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(?:[/?#\\\\][^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*)?[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$"
    )]
    pub landing_url: String,
    /// Host names the redirect may send visitors to. The landing URL's host must be
    /// one of them; when the list is empty it becomes the list.
    #[serde(default)]
    #[schema(schema_with = allowed_domains_schema)]
    pub allowed_domains: Vec<String>,
    /// Shown to partners (at most 20000 characters).
    #[serde(default)]
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub rules_text: String,
    /// Whether partners join this program when they sign up (default true).
    #[serde(default)]
    pub self_signup: Option<bool>,
    /// Which click is credited when a visitor followed several links (default
    /// `last_click`).
    #[serde(default)]
    pub attribution_model: Option<AttributionModel>,
}

/// `PATCH /api/v1/admin/programs/{id}`: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProgramRequest {
    // The fields' schemas are those of `CreateProgramRequest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*$"
    )]
    pub name: Option<String>,
    /// Changing it re-denominates every amount of the program (minimum payout, flat
    /// amounts, bonuses, thresholds: 25.00 USD becomes 25.00 EUR); refused with 409
    /// `currency_locked` once the program has commissions or adjustments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 365)]
    pub attribution_window_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 365)]
    pub hold_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 25, pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$")]
    pub minimum_payout: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout_schedule: Option<PayoutSchedule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 2000,
        pattern = "^[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.*(?::\\+?0*(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(?:[/?#\\\\][^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*)?[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$"
    )]
    pub landing_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = allowed_domains_change_schema)]
    pub allowed_domains: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub rules_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_signup: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution_model: Option<AttributionModel>,
}

/// A program's fields before validation.
struct ProgramDraft<'a> {
    name: &'a str,
    currency: &'a str,
    attribution_window_days: i32,
    hold_days: i32,
    minimum_payout: &'a str,
    payout_schedule: PayoutSchedule,
    landing_url: &'a str,
    allowed_domains: &'a [String],
    rules_text: &'a str,
    self_signup: bool,
    attribution_model: AttributionModel,
}

impl ProgramDraft<'_> {
    fn validate(&self) -> Result<ProgramSettings, FieldErrors> {
        let mut v = Validator::new();
        let name = v.check("name", Name::parse(self.name, "program"));
        let currency = v.check(
            "currency",
            Currency::parse(self.currency)
                .map_err(|_| "Choose an ISO 4217 currency code, like USD."),
        );
        if !(1..=365).contains(&self.attribution_window_days) {
            v.add(
                "attribution_window_days",
                "The attribution window is 1 to 365 days.",
            );
        }
        if !(0..=365).contains(&self.hold_days) {
            v.add("hold_days", "The hold period is 0 to 365 days.");
        }
        let minimum_payout = currency.and_then(|c| {
            v.check(
                "minimum_payout",
                parse_amount(self.minimum_payout, c, AmountRule::ZeroOrMore),
            )
        });
        let landing = v.check("landing_url", LandingUrl::parse(self.landing_url));
        let mut domains = Vec::new();
        if self.allowed_domains.len() > MAX_ALLOWED_DOMAINS {
            v.add(
                "allowed_domains",
                format!("List at most {MAX_ALLOWED_DOMAINS} domains."),
            );
        }
        for (i, raw) in self.allowed_domains.iter().enumerate() {
            if let Some(host) = v.check(&format!("allowed_domains.{i}"), parse_host(raw))
                && !domains.contains(&host)
            {
                domains.push(host);
            }
        }
        if let Some(landing) = &landing {
            let host = landing.host().to_owned();
            if self.allowed_domains.is_empty() {
                domains.push(host);
            } else if !domains.contains(&host) {
                v.add(
                    "landing_url",
                    format!("The landing page's host {host} is not among the allowed domains."),
                );
            }
        }
        if self.rules_text.chars().count() > MAX_RULES_TEXT_LEN {
            v.add(
                "rules_text",
                format!("The rules have at most {MAX_RULES_TEXT_LEN} characters."),
            );
        } else if self.rules_text.contains('\0') {
            v.add("rules_text", "The rules cannot contain NUL characters.");
        }
        v.finish()?;
        match (name, currency, minimum_payout, landing) {
            (Some(name), Some(currency), Some(minimum_payout), Some(landing_url)) => {
                Ok(ProgramSettings {
                    name,
                    currency,
                    attribution_window_days: self.attribution_window_days,
                    hold_days: self.hold_days,
                    minimum_payout,
                    payout_schedule: self.payout_schedule,
                    landing_url,
                    allowed_domains: domains,
                    rules_text: self.rules_text.trim().to_owned(),
                    self_signup: self.self_signup,
                    attribution_model: self.attribution_model,
                })
            }
            // Every `None` above recorded an error, so `finish` returned it.
            _ => Err(FieldErrors::new()),
        }
    }
}

impl CreateProgramRequest {
    /// Validates every field; defaults fill the ones left out.
    pub fn validate(&self) -> Result<ProgramSettings, FieldErrors> {
        ProgramDraft {
            name: &self.name,
            currency: &self.currency,
            attribution_window_days: self
                .attribution_window_days
                .unwrap_or(DEFAULT_ATTRIBUTION_WINDOW_DAYS),
            hold_days: self.hold_days.unwrap_or(DEFAULT_HOLD_DAYS),
            minimum_payout: self.minimum_payout.as_deref().unwrap_or("0"),
            payout_schedule: self.payout_schedule.unwrap_or(PayoutSchedule::OnRequest),
            landing_url: &self.landing_url,
            allowed_domains: &self.allowed_domains,
            rules_text: &self.rules_text,
            self_signup: self.self_signup.unwrap_or(true),
            attribution_model: self.attribution_model.unwrap_or_default(),
        }
        .validate()
    }
}

impl UpdateProgramRequest {
    /// The settings after this change, validated as a whole. When the currency changes
    /// and no new minimum is given, the current minimum keeps its number.
    pub fn apply(&self, current: &ProgramSettings) -> Result<ProgramSettings, FieldErrors> {
        let current_minimum = current.minimum_payout.amount().to_string();
        ProgramDraft {
            name: self.name.as_deref().unwrap_or(current.name.as_str()),
            currency: self.currency.as_deref().unwrap_or(current.currency.code()),
            attribution_window_days: self
                .attribution_window_days
                .unwrap_or(current.attribution_window_days),
            hold_days: self.hold_days.unwrap_or(current.hold_days),
            minimum_payout: self.minimum_payout.as_deref().unwrap_or(&current_minimum),
            payout_schedule: self.payout_schedule.unwrap_or(current.payout_schedule),
            landing_url: self
                .landing_url
                .as_deref()
                .unwrap_or(current.landing_url.as_str()),
            allowed_domains: self
                .allowed_domains
                .as_deref()
                .unwrap_or(&current.allowed_domains),
            rules_text: self.rules_text.as_deref().unwrap_or(&current.rules_text),
            self_signup: self.self_signup.unwrap_or(current.self_signup),
            attribution_model: self.attribution_model.unwrap_or(current.attribution_model),
        }
        .validate()
    }
}

/// A program as staff see it, with its levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProgramView {
    pub id: i64,
    pub name: String,
    pub currency: Currency,
    pub attribution_window_days: i32,
    pub hold_days: i32,
    pub minimum_payout: MoneyView,
    pub payout_schedule: PayoutSchedule,
    pub landing_url: String,
    pub allowed_domains: Vec<String>,
    pub rules_text: String,
    pub self_signup: bool,
    pub attribution_model: AttributionModel,
    /// Lowest position first.
    pub levels: Vec<LevelView>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// `GET /api/v1/admin/programs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProgramList {
    pub items: Vec<ProgramView>,
}

/// Whether an amount may be zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmountRule {
    ZeroOrMore,
    Positive,
}

pub(crate) fn parse_amount(
    raw: &str,
    currency: Currency,
    rule: AmountRule,
) -> Result<Money, String> {
    let money = Money::parse(raw, currency).map_err(|e| e.to_string())?;
    match rule {
        AmountRule::Positive if !money.is_positive() => Err(MoneyError::NotPositive.to_string()),
        AmountRule::ZeroOrMore if money.minor() < 0 => Err(MoneyError::Negative.to_string()),
        _ => Ok(money),
    }
}

/// The same number in another currency: 25.00 USD becomes 25.00 EUR, 25 JPY. Used
/// when a program without commissions changes its currency; an amount the new
/// currency cannot hold exactly (1.234 KWD in USD) is refused, never rounded.
pub fn redenominate(money: Money, currency: Currency) -> Result<Money, MoneyError> {
    Money::from_decimal_exact(money.amount(), currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_payout_schedule_round_trips_its_stored_name() {
        let parsed = PayoutSchedule::ALL.map(|s| PayoutSchedule::parse(s.as_str()));
        assert_eq!(parsed, PayoutSchedule::ALL.map(Some));
    }

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn program(json: &str) -> CreateProgramRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_program_gets_defaults_and_its_landing_host_as_the_allowed_domain() {
        let settings = program(
            r#"{"name": " Official  partners ", "currency": "eur",
                "landing_url": "https://WWW.Example.com:8443/pricing?x=1"}"#,
        )
        .validate()
        .unwrap();
        assert_eq!(settings.name.as_str(), "Official partners");
        assert_eq!(settings.currency.code(), "EUR");
        assert_eq!(settings.attribution_window_days, 14);
        assert_eq!(settings.hold_days, 31);
        assert_eq!(settings.minimum_payout.minor(), 0);
        assert_eq!(settings.payout_schedule, PayoutSchedule::OnRequest);
        assert_eq!(settings.allowed_domains, ["www.example.com"]);
        assert!(settings.self_signup);
    }

    #[test]
    fn every_bad_program_field_is_reported_under_its_name() {
        let errors = program(
            r#"{"name": "", "currency": "EURO", "attribution_window_days": 0,
                "hold_days": 400, "landing_url": "ftp://example.com",
                "allowed_domains": ["ok.example.com", "not a host"]}"#,
        )
        .validate()
        .unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            [
                "allowed_domains.1",
                "attribution_window_days",
                "currency",
                "hold_days",
                "landing_url",
                "name"
            ]
        );
    }

    #[test]
    fn the_landing_host_must_be_among_the_allowed_domains() {
        let errors = program(
            r#"{"name": "P", "currency": "USD", "landing_url": "https://evil.example.net/",
                "allowed_domains": ["example.com"]}"#,
        )
        .validate()
        .unwrap_err();
        assert!(errors["landing_url"].contains("evil.example.net"));
    }

    #[test]
    fn a_minimum_payout_has_the_currencys_decimals() {
        let errors = program(
            r#"{"name": "P", "currency": "JPY", "minimum_payout": "50.5",
                "landing_url": "https://example.com"}"#,
        )
        .validate()
        .unwrap_err();
        assert!(errors.contains_key("minimum_payout"));
    }

    #[test]
    fn an_update_is_validated_with_the_current_settings() {
        let current = program(
            r#"{"name": "P", "currency": "KWD", "minimum_payout": "1.234",
                "landing_url": "https://example.com"}"#,
        )
        .validate()
        .unwrap();
        let to_usd = UpdateProgramRequest {
            currency: Some("USD".into()),
            ..Default::default()
        };
        assert!(
            to_usd
                .apply(&current)
                .unwrap_err()
                .contains_key("minimum_payout")
        );
        let to_usd_with_minimum = UpdateProgramRequest {
            currency: Some("USD".into()),
            minimum_payout: Some("5".into()),
            ..Default::default()
        };
        let updated = to_usd_with_minimum.apply(&current).unwrap();
        assert_eq!(updated.minimum_payout.minor(), 500);
        let moved = UpdateProgramRequest {
            landing_url: Some("https://other.example.org/".into()),
            ..Default::default()
        };
        assert!(
            moved
                .apply(&current)
                .unwrap_err()
                .contains_key("landing_url")
        );
    }

    #[test]
    fn unknown_fields_are_refused_in_every_request() {
        assert!(
            serde_json::from_str::<UpdateProgramRequest>(r#"{"currency_code": "USD"}"#).is_err()
        );
    }

    #[test]
    fn redenominating_keeps_the_number_or_refuses() {
        let kwd = Currency::parse("KWD").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            redenominate(Money::from_minor(2500, usd()), jpy)
                .unwrap()
                .minor(),
            25
        );
        assert!(redenominate(Money::from_minor(1234, kwd), usd()).is_err());
        assert_eq!(
            redenominate(Money::from_minor(1230, kwd), usd())
                .unwrap()
                .minor(),
            123
        );
    }
}
