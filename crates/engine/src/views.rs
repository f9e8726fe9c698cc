//! Stored rows as the API's views (the domain's response types): levels, memberships,
//! balances, partners, adjustments, customers and track change requests.
//!
//! They are here, not in the API, because the operations of this crate answer them and
//! write them to the audit log (the object before and after a change), in the
//! transaction of the change; the API's handlers use the same builders for their lists
//! and details, so a list and the audit log never disagree about an object.

use std::collections::BTreeMap;

use partnerly_db::adjustment::Adjustment;
use partnerly_db::customer::Customer;
use partnerly_db::level::Level;
use partnerly_db::membership::Membership;
use partnerly_db::program::Program;
use partnerly_db::track_request::{ListedTrackRequest, TrackRequest};
use partnerly_db::user::User;
use partnerly_db::{DbConn, ledger};
use partnerly_domain::adjustment::{AdjustmentView, ledger_key};
use partnerly_domain::customer::AdminCustomerView;
use partnerly_domain::ledger::{AccountKind, Balance};
use partnerly_domain::membership::{AdminMembershipView, PartnerRef};
use partnerly_domain::money::{Currency, Money};
use partnerly_domain::partner::{LevelSummary, MembershipView};
use partnerly_domain::track_request::TrackRequestView;

/// Why a view could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// A row the view reads (the membership of an adjustment, its partner) is gone. The
    /// API answers 404.
    #[error("not found")]
    NotFound,
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    /// The stored data contradicts itself (a stored currency unknown): a bug.
    #[error("inconsistent data: {what}")]
    Inconsistent {
        what: String,
        #[source]
        cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl ViewError {
    fn inconsistent(
        what: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Inconsistent {
            what: what.into(),
            cause: Some(Box::new(cause)),
        }
    }
}

/// A program's currency (validated when stored).
pub fn program_currency(program: &Program) -> Result<Currency, ViewError> {
    program.currency().ok_or_else(|| ViewError::Inconsistent {
        what: format!("program {} has a bad currency", program.id),
        cause: None,
    })
}

/// A level as partners see it.
pub fn level_summary(level: &Level, currency: Currency) -> Result<LevelSummary, ViewError> {
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
) -> Result<MembershipView, ViewError> {
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

/// A membership as staff see it.
pub fn admin_membership_view(
    membership: &Membership,
    program: &Program,
    level: &Level,
) -> Result<AdminMembershipView, ViewError> {
    let currency = program_currency(program)?;
    Ok(AdminMembershipView {
        id: membership.id,
        program_id: program.id,
        program_name: program.name.clone(),
        currency,
        track: level.track(),
        level: level_summary(level, currency)?,
        rate_override: membership.rate_override(),
        status: membership.status,
        joined_at: partnerly_db::utc(membership.joined_at),
    })
}

/// The balances of some memberships, added up per currency.
pub fn balances(conn: &mut DbConn, memberships: &[i64]) -> Result<Vec<Balance>, ViewError> {
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
                .map_err(|e| ViewError::inconsistent("ledger currency", e))?;
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

/// A partner as lists show them.
pub fn partner_ref(user: &User) -> PartnerRef {
    let account = user.to_account();
    PartnerRef {
        public_id: account.public_id,
        name: account.display_name(),
        email: account.email,
    }
}

/// A manual adjustment as staff see it (reads its membership, program and partner).
pub fn adjustment_view(conn: &mut DbConn, a: &Adjustment) -> Result<AdjustmentView, ViewError> {
    let (membership, program, _) =
        Membership::with_program(conn, a.membership_id)?.ok_or(ViewError::NotFound)?;
    let user = User::find(conn, membership.user_id)?.ok_or(ViewError::NotFound)?;
    let currency = Currency::parse(&a.currency)
        .map_err(|e| ViewError::inconsistent("stored adjustment currency", e))?;
    Ok(AdjustmentView {
        id: a.id,
        membership_id: a.membership_id,
        partner: partner_ref(&user),
        program_name: program.name,
        amount: Money::from_minor(a.amount_minor, currency).to_view(),
        reason: a.reason.clone(),
        actor_id: a.actor_id,
        ledger_key: ledger_key(a.id),
        created_at: partnerly_db::utc(a.created_at),
    })
}

/// The partner and program names of memberships, looked up once per membership: the
/// customers of a page share their owners.
#[derive(Debug, Default)]
pub struct Owners(BTreeMap<i64, Option<(PartnerRef, String)>>);

impl Owners {
    fn of(
        &mut self,
        conn: &mut DbConn,
        membership_id: i64,
    ) -> Result<Option<(PartnerRef, String)>, ViewError> {
        if let Some(known) = self.0.get(&membership_id) {
            return Ok(known.clone());
        }
        let owner = match Membership::with_program(conn, membership_id)? {
            Some((m, program, _)) => {
                User::find(conn, m.user_id)?.map(|u| (partner_ref(&u), program.name))
            }
            None => None,
        };
        self.0.insert(membership_id, owner.clone());
        Ok(owner)
    }
}

/// A customer as managers see it, with the partner it is attributed to.
pub fn customer_view(
    conn: &mut DbConn,
    owners: &mut Owners,
    c: Customer,
) -> Result<AdminCustomerView, ViewError> {
    let owner = match c.membership_id {
        Some(id) => owners.of(conn, id)?,
        None => None,
    };
    let (partner, program_name) = owner.unzip();
    Ok(AdminCustomerView {
        id: c.id,
        status: c.status,
        external_id: c.external_id,
        email: c.email,
        name: c.name,
        plan: c.plan,
        membership_id: c.membership_id,
        partner,
        program_name,
        attributed_via: c.attributed_via,
        attributed_at: c.attributed_at.map(partnerly_db::utc),
        signed_up_at: partnerly_db::utc(c.signed_up_at),
        first_paid_at: c.first_paid_at.map(partnerly_db::utc),
    })
}

/// A stored track change request as the API shows it (reads its membership, program
/// and partner).
pub fn track_request_view(
    conn: &mut DbConn,
    request: &TrackRequest,
) -> Result<TrackRequestView, ViewError> {
    let (membership, program, _) =
        Membership::with_program(conn, request.membership_id)?.ok_or(ViewError::NotFound)?;
    let user = User::find(conn, membership.user_id)?.ok_or(ViewError::NotFound)?;
    Ok(listed_track_request_view(&ListedTrackRequest {
        request: request.clone(),
        membership,
        program_name: program.name,
        partner: user,
    }))
}

/// A listed track change request (read with its membership and partner) as the API
/// shows it.
pub fn listed_track_request_view(listed: &ListedTrackRequest) -> TrackRequestView {
    let ListedTrackRequest {
        request,
        membership,
        program_name,
        partner,
    } = listed;
    TrackRequestView {
        id: request.id,
        membership_id: membership.id,
        program_id: membership.program_id,
        program_name: program_name.clone(),
        partner: partner_ref(partner),
        current_track: membership.track,
        to_track: request.to_track,
        message: request.message.clone(),
        status: request.status,
        requested_at: partnerly_db::utc(request.requested_at),
        decided_by: request.decided_by,
        decided_at: request.decided_at.map(partnerly_db::utc),
    }
}
