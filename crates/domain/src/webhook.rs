//! Outgoing webhooks (I2): the event types Partnerly sends, endpoint URLs and
//! subscriptions validated once, and the admin API's request and response types.
//!
//! Messages follow the Standard Webhooks shape: the body is
//! `{"type": ..., "timestamp": ..., "data": {...}}`, signed with the endpoint's secret.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};

/// Every event type Partnerly sends to webhook endpoints.
pub const EVENT_TYPES: &[&str] = &[
    "customer.attributed",
    "commission.created",
    "commission.available",
    "commission.reversed",
    "client_bonus.granted",
    "partner.level_changed",
    "deal.created",
    "deal.status_changed",
];

/// The type of the message sent by "send test message"; endpoints get it whatever they
/// subscribe to, and nothing else sends it.
pub const TEST_EVENT_TYPE: &str = "webhook.test";

/// Subscribes to every event type, including ones added later.
pub const ALL_EVENTS: &str = "*";

/// Longest endpoint URL accepted, in bytes.
pub const MAX_URL_LEN: usize = 2000;
/// Longest description accepted, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 500;

/// The OpenAPI schema of an `events` list: one or more of [`EVENT_TYPES`] and `*`.
fn event_list_schema() -> utoipa::openapi::schema::Array {
    event_list().build()
}

/// [`event_list_schema`], or `null` (a change that keeps the list).
fn event_list_change_schema() -> utoipa::openapi::schema::Array {
    crate::pattern::array_or_null(event_list())
}

fn event_list() -> utoipa::openapi::schema::ArrayBuilder {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .enum_values(Some(
                    std::iter::once(ALL_EVENTS).chain(EVENT_TYPES.iter().copied()),
                )),
        )
        .min_items(Some(1))
        .max_items(Some(EVENT_TYPES.len() + 1))
        .unique_items(true)
        .description(Some(
            "Event types to receive, each named once, or `[\"*\"]` for all.",
        ))
        .examples([serde_json::json!([
            "commission.created",
            "commission.reversed"
        ])])
}

/// An absolute `http` or `https` URL with a host: where an endpoint receives messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Checks the URL (at most [`MAX_URL_LEN`] bytes) and keeps it as the parser
    /// normalises it. The URL must have the shape the document's pattern states
    /// ([`has_url_shape`]): `http(s)://`, a host name of ASCII labels, an optional port,
    /// and a path or query of printable ASCII without `#`.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if raw.trim().is_empty() {
            return Err("Enter the URL that receives the webhooks.");
        }
        if raw.len() > MAX_URL_LEN {
            return Err("A webhook URL has at most 2000 characters.");
        }
        if !has_url_shape(raw) {
            return Err("Enter an absolute http(s) URL with a host name, like \
                 https://billing.example.com/webhooks (ASCII, no spaces or #fragment).");
        }
        let url = url::Url::parse(raw)
            .map_err(|_| "Enter an absolute URL, like https://example.com/webhooks.")?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("The URL must start with https:// or http://.");
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("The URL needs a host name, like https://example.com/webhooks.");
        }
        if url.fragment().is_some() {
            return Err("The URL cannot have a #fragment.");
        }
        Ok(Self(url.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether `raw` matches the `url` pattern of the OpenAPI document, character for
/// character: `http://` or `https://` in any case; a host name (labels of ASCII letters
/// and digits with single inner hyphens, separated by dots, the last starting with a
/// letter) or an IPv4 address (four numbers to 255, no leading zeros); an optional port up to 65535 (1 to 4 digits, or 5 without a leading zero); then nothing,
/// or `/` or `?` followed by printable ASCII other than `#`.
pub fn has_url_shape(raw: &str) -> bool {
    let lower_scheme = raw.get(..8).map(str::to_ascii_lowercase);
    let rest = match lower_scheme.as_deref() {
        Some("https://") => &raw[8..],
        _ if raw
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://")) =>
        {
            &raw[7..]
        }
        _ => return false,
    };
    let host_end = rest.find([':', '/', '?']).unwrap_or(rest.len());
    let (host, mut rest) = rest.split_at(host_end);
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.split('-')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()))
    };
    let last_ok = labels
        .last()
        .is_some_and(|l| l.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()));
    let octet_ok = |l: &&str| {
        (1..=3).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_digit())
            && (l.len() == 1 || !l.starts_with('0'))
            && l.parse::<u16>().is_ok_and(|n| n <= 255)
    };
    let ipv4 = labels.len() == 4 && labels.iter().all(octet_ok);
    if !ipv4 && (!last_ok || !labels.iter().all(|l| label_ok(l))) {
        return false;
    }
    if let Some(after_colon) = rest.strip_prefix(':') {
        let digits_end = after_colon
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after_colon.len());
        let port = &after_colon[..digits_end];
        let port_ok = match port.len() {
            1..=4 => true,
            5 => !port.starts_with('0') && port.parse::<u32>().is_ok_and(|p| p <= 65_535),
            _ => false,
        };
        if !port_ok {
            return false;
        }
        rest = &after_colon[digits_end..];
    }
    match rest.as_bytes().first() {
        None => true,
        Some(b'/' | b'?') => rest
            .bytes()
            .all(|b| (b'!'..=b'~').contains(&b) && b != b'#'),
        Some(_) => false,
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The event types an endpoint receives: all (`*`) or a set of known types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    All,
    Only(BTreeSet<String>),
}

