//! The limit the ingestion figures are measured against: the same database's rate for
//! writing exactly the rows the benchmark's `payment.succeeded` events write, with
//! plain multi-row INSERTs and nothing else (no HTTP, no JSON, no reads, no engine).
//!
//! What one event of the benchmark writes (the default program: one level, 20% for 12
//! months, no flat amount, bonus or threshold; no webhook endpoint), checked by
//! [`census`] after every run:
//! - a `payments` row (with its id chosen ahead, as the engine does),
//! - one `commissions` row (kind `percent`),
//! - one `ledger_transfers` row (`commission:<id>:accrue`, vendor expense → pending),
//! - one `events` row (the receipt with its answer),
//! - and, for a customer's first payment only, an UPDATE of its `customers` row
//!   (`first_paid_at`): 500 of the 6000 single events, none of the batched ones.
//!
//! No `webhook_deliveries` (nobody subscribes), no client bonus, no level change.
//!
//! The rows go into a database of their own on the same backend (the same PostgreSQL
//! server, an SQLite file beside the benchmark's), migrated with the real migrations and
//! holding what the benchmark's holds before its first payment: one partner with its
//! membership and link and 500 attributed customers with their sign-up events. The
//! limit writes the same events in the same order (the same event, payment and
//! customer ids, the same dates), so every index has the same keys and sizes as in the
//! run it is compared with:
//! - **single**: one event per transaction, one commit each, from as many threads as
//!   the benchmark has clients (each with its own connection). On SQLite they take turns
//!   through one mutex, as the server's writers do (`AppState::write`): SQLite has one
//!   writer, and its busy handler sleeps. On PostgreSQL they commit side by side.
//! - **batched**: transactions of 1000 events from two threads, as the benchmark's two
//!   clients send them (first about the same customers, then about different halves),
//!   each table's rows in statements of 200 (the db crate's chunk), in the order the
//!   engine writes them: customer updates, payments, commissions, ledger transfers,
//!   events.
//!
//! The ledger rows are written with a plain INSERT; the engine adds `ON CONFLICT DO
//! NOTHING` (idempotent bookings), which is its logic, not the rows' cost.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use partnerly_db::schema::{commissions, customers, events, ledger_transfers, payments};
use partnerly_db::{DbConn, DbPool, DbUrl, run_migrations, write_transaction};
use time::PrimitiveDateTime;

/// Rows per multi-row INSERT: `partnerly_db::INSERT_ROWS_CHUNK`, as the engine writes.
const INSERT_ROWS: usize = 200;

/// The same statement on the backend's own connection (multi-row INSERTs are not
/// expressible on the `MultiConnection`).
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            DbConn::Sqlite($c) => $body,
            DbConn::Postgres($c) => $body,
        }
    };
}

/// The benchmark's shape: how many events of each kind, from how many clients.
pub struct Plan {
    pub single: usize,
    pub batches: usize,
    pub concurrency: usize,
    pub customers: usize,
    /// The customer of the `i`-th payment of batch `b` in the "shared" and the "split"
    /// phase (the benchmark's own functions).
    pub shared: fn(usize, usize, usize) -> usize,
    pub split: fn(usize, usize, usize) -> usize,
    /// When the `i`-th payment was made (the benchmark's own dates).
    pub paid_at: fn(usize, usize) -> time::OffsetDateTime,
}

/// Rows of events per second (each event's rows as listed above).
pub struct Limits {
    pub single: f64,
    pub shared: f64,
    pub split: f64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The database the rows go into, with the parents they refer to.
struct Fixture {
    pool: DbPool,
    /// SQLite: writers take turns, as in the server.
    turn: Option<Mutex<()>>,
    membership_id: i64,
    level_id: i64,
    /// Customer ids by the benchmark's customer number.
    customer_ids: Vec<i64>,
    /// Whether each customer has paid (its first payment updates its row).
    paid: Mutex<Vec<bool>>,
    next_payment: AtomicI64,
    next_commission: AtomicI64,
}

/// What some `payment.succeeded` events write, table by table.
#[derive(Default)]
struct Rows {
    /// Customers paying for the first time, with the date (`first_paid_at`).
    first_payments: Vec<(i64, PrimitiveDateTime)>,
    payments: Vec<PaymentRow>,
    commissions: Vec<CommissionRow>,
    transfers: Vec<TransferRow>,
    receipts: Vec<EventRow>,
}

// The rows as the engine writes them, column for column (the db crate's `Payment`,
// `Commission`, `NewTransfer` and `NewEvent`), declared here against the schema so that
// the limit does not depend on the models' Rust types.

#[derive(Insertable)]
#[diesel(table_name = payments, treat_none_as_default_value = false)]
struct PaymentRow {
    id: i64,
    external_id: String,
    customer_external_id: String,
    customer_id: Option<i64>,
    amount_minor: i64,
    currency: &'static str,
    period_months: i32,
    paid_at: PrimitiveDateTime,
    refunded_minor: i64,
    created_at: PrimitiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = commissions, treat_none_as_default_value = false)]
