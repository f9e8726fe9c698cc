//! The unit of work of one request, batch or job transaction ([`Batch`]).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use partnerly_db::click::DailyLinkStats;
use partnerly_db::commission::{Commission, NewCommission};
use partnerly_db::conn::{IdTable, lock_customers, next_ids};
use partnerly_db::customer::Customer;
use partnerly_db::event::NewEvent;
use partnerly_db::figures::FigureChanges;
use partnerly_db::level::Level;
use partnerly_db::membership::Membership;
use partnerly_db::payment::{NewPayment, Payment};
use partnerly_db::program::Program;
use partnerly_db::{DbConn, ledger};
use partnerly_domain::event::{EventEnvelope, EventStatus, is_storable_key};
use partnerly_domain::ledger::{Cause, Transfer};
use partnerly_domain::webhook_event::WebhookEvent;
use time::{Date, PrimitiveDateTime};

use super::CommissionError;
use crate::webhooks::Subscribers;

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
/// - Ledger transfers, the event records, what the events add to their links' daily
///   figures and their changes to the dashboard's rollups are kept and written by
///   [`Batch::run`] at the end, in the caller's transaction; nothing reads them back
///   before, except level promotion, which adds the rollup changes kept so far to the
///   stored ones.
///
/// A batch lives inside one transaction: [`Batch::run`] is the only way to get one.
#[derive(Debug, Default)]
pub struct Batch {
    pub(super) programs: HashMap<i64, Program>,
    pub(super) levels: HashMap<i64, Vec<Level>>,
    pub(super) subscribers: Subscribers,
    pub(super) memberships: HashMap<i64, Membership>,
    pub(super) customers: HashMap<String, Option<Customer>>,
    pub(super) payments: HashMap<String, Option<Payment>>,
    /// (owner, event id) → (body digest, answer as JSON), or `None`: not received.
    pub(super) events_seen: HashMap<(String, String), Option<(String, String)>>,
    pub(super) transfers: Vec<ledger::NewTransfer>,
    pub(super) received: Vec<ReceivedEvent>,
    pub(super) new_payments: Vec<Payment>,
    pub(super) new_commissions: Vec<Commission>,
    /// What the events add to each link's day (sign-ups, paying customers).
    pub(super) daily: BTreeMap<(i64, Date), DailyLinkStats>,
    /// What the batch's writes change in the dashboard's rollups (`figures.rs`).
    pub(super) figures: FigureChanges,
    /// Ids taken and not yet used, and the last id used, per table.
    pub(super) ids: HashMap<IdTable, (VecDeque<i64>, i64)>,
    /// How many payments the preloaded events report: ids are taken that many at a
    /// time (a payment has one or two commission lines).
    pub(super) payment_events: usize,
    /// The customers (by vendor id) this transaction has locked ([`lock_customers`]),
    /// and the payments whose customers it has locked.
    pub(super) locked_customers: HashSet<String>,
    pub(super) locked_payments: HashSet<String>,
    /// The memberships whose rows this transaction has locked.
    pub(super) locked_memberships: HashSet<i64>,
}

/// An event record waiting for the end of its batch.
#[derive(Debug)]
pub(super) struct ReceivedEvent {
    pub(super) owner: String,
    pub(super) event_id: String,
    pub(super) kind: String,
    pub(super) body_hash: String,
    pub(super) status: EventStatus,
    pub(super) result: String,
    pub(super) received_at: PrimitiveDateTime,
}

impl Batch {
    /// Runs `f` with a fresh batch inside the caller's transaction, then writes what
    /// the batch kept.
    pub fn run<T, E: From<CommissionError>>(
        conn: &mut DbConn,
        f: impl FnOnce(&mut DbConn, &mut Batch) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut batch = Batch::default();
        let out = f(conn, &mut batch)?;
        batch.finish(conn)?;
        Ok(out)
    }

    fn finish(mut self, conn: &mut DbConn) -> Result<(), CommissionError> {
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
        let daily: Vec<DailyLinkStats> = self.daily.into_values().collect();
        DailyLinkStats::add(conn, &daily)?;
        self.figures.write(conn)?;
        Ok(())
    }

