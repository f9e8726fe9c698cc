//! Applying the vendor's events (E1, C1–C4, L3): attribution at sign-up, commissions
//! from payments, reversals from refunds, level promotion, and the hold-release job.
//!
//! Every function here runs inside the caller's write transaction, so an event's state
//! changes, ledger transfers and webhooks commit together or not at all. Ledger keys
//! (`commission:<id>:accrue`, `:release`, `:reverse:<total>`) make every booking
//! idempotent even if a step runs twice.
//!
//! Decisions, documented in the README:
//! - A payment for a customer Partnerly has not seen is kept (`deferred`) and applied
//!   when the customer's `customer.signed_up` arrives.
//! - A refund for an unknown payment, or more than was paid, is rejected (422): the
//!   vendor can send it again once the payment is known.
//! - Attribution precedence is promo code > click id > ref code; a customer keeps its
//!   partner unless a manager reassigns it.
//! - A flat first-payment amount is paid in the program's currency; percentages in the
//!   payment's currency.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};

use diesel::prelude::*;
use partnerly_db::commission::{Commission, NewCommission};
use partnerly_db::conn::{IdTable, lock_customers, next_ids};
use partnerly_db::customer::{Customer, CustomerChanges, NewCustomer};
use partnerly_db::event::NewEvent;
use partnerly_db::payment::{NewPayment, Payment, Reversal as PaymentReversal};
use partnerly_db::program::{Level, LevelChangeReason, Link, Membership, Program};
use partnerly_db::schema::client_bonuses;
use partnerly_db::{DbConn, ledger};
use partnerly_domain::event::{
    CustomerSignedUpData, CustomerStatusChangedData, Event, EventEnvelope, EventResult,
    EventStatus, PaymentSucceededData, Reversal, SubscriptionUpdatedData, is_storable_key,
};
use partnerly_domain::ledger::{Account, AccountKind, Transfer};
use partnerly_domain::level::{PaymentFacts, Progress, promoted_level, reversed_total};
use partnerly_domain::money::{Currency, Money};
use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::auth::tokens;
use crate::error::ApiError;
use crate::webhooks;

/// The unit of work of one request, batch or job transaction: what its events read
/// again and again, and what they write that nothing reads back before it ends.
///
/// - Programs, levels and webhook subscribers are read at first use. Events never
///   change them; an admin's change is seen from the next batch on.
/// - Customers and payments (by vendor id), memberships and event ids already received
///   are cached; [`Batch::preload`] reads those a batch names in one query each. Every
///   change an event makes to them goes through the batch, which updates or forgets
///   its copy.
/// - New payments and commission lines take their ids at once ([`next_ids`]) and are
///   written together, a few hundred rows per statement, before anything reads those
///   tables again ([`Batch::flush`]) and at the end.
/// - Ledger transfers and the event records are kept and written by [`Batch::run`] at
///   the end, in the caller's transaction; nothing reads them back before.
///
/// A batch lives inside one transaction: [`Batch::run`] is the only way to get one.
#[derive(Debug, Default)]
pub struct Batch {
    programs: HashMap<i64, Program>,
    levels: HashMap<i64, Vec<Level>>,
    subscribers: webhooks::Subscribers,
    memberships: HashMap<i64, Membership>,
    customers: HashMap<String, Option<Customer>>,
    payments: HashMap<String, Option<Payment>>,
    /// (owner, event id) → (body digest, answer as JSON), or `None`: not received.
    events_seen: HashMap<(String, String), Option<(String, String)>>,
    transfers: Vec<ledger::NewTransfer>,
    received: Vec<ReceivedEvent>,
    new_payments: Vec<Payment>,
    new_commissions: Vec<Commission>,
    /// Ids taken and not yet used, and the last id used, per table.
    ids: HashMap<IdTable, (VecDeque<i64>, i64)>,
    /// How many payments the preloaded events report: ids are taken that many at a
    /// time (a payment has one or two commission lines).
    payment_events: usize,
    /// The customers (by vendor id) this transaction has locked ([`lock_customers`]),
    /// and the payments whose customers it has locked.
    locked_customers: HashSet<String>,
    locked_payments: HashSet<String>,
    /// The memberships whose rows this transaction has locked.
    locked_memberships: HashSet<i64>,
}

/// An event record waiting for the end of its batch.
#[derive(Debug)]
struct ReceivedEvent {
    owner: String,
    event_id: String,
    kind: String,
    body_hash: String,
    status: &'static str,
    result: String,
    received_at: PrimitiveDateTime,
}

impl Batch {
    /// Runs `f` with a fresh batch inside the caller's transaction, then writes what
    /// the batch kept.
    pub fn run<T>(
        conn: &mut DbConn,
        f: impl FnOnce(&mut DbConn, &mut Batch) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut batch = Batch::default();
        let out = f(conn, &mut batch)?;
        batch.finish(conn)?;
        Ok(out)
    }

    fn finish(mut self, conn: &mut DbConn) -> Result<(), ApiError> {
        self.flush(conn)?;
        ledger::post_all(conn, &self.transfers)?;
        let rows: Vec<NewEvent> = self
            .received
            .iter()
            .map(|e| NewEvent {
                owner: &e.owner,
                event_id: &e.event_id,
                kind: &e.kind,
                body_hash: &e.body_hash,
                status: e.status,
                result: &e.result,
                received_at: e.received_at,
            })
            .collect();
        NewEvent::insert_all(conn, &rows)?;
        Ok(())
    }

