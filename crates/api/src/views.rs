//! Turning stored rows into the API's views: levels, memberships, balances.

use std::collections::BTreeMap;

use partnerly_db::level::Level;
use partnerly_db::membership::Membership;
use partnerly_db::program::Program;
use partnerly_db::{DbConn, ledger};
use partnerly_domain::ledger::{AccountKind, Balance};
use partnerly_domain::money::{Currency, Money};
use partnerly_domain::partner::{LevelSummary, MembershipView};

use crate::error::ApiError;

/// A program's currency (validated when stored).
pub fn program_currency(program: &Program) -> Result<Currency, ApiError> {
    program
        .currency()
        .ok_or_else(|| ApiError::internal(format!("program {} has a bad currency", program.id)))
}

/// A level as partners see it.
pub fn level_summary(level: &Level, currency: Currency) -> Result<LevelSummary, ApiError> {
    let rule = level.rule(currency)?;
    Ok(LevelSummary {
        id: level.id,
        name: level.name.clone(),
        position: level.position,
        track: level.track(),
        flat_first_payment: rule.flat_first_payment.map(Money::to_view),
        percent: rule.percent,
        duration: rule.duration,
        client_bonus: level
            .bonus_minor
            .map(|m| Money::from_minor(m, currency).to_view()),
        threshold: level.threshold()?,
    })
}

/// A membership as its partner sees it.
pub fn membership_view(
    membership: &Membership,
    program: &Program,
    level: &Level,
) -> Result<MembershipView, ApiError> {
    let currency = program_currency(program)?;
    Ok(MembershipView {
        id: membership.id,
        program_id: program.id,
        program_name: program.name.clone(),
        currency,
        track: level.track(),
        level: level_summary(level, currency)?,
        rate_override: membership.rate_override(),
        status: membership.status,
        hold_days: program.hold_days,
        minimum_payout: Money::from_minor(program.minimum_payout_minor, currency).to_view(),
        rules_text: program.rules_text.clone(),
        joined_at: partnerly_db::utc(membership.joined_at),
    })
}

/// The balances of some memberships, added up per currency.
pub fn balances(conn: &mut DbConn, memberships: &[i64]) -> Result<Vec<Balance>, ApiError> {
    #[derive(Default)]
    struct Sums {
        pending: i64,
        available: i64,
        reserved: i64,
        review: i64,
        withdrawn: i64,
    }
    let mut per_currency: BTreeMap<String, Sums> = BTreeMap::new();
    for ((_, kind, currency), amount) in ledger::balances(conn, Some(memberships))? {
        let sums = per_currency.entry(currency).or_default();
        match kind {
            AccountKind::Pending => sums.pending += amount,
            AccountKind::Available => sums.available += amount,
            AccountKind::Reserved => sums.reserved += amount,
            AccountKind::Review => sums.review += amount,
            AccountKind::CommissionExpense
            | AccountKind::BonusExpense
            | AccountKind::Adjustments
            | AccountKind::PayoutsOut
            | AccountKind::AccountCreditOut
            | AccountKind::DepositsIn => {}
        }
    }
    for ((_, currency), amount) in ledger::withdrawn(conn, memberships)? {
        per_currency.entry(currency).or_default().withdrawn += amount;
    }
    per_currency
        .into_iter()
        .map(|(code, s)| {
            let currency = Currency::parse(&code)
                .map_err(|e| ApiError::internal(format!("ledger currency: {e}")))?;
            let view = |minor| Money::from_minor(minor, currency).to_view();
            Ok(Balance {
                currency,
                pending: view(s.pending),
                available: view(s.available),
                reserved: view(s.reserved),
                review: view(s.review),
                withdrawn: view(s.withdrawn),
                earned: view(s.pending + s.available + s.reserved + s.review + s.withdrawn),
            })
        })
        .collect()
}