impl EventFilter {
    /// Reads the list an admin sent: known types from [`EVENT_TYPES`], or `*`.
    pub fn parse<S: AsRef<str>>(types: &[S]) -> Result<Self, String> {
        if types.is_empty() {
            return Err("Subscribe to at least one event type, or \"*\" for all.".into());
        }
        if types.len() > EVENT_TYPES.len() + 1 {
            return Err(format!(
                "Name each event type once: there are {} and \"*\".",
                EVENT_TYPES.len()
            ));
        }
        let mut only = BTreeSet::new();
        let mut all = false;
        for (i, t) in types.iter().enumerate() {
            let t = t.as_ref();
            if types[..i].iter().any(|earlier| earlier.as_ref() == t) {
                return Err(format!(
                    "Name each event type once (\"{t}\" is there twice)."
                ));
            }
            if t == ALL_EVENTS {
                all = true;
            } else if EVENT_TYPES.contains(&t) {
                only.insert(t.to_owned());
            } else {
                return Err(format!(
                    "Unknown event type \"{t}\"; use \"*\" or some of: {}.",
                    EVENT_TYPES.join(", ")
                ));
            }
        }
        Ok(if all { Self::All } else { Self::Only(only) })
    }

    /// Reads the stored form (space-separated types, or `*`). Unknown stored types are
    /// kept, so that a type retired later still reads back.
    pub fn from_stored(stored: &str) -> Self {
        if stored.split_whitespace().any(|t| t == ALL_EVENTS) {
            return Self::All;
        }
        Self::Only(stored.split_whitespace().map(str::to_owned).collect())
    }

    /// The stored form: space-separated types, or `*`.
    pub fn to_stored(&self) -> String {
        self.to_list().join(" ")
    }

    /// The form the API shows: `["*"]` or the types in alphabetical order.
    pub fn to_list(&self) -> Vec<String> {
        match self {
            Self::All => vec![ALL_EVENTS.to_owned()],
            Self::Only(types) => types.iter().cloned().collect(),
        }
    }

    /// Whether an endpoint with this filter receives `event_type`.
    pub fn matches(&self, event_type: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(types) => types.contains(event_type),
        }
    }
}

/// A description: trimmed, at most 500 characters (as sent, white space included), no
/// control characters but newlines and tabs.
pub fn parse_description(raw: &str) -> Result<String, &'static str> {
    let description = raw.trim();
    if raw.chars().count() > MAX_DESCRIPTION_LEN {
        return Err("A description has at most 500 characters.");
    }
    if description
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("A description cannot contain control characters.");
    }
    Ok(description.to_owned())
}

/// `POST /api/v1/admin/webhooks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpointRequest {
    /// Absolute `https://` (or `http://`) URL that receives the messages.
    // A plain ASCII subset of what `WebhookUrl::parse` accepts (it also takes IP
    // addresses, international names and white space around the URL).
    #[schema(
        example = "https://billing.example.com/partnerly/webhooks",
        max_length = 2000,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://(?:(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\\.)*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(?:[/?][!\"$-~]*)?$"
    )]
    pub url: String,
    /// What the endpoint is for (at most 500 characters).
    // What `parse_description` accepts: no control characters but tabs and newlines
    // once the white space around it is trimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "Billing system",
        max_length = 500,
        pattern = "^[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*(?:[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000])?[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*)?$"
    )]
    pub description: Option<String>,
    /// Event types to receive (see `EVENT_TYPES`), or `["*"]` for all.
    #[schema(schema_with = event_list_schema)]
    pub events: Vec<String>,
}

/// A validated new endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEndpointSpec {
    pub url: WebhookUrl,
    pub description: String,
    pub events: EventFilter,
}

