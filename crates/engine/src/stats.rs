//! The partner's dashboard figures (S1, L5): level, current rate and progress to the next
//! level, customers by status, sales, revenue and balances, per membership; and the
//! figures per day or month the dashboard's chart draws.
//!
//! Every figure comes from the rollups the engine keeps as events arrive
//! ([`partnerly_db::figures`]: a row per status and per currency of each membership),
//! never from counting customers or payments, so a partner with 100,000 customers costs
//! what one with ten does (README "Performance"). Level progress is derived from the same
//! figures rather than asked for a second time.

use partnerly_db::click::DailyLinkStats;
use partnerly_db::level::Level;
use partnerly_db::link::Link;
use partnerly_db::membership::{Membership, progress_of};
use partnerly_db::program::Program;
use partnerly_db::{DbConn, figures};
use partnerly_domain::level::{Progress, Threshold};
use partnerly_domain::money::{Currency, Money};
use partnerly_domain::partner::{CustomerCounts, MembershipStats, NextLevel, Stats};
use partnerly_domain::tracking::{Interval, TimeseriesPoint, series};
use time::Date;

use crate::views::{self, ViewError};

/// The partner's memberships with their programs and levels: all, or the one in
/// `program_id` (not one of theirs: [`ViewError::NotFound`]).
fn memberships_of(
    conn: &mut DbConn,
    user_id: i64,
    program_id: Option<i64>,
) -> Result<Vec<(Membership, Program, Level)>, ViewError> {
    let memberships: Vec<_> = Membership::of_user(conn, user_id)?
        .into_iter()
        .filter(|(m, _, _)| program_id.is_none_or(|p| m.program_id == p))
        .collect();
    if program_id.is_some() && memberships.is_empty() {
        return Err(ViewError::NotFound);
    }
    Ok(memberships)
}

/// The ids of the partner's memberships: all, or the one in `program_id` (not one of
/// theirs: [`ViewError::NotFound`]).
pub fn membership_ids(
    conn: &mut DbConn,
    user_id: i64,
    program_id: Option<i64>,
) -> Result<Vec<i64>, ViewError> {
    Ok(memberships_of(conn, user_id, program_id)?
        .iter()
        .map(|(m, _, _)| m.id)
        .collect())
}

/// The dashboard figures of the partner's memberships (all, or one program's).
pub fn partner_stats(
    conn: &mut DbConn,
    user_id: i64,
    program_id: Option<i64>,
) -> Result<Stats, ViewError> {
    let of_partner = memberships_of(conn, user_id, program_id)?;
    let ids: Vec<i64> = of_partner.iter().map(|(m, _, _)| m.id).collect();
    let mut memberships = Vec::new();
    for (m, program, level) in of_partner {
        let currency = views::program_currency(&program)?;
        let counts = figures::customer_counts(conn, &[m.id])?;
        let sales = figures::sales(conn, m.id)?;
        let progress = progress_of(&counts, &sales, &program.currency);
        let mut next_level = None;
        for l in Level::of_program(conn, program.id)? {
            if l.track != m.track || l.position <= level.position {
                continue;
            }
            if let Some(threshold) = l.threshold()? {
                next_level = Some(NextLevel {
                    name: l.name.clone(),
                    threshold,
                    progress: threshold.fraction(progress).round_dp(4),
                    remaining: remaining_words(threshold, progress, currency),
                    percent: l.rule(currency)?.percent,
                });
                break;
            }
        }
        let rule = level.rule(currency)?;
        let to_u64 = |n: i64| u64::try_from(n).unwrap_or_default();
        memberships.push(MembershipStats {
            membership_id: m.id,
            program_name: program.name.clone(),
            level: level.name.clone(),
            current_rate: m.rate_override().or(rule.percent),
            flat_first_payment: rule.flat_first_payment.map(Money::to_view),
            next_level,
            customers: CustomerCounts {
                active: to_u64(counts.active),
                frozen: to_u64(counts.frozen),
                deleted: to_u64(counts.deleted),
                paying: to_u64(counts.paying),
            },
            successful_sales: sales.iter().map(|(_, s)| to_u64(s.count)).sum(),
            revenue: sales
                .iter()
                .filter_map(|(code, s)| {
                    Currency::parse(code)
                        .ok()
                        .map(|c| Money::from_minor(s.net_minor, c).to_view())
                })
                .collect(),
        });
    }
    let balances = views::balances(conn, &ids)?;
    Ok(Stats {
        memberships,
        balances,
    })
}

/// The partner's figures per period from `from` to `to`, every period present: all
/// their memberships, the one in `program_id`, or one of their links (not theirs:
/// [`ViewError::NotFound`]). Read from the daily rollups: clicks, sign-ups, paying
/// customers and deals per link and day, earnings per link, day and currency.
pub fn partner_timeseries(
    conn: &mut DbConn,
    user_id: i64,
    program_id: Option<i64>,
    link_id: Option<i64>,
    interval: Interval,
    from: Date,
    to: Date,
) -> Result<Vec<TimeseriesPoint>, ViewError> {
    let memberships = membership_ids(conn, user_id, program_id)?;
    if let Some(link) = link_id
        && Link::of_user_by_id(conn, user_id, link)?.is_none()
    {
        return Err(ViewError::NotFound);
    }
    let days = DailyLinkStats::by_day(conn, &memberships, link_id, from, to)?;
    let earnings = figures::earnings_by_day(conn, &memberships, link_id, from, to)?;
    Ok(series(interval, from, to, &days, &earnings))
}

/// What is left to reach a threshold, in words ("3 more paying customers").
fn remaining_words(threshold: Threshold, progress: Progress, currency: Currency) -> String {
    match threshold {
        Threshold::PayingCustomers { count } => {
            let left = count.saturating_sub(progress.paying_customers);
            format!(
                "{left} more paying customer{}",
                if left == 1 { "" } else { "s" }
            )
        }
        Threshold::SalesVolume { minor } => {
            format!(
                "{} more in sales",
                Money::from_minor((minor - progress.sales_volume).max(0), currency)
            )
        }
    }
}
