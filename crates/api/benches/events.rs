//! `just bench events`: event ingestion throughput over real HTTP, on SQLite and (when
//! reachable) PostgreSQL, single events from many concurrent clients and 1000-event
//! batches from two clients, first about the same customers, then about different
//! ones. Each figure is printed beside its limit, measured in the same run on the same
//! backend: the rate at which that database takes the very rows these events write,
//! with plain multi-row INSERTs and no logic (`events/limit.rs`), and the ratio of the
//! two. After each run it counts the rows every table got, which shows what one event
//! writes. The README quotes these numbers.
//!
//! Settings: `BENCH_SINGLE` (default 6000 events), `BENCH_BATCHES` (default 40 batches
//! of 1000), `BENCH_CONCURRENCY` (default 32), `BENCH_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`; skipped when unreachable),
//! `BENCH_DATABASES` (default `sqlite,postgres`), `BENCH_PROFILE=1` (time every
//! statement of each phase and print where the database time goes,
//! `events/profile.rs`; the rates are lower then).

// In `benches/events/`, not in `benches/`, where Cargo would take each for a bench.
#[path = "events/limit.rs"]
mod limit;
#[path = "support/pg.rs"]
mod pg;
#[path = "events/profile.rs"]
mod profile;

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use partnerly_api::config::Config;
use partnerly_db::{DbConn, DbUrl, run_migrations};
use pg::{create_pg_database, drop_pg_database, pg_admin};
use serde_json::{Value, json};

/// The customers one partner has, signed up before the payments arrive.
const CUSTOMERS: usize = 500;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Target {
    label: &'static str,
    database_url: String,
    cleanup: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

fn sqlite() -> Target {
    let dir = tempfile::tempdir().expect("dir");
    Target {
        label: "SQLite",
        database_url: format!("sqlite://{}/bench.db", dir.path().display()),
        cleanup: None,
        _dir: dir,
    }
}

fn postgres() -> Option<Target> {
    let admin = pg_admin();
    let (database_url, name) = create_pg_database(&admin, "partnerly_bench")?;
    Some(Target {
        label: "PostgreSQL",
        database_url,
        cleanup: Some((admin, name)),
        _dir: tempfile::tempdir().expect("dir"),
    })
}

/// A fresh database for the limit on the target's backend (dropped by the caller when
/// it names one).
fn limit_database(target: &Target) -> (String, Option<String>) {
    match &target.cleanup {
        Some((admin, _)) => {
            let (url, name) =
                create_pg_database(admin, "partnerly_bench_limit").expect("limit database");
            (url, Some(name))
        }
        None => (
            format!("sqlite://{}/limit.db", target._dir.path().display()),
            None,
        ),
    }
}

/// Starts the server in its own thread (its own actix system, like `partnerly serve`).
fn start_server(target: &Target) -> String {
    let vars: HashMap<String, String> = HashMap::from([
        (
            "PARTNERLY_DATA_DIR".into(),
            target._dir.path().display().to_string(),
        ),
        ("DATABASE_URL".into(), target.database_url.clone()),
        (
            "PARTNERLY_JWT_SECRET".into(),
            "bench-secret-0123456789abcdef-0123456789".into(),
        ),
        (
            "PARTNERLY_STATIC_DIR".into(),
            target._dir.path().join("none").display().to_string(),
        ),
        ("PARTNERLY_RATE_LIMIT_IP_FACTOR".into(), "1000".into()),
    ]);
    let config = Config::from_sources(|k| vars.get(k).cloned()).expect("config");
    let url = DbUrl::parse(&target.database_url).expect("url");
    let pool = url.pool(config.db_pool_size).expect("pool");
    run_migrations(&mut pool.get().expect("conn")).expect("migrations");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let (server, _) = partnerly_api::server::start(config, pool, listener).expect("server");
            server.await.expect("server ran");
        });
    });
    format!("http://127.0.0.1:{port}")
}

fn api_key(database_url: &str) -> String {
    let mut conn: DbConn = DbUrl::parse(database_url)
        .expect("url")
        .connect()
        .expect("conn");
    use partnerly_db::schema::api_keys::dsl as k;
    let secret = format!("pk_live_{}", uuid::Uuid::new_v4().simple());
    diesel::insert_into(k::api_keys)
        .values((
            k::name.eq("bench"),
            k::owner.eq("bench"),
            k::prefix.eq(&secret[..12]),
            k::key_hash.eq(partnerly_api::auth::tokens::digest(&secret)),
            k::scopes.eq("events:write"),
            k::created_at.eq(partnerly_db::now()),
        ))
        .execute(&mut conn)
        .expect("key");
    secret
}

