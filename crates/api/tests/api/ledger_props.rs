//! Property tests of the ledger over random event streams, against the database
//! (SQLite, through the same `ingest` the events API uses): shuffled, duplicated, with
//! partial refunds, status changes and hold releases at random times, the books must
//! balance, match a simple reference model, and not change when the stream is replayed;
//! the dashboard's rollups must equal what they count, before and after customers are
//! reassigned; and `partnerly ledger-check` must find nothing.

use std::collections::BTreeMap;

use diesel::RunQueryDsl;
use partnerly_db::link::Link;
use partnerly_db::membership::Membership;
use partnerly_db::program::Program;
use partnerly_db::to_db;
use partnerly_db::user::NewUser;
use partnerly_db::{DbConn, DbUrl, figures, ledger, run_migrations, write_transaction};
use partnerly_domain::customer::Reassignment;
use partnerly_domain::event::{EventEnvelope, EventStatus};
use partnerly_domain::ledger::{Account, AccountKind};
use partnerly_domain::level::{add_months, reversed_total};
use partnerly_domain::money::{Currency, Money, Rate};
use partnerly_engine::commissions::{Batch, CommissionError, ingest};
use proptest::prelude::*;
use serde_json::json;
use time::{Duration, OffsetDateTime};

const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

#[derive(Debug, Clone)]
struct PaymentSpec {
    customer: usize,
    amount: i64,
    day: i64,
    /// Refunds as fractions (per mille) of the amount; their sum is capped at the amount.
    refunds: Vec<u16>,
}

#[derive(Debug, Clone)]
struct Scenario {
    attributed: Vec<bool>,
    payments: Vec<PaymentSpec>,
    release_days: Vec<i64>,
    order_seed: u64,
    duplicates: Vec<usize>,
    /// Events per transaction, as the batch route applies them.
    batch_size: usize,
    /// Payments stamped by day only, so a customer's payments often share a moment.
    ties: bool,
    /// The level also pays 5.00 flat on a customer's first payment.
    flat: bool,
    /// Refunds carry the billing system's refund id, and each is sent a second time
    /// under a new event id (a re-sync), which must reverse nothing more.
    refund_ids: bool,
    /// Status changes (customer, index into [`STATUSES`]) mixed into the stream.
    statuses: Vec<(usize, usize)>,
    /// After the stream, customers a manager gives to another partner, to nobody or
    /// back (customer, index into the targets), each followed by a new payment.
    reassignments: Vec<(usize, usize)>,
}

const STATUSES: [&str; 3] = ["active", "frozen", "deleted"];

fn scenario() -> impl Strategy<Value = Scenario> {
    (1_usize..4).prop_flat_map(|customers| {
        (
            proptest::collection::vec(any::<bool>(), customers),
            proptest::collection::vec(
                (
                    0..customers,
                    1_i64..500_000,
                    0_i64..500,
                    proptest::collection::vec(1_u16..700, 0..3),
                )
                    .prop_map(|(customer, amount, day, refunds)| PaymentSpec {
                        customer,
                        amount,
                        day,
                        refunds,
                    }),
                1..7,
            ),
            proptest::collection::vec(0_i64..600, 0..3),
            any::<u64>(),
            proptest::collection::vec(0_usize..100, 0..4),
            1_usize..8,
            (any::<bool>(), any::<bool>(), any::<bool>()),
            proptest::collection::vec((0..customers, 0..STATUSES.len()), 0..4),
            proptest::collection::vec((0..customers, 0_usize..3), 0..4),
        )
            .prop_map(
                |(
                    attributed,
                    payments,
                    release_days,
                    order_seed,
                    duplicates,
                    batch_size,
                    (ties, flat, refund_ids),
                    statuses,
                    reassignments,
                )| {
                    Scenario {
                        attributed,
                        payments,
                        release_days,
                        order_seed,
                        duplicates,
                        batch_size,
                        ties,
                        flat,
                        refund_ids,
                        statuses,
                        reassignments,
                    }
                },
            )
    })
}

fn time_of(day: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(START + day * 86_400).expect("time")
}

