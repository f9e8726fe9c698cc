//! `partnerly ledger-check`: the ledger's invariants (docs/ledger.md) checked against the
//! database, for operators and for CI on a seeded database. Prints one line per problem.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use partnerly_db::schema::commissions;
use partnerly_db::{DbConn, ledger};
use partnerly_domain::ledger::{AccountKind, Cause};

/// What the check found.
#[derive(Debug, Default)]
pub struct Report {
    pub transfers: usize,
    pub problems: Vec<String>,
}

/// Checks invariants 1 (valid transfers), 2 (each currency sums to zero), 3 (pending,
/// reserved and review never negative) and 6 (every commission transfer belongs to a
/// commission, hence to a payment and a level), that each commission's booked total
/// equals its amount minus what was reversed, and that the dashboard's rollups equal
/// what they count ([`partnerly_db::figures::differences`]).
pub fn run(conn: &mut DbConn) -> diesel::QueryResult<Report> {
    let transfers = ledger::all(conn)?;
    let mut report = Report {
        transfers: transfers.len(),
        ..Report::default()
    };
    for t in &transfers {
        let from = ledger::account(t.from_membership, t.from_kind, &t.currency);
        let to = ledger::account(t.to_membership, t.to_kind, &t.currency);
        match (from, to) {
            (Some(from), Some(to)) if from != to && t.amount_minor > 0 => {}
            _ => report.problems.push(format!(
                "transfer {} ({}) is not a valid movement",
                t.id, t.key
            )),
        }
    }
    let balances = ledger::balances(conn, None)?;
    let mut per_currency: BTreeMap<&str, i64> = BTreeMap::new();
    for ((membership, kind, currency), amount) in &balances {
        *per_currency.entry(currency).or_default() += amount;
        let never_negative = matches!(
            kind,
            AccountKind::Pending | AccountKind::Reserved | AccountKind::Review
        );
        if membership.is_some() && never_negative && *amount < 0 {
            report.problems.push(format!(
                "membership {membership:?} has {} {amount} {currency}",
                kind.as_str()
            ));
        }
    }
    for (currency, sum) in per_currency {
        if sum != 0 {
            report
                .problems
                .push(format!("{currency} balances sum to {sum}, not 0"));
        }
    }
    let lines: Vec<(i64, i64, i64)> = commissions::table
        .select((
            commissions::id,
            commissions::amount_minor,
            commissions::reversed_minor,
        ))
        .load(conn)?;
    let known: BTreeSet<i64> = lines.iter().map(|(id, _, _)| *id).collect();
    let mut booked: BTreeMap<i64, i64> = BTreeMap::new();
    for t in transfers
        .iter()
        .filter(|t| t.cause_type != Cause::Adjustment)
    {
        if t.key.starts_with("commission:") {
            if !known.contains(&t.cause_id) {
                report
                    .problems
                    .push(format!("transfer {} points to no commission", t.key));
            }
            let sign = match (t.from_kind, t.to_kind) {
                (AccountKind::CommissionExpense, _) => 1,
                (_, AccountKind::CommissionExpense) => -1,
                _ => 0,
            };
            *booked.entry(t.cause_id).or_default() += sign * t.amount_minor;
        }
    }
    for (id, amount, reversed) in lines {
        let net = booked.get(&id).copied().unwrap_or_default();
        if net != amount - reversed {
            report.problems.push(format!(
                "commission {id}: booked {net}, expected {} (amount - reversed)",
                amount - reversed
            ));
        }
    }
    // The dashboard's rollups count the same rows (docs/ledger.md, "Rollups").
    report
        .problems
        .extend(partnerly_db::figures::differences(conn)?);
    Ok(report)
}