impl CreateWebhookEndpointRequest {
    /// Validates every field, reporting every bad one.
    pub fn validate(&self) -> Result<WebhookEndpointSpec, FieldErrors> {
        let mut v = Validator::new();
        let url = v.check("url", WebhookUrl::parse(&self.url));
        let description = v.check(
            "description",
            parse_description(self.description.as_deref().unwrap_or_default()),
        );
        let events = v.check("events", EventFilter::parse(&self.events));
        match (url, description, events) {
            (Some(url), Some(description), Some(events)) => Ok(WebhookEndpointSpec {
                url,
                description,
                events,
            }),
            _ => Err(v.finish().err().unwrap_or_default()),
        }
    }
}

/// `PATCH /api/v1/admin/webhooks/{id}`. Absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookEndpointRequest {
    // The fields' schemas are those of `CreateWebhookEndpointRequest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 2000,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://(?:(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\\.)*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(?:[/?][!\"$-~]*)?$"
    )]
    pub url: Option<String>,
    /// An empty string clears the description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 500,
        pattern = "^[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*(?:[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000])?[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*)?$"
    )]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = event_list_change_schema)]
    pub events: Option<Vec<String>>,
    /// `false` pauses deliveries: nothing new is queued, and queued messages wait until
    /// the endpoint is active again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A validated endpoint change; `None` means "leave as is".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookEndpointChanges {
    pub url: Option<WebhookUrl>,
    pub description: Option<String>,
    pub events: Option<EventFilter>,
    pub active: Option<bool>,
}

impl UpdateWebhookEndpointRequest {
    /// Validates every present field, reporting every bad one.
    pub fn validate(&self) -> Result<WebhookEndpointChanges, FieldErrors> {
        let mut v = Validator::new();
        let mut out = WebhookEndpointChanges {
            active: self.active,
            ..Default::default()
        };
        if let Some(url) = &self.url {
            out.url = v.check("url", WebhookUrl::parse(url));
        }
        if let Some(description) = &self.description {
            out.description = v.check("description", parse_description(description));
        }
        if let Some(events) = &self.events {
            out.events = v.check("events", EventFilter::parse(events));
        }
        v.finish().map(|()| out)
    }
}

/// A webhook endpoint as admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: i64,
    #[schema(example = "https://billing.example.com/partnerly/webhooks")]
    pub url: String,
    pub description: String,
    /// Subscribed event types, or `["*"]` for all.
    #[schema(example = json!(["commission.created"]))]
    pub events: Vec<String>,
    /// Inactive endpoints receive nothing; their queued messages wait.
    pub active: bool,
    /// The signing secret (`whsec_` + base64 of 32 bytes). In full only in the answers
    /// of create and rotate-secret; elsewhere masked, like `whsec_…Zm9v`.
    #[schema(example = "whsec_…Zm9v")]
    pub secret: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// After a rotation: until when the previous secret still signs beside the new
    /// one (`webhook-signature` then carries both signatures); `null` otherwise.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub previous_secret_expires_at: Option<OffsetDateTime>,
}

/// Where a message to one endpoint stands.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed; only a redelivery sends it again.
    Failed,
}

stored_as_text!(WebhookDeliveryStatus, "webhook delivery status");

impl WebhookDeliveryStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Reads the stored name.
    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One HTTP attempt to deliver a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookAttempt {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub attempted_at: OffsetDateTime,
    /// The HTTP status the endpoint answered; `null` when no answer came.
    pub status_code: Option<i32>,
    /// The first 1000 characters of the answer's body.
    pub response_snippet: Option<String>,
    /// Why no answer came (timeout, connection refused, ...).
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// One message to one endpoint, with every attempt to deliver it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    /// The `webhook-id` header: the same for every endpoint the message went to and for
    /// every attempt, so receivers can drop duplicates.
    #[schema(example = "msg_5f0c6b8e4a4d4c8f9a1e2b3c4d5e6f70")]
    pub message_id: String,
    #[schema(example = "commission.created")]
    pub event_type: String,
    pub status: WebhookDeliveryStatus,
    /// The body sent: `{"type", "timestamp", "data"}`, parsed.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The body exactly as sent and signed, byte for byte: check a signature against
    /// this (`payload` is the same JSON, but its keys may be in another order).
    pub body: String,
    /// When the next attempt is due; `null` unless pending.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    pub last_status_code: Option<i32>,
    pub last_response: Option<String>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    /// Every attempt, oldest first.
    pub attempts: Vec<WebhookAttempt>,
}

