//! Leads and deals (T8): a referred lead becomes a pending deal of the partner whose link
//! the visit came through; the vendor (events API) or staff (admin pages) close it as won
//! with an amount, or lost. Both queue a webhook for the vendor (`deal.created`,
//! `deal.status_changed`) in the same transaction.

use std::collections::BTreeMap;

use partnerly_db::DbConn;
use partnerly_db::click::{Click, DailyLinkStats};
use partnerly_db::deal::{Deal, ListedDeal, NewDeal};
use partnerly_db::link::Link;
use partnerly_db::membership::Membership;
use partnerly_db::program::Program;
use partnerly_db::user::User;
use partnerly_domain::deal::{AdminDealView, ChangeDealRequest, DealStatus, DealView, Lead};
use partnerly_domain::money::{Currency, Money};
use partnerly_domain::partner::mask_email;
use partnerly_domain::webhook_event::{DealEvent, WebhookEvent};
use time::{Duration, PrimitiveDateTime};

use super::TrackingError;
use crate::views::partner_ref;

/// The link a lead's referral names, if it still attributes: the click (inside its
/// program's window, counted from the click) before the ref code, as at sign-up.
fn referring_link(
    conn: &mut DbConn,
    lead: &Lead,
    now: PrimitiveDateTime,
) -> Result<Option<(Link, Membership)>, TrackingError> {
    let mut candidates = Vec::new();
    if let Some(click) = lead.click_id.as_deref()
        && let Some(click) = Click::by_public_id(conn, click)?
    {
        let window = Program::find(conn, click.program_id)?
            .map(|p| p.attribution_window_days)
            .unwrap_or_default();
        if now <= click.clicked_at + Duration::days(i64::from(window)) {
            candidates.push(Link::enabled(conn, click.link_id)?);
        }
    }
    if let Some(code) = lead.ref_code.as_deref() {
        candidates.push(Link::by_code(conn, code)?);
    }
    for link in candidates.into_iter().flatten() {
        if let Some(membership) = Membership::find(conn, link.membership_id)?
            && membership.is_active()
        {
            return Ok(Some((link, membership)));
        }
    }
    Ok(None)
}

fn deal_event(deal: &Deal) -> Result<DealEvent, TrackingError> {
    Ok(DealEvent {
        deal_id: deal.id,
        membership_id: deal.membership_id,
        program_id: deal.program_id,
        status: deal.status,
        amount: amount(deal)?.map(Money::to_view),
        name: deal.name.clone(),
        email: deal.email.clone(),
        company: deal.company.clone(),
        message: deal.message.clone(),
    })
}

fn amount(deal: &Deal) -> Result<Option<Money>, TrackingError> {
    match (deal.amount_minor, deal.currency.as_deref()) {
        (Some(minor), Some(code)) => Currency::parse(code)
            .map(|c| Some(Money::from_minor(minor, c)))
            .map_err(|e| TrackingError::Inconsistent(format!("deal {} currency: {e}", deal.id))),
        _ => Ok(None),
    }
}

/// Stores a lead as a pending deal of the partner who referred it; `None` (nothing
/// stored) for a lead without a referral that still attributes, or a bot's.
pub fn capture_lead(
    conn: &mut DbConn,
    lead: &Lead,
    now: PrimitiveDateTime,
) -> Result<Option<Deal>, TrackingError> {
    if lead.is_bot {
        return Ok(None);
    }
    let Some((link, membership)) = referring_link(conn, lead, now)? else {
        return Ok(None);
    };
    let deal = NewDeal {
        membership_id: membership.id,
        program_id: membership.program_id,
        link_id: Some(link.id),
        click_id: lead.click_id.as_deref(),
        name: &lead.name,
        email: &lead.email,
        company: lead.company.as_deref(),
        message: &lead.message,
        status: DealStatus::Pending,
        created_at: now,
        updated_at: now,
    }
    .insert(conn)?;
    let mut day = DailyLinkStats::zero(link.id, membership.id, now.date());
    day.deals = 1;
    DailyLinkStats::add(conn, &[day])?;
    crate::webhooks::enqueue(conn, &WebhookEvent::DealCreated(deal_event(&deal)?))?;
    Ok(Some(deal))
}

/// Moves a deal to `change.status` (won needs an amount, in the program's currency
/// unless another is given). The same status and amount again changes nothing and
/// sends nothing. Returns the deal and whether it changed.
pub fn change_deal(
    conn: &mut DbConn,
    deal_id: i64,
    change: &ChangeDealRequest,
    now: PrimitiveDateTime,
) -> Result<(Deal, bool), TrackingError> {
    let deal = Deal::find(conn, deal_id)?.ok_or(TrackingError::NotFound)?;
    let program = Program::find(conn, deal.program_id)?
        .ok_or_else(|| TrackingError::Inconsistent(format!("deal {deal_id} has no program")))?;
    let currency = program.currency().ok_or_else(|| {
        TrackingError::Inconsistent(format!("program {} has a bad currency", program.id))
    })?;
    let change = change.validate(currency).map_err(TrackingError::Invalid)?;
    if deal.status == change.status && amount(&deal)? == change.amount {
        return Ok((deal, false));
    }
    let stored = change.amount.map(|a| (a.minor(), a.currency().code()));
    let updated = Deal::set_status(conn, deal.id, change.status, stored, now)?;
    crate::webhooks::enqueue(
        conn,
        &WebhookEvent::DealStatusChanged(deal_event(&updated)?),
    )?;
    Ok((updated, true))
}

/// Deals as their partner sees them (the contact's email masked), or whole for staff.
pub fn deal_views(
    conn: &mut DbConn,
    rows: Vec<ListedDeal>,
    masked: bool,
) -> Result<Vec<DealView>, TrackingError> {
    let programs: BTreeMap<i64, String> = Program::all(conn)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    rows.into_iter()
        .map(|(deal, membership, link)| {
            Ok(DealView {
                id: deal.id,
                membership_id: membership.id,
                program_name: programs.get(&deal.program_id).cloned().unwrap_or_default(),
                link_label: link.map(|l| l.label),
                name: deal.name.clone(),
                company: deal.company.clone(),
                email: if masked {
                    mask_email(&deal.email)
                } else {
                    deal.email.clone()
                },
                status: deal.status,
                amount: amount(&deal)?.map(Money::to_view),
                created_at: partnerly_db::utc(deal.created_at),
                closed_at: deal.closed_at.map(partnerly_db::utc),
            })
        })
        .collect()
}

/// Deals as staff see them: whole, with the partner and the message.
pub fn admin_deal_views(
    conn: &mut DbConn,
    rows: Vec<ListedDeal>,
) -> Result<Vec<AdminDealView>, TrackingError> {
    let messages: Vec<(String, i64)> = rows
        .iter()
        .map(|(d, m, _)| (d.message.clone(), m.user_id))
        .collect();
    let views = deal_views(conn, rows, false)?;
    // One lookup per partner on the page, not per deal.
    let mut partners = BTreeMap::new();
    views
        .into_iter()
        .zip(messages)
        .map(|(deal, (message, user_id))| {
            let partner = match partners.get(&user_id) {
                Some(known) => Clone::clone(known),
                None => {
                    let user = User::find(conn, user_id)?.ok_or_else(|| {
                        TrackingError::Inconsistent(format!(
                            "membership of a missing user {user_id}"
                        ))
                    })?;
                    let found = partner_ref(&user);
                    partners.insert(user_id, found.clone());
                    found
                }
            };
            Ok(AdminDealView {
                deal,
                partner,
                message,
            })
        })
        .collect()
}
