//! Programs and levels as staff configure them (L1, L2, A4), and memberships, level
//! history and track changes as staff manage them (L3, L4, A1): the admin API's
//! requests and views, and the validation that turns a request into settings.
//!
//! Requests carry amounts and rates as strings so that a bad value is reported beside
//! its field (`duration.months`, `client_bonus.amount`) instead of failing the whole
//! body. A partial update is merged with the current settings first and the result is
//! validated as a whole, so an update can never leave a program or level in a state a
//! creation would refuse.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::PublicId;
use crate::account::Account;
use crate::error::{FieldErrors, Validator};
use crate::level::{CommissionRule, RuleDuration, Threshold, Track};
use crate::money::{Currency, Money, MoneyError, MoneyView, Rate};
use crate::partner::LevelSummary;
use crate::profile::double_option;

/// Longest program or level name, in characters.
pub const MAX_NAME_LEN: usize = 100;
/// Longest rules text, in characters.
pub const MAX_RULES_TEXT_LEN: usize = 20_000;
/// Longest landing URL, in characters.
pub const MAX_URL_LEN: usize = 2_000;
/// Most landing domains per program.
pub const MAX_ALLOWED_DOMAINS: usize = 50;
/// Longest reason staff give for a change, in characters.
pub const MAX_REASON_LEN: usize = 500;
/// Longest message of a track change request, in characters.
pub const MAX_TRACK_MESSAGE_LEN: usize = 2_000;
/// The attribution window of a new program unless given (T7).
pub const DEFAULT_ATTRIBUTION_WINDOW_DAYS: i32 = 14;
/// The hold period of a new program unless given (C2).
pub const DEFAULT_HOLD_DAYS: i32 = 31;
/// Longest `months` duration of a level's rule.
pub const MAX_RULE_MONTHS: u16 = 120;
/// Highest level position.
pub const MAX_POSITION: i32 = 1_000;
/// Longest host name, in characters.
pub const MAX_HOST_LEN: usize = 253;

/// The JSON Schema `pattern` of an allowed domain: what [`parse_host`] accepts, white
/// space around it included (its length is the item's `maxLength`).
pub const HOST_PATTERN: &str = "^[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.*[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$";

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

// ---------------------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------------------

/// A program's settings, validated: what the database stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramSettings {
    pub name: String,
    pub currency: Currency,
    pub attribution_window_days: i32,
    pub hold_days: i32,
    pub minimum_payout: Money,
    pub payout_schedule: PayoutSchedule,
    /// An absolute http(s) URL.
    pub landing_url: String,
    /// Lower-case host names, the landing URL's among them.
    pub allowed_domains: Vec<String>,
    pub rules_text: String,
    pub self_signup: bool,
}

/// `POST /api/v1/admin/programs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProgramRequest {
    // Names: white space (control characters among it too) is collapsed before the
    // check for control characters, so only the others are refused; see `parse_name`.
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
    // What `parse_landing_url` accepts, but for the host's length (at most 253).
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
}