struct CommissionRow {
    id: i64,
    payment_id: i64,
    membership_id: i64,
    level_id: i64,
    rule_version: i32,
    kind: &'static str,
    rate: Option<&'static str>,
    amount_minor: i64,
    currency: &'static str,
    reversed_minor: i64,
    status: &'static str,
    available_at: PrimitiveDateTime,
    released_at: Option<PrimitiveDateTime>,
    created_at: PrimitiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = ledger_transfers, treat_none_as_default_value = false)]
struct TransferRow {
    key: String,
    currency: &'static str,
    from_membership: Option<i64>,
    from_kind: &'static str,
    to_membership: Option<i64>,
    to_kind: &'static str,
    amount_minor: i64,
    cause_type: &'static str,
    cause_id: i64,
    created_at: PrimitiveDateTime,
}

/// (The db crate's `NewEvent` lacks `treat_none_as_default_value = false`, so diesel
/// writes it one row per statement on SQLite; the limit writes multi-row statements.)
#[derive(Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
struct EventRow {
    owner: &'static str,
    event_id: String,
    kind: &'static str,
    body_hash: String,
    status: &'static str,
    result: String,
    received_at: PrimitiveDateTime,
}

fn one(conn: &mut DbConn, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Id>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .id
}

fn run(conn: &mut DbConn, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

impl Fixture {
    /// Migrates the database and writes what the benchmark's holds before its first
    /// payment (what sign-up and `customer.signed_up` wrote there), untimed.
    fn new(database_url: &str, plan: &Plan) -> Fixture {
        let url = DbUrl::parse(database_url).expect("url");
        let sqlite = matches!(url, DbUrl::Sqlite(_));
        let pool = url
            .pool(u32::try_from(plan.concurrency.max(2)).expect("pool size"))
            .expect("pool");
        let mut conn = pool.get().expect("conn");
        run_migrations(&mut conn).expect("migrations");
        let at = "'2025-12-01 00:00:00'";
        run(
            &mut conn,
            &format!(
                "INSERT INTO programs (name, currency, hold_days, minimum_payout_minor, \
                 landing_url, created_at, updated_at) \
                 VALUES ('Referral program', 'USD', 31, 5000, 'http://127.0.0.1/', {at}, {at})"
            ),
        );
        let program_id = one(&mut conn, "SELECT MAX(id) AS id FROM programs");
        run(
            &mut conn,
            &format!(
                "INSERT INTO levels (program_id, position, name, track, percent, duration_kind, \
                 duration_months, created_at, updated_at) \
                 VALUES ({program_id}, 1, 'Partner', 'referral', '20', 'months', 12, {at}, {at})"
            ),
        );
        let level_id = one(&mut conn, "SELECT MAX(id) AS id FROM levels");
        run(
            &mut conn,
            &format!(
                "INSERT INTO users (public_number, partner_kind, role, email, password_hash, \
                 first_name, last_name, created_at, updated_at) \
                 VALUES (123456, 'referral', 'partner', 'bench@example.com', 'unused', 'Bench', \
                 'Partner', {at}, {at})"
            ),
        );
        let user_id = one(&mut conn, "SELECT MAX(id) AS id FROM users");
        run(
            &mut conn,
            &format!(
                "INSERT INTO memberships (user_id, program_id, level_id, track, joined_at) \
                 VALUES ({user_id}, {program_id}, {level_id}, 'referral', {at})"
            ),
        );
        let membership_id = one(&mut conn, "SELECT MAX(id) AS id FROM memberships");
        run(
            &mut conn,
            &format!(
                "INSERT INTO level_history (membership_id, to_level_id, reason, at) \
                 VALUES ({membership_id}, {level_id}, 'enrolment', {at})"
            ),
        );
        run(
            &mut conn,
            &format!(
                "INSERT INTO links (membership_id, code, is_default, created_at, updated_at) \
                 VALUES ({membership_id}, 'benchcode', TRUE, {at}, {at})"
            ),
        );
        let link_id = one(&mut conn, "SELECT MAX(id) AS id FROM links");
        let customers: Vec<String> = (0..plan.customers)
            .map(|c| {
                format!(
                    "('cus-{c}', {membership_id}, {link_id}, 'ref_code', {at}, 'active', {at}, {at})"
                )
            })
            .collect();
        for chunk in customers.chunks(INSERT_ROWS) {
            run(
                &mut conn,
                &format!(
                    "INSERT INTO customers (external_id, membership_id, link_id, attributed_via, \
                     attributed_at, status, signed_up_at, updated_at) VALUES {}",
                    chunk.join(", ")
                ),
            );
        }
        let signups: Vec<String> = (0..plan.customers)
            .map(|c| {
                format!(
                    "('bench', 'signup-{c}', 'customer.signed_up', '{}', 'applied', \
                     '{{\"id\":\"signup-{c}\",\"status\":\"applied\",\"effects\":{{\"attributed\":true}}}}', {at})",
                    hash(c)
                )
            })
            .collect();
        for chunk in signups.chunks(INSERT_ROWS) {
            run(
                &mut conn,
                &format!(
                    "INSERT INTO events (owner, event_id, kind, body_hash, status, result, \
                     received_at) VALUES {}",
                    chunk.join(", ")
                ),
            );
        }
        let customer_ids = (0..plan.customers)
            .map(|c| {
                one(
                    &mut conn,
                    &format!("SELECT id FROM customers WHERE external_id = 'cus-{c}'"),
                )
            })
            .collect();
        Fixture {
            pool,
            turn: sqlite.then(|| Mutex::new(())),
            membership_id,
            level_id,
            customer_ids,
            paid: Mutex::new(vec![false; plan.customers]),
            next_payment: AtomicI64::new(1),
            next_commission: AtomicI64::new(1),
        }
    }

    /// Adds the rows of the `i`-th payment, by customer `customer`.
    fn push(&self, rows: &mut Rows, plan: &Plan, i: usize, customer: usize) {
        let now = partnerly_db::now();
        let paid_at = partnerly_db::to_db((plan.paid_at)(i, plan.customers));
        let customer_id = self.customer_ids[customer];
        let first = !std::mem::replace(
            &mut self.paid.lock().unwrap_or_else(|e| e.into_inner())[customer],
            true,
        );
        if first {
            rows.first_payments.push((customer_id, paid_at));
        }
        let payment_id = self.next_payment.fetch_add(1, Ordering::Relaxed);
        let commission_id = self.next_commission.fetch_add(1, Ordering::Relaxed);
        rows.payments.push(PaymentRow {
            id: payment_id,
            external_id: format!("p-{i}"),
            customer_external_id: format!("cus-{customer}"),
            customer_id: Some(customer_id),
            amount_minor: 4900,
            currency: "USD",
            period_months: 1,
            paid_at,
            refunded_minor: 0,
            created_at: now,
        });
        rows.commissions.push(CommissionRow {
            id: commission_id,
            payment_id,
            membership_id: self.membership_id,
            level_id: self.level_id,
            rule_version: 1,
            kind: "percent",
            rate: Some("20"),
            amount_minor: 980,
            currency: "USD",
            reversed_minor: 0,
            status: "pending",
            available_at: paid_at + time::Duration::days(31),
            released_at: None,
            created_at: now,
        });
        rows.transfers.push(TransferRow {
            key: format!("commission:{commission_id}:accrue"),
            currency: "USD",
            from_membership: None,
            from_kind: "commission_expense",
            to_membership: Some(self.membership_id),
            to_kind: "pending",
            amount_minor: 980,
            cause_type: "commission",
            cause_id: commission_id,
            created_at: now,
        });
        rows.receipts.push(EventRow {
            owner: "bench",
            event_id: format!("pay-{i}"),
            kind: "payment.succeeded",
            body_hash: hash(i),
            status: "applied",
            result: format!(
                r#"{{"id":"pay-{i}","status":"applied","effects":{{"commissions":1}}}}"#
            ),
            received_at: now,
        });
    }

    /// Writes `rows` in one transaction, taking the writer's turn on SQLite.
    fn write(&self, conn: &mut DbConn, rows: &Rows) {
        let _turn = self
            .turn
            .as_ref()
            .map(|t| t.lock().unwrap_or_else(|e| e.into_inner()));
        write_transaction::<_, diesel::result::Error, _>(conn, |conn| insert(conn, rows))
            .expect("limit transaction");
    }
}

/// A stand-in for an event body's SHA-256 in hex (64 characters, no index uses it).
fn hash(i: usize) -> String {
    let x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!("{x:016x}").repeat(4)
}

/// The events' rows, each table's in multi-row statements.
fn insert(conn: &mut DbConn, rows: &Rows) -> QueryResult<()> {
    for &(customer_id, paid_at) in &rows.first_payments {
        let now = partnerly_db::now();
        on_backend!(conn, |c| diesel::update(customers::table.find(customer_id))
            .set((
                customers::first_paid_at.eq(Some(paid_at)),
                customers::updated_at.eq(now),
            ))
            .execute(c))?;
    }
    for chunk in rows.payments.chunks(INSERT_ROWS) {
        on_backend!(conn, |c| diesel::insert_into(payments::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in rows.commissions.chunks(INSERT_ROWS) {
        on_backend!(conn, |c| diesel::insert_into(commissions::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in rows.transfers.chunks(INSERT_ROWS) {
        on_backend!(conn, |c| diesel::insert_into(ledger_transfers::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in rows.receipts.chunks(INSERT_ROWS) {
        on_backend!(conn, |c| diesel::insert_into(events::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Measures the three limits on a fresh database at `database_url` (see the module).
pub fn measure(label: &str, database_url: &str, plan: &Plan) -> Limits {
    let fixture = Fixture::new(database_url, plan);
    crate::profile::start();
    let started = Instant::now();
    std::thread::scope(|s| {
        for worker in 0..plan.concurrency {
            let fixture = &fixture;
            s.spawn(move || {
                let mut conn = fixture.pool.get().expect("conn");
                let mut i = worker;
                while i < plan.single {
                    let mut rows = Rows::default();
                    fixture.push(&mut rows, plan, i, i % plan.customers);
                    fixture.write(&mut conn, &rows);
                    i += plan.concurrency;
                }
            });
        }
    });
    let single = plan.single as f64 / started.elapsed().as_secs_f64();
    crate::profile::report(
        &format!("{label} limit single"),
        plan.single,
        started.elapsed(),
    );
    let shared = batched(&fixture, plan, plan.single, plan.shared);
    crate::profile::report(
        &format!("{label} limit batched, shared"),
        plan.batches * 1000,
        std::time::Duration::from_secs_f64(plan.batches as f64 * 1000.0 / shared),
    );
    let split = batched(
        &fixture,
        plan,
        plan.single + plan.batches * 1000,
        plan.split,
    );
    crate::profile::report(
        &format!("{label} limit batched, split"),
        plan.batches * 1000,
        std::time::Duration::from_secs_f64(plan.batches as f64 * 1000.0 / split),
    );
    Limits {
        single,
        shared,
        split,
    }
}

/// `plan.batches` transactions of 1000 events from two threads, like the benchmark's
/// two clients; answers events per second.
fn batched(
    fixture: &Fixture,
    plan: &Plan,
    first: usize,
    customer: fn(usize, usize, usize) -> usize,
) -> f64 {
    crate::profile::start();
    let started = Instant::now();
    std::thread::scope(|s| {
        for worker in 0..2 {
            s.spawn(move || {
                let mut conn = fixture.pool.get().expect("conn");
                let mut b = worker;
                while b < plan.batches {
                    let mut rows = Rows::default();
                    for j in 0..1000 {
                        let i = first + b * 1000 + j;
                        fixture.push(&mut rows, plan, i, customer(b, i, plan.customers));
                    }
                    fixture.write(&mut conn, &rows);
                    b += 2;
                }
            });
        }
    });
    (plan.batches * 1000) as f64 / started.elapsed().as_secs_f64()
}

/// The rows of the tables an event could write, after a run: what one event wrote is
/// read off these (see the module).
pub fn census(database_url: &str) -> Vec<(&'static str, i64)> {
    let mut conn = DbUrl::parse(database_url)
        .expect("url")
        .connect()
        .expect("conn");
    let tables = [
        "customers",
        "payments",
        "commissions",
        "ledger_transfers",
        "events",
        "webhook_deliveries",
        "client_bonuses",
        "payment_reversals",
        "level_history",
        "audit_log",
        "outbox_emails",
    ];
    let mut counts: Vec<(&'static str, i64)> = tables
        .iter()
        .map(|t| {
            (
                *t,
                one(&mut conn, &format!("SELECT COUNT(*) AS id FROM {t}")),
            )
        })
        .collect();
    counts.push((
        "customers with first_paid_at",
        one(
            &mut conn,
            "SELECT COUNT(*) AS id FROM customers WHERE first_paid_at IS NOT NULL",
        ),
    ));
    counts
}