/// When the `i`-th payment was made: customers pay in turn, each one an hour after its
/// previous payment, as a billing system reports them (in order, not all at once). The
/// payments are recent (from ten days ago on), so their commissions are still on hold:
/// the release job has nothing to do while the benchmark runs, as in steady operation.
fn paid_at(i: usize, customers: usize) -> time::OffsetDateTime {
    static START: std::sync::LazyLock<time::OffsetDateTime> = std::sync::LazyLock::new(|| {
        let now = time::OffsetDateTime::now_utc();
        now.replace_nanosecond(0).unwrap_or(now) - time::Duration::days(10)
    });
    *START
        + time::Duration::hours((i / customers) as i64)
        + time::Duration::seconds((i % customers) as i64)
}

/// The `i`-th payment, by customer `customer` (at [`paid_at`]).
fn payment(i: usize, customer: usize, customers: usize) -> Value {
    let paid_at = paid_at(i, customers)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("date");
    json!({"id": format!("pay-{i}"), "type": "payment.succeeded", "occurred_at": paid_at,
           "data": {"payment_id": format!("p-{i}"), "customer_id": format!("cus-{customer}"),
                    "amount": "49.00", "currency": "USD", "paid_at": paid_at}})
}

/// "Shared": every batch names every customer, so the two clients' batches wait for
/// each other's customer locks (the worst case).
fn shared_customer(_batch: usize, i: usize, customers: usize) -> usize {
    i % customers
}

/// "Split": each client's batches name its own half of the customers (as a billing run
/// split between two senders), so they may run side by side.
fn split_customer(batch: usize, i: usize, customers: usize) -> usize {
    (i % (customers / 2)) + (customers / 2) * (batch % 2)
}

