//! Password rules: long enough, not on the lists attackers try first.

use thiserror::Error;

/// Shortest password we accept (NIST SP 800-63B recommends at least 8).
pub const MIN_LEN: usize = 8;
/// Longest password we accept; argon2 cost grows with length, so we cap it.
pub const MAX_LEN: usize = 128;

static COMMON: &str = include_str!("common_passwords.txt");

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasswordError {
    #[error("Use at least 8 characters.")]
    TooShort,
    #[error("Use at most 128 characters.")]
    TooLong,
    #[error("This password is too common; choose one that is harder to guess.")]
    TooCommon,
}

/// A password that passed the rules. Never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Checks a new password. Spaces are kept: they are part of passphrases.
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let len = raw.chars().count();
        if len < MIN_LEN {
            return Err(PasswordError::TooShort);
        }
        if len > MAX_LEN {
            return Err(PasswordError::TooLong);
        }
        if is_common(raw) {
            return Err(PasswordError::TooCommon);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password itself, to hash it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Whether `raw` is on the common-password list (case-insensitive), or is one character
/// repeated (`aaaaaaaaaa`), which no list can enumerate for every length.
pub fn is_common(raw: &str) -> bool {
    let lower = raw.trim().to_lowercase();
    let mut chars = lower.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return true;
    }
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_rejected() {
        assert_eq!(Password::parse("abc1234"), Err(PasswordError::TooShort));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(Password::parse("пароль7"), Err(PasswordError::TooShort));
        assert!(Password::parse("пароль-дл").is_ok());
    }

    #[test]
    fn common_passwords_are_rejected_in_any_case() {
        for p in [
            "password",
            "PassWord1",
            "12345678",
            "qwertyuiop",
            "zzzzzzzzzzzz",
        ] {
            assert_eq!(Password::parse(p), Err(PasswordError::TooCommon), "{p}");
        }
    }

    #[test]
    fn overlong_passwords_are_rejected() {
        assert_eq!(
            Password::parse(&"x1".repeat(65)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn ordinary_passphrases_are_accepted() {
        assert!(Password::parse("correct horse battery").is_ok());
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let p = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
