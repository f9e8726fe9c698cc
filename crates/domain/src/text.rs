//! Text and URL values that several requests share, each validated once: the display
//! names of programs and levels ([`Name`]), the landing page the tracking redirect sends
//! visitors to ([`LandingUrl`]), host names ([`parse_host`]) and the reasons staff give
//! for a change ([`parse_reason`]).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest program or level name, in characters.
pub const MAX_NAME_LEN: usize = 100;
/// Longest landing URL, in characters.
pub const MAX_URL_LEN: usize = 2_000;
/// Longest reason staff give for a change, in characters.
pub const MAX_REASON_LEN: usize = 500;
/// Longest host name, in characters.
pub const MAX_HOST_LEN: usize = 253;

/// The JSON Schema `pattern` of an allowed domain: what [`parse_host`] accepts, white
/// space around it included (its length is the item's `maxLength`).
pub const HOST_PATTERN: &str = "^[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.*[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$";

/// A display name (of a program or a level): trimmed, inner white space collapsed, 1 to
/// [`MAX_NAME_LEN`] characters, no control characters.
///
/// It serializes as a string but has no `Deserialize`: the message for a blank name says
/// what is being named ("Give the program a name."), which only the request knows, so
/// requests carry a `String` and call [`Name::parse`], and the error stays beside its
/// field. Nor does it implement `ToSchema`: a field holding one states its schema with
/// `#[schema(value_type = String, ..)]`, so that the OpenAPI document keeps the field's
/// own bounds instead of gaining a `Name` component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(String);

impl Name {
    /// A name: trimmed, inner whitespace collapsed, 1 to 100 characters (at most 100 as
    /// sent, white space included). `what` is what the name is of, for the message
    /// about a blank one.
    pub fn parse(raw: &str, what: &str) -> Result<Self, String> {
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
        Ok(Self(name))
    }

    /// A name as the database stores it, not checked again: it was checked when it was
    /// written, and an update checks the whole settings anew anyway.
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Where the tracking redirect sends visitors: an absolute `http`/`https` URL without
/// credentials, at most [`MAX_URL_LEN`] characters as sent, whose host is a host name
/// [`parse_host`] accepts, with an optional port from 1 to 65535.
///
/// The URL is kept as sent (trimmed), not normalised: the redirect, the stored value and
/// the API show exactly what staff entered. It is a string in JSON; a field holding one
/// states its schema with `#[schema(value_type = String, ..)]` (there is no `ToSchema`),
/// so that the OpenAPI document keeps the field's own pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LandingUrl {
    url: String,
    host: String,
}

impl LandingUrl {
    /// An absolute `http`/`https` URL without credentials, at most [`MAX_URL_LEN`]
    /// characters as sent; keeps the URL (trimmed) and its host.
    pub fn parse(raw: &str) -> Result<Self, String> {
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
        Ok(Self {
            url: url.to_owned(),
            host,
        })
    }

    /// A landing URL as the database stores it, not checked again: it was checked when
    /// it was written (but for the default program's, which is the configured public
    /// URL), and an update checks the whole settings anew anyway. Its host is the one
    /// [`LandingUrl::parse`] finds, or empty when that refuses the stored text.
    pub fn from_stored(stored: String) -> Self {
        let host = Self::parse(&stored).map(|u| u.host).unwrap_or_default();
        Self { url: stored, host }
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The host, lower-case and without final dots: what the allowed domains are
    /// compared with.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn into_string(self) -> String {
        self.url
    }
}

impl fmt::Display for LandingUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl Serialize for LandingUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.url)
    }
}

impl<'de> Deserialize<'de> for LandingUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        LandingUrl::parse(&raw).map_err(serde::de::Error::custom)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_collapsed_and_a_blank_one_says_what_it_names() {
        let name = Name::parse("  Official \t partners ", "program").unwrap();
        assert_eq!(name.as_str(), "Official partners");
        assert_eq!(
            serde_json::to_string(&name).unwrap(),
            r#""Official partners""#
        );
        assert_eq!(
            Name::parse(" ", "level"),
            Err("Give the level a name.".to_owned())
        );
        assert!(Name::parse(&"a".repeat(MAX_NAME_LEN), "level").is_ok());
        assert!(Name::parse(&format!("{} ", "a".repeat(MAX_NAME_LEN)), "level").is_err());
        assert!(Name::parse("a\u{7}b", "level").is_err());
    }

    #[test]
    fn a_landing_url_is_kept_as_sent_and_is_a_string_in_json() {
        let url = LandingUrl::parse(" https://WWW.Example.com.:8443/p?x=1 ").unwrap();
        assert_eq!(url.as_str(), "https://WWW.Example.com.:8443/p?x=1");
        assert_eq!(url.host(), "www.example.com");
        let json = serde_json::to_string(&url).unwrap();
        assert_eq!(json, r#""https://WWW.Example.com.:8443/p?x=1""#);
        assert_eq!(serde_json::from_str::<LandingUrl>(&json).unwrap(), url);
        assert!(serde_json::from_str::<LandingUrl>(r#""ftp://example.com""#).is_err());
        assert_eq!(LandingUrl::from_stored(url.as_str().to_owned()), url);
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
            assert!(LandingUrl::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            LandingUrl::parse("http://localhost:8080/x").unwrap().host(),
            "localhost"
        );
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
        assert!(LandingUrl::parse(&url).is_ok());
        assert!(LandingUrl::parse(&format!(" {url}")).is_err());
    }
}