    /// Adds to a link's figures of `day` (written at the end of the batch).
    pub(super) fn count_on(
        &mut self,
        link_id: i64,
        membership_id: i64,
        day: Date,
        add: impl FnOnce(&mut DailyLinkStats),
    ) {
        add(self
            .daily
            .entry((link_id, day))
            .or_insert_with(|| DailyLinkStats::zero(link_id, membership_id, day)));
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
    ) -> Result<(), CommissionError> {
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
    pub(super) fn flush(&mut self, conn: &mut DbConn) -> Result<(), CommissionError> {
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
    pub(super) fn has_earlier_payment(
        &self,
        conn: &mut DbConn,
        customer_id: i64,
        payment: &Payment,
    ) -> Result<bool, CommissionError> {
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

    pub(super) fn next_id(
        &mut self,
        conn: &mut DbConn,
        table: IdTable,
    ) -> Result<i64, CommissionError> {
        let (ids, last) = self.ids.entry(table).or_default();
        if ids.is_empty() {
            let fresh = next_ids(conn, table, self.payment_events.max(1))?;
            // SQLite counts on from the rows stored, which lack those not yet flushed.
            let shift = fresh.first().map_or(0, |first| (*last + 1 - first).max(0));
            ids.extend(fresh.into_iter().map(|id| id + shift));
        }
        let id = ids
            .pop_front()
            .ok_or_else(|| CommissionError::missing("a reserved id"))?;
        *last = id;
        Ok(id)
    }

    /// A new payment, written at the next flush (see [`Batch::add_payment`], which
    /// counts it).
    pub(super) fn new_payment(
        &mut self,
        conn: &mut DbConn,
        new: &NewPayment,
    ) -> Result<Payment, CommissionError> {
        let payment = new.with_id(self.next_id(conn, IdTable::Payments)?);
        self.new_payments.push(payment.clone());
        self.payments
            .insert(payment.external_id.clone(), Some(payment.clone()));
        Ok(payment)
    }

    /// A new commission line, written at the next flush (after its payment; see
    /// [`Batch::add_commission`], which counts it).
    pub(super) fn new_commission(
        &mut self,
        conn: &mut DbConn,
        new: &NewCommission,
    ) -> Result<Commission, CommissionError> {
        let commission = new.with_id(self.next_id(conn, IdTable::Commissions)?);
        self.new_commissions.push(commission.clone());
        Ok(commission)
    }

    pub(super) fn program(
        &mut self,
        conn: &mut DbConn,
        id: i64,
    ) -> Result<&Program, CommissionError> {
        Ok(match self.programs.entry(id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(
                Program::find(conn, id)?.ok_or_else(|| CommissionError::missing("program"))?,
            ),
        })
    }

    /// A program's levels, in order.
    pub(super) fn levels(
        &mut self,
        conn: &mut DbConn,
        program_id: i64,
    ) -> Result<&[Level], CommissionError> {
        Ok(match self.levels.entry(program_id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(Level::of_program(conn, program_id)?),
        })
    }

    /// The level a membership is on.
    pub(super) fn level(
        &mut self,
        conn: &mut DbConn,
        membership: &Membership,
    ) -> Result<Level, CommissionError> {
        self.levels(conn, membership.program_id)?
            .iter()
            .find(|l| l.id == membership.level_id)
            .cloned()
            .ok_or_else(|| CommissionError::missing("membership's level"))
    }

    pub(super) fn membership(
        &mut self,
        conn: &mut DbConn,
        id: i64,
    ) -> Result<Option<Membership>, CommissionError> {
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
    pub(super) fn can_climb(
        &mut self,
        conn: &mut DbConn,
        membership: &Membership,
    ) -> Result<bool, CommissionError> {
        let track = self.levels(conn, membership.program_id)?;
        let track = track.iter().filter(|l| l.track == membership.track);
        let Some(current) = track.clone().find(|l| l.id == membership.level_id) else {
            return Ok(false);
        };
        for level in track {
            if level.position > current.position && level.threshold()?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Takes the membership's row lock (once per batch) and reads it as it is now.
    pub(super) fn lock_membership(
        &mut self,
        conn: &mut DbConn,
        id: i64,
    ) -> Result<Option<Membership>, CommissionError> {
        if self.locked_memberships.insert(id) {
            Membership::lock(conn, id)?;
            self.memberships.remove(&id);
        }
        self.membership(conn, id)
    }

    pub(super) fn customer(
        &mut self,
        conn: &mut DbConn,
        external_id: &str,
    ) -> Result<Option<Customer>, CommissionError> {
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
    pub(super) fn lock(
        &mut self,
        conn: &mut DbConn,
        customer: Option<&str>,
        payment: Option<&str>,
    ) -> Result<(), CommissionError> {
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

    pub(super) fn payment(
        &mut self,
        conn: &mut DbConn,
        external_id: &str,
    ) -> Result<Option<Payment>, CommissionError> {
        if let Some(known) = self.payments.get(external_id) {
            return Ok(known.clone());
        }
        self.lock(conn, None, Some(external_id))?;
        let found = Payment::by_external_id(conn, external_id)?;
        self.payments.insert(external_id.to_owned(), found.clone());
        Ok(found)
    }

    /// Books a transfer when the batch ends.
    pub(super) fn post(
        &mut self,
        transfer: Transfer,
        cause_type: Cause,
        cause_id: i64,
        now: PrimitiveDateTime,
    ) {
        self.transfers.push(ledger::NewTransfer::new(
            &transfer, cause_type, cause_id, now,
        ));
    }

    /// Queues a webhook message to the endpoints subscribed to its type.
    pub(super) fn enqueue(
        &mut self,
        conn: &mut DbConn,
        event: WebhookEvent,
    ) -> Result<(), CommissionError> {
        self.subscribers.enqueue(conn, &event)?;
        Ok(())
    }
}