    /// Locks the customers that `events` (each with its API key owner) name, then
    /// reads them, their payments and the earlier receipts of these event ids, one
    /// query each, so that applying the events asks the database for none of these.
    ///
    /// The locks ([`lock_customers`]) make concurrent transactions about one customer
    /// (several API instances on PostgreSQL) run one after the other; taking them all
    /// at once, in one order, keeps two batches from deadlocking. Call it once per
    /// batch, before applying its events.
    pub fn preload(
        &mut self,
        conn: &mut DbConn,
        events: &[(&str, &EventEnvelope)],
    ) -> Result<(), ApiError> {
        // Keys that could never have been stored are not looked up (PostgreSQL refuses
        // a NUL in a text parameter); validation refuses their events.
        let field = |e: &EventEnvelope, name: &str| -> Option<String> {
            e.data
                .get(name)?
                .as_str()
                .filter(|k| is_storable_key(k))
                .map(str::to_owned)
        };
        let mut customers: Vec<String> = events
            .iter()
            .filter_map(|(_, e)| field(e, "customer_id"))
            .collect();
        let mut payments: Vec<String> = events
            .iter()
            .filter_map(|(_, e)| field(e, "payment_id"))
            .collect();
        for (list, locked) in [
            (&mut customers, &self.locked_customers),
            (&mut payments, &self.locked_payments),
        ] {
            list.sort_unstable();
            list.dedup();
            list.retain(|key| !locked.contains(key));
        }
        fn refs(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        self.payment_events += events
            .iter()
            .filter(|(_, e)| e.kind == "payment.succeeded")
            .count();
        lock_customers(conn, &refs(&customers), &refs(&payments))?;
        self.locked_customers.extend(customers.iter().cloned());
        self.locked_payments.extend(payments.iter().cloned());
        for c in Customer::by_external_ids(conn, &refs(&customers))? {
            self.customers.insert(c.external_id.clone(), Some(c));
        }
        for c in customers {
            self.customers.entry(c).or_insert(None);
        }
        for p in Payment::by_external_ids(conn, &refs(&payments))? {
            self.payments.insert(p.external_id.clone(), Some(p));
        }
        for p in payments {
            self.payments.entry(p).or_insert(None);
        }
        let mut owners: Vec<&str> = events.iter().map(|(owner, _)| *owner).collect();
        owners.sort_unstable();
        owners.dedup();
        for owner in owners {
            let ids: Vec<&str> = events
                .iter()
                .filter(|(o, e)| *o == owner && is_storable_key(&e.id))
                .map(|(_, e)| e.id.as_str())
                .collect();
            for (id, hash, result) in partnerly_db::event::seen_many(conn, owner, &ids)? {
                self.events_seen
                    .insert((owner.to_owned(), id), Some((hash, result)));
            }
            for id in ids {
                self.events_seen
                    .entry((owner.to_owned(), id.to_owned()))
                    .or_insert(None);
            }
        }
        Ok(())
    }

    /// Writes the new payments and commission lines kept so far. Runs before anything
    /// reads the payments or commissions tables.
    fn flush(&mut self, conn: &mut DbConn) -> Result<(), ApiError> {
        if !self.new_payments.is_empty() {
            Payment::insert_all(conn, &self.new_payments)?;
            self.new_payments.clear();
        }
        if !self.new_commissions.is_empty() {
            Commission::insert_all(conn, &self.new_commissions)?;
            self.new_commissions.clear();
        }
        Ok(())
    }

    /// Whether the customer has a payment that precedes `payment` ([`Payment::precedes`]).
    /// Only the database is asked: when this is asked, every earlier payment of the
    /// customer is written. A customer without a first payment date has no payment at
    /// all (every payment of a known customer sets it), and a payment at or before that
    /// date flushes the batch first (see `commission_payment`); a later one is settled
    /// by the date without asking.
    fn has_earlier_payment(
        &self,
        conn: &mut DbConn,
        customer_id: i64,
        payment: &Payment,
    ) -> Result<bool, ApiError> {
        debug_assert!(
            !self
                .new_payments
                .iter()
                .any(|p| p.customer_id == Some(customer_id)
                    && p.id != payment.id
                    && p.precedes(payment)),
            "an earlier payment of the customer is not written yet"
        );
        Ok(Payment::has_earlier(conn, customer_id, payment)?)
    }

    fn next_id(&mut self, conn: &mut DbConn, table: IdTable) -> Result<i64, ApiError> {
        let (ids, last) = self.ids.entry(table).or_default();
        if ids.is_empty() {
            let fresh = next_ids(conn, table, self.payment_events.max(1))?;
            // SQLite counts on from the rows stored, which lack those not yet flushed.
            let shift = fresh.first().map_or(0, |first| (*last + 1 - first).max(0));
            ids.extend(fresh.into_iter().map(|id| id + shift));
        }
        let id = ids
            .pop_front()
            .ok_or_else(|| ApiError::Internal("no ids".into()))?;
        *last = id;
        Ok(id)
    }

    /// A new payment, written at the next flush.
    fn add_payment(&mut self, conn: &mut DbConn, new: &NewPayment) -> Result<Payment, ApiError> {
        let payment = new.with_id(self.next_id(conn, IdTable::Payments)?);
        self.new_payments.push(payment.clone());
        self.payments
            .insert(payment.external_id.clone(), Some(payment.clone()));
        Ok(payment)
    }

    /// A new commission line, written at the next flush (after its payment).
    fn add_commission(
        &mut self,
        conn: &mut DbConn,
        new: &NewCommission,
    ) -> Result<Commission, ApiError> {
        let commission = new.with_id(self.next_id(conn, IdTable::Commissions)?);
        self.new_commissions.push(commission.clone());
        Ok(commission)
    }

    fn program(&mut self, conn: &mut DbConn, id: i64) -> Result<&Program, ApiError> {
        Ok(match self.programs.entry(id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                e.insert(Program::find(conn, id)?.ok_or_else(|| missing("program"))?)
            }
        })
    }

