//! The dashboard's rollups (S1, L3): each membership's customers per status and how
//! many paid (`membership_customer_figures`), its customers' sales per currency net of
//! refunds (`membership_sales_figures`), and what it earned per day of the sale, link
//! and currency (`daily_earnings`).
//!
//! The engine adds to them in the transaction that changes what they count:
//! [`FigureChanges`] collects the changes of a unit of work and [`FigureChanges::write`]
//! adds them to the stored rows, in key order, so two transactions never wait on each
//! other's rows in opposite orders. Readers ([`customer_counts`], [`sales`],
//! [`earnings_by_day`], [`earnings_by_link`]) sum a few rows, however many customers,
//! payments and commissions there are.
//!
//! [`differences`] recounts every rollup from the rows and names what disagrees
//! (`partnerly ledger-check`, and the property test over random event streams);
//! [`rebuild`] writes them again from the rows, for data loaded around the engine.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date as SqlDate, Text};
use diesel::upsert::excluded;
use partnerly_domain::event::CustomerStatus;
use time::Date;

use crate::DbConn;
use crate::conn::on_backend;
use crate::customer::CustomerCounts;
use crate::payment::Sales;
use crate::schema::{daily_earnings, membership_customer_figures, membership_sales_figures};

/// What a unit of work changes in the rollups, added to the stored rows by
/// [`FigureChanges::write`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FigureChanges {
    /// (membership, status) → (customers, paying).
    customers: BTreeMap<(i64, CustomerStatus), (i64, i64)>,
    /// (membership, currency) → (payments, net minor units).
    sales: BTreeMap<(i64, String), (i64, i64)>,
    /// (membership, day, link or 0, currency) → earned minor units.
    earnings: BTreeMap<(i64, Date, i64, String), i64>,
}

/// What one customer counts for in its membership's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerFacts {
    pub status: CustomerStatus,
    /// Whether it has paid at least once.
    pub paying: bool,
}

impl FigureChanges {
    /// A customer of `membership` appears (`sign` 1) or leaves (`sign` -1) as `facts`.
    pub fn customer(&mut self, membership: i64, facts: CustomerFacts, sign: i64) {
        let entry = self
            .customers
            .entry((membership, facts.status))
            .or_default();
        entry.0 += sign;
        entry.1 += sign * i64::from(facts.paying);
    }

    /// A customer of `membership` changed from `before` to `after`.
    pub fn customer_changed(
        &mut self,
        membership: i64,
        before: CustomerFacts,
        after: CustomerFacts,
    ) {
        if before != after {
            self.customer(membership, before, -1);
            self.customer(membership, after, 1);
        }
    }

    /// `payments` payments of `membership`'s customers, `net_minor` net of refunds, in
    /// `currency` (negative to take them away).
    pub fn sales(&mut self, membership: i64, currency: &str, payments: i64, net_minor: i64) {
        let entry = self
            .sales
            .entry((membership, currency.to_owned()))
            .or_default();
        entry.0 += payments;
        entry.1 += net_minor;
    }

    /// `membership` earned `minor` (negative: a reversal) through `link` on `day`, the
    /// day of the sale.
    pub fn earned(
        &mut self,
        membership: i64,
        day: Date,
        link: Option<i64>,
        currency: &str,
        minor: i64,
    ) {
        *self
            .earnings
            .entry((membership, day, link.unwrap_or(0), currency.to_owned()))
            .or_default() += minor;
    }

    /// The paying customers these changes add to `membership`'s.
    pub fn paying_of(&self, membership: i64) -> i64 {
        self.customers
            .iter()
            .filter(|((m, _), _)| *m == membership)
            .map(|(_, (_, paying))| paying)
            .sum()
    }

    /// The sales these changes add to `membership`'s, per currency.
    pub fn sales_of(&self, membership: i64) -> Vec<(String, Sales)> {
        self.sales
            .iter()
            .filter(|((m, _), _)| *m == membership)
            .map(|((_, currency), &(count, net_minor))| {
                (currency.clone(), Sales { count, net_minor })
            })
            .collect()
    }

