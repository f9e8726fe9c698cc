//! What links brought, for the link list: customers and earnings per link, each one
//! grouped query for a whole page of links (clicks come from `link_daily_stats`, see
//! [`crate::click::DailyLinkStats::totals`]).
//!
//! Earnings count a commission for its link only while the customer is still the link's
//! partner's: a reassigned customer loses its link (`Customer::reassign`), and the join
//! on the link's membership keeps a commission of another membership out.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::DbConn;

#[derive(QueryableByName)]
struct CustomerCount {
    #[diesel(sql_type = BigInt)]
    link_id: i64,
    #[diesel(sql_type = BigInt)]
    signups: i64,
    #[diesel(sql_type = BigInt)]
    paying: i64,
}

#[derive(QueryableByName)]
struct Earned {
    #[diesel(sql_type = BigInt)]
    link_id: i64,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    earned: i64,
}

/// `IN (...)` of integer ids (formatting integers is safe); `None` for no ids.
fn id_list(ids: &[i64]) -> Option<String> {
    (!ids.is_empty()).then(|| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}

/// Customers attributed through each link, and how many of them paid: (signups, paying).
pub fn customers_by_link(
    conn: &mut DbConn,
    links: &[i64],
) -> QueryResult<BTreeMap<i64, (i64, i64)>> {
    let Some(ids) = id_list(links) else {
        return Ok(BTreeMap::new());
    };
    let rows: Vec<CustomerCount> = diesel::sql_query(format!(
        "SELECT link_id, CAST(COUNT(*) AS BIGINT) AS signups, \
         CAST(COUNT(first_paid_at) AS BIGINT) AS paying \
         FROM customers WHERE link_id IN ({ids}) GROUP BY link_id"
    ))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.link_id, (r.signups, r.paying)))
        .collect())
}

/// What each link's partner earned from its customers per currency: commissions less
/// their reversals, in minor units.
pub fn earnings_by_link(
    conn: &mut DbConn,
    links: &[i64],
) -> QueryResult<BTreeMap<i64, Vec<(String, i64)>>> {
    let Some(ids) = id_list(links) else {
        return Ok(BTreeMap::new());
    };
    let rows: Vec<Earned> = diesel::sql_query(format!(
        "SELECT cu.link_id AS link_id, c.currency AS currency, \
         CAST(SUM(c.amount_minor - c.reversed_minor) AS BIGINT) AS earned \
         FROM commissions c \
         JOIN payments p ON p.id = c.payment_id \
         JOIN customers cu ON cu.id = p.customer_id \
         JOIN links l ON l.id = cu.link_id AND l.membership_id = c.membership_id \
         WHERE cu.link_id IN ({ids}) \
         GROUP BY cu.link_id, c.currency ORDER BY cu.link_id, c.currency"
    ))
    .load(conn)?;
    let mut out: BTreeMap<i64, Vec<(String, i64)>> = BTreeMap::new();
    for r in rows {
        out.entry(r.link_id)
            .or_default()
            .push((r.currency, r.earned));
    }
    Ok(out)
}