    /// A program's levels, in order.
    fn levels(&mut self, conn: &mut DbConn, program_id: i64) -> Result<&[Level], ApiError> {
        Ok(match self.levels.entry(program_id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(Level::of_program(conn, program_id)?),
        })
    }

    /// The level a membership is on.
    fn level(&mut self, conn: &mut DbConn, membership: &Membership) -> Result<Level, ApiError> {
        self.levels(conn, membership.program_id)?
            .iter()
            .find(|l| l.id == membership.level_id)
            .cloned()
            .ok_or_else(|| missing("membership's level"))
    }

    fn membership(&mut self, conn: &mut DbConn, id: i64) -> Result<Option<Membership>, ApiError> {
        if let Some(m) = self.memberships.get(&id) {
            return Ok(Some(m.clone()));
        }
        let found = Membership::find(conn, id)?;
        if let Some(m) = &found {
            self.memberships.insert(id, m.clone());
        }
        Ok(found)
    }

    /// Whether the membership's track has a level above its own with a threshold.
    fn can_climb(&mut self, conn: &mut DbConn, membership: &Membership) -> Result<bool, ApiError> {
        let track = self.levels(conn, membership.program_id)?;
        let mut track = track.iter().filter(|l| l.track == membership.track);
        let Some(current) = track.clone().find(|l| l.id == membership.level_id) else {
            return Ok(false);
        };
        Ok(track.any(|l| l.position > current.position && l.threshold().is_some()))
    }

    /// Takes the membership's row lock (once per batch) and reads it as it is now.
    fn lock_membership(
        &mut self,
        conn: &mut DbConn,
        id: i64,
    ) -> Result<Option<Membership>, ApiError> {
        if self.locked_memberships.insert(id) {
            Membership::lock(conn, id)?;
            self.memberships.remove(&id);
        }
        self.membership(conn, id)
    }

    fn customer(
        &mut self,
        conn: &mut DbConn,
        external_id: &str,
    ) -> Result<Option<Customer>, ApiError> {
        if let Some(known) = self.customers.get(external_id) {
            return Ok(known.clone());
        }
        self.lock(conn, Some(external_id), None)?;
        let found = Customer::by_external_id(conn, external_id)?;
        self.customers.insert(external_id.to_owned(), found.clone());
        Ok(found)
    }

    /// Locks a customer named by its vendor id or by one of its payments, unless this
    /// transaction holds the lock already (see [`Batch::preload`], which locks what a
    /// batch names in one go).
    fn lock(
        &mut self,
        conn: &mut DbConn,
        customer: Option<&str>,
        payment: Option<&str>,
    ) -> Result<(), ApiError> {
        let customers: Vec<&str> = customer
            .filter(|c| !self.locked_customers.contains(*c))
            .into_iter()
            .collect();
        let payments: Vec<&str> = payment
            .filter(|p| !self.locked_payments.contains(*p))
            .into_iter()
            .collect();
        lock_customers(conn, &customers, &payments)?;
        self.locked_customers
            .extend(customers.into_iter().map(str::to_owned));
        self.locked_payments
            .extend(payments.into_iter().map(str::to_owned));
        Ok(())
    }

    fn update_customer(
        &mut self,
        conn: &mut DbConn,
        customer: &Customer,
        changes: &CustomerChanges,
    ) -> Result<(), ApiError> {
        Customer::update(conn, customer.id, changes)?;
        self.customers.remove(&customer.external_id);
        Ok(())
    }

    fn payment(
        &mut self,
        conn: &mut DbConn,
        external_id: &str,
    ) -> Result<Option<Payment>, ApiError> {
        if let Some(known) = self.payments.get(external_id) {
            return Ok(known.clone());
        }
        self.lock(conn, None, Some(external_id))?;
        let found = Payment::by_external_id(conn, external_id)?;
        self.payments.insert(external_id.to_owned(), found.clone());
        Ok(found)
    }

    /// Books a transfer when the batch ends.
    fn post(
        &mut self,
        transfer: Transfer,
        cause_type: &str,
        cause_id: i64,
        now: PrimitiveDateTime,
    ) {
        self.transfers.push(ledger::NewTransfer::new(
            &transfer, cause_type, cause_id, now,
        ));
    }

    /// Queues a webhook message; `payload` is built only when an endpoint subscribes.
    fn enqueue(
        &mut self,
        conn: &mut DbConn,
        event_type: &str,
        payload: impl FnOnce() -> Value,
    ) -> Result<(), ApiError> {
        self.subscribers.enqueue(conn, event_type, payload)?;
        Ok(())
    }
}

/// A row an event needs is gone: the database is inconsistent, not the event wrong.
fn missing(what: &str) -> ApiError {
    ApiError::Internal(format!("{what} not found"))
}

/// What applying an event did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub status: EventStatus,
    pub effects: Map<String, Value>,
}

impl Applied {
    fn done() -> Self {
        Self {
            status: EventStatus::Applied,
            effects: Map::new(),
        }
    }

    fn note(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.effects.insert(key.to_owned(), value.into());
        self
    }
}

/// A UTC `OffsetDateTime` as stored (microsecond precision). Times from clients are
/// checked against the accepted range first (`partnerly_domain::timestamp::accepted`);
/// the conversion itself is total, so an unchecked one can never panic.
pub fn to_db(t: OffsetDateTime) -> PrimitiveDateTime {
    let t = partnerly_domain::timestamp::clamped_utc(t);
    let t = t
        .replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t);
    PrimitiveDateTime::new(t.date(), t.time())
}

fn rejected(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable {
        code,
        message: message.into(),
    }
}