    /// Adds the changes to the stored rows and forgets them.
    pub fn write(&mut self, conn: &mut DbConn) -> QueryResult<()> {
        use daily_earnings::dsl as e;
        use membership_customer_figures::dsl as c;
        use membership_sales_figures::dsl as s;
        for ((membership, status), (customers, paying)) in std::mem::take(&mut self.customers) {
            if (customers, paying) == (0, 0) {
                continue;
            }
            on_backend!(conn, |conn| diesel::insert_into(
                c::membership_customer_figures
            )
            .values((
                c::membership_id.eq(membership),
                c::status.eq(status),
                c::customers.eq(customers),
                c::paying.eq(paying),
            ))
            .on_conflict((c::membership_id, c::status))
            .do_update()
            .set((
                c::customers.eq(c::customers + excluded(c::customers)),
                c::paying.eq(c::paying + excluded(c::paying)),
            ))
            .execute(conn))?;
        }
        for ((membership, currency), (payments, net_minor)) in std::mem::take(&mut self.sales) {
            if (payments, net_minor) == (0, 0) {
                continue;
            }
            on_backend!(conn, |conn| diesel::insert_into(
                s::membership_sales_figures
            )
            .values((
                s::membership_id.eq(membership),
                s::currency.eq(&currency),
                s::payments.eq(payments),
                s::net_minor.eq(net_minor),
            ))
            .on_conflict((s::membership_id, s::currency))
            .do_update()
            .set((
                s::payments.eq(s::payments + excluded(s::payments)),
                s::net_minor.eq(s::net_minor + excluded(s::net_minor)),
            ))
            .execute(conn))?;
        }
        for ((membership, day, link, currency), minor) in std::mem::take(&mut self.earnings) {
            if minor == 0 {
                continue;
            }
            on_backend!(conn, |conn| diesel::insert_into(e::daily_earnings)
                .values((
                    e::membership_id.eq(membership),
                    e::day.eq(day),
                    e::link_id.eq(link),
                    e::currency.eq(&currency),
                    e::earned_minor.eq(minor),
                ))
                .on_conflict((e::membership_id, e::day, e::link_id, e::currency))
                .do_update()
                .set(e::earned_minor.eq(e::earned_minor + excluded(e::earned_minor)))
                .execute(conn))?;
        }
        Ok(())
    }
}

fn add_status(counts: &mut CustomerCounts, status: CustomerStatus, customers: i64, paying: i64) {
    match status {
        CustomerStatus::Frozen => counts.frozen += customers,
        CustomerStatus::Deleted => counts.deleted += customers,
        CustomerStatus::Active => counts.active += customers,
    }
    counts.paying += paying;
}

/// Customer counts per status, and how many paid, of some memberships.
pub fn customer_counts(conn: &mut DbConn, memberships: &[i64]) -> QueryResult<CustomerCounts> {
    let rows: Vec<(CustomerStatus, i64, i64)> = membership_customer_figures::table
        .filter(membership_customer_figures::membership_id.eq_any(memberships))
        .select((
            membership_customer_figures::status,
            membership_customer_figures::customers,
            membership_customer_figures::paying,
        ))
        .load(conn)?;
    let mut counts = CustomerCounts::default();
    for (status, customers, paying) in rows {
        add_status(&mut counts, status, customers, paying);
    }
    Ok(counts)
}

/// Sales of a membership's customers per currency, net of refunds.
pub fn sales(conn: &mut DbConn, membership_id: i64) -> QueryResult<Vec<(String, Sales)>> {
    let rows: Vec<(String, i64, i64)> = membership_sales_figures::table
        .filter(membership_sales_figures::membership_id.eq(membership_id))
        .order(membership_sales_figures::currency)
        .select((
            membership_sales_figures::currency,
            membership_sales_figures::payments,
            membership_sales_figures::net_minor,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, count, net)| (*count, *net) != (0, 0))
        .map(|(currency, count, net_minor)| (currency, Sales { count, net_minor }))
        .collect())
}

#[derive(QueryableByName)]
struct EarnedRow {
    #[diesel(sql_type = SqlDate)]
    day: Date,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    earned: i64,
}

