//! Reading a JSON value as a request type, with each mistake named by its field path
//! (`data.amount`, `events[3].occurred_at`) and told in words a person can act on: no
//! Rust type names (`u16`, `OffsetDateTime`, `struct MoneyView`) reach a client.
//!
//! serde reports a mistake as text only; [`plain`] rewrites the shapes serde_json's
//! messages take (missing field, unknown field, invalid type, invalid value, unknown
//! variant) and the `time` crate's parse errors. Anything else is passed on as it is.

use serde::de::DeserializeOwned;

use crate::error::FieldErrors;

/// Reads `value` as `T`; a mistake becomes one field error at `prefix` + its path
/// (`prefix` is `""` for the top level, or e.g. `"data"`).
///
/// Numbers with no fractional part are integers first (`5.0` is `5`): JSON Schema
/// counts them as integers, and so a client library that writes every number as a
/// float is understood.
pub fn from_value<T: DeserializeOwned>(
    mut value: serde_json::Value,
    prefix: &str,
) -> Result<T, FieldErrors> {
    integral_floats_as_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let (field, message) = plain(&join(prefix, &path), &message);
        FieldErrors::from([(field, message)])
    })
}

/// Like [`from_value`] for a type written as a JSON object (every request body and
/// event): any other value is refused as such, rather than read field by field from a
/// list as serde would.
pub fn object_from_value<T: DeserializeOwned>(
    value: serde_json::Value,
    prefix: &str,
) -> Result<T, FieldErrors> {
    let got = match &value {
        serde_json::Value::Object(_) => return from_value(value, prefix),
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Null => "null",
    };
    Err(FieldErrors::from([(
        prefix.to_owned(),
        format!("Expected an object, got {got}."),
    )]))
}

/// Rewrites every float with no fractional part that fits 64 bits as an integer.
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// `prefix.path`, where serde_path_to_error writes the top level as `.`.
fn join(prefix: &str, path: &str) -> String {
    let path = if path == "." { "" } else { path };
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

fn child(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// The field and message for serde's `message` about the value at `field`.
fn plain(field: &str, message: &str) -> (String, String) {
    // serde_json appends " at line L column C"; the path says where.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message, |(head, _)| head);
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        return (child(field, name), "Required.".into());
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (_, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known = expected
            .trim_start_matches(", expected one of ")
            .trim_start_matches(", expected ")
            .replace('`', "");
        let text = if known.is_empty() || known.starts_with("there are no fields") {
            "Unknown field.".to_owned()
        } else {
            format!("Unknown field; use {known}.")
        };
        // The path already ends with the unknown name.
        return (field.to_owned(), text);
    }
    if message.starts_with("invalid length ") && message.contains("expected struct") {
        return (field.to_owned(), "Expected an object, got a list.".into());
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (_, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known = expected
            .trim_start_matches(", expected one of ")
            .trim_start_matches(", expected ")
            .replace('`', "");
        return (field.to_owned(), format!("Use one of: {known}."));
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((got, expected)) = rest.split_once(", expected ")
        {
            return (
                field.to_owned(),
                format!(
                    "Expected {}, got {}.",
                    expected_in_words(expected),
                    got_in_words(got)
                ),
            );
        }
    }
    if is_time_error(message) {
        return (
            field.to_owned(),
            "Use an RFC 3339 time, like 2026-11-01T00:00:00Z.".into(),
        );
    }
    (field.to_owned(), format!("{message}."))
}

/// serde's "expected" phrase without Rust type names.
fn expected_in_words(expected: &str) -> String {
    let expected = expected.trim_end_matches('.');
    match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number of at least 0".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" | "a string" | "a sequence" | "a map" => expected
            .replace("a sequence", "a list")
            .replace("a map", "an object"),
        _ if expected.starts_with("struct ") || expected.starts_with("a map") => "an object".into(),
        _ if expected.starts_with("a borrowed ")
            || expected.contains("OffsetDateTime")
            || expected.contains("date") =>
        {
            "an RFC 3339 time, like 2026-11-01T00:00:00Z".into()
        }
        _ if expected.starts_with("variant identifier") || expected.starts_with("enum ") => {
            "one of the documented values".into()
        }
        _ => expected.replace('`', ""),
    }
}

/// serde's description of what it got (`string "x"`, `integer `5``, `map`).
fn got_in_words(got: &str) -> String {
    let got = got.replace('`', "");
    match got.as_str() {
        "map" => "an object".into(),
        "sequence" => "a list".into(),
        "null" | "unit value" => "null".into(),
        _ => got,
    }
}

/// Whether `message` is one of the `time` crate's parse errors (RFC 3339 fields).
fn is_time_error(message: &str) -> bool {
    message.contains("component") || message.contains("the input") || message.contains("RFC 3339")
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use time::OffsetDateTime;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        months: u16,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Inner,
    }

    fn error(value: serde_json::Value) -> (String, String) {
        from_value::<Outer>(value, "data")
            .unwrap_err()
            .into_iter()
            .next()
            .unwrap()
    }

    #[test]
    fn mistakes_name_the_field_in_plain_words() {
        let at = "2026-11-01T00:00:00Z";
        let cases = [
            (
                serde_json::json!({"inner": {"months": 1, "at": at}}),
                "data.name",
                "Required.",
            ),
            (
                serde_json::json!({"name": "a", "inner": {"months": "x", "at": at}}),
                "data.inner.months",
                "Expected a whole number of at least 0, got string \"x\".",
            ),
            (
                serde_json::json!({"name": "a", "inner": {"months": -1, "at": at}}),
                "data.inner.months",
                "Expected a whole number of at least 0, got integer -1.",
            ),
            (
                serde_json::json!({"name": "a", "inner": {"months": 1, "at": "yesterday"}}),
                "data.inner.at",
                "Use an RFC 3339 time, like 2026-11-01T00:00:00Z.",
            ),
            (
                serde_json::json!({"name": "a", "inner": 5}),
                "data.inner",
                "Expected an object, got integer 5.",
            ),
        ];
        for (value, field, message) in cases {
            assert_eq!(error(value), (field.to_owned(), message.to_owned()));
        }
        let (field, message) = error(serde_json::json!({"name": "a", "nme": 1}));
        assert_eq!(field, "data.nme");
        assert_eq!(message, "Unknown field; use name or inner.");
    }

    #[test]
    fn integral_floats_are_integers() {
        let value = serde_json::json!({"name": "a", "inner": {"months": 3.0, "at": "2026-11-01T00:00:00Z"}});
        let outer: Outer = from_value(value, "").unwrap();
        assert_eq!(outer.inner.months, 3);
        let (field, _) = error(
            serde_json::json!({"name": "a", "inner": {"months": 3.5, "at": "2026-11-01T00:00:00Z"}}),
        );
        assert_eq!(field, "data.inner.months");
    }

    #[test]
    fn no_rust_type_name_reaches_a_message() {
        for value in [
            serde_json::json!([]),
            serde_json::json!({"name": 1, "inner": {}}),
            serde_json::json!({"name": "a", "inner": {"months": 1.5, "at": 3}}),
        ] {
            let (_, message) = error(value);
            for rust in ["u16", "struct", "OffsetDateTime", "Outer", "Inner"] {
                assert!(!message.contains(rust), "{message}");
            }
        }
    }
}