fn money_json(minor: i64, currency: &str) -> Value {
    match Currency::parse(currency) {
        Ok(c) => json!(Money::from_minor(minor, c).to_view()),
        Err(_) => json!({"amount_minor": minor, "currency": currency}),
    }
}

fn currency(code: &str) -> Result<Currency, ApiError> {
    Currency::parse(code).map_err(|e| ApiError::Internal(format!("stored currency: {e}")))
}

fn transfer(key: String, from: Account, to: Account, amount: Money) -> Result<Transfer, ApiError> {
    Transfer::new(key, from, to, amount).map_err(|e| ApiError::Internal(format!("ledger: {e}")))
}

fn status_name(status: EventStatus) -> &'static str {
    match status {
        EventStatus::Applied => "applied",
        EventStatus::Duplicate => "duplicate",
        EventStatus::Deferred => "deferred",
        EventStatus::Rejected => "rejected",
    }
}

/// Applies one event inside the caller's transaction, or repeats the result recorded
/// for its id. A refused event (a client's mistake: see [`ApiError::is_rejection`])
/// records nothing, so the sender can fix it and send it again with the same id.
///
/// Events are applied without a savepoint each: every refusal comes before the event's
/// first write, and any error after it fails the whole transaction.
pub fn ingest(
    conn: &mut DbConn,
    batch: &mut Batch,
    owner: &str,
    envelope: &EventEnvelope,
) -> Result<EventResult, ApiError> {
    let hash = tokens::digest(
        &serde_json::to_string(envelope).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    if !is_storable_key(&envelope.id) {
        // Refused with the field named; such an id was never stored.
        envelope.validate()?;
    }
    let key = (owner.to_owned(), envelope.id.clone());
    let seen = match batch.events_seen.get(&key) {
        Some(known) => known.clone(),
        None => partnerly_db::event::seen(conn, owner, &envelope.id)?,
    };
    if let Some((seen_hash, result)) = seen {
        if seen_hash != hash {
            return Err(ApiError::Unprocessable {
                code: "idempotency_conflict",
                message: format!(
                    "Event {} was already received with a different body; give a new event a new id.",
                    envelope.id
                ),
            });
        }
        let mut first: EventResult = serde_json::from_str(&result)
            .map_err(|e| ApiError::Internal(format!("stored event result: {e}")))?;
        first.status = EventStatus::Duplicate;
        return Ok(first);
    }
    let event = envelope.validate()?;
    let applied = apply(conn, batch, &event, envelope.occurred_at)?;
    let result = EventResult {
        id: envelope.id.clone(),
        status: applied.status,
        error: None,
        effects: applied.effects,
    };
    let answer = serde_json::to_string(&result).map_err(|e| ApiError::Internal(e.to_string()))?;
    batch
        .events_seen
        .insert(key, Some((hash.clone(), answer.clone())));
    batch.received.push(ReceivedEvent {
        owner: owner.to_owned(),
        event_id: envelope.id.clone(),
        kind: envelope.kind.clone(),
        body_hash: hash,
        status: status_name(result.status),
        result: answer,
        received_at: partnerly_db::now(),
    });
    Ok(result)
}

/// Applies one validated event.
pub fn apply(
    conn: &mut DbConn,
    lk: &mut Batch,
    event: &Event,
    occurred_at: OffsetDateTime,
) -> Result<Applied, ApiError> {
    let now = partnerly_db::now();
    // Only payments are kept back; every other event reads what they wrote.
    if !matches!(event, Event::PaymentSucceeded { .. }) {
        lk.flush(conn)?;
    }
    match event {
        Event::CustomerSignedUp(data) => signed_up(conn, lk, data, occurred_at, now),
        Event::PaymentSucceeded { data, amount } => payment_succeeded(conn, lk, data, *amount, now),
        Event::PaymentRefunded(reversal) => reverse_payment(conn, lk, reversal, "refund", now),
        Event::PaymentChargedBack(reversal) => {
            reverse_payment(conn, lk, reversal, "chargeback", now)
        }
        Event::CustomerStatusChanged(data) => status_changed(conn, lk, data, now),
        Event::SubscriptionUpdated(data) => subscription_updated(conn, lk, data, now),
    }
}

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
    /// The code's partner is suspended in its program.
    MembershipSuspended,
}

impl NotAttributed {
    fn code(self) -> &'static str {
        match self {
            Self::NoReferral => "no_referral",
            Self::UnknownClick => "unknown_click",
            Self::UnknownCode => "unknown_code",
            Self::MembershipSuspended => "membership_suspended",
        }
    }
}