/// What these memberships (or one of their links) earned per day of sale and currency
/// from `from` to `to` inclusive, by day and currency; days without any are absent.
pub fn earnings_by_day(
    conn: &mut DbConn,
    memberships: &[i64],
    link: Option<i64>,
    from: Date,
    to: Date,
) -> QueryResult<Vec<(Date, String, i64)>> {
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers: formatting them is safe. SUM over BIGINT is NUMERIC on
    // PostgreSQL: the CAST gives both backends one type.
    let ids = crate::id_list(memberships);
    let link_filter = link.map_or(String::new(), |l| format!(" AND link_id = {l}"));
    let rows: Vec<EarnedRow> = diesel::sql_query(format!(
        "SELECT day, currency, CAST(SUM(earned_minor) AS BIGINT) AS earned \
         FROM daily_earnings WHERE membership_id IN ({ids}){link_filter} \
         AND day >= $1 AND day <= $2 GROUP BY day, currency ORDER BY day, currency"
    ))
    .bind::<SqlDate, _>(from)
    .bind::<SqlDate, _>(to)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|r| r.earned != 0)
        .map(|r| (r.day, r.currency, r.earned))
        .collect())
}

/// What was earned through each of these links per currency, in minor units.
pub fn earnings_by_link(
    conn: &mut DbConn,
    links: &[i64],
) -> QueryResult<BTreeMap<i64, Vec<(String, i64)>>> {
    let mut out: BTreeMap<i64, Vec<(String, i64)>> = BTreeMap::new();
    for chunk in links.chunks(crate::IN_LIST_CHUNK) {
        let rows: Vec<(i64, String, i64)> = daily_earnings::table
            .filter(daily_earnings::link_id.eq_any(chunk))
            .group_by((daily_earnings::link_id, daily_earnings::currency))
            .order((daily_earnings::link_id, daily_earnings::currency))
            .select((
                daily_earnings::link_id,
                daily_earnings::currency,
                crate::sum_bigint("daily_earnings.earned_minor"),
            ))
            .load(conn)?;
        for (link, currency, earned) in rows {
            out.entry(link).or_default().push((currency, earned));
        }
    }
    Ok(out)
}

/// The rollups as the rows say they should be: the same statements the migration
/// filled them with.
const RECOUNT_CUSTOMERS: &str = "SELECT membership_id, status, COUNT(*) AS customers, \
     COUNT(first_paid_at) AS paying FROM customers WHERE membership_id IS NOT NULL \
     GROUP BY membership_id, status";
const RECOUNT_SALES: &str = "SELECT c.membership_id AS membership_id, p.currency AS currency, \
     COUNT(*) AS payments, SUM(p.amount_minor - p.refunded_minor) AS net_minor \
     FROM payments p JOIN customers c ON c.id = p.customer_id \
     WHERE c.membership_id IS NOT NULL GROUP BY c.membership_id, p.currency";
/// `{day}` is the backend's date of `p.paid_at`.
const RECOUNT_EARNINGS: &str = "SELECT c.membership_id AS membership_id, {day} AS day, \
     COALESCE(c.link_id, 0) AS link_id, c.currency AS currency, \
     SUM(c.amount_minor - c.reversed_minor) AS earned_minor \
     FROM commissions c JOIN payments p ON p.id = c.payment_id \
     GROUP BY c.membership_id, {day}, COALESCE(c.link_id, 0), c.currency";

fn recount_earnings(conn: &DbConn) -> String {
    let day = match conn {
        DbConn::Sqlite(_) => "date(p.paid_at)",
        DbConn::Postgres(_) => "CAST(p.paid_at AS DATE)",
    };
    RECOUNT_EARNINGS.replace("{day}", day)
}

#[derive(QueryableByName)]
struct CustomerRow {
    #[diesel(sql_type = BigInt)]
    membership_id: i64,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    customers: i64,
    #[diesel(sql_type = BigInt)]
    paying: i64,
}

#[derive(QueryableByName)]
struct SalesRow {
    #[diesel(sql_type = BigInt)]
    membership_id: i64,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    payments: i64,
    #[diesel(sql_type = BigInt)]
    net_minor: i64,
}

#[derive(QueryableByName)]
struct EarningsRow {
    #[diesel(sql_type = BigInt)]
    membership_id: i64,
    #[diesel(sql_type = SqlDate)]
    day: Date,
    #[diesel(sql_type = BigInt)]
    link_id: i64,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    earned_minor: i64,
}

/// Rows of one rollup: key (as text, for the report) → figures; zero rows left out.
type Figures = BTreeMap<String, Vec<i64>>;

