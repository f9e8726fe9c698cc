//! Clicks the tracking redirect recorded (T6, T10) and their daily figures per link.
//!
//! The click writer stores clicks in batches: [`Click::insert_all`] with the rows, and
//! [`DailyLinkStats::add`] with what they add to each link's day, in one transaction.
//! Whether a click is unique is decided before, from [`Click::latest_of_visitors`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diesel::prelude::*;
use diesel::upsert::excluded;
use time::{Date, PrimitiveDateTime};

use crate::conn::on_backend;
use crate::schema::{clicks, link_daily_stats};
use crate::{DbConn, IN_LIST_CHUNK};

/// A stored click.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = clicks)]
pub struct Click {
    pub id: i64,
    pub public_id: String,
    pub link_id: i64,
    pub membership_id: i64,
    pub program_id: i64,
    pub visitor: String,
    pub is_unique: bool,
    pub landing_query: String,
    pub referrer_host: Option<String>,
    pub clicked_at: PrimitiveDateTime,
}

/// A click to store.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = clicks)]
pub struct NewClick {
    pub public_id: String,
    pub link_id: i64,
    pub membership_id: i64,
    pub program_id: i64,
    pub visitor: String,
    pub is_unique: bool,
    pub landing_query: String,
    pub referrer_host: Option<String>,
    pub clicked_at: PrimitiveDateTime,
}

impl Click {
    /// The click the redirect gave this id.
    pub fn by_public_id(conn: &mut DbConn, public_id: &str) -> QueryResult<Option<Click>> {
        clicks::table
            .filter(clicks::public_id.eq(public_id))
            .select(Click::as_select())
            .get_result(conn)
            .optional()
    }

    /// Stores clicks; returns how many.
    pub fn insert_all(conn: &mut DbConn, rows: &[NewClick]) -> QueryResult<usize> {
        Ok(crate::insert_in_chunks!(rows, |chunk| {
            on_backend!(conn, |c| diesel::insert_into(clicks::table)
                .values(chunk)
                .execute(c))?
        }))
    }

    /// The latest click at or after `since` of each of these (link, visitor) pairs that
    /// has one. One lookup per distinct pair, each a single seek of the
    /// `clicks_visitor` index (link, visitor, time) for its largest time: the cost does
    /// not grow with the clicks a visitor already has.
    pub fn latest_of_visitors(
        conn: &mut DbConn,
        pairs: &[(i64, &str)],
        since: PrimitiveDateTime,
    ) -> QueryResult<HashMap<(i64, String), PrimitiveDateTime>> {
        let distinct: BTreeSet<(i64, &str)> = pairs.iter().copied().collect();
        let mut latest = HashMap::new();
        for (link, visitor) in distinct {
            let at: Option<PrimitiveDateTime> = clicks::table
                .filter(clicks::link_id.eq(link))
                .filter(clicks::visitor.eq(visitor))
                .filter(clicks::clicked_at.ge(since))
                .select(diesel::dsl::max(clicks::clicked_at))
                .get_result(conn)?;
            if let Some(at) = at {
                latest.insert((link, visitor.to_owned()), at);
            }
        }
        Ok(latest)
    }

    /// How many clicks are stored (for the benchmark's exact count and the tests).
    pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
        clicks::table.count().get_result(conn)
    }
}

/// What some clicks, sign-ups, first payments and leads add to one link's day.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable)]
#[diesel(table_name = link_daily_stats)]
pub struct DailyLinkStats {
    pub link_id: i64,
    pub day: Date,
    pub membership_id: i64,
    pub clicks: i64,
    pub unique_clicks: i64,
    pub bot_clicks: i64,
    pub signups: i64,
    pub paying_customers: i64,
    pub deals: i64,
}

#[derive(QueryableByName)]
struct DayRow {
    #[diesel(sql_type = diesel::sql_types::Date)]
    day: Date,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    clicks: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    unique_clicks: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    signups: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    paying_customers: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    deals: i64,
}

/// What a link brought over all its days: clicks, unique clicks and bot requests, and
/// the customers who signed up through it and of those, who paid (counted when it
/// happened: a customer reassigned later still counts for the link that brought it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Queryable)]
pub struct LinkTotals {
    pub clicks: i64,
    pub unique_clicks: i64,
    pub bot_clicks: i64,
    pub signups: i64,
    pub paying_customers: i64,
}

