//! The tracking redirect's rules (T6, T7, T10), without I/O: where a visitor is sent,
//! what the attribution cookie holds, which requests are bots.
//!
//! Decisions:
//! - The target is always the program's stored landing URL (its host checked against the
//!   allowed domains when the program was saved, and again here). The visitor's request
//!   only adds query parameters to it: no parameter, path or header can change the
//!   scheme, host or path, so the redirect cannot be made to point elsewhere.
//! - `ref` and `click_id` are Partnerly's own parameters: the visitor's values for them
//!   are dropped and replaced.
//! - First click or last click (T7) is decided by the redirect: under first click, a
//!   visitor whose attribution cookie for the program is still inside the window keeps
//!   the first click's code and click id on the landing URL (and the vendor's script
//!   keeps the first values it saw); under last click, every click replaces them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use crate::money::{Currency, Money, MoneyView};

/// The landing URL's parameter with the referral code.
pub const REF_PARAM: &str = "ref";
/// The landing URL's parameter with the click's id.
pub const CLICK_PARAM: &str = "click_id";
/// Longest query string passed on to the landing page; a longer one is cut at a
/// parameter boundary.
pub const MAX_PASSED_QUERY_LEN: usize = 1_000;
/// A second click by the same visitor on the same link within this time is counted in
/// the total, not as unique (T10).
pub const REPEAT_WINDOW: Duration = Duration::hours(1);

/// Which click a conversion is credited to when a visitor clicked several links (T7).
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributionModel {
    /// The latest click inside the window wins (the default).
    #[default]
    LastClick,
    /// The first click inside the window wins; later clicks are counted, not credited.
    FirstClick,
}

stored_as_text!(AttributionModel, "attribution model");

impl AttributionModel {
    /// Every model, the default first.
    pub const ALL: [AttributionModel; 2] = [Self::LastClick, Self::FirstClick];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LastClick => "last_click",
            Self::FirstClick => "first_click",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "last_click" => Some(Self::LastClick),
            "first_click" => Some(Self::FirstClick),
            _ => None,
        }
    }
}

/// Parts of user agents that only crawlers, link previewers and uptime checkers send.
/// Compared lower-case; a request without a user agent counts as a bot too.
const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "embedly",
    "preview",
    "headless",
    "lighthouse",
    "monitor",
    "python-requests",
    "go-http-client",
    "okhttp",
    "wget",
    "curl/",
    "httpclient",
    "scrapy",
    "phantomjs",
    "pingdom",
    "whatsapp",
    "telegram",
    "skype",
    "discord",
    "vkshare",
    "bingpreview",
];

/// Whether a request with this user agent comes from a bot (T10).
pub fn is_bot(user_agent: Option<&str>) -> bool {
    let Some(agent) = user_agent.map(str::trim).filter(|a| !a.is_empty()) else {
        return true;
    };
    let agent = agent.to_ascii_lowercase();
    BOT_MARKERS.iter().any(|marker| agent.contains(marker))
}

/// The query string a visitor brought, as it is passed on: Partnerly's own parameters
/// removed, at most [`MAX_PASSED_QUERY_LEN`] characters (cut between parameters).
pub fn passed_on_query(raw: &str) -> String {
    let mut kept = String::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let name = pair.split('=').next().unwrap_or_default();
        let name = url::form_urlencoded::parse(format!("{name}=").as_bytes())
            .next()
            .map(|(k, _)| k.into_owned())
            .unwrap_or_default();
        if name == REF_PARAM || name == CLICK_PARAM {
            continue;
        }
        let added = if kept.is_empty() {
            pair.len()
        } else {
            pair.len() + 1
        };
        if kept.len() + added > MAX_PASSED_QUERY_LEN {
            break;
        }
        if !kept.is_empty() {
            kept.push('&');
        }
        kept.push_str(pair);
    }
    kept
}

