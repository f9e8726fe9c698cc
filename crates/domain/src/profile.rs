//! Profile changes (P5): names, email, phone, target country, payout currency.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::auth::MAX_NAME_LEN;
use crate::error::{FieldErrors, Validator};
use crate::{Currency, Email, iso};

/// The white space `str::trim` removes (Unicode `White_Space`), as a regex class body.
const WHITE_SPACE: &str =
    "\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

/// `country`: a known code in any case, or blank (clears it), with white space around.
fn country_schema() -> utoipa::openapi::schema::Object {
    let codes = iso::COUNTRIES
        .iter()
        .map(|c| either_case(c.code))
        .collect::<Vec<_>>()
        .join("|");
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::String,
            utoipa::openapi::schema::Type::Null,
        ]))
        .pattern(Some(format!(
            "^[{WHITE_SPACE}]*(?:{codes})?[{WHITE_SPACE}]*$"
        )))
        .max_length(Some(MAX_CODE_FIELD_LEN))
        .description(Some(
            "ISO 3166-1 alpha-2 code, in any case; `null` or blank clears it.",
        ))
        .examples(["DE"])
        .build()
}

/// The longest phone, country or payout currency accepted as sent (white space
/// around a code included).
pub const MAX_CODE_FIELD_LEN: usize = 40;

/// `payout_currency`: a currency, or blank (clears it).
fn payout_currency_schema() -> utoipa::openapi::schema::Schema {
    let one_of = utoipa::openapi::schema::OneOfBuilder::new()
        .item(utoipa::openapi::schema::Ref::from_schema_name(
            <Currency as utoipa::ToSchema>::name(),
        ))
        .item(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .pattern(Some(format!("^[{WHITE_SPACE}]*$")))
                .max_length(Some(MAX_CODE_FIELD_LEN))
                .description(Some("Blank: clears it.")),
        )
        .item(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::Null)
                .description(Some("Clears it.")),
        )
        .description(Some("ISO 4217 code; `null` or blank clears it."))
        .examples(["EUR"])
        .build();
    utoipa::openapi::schema::Schema::OneOf(one_of)
}

/// `de` → `[Dd][Ee]`: an ASCII code matched in any case, as `to_ascii_uppercase` reads it.
fn either_case(code: &str) -> String {
    code.chars()
        .map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()))
        .collect()
}

/// `PATCH /api/v1/me`. Absent fields stay as they are; `null` clears an optional field.
/// Changing the email needs `current_password`, so a borrowed session cannot take the
/// account over through a password reset sent to a new address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    // Names: white space (control characters among it too) is collapsed before the
    // check for control characters, so only the others are refused; see `parse_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*$"
    )]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*$"
    )]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    /// Needed only when `email` changes (at most 128 characters, as passwords are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 128)]
    pub current_password: Option<String>,
    // 7 to 15 digits, an optional leading `+`, spaces, dashes, dots and parentheses;
    // blank clears it; at most 40 characters as sent.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(
        value_type = Option<String>,
        example = "+44 20 7946 0958",
        max_length = 40,
        pattern = "^[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*(?:\\+?[ ().-]*(?:[0-9][ ().-]*){7,15})?[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$"
    )]
    pub phone: Option<Option<String>>,
    /// ISO 3166-1 alpha-2 code.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(schema_with = country_schema)]
    pub country: Option<Option<String>>,
    /// ISO 4217 code.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(schema_with = payout_currency_schema)]
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
        for (field, value) in [
            ("phone", &self.phone),
            ("country", &self.country),
            ("payout_currency", &self.payout_currency),
        ] {
            if let Some(Some(raw)) = value
                && raw.chars().count() > MAX_CODE_FIELD_LEN
            {
                v.add(field, "At most 40 characters.");
            }
        }
        if self
            .current_password
            .as_ref()
            .is_some_and(|p| p.chars().count() > crate::password::MAX_LEN)
        {
            v.add("current_password", "At most 128 characters.");
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

/// A first or last name: trimmed, inner whitespace collapsed, at most 100 characters
/// (as sent, white space included).
pub fn parse_name(raw: &str, required: bool) -> Result<String, &'static str> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && name.is_empty() {
        return Err("Enter a first name.");
    }
    if raw.chars().count() > MAX_NAME_LEN {
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
    fn the_name_limit_counts_the_white_space_as_sent() {
        assert!(parse_name(&"a".repeat(100), true).is_ok());
        assert!(parse_name(&format!("{} ", "a".repeat(100)), true).is_err());
        assert!(parse_name(&" ".repeat(101), false).is_err());
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<UpdateProfileRequest>(r#"{"role": "admin"}"#).is_err());
    }
}
