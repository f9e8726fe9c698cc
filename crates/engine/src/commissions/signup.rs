//! A sign-up: attribution to a partner (promo code > click id > ref code), the client
//! bonus (C4), and the payments that were waiting for the customer.

use partnerly_db::DbConn;
use partnerly_db::click::Click;
use partnerly_db::client_bonus::NewClientBonus;
use partnerly_db::customer::{Customer, NewCustomer};
use partnerly_db::level::Level;
use partnerly_db::link::Link;
use partnerly_db::membership::Membership;
use partnerly_db::payment::Payment;
use partnerly_db::to_db;
use partnerly_domain::customer::AttributedVia;
use partnerly_domain::event::{CustomerSignedUpData, CustomerStatus};
use partnerly_domain::level_settings::BonusTrigger;
use partnerly_domain::money::Money;
use partnerly_domain::webhook_event::{ClientBonusGranted, CustomerAttributed, WebhookEvent};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use super::batch::Batch;
use super::ingest::Applied;
use super::payment::commission_payment;
use super::{CommissionError, currency};

/// Why a sign-up was not attributed: a stable code in the event's effects
/// (`not_attributed_because`), so a vendor's integration can tell a customer who came
/// without a referral from one whose partner loses out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum NotAttributed {
    /// No promo code, click id or ref code was sent.
    NoReferral,
    /// A click id was sent but names no recorded click.
    UnknownClick,
    /// The promo or ref code names no link.
    UnknownCode,
    /// The click is older than its program's attribution window.
    ClickExpired,
    /// The code's partner is suspended in its program.
    MembershipSuspended,
}

impl NotAttributed {
    fn code(self) -> &'static str {
        match self {
            Self::NoReferral => "no_referral",
            Self::UnknownClick => "unknown_click",
            Self::ClickExpired => "click_expired",
            Self::UnknownCode => "unknown_code",
            Self::MembershipSuspended => "membership_suspended",
        }
    }
}

/// The membership a sign-up is attributed to, and how: promo code, then click id
/// (clicks are recorded by the tracking redirect; an unknown click id is skipped), then
/// ref code. A click counts only inside its program's attribution window, counted from
/// the click (T7); the ref code of an expired click's own link does not bring it back.
/// Suspended memberships and disabled links attribute nothing. When nothing attributes
/// it, the most telling reason among the candidates (a suspended partner over an
/// unknown code).
fn attribute(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &CustomerSignedUpData,
    occurred_at: OffsetDateTime,
) -> Result<Result<(Link, Membership, AttributedVia), NotAttributed>, CommissionError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let mut candidates: Vec<(Option<Link>, AttributedVia)> = Vec::new();
    let mut why = NotAttributed::NoReferral;
    if let Some(promo) = given(&data.promo_code) {
        candidates.push((Link::by_promo_code(conn, &promo)?, AttributedVia::PromoCode));
    }
    let mut expired_link = None;
    if let Some(click_id) = given(&data.click_id) {
        match Click::by_public_id(conn, &click_id)? {
            None => why = why.max(NotAttributed::UnknownClick),
            Some(click) => {
                let window = lk.program(conn, click.program_id)?.attribution_window_days;
                let ends = partnerly_db::utc(click.clicked_at) + Duration::days(i64::from(window));
                if occurred_at <= ends {
                    candidates.push((Link::enabled(conn, click.link_id)?, AttributedVia::Click));
                } else {
                    why = why.max(NotAttributed::ClickExpired);
                    expired_link = Some(click.link_id);
                }
            }
        }
    }
    if let Some(code) = given(&data.ref_code) {
        let link = Link::by_code(conn, &code)?;
        match (&link, expired_link) {
            (Some(link), Some(expired)) if link.id == expired => {}
            _ => candidates.push((link, AttributedVia::RefCode)),
        }
    }
    for (link, via) in candidates {
        let Some(link) = link else {
            why = why.max(match via {
                AttributedVia::Click => NotAttributed::UnknownClick,
                _ => NotAttributed::UnknownCode,
            });
            continue;
        };
        match lk.membership(conn, link.membership_id)? {
            Some(membership) if membership.is_active() => {
                return Ok(Ok((link, membership, via)));
            }
            _ => why = why.max(NotAttributed::MembershipSuspended),
        }
    }
    Ok(Err(why))
}