impl ProgramDraft<'_> {
    fn validate(&self) -> Result<ProgramSettings, FieldErrors> {
        let mut v = Validator::new();
        let name = v.check("name", parse_name(self.name, "program"));
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
        let landing = v.check("landing_url", parse_landing_url(self.landing_url));
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
        if let Some((_, host)) = &landing {
            if self.allowed_domains.is_empty() {
                domains.push(host.clone());
            } else if !domains.contains(host) {
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
            (Some(name), Some(currency), Some(minimum_payout), Some((landing_url, _))) => {
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
            name: self.name.as_deref().unwrap_or(&current.name),
            currency: self.currency.as_deref().unwrap_or(current.currency.code()),
            attribution_window_days: self
                .attribution_window_days
                .unwrap_or(current.attribution_window_days),
            hold_days: self.hold_days.unwrap_or(current.hold_days),
            minimum_payout: self.minimum_payout.as_deref().unwrap_or(&current_minimum),
            payout_schedule: self.payout_schedule.unwrap_or(current.payout_schedule),
            landing_url: self.landing_url.as_deref().unwrap_or(&current.landing_url),
            allowed_domains: self
                .allowed_domains
                .as_deref()
                .unwrap_or(&current.allowed_domains),
            rules_text: self.rules_text.as_deref().unwrap_or(&current.rules_text),
            self_signup: self.self_signup.unwrap_or(current.self_signup),
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

// ---------------------------------------------------------------------------------------
// Levels
// ---------------------------------------------------------------------------------------

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
        let name = v.check("name", parse_name(self.name, "level"));
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

// ---------------------------------------------------------------------------------------
// Partners and memberships
// ---------------------------------------------------------------------------------------

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

/// `GET /api/v1/admin/partners`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PartnerPage {
    pub items: Vec<PartnerSummary>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
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

// ---------------------------------------------------------------------------------------
// Track change requests
// ---------------------------------------------------------------------------------------

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

/// `GET /api/v1/admin/track-requests`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrackRequestPage {
    pub items: Vec<TrackRequestView>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

// ---------------------------------------------------------------------------------------
// Shared parsing
// ---------------------------------------------------------------------------------------

/// Whether an amount may be zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AmountRule {
    ZeroOrMore,
    Positive,
}

fn parse_amount(raw: &str, currency: Currency, rule: AmountRule) -> Result<Money, String> {
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

/// A name: trimmed, inner whitespace collapsed, 1 to 100 characters (at most 100 as
/// sent, white space included).
fn parse_name(raw: &str, what: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(format!("Give the {what} a name."));
    }
    if raw.chars().count() > MAX_NAME_LEN {
        return Err(format!("A name has at most {MAX_NAME_LEN} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.".into());
    }
    Ok(name)
}

/// A reason staff give: trimmed, at most 500 characters (as sent, white space
/// included); `None` when blank and not required.
pub fn parse_reason(raw: &str, required: bool) -> Result<Option<String>, String> {
    let reason = raw.trim();
    if raw.chars().count() > MAX_REASON_LEN {
        return Err(format!("A reason has at most {MAX_REASON_LEN} characters."));
    }
    if reason.is_empty() {
        return if required {
            Err("Give a reason; it is kept in the audit log.".into())
        } else {
            Ok(None)
        };
    }
    if reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("A reason cannot contain control characters.".into());
    }
    Ok(Some(reason.to_owned()))
}

/// A host name as the tracking redirect compares it: lower-case ASCII labels of
/// letters, digits and inner hyphens (internationalised names in their `xn--` form).
/// At most [`MAX_HOST_LEN`] characters as sent, white space and final dots included.
pub fn parse_host(raw: &str) -> Result<String, String> {
    let host = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let bad = || {
        format!(
            "{:?} is not a host name; write it like www.example.com.",
            raw.trim()
        )
    };
    if host.is_empty() || host.len() > MAX_HOST_LEN || raw.chars().count() > MAX_HOST_LEN {
        return Err(bad());
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if host.split('.').all(label_ok) {
        Ok(host)
    } else {
        Err(bad())
    }
}

/// An absolute `http`/`https` URL without credentials, at most [`MAX_URL_LEN`]
/// characters as sent; returns the URL (trimmed) and its host.
pub fn parse_landing_url(raw: &str) -> Result<(String, String), String> {
    let url = raw.trim();
    let bad = || "Enter an absolute http(s) address, like https://www.example.com/.".to_owned();
    if raw.chars().count() > MAX_URL_LEN {
        return Err(format!("An address has at most {MAX_URL_LEN} characters."));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url["https://".len()..]
    } else if lower.starts_with("http://") {
        &url["http://".len()..]
    } else {
        return Err(bad());
    };
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("The address cannot carry a user name or password.".into());
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) => {
            if !port.parse::<u16>().is_ok_and(|p| p != 0) {
                return Err(bad());
            }
            host
        }
        None => authority,
    };
    let host = parse_host(host).map_err(|_| bad())?;
    Ok((url.to_owned(), host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn program(json: &str) -> CreateProgramRequest {
        serde_json::from_str(json).unwrap()
    }

    fn level(json: &str) -> CreateLevelRequest {
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
        assert_eq!(settings.name, "Official partners");
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
    fn landing_urls_are_absolute_http_without_credentials() {
        for bad in [
            "example.com",
            "javascript:alert(1)",
            "https://user:pw@example.com/",
            "https://",
            "https://exa mple.com",
            "https://example.com:0/",
            "//example.com",
        ] {
            assert!(parse_landing_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_landing_url("http://localhost:8080/x").unwrap().1,
            "localhost"
        );
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
        assert!(
            serde_json::from_str::<UpdateProgramRequest>(r#"{"currency_code": "USD"}"#).is_err()
        );
        assert!(serde_json::from_str::<UpdateLevelRequest>(r#"{"rule_version": 3}"#).is_err());
        assert!(
            serde_json::from_str::<ThresholdInput>(
                r#"{"kind": "paying_customers", "count": 2, "amount": "1"}"#
            )
            .is_err()
        );
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

    #[test]
    fn length_limits_count_the_white_space_as_sent() {
        let reason = "r".repeat(MAX_REASON_LEN);
        assert!(parse_reason(&reason, true).is_ok());
        assert!(parse_reason(&format!(" {reason}"), true).is_err());
        assert!(parse_reason(&" ".repeat(MAX_REASON_LEN + 1), false).is_err());
        assert_eq!(parse_reason(&" ".repeat(MAX_REASON_LEN), false), Ok(None));
        let label = "a".repeat(63);
        let host = format!("{label}.{label}.{label}.{}", "b".repeat(61));
        assert_eq!(host.len(), MAX_HOST_LEN);
        assert!(parse_host(&host).is_ok());
        assert!(parse_host(&format!("{host} ")).is_err());
        assert!(parse_host(&format!("{host}.")).is_err());
        let url = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN - 20));
        assert!(parse_landing_url(&url).is_ok());
        assert!(parse_landing_url(&format!(" {url}")).is_err());
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
