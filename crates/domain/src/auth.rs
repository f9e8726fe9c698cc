//! Sign-up, sign-in, token refresh and password reset: the bodies the API takes and gives.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};
use crate::{Email, Password, account::Account};

/// Longest name we store, in characters.
pub const MAX_NAME_LEN: usize = 100;

/// `POST /api/v1/auth/signup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// Full name; the first word becomes the first name, the rest the last name.
    // White space (control characters among it too) is collapsed before the check
    // for control characters, so only the others are refused; see `parse_full_name`.
    #[schema(
        example = "Ada Lovelace",
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u0008\\u000E-\\u001F\\u007F-\\u0084\\u0086-\\u009F]*$"
    )]
    pub name: String,
    #[schema(example = "ada@example.com", max_length = 254, format = Email)]
    pub email: String,
    /// At least 8 characters, not a common password.
    #[schema(example = "analytical engine 1843", min_length = 8, max_length = 128)]
    pub password: String,
}

/// A sign-up that passed validation.
#[derive(Debug, Clone)]
pub struct ValidSignup {
    pub first_name: String,
    pub last_name: String,
    pub email: Email,
    /// The raw password: for an existing account it is checked as a sign-in, so the
    /// strength rules apply only when a new account is made.
    pub password: String,
}

impl SignupRequest {
    /// Validates every field at once.
    pub fn validate(&self) -> Result<ValidSignup, FieldErrors> {
        let mut v = Validator::new();
        let name = v.check("name", parse_full_name(&self.name));
        let email = v.check("email", Email::parse(&self.email));
        if self.password.is_empty() {
            v.add("password", "Enter a password.");
        }
        v.finish()?;
        let ((first_name, last_name), email) = name.zip(email).ok_or_else(FieldErrors::new)?;
        Ok(ValidSignup {
            first_name,
            last_name,
            email,
            password: self.password.clone(),
        })
    }
}

/// Splits "Ada King Lovelace" into ("Ada", "King Lovelace"). At most 100 characters as
/// sent, white space included, so that the limit is the one the API documents.
pub fn parse_full_name(raw: &str) -> Result<(String, String), &'static str> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Enter your name.");
    }
    if raw.chars().count() > MAX_NAME_LEN {
        return Err("A name has at most 100 characters.");
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.");
    }
    Ok(match name.split_once(' ') {
        Some((first, last)) => (first.to_owned(), last.to_owned()),
        None => (name, String::new()),
    })
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "ada@example.com", max_length = 254, format = Email)]
    pub email: String,
    // Only verified: no stored password is longer than 128 characters, so a longer one
    // is refused (401) like any wrong one.
    #[schema(example = "analytical engine 1843", min_length = 1, max_length = 1024)]
    pub password: String,
}

impl LoginRequest {
    /// Checks that both fields are present; wrong pairs are told apart only by the server.
    pub fn validate(&self) -> Result<Email, FieldErrors> {
        let mut v = Validator::new();
        let email = v.check("email", Email::parse(&self.email));
        if self.password.is_empty() {
            v.add("password", "Enter your password.");
        }
        v.finish()?;
        email.ok_or_else(FieldErrors::new)
    }
}

/// What sign-up, sign-in and refresh answer. The refresh token travels separately, in an
/// `HttpOnly` cookie scoped to `/api/v1/auth`, so scripts on the page can never read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuthResponse {
    /// A JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u32,
    pub account: Account,
}

/// `POST /api/v1/auth/password-reset`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[schema(example = "ada@example.com", max_length = 254, format = Email)]
    pub email: String,
}

/// `POST /api/v1/auth/password-reset/confirm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The token from the emailed link.
    // Any token but an issued one (43 characters) is refused (400), so the bound only
    // keeps generated ones short.
    #[schema(
        min_length = 1,
        max_length = 1024,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub token: String,
    /// The new password.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

impl PasswordResetConfirm {
    /// Checks the token is present and the new password follows the rules.
    pub fn validate(&self) -> Result<Password, FieldErrors> {
        let mut v = Validator::new();
        if self.token.trim().is_empty() {
            v.add("token", "The reset link is incomplete; request a new one.");
        }
        let password = v.check("password", Password::parse(&self.password));
        v.finish()?;
        password.ok_or_else(FieldErrors::new)
    }
}

/// `POST /api/v1/me/password`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    // Only verified: a longer one than any stored password is refused (422) like any
    // wrong one.
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

impl ChangePasswordRequest {
    /// Checks the new password follows the rules and differs from the current one.
    pub fn validate(&self) -> Result<Password, FieldErrors> {
        let mut v = Validator::new();
        if self.current_password.is_empty() {
            v.add("current_password", "Enter your current password.");
        }
        let password = v.check("new_password", Password::parse(&self.new_password));
        if self.new_password == self.current_password && !self.new_password.is_empty() {
            v.add(
                "new_password",
                "The new password must differ from the current one.",
            );
        }
        v.finish()?;
        password.ok_or_else(FieldErrors::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_names_split_at_the_first_space() {
        assert_eq!(
            parse_full_name("  Ada   King Lovelace ").unwrap(),
            ("Ada".into(), "King Lovelace".into())
        );
        assert_eq!(
            parse_full_name("Cher").unwrap(),
            ("Cher".into(), String::new())
        );
    }

    #[test]
    fn the_name_limit_counts_the_white_space_as_sent() {
        assert!(parse_full_name(&"a".repeat(100)).is_ok());
        assert!(parse_full_name(&format!(" {}", "a".repeat(100))).is_err());
        assert!(parse_full_name(&format!("Ada{}Lovelace", " ".repeat(92))).is_err());
    }

    #[test]
    fn signup_reports_every_bad_field_at_once() {
        let req = SignupRequest {
            name: " ".into(),
            email: "nope".into(),
            password: String::new(),
        };
        let errors = req.validate().unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["email", "name", "password"]
        );
    }

    #[test]
    fn changing_to_the_same_password_is_refused() {
        let req = ChangePasswordRequest {
            current_password: "correct horse battery".into(),
            new_password: "correct horse battery".into(),
        };
        assert!(req.validate().unwrap_err().contains_key("new_password"));
    }
}