/// Where the redirect sends a visitor: the landing URL with the visitor's own
/// parameters, then `ref` and `click_id` when the visit is attributed. `None` when the
/// landing URL is not an absolute http(s) URL on one of `allowed_domains` (a program
/// saved before its domains were checked, or edited by hand in the database).
pub fn landing_target(
    landing_url: &str,
    allowed_domains: &[String],
    passed_query: &str,
    referral: Option<(&str, &str)>,
) -> Option<url::Url> {
    let landing = checked_landing(landing_url, allowed_domains)?;
    Some(target_from(&landing, passed_query, referral))
}

/// The landing URL, parsed, when it may be a target: absolute http(s), no user name or
/// password, its host one of `allowed_domains`. The redirect checks it once, when it
/// loads the program, and builds every target from it with [`target_from`].
pub fn checked_landing(landing_url: &str, allowed_domains: &[String]) -> Option<url::Url> {
    let url = url::Url::parse(landing_url).ok()?;
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return None;
    }
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    if !allowed_domains
        .iter()
        .any(|d| d.eq_ignore_ascii_case(&host))
    {
        return None;
    }
    Some(url)
}

/// A target built from a [`checked_landing`] URL: its own parameters, then the
/// visitor's, then `ref` and `click_id` when the visit is attributed.
pub fn target_from(
    landing: &url::Url,
    passed_query: &str,
    referral: Option<(&str, &str)>,
) -> url::Url {
    let mut url = landing.clone();
    let own: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != REF_PARAM && k != CLICK_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let brought: Vec<(String, String)> = url::form_urlencoded::parse(passed_query.as_bytes())
        .filter(|(k, _)| k != REF_PARAM && k != CLICK_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if own.is_empty() && brought.is_empty() && referral.is_none() {
        url.set_query(None);
        return url;
    }
    {
        let mut query = url.query_pairs_mut();
        query.clear();
        for (k, v) in own.iter().chain(&brought) {
            query.append_pair(k, v);
        }
        if let Some((code, click_id)) = referral {
            query.append_pair(REF_PARAM, code);
            query.append_pair(CLICK_PARAM, click_id);
        }
    }
    url
}

/// `GET /api/v1/admin/tracking`: this server instance's redirect machinery since it
/// started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TrackingStatus {
    /// Codes the in-memory directory knows.
    pub known_links: u64,
    /// Clicks the queue holds at most.
    pub queue_capacity: u64,
    /// Clicks waiting for the writer now.
    pub queued: u64,
    /// Clicks handed to the queue.
    pub accepted: u64,
    /// Clicks lost because the queue was full (the visitors were still redirected).
    pub dropped: u64,
    /// Clicks the writer stored.
    pub written: u64,
}

/// The length of a time series' periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    #[default]
    Day,
    Month,
}

/// Most periods one time series has: a year of days, ten years of months.
pub const MAX_DAYS: i64 = 366;
pub const MAX_MONTHS: i64 = 120;

/// One period of a partner's figures.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct TimeseriesPoint {
    /// The period's first day, `YYYY-MM-DD`.
    #[schema(example = "2026-11-01")]
    pub period: String,
    pub clicks: u64,
    pub unique_clicks: u64,
    /// Customers attributed, on their sign-up's day.
    pub signups: u64,
    /// Attributed customers, on the day their first payment arrived.
    pub paying_customers: u64,
    /// Leads that became deals, on the lead's day.
    pub deals: u64,
    /// Commissions earned on the period's sales less what refunds of those sales took
    /// back, per currency (none: nothing earned).
    pub earnings: Vec<MoneyView>,
}

/// `GET /api/v1/me/stats/timeseries`: every period from `from` to `to`, zero-filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Timeseries {
    pub interval: Interval,
    #[schema(example = "2026-11-01")]
    pub from: String,
    #[schema(example = "2026-11-30")]
    pub to: String,
    pub points: Vec<TimeseriesPoint>,
}