/// One day (or month) of a partner's figures: (period start, clicks, unique clicks,
/// sign-ups, paying customers, deals).
pub type DayFigures = (Date, i64, i64, i64, i64, i64);

impl DailyLinkStats {
    /// Nothing yet on `link`'s `day`.
    pub fn zero(link_id: i64, membership_id: i64, day: Date) -> Self {
        Self {
            link_id,
            day,
            membership_id,
            clicks: 0,
            unique_clicks: 0,
            bot_clicks: 0,
            signups: 0,
            paying_customers: 0,
            deals: 0,
        }
    }
}

impl DailyLinkStats {
    /// Adds the rows to the stored figures of their link and day.
    pub fn add(conn: &mut DbConn, rows: &[DailyLinkStats]) -> QueryResult<()> {
        use link_daily_stats::dsl as s;
        for row in rows {
            on_backend!(conn, |c| diesel::insert_into(s::link_daily_stats)
                .values(row)
                .on_conflict((s::link_id, s::day))
                .do_update()
                .set((
                    s::clicks.eq(s::clicks + excluded(s::clicks)),
                    s::unique_clicks.eq(s::unique_clicks + excluded(s::unique_clicks)),
                    s::bot_clicks.eq(s::bot_clicks + excluded(s::bot_clicks)),
                    s::signups.eq(s::signups + excluded(s::signups)),
                    s::paying_customers.eq(s::paying_customers + excluded(s::paying_customers)),
                    s::deals.eq(s::deals + excluded(s::deals)),
                ))
                .execute(c))?;
        }
        Ok(())
    }

    /// The figures of these memberships (or of one of their links) per day from `from`
    /// to `to` inclusive; days without any are absent.
    pub fn by_day(
        conn: &mut DbConn,
        memberships: &[i64],
        link: Option<i64>,
        from: Date,
        to: Date,
    ) -> QueryResult<Vec<DayFigures>> {
        if memberships.is_empty() {
            return Ok(Vec::new());
        }
        // Ids are integers: formatting them is safe. SUM over BIGINT is NUMERIC on
        // PostgreSQL: the CASTs give both backends one type.
        let ids = crate::id_list(memberships);
        let link_filter = link.map_or(String::new(), |l| format!(" AND link_id = {l}"));
        let rows: Vec<DayRow> = diesel::sql_query(format!(
            "SELECT day, CAST(SUM(clicks) AS BIGINT) AS clicks, \
             CAST(SUM(unique_clicks) AS BIGINT) AS unique_clicks, \
             CAST(SUM(signups) AS BIGINT) AS signups, \
             CAST(SUM(paying_customers) AS BIGINT) AS paying_customers, \
             CAST(SUM(deals) AS BIGINT) AS deals \
             FROM link_daily_stats WHERE membership_id IN ({ids}){link_filter} \
             AND day >= $1 AND day <= $2 GROUP BY day ORDER BY day"
        ))
        .bind::<diesel::sql_types::Date, _>(from)
        .bind::<diesel::sql_types::Date, _>(to)
        .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.day,
                    r.clicks,
                    r.unique_clicks,
                    r.signups,
                    r.paying_customers,
                    r.deals,
                )
            })
            .collect())
    }

    /// The totals of each of these links over all their days.
    pub fn totals(conn: &mut DbConn, links: &[i64]) -> QueryResult<BTreeMap<i64, LinkTotals>> {
        let mut totals = BTreeMap::new();
        for chunk in links.chunks(IN_LIST_CHUNK) {
            let rows: Vec<(i64, LinkTotals)> = link_daily_stats::table
                .filter(link_daily_stats::link_id.eq_any(chunk))
                .group_by(link_daily_stats::link_id)
                .select((
                    link_daily_stats::link_id,
                    (
                        crate::sum_bigint("link_daily_stats.clicks"),
                        crate::sum_bigint("link_daily_stats.unique_clicks"),
                        crate::sum_bigint("link_daily_stats.bot_clicks"),
                        crate::sum_bigint("link_daily_stats.signups"),
                        crate::sum_bigint("link_daily_stats.paying_customers"),
                    ),
                ))
                .load(conn)?;
            totals.extend(rows);
        }
        Ok(totals)
    }
}