/// The rollups counted from the rows. SUM over BIGINT is NUMERIC on PostgreSQL: each
/// recount is wrapped so every figure comes back as BIGINT.
fn recounted(conn: &mut DbConn) -> QueryResult<[Figures; 3]> {
    let customers: Vec<CustomerRow> = diesel::sql_query(format!(
        "SELECT membership_id, status, CAST(customers AS BIGINT) AS customers, \
         CAST(paying AS BIGINT) AS paying FROM ({RECOUNT_CUSTOMERS}) t"
    ))
    .load(conn)?;
    let sales: Vec<SalesRow> = diesel::sql_query(format!(
        "SELECT membership_id, currency, CAST(payments AS BIGINT) AS payments, \
         CAST(net_minor AS BIGINT) AS net_minor FROM ({RECOUNT_SALES}) t"
    ))
    .load(conn)?;
    let earnings: Vec<EarningsRow> = diesel::sql_query(format!(
        "SELECT membership_id, day, link_id, currency, \
         CAST(earned_minor AS BIGINT) AS earned_minor FROM ({}) t",
        recount_earnings(conn)
    ))
    .load(conn)?;
    Ok(figures(customers, sales, earnings))
}

fn stored(conn: &mut DbConn) -> QueryResult<[Figures; 3]> {
    let customers: Vec<CustomerRow> = diesel::sql_query(
        "SELECT membership_id, status, customers, paying FROM membership_customer_figures",
    )
    .load(conn)?;
    let sales: Vec<SalesRow> = diesel::sql_query(
        "SELECT membership_id, currency, payments, net_minor FROM membership_sales_figures",
    )
    .load(conn)?;
    let earnings: Vec<EarningsRow> = diesel::sql_query(
        "SELECT membership_id, day, link_id, currency, earned_minor FROM daily_earnings",
    )
    .load(conn)?;
    Ok(figures(customers, sales, earnings))
}

fn figures(
    customers: Vec<CustomerRow>,
    sales: Vec<SalesRow>,
    earnings: Vec<EarningsRow>,
) -> [Figures; 3] {
    let keep = |v: Vec<i64>| v.iter().any(|x| *x != 0).then_some(v);
    [
        customers
            .into_iter()
            .filter_map(|r| {
                keep(vec![r.customers, r.paying])
                    .map(|v| (format!("membership {} {}", r.membership_id, r.status), v))
            })
            .collect(),
        sales
            .into_iter()
            .filter_map(|r| {
                keep(vec![r.payments, r.net_minor])
                    .map(|v| (format!("membership {} {}", r.membership_id, r.currency), v))
            })
            .collect(),
        earnings
            .into_iter()
            .filter_map(|r| {
                keep(vec![r.earned_minor]).map(|v| {
                    (
                        format!(
                            "membership {} {} link {} {}",
                            r.membership_id, r.day, r.link_id, r.currency
                        ),
                        v,
                    )
                })
            })
            .collect(),
    ]
}

/// Where the stored rollups disagree with the rows they count, one line each (empty:
/// they agree).
pub fn differences(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let want = recounted(conn)?;
    let have = stored(conn)?;
    let names = ["customer figures", "sales figures", "daily earnings"];
    let mut out = Vec::new();
    for ((name, want), have) in names.iter().zip(&want).zip(&have) {
        for key in want
            .keys()
            .chain(have.keys().filter(|k| !want.contains_key(*k)))
        {
            let (w, h) = (want.get(key), have.get(key));
            if w != h {
                out.push(format!(
                    "{name} of {key}: stored {:?}, counted {:?}",
                    h.cloned().unwrap_or_default(),
                    w.cloned().unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

/// Writes every rollup again from the rows (after data was loaded around the engine, or
/// to repair what [`differences`] reports), in the caller's transaction.
pub fn rebuild(conn: &mut DbConn) -> QueryResult<()> {
    for table in [
        "membership_customer_figures",
        "membership_sales_figures",
        "daily_earnings",
    ] {
        diesel::sql_query(format!("DELETE FROM {table}")).execute(conn)?;
    }
    diesel::sql_query(format!(
        "INSERT INTO membership_customer_figures (membership_id, status, customers, paying) \
         {RECOUNT_CUSTOMERS}"
    ))
    .execute(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO membership_sales_figures (membership_id, currency, payments, net_minor) \
         {RECOUNT_SALES}"
    ))
    .execute(conn)?;
    let earnings = recount_earnings(conn);
    diesel::sql_query(format!(
        "INSERT INTO daily_earnings (membership_id, day, link_id, currency, earned_minor) \
         {earnings}"
    ))
    .execute(conn)?;
    Ok(())
}
