//! International bank account numbers (ISO 13616) and bank identifier codes (ISO 9362),
//! the bank-transfer wallet's two numbers (W1).
//!
//! An IBAN is checked three ways: the country is one that issues IBANs, the length is
//! that country's, and the check digits satisfy the mod-97 rule, which catches every
//! single mistyped digit and every swap of two neighbouring digits. The bank's own account
//! format inside the IBAN is not checked: the registry's per-country layouts change,
//! and the checksum already refuses what a person is likely to mistype.

use std::fmt;

use thiserror::Error;

/// Why a string is not an IBAN we accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IbanError {
    #[error("Enter the IBAN.")]
    Empty,
    #[error("An IBAN has only letters and digits, like DE89 3704 0044 0532 0130 00.")]
    Characters,
    #[error("An IBAN starts with a country code that issues IBANs, like DE or GB.")]
    Country,
    #[error("An IBAN from {country} has {expected} characters; this one has {actual}.")]
    Length {
        country: String,
        expected: usize,
        actual: usize,
    },
    #[error("This IBAN's check digits do not match: please check it for a typing mistake.")]
    Checksum,
}

/// The countries that issue IBANs and each one's length (the SWIFT IBAN registry).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// A valid IBAN in its electronic form: upper case, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

impl Iban {
    /// Validates `raw`, accepting the printed form (spaces, lower case) too.
    pub fn parse(raw: &str) -> Result<Self, IbanError> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.is_empty() {
            return Err(IbanError::Empty);
        }
        if !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(IbanError::Characters);
        }
        let country = compact.get(..2).ok_or(IbanError::Country)?;
        let expected = LENGTHS
            .iter()
            .find(|(c, _)| *c == country)
            .map(|(_, len)| *len)
            .ok_or(IbanError::Country)?;
        if compact.len() != expected {
            return Err(IbanError::Length {
                country: country.to_owned(),
                expected,
                actual: compact.len(),
            });
        }
        if !compact[2..4].chars().all(|c| c.is_ascii_digit()) || remainder(&compact) != 1 {
            return Err(IbanError::Checksum);
        }
        Ok(Self(compact))
    }

    /// The electronic form (`DE89370400440532013000`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country code it starts with.
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// The form shown to anyone but the owner and finance: country and the last four
    /// characters (`DE•• •••• 3000`).
    pub fn masked(&self) -> String {
        mask(&self.0, 2, 4)
    }
}

impl fmt::Display for Iban {
    /// The printed form: groups of four.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

/// The IBAN's value mod 97 with its first four characters moved to the end and letters
/// read as 10..35, computed digit by digit so no number grows past a `u32`.
fn remainder(compact: &str) -> u32 {
    let rearranged = compact[4..].chars().chain(compact[..4].chars());
    rearranged.fold(0, |acc, c| {
        let value = c.to_digit(36).unwrap_or(0);
        if value < 10 {
            (acc * 10 + value) % 97
        } else {
            (acc * 100 + value) % 97
        }
    })
}

/// The check digits that make `country` + `bban` a valid IBAN (for tests and examples).
pub fn check_digits(country: &str, bban: &str) -> String {
    let probe = format!("{country}00{bban}");
    format!("{:02}", 98 - remainder(&probe))
}

/// `keep_start` and `keep_end` characters of `s` shown, the rest as `•`, in groups of four.
pub(crate) fn mask(s: &str, keep_start: usize, keep_end: usize) -> String {
    let count = s.chars().count();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        if i < keep_start || i + keep_end >= count {
            out.push(c);
        } else {
            out.push('•');
        }
    }
    out
}

/// Why a string is not a BIC we accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BicError {
    #[error("Enter the bank's BIC (SWIFT code).")]
    Empty,
    #[error(
        "A BIC has 8 or 11 characters: bank (4 letters), country (2 letters), location and branch, like DEUTDEFF500."
    )]
    Invalid,
}

/// A bank identifier code: 4 letters for the bank, 2 for the country, 2 letters or
/// digits for the location, and an optional 3 for the branch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bic(String);

