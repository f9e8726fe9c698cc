//! Email addresses, normalised once so that one person has one account.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a string is not an email address we accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Empty,
    #[error("Enter a valid email address, like name@example.com.")]
    Invalid,
    #[error("An email address has at most 254 characters.")]
    TooLong,
}

/// A syntactically valid, trimmed and lower-cased email address.
///
/// Lower-casing the whole address (not only the domain) is deliberate: no mail provider
/// partners use distinguishes case in the local part, and treating `Ann@x.io` and
/// `ann@x.io` as two accounts would let one person sign up twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Validates and normalises `raw`: at most 254 characters as sent, white space
    /// around it included.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if raw.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let s = s.to_lowercase();
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        if domain_ok && local_ok {
            Ok(Self(s))
        } else {
            Err(EmailError::Invalid)
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Email::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let e = Email::parse("  Ann.Lee+partner@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "ann.lee+partner@example.com");
    }

    #[test]
    fn international_domains_are_accepted() {
        assert!(Email::parse("anna@почта.рф").is_ok());
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in [
            "",
            "   ",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "ann@.example.com",
            "ann@example..com",
            ".ann@example.com",
            "an n@example.com",
            "ann@exa mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn overlong_addresses_are_rejected() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn the_length_limit_counts_the_white_space_around_an_address() {
        let domain = "b".repeat(254 - 64 - "@.com".len());
        let exact = format!("{}@{domain}.com", "a".repeat(64));
        assert_eq!(exact.len(), 254);
        assert!(Email::parse(&exact).is_ok());
        assert_eq!(Email::parse(&format!(" {exact}")), Err(EmailError::TooLong));
    }
}