/// A calendar date `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<time::Date, String> {
    let bad = || "Use a date like 2026-11-01.".to_owned();
    let mut parts = raw.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    let month = time::Month::try_from(month).map_err(|_| bad())?;
    time::Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

/// `YYYY-MM-DD`.
pub fn format_date(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The first day of the period `date` falls in.
pub fn period_start(interval: Interval, date: time::Date) -> time::Date {
    match interval {
        Interval::Day => date,
        Interval::Month => date.replace_day(1).unwrap_or(date),
    }
}

/// Every period from `from` to `to` with the daily figures added up into them; days
/// outside the range are ignored. Each daily row is (day, clicks, unique clicks,
/// sign-ups, paying customers, deals).
pub fn series(
    interval: Interval,
    from: time::Date,
    to: time::Date,
    days: &[(time::Date, i64, i64, i64, i64, i64)],
    earnings: &[(time::Date, String, i64)],
) -> Vec<TimeseriesPoint> {
    let mut points: Vec<(time::Date, TimeseriesPoint)> = Vec::new();
    let mut period = period_start(interval, from);
    while period <= to {
        points.push((
            period,
            TimeseriesPoint {
                period: format_date(period),
                ..TimeseriesPoint::default()
            },
        ));
        let next = match interval {
            Interval::Day => period.next_day(),
            Interval::Month => period
                .replace_day(28)
                .ok()
                .map(|d| d + Duration::days(4))
                .and_then(|d| d.replace_day(1).ok()),
        };
        match next {
            Some(next) => period = next,
            None => break,
        }
    }
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    for &(day, clicks, unique, signups, paying, deals) in days {
        if day < from || day > to {
            continue;
        }
        let start = period_start(interval, day);
        if let Ok(i) = points.binary_search_by_key(&start, |(p, _)| *p) {
            let point = &mut points[i].1;
            point.clicks += count(clicks);
            point.unique_clicks += count(unique);
            point.signups += count(signups);
            point.paying_customers += count(paying);
            point.deals += count(deals);
        }
    }
    let mut earned: Vec<BTreeMap<Currency, i64>> = vec![BTreeMap::new(); points.len()];
    for (day, code, minor) in earnings {
        if *day < from || *day > to {
            continue;
        }
        let start = period_start(interval, *day);
        if let (Ok(i), Ok(currency)) = (
            points.binary_search_by_key(&start, |(p, _)| *p),
            Currency::parse(code),
        ) {
            *earned[i].entry(currency).or_default() += minor;
        }
    }
    points
        .into_iter()
        .zip(earned)
        .map(|((_, mut point), earned)| {
            point.earnings = earned
                .into_iter()
                .filter(|(_, minor)| *minor != 0)
                .map(|(currency, minor)| Money::from_minor(minor, currency).to_view())
                .collect();
            point
        })
        .collect()
}

/// The name of the attribution cookie for a program: one per program, so a visitor
/// who follows links of two programs is credited in each.
pub fn cookie_name(program_id: i64) -> String {
    format!("partnerly_ref_{program_id}")
}

/// What the attribution cookie holds: the code and click id the landing page got, and
/// when the click happened (the window counts from it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionCookie {
    pub code: String,
    pub click_id: String,
    pub clicked_at: OffsetDateTime,
}

impl AttributionCookie {
    /// The cookie's value: `code.click_id.unix_seconds`.
    pub fn value(&self) -> String {
        format!(
            "{}.{}.{}",
            self.code,
            self.click_id,
            self.clicked_at.unix_timestamp()
        )
    }