page_type! {
    /// A page of deliveries, newest first.
    pub type WebhookDeliveryPage = Page<WebhookDelivery>;
    page = "1-based page number.";
    total = "Deliveries matching the filter, on every page.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_with_a_host_are_endpoints() {
        assert_eq!(
            WebhookUrl::parse("HTTPS://Example.com/hooks?x=1")
                .unwrap()
                .as_str(),
            "https://example.com/hooks?x=1"
        );
        assert!(WebhookUrl::parse("http://127.0.0.1:8080/").is_ok());
        for shape in [
            "http://a",
            "http://x-1.b2.example:65535/p?q=\"{}\"",
            "https://10.0.0.255/",
            "http://host:0080",
        ] {
            assert!(has_url_shape(shape), "{shape:?}");
            assert!(WebhookUrl::parse(shape).is_ok(), "{shape:?}");
        }
        for not_shape in [
            " https://example.com/hooks",
            "http://host*/",
            "http://a--b.example/",
            "http://-a.example/",
            "http://example.1/",
            "http://256.1.1.1/",
            "http://01.1.1.1/",
            "http://1.1.1/",
            "http://[::1]/",
            "http://user@example.com/",
            "http://example.com:65536/",
            "http://example.com:08080/",
            "http://example.com/a b",
            "http://bücher.example/",
        ] {
            assert!(!has_url_shape(not_shape), "{not_shape:?}");
            assert!(WebhookUrl::parse(not_shape).is_err(), "{not_shape:?}");
        }
        for bad in [
            "",
            "example.com/hooks",
            "/hooks",
            "ftp://example.com/",
            "mailto:a@example.com",
            "https://",
            "https://example.com/#top",
            "http://exa mple.com/",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert!(WebhookUrl::parse(&long).is_err());
    }

    #[test]
    fn length_limits_count_the_white_space_as_sent() {
        let url = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN - 20));
        assert_eq!(url.len(), MAX_URL_LEN);
        assert!(WebhookUrl::parse(&url).is_ok());
        assert!(WebhookUrl::parse(&format!("{url}a")).is_err());
        let description = "d".repeat(MAX_DESCRIPTION_LEN);
        assert!(parse_description(&description).is_ok());
        assert!(parse_description(&format!("\n{description}")).is_err());
    }

    #[test]
    fn a_star_subscribes_to_everything() {
        let all = EventFilter::parse(&["*"]).unwrap();
        assert_eq!(all, EventFilter::All);
        assert!(all.matches("commission.created"));
        assert_eq!(all.to_stored(), "*");
        assert_eq!(EventFilter::from_stored("*"), EventFilter::All);
    }

    #[test]
    fn subscriptions_are_known_types_named_once_kept_in_order() {
        assert!(
            EventFilter::parse(&["commission.created", "commission.created"])
                .unwrap_err()
                .contains("twice")
        );
        assert!(EventFilter::parse(&[" commission.created"]).is_err());
        let f = EventFilter::parse(&["commission.reversed", "commission.created"]).unwrap();
        assert_eq!(f.to_stored(), "commission.created commission.reversed");
        assert_eq!(EventFilter::from_stored(&f.to_stored()), f);
        assert!(f.matches("commission.created"));
        assert!(!f.matches("customer.attributed"));
        assert!(!f.matches(TEST_EVENT_TYPE));
    }

    #[test]
    fn unknown_or_missing_event_types_are_rejected() {
        assert!(EventFilter::parse::<&str>(&[]).is_err());
        let err = EventFilter::parse(&["commission.created", "payment.made"]).unwrap_err();
        assert!(err.contains("payment.made"), "{err}");
        assert!(EventFilter::parse(&[TEST_EVENT_TYPE]).is_err());
    }

    #[test]
    fn a_create_request_reports_every_bad_field() {
        let request: CreateWebhookEndpointRequest =
            serde_json::from_str(r#"{"url": "nope", "description": "x", "events": ["nope"]}"#)
                .unwrap();
        let errors = request.validate().unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["events", "url"]);
    }

    #[test]
    fn delivery_statuses_round_trip_through_their_stored_names() {
        for s in [
            WebhookDeliveryStatus::Pending,
            WebhookDeliveryStatus::Delivered,
            WebhookDeliveryStatus::Failed,
        ] {
            assert_eq!(WebhookDeliveryStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(WebhookDeliveryStatus::parse("lost"), None);
    }
}

/// `GET /api/v1/admin/webhooks`: every endpoint, oldest first, secrets masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpointList {
    pub items: Vec<WebhookEndpoint>,
}