/// The membership a sign-up is attributed to, and how: promo code, then click id
/// (clicks are recorded by the tracking redirect; an unknown click id is skipped),
/// then ref code. Suspended memberships attribute nothing. When nothing attributes
/// it, the most telling reason among the candidates (a suspended partner over an
/// unknown code).
fn attribute(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &CustomerSignedUpData,
) -> Result<Result<(Link, Membership, &'static str), NotAttributed>, ApiError> {
    let mut candidates: Vec<(Option<Link>, &'static str)> = Vec::new();
    if let Some(promo) = data.promo_code.as_deref().filter(|p| !p.trim().is_empty()) {
        candidates.push((Link::by_promo_code(conn, promo)?, "promo_code"));
    }
    if let Some(code) = data.ref_code.as_deref().filter(|c| !c.trim().is_empty()) {
        candidates.push((Link::by_code(conn, code.trim())?, "ref_code"));
    }
    let mut why = if data
        .click_id
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty())
    {
        NotAttributed::UnknownClick
    } else {
        NotAttributed::NoReferral
    };
    for (link, via) in candidates {
        let Some(link) = link else {
            why = why.max(NotAttributed::UnknownCode);
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

fn signed_up(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &CustomerSignedUpData,
    occurred_at: OffsetDateTime,
    now: PrimitiveDateTime,
) -> Result<Applied, ApiError> {
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
    let (attribution, why_not) = match attribute(conn, lk, data)? {
        Ok(found) => (Some(found), None),
        Err(why) => (None, Some(why)),
    };
    let signed_up_at = to_db(occurred_at);
    let email = data.email.as_deref().map(|e| e.trim().to_lowercase());
    let customer = NewCustomer {
        external_id: &data.customer_id,
        email: email.as_deref(),
        name: data.name.as_deref(),
        membership_id: attribution.as_ref().map(|(_, m, _)| m.id),
        link_id: attribution.as_ref().map(|(l, _, _)| l.id),
        attributed_via: attribution.as_ref().map(|(_, _, via)| *via),
        attributed_at: attribution.as_ref().map(|_| signed_up_at),
        status: "active",
        signed_up_at,
        updated_at: now,
    }
    .insert(conn)?;
    lk.customers
        .insert(customer.external_id.clone(), Some(customer.clone()));
    let mut applied = Applied::done().note("attributed", attribution.is_some());
    if let Some(why) = why_not {
        applied = applied.note("not_attributed_because", why.code());
    }
    if let Some((link, membership, via)) = &attribution {
        lk.enqueue(conn, "customer.attributed", || {
            json!({"customer_id": customer.external_id, "membership_id": membership.id,
                   "program_id": membership.program_id, "link_code": link.code, "via": via})
        })?;
        let level = lk.level(conn, membership)?;
        if level.bonus_trigger.as_deref() == Some("sign_up")
            && grant_bonus(conn, lk, &customer, membership, &level, now)?
        {
            applied = applied.note("client_bonus", true);
        }
    }
    // Payments that arrived before the sign-up are applied now, oldest first.
    let waiting = Payment::waiting_for(conn, &customer.external_id)?;
    let mut commissions = 0;
    for payment in &waiting {
        Payment::attach(conn, payment.id, customer.id)?;
        lk.payments.remove(&payment.external_id);
        let customer = Customer::find(conn, customer.id)?.ok_or_else(|| missing("customer"))?;
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
fn grant_bonus(
    conn: &mut DbConn,
    lk: &mut Batch,
    customer: &Customer,
    membership: &Membership,
    level: &Level,
    now: PrimitiveDateTime,
) -> Result<bool, ApiError> {
    let Some(amount) = level.bonus_minor.filter(|a| *a > 0) else {
        return Ok(false);
    };
    let program_currency = lk.program(conn, membership.program_id)?.currency.clone();
    let trigger = level
        .bonus_trigger
        .clone()
        .unwrap_or_else(|| "first_payment".into());
    let inserted = conn.transaction(|c| {
        diesel::insert_into(client_bonuses::table)
            .values((
                client_bonuses::customer_id.eq(customer.id),
                client_bonuses::membership_id.eq(membership.id),
                client_bonuses::level_id.eq(level.id),
                client_bonuses::amount_minor.eq(amount),
                client_bonuses::currency.eq(&program_currency),
                client_bonuses::trigger.eq(&trigger),
                client_bonuses::created_at.eq(now),
            ))
            .execute(c)
    });
    match inserted {
        Ok(_) => {}
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    }
    lk.enqueue(conn, "client_bonus.granted", || {
        json!({"customer_id": customer.external_id, "amount": money_json(amount, &program_currency),
               "trigger": trigger, "membership_id": membership.id})
    })?;
    Ok(true)
}

fn payment_succeeded(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &PaymentSucceededData,
    amount: Money,
    now: PrimitiveDateTime,
) -> Result<Applied, ApiError> {
    if let Some(existing) = lk.payment(conn, &data.payment_id)? {
        if existing.amount_minor != amount.minor() || existing.currency != amount.currency().code()
        {
            return Err(rejected(
                "payment_conflict",
                format!(
                    "Payment {} was already reported with another amount.",
                    data.payment_id
                ),
            ));
        }
        return Ok(Applied::done().note("payment", "already_recorded"));
    }
    let customer = lk.customer(conn, &data.customer_id)?;
    let payment = lk.add_payment(
        conn,
        &NewPayment {
            external_id: &data.payment_id,
            customer_external_id: &data.customer_id,
            customer_id: customer.as_ref().map(|c| c.id),
            amount_minor: amount.minor(),
            currency: amount.currency().code(),
            period_months: i32::from(data.period_months),
            paid_at: to_db(data.paid_at),
            created_at: now,
        },
    )?;
    let Some(customer) = customer else {
        return Ok(Applied {
            status: EventStatus::Deferred,
            effects: Map::new(),
        }
        .note(
            "reason",
            "unknown_customer: applied when customer.signed_up arrives",
        ));
    };
    let commissions = commission_payment(conn, lk, &payment, &customer, now)?;
    Ok(Applied::done().note("commissions", commissions))
}

/// Records the payment against its customer (first payment date) and books the
/// commissions its partner earns. Returns how many commission lines were created.
fn commission_payment(
    conn: &mut DbConn,
    lk: &mut Batch,
    payment: &Payment,
    customer: &Customer,
    now: PrimitiveDateTime,
) -> Result<usize, ApiError> {
    let first_paid_at = match customer.first_paid_at {
        Some(first) if first <= payment.paid_at => first,
        _ => {
            lk.update_customer(
                conn,
                customer,
                &CustomerChanges {
                    first_paid_at: Some(Some(payment.paid_at)),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )?;
            payment.paid_at
        }
    };
    let Some(membership_id) = customer.membership_id else {
        return Ok(0);
    };
    // An earlier payment arriving late moves the customer's first payment: commissions
    // booked on later payments under the old date are corrected first. A payment at
    // the very moment of the first one may precede it too (ties go by vendor id).
    if customer.first_paid_at.is_some_and(|f| payment.paid_at <= f) {
        lk.flush(conn)?;
        void_outdated(conn, lk, customer, payment, now)?;
    }
    let membership = lk
        .membership(conn, membership_id)?
        .ok_or_else(|| missing("membership"))?;
    if !membership.is_active() {
        return Ok(0);
    }
    let program = lk.program(conn, membership.program_id)?;
    let program_currency = currency(&program.currency)?;
    let hold_days = program.hold_days;
    let level = lk.level(conn, &membership)?;
    let payment_currency = currency(&payment.currency)?;
    // A known earlier first payment settles it without asking the database.
    let is_first = customer.first_paid_at.is_none_or(|f| f >= payment.paid_at)
        && !lk.has_earlier_payment(conn, customer.id, payment)?;
    let facts = PaymentFacts {
        amount: Money::from_minor(payment.amount_minor, payment_currency),
        paid_at: payment.paid_at.assume_utc(),
        first_paid_at: first_paid_at.assume_utc(),
        is_first,
    };
    let lines = level
        .rule(program_currency)
        .lines(membership.rate_override(), &facts)
        .map_err(|e| ApiError::Internal(format!("commission: {e}")))?;
    // Event times are checked to end a year before the calendar does
    // (`partnerly_domain::timestamp`): adding the hold cannot leave it.
    let available_at = payment
        .paid_at
        .checked_add(Duration::days(i64::from(hold_days)))
        .ok_or_else(|| ApiError::Internal("hold period past the calendar".into()))?;
    let mut created = 0;
    for line in lines {
        let commission = lk.add_commission(
            conn,
            &NewCommission {
                payment_id: payment.id,
                membership_id: membership.id,
                level_id: level.id,
                rule_version: level.rule_version,
                kind: line.kind.as_str(),
                rate: line.rate.map(|r| r.percent().to_string()),
                amount_minor: line.amount.minor(),
                currency: line.amount.currency().code(),
                status: "pending",
                available_at,
                created_at: now,
            },
        )?;
        let c = line.amount.currency();
        lk.post(
            transfer(
                format!("commission:{}:accrue", commission.id),
                Account::vendor(AccountKind::CommissionExpense, c),
                Account::partner(membership.id, AccountKind::Pending, c),
                line.amount,
            )?,
            "commission",
            commission.id,
            now,
        );
        lk.enqueue(conn, "commission.created", || {
            commission_payload(&commission, payment, customer)
        })?;
        // A deferred payment may have been refunded before its customer arrived.
        if payment.refunded_minor > 0 {
            lk.flush(conn)?;
            reverse_commission(
                conn,
                lk,
                &commission,
                payment,
                Some(customer),
                Refunds {
                    total: payment.refunded_minor,
                    cause: "refund",
                },
                now,
            )?;
        }
        created += 1;
    }
    if is_first && level.bonus_trigger.as_deref() == Some("first_payment") {
        grant_bonus(conn, lk, customer, &membership, &level, now)?;
    }
    promote(conn, lk, &membership, now)?;
    Ok(created)
}

fn commission_payload(c: &Commission, payment: &Payment, customer: &Customer) -> Value {
    json!({
        "commission_id": c.id, "membership_id": c.membership_id, "kind": c.kind,
        "rate": c.rate, "amount": money_json(c.amount_minor, &c.currency),
        "reversed": money_json(c.reversed_minor, &c.currency), "status": c.status,
        "available_at": partnerly_db::utc(c.available_at).format(&time::format_description::well_known::Rfc3339).ok(),
        "payment_id": payment.external_id, "customer_id": customer.external_id,
    })
}

fn reverse_payment(
    conn: &mut DbConn,
    lk: &mut Batch,
    reversal: &Reversal,
    cause: &str,
    now: PrimitiveDateTime,
) -> Result<Applied, ApiError> {
    let payment_id = reversal.payment_id.as_str();
    let payment = lk.payment(conn, payment_id)?.ok_or_else(|| {
        rejected(
            "unknown_payment",
            format!("No payment {payment_id} was reported; send payment.succeeded first."),
        )
    })?;
    let payment_currency = currency(&payment.currency)?;
    if let Some(sent) = reversal.currency
        && sent != payment_currency
    {
        return Err(ApiError::field(
            "data.currency",
            format!(
                "Payment {payment_id} is in {}; a refund is in the payment's currency.",
                payment_currency.code()
            ),
        ));
    }
    let amount = Money::parse(&reversal.amount_text, payment_currency)
        .map_err(|e| ApiError::field("data.amount", e.to_string()))?;
    if let Some(refund_id) = &reversal.refund_id
        && let Some(known) = PaymentReversal::find(conn, payment.id, refund_id)?
    {
        if known.amount_minor != amount.minor() || known.kind != cause {
            return Err(rejected(
                "refund_conflict",
                format!(
                    "Refund {refund_id} of payment {payment_id} was already reported \
                     with another amount or type."
                ),
            ));
        }
        return Ok(Applied::done().note("refund", "already_recorded"));
    }
    // Both are below the accepted amount limit: the sum cannot overflow, but it is
    // checked anyway, so no input can ever wrap it.
    let refunded_total = payment
        .refunded_minor
        .checked_add(amount.minor())
        .filter(|total| *total <= payment.amount_minor)
        .ok_or_else(|| {
            rejected(
                "refund_exceeds_payment",
                format!(
                    "Refunds of payment {payment_id} would total more than the {} paid \
                     ({} refunded before).",
                    Money::from_minor(payment.amount_minor, payment_currency),
                    Money::from_minor(payment.refunded_minor, payment_currency)
                ),
            )
        })?;
    if let Some(refund_id) = &reversal.refund_id {
        PaymentReversal::insert(conn, payment.id, refund_id, cause, amount.minor(), now)?;
    }
    Payment::set_refunded(conn, payment.id, refunded_total)?;
    lk.payments.remove(payment_id);
    let customer = match payment.customer_id {
        Some(id) => Customer::find(conn, id)?,
        None => None,
    };
    let mut reversed_lines = 0;
    for commission in Commission::of_payment(conn, payment.id)? {
        if reverse_commission(
            conn,
            lk,
            &commission,
            &payment,
            customer.as_ref(),
            Refunds {
                total: refunded_total,
                cause,
            },
            now,
        )? {
            reversed_lines += 1;
        }
    }
    Ok(Applied::done()
        .note(
            "refunded_total",
            money_json(refunded_total, &payment.currency),
        )
        .note("commissions_reversed", reversed_lines))
}

/// Voids the commissions of a customer's later payments that an earlier first payment
/// (`first`, arriving out of order, or at the same moment with a smaller id) makes wrong: the flat first-payment line, which
/// belongs to the new first payment, and percentage lines now outside the rule's
/// duration. Each is reversed in full, as a refund of the whole payment would be.
fn void_outdated(
    conn: &mut DbConn,
    lk: &mut Batch,
    customer: &Customer,
    first: &Payment,
    now: PrimitiveDateTime,
) -> Result<(), ApiError> {
    for later in Payment::of_customer(conn, customer.id)? {
        if later.id == first.id || !first.precedes(&later) {
            continue;
        }
        for commission in Commission::of_payment(conn, later.id)? {
            if commission.reversed_minor >= commission.amount_minor {
                continue;
            }
            let outdated = if commission.kind == "flat" {
                true
            } else {
                let Some(level) = Level::find(conn, commission.level_id)? else {
                    continue;
                };
                let c = currency(&later.currency)?;
                let facts = PaymentFacts {
                    amount: Money::from_minor(later.amount_minor, c),
                    paid_at: later.paid_at.assume_utc(),
                    first_paid_at: first.paid_at.assume_utc(),
                    is_first: false,
                };
                !level.rule(c).covers(&facts)
            };
            if outdated {
                // Reversing "the whole payment" reverses the whole line.
                reverse_commission(
                    conn,
                    lk,
                    &commission,
                    &later,
                    Some(customer),
                    Refunds {
                        total: later.amount_minor,
                        cause: "rule_correction",
                    },
                    now,
                )?;
            }
        }
    }
    Ok(())
}

/// How much of a payment is refunded in all, and why: `refund`, `chargeback`, or
/// `rule_correction` (a whole line voided by an earlier first payment).
#[derive(Debug, Clone, Copy)]
struct Refunds<'a> {
    total: i64,
    cause: &'a str,
}

/// Brings a commission's reversal up to the payment's refunded total: the commission's
/// share of the refunds, booked back to the vendor. Returns whether anything moved.
fn reverse_commission(
    conn: &mut DbConn,
    lk: &mut Batch,
    commission: &Commission,
    payment: &Payment,
    customer: Option<&Customer>,
    refunds: Refunds,
    now: PrimitiveDateTime,
) -> Result<bool, ApiError> {
    let Refunds {
        total: refunded_total,
        cause,
    } = refunds;
    let target = reversed_total(
        commission.amount_minor,
        payment.amount_minor,
        refunded_total,
    );
    let delta = target - commission.reversed_minor;
    if delta <= 0 {
        return Ok(false);
    }
    let c = currency(&commission.currency)?;
    // Before release the reversal comes out of pending; after, out of available,
    // which may go below zero: a clawback that later commissions repay.
    let from_kind = if commission.status == "pending" {
        AccountKind::Pending
    } else {
        AccountKind::Available
    };
    lk.post(
        transfer(
            format!("commission:{}:reverse:{target}", commission.id),
            Account::partner(commission.membership_id, from_kind, c),
            Account::vendor(AccountKind::CommissionExpense, c),
            Money::from_minor(delta, c),
        )?,
        cause,
        commission.id,
        now,
    );
    Commission::set_reversed(conn, commission, target)?;
    if let Some(customer) = customer {
        lk.enqueue(conn, "commission.reversed", || {
            let mut payload = commission_payload(commission, payment, customer);
            payload["reversed"] = money_json(target, &commission.currency);
            payload["reason"] = json!(cause);
            payload
        })?;
    }
    Ok(true)
}

fn status_changed(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &CustomerStatusChangedData,
    now: PrimitiveDateTime,
) -> Result<Applied, ApiError> {
    let customer = lk.customer(conn, &data.customer_id)?.ok_or_else(|| {
        rejected(
            "unknown_customer",
            format!("No customer {} was reported.", data.customer_id),
        )
    })?;
    lk.update_customer(
        conn,
        &customer,
        &CustomerChanges {
            status: Some(data.status.as_str().into()),
            updated_at: Some(now),
            ..Default::default()
        },
    )?;
    Ok(Applied::done().note("status", data.status.as_str()))
}

fn subscription_updated(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &SubscriptionUpdatedData,
    now: PrimitiveDateTime,
) -> Result<Applied, ApiError> {
    let customer = lk.customer(conn, &data.customer_id)?.ok_or_else(|| {
        rejected(
            "unknown_customer",
            format!("No customer {} was reported.", data.customer_id),
        )
    })?;
    let balance = match &data.balance {
        Some(view) => Some(view.parse().map_err(|e| {
            ApiError::Validation([("data.balance".to_owned(), e.to_string())].into())
        })?),
        None => None,
    };
    lk.update_customer(
        conn,
        &customer,
        &CustomerChanges {
            plan: data.plan.clone().map(Some),
            subscription_ends_at: data.ends_at.map(|t| Some(to_db(t))),
            balance_minor: balance.map(|b: Money| Some(b.minor())),
            balance_currency: balance.map(|b| Some(b.currency().code().to_owned())),
            updated_at: Some(now),
            ..Default::default()
        },
    )?;
    Ok(Applied::done())
}

/// The progress figures that promote a membership: paying customers, and sales in the
/// program's currency net of refunds. Counted and summed in SQL, so the cost does not
/// grow with the partner's history.
pub fn progress(
    conn: &mut DbConn,
    membership: &Membership,
    program_currency: &str,
) -> Result<Progress, ApiError> {
    #[derive(QueryableByName)]
    struct Totals {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        paying: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        sales: i64,
    }
    // SUM over BIGINT is NUMERIC on PostgreSQL: the CASTs give both backends one type.
    let totals: Totals = diesel::sql_query(
        "SELECT \
           CAST((SELECT COUNT(*) FROM customers \
                 WHERE membership_id = $1 AND first_paid_at IS NOT NULL) AS BIGINT) AS paying, \
           CAST(COALESCE((SELECT SUM(p.amount_minor - p.refunded_minor) FROM payments p \
                 JOIN customers c ON c.id = p.customer_id \
                 WHERE c.membership_id = $1 AND p.currency = $2), 0) AS BIGINT) AS sales",
    )
    .bind::<diesel::sql_types::BigInt, _>(membership.id)
    .bind::<diesel::sql_types::Text, _>(program_currency)
    .get_result(conn)?;
    Ok(Progress {
        paying_customers: u32::try_from(totals.paying).unwrap_or(u32::MAX),
        sales_volume: totals.sales,
    })
}

/// Moves a membership up to the highest level of its track whose threshold it meets
/// (L3). Returns the new level when it moved.
pub fn promote(
    conn: &mut DbConn,
    lk: &mut Batch,
    membership: &Membership,
    now: PrimitiveDateTime,
) -> Result<Option<Level>, ApiError> {
    // Nothing to reach: skip counting (most payments, on most programs).
    if !lk.can_climb(conn, membership)? {
        return Ok(None);
    }
    // Counted and moved under the membership's lock, from its level as it is now:
    // two transactions bringing customers to one partner at once must neither count
    // without each other's nor both move it.
    let Some(membership) = lk.lock_membership(conn, membership.id)? else {
        return Ok(None);
    };
    let membership = &membership;
    let levels: Vec<Level> = lk
        .levels(conn, membership.program_id)?
        .iter()
        .filter(|l| l.track == membership.track)
        .cloned()
        .collect();
    let Some(current) = levels.iter().find(|l| l.id == membership.level_id).cloned() else {
        return Ok(None);
    };
    let program = lk.program(conn, membership.program_id)?.clone();
    lk.flush(conn)?;
    let progress = progress(conn, membership, &program.currency)?;
    let rungs: Vec<_> = levels.iter().map(Level::rung).collect();
    let target = promoted_level(&rungs, current.rung(), progress);
    if target.level_id == current.id {
        return Ok(None);
    }
    let Some(new_level) = levels.into_iter().find(|l| l.id == target.level_id) else {
        return Ok(None);
    };
    Membership::set_level(
        conn,
        membership,
        new_level.id,
        LevelChangeReason::Promotion,
        None,
        now,
    )?;
    lk.memberships.remove(&membership.id);
    lk.enqueue(conn, "partner.level_changed", || {
        json!({"membership_id": membership.id, "program_id": program.id, "from_level": current.name,
               "to_level": new_level.name, "reason": "promotion"})
    })?;
    tracing::info!(membership.id = membership.id, level = %new_level.name, "membership promoted");
    Ok(Some(new_level))
}

/// Releases one commission whose hold ended: pending → available for what was not
/// reversed. Safe to run on several instances at once: the status compare-and-set
/// lets one win, and the ledger key refuses a second booking. The line is read again
/// under its customer's lock: a refund may have reversed part of it since the job
/// listed it.
pub fn release(
    conn: &mut DbConn,
    lk: &mut Batch,
    listed: &Commission,
    now: PrimitiveDateTime,
) -> Result<bool, ApiError> {
    let Some(payment) = Payment::find(conn, listed.payment_id)? else {
        return Ok(false);
    };
    lk.lock(conn, Some(&payment.customer_external_id), None)?;
    let Some(commission) = Commission::find(conn, listed.id)? else {
        return Ok(false);
    };
    if !Commission::mark_available(conn, commission.id, now)? {
        return Ok(false);
    }
    let remaining = commission.amount_minor - commission.reversed_minor;
    if remaining > 0 {
        let c = currency(&commission.currency)?;
        lk.post(
            transfer(
                format!("commission:{}:release", commission.id),
                Account::partner(commission.membership_id, AccountKind::Pending, c),
                Account::partner(commission.membership_id, AccountKind::Available, c),
                Money::from_minor(remaining, c),
            )?,
            "commission",
            commission.id,
            now,
        );
    }
    if let (Some(payment), true) = (Payment::find(conn, commission.payment_id)?, remaining > 0) {
        let customer = match payment.customer_id {
            Some(id) => Customer::find(conn, id)?,
            None => None,
        };
        if let Some(customer) = customer {
            lk.enqueue(conn, "commission.available", || {
                let mut payload = commission_payload(&commission, &payment, &customer);
                payload["status"] = json!("available");
                payload
            })?;
        }
    }
    Ok(true)
}