    /// Reads a cookie's value; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.split('.');
        let (code, click_id, at) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || code.is_empty() || click_id.is_empty() {
            return None;
        }
        let safe = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !safe(code) || !safe(click_id) {
            return None;
        }
        let clicked_at = OffsetDateTime::from_unix_timestamp(at.parse().ok()?).ok()?;
        Some(Self {
            code: code.to_owned(),
            click_id: click_id.to_owned(),
            clicked_at,
        })
    }

    /// Whether the click is still inside an attribution window of `days` at `now`.
    pub fn is_within(&self, days: i32, now: OffsetDateTime) -> bool {
        now <= self.clicked_at + Duration::days(i64::from(days)) && self.clicked_at <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains(list: &[&str]) -> Vec<String> {
        list.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn the_target_is_the_landing_url_with_the_visitors_parameters_and_the_referral() {
        let url = landing_target(
            "https://www.example.com/pricing?plan=pro",
            &domains(&["www.example.com"]),
            "utm_source=news&sub1=a%20b&ref=evil&click_id=forged",
            Some(("k7Qm2xWp", "c123")),
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://www.example.com/pricing?plan=pro&utm_source=news&sub1=a+b&ref=k7Qm2xWp&click_id=c123"
        );
    }

    #[test]
    fn an_unattributed_visit_lands_without_referral_parameters() {
        let url = landing_target(
            "https://example.com/",
            &domains(&["example.com"]),
            "ref=x",
            None,
        )
        .unwrap();
        assert_eq!(url.as_str(), "https://example.com/");
    }

    #[test]
    fn a_landing_url_off_the_allowed_domains_is_never_a_target() {
        let allowed = domains(&["example.com"]);
        for landing in [
            "https://evil.example/",
            "https://example.com.evil.example/",
            "https://user@example.com/",
            "javascript:alert(1)",
            "//evil.example/",
            "ftp://example.com/",
        ] {
            assert_eq!(
                landing_target(landing, &allowed, "", None),
                None,
                "{landing}"
            );
        }
    }

    #[test]
    fn no_visitor_query_changes_the_host_or_path() {
        let allowed = domains(&["example.com"]);
        for query in [
            "next=https://evil.example",
            "%2F%2Fevil.example",
            "@evil.example",
            "#https://evil.example",
            "a=1&&&b",
        ] {
            let url = landing_target("https://example.com/in", &allowed, query, Some(("c", "k")))
                .unwrap();
            assert_eq!(url.host_str(), Some("example.com"), "{query}");
            assert_eq!(url.path(), "/in", "{query}");
            assert_eq!(url.fragment(), None, "{query}");
        }
    }

    #[test]
    fn the_passed_on_query_drops_our_parameters_and_is_bounded() {
        assert_eq!(passed_on_query("a=1&ref=x&click_id=y&%72ef=z&b"), "a=1&b");
        let long = (0..500)
            .map(|i| format!("p{i}=v"))
            .collect::<Vec<_>>()
            .join("&");
        let kept = passed_on_query(&long);
        assert!(kept.len() <= MAX_PASSED_QUERY_LEN);
        assert!(kept.starts_with("p0=v&p1=v"));
        assert!(!kept.ends_with('&'));
    }

    #[test]
    fn bots_are_known_by_their_user_agent() {
        assert!(is_bot(None));
        assert!(is_bot(Some("  ")));
        assert!(is_bot(Some("Mozilla/5.0 (compatible; Googlebot/2.1)")));
        assert!(is_bot(Some("facebookexternalhit/1.1")));
        assert!(is_bot(Some("curl/8.5.0")));
        assert!(!is_bot(Some(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
        )));
    }

    #[test]
    fn the_cookie_round_trips_and_refuses_anything_else() {
        let cookie = AttributionCookie {
            code: "jane-doe".into(),
            click_id: "c_1".into(),
            clicked_at: OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
        };
        assert_eq!(
            AttributionCookie::parse(&cookie.value()),
            Some(cookie.clone())
        );
        for bad in ["", "a.b", "a.b.c", "a.b.1.2", "a;b.c.1", ".b.1"] {
            assert_eq!(AttributionCookie::parse(bad), None, "{bad}");
        }
        let at = cookie.clicked_at;
        assert!(cookie.is_within(14, at + Duration::days(14)));
        assert!(!cookie.is_within(14, at + Duration::days(14) + Duration::seconds(1)));
        assert!(!cookie.is_within(14, at - Duration::seconds(1)));
    }

    #[test]
    fn a_series_has_every_period_zero_filled_and_adds_days_into_months() {
        let d = |s: &str| parse_date(s).unwrap();
        let days = [
            (d("2026-01-31"), 1, 1, 0, 0, 0),
            (d("2026-02-01"), 2, 1, 1, 0, 0),
            (d("2026-02-28"), 3, 2, 0, 1, 1),
            (d("2026-04-02"), 9, 9, 9, 9, 9),
        ];
        let daily = series(Interval::Day, d("2026-01-30"), d("2026-02-02"), &days, &[]);
        assert_eq!(
            daily
                .iter()
                .map(|p| (p.period.as_str(), p.clicks))
                .collect::<Vec<_>>(),
            [
                ("2026-01-30", 0),
                ("2026-01-31", 1),
                ("2026-02-01", 2),
                ("2026-02-02", 0)
            ]
        );
        let monthly = series(
            Interval::Month,
            d("2026-01-15"),
            d("2026-03-31"),
            &days,
            &[],
        );
        assert_eq!(
            monthly
                .iter()
                .map(|p| (p.period.as_str(), p.clicks, p.signups, p.deals))
                .collect::<Vec<_>>(),
            [
                ("2026-01-01", 1, 0, 0),
                ("2026-02-01", 5, 1, 1),
                ("2026-03-01", 0, 0, 0)
            ]
        );
        let december = series(Interval::Month, d("2025-12-10"), d("2026-01-01"), &[], &[]);
        assert_eq!(december.len(), 2);
    }

    #[test]
    fn earnings_add_up_per_period_and_currency_and_leave_out_what_nets_to_zero() {
        let d = |s: &str| parse_date(s).unwrap();
        let earned = |day: &str, code: &str, minor: i64| (d(day), code.to_owned(), minor);
        let earnings = [
            earned("2026-01-31", "USD", 1_000),
            earned("2026-02-01", "EUR", 250),
            earned("2026-02-01", "USD", 500),
            earned("2026-02-02", "USD", 700),
            earned("2026-02-02", "USD", -700),
            earned("2026-02-20", "USD", -200),
            earned("2026-03-01", "QQQ", 1),
            earned("2026-05-01", "USD", 9),
        ];
        let views = |p: &TimeseriesPoint| {
            p.earnings
                .iter()
                .map(|m| format!("{} {}", m.amount, m.currency.code()))
                .collect::<Vec<_>>()
        };
        let daily = series(
            Interval::Day,
            d("2026-01-31"),
            d("2026-02-02"),
            &[],
            &earnings,
        );
        assert_eq!(
            daily.iter().map(views).collect::<Vec<_>>(),
            [vec!["10.00 USD"], vec!["2.50 EUR", "5.00 USD"], vec![]]
        );
        let monthly = series(
            Interval::Month,
            d("2026-01-01"),
            d("2026-03-31"),
            &[],
            &earnings,
        );
        assert_eq!(
            monthly.iter().map(views).collect::<Vec<_>>(),
            [vec!["10.00 USD"], vec!["2.50 EUR", "3.00 USD"], vec![]]
        );
    }

    #[test]
    fn dates_are_calendar_dates() {
        assert_eq!(format_date(parse_date("2026-02-28").unwrap()), "2026-02-28");
        for bad in [
            "2026-02-30",
            "2026-2-01",
            "26-02-01",
            "2026-02-01T00:00",
            "",
            "2026-13-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_model_round_trips_its_stored_name() {
        assert_eq!(
            AttributionModel::ALL.map(|m| AttributionModel::parse(m.as_str())),
            AttributionModel::ALL.map(Some)
        );
    }
}