/// When payment `p` of the scenario was made: a distinct second each, or, with ties,
/// the start of one of five days.
fn paid_at(s: &Scenario, p: usize) -> OffsetDateTime {
    let spec = &s.payments[p];
    if s.ties {
        time_of(spec.day / 100)
    } else {
        time_of(spec.day) + Duration::seconds(i64::try_from(p).unwrap_or(0))
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("format")
}

/// The events of a scenario, and each payment's refund amounts actually sent.
fn events(s: &Scenario, code: &str) -> (Vec<EventEnvelope>, Vec<Vec<i64>>) {
    let mut out = Vec::new();
    for (i, attributed) in s.attributed.iter().enumerate() {
        out.push(json!({"id": format!("signup-{i}"), "type": "customer.signed_up", "occurred_at": rfc3339(time_of(0)),
                        "data": {"customer_id": format!("cus-{i}"), "ref_code": attributed.then_some(code)}}));
    }
    let mut refunds_sent = Vec::new();
    for (p, spec) in s.payments.iter().enumerate() {
        let paid_at = rfc3339(paid_at(s, p));
        out.push(json!({"id": format!("pay-{p}"), "type": "payment.succeeded", "occurred_at": paid_at,
                        "data": {"payment_id": format!("p-{p}"), "customer_id": format!("cus-{}", spec.customer),
                                 "amount": Money::from_minor(spec.amount, usd()).amount().to_string(),
                                 "currency": "USD", "paid_at": paid_at}}));
        let mut left = spec.amount;
        let mut sent = Vec::new();
        for (r, per_mille) in spec.refunds.iter().enumerate() {
            let amount = (spec.amount * i64::from(*per_mille) / 1000).min(left);
            if amount <= 0 {
                continue;
            }
            left -= amount;
            sent.push(amount);
            let refund_id = s.refund_ids.then(|| format!("re-{p}-{r}"));
            let data = json!({"payment_id": format!("p-{p}"), "refund_id": refund_id,
                              "amount": Money::from_minor(amount, usd()).amount().to_string()});
            out.push(
                json!({"id": format!("refund-{p}-{r}"), "type": "payment.refunded",
                            "occurred_at": paid_at, "data": data}),
            );
            if s.refund_ids {
                out.push(
                    json!({"id": format!("refund-again-{p}-{r}"), "type": "payment.refunded",
                                "occurred_at": paid_at, "data": data}),
                );
            }
        }
        refunds_sent.push(sent);
    }
    for (i, (customer, status)) in s.statuses.iter().enumerate() {
        out.push(json!({"id": format!("status-{i}"), "type": "customer.status_changed",
                        "occurred_at": rfc3339(time_of(1)),
                        "data": {"customer_id": format!("cus-{customer}"), "status": STATUSES[*status]}}));
    }
    let envelopes = out
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("envelope"))
        .collect();
    (envelopes, refunds_sent)
}

fn usd() -> Currency {
    Currency::parse("USD").expect("USD")
}

/// What the default program (20% for 12 months, and 5.00 flat on the first payment when
/// the scenario says so) owes, computed without the database. A customer's first
/// payment is the earliest, ties going to the smaller payment id.
fn expected_earned(s: &Scenario, refunds_sent: &[Vec<i64>]) -> i64 {
    let rate = Rate::parse("20").expect("rate");
    let mut first: BTreeMap<usize, (OffsetDateTime, String, usize)> = BTreeMap::new();
    for p in 0..s.payments.len() {
        let key = (paid_at(s, p), format!("p-{p}"), p);
        first
            .entry(s.payments[p].customer)
            .and_modify(|f| *f = f.clone().min(key.clone()))
            .or_insert(key);
    }
    let mut total = 0;
    for (p, spec) in s.payments.iter().enumerate() {
        if !s.attributed[spec.customer] {
            continue;
        }
        let refunded: i64 = refunds_sent[p].iter().sum();
        let (start, _, first_p) = &first[&spec.customer];
        if s.flat && *first_p == p {
            total += FLAT - reversed_total(FLAT, spec.amount, refunded);
        }
        let end = start.replace_date(add_months(start.date(), 12));
        if paid_at(s, p) >= end {
            continue;
        }
        let commission = rate
            .of(Money::from_minor(spec.amount, usd()))
            .expect("rate")
            .minor();
        if commission == 0 {
            continue;
        }
        total += commission - reversed_total(commission, spec.amount, refunded);
    }
    total
}

/// The flat first-payment amount of scenarios with `flat`, in cents.
const FLAT: i64 = 500;

struct Db {
    _dir: tempfile::TempDir,
    conn: DbConn,
    membership: i64,
    code: String,
    /// A second partner's membership, which reassigned customers may go to.
    other: i64,
    /// The first partner's user id, acting as the manager who reassigns.
    actor: i64,
}