pub(super) fn signed_up(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &CustomerSignedUpData,
    occurred_at: OffsetDateTime,
    now: PrimitiveDateTime,
) -> Result<Applied, CommissionError> {
    if let Some(existing) = lk.customer(conn, &data.customer_id)? {
        let applied = Applied::done()
            .note("customer", "already_known")
            .note("attributed", existing.membership_id.is_some());
        // A sign-up reported again (another event id) never moves a customer.
        let referral = [&data.promo_code, &data.ref_code, &data.click_id]
            .iter()
            .any(|c| c.as_deref().is_some_and(|c| !c.trim().is_empty()));
        return Ok(match (referral, existing.membership_id) {
            (false, _) => applied,
            (true, Some(_)) => applied.note("not_attributed_because", "already_attributed"),
            (true, None) => applied.note("not_attributed_because", "already_known"),
        });
    }
    let (attribution, why_not) = match attribute(conn, lk, data, occurred_at)? {
        Ok(found) => (Some(found), None),
        Err(why) => (None, Some(why)),
    };
    let signed_up_at = to_db(occurred_at);
    let email = data.email.as_deref().map(|e| e.trim().to_lowercase());
    let customer = lk.insert_customer(
        conn,
        &NewCustomer {
            external_id: &data.customer_id,
            email: email.as_deref(),
            name: data.name.as_deref(),
            membership_id: attribution.as_ref().map(|(_, m, _)| m.id),
            link_id: attribution.as_ref().map(|(l, _, _)| l.id),
            attributed_via: attribution.as_ref().map(|(_, _, via)| *via),
            attributed_at: attribution.as_ref().map(|_| signed_up_at),
            status: CustomerStatus::Active,
            signed_up_at,
            updated_at: now,
        },
    )?;
    let mut applied = Applied::done().note("attributed", attribution.is_some());
    if let Some(why) = why_not {
        applied = applied.note("not_attributed_because", why.code());
    }
    if let Some((link, membership, _)) = &attribution {
        lk.count_on(link.id, membership.id, signed_up_at.date(), |d| {
            d.signups += 1
        });
    }
    if let Some((link, membership, via)) = &attribution {
        lk.enqueue(
            conn,
            WebhookEvent::CustomerAttributed(CustomerAttributed {
                customer_id: customer.external_id.clone(),
                membership_id: membership.id,
                program_id: membership.program_id,
                link_code: link.code.clone(),
                via: *via,
            }),
        )?;
        let level = lk.level(conn, membership)?;
        if level.bonus_trigger == Some(BonusTrigger::SignUp)
            && grant_bonus(
                conn,
                lk,
                &customer,
                membership,
                &level,
                BonusTrigger::SignUp,
                now,
            )?
        {
            applied = applied.note("client_bonus", true);
        }
    }
    // Payments that arrived before the sign-up are applied now, oldest first.
    let waiting = Payment::waiting_for(conn, &customer.external_id)?;
    let mut commissions = 0;
    for payment in &waiting {
        lk.attach_payment(conn, payment, &customer)?;
        let customer = Customer::find(conn, customer.id)?
            .ok_or_else(|| CommissionError::missing("customer"))?;
        commissions += commission_payment(conn, lk, payment, &customer, now)?;
    }
    if !waiting.is_empty() {
        applied = applied
            .note("deferred_payments_applied", waiting.len())
            .note("commissions", commissions);
    }
    Ok(applied)
}

/// Grants the level's client bonus once per customer (C4) and tells the vendor.
pub(super) fn grant_bonus(
    conn: &mut DbConn,
    lk: &mut Batch,
    customer: &Customer,
    membership: &Membership,
    level: &Level,
    trigger: BonusTrigger,
    now: PrimitiveDateTime,
) -> Result<bool, CommissionError> {
    let Some(amount) = level.bonus_minor.filter(|a| *a > 0) else {
        return Ok(false);
    };
    let program_currency = lk.program(conn, membership.program_id)?.currency.clone();
    let granted = NewClientBonus {
        customer_id: customer.id,
        membership_id: membership.id,
        level_id: level.id,
        amount_minor: amount,
        currency: &program_currency,
        trigger,
        created_at: now,
    }
    .insert_once(conn)?;
    if !granted {
        return Ok(false);
    }
    lk.enqueue(
        conn,
        WebhookEvent::ClientBonusGranted(ClientBonusGranted {
            customer_id: customer.external_id.clone(),
            amount: Money::from_minor(amount, currency(&program_currency)?).to_view(),
            trigger,
            membership_id: membership.id,
        }),
    )?;
    Ok(true)
}