/// Sends `batches` batches of 1000 payments from two clients at once, the `i`-th
/// payment of batch `b` by customer `customer(b, i)`; answers events per second.
async fn batched(
    client: &reqwest::Client,
    base: &str,
    key: &Arc<String>,
    first: usize,
    batches: usize,
    customers: usize,
    customer: fn(usize, usize, usize) -> usize,
) -> f64 {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..2 {
        let client = client.clone();
        let key = key.clone();
        let base = base.to_owned();
        tasks.spawn(async move {
            let mut b = worker;
            while b < batches {
                let events: Vec<Value> = (0..1000)
                    .map(|j| {
                        let i = first + b * 1000 + j;
                        payment(i, customer(b, i, customers), customers)
                    })
                    .collect();
                let reply = client
                    .post(format!("{base}/api/v1/events/batch"))
                    .bearer_auth(key.as_str())
                    .json(&json!({"events": events}))
                    .send()
                    .await
                    .expect("batch");
                assert!(reply.status().is_success(), "batch {b}: {}", reply.status());
                b += 2;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    (batches * 1000) as f64 / started.elapsed().as_secs_f64()
}

/// What a run measured.
struct Measured {
    single: f64,
    shared: f64,
    split: f64,
    /// Rows per table after the run ([`limit::census`]).
    census: Vec<(&'static str, i64)>,
}

async fn run(target: &Target, single: usize, batches: usize, concurrency: usize) -> Measured {
    let base = start_server(target);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    for _ in 0..100 {
        if client.get(format!("{base}/readyz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let signup: Value = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&json!({"name": "Bench Partner", "email": "bench@example.com", "password": "bench passphrase 1"}))
        .send()
        .await
        .expect("signup")
        .json()
        .await
        .expect("json");
    let token = signup["access_token"].as_str().expect("token").to_owned();
    let links: Value = client
        .get(format!("{base}/api/v1/links"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("links")
        .json()
        .await
        .expect("json");
    let code = links["items"][0]["code"].as_str().expect("code").to_owned();
    let key = Arc::new(api_key(&target.database_url));
    let customers = CUSTOMERS;
    let setup: Vec<Value> = (0..customers)
        .map(|c| json!({"id": format!("signup-{c}"), "type": "customer.signed_up", "occurred_at": "2025-12-01T00:00:00Z",
                        "data": {"customer_id": format!("cus-{c}"), "ref_code": code}}))
        .collect();
    let reply = client
        .post(format!("{base}/api/v1/events/batch"))
        .bearer_auth(key.as_str())
        .json(&json!({"events": setup}))
        .send()
        .await
        .expect("setup batch");
    assert!(
        reply.status().is_success(),
        "setup batch: {}",
        reply.status()
    );

    // Single events from `concurrency` clients.
    profile::start();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let client = client.clone();
        let key = key.clone();
        let base = base.clone();
        tasks.spawn(async move {
            let mut i = worker;
            while i < single {
                let reply = client
                    .post(format!("{base}/api/v1/events"))
                    .bearer_auth(key.as_str())
                    .json(&payment(i, i % customers, customers))
                    .send()
                    .await
                    .expect("event");
                assert!(reply.status().is_success(), "event {i}: {}", reply.status());
                i += concurrency;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let single_rate = single as f64 / started.elapsed().as_secs_f64();
    profile::report(
        &format!("{} HTTP single", target.label),
        single,
        started.elapsed(),
    );

    // Batches of 1000, two at a time: first about the same customers, then about
    // different halves of them.
    profile::start();
    let shared_rate = batched(
        &client,
        &base,
        &key,
        single,
        batches,
        customers,
        shared_customer,
    )
    .await;
    profile::report(
        &format!("{} HTTP batched, shared", target.label),
        batches * 1000,
        Duration::from_secs_f64(batches as f64 * 1000.0 / shared_rate),
    );
    let first = single + batches * 1000;
    profile::start();
    let split_rate = batched(
        &client,
        &base,
        &key,
        first,
        batches,
        customers,
        split_customer,
    )
    .await;
    profile::report(
        &format!("{} HTTP batched, split", target.label),
        batches * 1000,
        Duration::from_secs_f64(batches as f64 * 1000.0 / split_rate),
    );

    let census = limit::census(&target.database_url);
    if let Some((admin, name)) = &target.cleanup {
        drop_pg_database(admin, name);
    }
    Measured {
        single: single_rate,
        shared: shared_rate,
        split: split_rate,
        census,
    }
}

/// `1234567.8` as `1,234,568`.
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (n, c) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What one payment event wrote, from the rows counted after the run.
fn print_census(label: &str, census: &[(&'static str, i64)], payments: usize, signups: usize) {
    let counts: Vec<String> = census
        .iter()
        .map(|(table, n)| format!("{table} {}", thousands(*n as f64)))
        .collect();
    println!("{label}: rows after the run: {}", counts.join(", "));
    let per_event: Vec<String> = census
        .iter()
        .filter(|(table, _)| !table.starts_with("customers"))
        .map(|(table, n)| {
            // The sign-ups' receipts are in `events` too.
            let n = if *table == "events" {
                n - signups as i64
            } else {
                *n
            };
            format!("{table} {:.2}", n as f64 / payments as f64)
        })
        .collect();
    println!(
        "{label}: rows per payment.succeeded: {} (and each customer's first payment updates \
         its customers row)",
        per_event.join(", ")
    );
}

fn main() {
    let single = env_or("BENCH_SINGLE", 6000);
    let batches = env_or("BENCH_BATCHES", 40);
    let concurrency = env_or("BENCH_CONCURRENCY", 32);
    if profile::wanted() {
        profile::install();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let databases = std::env::var("BENCH_DATABASES").unwrap_or_else(|_| "sqlite,postgres".into());
    let mut targets = Vec::new();
    if databases.contains("sqlite") {
        targets.push(sqlite());
    }
    if databases.contains("postgres") {
        match postgres() {
            Some(pg) => targets.push(pg),
            None => eprintln!("PostgreSQL not reachable: not benchmarked"),
        }
    }
    println!(
        "Event ingestion over HTTP ({single} single events from {concurrency} clients; \
         {batches} batches of 1000 from 2 clients, first about the same customers, then \
         about different ones), each beside its limit: the same rows written by plain \
         multi-row INSERTs into a fresh database on the same backend (single: one event \
         per commit from {concurrency} threads, taking turns on SQLite; batched: 1000 \
         events per commit from 2 threads)"
    );
    let customers = CUSTOMERS;
    let plan = limit::Plan {
        single,
        batches,
        concurrency,
        customers,
        shared: shared_customer,
        split: split_customer,
        paid_at,
    };
    for target in targets {
        let label = target.label;
        let measured = runtime.block_on(run(&target, single, batches, concurrency));
        print_census(
            label,
            &measured.census,
            single + 2 * batches * 1000,
            customers,
        );
        let (limit_url, limit_name) = limit_database(&target);
        let limits = limit::measure(label, &limit_url, &plan);
        if let (Some((admin, _)), Some(name)) = (&target.cleanup, limit_name) {
            drop_pg_database(admin, &name);
        }
        for (mode, rate, limit) in [
            ("single", measured.single, limits.single),
            ("batched, shared", measured.shared, limits.shared),
            ("batched, split", measured.split, limits.split),
        ] {
            println!(
                "{label:<11} {mode:<16} {:>7} events/s  limit {:>7} rows-of-an-event/s  \
                 ratio {:>4.0}%",
                thousands(rate),
                thousands(limit),
                100.0 * rate / limit
            );
        }
    }
}