impl Bic {
    pub fn parse(raw: &str) -> Result<Self, BicError> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.is_empty() {
            return Err(BicError::Empty);
        }
        let b = s.as_bytes();
        let shape = (b.len() == 8 || b.len() == 11)
            && b[..6].iter().all(u8::is_ascii_uppercase)
            && b[6..].iter().all(u8::is_ascii_alphanumeric);
        if shape {
            Ok(Self(s))
        } else {
            Err(BicError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_ibans_pass_in_either_form() {
        for raw in [
            "DE89 3704 0044 0532 0130 00",
            "gb82west12345698765432",
            "UA21 3223 1300 0002 6007 2335 6600 1",
            "NO9386011117947",
        ] {
            let iban = Iban::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert!(!iban.as_str().contains(' '));
        }
        let iban = Iban::parse("de89370400440532013000").expect("valid");
        assert_eq!(iban.to_string(), "DE89 3704 0044 0532 0130 00");
        assert_eq!(iban.country(), "DE");
        assert_eq!(iban.masked(), "DE•• •••• •••• •••• ••30 00");
    }

    #[test]
    fn each_refusal_says_why() {
        assert_eq!(Iban::parse("  "), Err(IbanError::Empty));
        assert_eq!(Iban::parse("DE89-3704"), Err(IbanError::Characters));
        assert_eq!(
            Iban::parse("ZZ89370400440532013000"),
            Err(IbanError::Country)
        );
        assert_eq!(
            Iban::parse("DE8937040044053201300"),
            Err(IbanError::Length {
                country: "DE".into(),
                expected: 22,
                actual: 21
            })
        );
        assert_eq!(
            Iban::parse("DE88370400440532013000"),
            Err(IbanError::Checksum)
        );
        assert_eq!(
            Iban::parse("DEAB370400440532013000"),
            Err(IbanError::Checksum)
        );
        let message = Iban::parse("DE8937040044053201300")
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "An IBAN from DE has 22 characters; this one has 21."
        );
    }

    #[test]
    fn bics_have_eight_or_eleven_characters() {
        assert_eq!(Bic::parse("deutdeff").expect("8").as_str(), "DEUTDEFF");
        assert!(Bic::parse("DEUTDEFF500").is_ok());
        assert_eq!(Bic::parse(""), Err(BicError::Empty));
        for bad in [
            "DEUTDEF",
            "DEUTDEFF50",
            "DEU1DEFF",
            "DEUTD3FF",
            "DEUTDEFF5001",
            "DEUTDEFF-00",
        ] {
            assert_eq!(Bic::parse(bad), Err(BicError::Invalid), "{bad}");
        }
    }

    const DIGITS: &[u8] = b"0123456789";
    const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// A valid IBAN of any issuing country whose account part uses `alphabet`.
    fn any_iban(alphabet: &'static [u8]) -> impl Strategy<Value = String> {
        (0..LENGTHS.len()).prop_flat_map(move |i| {
            let (country, len) = LENGTHS[i];
            proptest::collection::vec(proptest::sample::select(alphabet.to_vec()), len - 4)
                .prop_map(move |bban| {
                    let bban = String::from_utf8(bban).expect("ascii");
                    format!("{country}{}{bban}", check_digits(country, &bban))
                })
        })
    }

    proptest! {
        #[test]
        fn every_iban_with_right_check_digits_passes(iban in any_iban(ALPHANUMERIC)) {
            prop_assert_eq!(Iban::parse(&iban).map(|i| i.0), Ok(iban));
        }

        #[test]
        fn one_mistyped_digit_is_always_refused(
            iban in any_iban(DIGITS),
            at in 2usize..15,
            replacement in proptest::sample::select(DIGITS.to_vec()),
        ) {
            let mut bytes = iban.clone().into_bytes();
            prop_assume!(bytes[at] != replacement);
            bytes[at] = replacement;
            let typo = String::from_utf8(bytes).expect("ascii");
            prop_assert!(Iban::parse(&typo).is_err(), "{} accepted", typo);
        }

        #[test]
        fn neighbouring_digits_swapped_are_always_refused(
            iban in any_iban(DIGITS),
            at in 4usize..14,
        ) {
            let mut bytes = iban.clone().into_bytes();
            prop_assume!(bytes[at] != bytes[at + 1]);
            bytes.swap(at, at + 1);
            let typo = String::from_utf8(bytes).expect("ascii");
            prop_assert!(Iban::parse(&typo).is_err(), "{} accepted", typo);
        }
    }
}
