//! Partner public ids (P6): `A123456` for a referral partner, `P123456` once a manager
//! approves them as an official partner. The six digits never change; only the letter does.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use utoipa::ToSchema;

/// Smallest and largest six-digit numbers a public id may carry.
pub const NUMBER_RANGE: std::ops::RangeInclusive<u32> = 100_000..=999_999;

/// Why a string is not a public id.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("A partner id is A or P followed by six digits, like A123456.")]
pub struct PublicIdError;

/// The kind of partner a public id names.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    /// A plain referral partner (`A` ids).
    Referral,
    /// An approved official partner or integrator (`P` ids).
    Official,
}

stored_as_text!(PartnerKind, "partner kind");

impl PartnerKind {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referral => "referral",
            Self::Official => "official",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "referral" => Some(Self::Referral),
            "official" => Some(Self::Official),
            _ => None,
        }
    }
}

/// A partner's public id, e.g. `A123456`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicId {
    kind: PartnerKind,
    number: u32,
}

impl utoipa::PartialSchema for PublicId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[AP][1-9][0-9]{5}$"))
            .description(Some(
                "A partner's public id: A (referral) or P (official) and six digits.",
            ))
            .examples(["A123456"])
            .into()
    }
}

impl ToSchema for PublicId {}

impl PartialOrd for PartnerKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PartnerKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

impl PublicId {
    /// A public id from its parts; `None` when `number` is not six digits.
    pub fn new(kind: PartnerKind, number: u32) -> Option<Self> {
        NUMBER_RANGE
            .contains(&number)
            .then_some(Self { kind, number })
    }

    /// Parses `A123456` / `P123456` (upper-case letter only).
    pub fn parse(raw: &str) -> Result<Self, PublicIdError> {
        let mut chars = raw.chars();
        let kind = match chars.next() {
            Some('A') => PartnerKind::Referral,
            Some('P') => PartnerKind::Official,
            _ => return Err(PublicIdError),
        };
        let digits = chars.as_str();
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PublicIdError);
        }
        let number = digits.parse().map_err(|_| PublicIdError)?;
        Self::new(kind, number).ok_or(PublicIdError)
    }

    /// Referral or official.
    pub fn kind(&self) -> PartnerKind {
        self.kind
    }

    /// The six digits.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The same partner with another kind (the digits are kept).
    pub fn with_kind(self, kind: PartnerKind) -> Self {
        Self { kind, ..self }
    }
}

impl fmt::Display for PublicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = match self.kind {
            PartnerKind::Referral => 'A',
            PartnerKind::Official => 'P',
        };
        write!(f, "{letter}{:06}", self.number)
    }
}

impl Serialize for PublicId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PublicId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        PublicId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        for raw in ["A123456", "P999999", "A100000"] {
            assert_eq!(PublicId::parse(raw).unwrap().to_string(), raw);
        }
    }

    #[test]
    fn approval_keeps_the_digits_and_changes_the_letter() {
        let a = PublicId::parse("A654321").unwrap();
        assert_eq!(a.with_kind(PartnerKind::Official).to_string(), "P654321");
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for bad in [
            "", "A12345", "A1234567", "B123456", "a123456", "A012345", "A12345x",
        ] {
            assert!(PublicId::parse(bad).is_err(), "{bad}");
        }
    }
}