fn setup(flat: bool) -> Db {
    let dir = tempfile::tempdir().expect("dir");
    let url = DbUrl::parse(&format!("sqlite://{}/props.db", dir.path().display())).expect("url");
    let mut conn = url.connect().expect("connect");
    run_migrations(&mut conn).expect("migrate");
    let now = partnerly_db::now();
    Program::ensure_default(&mut conn, "https://vendor.example", now).expect("program");
    if flat {
        diesel::sql_query(format!("UPDATE levels SET flat_minor = {FLAT}"))
            .execute(&mut conn)
            .expect("flat amount");
    }
    let mut partner = |email: &str, number: u32| {
        write_transaction(&mut conn, |c| {
            let user = NewUser::partner(email, "x", "P", "Q", now)
                .insert(c, || number)
                .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
            let program = Program::open_for_signup(c)?.remove(0);
            let m = Membership::enrol(
                c,
                user.id,
                &program,
                now,
                partnerly_api::auth::tokens::referral_code,
            )?
            .expect("enrolled");
            let link = Link::of_user(c, user.id)?.remove(0).0;
            Ok::<_, diesel::result::Error>((user.id, m.id, link.code))
        })
        .expect("partner")
    };
    let (actor, membership, code) = partner("p@example.com", 123_456);
    let (_, other, _) = partner("o@example.com", 654_321);
    Db {
        _dir: dir,
        conn,
        membership,
        code,
        other,
        actor,
    }
}

/// Sends events in batches of `batch_size`, each applied in one transaction as the
/// batch route applies them, until none makes progress (a refund sent before its
/// payment is rejected and succeeds when resent, as a vendor's retry would do).
fn deliver(conn: &mut DbConn, events: &[EventEnvelope], batch_size: usize) {
    let mut pending: Vec<&EventEnvelope> = events.iter().collect();
    for _ in 0..=events.len() {
        let mut rejected = Vec::new();
        for chunk in pending.chunks(batch_size) {
            let results = write_transaction(conn, |c| {
                Batch::run(c, |c, batch| {
                    let named: Vec<_> = chunk.iter().map(|e| ("billing", *e)).collect();
                    batch.preload(c, &named)?;
                    Ok::<_, CommissionError>(
                        chunk
                            .iter()
                            .map(|e| ingest(c, batch, "billing", e))
                            .collect::<Vec<_>>(),
                    )
                })
            })
            .expect("batch transaction");
            for (event, result) in chunk.iter().zip(results) {
                match result {
                    Ok(r) => assert_ne!(r.status, EventStatus::Rejected),
                    Err(e) if !e.is_refusal() => panic!("internal error: {e}"),
                    Err(_) => rejected.push(*event),
                }
            }
        }
        if rejected.is_empty() {
            return;
        }
        pending = rejected;
    }
    panic!("events still rejected after every retry");
}

fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    // A small deterministic Fisher-Yates so a failing case replays exactly.
    let mut out = items.to_vec();
    let mut state = seed | 1;
    for i in (1..out.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = usize::try_from(state % (u64::try_from(i).unwrap_or(1) + 1)).unwrap_or(0);
        out.swap(i, j);
    }
    out
}

/// Everything the daily earnings rollup holds for a membership, in USD minor units.
fn earned_in_rollup(conn: &mut DbConn, membership: i64) -> i64 {
    let (from, to) = (time_of(-400).date(), time_of(2_000).date());
    figures::earnings_by_day(conn, &[membership], None, from, to)
        .expect("earnings")
        .iter()
        .map(|(_, currency, minor)| {
            assert_eq!(currency, "USD");
            minor
        })
        .sum()
}

/// The stored id of the scenario's customer `i`.
fn customer_id(conn: &mut DbConn, i: usize) -> i64 {
    partnerly_db::customer::Customer::by_external_id(conn, &format!("cus-{i}"))
        .expect("customer")
        .expect("signed up")
        .id
}

