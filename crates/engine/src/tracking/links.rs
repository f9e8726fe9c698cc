//! A partner's links (T1, T5): creating one with a random or chosen code and an optional
//! promo code, changing its label and promo code, disabling it, and the list with each
//! link's figures (one grouped query per figure for the whole list, never one per link).

use std::collections::BTreeMap;

use partnerly_db::click::DailyLinkStats;
use partnerly_db::link::{Link, LinkUpdate, NewLink, Taken};
use partnerly_db::membership::Membership;
use partnerly_db::program::Program;
use partnerly_db::{DbConn, figures};
use partnerly_domain::link::{
    LinkChanges, LinkFigures, LinkView, MAX_LINKS_PER_MEMBERSHIP, NewLinkSpec, link_url,
};
use partnerly_domain::money::{Currency, Money};
use time::PrimitiveDateTime;

use super::TrackingError;

fn taken(what: Taken) -> TrackingError {
    match what {
        Taken::Code => TrackingError::field("code", "This code is taken; choose another."),
        Taken::PromoCode => {
            TrackingError::field("promo_code", "This promo code is taken; choose another.")
        }
    }
}

/// Creates a link for one of `user_id`'s memberships. A membership of another partner
/// is refused as if it did not exist.
pub fn create_link(
    conn: &mut DbConn,
    user_id: i64,
    spec: &NewLinkSpec,
    now: PrimitiveDateTime,
    new_code: &mut impl FnMut() -> String,
) -> Result<(Link, Membership), TrackingError> {
    let membership = Membership::find(conn, spec.membership_id)?
        .filter(|m| m.user_id == user_id)
        .ok_or_else(|| {
            TrackingError::field("membership_id", "You have no membership with this id.")
        })?;
    // Taken under the membership's row lock, so two requests at once cannot both
    // pass the limit.
    Membership::lock(conn, membership.id)?;
    if Link::count_of_membership(conn, membership.id)? >= MAX_LINKS_PER_MEMBERSHIP {
        return Err(TrackingError::TooManyLinks(MAX_LINKS_PER_MEMBERSHIP));
    }
    let new = NewLink {
        membership_id: membership.id,
        label: &spec.label,
        promo_code: spec.promo_code.as_ref().map(|p| p.as_str()),
        is_default: false,
        now,
    };
    let stored = match &spec.code {
        Some(code) => new.insert_with_code(conn, code.as_str())?,
        None => new.insert_random(conn, new_code)?,
    };
    Ok((stored.map_err(taken)?, membership))
}

/// Changes one of `user_id`'s links.
pub fn update_link(
    conn: &mut DbConn,
    user_id: i64,
    link_id: i64,
    changes: &LinkChanges,
    now: PrimitiveDateTime,
) -> Result<(Link, Membership), TrackingError> {
    let (link, membership) =
        Link::of_user_by_id(conn, user_id, link_id)?.ok_or(TrackingError::NotFound)?;
    let disabled_at = changes.disabled.and_then(|disabled| {
        match (disabled, link.disabled_at) {
            (true, None) => Some(Some(now)),
            (false, Some(_)) => Some(None),
            // Already as asked: keep when it was disabled.
            _ => None,
        }
    });
    let update = LinkUpdate {
        label: changes.label.as_deref(),
        promo_code: changes
            .promo_code
            .as_ref()
            .map(|p| p.as_ref().map(|p| p.as_str())),
        disabled_at,
    };
    let updated = Link::update(conn, link.id, &update, now)?.map_err(taken)?;
    Ok((updated, membership))
}

/// The links as their partner sees them, with their figures.
pub fn link_views(
    conn: &mut DbConn,
    public_url: &str,
    links: Vec<(Link, Membership)>,
) -> Result<Vec<LinkView>, TrackingError> {
    let ids: Vec<i64> = links.iter().map(|(l, _)| l.id).collect();
    let programs: BTreeMap<i64, Program> =
        Program::all(conn)?.into_iter().map(|p| (p.id, p)).collect();
    let totals = DailyLinkStats::totals(conn, &ids)?;
    let earnings = figures::earnings_by_link(conn, &ids)?;
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    links
        .into_iter()
        .map(|(link, membership)| {
            let program = programs.get(&membership.program_id).ok_or_else(|| {
                TrackingError::Inconsistent(format!("membership {} has no program", membership.id))
            })?;
            let t = totals.get(&link.id).copied().unwrap_or_default();
            let earned = earnings
                .get(&link.id)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|(code, minor)| {
                    Currency::parse(code)
                        .map(|c| Money::from_minor(*minor, c).to_view())
                        .map_err(|e| {
                            TrackingError::Inconsistent(format!("commission currency: {e}"))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(LinkView {
                id: link.id,
                membership_id: membership.id,
                program_name: program.name.clone(),
                url: link_url(public_url, &link.code),
                code: link.code,
                label: link.label,
                promo_code: link.promo_code,
                is_default: link.is_default,
                disabled: link.disabled_at.is_some(),
                figures: LinkFigures {
                    clicks: count(t.clicks),
                    unique_clicks: count(t.unique_clicks),
                    bot_clicks: count(t.bot_clicks),
                    signups: count(t.signups),
                    paying_customers: count(t.paying_customers),
                    conversion_percent: LinkFigures::conversion(
                        count(t.signups),
                        count(t.unique_clicks),
                    ),
                },
                earnings: earned,
                created_at: partnerly_db::utc(link.created_at),
            })
        })
        .collect()
}
