//! Referral links (T1, T5): what a partner shares. Every membership has a default link
//! and may have more, each with a label (a manager's name, a campaign), its own code and
//! an optional promo code. Links are disabled, never deleted, so a code never comes to
//! mean another partner.
//!
//! Decisions:
//! - Codes are unique across the deployment without regard to case (`/r/JaneDoe` and
//!   `/r/janedoe` are one link), so a vanity code typed by hand still works. Random codes
//!   are 8 characters of an alphabet without look-alikes (about 40 bits: not found by
//!   enumeration).
//! - Promo codes are unique across the deployment, stored upper-case and compared without
//!   regard to case: a `customer.signed_up` names no program, so a promo code must name
//!   one link on its own.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};
use crate::money::MoneyView;
use crate::profile::double_option;
use crate::text::MAX_NAME_LEN;

/// Shortest chosen code or promo code.
pub const MIN_CODE_LEN: usize = 3;
/// Longest chosen code or promo code.
pub const MAX_CODE_LEN: usize = 32;
/// What a chosen link code or promo code looks like: letters, digits, `-` and `_`,
/// starting and ending with a letter or digit, 3 to 32 characters.
pub const CODE_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9_-]{1,30}[A-Za-z0-9]$";
/// Most links one membership may have: a partner with more campaigns than this is
/// better served by sub ids on one link (`?sub1=...`, passed on by the redirect).
pub const MAX_LINKS_PER_MEMBERSHIP: i64 = 100;

/// Codes nobody may choose: words that would let a link pass for the vendor's or
/// Partnerly's own pages, or read as a missing value.
const RESERVED_CODES: &[&str] = &[
    "abuse",
    "account",
    "admin",
    "api",
    "app",
    "billing",
    "demo",
    "help",
    "home",
    "js",
    "login",
    "logout",
    "null",
    "official",
    "partner",
    "partnerly",
    "partners",
    "root",
    "security",
    "settings",
    "signin",
    "signup",
    "staff",
    "static",
    "support",
    "undefined",
    "vendor",
    "www",
];

fn check_code_shape(raw: &str, what: &str) -> Result<(), String> {
    let len = raw.chars().count();
    if !(MIN_CODE_LEN..=MAX_CODE_LEN).contains(&len) {
        return Err(format!(
            "A {what} has {MIN_CODE_LEN} to {MAX_CODE_LEN} characters."
        ));
    }
    let inner_ok = raw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let ends_ok = raw.starts_with(|c: char| c.is_ascii_alphanumeric())
        && raw.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !inner_ok || !ends_ok {
        return Err(format!(
            "A {what} has letters, digits, - and _, and starts and ends with a letter or digit."
        ));
    }
    Ok(())
}

/// A referral code a partner chose (a vanity code), checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkCode(String);

impl LinkCode {
    /// A chosen code: [`CODE_PATTERN`], not a reserved word.
    pub fn parse(raw: &str) -> Result<Self, String> {
        check_code_shape(raw, "code")?;
        if RESERVED_CODES.contains(&raw.to_ascii_lowercase().as_str()) {
            return Err(format!("\"{raw}\" is reserved; choose another code."));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A link's full URL, as partners share it: `{public_url}/r/{code}`.
pub fn link_url(public_url: &str, code: &str) -> String {
    format!("{public_url}/r/{code}")
}

/// The key codes are unique by and looked up by: the code without regard to case.
pub fn code_key(code: &str) -> String {
    code.to_ascii_lowercase()
}

/// A promo code, checked and upper-cased (T5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PromoCode(String);

impl PromoCode {
    /// A promo code: [`CODE_PATTERN`], kept upper-case.
    pub fn parse(raw: &str) -> Result<Self, String> {
        check_code_shape(raw, "promo code")?;
        Ok(Self(raw.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A link's label: trimmed, at most 100 characters as sent, no control characters; may
/// be empty.
fn parse_label(raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_NAME_LEN {
        return Err(format!("A label has at most {MAX_NAME_LEN} characters."));
    }
    if raw.chars().any(char::is_control) {
        return Err("A label cannot contain control characters.".into());
    }
    Ok(raw.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A link's figures, from the daily rollups and the customers it brought.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct LinkFigures {
    /// Every click, repeats included (bots and HEAD requests are not clicks).
    pub clicks: u64,
    /// Clicks that were not a repeat by the same visitor within an hour.
    pub unique_clicks: u64,
    /// Requests by known bots, counted apart.
    pub bot_clicks: u64,
    /// Customers attributed through this link.
    pub signups: u64,
    /// Of those, customers who paid at least once.
    pub paying_customers: u64,
    /// Sign-ups per 100 unique clicks, one decimal (`null` before the first unique click).
    #[schema(example = "12.5")]
    pub conversion_percent: Option<String>,
}

impl LinkFigures {
    /// Sign-ups per 100 unique clicks, rounded half up to one decimal.
    pub fn conversion(signups: u64, unique_clicks: u64) -> Option<String> {
        if unique_clicks == 0 {
            return None;
        }
        let tenths = (u128::from(signups) * 2000 + u128::from(unique_clicks))
            / (2 * u128::from(unique_clicks));
        Some(format!("{}.{}", tenths / 10, tenths % 10))
    }
}

/// A referral link with its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LinkView {
    pub id: i64,
    pub membership_id: i64,
    pub program_name: String,
    /// The referral code, unguessable and URL-safe (or the partner's chosen code).
    #[schema(example = "k7Qm2xWp")]
    pub code: String,
    /// `{public url}/r/{code}`.
    #[schema(example = "https://partners.example.com/r/k7Qm2xWp")]
    pub url: String,
    pub label: String,
    pub promo_code: Option<String>,
    pub is_default: bool,
    pub disabled: bool,
    pub figures: LinkFigures,
    /// What the partner earned from the link's customers per currency: commissions,
    /// less reversals.
    pub earnings: Vec<MoneyView>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// `GET /api/v1/links`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LinkList {
    pub items: Vec<LinkView>,
}

/// `POST /api/v1/links`: a new link for one of the partner's memberships.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLinkRequest {
    /// The membership (program) the link is for.
    pub membership_id: i64,
    /// A manager's name or a campaign (at most 100 characters).
    #[serde(default)]
    #[schema(
        example = "Spring newsletter",
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub label: String,
    /// A code of the partner's choosing; omitted: a random one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "jane-doe",
        min_length = 3,
        max_length = 32,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{1,30}[A-Za-z0-9]$"
    )]
    pub code: Option<String>,
    /// A promo code customers may enter at sign-up instead of following the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "JANE20",
        min_length = 3,
        max_length = 32,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{1,30}[A-Za-z0-9]$"
    )]
    pub promo_code: Option<String>,
}

/// A validated [`CreateLinkRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLinkSpec {
    pub membership_id: i64,
    pub label: String,
    pub code: Option<LinkCode>,
    pub promo_code: Option<PromoCode>,
}

impl CreateLinkRequest {
    pub fn validate(&self) -> Result<NewLinkSpec, FieldErrors> {
        let mut v = Validator::new();
        let label = v.check("label", parse_label(&self.label));
        let code = self
            .code
            .as_deref()
            .and_then(|c| v.check("code", LinkCode::parse(c)));
        let promo_code = self
            .promo_code
            .as_deref()
            .and_then(|c| v.check("promo_code", PromoCode::parse(c)));
        v.finish()?;
        Ok(NewLinkSpec {
            membership_id: self.membership_id,
            label: label.unwrap_or_default(),
            code,
            promo_code,
        })
    }
}

/// `PATCH /api/v1/links/{id}`: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLinkRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub label: Option<String>,
    /// A new promo code, or `null` to remove it.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{1,30}[A-Za-z0-9]$")]
    pub promo_code: Option<Option<String>>,
    /// `true` stops the link attributing (visitors still land, without attribution);
    /// `false` turns it back on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// A validated [`UpdateLinkRequest`]; `None` means "leave as is".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkChanges {
    pub label: Option<String>,
    pub promo_code: Option<Option<PromoCode>>,
    pub disabled: Option<bool>,
}

