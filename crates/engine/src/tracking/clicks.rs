//! A batch of clicks from the redirect's queue: which are unique, the click rows, and
//! what they add to each link's day, in the caller's transaction.
//!
//! A click is unique unless the same visitor clicked the same link within
//! [`REPEAT_WINDOW`] before it, stored earlier or earlier in the batch. Bot requests
//! are counted in the day's `bot_clicks` and stored as nothing else.

use std::collections::{BTreeMap, HashMap};

use partnerly_db::DbConn;
use partnerly_db::click::{Click, DailyLinkStats, NewClick};
use partnerly_domain::tracking::REPEAT_WINDOW;
use time::{Date, OffsetDateTime};

use super::TrackingError;

/// A click as the redirect saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickToStore {
    /// The id the landing page got as `click_id`.
    pub public_id: String,
    pub link_id: i64,
    pub membership_id: i64,
    pub program_id: i64,
    /// Keyed hash of the visitor's address and user agent.
    pub visitor: String,
    pub landing_query: String,
    pub referrer_host: Option<String>,
    pub clicked_at: OffsetDateTime,
    /// A known bot: counted apart, not stored as a click.
    pub bot: bool,
}

/// What a batch added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordedClicks {
    pub clicks: usize,
    pub unique: usize,
    pub bots: usize,
}

/// Stores a batch of clicks and adds them to their links' daily figures.
pub fn record_clicks(
    conn: &mut DbConn,
    batch: &[ClickToStore],
) -> Result<RecordedClicks, TrackingError> {
    let mut humans: Vec<&ClickToStore> = batch.iter().filter(|c| !c.bot).collect();
    humans.sort_by_key(|c| c.clicked_at);
    let mut latest = match humans.first() {
        Some(first) => {
            let pairs: Vec<(i64, &str)> = humans
                .iter()
                .map(|c| (c.link_id, c.visitor.as_str()))
                .collect();
            let since = partnerly_db::to_db(first.clicked_at - REPEAT_WINDOW);
            Click::latest_of_visitors(conn, &pairs, since)?
        }
        None => HashMap::new(),
    };
    let mut days: BTreeMap<(i64, Date), DailyLinkStats> = BTreeMap::new();
    let mut recorded = RecordedClicks::default();
    let mut rows = Vec::with_capacity(humans.len());
    for click in humans {
        let at = partnerly_db::to_db(click.clicked_at);
        let key = (click.link_id, click.visitor.clone());
        let is_unique = latest
            .get(&key)
            .is_none_or(|previous| *previous + REPEAT_WINDOW < at);
        latest.insert(key, at);
        let day = day_of(&mut days, click);
        day.clicks += 1;
        if is_unique {
            day.unique_clicks += 1;
            recorded.unique += 1;
        }
        recorded.clicks += 1;
        rows.push(NewClick {
            public_id: click.public_id.clone(),
            link_id: click.link_id,
            membership_id: click.membership_id,
            program_id: click.program_id,
            visitor: click.visitor.clone(),
            is_unique,
            landing_query: click.landing_query.clone(),
            referrer_host: click.referrer_host.clone(),
            clicked_at: at,
        });
    }
    for bot in batch.iter().filter(|c| c.bot) {
        day_of(&mut days, bot).bot_clicks += 1;
        recorded.bots += 1;
    }
    Click::insert_all(conn, &rows)?;
    DailyLinkStats::add(conn, &days.into_values().collect::<Vec<_>>())?;
    Ok(recorded)
}

/// The figures of a click's link and day, created at zero.
fn day_of<'a>(
    days: &'a mut BTreeMap<(i64, Date), DailyLinkStats>,
    c: &ClickToStore,
) -> &'a mut DailyLinkStats {
    let day = c.clicked_at.date();
    days.entry((c.link_id, day))
        .or_insert_with(|| DailyLinkStats::zero(c.link_id, c.membership_id, day))
}
