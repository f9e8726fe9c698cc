//! Opaque tokens (refresh, password reset): random, URL-safe, stored only as hashes.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The refresh cookie's name.
pub const REFRESH_COOKIE: &str = "partnerly_refresh";
/// The only path the browser sends the refresh cookie to.
pub const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";
/// How long a refresh token (a session) lives without use.
pub const REFRESH_TTL_DAYS: i64 = 30;
/// How long a password-reset link works.
pub const RESET_TTL_MINUTES: i64 = 60;

/// 256 random bits, base64url without padding (43 characters).
pub fn generate() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Lower-case letters and digits that cannot be confused when read aloud or typed (no
/// 0/o, 1/l): codes are unique and looked up without regard to case, so one case is all
/// the alphabet has.
const CODE_ALPHABET: &[u8] = b"23456789abcdefghijkmnpqrstuvwxyz";

fn random_code(len: usize) -> String {
    (0..len)
        .map(|_| char::from(CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// A referral code: 10 characters of a 32-letter alphabet, 50 bits — short enough to
/// read out, far too many to find by trying codes at the redirect.
pub fn referral_code() -> String {
    random_code(10)
}

/// A click's id, as the landing page gets it: 20 characters, 100 bits.
pub fn click_id() -> String {
    random_code(20)
}

/// The hex SHA-256 of a token: what the database keeps. A plain hash suffices because
/// the token has 256 bits of entropy (no dictionary to try).
pub fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The cookie carrying a refresh token: `HttpOnly; Secure; SameSite=Strict`, sent only to
/// the auth routes. Browsers accept `Secure` cookies from `http://localhost` too.
pub fn refresh_cookie(token: &str) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, token.to_owned())
        .path(REFRESH_COOKIE_PATH)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::days(REFRESH_TTL_DAYS))
        .finish()
}

/// A cookie that removes the refresh cookie.
pub fn clear_refresh_cookie() -> Cookie<'static> {
    let mut cookie = refresh_cookie("");
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = generate();
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, generate());
    }

    #[test]
    fn referral_codes_are_short_url_safe_and_unambiguous() {
        let code = referral_code();
        assert_eq!(code.len(), 10);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert!(!code.contains(['0', 'O', 'o', '1', 'l', 'I']));
        assert_eq!(code, code.to_ascii_lowercase());
        assert_eq!(click_id().len(), 20);
        assert_ne!(click_id(), click_id());
    }

    #[test]
    fn the_digest_is_stable_hex() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_refresh_cookie_is_locked_down() {
        let text = refresh_cookie("t").to_string();
        for part in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
    }
}