fn balance(conn: &mut DbConn, membership: i64, kind: AccountKind) -> i64 {
    let balances = ledger::balances(conn, Some(&[membership])).expect("balances");
    balances
        .get(&(Some(membership), kind, "USD".to_owned()))
        .copied()
        .unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_event_streams_keep_the_ledger_balanced_and_match_the_reference_model(s in scenario()) {
        let mut db = setup(s.flat);
        let (events, refunds_sent) = events(&s, &db.code);
        let mut stream = shuffled(&events, s.order_seed);
        for d in &s.duplicates {
            if !events.is_empty() {
                stream.push(events[d % events.len()].clone());
            }
        }
        deliver(&mut db.conn, &stream, s.batch_size);
        for day in &s.release_days {
            partnerly_engine::commissions::release_due(&mut db.conn, to_db(time_of(*day))).expect("release");
        }

        // Invariant 1: positive amounts, two different accounts, one currency.
        let transfers = ledger::all(&mut db.conn).expect("transfers");
        for t in &transfers {
            prop_assert!(t.amount_minor > 0);
            let from = ledger::account(t.from_membership, t.from_kind, &t.currency).expect("from");
            let to = ledger::account(t.to_membership, t.to_kind, &t.currency).expect("to");
            prop_assert_ne!(from, to);
        }
        // Invariant 2: per currency, all balances sum to zero.
        let all = ledger::balances(&mut db.conn, None).expect("balances");
        let mut per_currency: BTreeMap<String, i64> = BTreeMap::new();
        for ((_, _, currency), amount) in &all {
            *per_currency.entry(currency.clone()).or_default() += amount;
        }
        prop_assert!(per_currency.values().all(|v| *v == 0), "{per_currency:?}");

        // Invariant 3: pending never below zero.
        let m = db.membership;
        prop_assert!(balance(&mut db.conn, m, AccountKind::Pending) >= 0);

        // Invariant 4 and the reference model: earned is what the rule says.
        let earned = balance(&mut db.conn, m, AccountKind::Pending) + balance(&mut db.conn, m, AccountKind::Available);
        prop_assert_eq!(earned, expected_earned(&s, &refunds_sent));
        let vendor = Account::vendor(AccountKind::CommissionExpense, usd());
        let expense = all.get(&(vendor.membership, vendor.kind, "USD".to_owned())).copied().unwrap_or(0);
        prop_assert_eq!(expense, -earned);

        // Invariant 5: replaying everything, and rerunning the job, adds nothing.
        deliver(&mut db.conn, &events, s.batch_size);
        for day in &s.release_days {
            partnerly_engine::commissions::release_due(&mut db.conn, to_db(time_of(*day))).expect("release");
        }
        prop_assert_eq!(ledger::all(&mut db.conn).expect("transfers").len(), transfers.len());

        // After every hold ends, everything earned is available.
        partnerly_engine::commissions::release_due(&mut db.conn, to_db(time_of(2_000))).expect("release");
        prop_assert_eq!(balance(&mut db.conn, m, AccountKind::Pending), 0);
        prop_assert_eq!(balance(&mut db.conn, m, AccountKind::Available), earned);

        // The dashboard's rollups equal what they count, and what the partner earned.
        prop_assert_eq!(figures::differences(&mut db.conn).expect("recount"), Vec::<String>::new());
        prop_assert_eq!(earned_in_rollup(&mut db.conn, m), earned);

        // Customers given to another partner, to nobody or back take their figures with
        // them; the commissions they earned stay; their next payments earn for the new
        // partner.
        let targets = [Some(db.other), None, Some(m)];
        for (i, (customer, target)) in s.reassignments.iter().enumerate() {
            let id = customer_id(&mut db.conn, *customer);
            let change = Reassignment { membership_id: targets[*target], reason: "test".into() };
            write_transaction(&mut db.conn, |c| {
                partnerly_engine::customers::reassign(c, db.actor, id, &change, partnerly_db::now())
            }).expect("reassign");
            let at = rfc3339(time_of(700 + i64::try_from(i).unwrap_or(0)));
            let payment: EventEnvelope = serde_json::from_value(json!({
                "id": format!("after-{i}"), "type": "payment.succeeded", "occurred_at": at,
                "data": {"payment_id": format!("after-{i}"), "customer_id": format!("cus-{customer}"),
                         "amount": "100.00", "currency": "USD", "paid_at": at}})).expect("envelope");
            deliver(&mut db.conn, &[payment], 1);
        }
        prop_assert_eq!(figures::differences(&mut db.conn).expect("recount"), Vec::<String>::new());
        for membership in [m, db.other] {
            let earned = balance(&mut db.conn, membership, AccountKind::Pending)
                + balance(&mut db.conn, membership, AccountKind::Available);
            prop_assert_eq!(earned_in_rollup(&mut db.conn, membership), earned);
        }
        let report = partnerly_api::ledger_check::run(&mut db.conn).expect("ledger-check");
        prop_assert_eq!(report.problems, Vec::<String>::new());
    }
}