impl UpdateLinkRequest {
    pub fn validate(&self) -> Result<LinkChanges, FieldErrors> {
        let mut v = Validator::new();
        let label = self
            .label
            .as_deref()
            .and_then(|l| v.check("label", parse_label(l)));
        let promo_code = match &self.promo_code {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => v.check("promo_code", PromoCode::parse(raw)).map(Some),
        };
        v.finish()?;
        Ok(LinkChanges {
            label,
            promo_code,
            disabled: self.disabled,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_codes_are_url_safe_bounded_and_not_reserved() {
        assert!(LinkCode::parse("jane-doe").is_ok());
        assert!(LinkCode::parse("J4n3_D0e").is_ok());
        for bad in [
            "ab",
            "-jane",
            "jane-",
            "jane doe",
            "jané",
            "a/b",
            "x?y=1",
            "../x",
            &"a".repeat(33),
        ] {
            assert!(LinkCode::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(LinkCode::parse("Admin").unwrap_err().contains("reserved"));
        assert!(LinkCode::parse("abc").is_ok());
        assert!(LinkCode::parse(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn promo_codes_are_upper_cased() {
        assert_eq!(PromoCode::parse("jane20").unwrap().as_str(), "JANE20");
        assert!(PromoCode::parse("20%off").is_err());
    }

    #[test]
    fn codes_are_keyed_without_regard_to_case() {
        assert_eq!(code_key("JaneDoe"), code_key("janedoe"));
    }

    #[test]
    fn conversion_is_per_hundred_unique_clicks_rounded_to_one_decimal() {
        assert_eq!(LinkFigures::conversion(0, 0), None);
        assert_eq!(LinkFigures::conversion(1, 8).as_deref(), Some("12.5"));
        assert_eq!(LinkFigures::conversion(1, 3).as_deref(), Some("33.3"));
        assert_eq!(LinkFigures::conversion(2, 3).as_deref(), Some("66.7"));
        assert_eq!(LinkFigures::conversion(5, 5).as_deref(), Some("100.0"));
    }

    #[test]
    fn a_change_tells_removing_the_promo_code_from_leaving_it() {
        let read = |json: &str| -> UpdateLinkRequest { serde_json::from_str(json).unwrap() };
        assert_eq!(read("{}").validate().unwrap().promo_code, None);
        assert_eq!(
            read(r#"{"promo_code": null}"#)
                .validate()
                .unwrap()
                .promo_code,
            Some(None)
        );
        let set = read(r#"{"promo_code": "x-1y"}"#).validate().unwrap();
        assert_eq!(set.promo_code, Some(Some(PromoCode("X-1Y".into()))));
        let bad = read(r#"{"label": "a\u0007", "promo_code": "!"}"#)
            .validate()
            .unwrap_err();
        assert!(bad.contains_key("label") && bad.contains_key("promo_code"));
    }
}
