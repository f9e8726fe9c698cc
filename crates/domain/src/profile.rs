//! Profile changes (P5): names, email, phone, target country, payout currency.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::auth::MAX_NAME_LEN;
use crate::error::{FieldErrors, Validator};
use crate::{Email, iso};

/// `PATCH /api/v1/me`. Absent fields stay as they are; `null` clears an optional field.
/// Changing the email needs `current_password`, so a borrowed session cannot take the
/// account over through a password reset sent to a new address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Needed only when `email` changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_password: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "+44 20 7946 0958")]
    pub phone: Option<Option<String>>,
    /// ISO 3166-1 alpha-2 code.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "DE")]
    pub country: Option<Option<String>>,
    /// ISO 4217 code.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "EUR")]
    pub payout_currency: Option<Option<String>>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub(crate) fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A validated profile change; `None` means "leave as is".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub payout_currency: Option<Option<String>>,
}

impl UpdateProfileRequest {
    /// Validates and normalises every present field.
    pub fn validate(&self) -> Result<ProfileChanges, FieldErrors> {
        let mut v = Validator::new();
        let mut out = ProfileChanges::default();
        if let Some(first) = &self.first_name {
            out.first_name = v.check("first_name", parse_name(first, true));
        }
        if let Some(last) = &self.last_name {
            out.last_name = v.check("last_name", parse_name(last, false));
        }
        if let Some(email) = &self.email {
            out.email = v.check("email", Email::parse(email));
        }
        if let Some(phone) = &self.phone {
            out.phone = v.check("phone", blank_to_none(phone).map(parse_phone).transpose());
        }
        if let Some(country) = &self.country {
            out.country = v.check(
                "country",
                blank_to_none(country).map(parse_country).transpose(),
            );
        }
        if let Some(currency) = &self.payout_currency {
            out.payout_currency = v.check(
                "payout_currency",
                blank_to_none(currency).map(parse_currency).transpose(),
            );
        }
        v.finish().map(|()| out)
    }
}

fn blank_to_none(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A first or last name: trimmed, inner whitespace collapsed, at most 100 characters.
pub fn parse_name(raw: &str, required: bool) -> Result<String, &'static str> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && name.is_empty() {
        return Err("Enter a first name.");
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err("A name has at most 100 characters.");
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.");
    }
    Ok(name)
}

/// A phone number as people write it: digits with an optional leading `+` and spaces,
/// dashes, dots or parentheses between them; 7 to 15 digits (E.164's maximum).
pub fn parse_phone(raw: &str) -> Result<String, &'static str> {
    let raw = raw.trim();
    let body = raw.strip_prefix('+').unwrap_or(raw);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let allowed = body
        .chars()
        .all(|c| c.is_ascii_digit() || " -.()".contains(c));
    if !allowed || !(7..=15).contains(&digits) {
        return Err("Enter a phone number with 7 to 15 digits, like +44 20 7946 0958.");
    }
    Ok(raw.to_owned())
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
pub fn parse_country(raw: &str) -> Result<String, &'static str> {
    let code = raw.trim().to_ascii_uppercase();
    iso::country(&code)
        .map(|c| c.code.to_owned())
        .ok_or("Choose a country from the list (ISO 3166 code, like DE).")
}

/// An ISO 4217 currency code, upper-cased.
pub fn parse_currency(raw: &str) -> Result<String, &'static str> {
    let code = raw.trim().to_ascii_uppercase();
    iso::currency(&code)
        .map(|c| c.code.to_owned())
        .ok_or("Choose a currency from the list (ISO 4217 code, like EUR).")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> UpdateProfileRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn absent_and_null_fields_mean_different_things() {
        assert_eq!(parse("{}").phone, None);
        assert_eq!(parse(r#"{"phone": null}"#).phone, Some(None));
        assert_eq!(
            parse(r#"{"phone": "+1 555 0100 200"}"#).phone,
            Some(Some("+1 555 0100 200".into()))
        );
    }

    #[test]
    fn codes_are_normalised_to_upper_case() {
        let changes = parse(r#"{"country": "de", "payout_currency": "eur"}"#)
            .validate()
            .unwrap();
        assert_eq!(changes.country, Some(Some("DE".into())));
        assert_eq!(changes.payout_currency, Some(Some("EUR".into())));
    }

    #[test]
    fn blank_strings_clear_optional_fields() {
        let changes = parse(r#"{"phone": " ", "country": ""}"#)
            .validate()
            .unwrap();
        assert_eq!(changes.phone, Some(None));
        assert_eq!(changes.country, Some(None));
    }

    #[test]
    fn every_bad_field_is_reported() {
        let errors = parse(
            r#"{"first_name": " ", "email": "x", "phone": "call me",
                "country": "XX", "payout_currency": "EURO"}"#,
        )
        .validate()
        .unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["country", "email", "first_name", "payout_currency", "phone"]
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<UpdateProfileRequest>(r#"{"role": "admin"}"#).is_err());
    }
}
